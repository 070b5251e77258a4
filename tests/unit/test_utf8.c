/* Unit tests for utf8.c: UTF-8 validation and CP1252/Latin-1 conversion. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

/* Validates an exact-size heap copy so ASan catches any read past the end. */
static bool valid(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	bool ok;

	assert_non_null(copy);
	if (len)
		memcpy(copy, s, len);
	ok = utf8_valid(copy, len);
	free(copy);
	return ok;
}
#define VALID(lit) valid(lit, sizeof(lit) - 1)

/* Converts into an exact-size output buffer; returns to_utf8's result. */
static ssize_t conv(enum encoding enc, const char *s, size_t len, char *out, size_t cap)
{
	char *in = malloc(len ? len : 1);
	char *o = malloc(cap ? cap : 1);
	ssize_t r;

	assert_non_null(in);
	assert_non_null(o);
	if (len)
		memcpy(in, s, len);
	r = to_utf8(enc, in, len, o, cap);
	if (r > 0)
		memcpy(out, o, (size_t)r);
	free(in);
	free(o);
	return r;
}

/* Asserts that lit in enc converts to exactly the UTF-8 bytes want. */
#define ASSERT_CONV(enc, lit, want) do {                                       \
	char out_[256];                                                        \
	ssize_t r_ = conv(enc, lit, sizeof(lit) - 1, out_, 3 * (sizeof(lit) - 1)); \
	assert_int_equal(r_, (ssize_t)(sizeof(want) - 1));                     \
	assert_memory_equal(out_, want, sizeof(want) - 1);                     \
} while (0)

static void test_valid_ascii_and_empty(void **state)
{
	assert_true(utf8_valid(NULL, 0));
	assert_true(VALID(""));
	assert_true(VALID("a"));
	assert_true(VALID("2026-03-05 08:15:02;Telefon;Bygglov;Inkommande"));
	/* NUL is U+0000; rejecting it is the caller's job. */
	assert_true(VALID("a\0b"));
	assert_true(VALID("\x7f"));
}

static void test_valid_multibyte(void **state)
{
	assert_true(VALID("\xc3\x96rebro"));                   /* Örebro */
	assert_true(VALID("G\xc3\xa4vle \xc3\xa5\xc3\xa4\xc3\xb6")); /* Gävle åäö */
	assert_true(VALID("\xe2\x82\xac"));                     /* € */
	assert_true(VALID("\xf0\x9f\x98\x80"));                 /* U+1F600 */
	/* The edges of every range in Unicode table 3-7. */
	assert_true(VALID("\xc2\x80"));                         /* U+0080 */
	assert_true(VALID("\xdf\xbf"));                         /* U+07FF */
	assert_true(VALID("\xe0\xa0\x80"));                     /* U+0800 */
	assert_true(VALID("\xed\x9f\xbf"));                     /* U+D7FF */
	assert_true(VALID("\xee\x80\x80"));                     /* U+E000 */
	assert_true(VALID("\xef\xbf\xbf"));                     /* U+FFFF */
	assert_true(VALID("\xf0\x90\x80\x80"));                 /* U+10000 */
	assert_true(VALID("\xf4\x8f\xbf\xbf"));                 /* U+10FFFF */
	assert_true(VALID("\xef\xbb\xbf"));                     /* a BOM is a valid character */
}

static void test_invalid_overlong(void **state)
{
	assert_false(VALID("\xc0\x80"));                        /* NUL as 2 bytes */
	assert_false(VALID("\xc0\xaf"));                        /* '/' as 2 bytes */
	assert_false(VALID("\xc1\xbf"));
	assert_false(VALID("\xe0\x80\x80"));
	assert_false(VALID("\xe0\x9f\xbf"));                    /* U+07FF as 3 bytes */
	assert_false(VALID("\xf0\x80\x80\x80"));
	assert_false(VALID("\xf0\x8f\xbf\xbf"));                /* U+FFFF as 4 bytes */
}

static void test_invalid_surrogates(void **state)
{
	assert_false(VALID("\xed\xa0\x80"));                    /* U+D800 */
	assert_false(VALID("\xed\xaf\xbf"));                    /* U+DBFF */
	assert_false(VALID("\xed\xb0\x80"));                    /* U+DC00 */
	assert_false(VALID("\xed\xbf\xbf"));                    /* U+DFFF */
	assert_false(VALID("\xed\xa0\xbd\xed\xb8\x80"));        /* CESU-8 pair */
}

