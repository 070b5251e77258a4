/*
 * ctl_manual.c — `teleqctl set` and `teleqctl note`: the figures no feed
 * counts (manual indicators) and the samordnare's Analys and Prognos per
 * indicator and period; and reading them back into a report (text and
 * CSV rows, the notes of the follow-up document). Split from teleqctl.c.
 *
 * What is kept, under the deployment's key prefix K (README "Redis key
 * schema"):
 *   K manual:<PERIOD>  hash, the current state of a period (2026-03,
 *                      2026-Q1, 2026-H1, 2026): field <indicator> = the
 *                      value in its unit ("-150000", "12.5"),
 *                      <indicator>:analys and <indicator>:prognos = notes
 *   K manual:log       stream, append-only audit: one entry per set or note
 *                      (indicator, period, value | analys | prognos, user,
 *                      time); a correction is a new entry. MAXLEN ~
 *                      MANUAL_LOG_MAXLEN.
 * Both change in one MULTI/EXEC, so the hash never holds a value the log
 * does not. The notes are the only free text teleqd stores; they must not
 * name patients (teleqctl(1), README).
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "keys.h"
#include "manual.h"
#include "period.h"
#include "report.h"
#include "tq_config.h"
#include "utf8.h"
#include "ctl.h"

#define KEY_MAX    512
#define CFG_MAX_NAME_BYTES 64           /* an indicator name (48) with room to spare */
#define FIELD_MAX  (CFG_MAX_NAME_BYTES + 16)
#define USER_MAX   64

/* The Unix user running teleqctl, for the audit stream: the name, or "uid N". */
static void
current_user(char *buf, size_t len)
{
	struct passwd pwd, *pw = NULL;
	char tmp[1024];

	/* a name longer than the buffer (ERANGE) is recorded by its uid */
	if (getpwuid_r(geteuid(), &pwd, tmp, sizeof(tmp), &pw) == 0 && pw && pw->pw_name &&
	    pw->pw_name[0])
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)geteuid());
}

/* True when name is a counted or a manual indicator of cfg. */
static bool
known_indicator(const struct config *cfg, const char *name, const struct manual_ind **ret_m)
{
	*ret_m = manual_find(cfg, name);
	if (*ret_m)
		return true;
	for (size_t i = 0; i < cfg->nindicators; i++)
		if (!strcmp(cfg->indicators[i].name, name))
			return true;
	return false;
}

/* Says why a note was refused. */
static void
note_error(char *err, size_t errlen, const char *what, int r)
{
	snprintf(err, errlen, "--%s: %s", what,
	         r == -E2BIG ? "longer than " "2000" " bytes" :
	         r == -EILSEQ ? "not valid UTF-8" :
	         "holds a control character (only newline is allowed)");
}

/* See ctl.h. */
int
ctl_manual_check(const struct config *cfg, struct ctl_manual_req *rq, char *err, size_t errlen)
{
	const struct manual_ind *m = NULL;
	struct period p;
	double v;
	int r;

	_Static_assert(MANUAL_NOTE_MAX == 2000, "note_error names the limit");
	if (strnlen(rq->indicator, CFG_MAX_NAME_BYTES + 1) > CFG_MAX_NAME_BYTES ||
	    !known_indicator(cfg, rq->indicator, &m)) {
		snprintf(err, errlen, "unknown indicator '%.64s'%s", rq->indicator,
		         rq->note ? "" : " (set takes a kind: manual indicator)");
		return -EINVAL;
	}
	if (!rq->note && !m) {
		snprintf(err, errlen, "'%s' is counted from the feeds; set takes a kind: manual "
		         "indicator", rq->indicator);
		return -EINVAL;
	}
	/* "rolling" and days are no period of the committee's follow-up */
	if (report_parse_period(rq->period, 0, &p) < 0 || p.kind == P_DAY || p.kind == P_ROLLING ||
	    period_name(&p, rq->period_name, sizeof(rq->period_name)) < 0) {
		snprintf(err, errlen, "invalid period '%.40s' (2026-03, 2026-Q1, 2026-H1 or 2026)",
		         rq->period);
		return -EINVAL;
	}
	if (!rq->note) {
		if (manual_parse_value(rq->value, m->unit, &v) < 0) {
			snprintf(err, errlen, "invalid value '%.40s' for %s (%s)", rq->value,
			         rq->indicator, m->unit == UNIT_COUNT ? "a whole number >= 0" :
			         m->unit == UNIT_KR ? "kronor like 1500, -150000 or 1234,50" :
			         "a percentage like 52 or 12,5 %");
			return -EINVAL;
		}
		manual_fmt_plain(rq->plain, sizeof(rq->plain), v);
		return 0;
	}
	if (!rq->analys && !rq->prognos) {
		snprintf(err, errlen, "note needs --analys TEXT and/or --prognos TEXT");
		return -EINVAL;
	}
	if (rq->analys && (r = manual_note_check(rq->analys, strlen(rq->analys))) < 0) {
		note_error(err, errlen, "analys", r);
		return -EINVAL;
	}
	if (rq->prognos && (r = manual_note_check(rq->prognos, strlen(rq->prognos))) < 0) {
		note_error(err, errlen, "prognos", r);
		return -EINVAL;
	}
	return 0;
}

