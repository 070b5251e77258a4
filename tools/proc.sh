# shellcheck shell=sh
# tools/proc.sh — process helpers shared by tools/demo.sh and bench/run.sh
# (sourced; POSIX sh). The caller defines die MESSAGE.

# stop_pid PID: SIGTERM, up to 5 s (a zombie is not running: reap it at
# once), then SIGKILL, then reap. An empty PID is a no-op.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		[ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ] && break
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# stop_stale DIR: SIGTERM to what an interrupted earlier run left behind,
# named by DIR/teleqd.pid and DIR/redis.pid; only processes whose command
# line names DIR (a reused pid belongs to someone else).
stop_stale() {
	for _f in "$1/teleqd.pid" "$1/redis.pid"; do
		[ -f "$_f" ] || continue
		_pid=$(cat "$_f")
		if [ -n "$_pid" ] && tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null | grep -q -F "$1/"; then
			kill -TERM "$_pid" 2>/dev/null || true
			sleep 0.5
		fi
	done
}

# start_redis DIR SOCK [redis-server options...]: a private redis-server on
# the unix socket SOCK only (TCP port 0, and bound to 127.0.0.1 should a
# port be opened later: Redis's default binds every address), no persistence, log in DIR/redis.log, pid in
# REDIS_PID and DIR/redis.pid; returns once it answers PING (dies after 10 s).
start_redis() {
	_dir=$1 _sock=$2
	shift 2
	redis-server --port 0 --bind 127.0.0.1 --unixsocket "$_sock" --unixsocketperm 700 --save "" --appendonly no \
		--dir "$_dir" --daemonize no --logfile "$_dir/redis.log" "$@" </dev/null >/dev/null 2>&1 &
	REDIS_PID=$!
	echo "$REDIS_PID" >"$_dir/redis.pid"
	_i=0
	until [ "$(redis-cli -s "$_sock" ping 2>/dev/null)" = PONG ]; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$REDIS_PID" 2>/dev/null; then
			die "redis-server did not start (see $_dir/redis.log)"
		fi
		sleep 0.05
	done
}

# grafana_acl KEYPREFIX: the ACL rules (one a line) of the read-only user
# Grafana's Redis data source logs in as: PING (the data source's health
# check) and exactly the commands the dashboard's panels send, XRANGE of
# the history streams and HMGET of the indicator hashes, with read access
# to those two key patterns only. README (Grafana) shows the same rules;
# t_grafana checks that they agree and that every panel runs under them.
grafana_acl() {
	printf '%s\n' "%R~$1ind:*" "%R~$1hist:*" -@all +ping +xrange +hmget
}

# redis_serve_tcp KEYPREFIX PORT RO_USER RO_PASSFILE REDIS-CLI-ARGS...: the
# private Redis also on TCP 127.0.0.1:PORT for Grafana. bind is set to
# 127.0.0.1 before the port is opened, so it never listens on 0.0.0.0 or
# [::]; the read-only ACL user RO_USER (grafana_acl KEYPREFIX) gets a fresh
# password, written to RO_PASSFILE (mode 0600). REDIS-CLI-ARGS reach the
# server as a user allowed ACL and CONFIG (-s SOCK --user U --pass P).
# Dies on any failure.
redis_serve_tcp() {
	_kp=$1 _port=$2 _ro=$3 _rofile=$4
	shift 4
	(umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$_rofile" && echo >>"$_rofile")
	# the rules hold '*': no pathname expansion while they are split into words
	set -f
	# shellcheck disable=SC2046 # one word per rule
	_r=$(redis-cli "$@" ACL SETUSER "$_ro" reset on ">$(head -n 1 "$_rofile")" $(grafana_acl "$_kp") 2>&1)
	set +f
	[ "$_r" = OK ] || die "ACL SETUSER $_ro failed: $_r"
	_r=$(redis-cli "$@" CONFIG SET bind 127.0.0.1 2>&1)
	[ "$_r" = OK ] || die "CONFIG SET bind 127.0.0.1 failed: $_r"
	_r=$(redis-cli "$@" CONFIG SET port "$_port" 2>&1)
	[ "$_r" = OK ] || die "Redis cannot listen on 127.0.0.1:$_port: $_r"
}
