/*
 * prognos.c — the projection of a running period's final value (item 6
 * of issue 18): what the follow-up, the report and its JSON show as
 * "Prognos" beside the figures so far.
 *
 * Pure: no Redis, no clock. The method is deliberately plain, so the
 * samordnare can redo it by hand and state it in one sentence
 * (PROGNOS_METHOD_SV): the months so far count as they are, the current
 * month's counts scaled up to the whole month (its ratio is not scaled: a
 * share over half a month estimates the month), and every month still to
 * come gets the average of the last PROGNOS_TRAIL months with data.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>

#include "indicator.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"

/*
 * Projection of ind from months[0..nsofar), the current month (the last)
 * frac elapsed, ntotal months in the period. 0 or -EINVAL (*ret untouched).
 */
int
prognos_project(const struct indicator *ind, const struct ind_sums *months, unsigned nsofar,
                double frac, unsigned ntotal, int64_t prev_total, struct prognos *ret)
{
	struct prognos pr = { 0 };
	double num = 0, den = 0, tnum = 0, tden = 0, ratios = 0, tratio = 0;
	unsigned ndata = 0, ntrail = 0;

	/* !(frac > 0) also refuses NaN */
	if (!ind || !months || !ret || nsofar == 0 || nsofar > ntotal || ntotal > IND_MAX_MONTHS ||
	    !(frac > 0) || frac > 1)
		return -EINVAL;
	pr.nsofar = nsofar;
	pr.nleft = ntotal - nsofar;

	/* Newest first, so the trailing average takes the last months with data. */
	for (unsigned k = nsofar; k-- > 0;) {
		double scale = k == nsofar - 1 ? 1.0 / frac : 1.0;
		double n = (double)months[k].num * scale, d = (double)months[k].den * scale;
		/* growth counts only its numerator; a ratio month has data when den > 0 */
		bool data = ind->kind == IND_GROWTH ? months[k].num > 0 : months[k].den > 0;

		num += n;
		den += d;
		if (!data)
			continue;
		if (ind->kind != IND_GROWTH) {
			ratios += (double)months[k].num / (double)months[k].den;
			ndata++;
		}
		if (ntrail < PROGNOS_TRAIL) {
			tnum += n;
			tden += d;
			if (ind->kind != IND_GROWTH)
				tratio += (double)months[k].num / (double)months[k].den;
			ntrail++;
		}
	}
	if (ntrail == 0) {
		*ret = pr;              /* nothing to project from */
		return 0;
	}
	tnum /= ntrail;
	tden /= ntrail;
	tratio /= ntrail;

	if (ind->kind == IND_GROWTH) {
		if (prev_total > 0) {
			pr.value = (num + pr.nleft * tnum) / (double)prev_total - 1.0;
			pr.has_value = true;
		}
	} else if (ind->kind == IND_RATIO && ind->combine == COMBINE_MEAN_OF_MONTHS) {
		/* the mean of the months with data and of the months to come */
		pr.value = (ratios + pr.nleft * tratio) / (double)(ndata + pr.nleft);
		pr.has_value = true;
	} else {
		/* pooled ratio, deadline (met of decided): sums so far plus averages to come */
		pr.value = (num + pr.nleft * tnum) / (den + pr.nleft * tden);
		pr.has_value = true;
	}
	*ret = pr;
	return 0;
}

/* True when p (a month .. a year) has begun and not ended on local day today. */
bool
prognos_running(const struct period *p, int64_t today)
{
	if (p->kind == P_DAY || p->kind == P_ROLLING)
		return false;
	return p->first_day <= today && today <= p->last_day;
}

/*
 * Projection of indicator i for period p from t (p's span, one bucket per
 * month with counters). 0 (no value when p is not running) or -EINVAL.
 */
int
prognos_of_table(const struct config *cfg, size_t i, const struct ind_table *t,
                 const struct period *p, int64_t today, int64_t prev_total, struct prognos *ret)
{
	struct ind_sums m[IND_MAX_MONTHS] = { { 0 } };
	int64_t first, cur = month_of_day(today), mstart;
	unsigned ntotal, nsofar;
	double frac;

	if (!cfg || !t || !p || !ret || i >= cfg->nindicators)
		return -EINVAL;
	if (!prognos_running(p, today)) {
		*ret = (struct prognos){ 0 };
		return 0;
	}
	period_months(p, &first, &ntotal);
	nsofar = (unsigned)(cur - first + 1);
	if (nsofar == 0 || nsofar > ntotal || ntotal > IND_MAX_MONTHS)
		return -EINVAL;
	/* the table has buckets only for months with counters, in order */
	for (unsigned b = 0; b < t->nmonths; b++) {
		int64_t k = t->monthno[b] - first;

		if (k >= 0 && k < (int64_t)nsofar)
			m[k] = t->sums[b * cfg->nindicators + i];
	}
	/* today counts as a day gone: its counters are in already */
	mstart = month_first_day(cur);
	frac = (double)(today - mstart + 1) / (double)(month_first_day(cur + 1) - mstart);
	return prognos_project(&cfg->indicators[i], m, nsofar, frac, ntotal, prev_total, ret);
}
