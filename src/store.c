/*
 * store.c — the Redis side of teleqd: hiredis async on the libevent loop.
 *
 * One connection at a time. Its life: connect (TCP or unix socket), AUTH,
 * SELECT, then one MULTI that bumps the fencing epoch and reads every
 * committed file position; then the sink hears ready(). A lost connection
 * is retried from a timer with exponential backoff (100 ms doubling to
 * 500 ms, jittered: a Redis that comes back is used within half a second),
 * never from inside a hiredis callback.
 *
 * A commit is ONE EVAL of commit.lua (EVAL, not EVALSHA: after a Redis
 * restart a missing script must not turn one transaction into two),
 * built by commit.c, which describes its KEYS and ARGV (and commit.lua,
 * authoritatively) and the de-duplication window.
 *
 * Exactly once across reconnects: the handshake increments the stats
 * field "epoch" in the same MULTI that reads the positions, and every
 * commit carries the epoch of its connection. A commit still travelling on
 * a connection we gave up on (timeout, reset) is refused by the script if
 * it reaches Redis after the new connection read the positions, so the
 * data it holds is counted once, by the re-read.
 *
 * Two commits in flight (STORE_INFLIGHT_MAX): during a backfill Redis
 * applies one while the daemon reads, builds and sends the next. Redis runs
 * them in order, but a refused first commit must not be followed by an
 * applied second one, whose positions would skip the first one's data. So
 * each commit also carries a sequence number, the stats field "commits" it
 * expects (read by the handshake, incremented by every applied commit):
 * after a refusal the field did not move and every later commit in flight
 * is refused as well. The store then reconnects and the sink rewinds to the
 * positions Redis holds, as after any failed commit.
 *
 * What follows a commit (indicator recomputes, alerts, mail) is
 * pipeline.c's: the store only fires its hooks (store_set_hooks) on a
 * new connection, an applied commit and a new config, and lends its
 * connection (store_send) to the modules that send their own commands.
 *
 * Lifetime rules: every request carries a struct req (or, for a module
 * sending with store_send, its own job) as privdata, never the store itself; store_free() orphans them, so the
 * NULL-reply callbacks hiredis runs while freeing the connection touch
 * nothing that is gone. User callbacks (done, ready, down) are always the
 * last thing a function does, or are bracketed by st_hold/st_release when
 * a caller of ours may free the store from inside them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>

#include "teleqd.h"
#include "store_priv.h"

#define CONNECT_TIMEOUT_MS  10000   /* connect + AUTH + SELECT + positions */
#define REPLY_TIMEOUT_MS    60000   /* a commit without a reply: drop the connection */
#define BACKOFF_MIN_MS      100
#define BACKOFF_MAX_MS      500     /* attempts are cheap; each failure after the first is logged at debug */
#define STABLE_MS           30000   /* a connection that lasted this long resets the backoff */
#define SEND_BUFFER         (2 * 1024 * 1024)   /* SO_SNDBUF asked for (see conn_start) */
#define PROBE_TICK_MS       500     /* redis_health: how often responsiveness is decided */
#define PROBE_EVERY_MS      1000    /* an INFO memory probe at most this often, one at a time */
#define POLICY_RETRY_MS     1000    /* an evicting Redis: reconnect and check again this often */


/* ------------------------------------------------------------------ store */

enum req_kind { REQ_AUTH, REQ_SELECT, REQ_POLICY, REQ_LEASE, REQ_LOAD, REQ_COMMIT, REQ_PROBE,
                REQ_RENEW };

/* One outstanding request: privdata of its reply callback. */
struct req {
	struct req        *prev, *next;     /* in store.reqs while the store lives */
	struct store      *st;              /* NULL once the store is freed */
	enum req_kind      kind;
	const struct batch *b;              /* REQ_COMMIT: valid until done runs */
	store_done_fn     *done;
	void              *done_arg;
	int64_t            sent_ms;         /* REQ_COMMIT: monotonic, for the latency histogram */
	uint64_t           seq;             /* REQ_COMMIT: the stats "commits" value it expects */
	int64_t            reset_ms;        /* REQ_COMMIT: the reset_ms it records, 0 = none */
};

struct store {
	char                *resp;          /* the last commit in RESP (resp_format) */
	size_t               resp_cap;
	struct event_base   *base;
	const struct config *cfg;
	struct tz           *tz;
	struct store_sink    sink;
	void                *arg;

	/* Where to connect, parsed from cfg->redis.address (and is_unix, port below). */
	char                *host;          /* or the socket path */
	char                *password;      /* never logged; wiped on free */
	size_t               password_len;

	redisAsyncContext   *ac;            /* the one connection, or NULL */
	char                 epoch[24];     /* fencing token of this connection */
	struct event        *retry_ev, *watchdog_ev;
	int                  port;
	unsigned             backoff_ms;
	int64_t              ready_at_ms;   /* monotonic; 0 when not ready */
	uint64_t             reconnects;
	uint64_t             commits;

	struct req          *reqs;          /* outstanding requests */
	/* Commits in flight, oldest first: Redis answers in this order. */
	struct req          *inflight[STORE_INFLIGHT_MAX];
	uint64_t             seq;           /* what the next commit expects in stats "commits" */
	int64_t              reset_ms;      /* wall ms of a reset this connection's handshake found */
	int64_t              reset_unrecorded_ms;   /* a reset not yet in stats reset_ms, 0 = none */
	bool                 saw_commits;   /* this process saw commits in the store since its
	                                     * last reset: an empty store now means it was emptied */

	struct arena         arena;
	struct argv_buf      ab;
	struct commit_scratch cscratch;     /* commit_build's reusable arrays */

	const struct store_hooks *hooks;    /* pipeline.c's (store_set_hooks), or NULL */
	void                *hooks_arg;
	struct ratelimit     rl;            /* commit error messages */
	uint64_t             rng;
	unsigned             depth;         /* st_hold nesting */
	unsigned             ninflight;     /* commits in inflight[] */
	bool                 is_unix;       /* host is a socket path */
	bool                 ready;         /* handshake done and not closing: commits go */
	bool                 announced;     /* sink.ready ran; sink.down is due on loss */
	bool                 ever_ready;
	bool                 outage_logged; /* this outage was logged at warning level */
	bool                 broken;        /* a commit on this connection failed: the later
	                                     * ones are refused by their sequence, quietly */
	bool                 dead;          /* store_free ran; memory goes at depth 0 */

