/*
 * followup.c — the committee's follow-up document (Verksamhetsuppföljning)
 * as one printable HTML page, from a report (report.c): what `teleqctl
 * report PERIOD --format html` prints and the daemon serves as /rapport.
 *
 * Pure: writes to a FILE, reads nothing else. The layout follows the
 * committee's own follow-ups (../shared/seeds): a Målstyrning table
 * (Indikatorer, Målvärde, Utfall) and a Kvalitetsstyrning table (the
 * deadline indicators: Delresultat), each row with its verdict in words,
 * the basis and the same period last year in a sentence ("265 av 513
 * ärenden ger 52 %. Samma kvartal 2025: 200 av 409, 49 %."), a mean of
 * months as its arithmetic ("(90 + 73 + 66) / 3 = 76 %"), and a closing
 * sentence per table ("Alla indikatorer utom en uppnås."). The numbers
 * are formatted by report.c, as in every other report, so the document
 * and `teleqctl report` never disagree on a rounding.
 *
 * A4 with `@media print`; no script, no external resource (fonts, images,
 * style sheets), so the file prints and mails as it is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "followup.h"
#include "html.h"
#include "indicator.h"
#include "manual.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"

static const char css[] =
	"@page { size: A4; margin: 16mm 15mm 18mm 15mm; }\n"
	"* { box-sizing: border-box; }\n"
	"html { background: #fff; }\n"
	"body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt;"
	" color: #111; line-height: 1.35; margin: 0; }\n"
	"@media screen { html { background: #e9e9e9; } body { max-width: 210mm; margin: 8mm auto;"
	" padding: 14mm 15mm; background: #fff; box-shadow: 0 0 4px #999; } }\n"
	"header { border-bottom: 2px solid #1d4f91; margin-bottom: 5mm; padding-bottom: 2mm; }\n"
	"h1 { font-size: 19pt; margin: 0; color: #1d4f91; }\n"
	".period { font-size: 14pt; margin: 1mm 0 0; }\n"
	".meta { color: #555; font-size: 9pt; margin: 1mm 0 0; }\n"
	".running { background: #fff4cc; padding: 1mm 2mm; margin: 2mm 0 0; }\n"
	"h2 { font-size: 14pt; color: #1d4f91; margin: 7mm 0 2mm; }\n"
	/* fixed: both tables' columns line up, whatever their contents */
	"table { width: 100%; border-collapse: collapse; table-layout: fixed; }\n"
	"th, td { border-bottom: 1px solid #bbb; padding: 1.5mm 2mm; vertical-align: top;"
	" text-align: left; }\n"
	"th { background: #e6edf7; border-bottom: 1.5px solid #1d4f91; }\n"
	"th.num, td.num { text-align: right; white-space: nowrap; }\n"
	/* the committee's sub-headings inside a table ("Stödpersonsuppdraget") */
	"tr.heading th { background: none; color: #1d4f91; font-size: 10.5pt;"
	" border-bottom: 1px solid #1d4f91; padding-top: 3.5mm; }\n"
	"col.c-ind { width: 55%; } col.c-tgt { width: 12%; } col.c-val { width: 14%; }"
	" col.c-ver { width: 19%; }\n"
	".ind { font-weight: bold; }\n"
	".basis, .prognos, .note { font-size: 8.5pt; color: #333; margin-top: 0.7mm; }\n"
	".prognos { font-style: italic; }\n"
	".note { border-left: 2px solid #1d4f91; padding-left: 2mm; }\n"
	"td.verdict { white-space: nowrap; }\n"
	".yes { color: #11632b; } .no { color: #a3161a; font-weight: bold; } .na { color: #555; }\n"
	".closing { font-weight: bold; margin: 2.5mm 0 0; }\n"
	".uppskov { margin: 1.5mm 0 0; }\n"
	".explain { font-size: 8.5pt; color: #444; margin: 1.5mm 0 0; }\n"
	".missing { border: 1px dashed #a36a00; background: #fff8e6; padding: 1.5mm 2mm;"
	" font-size: 9pt; margin: 2.5mm 0 0; }\n"
	"footer { margin-top: 8mm; font-size: 8pt; color: #666; border-top: 1px solid #ccc;"
	" padding-top: 1.5mm; }\n"
	"@media print { tr, .missing, .closing { break-inside: avoid; }"
	" h2, tr.heading { break-after: avoid; } thead { display: table-header-group; } }\n";

