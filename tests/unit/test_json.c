/* Unit tests for json.c: strict extraction of top-level members. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stdbool.h>

#include "parse.h"
#include "../common/exact_copy.h"

/*
 * Input and scratch live in exact-size heap blocks (no terminating NUL),
 * so ASan reports any read past the line or write past scratch. They stay
 * valid until the next parse, for the assertions on g_out[].
 */
static char *g_in, *g_scratch;
static size_t g_len;
static struct fieldv g_out[8];

static const char *const g_names[] = { "time", "channel", "case", "id", "a" };
#define NNAMES (sizeof(g_names) / sizeof(g_names[0]))

static int parse_names(const char *s, size_t len, const char *const *names, size_t n)
{
	exact_copy(s, len, &g_in, &g_scratch);
	g_len = len;
	/* Garbage first: every slot must come back reset. */
	for (size_t k = 0; k < sizeof(g_out) / sizeof(g_out[0]); k++)
		g_out[k] = (struct fieldv){ "junk", 4 };
	return json_extract(g_in, len, names, n, g_scratch, g_out);
}
#define J(lit) parse_names(lit, sizeof(lit) - 1, g_names, NNAMES)
#define JN(lit, names) parse_names(lit, sizeof(lit) - 1, names, sizeof(names) / sizeof(names[0]))

static int teardown(void **state)
{
	free(g_in);
	free(g_scratch);
	g_in = g_scratch = NULL;
	return 0;
}

/* Slot indexes into g_names. */
enum { TIME, CHANNEL, CASE, ID, A };

#define ASSERT_VAL(i, want) do {                                               \
	assert_non_null(g_out[i].p);                                           \
	assert_int_equal(g_out[i].len, sizeof(want) - 1);                      \
	assert_memory_equal(g_out[i].p, want, sizeof(want) - 1);               \
} while (0)
#define ASSERT_ABSENT(i) assert_null(g_out[i].p)

static bool in_input(const struct fieldv *f)
{
	return f->p >= g_in && f->p + f->len <= g_in + g_len;
}

static bool in_scratch(const struct fieldv *f)
{
	return f->p >= g_scratch && f->p + f->len <= g_scratch + g_len;
}

static void assert_all_absent(void)
{
	for (size_t k = 0; k < NNAMES; k++)
		ASSERT_ABSENT(k);
}

/* ------------------------------------------------------------ extraction */

/* Inputs json_extract refuses: each case fails with its index and error. */
struct bad_case {
	const char *s;
	size_t      len;
	int         err;
};
#define BAD(lit, err) { lit, sizeof(lit) - 1, err }

static void refused(const struct bad_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = parse_names(c[i].s, c[i].len, g_names, NNAMES);

		if (r != c[i].err)
			fail_msg("case %zu: %d, want %d", i, r, c[i].err);
	}
}

static void test_typical_line(void **state)
{
	assert_int_equal(J("{\"id\":\"e-2026-000142\",\"time\":\"2026-03-05T08:15:02+01:00\","
	                   "\"channel\":\"E-tj\xc3\xa4nst\",\"case\":\"Bygglov\",\"pages\":3,"
	                   "\"extra\":{\"x\":[1,2,3]}}"), 0);
	ASSERT_VAL(ID, "e-2026-000142");
	ASSERT_VAL(TIME, "2026-03-05T08:15:02+01:00");
	ASSERT_VAL(CHANNEL, "E-tj\xc3\xa4nst");
	ASSERT_VAL(CASE, "Bygglov");
	ASSERT_ABSENT(A);
	/* No escapes: values are slices of the line. */
	assert_true(in_input(&g_out[ID]));
	assert_true(in_input(&g_out[CHANNEL]));
	assert_ptr_equal(g_out[ID].p, g_in + 7);
}

static void test_empty_object_and_reset(void **state)
{
	assert_int_equal(J("{}"), 0);
	assert_all_absent();
	assert_int_equal(J("{\"other\":1}"), 0);
	assert_all_absent();
	/* Slots past nnames are not touched. */
	assert_int_equal(g_out[NNAMES].len, 4);
	assert_memory_equal(g_out[NNAMES].p, "junk", 4);
}

