/* log.h — log.c: logging to stderr/journald and the log rate limiter. Conventions: core.h. */
#ifndef TQ_LOG_H
#define TQ_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

/* ------------------------------------------------------------------ log.c */
/*
 * Logging to stderr. With prefixes on (not a terminal, or under journald),
 * each line starts with a syslog priority "<3>".."<7>" so journald keeps the
 * level. log_warn appends strerror(errno). Never pass personal data.
 */
void log_init(int verbosity, bool prefixes);    /* verbosity: 0 info, 1+ debug */
void log_warn(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_notice(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_errx(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_info(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_debug(const char *fmt, ...) TQ_PRINTF(1, 2);
void fatal(const char *fmt, ...) TQ_PRINTF(1, 2) TQ_NORETURN;
void fatalx(const char *fmt, ...) TQ_PRINTF(1, 2) TQ_NORETURN;
/*
 * Routes libevent's own messages through this log, at most 10 lines a
 * minute (then one "N more lines suppressed"); libevent's debug lines go
 * to log_debug. Process-wide; call once at start.
 */
void log_libevent(void);

/* Token bucket for log floods (pure). */
struct ratelimit {
	int64_t  window_start;  /* seconds */
	unsigned interval;      /* seconds per window */
	unsigned burst;         /* lines allowed per window */
	unsigned used;
	unsigned suppressed;    /* lines dropped in the current window */
};
/*
 * Returns true when a line may be logged at time now. When a new window
 * opens, *ret_suppressed (may be NULL) gets the count dropped in the old
 * one so the caller can say "N similar messages suppressed".
 */
bool ratelimit_pass(struct ratelimit *rl, int64_t now, unsigned *ret_suppressed);

#endif /* TQ_LOG_H */
