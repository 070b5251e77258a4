/*
 * test_xlsx_layout.c — xlsx_layout.c: the follow-up's workbook, cell by
 * cell (which sheet a row goes on, the Swedish headers and their widths,
 * percents as fractions and counts as integers, no numerator beside a
 * mean of months, a missing value blank, a target with its comparison
 * and the decimals it needs, the title rows, the closing sentence).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "followup.h"
#include "indicator.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"
#include "xlsx_layout.h"

#include "fixture_config.h"
#include "fixture_report.h"

/* The shared Q1 2026 config (fixture_report.h), its deadline's target 12,5 % (decimals). */
static struct config
cfg4(void)
{
	struct config cfg = fixture_report_config();

	fxr_inds[IND_DEADLINE_2W].target = 0.125;
	return cfg;
}

/* The committee's Q1 2026 figures (fixture_report.h), the growth and the deadline here. */
static void
q1_report(const struct config *cfg, struct report *rep, int64_t today)
{
	fixture_q1_report(cfg, rep, today);
	rep->r[IND_GROWTH_CASES] = (struct ind_result){
		.cur = { .num = 513, .den = 409, .value = 513.0 / 409 - 1, .has_value = true, .met = 1 },
	};
	rep->r[IND_DEADLINE_2W] = (struct ind_result){
		.cur = { .num = 480, .den = 510, .value = 480.0 / 510, .has_value = true, .met = 1,
		         .pending = 3 },
	};
}

/* The column of sheet quality whose header is h. */
static enum xlsx_col
col_of(bool quality, const char *h)
{
	const struct xlsx_column *cols;
	size_t n = xlsx_columns(quality, &cols);

	for (size_t c = 0; c < n; c++)
		if (strcmp(cols[c].header, h) == 0)
			return cols[c].what;
	fail_msg("no column %s", h);
	return XCOL_TITLE;
}

static void
test_columns(void **state)
{
	const struct xlsx_column *cols;
	size_t n;

	(void)state;
	/* the seeds' columns first: Indikatorer, Målvärde, Utfall / Delresultat */
	n = xlsx_columns(false, &cols);
	assert_true(n >= 6);
	assert_string_equal(cols[0].header, "Indikatorer");
	assert_string_equal(cols[1].header, "Målvärde");
	assert_string_equal(cols[2].header, "Utfall");
	assert_int_equal(cols[0].what, XCOL_TITLE);
	n = xlsx_columns(true, &cols);
	assert_string_equal(cols[2].header, "Delresultat");
	assert_int_equal(col_of(true, "Pågående"), XCOL_PENDING);
	/* every column has a width, the titles and sentences wider than the figures */
	for (int q = 0; q < 2; q++) {
		n = xlsx_columns(q, &cols);
		for (size_t c = 0; c < n; c++) {
			assert_true(cols[c].width >= 8 && cols[c].width <= 80);
			if (c > 0 && cols[c].what != XCOL_BASIS)
				assert_true(cols[c].width < cols[0].width);
		}
	}
}

