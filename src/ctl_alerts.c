/*
 * ctl_alerts.c — `teleqctl alerts`: the most recent alerts of the alerts
 * stream and the deliveries still pending in the outbox (split from
 * teleqctl.c; `alerts --test` stays there).
 *
 * Nothing here changes Redis. Values from Redis are made terminal-safe
 * before printing.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "keys.h"
#include "report.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"
#include "ctl.h"

#define KEY_MAX 512

/*
 * What the daemon keeps for alerts, all under the deployment's key prefix K:
 *   K alerts        stream, one entry per alert: id, kind, period,
 *                   indicator, subject, created (unix seconds), channels
 *                   ("mail,webhook", "" for none)
 *   K outbox        hash "<id>|<channel>" -> the payload still to deliver
 *   K outbox:due    zset "<id>|<channel>" -> next attempt (ms since the epoch)
 *   K outbox:tries  hash "<id>|<channel>" -> attempts so far
 *   K outbox:error  hash "<id>|<channel>" -> detail of the last failure
 */

enum { AF_ID, AF_KIND, AF_PERIOD, AF_INDICATOR, AF_SUBJECT, AF_CREATED, AF_CHANNELS, AF__N };
static const char *const alert_fields[AF__N] = {
	"id", "kind", "period", "indicator", "subject", "created", "channels",
};

/* One entry of the alerts stream. */
struct alert_row {
	char   *sid;                    /* stream entry id */
	char   *v[AF__N];               /* field values ("" when absent) */
	int64_t created;                /* -1 when missing or not a number */
};

/* One pending delivery of the outbox. */
struct pending_row {
	char   *id, *channel;           /* the member split at its last '|' */
	int64_t due_ms;                 /* -1 when unknown */
	int64_t tries;                  /* -1 when unknown */
	char   *error;                  /* NULL when no failure is recorded */
};

struct alerts_list {
	struct alert_row   *a;
	size_t              na;
	long long           total;      /* entries in the stream */
	struct pending_row *p;
	size_t              np;
};

static void
alerts_list_done(struct alerts_list *l)
{
	for (size_t i = 0; i < l->na; i++) {
		free(l->a[i].sid);
		for (int f = 0; f < AF__N; f++)
			free(l->a[i].v[f]);
	}
	for (size_t i = 0; i < l->np; i++) {
		free(l->p[i].id);
		free(l->p[i].channel);
		free(l->p[i].error);
	}
	free(l->a);
	free(l->p);
	*l = (struct alerts_list){ 0 };
}

/* A string reply's text as a new string (a NUL inside ends it); "" for anything else. NULL on ENOMEM. */
static char *
reply_strdup(const redisReply *r)
{
	if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS))
		return strndup(r->str, r->len);
	return strdup("");
}

/*
 * Reads the count most recent entries of the alerts stream into l->a,
 * oldest first, and the stream's length into l->total. Returns 0, -EIO
 * (reported on stderr) or -ENOMEM.
 */
static int
fetch_alerts(redisContext *c, const struct config *cfg, long count, struct alerts_list *l)
{
	char key[KEY_MAX];
	redisReply *rep;
	int r = 0;

	if (key_name(cfg, key, sizeof(key), "alerts") < 0)
		return -ENAMETOOLONG;
	rep = redisCommand(c, "XLEN %s", key);
	if (!rep || rep->type != REDIS_REPLY_INTEGER) {
		r = ctl_reply_error(c, cfg, "XLEN", rep);
		freeReplyObject(rep);
		return r;
	}
	l->total = rep->integer;
	freeReplyObject(rep);

	rep = redisCommand(c, "XREVRANGE %s + - COUNT %ld", key, count);
	if (!rep || rep->type != REDIS_REPLY_ARRAY) {
		r = ctl_reply_error(c, cfg, "XREVRANGE", rep);
		freeReplyObject(rep);
		return r;
	}
	l->a = calloc(rep->elements ? rep->elements : 1, sizeof(*l->a));
	if (!l->a) {
		freeReplyObject(rep);
		return -ENOMEM;
	}
	/* Newest first from Redis; listed oldest first, like a log. */
	for (size_t e = rep->elements; e-- > 0;) {
		const redisReply *ent = rep->element[e], *fv;
		struct alert_row *a;
		int64_t created;

		if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 ||
		    ent->element[1]->type != REDIS_REPLY_ARRAY)
			continue;
		fv = ent->element[1];
		a = &l->a[l->na++];
		a->created = -1;
		if (!(a->sid = reply_strdup(ent->element[0])))
			r = -ENOMEM;
		for (size_t k = 0; k + 1 < fv->elements; k += 2) {
			const redisReply *f = fv->element[k], *v = fv->element[k + 1];

			if (f->type != REDIS_REPLY_STRING)
				continue;
			for (int i = 0; i < AF__N; i++)
				if (!a->v[i] && f->len == strlen(alert_fields[i]) &&
				    memcmp(f->str, alert_fields[i], f->len) == 0 &&
				    !(a->v[i] = reply_strdup(v)))
					r = -ENOMEM;
		}
		for (int i = 0; i < AF__N; i++)
			if (!a->v[i] && !(a->v[i] = strdup("")))
				r = -ENOMEM;
		if (a->v[AF_CREATED] && report_parse_count(a->v[AF_CREATED], strlen(a->v[AF_CREATED]),
		                                    &created) == 0 && created >= 0)
			a->created = created;
	}
	freeReplyObject(rep);
	return r;
}

