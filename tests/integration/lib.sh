# lib.sh — helpers for teleqd's integration tests (POSIX sh, runs under dash).
#
# A test is a standalone script:
#
#   #!/bin/sh
#   set -eu
#   . "$(dirname "$0")/lib.sh"
#   need_bins
#   redis_start
#   write_config
#   ...
#   assert_eq "description" "$expected" "$actual"
#   done_testing
#
# Sourcing this file makes a private temp dir $T (removed at exit by a trap,
# kept when KEEP_TMP=1), with $T/feeds for the feed files. Every check prints
# "ok N - description" or "not ok N - description"; done_testing prints the
# plan and exits non-zero when any check failed. When the script ends early
# (set -e, bail) the trap stops the daemon and redis, shows the end of the
# daemon's log and exits non-zero.
#
# Environment: BUILD (default build/rel, relative to the repo root) holds
# teleqd, teleqctl and teleq-gen. TQ_DEBUG=1 traces helper steps.
# TQ_OUT_DIR (default build/test-output under the repo root): where tests
# keep what must outlive $T, such as screenshots, one subdirectory per
# test (make_out_dir).
#
# VALGRIND=1: every teleqd and teleqctl run of the test goes through
# valgrind memcheck. $TELEQD and $TELEQCTL (and $BUILD, for tests that
# install "the binaries in $BUILD") then name wrapper scripts in $T/bin that
# exec valgrind on the real programs, so every call site works unchanged;
# each process writes $T/valgrind/PROG.PID.log. When the test ends, every
# log is checked: a reported error or leak (definite, indirect, possible)
# fails the test and the log is shown. A process killed with SIGKILL on
# purpose (tq_kill9) has no leak summary; only errors reported before the
# kill count for it. VALGRIND=1 implies TQ_SLOW=1.
#
# TQ_SLOW=1 (a slow build: valgrind): the time limits of the helpers
# (wait_for, wait_events, wait_settled, tq_stop, tq_once, ctl) are
# multiplied by TQ_SLOW_FACTOR (default 10), and checks that measure speed
# or latency are reported as skipped (`if tq_slow; then skip ...`).

# ----------------------------------------------------------------- setup

