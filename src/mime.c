/*
 * mime.c — the RFC 5322 / MIME encoding of a rendered alert (message.c
 * renders the text; this file writes it as a message for sendmail -t):
 * From with a display name, To folded, Subject in RFC 2047 encoded words
 * when not plain ASCII, Date, Message-ID, Auto-Submitted and
 * X-Auto-Response-Suppress, the body in quoted-printable, and with an
 * attachment a multipart/mixed message with the HTML in base64. Pure: no
 * I/O; the message is malloc'd and owned by the caller.
 */
#include "core.h"
#include "alert.h"
#include "message.h"
#include "mime.h"
#include "strbuf.h"
#include "tq_config.h"
#include "tz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when s has a byte that must not appear in a header value (CR, LF, other controls). */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return true;
	return false;
}

/* True when id can be the left part of a Message-ID: printable ASCII, no specials. */
static bool
id_ok(const char *id)
{
	if (!id || !*id)
		return false;
	for (; *id; id++)
		if ((unsigned char)*id <= 0x20 || (unsigned char)*id >= 0x7F || strchr("<>@\"\\()[],;:", *id))
			return false;
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of s[0..n) with padding. */
static void
put_base64(struct strbuf *b, const unsigned char *s, size_t n)
{
	char q[4];

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = (char)(i + 1 < n ? b64[v >> 6 & 63] : '=');
		q[3] = (char)(i + 2 < n ? b64[v & 63] : '=');
		strbuf_putn(b, q, 4);
	}
}

/* Length of the character at s[0..n): a lead byte and its continuation bytes, at most 4. */
static size_t
char_len(const unsigned char *s, size_t n)
{
	size_t k = 1;

	while (k < n && k < 4 && (s[k] & 0xC0) == 0x80)
		k++;
	return k;
}

#define SUBJ_FIRST 39   /* bytes in the first word: "Subject: " + 64 = 73 columns */
#define SUBJ_NEXT  45   /* bytes in later words: " " + 72 = 73 columns; words <= 75 */

/*
 * Appends s[0..n) as RFC 2047 "=?UTF-8?B?...?=" words of at most 75
 * characters, the first after a space, each later one on its own line
 * (continuations start with a space, which decoders drop between adjacent
 * encoded words). A word holds whole characters only, so none splits a
 * UTF-8 sequence. Returns the column where the last line ends.
 */
static size_t
put_words(struct strbuf *b, const unsigned char *s, size_t n, size_t col)
{
	size_t i = 0;

	do {
		size_t cap = i == 0 ? SUBJ_FIRST : SUBJ_NEXT, w = 0, k;

		while (i + w < n && w + (k = char_len(s + i + w, n - i - w)) <= cap)
			w += k;
		strbuf_puts(b, i == 0 ? " =?UTF-8?B?" : "\n =?UTF-8?B?");
		put_base64(b, s + i, w);
		strbuf_puts(b, "?=");
		col = (i == 0 ? col : 0) + 1 + 12 + (w + 2) / 3 * 4;
		i += w;
	} while (i < n);
	return col;
}

/* True when s is printable ASCII only (a header may carry it as it is). */
static bool
printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
			return false;
	return true;
}

/*
 * Appends "Subject: ...\n". Printable ASCII that fits on one line (and has
 * no "=?" a reader could take for an encoded word) goes as it is; anything
 * else as encoded words (put_words).
 */
static void
put_subject(struct strbuf *b, const char *subject)
{
	size_t n = strlen(subject);

	strbuf_puts(b, "Subject:");
	if (n + 9 <= 78 && !strstr(subject, "=?") && printable_ascii(subject)) {
		strbuf_putc(b, ' ');
		strbuf_puts(b, subject);
	} else {
		put_words(b, (const unsigned char *)subject, n, 8);
	}
	strbuf_putc(b, '\n');
}

/*
 * Appends "From: ...\n": the bare address without a display name; with
 * one, "name <address>", the name a quoted string when it is printable
 * ASCII ('"' and '\\' escaped) and without "=?", else encoded words; the
 * address goes on a continuation line when it would pass 78 columns.
 */