static const char *
title_of(const struct indicator *ind)
{
	return ind->title ? ind->title : ind->name;
}

/*
 * What an indicator counts, for its sentences: "samtal" when every event
 * its cases are counted from is a call (TeleQ's call.*), otherwise
 * "ärenden". Taken from the config's event names, so no text is invented.
 */
static const char *
noun(const struct config *cfg, const struct indicator *ind)
{
	const struct filter *f = ind->kind == IND_GROWTH ? &ind->num :
	                         ind->kind == IND_DEADLINE ? &ind->start : &ind->den;
	bool calls = false;

	for (size_t c = 0; c < f->n; c++) {
		if (f->c[c].dim != -1)
			continue;
		calls = f->c[c].n > 0;
		for (size_t k = 0; k < f->c[c].n; k++) {
			unsigned id = f->c[c].ids[k];
			const char *ev = id >= 1 && id <= cfg->nevents ? cfg->events[id - 1] : NULL;

			if (!ev || strncmp(ev, "call.", 5) != 0)
				calls = false;
		}
	}
	return calls ? "samtal" : "ärenden";
}

/* The verdict in words (see followup.h). */
const char *
followup_verdict(const struct indicator *ind, const struct outcome *o)
{
	if (o->met == 1)
		return "uppnås";
	if (o->met == 0)
		return "uppnås inte";
	if (o->has_value)
		return "för få ärenden";        /* shown, but below min_denominator */
	if (ind->kind == IND_DEADLINE && o->pending > 0)
		return "inga avgjorda ärenden";
	if (ind->kind == IND_GROWTH && o->num > 0)
		return "inget att jämföra med";
	return "inga ärenden";
}

/* The closing sentence of a table (see followup.h). */
void
followup_fmt_closing(char *buf, size_t len, size_t met, size_t missed, size_t unjudged)
{
	size_t judged = met + missed;
	int n;

	if (judged == 0) {
		snprintf(buf, len, "Ingen indikator kan bedömas.");
		return;
	}
	/* the seeds' words: "Alla indikatorer utom en uppnås." */
	if (missed == 0)
		n = snprintf(buf, len, "Alla indikatorer uppnås.");
	else if (missed == 1 && met > 0)
		n = snprintf(buf, len, "Alla indikatorer utom en uppnås.");
	else
		n = snprintf(buf, len, "%zu av %zu indikatorer uppnås.", met, judged);
	if (n < 0 || (size_t)n >= len || unjudged == 0)
		return;
	if (unjudged == 1)
		snprintf(buf + n, len - (size_t)n, " En indikator kan inte bedömas.");
	else
		snprintf(buf + n, len - (size_t)n, " %zu indikatorer kan inte bedömas.", unjudged);
}

/* "(90 + 73 + 66) / 3 = 76 %": the months as whole percents, the mean as judged. */
void
followup_fmt_mean(char *buf, size_t len, const double *monthly, unsigned n, double value)
{
	char pct[32];
	size_t pos = 0;

	if (n == 0) {
		snprintf(buf, len, "–");
		return;
	}
	report_fmt_percent(pct, sizeof(pct), value, false);
	if (n == 1) {
		snprintf(buf, len, "%s", pct);
		return;
	}
	buf[0] = '\0';
	for (unsigned k = 0; k < n && pos < len; k++) {
		int w = snprintf(buf + pos, len - pos, "%s%.0f", k ? " + " : "(",
		                 report_whole_percent(monthly[k]));

		if (w < 0)
			return;
		pos += (size_t)w;
	}
	if (pos < len)
		snprintf(buf + pos, len - pos, ") / %u = %s", n, pct);
}

/* "samma kvartal 2025" (cap: "Samma ..."), the period one year earlier in words. */
static void
fmt_same(char *buf, size_t len, const struct period *prev, bool cap)
{
	const char *what;

	switch (prev->kind) {
	case P_MONTH:   what = "månad"; break;
	case P_QUARTER: what = "kvartal"; break;
	case P_HALF:    what = "halvår"; break;
	case P_DAY:     what = "dag"; break;
	case P_YEAR:
		snprintf(buf, len, "%s %" PRId64, cap ? "Året" : "året", prev->year);
		return;
	case P_ROLLING:
	default:
		snprintf(buf, len, "%s period i fjol", cap ? "Samma" : "samma");
		return;
	}
	snprintf(buf, len, "%s %s %" PRId64, cap ? "Samma" : "samma", what, prev->year);
}

