/*
 * xlsx_layout.c — the follow-up's spreadsheet, cell by cell (pure): which
 * columns each sheet has, with their Swedish headers and widths, and what
 * each cell of an indicator's row holds, a number (a fraction for a
 * percent, an integer for a count) or text. xlsx_report.c only writes
 * these cells with libxlsxwriter, so everything a reader of the workbook
 * sees is decided, and unit-tested, here.
 *
 * The sentences (the basis, the verdict) come from followup.c, so the
 * workbook and the follow-up document never word a row differently; so
 * do the manual rows' (kind: manual, their values in their own unit).
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "followup.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "xlsx_layout.h"

/* The Målstyrning sheet: the seeds' Indikatorer, Målvärde, Utfall, then the basis. */
static const struct xlsx_column goals[] = {
	{ XCOL_TITLE,    "Indikatorer",     46 },
	{ XCOL_TARGET,   "Målvärde",        10 },
	{ XCOL_VALUE,    "Utfall",          9 },
	{ XCOL_VERDICT,  "Bedömning",       15 },
	{ XCOL_NUM,      "Täljare",         9 },
	{ XCOL_DEN,      "Nämnare",         9 },
	{ XCOL_PREV,     "Utfall i fjol",   12 },
	{ XCOL_PREV_NUM, "Täljare i fjol",  13 },
	{ XCOL_PREV_DEN, "Nämnare i fjol",  13 },
	{ XCOL_PROGNOS,  "Prognos",         9 },
	{ XCOL_BASIS,    "Underlag",        60 },
};
/* The Kvalitetsstyrning sheet: Delresultat, and the cases decided in time of those decided. */
static const struct xlsx_column quality_cols[] = {
	{ XCOL_TITLE,    "Indikatorer",     46 },
	{ XCOL_TARGET,   "Målvärde",        10 },
	{ XCOL_VALUE,    "Delresultat",     11 },
	{ XCOL_VERDICT,  "Bedömning",       20 },
	{ XCOL_NUM,      "I tid",           9 },
	{ XCOL_DEN,      "Avgjorda",        9 },
	{ XCOL_PENDING,  "Pågående",        9 },
	{ XCOL_PREV,     "Delresultat i fjol", 16 },
	{ XCOL_PREV_NUM, "I tid i fjol",    11 },
	{ XCOL_PREV_DEN, "Avgjorda i fjol", 14 },
	{ XCOL_PROGNOS,  "Prognos",         9 },
	{ XCOL_BASIS,    "Underlag",        60 },
};

/* The columns of a sheet (see xlsx_layout.h). */
size_t
xlsx_columns(bool quality, const struct xlsx_column **ret)
{
	*ret = quality ? quality_cols : goals;
	return quality ? sizeof(quality_cols) / sizeof(quality_cols[0]) :
	                 sizeof(goals) / sizeof(goals[0]);
}

/* The sheet of indicator i (see xlsx_layout.h): followup.c splits its tables the same way. */
bool
xlsx_quality_row(const struct config *cfg, size_t i)
{
	return report_row_quality(&cfg->indicators[i]);
}

/* Digits after the point a target needs as a percent: 55 % 0, 12,5 % 1, 12,25 % 2. */
static unsigned
target_decimals(double target)
{
	double hundredths = round(target * 10000.0);    /* of a percent, as report.c judges */

	if (!isfinite(hundredths))
		return 0;
	if (fmod(hundredths, 100.0) == 0.0)
		return 0;
	return fmod(hundredths, 10.0) == 0.0 ? 1 : 2;
}

/* A blank cell ("–" in the sheet): what every cell is until something is known. */
static void
blank_cell(struct xlsx_cell *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = XLSX_BLANK;
}

/* A text cell of s (cut at FOLLOWUP_LINE_MAX bytes, as every sentence is). */
static void
text_cell(struct xlsx_cell *ret, const char *s)
{
	ret->kind = XLSX_TEXT;
	snprintf(ret->text, sizeof(ret->text), "%s", s);
}

/* A percent cell of o's value, blank without one. */
static void
percent_cell(const struct indicator *ind, bool has_value, double value, struct xlsx_cell *ret)
{
	if (!has_value || !isfinite(value))
		return;
	ret->kind = ind->kind == IND_GROWTH ? XLSX_PERCENT_SIGNED : XLSX_PERCENT;
	ret->num = value;
}

