/*
 * fuzz_utf8.c — utf8_valid, to_utf8 (utf-8, windows-1252, iso-8859-1) and
 * utf8_width on arbitrary bytes.
 *
 * Invariants: utf8_valid agrees with a plain one-code-point-at-a-time
 * decoder written from RFC 3629 (no overlongs, no surrogates, nothing above
 * U+10FFFF, no truncated sequence), also on every suffix the 8-byte fast
 * path may start at; to_utf8 output is always valid UTF-8 and decodes back
 * to the input: iso-8859-1 byte for byte, windows-1252 the same outside
 * 0x80..0x9F and a non-C1 character inside it (0x80 is the euro sign);
 * windows-1252 fails exactly on its five undefined bytes; with one byte
 * less room the result is -ENOBUFS; utf8_width counts the code points.
 */
#include <errno.h>

#include "fuzz.h"
#include "utf8.h"

/*
 * Decodes one code point at p (n bytes available). Returns its length and
 * *cp, or 0 when the bytes there are not valid UTF-8.
 */
static size_t ref_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t need;
	uint32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		need = 2;
		v = p[0] & 0x1F;
		min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		need = 3;
		v = p[0] & 0x0F;
		min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		need = 4;
		v = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return need;
}

static bool ref_valid(const unsigned char *p, size_t n, size_t *ret_cps)
{
	size_t i = 0, cps = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = ref_decode(p + i, n - i, &cp)) == 0)
			return false;
		i += k;
		cps++;
	}
	if (ret_cps)
		*ret_cps = cps;
	return true;
}

static void check_convert(enum encoding enc, const unsigned char *in, size_t len)
{
	size_t cap = 3 * len;
	char *out = fuzz_utf8_out(len);
	bool undefined = false;
	ssize_t r;

	for (size_t i = 0; i < len; i++)
		if (fuzz_undefined_in(enc, in[i]))
			undefined = true;
	if (enc == ENC_UTF8)
		undefined = !ref_valid(in, len, NULL);
	r = to_utf8(enc, (const char *)in, len, out, cap);
	if (undefined) {
		FUZZ_CHECK(r == -EILSEQ);
		free(out);
		return;
	}
	FUZZ_CHECK(r >= 0 && (size_t)r <= cap);
	FUZZ_CHECK(utf8_valid(out, (size_t)r));
	if (enc == ENC_UTF8) {
		FUZZ_CHECK((size_t)r == len && memcmp(out, in, len) == 0);
	} else {
		/* Decode the output back: one code point per input byte. */
		size_t o = 0, i = 0, k;
		uint32_t cp;

		for (; i < len && o < (size_t)r; i++, o += k) {
			k = ref_decode((const unsigned char *)out + o, (size_t)r - o, &cp);
			FUZZ_CHECK(k > 0);
			if (enc == ENC_LATIN1 || in[i] < 0x80 || in[i] >= 0xA0)
				FUZZ_CHECK(cp == in[i]);
			else
				FUZZ_CHECK(cp >= 0x100 && (in[i] != 0x80 || cp == 0x20AC));
		}
		FUZZ_CHECK(i == len && o == (size_t)r);
	}
	if (r > 0) {
		char *small = malloc((size_t)r - 1 ? (size_t)r - 1 : 1);
		if (!small)
			abort();
		FUZZ_CHECK(to_utf8(enc, (const char *)in, len, small, (size_t)r - 1) == -ENOBUFS);
		free(small);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *z;
	size_t cps = 0;
	bool valid;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	s = fuzz_dup(data, size);
	valid = ref_valid(data, size, &cps);
	FUZZ_CHECK(utf8_valid(s, size) == valid);
	/* Every start position: the fast path sees other alignments and tails. */
	for (size_t off = 1; off < size && off < 16; off++)
		FUZZ_CHECK(utf8_valid(s + off, size - off) == ref_valid(data + off, size - off, NULL));
	check_convert(ENC_UTF8, data, size);
	check_convert(ENC_CP1252, data, size);
	check_convert(ENC_LATIN1, data, size);
	if (valid && !memchr(data, '\0', size)) {
		z = fuzz_strdup(data, size);
		FUZZ_CHECK(utf8_width(z) == cps);
		free(z);
	}
	free(s);
	return 0;
}
