/*
 * ctl_status.c — `teleqctl status`: what the daemon is doing, from what it
 * keeps in Redis and what the files hold now.
 *
 * Per feed: every file with a committed position (K files), its committed
 * offset and line, its size now and the bytes not yet committed (stat of
 * the path on this host: when the path now names another file, the one
 * committed was rotated away and its state is "rotated"); the latest event
 * time (stats last_event:<feed>) and the reject counts (K rejects:<feed>).
 * Then Redis (address, PING round trip) and the daemon's writer record
 * (stats: pid, version, when it connected, reconnects, last commit, totals,
 * and reset_ms: when the daemon last found Redis emptied), and the alert
 * deliveries parked after ambiguous outcomes (HLEN outbox:parked).
 * Then Redis (address, PING round trip), the writer lease (K lease: which
 * daemon writes, since when, when the lease ends unless renewed; see
 * lease.c) and the daemon's writer record (stats: pid, version, when it
 * connected, reconnects, last commit, totals, and reset_ms: when the
 * daemon last found Redis emptied).
 *
 * Nothing here changes Redis. Values from Redis are made terminal-safe
 * before printing; file paths are operator data, never personal data.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "core.h"
#include "batch.h"
#include "clock.h"
#include "health.h"
#include "keys.h"
#include "lease.h"
#include "map.h"
#include "position.h"
#include "redis_health.h"
#include "tq_config.h"
#include "tz.h"
#include "ctl.h"

#define KEY_MAX 512

/* One committed file position, parsed from K files. */
struct pos_row {
	uint64_t dev, ino;
	int64_t  offset;
	uint64_t line;
	char    *path;
	int64_t  size;          /* -1: cannot stat */
	const char *state;      /* "following", "rotated", "missing" */
};

/* What status prints, gathered first so text and JSON show the same. */
struct status {
	double       ping_ms;
	char         policy[32];        /* maxmemory-policy from INFO memory, "" unreadable */
	redisReply  *stats;     /* HGETALL stats (array), owned */
	int          lease;     /* 1 held (below), 0 free, -1 held but not a teleqd value */
	struct lease_holder holder;
	int64_t      lease_ttl_ms;
	struct {
		struct pos_row *rows;
		size_t          n;
		redisReply     *rejects;        /* HGETALL rejects:<feed>, owned */
	} *feed;
	size_t       nfeeds;
	long long    parked;    /* HLEN outbox:parked */
};

/* The value of field f in an HGETALL reply, or NULL. */
static const char *
hfield(const redisReply *h, const char *f)
{
	size_t i;

	if (!h || h->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING &&
		    h->element[i + 1]->type == REDIS_REPLY_STRING && !strcmp(h->element[i]->str, f))
			return h->element[i + 1]->str;
	return NULL;
}

/* Integer value of field f, or def. */
static int64_t
hint(const redisReply *h, const char *f, int64_t def)
{
	const char *v = hfield(h, f);
	char *end;
	long long n;

	if (!v)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno || end == v || *end ? def : (int64_t)n;
}

/*
 * Parses one K files entry into *r (path allocated) with the daemon's own
 * reader (pos_parse). Returns the feed index, or -1 when the entry is
 * malformed, of a feed no longer configured, or a feed's start marker.
 */
static int
parse_pos(const struct config *cfg, const redisReply *f, const redisReply *v, struct pos_row *r)
{
	struct file_pos p;

	if (pos_parse(cfg, f->str, f->len, v->str, v->len, &p) < 0 || p.marker ||
	    !(r->path = strdup(p.path)))
		return -1;
	r->dev = p.dev;
	r->ino = p.ino;
	r->offset = p.offset;
	r->line = p.line;
	return p.feed;
}

/* Size of the committed file now, and whether the path still names it. */
static void
probe(struct pos_row *r)
{
	struct stat st;

	if (stat(r->path, &st) < 0) {
		r->size = -1;
		r->state = "missing";
	} else if ((uint64_t)st.st_dev != r->dev || (uint64_t)st.st_ino != r->ino) {
		r->size = -1;
		r->state = "rotated";   /* the path names a newer file now */
	} else {
		r->size = (int64_t)st.st_size;
		r->state = "following";
	}
}

