/*
 * test_cohort.c — cohort.c: deadline spans (dl_parse, dl_deadline: hours
 * as elapsed time, days to the end of a local day, across both DST
 * switches of 2026 in Stockholm), the per-case state (exact deadlines,
 * extensions by amount and to a date, stop before start, duplicates in
 * both orders, orphans, expiry), its text form, and that the counter
 * changes of case_report always add up to the cases' final outcomes.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohort.h"
#include "tq_config.h"
#include "tz.h"

#define HOUR    3600
#define DAY     86400
#define MARCH   (2026 * 12 + 2)         /* month number of 2026-03 */

static struct tz *tz;

static int
setup(void **state)
{
	(void)state;
	return tz_load("Europe/Stockholm", &tz);
}

static int
teardown(void **state)
{
	(void)state;
	tz_free(tz);
	return 0;
}

/* Wall-clock seconds of a date and time (as if UTC). */
static int64_t
ymdhms(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

/* The instant of a Stockholm wall time (not in a gap or fold). */
static int64_t
loc(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	int flags = -1;
	int64_t t = tz_wall_to_utc(tz, ymdhms(y, mo, d, h, mi, s), &flags);

	assert_int_equal(flags, 0);
	return t;
}

/* What a Stockholm clock shows at instant t. */
static int64_t
wall(int64_t t)
{
	return t + tz_utc_offset(tz, t);
}

static struct dl_span
span(const char *s)
{
	struct dl_span sp = { DL_HOURS, -1 };

	assert_int_equal(dl_parse(s, strlen(s), &sp), 0);
	return sp;
}

/* A rule "within" with an optional extension amount (NULL: none). */
static struct cohort_rule
rule(const char *within, const char *extend_by)
{
	struct cohort_rule r = { .within = span(within) };

	if (extend_by)
		r.extend_by = span(extend_by);
	return r;
}

static int
apply(struct case_state *st, const struct cohort_rule *r, enum case_ev kind, int64_t utc)
{
	return case_apply(st, kind, utc, CASE_NO_DAY, r, tz);
}

/* A case of rule r with a start at start and, when stop != INT64_MIN, a stop. */
static struct case_state
one_case(const struct cohort_rule *r, int64_t start, int64_t stop)
{
	struct case_state st;

	case_init(&st);
	assert_true(apply(&st, r, CASE_START, start) >= 0);
	if (stop != INT64_MIN)
		assert_true(apply(&st, r, CASE_STOP, stop) >= 0);
	return st;
}

static void
assert_same_state(const struct case_state *a, const struct case_state *b)
{
	char ta[CASE_TEXT_MAX], tb[CASE_TEXT_MAX];

	assert_true(case_format(a, ta, sizeof(ta)) > 0);
	assert_true(case_format(b, tb, sizeof(tb)) > 0);
	assert_string_equal(ta, tb);
}

/* ------------------------------------------------------------------ spans */

static void
test_dl_parse(void **state)
{
	static const struct { const char *s; enum dl_unit unit; int32_t n; } ok[] = {
		{ "24h", DL_HOURS, 24 }, { "36h", DL_HOURS, 36 }, { "1h", DL_HOURS, 1 },
		{ "8760h", DL_HOURS, 8760 }, { "7d", DL_DAYS, 7 }, { "10d", DL_DAYS, 10 },
		{ "1d", DL_DAYS, 1 }, { "366d", DL_DAYS, 366 }, { "2w", DL_DAYS, 14 },
		{ "4w", DL_DAYS, 28 }, { "52w", DL_DAYS, 364 }, { "07d", DL_DAYS, 7 },
	};
	static const char *const bad[] = {
		"", "h", "d", "24", "24H", "7D", "2W", "24 h", " 24h", "24h ", "+24h", "-1h",
		"1.5h", "1,5h", "24m", "30s", "1y", "2ww", "d7", "7dd", "7d\n", "0x10h", "½h",
	};
	static const char *const range[] = {
		"0h", "0d", "0w", "00d", "8761h", "367d", "53w", "99999999999999999999999999h",
	};
	struct dl_span sp, keep = { DL_HOURS, 99 };

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		sp = keep;
		assert_int_equal(dl_parse(ok[i].s, strlen(ok[i].s), &sp), 0);
		assert_int_equal(sp.unit, ok[i].unit);
		assert_int_equal(sp.n, ok[i].n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp = keep;
		assert_int_equal(dl_parse(bad[i], strlen(bad[i]), &sp), -EINVAL);
		assert_int_equal(sp.n, 99);
	}
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		sp = keep;
		assert_int_equal(dl_parse(range[i], strlen(range[i]), &sp), -ERANGE);
		assert_int_equal(sp.n, 99);
	}
	/* Only len bytes are read; an embedded NUL is not a unit. */
	assert_int_equal(dl_parse("24hours", 3, &sp), 0);
	assert_int_equal(sp.n, 24);
	assert_int_equal(dl_parse("7\0d", 3, &sp), -EINVAL);
	assert_int_equal(dl_parse(NULL, 0, &sp), -EINVAL);
}

/* "Kortare än 24 timmar": 23:59:59 after the start is met, exactly 24 h is missed. */
static void
test_hours_exact(void **state)
{
	struct cohort_rule r = rule("24h", NULL);
	int64_t start = loc(2026, 3, 2, 10, 0, 0), dl = start + 24 * HOUR - 1;
	struct case_state st;

	(void)state;
	assert_int_equal(dl_deadline(&r.within, tz, start), dl);
	st = one_case(&r, start, dl);
	assert_int_equal(st.deadline_utc, dl);
	assert_int_equal(case_decide(&st, dl), CASE_MET);
	assert_int_equal(case_decide(&st, INT64_MAX), CASE_MET);
	st = one_case(&r, start, dl + 1);
	assert_int_equal(case_decide(&st, dl + 1), CASE_MISSED);
	/* The late stop decides at once, also before the deadline passes. */
	assert_int_equal(case_decide(&st, start), CASE_MISSED);
	assert_int_equal(case_next_decision(&st), INT64_MAX);

	/* Without a stop: pending up to and including the deadline, then missed. */
	st = one_case(&r, start, INT64_MIN);
	assert_int_equal(case_decide(&st, start), CASE_PENDING);
	assert_int_equal(case_decide(&st, dl), CASE_PENDING);
	assert_int_equal(case_decide(&st, dl + 1), CASE_MISSED);
	assert_int_equal(case_next_decision(&st), dl + 1);
	assert_int_equal(st.month, MARCH);
}

