#!/bin/sh
# t_dashboard.sh — the dashboard page (/) and /api/indicators.
#
# Known data: the committee's Q1 2025 and Q1 2026 (teleq-gen --committee)
# and, added by hand, October 2025 with 5 patient cases (3 via 1177) and
# November 2025 with 6 (4 via 1177); http.min_cases is 6. The calendar is
# 15 March 2026 (TELEQD_TEST_CLOCK), for the daemon and teleqctl alike.
#
# The page is loaded by a real browser: headless Chromium (Debian's
# chromium package; the test fails, never skips, without it) dumps the
# rendered DOM and takes screenshots (desktop and phone width), kept in
# build/test-output/t_dashboard/ ($TQ_OUT_DIR). The rendered text must hold
# the Swedish labels, the basis "265 av 513", "för få ärenden" for October
# (5 < 6 cases) but 67 % (4 av 6) for November, and 13 month labels in
# every chart. /api/indicators must equal `teleqctl report --format json`
# for the same period (byte for byte and parsed), with hand-checked
# figures; a bad period is 400, POST 405, Redis down 503. While Redis is
# frozen (SIGSTOP): 8 requests wait and end in 503 after the timeout, a
# 9th is refused at once, a client that hangs up does no harm, a reload
# (the store freed under pending requests) answers them 503, and SIGTERM
# with a request pending exits cleanly (VALGRIND=1: no leak, no error).
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null 2>&1 ||
	bail "$CHROMIUM not found: the dashboard test renders the page in a real browser; install it with make deps (Debian package chromium)"
AOF="--appendonly yes --appendfsync always"
make_out_dir

# --- data, config and clock --------------------------------------------------
redis_start $AOF
# the 2025 re-exported cases keep their seen sets whatever today's date is
# the generated committee data runs to 31 March, past the fake calendar (15 March)
# lease 60s: Redis is frozen past the page's 10 s timeout below, and a writer
# whose lease lapses (10 s by default) drops its connection first (t_lease)
write_config window_days=3660 min_cases=6 accept_ahead=366d lease=60s
[ "$(grep -c '^  min_cases: 6$' "$CONF")" = 1 ] || bail "no 'min_cases:' line in the http: section of $CONF"
"$TELEQD" -n -c "$CONF" >/dev/null || bail "the test config does not check"

"$GEN" --committee "$T/feeds" >"$T/gen.out" || bail "teleq-gen --committee failed"
SMALL=$(jsonl_path small)
{
	# October 2025: 5 patient cases, 3 via 1177; November: 6, 4 via 1177
	for i in 1 2 3; do json_line "PN-oct-$i" "2025-10-0${i}T10:00:00+02:00" web; done
	for i in 4 5; do json_line "PN-oct-$i" "2025-10-0${i}T10:00:00+02:00" phone; done
	for i in 1 2 3 4; do json_line "PN-nov-$i" "2025-11-0${i}T10:00:00+01:00" web; done
	for i in 5 6; do json_line "PN-nov-$i" "2025-11-0${i}T10:00:00+01:00" letter; done
} >"$SMALL"

# 15 March 2026, 12:00 in Stockholm
echo 1773572400 >"$T/clock"
TELEQD_TEST_CLOCK=$T/clock
export TELEQD_TEST_CLOCK

rc=0
tq_once || rc=$?
assert_eq "teleqd --once reads the data" 0 "$rc"
tq_start
_listening() {
	grep -q 'http: listening on ' "$TQ_LOG"
}
wait_for 10 _listening || bail "no 'http: listening on' line in the daemon's log"
PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | head -n 1 | sed 's/.*://')
[ -n "$PORT" ] && [ "$PORT" != 0 ] || bail "no port in the daemon's log"
BASE=http://127.0.0.1:$PORT

# --- helpers ---------------------------------------------------------------------

status() { cat "$T/status"; }
header() { sed -n "s/^$1: //p" "$T/headers"; }
_status_is() {
	http_req GET "$2" "$T/poll"
	[ "$(status)" = "$1" ]
}

