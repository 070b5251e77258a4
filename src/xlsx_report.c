/*
 * xlsx_report.c — the follow-up as an Excel workbook (teleqctl report
 * --format xlsx -o FILE), through libxlsxwriter: Office Open XML is a zip
 * of XML parts we would otherwise have to write and keep valid ourselves.
 *
 * What goes where is decided in xlsx_layout.c (pure, unit-tested); this
 * file only turns its cells into libxlsxwriter calls: one sheet per table
 * (Målstyrning, Kvalitetsstyrning), the period in two title rows, the
 * Swedish headers, one row per indicator (the manual ones too, once
 * read), the closing sentence; numbers stored as numbers with number
 * formats (a percent is the fraction under "0%", a count an integer
 * under "0", kronor under "#,##0 kr"), the columns' widths set, the
 * header row frozen. Linked into teleqctl only: the daemon never writes
 * a workbook.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <xlsxwriter.h>

#include "report.h"
#include "tq_config.h"
#include "xlsx_layout.h"
#include "xlsx_report.h"

#define TITLE_ROW   0
#define SUB_ROW     1
#define HEADER_ROW  3
#define FIRST_ROW   4

/* The workbook's formats, made once. */
struct formats {
	lxw_format *title, *sub, *header, *text, *integer, *signed_pct, *blank;
	lxw_format *closing;
	lxw_format *percent[3];         /* [decimals] */
	lxw_format *kr[3];              /* [decimals] */
	lxw_format *target[3][4][3];    /* [enum xlsx_unit][enum cmp][decimals] */
};

/*
 * The number formats of a unit with d decimals: "0%" / "0.0%", "0" (a
 * count), "#,##0" kr" (Excel shows the grouping with the locale's
 * separator: a space in Swedish).
 */
static const char *const unit_digits[3][3] = {
	[XUNIT_PERCENT] = { "0%", "0.0%", "0.00%" },
	[XUNIT_COUNT]   = { "0", "0.0", "0.00" },
	[XUNIT_KR]      = { "#,##0\" kr\"", "#,##0.0\" kr\"", "#,##0.00\" kr\"" },
};

/* "≥ 0%", "≥ 0.0%", "> 0", "≥ #,##0 kr"...: the comparison a literal, the target a number. */
static void
make_target_formats(lxw_workbook *wb, struct formats *f)
{
	static const char *const sign[4] = {
		[CMP_GE] = "≥", [CMP_GT] = ">", [CMP_LE] = "≤", [CMP_LT] = "<",
	};
	char nf[96];

	for (int u = 0; u < 3; u++)
		for (int c = 0; c < 4; c++)
			for (int d = 0; d < 3; d++) {
				const char *digits = unit_digits[u][d];
				lxw_format *t = workbook_add_format(wb);

				/* positive;negative: the negative with U+2212, as every report prints it */
				snprintf(nf, sizeof(nf), "\"%s \"%s;\"%s " REPORT_MINUS "\"%s", sign[c],
				         digits, sign[c], digits);
				format_set_num_format(t, nf);
				format_set_align(t, LXW_ALIGN_RIGHT);
				format_set_align(t, LXW_ALIGN_VERTICAL_TOP);
				f->target[u][c][d] = t;
			}
}

/* "0%" and "#,##0 kr" with 0..2 decimals, a negative with U+2212. */
static void
make_unit_formats(lxw_workbook *wb, struct formats *f)
{
	char nf[96];

	for (int d = 0; d < 3; d++) {
		f->percent[d] = workbook_add_format(wb);
		format_set_num_format(f->percent[d], unit_digits[XUNIT_PERCENT][d]);
		format_set_align(f->percent[d], LXW_ALIGN_VERTICAL_TOP);
		snprintf(nf, sizeof(nf), "%s;\"" REPORT_MINUS "\"%s;%s", unit_digits[XUNIT_KR][d],
		         unit_digits[XUNIT_KR][d], unit_digits[XUNIT_KR][0]);
		f->kr[d] = workbook_add_format(wb);
		format_set_num_format(f->kr[d], nf);
		format_set_align(f->kr[d], LXW_ALIGN_VERTICAL_TOP);
	}
}

static void
make_formats(lxw_workbook *wb, struct formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->sub = workbook_add_format(wb);
	format_set_font_color(f->sub, 0x555555);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_bg_color(f->header, 0xE6EDF7);
	format_set_bottom(f->header, LXW_BORDER_MEDIUM);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_TOP);
	f->text = workbook_add_format(wb);
	format_set_text_wrap(f->text);
	format_set_align(f->text, LXW_ALIGN_VERTICAL_TOP);
	f->integer = workbook_add_format(wb);
	format_set_num_format(f->integer, "0");
	format_set_align(f->integer, LXW_ALIGN_VERTICAL_TOP);
	f->signed_pct = workbook_add_format(wb);
	format_set_num_format(f->signed_pct, "+0%;" "\"" REPORT_MINUS "\"" "0%;0%");
	format_set_align(f->signed_pct, LXW_ALIGN_VERTICAL_TOP);
	f->blank = workbook_add_format(wb);
	format_set_align(f->blank, LXW_ALIGN_RIGHT);
	format_set_align(f->blank, LXW_ALIGN_VERTICAL_TOP);
	f->closing = workbook_add_format(wb);
	format_set_bold(f->closing);
	make_target_formats(wb, f);
	make_unit_formats(wb, f);
}

