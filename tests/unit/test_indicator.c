/*
 * test_indicator.c — the committee's own figures through ind_outcome(),
 * target_met() and ind_accumulate().
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "indicator.h"
#include "tq_config.h"
#include "fixture_config.h"

/* A value as judged and printed: whole 1/10000 units. */
static long
units4(double v)
{
	return lround(v * 10000.0);
}

/*
 * An outcome with a value: numerator, denominator, the value in units of
 * 1e-4 and met (a macro, so a failure names the caller's line).
 */
#define assert_outcome(o, want_num, want_den, want_units4, want_met) \
	do { \
		assert_true((o).has_value); \
		assert_int_equal((o).num, want_num); \
		assert_int_equal((o).den, want_den); \
		assert_int_equal(units4((o).value), want_units4); \
		assert_int_equal((o).met, want_met); \
	} while (0)

/* TeleQ Q1 2026: 90 %, 73 %, 66 % -> mean 76 % (met), pooled 73.5 % (missed). */
static void
test_teleq_mean_of_months(void **state)
{
	struct config cfg = fixture_config();
	struct indicator mean = cfg.indicators[IND_TELEQ], pooled = mean;
	const struct ind_sums q1[] = { { 90, 100, 0, 0 }, { 219, 300, 0, 0 }, { 132, 200, 0, 0 } };
	struct outcome o, p;

	(void)state;
	ind_outcome(&mean, q1, NULL, 3, &o);
	assert_outcome(o, 441, 600, 7633, 1);
	assert_int_equal(o.nmonths, 3);

	pooled.combine = COMBINE_POOLED;
	ind_outcome(&pooled, q1, NULL, 3, &p);
	assert_outcome(p, 441, 600, 7350, 0);

	/* The aggregation rule is what decides the goal here. */
	assert_true(o.value > p.value);
	assert_int_not_equal(o.met, p.met);
}

/* A month without calls does not count in the mean (and is not a 0 %). */
static void
test_mean_skips_empty_months(void **state)
{
	struct config cfg = fixture_config();
	const struct ind_sums m[] = { { 90, 100, 0, 0 }, { 0, 0, 0, 0 }, { 66, 100, 0, 0 } };
	struct outcome o;

	(void)state;
	ind_outcome(&cfg.indicators[IND_TELEQ], m, NULL, 3, &o);
	assert_outcome(o, 156, 200, 7800, 1);
	assert_int_equal(o.nmonths, 2);
}

/* Digitala patientkontakter Q1 2026: 265 of 513 = 52 %, missed; Q1 2025: 200 of 409 = 49 %. */
static void
test_digital_pooled(void **state)
{
	struct config cfg = fixture_config();
	const struct indicator *ind = &cfg.indicators[IND_DIGITAL];
	/* Split over months so pooling is exercised, not one bucket. */
	const struct ind_sums q1[] = { { 80, 170, 0, 0 }, { 95, 171, 0, 0 }, { 90, 172, 0, 0 } };
	const struct ind_sums q1_prev[] = { { 60, 130, 0, 0 }, { 70, 140, 0, 0 }, { 70, 139, 0, 0 } };
	struct outcome o, prev;

	(void)state;
	ind_outcome(ind, q1, NULL, 3, &o);
	assert_outcome(o, 265, 513, 5166, 0);

	ind_outcome(ind, q1_prev, NULL, 3, &prev);
	assert_outcome(prev, 200, 409, 4890, 0);
}