/* Queues HSET (or HDEL for "") of field in hash key and the log entry for it. */
static void
queue_change(redisContext *c, const char *hkey, const char *lkey, const char *field,
             const char *what, const char *text, const struct ctl_manual_req *rq,
             const char *user, const char *now)
{
	char maxlen[24];

	snprintf(maxlen, sizeof(maxlen), "%d", MANUAL_LOG_MAXLEN);
	if (text[0])
		redisAppendCommand(c, "HSET %s %s %s", hkey, field, text);
	else
		redisAppendCommand(c, "HDEL %s %s", hkey, field);
	redisAppendCommand(c, "XADD %s MAXLEN ~ %s * indicator %s period %s %s %s user %s time %s",
	                   lkey, maxlen, rq->indicator, rq->period_name, what, text, user, now);
}

/* See ctl.h. */
int
ctl_manual_write(const struct config *cfg, redisContext *c, const struct ctl_manual_req *rq,
                 FILE *out)
{
	char hkey[KEY_MAX], lkey[KEY_MAX], field[FIELD_MAX], user[USER_MAX], now[24];
	redisReply *rep = NULL;
	unsigned nq = 0;
	int r = 0;

	if (key_name(cfg, hkey, sizeof(hkey), "manual:%s", rq->period_name) < 0 ||
	    key_name(cfg, lkey, sizeof(lkey), "manual:log") < 0) {
		fprintf(stderr, "teleqctl: key prefix too long\n");
		return -ENOBUFS;
	}
	current_user(user, sizeof(user));
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	/* hash and log together: a value is never current without its audit entry */
	redisAppendCommand(c, "MULTI");
	if (!rq->note) {
		queue_change(c, hkey, lkey, rq->indicator, "value", rq->plain, rq, user, now);
		nq += 2;
	}
	if (rq->note && rq->analys) {
		snprintf(field, sizeof(field), "%s:analys", rq->indicator);
		queue_change(c, hkey, lkey, field, "analys", rq->analys, rq, user, now);
		nq += 2;
	}
	if (rq->note && rq->prognos) {
		snprintf(field, sizeof(field), "%s:prognos", rq->indicator);
		queue_change(c, hkey, lkey, field, "prognos", rq->prognos, rq, user, now);
		nq += 2;
	}
	redisAppendCommand(c, "EXEC");
	for (unsigned k = 0; k < nq + 2; k++) {
		if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
			(void)ctl_reply_error(c, cfg, "MULTI/EXEC", NULL);
			return -EIO;
		}
		/* MULTI +OK, each command +QUEUED (or an error), then EXEC's array */
		if (r == 0 && (rep->type == REDIS_REPLY_ERROR ||
		    (k == nq + 1 && rep->type != REDIS_REPLY_ARRAY)))
			r = ctl_reply_error(c, cfg, k == nq + 1 ? "EXEC" : "MULTI", rep);
		if (r == 0 && k == nq + 1)
			for (size_t e = 0; e < rep->elements; e++)
				if (rep->element[e]->type == REDIS_REPLY_ERROR) {
					r = ctl_reply_error(c, cfg, "EXEC", rep->element[e]);
					break;
				}
		freeReplyObject(rep);
	}
	if (r < 0)
		return r;
	if (!rq->note)
		fprintf(out, "%s %s = %s (user %s)\n", rq->indicator, rq->period_name, rq->plain,
		        user);
	else
		fprintf(out, "%s %s: %s%s%s (user %s)\n", rq->indicator, rq->period_name,
		        rq->analys ? (rq->analys[0] ? "analys set" : "analys cleared") : "",
		        rq->analys && rq->prognos ? ", " : "",
		        rq->prognos ? (rq->prognos[0] ? "prognos set" : "prognos cleared") : "", user);
	return 0;
}

