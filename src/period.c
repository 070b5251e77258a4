/*
 * period.c — reporting periods (day, month, quarter, half, year, rolling
 * 30 days) over local calendar days, their names, their counterpart one
 * year earlier, and the Redis hash keys ("2026-03", "2026-03-05") that hold
 * their counters, and when a period starts and closes as an instant in a
 * zone (for the history streams). Days are day numbers (days since
 * 1970-01-01), month numbers are year*12 + (month-1). Pure: no I/O, no
 * global state (a zone is passed in, already loaded).
 *
 * Which fields are authoritative: for P_MONTH..P_YEAR the year and idx, for
 * P_DAY and P_ROLLING first_day/last_day; constructors always fill all.
 */
#include "core.h"
#include "period.h"
#include "tz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Months a month-based period covers. */
static unsigned
kind_months(enum period_kind kind)
{
	switch (kind) {
	case P_MONTH:   return 1;
	case P_QUARTER: return 3;
	case P_HALF:    return 6;
	case P_YEAR:    return 12;
	default:        return 0;
	}
}

/* First calendar month (1..12) of a month-based period. */
static unsigned
first_month(const struct period *p)
{
	if (p->kind == P_YEAR)
		return 1;
	return (p->idx - 1) * kind_months(p->kind) + 1;
}

/* A month-based period; idx must be in range for kind (1 for P_YEAR is ignored). */
static struct period
month_period(enum period_kind kind, int64_t year, unsigned idx)
{
	struct period p = { .kind = kind, .year = year, .idx = kind == P_YEAR ? 0 : idx };
	unsigned m1 = first_month(&p), m2 = m1 + kind_months(kind) - 1;

	p.first_day = days_from_civil(year, m1, 1);
	p.last_day = days_from_civil(year, m2, days_in_month(year, m2));
	return p;
}

/* Calendar year of a day number. */
static int64_t
year_of_day(int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	return y;
}

/* The P_DAY period of one day. */
static struct period
day_period(int64_t day)
{
	return (struct period){ .kind = P_DAY, .year = year_of_day(day), .first_day = day, .last_day = day };
}

/* The ROLLING_DAYS days ending with today inclusive; year is today's. */
static struct period
rolling_period(int64_t today)
{
	return (struct period){ .kind = P_ROLLING, .year = year_of_day(today),
	                        .first_day = today - (ROLLING_DAYS - 1), .last_day = today };
}

/* The same calendar date one year earlier; 29 February becomes 28 February. */
static int64_t
day_year_earlier(int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return days_from_civil(y - 1, m, d);
}

