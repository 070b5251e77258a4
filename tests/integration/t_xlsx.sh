#!/bin/sh
# t_xlsx.sh — the follow-up as an Excel workbook (issue 18 item 4).
#
# The Q1 2026 data of t_committee / t_followup (teleq-gen --committee) is
# read with `teleqd --once`; `teleqctl report 2026-Q1 --format xlsx -o FILE`
# writes the workbook, which python3-openpyxl reads back: the sheets
# Målstyrning and Kvalitetsstyrning, the Swedish headers, the period in the
# title row, and the figures stored as numbers: 52 % as the fraction
# 265/513 = 0.5165… under a percent format, 265 and 513 as integers, the
# TeleQ mean of months 76 %. Without -o (a zip on a terminal or in a pipe)
# teleqctl refuses with a usage error (exit 2) and writes nothing.
# The seeds' manual rows (kind: manual, values from `teleqctl set`) are on
# the Målstyrning sheet under their headings as the document places them:
# a count an integer, kronor a number under a kronor format, a percent the
# fraction under a percent format, "–" where no value was entered.
#
# python3-openpyxl comes with make deps (tools/deps.sh).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
"$PY" -c 'import openpyxl' 2>/dev/null ||
	bail "python3-openpyxl is not installed (make deps: tools/deps.sh)"
make_out_dir
redis_start
write_config
# the seeds' manual rows (lib.sh), a percent one and one under a heading
cat >"$T/manual.yaml" <<'EOF'
  - name: nojda
    title: Andel nöjda
    kind: manual
    unit: percent
    target: ">= 50%"
  - name: kunskapsspridning
    title: Kunskapsspridning om stödpersonsuppdraget
    kind: manual
    target: "> 3"
    heading: Stödpersonsuppdraget
EOF
manual_rows "$T/manual.yaml"

committee_once
ctl set analyser 2026-Q1 3 >/dev/null || bail "teleqctl set failed: $(cat "$T/teleqctl.err")"
ctl set analyser 2025-Q1 2 >/dev/null
ctl set periodresultat 2026-Q1 -- -150000,50 >/dev/null
ctl set prognos_budget 2026-Q1 25000 >/dev/null
ctl set nojda 2026-Q1 52,5 >/dev/null

# --- bad usage: no -o --------------------------------------------------------
rc=0
"$TELEQCTL" -c "$CONF" report 2026-Q1 --format xlsx --today 2026-04-02 >"$T/stdout.bin" 2>"$T/usage.err" || rc=$?
assert_eq "--format xlsx without -o: exit 2" 2 "$rc"
assert_eq "and nothing on stdout" 0 "$(wc -c <"$T/stdout.bin" | tr -d ' ')"
assert_contains "and says to give -o FILE" "give it with -o FILE" "$(cat "$T/usage.err")"
rc=0
"$TELEQCTL" -c "$CONF" status --format xlsx >/dev/null 2>&1 || rc=$?
assert_eq "--format xlsx is for report: exit 2" 2 "$rc"

# --- the workbook ------------------------------------------------------------
X=$TQ_OUT/uppfoljning-2026-Q1.xlsx
rc=0
ctl report 2026-Q1 --format xlsx -o "$X" --today 2026-04-02 || rc=$?
assert_eq "teleqctl report 2026-Q1 --format xlsx -o FILE exits 0" 0 "$rc"
assert_eq "no FILE.tmp left behind" no "$([ -e "$X.tmp" ] && echo yes || echo no)"
assert_eq "the file is a zip (Office Open XML)" "PK" "$(head -c 2 "$X")"

rc=0
"$TELEQCTL" -c "$CONF" report 2026-Q1 --format xlsx -o "$T/nodir/x.xlsx" --today 2026-04-02 \
	2>"$T/nodir.err" || rc=$?
assert_eq "an unwritable -o FILE: exit 1" 1 "$rc"
assert_contains "and says which file" "$T/nodir/x.xlsx.tmp" "$(cat "$T/nodir.err")"

