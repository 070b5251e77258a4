/*
 * dash.c — the daemon's dashboard (GET /) and /api/indicators: the
 * counters read from Redis asynchronously over the store's connection,
 * the figures computed by report.c (so /api/indicators is byte for byte
 * `teleqctl report --format json`) and the page drawn by page.c.
 *
 * A request is a job: one HGETALL per counter hash it needs, sent at once
 * with store_send (pipelined), each reply folded with ind_accumulate into
 * that hash's per-indicator sums as it arrives (no reply is kept past its
 * callback); when the last one is in, the sums are bucketed into
 * ind_tables by local month exactly as teleqctl's fetch_span does, and
 * the answer goes out through the deferred http_reply.
 *
 *   /api/indicators?period=P   P as teleqctl report takes it (default:
 *       the current month; teleqctl has no default). Hashes: the spans of
 *       the period, of the same period one year earlier and, with a growth
 *       indicator, two years earlier (report_init) — at most 3 x 30 day
 *       hashes (rolling) or 3 x 12 month hashes (a year).
 *   /rapport?period=P   the follow-up document (followup.c) of the same
 *       report as /api/indicators?period=P (default: the current quarter).
 *       Both also read manual:<P> and manual:<P a year earlier> (the
 *       manual indicators' values and the samordnare's notes, written by
 *       teleqctl set / note) for a month, quarter, half or year.
 *   dash_report_read(P)   the report of /rapport?period=P handed to a
 *       callback instead of an HTTP reply: the alerter's summaries
 *       (alerter.c), so their figures and attached follow-up are these.
 *   /   the current quarter and the same quarter one year earlier (as
 *       /api/indicators?period=<this quarter>), the last closed quarter
 *       and the same one a year earlier (what matters from the 1st of a
 *       month until its report is written), and the last PAGE_MONTHS
 *       months one by one (a growth month also reads the month one year
 *       before it): at most 31 month hashes (the chart's 25 with a growth
 *       indicator, and the quarters' months two years back), read once
 *       each (the list is sorted and unique); then manual:<this quarter>
 *       and manual:<the last closed quarter> for the manual rows.
 *
 * Bounds and failures: at most DASH_MAX_JOBS jobs live at once (a job
 * whose answer is sent but whose replies are still due counts too), else
 * 503 at once; Redis not ready: 503 "redis not ready"; the connection
 * lost or the store freed (hiredis then calls every callback with NULL):
 * 503; an error reply: 503, logged (rate-limited); no answer within
 * DASH_TIMEOUT_MS: 503, the job lingers until its replies are in (or the
 * connection goes). Whatever happens to the client meanwhile, http.c
 * keeps the http_reply safe to answer.
 *
 * Lifetime: a job keeps the store's config (store_config at the start)
 * until its last reply. That is safe because the daemon frees a config
 * only after the store that uses it (teleqd.c: teardown, then
 * config_free), and store_free runs every pending callback (with NULL)
 * before it returns. A job never touches the store after it was started.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <hiredis/hiredis.h>

#include "clock.h"
#include "dash.h"
#include "followup.h"
#include "http.h"
#include "indicator.h"
#include "keys.h"
#include "log.h"
#include "manual.h"
#include "page.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "store.h"
#include "tq_config.h"
#include "store_priv.h"

#define DASH_MAX_JOBS   8       /* dashboard requests served at once */
#define DASH_TIMEOUT_MS 10000   /* longest wait for Redis before 503 */
#define KEY_MAX         512     /* bytes of a counter hash's key name */

#define TEXT_PLAIN      "text/plain; charset=utf-8"
#define APP_JSON        "application/json"
#define TEXT_HTML       "text/html; charset=utf-8"

