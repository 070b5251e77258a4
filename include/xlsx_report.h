/* xlsx_report.h — xlsx_report.c: the follow-up as an Excel workbook. Conventions: core.h. */
#ifndef TQ_XLSX_REPORT_H
#define TQ_XLSX_REPORT_H

#include "report.h"
#include "tq_config.h"

/* ---------------------------------------------------------- xlsx_report.c */
/*
 * Writes the follow-up of rep (computed by compute_report over cfg) as an
 * XLSX workbook to the file path (created or truncated; the caller renames
 * it into place), laid out by xlsx_layout.c, through libxlsxwriter (linked
 * into teleqctl only). Returns 0, -ENOMEM, or -EIO when the file could not
 * be written (said on stderr by the caller; *ret_err, if not NULL, gets
 * libxlsxwriter's reason, static text).
 */
int xlsx_report_write(const char *path, const struct config *cfg, const struct report *rep,
                      const char **ret_err);

#endif /* TQ_XLSX_REPORT_H */
