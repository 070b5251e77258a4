/* Unit tests of strbuf.c: appending, printf past the first room, finish and its failures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"

static void
test_append(void **state)
{
	struct strbuf b = { 0 };
	char *t = NULL;
	size_t len = 0;

	(void)state;
	strbuf_puts(&b, "ab");
	strbuf_putc(&b, 'c');
	strbuf_putn(&b, "dexyz", 2);
	strbuf_printf(&b, "-%d-%s", 42, "z");
	assert_int_equal(b.err, 0);
	assert_string_equal(b.p, "abcde-42-z");
	assert_int_equal(strbuf_finish(&b, &t, &len), 0);
	assert_string_equal(t, "abcde-42-z");
	assert_int_equal(len, 10);
	assert_null(b.p);                      /* handed over, b zeroed */
	assert_int_equal(b.len, 0);
	free(t);
}

static void
test_printf_long(void **state)
{
	struct strbuf b = { 0 };
	char big[1000], *t = NULL;

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_putc(&b, '<');
	/* longer than the first room printf reserves: formatted a second time */
	strbuf_printf(&b, "%s>%d", big, 7);
	assert_int_equal(strbuf_finish(&b, &t, NULL), 0);
	assert_int_equal(strlen(t), 1 + 999 + 2);
	assert_int_equal(t[0], '<');
	assert_int_equal(t[1000], '>');
	assert_string_equal(t + 1001, "7");
	free(t);
}

static void
test_empty_and_failure(void **state)
{
	struct strbuf b = { 0 };
	char *t = NULL, *keep = (char *)"untouched";
	size_t len = 5;

	(void)state;
	/* nothing added: an empty string, not NULL */
	assert_int_equal(strbuf_finish(&b, &t, &len), 0);
	assert_non_null(t);
	assert_string_equal(t, "");
	assert_int_equal(len, 0);
	free(t);

	/* a failure sticks: later appends do nothing, finish reports it */
	strbuf_puts(&b, "x");
	b.err = -ENOMEM;
	strbuf_puts(&b, "more");
	assert_int_equal(b.len, 1);
	t = keep;
	len = 5;
	assert_int_equal(strbuf_finish(&b, &t, &len), -ENOMEM);
	assert_ptr_equal(t, keep);
	assert_int_equal(len, 5);
	assert_null(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_empty_and_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