static void test_invalid_above_max(void **state)
{
	assert_false(VALID("\xf4\x90\x80\x80"));                /* U+110000 */
	assert_false(VALID("\xf5\x80\x80\x80"));
	assert_false(VALID("\xf7\xbf\xbf\xbf"));
	assert_false(VALID("\xf8\x88\x80\x80\x80"));            /* old 5-byte form */
	assert_false(VALID("\xfc\x84\x80\x80\x80\x80"));        /* old 6-byte form */
	assert_false(VALID("\xfe"));
	assert_false(VALID("\xff"));
}

static void test_invalid_truncated_and_stray(void **state)
{
	assert_false(VALID("\xc3"));
	assert_false(VALID("\xe2\x82"));
	assert_false(VALID("\xf0\x9f\x98"));
	assert_false(VALID("abc\xc3"));                         /* truncated at the very end */
	assert_false(VALID("\xc3" "A"));                        /* continuation replaced by ASCII */
	assert_false(VALID("\xe2\x82" "A"));
	assert_false(VALID("\xf0\x9f\x98" "A"));
	assert_false(VALID("\x80"));                            /* stray continuation bytes */
	assert_false(VALID("\xbf"));
	assert_false(VALID("\xc3\x96\x96"));
	/* A CP1252 "Ö" handed in as if it were UTF-8. */
	assert_false(VALID("\xd6rebro"));
}

/* The ASCII fast path must hand over to the byte loop at every alignment. */
static void test_invalid_at_every_offset(void **state)
{
	char buf[40];

	for (size_t pos = 0; pos < 32; pos++) {
		memset(buf, 'x', sizeof(buf));
		buf[pos] = (char)0xff;
		assert_false(valid(buf, sizeof(buf)));
		assert_false(valid(buf, pos + 1));
		assert_true(valid(buf, pos));

		memset(buf, 'x', sizeof(buf));
		buf[pos] = (char)0xc3;
		buf[pos + 1] = (char)0x96;
		assert_true(valid(buf, sizeof(buf)));
		assert_false(valid(buf, pos + 1));              /* cut inside the sequence */
	}
}

static void test_to_utf8_utf8(void **state)
{
	char out[64];

	ASSERT_CONV(ENC_UTF8, "", "");
	ASSERT_CONV(ENC_UTF8, "plain ascii line, longer than eight", "plain ascii line, longer than eight");
	ASSERT_CONV(ENC_UTF8, "\xc3\x96stersund \xe2\x82\xac", "\xc3\x96stersund \xe2\x82\xac");
	assert_int_equal(conv(ENC_UTF8, "\xd6rebro", 6, out, sizeof(out)), -EILSEQ);
	assert_int_equal(conv(ENC_UTF8, "\xed\xa0\x80", 3, out, sizeof(out)), -EILSEQ);
	/* UTF-8 needs exactly len bytes. */
	assert_int_equal(conv(ENC_UTF8, "abcdef", 6, out, 6), 6);
	assert_int_equal(conv(ENC_UTF8, "abcdef", 6, out, 5), -ENOBUFS);
	assert_int_equal(conv(ENC_UTF8, "abc", 3, out, 0), -ENOBUFS);
	/* Invalid input is reported as such whatever the buffer size. */
	assert_int_equal(conv(ENC_UTF8, "abc\xff", 4, out, 1), -EILSEQ);
}

static void test_cp1252_swedish(void **state)
{
	ASSERT_CONV(ENC_CP1252, "\xd6", "\xc3\x96");                    /* Ö */
	ASSERT_CONV(ENC_CP1252, "\x80", "\xe2\x82\xac");                /* € */
	ASSERT_CONV(ENC_CP1252, "\xc5sa \xd6" "berg p\xe5 v\xe4g",
	            "\xc3\x85sa \xc3\x96" "berg p\xc3\xa5 v\xc3\xa4g");  /* Åsa Öberg på väg */
	ASSERT_CONV(ENC_CP1252, "Avgift 100 \x80 \x96 betald",
	            "Avgift 100 \xe2\x82\xac \xe2\x80\x93 betald");     /* € and en dash */
	ASSERT_CONV(ENC_CP1252, "2026-03-05;V\xe4xel;\xc4rende;Bygglov",
	            "2026-03-05;V\xc3\xa4xel;\xc3\x84rende;Bygglov");
}

