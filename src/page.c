/*
 * page.c — the dashboard page served at / (pure: writes to a FILE only).
 *
 * One self-contained HTML5 document: the CSS is inline, the charts are
 * inline SVG drawn here, and there is no script, no font, no image and no
 * link to anything outside the page (the daemon also sends a
 * Content-Security-Policy that forbids them). Swedish labels. The layout
 * is a grid of one card per indicator that folds into a single column on
 * a phone (viewport meta, relative units, SVG scaled by its viewBox).
 *
 * Two sections, as the committee's follow-ups: Målstyrning (ratios and
 * growths) and Kvalitetsstyrning (the deadline indicators). Each card:
 * the title, the target, a chart of the last PAGE_MONTHS months (the same
 * month last year is the first point) with the target as a dashed line
 * (its label in the margin right of the plot, never on the plotted
 * line), then a table of this month so far, the last closed month, the
 * current quarter and the same quarter last year, the last closed quarter
 * and the same one last year: outcome, basis and whether the target is
 * met, in words (never by colour alone). From the 1st of a month until its
 * report is written the current periods are (nearly) empty: the closed
 * ones are what the samordnare needs then.
 *
 * No value: "inga ärenden" (no case at all), "inga avgjorda ärenden än"
 * (a deadline whose cases are all open), "för få ärenden" (fewer than
 * min_cases, with no basis and no verdict, so no small group can be
 * singled out). Such a month is a gap in the chart: a pale column with its
 * reason, never a mark on the 0 % line (which would read as 0 %). A mean
 * of months (TeleQ) shows its monthly shares and their mean ("90 % + 73 %
 * + 66 % → medel 76 %"), not the pooled counts, whose ratio differs.
 * The manual rows (kind: manual), once read, close their section in a
 * table of their own: target, this quarter's and the last closed
 * quarter's value in their unit or "–" (manual.c formats them as the
 * follow-up does), the verdict in words, under their headings.
 * Numbers are formatted like `teleqctl report` and the mail
 * (report_fmt_percent: "52 %", growth "+25 %" / "−3 %"; targets "12,5 %").
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "indicator.h"
#include "manual.h"
#include "page.h"
#include "html.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"

/* Chart geometry, in SVG user units (the viewBox scales it to the card). */
#define CH_W        640
#define CH_H        236
#define CH_LEFT     60          /* room for "+500 %" */
#define CH_RIGHT    (CH_W - 110) /* right of the plot: the target's label, clear of every point */
#define CH_TOP      14
#define CH_BOTTOM   (CH_H - 46) /* month labels and years below */
#define GROWTH_CLIP 5.0         /* growth axis: at most +500 % (points beyond sit on the edge) */

static const char *const month_long[12] = {
	"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
	"september", "oktober", "november", "december",
};
static const char *const month_short[12] = {
	"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
};

/* The comparison as the reports print it, made safe for HTML ("<" and ">" as entities). */
static const char *
cmp_html(enum cmp cmp)
{
	switch (cmp) {
	case CMP_GT: return "&gt;";
	case CMP_LT: return "&lt;";
	default:     return report_cmp_sign(cmp);       /* "≥", "≤" */
	}
}

/* The title of an indicator as reports show it (the name when it has none). */
static const char *
ind_title(const struct indicator *ind)
{
	return ind->title ? ind->title : ind->name;
}

/* True when o is over fewer than min_cases cases (see page.h). */
bool
page_too_few(const struct indicator *ind, const struct outcome *o, int64_t min_cases)
{
	/* a growth compares two counts: either one small singles a group out */
	if (ind->kind == IND_GROWTH)
		return o->num < min_cases || o->den < min_cases;
	return o->den < min_cases;
}

/*
 * Why o shows no value, or NULL when it shows one: "inga ärenden" (no
 * case at all: nothing to hide), "inga avgjorda ärenden än" (a deadline
 * whose cases are all still open; how many is not told), "för få
 * ärenden" (fewer than min_cases: a small group could be singled out);
 * a growth without cases the year before: "inga ärenden att jämföra med".
 */