/* Indicator i's outcome in a sentence (see followup.h). */
void
followup_fmt_outcome(char *buf, size_t len, const struct config *cfg, size_t i,
                     const struct report *rep)
{
	const struct indicator *ind = &cfg->indicators[i];
	const struct ind_result *r = &rep->r[i];
	const struct outcome *o = &r->cur;
	const char *what = noun(cfg, ind);
	char pct[32], same[64], mean[FOLLOWUP_LINE_MAX / 2];

	if (o->has_value)
		report_fmt_percent(pct, sizeof(pct), o->value, ind->kind == IND_GROWTH);
	if (ind->kind == IND_GROWTH) {
		fmt_same(same, sizeof(same), &rep->prev, false);
		if (o->has_value)
			snprintf(buf, len, "%" PRId64 " %s mot %" PRId64 " %s ger %s.", o->num, what,
			         o->den, same, pct);
		else
			snprintf(buf, len, "%" PRId64 " %s mot %" PRId64 " %s.", o->num, what, o->den,
			         same);
	} else if (ind->kind == IND_DEADLINE) {
		char open[48] = "";

		if (o->pending > 0)
			snprintf(open, sizeof(open), ", %" PRId64 " pågående", o->pending);
		if (o->den == 0)
			snprintf(buf, len, "Inga avgjorda %s%s.", what, open);
		else
			snprintf(buf, len, "%" PRId64 " av %" PRId64 " avgjorda %s i tid ger %s%s.",
			         o->num, o->den, what, o->has_value ? pct : "–", open);
	} else if (ind->combine == COMBINE_MEAN_OF_MONTHS && r->ncur_monthly > 1) {
		followup_fmt_mean(mean, sizeof(mean), r->cur_monthly, r->ncur_monthly, o->value);
		snprintf(buf, len, "Medel av månaderna: %s.", mean);
	} else if (o->den == 0) {
		snprintf(buf, len, "Inga %s.", what);
	} else {
		snprintf(buf, len, "%" PRId64 " av %" PRId64 " %s ger %s.", o->num, o->den, what,
		         o->has_value ? pct : "–");
	}
}

/* The same period last year in a sentence (see followup.h). */
void
followup_fmt_previous(char *buf, size_t len, const struct config *cfg, size_t i,
                      const struct report *rep)
{
	const struct indicator *ind = &cfg->indicators[i];
	const struct ind_result *r = &rep->r[i];
	const struct outcome *o = &r->prev;
	char same[64], pct[32], mean[FOLLOWUP_LINE_MAX / 2];

	fmt_same(same, sizeof(same), &rep->prev, true);
	if (!o->has_value) {
		snprintf(buf, len, "%s: –.", same);
		return;
	}
	report_fmt_percent(pct, sizeof(pct), o->value, ind->kind == IND_GROWTH);
	if (ind->kind == IND_GROWTH) {
		snprintf(buf, len, "%s: %s (%" PRId64 " mot %" PRId64 ").", same, pct, o->num, o->den);
	} else if (ind->kind == IND_RATIO && ind->combine == COMBINE_MEAN_OF_MONTHS &&
	           r->nprev_monthly > 1) {
		followup_fmt_mean(mean, sizeof(mean), r->prev_monthly, r->nprev_monthly, o->value);
		snprintf(buf, len, "%s: %s.", same, mean);
	} else {
		snprintf(buf, len, "%s: %" PRId64 " av %" PRId64 ", %s.", same, o->num, o->den, pct);
	}
}

/*
 * Whether deadline indicator ind counts the postponements of one age
 * group: it has an extend filter, and its start filter a clause on the
 * dimension "age" holding the one value group ("child", "adult").
 */
