/* tz.h — civil.c, tz.c: the proleptic Gregorian calendar and time zones. Conventions: core.h. */
#ifndef TQ_TZ_H
#define TQ_TZ_H

#include <stdbool.h>
#include <stdint.h>

/* ---------------------------------------------------------- civil.c, tz.c */
/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);
unsigned days_in_month(int64_t y, unsigned m);
/* Floor division helper: days since epoch of a seconds value. */
int64_t floor_div(int64_t a, int64_t b);
/* The UTC date, weekday (0 = Sunday) and time of day of t seconds since the epoch. */
void civil_utc_parts(int64_t t, int64_t *ret_y, unsigned *ret_mo, unsigned *ret_d, unsigned *ret_wday,
                     unsigned *ret_h, unsigned *ret_mi, unsigned *ret_s);

struct tz;
/*
 * The zone of the TZif file name under $TZDIR or /usr/share/zoneinfo,
 * computed by glibc (tz.c sets $TZ: nothing else may). -ENOENT, -EINVAL.
 */
int tz_load(const char *name, struct tz **ret);
void tz_free(struct tz *tz);
/* Seconds east of UTC in effect at instant utc. */
int32_t tz_utc_offset(const struct tz *tz, int64_t utc);

/*
 * A caller's memo of one interval of constant offset, for the per-event
 * lookups below (zero it before first use; it never needs freeing).
 */
struct tz_memo {
	const struct tz *tz;    /* NULL: empty */
	uint64_t serial;        /* the zone's serial: a zone at a reused address is another */
	int64_t  from, next;    /* [from, next) has offset off */
	int32_t  off;
	/* next_off is the offset from next on (for wall times near a change), when
	 * next_known is true; cleared whenever next moves. */
	bool     next_known;
	int32_t  next_off;
};
/* tz_utc_offset, skipping the search while utc stays in the memo's interval. */
int32_t tz_utc_offset_memo(const struct tz *tz, struct tz_memo *memo, int64_t utc);
/* tz_wall_to_utc(tz, wall, NULL), likewise. */
int64_t tz_wall_to_utc_memo(const struct tz *tz, struct tz_memo *memo, int64_t wall);

#define TZ_AMBIGUOUS 1  /* wall time occurred twice (autumn): earlier instant chosen */
#define TZ_GAP       2  /* wall time did not exist (spring): moved forward by the gap */
/*
 * Converts a local wall-clock time (seconds since 1970-01-01 00:00 of the
 * wall clock, as if it were UTC) to the UTC instant. Documented rule: an
 * ambiguous time is the earlier instant (still summer time); a time in the
 * spring gap is read with the offset in force before the gap, so 02:30 on
 * the last Sunday of March becomes 03:30 CEST. ret_flags may be NULL.
 */
int64_t tz_wall_to_utc(const struct tz *tz, int64_t wall, int *ret_flags);

#endif /* TQ_TZ_H */
