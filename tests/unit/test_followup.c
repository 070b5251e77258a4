/*
 * test_followup.c — followup.c: the committee's follow-up document
 * (verdict words, the closing sentence, the mean-of-months arithmetic,
 * the sentences of the basis and of the same period last year, missing
 * data as "–", HTML escaping, the prognosis of a running period).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "followup.h"
#include "html.h"
#include "indicator.h"
#include "manual.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"

#include "fixture_config.h"
#include "fixture_report.h"

static void
test_verdict(void **state)
{
	struct outcome met = { .num = 5, .den = 6, .value = 0.83, .has_value = true, .met = 1 };
	struct outcome missed = { .num = 1, .den = 6, .value = 0.17, .has_value = true, .met = 0 };
	struct outcome few = { .num = 1, .den = 2, .value = 0.5, .has_value = true, .met = -1 };
	struct outcome none = { .met = -1 };
	struct outcome open = { .pending = 3, .met = -1 };     /* deadline: none decided yet */
	struct outcome first = { .num = 12, .met = -1 };       /* growth: nothing last year */
	const struct indicator *ratio = &fx_indicators[IND_DIGITAL];
	const struct indicator *growth = &fx_indicators[IND_GROWTH_CASES];
	const struct indicator deadline = { .name = "d", .kind = IND_DEADLINE };

	(void)state;
	assert_string_equal(followup_verdict(ratio, &met), "uppnås");
	assert_string_equal(followup_verdict(ratio, &missed), "uppnås inte");
	assert_string_equal(followup_verdict(ratio, &few), "för få ärenden");
	assert_string_equal(followup_verdict(ratio, &none), "inga ärenden");
	assert_string_equal(followup_verdict(&deadline, &open), "inga avgjorda ärenden");
	assert_string_equal(followup_verdict(&deadline, &none), "inga ärenden");
	assert_string_equal(followup_verdict(growth, &none), "inga ärenden");
	assert_string_equal(followup_verdict(growth, &first), "inget att jämföra med");
}

static void
test_closing(void **state)
{
	static const struct {
		size_t met, missed, unjudged;
		const char *want;
	} cases[] = {
		{ 4, 0, 0, "Alla indikatorer uppnås." },
		{ 3, 1, 0, "Alla indikatorer utom en uppnås." },
		{ 2, 3, 0, "2 av 5 indikatorer uppnås." },
		{ 0, 2, 0, "0 av 2 indikatorer uppnås." },
		{ 1, 0, 0, "Alla indikatorer uppnås." },
		/* the seed's Q1 2026 Målstyrning: one missed, two without outcome */
		{ 1, 1, 2, "Alla indikatorer utom en uppnås. 2 indikatorer kan inte bedömas." },
		{ 2, 0, 1, "Alla indikatorer uppnås. En indikator kan inte bedömas." },
		{ 0, 0, 3, "Ingen indikator kan bedömas." },
	};
	char buf[FOLLOWUP_LINE_MAX];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		followup_fmt_closing(buf, sizeof(buf), cases[k].met, cases[k].missed,
		                     cases[k].unjudged);
		assert_string_equal(buf, cases[k].want);
	}
}

/* The seed's "90+73+66=76%": the monthly whole percents, the judged mean (0.7633) rounded. */
static void
test_mean_line(void **state)
{
	const double m[3] = { 0.90, 0.73, 0.66 };
	char buf[FOLLOWUP_LINE_MAX];

	(void)state;
	followup_fmt_mean(buf, sizeof(buf), m, 3, (0.90 + 0.73 + 0.66) / 3);
	assert_string_equal(buf, "(90 + 73 + 66) / 3 = 76 %");
	followup_fmt_mean(buf, sizeof(buf), m, 1, 0.90);
	assert_string_equal(buf, "90 %");
	followup_fmt_mean(buf, sizeof(buf), m, 0, 0);
	assert_string_equal(buf, "–");
}