static bool
age_group_of(const struct config *cfg, const struct indicator *ind, const char *group)
{
	if (ind->kind != IND_DEADLINE || ind->extend.n == 0)
		return false;
	for (size_t c = 0; c < ind->start.n; c++) {
		const struct clause *cl = &ind->start.c[c];
		const struct dimension *d;

		if (cl->dim < 0 || (size_t)cl->dim >= cfg->ndims || cl->n != 1)
			continue;
		d = &cfg->dims[cl->dim];
		if (strcmp(d->name, "age") == 0 && cl->ids[0] >= 1 && cl->ids[0] <= d->nvalues &&
		    strcmp(d->values[cl->ids[0] - 1], group) == 0)
			return true;
	}
	return false;
}

/* The postponements by age group in a sentence (see followup.h). */
bool
followup_fmt_uppskov(char *buf, size_t len, const struct config *cfg, const struct report *rep)
{
	static const struct { const char *group, *words; } groups[] = {
		{ "child", "< 19 år" }, { "adult", "> 19 år" },
	};
	size_t pos = 0;
	bool any = false;

	if (len == 0)
		return false;
	buf[0] = '\0';
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (size_t i = 0; i < cfg->nindicators && i < rep->n; i++) {
			const struct outcome *o = &rep->r[i].cur;
			char n[32];
			int w;

			if (!age_group_of(cfg, &cfg->indicators[i], groups[g].group))
				continue;
			/* no case at all in the period: no figure, not a 0 */
			if (o->den == 0 && o->pending == 0 && o->extended == 0)
				snprintf(n, sizeof(n), "%s", REPORT_DASH);
			else
				snprintf(n, sizeof(n), "%" PRId64 " %s", o->extended,
				         o->extended == 1 ? "ärende" : "ärenden");
			w = snprintf(buf + pos, len - pos, "%s%s %s", any ? ", " : "Uppskov: ",
			             groups[g].words, n);
			if (w < 0 || (size_t)w >= len - pos)
				return any;
			pos += (size_t)w;
			any = true;
			break;          /* the first one: two would count the same cases twice */
		}
	}
	if (any && pos + 1 < len)
		snprintf(buf + pos, len - pos, ".");
	return any;
}

/* Prints the samordnare's notes (either may be NULL or ""), as they were written. */
static void
put_notes(FILE *out, const char *analys, const char *prognos)
{
	if (analys && analys[0]) {
		fputs("<div class=\"note\">Analys: ", out);
		html_put_esc(out, analys, HTML_NBSP_PERCENT);
		fputs("</div>\n", out);
	}
	if (prognos && prognos[0]) {
		fputs("<div class=\"note\">Samordnarens prognos: ", out);
		html_put_esc(out, prognos, HTML_NBSP_PERCENT);
		fputs("</div>\n", out);
	}
}

/* One row: the title with its sentences, the target, the outcome, the verdict. */
static void
put_row(FILE *out, const struct config *cfg, const struct report *rep, size_t i,
        const struct followup_note *note)
{
	const struct indicator *ind = &cfg->indicators[i];
	const struct ind_result *r = &rep->r[i];
	char line[FOLLOWUP_LINE_MAX], pct[32];

	fputs("<tr><td><div class=\"ind\">", out);
	html_put_esc(out, title_of(ind), HTML_NBSP_PERCENT);
	fputs("</div>\n<div class=\"basis\">", out);
	followup_fmt_outcome(line, sizeof(line), cfg, i, rep);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputc(' ', out);
	followup_fmt_previous(line, sizeof(line), cfg, i, rep);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputs("</div>\n", out);
	if (r->proj.has_value) {
		report_fmt_percent(pct, sizeof(pct), r->proj.value, ind->kind == IND_GROWTH);
		snprintf(line, sizeof(line), "Prognos: %s (%s).", pct, PROGNOS_METHOD_SV);
		fputs("<div class=\"prognos\">", out);
		html_put_esc(out, line, HTML_NBSP_PERCENT);
		fputs("</div>\n", out);
	}
	/* the samordnare's own notes (issue 18 item 2), printed as they were written */
	if (note)
		put_notes(out, note->analys, note->prognos);
	report_fmt_target(pct, sizeof(pct), ind->target);
	snprintf(line, sizeof(line), "%s %s", report_cmp_sign(ind->cmp), pct);
	fputs("</td><td class=\"num\">", out);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputs("</td><td class=\"num\">", out);
	if (r->cur.has_value)
		report_fmt_percent(pct, sizeof(pct), r->cur.value, ind->kind == IND_GROWTH);
	else
		snprintf(pct, sizeof(pct), "–");
	html_put_esc(out, pct, HTML_NBSP_PERCENT);
	fprintf(out, "</td><td class=\"verdict %s\">",
	        r->cur.met == 1 ? "yes" : r->cur.met == 0 ? "no" : "na");
	html_put_esc(out, followup_verdict(ind, &r->cur), HTML_NBSP_PERCENT);
	fputs("</td></tr>\n", out);
}

