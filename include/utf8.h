/* utf8.h — utf8.c: UTF-8 checks and conversion from legacy encodings. Conventions: core.h. */
#ifndef TQ_UTF8_H
#define TQ_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ----------------------------------------------------------------- utf8.c */
enum encoding { ENC_UTF8, ENC_CP1252, ENC_LATIN1 };

/* Code points in the NUL-terminated UTF-8 string s (bytes that are not continuation bytes). */
size_t utf8_width(const char *s);
/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/*
 * Converts s[0..len) from enc to UTF-8 in out (cap bytes; 3*len always
 * suffices). ENC_UTF8 validates and copies. Returns the output length,
 * -EILSEQ for a byte invalid in enc (or invalid UTF-8), -ENOBUFS when cap is
 * too small.
 */
ssize_t to_utf8(enum encoding enc, const char *s, size_t len, char *out, size_t cap);

#endif /* TQ_UTF8_H */
