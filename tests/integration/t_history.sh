#!/bin/sh
# t_history.sh — the indicator history streams, the current-period hashes
# and the set of indicators that Grafana reads (conf/grafana/), on a fake
# calendar (TELEQD_TEST_CLOCK).
#
#   1. Calls over five months, the calendar on 10 March 2026: the history
#      stream hist:<indicator>:month holds one entry per closed month, id =
#      the month's local midnight in ms (Europe/Stockholm, computed here
#      with python3's zoneinfo, across both DST switches), the fields
#      value target numerator denominator equal to the indicator hashes; the
#      quarter, half and year streams likewise; the open month and quarter
#      have none; a period without a value is a gap (no entry, no stream).
#   2. K ind:<indicator>:month|quarter|half|year equal the dated hashes of
#      the periods that contain today; K indicators lists the configured
#      indicators.
#   3. Late lines for a closed month: the stream is rebuilt with the new
#      value, ids still increasing; an older month appearing is inserted
#      in order.
#   4. A month that closes by time alone: nothing a minute before its end
#      plus the grace (2 days), its entry (and its quarter's) after a
#      restart past it (the restart touches the last 13 months).
#   5. conf/grafana: checked by t_grafana (every panel's query run as
#      Grafana's read-only user against a Redis teleqd filled).
#   6. hist.lua on its own: an entry whose period start cannot be a stream
#      id (before 1970: negative) and a history key that is not a stream
#      are skipped and counted; every other entry of the run is written.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config max_delay_ms=50
TZNAME=Europe/Stockholm

# calls DAY N RESULT: N calls on DAY.
calls() {
	csv_calls "$1" "$2" "$3" 10 >>"$F"
	NCALLS=$((NCALLS + $2))
}

# start_ms PERIOD...: unix ms of the local midnight starting each period
# (YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY), computed independently of teleqd.
start_ms() {
	python3 - "$TZNAME" "$@" <<'EOF_PY'
import datetime, sys, zoneinfo
tz = zoneinfo.ZoneInfo(sys.argv[1])
out = []
for p in sys.argv[2:]:
    y = int(p[:4])
    if len(p) == 4:
        m = 1
    elif p[5] == "Q":
        m = 3 * (int(p[6]) - 1) + 1
    elif p[5] == "H":
        m = 6 * (int(p[6]) - 1) + 1
    else:
        m = int(p[5:7])
    out.append(str(int(datetime.datetime(y, m, 1, tzinfo=tz).timestamp() * 1000)))
print(" ".join(out))
EOF_PY
}

# hist_rows KEY: every entry of stream KEY as "id field value field value ...".
hist_rows() {
	rcli --json XRANGE "$1" - + | python3 -c '
import json, sys
for eid, fields in json.load(sys.stdin) or []:
    print(" ".join([eid] + fields))'
}
# hist_ids KEY: the ids, one line.
hist_ids() {
	hist_rows "$1" | awk '{ printf "%s%s", s, $1; s = " " } END { print "" }'
}
# expected_rows INDICATOR CADENCE PERIOD...: the rows the stream must hold,
# from the dated indicator hashes.
expected_rows() {
	_ind=$1
	shift 2
	for _p in "$@"; do
		_ms=$(start_ms "$_p")
		set -- $(rcli HMGET "${KP}ind:$_ind:$_p" value target numerator denominator)
		echo "$_ms-0 value $1 target $2 numerator $3 denominator $4"
	done
}
# rows_are KEY FILE: the stream's rows equal FILE.
rows_are() {
	hist_rows "$1" >"$T/rows.actual"
	cmp -s "$2" "$T/rows.actual"
}
# hist_matches INDICATOR CADENCE PERIOD...: hist:INDICATOR:CADENCE holds
# exactly the entries of these periods, equal to their hashes (the
# recompute after the last commit may still be running: poll it).
hist_matches() {
	_hm_key="${KP}hist:$1:$2"
	expected_rows "$@" >"$T/rows.expected"
	rows_are "$_hm_key" "$T/rows.expected"
}
# increasing KEY: ids strictly increasing.
increasing() {
	hist_rows "$1" | awk '{ split($1, a, "-"); if (NR > 1 && a[1] + 0 <= last) exit 1; last = a[1] + 0 }'
}
# hash_dump KEY: the hash's fields sorted, "updated" left out.
hash_dump() {
	rcli HGETALL "$1" | paste - - | grep -v '^updated	' | LC_ALL=C sort
}
_field_is() {
	[ "$(rcli HGET "$1" "$2")" = "$3" ]
}