/* A manual indicator's verdict in words (see followup.h). */
const char *
followup_manual_verdict(const struct manual_ind *m, const struct manual_result *mr)
{
	if (!mr->has_value)
		return "värde saknas";
	if (!m->has_target)
		return "inget målvärde";
	return mr->met == 1 ? "uppnås" : "uppnås inte";
}

/* Manual indicator j's sentence (see followup.h). */
void
followup_fmt_manual_basis(char *buf, size_t len, const struct config *cfg, size_t j,
                          const struct report *rep)
{
	const struct manual_ind *m = &cfg->manuals[j];
	const struct manual_result *mr = &rep->m[j];
	char same[64], v[96];

	fmt_same(same, sizeof(same), &rep->prev, true);
	if (mr->prev_has_value)
		manual_fmt_value(v, sizeof(v), m->unit, mr->prev_value);
	snprintf(buf, len, "%s %s: %s.",
	         mr->has_value ? "Inrapporterat för hand." : "Inget värde inrapporterat ännu.",
	         same, mr->prev_has_value ? v : REPORT_DASH);
}

/* Row of manual indicator j: entered by hand (teleqctl set), "–" when not. */
static void
put_manual_row(FILE *out, const struct config *cfg, const struct report *rep, size_t j)
{
	const struct manual_ind *m = &cfg->manuals[j];
	const struct manual_result *mr = &rep->m[j];
	char line[FOLLOWUP_LINE_MAX], v[96];

	fputs("<tr><td><div class=\"ind\">", out);
	html_put_esc(out, m->title ? m->title : m->name, HTML_NBSP_PERCENT);
	fputs("</div>\n<div class=\"basis\">", out);
	followup_fmt_manual_basis(line, sizeof(line), cfg, j, rep);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputs("</div>\n", out);
	put_notes(out, mr->analys, mr->prognos);
	manual_fmt_target(line, sizeof(line), m);
	fputs("</td><td class=\"num\">", out);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputs("</td><td class=\"num\">", out);
	if (mr->has_value)
		manual_fmt_value(v, sizeof(v), m->unit, mr->value);
	else
		snprintf(v, sizeof(v), "%s", REPORT_DASH);
	html_put_esc(out, v, HTML_NBSP_PERCENT);
	fprintf(out, "</td><td class=\"verdict %s\">",
	        mr->met == 1 ? "yes" : mr->met == 0 ? "no" : "na");
	html_put_esc(out, followup_manual_verdict(m, mr), HTML_NBSP_PERCENT);
	fputs("</td></tr>\n", out);
}

/*
 * One table: the Kvalitetsstyrning (quality) or the Målstyrning rows as
 * report_rows() orders them (by kind, or the config's section), each
 * heading as a row of its own, as teleqctl's text report and the
 * workbook split them. Nothing when the table would be empty.
 */