struct dash_job {
	struct http_reply   *rep;       /* NULL once answered */
	const struct config *cfg;
	enum http_view       view;
	struct event        *timer;     /* DASH_TIMEOUT_MS */
	unsigned             outstanding;       /* replies still due */
	size_t               next;      /* index of the next reply (Redis answers in order) */
	struct report        report;    /* API: the period; page: the current quarter */
	struct report        closed;    /* page: the last closed quarter (zeroed for the API) */
	int64_t              now_wall;  /* local wall seconds at the start */
	int64_t              first_month;       /* page: the chart's first month number */
	int64_t             *mh, *dh;   /* month and day numbers read, sorted, unique */
	size_t               nmh, ndh;
	size_t               nind;
	struct ind_sums     *sums;      /* (nmh + ndh) x nind, in read order: months, then days */
	bool                 manual;    /* manual hashes follow the counters: API, /rapport:
	                                 * manual:<cur>, manual:<prev>; page: manual:<quarter>,
	                                 * manual:<closed quarter> */
	dash_report_fn      *done;      /* dash_report_read: NULL once called (rep is NULL then) */
	void                *done_arg;
	int                  err;       /* dash_report_read: the first failure, given to done */
};

static unsigned njobs;                  /* live jobs: the daemon has one loop and one thread */
static struct ratelimit error_rl = { .interval = 300, .burst = 3 };

/* Frees a job (answered, no reply due). Accepts NULL. */
static void
job_free(struct dash_job *job)
{
	if (!job)
		return;
	if (job->timer)
		event_free(job->timer);
	report_done(&job->report);
	report_done(&job->closed);
	free(job->mh);
	free(job->dh);
	free(job->sums);
	free(job);
	njobs--;
}

/* Whether the job still waits to be answered (an HTTP request or a dash_report_read). */
static bool
job_open(const struct dash_job *job)
{
	return job->rep || (job->done && !job->err);
}

/* Answers the job's request now (the job itself stays until its replies are in). */
static void
job_answer(struct dash_job *job, int code, const char *ct, const char *body, size_t len)
{
	if (!job->rep)
		return;
	http_reply_send(job->rep, code, ct, body, len);
	job->rep = NULL;
	if (job->timer)
		evtimer_del(job->timer);
}

/* job_answer() with a short text. */
static void
job_fail(struct dash_job *job, int code, const char *text)
{
	/* dash_report_read: done learns it when the last reply is in */
	if (job->done && !job->err)
		job->err = code == HTTP_INTERNAL ? -ENOMEM : -EIO;
	job_answer(job, code, TEXT_PLAIN, text, strlen(text));
}

/* ------------------------------------------------------------ figures */

/* The sums of the month (day false) or day hash no, or NULL when it was not read. */
static const struct ind_sums *
hash_sums(const struct dash_job *job, bool day, int64_t no)
{
	size_t h;

	if (day) {
		h = i64_find(job->dh, job->ndh, no);
		return h < job->ndh ? &job->sums[(job->nmh + h) * job->nind] : NULL;
	}
	h = i64_find(job->mh, job->nmh, no);
	return h < job->nmh ? &job->sums[h * job->nind] : NULL;
}

/*
 * Table t of span s from the hashes read, one bucket per local month as
 * teleqctl's fetch_span builds it. 0, or -EINVAL when a span has more
 * months than a table holds (no period has).
 */
static int
fill_table(const struct dash_job *job, const struct span *s, struct ind_table *t)
{
	for (unsigned k = 0; k < s->n; k++) {
		const struct ind_sums *h = hash_sums(job, s->days, s->first + k);
		struct ind_sums *b = ind_table_month(t, job->nind, span_month(s, k));

		if (!b)
			return -EINVAL;
		for (size_t i = 0; h && i < job->nind; i++) {
			b[i].num = sat_add(b[i].num, h[i].num);
			b[i].den = sat_add(b[i].den, h[i].den);
			b[i].pending = sat_add(b[i].pending, h[i].pending);
			b[i].extended = sat_add(b[i].extended, h[i].extended);
		}
	}
	return 0;
}

