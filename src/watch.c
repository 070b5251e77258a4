/*
 * watch.c — one inotify descriptor on the libevent loop. It only reports
 * events; what they mean (rescan, read pass) is decided in feed.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "feed_int.h"

#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | \
                    IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_READS 8   /* reads per wake-up, so a flood cannot hold the loop */

struct watch {
	int           fd;
	struct event *ev;
	watch_fn     *fn;
	void         *arg;
	bool          warned;   /* a read error was logged */
};

/* EV_READ on the inotify descriptor: hands every queued event to fn. */
static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	/* Aligned like the kernel's records; the header is still copied out
	 * because records are only 4-byte aligned after a name. */
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int round;

	(void)what;
	for (round = 0; round < WATCH_READS; round++) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && !w->warned) {
				log_warn("inotify read");
				w->warned = true;
			}
			return;
		}
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			struct inotify_event ie;
			const char *name;

			memcpy(&ie, buf + off, sizeof(ie));
			if (off + sizeof(ie) + ie.len > (size_t)n)
				break;
			/* The name is NUL-padded to ie.len bytes. */
			name = ie.len ? buf + off + sizeof(ie) : NULL;
			w->fn(w->arg, (ie.mask & IN_Q_OVERFLOW) ? -1 : ie.wd, ie.mask, ie.cookie, name);
			off += sizeof(ie) + ie.len;
		}
		if ((size_t)n < sizeof(buf) / 2)
			return;         /* drained: do not spend a read on EAGAIN */
	}
}

/* Creates the inotify descriptor and its persistent read event. */
int
watch_new(struct event_base *base, watch_fn *fn, void *arg, struct watch **ret)
{
	struct watch *w;

	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	w->fn = fn;
	w->arg = arg;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		int r = -errno;
		free(w);
		return r;
	}
	if (!(w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_readable, w)) ||
	    event_add(w->ev, NULL) < 0) {
		watch_free(w);
		return -ENOMEM;
	}
	*ret = w;
	return 0;
}

/* Frees the event and closes the descriptor (dropping every watch). Accepts NULL. */
void
watch_free(struct watch *w)
{
	if (!w)
		return;
	if (w->ev)
		event_free(w->ev);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

/* Watches directory path. Returns the wd or -errno (ENOSPC: no watches left). */
int
watch_add(struct watch *w, const char *path)
{
	int wd = inotify_add_watch(w->fd, path, WATCH_MASK);

	return wd < 0 ? -errno : wd;
}

/* Drops watch wd; one the kernel already removed (EINVAL) is fine. */
void
watch_rm(struct watch *w, int wd)
{
	if (wd >= 0)
		(void)inotify_rm_watch(w->fd, wd);
}
