/*
 * test_message.c — message.c: Swedish figures (percent, basis, target,
 * previous, status, periods), templates and tpl_check, the summary table,
 * the attachment bound, and the webhook JSON. The mail's encoding:
 * test_mime.c.
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

#include "indicator.h"
#include "message.h"
#include "parse.h"
#include "strbuf.h"
#include "period.h"
#include "prognos.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"
#include "fixture_config.h"

#define DAY 86400

/* ---------------------------------------------------------------- helpers */

static struct outcome
ratio(int64_t num, int64_t den, int met)
{
	struct outcome o = { .num = num, .den = den, .met = met };

	if (den > 0) {
		o.value = (double)num / (double)den;
		o.has_value = true;
	}
	return o;
}

static struct outcome
valued(double v, int64_t num, int64_t den, int met)
{
	return (struct outcome){ .num = num, .den = den, .value = v, .has_value = true, .met = met };
}

static struct period
P(const char *name)
{
	struct period p;

	assert_int_equal(period_parse(name, days_from_civil(2026, 3, 5), &p), 0);
	return p;
}

/* Renders body template tpl for kind (subject "s"); returns the malloc'd body. */
static char *
render(const char *tpl, enum alert_kind kind, const struct period *p,
       const struct ind_view *rows, size_t nrows)
{
	struct alert_conf ac = { 0 };
	struct alert_text t = { 0 };
	char *body;

	ac.tpl[kind].subject = "s";
	ac.tpl[kind].body = (char *)tpl;
	assert_int_equal(alert_render(&ac, kind, p, rows, nrows, &t), 0);
	assert_string_equal(t.subject, "s");
	assert_int_equal(t.kind, kind);
	body = t.body;
	t.body = NULL;
	alert_text_done(&t);
	return body;
}

/* Asserts that rendering tpl for one row gives want. */
static void
assert_row(const char *tpl, const struct ind_view *row, const char *want)
{
	struct period p = P("2026-03");
	char *got = render(tpl, AK_BREACH, &p, row, 1);

	assert_string_equal(got, want);
	free(got);
}

/* The committee's Q1 2026 rows (see tests/unit/test_indicator.c for the sums). */
static void
q1_rows(struct ind_view rows[3])
{
	/* Analog (TeleQ): mean of 90 %, 73 %, 66 % = 76.33 %; Q1 2025 71 %. */
	rows[0] = (struct ind_view){ &fx_indicators[IND_TELEQ],
	                             valued(0.7633, 441, 600, 1), valued(0.71, 300, 420, 0), 0, { 0 }, 0, { 0 } };
	rows[0].cur.nmonths = 3;
	rows[0].prev.nmonths = 3;
	/* Digital: 265 of 513 = 52 %, missed; Q1 2025 200 of 409 = 49 %. */
	rows[1] = (struct ind_view){ &fx_indicators[IND_DIGITAL],
	                             ratio(265, 513, 0), ratio(200, 409, 0), 0, { 0 }, 0, { 0 } };
	/* Growth: 513 against 409 = +25 %, met. */
	rows[2] = (struct ind_view){ &fx_indicators[IND_GROWTH_CASES],
	                             valued(513.0 / 409 - 1, 513, 409, 1), valued(0.04, 409, 393, 0), 0, { 0 }, 0, { 0 } };
}

/* ------------------------------------------------------------ figures */

static void
test_percent(void **state)
{
	const struct indicator *dig = &fx_indicators[IND_DIGITAL], *gro = &fx_indicators[IND_GROWTH_CASES];
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.7633, "76 %" }, { 265.0 / 513, "52 %" }, { 200.0 / 409, "49 %" },
		{ 0.525, "53 %" }, { 0.5249, "52 %" }, { 0.285, "29 %" }, { 0.0, "0 %" },
		{ 1.0, "100 %" }, { 0.005, "1 %" }, { 0.00494, "0 %" }, { 11.0 / 20, "55 %" },
		/* Printed from the judged four-decimal value, 0.0050: as teleqctl and the judgement. */
		{ 0.00499, "1 %" },
	};
	static const struct {
		double v;
		const char *want;
	} growth[] = {
		{ 0.12, "+12 %" }, { -0.03, "\xE2\x88\x92" "3 %" }, { -0.004, "0 %" }, { 0.0, "0 %" },
		{ 513.0 / 409 - 1, "+25 %" }, { -0.005, "\xE2\x88\x92" "1 %" }, { 1.5, "+150 %" },
	};
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ind_view r = { dig, valued(cases[i].v, 1, 100, 1), { .met = -1 }, 0, { 0 }, 0, { 0 } };

		assert_row("{value}", &r, cases[i].want);
	}
	for (size_t i = 0; i < sizeof(growth) / sizeof(growth[0]); i++) {
		struct ind_view r = { gro, valued(growth[i].v, 230, 205, 1), { .met = -1 }, 0, { 0 }, 0, { 0 } };

		assert_row("{value}", &r, growth[i].want);
	}
	/* No value: a dash, for value and previous alike. */
	{
		struct ind_view r = { dig, ratio(0, 0, -1), ratio(0, 0, -1), 0, { 0 }, 0, { 0 } };

		snprintf(want, sizeof(want), "%s|%s|%s", "\xE2\x80\x93", "0 av 0", "\xE2\x80\x93");
		assert_row("{value}|{basis}|{previous}", &r, want);
	}
}

