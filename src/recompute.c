/*
 * recompute.c — the indicator hashes K ind:<name>:<period>, recomputed
 * from the counter hashes after commits.
 *
 * What is due is a set of month numbers (plus a flag for "rolling"): a
 * commit marks the months of its days. A month m makes due its month,
 * quarter, half and year, and the same periods one and two years later
 * (while they are not in the future), whose "previous year" columns (and
 * growth values) read m. One job runs at a time; whatever becomes due
 * meanwhile waits in the set and runs as one more job afterwards
 * (coalescing). A job lost to a reconnect or a config change puts its
 * months back.
 *
 * A job: a pipeline of HGETALL of every counter hash its periods read
 * (this period, a year earlier, and two years earlier when an indicator
 * is a growth: its previous value compares last year with the year
 * before), each hash folded at once by ind_accumulate into per-indicator
 * sums; then ind_outcome per period and indicator, and every hash written
 * in one MULTI ... EXEC, so a reader never sees half a recompute.
 *
 * The same transaction writes what dashboards read (Grafana's Redis data
 * source, conf/grafana/):
 *   - for each month, quarter, half and year period that contains today,
 *     the same hash again under a fixed name, K ind:<name>:month|quarter|
 *     half|year, so a stat panel can name a fixed key;
 *   - K indicators, the set of the configured indicator names (DEL, SADD:
 *     a removed indicator disappears);
 *   - for each closed period (its end plus alerts.summary.grace at or
 *     before the calendar's now), its entry in the history stream K
 *     hist:<name>:<cadence>, id <period start in ms>-0; all of a job's
 *     entries go to one run of hist.lua, which appends, leaves alone, or
 *     rebuilds a stream whose past changed (see hist.lua).
 *
 * Buckets for ind_outcome: one per month for month-based periods; the
 * rolling period (a day span) is one bucket.
 *
 * Unchanged hashes are not rewritten. While live lines arrive, every
 * commit recomputes the periods of today, and most of their hashes come
 * out as they were; writing them all again was a third of the daemon's
 * CPU and as much of Redis's. A small table (struct wcache) remembers, per
 * hash, a digest of its values and when it was written on this
 * connection; an equal digest written less than WCACHE_REFRESH_MS ago is
 * skipped, so "updated" is at most that old while a period is being
 * recomputed. The table is forgotten whenever a write may not have landed
 * (a job lost or failed), on every new connection and on a config change.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "indicator.h"
#include "log.h"
#include "period.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
#include "grow.h"
#include "store_priv.h"
#include "pipeline_priv.h"
#include "hist.lua.h"

#define IND_FIELDS 17
#define HIST_KINDS 4            /* P_MONTH .. P_YEAR: the cadences of the history streams */
#define HIST_ARGS  6            /* per entry: key index, start ms, value, target, numerator, denominator */
#define NO_HIST    SIZE_MAX     /* job.hist_pos: no history script in the transaction */
#define WCACHE_REFRESH_MS 60000 /* an unchanged hash is still rewritten this often */
#define WCACHE_MAX        4096  /* entries, a power of two (128 KiB); half full: forgotten */

/* One indicator hash as last written: K ind:<name>:<period or alias>. */
struct wcache_ent {
	int64_t  first_day;     /* the period's first day; INT64_MIN for an alias */
	uint64_t digest;        /* of every value the hash holds but "updated" */
	int64_t  written_ms;    /* monotonic; 0 = empty slot */
	uint16_t ind;
	uint8_t  kind;          /* enum period_kind */
};

/* Open addressing, linear probing; never deletes single entries. */
struct wcache {
	struct wcache_ent *e;
	size_t             n;
};

struct job {
	struct recompute *rc;           /* NULL when orphaned by recompute_free */
	unsigned          gen;          /* rc->gen at the start: stale when it moved */
	unsigned          outstanding;  /* replies still due */
	size_t            next;         /* index of the next HGETALL reply */
	bool              lost;         /* connection lost or config replaced: redo */
	bool              failed;       /* an error reply: drop (redoing would loop) */
	int64_t          *months;       /* the due months it took, for a redo */
	size_t            nmonths;
	bool              rolling;
	int64_t           today;
	struct period    *periods;
	size_t            nperiods;
	int64_t          *mh, *dh;      /* month and day hashes read, sorted */
	size_t            nmh, ndh;
	struct ind_sums  *sums;         /* (nmh + ndh) x nind, in read order */
	size_t            nind;
	int64_t           started_ms;
	size_t            hist_pos;     /* index of the hist.lua reply in the EXEC reply, NO_HIST none */
	size_t            queued;       /* commands sent after MULTI */
};