A=analog_patient_contacts
D=digital_patient_contacts
NCALLS=0

# ------------------------------------------------ 1. closed months
F=$(csv_path history)
printf '%s\r\n' "$CSV_HEADER" >"$F"
calls 2025-10-06 8 "$R_BOOKED"
calls 2025-10-07 2 "$R_FULL"
calls 2025-11-03 6 "$R_BOOKED"
calls 2025-11-04 4 "$R_FULL"
calls 2025-12-01 9 "$R_BOOKED"
calls 2025-12-31 1 "$R_ABANDONED"
calls 2026-01-01 7 "$R_BOOKED"
calls 2026-01-31 3 "$R_FULL"
calls 2026-02-02 5 "$R_BOOKED"
calls 2026-02-27 5 "$R_FULL"
calls 2026-03-02 3 "$R_BOOKED"
calls 2026-03-03 1 "$R_FULL"
# a few cases in January only: digital_patient_contacts has one month
C=$(jsonl_path history)
json_line h1 2026-01-12T09:00:00+01:00 web >"$C"
json_line h2 2026-01-13T09:00:00+01:00 web >>"$C"
json_line h3 2026-01-14T09:00:00+01:00 web >>"$C"
json_line h4 2026-01-15T09:00:00+01:00 phone >>"$C"
set_clock "2026-03-10 12:00:00"
tq_start -v             # debug lines: the history script's appends and rebuilds
assert_ok "every call and case counted" wait_events $((NCALLS + 4)) 20
MONTHS="2025-10 2025-11 2025-12 2026-01 2026-02"
assert_ok "hist:$A:month holds the five closed months, each equal to its ind:$A:<month> hash" \
	wait_for 10 hist_matches $A month $MONTHS
assert_eq "ids are the months' local midnights in ms (CEST and CET)" \
	"$(start_ms $MONTHS | sed 's/\([0-9]*\)/\1-0/g')" "$(hist_ids "${KP}hist:$A:month")"
assert_eq "the October id is 1 October 00:00 CEST (UTC+2)" \
	"$(($(TZ=UTC date -d '2025-09-30 22:00:00' +%s) * 1000))-0" \
	"$(hist_ids "${KP}hist:$A:month" | cut -d' ' -f1)"
assert_eq "every entry has exactly value target numerator denominator" \
	"value target numerator denominator 9" \
	"$(hist_rows "${KP}hist:$A:month" | awk '{ print $2, $4, $6, $8, NF }' | sort -u)"
assert_eq "November: 6 of 10, 0.6000, target 0.7500" \
	"$(start_ms 2025-11)-0 value 0.6000 target 0.7500 numerator 6 denominator 10" \
	"$(hist_rows "${KP}hist:$A:month" | sed -n 2p)"
assert_eq "the open month (2026-03) has no entry" "" \
	"$(rcli XRANGE "${KP}hist:$A:month" "$(start_ms 2026-03)" +)"

assert_ok "the closed quarter 2025-Q4 (mean of months), and not the open 2026-Q1" \
	wait_for 5 hist_matches $A quarter 2025-Q4
assert_match "its value is (0.8 + 0.6 + 0.9) / 3" ' value 0\.7667 ' "$(cat "$T/rows.actual")"
assert_ok "the closed half 2025-H2 and only it" wait_for 5 hist_matches $A half 2025-H2
assert_ok "the closed year 2025 and only it" wait_for 5 hist_matches $A year 2025
assert_eq "the year's id is 2025-01-01 00:00 CET" "$(start_ms 2025)-0" "$(hist_ids "${KP}hist:$A:year")"
assert_ok "telephone_bookings has the same months" wait_for 5 hist_matches telephone_bookings month $MONTHS

assert_ok "$D: only January has a value: one entry, the other months are gaps" \
	wait_for 5 hist_matches $D month 2026-01
assert_eq "$D January: 3 of 4" "0.7500 3 4" \
	"$(rcli HMGET "${KP}ind:$D:2026-01" value numerator denominator | tr '\n' ' ' | sed 's/ $//')"
