/*
 * feed.c — the feed set: each feed's directory and glob, scanning, the read
 * pass and its scheduling, and the file positions committed with the data.
 *
 * Files are keyed by (feed, dev, ino); a name is only a way to find them.
 * A pass reads the files marked dirty (by inotify, the rescan timer, a
 * rewind) with a byte budget per file and schedules itself again while data
 * remains, so the loop stays responsive. Rescans run at the start of a
 * pass, so a burst of inotify events costs one readdir per directory.
 *
 * Exactly once: a file's consumed offset only moves past records the sink
 * took; feedset_positions hands those offsets to the batch that holds the
 * records, and only feedset_committed makes them "committed". A file that
 * is finished (rotated away or deleted, drained, quiet for rotate_wait_ms)
 * is reported gone only once the store holds a position for it, so after
 * an unknown-outcome commit the absence of its entry can only mean that the
 * gone commit applied; only then is its descriptor closed. A finished file
 * that still exists (renamed out of the pattern, not deleted) is kept: its
 * last position stays stored, so a pattern matching it again resumes it;
 * a later start, reload or reconnect drops the entry once the file is gone.
 *
 * Sink callbacks: record and reject may call feedset_pause (reading stops
 * after that record) but nothing that adds or removes files; idle is called
 * last in a pass and may do anything, feedset_free included.
 *
 * The open-file budget (parking) is in feedpark.c, the watching of
 * symlinked files' targets in feedlink.c; the structures they share are in
 * feed_int.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "core.h"
#include "batch.h"
#include "clock.h"
#include "feed.h"
#include "log.h"
#include "map.h"
#include "tq_config.h"
#include "feed_int.h"
#include "dlist.h"

#define HASH_MIN 64
/* Asks the loop for a pass (coalesced: activating an active event is a no-op). */
static void
wake(struct feedset *fs)
{
	if (fs->started)
		event_active(fs->pass_ev, EV_TIMEOUT, 0);
}

/*
 * Schedules the next pass after the loop has polled for I/O once more. A
 * plain event_active would run it within the same loop iteration (libevent
 * keeps draining the active queue it appends to), starving everything else;
 * a zero timeout is only expired after the next poll.
 */
static void
yield_pass(struct feedset *fs)
{
	static const struct timeval now = { 0, 0 };

	evtimer_add(fs->pass_ev, &now);
}

/* ------------------------------------------------------------ file table */

static size_t
hslot(size_t hsize, uint16_t feed, uint64_t dev, uint64_t ino)
{
	uint64_t h = ino * UINT64_C(0x9E3779B97F4A7C15) ^ dev * UINT64_C(0xC2B2AE3D27D4EB4F) ^ feed;

	h ^= h >> 31;
	return (size_t)h & (hsize - 1);
}

/* The file state of (feed, dev, ino), or NULL. */
static struct tailfile *
lookup(const struct feedset *fs, uint16_t feed, uint64_t dev, uint64_t ino)
{
	struct tailfile *tf = fs->htab[hslot(fs->hsize, feed, dev, ino)];

	while (tf && !(tf->conf->feed == feed && tf->dev == dev && tf->ino == ino))
		tf = tf->hnext;
	return tf;
}

/* Doubles the hash table. -ENOMEM leaves it as it was (only slower). */
static int
rehash(struct feedset *fs)
{
	size_t nsize = fs->hsize * 2, i;
	struct tailfile **nt = calloc(nsize, sizeof(*nt)), *tf, *next; /* NOLINT(bugprone-sizeof-expression): an array of pointers */

	if (!nt)
		return -ENOMEM;
	for (i = 0; i < fs->hsize; i++)
		for (tf = fs->htab[i]; tf; tf = next) {
			size_t s = hslot(nsize, tf->conf->feed, tf->dev, tf->ino);
			next = tf->hnext;
			tf->hnext = nt[s];
			nt[s] = tf;
		}
	free(fs->htab);
	fs->htab = nt;
	fs->hsize = nsize;
	return 0;
}

/* Adds tf (owned by the set from now on) at the end of the list. */
static void
file_add(struct feedset *fs, struct tailfile *tf)
{
	size_t s;

	if (fs->nfiles >= fs->hsize)
		(void)rehash(fs);
	s = hslot(fs->hsize, tf->conf->feed, tf->dev, tf->ino);
	tf->hnext = fs->htab[s];
	fs->htab[s] = tf;
	if (tf->fd >= 0)
		fs->nopen++;
	tf->prev = fs->tail;
	tf->next = NULL;
	if (fs->tail)
		fs->tail->next = tf;
	else
		fs->head = tf;
	fs->tail = tf;
	fs->nfiles++;
}

/* Removes tf from the set, closes and frees it. */
static void
file_remove(struct feedset *fs, struct tailfile *tf)
{
	struct tailfile **pp = &fs->htab[hslot(fs->hsize, tf->conf->feed, tf->dev, tf->ino)];

	while (*pp != tf)
		pp = &(*pp)->hnext;
	*pp = tf->hnext;
	DLIST_UNLINK(fs->head, tf);
	if (!tf->next)
		fs->tail = tf->prev;
	fs->nfiles--;
	if (tf->fd >= 0)
		fs->nopen--;
	tf_free(tf);
}

/* The feed tf belongs to. */
const struct feed *
feed_of_file(const struct feedset *fs, const struct tailfile *tf)
{
	return &fs->feeds[tf->conf->feed];
}

/* The committed position of (feed, dev, ino) during feedset_start, or NULL. */
static const struct file_pos *
find_pos(const struct feedset *fs, uint16_t feed, uint64_t dev, uint64_t ino)
{
	size_t i;

	for (i = 0; i < fs->npos; i++)
		if (!fs->pos[i].marker && fs->pos[i].feed == feed && fs->pos[i].dev == dev &&
		    fs->pos[i].ino == ino)
			return &fs->pos[i];
	return NULL;
}

/* "dir/name" in a new string, or NULL. */
char *
feed_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);

	if (!p)
		return NULL;
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): name and its NUL follow */
	memcpy(p, dir, dl);
	if (dl == 0 || dir[dl - 1] != '/')
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

/*
 * Resumes tf from stored position p when p still describes the file (its
 * head hashes to p's fingerprint and it is at least p->offset long);
 * otherwise (inode reuse, rewritten file) reads it from 0. Either way the
 * store holds p for it.
 */
