#!/bin/sh
# t_faults_redis.sh — Redis unreachable, stalled and out of memory.
#
#   1. teleqd starts first, Redis DOWN_S (3) seconds later: every line is
#      counted once, within 1 s of Redis answering.
#   2. Redis stalls: a Lua script busy-loops for STALL_S (3) seconds while a
#      writer appends RATE lines per second per feed and a burst of BURST
#      lines lands: nothing lost or doubled, the daemon's memory stays bounded
#      (VmRSS sampled every 100 ms; growth at most RSS_BOUND_MB, 32 MiB, far
#      below the bytes appended meanwhile: the files are the buffer), and
#      commits resume within 1 s of the end of the stall. A stall longer than
#      Redis' busy-reply-threshold (5 s; torture) also gets commits refused
#      with BUSY, which teleqd must survive by rereading.
#   3. Redis out of memory (maxmemory 64 KiB above what it uses, noeviction)
#      while lines arrive:
#      commits are refused whole, nothing is half-applied; once memory is
#      given back every line is counted once.
# Every phase ends with the counters compared with an independent computation.
#
# Environment: DOWN_S, STALL_S, RATE, BURST, RSS_BOUND_MB; TORTURE=1 makes
# the stall 10 s and the burst 2 million lines (150 MiB).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
if [ "${TORTURE:-0}" = 1 ]; then
	STALL_S=${STALL_S:-10}
	BURST=${BURST:-2000000}
	DOWN_S=${DOWN_S:-5}
fi
DOWN_S=${DOWN_S:-3}
STALL_S=${STALL_S:-3}
RATE=${RATE:-20000}
BURST=${BURST:-300000}
RSS_BOUND_MB=${RSS_BOUND_MB:-32}
WRITER="$TQ_ROOT/tests/integration/faults_writer.py"
# Latency checks are skipped under TQ_SLOW (valgrind; see lib.sh).
slow() { type tq_slow >/dev/null 2>&1 && tq_slow; }

write_config window_days=3660
recent=2026-01-01

