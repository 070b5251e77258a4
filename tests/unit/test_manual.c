/* Unit tests for manual.c: VALUE parsing, note rules, formats, the verdict. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manual.h"
#include "period.h"
#include "report.h"

/* Parses s in unit u; asserts success and returns the value. */
static double value_ok(const char *s, enum manual_unit u)
{
	double v = -12345.678;
	int r = manual_parse_value(s, u, &v);

	if (r != 0)
		print_error("'%s' refused\n", s);
	assert_int_equal(r, 0);
	return v;
}

/* Asserts that s is refused in unit u and *ret is untouched. */
static void value_bad(const char *s, enum manual_unit u)
{
	double v = 7.0;

	if (manual_parse_value(s, u, &v) != -EINVAL)
		print_error("'%s' accepted\n", s);
	assert_int_equal(manual_parse_value(s, u, &v), -EINVAL);
	assert_true(v == 7.0);
}

static void test_value_count(void **state)
{
	(void)state;
	assert_true(value_ok("0", UNIT_COUNT) == 0.0);
	assert_true(value_ok("4", UNIT_COUNT) == 4.0);
	assert_true(value_ok("007", UNIT_COUNT) == 7.0);
	assert_true(value_ok("999999999999999", UNIT_COUNT) == 999999999999999.0);
	value_bad("-1", UNIT_COUNT);            /* a count is never negative */
	value_bad("1.5", UNIT_COUNT);           /* nor a fraction */
	value_bad("1,5", UNIT_COUNT);
	value_bad("3 %", UNIT_COUNT);
	value_bad("", UNIT_COUNT);
	value_bad(" 3", UNIT_COUNT);
	value_bad("3 ", UNIT_COUNT);
	value_bad("+3", UNIT_COUNT);
	value_bad("1e3", UNIT_COUNT);
	value_bad("0x10", UNIT_COUNT);
	value_bad("nan", UNIT_COUNT);
	value_bad("1000000000000000", UNIT_COUNT);   /* 16 digits */
	value_bad("000000000000000000000000000000001", UNIT_COUNT);  /* longer than 32 bytes */
}

static void test_value_kr_percent(void **state)
{
	(void)state;
	assert_true(value_ok("-150000", UNIT_KR) == -150000.0);
	assert_true(value_ok("\xE2\x88\x92" "150000", UNIT_KR) == -150000.0);   /* U+2212 */
	assert_true(value_ok("1234.5", UNIT_KR) == 1234.5);
	assert_true(value_ok("1234,05", UNIT_KR) == 1234.05);
	assert_true(value_ok("-0", UNIT_KR) == 0.0);
	assert_false(signbit(value_ok("-0", UNIT_KR)));
	value_bad("1.234", UNIT_KR);            /* öre at most */
	value_bad("1.", UNIT_KR);
	value_bad(".5", UNIT_KR);
	value_bad("1.2.3", UNIT_KR);
	value_bad("-", UNIT_KR);
	value_bad("--1", UNIT_KR);
	value_bad("150 000", UNIT_KR);
	value_bad("5%", UNIT_KR);
	assert_true(value_ok("52", UNIT_PERCENT) == 52.0);
	assert_true(value_ok("52%", UNIT_PERCENT) == 52.0);
	assert_true(value_ok("52 %", UNIT_PERCENT) == 52.0);
	assert_true(value_ok("12,5 %", UNIT_PERCENT) == 12.5);
	assert_true(value_ok("-3", UNIT_PERCENT) == -3.0);
	value_bad("52  %", UNIT_PERCENT);
	value_bad("52 %%", UNIT_PERCENT);
	value_bad("%", UNIT_PERCENT);
	value_bad("52 % ", UNIT_PERCENT);
}

static void test_fmt(void **state)
{
	char buf[64];

	(void)state;
	manual_fmt_plain(buf, sizeof(buf), -150000);
	assert_string_equal(buf, "-150000");
	manual_fmt_plain(buf, sizeof(buf), 12.5);
	assert_string_equal(buf, "12.5");
	manual_fmt_plain(buf, sizeof(buf), 1234.05);
	assert_string_equal(buf, "1234.05");
	manual_fmt_plain(buf, sizeof(buf), -0.0);
	assert_string_equal(buf, "0");
	manual_fmt_value(buf, sizeof(buf), UNIT_KR, -150000);
	assert_string_equal(buf, "\xE2\x88\x92" "150 000 kr");
	manual_fmt_value(buf, sizeof(buf), UNIT_KR, 1234567.5);
	assert_string_equal(buf, "1 234 567,5 kr");
	manual_fmt_value(buf, sizeof(buf), UNIT_KR, 999);
	assert_string_equal(buf, "999 kr");
	manual_fmt_value(buf, sizeof(buf), UNIT_COUNT, 4);
	assert_string_equal(buf, "4");
	manual_fmt_value(buf, sizeof(buf), UNIT_COUNT, 1500);
	assert_string_equal(buf, "1500");
	manual_fmt_value(buf, sizeof(buf), UNIT_COUNT, 15000);
	assert_string_equal(buf, "15 000");
	manual_fmt_value(buf, sizeof(buf), UNIT_PERCENT, 12.5);
	assert_string_equal(buf, "12,5 %");
	/* the stored plain form parses back to the same value */
	manual_fmt_plain(buf, sizeof(buf), 1234.05);
	assert_true(value_ok(buf, UNIT_KR) == 1234.05);
}