struct recompute {
	struct store     *st;
	void            (*written)(void *arg);  /* every due hash written (recompute_new) */
	void             *written_arg;
	int64_t          *pending;      /* due months, sorted, unique */
	size_t            npending, cap;
	bool              pending_rolling;
	bool              hold;         /* the feeds have a backlog: coalesce (recompute_hold) */
	int64_t           last_start_ms;        /* monotonic start of the last job */
	struct job       *job;          /* in flight */
	unsigned          gen;          /* bumped by every config change */
	struct arena      arena;
	struct argv_buf   ab;
	struct ratelimit  rl;
	struct wcache     wc;
};

static void job_free(struct job *job);

/* ------------------------------------------------------ the write cache */

/* Forgets every entry (kept allocated). */
static void
wcache_clear(struct wcache *wc)
{
	if (wc->e && wc->n)
		memset(wc->e, 0, WCACHE_MAX * sizeof(*wc->e));
	wc->n = 0;
}

static uint64_t
mix64(uint64_t h, uint64_t v)
{
	h ^= v + UINT64_C(0x9E3779B97F4A7C15) + (h << 6) + (h >> 2);
	return h * UINT64_C(0xFF51AFD7ED558CCD);
}

/* The digest of what build_hset writes for these outcomes, "updated" left out. */
static uint64_t
outcome_digest(const struct period *p, const struct outcome *cur, const struct outcome *prev)
{
	const struct outcome *o[2] = { cur, prev };
	uint64_t h = mix64((uint64_t)p->kind, (uint64_t)p->first_day);

	h = mix64(h, (uint64_t)p->last_day);
	for (int k = 0; k < 2; k++) {
		uint64_t bits = 0;

		if (o[k]->has_value)
			memcpy(&bits, &o[k]->value, sizeof(bits));
		h = mix64(h, (uint64_t)o[k]->num);
		h = mix64(h, (uint64_t)o[k]->den);
		h = mix64(h, bits ^ (uint64_t)o[k]->has_value);
		h = mix64(h, (uint64_t)(int64_t)o[k]->met);
		h = mix64(h, o[k]->nmonths);
		h = mix64(h, (uint64_t)o[k]->pending);
		h = mix64(h, (uint64_t)o[k]->extended);
	}
	return h;
}

/*
 * True when hash (ind, kind, first_day) needs writing: its digest differs
 * from the one written last, or that was WCACHE_REFRESH_MS ago. Notes the
 * write it then expects (the caller writes it). Out of memory: true, and
 * nothing is remembered.
 */
static bool
wcache_due(struct wcache *wc, size_t ind, enum period_kind kind, int64_t first_day,
           uint64_t digest, int64_t now_ms)
{
	struct wcache_ent *e;
	size_t i;

	if (!wc->e && !(wc->e = calloc(WCACHE_MAX, sizeof(*wc->e))))
		return true;
	if (wc->n >= WCACHE_MAX / 2)
		wcache_clear(wc);       /* years of periods: start afresh, it is only a cache */
	i = (size_t)mix64(mix64(ind, (uint64_t)kind), (uint64_t)first_day) & (WCACHE_MAX - 1);
	for (;; i = (i + 1) & (WCACHE_MAX - 1)) {
		e = &wc->e[i];
		if (!e->written_ms)
			break;
		if (e->ind == ind && e->kind == kind && e->first_day == first_day) {
			if (e->digest == digest && now_ms - e->written_ms < WCACHE_REFRESH_MS)
				return false;
			e->digest = digest;
			e->written_ms = now_ms;
			return true;
		}
	}
	*e = (struct wcache_ent){ .first_day = first_day, .digest = digest,
	    .written_ms = now_ms ? now_ms : 1, .ind = (uint16_t)ind, .kind = (uint8_t)kind };
	wc->n++;
	return true;
}

/* A new connection: Redis may hold anything, so every hash is written again. */
void
recompute_connected(struct recompute *rc)
{
	if (rc)
		wcache_clear(&rc->wc);
}

/* Creates the recompute state of st. Returns 0 or -ENOMEM. */
int
recompute_new(struct store *st, void (*written)(void *arg), void *arg, struct recompute **ret)
{
	struct recompute *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return -ENOMEM;
	rc->st = st;
	rc->written = written;
	rc->written_arg = arg;
	rc->rl.interval = 300;
	rc->rl.burst = 3;
	*ret = rc;
	return 0;
}

/* Frees rc; a job in flight is orphaned and frees itself. Accepts NULL. */
void
recompute_free(struct recompute *rc)
{
	if (!rc)
		return;
	if (rc->job)
		rc->job->rc = NULL;
	free(rc->pending);
	free(rc->wc.e);
	arena_free(&rc->arena);
	argv_free(&rc->ab);
	free(rc);
}

