/*
 * csv.c — record framing and field splitting for TeleQ call logs.
 *
 * Quoting follows RFC 4180 ("" inside a quoted field is one quote), with
 * the usual leniency for hand-made exports: a quote that does not start a
 * field is an ordinary character, in framing as in splitting. Fields point into the record whenever
 * they need no unescaping, so a typical unquoted line is split without
 * copying a byte. Pure: no I/O, no allocation.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <stdbool.h>

#include "parse.h"

/*
 * Length of the first complete record in buf[0..len), including its '\n';
 * 0 when no complete record is in buf yet. Framing follows csv_split: a
 * quote opens a quoted field only at the start of a field (the record's
 * start or just after delim), where a '\n' does not end the record; a quote
 * anywhere else is an ordinary character. A quoted field must close with a
 * quote followed by delim, "\r\n" or '\n'. When it does not (text after
 * the closing quote), the record cannot be split anyway, and it is framed
 * as its first line alone: the caller rejects that line and the lines after
 * it are read as records of their own, so one malformed line never takes
 * good ones with it. quote 0 (or '\n') disables quoting.
 */
size_t
csv_record_len(const char *buf, size_t len, char delim, char quote)
{
	const char *p = buf, *end = buf + len, *first_nl = NULL, *nl, *q;

	if (quote == 0 || quote == '\n' || quote == delim) {
		nl = len ? memchr(buf, '\n', len) : NULL;
		return nl ? (size_t)(nl - buf) + 1 : 0;
	}
	for (;;) {
		/* p is at the start of a field. */
		if (p < end && *p == quote) {
			for (p++;; p++) {
				q = memchr(p, quote, (size_t)(end - p));
				if (!first_nl)
					first_nl = memchr(p, '\n', (size_t)((q ? q : end) - p));
				if (!q || q + 1 == end)
					return 0;       /* the closing quote or what follows is to come */
				p = q + 1;
				if (*p != quote)
					break;
				/* A doubled quote: go on after it. */
			}
			if (*p == '\r') {
				if (p + 1 == end)
					return 0;
				if (p[1] == '\n')
					p++;
			}
			if (*p == '\n')
				return (size_t)(p - buf) + 1;
			if (*p != delim) {
				/* Text after the closing quote: malformed. */
				if (!first_nl)
					first_nl = memchr(p, '\n', (size_t)(end - p));
				return first_nl ? (size_t)(first_nl - buf) + 1 : 0;
			}
			p++;
			continue;
		}
		/* Unquoted territory to the end of the line: every delimiter ends
		 * a field, so a quote opens one only right after a delimiter. Most
		 * lines hold no quote: two memchr settle them. */
		nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		for (q = memchr(p, quote, (size_t)(stop - p)); q && q[-1] != delim;
		     q = memchr(q + 1, quote, (size_t)(stop - q - 1)))
			;
		if (!q)
			return nl ? (size_t)(nl - buf) + 1 : 0;
		p = q;
	}
}

/*
 * Reads the quoted field whose opening quote is at rec[*pos]. On success
 * *f is the field's content (pointing into rec when it holds no doubled
 * quote, else unescaped into scratch at *sp, which advances), and *pos is
 * just after the closing quote, at the delimiter or the end. Returns 0 or
 * -EBADMSG for an unterminated quote or text between the closing quote and
 * the delimiter.
 */
static int
split_quoted(const char *rec, size_t len, size_t *pos, char delim, char quote,
             char *scratch, size_t *sp, struct fieldv *f)
{
	size_t i = *pos + 1, start = *sp;
	bool copied = false;

	for (;;) {
		const char *q = memchr(rec + i, quote, len - i);
		if (!q)
			return -EBADMSG;
		size_t qi = (size_t)(q - rec);

		if (qi + 1 < len && rec[qi + 1] == quote) {
			/* Keep the text and one of the two quotes. */
			memcpy(scratch + *sp, rec + i, qi + 1 - i);
			*sp += qi + 1 - i;
			copied = true;
			i = qi + 2;
			continue;
		}
		if (copied) {
			memcpy(scratch + *sp, rec + i, qi - i);
			*sp += qi - i;
			f->p = scratch + start;
			f->len = *sp - start;
		} else {
			f->p = rec + i;
			f->len = qi - i;
		}
		i = qi + 1;
		break;
	}
	if (i < len && rec[i] != delim)
		return -EBADMSG;
	*pos = i;
	return 0;
}

/*
 * Splits one record (terminator and trailing '\r' already removed) into
 * out[0..max). A field starting with quote is quoted: it may hold the
 * delimiter, '\n' and doubled quotes, and must be followed by the delimiter
 * or the end. Other fields run to the next delimiter, quotes included.
 * quote 0 disables quoting. Every field gets a non-NULL p; unescaped
 * quoted fields live in scratch (len bytes always suffice; it is not
 * touched when no field has a doubled quote), all others point into rec.
 * Returns the number of fields (>= 1; an empty record is one empty field),
 * -EBADMSG on malformed quoting, -E2BIG when there are more than max fields,
 * -EINVAL when delim equals quote. On failure out[] holds garbage.
 */
int
csv_split(const char *rec, size_t len, char delim, char quote, char *scratch,
          struct fieldv *out, size_t max)
{
	size_t i = 0, n = 0, sp = 0;

	if (delim == quote)
		return -EINVAL;
	if (max > INT_MAX)
		max = INT_MAX;          /* the count must fit in the return type */
	if (!rec)
		rec = "";               /* only legal with len 0; fields must be non-NULL */

	for (;;) {
		if (n == max)
			return -E2BIG;
		struct fieldv *f = &out[n++];

		if (quote != 0 && i < len && rec[i] == quote) {
			int r = split_quoted(rec, len, &i, delim, quote, scratch, &sp, f);
			if (r < 0)
				return r;
		} else {
			const char *d = i < len ? memchr(rec + i, delim, len - i) : NULL;
			size_t e = d ? (size_t)(d - rec) : len;

			f->p = rec + i;
			f->len = e - i;
			i = e;
		}
		if (i == len)
			return (int)n;
		i++;    /* the delimiter; a final one is followed by an empty field */
	}
}