# check_counters DESCRIPTION: counters equal the independent computation.
check_counters() {
	dump_counters "$T/got.txt"
	oracle_dump "$T/want.txt" "$T"/feeds/*
	assert_files_equal "$1" "$T/want.txt" "$T/got.txt"
}
want_events() {
	oracle_dump "$T/want.txt" "$T"/feeds/*
	awk '$1 ~ /}:month:/ { s += $3 } END { printf "%d\n", s }' "$T/want.txt"
}
rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$TQ_PID/status" 2>/dev/null || echo 0
}
# ms_since T0: milliseconds since now_ms T0.
ms_since() {
	echo $(($(now_ms) - $1))
}

# ----------------------------------------- 1. Redis unreachable at start
gen_csv "$(csv_path a)" 20000 --seed 81 --from "$recent" --days 90
gen_jsonl "$(jsonl_path a)" 5000 --seed 82 --dups 20 --id-base 1 --from "$recent" --days 90
tq_start
sleep 1
gen_csv "$(csv_path a)" 5000 --append --no-header --seed 83 --from 2026-03-01 --days 30
sleep "$((DOWN_S - 1))"
assert_ok "the daemon runs while Redis is unreachable" alive "$TQ_PID"
assert_match "and says so" 'redis: cannot connect to unix:.*retrying' "$(cat "$TQ_LOG")"
want=$(want_events)
redis_start
t0=$(now_ms)
if wait_for 10 _events_are "$want"; then
	lat=$(ms_since "$t0")
	diag "figure: redis_late_start_ms $lat"
	if slow; then
		skip "Redis up after $DOWN_S s: all $want events counted within 1 s" "$TQ_SLOW_WHY"
	else
		assert_ok "Redis up after $DOWN_S s: all $want events counted within 1 s (${lat} ms)" [ "$lat" -le 1000 ]
	fi
else
	not_ok "Redis up after $DOWN_S s: all $want events counted (counted $(events_total))"
fi
wait_settled 0.5 10 || true
check_counters "late Redis: counters equal the independent computation"

# ----------------------------------------- 2. Redis stalls
B=$(csv_path b)
BJ=$(jsonl_path b)
"$PY" "$WRITER" --csv "$B" --jsonl "$BJ" --rate "$RATE" --split --stop-file "$T/stop.b" \
	--count-file "$T/count.b" --id-prefix ST &
WRITER_PID=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $WRITER_PID"
sleep 1
gen_csv "$T/burst" "$BURST" --seed 84 --from 2025-06-01 --days 200
# feed_bytes: the bytes in the feed files now.
feed_bytes() {
	cat "$T"/feeds/* | wc -c
}
bytes0=$(feed_bytes)
rss0=$(rss_kb)
# A script that busy-loops for STALL_S seconds: Redis serves no one meanwhile.
rcli EVAL "local t0 = redis.call('TIME') local s = t0[1] * 1000000 + t0[2]
	while true do local t = redis.call('TIME')
	if t[1] * 1000000 + t[2] - s >= $STALL_S * 1000000 then return 1 end end" 0 \
	>"$T/stall.out" 2>&1 &
STALL_PID=$!
sleep 0.2
mv "$T/burst" "$(csv_path burst)"    # a new file, during the stall
rss_max=$rss0
while alive "$STALL_PID"; do
	r=$(rss_kb)
	[ "$r" -gt "$rss_max" ] && rss_max=$r
	sleep 0.1
done
wait "$STALL_PID" || true
t_end=$(now_ms)
appended_mb=$((($(feed_bytes) - bytes0) / 1048576))
assert_eq "the stall script ran to its end" 1 "$(cat "$T/stall.out")"
# The first commit the daemon sends after the stall (stats last_commit_ms is
# the daemon's clock when it sent the commit).
_committed_after() {
	_l=$(rcli HGET "${KP}stats" last_commit_ms)
	[ -n "$_l" ] && [ "$_l" -ge "$t_end" ]
}
if wait_for 10 _committed_after; then
	resume=$(($(rcli HGET "${KP}stats" last_commit_ms) - t_end))
	diag "figure: redis_stall_resume_ms $resume"
	if slow; then
		skip "commits resume within 1 s after a ${STALL_S} s stall" "$TQ_SLOW_WHY"
	else
		assert_ok "commits resume within 1 s after a ${STALL_S} s stall (${resume} ms)" [ "$resume" -le 1000 ]
	fi
else
	not_ok "commits resume after the stall"
fi
growth=$(((rss_max - rss0) / 1024))
diag "figure: redis_stall_rss_kib before $rss0 max $rss_max bound_mib $RSS_BOUND_MB appended_mib $appended_mb"
slow && RSS_BOUND_MB=$((RSS_BOUND_MB * 8))     # valgrind's own memory
assert_ok "RSS bounded during the stall: +${growth} MiB <= ${RSS_BOUND_MB} MiB while ${appended_mb} MiB were appended" \
	[ "$growth" -le "$RSS_BOUND_MB" ]
assert_ok "the daemon survived the stall" alive "$TQ_PID"
touch "$T/stop.b"
wait "$WRITER_PID" || bail "the writer failed"
want=$(want_events)
t1=$(now_ms)
if assert_counted_once "after the stall every event is counted once" "$want" 120; then
	diag "figure: redis_stall_catchup_ms $(ms_since "$t1")"
fi
check_counters "stall: counters equal the independent computation"
if [ "$STALL_S" -gt 5 ]; then
	assert_match "a stall past busy-reply-threshold: commits refused with BUSY, reread" \
		'BUSY|commit failed' "$(cat "$TQ_LOG")"
fi

# ----------------------------------------- 3. Redis out of memory
used=$(rcli INFO memory | awk -F: '$1 == "used_memory" { print $2 + 0 }')
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
rcli CONFIG SET maxmemory "$((used + 65536))" >/dev/null
C=$(csv_path c)
CJ=$(jsonl_path c)
"$PY" "$WRITER" --csv "$C" --jsonl "$CJ" --rate 5000 --seconds 2 --id-prefix OM \
	--start-day 2026-02-01 --days 28 || bail "the writer failed"
sleep 1
assert_match "commits are refused while Redis is out of memory" 'OOM|out of memory|maxmemory' \
	"$(cat "$TQ_LOG")"
assert_ok "the daemon runs on" alive "$TQ_PID"
rcli CONFIG SET maxmemory 0 >/dev/null
want=$(want_events)
t1=$(now_ms)
if assert_counted_once "after the out-of-memory period every event is counted once" "$want" 60; then
	diag "figure: redis_oom_recovery_ms $(ms_since "$t1")"
fi
check_counters "out of memory: counters equal the independent computation"
assert_eq "day hashes agree with month hashes" "$(events_total)" "$(day_events_total)"
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
done_testing
