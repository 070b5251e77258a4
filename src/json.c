/*
 * json.c — strict single-pass RFC 8259 reader for one JSON object per line.
 *
 * Only the top-level members named by the caller are extracted; everything
 * else is validated and skipped without building any tree. Nesting is
 * tracked iteratively, so hostile input cannot grow the C stack. Strings
 * without escapes point into the line; escaped ones are decoded into the
 * caller's scratch at the same offset as their raw text, which keeps
 * strings apart without any bookkeeping (decoding never lengthens text).
 * Pure: no I/O, no allocation.
 */
#include <errno.h>
#include <string.h>
#include <stdint.h>

#include "parse.h"
#include "utf8.h"

/* Containers open at once, the top-level object included. */
#define JSON_MAX_DEPTH 64

struct jp {
	const unsigned char *s;
	size_t               len;
	size_t               i;         /* next byte to read */
	char                *scratch;   /* len bytes; NULL when nothing is extracted */
};

static inline void
skip_ws(struct jp *jp)
{
	while (jp->i < jp->len) {
		unsigned char c = jp->s[jp->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		jp->i++;
	}
}

/* The byte at the read position, or -1 at the end. */
static inline int
peek(const struct jp *jp)
{
	return jp->i < jp->len ? jp->s[jp->i] : -1;
}

/*
 * Number of leading bytes among the 8 at p that need no closer look inside
 * a string (8 when none does); a byte needs one when it is '"', '\\', a
 * control byte < 0x20 or non-ASCII. Classic SWAR byte tests: each term's
 * lowest set bit marks its first match exactly (borrows only run upward),
 * which is all that is used here.
 */
static inline unsigned
plain_run8(const unsigned char *p)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t w, q, b, t;

	memcpy(&w, p, sizeof(w));
	q = w ^ (ones * '"');
	b = w ^ (ones * '\\');
	t = (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b) | w) & high;
	if (t == 0)
		return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(t) >> 3;
#else
	unsigned k = 0;
	while (p[k] >= 0x20 && p[k] < 0x80 && p[k] != '"' && p[k] != '\\')
		k++;
	return k;
#endif
}

/*
 * Length of the run of bytes at s[i..len) that a string holds as they are:
 * printable ASCII other than '"' and '\\'.
 */
