/* metrics.h — metrics.c, procstat.c: the counters of /metrics. Conventions: core.h. */
#ifndef TQ_METRICS_H
#define TQ_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "map.h"
#include "tq_config.h"

/* -------------------------------------------------------------- metrics.c */
/*
 * The process's counters for /metrics (Prometheus text format 0.0.4).
 * Single-threaded: modules bump tq_metrics directly; rendering is pure.
 */
struct file_stat;
#define METRICS_LAT_BUCKETS 12
/* Upper bounds (ms) of the commit latency histogram buckets; +Inf follows. */
extern const double metrics_latency_bounds_ms[METRICS_LAT_BUCKETS];

/*
 * Figures of the process itself, read at scrape time (metrics_read_proc),
 * for the process_* families every Prometheus client library exports.
 */
struct proc_stat {
	bool     ok;                /* false: /proc unreadable, the families are left out */
	uint64_t resident_bytes;    /* RSS */
	uint64_t open_fds;
	uint64_t max_fds;           /* the soft RLIMIT_NOFILE */
	double   cpu_seconds;       /* user + system */
	double   start_time;        /* unix seconds, from the boot time and starttime ticks */
};

struct metrics {
	int64_t  started;                               /* unix seconds */
	uint64_t lines[BATCH_MAX_FEEDS];                /* lines read and committed, per feed */
	uint64_t events[BATCH_MAX_FEEDS];               /* events committed, per feed */
	uint64_t rejects[BATCH_MAX_FEEDS][REJ__MAX];    /* rejected lines committed, per feed and reason */
	uint64_t header_changes[BATCH_MAX_FEEDS];       /* CSV header changes committed, per feed */
	uint64_t commits;                               /* commits applied */
	uint64_t commit_failures;                       /* commits whose outcome was unknown or refused */
	uint64_t duplicates;                            /* events dropped as already seen */
	uint64_t latency[METRICS_LAT_BUCKETS + 1];      /* commit round trips per bucket (not cumulative) */
	double   latency_sum_ms;
	uint64_t redis_reconnects;
	uint64_t store_resets;                          /* handshakes that found the store emptied */
	int64_t  store_last_reset;                      /* unix seconds of the last one, 0 = none */
	bool     redis_connected;
	bool     redis_responsive;                      /* connected and no request waited
	                                                 * redis.unresponsive_after */
	int64_t  redis_reply_age_ms;                    /* ms since Redis last answered, filled right
	                                                 * before a render; -1 = not connected */
	bool     redis_policy_refused;                  /* not committing: maxmemory-policy evicts */
	char     redis_policy[32];                      /* the refused policy ("" unknown/unreadable) */
	bool     lease_held;                            /* this daemon holds the writer lease */
	uint64_t alerts_queued[AK__MAX];
	uint64_t deliveries[2][2];                      /* [CH_MAIL/CH_WEBHOOK][0 failed, 1 delivered] */
	uint64_t outbox_pending;                        /* deliveries not done yet (last ZCARD) */
	int64_t  outbox_oldest;                         /* calendar s the oldest of them was made, 0 = none */
	uint64_t alerts_ambiguous;                      /* mail attempts with an ambiguous outcome */
	uint64_t alerts_parked;                         /* deliveries parked (last HLEN outbox:parked) */
	int64_t  feed_last_line[BATCH_MAX_FEEDS];       /* calendar s of the last line read (or start-up) */
	bool     feed_stale[BATCH_MAX_FEEDS];           /* silent longer than its max_silence */
	bool     feed_heard[BATCH_MAX_FEEDS];           /* a line was read since start-up */
	/* the last store reset whose rebuild is done (alerter.c mails it once) */
	int64_t  reset_rebuilt_ms;                      /* its store_reset_ms, 0 = none */
	int64_t  reset_rebuilt_at;                      /* calendar s it was found */
	int64_t  reset_from, reset_to;                  /* utc s of the events re-read, 0 = none */
	int64_t  config_last_reload;                    /* unix seconds of the last good load */
	struct proc_stat proc;                          /* filled right before a render */
};

extern struct metrics tq_metrics;

/* Adds one commit's round trip (ms) to the histogram and the sum. */
void metrics_observe_latency(struct metrics *m, double ms);
/*
 * Renders m, with per-feed names from cfg and the followed files'
 * bytes behind (size - offset) and sizes, as Prometheus text: HELP and
 * TYPE lines, metric names prefixed "teleqd_", label values escaped.
 * Returns 0 with *ret malloc'd (and *ret_len), or -ENOMEM.
 */
int metrics_render(const struct metrics *m, const struct config *cfg,
                   const struct file_stat *files, size_t nfiles, int64_t now,
                   char **ret, size_t *ret_len);
/*
 * Reads this process's figures from /proc/self (stat, statm, fd, limits
 * via getrlimit) and /proc/stat (btime) into *ret, for tq_metrics.proc
 * right before a render; ret->ok false when they cannot be read.
 * procstat.c (I/O; metrics.c stays pure).
 */
void metrics_read_proc(struct proc_stat *ret);

#endif /* TQ_METRICS_H */
