/*
 * store_int.h — the insides of the store, shared by its own files only:
 * store.c (life, the connection, redis health, commits), store_handshake.c
 * (a new connection's handshake) and store_lease.c (the writer lease).
 * Nothing else includes it: the other modules see store_priv.h.
 */
#ifndef TELEQD_STORE_INT_H
#define TELEQD_STORE_INT_H

#include <event2/event.h>
#include <hiredis/async.h>

#include "batch.h"
#include "lease.h"
#include "log.h"
#include "redis_addr.h"
#include "sentinel.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
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

enum req_kind { REQ_AUTH, REQ_SELECT, REQ_ROLE, REQ_POLICY, REQ_LEASE, REQ_LOAD, REQ_COMMIT, REQ_PROBE,
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
	/* redis.sentinels: the query before a connection (sentinel.c), the
	 * sentinel to ask first (the one that answered last), the master's
	 * address for messages ("host:port (master NAME)") */
	struct sentinel_query *sq;
	size_t               sentinel_next;
	char                 master_desc[REDIS_ADDR_MAX + SENTINEL_NAME_MAX + 16];
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
	bool                 new_server;    /* the sentinels named a server not connected to
	                                     * before: the connected hook's first */

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


/* ---- defined in store.c */
/* The address for messages ("unix:/run/redis.sock", "10.0.0.5:6379"). */
const char *addr_name(const struct store *st);

/*
 * Closes the connection now, from outside any hiredis callback of ours
 * (timer, reconfigure, free). hiredis runs every pending reply callback
 * with NULL (a commit in flight hears done(-EIO)); our disconnect callback
 * ignores it, so the caller decides what follows. Callers that go on
 * using st afterwards must hold it.
 */
void conn_close(struct store *st);

/*
 * Inside a reply callback: the connection is unusable (handshake refused,
 * commit refused). Stops commits now and lets hiredis close the
 * connection once the pending replies are in; the disconnect callback then
 * schedules the reconnect.
 */
void conn_fail(struct store *st);

/*
 * The connection is gone (or never came up): forget it, schedule the next
 * attempt and, when the sink had heard ready, tell it down. why is the
 * cause for the log, NULL when it was logged already. The sink is called
 * last: it may free the store.
 */
void conn_lost(struct store *st, const char *why);

/* Sends INFO memory for rq (REQ_POLICY or REQ_PROBE); frees rq when it cannot. */
void policy_send(struct store *st, struct req *rq);

/* Unlinks (unless orphaned) and frees a request. */
void req_free(struct req *rq);

/*
 * The start of a reply callback: frees the request privdata and returns
 * its store, its kind in *ret_kind (may be NULL). NULL when the store was
 * freed or reply is NULL (the disconnect callback handles the loss): the
 * callback has nothing more to do.
 */
struct store *req_take(void *privdata, const void *reply, enum req_kind *ret_kind);

/* Allocates a request linked into st. NULL on ENOMEM. */
struct req *req_new(struct store *st, enum req_kind kind);

/*
 * Queues argv with privdata rq. Returns 0; or frees rq and returns
 * -ENOTCONN when hiredis refuses, -ENOMEM.
 */
int send_req(struct store *st, struct req *rq, redisCallbackFn *fn, const struct argv_buf *ab);

/* Keeps st's memory alive across a call that may run user callbacks. */
void st_hold(struct store *st);

/* Ends st_hold. Returns true when the store was freed meanwhile: stop touching it. */
bool st_release(struct store *st);

/* Arms the watchdog to fire in ms milliseconds. */
void watchdog_arm(struct store *st, int ms);

/* Opens the connection to st->host / st->port (the address, or the master a sentinel named). */
void conn_open(struct store *st);

/* ---- defined in store_handshake.c */
/*
 * Sends handshake step (or the first that applies at or after it): AUTH
 * when there is a password, SELECT when db is not 0, the role with
 * sentinels, the policy, the lease, then the positions.
 * A refusal to queue means the connection is closing: its disconnect
 * callback takes over.
 */
void hs_send(struct store *st, enum req_kind step);

/* Copies a reply's text for a message (Redis errors hold no secrets of ours). */
const char *reply_text(const redisReply *r);

/* ---- defined in store_lease.c */
/*
 * EVAL of the take (and renew) or the release script into st->ab.
 * 0, -ENOMEM, -ENOBUFS.
 */
int lease_argv(struct store *st, bool take);

/* The connection is gone: neither holder nor standby until the next handshake. */
void lease_conn_lost(struct store *st);

/* Timer: a holder's renewal tick, or a standby's next attempt. */
void on_lease(evutil_socket_t fd, short what, void *arg);

/*
 * Reply to a take (REQ_LEASE, in the handshake) or a renewal (REQ_RENEW):
 * {code, value, pttl}, see lease_take_lua.
 */
void on_lease_reply(redisAsyncContext *ac, void *r, void *privdata);

#endif /* TELEQD_STORE_INT_H */
