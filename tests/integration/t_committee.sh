#!/bin/sh
# t_committee.sh — the committee's Q1 2026 report from generated feeds.
#
# teleq-gen --committee writes the TeleQ call log and the case feed behind
# the figures of the Q1 2026 follow-up (with Q1 2025 as the previous year),
# with times just after local midnight on the 1st of a month, in the DST
# switch hours, and re-exported duplicate cases. After `teleqd --once`:
#   - every day and month counter equals an independent computation,
#   - teleqctl reports 90 %, 73 %, 66 % for January-March, a Q1 mean of
#     76 % (0.7633), 265 of 513 (0.5166) digital patient contacts against
#     200 of 409 a year earlier, and duplicates are counted once.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
# The re-exported cases are in 2025 too: de-duplicated with the default
# window (400 days from the last write), whatever the date the test runs on.
write_config

"$GEN" --committee "$T/feeds" >"$T/gen.out" || bail "teleq-gen --committee failed"
# the case events are t_deadline's: this test is the Målstyrning figures
rm -f "$T/feeds/case-events-committee.jsonl"
CALLS=$T/feeds/calls-committee.txt
CASES=$T/feeds/cases-committee.jsonl
[ -s "$CALLS" ] && [ -s "$CASES" ] || bail "teleq-gen wrote no committee files"
case $CSV_GLOB in calls-*) ;; *) bail "config's TeleQ pattern $CSV_GLOB does not match calls-committee.txt" ;; esac
case $JSONL_GLOB in cases-*) ;; *) bail "config's case pattern $JSONL_GLOB does not match cases-committee.jsonl" ;; esac

rc=0
tq_once || rc=$?
assert_eq "teleqd --once exits 0" 0 "$rc"

# ------------------------------------------------------------ counters
oracle_dump "$T/expected.txt" "$CALLS" "$CASES"
dump_counters "$T/actual.txt"
assert_files_equal "every day and month counter equals the independent computation" \
	"$T/expected.txt" "$T/actual.txt"

ncalls=$(($(wc -l <"$CALLS") - 1))
nlines=$(wc -l <"$CASES")
nids=$(grep -o '"case_id":"[^"]*"' "$CASES" | sort -u | wc -l)
[ "$nids" -lt "$nlines" ] || bail "test bug: the committee data has no duplicate cases"
assert_eq "every call counted once ($ncalls)" "$ncalls" "$(dump_month_sum "$T/actual.txt" call.)"
assert_eq "re-exported cases counted once ($nids cases in $nlines lines)" "$nids" \
	"$(dump_month_sum "$T/actual.txt" case.opened)"
assert_eq "day hashes hold the same events as month hashes" "$(events_total)" "$(day_events_total)"

# A call at 00:30 on 1 March is March (it is still February in UTC).
assert_eq "day 2026-03-01 holds every call dated 2026-03-01" \
	"$(grep -c '^2026-03-01;' "$CALLS")" \
	"$(rcli HGETALL "${KP}day:2026-03-01" | paste - - | awk -F'\t' '$1 ~ /^call\./ { s += $2 } END { print s + 0 }')"

# The indicator hashes dashboards read are written before --once exits.
assert_eq "ind:analog_patient_contacts:2026-Q1 value (mean of 90, 73, 66 %)" 0.7633 \
	"$(rcli HGET "${KP}ind:analog_patient_contacts:2026-Q1" value)"
assert_eq "ind:digital_patient_contacts:2026-Q1 basis 265 av 513" "265 513" \
	"$(rcli HMGET "${KP}ind:digital_patient_contacts:2026-Q1" numerator denominator | tr '\n' ' ' | sed 's/ $//')"
rcli DEL "${KP}ind:digital_patient_contacts:2026-Q1" >/dev/null

# --once again: everything is committed, nothing is read twice.
rc=0
tq_once || rc=$?
assert_eq "second teleqd --once exits 0" 0 "$rc"
dump_counters "$T/again.txt"
assert_files_equal "second --once changes no counter" "$T/actual.txt" "$T/again.txt"
assert_eq "a start with no new line recomputes the indicator hashes (deleted one is back)" "265 513" \
	"$(rcli HMGET "${KP}ind:digital_patient_contacts:2026-Q1" numerator denominator | tr '\n' ' ' | sed 's/ $//')"

