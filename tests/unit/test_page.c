/*
 * test_page.c — page_render on a known model: the basis "265 av 513" and
 * Swedish percent, "för få ärenden" below min_cases and not at it (table
 * and chart), a title with < & " > escaped everywhere, nothing external
 * (no http:// or https://, no script), 13 month labels and a dashed
 * target line per chart, gaps in the line, the verdicts in words, and a
 * write error reported as -EIO.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "indicator.h"
#include "page.h"
#include "period.h"
#include "prognos.h"
#include "tq_config.h"
#include "tz.h"
#include "fixture_config.h"

#define NIND 3

/* The rendering of one model, and what it was made from. */
#define NIND_MAX (NIND + 1)  /* and a deadline indicator (Kvalitetsstyrning) */

struct fx {
	struct indicator   inds[NIND_MAX];
	struct config      cfg;
	struct page_ind    pi[NIND_MAX];
	struct page_model  m;
	char              *html;
	size_t             len;
};

/* A pooled or mean-of-months ratio outcome of num/den over one month, as ind_outcome gives it. */
static struct outcome
ratio(const struct indicator *ind, int64_t num, int64_t den)
{
	struct ind_sums s = { num, den, 0, 0 };
	struct outcome o;

	ind_outcome(ind, &s, NULL, 1, &o);
	return o;
}

/* A growth outcome of num against prev. */
static struct outcome
growth(const struct indicator *ind, int64_t num, int64_t prev)
{
	struct ind_sums s = { num, 0, 0, 0 }, p = { prev, 0, 0, 0 };
	struct outcome o;

	ind_outcome(ind, &s, &p, 1, &o);
	return o;
}

/* Renders f->m with f->cfg into f->html. */
static void
render(struct fx *f)
{
	FILE *out = open_memstream(&f->html, &f->len);

	assert_non_null(out);
	assert_int_equal(page_render(out, &f->cfg, &f->m), 0);
	assert_int_equal(fclose(out), 0);
	assert_non_null(f->html);
	assert_int_equal(strlen(f->html), f->len);
}

/*
 * The model of 15 March 2026, min_cases 5:
 *   0 digital (pooled, >= 55 %): Q1 265 of 513 (52 %, not met), Q1 2025 200 of 409;
 *     months: 100 of 180 each, but August 2025 4 cases (too few), September
 *     2025 exactly 5 (3 of 5 = 60 %), this month 3 cases (too few).
 *   1 TeleQ (mean of months, >= 75 %), titled with markup characters:
 *     90 of 100 every month, the quarter met.
 *   2 growth (> 5 %): 120 against 100 every month (+20 %), the quarter
 *     +25 % (500 against 400), last year's quarter with 3 cases.
 */
static void
setup_model(struct fx *f)
{
	int64_t today = days_from_civil(2026, 3, 15);

	memset(f, 0, sizeof(*f));
	memcpy(f->inds, fx_indicators, NIND * sizeof(f->inds[0]));
	f->inds[IND_TELEQ].title = "TeleQ <b>&amp;\"fet\"</b> & 'citat'";
	f->inds[IND_DIGITAL].min_denominator = 20;
	f->cfg = fixture_config();
	f->cfg.indicators = f->inds;
	f->cfg.nindicators = NIND;

	for (unsigned k = 0; k < PAGE_MONTHS; k++) {
		f->pi[IND_DIGITAL].months[k] = ratio(&f->inds[IND_DIGITAL], 100, 180);
		f->pi[IND_TELEQ].months[k] = ratio(&f->inds[IND_TELEQ], 90, 100);
		f->pi[IND_GROWTH_CASES].months[k] = growth(&f->inds[IND_GROWTH_CASES], 120, 100);
	}
	f->pi[IND_DIGITAL].months[5] = ratio(&f->inds[IND_DIGITAL], 2, 4);     /* aug 2025 */
	f->pi[IND_DIGITAL].months[6] = ratio(&f->inds[IND_DIGITAL], 3, 5);     /* sep 2025 */
	f->pi[IND_DIGITAL].months[12] = ratio(&f->inds[IND_DIGITAL], 1, 3);    /* mar 2026 */
	f->pi[IND_DIGITAL].quarter = ratio(&f->inds[IND_DIGITAL], 265, 513);
	f->pi[IND_DIGITAL].quarter_prev = ratio(&f->inds[IND_DIGITAL], 200, 409);
	f->pi[IND_TELEQ].quarter = ratio(&f->inds[IND_TELEQ], 270, 300);
	f->pi[IND_TELEQ].quarter_prev = ratio(&f->inds[IND_TELEQ], 200, 300);
	f->pi[IND_GROWTH_CASES].quarter = growth(&f->inds[IND_GROWTH_CASES], 500, 400);
	f->pi[IND_GROWTH_CASES].quarter_prev = growth(&f->inds[IND_GROWTH_CASES], 400, 3);

	f->m.today = today;
	f->m.now_wall = today * 86400 + 10 * 3600 + 4 * 60 + 30;
	f->m.first_month = 2026 * 12 + 2 - 12;
	f->m.quarter = period_of_day(P_QUARTER, today);
	f->m.quarter_prev = period_previous_year(&f->m.quarter);
	f->m.closed = period_of_day(P_QUARTER, f->m.quarter.first_day - 1);
	f->m.closed_prev = period_previous_year(&f->m.closed);
	f->m.min_cases = 5;
	f->m.n = NIND;
	f->m.ind = f->pi;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	setup_model(f);
	render(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	free(f->html);
	free(f);
	return 0;
}

/* Occurrences of needle in hay[0..end) (end NULL: the whole string). */
static unsigned
count(const char *hay, const char *end, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) && (!end || p < end); p += strlen(needle))
		n++;
	return n;
}

