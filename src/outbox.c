/*
 * outbox.c — delivering queued alerts: at least once, never twice in
 * normal operation.
 *
 * alert.lua queues each message as one outbox entry per channel:
 *   K outbox       hash  "<id>|<channel>" -> payload (the mail, or the JSON)
 *   K outbox:due   zset  member -> next attempt, unix ms
 *   K outbox:tries hash  member -> failed attempts so far
 *   K outbox:error hash  member -> why the last attempt failed
 *   K outbox:ambiguous hash member -> ambiguous outcomes so far (mail)
 *   K outbox:parked hash member -> unix s it was parked (no longer due)
 * Every second (and right after something is queued) the due members are
 * read, fetched and handed to notify.c. A delivered member is removed in
 * one MULTI; a failed one gets its next attempt, retry_min_s doubling up
 * to retry_max_s, and stays until it is delivered: nothing is dropped.
 *
 * Mail is delivered at least once, not exactly once: SMTP has no
 * idempotent submission, so when sendmail read the message and then
 * failed without saying whether the relay took it (NOTIFY_AMBIGUOUS: a
 * relay hanging up after DATA before its final reply), a retry may be a
 * duplicate. Those outcomes are counted per message; after
 * alerts.delivery.max_ambiguous of them have been retried, the next one
 * parks the message (delivery_decide): it leaves outbox:due, keeps its
 * payload, tries and error, and shows in outbox:parked, /metrics,
 * /healthz and `teleqctl status` until someone re-queues or removes it.
 * Definite failures (not taken) are retried without bound as before.
 *
 * A member stays in the in-memory list from the moment it is fetched
 * until Redis has recorded its outcome. While it is there it is not
 * fetched again, so a slow sendmail is never run twice for one message;
 * and when Redis is down after a delivery, the outcome is written when it
 * is back, before anything is fetched, so a delivered message is not sent
 * again. Only a crash between delivery and that write resends it (the
 * mail carries the same Message-ID, the webhook the same Idempotency-Key,
 * so receivers can drop the repeat).
 *
 * Delivery never blocks ingestion: it is all asynchronous on the loop,
 * with at most MAX_INFLIGHT deliveries at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "alert.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "store.h"
#include "tq_config.h"
#include "store_priv.h"
#include "pipeline_priv.h"

#define MAX_INFLIGHT    8
#define POLL_MS         1000
#define MEMBER_MAX      512

enum dstate {
	D_FETCH,        /* HGET payload and tries in flight */
	D_SEND,         /* notify.c is delivering */
	D_RECORD,       /* outcome known; to be written (or being written) to Redis */
};

struct delivery {
	struct outbox   *ob;            /* NULL when orphaned */
	struct delivery *next;
	char            *member;        /* "<id>|<channel>" */
	enum channel     ch;
	enum dstate      state;
	unsigned         outstanding;   /* Redis replies due */
	unsigned         replies;       /* replies seen in this step */
	bool             missing;       /* the payload is gone: only drop the due entry */
	bool             drop;          /* the fetch failed: forget it, the next poll retries */
	bool             ok;            /* D_RECORD: delivered */
	bool             ambiguous;     /* D_RECORD: the attempt may have been delivered */
	bool             park;          /* D_RECORD: not to be tried again */
	bool             writing;       /* D_RECORD: the MULTI is in flight */
	unsigned         tries;         /* failed attempts before this one */
	unsigned         nambiguous;    /* ambiguous attempts before this one */
	char             detail[160];   /* why it failed */
	char            *payload;
	size_t           plen;
};

struct outbox {
	struct store    *st;
	struct notify   *nf;
	struct event    *timer;
	struct delivery *list;
	unsigned         nlist;
	bool             scanning;
	struct scan     *scan;          /* the ZRANGEBYSCORE in flight */
	struct arena     arena;
	struct argv_buf  ab;
	struct ratelimit rl;
	uint64_t         delivered, failed;
	unsigned         max_ambiguous; /* alerts.delivery.max_ambiguous */
};

/* privdata of the scan, so an orphaned reply does not touch a freed outbox. */
struct scan {
	struct outbox *ob;
};

static void record(struct delivery *d);

/* Frees a delivery (already unlinked). */
static void
delivery_free(struct delivery *d)
{
	if (!d)
		return;
	free(d->member);
	free(d->payload);
	free(d);
}

