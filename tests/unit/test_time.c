/* Unit tests: civil.c (calendar) and timeparse.c (time stamps, durations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "timeparse.h"
#include "tz.h"

#define DAY 86400

static int64_t ymdhms(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

/* ------------------------------------------------------------------ civil */

static void test_civil_known(void **state)
{
	(void)state;
	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(days_from_civil(1969, 12, 31), -1);
	assert_int_equal(days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(days_from_civil(2026, 3, 5), 20517);
	assert_int_equal(days_from_civil(0, 3, 1), -719468);
	assert_int_equal(days_from_civil(1900, 1, 1), -25567);
	assert_int_equal(days_from_civil(-1, 12, 31), days_from_civil(0, 1, 1) - 1);
	/* 2026-02-28 -> 2026-03-01 is one day, 2024-02-28 -> 2024-03-01 two. */
	assert_int_equal(days_from_civil(2026, 3, 1) - days_from_civil(2026, 2, 28), 1);
	assert_int_equal(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
}

static void test_civil_round_trip(void **state)
{
	int64_t y, py;
	unsigned m, d, pm, pd;

	(void)state;
	/* Every day from about 770 BC to AD 4700: round trip and consecutive dates. */
	civil_from_days(-1000001, &py, &pm, &pd);
	for (int64_t z = -1000000; z <= 1000000; z++) {
		civil_from_days(z, &y, &m, &d);
		assert_true(m >= 1 && m <= 12);
		assert_true(d >= 1 && d <= days_in_month(y, m));
		assert_int_equal(days_from_civil(y, m, d), z);
		if (d == 1) {
			assert_int_equal(pd, days_in_month(py, pm));
			if (m == 1)
				assert_true(py == y - 1 && pm == 12);
			else
				assert_true(py == y && pm == m - 1);
		} else {
			assert_true(py == y && pm == m && pd == d - 1);
		}
		py = y, pm = m, pd = d;
	}
	/* Far years both ways, by whole 400-year cycles of 146097 days. */
	for (int64_t yy = -1000000; yy <= 1000000; yy += 4001) {
		int64_t z = days_from_civil(yy, 2, 28);

		civil_from_days(z, &y, &m, &d);
		assert_true(y == yy && m == 2 && d == 28);
		assert_int_equal(days_from_civil(yy + 400, 2, 28) - z, 146097);
	}
}

static void test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(days_in_month(2024, 2), 29);
	assert_int_equal(days_in_month(2026, 2), 28);
	assert_int_equal(days_in_month(1900, 2), 28);
	assert_int_equal(days_in_month(2000, 2), 29);
	assert_int_equal(days_in_month(2100, 2), 28);
	assert_int_equal(days_in_month(-4, 2), 29);
	assert_int_equal(days_in_month(-100, 2), 28);
	assert_int_equal(days_in_month(-400, 2), 29);
	assert_int_equal(days_in_month(2026, 1), 31);
	assert_int_equal(days_in_month(2026, 4), 30);
	assert_int_equal(days_in_month(2026, 12), 31);
	assert_int_equal(days_in_month(2026, 0), 0);
	assert_int_equal(days_in_month(2026, 13), 0);
}

static void test_floor_div(void **state)
{
	(void)state;
	assert_int_equal(floor_div(0, DAY), 0);
	assert_int_equal(floor_div(86399, DAY), 0);
	assert_int_equal(floor_div(86400, DAY), 1);
	assert_int_equal(floor_div(-1, DAY), -1);
	assert_int_equal(floor_div(-86400, DAY), -1);
	assert_int_equal(floor_div(-86401, DAY), -2);
	assert_int_equal(floor_div(7, -2), -4);
	assert_int_equal(floor_div(-7, -2), 3);
	assert_int_equal(floor_div(-7, 2), -4);
	assert_int_equal(floor_div(INT64_MIN, DAY), INT64_MIN / DAY - 1);
}

/* --------------------------------------------------------- time_parse_fmt */

static int fmt(const char *s, const char *f, int64_t *ret)
{
	return time_parse_fmt(s, strlen(s), f, ret);
}

static void test_fmt_ok(void **state)
{
	const struct {         /* not static: ymdhms() is no constant */
		const char *s, *fmt;
		int64_t want;
	} cases[] = {
		{ "2026-03-05 14:03:07", "%Y-%m-%d %H:%M:%S", ymdhms(2026, 3, 5, 14, 3, 7) },
		/* Date and time fields joined by a space, as map.c does for two columns. */
		{ "2026-03-05 14:03:07", "%F %T", ymdhms(2026, 3, 5, 14, 3, 7) },
		/* A fmt space matches a run of spaces. */
		{ "2026-03-05   14:03:07", "%F %T", ymdhms(2026, 3, 5, 14, 3, 7) },
		/* One-digit fields. */
		{ "5.3.2026 9:05", "%d.%m.%Y %H:%M", ymdhms(2026, 3, 5, 9, 5, 0) },
		{ "05/03/26 1:2:3", "%d/%m/%y %H:%M:%S", ymdhms(2026, 3, 5, 1, 2, 3) },
		{ "31/12/99", "%d/%m/%y", ymdhms(1999, 12, 31, 0, 0, 0) },
		/* %e may be space padded; %f fraction ignored; %% literal. */
		{ "2026-03- 5T10:00:00.123456", "%Y-%m-%eT%T.%f", ymdhms(2026, 3, 5, 10, 0, 0) },
		{ "100% 2026-03-05", "100%% %F", ymdhms(2026, 3, 5, 0, 0, 0) },
		/* Compact digits: greedy two-digit fields. */
		{ "20260305143007", "%Y%m%d%H%M%S", ymdhms(2026, 3, 5, 14, 30, 7) },
		/* Leap day, and fields fmt does not mention default to 1970-01-01 00:00:00. */
		{ "2024-02-29", "%F", ymdhms(2024, 2, 29, 0, 0, 0) },
		{ "13:45", "%H:%M", 13 * 3600 + 45 * 60 },
		/* A leap second stays in its minute. */
		{ "2016-12-31 23:59:60", "%F %T", ymdhms(2016, 12, 31, 23, 59, 59) },
	};
	int64_t w = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = fmt(cases[i].s, cases[i].fmt, &w);

		if (r != 0 || w != cases[i].want)
			fail_msg("case %zu \"%s\" as \"%s\": %d, %lld; want 0, %lld", i, cases[i].s,
			         cases[i].fmt, r, (long long)w, (long long)cases[i].want);
	}
	/* Not NUL-terminated: only len bytes count. */
	assert_int_equal(time_parse_fmt("2026-03-05XYZ", 10, "%F", &w), 0);
	assert_int_equal(w, ymdhms(2026, 3, 5, 0, 0, 0));
}

