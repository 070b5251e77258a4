/*
 * sdnotify.c — systemd service notification (sd_notify) and the watchdog.
 *
 * Every message goes through libsystemd's sd_notify, which does nothing and
 * returns 0 when NOTIFY_SOCKET is unset: outside systemd this module costs
 * a getenv per call and logs nothing.
 *
 * unset_environment stays 0 in every call. With 1, libsystemd would unset
 * NOTIFY_SOCKET after the first message, and every later one (STATUS,
 * WATCHDOG=1, RELOADING=1, STOPPING=1) would silently go nowhere: the
 * watchdog would then restart a healthy service. The cost is that children
 * (sendmail through posix_spawn) inherit NOTIFY_SOCKET and WATCHDOG_USEC;
 * that is harmless: with Type=notify systemd's default NotifyAccess=main
 * drops datagrams from any process but the main one, and WATCHDOG_PID (set
 * by systemd to our pid) tells a child the watchdog is not its own. Keep
 * NotifyAccess=main in the unit file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "sdnotify.h"

#define STATUS_MAX 256

struct sdnotify {
	struct event *watchdog;         /* EV_PERSIST timer, NULL without WatchdogSec= */
	uint64_t      watchdog_usec;
	bool          failed;           /* a send failed already: later failures only at debug */
	char          status[STATUS_MAX];
	bool          have_status;
};

/*
 * Sends one notification message. A failure (the socket went away, systemd
 * is being restarted) is logged once as a warning, then only at debug, so a
 * missing receiver cannot flood the journal every watchdog tick.
 */
static void
send_msg(struct sdnotify *sn, const char *msg)
{
	int r = sd_notify(0, msg);

	if (r >= 0)
		return;
	/* r < 0 implies NOTIFY_SOCKET is set (unset is a silent 0) */
	if (!sn->failed)
		log_warnx("sd_notify to NOTIFY_SOCKET=%s: %s (further failures logged at debug level)",
		    getenv("NOTIFY_SOCKET"), strerror(-r));
	else
		log_debug("sd_notify: %s", strerror(-r));
	sn->failed = true;
}

/* Watchdog timer: the loop is alive, tell systemd. */
static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	send_msg(arg, "WATCHDOG=1");
}

/*
 * Creates the notifier on base. When systemd set WATCHDOG_USEC for this
 * process, starts a timer sending WATCHDOG=1 at half the interval (systemd's
 * recommendation: one late tick must not be fatal). Returns 0 or -ENOMEM.
 */
int
sdnotify_new(struct event_base *base, struct sdnotify **ret)
{
	struct sdnotify *sn;
	uint64_t usec = 0;
	struct timeval tv;
	int r;

	if (!(sn = calloc(1, sizeof(*sn))))
		return -ENOMEM;
	/* 0: keep WATCHDOG_USEC/WATCHDOG_PID (see the top of the file) */
	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warnx("systemd watchdog: ignoring a bad WATCHDOG_USEC/WATCHDOG_PID (%s)",
		    strerror(-r));
	if (r > 0 && usec > 0) {
		if (!(sn->watchdog = event_new(base, -1, EV_PERSIST, on_watchdog, sn))) {
			free(sn);
			return -ENOMEM;
		}
		sn->watchdog_usec = usec;
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		event_add(sn->watchdog, &tv);
		log_info("systemd watchdog: WATCHDOG=1 every %llu ms",
		    (unsigned long long)(usec / 1000));
	}
	*ret = sn;
	return 0;
}

/* Stops the watchdog timer and frees sn. Accepts NULL. */
void
sdnotify_free(struct sdnotify *sn)
{
	if (!sn)
		return;
	if (sn->watchdog)
		event_free(sn->watchdog);
	free(sn);
}

/*
 * READY=1: start-up is complete, or a reload was applied (or refused and
 * the old configuration keeps running). Accepts NULL.
 */
void
sdnotify_ready(struct sdnotify *sn)
{
	if (sn)
		send_msg(sn, "READY=1");
}

/*
 * RELOADING=1, with MONOTONIC_USEC: systemd 253+ (Type=notify-reload)
 * requires it to match the reload to its request; older ones ignore it.
 * READY=1 must follow. Accepts NULL.
 */
void
sdnotify_reloading(struct sdnotify *sn)
{
	struct timespec ts;
	char msg[64];

	if (!sn)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	send_msg(sn, msg);
}

/* STOPPING=1: shutdown has begun. Accepts NULL. */
void
sdnotify_stopping(struct sdnotify *sn)
{
	if (sn)
		send_msg(sn, "STOPPING=1");
}

/*
 * STATUS=<text>, the one line `systemctl status` shows. Sent only when the
 * text differs from the last one sent; newlines become spaces (a newline
 * would start another assignment). Longer texts are cut. Accepts NULL.
 */
void
sdnotify_status(struct sdnotify *sn, const char *fmt, ...)
{
	char text[STATUS_MAX], msg[STATUS_MAX + 8];
	va_list ap;
	char *p;

	if (!sn)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (sn->have_status && strcmp(text, sn->status) == 0)
		return;
	memcpy(sn->status, text, sizeof(text));
	sn->have_status = true;
	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	send_msg(sn, msg);
}
