#!/bin/sh
# bench/run.sh — `make bench`: how fast teleqd counts, and what it costs.
# A measurement, not a test: it never fails on a slow figure (the targets are
# printed beside the figures, informative only); it fails only when a run
# goes wrong (a wrong event count, a process that does not start).
#
# For each size N (BENCH_SIZES, default "500000 2000000 8000000"; or
# BENCH_EVENTS=N for one size):
#  1. teleq-gen writes N events as ';'-CSV (the TeleQ call log, local times)
#     and as JSON lines with case ids (the case feed), spread over the two
#     years (730 days) up to yesterday.
#  2. backfill: `teleqd --once` on each format alone, FLUSHALL (and SCRIPT
#     FLUSH, CONFIG RESETSTAT) before each: wall time, events/s, MiB/s, the
#     daemon's peak RSS and CPU (wait4), Redis commands executed (the sum of
#     INFO commandstats calls: EVALs and what the scripts and MULTIs run
#     inside them, and HGETALLs of the indicator recompute), EVAL count and
#     time, Redis CPU, Redis used_memory afterwards minus the empty baseline.
#  3. comparisons on the same files: `wc -l` (the reading floor, warm page
#     cache) and `redis-cli --pipe` of one `HINCRBY <day key> <field> 1` per
#     CSV line (the protocol is made beforehand by bench/teleq-bench resp; only
#     the pipe is timed): what any tool writing once per event is bound by.
# At the main size (BENCH_EVENTS, else 2000000 when it is among the sizes,
# else the largest) also:
#  4. memory: N more CSV events over the same 730 days appended, `--once`
#     again (it resumes at the committed offset): Redis memory after 2N
#     events, which should equal that after N (counters grow with days x
#     dimensions, not with events; case-id sets do grow with events).
# Once:
#  5. live: `teleqd` as a daemon on an empty feed file, while bench/teleq-bench
#     live appends lines at a fixed rate (BENCH_LIVE_PHASES, default 1,000/s
#     for 10 s, then 50,000/s for 10 s), a write per millisecond, and polls
#     Redis every 0.5 ms (one pipelined round trip: the stats hash's committed
#     event count and an indicator hash's denominator). Latency per write:
#     from just before the write(2) to the first poll showing its lines
#     committed (counters), and in the indicator hash (indicator). p50/p99 per
#     phase, and the daemon's and Redis's CPU (utime+stime from /proc over the
#     phase, % of one core). For csv (analog_patient_contacts) and jsonl
#     (digital_patient_contacts) by default (BENCH_LIVE="csv", "jsonl" or
#     "none").
#
# Everything runs in BENCH_DIR (default bench/out, git-ignored): a private
# redis-server on BENCH_DIR/run/redis.sock (no persistence), the rewritten
# config BENCH_DIR/run/teleqd.yaml (conf/teleqd.yaml with the feed
# directories, the Redis address and the dedup secret moved there, no Redis
# user or password, no http: listener, no alerts:), logs in BENCH_DIR/run.
# Output: the table on stdout (also BENCH_DIR/results.txt) and
# BENCH_DIR/results.csv (one row per measurement; '#' lines first describe
# the machine: read it with e.g. pandas.read_csv(f, comment='#')). The
# generated data (about 2.9 GB at 8M events) is removed at the end unless
# BENCH_KEEP=1.
#
# Environment: BUILD (default build/rel) holds teleqd and teleq-gen;
# BENCH_SIZES, BENCH_EVENTS, BENCH_DIR, BENCH_KEEP, BENCH_LIVE,
# BENCH_LIVE_PHASES as above; BENCH_REPEAT (default 3 for CSV and
# wc -l, 1 for JSONL, the runs of which take long): each backfill and wc -l
# runs that many times and the run of median wall time is reported (the
# resumed run and the pipe run once); BENCH_PROFILE=1 also records the JSONL
# backfill at the main size once more under `perf record` (teleqd with DWARF
# call graphs, redis-server sampled meanwhile; BENCH_DIR/perf-*.data) and
# prints the top of each profile (bench/perfsum.py names the stripped
# redis-server's addresses after the nearest exported symbol: its Lua).
# shellcheck disable=SC3013 # -nt: dash and bash have it
# shellcheck disable=SC2015,SC2016
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/build-dir.sh"
OUT=${BENCH_DIR:-$ROOT/bench/out}
case $OUT in
/*) ;;
*) OUT=$ROOT/$OUT ;;
esac
RUN=$OUT/run
DATA=$OUT/data
SOCK=$RUN/redis.sock
CONF=$RUN/teleqd.yaml
CSV=$OUT/results.csv
TXT=$OUT/results.txt
TB=$OUT/teleq-bench
KEEP=${BENCH_KEEP:-0}
REP_CSV=${BENCH_REPEAT:-3}
REP_JSONL=${BENCH_REPEAT:-1}
case $REP_CSV in
'' | *[!0-9]* | 0) echo "bench: BENCH_REPEAT must be a whole number above 0" >&2; exit 2 ;;
esac
PROFILE=${BENCH_PROFILE:-0}
LIVE=${BENCH_LIVE-csv jsonl}
LIVE_PHASES=${BENCH_LIVE_PHASES:-1000:10 50000:10}
# The data ends yesterday, like a real backfill (the de-dup buckets expire
# `window_days` after their last write, whatever the dates of their ids).
DAYS=730
FROM=$(date -d "today - $DAYS days" +%F)
# live lines: the latest weekday before today (calls in phone hours count)
i=1
while [ "$(date -d "today - $i days" +%u)" -gt 5 ]; do
	i=$((i + 1))
done
LIVE_DAY=$(date -d "today - $i days" +%F)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || { echo "bench: python3 not installed (make deps)" >&2; exit 1; }

if [ -n "${BENCH_EVENTS:-}" ]; then
	SIZES=${BENCH_SIZES:-$BENCH_EVENTS}
	MAIN=$BENCH_EVENTS
else
	SIZES=${BENCH_SIZES:-500000 2000000 8000000}
	MAIN=
	for n in $SIZES; do
		[ "$n" = 2000000 ] && MAIN=2000000
	done
	if [ -z "$MAIN" ]; then
		for n in $SIZES; do
			MAIN=$n
		done
	fi
fi
for n in $SIZES $MAIN; do
	case $n in
	'' | *[!0-9]*) echo "bench: sizes must be whole numbers: '$n'" >&2; exit 2 ;;
	esac
	[ "$n" -gt 0 ] || { echo "bench: a size must be above 0" >&2; exit 2; }
done

say() {
	printf '%s\n' "$*" >&2
}
die() {
	echo "bench: $*" >&2
	exit 1
}
. "$ROOT/tools/proc.sh"
now_ns() {
	date +%s%N
}

for b in teleqd teleq-gen; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b missing: run make first"
done
for b in redis-server redis-cli pkg-config cc; do
	command -v $b >/dev/null || die "$b not installed (make deps)"
done
if [ "$PROFILE" = 1 ]; then
	command -v perf >/dev/null || die "BENCH_PROFILE=1 needs perf (apt-get install linux-perf)"
fi
[ ${#SOCK} -lt 100 ] || die "BENCH_DIR is too long for a unix socket path ($SOCK)"

T_START=$(now_ns)
mkdir -p "$OUT"
# Stop what a previous, interrupted run may have left (only ours: the
# command line names this run directory).
stop_stale "$RUN"
rm -rf "$RUN" "$DATA"
mkdir -p "$RUN/feeds" "$DATA"
chmod 700 "$RUN"

# The helper (exec with wait4, RESP writer, live writer/poller).
if [ ! -x "$TB" ] || [ "$ROOT/bench/teleq-bench.c" -nt "$TB" ]; then
	# shellcheck disable=SC2046
	cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$TB" "$ROOT/bench/teleq-bench.c" \
		$(pkg-config --cflags --libs hiredis) -lpthread || die "cannot build bench/teleq-bench.c"
fi

TQ_PID=
REDIS_PID=
PERF_PIDS=
cleanup() {
	st=$?
	trap - EXIT INT TERM HUP
	for p in $PERF_PIDS; do
		stop_pid "$p"
	done
	stop_pid "$TQ_PID"
	stop_pid "$REDIS_PID"
	rm -f "$SOCK" "$RUN/teleqd.pid" "$RUN/redis.pid"
	rm -f "$RUN/dedup.key" "$RUN/rows.tmp" "$RUN/phase.kv"
	if [ "$KEEP" != 1 ]; then
		rm -rf "$DATA" "$RUN/feeds"
	fi
	[ $st -eq 0 ] || echo "bench failed; logs in $RUN" >&2
	exit $st
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------- redis

rcli() {
	redis-cli -s "$SOCK" "$@"
}
# info SECTION FIELD: one numeric field of INFO SECTION.
info() {
	rcli info "$1" | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2; exit }'
}
redis_cpu() {
	rcli info cpu | tr -d '\r' | awk -F: '$1 == "used_cpu_user" || $1 == "used_cpu_sys" { s += $2 } END { printf "%.3f\n", s }'
}
# Sum of calls over INFO commandstats, without the bench's own commands;
# then EVAL calls and their total ms.
redis_cmdstats() {
	rcli info commandstats | tr -d '\r' | awk -F'[:,=]' '
		/^cmdstat_/ {
			name = substr($1, 9)
			for (i = 2; i < NF; i++) {
				if ($i == "calls") c = $(i + 1)
				if ($i == "usec") u = $(i + 1)
			}
			if (name ~ /^(info|config|flushall|script|ping|echo)/) next
			total += c
			if (name == "eval" || name == "evalsha") { ev += c; evus += u }
		}
		END { printf "%d %d %.1f\n", total, ev, evus / 1000 }'
}
# A clean slate: no keys, no cached scripts, statistics reset.
redis_reset() {
	rcli flushall >/dev/null
	rcli script flush >/dev/null
	rcli config resetstat >/dev/null
}

say "bench: redis-server on $SOCK"
start_redis "$RUN" "$SOCK"

# ---------------------------------------------------------------- config

(
	umask 077
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$RUN/dedup.key"
)
# no alerts, no http listener, no Redis user (the bench's Redis has none)
awk '
	/^[^ \t#]/ { skip = /^(alerts|http):/ }
	skip { next }
	/^[ \t]+(user|password_file):/ { next }
	{ print }' conf/teleqd.yaml |
	awk -f tools/yaml-set.awk -v feeds="$RUN/feeds" -v addr="unix:$SOCK" \
	    -v secret="$RUN/dedup.key" >"$CONF"
# No case ids: the deadline indicators keep a state per case (a committee
# has thousands a year), which a synthetic feed of millions of cases would
# only turn into a measurement of that table. The bench measures counting.
grep -v '^[ \t]*\(case\|extend_to\):[ \t]' "$CONF" >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
"$BUILD/teleqd" -n -c "$CONF" >"$RUN/config-check.log" 2>&1 ||
	die "the rewritten config is refused: $(cat "$RUN/config-check.log")"
# The same config without record ids (no "id:" mapping): the jsonl-noid rows
# show what the daemon itself does with JSON lines, without the Redis cost of
# adding every id to a de-duplication set.
CONF_NOID=$RUN/teleqd-noid.yaml
grep -v '^[ \t]*id:[ \t]' "$CONF" >"$CONF_NOID"
"$BUILD/teleqd" -n -c "$CONF_NOID" >"$RUN/config-check.log" 2>&1 ||
	die "the config without ids is refused: $(cat "$RUN/config-check.log")"
# The key prefix K = <prefix>{<tag>}: and the feed file names the globs take.
PREFIX=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
	r && $1 == "prefix:" { v = $2; gsub(/["\047]/, "", v); print v; exit }' "$CONF")
TAG=$(awk '/^redis:/ { r = 1; next } /^[^ \t#]/ { r = 0 }
	r && $1 == "tag:" { v = $2; gsub(/["\047]/, "", v); print v; exit }' "$CONF")
K="${PREFIX:-teleq:}{${TAG:-teleqd}}:"
# feed_file FORMAT: the name a file of that format gets in run/feeds (the
# glob of the first feed of that format, * replaced by "bench").
feed_file() {
	awk -v fmt="$1" '
		/^[ \t]*-[ \t]+name:/ { path = "" }
		/^[ \t]+path:/ { path = $2; gsub(/["\047]/, "", path) }
		/^[ \t]+format:/ && $2 == fmt && path != "" { sub(/^.*\//, "", path); sub(/\*/, "bench", path); print path; exit }
	' "$CONF"
}
CSV_NAME=$(feed_file csv)
JSONL_NAME=$(feed_file jsonl)
[ -n "$CSV_NAME" ] && [ -n "$JSONL_NAME" ] || die "conf/teleqd.yaml needs a csv and a jsonl feed"
case $CSV_NAME$JSONL_NAME in
*[*?[]*) die "feed globs with ? or [...] are not handled: $CSV_NAME $JSONL_NAME" ;;
esac

