/*
 * message.c — pure rendering of alert messages: the default Swedish
 * templates, {placeholder} expansion, the summary table, the attachment
 * and the paragraphs added to a rendered text, and the webhook JSON (the
 * RFC 5322 message that carries the text: mime.c). No I/O; every output
 * is malloc'd and owned by the caller.
 *
 * How figures are written (Swedish, as teleqctl's report):
 *   value     whole percent with a space, from the four-decimal value the
 *             target is judged on (indicator.c), half away from zero:
 *             0.7633 -> "76 %", 0.525 -> "53 %"; none -> "–"
 *   basis     ratio "265 av 513"; mean of months over several months its
 *             monthly shares when the row has them, "90 % + 73 % + 66 % →
 *             medel 76 %" (report_fmt_basis_months, as the dashboard), else
 *             "441 av 600, medel av 3 mån" (the pooled 441/600 is 73.5 %)
 *   target    "≥ 55 %", "> 5 %", "12,5 %" with a decimal comma
 *   previous  "49 % (200 av 409)", a mean of months as its basis above,
 *             or "–" without a value
 *   status    "uppfyllt", "ej uppfyllt", "ej bedömt"
 * Growth indicators (this period against the same period one year
 * earlier) are changes, so their value is signed: "+12 %", "−3 %" (U+2212
 * MINUS SIGN, the typographic minus Swedish print uses), "0 %" without a
 * sign; their basis is "230 mot 205": cases this period "mot" (against)
 * the same period last year, which is what num and den hold for growth.
 */
#include <stdarg.h>

#include "core.h"
#include "alert.h"
#include "indicator.h"
#include "message.h"
#include "period.h"
#include "prognos.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"
#include "grow.h"
#include "strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ templates */

/*
 * Default templates, indexed by alert_kind. The reader is the samordnare:
 * subjects say what happened, to which indicator and in which period;
 * bodies give the value with its basis, the target and the same period one
 * year earlier, then sign off as an automatic message.
 */
static const char *const default_subject[AK__MAX] = {
	[AK_BREACH] = "Tidig varning: {title} under målet i {period} ({value}, mål {target})",
	[AK_REMINDER] = "Påminnelse: {title} fortfarande under målet i {period} ({value})",
	[AK_RESOLVED] = "Åtgärdat: {title} åter på målet i {period} ({value})",
	[AK_SUMMARY] = "Sammanfattning {period}: {overview}",
	[AK_TEST] = "Testmeddelande från teleqd",
};

static const char *const default_body[AK__MAX] = {
	[AK_BREACH] =
		"{title} ligger under målet i {period}, räknat på månaden hittills.\n"
		"\n"
		"Utfall: {value} ({basis})\n"
		"Mål: {target}\n"
		"Samma period i fjol: {previous}\n"
		"\n"
		"Siffrorna kan ändras innan månaden är slut. Om läget består kommer en\n"
		"påminnelse, och ett nytt meddelande skickas när målet åter nås.\n"
		"\n"
		"Indikator: {indicator}, period {period_id}\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_REMINDER] =
		"{title} ligger fortfarande under målet i {period}, räknat på månaden hittills.\n"
		"\n"
		"Utfall: {value} ({basis})\n"
		"Mål: {target}\n"
		"Samma period i fjol: {previous}\n"
		"\n"
		"Nästa påminnelse kommer om läget består.\n"
		"\n"
		"Indikator: {indicator}, period {period_id}\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_RESOLVED] =
		"{title} når åter målet i {period}, räknat på månaden hittills.\n"
		"Den tidigare varningen gäller inte längre.\n"
		"\n"
		"Utfall: {value} ({basis})\n"
		"Mål: {target}\n"
		"Samma period i fjol: {previous}\n"
		"\n"
		"Indikator: {indicator}, period {period_id}\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_SUMMARY] =
		"Indikatorerna för {period} ({period_id}):\n"
		"{overview}.\n"
		"\n"
		"Indikatorer under målet står först. Underlaget står inom parentes.\n"
		"\n"
		"{table}"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_TEST] =
		"Detta är ett testmeddelande från teleqd. Det visar att varningar och\n"
		"sammanfattningar når den här mottagaren. Ingen åtgärd behövs.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
};

/* The feed and store alerts (alert_render_feed): {feed} {since} {from} {to} {policy}. */
static const char *const feed_subject[AK__MAX] = {
	[AK_STALE] = "Inga nya rader från {feed} sedan {since}",
	[AK_STALE_REMINDER] = "Påminnelse: fortfarande inga nya rader från {feed} sedan {since}",
	[AK_FRESH] = "Åtgärdat: nya rader från {feed} igen",
	[AK_RESET] = "Siffrorna har byggts om: Redis var tömt",
	[AK_REDIS_EVICTS] = "Redis kan radera teleqds nycklar ({policy}): inget räknas",
	[AK_REDIS_OK] = "Åtgärdat: Redis raderar inte längre nycklar, räkningen går igen",
};

