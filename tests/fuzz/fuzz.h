/*
 * fuzz.h — shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c) and the
 * standalone replay driver (tests/fuzz/driver.c).
 *
 * A harness checks invariants with FUZZ_CHECK: a broken one prints the
 * harness, the line and the condition and aborts, which libFuzzer reports as
 * a crash (and saves the input) and the replay driver as a failed test.
 * Harnesses are deterministic, allocate nothing they do not free per input,
 * write no files and log nothing.
 */
#ifndef TELEQD_FUZZ_H
#define TELEQD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "map.h"
#include "tq_config.h"
#include "utf8.h"

/* Inputs above this are ignored: every parser bounds its own input anyway. */
#define FUZZ_MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

static inline TQ_NORETURN void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* A malloc'd copy of data[0..size) with nothing after it, so ASan sees every over-read. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	else
		p[0] = '\0';
	return p;
}

/* The same, NUL-terminated (for the APIs taking C strings). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

/* True when an 8-bit encoding leaves byte c undefined (CP1252's five holes). */
static inline bool fuzz_undefined_in(enum encoding enc, unsigned char c)
{
	return enc == ENC_CP1252 && (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D);
}

/* The to_utf8 output buffer for len input bytes: 3 each at most (none: 1). */
static inline char *fuzz_utf8_out(size_t len)
{
	char *out = malloc(len ? 3 * len : 1);

	if (!out)
		abort();
	return out;
}

/*
 * The map results both map harnesses (fuzz_map, fuzz_config) hold to the
 * same rule: a skipped record only in CSV, and a new header only in a
 * headered CSV file that had one.
 */
static inline void fuzz_check_skip_header(const struct feed_conf *fc, const struct parse_state *ps,
                                          enum map_result mr)
{
	if (mr == MAP_SKIP)
		FUZZ_CHECK(fc->format == FORMAT_CSV);
	if (mr == MAP_HEADER)
		FUZZ_CHECK(fc->format == FORMAT_CSV && fc->csv.header && ps->have_header);
}

/* True when p[0..len) lies within base[0..cap). */
static inline bool fuzz_within(const char *p, size_t len, const char *base, size_t cap)
{
	return p >= base && p <= base + cap && len <= (size_t)(base + cap - p);
}

/* memmem without relying on _GNU_SOURCE in every translation unit. */
static inline const char *fuzz_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return h;
	for (size_t i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

#endif /* TELEQD_FUZZ_H */