# ---------------------------------------------------------------- results

TQ_VERSION=$("$BUILD/teleqd" -V 2>&1 | head -n 1)
REDIS_VERSION=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
GIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain -- src include 2>/dev/null)" ]; then
	GIT="$GIT+dirty"
fi
CPU_MODEL=$(sed -n 's/^model name[ \t]*: *//p' /proc/cpuinfo | head -n 1)
MEM_TOTAL=$(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
	echo "# teleqd bench $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# machine: $(nproc) CPUs, ${CPU_MODEL:-unknown CPU}, $MEM_TOTAL RAM, $(uname -sr)"
	echo "# software: $TQ_VERSION (git $GIT), redis-server $REDIS_VERSION, $(cc --version | head -n 1)"
	echo "# sizes: $SIZES; main size $MAIN; $DAYS days from $FROM; live phases $LIVE_PHASES (rate:seconds) on $LIVE_DAY"
	echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "name,format,events,seconds,events_per_s,mib_per_s,peak_rss_kib,redis_cmds,redis_mem_bytes,p50_ms,p99_ms,cpu_pct,redis_cpu_pct,commits,redis_eval_ms,ind_p50_ms,ind_p99_ms,other_cpu_pct,redis_lua_bytes"
} >"$CSV"
# row NAME FORMAT EVENTS SECONDS EVENTS_PER_S MIB_PER_S RSS CMDS MEM P50 P99 CPU RCPU COMMITS EVALMS
#     IP50 IP99 OTHER LUA
# (to $ROWS when set: the runs of a repeated measurement)
row() {
	(IFS=,; echo "$*") >>"${ROWS:-$CSV}"
}
# repeat N FUNCTION ARGS...: runs FUNCTION N times, each writing one row to
# $ROWS, and keeps the run of median wall time (a shared machine is noisy).
repeat() {
	_n=$1
	shift
	ROWS=$RUN/rows.tmp
	: >"$ROWS"
	_i=0
	while [ $_i -lt "$_n" ]; do
		"$@"
		_i=$((_i + 1))
	done
	ROWS=
	sort -t, -k4,4g "$RUN/rows.tmp" | sed -n "$(((_n + 1) / 2))p" >>"$CSV"
}
# kv KEY FILE: the value of KEY=... in a line of FILE.
kv() {
	tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n 1
}
# fdiv A B [FORMAT [SCALE]]: A / (B * SCALE), or "" when that is 0.
fdiv() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" -v k="${4:-1}" 'BEGIN { d = b * k; if (d == 0) print ""; else printf f "\n", a / d }'
}

