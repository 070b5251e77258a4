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
# the unix socket SOCK only, no persistence, log in DIR/redis.log, pid in
# REDIS_PID and DIR/redis.pid; returns once it answers PING (dies after 10 s).
start_redis() {
	_dir=$1 _sock=$2
	shift 2
	redis-server --port 0 --unixsocket "$_sock" --unixsocketperm 700 --save "" --appendonly no \
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
