/*
 * store_lease.c — the writer lease on the store's connection (lease.c has
 * the format and the decisions).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "clock.h"
#include "lease.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "store_priv.h"
#include "store_int.h"

/* ---------------------------------------------------------------- lease */
/*
 * The writer lease (lease.c has the format and the decisions). The
 * handshake takes it (REQ_LEASE) between SELECT and the epoch bump. Taken:
 * the handshake goes on, and lease_ev renews it every lease/3 (REQ_RENEW).
 * Held by another daemon: the connection stays open but idle (no epoch
 * bump, no commit), the holder is named once at error level, and lease_ev
 * asks again every LEASE_RETRY_MS or just after the holder's expiry.
 * A holder that finds another owner at a renewal, or cannot renew for a
 * whole lease, stops committing by dropping the connection: the reconnect
 * makes it a standby (its pending lines stay pending).
 */

/* The lease period in ms (the config in force: a reload may change it). */
static int64_t
lease_ms(const struct store *st)
{
	return st->cfg->redis.lease_s * 1000;
}

/*
 * EVAL of the take (and renew) or the release script into st->ab.
 * 0, -ENOMEM, -ENOBUFS.
 */
int
lease_argv(struct store *st, bool take)
{
	struct argv_buf *ab = &st->ab;
	char *k, *px;
	size_t klen, plen;
	int n, olen;

	if (take && !st->lease_held)
		lease_self(&st->lease_me);      /* since: now */
	arena_reset(&st->arena);
	ab->n = 0;
	if (argv_reserve(ab, 8) < 0 || !(k = arena_key(&st->arena, st->cfg, "lease", &klen)))
		return -ENOMEM;
	if ((olen = lease_owner_prefix(st->lease_me.token, st->lease_owner,
	    sizeof(st->lease_owner))) < 0)
		return olen;
	argv_str(ab, "EVAL");
	argv_str(ab, take ? lease_take_lua : lease_release_lua);
	argv_str(ab, "1");
	argv_push(ab, k, klen);
	if (take) {
		if ((n = lease_format(&st->lease_me, st->lease_value, sizeof(st->lease_value))) < 0)
			return n;
		if (!(px = arena_i64(&st->arena, lease_ms(st), &plen)))
			return -ENOMEM;
		argv_push(ab, st->lease_value, (size_t)n);
		argv_push(ab, px, plen);
	}
	argv_push(ab, st->lease_owner, (size_t)olen);
	if (take)
		argv_str(ab, st->lease_gone);
	return 0;
}

/* Arms lease_ev to fire in ms milliseconds. */
static void
lease_arm(struct store *st, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000) };

	evtimer_add(st->lease_ev, &tv);
}

/* The holder's tick: often enough to renew at lease/3 and to notice a lapse soon. */
static int64_t
lease_tick_ms(const struct store *st)
{
	int64_t t = lease_ms(st) / 6;

	return t < 50 ? 50 : t;
}

/* The connection is gone: neither holder nor standby until the next handshake. */
void
lease_conn_lost(struct store *st)
{
	st->lease_held = st->lease_standby = st->lease_renewing = false;
	st->lease_standby_since = 0;
	st->lease_gone[0] = '\0';
	tq_metrics.lease_held = false;
	if (st->lease_ev)
		evtimer_del(st->lease_ev);
}

/* The handshake took the lease: go on; announce a takeover. */
static void
lease_taken(struct store *st, bool fresh)
{
	char who[LEASE_DESCRIBE_MAX];

	if (st->lease_logged[0]) {
		/* this daemon had stood by: the holder expired or let go */
		if (lease_describe(&st->lease_other, wall_ms(), -1, who, sizeof(who)) < 0)
			snprintf(who, sizeof(who), "the previous holder");
		log_notice("redis: lease taken over from %s: this daemon writes now", who);
		st->lease_logged[0] = '\0';
	} else if (!fresh) {
		log_debug("redis: lease still ours after a reconnect");
	}
	st->lease_standby = false;
	st->lease_standby_since = 0;
	st->lease_held = true;
	st->lease_renewing = false;
	st->lease_ok_ms = st->lease_sent_ms;
	tq_metrics.lease_held = true;
	lease_arm(st, lease_tick_ms(st));
}