	/* redis_health (issue 16): the eviction policy, and Redis answering at all */
	struct event        *probe_ev;      /* every PROBE_TICK_MS */
	int64_t              probe_sent_ms; /* monotonic; 0 = no probe in flight */
	int64_t              last_probe_ms; /* monotonic; the last probe sent */
	int64_t              last_reply_ms; /* monotonic; the last reply of a probe, commit or handshake */
	char                 refused[32];   /* the evicting policy refused ("" unreadable) */
	bool                 policy_refused;    /* nothing commits: maxmemory-policy evicts */
	bool                 unresponsive;  /* a request waited redis.unresponsive_after (logged) */
	/* ---- the writer lease (lease.c; the section "lease" below) */
	struct event        *lease_ev;      /* holder: renewal tick; standby: next attempt */
	struct lease_holder  lease_me;      /* this process; since = when it took the lease */
	struct lease_holder  lease_other;   /* standby: the holder */
	int64_t              lease_ttl_ms;  /* standby: the holder's PTTL when last asked */
	int64_t              lease_asked_ms;        /* standby: mono ms it was asked */
	int64_t              lease_ok_ms;   /* holder: mono ms of the last confirmed take/renewal */
	int64_t              lease_sent_ms; /* mono ms the last take/renewal was sent */
	char                 lease_logged[LEASE_TOKEN_LEN + 1];     /* holder named at error level */
	char                 lease_value[LEASE_VALUE_MAX + 1];      /* argv of the last lease EVAL */
	char                 lease_owner[LEASE_TOKEN_LEN + 8];
	char                 lease_gone[LEASE_VALUE_MAX + 1];       /* a gone holder's value, or "" */
	int64_t              lease_standby_since;   /* mono ms, 0 = not standing by */
	bool                 lease_held, lease_standby, lease_renewing;
};

static void conn_start(struct store *st);
static void on_probe(evutil_socket_t fd, short what, void *arg);
static void store_destroy(struct store *st);
static void lease_conn_lost(struct store *st);
static void on_lease_reply(redisAsyncContext *ac, void *r, void *privdata);
static int  lease_argv(struct store *st, bool take);

/* xorshift64*: jitter only, no need for quality. */
static uint32_t
rng_next(struct store *st)
{
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return (uint32_t)((st->rng * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Keeps st's memory alive across a call that may run user callbacks. */
static void
st_hold(struct store *st)
{
	st->depth++;
}

/* Ends st_hold. Returns true when the store was freed meanwhile: stop touching it. */
static bool
st_release(struct store *st)
{
	if (--st->depth == 0 && st->dead) {
		store_destroy(st);
		return true;
	}
	return false;
}

/* Allocates a request linked into st. NULL on ENOMEM. */
static struct req *
req_new(struct store *st, enum req_kind kind)
{
	struct req *rq = calloc(1, sizeof(*rq));

	if (!rq)
		return NULL;
	rq->st = st;
	rq->kind = kind;
	rq->next = st->reqs;
	if (st->reqs)
		st->reqs->prev = rq;
	st->reqs = rq;
	return rq;
}

/* Unlinks (unless orphaned) and frees a request. */
static void
req_free(struct req *rq)
{
	struct store *st = rq->st;

	if (st) {
		if (rq->prev)
			rq->prev->next = rq->next;
		else
			st->reqs = rq->next;
		if (rq->next)
			rq->next->prev = rq->prev;
	}
	free(rq);
}

/*
 * Queues argv with privdata rq. Returns 0; or frees rq and returns
 * -ENOTCONN when hiredis refuses, -ENOMEM.
 */
static int
send_req(struct store *st, struct req *rq, redisCallbackFn *fn, const struct argv_buf *ab)
{
	ssize_t len;
	bool auth;
	int r;

	if (!st->ac || ab->n > INT_MAX) {
		req_free(rq);
		return -ENOTCONN;
	}
	if ((len = resp_format(ab, &st->resp, &st->resp_cap)) < 0) {
		req_free(rq);
		return (int)len;
	}
	auth = rq->kind == REQ_AUTH;
	r = redisAsyncFormattedCommand(st->ac, fn, rq, st->resp, (size_t)len);
	if (auth)
		explicit_bzero(st->resp, (size_t)len);  /* hiredis has its copy: keep no password */
	if (r != REDIS_OK) {
		req_free(rq);
		return -ENOTCONN;
	}
	return 0;
}

/* ------------------------------------------------------------- settings */

/*
 * Parses "unix:/path", "host:port", "[v6]:port" or "host" (port 6379).
 * Returns 0 with *ret_host allocated, -EINVAL, -ENOMEM.
 */
static int
parse_address(const char *addr, bool *ret_unix, char **ret_host, int *ret_port)
{
	const char *colon, *h;
	size_t hlen;
	char *end;
	long port = 6379;

	if (!addr || !*addr)
		addr = "unix:/run/redis/redis.sock";
	if (!strncmp(addr, "unix:", 5)) {
		if (addr[5] != '/')
			return -EINVAL;
		if (!(*ret_host = strdup(addr + 5)))
			return -ENOMEM;
		*ret_unix = true;
		*ret_port = 0;
		return 0;
	}
	h = addr;
	if (addr[0] == '[') {
		/* [v6]:port: the colons inside the brackets are not the port's */
		const char *rb = strchr(addr, ']');

		if (!rb || rb == addr + 1 || (rb[1] && rb[1] != ':'))
			return -EINVAL;
		h = addr + 1;
		hlen = (size_t)(rb - h);
		colon = rb[1] ? rb + 1 : NULL;
	} else {
		colon = strrchr(addr, ':');
		hlen = colon ? (size_t)(colon - addr) : strlen(addr);
	}
	if (hlen == 0)
		return -EINVAL;
	if (colon) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || port < 1 || port > 65535)
			return -EINVAL;
	}
	if (!(*ret_host = strndup(h, hlen)))
		return -ENOMEM;
	*ret_unix = false;
	*ret_port = (int)port;
	return 0;
}

/* The Redis password (secret.c: the rules teleqd -n and teleqctl apply); a refusal is logged. */
static int
read_password(const char *path, char **ret, size_t *ret_len)
{
	char err[PATH_MAX + 256];
	int r;

	if ((r = secret_redis_password(path, ret, ret_len, err, sizeof(err))) < 0)
		log_errx("redis: %s", err);
	return r;
}

/* Wipes and frees a password. */
static void
password_free(char *pw, size_t len)
{
	secret_free(pw, len);
}

/* NULL-safe string equality. */
static bool
str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* True when two configs talk to the same Redis the same way, under the same keys. */
static bool
redis_equal(const struct config *a, const struct config *b)
{
	return str_eq(a->redis.address, b->redis.address) && str_eq(a->redis.user, b->redis.user) &&
	    str_eq(a->redis.password_file, b->redis.password_file) &&
	    str_eq(a->redis.prefix, b->redis.prefix) && str_eq(a->redis.tag, b->redis.tag) &&
	    a->redis.db == b->redis.db;
}

/* The address for messages ("unix:/run/redis.sock", "10.0.0.5:6379"). */
static const char *
addr_name(const struct store *st)
{
	return st->cfg->redis.address ? st->cfg->redis.address : "unix:/run/redis/redis.sock";
}

/* -------------------------------------------------------- the connection */

/* Arms the watchdog to fire in ms milliseconds. */
static void
watchdog_arm(struct store *st, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(st->watchdog_ev, &tv);
}

/* Schedules the next connection attempt with jittered exponential backoff. */
static void
schedule_retry(struct store *st)
{
	struct timeval tv;
	unsigned delay;

	if (st->dead)
		return;
	if (st->ready_at_ms && mono_ms() - st->ready_at_ms >= STABLE_MS)
		st->backoff_ms = 0;
	st->ready_at_ms = 0;
	st->backoff_ms = st->backoff_ms ? st->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (st->backoff_ms > BACKOFF_MAX_MS)
		st->backoff_ms = BACKOFF_MAX_MS;
	/* 75..100 % of the step: daemons restarted together do not reconnect in lockstep */
	delay = st->backoff_ms - rng_next(st) % (st->backoff_ms / 4 + 1);
	if (st->policy_refused)
		delay = POLICY_RETRY_MS;        /* re-check the policy; a fix resumes counting */
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(st->retry_ev, &tv);
}

/*
 * The connection is gone (or never came up): forget it, schedule the next
 * attempt and, when the sink had heard ready, tell it down. why is the
 * cause for the log, NULL when it was logged already. The sink is called
 * last: it may free the store.
 */
static void
conn_lost(struct store *st, const char *why)
{
	bool was = st->announced;

	st->ac = NULL;
	st->ready = false;
	st->announced = false;
	tq_metrics.redis_connected = false;
	tq_metrics.redis_responsive = false;
	st->probe_sent_ms = 0;
	st->unresponsive = false;       /* the loss is what gets logged now */
	evtimer_del(st->watchdog_ev);
	lease_conn_lost(st);
	if (was) {
		if (why)
			log_warnx("redis: connection to %s lost: %s; reconnecting", addr_name(st), why);
		else
			log_info("redis: reconnecting to %s", addr_name(st));
		st->outage_logged = true;
	} else if (why && !st->outage_logged) {
		log_warnx("redis: cannot connect to %s: %s; retrying", addr_name(st), why);
		st->outage_logged = true;
	} else if (why) {
		log_debug("redis: cannot connect to %s: %s", addr_name(st), why);
	}
	schedule_retry(st);
	if (was && st->sink.down)
		st->sink.down(st->arg);
}

/*
 * Closes the connection now, from outside any hiredis callback of ours
 * (timer, reconfigure, free). hiredis runs every pending reply callback
 * with NULL (a commit in flight hears done(-EIO)); our disconnect callback
 * ignores it, so the caller decides what follows. Callers that go on
 * using st afterwards must hold it.
 */
static void
conn_close(struct store *st)
{
	redisAsyncContext *ac = st->ac;

	if (!ac)
		return;
	st->ac = NULL;
	st->ready = false;
	ac->data = NULL;
	redisAsyncFree(ac);
}

/*
 * Inside a reply callback: the connection is unusable (handshake refused,
 * commit refused). Stops commits now and lets hiredis close the
 * connection once the pending replies are in; the disconnect callback then
 * schedules the reconnect.
 */
static void
conn_fail(struct store *st)
{
	st->ready = false;
	st->outage_logged = true;
	if (st->ac)
		redisAsyncDisconnect(st->ac);
}

/* hiredis: the TCP/unix connect finished (status REDIS_OK) or failed. */
static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct store *st = ac->data;

	if (!st)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees ac after we return and calls no disconnect callback */
		((redisAsyncContext *)ac)->data = NULL;
		conn_lost(st, ac->errstr[0] ? ac->errstr : "connect failed");
		return;
	}
	log_debug("redis: connected to %s, authenticating", addr_name(st));
}

