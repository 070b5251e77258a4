/*
 * alerter.c — deciding alerts: reads the indicator hashes and the alert
 * state from Redis, runs the pure state machine (alert.c), renders the
 * messages (message.c) and queues each decision with alert.lua, which
 * moves the state and queues the deliveries in one atomic step.
 *
 * A check runs when the indicators are fresh (the recompute after a commit
 * finished) and on a timer (a month closes without any event arriving). It
 * runs only once the feeds have been read to their end since start-up:
 * a summary computed halfway through a backfill would be wrong, and an
 * early warning from half the data would be noise.
 *
 * One check at a time, in three steps on the store's connection:
 *   1. HGETALL alerts:state, and the month-to-date hash ind:<name>:<month>
 *      of every indicator with an early warning;
 *   2. for each summary that is due, HGETALL ind:<name>:<period> of the
 *      indicators it shows (skipped when none is due), then the period's
 *      report as /rapport computes it (dash_report_read: its counter
 *      hashes and manual:<period>), whose figures the summary shows: the
 *      monthly shares of a mean of months, the manual rows without a
 *      value, and the follow-up attached (alerts.summary.attach_report,
 *      quarter and half-year), all from one computation;
 *   3. one EVAL of alert.lua per decision, each a compare-and-set on the
 *      state value read in step 1, chained in order for consecutive
 *      summaries of one kind.
 * Replies arrive in the order sent (one connection), so each step counts
 * them instead of tagging them. A check lost to a reconnect or a config
 * change is simply run again: it decides from what Redis holds.
 *
 * Feeds and the store (same step 3, same compare-and-set): per feed with a
 * max_silence, alerts:state "feed:<name>" (health.c fresh_step) sends one
 * "stale" mail, a "stale_reminder" every early_warning.repeat and one
 * "fresh" when lines come again; "reset" holds the store reset last
 * mailed, so a rebuild after Redis was found emptied is told once.
 *
 * Summaries: at the first check ever (no state), only the latest closed
 * period of each kind is summarized, not the whole history of a backfill.
 * After an outage, missed periods are summarized in order, at most
 * MAX_BACKLOG per kind; beyond that only the latest (logged).
 */
#include <errno.h>
#include <inttypes.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "core.h"
#include "alert.h"
#include "batch.h"
#include "clock.h"
#include "dash.h"
#include "followup.h"
#include "health.h"
#include "indicator.h"
#include "log.h"
#include "message.h"
#include "mime.h"
#include "metrics.h"
#include "notify.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
#include "store_priv.h"
#include "pipeline_priv.h"
#include "alert.lua.h"

#define MAX_BACKLOG     6       /* missed summaries per kind sent after an outage */
#define FIRST_FRESH_S   (7 * SECS_PER_DAY)     /* first check ever: older summaries only marked done */
#define MIN_SPACING_MS  1000    /* at most one check per second under a stream of commits */
#define NKINDS          4       /* summary kinds: month, quarter, half, year */
#define ALERT_PROTOCOL  "ta1"

static const enum period_kind summary_kinds[NKINDS] = { P_MONTH, P_QUARTER, P_HALF, P_YEAR };
static const char *const summary_field[NKINDS] = {
	"summary:month", "summary:quarter", "summary:half", "summary:year"
};

/* One summary to send: a period and where its indicator views start. */
struct check;
struct due {
	int           kind;             /* index into summary_kinds */
	struct period p;
	size_t        first;            /* index into check.views */
	size_t        n;                /* indicators shown */
	bool          fresh;            /* send it (false: only mark it done) */
	/* step 2: the period's report (dash_report_read), as /rapport computes it */
	struct check *c;                /* the check this is in (the read's callback argument) */
	bool         *has_value;        /* per manual indicator; NULL until the report is in */
	char         *html;             /* the follow-up to attach (attach_report), or NULL */
	size_t        html_len;
};

struct check {
	struct alerter  *al;            /* NULL when orphaned */
	unsigned         gen;
	unsigned         outstanding;
	size_t           next;          /* index of the next reply in this step */
	int              step;          /* 1, 2, 3 */
	bool             lost, failed;
	int64_t          now;           /* calendar seconds at the start */
	int64_t          month;         /* local month number of now */
	/* step 1 */
	char            *state_raw[64 + NKINDS];  /* per indicator "ew:", then summaries */
	char            *feed_raw[BATCH_MAX_FEEDS];  /* per feed "feed:<name>" */
	char            *reset_raw;     /* "reset" */
	struct outcome  *mtd;           /* per indicator */
	struct outcome  *mtd_prev;
	/* step 2, when an early warning will be sent: the report of the running
	 * quarter the month is in (dash_report_read), for its projections */
	struct period    ew_qp;
	struct prognos  *ew_proj;       /* per indicator; NULL when not read */
	/* step 2 */
	struct due       due[NKINDS * MAX_BACKLOG];
	size_t           ndue;
	struct ind_view *views;         /* rows of the summaries, in due order */
	size_t           nviews;
	size_t           queued;        /* step 3: messages queued */
};

