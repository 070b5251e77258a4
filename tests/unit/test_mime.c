/*
 * test_mime.c — mime.c: the RFC 5322 message of an alert text (RFC 2047
 * subject and From display name, quoted-printable body and base64
 * attachment decoded back here), header folding, Auto-Submitted and
 * X-Auto-Response-Suppress, the multipart/mixed attachment, and header
 * injection refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "message.h"
#include "mime.h"
#include "strbuf.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"

#define DAY 86400

/* 2026-04-03 00:00:00 UTC, a Friday: when the Q1 summary goes out. */
static const int64_t Q1_DUE = (int64_t)20546 * DAY;

/* A Q1 summary text in the shape of alert_render's (test_message.c checks the rendering). */
#define SUMMARY_SUBJECT "Sammanfattning kvartal 1 2026: 1 av 3 indikatorer under målet"
#define SUMMARY_BODY \
	"Sammanfattning för kvartal 1 2026: 1 av 3 indikatorer under målet.\n" \
	"\n" \
	"- Digitala patientkontakter: 52 % (265 av 513), mål \xE2\x89\xA5 55 %, ej uppfyllt;\n" \
	"  i fjol 49 % (200 av 409)\n" \
	"- Ökning av patientärenden: +25 % (513 mot 409), mål > 5 %, uppfyllt\n" \
	"\n" \
	"teleqd (automatiskt meddelande)\n"

/* ---------------------------------------------------------------- helpers */

static int
b64val(char c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Decodes base64 s[0..n) (with padding) into out; returns the length. */
static size_t
b64dec(const char *s, size_t n, char *out)
{
	size_t o = 0;

	assert_int_equal(n % 4, 0);
	for (size_t i = 0; i < n; i += 4) {
		int v[4];

		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
		for (int k = 0; k < 4; k++)
			assert_true(v[k] >= 0);
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (s[i + 2] != '=')
			out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (s[i + 3] != '=')
			out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return o;
}

/* The value of header name in msg (unfolded, as written), malloc'd; NULL when absent. */
static char *
header(const char *msg, const char *name)
{
	size_t nl = strlen(name);
	const char *end = strstr(msg, "\n\n");

	for (const char *p = msg; p && p < end; p = strchr(p, '\n') + 1) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *q = p + nl + 1, *e = q;
			char *v;

			/* Runs to the first line that does not start with a space. */
			while ((e = strchr(e, '\n')) && e[1] == ' ')
				e++;
			v = strndup(q, (size_t)(e - q));
			assert_non_null(v);
			return v;
		}
	}
	return NULL;
}

/*
 * Decodes an RFC 2047 Subject value: encoded words "=?UTF-8?B?...?="
 * separated by folding whitespace (dropped between words), or plain text.
 * Checks each word's length and that each decodes to whole UTF-8.
 */