static void test_cp1252_c1_range(void **state)
{
	ASSERT_CONV(ENC_CP1252, "\x82", "\xe2\x80\x9a");                /* ‚ U+201A */
	ASSERT_CONV(ENC_CP1252, "\x83", "\xc6\x92");                    /* ƒ U+0192 */
	ASSERT_CONV(ENC_CP1252, "\x85", "\xe2\x80\xa6");                /* … U+2026 */
	ASSERT_CONV(ENC_CP1252, "\x88", "\xcb\x86");                    /* ˆ U+02C6 */
	ASSERT_CONV(ENC_CP1252, "\x8a", "\xc5\xa0");                    /* Š U+0160 */
	ASSERT_CONV(ENC_CP1252, "\x8c", "\xc5\x92");                    /* Œ U+0152 */
	ASSERT_CONV(ENC_CP1252, "\x8e", "\xc5\xbd");                    /* Ž U+017D */
	ASSERT_CONV(ENC_CP1252, "\x91\x92", "\xe2\x80\x98\xe2\x80\x99"); /* ‘’ */
	ASSERT_CONV(ENC_CP1252, "\x93\x94", "\xe2\x80\x9c\xe2\x80\x9d"); /* “” */
	ASSERT_CONV(ENC_CP1252, "\x95", "\xe2\x80\xa2");                /* • */
	ASSERT_CONV(ENC_CP1252, "\x97", "\xe2\x80\x94");                /* — */
	ASSERT_CONV(ENC_CP1252, "\x98", "\xcb\x9c");                    /* ˜ U+02DC */
	ASSERT_CONV(ENC_CP1252, "\x99", "\xe2\x84\xa2");                /* ™ */
	ASSERT_CONV(ENC_CP1252, "\x9c", "\xc5\x93");                    /* œ */
	ASSERT_CONV(ENC_CP1252, "\x9e", "\xc5\xbe");                    /* ž */
	ASSERT_CONV(ENC_CP1252, "\x9f", "\xc5\xb8");                    /* Ÿ U+0178 */
	/* 0xA0..0xFF are the Latin-1 code points. */
	ASSERT_CONV(ENC_CP1252, "\xa0", "\xc2\xa0");
	ASSERT_CONV(ENC_CP1252, "\xa4", "\xc2\xa4");
	ASSERT_CONV(ENC_CP1252, "\xff", "\xc3\xbf");
}

static void test_cp1252_undefined(void **state)
{
	static const unsigned char undef[] = { 0x81, 0x8d, 0x8f, 0x90, 0x9d };
	char in[20], out[64];

	for (size_t k = 0; k < sizeof(undef); k++) {
		in[0] = (char)undef[k];
		assert_int_equal(conv(ENC_CP1252, in, 1, out, sizeof(out)), -EILSEQ);
		/* Deep inside a line, past the ASCII fast path. */
		memset(in, 'a', sizeof(in));
		in[13] = (char)undef[k];
		assert_int_equal(conv(ENC_CP1252, in, sizeof(in), out, sizeof(out)), -EILSEQ);
		/* Latin-1 takes every byte: these are C1 controls U+0081.. there. */
		assert_int_equal(conv(ENC_LATIN1, in, sizeof(in), out, sizeof(out)), 21);
		assert_int_equal((unsigned char)out[13], 0xc2);
		assert_int_equal((unsigned char)out[14], undef[k]);
	}
	/* Exactly 27 of the 32 bytes 0x80..0x9F are defined. */
	int defined = 0;
	for (int b = 0x80; b < 0xa0; b++) {
		in[0] = (char)b;
		if (conv(ENC_CP1252, in, 1, out, sizeof(out)) > 0)
			defined++;
	}
	assert_int_equal(defined, 27);
}

static void test_latin1(void **state)
{
	ASSERT_CONV(ENC_LATIN1, "\xd6rebro", "\xc3\x96rebro");
	ASSERT_CONV(ENC_LATIN1, "\x80", "\xc2\x80");                    /* not € in Latin-1 */
	ASSERT_CONV(ENC_LATIN1, "\xa4", "\xc2\xa4");                    /* ¤, not € */
	ASSERT_CONV(ENC_LATIN1, "plain", "plain");

	/* Every byte maps to its own code point. */
	for (int b = 0; b < 256; b++) {
		char in = (char)b, out[4];
		ssize_t r = conv(ENC_LATIN1, &in, 1, out, sizeof(out));
		if (b < 0x80) {
			assert_int_equal(r, 1);
			assert_int_equal((unsigned char)out[0], b);
		} else {
			assert_int_equal(r, 2);
			assert_int_equal(((unsigned char)out[0] & 0x1f) << 6 | ((unsigned char)out[1] & 0x3f), b);
		}
	}
}

