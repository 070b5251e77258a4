#!/bin/sh
# t_header.sh — a new CSV header mid-file (issue 16 item 6).
#
# An exporter upgrade writes a second header line with the columns in
# another order into the file being followed. Expected: that line is taken
# as the header from there on (no reject), every row after it is counted
# on the right day with the right result, the change is logged once at
# notice level with file:line, counted as header_changes in rejects:<feed>,
# teleqctl status and /metrics; after a restart, rows appended to the file
# are still read with the new columns.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config max_delay_ms=50

C=$(csv_path hdr)
# the same columns as CSV_HEADER, another order
H2=$(printf 'Resultat;Tid;Datum;Personnummer;K\366;Telefonnummer;V\344ntetid')
# l2 DATE TIME [RESULT]: a call log line in H2's order
l2() {
	printf '%s;%s;%s;19700101-1234;%s;070-5550101;00:01:30\r\n' "${3:-$R_BOOKED}" "$2" "$1" "$QUEUE"
}
{
	printf '%s\r\n' "$CSV_HEADER"
	csv_line 2026-03-02 08:00:00
	csv_line 2026-03-02 08:01:00 "$R_FULL"
	printf '%s\r\n' "$H2"
	l2 2026-03-03 09:00:00
	l2 2026-03-03 09:01:00 "$R_FULL"
	l2 2026-03-03 09:02:00
	printf '%s\r\n' "$H2"   # repeated: skipped, no second change
	l2 2026-03-03 09:03:00
} >"$C"

tq_start
wait_events 6
wait_settled 1 10 || true
assert_eq "every row counted, before and after the new header" 6 "$(events_total)"
assert_eq "the rows after the new header on their own day" 4 "$(hash_sum "${KP}day:2026-03-03")"
assert_eq "the rows before it" 2 "$(hash_sum "${KP}day:2026-03-02")"
assert_eq "no line rejected" 0 "$(rejects_total)"
assert_eq "one header change counted" 1 "$(rejects "$CSV_FEED" header_changes)"
assert_eq "every line read" 9 "$(rejects "$CSV_FEED" lines)"
assert_eq "the change logged once" 1 "$(grep -c 'a new CSV header' "$TQ_LOG")"
assert_match "logged at notice level with file and line" \
	'<5>feed .*hdr.*:4: a new CSV header' "$(cat "$TQ_LOG")"
metrics_scrape "$T/metrics" || not_ok "/metrics answers"
assert_eq "teleqd_header_changes_total" 1 \
	"$(metric_value "$T/metrics" "teleqd_header_changes_total{feed=\"$CSV_FEED\"}")"
ctl status >"$T/status.txt" || true
assert_contains "teleqctl status shows the change" "header changes 1" "$(cat "$T/status.txt")"
tq_stop || not_ok "stopped cleanly"

# rows appended while stopped: read with the new header after the restart
l2 2026-03-04 10:00:00 >>"$C"
l2 2026-03-04 10:01:00 "$R_FULL" >>"$C"
tq_start
wait_events 8
assert_eq "rows appended after a restart keep the new columns" 2 \
	"$(hash_sum "${KP}day:2026-03-04")"
assert_eq "still no line rejected" 0 "$(rejects_total)"
assert_eq "the replayed header is no new change" 1 "$(rejects "$CSV_FEED" header_changes)"
assert_eq "nor logged again" 1 "$(grep -c 'a new CSV header' "$TQ_LOG")"
tq_stop || not_ok "stopped cleanly"
done_testing