/* compute_report() over rep (the job's report or its closed quarter). 0, -ENOMEM or -EINVAL. */
static int
job_report(struct dash_job *job, struct report *rep)
{
	struct ind_table cur = { 0 }, prev = { 0 }, prev2 = { 0 };
	int r;

	if ((r = ind_table_init(&cur, job->nind)) < 0 || (r = ind_table_init(&prev, job->nind)) < 0 ||
	    (r = ind_table_init(&prev2, job->nind)) < 0)
		goto out;
	if ((r = fill_table(job, &rep->scur, &cur)) < 0 || (r = fill_table(job, &rep->sprev, &prev)) < 0 ||
	    (rep->need_prev2 && (r = fill_table(job, &rep->sprev2, &prev2)) < 0))
		goto out;
	compute_report(job->cfg, &cur, &prev, rep->need_prev2 ? &prev2 : NULL, rep);
out:
	ind_table_done(&prev2);
	ind_table_done(&prev);
	ind_table_done(&cur);
	return r;
}

/* The monthly shares of a mean of months (a quarter has at most 3) as the page shows them. */
static void
monthly(struct page_monthly *pm, const double *v, unsigned n)
{
	pm->n = n <= sizeof(pm->v) / sizeof(pm->v[0]) ? n : 0;
	for (unsigned k = 0; k < pm->n; k++)
		pm->v[k] = v[k];
}

/*
 * The projection of indicator i over this month, while it runs (the last
 * chart month, today's): prognos_of_table over a one-month table of its
 * counters; growth against the same month a year before.
 */
static void
month_prognos(const struct dash_job *job, size_t i, int64_t mn, struct prognos *ret)
{
	struct period p = period_of_day(P_MONTH, job->report.today);
	const struct ind_sums *s = hash_sums(job, false, mn), *before = hash_sums(job, false, mn - 12);
	struct ind_table t = { 0 };
	struct ind_sums *b;

	memset(ret, 0, sizeof(*ret));
	/* out of memory: no forecast, the page still shows the figures */
	if (ind_table_init(&t, job->nind) < 0)
		return;
	b = ind_table_month(&t, job->nind, mn);
	if (b && s)
		memcpy(b, s, job->nind * sizeof(*b));
	if (b)
		(void)prognos_of_table(job->cfg, i, &t, &p, job->report.today,
		                       before ? before[i].num : 0, ret);
	ind_table_done(&t);
}

