/*
 * feed_int.h — the private interface between the parts of the feed module
 * (after Fluent Bit's in_tail split):
 *
 *   feed.c      the feed set: per-feed directory + glob, scanning, the read
 *               pass and its scheduling, positions/committed/start
 *   feedlink.c  the feed set's symlinked files: their targets' directories
 *               watched too
 *   feedpark.c  the feed set's open-file budget: files read to their end
 *               closed ("parked") and reopened by identity
 *   tailfile.c  one followed file: identity, fingerprint, bounded reading,
 *               record splitting, truncation and rewrite detection
 *   watch.c     one inotify descriptor on the libevent loop
 *
 * Nothing outside these five files includes this header.
 */
#ifndef FEED_INT_H
#define FEED_INT_H

#include "core.h"
#include "batch.h"
#include "feed.h"
#include "map.h"
#include "tq_config.h"

#define TF_CHUNK        (64 * 1024)     /* bytes per read(2) */
#define TF_PASS_BUDGET  (1024 * 1024)   /* bytes read per file per pass */

/* ------------------------------------------------------------ tailfile.c */

/* What one file needs to know about its feed; owned by the feed set. */
struct tf_conf {
	uint16_t         feed;          /* index into config.feeds */
	enum feed_format format;
	char             delim;         /* CSV delimiter */
	char             quote;         /* CSV quote, 0 = none */
	bool             header;        /* CSV: the first record names the columns */
	size_t           max_line;      /* longest record kept, terminator excluded */
	int64_t          quiet_ms;      /* rotate_wait_ms: a file quiet this long cannot
	                                 * complete an open CSV quote any more */
	size_t           nslots;        /* fields the feed reads (complete header: each found) */
};

/* Where tf_read delivers, and the flag that stops it between records. */
struct tf_out {
	const struct feed_sink *sink;
	void                   *arg;
	const bool             *stop;   /* true: return after the current record */
	bool                    once;   /* --once: the files are read to their current
	                                 * end; none will grow any more */
};

enum tf_status {
	TF_EOF,         /* every complete record delivered; nothing more to read now */
	TF_MORE,        /* the byte budget ran out; more may be there */
	TF_BLOCKED,     /* the sink returned -ENOSPC, or *stop was set */
};

/*
 * One followed file (or a ghost: a stored position whose file is gone,
 * kept only to report it gone). Invariants while fd >= 0:
 *   buf[0..len) are the bytes at file offsets [offset, offset + len), unless
 *   skipping, when len bytes past read_off - len follow an over-long line;
 *   offset is at a record boundary; offset <= read_off;
 *   head[0..headlen) are the first bytes of the file as read, headlen >=
 *   min(TQ_FP_MAX, read_off);
 *   the taillen bytes before offset, as read, are tailb[0..taillen) (or hash
 *   to tailfp when tailb is NULL).
 */
struct tailfile {
	struct tailfile *prev, *next;   /* the feed set's list */
	struct tailfile *hnext;         /* the feed set's (feed, dev, ino) hash chain */
	const struct tf_conf *conf;
	char            *path;          /* name it was found under: messages, status */
	const char      *name;          /* last component of path */
	uint64_t         dev, ino;

	int64_t          offset;        /* consumed: bytes of delivered (or rejected) records */
	uint64_t         line;          /* records consumed */
	int64_t          read_off;      /* file offset of the next read */
	char            *buf;
	size_t           len, alloc;
	int64_t          checked_size;  /* st_size at the last check; -1 = check now */
	int64_t          checked_mtime; /* st_mtim (ns) at the last check: a rewrite to
	                                 * the same size changes only that */
	/* The bytes just before offset, to tell "the same file, grown" from a
	 * file rewritten behind an unchanged head (or a reused inode): */
	uint8_t         *tailb;         /* the taillen bytes before offset while reading;
	                                 * NULL when idle (tailfp is their hash) */
	uint64_t         tailfp;        /* valid while tailb is NULL */
	int64_t          btime;         /* birth time (statx, ns), 0 = unknown */
	uint32_t         gen;           /* restarts from 0 (restart, place_at mismatch) */
	uint32_t         committed_gen; /* gen of the last position committed */

	/* Position bookkeeping (feed.c). */
	int64_t          start_off;     /* where first seen (or last restarted from 0) */
	uint64_t         start_line;
	int64_t          start_hdr_off; /* hdr_off at start_off */
	int64_t          hdr_off;       /* CSV: offset of the header record in force (the
	                                 * last one the sink took, MAP_HEADER), 0 = the
	                                 * first record; replayed from there on resuming */
	int64_t          committed_off;
	uint64_t         committed_line;
	uint64_t         ghost_fp;      /* ghost: the stored fingerprint, reported back */
	int64_t          active_ms;     /* monotonic ms of its last growth or orphaning */
	struct file_pos  seekp;         /* parked and reseek: where to move on reopening */
	struct parse_state ps;