/* Unlinks d from its outbox and frees it. */
static void
delivery_done(struct delivery *d)
{
	struct outbox *ob = d->ob;
	struct delivery **pp;

	if (ob) {
		for (pp = &ob->list; *pp; pp = &(*pp)->next)
			if (*pp == d) {
				*pp = d->next;
				ob->nlist--;
				break;
			}
	}
	delivery_free(d);
}

/* The alert id part of a member (up to '|'), for logs. */
static int
id_len(const char *member)
{
	const char *bar = strrchr(member, '|');

	return bar ? (int)(bar - member) : (int)strlen(member);
}

/* Builds a command into ob->ab from NULL-terminated rests: first the verb. */
static bool
build(struct outbox *ob, const char *verb, const char *key, const char *const *args,
      size_t nargs)
{
	const struct config *cfg = store_config(ob->st);
	size_t len, i;
	char *k;

	arena_reset(&ob->arena);
	ob->ab.n = 0;
	if (argv_reserve(&ob->ab, 2 + nargs) < 0)
		return false;
	argv_push(&ob->ab, verb, strlen(verb));
	if (key) {
		if (!(k = arena_key(&ob->arena, cfg, key, &len)))
			return false;
		argv_push(&ob->ab, k, len);
	}
	for (i = 0; i < nargs; i++)
		argv_push(&ob->ab, args[i], strlen(args[i]));
	return true;
}

/* Sends ob->ab with d as privdata. false when the connection refuses. */
static bool
send_d(struct delivery *d, redisCallbackFn *fn)
{
	if (store_send(d->ob->st, fn, d, &d->ob->ab) < 0)
		return false;
	d->outstanding++;
	return true;
}

/* ------------------------------------------------------------- record */

/* Reply within the MULTI that records an outcome; acts on EXEC's. */
static void
on_record(redisAsyncContext *ac, void *r, void *privdata)
{
	struct delivery *d = privdata;
	redisReply *reply = r;

	(void)ac;
	d->outstanding--;
	if (!reply)
		d->writing = false;     /* lost: written again when Redis is back */
	if (d->outstanding)
		return;
	if (!d->ob || (reply && reply->type == REDIS_REPLY_ARRAY)) {
		/* written (or the outbox is gone): this delivery is finished */
		delivery_done(d);
		return;
	}
	if (reply && reply->type == REDIS_REPLY_ERROR)
		log_warnx("alerts: recording a delivery refused: %.200s", reply->str);
	d->writing = false;     /* retried at the next poll */
}

/*
 * Writes the outcome of d: delivered (or payload gone) -> the member is
 * removed everywhere; failed -> tries, error and the next attempt. When
 * Redis is not ready it stays pending and is written at the next poll.
 */
static void
record(struct delivery *d)
{
	struct outbox *ob = d->ob;
	const struct config *cfg = store_config(ob->st);
	char tries[24], next[24], namb[24], parked[24];
	const char *a1[] = { d->member };
	bool sent = true;

	d->state = D_RECORD;
	if (d->writing || !store_ready(ob->st))
		return;
	d->writing = true;
	if (!build(ob, "MULTI", NULL, NULL, 0) || !send_d(d, on_record))
		goto lost;
	if (d->ok || d->missing) {
		sent = build(ob, "ZREM", "outbox:due", a1, 1) && send_d(d, on_record) &&
		    build(ob, "HDEL", "outbox", a1, 1) && send_d(d, on_record) &&
		    build(ob, "HDEL", "outbox:tries", a1, 1) && send_d(d, on_record) &&
		    build(ob, "HDEL", "outbox:error", a1, 1) && send_d(d, on_record) &&
		    build(ob, "HDEL", "outbox:ambiguous", a1, 1) && send_d(d, on_record) &&
		    build(ob, "HDEL", "outbox:parked", a1, 1) && send_d(d, on_record);
	} else if (d->park) {
		/* kept (payload, tries, error) but no longer due: visible, not retried */
		const char *t[] = { d->member, tries }, *e[] = { d->member, d->detail },
		           *am[] = { d->member, namb }, *pk[] = { d->member, parked };

		snprintf(tries, sizeof(tries), "%u", d->tries + 1);
		snprintf(namb, sizeof(namb), "%u", d->nambiguous + 1);
		snprintf(parked, sizeof(parked), "%" PRId64, wall_ms() / 1000);
		sent = build(ob, "HSET", "outbox:tries", t, 2) && send_d(d, on_record) &&
		    build(ob, "HSET", "outbox:error", e, 2) && send_d(d, on_record) &&
		    build(ob, "HSET", "outbox:ambiguous", am, 2) && send_d(d, on_record) &&
		    build(ob, "HSET", "outbox:parked", pk, 2) && send_d(d, on_record) &&
		    build(ob, "ZREM", "outbox:due", a1, 1) && send_d(d, on_record);
	} else {
		int64_t delay = retry_delay(&cfg->alerts, d->tries + 1);
		const char *t[] = { d->member, tries }, *e[] = { d->member, d->detail },
		           *z[] = { "XX", next, d->member };

		snprintf(tries, sizeof(tries), "%u", d->tries + 1);
		snprintf(next, sizeof(next), "%" PRId64, wall_ms() + delay * 1000);
		sent = build(ob, "HSET", "outbox:tries", t, 2) && send_d(d, on_record) &&
		    build(ob, "HSET", "outbox:error", e, 2) && send_d(d, on_record) &&
		    build(ob, "ZADD", "outbox:due", z, 3) && send_d(d, on_record);
		if (sent && d->ambiguous) {
			const char *am[] = { d->member, namb };

			snprintf(namb, sizeof(namb), "%u", d->nambiguous + 1);
			sent = build(ob, "HSET", "outbox:ambiguous", am, 2) && send_d(d, on_record);
		}
	}
	if (!sent || !build(ob, "EXEC", NULL, NULL, 0) || !send_d(d, on_record))
		goto lost;
	return;
lost:
	/* hiredis calls on_record with NULL for what went out; nothing more to do here */
	if (!d->outstanding)
		d->writing = false;
}