/* Another daemon holds the lease: stand by on the open connection. */
static void
lease_stand_by(struct store *st, const struct lease_holder *h, int64_t ttl_ms)
{
	char who[LEASE_DESCRIBE_MAX];

	st->lease_standby = true;
	if (!st->lease_standby_since)
		st->lease_standby_since = mono_ms();
	st->lease_other = *h;
	st->lease_ttl_ms = ttl_ms;
	st->lease_asked_ms = mono_ms();
	st->outage_logged = false;
	tq_metrics.redis_connected = true;      /* connected, and not writing */
	evtimer_del(st->watchdog_ev);   /* answered: the connection is fine */
	if (lease_describe(h, wall_ms(), ttl_ms, who, sizeof(who)) < 0)
		snprintf(who, sizeof(who), "another daemon");
	/* once per holder: a standby waits quietly */
	if (strcmp(st->lease_logged, h->token) != 0) {
		log_errx("redis: lease %s{%s}:lease held by %s; another teleqd writes under this "
		    "prefix: standing by, taking over when its lease ends", st->cfg->redis.prefix,
		    st->cfg->redis.tag, who);
		memcpy(st->lease_logged, h->token, sizeof(st->lease_logged));
	} else {
		log_debug("redis: lease held by %s; standing by", who);
	}
	lease_arm(st, lease_retry_ms(ttl_ms));
}

/*
 * Reply to a take (REQ_LEASE, in the handshake) or a renewal (REQ_RENEW):
 * {code, value, pttl}, see lease_take_lua.
 */
void
on_lease_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	enum req_kind kind;
	struct store *st = req_take(privdata, r, &kind);
	redisReply *reply = r;
	struct lease_holder h;
	char who[LEASE_DESCRIBE_MAX];
	long long code;

	(void)ac;
	if (!st)
		return;
	if (kind == REQ_RENEW)
		st->lease_renewing = false;
	else
		st->lease_gone[0] = '\0';      /* asked once: the next answer decides afresh */
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER ||
	    reply->element[1]->type != REDIS_REPLY_STRING ||
	    reply->element[2]->type != REDIS_REPLY_INTEGER) {
		if (kind == REQ_RENEW) {
			/* the tick decides when failures have lasted a whole lease */
			log_debug("redis: lease renewal failed: %.200s", reply_text(reply));
			return;
		}
		if (!st->outage_logged)
			log_warnx("redis: cannot take the writer lease on %s: %.200s", addr_name(st),
			    reply->type == REDIS_REPLY_ERROR ? reply_text(reply) : "unexpected reply");
		conn_fail(st);
		return;
	}
	code = reply->element[0]->integer;
	if (code > 0) {
		if (kind == REQ_LEASE) {
			lease_taken(st, code == 2);
			hs_send(st, REQ_LOAD);
		} else if (st->lease_held) {
			st->lease_ok_ms = st->lease_sent_ms;
			if (code == 2)
				log_warnx("redis: the writer lease had lapsed before its renewal; renewed");
		}
		return;
	}
	if (lease_parse(reply->element[1]->str, reply->element[1]->len, &h) < 0) {
		/* not a teleqd value (set by hand?): wait for it all the same */
		h = (struct lease_holder){ .token = "0000000000000000", .pid = 0 };   /* "unknown" */
	}
	if (kind == REQ_LEASE && reply->element[1]->len <= LEASE_VALUE_MAX && lease_holder_gone(&h)) {
		/* kill -9 and a restart on this host: no need to wait for its expiry */
		if (lease_describe(&h, wall_ms(), -1, who, sizeof(who)) < 0)
			snprintf(who, sizeof(who), "another daemon");
		log_notice("redis: lease held by %s, which no longer runs on this host: taking it over",
		    who);
		memcpy(st->lease_gone, reply->element[1]->str, reply->element[1]->len);
		st->lease_gone[reply->element[1]->len] = '\0';
		hs_send(st, REQ_LEASE);         /* compare-and-swap: only that value is replaced */
		return;
	}
	if (kind == REQ_LEASE) {
		lease_stand_by(st, &h, reply->element[2]->integer);
		return;
	}
	/* a renewal found another owner: this daemon must stop writing */
	if (lease_describe(&h, wall_ms(), reply->element[2]->integer, who, sizeof(who)) < 0)
		snprintf(who, sizeof(who), "another daemon");
	log_errx("redis: lease lost to %s; stopping commits and standing by", who);
	memcpy(st->lease_logged, h.token, sizeof(st->lease_logged));
	lease_conn_lost(st);
	conn_fail(st);
}

