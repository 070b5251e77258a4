/*
 * tailfile.c — one followed file: identity (dev+ino), the fingerprint of
 * its head, bounded reading with pread, record splitting, and detection of
 * truncation (copytruncate) and of a rewritten head (truncate-then-regrow).
 *
 * All reads are pread at explicit offsets, so rewinding is only a matter of
 * setting offsets. Line contents are never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "batch.h"
#include "feed.h"
#include "log.h"
#include "map.h"
#include "parse.h"
#include "siphash.h"
#include "tq_config.h"
#include "feed_int.h"

/* Fixed key of the head fingerprint: stored positions depend on it, never change it. */
static const uint8_t fp_key[16] = {
	't', 'e', 'l', 'e', 'q', 'd', '-', 'f', 'p', '-', 'h', 'e', 'a', 'd', '-', '1'
};
static const char bom[3] = { '\xEF', '\xBB', '\xBF' };

/*
 * Reads up to len bytes at off, retrying short reads and EINTR, so that a
 * short count means end of file. Returns the count or -errno.
 */
static ssize_t
pread_full(int fd, void *p, size_t len, int64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)p + got, len - got, (off_t)(off + (int64_t)got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Loads min(TQ_FP_MAX, size) bytes of the head. Returns 0 or -errno (headlen kept). */
static int
load_head(struct tailfile *tf)
{
	ssize_t n = pread_full(tf->fd, tf->head, sizeof(tf->head), 0);

	if (n < 0)
		return (int)n;
	tf->headlen = (uint32_t)n;
	return 0;
}

/* Forgets the tail: nothing before the offset to compare (offset 0). */
static void
tail_clear(struct tailfile *tf)
{
	free(tf->tailb);
	tf->tailb = NULL;
	tf->taillen = 0;
	tf->tailfp = 0;
}

/* The fingerprint of the taillen bytes before offset. */
static uint64_t
tail_fp(const struct tailfile *tf)
{
	return tf->tailb ? siphash24(fp_key, tf->tailb, tf->taillen) : tf->tailfp;
}

/*
 * Reads the n bytes before offset off into buf. Returns 0, -ENODATA when
 * the file is shorter now, or -errno.
 */
static int
read_before(int fd, int64_t off, uint8_t *buf, uint32_t n)
{
	ssize_t got = pread_full(fd, buf, n, off - (int64_t)n);

	if (got < 0)
		return (int)got;
	return (size_t)got == n ? 0 : -ENODATA;
}

/*
 * Loads the min(TQ_TAIL_MAX, offset) bytes before offset as the tail (a
 * seek: the caller trusts the file as it is now). Returns 0 or -errno
 * (then there is no tail: taillen 0).
 */
static int
tail_load(struct tailfile *tf)
{
	uint32_t n = tf->offset < TQ_TAIL_MAX ? (uint32_t)tf->offset : TQ_TAIL_MAX;
	int r;

	tail_clear(tf);
	if (n == 0)
		return 0;
	if (!(tf->tailb = malloc(TQ_TAIL_MAX)))
		return -ENOMEM;
	if ((r = read_before(tf->fd, tf->offset, tf->tailb, n)) < 0) {
		tail_clear(tf);
		return r;
	}
	tf->taillen = n;
	return 0;
}

/*
 * The n bytes at p were just consumed (they end at the new offset): they
 * become the end of the tail. Without memory for the tail buffer the tail
 * is dropped (taillen 0: the next resume checks only the head).
 */
static void
tail_append(struct tailfile *tf, const char *p, size_t n)
{
	if (!tf->tailb) {
		if (!(tf->tailb = malloc(TQ_TAIL_MAX))) {
			tf->taillen = 0;
			tf->tailfp = 0;
			return;
		}
		/* Idle since its last check (only a hash kept): what came
		 * before is not at hand, so the tail restarts with these bytes. */
		tf->taillen = 0;
	}
	if (n >= TQ_TAIL_MAX) {
		memcpy(tf->tailb, p + n - TQ_TAIL_MAX, TQ_TAIL_MAX);
		tf->taillen = TQ_TAIL_MAX;
		return;
	}
	if (tf->taillen + n > TQ_TAIL_MAX) {
		size_t drop = tf->taillen + n - TQ_TAIL_MAX;
		memmove(tf->tailb, tf->tailb + drop, tf->taillen - drop);
		tf->taillen -= (uint32_t)drop;
	}
	memcpy(tf->tailb + tf->taillen, p, n);
	tf->taillen += (uint32_t)n;
}

/*
 * The birth time of fd's file in ns, 0 when the file system does not keep
 * one (the identity is then device, inode and fingerprints alone). An
 * inode reused by a new file is born again: this tells them apart even
 * when everything read of the old one was a CSV header the new one shares.
 */
static int64_t
birth_time(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) < 0 || !(stx.stx_mask & STATX_BTIME))
		return 0;
	return (int64_t)stx.stx_btime.tv_sec * 1000000000 + stx.stx_btime.tv_nsec;
}