static void
put_table(FILE *out, const struct config *cfg, const struct report *rep,
          const struct followup_note *notes, bool quality)
{
	struct report_row rows[REPORT_ROWS_MAX];
	size_t nrows, met = 0, missed = 0, unjudged = 0;
	struct followup_note note;
	char line[FOLLOWUP_LINE_MAX];

	nrows = report_rows(cfg, quality, rep->manual_read && rep->m, rows);
	if (nrows == 0)
		return;
	fprintf(out, "<section>\n<h2>%s</h2>\n<table>\n"
	        "<colgroup><col class=\"c-ind\"><col class=\"c-tgt\"><col class=\"c-val\">"
	        "<col class=\"c-ver\"></colgroup>\n"
	        "<thead><tr><th>Indikatorer</th><th class=\"num\">Målvärde</th>"
	        "<th class=\"num\">%s</th><th>Bedömning</th></tr></thead>\n<tbody>\n",
	        quality ? "Kvalitetsstyrning" : "Målstyrning", quality ? "Delresultat" : "Utfall");
	for (size_t k = 0; k < nrows; k++) {
		size_t i = rows[k].i;

		if (rows[k].kind == RROW_HEADING) {
			/* the committee's sub-heading ("Stödpersonsuppdraget") */
			fputs("<tr class=\"heading\"><th colspan=\"4\">", out);
			html_put_esc(out, rows[k].heading, HTML_NBSP_PERCENT);
			fputs("</th></tr>\n", out);
			continue;
		}
		if (rows[k].kind == RROW_MANUAL) {
			put_manual_row(out, cfg, rep, i);
			met += rep->m[i].met == 1;
			missed += rep->m[i].met == 0;
			unjudged += rep->m[i].met != 1 && rep->m[i].met != 0;
			continue;
		}
		/* the notes given, else those read with the manual values (rep->notes) */
		if (notes)
			note = notes[i];
		else if (rep->manual_read && rep->notes)
			note = (struct followup_note){ rep->notes[i].analys, rep->notes[i].prognos };
		else
			note = (struct followup_note){ NULL, NULL };
		put_row(out, cfg, rep, i, &note);
		met += rep->r[i].cur.met == 1;
		missed += rep->r[i].cur.met == 0;
		unjudged += rep->r[i].cur.met != 1 && rep->r[i].cur.met != 0;
	}
	fputs("</tbody>\n</table>\n", out);
	followup_fmt_closing(line, sizeof(line), met, missed, unjudged);
	fputs("<p class=\"closing\">", out);
	html_put_esc(out, line, HTML_NBSP_PERCENT);
	fputs("</p>\n", out);
	if (quality && report_rows_have_deadline(cfg, rows, nrows))
		fputs("<p class=\"explain\">Delresultat: andel i tid av de avgjorda ärendena som "
		      "började under perioden; pågående ärenden räknas när de avgörs.</p>\n", out);
	/*
	 * The seeds list the postponements by age group ("Uppskov: < 19 år 1
	 * ärende, > 19 år 18 ärenden"): cases, by the month the care provider
	 * was asked, from the deadline indicators split by age.
	 */
	if (quality && followup_fmt_uppskov(line, sizeof(line), cfg, rep)) {
		fputs("<p class=\"uppskov\">", out);
		html_put_esc(out, line, HTML_NBSP_PERCENT);
		fputs("</p>\n", out);
	}
	fputs("</section>\n", out);
}

/* The document (see followup.h). */
int
followup_render(FILE *out, const struct config *cfg, const struct report *rep,
                const struct followup_note *notes)
{
	char name[64], first[16], last[16], today[16];

	report_fmt_period(name, sizeof(name), &rep->cur);
	/* "kvartal 1 2026" -> "Kvartal 1 2026" (the period's words start with ASCII) */
	if (name[0] >= 'a' && name[0] <= 'z')
		name[0] = (char)(name[0] - 'a' + 'A');
	day_key(rep->cur.first_day, first, sizeof(first));
	day_key(rep->cur.last_day, last, sizeof(last));
	day_key(rep->today, today, sizeof(today));

	fputs("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>Verksamhetsuppföljning ", out);
	html_put_esc(out, name, HTML_NBSP_PERCENT);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
	        "<h1>Verksamhetsuppföljning</h1>\n<p class=\"period\">", css);
	html_put_esc(out, name, HTML_NBSP_PERCENT);
	fprintf(out, "</p>\n<p class=\"meta\">%s – %s</p>\n", first, last);
	if (rep->today < rep->cur.first_day)
		fputs("<p class=\"running\">Perioden har inte börjat.</p>\n", out);
	else if (rep->today <= rep->cur.last_day && rep->cur.kind != P_ROLLING)
		fprintf(out, "<p class=\"running\">Perioden pågår: utfall till och med %s.</p>\n",
		        today);
	fputs("</header>\n", out);

	put_table(out, cfg, rep, notes, false);
	put_table(out, cfg, rep, notes, true);

	fprintf(out, "<footer>Framtagen %s av teleqd %s ur de räknade händelserna. "
	        "Utfall och underlag avrundas till hela procent; bedömningen görs på fyra "
	        "decimaler.</footer>\n</body>\n</html>\n", today, TQ_VERSION);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
