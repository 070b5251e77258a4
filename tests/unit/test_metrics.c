/*
 * test_metrics.c — metrics_observe_latency and metrics_render: exact
 * sample lines (per-feed series with zeros, the cumulative histogram in
 * seconds, per-file gauges clamped, merged and escaped), and a small
 * parser of the text format over every rendering: each sample's family
 * has exactly one # HELP and one # TYPE before it, label values are well
 * formed, no series appears twice, values are numbers.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "feed.h"
#include "health.h"
#include "map.h"
#include "metrics.h"
#include "notify.h"
#include "tq_config.h"
#include "utf8.h"

/* Two feeds: teleq (index 0) and cases (index 1). */
static const char CONF[] =
	"feeds:\n"
	"  - name: teleq\n"
	"    path: /var/log/teleq/calls-*.txt\n"
	"    format: csv\n"
	"    time: { field: start }\n"
	"    event: { field: result, map: { BOOKED: call.booked } }\n"
	"  - name: cases\n"
	"    path: /var/log/eservice/cases-*.jsonl\n"
	"    format: jsonl\n"
	"    time: { field: created }\n"
	"    event: { value: case.opened }\n";

static struct config *
load(void)
{
	char err[256] = "";
	struct config *cfg = NULL;

	if (config_parse("m.yaml", CONF, strlen(CONF), &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return cfg;
}

static char *
render(const struct metrics *m, const struct config *cfg, const struct file_stat *files,
       size_t nfiles)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(metrics_render(m, cfg, files, nfiles, 1775000000, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

/* Fails unless text holds line as a whole line. */
static void
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("missing line: %s\n--- in:\n%s", line, text);
}

/* Fails when any line of text starts with prefix. */
static void
no_line_starting(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n))
			fail_msg("unexpected line starting with %s", prefix);
}

/* ---------------------------------------------------------- format checker */

#define MAX_FAMILIES 64
#define MAX_SERIES   1024

struct family {
	char name[96];
	char type[16];
	int  help, typeseen;
};

static struct family *
family_get(struct family *f, size_t *n, const char *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen(f[i].name) == len && !strncmp(f[i].name, name, len))
			return &f[i];
	assert_true(*n < MAX_FAMILIES);
	assert_true(len < sizeof(f[0].name));
	memset(&f[*n], 0, sizeof(f[*n]));
	memcpy(f[*n].name, name, len);
	return &f[(*n)++];
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * Checks text against the Prometheus text format 0.0.4 as teleqd uses it.
 * Returns the number of samples.
 */
static size_t
check_exposition(const char *text)
{
	struct family fam[MAX_FAMILIES];
	size_t nfam = 0, nsamples = 0, nseries = 0;
	char **series = calloc(MAX_SERIES, sizeof(char *));
	const char *p = text;

	assert_non_null(series);
	assert_true(utf8_valid(text, strlen(text)));
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = (size_t)(end - p);

		assert_non_null(end);
		assert_true(len > 0);           /* no empty lines */
		if (!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7)) {
			const char *name = p + 7, *sp = memchr(name, ' ', (size_t)(end - name));
			struct family *f;

			assert_non_null(sp);
			f = family_get(fam, &nfam, name, (size_t)(sp - name));
			if (p[2] == 'H') {
				assert_int_equal(f->help, 0);
				assert_int_equal(f->typeseen, 0);      /* HELP first, by convention */
				assert_true(end - sp > 1);             /* some help text */
				f->help++;
			} else {
				size_t tl = (size_t)(end - sp - 1);

				assert_int_equal(f->typeseen, 0);
				assert_true(tl < sizeof(f->type));
				memcpy(f->type, sp + 1, tl);
				f->type[tl] = '\0';
				assert_true(!strcmp(f->type, "counter") || !strcmp(f->type, "gauge") ||
				            !strcmp(f->type, "histogram"));
				f->typeseen++;
			}
		} else {
			const char *q = p, *sp;
			struct family *f = NULL;
			size_t nlen;
			char *num, *e;
			double v;

			assert_true(p[0] != '#');
			assert_true(name_char(*q, true));
			while (q < end && name_char(*q, false))
				q++;
			nlen = (size_t)(q - p);
			/* the family: the name itself, or a histogram's base name */
			for (size_t i = 0; i < nfam && !f; i++)
				if (strlen(fam[i].name) == nlen && !strncmp(fam[i].name, p, nlen))
					f = &fam[i];
			if (!f) {
				static const char *const sfx[] = { "_bucket", "_sum", "_count" };

				for (size_t s = 0; s < 3 && !f; s++) {
					size_t sl = strlen(sfx[s]);

					if (nlen > sl && !strncmp(p + nlen - sl, sfx[s], sl))
						for (size_t i = 0; i < nfam && !f; i++)
							if (strlen(fam[i].name) == nlen - sl &&
							    !strncmp(fam[i].name, p, nlen - sl) &&
							    !strcmp(fam[i].type, "histogram"))
								f = &fam[i];
				}
			}
			if (!f)
				fail_msg("sample before its HELP/TYPE: %.*s", (int)len, p);
			assert_int_equal(f->help, 1);
			assert_int_equal(f->typeseen, 1);
			assert_int_equal(!strcmp(f->type, "counter"),
			                 nlen > 6 && !strncmp(p + nlen - 6, "_total", 6));
			if (*q == '{') {
				q++;
				while (*q != '}') {
					assert_true(name_char(*q, true));
					while (name_char(*q, false))
						q++;
					assert_true(q[0] == '=' && q[1] == '"');
					for (q += 2; *q != '"'; q++) {
						assert_true(*q != '\n');
						if (*q == '\\') {
							q++;
							assert_true(*q == '\\' || *q == '"' || *q == 'n');
						}
					}
					q++;
					if (*q == ',')
						q++;
					else
						assert_true(*q == '}');
				}
				q++;
			}
			assert_true(*q == ' ');
			/* the series (name and labels) must be unique in the scrape */
			for (size_t i = 0; i < nseries; i++)
				if (strlen(series[i]) == (size_t)(q - p) && !strncmp(series[i], p, (size_t)(q - p)))
					fail_msg("series twice: %s", series[i]);
			assert_true(nseries < MAX_SERIES);
			series[nseries++] = strndup(p, (size_t)(q - p));
			sp = q + 1;
			num = strndup(sp, (size_t)(end - sp));
			assert_non_null(num);
			if (strcmp(num, "+Inf") && strcmp(num, "-Inf") && strcmp(num, "NaN")) {
				v = strtod(num, &e);
				assert_true(e != num && *e == '\0');
				assert_false(isnan(v));
			}
			free(num);
			nsamples++;
		}
		p = end + 1;
	}
	for (size_t i = 0; i < nfam; i++) {
		assert_int_equal(fam[i].help, 1);
		assert_int_equal(fam[i].typeseen, 1);
	}
	for (size_t i = 0; i < nseries; i++)
		free(series[i]);
	free(series);
	return nsamples;
}