/* The shared Q1 2026 config, the deadline with extensions (Uppskov), and a hostile title. */
static struct config
cfg5(void)
{
	struct config cfg = fixture_report_config();

	fxr_inds[IND_DEADLINE_2W].extend = (struct filter){ 1, fxr_case_clause };
	fxr_inds[FXR_FREE] = (struct indicator){
		.name = "evil", .title = "<script>alert(\"x\")</script> & 'co'",
		.kind = IND_RATIO, .num = { 1, fxr_case_clause }, .den = { 1, fxr_case_clause },
		.cmp = CMP_LT, .target = 0.5, .combine = COMBINE_POOLED, .min_denominator = 0,
	};
	cfg.nindicators = 5;
	return cfg;
}

/* The committee's Q1 2026 figures (fixture_report.h), and the other rows' here. */
static void
q1_report(const struct config *cfg, struct report *rep, int64_t today)
{
	fixture_q1_report(cfg, rep, today);
	/* growth: no value (nothing last year) */
	rep->r[IND_GROWTH_CASES] = (struct ind_result){ .cur = { .num = 12, .met = -1 } };
	rep->r[IND_DEADLINE_2W] = (struct ind_result){
		.cur = { .num = 1, .den = 2, .value = 0.5, .has_value = true, .met = -1, .pending = 1 },
	};
	rep->r[FXR_FREE] = (struct ind_result){
		.cur = { .num = 1, .den = 4, .value = 0.25, .has_value = true, .met = 1 },
	};
}

static void
test_sentences(void **state)
{
	struct config cfg = cfg5();
	struct report rep;
	char buf[FOLLOWUP_LINE_MAX];

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	followup_fmt_outcome(buf, sizeof(buf), &cfg, IND_DIGITAL, &rep);
	assert_string_equal(buf, "265 av 513 ärenden ger 52 %.");
	followup_fmt_previous(buf, sizeof(buf), &cfg, IND_DIGITAL, &rep);
	assert_string_equal(buf, "Samma kvartal 2025: 200 av 409, 49 %.");
	/* TeleQ counts calls, and its quarter is the mean of its months */
	followup_fmt_outcome(buf, sizeof(buf), &cfg, IND_TELEQ, &rep);
	assert_string_equal(buf, "Medel av månaderna: (90 + 73 + 66) / 3 = 76 %.");
	followup_fmt_previous(buf, sizeof(buf), &cfg, IND_TELEQ, &rep);
	assert_string_equal(buf, "Samma kvartal 2025: –.");
	followup_fmt_outcome(buf, sizeof(buf), &cfg, 3, &rep);
	assert_string_equal(buf, "1 av 2 avgjorda ärenden i tid ger 50 %, 1 pågående.");
	followup_fmt_outcome(buf, sizeof(buf), &cfg, IND_GROWTH_CASES, &rep);
	assert_string_equal(buf, "12 ärenden mot 0 samma kvartal 2025.");
	report_done(&rep);
}

/* Renders into a string. */
static char *
render(const struct config *cfg, const struct report *rep, const struct followup_note *notes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(followup_render(f, cfg, rep, notes), 0);
	assert_int_equal(fclose(f), 0);
	/* compare the text as read: a no-break space is a space */
	for (char *p; (p = strstr(buf, "&nbsp;"));)
		memmove(p + 1, p + 6, strlen(p + 6) + 1), *p = ' ';
	return buf;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void
test_document(void **state)
{
	struct config cfg = cfg5();
	struct report rep;
	struct followup_note notes[5] = { [0] = { .analys = "Ökningen <beror> på 1177", .prognos = NULL } };
	char *html;

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	html = render(&cfg, &rep, notes);
	/* printable and self-contained */
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "size: A4"));
	assert_non_null(strstr(html, "@media print"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "<link"));
	/* headings, columns, the period */
	assert_non_null(strstr(html, "<h2>Målstyrning</h2>"));
	assert_non_null(strstr(html, "<h2>Kvalitetsstyrning</h2>"));
	assert_non_null(strstr(html, ">Delresultat</th>"));
	assert_non_null(strstr(html, "Kvartal 1 2026"));
	/* the rows: target, outcome, verdict, the sentences */
	assert_non_null(strstr(html, "265 av 513 ärenden ger 52 %. Samma kvartal 2025: 200 av 409, 49 %."));
	assert_non_null(strstr(html, "(90 + 73 + 66) / 3 = 76 %"));
	assert_non_null(strstr(html, "≥ 55 %"));
	assert_non_null(strstr(html, ">uppnås inte<"));
	assert_non_null(strstr(html, ">för få ärenden<"));
	/* growth without last year: the outcome is "–", the verdict none */
	assert_non_null(strstr(html, "<td class=\"num\">–</td>"));
	assert_non_null(strstr(html, ">inget att jämföra med<"));
	/* closing sentences: Målstyrning 1 met (TeleQ, evil), 1 missed, 1 unjudged */
	assert_non_null(strstr(html, "Alla indikatorer utom en uppnås. En indikator kan inte bedömas."));
	assert_non_null(strstr(html, "Ingen indikator kan bedömas."));
	/* no age groups in this config: no postponement line, no placeholder */
	assert_null(strstr(html, "Uppskov"));
	/* escaping: titles and notes */
	assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"));
	assert_non_null(strstr(html, "Analys: Ökningen &lt;beror&gt; på 1177"));
	assert_int_equal(count(html, "<script"), 0);
	/* a closed period has no prognosis */
	assert_null(strstr(html, "Prognos"));
	free(html);
	report_done(&rep);
}