static void test_fmt_errors(void **state)
{
	static const struct {
		const char *s, *fmt;
		int err;
	} cases[] = {
		{ "2026-02-30", "%F", -ERANGE },
		{ "2026-02-29", "%F", -ERANGE },
		{ "2026-13-01", "%F", -ERANGE },
		{ "2026-00-01", "%F", -ERANGE },
		{ "2026-01-00", "%F", -ERANGE },
		{ "2026-01-01 24:00:00", "%F %T", -ERANGE },
		{ "2026-01-01 23:60:00", "%F %T", -ERANGE },
		{ "2026-01-01 23:00:61", "%F %T", -ERANGE },
		{ "2026-01-01 930", "%F %H%M", -ERANGE },
		{ "26-01-01", "%F", -EINVAL },
		{ "2026-01-01 ", "%F", -EINVAL },
		{ "2026-01-01", "%F %T", -EINVAL },
		{ "2026-01-0114:00:00", "%F %T", -EINVAL },
		{ "2026/01/01", "%F", -EINVAL },
		{ "", "%F", -EINVAL },
		{ "2026-01-01 12:00:00.", "%F %T.%f", -EINVAL },
		{ "2026", "%Q", -EINVAL },
		{ "2026%", "%Y%", -EINVAL },
		{ "2026-01-01", "%Y-%m-%d%", -EINVAL },
	};
	int64_t w = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = fmt(cases[i].s, cases[i].fmt, &w);

		if (r != cases[i].err)
			fail_msg("case %zu \"%s\" as \"%s\": %d, want %d", i, cases[i].s, cases[i].fmt,
			         r, cases[i].err);
	}
	assert_int_equal(w, 42);        /* untouched on failure */
}

/* ----------------------------------------------------- time_parse_iso8601 */

static int iso(const char *s, int64_t *ret, bool *zoned)
{
	return time_parse_iso8601(s, strlen(s), ret, zoned);
}