/* "7 dagar eller kortare": to the end of the local date 7 days after the start's. */
static void
test_days_exact(void **state)
{
	struct cohort_rule r = rule("7d", NULL);
	int64_t dl = loc(2026, 3, 9, 23, 59, 59);
	struct case_state st;

	(void)state;
	/* Any hour of 2 March gives the same deadline. */
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 2, 0, 0, 0)), dl);
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 2, 10, 0, 0)), dl);
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 2, 23, 59, 59)), dl);
	/* 23:30 local is still 2 March (22:30 UTC): the local date counts. */
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 2, 23, 30, 0)), dl);
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 3, 0, 0, 0)), dl + DAY);

	st = one_case(&r, loc(2026, 3, 2, 10, 0, 0), dl);
	assert_int_equal(case_decide(&st, dl), CASE_MET);
	st = one_case(&r, loc(2026, 3, 2, 10, 0, 0), dl + 1);
	assert_int_equal(case_decide(&st, dl + 1), CASE_MISSED);
	st = one_case(&r, loc(2026, 3, 2, 10, 0, 0), INT64_MIN);
	assert_int_equal(case_decide(&st, dl), CASE_PENDING);
	assert_int_equal(case_decide(&st, dl + 1), CASE_MISSED);
	assert_int_equal(case_next_decision(&st), dl + 1);

	/* 00:30 on 1 March in Stockholm is still February in UTC: a March case. */
	st = one_case(&r, loc(2026, 3, 1, 0, 30, 0), INT64_MIN);
	assert_int_equal(st.month, MARCH);
	assert_int_equal(st.deadline_utc, loc(2026, 3, 8, 23, 59, 59));
	st = one_case(&r, loc(2026, 2, 28, 23, 59, 59), INT64_MIN);
	assert_int_equal(st.month, MARCH - 1);

	/* Weeks are days: 2w from 2 March ends with 16 March. */
	r = rule("2w", NULL);
	assert_int_equal(dl_deadline(&r.within, tz, loc(2026, 3, 2, 10, 0, 0)),
	                 loc(2026, 3, 16, 23, 59, 59));
}

/* 24 h is elapsed time: the wall clock shows an hour more in spring, one less in autumn. */
static void
test_hours_dst(void **state)
{
	struct cohort_rule r = rule("24h", NULL);
	int64_t start, dl;

	(void)state;
	/* Spring: 2026-03-29 02:00 -> 03:00. */
	start = loc(2026, 3, 28, 12, 0, 0);
	dl = dl_deadline(&r.within, tz, start);
	assert_int_equal(dl + 1 - start, 24 * HOUR);
	assert_int_equal(wall(dl), ymdhms(2026, 3, 29, 12, 59, 59));
	/* Autumn: 2026-10-25 03:00 -> 02:00. */
	start = loc(2026, 10, 24, 12, 0, 0);
	dl = dl_deadline(&r.within, tz, start);
	assert_int_equal(dl + 1 - start, 24 * HOUR);
	assert_int_equal(wall(dl), ymdhms(2026, 10, 25, 10, 59, 59));
	/* A start in the hour that occurs twice (its second, CET reading). */
	start = loc(2026, 10, 25, 1, 0, 0) + 2 * HOUR;  /* 02:00 CET */
	assert_int_equal(wall(start), ymdhms(2026, 10, 25, 2, 0, 0));
	assert_int_equal(dl_deadline(&r.within, tz, start), start + 24 * HOUR - 1);
}

/*
 * 7 days are calendar days: the seven whole days after the start's day are
 * 167 real hours across the spring switch and 169 across the autumn one;
 * moving a time of day by 7 days (an extension) likewise.
 */
