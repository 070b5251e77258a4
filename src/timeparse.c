/*
 * timeparse.c — the time stamps of feed lines, parsed by hand.
 *
 * strptime/mktime/timegm depend on the locale and the TZ environment and
 * are slow; these run once per line at millions of lines per second, so
 * digits are read directly and the calendar math is civil.c's. Results are
 * "wall" seconds (local clock read as if UTC) or UTC instants; years are
 * 0000..9999. Pure: no I/O, no global state.
 */
#include "core.h"
#include "timeparse.h"
#include "tz.h"

#include <errno.h>

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years the other forms can express. */
#define EPOCH_MIN (-62167219200LL)
#define EPOCH_MAX 253402300799LL

/* Broken-down fields while parsing; unset ones default to 1970-01-01 00:00:00. */
struct fields {
	int64_t  year;
	unsigned mon, day, hour, min, sec;
};

/* ASCII digit test, independent of the locale (unlike isdigit). */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads min..max digits (max <= 9, so no overflow) at s[*pos] (len bytes
 * in all), greedily. Returns true and advances *pos, false if fewer than
 * min digits are there.
 */
static bool
read_num(const char *s, size_t len, size_t *pos, unsigned min, unsigned max, unsigned *ret)
{
	size_t i = *pos;
	unsigned v = 0, n = 0;

	while (n < max && i < len && is_digit(s[i])) {
		v = v * 10 + (unsigned)(s[i] - '0');
		i++;
		n++;
	}
	if (n < min)
		return false;
	*pos = i;
	*ret = v;
	return true;
}

/*
 * Checks the fields and turns them into wall seconds. Second 60 (a leap
 * second) is read as 59 so the event stays in its minute and day.
 * -ERANGE for an impossible value.
 */
static int
fields_to_wall(const struct fields *f, int64_t *ret)
{
	unsigned sec = f->sec;

	if (f->mon < 1 || f->mon > 12 || f->day < 1 || f->day > days_in_month(f->year, f->mon) ||
	    f->hour > 23 || f->min > 59 || sec > 60)
		return -ERANGE;
	if (sec == 60)
		sec = 59;
	*ret = days_from_civil(f->year, f->mon, f->day) * SECS_PER_DAY +
	       (int64_t)(f->hour * 3600 + f->min * 60 + sec);
	return 0;
}

/*
 * Matches s from *pos against fmt (see time_parse_fmt), filling f and
 * advancing *pos. %T and %F recurse once on a fixed sub-format. -EINVAL on
 * mismatch or an invalid fmt.
 */
static int
match_fmt(const char *s, size_t len, size_t *pos, const char *fmt, struct fields *f)
{
	size_t i = *pos;
	unsigned v, *two;
	int e;

	for (; *fmt; fmt++) {
		if (*fmt == ' ') {
			/* One fmt space matches a run of one or more spaces. */
			if (i >= len || s[i] != ' ')
				return -EINVAL;
			while (i < len && s[i] == ' ')
				i++;
			continue;
		}
		if (*fmt != '%') {
			if (i >= len || s[i] != *fmt)
				return -EINVAL;
			i++;
			continue;
		}
		fmt++;
		two = NULL;
		switch (*fmt) {
		case 'Y':
			if (!read_num(s, len, &i, 4, 4, &v))
				return -EINVAL;
			f->year = v;
			break;
		case 'y':
			if (!read_num(s, len, &i, 2, 2, &v))
				return -EINVAL;
			f->year = v < 69 ? 2000 + v : 1900 + v;     /* POSIX pivot */
			break;
		/* the one- or two-digit fields: the case picks the field, one read below */
		case 'm':
			two = &f->mon;
			break;
		case 'e':
			/* %e pads with a space: " 5". */
			while (i < len && s[i] == ' ')
				i++;
			/* fall through */
		case 'd':
			two = &f->day;
			break;
		case 'H':
			two = &f->hour;
			break;
		case 'M':
			two = &f->min;
			break;
		case 'S':
			two = &f->sec;
			break;
		case 'T':
		case 'F':
			e = match_fmt(s, len, &i, *fmt == 'T' ? "%H:%M:%S" : "%Y-%m-%d", f);
			if (e < 0)
				return e;
			break;
		case 'f':
			/* Fraction digits: at least one, any number, ignored. */
			if (i >= len || !is_digit(s[i]))
				return -EINVAL;
			while (i < len && is_digit(s[i]))
				i++;
			break;
		case '%':
			if (i >= len || s[i] != '%')
				return -EINVAL;
			i++;
			break;
		default:        /* unknown conversion, or '%' ending fmt */
			return -EINVAL;
		}
		if (two && !read_num(s, len, &i, 1, 2, two))
			return -EINVAL;
	}
	*pos = i;
	return 0;
}

/*
 * Parses s[0..len) against the strftime-like fmt (see the header). Fields
 * fmt does not mention default to 1970-01-01 00:00:00. Returns 0 and
 * *ret_wall; -EINVAL when s does not match fmt (or fmt is invalid);
 * -ERANGE for an impossible date or time. *ret_wall untouched on failure.
 */
int
time_parse_fmt(const char *s, size_t len, const char *fmt, int64_t *ret_wall)
{
	struct fields f = { .year = 1970, .mon = 1, .day = 1 };
	size_t i = 0;
	int e;

	if (!s || !fmt)
		return -EINVAL;
	e = match_fmt(s, len, &i, fmt, &f);
	if (e < 0)
		return e;
	if (i != len)
		return -EINVAL;
	return fields_to_wall(&f, ret_wall);
}

