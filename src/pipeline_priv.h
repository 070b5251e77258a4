/*
 * pipeline_priv.h — what happens after a commit, and who drives it:
 * pipeline.c owns recompute.c (indicator hashes), alerter.c (alert
 * decisions) and outbox.c (delivery), and wires them together with
 * callbacks. Each sends its commands over the store's connection
 * (store_priv.h); the store hears of none of them.
 */
#ifndef TELEQD_PIPELINE_PRIV_H
#define TELEQD_PIPELINE_PRIV_H

#include "store_priv.h"

/* ---- recompute.c, for pipeline.c */
struct recompute;
/* Returns 0 or -ENOMEM. */
/* written(arg) runs each time every due hash is written (alerts may look then). */
int  recompute_new(struct store *st, void (*written)(void *arg), void *arg,
                   struct recompute **ret);
/*
 * Frees rc. A job still in flight is orphaned: its pending callbacks free
 * it and touch nothing else.
 */
void recompute_free(struct recompute *rc);
/* The counters of month number monthno changed: its periods are due. */
void recompute_touch_month(struct recompute *rc, int64_t monthno);
/* Every month/quarter/half/year of this and last year, and rolling, are due. */
void recompute_touch_all(struct recompute *rc);
/* "rolling" (the last ROLLING_DAYS days ending today) is due. */
void recompute_touch_rolling(struct recompute *rc);
/* Starts a recompute of what is due unless one is in flight or the store is not ready. */
void recompute_kick(struct recompute *rc);
/* The feeds have a backlog (true) or are caught up (false); see recompute.c. */
void recompute_hold(struct recompute *rc, bool hold);
#define RECOMPUTE_BACKLOG_MS 1000
/* The config was replaced: a job in flight is discarded and its periods are due again. */
void recompute_config_changed(struct recompute *rc);
/* A new connection: every indicator hash is written again at its next recompute. */
void recompute_connected(struct recompute *rc);

/* True when no job runs and nothing is due. */
bool recompute_idle(const struct recompute *rc);

/* ---- alerter.c, for pipeline.c */
struct alerter;
/* What the alerter asks of, and tells, its owner. */
struct alerter_hooks {
	/* True when the indicator hashes are current (no recompute running or due). */
	bool (*fresh)(void *arg);
	/* A check queued messages in the outbox: deliver them now, not at the next poll. */
	void (*queued)(void *arg);
};
/*
 * Creates the alerter (checks every interval_ms and when kicked); hooks are
 * kept by pointer, with arg. 0 or -ENOMEM.
 */
int  alerter_new(struct store *st, struct event_base *base, unsigned interval_ms,
                 const struct alerter_hooks *hooks, void *arg, struct alerter **ret);
/* Frees al; a check in flight is orphaned. Accepts NULL. */
void alerter_free(struct alerter *al);
/* Runs a check when the feeds are caught up, Redis is ready and the indicators are fresh. */
void alerter_kick(struct alerter *al);
/* The feeds were read to their end once: checks may run from now on. */
void alerter_caught_up(struct alerter *al);
/* The config was replaced. */
void alerter_config_changed(struct alerter *al);

/* ---- outbox.c, for pipeline.c */
struct outbox;
/* Creates the outbox and its notifier for ac (kept by pointer). 0 or -errno. */
int  outbox_new(struct store *st, struct event_base *base, const struct alert_conf *ac,
                struct outbox **ret);
/* Frees ob, cancelling deliveries in flight (they stay due in Redis). Accepts NULL. */
void outbox_free(struct outbox *ob);
/* Writes pending outcomes and fetches what is due. */
void outbox_kick(struct outbox *ob);

/* ---- pipeline.c, for recompute.c and alerter.c */
/*
 * Logs an error reply r to one of who's requests (what it was doing),
 * rate limited by rl: a broken key would repeat it every round. Logs only
 * the first error of a round (*failed false), then sets *failed.
 */
void pipeline_reply_error(struct ratelimit *rl, bool *failed, const char *who, const char *what,
                          const redisReply *r);

#endif /* TELEQD_PIPELINE_PRIV_H */