/* ------------------------------------------------------------------ tests */

/* Buckets hold each observation once; the bounds are inclusive; odd values count as 0. */
static void
test_observe(void **state)
{
	struct metrics m;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_true(metrics_latency_bounds_ms[0] == 1);
	assert_true(metrics_latency_bounds_ms[METRICS_LAT_BUCKETS - 1] == 5000);
	metrics_observe_latency(&m, 0.5);
	metrics_observe_latency(&m, 1);         /* le 1 ms: inclusive */
	metrics_observe_latency(&m, 1.0001);
	metrics_observe_latency(&m, 5000);
	metrics_observe_latency(&m, 5000.5);    /* +Inf */
	metrics_observe_latency(&m, -3);        /* counted as 0 */
	metrics_observe_latency(&m, NAN);
	metrics_observe_latency(NULL, 1);       /* ignored */
	assert_int_equal(m.latency[0], 4);
	assert_int_equal(m.latency[1], 1);
	assert_int_equal(m.latency[METRICS_LAT_BUCKETS - 1], 1);
	assert_int_equal(m.latency[METRICS_LAT_BUCKETS], 1);
	assert_true(fabs(m.latency_sum_ms - (0.5 + 1 + 1.0001 + 5000 + 5000.5)) < 1e-9);
}

/* A filled struct: every family, per-feed zeros, the cumulative histogram, alert series. */
static void
test_render(void **state)
{
	struct config *cfg = load();
	struct metrics m;
	char *out;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.started = 1774944000;
	m.lines[0] = 120;
	m.events[0] = 117;
	m.rejects[0][REJ_UNMAPPED] = 2;
	m.rejects[0][REJ_HEADER] = 1;
	m.lines[1] = 40;
	m.events[1] = 38;
	m.rejects[1][REJ_JSON] = 2;
	m.lines[2] = 99;                /* no third feed: never shown */
	m.commits = 6;
	m.commit_failures = 1;
	m.duplicates = 3;
	metrics_observe_latency(&m, 0.4);
	metrics_observe_latency(&m, 3);
	metrics_observe_latency(&m, 3);
	metrics_observe_latency(&m, 20);
	metrics_observe_latency(&m, 480);
	metrics_observe_latency(&m, 9000);
	m.redis_reconnects = 2;
	m.store_resets = 1;
	m.store_last_reset = 1774950000;
	m.redis_connected = true;
	m.redis_responsive = true;
	m.redis_reply_age_ms = 1250;
	m.alerts_queued[AK_BREACH] = 4;
	m.alerts_queued[AK_SUMMARY] = 1;
	m.deliveries[CH_MAIL][1] = 5;
	m.deliveries[CH_MAIL][0] = 2;
	m.deliveries[CH_WEBHOOK][0] = 7;
	m.feed_last_line[0] = 1774949000;
	m.feed_last_line[1] = 1774900000;
	m.feed_stale[1] = true;
	m.header_changes[0] = 1;

	out = render(&m, cfg, NULL, 0);
	has_line(out, "# HELP teleqd_up 1 while teleqd runs and answers.");
	has_line(out, "# TYPE teleqd_up gauge");
	has_line(out, "teleqd_up 1");
	has_line(out, "# TYPE teleqd_start_time_seconds gauge");
	has_line(out, "teleqd_start_time_seconds 1774944000");
	has_line(out, "# TYPE teleqd_lines_total counter");
	has_line(out, "teleqd_lines_total{feed=\"teleq\"} 120");
	has_line(out, "teleqd_lines_total{feed=\"cases\"} 40");
	has_line(out, "teleqd_events_total{feed=\"teleq\"} 117");
	has_line(out, "# TYPE teleqd_feed_last_line_timestamp_seconds gauge");
	has_line(out, "teleqd_feed_last_line_timestamp_seconds{feed=\"teleq\"} 1774949000");
	has_line(out, "teleqd_feed_last_line_timestamp_seconds{feed=\"cases\"} 1774900000");
	has_line(out, "# TYPE teleqd_feed_stale gauge");
	has_line(out, "teleqd_feed_stale{feed=\"teleq\"} 0");
	has_line(out, "teleqd_feed_stale{feed=\"cases\"} 1");
	has_line(out, "teleqd_events_total{feed=\"cases\"} 38");
	has_line(out, "teleqd_rejects_total{feed=\"teleq\",reason=\"unmapped\"} 2");
	has_line(out, "# TYPE teleqd_header_changes_total counter");
	has_line(out, "teleqd_header_changes_total{feed=\"teleq\"} 1");
	has_line(out, "teleqd_header_changes_total{feed=\"cases\"} 0");
	has_line(out, "teleqd_rejects_total{feed=\"teleq\",reason=\"header\"} 1");
	has_line(out, "teleqd_rejects_total{feed=\"cases\",reason=\"bad_json\"} 2");
	/* every reason of every feed, zeros included */
	for (int r = 0; r < REJ__MAX; r++)
		for (int f = 0; f < 2; f++) {
			char want[128];

			snprintf(want, sizeof(want), "teleqd_rejects_total{feed=\"%s\",reason=\"%s\"} ",
			         f ? "cases" : "teleq", reject_name((enum reject)r));
			assert_non_null(strstr(out, want));
		}
	has_line(out, "teleqd_rejects_total{feed=\"cases\",reason=\"too_long\"} 0");
	has_line(out, "teleqd_rejects_total{feed=\"teleq\",reason=\"empty\"} 0");
	has_line(out, "teleqd_files_followed{feed=\"teleq\"} 0");
	has_line(out, "teleqd_files_followed{feed=\"cases\"} 0");
	has_line(out, "# TYPE teleqd_file_size_bytes gauge");
	has_line(out, "# TYPE teleqd_file_behind_bytes gauge");
	no_line_starting(out, "teleqd_file_size_bytes{");
	no_line_starting(out, "teleqd_lines_total{feed=\"\"");
	has_line(out, "teleqd_commits_total 6");
	has_line(out, "teleqd_commit_failures_total 1");
	has_line(out, "teleqd_duplicates_total 3");
	/* the histogram: cumulative, in seconds, +Inf = count */
	has_line(out, "# TYPE teleqd_commit_duration_seconds histogram");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.001\"} 1");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.002\"} 1");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.005\"} 3");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.01\"} 3");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.025\"} 4");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.05\"} 4");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.1\"} 4");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.25\"} 4");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.5\"} 5");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"1\"} 5");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"2.5\"} 5");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"5\"} 5");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"+Inf\"} 6");
	has_line(out, "teleqd_commit_duration_seconds_sum 9.5064");
	has_line(out, "teleqd_commit_duration_seconds_count 6");
	has_line(out, "teleqd_redis_connected 1");
	has_line(out, "teleqd_redis_reconnects_total 2");
	has_line(out, "# TYPE teleqd_redis_responsive gauge");
	has_line(out, "teleqd_redis_responsive 1");
	has_line(out, "# TYPE teleqd_redis_last_reply_age_seconds gauge");
	has_line(out, "teleqd_redis_last_reply_age_seconds 1.25");
	has_line(out, "# TYPE teleqd_redis_policy_ok gauge");
	has_line(out, "teleqd_redis_policy_ok 1");
	has_line(out, "# TYPE teleqd_store_resets_total counter");
	has_line(out, "teleqd_store_resets_total 1");
	has_line(out, "# TYPE teleqd_store_last_reset_timestamp_seconds gauge");
	has_line(out, "teleqd_store_last_reset_timestamp_seconds 1774950000");
	has_line(out, "teleqd_alerts_queued_total{kind=\"breach\"} 4");
	has_line(out, "teleqd_alerts_queued_total{kind=\"summary\"} 1");
	has_line(out, "teleqd_alerts_queued_total{kind=\"reminder\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"redis_evicts\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"redis_ok\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"resolved\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"test\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"stale\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"stale_reminder\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"fresh\"} 0");
	has_line(out, "teleqd_alerts_queued_total{kind=\"reset\"} 0");
	has_line(out, "teleqd_alert_deliveries_total{channel=\"mail\",result=\"delivered\"} 5");
	has_line(out, "teleqd_alert_deliveries_total{channel=\"mail\",result=\"failed\"} 2");
	has_line(out, "teleqd_alert_deliveries_total{channel=\"webhook\",result=\"delivered\"} 0");
	has_line(out, "teleqd_alert_deliveries_total{channel=\"webhook\",result=\"failed\"} 7");
	has_line(out, "teleqd_build_info{version=\"" TQ_VERSION "\"} 1");
	has_line(out, "teleqd_outbox_pending 0");
	has_line(out, "teleqd_alerts_ambiguous_total 0");
	has_line(out, "teleqd_alerts_parked 0");
	no_line_starting(out, "process_");      /* m.proc.ok false: left out */
	/* 2 + 2x(lines, events, files, last line, stale, header changes) + 2xREJ__MAX + 3 + 15
	 * + 6 (redis, lease) + 2 (store resets) + AK__MAX + 4 + build info, config reload, outbox
	 * + ambiguous, parked */
	assert_int_equal(check_exposition(out),
	                 2 + 12 + 2 * REJ__MAX + 3 + 15 + 6 + 2 + AK__MAX + 4 + 3 + 2);
	has_line(out, "teleqd_lease_held 0");
	m.lease_held = true;
	free(out);
	out = render(&m, cfg, NULL, 0);
	has_line(out, "teleqd_lease_held 1");
	m.lease_held = false;
	free(out);

	/* disconnected, nothing observed: a zero histogram is still complete */
	memset(&m, 0, sizeof(m));
	out = render(&m, cfg, NULL, 0);
	has_line(out, "teleqd_redis_connected 0");
	has_line(out, "teleqd_redis_responsive 0");
	has_line(out, "teleqd_redis_last_reply_age_seconds 0");
	/* a refused policy, not connected: 0, and responsive says 0 whatever was kept */
	m.redis_policy_refused = true;
	m.redis_responsive = true;
	m.redis_reply_age_ms = -1;
	free(out);
	out = render(&m, cfg, NULL, 0);
	has_line(out, "teleqd_redis_policy_ok 0");
	has_line(out, "teleqd_redis_responsive 0");
	has_line(out, "teleqd_redis_last_reply_age_seconds -1");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"0.001\"} 0");
	has_line(out, "teleqd_commit_duration_seconds_bucket{le=\"+Inf\"} 0");
	has_line(out, "teleqd_commit_duration_seconds_sum 0");
	has_line(out, "teleqd_commit_duration_seconds_count 0");
	has_line(out, "teleqd_lines_total{feed=\"teleq\"} 0");
	check_exposition(out);
	free(out);
	config_free(cfg);
}

