/* Unit tests: tz.c (zones from glibc, wall-clock conversion, memos). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stdbool.h>

#include "tz.h"

#define DAY  86400
#define HOUR 3600

static int64_t ymdhms(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s;
}

/* Day of month of the last Sunday of month m, computed independently of tz.c. */
static unsigned last_sunday(int64_t y, unsigned m)
{
	for (unsigned d = days_in_month(y, m);; d--) {
		int64_t z = days_from_civil(y, m, d);

		if (((z % 7) + 7 + 4) % 7 == 0)
			return d;
	}
}

static bool have_zoneinfo(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return access(path, R_OK) == 0;
}

/* The Stockholm checks (its rule "CET-1CEST,M3.5.0,M10.5.0/3" since 1996). */
/*
 * tz_wall_to_utc(tz, wall) is want with flags want_flags; a failure names
 * the caller's line (the macro), so each case still says which it is.
 */
#define assert_wall(tz, wall, want, want_flags) \
	assert_wall_at(tz, wall, want, want_flags, __FILE__, __LINE__)
static void assert_wall_at(const struct tz *tz, int64_t wall, int64_t want, int want_flags,
                           const char *file, int line)
{
	int flags = -1;

	_assert_int_equal(cast_to_largest_integral_type(tz_wall_to_utc(tz, wall, &flags)),
	                  cast_to_largest_integral_type(want), file, line);
	_assert_int_equal(cast_to_largest_integral_type(flags),
	                  cast_to_largest_integral_type(want_flags), file, line);
}

static void check_stockholm(const struct tz *tz)
{
	int64_t spring = ymdhms(2026, 3, 29, 1, 0, 0), autumn = ymdhms(2026, 10, 25, 1, 0, 0);

	/* Offsets around the 2026 transitions (01:00 UTC both). */
	assert_int_equal(tz_utc_offset(tz, spring - 1), HOUR);
	assert_int_equal(tz_utc_offset(tz, spring), 2 * HOUR);
	assert_int_equal(tz_utc_offset(tz, spring + 1), 2 * HOUR);
	assert_int_equal(tz_utc_offset(tz, autumn - 1), 2 * HOUR);
	assert_int_equal(tz_utc_offset(tz, autumn), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2026, 1, 15, 12, 0, 0)), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2026, 7, 15, 12, 0, 0)), 2 * HOUR);

	/* Spring gap: 02:30 does not exist; read with CET, i.e. 03:30 CEST. */
	assert_wall(tz, ymdhms(2026, 3, 29, 2, 30, 0), ymdhms(2026, 3, 29, 1, 30, 0), TZ_GAP);
	assert_wall(tz, ymdhms(2026, 3, 29, 2, 0, 0), ymdhms(2026, 3, 29, 1, 0, 0), TZ_GAP);
	assert_wall(tz, ymdhms(2026, 3, 29, 2, 59, 59), ymdhms(2026, 3, 29, 1, 59, 59), TZ_GAP);
	assert_wall(tz, ymdhms(2026, 3, 29, 1, 59, 59), ymdhms(2026, 3, 29, 0, 59, 59), 0);
	assert_wall(tz, ymdhms(2026, 3, 29, 3, 0, 0), ymdhms(2026, 3, 29, 1, 0, 0), 0);

	/* Autumn: 02:30 happens twice; the earlier (CEST) instant is taken. */
	assert_wall(tz, ymdhms(2026, 10, 25, 2, 30, 0), ymdhms(2026, 10, 25, 0, 30, 0), TZ_AMBIGUOUS);
	assert_wall(tz, ymdhms(2026, 10, 25, 2, 0, 0), ymdhms(2026, 10, 25, 0, 0, 0), TZ_AMBIGUOUS);
	assert_wall(tz, ymdhms(2026, 10, 25, 2, 59, 59), ymdhms(2026, 10, 25, 0, 59, 59), TZ_AMBIGUOUS);
	assert_wall(tz, ymdhms(2026, 10, 25, 1, 59, 59), ymdhms(2026, 10, 24, 23, 59, 59), 0);
	assert_wall(tz, ymdhms(2026, 10, 25, 3, 0, 0), ymdhms(2026, 10, 25, 2, 0, 0), 0);

	/* A call at 00:30 local on 1 March is still 28 February in UTC. */
	assert_wall(tz, ymdhms(2026, 3, 1, 0, 30, 0), ymdhms(2026, 2, 28, 23, 30, 0), 0);
	assert_int_equal(tz_wall_to_utc(tz, ymdhms(2026, 7, 1, 0, 30, 0), NULL), ymdhms(2026, 6, 30, 22, 30, 0));

	/* Far beyond any table: the footer rule (2090, 2350). */
	for (int64_t y = 2027; y <= 2400; y += (y < 2100 ? 1 : 37)) {
		int64_t s = ymdhms(y, 3, last_sunday(y, 3), 1, 0, 0);
		int64_t a = ymdhms(y, 10, last_sunday(y, 10), 1, 0, 0);

		assert_int_equal(tz_utc_offset(tz, s - 1), HOUR);
		assert_int_equal(tz_utc_offset(tz, s), 2 * HOUR);
		assert_int_equal(tz_utc_offset(tz, a - 1), 2 * HOUR);
		assert_int_equal(tz_utc_offset(tz, a), HOUR);
		assert_wall(tz, s + 2 * HOUR - 1, s + HOUR - 1, TZ_GAP);
		assert_wall(tz, a + HOUR + 1800, a - 1800, TZ_AMBIGUOUS);
	}
	assert_int_equal(tz_utc_offset(tz, ymdhms(2090, 7, 1, 0, 0, 0)), 2 * HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2090, 12, 1, 0, 0, 0)), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2350, 7, 1, 0, 0, 0)), 2 * HOUR);
	/* The table/rule seam at the end of 2200. */
	assert_int_equal(tz_utc_offset(tz, ymdhms(2200, 12, 31, 23, 0, 0)), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2201, 1, 1, 0, 0, 0)), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2201, 6, 1, 0, 0, 0)), 2 * HOUR);
	/* Absurd instants do not crash. */
	(void)tz_utc_offset(tz, INT64_MAX);
	(void)tz_utc_offset(tz, INT64_MIN);
	(void)tz_wall_to_utc(tz, INT64_MAX, NULL);
	(void)tz_wall_to_utc(tz, INT64_MIN, NULL);
}

