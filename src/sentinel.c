/*
 * sentinel.c — asking Redis Sentinel where the master is (redis.sentinels,
 * redis.master_name).
 *
 * Before every connection the store (and teleqctl) asks the sentinels in
 * turn "SENTINEL get-master-addr-by-name <name>" and connects to the
 * address named; a sentinel that refuses, does not know the name or does
 * not answer within SENTINEL_TIMEOUT_MS is passed over for the next. So a
 * failover is followed at the next reconnect, which the loss of the old
 * master (or a READONLY refusal from it, demoted) brings about.
 *
 * The daemon's query is async on its libevent loop (it never blocks):
 * one hiredis connection at a time, one timer for the per-sentinel
 * timeout (which also starts the first attempt, so that done never runs
 * inside sentinel_query_start). teleqctl's form blocks, as the rest of
 * teleqctl does.
 *
 * Lifetime: the hiredis context's data points to the query while it is the
 * current attempt and is NULL once detached; every callback starts from
 * ac->data, never from privdata, so replies hiredis delivers (as NULL)
 * while freeing a detached context touch nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>

#include "redis_addr.h"
#include "sentinel.h"

#define WHY_MAX 512     /* bytes of the failures collected for the log */

/* True when s is a master name: 1..SENTINEL_NAME_MAX of A-Z a-z 0-9 . - _ */
bool
sentinel_name_ok(const char *s)
{
	size_t len;

	if (!s || (len = strlen(s)) == 0 || len > SENTINEL_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/*
 * The reply to SENTINEL get-master-addr-by-name into *ret; 0, -ENOENT
 * (nil: an unknown master name), -EINVAL. See sentinel.h.
 */
int
sentinel_parse_reply(const redisReply *r, struct redis_addr *ret)
{
	char buf[REDIS_ADDR_MAX + 1];
	const redisReply *h, *p;
	int n;

	if (!r || !ret)
		return -EINVAL;
	if (r->type == REDIS_REPLY_NIL)
		return -ENOENT;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
		return -EINVAL;
	h = r->element[0];
	p = r->element[1];
	if (!h || !p || h->type != REDIS_REPLY_STRING || p->type != REDIS_REPLY_STRING ||
	    h->len == 0 || h->len > 253 || p->len == 0 || p->len > 5 ||
	    memchr(h->str, '\0', h->len) || memchr(p->str, '\0', p->len))
		return -EINVAL;
	/* an IPv6 literal (announce-ip or a v6 replica) needs its brackets for the parser */
	n = snprintf(buf, sizeof(buf), memchr(h->str, ':', h->len) ? "[%.*s]:%.*s" : "%.*s:%.*s",
	    (int)h->len, h->str, (int)p->len, p->str);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	if (redis_addr_parse(buf, ret) < 0 || ret->is_unix)
		return -EINVAL;
	return 0;
}

/* Appends "<addr>: <what>" to the failures in why (bounded; cut when full). */
static void
why_add(char *why, size_t cap, const char *addr, const char *what)
{
	size_t len = strlen(why);

	if (len + 1 >= cap)
		return;
	snprintf(why + len, cap - len, "%s%s: %s", len ? "; " : "", addr, what);
}

/* The message of a failed reply, for why_add. */
static const char *
reply_why(const redisReply *r, int parsed)
{
	if (r && r->type == REDIS_REPLY_ERROR && r->str)
		return r->str;          /* Sentinel's own text (-NOAUTH, -ERR unknown command) */
	return parsed == -ENOENT ? "does not know the master name" : "unexpected reply";
}

/* ------------------------------------------------------------ async */

struct sentinel_query {
	struct event_base  *base;
	char *const        *sentinels;
	size_t              n, start, tried, cur;
	const char         *name;
	sentinel_done_fn   *done;
	void               *arg;
	redisAsyncContext  *ac;         /* the current attempt, or NULL */
	struct event       *timer;      /* the first attempt; then each one's timeout */
	char                why[WHY_MAX];
};

static void try_next(struct sentinel_query *q);

/* Detaches the current attempt's context (its callbacks then ignore it). */
static redisAsyncContext *
detach(struct sentinel_query *q)
{
	redisAsyncContext *ac = q->ac;

	q->ac = NULL;
	if (ac)
		ac->data = NULL;
	return ac;
}

/* Notes the current sentinel's failure and goes on with the next. */
static void
attempt_failed(struct sentinel_query *q, const char *what)
{
	why_add(q->why, sizeof(q->why), q->sentinels[q->cur], what);
	try_next(q);
}

/* hiredis: the connect to a sentinel finished; a failure frees ac after we return. */
static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct sentinel_query *q = ac->data;

	if (!q || status == REDIS_OK)
		return;
	detach(q);
	attempt_failed(q, ac->errstr[0] ? ac->errstr : "connect failed");
}

/* hiredis: the sentinel closed the connection before answering. */
static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct sentinel_query *q = ac->data;

	(void)status;
	if (!q)
		return;
	detach(q);
	attempt_failed(q, ac->errstr[0] ? ac->errstr : "connection closed");
}

/* hiredis: the answer to SENTINEL get-master-addr-by-name. */
static void
on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel_query *q = ac->data;
	struct redis_addr addr;
	int k;

	(void)privdata;
	if (!q || !r)
		return;         /* detached, or going down: the disconnect callback decides */
	k = sentinel_parse_reply(r, &addr);
	/* done with this sentinel: hiredis frees it once this callback returns */
	redisAsyncFree(detach(q));
	if (k < 0) {
		attempt_failed(q, reply_why(r, k));
		return;
	}
	evtimer_del(q->timer);
	q->done(q->arg, 0, &addr, q->cur, NULL);      /* last: it may free q */
}