static void
test_days_dst(void **state)
{
	struct cohort_rule r = rule("7d", NULL), x = rule("24h", "7d");
	int64_t start, dl, base;
	struct case_state st;

	(void)state;
	start = loc(2026, 3, 25, 10, 0, 0);
	dl = dl_deadline(&r.within, tz, start);
	assert_int_equal(dl, loc(2026, 4, 1, 23, 59, 59));
	assert_int_equal(wall(dl), ymdhms(2026, 4, 1, 23, 59, 59));
	assert_int_equal(dl + 1 - loc(2026, 3, 26, 0, 0, 0), 167 * HOUR);
	assert_int_equal(dl + 1 - start, (14 + 167) * HOUR);

	start = loc(2026, 10, 21, 10, 0, 0);
	dl = dl_deadline(&r.within, tz, start);
	assert_int_equal(dl, loc(2026, 10, 28, 23, 59, 59));
	assert_int_equal(dl + 1 - loc(2026, 10, 22, 0, 0, 0), 169 * HOUR);

	/* A 24 h deadline moved by 7 days keeps its time of day. */
	st = one_case(&x, loc(2026, 3, 24, 10, 0, 0), INT64_MIN);
	base = st.deadline_utc;
	assert_int_equal(wall(base), ymdhms(2026, 3, 25, 9, 59, 59));
	assert_int_equal(apply(&st, &x, CASE_EXTEND, loc(2026, 3, 25, 8, 0, 0)),
	                 CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(wall(st.deadline_utc), ymdhms(2026, 4, 1, 9, 59, 59));
	assert_int_equal(st.deadline_utc - base, 167 * HOUR);

	st = one_case(&x, loc(2026, 10, 20, 10, 0, 0), INT64_MIN);
	base = st.deadline_utc;
	assert_int_equal(apply(&st, &x, CASE_EXTEND, loc(2026, 10, 21, 8, 0, 0)),
	                 CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(wall(st.deadline_utc), ymdhms(2026, 10, 28, 9, 59, 59));
	assert_int_equal(st.deadline_utc - base, 169 * HOUR);

	/* Moved into the spring gap (02:30 on 29 March): read as 03:30 CEST. */
	st = one_case(&x, loc(2026, 3, 27, 2, 30, 0), INT64_MIN);
	assert_int_equal(wall(st.deadline_utc), ymdhms(2026, 3, 28, 2, 29, 59));
	x.extend_by = span("1d");
	assert_true(apply(&st, &x, CASE_EXTEND, loc(2026, 3, 27, 8, 0, 0)) & CASE_CH_DEADLINE);
	assert_int_equal(st.deadline_utc, ymdhms(2026, 3, 29, 1, 29, 59));   /* UTC */
	assert_int_equal(wall(st.deadline_utc + 1), ymdhms(2026, 3, 29, 3, 30, 0));
}

/* ------------------------------------------------------------- extensions */

/* Uppskov by the configured amount: once per case, from the base deadline. */
static void
test_extend_by_amount(void **state)
{
	struct cohort_rule r = rule("2w", "2w"), h = rule("24h", "36h"), none = rule("2w", NULL);
	int64_t start = loc(2026, 3, 2, 10, 0, 0), ext = loc(2026, 3, 10, 9, 0, 0);
	int64_t dl = loc(2026, 3, 30, 23, 59, 59);
	struct case_state st, keep;

	(void)state;
	st = one_case(&r, start, INT64_MIN);
	assert_int_equal(st.deadline_utc, loc(2026, 3, 16, 23, 59, 59));
	assert_int_equal(apply(&st, &r, CASE_EXTEND, ext), CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(st.deadline_utc, dl);           /* still the end of a day, now CEST */
	/* A repeated extension without a date is the same one. */
	assert_int_equal(apply(&st, &r, CASE_EXTEND, ext + DAY), 0);
	assert_int_equal(st.deadline_utc, dl);
	assert_int_equal(case_next_decision(&st), dl + 1);
	assert_int_equal(apply(&st, &r, CASE_STOP, dl), CASE_CH_STOP);
	assert_int_equal(case_decide(&st, dl + 1), CASE_MET);

	/* Hours extend as elapsed time. */
	st = one_case(&h, start, INT64_MIN);
	assert_int_equal(apply(&st, &h, CASE_EXTEND, start + HOUR), CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(st.deadline_utc, start + 60 * HOUR - 1);

	/* No amount configured: an extension without a date is refused, nothing changes. */
	st = one_case(&none, start, INT64_MIN);
	keep = st;
	assert_int_equal(apply(&st, &none, CASE_EXTEND, ext), -EINVAL);
	assert_memory_equal(&st, &keep, sizeof(st));
}

/* Uppskov to a date: to the end of that local day; the latest date wins. */
static void
test_extend_to_date(void **state)
{
	struct cohort_rule r = rule("2w", "2w"), none = rule("2w", NULL);
	int64_t start = loc(2026, 3, 2, 10, 0, 0), t = loc(2026, 3, 12, 9, 0, 0);
	int64_t d20 = days_from_civil(2026, 3, 20), d31 = days_from_civil(2026, 3, 31);
	int64_t dl31 = loc(2026, 3, 31, 23, 59, 59);
	struct case_state a, b, keep;

	(void)state;
	a = one_case(&none, start, INT64_MIN);
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, d31, &none, tz),
	                 CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(a.deadline_utc, dl31);
	assert_int_equal(dl31, ymdhms(2026, 3, 31, 21, 59, 59));    /* CEST, in UTC */
	b = a;
	assert_int_equal(apply(&a, &none, CASE_STOP, dl31), CASE_CH_STOP);
	assert_int_equal(case_decide(&a, dl31 + DAY), CASE_MET);
	assert_int_equal(apply(&b, &none, CASE_STOP, dl31 + 1), CASE_CH_STOP);
	assert_int_equal(case_decide(&b, dl31 + 1), CASE_MISSED);

	/* An earlier date is no extension; the deadline never moves earlier. */
	a = one_case(&none, start, INT64_MIN);
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, days_from_civil(2026, 3, 10), &none, tz),
	                 CASE_CH_EXTEND);
	assert_int_equal(a.deadline_utc, loc(2026, 3, 16, 23, 59, 59));

	/* Two dates in either order: the latest. */
	a = one_case(&none, start, INT64_MIN);
	b = a;
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, d20, &none, tz), CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, d31, &none, tz), CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(case_apply(&b, CASE_EXTEND, t, d31, &none, tz), CASE_CH_EXTEND | CASE_CH_DEADLINE);
	assert_int_equal(case_apply(&b, CASE_EXTEND, t, d20, &none, tz), 0);
	assert_same_state(&a, &b);
	assert_int_equal(a.deadline_utc, dl31);

	/* A date and an amount together: the later deadline (30 March by amount). */
	a = one_case(&r, start, INT64_MIN);
	assert_true(case_apply(&a, CASE_EXTEND, t, d20, &r, tz) >= 0);
	assert_true(apply(&a, &r, CASE_EXTEND, t) >= 0);
	assert_int_equal(a.deadline_utc, loc(2026, 3, 30, 23, 59, 59));
	assert_true(case_apply(&a, CASE_EXTEND, t, d31, &r, tz) >= 0);
	assert_int_equal(a.deadline_utc, dl31);

	/* Read before the start: kept, applied when the start arrives. */
	case_init(&a);
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, d31, &none, tz), CASE_CH_EXTEND);
	assert_int_equal(case_decide(&a, t), CASE_NOT_IN_COHORT);
	assert_int_equal(case_next_decision(&a), INT64_MAX);
	assert_int_equal(apply(&a, &none, CASE_START, start), CASE_CH_START | CASE_CH_DEADLINE);
	assert_int_equal(a.deadline_utc, dl31);

	/* Bounds. */
	a = one_case(&none, start, INT64_MIN);
	keep = a;
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, CASE_DAY_MAX, &none, tz), -ERANGE);
	assert_int_equal(case_apply(&a, CASE_EXTEND, t, CASE_DAY_MIN - 1, &none, tz), -ERANGE);
	assert_memory_equal(&a, &keep, sizeof(a));
}

/* A missed case given an uppskov is pending again; the counters follow. */
static void
test_extend_after_missed(void **state)
{
	struct cohort_rule r = rule("2w", "2w");
	int64_t start = loc(2026, 3, 2, 10, 0, 0), dl = loc(2026, 3, 16, 23, 59, 59);
	struct cohort_change ch[2];
	struct case_state st;

	(void)state;
	st = one_case(&r, start, INT64_MIN);
	assert_int_equal(case_report(&st, start, ch), 1);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.pending, 1);
	assert_int_equal(case_report(&st, dl, ch), 0);
	assert_int_equal(case_report(&st, case_next_decision(&st), ch), 1);
	assert_int_equal(ch[0].d.pending, -1);
	assert_int_equal(ch[0].d.missed, 1);
	assert_int_equal(ch[0].d.met, 0);

	assert_true(apply(&st, &r, CASE_EXTEND, dl + HOUR) & CASE_CH_DEADLINE);
	assert_int_equal(case_report(&st, dl + 2 * HOUR, ch), 1);
	assert_int_equal(ch[0].d.missed, -1);
	assert_int_equal(ch[0].d.pending, 1);
	assert_true(apply(&st, &r, CASE_STOP, dl + DAY) >= 0);
	assert_int_equal(case_report(&st, dl + DAY, ch), 1);
	assert_int_equal(ch[0].d.pending, -1);
	assert_int_equal(ch[0].d.met, 1);
	assert_int_equal(st.reported, CASE_MET);
	assert_int_equal(st.reported_month, MARCH);
}