static void
decode_subject(const char *v, char *out)
{
	size_t o = 0;
	const char *p = v;

	while (*p == ' ')
		p++;
	if (strncmp(p, "=?", 2) != 0) {
		strcpy(out, p);
		return;
	}
	while (*p) {
		const char *e;
		size_t n;

		assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
		e = strstr(p + 10, "?=");
		assert_non_null(e);
		assert_true(e + 2 - p <= 75);
		n = b64dec(p + 10, (size_t)(e - p - 10), out + o);
		/* A word holds whole characters. */
		assert_true(utf8_valid(out + o, n));
		o += n;
		p = e + 2;
		while (*p == '\n' || *p == ' ')
			p++;
	}
	out[o] = '\0';
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a quoted-printable body, checking line lengths and encoding rules. */
static char *
decode_qp(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t o = 0;
	const char *p = s;

	assert_non_null(out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		bool soft = n > 0 && p[n - 1] == '=';

		if (n > 76)
			fail_msg("QP line of %zu: %.*s", n, (int)n, p);
		/* No trailing whitespace on an encoded line. */
		assert_false(n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'));
		for (size_t i = 0; i < n - soft; i++) {
			unsigned char c = (unsigned char)p[i];

			if (c == '=') {
				int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);

				assert_true(i + 2 < n - soft);
				assert_true(hi >= 0 && lo >= 0);
				out[o++] = (char)(hi << 4 | lo);
				i += 2;
			} else {
				/* Only printable ASCII and tab appear literally. */
				assert_true((c >= 0x20 && c <= 0x7E) || c == '\t');
				out[o++] = (char)c;
			}
		}
		if (!soft && nl)
			out[o++] = '\n';
		p += n + (nl != NULL);
	}
	out[o] = '\0';
	return out;
}

static struct alert_conf
mail_conf(void)
{
	static char *to[] = { "samordnare@region.example", "kansli@region.example" };

	return (struct alert_conf){ .enabled = true, .nto = 2, .to = to, .from = "teleqd@noreply.region.example" };
}


static void
test_mail_summary(void **state)
{
	struct alert_conf ac = mail_conf();
	struct alert_text t = { .subject = (char *)SUMMARY_SUBJECT, .body = (char *)SUMMARY_BODY,
	                        .kind = AK_SUMMARY };
	char *msg = NULL, *v, *body, subject[512];
	const char *sep;
	size_t len = 0;

	(void)state;
	assert_int_equal(days_from_civil(2026, 4, 3), 20546);
	assert_int_equal(mail_build(&ac, "2026-Q1-summary", Q1_DUE, &t, &msg, &len), 0);
	assert_int_equal(len, strlen(msg));
	assert_null(strchr(msg, '\r'));

	assert_true(strncmp(msg, "From: teleqd@noreply.region.example\n", 36) == 0);
	v = header(msg, "To");
	assert_string_equal(v, " samordnare@region.example, kansli@region.example");
	free(v);
	v = header(msg, "Date");
	assert_string_equal(v, " Fri, 03 Apr 2026 00:00:00 +0000");
	free(v);
	v = header(msg, "Message-ID");
	assert_string_equal(v, " <2026-Q1-summary@noreply.region.example>");
	free(v);
	assert_non_null(strstr(msg, "\nMIME-Version: 1.0\n"));
	assert_non_null(strstr(msg, "\nContent-Type: text/plain; charset=UTF-8\n"));
	assert_non_null(strstr(msg, "\nContent-Transfer-Encoding: quoted-printable\n"));
	assert_non_null(strstr(msg, "\nAuto-Submitted: auto-generated\n"));
	assert_non_null(strstr(msg, "\nX-Teleqd-Kind: summary\n\n"));

	/* Subject: encoded words that decode back to the Swedish text. */
	v = header(msg, "Subject");
	assert_non_null(strstr(v, "=?UTF-8?B?"));
	decode_subject(v, subject);
	assert_string_equal(subject, t.subject);
	assert_string_equal(subject, "Sammanfattning kvartal 1 2026: 1 av 3 indikatorer under målet");
	free(v);

	/* Header lines stay within 78 columns. */
	sep = strstr(msg, "\n\n");
	assert_non_null(sep);
	for (const char *p = msg; p < sep; p = strchr(p, '\n') + 1)
		assert_true(strchr(p, '\n') - p <= 78);

	/* The body: quoted-printable lines <= 76 that decode to the text. */
	body = decode_qp(sep + 2);
	assert_string_equal(body, t.body);
	free(body);
	assert_non_null(strstr(sep, "m=C3=A5l =E2=89=A5 55 %"));
	free(msg);
}

static void
test_mail_encoding_edges(void **state)
{
	struct alert_conf ac = mail_conf();
	char long_line[400], subj[600], got[1200], *msg, *v, *body;
	struct alert_text t = { .kind = AK_TEST };
	size_t n = 0;

	(void)state;
	/* ASCII that fits stays plain. */
	t.subject = "Testmeddelande";
	t.body = "Rad 1\n";
	assert_int_equal(mail_build(&ac, "x1", 0, &t, &msg, NULL), 0);
	assert_non_null(strstr(msg, "\nSubject: Testmeddelande\n"));
	assert_non_null(strstr(msg, "\nDate: Thu, 01 Jan 1970 00:00:00 +0000\n"));
	assert_non_null(strstr(msg, "\nX-Teleqd-Kind: test\n"));
	assert_non_null(strstr(msg, "\n\nRad 1\n"));
	free(msg);

	/* Long subjects of 2- and 3-byte characters: words never split a character. */
	for (int k = 0; k < 3; k++) {
		const char *ch = k == 0 ? "ö" : k == 1 ? "\xE2\x89\xA5" : "a\xC3\xA5";

		subj[0] = '\0';
		while (strlen(subj) < 500)
			strcat(subj, ch);
		t.subject = subj;
		assert_int_equal(mail_build(&ac, "x2", 0, &t, &msg, NULL), 0);
		v = header(msg, "Subject");
		decode_subject(v, got);
		assert_string_equal(got, subj);
		for (const char *p = msg; p < strstr(msg, "\n\n"); p = strchr(p, '\n') + 1)
			assert_true(strchr(p, '\n') - p <= 76);
		free(v);
		free(msg);
	}
	/* ASCII that would read as an encoded word, or is too long, is encoded too. */
	t.subject = "Pris =?x?= idag";
	assert_int_equal(mail_build(&ac, "x3", 0, &t, &msg, NULL), 0);
	v = header(msg, "Subject");
	decode_subject(v, got);
	assert_string_equal(got, t.subject);
	assert_null(strstr(v, "=?x?="));
	free(v);
	free(msg);

	/* Body: '=', trailing blanks, long lines without spaces, CRLF, a "From " line. */
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	for (size_t i = 77; i < sizeof(long_line) - 1; i += 81)
		long_line[i] = '=';
	snprintf(subj, sizeof(subj), "a=b \nslut med tab\t\n%s\n\nFrom here\n.\nåäö ÅÄÖ –≥\nsista", long_line);
	t.subject = "x";
	t.body = subj;
	assert_int_equal(mail_build(&ac, "x4", 0, &t, &msg, &n), 0);
	body = decode_qp(strstr(msg, "\n\n") + 2);
	/* The message always ends in a line end, so the decoded text gains one. */
	snprintf(got, sizeof(got), "%s\n", subj);
	assert_string_equal(body, got);
	assert_non_null(strstr(msg, "\n\na=3Db=20\nslut med tab=09\n"));
	assert_non_null(strstr(msg, "\n=46rom here\n=2E\n"));
	free(body);
	free(msg);

	/* A soft break right before "." still keeps the dot off the start of a line. */
	memset(long_line, 'x', 75);
	memcpy(long_line + 75, ".y", 3);
	t.body = long_line;
	assert_int_equal(mail_build(&ac, "x4", 0, &t, &msg, NULL), 0);
	assert_non_null(strstr(msg, "xxx=\n=2Ey\n"));
	body = decode_qp(strstr(msg, "\n\n") + 2);
	snprintf(got, sizeof(got), "%s\n", long_line);
	assert_string_equal(body, got);
	free(body);
	free(msg);

	/* CRLF line ends in the body become plain line ends. */
	t.body = "ett\r\ntvå\r\n";
	assert_int_equal(mail_build(&ac, "x5", 0, &t, &msg, NULL), 0);
	body = decode_qp(strstr(msg, "\n\n") + 2);
	assert_string_equal(body, "ett\ntvå\n");
	free(body);
	free(msg);

	/* Many recipients: the To line is folded after a comma. */
	{
		char *to[6] = { "a.person@region.example", "b.person@region.example", "c.person@region.example",
		                "d.person@region.example", "e.person@region.example", "f.person@region.example" };

		ac.to = to;
		ac.nto = 6;
		ac.from = "noreply";        /* no domain: Message-ID falls back to localhost */
		assert_int_equal(mail_build(&ac, "x6", 0, &t, &msg, NULL), 0);
		for (const char *p = msg; p < strstr(msg, "\n\n"); p = strchr(p, '\n') + 1)
			assert_true(strchr(p, '\n') - p <= 78);
		v = header(msg, "To");
		assert_non_null(strstr(v, ",\n "));
		assert_non_null(strstr(v, "f.person@region.example"));
		free(v);
		assert_non_null(strstr(msg, "\nMessage-ID: <x6@localhost>\n"));
		free(msg);
	}
}

static void
test_mail_header_injection(void **state)
{
	char *bad_to[] = { "samordnare@region.example", "x@y\nBcc: evil@example.com" };
	struct alert_text t = { .subject = "Ämne", .body = "text\n", .kind = AK_TEST };
	struct alert_conf ac = mail_conf();
	char *msg = (char *)"untouched";
	size_t len = 42;

	(void)state;
	assert_int_equal(mail_build(&ac, "id\nBcc: evil@example.com", 0, &t, &msg, &len), -EINVAL);
	assert_int_equal(mail_build(&ac, "id\r", 0, &t, &msg, &len), -EINVAL);
	assert_int_equal(mail_build(&ac, "id with space", 0, &t, &msg, &len), -EINVAL);
	assert_int_equal(mail_build(&ac, "", 0, &t, &msg, &len), -EINVAL);
	assert_int_equal(mail_build(&ac, NULL, 0, &t, &msg, &len), -EINVAL);
	t.subject = "Hej\r\nBcc: evil@example.com";
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), -EINVAL);
	t.subject = "Hej\n";
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), -EINVAL);
	t.subject = "Ämne";
	ac.from = "teleqd@region.example\rBcc: evil@example.com";
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), -EINVAL);
	ac = mail_conf();
	ac.to = bad_to;
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), -EINVAL);
	ac = mail_conf();
	ac.nto = 0;
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), -EINVAL);
	/* Nothing was written on failure. */
	assert_string_equal(msg, "untouched");
	assert_int_equal(len, 42);

	/* The body may hold anything: it is encoded, not a header. */
	ac = mail_conf();
	t.body = "Bcc: evil@example.com\r\n\r\n";
	assert_int_equal(mail_build(&ac, "id", 0, &t, &msg, &len), 0);
	assert_true(strstr(msg, "\nBcc:") > strstr(msg, "\n\n"));
	free(msg);
}