	int              fd;            /* -1: ghost, or parked */
	uint32_t         headlen;
	uint32_t         taillen;       /* <= min(TQ_TAIL_MAX, offset) */
	uint32_t         ghost_fplen;
	unsigned         seen_gen;      /* scan generation that last matched it */

	bool             skipping;      /* discarding an over-long line up to its '\n' */
	bool             line_only;     /* CSV: frame the next record as one line (an
	                                 * open quote ran past max_line, or cannot be
	                                 * closed any more) */
	bool             open_quote;    /* CSV: at the end of the file inside an open
	                                 * quote, a line end buffered: framed line by
	                                 * line once the file is quiet (quiet_ms) */
	bool             header_pending;        /* CSV header to replay before reading on */
	bool             has_committed; /* the store holds a position for this file */
	bool             reported;      /* handed to feedset_positions at least once */

	/* Life cycle (feed.c, except deleted/orphan also set by tf_check). */
	bool             ghost;
	bool             indirect;      /* reached through a symlink or a hard link */
	bool             orphan;        /* renamed away or deleted: drain, then finish */
	bool             deleted;       /* st_nlink == 0 */
	bool             finished;      /* drained for good: report gone, then free */
	bool             kept;          /* finished while it still exists (renamed out of
	                                 * the pattern): its position stays stored and
	                                 * it is only freed (feed.c) */
	bool             dirty;         /* read it in the next pass */
	bool             parked;        /* closed to stay within the open-file budget
	                                 * (fd -1, not a ghost): reopened by identity
	                                 * when it may have grown (feed.c) */
	bool             reseek;        /* parked: move to seekp (a stored position,
	                                 * or start_off when !seek_stored) on reopening */
	bool             seek_stored;
	bool             warned;        /* an I/O error on it was logged */

	uint8_t          head[TQ_FP_MAX];
};

/*
 * Opens path (O_RDONLY|O_CLOEXEC|O_NONBLOCK, following symlinks) as a new
 * file state at offset 0, with the head of the file loaded. Returns 0 and
 * *ret (owned by the caller, free with tf_free), -EINVAL when it is not a
 * regular file, -ENOMEM or -errno of open/fstat/pread. Logs nothing.
 */
int  tf_open(const char *path, const struct tf_conf *conf, struct tailfile **ret);
/* Same for a file already opened as fd; fd is owned by the state on success only. */
int  tf_open_fd(int fd, const char *path, const struct tf_conf *conf, struct tailfile **ret);
/*
 * A ghost for stored position p: no descriptor, reported gone until freed.
 * Returns 0 and *ret, -ENOMEM.
 */
int  tf_ghost(const struct file_pos *p, const struct tf_conf *conf, struct tailfile **ret);
/*
 * True when open descriptor fd is tf's file: the same device and inode, and
 * the same birth time when both are known (an inode reused by a new file
 * is not the same file).
 */
bool tf_same_file(const struct tailfile *tf, int fd);
/* Closes the descriptor and frees everything. Accepts NULL. */
void tf_free(struct tailfile *tf);
/*
 * True when stored position p fits this file: the same birth time (when
 * both are known), size >= p->offset, the first p->fplen bytes hash to
 * p->fp, and the p->taillen bytes before p->offset hash to p->tailfp. An
 * I/O error counts as a mismatch.
 */
bool tf_matches(struct tailfile *tf, const struct file_pos *p);
/*
 * Moves the consumed offset to off (a record boundary) with line records
 * behind it: drops buffered data and parse state, arms the CSV header
 * replay when off > 0, and loads the bytes before off as the tail the next
 * check compares with. Returns 0, or -errno when the head or the tail
 * cannot be read (the state is still consistent; the next read checks
 * again, without a tail to compare).
 */
int  tf_seek(struct tailfile *tf, int64_t off, uint64_t line);
/*
 * Offset just after the last '\n' now in the file (0 when there is none),
 * for start_at: end. Returns 0 and *ret_off, or -errno.
 */