/*
 * What an operator expects of any exporter: build info, the process_*
 * families (from m->proc, when read), the last good config load, the
 * outbox backlog; each under its HELP and TYPE.
 */
static void
test_render_operator(void **state)
{
	struct config *cfg = load();
	struct metrics m;
	char *out;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.config_last_reload = 1774944123;
	m.outbox_pending = 7;
	m.proc = (struct proc_stat){ .ok = true, .resident_bytes = 5242880, .open_fds = 23,
	                             .max_fds = 1024, .cpu_seconds = 1.25,
	                             .start_time = 1774944000.5 };
	out = render(&m, cfg, NULL, 0);
	has_line(out, "# TYPE teleqd_build_info gauge");
	has_line(out, "teleqd_build_info{version=\"" TQ_VERSION "\"} 1");
	has_line(out, "# TYPE teleqd_config_last_reload_success_timestamp_seconds gauge");
	has_line(out, "teleqd_config_last_reload_success_timestamp_seconds 1774944123");
	has_line(out, "# TYPE teleqd_outbox_pending gauge");
	has_line(out, "teleqd_outbox_pending 7");
	has_line(out, "# TYPE process_resident_memory_bytes gauge");
	has_line(out, "process_resident_memory_bytes 5242880");
	has_line(out, "# TYPE process_open_fds gauge");
	has_line(out, "process_open_fds 23");
	has_line(out, "# TYPE process_max_fds gauge");
	has_line(out, "process_max_fds 1024");
	has_line(out, "# TYPE process_cpu_seconds_total counter");
	has_line(out, "process_cpu_seconds_total 1.25");
	has_line(out, "# TYPE process_start_time_seconds gauge");
	has_line(out, "process_start_time_seconds 1774944000.5");
	check_exposition(out);
	free(out);
	config_free(cfg);
}

