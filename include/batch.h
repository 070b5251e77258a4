/* batch.h — batch.c: the counter deltas and positions of one commit. Conventions: core.h. */
#ifndef TQ_BATCH_H
#define TQ_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "map.h"
#include "tq_config.h"

/* ---------------------------------------------------------------- batch.c */
/* A file position as committed with the data read up to it. */
struct file_pos {
	uint16_t feed;          /* index into config.feeds */
	uint64_t dev, ino;
	int64_t  offset;        /* bytes consumed: always at a record boundary */
	uint64_t line;          /* records consumed */
	uint64_t fp;            /* fingerprint of the first fplen bytes */
	uint32_t fplen;
	uint64_t tailfp;        /* fingerprint of the taillen bytes just before offset */
	uint32_t taillen;       /* min(TQ_TAIL_MAX, offset); 0 in a position stored
	                         * before tail fingerprints (only the head is checked) */
	int64_t  btime;         /* the file's birth time (statx, ns), 0 = unknown: an
	                         * inode reused by a new file has another one */
	int64_t  hdr_off;       /* CSV with a header: offset of the header record in
	                         * force (a new header mid-file), 0 = the first record;
	                         * always < offset */
	uint32_t gen;           /* feed.c only: the file's restart count when taken */
	bool     gone;          /* file finished for good: drop its stored entry */
	bool     marker;        /* not a file: the feed has been started (start_at
	                         * applies only before its first commit) */
	struct parse_state cols;        /* marker of a CSV feed with a header: the columns
	                                 * of its last complete header (numbers only; none
	                                 * when !cols.have_header), for a file truncated
	                                 * while the daemon was stopped */
	char     path[256];     /* for status output only */
};

/*
 * One (local day, combo) of a batch: n events without an id, and nids
 * events with an id, ids[first_id] linked through next (batch order).
 */
struct batch_count {
	int64_t      day;
	struct combo c;
	int64_t      n;
	uint32_t     nids;
	uint32_t     first_id, last_id;
};
struct batch_idevent {
	uint8_t      id[16];
	uint32_t     next;          /* next id of the same count, UINT32_MAX = none */
	uint32_t     count;         /* index into counts: its day and combo */
};
struct batch_deadletter {
	uint16_t     feed;
	enum reject  why;
	uint64_t     line;
	char         path[256];
	char         detail[TQ_DETAIL_MAX];
};

/* Feeds a batch (and the metrics) keep per-feed arrays for; config.c allows no more. */
#define BATCH_MAX_FEEDS 64

/* Counter deltas and positions of one commit. Memory is bounded by the caps. */
struct batch {
	size_t               cap_events;    /* max events+rejects before the batch is full */
	size_t               nevents;       /* events added (counted + id events) */
	size_t               nrejects;
	/* counts[0..ncounts) dense, one per distinct (day, combo); index is an
	 * open-addressing table of count positions + 1 (0 = empty slot) */
	struct batch_count  *counts;
	size_t               ncounts, counts_cap;
	uint32_t            *index;
	size_t               index_cap;         /* power of two */
	/* ids[0..nids) of the events with an id, unique per (month, id): a
	 * second copy in the batch only counts in dups. idindex is an
	 * open-addressing table of id positions + 1. Ids of every month are
	 * de-duplicated: the seen buckets live dedup.window_days after their
	 * last write, whatever the month's age. */
	struct batch_idevent *ids;
	size_t               nids, ids_cap;
	uint32_t            *idindex;
	size_t               idindex_cap;       /* power of two, 0 = none yet */
	uint64_t             dups;              /* ids repeated within the batch */
	struct file_pos     *pos;
	size_t               npos, pos_cap;
	uint64_t             rejects[/* feed * REJ__MAX */ BATCH_MAX_FEEDS * REJ__MAX];
	uint64_t             lines[BATCH_MAX_FEEDS];        /* lines read per feed */
	uint64_t             header_changes[BATCH_MAX_FEEDS];       /* CSV headers changed
	                                                     * mid-file (MAP_HEADER) */
	uint64_t             events_by_feed[BATCH_MAX_FEEDS];       /* events added per feed
	                                                     * (batch_feed_event) */
	int64_t              last_utc[BATCH_MAX_FEEDS];     /* latest event time per feed, 0 = none */
	int64_t              last_line[BATCH_MAX_FEEDS];    /* calendar s a line of the feed was
	                                                     * last read, 0 = none */
	struct batch_deadletter *dead;
	size_t               ndead, dead_cap;   /* dead letters kept per batch (rest only counted) */
	/* Deadline indicators: the case states to store (cases_flush) and the
	 * changes of the month counters met / missed / pending. */
	struct batch_case   *cases;
	size_t               ncases, cases_cap;
	struct batch_cdelta *cdeltas;
	size_t               ncdeltas, cdeltas_cap;
};
/* Ids per batch at most: each costs an argument and a set member in the
 * commit, and bounds the batch's memory (24 B each, twice in the index). */
