/*
 * report.c — the committee's report computed from counter sums, and its
 * JSON form: what `teleqctl report` and the daemon's /api/indicators and
 * dashboard share, so both give the same figures byte for byte.
 *
 * Pure: no Redis, no clock. The caller reads the counter hashes a report
 * needs (report_init names them: the spans of the period, of the same
 * period one year earlier and, for growth indicators, two years earlier),
 * folds each hash with ind_accumulate() into an ind_table bucketed by
 * local month, and calls compute_report(). teleqctl reads synchronously
 * (fetch_span), the daemon asynchronously (dash.c); the fold is the same.
 *
 * Also here: the number formats of the reports (whole percent the Swedish
 * way, targets, four-decimal fractions) and a JSON string writer.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicator.h"
#include "manual.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"

/* ============================================================ tables */

/* Allocates an empty table for nind indicators. 0 or -ENOMEM; t untouched on failure. */
int
ind_table_init(struct ind_table *t, size_t nind)
{
	struct ind_sums *sums = calloc(IND_MAX_MONTHS * (nind ? nind : 1), sizeof(*sums));

	if (!sums)
		return -ENOMEM;
	*t = (struct ind_table){ .sums = sums };
	return 0;
}

/* Frees the sums of t; accepts NULL and a zeroed or already freed table. */
void
ind_table_done(struct ind_table *t)
{
	if (!t)
		return;
	free(t->sums);
	t->sums = NULL;
}

/*
 * The nind sums of month monthno in t, a new bucket when it is not the
 * last one (callers feed months in ascending order). NULL when t is full.
 */
struct ind_sums *
ind_table_month(struct ind_table *t, size_t nind, int64_t monthno)
{
	if (t->nmonths > 0 && t->monthno[t->nmonths - 1] == monthno)
		return &t->sums[(t->nmonths - 1) * nind];
	if (t->nmonths == IND_MAX_MONTHS)
		return NULL;
	t->monthno[t->nmonths] = monthno;
	return &t->sums[t->nmonths++ * nind];
}

/* Month number (y*12 + m-1) of bucket k of span s. */
int64_t
span_month(const struct span *s, unsigned k)
{
	int64_t y;
	unsigned m, d;

	if (!s->days)
		return s->first + k;
	civil_from_days(s->first + k, &y, &m, &d);
	return y * 12 + m - 1;
}

/*
 * Outcome of indicator i of cfg over table t. before holds the same span
 * one year earlier, needed by growth indicators (NULL: no value). When
 * monthly is not NULL it gets the ratio of each month with den > 0, in
 * order, and *ret_nmonthly their count.
 */
void
ind_table_outcome(const struct config *cfg, size_t i, const struct ind_table *t,
                  const struct ind_table *before, struct outcome *ret,
                  double monthly[IND_MAX_MONTHS], unsigned *ret_nmonthly)
{
	const struct indicator *ind = &cfg->indicators[i];
	size_t nind = cfg->nindicators;
	struct ind_sums m[IND_MAX_MONTHS];
	unsigned nm = 0;

	/* ind_outcome() wants one indicator's months side by side. */
	for (unsigned k = 0; k < t->nmonths; k++)
		m[k] = t->sums[k * nind + i];

	if (ind->kind == IND_GROWTH) {
		/* Growth only sums; the two spans need not have as many month
		 * buckets (rolling windows), so compare their totals. */
		struct ind_sums cur = { 0 }, prev = { 0 };
		struct outcome tmp;

		ind_outcome(ind, m, NULL, t->nmonths, &tmp);
		cur.num = tmp.num;
		if (before) {
			for (unsigned k = 0; k < before->nmonths; k++)
				m[k] = before->sums[k * nind + i];
			ind_outcome(ind, m, NULL, before->nmonths, &tmp);
			prev.num = tmp.num;
		}
		ind_outcome(ind, &cur, before ? &prev : NULL, 1, ret);
	} else {
		ind_outcome(ind, m, NULL, t->nmonths, ret);
		if (monthly)
			for (unsigned k = 0; k < t->nmonths; k++)
				if (m[k].den > 0)
					monthly[nm++] = (double)m[k].num / (double)m[k].den;
	}
	if (ret_nmonthly)
		*ret_nmonthly = nm;
}

