/* scan.h — scan.c: strict readers of our own text formats. Conventions: core.h. */
#ifndef TQ_SCAN_H
#define TQ_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------- scan.c */
/* Strict readers of the text formats teleqd writes itself (ew_format, case_format). */
int  scan_int(const char *s, size_t len, size_t *pos, bool neg_ok, int64_t *ret);
bool scan_lit(const char *s, size_t len, size_t *pos, const char *lit);
/* All of s[0..len) as an unsigned number, base 10 or 16 (lowercase). */
bool scan_u64(const char *s, size_t len, int base, uint64_t *ret);

#endif /* TQ_SCAN_H */