/* Marks month number m due (sorted insert). Out of memory: dropped, with a warning. */
void
recompute_touch_month(struct recompute *rc, int64_t m)
{
	size_t lo = 0, hi = rc->npending;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rc->pending[mid] < m)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < rc->npending && rc->pending[lo] == m)
		return;
	if (GROW(rc->pending, rc->cap, rc->npending + 1, 32) < 0) {
		log_warnx("recompute: out of memory; an indicator period stays stale");
		return;
	}
	memmove(rc->pending + lo + 1, rc->pending + lo, (rc->npending - lo) * sizeof(*rc->pending));
	rc->pending[lo] = m;
	rc->npending++;
}

/* Marks rolling due. */
void
recompute_touch_rolling(struct recompute *rc)
{
	rc->pending_rolling = true;
}

/* Marks every month of this and last year up to this month, and rolling, due. */
void
recompute_touch_all(struct recompute *rc)
{
	int64_t cur = month_of_day(store_today(rc->st)), m;

	for (m = (floor_div(cur, 12) - 1) * 12; m <= cur; m++)
		recompute_touch_month(rc, m);
	rc->pending_rolling = true;
}

/* The config was replaced: a job in flight is stale (it redoes its months). */
void
recompute_config_changed(struct recompute *rc)
{
	rc->gen++;
	wcache_clear(&rc->wc);  /* titles, targets... may differ */
}

/* Frees a job (not linked anywhere any more). */
static void
job_free(struct job *job)
{
	if (!job)
		return;
	free(job->months);
	free(job->periods);
	free(job->mh);
	free(job->dh);
	free(job->sums);
	free(job);
}

/*
 * Counts one reply of job in. True when its recompute was freed meanwhile
 * (the job is orphaned): the job is freed with its last reply, and the
 * callback has nothing more to do.
 */
static bool
job_reply_orphaned(struct job *job)
{
	job->outstanding--;
	if (job->rc)
		return false;
	if (!job->outstanding)
		job_free(job);
	return true;
}

/* Puts a lost job's months back into the due set. */
static void
job_requeue(struct recompute *rc, const struct job *job)
{
	size_t i;

	for (i = 0; i < job->nmonths; i++)
		recompute_touch_month(rc, job->months[i]);
	if (job->rolling)
		rc->pending_rolling = true;
}

/* Ends the job in flight: redo it when lost, and start what became due meanwhile. */
static void
job_end(struct job *job)
{
	struct recompute *rc = job->rc;

	rc->job = NULL;
	if (job->lost || job->failed)
		wcache_clear(&rc->wc);  /* what it noted as written may not be */
	if (job->lost)
		job_requeue(rc, job);
	else if (!job->failed)
		log_debug("recompute: %zu periods x %zu indicators from %zu hashes in %" PRId64 " ms",
		    job->nperiods, job->nind, job->nmh + job->ndh, mono_ms() - job->started_ms);
	job_free(job);
	recompute_kick(rc);
	if (recompute_idle(rc) && rc->written)
		rc->written(rc->written_arg);
}

/* True when no job runs and nothing is due. */
bool
recompute_idle(const struct recompute *rc)
{
	return !rc->job && !rc->npending && !rc->pending_rolling;
}

/* Logs an error reply of a job, rate limited (a broken key would repeat it per commit). */
static void
job_error(struct job *job, const redisReply *r, const char *what)
{
	store_reply_error(&job->rc->rl, &job->failed, "recompute", what, r);
}

/* ---------------------------------------------------------- write phase */

/* Buckets of indicator i over span sp: one per month, or one for a day span. */
static unsigned
buckets(const struct job *job, const struct span *sp, size_t i, struct ind_sums *out)
{
	unsigned k, n;
	size_t h;

	if (sp->days) {
		/* day hashes hold no deadline counters: pending stays 0 */
		out[0] = (struct ind_sums){ 0 };
		for (k = 0; k < sp->n; k++)
			if ((h = i64_find(job->dh, job->ndh, sp->first + k)) < job->ndh) {
				out[0].num += job->sums[(job->nmh + h) * job->nind + i].num;
				out[0].den += job->sums[(job->nmh + h) * job->nind + i].den;
			}
		return 1;
	}
	n = sp->n > 12 ? 12 : sp->n;
	/* cppcheck-suppress knownConditionTrueFalse ; false positive: n is 0..12, from sp->n */
	for (k = 0; k < n; k++) {
		h = i64_find(job->mh, job->nmh, sp->first + k);
		if (h < job->nmh)
			out[k] = job->sums[h * job->nind + i];
		else
			out[k] = (struct ind_sums){ 0 };
	}
	return n;
}

/*
 * Pushes a fraction with 4 decimals, rounded half away from zero like the
 * judging; "" without a value. 0 or -ENOMEM.
 */
static int
push_value(struct arena *a, struct argv_buf *ab, bool has, double v)
{
	size_t len = 0;
	double r;
	char *s;

	if (!has || !isfinite(v)) {
		s = arena_strndup(a, "", 0);
	} else {
		r = round(v * 10000.0) / 10000.0;
		if (r == 0.0)
			/* cppcheck-suppress duplicateConditionalAssign ; -0.0 == 0.0: this makes it 0.0 */
			r = 0.0;        /* no "-0.0000" */
		s = arena_printf(a, &len, "%.4f", r);
	}
	if (!s)
		return -ENOMEM;
	argv_push(ab, s, len);
	return 0;
}

