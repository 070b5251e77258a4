/*
 * cohort.c — deadline indicators, the pure core: deadline spans and their
 * rule over local calendar days, the per-case state (start, stop,
 * extensions) with its outcome and the counter changes it owes, and the
 * state's text form. No I/O, no allocation, no global state; the rules
 * themselves are stated in cohort.h.
 *
 * Every state field is a minimum or maximum over the events seen (earliest
 * start, earliest stop, latest extension date, an extension by amount at
 * all), and the deadline and month are derived from those alone, so the
 * same events in any order give the same state.
 */
#include "core.h"
#include "cohort.h"
#include "period.h"
#include "scan.h"
#include "tq_config.h"
#include "tz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define HOUR_S 3600

/* Bounds case_parse holds deadlines and months to (a little past the event bounds). */
#define CASE_D_MAX      (CASE_T_MAX + 800 * (int64_t)SECS_PER_DAY)
#define CASE_MONTH_MIN  (1899 * 12)
#define CASE_MONTH_MAX  (9001 * 12)     /* exclusive */

/* ------------------------------------------------------------------ spans */

static bool
span_valid(const struct dl_span *s)
{
	if (s->unit == DL_HOURS)
		return s->n >= 1 && s->n <= DL_MAX_HOURS;
	if (s->unit == DL_DAYS)
		return s->n >= 1 && s->n <= DL_MAX_DAYS;
	return false;
}

/*
 * Parses a deadline span (contract in cohort.h). Digits beyond the largest
 * bound are only scanned, so nothing overflows however many there are.
 */
int
dl_parse(const char *s, size_t len, struct dl_span *ret)
{
	int64_t v = 0, max;
	size_t i = 0;
	struct dl_span sp;

	if (!s)
		return -EINVAL;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		if (v <= DL_MAX_HOURS)
			v = v * 10 + (s[i] - '0');
	if (i == 0 || i + 1 != len)
		return -EINVAL;
	switch (s[i]) {
	case 'h': sp.unit = DL_HOURS; max = DL_MAX_HOURS; break;
	case 'd': sp.unit = DL_DAYS;  max = DL_MAX_DAYS;  break;
	case 'w': sp.unit = DL_DAYS;  max = DL_MAX_WEEKS; break;
	default:
		return -EINVAL;
	}
	if (v < 1 || v > max)
		return -ERANGE;
	sp.n = (int32_t)(s[i] == 'w' ? v * 7 : v);
	*ret = sp;
	return 0;
}

/* The local day number of instant utc. */
static int64_t
local_day(const struct tz *tz, int64_t utc)
{
	return floor_div(utc + tz_utc_offset(tz, utc), SECS_PER_DAY);
}

/* The last instant of local day day: one second before the next day's 00:00 begins. */
static int64_t
day_end(const struct tz *tz, int64_t day)
{
	return tz_wall_to_utc(tz, (day + 1) * SECS_PER_DAY, NULL) - 1;
}

/*
 * Instant t moved later by s: hours as elapsed time, days to the same local
 * wall time n days later (read by tz_wall_to_utc's gap and fold rules).
 */
static int64_t
span_shift(const struct dl_span *s, const struct tz *tz, int64_t t)
{
	if (s->unit == DL_HOURS)
		return t + (int64_t)s->n * HOUR_S;
	return tz_wall_to_utc(tz, t + tz_utc_offset(tz, t) + (int64_t)s->n * SECS_PER_DAY, NULL);
}

/*
 * Hours: in time while fewer than n hours have passed. Days: to the end of
 * the local day n days after the start's day.
 */
int64_t
dl_deadline(const struct dl_span *s, const struct tz *tz, int64_t start_utc)
{
	if (s->unit == DL_HOURS)
		return start_utc + (int64_t)s->n * HOUR_S - 1;
	return day_end(tz, local_day(tz, start_utc) + s->n);
}

/* ------------------------------------------------------------------ cases */

void
case_init(struct case_state *st)
{
	*st = (struct case_state){ .reported = CASE_NOT_IN_COHORT };
}

/*
 * The deadline of a started case: the base deadline, or later when an
 * extension says so. An extension by amount moves the first late instant
 * (deadline + 1), so an end-of-day deadline stays at the end of a day.
 */
