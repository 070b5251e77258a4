#!/bin/sh
# t_lease.sh — two daemons on one Redis and one prefix (issue 16, item 3).
#
# Without a lease each handshake fenced the other daemon: a reconnect
# storm ("connection is stale") with nothing naming the cause. Now the
# first daemon holds the lease K lease (redis.lease, 2 s here) and:
# - a second daemon on the same config logs, once and at error level, who
#   holds it, and stands by: no reconnect storm, few log lines, and the
#   active daemon is never fenced;
# - `teleqctl status` names the holder;
# - `teleqd --once` while another daemon holds it exits 1 at once, naming it;
# - after kill -9 of the active daemon the standby takes over within about
#   one lease period; after a clean stop (SIGTERM) at once (the lease is
#   released);
# - every line is counted exactly once throughout.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start
# 2 s keeps the test short; under valgrind (TQ_SLOW) a daemon needs longer
# than a third of that to answer, so the lease is longer and timings are not checked.
LEASE_S=2
tq_slow && LEASE_S=10
write_config lease=${LEASE_S}s max_delay_ms=50
LEASE_MS=$((LEASE_S * 1000))
F=$(csv_path lease)
gen_csv "$F" 3000 --seed 71 --from 2026-01-01 --days 20

# expected: data lines of the CSV file (one header line).
expected() {
	echo $(($(wc -l <"$F") - 1))
}
# more N SEED: N more lines at the end of the file.
more() {
	gen_csv "$F" "$1" --append --no-header --seed "$2" --from 2026-01-01 --days 20
}
# spawn LOG: a daemon on $CONF logging to LOG; its pid in $SPAWNED.
spawn() {
	"$TELEQD" -c "$CONF" </dev/null >>"$1" 2>&1 &
	SPAWNED=$!
	TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $SPAWNED"
}
in_log() {
	grep -q -e "$2" "$1"
}
count_in() {
	grep -c -e "$2" "$1" || true
}

LA=$T/a.log LB=$T/b.log LC=$T/c.log
: >"$LA"; : >"$LB"; : >"$LC"
spawn "$LA"
A=$SPAWNED
wait_for 10 in_log "$LA" 'redis: connected' || bail "daemon A did not connect (see $LA)"
wait_events "$(expected)" 20 || bail "daemon A did not count the backfill"
host=$(hostname)

# B on the same config while A commits new lines every 0.2 s for 3 s.
spawn "$LB"
B=$SPAWNED
i=0
while [ $i -lt 15 ]; do
	more 20 $((100 + i))
	sleep 0.2
	i=$((i + 1))
done
wait_events "$(expected)" 10 || true
assert_eq "A counted every line while B was started (exactly once)" "$(expected)" "$(events_total)"
alive "$B" && ok "B still runs (standby)" || not_ok "B exited"
assert_match "B logs at error level who holds the lease (pid $A)" "lease.*held by .*pid $A" "$(grep '^<3>' "$LB" || true)"
assert_eq "B names the holder once, not per retry" 1 "$(count_in "$LB" 'held by')"
assert_eq "A is never fenced: no reconnect" 0 "$(count_in "$LA" 'reconnect')"
assert_eq "B does not reconnect in a loop" 0 "$(count_in "$LB" 'reconnect')"
assert_eq "no stale (fenced) commit" 00 "$(count_in "$LA" 'stale')$(count_in "$LB" 'stale')"
nb=$(wc -l <"$LB")
[ "$nb" -le 4 ] && ok "B logged $nb lines in 3 s of standby" || not_ok "B logged $nb lines in 3 s of standby"
diag "B's log: $(cat "$LB")"

st=$(ctl status || true)
assert_match "teleqctl status names the holder (pid $A)" "lease .*pid $A" "$st"
assert_match "teleqctl status names the holder's host" "lease .*$host" "$st"
ctl status --format json >"$T/status.json" || true
assert_match "teleqctl status --format json has the holder" "\"lease\":\\{[^}]*\"pid\":$A" "$(cat "$T/status.json")"

# B's /healthz and /metrics: a deliberate standby is healthy (200) and says
# whose lease it waits for; teleqd_lease_held tells the two apart.
# get LOG PATH: "CODE BODY" of GET PATH on the daemon that wrote LOG.
get() {
	_port=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$1" | tail -n 1 | sed 's/.*://')
	python3 - "$_port" "$2" <<'EOF_PY'
import sys, urllib.request, urllib.error
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=5) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
EOF_PY
}
hz=$(get "$LB" /healthz)
assert_match "B's /healthz: 200, standby, naming the holder" "^200 standby: lease held by .*pid $A" "$hz"
assert_match "B's metrics: teleqd_lease_held 0" "^teleqd_lease_held 0$" "$(get "$LB" /metrics)"
assert_match "A's metrics: teleqd_lease_held 1" "^teleqd_lease_held 1$" "$(get "$LA" /metrics)"

# --once while A holds (and renews) the lease: waits one lease period, then
# exits 1 naming the holder.
t0=$(now_ms)
rc=0
timeout -k 2 20 "$TELEQD" -c "$CONF" --once </dev/null >"$T/once.log" 2>&1 || rc=$?
t1=$(now_ms)
assert_eq "--once while another daemon holds the lease exits 1" 1 "$rc"
assert_match "--once names the holder" "held by .*pid $A" "$(cat "$T/once.log")"
if tq_slow; then
	skip "--once gave up within a lease and a status tick" "$TQ_SLOW_WHY"
elif [ $((t1 - t0)) -ge "$LEASE_MS" ] && [ $((t1 - t0)) -lt $((LEASE_MS + 3000)) ]; then
	ok "--once gave up in $((t1 - t0)) ms"