TQ_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build/rel}
case $BUILD in
/*) ;;
*) BUILD=$TQ_ROOT/$BUILD ;;
esac
TEST_NAME=$(basename "$0" .sh)

T=$(mktemp -d "${TMPDIR:-/tmp}/teleq-it.XXXXXX")
mkdir "$T/feeds"

TQ_VALGRIND=${VALGRIND:-0}
[ "$TQ_VALGRIND" = 1 ] && TQ_SLOW=${TQ_SLOW:-1}
TQ_SLOW=${TQ_SLOW:-0}
[ "$TQ_SLOW" = 0 ] && TQ_SLOW=
TQ_SLOW_FACTOR=${TQ_SLOW_FACTOR:-10}
VG_DIR=$T/valgrind
if [ "$TQ_VALGRIND" = 1 ]; then
	# The wrappers: exec, so $! and the pid a test signals are the program's.
	# --vgdb=no: no gdbserver FIFOs in /tmp; everything else as in README.
	mkdir "$T/bin" "$VG_DIR"
	for _b in teleqd teleqctl; do
		cat >"$T/bin/$_b" <<EOF_VG
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full \\
	--show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect,possible \\
	--error-exitcode=99 --track-fds=no --vgdb=no \\
	--suppressions="$TQ_ROOT/tests/valgrind.supp" \\
	--log-file="$VG_DIR/$_b.%p.log" "$BUILD/$_b" "\$@"
EOF_VG
		chmod 755 "$T/bin/$_b"
	done
	# the generator is test tooling, not under test: the real one
	ln -s "$BUILD/teleq-gen" "$T/bin/teleq-gen"
	TQ_REAL_BUILD=$BUILD    # where the real programs are
	BUILD=$T/bin
fi
TELEQD=$BUILD/teleqd
TELEQCTL=$BUILD/teleqctl
GEN=$BUILD/teleq-gen
CONF=$T/teleqd.yaml
SOCK=$T/redis.sock
TQ_LOG=$T/teleqd.log
# The helpers' python3: Debian's when there, with the modules the scripts use
# (aiosmtpd, yaml); a python3 first in PATH may lack them.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
REDIS_LOG=$T/redis.log
: >"$TQ_LOG"

TQ_PID=
REDIS_PID=
TQ_EXTRA_PIDS=          # helpers a test started (receivers, servers): killed at exit
TESTS_RUN=0
TESTS_FAILED=0
TQ_DONE=0
TQ_PLAN=0               # done_testing was called: the plan line comes last

# Redis key prefix "<prefix>{<tag>}:"; write_config sets it from the config.
KP='teleq:{teleqd}:'

debug() {
	[ "${TQ_DEBUG:-0}" = 1 ] && echo "# [$(date +%T)] $*" >&2
	return 0
}

diag() {
	printf '# %s\n' "$@"
}

# Indents a file (or stdin) as TAP comments, at most $2 (default 40) last lines.
diag_file() {
	if [ -s "$1" ]; then
		tail -n "${2:-40}" "$1" | sed 's/^/#   /'
	fi
}

_cleanup() {
	_st=$?
	trap - EXIT INT TERM HUP
	set +e
	for _p in $TQ_EXTRA_PIDS; do
		kill -TERM "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	if [ -n "$TQ_PID" ] && alive "$TQ_PID"; then
		kill -TERM "$TQ_PID" 2>/dev/null
		wait_for 5 _not_alive "$TQ_PID" || kill -KILL "$TQ_PID" 2>/dev/null
		wait "$TQ_PID" 2>/dev/null
	fi
	if [ -n "$REDIS_PID" ] && alive "$REDIS_PID"; then
		kill -TERM "$REDIS_PID" 2>/dev/null
		_i=0
		while alive "$REDIS_PID" && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
		alive "$REDIS_PID" && kill -KILL "$REDIS_PID" 2>/dev/null
		wait "$REDIS_PID" 2>/dev/null
	fi
	if [ "$TQ_VALGRIND" = 1 ]; then
		_vg_check || { [ $_st -eq 0 ] && _st=1; }
	fi
	if [ "$TQ_DONE" != 1 ]; then
		[ $_st -eq 0 ] && _st=1
		echo "not ok $((TESTS_RUN + 1)) - $TEST_NAME ended early (exit status $_st)"
	elif [ "$TQ_PLAN" = 1 ]; then
		echo "1..$TESTS_RUN"
		[ "$TESTS_FAILED" -ne 0 ] && diag "$TEST_NAME: $TESTS_FAILED of $TESTS_RUN checks failed"
	fi
	if [ $_st -ne 0 ] || [ $TESTS_FAILED -ne 0 ]; then
		if [ -s "$TQ_LOG" ]; then
			diag "last lines of the daemon's log ($TQ_LOG):"
			diag_file "$TQ_LOG" 40
		fi
		if grep -i -E 'error|fatal|warning|crash' "$REDIS_LOG" 2>/dev/null |
		    grep -v -i overcommit >"$T/redis.problems"; then
			diag "problems in the redis log:"
			diag_file "$T/redis.problems" 15
		fi
	fi
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		diag "kept $T"
	else
		rm -rf "$T"
	fi
	exit $_st
}
trap _cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# make_out_dir: sets TQ_OUT to the directory this test keeps its output in
# after it ends ($TQ_OUT_DIR/<test name>), emptied at the start of a run.
make_out_dir() {
	TQ_OUT=${TQ_OUT_DIR:-$TQ_ROOT/build/test-output}/$TEST_NAME
	rm -rf "$TQ_OUT"
	mkdir -p "$TQ_OUT" || bail "cannot create $TQ_OUT"
}

# ---------------------------------------------------------------- checks

ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1"
}

not_ok() {
	TESTS_RUN=$((TESTS_RUN + 1))
	TESTS_FAILED=$((TESTS_FAILED + 1))
	echo "not ok $TESTS_RUN - $1"
}

# assert_eq DESCRIPTION EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected: '$2'" "  actual:   '$3'"
	fi
}

# assert_ne DESCRIPTION UNEXPECTED ACTUAL
assert_ne() {
	if [ "$2" != "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected anything but: '$2'"
	fi
}

# assert_approx DESCRIPTION EXPECTED ACTUAL [TOLERANCE]: numbers within 0.00005.
assert_approx() {
	if awk -v e="$2" -v a="$3" -v t="${4:-0.00005}" 'BEGIN {
		if (a !~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/) exit 1
		d = e - a; if (d < 0) d = -d; exit !(d <= t) }'; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected: $2 (+-${4:-0.00005})" "  actual:   '$3'"
	fi
}

# assert_ok DESCRIPTION COMMAND [ARGS...]: the command succeeds.
assert_ok() {
	_d=$1
	shift
	if "$@"; then
		ok "$_d"
	else
		not_ok "$_d"
		diag "  command failed: $*"
	fi
}

# assert_fail DESCRIPTION COMMAND [ARGS...]: the command fails.
assert_fail() {
	_d=$1
	shift
	if "$@"; then
		not_ok "$_d"
		diag "  command succeeded unexpectedly: $*"
	else
		ok "$_d"
	fi
}

# assert_match DESCRIPTION ERE TEXT: some line of TEXT matches the extended regex.
assert_match() {
	if printf '%s\n' "$3" | grep -q -E -e "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  no line matches /$2/ in:"
		printf '%s\n' "$3" | head -n 20 | sed 's/^/#     /'
	fi
}

# assert_no_match DESCRIPTION ERE TEXT
assert_no_match() {
	if printf '%s\n' "$3" | grep -q -E -e "$2"; then
		not_ok "$1"
		diag "  unexpected match of /$2/:"
		printf '%s\n' "$3" | grep -E -e "$2" | head -n 10 | sed 's/^/#     /'
	else
		ok "$1"
	fi
}

# assert_contains DESCRIPTION FIXED-STRING TEXT
assert_contains() {
	case $3 in
	*"$2"*) ok "$1" ;;
	*)
		not_ok "$1"
		diag "  '$2' not found in:"
		printf '%s\n' "$3" | head -n 30 | sed 's/^/#     /'
		;;
	esac
}

# assert_files_equal DESCRIPTION EXPECTED-FILE ACTUAL-FILE: shows a diff when not.
assert_files_equal() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  $2 and $3 differ ($(wc -l <"$2") vs $(wc -l <"$3") lines):"
		diff "$2" "$3" | head -n 20 | sed 's/^/#     /'
	fi
}

# Stops the test now: one failed check with the message, then the trap.
bail() {
	not_ok "$*"
	echo "Bail out! $*"
	TQ_DONE=1
	exit 1
}

# Ends the test: the plan line (printed by the exit trap, after the
# valgrind checks) and the exit status.
done_testing() {
	TQ_DONE=1
	TQ_PLAN=1
	[ "$TESTS_FAILED" -eq 0 ] || exit 1
	exit 0
}

# skip DESCRIPTION REASON: a check that could not run here (TAP "# skip").
skip() {
	TESTS_RUN=$((TESTS_RUN + 1))
	echo "ok $TESTS_RUN - $1 # skip $2"
}

# True under TQ_SLOW (valgrind): checks of speed or latency are skipped,
#   if tq_slow; then skip "exits within 2 s" "$TQ_SLOW_WHY"; elif ...
tq_slow() {
	[ -n "$TQ_SLOW" ]
}
TQ_SLOW_WHY="timing not checked under TQ_SLOW"
[ "$TQ_VALGRIND" = 1 ] && TQ_SLOW_WHY="timing not checked under valgrind"

# assert_faster DESCRIPTION MS LIMIT-MS: one check that something took MS,
# under LIMIT-MS; skipped under TQ_SLOW.
assert_faster() {
	if tq_slow; then
		skip "$1" "$TQ_SLOW_WHY"
	elif [ "$2" -lt "$3" ]; then
		ok "$1 ($2 ms)"
	else
		not_ok "$1 (took $2 ms, limit $3 ms)"
	fi
}

# slow_secs SECONDS: SECONDS, times TQ_SLOW_FACTOR under TQ_SLOW.
slow_secs() {
	if [ -n "$TQ_SLOW" ]; then
		awk -v s="$1" -v f="$TQ_SLOW_FACTOR" 'BEGIN { printf "%g", s * f }'
	else
		echo "$1"
	fi
}

# ----------------------------------------------------------------- utils

# True while PID runs (a zombie, exited but not yet waited for, is not alive).
alive() {
	[ -n "$1" ] || return 1
	[ -r "/proc/$1/stat" ] || return 1
	_s=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$_s" ] && [ "$_s" != Z ] && [ "$_s" != X ]
}

now_ms() {
	date +%s%3N
}

# wait_for SECONDS COMMAND [ARGS...]: polls COMMAND (every 50 ms) until it
# succeeds; returns 1 when SECONDS (may be fractional; times TQ_SLOW_FACTOR
# under TQ_SLOW) pass first.
wait_for() {
	_wf_end=$(awk -v n="$(now_ms)" -v s="$1" -v f="${TQ_SLOW:+$TQ_SLOW_FACTOR}" \
		'BEGIN { if (f != "") s *= f; printf "%.0f", n + s * 1000 }')
	shift
	while :; do
		if "$@"; then
			return 0
		fi
		[ "$(now_ms)" -lt "$_wf_end" ] || return 1
		sleep 0.05
	done
}

# A random integer in [$1, $2].
random_between() {
	od -An -N4 -tu4 /dev/urandom | awk -v lo="$1" -v hi="$2" '{ printf "%d", lo + $1 % (hi - lo + 1) }'
}

# Checks that the programs exist; bails out clearly when not.
need_bins() {
	for _b in "$TELEQD" "$TELEQCTL" "$GEN"; do
		[ -x "$_b" ] || bail "$_b missing: build with make (BUILD=$BUILD)"
	done
	command -v redis-server >/dev/null || bail "redis-server not installed (make deps)"
	command -v redis-cli >/dev/null || bail "redis-cli not installed (make deps)"
}

# -------------------------------------------------------------- valgrind

# _vg_check: checks every valgrind log of the test (VALGRIND=1), one check
# line for all of them or one failed check per bad log, with the log shown.
# Bad: an ERROR SUMMARY with errors (leaks count as errors); no summary but
# a reported error (a stack trace); no summary at all, unless the process
# was killed on purpose (tq_kill9) or is a child forked to exec a program
# (its parent has a log here: posix_spawn of sendmail).
_vg_check() {
	_vg_n=0
	_vg_killed=0
	_vg_bad=0
	for _l in "$VG_DIR"/*.log; do
		[ -e "$_l" ] || continue
		_vg_n=$((_vg_n + 1))
		_vg_pid=${_l%.log}
		_vg_pid=${_vg_pid##*.}
		_vg_why=
		if grep -q '== ERROR SUMMARY: 0 errors' "$_l"; then
			continue
		elif _vg_sum=$(grep -o 'ERROR SUMMARY: [0-9]* errors from [0-9]* contexts' "$_l"); then
			_vg_why=$_vg_sum
		elif grep -q -E '^==[0-9]+== +(at|by) 0x' "$_l"; then
			_vg_why="errors reported before the process ended without a summary"
		elif [ -f "$VG_DIR/killed" ] && grep -q -x "$_vg_pid" "$VG_DIR/killed"; then
			_vg_killed=$((_vg_killed + 1))
			continue
		else
			_vg_pp=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$_l" | head -n 1)
			if [ -n "$_vg_pp" ] && ls "$VG_DIR"/*."$_vg_pp".log >/dev/null 2>&1; then
				_vg_n=$((_vg_n - 1))
				continue
			fi
			_vg_why="no leak summary: the process did not exit (killed, or still running)"
		fi
		_vg_bad=$((_vg_bad + 1))
		not_ok "valgrind: $(basename "$_l"): $_vg_why"
		diag "  $(sed -n 's/^==[0-9]*== Command: //p' "$_l" | head -n 1)"
		# the log without valgrind's preamble (banner, command, parent pid)
		# and without the records of indirect leaks (their roots are shown)
		sed -e '1,/^==[0-9]*== Parent PID: /d' "$_l" | awk '
			/^==[0-9]+== $/ { if (rec !~ /are indirectly lost in loss record/) printf "%s", rec; rec = $0 "\n"; next }
			{ rec = rec $0 "\n" }
			END { if (rec !~ /are indirectly lost in loss record/) printf "%s", rec }' |
			head -n 300 | sed 's/^/#   /'
	done
	[ $_vg_bad -eq 0 ] || return 1
	_vg_k=
	[ $_vg_killed -eq 0 ] || _vg_k=" ($_vg_killed killed on purpose: checked for errors only)"
	ok "valgrind: no errors or leaks in $_vg_n processes$_vg_k"
}

# ----------------------------------------------------------------- redis

# redis_start [EXTRA-ARGS...]: a private redis-server on $SOCK, data in $T.
redis_start() {
	rm -f "$SOCK"
	if [ -n "$REDIS_USER" ]; then
		set -- --user "$REDIS_USER" on ">$REDIS_PASS" '~*' '&*' '+@all' "$@"
	fi
	redis-server --port 0 --bind 127.0.0.1 --unixsocket "$SOCK" --unixsocketperm 700 \
		--save "" --appendonly no --dir "$T" --daemonize no \
		--logfile "" --loglevel warning "$@" >>"$REDIS_LOG" 2>&1 &
	REDIS_PID=$!
	debug "redis-server pid $REDIS_PID"
	if ! wait_for 10 redis_up; then
		diag_file "$REDIS_LOG"
		bail "redis-server did not answer PING on $SOCK within 10 s"
	fi
}

redis_up() {
	[ -S "$SOCK" ] && [ "$(redis-cli -s "$SOCK" ping 2>/dev/null)" = PONG ]
}

# Stops redis (SIGTERM: with AOF on, it writes everything before exiting).
redis_stop() {
	[ -n "$REDIS_PID" ] || return 0
	kill -TERM "$REDIS_PID" 2>/dev/null || true
	wait_for 10 _not_alive "$REDIS_PID" || kill -KILL "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=
}

# Kills redis with SIGKILL, as a crash.
redis_kill() {
	signal_and_reap KILL "$REDIS_PID"
	REDIS_PID=
}

# signal_and_reap SIGNAL PID: sends SIGNAL to PID (a child) and waits for
# it; an empty PID is a no-op.
signal_and_reap() {
	[ -n "$2" ] || return 0
	kill "-$1" "$2" 2>/dev/null || true
	wait "$2" 2>/dev/null || true
}

_not_alive() {
	! alive "$1"
}

# rcli ARGS...: redis-cli on the private socket (raw output, as not a tty).
rcli() {
	redis-cli -s "$SOCK" "$@"
}

# Sum of the event counters of hash $1 (full key); 0 when it does not exist.
# The case counts of the deadline indicators (deadline:<name>|met, ...) that
# month hashes also hold are not events: left out.
hash_sum() {
	rcli HGETALL "$1" | paste - - | awk -F'\t' '$1 !~ /^deadline:/ { s += $2 } END { printf "%d\n", s }'
}

# All keys matching glob $1 (after the prefix), sorted.
keys_like() {
	rcli --scan --pattern "$KP$1" | LC_ALL=C sort
}

# Sum of every counter in month:$1 (e.g. 2026-03).
month_total() {
	hash_sum "${KP}month:$1"
}

# Sum of every counter in every month hash: all events counted.
events_total() {
	keys_like 'month:*' | while IFS= read -r _k; do
		printf 'HGETALL %s\n' "$_k"
	done | rcli | paste - - | awk -F'\t' '$1 !~ /^deadline:/ { s += $2 } END { printf "%d\n", s }'
}

# Sum of every counter in every day hash (must equal events_total).
day_events_total() {
	keys_like 'day:*' | while IFS= read -r _k; do
		printf 'HVALS %s\n' "$_k"
	done | rcli | awk '{ s += $1 } END { printf "%d\n", s }'
}

# Counter field $2 of month $1, 0 when absent.
month_field() {
	_v=$(rcli HGET "${KP}month:$1" "$2")
	echo "${_v:-0}"
}

# http_port: the port of the running daemon's listener (its log's last
# "http: listening on"); empty before it listens.
http_port() {
	grep -o 'http: listening on 127\.0\.0\.1:[0-9]*' "$TQ_LOG" | tail -n 1 | sed 's/.*://'
}

# http_get PATH: GET PATH of the running daemon (any status); the status
# ("000" when nothing answered) into $T/status, the body into $T/body.
http_get() {
	python3 - "$(http_port)" "$1" "$T" <<'EOF_PY'
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

# http_req METHOD PATH [FILE [TIMEOUT]]: one request to $PORT (default: the
# running daemon's http_port), through $PY (see above) with any proxy
# switched off; TIMEOUT seconds (default $HTTP_TIMEOUT, else 10). Status in $T/status (000: no
# HTTP answer), headers Content-Type, Cache-Control, Allow and
# Content-Security-Policy in $T/headers, the body in FILE (default $T/body).
http_req() {
	"${PY:-python3}" - "${PORT:-$(http_port)}" "$1" "$2" "${3:-$T/body}" "${4:-${HTTP_TIMEOUT:-10}}" "$T" <<'EOF_PY'
import sys, urllib.request, urllib.error
port, method, path, out, timeout, tdir = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
data = b"" if method in ("POST", "PUT", "PATCH") else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data, method=method)
status, headers, body = "000", {}, b""
try:
    with opener.open(req, timeout=float(timeout)) as r:
        status, headers, body = str(r.status), r.headers, r.read()
except urllib.error.HTTPError as e:
    status, headers, body = str(e.code), e.headers, e.read()
except Exception as e:
    body = ("no answer: %s\n" % e).encode()
with open(tdir + "/headers", "w") as f:
    for k in ("Content-Type", "Cache-Control", "Allow", "Content-Security-Policy"):
        f.write("%s: %s\n" % (k, headers.get(k, "")))
with open(out, "wb") as f:
    f.write(body)
with open(tdir + "/status", "w") as f:
    f.write(status + "\n")
EOF_PY
}

# health_says STATUS [PATTERN]: /healthz answers STATUS, its body matching
# the grep PATTERN when one is given.
health_says() {
	http_get /healthz
	[ "$(cat "$T/status")" = "$1" ] || return 1
	[ $# -lt 2 ] || grep -q -e "$2" "$T/body"
}

# metric_is SERIES VALUE: a scrape of /metrics has SERIES at VALUE.
metric_is() {
	metrics_scrape "$T/metrics" && [ "$(metric_value "$T/metrics" "$1")" = "$2" ]
}

# kind_count KIND: captured mails ($MAIL_DIR) of that X-Teleqd-Kind.
kind_count() {
	grep -l -s -E "^X-Teleqd-Kind: $1[[:space:]]*$" "$MAIL_DIR"/*.eml 2>/dev/null | wc -l | tr -d ' '
}

# metrics_scrape FILE: GET /metrics of the running daemon (the port from the
# log's last "http: listening on") into FILE; false when it does not answer 200.
metrics_scrape() {
	_ms_port=$(http_port)
	[ -n "$_ms_port" ] || return 1
	python3 - "$_ms_port" "$1" <<'EOF_PY'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5) as r:
    body = r.read()
with open(sys.argv[2], "wb") as f:
    f.write(body)
EOF_PY
}
# metric_value FILE SERIES: the value of SERIES (name with its labels, as
# written) in a scrape, "absent" when not there.
metric_value() {
	awk -v s="$2" '$1 == s { print $2; f = 1; exit } END { if (!f) print "absent" }' "$1"
}

# Rejects of feed $1 under reason $2 ("lines" for the lines read), 0 when absent.
rejects() {
	_v=$(rcli HGET "${KP}rejects:$1" "$2")
	echo "${_v:-0}"
}

# Sum of every reject of every feed (the "lines" and "header_changes" fields left out).
rejects_total() {
	keys_like 'rejects:*' | while IFS= read -r _k; do
		rcli HGETALL "$_k"
	done | paste - - | awk -F'\t' '$1 != "lines" && $1 != "header_changes" { s += $2 } END { printf "%d\n", s }'
}

# dump_counters FILE: every day:/month: hash as sorted "key field value" lines
# (event counters only: the deadline indicators' case counts left out).
dump_counters() {
	{
		keys_like 'month:*'
		keys_like 'day:*'
	} | while IFS= read -r _k; do
		printf 'ECHO "=%s"\nHGETALL "%s"\n' "$_k" "$_k"
	done | rcli | awk '
		/^=/ { key = substr($0, 2); n = 0; next }
		{ if (n++ % 2 == 0) f = $0; else if (f !~ /^deadline:/) print key " " f " " $0 }' |
		LC_ALL=C sort >"$1"
}

# dump_everything FILE: every key of the redis with its type and content
# (all types), for scanning; keys of other deployments included.
dump_everything() {
	rcli --scan | LC_ALL=C sort | while IFS= read -r _k; do
		_t=$(rcli TYPE "$_k")
		echo "== $_k ($_t)"
		case $_t in
		string) rcli GET "$_k" ;;
		hash)   rcli HGETALL "$_k" ;;
		set)    rcli SMEMBERS "$_k" ;;
		zset)   rcli ZRANGE "$_k" 0 -1 WITHSCORES ;;
		list)   rcli LRANGE "$_k" 0 -1 ;;
		stream) rcli XRANGE "$_k" - + ;;
		*)      echo "(unknown type $_t)" ;;
		esac
	done >"$1"
}

# Wait until the daemon has counted exactly $1 events (or time out after $2 s,
# default 20; only 5 s once a check has failed, so a broken daemon fails fast).
wait_events() {
	_want=$1
	_limit=${2:-20}
	[ "$TESTS_FAILED" -eq 0 ] || [ "$_limit" -le 5 ] || _limit=5
	wait_for "$_limit" _events_are "$_want"
}
_events_are() {
	[ "$(events_total)" = "$1" ]
}

# Waits until the event total stops changing for $1 seconds (default 1;
# doubled under TQ_SLOW), at most $2 seconds (default 60; times
# TQ_SLOW_FACTOR under TQ_SLOW).
wait_settled() {
	_last=-1
	_same=0
	_end=$(awk -v n="$(now_ms)" -v s="$(slow_secs "${2:-60}")" 'BEGIN { printf "%.0f", n + s * 1000 }')
	while [ "$(now_ms)" -lt "$_end" ]; do
		_cur=$(events_total)
		if [ "$_cur" = "$_last" ]; then
			_same=$((_same + 1))
			[ $_same -ge $(awk -v s="${1:-1}" -v f="${TQ_SLOW:+2}" 'BEGIN { printf "%d", s * 10 * (f ? f : 1) }') ] && return 0
		else
			_same=0
			_last=$_cur
		fi
		sleep 0.1
	done
	return 1
}

# assert_counted_once DESCRIPTION WANT WAIT-SECS [SETTLE-SECS]: one check
# that the daemon reaches exactly WANT events within WAIT-SECS and stays
# there (settled for 0.5 s within SETTLE-SECS, default 10). Returns 1 when
# not, so a caller can add a figure on success only.
assert_counted_once() {
	if wait_events "$2" "$3" && wait_settled 0.5 "${4:-10}" && [ "$(events_total)" = "$2" ]; then
		ok "$1 ($2)"
	else
		not_ok "$1"
		diag "  expected $2 events, counted $(events_total)"
		return 1
	fi
}

# assert_stops_cleanly [DESCRIPTION]: tq_stop, and one check that the
# daemon exited 0 (DESCRIPTION default "SIGTERM: exit status 0").
# shellcheck disable=SC2120 # DESCRIPTION is optional
assert_stops_cleanly() {
	_stop_rc=0
	tq_stop || _stop_rc=$?
	assert_eq "${1:-SIGTERM: exit status 0}" 0 "$_stop_rc"
}

# assert_clean_run DISTURBED-DUMP FEED...: the undisturbed run on the same
# files. Empties redis, runs `teleqd --once` and checks (4 checks) that it
# exits 0, that its counters equal DISTURBED-DUMP (a dump_counters file of
# the disturbed run) and the independent computation of FEED... (oracle_dump).
# Leaves $T/clean.txt and $T/expected.txt.
assert_clean_run() {
	_disturbed=$1
	shift
	rcli FLUSHALL >/dev/null
	_clean_rc=0
	# shellcheck disable=SC2119 # no extra options: the run as deployed
	tq_once || _clean_rc=$?
	assert_eq "clean teleqd --once exits 0" 0 "$_clean_rc"
	dump_counters "$T/clean.txt"
	[ -s "$T/clean.txt" ] || bail "the clean run counted nothing"
	assert_files_equal "every day and month counter equals the clean run's" "$T/clean.txt" "$_disturbed"
	oracle_dump "$T/expected.txt" "$@"
	assert_files_equal "the clean run equals the independent computation" "$T/expected.txt" "$T/clean.txt"
}

# ---------------------------------------------------------------- config

# The Redis ACL user of the shipped config gets a private password: the
# tests authenticate exactly as a deployment does.
REDIS_USER=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
	r && $1 == "user:" { v = $2; gsub(/["\047]/, "", v); print v; exit }' "$TQ_ROOT/conf/teleqd.yaml" 2>/dev/null || true)
REDIS_PASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$REDIS_PASS" >"$T/redis.pass")

# rewrite_config TEMPLATE OUTPUT [KEY=VALUE...]: the config made private.
# Every feed path keeps its file pattern but lives in $T/feeds; the redis
# address becomes unix:$SOCK, password_file and secret_file files in $T.
# Each KEY=VALUE replaces the value of every block-style "KEY: ..." line
# (e.g. rotate_wait_ms=1000, max_delay_ms=50). Everything else is kept
# (tools/yaml-set.awk, shared with tools/demo.sh and bench/run.sh).
rewrite_config() {
	_tpl=$1 _out=$2
	shift 2
	awk -f "$TQ_ROOT/tools/yaml-set.awk" -v feeds="$T/feeds" -v addr="unix:$SOCK" \
	    -v pass="$T/redis.pass" -v secret="$T/secret" -v overrides="$*" "$_tpl" >"$_out"
}

# The sendmail of every test config: stores each message in $MAIL_DIR
# (one NAME.eml per message), or fails with exit 75 and a line on stderr
# while $T/mail_fail exists. When $T/mail_slow exists it takes that many
# seconds more after reading the message, which meanwhile sits in
# $MAIL_DIR/.msg.* (a test can see which mails are in flight).
MAIL_DIR=$T/mail
mkdir "$MAIL_DIR"
cat >"$T/sendmail" <<EOF_SM
#!/bin/sh
if [ -e "$T/mail_fail" ]; then
	cat >/dev/null
	echo "mail system temporarily unavailable" >&2
	exit 75
fi
f=\$(mktemp "$MAIL_DIR/.msg.XXXXXX")
cat >"\$f"
[ -e "$T/mail_slow" ] && sleep "\$(cat "$T/mail_slow")"
n=\$(basename "\$f")
mv "\$f" "$MAIL_DIR/\${n#.}.eml"
EOF_SM
chmod 755 "$T/sendmail"

# write_config [KEY=VALUE...]: $CONF from the shipped conf/teleqd.yaml (see
# rewrite_config), with a fresh 0600 dedup secret and $T/sendmail as the
# sendmail of the alerts section. Sets KP (the key prefix),
# CSV_FEED / JSONL_FEED (feed names) and CSV_GLOB / JSONL_GLOB (their file
# patterns).
write_config() {
	_tpl=$TQ_ROOT/conf/teleqd.yaml
	[ -r "$_tpl" ] || bail "config template $_tpl missing"
	if [ ! -f "$T/secret" ]; then
		(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$T/secret")
	fi
	# the http listener on a free loopback port, so tests never collide on 9187
	rewrite_config "$_tpl" "$CONF" listen=127.0.0.1:0 "$@" || bail "cannot rewrite $_tpl"
	# mail goes to the capture script, never to a real sendmail
	awk -v sm="$T/sendmail" '
		/^[^ \t#]/ { inalerts = /^alerts:/ }
		inalerts && /^    from:/ { print; print "    sendmail: [" sm ", -t, -i]"; next }
		{ print }' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
	_pfx=$(conf_value prefix "$CONF")
	_tag=$(conf_value tag "$CONF")
	KP="${_pfx:-teleq:}{${_tag:-teleqd}}:"
	_feeds=$(awk '
		/^[ \t]*-[ \t]+name:/ { n = $3; gsub(/["\047]/, "", n) }
		/^[ \t]*path:/ { p = $2; gsub(/["\047]/, "", p); sub(/^.*\//, "", p) }
		/^[ \t]*format:[ \t]*(csv|jsonl)/ { f = $2 }
		n != "" && p != "" && f != "" { print f, n, p; n = p = f = "" }' "$CONF")
	CSV_FEED=$(echo "$_feeds" | awk '$1 == "csv" { print $2; exit }')
	CSV_GLOB=$(echo "$_feeds" | awk '$1 == "csv" { print $3; exit }')
	JSONL_FEED=$(echo "$_feeds" | awk '$1 == "jsonl" { print $2; exit }')
	JSONL_GLOB=$(echo "$_feeds" | awk '$1 == "jsonl" { print $3; exit }')
	[ -n "$CSV_FEED" ] && [ -n "$JSONL_FEED" ] || bail "no csv and jsonl feed found in $_tpl"
	debug "config $CONF: prefix $KP, csv feed $CSV_FEED ($CSV_GLOB), jsonl feed $JSONL_FEED ($JSONL_GLOB)"
}

# csv_path NAME / jsonl_path NAME: a file of that feed, the pattern's first
# '*' replaced by NAME ("calls-*.txt" -> $T/feeds/calls-NAME.txt).
csv_path() {
	echo "$T/feeds/$(echo "$CSV_GLOB" | sed "s/\*/$1/")"
}
jsonl_path() {
	echo "$T/feeds/$(echo "$JSONL_GLOB" | sed "s/\*/$1/")"
}

