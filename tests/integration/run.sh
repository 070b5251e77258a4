#!/bin/sh
# run.sh — runs teleqd's integration tests against the built binaries.
#
#   BUILD=build/rel sh tests/integration/run.sh [NAME...]
#
# Runs every tests/integration/t_*.sh (standalone scripts using lib.sh;
# each starts its own redis-server) and every $BUILD/tests/itest_* program
# (cmocka; they get TELEQ_TEST_REDIS=unix:/path of a private redis-server
# started here, flushed before each program). NAMEs (e.g. t_live itest_store)
# select tests. Each test runs under `timeout 300`; its output is shown when
# it fails (VERBOSE=1: always). The last line is "N passed, N failed"; the
# exit status is 1 when any test failed.
#
# VALGRIND=1: every teleqd and teleqctl a script runs goes through valgrind
# memcheck (see lib.sh), and so does each itest program; any error or leak
# fails the test. The harness's time limits grow (TQ_SLOW, lib.sh) and the
# per-test timeout is 1800 s (TEST_TIMEOUT overrides either way).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tools/build-dir.sh"
export BUILD
VALGRIND=${VALGRIND:-0}
export VALGRIND
if [ "$VALGRIND" = 1 ]; then
	command -v valgrind >/dev/null || { echo "VALGRIND=1: valgrind not installed (make deps)"; exit 1; }
	TIMEOUT=${TEST_TIMEOUT:-1800}
else
	TIMEOUT=${TEST_TIMEOUT:-300}
fi

passed=0
failed=0
failures=
H=$(mktemp -d "${TMPDIR:-/tmp}/teleq-run.XXXXXX")
REDIS_PID=

cleanup() {
	st=$?
	trap - EXIT INT TERM HUP
	if [ -n "$REDIS_PID" ]; then
		kill -TERM "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
	fi
	rm -rf "$H"
	exit $st
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# selected NAME [SELECTION...]: true when no selection is given or NAME is in it.
selected() {
	name=$1
	shift
	[ $# -gt 0 ] || return 0
	for s in "$@"; do
		case $name in
		"$s" | "$s.sh") return 0 ;;
		esac
	done
	return 1
}

# run_one NAME COMMAND...: one test under the timeout, its output in a log.
run_one() {
	name=$1
	shift
	log=$H/$name.log
	start=$(date +%s)
	rc=0
	timeout -k 10 "$TIMEOUT" "$@" </dev/null >"$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	# TAP lines of the scripts, or cmocka's "[       OK ]" / "[  FAILED  ]".
	checks=$(grep -c -E '^((not )?ok [0-9]+|\[ +(OK|FAILED) +\] )' "$log" || true)
	bad=$(grep -c -E '^(not ok [0-9]+|\[ +FAILED +\] )' "$log" || true)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %-24s %4ss  %s checks\n' "$name" "$secs" "$checks"
		[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		case $rc in
		124 | 137) why="timed out after ${TIMEOUT}s" ;;
		*) why="exit status $rc" ;;
		esac
		printf 'FAIL %-24s %4ss  %s of %s checks failed, %s\n' "$name" "$secs" "$bad" "$checks" "$why"
		sed 's/^/    /' "$log"
	fi
	return 0
}

if [ "$VALGRIND" = 1 ]; then
	echo "integration tests: BUILD=$BUILD, under valgrind memcheck"
else
	echo "integration tests: BUILD=$BUILD"
fi
t_start=$(date +%s)

for t in "$ROOT"/tests/integration/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	selected "$name" "$@" || continue
	run_one "$name" sh "$t"
done

# cmocka programs share one private redis-server.
itests=
for b in "$BUILD"/tests/itest_*; do
	[ -x "$b" ] || continue
	selected "$(basename "$b")" "$@" || continue
	itests="$itests $b"
done
if [ -n "$itests" ]; then
	sock=$H/redis.sock
	redis-server --port 0 --bind 127.0.0.1 --unixsocket "$sock" --unixsocketperm 700 --save "" \
		--appendonly no --dir "$H" --daemonize no --logfile "" --loglevel warning \
		>"$H/redis.log" 2>&1 &
	REDIS_PID=$!
	i=0
	until [ "$(redis-cli -s "$sock" ping 2>/dev/null)" = PONG ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$REDIS_PID" 2>/dev/null; then
			echo "cannot start redis-server for the itest programs:"
			cat "$H/redis.log"
			REDIS_PID=
			break
		fi
		sleep 0.05
	done
	export TELEQ_TEST_REDIS="unix:$sock"
	for b in $itests; do
		name=$(basename "$b")
		if [ -z "$REDIS_PID" ]; then
			failed=$((failed + 1))
			failures="$failures $name"
			printf 'FAIL %-24s   no redis-server\n' "$name"
			continue
		fi
		redis-cli -s "$sock" flushall >/dev/null 2>&1 || true
		if [ "$VALGRIND" = 1 ]; then
			# valgrind's report goes to stderr, into the test's log
			run_one "$name" valgrind --tool=memcheck --leak-check=full \
				--show-leak-kinds=definite,indirect,possible \
				--errors-for-leak-kinds=definite,indirect,possible \
				--error-exitcode=99 --track-fds=no --vgdb=no \
				--suppressions="$ROOT/tests/valgrind.supp" "$b"
		else
			run_one "$name" "$b"
		fi
	done
fi

[ -z "$failures" ] || echo "failed:$failures"
echo "total time: $(($(date +%s) - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
