/*
 * pipeline.c — what happens after a commit: recompute → alerter → outbox.
 *
 * The pipeline owns the three (recompute.c writes the indicator hashes,
 * alerter.c decides alerts from them, outbox.c delivers the messages) and
 * is driven by callbacks only: the store's hooks (store_set_hooks: a new
 * connection, an applied commit, a new config), recompute's "every due
 * hash written", the alerter's "are the hashes fresh" and "messages
 * queued". So the arrows run one way: the pipeline knows the store, the
 * store knows nothing of indicators, alerts or mail, and recompute and
 * the alerter know nothing of each other or of the outbox.
 *
 * It also keeps the calendar's own trigger: a timer that recomputes the
 * rolling period and the months that closed, on days without a line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core.h"
#include "batch.h"
#include "clock.h"
#include "log.h"
#include "period.h"
#include "pipeline.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
#include "store_priv.h"
#include "pipeline_priv.h"

#define ROLLING_REFRESH_S   600     /* the rolling 30 days move at midnight without any line */
#define CATCHUP_MONTHS      36      /* closed months one refresh recomputes at most */

struct pipeline {
	struct store        *st;            /* not owned: freed after the pipeline */
	struct event_base   *base;
	struct recompute    *rc;
	struct alerter      *al;            /* NULL when alerts are not configured */
	struct outbox       *ob;            /* NULL when alerts are not configured */
	struct event        *rolling_ev;    /* refreshes "rolling" as days pass */
	int64_t              rolling_cal;   /* calendar time of its last run (or of pipeline_new) */
	bool                 caught_up;     /* pipeline_caught_up ran */
};

/* ------------------------------------------------ between the three */

/* recompute.c: every due indicator hash is written: alerts may look now. */
static void
on_written(void *arg)
{
	struct pipeline *pl = arg;

	alerter_kick(pl->al);
}

/* alerter.c: are the indicator hashes current? */
static bool
on_fresh(void *arg)
{
	const struct pipeline *pl = arg;

	return recompute_idle(pl->rc);
}

/* alerter.c queued a message: deliver it now rather than at the next poll. */
static void
on_queued(void *arg)
{
	struct pipeline *pl = arg;

	outbox_kick(pl->ob);
}

static const struct alerter_hooks alerter_hooks = { on_fresh, on_queued };

/*
 * Creates the alerter and the outbox when the config has an alerts:
 * section. Returns 0 or -errno (logged).
 */