struct alerter {
	struct store    *st;
	const struct alerter_hooks *hooks;      /* the pipeline's (alerter_new) */
	void            *hooks_arg;
	struct event    *timer;
	struct check    *check;         /* in flight */
	bool             again;         /* kicked while a check ran */
	bool             caught_up;     /* the feeds were read to their end */
	int64_t          last_start_ms; /* monotonic start of the last check */
	struct event    *spacing;       /* one-shot: a kick that came too soon */
	unsigned         gen;
	struct arena     arena;
	struct argv_buf  ab;
	struct ratelimit rl;
};

static void check_end(struct check *c);

/* Frees a check and what it holds. Accepts NULL. */
static void
check_free(struct check *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < sizeof(c->state_raw) / sizeof(c->state_raw[0]); i++)
		free(c->state_raw[i]);
	for (i = 0; i < BATCH_MAX_FEEDS; i++)
		free(c->feed_raw[i]);
	free(c->reset_raw);
	for (i = 0; i < c->ndue; i++) {
		free(c->due[i].has_value);
		free(c->due[i].html);
	}
	free(c->mtd);
	free(c->mtd_prev);
	free(c->ew_proj);
	free(c->views);
	free(c);
}

/* Logs an error reply, rate limited (a broken key would repeat it every check). */
static void
check_error(struct check *c, const redisReply *r, const char *what)
{
	store_reply_error(&c->al->rl, &c->failed, "alerts", what, r);
}

/*
 * Common head of every reply callback. Returns true when the reply is
 * usable; otherwise marks the check lost (or frees an orphan) as needed.
 */
static bool
reply_usable(struct check *c, const redisReply *reply)
{
	c->outstanding--;
	if (!c->al)
		return false;
	if (!reply || c->gen != c->al->gen) {
		c->lost = true;
		return false;
	}
	return !c->lost && !c->failed;
}

/* After a reply: true when the caller should go on (the step's last reply, check alive). */
static bool
step_done(struct check *c)
{
	if (c->outstanding)
		return false;
	if (!c->al) {
		check_free(c);
		return false;
	}
	if (c->lost || c->failed) {
		check_end(c);
		return false;
	}
	return true;
}

/* Sends the command in al->ab for c. false when the connection refuses (check lost). */
static bool
send_cmd(struct check *c, redisCallbackFn *fn)
{
	if (store_send(c->al->st, fn, c, &c->al->ab) < 0) {
		c->lost = true;
		return false;
	}
	c->outstanding++;
	return true;
}

/* Builds "HGETALL K <rest>" into al->ab. false on ENOMEM. */
static bool
build_hgetall(struct alerter *al, const char *rest)
{
	const struct config *cfg = store_config(al->st);
	size_t len;
	char *k;

	arena_reset(&al->arena);
	al->ab.n = 0;
	if (argv_reserve(&al->ab, 2) < 0 || !(k = arena_key(&al->arena, cfg, rest, &len)))
		return false;
	argv_push(&al->ab, "HGETALL", 7);
	argv_push(&al->ab, k, len);
	return true;
}

/* Integer field value; 0 when absent or malformed. */
static int64_t
num_of(const char *s)
{
	return s && *s ? strtoll(s, NULL, 10) : 0;
}

/*
 * Reads an ind:<name>:<period> hash reply (see recompute.c) into cur and
 * prev. An absent hash (no data) gives zero counts and no value.
 */
static void
parse_ind(const redisReply *r, struct outcome *cur, struct outcome *prev)
{
	size_t k;

	memset(cur, 0, sizeof(*cur));
	memset(prev, 0, sizeof(*prev));
	cur->met = prev->met = -1;
	if (r->type != REDIS_REPLY_ARRAY)
		return;
	for (k = 0; k + 1 < r->elements; k += 2) {
		const char *f = r->element[k]->str, *v = r->element[k + 1]->str;

		if (r->element[k]->type != REDIS_REPLY_STRING ||
		    r->element[k + 1]->type != REDIS_REPLY_STRING)
			continue;
		if (!strcmp(f, "numerator"))
			cur->num = num_of(v);
		else if (!strcmp(f, "denominator"))
			cur->den = num_of(v);
		else if (!strcmp(f, "value") && *v) {
			cur->value = strtod(v, NULL);
			cur->has_value = true;
		} else if (!strcmp(f, "met") && *v)
			cur->met = *v == '1';
		else if (!strcmp(f, "months"))
			cur->nmonths = (unsigned)num_of(v);
		else if (!strcmp(f, "prev_numerator"))
			prev->num = num_of(v);
		else if (!strcmp(f, "prev_denominator"))
			prev->den = num_of(v);
		else if (!strcmp(f, "prev_value") && *v) {
			prev->value = strtod(v, NULL);
			prev->has_value = true;
		} else if (!strcmp(f, "prev_met") && *v)
			prev->met = *v == '1';
	}
}