/* hiredis: a connection that had come up is closed (status REDIS_ERR: by an error). */
static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct store *st = ac->data;

	if (!st)
		return;
	((redisAsyncContext *)ac)->data = NULL;
	conn_lost(st, status == REDIS_OK ? NULL :
	    ac->errstr[0] ? ac->errstr : "connection closed");
}

/* Timer: connect timed out, or a commit got no reply in time. */
static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;

	(void)fd;
	(void)what;
	if (!st->ac)
		return;
	if (st->ninflight)
		log_warnx("redis: no reply to a commit within %d s; dropping the connection",
		    REPLY_TIMEOUT_MS / 1000);
	else if (!st->outage_logged)
		log_warnx("redis: %s did not answer within %d s; retrying", addr_name(st),
		    CONNECT_TIMEOUT_MS / 1000);
	st->outage_logged = true;
	st_hold(st);
	conn_close(st);
	if (st_release(st))
		return;
	conn_lost(st, NULL);
}

/* Timer: next connection attempt. */
static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_start(arg);
}

/* ------------------------------------------------------------- handshake */

static void hs_send(struct store *st, enum req_kind step);
static void policy_send(struct store *st, struct req *rq);

/* Copies a reply's text for a message (Redis errors hold no secrets of ours). */
static const char *
reply_text(const redisReply *r)
{
	return r && r->str ? r->str : "(no text)";
}

/* Reply to AUTH or SELECT. */
static void
on_hs_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct req *rq = privdata;
	struct store *st = rq->st;
	enum req_kind kind = rq->kind;
	redisReply *reply = r;

	(void)ac;
	req_free(rq);
	if (!st || !reply)
		return;         /* freed, or the disconnect callback handles the loss */
	if (reply->type == REDIS_REPLY_ERROR) {
		if (!st->outage_logged)
			log_warnx("redis: %s refused by %s: %.200s", kind == REQ_AUTH ? "AUTH" : "SELECT",
			    addr_name(st), reply_text(reply));
		conn_fail(st);
		return;
	}
	hs_send(st, kind + 1);
}

/* Number of deadline indicators of cfg (a case hash each). */
static size_t
deadline_count(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nindicators; i++)
		n += cfg->indicators[i].kind == IND_DEADLINE;
	return n;
}

/*
 * Reply to EXEC of the handshake: [epoch, HGET commits, HGETALL files,
 * HGETALL cases:<indicator> per deadline indicator, HSET daemon info].
 * Makes the connection ready and hands every committed position and case
 * state to the sink.
 */