int  tf_find_end(struct tailfile *tf, int64_t *ret_off);
/*
 * Reads and delivers complete records until the end of the file, the
 * budget (bytes, decremented) runs out, or the sink blocks. First checks
 * the file: deletion (sets orphan/deleted), truncation, a rewritten head or
 * changed bytes before the offset (restarts from 0, logged; a CSV file's
 * header is kept across the restart: a first line equal to it is skipped,
 * a first line that is a complete header replaces it, any other is data),
 * growth (updates active_ms to now_ms). At the end of a CSV file that stops
 * inside an open quote with a line end after it, the quote is framed as
 * its first line alone (rejected by the parser) once the file cannot grow
 * (out->once) or has been quiet for conf->quiet_ms; until then open_quote
 * is set. I/O errors are logged once per file and end the read as TF_EOF.
 */
enum tf_status tf_read(struct tailfile *tf, const struct tf_out *out, size_t *budget,
                       int64_t now_ms);
/* Frees the read buffer when it holds nothing (idle files keep no buffer). */
void tf_trim(struct tailfile *tf);
/*
 * The position to commit: consumed offset, line, fingerprint of
 * min(TQ_FP_MAX, offset) bytes of the head and of the taillen bytes before
 * offset.
 */
void tf_position(const struct tailfile *tf, struct file_pos *ret);

/* -------------------------------------------- feed.c, feedlink.c, feedpark.c */

#define OPEN_MIN        8       /* the open-file budget never goes below this */
#define OPEN_MAX        8192    /* ... nor above this (each open file costs a slot) */
#define MOVED_FROM_MAX  16      /* renames whose IN_MOVED_TO may still come */
#define MOVED_MAX       32      /* renames out of the globs between two rescans, per directory */
#define LINKS_MAX       64      /* symlink targets watched; more rely on the rescan */

/*
 * A rename out of the globs that inotify reported (IN_MOVED_FROM a matching
 * name, IN_MOVED_TO one no glob of the feed matches). The next rescan opens
 * name: a file created and rotated away before any rescan saw it (a slow
 * or busy daemon) is then still read, whole. A file already followed is
 * found by its inode and left alone.
 */
struct moved {
	char     *name;
	char     *dir;          /* NULL: the feed's directory; else a link's target directory */
	uint16_t  feed;
};

/* The first half of a rename: its cookie pairs it with the IN_MOVED_TO. */
struct moved_from {
	uint32_t  cookie;
	uint16_t  feed;
	int       link;         /* -1: in the feed's directory; else index into links */
	bool      used;
};

/*
 * A feed file that is a symlink into another directory: inotify reports
 * nothing on the link's directory when the target is written, renamed or
 * created again, so the directory of what the link resolves to is watched
 * too. Its events on the target's name rescan the link's directory (the
 * link resolves to the new file, the old one is orphaned and drained);
 * a rename of the target is noted like a rename out of a glob (adopt_moved);
 * any modification there marks the feed's files reached through a link, and
 * its orphans, for the next pass.
 */
struct link {
	char     *tdir;         /* the target's directory (resolved) */
	char     *tname;        /* the target's last component */
	size_t    dir;          /* the link's feed directory (index into dirs) */
	uint16_t  feed;
	int       wd;           /* -1 = none (retried at each rescan) */
};

struct dir {
	char    *path;
	int      wd;                /* inotify watch, -1 = none (retried at each rescan) */
	bool     rescan;            /* rescan at the next pass */
	bool     watch_warned;      /* failures logged once until they stop */
	bool     list_warned;
	bool     open_warned;       /* a file could not be opened: logged once, until a
	                             * complete rescan opens everything it matches */
	bool     open_failed;       /* during a rescan: an open failed */
	bool     moved_warned;      /* moved[] overflowed: logged once */
	unsigned nfailed;           /* matching names its last rescan could not open */
	struct moved moved[MOVED_MAX];
	size_t   nmoved;
};

struct feed {
	struct tf_conf conf;
	char          *glob;        /* last path component */
	size_t         dir;         /* index into feedset.dirs */
	enum start_at  start_at;
	int64_t        rotate_wait_ms;
	bool           started;     /* the store holds its start marker or a position:
	                             * start_at no longer applies */
	/* CSV with a header: the columns of the last complete header any of
	 * its files had, committed with the start marker (numbers only). A
	 * file read from 0 that does not start with a header (truncated by
	 * copytruncate while the daemon was stopped, the exporter going on
	 * with rows) is read with them. */
	struct parse_state cols;
	uint32_t       cols_gen;    /* changes of cols */
	uint32_t       cols_stored; /* cols_gen the store holds */
};