static void
test_basis_target_previous_status(void **state)
{
	struct ind_view r = { &fx_indicators[IND_DIGITAL], ratio(265, 513, 0), ratio(200, 409, 0), 0, { 0 }, 0, { 0 } };
	struct indicator ind = fx_indicators[IND_DIGITAL];

	(void)state;
	assert_row("{basis}", &r, "265 av 513");
	assert_row("{target}", &r, "\xE2\x89\xA5 55 %");
	assert_row("{previous}", &r, "49 % (200 av 409)");
	assert_row("{status}", &r, "ej uppfyllt");
	r.cur.met = 1;
	assert_row("{status}", &r, "uppfyllt");
	r.cur.met = -1;
	assert_row("{status}", &r, "ej bedömt");
	assert_row("{title}|{indicator}", &r, "Digitala patientkontakter|digitala_patientkontakter");

	/* Every comparison, and a target that is not a whole percent. */
	r.ind = &ind;
	ind.cmp = CMP_GT;
	assert_row("{target}", &r, "> 55 %");
	ind.cmp = CMP_LE;
	ind.target = 0.125;
	assert_row("{target}", &r, "\xE2\x89\xA4 12,5 %");
	ind.cmp = CMP_LT;
	ind.target = 0.1;
	assert_row("{target}", &r, "< 10 %");
	ind.title = NULL;
	assert_row("{title}", &r, "digitala_patientkontakter");

	/* Growth: this period "mot" the same period last year. */
	{
		struct ind_view g = { &fx_indicators[IND_GROWTH_CASES], valued(230.0 / 205 - 1, 230, 205, 1),
		                      valued(205.0 / 211 - 1, 205, 211, 0), 0, { 0 }, 0, { 0 } };

		assert_row("{value} ({basis}), mål {target}, i fjol {previous}", &g,
		           "+12 % (230 mot 205), mål > 5 %, i fjol \xE2\x88\x92" "3 % (205 mot 211)");
	}
	/* Mean of months over several months says so; over one month it is a plain ratio. */
	{
		struct ind_view m = { &fx_indicators[IND_TELEQ], valued(0.7633, 441, 600, 1), { .met = -1 }, 0, { 0 }, 0, { 0 } };

		m.cur.nmonths = 3;
		assert_row("{value} ({basis})", &m, "76 % (441 av 600, medel av 3 mån)");
		m.cur = ratio(66, 100, 0);
		m.cur.nmonths = 1;
		assert_row("{value} ({basis})", &m, "66 % (66 av 100)");
	}
}

/* The Q1 2026 committee figures through the default breach message. */
static void
test_q1_committee_figures(void **state)
{
	struct ind_view rows[3];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };

	(void)state;
	q1_rows(rows);
	assert_int_equal(alert_render(NULL, AK_BREACH, &q1, &rows[1], 1, &t), 0);
	assert_string_equal(t.subject, "Tidig varning: Digitala patientkontakter under målet i kvartal 1 2026 "
	                    "(52 %, mål \xE2\x89\xA5 55 %)");
	assert_non_null(strstr(t.body, "Utfall: 52 % (265 av 513)\n"));
	assert_non_null(strstr(t.body, "Mål: \xE2\x89\xA5 55 %\n"));
	assert_non_null(strstr(t.body, "Samma period i fjol: 49 % (200 av 409)\n"));
	assert_non_null(strstr(t.body, "Indikator: digitala_patientkontakter, period 2026-Q1\n"));
	assert_non_null(strstr(t.body, "\nteleqd (automatiskt meddelande)\n"));
	assert_int_equal(t.kind, AK_BREACH);
	alert_text_done(&t);

	assert_int_equal(alert_render(NULL, AK_REMINDER, &q1, &rows[0], 1, &t), 0);
	assert_string_equal(t.subject, "Påminnelse: Analoga patientkontakter (TeleQ) fortfarande under målet i "
	                    "kvartal 1 2026 (76 %)");
	assert_non_null(strstr(t.body, "Utfall: 76 % (441 av 600, medel av 3 mån)\n"));
	alert_text_done(&t);

	assert_int_equal(alert_render(NULL, AK_RESOLVED, &q1, &rows[2], 1, &t), 0);
	assert_string_equal(t.subject, "Åtgärdat: Ökning av patientärenden åter på målet i kvartal 1 2026 (+25 %)");
	assert_non_null(strstr(t.body, "Utfall: +25 % (513 mot 409)\n"));
	assert_non_null(strstr(t.body, "Mål: > 5 %\n"));
	assert_non_null(strstr(t.body, "Samma period i fjol: +4 % (409 mot 393)\n"));
	alert_text_done(&t);

	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 3, &t), 0);
	assert_string_equal(t.subject, "Sammanfattning kvartal 1 2026: 1 av 3 indikatorer under målet");
	assert_non_null(strstr(t.body, "mål \xE2\x89\xA5 55 %"));
	alert_text_done(&t);
}

