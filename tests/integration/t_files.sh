#!/bin/sh
# t_files.sh — exactly once whatever exporters and logrotate do to the files
# (issue 14): real files on the machine's file system, a real redis-server,
# real logrotate.
#
#   1. Inode reuse behind a CSV header longer than the head fingerprint: a
#      file deleted while teleqd is stopped, a new one (another name, the
#      same header) that gets the same inode: read from 0, said at notice
#      level. Then the same file rewritten in place (same inode, same head):
#      read from 0 again.
#   2. copytruncate with the shipped logrotate example: the exporter goes on
#      appending rows without a header; every row is counted.
#   3. A quote opening a field and never closed, then 100 good lines, at the
#      end of a file: --once frames its line alone (bad_csv), counts the
#      rest and exits 0.
#   4. start_at: end applies to the feed's very first start only: stopped,
#      rotated (rename + create), 20 lines in the new file: all counted.
#   5. A final line without a newline: --once names the file and exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config batch_max_delay_ms=50 rotate_wait_ms=300

# A header of more than 1 KiB: the call log's columns and 120 more.
WIDE_HEADER=$CSV_HEADER
EMPTY_COLS=
i=0
while [ $i -lt 120 ]; do
	WIDE_HEADER="$WIDE_HEADER;Extrakolumn_$i"
	EMPTY_COLS="$EMPTY_COLS;"
	i=$((i + 1))
done

# wide_rows FILE N DAY: N rows of day DAY (2026-MM-DD), seconds apart, appended.
wide_rows() {
	awk -v n="$2" -v d="$3" -v q="$QUEUE" -v e="$EMPTY_COLS" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%s;%02d:%02d:%02d;%s;Bokad;00:01:30;070-5550101;19700101-1234%s\r\n",
			    d, 8 + int(i / 3600) % 10, int(i / 60) % 60, i % 60, q, e
	}' >>"$1"
}