static const char *const feed_body[AK__MAX] = {
	[AK_STALE] =
		"teleqd har inte läst någon ny rad från {feed} sedan {since}.\n"
		"Exporten kan ha stannat: indikatorerna räknas inte för de samtal eller\n"
		"ärenden som saknas. Kontrollera att exporten skriver sina filer.\n"
		"\n"
		"Om läget består kommer en påminnelse, och ett nytt meddelande skickas\n"
		"när rader kommer igen.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_STALE_REMINDER] =
		"teleqd har fortfarande inte läst någon ny rad från {feed} sedan {since}.\n"
		"Kontrollera att exporten skriver sina filer.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_FRESH] =
		"teleqd läser åter nya rader från {feed}. Den tidigare varningen gäller\n"
		"inte längre; raderna som skrevs under uppehållet räknas när de läses.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_RESET] =
		"Redis, där teleqd håller siffrorna, var tömt {since}. teleqd har byggt\n"
		"om siffrorna från de filer som fortfarande finns, med händelser från\n"
		"{from} till {to}. Siffror från filer som inte längre finns kvar saknas.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_REDIS_EVICTS] =
		"Redis, där teleqd håller siffrorna, har maxmemory-policy {policy} sedan\n"
		"{since}. Då kan Redis radera teleqds nycklar när minnet tar slut, och\n"
		"siffrorna skulle bli fel utan att någon märker det. teleqd räknar därför\n"
		"ingenting tills Redis är inställt på noeviction.\n"
		"\n"
		"Inget går förlorat: raderna ligger kvar i filerna och räknas när Redis\n"
		"är rättat.\n"
		"\n"
		"Åtgärd (IT): kör CONFIG SET maxmemory-policy noeviction i Redis och\n"
		"skriv maxmemory-policy noeviction i redis.conf, så att inställningen\n"
		"gäller även efter en omstart.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
	[AK_REDIS_OK] =
		"Redis har åter maxmemory-policy noeviction. teleqd räknar igen, och\n"
		"raderna som väntade i filerna räknas nu. Den tidigare varningen gäller\n"
		"inte längre.\n"
		"\n"
		"teleqd (automatiskt meddelande)\n",
};

/* True for the kinds alert_render_feed renders. */
static bool
feed_kind(enum alert_kind k)
{
	return k == AK_STALE || k == AK_STALE_REMINDER || k == AK_FRESH || k == AK_RESET ||
	       k == AK_REDIS_EVICTS || k == AK_REDIS_OK;
}

/*
 * A summary in which every indicator lacks data (report_no_data) gets these
 * instead of the default summary templates: it must not read as an
 * all-clear, so it says so first and points at the likely cause.
 */
static const char nodata_subject[] = "Inga data för {period}: {nodata} av {count} indikatorer utan underlag";
static const char nodata_body[] =
	"Inga data för {period} ({period_id}): ingen av de {count} indikatorerna har något\n"
	"underlag, så inget mål kan bedömas. Kontrollera att teleqd läser sina filer\n"
	"(teleqctl status).\n"
	"\n"
	"{table}"
	"\n"
	"teleqd (automatiskt meddelande)\n";

/*
 * The built-in template of kind k: its subject (subject true) or body.
 * Returns a static string, never NULL for a valid kind; NULL for a kind
 * out of range.
 */
const char *
alert_default_template(enum alert_kind k, bool subject)
{
	if ((unsigned)k >= AK__MAX)
		return NULL;
	if (feed_kind(k))
		return subject ? feed_subject[k] : feed_body[k];
	return subject ? default_subject[k] : default_body[k];
}

/* Placeholder names, in the order of enum ph. */
enum ph {
	PH_TITLE, PH_INDICATOR, PH_PERIOD, PH_PERIOD_ID, PH_VALUE, PH_TARGET, PH_BASIS,
	PH_PREVIOUS, PH_STATUS, PH_TABLE, PH_MISSED, PH_COUNT, PH_NODATA, PH_OVERVIEW,
	PH_FEED, PH_SINCE, PH_FROM, PH_TO, PH_POLICY,   /* feed and store alerts */
	PH__MAX
};
static const char *const ph_names[PH__MAX] = {
	"title", "indicator", "period", "period_id", "value", "target", "basis",
	"previous", "status", "table", "missed", "count", "nodata", "overview",
	"feed", "since", "from", "to", "policy",
};

/* Index of the placeholder name s[0..len), or -1 when there is none such. */
static int
ph_lookup(const char *s, size_t len)
{
	for (int i = 0; i < PH__MAX; i++)
		if (strlen(ph_names[i]) == len && memcmp(ph_names[i], s, len) == 0)
			return i;
	return -1;
}