/* True when fd is tf's file: the same device, inode and birth time (when known). */
bool
tf_same_file(const struct tailfile *tf, int fd)
{
	struct stat st;
	int64_t bt;

	if (fstat(fd, &st) < 0 || (uint64_t)st.st_dev != tf->dev || (uint64_t)st.st_ino != tf->ino)
		return false;
	bt = birth_time(fd);
	return !bt || !tf->btime || bt == tf->btime;
}

/* Common part of tf_open and tf_open_fd: fd is adopted only on success. */
static int
tf_new(int fd, const struct stat *st, const char *path, const struct tf_conf *conf,
       struct tailfile **ret)
{
	struct tailfile *tf;
	const char *slash;
	int r;

	if (!(tf = calloc(1, sizeof(*tf))) || !(tf->path = strdup(path))) {
		free(tf);
		return -ENOMEM;
	}
	slash = strrchr(tf->path, '/');
	tf->name = slash ? slash + 1 : tf->path;
	tf->conf = conf;
	tf->fd = fd;
	tf->dev = (uint64_t)st->st_dev;
	tf->ino = (uint64_t)st->st_ino;
	tf->btime = birth_time(fd);
	tf->checked_size = -1;
	if ((r = load_head(tf)) < 0) {
		tf->fd = -1;    /* not adopted: the caller still owns it */
		tf_free(tf);
		return r;
	}
	*ret = tf;
	return 0;
}

/*
 * Adopts the open descriptor fd of path. Returns 0 and *ret, -EINVAL when
 * fd is not a regular file, -ENOMEM, -errno. On failure fd stays the
 * caller's.
 */
int
tf_open_fd(int fd, const char *path, const struct tf_conf *conf, struct tailfile **ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return tf_new(fd, &st, path, conf, ret);
}

/*
 * Opens path at offset 0. O_NONBLOCK keeps a FIFO that happens to match the
 * glob from blocking the daemon in open(2); it changes nothing for regular
 * files. Returns 0 and *ret, -EINVAL (not a regular file), -ENOMEM, -errno.
 */
int
tf_open(const char *path, const struct tf_conf *conf, struct tailfile **ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int r;

	if (fd < 0)
		return -errno;
	if ((r = tf_open_fd(fd, path, conf, ret)) < 0)
		close(fd);
	return r;
}

/* A ghost of stored position p. Returns 0 and *ret, or -ENOMEM. */
int
tf_ghost(const struct file_pos *p, const struct tf_conf *conf, struct tailfile **ret)
{
	struct tailfile *tf;
	size_t n = strnlen(p->path, sizeof(p->path));

	if (!(tf = calloc(1, sizeof(*tf))) || !(tf->path = strndup(p->path, n))) {
		free(tf);
		return -ENOMEM;
	}
	tf->name = tf->path;
	tf->conf = conf;
	tf->fd = -1;
	tf->dev = p->dev;
	tf->ino = p->ino;
	tf->offset = tf->read_off = tf->start_off = tf->committed_off = p->offset;
	tf->line = tf->start_line = tf->committed_line = p->line;
	tf->hdr_off = tf->start_hdr_off = p->hdr_off;
	tf->ghost_fp = p->fp;
	tf->ghost_fplen = p->fplen;
	tf->taillen = p->taillen;
	tf->tailfp = p->tailfp;
	tf->btime = p->btime;
	tf->ghost = tf->finished = tf->has_committed = true;
	*ret = tf;
	return 0;
}

/* Closes and frees tf. Accepts NULL. */
void
tf_free(struct tailfile *tf)
{
	if (!tf)
		return;
	if (tf->fd >= 0)
		close(tf->fd);
	free(tf->buf);
	free(tf->tailb);
	free(tf->path);
	free(tf);
}

