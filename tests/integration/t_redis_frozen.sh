#!/bin/sh
# t_redis_frozen.sh — a frozen Redis (SIGSTOP) is reported (issue 16, item 4).
#
# With redis-server stopped, the connection stays up and nothing answers:
# within redis.unresponsive_after (2 s here) plus the probe interval,
# /healthz is 503 and says "redis: unresponsive", teleqd_redis_responsive
# is 0 and one warning is logged. After SIGCONT /healthz is 200 again, one
# "answers again" line is logged and the lines appended during the freeze
# are counted exactly once.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start

thaw() { [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID" 2>/dev/null; return 0; }

write_config max_delay_ms=50 unresponsive_after=2s
F=$(csv_path z)
gen_csv "$F" 1000 --seed 41 --from "$(date -d '20 days ago' +%F)" --days 10
gen_csv "$T/more" 500 --no-header --seed 42 --from "$(date -d '20 days ago' +%F)" --days 10

tq_start
_listening() { grep -q 'http: listening on ' "$TQ_LOG"; }
wait_for 10 _listening || bail "no 'http: listening on' line"
PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
wait_events 1000 || true
if wait_for 5 health_says 200 ok; then ok "healthz 200 before"; else
	not_ok "healthz 200 before (got $(cat "$T/status"): $(cat "$T/body"))"; fi

# --- frozen, idle connection
kill -STOP "$REDIS_PID"
t0=$(now_ms)
if wait_for 8 health_says 503 "redis: unresponsive"; then ok "healthz 503 says unresponsive"; else
	not_ok "healthz 503 says unresponsive (got $(cat "$T/status"): $(cat "$T/body"))"; fi
t1=$(now_ms)
tq_slow || assert_ok "noticed within 5 s (took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000
metrics_scrape "$T/metrics" || true
assert_eq "teleqd_redis_responsive 0" 0 "$(metric_value "$T/metrics" teleqd_redis_responsive)"
# lines during the freeze: a commit waits for its reply
cat "$T/more" >>"$F"
sleep 1
assert_match "one warning when it went quiet" "^<4>redis: .* no reply for" "$(cat "$TQ_LOG")"
assert_eq "logged once" 1 "$(grep -c 'no reply for' "$TQ_LOG")"

# --- thawed
thaw
if wait_for 5 health_says 200 ok; then ok "healthz 200 after SIGCONT"; else
	not_ok "healthz 200 after SIGCONT (got $(cat "$T/status"): $(cat "$T/body"))"; fi
wait_events 1500 || true
assert_eq "the lines of the freeze counted exactly once" 1500 "$(events_total)"
wait_for 3 metric_is teleqd_redis_responsive 1 || true
assert_eq "teleqd_redis_responsive 1" 1 "$(metric_value "$T/metrics" teleqd_redis_responsive)"
assert_eq "recovery logged once" 1 "$(grep -c 'answers again' "$TQ_LOG")"
assert_eq "the connection was kept" 0 "$(grep -c 'reconnected' "$TQ_LOG")"
rc=0
tq_stop || rc=$?
assert_eq "clean stop" 0 "$rc"
done_testing
