/*
 * test_lease.c — lease.c: the writer lease's value (format, parse, the
 * owner prefix the scripts compare), the holder's renewal decisions and the
 * standby's retry pace, and the text that names a holder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <stdio.h>

#include "lease.h"

#define SINCE 1796000000123LL   /* wall ms */

static struct lease_holder
holder(void)
{
	return (struct lease_holder){ .token = "0123456789abcdef", .pid = 4242, .pidns = 4026531836,
	                              .since_ms = SINCE, .host = "tq-a.example" };
}

static void
test_format_parse_round_trip(void **state)
{
	struct lease_holder h = holder(), back;
	char buf[LEASE_VALUE_MAX + 1];
	int n;

	(void)state;
	n = lease_format(&h, buf, sizeof(buf));
	assert_string_equal(buf, "tq1 0123456789abcdef 4242 4026531836 1796000000123 tq-a.example");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(lease_parse(buf, (size_t)n, &back), 0);
	assert_string_equal(back.token, h.token);
	assert_int_equal(back.pid, 4242);
	assert_int_equal(back.pidns, 4026531836);
	assert_int_equal(back.since_ms, SINCE);
	assert_string_equal(back.host, "tq-a.example");
	/* the longest host still fits the value bound */
	memset(h.host, 'h', LEASE_HOST_MAX);
	h.host[LEASE_HOST_MAX] = '\0';
	h.pid = INT32_MAX;
	h.since_ms = 999999999999999LL;
	n = lease_format(&h, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(lease_parse(buf, (size_t)n, &back), 0);
	assert_int_equal(strlen(back.host), LEASE_HOST_MAX);
	assert_int_equal(lease_format(&h, buf, 20), -ENOBUFS);
}

static void
test_format_refuses_bad_holders(void **state)
{
	struct lease_holder h = holder();
	char buf[LEASE_VALUE_MAX + 1];

	(void)state;
	strcpy(h.host, "two words");
	assert_int_equal(lease_format(&h, buf, sizeof(buf)), -EINVAL);
	h = holder();
	h.host[0] = '\0';
	assert_int_equal(lease_format(&h, buf, sizeof(buf)), -EINVAL);
	h = holder();
	h.pid = 0;
	assert_int_equal(lease_format(&h, buf, sizeof(buf)), -EINVAL);
	h = holder();
	h.token[3] = '\0';
	assert_int_equal(lease_format(&h, buf, sizeof(buf)), -EINVAL);
}

static void
test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"tq1",
		"tq2 0123456789abcdef 4242 7 1796000000123 host",
		"tq1 0123456789ABCDEF 4242 7 1796000000123 host",       /* upper-case token */
		"tq1 0123456789abcde 4242 7 1796000000123 host",        /* short token */
		"tq1 0123456789abcdef 0 7 1796000000123 host",          /* pid 0 */
		"tq1 0123456789abcdef 4242 7 1796000000123",            /* no host */
		"tq1 0123456789abcdef 4242 7 1796000000123 ",           /* empty host */
		"tq1 0123456789abcdef 4242 7 1796000000123 a b",        /* space in host */
		"tq1 0123456789abcdef -1 7 1796000000123 host",
		"tq1 0123456789abcdef 4242 7 17960000001234567890 host",        /* overlong number */
		"tq1 0123456789abcdef 99999999999 7 1796000000123 host",        /* pid out of range */
		"tq1 0123456789abcdef 4242 7 x host",
		"tq1 0123456789abcdef 4242 1796000000123 host",         /* no pid namespace */
		"hello world",
	};
	struct lease_holder h = holder(), keep = h;
	char longhost[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lease_parse(bad[i], strlen(bad[i]), &h), -EINVAL);
		assert_memory_equal(&h, &keep, sizeof(h));      /* untouched on failure */
	}
	snprintf(longhost, sizeof(longhost), "tq1 0123456789abcdef 1 0 2 %0*d", LEASE_HOST_MAX + 1, 0);
	assert_int_equal(lease_parse(longhost, strlen(longhost), &h), -EINVAL);
	/* not NUL-terminated: the length decides */
	assert_int_equal(lease_parse("tq1 0123456789abcdef 1 0 2 hostXXX", 31, &h), 0);
	assert_string_equal(h.host, "host");
}

/* The scripts tell "ours" by the owner prefix: another token must not match. */
static void
test_owner_prefix(void **state)
{
	struct lease_holder h = holder();
	char value[LEASE_VALUE_MAX + 1], mine[32], other[32];
	int n = lease_format(&h, value, sizeof(value));

	(void)state;
	assert_true(n > 0);
	assert_int_equal(lease_owner_prefix(h.token, mine, sizeof(mine)), 21);
	assert_string_equal(mine, "tq1 0123456789abcdef ");
	assert_memory_equal(value, mine, strlen(mine));
	lease_owner_prefix("0123456789abcdee", other, sizeof(other));
	assert_true(memcmp(value, other, strlen(other)) != 0);
	assert_int_equal(lease_owner_prefix(h.token, mine, 10), -ENOBUFS);
}

