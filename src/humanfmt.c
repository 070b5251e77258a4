/*
 * humanfmt.c — figures for people: bytes, counts and durations in the
 * daemon's STATUS line and the --once progress lines. Pure.
 */
#include <stdio.h>

#include "humanfmt.h"

/* See humanfmt.h. */
void
fmt_bytes(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	if (b < 0)
		b = 0;
	while (b >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f B", b);
	else
		snprintf(buf, len, b < 10 ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

/* See humanfmt.h. */
void
fmt_count(char *buf, size_t len, double n)
{
	if (n < 0)
		n = 0;
	if (n < 1000)
		snprintf(buf, len, "%.0f", n);
	else if (n < 1e6)
		snprintf(buf, len, "%.1fk", n / 1e3);
	else
		snprintf(buf, len, "%.1fM", n / 1e6);
}

/* See humanfmt.h. */
void
fmt_duration(char *buf, size_t len, int64_t ms)
{
	int64_t s;

	if (ms < 0)
		ms = 0;
	s = ms / 1000;
	if (s < 60)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}