void
feed_place_at(struct tailfile *tf, const struct file_pos *p)
{
	if (tf_matches(tf, p)) {
		(void)tf_seek(tf, p->offset, p->line);
		if (p->hdr_off > 0 && p->hdr_off < p->offset)
			tf->hdr_off = p->hdr_off;       /* a header that came mid-file */
	} else {
		log_notice("%s: the stored position (offset %jd) does not match the file (its "
		    "inode was reused, or it was rewritten); a new file: reading from the start",
		    tf->path, (intmax_t)p->offset);
		(void)tf_seek(tf, 0, 0);
		tf->gen++;      /* the new fingerprints must be committed */
	}
	tf->has_committed = true;
	tf->committed_off = p->offset;
	tf->committed_line = p->line;
}

/* Notes where a file was first seen: rewinds without a stored position go there. */
static void
mark_start(struct tailfile *tf)
{
	tf->start_off = tf->offset;
	tf->start_line = tf->line;
	tf->start_hdr_off = tf->hdr_off;
}

/* ---------------------------------------------------------------- scans */

/*
 * A glob match name in directory dp of feed f: records that the file is
 * still there, or opens it when it is new. New files are read from their
 * start, except at the first feedset_start: from their committed position,
 * else from where start_at says. Returns 0, or -ENOMEM.
 */
static int
consider(struct feedset *fs, struct feed *f, DIR *dp, const char *name, unsigned gen)
{
	struct dir *d = &fs->dirs[f->dir];
	const struct file_pos *p;
	struct tailfile *tf, *old;
	struct stat st, lst;
	char *path;
	bool link;
	int r;

	link = fstatat(dirfd(dp), name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode);
	if (link)
		link_note(fs, f, d, name);      /* inotify on the link's directory misses its target */
	if (fstatat(dirfd(dp), name, &st, 0) < 0 || !S_ISREG(st.st_mode))
		return 0;       /* gone since readdir, a dangling link, not a file */
	if ((tf = lookup(fs, f->conf.feed, (uint64_t)st.st_dev, (uint64_t)st.st_ino))) {
		tf->seen_gen = gen;
		if (tf->parked && (st.st_size != tf->offset ||
		    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != tf->checked_mtime))
			tf->dirty = true;       /* may have grown: reopened by the pass */
		if (tf->orphan && !tf->deleted && !tf->finished) {
			log_debug("%s: matches the glob again; following it", tf->path);
			tf->orphan = false;
		}
		return 0;
	}
	if (!(path = feed_join(d->path, name)))
		return -ENOMEM;
	(void)park_make_room(fs);
	r = tf_open(path, &f->conf, &tf);
	if ((r == -EMFILE || r == -ENFILE) && fs->nopen > OPEN_MIN) {
		/* Fewer descriptors left than the budget assumed (HTTP clients,
		 * a lower limit): shrink the budget and close a file read to
		 * its end. */
		fs->open_max = fs->nopen - 1;
		if (park_make_room(fs))
			r = tf_open(path, &f->conf, &tf);
	}
	if (r < 0 && r != -ENOENT && r != -EINVAL && r != -ENOMEM) {
		d->nfailed++;
		/* EMFILE, EACCES...: the next rescan tries again. */
		if (!d->open_warned)
			log_warnx("%s: cannot open: %s; retrying at each rescan", path, strerror(-r));
		d->open_warned = d->open_failed = true;
	}
	free(path);
	if (r < 0)
		return r == -ENOMEM ? r : 0;    /* ENOENT: gone since; EINVAL: not a file */
	if ((old = lookup(fs, f->conf.feed, tf->dev, tf->ino))) {
		/* Replaced between fstatat and open by a file we follow already. */
		old->seen_gen = gen;
		tf_free(tf);
		return 0;
	}
	tf->indirect = link || st.st_nlink > 1;
	if (fs->pos && (p = find_pos(fs, f->conf.feed, tf->dev, tf->ino))) {
		feed_place_at(tf, p);
	} else if (fs->first_start && !f->started && f->start_at == START_END) {
		/* The very first start of the feed only: once anything of it was
		 * committed, every file found is new and read from its start. */
		int64_t end;
		if ((r = tf_find_end(tf, &end)) < 0) {
			log_warnx("%s: cannot find its end (%s); reading from the start", tf->path,
			    strerror(-r));
			end = 0;
		}
		(void)tf_seek(tf, end, 0);
	} else {
		(void)tf_seek(tf, 0, 0);
	}
	mark_start(tf);
	tf->seen_gen = gen;
	tf->dirty = true;
	file_add(fs, tf);
	log_debug("%s: following from offset %jd", tf->path, (intmax_t)tf->offset);
	if (fs->nopen > fs->open_max)
		park_file(fs, tf);   /* placed; read when a slot is free */
	return 0;
}

/* Marks tf as renamed away or deleted: it is drained, then finished. */
static void
orphan(struct tailfile *tf, int64_t now)
{
	log_info("%s: renamed away or deleted; reading it to its end", tf->path);
	tf->orphan = true;
	tf->active_ms = now;
	tf->dirty = true;
}

/*
 * (Re)adds the inotify watch of d when it has none. Failure (ENOSPC:
 * watches exhausted, ENOENT) is logged once; the rescan timer covers it.
 */
static void
ensure_watch(struct feedset *fs, struct dir *d)
{
	int wd;

	if (!fs->watch || d->wd >= 0)
		return;
	if ((wd = watch_add(fs->watch, d->path)) < 0) {
		if (!d->watch_warned)
			log_warnx("%s: cannot watch with inotify (%s); relying on the rescan every "
			    "%u ms", d->path, strerror(-wd), fs->rescan_ms);
		d->watch_warned = true;
		return;
	}
	if (d->watch_warned)
		log_info("%s: watched with inotify again", d->path);
	d->watch_warned = false;
	d->wd = wd;
}

/* True when name matches the glob of feed fi (of directory di). */
static bool
feed_matches(const struct feedset *fs, size_t di, size_t fi, const char *name)
{
	return fs->feeds[fi].dir == di && fnmatch(fs->feeds[fi].glob, name, FNM_PERIOD) == 0;
}

/* Forgets the renames noted for d. */
static void
moved_clear(struct dir *d)
{
	for (size_t i = 0; i < d->nmoved; i++) {
		free(d->moved[i].name);
		free(d->moved[i].dir);
	}
	d->nmoved = 0;
}

