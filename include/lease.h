/* lease.h — lease.c: the writer lease. Conventions: core.h. */
#ifndef TQ_LEASE_H
#define TQ_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- lease.c */
/*
 * The writer lease K lease (see lease.c): at most one daemon commits under
 * a prefix; a second one stands by and takes over when the lease expires
 * or is released. Pure parts (no I/O) but lease_self.
 */
#define LEASE_DEFAULT_S     10      /* redis.lease */
#define LEASE_TOKEN_LEN     16      /* hex digits, random per process start */
#define LEASE_HOST_MAX      64
#define LEASE_VALUE_MAX     160     /* "tq1 <token> <pid> <pidns> <since_ms> <host>" */
#define LEASE_DESCRIBE_MAX  192
#define LEASE_RETRY_MS      500     /* a standby asks again this often (a released lease is taken within it) */
struct lease_holder {
	char    token[LEASE_TOKEN_LEN + 1];
	long    pid;
	uint64_t pidns;                 /* inode of its pid namespace, 0 = unknown */
	int64_t since_ms;               /* wall ms the holder took the lease */
	char    host[LEASE_HOST_MAX + 1];
};
/*
 * Lua: take or renew (ARGV value, px, owner prefix, the value of a holder
 * known to be gone or ""); release (ARGV owner prefix).
 */
extern const char lease_take_lua[];
extern const char lease_release_lua[];
/* The value of h into buf. Returns its length, -EINVAL (bad holder), -ENOBUFS. */
int  lease_format(const struct lease_holder *h, char *buf, size_t len);
/* "tq1 <token> ": what every value of this owner starts with. Length or -ENOBUFS. */
int  lease_owner_prefix(const char *token, char *buf, size_t len);
/* Parses a value (not NUL-terminated) into *ret. 0 or -EINVAL (*ret untouched). */
int  lease_parse(const char *s, size_t len, struct lease_holder *ret);
/*
 * "host pid N (holder for S s, since ISO; expires in T s unless renewed)"
 * into buf for the logs, /healthz and teleqctl; ttl_ms < 0 (no expiry, or
 * not known): without the "; expires ..." part. h->pid 0 (a value that is
 * not teleqd's): "an unknown owner (...)".
 * Returns the length or -ENOBUFS.
 */
int  lease_describe(const struct lease_holder *h, int64_t now_ms, int64_t ttl_ms, char *buf,
                    size_t len);
enum lease_step {
	LEASE_WAIT,             /* nothing to do now */
	LEASE_RENEW,            /* send a renewal */
	LEASE_LOST,             /* not renewed for a whole lease: stop committing */
};
/*
 * The holder's timer (monotonic ms): last_ok the last confirmed take or
 * renewal, last_sent the last renewal sent, inflight one is unanswered.
 */
enum lease_step lease_renew_step(int64_t now, int64_t last_ok, int64_t last_sent, bool inflight,
                                 int64_t lease_ms);
/* True when h runs on this host in this pid namespace (self: lease_self), so its pid is checkable. */
bool lease_same_pid_space(const struct lease_holder *h, const struct lease_holder *self);
/*
 * True when h is another process of this host and pid namespace that no
 * longer runs (kill(pid, 0): ESRCH): its lease may be taken at once.
 * Reads the process table (kill), so not pure.
 */
bool lease_holder_gone(const struct lease_holder *h);
/* A standby's next attempt, given the holder's remaining PTTL (< 0: none or unknown). */
int64_t lease_retry_ms(int64_t ttl_ms);
/*
 * This process: token (drawn once per process), pid, pid namespace, host;
 * since_ms now. Reads getrandom, gethostname and /proc/self/ns/pid (cached
 * after the first call).
 */
void lease_self(struct lease_holder *ret);

#endif /* TQ_LEASE_H */
