#!/bin/sh
# t_redis_policy.sh — an evicting Redis (issue 16, item 1).
#
# Redis with maxmemory-policy allkeys-lru (it may evict the day hashes,
# "files", "stats" or the seen:* sets, which would corrupt the counts
# silently): teleqd commits nothing, /healthz is 503 and names the
# policy, teleqd_redis_policy_ok is 0, teleqctl status says it, the log
# says it at error level and --once exits non-zero with the reason. After
# CONFIG SET maxmemory-policy noeviction counting resumes without a
# restart and the counts are exact. A change to volatile-lru while
# connected is noticed within seconds; the lines appended meanwhile stay
# pending and are counted exactly once after the fix.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start --maxmemory 100mb --maxmemory-policy allkeys-lru

# http_get PATH: status into $T/status, body into $T/body.
http_get() {
	python3 - "$PORT" "$1" "$T" <<'EOF_PY'
import sys, urllib.request, urllib.error
port, path, tdir = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
status, body = "000", b""
try:
    with opener.open("http://127.0.0.1:%s%s" % (port, path), timeout=5) as r:
        status, body = str(r.status), r.read()
except urllib.error.HTTPError as e:
    status, body = str(e.code), e.read()
except Exception as e:
    body = ("no answer: %s\n" % e).encode()
open(tdir + "/body", "wb").write(body)
open(tdir + "/status", "w").write(status + "\n")
EOF_PY
}
_health_says() {
	http_get /healthz
	[ "$(cat "$T/status")" = "$1" ] && grep -q -e "$2" "$T/body"
}
_metric_is() {
	metrics_scrape "$T/metrics" && [ "$(metric_value "$T/metrics" "$1")" = "$2" ]
}

write_config max_delay_ms=50
F=$(csv_path p)
gen_csv "$F" 3000 --seed 16 --from "$(date -d '20 days ago' +%F)" --days 10
gen_csv "$T/more" 2000 --no-header --seed 17 --from "$(date -d '20 days ago' +%F)" --days 10
N1=3000
N2=5000

# --- --once refuses at once, with the reason
rc=0
tq_once --wait-redis 20 || rc=$?
assert_ne "--once exits non-zero on an evicting Redis" 0 "$rc"
assert_match "--once says why" "maxmemory-policy is allkeys-lru" "$(cat "$TQ_LOG")"
assert_eq "--once committed nothing" "" "$(rcli HGET "${KP}stats" commits)"

# --- the daemon waits, loudly
FROM=$(($(wc -c <"$TQ_LOG") + 1))
tq_start
_listening() { grep -q 'http: listening on ' "$TQ_LOG"; }
wait_for 10 _listening || bail "no 'http: listening on' line"
PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
if wait_for 5 _health_says 503 "allkeys-lru"; then ok "healthz 503 names the policy"; else
	not_ok "healthz 503 names the policy (got $(cat "$T/status"): $(cat "$T/body"))"; fi
sleep 1
assert_eq "nothing committed" "0" "$(events_total)"
assert_eq "no epoch taken" "" "$(rcli HGET "${KP}stats" epoch)"
wait_for 5 _metric_is teleqd_redis_policy_ok 0 || true
assert_eq "teleqd_redis_policy_ok 0" 0 "$(metric_value "$T/metrics" teleqd_redis_policy_ok)"
assert_match "error logged, with the fix" \
	"^<3>redis: .*maxmemory-policy is allkeys-lru.*CONFIG SET maxmemory-policy noeviction" "$(cat "$TQ_LOG")"
assert_eq "logged once, not at every re-check" 1 \
	"$(tail -c +"$FROM" "$TQ_LOG" | grep -c 'maxmemory-policy is allkeys-lru')"
ctl status >"$T/st" 2>&1 || true
assert_match "teleqctl status names the policy" "^redis +maxmemory-policy allkeys-lru: Redis may evict keys" "$(cat "$T/st")"

# --- fixed: counting resumes without a restart
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
wait_events "$N1" 15 || true
assert_eq "counting resumes after the fix, exactly" "$N1" "$(events_total)"
if wait_for 5 _health_says 200 "ok"; then ok "healthz 200 again"; else
	not_ok "healthz 200 again (got $(cat "$T/status"): $(cat "$T/body"))"; fi
assert_match "recovery logged" "maxmemory-policy is noeviction again" "$(cat "$TQ_LOG")"

# --- volatile-lru while connected: noticed; lines stay pending
rcli CONFIG SET maxmemory-policy volatile-lru >/dev/null
if wait_for 5 _health_says 503 "volatile-lru"; then ok "healthz 503 names volatile-lru"; else
	not_ok "healthz 503 names volatile-lru (got $(cat "$T/status"): $(cat "$T/body"))"; fi
cat "$T/more" >>"$F"
sleep 1.5
assert_eq "nothing committed under volatile-lru" "$N1" "$(events_total)"
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
wait_events "$N2" 15 || true
assert_eq "the pending lines counted exactly once" "$N2" "$(events_total)"
assert_ok "the daemon kept running" alive "$TQ_PID"
rc=0
tq_stop || rc=$?
assert_eq "clean stop" 0 "$rc"
done_testing