/* Growth: 513 cases against 409 a year earlier = +25.4 %, met for > 5 %. */
static void
test_growth(void **state)
{
	struct config cfg = fixture_config();
	const struct indicator *ind = &cfg.indicators[IND_GROWTH_CASES];
	const struct ind_sums cur[] = { { 170, 0, 0, 0 }, { 171, 0, 0, 0 }, { 172, 0, 0, 0 } };
	const struct ind_sums prev[] = { { 130, 0, 0, 0 }, { 140, 0, 0, 0 }, { 139, 0, 0, 0 } };
	const struct ind_sums zero[] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	const struct ind_sums flat[] = { { 409, 0, 0, 0 } }, fewer[] = { { 400, 0, 0, 0 } };
	struct outcome o;

	(void)state;
	ind_outcome(ind, cur, prev, 3, &o);
	assert_outcome(o, 513, 409, 2543, 1);

	/* Nothing a year earlier: no growth figure, nothing judged. */
	ind_outcome(ind, cur, zero, 3, &o);
	assert_false(o.has_value);
	assert_int_equal(o.met, -1);
	assert_int_equal(o.den, 0);
	ind_outcome(ind, cur, NULL, 3, &o);
	assert_false(o.has_value);
	assert_int_equal(o.met, -1);

	/* A small previous period is shown but not judged. */
	{
		struct indicator small = *ind;
		const struct ind_sums seven[] = { { 7, 0, 0, 0 } }, five[] = { { 5, 0, 0, 0 } };

		small.min_denominator = 20;
		ind_outcome(&small, seven, five, 1, &o);
		assert_true(o.has_value);
		assert_int_equal(units4(o.value), 4000);
		assert_int_equal(o.met, -1);
		ind_outcome(&small, cur, prev, 3, &o);
		assert_int_equal(o.met, 1);
	}

	/* Decline is a negative value. */
	ind_outcome(ind, fewer, flat, 1, &o);
	assert_true(o.has_value);
	assert_int_equal(units4(o.value), -220);
	assert_int_equal(o.met, 0);
}

/* Denominator 0: no value, not judged, for both combine rules. */
static void
test_den_zero(void **state)
{
	struct config cfg = fixture_config();
	const struct ind_sums none[] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	struct outcome o;

	(void)state;
	ind_outcome(&cfg.indicators[IND_DIGITAL], none, NULL, 2, &o);
	assert_false(o.has_value);
	assert_int_equal(o.met, -1);
	ind_outcome(&cfg.indicators[IND_TELEQ], none, NULL, 2, &o);
	assert_false(o.has_value);
	assert_int_equal(o.met, -1);
	assert_int_equal(o.nmonths, 0);
	/* No months at all. */
	ind_outcome(&cfg.indicators[IND_DIGITAL], none, NULL, 0, &o);
	assert_false(o.has_value);
	assert_int_equal(o.met, -1);
}

/* Below min_denominator a value is shown but not judged; at it, it is judged. */
static void
test_min_denominator(void **state)
{
	struct config cfg = fixture_config();
	struct indicator ind = cfg.indicators[IND_DIGITAL];
	const struct ind_sums m[] = { { 265, 513, 0, 0 } };
	const struct ind_sums few[] = { { 4, 5, 0, 0 } };
	struct outcome o;

	(void)state;
	ind.min_denominator = 514;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_true(o.has_value);
	assert_int_equal(units4(o.value), 5166);
	assert_int_equal(o.met, -1);

	ind.min_denominator = 513;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_int_equal(o.met, 0);

	/* 80 % would meet the target, but 5 cases are noise. */
	ind.min_denominator = 30;
	ind_outcome(&ind, few, NULL, 1, &o);
	assert_true(o.has_value);
	assert_int_equal(o.met, -1);
	ind.min_denominator = 5;
	ind_outcome(&ind, few, NULL, 1, &o);
	assert_int_equal(o.met, 1);
}

