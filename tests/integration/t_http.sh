#!/bin/sh
# t_http.sh — the HTTP listener (http.listen).
#
# A bad listen address is a config error at its line and column. The
# daemon listens on 127.0.0.1 only, on the free port it logs. /healthz is
# 200 "ok" while Redis is up, 503 with a reason naming Redis within seconds
# of Redis going away, and 200 again once it is back. /metrics is
# Prometheus text: every sample under its # TYPE; lines, events and
# rejects per feed equal what was appended; commits > 0 and the latency
# histogram counts every commit; no backlog once drained; it still answers
# while Redis is down. POST is 405 with Allow, an unknown path 404, a query
# string is ignored. After SIGTERM the port is closed.
#
# HTTP through /usr/bin/python3's urllib (python3 is a dependency already;
# curl is not on a clean Debian 12), with any proxy from the environment
# switched off.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
AOF="--appendonly yes --appendfsync always"

# --- config errors: teleqd -n names the place --------------------------------
write_config listen=127.0.0.1:0
L=$(grep -n '^  listen:' "$CONF" | head -n 1 | cut -d: -f1)
[ -n "$L" ] || bail "no 'listen:' line in $CONF (conf/teleqd.yaml must ship an http: section)"
assert_eq "the test config listens on 127.0.0.1:0" "  listen: 127.0.0.1:0" "$(sed -n "${L}p" "$CONF")"

# bad_listen DESCRIPTION VALUE MESSAGE-START: teleqd -n refuses listen: VALUE.
bad_listen() {
	_f=$T/bad_listen.yaml
	sed "${L}s/^  listen:.*/  listen: \"$2\"/" "$CONF" >"$_f"
	_rc=0
	_out=$("$TELEQD" -n -c "$_f" 2>&1) || _rc=$?
	assert_eq "$1: teleqd -n exits 1" 1 "$_rc"
	assert_contains "$1: $_f:$L:11: $3" "$_f:$L:11: $3" "$_out"
}
bad_listen "a host name" "example.org:9187" \
	"bad listen address 'example.org:9187': 'example.org' is not an IP address"
bad_listen "a port out of range" "127.0.0.1:65536" "bad port '65536' in listen"
bad_listen "IPv6 without brackets" "::1:9187" "bad listen address '::1:9187': write an IPv6"
_f=$T/bad_key.yaml
awk -v l="$L" '{ print } NR == l { print "  port: 9187" }' "$CONF" >"$_f"
_rc=0
_out=$("$TELEQD" -n -c "$_f" 2>&1) || _rc=$?
assert_eq "an unknown key in http: exit 1" 1 "$_rc"
assert_contains "an unknown key in http: at its place" "$_f:$((L + 1)):3: unknown key 'port' in http" "$_out"

# --- helpers ----------------------------------------------------------------

# http_req (lib.sh): requests to the daemon wait at most 5 s here.
HTTP_TIMEOUT=5
status() { cat "$T/status"; }
body() { cat "$T/body"; }
header() { sed -n "s/^$1: //p" "$T/headers"; }

# scrape: GET /metrics into $T/metrics (empty when not 200).
scrape() {
	http_req GET /metrics
	if [ "$(status)" = 200 ]; then cp "$T/body" "$T/metrics"; else : >"$T/metrics"; fi
}
# metric SERIES: its value in the last scrape ("absent" when not there).
metric() {
	awk -v s="$1" '$1 == s { print $2; f = 1; exit } END { if (!f) print "absent" }' "$T/metrics"
}
# True when a fresh scrape has SERIES equal to VALUE.
_metric_is() {
	scrape
	[ "$(metric "$1")" = "$2" ]
}
# True when /healthz answers CODE.
_health_is() {
	http_req GET /healthz
	[ "$(status)" = "$1" ]
}
# wait_metric DESCRIPTION SERIES VALUE [SECONDS]
wait_metric() {
	if wait_for "${4:-10}" _metric_is "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  $2: expected $3, last scrape: $(metric "$2")"
	fi
}

# --- start ------------------------------------------------------------------
redis_start $AOF
write_config listen=127.0.0.1:0
C=$(csv_path http)
J=$(jsonl_path http)
printf '%s\r\n' "$CSV_HEADER" >"$C"
: >"$J"
tq_start

_listening() {
	grep -q 'http: listening on ' "$TQ_LOG"
}
wait_for 10 _listening || bail "no 'http: listening on' line in the daemon's log within 10 s"
LINE=$(grep -o 'http: listening on [^ ]*' "$TQ_LOG" | head -n 1)
PORT=$(echo "$LINE" | sed -n 's/^http: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p')
[ -n "$PORT" ] || bail "unexpected log line '$LINE' (want http: listening on 127.0.0.1:PORT)"
assert_ne "port 0 became a real port" 0 "$PORT"

