#!/bin/sh
# t_http_starve.sh — the HTTP listener cannot be starved (issue 15, item 6).
#
# teleqd runs under `ulimit -n 256` with the default http.max_connections
# (64) and http.request_timeout (10 s). 400 loopback clients that send a
# request one byte every 2 to 4 s, never ending it (tests/integration/
# dribble.py; bounded in count and time), must not keep /healthz from
# answering within 1 s, nor make teleqd spin (CPU) or flood its log.
# Then 20 such clients (fewer than max_connections): the server closes
# each once request_timeout has passed, however steadily it dribbles.
# Then, with max_connections above the descriptor limit, accept() runs
# out of descriptors (EMFILE): the oldest waiting connection is closed (or
# the listener pauses) instead of a busy loop, the complaint is
# rate-limited, and /healthz is still answered. Last, with
# max_connections 2 both held by dashboard requests waiting for a frozen
# Redis: a third connection waits in the kernel's queue (no busy
# connection is cut) and gets /healthz once one is answered.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
DRIBBLE="$TQ_ROOT/tests/integration/dribble.py"

# start_limited: teleqd with at most 256 descriptors (the shell execs it: same pid).
start_limited() {
	sh -c 'ulimit -n 256 && exec "$@"' sh "$TELEQD" -c "$CONF" </dev/null >>"$TQ_LOG" 2>&1 &
	TQ_PID=$!
	sleep 0.1
	alive "$TQ_PID" || bail "teleqd exited at start (see its log)"
	_listening() { grep -q 'http: listening on ' "$TQ_LOG"; }
	wait_for 10 _listening || bail "no 'http: listening on' line in the daemon's log"
	PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
	[ -n "$PORT" ] || bail "no port in the daemon's log"
}
# cpu_ticks: user + system clock ticks teleqd has used.
cpu_ticks() {
	sed 's/^.*) //' "/proc/$TQ_PID/stat" | awk '{ print $12 + $13 }'
}
# probe SECONDS: GET /healthz once; "STATUS SECONDS" in $T/probe.
probe() {
	"$PY" "$DRIBBLE" probe "$PORT" "$1" >"$T/probe"
}
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
HZ=$(getconf CLK_TCK)

redis_start
write_config
printf '%s\r\n' "$CSV_HEADER" >"$(csv_path starve)"
start_limited
assert_eq "the daemon runs with 256 descriptors at most" 256 \
	"$(awk '/^Max open files/ { print $4 }' "/proc/$TQ_PID/limits")"
_health_ok() { probe 5 && [ "$(cut -d' ' -f1 "$T/probe")" = 200 ]; }
wait_for 10 _health_ok || bail "/healthz never answered 200 ($(cat "$T/probe"))"

# --- 400 dribbling clients ------------------------------------------------------
# under TQ_SLOW (valgrind) the phases are longer, but not 10 times: timing is not checked then
if tq_slow; then D=30; else D=12; fi
lines0=$(wc -l <"$TQ_LOG")
ticks0=$(cpu_ticks)
"$PY" "$DRIBBLE" "$PORT" 400 "$D" "$T/flood" &
FLOOD=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $FLOOD"
if tq_slow; then sleep 12; else sleep 4; fi      # every client connected and dribbling by now
worst=0 fails=0
for i in 1 2 3 4 5; do
	probe "$(slow_secs 5)"
	read -r st secs <"$T/probe"
	debug "probe $i: $st in $secs s"
	[ "$st" = 200 ] || fails=$((fails + 1))
	worst=$(awk -v a="$worst" -v b="$secs" 'BEGIN { print (b > a) ? b : a }')
	sleep 0.5
done
assert_eq "400 dribbling clients: /healthz answers 200 each of 5 times" 0 "$fails"
if tq_slow; then
	skip "400 dribbling clients: /healthz within 1 s (worst $worst s)" "$TQ_SLOW_WHY"