static void
on_load_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct req *rq = privdata;
	struct store *st = rq->st;
	redisReply *reply = r, *files, *seq;
	struct file_pos *pos = NULL;
	struct stored_case *cases = NULL;
	size_t n = 0, i, skipped = 0, ndl, ncases = 0, total = 0;
	uint64_t commits = 0;
	bool first;
	int k;

	(void)ac;
	req_free(rq);
	if (!st || !reply)
		return;
	ndl = deadline_count(st->cfg);
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4 + ndl)
		for (i = 0; i < ndl; i++)
			if (reply->element[3 + i]->type != REDIS_REPLY_ARRAY)
				ndl = SIZE_MAX;         /* not what was asked: refuse below */
	if (reply->type != REDIS_REPLY_ARRAY || ndl == SIZE_MAX || reply->elements != 4 + ndl ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER ||
	    (reply->element[1]->type != REDIS_REPLY_STRING && reply->element[1]->type != REDIS_REPLY_NIL) ||
	    reply->element[2]->type != REDIS_REPLY_ARRAY) {
		const redisReply *e = reply;

		/* show the first error inside the transaction, if that is what went wrong */
		if (reply->type == REDIS_REPLY_ARRAY)
			for (i = 0; i < reply->elements; i++)
				if (reply->element[i]->type == REDIS_REPLY_ERROR)
					e = reply->element[i];
		if (!st->outage_logged)
			log_warnx("redis: cannot read the committed positions from %s: %.200s",
			    addr_name(st), e->type == REDIS_REPLY_ERROR ? reply_text(e) : "unexpected reply");
		conn_fail(st);
		return;
	}
	seq = reply->element[1];
	if (seq->type == REDIS_REPLY_STRING && !scan_u64(seq->str, seq->len, 10, &commits)) {
		/* commit.lua refuses to increment it too: say why nothing commits */
		if (!st->outage_logged)
			log_warnx("redis: stats field 'commits' is not a number; commits are refused");
		commits = 0;
	}
	snprintf(st->epoch, sizeof(st->epoch), "%lld", reply->element[0]->integer);
	/* Emptied: no commits and no position where this process saw commits
	 * (a restart without persistence, FLUSHALL). Said once, by the sink
	 * that knows the files, at error level. */
	st->reset_ms = 0;
	if (st->saw_commits && seq->type == REDIS_REPLY_NIL && reply->element[2]->elements == 0) {
		st->reset_ms = st->reset_unrecorded_ms = wall_ms();
		st->saw_commits = false;
		tq_metrics.store_resets++;
		tq_metrics.store_last_reset = st->reset_ms / 1000;
	}
	if (commits > 0)
		st->saw_commits = true;
	st->seq = commits;
	st->broken = false;
	files = reply->element[2];
	/* one spare entry: the sink gets a valid pointer even for n = 0 */
	if (!(pos = calloc(files->elements / 2 + 1, sizeof(*pos)))) {
		log_warnx("redis: out of memory reading %zu positions", files->elements / 2);
		conn_fail(st);
		return;
	}
	for (i = 0; i + 1 < files->elements; i += 2) {
		const redisReply *f = files->element[i], *v = files->element[i + 1];

		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			k = -EINVAL;
		else
			k = pos_parse(st->cfg, f->str, f->len, v->str, v->len, &pos[n]);
		if (k == 0)
			n++;
		else if (k == -ENOENT)
			skipped++;
		else
			log_warnx("redis: ignoring a malformed file position (field %.100s)",
			    f->type == REDIS_REPLY_STRING ? f->str : "?");
	}
	if (skipped)
		log_info("redis: %zu stored positions belong to feeds no longer configured", skipped);
	for (i = 0; i < ndl; i++)
		total += reply->element[3 + i]->elements / 2;
	if (!(cases = calloc(total + 1, sizeof(*cases)))) {
		free(pos);
		log_warnx("redis: out of memory reading %zu case states", total);
		conn_fail(st);
		return;
	}
	for (size_t ind = 0, j = 0; ind < st->cfg->nindicators; ind++) {
		const redisReply *h;

		if (st->cfg->indicators[ind].kind != IND_DEADLINE)
			continue;
		h = reply->element[3 + j++];
		for (i = 0; i + 1 < h->elements; i += 2) {
			const redisReply *f = h->element[i], *v = h->element[i + 1];

			if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
				continue;
			cases[ncases++] = (struct stored_case){ .ind = ind, .field = f->str,
			    .flen = f->len, .text = v->str, .tlen = v->len };
		}
	}

	st->ready = true;
	st->announced = true;
	st->ready_at_ms = mono_ms();
	st->last_reply_ms = st->last_probe_ms = st->ready_at_ms;
	evtimer_del(st->watchdog_ev);
	tq_metrics.redis_connected = true;
	tq_metrics.redis_responsive = true;
	if (st->ever_ready) {
		st->reconnects++;
		tq_metrics.redis_reconnects++;
		log_info("redis: reconnected to %s (reconnect %" PRIu64 ", epoch %s)", addr_name(st),
		    st->reconnects, st->epoch);
	} else {
		log_info("redis: connected to %s (epoch %s)", addr_name(st), st->epoch);
	}
	first = !st->ever_ready;
	st->ever_ready = true;
	st->outage_logged = false;
	if (st->hooks)
		st->hooks->connected(st->hooks_arg, first);
	if (st->sink.ready)
		st->sink.ready(st->arg, pos, n, cases, ncases);
	free(pos);
	free(cases);
}

/*
 * Sends handshake step (or the first that applies at or after it): AUTH
 * when there is a password, SELECT when db is not 0, then the positions.
 * A refusal to queue means the connection is closing: its disconnect
 * callback takes over.
 */