/* Frees what gather() filled. */
static void
status_done(struct status *s)
{
	size_t i, j;

	freeReplyObject(s->stats);
	for (i = 0; s->feed && i < s->nfeeds; i++) {
		for (j = 0; j < s->feed[i].n; j++)
			free(s->feed[i].rows[j].path);
		free(s->feed[i].rows);
		freeReplyObject(s->feed[i].rejects);
	}
	free(s->feed);
}

/* K <rest> into buf. */
static int
key(const struct config *cfg, char *buf, const char *rest)
{
	return key_name(cfg, buf, KEY_MAX, "%s", rest);
}

/* Reads everything status shows. 0, -EIO (reported), -ENOMEM. */
static int
gather(const struct config *cfg, redisContext *c, struct status *s)
{
	char k[KEY_MAX], rest[96];
	redisReply *rep;
	struct timespec t0, t1;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rep = redisCommand(c, "PING");
	if (!rep || rep->type == REDIS_REPLY_ERROR)
		return ctl_reply_error(c, cfg, "PING", rep);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->ping_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	freeReplyObject(rep);
	/* the policy teleqd requires (redis_health.c); INFO refused is shown, not fatal */
	rep = redisCommand(c, "INFO memory");
	if (!rep)
		return ctl_reply_error(c, cfg, "INFO memory", rep);
	if (rep->type != REDIS_REPLY_STRING ||
	    redis_info_field(rep->str, rep->len, "maxmemory_policy", s->policy, sizeof(s->policy)) < 0)
		s->policy[0] = '\0';
	freeReplyObject(rep);

	if (key(cfg, k, "stats") < 0)
		return -ENOMEM;
	s->stats = redisCommand(c, "HGETALL %s", k);
	if (!s->stats || s->stats->type != REDIS_REPLY_ARRAY)
		return ctl_reply_error(c, cfg, "HGETALL stats", s->stats);

	if (key(cfg, k, "outbox:parked") < 0)
		return -ENOMEM;
	rep = redisCommand(c, "HLEN %s", k);
	if (!rep || rep->type != REDIS_REPLY_INTEGER)
		return ctl_reply_error(c, cfg, "HLEN outbox:parked", rep);
	s->parked = rep->integer;
	freeReplyObject(rep);

	/* the writer lease: GET and PTTL in one round trip */
	if (key(cfg, k, "lease") < 0)
		return -ENOMEM;
	if (redisAppendCommand(c, "GET %s", k) != REDIS_OK ||
	    redisAppendCommand(c, "PTTL %s", k) != REDIS_OK)
		return -ENOMEM;
	if (redisGetReply(c, (void **)&rep) != REDIS_OK || !rep || rep->type == REDIS_REPLY_ERROR)
		return ctl_reply_error(c, cfg, "GET lease", rep);
	if (rep->type == REDIS_REPLY_STRING)
		s->lease = lease_parse(rep->str, rep->len, &s->holder) == 0 ? 1 : -1;
	freeReplyObject(rep);
	if (redisGetReply(c, (void **)&rep) != REDIS_OK || !rep || rep->type != REDIS_REPLY_INTEGER)
		return ctl_reply_error(c, cfg, "PTTL lease", rep);
	s->lease_ttl_ms = rep->integer;
	freeReplyObject(rep);

	s->nfeeds = cfg->nfeeds;
	if (!(s->feed = calloc(s->nfeeds + 1, sizeof(*s->feed))))
		return -ENOMEM;
	for (i = 0; i < cfg->nfeeds; i++) {
		snprintf(rest, sizeof(rest), "rejects:%s", cfg->feeds[i].name);
		if (key(cfg, k, rest) < 0)
			return -ENOMEM;
		s->feed[i].rejects = redisCommand(c, "HGETALL %s", k);
		if (!s->feed[i].rejects || s->feed[i].rejects->type != REDIS_REPLY_ARRAY)
			return ctl_reply_error(c, cfg, "HGETALL rejects", s->feed[i].rejects);
	}

	if (key(cfg, k, "files") < 0)
		return -ENOMEM;
	rep = redisCommand(c, "HGETALL %s", k);
	if (!rep || rep->type != REDIS_REPLY_ARRAY)
		return ctl_reply_error(c, cfg, "HGETALL files", rep);
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const redisReply *f = rep->element[i], *v = rep->element[i + 1];
		struct pos_row r = { 0 }, *rows;
		int fi;

		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
		    (fi = parse_pos(cfg, f, v, &r)) < 0)
			continue;
		probe(&r);
		rows = realloc(s->feed[fi].rows, (s->feed[fi].n + 1) * sizeof(*rows));
		if (!rows) {
			free(r.path);
			freeReplyObject(rep);
			return -ENOMEM;
		}
		rows[s->feed[fi].n++] = r;
		s->feed[fi].rows = rows;
	}
	freeReplyObject(rep);
	return 0;
}