/* ------------------------------------------------------------- send */

/* notify.c finished one attempt. */
static void
on_sent(void *arg, int status, const char *detail)
{
	struct delivery *d = arg;
	struct outbox *ob = d->ob;
	unsigned suppressed = 0;

	free(d->payload);
	d->payload = NULL;
	d->ok = status == 0;
	d->ambiguous = status == NOTIFY_AMBIGUOUS;
	d->park = delivery_decide(status, d->nambiguous, ob->max_ambiguous) == DA_PARK;
	if (d->ch < 2)
		tq_metrics.deliveries[d->ch][d->ok]++;
	if (d->ambiguous)
		tq_metrics.alerts_ambiguous++;
	if (d->park) {
		ob->failed++;
		snprintf(d->detail, sizeof(d->detail), "%s", detail ? detail : "failed");
		/* once per message: it is not tried again; error level, not rate limited */
		log_errx("alerts: %.*s: delivery by %s parked after %u ambiguous outcomes (last: %s): "
		    "the relay may have it; not retried (to re-queue it see teleqd(8), ALERTS)",
		    id_len(d->member), d->member, channel_name(d->ch), d->nambiguous + 1, d->detail);
	} else if (d->ok) {
		ob->delivered++;
		log_info("alerts: %.*s delivered by %s", id_len(d->member), d->member,
		    channel_name(d->ch));
	} else {
		const struct config *cfg = store_config(ob->st);

		ob->failed++;
		snprintf(d->detail, sizeof(d->detail), "%s", detail ? detail : "failed");
		if (ratelimit_pass(&ob->rl, mono_ms() / 1000, &suppressed))
			log_warnx("alerts: %.*s: delivery by %s failed (%s%s), attempt %u; next in %" PRId64
			    " s%s", id_len(d->member), d->member, channel_name(d->ch), d->detail,
			    d->ambiguous ? "; ambiguous: it may have been delivered" : "",
			    d->tries + 1, retry_delay(&cfg->alerts, d->tries + 1),
			    suppressed ? " (similar messages suppressed)" : "");
	}
	record(d);
}