/* A count cell, blank for a mean of months (its sums are not what it judges). */
static void
count_cell(const struct indicator *ind, int64_t n, struct xlsx_cell *ret)
{
	if (ind->kind == IND_RATIO && ind->combine == COMBINE_MEAN_OF_MONTHS)
		return;
	ret->kind = XLSX_INT;
	ret->num = (double)n;
}

/* The cell of indicator i in column what (see xlsx_layout.h). */
void
xlsx_cell(const struct config *cfg, const struct report *rep, size_t i, enum xlsx_col what,
          struct xlsx_cell *ret)
{
	const struct indicator *ind = &cfg->indicators[i];
	const struct ind_result *r = &rep->r[i];
	char line[FOLLOWUP_LINE_MAX];

	blank_cell(ret);
	switch (what) {
	case XCOL_TITLE:
		text_cell(ret, ind->title ? ind->title : ind->name);
		break;
	case XCOL_TARGET:
		ret->kind = XLSX_TARGET;
		ret->num = ind->target;
		ret->cmp = ind->cmp;
		ret->decimals = target_decimals(ind->target);
		break;
	case XCOL_VALUE:
		percent_cell(ind, r->cur.has_value, r->cur.value, ret);
		break;
	case XCOL_VERDICT:
		text_cell(ret, followup_verdict(ind, &r->cur));
		break;
	case XCOL_NUM:
		count_cell(ind, r->cur.num, ret);
		break;
	case XCOL_DEN:
		count_cell(ind, r->cur.den, ret);
		break;
	case XCOL_PENDING:
		if (ind->kind == IND_DEADLINE)
			count_cell(ind, r->cur.pending, ret);
		break;
	case XCOL_PREV:
		percent_cell(ind, r->prev.has_value, r->prev.value, ret);
		break;
	case XCOL_PREV_NUM:
		if (r->prev.has_value || r->prev.den > 0)
			count_cell(ind, r->prev.num, ret);
		break;
	case XCOL_PREV_DEN:
		if (r->prev.has_value || r->prev.den > 0)
			count_cell(ind, r->prev.den, ret);
		break;
	case XCOL_PROGNOS:
		percent_cell(ind, r->proj.has_value, r->proj.value, ret);
		break;
	case XCOL_BASIS: {
		/* the follow-up's own sentences: "265 av 513 ärenden ger 52 %. Samma kvartal ..." */
		size_t n, m;

		ret->kind = XLSX_TEXT;
		followup_fmt_outcome(ret->text, sizeof(ret->text), cfg, i, rep);
		followup_fmt_previous(line, sizeof(line), cfg, i, rep);
		n = strlen(ret->text);
		m = strlen(line);
		/* both when they fit, else the outcome alone (copied, not snprintf: the
		 * fit is checked here, which gcc -O1's truncation warning cannot see) */
		if (n + 1 + m < sizeof(ret->text)) {
			ret->text[n] = ' ';
			memcpy(ret->text + n + 1, line, m + 1);
		}
		break;
	}
	}
}

/* Decimals of v in points or kronor as `teleqctl set` keeps them (MANUAL_DECIMALS: 0..2). */
static unsigned
manual_decimals(double v)
{
	double hundredths = round(fabs(v) * 100.0);

	if (!isfinite(hundredths) || fmod(hundredths, 100.0) == 0.0)
		return 0;
	return fmod(hundredths, 10.0) == 0.0 ? 1 : 2;
}

/* A number v of manual indicator m, in its unit: a count, kronor, a percent as the fraction. */
static void
manual_number(const struct manual_ind *m, double v, struct xlsx_cell *ret)
{
	if (!isfinite(v))
		return;
	ret->decimals = manual_decimals(v);
	switch (m->unit) {
	case UNIT_PERCENT:
		ret->kind = XLSX_PERCENT;
		ret->num = v / 100.0;
		break;
	case UNIT_KR:
		ret->kind = XLSX_KR;
		ret->num = v;
		break;
	case UNIT_COUNT:
	default:
		ret->kind = XLSX_INT;
		ret->num = v;
		ret->decimals = 0;
		break;
	}
}

/* The cell of manual indicator j in column what (see xlsx_layout.h). */
void
xlsx_manual_cell(const struct config *cfg, const struct report *rep, size_t j,
                 enum xlsx_col what, struct xlsx_cell *ret)
{
	const struct manual_ind *m = &cfg->manuals[j];
	const struct manual_result *mr = &rep->m[j];