/* Writes the answer body into out: the JSON report or the page. 0 or -errno. */
static int
job_render(struct dash_job *job, FILE *out)
{
	const struct config *cfg = job->cfg;
	struct page_model m;
	struct page_ind *pi;
	struct page_manual *man = NULL;
	int r;

	if ((r = job_report(job, &job->report)) < 0)
		return r;
	if (job->view == HTTP_API_INDICATORS) {
		report_json(out, cfg, &job->report);
		return ferror(out) ? -EIO : 0;
	}
	if (job->view == HTTP_FOLLOWUP)
		return followup_render(out, cfg, &job->report, NULL);

	if ((r = job_report(job, &job->closed)) < 0)
		return r;
	pi = calloc(job->nind ? job->nind : 1, sizeof(*pi));
	if (!pi)
		return -ENOMEM;
	for (size_t i = 0; i < job->nind; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		const struct ind_result *q = &job->report.r[i], *c = &job->closed.r[i];

		pi[i].quarter = q->cur;
		pi[i].quarter_prev = q->prev;
		pi[i].closed = c->cur;
		pi[i].closed_prev = c->prev;
		monthly(&pi[i].quarter_m, q->cur_monthly, q->ncur_monthly);
		monthly(&pi[i].quarter_prev_m, q->prev_monthly, q->nprev_monthly);
		monthly(&pi[i].closed_m, c->cur_monthly, c->ncur_monthly);
		monthly(&pi[i].closed_prev_m, c->prev_monthly, c->nprev_monthly);
		/* the running quarter's projection (compute_report), and this month's */
		pi[i].quarter_proj = q->proj;
		month_prognos(job, i, job->first_month + PAGE_MONTHS - 1, &pi[i].month_proj);
		/* each month alone; a growth month against the same month a year before */
		for (unsigned k = 0; k < PAGE_MONTHS; k++) {
			int64_t mn = job->first_month + k;
			const struct ind_sums *s = hash_sums(job, false, mn);
			const struct ind_sums *p = hash_sums(job, false, mn - 12);
			struct ind_sums cur = s ? s[i] : (struct ind_sums){ 0 };
			struct ind_sums before = p ? p[i] : (struct ind_sums){ 0 };

			ind_outcome(ind, &cur, ind->kind == IND_GROWTH ? &before : NULL, 1,
			            &pi[i].months[k]);
		}
	}
	/* the manual rows, as read for the quarter and the closed one (both in their cur) */
	if (job->manual && cfg->nmanuals > 0) {
		man = calloc(cfg->nmanuals, sizeof(*man));
		if (!man) {
			free(pi);
			return -ENOMEM;
		}
		for (size_t j = 0; j < cfg->nmanuals; j++) {
			man[j].quarter = (struct page_mvalue){ job->report.m[j].has_value,
			                                       job->report.m[j].value };
			man[j].closed = (struct page_mvalue){ job->closed.m[j].has_value,
			                                      job->closed.m[j].value };
		}
	}
	m = (struct page_model){
		.today = job->report.today,
		.now_wall = job->now_wall,
		.first_month = job->first_month,
		.quarter = job->report.cur,
		.quarter_prev = job->report.prev,
		.closed = job->closed.cur,
		.closed_prev = job->closed.prev,
		.min_cases = cfg->http.min_cases,     /* config: 1..1000000, default 5 */
		.n = job->nind,
		.ind = pi,
		.nmanual = man ? cfg->nmanuals : 0,
		.man = man,
	};
	r = page_render(out, cfg, &m);
	free(man);
	free(pi);
	return r;
}

/* Every reply is in: compute, render, answer 200 (or 500). */
static void
job_finish(struct dash_job *job)
{
	char *body = NULL;
	size_t len = 0;
	FILE *out;
	int r;

	out = open_memstream(&body, &len);
	if (!out) {
		job_fail(job, HTTP_INTERNAL, "out of memory\n");
		return;
	}
	r = job_render(job, out);
	if (fclose(out) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		log_warnx("http: cannot render %s: %s",
		    job->view == HTTP_PAGE ? "the dashboard" :
		    job->view == HTTP_FOLLOWUP ? "/rapport" : "/api/indicators", strerror(-r));
		job_fail(job, HTTP_INTERNAL, "cannot render the figures\n");
	} else {
		job_answer(job, HTTP_OK, job->view == HTTP_API_INDICATORS ? APP_JSON : TEXT_HTML, body,
		           len);
	}
	free(body);
}

/* ------------------------------------------------------------- Redis */

