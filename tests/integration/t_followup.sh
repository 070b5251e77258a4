#!/bin/sh
# t_followup.sh — the committee's follow-up document (issue 18 items 1, 6).
#
# The Q1 2026 data of t_committee (teleq-gen --committee) is read with
# `teleqd --once`; `teleqctl report 2026-Q1 --format html -o FILE` writes
# the follow-up, which headless Chromium prints to PDF (A4). pdftotext
# must show the committee's figures (265 av 513 ger 52 %, the same quarter
# 2025 200 av 409, 49 %, the TeleQ mean (90 + 73 + 66) / 3 = 76 %, the
# verdicts, the closing sentence and the postponements by age group, "Uppskov:
# < 19 år 1 ärende, > 19 år 18 ärenden"), and pdftoppm renders page 1 to a PNG
# kept in build/test-output/t_followup/ to look at. The daemon serves the
# same document as GET /rapport?period=2026-Q1 (a bad period is 400), and
# a period still running (--today 2026-02-14) carries the prognosis.
#
# Chromium and poppler-utils come with make deps (tools/deps.sh). Without
# them the browser checks are skipped ("# skip"), except under CI (CI set),
# where a missing tool fails the test.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
CHROMIUM=${CHROMIUM:-chromium}
make_out_dir
redis_start
write_config

committee_once

# --- teleqctl --format html ----------------------------------------------------
rc=0
ctl report 2026-Q1 --format html -o "$TQ_OUT/followup-2026-Q1.html" --today 2026-04-02 || rc=$?
assert_eq "teleqctl report 2026-Q1 --format html -o FILE exits 0" 0 "$rc"
HTML=$TQ_OUT/followup-2026-Q1.html
assert_eq "no FILE.tmp left behind" no "$([ -e "$HTML.tmp" ] && echo yes || echo no)"
assert_eq "-o writes what stdout gets" "$(ctl report 2026-Q1 --format html --today 2026-04-02)" "$(cat "$HTML")"
html=$(sed 's/&nbsp;/ /g' "$HTML")
assert_contains "the document holds the basis sentence" "265 av 513 ärenden ger 52 %." "$html"
assert_contains "and the same quarter last year" "Samma kvartal 2025: 200 av 409, 49 %." "$html"
assert_contains "and the TeleQ arithmetic" "(90 + 73 + 66) / 3 = 76 %" "$html"
assert_contains "and the postponements by age group, as the committee counts them (cases)" \
	"Uppskov: &lt; 19 år 1 ärende, &gt; 19 år 18 ärenden." "$html"
assert_no_match "and no fill-in-by-hand placeholder for them" 'fyll i för hand' "$html"
assert_no_match "the document has no http:// or https:// (self-contained)" 'https?://' "$html"
assert_no_match "the document has no script" '<[sS][cC][rR][iI][pP][tT]' "$html"
assert_no_match "a closed quarter has no prognosis" 'Prognos' "$html"

# --- a running period: the prognosis, in the document and in the JSON ---------
rc=0
ctl report 2026-Q1 --format html --today 2026-02-14 >"$TQ_OUT/followup-running.html" || rc=$?
assert_eq "teleqctl report 2026-Q1 --format html --today 2026-02-14 exits 0" 0 "$rc"
running=$(sed 's/&nbsp;/ /g' "$TQ_OUT/followup-running.html")
assert_contains "a running quarter says so" "Perioden pågår: utfall till och med 2026-02-14." "$running"
assert_match "and gives the prognosis with its method" \
	'Prognos: [0-9]+ % \(utfallet hittills och resterande månader med snittet av de senaste tre\)\.' "$running"
rc=0
report_json 2026-Q1 "$T/running.json" --today 2026-02-14 || rc=$?
assert_eq "teleqctl report 2026-Q1 --format json --today 2026-02-14 exits 0" 0 "$rc"
# January 90/100, February 219/300 (its counts are in whole, but 14 of 28 days
# have passed: scaled to 438/600), March at their mean: (0.9 + 0.73 + 0.815) / 3
assert_approx "JSON projection of the TeleQ mean (0.90, 0.73, March at 0.815)" 0.815 \
	"$(jget "$T/running.json" analog_patient_contacts projection)"
report_json 2026-Q1 "$T/closed.json" --today 2026-04-02
assert_no_match "a closed quarter's JSON has no projection" 'projection' "$(cat "$T/closed.json")"
rc=0
text=$(ctl report 2026-Q1 --today 2026-02-14) || rc=$?
assert_contains "the text report lists the prognosis" "Prognos (utfallet hittills" "$text"

