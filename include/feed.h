/* feed.h — feed.c: following files like tail -F. Conventions: core.h. */
#ifndef TQ_FEED_H
#define TQ_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map.h"

struct config;
struct file_pos;
struct batch;

/* ----------------------------------------------------------------- feed.c */
/*
 * Following files like tail -F: one struct feedset for all feeds of a
 * config. Files are identified by device+inode plus a fingerprint of their
 * head (never by name), woken by inotify through libevent, with a periodic
 * rescan as safety net. Hands complete records to a sink; holds a partial
 * last line until its newline arrives.
 */
struct event_base;
struct feedset;

struct record_ctx {
	uint16_t            feed;       /* index into config.feeds */
	uint64_t            line;       /* 1-based record number in its file */
	const char         *path;
	struct parse_state *ps;         /* this file's parse state */
	bool                header_replay;  /* the header re-read after a restart: do not count */
};
struct feed_sink {
	/*
	 * One complete record, terminator ("\n" or "\r\n") stripped. Return 0
	 * when consumed, -ENOSPC to stop reading: the record is not consumed
	 * and is offered again after feedset_resume().
	 */
	int  (*record)(void *arg, const struct record_ctx *rc, const char *rec, size_t len);
	/* A record the feed itself rejects (REJ_TOO_LONG). Always consumed. */
	void (*reject)(void *arg, const struct record_ctx *rc, enum reject why, const char *detail);
	/* Reading stopped: every file is at its end, or the sink is full. */
	void (*idle)(void *arg);
};
/* Creates the feed set (no I/O yet). -ENOMEM, -EINVAL. */
int  feedset_new(struct event_base *base, const struct config *cfg,
                 const struct feed_sink *sink, void *arg, struct feedset **ret);
void feedset_free(struct feedset *fs);
/*
 * --once: every file is read to its current end and none grows any more,
 * so a CSV file that ends inside an open quote has that quote framed as
 * its first line alone at once (not after rotate_wait_ms).
 */
void feedset_set_once(struct feedset *fs);
/*
 * Starts (or restarts, after a Redis reconnect) following from the
 * committed positions pos[0..n): every open file is rewound to its
 * committed offset, or to 0/end when it has none. Safe to call again.
 */
int  feedset_start(struct feedset *fs, const struct file_pos *pos, size_t n);
/* Stops reading until feedset_resume(); inotify events are still noted. */
void feedset_pause(struct feedset *fs);
void feedset_resume(struct feedset *fs);
/* Adds the current position of every file with consumed data to b. */
int  feedset_positions(struct feedset *fs, struct batch *b);
/* The positions in b are committed: close files that are finished for good. */
void feedset_committed(struct feedset *fs, const struct batch *b);
/* True when the last pass found no unread complete record in any file. */
bool feedset_drained(const struct feedset *fs);
/* One followed file, for metrics, status and progress. */
struct file_stat {
	uint16_t    feed;
	const char *path;       /* valid until the next call into the feed set */
	int64_t     size;       /* bytes in the file now (its last stat) */
	int64_t     offset;     /* bytes consumed (handed to the sink) */
};
/*
 * Fills out[0..max) with the files followed (open ones, and those closed
 * to stay within the open-file budget) and returns how many there are
 * (may exceed max: call again with more room).
 */
size_t feedset_stat(struct feedset *fs, struct file_stat *out, size_t max);
/* What --once left unread (feedset_leftover). */
struct feed_leftover {
	size_t  partial;        /* files whose last line has no newline (named in the log) */
	size_t  files;          /* files with other bytes not read */
	int64_t bytes;          /* ... that many */
	size_t  unopened;       /* matching names the last rescan could not open */
};
/*
 * Accounts for every byte not consumed in the files followed: logs each
 * file by name (a last line without newline at info, anything else as a
 * warning) and fills *ret. For the end of --once.
 */
void feedset_leftover(struct feedset *fs, struct feed_leftover *ret);

#endif /* TQ_FEED_H */