static void
test_cells(void **state)
{
	struct config cfg = cfg4();
	struct report rep;
	struct xlsx_cell c;

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	assert_false(xlsx_quality_row(&cfg, IND_DIGITAL));
	assert_true(xlsx_quality_row(&cfg, 3));
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, false), 3);
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, true), 1);

	/* 52 % is the fraction itself, not 52 and not a rounded 0.52 */
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_VALUE, &c);
	assert_int_equal(c.kind, XLSX_PERCENT);
	assert_true(fabs(c.num - 265.0 / 513) < 1e-12);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_NUM, &c);
	assert_int_equal(c.kind, XLSX_INT);
	assert_true(c.num == 265);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_DEN, &c);
	assert_true(c.kind == XLSX_INT && c.num == 513);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_PREV_NUM, &c);
	assert_true(c.kind == XLSX_INT && c.num == 200);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_PREV, &c);
	assert_true(c.kind == XLSX_PERCENT && fabs(c.num - 200.0 / 409) < 1e-12);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_TITLE, &c);
	assert_int_equal(c.kind, XLSX_TEXT);
	assert_string_equal(c.text, "Digitala patientkontakter");
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_VERDICT, &c);
	assert_string_equal(c.text, "uppnås inte");
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_BASIS, &c);
	assert_string_equal(c.text, "265 av 513 ärenden ger 52 %. Samma kvartal 2025: 200 av 409, 49 %.");
	/* a pending column only for a deadline, a closed period no prognosis */
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_PENDING, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_PROGNOS, &c);
	assert_int_equal(c.kind, XLSX_BLANK);

	/* TeleQ: the mean 0.7633 (76 %), no 441/600 beside it, the months in the sentence */
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_PERCENT && fabs(c.num - 0.763333) < 1e-5);
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_NUM, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_DEN, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_BASIS, &c);
	assert_non_null(strstr(c.text, "(90 + 73 + 66) / 3 = 76 %"));
	/* nothing a year earlier: blank, not 0 */
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_PREV, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_cell(&cfg, &rep, IND_TELEQ, XCOL_PREV_NUM, &c);
	assert_int_equal(c.kind, XLSX_BLANK);

	/* growth: a signed percent */
	xlsx_cell(&cfg, &rep, IND_GROWTH_CASES, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_PERCENT_SIGNED && fabs(c.num - (513.0 / 409 - 1)) < 1e-12);

	/* deadline: in time, decided, pending */
	xlsx_cell(&cfg, &rep, 3, XCOL_PENDING, &c);
	assert_true(c.kind == XLSX_INT && c.num == 3);
	xlsx_cell(&cfg, &rep, 3, XCOL_DEN, &c);
	assert_true(c.kind == XLSX_INT && c.num == 510);
	report_done(&rep);
}

/* A target is a number with its comparison, and as many decimals as it has. */
static void
test_target(void **state)
{
	struct config cfg = cfg4();
	struct report rep;
	struct xlsx_cell c;

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	xlsx_cell(&cfg, &rep, IND_DIGITAL, XCOL_TARGET, &c);
	assert_int_equal(c.kind, XLSX_TARGET);
	assert_true(c.num == cfg.indicators[IND_DIGITAL].target);
	assert_int_equal(c.cmp, cfg.indicators[IND_DIGITAL].cmp);
	assert_int_equal(c.decimals, 0);
	xlsx_cell(&cfg, &rep, 3, XCOL_TARGET, &c);     /* 12,5 % */
	assert_int_equal(c.decimals, 1);
	fxr_inds[3].target = 0.1225;
	xlsx_cell(&cfg, &rep, 3, XCOL_TARGET, &c);
	assert_int_equal(c.decimals, 2);
	fxr_inds[3].target = -0.03;
	xlsx_cell(&cfg, &rep, 3, XCOL_TARGET, &c);
	assert_int_equal(c.decimals, 0);
	report_done(&rep);
}

static void
test_titles(void **state)
{
	struct config cfg = cfg4();
	struct report rep;
	char buf[FOLLOWUP_LINE_MAX];

	(void)state;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	xlsx_fmt_title(buf, sizeof(buf), &rep);
	assert_string_equal(buf, "Verksamhetsuppföljning kvartal 1 2026");
	xlsx_fmt_subtitle(buf, sizeof(buf), &rep);
	assert_string_equal(buf, "2026-01-01 – 2026-03-31 · jämfört med kvartal 1 2025 · "
	                    "framtagen 2026-04-02");
	xlsx_fmt_closing(buf, sizeof(buf), &cfg, &rep, false);
	assert_string_equal(buf, "Alla indikatorer utom en uppnås.");
	xlsx_fmt_closing(buf, sizeof(buf), &cfg, &rep, true);
	assert_string_equal(buf, "Alla indikatorer uppnås.");
	report_done(&rep);
	/* a running period says so */
	q1_report(&cfg, &rep, days_from_civil(2026, 2, 14));
	xlsx_fmt_subtitle(buf, sizeof(buf), &rep);
	assert_non_null(strstr(buf, "framtagen 2026-02-14 · perioden pågår"));
	report_done(&rep);
}