static void
hs_send(struct store *st, enum req_kind step)
{
	const struct config *cfg = st->cfg;
	struct argv_buf *ab = &st->ab;
	struct req *rq;
	char *k, *p;
	size_t klen, plen;

	if (step == REQ_AUTH && !st->password)
		step = REQ_SELECT;
	if (step == REQ_SELECT && cfg->redis.db == 0)
		step = REQ_POLICY;
	arena_reset(&st->arena);
	ab->n = 0;
	if (argv_reserve(ab, 12) < 0 || !(rq = req_new(st, step)))
		goto oom;
	switch (step) {
	case REQ_AUTH:
		argv_str(ab, "AUTH");
		if (cfg->redis.user)
			argv_str(ab, cfg->redis.user);
		argv_push(ab, st->password, st->password_len);
		send_req(st, rq, on_hs_reply, ab);
		break;
	case REQ_SELECT:
		argv_str(ab, "SELECT");
		if (!(k = arena_printf(&st->arena, &klen, "%d", cfg->redis.db)))
			goto oom_rq;
		argv_push(ab, k, klen);
		send_req(st, rq, on_hs_reply, ab);
		break;
	case REQ_POLICY:
		/* before the epoch is taken: an evicting store gets no commit at all */
		policy_send(st, rq);
		break;
	case REQ_LEASE:
		/* before the epoch bump: a daemon that stands by fences nobody */
		if (lease_argv(st, true) < 0)
			goto oom_rq;
		st->lease_sent_ms = mono_ms();
		send_req(st, rq, on_lease_reply, ab);
		break;
	default:
		/* One transaction: a commit sent on an older connection with the old epoch
		 * can no longer apply after these positions were read. */
		if (!st->ac || redisAsyncCommand(st->ac, NULL, NULL, "MULTI") != REDIS_OK)
			goto closing;
		if (!(k = arena_key(&st->arena, cfg, "stats", &klen)))
			goto oom_rq;
		argv_str(ab, "HINCRBY");
		argv_push(ab, k, klen);
		argv_str(ab, "epoch");
		argv_str(ab, "1");
		if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv, ab->len) != REDIS_OK)
			goto closing;
		/* the commits applied so far: the sequence the next commit continues */
		ab->n = 0;
		argv_str(ab, "HGET");
		argv_push(ab, k, klen);
		argv_str(ab, "commits");
		if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv, ab->len) != REDIS_OK)
			goto closing;
		if (!(k = arena_key(&st->arena, cfg, "files", &klen)))
			goto oom_rq;
		ab->n = 0;
		argv_str(ab, "HGETALL");
		argv_push(ab, k, klen);
		if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv, ab->len) != REDIS_OK)
			goto closing;
		/* the case states of every deadline indicator, in config order */
		for (size_t i = 0; i < cfg->nindicators; i++) {
			char rest[96];

			if (cfg->indicators[i].kind != IND_DEADLINE)
				continue;
			snprintf(rest, sizeof(rest), "cases:%s", cfg->indicators[i].name);
			if (!(k = arena_key(&st->arena, cfg, rest, &klen)))
				goto oom_rq;
			ab->n = 0;
			argv_str(ab, "HGETALL");
			argv_push(ab, k, klen);
			if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv,
			    ab->len) != REDIS_OK)
				goto closing;
		}
		/* who writes here, for teleqctl status (in the transaction: one reply) */
		if (!(k = arena_key(&st->arena, cfg, "stats", &klen)))
			goto oom_rq;
		ab->n = 0;
		argv_str(ab, "HSET");
		argv_push(ab, k, klen);
		argv_str(ab, "daemon_pid");
		if (!(p = arena_printf(&st->arena, &plen, "%ld", (long)getpid())))
			goto oom_rq;
		argv_push(ab, p, plen);
		argv_str(ab, "daemon_version");
		argv_str(ab, TQ_VERSION);
		argv_str(ab, "daemon_connected_ms");
		if (!(p = arena_printf(&st->arena, &plen, "%" PRId64, wall_ms())))
			goto oom_rq;
		argv_push(ab, p, plen);
		argv_str(ab, "daemon_reconnects");
		if (!(p = arena_printf(&st->arena, &plen, "%" PRIu64, st->reconnects + (st->ever_ready ? 1 : 0))))
			goto oom_rq;
		argv_push(ab, p, plen);
		if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv, ab->len) != REDIS_OK)
			goto closing;
		ab->n = 0;
		argv_str(ab, "EXEC");
		send_req(st, rq, on_load_reply, ab);
		break;
	}
	return;
closing:
	req_free(rq);
	return;
oom_rq:
	req_free(rq);
oom:
	log_warnx("redis: out of memory during the handshake");
	conn_fail(st);
}

/* ---------------------------------------------------------- redis health */
/*
 * Issue 16. An evicting Redis (maxmemory-policy other than noeviction)
 * may drop the day hashes, "files", "stats" or the seen:* sets and so
 * corrupt the counts without a word: the handshake asks INFO memory
 * before it takes an epoch and goes no further unless the policy is
 * noeviction; the connection is then closed and tried again every
 * POLICY_RETRY_MS, so fixing Redis resumes counting (the lines stay
 * pending in the files). While connected, the same INFO memory is the
 * probe sent every PROBE_EVERY_MS (one at a time): a policy changed at
 * run time is noticed within a second, and a Redis that stopped answering
 * (SIGSTOP, a swap storm) is reported once a probe or commit has waited
 * redis.unresponsive_after. The connection is not dropped for that: the
 * REPLY_TIMEOUT_MS watchdog alone decides, so counts stay exact.
 */

/*
 * The reply to INFO memory: true when maxmemory-policy is noeviction.
 * Otherwise the refusal is kept for /healthz, the metrics and --once, and
 * logged at error level when it is new (not at every re-check).
 */
static bool
policy_check(struct store *st, const redisReply *reply)
{
	char pol[sizeof(st->refused)] = "";
	const char *why = NULL;

	if (reply->type == REDIS_REPLY_ERROR)
		why = reply_text(reply);
	else if (reply->type != REDIS_REPLY_STRING)      /* RESP2: INFO is a bulk string */
		why = "unexpected reply";
	else if (redis_info_field(reply->str, reply->len, "maxmemory_policy", pol, sizeof(pol)) < 0)
		why = "no readable maxmemory_policy";
	if (!why && redis_policy_safe(pol)) {
		if (st->policy_refused)
			log_notice("redis: maxmemory-policy is " REDIS_SAFE_POLICY " again on %s; "
			    "counting resumes", addr_name(st));
		st->policy_refused = false;
		st->refused[0] = '\0';
		tq_metrics.redis_policy_refused = false;
		tq_metrics.redis_policy[0] = '\0';
		return true;
	}
	if (!st->policy_refused || strcmp(st->refused, pol) != 0) {
		if (why)
			log_errx("redis: cannot read maxmemory-policy from %s (INFO memory: %.200s); "
			    "nothing is committed until it shows " REDIS_SAFE_POLICY
			    " (an ACL user needs +info)", addr_name(st), why);
		else
			log_errx("redis: maxmemory-policy is %s on %s: Redis may evict teleqd's keys "
			    "and corrupt the counts silently; nothing is committed (lines stay "
			    "pending) until it is " REDIS_SAFE_POLICY ": run CONFIG SET "
			    "maxmemory-policy " REDIS_SAFE_POLICY " and set it in redis.conf",
			    pol, addr_name(st));
	}
	st->policy_refused = true;
	memcpy(st->refused, pol, sizeof(pol));
	tq_metrics.redis_policy_refused = true;
	memcpy(tq_metrics.redis_policy, pol, sizeof(tq_metrics.redis_policy));
	return false;
}