# ------------------------------------------------------------- reports
for p in 2026-01 2026-02 2026-03 2026-Q1 2025-Q1 2026-H1; do
	rc=0
	report_json "$p" "$T/$p.json" || rc=$?
	assert_eq "teleqctl report $p --format json exits 0" 0 "$rc"
done
J01=$T/2026-01.json J02=$T/2026-02.json J03=$T/2026-03.json JQ1=$T/2026-Q1.json

A=analog_patient_contacts
assert_eq "2026-01 $A numerator" 90 "$(jget "$J01" $A numerator)"
assert_eq "2026-01 $A denominator" 100 "$(jget "$J01" $A denominator)"
assert_approx "2026-01 $A value 0.90" 0.90 "$(jget "$J01" $A value)"
assert_eq "2026-01 $A met (>= 75 %)" true "$(jget "$J01" $A met)"
assert_eq "2026-02 $A 219 of 300" "219 300" "$(jget "$J02" $A numerator) $(jget "$J02" $A denominator)"
assert_approx "2026-02 $A value 0.73" 0.73 "$(jget "$J02" $A value)"
assert_eq "2026-03 $A 132 of 200" "132 200" "$(jget "$J03" $A numerator) $(jget "$J03" $A denominator)"
assert_approx "2026-03 $A value 0.66" 0.66 "$(jget "$J03" $A value)"
assert_eq "2026-03 $A not met" false "$(jget "$J03" $A met)"
assert_eq "2026-03 $A period" 2026-03 "$(jget "$J03" $A period)"
assert_approx "2026-Q1 $A mean of months 0.7633" 0.7633 "$(jget "$JQ1" $A value)"
assert_eq "2026-Q1 $A monthly values" "0.9 0.73 0.66" "$(jget "$JQ1" $A months)"
assert_eq "2026-Q1 $A met (76 % >= 75 %)" true "$(jget "$JQ1" $A met)"
assert_eq "2026-Q1 $A period" 2026-Q1 "$(jget "$JQ1" $A period)"
assert_approx "2026-Q1 $A previous year (0.80 + 0.75 + 0.80) / 3" 0.7833 \
	"$(jget "$JQ1" $A previous_year.value)"
assert_approx "2026-Q1 $A target 0.75" 0.75 "$(jget "$JQ1" $A target)"

B=telephone_bookings
assert_approx "2026-Q1 $B 0.7633" 0.7633 "$(jget "$JQ1" $B value)"
assert_eq "2026-Q1 $B not met (< 80 %)" false "$(jget "$JQ1" $B met)"

D=digital_patient_contacts
assert_eq "2026-Q1 $D numerator 265" 265 "$(jget "$JQ1" $D numerator)"
assert_eq "2026-Q1 $D denominator 513" 513 "$(jget "$JQ1" $D denominator)"
assert_approx "2026-Q1 $D value 0.5166 (52 %)" 0.5166 "$(jget "$JQ1" $D value)"
assert_eq "2026-Q1 $D not met (< 55 %)" false "$(jget "$JQ1" $D met)"
assert_eq "2026-Q1 $D previous year 200 of 409" "200 409" \
	"$(jget "$JQ1" $D previous_year.numerator) $(jget "$JQ1" $D previous_year.denominator)"
assert_approx "2026-Q1 $D previous year 0.4890" 0.4890 "$(jget "$JQ1" $D previous_year.value)"
assert_eq "2026-Q1 $D previous year period" 2025-Q1 "$(jget "$JQ1" $D previous_year.period)"
assert_eq "2026-01 $D 90 of 170" "90 170" "$(jget "$J01" $D numerator) $(jget "$J01" $D denominator)"
assert_eq "2026-03 $D 90 of 175" "90 175" "$(jget "$J03" $D numerator) $(jget "$J03" $D denominator)"
assert_eq "2025-Q1 $D 200 of 409" "200 409" \
	"$(jget "$T/2025-Q1.json" $D numerator) $(jget "$T/2025-Q1.json" $D denominator)"

P=digital_provider_contacts
assert_eq "2026-H1 $P 14 of 42" "14 42" "$(jget "$T/2026-H1.json" $P numerator) $(jget "$T/2026-H1.json" $P denominator)"
assert_eq "2026-H1 $P met (33 % >= 25 %)" true "$(jget "$T/2026-H1.json" $P met)"

