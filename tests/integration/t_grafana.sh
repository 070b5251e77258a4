#!/bin/sh
# t_grafana.sh — conf/grafana against a Redis that teleqd filled, as Grafana
# would read it from `make demo DEMO_SERVE=PORT` (no Grafana needed).
#
# The Redis is started and opened on TCP exactly as tools/demo.sh does it
# (start_redis and redis_serve_tcp of tools/proc.sh), filled by teleqd
# --once with the committee's data on the demo's calendar (3 April 2026
# 00:05). Then:
#   1. it listens on 127.0.0.1 only (CONFIG GET bind, ss), and the demo uses
#      those two functions;
#   2. every Redis panel's query (tests/integration/grafana_check.py) runs as
#      the read-only ACL user over TCP without an error and with data; that
#      user can neither write nor read teleqd's other keys; the README's ACL
#      line has the same rules as the demo's;
#   3. the panel titles are the indicators' Swedish titles (as teleqd wrote
#      them from conf/teleqd.yaml), with month, quarter and half-year panels;
#   4. every Prometheus panel's expr names metrics (and labels) that a
#      running teleqd's /metrics exposes;
#   5. the provisioning: the Redis data source logs in as the read-only
#      user, and every data source uid the dashboards use is provisioned;
#      the shipped dashboard is what tools/grafana-dashboards.py makes of
#      conf/teleqd.yaml.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
G=$TQ_ROOT/conf/grafana
CHECK=$TQ_ROOT/tests/integration/grafana_check.py

# tools/proc.sh calls die
die() {
	bail "$*"
}
. "$TQ_ROOT/tools/proc.sh"

# ------------------------------------------------ the demo's Redis, filled
start_redis "$T" "$SOCK" --user "$REDIS_USER" on ">$REDIS_PASS" '~*' '&*' '+@all'
write_config
TZ=Europe/Stockholm date -d "2026-04-03 00:05" +%s >"$T/clock"
export TELEQD_TEST_CLOCK="$T/clock"
committee_once

# the indicators as teleqd wrote them: name, kind, Swedish title
: >"$T/titles"
for n in $(rcli SMEMBERS "${KP}indicators"); do
	printf '%s\t%s\t%s\n' "$n" "$(rcli HGET "${KP}ind:$n:month" kind)" \
		"$(rcli HGET "${KP}ind:$n:month" title)" >>"$T/titles"
done
assert_eq "teleqd wrote every indicator of conf/teleqd.yaml, with its title" \
	"$(grep -c '^    title: ' "$TQ_ROOT/conf/teleqd.yaml")" "$(grep -c '	[^	][^	]*	[^	]' "$T/titles")"

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis_serve_tcp "$KP" "$port" grafana "$T/grafana.pass" \
	-s "$SOCK" --user "$REDIS_USER" --pass "$REDIS_PASS" --no-auth-warning
GPASS=$(head -n 1 "$T/grafana.pass")
gcli() {
	redis-cli -h 127.0.0.1 -p "$port" --user grafana --pass "$GPASS" --no-auth-warning "$@"
}

# ------------------------------------------------ 1. 127.0.0.1 only
assert_eq "the demo's Redis binds 127.0.0.1 only (CONFIG GET bind)" "bind 127.0.0.1" \
	"$(rcli CONFIG GET bind | tr '\n' ' ' | sed 's/ $//')"
if command -v ss >/dev/null; then
	assert_eq "it listens on 127.0.0.1:$port and no other address (ss)" "127.0.0.1:$port" \
		"$(ss -ltnH "( sport = :$port )" | awk '{ print $4 }' | sort -u | tr '\n' ' ' | sed 's/ $//')"
else
	skip "it listens on 127.0.0.1:$port and no other address (ss)" "ss not installed"
fi
assert_ok "tools/demo.sh starts its Redis with start_redis and opens TCP with redis_serve_tcp" \
	sh -c "grep -q '^start_redis ' '$TQ_ROOT/tools/demo.sh' && grep -q '^	redis_serve_tcp ' '$TQ_ROOT/tools/demo.sh'"
assert_no_match "tools/demo.sh sets no port itself (only redis_serve_tcp does, after bind)" \
	'CONFIG SET port' "$(cat "$TQ_ROOT/tools/demo.sh")"

