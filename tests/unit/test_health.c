/*
 * test_health.c — health.c: the /healthz decision (one line per reason:
 * Redis, last commit, stale feeds, undeliverable alerts, store reset being
 * rebuilt) and feed freshness (max_silence measured from the last line).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"

#define T0 1796000000           /* 2026-11-29T... UTC, any calendar second */

static struct health_in
healthy(const struct health_feed *f, size_t n)
{
	return (struct health_in){ .redis_connected = true, .feeds_started = true, .now = T0,
	                           .feeds = f, .nfeeds = n, .undeliverable_s = 3 * 3600 };
}

static void
test_healthy(void **state)
{
	struct health_feed f[2] = { { "teleq", T0 - 100, 3600, true }, { "cases", T0 - 999999, 0, true } };
	struct health_in in = healthy(f, 2);
	char buf[512] = "x";

	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* Deliveries parked after ambiguous outcomes: one reason, with the count and the bound. */
static void
test_parked(void **state)
{
	struct health_in in = healthy(NULL, 0);
	char buf[512];

	in.max_ambiguous = 3;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
	in.alerts_parked = 5;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "alerts: parked: 5 after 4 ambiguous outcomes each (teleqctl status)\n");
}

static void
test_feed_stale_boundary(void **state)
{
	struct health_feed f = { "teleq", T0 - 3600, 3600, true };

	assert_false(feed_stale(&f, T0));               /* exactly max_silence: not yet */
	assert_true(feed_stale(&f, T0 + 1));
	f.max_silence_s = 0;
	assert_false(feed_stale(&f, T0 + 10 * 86400));   /* off */
}

static void
test_stale_feed_named(void **state)
{
	struct health_feed f[2] = { { "teleq", 1795996400, 3600, true }, { "cases", T0, 60, true } };
	struct health_in in = healthy(f, 2);
	char buf[512];

	in.now = 1795996400 + 3601;                    /* cases spoke 1 s ago: fresh */
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "feed teleq: no lines since 2026-11-29T23:53:20Z (max_silence 3600 s)\n");
	f[1].last_line = in.now - 61;                   /* now both */
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 2);
	assert_non_null(strstr(buf, "\nfeed cases: no lines since"));
}

static void
test_every_reason_one_line(void **state)
{
	struct health_feed f[1] = { { "teleq", T0 - 7200, 3600, true } };
	struct health_in in = healthy(f, 1);
	char buf[1024];
	size_t lines = 0;

	in.redis_connected = false;
	in.commit_failed = true;
	in.oldest_undelivered = T0 - 3 * 3600 - 1;
	in.reset_rebuilding = true;
	in.reset_at = T0 - 60;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 5);
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 5);
	assert_non_null(strstr(buf, "redis: not connected\n"));
	assert_non_null(strstr(buf, "commit: the last commit failed\n"));
	assert_non_null(strstr(buf, "feed teleq: no lines since"));
	assert_non_null(strstr(buf, "alerts: undeliverable since"));
	assert_non_null(strstr(buf, "redis: emptied at"));
}

static void
test_undeliverable_threshold(void **state)
{
	struct health_in in = healthy(NULL, 0);
	char buf[256];

	in.oldest_undelivered = T0 - 3 * 3600;          /* exactly the limit: still patient */
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
	in.oldest_undelivered = T0 - 3 * 3600 - 1;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	in.undeliverable_s = 0;                         /* no alerts configured */
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
}

static void
test_not_started_and_truncation(void **state)
{
	struct health_in in = healthy(NULL, 0);
	char small[8];

	in.feeds_started = false;
	assert_int_equal(health_reasons(&in, small, sizeof(small)), 1);
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(health_reasons(&in, NULL, 0), 1);
}

