#!/bin/sh
# t_kill9.sh — kill -9 at random moments during a backfill: exactly once.
#
# About 200000 lines (two TeleQ logs without ids, two case feeds with ids and
# re-exported duplicates) are read by a daemon that is killed with SIGKILL,
# right after a random commit or at a random moment, five times (or more,
# until two kills hit mid-work), with more data appended between the
# rounds; then it runs to the end. Every day and month counter must equal a
# clean run's (FLUSHALL, `teleqd --once`) exactly, and an independent
# computation of the same files.
#
# KILL9_ROUNDS (default 5; TORTURE=1: 50) sets the number of rounds.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
KILLAT=${TQ_REAL_BUILD:-$BUILD}/tests/killat
[ -x "$KILLAT" ] || bail "$KILLAT missing: build with make integration"
[ "${TORTURE:-0}" = 1 ] && KILL9_ROUNDS=${KILL9_ROUNDS:-50}
ROUNDS=${KILL9_ROUNDS:-5}
redis_start
# Smaller commits than shipped (50000): more commit boundaries to kill at.
write_config max_events=10000

# Case dates lie in the last 200 days, inside the de-duplication window
# (window_days 400), so every duplicate must be caught whatever the batches.
recent=$(date -d '200 days ago' +%F)

gen_csv "$(csv_path k1)" 80000 --seed 31 --from 2024-01-01 --days 730
gen_csv "$(csv_path k2)" 80000 --seed 32 --from 2025-01-01 --days 400
gen_jsonl "$(jsonl_path k1)" 30000 --seed 33 --dups 20 --id-base 1 --from "$recent" --days 190
gen_jsonl "$(jsonl_path k2)" 10000 --seed 34 --dups 20 --id-base 1000000 --from "$recent" --days 190

# expected_events: CSV data lines plus distinct case ids.
expected_events() {
	_c=0
	for _f in "$T"/feeds/*; do
		case $_f in
		*.jsonl) ;;
		*) _c=$((_c + $(grep -c -v -F -x -e "$(printf '%s\r' "$CSV_HEADER")" "$_f"))) ;;
		esac
	done
	_j=$(cat "$T"/feeds/*.jsonl | grep -o '"case_id":"[^"]*"' | sort -u | wc -l)
	echo $((_c + _j))
}

# Kill moments, two kinds taking turns:
# - by commit (two rounds in three): killat (killat.c), polling the stats
#   field "commits" every 0.2 ms, sends the SIGKILL as soon as the daemon has
#   applied a random k of the n commits the unread lines need (k < n), so
#   the kill lands mid-work (usually with the next commit being built or in
#   flight) on a fast machine and a slow one, in a release, sanitizer or
#   valgrind build alike;
# - by time (every third round): uniform in [5 ms, the time the unread lines
#   should take], from a rate (lines per ms) that adapts (doubled after a
#   kill that came too late, halved after one that came too early). These
#   also hit the start: the handshake, the reload of positions and case
#   states.
# At least two kills must land in the middle of the work (rounds are added,
# up to 10, until they have), so a pass always means something.
kills_mid=0
rate=800
round=0
while [ $round -lt "$ROUNDS" ] || { [ $kills_mid -lt 2 ] && [ $round -lt $((ROUNDS + 10)) ]; }; do
	round=$((round + 1))
	want=$(expected_events)
	unread=$((want - $(events_total)))
	if [ $((round % 3)) = 0 ]; then
		ms=$(random_between 5 $((20 + unread / rate)))
		tq_spawn
		sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
		how="after $ms ms"
	else
		c0=$(rcli HGET "${KP}stats" commits)
		c0=${c0:-0}
		n=$((unread / 10000))
		k=$(random_between 1 $((n > 2 ? n - 1 : 1)))
		tq_spawn
		# Bounded: a daemon that stops short of the commit is killed below.
		"$KILLAT" "$SOCK" "${KP}stats" commits $((c0 + k)) "$TQ_PID" $(($(slow_secs 20) * 1000)) || true
		how="at commit $k of about $n"
	fi
	if [ $((round % 3)) = 0 ]; then
		if ! alive "$TQ_PID"; then
			wait "$TQ_PID" 2>/dev/null || true
			TQ_PID=
			bail "round $round: teleqd exited by itself within $ms ms (see its log)"
		fi
	else
		# The poller's SIGKILL or none (the process is then still running);
		# any other end is a crash.
		[ "$TQ_VALGRIND" = 1 ] && echo "$TQ_PID" >>"$VG_DIR/killed"
		kill -KILL "$TQ_PID" 2>/dev/null || true
		st=0
		wait "$TQ_PID" 2>/dev/null || st=$?
		TQ_PID=
		[ $st = 137 ] || bail "round $round: teleqd ended with status $st, not by SIGKILL (see its log)"
	fi
	tq_kill9
	n=$(events_total)
	diag "round $round: SIGKILL $how with $n of $want events committed"
	[ "$n" -gt $((want - unread)) ] && [ "$n" -lt "$want" ] && kills_mid=$((kills_mid + 1))
	case $how in
	after*)
		if [ "$n" -ge "$want" ]; then
			rate=$((rate * 2))
		elif [ "$n" -le $((want - unread)) ] && [ $rate -gt 100 ]; then
			rate=$((rate / 2))
		fi
		;;
	esac
	if [ "$n" -gt "$want" ]; then
		not_ok "round $round: more events committed ($n) than the files hold ($want)"
	fi
	# More data, so every round has work.
	gen_csv "$(csv_path k1)" 30000 --append --no-header --seed $((40 + round)) --from 2026-02-01 --days 28
	gen_jsonl "$(jsonl_path k2)" 5000 --append --seed $((60 + round)) --dups 20 \
		--id-base $((2000000 + round * 10000)) --from "$recent" --days 190
done
if [ $kills_mid -ge 2 ]; then
	ok "$kills_mid of $round kills landed in the middle of the work"
else
	not_ok "kills landed in the middle of the work ($kills_mid of $round): timing off, nothing proven"
fi

want=$(expected_events)
tq_start
assert_counted_once "after $round kills the restarted daemon counts every event once" "$want" 180 || true
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
dump_counters "$T/killed.txt"

assert_clean_run "$T/killed.txt" "$(csv_path k1)" "$(csv_path k2)" "$(jsonl_path k1)" "$(jsonl_path k2)"

done_testing