/*
 * One template token at tpl[i] (i < len). Sets *ret_next to the index after
 * it. Returns -2 for literal text up to *ret_next (a "{{" or "}}" gives one
 * brace, from tpl[i]), a placeholder index >= 0, or -EINVAL for an
 * unclosed "{", an unknown name or a lone "}" (the error is at i).
 */
static int
tpl_token(const char *tpl, size_t len, size_t i, size_t *ret_next)
{
	size_t j;
	int ph;

	if (tpl[i] == '{' || tpl[i] == '}') {
		if (i + 1 < len && tpl[i + 1] == tpl[i]) {
			*ret_next = i + 2;
			return -2;
		}
		if (tpl[i] == '}')
			return -EINVAL;
		/* A name runs to the next '}'; any brace before it, or the end, is an error. */
		for (j = i + 1; j < len && tpl[j] != '}' && tpl[j] != '{'; j++)
			;
		if (j == len || tpl[j] != '}')
			return -EINVAL;
		ph = ph_lookup(tpl + i + 1, j - i - 1);
		if (ph < 0)
			return -EINVAL;
		*ret_next = j + 1;
		return ph;
	}
	for (j = i; j < len && tpl[j] != '{' && tpl[j] != '}'; j++)
		;
	*ret_next = j;
	return -2;
}

/*
 * Checks template tpl[0..len): every "{" opens a known placeholder closed
 * by "}" or is doubled, every "}" closes one or is doubled. Returns 0, or
 * -EINVAL with *ret_offset (may be NULL) at the offending brace.
 */
int
tpl_check(const char *tpl, size_t len, size_t *ret_offset)
{
	size_t i = 0, next;

	if (!tpl)
		return len == 0 ? 0 : -EINVAL;
	while (i < len) {
		if (tpl_token(tpl, len, i, &next) == -EINVAL) {
			if (ret_offset)
				*ret_offset = i;
			return -EINVAL;
		}
		i = next;
	}
	return 0;
}

/* ========================================================= UTF-8 helpers */

/*
 * Length of the valid UTF-8 sequence at s[0..n) (no overlongs, no
 * surrogates, <= U+10FFFF), 0 when s does not start with one.
 */
static size_t
u8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Bytes of the first max code points of s (never ends inside a sequence). */
static size_t
u8_prefix(const char *s, size_t max)
{
	size_t i = 0, w = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && w++ == max)
			break;
		i++;
	}
	return i;
}

/* ========================================================= Swedish text */

#define DASH  "\xE2\x80\x93"    /* U+2013 EN DASH: "no value" */

/* v rounded to four decimals as whole 1/10000 units: the value that is judged. */
static double
units4(double v)
{
	return round(v * 10000.0);
}

/* v as a whole percent (report_fmt_percent: the one style of teleqd): "76 %", "+12 %", "−3 %". */
static void
fmt_pct(char *buf, size_t len, double v, bool signed_)
{
	report_fmt_percent(buf, len, v, signed_);
}

/* The comparison as reports print it. */
static const char *
cmp_sign(enum cmp cmp)
{
	switch (cmp) {
	case CMP_GE: return "\xE2\x89\xA5";     /* ≥ */
	case CMP_GT: return ">";
	case CMP_LE: return "\xE2\x89\xA4";     /* ≤ */
	case CMP_LT: return "<";
	}
	return "?";
}

/* "≥ 55 %", "> 12,5 %", "≥ −3 %": the comparison and report_fmt_target. */
static void
fmt_target(char *buf, size_t len, const struct indicator *ind)
{
	char num[64];

	report_fmt_target(num, sizeof(num), ind->target);
	snprintf(buf, len, "%s %s", cmp_sign(ind->cmp), num);
}

/* The value of o: "52 %", "+12 %", or "–" without one. */
static void
fmt_value(char *buf, size_t len, const struct indicator *ind, const struct outcome *o)
{
	if (!o->has_value)
		snprintf(buf, len, DASH);
	else
		fmt_pct(buf, len, o->value, ind->kind == IND_GROWTH);
}

/*
 * The same period last year of row r: "49 % (200 av 409)", a mean of
 * months with its monthly shares "71 % (80 % + 70 % + 63 % → medel 71 %)",
 * or "–" without a value.
 */
static void
fmt_previous(char *buf, size_t len, const struct ind_view *r)
{
	const struct indicator *ind = r->ind;
	const struct outcome *o = &r->prev;
	char v[64], b[160];

	if (!o->has_value) {
		snprintf(buf, len, DASH);
		return;
	}
	fmt_value(v, sizeof(v), ind, o);
	report_fmt_basis_months(b, sizeof(b), ind, o, r->prev_monthly, r->nprev_monthly);
	snprintf(buf, len, "%s (%s)", v, b);
}