/* True when p (offset, fingerprint) describes this file's current content. */
bool
tf_matches(struct tailfile *tf, const struct file_pos *p)
{
	uint8_t head[TQ_FP_MAX], tail[TQ_TAIL_MAX];
	struct stat st;

	if (tf->fd < 0 || p->offset < 0 || p->fplen > TQ_FP_MAX || p->taillen > TQ_TAIL_MAX ||
	    p->taillen > p->offset || fstat(tf->fd, &st) < 0 || st.st_size < p->offset)
		return false;
	if (p->btime && tf->btime && p->btime != tf->btime)
		return false;   /* another file born in the same inode */
	if (pread_full(tf->fd, head, p->fplen, 0) != (ssize_t)p->fplen ||
	    siphash24(fp_key, head, p->fplen) != p->fp)
		return false;
	/* A head alone is often just a CSV header: the bytes before the
	 * offset tell whether this is still the content that was read. */
	return p->taillen == 0 || (read_before(tf->fd, p->offset, tail, p->taillen) == 0 &&
	    siphash24(fp_key, tail, p->taillen) == p->tailfp);
}

/* Moves to offset off / line; see feed_int.h. Returns 0 or -errno of the head read. */
int
tf_seek(struct tailfile *tf, int64_t off, uint64_t line)
{
	int r, r2;

	tf->offset = tf->read_off = off;
	tf->line = line;
	tf->len = 0;
	tf->skipping = false;
	tf->line_only = false;
	memset(&tf->ps, 0, sizeof(tf->ps));
	tf->hdr_off = 0;        /* the caller sets a stored one */
	tf->header_pending = tf->conf->format == FORMAT_CSV && tf->conf->header && off > 0;
	tf->open_quote = false;
	tf->checked_size = -1;  /* check size and head again before the next read */
	if (off == 0) {
		/* Refilled while reading, so after a restart it never holds
		 * bytes of the content that was replaced. */
		tf->headlen = 0;
		tail_clear(tf);
		return 0;
	}
	r = tail_load(tf);
	/* A head read before stays: the bytes of an appended file never
	 * change, and keeping it keeps rewrite detection. */
	if (tf->headlen >= (off < TQ_FP_MAX ? (uint32_t)off : TQ_FP_MAX))
		return r;
	r2 = load_head(tf);
	return r < 0 ? r : r2;
}

/* Offset after the last '\n' of the file. Returns 0 and *ret_off, or -errno. */
int
tf_find_end(struct tailfile *tf, int64_t *ret_off)
{
	struct stat st;
	char *chunk;
	int64_t end;

	if (fstat(tf->fd, &st) < 0)
		return -errno;
	if (!(chunk = malloc(TF_CHUNK)))
		return -ENOMEM;
	/* Backwards from the end: usually the first chunk holds a newline. */
	for (end = st.st_size; end > 0;) {
		size_t n = end > TF_CHUNK ? TF_CHUNK : (size_t)end;
		ssize_t got = pread_full(tf->fd, chunk, n, end - (int64_t)n);
		const char *nl;

		if (got < 0) {
			free(chunk);
			return (int)got;
		}
		if ((size_t)got < n) {
			/* Truncated under us: search what is there now. */
			end = end - (int64_t)n + got;
			continue;
		}
		if ((nl = memrchr(chunk, '\n', n))) {
			*ret_off = end - (int64_t)n + (nl - chunk) + 1;
			free(chunk);
			return 0;
		}
		end -= (int64_t)n;
	}
	free(chunk);
	*ret_off = 0;
	return 0;
}

/*
 * Starts the file over from offset 0: everything consumed so far belongs to
 * content that no longer exists (truncated or rewritten). The columns a
 * CSV header taught stay: an exporter that goes on appending after a
 * copytruncate writes rows without a header, so the first record is
 * checked against the old header (skipped when equal), taken as a new
 * header when it is one (recheck_header, map.c), and is data otherwise.
 */
static void
restart(struct tailfile *tf)
{
	struct parse_state ps = tf->ps;

	(void)tf_seek(tf, 0, 0);
	tf->gen++;      /* its new fingerprints must be committed, even at the old offset */
	if (tf->conf->format == FORMAT_CSV && tf->conf->header && ps.have_header) {
		tf->ps = ps;
		tf->ps.recheck_header = true;
	}
	tf->start_off = 0;
	tf->start_line = 0;
	tf->start_hdr_off = 0;
}

