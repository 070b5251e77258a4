#!/bin/sh
# t_webhook_tls.sh — the https webhook (issue 19, item 3), with a test CA
# this script makes with openssl, https receivers on loopback
# (webhook_server.py --tls) and a CONNECT proxy (connect_proxy.py):
#
#   a. https with webhook.ca_file = the test CA: delivered, to an address
#      (the IP SAN checked) and to "localhost" (the DNS SAN checked, SNI);
#      the config check (-n) accepts it and refuses a missing or non-PEM
#      ca_file and a bad proxy url (one url parser for url and proxy)
#   b. a certificate for another host name: the delivery fails with a
#      clear error naming the host and the mismatch; nothing is posted
#   c. an unknown CA (a second CA; and the system store without ca_file):
#      fails with a clear error; nothing is posted; a peer silent in the
#      handshake times out saying so
#   d. through webhook.proxy: https through a CONNECT tunnel, http in
#      absolute form; a proxy that is down or refuses the tunnel fails
#      naming the proxy
#   e. the daemon's outbox: a webhook alert to the receiver with the wrong
#      name stays in the outbox with the TLS error recorded and is retried;
#      with the right certificate it is delivered and the outbox is empty
#
# Verification is never switched off: the bad cases are refused by teleqd.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start

HERE=$TQ_ROOT/tests/integration
command -v openssl >/dev/null || bail "openssl not installed (make deps)"
[ -x "$PY" ] || bail "$PY missing (make deps)"

# ------------------------------------------------------------ certificates
# ca NAME: a CA (EC P-256, 2 days) in $T/pki/NAME.pem (+ .key).
# leaf NAME CA SAN: a server certificate signed by CA for subjectAltName SAN.
mkdir "$T/pki"
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/pki/$1.key" -out "$T/pki/$1.pem" -days 2 -subj "/CN=teleqd test $1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>>"$T/pki/log" ||
		bail "openssl: cannot make CA $1"
}
leaf() {
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" \
		>"$T/pki/$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/pki/$1.key" -out "$T/pki/$1.csr" -subj "/CN=$1" 2>>"$T/pki/log" &&
	openssl x509 -req -in "$T/pki/$1.csr" -CA "$T/pki/$2.pem" -CAkey "$T/pki/$2.key" \
		-CAcreateserial -days 2 -extfile "$T/pki/$1.ext" -out "$T/pki/$1.pem" 2>>"$T/pki/log" ||
		bail "openssl: cannot make certificate $1"
}
ca ca
ca otherca
leaf good ca "IP:127.0.0.1,DNS:localhost"
leaf wrongname ca "DNS:other.example,IP:192.0.2.1"
leaf strange otherca "IP:127.0.0.1,DNS:localhost"
CA=$T/pki/ca.pem

# start_helper NAME SCRIPT [ARGS...]: a helper in $T/NAME, killed at exit;
# waits for the port it listens on and sets PORT.
start_helper() {
	_n=$1 _s=$2
	shift 2
	mkdir -p "$T/$_n"
	"$PY" "$HERE/$_s" "$T/$_n" --lifetime 900 "$@" >"$T/$_n.log" 2>&1 &
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $!"
	wait_for 10 test -s "$T/$_n/port" || { diag_file "$T/$_n.log"; bail "$_s did not start"; }
	PORT=$(cat "$T/$_n/port")
}
start_helper good webhook_server.py --tls "$T/pki/good.pem" "$T/pki/good.key"
GOOD=$PORT
start_helper wrongname webhook_server.py --tls "$T/pki/wrongname.pem" "$T/pki/wrongname.key"
WRONG=$PORT
start_helper strange webhook_server.py --tls "$T/pki/strange.pem" "$T/pki/strange.key"
STRANGE=$PORT
start_helper plain webhook_server.py
PLAIN=$PORT
start_helper proxy connect_proxy.py
PROXY=$PORT

# hook_config: the private config with its alerts: section replaced by one
# holding only the webhook ($HOOK: its keys, a flow mapping) and quick retries.
hook_config() {
	write_config
	awk '/^alerts:/ { skip = 1; next } skip && /^[^ \t#]/ { skip = 0 } !skip { print }' \
		"$CONF" >"$CONF.new"
	printf 'alerts:\n  webhook: { %s }\n  delivery: { retry_min: 1s, retry_max: 1s }\n' \
		"$HOOK" >>"$CONF.new"
	mv "$CONF.new" "$CONF"
}
# check_ok: teleqd -n accepts $CONF. check_says ERE: it refuses it saying ERE.
check_ok() {
	"$TELEQD" -n -c "$CONF" >"$T/check.out" 2>&1
}
check_says() {
	! "$TELEQD" -n -c "$CONF" >"$T/check.out" 2>&1 && grep -E -q "$1" "$T/check.out"
}
# send: `teleqctl alerts --test` with the webhook of $HOOK; its output in
# $OUT, its status in $RC. The clock moves on so every test has its own id.
CLOCK=1774000000
export TELEQD_TEST_CLOCK=$T/clock
send() {
	CLOCK=$((CLOCK + 100))
	echo "$CLOCK" >"$T/clock"
	hook_config
	check_ok || bail "config rejected: $(head -n 3 "$T/check.out")"
	RC=0
	OUT=$(ctl alerts --test) || RC=$?
}
# expect DESCRIPTION ERE: send, and teleqctl's webhook line matches ERE.
expect() {
	send
	assert_match "$1" "$2" "$OUT"
}
nreq() {                # nreq NAME: requests the receiver NAME got
	ls "$T/$1" | grep -c '^req-' || true
}

