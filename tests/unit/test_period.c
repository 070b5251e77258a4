/* Unit tests: period.c (reporting periods, names, keys, spans). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "period.h"
#include "tz.h"

static int64_t D(int64_t y, unsigned m, unsigned d)
{
	return days_from_civil(y, m, d);
}

static void assert_name(const struct period *p, const char *want)
{
	char buf[32];

	assert_int_equal(period_name(p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void assert_period(const struct period *p, enum period_kind kind, int64_t year, unsigned idx,
                          int64_t first, int64_t last)
{
	assert_int_equal(p->kind, kind);
	assert_int_equal(p->year, year);
	assert_int_equal(p->idx, idx);
	assert_int_equal(p->first_day, first);
	assert_int_equal(p->last_day, last);
}

/* One expected period: its text (for period_parse), fields, and name (NULL: not checked). */
struct period_case {
	const char *text;
	enum period_kind kind;
	int64_t year;
	unsigned idx;
	int64_t first, last;
	const char *name;
};

static void assert_case(const struct period *p, const struct period_case *c)
{
	assert_period(p, c->kind, c->year, c->idx, c->first, c->last);
	if (c->name)
		assert_name(p, c->name);
}

static void test_parse_forms(void **state)
{
	const int64_t today = D(2026, 3, 5);
	const struct period_case cases[] = {
		{ "2026-03", P_MONTH, 2026, 3, D(2026, 3, 1), D(2026, 3, 31), "2026-03" },
		{ "2024-02", P_MONTH, 2024, 2, D(2024, 2, 1), D(2024, 2, 29), NULL },
		{ "2026-Q1", P_QUARTER, 2026, 1, D(2026, 1, 1), D(2026, 3, 31), "2026-Q1" },
		{ "2026-q4", P_QUARTER, 2026, 4, D(2026, 10, 1), D(2026, 12, 31), "2026-Q4" },
		{ "2026-H1", P_HALF, 2026, 1, D(2026, 1, 1), D(2026, 6, 30), "2026-H1" },
		{ "2026-H2", P_HALF, 2026, 2, D(2026, 7, 1), D(2026, 12, 31), "2026-H2" },
		{ "2026", P_YEAR, 2026, 0, D(2026, 1, 1), D(2026, 12, 31), "2026" },
		{ "2026-03-05", P_DAY, 2026, 0, D(2026, 3, 5), D(2026, 3, 5), "2026-03-05" },
		{ "2024-02-29", P_DAY, 2024, 0, D(2024, 2, 29), D(2024, 2, 29), NULL },
	};
	struct period p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(period_parse(cases[i].text, today, &p), 0);
		assert_case(&p, &cases[i]);
	}

	assert_int_equal(period_parse("rolling", today, &p), 0);
	assert_period(&p, P_ROLLING, 2026, 0, D(2026, 2, 4), D(2026, 3, 5));
	assert_int_equal(p.last_day - p.first_day + 1, ROLLING_DAYS);
	assert_name(&p, "rolling");

	assert_int_equal(period_parse("0000-01", today, &p), 0);
	assert_name(&p, "0000-01");
	assert_int_equal(period_parse("9999-12-31", today, &p), 0);
	assert_name(&p, "9999-12-31");
}

static void test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-H3", "2026-H0", "26-01",
		"202-01", "20261", "2026-", "2026-1", "2026-001", "2026/03", "2026-03-", "2026-3-05",
		"2026-02-30", "2026-02-29", "2026-04-31", "2026-03-00", "2026-Q", "2026-Q12",
		"2026-X1", "x026", "-2026", " 2026", "2026 ", "Rolling", "roll", "rolling ",
		"2026-03-05T00", "20260305",
	};
	struct period p = { .kind = P_YEAR, .year = 1234, .idx = 7, .first_day = 11, .last_day = 22 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (period_parse(bad[i], 0, &p) != -EINVAL)
			fail_msg("expected -EINVAL for \"%s\"", bad[i]);
	}
	assert_int_equal(period_parse(NULL, 0, &p), -EINVAL);
	assert_period(&p, P_YEAR, 1234, 7, 11, 22);     /* untouched */
}

static void test_name_buffer(void **state)
{
	struct period p = period_of_day(P_QUARTER, D(2026, 5, 1));
	char buf[8] = "unused!";

	(void)state;
	assert_int_equal(period_name(&p, buf, 7), -ENOBUFS);   /* "2026-Q2" needs 8 */
	assert_string_equal(buf, "unused!");
	assert_int_equal(period_name(&p, buf, 0), -ENOBUFS);
	assert_int_equal(period_name(&p, buf, 8), 0);
	assert_string_equal(buf, "2026-Q2");
}

