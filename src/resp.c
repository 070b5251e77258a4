/*
 * resp.c — building Redis commands: a bump arena for the strings of one
 * command, the argument arrays that point into it, and the RESP encoding
 * of a finished command. Pure memory work, no I/O: store.c, commit.c,
 * recompute.c, alerter.c and outbox.c build their commands with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "keys.h"
#include "map.h"
#include "tq_config.h"
#include "grow.h"
#include "store_priv.h"

#define ARENA_BLOCK         (64 * 1024)
#define KEY_MAX             (64 * 1024)
#define FIELD_MAX           (64 * 1024)
struct arena_block {
	struct arena_block *next;
	size_t              cap, used;
	char                data[];
};

/*
 * Returns room for at least want bytes at the end of the arena (the
 * current block, or a new one) and its size in *ret_avail. NULL on ENOMEM.
 * Nothing is taken until arena_take().
 */
char *
arena_room(struct arena *a, size_t want, size_t *ret_avail)
{
	struct arena_block *b = a->cur, *nb;
	size_t cap;

	if (b && b->cap - b->used >= want) {
		*ret_avail = b->cap - b->used;
		return b->data + b->used;
	}
	cap = want > ARENA_BLOCK ? want : ARENA_BLOCK;
	nb = malloc(sizeof(*nb) + cap);
	if (!nb)
		return NULL;
	nb->next = NULL;
	nb->cap = cap;
	nb->used = 0;
	if (b)
		b->next = nb;
	else
		a->head = nb;
	a->cur = nb;
	*ret_avail = cap;
	return nb->data;
}

/* Takes n bytes of the room arena_room() returned last. */
void
arena_take(struct arena *a, size_t n)
{
	a->cur->used += n;
}

/* Forgets every string; keeps the first block so steady state allocates nothing. */
void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a->head)
		return;
	for (b = a->head->next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head->next = NULL;
	a->head->used = 0;
	a->cur = a->head;
}

/* Frees every block. Safe on a zeroed or already freed arena. */
void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = a->cur = NULL;
}

/* Copies s[0..len) and a NUL into the arena. Returns the copy, NULL on ENOMEM. */
char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	size_t avail;
	char *p = arena_room(a, len + 1, &avail);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	arena_take(a, len + 1);
	return p;
}