/* Reply to one HGETALL: fold its counters into the sums of its hash. */
static void
on_hash(redisAsyncContext *ac, void *r, void *privdata)
{
	struct dash_job *job = privdata;
	redisReply *reply = r;
	size_t idx = job->next++;

	(void)ac;
	job->outstanding--;
	if (!job_open(job)) {
		/* answered already (timeout, an earlier failure): just drain */
	} else if (!reply) {
		/* connection lost, or the store freed: hiredis flushes every callback */
		job_fail(job, HTTP_SERVUNAVAIL, "redis connection lost\n");
	} else if (reply->type == REDIS_REPLY_ERROR) {
		unsigned suppressed = 0;

		if (ratelimit_pass(&error_rl, mono_ms() / 1000, &suppressed))
			log_warnx("http: reading counters: redis refused HGETALL: %.200s%s",
			    reply->str ? reply->str : "?",
			    suppressed ? " (similar messages suppressed)" : "");
		job_fail(job, HTTP_SERVUNAVAIL, "redis error\n");
	} else if (reply->type != REDIS_REPLY_ARRAY || reply->elements % 2 ||
	           idx >= job->nmh + job->ndh + (job->manual ? 2 : 0)) {
		job_fail(job, HTTP_SERVUNAVAIL, "redis error\n");
	} else if (idx >= job->nmh + job->ndh) {
		/* the manual values and notes, as teleqctl's ctl_manual_fetch reads them; the
		 * page's second hash is the closed quarter's own (its cur), not a year earlier */
		bool first = idx == job->nmh + job->ndh, page = job->view == HTTP_PAGE;
		struct report *into = page && !first ? &job->closed : &job->report;
		bool cur = first || page;

		for (size_t k = 0; k + 1 < reply->elements; k += 2) {
			const redisReply *f = reply->element[k], *v = reply->element[k + 1];

			if (f->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING &&
			    manual_read_field(job->cfg, into, cur, f->str, f->len, v->str,
			                      v->len) < 0) {
				job_fail(job, HTTP_INTERNAL, "out of memory\n");
				break;
			}
		}
	} else {
		struct ind_sums *sums = &job->sums[idx * job->nind];

		for (size_t k = 0; k + 1 < reply->elements; k += 2) {
			const redisReply *f = reply->element[k], *v = reply->element[k + 1];
			int64_t n;

			/* what teleqctl skips (and warns about), skipped alike */
			if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
			    report_parse_count(v->str, v->len, &n) < 0)
				continue;
			ind_accumulate(job->cfg, f->str, f->len, n, sums);
		}
	}
	if (job->outstanding)
		return;
	if (job->done) {
		int e = job->err ? job->err : job_report(job, &job->report);

		job->done(job->done_arg, e < 0 ? NULL : &job->report, e < 0 ? e : 0);
		job->done = NULL;
	} else if (job->rep) {
		job_finish(job);
	}
	job_free(job);
}

/* Timer: Redis did not answer in time. The job drains its replies later. */
static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	job_fail(arg, HTTP_SERVUNAVAIL, "redis did not answer in time\n");
}

/* Sends HGETALL key[0..len) for job, answered in on_hash. 0 or -errno. */
static int
send_hgetall_key(struct store *st, struct dash_job *job, const char *key, size_t len)
{
	const char *argv[2] = { "HGETALL", key };
	size_t lens[2] = { 7, len };
	struct argv_buf ab = { .argv = argv, .len = lens, .n = 2, .cap = 2 };

	/* hiredis copies the command: key may go when this returns */
	return store_send(st, on_hash, job, &ab);
}

/* Sends HGETALL of the month (day false) or day hash no. 0 or -ENOTCONN/-ENOBUFS. */
static int
send_hgetall(struct store *st, struct dash_job *job, bool day, int64_t no)
{
	char when[16], key[KEY_MAX];
	int len;

	if (day)
		day_key(no, when, sizeof(when));
	else
		month_key(no, when, sizeof(when));
	len = key_name(job->cfg, key, sizeof(key), "%s:%s", day ? "day" : "month", when);
	if (len < 0)
		return len;
	return send_hgetall_key(st, job, key, (size_t)len);
}

/* Sends HGETALL of manual:<name> (the values and notes of a period). 0 or -errno. */
static int
send_manual(struct store *st, struct dash_job *job, const char *name)
{
	char key[KEY_MAX];
	int len = key_name(job->cfg, key, sizeof(key), "manual:%s", name);

	if (len < 0)
		return len;
	return send_hgetall_key(st, job, key, (size_t)len);
}

