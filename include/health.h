/* health.h — health.c: /healthz and feed freshness. Conventions: core.h. */
#ifndef TQ_HEALTH_H
#define TQ_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --------------------------------------------------------------- health.c */
/*
 * Pure /healthz decision and feed freshness (no I/O). The daemon gathers
 * the inputs; health_reasons says what is wrong, one line per reason.
 */
struct health_feed {
	const char *name;
	int64_t     last_line;          /* calendar s of the last line read, or of start-up */
	int64_t     max_silence_s;      /* 0 = never stale */
	bool        heard;              /* a line was read since start-up (last_line is one) */
};
struct health_in {
	bool     redis_connected;
	const char *redis_policy_refused;   /* not committing: the evicting policy (NULL = fine) */
	int64_t  redis_unresponsive_s;  /* > 0: the oldest request has waited this long, past
	                                 * redis.unresponsive_after */
	bool     standby;               /* another daemon holds the writer lease (store_standby) */
	const char *holder;             /* with standby: who (lease_describe) */
	bool     feeds_started;         /* the store handed over the positions */
	bool     commit_failed;         /* the last commit failed (cleared by the next good one) */
	bool     reset_rebuilding;      /* Redis was found emptied and the feeds are not yet re-read */
	int64_t  reset_at;              /* calendar s the emptied store was found (with the above) */
	int64_t  now;                   /* calendar s */
	const struct health_feed *feeds;
	size_t   nfeeds;
	int64_t  oldest_undelivered;    /* calendar s the oldest pending alert was made; 0 = none */
	int64_t  undeliverable_s;       /* pending longer than this is a reason (retry_max x 3); 0 = off */
	uint64_t alerts_parked;         /* deliveries parked after ambiguous outcomes: a reason */
	unsigned max_ambiguous;         /* for its text */
};
/* True when f has been silent for longer than its max_silence at now. */
bool feed_stale(const struct health_feed *f, int64_t now);
/*
 * The freshness mails of one feed (alerts:state "feed:<name>"): stale
 * once, a reminder every repeat_s while it lasts, fresh when a line was
 * read again. Only a line actually read makes a stale feed fresh: a
 * restart (silence measured from start-up) does not.
 */
struct fresh_state {
	bool    stale;          /* a stale mail was sent and no fresh one since */
	int64_t since;          /* calendar s of the last line when it went stale */
	int64_t last_mail;      /* calendar s of the last stale or reminder mail */
};
enum fresh_action { FA_NONE, FA_STALE, FA_REMINDER, FA_FRESH };
enum fresh_action fresh_step(const struct health_feed *f, int64_t now, int64_t repeat_s,
                             const struct fresh_state *cur, struct fresh_state *ret_next);
/* Text form "s=<0|1> l=<since> t=<last_mail>". Returns its length or -ENOBUFS. */
int fresh_format(const struct fresh_state *st, char *buf, size_t len);
/* Parses fresh_format's text. 0, or -EINVAL. */
int fresh_parse(const char *s, struct fresh_state *ret);
/*
 * Writes one line ("...\n") per reason /healthz must answer 503 for into
 * buf (NUL-terminated, truncated to len, whole lines only when possible).
 * Returns the number of reasons: 0 healthy (buf ""). Times are shown as
 * UTC ISO 8601. No personal data: only feed names and times.
 * A standby (in->standby) is healthy: 0, and buf holds the one line
 * "standby: lease held by <holder>" (HTTP 200 with that body): it is
 * connected and ready to take over, which is its job; its feeds are not
 * read, so their silence is not its fault.
 */
size_t health_reasons(const struct health_in *in, char *buf, size_t len);

#endif /* TQ_HEALTH_H */
