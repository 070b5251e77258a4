/*
 * fuzz_time.c — the time parsers: time_parse_iso8601, time_parse_epoch,
 * time_parse_fmt, duration_parse, period_parse and the month/day keys.
 *
 * Input: byte 0 bit 0 clear: the rest is one time stamp, given to every
 * fixed-format parser (ISO 8601, epoch, the TeleQ feed's
 * "%Y-%m-%d %H:%M:%S", duration, period, month and day keys).
 * Bit 0 set: the rest is "FORMAT\0TEXT" for time_parse_fmt with a
 * configurable pattern (a feed's time.format comes from the config).
 *
 * Invariants: out-parameters are untouched on failure; a successful parse
 * is within years 0000..9999 (a zone moves it by less than a day), and
 * round-trips: the fields the text spells out (date, time, zone) are the
 * fields of the result, and the result printed canonically parses back to
 * itself. Epoch seconds and durations agree with a reference computation
 * (floor for negative fractions; -ERANGE beyond the limits however many
 * digits). A period's name parses back to the same period, its days are
 * ordered and the next period starts the day after it ends.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "period.h"
#include "timeparse.h"
#include "tz.h"

#define DAY 86400
#define EPOCH_MIN (-62167219200LL)      /* 0000-01-01T00:00:00Z */
#define EPOCH_MAX 253402300799LL        /* 9999-12-31T23:59:59Z */
#define SENTINEL  INT64_C(0x5a5a5a5a5a5a5a5a)
#define TODAY     20513                 /* 2026-03-01 */