/*
 * HMGET of key for every member of l->p (argv built here: members may
 * hold any byte). On success *ret is the array reply with l->np elements.
 * Returns 0, -EIO (reported) or -ENOMEM.
 */
static int
hmget_members(redisContext *c, const struct config *cfg, const char *key,
              const redisReply *members, redisReply **ret)
{
	size_t n = members->elements / 2, argc = n + 2;
	const char **argv = calloc(argc, sizeof(*argv));
	size_t *argvlen = calloc(argc, sizeof(*argvlen));
	redisReply *rep;

	if (!argv || !argvlen) {
		free(argv);
		free(argvlen);
		return -ENOMEM;
	}
	argv[0] = "HMGET";
	argvlen[0] = 5;
	argv[1] = key;
	argvlen[1] = strlen(key);
	for (size_t i = 0; i < n; i++) {
		argv[i + 2] = members->element[2 * i]->str;
		argvlen[i + 2] = members->element[2 * i]->len;
	}
	rep = redisCommandArgv(c, (int)argc, argv, argvlen);
	free(argv);
	free(argvlen);
	if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != n) {
		/* -EIO spelled out: the analyzer cannot see ctl_reply_error's
		 * result (another file) and would take 0 with *ret unset */
		(void)ctl_reply_error(c, cfg, "HMGET", rep);
		freeReplyObject(rep);
		return -EIO;
	}
	*ret = rep;
	return 0;
}

/*
 * Reads every pending delivery (the members of outbox:due, soonest
 * first) with its attempts and last error into l->p. Returns 0, -EIO
 * (reported on stderr) or -ENOMEM.
 */
static int
fetch_pending(redisContext *c, const struct config *cfg, struct alerts_list *l)
{
	char kdue[KEY_MAX], ktries[KEY_MAX], kerr[KEY_MAX];
	redisReply *due, *tries = NULL, *errs = NULL;
	size_t n;
	int r;

	if (key_name(cfg, kdue, sizeof(kdue), "outbox:due") < 0 ||
	    key_name(cfg, ktries, sizeof(ktries), "outbox:tries") < 0 ||
	    key_name(cfg, kerr, sizeof(kerr), "outbox:error") < 0)
		return -ENAMETOOLONG;
	due = redisCommand(c, "ZRANGE %s 0 -1 WITHSCORES", kdue);
	if (!due || due->type != REDIS_REPLY_ARRAY || due->elements % 2) {
		r = ctl_reply_error(c, cfg, "ZRANGE", due);
		freeReplyObject(due);
		return r;
	}
	n = due->elements / 2;
	if (n == 0) {
		freeReplyObject(due);
		return 0;
	}
	for (size_t i = 0; i < due->elements; i++)
		if (due->element[i]->type != REDIS_REPLY_STRING) {
			r = ctl_reply_error(c, cfg, "ZRANGE", NULL);
			freeReplyObject(due);
			return r;
		}
	if ((r = hmget_members(c, cfg, ktries, due, &tries)) < 0 ||
	    (r = hmget_members(c, cfg, kerr, due, &errs)) < 0)
		goto out;
	l->p = calloc(n, sizeof(*l->p));
	if (!l->p) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const redisReply *m = due->element[2 * i], *sc = due->element[2 * i + 1];
		const redisReply *t = tries->element[i], *e = errs->element[i];
		struct pending_row *p = &l->p[l->np++];
		const char *bar = NULL;
		char *end;
		double v;

		for (size_t k = m->len; k-- > 0;)
			if (m->str[k] == '|') {
				bar = m->str + k;
				break;
			}
		p->id = bar ? strndup(m->str, (size_t)(bar - m->str)) : strndup(m->str, m->len);
		p->channel = bar ? strndup(bar + 1, m->len - (size_t)(bar + 1 - m->str)) : strdup("?");
		errno = 0;
		v = strtod(sc->str, &end);
		p->due_ms = errno || *end || !isfinite(v) || v < 0 || v > 9e15 ? -1 : (int64_t)v;
		p->tries = -1;
		if (t->type == REDIS_REPLY_STRING && report_parse_count(t->str, t->len, &p->tries) < 0)
			p->tries = -1;
		p->error = e->type == REDIS_REPLY_STRING ? strndup(e->str, e->len) : NULL;
		if (!p->id || !p->channel || (e->type == REDIS_REPLY_STRING && !p->error))
			r = -ENOMEM;
	}