/*
 * From with a display name: a plain ASCII one as a quoted string, a
 * Swedish one RFC 2047-encoded (words of at most 75 characters, lines of
 * at most 78), none: the bare address; a control character: refused.
 * And the headers that keep auto-responders quiet.
 */
static void
test_mail_from_name(void **state)
{
	struct alert_conf ac = mail_conf();
	struct alert_text t = { .subject = "Test", .body = "Hej\n", .kind = AK_TEST };
	char *msg, *v, name[256];
	const char *lt, *sep;

	(void)state;
	ac.from_name = "Patientnämnden";
	assert_int_equal(mail_build(&ac, "n1", 0, &t, &msg, NULL), 0);
	v = header(msg, "From");
	assert_non_null(v);
	assert_non_null(strstr(v, "=?UTF-8?B?"));
	lt = strstr(v, " <teleqd@noreply.region.example>");
	assert_non_null(lt);
	assert_string_equal(lt, " <teleqd@noreply.region.example>");
	v[lt - v] = '\0';
	decode_subject(v, name);
	assert_string_equal(name, "Patientnämnden");
	free(v);
	assert_non_null(strstr(msg, "\nAuto-Submitted: auto-generated\n"));
	assert_non_null(strstr(msg, "\nX-Auto-Response-Suppress: All\n"));
	free(msg);

	/* ASCII: a quoted string, quotes and backslashes escaped */
	ac.from_name = "Patient \"Office\" \\ Region";
	assert_int_equal(mail_build(&ac, "n2", 0, &t, &msg, NULL), 0);
	assert_true(strncmp(msg, "From: \"Patient \\\"Office\\\" \\\\ Region\" "
	                         "<teleqd@noreply.region.example>\n", 60) == 0);
	free(msg);

	/* a long Swedish name: several words, every header line within 78 columns */
	ac.from_name = "Patientnämndens kansli för hälso- och sjukvården i Region Östergötland";
	assert_int_equal(mail_build(&ac, "n3", 0, &t, &msg, NULL), 0);
	sep = strstr(msg, "\n\n");
	for (const char *p = msg; p < sep; p = strchr(p, '\n') + 1)
		assert_true(strchr(p, '\n') - p <= 78);
	v = header(msg, "From");
	lt = strstr(v, "<teleqd@noreply.region.example>");
	assert_non_null(lt);
	v[lt - v] = '\0';
	decode_subject(v, name);
	/* decode_subject keeps a trailing folding blank of the address line: drop it */
	while (strlen(name) && name[strlen(name) - 1] == ' ')
		name[strlen(name) - 1] = '\0';
	assert_string_equal(name, ac.from_name);
	free(v);
	free(msg);

	/* none, or empty: the bare address */
	ac.from_name = "";
	assert_int_equal(mail_build(&ac, "n4", 0, &t, &msg, NULL), 0);
	assert_true(strncmp(msg, "From: teleqd@noreply.region.example\n", 36) == 0);
	free(msg);

	/* a line break in the name would inject a header */
	ac.from_name = "Patientnämnden\nBcc: evil@example.com";
	msg = NULL;
	assert_int_equal(mail_build(&ac, "n5", 0, &t, &msg, NULL), -EINVAL);
	assert_null(msg);
}

