/*
 * test_alert.c — alert.c: the early-warning state machine (crossing,
 * hysteresis, minimum denominator, repeat interval, flaps, quiet breaches,
 * month reset), its text form, when summaries are due (month, quarter,
 * half, year with grace), which indicators a summary holds, the retry
 * schedule; and period_next from period.c, which the summary scheduler
 * walks with.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alert.h"
#include "indicator.h"
#include "period.h"
#include "tq_config.h"
#include "tz.h"
#include "fixture_config.h"

#define HOUR    3600
#define DAY     86400
#define WEEK    (7 * DAY)
#define MARCH   (2026 * 12 + 2)         /* month number of 2026-03 */
#define T0      ((int64_t)20514 * DAY)  /* 2026-03-02 00:00 UTC, a plain "now" */

/* The defaults the config documents: 20 cases, 2 points, a week, 2 days, 30 s .. 1 h. */
static struct alert_conf
conf(void)
{
	return (struct alert_conf){
		.enabled = true, .min_denominator = 20, .hysteresis = 0.02, .repeat_s = WEEK,
		.grace_s = 2 * DAY, .retry_min_s = 30, .retry_max_s = HOUR,
	};
}

/* Digitala patientkontakter: >= 55 %, early warning on. */
static struct indicator
digital(void)
{
	struct indicator ind = fx_indicators[IND_DIGITAL];

	ind.early_warning = true;
	return ind;
}

/* A month-to-date outcome of num of den. */
static struct outcome
mtd(int64_t num, int64_t den)
{
	struct outcome o = { .num = num, .den = den, .met = -1 };

	if (den > 0) {
		o.value = (double)num / (double)den;
		o.has_value = true;
	}
	return o;
}

static const struct ew_state fresh = { .month = -1 };

/* One step from *s, which then holds the new state. */
static enum ew_action
step(const struct alert_conf *ac, const struct indicator *ind, struct ew_state *s,
     int64_t month, int64_t num, int64_t den, int64_t now)
{
	struct outcome o = mtd(num, den);

	return ew_step(ac, ind, s, month, &o, now, s);
}

static void
assert_state(const struct ew_state *s, int64_t month, bool breach, bool announced, int64_t last)
{
	assert_int_equal(s->month, month);
	assert_int_equal(s->breach, breach);
	assert_int_equal(s->announced, announced);
	assert_int_equal(s->last_alert, last);
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(alert_kind_name(AK_BREACH), "breach");
	assert_string_equal(alert_kind_name(AK_REMINDER), "reminder");
	assert_string_equal(alert_kind_name(AK_RESOLVED), "resolved");
	assert_string_equal(alert_kind_name(AK_SUMMARY), "summary");
	assert_string_equal(alert_kind_name(AK_TEST), "test");
	assert_string_equal(alert_kind_name(AK__MAX), "unknown");
}

/* Crossing below the target announces once; crossing back resolves. */
static void
test_crossing(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh, next;
	struct outcome o = mtd(50, 100);

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 60, 100, T0), EW_NONE);
	assert_state(&s, MARCH, false, false, 0);
	/* Exactly on the target is met: no breach. */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 55, 100, T0 + HOUR), EW_NONE);
	assert_false(s.breach);

	/* cur and ret_next may be different objects; cur is not touched. */
	assert_int_equal(ew_step(&ac, &ind, &s, MARCH, &o, T0 + 2 * HOUR, &next), EW_BREACH);
	assert_state(&s, MARCH, false, false, 0);
	assert_state(&next, MARCH, true, true, T0 + 2 * HOUR);
	s = next;

	/* Still below: nothing more within the repeat interval. */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 48, 100, T0 + 3 * HOUR), EW_NONE);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 54, 100, T0 + 4 * HOUR), EW_NONE);
	assert_state(&s, MARCH, true, true, T0 + 2 * HOUR);

	assert_int_equal(step(&ac, &ind, &s, MARCH, 60, 100, T0 + 5 * HOUR), EW_RESOLVED);
	/* last_alert stays: it is what keeps a quick relapse quiet. */
	assert_state(&s, MARCH, false, false, T0 + 2 * HOUR);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 61, 100, T0 + 6 * HOUR), EW_NONE);
}

