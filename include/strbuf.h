/*
 * strbuf.h — an append-only, always NUL-terminated text buffer whose
 * first failure sticks: callers append freely and check once at the end
 * (strbuf_finish). Used to build mails (message.c) and the /metrics page
 * (metrics.c). A zeroed struct strbuf is an empty buffer.
 */
#ifndef TELEQD_STRBUF_H
#define TELEQD_STRBUF_H

#include <stddef.h>

#include "core.h"       /* TQ_PRINTF */

struct strbuf {
	char   *p;          /* the text, NUL-terminated once anything was added */
	size_t  len, cap;
	int     err;        /* 0, or the first failure: -ENOMEM, -EINVAL (a bad format) */
};

/* Appends s[0..n). On failure only b->err is set (and later appends do nothing). */
void strbuf_putn(struct strbuf *b, const char *s, size_t n);

/* Appends the NUL-terminated s; as strbuf_putn. */
void strbuf_puts(struct strbuf *b, const char *s);

/* Appends one byte; as strbuf_putn. */
void strbuf_putc(struct strbuf *b, char c);

/* Appends printf-style text of any length; as strbuf_putn (-EINVAL for a bad format). */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) TQ_PRINTF(2, 3);

/*
 * Hands the text over: *ret gets it (caller frees; an empty string when
 * nothing was added), *ret_len (may be NULL) its length, and b is zeroed.
 * Returns 0, or b's first failure (the text is then freed, b zeroed and
 * the out-parameters left alone).
 */
int strbuf_finish(struct strbuf *b, char **ret, size_t *ret_len);

#endif