# conf_value KEY FILE: the first block-style scalar "KEY: value" in FILE.
conf_value() {
	awk -v k="$1" '
		{ sub(/^[ \t]*(-[ \t]+)?/, "") }
		index($0, k ":") == 1 {
			v = substr($0, length(k) + 2)
			sub(/^[ \t]+/, "", v)
			if (v ~ /^"/) { v = substr(v, 2); sub(/".*$/, "", v) }
			else if (v ~ /^\047/) { v = substr(v, 2); sub(/\047.*$/, "", v) }
			else { sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v) }
			print v; exit
		}' "$2"
}

# oracle_dump OUT FILE...: the counters teleqd must hold for these clean feed
# files (CSV call logs: any name but *.jsonl; case feeds: *.jsonl), computed
# independently in Python with the shipped config's maps and zone, in the
# format of dump_counters. A case_id seen before is not counted again.
oracle_dump() {
	_o=$1
	shift
	python3 - "$KP" "$@" >"$_o" <<'EOF_PY' || bail "oracle failed"
import sys, json, datetime, zoneinfo, collections
kp = sys.argv[1]
tz = zoneinfo.ZoneInfo("Europe/Stockholm")
# The maps of conf/teleqd.yaml.
RESULT = {"Bokad": "call.booked", "Kön full": "call.full",
          "Avbruten": "call.abandoned", "Stängt": "call.closed"}
CALL_DIMS = "|channel=phone|party=patient"
SOURCE = {"web": "digital", "phone": "phone", "letter": "letter", "visit": "visit"}
TYPE = {"patient": "patient_case", "information": "information_case"}
cnt = collections.Counter()
seen = set()
for f in sys.argv[2:]:
    if f.endswith(".jsonl"):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r["case_id"] in seen:
                    continue
                seen.add(r["case_id"])
                t = datetime.datetime.fromisoformat(r["created"].replace("Z", "+00:00"))
                day = t.astimezone(tz).strftime("%Y-%m-%d")
                field = "case.opened|channel=%s|party=%s|type=%s" % (
                    SOURCE[r["source"]], r["party"], TYPE[r["type"]])
                cnt[(day, field)] += 1
    else:
        with open(f, encoding="cp1252", newline="") as fh:
            lines = fh.read().split("\r\n")
        for l in lines[1:]:
            if l == "" or l == lines[0]:
                continue
            c = l.split(";")
            cnt[(c[0], RESULT[c[3]] + CALL_DIMS)] += 1
out = collections.Counter()
for (day, field), n in cnt.items():
    out[(kp + "day:" + day, field)] += n
    out[(kp + "month:" + day[:7], field)] += n
for line in sorted("%s %s %d" % (k, f, n) for (k, f), n in out.items()):
    print(line)
EOF_PY
}