else
	not_ok "--once took $((t1 - t0)) ms to give up"
fi

# kill -9 A: B, on the same host, sees A's pid gone and takes over at its
# next attempt (0.5 s), without waiting for the expiry.
more 500 200
[ "$TQ_VALGRIND" = 1 ] && echo "$A" >>"$VG_DIR/killed"    # a crash: no leak check
kill -KILL "$A"
wait "$A" 2>/dev/null || true
t0=$(now_ms)
wait_for $((LEASE_MS / 1000 + 3)) in_log "$LB" 'redis: connected' || not_ok "B did not take over"
t1=$(now_ms)
diag "B took over $((t1 - t0)) ms after kill -9 of A (lease $LEASE_MS ms)"
assert_faster "B took over at its next attempt, within 1.5 s (lease $LEASE_MS ms)" $((t1 - t0)) 1501
assert_match "B logs the takeover at notice level" "lease held by .*pid $A .*which no longer runs on this host" \
	"$(grep '^<5>' "$LB" || true)"
more 300 201
wait_events "$(expected)" 20 || true
assert_eq "after the takeover every line counted exactly once" "$(expected)" "$(events_total)"

# C stands by; a clean stop of B hands over at once.
spawn "$LC"
C=$SPAWNED
wait_for 5 in_log "$LC" 'held by' || not_ok "C did not stand by"
assert_match "C names B as the holder" "held by .*pid $B" "$(grep '^<3>' "$LC" || true)"
more 200 202
kill -TERM "$B"
t0=$(now_ms)
wait "$B" 2>/dev/null || true
wait_for 5 in_log "$LC" 'redis: connected' || not_ok "C did not take over"
t1=$(now_ms)
diag "C took over $((t1 - t0)) ms after SIGTERM to B"
assert_faster "C took over at once after a clean stop (lease $LEASE_MS ms)" $((t1 - t0)) 1300
assert_match "B released its lease when it stopped" "redis: lease released$" "$(cat "$LB")"
more 100 203
wait_events "$(expected)" 20 || true
assert_eq "after the clean handover every line counted exactly once" "$(expected)" "$(events_total)"
assert_eq "C did not reconnect" 0 "$(count_in "$LC" 'reconnect')"

# Another owner's value appears (a daemon on another host that took the
# lease while this one was paused): C's next renewal sees it, C stops
# committing and stands by, and takes the lease again when it expires (a
# holder on another host is always waited out).
rcli SET "${KP}lease" "tq1 0123456789abcdef 4242 0 $(now_ms) otherhost" PX $((LEASE_MS + 500)) >/dev/null
wait_for $((LEASE_S + 1)) in_log "$LC" 'lease lost to otherhost pid 4242' || not_ok "C did not notice the other owner"
assert_match "C says at error level that it lost the lease" "lease lost to otherhost pid 4242" \
	"$(grep '^<3>' "$LC" || true)"
n0=$(events_total)
more 100 204
sleep 0.5
assert_eq "while the other owner holds the lease C commits nothing" "$n0" "$(events_total)"
wait_for $((LEASE_S + 2)) in_log "$LC" 'lease taken over from otherhost' || not_ok "C did not take the lease back"
wait_events "$(expected)" 20 || true
assert_eq "after taking it back every line counted exactly once" "$(expected)" "$(events_total)"

# Redis frozen for longer than the lease: C cannot renew, stops committing
# (its lease may be someone else's by now), then resumes when Redis answers.
kill -STOP "$REDIS_PID"
sleep "$LEASE_S.6"
kill -CONT "$REDIS_PID"
wait_for 3 in_log "$LC" "not renewed for $LEASE_S s" || not_ok "C did not notice its lease lapse"
assert_match "C says at error level that its lease lapsed" "lease was not renewed for $LEASE_S s" \
	"$(grep '^<3>' "$LC" || true)"
more 100 205
wait_events "$(expected)" 20 || true
assert_eq "after the freeze every line counted exactly once" "$(expected)" "$(events_total)"
assert_eq "C is the writer again" 1 "$(get "$LC" /metrics | grep -c '^teleqd_lease_held 1$')"
nc=$(wc -l <"$LC")
debug "C's log: $(cat "$LC")"
[ "$nc" -le 20 ] && ok "C logged $nc lines through it all" || not_ok "C logged $nc lines"

kill -TERM "$C"
wait "$C" 2>/dev/null || true
assert_eq "a clean stop releases the lease" 0 "$(rcli EXISTS "${KP}lease")"

# kill -9 and a restart on the same host (systemd's Restart=, a --once
# rerun): the lease of the dead process is taken at once.
LD=$T/d.log
: >"$LD"
spawn "$LD"
D=$SPAWNED
wait_for 10 in_log "$LD" 'redis: connected' || bail "daemon D did not connect (see $LD)"
more 100 206
[ "$TQ_VALGRIND" = 1 ] && echo "$D" >>"$VG_DIR/killed"
kill -KILL "$D"
wait "$D" 2>/dev/null || true
t0=$(now_ms)
rc=0
timeout -k 2 60 "$TELEQD" -c "$CONF" --once </dev/null >"$T/once2.log" 2>&1 || rc=$?
t1=$(now_ms)
assert_eq "--once right after kill -9 of the writer exits 0" 0 "$rc"
assert_match "--once says the holder no longer runs" "pid $D .*which no longer runs on this host" \
	"$(cat "$T/once2.log")"
assert_eq "--once read every line exactly once" "$(expected)" "$(events_total)"
assert_faster "--once did not wait for the dead writer's lease" $((t1 - t0)) "$LEASE_MS"
assert_eq "--once released the lease at its end" 0 "$(rcli EXISTS "${KP}lease")"
done_testing

