/*
 * fuzz_csv.c — csv_record_len, csv_split and to_utf8 on CSV text.
 *
 * Input: byte 0 picks the dialect, the rest is a file's bytes.
 *   bits 0-1 delimiter  ; , \t |
 *   bits 2-3 quote      " ' none "
 *   bits 4-5 encoding   windows-1252, utf-8, iso-8859-1, windows-1252
 *   bits 6-7 max fields 512 (TQ_MAX_COLUMNS), 1, 3, 8
 * The file is framed into records as the feed does (csv_record_len, then the
 * '\n' and one '\r' before it stripped) and every record is split; a last
 * record without '\n' is split too.
 *
 * Invariants: csv_record_len agrees with a byte-by-byte reference state
 * machine; a record framed across lines always splits (never -EBADMSG:
 * framing only joins lines for a well-formed quoted field); csv_split
 * agrees with a reference splitter on the result, the field count and every
 * field's bytes, returns 1..max fields, and every field lies within the
 * record or the len bytes of scratch; without quoting the fields joined by
 * the delimiter are the record; to_utf8 of each field is valid UTF-8 of a
 * plausible length, fails exactly when the field holds a byte invalid in
 * the encoding, and with one byte less room says -ENOBUFS.
 */
#include <errno.h>

#include "fuzz.h"
#include "core.h"
#include "parse.h"
#include "utf8.h"

/*
 * Reference framing, a byte-at-a-time state machine written from the
 * contract in parse.h: a quote opens a quoted field only at a field start;
 * a closing quote must be followed by the delimiter, "\r\n" or '\n', else
 * the record is its first line alone.
 */
static size_t ref_record_len(const char *buf, size_t len, char delim, char quote)
{
	enum { START, PLAIN, QUOTED, CLOSED, CLOSED_CR, BAD } st = START;
	size_t first_nl = SIZE_MAX;
	bool quoting = quote != 0 && quote != '\n' && quote != delim;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n' && first_nl == SIZE_MAX)
			first_nl = i;
		if (!quoting) {
			if (c == '\n')
				return i + 1;
			continue;
		}
		switch (st) {
		case START:
		case PLAIN:
			if (c == '\n')
				return i + 1;
			if (c == delim)
				st = START;
			else if (st == START && c == quote)
				st = QUOTED;
			else
				st = PLAIN;
			break;
		case QUOTED:
			if (c == quote)
				st = CLOSED;
			break;
		case CLOSED:
			if (c == quote)
				st = QUOTED;            /* a doubled quote */
			else if (c == delim)
				st = START;
			else if (c == '\n')
				return i + 1;
			else if (c == '\r')
				st = CLOSED_CR;
			else
				st = BAD;
			break;
		case CLOSED_CR:
			if (c == '\n')
				return i + 1;
			st = BAD;
			break;
		case BAD:
			break;
		}
		if (st == BAD && first_nl != SIZE_MAX)
			return first_nl + 1;
	}
	return 0;
}

struct ref_field {
	size_t off, len;        /* into the reference's own copy buffer */
};

/*
 * Reference splitter, written independently of csv.c from the contract in
 * parse.h: fields are copied byte by byte into out (len bytes of room).
 */
static int ref_split(const char *rec, size_t len, char delim, char quote, char *out,
                     struct ref_field *f, size_t max)
{
	size_t i = 0, n = 0, o = 0;

