#!/bin/sh
# t_mail_ambiguous.sh — a mail relay that takes the message and hangs up
# before its final reply (issue 16, item 7).
#
# msmtp is the sendmail command; smtp_server.py --drop-after-data is the
# relay: it reads the whole DATA, saves it, and closes the connection
# without the "250" (msmtp: exit 76, "the server sent an empty reply").
# Five alerts are queued in the outbox as alert.lua queues them. Each is
# an ambiguous outcome every time, so it must reach the relay exactly
# 1 + alerts.delivery.max_ambiguous (default 3) = 4 times, then be parked:
# kept in the outbox, out of outbox:due, teleqd_alerts_parked 5,
# teleqd_alerts_ambiguous_total 20, /healthz 503 naming it, a line in
# `teleqctl status`, one error line per message in the log. The daemon's
# own month summary (queued at start) meets the same relay and is parked
# too. Then one is re-queued by hand as teleqd(8) says: 4 more arrivals,
# parked again. Retries every second, so it takes ~15 s.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start

PY=/usr/bin/python3
HERE=$TQ_ROOT/tests/integration
[ -x "$PY" ] || bail "$PY missing (make deps)"
"$PY" -c 'import aiosmtpd' 2>/dev/null || bail "python3-aiosmtpd not installed (make deps)"
[ -x /usr/bin/msmtp ] || bail "msmtp not installed (make deps)"

mkdir -p "$T/smtp"
"$PY" "$HERE/smtp_server.py" "$T/smtp" --lifetime 120 --drop-after-data >"$T/smtp.log" 2>&1 &
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $!"
wait_for 10 test -s "$T/smtp/port" || { diag_file "$T/smtp.log"; bail "smtp_server.py did not start"; }
SMTP_PORT=$(cat "$T/smtp/port")
(umask 077 && printf 'defaults\nauth off\ntls off\nsyslog off\naccount default\nhost 127.0.0.1\nport %s\nfrom teleqd@region.example\n' \
	"$SMTP_PORT" >"$T/msmtprc")

# Retries every second; max_ambiguous left at its default (3).
write_config retry_min=1s retry_max=1s
sed "s|^    sendmail: .*|    sendmail: [/usr/bin/msmtp, -C, $T/msmtprc, -t]|" "$CONF" >"$CONF.new"
mv "$CONF.new" "$CONF"
grep -q "sendmail: \[/usr/bin/msmtp" "$CONF" || bail "sendmail not replaced in $CONF"

# The five alerts, as alert.lua leaves them: payload, due now.
IDS=""
for i in 1 2 3 4 5; do
	id="breach-2026-03-ind$i-177400000$i"
	IDS="$IDS $id"
	printf 'From: teleqd@region.example\r\nTo: samordnare@region.example\r\nSubject: alert %s\r\nMessage-ID: <%s@region.example>\r\n\r\nalert %s\r\n' \
		"$i" "$id" "$i" >"$T/payload"
	rcli HSET "${KP}outbox" "$id|mail" "$(cat "$T/payload")" >/dev/null
	rcli ZADD "${KP}outbox:due" 0 "$id|mail" >/dev/null
done

# arrivals ID: messages the relay saved with that Message-ID.
arrivals() {
	grep -l -F "Message-ID: <$1@region.example>" "$T/smtp"/*.eml 2>/dev/null | wc -l
}
# every delivery of the outbox parked (ours and the daemon's summary)
_all_parked() {
	[ "$(rcli ZCARD "${KP}outbox:due")" = 0 ] && [ "$(rcli HLEN "${KP}outbox:parked")" -ge 5 ]
}
_parked_again() {
	[ "$(rcli HEXISTS "${KP}outbox:parked" "$id1|mail")" = 1 ]
}

t0=$(now_ms)
tq_start
wait_for 20 _all_parked || diag "not all parked after 20 s: $(rcli HLEN "${KP}outbox:parked")"
# Long enough for more retries, had they not stopped (every second).
sleep 3
t1=$(now_ms)
for id in $IDS; do
	assert_eq "$id reached the relay 1 + max_ambiguous = 4 times in $(((t1 - t0) / 1000)) s" 4 "$(arrivals "$id")"
	assert_eq "$id: parked" 1 "$(rcli HEXISTS "${KP}outbox:parked" "$id|mail")"
	assert_eq "$id: no longer due" "" "$(rcli ZSCORE "${KP}outbox:due" "$id|mail")"
	assert_eq "$id: the payload is kept" 1 "$(rcli HEXISTS "${KP}outbox" "$id|mail")"
	assert_eq "$id: 4 ambiguous outcomes recorded" 4 "$(rcli HGET "${KP}outbox:ambiguous" "$id|mail")"
	assert_match "$id: the last error is msmtp's" '^exit 76: msmtp: the server sent an empty reply' \
		"$(rcli HGET "${KP}outbox:error" "$id|mail")"
	assert_eq "$id: one error line in the log" 1 \
		"$(grep -c "alerts: $id: delivery by mail parked after 4 ambiguous outcomes" "$TQ_LOG" || true)"
done

NP=$(rcli HLEN "${KP}outbox:parked")
assert_ok "at least our 5 parked ($NP)" test "$NP" -ge 5
metrics_scrape "$T/metrics" || bail "no /metrics"
assert_eq "teleqd_alerts_parked $NP" "$NP" "$(metric_value "$T/metrics" teleqd_alerts_parked)"
assert_eq "teleqd_alerts_ambiguous_total 4 x $NP" $((4 * NP)) \
	"$(metric_value "$T/metrics" teleqd_alerts_ambiguous_total)"

PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
"$PY" - "$PORT" "$T" <<'EOF_PY'
import sys, urllib.request, urllib.error
port, tdir = sys.argv[1:3]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
status, body = "000", b""
try:
    with opener.open("http://127.0.0.1:%s/healthz" % port, timeout=5) as r:
        status, body = str(r.status), r.read()
except urllib.error.HTTPError as e:
    status, body = str(e.code), e.read()
open(tdir + "/hz.body", "wb").write(body)
open(tdir + "/hz.status", "w").write(status + "\n")
EOF_PY
assert_eq "/healthz 503" 503 "$(cat "$T/hz.status")"
assert_contains "/healthz names the parked deliveries" \
	"alerts: parked: $NP after 4 ambiguous outcomes each" "$(cat "$T/hz.body")"

out=$(ctl status) || bail "teleqctl status failed"
assert_contains "teleqctl status: a line for them" \
	"alerts     $NP deliveries parked after ambiguous outcomes" "$out"
assert_contains "teleqctl status --format json: alerts_parked" "\"alerts_parked\":$NP" \
	"$(ctl status --format json)"

# --- re-queue by hand (teleqd(8), ALERTS): delivered once more, parked again.
id1=${IDS# }
id1=${id1%% *}
rcli HDEL "${KP}outbox:parked" "$id1|mail" >/dev/null
rcli HDEL "${KP}outbox:ambiguous" "$id1|mail" >/dev/null
rcli ZADD "${KP}outbox:due" 0 "$id1|mail" >/dev/null
wait_for 15 _parked_again || true
assert_eq "$id1: re-queued by hand: 4 more arrivals, then parked again" 8 "$(arrivals "$id1")"
assert_eq "$id1: parked again" 1 "$(rcli HEXISTS "${KP}outbox:parked" "$id1|mail")"

tq_stop || true
done_testing
