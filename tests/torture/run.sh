#!/bin/sh
# run.sh — the long fault-injection run (`make torture`).
#
#   BUILD=build/rel sh tests/torture/run.sh [NAME...]
#
# Runs the fault-injection scripts of tests/integration (t_faults_*, and
# t_kill9, t_model) with TORTURE=1, which makes each pick its large parameters:
#   t_faults_kill9   60 kills with SIGKILL at random moments while 8000 lines
#                    per second per feed stream in (rotations, partial lines,
#                    alerts on a fake calendar), against an undisturbed run;
#   t_kill9          50 kills during a backfill;
#   t_faults_redis   Redis up 5 s after teleqd; a 10 s Lua stall (past
#                    busy-reply-threshold: commits refused with BUSY) while
#                    2 million lines land; Redis out of memory;
#   t_faults_rotate  30 s of real logrotate (create, then copytruncate, every
#                    0.3 s) under 20000 lines per second; 2000 new files at once;
#   t_faults_env     permissions, ENOSPC mid-line, inotify exhausted;
#   t_model          30 seeds x 150 random file operations against the model.
# Any of their knobs can still be set (KILLS=100 make torture). REPEAT=N runs
# the whole set N times. NAMEs select scripts. Each script runs under
# `timeout` (TORTURE_TIMEOUT, 3600 s); its TAP output is kept in
# $TORTURE_DIR (default build/torture) and shown when it fails. At the end:
# one line per script and every "figure:" line the scripts printed (kills,
# events, lines lost to copytruncate, RSS bound, resume times). The exit
# status is 1 when any script failed.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tools/build-dir.sh"
export BUILD
export TORTURE=1
REPEAT=${REPEAT:-1}
TIMEOUT=${TORTURE_TIMEOUT:-3600}
OUT=${TORTURE_DIR:-$ROOT/build/torture}
mkdir -p "$OUT"

SCRIPTS="t_faults_kill9 t_kill9 t_faults_redis t_faults_rotate t_faults_env t_model"
if [ $# -gt 0 ]; then
	SCRIPTS=
	for s in "$@"; do
		SCRIPTS="$SCRIPTS ${s%.sh}"
	done
fi
for s in $SCRIPTS; do
	[ -f "tests/integration/$s.sh" ] || { echo "no tests/integration/$s.sh"; exit 2; }
done

echo "torture: BUILD=$BUILD, $REPEAT round(s) of:$(printf ' %s' $SCRIPTS)"
echo "torture: logs in $OUT"
t_all=$(date +%s)
failed=0
: >"$OUT/summary"
r=0
while [ $r -lt "$REPEAT" ]; do
	r=$((r + 1))
	for s in $SCRIPTS; do
		log=$OUT/$s.$r.log
		t0=$(date +%s)
		rc=0
		timeout -k 10 "$TIMEOUT" sh "tests/integration/$s.sh" </dev/null >"$log" 2>&1 || rc=$?
		secs=$(($(date +%s) - t0))
		checks=$(grep -c -E '^(not )?ok [0-9]+' "$log" || true)
		bad=$(grep -c -E '^not ok [0-9]+' "$log" || true)
		if [ $rc -eq 0 ]; then
			line=$(printf 'PASS %-16s round %d %5ss  %s checks' "$s" "$r" "$secs" "$checks")
		else
			failed=$((failed + 1))
			line=$(printf 'FAIL %-16s round %d %5ss  %s of %s checks failed (exit %s)' \
				"$s" "$r" "$secs" "$bad" "$checks" "$rc")
			sed 's/^/    /' "$log"
		fi
		echo "$line"
		echo "$line" >>"$OUT/summary"
		grep '^# figure: ' "$log" | sed "s/^# figure: /    $s: /" | tee -a "$OUT/summary" || true
		# the kill counts of t_kill9, which prints no figure lines
		grep -E '^ok [0-9]+ - after [0-9]+ kills' "$log" | sed "s/^ok [0-9]* - /    $s: /" |
			tee -a "$OUT/summary" || true
	done
done
echo "torture: $(($(date +%s) - t_all)) s in all, $failed failed (summary in $OUT/summary)"
[ "$failed" -eq 0 ]