# ------------------------------------------------ 2. the read-only user
assert_eq "the read-only user answers PING over TCP" PONG "$(gcli PING)"
out=$("$PY" "$CHECK" redis "$G/dashboards" "$T/titles" -- \
	redis-cli -h 127.0.0.1 -p "$port" --user grafana --pass "$GPASS" --no-auth-warning 2>&1) || true
assert_eq "every Redis panel's query runs as 'grafana', without error, with data" "" "$out"
assert_match "'grafana' cannot write" NOPERM "$(gcli SET "${KP}x" 1 2>&1)"
assert_match "'grafana' cannot read the positions (K files)" NOPERM "$(gcli HGETALL "${KP}files" 2>&1)"
assert_match "'grafana' cannot read the outbox" NOPERM "$(gcli HMGET "${KP}outbox" x 2>&1)"
assert_match "'grafana' cannot DEL a history stream" NOPERM \
	"$(gcli DEL "${KP}hist:digital_patient_contacts:month" 2>&1)"
# shellcheck disable=SC2016 # the backquotes are the README's, not a command
readme_rules=$(sed -n 's/^`ACL SETUSER grafana on >PASSWORD \(.*\)`$/\1/p' "$TQ_ROOT/README.md")
assert_eq "README's ACL line has the demo's rules (grafana_acl)" \
	"$(grafana_acl "$KP" | tr '\n' ' ' | sed 's/ $//')" "$readme_rules"

# ------------------------------------------------ 3. titles
out=$("$PY" "$CHECK" titles "$G/dashboards" "$T/titles" 2>&1) || true
assert_eq "panel titles are the indicators' Swedish titles; month, quarter, half-year panels" "" "$out"

# ------------------------------------------------ 4. Prometheus panels
tq_start
wait_for 10 sh -c "grep -q 'http: listening on 127.0.0.1:' '$TQ_LOG'" || bail "no http listener"
# the followed files' series (file_behind_bytes) exist once the feeds are open
wait_for 10 sh -c "grep -q 'redis ready' '$TQ_LOG'" || true
assert_ok "GET /metrics of the running teleqd" metrics_scrape "$T/metrics"
out=$("$PY" "$CHECK" prom "$G/dashboards" "$T/metrics" 2>&1) || true
assert_eq "every Prometheus panel's metrics and labels are in /metrics" "" "$out"
assert_ok "SIGTERM: exit 0" tq_stop

# ------------------------------------------------ 5. provisioning
DS=$G/provisioning/datasources/teleqd.yaml
if "$PY" -c 'import yaml' 2>/dev/null; then
	out=$("$PY" - "$DS" "$G/dashboards" <<'EOF_PY' 2>&1
import glob, json, sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))["datasources"]
uids = {d["uid"]: d for d in ds}
bad = []
red = [d for d in ds if d["type"] == "redis-datasource"]
if len(red) != 1 or red[0]["jsonData"].get("user") != "grafana" or not red[0]["jsonData"].get("acl"):
    bad.append("the Redis data source does not log in as the ACL user grafana")
if not any(d["type"] == "prometheus" for d in ds):
    bad.append("no Prometheus data source")
for f in sorted(glob.glob(sys.argv[2] + "/*.json")):
    d = json.load(open(f))
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") == "datasource":
            uid = v.get("current", {}).get("value")
            if uid not in uids or uids[uid]["type"] != v.get("query"):
                bad.append("%s: variable %s defaults to %s, not a provisioned %s" % (f, v["name"], uid, v.get("query")))
for b in bad:
    print(b)
EOF_PY
)
	assert_eq "data sources: Redis as 'grafana', Prometheus; the dashboards' uids provisioned" "" "$out"
	"$PY" "$TQ_ROOT/tools/grafana-dashboards.py" "$TQ_ROOT/conf/teleqd.yaml" "$T/gen" >/dev/null 2>&1 ||
		mkdir -p "$T/gen"
	for f in "$G"/dashboards/*.json; do
		assert_ok "$(basename "$f") is what tools/grafana-dashboards.py makes of conf/teleqd.yaml" \
			cmp -s "$f" "$T/gen/$(basename "$f")"
	done
elif [ -n "${CI:-}" ]; then
	not_ok "provisioning and generated dashboards: python3-yaml not installed (make deps)"
else
	skip "provisioning and generated dashboards" "python3-yaml not installed (make deps)"
fi

done_testing