/*
 * Per-file gauges: sorted by feed and path, backlog clamped at 0, one
 * series for two open files under one name, label values escaped, bytes
 * that are not UTF-8 replaced, files of unknown feeds left out.
 */
static void
test_render_files(void **state)
{
	struct config *cfg = load();
	struct file_stat files[] = {
		{ .feed = 1, .path = "/var/log/eservice/cases-2026.jsonl", .size = 5000, .offset = 4000 },
		{ .feed = 0, .path = "/var/log/teleq/calls-b.txt", .size = 100, .offset = 100 },
		{ .feed = 0, .path = "/var/log/teleq/calls-a\"q\\b\nc.txt", .size = 10, .offset = 4 },
		/* truncated under us: offset beyond the size until the feed notices */
		{ .feed = 0, .path = "/var/log/teleq/calls-t.txt", .size = 50, .offset = 80 },
		/* a rotated-away file still drained under its old name, and the new one */
		{ .feed = 1, .path = "/var/log/eservice/cases-x.jsonl", .size = 700, .offset = 600 },
		{ .feed = 1, .path = "/var/log/eservice/cases-x.jsonl", .size = 30, .offset = 0 },
		{ .feed = 1, .path = "/var/log/eservice/cases-\xff\xc3\x28-\xc3\xa5.jsonl", .size = 1,
		  .offset = 0 },
		{ .feed = 7, .path = "/elsewhere/x", .size = 9, .offset = 0 },     /* no such feed */
	};
	struct metrics m;
	char *out;
	const char *a, *b;

	(void)state;
	memset(&m, 0, sizeof(m));
	out = render(&m, cfg, files, sizeof(files) / sizeof(files[0]));
	has_line(out, "teleqd_files_followed{feed=\"teleq\"} 3");
	has_line(out, "teleqd_files_followed{feed=\"cases\"} 4");
	has_line(out, "teleqd_file_size_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-b.txt\"} 100");
	has_line(out, "teleqd_file_behind_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-b.txt\"} 0");
	has_line(out, "teleqd_file_size_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-a\\\"q\\\\b\\nc.txt\"} 10");
	has_line(out, "teleqd_file_behind_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-a\\\"q\\\\b\\nc.txt\"} 6");
	has_line(out, "teleqd_file_size_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-t.txt\"} 50");
	has_line(out, "teleqd_file_behind_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-t.txt\"} 0");
	has_line(out, "teleqd_file_behind_bytes{feed=\"cases\",file=\"/var/log/eservice/cases-2026.jsonl\"} 1000");
	has_line(out, "teleqd_file_size_bytes{feed=\"cases\",file=\"/var/log/eservice/cases-x.jsonl\"} 730");
	has_line(out, "teleqd_file_behind_bytes{feed=\"cases\",file=\"/var/log/eservice/cases-x.jsonl\"} 130");
	has_line(out, "teleqd_file_size_bytes{feed=\"cases\",file=\"/var/log/eservice/cases-"
	         "\xef\xbf\xbd\xef\xbf\xbd(-\xc3\xa5.jsonl\"} 1");
	assert_null(strstr(out, "/elsewhere/x"));
	/* sorted: feed teleq before cases (config order), paths in byte order within a feed */
	a = strstr(out, "teleqd_file_size_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-a");
	b = strstr(out, "teleqd_file_size_bytes{feed=\"teleq\",file=\"/var/log/teleq/calls-b");
	assert_true(a && b && a < b);
	b = strstr(out, "teleqd_file_size_bytes{feed=\"cases\"");
	assert_true(b && a < b);
	check_exposition(out);
	free(out);
	config_free(cfg);
}