out:
	freeReplyObject(due);
	freeReplyObject(tries);
	freeReplyObject(errs);
	return r;
}

/* One table of cells (term_safe strings) with a header, columns aligned by code points. */
static void
put_table(FILE *out, size_t ncols, const char *const *head, char **cells, size_t nrows)
{
	size_t width[8] = { 0 };

	for (size_t k = 0; k < ncols; k++) {
		width[k] = utf8_width(head[k]);
		for (size_t i = 0; i < nrows; i++)
			if (utf8_width(cells[i * ncols + k]) > width[k])
				width[k] = utf8_width(cells[i * ncols + k]);
	}
	for (size_t i = 0; i <= nrows; i++) {
		for (size_t k = 0; k < ncols; k++) {
			const char *s = i == 0 ? head[k] : cells[(i - 1) * ncols + k];

			if (k)
				fputs("  ", out);
			/* The last column is not padded: no trailing blanks. */
			ctl_put_cell(out, s, k + 1 == ncols ? 0 : width[k]);
		}
		fputc('\n', out);
	}
}

/* Frees n cells. */
static void
cells_free(char **cells, size_t n)
{
	if (!cells)
		return;
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

/* The text listing: alerts, then pending deliveries. Returns 0 or -ENOMEM. */
static int
print_alerts_text(FILE *out, const struct tz *tz, const struct alerts_list *l)
{
	static const char *const ahead[] = {
		"Time", "Kind", "Period", "Indicator", "Channels", "Id", "Subject",
	};
	static const char *const phead[] = {
		"Id", "Channel", "Attempts", "Next attempt", "Last error",
	};
	enum { NA = sizeof(ahead) / sizeof(ahead[0]), NP = sizeof(phead) / sizeof(phead[0]) };
	char **cells;
	char buf[64];
	bool oom = false;

	if (l->na == 0) {
		fprintf(out, "No alerts in the stream.\n");
	} else {
		fprintf(out, "Alerts: the %zu most recent of %lld, oldest first\n", l->na, l->total);
		cells = calloc(l->na * NA, sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		for (size_t i = 0; i < l->na; i++) {
			const struct alert_row *a = &l->a[i];
			const char *v[NA] = {
				NULL, a->v[AF_KIND], a->v[AF_PERIOD], a->v[AF_INDICATOR],
				a->v[AF_CHANNELS], a->v[AF_ID], a->v[AF_SUBJECT],
			};

			if (a->created >= 0)
				ctl_fmt_local(buf, sizeof(buf), tz, a->created);
			else
				snprintf(buf, sizeof(buf), "?");
			v[0] = buf;
			for (size_t k = 0; k < NA; k++) {
				/* An empty value would leave a hole that shifts the eye. */
				cells[i * NA + k] = ctl_term_safe(v[k][0] ? v[k] : "-");
				oom |= !cells[i * NA + k];
			}
		}
		if (!oom)
			put_table(out, NA, ahead, cells, l->na);
		cells_free(cells, l->na * NA);
		if (oom)
			return -ENOMEM;
	}

	fputc('\n', out);
	if (l->np == 0) {
		fprintf(out, "No pending deliveries.\n");
		return 0;
	}
	fprintf(out, "Pending deliveries: %zu\n", l->np);
	cells = calloc(l->np * NP, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (size_t i = 0; i < l->np; i++) {
		const struct pending_row *p = &l->p[i];
		char tries[24], when[64];

		if (p->tries >= 0)
			snprintf(tries, sizeof(tries), "%" PRId64, p->tries);
		else
			snprintf(tries, sizeof(tries), "0");
		if (p->due_ms >= 0)
			ctl_fmt_local(when, sizeof(when), tz, floor_div(p->due_ms, 1000));
		else
			snprintf(when, sizeof(when), "?");
		cells[i * NP + 0] = ctl_term_safe(p->id);
		cells[i * NP + 1] = ctl_term_safe(p->channel);
		cells[i * NP + 2] = ctl_term_safe(tries);
		cells[i * NP + 3] = ctl_term_safe(when);
		cells[i * NP + 4] = ctl_term_safe(p->error && p->error[0] ? p->error : "-");
		for (size_t k = 0; k < NP; k++)
			oom |= !cells[i * NP + k];
	}
	if (!oom)
		put_table(out, NP, phead, cells, l->np);
	cells_free(cells, l->np * NP);
	return oom ? -ENOMEM : 0;
}

/* The JSON listing: {"alerts": [...], "total": N, "pending": [...]}. */
static void
print_alerts_json(FILE *out, const struct tz *tz, const struct alerts_list *l)
{
	char buf[64];

	fprintf(out, "{\"total\": %lld,\n \"alerts\": [", l->total);
	for (size_t i = 0; i < l->na; i++) {
		const struct alert_row *a = &l->a[i];
		const char *ch = a->v[AF_CHANNELS];

		fputs(i ? ",\n  {" : "\n  {", out);
		for (int f = 0; f < AF__N; f++) {
			if (f == AF_CREATED || f == AF_CHANNELS)
				continue;
			report_json_string(out, alert_fields[f]);
			fputs(": ", out);
			report_json_string(out, a->v[f]);
			fputs(", ", out);
		}
		if (a->created >= 0) {
			ctl_fmt_local(buf, sizeof(buf), tz, a->created);
			fprintf(out, "\"created\": %" PRId64 ", \"created_local\": ", a->created);
			report_json_string(out, buf);
		} else {
			fputs("\"created\": null, \"created_local\": null", out);
		}
		/* "mail,webhook" as a list; "" is none. */
		fputs(", \"channels\": [", out);
		for (const char *p = ch; *p;) {
			size_t k = strcspn(p, ",");
			char *one = strndup(p, k);

			if (p != ch)
				fputs(", ", out);
			report_json_string(out, one ? one : "");
			free(one);
			p += k;
			if (*p == ',')
				p++;
		}
		fputs("], \"stream_id\": ", out);
		report_json_string(out, a->sid);
		fputc('}', out);
	}
	fputs(l->na ? "\n ],\n \"pending\": [" : "],\n \"pending\": [", out);
	for (size_t i = 0; i < l->np; i++) {
		const struct pending_row *p = &l->p[i];

		fputs(i ? ",\n  {\"id\": " : "\n  {\"id\": ", out);
		report_json_string(out, p->id);
		fputs(", \"channel\": ", out);
		report_json_string(out, p->channel);
		fprintf(out, ", \"attempts\": %" PRId64 ", \"next_attempt_ms\": ",
		        p->tries >= 0 ? p->tries : 0);
		if (p->due_ms >= 0) {
			ctl_fmt_local(buf, sizeof(buf), tz, floor_div(p->due_ms, 1000));
			fprintf(out, "%" PRId64 ", \"next_attempt_local\": ", p->due_ms);
			report_json_string(out, buf);
		} else {
			fputs("null, \"next_attempt_local\": null", out);
		}
		fputs(", \"last_error\": ", out);
		if (p->error)
			report_json_string(out, p->error);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs(l->np ? "\n ]\n}\n" : "]\n}\n", out);
}

/*
 * teleqctl alerts: the count most recent alerts and the pending deliveries,
 * text or JSON on out. Returns 0, or -EIO / -ENOMEM (reported on stderr).
 */
int
ctl_alerts(const struct config *cfg, redisContext *c, const struct tz *tz, long count, bool json,
           FILE *out)
{
	struct alerts_list l = { 0 };
	int r;

	if ((r = fetch_alerts(c, cfg, count, &l)) < 0 || (r = fetch_pending(c, cfg, &l)) < 0) {
		if (r != -EIO)
			fprintf(stderr, "teleqctl: %s\n", strerror(-r));
	} else if (json) {
		print_alerts_json(out, tz, &l);
	} else if ((r = print_alerts_text(out, tz, &l)) < 0) {
		fprintf(stderr, "teleqctl: out of memory\n");
	}
	alerts_list_done(&l);
	return r < 0 ? r : 0;
}
