/* Unit tests of include/grow.h: grow_cap's doubling and bounds, GROW and grow_bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "grow.h"

/* grow_cap cases: from cap to hold need items of elem bytes, doubling from first. */
static const struct {
	size_t cap, need, elem, first;
	int    r;
	size_t want;                    /* the capacity, when r is 0 */
} cap_cases[] = {
	/* room already: cap unchanged, first ignored */
	{ 16, 16, 8, 4, 0, 16 },
	{ 16, 3, 8, 4, 0, 16 },
	{ 0, 0, 8, 4, 0, 0 },
	/* from empty: first, then doubled until need fits */
	{ 0, 1, 8, 64, 0, 64 },
	{ 0, 65, 8, 64, 0, 128 },
	/* from a capacity: doubled from it */
	{ 16, 17, 8, 64, 0, 32 },
	{ 3, 13, 1, 64, 0, 24 },
	/* doubling past SIZE_MAX; items that fit in bytes that do not */
	{ SIZE_MAX / 2 + 1, SIZE_MAX, 1, 16, -ENOMEM, 0 },
	{ 16, SIZE_MAX / 8 + 1, 16, 16, -ENOMEM, 0 },
	/* degenerate arguments are refused, not looped on */
	{ 0, 1, 8, 0, -ENOMEM, 0 },
	{ 0, 1, 0, 16, -ENOMEM, 0 },
};

static void
test_cap(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++) {
		size_t cap = 7;                 /* left alone on failure */

		print_message("case %zu\n", i);
		assert_int_equal(grow_cap(cap_cases[i].cap, cap_cases[i].need, cap_cases[i].elem,
		                          cap_cases[i].first, &cap), cap_cases[i].r);
		assert_int_equal(cap, cap_cases[i].r == 0 ? cap_cases[i].want : 7);
	}
}

static void
test_grow_array(void **state)
{
	int64_t *a = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(GROW(a, cap, 1, 4), 0);
	assert_non_null(a);
	assert_int_equal(cap, 4);
	for (int i = 0; i < 4; i++)
		a[i] = i;
	assert_int_equal(GROW(a, cap, 3, 4), 0);        /* fits: unchanged */
	assert_int_equal(cap, 4);
	assert_int_equal(GROW(a, cap, 9, 4), 0);
	assert_int_equal(cap, 16);
	for (int i = 0; i < 4; i++)
		assert_int_equal(a[i], i);                  /* contents kept */
	a[15] = 15;
	/* a failure leaves the array and its capacity as they were */
	assert_int_equal(GROW(a, cap, SIZE_MAX / 4, 4), -ENOMEM);
	assert_int_equal(cap, 16);
	assert_int_equal(a[15], 15);
	free(a);
}

static void
test_grow_bytes(void **state)
{
	char *buf = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(grow_bytes(&buf, &cap, 0, 0, 8), 0);      /* room for the NUL */
	assert_int_equal(cap, 8);
	assert_int_equal(grow_bytes(&buf, &cap, 3, 4, 8), 0);      /* 3 + 4 + NUL fits in 8 */
	assert_int_equal(cap, 8);
	assert_int_equal(grow_bytes(&buf, &cap, 3, 5, 8), 0);      /* 9 does not */
	assert_int_equal(cap, 16);
	buf[0] = 'x';
	/* len + n + 1 past SIZE_MAX: refused, the buffer kept */
	assert_int_equal(grow_bytes(&buf, &cap, 4, SIZE_MAX - 4, 8), -ENOMEM);
	assert_int_equal(grow_bytes(&buf, &cap, 4, SIZE_MAX - 5, 8), -ENOMEM);
	assert_int_equal(cap, 16);
	assert_int_equal(buf[0], 'x');
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_grow_array),
		cmocka_unit_test(test_grow_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