/* ---------------------------------------------------- order and duplicates */

static void
test_stop_before_start(void **state)
{
	struct cohort_rule r = rule("24h", NULL);
	int64_t start = loc(2026, 3, 2, 10, 0, 0);
	struct cohort_change ch[2];
	struct case_state st, other;

	(void)state;
	/* Read out of order: the stop waits for its start. */
	case_init(&st);
	assert_int_equal(apply(&st, &r, CASE_STOP, start + HOUR), CASE_CH_STOP);
	assert_int_equal(case_decide(&st, start + 2 * DAY), CASE_NOT_IN_COHORT);
	assert_int_equal(case_next_decision(&st), INT64_MAX);
	assert_int_equal(apply(&st, &r, CASE_START, start), CASE_CH_START | CASE_CH_DEADLINE);
	assert_int_equal(case_decide(&st, start + 2 * DAY), CASE_MET);
	other = one_case(&r, start, start + HOUR);
	assert_same_state(&st, &other);
	assert_int_equal(case_report(&st, start + 2 * DAY, ch), 1);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.met, 1);
	assert_int_equal(ch[0].d.missed + ch[0].d.pending, 0);

	/* A stop a minute before the start (two systems' clocks): a wait of 0, met. */
	st = one_case(&r, start, start - 60);
	assert_int_equal(case_decide(&st, start), CASE_MET);
	case_init(&other);
	assert_true(apply(&other, &r, CASE_STOP, start - 60) >= 0);
	assert_true(apply(&other, &r, CASE_START, start) >= 0);
	assert_same_state(&st, &other);
	assert_int_equal(case_decide(&other, start), CASE_MET);
}

/* The earliest stop counts: early and late stops, in both orders. */
static void
test_duplicate_stops(void **state)
{
	struct cohort_rule r = rule("24h", NULL);
	int64_t start = loc(2026, 3, 2, 10, 0, 0), early = start + HOUR, late = start + 30 * HOUR;
	struct cohort_change ch[2];
	struct case_state ab, ba;

	(void)state;
	/* Early then late: met, and the late one changes nothing. */
	ab = one_case(&r, start, early);
	assert_int_equal(case_report(&ab, early, ch), 1);
	assert_int_equal(ch[0].d.met, 1);
	assert_int_equal(apply(&ab, &r, CASE_STOP, late), 0);
	assert_int_equal(case_decide(&ab, late), CASE_MET);
	assert_int_equal(case_report(&ab, late, ch), 0);
	assert_int_equal(apply(&ab, &r, CASE_STOP, early), 0);      /* the very same stop again */

	/* Late then early: missed, then met when the early one is read. */
	ba = one_case(&r, start, late);
	assert_int_equal(case_report(&ba, late, ch), 1);
	assert_int_equal(ch[0].d.missed, 1);
	assert_int_equal(apply(&ba, &r, CASE_STOP, early), CASE_CH_STOP);
	assert_int_equal(case_decide(&ba, late), CASE_MET);
	assert_int_equal(case_report(&ba, late, ch), 1);
	assert_int_equal(ch[0].d.missed, -1);
	assert_int_equal(ch[0].d.met, 1);
	assert_int_equal(ch[0].d.pending, 0);
	assert_same_state(&ab, &ba);

	/* Two late stops: missed either way, the earlier one kept. */
	ab = one_case(&r, start, late);
	assert_int_equal(apply(&ab, &r, CASE_STOP, late + DAY), 0);
	ba = one_case(&r, start, late + DAY);
	assert_int_equal(apply(&ba, &r, CASE_STOP, late), CASE_CH_STOP);
	assert_same_state(&ab, &ba);
	assert_int_equal(case_decide(&ab, late), CASE_MISSED);
}

/* The earliest start counts; an earlier one in another month moves the case. */
static void
test_duplicate_starts(void **state)
{
	struct cohort_rule r = rule("7d", NULL);
	int64_t first = loc(2026, 2, 28, 23, 0, 0), second = loc(2026, 3, 1, 0, 30, 0);
	struct cohort_change ch[2];
	struct case_state st, other;

	(void)state;
	st = one_case(&r, second, INT64_MIN);
	assert_int_equal(st.month, MARCH);
	assert_int_equal(case_report(&st, second, ch), 1);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.pending, 1);
	assert_int_equal(apply(&st, &r, CASE_START, second + HOUR), 0);   /* later: ignored */

	assert_int_equal(apply(&st, &r, CASE_START, first), CASE_CH_START | CASE_CH_DEADLINE);
	assert_int_equal(st.month, MARCH - 1);
	assert_int_equal(st.deadline_utc, loc(2026, 3, 7, 23, 59, 59));
	assert_int_equal(case_report(&st, second, ch), 2);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.pending, -1);
	assert_int_equal(ch[1].month, MARCH - 1);
	assert_int_equal(ch[1].d.pending, 1);
	assert_int_equal(case_report(&st, second, ch), 0);

	/* Both orders give one state. */
	other = one_case(&r, first, INT64_MIN);
	assert_int_equal(apply(&other, &r, CASE_START, second), 0);
	assert_int_equal(case_report(&other, second, ch), 1);
	assert_same_state(&st, &other);

	/* Moved month and outcome at once: out of March as met, into February as missed. */
	st = one_case(&r, second, loc(2026, 3, 8, 12, 0, 0));
	assert_int_equal(case_report(&st, second, ch), 1);
	assert_int_equal(ch[0].d.met, 1);
	assert_true(apply(&st, &r, CASE_START, first) >= 0);
	assert_int_equal(case_report(&st, second, ch), 2);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.met, -1);
	assert_int_equal(ch[1].month, MARCH - 1);
	assert_int_equal(ch[1].d.missed, 1);
}

