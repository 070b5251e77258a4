#!/bin/sh
# t_alerts.sh — alerts to the samordnare, end to end, on a fake calendar.
#
# The daemon runs with TELEQD_TEST_CLOCK pointing at a file this test
# rewrites to move time. Mail goes to a capture script standing in for
# sendmail (one file per message; it fails with exit 75 while a flag file
# exists); the webhook goes to a loopback receiver that answers 500 to the
# first attempt of each alert and 200 afterwards.
#
#   1. A month of calls crossing the targets: early warnings for both TeleQ
#      indicators, "resolved" when they recover, a flap within the repeat
#      interval kept quiet, announced once it has lasted the interval. A
#      warning states the running quarter's projection and its method.
#   2. The month closes: nothing before close + grace, then one summary of
#      March and one of Q1; a restart sends neither again.
#      The March subject counts the indicators without data. Both list the
#      manual rows still without a value; the Q1 one (attach_report) carries
#      the follow-up as uppfoljning-2026-Q1.html, the same figures as its text.
#   3. A failing sendmail and a kill -9 between breach and delivery: the
#      message stays in the outbox (tries and error recorded) and is
#      delivered exactly once after the restart, once sendmail works.
#      April, a month without any data, is summarized as "Inga data för
#      april 2026: ..." and never as an all-clear.
#   4. A webhook answering 500 then 200: retried, delivered once, the same
#      Idempotency-Key both times, the outbox empty afterwards.
#   5. Redis (AOF on) going down while sendmail is delivering: the outcome is
#      recorded when Redis is back, and nothing is sent twice.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
AOF="--appendonly yes --appendfsync always"
redis_start $AOF

MAIL=$MAIL_DIR          # lib.sh's sendmail stand-in stores messages here
export TELEQD_TEST_CLOCK=$T/clock

# alert_config [EXTRA-YAML-LINES]: the shipped config with quick checks and
# retries, and extra lines under alerts:.
alert_config() {
	write_config check_interval_ms=200 retry_min=1s retry_max=2s max_delay_ms=50 \
	    attach_report=true
	# two of the seeds' manual rows (issue 18), right after "indicators:"
	awk '{ print }
	/^indicators:/ {
		print "  - name: analyser"
		print "    title: Antal analyser som produceras"
		print "    kind: manual"
		print "  - name: periodresultat"
		print "    title: Periodresultat budget"
		print "    kind: manual"
		print "    unit: kr"
	}' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
	awk -v extra="${1:-}" '
		/^alerts:/ { print; if (extra != "") print extra; next }
		{ print }' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
	"$TELEQD" -n -c "$CONF" >/dev/null || bail "alert config rejected: $("$TELEQD" -n -c "$CONF" 2>&1)"
}

# subjects: the decoded Subject of every captured mail, sorted.
subjects() {
	"$PY" - "$MAIL" <<'EOF_PY'
import email, email.policy, glob, sys
out = []
for f in glob.glob(sys.argv[1] + "/*.eml"):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    out.append(str(m["Subject"]))
for s in sorted(out):
    print(s)
EOF_PY
}
# mail_body ERE: the decoded body of the first captured mail whose subject matches.
mail_body() {
	"$PY" - "$MAIL" "$1" <<'EOF_PY'
import email, email.policy, glob, re, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if re.search(sys.argv[2], str(m["Subject"])):
        print(m.get_body().get_content())
        break
EOF_PY
}
# mails_matching ERE: how many captured subjects match.
mails_matching() {
	subjects | grep -cE "$1" || true
}
_mails_at_least() {
	[ "$(mails_matching "$1")" -ge "$2" ]
}
# stream_kinds: the kind of every entry of the alerts stream, in order.
stream_kinds() {
	rcli XRANGE "${KP}alerts" - + | awk 'prev == "kind" { print } { prev = $0 }'
}
outbox_len() {
	rcli ZCARD "${KP}outbox:due"
}
_outbox_empty() {
	[ "$(outbox_len)" = 0 ] && [ "$(rcli HLEN "${KP}outbox")" = 0 ]
}

# calls DAY N RESULT: N calls on DAY (CSV lines with their fake personal data).
calls() {
	csv_calls "$1" "$2" "$3" 09 >>"$F"
}

# half_booked CLOCK BOOKED-DAY FULL-DAY TOTAL DESCRIPTION: teleqd started on
# the calendar at CLOCK; 10 booked calls on BOOKED-DAY and 10 full ones on
# FULL-DAY (a month at 50 %, below target); one check that the total is TOTAL.
half_booked() {
	set_clock "$1"
	tq_start
	calls "$2" 10 "$R_BOOKED"
	calls "$3" 10 "$R_FULL"
	assert_ok "$5" wait_events "$4" 10
}