/*
 * Compares the taillen bytes before offset in the file with the tail as
 * read. Returns 1 when they are the same (the tail is then kept as bytes,
 * to be extended by the next records), 0 when they differ or the file is
 * shorter, -errno on a read error.
 */
static int
tail_check(struct tailfile *tf)
{
	uint8_t now[TQ_TAIL_MAX];
	int r;

	if (tf->taillen == 0)
		return 1;
	if ((r = read_before(tf->fd, tf->offset, now, tf->taillen)) < 0)
		return r == -ENODATA ? 0 : r;
	if (tf->tailb)
		return memcmp(now, tf->tailb, tf->taillen) == 0;
	if (siphash24(fp_key, now, tf->taillen) != tf->tailfp)
		return 0;
	if ((tf->tailb = malloc(TQ_TAIL_MAX)))
		memcpy(tf->tailb, now, tf->taillen);
	return 1;
}

/*
 * Checks the file before reading: deletion, truncation, and, whenever the
 * size or the modification time changed, that its head still holds the
 * bytes read before (one pread of at most TQ_FP_MAX bytes), which catches
 * truncate-then-regrow past the old offset, and to exactly the old size
 * (then only the modification time tells), and that the bytes just before
 * the offset are still the ones read there (one pread of at most
 * TQ_TAIL_MAX bytes), which catches a rewrite that keeps the head (a CSV
 * header is often longer than the head fingerprint). Returns 0 or -errno
 * (logged once).
 */
static int
tf_check(struct tailfile *tf, int64_t now_ms)
{
	uint8_t head[TQ_FP_MAX];
	struct stat st;
	int64_t mtime;
	ssize_t n;
	int r;

	if (fstat(tf->fd, &st) < 0) {
		r = -errno;
		if (!tf->warned)
			log_warn("%s: fstat", tf->path);
		tf->warned = true;
		return r;
	}
	if (st.st_nlink == 0 && !tf->deleted) {
		/* A rescan may have seen the name vanish first and said so. */
		if (!tf->orphan) {
			log_info("%s: deleted; reading it to its end", tf->path);
			tf->orphan = true;
			tf->active_ms = now_ms;
		}
		tf->deleted = true;
	}
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (st.st_size == tf->checked_size && mtime == tf->checked_mtime)
		return 0;
	tf->active_ms = now_ms;
	if (st.st_size < tf->offset) {
		log_notice("%s: truncated (size %jd < offset %jd); reading from the start", tf->path,
		    (intmax_t)st.st_size, (intmax_t)tf->offset);
		restart(tf);
	} else if (tf->headlen > 0) {
		n = pread_full(tf->fd, head, tf->headlen, 0);
		if (n < 0) {
			if (!tf->warned)
				log_warnx("%s: reading the head: %s", tf->path, strerror((int)-n));
			tf->warned = true;
			return (int)n;
		}
		if ((size_t)n != tf->headlen || memcmp(head, tf->head, tf->headlen) != 0) {
			log_notice("%s: rewritten (its first bytes changed); reading from the start",
			    tf->path);
			restart(tf);
		} else if ((r = tail_check(tf)) <= 0) {
			if (r < 0) {
				if (!tf->warned)
					log_warnx("%s: reading the bytes before offset %jd: %s", tf->path,
					    (intmax_t)tf->offset, strerror(-r));
				tf->warned = true;
				return r;
			}
			log_notice("%s: rewritten (the bytes before offset %jd changed); reading "
			    "from the start", tf->path, (intmax_t)tf->offset);
			restart(tf);
		} else if (st.st_size < tf->read_off) {
			/* Shrunk below bytes we buffered but not below a record
			 * boundary: drop the buffer and read those bytes again. */
			tf->read_off = tf->offset;
			tf->len = 0;
			tf->skipping = false;
			tf->line_only = false;
		}
	}
	tf->checked_size = st.st_size;
	tf->checked_mtime = mtime;
	return 0;
}