static void
test_fresh_cycle(void **state)
{
	struct health_feed f = { "teleq", T0, 3600, true };
	struct fresh_state cur = { 0 }, next;
	char buf[96];

	/* silent but within max_silence: nothing */
	assert_int_equal(fresh_step(&f, T0 + 3600, 86400, &cur, &next), FA_NONE);
	assert_false(next.stale);
	/* stale: one mail, remembering since when */
	assert_int_equal(fresh_step(&f, T0 + 3601, 86400, &cur, &next), FA_STALE);
	assert_true(next.stale);
	assert_int_equal(next.since, T0);
	assert_int_equal(next.last_mail, T0 + 3601);
	cur = next;
	/* the same check again: nothing more */
	assert_int_equal(fresh_step(&f, T0 + 7200, 86400, &cur, &next), FA_NONE);
	/* a reminder after repeat, then not again before another repeat */
	assert_int_equal(fresh_step(&f, T0 + 3601 + 86400, 86400, &cur, &next), FA_REMINDER);
	assert_int_equal(next.since, T0);
	cur = next;
	assert_int_equal(fresh_step(&f, T0 + 3601 + 86401, 86400, &cur, &next), FA_NONE);
	/* a line read: fresh once */
	f.last_line = T0 + 200000;
	assert_int_equal(fresh_step(&f, T0 + 200001, 86400, &cur, &next), FA_FRESH);
	assert_false(next.stale);
	cur = next;
	assert_int_equal(fresh_step(&f, T0 + 200002, 86400, &cur, &next), FA_NONE);
	/* the text form round-trips */
	cur = (struct fresh_state){ true, T0, T0 + 5 };
	assert_true(fresh_format(&cur, buf, sizeof(buf)) > 0);
	assert_int_equal(fresh_parse(buf, &next), 0);
	assert_true(next.stale);
	assert_int_equal(next.since, T0);
	assert_int_equal(next.last_mail, T0 + 5);
	assert_int_equal(fresh_parse("s=2 l=1 t=1", &next), -EINVAL);
	assert_int_equal(fresh_parse("s=1 l=1 t=1 x", &next), -EINVAL);
	assert_int_equal(fresh_format(&cur, buf, 4), -ENOBUFS);
}

static void
test_fresh_restart_is_not_news(void **state)
{
	/* stale before a restart; after it, silence counts from start-up, no line read yet */
	struct health_feed f = { "teleq", T0, 3600, false };
	struct fresh_state cur = { true, T0 - 90000, T0 - 1000 }, next;

	assert_int_equal(fresh_step(&f, T0 + 10, 86400, &cur, &next), FA_NONE);
	assert_true(next.stale);
	f.heard = true;
	assert_int_equal(fresh_step(&f, T0 + 10, 86400, &cur, &next), FA_FRESH);
}

/*
 * A standby (another daemon holds the writer lease) is healthy: 200 with
 * one line naming the holder, even with its feeds silent (it does not read
 * them) and no commit of its own.
 */
static void
test_standby_is_healthy_and_says_so(void **state)
{
	struct health_feed f[1] = { { "teleq", T0 - 999999, 3600, true } };
	struct health_in in = healthy(f, 1);
	char buf[256];

	(void)state;
	in.redis_connected = false;
	in.feeds_started = false;
	in.standby = true;
	in.holder = "tq-a pid 42 (holder for 5 s)";
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "standby: lease held by tq-a pid 42 (holder for 5 s)\n");
	/* the same daemon, no longer a standby and not connected: 503 */
	in.standby = false;
	assert_true(health_reasons(&in, buf, sizeof(buf)) >= 1);
	assert_non_null(strstr(buf, "redis: not connected\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_feed_stale_boundary),
		cmocka_unit_test(test_stale_feed_named),
		cmocka_unit_test(test_every_reason_one_line),
		cmocka_unit_test(test_undeliverable_threshold),
		cmocka_unit_test(test_parked),
		cmocka_unit_test(test_not_started_and_truncation),
		cmocka_unit_test(test_fresh_cycle),
		cmocka_unit_test(test_fresh_restart_is_not_news),
		cmocka_unit_test(test_standby_is_healthy_and_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