static const char *
no_value_words(const struct indicator *ind, const struct outcome *o, int64_t min_cases)
{
	bool none = ind->kind == IND_GROWTH ? o->num == 0 : o->den == 0;

	/* a growth over a year without cases has nothing to compare with */
	if (!none && ind->kind == IND_GROWTH && o->den == 0)
		return "inga ärenden att jämföra med";
	if (none && ind->kind == IND_DEADLINE && o->pending > 0)
		return "inga avgjorda ärenden än";
	if (none)
		return "inga ärenden";
	if (page_too_few(ind, o, min_cases))
		return "för få ärenden";
	return NULL;
}

/* "mars 2026" (cap: "Mars 2026") for a month number (y*12 + m-1). */
static void
fmt_month(char *buf, size_t len, int64_t monthno, bool cap)
{
	int64_t y = floor_div(monthno, 12);
	const char *name = month_long[monthno - y * 12];

	/* every name starts with an ASCII letter */
	snprintf(buf, len, "%c%s %" PRId64, cap ? name[0] - 'a' + 'A' : name[0], name + 1, y);
}

/* "15 mars 2026" for a day number. */
static void
fmt_day(char *buf, size_t len, int64_t day)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%u %s %" PRId64, d, month_long[m - 1], y);
}

/* "kvartal 1 2026" (cap: "Kvartal 1 2026"). */
static void
fmt_quarter(char *buf, size_t len, const struct period *q, bool cap)
{
	snprintf(buf, len, "%cvartal %u %" PRId64, cap ? 'K' : 'k', q->idx, q->year);
}

/* The outcome cell: "52 %", "+25 %", "–" without a value. */
static void
fmt_value(char *buf, size_t len, const struct indicator *ind, const struct outcome *o)
{
	if (o->has_value && isfinite(o->value))
		report_fmt_percent(buf, len, o->value, ind->kind == IND_GROWTH);
	else
		snprintf(buf, len, "–");
}

/* The verdict in words and its CSS class. */
static const char *
verdict(const struct outcome *o, const char **ret_class)
{
	if (o->met == 1) {
		*ret_class = "yes";
		return "uppfyllt";
	}
	if (o->met == 0) {
		*ret_class = "no";
		return "ej uppfyllt";
	}
	*ret_class = "na";
	/* a value below the indicator's min_denominator is shown but not judged */
	return o->has_value ? "ej bedömt" : "–";
}

/* ============================================================== chart */

/* A month's value as plotted, or false when it is a gap (too few cases, or none). */
static bool
plotted(const struct indicator *ind, const struct outcome *o, int64_t min_cases, double *ret)
{
	if (!o->has_value || !isfinite(o->value) || page_too_few(ind, o, min_cases))
		return false;
	*ret = o->value;
	return true;
}

/*
 * The y range [*lo, *hi] and tick step: 0-100 % for a ratio; for a
 * growth, 0, the target and every value (clipped to -100 .. +500 %),
 * widened to whole steps of a round size with at most 6 ticks.
 */
static void
y_range(const struct indicator *ind, const struct page_ind *pi, int64_t min_cases,
        double *lo, double *hi, double *step)
{
	static const double steps[] = { 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0 };
	double a = 0.0, b = 0.0, v;

	if (ind->kind != IND_GROWTH) {
		*lo = 0.0;
		*hi = 1.0;
		*step = 0.25;
		return;
	}
	a = b = fmin(fmax(ind->target, -1.0), GROWTH_CLIP);
	a = fmin(a, 0.0);
	b = fmax(b, 0.0);
	for (unsigned k = 0; k < PAGE_MONTHS; k++)
		if (plotted(ind, &pi->months[k], min_cases, &v)) {
			v = fmin(fmax(v, -1.0), GROWTH_CLIP);
			a = fmin(a, v);
			b = fmax(b, v);
		}
	*step = steps[sizeof(steps) / sizeof(steps[0]) - 1];
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((b - a) / steps[i] <= 5.0) {
			*step = steps[i];
			break;
		}
	*lo = floor(a / *step + 1e-9) * *step;
	*hi = ceil(b / *step - 1e-9) * *step;
	if (*hi - *lo < *step)
		*hi = *lo + *step;
}

