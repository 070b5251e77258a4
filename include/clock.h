/* clock.h — clock.c: the monotonic, wall and calendar clocks. Conventions: core.h. */
#ifndef TQ_CLOCK_H
#define TQ_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* ---------------------------------------------------------------- clock.c */
int64_t mono_ms(void);  /* monotonic milliseconds: timeouts, ages, rate limits */
int64_t wall_ms(void);  /* milliseconds since the epoch: stored timestamps */
/*
 * The calendar clock, in seconds since the epoch: what decides "today",
 * which month is open, when a period closes and when an alert is due.
 * Normally the wall clock. For tests and the demo only, the environment
 * variable TELEQD_TEST_CLOCK may name a file holding a decimal number of
 * seconds since the epoch: it is reread on every call, so a test moves
 * time by rewriting the file. An unreadable file falls back to the wall clock.
 */
int64_t cal_now(void);
/* True when TELEQD_TEST_CLOCK is in effect (logged at start-up). */
bool cal_is_fake(void);

#endif /* TQ_CLOCK_H */