/* Whatever the input bytes, a successful conversion yields valid UTF-8. */
static void test_output_always_valid(void **state)
{
	char in[256], out[3 * 256];

	for (int b = 0; b < 256; b++)
		in[b] = (char)b;
	ssize_t r = conv(ENC_LATIN1, in, sizeof(in), out, sizeof(out));
	assert_int_equal(r, 128 + 2 * 128);
	assert_true(utf8_valid(out, (size_t)r));

	/* CP1252 without its five holes. */
	size_t n = 0;
	for (int b = 0; b < 256; b++)
		if (b != 0x81 && b != 0x8d && b != 0x8f && b != 0x90 && b != 0x9d)
			in[n++] = (char)b;
	r = conv(ENC_CP1252, in, n, out, sizeof(out));
	assert_true(r > 0);
	assert_true(utf8_valid(out, (size_t)r));
}

static void test_nobufs(void **state)
{
	char out[64];

	assert_int_equal(conv(ENC_CP1252, "\xd6", 1, out, 1), -ENOBUFS);     /* half a character */
	assert_int_equal(conv(ENC_CP1252, "\xd6", 1, out, 2), 2);
	assert_int_equal(conv(ENC_CP1252, "\x80", 1, out, 2), -ENOBUFS);
	assert_int_equal(conv(ENC_CP1252, "\x80", 1, out, 3), 3);
	/* 3*len is the worst case and always enough. */
	assert_int_equal(conv(ENC_CP1252, "\x80\x80\x80\x80\x80\x80\x80\x80", 8, out, 24), 24);
	assert_int_equal(conv(ENC_CP1252, "\x80\x80\x80\x80\x80\x80\x80\x80", 8, out, 23), -ENOBUFS);
	/* An ASCII line exactly filling the buffer, through the fast path. */
	assert_int_equal(conv(ENC_CP1252, "0123456789abcdefXYZ", 19, out, 19), 19);
	assert_int_equal(conv(ENC_LATIN1, "0123456789abcdefXYZ", 19, out, 18), -ENOBUFS);
	assert_int_equal(conv(ENC_LATIN1, "abc", 3, out, 0), -ENOBUFS);
	/* The buffer ends inside an 8-byte ASCII run. */
	assert_int_equal(conv(ENC_LATIN1, "0123456789abcdef", 16, out, 12), -ENOBUFS);
	assert_int_equal(conv(ENC_CP1252, "01234567", 8, out, 7), -ENOBUFS);
	/* An undefined byte wins over a short buffer, even past the point it ran out. */
	assert_int_equal(conv(ENC_CP1252, "\xd6\xd6\x81", 3, out, 1), -EILSEQ);
	assert_int_equal(conv(ENC_CP1252, "\xd6\xd6\xd6", 3, out, 1), -ENOBUFS);
}

static void test_empty_and_bad_encoding(void **state)
{
	char out[4];

	assert_int_equal(to_utf8(ENC_UTF8, NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(to_utf8(ENC_CP1252, "", 0, out, 0), 0);
	assert_int_equal(to_utf8(ENC_LATIN1, "", 0, NULL, 0), 0);
	assert_int_equal(to_utf8((enum encoding)42, "a", 1, out, sizeof(out)), -EINVAL);
}

/* utf8_width counts code points, not bytes: table columns and line limits rely on it. */
static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("målet"), 5);             /* å: 2 bytes */
	assert_int_equal(utf8_width("≥ 75 %"), 6);            /* ≥: 3 bytes */
	assert_int_equal(utf8_width("\xf0\x9f\x98\x80!"), 2);   /* U+1F600: 4 bytes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_ascii_and_empty),
		cmocka_unit_test(test_valid_multibyte),
		cmocka_unit_test(test_invalid_overlong),
		cmocka_unit_test(test_invalid_surrogates),
		cmocka_unit_test(test_invalid_above_max),
		cmocka_unit_test(test_invalid_truncated_and_stray),
		cmocka_unit_test(test_invalid_at_every_offset),
		cmocka_unit_test(test_to_utf8_utf8),
		cmocka_unit_test(test_cp1252_swedish),
		cmocka_unit_test(test_cp1252_c1_range),
		cmocka_unit_test(test_cp1252_undefined),
		cmocka_unit_test(test_latin1),
		cmocka_unit_test(test_output_always_valid),
		cmocka_unit_test(test_nobufs),
		cmocka_unit_test(test_empty_and_bad_encoding),
		cmocka_unit_test(test_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