static const char *
status_word(int met)
{
	return met == 1 ? "uppfyllt" : met == 0 ? "ej uppfyllt" : "ej bedömt";
}

/* Title of an indicator for people: its title, else its name. */
static const char *
ind_title(const struct indicator *ind)
{
	return ind->title ? ind->title : ind->name ? ind->name : "";
}

/*
 * A period for people: "mars 2026", "kvartal 1 2026", "de senaste 30
 * dagarna" — report.c words it, so the page and teleqctl report agree.
 */
static void
fmt_period(char *buf, size_t len, const struct period *p)
{
	report_fmt_period(buf, len, p);
}

/* ============================================================ wrapping */

/* True when s[0..n) is one comparison sign ("≥", "≤", ">", "<", "="): it stays with what follows. */
static bool
lone_sign(const char *s, size_t n)
{
	return (n == 1 && strchr("<>=", s[0])) ||
	       (n == 3 && (memcmp(s, "\xE2\x89\xA5", 3) == 0 || memcmp(s, "\xE2\x89\xA4", 3) == 0));
}

/* Code points of s[0..n). */
static size_t
cps_n(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/*
 * See message.h. Greedy: the text is cut into units at the spaces where a
 * break is allowed (not before "%", not after a lone comparison sign, so
 * "mål ≥ 55 %" never splits); a unit goes on the current line when it
 * fits, else on a new one after the indent. A unit wider than a line is
 * never cut: a figure or a title word split in two is worse than a long
 * line (quoted-printable folds it for the transport anyway).
 */
int
message_wrap(const char *s, size_t width, size_t indent, char **ret)
{
	struct strbuf b = { 0 };
	size_t col = 0, i = 0, n = strlen(s);
	bool first = true;

	while (i < n) {
		size_t gap = i, start, end, w;

		/* the blanks before the unit (kept when no break is made) */
		while (i < n && s[i] == ' ')
			i++;
		start = end = i;
		/* the unit: words joined by the spaces no break may take */
		for (;;) {
			size_t wstart = end, next;

			while (end < n && s[end] != ' ')
				end++;
			next = end;
			while (next < n && s[next] == ' ')
				next++;
			if (next >= n || end == wstart)
				break;
			if (s[next] != '%' && !lone_sign(s + wstart, end - wstart))
				break;
			end = next;
		}
		if (first) {
			/* leading blanks belong to the first line */
			start = gap;
		}
		w = cps_n(s + start, end - start);
		if (!first && col + (start - gap) + w > width && end > start) {
			strbuf_putc(&b, '\n');
			for (size_t k = 0; k < indent; k++)
				strbuf_putc(&b, ' ');
			col = indent;
		} else if (!first) {
			strbuf_putn(&b, s + gap, start - gap);
			col += start - gap;
		}
		strbuf_putn(&b, s + start, end - start);
		col += w;
		first = false;
		i = end;
	}
	return strbuf_finish(&b, ret, NULL);
}

/* =========================================================== the table */

/*
 * Copies at most max code points (and what fits in len bytes, never
 * ending inside a sequence) of s into buf, control characters (newline,
 * tab, ...) replaced by spaces: a title from the config is shown on one line.
 */
static void
one_line(char *buf, size_t len, const char *s, size_t max)
{
	size_t n = u8_prefix(s, max);

	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)((unsigned char)s[i] < 0x20 || s[i] == 0x7F ? ' ' : s[i]);
	buf[n] = '\0';
}

#define TABLE_WIDTH 72          /* code points per line: plain-text mail, readable on a phone */
#define TABLE_INDENT 2          /* continuation lines start under the title */
#define TITLE_MAX   256         /* code points of a title in the table (config bounds it anyway) */

/*
 * Appends one summary line for r, '\n'-terminated:
 *   "- <title>: <value> (<basis>), mål <target>, <status>; i fjol <previous>"
 * wrapped at TABLE_WIDTH code points with a hanging indent (message_wrap):
 * the title and every figure whole, never cut.
 */
static void
table_line(struct strbuf *b, const struct ind_view *r)
{
	const struct indicator *ind = r->ind;
	const char *status;
	char title[1024], value[64], basis[160], target[64], prev[256];
	struct strbuf l = { 0 };
	char *line, *wrapped;
	int e;

	if (r->cur.met == 1 || r->cur.met == 0)
		status = status_word(r->cur.met);
	else
		status = report_no_data(&r->cur) ? "ej bedömt: inget underlag" : "ej bedömt: för litet underlag";
	one_line(title, sizeof(title), ind_title(ind), TITLE_MAX);
	fmt_value(value, sizeof(value), ind, &r->cur);
	report_fmt_basis_months(basis, sizeof(basis), ind, &r->cur, r->cur_monthly, r->ncur_monthly);
	fmt_target(target, sizeof(target), ind);
	fmt_previous(prev, sizeof(prev), r);
	strbuf_printf(&l, "- %s: %s (%s), mål %s, %s; i fjol %s", title, value, basis, target, status,
	              prev);
	if ((e = strbuf_finish(&l, &line, NULL)) < 0) {
		if (!b->err)
			b->err = e;
		return;
	}
	if ((e = message_wrap(line, TABLE_WIDTH, TABLE_INDENT, &wrapped)) < 0) {
		free(line);
		if (!b->err)
			b->err = e;
		return;
	}
	free(line);
	strbuf_puts(b, wrapped);
	strbuf_putc(b, '\n');
	free(wrapped);
}

