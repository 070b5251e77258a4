/*
 * csv.c — record framing and field splitting for TeleQ call logs.
 *
 * Quoting follows RFC 4180 ("" inside a quoted field is one quote), with
 * the usual leniency for hand-made exports: a quote that does not start a
 * field is an ordinary character. Fields point into the record whenever
 * they need no unescaping, so a typical unquoted line is split without
 * copying a byte. Pure: no I/O, no allocation.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "teleqd.h"

/*
 * Length of the first complete record in buf[0..len), including its '\n';
 * 0 when no complete record is in buf yet. With quote != 0, a '\n' preceded
 * by an odd number of quote characters in the record lies inside a quoted
 * field and does not end it. Counting quotes (instead of tracking field
 * starts, which needs the delimiter) agrees with csv_split on every record
 * whose quotes are balanced; a record with a stray unbalanced quote runs on
 * to the next line with a quote, and the caller's line limit bounds it.
 */
size_t csv_record_len(const char *buf, size_t len, char quote)
{
	const char *p = buf, *end = buf + len;
	bool inside = false;

	if (len == 0)
		return 0;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 0;
		/* Most lines hold no quote at all: one memchr settles them. */
		if (quote != 0 && quote != '\n')
			for (const char *q = p; (q = memchr(q, quote, (size_t)(nl - q))); q++)
				inside = !inside;
		if (!inside)
			return (size_t)(nl - buf) + 1;
		p = nl + 1;
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
static int split_quoted(const char *rec, size_t len, size_t *pos, char delim, char quote,
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
int csv_split(const char *rec, size_t len, char delim, char quote, char *scratch,
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
