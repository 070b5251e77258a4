#!/bin/sh
# t_badinput.sh — bad lines are counted by reason and dead-lettered; the
# good lines around them are all counted and the daemon keeps running.
#
# Each kind of bad line (empty, too_long, nul, encoding, bad_json, bad_csv
# including stray quotes, columns, missing_field, bad_time, bad_date,
# unmapped, out_of_range: 1900, 9999 and two days after the daemon's now on
# a fake calendar) sits between good
# lines of the TeleQ log (Windows-1252) or the case feed (JSON lines). The
# files are read once at start and once more appended live. Expected: every
# reject counted in rejects:<feed> under its reason, a dead letter naming the
# reason and the line, "lines" equal to the records read, every good line
# counted, the daemon still running, and the history streams of the closed
# months written (a 1900 line used to stop every one of them), with no key
# of a day outside the window.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config max_delay_ms=50
# the calendar on 10 June 2026: March and Q1 are closed, so they have history
set_clock "2026-06-10 12:00:00"

C=$(csv_path bad)
J=$(jsonl_path bad)
: >"$C"
: >"$J"
: >"$T/expect.txt"
cn=0
jn=0
good=0
LONG=$(head -c 70000 /dev/zero | tr '\0' x)

# put FEED FILE COUNTER REASON FORMAT [ARGS...]: one record via printf into
# FILE, COUNTER (a variable's name) its record number; REASON good, skip (a
# header) or a reject reason, which FEED's rejects:<feed> must then count.
put() {
	_feed=$1 _file=$2 _nvar=$3 _r=$4
	shift 4
	# shellcheck disable=SC2059
	printf "$@" >>"$_file"
	_n=$(($_nvar + 1))
	eval "$_nvar=\$_n"
	case $_r in
	good) good=$((good + 1)) ;;
	skip) ;;
	*) echo "$_feed $_r $_n" >>"$T/expect.txt" ;;
	esac
}
# cput / jput REASON FORMAT [ARGS...]: one CSV / JSONL record.
cput() { put "$CSV_FEED" "$C" cn "$@"; }
jput() { put "$JSONL_FEED" "$J" jn "$@"; }

G='2026-03-02;08:%02d:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n'
JG='{"case_id":"G-%s-%s","created":"2026-03-02T09:00:00+01:00","source":"web","party":"patient","type":"patient"}\n'

# write_bad ROUND: every kind of bad line once, good lines around them.
write_bad() {
	k=$1
	[ "$k" = 1 ] && cput skip '%s\r\n' "$CSV_HEADER"
	cput good "$G" 1 "$QUEUE"
	cput empty '\r\n'
	cput good "$G" 2 "$QUEUE"
	cput missing_field '2026-03-02;;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput missing_field '2026-03-02;08:03:00;%s;;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput bad_date '2026-02-30;08:04:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput bad_date '2026-03-02;25:04:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput good "$G" 5 "$QUEUE"
	cput bad_time '2026-03-02;8h05;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput unmapped '2026-03-02;08:06:00;%s;Ok\344nd;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput columns '2026-03-02;08:07:00;Bokad\r\n'
	cput columns '2026-03-02;08:07:00;%s;Bokad;00:01:30;070-5550101;19700101-1234;extra\r\n' "$QUEUE"
	cput good "$G" 8 "$QUEUE"
	cput too_long '2026-03-02;08:08:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$LONG"
	cput good "$G" 9 "$QUEUE"
	cput encoding '2026-03-02;08:09:00;Patientn\201mnden;Bokad;00:01:30;070-5550101;19700101-1234\r\n'
	cput nul '2026-03-02;08:10:00;Pat\000ient;Bokad;00:01:30;070-5550101;19700101-1234\r\n'
	cput bad_csv '2026-03-02;"08:11:00"x;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	# Stray quotes never take good lines with them: inside a field it is
	# text; opening a field and never closed, its line alone is rejected
	# (the next quote, on the quoted line below, settles it).
	cput good '2026-03-02;08:14:00;%s;Bokad;00:01:30;070-555"0101;19700101-1234\r\n' "$QUEUE"
	cput bad_csv '2026-03-02;"08:15:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput good "$G" 16 "$QUEUE"
	cput good "$G" 17 "$QUEUE"
	cput skip '%s\r\n' "$CSV_HEADER"      # a repeated header: skipped, not an error
	cput good "$G" 12 "$QUEUE"
	cput good '2026-03-02;"08:13:00";"%s";"Bokad";00:01:30;"070-5550101";19700101-1234\r\n' "$QUEUE"
	# outside accept_from (2000-01-01) .. now + accept_ahead (1d)
	cput out_of_range '1900-01-01;00:00:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput out_of_range '1999-12-31;23:59:59;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput out_of_range '9999-12-31;23:59:59;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput out_of_range '2026-06-12;13:00:00;%s;Bokad;00:01:30;070-5550101;19700101-1234\r\n' "$QUEUE"
	cput good "$G" 18 "$QUEUE"

	jput good "$JG" "$k" 1
	jput bad_json '{"case_id":"B-%s-1","created":\n' "$k"
	jput bad_json '[1, 2, 3]\n'
	jput good "$JG" "$k" 2
	jput missing_field '{"case_id":"B-%s-3","source":"web","party":"patient","type":"patient"}\n' "$k"
	jput missing_field '{"case_id":"B-%s-4","created":"2026-03-02T09:00:00Z","source":"","party":"patient","type":"patient"}\n' "$k"
	jput encoding '{"case_id":"B-%s-5","created":"2026-03-02T09:00:00Z","source":"web","party":"patient","type":"patient","note":"\377\376"}\n' "$k"
	jput nul '{"case_id":"B-%s-6","created":"2026-03-02T09:00:00Z",\000"source":"web","party":"patient","type":"patient"}\n' "$k"
	jput empty '\n'
	jput good "$JG" "$k" 7
	jput unmapped '{"case_id":"B-%s-8","created":"2026-03-02T09:00:00Z","source":"fax","party":"patient","type":"patient"}\n' "$k"
	jput bad_date '{"case_id":"B-%s-9","created":"2026-02-30T09:00:00Z","source":"web","party":"patient","type":"patient"}\n' "$k"
	jput bad_time '{"case_id":"B-%s-10","created":"yesterday","source":"web","party":"patient","type":"patient"}\n' "$k"
	jput too_long '{"case_id":"B-%s-11","created":"2026-03-02T09:00:00Z","source":"web","note":"%s"}\n' "$k" "$LONG"
	jput out_of_range '{"case_id":"B-%s-13","created":"1900-01-01T00:00:00Z","source":"web","party":"patient","type":"patient"}\n' "$k"
	jput out_of_range '{"case_id":"B-%s-14","created":"9999-12-31T23:59:59Z","source":"web","party":"patient","type":"patient"}\n' "$k"
	jput good "$JG" "$k" 12
}