/*
 * Opens the files renamed out of the globs of d since its last rescan
 * (struct moved). One no feed follows yet was created and renamed before
 * any rescan saw it: it is read whole, as an orphan (drained, then
 * finished), under the feed whose glob its old name matched. Returns 0 or
 * -ENOMEM (d's list is then kept for the retry).
 */
static int
adopt_moved(struct feedset *fs, struct dir *d)
{
	for (size_t i = 0; i < d->nmoved; i++) {
		const struct feed *f = &fs->feeds[d->moved[i].feed];
		struct tailfile *tf;
		char *path;
		int r;

		if (!(path = feed_join(d->moved[i].dir ? d->moved[i].dir : d->path, d->moved[i].name)))
			return -ENOMEM;
		r = tf_open(path, &f->conf, &tf);
		free(path);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;       /* gone again, or not a file: nothing to read */
		if (lookup(fs, f->conf.feed, tf->dev, tf->ino)) {
			tf_free(tf);    /* the usual case: followed since before the rename */
			continue;
		}
		(void)tf_seek(tf, 0, 0);
		mark_start(tf);
		log_info("%s: created and renamed away before it was seen; reading it whole",
		    tf->path);
		tf->orphan = true;
		tf->active_ms = mono_ms();
		tf->dirty = true;
		file_add(fs, tf);
	}
	moved_clear(d);
	return 0;
}

/*
 * Lists directory d once for all its feeds: opens new matches and orphans
 * followed files no longer matched. A directory that cannot be listed is
 * logged once and orphans nothing (a transient error must not end files;
 * deletions are still seen through st_nlink). Returns 0 or -ENOMEM.
 */
static int
rescan_dir(struct feedset *fs, struct dir *d)
{
	size_t di = (size_t)(d - fs->dirs), i;
	struct tailfile *tf;
	struct dirent *de;
	bool complete = false;
	unsigned gen;
	DIR *dp;
	int r = 0;

	if (!(dp = opendir(d->path))) {
		if (!d->list_warned)
			log_warn("%s: cannot list the directory; retrying every %u ms", d->path,
			    fs->rescan_ms);
		d->list_warned = true;
		return 0;
	}
	if (d->list_warned)
		log_info("%s: directory readable again", d->path);
	d->list_warned = false;
	/* Watch before reading the listing, so no creation falls in between. */
	ensure_watch(fs, d);
	gen = ++fs->scan_gen;
	d->open_failed = false;
	d->nfailed = 0;
	for (;;) {
		errno = 0;
		if (!(de = readdir(dp))) {
			complete = errno == 0;
			break;
		}
		for (i = 0; i < fs->nfeeds && r == 0; i++)
			if (feed_matches(fs, di, i, de->d_name))
				r = consider(fs, &fs->feeds[i], dp, de->d_name, gen);
		if (r < 0)
			break;
	}
	if (r == 0 && !complete)
		log_warn("%s: reading the directory", d->path);
	closedir(dp);
	if (r == 0 && complete && !d->open_failed)
		d->open_warned = false;         /* warn again about the next new failure */
	if (r < 0)
		return r;
	if (complete)   /* an incomplete listing orphans nothing */
		for (tf = fs->head; tf; tf = tf->next)
			if (feed_of_file(fs, tf)->dir == di && tf->seen_gen != gen && !tf->orphan &&
			    !tf->ghost && !tf->finished)
				orphan(tf, mono_ms());
	return adopt_moved(fs, d);
}

/* Runs the pending rescans. Returns 0 or -ENOMEM (that directory stays pending). */
static int
rescan_pending(struct feedset *fs)
{
	size_t i;
	int r;

	for (i = 0; i < fs->ndirs; i++) {
		if (!fs->dirs[i].rescan)
			continue;
		if ((r = rescan_dir(fs, &fs->dirs[i])) < 0)
			return r;
		fs->dirs[i].rescan = false;
	}
	return 0;
}

/*
 * True when open file tf is the file of stored position p: the same device
 * and inode, and the fingerprints match or, when they do not (rewritten,
 * truncated), the same birth time proves it. Without a birth time only
 * matching fingerprints tell it from another file born in the inode.
 */
static bool
same_identity(struct tailfile *tf, const struct file_pos *p)
{
	return tf->dev == p->dev && tf->ino == p->ino &&
	    (tf_matches(tf, p) || (p->btime && p->btime == tf->btime));
}

/*
 * True when the file of stored position p, not found in its feed's
 * directory, still exists where it was stored (p->path, or another name
 * in that path's directory: renamed there): the feed's pattern was changed
 * to another directory, or the file moved out of it. Its position is then
 * kept, never dropped: a pattern matching it again resumes it.
 */
static bool
exists_elsewhere(const struct feedset *fs, const struct file_pos *p)
{
	const struct tf_conf *conf = &fs->feeds[p->feed].conf;
	char path[sizeof(p->path) + 1], *slash, *moved = NULL;
	struct tailfile *tf = NULL;
	bool same = false;

	if (!memchr(p->path, '\0', sizeof(p->path)) || p->path[0] != '/')
		return false;   /* a truncated or missing path names nothing for sure */
	memcpy(path, p->path, sizeof(p->path));
	path[sizeof(p->path)] = '\0';
	if (tf_open(path, conf, &tf) == 0)
		same = same_identity(tf, p);
	tf_free(tf);
	tf = NULL;
	if (same)
		return true;
	slash = strrchr(path, '/');
	*slash = '\0';
	if ((moved = dir_find_ino(slash == path ? "/" : path, p->dev, p->ino)) &&
	    tf_open(moved, conf, &tf) == 0)
		same = same_identity(tf, p);
	tf_free(tf);
	free(moved);
	return same;
}

/*
 * Opens entry name of dp (d_ino equal to p->ino) and adopts it when it is
 * the file of stored position p (same device, fingerprint matches): it was
 * renamed away while the daemon was stopped, so it is drained from p and
 * finished. Returns 1 when adopted, 0 when not, -ENOMEM.
 */