/*
 * The summary table: one line per row, indicators below their target
 * first (what the samordnare has to act on), then those that met it, then
 * those not judged; config order within each group.
 */
static void
summary_table(struct strbuf *b, const struct ind_view *rows, size_t nrows)
{
	static const int order[3] = { 0, 1, -1 };

	for (int g = 0; g < 3; g++)
		for (size_t i = 0; i < nrows; i++) {
			int met = rows[i].cur.met == 0 || rows[i].cur.met == 1 ? rows[i].cur.met : -1;

			if (met == order[g])
				table_line(b, &rows[i]);
		}
}

/* ============================================================ rendering */

/* Of rows[0..nrows): *ret_missed below their target, *ret_nodata without data (report_no_data). */
static void
summary_counts(const struct ind_view *rows, size_t nrows, size_t *ret_missed, size_t *ret_nodata)
{
	*ret_missed = *ret_nodata = 0;
	for (size_t i = 0; i < nrows; i++) {
		*ret_missed += rows[i].cur.met == 0;
		*ret_nodata += report_no_data(&rows[i].cur);
	}
}

/* What placeholders expand to in one message. */
struct tpl_ctx {
	const struct period   *p;         /* may be NULL (a test) */
	const struct ind_view *row;       /* breach/reminder/resolved: the indicator */
	bool                   summary;
	const struct ind_view *rows;      /* summary: every row (NULL when none) */
	size_t                 nrows;
	const struct feed_alert *fa;      /* feed and store alerts, else NULL */
};

/* Appends the expansion of placeholder ph. */
static void
put_placeholder(struct strbuf *b, const struct tpl_ctx *c, enum ph ph)
{
	const struct indicator *ind = c->row ? c->row->ind : NULL;
	char tmp[256];
	size_t missed, nodata;

	switch (ph) {
	case PH_PERIOD:
		if (c->p) {
			fmt_period(tmp, sizeof(tmp), c->p);
			strbuf_puts(b, tmp);
		}
		return;
	case PH_PERIOD_ID:
		if (c->p && period_name(c->p, tmp, sizeof(tmp)) == 0)
			strbuf_puts(b, tmp);
		return;
	case PH_TABLE:
		if (c->summary)
			summary_table(b, c->rows, c->nrows);
		return;
	case PH_FEED:
	case PH_SINCE:
	case PH_FROM:
	case PH_TO:
	case PH_POLICY: {
		const char *v = !c->fa ? NULL : ph == PH_FEED ? c->fa->feed : ph == PH_SINCE ?
		    c->fa->since : ph == PH_FROM ? c->fa->from : ph == PH_TO ? c->fa->to :
		    c->fa->policy;

		if (v)
			strbuf_puts(b, v);
		return;
	}
	case PH_MISSED:
	case PH_COUNT:
	case PH_NODATA:
	case PH_OVERVIEW:
		if (!c->summary)
			return;
		summary_counts(c->rows, c->nrows, &missed, &nodata);
		if (ph == PH_OVERVIEW && c->p) {
			report_fmt_overview(tmp, sizeof(tmp), c->p, c->nrows, missed, nodata);
			strbuf_puts(b, tmp);
		} else if (ph != PH_OVERVIEW) {
			strbuf_printf(b, "%zu", ph == PH_MISSED ? missed : ph == PH_NODATA ? nodata : c->nrows);
		}
		return;
	default:
		break;
	}
	/* The rest are per indicator: empty in a summary or a test. */
	if (!ind)
		return;
	switch (ph) {
	case PH_TITLE:
		strbuf_puts(b, ind_title(ind));
		return;
	case PH_INDICATOR:
		strbuf_puts(b, ind->name ? ind->name : "");
		return;
	case PH_VALUE:
		fmt_value(tmp, sizeof(tmp), ind, &c->row->cur);
		break;
	case PH_TARGET:
		fmt_target(tmp, sizeof(tmp), ind);
		break;
	case PH_BASIS:
		report_fmt_basis_months(tmp, sizeof(tmp), ind, &c->row->cur, c->row->cur_monthly,
		                        c->row->ncur_monthly);
		break;
	case PH_PREVIOUS:
		fmt_previous(tmp, sizeof(tmp), c->row);
		break;
	case PH_STATUS:
		snprintf(tmp, sizeof(tmp), "%s", status_word(c->row->cur.met));
		break;
	default:
		return;
	}
	strbuf_puts(b, tmp);
}

