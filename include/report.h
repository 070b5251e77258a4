/* report.h — report.c: the committee's report over a period. Conventions: core.h. */
#ifndef TQ_REPORT_H
#define TQ_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "indicator.h"
#include "period.h"
#include "prognos.h"
#include "tq_config.h"

/* --------------------------------------------------------------- report.c */
/*
 * The committee's report over a period (pure): what `teleqctl report`
 * prints and the daemon serves as /api/indicators and on its dashboard.
 * The caller reads the counter hashes of the report's spans, folds each
 * with ind_accumulate() into an ind_table (one bucket per local month),
 * and calls compute_report(); both programs thus give the same figures.
 */
#define IND_MAX_MONTHS  12      /* month buckets of one span: a year, or up to 3 for rolling */
#define REPORT_PERIOD_MAX 32    /* bytes of a PERIOD argument */
#define REPORT_PERIOD_SYNTAX "2026-03, 2026-Q1, 2026-H1, 2026, 2026-03-05 or rolling"

/* Counter sums of one span, bucketed by local month, as ind_accumulate() fills them. */
struct ind_table {
	unsigned         nmonths;
	int64_t          monthno[IND_MAX_MONTHS];
	struct ind_sums *sums;          /* [bucket * nindicators + indicator] */
};
/* Allocates an empty table for nind indicators. 0 or -ENOMEM (t untouched). */
int  ind_table_init(struct ind_table *t, size_t nind);
void ind_table_done(struct ind_table *t);       /* accepts NULL and zeroed */
/*
 * The nind sums of month monthno in t, a new bucket when it is not the
 * last one (callers feed months in ascending order). NULL when t is full.
 */
struct ind_sums *ind_table_month(struct ind_table *t, size_t nind, int64_t monthno);
/* Month number (y*12 + m-1) of bucket k of span s. */
int64_t span_month(const struct span *s, unsigned k);
/*
 * Outcome of indicator i of cfg over table t. before holds the same span
 * one year earlier, needed by growth indicators (NULL: no value). When
 * monthly is not NULL it gets the ratio of each month with den > 0, in
 * order, and *ret_nmonthly their count.
 */
void ind_table_outcome(const struct config *cfg, size_t i, const struct ind_table *t,
                       const struct ind_table *before, struct outcome *ret,
                       double monthly[IND_MAX_MONTHS], unsigned *ret_nmonthly);
/* Strict decimal int64 of a counter value s[0..len) (no blanks, no '+'). 0 or -EINVAL. */
int  report_parse_count(const char *s, size_t len, int64_t *ret);

/* One indicator's figures for the period and the same period a year earlier. */
struct ind_result {
	struct outcome cur, prev;
	unsigned       ncur_monthly, nprev_monthly;
	double         cur_monthly[IND_MAX_MONTHS];
	double         prev_monthly[IND_MAX_MONTHS];
	struct prognos proj;            /* cur's projected final value (prognos.c); none when closed */
};
/*
 * A manual indicator's figures (cfg->manuals[j]) for the period and the
 * same period one year earlier, as `teleqctl set` stored them, and the
 * samordnare's notes for the period (owned; NULL: none).
 */
struct manual_result {
	bool   has_value, prev_has_value;
	double value, prev_value;       /* in the indicator's unit */
	int    met, prev_met;           /* manual_met(): 1, 0, -1 not judged */
	char  *analys, *prognos;
};
/* The samordnare's notes on counted indicator i for the period (owned; NULL: none). */
struct report_note {
	char *analys, *prognos;
};
struct report {
	struct period     cur, prev;    /* the period, the same period one year earlier */
	char              cur_name[32], prev_name[32];
	int64_t           today;
	struct span       scur, sprev;  /* counter hashes of cur and of prev */
	struct span       sprev2;       /* of prev one year earlier: read when need_prev2 */
	bool              need_prev2;   /* some indicator is a growth */
	size_t            n;            /* cfg->nindicators */
	struct ind_result *r;
	/*
	 * Manual rows and notes, set by whoever reads them (teleqctl:
	 * ctl_manual_fetch); while manual_read is false the outputs leave
	 * them out rather than show every manual row as missing.
	 */
	bool              manual_read;
	size_t            nmanual;      /* cfg->nmanuals */
	struct manual_result *m;
	struct report_note *notes;      /* n entries */
};
/*
 * A PERIOD as teleqctl report takes it (REPORT_PERIOD_SYNTAX; "rolling"
 * ends with today), at most REPORT_PERIOD_MAX bytes. 0 or -EINVAL.
 */
int  report_parse_period(const char *s, int64_t today, struct period *ret);
/* Sets up rep for period p (spans, names, zeroed results). 0 or -ENOMEM; rep untouched on failure. */
int  report_init(struct report *rep, const struct config *cfg, const struct period *p, int64_t today);
void report_done(struct report *rep);           /* accepts NULL and zeroed */
/*
 * Fills rep->r from the tables of the period (cur), of the same period one
 * year earlier (prev) and two years earlier (prev2, for the growth of the
 * previous year; may be NULL), and for a running period (prognos_running)
 * each indicator's projection.
 */