static void
put_from(struct strbuf *b, const char *name, const char *addr)
{
	size_t col;

	strbuf_puts(b, "From:");
	if (!name || !*name) {
		strbuf_putc(b, ' ');
		strbuf_puts(b, addr);
		strbuf_putc(b, '\n');
		return;
	}
	if (printable_ascii(name) && !strstr(name, "=?")) {
		strbuf_puts(b, " \"");
		col = 7;
		for (const char *p = name; *p; p++, col++) {
			if (*p == '"' || *p == '\\') {
				strbuf_putc(b, '\\');
				col++;
			}
			strbuf_putc(b, *p);
		}
		strbuf_putc(b, '"');
		col++;
	} else {
		col = put_words(b, (const unsigned char *)name, strlen(name), 5);
	}
	strbuf_puts(b, col + 3 + strlen(addr) > 78 ? "\n <" : " <");
	strbuf_puts(b, addr);
	strbuf_puts(b, ">\n");
}

/* Appends "To: a, b, ..." folded after a comma before a line passes 78 columns. */
static void
put_to(struct strbuf *b, char *const *to, size_t nto)
{
	size_t col = 3;

	strbuf_puts(b, "To:");
	for (size_t i = 0; i < nto; i++) {
		size_t n = strlen(to[i]);

		if (i > 0)
			strbuf_putc(b, ',');
		if (i > 0 && col + 2 + n > 78) {
			strbuf_puts(b, "\n ");
			col = 1;
		} else {
			strbuf_putc(b, ' ');
			col += 2;
		}
		strbuf_puts(b, to[i]);
		col += n;
	}
	strbuf_putc(b, '\n');
}

#define QP_LINE 76

/*
 * Appends body as quoted-printable (RFC 2045): printable ASCII but "=" as
 * it is; "=", other bytes and a space or tab at the end of a line as "=XX";
 * encoded lines of at most 76 characters, longer ones broken with a soft
 * break "=". "\r\n" counts as a line end. A physical line starting
 * "From " or "." (also after a soft break) gets that first byte encoded,
 * so no mbox or SMTP transport mangles it.
 */
static void
put_qp(struct strbuf *b, const char *body)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p = body;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), col = 0;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			char tok[3];
			size_t tl;
			bool last = i + 1 == n;

			if (c == '=' || c > 0x7E || (c < 0x20 && c != '\t') || ((c == ' ' || c == '\t') && last)) {
				tok[0] = '=';
				tok[1] = hex[c >> 4];
				tok[2] = hex[c & 15];
				tl = 3;
			} else {
				tok[0] = (char)c;
				tl = 1;
			}
			/* The last token may fill the line; any other must leave room for "=". */
			if (col + tl > (last ? QP_LINE : QP_LINE - 1)) {
				strbuf_puts(b, "=\n");
				col = 0;
			}
			/* A physical line starting "." or "From " is encoded: transports mangle those. */
			if (col == 0 && tl == 1 && (c == '.' || (c == 'F' && strncmp(p + i, "From ", 5) == 0))) {
				tok[0] = '=';
				tok[1] = hex[c >> 4];
				tok[2] = hex[c & 15];
				tl = 3;
			}
			strbuf_putn(b, tok, tl);
			col += tl;
		}
		if (!nl)
			break;
		strbuf_putc(b, '\n');
		p = nl + 1;
	}
	/* The message ends with a line end either way. */
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		strbuf_putc(b, '\n');
}

/* The headers after Content-*: Auto-Submitted, X-Auto-Response-Suppress, X-Teleqd-Kind, blank line. */
static void
put_common(struct strbuf *b, const struct alert_text *t)
{
	strbuf_puts(b, "Auto-Submitted: auto-generated\n"
	         /* Exchange/Outlook: no out-of-office or other automatic replies */
	         "X-Auto-Response-Suppress: All\n"
	         "X-Teleqd-Kind: ");
	strbuf_puts(b, alert_kind_name(t->kind));
	strbuf_puts(b, "\n\n");
}

#define B64_LINE 76

/*
 * The rest of a multipart/mixed message after MIME-Version (mail_build):
 * the text part in quoted-printable, the attachment in base64 lines of
 * B64_LINE. The boundary starts "=_", which neither encoding writes (a
 * quoted-printable "=" is always "=XX" or a soft break, base64 has "="
 * only as padding at its end); it is checked against both parts anyway.
 */
