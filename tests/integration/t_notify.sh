#!/bin/sh
# t_notify.sh — the delivery channels through `teleqctl alerts --test`, with
# the real binaries, a private redis-server and real receivers:
#
#   a. mail through a capture script standing in for sendmail, together
#      with a webhook to a loopback HTTP receiver: the message is valid
#      RFC 5322 mail (Python's email package, policy default), the JSON and
#      the headers are right, nothing but 0-2 is inherited by sendmail, the
#      test is recorded in the alerts stream; with no channel configured
#      the test is only recorded
#   b. a sendmail failing with exit 75: exit status 1 and its first line
#   c. a webhook answering 500, a refused connection, a receiver too slow
#   d. real SMTP: msmtp as the sendmail command, python3-aiosmtpd as the
#      server: the envelope and the message survive the round trip; msmtp
#      failing to connect gives its own first line as the detail
#   e. `teleqctl alerts` lists the recorded tests (text and JSON, local
#      time) and the pending deliveries of the outbox
#
# The calendar clock is faked (TELEQD_TEST_CLOCK) so every test message
# has its own id (test-<seconds>) and known times.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start

HERE=$TQ_ROOT/tests/integration
CAPTURE=$HERE/capture-sendmail.sh
[ -x "$PY" ] || bail "$PY missing (make deps)"
"$PY" -c 'import aiosmtpd' 2>/dev/null || bail "python3-aiosmtpd not installed (make deps)"
[ -x /usr/bin/msmtp ] || bail "msmtp not installed (make deps)"

export TELEQD_TEST_CLOCK=$T/clock
FROM=teleqd@region.example
TO1=samordnare@region.example
TO2=kansli@region.example
# The test message's text, set in the config so it is known exactly: non-ASCII
# in both, a body line of a lone dot and one starting with "From " (SMTP and
# mbox quoting), and a line longer than quoted-printable's 76 columns.
SUBJECT='Prov från teleqd: åäö ÅÄÖ – €'
LONG='Lång rad: 0123456789 abcdefghij 0123456789 abcdefghij 0123456789 abcdefghij 0123456789 slut'
BODY=$(printf 'Hej samordnaren!\nDetta är ett prov med å, ä och ö.\n.\nFrom en rad som börjar med From\n%s\n\nteleqd\n' "$LONG")
# The body as one YAML double-quoted scalar (a line break in one would fold to a space).
BODY_YAML=$(printf '%s\n' "$BODY" |
	awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); print $0 "\\" "n" }')
export SUBJECT BODY FROM TO1 TO2

# set_clock SECONDS: the calendar clock teleqctl reads.
set_clock() {
	echo "$1" >"$T/clock.tmp"
	mv "$T/clock.tmp" "$T/clock"
}

# notify_config [YAML-LINES]: the private config with its alerts: section
# replaced by one holding YAML-LINES (indented by the caller), plus the
# test template. "none" leaves out the alerts: section altogether.
notify_config() {
	write_config
	awk '/^alerts:/ { skip = 1; next } skip && /^[^ \t#]/ { skip = 0 } !skip { print }' \
		"$CONF" >"$CONF.new"
	if [ "${1:-}" != none ]; then
		{
			echo "alerts:"
			[ -z "${1:-}" ] || printf '%s\n' "$1"
			echo "  templates:"
			# printf: dash's echo would turn the \n escapes into line breaks.
			printf '    test: { subject: "%s", body: "%s" }\n' "$SUBJECT" "$BODY_YAML"
		} >>"$CONF.new"
	fi
	mv "$CONF.new" "$CONF"
	"$TELEQD" -n -c "$CONF" >/dev/null 2>&1 ||
		bail "config rejected: $("$TELEQD" -n -c "$CONF" 2>&1 | head -n 3)"
}

mail_yaml() {   # mail_yaml SENDMAIL-ARGV-YAML
	printf '  mail:\n    to: [%s, %s]\n    from: %s\n    sendmail: [%s]\n' "$TO1" "$TO2" "$FROM" "$1"
}
webhook_yaml() {        # webhook_yaml URL [TIMEOUT-MS]
	printf '  webhook: { url: "%s", timeout_ms: %s }\n' "$1" "${2:-5000}"
}