/* ------------------------------------------------------------ step 3 */

/* Reply to one EVAL of alert.lua. */
static void
on_eval(redisAsyncContext *ac, void *r, void *privdata)
{
	struct check *c = privdata;
	redisReply *reply = r;

	(void)ac;
	if (reply_usable(c, reply)) {
		if (reply->type == REDIS_REPLY_ERROR)
			check_error(c, reply, "queueing an alert");
		else if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0)
			log_debug("alerts: state moved meanwhile; decided again at the next check");
	}
	if (c->outstanding)
		return;
	if (!c->al) {
		check_free(c);
		return;
	}
	check_end(c);
}

/* The channels enabled, as "mail,webhook". */
static void
channel_list(const struct alert_conf *ac, char *buf, size_t len)
{
	int ch;

	buf[0] = '\0';
	for (ch = 0; ch < CH__MAX; ch++)
		if (channel_enabled(ac, (enum channel)ch))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "",
			    channel_name((enum channel)ch));
}

/*
 * Adds to a summary's text what its report gave (d): the manual rows
 * without a value, and the follow-up as an attachment (handed over: d
 * keeps none). A follow-up over MAIL_ATTACH_MAX goes out without it, the
 * text says so and it is logged here. false on ENOMEM.
 */
static bool
summary_extras(struct due *d, const struct config *cfg, const char *pname, struct alert_text *t)
{
	char *html = d->html;
	size_t len = d->html_len;
	int r;

	if (d->has_value && alert_add_missing(t, cfg, d->has_value) < 0)
		return false;
	if (!html)
		return true;
	d->html = NULL;
	d->html_len = 0;
	r = alert_attach(t, pname, html, len);
	if (r == -E2BIG)
		log_warnx("alerts: the follow-up of %s is %zu kB, over the %d kB a mail carries; "
		    "the summary goes without it", pname, (len + 1023) / 1024, MAIL_ATTACH_MAX / 1024);
	return r == 0 || r == -E2BIG;
}

/*
 * Sends one decision: state field moves from old to new; with kind >= 0
 * the message for period p and rows is rendered and queued too. Returns
 * false when the check cannot go on (lost, or out of memory: logged).
 */
static bool
send_decision(struct check *c, const char *field, const char *old, const char *nval,
              int kind, const struct period *p, const struct ind_view *rows, size_t nrows,
              const struct feed_alert *fa, struct due *d)
{
	struct alerter *al = c->al;
	const struct config *cfg = store_config(al->st);
	const struct alert_conf *ac = &cfg->alerts;
	struct alert_text text = { 0 };
	char *payload[CH__MAX] = { 0 };
	size_t plen[CH__MAX] = { 0 };
	char id[160], pname[32] = "", chans[32], *k;
	const char *keyrest[4] = { "alerts:state", "alerts", "outbox", "outbox:due" };
	size_t len, i, nch = 0;
	bool ok = false;
	int ch;

	arena_reset(&al->arena);
	al->ab.n = 0;
	if (argv_reserve(&al->ab, 3 + 4 + 14 + 2 * CH__MAX) < 0)
		goto oom;
	argv_push(&al->ab, "EVAL", 4);
	argv_push(&al->ab, LUA_alert, sizeof(LUA_alert) - 1);
	argv_push(&al->ab, "4", 1);
	for (i = 0; i < 4; i++) {
		if (!(k = arena_key(&al->arena, cfg, keyrest[i], &len)))
			goto oom;
		argv_push(&al->ab, k, len);
	}
	if (kind >= 0) {
		if (p && period_name(p, pname, sizeof(pname)) < 0)
			goto oom;
		if (fa) /* a feed or the store: no period, no indicator */
			snprintf(id, sizeof(id), "feed-%s-%s-%" PRId64, alert_kind_name((enum alert_kind)kind),
			    fa->feed ? fa->feed : "store", c->now);
		else
			snprintf(id, sizeof(id), "%s-%s-%s-%" PRId64, pname,
			    alert_kind_name((enum alert_kind)kind),
			    nrows == 1 && kind != AK_SUMMARY ? rows[0].ind->name : "all", c->now);
		if ((fa ? alert_render_feed(ac, (enum alert_kind)kind, fa, &text)
		    : alert_render(ac, (enum alert_kind)kind, p, rows, nrows, &text)) < 0)
			goto oom;
		if (d && kind == AK_SUMMARY && !summary_extras(d, cfg, pname, &text))
			goto oom;
		/* an early warning: where the running quarter is heading (item 6 of issue 18) */
		if (!d && !fa && (kind == AK_BREACH || kind == AK_REMINDER) && nrows == 1 && c->ew_proj &&
		    alert_add_prognos(&text, &rows[0], &c->ew_qp,
		    &c->ew_proj[rows[0].ind - cfg->indicators]) < 0)
			goto oom;
		for (ch = 0; ch < CH__MAX; ch++) {
			if (!channel_enabled(ac, (enum channel)ch))
				continue;
			if ((ch == CH_MAIL ? mail_build(ac, id, c->now, &text, &payload[ch], &plen[ch])
			    : webhook_payload(id, (enum alert_kind)kind, p, c->now, &text, rows, nrows,
			    &payload[ch], &plen[ch])) < 0)
				goto oom;
			nch++;
		}
		channel_list(ac, chans, sizeof(chans));
	} else {
		id[0] = chans[0] = '\0';
	}
#define PUSHS(s_) argv_push(&al->ab, (s_), strlen(s_))
#define PUSHF(...) do {                                                          \
		char *s_ = arena_printf(&al->arena, &len, __VA_ARGS__);          \
		if (!s_)                                                         \
			goto oom;                                                \
		argv_push(&al->ab, s_, len);                                     \
	} while (0)
	PUSHS(ALERT_PROTOCOL);
	PUSHF("%s", field);
	PUSHF("%s", old ? old : "");
	PUSHF("%s", nval);
	PUSHF("%zu", ac->stream_maxlen);
	PUSHF("%" PRId64, wall_ms());
	PUSHF("%s", id);
	PUSHS(kind >= 0 ? alert_kind_name((enum alert_kind)kind) : "");
	PUSHF("%s", pname);
	PUSHS(kind >= 0 && kind != AK_SUMMARY && !fa && nrows == 1 ? rows[0].ind->name : "");
	PUSHF("%s", text.subject ? text.subject : "");
	PUSHF("%" PRId64, c->now);
	PUSHF("%s", chans);
	PUSHF("%zu", kind >= 0 ? nch : 0);
	if (kind >= 0)
		for (ch = 0; ch < CH__MAX; ch++)
			if (payload[ch]) {
				PUSHS(channel_name((enum channel)ch));
				/* the argv is copied by hiredis before we free the payload */
				argv_push(&al->ab, payload[ch], plen[ch]);
			}