/* section moves a row to the other sheet; heading gives a heading row before its rows. */
static void
test_sections(void **state)
{
	struct config cfg = cfg4();
	struct report_row rows[REPORT_ROWS_MAX];
	struct report rep;
	char buf[FOLLOWUP_LINE_MAX];
	size_t n;

	(void)state;
	fxr_inds[IND_DIGITAL].heading = "Patientärenden och informationsärenden";
	fxr_inds[IND_GROWTH_CASES].section = SECTION_QUALITY;
	fxr_inds[3].section = SECTION_QUALITY;      /* said outright: as by its kind */
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	assert_false(xlsx_quality_row(&cfg, IND_DIGITAL));
	assert_true(xlsx_quality_row(&cfg, IND_GROWTH_CASES));
	n = xlsx_sheet_layout(&cfg, &rep, false, rows);
	assert_int_equal(n, 3);
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, false), 3);
	assert_int_equal(rows[0].kind, RROW_COUNTED);
	assert_int_equal(rows[0].i, IND_TELEQ);
	assert_int_equal(rows[1].kind, RROW_HEADING);
	assert_string_equal(rows[1].heading, "Patientärenden och informationsärenden");
	assert_int_equal(rows[2].kind, RROW_COUNTED);
	assert_int_equal(rows[2].i, IND_DIGITAL);
	n = xlsx_sheet_layout(&cfg, &rep, true, rows);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].i, IND_GROWTH_CASES);
	assert_int_equal(rows[1].i, 3);
	/* the growth (here not judged) now counts on the Kvalitetsstyrning sheet */
	rep.r[IND_GROWTH_CASES].cur.met = -1;
	xlsx_fmt_closing(buf, sizeof(buf), &cfg, &rep, true);
	assert_string_equal(buf, "Alla indikatorer uppnås. En indikator kan inte bedömas.");
	report_done(&rep);
	fxr_inds[IND_DIGITAL].heading = NULL;
	fxr_inds[IND_GROWTH_CASES].section = fxr_inds[3].section = SECTION_AUTO;
}

/*
 * Manual rows (kind: manual) on the Målstyrning sheet, once read, under
 * their headings as the document places them: a count an integer, kronor
 * a number under a kronor format, a percent the fraction, "–" without a
 * value; the target a number in the row's unit; the document's sentence.
 */
static struct manual_ind mans[FX_MANUALS];

