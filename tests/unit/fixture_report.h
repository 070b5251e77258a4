/*
 * fixture_report.h — the committee's Q1 2026 report for unit tests of the
 * follow-up's outputs (test_followup: the document, test_xlsx_layout: the
 * workbook), set by hand as compute_report would give it, so both test
 * the same figures.
 *
 * Indicators (fxr_inds, fixture_report_config): fixture_config()'s three
 * (fixture_config.h) and at index 3 a deadline indicator, svar_2v
 * "Svar från vårdgivare inom två veckor" (case.new to case.new, >= 80 %,
 * quarterly, min_denominator 5: Kvalitetsstyrning). fxr_inds has room for
 * one more (index FXR_FREE); a test that adds it raises nindicators.
 *
 * Include after <cmocka.h>: fixture_q1_report asserts with it.
 */
#ifndef FIXTURE_REPORT_H
#define FIXTURE_REPORT_H

#include <stdint.h>
#include <string.h>

#include "fixture_config.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"

enum { IND_DEADLINE_2W = 3, FXR_FREE = 4, FXR_MAX_INDS = 5 };

static struct indicator fxr_inds[FXR_MAX_INDS];
static uint16_t fxr_ev_case[] = { EV_CASE };
static struct clause fxr_case_clause[] = { { .dim = -1, .n = 1, .ids = fxr_ev_case } };

/* fixture_config() with the deadline indicator (4 indicators, in fxr_inds, reset each call). */
static inline struct config
fixture_report_config(void)
{
	struct config cfg = fixture_config();

	memset(fxr_inds, 0, sizeof(fxr_inds));
	memcpy(fxr_inds, cfg.indicators, 3 * sizeof(fxr_inds[0]));
	fxr_inds[IND_DEADLINE_2W] = (struct indicator){
		.name = "svar_2v", .title = "Svar från vårdgivare inom två veckor",
		.kind = IND_DEADLINE, .start = { 1, fxr_case_clause }, .stop = { 1, fxr_case_clause },
		.cmp = CMP_GE, .target = 0.80, .cadence = CADENCE_QUARTER, .min_denominator = 5,
	};
	cfg.indicators = fxr_inds;
	cfg.nindicators = 4;
	return cfg;
}

/*
 * rep for 2026-Q1 on day today (report_init over cfg) with the committee's
 * figures: digital 265 of 513 (52 %, not met), 200 of 409 a year earlier
 * (49 %); TeleQ the mean of 90, 73 and 66 % (76 %, met) over 441 of 600,
 * nothing a year earlier. The other indicators' results are zero, for the
 * test to set. The caller report_done()s rep.
 */
static inline void
fixture_q1_report(const struct config *cfg, struct report *rep, int64_t today)
{
	struct period q;

	assert_int_equal(period_parse("2026-Q1", today, &q), 0);
	assert_int_equal(report_init(rep, cfg, &q, today), 0);
	rep->r[IND_DIGITAL] = (struct ind_result){
		.cur = { .num = 265, .den = 513, .value = 265.0 / 513, .has_value = true, .met = 0 },
		.prev = { .num = 200, .den = 409, .value = 200.0 / 409, .has_value = true, .met = 0 },
	};
	rep->r[IND_TELEQ] = (struct ind_result){
		.cur = { .num = 441, .den = 600, .value = (0.9 + 0.73 + 0.66) / 3, .has_value = true,
		         .met = 1, .nmonths = 3 },
		.ncur_monthly = 3, .cur_monthly = { 0.9, 0.73, 0.66 },
	};
}

#endif /* FIXTURE_REPORT_H */