# --- the daemon: GET /rapport ---------------------------------------------------
tq_start
_listening() {
	grep -q 'http: listening on ' "$TQ_LOG"
}
wait_for 10 _listening || bail "no 'http: listening on' line in the daemon's log"
status() { cat "$T/status"; }
header() { sed -n "s/^$1: //p" "$T/headers"; }
_served() {
	http_req GET "/rapport?period=2026-Q1" "$T/rapport.html"
	[ "$(status)" = 200 ]
}
wait_for 10 _served || true
assert_eq "GET /rapport?period=2026-Q1: 200" 200 "$(status)"
assert_eq "GET /rapport: text/html; charset=utf-8" "text/html; charset=utf-8" "$(header Content-Type)"
assert_match "GET /rapport: a CSP that allows no script and nothing external" \
	"^default-src 'none'; style-src 'unsafe-inline'" "$(header Content-Security-Policy)"
assert_contains "GET /rapport holds the committee's basis" "265 av 513 ärenden ger 52 %." \
	"$(sed 's/&nbsp;/ /g' "$T/rapport.html")"
assert_contains "GET /rapport holds the postponements by age group" \
	"Uppskov: &lt; 19 år 1 ärende, &gt; 19 år 18 ärenden." "$(sed 's/&nbsp;/ /g' "$T/rapport.html")"
for bad in "2026-Q5" "2026-13" "x" "2026-Q1%00" "$(printf '%040d' 1)"; do
	http_req GET "/rapport?period=$bad"
	assert_eq "GET /rapport?period=$bad: 400" 400 "$(status)"
done
http_req POST "/rapport?period=2026-Q1"
assert_eq "POST /rapport: 405" 405 "$(status)"
rc=0
tq_stop || rc=$?
assert_eq "teleqd stops cleanly" 0 "$rc"

# --- printed: Chromium to PDF, pdftotext, pdftoppm ------------------------------
missing=""
command -v "$CHROMIUM" >/dev/null 2>&1 || missing="$missing $CHROMIUM"
command -v pdftotext >/dev/null 2>&1 || missing="$missing pdftotext"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing pdftoppm"
if [ -n "$missing" ]; then
	[ -z "${CI:-}" ] || bail "not installed:$missing (tools/deps.sh installs chromium and poppler-utils)"
	skip "the follow-up prints to PDF and shows the committee's figures" "not installed:$missing (make deps)"
	done_testing
fi
PDF=$TQ_OUT/followup-2026-Q1.pdf
rc=0
timeout -k 5 "$(slow_secs 60)" "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-proxy-server \
	--user-data-dir="$T/chromium" --no-pdf-header-footer --print-to-pdf="$PDF" "file://$HTML" \
	>>"$T/chromium.log" 2>&1 || rc=$?
assert_eq "chromium --print-to-pdf exits 0" 0 "$rc"
[ -s "$PDF" ] || { diag_file "$T/chromium.log"; bail "chromium wrote no PDF"; }
pdftotext -layout "$PDF" "$T/pdf.txt"
# a sentence may wrap: compare with the lines joined
# (and a no-break space, U+00A0, a space)
pdftext=$(sed 's/\xc2\xa0/ /g' "$T/pdf.txt" | tr '\n' ' ' | tr -s ' ')
for want in "Verksamhetsuppföljning" "Kvartal 1 2026" "Målstyrning" "Kvalitetsstyrning" \
	"Digitala patientkontakter" "265 av 513 ärenden ger 52 %." "Samma kvartal 2025: 200 av 409, 49 %." \
	"(90 + 73 + 66) / 3 = 76 %" "uppnås inte" "Uppskov: < 19 år 1 ärende, > 19 år 18 ärenden."; do
	assert_contains "the PDF shows '$want'" "$want" "$pdftext"
done
assert_match "the PDF ends each table with the count of indicators met" \
	'(Alla indikatorer (utom en )?uppnås|[0-9]+ av [0-9]+ indikatorer uppnås)\.' "$pdftext"
pages=$(pdfinfo "$PDF" 2>/dev/null | sed -n 's/^Pages: *//p')
size=$(pdfinfo "$PDF" 2>/dev/null | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\).*/\1 \2/p')
assert_eq "the PDF is A4 (595 x 842 pt)" "595 842" "$(echo "$size" | awk '{ printf "%.0f %.0f", $1, $2 }')"
assert_match "the follow-up fits on at most 2 pages ($pages)" '^[12]$' "$pages"
rc=0
pdftoppm -png -r 60 -f 1 -l 1 "$PDF" "$TQ_OUT/followup-page" || rc=$?
assert_eq "pdftoppm renders page 1" 0 "$rc"
assert_eq "a PNG of page 1 for a person to look at" yes \
	"$(ls "$TQ_OUT"/followup-page*1.png >/dev/null 2>&1 && echo yes || echo no)"

done_testing
