#!/bin/sh
# t_follow.sh — which files a feed follows, across config changes and links
# (issue 16, items 2 and 5).
#
#   1. A reload (SIGHUP), then a restart, that points the feed at another
#      directory and back: the stored position of a file that still exists
#      is kept while no pattern matches it, and resumed when one does again
#      (its 1,000 lines counted once, no "dropping its stored position").
#   2. The feed file is a symlink into another directory, rotated faster
#      than rescan_interval_ms (60 s here: only inotify can see it): appends
#      are read at once, each rotated target is drained, every line counted
#      exactly once.
#   3. A file rotated out of the pattern while the daemon runs is drained
#      and finished; its position stays stored while the file exists, so a
#      reload that widens the pattern to the rotated names (SIGHUP, then a
#      restart) resumes it at its end instead of reading it again.
# The CSV feed has no ids, so a line read twice would show as a double.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
# 60 s: nothing below may depend on the safety-net rescan.
write_config max_delay_ms=20 rotate_wait_ms=1000 rescan_interval_ms=60000
cp "$CONF" "$T/base.yaml"
mkdir "$T/feeds2" "$T/export"
PRE=${CSV_GLOB%%\**}

# the config with the CSV feed's directory $T/feeds2
other_dir() {
	sed "s|\"$T/feeds/$PRE|\"$T/feeds2/$PRE|" "$T/base.yaml"
}
_reloads() {
	[ "$(grep -c 'configuration reloaded' "$TQ_LOG")" -ge "$1" ]
}

# 1 ------------------------------------------- another directory and back
F=$(csv_path one)
gen_csv "$F" 1000 --seed 1
tq_start
assert_ok "the file's 1,000 lines counted" wait_events 1000 15
wait_settled 0.3 10 || true
other_dir >"$CONF"
grep -q "$T/feeds2/" "$CONF" || bail "the feed path was not changed"
kill -HUP "$TQ_PID"
assert_ok "SIGHUP to another directory applied" wait_for 10 _reloads 1
cp "$T/base.yaml" "$CONF"
kill -HUP "$TQ_PID"
assert_ok "SIGHUP back applied" wait_for 10 _reloads 2
gen_csv "$F" 1 --seed 2 --append --no-header
assert_ok "SIGHUP away and back: the line appended since counted" wait_events 1001 10
wait_settled 0.5 10 || true
assert_eq "SIGHUP away and back: the file's lines counted once" 1001 "$(events_total)"
tq_stop

other_dir >"$CONF"
tq_start
wait_for 10 sh -c "grep -q 'redis ready' '$TQ_LOG'" || true
sleep 0.3
tq_stop
cp "$T/base.yaml" "$CONF"
tq_start
gen_csv "$F" 1 --seed 3 --append --no-header
assert_ok "restart away and back: the line appended since counted" wait_events 1002 10
wait_settled 0.5 10 || true
assert_eq "restart away and back: the file's lines counted once" 1002 "$(events_total)"
assert_no_match "no stored position of an existing file dropped" \
    "calls-one.*dropping its stored position" "$(cat "$TQ_LOG")"
assert_match "the kept position is logged" "outside every pattern" "$(cat "$TQ_LOG")"
tq_stop

# 2 ------------------------------------- a symlinked feed file, fast rotations
rm -f "$F"
rcli FLUSHALL >/dev/null
X=$T/export/calls.txt
L=$(csv_path link)
gen_csv "$X" 100 --seed 10
ln -s "$X" "$L"
: >"$TQ_LOG"
tq_start
assert_ok "through the link: the target's lines counted" wait_events 100 10
sleep 0.3
gen_csv "$X" 50 --seed 11 --append --no-header
# without inotify on the target's directory this waits for the 60 s rescan
assert_ok "through the link: an append seen at once (< 2 s)" wait_events 150 2
seed=20
want=150
for r in 1 2; do
	exec 3>>"$X"
	gen_csv "$T/chunk" 100 --seed $((seed += 1)) --no-header
	cat "$T/chunk" >&3
	mv "$X" "$X.$r"                 # rotated: the link names a missing file
	cat "$T/chunk" >&3              # the writer has not reopened yet
	exec 3>&-
	gen_csv "$X" 10000 --seed $((seed += 1))
	want=$((want + 10200))
	sleep 0.2                       # lives 0.2 s, far less than the rescan interval
done
assert_ok "fast rotations through the link: every line counted" wait_events "$want" 15
wait_settled 0.5 10 || true
assert_eq "fast rotations through the link: each line once" "$want" "$(events_total)"
tq_stop

# 3 ---------------------------- rotated out while running, then the glob widened
rm -f "$L" "$X" "$X".*
rcli FLUSHALL >/dev/null
cp "$T/base.yaml" "$CONF"
F=$(csv_path rot)
gen_csv "$F" 500 --seed 30
: >"$TQ_LOG"
tq_start
assert_ok "rotated while running: the file's lines counted" wait_events 500 10
mv "$F" "$F.1"                          # out of the pattern
gen_csv "$F" 10 --seed 31
assert_ok "rotated while running: the new file's lines counted" wait_events 510 10
# rotate_wait_ms is 1 s: the rotated file is finished after it
assert_ok "rotated while running: the rotated file finished" \
    wait_for 10 sh -c "grep -q '$(basename "$F"): finished' '$TQ_LOG'"
wait_settled 0.5 10 || true
GE=$(printf '%s' "$CSV_GLOB" | sed 's/[*.]/\\&/g')
sed "s|/$GE\"|/$CSV_GLOB*\"|" "$T/base.yaml" >"$CONF"
grep -qF "/$CSV_GLOB*\"" "$CONF" || bail "the glob was not widened"
kill -HUP "$TQ_PID"
assert_ok "the widened glob applied" wait_for 10 _reloads 1
gen_csv "$F.1" 1 --seed 32 --append --no-header
assert_ok "the widened glob: the line appended to the rotated file counted" wait_events 511 10
wait_settled 0.5 10 || true
assert_eq "the widened glob: the rotated file's lines counted once" 511 "$(events_total)"
tq_stop
tq_start
gen_csv "$F.1" 1 --seed 33 --append --no-header
assert_ok "restart with the widened glob: the appended line counted" wait_events 512 10
wait_settled 0.5 10 || true
assert_eq "restart with the widened glob: each line once" 512 "$(events_total)"
tq_stop

done_testing