/* "1", "0" or "" for met. */
static const char *
met_text(int met)
{
	return met > 0 ? "1" : met == 0 ? "0" : "";
}

#define PUSH(s_) argv_str(ab, (s_))
/* an integer (counts, indexes, times) */
#define PUSHI(v_) ARGV_PUSH_I64(a, ab, v_)

/* The cadence of a period kind in key names ("month" ...); NULL for day and rolling. */
static const char *
cadence_key(enum period_kind kind)
{
	switch (kind) {
	case P_MONTH:   return "month";
	case P_QUARTER: return "quarter";
	case P_HALF:    return "half";
	case P_YEAR:    return "year";
	default:        return NULL;
	}
}

/*
 * The outcome of indicator i over period p (*ret_cur) and over the same
 * period one year earlier (*ret_prev), from the hashes the job read.
 */
static void
outcomes(const struct job *job, const struct config *cfg, const struct period *p, size_t i,
         struct outcome *ret_cur, struct outcome *ret_prev)
{
	const struct indicator *ind = &cfg->indicators[i];
	struct ind_sums b0[12], b1[12], b2[12];
	struct span s0, s1, s2 = { 0 };
	struct period pp;
	unsigned n;
	bool growth = ind->kind == IND_GROWTH;

	period_span(p, &s0, &s1);
	n = buckets(job, &s0, i, b0);
	buckets(job, &s1, i, b1);
	if (growth) {
		pp = period_previous_year(p);
		period_span(&pp, NULL, &s2);
		buckets(job, &s2, i, b2);
	}
	ind_outcome(ind, b0, growth ? b1 : NULL, n, ret_cur);
	ind_outcome(ind, b1, growth ? b2 : NULL, n, ret_prev);
}

/*
 * Builds "HSET K ind:<name>:<period> ..." for indicator i over period p
 * with outcomes cur and prev into rc->ab. alias NULL: the key names the
 * period ("2026-03"); otherwise it is K ind:<name>:<alias> (the fixed name
 * of the current period, "month" ...), with the same fields. Returns 0,
 * -ENOMEM or -EINVAL.
 */
static int
build_hset(struct recompute *rc, const struct config *cfg, const struct period *p, size_t i,
           const char *alias, const struct outcome *cur, const struct outcome *prev, int64_t now)
{
	const struct indicator *ind = &cfg->indicators[i];
	struct arena *a = &rc->arena;
	struct argv_buf *ab = &rc->ab;
	char pname[32], rest[160], *s;
	size_t len;
	bool growth = ind->kind == IND_GROWTH;

	if (period_name(p, pname, sizeof(pname)) < 0)
		return -EINVAL;
	arena_reset(a);
	ab->n = 0;
	/* a deadline indicator adds pending, prev_pending, extended, prev_extended */
	if (argv_reserve(ab, 2 + 2 * (IND_FIELDS + 4)) < 0)
		return -ENOMEM;
	PUSH("HSET");
	snprintf(rest, sizeof(rest), "ind:%s:%s", ind->name, alias ? alias : pname);
	if (!(s = arena_key(a, cfg, rest, &len)))
		return -ENOMEM;
	argv_push(ab, s, len);
	PUSH("indicator");      PUSH(ind->name);
	PUSH("title");          PUSH(ind->title ? ind->title : ind->name);
	PUSH("period");
	/* pname lives on this stack: the command is sent after we return */
	if (!(s = arena_strndup(a, pname, strlen(pname))))
		return -ENOMEM;
	argv_str(ab, s);
	PUSH("kind");           PUSH(growth ? "growth" : ind->kind == IND_DEADLINE ? "deadline" : "ratio");
	PUSH("combine");        PUSH(ind->combine == COMBINE_MEAN_OF_MONTHS ? "mean_of_months" : "pooled");
	PUSH("numerator");      PUSHI(cur->num);
	PUSH("denominator");    PUSHI(cur->den);
	PUSH("value");
	if (push_value(a, ab, cur->has_value, cur->value) < 0)
		return -ENOMEM;
	PUSH("target");
	if (push_value(a, ab, true, ind->target) < 0)
		return -ENOMEM;
	PUSH("cmp");            PUSH(cmp_symbol(ind->cmp));
	PUSH("met");            PUSH(met_text(cur->met));
	PUSH("months");         PUSHI(cur->nmonths);
	PUSH("prev_numerator"); PUSHI(prev->num);
	PUSH("prev_denominator"); PUSHI(prev->den);
	PUSH("prev_value");
	if (push_value(a, ab, prev->has_value, prev->value) < 0)
		return -ENOMEM;
	PUSH("prev_met");       PUSH(met_text(prev->met));
	PUSH("updated");        PUSHI(now);
	if (ind->kind == IND_DEADLINE) {
		/* numerator = met, denominator = decided; these are still open */
		PUSH("pending");        PUSHI(cur->pending);
		PUSH("prev_pending");   PUSHI(prev->pending);
		/* cases with a postponement (uppskov), whatever their outcome */
		PUSH("extended");       PUSHI(cur->extended);
		PUSH("prev_extended");  PUSHI(prev->extended);
	}
	return 0;
}