/* Reply to HGET outbox / outbox:tries / outbox:ambiguous of one member. */
static void
on_fetch(redisAsyncContext *ac, void *r, void *privdata)
{
	struct delivery *d = privdata;
	redisReply *reply = r;
	unsigned idx = d->replies++;
	char id[MEMBER_MAX];
	int k;

	(void)ac;
	d->outstanding--;
	if (!d->ob) {
		if (!d->outstanding)
			delivery_free(d);
		return;
	}
	if (!reply || reply->type == REDIS_REPLY_ERROR) {
		d->drop = true;
	} else if (idx == 0) {
		if (reply->type == REDIS_REPLY_STRING) {
			if ((d->payload = malloc(reply->len + 1))) {
				memcpy(d->payload, reply->str, reply->len);
				d->payload[reply->len] = '\0';
				d->plen = reply->len;
			}
		} else {
			d->missing = true;
		}
	} else if (idx == 1 && reply->type == REDIS_REPLY_STRING) {
		d->tries = (unsigned)strtoul(reply->str, NULL, 10);
	} else if (idx == 2 && reply->type == REDIS_REPLY_STRING) {
		d->nambiguous = (unsigned)strtoul(reply->str, NULL, 10);
	}
	if (d->outstanding)
		return;
	if (d->drop) {
		/* the fetch failed: forget it; the next poll fetches it again */
		delivery_done(d);
		return;
	}
	if (d->missing) {
		/* delivered and recorded meanwhile, or removed by hand: drop the due entry */
		d->ok = true;
		record(d);
		return;
	}
	if (!d->payload) {
		delivery_done(d);
		return;
	}
	d->state = D_SEND;
	snprintf(id, sizeof(id), "%.*s", id_len(d->member), d->member);
	if ((k = notify_send(d->ob->nf, d->ch, id, d->payload, d->plen, on_sent, d)) < 0) {
		/* not configured any more (reload), or no resources: a failed attempt */
		on_sent(d, k, k == -EINVAL ? "channel not configured" : strerror(-k));
	}
}

/* Starts fetching member (not in the list yet). */
static void
fetch(struct outbox *ob, const char *member, size_t len)
{
	struct delivery *d;
	const char *bar = memchr(member, '|', len);
	enum channel ch;
	const char *a1[1];

	if (!bar || channel_parse(bar + 1, len - (size_t)(bar + 1 - member), &ch) < 0 ||
	    len >= MEMBER_MAX)
		return;         /* not ours; left alone */
	if (!(d = calloc(1, sizeof(*d))) || !(d->member = strndup(member, len))) {
		free(d);
		return;
	}
	d->ob = ob;
	d->ch = ch;
	d->state = D_FETCH;
	d->next = ob->list;
	ob->list = d;
	ob->nlist++;
	a1[0] = d->member;
	if (!(build(ob, "HGET", "outbox", a1, 1) && send_d(d, on_fetch) &&
	    build(ob, "HGET", "outbox:tries", a1, 1) && send_d(d, on_fetch) &&
	    build(ob, "HGET", "outbox:ambiguous", a1, 1) && send_d(d, on_fetch))) {
		d->drop = true;         /* on_fetch (NULL replies) or this frees it */
		if (!d->outstanding)
			delivery_done(d);
	}
}

/* ------------------------------------------------------------- scan */

/* Reply to ZRANGEBYSCORE outbox:due: the members due now. */
static void
on_scan(redisAsyncContext *ac, void *r, void *privdata)
{
	struct scan *sc = privdata;
	struct outbox *ob = sc->ob;
	redisReply *reply = r;
	struct delivery *d;
	size_t i;

	(void)ac;
	free(sc);
	if (!ob)
		return;
	ob->scan = NULL;
	ob->scanning = false;
	if (!reply || reply->type != REDIS_REPLY_ARRAY)
		return;
	for (i = 0; i < reply->elements && ob->nlist < MAX_INFLIGHT; i++) {
		const redisReply *m = reply->element[i];
		bool known = false;

		if (m->type != REDIS_REPLY_STRING)
			continue;
		for (d = ob->list; d && !known; d = d->next)
			known = strlen(d->member) == m->len && !memcmp(d->member, m->str, m->len);
		if (!known)
			fetch(ob, m->str, m->len);
	}
}

/*
 * Polls: first writes outcomes Redis has not recorded yet, then reads
 * what is due. Safe to call any time.
 */
void
outbox_kick(struct outbox *ob)
{
	struct delivery *d, *next;
	struct scan *sc;
	char now[24], limit[8];
	const char *a[] = { "-inf", now, "LIMIT", "0", limit };

	if (!ob || !store_ready(ob->st))
		return;
	for (d = ob->list; d; d = next) {
		next = d->next;         /* record() may finish d */
		if (d->state == D_RECORD && !d->writing)
			record(d);
	}
	if (ob->scanning || ob->nlist >= MAX_INFLIGHT)
		return;
	snprintf(now, sizeof(now), "%" PRId64, wall_ms());
	snprintf(limit, sizeof(limit), "%d", MAX_INFLIGHT);
	if (!(sc = calloc(1, sizeof(*sc))))
		return;
	sc->ob = ob;
	if (!build(ob, "ZRANGEBYSCORE", "outbox:due", a, 5) ||
	    store_send(ob->st, on_scan, sc, &ob->ab) < 0) {
		free(sc);
		return;
	}
	ob->scan = sc;
	ob->scanning = true;
}

