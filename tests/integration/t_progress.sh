#!/bin/sh
# t_progress.sh — backfill progress of `teleqd --once`.
#
# A backfill of 300000 call lines (about 22 MiB) takes well under a
# second even in commits of 5000 events (60 of them), so the test shortens
# the progress interval with the test-only TELEQD_PROGRESS_INTERVAL_MS
# (default: 10 s log lines off a terminal, 0.5 s on one).
#
#   1. stderr not a terminal: "backfill: X of Y (P %), R events/s, B/s,
#      ETA T" (at the end "committing", "updating indicators", and last
#      "done in T") log lines whose total is the size of the feed, whose
#      bytes and percentages never go down and reach the end; the final line gives
#      the commits, events, elapsed time and rates.
#   2. the default interval (10 s) logs no progress line for a short run.
#   3. on a terminal (util-linux script(1) provides one): one line redrawn
#      with \r, with a percentage and an ETA, finished with "done in" and a
#      newline before the final log line; no syslog prefixes.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
command -v script >/dev/null || bail "script (util-linux) not installed"
redis_start
write_config max_events=5000

N=300000
F=$(csv_path backfill)
gen_csv "$F" $N --seed 21
SIZE=$(stat -c %s "$F")

# human BYTES: the size as teleqd writes it ("812 B", "3.4 KiB", "22 MiB").
human() {
	awk -v b="$1" 'BEGIN {
		split("B KiB MiB GiB TiB", u, " "); i = 1
		while (b >= 1024 && i < 5) { b /= 1024; i++ }
		if (i == 1) printf "%.0f B\n", b
		else if (b < 10) printf "%.1f %s\n", b, u[i]
		else printf "%.0f %s\n", b, u[i]
	}'
}

BYTES_RE='[0-9]+(\.[0-9])? (B|KiB|MiB|GiB|TiB)'
RATE_RE='[0-9]+(\.[0-9])?[kM]?'
DUR_RE='([0-9]+\.[0-9]s|[0-9]+m[0-9]{2}s|[0-9]+h[0-9]{2}m)'
PROGRESS_RE="^backfill: $BYTES_RE of $BYTES_RE \\([0-9]+ %\\), $RATE_RE events/s, $BYTES_RE/s, (ETA ($DUR_RE|\\?)|committing|updating indicators|done in $DUR_RE)\$"
SUMMARY_RE="^all feeds read: [0-9]+ commits?, $N events in $DUR_RE \\($RATE_RE events/s, $BYTES_RE/s\\)\$"

# ------------------------------------------------------ 1. not a terminal
rc=0
TELEQD_PROGRESS_INTERVAL_MS=20 tq_once || rc=$?
assert_eq "--once: exit status 0" 0 "$rc"
assert_eq "--once: every line counted" $N "$(events_total)"
sed 's/^<[0-9]>//' "$TQ_LOG" >"$T/log1"
grep '^backfill:' "$T/log1" | grep -v '^backfill: waiting for redis$' >"$T/progress" || true
n=$(wc -l <"$T/progress")
if [ "$n" -ge 2 ]; then
	ok "progress lines are logged ($n at 20 ms)"
else
	not_ok "progress lines are logged ($n at 20 ms)"
fi
assert_eq "every progress line has the documented format" "" \
	"$(grep -v -E -e "$PROGRESS_RE" "$T/progress" || true)"
assert_eq "the total is the size of the feed ($(human "$SIZE"))" "$(human "$SIZE")" \
	"$(sed 's/^backfill: .* of \(.*\) (.*/\1/' "$T/progress" | sort -u)"
# bytes and percentages never go down; some line is before the end, with an ETA
awk '
	function bytes(v, u) { return v * (u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : 1) }
	{
		b = bytes($2, $3)
		p = $7; sub(/^\(/, "", p)
		if (b < lb * 0.95 || p + 0 < lp + 0) { print "went down: " $0; bad = 1 }
		if (p + 0 > 100) { print "over 100 %: " $0; bad = 1 }
		lb = b; lp = p
	}
	END { exit bad }' "$T/progress" >"$T/progress.bad" || true
assert_eq "bytes read and percentages never go down" "" "$(cat "$T/progress.bad")"
assert_match "a line before the end shows a percentage below 100 and an ETA" \
	"\\(([0-9]|[1-9][0-9]) %\\), .* ETA $DUR_RE\$" "$(cat "$T/progress")"
assert_match "the last progress line is at 100 %" '\(100 %\)' "$(tail -n 1 "$T/progress")"
assert_match "the final line: commits, events, elapsed time and rates" "$SUMMARY_RE" "$(cat "$T/log1")"
assert_no_match "no terminal control characters in the log" "$(printf '[\r\033]')" "$(cat "$T/log1")"

# ------------------------------------------- 2. default interval, short run
rcli FLUSHALL >/dev/null
: >"$TQ_LOG"
rc=0
tq_once || rc=$?
assert_eq "--once again (flushed redis): exit status 0" 0 "$rc"
assert_eq "--once again: every line counted" $N "$(events_total)"
if tq_slow; then
	# the run may well last longer than 10 s here
	assert_eq "the final line once" 1 "$(grep -c 'all feeds read' "$TQ_LOG")"
	skip "a run shorter than 10 s logs no progress line" "$TQ_SLOW_WHY"
elif [ "$(grep -c 'all feeds read' "$TQ_LOG")" = 1 ] && ! grep -q 'backfill: [0-9]' "$TQ_LOG"; then
	ok "a run shorter than 10 s logs no progress line, the final line once"
else
	not_ok "a run shorter than 10 s logs no progress line, the final line once"
	diag_file "$TQ_LOG"
fi

# --------------------------------------------------------- 3. a terminal
rcli FLUSHALL >/dev/null
rc=0
timeout -k 5 120 script -qec "env TELEQD_PROGRESS_INTERVAL_MS=20 '$TELEQD' -c '$CONF' --once" /dev/null \
	</dev/null >"$T/tty.out" 2>&1 || rc=$?
assert_eq "on a terminal: exit status 0" 0 "$rc"
assert_eq "on a terminal: every line counted" $N "$(events_total)"
# The terminal turns \n into \r\n; each redraw starts with \r.
tr -d '\033' <"$T/tty.out" | sed 's/\[K//g' | tr '\r' '\n' | grep -v '^$' >"$T/tty.lines"
assert_match "on a terminal: a redrawn line with a percentage and an ETA" \
	"^backfill: $BYTES_RE of $BYTES_RE \\([0-9]+ %\\), .*, ETA $DUR_RE\$" "$(cat "$T/tty.lines")"
assert_match "on a terminal: the last redraw says done in" \
	"^backfill: .* \\(100 %\\), .*, done in $DUR_RE\$" "$(grep '^backfill:' "$T/tty.lines" | tail -n 1)"
assert_ok "on a terminal: the progress line is ended by a newline before the final line" \
	grep -q -E "done in $DUR_RE$(printf '\033')\\[K$(printf '\r')$(printf '\r')?\$" "$T/tty.out"
assert_match "on a terminal: the final line on a line of its own" "$SUMMARY_RE" \
	"$(tr -d '\r' <"$T/tty.out")"
assert_no_match "on a terminal: no syslog prefixes" '^<[0-9]>' "$(cat "$T/tty.lines")"
redraws=$(grep -c '^backfill: ' "$T/tty.lines" || true)
if [ "$redraws" -ge 2 ]; then
	ok "on a terminal: the line is redrawn in place ($redraws times)"
else
	not_ok "on a terminal: the line is redrawn in place ($redraws times)"
fi

done_testing