/* Without a config only the process-wide families have samples; bad arguments are refused. */
static void
test_render_edges(void **state)
{
	struct config *cfg = load();
	struct metrics m;
	char *out = NULL;
	size_t len = 99;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.latency_sum_ms = INFINITY;
	assert_int_equal(metrics_render(&m, NULL, NULL, 0, 0, &out, NULL), 0);
	has_line(out, "# TYPE teleqd_lines_total counter");
	no_line_starting(out, "teleqd_lines_total");
	no_line_starting(out, "teleqd_files_followed");
	has_line(out, "teleqd_commit_duration_seconds_sum +Inf");
	check_exposition(out);
	free(out);

	out = (char *)"untouched";
	assert_int_equal(metrics_render(NULL, cfg, NULL, 0, 0, &out, &len), -EINVAL);
	assert_int_equal(metrics_render(&m, cfg, NULL, 3, 0, &out, &len), -EINVAL);
	assert_int_equal(metrics_render(&m, cfg, NULL, 0, 0, NULL, &len), -EINVAL);
	assert_string_equal(out, "untouched");
	assert_int_equal(len, 99);

	/* the global itself starts zeroed */
	assert_int_equal(tq_metrics.commits, 0);
	assert_false(tq_metrics.redis_connected);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_operator),
		cmocka_unit_test(test_render_files),
		cmocka_unit_test(test_render_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
