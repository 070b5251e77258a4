/*
 * feedpark.c — the feed set's open-file budget (split from feed.c).
 *
 * At most open_max files hold a descriptor: a directory of more files than
 * the process may open must still be read whole, and the daemon needs
 * descriptors for Redis, HTTP clients and mail too. A followed file read to
 * its end is "parked" (closed, its state kept: identity, offsets, head,
 * tail fingerprint) when a slot is needed, and reopened by identity when it
 * may have grown: an inotify event on its name, the rescan seeing it with
 * another size or time, the rescan timer. Orphans (rotated away, deleted)
 * are never parked: a deleted file cannot be reopened.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"
#include "log.h"
#include "feed_int.h"

/* The budget: half the soft RLIMIT_NOFILE, within [OPEN_MIN, OPEN_MAX]. */
size_t
park_budget(void)
{
	struct rlimit rl;
	rlim_t n = OPEN_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur / 2;
	if (n < OPEN_MIN)
		n = OPEN_MIN;
	return n > OPEN_MAX ? OPEN_MAX : (size_t)n;
}

/* True when tf holds a descriptor it does not need now (read to its end). */
static bool
parkable(const struct tailfile *tf)
{
	return tf->fd >= 0 && !tf->ghost && !tf->orphan && !tf->finished && !tf->dirty &&
	    tf->len == 0 && !tf->skipping && !tf->header_pending && !tf->open_quote;
}

/* Closes tf's descriptor, keeping its state. */
void
park_file(struct feedset *fs, struct tailfile *tf)
{
	tf_trim(tf);
	close(tf->fd);
	tf->fd = -1;
	tf->parked = true;
	fs->nopen--;
}

/*
 * Makes room for one more descriptor: parks the file read to its end that
 * grew longest ago. Returns true when a slot is free.
 */
bool
park_make_room(struct feedset *fs)
{
	struct tailfile *tf, *best = NULL;

	if (fs->nopen < fs->open_max)
		return true;
	for (tf = fs->head; tf; tf = tf->next)
		if (parkable(tf) && (!best || tf->active_ms < best->active_ms))
			best = tf;
	if (!best)
		return false;
	if (!fs->budget_noted)
		log_info("more files than the open-file budget (%zu, half of RLIMIT_NOFILE): files "
		    "read to their end are closed and reopened when they grow", fs->open_max);
	fs->budget_noted = true;
	park_file(fs, best);
	return true;
}

/* The name in directory dpath whose inode is ino (and device dev), or NULL. */
char *
dir_find_ino(const char *dpath, uint64_t dev, uint64_t ino)
{
	struct dirent *de;
	struct stat st;
	char *name = NULL;
	DIR *dp;

	if (!(dp = opendir(dpath)))
		return NULL;
	while ((de = readdir(dp)))
		if (de->d_ino == ino && fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && (uint64_t)st.st_dev == dev) {
			name = feed_join(dpath, de->d_name);
			break;
		}
	closedir(dp);
	return name;
}

/* Opens path when it is still tf's file (tf_same_file). Returns the descriptor or -1. */
static int
open_same(const struct tailfile *tf, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (!tf_same_file(tf, fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A parked file may have changed: reopens it (under its name, or under the
 * name its inode has now in the directory) when its size or time moved or
 * a move is pending (reseek). UNPARK_SAME: unchanged, stays parked;
 * UNPARK_WAIT: no slot free now; UNPARK_GONE: it is nowhere any more,
 * logged, and finished (tf may have been freed).
 */
enum unpark
unpark_file(struct feedset *fs, struct tailfile *tf)
{
	const struct dir *d = &fs->dirs[feed_of_file(fs, tf)->dir];
	struct stat st;
	char *moved;
	int fd;

	if (stat(tf->path, &st) == 0 && (uint64_t)st.st_dev == tf->dev &&
	    (uint64_t)st.st_ino == tf->ino && !tf->reseek && st.st_size == tf->offset &&
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == tf->checked_mtime)
		return UNPARK_SAME;
	if (!park_make_room(fs))
		return UNPARK_WAIT;
	if ((fd = open_same(tf, tf->path)) < 0 && (moved = dir_find_ino(d->path, tf->dev, tf->ino))) {
		/* Renamed while closed (rotation): the rescan orphans it. */
		if ((fd = open_same(tf, moved)) >= 0) {
			log_info("%s: renamed to %s while closed; following it there", tf->path, moved);
			free(tf->path);
			tf->path = moved;
			tf->name = strrchr(moved, '/') + 1;
		} else {
			free(moved);
		}
	}
	if (fd < 0) {
		log_warnx("%s: deleted or moved out of %s while closed (teleqd holds at most %zu "
		    "files open); whatever was written to it after offset %jd was not read",
		    tf->path, d->path, fs->open_max, (intmax_t)tf->offset);
		tf->parked = false;
		tf->reseek = false;
		tf->orphan = tf->deleted = true;
		tf->dirty = false;
		feed_finish(fs, tf);
		return UNPARK_GONE;
	}
	tf->fd = fd;
	tf->parked = false;
	tf->checked_size = -1;          /* check head, tail and size before reading */
	fs->nopen++;
	if (tf->reseek) {
		tf->reseek = false;
		if (tf->seek_stored)
			feed_place_at(tf, &tf->seekp);
		else {
			(void)tf_seek(tf, tf->start_off, tf->start_line);
			tf->hdr_off = tf->start_hdr_off;
		}
	}
	return UNPARK_OPEN;
}