/* Timer: a holder's renewal tick, or a standby's next attempt. */
void
on_lease(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	struct req *rq;
	int64_t now = mono_ms();

	(void)fd;
	(void)what;
	if (!st->ac)
		return;
	if (st->lease_standby) {
		watchdog_arm(st, CONNECT_TIMEOUT_MS);   /* the answer must come */
		hs_send(st, REQ_LEASE);
		return;
	}
	if (!st->lease_held)
		return;
	switch (lease_renew_step(now, st->lease_ok_ms, st->lease_sent_ms, st->lease_renewing,
	    lease_ms(st))) {
	case LEASE_LOST:
		log_errx("redis: the writer lease was not renewed for %" PRId64 " s; stopping "
		    "commits (a standby may take over), reconnecting", lease_ms(st) / 1000);
		st_hold(st);
		conn_close(st);
		if (st_release(st))
			return;
		conn_lost(st, NULL);
		return;
	case LEASE_RENEW:
		if (lease_argv(st, true) < 0 || !(rq = req_new(st, REQ_RENEW)))
			break;          /* out of memory: the next tick tries again */
		if (send_req(st, rq, on_lease_reply, &st->ab) == 0) {
			st->lease_sent_ms = now;
			st->lease_renewing = true;
		}
		arena_reset(&st->arena);
		break;
	case LEASE_WAIT:
		break;
	}
	lease_arm(st, lease_tick_ms(st));
}

/* See store.h. */
int64_t
store_standby_ms(const struct store *st)
{
	if (!st || !st->lease_standby || !st->lease_standby_since)
		return 0;
	return mono_ms() - st->lease_standby_since;
}

/* See store.h. */
bool
store_standby(const struct store *st, char *buf, size_t len)
{
	int64_t ttl;

	if (!st || !st->lease_standby || !st->ac)
		return false;
	if (buf && len) {
		/* the PTTL as of the last attempt, less the time since */
		ttl = st->lease_ttl_ms < 0 ? -1 : st->lease_ttl_ms - (mono_ms() - st->lease_asked_ms);
		if (lease_describe(&st->lease_other, wall_ms(), ttl < 0 && st->lease_ttl_ms >= 0 ? 0 : ttl,
		    buf, len) < 0)
			snprintf(buf, len, "another daemon");
	}
	return true;
}

/*
 * See store.h. Written to the socket here and now: the loop is ending,
 * and a standby should not wait out the lease for a daemon that stopped
 * cleanly. Failing that, the lease simply expires.
 */
void
store_release_lease(struct store *st)
{
	int done = 0;

	if (!st || st->dead || !st->ac || !st->lease_held)
		return;
	if (lease_argv(st, false) < 0 ||
	    redisAsyncCommandArgv(st->ac, NULL, NULL, (int)st->ab.n, st->ab.argv, st->ab.len) != REDIS_OK)
		return;
	arena_reset(&st->arena);
	/* a non-blocking socket: a few tries, never a wait */
	for (int i = 0; i < 100 && !done; i++)
		if (redisBufferWrite(&st->ac->c, &done) == REDIS_ERR)
			break;
	lease_conn_lost(st);
	log_info("redis: lease released%s", done ? "" : " (not sent: it expires instead)");
}

