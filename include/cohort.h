/* cohort.h — cohort.c: deadline indicators, the pure core. Conventions: core.h. */
#ifndef TQ_COHORT_H
#define TQ_COHORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "tq_config.h"

struct tz;

/* --------------------------------------------------------------- cohort.c */
/*
 * Deadline indicators (Kvalitetsstyrning), the pure core: the share of
 * cohort members (cases with a start event) whose stop event came within a
 * deadline: "bekräftelse inom 24 timmar", "första kontakt inom 7 dagar",
 * "svar från vårdgivare inom två / fyra veckor, med uppskov". No I/O, no
 * allocation. The caller keeps one struct case_state per case (as
 * case_format text), applies the case's events in whatever order they are
 * read, and commits the counter changes case_report gives it together with
 * the new state. A case belongs to the local month of its start.
 *
 * The deadline is the last instant still in time: a stop at the deadline
 * is met, one second later it is missed (dl_deadline):
 *   - hours are elapsed time, and "within n hours" means shorter than n
 *     hours, as the seeds' "väntat kortare än 24 timmar": a case started
 *     at t is in time up to t + n*3600 - 1, so a stop exactly 24 h later
 *     is missed. Across the spring switch the wall clock then shows one
 *     hour more (12:00 -> 12:59:59 the next day), across the autumn
 *     switch one hour less.
 *   - days and weeks are local calendar days, counted as a case officer
 *     counts dates ("väntat 7 dagar eller kortare"): the start's local
 *     date plus n, to the end of that day. Opened on 2 March at any hour,
 *     a 7-day case is met by a stop up to 9 March 23:59:59 local time.
 *     The n whole days after the start's day are n*24 real hours, one
 *     less or one more across a DST switch (7 days: 167 or 169 h). The
 *     end of a day is the instant before the next local day begins (its
 *     00:00 through tz_wall_to_utc: a midnight in a gap begins when the
 *     clock jumps). No holiday rule: a deadline on a Sunday stays there.
 */
/* enum dl_unit, struct dl_span: in the config section (an indicator holds them). */
#define DL_MAX_HOURS 8760       /* a year of hours */
#define DL_MAX_DAYS  366
#define DL_MAX_WEEKS 52
/*
 * Parses "<digits><unit>": "24h", "36h" (hours 1..8760), "7d", "10d"
 * (days 1..366), "2w", "4w" (weeks 1..52, stored as days). Lower-case
 * units, no sign, no spaces, no fraction (leading zeros are allowed, as in
 * duration_parse). Returns 0 and *ret; -EINVAL when s is not of that form;
 * -ERANGE for a well-formed span out of bounds ("0d", "53w"), however many
 * digits it has. *ret untouched on failure.
 */
int dl_parse(const char *s, size_t len, struct dl_span *ret);
/*
 * The deadline of a case started at start_utc: the last instant (UTC
 * seconds) at which its stop is still in time, by the rule above. s must
 * be in dl_parse's bounds and start_utc in [CASE_T_MIN, CASE_T_MAX).
 */
int64_t dl_deadline(const struct dl_span *s, const struct tz *tz, int64_t start_utc);

/* struct cohort_rule: in the config section. */

/* Event times and extension dates case_apply accepts: 1900-01-01 .. 8999-12-31 UTC. */
#define CASE_T_MIN      (-25567 * (int64_t)SECS_PER_DAY)
#define CASE_T_MAX      (2567655 * (int64_t)SECS_PER_DAY)      /* exclusive */
#define CASE_DAY_MIN    (-25567)
#define CASE_DAY_MAX    2567655                         /* exclusive */
/* No date in an extension: it moves the deadline by rule->extend_by. */
#define CASE_NO_DAY     INT64_MIN
/* A suggested keep_s for case_expiry: as long as the default dedup.window_days. */
#define CASE_KEEP_S     (DEDUP_WINDOW_DAYS_DEFAULT * (int64_t)SECS_PER_DAY)
/* case_format's longest text, with its NUL. */
/* CASE_TEXT_MAX: in the config section. */