/*
 * For every wall time (step seconds apart) in [from, to): the result reads
 * back as the wall time unless in a gap, and ambiguity is reported exactly
 * when a later instant reads back the same.
 */
static void check_wall_consistent(const struct tz *tz, int64_t from, int64_t to, int64_t step)
{
	for (int64_t w = from; w < to; w += step) {
		int flags = -1;
		int64_t u = tz_wall_to_utc(tz, w, &flags);
		bool later = false;

		if (flags == TZ_GAP) {
			/* Nothing reads as w; the result is after a forward jump. */
			assert_true(u + tz_utc_offset(tz, u) > w);
			continue;
		}
		assert_int_equal(u + tz_utc_offset(tz, u), w);
		/* Any other instant showing w lies within a day of u. */
		for (int64_t v = u + 1800; v <= u + 26 * HOUR; v += 1800)
			later |= v + tz_utc_offset(tz, v) == w;
		assert_int_equal(flags, later ? TZ_AMBIGUOUS : 0);
	}
}

/*
 * The memo variants agree with the plain lookups: time-ordered sweeps
 * across DST changes (memo hits and refills), steps backwards (misses),
 * and a second zone sharing the memo, including one built at the address
 * of a freed zone (the serial tells them apart).
 */
static void test_memo(void **state)
{
	struct tz *cet, *ny;
	struct tz_memo memo;
	int64_t from = ymdhms(2025, 12, 1, 0, 0, 0), to = ymdhms(2027, 1, 1, 0, 0, 0);

	memset(&memo, 0, sizeof(memo));
	(void)state;
	if (!have_zoneinfo("Europe/Stockholm") || !have_zoneinfo("America/New_York"))
		skip();
	assert_int_equal(tz_load("Europe/Stockholm", &cet), 0);
	assert_int_equal(tz_load("America/New_York", &ny), 0);
	for (int64_t t = from; t < to; t += 599) {
		assert_int_equal(tz_utc_offset_memo(cet, &memo, t), tz_utc_offset(cet, t));
		assert_int_equal(tz_wall_to_utc_memo(cet, &memo, t), tz_wall_to_utc(cet, t, NULL));
		/* A step back, and the other zone, in between. */
		assert_int_equal(tz_utc_offset_memo(cet, &memo, t - 7 * 86400),
		                 tz_utc_offset(cet, t - 7 * 86400));
		if (t % 7 == 0)
			assert_int_equal(tz_wall_to_utc_memo(ny, &memo, t), tz_wall_to_utc(ny, t, NULL));
	}
	/* Every second around the spring gap and the autumn fold. */
	for (int64_t t = ymdhms(2026, 3, 29, 0, 0, 0); t < ymdhms(2026, 3, 29, 5, 0, 0); t++)
		assert_int_equal(tz_wall_to_utc_memo(cet, &memo, t), tz_wall_to_utc(cet, t, NULL));
	for (int64_t t = ymdhms(2026, 10, 25, 0, 0, 0); t < ymdhms(2026, 10, 25, 5, 0, 0); t++)
		assert_int_equal(tz_wall_to_utc_memo(cet, &memo, t), tz_wall_to_utc(cet, t, NULL));

	/* A new zone, perhaps at the old one's address, is not read from the memo. */
	assert_int_equal(tz_utc_offset_memo(cet, &memo, ymdhms(2026, 7, 1, 0, 0, 0)), 2 * HOUR);
	tz_free(cet);
	assert_int_equal(tz_load("UTC", &cet), 0);
	assert_int_equal(tz_utc_offset_memo(cet, &memo, ymdhms(2026, 7, 1, 0, 0, 1)), 0);
	assert_int_equal(tz_wall_to_utc_memo(cet, &memo, ymdhms(2026, 7, 1, 0, 0, 2)),
	                 ymdhms(2026, 7, 1, 0, 0, 2));
	tz_free(cet);
	tz_free(ny);
}

