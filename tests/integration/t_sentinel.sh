#!/bin/sh
# t_sentinel.sh — Redis Sentinel: a failover in the middle of a backfill
# loses and doubles nothing (issue 19, item 2).
#
# On 127.0.0.1 only: a master, a replica and three sentinels (quorum 2,
# down-after 1 s). teleqd and teleqctl name only the sentinels
# (redis.sentinels, redis.master_name). In the middle of the backfill of a
# large feed the replica is cut off from the master (its replication user
# is deleted on the master, so it cannot resync) while teleqd keeps
# committing to the master; then the master is killed with SIGKILL. The
# sentinels promote the replica, which lacks the master's last commits:
# counters and positions together, since one script commits both. teleqd
# must follow the failover, re-read the positions there, reread that tail
# of the feed and end with exactly the counters and positions of an
# undisturbed run on a single Redis.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
command -v redis-sentinel >/dev/null || bail "redis-sentinel not installed (tools/deps.sh)"

# free_ports N: N distinct free TCP ports on 127.0.0.1 (bound and released
# at once; the servers take them right after).
free_ports() {
	"$PY" - "$1" <<'EOF_PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF_PY
}

# shellcheck disable=SC2046 # five numbers
set -- $(free_ports 5)
MPORT=$1 RPORT=$2 S1=$3 S2=$4 S3=$5
MSOCK=$T/master.sock
RSOCK=$T/replica.sock
REPL_PASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
MASTER_PID='' REPLICA_PID='' SENT_PIDS=''

# A Redis of the pair: the test's ACL user (as redis_start), TCP on the
# loopback for the sentinels and the replication, a unix socket for rcli.
# repl: the user the replica replicates as (deleted on the master to cut it off).
pair_start() {
	_port=$1 _sock=$2
	shift 2
	redis-server --port "$_port" --bind 127.0.0.1 --unixsocket "$_sock" --unixsocketperm 700 \
		--save "" --appendonly no --dir "$T" --dbfilename "dump-$_port.rdb" \
		--daemonize no --logfile "" --loglevel warning \
		--user "$REDIS_USER" on ">$REDIS_PASS" '~*' '&*' '+@all' \
		--user repl on ">$REPL_PASS" '+@all' '~*' '&*' \
		"$@" >>"$REDIS_LOG" 2>&1 &
}
pair_start "$MPORT" "$MSOCK"
MASTER_PID=$!
pair_start "$RPORT" "$RSOCK" --replicaof 127.0.0.1 "$MPORT" --masteruser repl \
	--masterauth "$REPL_PASS"
REPLICA_PID=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $MASTER_PID $REPLICA_PID"
_synced() {
	redis-cli -s "$RSOCK" INFO replication 2>/dev/null | grep -q '^master_link_status:up'
}
wait_for 10 _synced || { diag_file "$REDIS_LOG"; bail "the replica did not sync with the master"; }

for p in $S1 $S2 $S3; do
	mkdir -p "$T/s$p"
	cat >"$T/s$p/sentinel.conf" <<EOF
port $p
bind 127.0.0.1
dir $T/s$p
sentinel monitor tq 127.0.0.1 $MPORT 2
sentinel down-after-milliseconds tq 1000
sentinel failover-timeout tq 3000
sentinel parallel-syncs tq 1
EOF
	redis-sentinel "$T/s$p/sentinel.conf" --logfile "$T/s$p/log" --loglevel notice \
		--daemonize no >/dev/null 2>&1 &
	SENT_PIDS="$SENT_PIDS $!"
done
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $SENT_PIDS"
_sentinels_see_all() {
	for p in $S1 $S2 $S3; do
		redis-cli -p "$p" SENTINEL master tq 2>/dev/null | paste - - |
			awk -F'\t' '$1 == "num-other-sentinels" && $2 == 2 { f = 1 } END { exit !f }' ||
			return 1
		redis-cli -p "$p" SENTINEL replicas tq 2>/dev/null | grep -q "127.0.0.1:$RPORT" || return 1
	done
}
wait_for 20 _sentinels_see_all || bail "the sentinels did not find each other and the replica"