/*
 * Reply to a count (ZCARD outbox:due: the deliveries not done yet, for
 * teleqd_outbox_pending; HLEN outbox:parked: those parked after ambiguous
 * outcomes, for teleqd_alerts_parked and /healthz): stored into the
 * tq_metrics field privdata. Touches no outbox (it may be gone by now).
 */
static void
on_count(redisAsyncContext *ac, void *r, void *privdata)
{
	const redisReply *reply = r;
	uint64_t *metric = privdata;

	(void)ac;
	if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0)
		*metric = (uint64_t)reply->integer;
}

/*
 * When the alert of member "<name>-<kind>-<ind>-<created>|<channel>" was
 * made (calendar s, its id's last part), or 0 when it does not say.
 */
static int64_t
member_created(const char *m, size_t len)
{
	const char *bar = memchr(m, '|', len), *p;
	int64_t t = 0, mul = 1;

	if (!bar)
		return 0;
	for (p = bar; p > m && p[-1] >= '0' && p[-1] <= '9' && mul <= 1000000000000LL; p--, mul *= 10)
		t += (p[-1] - '0') * mul;
	return p < bar && p > m && p[-1] == '-' ? t : 0;
}

/*
 * Reply to HKEYS outbox:tries: the members that failed at least once; the
 * oldest one's creation feeds /healthz ("undeliverable for longer than
 * retry_max x 3"). Touches no outbox (it may be gone by now).
 */
static void
on_tries(redisAsyncContext *ac, void *r, void *privdata)
{
	const redisReply *reply = r;
	int64_t oldest = 0, t;

	(void)ac;
	(void)privdata;
	if (!reply || reply->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i < reply->elements; i++) {
		const redisReply *e = reply->element[i];

		if (e->type != REDIS_REPLY_STRING || !(t = member_created(e->str, e->len)))
			continue;
		if (!oldest || t < oldest)
			oldest = t;
	}
	tq_metrics.outbox_oldest = oldest;
}

/* Poll timer: the poll, and the count of what is pending (once a second, not per kick). */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct outbox *ob = arg;

	outbox_kick(ob);
	/* down: counted next time */
	if (store_ready(ob->st) && build(ob, "ZCARD", "outbox:due", NULL, 0))
		(void)store_send(ob->st, on_count, &tq_metrics.outbox_pending, &ob->ab);
	if (store_ready(ob->st) && build(ob, "HKEYS", "outbox:tries", NULL, 0))
		(void)store_send(ob->st, on_tries, NULL, &ob->ab);
	if (store_ready(ob->st) && build(ob, "HLEN", "outbox:parked", NULL, 0))
		(void)store_send(ob->st, on_count, &tq_metrics.alerts_parked, &ob->ab);
}

/* Creates the outbox of st: its notifier and poll timer. 0 or -errno. */
int
outbox_new(struct store *st, struct event_base *base, const struct alert_conf *ac,
           struct outbox **ret)
{
	struct outbox *ob = calloc(1, sizeof(*ob));
	struct timeval tv = { POLL_MS / 1000, (POLL_MS % 1000) * 1000 };
	int r;

	if (!ob)
		return -ENOMEM;
	ob->st = st;
	ob->max_ambiguous = ac->max_ambiguous;
	ob->rl.interval = 60;
	ob->rl.burst = 5;
	if ((r = notify_new(base, ac, &ob->nf)) < 0) {
		free(ob);
		return r;
	}
	if (!(ob->timer = event_new(base, -1, EV_PERSIST, on_timer, ob)) ||
	    event_add(ob->timer, &tv) < 0) {
		outbox_free(ob);
		return -ENOMEM;
	}
	*ret = ob;
	return 0;
}

/*
 * Frees ob. Deliveries in notify.c are cancelled (a cancelled one is
 * still due in Redis and is delivered by the next outbox); those waiting
 * for a Redis reply are orphaned and free themselves. Accepts NULL.
 */
void
outbox_free(struct outbox *ob)
{
	struct delivery *d, *next;

	if (!ob)
		return;
	notify_free(ob->nf);
	if (ob->scan)
		ob->scan->ob = NULL;
	for (d = ob->list; d; d = next) {
		next = d->next;
		d->ob = NULL;
		if (!d->outstanding)
			delivery_free(d);
	}
	if (ob->timer)
		event_free(ob->timer);
	arena_free(&ob->arena);
	argv_free(&ob->ab);
	free(ob);
}
