/* prognos.h — prognos.c: the projection of a running period's final value. Conventions: core.h. */
#ifndef TQ_PROGNOS_H
#define TQ_PROGNOS_H

#include <stdbool.h>
#include <stdint.h>

#include "indicator.h"
#include "period.h"
#include "tq_config.h"

struct ind_table;

/* ------------------------------------------------------------- prognos.c */
/*
 * Prognos (pure): the value a running period is heading for. The months
 * so far keep their figures (the current month's counts scaled up to the
 * whole month); each month still to come is given the average of the
 * last PROGNOS_TRAIL months so far that have data. Pooled ratios and
 * deadlines average numerator and denominator, mean-of-months averages the
 * monthly ratios, growth averages the count and compares the total with
 * the whole same period one year earlier. The method in words, for the
 * page: PROGNOS_METHOD_SV.
 */
#define PROGNOS_TRAIL 3
#define PROGNOS_METHOD_SV "utfallet hittills och resterande månader med snittet av de senaste tre"

struct prognos {
	double   value;             /* fraction (growth: change); valid when has_value */
	bool     has_value;
	unsigned nsofar, nleft;     /* months of the period so far (the current one included), to come */
};
/*
 * Projection of indicator ind from months[0..nsofar) (its sums of the
 * period's months up to and including the current one, a month without
 * counters all zero), the current month's elapsed share frac (0 < frac
 * <= 1) and ntotal months in the period (nsofar <= ntotal <= 12).
 * prev_total is growth's count over the whole same period a year earlier
 * (ignored otherwise). Returns 0 (ret->has_value false when no month so
 * far has data, or growth's prev_total is 0), or -EINVAL for arguments out
 * of range (*ret untouched).
 */
int  prognos_project(const struct indicator *ind, const struct ind_sums *months, unsigned nsofar,
                     double frac, unsigned ntotal, int64_t prev_total, struct prognos *ret);
/*
 * True when p is running on local day today: a month, quarter, half or
 * year that has begun and not ended (days and rolling windows have no
 * prognosis).
 */
bool prognos_running(const struct period *p, int64_t today);
/*
 * Projection of indicator i of cfg for period p (running on today) from
 * t, the table of p's span as the report reads it. prev_total as for
 * prognos_project(). Returns 0 (ret->has_value false when p is not
 * running or there is nothing to project from) or -EINVAL.
 */
int  prognos_of_table(const struct config *cfg, size_t i, const struct ind_table *t,
                      const struct period *p, int64_t today, int64_t prev_total,
                      struct prognos *ret);

#endif /* TQ_PROGNOS_H */