/*
 * Builds "DEL K indicators" (sadd false) or "SADD K indicators <name>..."
 * (sadd true) into rc->ab. Returns 0 or -ENOMEM.
 */
static int
build_names(struct recompute *rc, const struct config *cfg, bool sadd)
{
	struct arena *a = &rc->arena;
	struct argv_buf *ab = &rc->ab;
	char *s;
	size_t len, i;

	arena_reset(a);
	ab->n = 0;
	if (argv_reserve(ab, 2 + cfg->nindicators) < 0 || !(s = arena_key(a, cfg, "indicators", &len)))
		return -ENOMEM;
	PUSH(sadd ? "SADD" : "DEL");
	argv_push(ab, s, len);
	if (sadd)
		for (i = 0; i < cfg->nindicators; i++)
			PUSH(cfg->indicators[i].name);
	return 0;
}

/* One entry for hist.lua: a closed period of one indicator. */
struct hist_entry {
	size_t         slot;            /* indicator * HIST_KINDS + kind - P_MONTH */
	int64_t        ms;              /* period start, unix ms: the stream id */
	struct outcome cur;
};

/*
 * Builds "EVAL hist.lua <#keys> K hist:<name>:<cadence>... th1 E
 * entries..." for e[0..n) into rc->ab (n > 0). keyidx is scratch of
 * nind * HIST_KINDS entries. Returns 0, -ENOMEM or -EINVAL.
 */
static int
build_hist(struct recompute *rc, const struct config *cfg, const struct hist_entry *e, size_t n,
           size_t *keyidx)
{
	struct arena *a = &rc->arena;
	struct argv_buf *ab = &rc->ab;
	size_t nslots = cfg->nindicators * HIST_KINDS, nkeys = 0, k, len;
	char rest[160], *s;

	arena_reset(a);
	ab->n = 0;
	memset(keyidx, 0, nslots * sizeof(*keyidx));
	for (k = 0; k < n; k++) {
		if (e[k].slot >= nslots)
			return -EINVAL;
		keyidx[e[k].slot] = 1;
	}
	for (k = 0; k < nslots; k++)
		if (keyidx[k])
			keyidx[k] = ++nkeys;            /* 1-based, as KEYS[] in Lua */
	if (argv_reserve(ab, 3 + nkeys + 2 + HIST_ARGS * n) < 0)
		return -ENOMEM;
	PUSH("EVAL");
	argv_push(ab, LUA_hist, sizeof(LUA_hist) - 1);
	PUSHI(nkeys);
	for (k = 0; k < nslots; k++) {
		if (!keyidx[k])
			continue;
		snprintf(rest, sizeof(rest), "hist:%s:%s", cfg->indicators[k / HIST_KINDS].name,
		    cadence_key((enum period_kind)(P_MONTH + k % HIST_KINDS)));
		if (!(s = arena_key(a, cfg, rest, &len)))
			return -ENOMEM;
		argv_push(ab, s, len);
	}
	PUSH("th1");
	PUSHI(n);
	for (k = 0; k < n; k++) {
		const struct indicator *ind = &cfg->indicators[e[k].slot / HIST_KINDS];

		PUSHI(keyidx[e[k].slot]);
		PUSHI(e[k].ms);
		/* no value: "" asks for the period's entry to go (a gap) */
		if (push_value(a, ab, e[k].cur.has_value, e[k].cur.value) < 0)
			return -ENOMEM;
		if (push_value(a, ab, true, ind->target) < 0)
			return -ENOMEM;
		PUSHI(e[k].cur.num);
		PUSHI(e[k].cur.den);
	}
	return 0;
}
#undef PUSH
#undef PUSHF

/*
 * Logs history entries hist.lua skipped (a key that is not a stream),
 * rate limited like job errors: the same key would repeat it per commit.
 * The others were written.
 */
static void
hist_skipped(struct recompute *rc, long long n)
{
	unsigned suppressed = 0;

	if (ratelimit_pass(&rc->rl, mono_ms() / 1000, &suppressed))
		log_warnx("recompute: %lld history entries skipped (a hist: key that is not a "
		    "stream, or a period before 1970); the others were written%s", n,
		    suppressed ? " (similar messages suppressed)" : "");
}