static int
adopt_one(struct feedset *fs, DIR *dp, const char *dpath, const char *name,
          const struct file_pos *p)
{
	struct stat st;
	/* O_NOFOLLOW: a symlink's d_ino is its own, never the file's. */
	int fd = openat(dirfd(dp), name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	struct tailfile *tf;
	char *path;
	int r;

	if (fd < 0)
		return 0;
	if (!(path = feed_join(dpath, name))) {
		close(fd);
		return -ENOMEM;
	}
	r = tf_open_fd(fd, path, &fs->feeds[p->feed].conf, &tf);
	free(path);
	if (r < 0) {
		close(fd);
		return r == -ENOMEM ? r : 0;
	}
	/* The same birth time proves the same file even when its content
	 * changed (rewritten, truncated, then renamed while stopped): it is
	 * then read whole (place_at); without one, only matching
	 * fingerprints tell it from another file born in the inode. */
	if (!same_identity(tf, p)) {
		tf_free(tf);    /* the inode now holds another file */
		return 0;
	}
	if (fstat(tf->fd, &st) == 0 && st.st_size == p->offset && tf_matches(tf, p)) {
		/* Nothing past the stored position: a file the feed's pattern
		 * stopped matching (a changed glob) as much as one rotated
		 * while stopped. Its position stays stored, so it resumes
		 * where it was if a pattern matches it again. */
		/* told at a start or reload; at a reconnect it is no news */
		(fs->first_start ? log_info : log_debug)("%s: outside every pattern of its feed "
		    "now; keeping its stored position while the file exists", tf->path);
		tf_free(tf);
		return 1;
	}
	feed_place_at(tf, p);
	mark_start(tf);
	log_info("%s: renamed away while stopped; reading it to its end from offset %jd",
	    tf->path, (intmax_t)tf->offset);
	tf->orphan = true;
	tf->active_ms = mono_ms();
	tf->dirty = true;
	file_add(fs, tf);
	return 1;
}

/*
 * Stored positions of directory di whose file was not among the glob
 * matches: each is looked up by inode in the directory (adopt_one), then
 * where it was stored (exists_elsewhere: kept, unread, while it exists); a
 * position whose file is gone by identity becomes a ghost, reported gone so
 * its entry is dropped. A pattern that stops matching a file never drops
 * its position. A directory that cannot be read proves nothing: its
 * entries stay stored as they are. Returns 0 or -ENOMEM.
 */
static int
adopt_unmatched(struct feedset *fs, size_t di)
{
	const struct dir *d = &fs->dirs[di];
	size_t i, nleft = 0;
	struct dirent *de;
	bool *left, complete;
	DIR *dp;
	int r = 0;

	if (!(left = calloc(fs->npos ? fs->npos : 1, sizeof(*left))))
		return -ENOMEM;
	for (i = 0; i < fs->npos; i++) {
		const struct file_pos *p = &fs->pos[i];
		left[i] = !p->marker && p->feed < fs->nfeeds && fs->feeds[p->feed].dir == di &&
		    !lookup(fs, p->feed, p->dev, p->ino);
		nleft += left[i];
	}
	if (nleft == 0) {
		free(left);
		return 0;
	}
	if (!(dp = opendir(d->path))) {
		complete = errno == ENOENT;     /* no directory, no file */
	} else {
		for (;;) {
			errno = 0;
			if (!(de = readdir(dp))) {
				complete = errno == 0;
				break;
			}
			for (i = 0; i < fs->npos && r >= 0; i++)
				if (left[i] && de->d_ino == fs->pos[i].ino &&
				    (r = adopt_one(fs, dp, d->path, de->d_name, &fs->pos[i])) > 0) {
					left[i] = false;
					nleft--;
				}
			if (r < 0 || nleft == 0) {
				complete = true;
				break;
			}
		}
		closedir(dp);
	}
	for (i = 0; r >= 0 && complete && i < fs->npos; i++) {
		struct tailfile *tf;

		if (!left[i])
			continue;
		if (exists_elsewhere(fs, &fs->pos[i])) {
			(fs->first_start ? log_info : log_debug)("%.*s: outside every pattern of "
			    "its feed now; keeping its stored position while the file exists", (int)sizeof(fs->pos[i].path),
			    fs->pos[i].path);
			continue;
		}
		if ((r = tf_ghost(&fs->pos[i], &fs->feeds[fs->pos[i].feed].conf, &tf)) < 0)
			break;
		log_info("%.*s: no longer exists; dropping its stored position",
		    (int)sizeof(fs->pos[i].path), fs->pos[i].path);
		file_add(fs, tf);
	}
	free(left);
	return r < 0 ? r : 0;
}

/* ----------------------------------------------------------------- pass */

/* Marks the files of d that an event on name may concern for the next pass. */
static void
note_modified(struct feedset *fs, size_t di, const char *name)
{
	struct tailfile *tf;
	bool known = false;
	size_t i;

	for (tf = fs->head; tf; tf = tf->next)
		if (feed_of_file(fs, tf)->dir == di && strcmp(tf->name, name) == 0) {
			tf->dirty = true;
			known = true;
		}
	if (known)
		return;
	/* Files we know under another name: renamed away (still written to
	 * before the writer reopens) or reached through a link. */
	for (tf = fs->head; tf; tf = tf->next)
		if (feed_of_file(fs, tf)->dir == di && (tf->orphan || tf->indirect))
			tf->dirty = true;
	/* Or a file we have not seen yet: its creation event was lost. */
	for (i = 0; i < fs->nfeeds; i++)
		if (feed_matches(fs, di, i, name))
			fs->dirs[di].rescan = true;
}

/* True when name matches the glob of a feed in directory di. */
static bool
dir_matches(const struct feedset *fs, size_t di, const char *name)
{
	size_t i;

	for (i = 0; i < fs->nfeeds; i++)
		if (feed_matches(fs, di, i, name))
			return true;
	return false;
}

/*
 * IN_MOVED_FROM name in directory di: remembers the cookie with each feed
 * whose glob matched name, or that an earlier rename out of the globs gave
 * name (a file rotated twice before the next rescan).
 */
static void
note_moved_from(struct feedset *fs, size_t di, uint32_t cookie, const char *name)
{
	const struct dir *d = &fs->dirs[di];

	for (size_t fi = 0; fi < fs->nfeeds; fi++) {
		bool hit = feed_matches(fs, di, fi, name);

		for (size_t i = 0; i < d->nmoved && !hit; i++)
			hit = d->moved[i].feed == fi && !d->moved[i].dir &&
			    strcmp(d->moved[i].name, name) == 0;
		if (!hit)
			continue;
		fs->from[fs->from_next] = (struct moved_from){ .cookie = cookie, .feed = (uint16_t)fi,
		    .link = -1, .used = true };
		fs->from_next = (fs->from_next + 1) % MOVED_FROM_MAX;
	}
}

/*
 * IN_MOVED_TO name in directory di: a rename whose first half
 * note_moved_from kept, to a name the feed's glob does not match, is noted
 * for the next rescan of di (adopt_moved).
 */
static void
note_moved_to(struct feedset *fs, size_t di, uint32_t cookie, const char *name)
{
	struct dir *d = &fs->dirs[di];

	for (size_t i = 0; i < MOVED_FROM_MAX; i++) {
		struct moved_from *mf = &fs->from[i];

		if (!mf->used || mf->cookie != cookie || mf->link >= 0)
			continue;
		mf->used = false;
		if (feed_matches(fs, di, mf->feed, name))
			continue;       /* still matched: the rescan finds it anyway */
		feed_add_moved(d, mf->feed, NULL, name);
	}
}

/*
 * Notes name (in directory in, NULL: d's own) as renamed out of what feed
 * follows, for the next rescan of d (adopt_moved). Logs what it must drop.
 */
void
feed_add_moved(struct dir *d, uint16_t feed, const char *in, const char *name)
{
	char *copy, *dcopy = NULL;

	if (d->nmoved == MOVED_MAX) {
		if (!d->moved_warned)
			log_warnx("%s: more than %d renames out of the feed patterns between two "
			    "rescans; a file renamed before it was seen may be missed", d->path,
			    MOVED_MAX);
		d->moved_warned = true;
		return;
	}
	if (!(copy = strdup(name)) || (in && !(dcopy = strdup(in)))) {
		free(copy);
		log_warnx("%s/%s: out of memory noting a rename", in ? in : d->path, name);
		return;
	}
	d->moved[d->nmoved++] = (struct moved){ .name = copy, .dir = dcopy, .feed = feed };
	d->rescan = true;
}

/* inotify: creation/move/delete -> rescan; modification -> read pass. */
static void
on_watch(void *arg, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
	struct feedset *fs = arg;
	size_t i;

	if (wd < 0) {
		log_info("inotify queue overflowed; rescanning every directory");
		for (i = 0; i < fs->ndirs; i++)
			fs->dirs[i].rescan = true;
		fs->read_all = true;
		wake(fs);
		return;
	}
	for (i = 0; i < fs->ndirs; i++) {
		struct dir *d = &fs->dirs[i];

		if (d->wd != wd)
			continue;
		if (mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
			/* The directory itself went away or moved: watch its path
			 * again at the next rescan; a moved directory's watch would
			 * report another path. */
			if (mask & IN_MOVE_SELF)
				watch_rm(fs->watch, wd);
			d->wd = -1;
			d->rescan = true;
			continue;
		}
		if (!name)
			continue;
		if ((mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)) &&
		    dir_matches(fs, i, name))
			d->rescan = true;
		if (mask & IN_MOVED_FROM)
			note_moved_from(fs, i, cookie, name);
		if (mask & IN_MOVED_TO)
			note_moved_to(fs, i, cookie, name);
		if (mask & (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB))
			note_modified(fs, i, name);
	}
	for (i = 0; i < fs->nlinks; i++)
		if (fs->links[i].wd == wd)
			link_event(fs, i, mask, cookie, name);
	wake(fs);
}

