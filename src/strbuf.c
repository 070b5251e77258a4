/*
 * strbuf.c — the growing text buffer of include/strbuf.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "grow.h"

/* Room for n more bytes plus the NUL: 0, or the (sticky) failure. */
static int
strbuf_reserve(struct strbuf *b, size_t n)
{
	if (!b->err && grow_bytes(&b->p, &b->cap, b->len, n, 256) < 0)
		b->err = -ENOMEM;
	return b->err;
}

/* See strbuf.h. */
void
strbuf_putn(struct strbuf *b, const char *s, size_t n)
{
	if (strbuf_reserve(b, n) < 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* See strbuf.h. */
void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_putn(b, s, strlen(s));
}

/* See strbuf.h. */
void
strbuf_putc(struct strbuf *b, char c)
{
	strbuf_putn(b, &c, 1);
}

/* See strbuf.h. Formats into the room there is, and once more when it did not fit. */
void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	for (int round = 0; round < 2; round++) {
		size_t room;

		if (strbuf_reserve(b, round == 0 ? 128 : (size_t)n) < 0)
			return;
		room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;       /* a bad format: a bug, but never a cut text */
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
	}
}

/* See strbuf.h. */
int
strbuf_finish(struct strbuf *b, char **ret, size_t *ret_len)
{
	int err;

	if (!b->p && !b->err) {
		/* nothing was added: the text is "" */
		if ((b->p = calloc(1, 1)))
			b->cap = 1;
		else
			b->err = -ENOMEM;
	}
	if ((err = b->err) < 0) {
		free(b->p);
		*b = (struct strbuf){ 0 };
		return err;
	}
	*ret = b->p;
	if (ret_len)
		*ret_len = b->len;
	*b = (struct strbuf){ 0 };
	return 0;
}