/* Length of the first complete record in p[0..n) including its '\n', 0 if none. */
static size_t
record_len(const struct tailfile *tf, const char *p, size_t n)
{
	const char *nl;

	if (tf->conf->format == FORMAT_CSV && !tf->line_only)
		return csv_record_len(p, n, tf->conf->delim, tf->conf->quote);
	nl = memchr(p, '\n', n);
	return nl ? (size_t)(nl - p) + 1 : 0;
}

/*
 * Strips the '\n' (and a '\r' before it) of a record of rl bytes, and the
 * UTF-8 BOM when the record starts the file. Returns the content length.
 */
static size_t
strip(const char **rec, size_t rl, bool at_start)
{
	size_t len = rl - 1;

	if (len > 0 && (*rec)[len - 1] == '\r')
		len--;
	if (at_start && len >= sizeof(bom) && memcmp(*rec, bom, sizeof(bom)) == 0) {
		*rec += sizeof(bom);
		len -= sizeof(bom);
	}
	return len;
}

/* Hands one over-long line to the sink's reject callback. */
static void
reject_long(struct tailfile *tf, const struct tf_out *out, uint64_t line)
{
	char detail[TQ_DETAIL_MAX];
	struct record_ctx rc = {
		.feed = tf->conf->feed, .line = line, .path = tf->path,
		.ps = &tf->ps, .header_replay = false,
	};

	snprintf(detail, sizeof(detail), "no newline within max_line (%zu bytes)",
	    tf->conf->max_line);
	out->sink->reject(out->arg, &rc, REJ_TOO_LONG, detail);
}

/*
 * Grows the buffer so that TF_CHUNK bytes fit after len, capped at
 * max_line + TF_CHUNK (len never exceeds max_line + 1, a CR, when reading). Returns 0
 * or -ENOMEM.
 */
static int
reserve(struct tailfile *tf)
{
	size_t want = tf->len + TF_CHUNK;
	char *p;

	if (tf->alloc >= want)
		return 0;
	if (!(p = realloc(tf->buf, want)))
		return -ENOMEM;
	tf->buf = p;
	tf->alloc = want;
	return 0;
}

/* Frees an empty buffer, and keeps only the hash of the tail. */
void
tf_trim(struct tailfile *tf)
{
	if (tf->len > 0)
		return;
	if (tf->buf) {
		free(tf->buf);
		tf->buf = NULL;
		tf->alloc = 0;
	}
	if (tf->tailb) {
		tf->tailfp = tail_fp(tf);
		free(tf->tailb);
		tf->tailb = NULL;
	}
}

/*
 * Delivers the complete records in buf. Returns TF_BLOCKED when the sink
 * refused one (it stays in buf) or *stop was set, otherwise TF_EOF.
 */
static enum tf_status
deliver(struct tailfile *tf, const struct tf_out *out)
{
	size_t pos = 0, rl;
	enum tf_status st = TF_EOF;

	while (pos < tf->len && (rl = record_len(tf, tf->buf + pos, tf->len - pos)) > 0) {
		struct record_ctx rc = {
			.feed = tf->conf->feed, .line = tf->line + 1, .path = tf->path,
			.ps = &tf->ps, .header_replay = false,
		};
		const char *rec = tf->buf + pos;
		/* a new header (MAP_HEADER) changes these: noted to replay it on resuming */
		uint64_t hh = tf->ps.header_hash;
		size_t hl = tf->ps.header_len;

		/* max_line bounds the record, not its "\n" or "\r\n" */
		if (rl - 1 - (rl >= 2 && rec[rl - 2] == '\r') > tf->conf->max_line) {
			/* Complete but too long (it arrived in one read): same verdict
			 * as a line that overflowed the buffer. */
			reject_long(tf, out, rc.line);
		} else {
			size_t len = strip(&rec, rl, tf->offset == 0);
			if (out->sink->record(out->arg, &rc, rec, len) == -ENOSPC) {
				st = TF_BLOCKED;
				break;
			}
			/* cppcheck-suppress knownConditionTrueFalse ; false positive: the sink changes tf->ps through rc.ps */
			if (tf->offset > 0 && (tf->ps.header_hash != hh || tf->ps.header_len != hl))
				tf->hdr_off = tf->offset;
		}
		pos += rl;
		tf->offset += (int64_t)rl;
		tf->line++;
		tf->line_only = false;
		if (*out->stop) {
			st = TF_BLOCKED;
			break;
		}
	}
	if (pos > 0) {
		tail_append(tf, tf->buf, pos);
		memmove(tf->buf, tf->buf + pos, tf->len - pos);
		tf->len -= pos;
	}
	return st;
}