# chromium_run ARGS...: headless Chromium with a fresh profile, no proxy.
CHR_N=0
chromium_run() {
	CHR_N=$((CHR_N + 1))
	timeout -k 5 "$(slow_secs 60)" "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--no-proxy-server --user-data-dir="$T/chromium-$CHR_N" "$@" 2>>"$T/chromium.log"
}

# --- the page in a browser ------------------------------------------------------------
http_req GET / "$T/page.html"
assert_eq "GET /: 200" 200 "$(status)"
assert_eq "GET /: text/html; charset=utf-8" "text/html; charset=utf-8" "$(header Content-Type)"
assert_eq "GET /: Cache-Control no-store" "no-store" "$(header Cache-Control)"
assert_match "GET /: a CSP that allows no script and nothing external" "^default-src 'none'; style-src 'unsafe-inline'" \
	"$(header Content-Security-Policy)"
assert_no_match "the page has no http:// or https:// (self-contained)" 'https?://' "$(cat "$T/page.html")"
assert_no_match "the page has no script" '<[sS][cC][rR][iI][pP][tT]' "$(cat "$T/page.html")"
http_req HEAD /
assert_eq "HEAD /: 200" 200 "$(status)"
assert_eq "HEAD /: no body" 0 "$(wc -c <"$T/body")"

rc=0
chromium_run --dump-dom "$BASE/" >"$T/dom.html" || rc=$?
assert_eq "chromium --dump-dom loads the page" 0 "$rc"
[ -s "$T/dom.html" ] || { diag_file "$T/chromium.log"; bail "chromium dumped no DOM"; }
cp "$T/dom.html" "$TQ_OUT/dashboard-dom.html"

# The rendered DOM: its text (scripts and styles left out) and, per chart,
# the month labels and the hover texts of the points.
"$PY" - "$T/dom.html" "$T" <<'EOF_PY' || bail "cannot parse the dumped DOM"
import sys, html.parser
src, tdir = sys.argv[1:]
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.text, self.charts, self.card = [], [], [], None
        self.cards = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("meta", "br", "img", "link", "input", "hr"):
            return      # HTML void elements: no end tag follows
        self.stack.append((tag, a))
        if tag == "section" and a.get("id", "").startswith("ind-"):
            self.card = a["id"][4:]
            self.cards[self.card] = []
        if tag == "svg":
            self.charts.append({"card": self.card, "months": [], "titles": []})
    def handle_endtag(self, tag):
        if tag not in [t for t, _ in self.stack]:
            return
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if "style" in tags or "script" in tags:
            return
        self.text.append(data)
        if self.card:
            self.cards[self.card].append(data)
        if tags and tags[-1] == "text" and self.stack[-1][1].get("class") == "m":
            self.charts[-1]["months"].append(data)
        if tags and tags[-1] == "title" and "svg" in tags:
            self.charts[-1]["titles"].append(data)
p = P()
p.feed(open(src, encoding="utf-8").read())
open(tdir + "/dom.txt", "w").write(" ".join(" ".join(p.text).split()) + "\n")
with open(tdir + "/charts.txt", "w") as f:
    for c in p.charts:
        f.write("%s %d %s\n" % (c["card"], len(c["months"]), ",".join(c["months"])))
with open(tdir + "/titles.txt", "w") as f:
    for c in p.charts:
        for t in c["titles"]:
            f.write("%s|%s\n" % (c["card"], t))
for name, parts in p.cards.items():
    open(tdir + "/card-" + name + ".txt", "w").write(" ".join(" ".join(parts).split()) + "\n")
EOF_PY
TEXT=$(cat "$T/dom.txt")
for label in "Målstyrning" "Läget den 15 mars 2026" "Innevarande kvartal: kvartal 1 2026" \
	"Period" "Utfall" "Underlag" "Målet" "Mars 2026 hittills" "Kvartal 1 2026 hittills" \
	"Kvartal 1 2025 (i fjol)" "ej uppfyllt" "Digitala patientkontakter" \
	"Analoga patientkontakter" "Ökning av antalet patientärenden" "Mål: ≥ 55 %" \
	"Kvalitetsstyrning" "Februari 2026" "Kvartal 4 2025"; do
	assert_contains "the rendered page shows '$label'" "$label" "$TEXT"
