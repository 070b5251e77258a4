/* cases.h — cases.c: the daemon's table of case states. Conventions: core.h. */
#ifndef TQ_CASES_H
#define TQ_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct tz;
struct event;
struct batch;

/* ------------------------------------------------------------------ cases.c */
/*
 * The daemon's table of case states for the deadline indicators: loaded from
 * the store, fed with the events that carry a case id, ticked by time. Pure
 * (no I/O; the caller passes now). See cases.c.
 */
struct cases;
bool    cases_wanted(const struct config *cfg);     /* cfg has a deadline indicator */
int     cases_new(const struct config *cfg, const struct tz *tz, struct cases **ret);
void    cases_free(struct cases *cs);               /* accepts NULL */
void    cases_clear(struct cases *cs);
size_t  cases_count(const struct cases *cs);
/* One committed state: field = case id in 32 letters a-p (4 bits each). 0, -EINVAL, -ENOMEM. */
int     cases_load(struct cases *cs, size_t ind, const char *field, size_t flen,
                   const char *text, size_t tlen);
/* Applies ev to the deadline indicators it matches; counter changes into b. 0 or -ENOMEM. */
int     cases_event(struct cases *cs, const struct event *ev, int64_t now, struct batch *b);
/* Decides the deadlines behind now and drops expired states (deletions into b). 0, -ENOMEM. */
int     cases_tick(struct cases *cs, int64_t now, struct batch *b);
int64_t cases_next(const struct cases *cs);         /* when cases_tick is due; INT64_MAX */
/* The states changed since the last flush, into b. 0 or -ENOMEM. */
int     cases_flush(struct cases *cs, struct batch *b);

#endif /* TQ_CASES_H */