static void test_met(void **state)
{
	struct manual_ind m = { .name = "x", .unit = UNIT_COUNT, .has_target = true,
	                        .cmp = CMP_GT, .target = 3 };
	char buf[64];

	(void)state;
	assert_int_equal(manual_met(&m, true, 4), 1);
	assert_int_equal(manual_met(&m, true, 3), 0);          /* "> 3": 3 is not met */
	assert_int_equal(manual_met(&m, false, 4), -1);        /* no value: not judged */
	manual_fmt_target(buf, sizeof(buf), &m);
	assert_string_equal(buf, "> 3");
	m.cmp = CMP_GE;
	assert_int_equal(manual_met(&m, true, 3), 1);
	m.cmp = CMP_LE;
	m.target = 0;
	m.unit = UNIT_KR;
	assert_int_equal(manual_met(&m, true, -150000), 1);
	assert_int_equal(manual_met(&m, true, 1), 0);
	m.cmp = CMP_LT;
	assert_int_equal(manual_met(&m, true, 0), 0);
	manual_fmt_target(buf, sizeof(buf), &m);
	assert_string_equal(buf, "< 0 kr");
	m.has_target = false;
	assert_int_equal(manual_met(&m, true, 1), -1);
	manual_fmt_target(buf, sizeof(buf), &m);
	assert_string_equal(buf, "\xE2\x80\x93");
}

#define NOTE(lit) manual_note_check(lit, sizeof(lit) - 1)

static void test_note(void **state)
{
	char *big;

	(void)state;
	assert_int_equal(NOTE(""), 0);
	assert_int_equal(NOTE("Vi kommer hålla oss runt 50 %.\nFler ärenden via 1177."), 0);
	assert_int_equal(NOTE("tab\there"), -EINVAL);
	assert_int_equal(NOTE("cr\r\n"), -EINVAL);
	assert_int_equal(NOTE("esc\x1b[31m"), -EINVAL);
	assert_int_equal(NOTE("del\x7f"), -EINVAL);
	assert_int_equal(NOTE("c1 \xC2\x85"), -EINVAL);       /* U+0085 NEL */
	assert_int_equal(NOTE("nbsp \xC2\xA0 ok"), 0);         /* U+00A0 is text */
	assert_int_equal(NOTE("latin1 h\xe5ll"), -EILSEQ);
	assert_int_equal(manual_note_check("a\0b", 3), -EINVAL);
	big = malloc(MANUAL_NOTE_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', MANUAL_NOTE_MAX + 1);
	assert_int_equal(manual_note_check(big, MANUAL_NOTE_MAX), 0);
	assert_int_equal(manual_note_check(big, MANUAL_NOTE_MAX + 1), -E2BIG);
	free(big);
}

/* The fields of a manual:<PERIOD> hash into a report. */
static void test_read_field(void **state)
{
	static struct manual_ind mans[] = {
		{ .name = "analyser", .unit = UNIT_COUNT, .has_target = true, .cmp = CMP_GE,
		  .target = 2 },
		{ .name = "budget", .unit = UNIT_KR },
	};
	static struct indicator inds[] = { { .name = "digital", .title = "Digitala" } };
	struct config cfg = { .nindicators = 1, .indicators = inds, .nmanuals = 2,
	                      .manuals = mans };
	struct report rep;
	struct period q;
#define F(cur, f, v) manual_read_field(&cfg, &rep, cur, f, strlen(f), v, strlen(v))

	(void)state;
	assert_int_equal(period_parse("2026-Q1", 20000, &q), 0);
	assert_int_equal(report_init(&rep, &cfg, &q, 20000), 0);
	assert_int_equal(rep.m[0].met, -1);             /* nothing read: not judged */
	assert_int_equal(F(true, "analyser", "1"), 0);
	assert_true(rep.m[0].has_value && rep.m[0].value == 1.0);
	assert_int_equal(rep.m[0].met, 0);
	assert_int_equal(F(false, "analyser", "2"), 0);
	assert_true(rep.m[0].prev_has_value && rep.m[0].prev_value == 2.0);
	assert_int_equal(rep.m[0].prev_met, 1);
	assert_int_equal(F(true, "budget", "-150000.5"), 0);
	assert_true(rep.m[1].value == -150000.5);
	assert_int_equal(rep.m[1].met, -1);             /* no target */
	assert_int_equal(F(true, "analyser", "-1"), 1);   /* not a count: ignored, counted */
	assert_true(rep.m[0].value == 1.0);
	assert_int_equal(F(true, "analyser:analys", "Bra.\nMer."), 0);
	assert_string_equal(rep.m[0].analys, "Bra.\nMer.");
	assert_int_equal(F(true, "analyser:analys", "Rättat."), 0);   /* the latest wins */
	assert_string_equal(rep.m[0].analys, "Rättat.");
	assert_int_equal(F(true, "digital:prognos", "Runt 50 %."), 0);
	assert_string_equal(rep.notes[0].prognos, "Runt 50 %.");
	assert_null(rep.notes[0].analys);
	assert_int_equal(F(false, "digital:analys", "last year"), 0);  /* notes: the period's only */
	assert_null(rep.notes[0].analys);
	assert_int_equal(F(true, "gone", "5"), 0);        /* removed from the config */
	assert_int_equal(F(true, "analyser:other", "x"), 0);
	assert_int_equal(F(true, "analyse", "5"), 0);     /* a prefix is not the name */
	assert_true(rep.m[0].value == 1.0);
	report_done(&rep);
#undef F
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_count),
		cmocka_unit_test(test_value_kr_percent),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_met),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_read_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