# sys_snap: "busy total" jiffies of the whole machine (/proc/stat).
sys_snap() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}
NPROC=$(nproc)
# other_cpu "B0 T0" "B1 T1" OURS...: % of one core the rest of the machine
# used between two sys_snap, less OURS (percentages of one core).
other_cpu() {
	awk -v a="$1" -v b="$2" -v n="$NPROC" -v ours="${3:-0} ${4:-0}" 'BEGIN {
		split(a, x, " "); split(b, y, " "); split(ours, o, " ")
		if (y[2] - x[2] <= 0) { print ""; exit }
		v = 100 * n * (y[1] - x[1]) / (y[2] - x[2]) - o[1] - o[2]
		printf "%.0f\n", v < 0 ? 0 : v }'
}

# --------------------------------------------------------------- backfill

# backfill NAME FORMAT FILE EVENTS_EXPECTED [fresh|resume] [BYTES]: one
# `teleqd --once` over FILE alone (linked into run/feeds); a CSV row.
# EVENTS_EXPECTED is what the stats hash must say afterwards; BYTES what
# this run reads (default: the file's size).
backfill() {
	name=$1 fmt=$2 file=$3 want=$4 mode=${5:-fresh}
	conf=$CONF
	if [ "$fmt" = jsonl-noid ]; then conf=$CONF_NOID; fi
	bytes=${6:-$(stat -c %s "$file")}
	if [ "$fmt" = csv ]; then link=$RUN/feeds/$CSV_NAME; else link=$RUN/feeds/$JSONL_NAME; fi
	rm -f "$RUN/feeds/"*
	ln "$file" "$link"
	if [ "$mode" = fresh ]; then
		redis_reset
	else
		rcli config resetstat >/dev/null
	fi
	mem0=$(info memory used_memory)
	[ "$mode" = fresh ] || mem0=$(cat "$RUN/mem-baseline")
	echo "$mem0" >"$RUN/mem-baseline"
	rcpu0=$(redis_cpu)
	snap0=$(sys_snap)
	log=$RUN/once-$name-$fmt-$want.log
	res=$RUN/once-$name-$fmt-$want.res
	"$TB" exec "$res" -- "$BUILD/teleqd" --once -c "$conf" </dev/null >"$log" 2>&1 ||
		die "teleqd --once failed on $file (see $log)"
	snap1=$(sys_snap)
	rcpu1=$(redis_cpu)
	# shellcheck disable=SC2046 # three numbers
	set -- $(redis_cmdstats)
	cmds=$1 evals=$2 evalms=$3
	mem1=$(info memory used_memory)
	lua=$(info memory used_memory_vm_eval)
	[ -n "$lua" ] || lua=$(info memory used_memory_lua)
	got=$(rcli hget "${K}stats" events)
	[ "$got" = "$want" ] || die "$name $fmt: Redis holds $got events, expected $want (see $log)"
	summary=$(grep 'all feeds read:' "$log" | tail -n 1)
	commits=$(echo "$summary" | sed -n 's/.*all feeds read: \([0-9]*\) commits, \([0-9]*\) events.*/\1/p')
	events=$(echo "$summary" | sed -n 's/.*all feeds read: \([0-9]*\) commits, \([0-9]*\) events.*/\2/p')
	[ -n "$events" ] || die "$name $fmt: no 'all feeds read' line in $log"
	wall=$(kv wall_s "$res")
	user=$(kv user_s "$res")
	sys=$(kv sys_s "$res")
	rss=$(kv maxrss_kib "$res")
	tqcpu=$(awk -v u="$user" -v s="$sys" -v w="$wall" 'BEGIN { printf "%.0f", 100 * (u + s) / w }')
	rdcpu=$(awk -v a="$rcpu0" -v b="$rcpu1" -v w="$wall" 'BEGIN { printf "%.0f", 100 * (b - a) / w }')
	row "$name" "$fmt" "$events" "$wall" "$(fdiv "$events" "$wall" %.0f)" \
		"$(fdiv "$bytes" "$wall" %.1f 1048576)" "$rss" "$cmds" "$((mem1 - mem0))" "" "" \
		"$tqcpu" "$rdcpu" "$commits" "$evalms" "" "" "$(other_cpu "$snap0" "$snap1" "$tqcpu" "$rdcpu")" "$lua"
	rm -f "$link"
	say "  $name $fmt: $events events in ${wall}s, $commits commits, $evals EVALs (${evalms} ms in Redis), peak RSS $rss KiB"
}

