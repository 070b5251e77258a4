/*
 * tz.c — time zones from TZif files (RFC 8536, versions 1 to 4) and POSIX
 * TZ strings, without touching the process-wide TZ/localtime state.
 *
 * A struct tz is a sorted table of UTC transition instants, each with the
 * UTC offset in force from it on, plus the POSIX "footer" rule that governs
 * instants after the last transition. Debian may ship "slim" files whose
 * table ends decades ago, so after parsing the footer rule is expanded into
 * the table up to TZ_EXPAND_END_YEAR: every realistic instant is then one
 * binary search; later instants evaluate the rule directly. Only tz_load
 * does I/O; everything else is pure and the struct is immutable after
 * construction (safe to share between threads).
 */
#include "teleqd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY_SECS            86400
#define TZ_FILE_MAX         (256 * 1024)    /* real TZif files are < 4 KiB */
#define TZ_NAME_MAX         255
#define TZ_FOOTER_MAX       255             /* bytes of a TZif footer TZ string */
#define TZ_DEFAULT_DIR      "/usr/share/zoneinfo"
/* RFC 8536: utoff SHOULD be -24:59:59 .. +25:59:59; bounding it keeps wall +- offset exact. */
#define TZ_OFF_MIN          (-89999)
#define TZ_OFF_MAX          93599
/* Footer rules are expanded into the table from this year at the earliest ... */
#define TZ_EXPAND_MIN_YEAR  1800
/* ... to the end of this year; rules with no table start expanding here. */
#define TZ_EXPAND_END_YEAR  2200
#define TZ_POSIX_START_YEAR 1900
/* Instants beyond +-2^55 s (~10^9 years) are clamped before calendar math ... */
#define TZ_CLAMP            ((int64_t)1 << 55)
/* ... and wall times beyond +-2^62 before adding offsets. */
#define TZ_WALL_CLAMP       ((int64_t)1 << 62)

/* The three POSIX forms of a rule date. */
enum pdate_form {
	PD_JULIAN1,     /* Jn: 1..365, 29 February never counted */
	PD_JULIAN0,     /* n: 0..365, 29 February counted */
	PD_MWD,         /* Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m */
};

struct pdate {
	enum pdate_form form;
	unsigned n;             /* PD_JULIAN1 / PD_JULIAN0 */
	unsigned m, w, d;       /* PD_MWD */
	int32_t  time;          /* local seconds after midnight, -167h..167h (TZif v3) */
};

struct posix_tz {
	int32_t      std_off;   /* seconds east of UTC */
	int32_t      dst_off;
	bool         has_dst;
	struct pdate start;     /* into DST, given in standard local time */
	struct pdate end;       /* out of DST, given in DST local time */
};

struct tz {
	size_t          n;              /* transitions */
	int64_t        *when;           /* UTC instants, strictly ascending */
	int32_t        *off;            /* offset in force from when[i] on */
	int32_t         before;         /* offset before when[0] (TZif: time type 0) */
	bool            before_footer;  /* no table of its own: the rule holds before when[0] too */
	bool            has_footer;     /* the rule holds from when[n-1] on */
	struct posix_tz rule;
	uint64_t        serial;         /* unique per zone built: tells memos apart (tz_memo) */
};

/* Serial of the next zone built; atomic since zones may be built in any thread. */
static _Atomic uint64_t next_serial = 1;

/* ---------------------------------------------------------- POSIX TZ rules */

/* ASCII digit test, independent of the locale (unlike isdigit). */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII letter test, independent of the locale (unlike isalpha). */
static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * Parses 1..maxdigits decimal digits with a value <= max at p. Returns the
 * position after them, or NULL.
 */
