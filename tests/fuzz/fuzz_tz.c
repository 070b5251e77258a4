/*
 * fuzz_tz.c — tz_parse (TZif data) and tz_parse_posix (TZ strings), then
 * lookups in the zone built.
 *
 * Input: byte 0 bit 0 clear: the rest is TZif data; set: the rest is a
 * POSIX TZ string (NUL-terminated by the harness; an input holding a NUL
 * is ignored). The zone is then probed at fixed instants (the epoch,
 * 2026, the ends of years 0000..9999, far past and future) and at instants
 * taken from the input's last bytes.
 *
 * Invariants: parse results are 0, -EINVAL (or -ENOMEM); every offset is
 * within RFC 8536's -25:59:59..+25:59:59; a wall time read off a real
 * instant converts back to an instant showing that wall time, never a gap,
 * exactly the instant itself unless ambiguous (and then an earlier one);
 * any wall time converts to an instant that shows it, or (a gap) to one
 * that does not, within the offsets' reach.
 */
#include <errno.h>

#include "fuzz.h"

#define OFF_MIN (-89999)
#define OFF_MAX 93599
#define BOUND   (INT64_C(1) << 60)

static void probe(const struct tz *tz, int64_t u)
{
	int32_t off, off2;
	int64_t wall, back, w2;
	int flags = -1;

	if (u > BOUND || u < -BOUND)
		u %= BOUND;
	off = tz_utc_offset(tz, u);
	FUZZ_CHECK(off >= OFF_MIN && off <= OFF_MAX);
	/* The wall time of a real instant is read back to an instant showing it. */
	wall = u + off;
	back = tz_wall_to_utc(tz, wall, &flags);
	FUZZ_CHECK(flags == 0 || flags == TZ_AMBIGUOUS);
	FUZZ_CHECK(back + tz_utc_offset(tz, back) == wall);
	FUZZ_CHECK(flags == TZ_AMBIGUOUS ? back <= u : back == u);

	/* u itself read as a wall time. */
	w2 = tz_wall_to_utc(tz, u, &flags);
	FUZZ_CHECK(flags == 0 || flags == TZ_AMBIGUOUS || flags == TZ_GAP);
	FUZZ_CHECK(w2 >= u - OFF_MAX && w2 <= u - OFF_MIN);
	off2 = tz_utc_offset(tz, w2);
	if (flags == TZ_GAP)
		FUZZ_CHECK(w2 + off2 != u);     /* no instant shows a time in a gap */
	else
		FUZZ_CHECK(w2 + off2 == u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t fixed[] = {
		0, 1, -1, 1774746000, 1774749599, 1774749600, 1792890000, 1792893600,
		INT64_C(-62167219200), INT64_C(253402300799), INT64_C(-2208988800),
		INT64_C(7258118400), INT64_C(4102444800), INT64_C(-8640000000000),
		INT64_C(8640000000000), INT64_C(1) << 40, -(INT64_C(1) << 40),
	};
	struct tz *tz = NULL;
	char *s;
	int r;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	if (data[0] & 1) {
		if (memchr(data + 1, '\0', size - 1))
			return 0;
		s = fuzz_strdup(data + 1, size - 1);
		r = tz_parse_posix(s, &tz);
	} else {
		s = fuzz_dup(data + 1, size - 1);
		r = tz_parse(s, size - 1, &tz);
	}
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK((r == 0) == (tz != NULL));
	if (r == 0) {
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			probe(tz, fixed[i]);
		/* Instants from the input's tail, 4 bytes each (seconds around 2^31). */
		for (size_t i = 1; i + 4 <= size && i <= 8 * 4; i += 4) {
			const uint8_t *p = data + size - i - 3;
			int64_t v = (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			                      (uint32_t)p[2] << 8 | p[3]);
			probe(tz, v);
			probe(tz, v * 64);
		}
	}
	tz_free(tz);
	free(s);
	return 0;
}