static void
test_periods(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{ "2026-01", "januari 2026|2026-01" }, { "2026-03", "mars 2026|2026-03" },
		{ "2026-05", "maj 2026|2026-05" }, { "2026-12", "december 2026|2026-12" },
		{ "2026-Q1", "kvartal 1 2026|2026-Q1" }, { "2026-Q4", "kvartal 4 2026|2026-Q4" },
		{ "2026-H1", "första halvåret 2026|2026-H1" }, { "2026-H2", "andra halvåret 2026|2026-H2" },
		{ "2026", "2026|2026" }, { "2026-03-05", "2026-03-05|2026-03-05" },
		{ "rolling", "de senaste 30 dagarna|rolling" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct period p = P(cases[i].name);
		char *got = render("{period}|{period_id}", AK_SUMMARY, &p, NULL, 0);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* ----------------------------------------------------------- templates */

static void
test_tpl_check(void **state)
{
	static const struct {
		const char *tpl;
		size_t off;     /* (size_t)-1: valid */
	} cases[] = {
		{ "", (size_t)-1 }, { "plain text", (size_t)-1 }, { "{title}", (size_t)-1 },
		{ "{{title}}", (size_t)-1 }, { "a {{ b }} c", (size_t)-1 }, { "}}{{", (size_t)-1 },
		{ "{period_id}{period}{table}{missed}{count}{status}", (size_t)-1 },
		{ "abc {nope} x", 4 }, { "abc {title", 4 }, { "a } b", 2 }, { "{", 0 }, { "}", 0 },
		{ "{}", 0 }, { "{ti{tle}", 0 }, { "{title}}", 7 }, { "{Title}", 0 },
		{ "{title }", 0 }, { "ok {value} {{ {bad}", 14 }, { "Mål {target", 5 },
	};
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		off = 12345;
		r = tpl_check(cases[i].tpl, strlen(cases[i].tpl), &off);
		if (cases[i].off == (size_t)-1) {
			if (r != 0)
				fail_msg("refused \"%s\" at %zu", cases[i].tpl, off);
			assert_int_equal(off, 12345);
		} else {
			if (r != -EINVAL || off != cases[i].off)
				fail_msg("\"%s\": %d at %zu, want %zu", cases[i].tpl, r, off, cases[i].off);
		}
	}
	/* Only len bytes are read. */
	assert_int_equal(tpl_check("{title} {", 8, &off), 0);
	assert_int_equal(tpl_check("{title}", 6, &off), -EINVAL);
	assert_int_equal(off, 0);
	assert_int_equal(tpl_check("}", 1, NULL), -EINVAL);

	/* Every default passes, and none is missing. */
	for (int k = 0; k < AK__MAX; k++)
		for (int s = 0; s < 2; s++) {
			const char *tpl = alert_default_template((enum alert_kind)k, s);

			assert_non_null(tpl);
			assert_int_equal(tpl_check(tpl, strlen(tpl), &off), 0);
		}
	assert_null(alert_default_template(AK__MAX, true));
	assert_string_equal(alert_default_template(AK_TEST, true), "Testmeddelande från teleqd");
	assert_string_equal(alert_default_template(AK_SUMMARY, true),
	                    "Sammanfattning {period}: {overview}");
}

static void
test_braces_and_scope(void **state)
{
	struct ind_view rows[3];
	struct period p = P("2026-03");
	char *got;

	(void)state;
	q1_rows(rows);
	got = render("{{title}} = {title}; }}", AK_BREACH, &p, &rows[1], 1);
	assert_string_equal(got, "{title} = Digitala patientkontakter; }");
	free(got);

	/* Per-indicator placeholders are empty in a summary. */
	got = render("[{title}{indicator}{value}{target}{basis}{previous}{status}] {missed}/{count}",
	             AK_SUMMARY, &p, rows, 3);
	assert_string_equal(got, "[] 1/3");
	free(got);
	/* Summary ones are empty outside a summary. */
	got = render("[{table}{missed}{count}] {value}", AK_BREACH, &p, &rows[1], 1);
	assert_string_equal(got, "[] 52 %");
	free(got);
	/* A test has no indicator and may have no period. */
	got = render("[{period}{period_id}{title}{table}{count}]", AK_TEST, NULL, NULL, 0);
	assert_string_equal(got, "[]");
	free(got);
	/* An empty summary counts zero. */
	got = render("{missed} av {count}[{table}]", AK_SUMMARY, &p, NULL, 0);
	assert_string_equal(got, "0 av 0[]");
	free(got);
}

static void
test_default_test_message(void **state)
{
	struct alert_text t = { 0 };
	struct alert_conf ac = { 0 };

	(void)state;
	assert_int_equal(alert_render(&ac, AK_TEST, NULL, NULL, 0, &t), 0);
	assert_string_equal(t.subject, "Testmeddelande från teleqd");
	assert_non_null(strstr(t.body, "teleqd (automatiskt meddelande)\n"));
	assert_null(strchr(t.body, '{'));
	alert_text_done(&t);
	alert_text_done(&t);            /* zeroed: fine */
	alert_text_done(NULL);
	assert_int_equal(alert_render(&ac, AK__MAX, NULL, NULL, 0, &t), -EINVAL);

	/* A title with a newline cannot break the subject onto two lines. */
	{
		struct indicator ind = fx_indicators[IND_DIGITAL];
		struct ind_view r = { &ind, ratio(1, 2, 0), { .met = -1 }, 0, { 0 }, 0, { 0 } };
		struct period p = P("2026-03");

		ind.title = "Rad ett\nRad\ttvå\r";
		assert_int_equal(alert_render(NULL, AK_BREACH, &p, &r, 1, &t), 0);
		assert_null(strpbrk(t.subject, "\r\n\t"));
		assert_non_null(strstr(t.subject, "Rad ett Rad två  under"));
		alert_text_done(&t);
	}
}

/* ---------------------------------------------------------------- table */

/* Code points of s[0..n). */
static size_t
cps(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Every line of s has at most 72 code points (issue 18: wrapped) and no tab. */
static void
assert_lines_short(const char *s)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (cps(p, n) > 72)
			fail_msg("line of %zu code points: %.*s", cps(p, n), (int)n, p);
		assert_null(memchr(p, '\t', n));
		p += n + (nl != NULL);
	}
}

/* Code points of the line at p (to '\n' or the end). */
static size_t
line_cps(const char *p)
{
	const char *nl = strchr(p, '\n');

	return cps(p, nl ? (size_t)(nl - p) : strlen(p));
}