/* y coordinate of value v on [lo, hi]. */
static double
y_of(double v, double lo, double hi)
{
	v = fmin(fmax(v, lo), hi);
	return CH_BOTTOM - (v - lo) / (hi - lo) * (CH_BOTTOM - CH_TOP);
}

#define COL_W ((double)(CH_RIGHT - CH_LEFT) / PAGE_MONTHS)       /* a month's column */

/* x coordinate of the middle of month column k. */
static double
x_of(unsigned k)
{
	return CH_LEFT + (k + 0.5) * (double)(CH_RIGHT - CH_LEFT) / PAGE_MONTHS;
}

/* "mars 2026: 52 % (265 av 513)", or "...: för få ärenden" / "inga ärenden" — a month's hover text. */
static void
point_text(char *buf, size_t len, const struct indicator *ind, const struct outcome *o,
           int64_t monthno, int64_t min_cases, bool partial)
{
	char month[32], val[32], basis[64];

	const char *why = no_value_words(ind, o, min_cases);

	fmt_month(month, sizeof(month), monthno, false);
	if (why || !o->has_value) {
		snprintf(buf, len, "%s%s: %s", month, partial ? " (hittills)" : "", why ? why : "–");
		return;
	}
	fmt_value(val, sizeof(val), ind, o);
	report_fmt_basis(basis, sizeof(basis), ind, o);
	snprintf(buf, len, "%s%s: %s (%s)", month, partial ? " (hittills)" : "", val, basis);
}

/* The SVG chart of indicator ind: grid, target line, the months as a line with gaps. */
static void
put_chart(FILE *out, const struct indicator *ind, const struct page_ind *pi,
          const struct page_model *m)
{
	char target[32], text[160];
	double lo, hi, step, v, ty;
	unsigned nticks;
	bool open = false;

	report_fmt_target(target, sizeof(target), ind->target);
	y_range(ind, pi, m->min_cases, &lo, &hi, &step);

	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"c-",
	        CH_W, CH_H);
	html_put_esc(out, ind->name, 0);
	fputs("\">\n<title id=\"c-", out);
	html_put_esc(out, ind->name, 0);
	fputs("\">", out);
	html_put_esc(out, ind_title(ind), 0);
	fprintf(out, " de senaste %d månaderna, mål %s %s</title>\n", PAGE_MONTHS,
	        cmp_html(ind->cmp), target);

	/*
	 * A month without a value is a gap: a pale column over the whole plot
	 * (under the grid and the target line), its reason as hover text; never
	 * a mark on the axis, which on a ratio's 0 % line would read as 0 %.
	 */
	for (unsigned k = 0; k < PAGE_MONTHS; k++) {
		if (plotted(ind, &pi->months[k], m->min_cases, &v))
			continue;
		point_text(text, sizeof(text), ind, &pi->months[k], m->first_month + k, m->min_cases,
		           k == PAGE_MONTHS - 1);
		fprintf(out, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
		        "<title>", x_of(k) - COL_W / 2 + 2, CH_TOP, COL_W - 4, CH_BOTTOM - CH_TOP);
		html_put_esc(out, text, 0);
		fputs("</title></rect>\n", out);
	}

	/* y grid and labels, in whole percent (steps are whole percents), signed as everywhere */
	nticks = (unsigned)lround((hi - lo) / step);
	for (unsigned i = 0; i <= nticks; i++) {
		double t = lo + i * step, y = y_of(t, lo, hi);
		char pct[32];

		report_fmt_percent(pct, sizeof(pct), t, ind->kind == IND_GROWTH);
		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		        "<text class=\"yl\" x=\"%d\" y=\"%.1f\">%s</text>\n",
		        CH_LEFT, y, CH_RIGHT, y, CH_LEFT - 6, y + 4, pct);
	}

	/*
	 * The target: dashed, its label in the margin right of the plot, level
	 * with the line: no month is drawn there, so the label never sits on
	 * the plotted line (it used to cover this month's point).
	 */
	ty = y_of(fmin(fmax(ind->target, lo), hi), lo, hi);
	fprintf(out, "<line class=\"target\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	        "stroke-dasharray=\"6 4\"><title>mål %s %s</title></line>"
	        "<text class=\"tl\" x=\"%d\" y=\"%.1f\">mål %s %s</text>\n",
	        CH_LEFT, ty, CH_RIGHT, ty, cmp_html(ind->cmp), target,
	        CH_RIGHT + 6, ty + 4, cmp_html(ind->cmp), target);

	/* the line: one polyline per run of plotted months, so a gap breaks it */
	for (unsigned k = 0; k <= PAGE_MONTHS; k++) {
		bool has = k < PAGE_MONTHS && plotted(ind, &pi->months[k], m->min_cases, &v);

		if (has && !open)
			fprintf(out, "<polyline class=\"line\" points=\"%.1f,%.1f", x_of(k),
			        y_of(v, lo, hi));
		else if (has)
			fprintf(out, " %.1f,%.1f", x_of(k), y_of(v, lo, hi));
		else if (open)
			fputs("\"/>\n", out);
		open = has;
	}

	/* a point per month with a value, with its hover text (the gaps are drawn above) */
	for (unsigned k = 0; k < PAGE_MONTHS; k++) {
		const struct outcome *o = &pi->months[k];

		if (!plotted(ind, o, m->min_cases, &v))
			continue;
		point_text(text, sizeof(text), ind, o, m->first_month + k, m->min_cases,
		           k == PAGE_MONTHS - 1);
		fprintf(out, "<circle class=\"pt %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>",
		        o->met == 1 ? "yes" : o->met == 0 ? "no" : "na", x_of(k), y_of(v, lo, hi));
		html_put_esc(out, text, 0);
		fputs("</title></circle>\n", out);
	}

	/* month labels; the year under the first month and under each January */
	for (unsigned k = 0; k < PAGE_MONTHS; k++) {
		int64_t mn = m->first_month + k, y = floor_div(mn, 12);
		unsigned mi = (unsigned)(mn - y * 12);

		fprintf(out, "<text class=\"m\" x=\"%.1f\" y=\"%d\">%s</text>", x_of(k), CH_BOTTOM + 18,
		        month_short[mi]);
		if (k == 0 || mi == 0)
			fprintf(out, "<text class=\"yr\" x=\"%.1f\" y=\"%d\">%" PRId64 "</text>", x_of(k),
			        CH_BOTTOM + 36, y);
		fputc('\n', out);
	}
	fputs("</svg>\n", out);
}