/* Renew every third of the lease, one at a time; lost after a whole lease unconfirmed. */
static void
test_renew_step(void **state)
{
	const int64_t L = 9000, t0 = 100000;

	(void)state;
	assert_int_equal(lease_renew_step(t0, t0, t0, false, L), LEASE_WAIT);
	assert_int_equal(lease_renew_step(t0 + 2999, t0, t0, false, L), LEASE_WAIT);
	assert_int_equal(lease_renew_step(t0 + 3000, t0, t0, false, L), LEASE_RENEW);
	/* one renewal in flight: no second one */
	assert_int_equal(lease_renew_step(t0 + 4000, t0, t0 + 3000, true, L), LEASE_WAIT);
	/* a failed renewal (answered, not confirmed): the next third tries again */
	assert_int_equal(lease_renew_step(t0 + 5999, t0, t0 + 3000, false, L), LEASE_WAIT);
	assert_int_equal(lease_renew_step(t0 + 6000, t0, t0 + 3000, false, L), LEASE_RENEW);
	/* a whole lease without confirmation, answered or not: lost */
	assert_int_equal(lease_renew_step(t0 + 8999, t0, t0 + 6000, true, L), LEASE_WAIT);
	assert_int_equal(lease_renew_step(t0 + 9000, t0, t0 + 6000, true, L), LEASE_LOST);
	assert_int_equal(lease_renew_step(t0 + 9000, t0, t0 + 6000, false, L), LEASE_LOST);
	/* confirmed meanwhile: fine again */
	assert_int_equal(lease_renew_step(t0 + 9000, t0 + 6000, t0 + 6000, false, L), LEASE_RENEW);
	assert_int_equal(lease_renew_step(t0 + 8000, t0 + 6000, t0 + 6000, false, L), LEASE_WAIT);
}

/* A standby asks every LEASE_RETRY_MS, or just after the holder's expiry when sooner. */
static void
test_retry_pace(void **state)
{
	(void)state;
	assert_int_equal(lease_retry_ms(-1), LEASE_RETRY_MS);   /* no expiry / gone */
	assert_int_equal(lease_retry_ms(-2), LEASE_RETRY_MS);
	assert_int_equal(lease_retry_ms(0), 10);
	assert_int_equal(lease_retry_ms(120), 130);
	assert_int_equal(lease_retry_ms(LEASE_RETRY_MS - 11), LEASE_RETRY_MS - 1);
	assert_int_equal(lease_retry_ms(LEASE_RETRY_MS - 10), LEASE_RETRY_MS);
	assert_int_equal(lease_retry_ms(10000), LEASE_RETRY_MS);
}

static void
test_describe(void **state)
{
	struct lease_holder h = holder();
	char buf[LEASE_DESCRIBE_MAX];

	(void)state;
	assert_true(lease_describe(&h, SINCE + 75500, 3450, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "tq-a.example pid 4242 (holder for 75 s, since "
	                    "2026-11-30T00:53:20Z; expires in 3.4 s unless renewed)");
	assert_true(lease_describe(&h, SINCE - 5, -1, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "tq-a.example pid 4242 (holder for 0 s, since 2026-11-30T00:53:20Z)");
	assert_int_equal(lease_describe(&h, SINCE, 0, buf, 16), -ENOBUFS);
	h = (struct lease_holder){ .pid = 0 };          /* a value that is not teleqd's */
	assert_true(lease_describe(&h, SINCE, 1500, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "an unknown owner (the value is not teleqd's; expires in 1.5 s "
	                    "unless renewed)");
}

/* A pid is only checked on this host, in this pid namespace, when the namespace is known. */
static void
test_same_pid_space(void **state)
{
	struct lease_holder a = holder(), b = holder();

	(void)state;
	assert_true(lease_same_pid_space(&a, &b));
	b.pid = 1;
	assert_true(lease_same_pid_space(&a, &b));      /* another process, same space */
	strcpy(b.host, "tq-b.example");
	assert_false(lease_same_pid_space(&a, &b));
	b = holder();
	b.pidns = 4026531837;                           /* a container on the same host name */
	assert_false(lease_same_pid_space(&a, &b));
	a.pidns = b.pidns = 0;                          /* unknown: never */
	assert_false(lease_same_pid_space(&a, &b));
}

/* Gone: another process of this pid space that no longer runs; this process and pid 1 are not. */
static void
test_holder_gone(void **state)
{
	struct lease_holder h;
	pid_t child;

	(void)state;
	lease_self(&h);
	assert_false(lease_holder_gone(&h));            /* this process */
	h.pid = 1;
	assert_false(lease_holder_gone(&h));            /* runs (or EPERM: runs) */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	h.pid = (long)child;
	assert_true(lease_holder_gone(&h));             /* exited and reaped */
	strcpy(h.host, "elsewhere.example");
	assert_false(lease_holder_gone(&h));            /* another host: wait for the expiry */
}

/* This process: one token for its life, a usable host, its pid. */
static void
test_self(void **state)
{
	struct lease_holder a, b;
	char buf[LEASE_VALUE_MAX + 1];

	(void)state;
	lease_self(&a);
	lease_self(&b);
	assert_string_equal(a.token, b.token);
	assert_int_equal(strlen(a.token), LEASE_TOKEN_LEN);
	assert_true(a.pid > 0);
	assert_true(a.since_ms > 0);
	assert_true(lease_format(&a, buf, sizeof(buf)) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse_round_trip),
		cmocka_unit_test(test_format_refuses_bad_holders),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_owner_prefix),
		cmocka_unit_test(test_renew_step),
		cmocka_unit_test(test_retry_pace),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_same_pid_space),
		cmocka_unit_test(test_holder_gone),
		cmocka_unit_test(test_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