else
	assert_ok "400 dribbling clients: /healthz within 1 s (worst $worst s)" \
		awk -v w="$worst" 'BEGIN { exit !(w < 1.0) }'
fi
wait "$FLOOD" || bail "the dribbling clients failed"
ticks=$(( $(cpu_ticks) - ticks0 ))
diag "$(tr '\n' ' ' <"$T/flood")cpu ${ticks} ticks of $HZ/s in $D s"
assert_ok "the clients got connected" awk -v n="$(val connects "$T/flood")" 'BEGIN { exit !(n >= 64) }'
if tq_slow; then
	skip "no busy loop: teleqd used under half a CPU" "$TQ_SLOW_WHY"
else
	assert_ok "no busy loop: teleqd used under half a CPU ($ticks ticks in $D s)" \
		awk -v t="$ticks" -v hz="$HZ" -v d="$D" 'BEGIN { exit !(t < 0.5 * hz * d) }'
fi
assert_ok "teleqd still runs" alive "$TQ_PID"
lines=$(( $(wc -l <"$TQ_LOG") - lines0 ))
assert_ok "the log stays short: $lines lines (< 1000)" test "$lines" -lt 1000
assert_fail "libevent's accept() complaint is not in the log" \
	grep -q -F 'Error from accept() call' "$TQ_LOG"

# --- fewer clients than max_connections: request_timeout ends each ---------------
if tq_slow; then D=25; else D=14; fi
"$PY" "$DRIBBLE" "$PORT" 20 "$D" "$T/slow" &
SLOW=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $SLOW"
wait "$SLOW" || bail "the dribbling clients failed"
diag "$(tr '\n' ' ' <"$T/slow")"
assert_ok "20 dribbling clients: the server closed at least 20 connections" \
	awk -v n="$(val server_closed "$T/slow")" 'BEGIN { exit !(n >= 20) }'
if tq_slow; then
	skip "no connection outlives request_timeout" "$TQ_SLOW_WHY"
else
	assert_ok "no closed connection lived past 10 s + 1.5 s ($(val max_closed_age "$T/slow") s)" \
		awk -v a="$(val max_closed_age "$T/slow")" 'BEGIN { exit !(a <= 11.5) }'
	assert_ok "none still open at the end is older than 11.5 s ($(val max_open_age "$T/slow") s)" \
		awk -v a="$(val max_open_age "$T/slow")" 'BEGIN { exit !(a <= 11.5) }'
	assert_ok "the timeout is not early: a connection lived 9.5 s at least" \
		awk -v a="$(val max_closed_age "$T/slow")" 'BEGIN { exit !(a >= 9.5) }'
fi
_health_ok || not_ok "/healthz after the slow clients ($(cat "$T/probe"))"
assert_ok "teleqd still runs" alive "$TQ_PID"
tq_stop || not_ok "teleqd exits cleanly after the slow clients"

# --- EMFILE: max_connections above what the descriptors allow --------------------
write_config max_connections=1000 request_timeout=10s
: >"$T/tq2.log"
TQ_LOG=$T/tq2.log
start_limited
wait_for 10 _health_ok || bail "/healthz never answered 200 ($(cat "$T/probe"))"
if tq_slow; then D=25; else D=8; fi
ticks0=$(cpu_ticks)
"$PY" "$DRIBBLE" "$PORT" 400 "$D" "$T/emfile" &
FLOOD=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $FLOOD"
if tq_slow; then sleep 10; else sleep 3; fi
fails=0
for i in 1 2 3; do
	probe "$(slow_secs 3)"
	diag "probe $i: $(cat "$T/probe")"
	[ "$(cut -d' ' -f1 "$T/probe")" = 200 ] || fails=$((fails + 1))
done
if [ "$TQ_VALGRIND" = 1 ]; then
	# valgrind keeps the top descriptors for itself: a connection the kernel gives one of
	# those is closed by valgrind at once (a reset), which no daemon can help
	assert_ok "out of descriptors (valgrind): /healthz answers 200 at least once of 3" \
		test "$fails" -lt 3
