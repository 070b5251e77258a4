/* store.h — store*.c: the Redis side. Conventions: core.h. */
#ifndef TQ_STORE_H
#define TQ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct config;
struct file_pos;
struct batch;

/* ---------------------------------------------------------------- store.c */
/*
 * The Redis side: hiredis async on the libevent loop. A commit is one Lua
 * script run (atomic like MULTI/EXEC, but able to decide per record for
 * de-duplication): counter deltas, seen-id set members, reject counters,
 * dead letters and file positions, all keys in KEYS under one hash tag.
 * After each commit the indicator hashes of the touched periods are
 * recomputed from the counters.
 */
struct store;
/* A committed case state of a deadline indicator, as the handshake read it. */
struct stored_case {
	size_t      ind;                /* indicator index */
	const char *field, *text;       /* case id (32 letters a-p), case_format text */
	size_t      flen, tlen;
};
struct store_sink {
	/* Connected and authenticated; pos holds every committed file position
	 * and cases every committed case state (both valid during the call). */
	void (*ready)(void *arg, const struct file_pos *pos, size_t n,
	              const struct stored_case *cases, size_t ncases);
	/* Connection lost; an in-flight commit's outcome is unknown. Reconnect follows. */
	void (*down)(void *arg);
};
typedef void store_done_fn(void *arg, int status);
/*
 * Commits that may be in flight at once. Two let Redis apply one while the
 * next is already on its way (a backfill with ids is bound by Redis); more
 * would only hold more batches in memory.
 */
#define STORE_INFLIGHT_MAX 2
int  store_new(struct event_base *base, const struct config *cfg, const uint8_t *idkey,
               const struct store_sink *sink, void *arg, struct store **ret);
void store_free(struct store *st);
/*
 * Sends b as one atomic commit. done(arg, 0) when applied, done(arg, -errno)
 * when it failed or its outcome is unknown (the caller then waits for ready
 * and rewinds to the stored positions). Up to STORE_INFLIGHT_MAX commits may
 * be in flight; their done calls come in the order of the store_commit
 * calls, and once one fails every later one fails too. b must not change
 * until done runs. -ENOTCONN when not connected (or a commit on this
 * connection failed), -EBUSY when STORE_INFLIGHT_MAX are in flight.
 */
int  store_commit(struct store *st, const struct batch *b, store_done_fn *done, void *arg);
/*
 * Wall-clock ms at which this connection's handshake found the store
 * emptied (no stats "commits" and no file position, after this process
 * had seen commits there), 0 when it did not. Valid from sink.ready until
 * the next connection. A daemon started against an emptied Redis cannot
 * tell it from a first start: that is never a reset.
 */
int64_t store_reset_ms(const struct store *st);
bool store_connected(const struct store *st);
/*
 * Not committing because Redis's maxmemory-policy may evict keys: the
 * policy ("" when INFO memory could not tell), valid until the next
 * callback; NULL while the policy is fine (or not yet known). Accepts NULL.
 */
const char *store_policy_refused(const struct store *st);
/*
 * How long (ms) the oldest request to Redis (a commit or the idle probe)
 * has waited, when that is at least redis.unresponsive_after; 0 while
 * Redis answers in time or there is no connection. Accepts NULL.
 */
int64_t store_unresponsive_ms(const struct store *st);
/* ms since Redis last answered on this connection; -1 when not connected. Accepts NULL. */
int64_t store_reply_age_ms(const struct store *st);
/* Replaces the config (SIGHUP); the connection is kept when redis settings are equal. */
int  store_reconfigure(struct store *st, const struct config *cfg);
/*
 * True when another daemon holds the writer lease and this one stands by
 * (connected, not committing); buf (may be NULL) gets the holder
 * (lease_describe). False when connecting, active, or st is NULL.
 */
bool store_standby(const struct store *st, char *buf, size_t len);
/* How long st has stood by without a break, in ms; 0 when it does not stand by. */
int64_t store_standby_ms(const struct store *st);
/*
 * Gives the writer lease back at a clean stop (compare-and-delete, written
 * to the socket at once), so a standby takes over without waiting for the
 * expiry. Not for a reload: the rebuilt store takes the lease again.
 * Accepts NULL; does nothing when st does not hold the lease.
 */
void store_release_lease(struct store *st);

#endif /* TQ_STORE_H */