/* Appends the hashes of span s to the job's month or day list (room was made). */
static void
add_span(struct dash_job *job, const struct span *s)
{
	for (unsigned k = 0; k < s->n; k++) {
		if (s->days)
			job->dh[job->ndh++] = s->first + k;
		else
			job->mh[job->nmh++] = s->first + k;
	}
}

/*
 * Builds the job of view for period p (the API's, or the current
 * quarter for the page): what it reads, sorted and unique, and the sums.
 * Returns 0 or -ENOMEM; *ret untouched on failure.
 */
static int
job_new(const struct config *cfg, enum http_view view, const struct period *p, int64_t today,
        int64_t now_wall, struct dash_job **ret)
{
	struct dash_job *job = calloc(1, sizeof(*job));
	size_t cap;
	bool growth = false;
	int r;

	if (!job)
		return -ENOMEM;
	njobs++;                /* job_free counts it down */
	job->cfg = cfg;
	job->view = view;
	job->nind = cfg->nindicators;
	job->now_wall = now_wall;
	if ((r = report_init(&job->report, cfg, p, today)) < 0)
		goto fail;
	if (view == HTTP_PAGE) {
		/* the last closed quarter: what the page shows while this one has begun */
		struct period closed = period_of_day(P_QUARTER, p->first_day - 1);

		if ((r = report_init(&job->closed, cfg, &closed, today)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < cfg->nindicators; i++)
		growth |= cfg->indicators[i].kind == IND_GROWTH;
	cap = (size_t)job->report.scur.n + job->report.sprev.n + job->report.sprev2.n +
	      job->closed.scur.n + job->closed.sprev.n + job->closed.sprev2.n +
	      (view == HTTP_PAGE ? 2 * PAGE_MONTHS : 0);
	r = -ENOMEM;
	if (!(job->mh = calloc(cap, sizeof(*job->mh))) || !(job->dh = calloc(cap, sizeof(*job->dh))))
		goto fail;
	add_span(job, &job->report.scur);
	add_span(job, &job->report.sprev);
	if (job->report.need_prev2)
		add_span(job, &job->report.sprev2);
	if (view == HTTP_PAGE) {
		add_span(job, &job->closed.scur);
		add_span(job, &job->closed.sprev);
		if (job->closed.need_prev2)
			add_span(job, &job->closed.sprev2);
		/* the chart: this month and the 12 before; a growth also a year before each */
		job->first_month = month_of_day(today) - (PAGE_MONTHS - 1);
		for (int64_t m = job->first_month - (growth ? 12 : 0);
		     m < job->first_month + PAGE_MONTHS; m++)
			job->mh[job->nmh++] = m;
	}
	job->nmh = i64_sort_unique(job->mh, job->nmh);
	job->ndh = i64_sort_unique(job->dh, job->ndh);
	if (!(job->sums = calloc((job->nmh + job->ndh) * job->nind + 1, sizeof(*job->sums))))
		goto fail;
	*ret = job;
	return 0;
fail:
	job_free(job);
	return r;
}

/*
 * Serves view for the request rep (see dash.h): reads what it needs
 * from st's connection and answers later, or answers now (400, 503, 500).
 */
void
dash_serve(struct event_base *base, struct store *st, struct http_reply *rep,
           enum http_view view, const char *period)
{
	const struct timeval tv = { DASH_TIMEOUT_MS / 1000, (DASH_TIMEOUT_MS % 1000) * 1000 };
	struct dash_job *job = NULL;
	struct period p;
	int64_t today, now;
	int r;

	if (!st || !store_ready(st)) {
		http_reply_send(rep, HTTP_SERVUNAVAIL, TEXT_PLAIN, "redis not ready\n", 16);
		return;
	}
	today = store_today(st);
	if (view == HTTP_PAGE || (view == HTTP_FOLLOWUP && !period))
		p = period_of_day(P_QUARTER, today);
	else if (!period)
		p = period_of_day(P_MONTH, today);
	else if (report_parse_period(period, today, &p) < 0) {
		static const char bad[] = "bad period: expected " REPORT_PERIOD_SYNTAX "\n";

		http_reply_send(rep, HTTP_BADREQUEST, TEXT_PLAIN, bad, sizeof(bad) - 1);
		return;
	}
	if (njobs >= DASH_MAX_JOBS) {
		static const char busy[] = "busy: too many dashboard requests at once\n";

		http_reply_send(rep, HTTP_SERVUNAVAIL, TEXT_PLAIN, busy, sizeof(busy) - 1);
		return;
	}
	now = cal_now();
	r = job_new(store_config(st), view, &p, today, now + store_utc_offset(st, now), &job);
	if (r == 0 && !(job->timer = evtimer_new(base, on_timeout, job)))
		r = -ENOMEM;
	if (r < 0) {
		job_free(job);
		http_reply_send(rep, HTTP_INTERNAL, TEXT_PLAIN, "out of memory\n", 14);
		return;
	}
	job->rep = rep;
	evtimer_add(job->timer, &tv);
	for (size_t i = 0; i < job->nmh + job->ndh; i++) {
		bool day = i >= job->nmh;

		if (send_hgetall(st, job, day, day ? job->dh[i - job->nmh] : job->mh[i]) < 0) {
			/* the connection refuses (closing): what went out drains */
			job_fail(job, HTTP_SERVUNAVAIL, "redis not ready\n");
			break;
		}
		job->outstanding++;
	}
	/* the JSON and the follow-up show the manual rows as `teleqctl report` does:
	 * byte for byte the same (a day or rolling window has none); the page those
	 * of this quarter and the last closed one */
	if (job->rep && p.kind != P_DAY && p.kind != P_ROLLING) {
		const char *names[2] = { job->report.cur_name,
		                         view == HTTP_PAGE ? job->closed.cur_name : job->report.prev_name };

		job->manual = true;
		job->report.manual_read = true;
		job->closed.manual_read = view == HTTP_PAGE;
		for (int k = 0; k < 2 && job->rep; k++) {
			if (send_manual(st, job, names[k]) < 0) {
				job_fail(job, HTTP_SERVUNAVAIL, "redis not ready\n");
				break;
			}
			job->outstanding++;
		}
	}
	if (!job->outstanding)
		job_free(job);
}

/* See dash.h. */
int
dash_report_read(struct store *st, const struct period *p, dash_report_fn *done, void *arg)
{
	struct dash_job *job = NULL;
	int64_t now;
	int r;

	if (!st || !store_ready(st))
		return -ENOTCONN;
	if (!p || !done || (p->kind != P_MONTH && p->kind != P_QUARTER && p->kind != P_HALF &&
	    p->kind != P_YEAR))
		return -EINVAL;
	now = cal_now();
	/* not bounded by DASH_MAX_JOBS: the alerter's few summaries must not meet a 503 */
	if ((r = job_new(store_config(st), HTTP_FOLLOWUP, p, store_today(st),
	                 now + store_utc_offset(st, now), &job)) < 0)
		return r;
	job->done = done;
	job->done_arg = arg;
	job->manual = true;
	job->report.manual_read = true;
	for (size_t i = 0; i < job->nmh + job->ndh + 2; i++) {
		bool day = i >= job->nmh && i < job->nmh + job->ndh;

		if (i < job->nmh + job->ndh)
			r = send_hgetall(st, job, day, day ? job->dh[i - job->nmh] : job->mh[i]);
		else
			r = send_manual(st, job, i == job->nmh + job->ndh ? job->report.cur_name :
			                job->report.prev_name);
		if (r < 0)
			break;
		job->outstanding++;
	}
	if (!job->outstanding) {
		job->done = NULL;
		job_free(job);
		return r < 0 ? r : -EIO;
	}
	if (r < 0)
		job->err = r;   /* what went out drains; done hears of it at the end */
	return 0;
}
