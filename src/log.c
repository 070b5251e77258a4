/*
 * log.c — logging to stderr, after OpenBSD's log.c.
 *
 * Under systemd, stderr goes to journald, which reads a "<N>" syslog
 * priority prefix at the start of each line: that keeps levels without
 * linking libsystemd for logging. On a terminal the prefixes are left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"

static int  log_verbosity;
static bool log_prefixes;

/* Sets the level (0 info, 1+ debug) and whether lines carry "<N>" prefixes. */
void
log_init(int verbosity, bool prefixes)
{
	log_verbosity = verbosity;
	log_prefixes = prefixes;
}

/* Writes one line at priority pri; err >= 0 appends ": strerror(err)". */
static void
vlog(int pri, int err, const char *fmt, va_list ap)
{
	char msg[1024], pfx[4] = "";

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_prefixes)
		snprintf(pfx, sizeof(pfx), "<%d>", pri);
	/* One fprintf per line so concurrent writers never interleave within a line. */
	if (err >= 0)
		fprintf(stderr, "%s%s: %s\n", pfx, msg, strerror(err));
	else
		fprintf(stderr, "%s%s\n", pfx, msg);
}

/* Warning with the current errno's text appended. */
void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Defines name(fmt, ...), which writes one line at priority pri without
 * errno's text: log_warnx, log_notice, log_errx and log_info differ only
 * in the priority (their prototypes, with the printf check, are in log.h).
 */
#define LOG_AT(name, pri)                       \
	void                                    \
	name(const char *fmt, ...)              \
	{                                       \
		va_list ap;                     \
		va_start(ap, fmt);              \
		vlog((pri), -1, fmt, ap);       \
		va_end(ap);                     \
	}

/* Warning without errno. */
LOG_AT(log_warnx, LOG_WARNING)

/* A normal but significant condition (a file read again from its start). */
LOG_AT(log_notice, LOG_NOTICE)

/* Error without errno: something was lost that an operator must know of. */
LOG_AT(log_errx, LOG_ERR)

/* Informational line. */
LOG_AT(log_info, LOG_INFO)

/* Debug line, only with -v. */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, -1, fmt, ap);
	va_end(ap);
}

/* Logs at LOG_CRIT with errno's text and exits 1. */
void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Logs at LOG_CRIT and exits 1. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, -1, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * Fixed-window limiter: at most burst lines per interval seconds. Pure, so
 * the caller passes the time; a window that has passed resets the count and
 * hands back how many lines it dropped.
 */
bool
ratelimit_pass(struct ratelimit *rl, int64_t now, unsigned *ret_suppressed)
{
	if (rl->interval == 0 || now >= rl->window_start + (int64_t)rl->interval ||
	    now < rl->window_start) {
		if (ret_suppressed)
			*ret_suppressed = rl->suppressed;
		rl->window_start = now;
		rl->used = 0;
		rl->suppressed = 0;
	} else if (ret_suppressed)
		*ret_suppressed = 0;
	if (rl->used < rl->burst) {
		rl->used++;
		return true;
	}
	rl->suppressed++;
	return false;
}

/* libevent's own lines: at most LIBEVENT_LOG_BURST per LIBEVENT_LOG_WINDOW seconds */
#define LIBEVENT_LOG_BURST      10
#define LIBEVENT_LOG_WINDOW     60

static struct ratelimit libevent_rl = { .interval = LIBEVENT_LOG_WINDOW,
	                                .burst = LIBEVENT_LOG_BURST };

/*
 * event_set_log_callback: one of libevent's lines. It may come in a loop
 * (an accept() failing on every wakeup writes one per try), so it is
 * rate-limited; debug lines only with -v.
 */
static void
on_libevent_log(int severity, const char *msg)
{
	unsigned suppressed = 0;

	if (severity == EVENT_LOG_DEBUG) {
		log_debug("libevent: %s", msg);
		return;
	}
	if (!ratelimit_pass(&libevent_rl, mono_ms() / 1000, &suppressed))
		return;
	if (suppressed > 0)
		log_warnx("libevent: %u more lines suppressed in %d s", suppressed,
		          LIBEVENT_LOG_WINDOW);
	if (severity == EVENT_LOG_MSG)
		log_info("libevent: %s", msg);
	else
		log_warnx("libevent: %s", msg);
}

/*
 * Routes libevent's own messages (its default is stderr, unprefixed and
 * unlimited) through this log, rate-limited. Process-wide; call once
 * before the event loop runs.
 */
void
log_libevent(void)
{
	event_set_log_callback(on_libevent_log);
}
