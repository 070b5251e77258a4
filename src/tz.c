/*
 * tz.c — time zones from glibc: a struct tz names a zone (a TZif file
 * under $TZDIR or /usr/share/zoneinfo) and glibc's localtime_r computes
 * its offsets. teleqd has one zone per process; the zone in force is set
 * with $TZ and tzset only when an object of another zone is asked (tests
 * use several), so nothing else in the process may set $TZ. The offset
 * lookups report an interval of constant offset (offset_at), which the
 * callers' memos (struct tz_memo) keep, so time-ordered events mostly skip
 * glibc; wall-clock times are converted here with the documented gap and
 * fold rules rather than with mktime, whose choice in a fold is
 * unspecified. Only tz_load does file I/O.
 */
#include "core.h"
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TZ_FILE_MAX         (256 * 1024)    /* real TZif files are < 4 KiB */
#define TZ_NAME_MAX         255
#define TZ_DEFAULT_DIR      "/usr/share/zoneinfo"
/* RFC 8536: utoff SHOULD be -24:59:59 .. +25:59:59; bounding it keeps wall +- offset exact. */
#define TZ_OFF_MIN          (-89999)
#define TZ_OFF_MAX          93599
/* Instants beyond +-2^55 s (~10^9 years) are clamped before asking glibc ... */
#define TZ_CLAMP            ((int64_t)1 << 55)
/* ... and wall times beyond +-2^62 before adding offsets. */
#define TZ_WALL_CLAMP       ((int64_t)1 << 62)
/*
 * offset_at probes glibc every TZ_PROBE seconds, TZ_PROBE_N times: below
 * the closest offset changes in tzdata (3.98 days), and 6 days in all, so
 * an interval spans the 2.1 days tz_wall_to_utc_memo needs.
 */
#define TZ_PROBE            (2 * SECS_PER_DAY)
#define TZ_PROBE_N          3
/* ":" and an absolute path, as $TZ takes a file; "UTC0" for UTC without tzdata. */
#define TZ_SPEC_MAX         (PATH_MAX + 1)

struct tz {
	uint64_t serial;                /* unique per zone built: tells memos apart (tz_memo) */
	char     spec[TZ_SPEC_MAX];     /* the value of $TZ for this zone */
};

/* Serial of the next zone built. */
static _Atomic uint64_t next_serial = 1;
/* The $TZ value tzset last read ("": none of ours). */
static char cur_spec[TZ_SPEC_MAX];
/* Serial of the zone last found to match cur_spec (0: none): the per-event fast path. */
static uint64_t cur_serial;

/* ------------------------------------------------------------------ lookup */

/*
 * Makes tz the zone of glibc's localtime_r: sets $TZ and calls tzset, only
 * when the zone in force is another (compared by spec, so two objects of
 * one zone, as the daemon and its store hold, do not flip it). glibc's
 * localtime_r does not re-read $TZ, hence the explicit tzset.
 */
static void
zone_use(const struct tz *tz)
{
	/* Called per event: the serial spares a strcmp of the zone's path each time. */
	if (tz->serial == cur_serial)
		return;
	if (strcmp(cur_spec, tz->spec) == 0) {
		cur_serial = tz->serial;
		return;
	}
	/* setenv fails only on ENOMEM: then glibc keeps the previous zone, so forget it. */
	if (setenv("TZ", tz->spec, 1) < 0) {
		cur_spec[0] = '\0';
		cur_serial = 0;
		return;
	}
	tzset();
	memcpy(cur_spec, tz->spec, sizeof(cur_spec));
	cur_serial = tz->serial;
}

/* glibc's UTC offset at t for the zone in force (t clamped to +-TZ_CLAMP). */
static int32_t
libc_offset(int64_t t)
{
	struct tm tm;
	time_t tt;

	if (t > TZ_CLAMP)
		t = TZ_CLAMP;
	else if (t < -TZ_CLAMP)
		t = -TZ_CLAMP;
	tt = (time_t)t;
	if (!localtime_r(&tt, &tm))
		return 0;       /* unreachable within the clamp (years fit an int) */
	return (int32_t)tm.tm_gmtoff;
}