static int
put_multipart(struct strbuf *b, const struct alert_text *t, char **ret, size_t *ret_len)
{
	struct strbuf text = { 0 }, att = { 0 };
	const unsigned char *h = (const unsigned char *)t->attach;
	char boundary[64];
	int r;

	put_qp(&text, t->body ? t->body : "");
	for (size_t i = 0; i < t->attach_len; i += B64_LINE / 4 * 3) {
		size_t n = t->attach_len - i < B64_LINE / 4 * 3 ? t->attach_len - i : B64_LINE / 4 * 3;

		put_base64(&att, h + i, n);
		strbuf_putc(&att, '\n');
	}
	if (text.err || att.err) {
		r = text.err ? text.err : att.err;
		goto out;
	}
	for (unsigned k = 0;; k++) {
		snprintf(boundary, sizeof(boundary), "=_teleqd_%08x", k * 2654435761u);
		if ((!text.p || !memmem(text.p, text.len, boundary, strlen(boundary))) &&
		    (!att.p || !memmem(att.p, att.len, boundary, strlen(boundary))))
			break;
	}
	strbuf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\n", boundary);
	put_common(b, t);
	strbuf_printf(b, "This is a multi-part message in MIME format.\n\n--%s\n"
	              "Content-Type: text/plain; charset=UTF-8\n"
	              "Content-Transfer-Encoding: quoted-printable\n\n", boundary);
	strbuf_putn(b, text.p, text.len);
	strbuf_printf(b, "\n--%s\n"
	              "Content-Type: text/html; charset=utf-8\n"
	              "Content-Transfer-Encoding: base64\n"
	              "Content-Disposition: attachment; filename=\"%s\"\n\n", boundary,
	              t->attach_name ? t->attach_name : "uppfoljning.html");
	if (att.p)
		strbuf_putn(b, att.p, att.len);
	strbuf_printf(b, "\n--%s--\n", boundary);
	free(text.p);
	free(att.p);
	return strbuf_finish(b, ret, ret_len);
out:
	free(text.p);
	free(att.p);
	free(b->p);
	return r;
}

/*
 * Builds the complete message for sendmail -t (contract in message.h):
 * From (with the display name ac->from_name, put_from), To, Subject, Date (date in UTC, "+0000"), Message-ID
 * <id@domain of From, else localhost>, MIME-Version, Content-Type,
 * Content-Transfer-Encoding, Auto-Submitted: auto-generated and
 * X-Auto-Response-Suppress: All (so auto-responders stay quiet), X-Teleqd-Kind, a blank line, the body in
 * quoted-printable. Returns 0 with *ret (malloc'd, NUL-terminated) and
 * *ret_len (may be NULL); -EINVAL without From or recipients, or when id,
 * an address, the display name or the subject holds CR, LF or another control character
 * (header injection), or id is not usable in a Message-ID; -ENOMEM.
 * The out-parameters are untouched on failure.
 */
int
mail_build(const struct alert_conf *ac, const char *id, int64_t date,
           const struct alert_text *t, char **ret, size_t *ret_len)
{
	static const char *const wdays[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mons[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct strbuf b = { 0 };
	const char *at, *domain;
	int64_t y;
	unsigned mo, d, wd, h, mi, s;

	if (!ac || !ac->from || !*ac->from || has_control(ac->from) ||
	    (ac->from_name && has_control(ac->from_name)) || ac->nto == 0 || !ac->to ||
	    !t || !t->subject || has_control(t->subject) || !id_ok(id))
		return -EINVAL;
	for (size_t i = 0; i < ac->nto; i++)
		if (!ac->to[i] || !*ac->to[i] || has_control(ac->to[i]))
			return -EINVAL;
	at = strrchr(ac->from, '@');
	domain = at && at[1] ? at + 1 : "localhost";
	civil_utc_parts(date, &y, &mo, &d, &wd, &h, &mi, &s);

	put_from(&b, ac->from_name, ac->from);
	put_to(&b, ac->to, ac->nto);
	put_subject(&b, t->subject);
	strbuf_printf(&b, "Date: %s, %02u %s %04" PRId64 " %02u:%02u:%02u +0000\n",
	          wdays[wd], d, mons[mo - 1], y, h, mi, s);
	strbuf_puts(&b, "Message-ID: <");
	strbuf_puts(&b, id);
	strbuf_putc(&b, '@');
	strbuf_puts(&b, domain);
	strbuf_puts(&b, ">\nMIME-Version: 1.0\n");
	if (t->attach)
		return put_multipart(&b, t, ret, ret_len);
	strbuf_puts(&b, "Content-Type: text/plain; charset=UTF-8\n"
	         "Content-Transfer-Encoding: quoted-printable\n");
	put_common(&b, t);
	put_qp(&b, t->body ? t->body : "");
	return strbuf_finish(&b, ret, ret_len);
}