/* Reply to INFO memory: of the handshake (REQ_POLICY) or a probe (REQ_PROBE). */
static void
on_policy_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct req *rq = privdata;
	struct store *st = rq->st;
	enum req_kind kind = rq->kind;
	redisReply *reply = r;

	(void)ac;
	req_free(rq);
	if (!st || !reply)
		return;         /* freed, or the disconnect callback handles the loss */
	st->last_reply_ms = mono_ms();
	if (kind == REQ_PROBE)
		st->probe_sent_ms = 0;
	if (!policy_check(st, reply)) {
		/* commits in flight hear -EIO and the sink rewinds: nothing is lost */
		conn_fail(st);
		return;
	}
	if (kind == REQ_POLICY)
		hs_send(st, REQ_LEASE);
}

/* Sends INFO memory for rq (REQ_POLICY or REQ_PROBE); frees rq when it cannot. */
static void
policy_send(struct store *st, struct req *rq)
{
	if (!st->ac || redisAsyncCommand(st->ac, on_policy_reply, rq, "INFO memory") != REDIS_OK)
		req_free(rq);   /* closing: the disconnect callback takes over */
}

/* The wait of the oldest request without a reply (probe or commit), ms. */
static int64_t
oldest_wait_ms(const struct store *st, int64_t now)
{
	int64_t sent[2] = { st->probe_sent_ms, st->ninflight ? st->inflight[0]->sent_ms : 0 };

	return redis_wait_ms(now, sent, 2);
}

/* Timer: probes an idle connection and decides whether Redis answers. */
static void
on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct store *st = arg;
	int64_t now = mono_ms(), wait;
	struct req *rq;

	(void)fd;
	(void)what;
	if (!st->ready || !st->ac)
		return;
	if (!st->probe_sent_ms && now - st->last_probe_ms >= PROBE_EVERY_MS &&
	    (rq = req_new(st, REQ_PROBE))) {
		st->probe_sent_ms = st->last_probe_ms = now;
		policy_send(st, rq);
	}
	wait = oldest_wait_ms(st, now);
	switch (redis_watch_step(&st->unresponsive, wait, st->cfg->redis.unresponsive_after_s * 1000)) {
	case RW_UNRESPONSIVE:
		log_warnx("redis: %s: no reply for %" PRId64 " s; reported unresponsive (the "
		    "connection is kept; a commit without a reply is given up after %d s)",
		    addr_name(st), wait / 1000, REPLY_TIMEOUT_MS / 1000);
		break;
	case RW_RESPONSIVE:
		log_notice("redis: %s answers again", addr_name(st));
		break;
	case RW_SAME:
		break;
	}
	tq_metrics.redis_responsive = !st->unresponsive;
}

/* See teleqd.h. */
const char *
store_policy_refused(const struct store *st)
{
	return st && st->policy_refused ? st->refused : NULL;
}

/* See teleqd.h. */
int64_t
store_unresponsive_ms(const struct store *st)
{
	int64_t wait;

	if (!st || !store_ready(st))
		return 0;
	wait = oldest_wait_ms(st, mono_ms());
	return wait >= st->cfg->redis.unresponsive_after_s * 1000 ? wait : 0;
}

/* See teleqd.h. */
int64_t
store_reply_age_ms(const struct store *st)
{
	if (!st || !store_ready(st))
		return -1;
	return mono_ms() - st->last_reply_ms;
}

/* Starts one connection attempt (from the retry timer or store_new). */
static void
conn_start(struct store *st)
{
	static const int sndbuf = SEND_BUFFER;
	redisAsyncContext *ac;
	char why[128];

	if (st->dead || st->ac)
		return;
	ac = st->is_unix ? redisAsyncConnectUnix(st->host) : redisAsyncConnect(st->host, st->port);
	if (!ac) {
		conn_lost(st, "out of memory");
		return;
	}
	if (ac->err) {
		snprintf(why, sizeof(why), "%s", ac->errstr);
		redisAsyncFree(ac);
		conn_lost(st, why);
		return;
	}
	if (!st->is_unix)
		redisEnableKeepAlive(&ac->c);   /* notice a peer that vanished without a reset */
	/* Room in the kernel for a whole commit (up to ~400 KiB with ids), so
	 * Redis can read the next one while this process is busy parsing
	 * rather than wait for its event loop. The kernel caps the size at
	 * net.core.wmem_max; a smaller buffer only costs some overlap. */
	(void)setsockopt(ac->c.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (redisLibeventAttach(ac, st->base) != REDIS_OK) {
		redisAsyncFree(ac);
		conn_lost(st, "cannot attach to the event loop");
		return;
	}
	ac->data = st;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	st->ac = ac;
	watchdog_arm(st, CONNECT_TIMEOUT_MS);
	/* queued now, written by hiredis once the socket connects */
	hs_send(st, REQ_AUTH);
}

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
static int
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
static void
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
	if (strcmp(st->lease_logged, h->token)) {
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
static void
on_lease_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct req *rq = privdata;
	struct store *st = rq->st;
	enum req_kind kind = rq->kind;
	redisReply *reply = r;
	struct lease_holder h;
	char who[LEASE_DESCRIBE_MAX];
	long long code;

	(void)ac;
	req_free(rq);
	if (!st || !reply)
		return;         /* freed, or the disconnect callback handles the loss */
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
static void
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

/* See teleqd.h. */
int64_t
store_standby_ms(const struct store *st)
{
	if (!st || !st->lease_standby || !st->lease_standby_since)
		return 0;
	return mono_ms() - st->lease_standby_since;
}

/* See teleqd.h. */
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
 * See teleqd.h. Written to the socket here and now: the loop is ending,
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

/* --------------------------------------------------------------- commit */

/* Adds an applied commit of b (reply { events, duplicates }) to the metrics. */
static void
count_commit(const struct batch *b, const redisReply *reply, int64_t latency_ms)
{
	size_t f, k;

	tq_metrics.commits++;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
	    reply->element[1]->type == REDIS_REPLY_INTEGER && reply->element[1]->integer > 0)
		tq_metrics.duplicates += (uint64_t)reply->element[1]->integer;
	for (f = 0; f < BATCH_MAX_FEEDS; f++) {
		tq_metrics.lines[f] += b->lines[f];
		tq_metrics.header_changes[f] += b->header_changes[f];
		tq_metrics.events[f] += b->events_by_feed[f];
		for (k = 0; k < REJ__MAX; k++)
			tq_metrics.rejects[f][k] += b->rejects[f * REJ__MAX + k];
	}
	metrics_observe_latency(&tq_metrics, (double)latency_ms);
}

/*
 * Reply to a commit's EVAL: the outcome, then done (last: it may free the
 * store). Redis answers in the order the commits were sent, so this is the
 * oldest one in flight.
 */
static void
on_commit_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct req *rq = privdata;
	struct store *st = rq->st;
	const struct batch *b = rq->b;
	store_done_fn *done = rq->done;
	void *darg = rq->done_arg;
	int64_t sent_ms = rq->sent_ms, reset_ms = rq->reset_ms;
	redisReply *reply = r;
	unsigned suppressed = 0, i;
	int status;

	(void)ac;
	if (st && (st->ninflight == 0 || st->inflight[0] != rq))
		fatalx("redis: commit replies out of order");   /* hiredis answers in order */
	req_free(rq);
	if (!st)
		return;         /* the store was freed: nobody to tell */
	if (reply)
		st->last_reply_ms = mono_ms();
	for (i = 1; i < st->ninflight; i++)
		st->inflight[i - 1] = st->inflight[i];
	st->ninflight--;
	if (st->ninflight)
		watchdog_arm(st, REPLY_TIMEOUT_MS);     /* the next one gets its own time */
	else
		evtimer_del(st->watchdog_ev);
	if (!reply || reply->type == REDIS_REPLY_ERROR)
		tq_metrics.commit_failures++;
	if (!reply) {
		/* the disconnect callback logs the loss and tells the sink */
		st->ready = false;
		log_debug("redis: connection lost with a commit in flight: outcome unknown");
		status = -EIO;
	} else if (reply->type == REDIS_REPLY_ERROR) {
		/* A commit after a refused one is refused by its sequence: only
		 * the first refusal says anything new. */
		if (!st->broken && ratelimit_pass(&st->rl, mono_ms() / 1000, &suppressed))
			log_warnx("redis: commit refused: %.300s%s", reply_text(reply),
			    suppressed ? " (and earlier ones not logged)" : "");
		st->broken = true;
		/* reconnect, so the sink rewinds to what Redis holds */
		conn_fail(st);
		status = -EIO;
	} else {
		if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
		    reply->element[1]->type == REDIS_REPLY_INTEGER && reply->element[1]->integer > 0)
			log_debug("redis: commit: %lld events, %lld duplicate ids",
			    reply->element[0]->integer, reply->element[1]->integer);
		st->commits++;
		st->backoff_ms = 0;
		st->saw_commits = true;
		if (reset_ms && st->reset_unrecorded_ms == reset_ms)
			st->reset_unrecorded_ms = 0;    /* stats reset_ms holds it now */
		count_commit(b, reply, mono_ms() - sent_ms);
		if (st->hooks)
			st->hooks->committed(st->hooks_arg, b);
		status = 0;
	}
	if (done)
		done(darg, status);
}

