/*
 * store_priv.h — what the Redis-side modules share, and nothing else:
 * store.c (the connection and commits) and its children recompute.c
 * (indicator hashes), alerter.c (alert decisions) and outbox.c (delivery),
 * which send their commands over the store's one connection.
 *
 * Both sides keep their structs private: only functions and opaque types
 * cross this header, so a change to either struct cannot leave a stale
 * object behind (the Makefile tracks include/teleqd.h, not this file).
 */
#ifndef TELEQD_STORE_PRIV_H
#define TELEQD_STORE_PRIV_H

#include <string.h>
#include <sys/types.h>

#include <hiredis/async.h>

#include "teleqd.h"

/* ---- resp.c: building commands (strings, argument arrays, RESP) */

/*
 * A bump allocator for the strings of one command being built. Everything
 * taken from it is dead once redisAsyncCommandArgv has copied the command
 * into hiredis's output buffer, so it is reset per command and its size is
 * bounded by the largest command (that is, by the batch size).
 */
struct arena_block;
struct arena {
	struct arena_block *head;       /* first block, kept across resets */
	struct arena_block *cur;        /* block being filled */
};
/* Forgets every string; keeps the first block, frees the others. */
void arena_reset(struct arena *a);
/* Frees all blocks; safe on a zeroed or already freed arena. */
void arena_free(struct arena *a);
/* Copies s[0..len) plus a NUL. Returns the copy or NULL (out of memory). */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* printf into the arena; *ret_len (may be NULL) gets the length. NULL on ENOMEM. */
char *arena_printf(struct arena *a, size_t *ret_len, const char *fmt, ...) TQ_PRINTF(3, 4);
/*
 * Room for at least want bytes at the end of the arena, its size in
 * *ret_avail; nothing is taken until arena_take(). NULL on ENOMEM.
 */
char *arena_room(struct arena *a, size_t want, size_t *ret_avail);
/* Takes n bytes of the room arena_room() returned last (n <= its *ret_avail). */
void  arena_take(struct arena *a, size_t n);
/* "%" PRId64 of v into the arena, without printf. NULL on ENOMEM. */
char *arena_i64(struct arena *a, int64_t v, size_t *ret_len);
/*
 * Pushes integer v_, formatted in arena a_, onto argv_buf ab_; out of
 * memory returns -ENOMEM from the calling function (a command builder).
 */
#define ARGV_PUSH_I64(a_, ab_, v_) do {                                          \
		size_t l_;                                                       \
		char *s_ = arena_i64((a_), (int64_t)(v_), &l_);                  \
		if (!s_)                                                         \
			return -ENOMEM;                                          \
		argv_push((ab_), s_, l_);                                        \
	} while (0)
/* K <rest>: key_name(cfg, ..., "%s", rest) into the arena. NULL on ENOMEM/overlong. */
char *arena_key(struct arena *a, const struct config *cfg, const char *rest, size_t *ret_len);
/* The counter field of combo c (combo_format) into the arena. NULL on ENOMEM or overlong. */
char *arena_combo(struct arena *a, const struct config *cfg, const struct combo *c,
                  size_t *ret_len);

/* Grows a pair of argv arrays to hold n entries. 0 or -ENOMEM. */
struct argv_buf {
	const char **argv;
	size_t      *len;
	size_t       n, cap;
};
int  argv_reserve(struct argv_buf *ab, size_t n);
void argv_free(struct argv_buf *ab);
/* Appends one argument (not copied). The caller reserved room. */
static inline void
argv_push(struct argv_buf *ab, const char *s, size_t len)
{
	ab->argv[ab->n] = s;
	ab->len[ab->n] = len;
	ab->n++;
}
/* Appends a NUL-terminated string argument (not copied). The caller reserved room. */
static inline void
argv_str(struct argv_buf *ab, const char *s)
{
	argv_push(ab, s, strlen(s));
}
/*
 * Formats ab as one RESP command into *buf (grown as needed and kept for
 * the next call; the caller frees it), NUL-terminated (the NUL not
 * counted). Returns the length, or -ENOMEM (*buf unchanged).
 */
ssize_t resp_format(const struct argv_buf *ab, char **buf, size_t *cap);

/* ---- resp.c: sorted number arrays (commits, recomputes, the dashboard) */
/* Sorts v[0..n) and drops repeats; returns the new count. */
size_t i64_sort_unique(int64_t *v, size_t n);
/* Index of x in sorted unique v[0..n), or n when absent. */
size_t i64_find(const int64_t *v, size_t n, int64_t x);