/* Decodes base64 lines s[0..n) (newlines skipped); malloc'd, *ret_len its length. */
static char *
decode_b64(const char *s, size_t n, size_t *ret_len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(n + 1);
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		const char *q;

		if (s[i] == '\n' || s[i] == '=')
			continue;
		q = strchr(a, s[i]);
		assert_non_null(q);
		acc = acc << 6 | (uint32_t)(q - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xFF);
		}
	}
	out[o] = '\0';
	*ret_len = o;
	return out;
}

static void
test_mail_attachment(void **state)
{
	struct alert_conf ac = mail_conf();
	struct alert_text t = { .subject = (char *)SUMMARY_SUBJECT, .body = (char *)SUMMARY_BODY,
	                        .kind = AK_SUMMARY, .attach_name = (char *)"uppfoljning-2026-Q1.html" };
	char *msg = NULL, *v, *html, *body, *dec, boundary[80], delim[96];
	const char *sep, *p1, *p2, *end, *q;
	size_t len, hlen = 0, dlen;
	struct strbuf hb = { 0 };

	(void)state;
	/* An HTML document longer than one base64 line, with Swedish letters. */
	strbuf_puts(&hb, "<!DOCTYPE html>\n<html lang=\"sv\"><body><h1>Verksamhetsuppföljning</h1>\n");
	for (int i = 0; i < 40; i++)
		strbuf_printf(&hb, "<p>Rad %d: 265 av 513 ärenden ger 52 %%.</p>\n", i);
	strbuf_puts(&hb, "</body></html>\n");
	assert_int_equal(strbuf_finish(&hb, &html, &hlen), 0);
	t.attach = html;
	t.attach_len = hlen;
	assert_int_equal(mail_build(&ac, "2026-Q1-summary", Q1_DUE, &t, &msg, &len), 0);
	assert_int_equal(len, strlen(msg));

	/* Headers: multipart/mixed with a quoted boundary, the rest as before. */
	v = header(msg, "Content-Type");
	assert_non_null(v);
	assert_true(sscanf(v, " multipart/mixed; boundary=\"%79[^\"]\"", boundary) == 1);
	free(v);
	assert_non_null(strstr(msg, "\nMIME-Version: 1.0\n"));
	assert_non_null(strstr(msg, "\nAuto-Submitted: auto-generated\n"));
	assert_non_null(strstr(msg, "\nX-Auto-Response-Suppress: All\n"));
	assert_non_null(strstr(msg, "\nX-Teleqd-Kind: summary\n"));
	v = header(msg, "Content-Transfer-Encoding");
	assert_null(v);         /* only in the parts */
	sep = strstr(msg, "\n\n");
	for (const char *p = msg; p < sep; p = strchr(p, '\n') + 1)
		assert_true(strchr(p, '\n') - p <= 78);

	/* Exactly two parts and the close delimiter; the boundary occurs nowhere else. */
	snprintf(delim, sizeof(delim), "\n--%s", boundary);
	p1 = strstr(sep, delim);
	assert_non_null(p1);
	p2 = strstr(p1 + 1, delim);
	assert_non_null(p2);
	end = strstr(p2 + 1, delim);
	assert_non_null(end);
	assert_true(strncmp(end + strlen(delim), "--\n", 3) == 0);
	assert_null(strstr(end + strlen(delim), boundary));
	for (q = strstr(msg, boundary), dlen = 0; q; q = strstr(q + 1, boundary))
		dlen++;
	assert_int_equal(dlen, 4);      /* the header and three delimiters */

	/* Part 1: the text, quoted-printable, decodes to the body. */
	p1 += strlen(delim) + 1;
	{
		static const char th[] = "Content-Type: text/plain; charset=UTF-8\n"
		                         "Content-Transfer-Encoding: quoted-printable\n\n";
		char *part;

		assert_true(strncmp(p1, th, sizeof(th) - 1) == 0);
		part = strndup(p1 + sizeof(th) - 1, (size_t)(p2 - (p1 + sizeof(th) - 1)));

		assert_non_null(part);
		body = decode_qp(part);
		assert_string_equal(body, t.body);
		free(body);
		free(part);
	}
	/* Part 2: the HTML, base64 in lines of at most 76, decodes to the document. */
	p2 += strlen(delim) + 1;
	assert_true(strncmp(p2, "Content-Type: text/html; charset=utf-8\n"
	                    "Content-Transfer-Encoding: base64\n"
	                    "Content-Disposition: attachment; filename=\"uppfoljning-2026-Q1.html\"\n\n",
	                    strlen("Content-Type: text/html; charset=utf-8\n"
	                    "Content-Transfer-Encoding: base64\n"
	                    "Content-Disposition: attachment; filename=\"uppfoljning-2026-Q1.html\"\n\n")) == 0);
	p2 = strstr(p2, "\n\n") + 2;
	for (q = p2; q < end; q = strchr(q, '\n') + 1)
		assert_true(strchr(q, '\n') - q <= 76);
	dec = decode_b64(p2, (size_t)(end - p2), &dlen);
	assert_int_equal(dlen, hlen);
	assert_memory_equal(dec, html, hlen);
	free(dec);
	free(html);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_summary),
		cmocka_unit_test(test_mail_encoding_edges),
		cmocka_unit_test(test_mail_header_injection),
		cmocka_unit_test(test_mail_from_name),
		cmocka_unit_test(test_mail_attachment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