/*
 * Ends tf for good after it was drained and stayed quiet: an incomplete
 * last line is dropped (it can no longer be completed). A file the store
 * knows nothing about and that gave nothing is closed at once; others wait
 * for their gone position to be committed.
 */
void
feed_finish(struct feedset *fs, struct tailfile *tf)
{
	struct stat st;

	/* Renamed out of every pattern rather than deleted: a pattern that
	 * matches it again (a reload widening the glob to rotated names)
	 * must resume it at its end, so its stored position is kept, not
	 * committed gone. A later start, reload or reconnect drops it once
	 * the file is gone (adopt_unmatched). */
	tf->kept = !tf->deleted && tf->fd >= 0 && fstat(tf->fd, &st) == 0 && st.st_nlink > 0;
	if (tf->len > 0 || tf->skipping)
		log_info("%s: finished; its incomplete last line is not counted", tf->path);
	else
		log_info("%s: finished", tf->path);
	tf->finished = true;
	tf->len = 0;
	tf->skipping = false;
	tf_trim(tf);
	if (!tf->has_committed && !tf->reported && tf->offset == tf->start_off)
		file_remove(fs, tf);
}

/* Arms the timer that wakes the pass when the next orphan may be finished. */
static void
arm_finish(struct feedset *fs, int64_t now)
{
	int64_t next = INT64_MAX, delay;
	struct timeval tv;
	struct tailfile *tf;

	for (tf = fs->head; tf; tf = tf->next)
		if ((tf->orphan || tf->open_quote) && !tf->finished && !tf->ghost) {
			int64_t at = tf->active_ms + feed_of_file(fs, tf)->rotate_wait_ms;
			if (at < next)
				next = at;
		}
	if (next == INT64_MAX)
		return;
	delay = (next > now ? next - now : 0) + 1;     /* land just past it */
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	evtimer_add(fs->finish_ev, &tv);
}

/*
 * A headered CSV file about to be read from 0, or resumed past its first
 * record (whose replay teaches the columns), that knows no header yet gets
 * the feed's last one, to be checked against its first record
 * (recheck_header, map.c): skipped when equal, replaced when the record is
 * a header, used when the record is data (a file the exporter went on
 * writing rows to after a copytruncate has no header of its own).
 */
static void
lend_columns(struct feedset *fs, struct tailfile *tf)
{
	const struct feed *f = feed_of_file(fs, tf);

	if (tf->conf->format != FORMAT_CSV || !tf->conf->header ||
	    (tf->offset != 0 && !tf->header_pending) || tf->ps.have_header || !f->cols.have_header)
		return;
	tf->ps = f->cols;
	tf->ps.recheck_header = true;
}

