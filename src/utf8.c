/*
 * utf8.c — UTF-8 validation and conversion of 8-bit encodings to UTF-8.
 *
 * Runs on every line, so both functions skip ASCII eight bytes at a time
 * and only look at single bytes around non-ASCII text. Pure: no I/O, no
 * allocation.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <stdint.h>

#include "utf8.h"

#define HIGH_BITS UINT64_C(0x8080808080808080)

/*
 * Number of leading ASCII bytes among the 8 at p (8 when all are). p needs
 * no alignment. Jumping straight to the first non-ASCII byte keeps mixed
 * Swedish text from falling back to one byte at a time.
 */
static inline unsigned
ascii_run8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	w &= HIGH_BITS;
	if (w == 0)
		return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(w) >> 3;
#else
	unsigned k = 0;
	while (p[k] < 0x80)
		k++;
	return k;
#endif
}

static inline bool
is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/*
 * Length of the valid UTF-8 sequence starting with the non-ASCII byte at
 * p[0] (n bytes available), or 0 when it is invalid: a stray continuation
 * byte, an overlong form, a surrogate, a code point above U+10FFFF or a
 * truncated sequence. The second-byte ranges are those of Unicode 15,
 * table 3-7, which rule out overlongs, surrogates and > U+10FFFF in one
 * comparison each.
 */
static inline size_t
seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;

	if (c < 0xC2)           /* continuation byte, or C0/C1 (overlong 2-byte) */
		return 0;
	if (c < 0xE0)
		return n >= 2 && is_cont(p[1]) ? 2 : 0;
	if (c < 0xF0) {
		if (c == 0xE0)
			lo = 0xA0;      /* below would be an overlong 3-byte form */
		else if (c == 0xED)
			hi = 0x9F;      /* above would be U+D800..U+DFFF */
		return n >= 3 && p[1] >= lo && p[1] <= hi && is_cont(p[2]) ? 3 : 0;
	}
	if (c < 0xF5) {
		if (c == 0xF0)
			lo = 0x90;      /* below would be an overlong 4-byte form */
		else if (c == 0xF4)
			hi = 0x8F;      /* above would be > U+10FFFF */
		return n >= 4 && p[1] >= lo && p[1] <= hi && is_cont(p[2]) && is_cont(p[3])
		       ? 4 : 0;
	}
	return 0;               /* F5..FF never occur in UTF-8 */
}

/*
 * True when s[0..len) is valid UTF-8 as defined by RFC 3629: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence at the end. NUL bytes are valid (U+0000); rejecting
 * them is the caller's business. s may be NULL when len is 0.
 */
bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		if (len - i >= 8) {
			unsigned k = ascii_run8(p + i);
			i += k;
			if (k == 8)
				continue;
		} else if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* p[i] is non-ASCII here. */
		size_t n = seq_len(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/*
 * Windows-1252 0x80..0x9F as Unicode code points; 0 marks the five bytes
 * the code page leaves undefined (0x81 0x8D 0x8F 0x90 0x9D). 0xA0..0xFF
 * equal Latin-1 and need no table.
 */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,    /* 80 */
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,         /* 88 */
	0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,    /* 90 */
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,    /* 98 */
};

/* True when s[0..len) holds a byte that Windows-1252 leaves undefined. */
static bool
cp1252_has_undefined(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 0x80 && s[i] < 0xA0 && cp1252_c1[s[i] - 0x80] == 0)
			return true;
	return false;
}

/*
 * ENC_CP1252 / ENC_LATIN1 to UTF-8: each input byte becomes 1 to 3 output
 * bytes. Returns the output length, -EILSEQ for an undefined CP1252 byte,
 * -ENOBUFS when the output does not fit in cap (-EILSEQ wins when both
 * apply, so a caller's reject reason does not depend on its buffer size).
 */
static ssize_t
convert_8bit(bool cp1252, const unsigned char *in, size_t len,
             unsigned char *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < len) {
		if (len - i >= 8 && cap - o >= 8) {
			unsigned k = ascii_run8(in + i);
			/* Copying all 8 is cheaper than k; the rest is overwritten next. */
			memcpy(out + o, in + i, 8);
			i += k;
			o += k;
			if (k == 8)
				continue;
		}

		unsigned char c = in[i];
		uint32_t cp = c;

		if (c >= 0x80 && c < 0xA0 && cp1252) {
			cp = cp1252_c1[c - 0x80];
			if (cp == 0)
				return -EILSEQ;
		}

		size_t need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
		if (cap - o < need)
			return cp1252 && cp1252_has_undefined(in + i + 1, len - i - 1)
			       ? -EILSEQ : -ENOBUFS;

		switch (need) {
		case 1:
			out[o] = (unsigned char)cp;
			break;
		case 2:
			out[o]     = (unsigned char)(0xC0 | (cp >> 6));
			out[o + 1] = (unsigned char)(0x80 | (cp & 0x3F));
			break;
		default:
			out[o]     = (unsigned char)(0xE0 | (cp >> 12));
			out[o + 1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			out[o + 2] = (unsigned char)(0x80 | (cp & 0x3F));
			break;
		}
		o += need;
		i++;
	}
	return (ssize_t)o;
}

/*
 * Converts s[0..len) from enc to UTF-8 in out (cap bytes; 3*len always
 * suffices, len for ENC_UTF8). ENC_UTF8 validates (see utf8_valid) and
 * copies; ENC_LATIN1 maps every byte to U+0000..U+00FF; ENC_CP1252 maps
 * 0x80..0x9F to their Windows-1252 characters (0x80 -> U+20AC) and rejects
 * the five bytes it leaves undefined.
 * Returns the output length (out is not NUL-terminated), -EILSEQ for a byte
 * invalid in enc, -ENOBUFS when cap is too small (-EILSEQ takes precedence),
 * -EINVAL for an unknown enc. On failure out may hold a partial conversion.
 * s and out must not overlap.
 */
ssize_t
to_utf8(enum encoding enc, const char *s, size_t len, char *out, size_t cap)
{
	if (cap > SSIZE_MAX)
		cap = SSIZE_MAX;        /* the result must fit in the return type */

	switch (enc) {
	case ENC_UTF8:
		if (!utf8_valid(s, len))
			return -EILSEQ;
		if (len > cap)
			return -ENOBUFS;
		if (len > 0)
			memcpy(out, s, len);
		return (ssize_t)len;
	case ENC_CP1252:
	case ENC_LATIN1:
		return convert_8bit(enc == ENC_CP1252, (const unsigned char *)s, len,
		                    (unsigned char *)out, cap);
	}
	return -EINVAL;
}

/* Code points in s: bytes that are not continuation bytes (s assumed valid UTF-8). */
size_t
utf8_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}