assert_eq "a growth without last year's counts has no value: no stream at all" 0 \
	"$(rcli EXISTS "${KP}hist:patient_case_growth:month" "${KP}hist:patient_case_growth:quarter")"
assert_eq "the history streams are streams" stream "$(rcli TYPE "${KP}hist:$A:month")"

# ------------------------------------------------ 2. fixed names, indicators
for pair in month:2026-03 quarter:2026-Q1 half:2026-H1 year:2026; do
	alias=${pair%%:*} dated=${pair#*:}
	assert_eq "ind:$A:$alias is the hash of $dated" "$(hash_dump "${KP}ind:$A:$dated")" \
		"$(hash_dump "${KP}ind:$A:$alias")"
done
assert_eq "ind:$A:month: period 2026-03, 3 of 4" "2026-03 3 4 0.7500" \
	"$(rcli HMGET "${KP}ind:$A:month" period numerator denominator value | tr '\n' ' ' | sed 's/ $//')"
assert_eq "ind:$D:month exists for an indicator without data this month" "2026-03 0 0" \
	"$(rcli HMGET "${KP}ind:$D:month" period numerator denominator | tr '\n' ' ' | sed 's/ $//')"
names=$(awk '/^indicators:/ { i = 1; next } /^[^ #]/ { i = 0 } i && /^  - name:/ { print $3 }' "$CONF" | LC_ALL=C sort)
assert_eq "K indicators lists the configured indicators" "$names" \
	"$(rcli SMEMBERS "${KP}indicators" | LC_ALL=C sort)"
assert_eq "K indicators is a set" set "$(rcli TYPE "${KP}indicators")"

# ------------------------------------------------ 3. late data, an older month
log_at=$(wc -c <"$TQ_LOG")
calls 2025-11-20 10 "$R_BOOKED"
assert_ok "ten late November calls counted" wait_events $((NCALLS + 4)) 10
assert_ok "the November entry is rewritten (16 of 20), each entry equal to its hash" \
	wait_for 10 hist_matches $A month $MONTHS
assert_match "logged as a rebuild" 'recompute: history: [0-9]+ entries appended, [1-9][0-9]* streams rebuilt' \
	"$(tail -c +$((log_at + 1)) "$TQ_LOG")"
assert_eq "November: 0.8000" "$(start_ms 2025-11)-0 value 0.8000 target 0.7500 numerator 16 denominator 20" \
	"$(hist_rows "${KP}hist:$A:month" | sed -n 2p)"
assert_eq "the stream still holds the same five months" \
	"$(start_ms $MONTHS | sed 's/\([0-9]*\)/\1-0/g')" "$(hist_ids "${KP}hist:$A:month")"
assert_ok "ids still increasing" increasing "${KP}hist:$A:month"
assert_ok "the 2025-Q4 entry follows" wait_for 5 hist_matches $A quarter 2025-Q4
assert_match "2025-Q4 value (0.8 + 0.8 + 0.9) / 3" ' value 0\.8333 ' "$(hist_rows "${KP}hist:$A:quarter")"

calls 2025-08-14 4 "$R_BOOKED"
calls 2025-08-15 1 "$R_FULL"
assert_ok "five August calls counted" wait_events $((NCALLS + 4)) 10
MONTHS="2025-08 $MONTHS"
assert_ok "August, older than every entry, is inserted; each entry equal to its hash" \
	wait_for 10 hist_matches $A month $MONTHS
assert_eq "ids: August first, all in order" \
	"$(start_ms $MONTHS | sed 's/\([0-9]*\)/\1-0/g')" "$(hist_ids "${KP}hist:$A:month")"
assert_ok "ids strictly increasing" increasing "${KP}hist:$A:month"
assert_eq "August: 4 of 5" "$(start_ms 2025-08)-0 value 0.8000 target 0.7500 numerator 4 denominator 5" \
	"$(hist_rows "${KP}hist:$A:month" | head -n 1)"
assert_ok "the quarter stream gains 2025-Q3 before 2025-Q4" wait_for 5 hist_matches $A quarter 2025-Q3 2025-Q4

# ------------------------------------------------ 4. closing by time alone
assert_ok "SIGTERM: exit 0" tq_stop
set_clock "2026-04-02 23:59:00"
log_at=$(wc -c <"$TQ_LOG")
tq_start -v
assert_ok "after a restart a minute before March's end + grace: the April month hash" \
	wait_for 10 _field_is "${KP}ind:$A:month" period 2026-04
sleep 1
assert_match "the restart recomputed the last two years" 'recompute: [0-9]+ periods' \
	"$(tail -c +$((log_at + 1)) "$TQ_LOG")"
assert_no_match "and left every history stream as it was (no append, no rebuild)" 'recompute: history:' \
	"$(tail -c +$((log_at + 1)) "$TQ_LOG")"
assert_eq "March has no entry yet (grace not over)" 6 "$(rcli XLEN "${KP}hist:$A:month")"
assert_eq "nor 2026-Q1" "" "$(rcli XRANGE "${KP}hist:$A:quarter" "$(start_ms 2026-Q1)" +)"
assert_ok "SIGTERM: exit 0" tq_stop
set_clock "2026-04-03 00:00:30"
tq_start
MONTHS="$MONTHS 2026-03"
assert_ok "after a restart past it, March gets its entry without a new line" \
	wait_for 10 hist_matches $A month $MONTHS
assert_eq "March: 3 of 4" "$(start_ms 2026-03)-0 value 0.7500 target 0.7500 numerator 3 denominator 4" \
	"$(hist_rows "${KP}hist:$A:month" | tail -n 1)"
assert_ok "and 2026-Q1 closed with it" wait_for 5 hist_matches $A quarter 2025-Q3 2025-Q4 2026-Q1
assert_eq "ind:$A:month is April's, without a value" "2026-04 0 0 " \
	"$(rcli HMGET "${KP}ind:$A:month" period numerator denominator value | tr '\n' ' ' | sed 's/ $//')"
assert_eq "ind:$A:quarter is 2026-Q2's" 2026-Q2 "$(rcli HGET "${KP}ind:$A:quarter" period)"
assert_eq "no warning or error in the log (but the fake calendar's)" "" \
	"$(grep -E '^<[0-4]>' "$TQ_LOG" | grep -v TELEQD_TEST_CLOCK || true)"
assert_ok "SIGTERM: exit 0" tq_stop

# ------------------------------------------------ 5. conf/grafana
# t_grafana runs every dashboard panel's query as Grafana's read-only ACL
# user against a Redis teleqd filled on the demo's calendar.

# ------------------------------------------------ 6. one bad period blocks nothing
rcli SET "x{h}:str" text >/dev/null
m1=$(start_ms 2026-01)
m2=$(start_ms 2026-02)
reply=$(rcli EVAL "$(cat "$TQ_ROOT/src/hist.lua")" 3 "x{h}:a" "x{h}:b" "x{h}:str" th1 5 \
	1 -2208992400000 0.5000 0.7500 1 2 \
	1 "$m1" 0.2500 0.7500 1 4 \
	2 "$m1" 0.5000 0.7500 2 4 \
	2 "$m2" 1.0000 0.7500 4 4 \
	3 "$m1" 0.5000 0.7500 1 2 | tr '\n' ' ')
assert_eq "hist.lua: 3 appended, 0 rebuilt, 2 skipped (a 1900 period, a key not a stream)" \
	"3 0 2 " "$reply"
assert_eq "the other entries of the stream with the bad period are written" \
	"$m1-0 value 0.2500 target 0.7500 numerator 1 denominator 4" "$(hist_rows "x{h}:a")"
assert_eq "and those of the other stream" "$m1-0 $m2-0" "$(hist_ids "x{h}:b")"
assert_eq "the key that is not a stream is left alone" text "$(rcli GET "x{h}:str")"
reply=$(rcli EVAL "$(cat "$TQ_ROOT/src/hist.lua")" 1 "x{h}:a" th1 2 \
	1 99999999999999999999 0.5000 0.7500 1 2 \
	1 "$m2" 0.5000 0.7500 1 2 | tr '\n' ' ')
assert_eq "a period start of 20 digits: skipped, the other appended" "1 0 1 " "$reply"
rcli DEL "x{h}:a" "x{h}:b" "x{h}:str" >/dev/null

dump_everything "$T/dump"
assert_no_match "no phone number or personnummer in Redis" '070-5550101|19700101-1234|073-5550199|19650505-4321' \
	"$(cat "$T/dump")"
done_testing