/* Strict decimal int64 of s[0..len): 0 or -EINVAL (*ret untouched). */
int
report_parse_count(const char *s, size_t len, int64_t *ret)
{
	char tmp[32], *end;
	long long v;

	/* strtoll would also take blanks and a '+': Redis writes neither. */
	if (len == 0 || len >= sizeof(tmp) || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* =========================================================== reports */

/*
 * Parses a PERIOD as `teleqctl report` takes it ("2026-03", "2026-Q1",
 * "2026-H1", "2026", "2026-03-05", "rolling"), today being the local day
 * number today. Longer than REPORT_PERIOD_MAX bytes is -EINVAL without
 * looking further. Returns 0 or -EINVAL; *ret untouched on failure.
 */
int
report_parse_period(const char *s, int64_t today, struct period *ret)
{
	if (!s || strnlen(s, REPORT_PERIOD_MAX + 1) > REPORT_PERIOD_MAX)
		return -EINVAL;
	return period_parse(s, today, ret);
}

/*
 * Sets up rep for period p: the same period one year earlier, both names,
 * the spans of counter hashes to read (scur, sprev, and sprev2 when some
 * indicator is a growth: last year's growth compares it with the year
 * before) and one zeroed result per indicator. Returns 0 or -ENOMEM
 * (-EINVAL for a name that does not fit, which no period has); *rep is
 * untouched on failure. Free with report_done().
 */
int
report_init(struct report *rep, const struct config *cfg, const struct period *p, int64_t today)
{
	struct report r = { .cur = *p, .today = today, .n = cfg->nindicators };

	r.prev = period_previous_year(&r.cur);
	if (period_name(&r.cur, r.cur_name, sizeof(r.cur_name)) < 0 ||
	    period_name(&r.prev, r.prev_name, sizeof(r.prev_name)) < 0)
		return -EINVAL;
	period_span(&r.cur, &r.scur, &r.sprev);
	period_span(&r.prev, NULL, &r.sprev2);
	for (size_t i = 0; i < cfg->nindicators; i++)
		if (cfg->indicators[i].kind == IND_GROWTH)
			r.need_prev2 = true;
	r.nmanual = cfg->nmanuals;
	r.r = calloc(r.n ? r.n : 1, sizeof(*r.r));
	r.m = calloc(r.nmanual ? r.nmanual : 1, sizeof(*r.m));
	r.notes = calloc(r.n ? r.n : 1, sizeof(*r.notes));
	if (!r.r || !r.m || !r.notes) {
		free(r.r);
		free(r.m);
		free(r.notes);
		return -ENOMEM;
	}
	for (size_t j = 0; j < r.nmanual; j++)
		r.m[j].met = r.m[j].prev_met = -1;
	*rep = r;
	return 0;
}

/* Frees rep's results; accepts NULL and a zeroed or already freed report. */
void
report_done(struct report *rep)
{
	if (!rep)
		return;
	free(rep->r);
	rep->r = NULL;
	for (size_t j = 0; rep->m && j < rep->nmanual; j++) {
		free(rep->m[j].analys);
		free(rep->m[j].prognos);
	}
	free(rep->m);
	rep->m = NULL;
	for (size_t i = 0; rep->notes && i < rep->n; i++) {
		free(rep->notes[i].analys);
		free(rep->notes[i].prognos);
	}
	free(rep->notes);
	rep->notes = NULL;
}

/*
 * Fills rep->r from the tables of the period (cur), of the same period one
 * year earlier (prev) and two years earlier (prev2, for the growth of the
 * previous year; may be NULL), and the projection of a running period.
 */
void
compute_report(const struct config *cfg, const struct ind_table *cur,
               const struct ind_table *prev, const struct ind_table *prev2,
               struct report *rep)
{
	for (size_t i = 0; i < cfg->nindicators; i++) {
		struct ind_result *r = &rep->r[i];

		ind_table_outcome(cfg, i, cur, prev, &r->cur, r->cur_monthly, &r->ncur_monthly);
		ind_table_outcome(cfg, i, prev, prev2, &r->prev, r->prev_monthly, &r->nprev_monthly);
		/* growth's den is the whole same period a year earlier: what the projection is held to */
		if (prognos_of_table(cfg, i, cur, &rep->cur, rep->today, r->cur.den, &r->proj) < 0)
			r->proj = (struct prognos){ 0 };
	}
}

/* ======================================================== overview */

/*
 * True when o has no data at all: no value, so not judged either. This is
 * the one definition of "utan underlag" (the summary table's "ej bedömt:
 * inget underlag"); a value over fewer cases than min_denominator is not
 * judged but has data ("ej bedömt: för litet underlag").
 */
bool
report_no_data(const struct outcome *o)
{
	return !o->has_value && o->met != 0 && o->met != 1;
}

/*
 * A period for people: "mars 2026", "kvartal 1 2026", "första halvåret
 * 2026", "2026", "2026-03-05", "de senaste 30 dagarna".
 */
void
report_fmt_period(char *buf, size_t len, const struct period *p)
{
	static const char *const months[12] = {
		"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
		"september", "oktober", "november", "december",
	};

	switch (p->kind) {
	case P_DAY:
		day_key(p->first_day, buf, len);
		break;
	case P_MONTH:
		snprintf(buf, len, "%s %" PRId64, months[(p->idx >= 1 && p->idx <= 12 ? p->idx : 1) - 1], p->year);
		break;
	case P_QUARTER:
		snprintf(buf, len, "kvartal %u %" PRId64, p->idx, p->year);
		break;
	case P_HALF:
		snprintf(buf, len, "%s halvåret %" PRId64, p->idx == 2 ? "andra" : "första", p->year);
		break;
	case P_YEAR:
		snprintf(buf, len, "%" PRId64, p->year);
		break;
	case P_ROLLING:
	default:
		snprintf(buf, len, "de senaste %d dagarna", ROLLING_DAYS);
		break;
	}
}

/*
 * The overview of count indicators over period p, of which missed are
 * below their target and nodata have no data (report_no_data): "3 av 12
 * indikatorer under målet, 9 utan underlag" (the second part only when
 * nodata > 0), or "Inga data för november 2026" when every indicator (at
 * least one) lacks data, so that no period without data reads as an
 * all-clear. Returns true in that last case.
 */
bool
report_fmt_overview(char *buf, size_t len, const struct period *p, size_t count, size_t missed,
                    size_t nodata)
{
	char name[64];

	if (count > 0 && nodata >= count) {
		report_fmt_period(name, sizeof(name), p);
		snprintf(buf, len, "Inga data för %s", name);
		return true;
	}
	if (nodata > 0)
		snprintf(buf, len, "%zu av %zu indikatorer under målet, %zu utan underlag", missed, count,
		         nodata);
	else
		snprintf(buf, len, "%zu av %zu indikatorer under målet", missed, count);
	return false;
}

/* ======================================================== formatting */

/* v rounded to four decimals as whole 1/10000 units (the judged value). */
static double
units4(double v)
{
	return round(v * 10000.0);
}

/* Whole percent of v, from its four-decimal value: 0.7350 -> 74. */
double
report_whole_percent(double v)
{
	return round(units4(v) / 100.0);
}

/*
 * The one signed-percent style of teleqd (teleqctl, the mail, the page):
 * whole percent, a space, "%"; below zero U+2212 MINUS SIGN (the
 * typographic minus Swedish print uses, not the ASCII hyphen); "+" above
 * zero only when sign (a growth); never "-0 %"; not a number: "–".
 * "52 %", "+25 %", "−3 %".
 */
void
report_fmt_percent(char *buf, size_t len, double v, bool sign)
{
	double p;

	if (!isfinite(v) || !isfinite(units4(v))) {
		snprintf(buf, len, REPORT_DASH);
		return;
	}
	p = report_whole_percent(v);
	if (p == 0)
		snprintf(buf, len, "0 %%");     /* also -0.0: no "−0 %" */
	else if (p < 0)
		snprintf(buf, len, REPORT_MINUS "%.0f %%", -p);
	else
		snprintf(buf, len, "%s%.0f %%", sign ? "+" : "", p);
}

/*
 * A target the Swedish way, to two decimals of a percent with a decimal
 * comma and the minus of report_fmt_percent: 0.55 -> "55 %", 0.125 ->
 * "12,5 %", -0.03 -> "−3 %"; not a number: "–".
 */
void
report_fmt_target(char *buf, size_t len, double target)
{
	char tmp[24], *dot;     /* smaller than every caller's buf, so nothing truncates */
	double t = units4(target) / 100.0;
	size_t n;

	if (!isfinite(t) || fabs(t) > 1e15) {
		snprintf(buf, len, REPORT_DASH);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.2f", fabs(t));
	dot = strchr(tmp, '.');
	n = strlen(tmp);
	while (dot && n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (dot && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	else if (dot)
		*dot = ',';
	snprintf(buf, len, "%s%s %%", t < 0 && strcmp(tmp, "0") != 0 ? REPORT_MINUS : "", tmp);
}

/*
 * The basis of o in Swedish, as the page and the alert messages show it:
 * "265 av 513", mean of months "441 av 600, medel av 3 mån", growth
 * "513 mot 409", deadline "480 av 510 avgjorda, 3 pågående" (met of the
 * decided cases; the pending ones are not in the share yet).
 */
void
report_fmt_basis(char *buf, size_t len, const struct indicator *ind, const struct outcome *o)
{
	if (ind->kind == IND_DEADLINE)
		snprintf(buf, len, "%" PRId64 " av %" PRId64 " avgjorda, %" PRId64 " pågående", o->num,
		         o->den, o->pending);
	else if (ind->kind == IND_GROWTH)
		snprintf(buf, len, "%" PRId64 " mot %" PRId64, o->num, o->den);
	else if (ind->combine == COMBINE_MEAN_OF_MONTHS && o->nmonths > 1)
		snprintf(buf, len, "%" PRId64 " av %" PRId64 ", medel av %u mån", o->num, o->den,
		         o->nmonths);
	else
		snprintf(buf, len, "%" PRId64 " av %" PRId64, o->num, o->den);
}

/* See report.h. */
void
report_fmt_basis_months(char *buf, size_t len, const struct indicator *ind, const struct outcome *o,
                        const double *monthly, unsigned n)
{
	size_t pos = 0;
	char pct[32];

	if (ind->kind != IND_RATIO || ind->combine != COMBINE_MEAN_OF_MONTHS || !monthly || n < 2 ||
	    n > IND_MAX_MONTHS || !o->has_value) {
		report_fmt_basis(buf, len, ind, o);
		return;
	}
	buf[0] = '\0';
	for (unsigned k = 0; k < n && pos < len; k++) {
		report_fmt_percent(pct, sizeof(pct), monthly[k], false);
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", k ? " + " : "", pct);
	}
	report_fmt_percent(pct, sizeof(pct), o->value, false);
	if (pos < len)
		snprintf(buf + pos, len - pos, " → medel %s", pct);
}

/* A fraction with '.' and four decimals, trailing zeros dropped: 0.5166, 0.55, 1. */
void
report_fmt_frac(char *buf, size_t len, double v)
{
	size_t n;

	snprintf(buf, len, "%.4f", units4(v) / 10000.0);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

/* The comparison as a report prints it: "≥", ">", "≤", "<". */
const char *
report_cmp_sign(enum cmp cmp)
{
	switch (cmp) {
	case CMP_GE: return "≥";
	case CMP_GT: return ">";
	case CMP_LE: return "≤";
	case CMP_LT: return "<";
	}
	return "?";
}

/* ============================================================== JSON */

/*
 * A JSON string: '"' and '\\' escaped, control characters as \uXXXX (or
 * their short forms). Text that is not valid UTF-8 has every non-ASCII
 * byte replaced with U+FFFD, so the output is always valid JSON.
 */
void
report_json_string(FILE *out, const char *s)
{
	bool valid = utf8_valid(s, strlen(s));

	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7F)
				fprintf(out, "\\u%04x", *p);
			else if (*p >= 0x80 && !valid)
				fputs("\\ufffd", out);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* The members of one indicator's outcome object (without braces). */
static void
json_outcome(FILE *out, const struct indicator *ind, const char *period,
             const struct outcome *o, const double *monthly, unsigned nmonthly)
{
	char buf[64];

	fputs("\"indicator\": ", out);
	report_json_string(out, ind->name);
	fputs(", \"title\": ", out);
	report_json_string(out, ind->title ? ind->title : ind->name);
	fputs(", \"period\": ", out);
	report_json_string(out, period);
	fprintf(out, ", \"numerator\": %" PRId64 ", \"denominator\": %" PRId64 ", \"value\": ",
	        o->num, o->den);
	if (o->has_value) {
		report_fmt_frac(buf, sizeof(buf), o->value);
		fputs(buf, out);
	} else {
		fputs("null", out);
	}
	report_fmt_frac(buf, sizeof(buf), ind->target);
	fprintf(out, ", \"target\": %s, \"cmp\": ", buf);
	report_json_string(out, cmp_symbol(ind->cmp));
	fprintf(out, ", \"met\": %s", o->met == 1 ? "true" : o->met == 0 ? "false" : "null");
	if (ind->kind == IND_DEADLINE)
		fprintf(out, ", \"kind\": \"deadline\", \"cases\": {\"met\": %" PRId64
		        ", \"decided\": %" PRId64 ", \"pending\": %" PRId64 ", \"extended\": %" PRId64
		        "}", o->num, o->den, o->pending, o->extended);
	if (ind->kind == IND_RATIO && ind->combine == COMBINE_MEAN_OF_MONTHS) {
		fputs(", \"months\": [", out);
		for (unsigned k = 0; k < nmonthly; k++) {
			report_fmt_frac(buf, sizeof(buf), monthly[k]);
			fprintf(out, "%s%s", k ? ", " : "", buf);
		}
		fputc(']', out);
	}
}

/* The notes as ", \"analys\": ..., \"prognos\": ..."; absent ones null when nulls, else left out. */
static void
json_notes(FILE *out, const char *analys, const char *prognos, bool nulls)
{
	if (analys || nulls) {
		fputs(", \"analys\": ", out);
		if (analys)
			report_json_string(out, analys);
		else
			fputs("null", out);
	}
	if (prognos || nulls) {
		fputs(", \"prognos\": ", out);
		if (prognos)
			report_json_string(out, prognos);
		else
			fputs("null", out);
	}
}

/* A value in a manual indicator's unit as a JSON number, or null. */
static void
json_manual_value(FILE *out, bool has, double v)
{
	char buf[64];

	if (!has) {
		fputs("null", out);
		return;
	}
	manual_fmt_plain(buf, sizeof(buf), v);
	fputs(buf, out);
}

/* One manual indicator's object (see report_json), after a comma when comma. */
static void
json_manual(FILE *out, const struct manual_ind *m, const struct report *rep,
            const struct manual_result *mr, bool comma)
{
	fputs(comma ? ",\n  {" : "\n  {", out);
	fputs("\"indicator\": ", out);
	report_json_string(out, m->name);
	fputs(", \"title\": ", out);
	report_json_string(out, m->title ? m->title : m->name);
	fputs(", \"period\": ", out);
	report_json_string(out, rep->cur_name);
	fprintf(out, ", \"kind\": \"manual\", \"unit\": \"%s\", \"value\": ",
	        manual_unit_name(m->unit));
	json_manual_value(out, mr->has_value, mr->value);
	fputs(", \"target\": ", out);
	json_manual_value(out, m->has_target, m->target);
	fputs(", \"cmp\": ", out);
	if (m->has_target)
		report_json_string(out, cmp_symbol(m->cmp));
	else
		fputs("null", out);
	fprintf(out, ", \"met\": %s", mr->met == 1 ? "true" : mr->met == 0 ? "false" : "null");
	json_notes(out, mr->analys, mr->prognos, true);
	fputs(", \"previous_year\": ", out);
	if (mr->prev_has_value) {
		fputs("{\"period\": ", out);
		report_json_string(out, rep->prev_name);
		fputs(", \"value\": ", out);
		json_manual_value(out, true, mr->prev_value);
		fprintf(out, ", \"met\": %s}", mr->prev_met == 1 ? "true" :
		        mr->prev_met == 0 ? "false" : "null");
	} else {
		fputs("null", out);
	}
	fputc('}', out);
}

/*
 * An array with one object per indicator. Values are fractions rounded to
 * four decimals (the judged value), null when there is none;
 * previous_year is the same object for the period a year earlier, or null
 * when that has no value; projection, only while the period runs, the
 * prognos value or null. Write errors show in ferror(out).
 */
void
report_json(FILE *out, const struct config *cfg, const struct report *rep)
{
	fputs("[", out);
	for (size_t i = 0; i < rep->n; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		const struct ind_result *r = &rep->r[i];

		fputs(i ? ",\n  {" : "\n  {", out);
		json_outcome(out, ind, rep->cur_name, &r->cur, r->cur_monthly, r->ncur_monthly);
		fputs(", \"previous_year\": ", out);
		if (r->prev.has_value) {
			fputc('{', out);
			json_outcome(out, ind, rep->prev_name, &r->prev, r->prev_monthly,
			             r->nprev_monthly);
			fputc('}', out);
		} else {
			fputs("null", out);
		}
		/* only while the period runs, so closed periods' JSON is as before */
		if (prognos_running(&rep->cur, rep->today)) {
			char buf[64];

			fputs(", \"projection\": ", out);
			if (r->proj.has_value) {
				report_fmt_frac(buf, sizeof(buf), r->proj.value);
				fputs(buf, out);
			} else {
				fputs("null", out);
			}
		}
		if (rep->manual_read)
			json_notes(out, rep->notes[i].analys, rep->notes[i].prognos, false);
		fputc('}', out);
	}
	if (rep->manual_read)
		for (size_t j = 0; j < rep->nmanual; j++)
			json_manual(out, &cfg->manuals[j], rep, &rep->m[j], rep->n + j > 0);
	fputs(rep->n || (rep->manual_read && rep->nmanual) ? "\n]\n" : "]\n", out);
}

/* ---------------------------------------------------------- the tables */

/* Which table (see report.h): the config's section, else a deadline is quality. */
bool
report_row_quality(const struct indicator *ind)
{
	if (ind->section != SECTION_AUTO)
		return ind->section == SECTION_QUALITY;
	return ind->kind == IND_DEADLINE;
}

/* A manual row is in Målstyrning unless its section says otherwise (the seeds close it so). */
bool
report_manual_quality(const struct manual_ind *m)
{
	return m->section == SECTION_QUALITY;
}

/*
 * Candidate t of the rows: counted indicators, then manual ones. Its
 * heading in *ret_heading; false when it is not in the table.
 */
static bool
row_item(const struct config *cfg, bool quality, bool manual, size_t t,
         struct report_row *ret, const char **ret_heading)
{
	if (t < cfg->nindicators) {
		const struct indicator *ind = &cfg->indicators[t];

		*ret = (struct report_row){ RROW_COUNTED, t, NULL };
		*ret_heading = ind->heading;
		return report_row_quality(ind) == quality;
	}
	t -= cfg->nindicators;
	*ret = (struct report_row){ RROW_MANUAL, t, NULL };
	*ret_heading = cfg->manuals[t].heading;
	return manual && report_manual_quality(&cfg->manuals[t]) == quality;
}

/* The rows of a table (see report.h). */
size_t
report_rows(const struct config *cfg, bool quality, bool manual,
            struct report_row ret[REPORT_ROWS_MAX])
{
	size_t total = cfg->nindicators + cfg->nmanuals, n = 0;
	struct report_row row, other;
	const char *h, *h2;

	/* the config allows CFG_MAX_INDS rows in all; a bigger one would overflow ret */
	if (total > CFG_MAX_INDS)
		total = CFG_MAX_INDS;
	for (size_t t = 0; t < total; t++)
		if (row_item(cfg, quality, manual, t, &row, &h) && !h)
			ret[n++] = row;
	for (size_t t = 0; t < total; t++) {
		bool seen = false;

		if (!row_item(cfg, quality, manual, t, &row, &h) || !h)
			continue;
		/* a heading groups all its rows where it first appears */
		for (size_t u = 0; u < t && !seen; u++)
			seen = row_item(cfg, quality, manual, u, &other, &h2) && h2 && !strcmp(h, h2);
		if (seen)
			continue;
		ret[n++] = (struct report_row){ RROW_HEADING, 0, h };
		for (size_t u = t; u < total; u++)
			if (row_item(cfg, quality, manual, u, &other, &h2) && h2 && !strcmp(h, h2))
				ret[n++] = other;
	}
	return n;
}

/* Whether a table has a deadline row (see report.h). */
bool
report_rows_have_deadline(const struct config *cfg, const struct report_row *rows, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (rows[k].kind == RROW_COUNTED && cfg->indicators[rows[k].i].kind == IND_DEADLINE)
			return true;
	return false;
}
