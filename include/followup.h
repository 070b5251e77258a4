/* followup.h — followup.c: the committee's follow-up document. Conventions: core.h. */
#ifndef TQ_FOLLOWUP_H
#define TQ_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "indicator.h"
#include "report.h"
#include "tq_config.h"

/* ------------------------------------------------------------ followup.c */
/*
 * The follow-up (Verksamhetsuppföljning) of a report as one printable
 * HTML page (pure): A4, `@media print`, no script and no external
 * resource, in the seeds' layout and Swedish. The Målstyrning table
 * (Indikatorer, Målvärde, Utfall) and the Kvalitetsstyrning table
 * (deadline indicators: Delresultat), per row the target, the outcome and
 * the verdict in words, under it the basis and the same period last year
 * in a sentence, the arithmetic of a mean of months, the prognosis of a
 * running period; each table ends with a sentence counting the
 * indicators met. Every text comes from the config or the figures, and is
 * HTML-escaped. What `teleqctl report PERIOD --format html` prints and the
 * daemon serves as /rapport?period=PERIOD.
 */
#define FOLLOWUP_LINE_MAX 512   /* bytes of one generated sentence */

/* The samordnare's notes on an indicator for the period (issue 18 item 2); NULL = none. */
struct followup_note {
	const char *analys;
	const char *prognos;
};
/*
 * Writes the document of rep (computed by compute_report over cfg) to out.
 * notes is NULL or holds rep->n entries, printed under their rows; NULL
 * takes rep->notes when rep->manual_read (as ctl_manual_fetch or dash.c
 * read them), and then the manual rows close the Målstyrning table.
 * Returns 0, or -EIO when out reports a write error.
 */
int  followup_render(FILE *out, const struct config *cfg, const struct report *rep,
                     const struct followup_note *notes);
/*
 * The verdict on o in words: "uppnås", "uppnås inte", "för få ärenden"
 * (a value below min_denominator), "inga ärenden"; a deadline with only
 * pending cases "inga avgjorda ärenden", a growth with cases but none a
 * year earlier "inget att jämföra med".
 */
const char *followup_verdict(const struct indicator *ind, const struct outcome *o);
/*
 * The closing sentence of a table whose judged indicators are met and
 * missed, and unjudged more without a verdict: "Alla indikatorer uppnås.",
 * "Alla indikatorer utom en uppnås.", "2 av 5 indikatorer uppnås.", then
 * " 2 indikatorer kan inte bedömas." when unjudged > 0, or "Ingen
 * indikator kan bedömas." when none is judged.
 */
void followup_fmt_closing(char *buf, size_t len, size_t met, size_t missed, size_t unjudged);
/* A mean of months: "(90 + 73 + 66) / 3 = 76 %" (value: the mean, as judged); "–" for n = 0. */
void followup_fmt_mean(char *buf, size_t len, const double *monthly, unsigned n, double value);
/*
 * Indicator i's outcome for the period in a sentence: "265 av 513 ärenden
 * ger 52 %.", "(90 + 73 + 66) / 3 = 76 %.", "513 ärenden mot 409 samma
 * kvartal 2025 ger +25 %.", "480 av 510 avgjorda ärenden i tid ger 94 %,
 * 3 pågående.", "Inga ärenden." (unescaped text).
 */
void followup_fmt_outcome(char *buf, size_t len, const struct config *cfg, size_t i,
                          const struct report *rep);
/*
 * The postponements (uppskov) by age group, as the seeds list them:
 * "Uppskov: < 19 år 1 ärende, > 19 år 18 ärenden." The count of a group
 * is the extended figure (cases with a postponement, by the month of
 * their start) of the first deadline indicator with an extend filter
 * whose start filter is `age: child` (< 19 år) or `age: adult` (> 19 år),
 * in config order; "–" when that indicator has no cases in the period.
 * A group without such an indicator is left out. Returns false (buf "")
 * when neither group has one.
 */
bool followup_fmt_uppskov(char *buf, size_t len, const struct config *cfg,
                          const struct report *rep);
/* The same period last year in a sentence: "Samma kvartal 2025: 200 av 409, 49 %." or "…: –." */
void followup_fmt_previous(char *buf, size_t len, const struct config *cfg, size_t i,
                           const struct report *rep);
/*
 * A manual indicator's verdict on mr in words: "uppnås", "uppnås inte",
 * "värde saknas" (none entered), "inget målvärde" (no target: not judged).
 */
const char *followup_manual_verdict(const struct manual_ind *m, const struct manual_result *mr);
/*
 * Manual indicator j's (cfg->manuals[j]) sentence under its title, from
 * rep->m[j]: "Inrapporterat för hand. Samma kvartal 2025: 2." or "Inget
 * värde inrapporterat ännu. Samma kvartal 2025: –." (unescaped text).
 */
void followup_fmt_manual_basis(char *buf, size_t len, const struct config *cfg, size_t j,
                               const struct report *rep);

#endif /* TQ_FOLLOWUP_H */
