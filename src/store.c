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
 * With redis.sentinels, every connection attempt first asks the sentinels
 * (sentinel.c, async) which server is the master, and the handshake checks
 * that it still is (store_handshake.c). After a failover the new master may
 * lack the old one's last commits; since each commit wrote its counters and
 * its positions together, it lacks both, and the handshake's positions make
 * the sink rewind the feeds to where that server's counters end. A server
 * not talked to before also gets every indicator recomputed (the connected
 * hook's first): its indicator hashes may lag its counters.
 *
 * The store's files: this one (life, the connection, redis health,
 * commits, what it lends other modules), store_handshake.c (a new
 * connection's handshake), store_lease.c (the writer lease); struct store
 * is in store_int.h, which only they include.
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

#include "core.h"
#include "batch.h"
#include "clock.h"
#include "log.h"
#include "map.h"
#include "metrics.h"
#include "redis_addr.h"
#include "redis_health.h"
#include "secret.h"
#include "sentinel.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
#include "store_priv.h"
#include "store_int.h"
#include "dlist.h"

static void conn_start(struct store *st);
static void on_probe(evutil_socket_t fd, short what, void *arg);
static void store_destroy(struct store *st);

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
void
st_hold(struct store *st)
{
	st->depth++;
}

/* Ends st_hold. Returns true when the store was freed meanwhile: stop touching it. */
bool
st_release(struct store *st)
{
	if (--st->depth == 0 && st->dead) {
		store_destroy(st);
		return true;
	}
	return false;
}

/* Allocates a request linked into st. NULL on ENOMEM. */
struct req *
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
void
req_free(struct req *rq)
{
	struct store *st = rq->st;

	if (st)
		DLIST_UNLINK(st->reqs, rq);
	free(rq);
}

/* Frees the request of a reply; its store, or NULL: see store_int.h. */
struct store *
req_take(void *privdata, const void *reply, enum req_kind *ret_kind)
{
	struct req *rq = privdata;
	struct store *st = rq->st;

	if (ret_kind)
		*ret_kind = rq->kind;
	req_free(rq);
	return reply ? st : NULL;
}

/*
 * Queues argv with privdata rq. Returns 0; or frees rq and returns
 * -ENOTCONN when hiredis refuses, -ENOMEM.
 */
int
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
 * Parses the address (redis_addr_parse, the parser the config check used).
 * Returns 0 with *ret_host allocated, -EINVAL, -ENOMEM.
 */
static int
parse_address(const char *addr, bool *ret_unix, char **ret_host, int *ret_port)
{
	struct redis_addr ra;

	if (redis_addr_parse(addr, &ra) < 0)
		return -EINVAL;
	if (!(*ret_host = strdup(ra.host)))
		return -ENOMEM;
	*ret_unix = ra.is_unix;
	*ret_port = ra.port;
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

/* True when two configs name the same sentinels (in the same order) and master. */
static bool
sentinels_equal(const struct config *a, const struct config *b)
{
	if (a->redis.nsentinels != b->redis.nsentinels ||
	    !str_eq(a->redis.master_name, b->redis.master_name))
		return false;
	for (size_t i = 0; i < a->redis.nsentinels; i++)
		if (!str_eq(a->redis.sentinels[i], b->redis.sentinels[i]))
			return false;
	return true;
}

/* True when two configs talk to the same Redis the same way, under the same keys. */
static bool
redis_equal(const struct config *a, const struct config *b)
{
	return sentinels_equal(a, b) && str_eq(a->redis.address, b->redis.address) && str_eq(a->redis.user, b->redis.user) &&
	    str_eq(a->redis.password_file, b->redis.password_file) &&
	    str_eq(a->redis.prefix, b->redis.prefix) && str_eq(a->redis.tag, b->redis.tag) &&
	    a->redis.db == b->redis.db;
}

/*
 * The address for messages ("unix:/run/redis.sock", "10.0.0.5:6379"); with
 * sentinels the master they named ("10.0.0.5:6379 (master mymaster)").
 */
const char *
addr_name(const struct store *st)
{
	if (st->cfg->redis.nsentinels)
		return st->master_desc;    /* set by store_new and each sentinel answer */
	return st->cfg->redis.address;     /* config.c sets its default */
}

/* master_desc before any sentinel answered, or after none did. */
static void
master_desc_unknown(struct store *st)
{
	snprintf(st->master_desc, sizeof(st->master_desc), "master %s (via the sentinels)",
	    st->cfg->redis.master_name ? st->cfg->redis.master_name : "?");
}

/* -------------------------------------------------------- the connection */

/* Arms the watchdog to fire in ms milliseconds. */
void
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
void
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
void
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
void
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
	enum req_kind kind;
	struct store *st = req_take(privdata, r, &kind);
	redisReply *reply = r;

	(void)ac;
	if (!st)
		return;
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
void
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

/* See store.h. */
const char *
store_policy_refused(const struct store *st)
{
	return st && st->policy_refused ? st->refused : NULL;
}

/* See store.h. */
int64_t
store_unresponsive_ms(const struct store *st)
{
	int64_t wait;

	if (!st || !store_ready(st))
		return 0;
	wait = oldest_wait_ms(st, mono_ms());
	return wait >= st->cfg->redis.unresponsive_after_s * 1000 ? wait : 0;
}

/* See store.h. */
int64_t
store_reply_age_ms(const struct store *st)
{
	if (!st || !store_ready(st))
		return -1;
	return mono_ms() - st->last_reply_ms;
}

/*
 * A sentinel answered (status 0: the master in *m) or none did. Connects
 * to the master named; a new one is logged (a failover, or the first).
 */
static void
on_sentinel_done(void *arg, int status, const struct redis_addr *m, size_t index,
                 const char *why)
{
	struct store *st = arg;
	char msg[640];
	char *host;

	sentinel_query_free(st->sq);
	st->sq = NULL;
	if (status < 0) {
		snprintf(msg, sizeof(msg), "no sentinel named master %s: %s",
		    st->cfg->redis.master_name, why ? why : "?");
		master_desc_unknown(st);
		conn_lost(st, msg);
		return;
	}
	st->sentinel_next = index;      /* it answered: ask it first next time */
	if (!st->host || st->is_unix || st->port != m->port || strcmp(st->host, m->host) != 0) {
		if (!(host = strdup(m->host))) {
			conn_lost(st, "out of memory");
			return;
		}
		/* sentinel_parse_reply takes no unix socket: host:port, or [v6]:port */
		snprintf(st->master_desc, sizeof(st->master_desc), strchr(m->host, ':') ?
		    "[%s]:%d (master %s)" : "%s:%d (master %s)", m->host, m->port,
		    st->cfg->redis.master_name);
		if (st->host)
			log_notice("redis: the sentinels name %s: a failover; re-reading the "
			    "positions there", st->master_desc);
		else
			log_info("redis: the sentinels name %s", st->master_desc);
		free(st->host);
		st->host = host;
		st->port = m->port;
		st->is_unix = m->is_unix;
		/* another server: an empty one is not a reset of this one, and its
		 * indicator hashes are recomputed in full (mark_ready) */
		st->saw_commits = false;
		st->reset_unrecorded_ms = 0;
		st->new_server = true;
	}
	conn_open(st);
}

/* Starts one connection attempt (from the retry timer or store_new). */
static void
conn_start(struct store *st)
{
	const struct config *cfg = st->cfg;
	int r;

	if (st->dead || st->ac || st->sq)
		return;
	if (!cfg->redis.nsentinels) {
		conn_open(st);
		return;
	}
	/* every (re)connect asks where the master is now */
	r = sentinel_query_start(st->base, cfg->redis.sentinels, cfg->redis.nsentinels,
	    st->sentinel_next, cfg->redis.master_name, on_sentinel_done, st, &st->sq);
	if (r < 0)
		conn_lost(st, strerror(-r));
}

/* Opens the connection to st->host / st->port; see store_int.h. */
void
conn_open(struct store *st)
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

/* The reset this connection's handshake found; see store.h. */
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

	return floor_div(now + tz_utc_offset(st->tz, now), SECS_PER_DAY);
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
	master_desc_unknown(st);
	if (!cfg->redis.nsentinels &&
	    (r = parse_address(cfg->redis.address, &st->is_unix, &st->host, &st->port)) < 0) {
		if (r == -EINVAL)
			log_warnx("redis: bad address '%s': expected unix:/path or host:port",
			    cfg->redis.address);
		goto fail;
	}
	if (cfg->redis.password_file &&
	    (r = read_password(cfg->redis.password_file, &st->password, &st->password_len)) < 0)
		goto fail;
	if ((r = tz_load(cfg->timezone, &st->tz)) < 0) {
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
	sentinel_query_free(st->sq);
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
	sentinel_query_free(st->sq);
	st->sq = NULL;
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
	    (r = tz_load(cfg->timezone, &ntz)) < 0) {
		log_warnx("redis: timezone %s: %s", cfg->timezone, strerror(-r));
		return r;
	}
	if (!same) {
		if ((!cfg->redis.nsentinels &&
		     (r = parse_address(cfg->redis.address, &is_unix, &host, &port)) < 0) ||
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
	if (st->sq) {
		/* it reads the old config's sentinels: ask again from the new one */
		sentinel_query_free(st->sq);
		st->sq = NULL;
		if (same)
			conn_start(st);
	}
	if (same)
		return 0;
	free(st->host);
	password_free(st->password, st->password_len);
	st->host = host;
	st->port = port;
	st->is_unix = is_unix;
	st->password = pw;
	st->password_len = pwlen;
	master_desc_unknown(st);
	log_info("redis: settings changed, reconnecting to %s", addr_name(st));
	st->backoff_ms = 0;
	/* another store: finding it empty is no reset */
	st->saw_commits = false;
	st->reset_unrecorded_ms = 0;
	if (!st->ac) {
		/* an attempt is scheduled already (it uses the new settings), unless a
		 * sentinel query was cancelled above */
		if (!evtimer_pending(st->retry_ev, NULL))
			conn_start(st);
		return 0;
	}
	st_hold(st);
	conn_close(st);
	if (st_release(st))
		return 0;
	conn_lost(st, NULL);
	return 0;
}

/* Logs an error reply once a round, rate limited; see store_priv.h. */
void
store_reply_error(struct ratelimit *rl, bool *failed, const char *who, const char *what,
                     const redisReply *r)
{
	unsigned suppressed = 0;

	if (!*failed && ratelimit_pass(rl, mono_ms() / 1000, &suppressed))
		log_warnx("%s: %s refused: %.200s%s", who, what, r->str ? r->str : "?",
		    suppressed ? " (similar messages suppressed)" : "");
	*failed = true;
}