static void test_whitespace(void **state)
{
	static const struct bad_case cases[] = {
		/* Only the four JSON whitespace bytes. */
		BAD("{\f}", -EBADMSG),
		BAD("{\v}", -EBADMSG),
		BAD("\xc2\xa0{}", -EBADMSG),              /* U+00A0 */
		/* A BOM is the caller's to strip. */
		BAD("\xef\xbb\xbf{}", -EBADMSG),
	};

	assert_int_equal(J(" \t\r\n{ \"a\" \t:\r\n \"x\" , \"id\" : 7 }\r\n\t "), 0);
	ASSERT_VAL(A, "x");
	ASSERT_VAL(ID, "7");
	assert_int_equal(J("{\n}"), 0);
	refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_scalars(void **state)
{
	assert_int_equal(J("{\"a\":true,\"id\":false,\"case\":null,\"time\":-12.5e+3}"), 0);
	ASSERT_VAL(A, "true");
	ASSERT_VAL(ID, "false");
	ASSERT_ABSENT(CASE);                                       /* null is absent */
	ASSERT_VAL(TIME, "-12.5e+3");
	assert_true(in_input(&g_out[A]));
	/* The empty string is present, not absent. */
	assert_int_equal(J("{\"a\":\"\"}"), 0);
	assert_non_null(g_out[A].p);
	assert_int_equal(g_out[A].len, 0);
}

static void test_numbers_valid(void **state)
{
	static const char *const ok[] = {
		"0", "-0", "7", "123", "-1", "1.5", "-0.25", "0.0", "1e10", "1E10", "1e+2",
		"1E-2", "2.5e-3", "-0e0", "1234567890123456789012345678901234567890",
		"1.7976931348623157e308", "5e-324",
	};
	char buf[256];

	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		int n = snprintf(buf, sizeof(buf), "{\"a\":%s}", ok[k]);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), 0);
		assert_int_equal(g_out[A].len, strlen(ok[k]));
		assert_memory_equal(g_out[A].p, ok[k], strlen(ok[k]));
		/* The same number at the end of the input and nested in an array. */
		n = snprintf(buf, sizeof(buf), "{\"b\":[%s,%s],\"a\":%s}", ok[k], ok[k], ok[k]);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), 0);
		assert_int_equal(g_out[A].len, strlen(ok[k]));
	}
}

static void test_numbers_invalid(void **state)
{
	static const char *const bad[] = {
		"01", "-01", "00", "-", "+1", "1.", ".5", "-.5", "1.e5", "1e", "1e+", "1E-",
		"--1", "0x1F", "1_000", "NaN", "Infinity", "-Infinity", "1e5.5", "1.2.3",
		"0.", "\xef\xbc\x91",                                  /* full-width digit */
	};
	char buf[128];

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int n = snprintf(buf, sizeof(buf), "{\"a\":%s}", bad[k]);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), -EBADMSG);
		assert_all_absent();
		/* Invalid also where it would only be skipped. */
		n = snprintf(buf, sizeof(buf), "{\"skip\":[%s]}", bad[k]);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), -EBADMSG);
	}
}