# ------------------------------------------------ 1. crossing the target
alert_config
F=$(csv_path alerts)
printf '%s\r\n' "$CSV_HEADER" >"$F"
set_clock "2026-03-10 12:00:00"
tq_start
calls 2026-03-02 7 "$R_BOOKED"
calls 2026-03-03 3 "$R_FULL"
assert_ok "ten calls counted" wait_events 10 10
sleep 1
assert_eq "no warning below the minimum denominator (10 < 20)" 0 "$(mails_matching 'Tidig varning')"

calls 2026-03-04 7 "$R_BOOKED"
calls 2026-03-05 3 "$R_FULL"
assert_ok "twenty calls counted (14 booked: 70 %)" wait_events 20 10
assert_ok "an early warning for each TeleQ indicator (70 % < 75 % and < 80 %)" \
	wait_for 10 _mails_at_least 'Tidig varning' 2
assert_eq "the warning names Analoga patientkontakter and March" 1 \
	"$(mails_matching '^Tidig varning: Analoga patientkontakter .*mars 2026')"
assert_eq "the warning names Andel telefontidbokningar" 1 \
	"$(mails_matching '^Tidig varning: Andel telefontidbokningar .*mars 2026')"
# the projection of the running quarter beside the month to date (item 6 of
# issue 18); January and February have no data, so Q1 heads for March's 70 %
assert_match "the warning states the quarter's projection and its method" \
	'Månaden hittills 70 %; prognos för kvartal 1 2026: 70 % \(utfallet hittills och resterande månader med snittet av de senaste tre\)\.' \
	"$(mail_body '^Tidig varning: Analoga patientkontakter' | tr '\n' ' ' | tr -s ' ')"
assert_ok "delivered: the outbox is empty" wait_for 5 _outbox_empty
sleep 1
assert_eq "one warning each, not repeated while nothing changes" 2 "$(mails_matching 'Tidig varning')"

calls 2026-03-06 20 "$R_BOOKED"
assert_ok "recovered (34 of 40 = 85 %): resolved for both" wait_for 10 _mails_at_least '^Åtgärdat' 2
assert_match "the alerts stream has breach and resolved entries" '^resolved$' "$(stream_kinds)"

# A flap back below target within the repeat interval: quiet.
calls 2026-03-09 10 "$R_FULL"
assert_ok "fifty calls counted (34 booked: 68 %)" wait_events 50 10
sleep 1.5
assert_eq "a breach within the repeat interval is not announced again" 2 \
	"$(mails_matching 'Tidig varning')"
# ... but once it has lasted the repeat interval (7 days) it is.
set_clock "2026-03-17 12:00:30"
assert_ok "after 7 days the lasting breach is announced" wait_for 10 _mails_at_least 'Tidig varning' 4
ew=$(rcli HGET "${KP}alerts:state" ew:analog_patient_contacts)
assert_match "the state records the breach and the month" '^m=24314 b=1 a=1 ' "$ew"

# ------------------------------------------------ 2. month and quarter close
ctl set analyser 2026-Q1 3 >/dev/null || bail "teleqctl set failed: $(cat "$T/teleqctl.err")"
set_clock "2026-04-02 23:59:00"
sleep 1.5
assert_eq "no summary before the grace period (2 d) has passed" 0 "$(mails_matching '^Sammanfattning')"
set_clock "2026-04-03 00:00:30"
assert_ok "the March summary goes out after close + grace" \
	wait_for 10 _mails_at_least '^Sammanfattning mars 2026' 1
assert_ok "and the Q1 summary" wait_for 10 _mails_at_least '^Sammanfattning kvartal 1 2026' 1
assert_eq "the March summary counts the indicators without data (the case feeds are empty)" 1 \
	"$(mails_matching '^Sammanfattning mars 2026: [0-9]+ av [0-9]+ indikatorer under målet, [1-9][0-9]* utan underlag$')"
body=$(mail_body '^Sammanfattning mars 2026')
assert_contains "the summary shows the basis (34 av 50)" "34 av 50" "$body"
assert_match "the table line of Analoga patientkontakter (68 %, not met)" \
	'^- Analoga patientkontakter: 68 % \(34 av 50\), mål ≥ 75 %, ej uppfyllt' "$body"
assert_contains "every indicator is in it" "Digitala vårdgivarkontakter" "$body"
assert_contains "the manual rows without a value for March are listed" \
	"Utan värde: Antal analyser som produceras, Periodresultat budget." "$body"