static int64_t
derive_deadline(const struct case_state *st, const struct cohort_rule *rule, const struct tz *tz)
{
	int64_t base = dl_deadline(&rule->within, tz, st->start_utc), d = base, e;

	if (st->ext_by_amount) {
		e = span_shift(&rule->extend_by, tz, base + 1) - 1;
		if (e > d)
			d = e;
	}
	if (st->has_ext_day) {
		e = day_end(tz, st->ext_day);
		if (e > d)
			d = e;
	}
	return d;
}

/*
 * A start or a stop: the earliest one seen counts (events arrive in any
 * order). Sets *at to t when none was seen or t is earlier; true when it did.
 */
static bool
keep_earliest(bool *has, int64_t *at, int64_t t)
{
	if (*has && t >= *at)
		return false;
	*has = true;
	*at = t;
	return true;
}

/* Applies one event (contract in cohort.h); works on a copy so *st is untouched on failure. */
int
case_apply(struct case_state *st, enum case_ev kind, int64_t utc, int64_t extend_to_day,
           const struct cohort_rule *rule, const struct tz *tz)
{
	struct case_state s = *st;
	int ch = 0;

	if (!span_valid(&rule->within) ||
	    (rule->extend_by.n != 0 && !span_valid(&rule->extend_by)))
		return -EINVAL;
	if (utc < CASE_T_MIN || utc >= CASE_T_MAX)
		return -ERANGE;

	switch (kind) {
	case CASE_START:
		if (keep_earliest(&s.has_start, &s.start_utc, utc))
			ch |= CASE_CH_START;
		break;
	case CASE_STOP:
		if (keep_earliest(&s.has_stop, &s.stop_utc, utc))
			ch |= CASE_CH_STOP;
		break;
	case CASE_EXTEND:
		if (extend_to_day == CASE_NO_DAY) {
			if (rule->extend_by.n == 0)
				return -EINVAL;
			if (!s.ext_by_amount) {
				s.ext_by_amount = true;
				ch |= CASE_CH_EXTEND;
			}
		} else {
			if (extend_to_day < CASE_DAY_MIN || extend_to_day >= CASE_DAY_MAX)
				return -ERANGE;
			if (!s.has_ext_day || extend_to_day > s.ext_day) {
				s.has_ext_day = true;
				s.ext_day = extend_to_day;
				ch |= CASE_CH_EXTEND;
			}
		}
		break;
	default:
		return -EINVAL;
	}

	if (s.has_start && (ch & (CASE_CH_START | CASE_CH_EXTEND))) {
		s.deadline_utc = derive_deadline(&s, rule, tz);
		s.month = month_of_day(local_day(tz, s.start_utc));
		if (!st->has_start || s.deadline_utc != st->deadline_utc)
			ch |= CASE_CH_DEADLINE;
	}
	*st = s;
	return ch;
}

enum case_outcome
case_decide(const struct case_state *st, int64_t now_utc)
{
	if (!st->has_start)
		return CASE_NOT_IN_COHORT;
	if (st->has_stop)
		/* A stop before the start (clock skew) is a wait of 0: met. */
		return st->stop_utc <= st->deadline_utc ? CASE_MET : CASE_MISSED;
	return now_utc <= st->deadline_utc ? CASE_PENDING : CASE_MISSED;
}

int64_t
case_next_decision(const struct case_state *st)
{
	/* deadline_utc < CASE_D_MAX, so + 1 cannot overflow. */
	if (st->has_start && !st->has_stop)
		return st->deadline_utc + 1;
	return INT64_MAX;
}

int64_t
case_expiry(const struct case_state *st, int64_t keep_s)
{
	int64_t last = INT64_MIN, r;

	if (st->has_start) {
		last = st->start_utc;
		if (st->deadline_utc > last)
			last = st->deadline_utc;
	}
	if (st->has_stop && st->stop_utc > last)
		last = st->stop_utc;
	/* The end of an extension date in any zone (offsets stay within a day). */
	if (st->has_ext_day && (st->ext_day + 2) * SECS_PER_DAY > last)
		last = (st->ext_day + 2) * SECS_PER_DAY;
	if (last == INT64_MIN)
		return INT64_MIN;
	if (keep_s < 0)
		keep_s = 0;
	if (__builtin_add_overflow(last, keep_s, &r))
		return INT64_MAX;
	return r;
}

