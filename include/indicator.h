/* indicator.h — indicator.c: indicator outcomes from counter sums. Conventions: core.h. */
#ifndef TQ_INDICATOR_H
#define TQ_INDICATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tq_config.h"

/* ------------------------------------------------------------ indicator.c */
struct outcome {
	int64_t num, den;       /* pooled sums (growth: this period, previous period) */
	double  value;          /* fraction; valid when has_value */
	bool    has_value;
	int     met;            /* 1 met, 0 missed, -1 unknown (no value, or den < min) */
	unsigned nmonths;       /* months that contributed (mean of months) */
	int64_t pending;        /* deadline: cases not decided yet (num met, den decided) */
	int64_t extended;       /* deadline: cases with a postponement (uppskov), any outcome */
};
/* Counter totals of one month (or any span) per indicator side. */
#define CFG_MAX_INDS    64      /* indicators in a config */
/* Counter field of a deadline indicator in a month hash: name, met|missed|pending|extended. */
#define DEADLINE_FIELD_FMT "deadline:%s|%s"
struct ind_sums {
	int64_t num, den;
	int64_t pending;        /* deadline: cases not decided yet (num = met, den = decided) */
	int64_t extended;       /* deadline: cases with a postponement (uppskov), any outcome */
};
/*
 * Adds the counters of one hash (field names as combo_format, values as
 * decimal text) into per-indicator sums (arrays of cfg->nindicators).
 */
/* a + b saturated to the int64 range: counters come from Redis, unchecked. */
int64_t sat_add(int64_t a, int64_t b);
void ind_accumulate(const struct config *cfg, const char *field, size_t flen,
                    int64_t value, struct ind_sums *sums);
/*
 * Outcome of indicator i over months[0..n) (one ind_sums per month, in
 * order) according to its combine rule. For growth, prev holds the same
 * months one year earlier (n entries); otherwise prev may be NULL.
 */
void ind_outcome(const struct indicator *ind, const struct ind_sums *months,
                 const struct ind_sums *prev, unsigned n, struct outcome *ret);
bool target_met(enum cmp cmp, double target, double value);
const char *cmp_symbol(enum cmp cmp);   /* ">=", ... */

#endif /* TQ_INDICATOR_H */