/* "2026-11-23 16:50:01 (12 s ago)" or "never" for unix seconds t. */
static void
fmt_when(char *buf, size_t len, const struct tz *tz, int64_t t, int64_t now)
{
	char lt[32];
	int64_t ago = now - t;

	if (t <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	ctl_fmt_local(lt, sizeof(lt), tz, t);
	if (ago < 0)
		snprintf(buf, len, "%s", lt);
	else if (ago < 120)
		snprintf(buf, len, "%s (%" PRId64 " s ago)", lt, ago);
	else if (ago < 2 * SECS_PER_DAY)
		snprintf(buf, len, "%s (%" PRId64 " min ago)", lt, ago / 60);
	else
		snprintf(buf, len, "%s (%" PRId64 " days ago)", lt, ago / SECS_PER_DAY);
}

/* Prints the text form. */
static void
print_text(FILE *out, const struct config *cfg, const struct tz *tz, const struct status *s)
{
	int64_t now = wall_ms() / 1000;
	char when[96], field[96];
	size_t i, j, r;

	fprintf(out, "redis      %s: connected, PING %.2f ms\n", cfg->redis.address, s->ping_ms);
	if (!redis_policy_safe(s->policy))
		fprintf(out, "redis      maxmemory-policy %s: Redis may evict keys; teleqd commits "
		        "nothing until it is " REDIS_SAFE_POLICY "\n",
		        s->policy[0] ? s->policy : "unreadable (INFO memory refused?)");
	if (hfield(s->stats, "daemon_pid")) {
		char *ver = ctl_term_safe(hfield(s->stats, "daemon_version") ?
		    hfield(s->stats, "daemon_version") : "?");

		fmt_when(when, sizeof(when), tz, hint(s->stats, "daemon_connected_ms", 0) / 1000, now);
		fprintf(out, "daemon     pid %" PRId64 ", version %s, connected %s, %" PRId64
		        " reconnects\n", hint(s->stats, "daemon_pid", 0), ver ? ver : "?", when,
		        hint(s->stats, "daemon_reconnects", 0));
		free(ver);
	} else {
		fprintf(out, "daemon     has not connected to this Redis yet\n");
	}
	if (s->lease > 0) {
		char who[LEASE_DESCRIBE_MAX];

		if (lease_describe(&s->holder, wall_ms(), s->lease_ttl_ms, who, sizeof(who)) < 0)
			snprintf(who, sizeof(who), "pid %ld", s->holder.pid);
		fprintf(out, "lease      held by %s\n", who);
	} else if (s->lease < 0) {
		fprintf(out, "lease      held, but its value is not teleqd's (set by hand?)\n");
	} else {
		fprintf(out, "lease      free: no daemon writes under this prefix\n");
	}
	fmt_when(when, sizeof(when), tz, hint(s->stats, "last_commit_ms", 0) / 1000, now);
	fprintf(out, "commits    %" PRId64 ", last %s; %" PRId64 " events, %" PRId64
	        " duplicates dropped\n", hint(s->stats, "commits", 0), when,
	        hint(s->stats, "events", 0), hint(s->stats, "duplicates", 0));
	if (hint(s->stats, "reset_ms", 0) > 0) {
		/* the daemon found Redis emptied and rebuilt the counters from its files */
		fmt_when(when, sizeof(when), tz, hint(s->stats, "reset_ms", 0) / 1000, now);
		fprintf(out, "store      reset at %s: counters rebuilt from the files then followed; "
		        "files rotated away before it are not counted\n", when);
	}
	if (s->parked > 0)
		/* kept, not retried: the relay may have them (see teleqd(8), ALERTS) */
		fprintf(out, "alerts     %lld deliveries parked after ambiguous outcomes (may have "
		        "arrived; not retried: see teleqd(8), ALERTS)\n", s->parked);
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed_conf *fc = &cfg->feeds[i];
		int64_t nrej = 0;

		snprintf(field, sizeof(field), "last_event:%s", fc->name);
		fmt_when(when, sizeof(when), tz, hint(s->stats, field, 0), now);
		fprintf(out, "\nfeed %s (%s, %s)\n", fc->name, fc->format == FORMAT_CSV ? "csv" : "jsonl",
		        fc->path);
		fprintf(out, "  lines read %" PRId64 ", latest event %s\n",
		        hint(s->feed[i].rejects, "lines", 0), when);
		{
			/* freshness on the daemon's calendar (TELEQD_TEST_CLOCK in tests) */
			struct health_feed hf = { .name = fc->name, .max_silence_s = fc->max_silence_s };
			int64_t cal = cal_now();

			snprintf(field, sizeof(field), "last_line:%s", fc->name);
			hf.last_line = hint(s->stats, field, 0);
			fmt_when(when, sizeof(when), tz, hf.last_line, now);
			fprintf(out, "  last line read %s%s\n", when,
			        hf.last_line > 0 && feed_stale(&hf, cal) ? ", STALE (silent beyond max_silence)" : "");
		}
		fprintf(out, "  rejects   ");
		for (r = 0; r < REJ__MAX; r++) {
			int64_t n = hint(s->feed[i].rejects, reject_name((enum reject)r), 0);

			if (n)
				fprintf(out, " %s %" PRId64, reject_name((enum reject)r), n);
			nrej += n;
		}
		fprintf(out, "%s\n", nrej ? "" : " none");
		if (hint(s->feed[i].rejects, "header_changes", 0))
			fprintf(out, "  header changes %" PRId64 " (CSV header lines with other "
			        "columns mid-file, taken from there on; the log names them)\n",
			        hint(s->feed[i].rejects, "header_changes", 0));
		if (!s->feed[i].n) {
			fprintf(out, "  no file committed yet\n");
			continue;
		}
		fprintf(out, "  %-9s  %12s  %10s  %12s  %12s  %s\n", "state", "offset", "line", "size",
		        "behind", "file");
		for (j = 0; j < s->feed[i].n; j++) {
			const struct pos_row *p = &s->feed[i].rows[j];
			char *path = ctl_term_safe(p->path);
			char size[24] = "-", behind[24] = "-";

			if (p->size >= 0) {
				snprintf(size, sizeof(size), "%" PRId64, p->size);
				snprintf(behind, sizeof(behind), "%" PRId64,
				         p->size > p->offset ? p->size - p->offset : 0);
			}
			fprintf(out, "  %-9s  %12" PRId64 "  %10" PRIu64 "  %12s  %12s  %s\n", p->state,
			        p->offset, p->line, size, behind, path ? path : "?");
			free(path);
		}
	}
}