	blank_cell(ret);
	switch (what) {
	case XCOL_VALUE:
		if (mr->has_value)
			manual_number(m, mr->value, ret);
		break;
	case XCOL_PREV:
		if (mr->prev_has_value)
			manual_number(m, mr->prev_value, ret);
		break;
	case XCOL_TARGET:
		if (!m->has_target)
			break;
		manual_number(m, m->target, ret);
		ret->kind = XLSX_TARGET;
		ret->cmp = m->cmp;
		ret->unit = m->unit == UNIT_PERCENT ? XUNIT_PERCENT :
		            m->unit == UNIT_KR ? XUNIT_KR : XUNIT_COUNT;
		break;
	case XCOL_TITLE:
		text_cell(ret, m->title ? m->title : m->name);
		break;
	case XCOL_VERDICT:
		text_cell(ret, followup_manual_verdict(m, mr));
		break;
	case XCOL_BASIS:
		ret->kind = XLSX_TEXT;
		followup_fmt_manual_basis(ret->text, sizeof(ret->text), cfg, j, rep);
		break;
	case XCOL_NUM: case XCOL_DEN: case XCOL_PENDING: case XCOL_PREV_NUM:
	case XCOL_PREV_DEN: case XCOL_PROGNOS:
		break;          /* nothing counted: no basis, no projection */
	}
}

/* "Verksamhetsuppföljning kvartal 1 2026" */
void
xlsx_fmt_title(char *buf, size_t len, const struct report *rep)
{
	char name[64];

	report_fmt_period(name, sizeof(name), &rep->cur);
	snprintf(buf, len, "Verksamhetsuppföljning %s", name);
}

/* "2026-01-01 – 2026-03-31 · jämfört med kvartal 1 2025 · framtagen 2026-04-02" */
void
xlsx_fmt_subtitle(char *buf, size_t len, const struct report *rep)
{
	char first[16], last[16], today[16], prev[64];
	const char *running = "";

	day_key(rep->cur.first_day, first, sizeof(first));
	day_key(rep->cur.last_day, last, sizeof(last));
	day_key(rep->today, today, sizeof(today));
	report_fmt_period(prev, sizeof(prev), &rep->prev);
	if (rep->today < rep->cur.first_day)
		running = " · perioden har inte börjat";
	else if (rep->today <= rep->cur.last_day && rep->cur.kind != P_ROLLING)
		running = " · perioden pågår";
	snprintf(buf, len, "%s – %s · jämfört med %s · framtagen %s%s", first, last, prev, today,
	         running);
}

/*
 * The rows of a sheet (see xlsx_layout.h): the manual ones only once read,
 * as followup.c decides, rather than every one of them shown as missing.
 */
size_t
xlsx_sheet_layout(const struct config *cfg, const struct report *rep, bool quality,
                  struct report_row ret[REPORT_ROWS_MAX])
{
	return report_rows(cfg, quality, rep->manual_read && rep->m, ret);
}

/* Their count (see xlsx_layout.h). */
size_t
xlsx_sheet_rows(const struct config *cfg, const struct report *rep, bool quality)
{
	struct report_row rows[REPORT_ROWS_MAX];

	return xlsx_sheet_layout(cfg, rep, quality, rows);
}

/* The closing sentence of a sheet (see xlsx_layout.h). */
void
xlsx_fmt_closing(char *buf, size_t len, const struct config *cfg, const struct report *rep,
                 bool quality)
{
	size_t met = 0, missed = 0, unjudged = 0;

	for (size_t i = 0; i < rep->n; i++) {
		if (xlsx_quality_row(cfg, i) != quality)
			continue;
		met += rep->r[i].cur.met == 1;
		missed += rep->r[i].cur.met == 0;
		unjudged += rep->r[i].cur.met != 1 && rep->r[i].cur.met != 0;
	}
	/* the manual rows the sheet shows count as the document counts them */
	for (size_t j = 0; rep->manual_read && rep->m && j < rep->nmanual && j < cfg->nmanuals;
	     j++) {
		if (report_manual_quality(&cfg->manuals[j]) != quality)
			continue;
		met += rep->m[j].met == 1;
		missed += rep->m[j].met == 0;
		unjudged += rep->m[j].met != 1 && rep->m[j].met != 0;
	}
	followup_fmt_closing(buf, len, met, missed, unjudged);
}