/*
 * Uppskov by age group, as the seeds write it: from the deadline
 * indicators whose start filter is age: child (< 19 år) or age: adult
 * (> 19 år), "–" for a group without cases; nothing without such a split.
 */
static uint16_t up_child[] = { 1 }, up_adult[] = { 2 };
static struct clause up_start_child[] = {
	{ .dim = -1, .n = 1, .ids = fx_ev_case }, { .dim = 3, .n = 1, .ids = up_child },
};
static struct clause up_start_adult[] = {
	{ .dim = -1, .n = 1, .ids = fx_ev_case }, { .dim = 3, .n = 1, .ids = up_adult },
};

static struct config
cfg_age(void)
{
	static struct indicator ai[3];
	struct config cfg = fixture_config();
	static struct clause any[] = { { .dim = -1, .n = 1, .ids = fx_ev_case } };

	cfg.dims[3] = (struct dimension){ .name = "age", .nvalues = 2, .values = { "child", "adult" } };
	cfg.ndims = 4;
	/* one over every age first: it is no age group and must not be taken */
	ai[0] = (struct indicator){
		.name = "alla", .kind = IND_DEADLINE, .start = { 1, any }, .stop = { 1, any },
		.extend = { 1, any }, .cmp = CMP_GE, .target = 1.0,
	};
	ai[1] = (struct indicator){
		.name = "vuxna", .kind = IND_DEADLINE, .start = { 2, up_start_adult },
		.stop = { 1, any }, .extend = { 1, any }, .cmp = CMP_GE, .target = 0.8,
	};
	ai[2] = (struct indicator){
		.name = "barn", .kind = IND_DEADLINE, .start = { 2, up_start_child },
		.stop = { 1, any }, .extend = { 1, any }, .cmp = CMP_GE, .target = 0.8,
	};
	cfg.indicators = ai;
	cfg.nindicators = 3;
	return cfg;
}