/*
 * Expands tpl into b. A template that tpl_check would refuse (config
 * validates them, so only a programming error gets here) is not an
 * error: the offending brace is copied as it is.
 */
static void
expand(struct strbuf *b, const char *tpl, const struct tpl_ctx *c)
{
	size_t len = strlen(tpl), i = 0, next;
	int tok;

	while (i < len) {
		tok = tpl_token(tpl, len, i, &next);
		if (tok == -EINVAL) {
			strbuf_putc(b, tpl[i]);
			next = i + 1;
		} else if (tok == -2) {
			/* Literal text, or one brace of a doubled pair. */
			strbuf_putn(b, tpl + i, next - i == 2 && tpl[i] == tpl[i + 1] &&
			        (tpl[i] == '{' || tpl[i] == '}') ? 1 : next - i);
		} else {
			put_placeholder(b, c, (enum ph)tok);
		}
		i = next;
	}
}

/* Replaces control characters (a newline from a title, a tab) by spaces: a subject is one line. */
static void
flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			*s = ' ';
}

/*
 * Expands subject template ts (after template prefix, when not NULL) and
 * body template tb with c into *ret (the subject made one line). Returns
 * 0, or -ENOMEM (*ret untouched).
 */
static int
render_text(const char *prefix, const char *ts, const char *tb, const struct tpl_ctx *c,
            enum alert_kind kind, struct alert_text *ret)
{
	struct strbuf subj = { 0 }, body = { 0 };
	char *s, *t;
	int r;

	if (prefix)
		expand(&subj, prefix, c);
	expand(&subj, ts, c);
	expand(&body, tb, c);
	if ((r = strbuf_finish(&subj, &s, NULL)) < 0) {
		free(body.p);
		return r;
	}
	if ((r = strbuf_finish(&body, &t, NULL)) < 0) {
		free(s);
		return r;
	}
	flatten(s);
	*ret = (struct alert_text){ .subject = s, .body = t, .kind = kind };
	return 0;
}

/*
 * Renders the message of kind for period p (NULL allowed for a test):
 * the templates of ac (NULL: the defaults; a NULL subject or body in it:
 * that default). rows[0] is the indicator of a breach, reminder or
 * resolved; rows[0..nrows) the summarized indicators of a summary. The
 * subject is made one line. Returns 0 and *ret (free with
 * alert_text_done), -EINVAL for a kind out of range, -ENOMEM (*ret
 * untouched).
 */
int
alert_render(const struct alert_conf *ac, enum alert_kind kind, const struct period *p,
             const struct ind_view *rows, size_t nrows, struct alert_text *ret)
{
	struct tpl_ctx c = { .p = p };
	const char *ts, *tb, *prefix = NULL;

	if ((unsigned)kind >= AK__MAX)
		return -EINVAL;
	if (feed_kind(kind))
		return alert_render_feed(ac, kind, NULL, ret);
	if (kind == AK_SUMMARY) {
		c.summary = true;
		c.rows = rows;
		c.nrows = rows ? nrows : 0;
	} else if (kind != AK_TEST && rows && nrows > 0 && rows[0].ind) {
		c.row = &rows[0];
	}
	ts = ac && ac->tpl[kind].subject ? ac->tpl[kind].subject : default_subject[kind];
	tb = ac && ac->tpl[kind].body ? ac->tpl[kind].body : default_body[kind];
	if (kind == AK_SUMMARY) {
		size_t missed, nodata;

		summary_counts(c.rows, c.nrows, &missed, &nodata);
		if (c.nrows > 0 && nodata == c.nrows) {
			/* No data at all: never an all-clear, whatever the template says.
			 * config.c fills unset templates with copies of the defaults. */
			if (strcmp(ts, default_subject[kind]) == 0)
				ts = nodata_subject;
			else
				prefix = "Inga data för {period}: ";
			if (strcmp(tb, default_body[kind]) == 0)
				tb = nodata_body;
		}
	}
	return render_text(prefix, ts, tb, &c, kind, ret);
}

/* See message.h. */
int
alert_render_feed(const struct alert_conf *ac, enum alert_kind kind,
                  const struct feed_alert *fa, struct alert_text *ret)
{
	struct tpl_ctx c = { .fa = fa };
	const char *ts, *tb;

	if ((unsigned)kind >= AK__MAX || !feed_kind(kind))
		return -EINVAL;
	ts = ac && ac->tpl[kind].subject ? ac->tpl[kind].subject : feed_subject[kind];
	tb = ac && ac->tpl[kind].body ? ac->tpl[kind].body : feed_body[kind];
	return render_text(NULL, ts, tb, &c, kind, ret);
}