enum case_ev { CASE_START, CASE_STOP, CASE_EXTEND };
enum case_outcome {
	CASE_NOT_IN_COHORT,     /* no start yet: in no counter */
	CASE_PENDING,           /* started, no stop, the deadline not passed */
	CASE_MET,               /* the earliest stop is at or before the deadline */
	CASE_MISSED,            /* the earliest stop is later, or the deadline passed without one */
};

/*
 * One case, persisted between events. Only case_apply and case_report
 * change it; every field follows from the events seen, whatever their
 * order (the same events in any order give the same state):
 *   - the earliest start counts: a repeated start (re-sent, or the same
 *     case registered again) never makes the wait shorter;
 *   - the earliest stop counts: a later duplicate never turns met into
 *     missed, an earlier one read later turns missed into met;
 *   - a stop read before its start is kept (an orphan, not in the cohort)
 *     and decides the case when the start arrives; a stop earlier than
 *     the start, by however much (clocks of two systems apart), is met as
 *     a wait of 0: a case id names one case, a reopened case is not a
 *     second cohort member;
 *   - an extension (uppskov) only ever moves the deadline later, and is
 *     counted whenever it is read, also after the deadline passed (the
 *     office granted it; a missed case can become pending or met again).
 *     With a date, the deadline becomes the end of that local day, and of
 *     several dates the latest wins. Without one, the deadline moves by
 *     rule->extend_by once per case (a repeated extend line is a
 *     duplicate, not a second postponement; a second uppskov carries its
 *     own date), hours as elapsed time, days to the same local wall time n
 *     days later (an end-of-day deadline stays at the end of a day; a time
 *     in the spring gap reads as tz_wall_to_utc does). Both kinds
 *     together: the later deadline. An extension read before the start is
 *     kept and applied when the start arrives.
 */
struct case_state {
	bool    has_start, has_stop;
	bool    ext_by_amount;          /* an extension without a date was seen */
	bool    has_ext_day;
	int64_t start_utc;              /* earliest start */
	int64_t stop_utc;               /* earliest stop */
	int64_t ext_day;                /* latest extension date (local day number) */
	int64_t deadline_utc;           /* with a start: the last instant in time, extensions included */
	int64_t month;                  /* with a start: local month number (y*12 + m-1) of the start */
	/* Kept by case_report: what the month counters hold for this case. */
	enum case_outcome reported;
	int64_t reported_month;         /* where it is counted; 0 when reported is CASE_NOT_IN_COHORT */
	bool    reported_ext;           /* reported_month's extended counter holds it */
};
void case_init(struct case_state *st);  /* no events, nothing reported */

/* case_apply's result bits: what changed (0: nothing, e.g. a duplicate). */
#define CASE_CH_START    1      /* first start, or an earlier one (month may change) */
#define CASE_CH_STOP     2      /* first stop, or an earlier one */
#define CASE_CH_EXTEND   4      /* an extension not seen before (the deadline may stay) */
#define CASE_CH_DEADLINE 8      /* deadline_utc set or moved: reschedule case_next_decision */
/*
 * Applies one event of the case at utc (UTC seconds, the event's own
 * time). For CASE_EXTEND, extend_to_day is the local day number of the
 * new last day, or CASE_NO_DAY to extend by rule->extend_by (the
 * extension's own time is not used, see above); other kinds ignore it.
 * The deadline is recomputed with rule and tz, so a state must always be
 * applied with the same rule and zone. Returns the CASE_CH_* bits; -EINVAL
 * for an unknown kind, a rule out of dl_parse's bounds, or an extension
 * without a day when the rule has no extend_by; -ERANGE for utc or
 * extend_to_day out of [CASE_T_MIN, CASE_T_MAX) / [CASE_DAY_MIN,
 * CASE_DAY_MAX). *st untouched on failure.
 */
