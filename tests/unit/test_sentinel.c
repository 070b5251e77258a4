/*
 * Unit tests: sentinel.c — the pure parts: the master name rule and the
 * reply to SENTINEL get-master-addr-by-name (through redis_addr_parse, the
 * one address parser).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "sentinel.h"

static void test_name(void **state)
{
	char longest[SENTINEL_NAME_MAX + 2];

	(void)state;
	assert_true(sentinel_name_ok("mymaster"));
	assert_true(sentinel_name_ok("tq-main_1.a"));
	assert_false(sentinel_name_ok(""));
	assert_false(sentinel_name_ok(NULL));
	assert_false(sentinel_name_ok("my master"));    /* a space would split the command */
	assert_false(sentinel_name_ok("m\r\n"));
	memset(longest, 'a', sizeof(longest));
	longest[SENTINEL_NAME_MAX] = '\0';
	assert_true(sentinel_name_ok(longest));
	longest[SENTINEL_NAME_MAX] = 'a';
	longest[SENTINEL_NAME_MAX + 1] = '\0';
	assert_false(sentinel_name_ok(longest));
}

/* A bulk string reply element. */
static redisReply *str_reply(redisReply *r, const char *s)
{
	memset(r, 0, sizeof(*r));
	r->type = REDIS_REPLY_STRING;
	r->str = (char *)s;
	r->len = strlen(s);
	return r;
}

/* Parses the array reply [host, port]. */
static int parse_pair(const char *host, const char *port, struct redis_addr *ret)
{
	redisReply h, p, arr;
	redisReply *el[2] = { str_reply(&h, host), str_reply(&p, port) };

	memset(&arr, 0, sizeof(arr));
	arr.type = REDIS_REPLY_ARRAY;
	arr.elements = 2;
	arr.element = el;
	return sentinel_parse_reply(&arr, ret);
}

static void test_reply(void **state)
{
	struct redis_addr a;
	redisReply r, one, *el[1] = { &one };

	(void)state;
	assert_int_equal(parse_pair("127.0.0.1", "6380", &a), 0);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 6380);
	/* an IPv6 literal comes without brackets: they go on for the parser, and off again */
	assert_int_equal(parse_pair("::1", "6379", &a), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 6379);
	assert_int_equal(parse_pair("redis-2.example", "1", &a), 0);
	assert_string_equal(a.host, "redis-2.example");

	/* what the parser refuses is refused: no port, a bad host, a unix path */
	assert_int_equal(parse_pair("127.0.0.1", "0", &a), -EINVAL);
	assert_int_equal(parse_pair("127.0.0.1", "65536", &a), -EINVAL);
	assert_int_equal(parse_pair("127.0.0.1", "x", &a), -EINVAL);
	assert_int_equal(parse_pair("", "6379", &a), -EINVAL);
	assert_int_equal(parse_pair("a b", "6379", &a), -EINVAL);
	assert_int_equal(parse_pair("unix", "/tmp/s", &a), -EINVAL);

	/* nil: the sentinel does not know the name */
	memset(&r, 0, sizeof(r));
	r.type = REDIS_REPLY_NIL;
	assert_int_equal(sentinel_parse_reply(&r, &a), -ENOENT);
	/* an error, a one-element array, nothing */
	r.type = REDIS_REPLY_ERROR;
	r.str = (char *)"ERR unknown command";
	r.len = strlen(r.str);
	assert_int_equal(sentinel_parse_reply(&r, &a), -EINVAL);
	memset(&r, 0, sizeof(r));
	r.type = REDIS_REPLY_ARRAY;
	r.elements = 1;
	r.element = el;
	str_reply(&one, "127.0.0.1");
	assert_int_equal(sentinel_parse_reply(&r, &a), -EINVAL);
	assert_int_equal(sentinel_parse_reply(NULL, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
