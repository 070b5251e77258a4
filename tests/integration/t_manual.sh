#!/bin/sh
# t_manual.sh — manual indicators and the samordnare's notes (issue 18 item 2).
#
# The shipped config plus the seeds' rows no feed counts (kind: manual):
# `teleqctl set` stores a value, a second set corrects it, `teleqctl note`
# stores Analys and Prognos; `teleqctl report` shows them in text, CSV,
# JSON and the HTML follow-up; the audit stream manual:log holds every
# entry with the Unix user; bad input is refused with a message and exit
# status 2 before anything is written.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
write_config
# the seeds' manual rows (lib.sh)
manual_rows
ME=$(id -un)

# --- set, correct, note ----------------------------------------------------------
rc=0
out=$(ctl set analyser 2026-Q1 1) || rc=$?
assert_eq "set analyser 2026-Q1 1 exits 0" 0 "$rc"
assert_contains "and says what it stored, by whom" "analyser 2026-Q1 = 1 (user $ME)" "$out"
ctl set analyser 2026-q1 2 >/dev/null
assert_eq "a period is stored by its canonical name (2026-q1 is 2026-Q1)" 2 \
	"$(rcli HGET "${KP}manual:2026-Q1" analyser)"
rc=0
ctl set analyser 2026-Q1 3 >/dev/null || rc=$?
assert_eq "a correction (set again) exits 0" 0 "$rc"
# a negative VALUE after "--", or getopt takes it for options
ctl set periodresultat 2026-Q1 -- -150000,50 >/dev/null
ctl set analyser 2025-Q1 2 >/dev/null
rc=0
ctl note analyser 2026-Q1 --analys "Två analyser klara.
En till i mars." --prognos "Vi når målet under året." >/dev/null || rc=$?
assert_eq "note --analys --prognos exits 0" 0 "$rc"
assert_eq "the hash holds the corrected value" 3 "$(rcli HGET "${KP}manual:2026-Q1" analyser)"
assert_eq "and kronor as stored plainly" -150000.5 "$(rcli HGET "${KP}manual:2026-Q1" periodresultat)"

# --- the audit stream -------------------------------------------------------------
log=$(rcli XRANGE "${KP}manual:log" - +)
assert_eq "the audit stream has one entry per set and note (5 sets, 2 notes)" 7 \
	"$(rcli XLEN "${KP}manual:log")"
assert_match "the first value is kept (1) beside the correction (3)" \
	"$(printf 'value\n1\n')" "$log"
assert_match "each entry names the Unix user" "$(printf 'user\n%s' "$ME")" "$log"
assert_eq "every entry has a time" 7 "$(echo "$log" | grep -c '^time$')"

# --- the report: text, CSV, JSON, HTML --------------------------------------------
text=$(ctl report 2026-Q1 --today 2026-04-02)
assert_match "text: the manual row with value, target and verdict" \
	'Antal analyser som produceras +≥ 2 +3 +2 +Ja' "$text"
assert_match "text: kronor with the minus sign and groups" \
	'Periodresultat budget +≥ 0 kr +−150 000,5 kr +– +Nej' "$text"
assert_match "text: a row without a value shows – and is counted" \
	'Prognos budgetavvikelse +– +– +– +–' "$text"
assert_contains "text: the rows still without a value" "1 av 3 utan värde för perioden." "$text"
assert_contains "text: the notes, line by line" "Analys: Två analyser klara." "$text"
assert_contains "text: the prognosis note" "Prognos: Vi når målet under året." "$text"

report_json 2026-Q1 "$T/r.json" --today 2026-04-02
assert_eq "json: value in its unit" 3 "$(jget "$T/r.json" analyser value)"
assert_eq "json: kind manual" manual "$(jget "$T/r.json" analyser kind)"
assert_eq "json: unit" kr "$(jget "$T/r.json" periodresultat unit)"
assert_eq "json: kronor" -150000.5 "$(jget "$T/r.json" periodresultat value)"
assert_eq "json: met" false "$(jget "$T/r.json" periodresultat met)"
assert_eq "json: no value is null" null "$(jget "$T/r.json" prognos_budget value)"
assert_eq "json: no target is null" null "$(jget "$T/r.json" prognos_budget target)"
assert_eq "json: the analys note" "Två analyser klara.
En till i mars." "$(jget "$T/r.json" analyser analys)"
assert_eq "json: same quarter last year" 2 "$(jget "$T/r.json" analyser previous_year.value)"

csv=$(ctl report 2026-Q1 --format csv --today 2026-04-02)
assert_contains "csv: the manual row in the report's columns" \
	"analyser;Antal analyser som produceras;2026-Q1;;;3;;1;2;>=;;2025-Q1;;;2;;1;;" "$csv"
assert_eq "csv: every row has 19 fields" 0 \
	"$(echo "$csv" | awk -F';' 'NF != 19 && !/"/' | wc -l)"

html=$(ctl report 2026-Q1 --format html --today 2026-04-02 | sed 's/&nbsp;/ /g')
assert_contains "html: the manual row's title" "Antal analyser som produceras" "$html"
assert_contains "html: the kronor value" "−150 000,5 kr" "$html"
assert_contains "html: the Analys note" "Analys: Två analyser klara." "$html"
assert_contains "html: the samordnare's prognosis" "Samordnarens prognos: Vi når målet under året." "$html"

