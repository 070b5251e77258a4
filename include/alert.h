/* alert.h — alert.c: early warnings, summaries due, retry schedule. Conventions: core.h. */
#ifndef TQ_ALERT_H
#define TQ_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicator.h"
#include "period.h"
#include "tq_config.h"

/* ---------------------------------------------------------------- alert.c */
/*
 * Pure alert logic: the early-warning state machine, when a period's
 * summary is due, and the retry schedule. No I/O; the caller persists the
 * state (as ew_format text) and decides delivery.
 */
const char *alert_kind_name(enum alert_kind k);         /* "breach", "reminder", ... */

/* Early-warning state of one indicator, persisted between runs. */
struct ew_state {
	int64_t month;          /* month number (y*12 + m-1) watched; -1 = none yet */
	bool    breach;         /* the month-to-date value is on the wrong side */
	bool    announced;      /* the current breach was announced: a "resolved" is owed */
	int64_t last_alert;     /* seconds since the epoch of the last breach/reminder sent; 0 never */
};
enum ew_action { EW_NONE, EW_BREACH, EW_REMINDER, EW_RESOLVED };
/*
 * One step for indicator ind given the month-to-date outcome o of month
 * number month at time now (seconds). A new month starts from a clean
 * state (no message: the month summary covers the old one). Below
 * ac->min_denominator, or without a value, nothing changes. Entering a
 * breach (target not met) announces it unless a breach was announced
 * less than ac->repeat_s ago (a flap: the breach is then quiet). A breach
 * ends only when the value is on the right side by at least
 * ac->hysteresis; a "resolved" is sent only for an announced breach. A
 * breach lasting ac->repeat_s since the last message is reminded (or, if
 * quiet, announced). *ret_next always gets the new state.
 */
enum ew_action ew_step(const struct alert_conf *ac, const struct indicator *ind,
                       const struct ew_state *cur, int64_t month, const struct outcome *o,
                       int64_t now, struct ew_state *ret_next);
/* Text form "m=<month> b=<0|1> a=<0|1> t=<last_alert>". Returns length or -ENOBUFS. */
int ew_format(const struct ew_state *s, char *buf, size_t len);
/* Inverse of ew_format. -EINVAL. */
int ew_parse(const char *s, size_t len, struct ew_state *ret);
/*
 * The latest period of kind (P_MONTH .. P_YEAR) whose end (local midnight
 * after its last day) plus grace_s is at or before now_wall (local wall
 * seconds: seconds since 1970-01-01 00:00 of the local calendar).
 */
struct period summary_latest_due(enum period_kind kind, int64_t now_wall, int64_t grace_s);
/*
 * Whether ind is in the summary of a period of kind: a month summary has
 * every indicator; a quarter, half-year or year summary those whose
 * cadence is at most that long.
 */
bool summary_includes(const struct indicator *ind, enum period_kind kind);
/* Delay before retry number attempt (1-based): retry_min_s doubling, capped at retry_max_s. */
int64_t retry_delay(const struct alert_conf *ac, unsigned attempt);

#endif /* TQ_ALERT_H */