# Sum of the values of dump lines (dump_counters format) in month hashes
# whose field starts with $2 (e.g. "case.opened"), from dump file $1.
dump_month_sum() {
	awk -v ev="$2" '$1 ~ /}:month:/ && index($2, ev) == 1 { s += $3 } END { printf "%d\n", s }' "$1"
}

# ---------------------------------------------------------------- daemon

# tq_spawn [ARGS...]: teleqd on $CONF in the background, log to $TQ_LOG.
tq_spawn() {
	"$TELEQD" -c "$CONF" "$@" </dev/null >>"$TQ_LOG" 2>&1 &
	TQ_PID=$!
	debug "teleqd pid $TQ_PID"
}

# tq_start [ARGS...]: tq_spawn, and it must still run 0.1 s later (a bad
# config or an unusable socket ends it at once). Under TQ_SLOW, where a
# start takes seconds, it also waits (at most 3 s, scaled) while redis is
# up until the daemon follows the feeds ("redis ready") or logs a redis
# warning: tests write and rotate files right after tq_start, as they can
# when a start takes milliseconds.
tq_start() {
	_tq_from=$(($(wc -c <"$TQ_LOG") + 1))
	tq_spawn "$@"
	sleep 0.1
	alive "$TQ_PID" || { wait "$TQ_PID" 2>/dev/null || true; TQ_PID=; bail "teleqd exited at start (see its log)"; }
	if tq_slow && [ -n "$REDIS_PID" ] && redis_up; then
		wait_for 3 _tq_following "$_tq_from" || debug "teleqd not following the feeds yet"
	fi
}
_tq_following() {
	! alive "$TQ_PID" || tail -c +"$1" "$TQ_LOG" | grep -q -E 'redis ready|^<[0-4]>redis: '
}