static void test_of_day(void **state)
{
	const int64_t day = D(2026, 8, 15);
	const struct period_case cases[] = {
		{ NULL, P_DAY, 2026, 0, day, day, NULL },
		{ NULL, P_MONTH, 2026, 8, D(2026, 8, 1), D(2026, 8, 31), NULL },
		{ NULL, P_QUARTER, 2026, 3, D(2026, 7, 1), D(2026, 9, 30), NULL },
		{ NULL, P_HALF, 2026, 2, D(2026, 7, 1), D(2026, 12, 31), NULL },
		{ NULL, P_YEAR, 2026, 0, D(2026, 1, 1), D(2026, 12, 31), NULL },
		{ NULL, P_ROLLING, 2026, 0, D(2026, 7, 17), day, NULL },
	};
	struct period p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = period_of_day(cases[i].kind, day);
		assert_case(&p, &cases[i]);
	}

	/* Every day of two years lands in the quarter and half containing it. */
	for (int64_t d = D(2024, 1, 1); d <= D(2025, 12, 31); d++) {
		struct period q = period_of_day(P_QUARTER, d), h = period_of_day(P_HALF, d);

		assert_true(q.first_day <= d && d <= q.last_day);
		assert_true(h.first_day <= d && d <= h.last_day);
	}
	/* Pre-1970. */
	p = period_of_day(P_MONTH, D(1969, 12, 31));
	assert_period(&p, P_MONTH, 1969, 12, D(1969, 12, 1), D(1969, 12, 31));
}

static void test_previous_year(void **state)
{
	/* text: the period parsed; the rest: its previous year */
	const struct period_case cases[] = {
		{ "2026-03-05", P_DAY, 2025, 0, D(2025, 3, 5), D(2025, 3, 5), NULL },
		/* A leap day's previous year is 28 February. */
		{ "2024-02-29", P_DAY, 2023, 0, D(2023, 2, 28), D(2023, 2, 28), NULL },
		/* ... and 29 February is a month's end only in leap years. */
		{ "2025-02", P_MONTH, 2024, 2, D(2024, 2, 1), D(2024, 2, 29), NULL },
		{ "2026-Q1", P_QUARTER, 2025, 1, D(2025, 1, 1), D(2025, 3, 31), "2025-Q1" },
		{ "2026-H2", P_HALF, 2025, 2, D(2025, 7, 1), D(2025, 12, 31), NULL },
		{ "2026", P_YEAR, 2025, 0, D(2025, 1, 1), D(2025, 12, 31), NULL },
	};
	struct period p, q;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(period_parse(cases[i].text, 0, &p), 0);
		q = period_previous_year(&p);
		assert_case(&q, &cases[i]);
	}

	/* Rolling across a year end, and its previous year. */
	assert_int_equal(period_parse("rolling", D(2026, 1, 10), &p), 0);
	assert_period(&p, P_ROLLING, 2026, 0, D(2025, 12, 12), D(2026, 1, 10));
	q = period_previous_year(&p);
	assert_period(&q, P_ROLLING, 2025, 0, D(2024, 12, 12), D(2025, 1, 10));
	/* Rolling ending on a leap day: one year earlier ends on 28 February. */
	p = period_of_day(P_ROLLING, D(2024, 2, 29));
	q = period_previous_year(&p);
	assert_period(&q, P_ROLLING, 2023, 0, D(2023, 1, 30), D(2023, 2, 28));
	/* Ending 1 March 2025: the year before ends 1 March 2024 (leap day inside). */
	p = period_of_day(P_ROLLING, D(2025, 3, 1));
	q = period_previous_year(&p);
	assert_period(&q, P_ROLLING, 2024, 0, D(2024, 2, 1), D(2024, 3, 1));
	assert_int_equal(q.last_day - q.first_day + 1, ROLLING_DAYS);
}

