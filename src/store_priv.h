/*
 * store_priv.h — what the Redis-side modules share, and nothing else:
 * resp.c (building commands), commit.c (a batch as commit.lua's EVAL),
 * store.c (the connection) and what it lends its connection to:
 * recompute.c, alerter.c, outbox.c (owned by pipeline.c, see
 * pipeline_priv.h) and dash.c. The store hears of them only through the
 * hooks pipeline.c sets (store_set_hooks).
 *
 * Both sides keep their structs private: only functions and opaque types
 * cross this header (but the builders' buffers: struct arena, argv_buf,
 * commit_scratch, embedded by their users).
 */
#ifndef TELEQD_STORE_PRIV_H
#define TELEQD_STORE_PRIV_H

#include <string.h>
#include <sys/types.h>

#include <hiredis/async.h>

#include "core.h"
#include "batch.h"
#include "log.h"
#include "map.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"

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

/* ---- store.c, for the modules that send over its connection */
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

/* ---- store.c, for pipeline.c: its events, so that the store calls nothing above it */
struct store_hooks {
	/* The handshake is done (first: the first time for this store, or the first on
	 * a server the sentinels newly named); before sink.ready. */
	void (*connected)(void *arg, bool first);
	/* Commit b was applied; before its done. */
	void (*committed)(void *arg, const struct batch *b);
	/* store_reconfigure replaced the config (and zone); before any reconnect. */
	void (*reconfigured)(void *arg);
};
/* Sets the hooks (kept by pointer, with arg); NULL clears them. */
void store_set_hooks(struct store *st, const struct store_hooks *h, void *arg);

/* ---- store.c, for the store's users */
/*
 * Logs an error reply r to one of who's requests (what it was doing),
 * rate limited by rl: a broken key would repeat it every round. Logs only
 * the first error of a round (*failed false), then sets *failed. For the
 * store's users (recompute.c, alerter.c); r stays the caller's.
 */
void store_reply_error(struct ratelimit *rl, bool *failed, const char *who, const char *what,
                       const redisReply *r);

#endif /* TELEQD_STORE_PRIV_H */