/* -1 for the counter of before, +1 for the counter of after (none for not in the cohort). */
void
case_delta(enum case_outcome before, enum case_outcome after, struct cohort_delta *ret)
{
	struct cohort_delta d = { 0, 0, 0, 0 };

	if (before != after) {
		d.pending = (after == CASE_PENDING) - (before == CASE_PENDING);
		d.met = (after == CASE_MET) - (before == CASE_MET);
		d.missed = (after == CASE_MISSED) - (before == CASE_MISSED);
	}
	*ret = d;
}

/* Whether the case has an extension (uppskov) of either kind. */
static bool
has_extension(const struct case_state *st)
{
	return st->ext_by_amount || st->has_ext_day;
}

int
case_report(struct case_state *st, int64_t now_utc, struct cohort_change ret[2])
{
	enum case_outcome cur = case_decide(st, now_utc), old = st->reported;
	int64_t month = cur == CASE_NOT_IN_COHORT ? 0 : st->month;
	/* counted in extended: in the cohort with an extension (one per case) */
	bool ext = cur != CASE_NOT_IN_COHORT && has_extension(st), old_ext = st->reported_ext;
	int n = 0;

	if (cur == old && month == st->reported_month && ext == old_ext)
		return 0;
	if (old != CASE_NOT_IN_COHORT && cur != CASE_NOT_IN_COHORT && month == st->reported_month) {
		ret[n].month = month;
		case_delta(old, cur, &ret[n].d);
		ret[n++].d.extended = (int32_t)ext - (int32_t)old_ext;
	} else {
		/* Out of the month it was counted in, into the month of its start. */
		if (old != CASE_NOT_IN_COHORT) {
			ret[n].month = st->reported_month;
			case_delta(old, CASE_NOT_IN_COHORT, &ret[n].d);
			ret[n++].d.extended = -(int32_t)old_ext;
		}
		if (cur != CASE_NOT_IN_COHORT) {
			ret[n].month = month;
			case_delta(CASE_NOT_IN_COHORT, cur, &ret[n].d);
			ret[n++].d.extended = (int32_t)ext;
		}
	}
	st->reported = cur;
	st->reported_month = month;
	st->reported_ext = ext;
	return n;
}

/* -------------------------------------------------------------- text form */

/* Appends " key=" and v, or '-' when !has, to buf at *pos (buf holds CASE_TEXT_MAX). */
static void
put_field(char *buf, size_t *pos, const char *key, bool has, int64_t v)
{
	int n;

	if (has)
		n = snprintf(buf + *pos, CASE_TEXT_MAX - *pos, "%s%s=%" PRId64,
		             *pos ? " " : "", key, v);
	else
		n = snprintf(buf + *pos, CASE_TEXT_MAX - *pos, "%s%s=-", *pos ? " " : "", key);
	if (n > 0)
		*pos += (size_t)n;
}

/* The r letter: lowercase, uppercase when the extension is counted too (ext). */
static char
outcome_letter(enum case_outcome o, bool ext)
{
	switch (o) {
	case CASE_PENDING: return ext ? 'P' : 'p';
	case CASE_MET:     return ext ? 'M' : 'm';
	case CASE_MISSED:  return ext ? 'X' : 'x';
	default:           return '-';
	}
}

int
case_format(const struct case_state *st, char *buf, size_t len)
{
	char tmp[CASE_TEXT_MAX];
	size_t pos = 0;
	int n;

	put_field(tmp, &pos, "s", st->has_start, st->start_utc);
	put_field(tmp, &pos, "p", st->has_stop, st->stop_utc);
	put_field(tmp, &pos, "d", st->has_start, st->deadline_utc);
	put_field(tmp, &pos, "m", st->has_start, st->month);
	put_field(tmp, &pos, "a", true, st->ext_by_amount ? 1 : 0);
	put_field(tmp, &pos, "t", st->has_ext_day, st->ext_day);
	if (st->reported == CASE_NOT_IN_COHORT)
		n = snprintf(tmp + pos, sizeof(tmp) - pos, " r=-");
	else
		n = snprintf(tmp + pos, sizeof(tmp) - pos, " r=%c:%" PRId64,
		             outcome_letter(st->reported, st->reported_ext), st->reported_month);
	if (n < 0 || pos + (size_t)n >= sizeof(tmp))
		return -ENOBUFS;
	pos += (size_t)n;
	if (pos >= len)
		return -ENOBUFS;
	memcpy(buf, tmp, pos + 1);
	return (int)pos;
}