static void test_iso8601_ok(void **state)
{
	const struct {         /* not static: ymdhms() is no constant */
		const char *s;
		int64_t want;
		bool zoned;
	} cases[] = {
		{ "2026-03-05T14:03:07Z", ymdhms(2026, 3, 5, 14, 3, 7), true },
		{ "2026-03-05t14:03:07z", ymdhms(2026, 3, 5, 14, 3, 7), true },
		{ "2026-03-05T14:03:07+01:00", ymdhms(2026, 3, 5, 13, 3, 7), true },
		{ "2026-03-05T14:03:07+0200", ymdhms(2026, 3, 5, 12, 3, 7), true },
		{ "2026-03-05T14:03:07-05", ymdhms(2026, 3, 5, 19, 3, 7), true },
		{ "2026-03-05T00:30:00+05:30", ymdhms(2026, 3, 4, 19, 0, 0), true },
		/* Fractions with '.' or ',' are dropped. */
		{ "2026-03-05T14:03:07.999999Z", ymdhms(2026, 3, 5, 14, 3, 7), true },
		{ "2026-03-05 14:03:07,5+01:00", ymdhms(2026, 3, 5, 13, 3, 7), true },
		/* No zone: wall time. */
		{ "2026-03-05T14:03:07", ymdhms(2026, 3, 5, 14, 3, 7), false },
		{ "2026-03-05 14:03", ymdhms(2026, 3, 5, 14, 3, 0), false },
		{ "2026-03-05", ymdhms(2026, 3, 5, 0, 0, 0), false },
		{ "1969-12-31T23:59:59Z", -1, true },
	};
	int64_t t = 0;
	bool z;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		z = !cases[i].zoned;
		r = iso(cases[i].s, &t, &z);
		if (r != 0 || t != cases[i].want || z != cases[i].zoned)
			fail_msg("case %zu \"%s\": %d, %lld, zoned %d; want 0, %lld, zoned %d", i,
			         cases[i].s, r, (long long)t, z, (long long)cases[i].want, cases[i].zoned);
	}
	assert_int_equal(iso("2024-02-29T23:59:59Z", &t, NULL), 0);
	assert_int_equal(t, ymdhms(2024, 2, 29, 23, 59, 59));
}

static void test_iso8601_errors(void **state)
{
	static const char *const inval[] = {
		"", "2026", "2026-03", "2026-3-05", "2026-03-5", "26-03-05", "2026/03/05",
		"2026-03-05T", "2026-03-05T14", "2026-03-05T1:00", "2026-03-05T14:3",
		"2026-03-05T14:03:7", "2026-03-05T14:03:07.", "2026-03-05T14:03:07.Z",
		"2026-03-05X14:03", "2026-03-05T14:03:07 Z", "2026-03-05T14:03:07+1",
		"2026-03-05T14:03:07+01:0", "2026-03-05T14:03:07+012", "2026-03-05T14:03:07+01:00x",
		"2026-03-05T14:03:07ZZ", " 2026-03-05", "2026-03-05T14:03.5",
	};
	static const char *const range[] = {
		"2026-02-30", "2026-02-29T00:00:00Z", "2026-13-01", "2026-00-10", "2026-01-32",
		"2026-03-05T24:00", "2026-03-05T23:60", "2026-03-05T14:03:07+24:00",
		"2026-03-05T14:03:07+01:60",
	};
	int64_t t = 42;
	bool z = true;

	(void)state;
	for (size_t i = 0; i < sizeof(inval) / sizeof(inval[0]); i++) {
		if (iso(inval[i], &t, &z) != -EINVAL)
			fail_msg("expected -EINVAL for \"%s\"", inval[i]);
	}
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		if (iso(range[i], &t, &z) != -ERANGE)
			fail_msg("expected -ERANGE for \"%s\"", range[i]);
	}
	assert_int_equal(t, 42);
	assert_true(z);
}

/* -------------------------------------------------------- time_parse_epoch */

static int epoch(const char *s, int64_t *ret)
{
	return time_parse_epoch(s, strlen(s), ret);
}