static void test_months(void **state)
{
	static const struct {
		const char *text;
		int64_t first;
		unsigned n;
	} cases[] = {
		{ "2026-Q1", 2026 * 12 + 0, 3 },
		{ "2026-Q3", 2026 * 12 + 6, 3 },
		{ "2026-H2", 2026 * 12 + 6, 6 },
		{ "2026", 2026 * 12, 12 },
		{ "2026-11", 2026 * 12 + 10, 1 },
		{ "2026-11-30", 2026 * 12 + 10, 1 },
	};
	struct period p;
	int64_t first;
	unsigned n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(period_parse(cases[i].text, 0, &p), 0);
		period_months(&p, &first, &n);
		assert_int_equal(first, cases[i].first);
		assert_int_equal(n, cases[i].n);
	}
	/* 30 days ending 1 March 2026 touch January, February and March. */
	p = period_of_day(P_ROLLING, D(2026, 3, 1));
	assert_int_equal(p.first_day, D(2026, 1, 31));
	period_months(&p, &first, &n);
	assert_int_equal(first, 2026 * 12 + 0);
	assert_int_equal(n, 3);
	/* Across a year end. */
	p = period_of_day(P_ROLLING, D(2026, 1, 10));
	period_months(&p, &first, &n);
	assert_int_equal(first, 2025 * 12 + 11);
	assert_int_equal(n, 2);
}

static void test_spans(void **state)
{
	/* Each span in full: a row that once left days or prev.n unchecked checks them too. */
	const struct {
		const char *text;
		int64_t today;
		bool days;
		int64_t cur_first, prev_first, n;       /* n: of both spans */
	} cases[] = {
		{ "2026-Q1", 0, false, 2026 * 12, 2025 * 12, 3 },
		{ "2026-H2", 0, false, 2026 * 12 + 6, 2025 * 12 + 6, 6 },
		{ "2026", 0, false, 2026 * 12, 2025 * 12, 12 },
		{ "2026-03", 0, false, 2026 * 12 + 2, 2025 * 12 + 2, 1 },
		{ "2024-02-29", 0, true, D(2024, 2, 29), D(2023, 2, 28), 1 },
		{ "rolling", D(2026, 1, 10), true, D(2025, 12, 12), D(2024, 12, 12), ROLLING_DAYS },
	};
	struct period p;
	struct span cur, prev;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(period_parse(cases[i].text, cases[i].today, &p), 0);
		period_span(&p, &cur, &prev);
		assert_int_equal(cur.days, cases[i].days);
		assert_int_equal(cur.first, cases[i].cur_first);
		assert_int_equal(cur.n, cases[i].n);
		assert_int_equal(prev.days, cases[i].days);
		assert_int_equal(prev.first, cases[i].prev_first);
		assert_int_equal(prev.n, cases[i].n);
	}

	/* Either out-parameter may be NULL. */
	period_span(&p, NULL, &prev);
	period_span(&p, &cur, NULL);
	assert_int_equal(cur.first, D(2025, 12, 12));
}