struct feedset {
	struct event_base *base;
	struct feed_sink   sink;
	void              *arg;
	struct feed       *feeds;
	size_t             nfeeds;
	struct dir        *dirs;
	size_t             ndirs;
	unsigned           rescan_ms;
	struct watch      *watch;           /* NULL: inotify unavailable, timer only */
	struct event      *pass_ev, *rescan_ev, *finish_ev;
	struct tailfile   *head, *tail;     /* every file, oldest first */
	struct tailfile  **htab;            /* (feed, dev, ino) -> file */
	size_t             hsize, nfiles;
	size_t             nopen;           /* files holding a descriptor */
	size_t             open_max;        /* at most this many (half RLIMIT_NOFILE) */
	bool               budget_noted;    /* "more files than the budget" logged */
	const struct file_pos *pos;         /* during feedset_start: committed positions */
	size_t             npos;
	bool               first_start;
	bool               once;            /* --once: no file grows any more */
	bool               started, paused, blocked, drained, read_all;
	unsigned           scan_gen;
	struct moved_from  from[MOVED_FROM_MAX];    /* a ring */
	unsigned           from_next;
	struct link        links[LINKS_MAX];
	size_t             nlinks;
	bool               links_warned;    /* links[] full: logged once */
};

/* The feed tf belongs to. */
const struct feed *feed_of_file(const struct feedset *fs, const struct tailfile *tf);
/* "dir/name" in a new string (the caller frees it), or NULL. */
char *feed_join(const char *dir, const char *name);
/*
 * Resumes tf from stored position p when p still describes the file;
 * otherwise reads it from 0. Either way the store holds p for it.
 */
void feed_place_at(struct tailfile *tf, const struct file_pos *p);
/*
 * Notes name (in directory in, NULL: d's own) as renamed out of what feed
 * follows, for the next rescan of d. Logs what it must drop.
 */
void feed_add_moved(struct dir *d, uint16_t feed, const char *in, const char *name);
/* Ends tf for good (drained and quiet); tf may be freed. */
void feed_finish(struct feedset *fs, struct tailfile *tf);

/* feedlink.c */
/*
 * Feed f's glob matched name of directory d, a symlink: watches the
 * directory of what it resolves to (struct link). Failures are logged once.
 */
void link_note(struct feedset *fs, const struct feed *f, const struct dir *d, const char *name);
/* An inotify event on the target directory of link li; see struct link. */
void link_event(struct feedset *fs, size_t li, uint32_t mask, uint32_t cookie, const char *name);

/* feedpark.c */
enum unpark { UNPARK_OPEN, UNPARK_SAME, UNPARK_WAIT, UNPARK_GONE };
/* The open-file budget: half the soft RLIMIT_NOFILE, within [OPEN_MIN, OPEN_MAX]. */
size_t park_budget(void);
/* Closes tf's descriptor, keeping its state (tf->parked). */
void park_file(struct feedset *fs, struct tailfile *tf);
/*
 * Makes room for one more descriptor: parks the file read to its end that
 * grew longest ago. Returns true when a slot is free.
 */
bool park_make_room(struct feedset *fs);
/* The name in directory dpath whose inode is ino (and device dev), or NULL; the caller frees it. */
char *dir_find_ino(const char *dpath, uint64_t dev, uint64_t ino);
/*
 * A parked file may have changed: reopens it when its size or time moved
 * or a move is pending. UNPARK_SAME: unchanged, stays parked; UNPARK_WAIT:
 * no slot free now; UNPARK_GONE: it is nowhere any more, logged, and
 * finished (tf may have been freed).
 */
enum unpark unpark_file(struct feedset *fs, struct tailfile *tf);

/* --------------------------------------------------------------- watch.c */
struct watch;
/*
 * Called for each inotify event: wd is -1 for IN_Q_OVERFLOW; name is NULL
 * for events on the watched directory itself; cookie pairs the
 * IN_MOVED_FROM and IN_MOVED_TO of one rename (0 otherwise). Must not free
 * the watch.
 */
typedef void watch_fn(void *arg, int wd, uint32_t mask, uint32_t cookie, const char *name);
/*
 * An inotify descriptor (non-blocking, close-on-exec) read from an
 * EV_READ|EV_PERSIST event on base. Returns 0 and *ret, -errno of
 * inotify_init1 (EMFILE: instances exhausted), -ENOMEM.
 */
int  watch_new(struct event_base *base, watch_fn *fn, void *arg, struct watch **ret);
void watch_free(struct watch *w);
/* Watches directory path for the feed's events. Returns the wd (>= 0) or -errno. */
int  watch_add(struct watch *w, const char *path);
void watch_rm(struct watch *w, int wd);

#endif /* FEED_INT_H */