# Growth: counted independently from the feed (first occurrence of each id).
growth() {
	python3 - "$CASES" "$1" <<'EOF_PY'
import sys, json, datetime, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Stockholm")
seen, n = set(), {"2026": 0, "2025": 0}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["case_id"] in seen:
        continue
    seen.add(r["case_id"])
    t = datetime.datetime.fromisoformat(r["created"].replace("Z", "+00:00")).astimezone(tz)
    if r["type"] == sys.argv[2] and t.month <= 3 and str(t.year) in n:
        n[str(t.year)] += 1
print(n["2026"], n["2025"])
EOF_PY
}
G=patient_case_growth
assert_eq "2026-Q1 $G counts this and last year's patient cases" "$(growth patient)" \
	"$(jget "$JQ1" $G numerator) $(jget "$JQ1" $G denominator)"
G=information_case_growth
assert_eq "2026-Q1 $G counts this and last year's information cases" "$(growth information)" \
	"$(jget "$JQ1" $G numerator) $(jget "$JQ1" $G denominator)"

n=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$JQ1" 2>/dev/null || echo invalid)
assert_eq "2026-Q1 JSON report holds one object per indicator" \
	"$(awk '/^indicators:/ { i = 1; next } /^[^ #]/ { i = 0 } i && /^  - name:/ { n++ } END { print n + 0 }' "$CONF")" "$n"

# ------------------------------------------------------- text and csv
rc=0
text=$(ctl report 2026-Q1) || rc=$?
assert_eq "teleqctl report 2026-Q1 (text) exits 0" 0 "$rc"
assert_contains "text report shows the basis '265 av 513'" "265 av 513" "$text"
assert_contains "text report shows last year's '200 av 409'" "200 av 409" "$text"
assert_contains "text report shows 52 %" "52 %" "$text"
assert_contains "text report shows the Q1 mean 76 %" "76 %" "$text"
# the mean of months in the words of the page and the mail (report_fmt_basis_months)
assert_match "text report: TeleQ's basis as its months and their mean, as the page and mail write it" \
	'Analoga patientkontakter .* 90 % \+ 73 % \+ 66 % → medel 76 % ' "$text"
assert_no_match "text report: no basis of its own ('medel av 3 mån: 90, 73, 66 %')" \
	'medel av [0-9]+ mån:' "$text"
assert_contains "text report names the indicator in Swedish" "Digitala patientkontakter" "$text"
text=$(ctl report 2026-03) || rc=$?
assert_contains "text report 2026-03 shows '90 av 175'" "90 av 175" "$text"
assert_contains "text report 2026-03 shows 66 %" "66 %" "$text"
assert_match "text report 2026-03 gives the overview in the summary's words" \
	'^[0-9]+ av [0-9]+ indikatorer under målet' "$text"
# A month without any data is never an all-clear (issue 15).
rc=0
text=$(ctl report 2026-11 --today 2026-12-06) || rc=$?
assert_eq "teleqctl report 2026-11 (no data) exits 0" 0 "$rc"
assert_match "a month without data says so" '^Inga data för november 2026\.$' "$text"
assert_no_match "and no 'under målet' count" 'under målet' "$text"
rc=0
csv=$(ctl report 2026-Q1 --format csv) || rc=$?
assert_eq "teleqctl report 2026-Q1 --format csv exits 0" 0 "$rc"
assert_contains "csv report holds 265;513" "265;513" "$csv"

for p in 2026 rolling; do
	rc=0
	report_json "$p" "$T/p.json" --today 2026-03-31 || rc=$?
	assert_eq "teleqctl report $p --today 2026-03-31 exits 0" 0 "$rc"
done
assert_eq "rolling report ending 2026-03-31 pools the 30 days 03-02..03-31" \
	"$(python3 - "$CASES" <<'EOF_PY'
import sys, json, datetime, zoneinfo
tz = zoneinfo.ZoneInfo("Europe/Stockholm")
seen, n, d = set(), 0, 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["case_id"] in seen:
        continue
    seen.add(r["case_id"])
    day = datetime.datetime.fromisoformat(r["created"].replace("Z", "+00:00")).astimezone(tz).date()
    if datetime.date(2026, 3, 2) <= day <= datetime.date(2026, 3, 31) and r["party"] != "provider":
        d += 1
        n += r["source"] == "web"
print(n, d)
EOF_PY
)" "$(jget "$T/p.json" $D numerator) $(jget "$T/p.json" $D denominator)"

rc=0
ctl report 2026-13 >/dev/null || rc=$?
assert_ne "teleqctl report 2026-13 (no such month) fails" 0 "$rc"

done_testing
