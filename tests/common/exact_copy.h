/*
 * exact_copy.h — input in exact-size heap blocks for the parser tests
 * (test_csv, test_json): no terminating NUL and no slack, so ASan reports
 * any read past the input or write past the scratch. Include after
 * <cmocka.h>.
 */
#ifndef TQ_TEST_EXACT_COPY_H
#define TQ_TEST_EXACT_COPY_H

#include <stdlib.h>
#include <string.h>

/*
 * Frees *in and *scratch (the previous call's, or NULL), then sets *in to a
 * copy of the len bytes at s and *scratch to len bytes of its own (one byte
 * each when len is 0, so malloc's answer is never NULL by right). They stay
 * valid until the next call, for assertions on what points into them.
 */
static inline void
exact_copy(const char *s, size_t len, char **in, char **scratch)
{
	free(*in);
	free(*scratch);
	*in = malloc(len ? len : 1);
	*scratch = malloc(len ? len : 1);
	assert_non_null(*in);
	assert_non_null(*scratch);
	if (len)
		memcpy(*in, s, len);
}

#endif /* TQ_TEST_EXACT_COPY_H */