static inline size_t
plain_span(const unsigned char *s, size_t i, size_t len)
{
	size_t j = i;

	while (len - j >= 8) {
		unsigned k = plain_run8(s + j);
		j += k;
		if (k < 8)
			return j - i;
	}
	while (j < len && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
		j++;
	return j - i;
}

/* Value of the 4 hex digits at p (at least 4 bytes readable), or -1. */
static int
hex4(const unsigned char *p)
{
	int v = 0;

	for (int k = 0; k < 4; k++) {
		unsigned char c = p[k];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Writes cp (a Unicode scalar value) as UTF-8 at out; returns its length. */
static size_t
put_utf8(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decodes the escape sequence whose backslash is at s[i]. Sets *ret_cp and
 * *ret_n (bytes consumed). Returns 0, -EBADMSG for an unknown or truncated
 * escape or \u0000 (a decoded NUL is refused like a raw one, so no value
 * handed out can hold a NUL), -EILSEQ for a lone surrogate.
 */
static int
decode_escape(const unsigned char *s, size_t len, size_t i,
              uint32_t *ret_cp, size_t *ret_n)
{
	int hi, lo;

	if (len - i < 2)
		return -EBADMSG;
	switch (s[i + 1]) {
	case '"':  *ret_cp = '"';  break;
	case '\\': *ret_cp = '\\'; break;
	case '/':  *ret_cp = '/';  break;
	case 'b':  *ret_cp = '\b'; break;
	case 'f':  *ret_cp = '\f'; break;
	case 'n':  *ret_cp = '\n'; break;
	case 'r':  *ret_cp = '\r'; break;
	case 't':  *ret_cp = '\t'; break;
	case 'u':
		if (len - i < 6 || (hi = hex4(s + i + 2)) < 0)
			return -EBADMSG;
		if (hi == 0)
			return -EBADMSG;
		if (hi >= 0xDC00 && hi <= 0xDFFF)
			return -EILSEQ;
		if (hi < 0xD800 || hi > 0xDBFF) {
			*ret_cp = (uint32_t)hi;
			*ret_n = 6;
			return 0;
		}
		/* A high surrogate counts only with a low one right after it. */
		if (len - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u')
			return -EILSEQ;
		if ((lo = hex4(s + i + 8)) < 0)
			return -EBADMSG;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return -EILSEQ;
		*ret_cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
		*ret_n = 12;
		return 0;
	default:
		return -EBADMSG;
	}
	*ret_n = 2;
	return 0;
}

/*
 * The general case of parse_string, entered at s[i] (after the string's
 * opening quote at start - 1 and a run of plain bytes) when that byte is
 * not a plain closing quote: an escape, a non-ASCII byte, a control byte,
 * or the end of the line. Same contract as parse_string.
 */
static int
parse_string_slow(struct jp *jp, bool want, struct fieldv *ret, size_t start, size_t i)
{
	const unsigned char *s = jp->s;
	size_t len = jp->len;
	size_t seg = start;             /* first raw byte not yet copied to scratch */
	size_t o = start;               /* next scratch byte; never passes i */
	bool escaped = false, high = false;

	for (;;) {
		while (len - i >= 8) {
			unsigned k = plain_run8(s + i);
			i += k;
			if (k < 8)
				break;
		}
		if (i >= len)
			return -EBADMSG;

		unsigned char c = s[i];
		if (c == '"')
			break;
		if (c == '\\') {
			uint32_t cp;
			size_t n;
			int r = decode_escape(s, len, i, &cp, &n);
			if (r < 0)
				return r;
			if (want) {
				unsigned char *sc = (unsigned char *)jp->scratch;
				memcpy(sc + o, s + seg, i - seg);
				o += i - seg;
				o += put_utf8(sc + o, cp);
			}
			escaped = true;
			i += n;
			seg = i;
			continue;
		}
		if (c < 0x20)
			return -EBADMSG;
		if (c >= 0x80)
			high = true;
		i++;
	}
	/* Escapes are ASCII, so checking the raw span checks the raw bytes. */
	if (high && !utf8_valid((const char *)s + start, i - start))
		return -EILSEQ;

	if (want) {
		if (escaped) {
			memcpy(jp->scratch + o, s + seg, i - seg);
			o += i - seg;
			ret->p = jp->scratch + start;
			ret->len = o - start;
		} else {
			ret->p = (const char *)s + start;
			ret->len = i - start;
		}
	}
	jp->i = i + 1;
	return 0;
}

/*
 * Reads the string whose opening quote is at the read position and leaves
 * the position after its closing quote. With want, *ret is its decoded
 * value: pointing into s when it has no escape, else into scratch at the
 * string's own offset. Returns 0, -EBADMSG (unterminated, raw control
 * byte, bad escape), -EILSEQ (invalid UTF-8, lone surrogate escape).
 */
static inline int
parse_string(struct jp *jp, bool want, struct fieldv *ret)
{
	const unsigned char *s = jp->s;
	size_t len = jp->len, start = jp->i + 1, i = start;

	/*
	 * Fast path, inlined: printable ASCII up to the closing quote, the
	 * common case of keys and values alike. It points into the line; all
	 * else (escapes, non-ASCII, errors, the end of the line) goes to the
	 * general loop, which resumes at the first byte not taken here.
	 */
	i += plain_span(s, i, len);
	if (i < len && s[i] == '"') {
		if (want) {
			ret->p = (const char *)s + start;
			ret->len = i - start;
		}
		jp->i = i + 1;
		return 0;
	}
	return parse_string_slow(jp, want, ret, start, i);
}

static inline bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Reads a number per the RFC 8259 grammar. Returns 0 or -EBADMSG. */
static int
parse_number(struct jp *jp)
{
	if (peek(jp) == '-')
		jp->i++;
	if (peek(jp) == '0')
		jp->i++;                /* no leading zeros: "01" fails at the caller */
	else if (is_digit(peek(jp)))
		while (is_digit(peek(jp)))
			jp->i++;
	else
		return -EBADMSG;

	if (peek(jp) == '.') {
		jp->i++;
		if (!is_digit(peek(jp)))
			return -EBADMSG;
		while (is_digit(peek(jp)))
			jp->i++;
	}
	if (peek(jp) == 'e' || peek(jp) == 'E') {
		jp->i++;
		if (peek(jp) == '+' || peek(jp) == '-')
			jp->i++;
		if (!is_digit(peek(jp)))
			return -EBADMSG;
		while (is_digit(peek(jp)))
			jp->i++;
	}
	return 0;
}

/* Reads the literal word (true/false/null). Returns 0 or -EBADMSG. */
static int
parse_literal(struct jp *jp, const char *word, size_t n)
{
	if (jp->len - jp->i < n || memcmp(jp->s + jp->i, word, n) != 0)
		return -EBADMSG;
	jp->i += n;                     /* "nulls" fails at the caller, on the 's' */
	return 0;
}

/*
 * Reads a string, number or literal at the read position. With want, *ret
 * is the value: decoded string, raw text of a number or true/false, absent
 * for null. Returns 0, -EBADMSG (also for anything that is no scalar, such
 * as '{'), -EILSEQ.
 */
static int
parse_scalar(struct jp *jp, bool want, struct fieldv *ret)
{
	size_t start = jp->i;
	int r;

	switch (peek(jp)) {
	case '"':
		return parse_string(jp, want, ret);
	case 't':
		r = parse_literal(jp, "true", 4);
		break;
	case 'f':
		r = parse_literal(jp, "false", 5);
		break;
	case 'n':
		r = parse_literal(jp, "null", 4);
		if (r == 0 && want) {
			ret->p = NULL;
			ret->len = 0;
		}
		return r;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		r = parse_number(jp);
		break;
	default:
		return -EBADMSG;
	}
	if (r == 0 && want) {
		ret->p = (const char *)jp->s + start;
		ret->len = jp->i - start;
	}
	return r;
}

/* Reads `"key" :` of an object member, leaving the position at the value. */
static int
member_key(struct jp *jp, bool want, struct fieldv *ret)
{
	int r;

	skip_ws(jp);
	if (peek(jp) != '"')
		return -EBADMSG;
	if ((r = parse_string(jp, want, ret)) < 0)
		return r;
	skip_ws(jp);
	if (peek(jp) != ':')
		return -EBADMSG;
	jp->i++;
	skip_ws(jp);
	return 0;
}

/*
 * Validates and skips one value of any kind found inside depth open
 * containers (>= 1). Iterative, with one byte per open container, so the
 * depth limit bounds memory instead of the C stack. Returns 0, -EBADMSG
 * (also when more than JSON_MAX_DEPTH containers would be open), -EILSEQ.
 */
static int
skip_value(struct jp *jp, unsigned depth)
{
	char close[JSON_MAX_DEPTH];     /* closing bracket of each container opened here */
	unsigned d = 0;
	int r;

	for (;;) {
		/* A value is expected. */
		skip_ws(jp);
		int c = peek(jp);
		if (c == '{' || c == '[') {
			if (depth + d >= JSON_MAX_DEPTH)
				return -EBADMSG;
			close[d++] = c == '{' ? '}' : ']';
			jp->i++;
			skip_ws(jp);
			if (peek(jp) == close[d - 1]) {
				jp->i++;
				d--;
			} else {
				if (c == '{' && (r = member_key(jp, false, NULL)) < 0)
					return r;
				continue;
			}
		} else if ((r = parse_scalar(jp, false, NULL)) < 0) {
			return r;
		}

		/* A value ended: close containers until one goes on with ','. */
		for (;;) {
			if (d == 0)
				return 0;
			skip_ws(jp);
			c = peek(jp);
			if (c == ',') {
				jp->i++;
				if (close[d - 1] == '}' && (r = member_key(jp, false, NULL)) < 0)
					return r;
				break;
			}
			if (c != close[d - 1])
				return -EBADMSG;
			jp->i++;
			d--;
		}
	}
}

/*
 * True when the C string name equals key[0..klen) (which may hold NULs).
 * Bytewise, stopping at the first difference: most names differ from a
 * key in its first byte, which costs less than measuring every name's
 * length for each line.
 */
static inline bool
key_eq(const char *name, const char *key, size_t klen)
{
	if (!name)
		return false;
	for (size_t k = 0; k < klen; k++)
		if (name[k] == '\0' || name[k] != key[k])
			return false;
	return name[klen] == '\0';
}

/*
 * The usual shape of a member, read in one go: "key":"value" right at
 * s[i], both strings printable ASCII without escapes, no whitespace, and
 * ',' or '}' right after. Returns the position of that ',' or '}', with
 * *key and *val pointing into s; 0 for any other shape, and then nothing
 * is consumed: the general path reads the member (and reports any error).
 * What this accepts, the general path reads the same way; this one keeps
 * the position in a register and makes no calls.
 */
static inline size_t
plain_member(const unsigned char *s, size_t len, size_t i,
             struct fieldv *key, struct fieldv *val)
{
	size_t k0 = i + 1, kl, v0, vl;

	if (i >= len || s[i] != '"')
		return 0;
	kl = plain_span(s, k0, len);
	i = k0 + kl;
	if (len - i < 3 || s[i] != '"' || s[i + 1] != ':' || s[i + 2] != '"')
		return 0;
	v0 = i + 3;
	vl = plain_span(s, v0, len);
	i = v0 + vl;
	if (len - i < 2 || s[i] != '"' || (s[i + 1] != ',' && s[i + 1] != '}'))
		return 0;
	*key = (struct fieldv){ (const char *)s + k0, kl };
	*val = (struct fieldv){ (const char *)s + v0, vl };
	return i + 1;
}

/*
 * Reads the members of the top-level object whose '{' was just consumed,
 * storing the values of members named in names[] (last duplicate wins).
 */
static int
parse_top_object(struct jp *jp, const char *const *names, size_t nnames,
                 struct fieldv *out)
{
	int r;

	skip_ws(jp);
	if (peek(jp) == '}') {
		jp->i++;
		return 0;
	}
	for (;;) {
		struct fieldv key = { NULL, 0 }, v = { NULL, 0 };
		size_t m = 0, end;
		int c;

		end = plain_member(jp->s, jp->len, jp->i, &key, &v);
		if (end > 0) {
			jp->i = end;
			while (m < nnames && !key_eq(names[m], key.p, key.len))
				m++;
		} else {
			if ((r = member_key(jp, nnames > 0, &key)) < 0)
				return r;
			while (m < nnames && !key_eq(names[m], key.p, key.len))
				m++;
			c = peek(jp);
			/* Containers have no text value: a wanted one counts as absent. */
			if (c == '{' || c == '[')
				r = skip_value(jp, 1);
			else
				r = parse_scalar(jp, m < nnames, &v);
			if (r < 0)
				return r;
		}
		for (size_t k = m; k < nnames; k++)
			if (k == m || key_eq(names[k], key.p, key.len))
				out[k] = v;

		skip_ws(jp);
		c = peek(jp);
		if (c != ',' && c != '}')
			return -EBADMSG;
		jp->i++;
		if (c == '}')
			return 0;
	}
}

/*
 * Parses s[0..len), which must be exactly one JSON object (RFC 8259)
 * with optional whitespace around it. For each top-level member whose key
 * (after unescaping) equals names[i], out[i] is its value: a string
 * decoded (into s when it has no escape, else into scratch, which must
 * hold len bytes and may be NULL when nnames is 0), the raw text of a
 * number, true or false; absent (p NULL) for null, an object or an array.
 * A duplicate key's last value wins. Other members and nested values are
 * validated and skipped; at most JSON_MAX_DEPTH (64) containers may be
 * open at once, the top-level object included.
 * Returns 0, -EBADMSG (not one valid JSON object, a NUL byte anywhere,
 * a \u0000 escape, too deep), -EILSEQ (invalid UTF-8 in a string, a lone
 * surrogate escape). The first error in reading order is reported. On
 * failure every out[i] is absent.
 */
int json_extract(const char *s, size_t len, const char *const *names, size_t nnames,
                 char *scratch, struct fieldv *out)  /* NOLINT(readability-non-const-parameter): written through jp.scratch */
{
	struct jp jp = { (const unsigned char *)s, len, 0, scratch };
	int r;

	for (size_t k = 0; k < nnames; k++)
		out[k] = (struct fieldv){ NULL, 0 };

	if (len == 0 || memchr(s, '\0', len))
		return -EBADMSG;

	skip_ws(&jp);
	if (peek(&jp) != '{')
		return -EBADMSG;
	jp.i++;
	r = parse_top_object(&jp, names, nnames, out);
	if (r == 0) {
		skip_ws(&jp);
		if (jp.i != len)
			r = -EBADMSG;
	}
	if (r < 0)
		for (size_t k = 0; k < nnames; k++)
			out[k] = (struct fieldv){ NULL, 0 };
	return r;
}