/* ============================================================== table */

/*
 * The basis of a row: a mean of months as its monthly shares and their
 * mean, "90 % + 73 % + 66 % → medel 76 %" (the pooled "441 av 600" beside
 * 76 % reads as an error: 441/600 is 73.5 %); else report_fmt_basis.
 */
static void
fmt_row_basis(char *buf, size_t len, const struct indicator *ind, const struct outcome *o,
              const struct page_monthly *pm)
{
	if (!pm || pm->n > sizeof(pm->v) / sizeof(pm->v[0]))
		report_fmt_basis(buf, len, ind, o);
	else
		report_fmt_basis_months(buf, len, ind, o, pm->v, pm->n);
}

/* One row of the table: label, outcome, basis, verdict (or why there is no value). */
static void
put_row(FILE *out, const struct indicator *ind, const char *label, const struct outcome *o,
        const struct page_monthly *pm, int64_t min_cases)
{
	char val[32], basis[160];
	const char *cls, *word, *why = no_value_words(ind, o, min_cases);

	fputs("<tr><th scope=\"row\">", out);
	html_put_esc(out, label, 0);
	fputs("</th>", out);
	if (why) {
		fprintf(out, "<td class=\"v few\" colspan=\"3\">%s</td></tr>\n", why);
		return;
	}
	fmt_value(val, sizeof(val), ind, o);
	fmt_row_basis(basis, sizeof(basis), ind, o, pm);
	word = verdict(o, &cls);
	fprintf(out, "<td class=\"v\">%s</td><td class=\"b\">%s</td><td class=\"%s\">%s</td></tr>\n",
	        val, basis, cls, word);
}

