/*
 * test_report.c — report.c: what counts as "without data" (report_no_data)
 * and the overview wording shared by the summary mail, the dashboard and
 * teleqctl report (report_fmt_overview, report_fmt_period).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "indicator.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"

static struct period
P(const char *name)
{
	struct period p;

	assert_int_equal(period_parse(name, days_from_civil(2026, 12, 6), &p), 0);
	return p;
}

/* Without data means no value (hence not judged); too few cases still has data. */
static void
test_no_data(void **state)
{
	struct outcome none = { .met = -1 };
	struct outcome small = { .num = 4, .den = 5, .value = 0.8, .has_value = true, .met = -1 };
	struct outcome met = { .num = 5, .den = 6, .value = 0.83, .has_value = true, .met = 1 };
	struct outcome missed = { .num = 1, .den = 6, .value = 0.17, .has_value = true, .met = 0 };
	struct outcome pending = { .pending = 3, .met = -1 };  /* deadline: nothing decided yet */

	(void)state;
	assert_true(report_no_data(&none));
	assert_true(report_no_data(&pending));
	assert_false(report_no_data(&small));
	assert_false(report_no_data(&met));
	assert_false(report_no_data(&missed));
}

static void
test_period_words(void **state)
{
	static const struct {
		const char *period, *words;
	} cases[] = {
		{ "2026-11", "november 2026" },
		{ "2026-Q1", "kvartal 1 2026" },
		{ "2026-H2", "andra halvåret 2026" },
		{ "rolling", "de senaste 30 dagarna" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct period p = P(cases[i].period);

		report_fmt_period(buf, sizeof(buf), &p);
		assert_string_equal(buf, cases[i].words);
	}
}

static void
test_overview(void **state)
{
	struct period nov = P("2026-11");
	char buf[128];

	(void)state;
	assert_false(report_fmt_overview(buf, sizeof(buf), &nov, 12, 3, 9));
	assert_string_equal(buf, "3 av 12 indikatorer under målet, 9 utan underlag");
	assert_false(report_fmt_overview(buf, sizeof(buf), &nov, 12, 3, 0));
	assert_string_equal(buf, "3 av 12 indikatorer under målet");
	/* The month of the issue: twelve indicators, none with data: no all-clear. */
	assert_true(report_fmt_overview(buf, sizeof(buf), &nov, 12, 0, 12));
	assert_string_equal(buf, "Inga data för november 2026");
	assert_false(report_fmt_overview(buf, sizeof(buf), &nov, 12, 0, 11));
	assert_string_equal(buf, "0 av 12 indikatorer under målet, 11 utan underlag");
	/* No indicators at all is not "no data". */
	assert_false(report_fmt_overview(buf, sizeof(buf), &nov, 0, 0, 0));
	assert_string_equal(buf, "0 av 0 indikatorer under målet");
}

/* compute_report over empty tables: every indicator is without data. */
static void
test_report_empty_month(void **state)
{
	struct indicator ind[2] = {
		{ .name = "a", .kind = IND_RATIO, .target = 0.5, .cmp = CMP_GE, .min_denominator = 1 },
		{ .name = "b", .kind = IND_RATIO, .target = 0.5, .cmp = CMP_GE, .min_denominator = 1 },
	};
	struct config cfg = { .nindicators = 2, .indicators = ind };
	struct period nov = P("2026-11");
	struct report rep = { 0 };
	struct ind_table cur = { 0 }, prev = { 0 };

	(void)state;
	assert_int_equal(report_init(&rep, &cfg, &nov, days_from_civil(2026, 12, 6)), 0);
	assert_int_equal(ind_table_init(&cur, 2), 0);
	assert_int_equal(ind_table_init(&prev, 2), 0);
	compute_report(&cfg, &cur, &prev, NULL, &rep);
	assert_true(report_no_data(&rep.r[0].cur));
	assert_true(report_no_data(&rep.r[1].cur));
	/* One month with a decided case in "a": it has data, "b" still none. */
	{
		struct ind_sums *s = ind_table_month(&cur, 2, 2026 * 12 + 10);

		assert_non_null(s);
		s[0].num = 1;
		s[0].den = 2;
	}
	compute_report(&cfg, &cur, &prev, NULL, &rep);
	assert_false(report_no_data(&rep.r[0].cur));
	assert_true(report_no_data(&rep.r[1].cur));
	ind_table_done(&cur);
	ind_table_done(&prev);
	report_done(&rep);
}

/*
 * Issue 18: one percent and minus style everywhere (teleqctl, the mail,
 * the page): U+2212 MINUS SIGN and a space before "%", "+" only where a
 * sign is asked for, never "-0 %"; a target alike ("−12,5 %").
 */
#define MINUS "\xE2\x88\x92"
static void
test_signed_percent(void **state)
{
	static const struct {
		double v;
		bool sign;
		const char *want;
	} pct[] = {
		{ -0.05, true, MINUS "5 %" }, { -0.05, false, MINUS "5 %" }, { 0.25, true, "+25 %" },
		{ 0.25, false, "25 %" }, { -0.004, true, "0 %" }, { 0.0, true, "0 %" },
		{ -0.005, true, MINUS "1 %" }, { -1.0, false, MINUS "100 %" }, { 0.7633, false, "76 %" },
	};
	static const struct {
		double v;
		const char *want;
	} tgt[] = {
		{ 0.55, "55 %" }, { 0.125, "12,5 %" }, { -0.03, MINUS "3 %" }, { -0.125, MINUS "12,5 %" },
		{ -0.00001, "0 %" }, { 0.0, "0 %" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		report_fmt_percent(buf, sizeof(buf), pct[i].v, pct[i].sign);
		assert_string_equal(buf, pct[i].want);
	}
	for (size_t i = 0; i < sizeof(tgt) / sizeof(tgt[0]); i++) {
		report_fmt_target(buf, sizeof(buf), tgt[i].v);
		assert_string_equal(buf, tgt[i].want);
	}
	/* not a number: a dash, as for a missing value */
	report_fmt_percent(buf, sizeof(buf), NAN, true);
	assert_string_equal(buf, "\xE2\x80\x93");
	report_fmt_target(buf, sizeof(buf), INFINITY);
	assert_string_equal(buf, "\xE2\x80\x93");
}

/* report_rows_have_deadline: only a counted row of a deadline indicator counts. */
static void
test_rows_have_deadline(void **state)
{
	struct indicator inds[2] = { { .name = (char *)"r", .kind = IND_RATIO },
	                             { .name = (char *)"d", .kind = IND_DEADLINE } };
	struct config cfg = { .indicators = inds, .nindicators = 2 };
	struct report_row ratio_only[] = { { RROW_HEADING, 0, "H" }, { RROW_COUNTED, 0, NULL },
	                                   { RROW_MANUAL, 1, NULL } };
	struct report_row with_deadline[] = { { RROW_COUNTED, 0, NULL }, { RROW_COUNTED, 1, NULL } };

	(void)state;
	assert_false(report_rows_have_deadline(&cfg, ratio_only, 3));
	assert_true(report_rows_have_deadline(&cfg, with_deadline, 2));
	assert_false(report_rows_have_deadline(&cfg, with_deadline, 1));
	assert_false(report_rows_have_deadline(&cfg, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_data),
		cmocka_unit_test(test_period_words),
		cmocka_unit_test(test_overview),
		cmocka_unit_test(test_report_empty_month),
		cmocka_unit_test(test_signed_percent),
		cmocka_unit_test(test_rows_have_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
