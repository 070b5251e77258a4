#!/bin/sh
# t_once.sh — `teleqd --once` as a batch job: it never hangs and says how it ended.
#
#   1. Redis unreachable: exit 1 after --wait-redis seconds (here 1; the
#      check runs with the 2 s status tick), with a log line that says so.
#   2. SIGTERM before the run is done: exit 143 (128 + 15), not 0.
#   3. A bad --wait-redis value: usage error, exit 2.
#   4. Redis back: the rerun reads everything, counted once.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config
F=$(csv_path once)
gen_csv "$F" 2000 --seed 7
redis_stop

# 1 ------------------------------------------------------------ no Redis
start=$(now_ms)
rc=0
tq_once --wait-redis 1 || rc=$?
el=$(($(now_ms) - start))
assert_eq "no redis: --once exits 1" 1 "$rc"
if [ "$el" -ge 1000 ] && [ "$el" -le "$(slow_secs 10)000" ]; then
	ok "no redis: it gave up after $el ms (--wait-redis 1, checked every 2 s)"
else
	not_ok "no redis: it gave up after $el ms"
fi
assert_match "no redis: the log says it gave up" "no redis for 1 s; giving up" "$(cat "$TQ_LOG")"

# 2 -------------------------------------------------------------- SIGTERM
: >"$TQ_LOG"
"$TELEQD" -c "$CONF" --once </dev/null >>"$TQ_LOG" 2>&1 &
pid=$!
TQ_EXTRA_PIDS="${TQ_EXTRA_PIDS:-} $pid"
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "SIGTERM during --once: exit 143" 143 "$rc"

# 3 ------------------------------------------------------------ bad value
rc=0
"$TELEQD" -c "$CONF" --once --wait-redis 0 >/dev/null 2>"$T/usage.err" || rc=$?
assert_eq "--wait-redis 0: exit 2" 2 "$rc"
assert_match "--wait-redis 0: says what it wants" "wants seconds" "$(cat "$T/usage.err")"

# 4 ---------------------------------------------------------- Redis back
redis_start
rc=0
tq_once --wait-redis 5 || rc=$?
assert_eq "redis back: --once exits 0" 0 "$rc"
assert_eq "redis back: every line counted once" 2000 "$(events_total)"
done_testing