/* ---- commit.c, for store.c: a batch as the EVAL of commit.lua */

/* Reusable arrays of commit_build (grown as needed, kept between commits). */
struct commit_scratch {
	int64_t  *nums;                 /* day, month and seen-month numbers */
	size_t    nums_cap;
	/* The ids of a commit by seen bucket (counting sort): per id its
	 * group and bucket slot, the ids in bucket order, per slot the start. */
	uint32_t *id_group, *id_slot, *id_order, *slot_at;
	size_t    ids_cap, slots_cap;
};
/* What a commit carries beside its batch (the connection's, see store.c). */
struct commit_head {
	const char *epoch;              /* fencing token of the connection */
	uint64_t    seq;                /* the stats "commits" value it expects */
	int64_t     now_ms;             /* wall ms */
	int64_t     reset_ms;           /* a reset to record in stats reset_ms, 0 = none */
};
/*
 * Builds the EVAL of b (commit.lua's KEYS and ARGV, section by section)
 * into ab, its strings in a (both reset first; they stay valid until the
 * next reset of a). Returns 0, -ENOMEM, -E2BIG (too many arguments),
 * -EINVAL (a combo or a case that cannot be formatted); ab is then partial.
 */
int  commit_build(struct commit_scratch *cs, struct arena *a, struct argv_buf *ab,
                  const struct config *cfg, const struct commit_head *h, const struct batch *b);
/* Frees the arrays of cs. Safe on a zeroed or freed one, and on NULL. */
void commit_scratch_free(struct commit_scratch *cs);
/* The de-dup window in seconds: how long a seen bucket lives after its last write. */
unsigned commit_window_s(const struct config *cfg);

/* ---- store.c, for recompute.c */
/* The config in force (it may be replaced between two callbacks). */
const struct config *store_config(const struct store *st);
/* Today as a local day number, in the configured zone. */
int64_t store_today(const struct store *st);
/* True when commands may be sent: connected, authenticated, not closing. */
bool store_ready(const struct store *st);
/*
 * Queues one command on the connection. fn is called exactly once with the
 * reply, or with NULL when the connection goes away. Returns 0, or
 * -ENOTCONN or -ENOMEM (fn will not be called).
 */
int store_send(struct store *st, redisCallbackFn *fn, void *privdata,
               const struct argv_buf *ab);

/* Seconds east of UTC in the configured zone at instant utc. */
int32_t store_utc_offset(const struct store *st, int64_t utc);
/* The configured zone (replaced with the config; do not keep it across callbacks). */
const struct tz *store_tz(const struct store *st);
/* True when no indicator recompute is running or due: the ind: hashes are current. */
bool store_indicators_fresh(const struct store *st);
/* recompute.c: every due indicator hash is written (alerts may look now). */
void store_indicators_written(struct store *st);
/* Something was queued in the outbox: deliver it now rather than at the next poll. */
void store_outbox_kick(struct store *st);

/* ---- recompute.c, for store.c */
struct recompute;
/* Returns 0 or -ENOMEM. */
int  recompute_new(struct store *st, struct recompute **ret);
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

/* ---- alerter.c, for store.c */
struct alerter;
/* Creates the alerter (checks every interval_ms and when kicked). 0 or -ENOMEM. */
int  alerter_new(struct store *st, struct event_base *base, unsigned interval_ms,
                 struct alerter **ret);
/* Frees al; a check in flight is orphaned. Accepts NULL. */
void alerter_free(struct alerter *al);
/* Runs a check when the feeds are caught up, Redis is ready and the indicators are fresh. */
void alerter_kick(struct alerter *al);
/* The feeds were read to their end once: checks may run from now on. */
void alerter_caught_up(struct alerter *al);
/* The config was replaced. */
void alerter_config_changed(struct alerter *al);

/* ---- outbox.c, for store.c */
struct outbox;
/* Creates the outbox and its notifier for ac (kept by pointer). 0 or -errno. */
int  outbox_new(struct store *st, struct event_base *base, const struct alert_conf *ac,
                struct outbox **ret);
/* Frees ob, cancelling deliveries in flight (they stay due in Redis). Accepts NULL. */
void outbox_free(struct outbox *ob);
/* Writes pending outcomes and fetches what is due. */
void outbox_kick(struct outbox *ob);

#endif /* TELEQD_STORE_PRIV_H */