/* s with every "\n" + indent joined back into one space (the wrapped text unwrapped). */
static char *
unwrap(const char *s, size_t indent)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = s; *p; p++) {
		if (*p == '\n' && strspn(p + 1, " ") >= indent && p[1]) {
			*o++ = ' ';
			p += indent;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static void
test_summary_table(void **state)
{
	struct ind_view rows[5];
	struct indicator small = fx_indicators[IND_DIGITAL], unmet = fx_indicators[IND_TELEQ];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };
	const char *a, *d, *g, *s, *u;
	char *body;

	(void)state;
	q1_rows(rows);
	small.title = "Bekräftelse inom 24 timmar";
	unmet.title = "Andel telefontidbokningar";
	/* Not judged (too few cases), and a second missed one after it in config order. */
	rows[3] = (struct ind_view){ &small, ratio(4, 5, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	rows[4] = (struct ind_view){ &unmet, valued(0.7633, 441, 600, 0), valued(0.71, 300, 420, 0), 0, { 0 }, 0, { 0 } };
	rows[4].cur.nmonths = 3;
	rows[4].prev.nmonths = 3;

	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 5, &t), 0);
	assert_string_equal(t.subject, "Sammanfattning kvartal 1 2026: 2 av 5 indikatorer under målet");
	assert_lines_short(t.body);
	body = unwrap(t.body, 2);

	d = strstr(body, "- Digitala patientkontakter: 52 % (265 av 513), mål \xE2\x89\xA5 55 %, "
	           "ej uppfyllt; i fjol 49 % (200 av 409)\n");
	u = strstr(body, "- Andel telefontidbokningar: 76 % (441 av 600, medel av 3 mån), "
	           "mål \xE2\x89\xA5 75 %, ej uppfyllt; i fjol 71 % (300 av 420, medel av 3 mån)\n");
	a = strstr(body, "- Analoga patientkontakter (TeleQ): 76 % (441 av 600, medel av 3 mån), "
	           "mål \xE2\x89\xA5 75 %, uppfyllt; i fjol 71 % (300 av 420, medel av 3 mån)\n");
	g = strstr(body, "- Ökning av patientärenden: +25 % (513 mot 409), mål > 5 %, uppfyllt; "
	           "i fjol +4 % (409 mot 393)\n");
	s = strstr(body, "- Bekräftelse inom 24 timmar: 80 % (4 av 5), mål \xE2\x89\xA5 55 %, "
	           "ej bedömt: för litet underlag; i fjol \xE2\x80\x93\n");
	assert_non_null(d);
	assert_non_null(u);
	assert_non_null(a);
	assert_non_null(g);
	assert_non_null(s);
	/* Missed first (config order within), then met, then not judged. */
	assert_true(d < u);
	assert_true(u < a);
	assert_true(a < g);
	assert_true(g < s);
	assert_non_null(strstr(t.body, "kvartal 1 2026 (2026-Q1):\n2 av 5 indikatorer under målet.\n"));
	free(body);
	alert_text_done(&t);

	/* A very long title wraps (issue 18: it was cut with "…"); title and figures stay whole. */
	small.title = "En mycket lång indikatortitel som fortsätter och fortsätter, med å, ä och ö, "
	              "långt förbi vad en rad rymmer i ett vanligt e-postprogram";
	rows[3].cur = ratio(123456, 654321, 0);
	rows[3].prev = ratio(120000, 650000, 0);
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 5, &t), 0);
	assert_lines_short(t.body);
	assert_null(strstr(t.body, "\xE2\x80\xA6"));
	body = unwrap(t.body, 2);
	assert_non_null(strstr(body, "- En mycket lång indikatortitel som fortsätter och fortsätter, med å, "
	                             "ä och ö, långt förbi vad en rad rymmer i ett vanligt e-postprogram: "
	                             "19 % (123456 av 654321), mål \xE2\x89\xA5 55 %, ej uppfyllt; "
	                             "i fjol 18 % (120000 av 650000)\n"));
	free(body);
	alert_text_done(&t);
}

/* 2026-04-03 00:00:00 UTC, a Friday: when the Q1 summary goes out. */
static const int64_t Q1_DUE = (int64_t)20546 * DAY;

/* -------------------------------------------------------------- webhook */

