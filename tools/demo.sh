#!/bin/sh
# demo.sh — `make demo`: teleqd end to end on the committee's Q1 2026 data.
#
# In ./run (git-ignored, recreated each time): a private redis-server on the
# unix socket run/redis.sock, the committee's sample feeds from teleq-gen in
# run/feeds, run/teleqd.yaml = conf/teleqd.yaml with only the feed
# directories, the Redis address and the two secret files pointed into run/.
# teleqd follows the feeds live; a few lines are appended while it runs to
# show the tailing; then the Q1 and March reports are printed and every
# process is stopped. Needs no terminal and no stdin. BUILD (default
# build/rel) holds the programs.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build/rel}
case $BUILD in
/*) ;;
*) BUILD=$ROOT/$BUILD ;;
esac
RUN=$ROOT/run
SOCK=$RUN/redis.sock
CONF=$RUN/teleqd.yaml

say() {
	printf '\n== %s\n' "$*"
}
die() {
	echo "demo: $*" >&2
	exit 1
}

for b in teleqd teleqctl teleq-gen; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b missing: run make first"
done
command -v redis-server >/dev/null || die "redis-server not installed (make deps)"
command -v redis-cli >/dev/null || die "redis-cli not installed (make deps)"

# Processes a previous demo may have left behind (only ours: their command
# line names this run directory).
for f in "$RUN/teleqd.pid" "$RUN/redis.pid"; do
	[ -f "$f" ] || continue
	pid=$(cat "$f")
	if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -F "$RUN/"; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
done

TQ_PID=
REDIS_PID=
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		# a zombie is not running: reap it
		[ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ] && break
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	st=$?
	trap - EXIT INT TERM HUP
	stop_pid "$TQ_PID"
	stop_pid "$REDIS_PID"
	rm -f "$SOCK" "$RUN/teleqd.pid" "$RUN/redis.pid"
	[ $st -eq 0 ] || echo "demo failed; logs in $RUN (teleqd.log, redis.log)" >&2
	exit $st
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$RUN"
mkdir -p "$RUN/feeds"
chmod 700 "$RUN"
(
	umask 077
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$RUN/dedup.key"
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$RUN/redis.pass"
	echo >>"$RUN/redis.pass"
)

# The config's Redis ACL user gets the private password.
user=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
	r && $1 == "user:" { v = $2; gsub(/["\047]/, "", v); print v; exit }' conf/teleqd.yaml)

say "redis-server on $SOCK"
if [ -n "$user" ]; then
	set -- --user "$user" on ">$(head -n 1 "$RUN/redis.pass")" '~*' '&*' '+@all'
else
	set --
fi
redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 --save "" --appendonly no \
	--dir "$RUN" --daemonize no --logfile "$RUN/redis.log" "$@" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!
echo "$REDIS_PID" >"$RUN/redis.pid"
i=0
until [ "$(redis-cli -s "$SOCK" ping 2>/dev/null)" = PONG ]; do
	i=$((i + 1))
	[ $i -le 200 ] && kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server did not start (see $RUN/redis.log)"
	sleep 0.05
done
echo "pid $REDIS_PID, ACL user '${user:-default}'"

say "sample feeds (teleq-gen --committee $RUN/feeds)"
"$BUILD/teleq-gen" --committee "$RUN/feeds" </dev/null

# conf/teleqd.yaml with the feed directories, the Redis address and the
# secret files moved into run/; everything else as shipped.
awk -v feeds="$RUN/feeds" -v addr="unix:$SOCK" -v pass="$RUN/redis.pass" -v secret="$RUN/dedup.key" '
	match($0, /^[ \t]*(-[ \t]+)?(path|address|password_file|secret_file):([ \t]|$)/) {
		head = substr($0, 1, RLENGTH)
		key = head
		sub(/^[ \t]*(-[ \t]+)?/, "", key)
		sub(/:.*$/, "", key)
		lead = head
		sub(/[a-z_]+:.*$/, "", lead)
		if (key == "path") {
			v = substr($0, RLENGTH + 1)
			sub(/^[ \t]+/, "", v)
			sub(/[ \t]+#.*$/, "", v)
			gsub(/["\047]/, "", v)
			sub(/^.*\//, "", v)
			print lead "path: \"" feeds "/" v "\""
		} else if (key == "address") {
			print lead "address: \"" addr "\""
		} else if (key == "password_file") {
			print lead "password_file: " pass
		} else {
			print lead "secret_file: " secret
		}
		next
	}
	{ print }' conf/teleqd.yaml >"$CONF"
echo "$CONF: conf/teleqd.yaml with these lines changed:"
diff conf/teleqd.yaml "$CONF" | sed -n 's/^> /  /p'
"$BUILD/teleqd" -n -c "$CONF" </dev/null

# events: every counter of every month hash, summed.
events() {
	redis-cli -s "$SOCK" --scan --pattern '*}:month:*' | while IFS= read -r k; do
		printf 'HVALS %s\n' "$k"
	done | redis-cli -s "$SOCK" | awk '{ s += $1 } END { printf "%d\n", s }'
}
# wait_events N: until N events are counted (30 s at most).
wait_events() {
	i=0
	while [ "$(events)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || die "only $(events) of $1 events counted after 30 s (see $RUN/teleqd.log)"
		kill -0 "$TQ_PID" 2>/dev/null || die "teleqd exited (see $RUN/teleqd.log)"
		sleep 0.05
	done
}
now_ms() {
	date +%s%3N
}

CALLS=$RUN/feeds/calls-committee.txt
CASES=$RUN/feeds/cases-committee.jsonl
ncalls=$(($(wc -l <"$CALLS") - 1))
ncases=$(grep -o '"case_id":"[^"]*"' "$CASES" | sort -u | wc -l)

say "teleqd following the feeds (log: $RUN/teleqd.log)"
t0=$(now_ms)
"$BUILD/teleqd" -c "$CONF" </dev/null >>"$RUN/teleqd.log" 2>&1 &
TQ_PID=$!
echo "$TQ_PID" >"$RUN/teleqd.pid"
wait_events $((ncalls + ncases))
echo "counted $ncalls calls and $ncases cases ($(wc -l <"$CASES") lines, re-exports counted once) in $(($(now_ms) - t0)) ms"

say "appending live lines (April 2026, outside the reports below)"
n0=$(events)
t0=$(now_ms)
printf '2026-04-01;08:02:11;Patientn\344mnden;Bokad;00:00:41;070-5550123;19700101-0000\r\n' >>"$CALLS"
printf '2026-04-01;08:05:37;Patientn\344mnden;K\366n full;00:03:02;070-5550124;19700101-0001\r\n' >>"$CALLS"
printf '2026-04-01;00:30:00;Patientn\344mnden;Avbruten;00:00:12;070-5550125;19700101-0002\r\n' >>"$CALLS"
printf '{"case_id":"PN-2026-90001","created":"2026-03-31T22:30:00Z","source":"web","party":"patient","type":"patient"}\n' >>"$CASES"
printf '{"case_id":"PN-2026-90001","created":"2026-03-31T22:30:00Z","source":"web","party":"patient","type":"patient"}\n' >>"$CASES"
printf '{"case_id":"PN-2026-90002","created":"2026-04-01T09:15:00+02:00","source":"letter","party":"relative","type":"information"}\n' >>"$CASES"
wait_events $((n0 + 5))
echo "3 calls and 3 case lines (one a re-export; 22:30Z on 31 March is 00:30 on 1 April here)"
echo "appended: counted $(($(events) - n0)) new events within $(($(now_ms) - t0)) ms"

# Settled: no change for half a second.
last=-1
while :; do
	cur=$(events)
	[ "$cur" = "$last" ] && break
	last=$cur
	sleep 0.5
done

say "teleqctl report 2026-Q1"
"$BUILD/teleqctl" -c "$CONF" report 2026-Q1 </dev/null
say "teleqctl report 2026-03"
"$BUILD/teleqctl" -c "$CONF" report 2026-03 </dev/null

say "stopping"
kill -TERM "$TQ_PID"
rc=0
wait "$TQ_PID" || rc=$?
TQ_PID=
[ $rc -eq 0 ] || die "teleqd exited with status $rc (see $RUN/teleqd.log)"
echo "teleqd stopped (exit status 0); last log lines:"
tail -n 3 "$RUN/teleqd.log" | sed 's/^/  /'
stop_pid "$REDIS_PID"
REDIS_PID=
echo "redis-server stopped; feeds, config and logs stay in $RUN"