static const char *parse_uint(const char *p, unsigned maxdigits, unsigned max, unsigned *ret)
{
	unsigned v = 0, i;

	for (i = 0; i < maxdigits && is_digit(p[i]); i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	if (i == 0 || v > max)
		return NULL;
	*ret = v;
	return p + i;
}

/*
 * Parses a zone abbreviation: three or more letters, or "<...>" holding
 * three or more of [A-Za-z0-9+-] (POSIX). The name itself is not kept: no
 * caller of this module needs it. Returns the position after it, or NULL.
 */
static const char *parse_name(const char *p)
{
	const char *s;

	if (*p == '<') {
		for (s = ++p; is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-'; p++)
			;
		if (*p != '>' || p - s < 3 || p - s > TZ_NAME_MAX)
			return NULL;
		return p + 1;
	}
	for (s = p; is_alpha(*p); p++)
		;
	if (p - s < 3 || p - s > TZ_NAME_MAX)
		return NULL;
	return p;
}

/*
 * Parses [+-]hh[:mm[:ss]] with hh <= maxh into signed seconds. Offsets use
 * maxh 24 (POSIX), rule times 167 (the TZif v3 extension). Returns the
 * position after it, or NULL.
 */
static const char *parse_hms(const char *p, unsigned maxh, int32_t *ret)
{
	unsigned h, m = 0, s = 0;
	int sign = 1;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	p = parse_uint(p, 3, maxh, &h);
	if (!p)
		return NULL;
	if (*p == ':') {
		p = parse_uint(p + 1, 2, 59, &m);
		if (!p)
			return NULL;
		if (*p == ':') {
			p = parse_uint(p + 1, 2, 59, &s);
			if (!p)
				return NULL;
		}
	}
	*ret = sign * (int32_t)(h * 3600 + m * 60 + s);
	return p;
}

/* Parses a rule date "Jn", "n" or "Mm.w.d" with an optional "/time". NULL on error. */
static const char *parse_pdate(const char *p, struct pdate *ret)
{
	struct pdate d = { .time = 2 * 3600 };      /* POSIX default: 02:00:00 */

	if (*p == 'J') {
		d.form = PD_JULIAN1;
		p = parse_uint(p + 1, 3, 365, &d.n);
		if (!p || d.n < 1)
			return NULL;
	} else if (*p == 'M') {
		d.form = PD_MWD;
		p = parse_uint(p + 1, 2, 12, &d.m);
		if (!p || d.m < 1 || *p != '.')
			return NULL;
		p = parse_uint(p + 1, 1, 5, &d.w);
		if (!p || d.w < 1 || *p != '.')
			return NULL;
		p = parse_uint(p + 1, 1, 6, &d.d);
		if (!p)
			return NULL;
	} else {
		d.form = PD_JULIAN0;
		p = parse_uint(p, 3, 365, &d.n);
		if (!p)
			return NULL;
	}
	if (*p == '/') {
		p = parse_hms(p + 1, 167, &d.time);
		if (!p)
			return NULL;
	}
	*ret = d;
	return p;
}

/* True when a UTC offset is within the RFC 8536 range that tz_wall_to_utc relies on. */
static bool off_ok(int32_t off)
{
	return off >= TZ_OFF_MIN && off <= TZ_OFF_MAX;
}

/*
 * Parses a whole POSIX TZ string: std offset [dst [offset] [,start,end]].
 * A dst name without rules gets the US rules ",M3.2.0,M11.1.0" as tzcode
 * does. Returns 0 and *ret, or -EINVAL (*ret untouched).
 */
static int posix_parse(const char *s, struct posix_tz *ret)
{
	struct posix_tz r = { 0 };
	int32_t v;
	const char *p;

	p = parse_name(s);
	if (!p)
		return -EINVAL;
	p = parse_hms(p, 24, &v);
	if (!p)
		return -EINVAL;
	r.std_off = -v;         /* POSIX offsets count hours west of Greenwich */
	if (*p != '\0') {
		p = parse_name(p);
		if (!p)
			return -EINVAL;
		r.has_dst = true;
		r.dst_off = r.std_off + 3600;
		if (*p != '\0' && *p != ',') {
			p = parse_hms(p, 24, &v);
			if (!p)
				return -EINVAL;
			r.dst_off = -v;
		}
		if (*p == '\0') {
			r.start = (struct pdate){ .form = PD_MWD, .m = 3, .w = 2, .d = 0, .time = 7200 };
			r.end = (struct pdate){ .form = PD_MWD, .m = 11, .w = 1, .d = 0, .time = 7200 };
		} else {
			p = parse_pdate(p + 1, &r.start);
			if (!p || *p != ',')
				return -EINVAL;
			p = parse_pdate(p + 1, &r.end);
			if (!p || *p != '\0')
				return -EINVAL;
		}
	}
	if (!off_ok(r.std_off) || (r.has_dst && !off_ok(r.dst_off)))
		return -EINVAL;
	*ret = r;
	return 0;
}

/* Day number of rule date pd in year y. */
static int64_t pdate_day(int64_t y, const struct pdate *pd)
{
	int64_t jan1 = days_from_civil(y, 1, 1), first;
	unsigned dow1, mday, dim;

	switch (pd->form) {
	case PD_JULIAN1:
		/* Jn never counts 29 February: day 60 is always 1 March. */
		return jan1 + pd->n - 1 + (pd->n >= 60 && days_in_month(y, 2) == 29);
	case PD_JULIAN0:
		return jan1 + pd->n;
	case PD_MWD:
	default:
		first = days_from_civil(y, pd->m, 1);
		dow1 = (unsigned)(first + 4 - floor_div(first + 4, 7) * 7);  /* 1970-01-01 was a Thursday */
		mday = 1 + (pd->d + 7 - dow1) % 7 + 7 * (pd->w - 1);
		dim = days_in_month(y, pd->m);
		while (mday > dim)      /* week 5 means the last such day */
			mday -= 7;
		return first + mday - 1;
	}
}

struct rtrans {
	int64_t at;
	int32_t off;
	bool    to_dst;
};

/*
 * Offset the rule r gives at instant utc, and in *ret_next the next instant
 * after utc at which it changes (INT64_MAX: never). Rule times may reach
 * +-167 hours, which moves a transition up to a week into a neighbouring
 * year, so the transitions of the two years on either side are considered.
 */
static int32_t rule_offset(const struct posix_tz *r, int64_t utc, int64_t *ret_next)
{
	struct rtrans tr[10], t;
	int64_t u = utc, y;
	unsigned m, d;
	size_t n = 0, i, j;
	int32_t off;

	*ret_next = INT64_MAX;
	if (!r->has_dst)
		return r->std_off;
	if (u > TZ_CLAMP)
		u = TZ_CLAMP;
	else if (u < -TZ_CLAMP)
		u = -TZ_CLAMP;
	civil_from_days(floor_div(u + r->std_off, DAY_SECS), &y, &m, &d);
	for (int64_t yy = y - 2; yy <= y + 2; yy++) {
		/* The start is given in standard time, the end in daylight time. */
		tr[n++] = (struct rtrans){ pdate_day(yy, &r->start) * DAY_SECS + r->start.time - r->std_off,
		                           r->dst_off, true };
		tr[n++] = (struct rtrans){ pdate_day(yy, &r->end) * DAY_SECS + r->end.time - r->dst_off,
		                           r->std_off, false };
	}
	/*
	 * Insertion sort; at equal instants the change to standard time sorts
	 * first, so a rule that ends DST exactly when it starts it again (DST
	 * all year, "EST5EDT,0/0,J365/25") stays in DST.
	 */
	for (i = 1; i < n; i++) {
		t = tr[i];
		for (j = i; j > 0 && (tr[j - 1].at > t.at || (tr[j - 1].at == t.at && tr[j - 1].to_dst && !t.to_dst)); j--)
			tr[j] = tr[j - 1];
		tr[j] = t;
	}
	/* NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Branch): the 5 rounds above fill tr[0..10); the analyzer follows 4 */
	off = tr[0].to_dst ? r->std_off : r->dst_off;
	for (i = 0; i < n; i++) {
		if (tr[i].at > u) {
			/* A clamped instant must not report a "next" that is not after it. */
			if (tr[i].at > utc)
				*ret_next = tr[i].at;
			break;
		}
		off = tr[i].off;
	}
	return off;
}

/* ------------------------------------------------------------------ lookup */

/*
 * Offset in force at utc and, in *ret_next, the instant of the next change
 * after utc (INT64_MAX when none is known): the interval [utc, *ret_next)
 * has one offset. Binary search over the table; the rule beyond it.
 */
static int32_t offset_at(const struct tz *tz, int64_t utc, int64_t *ret_next)
{
	size_t lo, hi, mid;
	int32_t off;

	if (tz->n == 0 || utc < tz->when[0]) {
		if (tz->before_footer) {
			off = rule_offset(&tz->rule, utc, ret_next);
			if (tz->n > 0 && *ret_next > tz->when[0])
				*ret_next = tz->when[0];
			return off;
		}
		*ret_next = tz->n > 0 ? tz->when[0] : INT64_MAX;
		return tz->before;
	}
	/* Invariant: when[lo] <= utc < when[hi] (hi == n: no later transition). */
	lo = 0;
	hi = tz->n;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tz->when[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	if (hi < tz->n) {
		*ret_next = tz->when[hi];
		return tz->off[lo];
	}
	if (tz->has_footer)
		return rule_offset(&tz->rule, utc, ret_next);
	*ret_next = INT64_MAX;
	return tz->off[lo];
}

/*
 * Seconds east of UTC in effect at instant utc. Never fails; tz must be a
 * loaded zone. O(log n) with no allocation, cheap enough per event.
 */
int32_t tz_utc_offset(const struct tz *tz, int64_t utc)
{
	int64_t next;

	return offset_at(tz, utc, &next);
}

/*
 * Offset at utc like tz_utc_offset, remembering in *memo the interval of
 * constant offset found: time-ordered events mostly fall in the interval
 * of the one before and then skip the search. A memo holds one zone's
 * interval; it is refilled when asked about another zone (told apart by
 * serial, so a new zone at a freed one's address is not mistaken for it).
 */
int32_t tz_utc_offset_memo(const struct tz *tz, struct tz_memo *memo, int64_t utc)
{
	if (memo->tz != tz || memo->serial != tz->serial || utc < memo->from || utc >= memo->next) {
		memo->off = offset_at(tz, utc, &memo->next);
		/* Known constant from utc on; earlier instants of the interval just search again. */
		memo->from = utc;
		memo->tz = tz;
		memo->serial = tz->serial;
	}
	return memo->off;
}

/*
 * tz_wall_to_utc(tz, wall, NULL) with a memo as in tz_utc_offset_memo.
 * When every instant that could show wall (wall - TZ_OFF_MAX ..
 * wall - TZ_OFF_MIN) lies in the memo's interval, the wall time has just
 * the one reading wall - offset (no gap, no fold): the walk of
 * tz_wall_to_utc would see that single interval too.
 */
int64_t tz_wall_to_utc_memo(const struct tz *tz, struct tz_memo *memo, int64_t wall)
{
	if (wall > TZ_WALL_CLAMP || wall < -TZ_WALL_CLAMP)
		return tz_wall_to_utc(tz, wall, NULL);
	(void)tz_utc_offset_memo(tz, memo, wall - TZ_OFF_MAX);
	if (wall - TZ_OFF_MIN < memo->next)
		return wall - memo->off;
	return tz_wall_to_utc(tz, wall, NULL);
}

/*
 * Converts a wall-clock time (local seconds as if UTC) to the UTC instant.
 * Every candidate instant wall - o with a valid offset o lies within
 * [wall - TZ_OFF_MAX, wall - TZ_OFF_MIN], so the intervals of constant
 * offset in that window are walked in order: a candidate inside its own
 * interval is a real reading of the wall time (two of them: ambiguous, the
 * first is the earlier); none at all means a gap, read with the offset in
 * force before it. *ret_flags (may be NULL) gets TZ_AMBIGUOUS, TZ_GAP or 0.
 * Never fails.
 */
int64_t tz_wall_to_utc(const struct tz *tz, int64_t wall, int *ret_flags)
{
	int64_t u, lim, next, cand, first = 0, gap = 0;
	int32_t off, prev_off = 0;
	unsigned nvalid = 0;
	bool have_prev = false, have_gap = false;
	int flags = 0;

	/* Keep wall +- offsets far from overflow. */
	if (wall > TZ_WALL_CLAMP)
		wall = TZ_WALL_CLAMP;
	else if (wall < -TZ_WALL_CLAMP)
		wall = -TZ_WALL_CLAMP;
	u = wall - TZ_OFF_MAX;
	lim = wall - TZ_OFF_MIN;
	for (;;) {
		off = offset_at(tz, u, &next);
		cand = wall - off;
		if (cand >= u && cand < next) {
			if (nvalid++ == 0)
				first = cand;
		} else if (have_prev && !have_gap && cand < u && wall - prev_off >= u) {
			/* The clock jumped from prev_off to off at u, over wall. */
			have_gap = true;
			gap = wall - prev_off;
		}
		if (next > lim)
			break;
		prev_off = off;
		have_prev = true;
		u = next;
	}
	if (nvalid > 0) {
		flags = nvalid > 1 ? TZ_AMBIGUOUS : 0;
		cand = first;
	} else if (have_gap) {
		flags = TZ_GAP;
		cand = gap;
	} else {
		/* Unreachable for consistent data; fall back to a plain reading. */
		cand = wall - tz_utc_offset(tz, wall);
	}
	if (ret_flags)
		*ret_flags = flags;
	return cand;
}

/* ------------------------------------------------------------ construction */

/* Frees a zone; NULL is fine. */
void tz_free(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->when);
	free(tz->off);
	free(tz);
}

/* Allocates a zone with room for cap transitions (n = 0). NULL on ENOMEM. */
static struct tz *tz_alloc(size_t cap)
{
	struct tz *tz = calloc(1, sizeof(*tz));

	if (!tz)
		return NULL;
	tz->serial = atomic_fetch_add(&next_serial, 1);
	if (cap == 0)
		cap = 1;        /* malloc(0) may legitimately return NULL */
	tz->when = calloc(cap, sizeof(*tz->when));
	tz->off = calloc(cap, sizeof(*tz->off));
	if (!tz->when || !tz->off) {
		tz_free(tz);
		return NULL;
	}
	return tz;
}

/*
 * Whether rule r (has_rule: there is one) is expanded into the table after
 * a table ending at *last (NULL: no table of its own). True with the
 * instant to start from in *ret_t and the room needed in *ret_extra.
 */
static bool expand_from(const struct posix_tz *r, bool has_rule, const int64_t *last, int64_t *ret_t,
                        size_t *ret_extra)
{
	int64_t t, y;
	unsigned m, d;

	if (!has_rule || !r->has_dst)
		return false;
	t = last ? *last : days_from_civil(TZ_POSIX_START_YEAR, 1, 1) * DAY_SECS;
	/* Tables ending in the far past or future keep the direct rule (bounded size). */
	if (t < days_from_civil(TZ_EXPAND_MIN_YEAR, 1, 1) * DAY_SECS ||
	    t >= days_from_civil(TZ_EXPAND_END_YEAR + 1, 1, 1) * DAY_SECS)
		return false;
	civil_from_days(floor_div(t, DAY_SECS), &y, &m, &d);
	*ret_t = t;
	/* Two changes a year, one year of slack for rule times reaching into the next. */
	*ret_extra = (size_t)(2 * (TZ_EXPAND_END_YEAR - y + 2));
	return true;
}

/*
 * Appends the transitions of tz->rule after instant t up to the end of
 * TZ_EXPAND_END_YEAR to the table (room for cap in total), so lookups there
 * are a binary search. Walks rule_offset itself, so the table and the
 * direct rule agree by construction.
 */
static void tz_expand(struct tz *tz, int64_t t, size_t cap)
{
	int64_t end = days_from_civil(TZ_EXPAND_END_YEAR + 1, 1, 1) * DAY_SECS, next, dummy;
	int32_t off;

	while (tz->n < cap) {
		(void)rule_offset(&tz->rule, t, &next);
		if (next >= end)
			break;
		off = rule_offset(&tz->rule, next, &dummy);
		/* A table of its own is continued only where the offset really changes. */
		if (tz->before_footer || tz->n == 0 || off != tz->off[tz->n - 1]) {
			tz->when[tz->n] = next;
			tz->off[tz->n] = off;
			tz->n++;
		}
		t = next;
	}
}

/*
 * Parses a POSIX TZ string alone ("CET-1CEST,M3.5.0,M10.5.0/3", "UTC0",
 * "<+03>-3"): the rule then holds for every instant. Returns 0 and *ret
 * (free with tz_free), -EINVAL for a malformed string, -ENOMEM.
 */
int tz_parse_posix(const char *s, struct tz **ret)
{
	struct posix_tz r;
	struct tz *tz;
	int64_t t = 0;
	size_t extra = 0;
	int e;

	if (!s)
		return -EINVAL;
	e = posix_parse(s, &r);
	if (e < 0)
		return e;
	if (!expand_from(&r, true, NULL, &t, &extra))
		extra = 0;
	tz = tz_alloc(extra);
	if (!tz)
		return -ENOMEM;
	tz->rule = r;
	tz->has_footer = true;
	tz->before_footer = true;
	tz->before = r.std_off;
	if (extra > 0)
		tz_expand(tz, t, extra);
	*ret = tz;
	return 0;
}

/* Big-endian 32-bit value at p (TZif byte order; p need not be aligned). */
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Big-endian 64-bit value at p. */
static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

struct tzif_hdr {
	unsigned version;       /* 1, 2, 3, 4, ... */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

#define TZIF_HDR_LEN 44

/* Reads a TZif header at p (len bytes left). -EINVAL. */
static int tzif_header(const unsigned char *p, size_t len, struct tzif_hdr *ret)
{
	if (len < TZIF_HDR_LEN || memcmp(p, "TZif", 4) != 0)
		return -EINVAL;
	if (p[4] == 0)
		ret->version = 1;
	else if (p[4] >= '2' && p[4] <= '9')    /* later versions keep the v2 layout */
		ret->version = (unsigned)(p[4] - '0');
	else
		return -EINVAL;
	ret->isutcnt = be32(p + 20);
	ret->isstdcnt = be32(p + 24);
	ret->leapcnt = be32(p + 28);
	ret->timecnt = be32(p + 32);
	ret->typecnt = be32(p + 36);
	ret->charcnt = be32(p + 40);
	return 0;
}

/* Size of the data block after header h with timesize-byte times (no overflow: < 2^40). */
static uint64_t tzif_block_len(const struct tzif_hdr *h, unsigned timesize)
{
	return (uint64_t)h->timecnt * timesize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
}

/*
 * Validates the data block p (exactly tzif_block_len bytes) of header h:
 * counts, ascending times, indexes, offsets. Leap-second ("right/") zones
 * are refused: teleqd counts POSIX seconds. -EINVAL.
 */
static int tzif_check(const struct tzif_hdr *h, const unsigned char *p, unsigned timesize)
{
	const unsigned char *idx = p + (size_t)h->timecnt * timesize;
	const unsigned char *types = idx + h->timecnt;
	int64_t prev = 0, t;
	uint32_t i;

	if (h->typecnt < 1 || h->typecnt > 256 || h->charcnt < 1 || h->leapcnt != 0 ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt))
		return -EINVAL;
	for (i = 0; i < h->timecnt; i++) {
		t = timesize == 8 ? (int64_t)be64(p + (size_t)i * 8) : (int32_t)be32(p + (size_t)i * 4);
		if ((i > 0 && t <= prev) || idx[i] >= h->typecnt)
			return -EINVAL;
		prev = t;
	}
	for (i = 0; i < h->typecnt; i++) {
		const unsigned char *ty = types + (size_t)i * 6;

		if (!off_ok((int32_t)be32(ty)) || ty[4] > 1 || ty[5] >= h->charcnt)
			return -EINVAL;
	}
	return 0;
}

/*
 * Parses TZif data (versions 1 to 4; RFC 8536). For v2+ the 64-bit block
 * and the footer TZ string are used; the footer governs instants after the
 * last transition. buf is only read. Returns 0 and *ret (free with
 * tz_free), -EINVAL for malformed data or more than 256 KiB, -ENOMEM.
 */
int tz_parse(const void *buf, size_t len, struct tz **ret)
{
	const unsigned char *p = buf, *end, *data, *types, *nl;
	char footer[TZ_FOOTER_MAX + 1];
	struct tzif_hdr h;
	struct posix_tz rule = { 0 };
	bool has_rule = false;
	unsigned timesize = 4;
	uint64_t blen;
	int64_t last, t = 0;
	size_t extra = 0, i, flen;
	struct tz *tz;
	int e;

	if (!buf || len > TZ_FILE_MAX)
		return -EINVAL;
	end = p + len;
	e = tzif_header(p, len, &h);
	if (e < 0)
		return e;
	p += TZIF_HDR_LEN;
	if (h.version >= 2) {
		/* Skip the 32-bit block (its counts are only used to find its end). */
		blen = tzif_block_len(&h, 4);
		if (blen > (uint64_t)(end - p))
			return -EINVAL;
		p += blen;
		e = tzif_header(p, (size_t)(end - p), &h);
		if (e < 0 || h.version < 2)
			return -EINVAL;
		p += TZIF_HDR_LEN;
		timesize = 8;
	}
	blen = tzif_block_len(&h, timesize);
	if (blen > (uint64_t)(end - p))
		return -EINVAL;
	data = p;
	e = tzif_check(&h, data, timesize);
	if (e < 0)
		return e;
	p += blen;
	if (h.version >= 2) {
		/* Footer: "\n" TZ-string "\n"; an empty string means no rule. */
		if (p >= end || *p != '\n')
			return -EINVAL;
		p++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -EINVAL;
		flen = (size_t)(nl - p);
		if (flen > TZ_FOOTER_MAX || memchr(p, '\0', flen))
			return -EINVAL;
		if (flen > 0) {
			memcpy(footer, p, flen);
			footer[flen] = '\0';
			e = posix_parse(footer, &rule);
			if (e < 0)
				return e;
			has_rule = true;
		}
	}

	if (h.timecnt > 0) {
		i = h.timecnt - 1;
		last = timesize == 8 ? (int64_t)be64(data + i * 8) : (int32_t)be32(data + i * 4);
		if (!expand_from(&rule, has_rule, &last, &t, &extra))
			extra = 0;
	} else if (!expand_from(&rule, has_rule, NULL, &t, &extra)) {
		extra = 0;
	}
	tz = tz_alloc((size_t)h.timecnt + extra);
	if (!tz)
		return -ENOMEM;
	types = data + (size_t)h.timecnt * timesize + h.timecnt;
	for (i = 0; i < h.timecnt; i++) {
		tz->when[i] = timesize == 8 ? (int64_t)be64(data + i * 8) : (int32_t)be32(data + i * 4);
		tz->off[i] = (int32_t)be32(types + (size_t)data[(size_t)h.timecnt * timesize + i] * 6);
	}
	tz->n = h.timecnt;
	/* RFC 8536: time type 0 governs instants before the first transition. */
	tz->before = (int32_t)be32(types);
	tz->rule = rule;
	tz->has_footer = has_rule;
	/* A footer with no table of its own (slim UTC, say) holds at all times. */
	tz->before_footer = has_rule && h.timecnt == 0;
	if (extra > 0)
		tz_expand(tz, t, (size_t)h.timecnt + extra);
	*ret = tz;
	return 0;
}

/*
 * Reads the TZif file of name ("Europe/Stockholm") from $TZDIR (honoured
 * only when the process is not privileged) or /usr/share/zoneinfo. Names
 * that are empty, absolute, contain ".." or exceed 255 bytes are refused
 * with -EINVAL; a missing zone (or a directory) is -ENOENT; a file over
 * 256 KiB or malformed is -EINVAL; other -errno from open/read. "UTC" and
 * "Etc/UTC" work even without tzdata installed. *ret untouched on failure.
 */
int tz_load(const char *name, struct tz **ret)
{
	char path[PATH_MAX];
	const char *dir;
	unsigned char *buf;
	struct stat st;
	size_t len = 0, cap;
	ssize_t n;
	int fd, e;

	if (!name || !*name || name[0] == '/' || strstr(name, "..") || strlen(name) > TZ_NAME_MAX)
		return -EINVAL;
	dir = secure_getenv("TZDIR");
	if (!dir || !*dir)
		dir = TZ_DEFAULT_DIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* O_NONBLOCK: a FIFO planted under the name must not hang the daemon. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno == ENOTDIR ? ENOENT : errno;
		if (e == ENOENT && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0))
			return tz_parse_posix("UTC0", ret);
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -ENOENT : -EINVAL;
	}
	/* One byte more than the limit, to notice a file that grew past it. */
	cap = TZ_FILE_MAX + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap)
			break;
	}
	close(fd);
	e = len > TZ_FILE_MAX ? -EINVAL : tz_parse(buf, len, ret);
	free(buf);
	return e;
}