# tq_stop: SIGTERM, then waits up to 15 s; returns the exit status (non-zero
# also when it had to be killed).
tq_stop() {
	[ -n "$TQ_PID" ] || return 0
	_p=$TQ_PID
	TQ_PID=
	kill -TERM "$_p" 2>/dev/null || true
	if ! wait_for 15 _not_alive "$_p"; then
		diag "teleqd $_p ignored SIGTERM for $(slow_secs 15) s: killed"
		kill -KILL "$_p" 2>/dev/null || true
		wait "$_p" 2>/dev/null || true
		return 124
	fi
	_rc=0
	wait "$_p" || _rc=$?
	return $_rc
}

# tq_kill9: SIGKILL, as a crash (under valgrind: no leak check for it).
tq_kill9() {
	[ -n "$TQ_PID" ] || return 0
	[ "$TQ_VALGRIND" = 1 ] && echo "$TQ_PID" >>"$VG_DIR/killed"
	kill -KILL "$TQ_PID" 2>/dev/null || true
	wait "$TQ_PID" 2>/dev/null || true
	TQ_PID=
}

# manual_rows [FILE]: the seeds' manual rows (kind: manual) into $CONF right
# after "indicators:": analyser (a count, >= 2), periodresultat (kronor,
# >= 0) and prognos_budget (kronor, no target), then FILE's YAML lines
# (more rows), when given.
manual_rows() {
	awk -v extra="${1:-}" '{ print }
	/^indicators:/ {
		print "  - name: analyser"
		print "    title: Antal analyser som produceras"
		print "    kind: manual"
		print "    target: \">= 2\""
		print "  - name: periodresultat"
		print "    title: Periodresultat budget"
		print "    kind: manual"
		print "    unit: kr"
		print "    target: \">= 0\""
		print "  - name: prognos_budget"
		print "    title: Prognos budgetavvikelse"
		print "    kind: manual"
		print "    unit: kr"
		if (extra != "")
			while ((getline l < extra) > 0)
				print l
	}' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
}