/* A stop without a start is no cohort member; it is kept until its expiry. */
static void
test_orphan_and_expiry(void **state)
{
	struct cohort_rule r = rule("24h", NULL);
	int64_t t = loc(2026, 3, 2, 10, 0, 0);
	struct cohort_change ch[2];
	struct case_state st;

	(void)state;
	case_init(&st);
	assert_int_equal(case_expiry(&st, CASE_KEEP_S), INT64_MIN);
	assert_int_equal(case_decide(&st, t), CASE_NOT_IN_COHORT);
	assert_int_equal(apply(&st, &r, CASE_STOP, t), CASE_CH_STOP);
	assert_int_equal(case_decide(&st, INT64_MAX), CASE_NOT_IN_COHORT);
	assert_int_equal(case_next_decision(&st), INT64_MAX);
	assert_int_equal(case_report(&st, t + 400 * DAY, ch), 0);
	assert_int_equal(st.reported, CASE_NOT_IN_COHORT);
	assert_int_equal(case_expiry(&st, CASE_KEEP_S), t + CASE_KEEP_S);
	assert_int_equal(case_expiry(&st, -5), t);
	assert_int_equal(case_expiry(&st, INT64_MAX), INT64_MAX);

	/* An orphan extension date: kept past the end of that day in any zone. */
	case_init(&st);
	assert_true(case_apply(&st, CASE_EXTEND, t, days_from_civil(2026, 3, 31), &r, tz) >= 0);
	assert_true(case_expiry(&st, 0) > loc(2026, 3, 31, 23, 59, 59));
	assert_true(case_expiry(&st, 0) <= ymdhms(2026, 4, 2, 0, 0, 0));

	/* Started: counted from the later of deadline and stop. */
	st = one_case(&r, t, INT64_MIN);
	assert_int_equal(case_expiry(&st, DAY), st.deadline_utc + DAY);
	assert_true(apply(&st, &r, CASE_STOP, t + 10 * DAY) >= 0);
	assert_int_equal(case_expiry(&st, DAY), t + 11 * DAY);
}

static void
test_apply_rejects(void **state)
{
	struct cohort_rule r = rule("24h", NULL), bad = r;
	struct case_state st, keep;

	(void)state;
	st = one_case(&r, loc(2026, 3, 2, 10, 0, 0), INT64_MIN);
	keep = st;
	assert_int_equal(case_apply(&st, (enum case_ev)7, 0, CASE_NO_DAY, &r, tz), -EINVAL);
	assert_int_equal(apply(&st, &r, CASE_STOP, CASE_T_MAX), -ERANGE);
	assert_int_equal(apply(&st, &r, CASE_START, CASE_T_MIN - 1), -ERANGE);
	assert_int_equal(apply(&st, &r, CASE_START, INT64_MIN), -ERANGE);
	bad.within.n = 0;
	assert_int_equal(apply(&st, &bad, CASE_STOP, 0), -EINVAL);
	bad.within = (struct dl_span){ DL_DAYS, DL_MAX_DAYS + 1 };
	assert_int_equal(apply(&st, &bad, CASE_STOP, 0), -EINVAL);
	bad = r;
	bad.extend_by = (struct dl_span){ DL_HOURS, -1 };
	assert_int_equal(apply(&st, &bad, CASE_STOP, 0), -EINVAL);
	assert_memory_equal(&st, &keep, sizeof(st));

	/* The bounds themselves are accepted, and the extreme deadline still formats. */
	r = rule("8760h", "366d");
	case_init(&st);
	assert_true(apply(&st, &r, CASE_START, CASE_T_MAX - 1) >= 0);
	assert_true(apply(&st, &r, CASE_EXTEND, CASE_T_MAX - 1) >= 0);
	assert_true(case_apply(&st, CASE_EXTEND, 0, CASE_DAY_MAX - 1, &r, tz) >= 0);
	assert_true(apply(&st, &r, CASE_STOP, CASE_T_MIN) >= 0);
	{
		char buf[CASE_TEXT_MAX];
		struct case_state back;
		int n = case_format(&st, buf, sizeof(buf));

		assert_true(n > 0);
		assert_int_equal(case_parse(buf, (size_t)n, &back), 0);
		assert_same_state(&st, &back);
	}
}

/* -------------------------------------------------------------- text form */

static void
test_text_roundtrip(void **state)
{
	struct cohort_rule r = rule("2w", "2w");
	int64_t start = loc(2026, 3, 2, 10, 0, 0);
	struct case_state st, back, cases[6];
	struct cohort_change ch[2];
	char buf[CASE_TEXT_MAX], small[CASE_TEXT_MAX];
	int n;

	(void)state;
	/* The exact text of a hand-made state, with a time before 1970. */
	st = (struct case_state){
		.has_start = true, .start_utc = -86400, .deadline_utc = 2000, .month = 1969 * 12 + 11,
		.has_ext_day = true, .ext_day = -3, .reported = CASE_MISSED, .reported_month = 23639,
	};
	n = case_format(&st, buf, sizeof(buf));
	assert_string_equal(buf, "s=-86400 p=- d=2000 m=23639 a=0 t=-3 r=x:23639");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(case_parse(buf, (size_t)n, &back), 0);
	assert_memory_equal(&back, &st, sizeof(st));

	case_init(&cases[0]);
	case_init(&cases[1]);
	assert_true(apply(&cases[1], &r, CASE_STOP, start) >= 0);
	cases[2] = one_case(&r, start, INT64_MIN);
	assert_true(case_report(&cases[2], start, ch) == 1);
	cases[3] = one_case(&r, start, start + 20 * DAY);
	assert_true(apply(&cases[3], &r, CASE_EXTEND, start) >= 0);
	assert_true(case_apply(&cases[3], CASE_EXTEND, start, days_from_civil(2026, 4, 30), &r, tz) >= 0);
	assert_true(case_report(&cases[3], start + 30 * DAY, ch) == 1);
	cases[4] = one_case(&r, start, start + 30 * DAY);
	assert_true(case_report(&cases[4], start + 30 * DAY, ch) == 1);
	cases[5] = one_case(&r, start, INT64_MIN);
	assert_true(case_report(&cases[5], start + 30 * DAY, ch) == 1);
	assert_true(apply(&cases[5], &r, CASE_START, start - 40 * DAY) >= 0);  /* not reported yet */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = case_format(&cases[i], buf, sizeof(buf));
		assert_true(n > 0 && n < CASE_TEXT_MAX);
		memset(&back, 0x5a, sizeof(back));
		assert_int_equal(case_parse(buf, (size_t)n, &back), 0);
		assert_memory_equal(&back, &cases[i], sizeof(back));
		/* Too small a buffer: -ENOBUFS, buffer untouched. */
		memset(small, 'q', sizeof(small));
		assert_int_equal(case_format(&cases[i], small, (size_t)n), -ENOBUFS);
		assert_int_equal(small[0], 'q');
		assert_int_equal(case_format(&cases[i], small, (size_t)n + 1), n);
	}
	n = case_format(&cases[0], buf, sizeof(buf));
	assert_string_equal(buf, "s=- p=- d=- m=- a=0 t=- r=-");
	n = case_format(&cases[3], buf, sizeof(buf));
	assert_non_null(strstr(buf, " a=1 t=20573 r=M:24314"));  /* its extension counted */
}

