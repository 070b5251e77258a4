/*
 * Unit tests: secret.c — the mode rule, the newline trim, which configs need
 * the dedup key, and secret_read's bounds on files in a temporary directory
 * (the size rules cannot be separated from reading).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "siphash.h"
#include "tq_config.h"

static char dir[] = "/tmp/teleq-secret.XXXXXX";
static char path[64];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Writes len bytes of data to path with mode. */
static void put(const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_mode(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(secret_mode_check(S_IFREG | 0600, err, sizeof(err)), 0);
	assert_int_equal(secret_mode_check(S_IFREG | 0640, err, sizeof(err)), 0);
	assert_int_equal(secret_mode_check(S_IFREG | 0660, err, sizeof(err)), 0);
	assert_int_equal(secret_mode_check(S_IFREG | 0644, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "accessible by others (mode 0644); run chmod o-rwx");
	/* writing or executing counts too: others must have no access at all */
	assert_int_equal(secret_mode_check(S_IFREG | 0602, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "accessible by others (mode 0602); run chmod o-rwx");
	assert_int_equal(secret_mode_check(S_IFREG | 0601, err, sizeof(err)), -EPERM);
	assert_int_equal(secret_mode_check(S_IFDIR | 0700, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a regular file");
	assert_int_equal(secret_mode_check(S_IFIFO | 0600, err, sizeof(err)), -EINVAL);
}

static void test_trim(void **state)
{
	(void)state;
	assert_int_equal(secret_trim("pw\n", 3), 2);
	assert_int_equal(secret_trim("pw\r\n", 4), 2);
	assert_int_equal(secret_trim("pw", 2), 2);
	assert_int_equal(secret_trim("pw\n\n", 4), 3);         /* one line end only */
	assert_int_equal(secret_trim("\n", 1), 0);
	assert_int_equal(secret_trim("", 0), 0);
	assert_int_equal(secret_trim("pw\r", 3), 2);
}

static void test_needs_idkey(void **state)
{
	struct feed_conf feeds[2];
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(feeds, 0, sizeof(feeds));
	cfg.feeds = feeds;
	cfg.nfeeds = 2;
	feeds[0].id_slot = feeds[0].case_slot = -1;
	feeds[1].id_slot = feeds[1].case_slot = -1;
	assert_false(secret_needs_idkey(&cfg));
	feeds[1].case_slot = 2;                 /* a case and no id: case ids are hashed too */
	assert_true(secret_needs_idkey(&cfg));
	feeds[1].case_slot = -1;
	feeds[0].id_slot = 0;
	assert_true(secret_needs_idkey(&cfg));
	cfg.nfeeds = 0;
	assert_false(secret_needs_idkey(&cfg));
}

static void test_read_bounds(void **state)
{
	static char big[SECRET_MAX + 2];
	char err[256], *buf = NULL;
	size_t len = 0;

	(void)state;
	put("hunter2\n", 8, 0640);
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "hunter2", 8);         /* NUL-terminated */
	secret_free(buf, len);

	put("hunter2\n", 8, 0644);
	buf = NULL;
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), -EPERM);
	assert_null(buf);
	assert_non_null(strstr(err, "redis.password_file "));
	assert_non_null(strstr(err, ": accessible by others (mode 0644); run chmod o-rwx"));
	assert_null(strstr(err, "hunter2"));

	put("\n", 1, 0600);
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": empty"));

	memset(big, 'x', sizeof(big));
	put(big, SECRET_MAX, 0600);
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, SECRET_MAX);
	secret_free(buf, len);
	put(big, SECRET_MAX + 1, 0600);
	buf = NULL;
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), -EFBIG);
	assert_null(buf);
	assert_non_null(strstr(err, ": longer than 4096 bytes"));

	unlink(path);
	assert_int_equal(secret_redis_password(path, &buf, &len, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, ": No such file or directory"));
	assert_int_equal(secret_read("x", path, 2, 1, false, &buf, &len, err, sizeof(err)), -EINVAL);
	assert_int_equal(secret_read("x", path, 0, SECRET_MAX + 1, false, &buf, &len, err,
	    sizeof(err)), -EINVAL);
}

/* The key is derived from every byte, trailing newline included, as before secret.c. */
static void test_idkey(void **state)
{
	static const uint8_t k1[16] = "teleqd-idkey-one", k2[16] = "teleqd-idkey-two";
	static const char text[] = "00112233445566778899aabbccddeeff\n";
	uint8_t key[16], want[16];
	uint64_t h1, h2;
	char err[256];

	(void)state;
	put(text, sizeof(text) - 1, 0600);
	assert_int_equal(secret_idkey(path, key, err, sizeof(err)), 0);
	h1 = siphash24(k1, text, sizeof(text) - 1);
	h2 = siphash24(k2, text, sizeof(text) - 1);
	memcpy(want, &h1, 8);
	memcpy(want + 8, &h2, 8);
	assert_memory_equal(key, want, 16);

	put("0123456789abcde", 15, 0600);
	assert_int_equal(secret_idkey(path, key, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dedup.secret_file "));
	assert_non_null(strstr(err, ": 15 bytes; it needs at least 16"));
	unlink(path);
	assert_int_equal(secret_idkey(path, key, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file or directory (make install creates it; "
	    "see teleqd(8), FILES)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_needs_idkey),
		cmocka_unit_test(test_read_bounds),
		cmocka_unit_test(test_idkey),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