# profile FILE: an extra JSONL backfill under perf (BENCH_PROFILE=1): teleqd
# with DWARF call graphs, redis-server sampled meanwhile; no row.
profile() {
	rm -f "$RUN/feeds/"* "$OUT"/perf-*.data "$OUT"/perf-*.data.old
	ln "$1" "$RUN/feeds/$JSONL_NAME"
	redis_reset
	perf record -F 999 -o "$OUT/perf-redis.data" -p "$REDIS_PID" >"$RUN/perf-redis.log" 2>&1 &
	PERF_PIDS=$!
	sleep 1
	perf record -F 499 --call-graph dwarf,16384 -o "$OUT/perf-teleqd.data" -- \
		"$BUILD/teleqd" --once -c "$CONF" </dev/null >"$RUN/perf-teleqd.log" 2>&1 ||
		die "teleqd --once under perf failed (see $RUN/perf-teleqd.log)"
	kill -INT "$PERF_PIDS" 2>/dev/null || true
	wait "$PERF_PIDS" 2>/dev/null || true
	PERF_PIDS=
	rm -f "$RUN/feeds/"*
}

# wc_run FORMAT FILE LINES
wc_run() {
	res=$RUN/wc-$1-$3.res
	snap0=$(sys_snap)
	"$TB" exec "$res" -- sh -c 'exec wc -l <"$1" >/dev/null' sh "$2" || die "wc -l $2 failed"
	snap1=$(sys_snap)
	wall=$(kv wall_s "$res")
	wccpu=$(awk -v u="$(kv user_s "$res")" -v s="$(kv sys_s "$res")" -v w="$wall" 'BEGIN { printf "%.0f", 100 * (u + s) / w }')
	row wc-l "$1" "$3" "$wall" "$(fdiv "$3" "$wall" %.0f)" \
		"$(fdiv "$(stat -c %s "$2")" "$wall" %.1f 1048576)" "$(kv maxrss_kib "$res")" "" "" "" "" \
		"$wccpu" "" "" "" "" "" "$(other_cpu "$snap0" "$snap1" "$wccpu")" ""
}