static void
test_text_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"s=- p=- d=- m=- a=0 t=-",                              /* no r */
		"s=- p=- d=- m=- a=0 t=- r=",
		"s=- p=- d=- m=- a=0 t=- r=- ",                         /* trailing space */
		" s=- p=- d=- m=- a=0 t=- r=-",
		"s=-  p=- d=- m=- a=0 t=- r=-",
		"p=- s=- d=- m=- a=0 t=- r=-",                          /* order */
		"s=- p=- d=- m=- a=- t=- r=-",                          /* a absent */
		"s=- p=- d=- m=- a=2 t=- r=-",
		"s=- p=- d=- m=- a=01 t=- r=-",
		"s=- p=- d=- m=- a=0 t=- r=-x",
		"s=- p=- d=- m=- a=0 t=- r=m",
		"s=- p=- d=- m=- a=0 t=- r=m:",
		"s=- p=- d=- m=- a=0 t=- r=q:24314",
		"s=- p=- d=- m=- a=0 t=- r=m:24314x",
		"s=- p=- d=- m=- a=0 t=- r=m:024314",
		"s=- p=- d=- m=- a=0 t=- r=m:1",                        /* month out of range */
		"s=- p=- d=- m=- a=0 t=- r=-:24314",
		"s=-- p=- d=- m=- a=0 t=- r=-",
		"s=-0 p=- d=- m=- a=0 t=- r=-",
		"s=+5 p=- d=- m=- a=0 t=- r=-",
		"s=- p=01 d=- m=- a=0 t=- r=-",                         /* "0" is fine, "01" is not */
		"s=- p=99999999999999999999 d=- m=- a=0 t=- r=-",       /* overflow */
		"s=- p=253402300800 d=- m=- a=0 t=- r=-",               /* past CASE_T_MAX */
		"s=- p=- d=- m=- a=0 t=2567655 r=-",                    /* past CASE_DAY_MAX */
		"s=1772442000 p=- d=- m=- a=0 t=- r=-",                 /* start without deadline */
		"s=1772442000 p=- d=1773705599 m=- a=0 t=- r=-",        /* ... or month */
		"s=- p=- d=1773705599 m=24314 a=0 t=- r=-",             /* deadline without start */
		"s=1772442000 p=- d=1772441999 m=24314 a=0 t=- r=-",    /* deadline before start */
		"s=1772442000 p=- d=1773705599 m=24320 a=0 t=- r=-",    /* month far from start */
		"s=1772442000 p=- d=1773705599 m=24314 a=0 t=- r=m:24314 s=1",
		"s=1772442000\tp=- d=1773705599 m=24314 a=0 t=- r=-",
		"S=- p=- d=- m=- a=0 t=- r=-",
		"s=- p=- d=- m=- a=0 t=- r=M:24314",
	};
	static const char ok[] = "s=1772442000 p=0 d=1773705599 m=24314 a=1 t=20573 r=m:24314";
	struct case_state st, keep;
	char longer[2 * CASE_TEXT_MAX];

	(void)state;
	assert_int_equal(case_parse(ok, strlen(ok), &st), 0);
	keep = st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (case_parse(bad[i], strlen(bad[i]), &st) != -EINVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_memory_equal(&st, &keep, sizeof(st));
	}
	assert_int_equal(case_parse("s=- p=0 d=- m=- a=0 t=- r=-", 27, &st), 0);
	/* Every proper prefix of a valid text is refused; len is respected. */
	for (size_t n = 0; n < strlen(ok); n++)
		if (case_parse(ok, n, &st) == 0 && n != strlen(ok))
			fail_msg("prefix of %zu bytes accepted", n);
	/* A NUL inside, and text over CASE_TEXT_MAX - 1 bytes. */
	assert_int_equal(case_parse("s=- p=- d=- m=- a=0\0t=- r=-", 27, &st), -EINVAL);
	memset(longer, ' ', sizeof(longer));
	memcpy(longer, ok, strlen(ok));
	assert_int_equal(case_parse(longer, CASE_TEXT_MAX, &st), -EINVAL);
	assert_int_equal(case_parse(NULL, 0, &st), -EINVAL);
}

/*
 * Uppskov as cases (ärenden): case_report counts a case with an extension
 * once in its month's "extended" counter, however many extensions and
 * repeated lines it has, moves it with the case, and a state written
 * before the counter existed (lowercase r) is counted at its next report.
 */