# The Q1 summary: a multipart/mixed mail whose attachment is the follow-up.
q1=$("$PY" - "$MAIL" <<'EOF_PY'
import email, email.policy, glob, re, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if not str(m["Subject"]).startswith("Sammanfattning mars 2026"):
        continue
    print("march", m.get_content_type(), len(list(m.iter_attachments())))
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if not str(m["Subject"]).startswith("Sammanfattning kvartal 1 2026"):
        continue
    print("type", m.get_content_type())
    text = m.get_body(preferencelist=("plain",)).get_content()
    atts = list(m.iter_attachments())
    print("attachments", len(atts))
    for a in atts:
        html = a.get_content().replace("&nbsp;", " ")    # "68&nbsp;%" in the document
        print("file", a.get_filename(), a.get_content_type(), a.get_content_charset())
        print("doc", html.startswith("<!DOCTYPE html>"), "Verksamhetsuppföljning" in html)
        print("manual", "Antal analyser som produceras" in html)
        # the same figure in the text and in the document
        t = re.search(r"- Analoga patientkontakter: (\d+ %)", text)
        print("same", bool(t) and t.group(1) in html and "34 av 50" in html)
    print("missing", "Utan värde: Periodresultat budget." in text.replace("\n", " "))
EOF_PY
)
assert_contains "the March summary (a month) has no attachment" "march text/plain 0" "$q1"
assert_contains "the Q1 summary is multipart/mixed" "type multipart/mixed" "$q1"
assert_contains "with one attachment" "attachments 1" "$q1"
assert_contains "named uppfoljning-2026-Q1.html, text/html, utf-8" \
	"file uppfoljning-2026-Q1.html text/html utf-8" "$q1"
assert_contains "which is the follow-up document" "doc True True" "$q1"
assert_contains "with the manual rows" "manual True" "$q1"
assert_contains "and the same figures as the mail's text" "same True" "$q1"
assert_contains "the Q1 text lists only the manual row still without a value" "missing True" "$q1"
assert_eq "the summary state moved to 2026-03" 2026-03 "$(rcli HGET "${KP}alerts:state" summary:month)"
assert_eq "the quarter state moved to 2026-Q1" 2026-Q1 "$(rcli HGET "${KP}alerts:state" summary:quarter)"
n_before=$(subjects | wc -l)
assert_ok "SIGTERM ends the daemon with status 0" tq_stop
tq_start
sleep 2
assert_eq "a restart sends no summary again" 1 "$(mails_matching '^Sammanfattning mars 2026')"
assert_eq "nor anything else" "$n_before" "$(subjects | wc -l)"
assert_ok "stopped" tq_stop

