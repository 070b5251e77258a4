/*
 * alert.c — pure alert logic: the early-warning state machine of one
 * indicator, when a period's summary is due, and the retry schedule of a
 * delivery. No I/O, no allocation, no global state: the caller persists
 * struct ew_state (as ew_format text) and delivers the messages.
 */
#include "core.h"
#include "alert.h"
#include "indicator.h"
#include "period.h"
#include "scan.h"
#include "tq_config.h"
#include "tz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>


/* Stable names, used in the alerts stream, the webhook and X-Teleqd-Kind. */
const char *
alert_kind_name(enum alert_kind k)
{
	switch (k) {
	case AK_BREACH:   return "breach";
	case AK_REMINDER: return "reminder";
	case AK_RESOLVED: return "resolved";
	case AK_SUMMARY:  return "summary";
	case AK_TEST:     return "test";
	case AK_STALE:    return "stale";
	case AK_STALE_REMINDER: return "stale_reminder";
	case AK_FRESH:    return "fresh";
	case AK_RESET:    return "reset";
	case AK_REDIS_EVICTS: return "redis_evicts";
	case AK_REDIS_OK: return "redis_ok";
	case AK__MAX:     break;
	}
	return "unknown";
}

/*
 * True when value is on the right side of the target by at least h (a
 * fraction; negative counts as 0): ">=" and ">" need value >= target + h,
 * "<=" and "<" need value <= target - h, and in every case the target
 * itself must be met (with h = 0, "> 55 %" is not recovered at 55 %).
 * Comparisons go through target_met so they round like the judgement.
 */
static bool
recovered(const struct indicator *ind, double h, double value)
{
	if (!(h > 0))
		h = 0;          /* also a NaN from a broken config */
	if (!target_met(ind->cmp, ind->target, value))
		return false;
	if (ind->cmp == CMP_GE || ind->cmp == CMP_GT)
		return target_met(CMP_GE, ind->target + h, value);
	return target_met(CMP_LE, ind->target - h, value);
}

/* now - then >= span without overflow (then and now come from stored state). */
static bool
elapsed(int64_t then, int64_t now, int64_t span)
{
	int64_t d;

	if (__builtin_sub_overflow(now, then, &d))
		return now > then;
	return d >= span;
}

/*
 * One step of the early-warning state machine (contract in alert.h).
 * Refinements of that contract, all chosen to avoid misleading mail:
 *   - a step for a month older than the one watched (the clock went back,
 *     or a late recompute) changes nothing;
 *   - a breach in the hysteresis band (target met again, but not by
 *     ac->hysteresis) still holds, yet is neither reminded nor announced
 *     late: a "still below the target" message would be false then;
 *   - ac->repeat_s <= 0 turns reminders and flap suppression off (every
 *     new breach is announced once, never reminded).
 * The caller decides which indicators take part (ind->early_warning).
 * Returns the message to send, EW_NONE for none; *ret_next is always
 * written (it may alias cur).
 */
enum ew_action
ew_step(const struct alert_conf *ac, const struct indicator *ind,
        const struct ew_state *cur, int64_t month, const struct outcome *o,
        int64_t now, struct ew_state *ret_next)
{
	struct ew_state s = *cur;
	bool repeats = ac->repeat_s > 0, missed;

	if (s.month >= 0 && month < s.month) {
		*ret_next = s;
		return EW_NONE;
	}
	if (s.month != month)
		/* The month summary reports the old month; the new one starts clean. */
		s = (struct ew_state){ .month = month };

	/* Too few cases, or no value yet: noise, keep whatever state there is. */
	if (!o->has_value || o->den < ac->min_denominator) {
		*ret_next = s;
		return EW_NONE;
	}
	missed = !target_met(ind->cmp, ind->target, o->value);

	if (!s.breach) {
		if (!missed) {
			*ret_next = s;
			return EW_NONE;
		}
		s.breach = true;
		/* A flap: the last breach message is recent, so this one stays quiet. */
		if (repeats && s.last_alert != 0 && !elapsed(s.last_alert, now, ac->repeat_s)) {
			s.announced = false;
			*ret_next = s;
			return EW_NONE;
		}
		s.announced = true;
		s.last_alert = now;
		*ret_next = s;
		return EW_BREACH;
	}

	if (recovered(ind, ac->hysteresis, o->value)) {
		bool owed = s.announced;

		s.breach = false;
		s.announced = false;
		/* last_alert stays: it is what keeps a flap back to a breach quiet. */
		*ret_next = s;
		return owed ? EW_RESOLVED : EW_NONE;
	}
	if (missed && repeats && elapsed(s.last_alert, now, ac->repeat_s)) {
		enum ew_action a = s.announced ? EW_REMINDER : EW_BREACH;

		s.announced = true;
		s.last_alert = now;
		*ret_next = s;
		return a;
	}
	*ret_next = s;
	return EW_NONE;
}

