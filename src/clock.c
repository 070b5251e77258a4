/*
 * clock.c — the two clocks teleqd reads: monotonic for timeouts, rate
 * limits and ages (immune to clock changes), wall for what is stored,
 * and the calendar clock (wall, or a test override) for what is due when.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* Monotonic milliseconds (arbitrary origin). */
int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock milliseconds since the epoch. */
int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads the fake calendar time from the file named by TELEQD_TEST_CLOCK.
 * Returns 0 and *ret, or -1 when unset or unreadable (the caller falls
 * back to the wall clock).
 */
static int
fake_now(int64_t *ret)
{
	const char *path = getenv("TELEQD_TEST_CLOCK");
	char buf[32], *end;
	long long v;
	ssize_t n;
	int fd;

	if (!path || !*path)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || v < 0)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

/* Calendar seconds since the epoch: the wall clock, or the test clock file. */
int64_t
cal_now(void)
{
	int64_t t;

	if (fake_now(&t) == 0)
		return t;
	return wall_ms() / 1000;
}

/* True when the test clock is configured. */
bool
cal_is_fake(void)
{
	const char *path = getenv("TELEQD_TEST_CLOCK");

	return path && *path;
}
