/*
 * civil.c — proleptic Gregorian calendar arithmetic on day numbers.
 *
 * Day numbers count days since 1970-01-01 (day 0), negative before it.
 * The conversions are Howard Hinnant's branch-light algorithms
 * (http://howardhinnant.github.io/date_algorithms.html): they work in
 * 400-year eras of 146097 days, so negative years and dates before 1970
 * need no special cases. Pure: no I/O, no global state.
 */
#include "core.h"
#include "tz.h"

/*
 * floor(a / b) for b != 0 (C division truncates toward zero, which would put
 * a negative second count on the wrong day). Precondition: b != 0 and not
 * (a == INT64_MIN && b == -1).
 */
int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	/* Truncation rounded up exactly when there is a remainder and the signs differ. */
	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * Days since 1970-01-01 of y-m-d (proleptic Gregorian; year 0 = 1 BC).
 * m must be 1..12 and d 1..31; the day is not checked against the month
 * (2026-02-30 gives 2026-03-02), callers validate with days_in_month.
 * Precondition: |y| < 2^40 so no intermediate overflows.
 */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	/* Years start on 1 March so the leap day is the last day of the year. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                            /* [0, 399] */
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/*
 * Inverse of days_from_civil: the date of day number days into *ret_y,
 * *ret_m (1..12), *ret_d (1..31). Never fails; every out-parameter must be
 * non-NULL. Precondition: |days| < 2^50.
 */
void
civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	int64_t z = days + 719468;      /* shift the epoch to 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                 /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                               /* [0, 11], March = 0 */
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);

	*ret_y = yoe + era * 400 + (m <= 2);
	*ret_m = m;
	*ret_d = d;
}

/* Number of days of month m (1..12) in year y; 0 when m is out of range. */
unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/*
 * Splits t, seconds since the epoch, into the UTC date (*ret_y, *ret_mo
 * 1..12, *ret_d 1..31), the weekday (*ret_wday, 0 = Sunday) and the time
 * of day. Never fails; every out-parameter must be non-NULL.
 */
void
civil_utc_parts(int64_t t, int64_t *ret_y, unsigned *ret_mo, unsigned *ret_d, unsigned *ret_wday,
                unsigned *ret_h, unsigned *ret_mi, unsigned *ret_s)
{
	int64_t days = floor_div(t, SECS_PER_DAY), sec = t - days * SECS_PER_DAY;

	civil_from_days(days, ret_y, ret_mo, ret_d);
	/* 1970-01-01 was a Thursday (4 with Sunday = 0). */
	*ret_wday = (unsigned)((days % 7 + 11) % 7);
	*ret_h = (unsigned)(sec / 3600);
	*ret_mi = (unsigned)(sec / 60 % 60);
	*ret_s = (unsigned)(sec % 60);
}