# alerts_test: `teleqctl alerts --test`; its stdout in $OUT, exit status in $RC.
alerts_test() {
	RC=0
	OUT=$(ctl alerts --test) || RC=$?
}

# start_helper NAME SCRIPT: a receiver in $T/NAME, its pid killed at exit;
# waits for the port it listens on and sets PORT.
start_helper() {
	mkdir -p "$T/$1"
	"$PY" "$HERE/$2" "$T/$1" --lifetime 280 >"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $!"
	wait_for 10 test -s "$T/$1/port" || { diag_file "$T/$1.log"; bail "$2 did not start"; }
	PORT=$(cat "$T/$1/port")
}

# stop_helper NAME: stops a receiver started with start_helper.
stop_helper() {
	eval "_p=\$PID_$1"
	kill -TERM "$_p" 2>/dev/null || true
	wait "$_p" 2>/dev/null || true
}

# facts FILE: "key<TAB>value" lines about mail message FILE, from Python's
# email package (policy default); the decoded body goes to FILE.body.
mail_facts() {
	"$PY" - "$1" <<'EOF_PY'
import email, email.policy, email.utils, sys
f = sys.argv[1]
raw = open(f, "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
def out(k, v):
    print("%s\t%s" % (k, str(v).replace("\t", " ").replace("\n", "\\n")))
defects = list(m.defects)
for part in m.walk():
    defects += part.defects
out("defects", len(defects))
out("ascii", "yes" if all(b < 128 for b in raw) else "no")
out("maxline", max(len(l) for l in raw.replace(b"\r\n", b"\n").split(b"\n")))
out("from", ",".join(a.addr_spec for a in m["From"].addresses))
out("to", ",".join(a.addr_spec for a in m["To"].addresses))
out("subject", m["Subject"])
out("subject_raw", raw.replace(b"\r\n", b"\n").split(b"\nSubject: ", 1)[-1].split(b"\n", 1)[0].decode("ascii", "replace")[:12].lower())
out("message_id", m["Message-ID"])
d = email.utils.parsedate_to_datetime(str(m["Date"]))
out("date", int(d.timestamp()) if d.tzinfo else "no-zone")
out("mime", m["MIME-Version"])
out("type", m.get_content_type())
out("charset", m.get_content_charset())
out("cte", m["Content-Transfer-Encoding"])
out("auto_submitted", m["Auto-Submitted"])
out("auto_suppress", m["X-Auto-Response-Suppress"])
out("from_name", ",".join(a.display_name for a in m["From"].addresses))
body = m.get_content().replace("\r\n", "\n")
open(f + ".body", "w", encoding="utf-8").write(body)
out("body_is_str", "yes" if isinstance(body, str) else "no")
EOF_PY
}

# fact FACTS-FILE KEY: the value of one fact.
fact() {
	awk -F'\t' -v k="$2" '$1 == k { print $2; exit }' "$1"
}

# assert_test_message TAG FACTS SECONDS: the headers every `alerts --test`
# message carries (6 checks): it parses without defects, From, both
# recipients in To, the Swedish Subject, Message-ID test-SECONDS@ the From
# domain and the Date of the calendar clock (SECONDS).
assert_test_message() {
	assert_eq "$1: the message parses without defects" 0 "$(fact "$2" defects)"
	assert_eq "$1: From" "$FROM" "$(fact "$2" from)"
	assert_eq "$1: To holds both recipients" "$TO1,$TO2" "$(fact "$2" to)"
	assert_eq "$1: Subject decodes to the Swedish text" "$SUBJECT" "$(fact "$2" subject)"
	assert_eq "$1: Message-ID is <test-SECONDS@domain of From>" "<test-$3@region.example>" \
		"$(fact "$2" message_id)"
	assert_eq "$1: Date is the calendar clock" "$3" "$(fact "$2" date)"
}

# stream_field N FIELD: FIELD of entry N (1 = oldest) of the alerts stream,
# "<missing>" when there is no such entry or field.
stream_field() {
	rcli --json XRANGE "${KP}alerts" - + | "$PY" -c '
import json, sys
n, field = int(sys.argv[1]), sys.argv[2]
entries = json.load(sys.stdin)
e = dict(zip(*[iter(entries[n - 1][1])] * 2)) if 0 < n <= len(entries) else {}
print(e.get(field, "<missing>"))
' "$1" "$2"
}

stream_len() {
	rcli XLEN "${KP}alerts"
}

# Decoded body: exactly the template's body (the render adds nothing to a test).
printf '%s\n' "$BODY" >"$T/expected.body"

# ------------------------------------------------------- e0. nothing yet
notify_config "$(mail_yaml "/bin/sh, $CAPTURE, $T/unused.eml, -t, -i")"
out=$(ctl alerts) || bail "teleqctl alerts failed on an empty Redis"
assert_contains "empty: no alerts" "No alerts in the stream." "$out"
assert_contains "empty: no pending deliveries" "No pending deliveries." "$out"

# ------------------------------------------------ a. mail + webhook, both ok
start_helper hook webhook_server.py
HOOK_PORT=$PORT
T_A=1774000000          # 2026-03-20 10:46:40 CET
set_clock $T_A
notify_config "$(mail_yaml "/bin/sh, $CAPTURE, $T/a.eml, -t, -i")
$(webhook_yaml "http://127.0.0.1:$HOOK_PORT/hook")"
alerts_test
assert_eq "a: exit status 0 when both channels deliver" 0 "$RC"
assert_contains "a: names the test id" "test alert test-$T_A" "$OUT"
assert_match "a: mail: delivered" '^mail: delivered$' "$OUT"
assert_match "a: webhook: delivered" '^webhook: delivered$' "$OUT"

[ -s "$T/a.eml" ] || bail "a: the capture script got no message"
mail_facts "$T/a.eml" >"$T/a.facts" || bail "a: Python cannot parse the message"
assert_test_message a "$T/a.facts" "$T_A"
assert_eq "a: Subject is RFC 2047 encoded" "=?utf-8?" "$(fact "$T/a.facts" subject_raw | cut -c1-8)"
assert_eq "a: MIME-Version 1.0" "1.0" "$(fact "$T/a.facts" mime)"
assert_eq "a: text/plain" "text/plain" "$(fact "$T/a.facts" type)"
assert_eq "a: charset utf-8" "utf-8" "$(fact "$T/a.facts" charset)"
assert_eq "a: quoted-printable" "quoted-printable" "$(fact "$T/a.facts" cte)"
assert_eq "a: Auto-Submitted: auto-generated" "auto-generated" "$(fact "$T/a.facts" auto_submitted)"
assert_eq "a: X-Auto-Response-Suppress: All" "All" "$(fact "$T/a.facts" auto_suppress)"
assert_eq "a: From has the display name (default, RFC 2047 decoded)" "Patientnämnden" \
	"$(fact "$T/a.facts" from_name)"
assert_eq "a: the raw message is 7-bit ASCII" yes "$(fact "$T/a.facts" ascii)"
assert_ok "a: no line longer than 78 characters" test "$(fact "$T/a.facts" maxline)" -le 78
assert_files_equal "a: the body decodes to the template's text" "$T/expected.body" "$T/a.eml.body"
assert_eq "a: sendmail got -t -i" "-t -i" "$(tr '\n' ' ' <"$T/a.eml.args" | sed 's/ $//')"
# Descriptors inherited by the stand-in: 0-2, and above that only the one
# ls opened to list them. teleqctl holds its Redis socket, opened by
# hiredis without close-on-exec, while sendmail runs.
leaked=$(awk '{ for (i = 1; i < NF; i++) if ($i == "->") {
	fd = $(i - 1); tgt = $(i + 1); if (fd > 2 && tgt !~ /^\/proc\/[0-9]+\/fd$/) print fd " " tgt } }' "$T/a.eml.fds")