/* A breach ends only 2 points above ">= 55 %": at 57 %, not at 55 or 56 %. */
static void
test_hysteresis(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh;

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 55, 100, T0 + HOUR), EW_NONE);
	assert_true(s.breach);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 56, 100, T0 + 2 * HOUR), EW_NONE);
	assert_true(s.breach);
	/* In the band the target is met: no "still below" reminder, even after a week. */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 56, 100, T0 + 2 * WEEK), EW_NONE);
	assert_state(&s, MARCH, true, true, T0);
	/* 0.55 + 0.02 is 0.5700000000000001 in doubles; 57 of 100 still recovers. */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 57, 100, T0 + 2 * WEEK + HOUR), EW_RESOLVED);
	assert_false(s.breach);

	/* Lower is better: "<= 10 %" recovers at 8 %, not at 9 %. */
	{
		struct indicator le = ind;

		le.cmp = CMP_LE;
		le.target = 0.10;
		s = fresh;
		assert_int_equal(step(&ac, &le, &s, MARCH, 10, 100, T0), EW_NONE);
		assert_int_equal(step(&ac, &le, &s, MARCH, 12, 100, T0), EW_BREACH);
		assert_int_equal(step(&ac, &le, &s, MARCH, 9, 100, T0 + HOUR), EW_NONE);
		assert_true(s.breach);
		assert_int_equal(step(&ac, &le, &s, MARCH, 8, 100, T0 + 2 * HOUR), EW_RESOLVED);
	}

	/* Without hysteresis "> 55 %" is not recovered at 55 %, which is still a miss. */
	{
		struct indicator gt = ind;

		gt.cmp = CMP_GT;
		ac.hysteresis = 0;
		s = fresh;
		assert_int_equal(step(&ac, &gt, &s, MARCH, 55, 100, T0), EW_BREACH);
		assert_int_equal(step(&ac, &gt, &s, MARCH, 55, 100, T0 + HOUR), EW_NONE);
		assert_true(s.breach);
		assert_int_equal(step(&ac, &gt, &s, MARCH, 56, 100, T0 + 2 * HOUR), EW_RESOLVED);
	}
}

/* Below 20 cases (or with no value) nothing is judged and nothing changes. */
static void
test_min_denominator(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh;

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 1, 19, T0), EW_NONE);
	assert_state(&s, MARCH, false, false, 0);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 0, 0, T0), EW_NONE);
	assert_state(&s, MARCH, false, false, 0);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 1, 20, T0), EW_BREACH);
	assert_state(&s, MARCH, true, true, T0);

	/* A small denominator does not end a breach either (it cannot be judged). */
	ac.min_denominator = 200;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 150, 150, T0 + HOUR), EW_NONE);
	assert_state(&s, MARCH, true, true, T0);
	/* ... nor remind. */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 10, 150, T0 + WEEK), EW_NONE);
	assert_state(&s, MARCH, true, true, T0);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 150, 200, T0 + WEEK), EW_RESOLVED);
}

/* An ongoing breach is reminded every repeat_s, not sooner. */
static void
test_repeat_interval(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh;
	int reminders = 0;

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + WEEK - 1), EW_NONE);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + WEEK), EW_REMINDER);
	assert_state(&s, MARCH, true, true, T0 + WEEK);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 2 * WEEK - 1), EW_NONE);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 2 * WEEK), EW_REMINDER);

	/* Checked every minute for three weeks: one reminder a week. */
	s = fresh;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	for (int64_t t = T0 + 60; t <= T0 + 3 * WEEK; t += 60) {
		enum ew_action a = step(&ac, &ind, &s, MARCH, 50, 100, t);

		assert_true(a == EW_NONE || a == EW_REMINDER);
		reminders += a == EW_REMINDER;
	}
	assert_int_equal(reminders, 3);

	/* repeat_s 0: announced once, never reminded. */
	ac.repeat_s = 0;
	s = fresh;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 10 * WEEK), EW_NONE);
}