/*
 * The memo's reading near a change (the offset on each side, without
 * bisection) equals the plain lookup's in zones with odd changes: a
 * 30-minute DST (Lord Howe), a day skipped (Apia, 2011-12-30), DST
 * suspended for Ramadan (Casablanca) and a -3:30 zone (St John's).
 * Walls every 599 s over 2011-2013, so every change of those years is
 * crossed, plus every second of the hours around Apia's skip.
 */
static void test_memo_odd_zones(void **state)
{
	static const char *const zones[] = {
		"Australia/Lord_Howe", "Pacific/Apia", "Africa/Casablanca", "America/St_Johns",
	};
	int64_t from = ymdhms(2011, 1, 1, 0, 0, 0), to = ymdhms(2014, 1, 1, 0, 0, 0);

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct tz *tz;
		struct tz_memo memo;

		if (!have_zoneinfo(zones[z]))
			continue;
		memset(&memo, 0, sizeof(memo));
		assert_int_equal(tz_load(zones[z], &tz), 0);
		for (int64_t t = from; t < to; t += 599) {
			int64_t want = tz_wall_to_utc(tz, t, NULL);

			if (tz_wall_to_utc_memo(tz, &memo, t) != want)
				fail_msg("%s: wall %lld: memo %lld, plain %lld", zones[z], (long long)t,
				    (long long)tz_wall_to_utc_memo(tz, &memo, t), (long long)want);
		}
		tz_free(tz);
	}
}

static void test_stockholm_tzdata(void **state)
{
	struct tz *tz = NULL;

	(void)state;
	if (!have_zoneinfo("Europe/Stockholm"))
		skip();
	assert_int_equal(tz_load("Europe/Stockholm", &tz), 0);
	assert_non_null(tz);
	check_stockholm(tz);
	/* History only the file knows: no DST in Sweden in 1979, CEST in 1980. */
	assert_int_equal(tz_utc_offset(tz, ymdhms(1979, 7, 1, 0, 0, 0)), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(1980, 7, 1, 0, 0, 0)), 2 * HOUR);
	/* Before 1900 Stockholm kept local mean time (+1:12:12). */
	assert_int_equal(tz_utc_offset(tz, ymdhms(1870, 1, 1, 0, 0, 0)), 4332);
	check_wall_consistent(tz, ymdhms(2025, 1, 1, 0, 0, 0), ymdhms(2027, 1, 1, 0, 0, 0), 900);
	tz_free(tz);
}

