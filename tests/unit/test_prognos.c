/*
 * test_prognos.c — prognos.c: the projection of a running period's final
 * value (months so far, the current one scaled to a whole month, and the
 * months to come at the average of the last three with data).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indicator.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"

#include "fixture_config.h"

#define EPS 1e-9

static const struct indicator pooled = { .name = "p", .kind = IND_RATIO, .combine = COMBINE_POOLED };
static const struct indicator mean = { .name = "m", .kind = IND_RATIO, .combine = COMBINE_MEAN_OF_MONTHS };
static const struct indicator growth = { .name = "g", .kind = IND_GROWTH };
static const struct indicator deadline = { .name = "d", .kind = IND_DEADLINE };

/* Q1 on 14 February: January whole, February half gone, March to come. */
static void
test_pooled(void **state)
{
	struct ind_sums m[2] = { { 50, 100, 0, 0 }, { 30, 50, 0, 0 } };
	struct prognos pr;

	(void)state;
	assert_int_equal(prognos_project(&pooled, m, 2, 0.5, 3, 0, &pr), 0);
	assert_true(pr.has_value);
	/* February scaled to 60 of 100; March at the mean 55 of 100: 165 of 300 */
	assert_float_equal(pr.value, 165.0 / 300.0, EPS);
	assert_int_equal(pr.nsofar, 2);
	assert_int_equal(pr.nleft, 1);
	/* a deadline indicator projects met of decided the same way; pending plays no part */
	m[1].pending = 40;
	assert_int_equal(prognos_project(&deadline, m, 2, 0.5, 3, 0, &pr), 0);
	assert_float_equal(pr.value, 165.0 / 300.0, EPS);
}

/* Only the last three months with data make the average. */
static void
test_trailing_three(void **state)
{
	struct ind_sums m[5] = { { 10, 100, 0, 0 }, { 20, 100, 0, 0 }, { 30, 100, 0, 0 },
	                         { 40, 100, 0, 0 }, { 50, 100, 0, 0 } };
	struct prognos pr;

	(void)state;
	assert_int_equal(prognos_project(&pooled, m, 5, 1.0, 12, 0, &pr), 0);
	assert_float_equal(pr.value, (150.0 + 7 * 40.0) / 1200.0, EPS);
	assert_int_equal(pr.nleft, 7);
	/* a month without cases is zero so far, and no part of the average */
	m[4] = (struct ind_sums){ 0 };
	assert_int_equal(prognos_project(&pooled, m, 5, 1.0, 12, 0, &pr), 0);
	assert_float_equal(pr.value, (100.0 + 7 * 30.0) / (400.0 + 7 * 100.0), EPS);
}

/* Mean of months: the monthly ratios (not scaled), the months to come at their trailing mean. */
static void
test_mean_of_months(void **state)
{
	struct ind_sums m[2] = { { 90, 100, 0, 0 }, { 73, 100, 0, 0 } };
	struct prognos pr;
	double t = (0.90 + 0.73) / 2;

	(void)state;
	assert_int_equal(prognos_project(&mean, m, 2, 0.25, 3, 0, &pr), 0);
	assert_true(pr.has_value);
	assert_float_equal(pr.value, (0.90 + 0.73 + t) / 3, EPS);
	/* the last month of the period: nothing to come, the mean so far */
	struct ind_sums q[3] = { { 90, 100, 0, 0 }, { 219, 300, 0, 0 }, { 132, 200, 0, 0 } };
	assert_int_equal(prognos_project(&mean, q, 3, 0.5, 3, 0, &pr), 0);
	assert_float_equal(pr.value, (0.90 + 0.73 + 0.66) / 3, EPS);
	assert_int_equal(pr.nleft, 0);
}

/* Growth: the projected count against the whole same period one year earlier. */
static void
test_growth(void **state)
{
	struct ind_sums m[2] = { { 100, 0, 0, 0 }, { 40, 0, 0, 0 } };
	struct prognos pr;

	(void)state;
	/* February 40 at half the month: 80; March at (100 + 80) / 2 = 90; 270 against 250 */
	assert_int_equal(prognos_project(&growth, m, 2, 0.5, 3, 250, &pr), 0);
	assert_true(pr.has_value);
	assert_float_equal(pr.value, 270.0 / 250.0 - 1, EPS);
	/* nothing to compare with: no value */
	assert_int_equal(prognos_project(&growth, m, 2, 0.5, 3, 0, &pr), 0);
	assert_false(pr.has_value);
}

static void
test_no_data_and_bad_args(void **state)
{
	struct ind_sums m[2] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	struct prognos pr = { .value = 42 }, keep;

	(void)state;
	assert_int_equal(prognos_project(&pooled, m, 2, 0.5, 3, 0, &pr), 0);
	assert_false(pr.has_value);
	assert_int_equal(prognos_project(&mean, m, 2, 0.5, 3, 0, &pr), 0);
	assert_false(pr.has_value);
	keep = pr;
	assert_int_equal(prognos_project(&pooled, m, 0, 0.5, 3, 0, &pr), -EINVAL);
	assert_int_equal(prognos_project(&pooled, m, 2, 0.5, 1, 0, &pr), -EINVAL);
	assert_int_equal(prognos_project(&pooled, m, 2, 0.0, 3, 0, &pr), -EINVAL);
	assert_int_equal(prognos_project(&pooled, m, 2, 1.5, 3, 0, &pr), -EINVAL);
	assert_int_equal(prognos_project(&pooled, m, 2, 0.5, 13, 0, &pr), -EINVAL);
	assert_int_equal(prognos_project(&pooled, NULL, 2, 0.5, 3, 0, &pr), -EINVAL);
	assert_memory_equal(&pr, &keep, sizeof(pr));
}

