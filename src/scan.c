/*
 * scan.c — reading the small text formats teleqd stores itself (alert
 * state, case state): canonical integers and literals, strictly. Pure.
 */
#include <errno.h>
#include <string.h>

#include "scan.h"

/*
 * Reads the canonical decimal integer at s[*pos..len): an optional '-'
 * when neg_ok, then digits without a superfluous leading zero ("-0" is
 * refused too), no overflow. Returns 0 and advances *pos, or -EINVAL
 * (*pos and *ret untouched).
 */
int
scan_int(const char *s, size_t len, size_t *pos, bool neg_ok, int64_t *ret)
{
	size_t i = *pos, start;
	bool neg = false;
	int64_t v = 0;

	if (neg_ok && i < len && s[i] == '-') {
		neg = true;
		i++;
	}
	start = i;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		/* Accumulate negatively so INT64_MIN would fit; overflow is an error. */
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, s[i] - '0', &v))
			return -EINVAL;
	}
	if (i == start || (s[start] == '0' && (i - start > 1 || neg)))
		return -EINVAL;
	if (!neg && __builtin_mul_overflow(v, -1, &v))
		return -EINVAL;
	*pos = i;
	*ret = v;
	return 0;
}

/* Matches the literal lit at s[*pos..len) and advances past it; false (*pos untouched) otherwise. */
bool
scan_lit(const char *s, size_t len, size_t *pos, const char *lit)
{
	size_t n = strlen(lit);

	if (len - *pos < n || memcmp(s + *pos, lit, n) != 0)
		return false;
	*pos += n;
	return true;
}

/*
 * Reads all of s[0..len) as an unsigned number in base 10 or 16 (digits and
 * lowercase a-f; leading zeros allowed, as in fixed-width hex). Returns
 * true and *ret, or false on an empty string, another character or
 * overflow (*ret untouched).
 */
bool
scan_u64(const char *s, size_t len, int base, uint64_t *ret)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (uint64_t)(c - 'a') + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*ret = v;
	return true;
}