#define BATCH_MAX_IDS   16384
/*
 * Seen buckets per month: a month's ids are spread over SEEN_BUCKETS sets
 * (seen:YYYY-MM:<bb>) so that each stays under Redis's
 * set-max-intset-entries (512 by default) up to ~100,000 ids a month and
 * Redis keeps it as an intset, 8 bytes an id.
 */
#define SEEN_BUCKETS    256
/*
 * The seen bucket and set member of a hashed id (the 16-byte keyed hash
 * map_record makes): bytes 0-7 read little-endian as a signed 64-bit
 * integer are the member, byte 8 picks the bucket (0..SEEN_BUCKETS-1).
 * Two ids of a month are taken for one when these 72 bits agree. Pure.
 */
void seen_slot(const uint8_t id[16], unsigned *ret_bucket, int64_t *ret_member);
/* A case state to store: text "" deletes it. */
struct batch_case {
	uint16_t ind;                   /* indicator index */
	uint8_t  id[16];                /* keyed hash of the case id */
	char     text[CASE_TEXT_MAX];   /* case_format, or "" */
};
/* A change of a deadline indicator's counters in one local month. */
struct batch_cdelta {
	int64_t  month;                 /* y*12 + m-1 */
	uint16_t ind;
	int64_t  met, missed, pending;
	int64_t  extended;              /* cases with an extension (uppskov) */
};
#define BATCH_MAX_CASES 4096    /* case states per commit: full beyond */

int  batch_init(struct batch *b, size_t cap_events, size_t dead_cap);
void batch_done(struct batch *b);
void batch_clear(struct batch *b);
bool batch_empty(const struct batch *b);
bool batch_full(const struct batch *b);
/* Adds a case state to store (text NUL-terminated, "" = delete). 0 or -ENOMEM. */
int  batch_case(struct batch *b, uint16_t ind, const uint8_t id[16], const char *text);
/* Adds d to indicator ind's counters of month. 0 or -ENOMEM. */
int  batch_cdelta(struct batch *b, uint16_t ind, int64_t month, const struct cohort_delta *d);
/* Adds one event (aggregated, or kept apart when it has an id). -ENOSPC when full. */
int  batch_add(struct batch *b, const struct event *ev);
/* Counts a reject and keeps a dead letter while there is room. */
void batch_reject(struct batch *b, uint16_t feed, enum reject why, uint64_t line,
                  const char *path, const char *detail);
void batch_line(struct batch *b, uint16_t feed);
/* Counts a CSV header change of feed (MAP_HEADER; its line counts with batch_line). */
void batch_header_change(struct batch *b, uint16_t feed);
/* Counts an event of feed (added with batch_add) for metrics and status. */
void batch_feed_event(struct batch *b, uint16_t feed, int64_t utc);
/* Records (or updates) the position of a file; last call per (feed, dev, ino) wins. -ENOMEM. */
int  batch_position(struct batch *b, const struct file_pos *p);

#endif /* TQ_BATCH_H */