static void
test_uppskov(void **state)
{
	struct config cfg = cfg_age(), plain = cfg5();
	struct report rep;
	struct period q;
	int64_t today = days_from_civil(2026, 4, 2);
	char buf[FOLLOWUP_LINE_MAX], *html;

	(void)state;
	assert_int_equal(period_parse("2026-Q1", today, &q), 0);
	assert_int_equal(report_init(&rep, &cfg, &q, today), 0);
	rep.r[0].cur = (struct outcome){ .num = 40, .den = 44, .extended = 25, .met = 0 };
	rep.r[1].cur = (struct outcome){ .num = 36, .den = 40, .pending = 2, .extended = 18, .met = 1 };
	rep.r[2].cur = (struct outcome){ .num = 2, .den = 4, .extended = 1, .met = 0 };
	assert_true(followup_fmt_uppskov(buf, sizeof(buf), &cfg, &rep));
	assert_string_equal(buf, "Uppskov: < 19 år 1 ärende, > 19 år 18 ärenden.");
	html = render(&cfg, &rep, NULL);
	assert_non_null(strstr(html, "Uppskov: &lt; 19 år 1 ärende, &gt; 19 år 18 ärenden."));
	assert_null(strstr(html, "fyll i för hand"));
	free(html);
	/* plural of 0 and 2; a group without cases is "–" */
	rep.r[1].cur = (struct outcome){ .num = 3, .den = 3, .met = 1 };
	rep.r[2].cur = (struct outcome){ .pending = 2, .extended = 2, .met = -1 };
	assert_true(followup_fmt_uppskov(buf, sizeof(buf), &cfg, &rep));
	assert_string_equal(buf, "Uppskov: < 19 år 2 ärenden, > 19 år 0 ärenden.");
	rep.r[1].cur = (struct outcome){ .met = -1 };
	rep.r[2].cur = (struct outcome){ .met = -1 };
	assert_true(followup_fmt_uppskov(buf, sizeof(buf), &cfg, &rep));
	assert_string_equal(buf, "Uppskov: < 19 år –, > 19 år –.");
	report_done(&rep);

	/* no age split in the config: no line, and no placeholder in the document */
	q1_report(&plain, &rep, today);
	assert_false(followup_fmt_uppskov(buf, sizeof(buf), &plain, &rep));
	html = render(&plain, &rep, NULL);
	assert_null(strstr(html, "Uppskov"));
	free(html);
	report_done(&rep);
}

/* While the period runs: the date of the figures and each indicator's prognosis with its method. */
static void
test_running(void **state)
{
	struct config cfg = cfg5();
	struct report rep;
	struct followup_note notes[5] = { [1] = { .prognos = "Vi håller oss runt 75 %" } };
	char *html;

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 2, 14));
	rep.r[IND_DIGITAL].proj = (struct prognos){ .value = 0.514, .has_value = true, .nsofar = 2,
	                                           .nleft = 1 };
	html = render(&cfg, &rep, notes);
	assert_non_null(strstr(html, "Perioden pågår: utfall till och med 2026-02-14."));
	assert_non_null(strstr(html, "Prognos: 51 % (" PROGNOS_METHOD_SV ")."));
	assert_non_null(strstr(html, "Samordnarens prognos: Vi håller oss runt 75 %"));
	/* one computed prognosis: the other indicators have none to show */
	assert_int_equal(count(html, "Prognos: "), 1);
	free(html);
	report_done(&rep);
}

/* A write error is reported. */
/* A percentage never wraps between the number and its sign. */
static void
test_nbsp(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	html_put_esc(f, "52 % av 7 <8>", HTML_NBSP_PERCENT);
	fputc('|', f);
	html_put_esc(f, "52 % & '\x01'", 0);
	fclose(f);
	assert_string_equal(buf, "52&nbsp;% av 7 &lt;8&gt;|52 % &amp; &#39;&#xFFFD;&#39;");
	free(buf);
}

static void
test_write_error(void **state)
{
	struct config cfg = cfg5();
	struct report rep;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	assert_int_equal(followup_render(f, &cfg, &rep, NULL), -EIO);
	fclose(f);
	report_done(&rep);
}

/* Manual rows close the Målstyrning table (only once read); notes print under their rows. */
static struct manual_ind mans[2] = {
	{ .name = "analyser", .title = "Antal analyser som produceras", .unit = UNIT_COUNT,
	  .has_target = true, .cmp = CMP_GE, .target = 2 },
	{ .name = "periodresultat", .title = "Periodresultat budget", .unit = UNIT_KR,
	  .has_target = true, .cmp = CMP_GE, .target = 0 },
};