/*
 * Every 15 minutes of 2025 and 2026 in Europe/Stockholm, against values
 * derived from the four known DST changes (last Sundays of March and
 * October, 01:00 UTC): the offset of each instant, and the reading of each
 * wall time (gap: the CET reading; fold: the earlier, CEST instant), plain
 * and through a memo. Written against the TZif parser before it was
 * replaced by glibc, as the proof that both agree.
 */
static void test_stockholm_15min(void **state)
{
	const int64_t chg[][2] = {
		{ ymdhms(2025, 3, 30, 1, 0, 0), ymdhms(2025, 10, 26, 1, 0, 0) },
		{ ymdhms(2026, 3, 29, 1, 0, 0), ymdhms(2026, 10, 25, 1, 0, 0) },
	};
	const int64_t from = ymdhms(2025, 1, 1, 0, 0, 0), to = ymdhms(2027, 1, 1, 0, 0, 0);
	struct tz_memo memo;
	struct tz *tz = NULL;
	unsigned ngap = 0, nfold = 0;

	(void)state;
	if (!have_zoneinfo("Europe/Stockholm"))
		skip();
	assert_int_equal(tz_load("Europe/Stockholm", &tz), 0);
	memset(&memo, 0, sizeof(memo));
	for (int64_t t = from; t < to; t += 900) {
		const int64_t *c = chg[t >= ymdhms(2026, 1, 1, 0, 0, 0)];
		int32_t want = t >= c[0] && t < c[1] ? 2 * HOUR : HOUR;
		/* t read as a wall time: summer time from 03:00 to the fold's end at 03:00 CET. */
		int64_t w = t, wu = w >= c[0] + 2 * HOUR && w < c[1] + 2 * HOUR ? w - 2 * HOUR : w - HOUR;
		int wflags = 0;

		if (w >= c[0] + HOUR && w < c[0] + 2 * HOUR) {
			wu = w - HOUR;
			wflags = TZ_GAP;
			ngap++;
		} else if (w >= c[1] + HOUR && w < c[1] + 2 * HOUR) {
			wflags = TZ_AMBIGUOUS;
			nfold++;
		}
		if (tz_utc_offset(tz, t) != want)
			fail_msg("offset at %lld: %d, want %d", (long long)t, tz_utc_offset(tz, t), want);
		assert_int_equal(tz_utc_offset_memo(tz, &memo, t), want);
		assert_wall(tz, w, wu, wflags);
		assert_int_equal(tz_wall_to_utc_memo(tz, &memo, w), wu);
	}
	assert_int_equal(ngap, 8);
	assert_int_equal(nfold, 8);
	tz_free(tz);
}

static void test_utc(void **state)
{
	static const int64_t probes[] = { INT64_MIN / 2, -1, 0, 1, 1772719387, 4102444800, INT64_MAX / 2 };
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_load("UTC", &tz), 0);       /* file, or the built-in fallback */
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		assert_int_equal(tz_utc_offset(tz, probes[i]), 0);
		assert_wall(tz, probes[i], probes[i], 0);
	}
	tz_free(tz);
	tz_free(NULL);
}

/* ------------------------------------------------------ hand-built TZif data */

struct tzif_spec {
	int            version;         /* 1 or 2/3 */
	size_t         n;
	const int64_t *when;
	const uint8_t *idx;
	size_t         ntypes;
	const int32_t *off;
	const char    *footer;          /* v2+: may be "" */
	uint32_t       leapcnt;         /* emitted as zero-filled records */
};

/* A copy of the environment variable name (NULL: unset), for env_restore. */
static char *env_save(const char *name)
{
	const char *v = getenv(name);

	return v ? strdup(v) : NULL;
}

/* Sets name back to saved (NULL: unsets it) and frees saved. */
static void env_restore(const char *name, char *saved)
{
	if (saved)
		setenv(name, saved, 1);
	else
		unsetenv(name);
	free(saved);
}