# One line per fact, read back by openpyxl; the shell asserts on them.
"$PY" - "$X" >"$T/cells.txt" 2>"$T/py.err" <<'PYEOF' || { diag_file "$T/py.err"; bail "openpyxl could not read the workbook"; }
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print("sheets=" + "|".join(wb.sheetnames))
for ws in wb.worksheets:
    name = ws.title
    print("%s.order=%s" % (name, "|".join(str(r[0].value) for r in ws.iter_rows(min_row=5)
                                          if r[0].value)))
    print("%s.title=%s" % (name, ws.cell(1, 1).value))
    print("%s.sub=%s" % (name, ws.cell(2, 1).value))
    hdr = [c.value for c in ws[4]]
    print("%s.headers=%s" % (name, "|".join(str(h) for h in hdr if h is not None)))
    print("%s.widthA=%s" % (name, ws.column_dimensions["A"].width))
    col = {h: i + 1 for i, h in enumerate(hdr) if h}
    for row in ws.iter_rows(min_row=5):
        title = row[0].value
        if not title:
            continue
        for h, i in col.items():
            c = ws.cell(row[0].row, i)
            print("%s|%s|%s=%s|%s|%s" % (name, title, h, type(c.value).__name__, c.value,
                                         c.number_format))
PYEOF
cells=$(cat "$T/cells.txt")
debug "$cells"
cell() {        # cell SHEET TITLE HEADER -> type|value|format
	grep -F "$1|$2|$3=" "$T/cells.txt" | head -1 | sed 's/^[^=]*=//'
}
assert_eq "two sheets, Målstyrning and Kvalitetsstyrning" "sheets=Målstyrning|Kvalitetsstyrning" \
	"$(grep '^sheets=' "$T/cells.txt")"
assert_eq "the title row names the period" "Verksamhetsuppföljning kvartal 1 2026" \
	"$(sed -n 's/^Målstyrning.title=//p' "$T/cells.txt")"
assert_match "the second row the date range" '^2026-01-01 – 2026-03-31 · jämfört med kvartal 1 2025' \
	"$(sed -n 's/^Målstyrning.sub=//p' "$T/cells.txt")"
assert_match "Målstyrning's headers: Indikatorer, Målvärde, Utfall, ..." \
	'^Indikatorer\|Målvärde\|Utfall\|Bedömning\|Täljare\|Nämnare\|' \
	"$(sed -n 's/^Målstyrning.headers=//p' "$T/cells.txt")"
assert_match "Kvalitetsstyrning's: Indikatorer, Målvärde, Delresultat, ..." \
	'^Indikatorer\|Målvärde\|Delresultat\|Bedömning\|I tid\|Avgjorda\|Pågående\|' \
	"$(sed -n 's/^Kvalitetsstyrning.headers=//p' "$T/cells.txt")"
assert_match "the first column is widened (set widths)" '^4[0-9]' \
	"$(sed -n 's/^Målstyrning.widthA=//p' "$T/cells.txt")"

D="Digitala patientkontakter"
assert_match "$D: Utfall is the number 265/513 = 0.5165… with a percent format" \
	'^float\|0\.5165[0-9]*\|0%$' "$(cell Målstyrning "$D" Utfall)"
assert_eq "$D: Täljare 265, an integer" "int|265|0" "$(cell Målstyrning "$D" Täljare)"
assert_eq "$D: Nämnare 513, an integer" "int|513|0" "$(cell Målstyrning "$D" Nämnare)"
assert_eq "$D: Täljare i fjol 200" "int|200|0" "$(cell Målstyrning "$D" "Täljare i fjol")"
assert_eq "$D: Nämnare i fjol 409" "int|409|0" "$(cell Målstyrning "$D" "Nämnare i fjol")"
assert_match "$D: Målvärde a number with its comparison in the format" '^(float|int)\|0\.[0-9]+\|"[≥>≤<] "0' \
	"$(cell Målstyrning "$D" Målvärde)"
assert_match "$D: Underlag, the follow-up's sentence" '^str\|265 av 513 ärenden ger 52 %\. Samma kvartal 2025: 200 av 409, 49 %\.' \
	"$(cell Målstyrning "$D" Underlag)"