# pipe_run CSVFILE EVENTS: redis-cli --pipe of one HINCRBY per line.
pipe_run() {
	resp=$DATA/pipe.resp
	"$TB" resp "${K}" <"$1" >"$resp" 2>"$RUN/resp.log" || die "teleq-bench resp failed"
	redis_reset
	mem0=$(info memory used_memory)
	rcpu0=$(redis_cpu)
	snap0=$(sys_snap)
	res=$RUN/pipe-$2.res
	"$TB" exec "$res" -- sh -c 'exec redis-cli -s "$1" --pipe <"$2"' sh "$SOCK" "$resp" \
		>"$RUN/pipe-$2.log" 2>&1 || die "redis-cli --pipe failed (see $RUN/pipe-$2.log)"
	snap1=$(sys_snap)
	rcpu1=$(redis_cpu)
	grep -q "errors: 0, replies: $2\$" "$RUN/pipe-$2.log" || die "redis-cli --pipe: $(tail -n 1 "$RUN/pipe-$2.log")"
	# shellcheck disable=SC2046 # three numbers
	set -- "$2" $(redis_cmdstats)
	mem1=$(info memory used_memory)
	wall=$(kv wall_s "$res")
	pcpu=$(awk -v u="$(kv user_s "$res")" -v s="$(kv sys_s "$res")" -v w="$wall" 'BEGIN { printf "%.0f", 100 * (u + s) / w }')
	rdcpu=$(awk -v a="$rcpu0" -v b="$rcpu1" -v w="$wall" 'BEGIN { printf "%.0f", 100 * (b - a) / w }')
	row redis-pipe csv "$1" "$wall" "$(fdiv "$1" "$wall" %.0f)" \
		"$(fdiv "$(stat -c %s "$resp")" "$wall" %.1f 1048576)" "$(kv maxrss_kib "$res")" "$2" \
		"$((mem1 - mem0))" "" "" "$pcpu" "$rdcpu" "" "" "" "" \
		"$(other_cpu "$snap0" "$snap1" "$pcpu" "$rdcpu")" ""
	rm -f "$resp"
}