/* A value hovering around the target gives one breach message per week, not one per crossing. */
static void
test_flapping_suppressed(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh;
	int breaches = 0, resolved = 0;

	(void)state;
	/* Every 2 hours across six days: 50 %, 60 %, 50 %, 60 %, ... */
	for (int k = 0; k < 72; k++) {
		enum ew_action a = step(&ac, &ind, &s, MARCH, k % 2 ? 60 : 50, 100, T0 + k * 2 * HOUR);

		assert_true(a != EW_REMINDER);
		breaches += a == EW_BREACH;
		resolved += a == EW_RESOLVED;
	}
	assert_int_equal(breaches, 1);
	/* Only the announced breach is resolved; the quiet ones owe nothing. */
	assert_int_equal(resolved, 1);
	assert_int_equal(s.last_alert, T0);

	/* A week after the announcement a new breach is announced again. */
	assert_false(s.breach);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + WEEK), EW_BREACH);
	assert_state(&s, MARCH, true, true, T0 + WEEK);
}

/* A quiet breach (a flap) that lasts until repeat_s after the last message is announced. */
static void
test_quiet_breach_announced(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh;

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 60, 100, T0 + DAY), EW_RESOLVED);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 2 * DAY), EW_NONE);
	assert_state(&s, MARCH, true, false, T0);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + WEEK - 1), EW_NONE);
	/* Announced as a breach (not a reminder: nothing was said about this one). */
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + WEEK), EW_BREACH);
	assert_state(&s, MARCH, true, true, T0 + WEEK);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 2 * WEEK), EW_REMINDER);
	assert_int_equal(step(&ac, &ind, &s, MARCH, 60, 100, T0 + 2 * WEEK + 1), EW_RESOLVED);
}

/* "resolved" only follows an announced breach. */
static void
test_resolved_only_after_announced(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = { .month = MARCH, .breach = true, .announced = false, .last_alert = T0 };

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 70, 100, T0 + HOUR), EW_NONE);
	assert_state(&s, MARCH, false, false, T0);
	/* Met from the start: never a message. */
	s = fresh;
	for (int k = 0; k < 10; k++)
		assert_int_equal(step(&ac, &ind, &s, MARCH, 70 + k, 100, T0 + k * DAY), EW_NONE);
	assert_state(&s, MARCH, false, false, 0);
}

/* A new month starts clean and silent; a step for an older month changes nothing. */
static void
test_month_reset(void **state)
{
	struct alert_conf ac = conf();
	struct indicator ind = digital();
	struct ew_state s = fresh, before;

	(void)state;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	/* April: no "resolved" for March (the month summary covers it). */
	assert_int_equal(step(&ac, &ind, &s, MARCH + 1, 70, 100, T0 + DAY), EW_NONE);
	assert_state(&s, MARCH + 1, false, false, 0);

	/* A breach in the new month is announced at once, whatever March sent. */
	s = fresh;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0), EW_BREACH);
	assert_int_equal(step(&ac, &ind, &s, MARCH + 1, 50, 100, T0 + HOUR), EW_BREACH);
	assert_state(&s, MARCH + 1, true, true, T0 + HOUR);

	/* Too few cases early in the month: the reset still happens. */
	s = (struct ew_state){ .month = MARCH, .breach = true, .announced = true, .last_alert = T0 };
	assert_int_equal(step(&ac, &ind, &s, MARCH + 1, 1, 3, T0 + DAY), EW_NONE);
	assert_state(&s, MARCH + 1, false, false, 0);

	/* An older month (the clock went back): ignored. */
	before = s;
	assert_int_equal(step(&ac, &ind, &s, MARCH, 50, 100, T0 + 2 * DAY), EW_NONE);
	assert_memory_equal(&s, &before, sizeof(s));

	/* Across a year end. */
	s = (struct ew_state){ .month = 2026 * 12 + 11, .breach = true, .announced = true, .last_alert = T0 };
	assert_int_equal(step(&ac, &ind, &s, 2027 * 12, 60, 100, T0 + DAY), EW_NONE);
	assert_state(&s, 2027 * 12, false, false, 0);
}