/*
 * Sends b as one atomic commit (see the top of this file). Up to
 * STORE_INFLIGHT_MAX commits may be in flight; each carries the sequence
 * number it expects to find in Redis, so when one is refused every later
 * one is refused too and never lands past the data it skipped. done
 * follows exactly once per commit, in the order of the calls (unless the
 * store is freed first). Returns 0, -ENOTCONN (not ready, or a commit on
 * this connection failed), -EBUSY (STORE_INFLIGHT_MAX in flight), -ENOMEM,
 * -E2BIG, -EINVAL. b must not change until done runs.
 */
int
store_commit(struct store *st, const struct batch *b, store_done_fn *done, void *arg)
{
	struct commit_head head;
	struct req *rq;
	int r;

	if (!st->ready || !st->ac || st->broken)
		return -ENOTCONN;
	if (st->ninflight == STORE_INFLIGHT_MAX)
		return -EBUSY;
	head.epoch = st->epoch;
	head.seq = st->seq;
	head.now_ms = wall_ms();
	head.reset_ms = st->reset_unrecorded_ms;
	if ((r = commit_build(&st->cscratch, &st->arena, &st->ab, st->cfg, &head, b)) < 0) {
		log_warnx("redis: cannot build a commit: %s", strerror(-r));
		return r;
	}
	if (!(rq = req_new(st, REQ_COMMIT)))
		return -ENOMEM;
	rq->b = b;
	rq->done = done;
	rq->done_arg = arg;
	rq->sent_ms = mono_ms();
	rq->seq = st->seq;
	rq->reset_ms = st->reset_unrecorded_ms;
	if ((r = send_req(st, rq, on_commit_reply, &st->ab)) < 0)
		return r;
	st->seq++;
	if (st->ninflight++ == 0)
		watchdog_arm(st, REPLY_TIMEOUT_MS);
	st->inflight[st->ninflight - 1] = rq;
	/* hiredis copied the command: the strings are dead already */
	arena_reset(&st->arena);
	return 0;
}

/* ---------------------------------------- for the modules that send over it */

/* The config in force. */
const struct config *
store_config(const struct store *st)
{
	return st->cfg;
}

/* The reset this connection's handshake found; see teleqd.h. */
int64_t
store_reset_ms(const struct store *st)
{
	return st->reset_ms;
}

/* Today's local day number in the configured zone. */
int64_t
store_today(const struct store *st)
{
	int64_t now = cal_now();

	return floor_div(now + tz_utc_offset(st->tz, now), 86400);
}

/* Seconds east of UTC at utc in the configured zone. */
int32_t
store_utc_offset(const struct store *st, int64_t utc)
{
	return tz_utc_offset(st->tz, utc);
}

/* The configured zone. */
const struct tz *
store_tz(const struct store *st)
{
	return st->tz;
}

/* Sets the hooks pipeline.c hears the store's events with. */
void
store_set_hooks(struct store *st, const struct store_hooks *h, void *arg)
{
	st->hooks = h;
	st->hooks_arg = h ? arg : NULL;
}

/* True when commands may be sent. */
bool
store_ready(const struct store *st)
{
	return st->ready && st->ac;
}

/*
 * Queues one command for another module (recompute.c, alerter.c, outbox.c,
 * dash.c), formatted by resp_format (hiredis's
 * own argv formatting was a quarter of the daemon's CPU when live lines
 * keep the indicators recomputing). Returns 0, -ENOTCONN when not ready or
 * refused, -ENOMEM.
 */
int
store_send(struct store *st, redisCallbackFn *fn, void *privdata, const struct argv_buf *ab)
{
	ssize_t len;

	if (!store_ready(st) || ab->n > INT_MAX)
		return -ENOTCONN;
	if ((len = resp_format(ab, &st->resp, &st->resp_cap)) < 0)
		return (int)len;
	if (redisAsyncFormattedCommand(st->ac, fn, privdata, st->resp, (size_t)len) != REDIS_OK)
		return -ENOTCONN;
	return 0;
}