static void
test_extended_once(void **state)
{
	struct cohort_rule r = rule("2w", "2w");
	int64_t start = loc(2026, 3, 2, 10, 0, 0), feb = loc(2026, 2, 20, 10, 0, 0);
	int64_t apr30 = days_from_civil(2026, 4, 30), may5 = days_from_civil(2026, 5, 5);
	struct case_state st, back;
	struct cohort_change ch[2];
	char buf[CASE_TEXT_MAX];
	int n;

	(void)state;
	/* Started, no extension: pending, not extended. */
	st = one_case(&r, start, INT64_MIN);
	assert_int_equal(case_report(&st, start, ch), 1);
	assert_int_equal(ch[0].d.pending, 1);
	assert_int_equal(ch[0].d.extended, 0);
	/* The first extension: +1 extended, the outcome stays. */
	assert_true(case_apply(&st, CASE_EXTEND, start + DAY, apr30, &r, tz) > 0);
	assert_int_equal(case_report(&st, start + DAY, ch), 1);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.extended, 1);
	assert_int_equal(ch[0].d.pending, 0);
	assert_int_equal(ch[0].d.met + ch[0].d.missed, 0);
	assert_true(st.reported_ext);
	/* A second postponement, a repeated line and one by amount: the same case, no change. */
	assert_true(case_apply(&st, CASE_EXTEND, start + 2 * DAY, may5, &r, tz) > 0);
	assert_int_equal(case_report(&st, start + 2 * DAY, ch), 0);
	assert_int_equal(case_apply(&st, CASE_EXTEND, start + 3 * DAY, may5, &r, tz), 0);
	assert_int_equal(case_report(&st, start + 3 * DAY, ch), 0);
	assert_true(apply(&st, &r, CASE_EXTEND, start + 4 * DAY) > 0);
	assert_int_equal(case_report(&st, start + 4 * DAY, ch), 0);
	/* Decided: the outcome moves, extended stays counted. */
	assert_true(apply(&st, &r, CASE_STOP, start + 20 * DAY) > 0);
	assert_int_equal(case_report(&st, start + 20 * DAY, ch), 1);
	assert_int_equal(ch[0].d.met, 1);
	assert_int_equal(ch[0].d.pending, -1);
	assert_int_equal(ch[0].d.extended, 0);
	/* Its text says the extension is counted (uppercase), and reads back. */
	n = case_format(&st, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, " r=M:24314"));
	assert_int_equal(case_parse(buf, (size_t)n, &back), 0);
	assert_memory_equal(&back, &st, sizeof(st));
	/* An earlier start in February moves the case, its extension with it. */
	assert_true(apply(&st, &r, CASE_START, feb) > 0);
	assert_int_equal(case_report(&st, start + 20 * DAY, ch), 2);
	assert_int_equal(ch[0].month, MARCH);
	assert_int_equal(ch[0].d.extended, -1);
	assert_int_equal(ch[0].d.met, -1);
	assert_int_equal(ch[1].month, MARCH - 1);
	assert_int_equal(ch[1].d.extended, 1);
	assert_int_equal(ch[1].d.met + ch[1].d.missed, 1);
	assert_int_equal(case_report(&st, start + 21 * DAY, ch), 0);

	/* An extension read before the start: counted with it, in one change. */
	case_init(&st);
	assert_true(case_apply(&st, CASE_EXTEND, start, apr30, &r, tz) > 0);
	assert_int_equal(case_report(&st, start, ch), 0);       /* not in the cohort yet */
	assert_true(apply(&st, &r, CASE_START, start) > 0);
	assert_int_equal(case_report(&st, start, ch), 1);
	assert_int_equal(ch[0].d.pending, 1);
	assert_int_equal(ch[0].d.extended, 1);

	/* A state from before the counter: lowercase r, its extension counted at the next report. */
	static const char old[] = "s=1772442000 p=- d=1773705599 m=24314 a=1 t=- r=p:24314";
	assert_int_equal(case_parse(old, strlen(old), &st), 0);
	assert_false(st.reported_ext);
	assert_int_equal(st.reported, CASE_PENDING);
	assert_int_equal(case_report(&st, 1772442000, ch), 1);
	assert_int_equal(ch[0].month, 24314);
	assert_int_equal(ch[0].d.extended, 1);
	assert_int_equal(ch[0].d.pending + ch[0].d.met + ch[0].d.missed, 0);
	assert_int_equal(case_report(&st, 1772442000, ch), 0);
	n = case_format(&st, buf, sizeof(buf));
	assert_non_null(strstr(buf, " r=P:24314"));
	/* Uppercase for a case without an extension cannot be: refused. */
	static const char bad[] = "s=1772442000 p=- d=1773705599 m=24314 a=0 t=- r=X:24314";
	assert_int_equal(case_parse(bad, strlen(bad), &back), -EINVAL);
}

/* ---------------------------------------------------------------- deltas */

static void
test_case_delta(void **state)
{
	static const enum case_outcome all[] = {
		CASE_NOT_IN_COHORT, CASE_PENDING, CASE_MET, CASE_MISSED,
	};
	struct cohort_delta d;

	(void)state;
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < 4; j++) {
			int counted_before = all[i] != CASE_NOT_IN_COHORT;
			int counted_after = all[j] != CASE_NOT_IN_COHORT;

			case_delta(all[i], all[j], &d);
			assert_int_equal(d.met + d.missed + d.pending, counted_after - counted_before);
			assert_int_equal(d.met, (all[j] == CASE_MET) - (all[i] == CASE_MET));
			assert_int_equal(d.missed, (all[j] == CASE_MISSED) - (all[i] == CASE_MISSED));
			assert_int_equal(d.pending, (all[j] == CASE_PENDING) - (all[i] == CASE_PENDING));
			assert_int_equal(d.extended, 0);        /* case_report decides it */
		}
}

/* xorshift64*: deterministic. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(uint64_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) % n;
}

struct ev {
	enum case_ev kind;
	int64_t utc, day;
};

#define NCASES  2000
#define MAXEV   7
#define M0      (2026 * 12)             /* counters for January .. December 2026 */
#define NMONTHS 12

static int
slot(enum case_outcome o)
{
	return o == CASE_PENDING ? 0 : o == CASE_MET ? 1 : 2;
}

/* Transitions seen by add_changes: month moves, missed -> met, missed -> pending, pending -> missed. */
static unsigned seen_move, seen_rescued, seen_reopened, seen_expired;

/* Adds one case_report's changes to the month counters. */
static void
add_changes(int64_t cnt[NMONTHS][4], const struct cohort_change *ch, int n)
{
	assert_in_range(n, 0, 2);
	seen_move += n == 2;
	for (int i = 0; i < n; i++) {
		seen_rescued += ch[i].d.missed < 0 && ch[i].d.met > 0;
		seen_reopened += ch[i].d.missed < 0 && ch[i].d.pending > 0;
		seen_expired += ch[i].d.pending < 0 && ch[i].d.missed > 0;
		int64_t m = ch[i].month - M0;

		assert_true(m >= 0 && m < NMONTHS);
		assert_in_range(ch[i].d.pending + 1, 0, 2);
		assert_in_range(ch[i].d.met + 1, 0, 2);
		assert_in_range(ch[i].d.missed + 1, 0, 2);
		cnt[m][0] += ch[i].d.pending;
		cnt[m][1] += ch[i].d.met;
		cnt[m][2] += ch[i].d.missed;
		assert_in_range(ch[i].d.extended + 1, 0, 2);
		cnt[m][3] += ch[i].d.extended;
	}
}