# tq_once [ARGS...]: teleqd --once in the foreground (at most 120 s, times
# TQ_SLOW_FACTOR under TQ_SLOW); its exit status is returned.
# shellcheck disable=SC2120 # the options are optional
tq_once() {
	_rc=0
	timeout --foreground -k 5 "$(slow_secs 120)" "$TELEQD" -c "$CONF" --once "$@" </dev/null >>"$TQ_LOG" 2>&1 || _rc=$?
	return $_rc
}

# committee_once: the committee's data set (teleq-gen --committee into
# $T/feeds) read by teleqd --once, asserted to exit 0.
committee_once() {
	"$GEN" --committee "$T/feeds" >"$T/gen.out" || bail "teleq-gen --committee failed"
	_rc=0
	tq_once || _rc=$?
	assert_eq "teleqd --once reads the committee's data" 0 "$_rc"
}

# ctl ARGS...: teleqctl on $CONF (stdout only; errors go to the log); at
# most 60 s (times TQ_SLOW_FACTOR under TQ_SLOW).
ctl() {
	timeout --foreground -k 5 "$(slow_secs 60)" "$TELEQCTL" -c "$CONF" "$@" 2>>"$T/teleqctl.err"
}

# report_json PERIOD FILE [ARGS...]: teleqctl's JSON report into FILE; returns
# teleqctl's exit status.
report_json() {
	_p=$1 _f=$2
	shift 2
	_rc=0
	ctl report "$_p" --format json "$@" >"$_f" || _rc=$?
	return $_rc
}