/* Frees what alert_render allocated and zeroes *t. Accepts NULL and a zeroed text. */
void
alert_text_done(struct alert_text *t)
{
	if (!t)
		return;
	free(t->subject);
	free(t->body);
	free(t->attach);
	free(t->attach_name);
	*t = (struct alert_text){ 0 };
}

#define SIGN_OFF "\nteleqd (automatiskt meddelande)\n"

/*
 * Puts paragraph text (one line, wrapped here) into t's body before its
 * sign-off (the last SIGN_OFF), else at its end. 0 or -ENOMEM (t unchanged).
 */
static int
add_paragraph(struct alert_text *t, const char *text)
{
	struct strbuf b = { 0 };
	const char *body = t->body ? t->body : "", *at = NULL, *p;
	char *wrapped, *nb;
	size_t cut;
	int r;

	if ((r = message_wrap(text, TABLE_WIDTH, 0, &wrapped)) < 0)
		return r;
	for (p = body; (p = strstr(p, SIGN_OFF)); p++)
		at = p;
	cut = at ? (size_t)(at - body) + 1 : strlen(body);
	strbuf_putn(&b, body, cut);
	if (cut > 0 && body[cut - 1] != '\n')
		strbuf_putc(&b, '\n');
	strbuf_puts(&b, wrapped);
	strbuf_puts(&b, "\n");
	if (at)
		strbuf_puts(&b, "\n");
	strbuf_puts(&b, body + cut);
	free(wrapped);
	if ((r = strbuf_finish(&b, &nb, NULL)) < 0)
		return r;
	free(t->body);
	t->body = nb;
	return 0;
}