/* The counters equal the cases' outcomes: reported ones (live) or decided at now. */
static void
assert_counts(int64_t cnt[NMONTHS][4], const struct case_state *st, size_t n, bool decide,
              int64_t now)
{
	int64_t want[NMONTHS][4] = { { 0 } };

	for (size_t c = 0; c < n; c++) {
		enum case_outcome o = decide ? case_decide(&st[c], now) : st[c].reported;
		int64_t m = decide ? st[c].month : st[c].reported_month;

		if (o == CASE_NOT_IN_COHORT)
			continue;
		assert_true(m - M0 >= 0 && m - M0 < NMONTHS);
		want[m - M0][slot(o)]++;
		/* a case with an extension counts once in its month, as reported or as it is */
		want[m - M0][3] += decide ? st[c].ext_by_amount || st[c].has_ext_day : st[c].reported_ext;
	}
	assert_memory_equal(want, cnt, sizeof(want));
}

/*
 * Random cases around both DST switches of 2026, each with up to MAXEV
 * starts, stops and extensions applied in a random order. The cases are
 * read round-robin, one event each, the clock moving on between rounds;
 * every state goes through its text form between events (as it would
 * through Redis). After every event the summed case_report changes equal
 * the reported outcomes; after a timer pass (case_report for every case
 * whose case_next_decision has come) they equal case_decide at that time.
 * Finally the state does not depend on the order of the events.
 */
static void
check_consistency(const struct cohort_rule *r)
{
	static struct case_state st[NCASES];
	static char text[NCASES][CASE_TEXT_MAX];
	static struct ev ev[NCASES][MAXEV];
	static size_t nev[NCASES];
	int64_t cnt[NMONTHS][4] = { { 0 } };
	int64_t spring = loc(2026, 3, 10, 0, 0, 0), autumn = loc(2026, 10, 5, 0, 0, 0);
	int64_t now = spring;
	struct cohort_change ch[2];

	for (size_t c = 0; c < NCASES; c++) {
		int64_t s = (c % 2 ? autumn : spring) + (int64_t)rnd(40 * DAY);
		size_t n = 0;

		for (uint64_t k = rnd(3); k > 0; k--)
			ev[c][n++] = (struct ev){ CASE_START, s + (int64_t)rnd(3 * DAY) - DAY, 0 };
		for (uint64_t k = rnd(3); k > 0; k--)
			ev[c][n++] = (struct ev){ CASE_STOP, s + (int64_t)rnd(25 * DAY) - HOUR, 0 };
		for (uint64_t k = rnd(3); k > 0; k--)
			ev[c][n++] = (struct ev){
				CASE_EXTEND, s + (int64_t)rnd(10 * DAY),
				rnd(2) ? CASE_NO_DAY : floor_div(wall(s), DAY) + (int64_t)rnd(30),
			};
		nev[c] = n;
		case_init(&st[c]);
		assert_true(case_format(&st[c], text[c], CASE_TEXT_MAX) > 0);
	}

	for (size_t round = 0; round < MAXEV; round++) {
		/* Read round: events in a random order within each case (Fisher-Yates on the fly). */
		for (size_t c = 0; c < NCASES; c++) {
			struct ev e;
			size_t j;

			if (round >= nev[c])
				continue;
			j = round + (size_t)rnd(nev[c] - round);
			e = ev[c][j];
			ev[c][j] = ev[c][round];
			ev[c][round] = e;
			assert_int_equal(case_parse(text[c], strlen(text[c]), &st[c]), 0);
			assert_true(case_apply(&st[c], e.kind, e.utc, e.day, r, tz) >= 0);
			add_changes(cnt, ch, case_report(&st[c], now, ch));
			assert_true(case_format(&st[c], text[c], CASE_TEXT_MAX) > 0);
		}
		assert_counts(cnt, st, NCASES, false, now);
		/* The clock moves on; the timer decides what time alone decides. */
		now += (int64_t)rnd(12 * DAY);
		for (size_t c = 0; c < NCASES; c++)
			if (case_next_decision(&st[c]) <= now) {
				add_changes(cnt, ch, case_report(&st[c], now, ch));
				assert_true(case_format(&st[c], text[c], CASE_TEXT_MAX) > 0);
			}
		assert_counts(cnt, st, NCASES, false, now);
		assert_counts(cnt, st, NCASES, true, now);
	}
	/* Long after: every case decided, none pending. */
	now = loc(2027, 6, 1, 0, 0, 0);
	for (size_t c = 0; c < NCASES; c++) {
		if (case_next_decision(&st[c]) <= now)
			add_changes(cnt, ch, case_report(&st[c], now, ch));
		assert_int_not_equal(case_decide(&st[c], now), CASE_PENDING);
	}
	assert_counts(cnt, st, NCASES, true, now);
	for (int m = 0; m < NMONTHS; m++)
		assert_int_equal(cnt[m][0], 0);

	/* The same events in their original order (reversed here) give the same state. */
	for (size_t c = 0; c < NCASES; c++) {
		struct case_state again;

		case_init(&again);
		for (size_t k = nev[c]; k-- > 0;)
			assert_true(case_apply(&again, ev[c][k].kind, ev[c][k].utc, ev[c][k].day, r, tz) >= 0);
		again.reported = st[c].reported;
		again.reported_month = st[c].reported_month;
		again.reported_ext = st[c].reported_ext;
		assert_same_state(&again, &st[c]);
	}
}

static void
test_delta_consistency(void **state)
{
	struct cohort_rule a = rule("7d", "2w"), b = rule("24h", "36h"), c = rule("2w", "1d");

	(void)state;
	check_consistency(&a);
	check_consistency(&b);
	check_consistency(&c);
	/* The random cases did exercise every kind of change. */
	assert_true(seen_move > 0);
	assert_true(seen_rescued > 0);
	assert_true(seen_reopened > 0);
	assert_true(seen_expired > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dl_parse),
		cmocka_unit_test(test_hours_exact),
		cmocka_unit_test(test_days_exact),
		cmocka_unit_test(test_hours_dst),
		cmocka_unit_test(test_days_dst),
		cmocka_unit_test(test_extend_by_amount),
		cmocka_unit_test(test_extend_to_date),
		cmocka_unit_test(test_extend_after_missed),
		cmocka_unit_test(test_stop_before_start),
		cmocka_unit_test(test_duplicate_stops),
		cmocka_unit_test(test_duplicate_starts),
		cmocka_unit_test(test_orphan_and_expiry),
		cmocka_unit_test(test_apply_rejects),
		cmocka_unit_test(test_text_roundtrip),
		cmocka_unit_test(test_text_rejects),
		cmocka_unit_test(test_case_delta),
		cmocka_unit_test(test_extended_once),
		cmocka_unit_test(test_delta_consistency),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
