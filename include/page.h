/* page.h — page.c: the dashboard page. Conventions: core.h. */
#ifndef TQ_PAGE_H
#define TQ_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "indicator.h"
#include "period.h"
#include "prognos.h"

struct config;

/* ----------------------------------------------------------------- page.c */
/*
 * The dashboard page (pure): one self-contained HTML document, Swedish
 * labels, no script, no external resource, for a laptop and a phone
 * alike. Målstyrning and Kvalitetsstyrning (deadline indicators) in two
 * sections. Per indicator: an SVG chart of the last PAGE_MONTHS months
 * against the target line; this month so far, the last closed month, the
 * quarter and the same quarter last year, the last closed quarter and the
 * same one last year, each with its basis ("265 av 513"; a mean of months
 * as "90 % + 73 % + 66 % → medel 76 %") and whether the target is met
 * ("uppfyllt" / "ej uppfyllt" / "ej bedömt", in words). A period without
 * cases is "inga ärenden"; one over fewer than min_cases cases (ratio:
 * its denominator; growth: either count) "för få ärenden", without basis;
 * either is a gap in the chart (a pale column, no mark on the axis).
 * The manual rows (kind: manual, values from `teleqctl set`), once read,
 * close their section in a table of their own: the target, the current
 * and the last closed quarter's value in the row's unit or "–", and the
 * verdict in words, under the committee's headings as the follow-up
 * places them (report_rows).
 */
#define PAGE_MONTHS 13          /* months in a chart: this one and the same one last year */
struct page_monthly {           /* a mean of months: the monthly shares it is the mean of */
	unsigned n;                     /* 0: not a mean (or no month with cases) */
	double   v[3];                  /* a quarter's months with cases, in order */
};
struct page_ind {               /* one indicator's figures (cfg->indicators[i]) */
	struct outcome months[PAGE_MONTHS];     /* month first_month + k; the last is this month so
	                                         * far, the one before the last closed month */
	struct outcome quarter;                 /* the current quarter so far */
	struct outcome quarter_prev;            /* the same quarter one year earlier */
	struct outcome closed;                  /* the last closed quarter */
	struct outcome closed_prev;             /* the last closed quarter one year earlier */
	struct page_monthly quarter_m, quarter_prev_m, closed_m, closed_prev_m;
	/* the projections of this month and this quarter while they run (prognos.c);
	 * shown under their rows ("Prognos: 51 %", the method as hover text) unless
	 * the row itself shows no value */
	struct prognos month_proj, quarter_proj;
};
/* A manual indicator's value for a period, as `teleqctl set` stored it (in its unit). */
struct page_mvalue {
	bool   has;                     /* false: none entered ("–") */
	double v;
};
struct page_manual {            /* manual indicator cfg->manuals[j] (kind: manual) */
	struct page_mvalue quarter;     /* the current quarter */
	struct page_mvalue closed;      /* the last closed quarter */
};
struct page_model {
	int64_t  today;                 /* local day number */
	int64_t  now_wall;              /* local wall-clock seconds since 1970 ("uppdaterad") */
	int64_t  first_month;           /* month number (y*12 + m-1) of months[0]: today's - 12 */
	struct period quarter, quarter_prev;
	struct period closed, closed_prev;      /* the last closed quarter, and a year before it */
	int64_t  min_cases;             /* >= 1 */
	size_t   n;                     /* cfg->nindicators */
	const struct page_ind *ind;     /* n entries */
	size_t   nmanual;               /* cfg->nmanuals once read; 0: no manual rows shown */
	const struct page_manual *man;  /* nmanual entries */
};
/*
 * Writes the page of m to out. Every config string is HTML-escaped.
 * Returns 0, or -EIO when out reports a write error.
 */
int  page_render(FILE *out, const struct config *cfg, const struct page_model *m);
/* True when o is over fewer than min_cases cases: the page shows no ratio for it. */
bool page_too_few(const struct indicator *ind, const struct outcome *o, int64_t min_cases);

#endif /* TQ_PAGE_H */