assert_eq "a: sendmail inherits no descriptor but 0, 1, 2" "" "$leaked"
# stdin: the whole message in a memfd, written before sendmail started
assert_eq "a: sendmail's stdin is the message's memfd" /memfd:teleqd-mail \
	"$(awk '{ for (i = 1; i < NF; i++) if ($i == "->" && $(i - 1) == "0") print $(i + 1) }' "$T/a.eml.fds")"

# The webhook receiver's view.
wait_for 5 test -s "$T/hook/req-1.json" || bail "a: the webhook receiver got no request"
"$PY" - "$T/hook/req-1.json" >"$T/a.hook" <<'EOF_PY' || bail "a: cannot read the webhook request"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
h = {k.lower(): v for k, v in r["headers"].items()}
def out(k, v):
    print("%s\t%s" % (k, str(v).replace("\t", " ").replace("\n", "\\n")))
out("method", r["method"])
out("path", r["path"])
out("version", r["request_version"])
for k in ("content-type", "idempotency-key", "user-agent", "host", "content-length"):
    out(k, h.get(k, "<missing>"))
out("utf8", r["body_is_utf8"])
try:
    j = json.loads(r["body"])
    out("json", "valid")
except ValueError:
    out("json", "invalid")
    sys.exit(0)
for k in ("id", "kind", "period", "created", "subject"):
    out("j." + k, "null" if j.get(k) is None else j.get(k))
