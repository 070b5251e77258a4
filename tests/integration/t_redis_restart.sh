#!/bin/sh
# t_redis_restart.sh — Redis dies mid-stream and comes back: nothing lost,
# nothing doubled.
#
# Redis runs with AOF (appendfsync always), so whatever it acknowledged
# survives a SIGKILL. While lines are being appended, Redis is killed with
# SIGKILL and restarted from its AOF; later it is stopped cleanly for a few
# seconds. The daemon must keep running, pause, reconnect, rewind to the
# positions Redis actually holds, and end with exactly the counters of an
# undisturbed run.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
AOF="--appendonly yes --appendfsync always"
# shellcheck disable=SC2086
redis_start $AOF
write_config
recent=$(date -d '200 days ago' +%F)

F=$(csv_path r)
J=$(jsonl_path r)
printf '%s\r\n' "$CSV_HEADER" >"$F"
: >"$J"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	gen_csv "$T/c$i" 10000 --no-header --seed $((200 + i)) --from 2025-11-01 --days 120
	gen_jsonl "$T/j$i" 2000 --seed $((300 + i)) --dups 20 --id-base $((i * 100000)) \
		--from "$recent" --days 190
done

# expected_events: CSV data lines plus distinct case ids appended so far.
expected_events() {
	echo $(($(wc -l <"$F") - 1 + $(grep -o '"case_id":"[^"]*"' "$J" | sort -u | wc -l)))
}

# append FIRST LAST [PAUSE]: chunks FIRST..LAST, PAUSE seconds apart.
append() {
	i=$1
	while [ "$i" -le "$2" ]; do
		cat "$T/c$i" >>"$F"
		cat "$T/j$i" >>"$J"
		sleep "${3:-0.1}"
		i=$((i + 1))
	done
}

tq_start
append 1 2
wait_events "$(expected_events)" 20 || true

# --- SIGKILL while lines keep arriving, back after 1.5 s (AOF)
append 3 8 0.1 &
writer=$!
sleep 0.25
before=$(events_total)
redis_kill
diag "redis killed with $before events committed"
sleep 1.5
assert_ok "the daemon keeps running while Redis is down" alive "$TQ_PID"
# shellcheck disable=SC2086
redis_start $AOF
after=$(events_total)
assert_ok "Redis restarted from its AOF keeps what it acknowledged ($after >= $before)" \
	[ "$after" -ge "$before" ]
wait "$writer"
want=$(expected_events)
assert_counted_once "after the crash every event is counted exactly once" "$want" 60 || true

# --- a clean stop of 3 s while lines arrive
redis_stop
append 9 12 0.2
assert_ok "the daemon keeps running while Redis is stopped" alive "$TQ_PID"
sleep 1
# shellcheck disable=SC2086
redis_start $AOF
want=$(expected_events)
assert_counted_once "lines that arrived while Redis was stopped are counted once" "$want" 60 || true

# --- SIGKILL right in a burst: 50000 lines at once, Redis killed 20 ms later
gen_csv "$T/burst" 50000 --no-header --seed 400 --from 2026-01-01 --days 59
cat "$T/burst" >>"$F"
sleep 0.02
diag "redis killed during a burst: $(events_total) of $(expected_events) events committed"
redis_kill
sleep 0.5
# shellcheck disable=SC2086
redis_start $AOF
want=$(expected_events)
assert_counted_once "a crash in the middle of a burst loses and doubles nothing" "$want" 60 || true
assert_ok "the daemon is still running" alive "$TQ_PID"
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
dump_counters "$T/disturbed.txt"

assert_clean_run "$T/disturbed.txt" "$F" "$J"

done_testing