static size_t put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static size_t put_header(unsigned char *p, int version, uint32_t leap, uint32_t timecnt, uint32_t typecnt,
                         uint32_t charcnt)
{
	memset(p, 0, 44);
	memcpy(p, "TZif", 4);
	p[4] = version == 1 ? 0 : (unsigned char)('0' + version);
	put32(p + 28, leap);
	put32(p + 32, timecnt);
	put32(p + 36, typecnt);
	put32(p + 40, charcnt);
	return 44;
}

/* Writes the data block: times, indexes, types, "X\0" as the only name. */
static size_t put_block(unsigned char *p, const struct tzif_spec *s, unsigned timesize)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (timesize == 8) {
			k += put32(p + k, (uint32_t)((uint64_t)s->when[i] >> 32));
			k += put32(p + k, (uint32_t)s->when[i]);
		} else {
			k += put32(p + k, (uint32_t)s->when[i]);
		}
	}
	for (size_t i = 0; i < s->n; i++)
		p[k++] = s->idx[i];
	for (size_t i = 0; i < s->ntypes; i++) {
		k += put32(p + k, (uint32_t)s->off[i]);
		p[k++] = s->off[i] != s->off[0];
		p[k++] = 0;
	}
	p[k++] = 'X';
	p[k++] = 0;
	memset(p + k, 0, s->leapcnt * (timesize + 4));
	k += s->leapcnt * (timesize + 4);
	return k;
}

static size_t build_tzif(unsigned char *p, const struct tzif_spec *s)
{
	size_t k = 0;

	if (s->version == 1) {
		k += put_header(p, 1, s->leapcnt, (uint32_t)s->n, (uint32_t)s->ntypes, 2);
		return k + put_block(p + k, s, 4);
	}
	/* A minimal v1 block, as zic -b slim writes, then the real 64-bit data. */
	k += put_header(p, s->version, 0, 0, 1, 1);
	k += put32(p + k, 0);
	p[k++] = 0;
	p[k++] = 0;
	p[k++] = 0;
	k += put_header(p + k, s->version, s->leapcnt, (uint32_t)s->n, (uint32_t)s->ntypes, 2);
	k += put_block(p + k, s, 8);
	k += (size_t)sprintf((char *)p + k, "\n%s\n", s->footer);
	return k;
}

/* ------------------------------------------------------------------ tz_load */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	const int64_t when[] = { 946684800 };
	const uint8_t idx[] = { 1 };
	const int32_t off[] = { HOUR, 2 * HOUR };
	struct tzif_spec s = { .version = 2, .n = 1, .when = when, .idx = idx, .ntypes = 2, .off = off,
	                       .footer = "<+02>-2" };
	char dir[] = "/tmp/test_tz.XXXXXX", path[PATH_MAX];
	unsigned char buf[512];
	size_t len = build_tzif(buf, &s);
	struct tz *tz = (struct tz *)&tz;
	struct tz *const sentinel = tz;
	char *big;
	char *saved = env_save("TZDIR");
	static const char *const made[] = { "Test/Zone", "Big", "Fifo", "Garbage", "Hollow" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Test", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	write_file(path, buf, len);
	snprintf(path, sizeof(path), "%s/Big", dir);
	big = calloc(1, 300 * 1024);
	assert_non_null(big);
	memcpy(big, buf, len);
	write_file(path, big, 300 * 1024);
	free(big);
	snprintf(path, sizeof(path), "%s/Fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/Garbage", dir);
	write_file(path, "not a zone\n", 11);
	/* The TZif magic, then nothing glibc can use: it would fall back to UTC silently. */
	snprintf(path, sizeof(path), "%s/Hollow", dir);
	write_file(path, "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);

	assert_int_equal(setenv("TZDIR", dir, 1), 0);
	assert_int_equal(tz_load("../etc/passwd", &tz), -EINVAL);
	assert_int_equal(tz_load("Test/../Test/Zone", &tz), -EINVAL);
	assert_int_equal(tz_load("/etc/localtime", &tz), -EINVAL);
	assert_int_equal(tz_load("", &tz), -EINVAL);
	assert_int_equal(tz_load(NULL, &tz), -EINVAL);
	assert_int_equal(tz_load("Nowhere/Zone", &tz), -ENOENT);
	assert_int_equal(tz_load("Test/Zone/x", &tz), -ENOENT);
	assert_int_equal(tz_load("Test", &tz), -ENOENT);
	assert_int_equal(tz_load("Big", &tz), -EINVAL);
	assert_int_equal(tz_load("Fifo", &tz), -EINVAL);
	assert_int_equal(tz_load("Garbage", &tz), -EINVAL);
	assert_int_equal(tz_load("Hollow", &tz), -EINVAL);
	assert_ptr_equal(tz, sentinel);

	assert_int_equal(tz_load("Test/Zone", &tz), 0);
	assert_int_equal(tz_utc_offset(tz, 946684799), HOUR);
	assert_int_equal(tz_utc_offset(tz, ymdhms(2090, 1, 1, 0, 0, 0)), 2 * HOUR);
	tz_free(tz);

	/* UTC works without tzdata. */
	assert_int_equal(tz_load("UTC", &tz), 0);
	assert_int_equal(tz_utc_offset(tz, 1772719387), 0);
	tz_free(tz);

	env_restore("TZDIR", saved);
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
	/* Leap-second zones: teleqd counts POSIX seconds. */
	if (have_zoneinfo("right/Europe/Stockholm"))
		assert_int_equal(tz_load("right/Europe/Stockholm", &tz), -EINVAL);
}

/* --------------------------------------------- cross-check against glibc */

/* glibc's offset at t for the zone in $TZ. */
static long libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(localtime_r(&tt, &tm));
	return tm.tm_gmtoff;
}