#undef PUSHS
#undef PUSHF
	ok = send_cmd(c, on_eval);
	if (ok && kind >= 0) {
		c->queued++;
		tq_metrics.alerts_queued[kind]++;
		log_info("alerts: %s queued (%s)", id, nch ? chans : "stream only");
	}
	goto out;
oom:
	log_warnx("alerts: out of memory rendering an alert; it is decided again at the next check");
	c->failed = true;
out:
	for (ch = 0; ch < CH__MAX; ch++)
		free(payload[ch]);
	alert_text_done(&text);
	return ok;
}

/* Local "YYYY-MM-DD HH:MM" (with_time) or "YYYY-MM-DD" of calendar second t; "–" for 0. */
static const char *
local_when(struct alerter *al, int64_t t, bool with_time, char *buf, size_t len)
{
	time_t tt;
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, len, "–");
		return buf;
	}
	tt = (time_t)(t + store_utc_offset(al->st, t));
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm))
		snprintf(buf, len, "%" PRId64, t);
	return buf;
}

/*
 * Step 3, feeds and the store: the freshness mails of each feed and the
 * mail of a store reset whose rebuild is done. False when the check
 * cannot go on.
 */
static bool
decide_feeds(struct check *c)
{
	struct alerter *al = c->al;
	const struct config *cfg = store_config(al->st);
	const struct alert_conf *ac = &cfg->alerts;
	char nval[96], field[80], since[32], from[32], to[32];

	for (size_t i = 0; i < cfg->nfeeds && i < BATCH_MAX_FEEDS; i++) {
		const struct feed_conf *fc = &cfg->feeds[i];
		const char *raw = c->feed_raw[i];
		struct health_feed hf = { .name = fc->name, .last_line = tq_metrics.feed_last_line[i],
		                          .max_silence_s = fc->max_silence_s,
		                          .heard = tq_metrics.feed_heard[i] };
		struct fresh_state cur = { 0 }, next;
		struct feed_alert fa = { .feed = fc->name };
		enum fresh_action act;
		int kind;

		if (raw && fresh_parse(raw, &cur) < 0)
			cur = (struct fresh_state){ 0 };
		act = fresh_step(&hf, c->now, ac->repeat_s, &cur, &next);
		if (act == FA_NONE || fresh_format(&next, nval, sizeof(nval)) < 0)
			continue;
		kind = act == FA_STALE ? AK_STALE : act == FA_REMINDER ? AK_STALE_REMINDER : AK_FRESH;
		fa.since = local_when(al, act == FA_FRESH ? cur.since : next.since, true, since,
		    sizeof(since));
		snprintf(field, sizeof(field), "feed:%s", fc->name);
		if (!send_decision(c, field, raw, nval, kind, NULL, NULL, 0, &fa, NULL))
			return false;
	}
	if (tq_metrics.reset_rebuilt_ms) {
		struct feed_alert fa = { 0 };

		snprintf(nval, sizeof(nval), "%" PRId64, tq_metrics.reset_rebuilt_ms);
		if (c->reset_raw && !strcmp(c->reset_raw, nval))
			return true;    /* told already */
		fa.since = local_when(al, tq_metrics.reset_rebuilt_at, true, since, sizeof(since));
		fa.from = local_when(al, tq_metrics.reset_from, false, from, sizeof(from));
		fa.to = local_when(al, tq_metrics.reset_to, false, to, sizeof(to));
		if (!send_decision(c, "reset", c->reset_raw, nval, AK_RESET, NULL, NULL, 0, &fa, NULL))
			return false;
	}
	return true;
}

