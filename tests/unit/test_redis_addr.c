/*
 * Unit tests: redis_addr.c — the one parser of redis.address, and that it
 * accepts exactly what the config check accepts (before it, store.c and
 * teleqctl each had their own parser: store.c took "host" without a port,
 * which the config refused, and teleqctl no check of the host at all).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "redis_addr.h"
#include "tq_config.h"

static void test_forms(void **state)
{
	struct redis_addr a;

	(void)state;
	assert_int_equal(redis_addr_parse("unix:/run/redis/redis.sock", &a), 0);
	assert_true(a.is_unix);
	assert_string_equal(a.host, "/run/redis/redis.sock");
	assert_int_equal(a.port, 0);

	assert_int_equal(redis_addr_parse("10.0.0.5:6380", &a), 0);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "10.0.0.5");
	assert_int_equal(a.port, 6380);

	assert_int_equal(redis_addr_parse("redis.example_1-a:1", &a), 0);
	assert_string_equal(a.host, "redis.example_1-a");
	assert_int_equal(a.port, 1);

	/* the colons inside the brackets are not the port's; the brackets go */
	assert_int_equal(redis_addr_parse("[::1]:65535", &a), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 65535);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "localhost", "host:", "host:0", "host:65536", "host:123456", "host:6x79",
		":6379", "[]:6379", "[::1]", "ho st:6379", "host/x:6379", "[::1%eth0]:6379",
		"unix:", "tcp://host:6379",
	};
	struct redis_addr a;
	char big[REDIS_ADDR_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = redis_addr_parse(bad[i], &a);

		if (r != -EINVAL && r != -ENOENT)
			fail_msg("'%s' gave %d", bad[i], r);
	}
	assert_int_equal(redis_addr_parse("unix:run/redis.sock", &a), -ENOENT);
	assert_int_equal(redis_addr_parse(NULL, &a), -EINVAL);

	/* sun_path holds 107 bytes and the NUL */
	memset(big, 'a', sizeof(big));
	memcpy(big, "unix:/", 6);
	big[5 + REDIS_ADDR_SUN_MAX] = '\0';
	assert_int_equal(redis_addr_parse(big, &a), 0);
	assert_int_equal(strlen(a.host), REDIS_ADDR_SUN_MAX);
	big[5 + REDIS_ADDR_SUN_MAX] = 'a';
	big[5 + REDIS_ADDR_SUN_MAX + 1] = '\0';
	assert_int_equal(redis_addr_parse(big, &a), -ENAMETOOLONG);

	/* a host name of 254 bytes is no DNS name */
	memset(big, 'h', 254);
	memcpy(big + 254, ":1", 3);
	assert_int_equal(redis_addr_parse(big, &a), -EINVAL);
	big[253] = ':';
	big[254] = '1';
	big[255] = '\0';
	assert_int_equal(redis_addr_parse(big, &a), 0);
}

/* What the config check accepts is what the daemon and teleqctl can connect to. */
static void test_agrees_with_config(void **state)
{
	static const char *const addrs[] = {
		"unix:/run/redis.sock", "unix:run/redis.sock", "localhost", "localhost:6379",
		"[::1]:6379", "[::1]", "host:0", "10.0.0.5:65535", "h:99999", "ho st:1",
		"[fe80::1]:7000", ":6379",
	};
	struct redis_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		char text[512], err[256];
		struct config *cfg = NULL;
		int rc, rp;

		snprintf(text, sizeof(text), "redis: { address: \"%s\" }\n"
		         "feeds:\n"
		         "  - name: calls\n"
		         "    path: /var/log/teleq/calls-*.txt\n"
		         "    format: csv\n"
		         "    time: { field: start }\n"
		         "    event: { field: result, map: { BOOKED: call.booked } }\n", addrs[i]);
		rc = config_parse("t.yaml", text, strlen(text), &cfg, err, sizeof(err));
		rp = redis_addr_parse(addrs[i], &a);
		if ((rc == 0) != (rp == 0))
			fail_msg("'%s': config %d (%s), redis_addr_parse %d", addrs[i], rc, err, rp);
		if (rc == 0)
			assert_string_equal(cfg->redis.address, addrs[i]);
		config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_agrees_with_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