/*
 * Reads hash manual:<period> into rep: values into cur or prev, notes
 * (cur only) into rep->m / rep->notes. Fields of unknown indicators (an
 * indicator since removed from the config) are skipped; bad values are
 * counted in *nbad. 0, -EIO (reported) or -ENOMEM.
 */
static int
fetch_period(const struct config *cfg, redisContext *c, const char *period, bool cur,
             struct report *rep, unsigned *nbad)
{
	char key[KEY_MAX];
	redisReply *rep_ = NULL;
	int r = 0;

	if (key_name(cfg, key, sizeof(key), "manual:%s", period) < 0)
		return -ENOBUFS;
	rep_ = redisCommand(c, "HGETALL %s", key);
	if (!rep_ || rep_->type != REDIS_REPLY_ARRAY) {
		r = ctl_reply_error(c, cfg, "HGETALL", rep_);
		freeReplyObject(rep_);
		return r;
	}
	for (size_t e = 0; e + 1 < rep_->elements && r >= 0; e += 2) {
		const redisReply *f = rep_->element[e], *v = rep_->element[e + 1];

		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			continue;
		r = manual_read_field(cfg, rep, cur, f->str, f->len, v->str, v->len);
		if (r == 1) {
			++*nbad;
			r = 0;
		}
	}
	freeReplyObject(rep_);
	return r;
}

/* See ctl.h. */
int
ctl_manual_fetch(const struct config *cfg, redisContext *c, struct report *rep)
{
	unsigned nbad = 0;
	int r;

	/* a rolling window or a day has no manual values: nothing to read */
	if (rep->cur.kind == P_DAY || rep->cur.kind == P_ROLLING)
		return 0;
	if ((r = fetch_period(cfg, c, rep->cur_name, true, rep, &nbad)) < 0 ||
	    (r = fetch_period(cfg, c, rep->prev_name, false, rep, &nbad)) < 0)
		return r;
	if (nbad)
		fprintf(stderr, "teleqctl: warning: ignored %u manual value(s) that do not parse\n",
		        nbad);
	rep->manual_read = true;
	return 0;
}

/* A note's lines, each made terminal-safe, indented under its label. */
static void
put_note(FILE *out, const char *label, const char *text)
{
	const char *p = text;

	fprintf(out, "    %s: ", label);
	while (p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = malloc(n + 1), *safe;

		if (!line)
			return;
		memcpy(line, p, n);
		line[n] = '\0';
		safe = ctl_term_safe(line);
		fputs(safe ? safe : "?", out);
		free(safe);
		free(line);
		p = nl ? nl + 1 : NULL;
		fputs(p ? "\n      " : "\n", out);
	}
}

enum { MC_TITLE, MC_TARGET, MC_VALUE, MC_PREV, MC_MET, MC__N };
#define MCELL 256

