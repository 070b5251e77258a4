/*
 * clock.c — the two clocks teleqd reads: monotonic for timeouts, rate
 * limits and ages (immune to clock changes), wall for what is stored.
 */
#include <time.h>

#include "teleqd.h"

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