# ------------------------------------------------------------- a. delivered
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$CA\", timeout_ms: 5000"
hook_config
assert_ok "a: -n accepts an https url with ca_file" check_ok
send
assert_eq "a: to 127.0.0.1 with the test CA: exit 0" 0 "$RC"
assert_match "a: to 127.0.0.1: delivered" '^webhook: delivered$' "$OUT"
assert_eq "a: the receiver got it" 1 "$(nreq good)"
assert_match "a: with the Idempotency-Key" "\"Idempotency-Key\": \"test-$CLOCK\"" \
	"$(cat "$T/good/req-1.json" 2>/dev/null)"
HOOK="url: \"https://localhost:$GOOD/hook\", ca_file: \"$CA\""
expect "a: to localhost (DNS name, SNI): delivered" '^webhook: delivered$'
assert_match "a: Host header without the default port only" "\"Host\": \"localhost:$GOOD\"" \
	"$(cat "$T/good/req-2.json" 2>/dev/null)"

HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$T/pki/none.pem\""
hook_config
assert_ok "a: -n refuses a ca_file that is missing" check_says "ca_file .*none\.pem: cannot read it"
echo "not a certificate" >"$T/pki/junk.pem"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$T/pki/junk.pem\""
hook_config
assert_ok "a: -n refuses a ca_file without a PEM certificate" check_says "ca_file .*junk\.pem: no PEM certificate"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", proxy: \"https://127.0.0.1:$PROXY\""
hook_config
assert_ok "a: -n refuses an https proxy" check_says "bad proxy 'https://127\.0\.0\.1:$PROXY': expected http://host\[:port\]"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", proxy: \"http://127.0.0.1:$PROXY/x\""
hook_config
assert_ok "a: -n refuses a proxy with a path" check_says "proxy must not have a path"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", proxy: \"http://127.0.0.1:99999\""
hook_config
assert_ok "a: -n refuses a bad proxy port" check_says "bad port '99999' in proxy"
HOOK="url: \"ftp://127.0.0.1/hook\""
hook_config
assert_ok "a: -n refuses another scheme" check_says "bad url 'ftp://127\.0\.0\.1/hook': expected http\[s\]://host"

# ------------------------------------------------------ b. wrong host name
HOOK="url: \"https://127.0.0.1:$WRONG/hook\", ca_file: \"$CA\""
send
assert_eq "b: a certificate for another host: exit 1" 1 "$RC"
assert_match "b: the error names the host and the mismatch" \
	'^webhook: failed: TLS: certificate of 127\.0\.0\.1 not accepted: IP address mismatch$' "$OUT"
HOOK="url: \"https://localhost:$WRONG/hook\", ca_file: \"$CA\""
expect "b: by name: Hostname mismatch" \
	'^webhook: failed: TLS: certificate of localhost not accepted: [Hh]ostname mismatch$'
assert_eq "b: nothing was posted" 0 "$(nreq wrongname)"

# ----------------------------------------------------------- c. unknown CA
HOOK="url: \"https://127.0.0.1:$STRANGE/hook\", ca_file: \"$CA\""
send
assert_eq "c: signed by another CA: exit 1" 1 "$RC"
assert_match "c: another CA: the error says the issuer is unknown" \
	'^webhook: failed: TLS: certificate of 127\.0\.0\.1 not accepted: unable to get local issuer certificate$' "$OUT"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\""
send
assert_eq "c: the system store does not know the test CA: exit 1" 1 "$RC"
assert_match "c: system store: refused with a clear error" \
	'^webhook: failed: TLS: certificate of 127\.0\.0\.1 not accepted: unable to get local issuer certificate$' "$OUT"
assert_eq "c: nothing was posted" 0 "$(nreq strange)"
assert_eq "c: nor to the good receiver without its CA" 2 "$(nreq good)"

# ---------------------------------------------------------------- d. proxy
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$CA\", proxy: \"http://127.0.0.1:$PROXY\""
expect "d: https through the CONNECT proxy: delivered" '^webhook: delivered$'
assert_eq "d: the proxy saw one CONNECT to the receiver" "CONNECT 127.0.0.1:$GOOD HTTP/1.1" \
	"$(cat "$T/proxy/log" 2>/dev/null)"