static void
test_manual_rows(void **state)
{
	struct config cfg = cfg5();
	struct report rep;
	char *html, *json = NULL;
	size_t jlen = 0;
	FILE *f;

	(void)state;
	cfg.manuals = mans;
	cfg.nmanuals = 2;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	assert_int_equal(rep.nmanual, 2);
	/* not read (the daemon): no manual row, rather than every one shown as missing */
	html = render(&cfg, &rep, NULL);
	assert_null(strstr(html, "Antal analyser"));
	free(html);

	rep.manual_read = true;
	rep.m[0] = (struct manual_result){ .has_value = true, .value = 3, .met = 1,
	                                   .prev_has_value = true, .prev_value = 2, .prev_met = 1,
	                                   .analys = strdup("Två <klara> & en till.") };
	rep.m[1].met = -1;      /* no value entered */
	html = render(&cfg, &rep, NULL);
	assert_non_null(strstr(html, "Antal analyser som produceras</div>\n"
	                        "<div class=\"basis\">Inrapporterat för hand. Samma kvartal 2025: 2."));
	assert_non_null(strstr(html, "Analys: Två &lt;klara&gt; &amp; en till."));
	assert_non_null(strstr(html, "<td class=\"num\">≥ 2</td><td class=\"num\">3</td>"
	                        "<td class=\"verdict yes\">uppnås</td>"));
	assert_non_null(strstr(html, "<td class=\"num\">≥ 0 kr</td><td class=\"num\">–</td>"
	                        "<td class=\"verdict na\">värde saknas</td>"));
	free(html);

	f = open_memstream(&json, &jlen);
	assert_non_null(f);
	report_json(f, &cfg, &rep);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(json, "{\"indicator\": \"analyser\", \"title\": \"Antal analyser som "
	                       "produceras\", \"period\": \"2026-Q1\", \"kind\": \"manual\", \"unit\": "
	                       "\"count\", \"value\": 3, \"target\": 2, \"cmp\": \">=\", \"met\": true, "
	                       "\"analys\": \"Två <klara> & en till.\", \"prognos\": null, "
	                       "\"previous_year\": {\"period\": \"2025-Q1\", \"value\": 2, "
	                       "\"met\": true}}"));
	assert_non_null(strstr(json, "\"unit\": \"kr\", \"value\": null, \"target\": 0, "
	                       "\"cmp\": \">=\", \"met\": null"));
	free(json);
	report_done(&rep);
}

/* The committee's sub-headings (config heading) and a row moved to the other table (section). */
static void
test_sections(void **state)
{
	struct config cfg = cfg5();
	struct manual_ind man[2];
	struct report rep;
	char *html;
	const char *goals, *quality, *head, *support, *growth, *digital, *evil, *analyser;

	(void)state;
	memcpy(man, mans, sizeof(man));
	fxr_inds[IND_DIGITAL].heading = "Patientärenden och informationsärenden";
	fxr_inds[IND_TELEQ].heading = "Patientärenden och informationsärenden";
	fxr_inds[4].section = SECTION_QUALITY;
	man[0].heading = "Stödpersonsuppdraget";
	cfg.manuals = man;
	cfg.nmanuals = 2;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	rep.manual_read = true;
	html = render(&cfg, &rep, NULL);
	goals = strstr(html, "<h2>Målstyrning</h2>");
	quality = strstr(html, "<h2>Kvalitetsstyrning</h2>");
	head = strstr(html, "<tr class=\"heading\"><th colspan=\"4\">Patientärenden och "
	              "informationsärenden</th></tr>");
	support = strstr(html, "<tr class=\"heading\"><th colspan=\"4\">Stödpersonsuppdraget"
	                 "</th></tr>");
	growth = strstr(html, "Ökning av patientärenden");
	digital = strstr(html, "Digitala patientkontakter");
	evil = strstr(html, "&lt;script&gt;");
	analyser = strstr(html, "Antal analyser som produceras");
	assert_non_null(goals); assert_non_null(quality); assert_non_null(head);
	assert_non_null(support); assert_non_null(growth); assert_non_null(digital);
	assert_non_null(evil); assert_non_null(analyser);
	assert_int_equal(count(html, "Patientärenden och informationsärenden"), 1);
	/* rows without a heading first, then each heading with its rows */
	assert_true(goals < growth && growth < head && head < digital && digital < support &&
	            support < analyser && analyser < quality);
	/* the periodresultat row has no heading: before the first heading */
	assert_true(strstr(html, "Periodresultat budget") < head);
	/* section: kvalitetsstyrning moves a ratio into the second table */
	assert_true(quality < evil);
	free(html);
	report_done(&rep);
	fxr_inds[4].section = SECTION_AUTO;
	fxr_inds[IND_DIGITAL].heading = fxr_inds[IND_TELEQ].heading = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_closing),
		cmocka_unit_test(test_mean_line),
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_uppskov),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_nbsp),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_manual_rows),
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