/* The text of card i: from its <section> to the next. */
static const char *
card(const char *html, const char *name, const char **ret_end)
{
	char id[96];
	const char *p, *e;

	snprintf(id, sizeof(id), "id=\"ind-%s\"", name);
	p = strstr(html, id);
	assert_non_null(p);
	e = strstr(p, "</section>");
	assert_non_null(e);
	*ret_end = e;
	return p;
}

static void
test_document(void **state)
{
	struct fx *f = *state;

	assert_true(strncmp(f->html, "<!DOCTYPE html>\n<html lang=\"sv\">", 31) == 0);
	assert_non_null(strstr(f->html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(f->html, "<meta name=\"viewport\" content=\"width=device-width"));
	assert_non_null(strstr(f->html, "<h1>Patientnämndens indikatorer</h1>"));
	assert_non_null(strstr(f->html, "Läget den 15 mars 2026 kl. 10:04."));
	assert_non_null(strstr(f->html, "Innevarande kvartal: kvartal 1 2026 (1 januari 2026 – "
	                                "31 mars 2026)"));
	assert_int_equal(count(f->html, NULL, "<section class=\"card\""), NIND);
	assert_int_equal(count(f->html, NULL, "<svg "), NIND);
	assert_int_equal(count(f->html, NULL, "</svg>"), NIND);
	assert_true(f->len > 1000 && f->len < 64 * 1024);
	assert_true(strcmp(f->html + f->len - 8, "</html>\n") == 0);
}

/* True when s has an attribute like onload= or onclick=. */
static bool
event_handler(const char *s)
{
	for (const char *p = s; (p = strcasestr(p, " on")); p += 3) {
		const char *q = p + 3;

		while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
			q++;
		if (q > p + 3 && *q == '=')
			return true;
	}
	return false;
}

/* Self-contained: nothing loaded from elsewhere, no script. */
static void
test_nothing_external(void **state)
{
	struct fx *f = *state;

	assert_null(strcasestr(f->html, "http://"));
	assert_null(strcasestr(f->html, "https://"));
	assert_null(strcasestr(f->html, "<script"));
	assert_null(strcasestr(f->html, "javascript:"));
	assert_false(event_handler(f->html));
	assert_null(strcasestr(f->html, "<img"));
	assert_null(strcasestr(f->html, "<link"));
	assert_null(strcasestr(f->html, "@import"));
	assert_null(strcasestr(f->html, "url("));
}

static void
test_basis_and_percent(void **state)
{
	struct fx *f = *state;
	const char *end, *c = card(f->html, "digitala_patientkontakter", &end);

	/* Q1: 265 of 513 = 51.66 % -> "52 %", below 55 %: not met */
	assert_non_null(strstr(c, "<th scope=\"row\">Kvartal 1 2026 hittills</th>"
	                          "<td class=\"v\">52 %</td><td class=\"b\">265 av 513</td>"
	                          "<td class=\"no\">ej uppfyllt</td>"));
	assert_non_null(strstr(c, "<th scope=\"row\">Kvartal 1 2025 (i fjol)</th>"
	                          "<td class=\"v\">49 %</td><td class=\"b\">200 av 409</td>"
	                          "<td class=\"no\">ej uppfyllt</td>"));
	assert_non_null(strstr(c, "Mål: ≥ 55 %"));
	/* TeleQ's quarter: 90 %, met; mean of months basis */
	c = card(f->html, "analoga_patientkontakter", &end);
	assert_non_null(strstr(c, "<td class=\"v\">90 %</td><td class=\"b\">270 av 300</td>"
	                          "<td class=\"yes\">uppfyllt</td>"));
	/* growth: signed percent, "mot" */
	c = card(f->html, "okning_arenden", &end);
	assert_non_null(strstr(c, "<td class=\"v\">+25 %</td><td class=\"b\">500 mot 400</td>"
	                          "<td class=\"yes\">uppfyllt</td>"));
	assert_non_null(strstr(c, "Mål: &gt; 5 % mot samma period i fjol"));
	assert_non_null(strstr(c, ">mål &gt; 5 %</text>"));
}

/* Below min_cases: "för få ärenden", no percentage, no basis; at min_cases: the value. */
static void
test_too_few(void **state)
{
	struct fx *f = *state;
	const char *end, *c = card(f->html, "digitala_patientkontakter", &end);

	/* this month: 1 of 3 */
	assert_non_null(strstr(c, "<th scope=\"row\">Mars 2026 hittills</th>"
	                          "<td class=\"v few\" colspan=\"3\">för få ärenden</td>"));
	assert_null(strstr(c, "1 av 3"));
	assert_null(strstr(c, "33 %"));
	/* August 2025, 4 cases: a gap with its reason; September, exactly 5: shown */
	assert_non_null(strstr(c, "<rect class=\"gap\""));
	assert_non_null(strstr(c, "<title>augusti 2025: för få ärenden</title>"));
	assert_null(strstr(c, "2 av 4"));
	assert_non_null(strstr(c, "<title>september 2025: 60 % (3 av 5)</title>"));
	assert_null(strstr(c, "september 2025: för få ärenden"));
	assert_non_null(strstr(c, "<title>mars 2026 (hittills): för få ärenden</title>"));
	/* the line breaks at the gaps: March-July, September-February */
	assert_int_equal(count(c, end, "<polyline"), 2);
	assert_int_equal(count(c, end, "<rect class=\"gap\""), 2);

	/* growth: last year's quarter over 3 cases */
	c = card(f->html, "okning_arenden", &end);
	assert_non_null(strstr(c, "<th scope=\"row\">Kvartal 1 2025 (i fjol)</th>"
	                          "<td class=\"v few\" colspan=\"3\">för få ärenden</td>"));
	assert_null(strstr(c, "400 mot 3"));

	assert_true(page_too_few(&f->inds[IND_DIGITAL], &(struct outcome){ .num = 0, .den = 4 }, 5));
	assert_false(page_too_few(&f->inds[IND_DIGITAL], &(struct outcome){ .num = 0, .den = 5 }, 5));
	assert_true(page_too_few(&f->inds[IND_GROWTH_CASES],
	                         &(struct outcome){ .num = 4, .den = 100 }, 5));
	assert_true(page_too_few(&f->inds[IND_GROWTH_CASES],
	                         &(struct outcome){ .num = 100, .den = 4 }, 5));
	assert_false(page_too_few(&f->inds[IND_GROWTH_CASES],
	                          &(struct outcome){ .num = 5, .den = 5 }, 5));
	/* min_cases 1: only no case at all is too few */
	assert_false(page_too_few(&f->inds[IND_DIGITAL], &(struct outcome){ .num = 0, .den = 1 }, 1));
	assert_true(page_too_few(&f->inds[IND_DIGITAL], &(struct outcome){ .num = 0, .den = 0 }, 1));
}

/* The title's markup characters are text, in the heading and in the chart's title. */
static void
test_escaping(void **state)
{
	struct fx *f = *state;
	const char *esc = "TeleQ &lt;b&gt;&amp;amp;&quot;fet&quot;&lt;/b&gt; &amp; &#39;citat&#39;";

	assert_null(strstr(f->html, "<b>"));
	assert_null(strstr(f->html, "\"fet\""));
	assert_null(strstr(f->html, "'citat'"));
	assert_int_equal(count(f->html, NULL, esc), 2);        /* <h3> and the svg <title> */
	assert_non_null(strstr(f->html, "<h3>TeleQ &lt;b&gt;"));
}

/* Every chart: 13 month labels (March 2025 .. March 2026), the years, a dashed target line. */
static void
test_charts(void **state)
{
	static const char *const names[NIND] = {
		"digitala_patientkontakter", "analoga_patientkontakter", "okning_arenden",
	};
	struct fx *f = *state;

	for (size_t i = 0; i < NIND; i++) {
		const char *end, *c = card(f->html, names[i], &end);
		const char *svg = strstr(c, "<svg "), *svg_end = strstr(c, "</svg>");

		assert_non_null(svg);
		assert_true(svg_end && svg_end < end);
		assert_int_equal(count(svg, svg_end, "<text class=\"m\""), PAGE_MONTHS);
		assert_int_equal(count(svg, svg_end, ">mar</text>"), 2);
		assert_int_equal(count(svg, svg_end, ">jan</text>"), 1);
		assert_int_equal(count(svg, svg_end, "<text class=\"yr\""), 2);
		assert_non_null(strstr(svg, ">2025</text>"));
		assert_non_null(strstr(svg, ">2026</text>"));
		assert_int_equal(count(svg, svg_end, "<line class=\"target\""), 1);
		assert_int_equal(count(svg, svg_end, "stroke-dasharray=\"6 4\""), 1);
		assert_int_equal(count(svg, svg_end, "<title"), 1 + 1 + PAGE_MONTHS);
		assert_non_null(strstr(svg, "role=\"img\""));
	}
	/* the ratio axis is 0-100 %; the growth axis includes 0 and is signed */
	assert_non_null(strstr(f->html, ">100 %</text>"));
	assert_non_null(strstr(f->html, ">+20 %</text>"));
	/* TeleQ, 90 % every month: one unbroken line, every point met */
	{
		const char *end, *c = card(f->html, "analoga_patientkontakter", &end);

		assert_int_equal(count(c, end, "<polyline"), 1);
		assert_int_equal(count(c, end, "<circle class=\"pt yes\""), PAGE_MONTHS);
		assert_non_null(strstr(c, "<title>mars 2026 (hittills): 90 % (90 av 100)</title>"));
	}
}

/* A write error is reported. */
static void
test_write_error(void **state)
{
	struct fx *f = *state;
	FILE *ro = fopen("/dev/null", "r");

	assert_non_null(ro);
	assert_int_equal(page_render(ro, &f->cfg, &f->m), -EIO);
	fclose(ro);
}

/* No indicator: still a valid page that says so. */
static void
test_empty(void **state)
{
	struct fx g;

	(void)state;
	setup_model(&g);
	g.m.n = 0;
	g.cfg.nindicators = 0;
	render(&g);
	assert_non_null(strstr(g.html, "Inga indikatorer är konfigurerade."));
	assert_null(strstr(g.html, "<svg"));
	free(g.html);
}
/*
 * Issue 15: the header gives this month's overview in the words of the
 * summary mail and teleqctl report; a month without any data says so
 * instead of reading as an all-clear, and a row without data says
 * "inga ärenden" (issue 18; it said "inget underlag").
 */
static void
test_overview(void **state)
{
	struct fx *f = *state, g;
	const char *end, *c;

	/* Digital is under min_cases (hidden verdict, but data); the others meet their targets. */
	assert_non_null(strstr(f->html, "<p class=\"overview\">Mars 2026 hittills: 0 av 3 indikatorer "
	                                "under målet.</p>"));

	setup_model(&g);
	g.pi[IND_DIGITAL].months[PAGE_MONTHS - 1] = ratio(&g.inds[IND_DIGITAL], 0, 0);
	g.pi[IND_TELEQ].months[PAGE_MONTHS - 1] = ratio(&g.inds[IND_TELEQ], 10, 100);
	render(&g);
	assert_non_null(strstr(g.html, "<p class=\"overview\">Mars 2026 hittills: 1 av 3 indikatorer "
	                                "under målet, 1 utan underlag.</p>"));
	c = card(g.html, "digitala_patientkontakter", &end);
	assert_non_null(strstr(c, "<th scope=\"row\">Mars 2026 hittills</th>"
	                          "<td class=\"v few\" colspan=\"3\">inga ärenden</td>"));
	free(g.html);

	/* No data at all this month. */
	setup_model(&g);
	g.pi[IND_DIGITAL].months[PAGE_MONTHS - 1] = ratio(&g.inds[IND_DIGITAL], 0, 0);
	g.pi[IND_TELEQ].months[PAGE_MONTHS - 1] = ratio(&g.inds[IND_TELEQ], 0, 0);
	g.pi[IND_GROWTH_CASES].months[PAGE_MONTHS - 1] = growth(&g.inds[IND_GROWTH_CASES], 0, 0);
	render(&g);
	assert_non_null(strstr(g.html, "<p class=\"overview\">Inga data för mars 2026.</p>"));
	assert_null(strstr(g.html, "Mars 2026 hittills:"));
	/* and February, the last closed month, beside it */
	assert_non_null(strstr(g.html, "<p class=\"overview\">Februari 2026: 0 av 3 indikatorer "
	                               "under målet.</p>"));
	free(g.html);
}

/* ======================================================= issue 18, item 3 */

/* Sets o to a mean-of-months outcome of the monthly shares v[0..n) over num/den. */
static void
mean_of(struct outcome *o, struct page_monthly *pm, const double *v, unsigned n, int64_t num,
        int64_t den, int met)
{
	double sum = 0;

	for (unsigned k = 0; k < n; k++) {
		pm->v[k] = v[k];
		sum += v[k];
	}
	pm->n = n;
	*o = (struct outcome){ .num = num, .den = den, .value = sum / n, .has_value = true,
	                       .met = met, .nmonths = n };
}

/*
 * The committee's data on 2 April 2026: nothing counted yet in April or
 * in the second quarter, so the page must show March and the first
 * quarter (the last closed ones), with "inga ärenden" for the empty
 * periods, gaps (not points on 0 %) for empty months, the TeleQ mean as
 * its monthly values, and the deadline indicator under Kvalitetsstyrning.
 */
static void
setup_april(struct fx *f)
{
	static const double teleq_q1[3] = { 0.90, 0.73, 0.66 }, teleq_q1_2025[3] = { 0.80, 0.70, 0.63 };
	int64_t today = days_from_civil(2026, 4, 2);
	struct indicator *dl = &f->inds[NIND];

	setup_model(f);
	*dl = (struct indicator){ .name = "bekraftelse_24h", .title = "Bekräftelse inom 24 timmar",
	                          .kind = IND_DEADLINE, .cmp = CMP_GE, .target = 0.9 };
	f->cfg.nindicators = NIND_MAX;
	f->m.n = NIND_MAX;
	for (unsigned k = 0; k < PAGE_MONTHS; k++)
		f->pi[NIND].months[k] = (struct outcome){ .num = 45, .den = 50, .value = 0.9,
		                                          .has_value = true, .met = 1, .nmonths = 1 };
	/* April so far: no case at all; the deadline's April cases are all still open */
	f->pi[IND_DIGITAL].months[12] = ratio(&f->inds[IND_DIGITAL], 0, 0);
	f->pi[IND_TELEQ].months[12] = ratio(&f->inds[IND_TELEQ], 0, 0);
	f->pi[IND_GROWTH_CASES].months[12] = growth(&f->inds[IND_GROWTH_CASES], 0, 100);
	f->pi[NIND].months[12] = (struct outcome){ .pending = 3, .met = -1 };
	/* March, the last closed month: digital below its target */
	f->pi[IND_DIGITAL].months[11] = ratio(&f->inds[IND_DIGITAL], 90, 180);
	/* a month without calls in the chart: June 2025 (k = 2) */
	f->pi[IND_TELEQ].months[2] = ratio(&f->inds[IND_TELEQ], 0, 0);
	/* the quarter so far: nothing */
	f->pi[IND_DIGITAL].quarter = ratio(&f->inds[IND_DIGITAL], 0, 0);
	f->pi[IND_TELEQ].quarter = ratio(&f->inds[IND_TELEQ], 0, 0);
	f->pi[IND_GROWTH_CASES].quarter = growth(&f->inds[IND_GROWTH_CASES], 0, 400);
	f->pi[NIND].quarter = (struct outcome){ .pending = 3, .met = -1 };
	f->pi[NIND].quarter_prev = f->pi[NIND].months[0];
	/* the last closed quarter, Q1 2026, and Q1 2025: the committee's figures */
	f->pi[IND_DIGITAL].closed = ratio(&f->inds[IND_DIGITAL], 265, 513);
	f->pi[IND_DIGITAL].closed_prev = ratio(&f->inds[IND_DIGITAL], 200, 409);
	mean_of(&f->pi[IND_TELEQ].closed, &f->pi[IND_TELEQ].closed_m, teleq_q1, 3, 441, 600, 1);
	mean_of(&f->pi[IND_TELEQ].closed_prev, &f->pi[IND_TELEQ].closed_prev_m, teleq_q1_2025, 3,
	        300, 420, 0);
	f->pi[IND_GROWTH_CASES].closed = growth(&f->inds[IND_GROWTH_CASES], 513, 409);
	f->pi[IND_GROWTH_CASES].closed_prev = growth(&f->inds[IND_GROWTH_CASES], 409, 0);
	f->pi[NIND].closed = (struct outcome){ .num = 140, .den = 150, .value = 140.0 / 150,
	                                       .has_value = true, .met = 1 };
	f->pi[NIND].closed_prev = f->pi[NIND].closed;

	f->m.today = today;
	f->m.now_wall = today * 86400 + 8 * 3600;
	f->m.first_month = 2026 * 12 + 3 - 12;
	f->m.quarter = period_of_day(P_QUARTER, today);
	f->m.quarter_prev = period_previous_year(&f->m.quarter);
	f->m.closed = period_of_day(P_QUARTER, f->m.quarter.first_day - 1);
	f->m.closed_prev = period_previous_year(&f->m.closed);
	render(f);
}

/* The row of label in c, from "<th scope=\"row\">label</th>" to "</tr>" (malloc'd). */
static char *
row(const char *c, const char *label)
{
	char th[128];
	const char *p, *e;
	char *r;

	snprintf(th, sizeof(th), "<th scope=\"row\">%s</th>", label);
	p = strstr(c, th);
	if (!p)
		fail_msg("no row '%s'", label);
	e = strstr(p, "</tr>");
	assert_non_null(e);
	r = strndup(p + strlen(th), (size_t)(e - p - strlen(th)));
	assert_non_null(r);
	return r;
}

static void
assert_row(const char *c, const char *label, const char *want)
{
	char *r = row(c, label);

	if (strcmp(r, want) != 0)
		fail_msg("row '%s': got '%s', want '%s'", label, r, want);
	free(r);
}

static void
test_last_closed_periods(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *end, *c;

	(void)state;
	assert_non_null(f);
	setup_april(f);
	c = card(f->html, "digitala_patientkontakter", &end);
	/* the empty current periods say there are no cases, not "too few" */
	assert_row(c, "April 2026 hittills", "<td class=\"v few\" colspan=\"3\">inga ärenden</td>");
	assert_row(c, "Kvartal 2 2026 hittills", "<td class=\"v few\" colspan=\"3\">inga ärenden</td>");
	/* the last closed month and quarter, with the quarter a year earlier */
	assert_row(c, "Mars 2026", "<td class=\"v\">50 %</td><td class=\"b\">90 av 180</td>"
	                           "<td class=\"no\">ej uppfyllt</td>");
	assert_row(c, "Kvartal 1 2026", "<td class=\"v\">52 %</td><td class=\"b\">265 av 513</td>"
	                                "<td class=\"no\">ej uppfyllt</td>");
	assert_row(c, "Kvartal 1 2025 (i fjol)", "<td class=\"v\">49 %</td><td class=\"b\">200 av 409</td>"
	                                         "<td class=\"no\">ej uppfyllt</td>");
	/* rows in order: month so far, last month, quarter so far, last quarter, a year before */
	assert_true(strstr(c, ">April 2026 hittills<") < strstr(c, ">Mars 2026<"));
	assert_true(strstr(c, ">Mars 2026<") < strstr(c, ">Kvartal 2 2026 hittills<"));
	assert_true(strstr(c, ">Kvartal 2 2026 hittills<") < strstr(c, ">Kvartal 1 2026<"));
	assert_true(strstr(c, ">Kvartal 1 2026<") < strstr(c, ">Kvartal 1 2025 (i fjol)<"));
	assert_true(strstr(c, ">Kvartal 1 2025 (i fjol)<") < end);

	/* growth: a quarter against last year's is "för få"/"inga" by its own counts */
	c = card(f->html, "okning_arenden", &end);
	assert_row(c, "Kvartal 1 2026", "<td class=\"v\">+25 %</td><td class=\"b\">513 mot 409</td>"
	                                "<td class=\"yes\">uppfyllt</td>");
	assert_row(c, "April 2026 hittills", "<td class=\"v few\" colspan=\"3\">inga ärenden</td>");
	/* no case two years back: not "för få", there is nothing to compare with */
	assert_row(c, "Kvartal 1 2025 (i fjol)",
	           "<td class=\"v few\" colspan=\"3\">inga ärenden att jämföra med</td>");

	/* the overview names the last closed month too, after this one */
	assert_non_null(strstr(f->html, "<p class=\"overview\">April 2026 hittills: 0 av 4 indikatorer "
	                                "under målet, 3 utan underlag.</p>\n<p class=\"overview\">Mars"));
	assert_non_null(strstr(f->html, "<p class=\"overview\">Mars 2026: 1 av 4 indikatorer under "
	                                "målet.</p>"));
	free(f->html);
	free(f);
}

/* TeleQ's quarter: the monthly shares and their mean, not "441 av 600, medel av 3 mån". */
static void
test_mean_of_months_basis(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *end, *c;

	(void)state;
	assert_non_null(f);
	setup_april(f);
	c = card(f->html, "analoga_patientkontakter", &end);
	assert_row(c, "Kvartal 1 2026", "<td class=\"v\">76 %</td>"
	                                "<td class=\"b\">90 % + 73 % + 66 % → medel 76 %</td>"
	                                "<td class=\"yes\">uppfyllt</td>");
	assert_row(c, "Kvartal 1 2025 (i fjol)", "<td class=\"v\">71 %</td>"
	                                         "<td class=\"b\">80 % + 70 % + 63 % → medel 71 %</td>"
	                                         "<td class=\"no\">ej uppfyllt</td>");
	assert_null(strstr(f->html, "medel av"));
	assert_null(strstr(f->html, "441 av 600"));
	free(f->html);
	free(f);
}

/* Deadline indicators under their own heading, after the Målstyrning ones. */
static void
test_kvalitetsstyrning(void **state)
{
	struct fx *f = calloc(1, sizeof(*f)), *g = *state;
	const char *end, *c, *mal, *kval;

	assert_non_null(f);
	setup_april(f);
	mal = strstr(f->html, "<h2 class=\"group\">Målstyrning</h2>");
	kval = strstr(f->html, "<h2 class=\"group\">Kvalitetsstyrning</h2>");
	assert_non_null(mal);
	assert_non_null(kval);
	c = card(f->html, "bekraftelse_24h", &end);
	assert_true(mal < strstr(f->html, "id=\"ind-digitala_patientkontakter\""));
	assert_true(strstr(f->html, "id=\"ind-okning_arenden\"") < kval);
	assert_true(kval < c);
	assert_non_null(strstr(c, "<h3>Bekräftelse inom 24 timmar</h3>"));
	/* April: three cases open, none decided yet (how many is not told) */
	assert_row(c, "April 2026 hittills",
	           "<td class=\"v few\" colspan=\"3\">inga avgjorda ärenden än</td>");
	assert_row(c, "Kvartal 1 2026", "<td class=\"v\">93 %</td>"
	                                "<td class=\"b\">140 av 150 avgjorda, 0 pågående</td>"
	                                "<td class=\"yes\">uppfyllt</td>");
	/* the default page, without deadline indicators, has no empty Kvalitetsstyrning */
	assert_non_null(strstr(g->html, "<h2 class=\"group\">Målstyrning</h2>"));
	assert_null(strstr(g->html, "Kvalitetsstyrning</h2>"));
	free(f->html);
	free(f);
}

/* The x attribute of the first element starting with tag in [p, end), or -1. */
static double
attr_num(const char *p, const char *end, const char *tag, const char *attr)
{
	const char *t = strstr(p, tag), *a;
	char key[32];

	if (!t || t >= end)
		return -1;
	snprintf(key, sizeof(key), " %s=\"", attr);
	a = strstr(t, key);
	assert_non_null(a);
	return strtod(a + strlen(key), NULL);
}

/*
 * A month without data is a gap: no mark on the 0 % line (which reads as
 * a value of 0 %), but a shaded column with its reason; the target label
 * sits beside the plot, right of every point, never on the line.
 */
static void
test_gaps_and_target_label(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *end, *c, *svg_end;
	double bottom, maxcx = 0, tlx;

	(void)state;
	assert_non_null(f);
	setup_april(f);
	c = card(f->html, "analoga_patientkontakter", &end);
	svg_end = strstr(c, "</svg>");
	assert_null(strstr(f->html, "<circle class=\"gap\""));
	assert_int_equal(count(c, svg_end, "<rect class=\"gap\""), 2);         /* June 2025, April 2026 */
	assert_non_null(strstr(c, "<title>juni 2025: inga ärenden</title>"));
	assert_non_null(strstr(c, "<title>april 2026 (hittills): inga ärenden</title>"));
	assert_int_equal(count(c, svg_end, "<polyline"), 2);   /* broken at June */
	/* no point sits on the 0 % line: every circle is a value */
	bottom = attr_num(c, svg_end, "<line class=\"grid\"", "y1");    /* the first grid line: 0 % */
	for (const char *p = c; (p = strstr(p, "<circle")) && p < svg_end; p++) {
		double cy = attr_num(p, svg_end, "<circle", "cy"), cx = attr_num(p, svg_end, "<circle", "cx");

		assert_true(cy < bottom - 1);
		maxcx = cx > maxcx ? cx : maxcx;
	}
	assert_int_equal(count(c, svg_end, "<circle"), PAGE_MONTHS - 2);
	/* the target label right of the last point, clear of its radius */
	tlx = attr_num(c, svg_end, "<text class=\"tl\"", "x");
	assert_true(tlx > maxcx + 8);
	/* the "för få ärenden" month of the default model is a gap too, with its reason */
	{
		struct fx *g = *state;
		const char *e2, *d = card(g->html, "digitala_patientkontakter", &e2);

		assert_non_null(strstr(d, "<rect class=\"gap\""));
		assert_non_null(strstr(d, "<title>augusti 2025: för få ärenden</title>"));
	}
	free(f->html);
	free(f);
}

/* A falling growth: the axis and the values with U+2212, as teleqctl and the mail. */
static void
test_negative_growth(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *end, *c;

	(void)state;
	assert_non_null(f);
	setup_model(f);
	for (unsigned k = 0; k < PAGE_MONTHS; k++)
		f->pi[IND_GROWTH_CASES].months[k] = growth(&f->inds[IND_GROWTH_CASES], 80, 100);
	f->pi[IND_GROWTH_CASES].quarter = growth(&f->inds[IND_GROWTH_CASES], 380, 400);
	render(f);
	c = card(f->html, "okning_arenden", &end);
	assert_non_null(strstr(c, "<td class=\"v\">\xE2\x88\x92" "5 %</td>"));
	assert_non_null(strstr(c, ">\xE2\x88\x92" "20 %</text>"));
	assert_null(strstr(c, ">-"));
	assert_null(strstr(c, "-20 %"));
	free(f->html);
	free(f);
}

/* A running month's and quarter's projection: a row under each, the method in its title. */
static void
test_prognos(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *end, *c;

	(void)state;
	assert_non_null(f);
	setup_model(f);         /* 15 March 2026: March and Q1 running */
	f->pi[IND_TELEQ].month_proj = (struct prognos){ .value = 0.51, .has_value = true,
	                                                .nsofar = 1, .nleft = 0 };
	f->pi[IND_TELEQ].quarter_proj = (struct prognos){ .value = 0.8849, .has_value = true,
	                                                  .nsofar = 3, .nleft = 0 };
	/* digital's March is too few cases: its prognosis is not shown either */
	f->pi[IND_DIGITAL].month_proj = (struct prognos){ .value = 0.33, .has_value = true };
	render(f);
	c = card(f->html, "analoga_patientkontakter", &end);
	assert_row(c, "Mars 2026, prognos",
	           "<td class=\"v proj\" colspan=\"3\" title=\"Prognos: " PROGNOS_METHOD_SV
	           ".\">Prognos: 51 %</td>");
	assert_row(c, "Kvartal 1 2026, prognos",
	           "<td class=\"v proj\" colspan=\"3\" title=\"Prognos: " PROGNOS_METHOD_SV
	           ".\">Prognos: 88 %</td>");
	/* each under its running row */
	assert_true(strstr(c, ">Mars 2026 hittills<") < strstr(c, ">Mars 2026, prognos<"));
	assert_true(strstr(c, ">Mars 2026, prognos<") < strstr(c, ">Kvartal 1 2026 hittills<"));
	assert_true(strstr(c, ">Kvartal 1 2026, prognos<") < end);
	c = card(f->html, "digitala_patientkontakter", &end);
	assert_true(strstr(c, "Mars 2026, prognos") == NULL || strstr(c, "Mars 2026, prognos") > end);
	/* growth: none given, none shown */
	c = card(f->html, "okning_arenden", &end);
	assert_true(strstr(c, "prognos<") == NULL || strstr(c, "prognos<") > end);
	free(f->html);
	free(f);
}

/*
 * Manual rows (kind: manual) in their section, once read: one table per
 * section with the target, this quarter's and the last closed quarter's
 * value as `teleqctl set` stored it in its unit, or "–", the verdict in
 * words; under their headings; none while not read (nmanual 0).
 */
static void
test_manual_rows(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	/* the seeds' rows but prognos_budget; a title with markup; a percent without target */
	struct manual_ind mans[4] = { fx_manual(0), fx_manual(1), fx_manual(2), fx_manual(4) };
	struct page_manual man[4] = {
		{ .quarter = { true, 3 }, .closed = { true, 1 } },
		{ .quarter = { false, 0 }, .closed = { true, 5 } },
		{ .quarter = { true, -150000.5 }, .closed = { false, 0 } },
		{ .quarter = { true, 52.5 }, .closed = { false, 0 } },
	};
	const char *t, *end, *mal, *kval, *head;

	(void)state;
	assert_non_null(f);
	setup_model(f);
	mans[1].title = "Kunskapsspridning <om> stödpersonsuppdraget";
	mans[3].section = SECTION_QUALITY;
	mans[3].has_target = false;
	f->cfg.manuals = mans;
	f->cfg.nmanuals = 4;
	/* not read: no manual table, rather than every row shown as missing */
	render(f);
	assert_null(strstr(f->html, "Antal analyser"));
	free(f->html);

	f->m.nmanual = 4;
	f->m.man = man;
	render(f);
	mal = strstr(f->html, "<h2 class=\"group\">Målstyrning</h2>");
	kval = strstr(f->html, "<h2 class=\"group\">Kvalitetsstyrning</h2>");
	assert_non_null(mal);
	/* a section of manual rows alone is still shown */
	assert_non_null(kval);
	t = strstr(f->html, "id=\"manuella-malstyrning\"");
	assert_non_null(t);
	assert_true(mal < t && t < kval);
	end = strstr(t, "</section>");
	assert_non_null(end);
	assert_non_null(strstr(t, "<th scope=\"col\">Kvartal 1 2026 hittills</th>"
	                       "<th scope=\"col\">Kvartal 4 2025</th>"));
	assert_row(t, "Antal analyser som produceras",
	           "<td>≥ 2</td><td class=\"v\">3 <span class=\"yes\">uppfyllt</span></td>"
	           "<td class=\"v\">1 <span class=\"no\">ej uppfyllt</span></td>");
	/* no value: "–", nothing judged; kronor and the minus sign as the reports write them */
	assert_row(t, "Periodresultat budget",
	           "<td>≥ 0 kr</td><td class=\"v\">−150 000,5 kr "
	           "<span class=\"no\">ej uppfyllt</span></td><td class=\"v few\">–</td>");
	/* the title escaped; under its heading, after the rows without one */
	head = strstr(t, "<tr class=\"heading\"><th colspan=\"4\">Stödpersonsuppdraget</th></tr>");
	assert_non_null(head);
	assert_true(strstr(t, "Periodresultat budget") < head);
	assert_row(t, "Kunskapsspridning &lt;om&gt; stödpersonsuppdraget",
	           "<td>&gt; 3</td><td class=\"v few\">–</td>"
	           "<td class=\"v\">5 <span class=\"yes\">uppfyllt</span></td>");
	assert_true(head < end);
	/* Kvalitetsstyrning: a percent without a target, shown, never judged */
	t = strstr(f->html, "id=\"manuella-kvalitetsstyrning\"");
	assert_non_null(t);
	assert_true(kval < t);
	assert_row(t, "Andel nöjda", "<td>–</td><td class=\"v\">52,5&nbsp;%</td>"
	           "<td class=\"v few\">–</td>");
	assert_null(strstr(f->html, "http://"));
	free(f->html);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_nothing_external),
		cmocka_unit_test(test_basis_and_percent),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_charts),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_overview),
		cmocka_unit_test(test_last_closed_periods),
		cmocka_unit_test(test_mean_of_months_basis),
		cmocka_unit_test(test_kvalitetsstyrning),
		cmocka_unit_test(test_gaps_and_target_label),
		cmocka_unit_test(test_negative_growth),
		cmocka_unit_test(test_prognos),
		cmocka_unit_test(test_manual_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