/*
 * The early-warning decision of indicator i (< 64) from step 1's state
 * and month to date (pure: step 2 asks it ahead, step 3 acts on it): the
 * new state value in nval and *ret_kind, the message (-1: none). false
 * when there is nothing to do (no early warning, or nothing moved).
 */
static bool
ew_decision(const struct check *c, const struct config *cfg, size_t i, char *nval, size_t nlen,
            int *ret_kind)
{
	const struct indicator *ind = &cfg->indicators[i];
	const char *raw = c->state_raw[i];
	struct ew_state cur, next;
	enum ew_action act;

	if (!ind->early_warning)
		return false;
	if (!raw || ew_parse(raw, strlen(raw), &cur) < 0) {
		memset(&cur, 0, sizeof(cur));
		cur.month = -1;
	}
	act = ew_step(&cfg->alerts, ind, &cur, c->month, &c->mtd[i], c->now, &next);
	if (ew_format(&next, nval, nlen) < 0)
		return false;
	if (act == EW_NONE && raw && !strcmp(raw, nval))
		return false;   /* nothing moved */
	*ret_kind = act == EW_BREACH ? AK_BREACH : act == EW_REMINDER ? AK_REMINDER :
	    act == EW_RESOLVED ? AK_RESOLVED : -1;
	return true;
}

/* Step 3: every decision, as one EVAL each. */
static void
decide(struct check *c)
{
	struct alerter *al = c->al;
	const struct config *cfg = store_config(al->st);
	struct period mp;
	char nval[96], pname[32];
	size_t i, j;

	c->step = 3;
	c->next = 0;
	mp = period_of_day(P_MONTH, month_first_day(c->month));
	/* the EVALs go out in order; the check ends with the last reply */
	for (i = 0; i < cfg->nindicators && i < 64; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		const char *raw = c->state_raw[i];
		struct ind_view v = { .ind = ind, .cur = c->mtd[i], .prev = c->mtd_prev[i] };
		int kind = -1;
		char field[80];

		if (!ew_decision(c, cfg, i, nval, sizeof(nval), &kind))
			continue;
		snprintf(field, sizeof(field), "ew:%s", ind->name);
		if (!send_decision(c, field, raw, nval, kind, &mp, &v, 1, NULL, NULL))
			goto out;
	}
	if (!decide_feeds(c))
		goto out;
	for (i = 0; i < c->ndue; i++) {
		struct due *d = &c->due[i];
		const char *old = c->state_raw[64 + d->kind];

		/* consecutive summaries of one kind chain their compare-and-set */
		for (j = i; j-- > 0;)
			if (c->due[j].kind == d->kind) {
				period_name(&c->due[j].p, pname, sizeof(pname));
				old = pname;
				break;
			}
		if (period_name(&d->p, nval, sizeof(nval)) < 0)
			continue;
		if (!send_decision(c, summary_field[d->kind], old, nval, d->fresh && d->n ? AK_SUMMARY : -1,
		    &d->p, c->views + d->first, d->n, NULL, d))
			goto out;
	}
out:
	if (!c->outstanding)
		check_end(c);
}

/* ------------------------------------------------------------ step 2 */

/* Reply to one HGETALL of a summarized period. */
static void
on_summary_read(redisAsyncContext *ac, void *r, void *privdata)
{
	struct check *c = privdata;
	redisReply *reply = r;
	size_t idx = c->next++;

	(void)ac;
	if (reply_usable(c, reply)) {
		if (reply->type == REDIS_REPLY_ERROR)
			check_error(c, reply, "reading indicators");
		else if (idx < c->nviews)
			parse_ind(reply, &c->views[idx].cur, &c->views[idx].prev);
	}
	if (step_done(c))
		decide(c);
}

/*
 * Takes the report of due d: its rows get the report's figures (the
 * outcomes, as in the ind: hashes, and a mean of months' monthly shares),
 * so the text and the attachment agree; which manual rows have a value;
 * for a quarter or half-year with alerts.summary.attach_report, the
 * follow-up document. false on ENOMEM.
 */