static void
test_ew_text(void **state)
{
	static const struct ew_state cases[] = {
		{ .month = -1 },
		{ .month = MARCH, .breach = true, .announced = true, .last_alert = T0 },
		{ .month = MARCH, .breach = true, .announced = false, .last_alert = 1 },
		{ .month = 0, .breach = false, .announced = false, .last_alert = INT64_MAX },
	};
	static const char *const bad[] = {
		"", "m=1", "m=1 b=0 a=0", "m=1 b=0 a=0 t=", "m=1 b=2 a=0 t=0", "m=1 b=0 a=-1 t=0",
		"m=1 b=0 a=0 t=-5", "m=-2 b=0 a=0 t=0", "m=01 b=0 a=0 t=0", "m=-0 b=0 a=0 t=0",
		"m=1  b=0 a=0 t=0", "m=1 b=0 a=0 t=0 ", " m=1 b=0 a=0 t=0", "m=1 b=0 a=0 t=0\n",
		"m=1 a=0 b=0 t=0", "m=1 b=0 a=0 t=0x", "m=+1 b=0 a=0 t=0", "M=1 b=0 a=0 t=0",
		"m=1 b=0 a=0 t=9223372036854775808", "m=1 b=00 a=0 t=0", "m=1 b=0 a=0 t=00",
	};
	struct ew_state got, keep = { .month = 7, .breach = true, .announced = true, .last_alert = 9 };
	char buf[96], small[8];
	int n;

	(void)state;
	n = ew_format(&cases[1], buf, sizeof(buf));
	assert_string_equal(buf, "m=24314 b=1 a=1 t=1772409600");
	assert_int_equal(n, (int)strlen(buf));
	n = ew_format(&cases[0], buf, sizeof(buf));
	assert_string_equal(buf, "m=-1 b=0 a=0 t=0");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = ew_format(&cases[i], buf, sizeof(buf));
		assert_true(n > 0);
		memset(&got, 0x55, sizeof(got));
		assert_int_equal(ew_parse(buf, (size_t)n, &got), 0);
		assert_int_equal(got.month, cases[i].month);
		assert_int_equal(got.breach, cases[i].breach);
		assert_int_equal(got.announced, cases[i].announced);
		assert_true(got.last_alert == cases[i].last_alert);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = keep;
		if (ew_parse(bad[i], strlen(bad[i]), &got) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_memory_equal(&got, &keep, sizeof(got));
	}
	/* Only len bytes count: a longer buffer is fine, a cut one is refused. */
	assert_int_equal(ew_parse("m=3 b=1 a=0 t=5XYZ", 15, &got), 0);
	assert_int_equal(got.month, 3);
	assert_int_equal(got.last_alert, 5);
	assert_int_equal(ew_parse("m=3 b=1 a=0 t=5", 14, &got), -EINVAL);
	assert_int_equal(ew_parse(NULL, 0, &got), -EINVAL);

	/* Too small a buffer: -ENOBUFS, buffer untouched. */
	memcpy(small, "keep", 5);
	assert_int_equal(ew_format(&cases[1], small, sizeof(small)), -ENOBUFS);
	assert_string_equal(small, "keep");
	/* Exactly fitting (length + NUL). */
	n = ew_format(&cases[0], buf, sizeof(buf));
	assert_int_equal(ew_format(&cases[0], buf, (size_t)n + 1), n);
	assert_int_equal(ew_format(&cases[0], buf, (size_t)n), -ENOBUFS);
}

/* Local wall seconds of y-m-d h:00. */
static int64_t
wall(int64_t y, unsigned m, unsigned d, unsigned h)
{
	return days_from_civil(y, m, d) * DAY + h * HOUR;
}

static void
assert_due(enum period_kind kind, int64_t now, int64_t grace, const char *want)
{
	struct period p = summary_latest_due(kind, now, grace), q;
	char name[32];

	assert_int_equal(period_name(&p, name, sizeof(name)), 0);
	assert_string_equal(name, want);
	/* Fully formed, as period_parse makes it. */
	assert_int_equal(period_parse(want, 0, &q), 0);
	assert_memory_equal(&p, &q, sizeof(p));
}

