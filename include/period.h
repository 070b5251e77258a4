/* period.h — period.c: report periods, month and day numbers. Conventions: core.h. */
#ifndef TQ_PERIOD_H
#define TQ_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tz;

/* --------------------------------------------------------------- period.c */
enum period_kind { P_DAY, P_MONTH, P_QUARTER, P_HALF, P_YEAR, P_ROLLING };
struct period {
	enum period_kind kind;
	int64_t year;
	unsigned idx;           /* month 1-12, quarter 1-4, half 1-2; 0 otherwise */
	int64_t first_day;      /* days since epoch, inclusive */
	int64_t last_day;       /* inclusive */
};
#define ROLLING_DAYS 30
/*
 * Parses "2026-03", "2026-Q1", "2026-H1", "2026", "2026-03-05" or "rolling"
 * (the ROLLING_DAYS local days ending with today). -EINVAL.
 */
int period_parse(const char *s, int64_t today, struct period *ret);
/* Writes the canonical name ("2026-Q1", "rolling", ...). Returns 0 or -ENOBUFS. */
int period_name(const struct period *p, char *buf, size_t len);
/* Constructors from a day (days since epoch). */
struct period period_of_day(enum period_kind kind, int64_t day);
/* The same period one year earlier (rolling: the same 30 days one year earlier). */
struct period period_previous_year(const struct period *p);
/* Month number (y*12 + m-1) of a day number, and the first day of a month number. */
int64_t month_of_day(int64_t day);
int64_t month_first_day(int64_t monthno);
/* Month numbers (y*12 + m-1) covered by p: *ret_first and *ret_n (1..12). */
void period_months(const struct period *p, int64_t *ret_first, unsigned *ret_n);
/* "2026-03" for month number y*12+m-1; "2026-03-05" for a day. buf >= 16 bytes. */
void month_key(int64_t monthno, char *buf, size_t len);
void day_key(int64_t day, char *buf, size_t len);
/*
 * The counter hashes a period reads: whole months (P_MONTH..P_YEAR: month
 * numbers) or days (P_DAY, P_ROLLING: day numbers), for the period itself
 * and for the same period one year earlier.
 */
struct span {
	bool     days;
	int64_t  first;         /* month number or day number */
	unsigned n;
};
void period_span(const struct period *p, struct span *ret_cur, struct span *ret_prev);
/* The period of the same kind right after p (P_DAY .. P_YEAR; rolling: unchanged). */
struct period period_next(const struct period *p);
/* Inverse of month_key/day_key. -EINVAL. */
int parse_month_key(const char *s, size_t len, int64_t *ret_monthno);
int parse_day_key(const char *s, size_t len, int64_t *ret_day);
/*
 * The instant (unix seconds) of local midnight at the start of day in zone
 * tz; a midnight inside a spring gap is the first instant of the day (the
 * rule of tz_wall_to_utc).
 */
int64_t day_start_utc(const struct tz *tz, int64_t day);
/* Unix milliseconds of the start of p: local midnight of its first day in tz. */
int64_t period_start_ms(const struct period *p, const struct tz *tz);
/*
 * True when p (P_DAY .. P_YEAR) is closed at unix time now: its end, local
 * midnight after its last day, plus grace_s (negative counts as 0) is at
 * or before now. Rolling never closes.
 */
bool period_closed(const struct period *p, const struct tz *tz, int64_t grace_s, int64_t now);
/*
 * The months that closed (period_closed, same tz and grace_s) after unix
 * time prev and at or before now: month numbers *ret_first ..
 * *ret_first + *ret_n - 1, oldest first; *ret_n is 0 when none did (now
 * at or before prev: a clock set back closes nothing). A quarter, half or
 * year closes with its last month, so these months name every period that
 * closed in between. At most cap months, the latest ones (a clock jump of
 * decades must not make decades of work). Pure.
 */
void period_months_closed(const struct tz *tz, int64_t grace_s, int64_t prev, int64_t now,
                          unsigned cap, int64_t *ret_first, unsigned *ret_n);

#endif /* TQ_PERIOD_H */