for n in $SIZES; do
	say "bench: $n events"
	calls=$DATA/calls-$n.txt
	cases=$DATA/cases-$n.jsonl
	t0=$(now_ns)
	"$BUILD/teleq-gen" --events "$n" --format csv --out "$calls" --seed 1 --from "$FROM" --days $DAYS
	"$BUILD/teleq-gen" --events "$n" --format jsonl --out "$cases" --seed 2 --from "$FROM" --days $DAYS
	say "  generated $(($(stat -c %s "$calls") / 1048576)) + $(($(stat -c %s "$cases") / 1048576)) MiB in $((($(now_ns) - t0) / 1000000)) ms"
	repeat "$REP_CSV" backfill backfill csv "$calls" "$n"
	wc -l <"$calls" >/dev/null       # page cache warm for wc
	repeat "$REP_CSV" wc_run csv "$calls" "$n"
	if [ "$n" = "$MAIN" ]; then
		# memory: N more events over the same days; --once resumes at the offset
		size1=$(stat -c %s "$calls")
		"$BUILD/teleq-gen" --events "$n" --format csv --out "$calls" --seed 3 --append --no-header \
			--from "$FROM" --days $DAYS
		backfill backfill-2x csv "$calls" "$((2 * n))" resume "$(($(stat -c %s "$calls") - size1))"
		# back to N lines for the pipe (the same file teleqd read first)
		"$BUILD/teleq-gen" --events "$n" --format csv --out "$calls" --seed 1 --from "$FROM" --days $DAYS
	fi
	pipe_run "$calls" "$n"
	repeat "$REP_JSONL" backfill backfill jsonl "$cases" "$n"
	repeat "$REP_JSONL" backfill backfill jsonl-noid "$cases" "$n"
	if [ "$PROFILE" = 1 ] && [ "$n" = "$MAIN" ]; then
		say "  profiling the jsonl backfill (perf record)"
		profile "$cases"
	fi
	wc -l <"$cases" >/dev/null
	repeat "$REP_CSV" wc_run jsonl "$cases" "$n"
	[ "$KEEP" = 1 ] || rm -f "$calls" "$cases"