out("j.indicators", json.dumps(j.get("indicators")))
out("j.text_equal", "yes" if j.get("text") == open(sys.argv[1].rsplit("/", 2)[0] + "/expected.body", encoding="utf-8").read() else "no")
EOF_PY
assert_eq "a: webhook: POST" POST "$(fact "$T/a.hook" method)"
assert_eq "a: webhook: the configured path" /hook "$(fact "$T/a.hook" path)"
assert_eq "a: webhook: HTTP/1.1" HTTP/1.1 "$(fact "$T/a.hook" version)"
assert_eq "a: webhook: Content-Type" "application/json; charset=utf-8" "$(fact "$T/a.hook" content-type)"
assert_eq "a: webhook: Idempotency-Key is the alert id" "test-$T_A" "$(fact "$T/a.hook" idempotency-key)"
assert_eq "a: webhook: User-Agent" "teleqd/$("$TELEQCTL" --version | awk '{ print $2 }')" \
	"$(fact "$T/a.hook" user-agent)"
assert_eq "a: webhook: Host" "127.0.0.1:$HOOK_PORT" "$(fact "$T/a.hook" host)"
assert_eq "a: webhook: the body is UTF-8" True "$(fact "$T/a.hook" utf8)"
assert_eq "a: webhook: the body is valid JSON" valid "$(fact "$T/a.hook" json)"
assert_eq "a: webhook: id" "test-$T_A" "$(fact "$T/a.hook" j.id)"
assert_eq "a: webhook: kind test" test "$(fact "$T/a.hook" j.kind)"
assert_eq "a: webhook: no period" null "$(fact "$T/a.hook" j.period)"
assert_eq "a: webhook: created" "$(date -u -d "@$T_A" +%Y-%m-%dT%H:%M:%SZ)" "$(fact "$T/a.hook" j.created)"
assert_eq "a: webhook: subject" "$SUBJECT" "$(fact "$T/a.hook" j.subject)"
assert_eq "a: webhook: text is the body" yes "$(fact "$T/a.hook" j.text_equal)"
assert_eq "a: webhook: no indicators" "[]" "$(fact "$T/a.hook" j.indicators)"

assert_eq "a: one entry in the alerts stream" 1 "$(stream_len)"
assert_eq "a: stream: id" "test-$T_A" "$(stream_field 1 id)"
assert_eq "a: stream: kind" test "$(stream_field 1 kind)"
assert_eq "a: stream: period empty" "" "$(stream_field 1 period)"
assert_eq "a: stream: indicator empty" "" "$(stream_field 1 indicator)"
assert_eq "a: stream: subject" "$SUBJECT" "$(stream_field 1 subject)"
assert_eq "a: stream: created" "$T_A" "$(stream_field 1 created)"
assert_eq "a: stream: channels" "mail,webhook" "$(stream_field 1 channels)"
assert_eq "a: a test leaves nothing in the outbox" 0 "$(rcli EXISTS "${KP}outbox" "${KP}outbox:due")"

