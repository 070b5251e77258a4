/* redis_health.h — redis_health.c: pure decisions about the Redis server. Conventions: core.h. */
#ifndef TQ_REDIS_HEALTH_H
#define TQ_REDIS_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --------------------------------------------------------- redis_health.c */
/*
 * Pure decisions about the Redis server (no I/O, no clock); store.c sends
 * the commands and keeps the times.
 */
/* The policy a store must have: any other may evict a key and corrupt the counts. */
#define REDIS_SAFE_POLICY "noeviction"
/*
 * Copies the value of "field:value" from an INFO reply (lines ending in
 * CRLF or LF, "# Section" lines ignored) into ret (cap bytes, NUL
 * terminated). Returns 0; -ENOENT when the field is absent; -ENOBUFS
 * when the value does not fit; -EINVAL when it holds anything but
 * [A-Za-z0-9._-] (ret is then "").
 */
int redis_info_field(const char *info, size_t len, const char *field, char *ret, size_t cap);
/* True when maxmemory-policy policy never evicts a key (only "noeviction"; NULL is false). */
bool redis_policy_safe(const char *policy);
/*
 * How long the oldest request without a reply has waited at now_ms: the
 * smallest non-zero sent_ms[i] (monotonic ms; 0 = no request in that
 * slot). 0 when none waits.
 */
int64_t redis_wait_ms(int64_t now_ms, const int64_t *sent_ms, size_t n);
enum redis_watch_change { RW_SAME, RW_UNRESPONSIVE, RW_RESPONSIVE };
/*
 * Redis is unresponsive while a request has waited wait_ms >= after_ms
 * (after_ms 0: never). Updates *unresponsive and says whether it changed
 * (each change is logged once by the caller).
 */
enum redis_watch_change redis_watch_step(bool *unresponsive, int64_t wait_ms, int64_t after_ms);

#endif /* TQ_REDIS_HEALTH_H */
