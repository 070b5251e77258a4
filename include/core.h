/*
 * core.h — the shared limits and attributes of teleqd and teleqctl;
 * every module has its own header (include/<module>.h, the config
 * tq_config.h), each declaring what its .c file offers with a contract
 * comment above each function. A header includes what its own
 * declarations need (`make hdrcheck` compiles each one alone); a .c file
 * includes the headers it uses, so -MMD rebuilds only what a change reaches.
 *
 * Flow (one way): feed (files, inotify, offsets by inode) -> parse (csv/json
 * line -> field values) -> map (fields -> event: kind, dimensions, UTC time,
 * local day) -> batch (counter deltas + the offsets they came from) -> store
 * (one atomic Redis commit per batch) -> indicators (recomputed from counters).
 *
 * Pure modules (no I/O, unit-tested): utf8, csv, json, civil, tz (after
 * loading), timeparse, period, siphash, map, batch, indicator, ratelimit,
 * cohort.
 * I/O modules: log, config (reads the file), feed, store, teleqd, teleqctl.
 *
 * Conventions (after systemd's CODING_STYLE): functions return 0 or -errno;
 * ret_ out-parameters are untouched on failure; destructors accept NULL;
 * every user-controlled size is bounded.
 */
#ifndef TQ_CORE_H
#define TQ_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TQ_VERSION      "0.1.0"
/* The config teleqd and teleqctl read without -c: the packaged and systemd unit
 * path (make install SYSCONFDIR=/etc, the .deb). One place for both programs. */
#define TQ_DEFAULT_CONFIG "/etc/teleqd/teleqd.yaml"
#define TQ_MAX_DIMS     8       /* dimensions (channel, party, ...) per deployment */
#define TQ_MAX_SLOTS    16      /* distinct source fields one feed reads */
#define TQ_MAX_COLUMNS  512     /* CSV columns per record */
#define TQ_MAX_VALUES   255     /* interned values per dimension / event kinds */
#define TQ_FP_MAX       1024    /* bytes of a file's head in its fingerprint */
#define TQ_TAIL_MAX     4096    /* bytes before a position in its tail fingerprint */
#define TQ_DETAIL_MAX   160     /* reject detail text (never holds field values) */

#define TQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TQ_NORETURN     __attribute__((noreturn))

/* Seconds in a calendar day of the UTC-offset wall clock (no leap seconds). */
#define SECS_PER_DAY    86400

#endif /* TQ_CORE_H */