done

# ------------------------------------------------------------------- live

# live FORMAT: the daemon on an empty feed; teleq-bench live appends and polls.
live() {
	fmt=$1
	src=$DATA/live-$fmt.src
	rm -f "$src"
	seed=100 base=1
	for ph in $LIVE_PHASES; do
		rate=${ph%%:*} secs=${ph#*:}
		lines=$(awk -v r="$rate" -v s="$secs" 'BEGIN { printf "%d", r * s + 0.5 }')
		if [ "$fmt" = csv ]; then
			"$BUILD/teleq-gen" --events "$lines" --format csv --no-header --append \
				--from "$LIVE_DAY" --days 1 --seed $seed --out "$src"
		else
			"$BUILD/teleq-gen" --events "$lines" --format jsonl --append --id-base "$base" \
				--from "$LIVE_DAY" --days 1 --seed $seed --out "$src"
		fi
		seed=$((seed + 1))
		base=$((base + lines))
	done
	redis_reset
	rm -f "$RUN/feeds/"*
	if [ "$fmt" = csv ]; then
		feed=$RUN/feeds/$CSV_NAME
		# the header only (Windows-1252, CRLF), as the generator writes it
		"$BUILD/teleq-gen" --events 0 --format csv --out "$feed"
		ind=analog_patient_contacts
	else
		feed=$RUN/feeds/$JSONL_NAME
		: >"$feed"
		ind=digital_patient_contacts
	fi
	grep -q "^  - name: $ind\$" "$CONF" || die "live: indicator $ind not in conf/teleqd.yaml"
	log=$RUN/live-$fmt.log
	: >"$log"
	"$BUILD/teleqd" -c "$CONF" </dev/null >>"$log" 2>&1 &
	TQ_PID=$!
	echo "$TQ_PID" >"$RUN/teleqd.pid"
	i=0
	until grep -q 'redis ready' "$log"; do
		i=$((i + 1))
		[ $i -le 200 ] && kill -0 "$TQ_PID" 2>/dev/null || die "teleqd did not start (see $log)"
		sleep 0.05
	done
	set --
	for ph in $LIVE_PHASES; do
		set -- "$@" --phase "$ph"
	done
	"$TB" live --sock "$SOCK" --events-key "${K}stats" --ind-key "${K}ind:$ind:${LIVE_DAY%-*}" \
		--kind "$fmt" --feed "$feed" --src "$src" --pid "$TQ_PID" --redis-pid "$REDIS_PID" \
		--samples "$RUN/live-$fmt.samples" "$@" >"$RUN/live-$fmt.txt" || die "teleq-bench live failed"
	stop_pid "$TQ_PID"
	TQ_PID=
	rm -f "$RUN/teleqd.pid" "$src"
	while IFS= read -r l; do
		echo "$l" >"$RUN/phase.kv"
		[ "$(kv complete "$RUN/phase.kv")" = 1 ] ||
			say "  live $fmt at $(kv rate "$RUN/phase.kv")/s: not every line was counted within 30 s"
		row live "$fmt" "$(kv lines "$RUN/phase.kv")" "$(kv secs "$RUN/phase.kv")" \
			"$(kv rate "$RUN/phase.kv")" "" "$(kv hwm_kib "$RUN/phase.kv")" "" "" \
			"$(kv p50_ms "$RUN/phase.kv")" "$(kv p99_ms "$RUN/phase.kv")" \
			"$(kv cpu_pct "$RUN/phase.kv")" "$(kv redis_cpu_pct "$RUN/phase.kv")" "" "" \
			"$(kv ind_p50_ms "$RUN/phase.kv")" "$(kv ind_p99_ms "$RUN/phase.kv")" \
			"$(kv other_cpu_pct "$RUN/phase.kv")" ""
		say "  live $fmt: $l"
	done <"$RUN/live-$fmt.txt"
}

for fmt in $LIVE; do
	case $fmt in
	csv | jsonl) say "bench: live $fmt, phases $LIVE_PHASES (rate/s:seconds)"; live "$fmt" ;;
	none) ;;
	*) die "BENCH_LIVE: csv, jsonl or none, not '$fmt'" ;;
	esac
done

T_END=$(now_ns)
"$PY" "$ROOT/bench/report.py" "$CSV" "$(((T_END - T_START) / 1000000))" | tee "$TXT"

if [ "$PROFILE" = 1 ] && [ -f "$OUT/perf-teleqd.data" ]; then
	{
		echo
		echo "perf: teleqd, JSONL backfill of $MAIN events, self time"
		echo "  (call graphs: perf report -i $OUT/perf-teleqd.data --children)"
		"$PY" "$ROOT/bench/perfsum.py" "$OUT/perf-teleqd.data" 20
		echo
		echo "perf: redis-server meanwhile, self time (perf report -i $OUT/perf-redis.data)"
		"$PY" "$ROOT/bench/perfsum.py" "$OUT/perf-redis.data" 20
	} | tee -a "$TXT"
fi
