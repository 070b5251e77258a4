/* sentinel.h — sentinel.c: asking Redis Sentinel for the master. Conventions: core.h. */
#ifndef TQ_SENTINEL_H
#define TQ_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "redis_addr.h"

struct event_base;

/* ------------------------------------------------------------- sentinel.c */
/*
 * redis.sentinels and redis.master_name: teleqd and teleqctl ask the
 * sentinels in turn (SENTINEL get-master-addr-by-name) for the master's
 * address before every connection, so a failover is followed by the next
 * reconnect. The pure parts (the name rule, the reply) are unit-tested;
 * the daemon's query is async on the libevent loop, teleqctl's is blocking.
 */
#define SENTINEL_MAX            16      /* entries of redis.sentinels */
#define SENTINEL_NAME_MAX       64      /* bytes of redis.master_name */
#define SENTINEL_TIMEOUT_MS     1000    /* connect + answer, per sentinel */

/* True when s is a master name: 1..SENTINEL_NAME_MAX of A-Z a-z 0-9 . - _ */
bool sentinel_name_ok(const char *s);

/*
 * The reply to SENTINEL get-master-addr-by-name (RESP2: [ip, port]) into
 * *ret, through redis_addr_parse (an IPv6 literal is bracketed first).
 * Returns 0; -ENOENT when the sentinel does not know the master (nil);
 * -EINVAL for an error reply or anything malformed. Pure.
 */
int sentinel_parse_reply(const redisReply *r, struct redis_addr *ret);

/*
 * Called once per query: status 0 with the master in *master (valid during
 * the call) and the index of the sentinel that answered; or -errno
 * (-EHOSTUNREACH: no sentinel named a master) with why, a message for the
 * log naming each sentinel's failure (valid during the call). The query is
 * over: the callee may sentinel_query_free it from inside.
 */
typedef void sentinel_done_fn(void *arg, int status, const struct redis_addr *master,
                              size_t index, const char *why);
struct sentinel_query;
/*
 * Starts asking sentinels[start], then the next ones in turn (wrapping),
 * each for SENTINEL_TIMEOUT_MS at most, for master name; never blocks.
 * sentinels and name must stay valid until done runs or the query is
 * freed. Returns 0 and *ret (done follows, never from inside this call),
 * -EINVAL (n is 0 or over SENTINEL_MAX), -ENOMEM.
 */
int sentinel_query_start(struct event_base *base, char *const *sentinels, size_t n,
                         size_t start, const char *name, sentinel_done_fn *done, void *arg,
                         struct sentinel_query **ret);
/* Cancels a query (done is not called) and frees it. Accepts NULL; safe from inside done. */
void sentinel_query_free(struct sentinel_query *q);

/*
 * teleqctl's blocking form: asks the sentinels in order, each for
 * SENTINEL_TIMEOUT_MS at most. Returns 0 with the master in *ret, or
 * -EHOSTUNREACH with why (each sentinel's failure) in err.
 */
int sentinel_resolve_sync(char *const *sentinels, size_t n, const char *name,
                          struct redis_addr *ret, char *err, size_t errlen);

#endif /* TQ_SENTINEL_H */
