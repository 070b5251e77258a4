/* Unit tests for csv.c: record framing and field splitting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core.h"
#include "parse.h"
#include "../common/exact_copy.h"

/*
 * Records and scratch live in exact-size heap blocks (no terminating NUL),
 * so ASan reports any read past the record or write past scratch. They
 * stay valid until the next split, for the assertions on out[].
 */
static char *g_rec, *g_scratch;
static size_t g_len;
static struct fieldv g_f[TQ_MAX_COLUMNS];

static int split(const char *s, size_t len, char delim, char quote, size_t max)
{
	exact_copy(s, len, &g_rec, &g_scratch);
	g_len = len;
	memset(g_f, 0xa5, sizeof(g_f));
	return csv_split(g_rec, len, delim, quote, g_scratch, g_f, max);
}
#define SPLIT(lit, delim, quote) split(lit, sizeof(lit) - 1, delim, quote, TQ_MAX_COLUMNS)

static size_t reclen_d(const char *s, size_t len, char delim, char quote)
{
	char *copy = malloc(len ? len : 1);
	size_t r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, s, len);
	r = csv_record_len(copy, len, delim, quote);
	free(copy);
	return r;
}

static size_t reclen(const char *s, size_t len, char quote)
{
	return reclen_d(s, len, ';', quote);
}

/* A table of csv_record_len cases (';' delimited), each failing by its index. */
struct reclen_case {
	const char *s;
	size_t      len;
	char        quote;
	size_t      want;
};
#define RECLEN_CASE(lit, quote, want) { lit, sizeof(lit) - 1, quote, want }

static void check_reclen(const struct reclen_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t got = reclen(c[i].s, c[i].len, c[i].quote);

		if (got != c[i].want)
			fail_msg("case %zu (quote '%c'): %zu, want %zu", i, c[i].quote ? c[i].quote : '-',
			         got, c[i].want);
	}
}

static int teardown(void **state)
{
	free(g_rec);
	free(g_scratch);
	g_rec = g_scratch = NULL;
	return 0;
}

#define ASSERT_FIELD(i, want) do {                                             \
	assert_non_null(g_f[i].p);                                             \
	assert_int_equal(g_f[i].len, strlen(want));                            \
	assert_memory_equal(g_f[i].p, want, strlen(want));                     \
} while (0)

static bool in_rec(const struct fieldv *f)
{
	return f->p >= g_rec && f->p + f->len <= g_rec + g_len;
}

static bool in_scratch(const struct fieldv *f)
{
	return f->p >= g_scratch && f->p + f->len <= g_scratch + g_len;
}

/* ------------------------------------------------------- csv_record_len */