/*
 * The EXEC reply: one reply per queued command. A command that failed
 * while the others ran (a key of the wrong type, hist.lua refusing its
 * arguments) fails the job, logged; the history script's counts are
 * logged at debug level.
 */
static void
exec_replies(struct job *job, const redisReply *reply)
{
	size_t k;

	for (k = 0; k < reply->elements; k++) {
		const redisReply *e = reply->element[k];

		if (e->type == REDIS_REPLY_ERROR) {
			job_error(job, e, k == job->hist_pos ? "writing the history streams" :
			    "writing indicators");
		} else if (k == job->hist_pos && e->type == REDIS_REPLY_ARRAY && e->elements == 3 &&
		           e->element[0]->type == REDIS_REPLY_INTEGER &&
		           e->element[1]->type == REDIS_REPLY_INTEGER &&
		           e->element[2]->type == REDIS_REPLY_INTEGER) {
			if (e->element[0]->integer || e->element[1]->integer)
				log_debug("recompute: history: %lld entries appended, %lld streams rebuilt",
				    e->element[0]->integer, e->element[1]->integer);
			if (e->element[2]->integer)
				hist_skipped(job->rc, e->element[2]->integer);
		}
	}
}

/* Reply within the MULTI ... EXEC of the write phase. */
static void
on_write(redisAsyncContext *ac, void *r, void *privdata)
{
	struct job *job = privdata;
	redisReply *reply = r;

	(void)ac;
	if (job_reply_orphaned(job))
		return;
	if (!reply || job->gen != job->rc->gen)
		job->lost = true;       /* lost: the EXEC may or may not have run; redo, it is idempotent */
	else if (reply->type == REDIS_REPLY_ERROR)
		job_error(job, reply, "writing indicators");
	else if (job->outstanding == 0 && reply->type == REDIS_REPLY_NIL)
		job->failed = true;     /* EXEC aborted */
	else if (job->outstanding == 0 && reply->type == REDIS_REPLY_ARRAY)
		exec_replies(job, reply);
	if (!job->outstanding)
		job_end(job);
}

/* Sends one command of the write phase; false (job lost) when the connection refuses. */
static bool
write_cmd(struct job *job)
{
	struct recompute *rc = job->rc;

	if (store_send(rc->st, on_write, job, &rc->ab) < 0) {
		job->lost = true;
		return false;
	}
	job->outstanding++;
	return true;
}

/* Sends one command queued in the transaction (counted for the EXEC reply). */
static bool
queue_cmd(struct job *job)
{
	if (!write_cmd(job))
		return false;
	job->queued++;
	return true;
}

/*
 * All counter hashes are in: compute and write, in one transaction, every
 * indicator hash, the fixed-name hashes of the current periods, the set of
 * indicator names and the history entries of the closed periods.
 */
static void
job_write(struct job *job)
{
	struct recompute *rc = job->rc;
	const struct config *cfg = store_config(rc->st);
	const struct tz *tz = store_tz(rc->st);
	int64_t now = (int64_t)time(NULL), cal = cal_now(), mono = mono_ms();
	struct hist_entry *hist = NULL;
	size_t *keyidx = NULL, nhist = 0, p, i;
	struct outcome cur, prev;

	if (!(hist = calloc(job->nperiods * job->nind + 1, sizeof(*hist))) ||
	    !(keyidx = calloc(job->nind * HIST_KINDS + 1, sizeof(*keyidx)))) {
		/* nothing sent yet: nothing to DISCARD */
		log_warnx("recompute: out of memory building indicator hashes");
		job->failed = true;
		goto out;
	}
	rc->ab.n = 0;
	if (argv_reserve(&rc->ab, 2 + 2 * IND_FIELDS) < 0)
		goto oom;
	argv_push(&rc->ab, "MULTI", 5);
	if (!write_cmd(job))
		goto out;
	for (p = 0; p < job->nperiods; p++) {
		const struct period *pd = &job->periods[p];
		const char *cadence = cadence_key(pd->kind);
		/* the period that contains today is also written under its fixed name */
		bool current = cadence && pd->first_day <= job->today && job->today <= pd->last_day;
		bool closed = cadence && period_closed(pd, tz, cfg->alerts.grace_s, cal);

		for (i = 0; i < job->nind; i++) {
			uint64_t dg;

			outcomes(job, cfg, pd, i, &cur, &prev);
			dg = outcome_digest(pd, &cur, &prev);
			if (wcache_due(&rc->wc, i, pd->kind, pd->first_day, dg, mono)) {
				if (build_hset(rc, cfg, pd, i, NULL, &cur, &prev, now) < 0)
					goto oom;
				if (!queue_cmd(job))
					goto out;
			}
			/* the fixed name's digest holds the period: a new month rewrites it */
			if (current && wcache_due(&rc->wc, i, pd->kind, INT64_MIN, dg, mono)) {
				if (build_hset(rc, cfg, pd, i, cadence, &cur, &prev, now) < 0)
					goto oom;
				if (!queue_cmd(job))
					goto out;
			}
			/* a period starting before 1970 has no stream id (accept_from keeps
			 * its lines out; counters from before it may remain): left out */
			if (closed && period_start_ms(pd, tz) > 0) {
				hist[nhist].slot = i * HIST_KINDS + (size_t)(pd->kind - P_MONTH);
				hist[nhist].ms = period_start_ms(pd, tz);
				hist[nhist].cur = cur;
				nhist++;
			}
		}
	}
	/* rewritten whole: an indicator dropped from the config disappears */
	if (build_names(rc, cfg, false) < 0)
		goto oom;
	if (!queue_cmd(job))
		goto out;
	if (build_names(rc, cfg, true) < 0)
		goto oom;
	if (!queue_cmd(job))
		goto out;
	if (nhist) {
		if (build_hist(rc, cfg, hist, nhist, keyidx) < 0)
			goto oom;
		job->hist_pos = job->queued;
		if (!queue_cmd(job))
			goto out;
	}
	rc->ab.n = 0;
	argv_push(&rc->ab, "EXEC", 4);
	write_cmd(job);
	goto out;
oom:
	/* the transaction is left open: DISCARD it so nothing half-written lands */
	log_warnx("recompute: out of memory building indicator hashes");
	job->failed = true;
	rc->ab.n = 0;
	argv_push(&rc->ab, "DISCARD", 7);
	write_cmd(job);
out:
	free(hist);
	free(keyidx);
	if (!job->outstanding)
		job_end(job);
}