/* See ctl.h. */
void
ctl_manual_text(FILE *out, const struct config *cfg, const struct report *rep)
{
	static const char *const head[MC__N] = {
		"Indikator", "Målvärde", "Utfall", "Samma period i fjol", "Uppfyllt" };
	char (*cells)[MC__N][MCELL];
	size_t width[MC__N], missing = 0;
	bool any_note = false;

	if (!rep->manual_read)
		return;
	if (rep->nmanual) {
		cells = calloc(rep->nmanual + 1, sizeof(*cells));
		if (!cells)
			return;
		for (int k = 0; k < MC__N; k++)
			snprintf(cells[0][k], MCELL, "%s", head[k]);
		for (size_t j = 0; j < rep->nmanual; j++) {
			const struct manual_ind *m = &cfg->manuals[j];
			const struct manual_result *mr = &rep->m[j];
			char (*row)[MCELL] = cells[j + 1];

			snprintf(row[MC_TITLE], MCELL, "%s", m->title ? m->title : m->name);
			manual_fmt_target(row[MC_TARGET], MCELL, m);
			if (mr->has_value)
				manual_fmt_value(row[MC_VALUE], MCELL, m->unit, mr->value);
			else
				snprintf(row[MC_VALUE], MCELL, "%s", REPORT_DASH);
			if (mr->prev_has_value)
				manual_fmt_value(row[MC_PREV], MCELL, m->unit, mr->prev_value);
			else
				snprintf(row[MC_PREV], MCELL, "%s", REPORT_DASH);
			snprintf(row[MC_MET], MCELL, "%s",
			         mr->met == 1 ? "Ja" : mr->met == 0 ? "Nej" : REPORT_DASH);
			missing += !mr->has_value;
		}
		for (int k = 0; k < MC__N; k++) {
			width[k] = 0;
			for (size_t j = 0; j <= rep->nmanual; j++)
				if (utf8_width(cells[j][k]) > width[k])
					width[k] = utf8_width(cells[j][k]);
		}
		fprintf(out, "\nManuella indikatorer %s (teleqctl set)\n", rep->cur_name);
		if (missing)
			fprintf(out, "%zu av %zu utan värde för perioden.\n", missing, rep->nmanual);
		fputc('\n', out);
		for (size_t j = 0; j <= rep->nmanual; j++) {
			for (int k = 0; k < MC__N; k++) {
				if (k)
					fputs("  ", out);
				ctl_put_cell(out, cells[j][k], k == MC__N - 1 ? 0 : width[k]);
			}
			fputc('\n', out);
			if (j == 0) {
				for (int k = 0; k < MC__N; k++) {
					if (k)
						fputs("  ", out);
					for (size_t w = 0; w < width[k]; w++)
						fputc('-', out);
				}
				fputc('\n', out);
			}
		}
		free(cells);
	}
	/* the samordnare's notes, counted indicators first, in the config's order */
	for (size_t i = 0; i < rep->n + rep->nmanual; i++) {
		const char *title, *analys, *prognos;

		if (i < rep->n) {
			title = cfg->indicators[i].title ? cfg->indicators[i].title :
			        cfg->indicators[i].name;
			analys = rep->notes[i].analys;
			prognos = rep->notes[i].prognos;
		} else {
			const struct manual_ind *m = &cfg->manuals[i - rep->n];

			title = m->title ? m->title : m->name;
			analys = rep->m[i - rep->n].analys;
			prognos = rep->m[i - rep->n].prognos;
		}
		if (!analys && !prognos)
			continue;
		if (!any_note)
			fprintf(out, "\nSamordnarens analys och prognos (teleqctl note):\n");
		any_note = true;
		fprintf(out, "  %s\n", title);
		if (analys)
			put_note(out, "Analys", analys);
		if (prognos)
			put_note(out, "Prognos", prognos);
	}
}

/* value;percent;met of a manual figure: a percent as a fraction and whole percent. */
static void
csv_manual_value(FILE *out, const struct manual_ind *m, bool has, double v, int met)
{
	char buf[64];

	if (!has)
		fputs(";", out);
	else if (m->unit == UNIT_PERCENT) {
		report_fmt_frac(buf, sizeof(buf), v / 100.0);
		fprintf(out, "%s;%.0f", buf, report_whole_percent(v / 100.0));
	} else {
		manual_fmt_plain(buf, sizeof(buf), v);
		fprintf(out, "%s;", buf);
	}
	fprintf(out, ";%s", met == 1 ? "1" : met == 0 ? "0" : "");
}

/* See ctl.h. */
void
ctl_manual_csv(FILE *out, const struct config *cfg, const struct report *rep)
{
	char buf[64];

	if (!rep->manual_read)
		return;
	for (size_t j = 0; j < rep->nmanual; j++) {
		const struct manual_ind *m = &cfg->manuals[j];
		const struct manual_result *mr = &rep->m[j];

		ctl_csv_field(out, m->name);
		fputc(';', out);
		ctl_csv_field(out, m->title ? m->title : "");
		fprintf(out, ";%s;;;", rep->cur_name);
		csv_manual_value(out, m, mr->has_value, mr->value, mr->met);
		fputc(';', out);
		if (m->has_target) {
			if (m->unit == UNIT_PERCENT)
				report_fmt_frac(buf, sizeof(buf), m->target / 100.0);
			else
				manual_fmt_plain(buf, sizeof(buf), m->target);
			fprintf(out, "%s;%s", buf, cmp_symbol(m->cmp));
		} else {
			fputc(';', out);
		}
		fprintf(out, ";;%s;;;", rep->prev_name);
		csv_manual_value(out, m, mr->prev_has_value, mr->prev_value, mr->prev_met);
		fputs(";;\n", out);
	}
}