static void test_reclen_plain(void **state)
{
	static const struct reclen_case cases[] = {
		RECLEN_CASE("", '"', 0),
		RECLEN_CASE("a;b;c", '"', 0),               /* no newline yet */
		RECLEN_CASE("a;b;c\n", '"', 6),
		RECLEN_CASE("a;b\nc;d\n", '"', 4),          /* only the first record */
		RECLEN_CASE("\n", '"', 1),                  /* an empty record */
		RECLEN_CASE("\n\nx\n", '"', 1),
		/* The '\r' of CRLF belongs to the record; the caller strips it. */
		RECLEN_CASE("a;b\r\nc\r\n", '"', 5),
		RECLEN_CASE("a;b", 0, 0),
		RECLEN_CASE("a;b\n", 0, 4),
	};

	check_reclen(cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(reclen(NULL, 0, '"'), 0);
}

static void test_reclen_quoted_newline(void **state)
{
	static const struct reclen_case cases[] = {
		RECLEN_CASE("\"a\nb\";c\nnext\n", '"', 8),
		RECLEN_CASE("x;\"line 1\nline 2\nline 3\";y\nz\n", '"', 27),
		/* The closing quote has not arrived: no complete record yet. */
		RECLEN_CASE("\"a\nb", '"', 0),
		RECLEN_CASE("\"a\nb\n", '"', 0),
		/* Doubled quotes leave the count even. */
		RECLEN_CASE("\"say \"\"hi\"\"\";x\nnext\n", '"', 15),
		RECLEN_CASE("\"\"\"\n\"\n", '"', 6),        /* """\n"\n : one quoted field */
		/* Balanced quotes in unquoted text leave the newline alone. */
		RECLEN_CASE("Disk 5\" ok 3\";x\ny\n", '"', 16),
		/* Without quoting every newline ends a record. */
		RECLEN_CASE("\"a\nb\";c\n", 0, 3),
		/* Another quote character. */
		RECLEN_CASE("'a\nb';c\n", '\'', 8),
		RECLEN_CASE("\"a\nb\";c\n", '\'', 3),
	};

	check_reclen(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * A quote inside an unquoted field is an ordinary character, as csv_split
 * sees it: it never joins the next line (this once lost the good lines
 * after a stray quote).
 */
static void test_reclen_stray_quote(void **state)
{
	static const struct reclen_case cases[] = {
		RECLEN_CASE("Disk 5\" ok;x\ny;z\n", '"', 13),
		RECLEN_CASE("Disk 5\" ok;x\ny;\"z\n", '"', 13),
		RECLEN_CASE("1;Tel\"efon;x\n2;Telefon;y\n", '"', 13),
		RECLEN_CASE("a\"\n", '"', 3),
		/* After a delimiter the quote opens a field, in the middle too. */
		RECLEN_CASE("a;\"b\nc\";d\n", '"', 10),
		RECLEN_CASE("a;b\";\"c\nd\"\n", '"', 11),
	};

	check_reclen(cases, sizeof(cases) / sizeof(cases[0]));
	/* The delimiter decides what a field start is. */
	assert_int_equal(reclen_d("a,\"b\nc\"\n", 8, ',', '"'), 8);
	assert_int_equal(reclen_d("a,\"b\nc\"\n", 8, ';', '"'), 5);
	/* Quote equal to the delimiter: no quoting. */
	assert_int_equal(reclen_d("\"a\n\"\n", 5, '"', '"'), 3);
}

/*
 * A quoted field that spans lines and then turns out malformed (text after
 * its closing quote) is framed as its first line alone: the lines after it
 * are records of their own.
 */
static void test_reclen_malformed_quoted(void **state)
{
	static const struct reclen_case cases[] = {
		/* 1;"Telefon;a\n2;Telefon;b\n3;x"y\n: the quote closes before y. */
		RECLEN_CASE("1;\"Telefon;a\n2;Telefon;b\n3;x\"y\n", '"', 13),
		/* Closed on the same line but followed by text: the line. */
		RECLEN_CASE("\"a\"b;c\nd\n", '"', 7),
		RECLEN_CASE("\"a\"\rb\nd\n", '"', 6),
		/* Not yet known: the character after the closing quote is to come. */
		RECLEN_CASE("\"a\nb\"", '"', 0),
		RECLEN_CASE("\"a\nb\"\r", '"', 0),
		/* Well-formed endings. */
		RECLEN_CASE("\"a\nb\"\r\nc\n", '"', 7),
		RECLEN_CASE("\"a\nb\";\"c\nd\"\ne\n", '"', 12),
		/* Malformed second quoted field: the first line, inside the first. */
		RECLEN_CASE("\"a\nb\";\"c\"d\ne\n", '"', 3),
		/* Malformed on one line, no newline yet: wait for it. */
		RECLEN_CASE("\"a\"b", '"', 0),
	};

	check_reclen(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Feeds a buffer of several records through record_len and split, as the feed does. */
static void test_reclen_then_split(void **state)
{
	static const char buf[] =
		"id;kanal;text\r\n"
		"1;Telefon;\"rad ett\r\nrad tv\xc3\xa5\"\r\n"
		"2;E-tj\xc3\xa4nst;\"s\xc3\xa4ger \"\"hej\"\"\"\r\n"
		"3;Bes\xc3\xb6k;";                               /* incomplete */
	const char *p = buf, *end = buf + sizeof(buf) - 1;
	size_t n, len;
	int nrec = 0;

	while ((n = csv_record_len(p, (size_t)(end - p), ';', '"')) > 0) {
		len = n - 1;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		assert_int_equal(split(p, len, ';', '"', 8), 3);
		switch (nrec++) {
		case 0:
			ASSERT_FIELD(0, "id");
			ASSERT_FIELD(2, "text");
			break;
		case 1:
			ASSERT_FIELD(1, "Telefon");
			ASSERT_FIELD(2, "rad ett\r\nrad tv\xc3\xa5");
			break;
		case 2:
			ASSERT_FIELD(1, "E-tj\xc3\xa4nst");
			ASSERT_FIELD(2, "s\xc3\xa4ger \"hej\"");
			break;
		}
		p += n;
	}
	assert_int_equal(nrec, 3);
	assert_string_equal(p, "3;Bes\xc3\xb6k;");
}

/* ------------------------------------------------------------ csv_split */

static void test_split_plain(void **state)
{
	assert_int_equal(SPLIT("2026-03-05 08:15:02;Telefon;Bygglov;142", ';', '"'), 4);
	ASSERT_FIELD(0, "2026-03-05 08:15:02");
	ASSERT_FIELD(1, "Telefon");
	ASSERT_FIELD(2, "Bygglov");
	ASSERT_FIELD(3, "142");
	/* No copy: fields are slices of the record. */
	assert_ptr_equal(g_f[0].p, g_rec);
	assert_ptr_equal(g_f[1].p, g_rec + 20);
	assert_ptr_equal(g_f[3].p, g_rec + 36);

	assert_int_equal(SPLIT("a,b,c", ',', '"'), 3);
	ASSERT_FIELD(2, "c");
	assert_int_equal(SPLIT("a\tb c\td", '\t', '"'), 3);
	ASSERT_FIELD(1, "b c");
	/* A different delimiter is ordinary text. */
	assert_int_equal(SPLIT("a,b;c", ';', '"'), 2);
	ASSERT_FIELD(0, "a,b");
	/* UTF-8 passes through untouched. */
	assert_int_equal(SPLIT("V\xc3\xa4xel;\xc3\x96rebro", ';', '"'), 2);
	ASSERT_FIELD(0, "V\xc3\xa4xel");
	ASSERT_FIELD(1, "\xc3\x96rebro");
}

static void test_split_empty_fields(void **state)
{
	assert_int_equal(SPLIT("", ';', '"'), 1);
	assert_non_null(g_f[0].p);                                   /* empty, not absent */
	assert_int_equal(g_f[0].len, 0);

	struct fieldv f[2] = { { NULL, 1 }, { NULL, 1 } };
	assert_int_equal(csv_split(NULL, 0, ';', '"', NULL, f, 2), 1);
	assert_non_null(f[0].p);
	assert_int_equal(f[0].len, 0);

	assert_int_equal(SPLIT(";", ';', '"'), 2);
	assert_int_equal(g_f[0].len, 0);
	assert_int_equal(g_f[1].len, 0);

	assert_int_equal(SPLIT(";;", ';', '"'), 3);
	assert_int_equal(SPLIT("a;;b", ';', '"'), 3);
	ASSERT_FIELD(0, "a");
	ASSERT_FIELD(1, "");
	ASSERT_FIELD(2, "b");
	assert_non_null(g_f[1].p);

	assert_int_equal(SPLIT("a;b;", ';', '"'), 3);                /* trailing delimiter */
	ASSERT_FIELD(2, "");
	assert_int_equal(SPLIT(";a", ';', '"'), 2);
	ASSERT_FIELD(0, "");
	ASSERT_FIELD(1, "a");
	assert_int_equal(SPLIT("\"\";\"\"", ';', '"'), 2);            /* "";"" */
	ASSERT_FIELD(0, "");
	ASSERT_FIELD(1, "");
}

static void test_split_quoted(void **state)
{
	assert_int_equal(SPLIT("\"a;b\";c", ';', '"'), 2);
	ASSERT_FIELD(0, "a;b");
	ASSERT_FIELD(1, "c");
	assert_true(in_rec(&g_f[0]));                               /* no unescaping, no copy */
	assert_ptr_equal(g_f[0].p, g_rec + 1);

	assert_int_equal(SPLIT("1;\"Storgatan 1, 2 tr\";\"\xc3\x85re\"", ';', '"'), 3);
	ASSERT_FIELD(1, "Storgatan 1, 2 tr");
	ASSERT_FIELD(2, "\xc3\x85re");

	assert_int_equal(SPLIT("\"line 1\nline 2\";x", ';', '"'), 2);
	ASSERT_FIELD(0, "line 1\nline 2");

	assert_int_equal(SPLIT("a;\"b,c\",d", ',', '"'), 3);        /* quote not at a field start */
	ASSERT_FIELD(0, "a;\"b");
	ASSERT_FIELD(1, "c\"");
	ASSERT_FIELD(2, "d");
	assert_int_equal(SPLIT("x,\"b,c\"", ',', '"'), 2);
	ASSERT_FIELD(1, "b,c");

	assert_int_equal(SPLIT("'a;b';c", ';', '\''), 2);           /* another quote char */
	ASSERT_FIELD(0, "a;b");
}

static void test_split_doubled_quotes(void **state)
{
	assert_int_equal(SPLIT("\"say \"\"hi\"\"\";x", ';', '"'), 2);
	ASSERT_FIELD(0, "say \"hi\"");
	assert_true(in_scratch(&g_f[0]));
	ASSERT_FIELD(1, "x");
	assert_true(in_rec(&g_f[1]));

	assert_int_equal(SPLIT("\"\"\"\"", ';', '"'), 1);            /* """" is one quote */
	ASSERT_FIELD(0, "\"");
	assert_int_equal(SPLIT("\"\"\"a\"\"\"", ';', '"'), 1);       /* """a""" */
	ASSERT_FIELD(0, "\"a\"");

	/* Several unescaped fields must not overwrite each other in scratch. */
	assert_int_equal(SPLIT("\"a\"\"b\";\"c\"\"d\";\"e\"\"\";f", ';', '"'), 4);
	ASSERT_FIELD(0, "a\"b");
	ASSERT_FIELD(1, "c\"d");
	ASSERT_FIELD(2, "e\"");
	ASSERT_FIELD(3, "f");
	assert_true(in_scratch(&g_f[0]) && in_scratch(&g_f[1]) && in_scratch(&g_f[2]));

	/* Worst case for scratch: a record that is one long quoted field of quotes. */
	char rec[2 + 2 * 100];
	rec[0] = '"';
	memset(rec + 1, '"', 200);
	rec[201] = '"';
	assert_int_equal(split(rec, sizeof(rec), ';', '"', 4), 1);
	assert_int_equal(g_f[0].len, 100);
	for (size_t k = 0; k < 100; k++)
		assert_int_equal(g_f[0].p[k], '"');
}

static void test_split_literal_quote(void **state)
{
	assert_int_equal(SPLIT("ab\"c;d", ';', '"'), 2);
	ASSERT_FIELD(0, "ab\"c");
	assert_int_equal(SPLIT("Sk\xc3\xa4rm 24\";ok", ';', '"'), 2);
	ASSERT_FIELD(0, "Sk\xc3\xa4rm 24\"");
	assert_int_equal(SPLIT("a;b\"", ';', '"'), 2);
	ASSERT_FIELD(1, "b\"");
	assert_int_equal(SPLIT(" \"a\";b", ';', '"'), 2);          /* space first: not quoted */
	ASSERT_FIELD(0, " \"a\"");

	/* quote 0: quotes are plain text everywhere. */
	assert_int_equal(SPLIT("\"a;b\";c", ';', 0), 3);
	ASSERT_FIELD(0, "\"a");
	ASSERT_FIELD(1, "b\"");
	ASSERT_FIELD(2, "c");
}

static void test_split_bad_quoting(void **state)
{
	assert_int_equal(SPLIT("\"abc", ';', '"'), -EBADMSG);       /* unterminated */
	assert_int_equal(SPLIT("\"", ';', '"'), -EBADMSG);
	assert_int_equal(SPLIT("a;\"b", ';', '"'), -EBADMSG);
	assert_int_equal(SPLIT("\"ab\"\"", ';', '"'), -EBADMSG);    /* ends with a doubled quote */
	assert_int_equal(SPLIT("\"a;b;c", ';', '"'), -EBADMSG);
	assert_int_equal(SPLIT("\"ab\"c;d", ';', '"'), -EBADMSG);   /* text after the closing quote */
	assert_int_equal(SPLIT("\"ab\" ;d", ';', '"'), -EBADMSG);
	assert_int_equal(SPLIT("x;\"ab\"\"c\"d", ';', '"'), -EBADMSG);
	assert_int_equal(SPLIT("\"a\"\"b\"\"\"\"", ';', '"'), -EBADMSG);
	/* An unstripped CR after a quoted field is text after the closing quote. */
	assert_int_equal(SPLIT("a;\"b\"\r", ';', '"'), -EBADMSG);
}

static void test_split_cr_is_callers_job(void **state)
{
	/* csv_split does not strip a '\r': the feed does. */
	assert_int_equal(SPLIT("a;b\r", ';', '"'), 2);
	ASSERT_FIELD(1, "b\r");
	/* A CR inside a field is kept. */
	assert_int_equal(SPLIT("\"a\r\nb\";c", ';', '"'), 2);
	ASSERT_FIELD(0, "a\r\nb");
}

static void test_split_too_many_fields(void **state)
{
	assert_int_equal(split("a;b;c", 5, ';', '"', 3), 3);
	assert_int_equal(split("a;b;c;d", 7, ';', '"', 3), -E2BIG);
	assert_int_equal(split("a;b;c;", 6, ';', '"', 3), -E2BIG);   /* a trailing empty field counts */
	assert_int_equal(split("a", 1, ';', '"', 0), -E2BIG);
	assert_int_equal(split("", 0, ';', '"', 0), -E2BIG);
	assert_int_equal(split("\"a;b\";c", 7, ';', '"', 2), 2);
	assert_int_equal(split("\"a;b\";c;d", 9, ';', '"', 2), -E2BIG);
	/* out[max] is never written: the guard entry after it stays intact. */
	memset(g_f, 0, sizeof(g_f));
	struct fieldv guard = { (const char *)&guard, 12345 };
	g_f[2] = guard;
	assert_int_equal(csv_split("a;b;c", 5, ';', '"', NULL, g_f, 2), -E2BIG);
	assert_ptr_equal(g_f[2].p, &guard);
	assert_int_equal(g_f[2].len, 12345);

	/* TQ_MAX_COLUMNS empty fields fit, one more does not. */
	char rec[TQ_MAX_COLUMNS];
	memset(rec, ';', sizeof(rec));
	assert_int_equal(split(rec, TQ_MAX_COLUMNS - 1, ';', '"', TQ_MAX_COLUMNS), TQ_MAX_COLUMNS);
	assert_int_equal(split(rec, TQ_MAX_COLUMNS, ';', '"', TQ_MAX_COLUMNS), -E2BIG);
}

static void test_split_bad_args(void **state)
{
	assert_int_equal(SPLIT("a;b", ';', ';'), -EINVAL);
	/* No doubled quote anywhere: scratch is not needed. */
	struct fieldv f[4];
	assert_int_equal(csv_split("\"a\";b", 5, ';', '"', NULL, f, 4), 2);
	assert_int_equal(f[0].len, 1);
	assert_int_equal(f[0].p[0], 'a');
}

/*
 * Round trip: random fields (with delimiters, quotes, CR, LF and UTF-8)
 * written the RFC 4180 way must split back to themselves, and
 * csv_record_len must find the end of the record.
 */
static void test_split_roundtrip(void **state)
{
	static const char alphabet[] = "ab;,\"\r\n \xc3\xa5x";
	uint32_t seed = 12345;
	char fields[8][16], line[8 * 35 + 2];
	size_t flen[8];

	for (int iter = 0; iter < 20000; iter++) {
		size_t nf = 1 + iter % 8, o = 0;

		for (size_t k = 0; k < nf; k++) {
			seed = seed * 1103515245u + 12345u;
			flen[k] = (seed >> 16) % 16;
			bool need_quote = false;
			for (size_t j = 0; j < flen[k]; j++) {
				seed = seed * 1103515245u + 12345u;
				fields[k][j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
				if (fields[k][j] == ';' || fields[k][j] == '"' || fields[k][j] == '\n' ||
				    fields[k][j] == '\r')
					need_quote = true;
			}
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 4 == 0)
				need_quote = true;              /* needless quoting is fine too */
			if (k > 0)
				line[o++] = ';';
			if (need_quote)
				line[o++] = '"';
			for (size_t j = 0; j < flen[k]; j++) {
				line[o++] = fields[k][j];
				if (need_quote && fields[k][j] == '"')
					line[o++] = '"';
			}
			if (need_quote)
				line[o++] = '"';
		}
		line[o] = '\n';
		line[o + 1] = 'z';
		assert_int_equal(reclen(line, o + 2, '"'), o + 1);
		assert_int_equal(split(line, o, ';', '"', 8), (int)nf);
		for (size_t k = 0; k < nf; k++) {
			assert_int_equal(g_f[k].len, flen[k]);
			assert_memory_equal(g_f[k].p, fields[k], flen[k]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reclen_plain),
		cmocka_unit_test(test_reclen_quoted_newline),
		cmocka_unit_test(test_reclen_stray_quote),
		cmocka_unit_test(test_reclen_malformed_quoted),
		cmocka_unit_test(test_reclen_then_split),
		cmocka_unit_test(test_split_plain),
		cmocka_unit_test(test_split_empty_fields),
		cmocka_unit_test(test_split_quoted),
		cmocka_unit_test(test_split_doubled_quotes),
		cmocka_unit_test(test_split_literal_quote),
		cmocka_unit_test(test_split_bad_quoting),
		cmocka_unit_test(test_split_cr_is_callers_job),
		cmocka_unit_test(test_split_too_many_fields),
		cmocka_unit_test(test_split_bad_args),
		cmocka_unit_test(test_split_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