/* ----------------------------------------------------------- read phase */

/* Reply to one HGETALL: fold its counters into the sums of its hash. */
static void
on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	struct job *job = privdata;
	redisReply *reply = r;
	size_t idx = job->next++, k;

	(void)ac;
	if (job_reply_orphaned(job))
		return;
	if (!reply || job->gen != job->rc->gen) {
		job->lost = true;
	} else if (reply->type == REDIS_REPLY_ERROR) {
		job_error(job, reply, "reading counters");
	} else if (reply->type == REDIS_REPLY_ARRAY && !job->lost && !job->failed &&
	           idx < job->nmh + job->ndh) {
		const struct config *cfg = store_config(job->rc->st);
		struct ind_sums *sums = &job->sums[idx * job->nind];

		for (k = 0; k + 1 < reply->elements; k += 2) {
			const redisReply *f = reply->element[k], *v = reply->element[k + 1];
			char *end;
			long long n;

			if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
				continue;
			errno = 0;
			n = strtoll(v->str, &end, 10);
			if (errno || end == v->str || *end)
				continue;       /* not a counter: counts nowhere */
			ind_accumulate(cfg, f->str, f->len, (int64_t)n, sums);
		}
	}
	if (job->outstanding)
		return;
	if (job->lost || job->failed)
		job_end(job);
	else
		job_write(job);
}

/* Orders periods by kind, then first day (that identifies a period). */
static int
cmp_period(const void *a, const void *b)
{
	const struct period *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->first_day > y->first_day) - (x->first_day < y->first_day);
}

/* Appends the hashes span sp reads to the job's month or day lists. */
static void
add_span(struct job *job, const struct span *sp)
{
	unsigned k;

	for (k = 0; k < sp->n; k++) {
		if (sp->days)
			job->dh[job->ndh++] = sp->first + k;
		else if (k < 12)
			job->mh[job->nmh++] = sp->first + k;
	}
}

/* Sends HGETALL of one counter hash. false when the connection refuses. */
static bool
read_hash(struct job *job, bool day, int64_t no)
{
	struct recompute *rc = job->rc;
	const struct config *cfg = store_config(rc->st);
	char kb[32], rest[48], *s;
	size_t len;

	if (day)
		day_key(no, kb, sizeof(kb));
	else
		month_key(no, kb, sizeof(kb));
	snprintf(rest, sizeof(rest), "%s:%s", day ? "day" : "month", kb);
	arena_reset(&rc->arena);
	rc->ab.n = 0;
	if (argv_reserve(&rc->ab, 2) < 0 || !(s = arena_key(&rc->arena, cfg, rest, &len)))
		return false;
	argv_push(&rc->ab, "HGETALL", 7);
	argv_push(&rc->ab, s, len);
	if (store_send(rc->st, on_read, job, &rc->ab) < 0)
		return false;
	job->outstanding++;
	return true;
}

/*
 * Builds a job from what is due and sends its reads. Returns 0, or
 * -ENOMEM (what was due stays due).
 */