# jget FILE INDICATOR PATH: a member of the indicator's object in a JSON
# report ("value", "previous_year.numerator", "months"): numbers as
# written, true/false/null, lists space-separated; "missing" when the
# indicator is not in the report, "invalid-json" when FILE is not JSON.
jget() {
	python3 - "$1" "$2" "$3" <<'EOF_PY'
import json, sys
f, name, path = sys.argv[1:]
try:
    with open(f) as fh:
        data = json.load(fh)
except Exception:
    print("invalid-json")
    sys.exit(0)
def show(v):
    if v is None: return "null"
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, list): return " ".join(show(x) for x in v)
    return str(v)
for o in data if isinstance(data, list) else []:
    if isinstance(o, dict) and o.get("indicator") == name:
        v = o
        for p in path.split("."):
            v = v.get(p) if isinstance(v, dict) else None
        print(show(v))
        sys.exit(0)
print("missing")
EOF_PY
}

# Open descriptors of the daemon that point at deleted files (valgrind's
# own unlinked /tmp/valgrind_proc_* files left out).
deleted_fds() {
	ls -l "/proc/$TQ_PID/fd" 2>/dev/null | grep '(deleted)' | grep -v '/valgrind_proc_' || true
}
_no_deleted_fds() {
	[ -z "$(deleted_fds)" ]
}

