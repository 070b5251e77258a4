/*
 * health.c — the /healthz contract as a pure function: given what the
 * daemon knows (Redis connection, last commit, each feed's last line and
 * max_silence, the oldest alert still undelivered, a store reset being
 * rebuilt), the reasons to answer 503, one line each. No I/O, no clock:
 * the caller passes "now" on the daemon's calendar (TELEQD_TEST_CLOCK).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "redis_health.h"

/* True when f has been silent for longer than its max_silence at now. */
bool
feed_stale(const struct health_feed *f, int64_t now)
{
	return f->max_silence_s > 0 && now - f->last_line > f->max_silence_s;
}

/* Appends one reason line; a line that does not fit whole is dropped (still counted). */
static void
add_line(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (!buf || *used + 1 >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len - *used) {
		buf[*used] = '\0';      /* whole lines only */
		return;
	}
	*used += (size_t)w;
}

/* UTC ISO 8601 of calendar second t. */
static const char *
iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%" PRId64, t);
	return out;
}

/* See health.h. */
size_t
health_reasons(const struct health_in *in, char *buf, size_t len)
{
	size_t n = 0, used = 0;
	char t[32];

	if (buf && len)
		buf[0] = '\0';
	if (in->redis_policy_refused) {
		/* a connection exists, but teleqd refuses to count into a store that evicts */
		add_line(buf, len, &used, "redis: maxmemory-policy is %.31s, not " REDIS_SAFE_POLICY
		    " (it may evict keys and corrupt the counts); nothing is committed\n",
		    in->redis_policy_refused[0] ? in->redis_policy_refused : "unknown");
		n++;
	} else if (in->standby) {
		add_line(buf, len, &used, "standby: lease held by %s\n",
		    in->holder ? in->holder : "another daemon");
		return 0;
	} else if (!in->redis_connected) {
		add_line(buf, len, &used, "redis: not connected\n");
		n++;
	} else if (in->redis_unresponsive_s > 0) {
		add_line(buf, len, &used, "redis: unresponsive for %" PRId64 " s\n",
		    in->redis_unresponsive_s);
		n++;
	} else if (!in->feeds_started) {
		add_line(buf, len, &used, "feeds: not started\n");
		n++;
	}
	if (in->commit_failed) {
		add_line(buf, len, &used, "commit: the last commit failed\n");
		n++;
	}
	if (in->reset_rebuilding) {
		add_line(buf, len, &used, "redis: emptied at %s; figures are being rebuilt from the files\n",
		    iso(in->reset_at, t));
		n++;
	}
	for (size_t i = 0; i < in->nfeeds; i++) {
		const struct health_feed *f = &in->feeds[i];

		if (!feed_stale(f, in->now))
			continue;
		add_line(buf, len, &used, "feed %s: no lines since %s (max_silence %" PRId64 " s)\n",
		    f->name, iso(f->last_line, t), f->max_silence_s);
		n++;
	}
	if (in->undeliverable_s > 0 && in->oldest_undelivered > 0 &&
	    in->now - in->oldest_undelivered > in->undeliverable_s) {
		add_line(buf, len, &used, "alerts: undeliverable since %s (longer than %" PRId64 " s)\n",
		    iso(in->oldest_undelivered, t), in->undeliverable_s);
		n++;
	}
	if (in->alerts_parked > 0) {
		/* kept but not retried: only a person can decide whether to resend */
		add_line(buf, len, &used, "alerts: parked: %" PRIu64 " after %u ambiguous "
		    "outcomes each (teleqctl status)\n", in->alerts_parked,
		    in->max_ambiguous + 1);
		n++;
	}
	return n;
}

/* See health.h. */
enum fresh_action
fresh_step(const struct health_feed *f, int64_t now, int64_t repeat_s,
           const struct fresh_state *cur, struct fresh_state *ret_next)
{
	*ret_next = *cur;
	if (feed_stale(f, now)) {
		if (!cur->stale) {
			*ret_next = (struct fresh_state){ .stale = true, .since = f->last_line,
			                                  .last_mail = now };
			return FA_STALE;
		}
		if (repeat_s > 0 && now - cur->last_mail >= repeat_s) {
			ret_next->last_mail = now;
			return FA_REMINDER;
		}
		return FA_NONE;
	}
	/* not stale: after a restart that may only be because silence restarted */
	if (cur->stale && f->heard) {
		*ret_next = (struct fresh_state){ 0 };
		return FA_FRESH;
	}
	return FA_NONE;
}

/* See health.h. */
int
fresh_format(const struct fresh_state *st, char *buf, size_t len)
{
	int w = snprintf(buf, len, "s=%d l=%" PRId64 " t=%" PRId64, st->stale ? 1 : 0, st->since,
	                 st->last_mail);

	return w < 0 || (size_t)w >= len ? -ENOBUFS : w;
}

/* Reads "<key>=<integer>" at *s (then a space or the end); advances *s. */
static int
take_field(const char **s, char key, int64_t *ret)
{
	const char *p = *s;
	char *end;
	long long v;

	if (p[0] != key || p[1] != '=' || !((p[2] >= '0' && p[2] <= '9') || p[2] == '-'))
		return -EINVAL;
	errno = 0;
	v = strtoll(p + 2, &end, 10);
	if (errno || (*end != ' ' && *end != '\0'))
		return -EINVAL;
	*ret = v;
	*s = *end ? end + 1 : end;
	return 0;
}

/* See health.h. */
int
fresh_parse(const char *s, struct fresh_state *ret)
{
	int64_t stale, since, last;

	if (take_field(&s, 's', &stale) < 0 || take_field(&s, 'l', &since) < 0 ||
	    take_field(&s, 't', &last) < 0 || *s || (stale != 0 && stale != 1))
		return -EINVAL;
	*ret = (struct fresh_state){ .stale = stale, .since = since, .last_mail = last };
	return 0;
}