/*
 * Reads lit then '-' (absent: *ret_has false) or an integer in [lo, hi).
 * Absent means a '-' that ends the text or is followed by a space.
 */
static bool
opt_field(const char *s, size_t len, size_t *pos, const char *lit, int64_t lo, int64_t hi,
          bool *ret_has, int64_t *ret)
{
	size_t i;

	if (!scan_lit(s, len, pos, lit))
		return false;
	i = *pos;
	if (i < len && s[i] == '-' && (i + 1 == len || s[i + 1] == ' ')) {
		*pos = i + 1;
		*ret_has = false;
		*ret = 0;
		return true;
	}
	if (scan_int(s, len, pos, true, ret) < 0 || *ret < lo || *ret >= hi)
		return false;
	*ret_has = true;
	return true;
}

/*
 * Reads " r=" then "-" (nothing reported) or "<p|m|x>:<month>" into
 * st->reported*, uppercase "<P|M|X>:" with the extension counted too.
 */
static bool
reported_field(const char *s, size_t len, size_t *pos, struct case_state *st)
{
	static const struct { const char *tag; enum case_outcome o; bool ext; } tags[] = {
		{ "p:", CASE_PENDING, false }, { "m:", CASE_MET, false }, { "x:", CASE_MISSED, false },
		{ "P:", CASE_PENDING, true },  { "M:", CASE_MET, true },  { "X:", CASE_MISSED, true },
	};

	if (!scan_lit(s, len, pos, " r="))
		return false;
	if (scan_lit(s, len, pos, "-"))
		return true;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (scan_lit(s, len, pos, tags[i].tag)) {
			st->reported = tags[i].o;
			st->reported_ext = tags[i].ext;
			return scan_int(s, len, pos, true, &st->reported_month) == 0 &&
			       st->reported_month >= CASE_MONTH_MIN && st->reported_month < CASE_MONTH_MAX;
		}
	return false;
}

int
case_parse(const char *s, size_t len, struct case_state *ret)
{
	struct case_state st;
	size_t pos = 0;
	bool has_d, has_m, has_a;
	int64_t a;

	if (!s || len >= CASE_TEXT_MAX)
		return -EINVAL;
	case_init(&st);
	if (!opt_field(s, len, &pos, "s=", CASE_T_MIN, CASE_T_MAX, &st.has_start, &st.start_utc) ||
	    !opt_field(s, len, &pos, " p=", CASE_T_MIN, CASE_T_MAX, &st.has_stop, &st.stop_utc) ||
	    !opt_field(s, len, &pos, " d=", CASE_T_MIN, CASE_D_MAX, &has_d, &st.deadline_utc) ||
	    !opt_field(s, len, &pos, " m=", CASE_MONTH_MIN, CASE_MONTH_MAX, &has_m, &st.month) ||
	    !opt_field(s, len, &pos, " a=", 0, 2, &has_a, &a) ||
	    !opt_field(s, len, &pos, " t=", CASE_DAY_MIN, CASE_DAY_MAX, &st.has_ext_day, &st.ext_day) ||
	    !reported_field(s, len, &pos, &st))
		return -EINVAL;
	if (pos != len || !has_a)
		return -EINVAL;
	st.ext_by_amount = a == 1;
	/* An extension counted needs one (lowercase: not counted yet, see case_report). */
	if (st.reported_ext && !has_extension(&st))
		return -EINVAL;
	/* A start comes with its deadline and month, never one without the others. */
	if (has_d != st.has_start || has_m != st.has_start)
		return -EINVAL;
	if (st.has_start) {
		int64_t utc_month = month_of_day(floor_div(st.start_utc, SECS_PER_DAY));

		/* The deadline is never before the start; the local month is the UTC one +- 1. */
		if (st.deadline_utc < st.start_utc || st.month < utc_month - 1 || st.month > utc_month + 1)
			return -EINVAL;
	}
	*ret = st;
	return 0;
}
