/* test_webhook.c — webhook.c's pure parts: the response head parser and the TLS detail. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webhook.h"

/* Parses s whole; returns http_head_parse's result, code and head length out. */
static int
head(const char *s, int *code, size_t *hl)
{
	*code = -1;
	*hl = 0;
	return http_head_parse(s, strlen(s), code, hl);
}

static void test_head_complete(void **state)
{
	const char *r200 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nbody";
	int code;
	size_t hl;

	(void)state;
	assert_int_equal(head(r200, &code, &hl), 0);
	assert_int_equal(code, 200);
	assert_int_equal(hl, strlen(r200) - 4);         /* the body is not part of the head */
	assert_int_equal(head("HTTP/1.0 500 Internal\r\n\r\n", &code, &hl), 0);
	assert_int_equal(code, 500);
	assert_int_equal(hl, 25);
	/* bare LFs, and no reason phrase */
	assert_int_equal(head("HTTP/1.1 204\nX: y\n\n", &code, &hl), 0);
	assert_int_equal(code, 204);
	assert_int_equal(hl, 19);
	/* a proxy's answer to CONNECT */
	assert_int_equal(head("HTTP/1.1 200 Connection established\r\n\r\n", &code, &hl), 0);
	assert_int_equal(code, 200);
	assert_int_equal(head("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n\r\n", &code, &hl), 0);
	assert_int_equal(code, 100);
	assert_int_equal(hl, 25);
}

static void test_head_incomplete(void **state)
{
	const char *full = "HTTP/1.1 403 Forbidden\r\nServer: x\r\n\r\n";
	int code;
	size_t hl;

	(void)state;
	/* every proper prefix is incomplete, never an error or a result */
	for (size_t n = 0; n < strlen(full); n++) {
		code = -1;
		assert_int_equal(http_head_parse(full, n, &code, &hl), -EAGAIN);
		assert_int_equal(code, -1);
	}
	assert_int_equal(http_head_parse(full, strlen(full), &code, &hl), 0);
	assert_int_equal(code, 403);
}

static void test_head_bad(void **state)
{
	int code;
	size_t hl;

	(void)state;
	assert_int_equal(head("SSH-2.0-OpenSSH\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("H", &code, &hl), -EAGAIN);
	assert_int_equal(head("X", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/2 200\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1 20 OK\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1 2000 OK\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1 099 Low\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1 600 High\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1 2x0 OK\r\n\r\n", &code, &hl), -EBADMSG);
	assert_int_equal(head("HTTP/1.1  200 OK\r\n\r\n", &code, &hl), -EBADMSG);
}

static void test_tls_detail(void **state)
{
	char buf[256], small[24], longhost[300];

	(void)state;
	tls_verify_detail(buf, sizeof(buf), "127.0.0.1", "IP address mismatch");
	assert_string_equal(buf, "TLS: certificate of 127.0.0.1 not accepted: IP address mismatch");
	tls_verify_detail(buf, sizeof(buf), "hooks.example", NULL);
	assert_string_equal(buf, "TLS: certificate of hooks.example not accepted: verification failed");
	tls_verify_detail(small, sizeof(small), "hooks.example", "Hostname mismatch");
	assert_string_equal(small, "TLS: certificate of hoo");
	memset(longhost, 'a', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	tls_verify_detail(buf, sizeof(buf), longhost, "x");
	assert_true(strlen(buf) < sizeof(buf));
	assert_non_null(strstr(buf, " not accepted: x"));    /* the host is cut, the reason kept */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_complete),
		cmocka_unit_test(test_head_incomplete),
		cmocka_unit_test(test_head_bad),
		cmocka_unit_test(test_tls_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