# The listener is 127.0.0.1:PORT in /proc/net/tcp (LISTEN = 0A) and not on any other address.
HEXPORT=$(printf '%04X' "$PORT")
listeners=$(awk -v p=":$HEXPORT" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' \
	/proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
assert_eq "bound to 127.0.0.1:$PORT only (/proc/net/tcp)" "0100007F:$HEXPORT" "$listeners"

# --- /healthz with Redis up ----------------------------------------------------
if wait_for 10 _health_is 200; then
	ok "/healthz: 200 while Redis is up"
else
	not_ok "/healthz: 200 while Redis is up (got $(status): $(body))"
fi
assert_eq "/healthz: body 'ok'" "ok" "$(body)"
assert_eq "/healthz: text/plain" "text/plain; charset=utf-8" "$(header Content-Type)"
assert_eq "/healthz: Cache-Control no-store" "no-store" "$(header Cache-Control)"
http_req HEAD /healthz
assert_eq "HEAD /healthz: 200" 200 "$(status)"
assert_eq "HEAD /healthz: no body" "" "$(body)"

# --- other methods and paths -------------------------------------------------
http_req POST /metrics
assert_eq "POST /metrics: 405" 405 "$(status)"
assert_eq "POST /metrics: Allow: GET, HEAD" "GET, HEAD" "$(header Allow)"
http_req PUT /healthz
assert_eq "PUT /healthz: 405" 405 "$(status)"
http_req DELETE /metrics
assert_eq "DELETE /metrics: 405" 405 "$(status)"
http_req GET /nope
assert_eq "GET /nope: 404" 404 "$(status)"
http_req GET /metrics/
assert_eq "GET /metrics/: 404 (exact paths)" 404 "$(status)"
http_req GET '/healthz?verbose=1'
assert_eq "GET /healthz?verbose=1: the query is ignored" 200 "$(status)"

# --- /metrics -------------------------------------------------------------------
scrape
assert_eq "GET /metrics: 200" 200 "$(status)"
assert_eq "/metrics: Prometheus text 0.0.4" "text/plain; version=0.0.4; charset=utf-8" \
	"$(header Content-Type)"
assert_eq "/metrics: Cache-Control no-store" "no-store" "$(header Cache-Control)"
assert_eq "teleqd_up 1" 1 "$(metric teleqd_up)"
# Every sample's family has one # HELP and one # TYPE before it (histograms: _bucket/_sum/_count).
bad=$(awk '
	/^# HELP / { help[$3]++; next }
	/^# TYPE / { type[$3] = $4; ntype[$3]++; next }
	/^#/ { next }
	{
		n = $1; sub(/\{.*$/, "", n); f = n
		if (!(f in type)) { b = n; sub(/_(bucket|sum|count)$/, "", b); if (type[b] == "histogram") f = b }
		if (help[f] != 1 || ntype[f] != 1) print "no single HELP/TYPE before: " $0
	}' "$T/metrics")
assert_eq "/metrics: every sample has its HELP and TYPE" "" "$bad"
# What an operator expects of an exporter (issue 15, item 7).
VERSION=$("$TELEQD" -V 2>/dev/null | awk '{ print $NF }')
assert_eq "teleqd_build_info{version=\"$VERSION\"} 1" 1 "$(metric "teleqd_build_info{version=\"$VERSION\"}")"
assert_eq "teleqd_outbox_pending 0 (nothing queued)" 0 "$(metric teleqd_outbox_pending)"
FDS=$(ls "/proc/$TQ_PID/fd" | wc -l)
assert_ok "process_open_fds $(metric process_open_fds) is about the $FDS in /proc/$TQ_PID/fd" \
	awk -v m="$(metric process_open_fds)" -v n="$FDS" 'BEGIN { exit !(m != "absent" && m >= n - 3 && m <= n + 3) }'
LIMIT=$(awk '/^Max open files/ { print $4 }' "/proc/$TQ_PID/limits")
if [ "$TQ_VALGRIND" = 1 ]; then
	# valgrind keeps the top descriptors for itself and tells its client a
	# lower limit (getrlimit) than /proc shows
	assert_ok "process_max_fds $(metric process_max_fds) is the soft limit $LIMIT less valgrind's reserve" \
		awk -v m="$(metric process_max_fds)" -v n="$LIMIT" 'BEGIN { exit !(m != "absent" && m <= n && m >= n - 64) }'
else
	assert_eq "process_max_fds is the soft limit" "$LIMIT" "$(metric process_max_fds)"
fi
RSS=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$TQ_PID/status")
assert_ok "process_resident_memory_bytes $(metric process_resident_memory_bytes) is within 25% of VmRSS $RSS" \
	awk -v m="$(metric process_resident_memory_bytes)" -v r="$RSS" \
	'BEGIN { exit !(m != "absent" && m > 0.75 * r && m < 1.25 * r) }'
assert_ok "process_start_time_seconds $(metric process_start_time_seconds) is within 2 s of teleqd_start_time_seconds" \
	awk -v p="$(metric process_start_time_seconds)" -v t="$(metric teleqd_start_time_seconds)" \
	'BEGIN { d = p - t; if (d < 0) d = -d; exit !(p != "absent" && d <= 2) }'
assert_ok "process_cpu_seconds_total is there" \
	awk -v c="$(metric process_cpu_seconds_total)" 'BEGIN { exit !(c != "absent" && c >= 0) }'
LOADED=$(metric teleqd_config_last_reload_success_timestamp_seconds)
assert_ok "the start counts as a config load ($LOADED, started $(metric teleqd_start_time_seconds))" \
	awk -v l="$LOADED" -v t="$(metric teleqd_start_time_seconds)" -v now="$(date +%s)" \
	'BEGIN { exit !(l != "absent" && l >= t - 1 && l <= now) }'
if command -v promtool >/dev/null 2>&1; then
	assert_ok "promtool check metrics: clean" sh -c "promtool check metrics <'$T/metrics' >'$T/promtool.out' 2>&1"
	[ -s "$T/promtool.out" ] && diag "promtool: $(cat "$T/promtool.out")"
else
	skip "promtool check metrics" "promtool not installed (Debian: prometheus)"
fi

assert_eq "a feed's rejects are there before any reject (zero series)" 0 \
	"$(metric "teleqd_rejects_total{feed=\"$JSONL_FEED\",reason=\"bad_json\"}")"

# 5 good case lines and one that is not JSON; 3 call lines after the CSV header.
N=5
i=1
while [ $i -le $N ]; do
	json_line "PN-http-$i" 2026-03-02T10:0$i:00+01:00 >>"$J"
	i=$((i + 1))
done
printf 'this is not json\n' >>"$J"
csv_line 2026-03-02 08:00:01 >>"$C"
csv_line 2026-03-02 08:00:02 "$R_FULL" >>"$C"
csv_line 2026-03-02 08:00:03 >>"$C"
assert_ok "the daemon counts the 8 events in Redis" wait_events 8 20

wait_metric "teleqd_events_total{feed=\"$JSONL_FEED\"} reaches $N" \
	"teleqd_events_total{feed=\"$JSONL_FEED\"}" $N
assert_eq "teleqd_lines_total{feed=\"$JSONL_FEED\"}: the $N lines and the bad one" $((N + 1)) \
	"$(metric "teleqd_lines_total{feed=\"$JSONL_FEED\"}")"
assert_eq "the bad line in teleqd_rejects_total{reason=\"bad_json\"}" 1 \
	"$(metric "teleqd_rejects_total{feed=\"$JSONL_FEED\",reason=\"bad_json\"}")"
wait_metric "teleqd_events_total{feed=\"$CSV_FEED\"} reaches 3" \
	"teleqd_events_total{feed=\"$CSV_FEED\"}" 3
assert_eq "teleqd_lines_total{feed=\"$CSV_FEED\"}: header and 3 lines" 4 \
	"$(metric "teleqd_lines_total{feed=\"$CSV_FEED\"}")"
commits=$(metric teleqd_commits_total)
if [ "$commits" != absent ] && [ "$commits" -gt 0 ]; then
	ok "teleqd_commits_total > 0 ($commits)"
else
	not_ok "teleqd_commits_total > 0 (got $commits)"
fi
assert_eq "the latency histogram counts every commit" "$commits" \
	"$(metric teleqd_commit_duration_seconds_count)"
assert_eq "its +Inf bucket equals its count" "$commits" \
	"$(metric 'teleqd_commit_duration_seconds_bucket{le="+Inf"}')"
assert_eq "teleqd_commit_failures_total 0" 0 "$(metric teleqd_commit_failures_total)"
assert_eq "teleqd_redis_connected 1" 1 "$(metric teleqd_redis_connected)"
wait_metric "no bytes behind in the case file once drained" \
	"teleqd_file_behind_bytes{feed=\"$JSONL_FEED\",file=\"$J\"}" 0
assert_eq "teleqd_file_size_bytes of the case file is its size" "$(stat -c %s "$J")" \
	"$(metric "teleqd_file_size_bytes{feed=\"$JSONL_FEED\",file=\"$J\"}")"
assert_eq "no bytes behind in the call log" 0 \
	"$(metric "teleqd_file_behind_bytes{feed=\"$CSV_FEED\",file=\"$C\"}")"
assert_eq "teleqd_files_followed{feed=\"$JSONL_FEED\"} 1" 1 \
	"$(metric "teleqd_files_followed{feed=\"$JSONL_FEED\"}")"

# --- Redis goes away and comes back --------------------------------------------
redis_stop
t0=$(now_ms)
if wait_for 10 _health_is 503; then
	ok "/healthz: 503 within 10 s of Redis stopping ($(($(now_ms) - t0)) ms)"
else
	not_ok "/healthz: 503 within 10 s of Redis stopping (got $(status): $(body))"
fi
assert_match "/healthz: the reason names Redis" '[Rr]edis' "$(body)"
scrape
assert_eq "/metrics still answers while Redis is down" 200 "$(status)"
assert_eq "teleqd_redis_connected 0 while Redis is down" 0 "$(metric teleqd_redis_connected)"

redis_start $AOF
if wait_for 20 _health_is 200; then
	ok "/healthz: 200 again once Redis is back ($(($(now_ms) - t0)) ms after the stop)"
else
	not_ok "/healthz: 200 again once Redis is back (got $(status): $(body))"
fi
wait_metric "teleqd_redis_connected 1 again" teleqd_redis_connected 1
rc_=$(metric teleqd_redis_reconnects_total)
if [ "$rc_" != absent ] && [ "$rc_" -ge 1 ]; then
	ok "teleqd_redis_reconnects_total counts the reconnect ($rc_)"
else
	not_ok "teleqd_redis_reconnects_total counts the reconnect (got $rc_)"
fi
assert_eq "nothing counted twice after the reconnect" $N \
	"$(metric "teleqd_events_total{feed=\"$JSONL_FEED\"}")"
json_line PN-http-after 2026-03-02T11:00:00+01:00 >>"$J"
wait_metric "a line appended after the reconnect is counted" \
	"teleqd_events_total{feed=\"$JSONL_FEED\"}" $((N + 1))

# --- a reload moves teleqd_config_last_reload_success_timestamp_seconds ---------------
scrape
LOADED=$(metric teleqd_config_last_reload_success_timestamp_seconds)
sleep 1.1                               # whole seconds: the next load is later
cp "$CONF" "$T/conf.good"
printf 'not: [valid\n' >>"$CONF"
kill -HUP "$TQ_PID"
_refused() { grep -q 'reload: .*keeping the running configuration' "$TQ_LOG"; }
assert_ok "a bad config is refused at SIGHUP" wait_for 10 _refused
scrape
assert_eq "a refused reload leaves the timestamp" "$LOADED" \
	"$(metric teleqd_config_last_reload_success_timestamp_seconds)"
# the good config, with http.request_timeout 1s (same address: the listener is kept)
sed 's/^  request_timeout:.*/  request_timeout: 1s/' "$T/conf.good" >"$CONF"
assert_match "the reloaded config has request_timeout: 1s" '^  request_timeout: 1s$' "$(cat "$CONF")"
kill -HUP "$TQ_PID"
_reload_later() {
	scrape
	_l=$(metric teleqd_config_last_reload_success_timestamp_seconds)
	[ "$_l" != absent ] && [ "$_l" -gt "$LOADED" ]
}
assert_ok "a good reload moves the timestamp past $LOADED" wait_for 20 _reload_later
# a connection that never sends its request is closed after the new request_timeout
IDLE=$("$PY" - "$PORT" "$(slow_secs 8)" <<'EOF_PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /healthz HTTP/1.1\r\n")      # and never the rest
s.settimeout(float(sys.argv[2]))
t0 = time.monotonic()
try:
    closed = s.recv(1) == b""
except OSError:
    closed = False
print("%s %.2f" % ("closed" if closed else "open", time.monotonic() - t0))
EOF_PY
)
debug "an unfinished request after the reload: $IDLE"
assert_eq "after the reload, an unfinished request is closed (request_timeout 1s)" closed "${IDLE%% *}"
if tq_slow; then
	skip "within 2.5 s" "$TQ_SLOW_WHY"
else
	assert_ok "within 2.5 s (not the 10 s of before the reload): ${IDLE#* } s" \
		awk -v t="${IDLE#* }" 'BEGIN { exit !(t <= 2.5) }'
fi

# --- shutdown closes the port ------------------------------------------------------
rc=0
tq_stop || rc=$?
assert_eq "SIGTERM: exit status 0" 0 "$rc"
left=$(awk -v p=":$HEXPORT" '$4 == "0A" && substr($2, length($2) - 4) == p' /proc/net/tcp)
assert_eq "the port is closed after the daemon stopped" "" "$left"

done_testing