# fresh: no daemon, no counters, no feed files.
fresh() {
	tq_stop || true
	rcli FLUSHALL >/dev/null
	rm -f "$T"/feeds/*
}

inode() {
	stat -c %i "$1"
}

# 1 ---------------------------------------------------------- inode reuse
A=$(csv_path a)
printf '%s\r\n' "$WIDE_HEADER" >"$A"
wide_rows "$A" 300 2026-11-02
tq_start
wait_events 300 || not_ok "inode reuse: the first file was not counted ($(events_total))"
tq_stop
old_ino=$(inode "$A")
rm -f "$A"
B=$(csv_path b)
printf '%s\r\n' "$WIDE_HEADER" >"$B"
wide_rows "$B" 800 2026-11-03
if [ "$(inode "$B")" = "$old_ino" ]; then
	ok "inode reuse: the new file got the deleted file's inode ($old_ino)"
else
	diag "this file system gave the new file another inode: the rewrite below covers the check"
	ok "inode reuse: not reproduced by this file system (rewrite in place follows)"
fi
: >"$TQ_LOG"
tq_start
wait_events 1100 || true
assert_eq "inode reuse: old 300 + new 800 lines counted" 1100 "$(events_total)"
assert_eq "inode reuse: day 2026-11-03 has all 800" 800 "$(hash_sum "${KP}day:2026-11-03")"
if [ "$(inode "$B")" = "$old_ino" ]; then
	assert_match "inode reuse: logged at notice level" \
	    '<5>.*calls-b.txt: the stored position .* does not match the file' "$(cat "$TQ_LOG")"
fi
tq_stop

# The same file rewritten in place: same inode, same head, other rows.
: >"$B.new"
printf '%s\r\n' "$WIDE_HEADER" >"$B.new"
wide_rows "$B.new" 900 2026-11-04
cat "$B.new" >"$B"      # O_TRUNC on the same inode
rm -f "$B.new"
: >"$TQ_LOG"
tq_start
wait_events 2000 || true
assert_eq "rewrite in place behind the same head: 900 new lines counted" 900 \
    "$(hash_sum "${KP}day:2026-11-04")"
assert_eq "rewrite in place: nothing else counted again" 2000 "$(events_total)"
assert_match "rewrite in place: logged at notice level" \
    '<5>.*calls-b.txt: the stored position .* does not match the file' "$(cat "$TQ_LOG")"

# And while followed: rewritten in place again, larger, same head.
printf '%s\r\n' "$WIDE_HEADER" >"$B.new"
wide_rows "$B.new" 1000 2026-11-05
cat "$B.new" >"$B"
rm -f "$B.new"
wait_events 3000 || true
assert_eq "rewrite while followed: 1000 new lines counted" 1000 "$(hash_sum "${KP}day:2026-11-05")"
assert_match "rewrite while followed: logged at notice level" \
    '<5>.*calls-b.txt: (rewritten|truncated)' "$(cat "$TQ_LOG")"

# 2 --------------------------------------------- copytruncate, real logrotate
fresh
C=$(csv_path c)
sed -e "s|/var/log/teleq/calls-\*.txt /var/log/eservice/cases-\*.jsonl|$T/feeds/calls-*.txt|" \
    -e '/^[ \t]*su /d' -e '/dateext/d' -e '/dateformat/d' -e '/compress/d' \
    -e 's/notifempty/ifempty/' "$TQ_ROOT/conf/logrotate/teleq-copytruncate" >"$T/logrotate.conf"
grep -q copytruncate "$T/logrotate.conf" || bail "the logrotate example lost copytruncate"
printf '%s\r\n' "$CSV_HEADER" >"$C"
: >"$TQ_LOG"
tq_start
want=0
for round in 1 2 3 4; do
	# the exporter: rows only, the header was written once at the file's creation
	gen_csv "$C" 1500 --seed "$round" --append --no-header
	want=$((want + 1500))
	wait_events "$want" || not_ok "copytruncate round $round: $(events_total) of $want counted"
	logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" ||
	    bail "logrotate failed"
done
gen_csv "$C" 1500 --seed 9 --append --no-header
want=$((want + 1500))
wait_events "$want" || true
assert_eq "copytruncate: every row written after each truncation counted" "$want" "$(events_total)"
assert_eq "copytruncate: nothing rejected" 0 "$(rejects_total)"
assert_eq "copytruncate: logrotate made the copies" 4 "$(ls "$T"/feeds/calls-c.txt.* | wc -l)"
assert_match "copytruncate: the truncation was noticed" 'calls-c.txt: (truncated|rewritten)' \
    "$(cat "$TQ_LOG")"
tq_stop

# ... and with teleqd stopped: the header is gone from the file; the feed's
# last header (committed with its start marker, as numbers) is used, also
# after a restart that resumes the headerless file past its first record.
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" || bail "logrotate failed"
gen_csv "$C" 700 --seed 10 --append --no-header
want=$((want + 700))
rm -f "$T"/feeds/calls-c.txt.*         # no other file of the feed teaches a header
tq_start
wait_events "$want" || true
tq_stop
gen_csv "$C" 300 --seed 11 --append --no-header
want=$((want + 300))
tq_start
wait_events "$want" || true
assert_eq "copytruncate while stopped: the rows after it counted, also after a restart" \
    "$want" "$(events_total)"
assert_eq "copytruncate while stopped: nothing rejected" 0 "$(rejects_total)"
tq_stop

# 3 ---------------------------------------------- a stray quote at the end
fresh
D=$(csv_path d)
{
	printf '%s\r\n' "$CSV_HEADER"
	csv_line 2026-11-06 08:00:00
	printf '"070-2;Bokad\r\n'
	i=0
	while [ $i -lt 100 ]; do
		csv_line 2026-11-06 "09:00:$(printf %02d $((i % 60)))"
		i=$((i + 1))
	done
} >"$D"
: >"$TQ_LOG"
rc=0
tq_once || rc=$?
assert_eq "open quote at the end: --once exits 0" 0 "$rc"
assert_eq "open quote at the end: the 101 good lines counted" 101 "$(events_total)"
assert_eq "open quote at the end: its line alone rejected as bad_csv" 1 "$(rejects "$CSV_FEED" bad_csv)"
assert_eq "open quote at the end: every byte consumed" "$(stat -c %s "$D")" \
    "$(rcli HGETALL "${KP}files" | paste - - | awk -F'\t' '$2 ~ /calls-d.txt$/ { print $2 + 0 }')"

# 4 ------------------------------------------- start_at: end, first start only
fresh
write_config batch_max_delay_ms=50 rotate_wait_ms=300 start_at=end
E=$(csv_path e)
printf '%s\r\n' "$CSV_HEADER" >"$E"
gen_csv "$E" 50 --seed 3 --append --no-header
: >"$TQ_LOG"
tq_start
wait_for 10 sh -c "[ \"\$(redis-cli -s '$SOCK' HLEN '${KP}files')\" -ge 1 ]" ||
    not_ok "start_at end: no position committed"
gen_csv "$E" 10 --seed 4 --append --no-header
wait_events 10 || true
assert_eq "start_at end: the first start skips what was there" 10 "$(events_total)"
tq_stop
gen_csv "$E" 3 --seed 5 --append --no-header    # written while stopped, then rotated
mv "$E" "$E.1"
printf '%s\r\n' "$CSV_HEADER" >"$E"
gen_csv "$E" 20 --seed 6 --append --no-header
tq_start
wait_events 33 || true
assert_eq "start_at end, later starts: the renamed file finished and the new one read whole" 33 \
    "$(events_total)"

# 5 ------------------------------------------ a final line without newline
tq_stop
NOEOL=1 csv_line 2026-11-07 10:00:00 >>"$E"
: >"$TQ_LOG"
rc=0
tq_once || rc=$?
assert_eq "final line without newline: --once exits 0" 0 "$rc"
assert_match "final line without newline: named in the log" \
    'calls-e.txt: its last line has no newline' "$(cat "$TQ_LOG")"
assert_eq "final line without newline: not counted" 33 "$(events_total)"
done_testing