# No channel: the test is only recorded (alerts: without mail and webhook,
# then no alerts: section at all).
set_clock $((T_A + 100))
notify_config "  check_interval_ms: 60000"
alerts_test
assert_eq "a: no channel: exit status 0" 0 "$RC"
assert_contains "a: no channel: says so" "no alert channel configured" "$OUT"
assert_no_match "a: no channel: no channel line" '^(mail|webhook):' "$OUT"
assert_eq "a: no channel: recorded" 2 "$(stream_len)"
assert_eq "a: no channel: channels empty" "" "$(stream_field 2 channels)"
set_clock $((T_A + 200))
notify_config none
alerts_test
assert_eq "a: no alerts: section: exit status 0" 0 "$RC"
assert_contains "a: no alerts: section: says so" "no alert channel configured" "$OUT"
assert_eq "a: no alerts: section: recorded" 3 "$(stream_len)"
assert_eq "a: no alerts: section: the default Swedish subject" \
	"Testmeddelande från teleqd" "$(stream_field 3 subject)"

# ------------------------------------------------------ b. sendmail fails
T_B=1774100000
set_clock $T_B
notify_config "$(mail_yaml "/bin/sh, $CAPTURE, $T/b.eml, --exit, 75, -t, -i")"
alerts_test
assert_eq "b: exit status 1 when sendmail fails" 1 "$RC"
assert_match "b: the exit status and the first line of its output" \
	'^mail: failed: exit 75: capture-sendmail: simulated failure \(queue unavailable\)$' "$OUT"
assert_no_match "b: only the first line" 'second line' "$OUT"
assert_ok "b: sendmail did run (and read the message)" test -s "$T/b.eml.args"
assert_eq "b: recorded anyway" 4 "$(stream_len)"
assert_eq "b: stream: channels" mail "$(stream_field 4 channels)"

# ------------------------------------------------------- c. webhook fails
T_C=1774200000
set_clock $T_C
echo 500 >"$T/hook/status"
notify_config "$(mail_yaml "/bin/sh, $CAPTURE, $T/c.eml, -t, -i")
$(webhook_yaml "http://127.0.0.1:$HOOK_PORT/hook")"
alerts_test
assert_eq "c: exit status 1 when the webhook answers 500" 1 "$RC"
assert_match "c: webhook: failed: HTTP 500" '^webhook: failed: HTTP 500$' "$OUT"
assert_match "c: mail still delivered" '^mail: delivered$' "$OUT"
assert_ok "c: the receiver got the request" test -s "$T/hook/req-2.json"
rm -f "$T/hook/status"

# A port nobody listens on (taken from the kernel, then released).
DEAD_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
set_clock $((T_C + 100))
notify_config "$(webhook_yaml "http://127.0.0.1:$DEAD_PORT/hook")"
alerts_test
assert_eq "c: refused: exit status 1" 1 "$RC"
assert_match "c: refused: connection failed" '^webhook: failed: connection failed$' "$OUT"

# A receiver slower than timeout_ms.
echo 3 >"$T/hook/delay"
set_clock $((T_C + 200))
notify_config "$(webhook_yaml "http://127.0.0.1:$HOOK_PORT/slow" 500)"
t0=$(now_ms)
alerts_test
t1=$(now_ms)
rm -f "$T/hook/delay"
assert_eq "c: slow receiver: exit status 1" 1 "$RC"
assert_match "c: slow receiver: timed out" '^webhook: failed: timed out$' "$OUT"
if tq_slow; then
	skip "c: slow receiver: given up after about timeout_ms (took $((t1 - t0)) ms)" "$TQ_SLOW_WHY"
else
	assert_ok "c: slow receiver: given up after about timeout_ms (took $((t1 - t0)) ms)" \
		test $((t1 - t0)) -lt 2500
fi
assert_eq "c: all three recorded" 7 "$(stream_len)"