# ------------------------------------------------ 3. failing sendmail, kill -9
rm -f "$MAIL"/*.eml
touch "$T/mail_fail"
half_booked "2026-05-10 12:00:00" 2026-05-04 2026-05-05 70 "twenty May calls counted (50 %)"
_tried() {
	[ "$(rcli HLEN "${KP}outbox:tries")" -ge 2 ]
}
assert_ok "both warnings queued and tried (sendmail fails)" wait_for 10 _tried
assert_match "the failure is recorded without message content" '^exit 75' \
	"$(rcli HVALS "${KP}outbox:error")"
assert_match "and logged" 'delivery by mail failed \(exit 75' "$(cat "$TQ_LOG")"
assert_eq "nothing was delivered" 0 "$(subjects | wc -l)"
_pending_is() {
	metrics_scrape "$T/m_outbox" && [ "$(metric_value "$T/m_outbox" teleqd_outbox_pending)" = "$1" ]
}
assert_ok "teleqd_outbox_pending: the undelivered warnings, as many as in outbox:due" \
	wait_for 5 _pending_is "$(rcli ZCARD "${KP}outbox:due")"
assert_ok "and that is the 2 warnings at least" \
	test "$(metric_value "$T/m_outbox" teleqd_outbox_pending)" -ge 2
tq_kill9
rm -f "$T/mail_fail"
tq_start
assert_ok "after the restart both are delivered" wait_for 15 _mails_at_least 'Tidig varning.*maj 2026' 2
assert_ok "the outbox is empty" wait_for 5 _outbox_empty
assert_ok "teleqd_outbox_pending 0 once delivered" wait_for 5 _pending_is 0
sleep 2.5
assert_eq "each exactly once" 2 "$(mails_matching 'Tidig varning.*maj 2026')"
# April had no data at all: its summary must not read as an all-clear (issue 15).
assert_eq "the April summary (no data) says so first" 1 \
	"$(mails_matching '^Inga data för april 2026: ([0-9]+) av \1 indikatorer utan underlag$')"
assert_eq "and never as '0 av N under målet'" 0 "$(mails_matching 'april 2026.*under målet')"
assert_match "its body says so too" '^Inga data för april 2026 \(2026-04\)' \
	"$(mail_body '^Inga data för april 2026')"
assert_ok "stopped" tq_stop

# ------------------------------------------------ 4. webhook 500, then 200
cat >"$T/hook.py" <<'EOF_PY'
import http.server, json, sys, os
out = sys.argv[1]
seen = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        n = seen.get(key, 0) + 1
        seen[key] = n
        code = 500 if n == 1 else 200
        try:
            kind = json.loads(body).get("kind", "?")
        except Exception:
            kind = "invalid-json"
        with open(out + "/hook.log", "a") as fh:
            fh.write("%s %d %s\n" % (key, code, kind))
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(out + "/hook.port.tmp", "w") as fh:
    fh.write(str(srv.server_address[1]))
os.rename(out + "/hook.port.tmp", out + "/hook.port")
srv.serve_forever()
EOF_PY
"$PY" "$T/hook.py" "$T" &
HOOK_PID=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $HOOK_PID"
wait_for 10 test -s "$T/hook.port" || bail "webhook receiver did not start"
alert_config "  webhook: { url: \"http://127.0.0.1:$(cat "$T/hook.port")/teleqd\", timeout_ms: 2000 }"
half_booked "2026-06-10 12:00:00" 2026-06-02 2026-06-03 90 "twenty June calls counted"
_hook_ok() {
	[ "$(awk '$2 == 200 && $3 == "breach"' "$T/hook.log" 2>/dev/null | wc -l)" -ge 2 ]
}
assert_ok "the webhook got both warnings after a 500" wait_for 15 _hook_ok
assert_ok "the outbox is empty" wait_for 5 _outbox_empty
assert_ok "teleqd_outbox_pending 0 once delivered" wait_for 5 _pending_is 0
sleep 2.5
for k in $(awk '{ print $1 }' "$T/hook.log" | sort -u); do
	assert_eq "alert $k: one 500 then one 200, no more" "500 200" \
		"$(awk -v k="$k" '$1 == k { printf "%s%s", s, $2; s = " " }' "$T/hook.log")"
done
# (the May summary falls due on 3 June and goes out too)
assert_eq "payloads are JSON: the June warnings and the May summary" "breach summary" \
	"$(awk '{ print $3 }' "$T/hook.log" | sort -u | tr '\n' ' ' | sed 's/ $//')"
assert_eq "mail went out too, once each" 2 "$(mails_matching 'Tidig varning.*juni 2026')"
assert_ok "stopped" tq_stop

# ------------------------------------------------ 5. Redis down mid-delivery
rm -f "$MAIL"/*.eml
echo 3 >"$T/mail_slow"
half_booked "2026-07-10 12:00:00" 2026-07-06 2026-07-07 110 "twenty July calls counted"
_july_queued() {
	[ "$(rcli XRANGE "${KP}alerts" - + | grep -c '^2026-07-breach-')" -ge 2 ]
}
assert_ok "the July warnings are queued" wait_for 10 _july_queued
# Both are handed to sendmail (which holds them 3 s) before Redis goes:
# the outbox delivers at most 8 at once, and the month's summaries are
# due too, so "queued" alone does not mean "in flight".
_july_in_sendmail() {
	[ "$(cat "$MAIL"/.msg.* 2>/dev/null | grep -c '^Message-ID: <2026-07-breach-')" -ge 2 ]
}
assert_ok "sendmail has both July warnings" wait_for 10 _july_in_sendmail
assert_eq "sendmail is still busy (3 s)" 0 "$(subjects | wc -l)"
redis_stop
rm -f "$T/mail_slow"
sleep 4
assert_ok "delivered while Redis was down" _mails_at_least 'Tidig varning.*juli 2026' 2
redis_start $AOF
assert_ok "the outcomes are recorded once Redis is back: outbox empty" wait_for 15 _outbox_empty
sleep 2.5
assert_eq "each July warning was sent once" 2 "$(mails_matching 'Tidig varning.*juli 2026')"
assert_eq "and the June summary once" 1 "$(mails_matching '^Sammanfattning juni 2026')"
assert_ok "stopped" tq_stop

# No personal data in the alerts stream or the outbox.
dump_everything "$T/dump"
assert_no_match "no phone number in Redis" '070-5550101|19700101-1234' "$(cat "$T/dump")"
done_testing