# --- the daemon: GET /rapport and /api/indicators read them too -------------------
# the page's calendar: 15 March 2026 (Q1 2026 running, Q4 2025 the last closed)
echo 1773572400 >"$T/clock"
TELEQD_TEST_CLOCK=$T/clock
export TELEQD_TEST_CLOCK
ctl set analyser 2025-Q4 1 >/dev/null
nlog=$(rcli XLEN "${KP}manual:log")
tq_start
_listening() {
	grep -q 'http: listening on ' "$TQ_LOG"
}
wait_for 10 _listening || bail "no 'http: listening on' line in the daemon's log"
http_req GET "/rapport?period=2026-Q1" "$T/rapport.html"
assert_eq "GET /rapport?period=2026-Q1: 200" 200 "$(cat "$T/status")"
rapport=$(sed 's/&nbsp;/ /g' "$T/rapport.html")
assert_contains "GET /rapport: the manual row" "Antal analyser som produceras" "$rapport"
assert_contains "GET /rapport: the kronor value" "−150 000,5 kr" "$rapport"
assert_contains "GET /rapport: the Analys note" "Analys: Två analyser klara." "$rapport"
http_req GET "/api/indicators?period=2026-Q1" "$T/api.json"
assert_eq "GET /api/indicators: 200" 200 "$(cat "$T/status")"
ctl report 2026-Q1 --format json >"$T/ctl.json"
assert_files_equal "/api/indicators is teleqctl's JSON byte for byte, manual rows included" \
	"$T/ctl.json" "$T/api.json"
# the dashboard: the manual rows in their section, this quarter and the last closed one
http_req GET / "$T/page.html"
assert_eq "GET /: 200" 200 "$(cat "$T/status")"
page=$("$PY" -c 'import sys, re, html; t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"(?s)<style>.*?</style>|<title>.*?</title>", " ", t)
print(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", t)).replace("\u00a0", " ").split()))' "$T/page.html")
debug "$page"
assert_contains "GET /: a table of the manual rows with both quarters" \
	"Indikator Mål Kvartal 1 2026 hittills Kvartal 4 2025" "$page"
assert_contains "GET /: analyser, target, Q1's 3 and Q4's 1, with verdicts" \
	"Antal analyser som produceras ≥ 2 3 uppfyllt 1 ej uppfyllt" "$page"
assert_contains "GET /: kronor as the reports write them, – without a value" \
	"Periodresultat budget ≥ 0 kr −150 000,5 kr ej uppfyllt –" "$page"
assert_contains "GET /: no target, no value" "Prognos budgetavvikelse – – –" "$page"
assert_eq "the page reads, never writes, the manual values" "$nlog" "$(rcli XLEN "${KP}manual:log")"
tq_stop || true

# --- bad input: refused, nothing written -------------------------------------------
before=$(rcli XLEN "${KP}manual:log")
bad() { # bad WANT_STATUS WANT_MESSAGE ARGS...
	_want=$1 _msg=$2
	shift 2
	_rc=0
	"$TELEQCTL" -c "$CONF" "$@" >/dev/null 2>"$T/bad.err" || _rc=$?
	assert_eq "teleqctl $* exits $_want" "$_want" "$_rc"
	assert_contains "and says why" "$_msg" "$(cat "$T/bad.err")"
}
bad 2 "set takes a kind: manual indicator" set digital_patient_contacts 2026-Q1 5
bad 2 "unknown indicator 'nosuch'" set nosuch 2026-Q1 5
bad 2 "invalid value '-1' for analyser (a whole number >= 0)" set analyser 2026-Q1 -- -1
bad 2 "invalid value '2.5' for analyser" set analyser 2026-Q1 2.5
bad 2 "invalid value '1e3'" set periodresultat 2026-Q1 1e3
bad 2 "invalid period 'rolling'" set analyser rolling 1
bad 2 "invalid period '2026-03-05'" set analyser 2026-03-05 1
bad 2 "set takes INDICATOR PERIOD VALUE" set analyser 2026-Q1
bad 2 "note needs --analys TEXT and/or --prognos TEXT" note analyser 2026-Q1
bad 2 "--analys: holds a control character" note analyser 2026-Q1 --analys "$(printf 'a\tb')"
bad 2 "--prognos: not valid UTF-8" note analyser 2026-Q1 --prognos "$(printf 'h\345ll')"
bad 2 "--analys: longer than 2000 bytes" note analyser 2026-Q1 \
	--analys "$(head -c 2001 /dev/zero | tr '\0' a)"
bad 2 "set takes no option but -c" set analyser 2026-Q1 1 --analys x
assert_eq "nothing refused reached the audit stream" "$before" "$(rcli XLEN "${KP}manual:log")"
assert_eq "nor the hash" 3 "$(rcli HGET "${KP}manual:2026-Q1" analyser)"

# Redis gone: a runtime error (1), said on stderr
redis_stop
bad 1 "cannot connect to Redis" set analyser 2026-Q1 4

done_testing
