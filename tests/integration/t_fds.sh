#!/bin/sh
# t_fds.sh — more feed files than file descriptors (issue 14.4).
#
# Under `ulimit -n 128` (soft and hard: teleqd cannot raise it; its budget
# is 64 open files) a directory of 600 call logs:
#   1. --once reads every line of every file and exits 0;
#   2. followed live, files closed to stay within the budget are reopened
#      when they grow, found by inode when rotated (rename + create) while
#      closed, and a file deleted while closed is logged as such;
#   3. the counters are exact at the end.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config batch_max_delay_ms=50 rotate_wait_ms=500
NFILES=600
ulimit -n 128

i=0
while [ $i -lt $NFILES ]; do
	gen_csv "$(csv_path "f$i")" 10 --seed $((i + 1)) --from 2026-10-01 --days 30
	i=$((i + 1))
done
want=$((NFILES * 10))

# 1 ---------------------------------------------------------------- --once
rc=0
tq_once || rc=$?
assert_eq "--once under ulimit -n 128: exit 0" 0 "$rc"
assert_eq "--once: every line of the $NFILES files counted" "$want" "$(events_total)"
assert_match "--once: the budget is said once" "more files than the open-file budget \\(64" \
    "$(cat "$TQ_LOG")"

# 2 ------------------------------------------------------------------ live
: >"$TQ_LOG"
tq_start
sleep 1
# grow 100 files, most of them closed by now
i=0
while [ $i -lt 100 ]; do
	gen_csv "$(csv_path "f$((i * 5))")" 5 --seed $((1000 + i)) --from 2026-10-01 --days 30 \
	    --append --no-header
	i=$((i + 1))
done
want=$((want + 500))
wait_events "$want" 60 || true
assert_eq "live: lines appended to closed files counted" "$want" "$(events_total)"

# rotate 50 files by rename + create; the writer adds 2 lines to each old one
i=0
while [ $i -lt 50 ]; do
	f=$(csv_path "f$((i * 7 + 1))")
	mv "$f" "$f.1"
	gen_csv "$f.1" 2 --seed $((2000 + i)) --from 2026-10-01 --days 30 --append --no-header
	gen_csv "$f" 3 --seed $((3000 + i)) --from 2026-10-01 --days 30
	i=$((i + 1))
done
want=$((want + 50 * 5))
wait_events "$want" 60 || true
assert_eq "live: rotated files drained and new ones read" "$want" "$(events_total)"

# delete 10 files nobody writes to any more
i=0
while [ $i -lt 10 ]; do
	rm -f "$(csv_path "f$((i * 11 + 3))")"
	i=$((i + 1))
done
wait_for 20 sh -c "grep -c 'while closed (teleqd holds at most' '$TQ_LOG' | grep -q -E '^([1-9][0-9]+|[1-9])$'" || true
assert_match "live: a file deleted while closed is logged" \
    "deleted or moved out of .* while closed" "$(cat "$TQ_LOG")"
assert_eq "live: nothing counted twice" "$want" "$(events_total)"
tq_stop
done_testing