static bool dig(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of the n digits at s (all known to be digits). */
static unsigned num(const char *s, unsigned n)
{
	unsigned v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* Wall seconds to "YYYY-MM-DDTHH:MM:SS". */
static void fmt_wall(int64_t wall, char *buf, size_t len)
{
	int64_t y, day = floor_div(wall, DAY), sod = wall - day * DAY;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
	         (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
}

static void check_iso(const char *s, size_t len)
{
	int64_t t = SENTINEL, wall, t2 = SENTINEL;
	bool zoned = false, z2 = true;
	char buf[64];
	size_t i;
	int r;

	r = time_parse_iso8601(s, len, &t, &zoned);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0) {
		FUZZ_CHECK(t == SENTINEL);
		return;
	}
	/* The date is "YYYY-MM-DD" at the start, exactly. */
	FUZZ_CHECK(len >= 10 && s[4] == '-' && s[7] == '-');
	wall = days_from_civil(num(s, 4), num(s + 5, 2), num(s + 8, 2)) * DAY;
	i = 10;
	if (len > 10 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ')) {
		unsigned sec = 0;

		FUZZ_CHECK(len >= 16 && s[13] == ':');
		i = 16;
		if (len > 16 && s[16] == ':') {
			sec = num(s + 17, 2);
			i = 19;
			if (len > 19 && (s[19] == '.' || s[19] == ','))
				for (i = 20; i < len && dig(s[i]); i++)
					;
		}
		wall += num(s + 11, 2) * 3600 + num(s + 14, 2) * 60 + (sec == 60 ? 59 : sec);
	}
	FUZZ_CHECK(zoned == (i < len));
	if (zoned) {
		int64_t off = 0;

		if (s[i] == '+' || s[i] == '-') {
			off = num(s + i + 1, 2) * 3600;
			if (len - i == 6)
				off += num(s + i + 4, 2) * 60;
			else if (len - i == 5)
				off += num(s + i + 3, 2) * 60;
			else
				FUZZ_CHECK(len - i == 3);
			if (s[i] == '-')
				off = -off;
		} else {
			FUZZ_CHECK((s[i] == 'Z' || s[i] == 'z') && len - i == 1);
		}
		FUZZ_CHECK(off > -DAY && off < DAY);
		FUZZ_CHECK(t == wall - off);
		FUZZ_CHECK(t >= EPOCH_MIN - DAY && t <= EPOCH_MAX + DAY);
		return;
	}
	FUZZ_CHECK(t == wall);
	FUZZ_CHECK(t >= EPOCH_MIN && t <= EPOCH_MAX);
	/* Printed canonically, it parses back to itself. */
	fmt_wall(t, buf, sizeof(buf));
	FUZZ_CHECK(time_parse_iso8601(buf, strlen(buf), &t2, &z2) == 0 && t2 == t && !z2);
}

/* Reference for time_parse_epoch: [+-]digits[.digits], floor, range checked. */
static int ref_epoch(const char *s, size_t len, int64_t *ret)
{
	size_t i = 0, sig = 0;
	bool neg = false, frac = false, start_dig;
	int64_t v = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	start_dig = i < len && dig(s[i]);
	if (!start_dig)
		return -EINVAL;
	for (; i < len && dig(s[i]); i++) {
		if (sig > 0 || s[i] != '0')
			sig++;
		if (sig <= 15)
			v = v * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		if (++i >= len || !dig(s[i]))
			return -EINVAL;
		for (; i < len && dig(s[i]); i++)
			frac |= s[i] != '0';
	}
	if (i != len)
		return -EINVAL;
	if (sig > 15)
		return -ERANGE;
	v = neg ? -v - frac : v;
	if (v < EPOCH_MIN || v > EPOCH_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

static void check_epoch(const char *s, size_t len)
{
	int64_t t = SENTINEL, rt = SENTINEL;
	int r = time_parse_epoch(s, len, &t), rr = ref_epoch(s, len, &rt);

	FUZZ_CHECK(r == rr);
	FUZZ_CHECK(t == rt);
}

static void check_fmt(const char *fmt, const char *s, size_t len)
{
	int64_t t = SENTINEL, t2 = SENTINEL;
	char buf[64];
	int r = time_parse_fmt(s, len, fmt, &t);

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0) {
		FUZZ_CHECK(t == SENTINEL);
		return;
	}
	/* %Y has four digits and %y means 1969..2068: never outside 0000..9999. */
	FUZZ_CHECK(t >= EPOCH_MIN && t <= EPOCH_MAX);
	fmt_wall(t, buf, sizeof(buf));
	buf[10] = ' ';
	FUZZ_CHECK(time_parse_fmt(buf, strlen(buf), "%Y-%m-%d %H:%M:%S", &t2) == 0 && t2 == t);
}

static void check_duration(const char *s, size_t len)
{
	int64_t t = SENTINEL, v = 0, unit;
	size_t i = 0, sig = 0;
	int r = duration_parse(s, len, &t), want;

	for (; i < len && dig(s[i]); i++) {
		if (sig > 0 || s[i] != '0')
			sig++;
		if (sig <= 12)
			v = v * 10 + (s[i] - '0');
	}
	unit = i == 0 || i + 1 != len ? 0 : s[i] == 's' ? 1 : s[i] == 'm' ? 60 : s[i] == 'h' ? 3600 :
	       s[i] == 'd' ? DAY : s[i] == 'w' ? 7 * DAY : 0;
	if (unit == 0)
		want = -EINVAL;
	else if (sig > 12 || v * unit > 3660LL * DAY)
		want = -ERANGE;
	else
		want = 0;
	FUZZ_CHECK(r == want);
	FUZZ_CHECK(r == 0 ? t == v * unit : t == SENTINEL);
}

static void check_period(const char *s, size_t len)
{
	char *z = fuzz_strdup((const uint8_t *)s, len), name[48];
	struct period p, q, n;
	int64_t first, mk = SENTINEL, dk = SENTINEL;
	unsigned nm;

	if (strlen(z) == len && period_parse(z, TODAY, &p) == 0) {
		FUZZ_CHECK(p.first_day <= p.last_day);
		FUZZ_CHECK(period_name(&p, name, sizeof(name)) == 0);
		FUZZ_CHECK(period_parse(name, TODAY, &q) == 0);
		FUZZ_CHECK(q.kind == p.kind && q.year == p.year && q.idx == p.idx &&
		           q.first_day == p.first_day && q.last_day == p.last_day);
		period_months(&p, &first, &nm);
		FUZZ_CHECK(nm >= 1 && nm <= 12);
		if (p.kind != P_ROLLING) {
			n = period_next(&p);
			FUZZ_CHECK(n.kind == p.kind && n.first_day == p.last_day + 1);
		} else {
			FUZZ_CHECK(p.last_day == TODAY && p.last_day - p.first_day + 1 == ROLLING_DAYS);
		}
	}
	if (parse_month_key(s, len, &mk) == 0) {
		month_key(mk, name, sizeof(name));
		FUZZ_CHECK(strlen(name) == len && memcmp(name, s, len) == 0);
	} else {
		FUZZ_CHECK(mk == SENTINEL);
	}
	if (parse_day_key(s, len, &dk) == 0) {
		day_key(dk, name, sizeof(name));
		FUZZ_CHECK(strlen(name) == len && memcmp(name, s, len) == 0);
	} else {
		FUZZ_CHECK(dk == SENTINEL);
	}
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t len;

	if (size < 1 || size > 4096)
		return 0;
	len = size - 1;
	if (data[0] & 1) {
		const uint8_t *nul = memchr(data + 1, '\0', len);
		if (!nul)
			return 0;
		char *fmt = fuzz_strdup(data + 1, (size_t)(nul - data - 1));
		size_t tl = len - (size_t)(nul - data);
		s = fuzz_dup(nul + 1, tl);
		check_fmt(fmt, s, tl);
		free(fmt);
		free(s);
		return 0;
	}
	s = fuzz_dup(data + 1, len);
	check_iso(s, len);
	check_epoch(s, len);
	check_fmt("%Y-%m-%d %H:%M:%S", s, len);
	check_duration(s, len);
	check_period(s, len);
	free(s);
	return 0;
}