/* One cell; the first libxlsxwriter error is kept in *err. */
static void
put_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const struct xlsx_cell *c,
         const struct formats *f, lxw_error *err)
{
	unsigned d = c->decimals > 2 ? 2 : c->decimals;
	lxw_error e;

	switch (c->kind) {
	case XLSX_TEXT:
		e = worksheet_write_string(ws, row, col, c->text, f->text);
		break;
	case XLSX_INT:
		e = worksheet_write_number(ws, row, col, c->num, f->integer);
		break;
	case XLSX_PERCENT:
		e = worksheet_write_number(ws, row, col, c->num, f->percent[d]);
		break;
	case XLSX_KR:
		e = worksheet_write_number(ws, row, col, c->num, f->kr[d]);
		break;
	case XLSX_PERCENT_SIGNED:
		e = worksheet_write_number(ws, row, col, c->num, f->signed_pct);
		break;
	case XLSX_TARGET:
		e = worksheet_write_number(ws, row, col, c->num,
		                           f->target[c->unit > XUNIT_KR ? XUNIT_PERCENT : c->unit]
		                                    [c->cmp & 3][d]);
		break;
	case XLSX_BLANK:
	default:
		e = worksheet_write_string(ws, row, col, REPORT_DASH, f->blank);
		break;
	}
	if (e != LXW_NO_ERROR && *err == LXW_NO_ERROR)
		*err = e;
}

/* One sheet, when its table has rows (or force: a workbook needs one sheet). */
static void
put_sheet(lxw_workbook *wb, const struct formats *f, const struct config *cfg,
          const struct report *rep, bool quality, bool force, lxw_error *err)
{
	const struct xlsx_column *cols;
	size_t ncols = xlsx_columns(quality, &cols);
	char line[FOLLOWUP_LINE_MAX];
	struct report_row layout[REPORT_ROWS_MAX];
	size_t rows = xlsx_sheet_layout(cfg, rep, quality, layout);
	struct xlsx_cell cell;
	lxw_worksheet *ws;
	lxw_row_t row = FIRST_ROW;

	if (rows == 0 && !force)
		return;
	ws = workbook_add_worksheet(wb, quality ? XLSX_SHEET_QUALITY : XLSX_SHEET_GOALS);
	if (!ws) {
		if (*err == LXW_NO_ERROR)
			*err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	xlsx_fmt_title(line, sizeof(line), rep);
	worksheet_write_string(ws, TITLE_ROW, 0, line, f->title);
	xlsx_fmt_subtitle(line, sizeof(line), rep);
	worksheet_write_string(ws, SUB_ROW, 0, line, f->sub);
	for (size_t c = 0; c < ncols; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, NULL);
		worksheet_write_string(ws, HEADER_ROW, (lxw_col_t)c, cols[c].header, f->header);
	}
	worksheet_freeze_panes(ws, FIRST_ROW, 1);
	for (size_t k = 0; k < rows; k++) {
		if (layout[k].kind == RROW_HEADING) {
			/* the committee's sub-heading, bold in the title column */
			lxw_error e = worksheet_write_string(ws, row++, 0, layout[k].heading,
			                                     f->closing);

			if (e != LXW_NO_ERROR && *err == LXW_NO_ERROR)
				*err = e;
			continue;
		}
		for (size_t c = 0; c < ncols; c++) {
			if (layout[k].kind == RROW_MANUAL)
				xlsx_manual_cell(cfg, rep, layout[k].i, cols[c].what, &cell);
			else
				xlsx_cell(cfg, rep, layout[k].i, cols[c].what, &cell);
			put_cell(ws, row, (lxw_col_t)c, &cell, f, err);
		}
		row++;
	}
	if (rows > 0) {
		xlsx_fmt_closing(line, sizeof(line), cfg, rep, quality);
		worksheet_write_string(ws, row + 1, 0, line, f->closing);
	}
}

/* The workbook (see xlsx_report.h). */
int
xlsx_report_write(const char *path, const struct config *cfg, const struct report *rep,
                  const char **ret_err)
{
	lxw_workbook *wb = workbook_new(path);
	struct formats f = { 0 };
	lxw_error err = LXW_NO_ERROR, cerr;

	if (!wb) {
		if (ret_err)
			*ret_err = "cannot create the workbook";
		return -EIO;
	}
	make_formats(wb, &f);
	/* Målstyrning also when no indicator has a row: a workbook needs a sheet */
	put_sheet(wb, &f, cfg, rep, false, xlsx_sheet_rows(cfg, rep, true) == 0, &err);
	put_sheet(wb, &f, cfg, rep, true, false, &err);
	/* workbook_close writes the zip, and frees wb whatever happens */
	cerr = workbook_close(wb);
	if (err == LXW_NO_ERROR)
		err = cerr;
	if (err != LXW_NO_ERROR) {
		if (ret_err)
			*ret_err = lxw_strerror(err);
		return err == LXW_ERROR_MEMORY_MALLOC_FAILED ? -ENOMEM : -EIO;
	}
	return 0;
}