static bool
take_report(struct check *c, struct due *d, const struct report *rep)
{
	const struct config *cfg = store_config(c->al->st);
	FILE *out;
	int r;

	for (size_t k = d->first; k < d->first + d->n; k++) {
		struct ind_view *v = &c->views[k];
		size_t i = (size_t)(v->ind - cfg->indicators);

		if (i >= rep->n)
			continue;
		v->cur = rep->r[i].cur;
		v->prev = rep->r[i].prev;
		v->ncur_monthly = rep->r[i].ncur_monthly;
		memcpy(v->cur_monthly, rep->r[i].cur_monthly, sizeof(v->cur_monthly));
		v->nprev_monthly = rep->r[i].nprev_monthly;
		memcpy(v->prev_monthly, rep->r[i].prev_monthly, sizeof(v->prev_monthly));
	}
	if (rep->manual_read) {
		if (!(d->has_value = calloc(cfg->nmanuals + 1, sizeof(*d->has_value))))
			return false;
		for (size_t j = 0; j < cfg->nmanuals && j < rep->nmanual; j++)
			d->has_value[j] = rep->m && rep->m[j].has_value;
	}
	if (!cfg->alerts.attach_report ||
	    (summary_kinds[d->kind] != P_QUARTER && summary_kinds[d->kind] != P_HALF))
		return true;
	if (!(out = open_memstream(&d->html, &d->html_len)))
		return false;
	r = followup_render(out, cfg, rep, NULL);
	if (fclose(out) != 0 || r < 0) {
		free(d->html);
		d->html = NULL;
		d->html_len = 0;
		return false;
	}
	return true;
}

/* dash_report_read's answer for one due summary (arg). */
static void
on_report(void *arg, const struct report *rep, int err)
{
	struct due *d = arg;
	struct check *c = d->c;

	c->outstanding--;
	if (c->al && c->gen != c->al->gen)
		c->lost = true;
	else if (c->al && !c->lost && !c->failed) {
		if (err == -EIO) {
			c->lost = true;         /* the connection went, or Redis refused: run again */
		} else if (err < 0 || !take_report(c, d, rep)) {
			log_warnx("alerts: out of memory reading the report of a summary; "
			    "it is decided again at the next check");
			c->failed = true;
		}
	}
	if (step_done(c))
		decide(c);
}

/* dash_report_read's answer for the running quarter of the early warnings (arg: the check). */
static void
on_ew_report(void *arg, const struct report *rep, int err)
{
	struct check *c = arg;

	c->outstanding--;
	if (c->al && c->gen != c->al->gen)
		c->lost = true;
	else if (c->al && !c->lost && !c->failed) {
		const struct config *cfg = store_config(c->al->st);

		if (err == -EIO) {
			c->lost = true;         /* the connection went, or Redis refused: run again */
		} else if (err < 0 || !(c->ew_proj = calloc(cfg->nindicators + 1, sizeof(*c->ew_proj)))) {
			log_warnx("alerts: out of memory reading the report of an early warning; "
			    "it is decided again at the next check");
			c->failed = true;
		} else {
			for (size_t i = 0; i < cfg->nindicators && i < rep->n; i++)
				c->ew_proj[i] = rep->r[i].proj;
		}
	}
	if (step_done(c))
		decide(c);
}

/*
 * When step 3 will send an early warning (breach or reminder), reads the
 * report of the running quarter its month is in, as /rapport computes it,
 * for the projection the warning states. false when the read could not
 * be sent (the check is lost).
 */
static bool
read_ew_report(struct check *c)
{
	const struct config *cfg = store_config(c->al->st);
	char nval[96];
	bool any = false;
	int kind;

	for (size_t i = 0; i < cfg->nindicators && i < 64 && !any; i++)
		any = ew_decision(c, cfg, i, nval, sizeof(nval), &kind) &&
		    (kind == AK_BREACH || kind == AK_REMINDER);
	if (!any)
		return true;
	c->ew_qp = period_of_day(P_QUARTER, month_first_day(c->month));
	c->outstanding++;
	if (dash_report_read(c->al->st, &c->ew_qp, on_ew_report, c) < 0) {
		c->outstanding--;
		return false;
	}
	return true;
}