/* printf into the arena. Returns the string (length in *ret_len), NULL on ENOMEM. */
char *
arena_printf(struct arena *a, size_t *ret_len, const char *fmt, ...)
{
	va_list ap;
	size_t avail;
	char *p;
	int n;

	if (!(p = arena_room(a, 32, &avail)))
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(p, avail, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if ((size_t)n >= avail) {
		if (!(p = arena_room(a, (size_t)n + 1, &avail)))
			return NULL;
		va_start(ap, fmt);
		vsnprintf(p, avail, fmt, ap);
		va_end(ap);
	}
	arena_take(a, (size_t)n + 1);
	if (ret_len)
		*ret_len = (size_t)n;
	return p;
}

/*
 * Writes a text for cfg into buf[0..len) (NUL-terminated): its length, or
 * -ENOBUFS when it does not fit, another -errno when it cannot be written.
 */
typedef int arena_fmt_fn(const struct config *cfg, const void *what, char *buf, size_t len);

/*
 * The text fmt writes, in the arena: tried in want bytes, then in twice
 * the room given while it does not fit and the room is below max. NULL on
 * ENOMEM, past max, or when fmt fails otherwise. Inline: with fmt known
 * at each caller it compiles to the loop each had before.
 */
static inline char *
arena_fit(struct arena *a, size_t want, size_t max, arena_fmt_fn *fmt, const struct config *cfg,
          const void *what, size_t *ret_len)
{
	size_t avail;
	char *p;
	int n;

	for (;;) {
		if (!(p = arena_room(a, want, &avail)))
			return NULL;
		n = fmt(cfg, what, p, avail);
		if (n >= 0 && (size_t)n < avail) {
			arena_take(a, (size_t)n + 1);
			if (ret_len)
				*ret_len = (size_t)n;
			return p;
		}
		if (n != -ENOBUFS || avail >= max)
			return NULL;
		want = avail * 2;
	}
}

static int
fmt_key(const struct config *cfg, const void *rest, char *buf, size_t len)
{
	return key_name(cfg, buf, len, "%s", (const char *)rest);
}

static int
fmt_combo(const struct config *cfg, const void *c, char *buf, size_t len)
{
	return combo_format(cfg, c, buf, len);
}

/* The key "<prefix>{<tag>}:<rest>" in the arena. NULL on ENOMEM or an absurd length. */
char *
arena_key(struct arena *a, const struct config *cfg, const char *rest, size_t *ret_len)
{
	return arena_fit(a, 128, KEY_MAX, fmt_key, cfg, rest, ret_len);
}

/* The counter field of combo c in the arena. NULL when it cannot be formatted. */
char *
arena_combo(struct arena *a, const struct config *cfg, const struct combo *c, size_t *ret_len)
{
	return arena_fit(a, 256, FIELD_MAX, fmt_combo, cfg, c, ret_len);
}

/* Makes room for n arguments in total. Returns 0 or -ENOMEM (ab unchanged). */
int
argv_reserve(struct argv_buf *ab, size_t n)
{
	const char **v;
	size_t *l, cap;

	if (n <= ab->cap)
		return 0;
	/* one capacity for both arrays: bounding the larger element bounds both */
	_Static_assert(sizeof(size_t) >= sizeof(const char *), "len is the larger array");
	if (grow_cap(ab->cap, n, sizeof(*l), 64, &cap) < 0)
		return -ENOMEM;
	if (!(v = realloc(ab->argv, cap * sizeof(*v))))
		return -ENOMEM;
	ab->argv = v;
	if (!(l = realloc(ab->len, cap * sizeof(*l))))
		return -ENOMEM;
	ab->len = l;
	ab->cap = cap;
	return 0;
}

/* Frees the arrays. Safe on a zeroed buffer. */
void
argv_free(struct argv_buf *ab)
{
	if (!ab)
		return;
	free(ab->argv);
	free(ab->len);
	memset(ab, 0, sizeof(*ab));
}

/* Writes v in decimal at p; returns the end. */
static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * The decimal text of v in the arena, as "%" PRId64 prints it but without
 * printf's cost: commits and recomputes format thousands of counts and
 * indexes. *ret_len gets the length. NULL on ENOMEM.
 */
char *
arena_i64(struct arena *a, int64_t v, size_t *ret_len)
{
	size_t avail;
	char *p, *e;

	if (!(p = arena_room(a, 24, &avail)))
		return NULL;
	e = p;
	if (v < 0) {
		*e++ = '-';
		e = put_u64(e, (uint64_t)0 - (uint64_t)v);
	} else {
		e = put_u64(e, (uint64_t)v);
	}
	*e = '\0';
	*ret_len = (size_t)(e - p);
	arena_take(a, *ret_len + 1);
	return p;
}

/*
 * Formats ab as one RESP command into *buf (grown as needed, kept for the
 * next call; the caller frees it). One pass that sizes and one that
 * copies: hiredis's own formatting appends every argument through
 * sdscatfmt, which dominated a commit of tens of thousands of ids.
 * The command is NUL-terminated (not counted in the length), as hiredis's
 * own commands are: redisAsyncFormattedCommand walks the arguments and
 * ends its walk with strchr. Returns the length, or -ENOMEM.
 */
ssize_t
resp_format(const struct argv_buf *ab, char **buf, size_t *cap)
{
	size_t need = 1 + 20 + 2 + 1, i;
	char *p;

	for (i = 0; i < ab->n; i++)
		need += 1 + 20 + 2 + ab->len[i] + 2;
	if (need > *cap) {
		if (!(p = realloc(*buf, need)))
			return -ENOMEM;
		*buf = p;
		*cap = need;
	}
	p = *buf;
	*p++ = '*';
	p = put_u64(p, ab->n);
	*p++ = '\r';
	*p++ = '\n';
	for (i = 0; i < ab->n; i++) {
		*p++ = '$';
		p = put_u64(p, ab->len[i]);
		*p++ = '\r';
		*p++ = '\n';
		memcpy(p, ab->argv[i], ab->len[i]);
		p += ab->len[i];
		*p++ = '\r';
		*p++ = '\n';
	}
	*p = '\0';
	return p - *buf;
}

/* ------------------------------------------------------- sorted numbers */

/* qsort order of int64_t. */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts v[0..n) and removes repeats; returns the new count. */
size_t
i64_sort_unique(int64_t *v, size_t n)
{
	size_t i, m = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	for (i = 1; i < n; i++)
		if (v[i] != v[m])
			v[++m] = v[i];
	return m + 1;
}

/* Index of x in sorted unique v[0..n), or n when absent. */
size_t
i64_find(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == x ? lo : n;
}
