/*
 * storealarm.c — the mail about an evicting Redis (issue 16, item 1).
 *
 * While Redis's maxmemory-policy is not noeviction the store refuses to
 * commit (store.c, redis_health.c) and stops its handshake before the
 * epoch, so the alerter and the outbox (which live in that Redis) never
 * run. This module mails the refusal directly: driven from the daemon's
 * tick with store_policy_refused(), it renders redis_evicts once the
 * refusal has lasted STOREALARM_GRACE_S (a transient mails nothing), hands
 * it to its own notify.c instance, retries a failed attempt with the
 * alerts.delivery backoff while the refusal lasts, and mails redis_ok once
 * when the policy is fixed after a redis_evicts was delivered.
 *
 * The state is in memory only: a restart while still refused mails again
 * (the restart is news too). Mail only: the webhook is not used for these.
 *
 * The decision (storealarm_step, storealarm_result) is pure and
 * unit-tested; the rest is the delivery around it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"
#include "message.h"
#include "mime.h"
#include "metrics.h"
#include "notify.h"
#include "storealarm.h"
#include "tq_config.h"
#include "tz.h"

/* ------------------------------------------------------------- decision */

/* See storealarm.h. */
enum sa_action
storealarm_step(struct sa_state *s, enum sa_redis redis, int64_t now, int64_t now_cal,
                int64_t grace_s)
{
	bool refused = redis == SA_REDIS_REFUSED;

	if (redis == SA_REDIS_UNKNOWN)
		return SA_NONE;         /* a new store, a reload, Redis away: no news, never a fix */
	if (refused) {
		if (!s->refused_since)
			s->refused_since = now ? now : 1;
		if (s->phase == SA_OK_DUE && !s->inflight) {
			/* refused again before the all-clear went out: the warning still stands */
			s->phase = SA_WARNED;
			s->tries = 0;
		}
		if (s->phase == SA_IDLE && now - s->refused_since >= grace_s) {
			s->phase = SA_EVICTS_DUE;
			s->episode = now_cal;
			s->tries = 0;
			s->next_try = now;
		}
	} else {
		s->refused_since = 0;
		if (s->phase == SA_EVICTS_DUE && !s->inflight) {
			/* nobody was told: nothing to take back */
			s->phase = SA_IDLE;
			s->episode = 0;
		}
		if (s->phase == SA_WARNED) {
			s->phase = SA_OK_DUE;
			s->tries = 0;
			s->next_try = now;
		}
	}
	if (s->inflight || now < s->next_try)
		return SA_NONE;
	if (refused && s->phase == SA_EVICTS_DUE) {
		s->inflight = true;
		return SA_SEND_EVICTS;
	}
	if (!refused && s->phase == SA_OK_DUE) {
		s->inflight = true;
		return SA_SEND_OK;
	}
	return SA_NONE;
}

/* See storealarm.h. */
int64_t
storealarm_result(struct sa_state *s, bool done, int64_t now, int64_t retry_min_s,
                  int64_t retry_max_s)
{
	int64_t delay = retry_min_s > 0 ? retry_min_s : 1;

	s->inflight = false;
	if (done) {
		if (s->phase == SA_EVICTS_DUE) {
			s->phase = SA_WARNED;
		} else if (s->phase == SA_OK_DUE) {
			s->phase = SA_IDLE;
			s->episode = 0;
		}
		s->tries = 0;
		s->next_try = 0;
		return 0;
	}
	s->tries++;
	/* retry_min doubling, capped at retry_max (as retry_delay, without the config) */
	for (unsigned i = 1; i < s->tries && delay < retry_max_s; i++)
		delay *= 2;
	if (retry_max_s > 0 && delay > retry_max_s)
		delay = retry_max_s;
	s->next_try = now + delay;
	return delay;
}

/* ------------------------------------------------------------- delivery */

struct storealarm {
	struct event_base       *base;
	const struct alert_conf *ac;            /* the daemon's; replaced by storealarm_configure */
	struct notify           *nf;            /* NULL without a mail channel */
	struct sa_state          st;
	enum alert_kind          sending;       /* the kind in flight */
	unsigned                 nambiguous;    /* ambiguous outcomes of the message in flight */
	char                     id[48];        /* its Message-ID left part */
	char                     policy[32];    /* the refused policy, for the mail */
	bool                     told_nomail;   /* "no mail channel" logged this episode */
};

/* Local "YYYY-MM-DD HH:MM" of calendar second t in tz (NULL: UTC). */
static void
local_when(const struct tz *tz, int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)(t + (tz ? tz_utc_offset(tz, t) : 0));
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, len, "%" PRId64, t);
}