/* Adds the due summaries of summary kind k to c->due (state value last, or NULL). */
static void
plan_kind(struct check *c, int k, const char *last, int64_t now_wall, int64_t grace)
{
	struct period latest = summary_latest_due(summary_kinds[k], now_wall, grace), p, prev;
	size_t n = 0;
	int64_t today = floor_div(now_wall, SECS_PER_DAY);

	if (!last || period_parse(last, today, &prev) < 0 || prev.kind != summary_kinds[k]) {
		/* first check ever: no history, and nothing long overdue */
		bool fresh = (latest.last_day + 1) * SECS_PER_DAY + grace + FIRST_FRESH_S > now_wall;

		c->due[c->ndue++] = (struct due){ .kind = k, .p = latest, .fresh = fresh };
		return;
	}
	if (prev.first_day >= latest.first_day)
		return;         /* summarized already */
	for (p = period_next(&prev); p.first_day <= latest.first_day; p = period_next(&p))
		n++;
	if (n > MAX_BACKLOG) {
		log_warnx("alerts: %zu %s summaries were missed; sending only the latest",
		    n, summary_field[k] + 8);
		c->due[c->ndue++] = (struct due){ .kind = k, .p = latest, .fresh = true };
		return;
	}
	for (p = period_next(&prev); p.first_day <= latest.first_day; p = period_next(&p))
		c->due[c->ndue++] = (struct due){ .kind = k, .p = p, .fresh = true };
}

/* Step 2: decides which summaries are due and reads their indicator hashes. */
static void
read_summaries(struct check *c)
{
	struct alerter *al = c->al;
	const struct config *cfg = store_config(al->st);
	int64_t now_wall = c->now + store_utc_offset(al->st, c->now);
	char rest[160], pname[32];
	size_t i, j, n = 0;
	int k;

	c->step = 2;
	c->next = 0;
	for (k = 0; k < NKINDS; k++)
		plan_kind(c, k, c->state_raw[64 + k], now_wall, cfg->alerts.grace_s);
	for (i = 0; i < c->ndue; i++)
		for (j = 0; j < cfg->nindicators; j++)
			if (summary_includes(&cfg->indicators[j], summary_kinds[c->due[i].kind]))
				n++;
	if (!(c->views = calloc(n + 1, sizeof(*c->views)))) {
		log_warnx("alerts: out of memory planning summaries");
		c->failed = true;
		check_end(c);
		return;
	}
	for (i = 0; i < c->ndue; i++) {
		struct due *d = &c->due[i];

		d->first = c->nviews;
		period_name(&d->p, pname, sizeof(pname));
		for (j = 0; j < cfg->nindicators; j++) {
			if (!summary_includes(&cfg->indicators[j], summary_kinds[d->kind]))
				continue;
			c->views[c->nviews].ind = &cfg->indicators[j];
			c->views[c->nviews].cur.met = c->views[c->nviews].prev.met = -1;
			c->nviews++;
			d->n++;
			snprintf(rest, sizeof(rest), "ind:%s:%s", cfg->indicators[j].name, pname);
			if (!build_hgetall(al, rest) || !send_cmd(c, on_summary_read))
				goto stop;
		}
		/* the report read after the ind: hashes, so its figures land last */
		if (d->fresh && d->n) {
			d->c = c;
			c->outstanding++;
			if (dash_report_read(al->st, &d->p, on_report, d) < 0) {
				c->outstanding--;
				goto stop;
			}
		}
	}
	if (!read_ew_report(c))
		goto stop;
	if (!c->outstanding)
		decide(c);
	return;
stop:
	c->lost = true;
	if (!c->outstanding)
		check_end(c);
}

/* ------------------------------------------------------------ step 1 */

/* Reply to HGETALL alerts:state (first) or a month-to-date hash. */
static void
on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	struct check *c = privdata;
	redisReply *reply = r;
	size_t idx = c->next++, k;

	(void)ac;
	if (reply_usable(c, reply)) {
		const struct config *cfg = store_config(c->al->st);

		if (reply->type == REDIS_REPLY_ERROR) {
			check_error(c, reply, "reading alert state");
		} else if (idx == 0 && reply->type == REDIS_REPLY_ARRAY) {
			for (k = 0; k + 1 < reply->elements; k += 2) {
				const redisReply *f = reply->element[k], *v = reply->element[k + 1];
				size_t i;
				int s;

				if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
					continue;
				for (i = 0; i < cfg->nindicators && i < 64; i++)
					if (!strncmp(f->str, "ew:", 3) &&
					    !strcmp(f->str + 3, cfg->indicators[i].name) && !c->state_raw[i])
						c->state_raw[i] = strdup(v->str);
				for (s = 0; s < NKINDS; s++)
					if (!strcmp(f->str, summary_field[s]) && !c->state_raw[64 + s])
						c->state_raw[64 + s] = strdup(v->str);
				for (i = 0; i < cfg->nfeeds && i < BATCH_MAX_FEEDS; i++)
					if (!strncmp(f->str, "feed:", 5) &&
					    !strcmp(f->str + 5, cfg->feeds[i].name) && !c->feed_raw[i])
						c->feed_raw[i] = strdup(v->str);
				if (!strcmp(f->str, "reset") && !c->reset_raw)
					c->reset_raw = strdup(v->str);
			}
		} else if (idx > 0 && idx - 1 < cfg->nindicators) {
			parse_ind(reply, &c->mtd[idx - 1], &c->mtd_prev[idx - 1]);
		}
	}
	if (step_done(c))
		read_summaries(c);
}