# the TeleQ row: a mean of months, (90 + 73 + 66) / 3 = 76 %
teleq=$(grep -F '(90 + 73 + 66) / 3 = 76 %' "$T/cells.txt" | head -1 | cut -d'|' -f2)
assert_ne "a row carries the TeleQ arithmetic" "" "$teleq"
assert_match "TeleQ: Utfall 0.7633… (76 %) as a percent" '^float\|0\.763[0-9]*\|0%$' \
	"$(cell Målstyrning "$teleq" Utfall)"
assert_eq "TeleQ: no Täljare beside the mean of months (441/600 is not 76 %)" "str|–|General" \
	"$(cell Målstyrning "$teleq" Täljare)"
assert_match "the closing sentence counts the indicators met" \
	'(Alla indikatorer (utom en )?uppnås|[0-9]+ av [0-9]+ indikatorer uppnås)\.' "$cells"
assert_match "a verdict in words" '\|Bedömning=str\|uppnås( inte)?\|' "$cells"

# --- the manual rows -----------------------------------------------------------
order=$(sed -n 's/^Målstyrning.order=//p' "$T/cells.txt")
debug "Målstyrning rows: $order"
assert_match "the manual rows close the Målstyrning sheet, each heading before its rows" \
	'^Antal analyser som produceras\|Periodresultat budget\|Prognos budgetavvikelse\|Andel nöjda\|Patientärenden och informationsärenden\|.*\|Stödpersonsuppdraget\|Kunskapsspridning om stödpersonsuppdraget\|' \
	"$order"
assert_no_match "and none is on the Kvalitetsstyrning sheet" "Antal analyser" \
	"$(sed -n 's/^Kvalitetsstyrning.order=//p' "$T/cells.txt")"
A="Antal analyser som produceras"
assert_eq "$A: Utfall 3, an integer" "int|3|0" "$(cell Målstyrning "$A" Utfall)"
assert_match "$A: Målvärde 2 with its comparison" '^int\|2\|"≥ "0;' "$(cell Målstyrning "$A" Målvärde)"
assert_eq "$A: Bedömning" "str|uppnås|General" "$(cell Målstyrning "$A" Bedömning)"
assert_eq "$A: Utfall i fjol 2" "int|2|0" "$(cell Målstyrning "$A" "Utfall i fjol")"
assert_eq "$A: no Täljare (nothing counted)" "str|–|General" "$(cell Målstyrning "$A" Täljare)"
assert_eq "$A: Underlag, the document's sentence" \
	"str|Inrapporterat för hand. Samma kvartal 2025: 2.|General" "$(cell Målstyrning "$A" Underlag)"
K="Kunskapsspridning om stödpersonsuppdraget"
assert_eq "$K: no value entered: –" "str|–|General" "$(cell Målstyrning "$K" Utfall)"
assert_match "$K: Målvärde > 3" '^int\|3\|"> "0;' "$(cell Målstyrning "$K" Målvärde)"
assert_eq "$K: Bedömning värde saknas" "str|värde saknas|General" "$(cell Målstyrning "$K" Bedömning)"
P="Periodresultat budget"
assert_match "$P: Utfall -150000.5 under a kronor format" \
	'^float\|-150000\.5\|#,##0\.0" kr";"−"#,##0\.0" kr"' "$(cell Målstyrning "$P" Utfall)"
assert_match "$P: Målvärde ≥ 0 kr" '^int\|0\|"≥ "#,##0" kr"' "$(cell Målstyrning "$P" Målvärde)"
assert_eq "$P: Bedömning uppnås inte" "str|uppnås inte|General" "$(cell Målstyrning "$P" Bedömning)"
B="Prognos budgetavvikelse"
assert_match "$B: Utfall 25000 in whole kronor" '^int\|25000\|#,##0" kr"' "$(cell Målstyrning "$B" Utfall)"
assert_eq "$B: no target: –" "str|–|General" "$(cell Målstyrning "$B" Målvärde)"
N="Andel nöjda"
assert_match "$N: Utfall 52,5 % as the fraction 0.525" '^float\|0\.525\|0\.0%$' \
	"$(cell Målstyrning "$N" Utfall)"
assert_match "$N: Målvärde ≥ 50 %" '^float\|0\.5\|"≥ "0%' "$(cell Målstyrning "$N" Målvärde)"

done_testing
