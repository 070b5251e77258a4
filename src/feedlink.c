/*
 * feedlink.c — the feed set's symlinked feed files (split from feed.c): the
 * directory a link's target is in is watched too (see struct link in
 * feed_int.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "feed.h"
#include "log.h"
#include "feed_int.h"

/* (Re)adds the inotify watch of l's target directory when it has none. */
static void
link_watch(struct feedset *fs, struct link *l)
{
	if (fs->watch && l->wd < 0)
		l->wd = watch_add(fs->watch, l->tdir);  /* failure: the rescan covers it */
}

/*
 * Feed f's glob matched name of directory d, a symlink: watches the
 * directory of what it resolves to (struct link). A dangling link keeps
 * what was watched for it. Failures are logged once; the rescan covers them.
 */
void
link_note(struct feedset *fs, const struct feed *f, const struct dir *d, const char *name)
{
	char *path = feed_join(d->path, name), *real = path ? realpath(path, NULL) : NULL, *slash;
	struct link *l;
	size_t i;

	free(path);
	if (!real || !(slash = strrchr(real, '/'))) {
		free(real);
		return;
	}
	*slash = '\0';
	for (i = 0; i < fs->nlinks; i++) {
		l = &fs->links[i];
		if (l->feed == f->conf.feed && strcmp(l->tname, slash + 1) == 0 &&
		    strcmp(l->tdir, slash == real ? "/" : real) == 0) {
			link_watch(fs, l);
			free(real);
			return;
		}
	}
	if (fs->nlinks == LINKS_MAX) {
		if (!fs->links_warned)
			log_warnx("%s/%s: more than %d symlinked feed files; what a further link "
			    "points to is seen at the rescan every %u ms only", d->path, name,
			    LINKS_MAX, fs->rescan_ms);
		fs->links_warned = true;
		free(real);
		return;
	}
	l = &fs->links[fs->nlinks];
	*l = (struct link){ .dir = f->dir, .feed = f->conf.feed, .wd = -1 };
	if (!(l->tname = strdup(slash + 1)) || !(l->tdir = strdup(slash == real ? "/" : real))) {
		free(l->tname);
		free(real);
		return;
	}
	free(real);
	fs->nlinks++;
	link_watch(fs, l);
	log_debug("%s/%s: a symlink; watching %s too", d->path, name, l->tdir);
}

/* An inotify event on the target directory of link li; see struct link. */
void
link_event(struct feedset *fs, size_t li, uint32_t mask, uint32_t cookie, const char *name)
{
	struct link *l = &fs->links[li];
	struct dir *d = &fs->dirs[l->dir];
	struct tailfile *tf;
	bool target = name && strcmp(name, l->tname) == 0;

	if (mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
		l->wd = -1;     /* watched again at the next rescan that sees the link */
		d->rescan = true;
		return;
	}
	if (!name)
		return;
	if (target && (mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)))
		d->rescan = true;
	if (mask & IN_MOVED_FROM) {
		bool hit = target;

		for (size_t i = 0; i < d->nmoved && !hit; i++)
			hit = d->moved[i].feed == l->feed && d->moved[i].dir &&
			    strcmp(d->moved[i].dir, l->tdir) == 0 && strcmp(d->moved[i].name, name) == 0;
		if (hit) {
			fs->from[fs->from_next] = (struct moved_from){ .cookie = cookie,
			    .feed = l->feed, .link = (int)li, .used = true };
			fs->from_next = (fs->from_next + 1) % MOVED_FROM_MAX;
		}
	}
	if (mask & IN_MOVED_TO)
		for (size_t i = 0; i < MOVED_FROM_MAX; i++) {
			struct moved_from *mf = &fs->from[i];

			if (!mf->used || mf->cookie != cookie || mf->link != (int)li)
				continue;
			mf->used = false;
			if (!target)
				feed_add_moved(d, l->feed, l->tdir, name);
		}
	if (mask & (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB))
		for (tf = fs->head; tf; tf = tf->next)
			if (tf->conf->feed == l->feed && (tf->indirect || tf->orphan))
				tf->dirty = true;
}
