/* message.h — message.c: rendering alert messages. Conventions: core.h. */
#ifndef TQ_MESSAGE_H
#define TQ_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicator.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"

struct period;

/* -------------------------------------------------------------- message.c */
/*
 * Pure rendering of alert messages: templates with {placeholders}, the
 * Swedish summary table and the webhook JSON (the mail that carries the
 * text: mime.h).
 *
 * Placeholders: {title} {indicator} {period} {period_id} {value} {target}
 * {basis} {previous} {status} {table} {missed} {count} {nodata} {overview} ;
 * "{{" is "{" and "}}" is "}". Per-indicator ones are empty in a summary;
 * {table}, {missed}, {count}, {nodata} (indicators without data,
 * report_no_data) and {overview} (report_fmt_overview) are empty outside
 * one. A summary where every indicator lacks data uses its own default
 * templates ("Inga data för {period}: ..."); a custom subject then gets
 * "Inga data för <period>: " in front, so it never reads as an all-clear.
 */
struct ind_view {               /* one indicator's figures, as in its ind:<name>:<period> hash */
	const struct indicator *ind;
	struct outcome cur;         /* num, den, value, has_value, met (1, 0, -1) */
	struct outcome prev;        /* the same period one year earlier */
	/* A mean of months: cur's monthly shares (compute_report's cur_monthly),
	 * shown as "90 % + 73 % + 66 % → medel 76 %"; 0 when unknown. */
	unsigned       ncur_monthly;
	double         cur_monthly[IND_MAX_MONTHS];
	unsigned       nprev_monthly;   /* prev's, alike */
	double         prev_monthly[IND_MAX_MONTHS];
};
struct alert_text {
	char *subject;              /* one line, UTF-8 */
	char *body;                 /* UTF-8, '\n' line ends */
	enum alert_kind kind;       /* set by alert_render; mail_build writes it as X-Teleqd-Kind */
	char *attach;               /* alert_attach: an HTML attachment, or NULL */
	size_t attach_len;
	char *attach_name;          /* its file name, "uppfoljning-2026-Q1.html" */
};
/*
 * Largest HTML attachment a mail carries (bytes before base64). The outbox
 * keeps the whole message in Redis until it is delivered, so it is bounded.
 */
#define MAIL_ATTACH_MAX (512 * 1024)
/* Default Swedish template of kind (subject or body). */
const char *alert_default_template(enum alert_kind k, bool subject);
/* Checks a template. 0, or -EINVAL with *ret_offset at the bad placeholder or brace. */
int tpl_check(const char *tpl, size_t len, size_t *ret_offset);
/*
 * Renders the message of kind for period p (rows: one indicator for
 * breach/reminder/resolved, every summarized indicator for a summary,
 * none for a test). Returns 0 or -ENOMEM; *ret owned by the caller.
 */
int alert_render(const struct alert_conf *ac, enum alert_kind kind, const struct period *p,
                 const struct ind_view *rows, size_t nrows, struct alert_text *ret);
void alert_text_done(struct alert_text *t);     /* accepts NULL and zeroed */
/*
 * Attaches html[0..len) (ownership passes to t, also on failure) as
 * "uppfoljning-<period_id>.html", which mail_build (mime.h) sends as a
 * multipart/mixed message. Returns 0; -E2BIG when len > MAIL_ATTACH_MAX:
 * html is freed and the body says the follow-up was too large to attach
 * and how to print it (the caller logs); -EINVAL when period_id is not
 * [A-Za-z0-9-]+; -ENOMEM.
 */
int alert_attach(struct alert_text *t, const char *period_id, char *html, size_t len);
/*
 * Adds to a summary's body, before its sign-off, the manual indicators of
 * cfg (cfg->manuals[j]) with has_value[j] false: "Utan värde: Antal
 * analyser, Periodresultat budget." (wrapped); nothing when every one has
 * a value. Returns 0 or -ENOMEM (t unchanged).
 */
int alert_add_missing(struct alert_text *t, const struct config *cfg, const bool *has_value);
/*
 * Adds to an early warning's body (breach, reminder of row, its month to
 * date), before its sign-off, one sentence with the projection proj of
 * the running period p the month is in (prognos.c: the quarter, as the
 * report computes it) and its method in words: "Månaden hittills 52 %;
 * prognos för kvartal 1 2026: 53 % (utfallet hittills och resterande
 * månader med snittet av de senaste tre)." (wrapped). Nothing when proj
 * has no value. Returns 0, -EINVAL for a NULL argument, or -ENOMEM (t
 * unchanged).
 */
int alert_add_prognos(struct alert_text *t, const struct ind_view *row, const struct period *p,
                      const struct prognos *proj);
/*
 * What the feed and store alerts (stale, stale_reminder, fresh, reset,
 * redis_evicts, redis_ok) show: preformatted local times and dates, or
 * NULL (expands to nothing).
 */
struct feed_alert {
	const char *feed;           /* {feed}: the feed's name */
	const char *since;          /* {since}: last line read (stale), emptied at (reset),
	                             * refused since (redis_evicts) */
	const char *from, *to;      /* {from} {to}: reset: dates of the events re-read */
	const char *policy;         /* {policy}: redis_evicts: Redis's maxmemory-policy */
};
/*
 * Renders a feed or store alert (kind AK_STALE..AK_REDIS_OK) from the
 * templates of ac (NULL: the defaults). Returns 0 and *ret, -EINVAL for
 * another kind, -ENOMEM.
 */
int alert_render_feed(const struct alert_conf *ac, enum alert_kind kind,
                      const struct feed_alert *fa, struct alert_text *ret);
/*
 * Wraps one line of text s (UTF-8, no '\n') at spaces so that each line
 * has at most width code points, continuation lines starting with indent
 * spaces (a hanging indent); a word longer than that stays whole on its
 * own line, never cut. No break before "%" or after a lone comparison
 * sign ("≥ 55 %" stays together). Lines end in '\n' between, none at the
 * end. Returns 0 and *ret (malloc'd), or -ENOMEM (*ret untouched).
 */
int message_wrap(const char *s, size_t width, size_t indent, char **ret);
/*
 * The webhook JSON: {"id","kind","period","created","subject","text",
 * "indicators":[{"name","title","value","target","cmp","numerator",
 * "denominator","met","previous_value","previous_numerator",
 * "previous_denominator"}]}. *ret malloc'd.
 */
int webhook_payload(const char *id, enum alert_kind kind, const struct period *p,
                    int64_t created, const struct alert_text *t,
                    const struct ind_view *rows, size_t nrows, char **ret, size_t *ret_len);

#endif /* TQ_MESSAGE_H */