# ------------------------------------------------------- d. real SMTP
start_helper smtp smtp_server.py
SMTP_PORT=$PORT
(umask 077 && cat >"$T/msmtprc" <<EOF
defaults
auth off
tls off
syslog off
account default
host 127.0.0.1
port $SMTP_PORT
from $FROM
EOF
)
T_D=1782900000          # 2026-07-01 12:00:00 CEST: summer time
set_clock $T_D
notify_config "$(mail_yaml "/usr/bin/msmtp, -C, $T/msmtprc, -t")"
alerts_test
assert_eq "d: msmtp to aiosmtpd: exit status 0" 0 "$RC"
assert_match "d: mail: delivered" '^mail: delivered$' "$OUT"
wait_for 5 test -s "$T/smtp/msg-1.eml" || bail "d: the SMTP server got no message"
assert_eq "d: envelope sender" "$FROM" \
	"$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["mail_from"])' "$T/smtp/msg-1.env.json")"
assert_eq "d: envelope recipients (from To, by -t)" "$TO1 $TO2" \
	"$("$PY" -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["rcpt_tos"]))' "$T/smtp/msg-1.env.json")"
mail_facts "$T/smtp/msg-1.eml" >"$T/d.facts" || bail "d: Python cannot parse the message"
assert_test_message d "$T/d.facts" "$T_D"
assert_files_equal "d: the body (lone dot, From line, long line) arrives intact" \
	"$T/expected.body" "$T/smtp/msg-1.eml.body"
assert_eq "d: only one message" 1 "$(ls "$T/smtp" | grep -c '\.eml$')"

# msmtp failing to connect: its own first line is the detail.
stop_helper smtp
set_clock $((T_D + 100))
alerts_test
assert_eq "d: SMTP server down: exit status 1" 1 "$RC"
assert_match "d: SMTP server down: msmtp's exit status and message" \
	'^mail: failed: exit [0-9]+: msmtp: cannot connect to 127\.0\.0\.1, port '"$SMTP_PORT" "$OUT"
assert_eq "d: both recorded" 9 "$(stream_len)"

# ------------------------------------------------ e. teleqctl alerts lists
# Two pending deliveries as the daemon keeps them (one failed before).
M1="breach-2026-03-svar_inom_tid-1774000000|mail"
M2="summary-2026-Q1-1775200000|webhook"
DUE1=1775001234567      # 2026-04-01 01:53:54 CEST
DUE2=1767225600000      # 2026-01-01 01:00:00 CET
rcli HSET "${KP}outbox" "$M1" "payload one" "$M2" '{"k":"payload two"}' >/dev/null
rcli ZADD "${KP}outbox:due" "$DUE1" "$M1" "$DUE2" "$M2" >/dev/null
rcli HSET "${KP}outbox:tries" "$M1" 3 "$M2" 1 >/dev/null
rcli HSET "${KP}outbox:error" "$M1" "exit 75: mail system temporarily unavailable" >/dev/null

# local SECONDS: the time in Stockholm as teleqctl prints it.
local_time() {
	TZ=Europe/Stockholm date -d "@$1" '+%Y-%m-%d %H:%M:%S'
}

out=$(ctl alerts) || bail "teleqctl alerts failed"
assert_contains "e: header: 9 alerts of 9" "Alerts: the 9 most recent of 9, oldest first" "$out"
for t in $T_A $((T_A + 100)) $((T_A + 200)) $T_B $T_C $((T_C + 100)) $((T_C + 200)) $T_D $((T_D + 100)); do
	line=$(printf '%s\n' "$out" | grep -F "test-$t " || true)
	assert_match "e: test-$t listed at its local time $(local_time "$t")" \
		"^$(local_time "$t")  test " "$line"
done
assert_match "e: channels and subject shown" \
	"^$(local_time "$T_A")  test +- +- +mail,webhook +test-$T_A  $SUBJECT\$" "$out"
assert_match "e: oldest first" "^$(local_time $((T_D + 100)))" "$(printf '%s\n' "$out" | grep '  test  ' | tail -n 1)"
assert_contains "e: pending: two" "Pending deliveries: 2" "$out"
assert_match "e: pending: soonest first, with attempts and no error" \
	"^summary-2026-Q1-1775200000 +webhook +1 +$(local_time 1767225600) +-\$" \
	"$(printf '%s\n' "$out" | sed -n '/^Pending/,$p' | sed -n 3p)"