static void
test_webhook(void **state)
{
	static const char *const names[] = { "id", "kind", "period", "created", "subject", "text" };
	struct ind_view rows[3];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { .subject = "Citat \"så\" här", .body = "rad 1\nrad 2\t\\ \x01 åäö ≥\n",
	                        .kind = AK_SUMMARY };
	struct fieldv out[6];
	char *json, *scratch;
	size_t len;

	(void)state;
	q1_rows(rows);
	rows[2].prev = ratio(0, 0, -1);
	assert_int_equal(webhook_payload("2026-Q1-summary", AK_SUMMARY, &q1, Q1_DUE, &t, rows, 3,
	                                 &json, &len), 0);
	assert_int_equal(len, strlen(json));
	assert_non_null(strstr(json, "\"subject\":\"Citat \\\"så\\\" här\""));
	assert_non_null(strstr(json, "\"text\":\"rad 1\\u000arad 2\\u0009\\\\ \\u0001 åäö ≥\\u000a\""));
	assert_non_null(strstr(json, "\"created\":\"2026-04-03T00:00:00Z\""));
	assert_non_null(strstr(json, "\"kind\":\"summary\",\"period\":\"2026-Q1\""));
	assert_non_null(strstr(json, "{\"name\":\"digitala_patientkontakter\",\"title\":\"Digitala patientkontakter\","
	                       "\"value\":0.5166,\"target\":0.5500,\"cmp\":\">=\",\"numerator\":265,"
	                       "\"denominator\":513,\"met\":false,\"previous_value\":0.4890,"
	                       "\"previous_numerator\":200,\"previous_denominator\":409}"));
	assert_non_null(strstr(json, "\"value\":0.7633,\"target\":0.7500,\"cmp\":\">=\",\"numerator\":441,"
	                       "\"denominator\":600,\"met\":true"));
	assert_non_null(strstr(json, "\"title\":\"Ökning av patientärenden\",\"value\":0.2543,"
	                       "\"target\":0.0500,\"cmp\":\">\""));
	assert_non_null(strstr(json, "\"previous_value\":null,\"previous_numerator\":0,\"previous_denominator\":0}]}"));
	assert_null(strchr(json, '\n'));

	/* It is one valid JSON object, and the strings come back unchanged. */
	scratch = malloc(len);
	assert_non_null(scratch);
	assert_int_equal(json_extract(json, len, names, 6, scratch, out), 0);
	assert_int_equal(out[4].len, strlen(t.subject));
	assert_memory_equal(out[4].p, t.subject, out[4].len);
	assert_int_equal(out[5].len, strlen(t.body));
	assert_memory_equal(out[5].p, t.body, out[5].len);
	assert_memory_equal(out[0].p, "2026-Q1-summary", out[0].len);
	free(scratch);
	free(json);

	/* A test: no period, no indicators; met null and values null without a value. */
	t = (struct alert_text){ .subject = "Test", .body = "x", .kind = AK_TEST };
	assert_int_equal(webhook_payload("t-1", AK_TEST, NULL, 0, &t, NULL, 0, &json, &len), 0);
	assert_string_equal(json, "{\"id\":\"t-1\",\"kind\":\"test\",\"period\":null,"
	                    "\"created\":\"1970-01-01T00:00:00Z\",\"subject\":\"Test\",\"text\":\"x\","
	                    "\"indicators\":[]}");
	free(json);
	{
		struct ind_view r = { &fx_indicators[IND_GROWTH_CASES], valued(-0.03, 400, 412, -1), ratio(0, 0, -1), 0, { 0 }, 0, { 0 } };

		r.cur.value = -0.00001;     /* rounds to zero: "0.0000", never "-0.0000" */
		assert_int_equal(webhook_payload("g", AK_BREACH, &q1, 0, &t, &r, 1, &json, &len), 0);
		assert_non_null(strstr(json, "\"value\":0.0000,"));
		assert_non_null(strstr(json, "\"met\":null"));
		free(json);
	}
	/* Invalid UTF-8 cannot make the document invalid. */
	t.subject = "bad \xC3 byte \xFF";
	assert_int_equal(webhook_payload("b", AK_TEST, NULL, 0, &t, NULL, 0, &json, &len), 0);
	assert_true(utf8_valid(json, len));
	assert_non_null(strstr(json, "\"bad \xEF\xBF\xBD byte \xEF\xBF\xBD\""));
	free(json);
	assert_int_equal(webhook_payload("b", AK__MAX, NULL, 0, &t, NULL, 0, &json, &len), -EINVAL);
}

/*
 * Issue 15: no all-clear without data. An indicator "ej bedömt: inget
 * underlag" (no value at all) is counted as without data in the subject;
 * a period where every indicator lacks data says so first.
 */