# the config names the sentinels only (no address)
write_config
awk -v s="[\"127.0.0.1:$S1\", \"127.0.0.1:$S2\", \"127.0.0.1:$S3\"]" '
	/^redis:/ { print; print "  sentinels: " s; print "  master_name: tq"; inr = 1; next }
	/^[^ \t#]/ { inr = 0 }
	inr && /^  address:/ { next }
	{ print }' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
rc=0
"$TELEQD" -c "$CONF" -n >"$T/check.out" 2>&1 || rc=$?
assert_eq "teleqd -n accepts the sentinel config" 0 "$rc"

# teleqctl follows the sentinels to the master
rc=0
"$TELEQCTL" -c "$CONF" status >"$T/status.out" 2>&1 || rc=$?
assert_eq "teleqctl status via the sentinels exits 0" 0 "$rc"
assert_contains "teleqctl status names the master the sentinels named" "127.0.0.1:$MPORT" \
	"$(cat "$T/status.out")"

# --- a sentinel that names a replica: the handshake's role check refuses it
# (a scripted sentinel answering every command with the replica's address)
FAKE=$(free_ports 1)
"$PY" - "$FAKE" "$RPORT" >/dev/null 2>&1 <<'EOF_PY' &
import socket, sys, threading
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(8)
port = sys.argv[2].encode()
answer = b"*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%s\r\n" % (len(port), port)
def serve(conn):
    with conn:
        while conn.recv(4096):
            conn.sendall(answer)
while True:
    threading.Thread(target=serve, args=(srv.accept()[0],), daemon=True).start()
EOF_PY
FAKE_PID=$!
TQ_EXTRA_PIDS="$TQ_EXTRA_PIDS $FAKE_PID"
sed "s|^  sentinels: .*|  sentinels: [\"127.0.0.1:$FAKE\"]|" "$CONF" >"$T/fake.yaml"
_fake_up() {
	"$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$FAKE" 2>/dev/null
}
wait_for 5 _fake_up || bail "the scripted sentinel did not start"
"$TELEQD" -c "$T/fake.yaml" </dev/null >"$T/fake.log" 2>&1 &
fake_tq=$!
_refused_replica() {
	grep -q "127.0.0.1:$RPORT (master tq) is not the master (role slave); asking the sentinels again" \
		"$T/fake.log"
}
assert_ok "a server the sentinels name that is a replica is refused by the role check" \
	wait_for 10 _refused_replica
assert_no_match "and nothing is committed there" "redis ready" "$(cat "$T/fake.log")"
signal_and_reap TERM "$fake_tq"
signal_and_reap TERM "$FAKE_PID"

# --- the backfill: a large feed written before the start
F=$(csv_path s)
J=$(jsonl_path s)
printf '%s\r\n' "$CSV_HEADER" >"$F"
gen_csv "$T/c" 2000000 --no-header --seed 191 --from 2025-06-01 --days 300
cat "$T/c" >>"$F"
gen_jsonl "$J" 20000 --seed 192 --dups 20 --from "$(date -d '200 days ago' +%F)" --days 190
total_lines=$(($(wc -l <"$F") - 1))

SOCK=$MSOCK             # rcli: the master, for now
tq_start
_some_committed() {
	[ "$(events_total)" -ge $((total_lines / 10)) ]
}
wait_for 30 _some_committed || bail "the backfill did not start"
# Hold the daemon (SIGSTOP) while the replica is cut off, so that the cut
# lands in the middle of the backfill however fast teleqd reads (1.2M
# events/s: 600k lines were once read whole before a cut 0.1 s later).
kill -STOP "$TQ_PID"
# cut the replica off (its user goes, and with it its connection) ...
rcli ACL DELUSER repl >/dev/null
_replica_cut() {
	! redis-cli -s "$RSOCK" INFO replication 2>/dev/null | grep -q '^master_link_status:up'
}
wait_for 10 _replica_cut || bail "the replica stayed connected after its user was deleted"
SOCK=$RSOCK
replica_cut_at=$(events_total)
SOCK=$MSOCK
kill -CONT "$TQ_PID"
# ... and let the master take commits the replica will never see
_master_ahead() {
	[ "$(events_total)" -gt "$replica_cut_at" ]
}
wait_for 20 _master_ahead || bail "no commit reached the master after the cut"
master_before=$(events_total)
redis-cli -s "$MSOCK" HGETALL "${KP}files" >"$T/master_files.txt"
signal_and_reap KILL "$MASTER_PID"
MASTER_PID=
diag "master killed with $master_before events committed"

_promoted() {
	redis-cli -s "$RSOCK" INFO replication 2>/dev/null | grep -q '^role:master'
}
wait_for 20 _promoted || bail "the sentinels did not promote the replica"
SOCK=$RSOCK
replica_then=$(events_total)
assert_ok "the promoted replica lacks the master's last commits ($replica_then < $master_before)" \
	[ "$replica_then" -lt "$master_before" ]
assert_ok "the daemon keeps running through the failover" alive "$TQ_PID"

# all of it, once: CSV data lines plus the distinct case ids
want=$((total_lines + $(grep -o '"case_id":"[^"]*"' "$J" | sort -u | wc -l)))
assert_ok "the master was killed in the middle of the backfill ($master_before < $want)" \
	[ "$master_before" -lt "$want" ]
assert_counted_once "after the failover every event is counted exactly once" "$want" 40 || true
assert_ok "the daemon followed the failover (logged)" \
	grep -q "the sentinels name 127.0.0.1:$RPORT (master tq): a failover" "$TQ_LOG"
assert_ok "and read the positions there again" grep -q "redis ready" "$TQ_LOG"

rc=0
"$TELEQCTL" -c "$CONF" status >"$T/status2.out" 2>&1 || rc=$?
assert_eq "teleqctl status after the failover exits 0" 0 "$rc"
assert_contains "teleqctl status names the new master" "127.0.0.1:$RPORT" "$(cat "$T/status2.out")"

assert_stops_cleanly
dump_counters "$T/disturbed.txt"
rcli HGETALL "${KP}files" | paste - - | LC_ALL=C sort >"$T/disturbed_files.txt"
for p in $SENT_PIDS; do
	signal_and_reap TERM "$p"
done
signal_and_reap TERM "$REPLICA_PID"

# --- the undisturbed run on a single Redis, same files
# shellcheck disable=SC2034 # read by lib.sh's redis_start and rcli
SOCK=$T/redis.sock
redis_start
write_config
assert_clean_run "$T/disturbed.txt" "$F" "$J"
rcli HGETALL "${KP}files" | paste - - | LC_ALL=C sort >"$T/clean_files.txt"
assert_files_equal "every file position equals the clean run's" "$T/clean_files.txt" \
	"$T/disturbed_files.txt"
done_testing