# reason_counts: "FEED REASON COUNT" lines expected so far, sorted.
reason_counts() {
	awk '{ n[$1 " " $2]++ } END { for (k in n) print k, n[k] }' "$T/expect.txt" | LC_ALL=C sort
}
# actual_counts: the same from Redis (the "lines" field left out).
actual_counts() {
	for f in "$CSV_FEED" "$JSONL_FEED"; do
		rcli HGETALL "${KP}rejects:$f" | paste - - | awk -v f="$f" -F'\t' '$1 != "lines" { print f, $1, $2 }'
	done | LC_ALL=C sort
}
# dead_letters: "FEED REASON LINE" of every dead letter, sorted.
dead_letters() {
	rcli XRANGE "${KP}deadletter" - + | awk '
		function flush() { if (reason != "") print feed, reason, line; feed = reason = line = "" }
		/^[0-9]+-[0-9]+$/ { flush(); k = ""; next }
		k == "" { k = $0; next }
		{ if (k == "feed") feed = $0; else if (k == "reason") reason = $0; else if (k == "line") line = $0; k = "" }
		END { flush() }' | LC_ALL=C sort
}

check_round() {
	assert_counted_once "$1: every good line counted" "$good" 20 || :
	reason_counts >"$T/want.txt"
	actual_counts >"$T/got.txt"
	assert_files_equal "$1: each reject counted under its reason" "$T/want.txt" "$T/got.txt"
	LC_ALL=C sort "$T/expect.txt" >"$T/want_dead.txt"
	dead_letters >"$T/got_dead.txt"
	assert_files_equal "$1: a dead letter for each reject, with reason and line" \
		"$T/want_dead.txt" "$T/got_dead.txt"
	assert_eq "$1: rejects:$CSV_FEED lines = records read" "$cn" "$(rejects "$CSV_FEED" lines)"
	assert_eq "$1: rejects:$JSONL_FEED lines = records read" "$jn" "$(rejects "$JSONL_FEED" lines)"
	assert_ok "$1: the daemon keeps running" alive "$TQ_PID"
	assert_eq "$1: no day, month or indicator key outside the window" "" \
		"$(keys_like '*' | grep -E ':(19[0-9][0-9]|9999|10000|2026-06-12)' || true)"
	# the closed month March 2026 and its quarter: every indicator with a
	# value has its entry (the recompute after the last commit may still run)
	assert_ok "$1: the history streams of the closed periods are written" \
		wait_for 10 hist_written
}

# hist_written: hist:<ind>:month holds March 2026 for the call and case
# indicators, hist:<ind>:quarter 2026-Q1.
hist_written() {
	_m=$(python3 -c 'import datetime, zoneinfo
print(int(datetime.datetime(2026, 3, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")).timestamp() * 1000))')
	_q=$(python3 -c 'import datetime, zoneinfo
print(int(datetime.datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm")).timestamp() * 1000))')
	for _i in analog_patient_contacts telephone_bookings digital_patient_contacts; do
		[ -n "$(rcli XRANGE "${KP}hist:$_i:month" "$_m" "$_m")" ] || return 1
		[ -n "$(rcli XRANGE "${KP}hist:$_i:quarter" "$_q" "$_q")" ] || return 1
	done
}

write_bad 1
tq_start
check_round "at start"

write_bad 2
check_round "appended live"

# Every reason the brief names occurred.
for r in empty too_long nul encoding bad_json bad_csv columns missing_field bad_time bad_date unmapped out_of_range; do
	assert_ok "reason $r was exercised and counted" grep -q " $r " "$T/got.txt"
done
assert_ok "GET /metrics" metrics_scrape "$T/metrics"
assert_eq "/metrics: teleqd_rejects_total has the out_of_range reason" 8 \
	"$(metric_value "$T/metrics" "teleqd_rejects_total{feed=\"$CSV_FEED\",reason=\"out_of_range\"}")"
assert_match "teleqctl status lists out_of_range among the rejects" "out_of_range 8" \
	"$(ctl status)"
assert_match "rejects are logged with their reason" 'rejected \((bad_json|unmapped|empty|nul)\)' "$(cat "$TQ_LOG")"

# Still reading: one more good line of each feed.
cput good "$G" 30 "$QUEUE"
jput good "$JG" 3 30
assert_ok "a good line after all that is still counted" wait_events "$good" 10
assert_stops_cleanly

done_testing
