#!/bin/sh
# t_reload.sh — SIGHUP and SIGTERM.
#
# SIGHUP re-reads the config. A valid new config takes effect without losing
# or re-reading a line: a feed added is followed (from its files' start), a
# feed removed stops being read, and when it comes back its file resumes at
# its committed position; a changed target shows in the indicator hashes.
# An invalid config is logged with file:line:col and the running one keeps
# working. What is applied is the file as checked at the SIGHUP, also when the
# rebuild waits for a commit and the file changes meanwhile. SIGTERM: the
# daemon exits 0 within 2 s, also while lines stream in.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config max_delay_ms=20
cp "$CONF" "$T/base.yaml"

# with_second_feed: the config plus a second TeleQ feed "teleq2" (calls2-*.txt).
with_second_feed() {
	awk '
		/^  - name: teleq$/ { grab = 1 }
		grab && /^  - name: / && !/^  - name: teleq$/ { grab = 0 }
		grab && /^  # Case intake/ { grab = 0 }
		grab { blk = blk $0 "\n" }
		/^  - name: cases$/ && !done {
			b = blk
			sub(/name: teleq\n/, "name: teleq2\n", b)
			gsub(/calls-\*\.txt/, "calls2-*.txt", b)
			printf "%s", b
			done = 1
		}
		{ print }' "$T/base.yaml"
}

F1=$(csv_path one)
F2=$T/feeds/calls2-two.txt
printf '%s\r\n' "$CSV_HEADER" >"$F1"
printf '%s\r\n' "$CSV_HEADER" >"$F2"
csv_line 2026-03-02 08:00:00 >>"$F1"
csv_line 2026-03-02 08:00:00 >>"$F2"

tq_start
assert_ok "the first feed's line is counted" wait_events 1 10
sleep 0.3
assert_eq "calls2-*.txt is not followed yet" 1 "$(events_total)"

# --- add a feed
with_second_feed >"$CONF"
"$TELEQD" -n -c "$CONF" >/dev/null || bail "the two-feed config is invalid: $("$TELEQD" -n -c "$CONF" 2>&1)"
kill -HUP "$TQ_PID"
assert_ok "after SIGHUP the added feed is read from its start" wait_events 2 10
assert_match "the reload is logged" 'configuration reloaded: 4 feeds' "$(cat "$TQ_LOG")"
csv_line 2026-03-02 08:01:00 >>"$F1"
csv_line 2026-03-02 08:01:00 >>"$F2"
assert_ok "both feeds follow new lines" wait_events 4 10

# --- remove it: its new lines are not read; the other feed goes on
cp "$T/base.yaml" "$CONF"
kill -HUP "$TQ_PID"
_reloaded_twice() {
	[ "$(grep -c 'configuration reloaded' "$TQ_LOG")" -ge 2 ]
}
assert_ok "the second reload is applied" wait_for 10 _reloaded_twice
csv_line 2026-03-02 08:02:00 >>"$F2"
csv_line 2026-03-02 08:02:00 >>"$F1"
assert_ok "the remaining feed still counts" wait_events 5 10
sleep 0.5
assert_eq "the removed feed's new line is not counted" 5 "$(events_total)"

# --- add it back: it resumes at its committed position (one new line, none twice)
with_second_feed >"$CONF"
kill -HUP "$TQ_PID"
assert_ok "re-added: exactly the line written meanwhile is counted" wait_events 6 10
sleep 0.5
assert_eq "and nothing is read twice" 6 "$(events_total)"

# --- a changed target reaches the indicator hashes
ind_target() {
	rcli HGET "${KP}ind:analog_patient_contacts:2026-03" target
}
_target_75() {
	[ "$(ind_target)" = 0.7500 ]
}
assert_ok "the indicator hash holds the shipped target 0.75" wait_for 5 _target_75
sed 's/target: ">= 75%"/target: ">= 60%"/' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
grep -q '">= 60%"' "$CONF" || bail "could not change the target in the test config"
kill -HUP "$TQ_PID"
_target_60() {
	[ "$(ind_target)" = 0.6000 ]
}
assert_ok "after SIGHUP the new target (60 %) is in the indicator hash" wait_for 10 _target_60

# --- an invalid config: logged with file:line:col, the old one keeps running
printf 'feeds:\n  - name: [broken\n' >"$CONF"
kill -HUP "$TQ_PID"
_refused() {
	grep -q "reload: $CONF:[0-9]*:[0-9]*: .*keeping the running configuration" "$TQ_LOG"
}
assert_ok "an invalid config is logged with file:line:col and refused" wait_for 5 _refused
assert_ok "the daemon still runs" alive "$TQ_PID"
csv_line 2026-03-02 08:03:00 >>"$F1"
csv_line 2026-03-02 08:03:00 >>"$F2"
assert_ok "and still follows both feeds" wait_events 8 10

# --- what is applied is what SIGHUP checked, even when the file changes
# before the rebuild: a commit waiting for a frozen Redis defers the rebuild,
# the file turns invalid meanwhile, and the checked (three-feed) config is
# applied once Redis answers; F2's line is then not followed
cp "$T/base.yaml" "$CONF"
kill -STOP "$REDIS_PID"
csv_line 2026-03-02 08:04:00 >>"$F1"
sleep 0.5       # the line is read; its commit waits for the frozen Redis
kill -HUP "$TQ_PID"
_requested() {
	[ "$(grep -c 'reload requested' "$TQ_LOG")" -ge 5 ]
}
wait_for 5 _requested || true
printf 'feeds:\n  - name: [broken\n' >"$CONF"
kill -CONT "$REDIS_PID"
_applied_3() {      # the first was the reload to base.yaml above
	[ "$(grep -c 'configuration reloaded: 3 feeds' "$TQ_LOG")" -ge 2 ]
}
assert_ok "the config checked at SIGHUP is applied, not the file changed since" wait_for 10 _applied_3
assert_eq "the invalid file was never read again" 1 "$(grep -c 'keeping the running configuration' "$TQ_LOG")"
csv_line 2026-03-02 08:04:00 >>"$F2"
assert_ok "the line of the frozen commit is counted" wait_events 9 10
sleep 0.5
assert_eq "the dropped feed's line is not" 9 "$(events_total)"

# --- SIGTERM while lines stream in: exit 0 within 2 s, nothing lost at the next start
with_second_feed >"$CONF"
( i=0; while [ $i -lt 400 ]; do csv_line 2026-03-04 "$(printf '10:%02d:%02d' $((i / 60)) $((i % 60)))" >>"$F1"; i=$((i + 1)); done ) &
W=$!
sleep 0.05
t0=$(now_ms)
kill -TERM "$TQ_PID"
wait_for 5 _not_alive "$TQ_PID" || true
t1=$(now_ms)
rc=0
wait "$TQ_PID" || rc=$?
TQ_PID=
wait $W || true
assert_eq "SIGTERM: exit status 0" 0 "$rc"
assert_faster "SIGTERM: exited within 2 s" $((t1 - t0)) 2000
tq_start
# 410: the 400 streamed, and F2's line written while it was not followed
assert_ok "after a restart every streamed line is counted exactly once" wait_events 410 20
sleep 0.5
assert_eq "and no more" 410 "$(events_total)"
assert_ok "stopped" tq_stop
done_testing