done
D=digital_patient_contacts
CARD=$(cat "$T/card-$D.txt")
assert_contains "$D: Q1 2026 52 %, 265 av 513, not met" "Kvartal 1 2026 hittills 52 % 265 av 513 ej uppfyllt" "$CARD"
assert_contains "$D: Q1 2025 49 %, 200 av 409" "Kvartal 1 2025 (i fjol) 49 % 200 av 409 ej uppfyllt" "$CARD"
assert_contains "$D: March 2026 so far 51 %, 90 av 175" "Mars 2026 hittills 51 % 90 av 175 ej uppfyllt" "$CARD"
assert_contains "analog_patient_contacts: Q1 2026 mean of months 76 %, met, with its months" \
	"Kvartal 1 2026 hittills 76 % 90 % + 73 % + 66 % → medel 76 % uppfyllt" "$(cat "$T/card-analog_patient_contacts.txt")"
assert_contains "the page shows 'för få ärenden'" "för få ärenden" "$TEXT"
assert_match "the page gives this month's overview in the summary's words" \
	'Mars 2026 hittills: [0-9]+ av [0-9]+ indikatorer under målet' "$TEXT"
TITLES=$(cat "$T/titles.txt")
assert_contains "$D: October 2025 (5 cases < min_cases 6) is 'för få ärenden'" \
	"$D|oktober 2025: för få ärenden" "$TITLES"
assert_no_match "$D: October's ratio (3 av 5) is not shown" '3 av 5|60 %' "$(grep "^$D|oktober" "$T/titles.txt")"
assert_contains "$D: November 2025 (6 cases = min_cases) is shown: 67 % (4 av 6)" \
	"$D|november 2025: 67 % (4 av 6)" "$TITLES"
assert_contains "$D: March 2025 in the chart" "$D|mars 2025: 49 % (68 av 140)" "$TITLES"
assert_contains "$D: the current month marked as so far" "$D|mars 2026 (hittills): 51 % (90 av 175)" "$TITLES"
NIND=$(awk '/^indicators:/ { i = 1; next } /^[^ #]/ { i = 0 } i && /^  - name:/ { n++ } END { print n + 0 }' "$CONF")
assert_eq "one chart per indicator ($NIND)" "$NIND" "$(wc -l <"$T/charts.txt")"
bad=$(awk '$2 != 13' "$T/charts.txt")
assert_eq "every chart has 13 month labels" "" "$bad"
assert_eq "the months run from March 2025 to March 2026" \
	"mar,apr,maj,jun,jul,aug,sep,okt,nov,dec,jan,feb,mar" "$(awk '{ print $3; exit }' "$T/charts.txt")"
assert_eq "every chart has a dashed target line" "$NIND" \
	"$(grep -o '<line class="target"[^>]*stroke-dasharray' "$T/dom.html" | wc -l)"

# Screenshots, kept after the test: a laptop and a phone.
rc=0
chromium_run --hide-scrollbars --window-size=1280,1600 --screenshot="$TQ_OUT/dashboard.png" "$BASE/" \
	>/dev/null || rc=$?
assert_eq "chromium takes a screenshot (1280 px wide)" 0 "$rc"
rc=0
chromium_run --hide-scrollbars --window-size=390,3200 --screenshot="$TQ_OUT/dashboard-phone.png" \
	"$BASE/" >/dev/null || rc=$?
assert_eq "chromium takes a screenshot (390 px wide, a phone)" 0 "$rc"
for f in dashboard.png dashboard-phone.png; do
	assert_eq "$f is a PNG" "89504e470d0a1a0a" "$(od -An -N8 -tx1 "$TQ_OUT/$f" 2>/dev/null | tr -d ' \n')"
	sz=$(wc -c <"$TQ_OUT/$f" 2>/dev/null || echo 0)
	if [ "$sz" -gt 20000 ]; then
		ok "$f is not blank ($sz bytes)"
	else
		not_ok "$f is not blank ($sz bytes)"
	fi
done
diag "screenshots: $TQ_OUT/dashboard.png $TQ_OUT/dashboard-phone.png"