/*
 * Parses ISO 8601 as in the header: exactly 4-digit year and 2-digit
 * fields; the zone may also follow a bare date. Returns 0, *ret (UTC
 * instant when zoned, else wall seconds) and *ret_zoned (may be NULL);
 * -EINVAL on syntax, -ERANGE for an impossible date, time or zone offset
 * (hours > 23, minutes > 59). Out-parameters untouched on failure.
 */
int
time_parse_iso8601(const char *s, size_t len, int64_t *ret, bool *ret_zoned)
{
	struct fields f = { 0 };
	unsigned y, zh = 0, zm = 0;
	size_t i = 0;
	int64_t wall;
	bool zoned = false;
	int sign = 1, e;

	if (!s)
		return -EINVAL;
	if (!read_num(s, len, &i, 4, 4, &y) || i >= len || s[i++] != '-' ||
	    !read_num(s, len, &i, 2, 2, &f.mon) || i >= len || s[i++] != '-' ||
	    !read_num(s, len, &i, 2, 2, &f.day))
		return -EINVAL;
	f.year = y;
	if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (!read_num(s, len, &i, 2, 2, &f.hour) || i >= len || s[i++] != ':' ||
		    !read_num(s, len, &i, 2, 2, &f.min))
			return -EINVAL;
		if (i < len && s[i] == ':') {
			i++;
			if (!read_num(s, len, &i, 2, 2, &f.sec))
				return -EINVAL;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				/* The fraction is dropped: counters need whole seconds. */
				i++;
				if (i >= len || !is_digit(s[i]))
					return -EINVAL;
				while (i < len && is_digit(s[i]))
					i++;
			}
		}
	}
	if (i < len) {
		if (s[i] == 'Z' || s[i] == 'z') {
			i++;
		} else if (s[i] == '+' || s[i] == '-') {
			sign = s[i++] == '-' ? -1 : 1;
			if (!read_num(s, len, &i, 2, 2, &zh))
				return -EINVAL;
			if (i < len && s[i] == ':') {
				i++;
				if (!read_num(s, len, &i, 2, 2, &zm))
					return -EINVAL;
			} else if (i < len && !read_num(s, len, &i, 2, 2, &zm)) {
				return -EINVAL;
			}
		} else {
			return -EINVAL;
		}
		zoned = true;
	}
	if (i != len)
		return -EINVAL;
	e = fields_to_wall(&f, &wall);
	if (e < 0)
		return e;
	if (zh > 23 || zm > 59)
		return -ERANGE;
	/* A zone east of UTC shows a later clock: subtract its offset. */
	*ret = wall - sign * (int64_t)(zh * 3600 + zm * 60);
	if (ret_zoned)
		*ret_zoned = zoned;
	return 0;
}

/*
 * Parses [+-]digits[.digits] seconds since the epoch (UTC). A fraction
 * rounds toward the earlier second (floor), so -1.5 is -2. Returns 0 and
 * *ret; -EINVAL on syntax (no exponent, no spaces); -ERANGE outside years
 * 0000..9999. *ret untouched on failure.
 */
int
time_parse_epoch(const char *s, size_t len, int64_t *ret)
{
	size_t i = 0, start;
	int64_t v = 0;
	bool neg = false, frac = false, big = false;

	if (!s)
		return -EINVAL;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	start = i;
	for (; i < len && is_digit(s[i]); i++) {
		/* Past EPOCH_MAX the value is only scanned, so it cannot overflow. */
		if (!big)
			v = v * 10 + (s[i] - '0');
		if (v > EPOCH_MAX + 1)
			big = true;
	}
	if (i == start)
		return -EINVAL;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || !is_digit(s[i]))
			return -EINVAL;
		for (; i < len && is_digit(s[i]); i++)
			frac |= s[i] != '0';
	}
	if (i != len)
		return -EINVAL;
	if (big)
		return -ERANGE;
	if (neg)
		v = -v - (frac ? 1 : 0);
	if (v < EPOCH_MIN || v > EPOCH_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* The longest duration_parse accepts: ten years of 366 days (as dedup.window_days). */
#define DURATION_MAX (3660LL * SECS_PER_DAY)

/*
 * Parses a duration "<digits><unit>", unit one of s m h d w (lower case
 * only): "30s", "15m", "24h", "7d", "2w", also "0s". Nothing else is
 * accepted: no sign, no spaces, no fraction, no bare number. Returns 0 and
 * seconds in *ret_seconds; -EINVAL for any other form; -ERANGE for a
 * well-formed duration longer than ten years (DURATION_MAX), however many
 * digits it has. *ret_seconds untouched on failure.
 */
int
duration_parse(const char *s, size_t len, int64_t *ret_seconds)
{
	int64_t v = 0, unit;
	size_t i = 0;
	bool big = false;

	if (!s)
		return -EINVAL;
	for (; i < len && is_digit(s[i]); i++) {
		/* Past DURATION_MAX (in the smallest unit) the digits are only scanned. */
		if (!big)
			v = v * 10 + (s[i] - '0');
		if (v > DURATION_MAX)
			big = true;
	}
	if (i == 0 || i + 1 != len)
		return -EINVAL;
	switch (s[i]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = SECS_PER_DAY; break;
	case 'w': unit = 7 * SECS_PER_DAY; break;
	default:
		return -EINVAL;
	}
	/* compared before multiplying, so nothing can overflow */
	if (big || v > DURATION_MAX / unit)
		return -ERANGE;
	*ret_seconds = v * unit;
	return 0;
}