static void
test_manual(void **state)
{
	struct config cfg = cfg4();
	struct report_row rows[REPORT_ROWS_MAX];
	struct report rep;
	struct xlsx_cell c;
	char buf[FOLLOWUP_LINE_MAX];
	size_t n;

	(void)state;
	/* the seeds' rows, the budget ones under a heading of their own */
	for (unsigned k = 0; k < FX_MANUALS; k++)
		mans[k] = fx_manual(k);
	mans[2].heading = mans[3].heading = "Ekonomi";
	cfg.manuals = mans;
	cfg.nmanuals = FX_MANUALS;
	q1_report(&cfg, &rep, days_from_civil(2026, 4, 2));
	/* not read (the daemon's report): no manual row, rather than all of them missing */
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, false), 3);
	rep.manual_read = true;
	rep.m[0] = (struct manual_result){ .has_value = true, .value = 3, .met = 1,
	                                   .prev_has_value = true, .prev_value = 2, .prev_met = 1 };
	rep.m[1] = (struct manual_result){ .met = -1 };
	rep.m[2] = (struct manual_result){ .has_value = true, .value = -150000.5, .met = 0 };
	rep.m[3] = (struct manual_result){ .has_value = true, .value = 25000, .met = -1 };
	rep.m[4] = (struct manual_result){ .has_value = true, .value = 52.5, .met = 1 };

	/* the counted rows, the manual ones without a heading, then each heading with its rows */
	n = xlsx_sheet_layout(&cfg, &rep, false, rows);
	assert_int_equal(n, 3 + 5 + 2);
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, false), n);
	assert_int_equal(rows[3].kind, RROW_MANUAL);
	assert_int_equal(rows[3].i, 0);
	assert_int_equal(rows[4].kind, RROW_MANUAL);
	assert_int_equal(rows[4].i, 4);
	assert_int_equal(rows[5].kind, RROW_HEADING);
	assert_string_equal(rows[5].heading, "Stödpersonsuppdraget");
	assert_true(rows[6].kind == RROW_MANUAL && rows[6].i == 1);
	assert_int_equal(rows[7].kind, RROW_HEADING);
	assert_string_equal(rows[7].heading, "Ekonomi");
	assert_true(rows[8].kind == RROW_MANUAL && rows[8].i == 2);
	assert_true(rows[9].kind == RROW_MANUAL && rows[9].i == 3);
	/* the Kvalitetsstyrning sheet has none of them */
	assert_int_equal(xlsx_sheet_rows(&cfg, &rep, true), 1);

	/* a count: an integer; its target a count */
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_TITLE, &c);
	assert_true(c.kind == XLSX_TEXT && !strcmp(c.text, "Antal analyser som produceras"));
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_INT && c.num == 3);
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_TARGET, &c);
	assert_true(c.kind == XLSX_TARGET && c.unit == XUNIT_COUNT && c.num == 2 &&
	            c.cmp == CMP_GE && c.decimals == 0);
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_VERDICT, &c);
	assert_string_equal(c.text, "uppnås");
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_PREV, &c);
	assert_true(c.kind == XLSX_INT && c.num == 2);
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_BASIS, &c);
	assert_string_equal(c.text, "Inrapporterat för hand. Samma kvartal 2025: 2.");
	/* nothing counted: no numerator, denominator, prognosis */
	for (enum xlsx_col w = XCOL_NUM; w <= XCOL_PREV_DEN; w++) {
		if (w == XCOL_PREV)
			continue;
		xlsx_manual_cell(&cfg, &rep, 0, w, &c);
		assert_int_equal(c.kind, XLSX_BLANK);
	}
	xlsx_manual_cell(&cfg, &rep, 0, XCOL_PROGNOS, &c);
	assert_int_equal(c.kind, XLSX_BLANK);

	/* no value: blank ("–"), and the document's words */
	xlsx_manual_cell(&cfg, &rep, 1, XCOL_VALUE, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_manual_cell(&cfg, &rep, 1, XCOL_TARGET, &c);
	assert_true(c.kind == XLSX_TARGET && c.unit == XUNIT_COUNT && c.num == 3 && c.cmp == CMP_GT);
	xlsx_manual_cell(&cfg, &rep, 1, XCOL_VERDICT, &c);
	assert_string_equal(c.text, "värde saknas");
	xlsx_manual_cell(&cfg, &rep, 1, XCOL_PREV, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_manual_cell(&cfg, &rep, 1, XCOL_BASIS, &c);
	assert_string_equal(c.text, "Inget värde inrapporterat ännu. Samma kvartal 2025: –.");

	/* kronor: the number itself, öre as the decimals it has (as "−150 000,5 kr") */
	xlsx_manual_cell(&cfg, &rep, 2, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_KR && c.num == -150000.5 && c.decimals == 1);
	xlsx_manual_cell(&cfg, &rep, 2, XCOL_TARGET, &c);
	assert_true(c.kind == XLSX_TARGET && c.unit == XUNIT_KR && c.num == 0 && c.decimals == 0);
	xlsx_manual_cell(&cfg, &rep, 2, XCOL_VERDICT, &c);
	assert_string_equal(c.text, "uppnås inte");
	xlsx_manual_cell(&cfg, &rep, 3, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_KR && c.num == 25000 && c.decimals == 0);
	/* no target: blank, never judged */
	xlsx_manual_cell(&cfg, &rep, 3, XCOL_TARGET, &c);
	assert_int_equal(c.kind, XLSX_BLANK);
	xlsx_manual_cell(&cfg, &rep, 3, XCOL_VERDICT, &c);
	assert_string_equal(c.text, "inget målvärde");

	/* a percent: the fraction (52,5 % is 0.525), the decimals it has */
	xlsx_manual_cell(&cfg, &rep, 4, XCOL_VALUE, &c);
	assert_true(c.kind == XLSX_PERCENT && fabs(c.num - 0.525) < 1e-12 && c.decimals == 1);
	xlsx_manual_cell(&cfg, &rep, 4, XCOL_TARGET, &c);
	assert_true(c.kind == XLSX_TARGET && c.unit == XUNIT_PERCENT &&
	            fabs(c.num - 0.505) < 1e-12 && c.decimals == 1);

	/* the closing sentence counts the judged manual rows as the document does */
	xlsx_fmt_closing(buf, sizeof(buf), &cfg, &rep, false);
	assert_string_equal(buf, "4 av 6 indikatorer uppnås. 2 indikatorer kan inte bedömas.");
	report_done(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_manual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