/* March closes at local midnight 2026-04-01; with two days' grace it is due 2026-04-03 00:00. */
static void
test_month_close_grace(void **state)
{
	const int64_t grace = 2 * DAY, due = wall(2026, 4, 3, 0);

	(void)state;
	assert_due(P_MONTH, due, grace, "2026-03");
	assert_due(P_MONTH, due - 1, grace, "2026-02");
	assert_due(P_MONTH, due + 27 * DAY, grace, "2026-03");
	assert_due(P_MONTH, wall(2026, 5, 3, 0), grace, "2026-04");
	/* No grace: due at the stroke of midnight. */
	assert_due(P_MONTH, wall(2026, 4, 1, 0), 0, "2026-03");
	assert_due(P_MONTH, wall(2026, 4, 1, 0) - 1, 0, "2026-02");
	/* January's summary is due in early February, across the year end December's. */
	assert_due(P_MONTH, wall(2026, 1, 3, 0), grace, "2025-12");
	assert_due(P_MONTH, wall(2026, 1, 3, 0) - 1, grace, "2025-11");
	/* February of a leap year closes on 1 March. */
	assert_due(P_MONTH, wall(2028, 3, 3, 0), grace, "2028-02");
	assert_due(P_MONTH, wall(2028, 3, 3, 0) - 1, grace, "2028-01");
	/* A negative grace counts as none. */
	assert_due(P_MONTH, wall(2026, 4, 1, 0), -DAY, "2026-03");
}

/* Q1 2026 closes 2026-04-01; due at 2026-04-03 00:00, not a second earlier. */
static void
test_quarter_close(void **state)
{
	const int64_t grace = 2 * DAY, due = wall(2026, 4, 3, 0);

	(void)state;
	assert_due(P_QUARTER, due, grace, "2026-Q1");
	assert_due(P_QUARTER, due - 1, grace, "2025-Q4");
	assert_due(P_QUARTER, wall(2026, 7, 3, 0) - 1, grace, "2026-Q1");
	assert_due(P_QUARTER, wall(2026, 7, 3, 0), grace, "2026-Q2");
	assert_due(P_QUARTER, wall(2027, 1, 3, 0), grace, "2026-Q4");

	/* Half-year: H1 2026 closes 2026-07-01. */
	assert_due(P_HALF, wall(2026, 7, 3, 0), grace, "2026-H1");
	assert_due(P_HALF, wall(2026, 7, 3, 0) - 1, grace, "2025-H2");
	assert_due(P_HALF, wall(2027, 1, 3, 0), grace, "2026-H2");
	assert_due(P_HALF, wall(2027, 1, 3, 0) - 1, grace, "2026-H1");

	/* Year: 2026 closes 2027-01-01. */
	assert_due(P_YEAR, wall(2027, 1, 3, 0), grace, "2026");
	assert_due(P_YEAR, wall(2027, 1, 3, 0) - 1, grace, "2025");
	assert_due(P_YEAR, wall(2027, 12, 31, 23), grace, "2026");
}

static void
test_summary_includes(void **state)
{
	struct indicator ind = digital();
	static const bool want[4][4] = {
		/*               P_MONTH P_QUARTER P_HALF P_YEAR */
		/* month   */ { true, true, true, true },
		/* quarter */ { true, true, true, true },
		/* half    */ { true, false, true, true },
		/* year    */ { true, false, false, true },
	};
	static const enum period_kind kinds[4] = { P_MONTH, P_QUARTER, P_HALF, P_YEAR };

	(void)state;
	for (int c = CADENCE_MONTH; c <= CADENCE_YEAR; c++) {
		ind.cadence = (enum cadence)c;
		for (int k = 0; k < 4; k++)
			if (summary_includes(&ind, kinds[k]) != want[c][k])
				fail_msg("cadence %d, kind %d", c, (int)kinds[k]);
		assert_false(summary_includes(&ind, P_DAY));
		assert_false(summary_includes(&ind, P_ROLLING));
	}
}