/*
 * Re-reads the header record of a CSV file resumed past it (the first one,
 * or the one at hdr_off that replaced it mid-file) and hands it to the sink
 * with header_replay set, so the sink learns the columns. The read
 * buffer is empty here (tf_seek emptied it and nothing was read since).
 * Returns TF_BLOCKED when the sink refused it, else TF_EOF; header_pending
 * stays set when it is to be retried (sink refused it, out of memory, read
 * error) and is cleared when it was delivered or cannot be (incomplete or
 * over-long first record: logged once).
 */
static enum tf_status
replay_header(struct tailfile *tf, const struct tf_out *out)
{
	/* The read buffer's bound; a header with a BOM and "\r\n" fits. */
	size_t have = 0, rl = 0, cap = tf->conf->max_line + TF_CHUNK;
	struct record_ctx rc = {
		.feed = tf->conf->feed, .line = 1, .path = tf->path, .ps = &tf->ps,
		.header_replay = true,
	};
	const char *rec;
	size_t len;

	while (rl == 0 && have < cap) {
		size_t want = have + TF_CHUNK < cap ? have + TF_CHUNK : cap;
		ssize_t n;

		if (tf->alloc < want) {
			char *p = realloc(tf->buf, want);
			if (!p)
				return TF_EOF;  /* still pending: retried at the next pass */
			tf->buf = p;
			tf->alloc = want;
		}
		n = pread_full(tf->fd, tf->buf + have, want - have, tf->hdr_off + (int64_t)have);
		if (n < 0) {
			if (!tf->warned)
				log_warnx("%s: re-reading the CSV header: %s", tf->path,
				    strerror((int)-n));
			tf->warned = true;
			return TF_EOF;  /* still pending */
		}
		if (n == 0)
			break;
		have += (size_t)n;
		rl = csv_record_len(tf->buf, have, tf->conf->delim, tf->conf->quote);
	}
	rec = tf->buf;
	/* max_line bounds the header without its BOM and terminator */
	if (rl == 0 || (len = strip(&rec, rl, tf->hdr_off == 0)) > tf->conf->max_line) {
		log_warnx("%s: cannot re-read the CSV header (incomplete or too long)", tf->path);
		tf->header_pending = false;
		return TF_EOF;
	}
	if (out->sink->record(out->arg, &rc, rec, len) == -ENOSPC)
		return TF_BLOCKED;
	tf->header_pending = false;
	return *out->stop ? TF_BLOCKED : TF_EOF;
}

/* Copies the part of the n bytes just read at off that falls in the head. */
static void
note_head(struct tailfile *tf, const char *p, size_t n, int64_t off)
{
	if (off <= (int64_t)tf->headlen && off + (int64_t)n > (int64_t)tf->headlen &&
	    tf->headlen < TQ_FP_MAX) {
		size_t from = tf->headlen - (size_t)off;
		size_t k = n - from;
		if (k > TQ_FP_MAX - tf->headlen)
			k = TQ_FP_MAX - tf->headlen;
		memcpy(tf->head + tf->headlen, p + from, k);
		tf->headlen += (uint32_t)k;
	}
}

/*
 * Takes the n bytes just read while skipping an over-long line: up to its
 * '\n' they are dropped, and the line is then consumed and rejected once;
 * the rest stays buffered as the start of the next record.
 */
static void
skip_bytes(struct tailfile *tf, const struct tf_out *out, size_t n)
{
	const char *nl = memchr(tf->buf, '\n', n);
	size_t rest;

	if (!nl)
		return;         /* all of it belongs to the long line: dropped */
	rest = n - (size_t)(nl - tf->buf) - 1;
	/* The start of the long line was dropped: the tail is what is left of
	 * it in this read, up to its '\n'. */
	tail_clear(tf);
	tail_append(tf, tf->buf, n - rest);
	tf->offset = tf->read_off - (int64_t)rest;
	tf->line++;
	tf->skipping = false;
	tf->line_only = false;
	memmove(tf->buf, nl + 1, rest);
	tf->len = rest;
	reject_long(tf, out, tf->line);
}

