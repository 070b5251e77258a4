/* humanfmt.h — humanfmt.c: figures for people (STATUS and progress lines). Conventions: core.h. */
#ifndef TELEQD_HUMANFMT_H
#define TELEQD_HUMANFMT_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- humanfmt.c */
/*
 * Each writes a NUL-terminated text into buf[0..len) (len > 0; cut to fit,
 * as snprintf). Negative inputs read as 0. Never fail.
 */
/* "812 B", "3.4 KiB", "812 MiB", "2.0 GiB": one decimal below 10 units (1024-based). */
void fmt_bytes(char *buf, size_t len, double b);
/* "950", "12.3k", "1.2M": a count or a rate (1000-based). */
void fmt_count(char *buf, size_t len, double n);
/* "4.2s" below a minute, "1m10s" below an hour, "2h05m" beyond: ms in milliseconds. */
void fmt_duration(char *buf, size_t len, int64_t ms);

#endif
