/*
 * itest_http_oom.c — httpd_new when libevent runs out of memory part way.
 *
 * libevent's allocator is replaced (event_set_mem_functions) by one that
 * fails its n-th allocation. For n = 1, 2, ... httpd_new must fail with
 * -ENOMEM and leave nothing behind (no crash, no leak: valgrind and ASan
 * see this program) until n is past the allocations it makes, when it
 * must succeed. Needs no Redis; it binds 127.0.0.1 port 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "http.h"
#include "log.h"
#include "tq_config.h"

static long fail_in;    /* allocations left before the failing one; < 0: never fail */

/* Says whether this allocation is the one to fail, and counts it. */
static int
must_fail(void)
{
	if (fail_in < 0)
		return 0;
	return fail_in-- == 0;
}

static void *
t_malloc(size_t n)
{
	return must_fail() ? NULL : malloc(n);
}

static void *
t_realloc(void *p, size_t n)
{
	return must_fail() ? NULL : realloc(p, n);
}

static int
t_health(void *arg, char *buf, size_t len)
{
	(void)arg;
	if (len)
		buf[0] = '\0';
	return 0;
}

static char *
t_metrics(void *arg, size_t *ret_len)
{
	(void)arg;
	*ret_len = 0;
	return NULL;
}

static void
test_httpd_new_oom(void **state)
{
	struct config cfg = { 0 };
	struct http_sink sink = { .health = t_health, .metrics = t_metrics };
	char host[] = "127.0.0.1";
	long failed = 0;
	int r = -ENOMEM;

	(void)state;
	cfg.http.host = host;
	cfg.http.max_connections = 4;
	cfg.http.request_timeout_s = 5;
	for (long n = 0; n < 200 && r == -ENOMEM; n++) {
		struct event_base *base;
		struct httpd *h = NULL;

		fail_in = -1;
		base = event_base_new();
		assert_non_null(base);
		fail_in = n;
		r = httpd_new(base, &cfg, &sink, NULL, &h, NULL);
		fail_in = -1;
		if (r == 0) {
			assert_non_null(h);
			httpd_free(h);
		} else {
			assert_int_equal(r, -ENOMEM);
			assert_null(h);
			failed++;
		}
		event_base_free(base);
	}
	assert_int_equal(r, 0);
	/* evhttp_new, the two timers and the listener each allocate: at least 4 failures seen */
	assert_true(failed >= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpd_new_oom),
	};

	fail_in = -1;
	/* before libevent allocates anything: it must never free with another allocator */
	event_set_mem_functions(t_malloc, t_realloc, free);
	log_init(0, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