/* Keeps a complete header the file has taught as the feed's last one. */
static void
learn_columns(struct feedset *fs, const struct tailfile *tf)
{
	struct feed *f = &fs->feeds[tf->conf->feed];
	const struct parse_state *ps = &tf->ps;

	if (tf->conf->format != FORMAT_CSV || !tf->conf->header || !ps->have_header ||
	    ps->ncolumns == 0 || (f->cols.have_header && f->cols.header_hash == ps->header_hash &&
	    f->cols.header_len == ps->header_len &&
	    memcmp(f->cols.col, ps->col, sizeof(ps->col)) == 0))
		return;
	for (size_t i = 0; i < tf->conf->nslots && i < TQ_MAX_SLOTS; i++)
		if (ps->col[i] < 0)
			return;         /* incomplete: rejected as a header, never lent */
	f->cols = *ps;
	f->cols.recheck_header = false;
	f->cols_gen++;
}

/*
 * The read pass: pending rescans, then every dirty file up to its byte
 * budget. Schedules itself again (yield_pass) while a file has more; at the end, when
 * everything is read, drained is set and the sink's idle called. The idle
 * and blocking callbacks come last: the sink may free the set in them.
 */
static void
on_pass(evutil_socket_t fd, short what, void *arg)
{
	struct feedset *fs = arg;
	struct tf_out out = { .sink = &fs->sink, .arg = fs->arg, .stop = &fs->paused,
	                      .once = fs->once };
	struct tailfile *tf, *next;
	bool more = false;
	int64_t now;

	(void)fd;
	(void)what;
	if (rescan_pending(fs) < 0)
		log_warnx("rescan: out of memory; retrying at the next rescan");
	if (fs->paused || fs->blocked)
		return;
	if (fs->read_all) {
		for (tf = fs->head; tf; tf = tf->next)
			tf->dirty = true;
		fs->read_all = false;
	}
	now = mono_ms();
	for (tf = fs->head; tf; tf = next) {
		size_t budget = TF_PASS_BUDGET;
		enum tf_status st;

		next = tf->next;
		if (!tf->dirty)
			continue;
		if (tf->ghost || tf->finished) {
			tf->dirty = false;
			continue;
		}
		if (tf->parked) {
			enum unpark u = unpark_file(fs, tf);

			if (u == UNPARK_WAIT) {
				more = true;    /* a slot frees up as other files are read */
				continue;
			}
			if (u != UNPARK_OPEN) {
				if (u == UNPARK_SAME)
					tf->dirty = false;
				continue;
			}
		}
		lend_columns(fs, tf);
		st = tf_read(tf, &out, &budget, now);
		learn_columns(fs, tf);
		if (st == TF_BLOCKED) {
			fs->drained = false;
			if (fs->paused)
				return;
			fs->blocked = true;
			fs->sink.idle(fs->arg);
			return;
		}
		if (st == TF_MORE) {
			more = true;
			continue;
		}
		tf->dirty = false;
		tf_trim(tf);
		if (tf->orphan && now - tf->active_ms >= feed_of_file(fs, tf)->rotate_wait_ms)
			feed_finish(fs, tf);
	}
	if (more) {
		fs->drained = false;
		yield_pass(fs);
		return;
	}
	fs->drained = true;
	arm_finish(fs, now);
	fs->sink.idle(fs->arg);
}

/* Safety net: rescan every glob and read every file. */
static void
on_rescan_timer(evutil_socket_t fd, short what, void *arg)
{
	struct feedset *fs = arg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < fs->ndirs; i++)
		fs->dirs[i].rescan = true;
	fs->read_all = true;
	wake(fs);
}

/*
 * An orphan may have been quiet long enough to finish, or a file that ends
 * inside an open CSV quote long enough to frame it line by line: read them.
 */
static void
on_finish_timer(evutil_socket_t fd, short what, void *arg)
{
	struct feedset *fs = arg;
	struct tailfile *tf;

	(void)fd;
	(void)what;
	for (tf = fs->head; tf; tf = tf->next)
		if (tf->orphan || tf->open_quote)
			tf->dirty = true;
	wake(fs);
}

/* ------------------------------------------------------------------ API */

/* Frees what feedset_new built so far. */
static void
free_conf(struct feedset *fs)
{
	size_t i;

	for (i = 0; fs->feeds && i < fs->nfeeds; i++)
		free(fs->feeds[i].glob);
	for (i = 0; fs->dirs && i < fs->ndirs; i++) {
		free(fs->dirs[i].path);
		moved_clear(&fs->dirs[i]);
	}
	for (i = 0; i < fs->nlinks; i++) {
		free(fs->links[i].tdir);
		free(fs->links[i].tname);
	}
	free(fs->feeds);
	free(fs->dirs);
}

/*
 * Copies each feed's settings and splits its path into a directory (shared
 * by the feeds that name it) and a glob. Returns 0, -EINVAL, -ENOMEM.
 */
static int
setup_feeds(struct feedset *fs, const struct config *cfg)
{
	size_t i, j;

	if (cfg->nfeeds == 0 || cfg->nfeeds > BATCH_MAX_FEEDS)
		return -EINVAL;
	if (!(fs->feeds = calloc(cfg->nfeeds, sizeof(*fs->feeds))) ||
	    !(fs->dirs = calloc(cfg->nfeeds, sizeof(*fs->dirs))))
		return -ENOMEM;
	fs->nfeeds = cfg->nfeeds;
	for (i = 0; i < cfg->nfeeds; i++) {
		const struct feed_conf *fc = &cfg->feeds[i];
		struct feed *f = &fs->feeds[i];
		const char *slash = fc->path ? strrchr(fc->path, '/') : NULL;
		size_t dl;

		if (!slash || fc->path[0] != '/' || slash[1] == '\0' || fc->max_line == 0)
			return -EINVAL;
		f->conf.feed = (uint16_t)i;
		f->conf.format = fc->format;
		f->conf.delim = fc->csv.delimiter;
		f->conf.quote = fc->csv.quote;
		f->conf.header = fc->csv.header;
		f->conf.max_line = fc->max_line;
		f->conf.quiet_ms = fc->rotate_wait_ms;
		f->conf.nslots = fc->nslots;
		f->start_at = fc->start_at;
		f->rotate_wait_ms = fc->rotate_wait_ms;
		if (!(f->glob = strdup(slash + 1)))
			return -ENOMEM;
		dl = slash == fc->path ? 1 : (size_t)(slash - fc->path);
		for (j = 0; j < fs->ndirs; j++)
			if (strlen(fs->dirs[j].path) == dl && strncmp(fs->dirs[j].path, fc->path, dl) == 0)
				break;
		if (j == fs->ndirs) {
			if (!(fs->dirs[j].path = strndup(fc->path, dl)))
				return -ENOMEM;
			fs->dirs[j].wd = -1;
			fs->ndirs++;
		}
		f->dir = j;
	}
	return 0;
}