/*
 * The projection of a running period under its row (label "Mars 2026,
 * prognos"), the method in words as the cell's hover text. Nothing when
 * there is none, or when the period's own row shows no value: a forecast
 * over too few cases would tell what the row hides.
 */
static void
put_prognos_row(FILE *out, const struct indicator *ind, const char *period,
                const struct prognos *p, const struct outcome *o, int64_t min_cases)
{
	char label[112], pct[32];

	if (!p->has_value || !isfinite(p->value) || no_value_words(ind, o, min_cases))
		return;
	snprintf(label, sizeof(label), "%s, prognos", period);
	report_fmt_percent(pct, sizeof(pct), p->value, ind->kind == IND_GROWTH);
	fputs("<tr class=\"proj\"><th scope=\"row\">", out);
	html_put_esc(out, label, 0);
	fputs("</th><td class=\"v proj\" colspan=\"3\" title=\"Prognos: " PROGNOS_METHOD_SV
	      ".\">Prognos: ", out);
	html_put_esc(out, pct, 0);
	fputs("</td></tr>\n", out);
}

/* One indicator's card. */
static void
put_card(FILE *out, const struct indicator *ind, const struct page_ind *pi,
         const struct page_model *m)
{
	char target[32], label[96], month[32], q[32];

	report_fmt_target(target, sizeof(target), ind->target);
	fputs("<section class=\"card\" id=\"ind-", out);
	html_put_esc(out, ind->name, 0);
	fputs("\">\n<h3>", out);
	html_put_esc(out, ind_title(ind), 0);
	fprintf(out, "</h3>\n<p class=\"goal\">Mål: %s %s%s</p>\n", cmp_html(ind->cmp), target,
	        ind->kind == IND_GROWTH ? " mot samma period i fjol" : "");
	put_chart(out, ind, pi, m);

	fputs("<table>\n<thead><tr><th scope=\"col\">Period</th><th scope=\"col\">Utfall</th>"
	      "<th scope=\"col\">Underlag</th><th scope=\"col\">Målet</th></tr></thead>\n<tbody>\n",
	      out);
	/*
	 * This month and the quarter are running ("hittills", so far); beside
	 * them the last closed month and quarter, which are what matters from
	 * the 1st of a month until its report is written.
	 */
	fmt_month(month, sizeof(month), m->first_month + PAGE_MONTHS - 1, true);
	snprintf(label, sizeof(label), "%s hittills", month);
	put_row(out, ind, label, &pi->months[PAGE_MONTHS - 1], NULL, m->min_cases);
	put_prognos_row(out, ind, month, &pi->month_proj, &pi->months[PAGE_MONTHS - 1],
	                m->min_cases);
	fmt_month(label, sizeof(label), m->first_month + PAGE_MONTHS - 2, true);
	put_row(out, ind, label, &pi->months[PAGE_MONTHS - 2], NULL, m->min_cases);
	fmt_quarter(q, sizeof(q), &m->quarter, true);
	snprintf(label, sizeof(label), "%s%s", q, m->today < m->quarter.last_day ? " hittills" : "");
	put_row(out, ind, label, &pi->quarter, &pi->quarter_m, m->min_cases);
	put_prognos_row(out, ind, q, &pi->quarter_proj, &pi->quarter, m->min_cases);
	fmt_quarter(q, sizeof(q), &m->quarter_prev, true);
	snprintf(label, sizeof(label), "%s (i fjol)", q);
	put_row(out, ind, label, &pi->quarter_prev, &pi->quarter_prev_m, m->min_cases);
	/* a model without the closed quarter (idx 0) has no such rows */
	if (m->closed.idx > 0 && m->closed.last_day < m->quarter.first_day) {
		fmt_quarter(label, sizeof(label), &m->closed, true);
		put_row(out, ind, label, &pi->closed, &pi->closed_m, m->min_cases);
		fmt_quarter(q, sizeof(q), &m->closed_prev, true);
		snprintf(label, sizeof(label), "%s (i fjol)", q);
		put_row(out, ind, label, &pi->closed_prev, &pi->closed_prev_m, m->min_cases);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* ================================================================ page */

/*
 * The overview of chart month k (this month so far, or the last closed
 * one), in the words of the summary mail and teleqctl report
 * (report_fmt_overview): "Mars 2026 hittills: 1 av 3 indikatorer under
 * målet, 1 utan underlag.", "Februari 2026: ..." or "Inga data för mars
 * 2026.". A verdict
 * the page hides (too few cases) is not counted as missed, so the count
 * cannot reveal it.
 */
static void
put_overview(FILE *out, const struct config *cfg, const struct page_model *m, unsigned k)
{
	int64_t mn = m->first_month + k, y = floor_div(mn, 12);
	struct period p = { .kind = P_MONTH, .year = y, .idx = (unsigned)(mn - y * 12 + 1) };
	char text[160], month[32];
	size_t n = 0, missed = 0, nodata = 0;

	for (size_t i = 0; i < m->n && i < cfg->nindicators; i++) {
		const struct outcome *o = &m->ind[i].months[k];

		n++;
		nodata += report_no_data(o);
		missed += o->met == 0 && !page_too_few(&cfg->indicators[i], o, m->min_cases);
	}
	if (n == 0)
		return;
	fputs("<p class=\"overview\">", out);
	if (!report_fmt_overview(text, sizeof(text), &p, n, missed, nodata)) {
		fmt_month(month, sizeof(month), mn, true);
		fprintf(out, "%s%s: ", month, k == PAGE_MONTHS - 1 ? " hittills" : "");
	}
	fprintf(out, "%s.</p>\n", text);
}

/* Whether some manual indicator goes in the Kvalitetsstyrning (deadline) or Målstyrning section. */
static bool
any_manual(const struct config *cfg, bool deadline)
{
	for (size_t j = 0; j < cfg->nmanuals; j++)
		if (report_manual_quality(&cfg->manuals[j]) == deadline)
			return true;
	return false;
}

/* A manual value's cell: "3 uppfyllt", "−150 000,5 kr ej uppfyllt", "52,5 %", or "–". */
static void
put_manual_value(FILE *out, const struct manual_ind *mi, const struct page_mvalue *v)
{
	char buf[96];
	int met;

	if (!v->has) {
		fputs("<td class=\"v few\">" REPORT_DASH "</td>", out);
		return;
	}
	manual_fmt_value(buf, sizeof(buf), mi->unit, v->v);
	fputs("<td class=\"v\">", out);
	html_put_esc(out, buf, HTML_NBSP_PERCENT);
	/* in words, never by colour alone; without a target it is shown, not judged */
	met = manual_met(mi, true, v->v);
	if (met >= 0)
		fprintf(out, " <span class=\"%s\">%s</span>", met ? "yes" : "no",
		        met ? "uppfyllt" : "ej uppfyllt");
	fputs("</td>", out);
}

/* Whether a manual row follows rows[k] before the next heading (the heading is then shown). */
static bool
manual_under(const struct report_row *rows, size_t n, size_t k)
{
	for (size_t u = k + 1; u < n && rows[u].kind != RROW_HEADING; u++)
		if (rows[u].kind == RROW_MANUAL)
			return true;
	return false;
}

/*
 * The manual rows of a section in one table (a card of its own), in the
 * follow-up's order under its headings; nothing when there is none or
 * they were not read.
 */
static void
put_manual_table(FILE *out, const struct config *cfg, const struct page_model *m, bool deadline)
{
	struct report_row rows[REPORT_ROWS_MAX];
	size_t n;
	char q[32], closed[32];

	if (!m->man || m->nmanual == 0 || m->nmanual != cfg->nmanuals)
		return;
	n = report_rows(cfg, deadline, true, rows);
	if (!any_manual(cfg, deadline))
		return;
	fmt_quarter(q, sizeof(q), &m->quarter, true);
	fmt_quarter(closed, sizeof(closed), &m->closed, true);
	fprintf(out, "<section class=\"card manual\" id=\"manuella-%s\">\n"
	        "<h3>Inrapporterade värden</h3>\n<p class=\"goal\">Förs in för hand av samordnaren "
	        "(teleqctl set).</p>\n<table>\n<thead><tr><th scope=\"col\">Indikator</th>"
	        "<th scope=\"col\">Mål</th><th scope=\"col\">%s%s</th><th scope=\"col\">%s</th>"
	        "</tr></thead>\n<tbody>\n", deadline ? "kvalitetsstyrning" : "malstyrning", q,
	        m->today < m->quarter.last_day ? " hittills" : "", closed);
	for (size_t k = 0; k < n; k++) {
		const struct manual_ind *mi;
		char target[96];

		if (rows[k].kind == RROW_HEADING) {
			if (!manual_under(rows, n, k))
				continue;
			fputs("<tr class=\"heading\"><th colspan=\"4\">", out);
			html_put_esc(out, rows[k].heading, 0);
			fputs("</th></tr>\n", out);
			continue;
		}
		if (rows[k].kind != RROW_MANUAL || rows[k].i >= m->nmanual)
			continue;
		mi = &cfg->manuals[rows[k].i];
		fputs("<tr><th scope=\"row\">", out);
		html_put_esc(out, mi->title ? mi->title : mi->name, 0);
		manual_fmt_target(target, sizeof(target), mi);
		fputs("</th><td>", out);
		html_put_esc(out, target, HTML_NBSP_PERCENT);
		fputs("</td>", out);
		put_manual_value(out, mi, &m->man[rows[k].i].quarter);
		put_manual_value(out, mi, &m->man[rows[k].i].closed);
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* The cards of the Målstyrning (deadline false) or Kvalitetsstyrning indicators (config section, else by kind). */
static void
put_group(FILE *out, const struct config *cfg, const struct page_model *m, bool deadline)
{
	bool any = false;

	for (size_t i = 0; i < m->n && i < cfg->nindicators; i++)
		any |= report_row_quality(&cfg->indicators[i]) == deadline;
	/* a section of manual rows alone is a section too */
	any |= m->man && m->nmanual > 0 && any_manual(cfg, deadline);
	if (!any)
		return;
	/* the committee's two tables, as teleqctl report and the follow-ups group them */
	fprintf(out, "<section class=\"group\">\n<h2 class=\"group\">%s</h2>\n<div class=\"grid\">\n",
	        deadline ? "Kvalitetsstyrning" : "Målstyrning");
	for (size_t i = 0; i < m->n && i < cfg->nindicators; i++)
		if (report_row_quality(&cfg->indicators[i]) == deadline)
			put_card(out, &cfg->indicators[i], &m->ind[i], m);
	put_manual_table(out, cfg, m, deadline);
	fputs("</div>\n</section>\n", out);
}

static const char page_css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\","
	"sans-serif;color:#1b1d21;background:#f3f4f6}"
	"header,main,footer{max-width:78rem;margin:0 auto;padding:0 1rem}"
	"h1{font-size:1.5rem;margin:1rem 0 .2rem}"
	"header p{margin:.2rem 0;color:#41464e}"
	"h2.group{font-size:1.25rem;margin:1.2rem 0 0}"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30rem),1fr));"
	"gap:1rem;margin:1rem auto}"
	".card{background:#fff;border:1px solid #d6d9de;border-radius:8px;padding:.75rem 1rem;"
	"min-width:0}"
	"h3{font-size:1.1rem;margin:.1rem 0}"
	".goal{margin:0 0 .4rem;color:#41464e}"
	".chart{display:block;width:100%;height:auto}"
	".chart text{font-size:12px;fill:#4a4f57}"
	".chart .yl{text-anchor:end}.chart .m,.chart .yr{text-anchor:middle}"
	".chart .yr{fill:#6b7079}"
	".chart .tl{text-anchor:start;fill:#a3161a}"
	".chart .grid{stroke:#e6e8eb;stroke-width:1}"
	".chart .target{stroke:#a3161a;stroke-width:2}"
	".chart .line{fill:none;stroke:#1f5fa8;stroke-width:2.5}"
	".chart .pt{fill:#1f5fa8;stroke:#fff;stroke-width:1.5}"
	".chart .gap{fill:#eef0f3}"
	"table{width:100%;border-collapse:collapse;font-size:.92rem;margin-top:.4rem}"
	"th,td{text-align:left;padding:.3rem .4rem;border-top:1px solid #eceef1;vertical-align:top}"
	"thead th{border-top:0;color:#5b6069;font-weight:600;font-size:.85rem}"
	"tbody th{font-weight:400;white-space:nowrap}"
	"td.v{font-weight:600;white-space:nowrap}"
	".yes{color:#17652b;font-weight:600}.no{color:#a3161a;font-weight:600}.na{color:#5b6069}"
	".few{color:#5b6069;font-style:italic;font-weight:400}"
	".proj{color:#1d4f91;font-weight:400;cursor:help}"
	"tr.heading th{color:#1d4f91;font-weight:600;border-top:1px solid #1d4f91}"
	".manual tbody th{white-space:normal}"
	"footer{color:#5b6069;font-size:.9rem;padding-bottom:2rem}"
	/* on a phone the chart is scaled to about half: larger text in its units */
	"@media (max-width:40rem){body{font-size:15px}header,main,footer{padding:0 .5rem}"
	".chart text{font-size:17px}.chart .tl{font-size:15px}tbody th{white-space:normal}"
	".card{padding:.5rem .6rem}th,td{padding:.25rem .25rem}}";

/*
 * Writes the whole page. Returns 0, or -EIO when out has an error
 * (open_memstream out of memory, a closed pipe).
 */
int
page_render(FILE *out, const struct config *cfg, const struct page_model *m)
{
	char today[40], q[32], first[32], last[32];
	int64_t secs = m->now_wall - floor_div(m->now_wall, SECS_PER_DAY) * SECS_PER_DAY;     /* 0..86399 */
	fmt_day(today, sizeof(today), m->today);
	fmt_quarter(q, sizeof(q), &m->quarter, false);
	fmt_day(first, sizeof(first), m->quarter.first_day);
	fmt_day(last, sizeof(last), m->quarter.last_day);

	fputs("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      /* a wall screen stays current; the figures change at most once a commit */
	      "<meta http-equiv=\"refresh\" content=\"300\">\n"
	      "<title>Patientnämndens indikatorer – målstyrning och kvalitetsstyrning</title>\n"
	      "<style>", out);
	fputs(page_css, out);
	fputs("</style>\n</head>\n<body>\n<header>\n<h1>Patientnämndens indikatorer</h1>\n", out);
	fprintf(out, "<p>Läget den %s kl. %02d:%02d. Innevarande kvartal: %s (%s – %s).</p>\n",
	        today, (int)(secs / 3600), (int)(secs % 3600 / 60), q, first, last);
	put_overview(out, cfg, m, PAGE_MONTHS - 1);
	put_overview(out, cfg, m, PAGE_MONTHS - 2);
	fputs("</header>\n<main>\n", out);
	if (m->n == 0)
		fputs("<p>Inga indikatorer är konfigurerade.</p>\n", out);
	put_group(out, cfg, m, false);
	put_group(out, cfg, m, true);
	fprintf(out, "</main>\n<footer>\n<p>Diagrammen visar de senaste %d månaderna; den streckade "
	        "linjen är målet och den sista punkten är innevarande månad hittills. ", PAGE_MONTHS);
	fprintf(out, "En andel över färre än %" PRId64 " ärenden visas som ”för få ärenden”, "
	        "så att ingen liten grupp kan pekas ut. ", m->min_cases);
	fputs("En månad utan värde (”inga ärenden” eller ”för få ärenden”) är ett grått fält i "
	      "diagrammet, inte en punkt på 0 %. "
	      "”Ej bedömt”: underlaget är mindre än indikatorns minsta underlag. "
	      "Ett medelvärde av månader (TeleQ) visas med månadernas andelar. "
	      "Inrapporterade värden förs in för hand per kvartal; ”–”: inget värde ännu.</p>\n"
	      "<p>Samma siffror som JSON: <a href=\"/api/indicators\">/api/indicators</a> "
	      "(<code>?period=2026-Q1</code> som <code>teleqctl report</code>).</p>\n"
	      "</footer>\n</body>\n</html>\n", out);
	return ferror(out) ? -EIO : 0;
}