static void
test_summary_without_data(void **state)
{
	struct indicator dig = fx_indicators[IND_DIGITAL], teleq = fx_indicators[IND_TELEQ],
	                 gro = fx_indicators[IND_GROWTH_CASES];
	struct period nov = { 0 };
	struct ind_view rows[3];
	struct alert_text t = { 0 };
	struct alert_conf ac = { 0 };
	char *got;

	(void)state;
	assert_int_equal(period_parse("2026-11", days_from_civil(2026, 12, 6), &nov), 0);
	/* One missed, two without any data (den 0: no value, not judged). */
	rows[0] = (struct ind_view){ &dig, ratio(1, 2, 0), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	rows[1] = (struct ind_view){ &teleq, ratio(0, 0, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	rows[2] = (struct ind_view){ &gro, ratio(0, 0, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &nov, rows, 3, &t), 0);
	assert_string_equal(t.subject,
	                    "Sammanfattning november 2026: 1 av 3 indikatorer under målet, 2 utan underlag");
	assert_non_null(strstr(t.body, "november 2026 (2026-11):\n1 av 3 indikatorer under målet, "
	                       "2 utan underlag.\n"));
	alert_text_done(&t);

	/* A value over too few cases is not judged but has data: not counted. */
	rows[1] = (struct ind_view){ &teleq, ratio(4, 5, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &nov, rows, 3, &t), 0);
	assert_string_equal(t.subject,
	                    "Sammanfattning november 2026: 1 av 3 indikatorer under målet, 1 utan underlag");
	alert_text_done(&t);

	/* Every indicator without data: never "0 av 3 under målet" alone; says so first. */
	rows[0] = (struct ind_view){ &dig, ratio(0, 0, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	rows[1] = (struct ind_view){ &teleq, ratio(0, 0, -1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &nov, rows, 3, &t), 0);
	assert_string_equal(t.subject, "Inga data för november 2026: 3 av 3 indikatorer utan underlag");
	assert_true(strncmp(t.body, "Inga data för november 2026", strlen("Inga data för november 2026")) == 0);
	got = unwrap(t.body, 2);
	assert_non_null(strstr(got, "ej bedömt: inget underlag"));
	free(got);
	assert_null(strchr(t.body, '{'));
	alert_text_done(&t);

	/* An old custom subject stays valid; with no data at all it gets the warning first. */
	ac.tpl[AK_SUMMARY].subject = "Månadsrapport {period}: {missed} av {count} under målet";
	assert_int_equal(alert_render(&ac, AK_SUMMARY, &nov, rows, 3, &t), 0);
	assert_string_equal(t.subject, "Inga data för november 2026: Månadsrapport november 2026: "
	                    "0 av 3 under målet");
	alert_text_done(&t);
	assert_int_equal(tpl_check("{nodata} {overview}", 19, NULL), 0);
	ac.tpl[AK_SUMMARY].body = "{missed}/{nodata}/{count} [{overview}]";
	assert_int_equal(alert_render(&ac, AK_SUMMARY, &nov, rows, 3, &t), 0);
	assert_string_equal(t.body, "0/3/3 [Inga data för november 2026]");
	alert_text_done(&t);
	rows[0] = (struct ind_view){ &dig, ratio(1, 2, 1), { .met = -1 }, 0, { 0 }, 0, { 0 } };
	got = render("{missed}/{nodata}/{count} [{overview}]", AK_SUMMARY, &nov, rows, 3);
	assert_string_equal(got, "0/2/3 [0 av 3 indikatorer under målet, 2 utan underlag]");
	free(got);
	got = render("[{nodata}{overview}]", AK_BREACH, &nov, rows, 1);
	assert_string_equal(got, "[]");
	free(got);
}

/* The feed and store alerts: their own placeholders, the defaults in Swedish. */
static void
test_feed_alerts(void **state)
{
	struct feed_alert fa = { .feed = "teleq", .since = "2026-03-02 08:00" };
	struct feed_alert ra = { .since = "2026-03-03 10:15", .from = "2026-02-01", .to = "2026-03-03" };
	struct alert_text t = { 0 };
	size_t off;

	(void)state;
	assert_int_equal(alert_render_feed(NULL, AK_STALE, &fa, &t), 0);
	assert_string_equal(t.subject, "Inga nya rader från teleq sedan 2026-03-02 08:00");
	assert_non_null(strstr(t.body, "från teleq sedan 2026-03-02 08:00"));
	assert_int_equal(t.kind, AK_STALE);
	alert_text_done(&t);
	assert_int_equal(alert_render_feed(NULL, AK_STALE_REMINDER, &fa, &t), 0);
	assert_non_null(strstr(t.subject, "Påminnelse"));
	assert_non_null(strstr(t.subject, "teleq"));
	alert_text_done(&t);
	assert_int_equal(alert_render_feed(NULL, AK_FRESH, &fa, &t), 0);
	assert_string_equal(t.subject, "Åtgärdat: nya rader från teleq igen");
	alert_text_done(&t);
	assert_int_equal(alert_render_feed(NULL, AK_RESET, &ra, &t), 0);
	assert_non_null(strstr(t.body, "tömt 2026-03-03 10:15"));
	assert_non_null(strstr(t.body, "från\n2026-02-01 till 2026-03-03"));
	alert_text_done(&t);
	/* an indicator kind is not a feed alert; alert_render of a feed kind is one */
	assert_int_equal(alert_render_feed(NULL, AK_BREACH, &fa, &t), -EINVAL);
	assert_int_equal(alert_render(NULL, AK_STALE, NULL, NULL, 0, &t), 0);
	assert_string_equal(t.subject, "Inga nya rader från  sedan ");
	alert_text_done(&t);
	/* the new placeholders are known to the template check (config uses it) */
	assert_int_equal(tpl_check("{feed} {since} {from} {to}", 26, &off), 0);
	/* every default of every kind is there and passes the check */
	for (int k = 0; k < AK__MAX; k++) {
		const char *sub = alert_default_template((enum alert_kind)k, true);
		const char *body = alert_default_template((enum alert_kind)k, false);

		assert_non_null(sub);
		assert_non_null(body);
		assert_int_equal(tpl_check(sub, strlen(sub), &off), 0);
		assert_int_equal(tpl_check(body, strlen(body), &off), 0);
	}
}

/* ------------------------------------------------------ issue 18: mail polish */

/*
 * message_wrap: at a word boundary, each line at most width code points
 * (UTF-8: å, ä, ö and ≥ count as one), continuation lines indented, no
 * word cut, no blank at a line's end, nothing lost.
 */
static void
test_wrap(void **state)
{
	const char *line = "- Svar från vårdgivare inom två veckor: 80 % (40 av 50), "
	                   "mål \xE2\x89\xA5 90 %, ej uppfyllt; i fjol 85 % (34 av 40)";
	char exact[128], *w, *u;

	(void)state;
	assert_int_equal(message_wrap(line, 72, 2, &w), 0);
	assert_non_null(strchr(w, '\n'));
	for (const char *p = w; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		assert_true(line_cps(p) <= 72);
		assert_true(n > 0 && p[n - 1] != ' ');
		if (p != w)
			assert_true(strncmp(p, "  ", 2) == 0 && p[2] != ' ');
	}
	/* the title whole on the first line, never "…" */
	assert_true(strncmp(w, "- Svar från vårdgivare inom två veckor: ", 41) == 0);
	assert_null(strstr(w, "\xE2\x80\xA6"));
	/* a percent stays with its number, a comparison with its target */
	assert_null(strstr(w, "%\n"));
	assert_null(strstr(w, " %\n"));
	assert_null(strstr(w, "\n  %"));
	assert_null(strstr(w, "\xE2\x89\xA5\n"));
	u = unwrap(w, 2);
	assert_string_equal(u, line);
	free(u);
	free(w);

	/* exactly at the width: unchanged; one code point more: wrapped */
	snprintf(exact, sizeof(exact), "- Åsa %s", "ärenden ärenden ärenden ärenden ärenden ärenden ärenden ärenden åå");
	assert_int_equal(cps(exact, strlen(exact)), 72);
	assert_int_equal(message_wrap(exact, 72, 2, &w), 0);
	assert_string_equal(w, exact);
	free(w);
	strcat(exact, "ö");
	assert_int_equal(message_wrap(exact, 72, 2, &w), 0);
	assert_true(strlen(w) > 6 && strcmp(w + strlen(w) - 17, "ärenden\n  ååö") == 0);
	assert_true(line_cps(w) <= 72);
	u = unwrap(w, 2);
	assert_string_equal(u, exact);
	free(u);
	free(w);

	/* a word longer than the width is kept whole on a line of its own */
	{
		char word[200] = "", text[256];

		for (int i = 0; i < 40; i++)
			strcat(word, "åä");
		snprintf(text, sizeof(text), "- Kort: %s slut", word);
		assert_int_equal(message_wrap(text, 72, 2, &w), 0);
		snprintf(exact, sizeof(exact), "- Kort:\n  ");
		assert_true(strncmp(w, exact, strlen(exact)) == 0);
		assert_non_null(strstr(w, word));
		assert_non_null(strstr(w, "\n  slut"));
		u = unwrap(w, 2);
		assert_string_equal(u, text);
		free(u);
		free(w);
	}
	/* empty text, and a short one */
	assert_int_equal(message_wrap("", 72, 2, &w), 0);
	assert_string_equal(w, "");
	free(w);
	assert_int_equal(message_wrap("- a b", 72, 2, &w), 0);
	assert_string_equal(w, "- a b");
	free(w);
}

/* The summary wraps long titles instead of cutting them. */
static void
test_summary_wraps(void **state)
{
	struct ind_view rows[4];
	struct indicator reply = fx_indicators[IND_DIGITAL];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };
	char *u;

	(void)state;
	q1_rows(rows);
	reply.title = "Svar från vårdgivare inom två veckor efter att begäran om yttrande har skickats";
	rows[3] = (struct ind_view){ &reply, ratio(40, 50, 0), ratio(34, 40, 0), 0, { 0 }, 0, { 0 } };
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 4, &t), 0);
	for (const char *p = t.body; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		assert_true(line_cps(p) <= 72);
	assert_null(strstr(t.body, "\xE2\x80\xA6"));
	u = unwrap(t.body, 2);
	assert_non_null(strstr(u, "- Svar från vårdgivare inom två veckor efter att begäran om yttrande "
	                          "har skickats: 80 % (40 av 50), mål \xE2\x89\xA5 55 %, ej uppfyllt; "
	                          "i fjol 85 % (34 av 40)\n"));
	free(u);
	alert_text_done(&t);
}

/* ------------------------------------------------- issue 18: attachment, manual, basis */

static void
test_attach_bound(void **state)
{
	struct alert_conf ac = { 0 };
	struct ind_view rows[3];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };
	char *big;
	const char *note, *sign;

	(void)state;
	q1_rows(rows);
	assert_int_equal(alert_render(&ac, AK_SUMMARY, &q1, rows, 3, &t), 0);
	/* At the bound: attached. */
	big = malloc(MAIL_ATTACH_MAX);
	assert_non_null(big);
	memset(big, 'x', MAIL_ATTACH_MAX);
	assert_int_equal(alert_attach(&t, "2026-Q1", big, MAIL_ATTACH_MAX), 0);
	assert_non_null(t.attach);
	assert_int_equal(t.attach_len, MAIL_ATTACH_MAX);
	assert_string_equal(t.attach_name, "uppfoljning-2026-Q1.html");
	alert_text_done(&t);

	/* One byte over: not attached, the body says so before the sign-off. */
	assert_int_equal(alert_render(&ac, AK_SUMMARY, &q1, rows, 3, &t), 0);
	big = malloc(MAIL_ATTACH_MAX + 1);
	assert_non_null(big);
	assert_int_equal(alert_attach(&t, "2026-Q1", big, MAIL_ATTACH_MAX + 1), -E2BIG);
	assert_null(t.attach);
	note = strstr(t.body, "Uppföljningen (513 kB) är för stor för att bifogas (högst 512 kB);");
	assert_non_null(note);
	assert_non_null(strstr(t.body, "teleqctl report 2026-Q1 --format html.\n"));
	sign = strstr(t.body, "\nteleqd (automatiskt meddelande)\n");
	assert_non_null(sign);
	assert_true(note < sign);
	/* Without t.attach, mail_build writes a plain text/plain message (test_mime). */
	/* A period id that is no file-name part is refused (and the HTML freed). */
	big = strdup("<p>x</p>");
	assert_int_equal(alert_attach(&t, "../x", big, 8), -EINVAL);
	alert_text_done(&t);
}

static void
test_missing_manual(void **state)
{
	struct manual_ind m[3] = {
		{ .name = "analyser", .title = "Antal analyser" },
		{ .name = "rapporter", .title = "Antal rapporter" },
		{ .name = "periodresultat", .title = "Periodresultat budget", .unit = UNIT_KR },
	};
	struct config cfg = { .nmanuals = 3, .manuals = m };
	struct ind_view rows[3];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };
	bool has[3] = { false, true, false }, all[3] = { true, true, true };
	const char *l, *sign;
	char *before;

	(void)state;
	q1_rows(rows);
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 3, &t), 0);
	before = strdup(t.body);
	assert_int_equal(alert_add_missing(&t, &cfg, all), 0);
	assert_string_equal(t.body, before);
	assert_int_equal(alert_add_missing(&t, &cfg, has), 0);
	l = strstr(t.body, "\nUtan värde: Antal analyser, Periodresultat budget.\n");
	assert_non_null(l);
	sign = strstr(t.body, "\n\nteleqd (automatiskt meddelande)\n");
	assert_non_null(sign);
	assert_true(l < sign);
	/* The table is kept whole before it. */
	assert_true(strncmp(t.body, before, (size_t)(l - t.body)) == 0);
	free(before);
	alert_text_done(&t);
}

