/* storealarm.h — storealarm.c: the mail about an evicting Redis. Conventions: core.h. */
#ifndef TQ_STOREALARM_H
#define TQ_STOREALARM_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct alert_conf;
struct tz;

/* ----------------------------------------------------------- storealarm.c */
/*
 * The mail about an evicting Redis, delivered directly (not through the
 * outbox, which lives in the refused Redis): redis_evicts once the refusal
 * (store_policy_refused) has lasted STOREALARM_GRACE_S, retried with the
 * alerts.delivery backoff while it lasts; redis_ok once when it ends after
 * a redis_evicts was delivered. In memory: a restart mails again.
 */
#define STOREALARM_GRACE_S 5    /* a shorter refusal mails nothing */
enum sa_phase { SA_IDLE, SA_EVICTS_DUE, SA_WARNED, SA_OK_DUE };
enum sa_action { SA_NONE, SA_SEND_EVICTS, SA_SEND_OK };
/*
 * What the daemon knows of the policy: refused (store_policy_refused), fine
 * (the store is ready: its handshake found noeviction), or unknown (no
 * store yet, a reload, stopping, Redis away with the policy fine): unknown
 * is no news, never a fix.
 */
enum sa_redis { SA_REDIS_UNKNOWN, SA_REDIS_REFUSED, SA_REDIS_FINE };
struct sa_state {               /* zeroed: nothing refused, nothing sent */
	enum sa_phase phase;    /* EVICTS_DUE: owed, not delivered; WARNED: delivered */
	int64_t refused_since;  /* monotonic s the refusal was first seen, 0 = not refused */
	int64_t episode;        /* calendar s the episode began (the Message-IDs), 0 = none */
	int64_t next_try;       /* monotonic s of the next attempt */
	unsigned tries;         /* failed attempts of the message owed */
	bool    inflight;       /* an attempt is out: nothing else starts */
};
/*
 * Pure: the decision at monotonic second now with what is known of the
 * policy (SA_REDIS_UNKNOWN changes nothing and starts nothing); now_cal
 * names a new episode. Returns SA_SEND_* when an attempt
 * is to start now (s->inflight is then set: report it to
 * storealarm_result), else SA_NONE.
 */
enum sa_action storealarm_step(struct sa_state *s, enum sa_redis redis, int64_t now,
                               int64_t now_cal, int64_t grace_s);
/*
 * Pure: the attempt started by storealarm_step ended: done (delivered, or
 * given up) or failed. Returns the delay (s) before the next attempt of a
 * failed one (retry_min_s doubling up to retry_max_s), 0 when done.
 */
int64_t storealarm_result(struct sa_state *s, bool done, int64_t now, int64_t retry_min_s,
                          int64_t retry_max_s);
struct storealarm;
/*
 * Creates the alarm for the alerts config ac (kept: must outlive the
 * alarm or be replaced with storealarm_configure). Without alerts or a
 * mail channel it mails nothing and logs that once per episode. Returns
 * 0, -EINVAL, -ENOMEM.
 */
int  storealarm_new(struct event_base *base, const struct alert_conf *ac, struct storealarm **ret);
/*
 * After a reload: the new alerts config ac (kept; an attempt in flight is
 * restarted). 0, or -errno: the templates and retry settings of ac are
 * used all the same, the previous mail channel stays.
 */
int  storealarm_configure(struct storealarm *sa, const struct alert_conf *ac);
/*
 * Cheap; call every tick with what is known (redis) and, when refused, the
 * policy (store_policy_refused), and the zone of {since}.
 */
void storealarm_tick(struct storealarm *sa, enum sa_redis redis, const char *policy,
                     const struct tz *tz);
void storealarm_free(struct storealarm *sa);    /* cancels what is in flight; accepts NULL */

#endif /* TQ_STOREALARM_H */