static int
alerts_new(struct pipeline *pl)
{
	const struct alert_conf *ac = &store_config(pl->st)->alerts;
	int r;

	if (!ac->enabled)
		return 0;
	if ((r = outbox_new(pl->st, pl->base, ac, &pl->ob)) < 0 ||
	    (r = alerter_new(pl->st, pl->base, ac->check_interval_ms, &alerter_hooks, pl,
	    &pl->al)) < 0) {
		log_warnx("alerts: cannot start: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* Frees the alerter and the outbox (their requests in flight are orphaned). */
static void
alerts_free(struct pipeline *pl)
{
	alerter_free(pl->al);
	pl->al = NULL;
	outbox_free(pl->ob);
	pl->ob = NULL;
}

/* ------------------------------------------------ the store's hooks */

/*
 * A new connection. A new store (start-up, reload): every period of this
 * and last year is recomputed once, so targets changed by a reload and
 * periods whose months got no new line since the last run are current.
 * Every connection: the last 13 months, so that the periods that closed
 * while teleqd was stopped or Redis was away get their history entries.
 */
static void
on_connected(void *arg, bool first)
{
	struct pipeline *pl = arg;

	recompute_connected(pl->rc);
	if (first)
		recompute_touch_all(pl->rc);
	for (int64_t m = month_of_day(store_today(pl->st)) - 12, last = m + 12; m <= last; m++)
		recompute_touch_month(pl->rc, m);
	recompute_kick(pl->rc);
	/* outcomes written while Redis was away first, then what is due */
	outbox_kick(pl->ob);
	alerter_kick(pl->al);
}

/* An applied commit: the months of its days, and rolling, are due. */
static void
on_committed(void *arg, const struct batch *b)
{
	struct pipeline *pl = arg;
	int64_t last = INT64_MIN, m;
	size_t i;

	for (i = 0; i < b->ncounts; i++)
		if ((m = month_of_day(b->counts[i].day)) != last)
			recompute_touch_month(pl->rc, last = m);
	recompute_touch_rolling(pl->rc);
	recompute_kick(pl->rc);
}

/* The config was replaced (store_config has the new one). */
static void
on_reconfigured(void *arg)
{
	struct pipeline *pl = arg;

	recompute_config_changed(pl->rc);
	/* the alerter and the outbox keep pointers into the config: start them afresh */
	alerts_free(pl);
	if (alerts_new(pl) == 0 && pl->caught_up)
		alerter_caught_up(pl->al);
}

static const struct store_hooks store_hooks = { on_connected, on_committed, on_reconfigured };

/*
 * Timer: the rolling period and the current month's hashes are
 * recomputed every ROLLING_REFRESH_S, so "rolling" follows the calendar
 * on days without a line. So is the month that holds the day before
 * today minus the alerts' grace: a month (and a quarter, half or year
 * ending with it) closes by time alone, and this writes its history
 * entry within ROLLING_REFRESH_S of the close even when no line arrives;
 * every month that closed since the previous run is (a calendar jump over
 * several closes, a late run), up to CATCHUP_MONTHS of them.
 */
static void
on_rolling(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *pl = arg;
	const struct tz *tz = store_tz(pl->st);
	int64_t grace_s = store_config(pl->st)->alerts.grace_s;
	int64_t now = cal_now(), wall = now + tz_utc_offset(tz, now), first;
	unsigned n;

	recompute_touch_month(pl->rc, month_of_day(store_today(pl->st)));
	recompute_touch_month(pl->rc, month_of_day(floor_div(wall - grace_s, SECS_PER_DAY) - 1));
	/* every month closed since the last run, not only the latest: the
	 * calendar may have jumped, or this run come late */
	period_months_closed(tz, grace_s, pl->rolling_cal, now, CATCHUP_MONTHS, &first, &n);
	for (unsigned k = 0; k < n; k++)
		recompute_touch_month(pl->rc, first + k);
	pl->rolling_cal = now;  /* also when set back: what closes after now is due again */
	recompute_touch_rolling(pl->rc);
	recompute_kick(pl->rc);
}

/* ------------------------------------------------ public */

/* Creates the pipeline of st; see pipeline.h. */
int
pipeline_new(struct event_base *base, struct store *st, struct pipeline **ret)
{
	static const struct timeval rolling_tv = { ROLLING_REFRESH_S, 0 };
	struct pipeline *pl = calloc(1, sizeof(*pl));
	int r;

	if (!pl)
		return -ENOMEM;
	pl->st = st;
	pl->base = base;
	pl->rolling_cal = cal_now();
	if (!(pl->rolling_ev = event_new(base, -1, EV_PERSIST, on_rolling, pl)) ||
	    event_add(pl->rolling_ev, &rolling_tv) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = recompute_new(st, on_written, pl, &pl->rc)) < 0 || (r = alerts_new(pl)) < 0)
		goto fail;
	store_set_hooks(st, &store_hooks, pl);
	*ret = pl;
	return 0;
fail:
	pipeline_free(pl);
	return r;
}

/* Frees pl and unhooks it from its store; see pipeline.h. */
void
pipeline_free(struct pipeline *pl)
{
	if (!pl)
		return;
	store_set_hooks(pl->st, NULL, NULL);
	if (pl->rolling_ev)
		event_free(pl->rolling_ev);
	recompute_free(pl->rc);
	alerts_free(pl);
	free(pl);
}

/* The feeds were read to their end once: alert checks may run. */
void
pipeline_caught_up(struct pipeline *pl)
{
	if (!pl)
		return;
	pl->caught_up = true;
	alerter_caught_up(pl->al);
}

/* The feeds have a backlog, or not: recompute coalesces while they do. */
void
pipeline_backlog(struct pipeline *pl, bool backlog)
{
	if (pl)
		recompute_hold(pl->rc, backlog);
}

/* True when the store is connected and the indicator hashes are current. */
bool
pipeline_settled(const struct pipeline *pl)
{
	return pl && store_ready(pl->st) && recompute_idle(pl->rc);
}

/* Every period of this and last year, and rolling, are due. */
void
pipeline_recompute_all(struct pipeline *pl)
{
	recompute_touch_all(pl->rc);
	recompute_kick(pl->rc);
}