/* See message.h. */
int
alert_attach(struct alert_text *t, const char *period_id, char *html, size_t len)
{
	char line[256];
	int r;

	if (!t || !period_id || !*period_id || strspn(period_id,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != strlen(period_id) ||
	    strlen(period_id) > 64) {
		free(html);
		return -EINVAL;
	}
	if (len > MAIL_ATTACH_MAX) {
		/* The outbox keeps the message in Redis: say where the document is instead. */
		free(html);
		snprintf(line, sizeof(line), "Uppföljningen (%zu kB) är för stor för att bifogas (högst %d kB); "
		         "skriv ut den med teleqctl report %s --format html.", (len + 1023) / 1024,
		         MAIL_ATTACH_MAX / 1024, period_id);
		return (r = add_paragraph(t, line)) < 0 ? r : -E2BIG;
	}
	free(t->attach_name);
	t->attach_name = NULL;
	if (!(t->attach_name = malloc(strlen(period_id) + 32))) {
		free(html);
		return -ENOMEM;
	}
	sprintf(t->attach_name, "uppfoljning-%s.html", period_id);
	free(t->attach);
	t->attach = html;
	t->attach_len = len;
	return 0;
}

/* See message.h. */
int
alert_add_missing(struct alert_text *t, const struct config *cfg, const bool *has_value)
{
	struct strbuf b = { 0 };
	size_t n = 0;
	char *line;
	int r;

	if (!t || !cfg || !has_value)
		return 0;
	strbuf_puts(&b, "Utan värde: ");
	for (size_t j = 0; j < cfg->nmanuals; j++) {
		const struct manual_ind *m = &cfg->manuals[j];

		if (has_value[j])
			continue;
		if (n++)
			strbuf_puts(&b, ", ");
		strbuf_puts(&b, m->title && *m->title ? m->title : m->name);
	}
	strbuf_putc(&b, '.');
	if ((r = strbuf_finish(&b, &line, NULL)) < 0)
		return r;
	r = n ? add_paragraph(t, line) : 0;
	free(line);
	return r;
}

/*
 * See message.h. The month to date as the body's "Utfall" (fmt_value) and
 * the projection in the same style (report_fmt_percent, signed for
 * growth), the method as the page and the report state it.
 */
int
alert_add_prognos(struct alert_text *t, const struct ind_view *row, const struct period *p,
                  const struct prognos *proj)
{
	char line[512], mtd[64], pv[64], pn[96];

	if (!t || !row || !row->ind || !p || !proj)
		return -EINVAL;
	if (!proj->has_value)
		return 0;
	fmt_value(mtd, sizeof(mtd), row->ind, &row->cur);
	fmt_pct(pv, sizeof(pv), proj->value, row->ind->kind == IND_GROWTH);
	fmt_period(pn, sizeof(pn), p);
	snprintf(line, sizeof(line), "Månaden hittills %s; prognos för %s: %s (%s).", mtd, pn, pv,
	         PROGNOS_METHOD_SV);
	return add_paragraph(t, line);
}

/* ============================================================= webhook */

/*
 * Appends s as a JSON string: '"' and '\\' escaped, every control
 * character (newline included) and DEL as \u00XX, invalid UTF-8 replaced
 * by U+FFFD so the document stays valid. NULL is written as null.
 */
static void
json_str(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i = 0;

	if (!s) {
		strbuf_puts(b, "null");
		return;
	}
	n = strlen(s);
	strbuf_putc(b, '"');
	while (i < n) {
		size_t k = u8_seq(p + i, n - i);

		if (k == 0) {
			strbuf_puts(b, "\xEF\xBF\xBD");
			i++;
		} else if (k > 1) {
			strbuf_putn(b, s + i, k);
			i += k;
		} else {
			if (p[i] == '"' || p[i] == '\\') {
				strbuf_putc(b, '\\');
				strbuf_putc(b, (char)p[i]);
			} else if (p[i] < 0x20 || p[i] == 0x7F) {
				strbuf_printf(b, "\\u%04x", p[i]);
			} else {
				strbuf_putc(b, (char)p[i]);
			}
			i++;
		}
	}
	strbuf_putc(b, '"');
}

/* A fraction as a JSON number with four decimals (the judged value), or null. */
static void
json_frac(struct strbuf *b, bool has, double v)
{
	double u = units4(v);

	if (!has || !isfinite(u)) {
		strbuf_puts(b, "null");
		return;
	}
	if (u == 0)
		/* cppcheck-suppress duplicateConditionalAssign ; -0.0 == 0: this makes it 0.0 */
		u = 0;  /* no "-0.0000" */
	strbuf_printf(b, "%.4f", u / 10000.0);
}

/* One indicator object of the payload. */
static void
json_row(struct strbuf *b, const struct ind_view *r)
{
	const struct indicator *ind = r->ind;

	strbuf_puts(b, "{\"name\":");
	json_str(b, ind->name);
	strbuf_puts(b, ",\"title\":");
	json_str(b, ind->title ? ind->title : ind->name);
	strbuf_puts(b, ",\"value\":");
	json_frac(b, r->cur.has_value, r->cur.value);
	strbuf_puts(b, ",\"target\":");
	json_frac(b, true, ind->target);
	strbuf_puts(b, ",\"cmp\":");
	json_str(b, cmp_symbol(ind->cmp));
	strbuf_printf(b, ",\"numerator\":%" PRId64 ",\"denominator\":%" PRId64 ",\"met\":%s",
	          r->cur.num, r->cur.den,
	          r->cur.met == 1 ? "true" : r->cur.met == 0 ? "false" : "null");
	strbuf_puts(b, ",\"previous_value\":");
	json_frac(b, r->prev.has_value, r->prev.value);
	strbuf_printf(b, ",\"previous_numerator\":%" PRId64 ",\"previous_denominator\":%" PRId64 "}",
	          r->prev.num, r->prev.den);
}

/*
 * The webhook JSON (contract and member list in message.h), compact, one
 * object: kind by name, period as its period_name ("2026-Q1") or null,
 * created as "2026-04-03T00:00:00Z", subject and text from t (null when t
 * or they are NULL), one indicator object per row (rows without an
 * indicator are skipped). Fractions carry four decimals; met is
 * true/false/null. Returns 0 with *ret (malloc'd, NUL-terminated) and
 * *ret_len (may be NULL); -EINVAL for a kind out of range; -ENOMEM.
 */
int
webhook_payload(const char *id, enum alert_kind kind, const struct period *p,
                int64_t created, const struct alert_text *t,
                const struct ind_view *rows, size_t nrows, char **ret, size_t *ret_len)
{
	struct strbuf b = { 0 };
	char name[48];
	int64_t y;
	unsigned mo, d, wd, h, mi, s;
	bool first = true;

	if ((unsigned)kind >= AK__MAX)
		return -EINVAL;
	civil_utc_parts(created, &y, &mo, &d, &wd, &h, &mi, &s);
	strbuf_puts(&b, "{\"id\":");
	json_str(&b, id);
	strbuf_puts(&b, ",\"kind\":");
	json_str(&b, alert_kind_name(kind));
	strbuf_puts(&b, ",\"period\":");
	json_str(&b, p && period_name(p, name, sizeof(name)) == 0 ? name : NULL);
	strbuf_printf(&b, ",\"created\":\"%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ\"", y, mo, d, h, mi, s);
	strbuf_puts(&b, ",\"subject\":");
	json_str(&b, t ? t->subject : NULL);
	strbuf_puts(&b, ",\"text\":");
	json_str(&b, t ? t->body : NULL);
	strbuf_puts(&b, ",\"indicators\":[");
	for (size_t i = 0; rows && i < nrows; i++) {
		if (!rows[i].ind)
			continue;
		if (!first)
			strbuf_putc(&b, ',');
		first = false;
		json_row(&b, &rows[i]);
	}
	strbuf_puts(&b, "]}");
	return strbuf_finish(&b, ret, ret_len);
}