static int
job_start(struct recompute *rc)
{
	const struct config *cfg = store_config(rc->st);
	struct job *job;
	int64_t curm, m;
	size_t i, np = 0, maxp, nh = 0;
	unsigned k, years = 2;
	struct span s0, s1, s2;
	static const enum period_kind kinds[] = { P_MONTH, P_QUARTER, P_HALF, P_YEAR };

	for (i = 0; i < cfg->nindicators; i++)
		if (cfg->indicators[i].kind == IND_GROWTH)
			years = 3;      /* a growth's previous value reads two years back */
	if (!(job = calloc(1, sizeof(*job))))
		return -ENOMEM;
	job->rc = rc;
	job->gen = rc->gen;
	job->nind = cfg->nindicators;
	job->today = store_today(rc->st);
	job->started_ms = mono_ms();
	job->hist_pos = NO_HIST;
	curm = month_of_day(job->today);

	maxp = rc->npending * 3 * 4 + 1;
	if (!(job->periods = calloc(maxp, sizeof(*job->periods))))
		goto oom;
	for (i = 0; i < rc->npending; i++)
		for (k = 0; k < 3; k++) {
			m = rc->pending[i] + 12 * (int64_t)k;
			if (k > 0 && m > curm)
				break;          /* no report of the future to refresh */
			for (size_t j = 0; j < 4; j++)
				job->periods[np++] = period_of_day(kinds[j], month_first_day(m));
		}
	if (np) {
		qsort(job->periods, np, sizeof(*job->periods), cmp_period);
		for (i = 1, k = 0; i < np; i++)
			if (cmp_period(&job->periods[i], &job->periods[k]) != 0)
				job->periods[++k] = job->periods[i];
		np = k + 1;
	}
	if (rc->pending_rolling)
		job->periods[np++] = period_of_day(P_ROLLING, job->today);
	job->nperiods = np;

	/* every span has at most 12 months or ROLLING_DAYS days */
	for (i = 0; i < np; i++)
		nh += (size_t)years * (job->periods[i].kind == P_ROLLING ? ROLLING_DAYS : 12);
	if (!(job->mh = calloc(nh + 1, sizeof(*job->mh))) ||
	    !(job->dh = calloc(nh + 1, sizeof(*job->dh))))
		goto oom;
	for (i = 0; i < np; i++) {
		struct period pp = period_previous_year(&job->periods[i]);

		period_span(&job->periods[i], &s0, &s1);
		add_span(job, &s0);
		add_span(job, &s1);
		if (years == 3) {
			period_span(&pp, NULL, &s2);
			add_span(job, &s2);
		}
	}
	job->nmh = i64_sort_unique(job->mh, job->nmh);
	job->ndh = i64_sort_unique(job->dh, job->ndh);
	if (!(job->sums = calloc((job->nmh + job->ndh) * job->nind + 1, sizeof(*job->sums))))
		goto oom;

	/* the job owns what was due from here on */
	job->months = rc->pending;
	job->nmonths = rc->npending;
	job->rolling = rc->pending_rolling;
	rc->pending = NULL;
	rc->npending = rc->cap = 0;
	rc->pending_rolling = false;
	rc->job = job;

	for (i = 0; i < job->nmh + job->ndh; i++) {
		bool day = i >= job->nmh;

		if (!read_hash(job, day, day ? job->dh[i - job->nmh] : job->mh[i])) {
			job->lost = true;
			break;
		}
	}
	if (!job->outstanding) {
		/* nothing went out: put it back, to run at the next ready */
		rc->job = NULL;
		job_requeue(rc, job);
		job_free(job);
	}
	return 0;
oom:
	log_warnx("recompute: out of memory; indicators are recomputed later");
	job_free(job);
	return -ENOMEM;
}

/*
 * Starts a job for what is due, unless one runs, the store is not ready,
 * or the feeds have a backlog and the last job started less than
 * RECOMPUTE_BACKLOG_MS ago (the commits of a backfill keep coming and kick
 * again; releasing the hold kicks too).
 */
void
recompute_kick(struct recompute *rc)
{
	const struct config *cfg;

	if (!rc || rc->job || !store_ready(rc->st))
		return;
	if (!rc->npending && !rc->pending_rolling)
		return;
	if (rc->hold && mono_ms() - rc->last_start_ms < RECOMPUTE_BACKLOG_MS)
		return;
	cfg = store_config(rc->st);
	if (cfg->nindicators == 0) {
		rc->npending = 0;
		rc->pending_rolling = false;
		return;
	}
	rc->last_start_ms = mono_ms();
	job_start(rc);
}

/*
 * hold true: the daemon is working through a backlog, so recomputing after
 * every commit would only slow the commits down (each job reads every
 * hash of the periods touched); jobs start at most every
 * RECOMPUTE_BACKLOG_MS. hold false: caught up, what is due starts now, so
 * live lines reach the indicators at once.
 */
void
recompute_hold(struct recompute *rc, bool hold)
{
	if (!rc)
		return;
	rc->hold = hold;
	if (!hold)
		recompute_kick(rc);
}