assert_eq "d: the receiver got it" 3 "$(nreq good)"
HOOK="url: \"https://127.0.0.1:$WRONG/hook\", ca_file: \"$CA\", proxy: \"http://127.0.0.1:$PROXY\""
expect "d: through the proxy the name is still checked" \
	'^webhook: failed: TLS: certificate of 127\.0\.0\.1 not accepted: IP address mismatch$'
HOOK="url: \"http://127.0.0.1:$PLAIN/plain\", proxy: \"http://127.0.0.1:$PROXY\""
expect "d: http through the proxy: delivered" '^webhook: delivered$'
assert_eq "d: in absolute form" "POST http://127.0.0.1:$PLAIN/plain HTTP/1.1" \
	"$(tail -n 1 "$T/proxy/log" 2>/dev/null)"
assert_eq "d: the plain receiver got it" 1 "$(nreq plain)"
DEAD=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$CA\", proxy: \"http://127.0.0.1:$DEAD\""
expect "d: a proxy that is down: the error names it" \
	"^webhook: failed: proxy 127\\.0\\.0\\.1:$DEAD: connection failed\$"

echo "127.0.0.1:$GOOD" >"$T/proxy/deny"
HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$CA\", proxy: \"http://127.0.0.1:$PROXY\""
expect "d: a proxy refusing the tunnel: its answer in the error" \
	"^webhook: failed: proxy 127\\.0\\.0\\.1:$PROXY refused CONNECT: HTTP 403\$"
rm -f "$T/proxy/deny"

# A peer that takes the connection and never speaks TLS: the attempt
# ends at timeout_ms saying where it hung.
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
while True:
    conns.append(s.accept()[0])
' "$T/mute.port" &
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $!"
wait_for 10 test -s "$T/mute.port" || bail "the mute listener did not start"
HOOK="url: \"https://127.0.0.1:$(cat "$T/mute.port")/hook\", ca_file: \"$CA\", timeout_ms: 300"
expect "c: a peer silent in the handshake: timed out, saying so" \
	'^webhook: failed: timed out in the TLS handshake with 127\.0\.0\.1$'

# ---------------------------------------------------------- e. the outbox
# A webhook alert queued as alert.lua queues it; the daemon delivers it
# (on the real clock: the retries are due in real seconds).
unset TELEQD_TEST_CLOCK
M="2026-03-breach-tls-1774000000|webhook"
rcli HSET "${KP}outbox" "$M" '{"id":"2026-03-breach-tls-1774000000","kind":"breach"}' >/dev/null
rcli ZADD "${KP}outbox:due" 0 "$M" >/dev/null
HOOK="url: \"https://127.0.0.1:$WRONG/hook\", ca_file: \"$CA\", timeout_ms: 2000"
hook_config
check_ok || bail "e: config rejected: $(head -n 3 "$T/check.out")"
tq_start
_tried_twice() {
	[ "$(rcli HGET "${KP}outbox:tries" "$M")" -ge 2 ] 2>/dev/null
}
assert_ok "e: a wrong host name: retried as any failed delivery" wait_for 10 _tried_twice
assert_eq "e: the error is recorded" \
	"TLS: certificate of 127.0.0.1 not accepted: IP address mismatch" \
	"$(rcli HGET "${KP}outbox:error" "$M")"
assert_eq "e: the alert stays in the outbox" 1 "$(rcli HEXISTS "${KP}outbox" "$M")"
assert_ne "e: and is still due" "" "$(rcli ZSCORE "${KP}outbox:due" "$M")"
assert_match "e: the log says why" \
	"delivery by webhook failed \\(TLS: certificate of 127\\.0\\.0\\.1 not accepted: IP address mismatch\\)" \
	"$(cat "$TQ_LOG")"
assert_eq "e: nothing was posted" 0 "$(nreq wrongname)"
assert_ok "e: stopped" tq_stop

HOOK="url: \"https://127.0.0.1:$GOOD/hook\", ca_file: \"$CA\", timeout_ms: 2000"
hook_config
tq_start
# (the month's summary, due on the real clock, goes out by the webhook too)
_delivered() {
	[ "$(rcli HEXISTS "${KP}outbox" "$M")" = 0 ] && [ -z "$(rcli ZSCORE "${KP}outbox:due" "$M")" ]
}
assert_ok "e: with the right certificate: delivered, gone from the outbox" wait_for 10 _delivered
assert_eq "e: posted once, with the alert's Idempotency-Key" 1 \
	"$(grep -l '"Idempotency-Key": "2026-03-breach-tls-1774000000"' "$T"/good/req-*.json | wc -l)"
assert_ok "e: stopped" tq_stop

done_testing