static void test_keys(void **state)
{
	char buf[16];
	int64_t v = 42;

	(void)state;
	month_key(2026 * 12 + 2, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03");
	month_key(2025 * 12 + 11, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12");
	month_key(0, buf, sizeof(buf));
	assert_string_equal(buf, "0000-01");
	day_key(D(2026, 3, 5), buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-05");
	day_key(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01");
	day_key(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31");

	/* Round trips over many years. */
	for (int64_t m = 1900 * 12; m < 2200 * 12; m++) {
		month_key(m, buf, sizeof(buf));
		assert_int_equal(parse_month_key(buf, strlen(buf), &v), 0);
		assert_int_equal(v, m);
	}
	for (int64_t d = D(1900, 1, 1); d < D(2200, 1, 1); d += 7) {
		day_key(d, buf, sizeof(buf));
		assert_int_equal(parse_day_key(buf, strlen(buf), &v), 0);
		assert_int_equal(v, d);
	}
	assert_int_equal(parse_day_key("2024-02-29", 10, &v), 0);
	assert_int_equal(v, D(2024, 2, 29));
	/* Only len bytes count. */
	assert_int_equal(parse_month_key("2026-03-05", 7, &v), 0);
	assert_int_equal(v, 2026 * 12 + 2);

	v = 42;
	assert_int_equal(parse_month_key("2026-13", 7, &v), -EINVAL);
	assert_int_equal(parse_month_key("2026-00", 7, &v), -EINVAL);
	assert_int_equal(parse_month_key("2026-3", 6, &v), -EINVAL);
	assert_int_equal(parse_month_key("2026-03", 6, &v), -EINVAL);
	assert_int_equal(parse_month_key("2026/03", 7, &v), -EINVAL);
	assert_int_equal(parse_month_key("2026-0a", 7, &v), -EINVAL);
	assert_int_equal(parse_month_key("", 0, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-02-29", 10, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-03-32", 10, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-03-00", 10, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-03-5", 9, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-03-05", 7, &v), -EINVAL);
	assert_int_equal(parse_day_key("2026-03_05", 10, &v), -EINVAL);
	assert_int_equal(parse_day_key("+026-03-05", 10, &v), -EINVAL);
	assert_int_equal(v, 42);
}

/* Local midnights as stream ids: Europe/Stockholm's rule, across both DST switches. */
static void test_start_ms(void **state)
{
	struct tz *cet = NULL, *gap = NULL;
	struct period p;

	(void)state;
	const struct {
		enum period_kind kind;
		int64_t day, start_ms;
	} cases[] = {
		/* 2026-03-01 00:00 CET = 2026-02-28 23:00 UTC */
		{ P_MONTH, D(2026, 3, 15), INT64_C(1772319600000) },
		/* after the spring switch: 2026-04-01 00:00 CEST = 2026-03-31 22:00 UTC */
		{ P_MONTH, D(2026, 4, 30), INT64_C(1774994400000) },
		/* after the autumn switch: 2025-11-01 00:00 CET */
		{ P_MONTH, D(2025, 11, 1), INT64_C(1761951600000) },
		/* a quarter, half and year start with their first month */
		{ P_QUARTER, D(2026, 2, 10), INT64_C(1767222000000) },
		{ P_HALF, D(2026, 5, 10), INT64_C(1767222000000) },
		{ P_YEAR, D(2026, 12, 31), INT64_C(1767222000000) },
		{ P_QUARTER, D(2025, 12, 31), INT64_C(1759269600000) },
	};

	assert_int_equal(tz_load("Europe/Stockholm", &cet), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = period_of_day(cases[i].kind, cases[i].day);
		assert_true(period_start_ms(&p, cet) == cases[i].start_ms);
	}
	/* the start of the day after the last is the end: 2026-04-01 00:00 CEST */
	assert_true(day_start_utc(cet, D(2026, 4, 1)) == INT64_C(1774994400));

	/* A zone switching at 00:00 (Havana: UTC-5 to UTC-4 on the second Sunday
	 * of March): that day's midnight does not exist; the day starts at 01:00. */
	assert_int_equal(tz_load("America/Havana", &gap), 0);
	assert_true(day_start_utc(gap, D(2026, 3, 8)) == days_from_civil(2026, 3, 8) * 86400 + 5 * 3600);
	assert_true(day_start_utc(gap, D(2026, 3, 7)) == days_from_civil(2026, 3, 7) * 86400 + 5 * 3600);
	assert_true(day_start_utc(gap, D(2026, 3, 9)) == days_from_civil(2026, 3, 9) * 86400 + 4 * 3600);
	tz_free(cet);
	tz_free(gap);
}

/* A period is closed at its end (local midnight after its last day) plus the grace. */
static void test_closed(void **state)
{
	const int64_t grace = 2 * 86400;
	/* 2026-04-03 00:00 CEST: March (and Q1) end + 2 days */
	const int64_t due = INT64_C(1775167200);
	struct tz *cet = NULL;
	struct period mar, q1, h1, y, apr, day, roll;

	(void)state;
	assert_int_equal(tz_load("Europe/Stockholm", &cet), 0);
	mar = period_of_day(P_MONTH, D(2026, 3, 1));
	q1 = period_of_day(P_QUARTER, D(2026, 3, 1));
	h1 = period_of_day(P_HALF, D(2026, 3, 1));
	y = period_of_day(P_YEAR, D(2026, 3, 1));
	apr = period_of_day(P_MONTH, D(2026, 4, 1));
	day = period_of_day(P_DAY, D(2026, 3, 31));
	roll = period_of_day(P_ROLLING, D(2026, 3, 1));

	assert_false(period_closed(&mar, cet, grace, due - 1));
	assert_true(period_closed(&mar, cet, grace, due));
	assert_true(period_closed(&mar, cet, grace, due + 86400 * 400));
	assert_false(period_closed(&q1, cet, grace, due - 1));
	assert_true(period_closed(&q1, cet, grace, due));
	assert_false(period_closed(&h1, cet, grace, due));
	assert_false(period_closed(&y, cet, grace, due));
	assert_false(period_closed(&apr, cet, grace, due));
	/* H1 closes 2026-07-03 00:00 CEST, the year on 2027-01-03 00:00 CET */
	assert_false(period_closed(&h1, cet, grace, INT64_C(1783029600) - 1));
	assert_true(period_closed(&h1, cet, grace, INT64_C(1783029600)));
	assert_true(period_closed(&y, cet, grace, days_from_civil(2027, 1, 3) * 86400 - 3600));
	assert_false(period_closed(&y, cet, grace, days_from_civil(2027, 1, 3) * 86400 - 3601));
	/* without grace: at the end itself; a negative grace counts as none */
	assert_false(period_closed(&mar, cet, 0, INT64_C(1774994400) - 1));
	assert_true(period_closed(&mar, cet, 0, INT64_C(1774994400)));
	assert_true(period_closed(&mar, cet, -5, INT64_C(1774994400)));
	assert_true(period_closed(&day, cet, 0, INT64_C(1774994400)));
	/* rolling moves with today: never closed */
	assert_false(period_closed(&roll, cet, 0, due + 86400 * 400));
	tz_free(cet);
}

/*
 * Every period closed between two refreshes (issue 16 item 8): the months
 * closed in (prev, now], checked against period_closed for every month,
 * quarter, half and year around a jump over several of them.
 */
static void check_months_closed(const struct tz *tz, int64_t grace, int64_t prev, int64_t now)
{
	static const enum period_kind kinds[] = { P_MONTH, P_QUARTER, P_HALF, P_YEAR };
	int64_t first = 0, m;
	unsigned n = 99;

	period_months_closed(tz, grace, prev, now, 1000, &first, &n);
	for (m = month_of_day(D(2024, 1, 1)); m < month_of_day(D(2029, 1, 1)); m++)
		for (size_t k = 0; k < 4; k++) {
			struct period p = period_of_day(kinds[k], month_first_day(m));
			bool closed_between = period_closed(&p, tz, grace, now) &&
			    !period_closed(&p, tz, grace, prev);
			/* a period closes with its last month */
			bool named = n > 0 && month_of_day(p.last_day) >= first &&
			    month_of_day(p.last_day) < first + (int64_t)n;

			if (closed_between != named)
				fail_msg("prev %lld now %lld kind %d month %lld: closed %d, named %d",
				    (long long)prev, (long long)now, (int)kinds[k], (long long)m,
				    closed_between, named);
		}
}

static void test_months_closed(void **state)
{
	const int64_t grace = 2 * 86400;
	/* 2026-04-03 00:00 CEST: March (and Q1) end + 2 days */
	const int64_t due = INT64_C(1775167200);
	struct tz *cet = NULL;
	int64_t first = 0;
	unsigned n = 99;

	(void)state;
	assert_int_equal(tz_load("Europe/Stockholm", &cet), 0);
	/* a refresh 10 minutes after the last one, across March's close */
	period_months_closed(cet, grace, due - 600, due, 100, &first, &n);
	assert_int_equal(n, 1);
	assert_int_equal(first, month_of_day(D(2026, 3, 1)));
	/* nothing closed in between */
	period_months_closed(cet, grace, due, due + 600, 100, &first, &n);
	assert_int_equal(n, 0);
	/* a calendar jump from mid-January to mid-August: January .. July,
	 * so Q1, Q2 and H1 with them */
	period_months_closed(cet, grace, days_from_civil(2026, 1, 15) * 86400,
	    days_from_civil(2026, 8, 15) * 86400, 100, &first, &n);
	assert_int_equal(first, month_of_day(D(2025, 12, 1)) + 1);
	assert_int_equal(n, 7);
	/* a clock set back closes nothing */
	period_months_closed(cet, grace, due, due - 86400 * 90, 100, &first, &n);
	assert_int_equal(n, 0);
	/* a jump of years keeps the latest cap months */
	period_months_closed(cet, grace, days_from_civil(2020, 5, 10) * 86400, due, 24, &first, &n);
	assert_int_equal(n, 24);
	assert_int_equal(first + 23, month_of_day(D(2026, 3, 1)));
	/* exact against period_closed, at and around the closes */
	check_months_closed(cet, grace, due - 1, due);
	check_months_closed(cet, grace, due, due + 1);
	check_months_closed(cet, grace, days_from_civil(2025, 11, 20) * 86400,
	    days_from_civil(2027, 2, 1) * 86400);
	check_months_closed(cet, 0, days_from_civil(2025, 12, 31) * 86400 - 3601,
	    days_from_civil(2026, 6, 30) * 86400 + 22 * 3600);
	check_months_closed(cet, 0, INT64_C(1783029600) - 7200 - 1, INT64_C(1783029600) - 7200);
	check_months_closed(cet, 5 * 86400, days_from_civil(2026, 2, 3) * 86400,
	    days_from_civil(2028, 10, 6) * 86400);
	tz_free(cet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_name_buffer),
		cmocka_unit_test(test_of_day),
		cmocka_unit_test(test_previous_year),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_start_ms),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_months_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