static void test_against_libc(void **state)
{
	static const char *const zones[] = {
		"Europe/Stockholm", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
		"America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "America/Nuuk",
		"Asia/Jerusalem", "Europe/Dublin", "America/Santiago", "Australia/Lord_Howe",
		"Antarctica/Troll", "Asia/Tehran", "Pacific/Apia", "America/St_Johns",
	};
	/*
	 * History and the footer rule's years (the old parser's table/rule seam
	 * at 2200 is gone; beyond 2037 glibc re-parses the footer per call).
	 */
	static const int64_t years[][2] = { { 1901, 2100 } };
	/* Fewer probes under valgrind (TQ_SLOW_TESTS set by the caller). */
	const bool slow = getenv("TQ_SLOW_TESTS") != NULL;
	const int64_t step = slow ? 86400 * 7 + 3607 : 3 * HOUR + 1237;
	char *saved = env_save("TZ");
	unsigned checked = 0;

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct tz *tz = NULL;

		if (!have_zoneinfo(zones[z]))
			continue;
		assert_int_equal(tz_load(zones[z], &tz), 0);
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t r = 0; r < sizeof(years) / sizeof(years[0]); r++) {
			const int64_t from = ymdhms(years[r][0], 1, 1, 0, 0, 0), to = ymdhms(years[r][1], 1, 1, 0, 0, 0);
			struct tz_memo memo;

			/* The memo's intervals of constant offset (probed and bisected) hold. */
			memset(&memo, 0, sizeof(memo));
			for (int64_t t = from; t < to; t += step) {
				long want = libc_offset(t);

				if (tz_utc_offset(tz, t) != want || tz_utc_offset_memo(tz, &memo, t) != want)
					fail_msg("%s at %lld: tz.c %d (memo %d), libc %ld", zones[z], (long long)t,
					         tz_utc_offset(tz, t), tz_utc_offset_memo(tz, &memo, t), want);
				checked++;
			}
		}
		/* Wall-clock conversion agrees with the offsets it produced. */
		check_wall_consistent(tz, ymdhms(2026, 1, 1, 0, 0, 0), ymdhms(2027, 1, 1, 0, 0, 0),
		                      slow ? 7 * HOUR + 60 : 1800);
		tz_free(tz);
	}
	env_restore("TZ", saved);
	tzset();
	if (checked == 0)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stockholm_tzdata),
		cmocka_unit_test(test_stockholm_15min),
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_against_libc),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_memo_odd_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