static void test_literals_invalid(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":tru}", -EBADMSG),
		BAD("{\"a\":True}", -EBADMSG),
		BAD("{\"a\":nul}", -EBADMSG),
		BAD("{\"a\":nulls}", -EBADMSG),
		BAD("{\"a\":falsey}", -EBADMSG),
		BAD("{\"a\":undefined}", -EBADMSG),
		BAD("{\"a\":t", -EBADMSG),
		BAD("{\"a\":'x'}", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_nested_skipped(void **state)
{
	assert_int_equal(J("{\"x\":{\"a\":\"no\",\"id\":[1,{\"a\":\"deep\"}]},"
	                   "\"list\":[[],{},[{}],\"s\",-1,true,false,null],"
	                   "\"a\":\"yes\"}"), 0);
	ASSERT_VAL(A, "yes");                                      /* nested "a" ignored */
	ASSERT_ABSENT(ID);
	/* A wanted key with a container value counts as absent. */
	assert_int_equal(J("{\"a\":{\"b\":1},\"id\":[\"x\"]}"), 0);
	ASSERT_ABSENT(A);
	ASSERT_ABSENT(ID);
	assert_int_equal(J("{\"a\":[]}"), 0);
	ASSERT_ABSENT(A);
}

static void test_duplicate_keys(void **state)
{
	assert_int_equal(J("{\"a\":\"1\",\"a\":\"2\"}"), 0);
	ASSERT_VAL(A, "2");
	assert_int_equal(J("{\"a\":\"1\",\"b\":0,\"a\":3}"), 0);
	ASSERT_VAL(A, "3");
	assert_int_equal(J("{\"a\":\"1\",\"a\":null}"), 0);
	ASSERT_ABSENT(A);
	assert_int_equal(J("{\"a\":\"1\",\"a\":{}}"), 0);
	ASSERT_ABSENT(A);
	assert_int_equal(J("{\"a\":null,\"a\":\"x\\ty\"}"), 0);
	ASSERT_VAL(A, "x\ty");
	/* An escaped spelling of the same key is the same key. */
	assert_int_equal(J("{\"a\":\"1\",\"\\u0061\":\"2\"}"), 0);
	ASSERT_VAL(A, "2");
}

static void test_key_matching(void **state)
{
	assert_int_equal(J("{\"ab\":1,\"i\":2,\"ID\":3,\"id \":4,\"\":5}"), 0);
	assert_all_absent();
	assert_int_equal(J("{\"c\\u0061se\":\"esc\",\"tim\\u0065\":\"x\"}"), 0);
	ASSERT_VAL(CASE, "esc");
	ASSERT_VAL(TIME, "x");

	/* The same name twice in names[]: both slots get the value. */
	static const char *const twice[] = { "a", "b", "a" };
	assert_int_equal(JN("{\"a\":\"v\"}", twice), 0);
	assert_int_equal(g_out[0].len, 1);
	assert_ptr_equal(g_out[0].p, g_out[2].p);
	assert_null(g_out[1].p);

	/* The empty key is a key like any other. */
	static const char *const empty[] = { "", "a" };
	assert_int_equal(JN("{\"a\":1,\"\":2}", empty), 0);
	assert_int_equal(g_out[0].len, 1);
	assert_int_equal(g_out[0].p[0], '2');
	assert_int_equal(g_out[1].p[0], '1');

	/* Non-ASCII key names. */
	static const char *const sv[] = { "\xc3\xa4rende" };
	assert_int_equal(JN("{\"\xc3\xa4rende\":\"x\"}", sv), 0);
	assert_int_equal(g_out[0].len, 1);
	assert_int_equal(JN("{\"\\u00e4rende\":\"y\"}", sv), 0);
	assert_int_equal(g_out[0].len, 1);
	assert_int_equal(g_out[0].p[0], 'y');
}

static void test_no_names(void **state)
{
	/* Pure validation: no names, no scratch. */
	static const char ok[] = "{\"a\":\"x\\n\",\"b\":[1,2]}";
	assert_int_equal(json_extract(ok, sizeof(ok) - 1, NULL, 0, NULL, NULL), 0);
	assert_int_equal(json_extract("{\"a\":}", 6, NULL, 0, NULL, NULL), -EBADMSG);
	assert_int_equal(json_extract("{\"\\ud800\":1}", 12, NULL, 0, NULL, NULL), -EILSEQ);
}

/* --------------------------------------------------------------- strings */

static void test_escapes(void **state)
{
	assert_int_equal(J("{\"a\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t.\"}"), 0);
	ASSERT_VAL(A, "q\" b\\ s/ \b\f\n\r\t.");
	assert_true(in_scratch(&g_out[A]));

	assert_int_equal(J("{\"a\":\"\\u00e9\\u00C5\\u20ac\"}"), 0);
	ASSERT_VAL(A, "\xc3\xa9\xc3\x85\xe2\x82\xac");             /* é Å € */
	assert_int_equal(J("{\"a\":\"\\u0041\\u007f\\u0080\\u07ff\\u0800\\uffff\"}"), 0);
	ASSERT_VAL(A, "A\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	assert_int_equal(J("{\"a\":\"\\ud83d\\ude00!\"}"), 0);
	ASSERT_VAL(A, "\xf0\x9f\x98\x80!");                         /* U+1F600 */
	assert_int_equal(J("{\"a\":\"\\uD800\\uDC00\\uDBFF\\uDFFF\"}"), 0);
	ASSERT_VAL(A, "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");          /* U+10000 U+10FFFF */

	/* Several escaped values and keys share scratch without clobbering. */
	assert_int_equal(J("{\"\\u0061\":\"x\\ny\",\"i\\u0064\":\"\\\"q\\\"\",\"case\":\"p\"}"), 0);
	ASSERT_VAL(A, "x\ny");
	ASSERT_VAL(ID, "\"q\"");
	ASSERT_VAL(CASE, "p");
	assert_true(in_input(&g_out[CASE]));

	/* Escape-only string: scratch exactly as long as the line still suffices. */
	assert_int_equal(J("{\"a\":\"\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\"}"), 0);
	assert_int_equal(g_out[A].len, 17);
}

static void test_escapes_invalid(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":\"\\x41\"}", -EBADMSG),
		BAD("{\"a\":\"\\'\"}", -EBADMSG),
		BAD("{\"a\":\"\\U0041\"}", -EBADMSG),
		BAD("{\"a\":\"\\u12\"}", -EBADMSG),
		BAD("{\"a\":\"\\u12G4\"}", -EBADMSG),
		BAD("{\"a\":\"\\u 123\"}", -EBADMSG),
		BAD("{\"a\":\"\\", -EBADMSG),
		BAD("{\"a\":\"\\u00", -EBADMSG),
		BAD("{\"a\":\"\\ud800\\u12\"}", -EBADMSG),
		/* \u0000 would put a NUL into a value: refused like a raw NUL. */
		BAD("{\"a\":\"x\\u0000y\"}", -EBADMSG),
		BAD("{\"x\":[\"\\u0000\"]}", -EBADMSG),
		BAD("{\"a\\u0000\":1}", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_lone_surrogates(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":\"\\ud800\"}", -EILSEQ),
		BAD("{\"a\":\"\\uDBFF\"}", -EILSEQ),
		BAD("{\"a\":\"\\udc00\"}", -EILSEQ),
		BAD("{\"a\":\"\\uDFFF\\uD800\"}", -EILSEQ),  /* reversed pair */
		BAD("{\"a\":\"\\ud800x\"}", -EILSEQ),
		BAD("{\"a\":\"\\ud800\\n\"}", -EILSEQ),
		BAD("{\"a\":\"\\ud800\\u0041\"}", -EILSEQ),
		BAD("{\"a\":\"\\ud800\\ud800\"}", -EILSEQ),
		BAD("{\"x\":{\"y\":\"\\ude00\"}}", -EILSEQ),  /* also when skipped */
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
	assert_all_absent();
}

static void test_control_chars(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":\"tab\there\"}", -EBADMSG),
		BAD("{\"a\":\"line\nbreak\"}", -EBADMSG),
		BAD("{\"a\":\"\x1f\"}", -EBADMSG),
		BAD("{\"a\x01\":1}", -EBADMSG),
		BAD("{\"x\":[\"\x1b[31m\"]}", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
	/* DEL is not a control character for JSON. */
	assert_int_equal(J("{\"a\":\"\x7f\"}"), 0);
	ASSERT_VAL(A, "\x7f");
}

static void test_raw_utf8(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":\"\xc0\xaf\"}", -EILSEQ),        /* overlong */
		BAD("{\"a\":\"\xe0\x80\xaf\"}", -EILSEQ),
		BAD("{\"a\":\"\xed\xa0\x80\"}", -EILSEQ),    /* surrogate */
		BAD("{\"a\":\"\xf4\x90\x80\x80\"}", -EILSEQ),/* > U+10FFFF */
		BAD("{\"a\":\"\x80\"}", -EILSEQ),            /* stray continuation */
		BAD("{\"a\":\"\xc3\"}", -EILSEQ),            /* truncated by the quote */
		BAD("{\"a\":\"\xe2\x82\\n\"}", -EILSEQ),     /* truncated by an escape */
		BAD("{\"a\":\"\xd6rebro\"}", -EILSEQ),       /* CP1252 text */
		BAD("{\"\xff\":1}", -EILSEQ),                /* in a key */
		BAD("{\"x\":[\"\xff\"]}", -EILSEQ),          /* in a skipped value */
		/* Outside strings, a non-ASCII byte is no token at all. */
		BAD("{\"a\":1}\xff", -EBADMSG),
		BAD("{\xff}", -EBADMSG),
	};

	assert_int_equal(J("{\"a\":\"\xc3\x96stersund \xe2\x82\xac \xf0\x9f\x98\x80\"}"), 0);
	ASSERT_VAL(A, "\xc3\x96stersund \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_true(in_input(&g_out[A]));

	refused(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The 8-byte fast path must stop at a special byte in any position. */
static void test_string_fast_path(void **state)
{
	char buf[64];

	for (size_t pos = 0; pos < 24; pos++) {
		char val[32];
		memset(val, 'x', sizeof(val));
		val[31] = '\0';

		val[pos] = '\x01';
		int n = snprintf(buf, sizeof(buf), "{\"a\":\"%s\"}", val);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), -EBADMSG);

		val[pos] = '"';                 /* ends the string early: garbage follows */
		n = snprintf(buf, sizeof(buf), "{\"a\":\"%s\"}", val);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), -EBADMSG);

		val[pos] = '\xff';
		n = snprintf(buf, sizeof(buf), "{\"a\":\"%s\"}", val);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), -EILSEQ);

		val[pos] = '\\';
		val[pos + 1] = 't';
		n = snprintf(buf, sizeof(buf), "{\"a\":\"%s\"}", val);
		assert_int_equal(parse_names(buf, (size_t)n, g_names, NNAMES), 0);
		assert_int_equal(g_out[A].len, 30);
		assert_int_equal(g_out[A].p[pos], '\t');
		assert_int_equal(g_out[A].p[pos + 1], 'x');
	}
}