/* ----------------------------------------------------------- public API */

/*
 * Creates the store and starts connecting (a failed attempt is retried, it
 * is not an error here). idkey is not needed: ids arrive hashed. Returns 0
 * and *ret, -EINVAL (bad address), -EPERM (password file readable by
 * others), -ENOENT and friends (password file, timezone), -ENOMEM. Each
 * cause is logged here.
 */
int
store_new(struct event_base *base, const struct config *cfg, const uint8_t *idkey,
          const struct store_sink *sink, void *arg, struct store **ret)
{
	static const struct timeval probe_tv = { 0, PROBE_TICK_MS * 1000 };
	struct store *st;
	int r;

	(void)idkey;
	if (!(st = calloc(1, sizeof(*st))))
		return -ENOMEM;
	st->base = base;
	st->cfg = cfg;
	if (sink)
		st->sink = *sink;
	st->arg = arg;
	st->rl.interval = 60;
	st->rl.burst = 5;
	if (!tq_metrics.started)
		tq_metrics.started = wall_ms() / 1000;
	st->rng = ((uint64_t)wall_ms() << 16) ^ (uint64_t)getpid() ^ (uintptr_t)st;
	if (!st->rng)
		st->rng = 1;
	if ((r = parse_address(cfg->redis.address, &st->is_unix, &st->host, &st->port)) < 0) {
		if (r == -EINVAL)
			log_warnx("redis: bad address '%s': expected unix:/path or host:port",
			    cfg->redis.address);
		goto fail;
	}
	if (cfg->redis.password_file &&
	    (r = read_password(cfg->redis.password_file, &st->password, &st->password_len)) < 0)
		goto fail;
	if ((r = tz_load(cfg->timezone ? cfg->timezone : "Europe/Stockholm", &st->tz)) < 0) {
		log_warnx("redis: timezone %s: %s", cfg->timezone, strerror(-r));
		goto fail;
	}
	st->retry_ev = evtimer_new(base, on_retry, st);
	st->watchdog_ev = evtimer_new(base, on_watchdog, st);
	st->probe_ev = event_new(base, -1, EV_PERSIST, on_probe, st);
	st->lease_ev = evtimer_new(base, on_lease, st);
	if (!st->retry_ev || !st->watchdog_ev || !st->probe_ev || !st->lease_ev ||
	    event_add(st->probe_ev, &probe_tv) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	conn_start(st);
	*ret = st;
	return 0;
fail:
	store_destroy(st);
	return r;
}

/* Frees everything of st but the connection (already closed). */
static void
store_destroy(struct store *st)
{
	if (st->retry_ev)
		event_free(st->retry_ev);
	if (st->watchdog_ev)
		event_free(st->watchdog_ev);
	if (st->probe_ev)
		event_free(st->probe_ev);
	if (st->lease_ev)
		event_free(st->lease_ev);
	tz_free(st->tz);
	free(st->host);
	password_free(st->password, st->password_len);
	arena_free(&st->arena);
	argv_free(&st->ab);
	free(st->resp);
	commit_scratch_free(&st->cscratch);
	free(st);
}

/*
 * Closes the connection and frees st. Neither done nor the sink is called
 * for requests still in flight. Safe to call from inside done or ready.
 * Accepts NULL.
 */
void
store_free(struct store *st)
{
	struct req *rq;

	if (!st || st->dead)
		return;
	st->dead = true;
	/* orphan every request: hiredis still calls them, with NULL, while freeing */
	for (rq = st->reqs; rq; rq = rq->next)
		rq->st = NULL;
	st->reqs = NULL;
	st->ninflight = 0;
	st->announced = false;
	conn_close(st);
	if (st->retry_ev)
		evtimer_del(st->retry_ev);
	if (st->watchdog_ev)
		evtimer_del(st->watchdog_ev);
	if (st->probe_ev)
		event_del(st->probe_ev);
	if (st->lease_ev)
		evtimer_del(st->lease_ev);
	if (st->depth == 0)
		store_destroy(st);
}

/* True when a commit may be sent now. */
bool
store_connected(const struct store *st)
{
	return st && store_ready(st);
}

/*
 * Replaces the config. Redis settings unchanged (address, user, password
 * file, db, prefix, tag): the connection stays. Otherwise it is closed (a
 * commit in flight hears done(-EIO), the sink hears down) and a new one
 * follows, which reads the positions under the new keys. Returns 0, or
 * -errno when the new timezone, address or password file is unusable; the
 * old config then stays in force.
 */
int
store_reconfigure(struct store *st, const struct config *cfg)
{
	bool same = redis_equal(st->cfg, cfg);
	struct tz *ntz = NULL;
	char *host = NULL, *pw = NULL;
	size_t pwlen = 0;
	bool is_unix = false;
	int port = 0, r;

	if (!str_eq(st->cfg->timezone, cfg->timezone) &&
	    (r = tz_load(cfg->timezone ? cfg->timezone : "Europe/Stockholm", &ntz)) < 0) {
		log_warnx("redis: timezone %s: %s", cfg->timezone, strerror(-r));
		return r;
	}
	if (!same) {
		if ((r = parse_address(cfg->redis.address, &is_unix, &host, &port)) < 0 ||
		    (cfg->redis.password_file &&
		     (r = read_password(cfg->redis.password_file, &pw, &pwlen)) < 0)) {
			if (r == -EINVAL && !host)
				log_warnx("redis: bad address '%s'", cfg->redis.address);
			free(host);
			tz_free(ntz);
			return r;
		}
	}
	st->cfg = cfg;
	if (ntz) {
		tz_free(st->tz);
		st->tz = ntz;
	}
	if (st->hooks)
		st->hooks->reconfigured(st->hooks_arg);
	if (same)
		return 0;
	free(st->host);
	password_free(st->password, st->password_len);
	st->host = host;
	st->port = port;
	st->is_unix = is_unix;
	st->password = pw;
	st->password_len = pwlen;
	log_info("redis: settings changed, reconnecting to %s", addr_name(st));
	st->backoff_ms = 0;
	/* another store: finding it empty is no reset */
	st->saw_commits = false;
	st->reset_unrecorded_ms = 0;
	if (!st->ac)
		return 0;       /* an attempt is scheduled already; it uses the new settings */
	st_hold(st);
	conn_close(st);
	if (st_release(st))
		return 0;
	conn_lost(st, NULL);
	return 0;
}