/* Creates the feed set; no I/O until feedset_start. -ENOMEM, -EINVAL. */
int
feedset_new(struct event_base *base, const struct config *cfg, const struct feed_sink *sink,
            void *arg, struct feedset **ret)
{
	struct feedset *fs;
	int r;

	if (!base || !cfg || !sink || !sink->record || !sink->reject || !sink->idle)
		return -EINVAL;
	if (!(fs = calloc(1, sizeof(*fs))))
		return -ENOMEM;
	fs->base = base;
	fs->sink = *sink;
	fs->arg = arg;
	fs->rescan_ms = cfg->rescan_interval_ms;   /* config.c: 100 ms..1 h, default 2 s */
	fs->open_max = park_budget();   /* after teleqd raised the soft limit */
	fs->hsize = HASH_MIN;
	if ((r = setup_feeds(fs, cfg)) < 0) {
		feedset_free(fs);
		return r;
	}
	if (!(fs->htab = calloc(fs->hsize, sizeof(*fs->htab))) ||    /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	    !(fs->pass_ev = event_new(base, -1, 0, on_pass, fs)) ||
	    !(fs->rescan_ev = event_new(base, -1, EV_PERSIST, on_rescan_timer, fs)) ||
	    !(fs->finish_ev = evtimer_new(base, on_finish_timer, fs))) {
		feedset_free(fs);
		return -ENOMEM;
	}
	*ret = fs;
	return 0;
}

/* Closes every file and frees every event. Accepts NULL. */
void
feedset_free(struct feedset *fs)
{
	struct tailfile *tf, *next;

	if (!fs)
		return;
	for (tf = fs->head; tf; tf = next) {
		next = tf->next;
		tf_free(tf);
	}
	if (fs->pass_ev)
		event_free(fs->pass_ev);
	if (fs->rescan_ev)
		event_free(fs->rescan_ev);
	if (fs->finish_ev)
		event_free(fs->finish_ev);
	watch_free(fs->watch);
	free(fs->htab);
	free_conf(fs);
	free(fs);
}

/*
 * Later feedset_start: puts every file back at its committed position (or
 * where it was first seen when the store has none), dropping what was read
 * since. A file whose entry disappeared had its gone commit applied.
 */
static void
rewind_all(struct feedset *fs)
{
	struct tailfile *tf, *next, *first_lost = NULL;
	int64_t now = mono_ms();
	size_t nlost = 0;

	for (tf = fs->head; tf; tf = next) {
		const struct file_pos *p = find_pos(fs, tf->conf->feed, tf->dev, tf->ino);

		next = tf->next;
		if (!p && tf->has_committed && (tf->finished || tf->ghost)) {
			log_debug("%s: its gone position was committed; closing", tf->path);
			file_remove(fs, tf);
			continue;
		}
		if (tf->ghost)
			continue;       /* still stored: reported gone again */
		if (tf->parked) {
			/* Closed: moved when reopened (unpark), unless it is
			 * already where the store says. */
			tf->reseek = !p || p->offset != tf->offset || p->line != tf->line;
			tf->seek_stored = p != NULL;
			if (p)
				tf->seekp = *p;
			else if (tf->has_committed && nlost++ == 0)
				first_lost = tf;
			tf->has_committed = p != NULL;
			if (p) {
				tf->committed_off = p->offset;
				tf->committed_line = p->line;
			}
		} else if (p) {
			feed_place_at(tf, p);
		} else {
			if (tf->has_committed && nlost++ == 0)
				first_lost = tf;
			tf->has_committed = false;
			(void)tf_seek(tf, tf->start_off, tf->start_line);
			tf->hdr_off = tf->start_hdr_off;
		}
		tf->reported = false;
		tf->finished = tf->kept = false;
		if (tf->orphan)
			tf->active_ms = now;
		tf->dirty = true;
	}
	/* One line, however many files: after an emptied Redis it is all of
	 * them, and the store has said so at error level already. */
	if (nlost == 1)
		log_warnx("%s: the store lost its position; rereading from where it was first seen",
		    first_lost->path);
	else if (nlost > 1)
		log_warnx("%s and %zu more files: the store lost their positions; rereading each "
		    "from where it was first seen", first_lost->path, nlost - 1);
}

/* Starts or restarts following from the committed positions; see feed.h. */
int
feedset_start(struct feedset *fs, const struct file_pos *pos, size_t n)
{
	struct timeval tv;
	size_t i;
	int r = 0;

	fs->pos = pos;
	fs->npos = pos ? n : 0;
	fs->first_start = !fs->started;
	for (i = 0; i < fs->nfeeds; i++)
		fs->feeds[i].started = false;
	for (i = 0; i < fs->npos; i++) {
		struct feed *f;

		if (pos[i].feed >= fs->nfeeds)
			continue;
		f = &fs->feeds[pos[i].feed];
		f->started = true;
		if (pos[i].marker && pos[i].cols.have_header && !f->cols.have_header) {
			f->cols = pos[i].cols;
			f->cols_stored = f->cols_gen;
		}
	}
	if (fs->first_start) {
		if ((r = watch_new(fs->base, on_watch, fs, &fs->watch)) < 0)
			log_warnx("inotify unavailable (%s); relying on the rescan every %u ms",
			    strerror(-r), fs->rescan_ms);
		r = 0;
	} else {
		rewind_all(fs);
	}
	for (i = 0; i < fs->ndirs && r == 0; i++)
		r = rescan_dir(fs, &fs->dirs[i]);
	for (i = 0; i < fs->ndirs && r == 0; i++)
		r = adopt_unmatched(fs, i);
	fs->pos = NULL;
	fs->npos = 0;
	if (r < 0)
		return r;       /* started stays false: a retry starts afresh */
	if (fs->first_start) {
		tv.tv_sec = fs->rescan_ms / 1000;
		tv.tv_usec = (suseconds_t)(fs->rescan_ms % 1000) * 1000;
		event_add(fs->rescan_ev, &tv);
	}
	fs->started = true;
	fs->first_start = false;        /* files found from now on are read from 0 */
	/* An -ENOSPC block belonged to the batch just dropped; a pause stays. */
	fs->blocked = false;
	fs->drained = false;
	fs->read_all = true;
	wake(fs);
	return 0;
}

