/*
 * indicator.c — the committee's indicators computed from counter sums.
 *
 * Pure: no I/O, no allocation. Shared by teleqctl (reports) and the
 * daemon's recompute, so both give the same figures.
 *
 * Judging rule (documented for the office): a value is rounded to four
 * decimals (0.01 percentage points), half away from zero, before it is
 * compared with the target, which is rounded the same way. So 11/20 = 0.55
 * meets ">= 55 %" although its binary double is not exactly 0.55, and the
 * rounded value is also the one reports print (0.7633 -> 76 %).
 */
#include <math.h>
#include <string.h>
#include <stdint.h>

#include "indicator.h"
#include "map.h"
#include "tq_config.h"

/* a + b saturated to the int64 range (see indicator.h). */
int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/*
 * A deadline indicator's counter "<name>|met", "|missed", "|pending" or
 * "|extended" (the part after "deadline:"): met counts in num and den
 * (decided), missed in den, pending and extended (cases with a
 * postponement, whatever their outcome) apart. Fields of indicators no longer configured are ignored.
 */
static void
accumulate_deadline(const struct config *cfg, const char *s, size_t len, int64_t value,
                    struct ind_sums *sums)
{
	const char *bar = memchr(s, '|', len);
	size_t nlen, olen;

	if (!bar)
		return;
	nlen = (size_t)(bar - s);
	olen = len - nlen - 1;
	for (size_t i = 0; i < cfg->nindicators; i++) {
		const struct indicator *ind = &cfg->indicators[i];

		if (ind->kind != IND_DEADLINE || strlen(ind->name) != nlen ||
		    memcmp(ind->name, s, nlen) != 0)
			continue;
		if (olen == 3 && !memcmp(bar + 1, "met", 3)) {
			sums[i].num = sat_add(sums[i].num, value);
			sums[i].den = sat_add(sums[i].den, value);
		} else if (olen == 6 && !memcmp(bar + 1, "missed", 6)) {
			sums[i].den = sat_add(sums[i].den, value);
		} else if (olen == 7 && !memcmp(bar + 1, "pending", 7)) {
			sums[i].pending = sat_add(sums[i].pending, value);
		} else if (olen == 8 && !memcmp(bar + 1, "extended", 8)) {
			sums[i].extended = sat_add(sums[i].extended, value);
		}
		return;
	}
}

/*
 * Adds value to the sides of every indicator whose filter matches the
 * counter field[0..flen) (format of combo_format). sums holds
 * cfg->nindicators entries. Fields that do not parse, or hold names the
 * config does not know, count nowhere.
 */
void
ind_accumulate(const struct config *cfg, const char *field, size_t flen,
               int64_t value, struct ind_sums *sums)
{
	static const char pfx[] = "deadline:";
	struct combo c;

	if (flen > sizeof(pfx) - 1 && !memcmp(field, pfx, sizeof(pfx) - 1)) {
		accumulate_deadline(cfg, field + sizeof(pfx) - 1, flen - (sizeof(pfx) - 1), value,
		    sums);
		return;
	}
	if (combo_parse(cfg, field, flen, &c) < 0 || c.event == 0)
		return;
	for (size_t i = 0; i < cfg->nindicators; i++) {
		const struct indicator *ind = &cfg->indicators[i];

		if (ind->kind == IND_DEADLINE)
			continue;       /* counted from its deadline: fields only */
		if (filter_match(&ind->num, &c))
			sums[i].num = sat_add(sums[i].num, value);
		/* A growth indicator has no denominator filter: its "den" is the
		 * numerator of the previous period, summed by the caller. */
		if (ind->kind == IND_RATIO && filter_match(&ind->den, &c))
			sums[i].den = sat_add(sums[i].den, value);
	}
}

/* value rounded to 4 decimals, half away from zero, as a count of 1/10000. */
static double
round4_units(double v)
{
	return round(v * 10000.0);
}

/*
 * Outcome of one indicator over months[0..n) (per-month sums in order).
 *   ratio, pooled:         value = sum num / sum den (none when sum den = 0)
 *   ratio, mean of months: value = mean of num/den over the months with
 *                          den > 0 (none when there is no such month);
 *                          num/den still hold the sums, nmonths the months
 *                          that counted
 *   growth:                value = sum num / sum prev num - 1 (none when
 *                          the previous period counted 0 or prev is NULL);
 *                          num = this period, den = previous period
 * met is -1 without a value or when den is below min_denominator (ratio:
 * the summed denominator; growth: the previous period's count, as
 * conf/teleqd.yaml documents: +40 % from 5 to 7 cases is noise too), else
 * target_met(). *ret is always written.
 */
void
ind_outcome(const struct indicator *ind, const struct ind_sums *months,
            const struct ind_sums *prev, unsigned n, struct outcome *ret)
{
	struct outcome o = { .met = -1 };
	double mean = 0.0;

	for (unsigned k = 0; k < n; k++) {
		o.num = sat_add(o.num, months[k].num);
		o.pending = sat_add(o.pending, months[k].pending);
		o.extended = sat_add(o.extended, months[k].extended);
		if (ind->kind == IND_GROWTH) {
			if (prev)
				o.den = sat_add(o.den, prev[k].num);
			continue;
		}
		o.den = sat_add(o.den, months[k].den);
		if (months[k].den > 0) {
			mean += (double)months[k].num / (double)months[k].den;
			o.nmonths++;
		}
	}

	if (ind->kind == IND_GROWTH) {
		if (prev && o.den > 0) {
			o.value = (double)o.num / (double)o.den - 1.0;
			o.has_value = true;
		}
	} else if (ind->combine == COMBINE_MEAN_OF_MONTHS) {
		if (o.nmonths > 0) {
			o.value = mean / o.nmonths;
			o.has_value = true;
		}
	} else if (o.den > 0) {
		o.value = (double)o.num / (double)o.den;
		o.has_value = true;
	}

	if (o.has_value && o.den >= ind->min_denominator)
		o.met = target_met(ind->cmp, ind->target, o.value) ? 1 : 0;
	*ret = o;
}

/*
 * True when value satisfies "value <cmp> target", both rounded to four
 * decimals first (see the top of this file). A NaN or infinite value
 * never meets a target. The rounded values are whole numbers of 1/10000
 * held in doubles, so the comparison itself is exact.
 */
bool
target_met(enum cmp cmp, double target, double value)
{
	double v, t;

	if (!isfinite(value) || !isfinite(target))
		return false;
	v = round4_units(value);
	t = round4_units(target);
	switch (cmp) {
	case CMP_GE: return v >= t;
	case CMP_GT: return v > t;
	case CMP_LE: return v <= t;
	case CMP_LT: return v < t;
	}
	return false;
}

/* ASCII symbol of a comparison: ">=", ">", "<=", "<"; "?" for a bad value. */
const char *
cmp_symbol(enum cmp cmp)
{
	switch (cmp) {
	case CMP_GE: return ">=";
	case CMP_GT: return ">";
	case CMP_LE: return "<=";
	case CMP_LT: return "<";
	}
	return "?";
}
