/* xlsx_layout.h — xlsx_layout.c: the follow-up's spreadsheet, cell by cell. Conventions: core.h. */
#ifndef TQ_XLSX_LAYOUT_H
#define TQ_XLSX_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "followup.h"
#include "report.h"
#include "tq_config.h"

/* ---------------------------------------------------------- xlsx_layout.c */
/*
 * What the follow-up's workbook holds (pure; xlsx_report.c writes it with
 * libxlsxwriter): one sheet per table of the follow-up document
 * (followup.c), "Målstyrning" and "Kvalitetsstyrning" (the deadline
 * indicators), one row per indicator, the columns below. Every figure is
 * a number, so Excel can sum, sort and chart it: a percent is the
 * fraction (0.5166 for 52 %) shown with a percent format, a count an
 * integer; only the title, the verdict and the basis sentence are text.
 */
enum xlsx_kind {
	XLSX_BLANK,             /* no value: written as "–" */
	XLSX_TEXT,              /* text */
	XLSX_INT,               /* a count: whole number */
	XLSX_PERCENT,           /* a fraction, shown as a whole percent ("52 %") */
	XLSX_PERCENT_SIGNED,    /* a growth: "+25 %", "−3 %" */
	XLSX_TARGET,            /* a target: "≥ 55 %" (cmp, in unit), decimals when not whole */
	XLSX_KR,                /* kronor (a manual row): "−150 000 kr", öre as decimals */
};
/* The unit of an XLSX_TARGET: a counted row's is a percent, a manual row's its own. */
enum xlsx_unit { XUNIT_PERCENT, XUNIT_COUNT, XUNIT_KR };
enum xlsx_col {
	XCOL_TITLE, XCOL_TARGET, XCOL_VALUE, XCOL_VERDICT, XCOL_NUM, XCOL_DEN, XCOL_PENDING,
	XCOL_PREV, XCOL_PREV_NUM, XCOL_PREV_DEN, XCOL_BASIS, XCOL_PROGNOS,
};
struct xlsx_column {
	enum xlsx_col what;
	const char   *header;   /* Swedish, as the seeds write it */
	double        width;    /* in Excel's character widths */
};
struct xlsx_cell {
	enum xlsx_kind kind;
	double         num;             /* XLSX_INT, XLSX_PERCENT*, XLSX_TARGET */
	enum cmp       cmp;             /* XLSX_TARGET */
	enum xlsx_unit unit;            /* XLSX_TARGET */
	unsigned       decimals;        /* XLSX_TARGET, XLSX_PERCENT, XLSX_KR: digits after the
	                                 * point (of the percent, not of the fraction), 0..2 */
	char           text[FOLLOWUP_LINE_MAX];    /* XLSX_TEXT (unescaped UTF-8) */
};
#define XLSX_SHEET_GOALS   "Målstyrning"
#define XLSX_SHEET_QUALITY "Kvalitetsstyrning"

/*
 * The columns of the Målstyrning (quality false) or the Kvalitetsstyrning
 * sheet (true), left to right, in *ret (static storage). Returns their count.
 */
size_t xlsx_columns(bool quality, const struct xlsx_column **ret);
/* Whether indicator i of cfg goes on the Kvalitetsstyrning sheet (report_row_quality). */
bool   xlsx_quality_row(const struct config *cfg, size_t i);
/*
 * The cell of indicator i of rep (computed by compute_report over cfg) in
 * column what, in *ret. A missing value is XLSX_BLANK; a mean of months
 * gives no numerator or denominator (their sums are not its basis: the
 * basis sentence holds the months' arithmetic).
 */
void   xlsx_cell(const struct config *cfg, const struct report *rep, size_t i,
                 enum xlsx_col what, struct xlsx_cell *ret);
/*
 * The cell of manual indicator j (cfg->manuals[j], its figures in
 * rep->m[j]: rep->manual_read) in column what, in *ret, as the follow-up
 * document shows the row: the value in its unit (a count XLSX_INT, kronor
 * XLSX_KR, a percent the fraction: 52,5 % is 0.525 with decimals 1), the
 * target in the same unit (XLSX_BLANK without one), followup_manual_verdict,
 * the same period last year under XCOL_PREV, followup_fmt_manual_basis
 * under XCOL_BASIS; XLSX_BLANK for no value and for every counted column
 * (numerator, denominator, pending, prognosis).
 */
void   xlsx_manual_cell(const struct config *cfg, const struct report *rep, size_t j,
                        enum xlsx_col what, struct xlsx_cell *ret);
/*
 * The sheet's title rows: "Verksamhetsuppföljning kvartal 1 2026" and
 * "2026-01-01 – 2026-03-31 · jämfört med kvartal 1 2025 · framtagen 2026-04-02".
 */
void   xlsx_fmt_title(char *buf, size_t len, const struct report *rep);
void   xlsx_fmt_subtitle(char *buf, size_t len, const struct report *rep);
/*
 * The rows of the Kvalitetsstyrning (quality) or Målstyrning sheet in
 * order, the committee's headings (RROW_HEADING: a bold row) before
 * theirs, as the follow-up document orders them (report_rows), the
 * manual rows (RROW_MANUAL) too once rep->manual_read; the count, 0: no
 * sheet. xlsx_sheet_rows() only counts them.
 */
size_t xlsx_sheet_layout(const struct config *cfg, const struct report *rep, bool quality,
                         struct report_row ret[REPORT_ROWS_MAX]);
size_t xlsx_sheet_rows(const struct config *cfg, const struct report *rep, bool quality);
/*
 * The closing sentence of a sheet, as followup.c counts it (manual rows
 * included once read): "Alla indikatorer utom en uppnås."
 */
void   xlsx_fmt_closing(char *buf, size_t len, const struct config *cfg,
                        const struct report *rep, bool quality);

#endif /* TQ_XLSX_LAYOUT_H */