assert_match "e: pending: attempts, next attempt (local) and last error" \
	"^breach-2026-03-svar_inom_tid-1774000000 +mail +3 +$(local_time 1775001234)  exit 75: mail system temporarily unavailable\$" \
	"$(printf '%s\n' "$out" | sed -n '/^Pending/,$p' | sed -n 4p)"

out=$(ctl alerts --count 2) || bail "teleqctl alerts --count 2 failed"
assert_contains "e: --count 2: header" "Alerts: the 2 most recent of 9" "$out"
assert_eq "e: --count 2: two rows, the latest ones" "test-$T_D test-$((T_D + 100))" \
	"$(printf '%s\n' "$out" | grep -o 'test-[0-9]*' | tr '\n' ' ' | sed 's/ $//')"

ctl alerts --format json >"$T/alerts.json" || bail "teleqctl alerts --format json failed"
"$PY" - "$T/alerts.json" >"$T/e.json.facts" <<'EOF_PY' || bail "e: alerts JSON unreadable"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
def out(k, v):
    print("%s\t%s" % (k, v))
out("total", d["total"])
out("n", len(d["alerts"]))
out("ids", " ".join(a["id"] for a in d["alerts"]))
out("kinds", " ".join(sorted(set(a["kind"] for a in d["alerts"]))))
out("first.channels", json.dumps(d["alerts"][0]["channels"]))
out("second.channels", json.dumps(d["alerts"][1]["channels"]))
out("first.created", d["alerts"][0]["created"])
out("first.created_local", d["alerts"][0]["created_local"])
out("first.subject", d["alerts"][0]["subject"])
out("first.period", json.dumps(d["alerts"][0]["period"]))
out("pending", " ".join("%s/%s/%s/%s/%s" % (p["id"], p["channel"], p["attempts"], p["next_attempt_ms"], p["last_error"]) for p in d["pending"]))
EOF_PY
assert_eq "e: json: total" 9 "$(fact "$T/e.json.facts" total)"
assert_eq "e: json: every alert" 9 "$(fact "$T/e.json.facts" n)"
assert_eq "e: json: ids in order" \
	"test-$T_A test-$((T_A + 100)) test-$((T_A + 200)) test-$T_B test-$T_C test-$((T_C + 100)) test-$((T_C + 200)) test-$T_D test-$((T_D + 100))" \
	"$(fact "$T/e.json.facts" ids)"
assert_eq "e: json: all of kind test" test "$(fact "$T/e.json.facts" kinds)"
assert_eq "e: json: channels as a list" '["mail", "webhook"]' "$(fact "$T/e.json.facts" first.channels)"
assert_eq "e: json: no channel is an empty list" '[]' "$(fact "$T/e.json.facts" second.channels)"
assert_eq "e: json: created" "$T_A" "$(fact "$T/e.json.facts" first.created)"
assert_eq "e: json: created_local" "$(local_time $T_A)" "$(fact "$T/e.json.facts" first.created_local)"
assert_eq "e: json: subject" "$SUBJECT" "$(fact "$T/e.json.facts" first.subject)"
assert_eq "e: json: period" '""' "$(fact "$T/e.json.facts" first.period)"
assert_eq "e: json: pending" \
	"summary-2026-Q1-1775200000/webhook/1/$DUE2/None ${M1%|mail}/mail/3/$DUE1/exit 75: mail system temporarily unavailable" \
	"$(fact "$T/e.json.facts" pending)"

# Usage errors: exit status 2.
for args in "alerts --count 0" "alerts --count x" "alerts --test --count 3" \
    "alerts --format csv" "alerts extra" "alerts --today 2026-03-01" "report 2026-03 --test"; do
	rc=0
	# shellcheck disable=SC2086
	"$TELEQCTL" -c "$CONF" $args >/dev/null 2>&1 || rc=$?
	assert_eq "usage: teleqctl $args: exit status 2" 2 "$rc"
done

# Nothing of the message in what teleqctl wrote to stderr.
assert_no_match "no message text on stderr" 'samordnaren|Lång rad|payload' "$(cat "$T/teleqctl.err" 2>/dev/null)"

done_testing