/*
 * Writes "m=<month> b=<0|1> a=<0|1> t=<last_alert>" NUL-terminated into
 * buf. Returns its length, or -ENOBUFS when it does not fit in len bytes
 * (buf then untouched).
 */
int
ew_format(const struct ew_state *s, char *buf, size_t len)
{
	char tmp[96];
	int n;

	n = snprintf(tmp, sizeof(tmp), "m=%" PRId64 " b=%d a=%d t=%" PRId64,
	             s->month, s->breach ? 1 : 0, s->announced ? 1 : 0, s->last_alert);
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	memcpy(buf, tmp, (size_t)n + 1);
	return n;
}

/*
 * Parses exactly what ew_format writes (s need not be NUL-terminated):
 * single spaces, no leading zeros, b and a 0 or 1, month >= -1 and
 * last_alert >= 0. Returns 0 and *ret, or -EINVAL (*ret untouched).
 */
int
ew_parse(const char *s, size_t len, struct ew_state *ret)
{
	size_t pos = 0;
	int64_t m, b, a, t;

	if (!s)
		return -EINVAL;
	if (!scan_lit(s, len, &pos, "m=") || scan_int(s, len, &pos, true, &m) < 0 ||
	    !scan_lit(s, len, &pos, " b=") || scan_int(s, len, &pos, false, &b) < 0 ||
	    !scan_lit(s, len, &pos, " a=") || scan_int(s, len, &pos, false, &a) < 0 ||
	    !scan_lit(s, len, &pos, " t=") || scan_int(s, len, &pos, false, &t) < 0)
		return -EINVAL;
	if (pos != len || m < -1 || b > 1 || a > 1 || t < 0)
		return -EINVAL;
	*ret = (struct ew_state){ .month = m, .breach = b == 1, .announced = a == 1, .last_alert = t };
	return 0;
}

/*
 * The latest period of kind whose end plus grace_s is at or before
 * now_wall. A period ends at local midnight after its last day, so it is
 * due when (last_day + 1) * 86400 <= now_wall - grace_s, i.e. when it ends
 * on or before day D = floor((now_wall - grace_s) / 86400). The period
 * holding day D has not ended by then; the one right before it has. Meant
 * for P_MONTH .. P_YEAR; P_DAY follows the same rule. A negative grace_s
 * counts as 0.
 */
struct period
summary_latest_due(enum period_kind kind, int64_t now_wall, int64_t grace_s)
{
	struct period open;
	int64_t x;

	if (grace_s < 0)
		grace_s = 0;
	if (__builtin_sub_overflow(now_wall, grace_s, &x))
		x = INT64_MIN;
	open = period_of_day(kind, floor_div(x, SECS_PER_DAY));
	return period_of_day(kind, open.first_day - 1);
}

/* How many months a cadence spans: the order CADENCE_MONTH < ... < CADENCE_YEAR. */
static unsigned
cadence_months(enum cadence c)
{
	switch (c) {
	case CADENCE_MONTH:   return 1;
	case CADENCE_QUARTER: return 3;
	case CADENCE_HALF:    return 6;
	case CADENCE_YEAR:    return 12;
	}
	return 12;
}

/*
 * Whether ind belongs in the summary of a period of kind: a month summary
 * has every indicator (the samordnare follows all of them monthly); a
 * quarter, half or year summary those whose cadence is at most that long
 * (a half-yearly indicator is not judged on a quarter). Day and rolling
 * periods have no summary: false.
 */
bool
summary_includes(const struct indicator *ind, enum period_kind kind)
{
	switch (kind) {
	case P_MONTH:   return true;
	case P_QUARTER: return cadence_months(ind->cadence) <= 3;
	case P_HALF:    return cadence_months(ind->cadence) <= 6;
	case P_YEAR:    return cadence_months(ind->cadence) <= 12;
	default:        return false;
	}
}

/*
 * Seconds to wait before retry number attempt (1-based; 0 counts as 1):
 * retry_min_s * 2^(attempt - 1), capped at retry_max_s. Doubling stops at
 * the cap, so a large attempt neither overflows nor loops long. Never
 * negative.
 */
int64_t
retry_delay(const struct alert_conf *ac, unsigned attempt)
{
	int64_t d = ac->retry_min_s, max = ac->retry_max_s;

	if (max < 0)
		max = 0;
	if (d <= 0)
		return 0;
	for (unsigned i = 1; i < attempt && d < max; i++)
		d = d > max / 2 ? max : d * 2;
	return d < max ? d : max;
}