/* Starts a check: step 1. */
static void
check_start(struct alerter *al)
{
	const struct config *cfg = store_config(al->st);
	struct check *c;
	char rest[160], mk[16];
	int64_t today;
	size_t i;

	if (!(c = calloc(1, sizeof(*c))) ||
	    !(c->mtd = calloc(cfg->nindicators + 1, sizeof(*c->mtd))) ||
	    !(c->mtd_prev = calloc(cfg->nindicators + 1, sizeof(*c->mtd_prev)))) {
		log_warnx("alerts: out of memory starting a check");
		check_free(c);
		return;
	}
	c->al = al;
	c->gen = al->gen;
	c->step = 1;
	c->now = cal_now();
	today = floor_div(c->now + store_utc_offset(al->st, c->now), SECS_PER_DAY);
	c->month = month_of_day(today);
	month_key(c->month, mk, sizeof(mk));
	al->check = c;
	al->last_start_ms = mono_ms();
	for (i = 0; i <= cfg->nindicators; i++) {
		/* the state first, then every indicator in order: reply i+1 is indicator i */
		if (i > 0) {
			c->mtd[i - 1].met = c->mtd_prev[i - 1].met = -1;
			snprintf(rest, sizeof(rest), "ind:%s:%s", cfg->indicators[i - 1].name, mk);
		}
		if (!build_hgetall(al, i ? rest : "alerts:state")) {
			log_warnx("alerts: out of memory starting a check");
			c->failed = true;
			break;
		}
		if (!send_cmd(c, on_read))
			break;
	}
	if (!c->outstanding)
		check_end(c);
}

/* Ends the check in flight; runs another when one was asked for meanwhile. */
static void
check_end(struct check *c)
{
	struct alerter *al = c->al;
	bool redo = c->lost && c->gen != al->gen;     /* config replaced: redo at once */

	al->check = NULL;
	if (c->queued)
		al->hooks->queued(al->hooks_arg);
	check_free(c);
	if (redo || al->again) {
		al->again = false;
		alerter_kick(al);
	}
}

/* ------------------------------------------------------------ public */

/* Timer: the calendar moves even when no event arrives. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	alerter_kick(arg);
}

/*
 * Starts a check when one may run: alerts configured, feeds caught up,
 * Redis ready, indicators fresh, none in flight (then one more follows).
 */
void
alerter_kick(struct alerter *al)
{
	int64_t wait;

	if (!al || !al->caught_up || !store_ready(al->st) || !al->hooks->fresh(al->hooks_arg))
		return;
	if (al->check) {
		al->again = true;
		return;
	}
	wait = al->last_start_ms + MIN_SPACING_MS - mono_ms();
	if (al->last_start_ms && wait > 0) {
		struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };

		if (!evtimer_pending(al->spacing, NULL))
			evtimer_add(al->spacing, &tv);
		return;
	}
	check_start(al);
}

/* The feeds were read to their end: from now on checks run. */
void
alerter_caught_up(struct alerter *al)
{
	if (!al || al->caught_up)
		return;
	al->caught_up = true;
	log_debug("alerts: feeds caught up, checking alerts");
	alerter_kick(al);
}

/* The config was replaced: a check in flight is redone. */
void
alerter_config_changed(struct alerter *al)
{
	if (al)
		al->gen++;
}

/* Creates the alerter of st (only when alerts are configured). 0 or -ENOMEM. */
int
alerter_new(struct store *st, struct event_base *base, unsigned interval_ms,
            const struct alerter_hooks *hooks, void *arg, struct alerter **ret)
{
	struct alerter *al = calloc(1, sizeof(*al));
	struct timeval tv = { interval_ms / 1000, (interval_ms % 1000) * 1000 };

	if (!al)
		return -ENOMEM;
	al->st = st;
	al->hooks = hooks;
	al->hooks_arg = arg;
	al->rl.interval = 300;
	al->rl.burst = 3;
	if (!(al->timer = event_new(base, -1, EV_PERSIST, on_timer, al)) ||
	    !(al->spacing = evtimer_new(base, on_timer, al)) ||
	    event_add(al->timer, &tv) < 0) {
		alerter_free(al);
		return -ENOMEM;
	}
	*ret = al;
	return 0;
}

/* Frees al; a check in flight is orphaned and frees itself. Accepts NULL. */
void
alerter_free(struct alerter *al)
{
	if (!al)
		return;
	if (al->check)
		al->check->al = NULL;
	if (al->timer)
		event_free(al->timer);
	if (al->spacing)
		event_free(al->spacing);
	arena_free(&al->arena);
	argv_free(&al->ab);
	free(al);
}