/* --once: see feed.h. */
void
feedset_set_once(struct feedset *fs)
{
	fs->once = true;
}

/* Stops reading after the current record; events are still noted. */
void
feedset_pause(struct feedset *fs)
{
	fs->paused = true;
}

/* Lifts a pause or an -ENOSPC block and schedules a pass. */
void
feedset_resume(struct feedset *fs)
{
	fs->paused = false;
	fs->blocked = false;
	wake(fs);
}

/*
 * Adds to b the position of every file that moved since its last commit,
 * was never committed, or is finished (gone; a finished file that still
 * exists, kept, is only closed and freed once its last position is stored). Returns 0 or -ENOMEM (b may
 * then hold some of them; the caller treats it as fatal or retries).
 */
int
feedset_positions(struct feedset *fs, struct batch *b)
{
	struct tailfile *tf, *next;
	struct file_pos p;
	int r;

	for (size_t i = 0; i < fs->nfeeds; i++) {
		/* Until stored, every commit carries the feed's start marker,
		 * and its last header's columns. */
		const struct feed *f = &fs->feeds[i];
		struct file_pos m = { .feed = (uint16_t)i, .marker = true, .cols = f->cols,
		                      .gen = f->cols_gen };

		m.cols.recheck_header = false;
		if ((!f->started || f->cols_stored != f->cols_gen) && (r = batch_position(b, &m)) < 0)
			return r;
	}
	for (tf = fs->head; tf; tf = next) {
		bool gone = tf->ghost || (tf->finished && tf->has_committed && !tf->kept);

		next = tf->next;
		if (!gone && tf->has_committed && tf->offset == tf->committed_off &&
		    tf->line == tf->committed_line && tf->gen == tf->committed_gen) {
			if (tf->finished) {
				/* kept: the store holds its last position, which stays */
				log_debug("%s: done; closed, its position kept", tf->path);
				file_remove(fs, tf);
			}
			continue;
		}
		tf_position(tf, &p);
		p.gone = gone;
		if ((r = batch_position(b, &p)) < 0)
			return r;
		tf->reported = true;
	}
	return 0;
}

/*
 * The positions in b are committed: they become the files' committed
 * offsets, and files committed as gone are closed and freed. A finished
 * file whose last offset just got committed wakes a pass, whose idle call
 * lets the daemon commit it gone soon.
 */
void
feedset_committed(struct feedset *fs, const struct batch *b)
{
	bool finished = false;
	size_t i;

	for (i = 0; i < b->npos; i++) {
		const struct file_pos *p = &b->pos[i];
		struct tailfile *tf;

		if (p->marker) {
			if (p->feed < fs->nfeeds) {
				fs->feeds[p->feed].started = true;
				fs->feeds[p->feed].cols_stored = p->gen;
			}
			continue;
		}
		if (!(tf = lookup(fs, p->feed, p->dev, p->ino)))
			continue;
		if (p->gone) {
			if (tf->ghost || tf->finished) {
				log_debug("%s: done; closed", tf->path);
				file_remove(fs, tf);
			}
			continue;
		}
		tf->has_committed = true;
		tf->committed_off = p->offset;
		tf->committed_line = p->line;
		tf->committed_gen = p->gen;
		finished = finished || tf->finished;
	}
	if (finished)
		wake(fs);
}

/* True when the last pass found no unread complete record in any file. */
bool
feedset_drained(const struct feedset *fs)
{
	return fs->drained;
}

/* A followed file's size now (its consumed offset when that fails). */
static int64_t
file_size(const struct tailfile *tf)
{
	struct stat st;

	if (tf->fd >= 0)
		return fstat(tf->fd, &st) == 0 ? (int64_t)st.st_size : tf->read_off;
	if (stat(tf->path, &st) == 0 && (uint64_t)st.st_ino == tf->ino && (uint64_t)st.st_dev == tf->dev)
		return (int64_t)st.st_size;
	return tf->offset;
}

/*
 * Fills out[] with the followed files, open or parked (size from fstat or
 * stat now, consumed offset) and returns how many there are, which may
 * exceed max.
 */
size_t
feedset_stat(struct feedset *fs, struct file_stat *out, size_t max)
{
	struct tailfile *tf;
	size_t n = 0;

	for (tf = fs ? fs->head : NULL; tf; tf = tf->next) {
		if (tf->ghost || (tf->fd < 0 && !tf->parked))
			continue;
		if (n < max) {
			out[n].feed = tf->conf->feed;
			out[n].path = tf->path;
			out[n].offset = tf->offset;
			out[n].size = file_size(tf);
		}
		n++;
	}
	return n;
}

/*
 * --once's account of what was not read (see feed.h): every followed
 * file's bytes past its consumed offset, a last line without newline
 * logged by name (info: it is waiting for its newline, not lost), any
 * other unread bytes, and names that could not be opened, logged as
 * warnings.
 */
void
feedset_leftover(struct feedset *fs, struct feed_leftover *ret)
{
	struct tailfile *tf;
	size_t i;

	memset(ret, 0, sizeof(*ret));
	for (tf = fs->head; tf; tf = tf->next) {
		int64_t size, unread;

		if (tf->ghost || (tf->fd < 0 && !tf->parked))
			continue;
		size = file_size(tf);
		unread = size - tf->offset;
		if (unread <= 0)
			continue;
		if (tf->fd >= 0 && !tf->parked && tf->read_off == size &&
		    (tf->skipping || (tf->len == (size_t)unread && !memchr(tf->buf, '\n', tf->len)))) {
			log_info("%s: its last line has no newline (%jd bytes); not counted until it "
			    "ends", tf->path, (intmax_t)unread);
			ret->partial++;
			continue;
		}
		log_warnx("%s: %jd bytes after offset %jd were not read", tf->path, (intmax_t)unread,
		    (intmax_t)tf->offset);
		ret->files++;
		ret->bytes += unread;
	}
	for (i = 0; i < fs->ndirs; i++)
		ret->unopened += fs->dirs[i].nfailed;
}
