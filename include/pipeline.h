/* pipeline.h — pipeline.c: what happens after a commit. Conventions: core.h. */
#ifndef TQ_PIPELINE_H
#define TQ_PIPELINE_H

#include <stdbool.h>

struct event_base;
struct store;

/* ------------------------------------------------------------- pipeline.c */
/*
 * What happens after a commit (pipeline.c): the indicator hashes are
 * recomputed, then alerts checked, then messages delivered. The pipeline
 * owns recompute, alerter and outbox, and hears the store through hooks;
 * the store knows nothing of it.
 */
struct pipeline;
/*
 * Creates the pipeline of st (alerts and outbox when st's config has an
 * alerts: section) and hooks it to st. Returns 0, or -ENOMEM or the
 * alerts' -errno (logged). Free it with pipeline_free before store_free.
 */
int  pipeline_new(struct event_base *base, struct store *st, struct pipeline **ret);
/*
 * Unhooks pl from its store and frees it; requests in flight are orphaned.
 * Call it before store_free (also from inside the sink's ready, done or down,
 * as store_free). Accepts NULL.
 */
void pipeline_free(struct pipeline *pl);
/*
 * The feeds have been read to their end once since start-up: from now on
 * alert checks run (a summary computed halfway through a backfill would
 * be wrong). Accepts NULL.
 */
void pipeline_caught_up(struct pipeline *pl);
/* The feeds have a backlog (recompute coalesced) or not (recompute after each commit). Accepts NULL. */
void pipeline_backlog(struct pipeline *pl, bool backlog);
/* True when the store is connected and no indicator recompute is running or due. Accepts NULL. */
bool pipeline_settled(const struct pipeline *pl);
/* Recomputes every indicator period of the last two years (start-up, reload). */
void pipeline_recompute_all(struct pipeline *pl);

#endif /* TQ_PIPELINE_H */