static void
test_basis_months(void **state)
{
	struct ind_view rows[3];
	struct period q1 = P("2026-Q1");
	struct alert_text t = { 0 };
	char *body;

	(void)state;
	q1_rows(rows);
	rows[0].ncur_monthly = 3;
	rows[0].cur_monthly[0] = 0.90;
	rows[0].cur_monthly[1] = 0.73;
	rows[0].cur_monthly[2] = 0.66;
	assert_row("{value} ({basis})", &rows[0], "76 % (90 % + 73 % + 66 % \xE2\x86\x92 medel 76 %)");
	/* the same period last year alike: its own monthly shares */
	rows[0].nprev_monthly = 3;
	rows[0].prev_monthly[0] = 0.80;
	rows[0].prev_monthly[1] = 0.70;
	rows[0].prev_monthly[2] = 0.63;
	assert_row("{previous}", &rows[0], "71 % (80 % + 70 % + 63 % \xE2\x86\x92 medel 71 %)");
	assert_int_equal(alert_render(NULL, AK_SUMMARY, &q1, rows, 3, &t), 0);
	body = unwrap(t.body, 2);
	assert_non_null(strstr(body, "- Analoga patientkontakter (TeleQ): 76 % (90 % + 73 % + 66 % "
	                             "\xE2\x86\x92 medel 76 %), mål \xE2\x89\xA5 75 %, uppfyllt; i fjol 71 % "
	                             "(80 % + 70 % + 63 % \xE2\x86\x92 medel 71 %)\n"));
	assert_null(strstr(body, "441 av 600"));
	free(body);
	alert_text_done(&t);
	/* A ratio indicator keeps its counts even with monthly figures. */
	rows[1].ncur_monthly = 3;
	rows[1].cur_monthly[0] = 0.5;
	rows[1].cur_monthly[1] = 0.5;
	rows[1].cur_monthly[2] = 0.5;
	assert_row("{basis}", &rows[1], "265 av 513");
}