/* Reads and delivers; see feed_int.h. */
enum tf_status
tf_read(struct tailfile *tf, const struct tf_out *out, size_t *budget, int64_t now_ms)
{
	enum tf_status st;

	if (tf->fd < 0 || tf->finished)
		return TF_EOF;
	if (tf_check(tf, now_ms) < 0)
		return TF_EOF;
	if (tf->header_pending) {
		/* No record is read before the sink knows the columns. */
		st = replay_header(tf, out);
		if (st != TF_EOF || tf->header_pending)
			return st;
	}
	for (;;) {
		ssize_t n;

		if (!tf->skipping) {
			if ((st = deliver(tf, out)) != TF_EOF)
				return st;
			/* The one byte past max_line may be the CR of a "\r\n"
			 * whose LF is still to come. */
			if (tf->len > tf->conf->max_line + 1 || (tf->len == tf->conf->max_line + 1 &&
			    tf->buf[tf->conf->max_line] != '\r')) {
				/* A quote opened a CSV field and no record end came
				 * within max_line: if a line ended in between, the quote
				 * was a stray. That line alone is the record (rejected
				 * as malformed) and the lines after it are read on, so
				 * it takes no good line with it. */
				if (tf->conf->format == FORMAT_CSV && !tf->line_only &&
				    memchr(tf->buf, '\n', tf->len < tf->conf->max_line + 2 ? tf->len :
				    tf->conf->max_line + 2)) {
					tf->line_only = true;
					continue;
				}
				/* No record end within max_line: never buffer more;
				 * drop it and look for the '\n' that ends it. */
				tf->skipping = true;
				tf->len = 0;
			}
		}
		if (*budget == 0)
			return TF_MORE;
		if (reserve(tf) < 0) {
			if (!tf->warned)
				log_warnx("%s: out of memory for the read buffer", tf->path);
			tf->warned = true;
			return TF_EOF;  /* the next pass tries again */
		}
		n = pread(tf->fd, tf->buf + tf->len, TF_CHUNK, (off_t)tf->read_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!tf->warned)
				log_warn("%s: read", tf->path);
			tf->warned = true;
			return TF_EOF;
		}
		tf->warned = false;
		if (n == 0) {
			/* At the end inside an open quote with a line end after
			 * it: once no more bytes can close the quote, it was a
			 * stray, and its line alone is the record. */
			tf->open_quote = tf->conf->format == FORMAT_CSV && !tf->skipping &&
			    !tf->line_only && tf->len > 0 && memchr(tf->buf, '\n', tf->len);
			if (tf->open_quote && (out->once || now_ms - tf->active_ms >= tf->conf->quiet_ms)) {
				tf->open_quote = false;
				tf->line_only = true;
				continue;
			}
			return TF_EOF;
		}
		note_head(tf, tf->buf + tf->len, (size_t)n, tf->read_off);
		tf->read_off += n;
		*budget = (size_t)n >= *budget ? 0 : *budget - (size_t)n;
		if (tf->skipping)
			skip_bytes(tf, out, (size_t)n);
		else
			tf->len += (size_t)n;
	}
}

/* The position to commit for tf. */
void
tf_position(const struct tailfile *tf, struct file_pos *ret)
{
	size_t n = strlen(tf->path);

	memset(ret, 0, sizeof(*ret));
	ret->feed = tf->conf->feed;
	ret->dev = tf->dev;
	ret->ino = tf->ino;
	ret->offset = tf->offset;
	ret->line = tf->line;
	if (tf->ghost) {
		ret->fp = tf->ghost_fp;
		ret->fplen = tf->ghost_fplen;
	} else {
		/* headlen >= min(TQ_FP_MAX, read_off) >= fplen by the invariant. */
		ret->fplen = tf->offset < TQ_FP_MAX ? (uint32_t)tf->offset : TQ_FP_MAX;
		if (ret->fplen > tf->headlen)
			ret->fplen = tf->headlen;
		ret->fp = siphash24(fp_key, tf->head, ret->fplen);
	}
	ret->taillen = tf->taillen;
	ret->tailfp = tail_fp(tf);
	ret->btime = tf->btime;
	ret->hdr_off = tf->hdr_off < tf->offset ? tf->hdr_off : 0;
	ret->gen = tf->gen;
	if (n >= sizeof(ret->path))
		n = sizeof(ret->path) - 1;
	memcpy(ret->path, tf->path, n);
}