/* A JSON string (UTF-8 passed through, control characters escaped). */
static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7F)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* Prints the JSON form: one object. Times are unix seconds (null: never). */
static void
print_json(FILE *out, const struct config *cfg, const struct status *s)
{
	char field[96];
	size_t i, j, r;
	int64_t t;

	fprintf(out, "{\"redis\":{\"address\":");
	json_str(out, cfg->redis.address);
	fprintf(out, ",\"connected\":true,\"ping_ms\":%.3f,\"maxmemory_policy\":", s->ping_ms);
	if (s->policy[0])
		json_str(out, s->policy);
	else
		fprintf(out, "null");
	fprintf(out, ",\"policy_ok\":%s},\"daemon\":", redis_policy_safe(s->policy) ? "true" : "false");
	if (hfield(s->stats, "daemon_pid")) {
		char *ver = ctl_term_safe(hfield(s->stats, "daemon_version") ?
		    hfield(s->stats, "daemon_version") : "");

		fprintf(out, "{\"pid\":%" PRId64 ",\"version\":", hint(s->stats, "daemon_pid", 0));
		json_str(out, ver ? ver : "");
		fprintf(out, ",\"connected\":%" PRId64 ",\"reconnects\":%" PRId64 "}",
		        hint(s->stats, "daemon_connected_ms", 0) / 1000,
		        hint(s->stats, "daemon_reconnects", 0));
		free(ver);
	} else {
		fprintf(out, "null");
	}
	fprintf(out, ",\"lease\":");
	if (s->lease > 0) {
		fprintf(out, "{\"host\":");
		json_str(out, s->holder.host);
		fprintf(out, ",\"pid\":%ld,\"since\":%" PRId64 ",\"expires_in_ms\":%" PRId64 "}",
		        s->holder.pid, s->holder.since_ms / 1000, s->lease_ttl_ms);
	} else if (s->lease < 0) {
		fprintf(out, "{\"host\":null,\"pid\":null,\"since\":null,\"expires_in_ms\":%" PRId64 "}",
		        s->lease_ttl_ms);
	} else {
		fprintf(out, "null");
	}
	t = hint(s->stats, "last_commit_ms", 0) / 1000;
	fprintf(out, ",\"commits\":%" PRId64 ",\"events\":%" PRId64 ",\"duplicates\":%" PRId64,
	        hint(s->stats, "commits", 0), hint(s->stats, "events", 0),
	        hint(s->stats, "duplicates", 0));
	if (t > 0)
		fprintf(out, ",\"last_commit\":%" PRId64, t);
	else
		fprintf(out, ",\"last_commit\":null");
	t = hint(s->stats, "reset_ms", 0) / 1000;
	if (t > 0)
		fprintf(out, ",\"store_reset\":%" PRId64, t);
	else
		fprintf(out, ",\"store_reset\":null");
	fprintf(out, ",\"alerts_parked\":%lld", s->parked);
	fprintf(out, ",\"feeds\":[");
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed_conf *fc = &cfg->feeds[i];

		fprintf(out, "%s{\"name\":", i ? "," : "");
		json_str(out, fc->name);
		fprintf(out, ",\"path\":");
		json_str(out, fc->path);
		snprintf(field, sizeof(field), "last_event:%s", fc->name);
		t = hint(s->stats, field, 0);
		if (t > 0)
			fprintf(out, ",\"last_event\":%" PRId64, t);
		else
			fprintf(out, ",\"last_event\":null");
		snprintf(field, sizeof(field), "last_line:%s", fc->name);
		t = hint(s->stats, field, 0);
		{
			struct health_feed hf = { .name = fc->name, .last_line = t,
			                          .max_silence_s = fc->max_silence_s };

			if (t > 0)
				fprintf(out, ",\"last_line\":%" PRId64 ",\"stale\":%s", t,
				        feed_stale(&hf, cal_now()) ? "true" : "false");
			else
				fprintf(out, ",\"last_line\":null,\"stale\":false");
		}
		fprintf(out, ",\"lines\":%" PRId64 ",\"header_changes\":%" PRId64 ",\"rejects\":{",
		        hint(s->feed[i].rejects, "lines", 0),
		        hint(s->feed[i].rejects, "header_changes", 0));
		for (r = 0; r < REJ__MAX; r++)
			fprintf(out, "%s\"%s\":%" PRId64, r ? "," : "", reject_name((enum reject)r),
			        hint(s->feed[i].rejects, reject_name((enum reject)r), 0));
		fprintf(out, "},\"files\":[");
		for (j = 0; j < s->feed[i].n; j++) {
			const struct pos_row *p = &s->feed[i].rows[j];

			fprintf(out, "%s{\"path\":", j ? "," : "");
			json_str(out, p->path);
			fprintf(out, ",\"state\":\"%s\",\"offset\":%" PRId64 ",\"line\":%" PRIu64, p->state,
			        p->offset, p->line);
			if (p->size >= 0)
				fprintf(out, ",\"size\":%" PRId64 ",\"behind\":%" PRId64 "}", p->size,
				        p->size > p->offset ? p->size - p->offset : 0);
			else
				fprintf(out, ",\"size\":null,\"behind\":null}");
		}
		fprintf(out, "]}");
	}
	fprintf(out, "]}\n");
}

/* teleqctl status (contract in ctl.h). */
int
ctl_status(const struct config *cfg, redisContext *c, const struct tz *tz, bool json, FILE *out)
{
	struct status s = { 0 };
	int r;

	if ((r = gather(cfg, c, &s)) == 0) {
		if (json)
			print_json(out, cfg, &s);
		else
			print_text(out, cfg, tz, &s);
	} else if (r == -ENOMEM) {
		fprintf(stderr, "teleqctl: out of memory\n");
	}
	status_done(&s);
	return r;
}