# True when more than $1 events are counted.
_counted_more() {
	[ "$(events_total)" -gt "$1" ]
}

# ----------------------------------------------------------- feed lines

# The TeleQ header and result values exactly as teleq-gen writes them
# (Windows-1252 bytes): one source of truth for the file format.
CSV_HEADER=$(printf 'Datum;Tid;K\366;Resultat;V\344ntetid;Telefonnummer;Personnummer')
R_BOOKED=Bokad
R_FULL=$(printf 'K\366n full')
R_ABANDONED=Avbruten
R_CLOSED=$(printf 'St\344ngt')
QUEUE=$(printf 'Patientn\344mnden')

# csv_line DATE TIME [RESULT]: one call log line with CRLF (no newline when
# NOEOL=1). A fake phone number and personnummer ride along, unmapped.
csv_line() {
	if [ "${NOEOL:-0}" = 1 ]; then
		printf '%s;%s;%s;%s;00:01:30;070-5550101;19700101-1234' "$1" "$2" "$QUEUE" "${3:-$R_BOOKED}"
	else
		printf '%s;%s;%s;%s;00:01:30;070-5550101;19700101-1234\r\n' "$1" "$2" "$QUEUE" "${3:-$R_BOOKED}"
	fi
}

# csv_calls DATE N RESULT HOUR: N csv_lines of RESULT on DATE, one second
# apart from HOUR:00:00 (HOUR two digits).
csv_calls() {
	_i=0
	while [ $_i -lt "$2" ]; do
		csv_line "$1" "$(printf '%s:%02d:%02d' "$4" $((_i / 60 % 60)) $((_i % 60)))" "$3"
		_i=$((_i + 1))
	done
}

# set_clock "YYYY-MM-DD HH:MM:SS": the fake calendar, local time in
# Stockholm, in $T/clock; exports TELEQD_TEST_CLOCK=$T/clock for the
# programs started after it. Written whole (a rename): the daemon rereads
# it at any time.
set_clock() {
	export TELEQD_TEST_CLOCK="$T/clock"
	TZ=Europe/Stockholm date -d "$1" +%s >"$T/clock.tmp"
	mv "$T/clock.tmp" "$T/clock"
}

# json_line ID CREATED [SOURCE [PARTY [TYPE]]]: one case record.
json_line() {
	printf '{"case_id":"%s","created":"%s","source":"%s","party":"%s","type":"%s","phone":"073-5550199","personnummer":"19650505-4321"}\n' \
		"$1" "$2" "${3:-web}" "${4:-patient}" "${5:-patient}"
}

# gen_csv FILE N [SEED [FROM [DAYS]]] [--no-header|--append...]: N generated call lines.
gen_csv() {
	_f=$1 _n=$2
	shift 2
	"$GEN" --events "$_n" --format csv --out "$_f" "$@" >/dev/null || bail "teleq-gen failed"
}

# gen_jsonl FILE N [teleq-gen options...]: N generated case lines.
gen_jsonl() {
	_f=$1 _n=$2
	shift 2
	"$GEN" --events "$_n" --format jsonl --out "$_f" "$@" >/dev/null || bail "teleq-gen failed"
}