void compute_report(const struct config *cfg, const struct ind_table *cur,
                    const struct ind_table *prev, const struct ind_table *prev2,
                    struct report *rep);
/*
 * The JSON report: an array with one object per indicator (indicator,
 * title, period, numerator, denominator, value, target, cmp, met, months
 * for mean-of-months, previous_year: the same object or null; for a running
 * period also projection: the prognos value or null). When rep->manual_read:
 * "analys" and "prognos" (strings) on an indicator with notes, then one
 * object per manual indicator: indicator, title, period, "kind": "manual",
 * unit, value (a number in the unit, null when not entered), target (null
 * without one), cmp, met, analys, prognos (null when none), previous_year
 * ({period, value, met} or null). Write errors show in ferror(out).
 */
void report_json(FILE *out, const struct config *cfg, const struct report *rep);
/* A JSON string literal of s (valid JSON even when s is not valid UTF-8). */
void report_json_string(FILE *out, const char *s);
/* Number formats of the reports. */
double report_whole_percent(double v);          /* 0.7350 -> 74, from the judged 4 decimals */
#define REPORT_MINUS "\xE2\x88\x92"     /* U+2212 MINUS SIGN: every negative figure */
#define REPORT_DASH  "\xE2\x80\x93"     /* U+2013 EN DASH: no value */
/* "52 %", "+25 %" (sign), "−3 %" (U+2212 either way), "0 %", "–" when not finite */
void report_fmt_percent(char *buf, size_t len, double v, bool sign);
void report_fmt_target(char *buf, size_t len, double target);   /* "55 %", "12,5 %", "−3 %" */
void report_fmt_frac(char *buf, size_t len, double v);                  /* "0.5166", "1" */
/* "265 av 513", "441 av 600, medel av 3 mån", "513 mot 409", "480 av 510 avgjorda, 3 pågående" */
void report_fmt_basis(char *buf, size_t len, const struct indicator *ind, const struct outcome *o);
/*
 * The basis of o with a mean of months' monthly shares monthly[0..n):
 * "90 % + 73 % + 66 % → medel 76 %" (the pooled "441 av 600" beside 76 %
 * reads as an error: 441/600 is 73.5 %); report_fmt_basis when ind is no
 * mean of months or n < 2. Shared by the dashboard and the alert mails.
 */
void report_fmt_basis_months(char *buf, size_t len, const struct indicator *ind,
                             const struct outcome *o, const double *monthly, unsigned n);
const char *report_cmp_sign(enum cmp cmp);      /* "≥", ">", "≤", "<" */
/*
 * True when o has no data at all (no value, so not judged): the one test
 * for "utan underlag" / "ej bedömt: inget underlag" in the alert summary,
 * the dashboard and teleqctl report. A value over too few cases has data.
 */
bool report_no_data(const struct outcome *o);
/* A period in Swedish words: "mars 2026", "kvartal 1 2026", "de senaste 30 dagarna". */
void report_fmt_period(char *buf, size_t len, const struct period *p);
/*
 * The overview of count indicators over p, missed below target, nodata
 * without data: "3 av 12 indikatorer under målet, 9 utan underlag" (", N
 * utan underlag" only when N > 0), or "Inga data för november 2026" when
 * every one of them (count > 0) lacks data; returns true in that case.
 * Shared by the summary mail, the dashboard and teleqctl report.
 */
bool report_fmt_overview(char *buf, size_t len, const struct period *p, size_t count,
                         size_t missed, size_t nodata);

/*
 * The tables of the follow-up (followup.c, xlsx_layout.c, teleqctl
 * report): which table a row goes in, and the rows of a table in order
 * with the committee's sub-headings (config `section`, `heading`).
 */
bool report_row_quality(const struct indicator *ind);        /* in Kvalitetsstyrning */
bool report_manual_quality(const struct manual_ind *m);
enum report_row_kind { RROW_HEADING, RROW_COUNTED, RROW_MANUAL };
struct report_row {
	enum report_row_kind kind;
	size_t      i;                  /* RROW_COUNTED: cfg->indicators[i]; RROW_MANUAL: manuals[i] */
	const char *heading;            /* RROW_HEADING: the text (cfg's storage) */
};
/* Entries report_rows() may give: every row and a heading before each (CFG_MAX_INDS in all). */
#define REPORT_ROWS_MAX (2 * CFG_MAX_INDS)
/*
 * The rows of the Kvalitetsstyrning (quality) or Målstyrning table into
 * ret (REPORT_ROWS_MAX entries), counted indicators then, when manual,
 * manual ones, in the order of the file: first the rows without a
 * heading, then each heading (an RROW_HEADING entry) in the order it
 * first appears, followed by all its rows. Without any `heading` the
 * order is the file's. Returns the number of entries; 0: empty table.
 */
size_t report_rows(const struct config *cfg, bool quality, bool manual,
                   struct report_row ret[REPORT_ROWS_MAX]);
/*
 * True when one of the n rows (report_rows' output; NULL with n 0 is fine)
 * is a counted deadline indicator: its table then explains what Utfall /
 * Delresultat means. The one test the document and teleqctl's text share.
 */
bool report_rows_have_deadline(const struct config *cfg, const struct report_row *rows, size_t n);

#endif /* TQ_REPORT_H */