/* ASCII digit test, independent of the locale (unlike isdigit). */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of n (<= 9) digits at s; -1 if any is not a digit. */
static int64_t
digits(const char *s, unsigned n)
{
	int64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Parses exactly "YYYY-MM" (len 7, month 01..12) into a month number.
 * Returns 0 and *ret_monthno, or -EINVAL (*ret_monthno untouched).
 */
int
parse_month_key(const char *s, size_t len, int64_t *ret_monthno)
{
	int64_t y, m;

	if (!s || len != 7 || s[4] != '-')
		return -EINVAL;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	if (y < 0 || m < 1 || m > 12)
		return -EINVAL;
	*ret_monthno = y * 12 + m - 1;
	return 0;
}

/*
 * Parses exactly "YYYY-MM-DD" (len 10, a real calendar date) into a day
 * number. Returns 0 and *ret_day, or -EINVAL (*ret_day untouched).
 */
int
parse_day_key(const char *s, size_t len, int64_t *ret_day)
{
	int64_t y, m, d;

	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
		return -EINVAL;
	*ret_day = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/*
 * Parses a period name: "YYYY", "YYYY-MM", "YYYY-Qn" (n 1..4), "YYYY-Hn"
 * (n 1..2; q and h accepted too), "YYYY-MM-DD", or "rolling" (the
 * ROLLING_DAYS days ending with today, a day number). Years have exactly
 * four digits. Returns 0 and *ret, or -EINVAL (*ret untouched).
 */
int
period_parse(const char *s, int64_t today, struct period *ret)
{
	size_t len;
	int64_t y, v;

	if (!s)
		return -EINVAL;
	if (strcmp(s, "rolling") == 0) {
		*ret = rolling_period(today);
		return 0;
	}
	len = strlen(s);
	if (len < 4 || (y = digits(s, 4)) < 0)
		return -EINVAL;
	if (len == 4) {
		*ret = month_period(P_YEAR, y, 0);
		return 0;
	}
	if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q' || s[5] == 'H' || s[5] == 'h')) {
		bool quarter = s[5] == 'Q' || s[5] == 'q';

		v = digits(s + 6, 1);
		if (v < 1 || v > (quarter ? 4 : 2))
			return -EINVAL;
		*ret = month_period(quarter ? P_QUARTER : P_HALF, y, (unsigned)v);
		return 0;
	}
	if (len == 7) {
		if (parse_month_key(s, len, &v) < 0)
			return -EINVAL;
		*ret = month_period(P_MONTH, y, (unsigned)(v - y * 12 + 1));
		return 0;
	}
	if (len == 10) {
		if (parse_day_key(s, len, &v) < 0)
			return -EINVAL;
		*ret = day_period(v);
		return 0;
	}
	return -EINVAL;
}

/*
 * Writes the canonical name of p ("2026-03-05", "2026-03", "2026-Q1",
 * "2026-H2", "2026", "rolling") NUL-terminated into buf. Returns 0, or
 * -ENOBUFS when it does not fit in len bytes (buf then untouched).
 */
int
period_name(const struct period *p, char *buf, size_t len)
{
	char tmp[48];
	size_t n;

	switch (p->kind) {
	case P_DAY:
		day_key(p->first_day, tmp, sizeof(tmp));
		break;
	case P_MONTH:
		month_key(p->year * 12 + (int64_t)p->idx - 1, tmp, sizeof(tmp));
		break;
	case P_QUARTER:
	case P_HALF:
		snprintf(tmp, sizeof(tmp), "%04" PRId64 "-%c%u", p->year, p->kind == P_QUARTER ? 'Q' : 'H', p->idx);
		break;
	case P_YEAR:
		snprintf(tmp, sizeof(tmp), "%04" PRId64, p->year);
		break;
	case P_ROLLING:
	default:
		snprintf(tmp, sizeof(tmp), "rolling");
		break;
	}
	n = strlen(tmp);
	if (n >= len)
		return -ENOBUFS;
	memcpy(buf, tmp, n + 1);
	return 0;
}

/*
 * The period of kind that contains day (P_ROLLING: the ROLLING_DAYS days
 * ending with day). An unknown kind gives the day itself.
 */
struct period
period_of_day(enum period_kind kind, int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	switch (kind) {
	case P_MONTH:   return month_period(P_MONTH, y, m);
	case P_QUARTER: return month_period(P_QUARTER, y, (m - 1) / 3 + 1);
	case P_HALF:    return month_period(P_HALF, y, (m - 1) / 6 + 1);
	case P_YEAR:    return month_period(P_YEAR, y, 0);
	case P_ROLLING: return rolling_period(day);
	case P_DAY:
	default:        return day_period(day);
	}
}

/*
 * The same period one year earlier. A day keeps its date (29 February
 * becomes 28 February); rolling ends on today's date one year earlier (the
 * same mapping) and spans the same ROLLING_DAYS days before that.
 */
struct period
period_previous_year(const struct period *p)
{
	switch (p->kind) {
	case P_MONTH:
	case P_QUARTER:
	case P_HALF:
	case P_YEAR:
		return month_period(p->kind, p->year - 1, p->idx);
	case P_ROLLING:
		return rolling_period(day_year_earlier(p->last_day));
	case P_DAY:
	default:
		return day_period(day_year_earlier(p->first_day));
	}
}

/* Month number (y * 12 + m - 1) of a day number. */
int64_t
month_of_day(int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	return y * 12 + m - 1;
}

/* First day (day number) of month number m. */
int64_t
month_first_day(int64_t m)
{
	int64_t y = floor_div(m, 12);

	return days_from_civil(y, (unsigned)(m - y * 12) + 1, 1);
}

/*
 * Month numbers covered by p: *ret_first and *ret_n. Day and rolling
 * periods give the months their days touch (rolling: up to 3), clamped to
 * 1..12.
 */
void
period_months(const struct period *p, int64_t *ret_first, unsigned *ret_n)
{
	int64_t first, last;
	unsigned n = kind_months(p->kind);

	if (n > 0) {
		*ret_first = p->year * 12 + first_month(p) - 1;
		*ret_n = n;
		return;
	}
	first = month_of_day(p->first_day);
	last = month_of_day(p->last_day);
	*ret_first = first;
	*ret_n = last < first ? 1 : last - first >= 12 ? 12 : (unsigned)(last - first + 1);
}

/* Writes "YYYY-MM" of month number monthno into buf (len >= 16 suffices for years 0..9999). */
void
month_key(int64_t monthno, char *buf, size_t len)
{
	int64_t y = floor_div(monthno, 12);

	snprintf(buf, len, "%04" PRId64 "-%02u", y, (unsigned)(monthno - y * 12 + 1));
}

/* Writes "YYYY-MM-DD" of day number day into buf (len >= 16 suffices for years 0..9999). */
void
day_key(int64_t day, char *buf, size_t len)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04" PRId64 "-%02u-%02u", y, m, d);
}

