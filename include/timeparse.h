/* timeparse.h — timeparse.c: times and durations in text. Conventions: core.h. */
#ifndef TQ_TIMEPARSE_H
#define TQ_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ timeparse.c */
/*
 * Parses s[0..len) against a strftime-like fmt: %Y (4 digits), %m, %d, %H,
 * %M, %S (1-2 digits), %y, %e, %T (= %H:%M:%S), %F (= %Y-%m-%d), %f (fraction
 * digits, ignored), %% ; every other fmt byte must match literally, a space
 * matching one or more spaces. The whole of s must be consumed. Validates
 * ranges and the day of month (2026-02-30 -> -ERANGE). Returns 0 and
 * *ret_wall, -EINVAL when s does not match, -ERANGE for an impossible value.
 */
int time_parse_fmt(const char *s, size_t len, const char *fmt, int64_t *ret_wall);
/*
 * ISO 8601: YYYY-MM-DD[(T|t| )hh:mm[:ss[(.|,)fraction]]][Z|z|+hh[:mm]|+hhmm|-...].
 * With a zone *ret_zoned = true and *ret is the UTC instant; without, *ret
 * is the wall time. -EINVAL / -ERANGE as above.
 */
int time_parse_iso8601(const char *s, size_t len, int64_t *ret, bool *ret_zoned);
/* Seconds (optionally with fraction) since the epoch, UTC. -EINVAL / -ERANGE. */
int time_parse_epoch(const char *s, size_t len, int64_t *ret);

/* ---------------------------------------------------------- duration */
/*
 * A duration: one decimal integer and a unit, "30s", "15m", "24h", "7d",
 * "2w" (no spaces, no fractions, no sign; 0 is allowed). Returns 0 and
 * seconds in *ret_seconds, -EINVAL when s is not of that form, -ERANGE
 * beyond 10 years. (timeparse.c)
 */
int duration_parse(const char *s, size_t len, int64_t *ret_seconds);

#endif /* TQ_TIMEPARSE_H */