static void
test_retry_delay(void **state)
{
	struct alert_conf ac = conf();

	(void)state;
	assert_int_equal(retry_delay(&ac, 1), 30);
	assert_int_equal(retry_delay(&ac, 2), 60);
	assert_int_equal(retry_delay(&ac, 3), 120);
	assert_int_equal(retry_delay(&ac, 7), 1920);
	assert_int_equal(retry_delay(&ac, 8), 3600);      /* 3840 capped */
	assert_int_equal(retry_delay(&ac, 9), 3600);
	assert_int_equal(retry_delay(&ac, 64), 3600);
	assert_int_equal(retry_delay(&ac, 65), 3600);     /* 2^64 would overflow */
	assert_int_equal(retry_delay(&ac, UINT_MAX), 3600);
	assert_int_equal(retry_delay(&ac, 0), 30);

	/* A huge cap: doubling stops before overflowing int64. */
	ac.retry_max_s = INT64_MAX;
	assert_true(retry_delay(&ac, 59) == (int64_t)30 << 58);
	assert_true(retry_delay(&ac, 60) == INT64_MAX);
	assert_true(retry_delay(&ac, 200) == INT64_MAX);
	assert_true(retry_delay(&ac, UINT_MAX) == INT64_MAX);

	/* Minimum above the cap: the cap wins. No minimum: no wait. */
	ac.retry_min_s = 600;
	ac.retry_max_s = 60;
	assert_int_equal(retry_delay(&ac, 1), 60);
	ac.retry_min_s = 0;
	assert_int_equal(retry_delay(&ac, 5), 0);
}

/* period_next agrees with period_of_day on the day after, for every kind, across year ends. */
static void
test_period_next(void **state)
{
	static const enum period_kind kinds[] = { P_DAY, P_MONTH, P_QUARTER, P_HALF, P_YEAR };
	static const struct {
		const char *from, *to;
	} names[] = {
		{ "2026-12", "2027-01" }, { "2026-01", "2026-02" }, { "2026-Q4", "2027-Q1" },
		{ "2026-Q1", "2026-Q2" }, { "2026-H2", "2027-H1" }, { "2026-H1", "2026-H2" },
		{ "2026", "2027" }, { "2026-12-31", "2027-01-01" }, { "2028-02-28", "2028-02-29" },
		{ "2028-02-29", "2028-03-01" }, { "1999-12", "2000-01" },
	};
	struct period p, n, want;
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(period_parse(names[i].from, 0, &p), 0);
		n = period_next(&p);
		assert_int_equal(period_name(&n, buf, sizeof(buf)), 0);
		assert_string_equal(buf, names[i].to);
		assert_int_equal(period_parse(names[i].to, 0, &want), 0);
		assert_memory_equal(&n, &want, sizeof(n));
	}
	/* Walk three years of each kind from 2025-11-15. */
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		p = period_of_day(kinds[k], days_from_civil(2025, 11, 15));
		while (p.first_day < days_from_civil(2029, 1, 1)) {
			n = period_next(&p);
			want = period_of_day(kinds[k], p.last_day + 1);
			assert_memory_equal(&n, &want, sizeof(n));
			assert_int_equal(n.first_day, p.last_day + 1);
			p = n;
		}
	}
	/* Rolling is defined by today: unchanged. */
	assert_int_equal(period_parse("rolling", days_from_civil(2026, 3, 5), &p), 0);
	n = period_next(&p);
	assert_memory_equal(&n, &p, sizeof(n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_crossing),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_min_denominator),
		cmocka_unit_test(test_repeat_interval),
		cmocka_unit_test(test_flapping_suppressed),
		cmocka_unit_test(test_quiet_breach_announced),
		cmocka_unit_test(test_resolved_only_after_announced),
		cmocka_unit_test(test_month_reset),
		cmocka_unit_test(test_ew_text),
		cmocka_unit_test(test_month_close_grace),
		cmocka_unit_test(test_quarter_close),
		cmocka_unit_test(test_summary_includes),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_period_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
