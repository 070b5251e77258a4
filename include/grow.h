/*
 * grow.h — the one capacity-doubling reserve for growable arrays.
 *
 * Header-only and static inline: batch.c grows its arrays once per line
 * read, so the no-growth path must stay a compare and a return.
 */
#ifndef TELEQD_GROW_H
#define TELEQD_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The capacity to grow an array of cap items (elem bytes each) to so that
 * it holds need: cap itself when need <= cap, else first (when cap is 0)
 * or cap doubled until it is >= need. Pure. Returns 0 and the capacity in
 * *ret_cap, or -ENOMEM when the array would exceed SIZE_MAX bytes (or
 * first or elem is 0).
 */
static inline int
grow_cap(size_t cap, size_t need, size_t elem, size_t first, size_t *ret_cap)
{
	size_t n = cap ? cap : first;

	if (need <= cap) {
		*ret_cap = cap;
		return 0;
	}
	if (n == 0 || elem == 0)
		return -ENOMEM;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / elem)
		return -ENOMEM;
	*ret_cap = n;
	return 0;
}

/*
 * Makes the array at *(T **)arrp (cap items of elem bytes) hold at least
 * need items, doubling from first (see grow_cap). Returns 0, the array and
 * *cap updated when it grew; -ENOMEM with both unchanged (the old array
 * still owned by the caller). Use through GROW, which checks the types.
 * The pointer is moved with memcpy so that any T * can be passed without
 * aliasing it as a void *.
 */
static inline int
grow_reserve(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t ncap;
	void *old, *p;

	if (need <= *cap)
		return 0;
	if (grow_cap(*cap, need, elem, first, &ncap) < 0)
		return -ENOMEM;
	memcpy(&old, arrp, sizeof(old));
	if (!(p = realloc(old, ncap * elem)))
		return -ENOMEM;
	memcpy(arrp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

/* GROW(b->ids, b->ids_cap, b->nids + 1, 16): grow_reserve on an array lvalue. */
#define GROW(arr, cap, need, first) \
	grow_reserve(&(arr), &(cap), (need), sizeof(*(arr)), (first))

/*
 * Makes room in the byte buffer *buf (cap bytes, len used) for n more
 * bytes and a NUL, doubling from first. Returns 0 or -ENOMEM (len + n + 1
 * past SIZE_MAX, or out of memory), the buffer and *cap then unchanged.
 */
static inline int
grow_bytes(char **buf, size_t *cap, size_t len, size_t n, size_t first)
{
	if (n >= SIZE_MAX - len)
		return -ENOMEM;
	return grow_reserve(buf, cap, len + n + 1, 1, first);
}

#endif