/*
 * Item 6 of issue 18: an early warning says the month to date and the
 * projection of the running quarter, with its method, in one sentence
 * before the sign-off; the same percent and minus sign as elsewhere.
 */
static void
test_early_warning_prognos(void **state)
{
	struct ind_view rows[3];
	struct period feb = P("2026-02"), q1 = P("2026-Q1");
	struct prognos proj = { .value = 0.5349, .has_value = true, .nsofar = 2, .nleft = 1 };
	struct alert_text t = { 0 };
	const char *l, *sign;
	char *flat, *before;

	(void)state;
	q1_rows(rows);
	assert_int_equal(alert_render(NULL, AK_BREACH, &feb, &rows[1], 1, &t), 0);
	assert_int_equal(alert_add_prognos(&t, &rows[1], &q1, &proj), 0);
	flat = unwrap(t.body, 0);
	l = strstr(flat, "Månaden hittills 52 %; prognos för kvartal 1 2026: 53 % (utfallet hittills och "
	                 "resterande månader med snittet av de senaste tre).");
	assert_non_null(l);
	sign = strstr(flat, "teleqd (automatiskt meddelande)");
	assert_non_null(sign);
	assert_true(l < sign);
	/* the figures above it stay as they were */
	assert_non_null(strstr(t.body, "Utfall: 52 % (265 av 513)\n"));
	free(flat);
	alert_text_done(&t);

	/* growth: signed, the typographic minus */
	proj.value = -0.05;
	assert_int_equal(alert_render(NULL, AK_REMINDER, &feb, &rows[2], 1, &t), 0);
	assert_int_equal(alert_add_prognos(&t, &rows[2], &q1, &proj), 0);
	flat = unwrap(t.body, 0);
	assert_non_null(strstr(flat, "Månaden hittills +25 %; prognos för kvartal 1 2026: \xE2\x88\x92" "5 % ("));
	free(flat);
	alert_text_done(&t);

	/* no projection (nothing to project from, or the quarter not running): nothing added */
	proj.has_value = false;
	assert_int_equal(alert_render(NULL, AK_BREACH, &feb, &rows[1], 1, &t), 0);
	before = strdup(t.body);
	assert_non_null(before);
	assert_int_equal(alert_add_prognos(&t, &rows[1], &q1, &proj), 0);
	assert_string_equal(t.body, before);
	assert_int_equal(alert_add_prognos(&t, NULL, &q1, &proj), -EINVAL);
	free(before);
	alert_text_done(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_basis_target_previous_status),
		cmocka_unit_test(test_q1_committee_figures),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_tpl_check),
		cmocka_unit_test(test_braces_and_scope),
		cmocka_unit_test(test_default_test_message),
		cmocka_unit_test(test_summary_table),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_summary_wraps),
		cmocka_unit_test(test_summary_without_data),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_feed_alerts),
		cmocka_unit_test(test_attach_bound),
		cmocka_unit_test(test_missing_manual),
		cmocka_unit_test(test_basis_months),
		cmocka_unit_test(test_early_warning_prognos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