/* All four operators, at the boundary after rounding to four decimals. */
static void
test_cmp_boundary(void **state)
{
	double exact = 11.0 / 20.0;     /* 0.55 computed, as from counts */
	double below = 0.550049;        /* rounds to 0.5500 */
	double above = 0.550051;        /* rounds to 0.5501 */
	double under = 0.549951;        /* rounds to 0.5500 */
	double lower = 0.549949;        /* rounds to 0.5499 */

	(void)state;
	assert_true(target_met(CMP_GE, 0.55, exact));
	assert_false(target_met(CMP_GT, 0.55, exact));
	assert_true(target_met(CMP_LE, 0.55, exact));
	assert_false(target_met(CMP_LT, 0.55, exact));

	/* Equal once rounded, from either side. */
	for (int k = 0; k < 2; k++) {
		double v = k ? below : under;

		assert_true(target_met(CMP_GE, 0.55, v));
		assert_false(target_met(CMP_GT, 0.55, v));
		assert_true(target_met(CMP_LE, 0.55, v));
		assert_false(target_met(CMP_LT, 0.55, v));
	}
	assert_true(target_met(CMP_GE, 0.55, above));
	assert_true(target_met(CMP_GT, 0.55, above));
	assert_false(target_met(CMP_LE, 0.55, above));
	assert_false(target_met(CMP_LT, 0.55, above));

	assert_false(target_met(CMP_GE, 0.55, lower));
	assert_false(target_met(CMP_GT, 0.55, lower));
	assert_true(target_met(CMP_LE, 0.55, lower));
	assert_true(target_met(CMP_LT, 0.55, lower));

	/* Classic binary trap: 0.1 + 0.2 is not 0.3 in doubles, but is after rounding. */
	assert_true(target_met(CMP_LE, 0.3, 0.1 + 0.2));
	assert_true(target_met(CMP_GE, 0.3, 0.1 + 0.2));
	/* Negative values (growth) round half away from zero too. */
	assert_true(target_met(CMP_GE, -0.05, -0.050049));
	assert_false(target_met(CMP_GE, -0.05, -0.050051));

	assert_false(target_met(CMP_GE, 0.55, NAN));
	assert_false(target_met(CMP_LE, 0.55, INFINITY));
	assert_false(target_met((enum cmp)42, 0.55, 0.6));

	assert_string_equal(cmp_symbol(CMP_GE), ">=");
	assert_string_equal(cmp_symbol(CMP_GT), ">");
	assert_string_equal(cmp_symbol(CMP_LE), "<=");
	assert_string_equal(cmp_symbol(CMP_LT), "<");
	assert_string_equal(cmp_symbol((enum cmp)42), "?");
}

/* The same boundary through ind_outcome: 11 of 20 meets ">= 55 %", not "> 55 %". */
static void
test_outcome_boundary(void **state)
{
	struct config cfg = fixture_config();
	struct indicator ind = cfg.indicators[IND_DIGITAL];
	const struct ind_sums m[] = { { 11, 20, 0, 0 } };
	struct outcome o;

	(void)state;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_int_equal(o.met, 1);
	ind.cmp = CMP_GT;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_int_equal(o.met, 0);
	ind.cmp = CMP_LE;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_int_equal(o.met, 1);
	ind.cmp = CMP_LT;
	ind_outcome(&ind, m, NULL, 1, &o);
	assert_int_equal(o.met, 0);
}