/* The span of one period: days for P_DAY and P_ROLLING, months otherwise. */
static struct span
span_of(const struct period *p)
{
	struct span s = { 0 };

	if (p->kind == P_DAY || p->kind == P_ROLLING) {
		s.days = true;
		s.first = p->first_day;
		s.n = p->last_day < p->first_day ? 1 : (unsigned)(p->last_day - p->first_day + 1);
	} else {
		period_months(p, &s.first, &s.n);
	}
	return s;
}

/*
 * The counter hashes p reads (*ret_cur) and those of the same period one
 * year earlier (*ret_prev, see period_previous_year). Either may be NULL.
 */
void
period_span(const struct period *p, struct span *ret_cur, struct span *ret_prev)
{
	struct period prev;

	if (ret_cur)
		*ret_cur = span_of(p);
	if (ret_prev) {
		prev = period_previous_year(p);
		*ret_prev = span_of(&prev);
	}
}

/*
 * The period of the same kind right after p: the next day, month, quarter,
 * half or year (across year ends), all fields filled as period_of_day
 * would. A rolling period (or an unknown kind) is returned unchanged: it is
 * defined by "today", not by its position.
 */
struct period
period_next(const struct period *p)
{
	unsigned per_year;

	switch (p->kind) {
	case P_DAY:
		return day_period(p->first_day + 1);
	case P_MONTH:
	case P_QUARTER:
	case P_HALF:
		per_year = 12 / kind_months(p->kind);
		/* idx is authoritative for month-based kinds (see the top of this file). */
		if (p->idx >= per_year)
			return month_period(p->kind, p->year + 1, 1);
		return month_period(p->kind, p->year, p->idx + 1);
	case P_YEAR:
		return month_period(P_YEAR, p->year + 1, 0);
	case P_ROLLING:
	default:
		return *p;
	}
}

/*
 * The instant of local midnight at the start of day in tz, in unix seconds.
 * A midnight that falls in a spring gap (zones that switch at 00:00) is read
 * with the offset before the gap, which is the first instant of the day.
 */
int64_t
day_start_utc(const struct tz *tz, int64_t day)
{
	return tz_wall_to_utc(tz, day * SECS_PER_DAY, NULL);
}

/* Unix milliseconds of local midnight of p's first day in tz (a stream entry id). */
int64_t
period_start_ms(const struct period *p, const struct tz *tz)
{
	return day_start_utc(tz, p->first_day) * 1000;
}

/*
 * Whether p is closed at unix time now: its end (local midnight after its
 * last day, in tz) plus grace_s is at or before now. The same grace as the
 * summaries: late lines still count until then. A negative grace counts as
 * 0; a rolling period is never closed (it moves with today).
 */
bool
period_closed(const struct period *p, const struct tz *tz, int64_t grace_s, int64_t now)
{
	if (p->kind == P_ROLLING)
		return false;
	if (grace_s < 0)
		grace_s = 0;
	return day_start_utc(tz, p->last_day + 1) <= now - grace_s;
}

/* The latest month closed at unix time t (period_closed with tz and grace_s). */
static int64_t
last_closed_month(const struct tz *tz, int64_t grace_s, int64_t t)
{
	int64_t at = t - grace_s, m;

	/* The month of the local day at t - grace is still open; the one before
	 * it closed, unless the zone's midnight rule puts its end later. */
	m = month_of_day(floor_div(at + tz_utc_offset(tz, at), SECS_PER_DAY)) - 1;
	while (day_start_utc(tz, month_first_day(m + 1)) > at)
		m--;
	while (day_start_utc(tz, month_first_day(m + 2)) <= at)
		m++;
	return m;
}

/* See period.h. */
void
period_months_closed(const struct tz *tz, int64_t grace_s, int64_t prev, int64_t now,
                     unsigned cap, int64_t *ret_first, unsigned *ret_n)
{
	int64_t a, b;

	if (grace_s < 0)
		grace_s = 0;
	*ret_first = 0;
	*ret_n = 0;
	if (now <= prev)
		return;
	a = last_closed_month(tz, grace_s, prev) + 1;
	b = last_closed_month(tz, grace_s, now);
	if (b < a)
		return;
	if (b - a + 1 > (int64_t)cap)
		a = b - (int64_t)cap + 1;
	*ret_first = a;
	*ret_n = (unsigned)(b - a + 1);
}