else
	assert_eq "out of descriptors: /healthz answers 200 each of 3 times within 3 s" 0 "$fails"
fi
wait "$FLOOD" || bail "the dribbling clients failed"
ticks=$(( $(cpu_ticks) - ticks0 ))
diag "$(tr '\n' ' ' <"$T/emfile")cpu ${ticks} ticks of $HZ/s in $D s"
assert_ok "out of descriptors: said, rate-limited" \
	grep -q -F 'http: cannot accept a connection' "$TQ_LOG"
if tq_slow; then
	skip "out of descriptors: no busy loop" "$TQ_SLOW_WHY"
else
	assert_ok "out of descriptors: no busy loop ($ticks ticks in $D s)" \
		awk -v t="$ticks" -v hz="$HZ" -v d="$D" 'BEGIN { exit !(t < 0.5 * hz * d) }'
fi
lines=$(wc -l <"$TQ_LOG")
assert_ok "out of descriptors: the log stays short: $lines lines (< 1000)" test "$lines" -lt 1000
assert_fail "out of descriptors: libevent's accept() complaint is not in the log" \
	grep -q -F 'Error from accept() call' "$TQ_LOG"
assert_ok "teleqd still runs" alive "$TQ_PID"
tq_stop || not_ok "teleqd exits cleanly"

# --- every connection with a request in hand: new ones wait, none is cut -----------
# lease 60s: Redis is frozen for about 10 s below, and a writer whose lease
# lapses (10 s by default) drops its connection (t_lease), failing /healthz;
# unresponsive_after=60s: after 5 s of a frozen Redis /healthz would truthfully
# answer 503 "unresponsive" (t_redis_frozen), and this part asks for a 200
write_config max_connections=2 request_timeout=10s lease=60s unresponsive_after=60s
: >"$T/tq3.log"
TQ_LOG=$T/tq3.log
start_limited
wait_for 10 _health_ok || bail "/healthz never answered 200 ($(cat "$T/probe"))"
kill -STOP "$REDIS_PID"         # the dashboard's reads wait (dash.c answers 503 after 10 s)
for i in 1 2; do
	"$PY" - "$PORT" "$T/api$i" <<'EOF_PY' &
import sys, time, urllib.request, urllib.error
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
t0, status = time.monotonic(), "000"
try:
    with opener.open("http://127.0.0.1:%s/api/indicators" % sys.argv[1], timeout=120) as r:
        status = str(r.status)
except urllib.error.HTTPError as e:
    status = str(e.code)
except Exception as e:
    status = "000"
open(sys.argv[2], "w").write("%s %.2f\n" % (status, time.monotonic() - t0))
EOF_PY
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $!"
	eval "API$i=\$!"
done
sleep 1
probe "$(slow_secs 30)"
kill -CONT "$REDIS_PID"
wait "$API1" "$API2" || true
read -r st secs <"$T/probe"
diag "api: $(cat "$T/api1" "$T/api2" | tr '\n' ' ')healthz: $st in $secs s"
assert_eq "2 connections busy (max_connections 2): a third still gets /healthz" 200 "$st"
assert_eq "the busy ones were not cut: both answered 503 (Redis frozen)" "503 503" \
	"$(cut -d' ' -f1 "$T/api1" "$T/api2" | tr '\n' ' ' | sed 's/ $//')"
if tq_slow; then
	skip "/healthz waited for a free connection" "$TQ_SLOW_WHY"
else
	assert_ok "/healthz waited for a free connection ($secs s, the dashboard's 10 s timeout)" \
		awk -v s="$secs" 'BEGIN { exit !(s >= 5) }'
fi
assert_ok "said so: all connections with a request in hand" \
	grep -q -F 'all with a request in hand (http.max_connections)' "$TQ_LOG"
tq_stop || not_ok "teleqd exits cleanly"
done_testing