/* Counter fields of one month hash into per-indicator sums. */
static void
test_accumulate(void **state)
{
	struct config cfg = fixture_config();
	struct ind_sums s[3];
	static const struct {
		const char *field;
		int64_t n;
	} hash[] = {
		{ "case.new|channel=1177|party=patient|type=patientarende", 200 },
		{ "case.new|channel=1177|party=relative", 65 },
		{ "case.new|channel=phone|party=patient", 180 },
		{ "case.new|channel=letter|party=relative", 68 },
		{ "case.new|channel=1177|party=provider", 40 },  /* not a patient contact */
		{ "case.new|channel=1177", 7 },                  /* party missing: nowhere */
		{ "case.new|channel=fax|party=patient", 9 },     /* unknown value: nowhere */
		{ "case.closed|party=patient", 11 },             /* unknown event: nowhere */
		{ "case.new|party=patient|region=halland", 13 }, /* unknown dimension */
		{ "case.new|party", 17 },                        /* malformed */
		{ "call.booked|channel=phone|party=patient", 90 },
		{ "call.offered|channel=phone|party=patient", 100 },
	};

	(void)state;
	memset(s, 0, sizeof(s));
	for (size_t k = 0; k < sizeof(hash) / sizeof(hash[0]); k++)
		ind_accumulate(&cfg, hash[k].field, strlen(hash[k].field), hash[k].n, s);
	assert_int_equal(s[IND_DIGITAL].num, 265);
	assert_int_equal(s[IND_DIGITAL].den, 513);
	assert_int_equal(s[IND_TELEQ].num, 90);
	assert_int_equal(s[IND_TELEQ].den, 100);
	/* Growth counts its numerator only. */
	assert_int_equal(s[IND_GROWTH_CASES].num, 513);
	assert_int_equal(s[IND_GROWTH_CASES].den, 0);

	/* Only flen bytes are read: the field need not be NUL-terminated. */
	memset(s, 0, sizeof(s));
	ind_accumulate(&cfg, "call.bookedXYZ", 11, 5, s);
	assert_int_equal(s[IND_TELEQ].num, 5);

	/* Sums saturate instead of overflowing. */
	s[IND_TELEQ].num = INT64_MAX - 1;
	ind_accumulate(&cfg, "call.booked", 11, 5, s);
	assert_true(s[IND_TELEQ].num == INT64_MAX);
}

/*
 * A deadline indicator's month counters: met in num and den, missed in
 * den, pending and extended (cases with a postponement) apart; fields of
 * another indicator or of an unknown kind count nowhere.
 */
static void
test_deadline_fields(void **state)
{
	static struct clause any[] = { { .dim = -1, .n = 1, .ids = fx_ev_case } };
	struct indicator dl = {
		.name = "svar_4v", .kind = IND_DEADLINE, .start = { 1, any }, .stop = { 1, any },
		.extend = { 1, any }, .cmp = CMP_GE, .target = 0.8, .min_denominator = 5,
	};
	struct config cfg = fixture_config();
	struct ind_sums m[2];
	struct outcome o;
	static const struct { const char *f; int64_t v; } fields[] = {
		{ "deadline:svar_4v|met", 20 }, { "deadline:svar_4v|missed", 2 },
		{ "deadline:svar_4v|pending", 1 }, { "deadline:svar_4v|extended", 9 },
		{ "deadline:svar_2v|extended", 100 }, { "deadline:svar_4v|extendedx", 100 },
		{ "deadline:svar_4v|extende", 100 }, { "deadline:svar_4v", 100 },
	};

	(void)state;
	cfg.indicators = &dl;
	cfg.nindicators = 1;
	memset(m, 0, sizeof(m));
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		ind_accumulate(&cfg, fields[k].f, strlen(fields[k].f), fields[k].v, &m[0]);
	assert_int_equal(m[0].num, 20);
	assert_int_equal(m[0].den, 22);
	assert_int_equal(m[0].pending, 1);
	assert_int_equal(m[0].extended, 9);
	/* the Q1 2026 adults over two months: 36 of 40 in time, 18 postponed */
	m[1] = (struct ind_sums){ .num = 16, .den = 18, .pending = 0, .extended = 9 };
	ind_outcome(&dl, m, NULL, 2, &o);
	assert_outcome(o, 36, 40, 9000, 1);
	assert_int_equal(o.pending, 1);
	assert_int_equal(o.extended, 18);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teleq_mean_of_months),
		cmocka_unit_test(test_mean_skips_empty_months),
		cmocka_unit_test(test_digital_pooled),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_den_zero),
		cmocka_unit_test(test_min_denominator),
		cmocka_unit_test(test_cmp_boundary),
		cmocka_unit_test(test_outcome_boundary),
		cmocka_unit_test(test_accumulate),
		cmocka_unit_test(test_deadline_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