/* Timer: the first attempt, or the current sentinel's time is up. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sentinel_query *q = arg;
	redisAsyncContext *ac = detach(q);

	(void)fd;
	(void)what;
	if (ac) {
		redisAsyncFree(ac);
		attempt_failed(q, "no answer in time");
		return;
	}
	try_next(q);
}

/* Starts the next sentinel's attempt; done(-EHOSTUNREACH) when none is left. */
static void
try_next(struct sentinel_query *q)
{
	static const struct timeval tv = { SENTINEL_TIMEOUT_MS / 1000,
	                                   (SENTINEL_TIMEOUT_MS % 1000) * 1000 };
	struct redis_addr ra;
	redisAsyncContext *ac;

	evtimer_del(q->timer);
	while (q->tried < q->n) {
		q->cur = (q->start + q->tried++) % q->n;
		if (redis_addr_parse(q->sentinels[q->cur], &ra) < 0) {
			why_add(q->why, sizeof(q->why), q->sentinels[q->cur], "not an address");
			continue;       /* the config check refuses it: not reached */
		}
		ac = ra.is_unix ? redisAsyncConnectUnix(ra.host) : redisAsyncConnect(ra.host, ra.port);
		if (!ac || ac->err) {
			why_add(q->why, sizeof(q->why), q->sentinels[q->cur],
			    ac ? ac->errstr : "out of memory");
			if (ac)
				redisAsyncFree(ac);
			continue;
		}
		if (redisLibeventAttach(ac, q->base) != REDIS_OK) {
			redisAsyncFree(ac);
			why_add(q->why, sizeof(q->why), q->sentinels[q->cur], "cannot attach");
			continue;
		}
		ac->data = q;
		q->ac = ac;
		redisAsyncSetConnectCallback(ac, on_connect);
		redisAsyncSetDisconnectCallback(ac, on_disconnect);
		/* queued now, written once the socket connects */
		if (redisAsyncCommand(ac, on_reply, NULL, "SENTINEL get-master-addr-by-name %s",
		    q->name) != REDIS_OK) {
			redisAsyncFree(detach(q));
			why_add(q->why, sizeof(q->why), q->sentinels[q->cur], "cannot send");
			continue;
		}
		evtimer_add(q->timer, &tv);
		return;
	}
	q->done(q->arg, -EHOSTUNREACH, NULL, 0, q->why[0] ? q->why : "no sentinel");   /* last */
}

/* Starts a query; see sentinel.h. */
int
sentinel_query_start(struct event_base *base, char *const *sentinels, size_t n,
                     size_t start, const char *name, sentinel_done_fn *done, void *arg,
                     struct sentinel_query **ret)
{
	static const struct timeval now = { 0, 0 };
	struct sentinel_query *q;

	if (n == 0 || n > SENTINEL_MAX || !sentinels || !name || !done)
		return -EINVAL;
	if (!(q = calloc(1, sizeof(*q))))
		return -ENOMEM;
	q->base = base;
	q->sentinels = sentinels;
	q->n = n;
	q->start = start % n;
	q->name = name;
	q->done = done;
	q->arg = arg;
	if (!(q->timer = evtimer_new(base, on_timer, q))) {
		free(q);
		return -ENOMEM;
	}
	/* the first attempt from the loop: done never runs inside this call */
	evtimer_add(q->timer, &now);
	*ret = q;
	return 0;
}

/* Cancels and frees a query; see sentinel.h. */
void
sentinel_query_free(struct sentinel_query *q)
{
	redisAsyncContext *ac;

	if (!q)
		return;
	if ((ac = detach(q)))
		redisAsyncFree(ac);
	if (q->timer)
		event_free(q->timer);
	free(q);
}

/* ------------------------------------------------------------- blocking */

/* teleqctl's blocking form; see sentinel.h. */
int
sentinel_resolve_sync(char *const *sentinels, size_t n, const char *name,
                      struct redis_addr *ret, char *err, size_t errlen)
{
	const struct timeval tv = { SENTINEL_TIMEOUT_MS / 1000, (SENTINEL_TIMEOUT_MS % 1000) * 1000 };
	char why[WHY_MAX] = "";
	struct redis_addr ra;

	for (size_t i = 0; sentinels && name && i < n && i < SENTINEL_MAX; i++) {
		redisContext *c;
		redisReply *r;
		int k;

		if (redis_addr_parse(sentinels[i], &ra) < 0) {
			why_add(why, sizeof(why), sentinels[i], "not an address");
			continue;
		}
		c = ra.is_unix ? redisConnectUnixWithTimeout(ra.host, tv) :
		    redisConnectWithTimeout(ra.host, ra.port, tv);
		if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
			why_add(why, sizeof(why), sentinels[i], c && c->err ? c->errstr : "cannot connect");
			redisFree(c);
			continue;
		}
		r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", name);
		if (!r) {
			why_add(why, sizeof(why), sentinels[i], c->errstr[0] ? c->errstr : "no answer");
			redisFree(c);
			continue;
		}
		k = sentinel_parse_reply(r, &ra);
		if (k < 0)
			why_add(why, sizeof(why), sentinels[i], reply_why(r, k));
		freeReplyObject(r);
		redisFree(c);
		if (k == 0) {
			*ret = ra;
			return 0;
		}
	}
	if (err && errlen)
		snprintf(err, errlen, "no sentinel named the master '%s' (%s)", name ? name : "",
		    why[0] ? why : "no sentinel");
	return -EHOSTUNREACH;
}