static struct period
P(const char *name, int64_t today)
{
	struct period p;

	assert_int_equal(period_parse(name, today, &p), 0);
	return p;
}

static bool
run(const char *name, int64_t today)
{
	struct period p = P(name, days_from_civil(2026, 2, 14));

	return prognos_running(&p, today);
}

static void
test_running(void **state)
{
	int64_t feb14 = days_from_civil(2026, 2, 14);

	(void)state;
	assert_true(run("2026-Q1", feb14));
	assert_true(run("2026", feb14));
	assert_true(run("2026-02", feb14));
	assert_false(run("2026-01", feb14));
	assert_false(run("2026-Q2", feb14));
	assert_false(run("2026-Q1", days_from_civil(2026, 4, 1)));
	assert_false(run("rolling", feb14));
	assert_false(run("2026-02-14", feb14));
}

/* From a report's table: a month without counters has no bucket and is zero. */
static void
test_of_table(void **state)
{
	struct config cfg = fixture_config();
	struct ind_table t = { 0 };
	struct period q;
	struct prognos pr;
	int64_t mar16 = days_from_civil(2026, 3, 16);   /* 16 of 31 days */
	int64_t jan = 2026 * 12 + 0, mar = jan + 2;
	size_t n = cfg.nindicators;

	(void)state;
	q = P("2026-Q1", mar16);
	assert_int_equal(ind_table_init(&t, n), 0);
	ind_table_month(&t, n, jan)[IND_DIGITAL] = (struct ind_sums){ 40, 80, 0, 0 };
	ind_table_month(&t, n, mar)[IND_DIGITAL] = (struct ind_sums){ 16, 32, 0, 0 };
	assert_int_equal(prognos_of_table(&cfg, IND_DIGITAL, &t, &q, mar16, 0, &pr), 0);
	assert_true(pr.has_value);
	/* March scaled by 31/16 to 31 of 62; nothing to come: 71 of 142 */
	assert_float_equal(pr.value, 71.0 / 142.0, EPS);
	assert_int_equal(pr.nsofar, 3);
	assert_int_equal(pr.nleft, 0);
	/* a closed period has no prognosis */
	assert_int_equal(prognos_of_table(&cfg, IND_DIGITAL, &t, &q, days_from_civil(2026, 4, 2), 0, &pr), 0);
	assert_false(pr.has_value);
	ind_table_done(&t);
}

/* The report carries the prognosis of a running period, and its JSON says so; a closed one not. */
static void
test_report_json(void **state)
{
	struct config cfg = fixture_config();
	struct ind_table cur = { 0 }, prev = { 0 };
	struct report rep = { 0 };
	struct period q;
	int64_t feb14 = days_from_civil(2026, 2, 14), jan = 2026 * 12;
	size_t n = cfg.nindicators;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	q = P("2026-Q1", feb14);
	assert_int_equal(report_init(&rep, &cfg, &q, feb14), 0);
	assert_int_equal(ind_table_init(&cur, n), 0);
	assert_int_equal(ind_table_init(&prev, n), 0);
	ind_table_month(&cur, n, jan)[IND_DIGITAL] = (struct ind_sums){ 50, 100, 0, 0 };
	ind_table_month(&cur, n, jan + 1)[IND_DIGITAL] = (struct ind_sums){ 30, 50, 0, 0 };
	compute_report(&cfg, &cur, &prev, NULL, &rep);
	assert_true(rep.r[IND_DIGITAL].proj.has_value);
	assert_float_equal(rep.r[IND_DIGITAL].proj.value, 165.0 / 300.0, EPS);
	assert_false(rep.r[IND_TELEQ].proj.has_value);         /* no data: nothing to project */
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	report_json(f, &cfg, &rep);
	fclose(f);
	assert_non_null(strstr(buf, "\"projection\": 0.55}"));
	assert_non_null(strstr(buf, "\"projection\": null}"));
	free(buf);
	buf = NULL;
	report_done(&rep);

	/* the same figures for a closed period: no projection member at all */
	assert_int_equal(report_init(&rep, &cfg, &q, days_from_civil(2026, 4, 2)), 0);
	compute_report(&cfg, &cur, &prev, NULL, &rep);
	assert_false(rep.r[IND_DIGITAL].proj.has_value);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	report_json(f, &cfg, &rep);
	fclose(f);
	assert_null(strstr(buf, "projection"));
	free(buf);
	report_done(&rep);
	ind_table_done(&prev);
	ind_table_done(&cur);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooled),
		cmocka_unit_test(test_trailing_three),
		cmocka_unit_test(test_mean_of_months),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_no_data_and_bad_args),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_of_table),
		cmocka_unit_test(test_report_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