/*
 * The first second after lo whose offset (zone in force) is not off, found
 * by bisection between lo, where the offset is off, and hi, where it is not.
 */
static int64_t
first_change(int64_t lo, int64_t hi, int32_t off)
{
	int64_t mid;

	/* Invariant: offset at lo is off, at hi it is not. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (libc_offset(mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/*
 * Offset in force at utc and, in *ret_next, an instant after utc up to
 * which it holds: [utc, *ret_next) has one offset, and *ret_next is the
 * exact second of the change when one follows within TZ_PROBE_N probes.
 * glibc tells offsets, not transitions, so the offset is probed every
 * TZ_PROBE seconds and a change found is pinned down by bisection. That
 * is exact as long as no zone changes its offset twice within TZ_PROBE
 * (2 days); in tzdata 1900-2200 the closest changes of any zone are 3.98
 * days apart (Africa/Freetown, 1939).
 */
static int32_t
offset_at(const struct tz *tz, int64_t utc, int64_t *ret_next)
{
	int64_t lo = utc, hi;
	int32_t off;

	zone_use(tz);
	off = libc_offset(utc);
	if (utc >= TZ_CLAMP) {
		*ret_next = INT64_MAX;  /* clamped: one offset for ever */
		return off;
	}
	for (int k = 1; k <= TZ_PROBE_N; k++) {
		hi = utc + (int64_t)k * TZ_PROBE;
		if (libc_offset(hi) != off) {
			*ret_next = first_change(lo, hi, off);
			return off;
		}
		lo = hi;
	}
	*ret_next = lo + 1;
	return off;
}

/*
 * Seconds east of UTC in effect at instant utc. Never fails; tz must be a
 * loaded zone. One glibc localtime_r plus the probes of offset_at; per
 * event, use tz_utc_offset_memo.
 */
int32_t
tz_utc_offset(const struct tz *tz, int64_t utc)
{
	zone_use(tz);
	return libc_offset(utc);
}

/*
 * Offset at utc like tz_utc_offset, remembering in *memo the interval of
 * constant offset found: time-ordered events mostly fall in the interval
 * of the one before and then skip the search. A memo holds one zone's
 * interval; it is refilled when asked about another zone (told apart by
 * serial, so a new zone at a freed one's address is not mistaken for it).
 */
int32_t
tz_utc_offset_memo(const struct tz *tz, struct tz_memo *memo, int64_t utc)
{
	if (memo->tz != tz || memo->serial != tz->serial || utc < memo->from || utc >= memo->next) {
		memo->off = offset_at(tz, utc, &memo->next);
		/* Known constant from utc on; earlier instants of the interval just search again. */
		memo->from = utc;
		memo->tz = tz;
		memo->serial = tz->serial;
		memo->next_known = false;
	}
	return memo->off;
}

/*
 * The reading of wall across one change of offset at instant change, from
 * o1 (before it) to o2 (from it on): the reading before the change and the
 * one after it are each real when on their side: both, ambiguous (the
 * earlier is taken); neither, a gap, read with o1. *ret_flags (may be
 * NULL) gets TZ_AMBIGUOUS, TZ_GAP or 0.
 */
static int64_t
wall_reading(int64_t wall, int32_t o1, int32_t o2, int64_t change, int *ret_flags)
{
	int64_t c1 = wall - o1, c2 = wall - o2, cand;
	int flags = 0;

	if (c1 < change) {
		cand = c1;
		flags = c2 >= change ? TZ_AMBIGUOUS : 0;
	} else if (c2 >= change) {
		cand = c2;
	} else {
		cand = c1;
		flags = TZ_GAP;
	}
	if (ret_flags)
		*ret_flags = flags;
	return cand;
}

/*
 * tz_wall_to_utc(tz, wall, NULL) with a memo as in tz_utc_offset_memo.
 * When every instant that could show wall (wall - TZ_OFF_MAX ..
 * wall - TZ_OFF_MIN) lies in the memo's interval, the wall time has just
 * the one reading wall - offset (no gap, no fold): the walk of
 * tz_wall_to_utc would see that single interval too. When the interval
 * ends at a change inside that window, the memo also keeps the offset
 * after it, and the reading is decided from the two offsets as
 * tz_wall_to_utc decides it, without its bisection (the ~2 days around
 * each DST change cost ~20 localtime_r calls a line before).
 */
int64_t
tz_wall_to_utc_memo(const struct tz *tz, struct tz_memo *memo, int64_t wall)
{
	if (wall > TZ_WALL_CLAMP || wall < -TZ_WALL_CLAMP)
		return tz_wall_to_utc(tz, wall, NULL);
	(void)tz_utc_offset_memo(tz, memo, wall - TZ_OFF_MAX);
	if (wall - TZ_OFF_MIN < memo->next)
		return wall - memo->off;
	zone_use(tz);
	if (!memo->next_known) {
		memo->next_off = libc_offset(memo->next);
		memo->next_known = true;
	}
	if (memo->next_off == memo->off) {
		if (memo->from == wall - TZ_OFF_MAX)
			return tz_wall_to_utc(tz, wall, NULL);   /* a fresh interval spans 6 days: rare */
		/* Only the probes ended the interval, no change: probe on from here. */
		memo->off = offset_at(tz, wall - TZ_OFF_MAX, &memo->next);
		memo->from = wall - TZ_OFF_MAX;
		memo->next_known = false;
		return wall - TZ_OFF_MIN < memo->next ? wall - memo->off : tz_wall_to_utc(tz, wall, NULL);
	}
	/*
	 * A change at next within the window [wall - TZ_OFF_MAX, wall - TZ_OFF_MIN]:
	 * the window's start has off (it lies in the interval) and, the window
	 * holding at most one change, its end has next_off. That is what
	 * tz_wall_to_utc would find by bisection; decide as it does, without it.
	 */
	return wall_reading(wall, memo->off, memo->next_off, memo->next, NULL);
}

/*
 * Converts a wall-clock time (local seconds as if UTC) to the UTC instant.
 * Every candidate instant wall - o with a valid offset o lies within
 * [wall - TZ_OFF_MAX, wall - TZ_OFF_MIN], a window of 2.1 days that holds
 * at most one change of offset (see offset_at). The same offset at both
 * ends: one reading. Otherwise the change is bisected, and the reading
 * before it and the one after it are each real when on their side: both,
 * ambiguous (the earlier is taken); neither, a gap, read with the offset
 * in force before it. *ret_flags (may be NULL) gets TZ_AMBIGUOUS, TZ_GAP
 * or 0. Never fails.
 */
int64_t
tz_wall_to_utc(const struct tz *tz, int64_t wall, int *ret_flags)
{
	int64_t lo, hi;
	int32_t o1, o2;

	/* Keep wall +- offsets far from overflow. */
	if (wall > TZ_WALL_CLAMP)
		wall = TZ_WALL_CLAMP;
	else if (wall < -TZ_WALL_CLAMP)
		wall = -TZ_WALL_CLAMP;
	zone_use(tz);
	lo = wall - TZ_OFF_MAX;
	hi = wall - TZ_OFF_MIN;
	o1 = libc_offset(lo);
	o2 = libc_offset(hi);
	if (o1 == o2) {
		if (ret_flags)
			*ret_flags = 0;
		return wall - o1;
	}
	return wall_reading(wall, o1, o2, first_change(lo, hi, o1), ret_flags);
}

/* ------------------------------------------------------------ construction */

/* Frees a zone; NULL is fine. */
void
tz_free(struct tz *tz)
{
	free(tz);
}

/*
 * Whether glibc took the zone now in force as a zone file that counts
 * POSIX seconds. glibc falls back silently to an unnamed UTC (tzname[0]
 * "") when it cannot use a file; a "right/" zone counts leap seconds, so
 * 2017-01-01 00:00 UTC would not read as midnight there.
 */
static bool
libc_took_zone(void)
{
	const time_t t = 1483228800;    /* 2017-01-01 00:00:00 UTC, after 27 leap seconds */
	struct tm tm;
	long off;

	if (!tzname[0] || !tzname[0][0] || !localtime_r(&t, &tm))
		return false;
	off = tm.tm_gmtoff;     /* timegm resets it */
	return timegm(&tm) - off == t;
}

/*
 * Opens path and checks it is a regular file of at most TZ_FILE_MAX bytes
 * starting with the TZif magic and a known version byte. 0, -ENOENT (also
 * for a directory), -EINVAL, other -errno.
 */
static int
check_file(const char *path)
{
	unsigned char magic[5];
	struct stat st;
	ssize_t n;
	int fd, e;

	/* O_NONBLOCK: a FIFO planted under the name must not hang the daemon. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -ENOENT : -EINVAL;
	}
	do
		n = read(fd, magic, sizeof(magic));
	while (n < 0 && errno == EINTR);
	e = n < 0 ? -errno : 0;
	close(fd);
	if (e < 0)
		return e;
	if (n != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0 ||
	    (magic[4] != 0 && (magic[4] < '2' || magic[4] > '9')))
		return -EINVAL;
	return 0;
}

/*
 * Finds the TZif file of name ("Europe/Stockholm") under $TZDIR (honoured
 * only when the process is not privileged) or /usr/share/zoneinfo and
 * makes it the zone in force, checking that glibc took it. Names that are
 * empty, absolute, contain ".." or exceed 255 bytes are refused with
 * -EINVAL; a missing zone (or a directory) is -ENOENT; a file over 256 KiB,
 * not TZif, unusable by glibc or counting leap seconds is -EINVAL; other
 * -errno from open/read. "UTC" and "Etc/UTC" work even without tzdata.
 * *ret (free with tz_free) untouched on failure.
 */
int
tz_load(const char *name, struct tz **ret)
{
	char path[PATH_MAX];
	const char *dir;
	struct tz *tz;
	int n, e;

	if (!name || !*name || name[0] == '/' || strstr(name, "..") || strlen(name) > TZ_NAME_MAX)
		return -EINVAL;
	dir = secure_getenv("TZDIR");
	if (!dir || !*dir)
		dir = TZ_DEFAULT_DIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	e = check_file(path);
	if (e == -ENOENT && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0))
		snprintf(path, sizeof(path), "%s", "UTC0");
	else if (e < 0)
		return e;
	tz = calloc(1, sizeof(*tz));
	if (!tz)
		return -ENOMEM;
	tz->serial = atomic_fetch_add(&next_serial, 1);
	/* The absolute path: glibc then reads the very file checked above. */
	snprintf(tz->spec, sizeof(tz->spec), "%s%s", path[0] == '/' ? ":" : "", path);
	/*
	 * glibc re-reads a zone file only when $TZ changes: pass through UTC
	 * so that a load (a reload) sees the file as it is now, as after a
	 * tzdata upgrade.
	 */
	if (setenv("TZ", "UTC0", 1) == 0)
		tzset();
	cur_spec[0] = '\0';
	cur_serial = 0;
	zone_use(tz);
	e = strcmp(cur_spec, tz->spec) != 0 ? -ENOMEM : libc_took_zone() ? 0 : -EINVAL;
	if (e < 0) {
		tz_free(tz);
		return e;
	}
	*ret = tz;
	return 0;
}
