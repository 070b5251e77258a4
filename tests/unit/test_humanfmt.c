/* Unit tests: humanfmt.c (bytes, counts and durations for people). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "humanfmt.h"

static void test_bytes(void **state)
{
	static const struct { double in; const char *want; } c[] = {
		{ -5, "0 B" }, { 0, "0 B" }, { 812, "812 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" },
		{ 3481.6, "3.4 KiB" }, { 10 * 1024, "10 KiB" }, { 812.0 * 1024 * 1024, "812 MiB" },
		{ 2.0 * 1024 * 1024 * 1024, "2.0 GiB" }, { 5000.0 * 1024 * 1024 * 1024 * 1024, "5000 TiB" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fmt_bytes(buf, sizeof(buf), c[i].in);
		if (strcmp(buf, c[i].want) != 0)
			fail_msg("case %zu: %.1f gave '%s', want '%s'", i, c[i].in, buf, c[i].want);
	}
}

static void test_count(void **state)
{
	static const struct { double in; const char *want; } c[] = {
		{ -1, "0" }, { 0, "0" }, { 950, "950" }, { 999, "999" }, { 1000, "1.0k" },
		{ 12345, "12.3k" }, { 999949, "999.9k" }, { 1.2e6, "1.2M" }, { 2.5e9, "2500.0M" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fmt_count(buf, sizeof(buf), c[i].in);
		if (strcmp(buf, c[i].want) != 0)
			fail_msg("case %zu: %.1f gave '%s', want '%s'", i, c[i].in, buf, c[i].want);
	}
}

static void test_duration(void **state)
{
	static const struct { int64_t in; const char *want; } c[] = {
		{ -3, "0.0s" }, { 0, "0.0s" }, { 4200, "4.2s" }, { 59999, "60.0s" }, { 60000, "1m00s" },
		{ 70000, "1m10s" }, { 3599999, "59m59s" }, { 3600000, "1h00m" }, { 7500000, "2h05m" },
		{ 100LL * 3600000, "100h00m" },
	};
	char buf[32], small[4];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fmt_duration(buf, sizeof(buf), c[i].in);
		if (strcmp(buf, c[i].want) != 0)
			fail_msg("case %zu: %lld ms gave '%s', want '%s'", i, (long long)c[i].in, buf,
			    c[i].want);
	}
	/* cut to fit, always terminated */
	fmt_duration(small, sizeof(small), 7500000);
	assert_string_equal(small, "2h0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