/* notify.c finished one attempt: the outcome is decided and logged here. */
static void
on_sent(void *arg, int status, const char *detail)
{
	struct storealarm *sa = arg;
	enum delivery_action act = delivery_decide(status, sa->nambiguous, sa->ac->max_ambiguous);
	int64_t delay;

	tq_metrics.deliveries[CH_MAIL][status == 0]++;
	if (status == NOTIFY_AMBIGUOUS) {
		tq_metrics.alerts_ambiguous++;
		sa->nambiguous++;
	}
	delay = storealarm_result(&sa->st, act != DA_RETRY, mono_ms() / 1000, sa->ac->retry_min_s,
	    sa->ac->retry_max_s);
	if (act == DA_DONE)
		log_info("alerts: %s delivered by mail", sa->id);
	else if (act == DA_PARK)
		log_errx("alerts: %s: delivery by mail given up after %u ambiguous outcomes (last: %s): "
		    "the relay may have it; not retried", sa->id, sa->nambiguous, detail);
	else
		log_warnx("alerts: %s: delivery by mail failed (%s%s), attempt %u; next in %" PRId64 " s",
		    sa->id, detail, status == NOTIFY_AMBIGUOUS ? "; ambiguous: it may have been delivered" :
		    "", sa->st.tries, delay);
}

/* Renders, builds and starts the mail of kind. A failure to start counts as a failed attempt. */
static void
send_mail(struct storealarm *sa, enum alert_kind kind, const struct tz *tz)
{
	struct alert_text t = { 0 };
	struct feed_alert fa = { .policy = sa->policy };
	char since[32], *msg = NULL;
	size_t len = 0;
	int64_t now = cal_now();
	int r;

	if (sa->st.tries == 0) {
		/* the first attempt of this message: an id for the episode, queued once */
		sa->nambiguous = 0;
		snprintf(sa->id, sizeof(sa->id), "%s-%" PRId64,
		    kind == AK_REDIS_EVICTS ? "redis-evicts" : "redis-ok", sa->st.episode);
		tq_metrics.alerts_queued[kind]++;
		log_info("alerts: %s queued (mail, direct: the outbox is in the refused Redis)", sa->id);
	}
	local_when(tz, sa->st.episode, since, sizeof(since));
	fa.since = since;
	sa->sending = kind;
	if ((r = alert_render_feed(sa->ac, kind, &fa, &t)) < 0 ||
	    (r = mail_build(sa->ac, sa->id, now, &t, &msg, &len)) < 0 ||
	    (r = notify_send(sa->nf, CH_MAIL, sa->id, msg, len, on_sent, sa)) < 0) {
		int64_t delay = storealarm_result(&sa->st, false, mono_ms() / 1000, sa->ac->retry_min_s,
		    sa->ac->retry_max_s);

		tq_metrics.deliveries[CH_MAIL][0]++;
		log_warnx("alerts: %s: cannot send by mail: %s; next in %" PRId64 " s", sa->id,
		    strerror(-r), delay);
	}
	alert_text_done(&t);
	free(msg);
}

/* See storealarm.h. */
int
storealarm_configure(struct storealarm *sa, const struct alert_conf *ac)
{
	struct notify *nf = NULL;
	int r;

	if (!sa || !ac)
		return -EINVAL;
	if (ac->enabled && channel_enabled(ac, CH_MAIL) && (r = notify_new(sa->base, ac, &nf)) < 0) {
		/* the old notifier copied its settings and stays; the old config is freed: not kept */
		if (sa->ac)
			sa->ac = ac;
		return r;
	}
	/* an attempt in flight is cancelled (its callback never comes): try again at once */
	notify_free(sa->nf);
	sa->st.inflight = false;
	sa->st.next_try = 0;
	sa->nf = nf;
	sa->ac = ac;
	return 0;
}

/* See storealarm.h. */
int
storealarm_new(struct event_base *base, const struct alert_conf *ac, struct storealarm **ret)
{
	struct storealarm *sa;
	int r;

	if (!base || !ac || !ret)
		return -EINVAL;
	if (!(sa = calloc(1, sizeof(*sa))))
		return -ENOMEM;
	sa->base = base;
	if ((r = storealarm_configure(sa, ac)) < 0) {
		free(sa);
		return r;
	}
	*ret = sa;
	return 0;
}

/* See storealarm.h. */
void
storealarm_free(struct storealarm *sa)
{
	if (!sa)
		return;
	notify_free(sa->nf);
	free(sa);
}

/* See storealarm.h. */
void
storealarm_tick(struct storealarm *sa, enum sa_redis redis, const char *policy,
                const struct tz *tz)
{
	enum sa_action act;
	int64_t now = mono_ms() / 1000;

	if (!sa)
		return;
	if (!sa->nf) {
		/* no mail channel: say once per episode that nobody is mailed */
		if (redis == SA_REDIS_FINE) {
			sa->st.refused_since = 0;
			sa->told_nomail = false;
		} else if (redis == SA_REDIS_UNKNOWN) {
			return;
		} else if (!sa->st.refused_since) {
			sa->st.refused_since = now ? now : 1;
		} else if (!sa->told_nomail && now - sa->st.refused_since >= STOREALARM_GRACE_S) {
			sa->told_nomail = true;
			log_warnx("alerts: no mail channel configured: nobody is mailed that Redis's "
			    "maxmemory-policy refuses commits");
		}
		return;
	}
	act = storealarm_step(&sa->st, redis, now, cal_now(), STOREALARM_GRACE_S);
	if (act == SA_NONE)
		return;
	if (act == SA_SEND_EVICTS)
		snprintf(sa->policy, sizeof(sa->policy), "%s", policy && *policy ? policy : "okänd");
	send_mail(sa, act == SA_SEND_EVICTS ? AK_REDIS_EVICTS : AK_REDIS_OK, tz);
}