/* ------------------------------------------------------- invalid shapes */

static void test_not_an_object(void **state)
{
	static const struct bad_case cases[] = {
		BAD("", -EBADMSG),
		BAD("   ", -EBADMSG),
		BAD("[]", -EBADMSG),
		BAD("[{\"a\":1}]", -EBADMSG),
		BAD("\"a\"", -EBADMSG),
		BAD("1", -EBADMSG),
		BAD("null", -EBADMSG),
		BAD("true", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(json_extract(NULL, 0, g_names, NNAMES, NULL, g_out), -EBADMSG);
	assert_all_absent();
}

static void test_malformed_objects(void **state)
{
	static const char *const bad[] = {
		"{", "}", "{{}}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\"::1}",
		"{\"a\":1,}", "{,}", "{,\"a\":1}", "{\"a\":1,,\"b\":2}", "{\"a\":1 \"b\":2}",
		"{a:1}", "{'a':1}", "{1:2}", "{null:1}", "{\"a\":[1,]}", "{\"a\":[,1]}",
		"{\"a\":[1 2]}", "{\"a\":[1:2]}", "{\"a\":{\"b\"}}", "{\"a\":{\"b\":}}",
		"{\"a\":{1:2}}", "{\"a\":{\"b\":1,}}", "{\"a\":[}", "{\"a\":[}]", "{\"a\":{]}",
		"{\"a\":[1}", "{\"a\":\"x}", "{\"a\":\"x", "{\"a", "{\"a\":1", "{\"a\":1,",
		"{/*c*/}", "{\"a\":1}//c", "{\"a\":1}#", "{\"a\":'x'}",
		"{\"a\":[\"x\",]}", "{\"a\":{\"b\":[]}", "{\"a\":{\"b\":[]}}}",
	};

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int r = parse_names(bad[k], strlen(bad[k]), g_names, NNAMES);
		if (r != -EBADMSG)
			fail_msg("accepted or misjudged: %s (%d)", bad[k], r);
		assert_all_absent();
	}
}

static void test_trailing_garbage(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{} x", -EBADMSG),
		BAD("{}{}", -EBADMSG),
		BAD("{\"a\":\"x\"},", -EBADMSG),
		BAD("{\"a\":\"x\"} 1", -EBADMSG),
		BAD("{\"a\":\"x\"}\n{\"a\":\"y\"}", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
	assert_all_absent();                                       /* no value leaks out */
	assert_int_equal(J("{\"a\":\"x\"} \t\r\n"), 0);
	ASSERT_VAL(A, "x");
}

static void test_nul_byte(void **state)
{
	static const struct bad_case cases[] = {
		BAD("{\"a\":\"x\0y\"}", -EBADMSG),
		BAD("{\"a\":\"x\"}\0", -EBADMSG),
		BAD("\0{}", -EBADMSG),
		BAD("{\0}", -EBADMSG),
		BAD("{\"a\":1\0}", -EBADMSG),
		/* Even where the rest would be an encoding error. */
		BAD("{\"a\":\"\xff\0\"}", -EBADMSG),
		BAD("{\"a\":\"\xff\"}\0", -EBADMSG),
		BAD("{\"a\":\"\\ud800\"}\0", -EBADMSG),
	};

	refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_failure_resets_out(void **state)
{
	/* "a" was already stored when the error is found. */
	assert_int_equal(J("{\"a\":\"x\",\"id\":\"y\",\"case\":}"), -EBADMSG);
	assert_all_absent();
	assert_int_equal(J("{\"a\":\"x\\ny\",\"b\":\"\\ud800\"}"), -EILSEQ);
	assert_all_absent();
}

/* ----------------------------------------------------------------- depth */

/* {"a": <depth-1 nested arrays/objects> } with the total depth given. */
static size_t nest(char *buf, size_t depth, bool objects)
{
	size_t o = 0;

	o += (size_t)sprintf(buf + o, "{\"a\":");
	for (size_t k = 1; k < depth; k++)
		o += (size_t)sprintf(buf + o, objects ? "{\"k\":" : "[");
	o += (size_t)sprintf(buf + o, "1");
	for (size_t k = 1; k < depth; k++)
		buf[o++] = objects ? '}' : ']';
	buf[o++] = '}';
	return o;
}

static void test_depth_limit(void **state)
{
	static char buf[20000];
	size_t n;

	/* 64 open containers, the top-level object included, are allowed. */
	n = nest(buf, 64, false);
	assert_int_equal(parse_names(buf, n, g_names, NNAMES), 0);
	ASSERT_ABSENT(A);
	n = nest(buf, 64, true);
	assert_int_equal(parse_names(buf, n, g_names, NNAMES), 0);
	n = nest(buf, 65, false);
	assert_int_equal(parse_names(buf, n, g_names, NNAMES), -EBADMSG);
	n = nest(buf, 65, true);
	assert_int_equal(parse_names(buf, n, g_names, NNAMES), -EBADMSG);

	/* Empty containers count too. */
	n = nest(buf, 64, false);
	memmove(buf + 5 + 63, buf + 5 + 63 + 1, n - 5 - 63 - 1); /* drop the innermost 1 */
	assert_int_equal(parse_names(buf, n - 1, g_names, NNAMES), 0);

	/* Hostile depth fails fast instead of recursing. */
	memset(buf, '[', sizeof(buf));
	memcpy(buf, "{\"a\":", 5);
	assert_int_equal(parse_names(buf, sizeof(buf), g_names, NNAMES), -EBADMSG);

	/* Depth is per nesting, not per line: many shallow values are fine. */
	n = (size_t)sprintf(buf, "{\"x\":[");
	for (int k = 0; k < 1000; k++)
		n += (size_t)sprintf(buf + n, "%s[[{}]]", k ? "," : "");
	n += (size_t)sprintf(buf + n, "],\"a\":\"ok\"}");
	assert_int_equal(parse_names(buf, n, g_names, NNAMES), 0);
	ASSERT_VAL(A, "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical_line),
		cmocka_unit_test(test_empty_object_and_reset),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_numbers_valid),
		cmocka_unit_test(test_numbers_invalid),
		cmocka_unit_test(test_literals_invalid),
		cmocka_unit_test(test_nested_skipped),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_key_matching),
		cmocka_unit_test(test_no_names),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_escapes_invalid),
		cmocka_unit_test(test_lone_surrogates),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_raw_utf8),
		cmocka_unit_test(test_string_fast_path),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_malformed_objects),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_failure_resets_out),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