# --- 2 April 2026: nothing counted yet this month or quarter (issue 18) -----------
# The page shows March and Q1 (the last closed ones) with the committee's
# figures, "inga ärenden" for April, and April as a gap, not a mark on 0 %.
echo 1775109600 >"$T/clock"     # 2026-04-02 08:00 in Stockholm
http_req GET / "$T/april.html"
assert_eq "GET / on 2 April: 200" 200 "$(status)"
cp "$T/april.html" "$TQ_OUT/dashboard-april.html"
APRIL=$("$PY" -c 'import sys, re, html; t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"(?s)<style>.*?</style>|<title>.*?</title>", " ", t)
print(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", t)).split()))' "$T/april.html")
assert_contains "2 April: April so far has no cases" "April 2026 hittills inga ärenden" "$APRIL"
assert_contains "2 April: March, the last closed month" "Mars 2026 " "$APRIL"
assert_contains "2 April: Q1 2026, the committee's 52 %" "Kvartal 1 2026 52 % 265 av 513 ej uppfyllt" "$APRIL"
assert_contains "2 April: Q1 2025 beside it" "Kvartal 1 2025 (i fjol) 49 % 200 av 409 ej uppfyllt" "$APRIL"
assert_contains "2 April: TeleQ Q1 as its months and mean" "Kvartal 1 2026 76 % 90 % + 73 % + 66 % → medel 76 % uppfyllt" "$APRIL"
assert_contains "2 April: the quarter so far has no cases" "Kvartal 2 2026 hittills inga ärenden" "$APRIL"
assert_no_match "2 April: no gap is drawn as a circle" '<circle class="gap"' "$(cat "$T/april.html")"
assert_contains "2 April: April is a gap with its reason" "april 2026 (hittills): inga ärenden</title></rect>" "$(cat "$T/april.html")"
rc=0
chromium_run --hide-scrollbars --window-size=1200,2000 --screenshot="$TQ_OUT/dashboard-april.png" \
	"file://$TQ_OUT/dashboard-april.html" >/dev/null || rc=$?
assert_eq "chromium takes a screenshot of 2 April" 0 "$rc"
diag "screenshot of 2 April: $TQ_OUT/dashboard-april.png"
echo 1773572400 >"$T/clock"     # back to 15 March 2026, 12:00

# --- /api/indicators against teleqctl -----------------------------------------------
# same_json DESCRIPTION A B: equal bytes, and equal as parsed JSON.
same_json() {
	if cmp -s "$2" "$3"; then
		ok "$1: byte for byte"
	else
		not_ok "$1: byte for byte"
		diff "$2" "$3" | head -n 10 | sed 's/^/#     /'
	fi
	if "$PY" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
		"$2" "$3" 2>/dev/null; then
		ok "$1: as JSON"
	else
		not_ok "$1: as JSON"
	fi
}
for p in 2026-Q1 2026-03 2026-02 2025-Q1 2026-H1 2025-H2 2026 2025 2025-10 2026-03-05 rolling; do
	http_req GET "/api/indicators?period=$p" "$T/api-$p.json"
	assert_eq "GET /api/indicators?period=$p: 200" 200 "$(status)"
	rc=0
	report_json "$p" "$T/ctl-$p.json" || rc=$?
	assert_eq "teleqctl report $p --format json exits 0" 0 "$rc"
	same_json "/api/indicators?period=$p equals teleqctl report $p" "$T/ctl-$p.json" "$T/api-$p.json"
done
assert_eq "/api/indicators: application/json" "application/json" "$(header Content-Type)"
assert_eq "/api/indicators: Cache-Control no-store" "no-store" "$(header Cache-Control)"
http_req GET /api/indicators "$T/api-default.json"
assert_eq "GET /api/indicators (no period): 200" 200 "$(status)"
same_json "no period is the current month (2026-03)" "$T/ctl-2026-03.json" "$T/api-default.json"
http_req GET '/api/indicators?period=2026-q1&x=1' "$T/api-q1.json"
same_json "period=2026-q1 (as teleqctl takes it), other arguments ignored" "$T/ctl-2026-Q1.json" "$T/api-q1.json"

# by hand, from the committee's figures
J=$T/api-2026-Q1.json
assert_eq "$D numerator" 265 "$(jget "$J" $D numerator)"
assert_eq "$D denominator" 513 "$(jget "$J" $D denominator)"
assert_approx "$D value 265/513" 0.5166 "$(jget "$J" $D value)"
assert_approx "$D target" 0.55 "$(jget "$J" $D target)"
assert_eq "$D cmp" ">=" "$(jget "$J" $D cmp)"
assert_eq "$D met" false "$(jget "$J" $D met)"
assert_eq "$D period" 2026-Q1 "$(jget "$J" $D period)"
assert_eq "$D title" "Digitala patientkontakter" "$(jget "$J" $D title)"
assert_eq "$D previous year 200 of 409" "200 409" \
	"$(jget "$J" $D previous_year.numerator) $(jget "$J" $D previous_year.denominator)"
assert_approx "$D previous year value" 0.4890 "$(jget "$J" $D previous_year.value)"
assert_eq "$D previous year period" 2025-Q1 "$(jget "$J" $D previous_year.period)"
assert_eq "analog_patient_contacts months" "0.9 0.73 0.66" "$(jget "$J" analog_patient_contacts months)"
assert_approx "analog_patient_contacts mean of months" 0.7633 "$(jget "$J" analog_patient_contacts value)"
assert_eq "2025-10 $D: 3 of 5 (the API is not the page: no min_cases)" "3 5" \
	"$(jget "$T/api-2025-10.json" $D numerator) $(jget "$T/api-2025-10.json" $D denominator)"

# --- errors ------------------------------------------------------------------------
for q in 'period=2026-13' 'period=' 'period=2026-Q5' 'period=yesterday' \
	"period=$(printf '2%.0s' $(seq 1 40))" 'period=2026-03%00'; do
	http_req GET "/api/indicators?$q"
	assert_eq "GET /api/indicators?$q: 400" 400 "$(status)"
	assert_contains "  with a reason" "bad period" "$(cat "$T/body")"
done
http_req POST /
assert_eq "POST /: 405" 405 "$(status)"
assert_eq "POST /: Allow: GET, HEAD" "GET, HEAD" "$(header Allow)"
http_req POST /api/indicators
assert_eq "POST /api/indicators: 405" 405 "$(status)"
http_req DELETE '/api/indicators?period=2026-Q1'
assert_eq "DELETE /api/indicators: 405" 405 "$(status)"
http_req GET /api/indicators/
assert_eq "GET /api/indicators/: 404" 404 "$(status)"
http_req GET /index.html
assert_eq "GET /index.html: 404" 404 "$(status)"
http_req GET '/?period=nonsense'
assert_eq "GET /?period=nonsense: the page ignores the query" 200 "$(status)"

# --- Redis frozen: timeouts, the cap, a client that hangs up, a reload -----------
RPID=$REDIS_PID
kill -STOP "$RPID"
# a client that gives up before the answer (its job keeps one of the 8 places)
http_req GET / "$T/gone" 1
assert_eq "a client that hangs up after 1 s gets nothing" 000 "$(status)"
PIDS=
i=1
while [ $i -le 7 ]; do
	"$PY" - "$PORT" "$T/slow-$i" <<'EOF_PY' &
import sys, urllib.request, urllib.error
port, out = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open("http://127.0.0.1:%s/api/indicators?period=2026-Q1" % port, timeout=60) as r:
        res = "%d %s" % (r.status, r.read().decode().strip())
except urllib.error.HTTPError as e:
    res = "%d %s" % (e.code, e.read().decode().strip())
except Exception as e:
    res = "000 %s" % e
open(out, "w").write(res + "\n")
EOF_PY
	PIDS="$PIDS $!"
	i=$((i + 1))
done
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $PIDS"
sleep "$(slow_secs 1)"
t0=$(now_ms)
http_req GET / "$T/busy" 30
assert_eq "a 9th request while 8 wait for Redis: 503 at once" 503 "$(status)"
assert_contains "  'busy'" "busy" "$(cat "$T/busy")"
if tq_slow; then
	skip "  answered within 1 s" "$TQ_SLOW_WHY"
else
	assert_ok "  answered within 1 s ($(($(now_ms) - t0)) ms)" [ $(($(now_ms) - t0)) -lt 1000 ]
fi
for p in $PIDS; do wait "$p" || true; done
TQ_EXTRA_PIDS=
res=$(cat "$T"/slow-* | sort | uniq -c | sed 's/^ *//')
assert_eq "the 7 waiting requests end in 503 after the timeout" "7 503 redis did not answer in time" "$res"
assert_ok "the daemon answered a client that had hung up, and runs" alive "$TQ_PID"
kill -CONT "$RPID"
if wait_for 20 _status_is 200 /; then
	ok "Redis thawed: the page answers 200 again"
else
	not_ok "Redis thawed: the page answers 200 again (got $(status))"
fi
assert_ok "the daemon still runs" alive "$TQ_PID"

# a reload frees the store under two pending requests: both answered 503 at once
kill -STOP "$RPID"
PIDS=
for i in 1 2; do
	"$PY" - "$PORT" "$T/reload-$i" <<'EOF_PY' &
import sys, time, urllib.request, urllib.error
port, out = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
t0 = time.time()
try:
    with opener.open("http://127.0.0.1:%s/" % port, timeout=60) as r:
        res = "%d" % r.status
except urllib.error.HTTPError as e:
    res = "%d %s" % (e.code, e.read().decode().strip())
except Exception as e:
    res = "000 %s" % e
open(out, "w").write("%s|%.1f\n" % (res, time.time() - t0))
EOF_PY
	PIDS="$PIDS $!"
done
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $PIDS"
sleep "$(slow_secs 1)"
kill -HUP "$TQ_PID"
for p in $PIDS; do wait "$p" || true; done
TQ_EXTRA_PIDS=
assert_eq "a reload answers the pending requests: 503 redis connection lost" \
	"2 503 redis connection lost" "$(cut -d'|' -f1 "$T"/reload-* | sort | uniq -c | sed 's/^ *//')"
if tq_slow; then
	skip "  before the timeout" "$TQ_SLOW_WHY"
else
	assert_eq "  before the 10 s timeout" "" "$(awk -F'|' '$2 >= 9' "$T"/reload-*)"
fi
kill -CONT "$RPID"
if wait_for 30 _status_is 200 /api/indicators; then
	ok "after the reload /api/indicators answers 200"
else
	not_ok "after the reload /api/indicators answers 200 (got $(status))"
fi
same_json "after the reload the figures are the same" "$T/ctl-2026-03.json" "$T/poll"

# --- Redis down: 503 -------------------------------------------------------------
redis_stop
if wait_for 10 _status_is 503 /; then
	ok "GET /: 503 while Redis is down"
else
	not_ok "GET /: 503 while Redis is down (got $(status))"
fi
assert_eq "  'redis not ready'" "redis not ready" "$(cat "$T/poll")"
http_req GET '/api/indicators?period=2026-Q1'
assert_eq "GET /api/indicators: 503 while Redis is down" 503 "$(status)"
http_req GET '/api/indicators?period=2026-13'
assert_eq "GET /api/indicators?period=2026-13 while Redis is down: still 503 (Redis first)" 503 "$(status)"
http_req GET /healthz
assert_eq "/healthz says 503 too" 503 "$(status)"
redis_start $AOF
if wait_for 20 _status_is 200 '/api/indicators?period=2026-Q1'; then
	ok "Redis back: /api/indicators 200"
else
	not_ok "Redis back: /api/indicators 200 (got $(status))"
fi
same_json "Redis back: the same figures" "$T/ctl-2026-Q1.json" "$T/poll"

# SIGTERM while a request waits for a frozen Redis: the listener goes first,
# the store after it (its pending callbacks answer nobody); a clean exit
kill -STOP "$REDIS_PID"
"$PY" - "$PORT" <<'EOF_PY' >/dev/null 2>&1 &
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    opener.open("http://127.0.0.1:%s/" % sys.argv[1], timeout=60).read()
except Exception:
    pass
EOF_PY
PIDS=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $PIDS"
sleep "$(slow_secs 1)"
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM with a request waiting for Redis: exit status 0" 0 "$rc"
wait "$PIDS" || true
TQ_EXTRA_PIDS=
kill -CONT "$REDIS_PID"
diag "screenshots kept: $TQ_OUT/dashboard.png, $TQ_OUT/dashboard-phone.png"
done_testing