static void test_epoch(void **state)
{
	const struct {         /* not static: ymdhms() is no constant */
		const char *s;
		int64_t want;
	} good[] = {
		{ "1772719387", 1772719387 },
		{ "0", 0 },
		{ "1772719387.999", 1772719387 },
		{ "+15", 15 },
		{ "-1", -1 },
		{ "-1.5", -2 },                /* floor: 1969-12-31 23:59:58.5 */
		{ "-1.000", -1 },
		{ "253402300799", ymdhms(9999, 12, 31, 23, 59, 59) },
		{ "-62167219200", ymdhms(0, 1, 1, 0, 0, 0) },
	};
	static const struct {
		const char *s;
		int err;
	} bad[] = {
		{ "", -EINVAL },
		{ "-", -EINVAL },
		{ "abc", -EINVAL },
		{ "1.", -EINVAL },
		{ ".5", -EINVAL },
		{ "1e9", -EINVAL },
		{ " 1", -EINVAL },
		{ "1 ", -EINVAL },
		{ "--1", -EINVAL },
		{ "99999999999999999999999999999x", -EINVAL },
		{ "253402300800", -ERANGE },
		{ "-62167219201", -ERANGE },
		{ "-62167219200.5", -ERANGE },
		{ "99999999999999999999999999999", -ERANGE },
	};
	int64_t t = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int r = epoch(good[i].s, &t);

		if (r != 0 || t != good[i].want)
			fail_msg("good %zu \"%s\": %d, %lld; want 0, %lld", i, good[i].s, r, (long long)t,
			         (long long)good[i].want);
	}
	t = 42;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = epoch(bad[i].s, &t);

		if (r != bad[i].err)
			fail_msg("bad %zu \"%s\": %d, want %d", i, bad[i].s, r, bad[i].err);
	}
	assert_int_equal(t, 42);
}

/* ---------------------------------------------------------- duration_parse */

static int dur(const char *s, int64_t *ret)
{
	return duration_parse(s, strlen(s), ret);
}

static void test_duration_ok(void **state)
{
	static const struct {
		const char *s;
		int64_t secs;
	} cases[] = {
		{ "30s", 30 }, { "15m", 900 }, { "24h", 86400 }, { "7d", 604800 },
		{ "2w", 1209600 }, { "0s", 0 }, { "0w", 0 }, { "1s", 1 }, { "007d", 604800 },
		{ "90m", 5400 }, { "365d", 365 * DAY },
		/* the limit, ten years of 366 days, in every unit */
		{ "3660d", 3660LL * DAY }, { "87840h", 3660LL * DAY }, { "5270400m", 3660LL * DAY },
		{ "316224000s", 3660LL * DAY }, { "522w", 522LL * 7 * DAY },
	};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -1;
		if (dur(cases[i].s, &v) != 0 || v != cases[i].secs)
			fail_msg("\"%s\": got %lld", cases[i].s, (long long)v);
	}
	/* only len bytes count: not NUL-terminated */
	assert_int_equal(duration_parse("12hours", 3, &v), 0);
	assert_int_equal(v, 12 * 3600);
}

static void test_duration_errors(void **state)
{
	static const char *const inval[] = {
		"", "s", "7", "0", "-1d", "+1d", " 7d", "7d ", "7 d", "1.5h", "1,5h", ".5h",
		"7D", "7y", "7dd", "7ds", "d7", "1h30m", "7days", "0x10s", "1e3s", "\xc2\xb5s",
		"99999999999999999999999999x",
	};
	static const char *const range[] = {
		"3661d", "523w", "87841h", "5270401m", "316224001s",
		"99999999999999999999999999s", "18446744073709551617s", "9223372036854775808w",
	};
	int64_t v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(inval) / sizeof(inval[0]); i++)
		if (dur(inval[i], &v) != -EINVAL)
			fail_msg("expected -EINVAL for \"%s\"", inval[i]);
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		if (dur(range[i], &v) != -ERANGE)
			fail_msg("expected -ERANGE for \"%s\"", range[i]);
	/* a NUL inside the given length is not a unit */
	assert_int_equal(duration_parse("7\0d", 3, &v), -EINVAL);
	assert_int_equal(duration_parse(NULL, 0, &v), -EINVAL);
	assert_int_equal(v, 42);        /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_known),
		cmocka_unit_test(test_civil_round_trip),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_floor_div),
		cmocka_unit_test(test_fmt_ok),
		cmocka_unit_test(test_fmt_errors),
		cmocka_unit_test(test_iso8601_ok),
		cmocka_unit_test(test_iso8601_errors),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_duration_ok),
		cmocka_unit_test(test_duration_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