int case_apply(struct case_state *st, enum case_ev kind, int64_t utc, int64_t extend_to_day,
               const struct cohort_rule *rule, const struct tz *tz);
/*
 * The outcome at now_utc, a pure function of the state and now: no start
 * -> CASE_NOT_IN_COHORT; a stop at or before the deadline -> CASE_MET, a
 * later one -> CASE_MISSED (whatever now is); no stop -> CASE_PENDING up
 * to and including the deadline, CASE_MISSED after it. Nothing is final:
 * events read later may still change it (see struct case_state).
 */
enum case_outcome case_decide(const struct case_state *st, int64_t now_utc);
/*
 * The instant at which time alone changes case_decide: deadline + 1 for a
 * started case without a stop (already past when it is missed), INT64_MAX
 * for every other state. The caller's timer calls case_report then.
 */
int64_t case_next_decision(const struct case_state *st);
/*
 * When the state may be dropped: keep_s (CASE_KEEP_S is a suggestion;
 * negative counts as 0) after the latest instant it knows (start, stop,
 * deadline, the end of an extension date), saturating; INT64_MIN for a
 * state without events. An orphan stop or extension (no start) is kept
 * the same way, counted from its own time: a start read later than that
 * finds no state and starts a new case. The instant is in event time;
 * a caller expiring in wall-clock time (a backfill of old data) must not
 * expire before the state's month can still change.
 */
int64_t case_expiry(const struct case_state *st, int64_t keep_s);

/* Changes of one month's counters (each -1, 0 or +1); decided = met + missed. */
/* struct cohort_delta: in the config section. */
/* The counter changes when a case's outcome goes from before to after (extended: 0). */
void case_delta(enum case_outcome before, enum case_outcome after, struct cohort_delta *ret);
struct cohort_change {
	int64_t month;                  /* month number the delta applies to */
	struct cohort_delta d;
};
/*
 * Compares case_decide(st, now_utc), the start's month and whether the
 * case has an extension with what st->reported* says the counters hold,
 * writes the changes that bring the counters in line into ret[0..n) and
 * returns n: 0 (nothing to do), 1, or 2 when an earlier start moved the
 * case to another month (out of the old month, into the new). Then marks
 * them reported in *st: the caller commits the changes and the new state
 * together (one Lua script), so that summed over all cases, each month's
 * counters equal the outcomes of its cases, and its extended counter the
 * number of its cases with at least one extension (uppskov per ärende:
 * the first one counts +1, later ones, repeated lines and the deadline
 * they move change nothing). A state that says an extension is not
 * counted (one written before the counter existed) is counted now.
 */
int case_report(struct case_state *st, int64_t now_utc, struct cohort_change ret[2]);
/*
 * Text form, '-' for what is absent:
 * "s=<start> p=<stop> d=<deadline> m=<month> a=<0|1> t=<ext_day> r=<r>",
 * r "-" (nothing reported) or "<p|m|x>:<reported_month>" (pending, met,
 * missed), the letter uppercase when the case's extension is counted too
 * (reported_ext; the lowercase form of a case with an extension is what
 * states written before that counter say, and stays valid). Returns its length, or -ENOBUFS when it does not fit in len
 * bytes (CASE_TEXT_MAX always does; buf then untouched).
 */
int case_format(const struct case_state *st, char *buf, size_t len);
/*
 * Inverse of case_format, strict: exactly that text (s need not be
 * NUL-terminated, at most CASE_TEXT_MAX - 1 bytes), single spaces,
 * canonical integers (no '+', no leading zero, no "-0"), times and days
 * in case_apply's bounds, months and deadlines in range, s, d and m all
 * present or all absent, d >= s, an uppercase r only with an extension
 * (a=1 or a t). Returns 0 and *ret, or -EINVAL (*ret untouched).
 */
int case_parse(const char *s, size_t len, struct case_state *ret);

#endif /* TQ_COHORT_H */
