/*
 * test_redis_health.c — redis_health.c and its /healthz lines (issue 16):
 * maxmemory_policy read from INFO memory, only noeviction is safe, the
 * wait of the oldest unanswered request and the unresponsive decision
 * (each change reported once).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "redis_health.h"

/* The shape of Redis 7's INFO memory reply (abridged). */
static const char info[] =
	"# Memory\r\n"
	"used_memory:1002936\r\n"
	"maxmemory:20971520\r\n"
	"maxmemory_human:20.00M\r\n"
	"maxmemory_policy:allkeys-lru\r\n"
	"allocator_frag_ratio:1.37\r\n";

static void
test_info_policy(void **state)
{
	char pol[32];

	assert_int_equal(redis_info_field(info, strlen(info), "maxmemory_policy", pol, sizeof(pol)), 0);
	assert_string_equal(pol, "allkeys-lru");
	/* "maxmemory" is a prefix of other fields: only the exact one */
	assert_int_equal(redis_info_field(info, strlen(info), "maxmemory", pol, sizeof(pol)), 0);
	assert_string_equal(pol, "20971520");
	/* LF only, last line without an end */
	assert_int_equal(redis_info_field("a:1\nmaxmemory_policy:noeviction", 31, "maxmemory_policy",
	                                  pol, sizeof(pol)), 0);
	assert_string_equal(pol, "noeviction");
}

static void
test_info_bad(void **state)
{
	char pol[8];

	assert_int_equal(redis_info_field("# Memory\r\nused_memory:1\r\n", 25, "maxmemory_policy",
	                                  pol, sizeof(pol)), -ENOENT);
	assert_string_equal(pol, "");
	assert_int_equal(redis_info_field("", 0, "maxmemory_policy", pol, sizeof(pol)), -ENOENT);
	/* a value longer than the buffer is not cut */
	assert_int_equal(redis_info_field(info, strlen(info), "maxmemory_policy", pol, sizeof(pol)),
	                 -ENOBUFS);
	assert_int_equal(redis_info_field("p:a b\r\n", 7, "p", pol, sizeof(pol)), -EINVAL);
	assert_int_equal(redis_info_field("p:a\033\r\n", 7, "p", pol, sizeof(pol)), -EINVAL);
	/* the length bounds the search: the field past len is not seen */
	assert_int_equal(redis_info_field(info, 40, "maxmemory_policy", pol, sizeof(pol)), -ENOENT);
}

static void
test_policy_safe(void **state)
{
	static const char *const evicting[] = { "allkeys-lru", "allkeys-lfu", "allkeys-random",
	                                        "volatile-lru", "volatile-lfu", "volatile-random",
	                                        "volatile-ttl", "", "NOEVICTION", "noeviction " };

	assert_true(redis_policy_safe("noeviction"));
	assert_false(redis_policy_safe(NULL));
	for (size_t i = 0; i < sizeof(evicting) / sizeof(evicting[0]); i++)
		assert_false(redis_policy_safe(evicting[i]));
}

static void
test_wait(void **state)
{
	int64_t sent[3] = { 0, 0, 0 };

	assert_int_equal(redis_wait_ms(10000, sent, 3), 0);     /* nothing outstanding */
	sent[1] = 7000;
	sent[2] = 4000;
	assert_int_equal(redis_wait_ms(10000, sent, 3), 6000);  /* the oldest one */
	assert_int_equal(redis_wait_ms(3000, sent, 3), 0);      /* a clock before the send */
	assert_int_equal(redis_wait_ms(10000, sent, 0), 0);
}

static void
test_watch_step(void **state)
{
	bool un = false;

	assert_int_equal(redis_watch_step(&un, 0, 5000), RW_SAME);
	assert_int_equal(redis_watch_step(&un, 4999, 5000), RW_SAME);
	assert_false(un);
	assert_int_equal(redis_watch_step(&un, 5000, 5000), RW_UNRESPONSIVE);
	assert_true(un);
	/* said once while it lasts */
	assert_int_equal(redis_watch_step(&un, 60000, 5000), RW_SAME);
	assert_int_equal(redis_watch_step(&un, 0, 5000), RW_RESPONSIVE);
	assert_false(un);
	assert_int_equal(redis_watch_step(&un, 0, 5000), RW_SAME);
	/* after 0: never unresponsive */
	assert_int_equal(redis_watch_step(&un, 1000000, 0), RW_SAME);
	assert_false(un);
}

static void
test_health_lines(void **state)
{
	struct health_in in = { .redis_connected = true, .feeds_started = true, .now = 1796000000 };
	char buf[512];

	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 0);
	in.redis_unresponsive_s = 7;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "redis: unresponsive for 7 s\n");
	/* the policy comes first, and replaces "not connected" (there is no store to use) */
	in.redis_connected = false;
	in.redis_unresponsive_s = 0;
	in.redis_policy_refused = "volatile-lru";
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "redis: maxmemory-policy is volatile-lru, not noeviction"));
	assert_null(strstr(buf, "not connected"));
	in.redis_policy_refused = "";
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "maxmemory-policy is unknown"));
	in.redis_policy_refused = NULL;
	assert_int_equal(health_reasons(&in, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "redis: not connected\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_policy),
		cmocka_unit_test(test_info_bad),
		cmocka_unit_test(test_policy_safe),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_watch_step),
		cmocka_unit_test(test_health_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