	for (;;) {
		if (n == max)
			return -E2BIG;
		f[n].off = o;
		if (quote != 0 && i < len && rec[i] == quote) {
			i++;
			for (;;) {
				if (i >= len)
					return -EBADMSG;
				if (rec[i] == quote) {
					if (i + 1 < len && rec[i + 1] == quote) {
						out[o++] = quote;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				out[o++] = rec[i++];
			}
			if (i < len && rec[i] != delim)
				return -EBADMSG;
		} else {
			while (i < len && rec[i] != delim)
				out[o++] = rec[i++];
		}
		f[n].len = o - f[n].off;
		n++;
		if (i == len)
			return (int)n;
		i++;
	}
}

static void check_utf8(enum encoding enc, const char *p, size_t len)
{
	size_t cap = 3 * len;
	char *out = fuzz_utf8_out(len);
	bool bad = false;
	ssize_t r;

	if (enc == ENC_UTF8)
		bad = !utf8_valid(p, len);
	else
		for (size_t i = 0; i < len; i++)
			bad |= fuzz_undefined_in(enc, (unsigned char)p[i]);
	r = to_utf8(enc, p, len, out, cap);
	if (bad) {
		FUZZ_CHECK(r == -EILSEQ);
	} else {
		FUZZ_CHECK(r >= 0);
		FUZZ_CHECK((size_t)r >= len && (size_t)r <= cap);
		FUZZ_CHECK(enc != ENC_UTF8 || ((size_t)r == len && memcmp(out, p, len) == 0));
		FUZZ_CHECK(utf8_valid(out, (size_t)r));
		/* One byte less room: -ENOBUFS, never an overflow (ASan watches out). */
		if (r > 0) {
			char *small = malloc((size_t)r - 1 ? (size_t)r - 1 : 1);
			if (!small)
				abort();
			FUZZ_CHECK(to_utf8(enc, p, len, small, (size_t)r - 1) == -ENOBUFS);
			free(small);
		}
	}
	free(out);
}

static int check_record(const char *data, size_t len, char delim, char quote,
                         enum encoding enc, size_t max)
{
	/* Exact-size copies: ASan catches any read past the record or write past scratch. */
	char *rec = fuzz_dup((const uint8_t *)data, len);
	char *scratch = malloc(len ? len : 1);
	char *refbuf = malloc(len ? len : 1);
	struct fieldv *out = calloc(max, sizeof(*out));
	struct ref_field *rf = calloc(max, sizeof(*rf));
	int n, rn;

	if (!scratch || !refbuf || !out || !rf)
		abort();
	n = csv_split(rec, len, delim, quote, scratch, out, max);
	rn = ref_split(rec, len, delim, quote, refbuf, rf, max);
	FUZZ_CHECK(n == rn);
	FUZZ_CHECK(n == -EBADMSG || n == -E2BIG || (n >= 1 && (size_t)n <= max));
	FUZZ_CHECK(n != -EBADMSG || quote != 0);
	if (n > 0) {
		size_t total = 0;

		for (int k = 0; k < n; k++) {
			FUZZ_CHECK(out[k].p != NULL);
			FUZZ_CHECK(fuzz_within(out[k].p, out[k].len, rec, len) ||
			           fuzz_within(out[k].p, out[k].len, scratch, len));
			FUZZ_CHECK(out[k].len == rf[k].len);
			FUZZ_CHECK(memcmp(out[k].p, refbuf + rf[k].off, rf[k].len) == 0);
			total += out[k].len;
			check_utf8(enc, out[k].p, out[k].len);
		}
		/* Fields and the delimiters between them never exceed the record. */
		FUZZ_CHECK(total + (size_t)n - 1 <= len);
		if (quote == 0)
			FUZZ_CHECK(total + (size_t)n - 1 == len);
	}
	free(rf);
	free(out);
	free(refbuf);
	free(scratch);
	free(rec);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[4] = { ';', ',', '\t', '|' };
	static const char quotes[4] = { '"', '\'', 0, '"' };
	static const enum encoding encs[4] = { ENC_CP1252, ENC_UTF8, ENC_LATIN1, ENC_CP1252 };
	static const size_t maxes[4] = { TQ_MAX_COLUMNS, 1, 3, 8 };
	char delim, quote;
	enum encoding enc;
	size_t max, len, pos = 0;
	char *buf;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	delim = delims[data[0] & 3];
	quote = quotes[(data[0] >> 2) & 3];
	enc = encs[(data[0] >> 4) & 3];
	max = maxes[(data[0] >> 6) & 3];
	len = size - 1;
	buf = fuzz_dup(data + 1, len);

	while (pos < len) {
		size_t rest = len - pos;
		size_t rl = csv_record_len(buf + pos, rest, delim, quote);
		size_t rlen;

		FUZZ_CHECK(rl == ref_record_len(buf + pos, rest, delim, quote));
		FUZZ_CHECK(rl <= rest);
		if (rl == 0) {
			/* No complete record left: split the tail as it stands. */
			check_record(buf + pos, rest, delim, quote, enc, max);
			break;
		}
		FUZZ_CHECK(buf[pos + rl - 1] == '\n');
		rlen = rl - 1;
		if (rlen > 0 && buf[pos + rlen - 1] == '\r')
			rlen--;
		if (check_record(buf + pos, rlen, delim, quote, enc, max) == -EBADMSG)
			FUZZ_CHECK(!memchr(buf + pos, '\n', rlen));
		pos += rl;
	}
	FUZZ_CHECK(csv_record_len(buf, 0, delim, quote) == 0);
	free(buf);
	return 0;
}
