#!/bin/sh
# t_privacy.sh — personal data in the feeds never reaches Redis or the logs.
#
# The committee feeds carry fake phone numbers ("070-1234567") and
# personnummer-shaped strings ("19800101-1234") in columns and fields the
# config does not map, and case ids that must only be stored hashed. Bad
# lines add more of them in the very fields that are mapped (an unmapped
# value, a bad JSON line, a bad time). After a live run with debug logging
# and reports in every format, every Redis key and value (all types, stream
# entries included), the daemon's log and teleqctl's output are scanned:
# none of these values may appear.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config

"$GEN" --committee "$T/feeds" >/dev/null || bail "teleq-gen --committee failed"
# The calendar at the end of March 2026, so the live daemon sends early
# warnings (March is below target): alert texts, the alerts stream, the
# outbox and the mail are scanned too.
TZ=Europe/Stockholm date -d '2026-03-31 12:00' +%s >"$T/clock"
export TELEQD_TEST_CLOCK=$T/clock
C=$T/feeds/calls-committee.txt
J=$T/feeds/cases-committee.jsonl

# A first pass with --once, then the daemon live with debug logging.
rc=0
tq_once -v || rc=$?
assert_eq "teleqd --once -v exits 0" 0 "$rc"
tq_start -v

# Personal data in mapped fields of rejected lines.
printf '2026-03-10;09:00:00;%s;070-9998877;00:01:30;070-1112233;19811111-2222\r\n' "$QUEUE" >>"$C"
printf '2026-03-10;19750505-6789;%s;Bokad;00:01:30;070-1112234;19811111-2223\r\n' "$QUEUE" >>"$C"
printf '2026-03-10;09:01:00;19750505-6790\r\n' >>"$C"
printf '{"case_id":"19660606-1234","created":"2026-03-10T09:00:00Z","source":"073-4445566","party":"patient","type":"patient"}\n' >>"$J"
printf '{"case_id":"PN-X-1","created":"0701234567","source":"web","party":"patient","type":"patient","phone":"070-7778899"}\n' >>"$J"
printf '{"case_id":"PN-X-2","created":"2026-03-10T09:00:00Z","personnummer":"19550505-5555","phone":"070-7778800",\n' >>"$J"
printf '{"case_id":"PN-X-3","created":"2026-03-10T09:00:00Z","source":"web","party":"19440404-4444","type":"patient"}\n' >>"$J"
_rejects_are() {
	[ "$(rejects_total)" -ge "$1" ]
}
# And good lines, so the live path commits too.
csv_line 2026-03-10 10:00:00 >>"$C"
json_line PN-X-4 2026-03-10T10:00:00+01:00 >>"$J"
wait_for 10 _rejects_are 7 || diag "not all rejects seen: $(rcli HVALS "${KP}rejects:$CSV_FEED" | tr '\n' ' ')"
wait_settled 0.5 10 || true

for fmt in text csv json; do
	for p in 2026-Q1 2026-03 2025-Q1 rolling; do
		ctl report "$p" --format "$fmt" >>"$T/reports.txt" 2>&1 || true
	done
done
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"

# (Paths of $T in dead letters and logs are masked: their random name is ours.)
dump_everything "$T/raw-dump.txt"
sed "s|$T|<T>|g" "$T/raw-dump.txt" >"$T/redis-dump.txt"
[ -s "$T/redis-dump.txt" ] || bail "the redis dump is empty"
assert_ok "the dump holds stream entries (dead letters) too" grep -q '(stream)$' "$T/redis-dump.txt"
assert_ok "the dump holds the counters" grep -q '}:month:2026-03 (hash)$' "$T/redis-dump.txt"

# Every personal value the feeds hold, literally.
cat "$C" "$J" | grep -a -o -E '[0-9]{8}-[0-9]{4}|07[0-9]-[0-9]{7}|0[0-9]{9}' | sort -u >"$T/pii.txt"
grep -a -o -E '"case_id":"[^"]*"' "$J" | sed 's/^"case_id":"//; s/"$//' | sort -u >"$T/ids.txt"
npii=$(wc -l <"$T/pii.txt")
nids=$(wc -l <"$T/ids.txt")
assert_ok "positive control: $npii phone numbers and personnummer in the feeds" [ "$npii" -gt 1000 ]
assert_ok "positive control: the literal search finds them in the feeds" \
	grep -a -q -F -f "$T/pii.txt" "$C"

# Patterns: Swedish phone numbers and personnummer (12 digits with an
# optional '-' or '+', or 10 digits with one), not part of a longer number.
# (A bare 10-digit number is left out: Unix times look like that.)
PHONE='(^|[^0-9])0[1-9][0-9]{0,2}[- ]?[0-9]{5,8}([^0-9]|$)'
PNR='(^|[^0-9])((19|20)[0-9]{6}[-+]?|[0-9]{6}[-+])[0-9]{4}([^0-9]|$)'
assert_ok "positive control: the patterns match the feeds" grep -a -q -E "$PNR" "$J"

# scan NAME FILE: no personal value, pattern or case id in FILE.
scan() {
	if grep -a -n -F -f "$T/pii.txt" "$2" >"$T/hits" 2>/dev/null; then
		not_ok "$1: no phone number or personnummer from the feeds"
		diag_file "$T/hits" 10
	else
		ok "$1: no phone number or personnummer from the feeds"
	fi
	if grep -a -n -E "$PHONE|$PNR" "$2" >"$T/hits" 2>/dev/null; then
		not_ok "$1: nothing shaped like a phone number or personnummer"
		diag_file "$T/hits" 10
	else
		ok "$1: nothing shaped like a phone number or personnummer"
	fi
	if grep -a -n -F -x -f "$T/ids.txt" "$2" >"$T/hits" 2>/dev/null ||
	    grep -a -n -o -E 'PN-[0-9]{4}-[0-9]{5}|PN-X-[0-9]' "$2" >>"$T/hits" 2>/dev/null; then
		not_ok "$1: no case id (ids are stored only hashed)"
		diag_file "$T/hits" 10
	else
		ok "$1: no case id (ids are stored only hashed)"
	fi
}

assert_ok "the dump holds the alerts stream (early warnings were sent)" \
	grep -q '}:alerts (stream)$' "$T/redis-dump.txt"
scan "Redis (every key and value, $(grep -c '^== ' "$T/redis-dump.txt") keys)" "$T/redis-dump.txt"
cat "$MAIL_DIR"/*.eml >"$T/mail.txt" 2>/dev/null || true
assert_ok "alert mail was delivered" [ -s "$T/mail.txt" ]
scan "alert mail" "$T/mail.txt"
sed "s|$T|<T>|g" "$TQ_LOG" >"$T/log.txt"
assert_ok "the debug log is not empty" [ -s "$T/log.txt" ]
scan "daemon log (debug)" "$T/log.txt"
scan "teleqctl reports" "$T/reports.txt"
if [ -s "$T/teleqctl.err" ]; then
	scan "teleqctl errors" "$T/teleqctl.err"
fi

done_testing
