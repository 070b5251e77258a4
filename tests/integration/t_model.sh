#!/bin/sh
# t_model.sh — property test: random file operations against a reference model.
#
# tests/integration/model.py drives the real teleqd (one private redis) on
# four feeds: a CSV with a short header and an id, JSON lines with an id, a
# CSV whose header is longer than 1 KiB with an id, and a CSV without ids.
# A seeded random sequence of operations — append (sometimes leaving a
# partial last line, completed later), rename+create and logrotate create,
# copytruncate by hand and by logrotate, delete, expire a rotated file,
# rewrite in place (id feeds), stop (SIGTERM), kill -9 at random moments
# (also right after a start, mid-backfill), start, catch up — runs against a
# model of what must be counted: every distinct id, and every line of the
# feed without ids, once. Destructive operations wait until the daemon has
# committed the file (as an operator runs logrotate), so the model is exact
# (see model.py). At every catch-up and at the end (and again after a
# restart, with every rotated file closed) each day counter must equal the
# model. A failure prints the seed, a minimal diff and the operation log.
#
# Environment: MODEL_SEED (one run with that seed; default: MODEL_SEEDS
# random seeds, 10; TORTURE=1: 30), MODEL_STEPS (operations drawn per seed,
# some skipped when their precondition does not hold while stopped: 60;
# TORTURE=1: 150), MODEL_AVOID (a,b,c,f,g: leave out the operations that hit
# the bugs listed in model.py), MODEL_PROBE (r: also rename files whose
# position no longer fits them, see model.py). Reproduce a failure with the
# line it prints: MODEL_SEED=... MODEL_STEPS=... sh tests/integration/run.sh
# t_model. A seed fixes every choice of the driver; what the daemon had
# committed when a kill -9 struck can still differ from run to run, and with
# it which operations a stopped daemon's files allow, so a seed reproduces
# a failure most of the time, not always.
set -eu
. "$(dirname "$0")/lib.sh"
need_bins
command -v logrotate >/dev/null || bail "logrotate not installed (make deps)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
MODEL="$TQ_ROOT/tests/integration/model.py"
if [ "${TORTURE:-0}" = 1 ]; then
	MODEL_SEEDS=${MODEL_SEEDS:-30}
	MODEL_STEPS=${MODEL_STEPS:-150}
fi
MODEL_SEEDS=${MODEL_SEEDS:-10}
MODEL_STEPS=${MODEL_STEPS:-60}
MODEL_AVOID=${MODEL_AVOID:-}
MODEL_PROBE=${MODEL_PROBE:-}
if [ -n "${MODEL_SEED:-}" ]; then
	seeds=$MODEL_SEED
else
	seeds=
	i=0
	while [ $i -lt "$MODEL_SEEDS" ]; do
		seeds="$seeds $(random_between 1 999999999)"
		i=$((i + 1))
	done
fi
slow=1
tq_slow && slow=$TQ_SLOW_FACTOR
killed=
[ "$TQ_VALGRIND" = 1 ] && killed=$VG_DIR/killed

redis_start
(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$T/secret")
"$PY" "$MODEL" config "$CONF" --feeds "$T/feeds" --sock "$SOCK" --user "$REDIS_USER" \
	--passfile "$T/redis.pass" --secret "$T/secret" || bail "model.py config failed"
out=$("$TELEQD" -c "$CONF" -n 2>&1) || { diag "$out"; bail "the model's config is rejected"; }
KP='teleq:{teleqd}:'
mkdir "$T/work"
diag "seeds:$seeds; $MODEL_STEPS steps each${MODEL_AVOID:+; avoiding $MODEL_AVOID}${MODEL_PROBE:+; probing $MODEL_PROBE}"
t0=$(date +%s)
nseeds=0
events=0

for seed in $seeds; do
	rcli FLUSHALL >/dev/null
	rm -rf "$T/feeds" "$T/work"
	mkdir "$T/feeds" "$T/work"
	rc=0
	"$PY" "$MODEL" run --teleqd "$TELEQD" --conf "$CONF" --feeds "$T/feeds" --sock "$SOCK" \
		--user "$REDIS_USER" --passfile "$T/redis.pass" --work "$T/work" --log "$TQ_LOG" \
		--seed "$seed" --steps "$MODEL_STEPS" --avoid "$MODEL_AVOID" --probe "$MODEL_PROBE" --slow "$slow" \
		--killed "$killed" >"$T/model.out" 2>&1 || rc=$?
	cat "$T/model.out"
	nseeds=$((nseeds + 1))
	ev=$(sed -n 's/^# seed [0-9]*: [0-9]* steps, \([0-9]*\) events.*/\1/p' "$T/model.out" | head -n 1)
	events=$((events + ${ev:-0}))
	if [ $rc -eq 0 ]; then
		ok "seed $seed: every checkpoint and the end equal the model"
	else
		not_ok "seed $seed: the counters equal the model"
		grep -q 'FAILED' "$T/model.out" || diag "model.py exited $rc"
	fi
done
diag "figure: model_seeds $nseeds steps $MODEL_STEPS events $events seconds $(($(date +%s) - t0))"
done_testing
