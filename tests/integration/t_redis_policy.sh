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
#
# The mail (delivered directly, not through the outbox, which lives in the
# refused Redis): one "redis_evicts" after the grace, naming the policy and
# the fix, without feed data; one "redis_ok" after the fix. The
# volatile-lru episode is shorter than the grace: no mail.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
redis_start --maxmemory 100mb --maxmemory-policy allkeys-lru

_kind_is() { [ "$(kind_count "$1")" = "$2" ]; }
# mail_text KIND: the decoded headers and body of the mails of KIND.
mail_text() {
	python3 - "$MAIL_DIR" "$1" <<'EOF_PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    with open(f, "rb") as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    if str(m["X-Teleqd-Kind"]) == sys.argv[2]:
        print("Subject: " + str(m["Subject"]))
        print("Message-ID: " + str(m["Message-ID"]))
        print(m.get_content())
EOF_PY
}

write_config max_delay_ms=50 retry_min=1s retry_max=2s
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

# --- the daemon waits, loudly (its first mail attempt fails: retried)
FROM=$(($(wc -c <"$TQ_LOG") + 1))
touch "$T/mail_fail"
tq_start
_listening() { grep -q 'http: listening on ' "$TQ_LOG"; }
wait_for 10 _listening || bail "no 'http: listening on' line"
PORT=$(grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://')
if wait_for 5 health_says 503 "allkeys-lru"; then ok "healthz 503 names the policy"; else
	not_ok "healthz 503 names the policy (got $(cat "$T/status"): $(cat "$T/body"))"; fi
sleep 1
assert_eq "nothing committed" "0" "$(events_total)"
assert_eq "no epoch taken" "" "$(rcli HGET "${KP}stats" epoch)"
wait_for 5 metric_is teleqd_redis_policy_ok 0 || true
assert_eq "teleqd_redis_policy_ok 0" 0 "$(metric_value "$T/metrics" teleqd_redis_policy_ok)"
assert_match "error logged, with the fix" \
	"^<3>redis: .*maxmemory-policy is allkeys-lru.*CONFIG SET maxmemory-policy noeviction" "$(cat "$TQ_LOG")"
assert_eq "logged once, not at every re-check" 1 \
	"$(tail -c +"$FROM" "$TQ_LOG" | grep -c 'maxmemory-policy is allkeys-lru')"
ctl status >"$T/st" 2>&1 || true
assert_match "teleqctl status names the policy" "^redis +maxmemory-policy allkeys-lru: Redis may evict keys" "$(cat "$T/st")"

# --- the mail: once per episode, after the grace, without Redis
_mail_failed() { grep -q 'alerts: redis-evicts-[0-9]*: delivery by mail failed' "$TQ_LOG"; }
if wait_for 10 _mail_failed; then ok "a failed attempt is logged"; else not_ok "a failed attempt is logged"; fi
rm -f "$T/mail_fail"
wait_for 10 _kind_is redis_evicts 1 || true
sleep 1.5                            # more ticks: nothing is sent twice
assert_eq "one redis_evicts mail, not one a second" 1 "$(kind_count redis_evicts)"
mail_text redis_evicts >"$T/evicts"
assert_match "the mail names the policy" "^Subject: .*allkeys-lru" "$(cat "$T/evicts")"
assert_match "the mail says the fix" "CONFIG SET maxmemory-policy noeviction" "$(cat "$T/evicts")"
assert_match "the Message-ID names the episode" "^Message-ID: <redis-evicts-[0-9]+@" "$(cat "$T/evicts")"
# no number, file or feed name (the Message-ID line holds the episode's start)
grep -v '^Message-ID:' "$T/evicts" >"$T/evicts.body"
assert_eq "no feed data in the mail" 0 \
	"$({ grep -E '[0-9]{6}|\.txt|\.jsonl' "$T/evicts.body"
	     grep -w -e "$CSV_FEED" -e "$JSONL_FEED" "$T/evicts.body"; } | wc -l | tr -d ' ')"
# a reload while refused: the new store does not know the policy yet, which is no fix
kill -HUP "$TQ_PID"
_reloaded() { grep -q 'configuration reloaded' "$TQ_LOG"; }
wait_for 5 _reloaded || true
sleep 1
assert_eq "no redis_ok mail while refused, nor after a reload" 0 "$(kind_count redis_ok)"
assert_eq "still one redis_evicts mail after the reload" 1 "$(kind_count redis_evicts)"

# --- fixed: counting resumes without a restart
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
wait_events "$N1" 15 || true
assert_eq "counting resumes after the fix, exactly" "$N1" "$(events_total)"
if wait_for 5 health_says 200 "ok"; then ok "healthz 200 again"; else
	not_ok "healthz 200 again (got $(cat "$T/status"): $(cat "$T/body"))"; fi
assert_match "recovery logged" "maxmemory-policy is noeviction again" "$(cat "$TQ_LOG")"
wait_for 10 _kind_is redis_ok 1 || true
assert_eq "one redis_ok mail after the fix" 1 "$(kind_count redis_ok)"
assert_match "the redis_ok mail says it is fixed" "^Subject: Åtgärdat: Redis" "$(mail_text redis_ok)"

# --- volatile-lru while connected: noticed; lines stay pending
rcli CONFIG SET maxmemory-policy volatile-lru >/dev/null
if wait_for 5 health_says 503 "volatile-lru"; then ok "healthz 503 names volatile-lru"; else
	not_ok "healthz 503 names volatile-lru (got $(cat "$T/status"): $(cat "$T/body"))"; fi
cat "$T/more" >>"$F"
sleep 1.5
assert_eq "nothing committed under volatile-lru" "$N1" "$(events_total)"
rcli CONFIG SET maxmemory-policy noeviction >/dev/null
wait_events "$N2" 15 || true
assert_eq "the pending lines counted exactly once" "$N2" "$(events_total)"
assert_eq "an episode shorter than the grace mails nothing" 1 "$(kind_count redis_evicts)"
assert_eq "still one redis_ok mail" 1 "$(kind_count redis_ok)"
assert_ok "the daemon kept running" alive "$TQ_PID"
rc=0
tq_stop || rc=$?
assert_eq "clean stop" 0 "$rc"
done_testing
