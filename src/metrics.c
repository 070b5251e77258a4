/*
 * metrics.c — the process's counters (tq_metrics) and their rendering as
 * Prometheus text exposition format 0.0.4 for GET /metrics.
 *
 * Modules bump tq_metrics directly (one thread, no locks). Rendering is
 * pure: no I/O, no clock; the caller passes the config (feed names) and a
 * snapshot of the followed files. Samples carry no timestamps: the scrape
 * time is theirs.
 *
 * The metric families, in the order rendered. Names and labels are stable:
 * dashboards and alert rules depend on them. Every family has one # HELP
 * and one # TYPE line, also when it has no sample (no files followed yet).
 *
 *   teleqd_up                                  gauge     always 1
 *   teleqd_build_info{version}                 gauge     always 1, version TQ_VERSION
 *   teleqd_start_time_seconds                  gauge     process start, unix seconds
 *   teleqd_config_last_reload_success_timestamp_seconds
 *                                              gauge     unix seconds of the last good
 *                                                        config load (the start is one)
 *   teleqd_lines_total{feed}                   counter   lines read and committed (a CSV
 *                                                        header and rejected lines included)
 *   teleqd_feed_last_line_timestamp_seconds{feed}
 *                                              gauge     calendar s a line was last read
 *                                                        (start-up before any)
 *   teleqd_feed_stale{feed}                    gauge     1 silent beyond max_silence, else 0
 *   teleqd_events_total{feed}                  counter   events committed
 *   teleqd_rejects_total{feed,reason}          counter   rejected lines committed; every
 *                                                        reason of reject_name(), zeros too
 *   teleqd_header_changes_total{feed}          counter   CSV headers that changed the
 *                                                        columns mid-file, committed
 *   teleqd_files_followed{feed}                gauge     files open now
 *   teleqd_file_size_bytes{feed,file}          gauge     size of a followed file (last stat)
 *   teleqd_file_behind_bytes{feed,file}        gauge     size - offset, never negative
 *   teleqd_commits_total                       counter   commits applied by Redis
 *   teleqd_commit_failures_total               counter   commits failed or of unknown outcome
 *   teleqd_duplicates_total                    counter   events dropped as already seen (id)
 *   teleqd_commit_duration_seconds             histogram commit round trips; buckets
 *                                                        0.001 .. 5 s and +Inf
 *   teleqd_redis_connected                     gauge     1 connected (the handshake done,
 *                                                        the socket open), 0 not; says
 *                                                        nothing about Redis answering
 *   teleqd_redis_responsive                    gauge     1 connected and no request waited
 *                                                        redis.unresponsive_after, else 0
 *   teleqd_redis_last_reply_age_seconds        gauge     since Redis last answered (-1 not
 *                                                        connected); idle, it is probed
 *                                                        every second
 *   teleqd_redis_policy_ok                     gauge     0 while nothing is committed because
 *                                                        maxmemory-policy is not noeviction
 *   teleqd_redis_connected                     gauge     1 connected, 0 not
 *   teleqd_lease_held                          gauge     1 holds the writer lease (writes),
 *                                                        0 standby or not connected
 *   teleqd_redis_reconnects_total              counter   connections re-established after a loss
 *   teleqd_store_resets_total                  counter   handshakes that found the store
 *                                                        emptied after this process had
 *                                                        committed there (store_reset_ms)
 *   teleqd_store_last_reset_timestamp_seconds  gauge     unix seconds of the last one, 0 = none
 *   teleqd_alerts_queued_total{kind}           counter   alerts queued, per alert_kind_name()
 *   teleqd_alert_deliveries_total{channel,result}
 *                                              counter   delivery attempts per channel_name(),
 *                                                        result "delivered" or "failed"
 *   teleqd_outbox_pending                      gauge     alert deliveries not done yet
 *                                                        (queued or to be retried)
 *   teleqd_alerts_ambiguous_total              counter   mail attempts that may have been
 *                                                        delivered all the same (also counted
 *                                                        as failed above)
 *   teleqd_alerts_parked                       gauge     deliveries parked after
 *                                                        alerts.delivery.max_ambiguous
 *                                                        ambiguous outcomes (last HLEN)
 *   process_cpu_seconds_total                  counter   user + system CPU time
 *   process_open_fds                           gauge     descriptors open
 *   process_max_fds                            gauge     the descriptor limit (soft)
 *   process_resident_memory_bytes              gauge     resident set size
 *   process_start_time_seconds                 gauge     process start, unix seconds
 *                                                        (the process_* families as every
 *                                                        Prometheus client names them;
 *                                                        left out when m->proc.ok is false)
 *
 * Label values: feed names come from the config; file is the path the
 * file was found under (operator-controlled file names, never personal
 * data). Two open files with the same name (a rotated-away file still
 * being drained under its old name while a new one took it) are one
 * series with their sizes and backlogs added up: a scrape must not hold
 * the same series twice. Values are escaped (\\ \" \n) and bytes that are
 * not UTF-8 become U+FFFD, as the format requires UTF-8.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "alert.h"
#include "batch.h"
#include "feed.h"
#include "health.h"
#include "map.h"
#include "metrics.h"
#include "notify.h"
#include "tq_config.h"
#include "utf8.h"
#include "grow.h"
#include "strbuf.h"

struct metrics tq_metrics;

const double metrics_latency_bounds_ms[METRICS_LAT_BUCKETS] = {
	1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000
};

/*
 * Adds one commit round trip of ms milliseconds: to the first bucket whose
 * bound is >= ms (the last, +Inf, when none is), and to the sum. A
 * negative or NaN value (a clock oddity) counts as 0 so the sum stays a
 * sum of non-negative numbers, as Prometheus expects of a histogram.
 */
void
metrics_observe_latency(struct metrics *m, double ms)
{
	size_t i;

	if (!m)
		return;
	if (!(ms >= 0))         /* also NaN */
		ms = 0;
	for (i = 0; i < METRICS_LAT_BUCKETS; i++)
		if (ms <= metrics_latency_bounds_ms[i])
			break;
	m->latency[i]++;
	m->latency_sum_ms += ms;
}

/* ------------------------------------------------------------ output helpers */

/*
 * Appends s as a label value: \ " and newline escaped; a byte that does
 * not start a valid UTF-8 sequence becomes U+FFFD (the format is UTF-8,
 * and Prometheus rejects a whole scrape over one bad byte).
 */
static void
out_label_value(struct strbuf *o, const char *s)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	size_t n = s ? strlen(s) : 0, i = 0;

	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t len;

		if (ch == '\\') {
			strbuf_putn(o, "\\\\", 2);
			i++;
			continue;
		}
		if (ch == '"') {
			strbuf_putn(o, "\\\"", 2);
			i++;
			continue;
		}
		if (ch == '\n') {
			strbuf_putn(o, "\\n", 2);
			i++;
			continue;
		}
		if (ch < 0x80)
			len = 1;
		else if (ch >= 0xC2 && ch <= 0xDF)
			len = 2;
		else if (ch >= 0xE0 && ch <= 0xEF)
			len = 3;
		else if (ch >= 0xF0 && ch <= 0xF4)
			len = 4;
		else
			len = 0;
		if (len == 0 || len > n - i || !utf8_valid(s + i, len)) {
			strbuf_putn(o, replacement, sizeof(replacement) - 1);
			i++;
			continue;
		}
		strbuf_putn(o, s + i, len);
		i += len;
	}
}

/* Appends "# HELP name help\n# TYPE name type\n" (help holds no \ or newline). */
static void
out_family(struct strbuf *o, const char *name, const char *type, const char *help)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled integer sample: name value. */
static void
out_family_u64(struct strbuf *o, const char *name, const char *type, const char *help, uint64_t v)
{
	out_family(o, name, type, help);
	strbuf_printf(o, "%s %" PRIu64 "\n", name, v);
}

/* The same for a signed value (timestamps). */
static void
out_family_i64(struct strbuf *o, const char *name, const char *type, const char *help, int64_t v)
{
	out_family(o, name, type, help);
	strbuf_printf(o, "%s %" PRId64 "\n", name, v);
}

/*
 * Appends a float sample value as Prometheus reads it: NaN, +Inf, -Inf,
 * or the shortest "%.15g" form (15 digits: no binary noise such as
 * 0.30000000000000004 for sums of milliseconds).
 */
static void
out_double(struct strbuf *o, double v)
{
	if (isnan(v))
		strbuf_puts(o, "NaN");
	else if (isinf(v))
		strbuf_puts(o, v > 0 ? "+Inf" : "-Inf");
	else
		strbuf_printf(o, "%.15g", v);
}

/* Appends `name{feed="..."} value\n`. */
static void
out_feed_sample(struct strbuf *o, const char *name, const char *feed, uint64_t v)
{
	strbuf_printf(o, "%s{feed=\"", name);
	out_label_value(o, feed);
	strbuf_printf(o, "\"} %" PRIu64 "\n", v);
}

/* ------------------------------------------------------------------ files */

/* qsort order of file_stat pointers: by feed index, then by path (bytes). */
static int
file_cmp(const void *a, const void *b)
{
	const struct file_stat *x = *(const struct file_stat *const *)a;
	const struct file_stat *y = *(const struct file_stat *const *)b;

	if (x->feed != y->feed)
		return x->feed < y->feed ? -1 : 1;
	return strcmp(x->path ? x->path : "", y->path ? y->path : "");
}

/* v, or 0 when negative (a size or backlog is never below 0). */
static int64_t
clamp0(int64_t v)
{
	return v > 0 ? v : 0;
}

/* Saturating addition of non-negative values (sizes cannot really overflow, but be exact). */
static int64_t
add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/*
 * The per-file gauges: one series per (feed, path), duplicates merged
 * (see the top of the file), sorted by feed then path so scrapes are
 * stable. Entries of a feed the config does not have are left out.
 */
static void
out_files(struct strbuf *o, const struct config *cfg, size_t nfeeds,
          const struct file_stat *files, size_t nfiles)
{
	const struct file_stat **refs = NULL;
	size_t n = 0;

	if (nfiles > 0) {
		refs = calloc(nfiles, sizeof(*refs));    /* NOLINT(bugprone-sizeof-expression): an array of pointers */
		if (!refs) {
			o->err = -ENOMEM;
			return;
		}
		for (size_t i = 0; i < nfiles; i++)
			if (files[i].feed < nfeeds)
				refs[n++] = &files[i];
		qsort(refs, n, sizeof(*refs), file_cmp); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	}

	for (int pass = 0; pass < 2; pass++) {
		const char *name = pass == 0 ? "teleqd_file_size_bytes" : "teleqd_file_behind_bytes";

		if (pass == 0)
			out_family(o, name, "gauge", "Size of a followed file at its last stat, in bytes.");
		else
			out_family(o, name, "gauge", "Bytes of a followed file not read yet "
			           "(size - offset, never negative).");
		for (size_t i = 0; i < n;) {
			const struct file_stat *f = refs[i];
			int64_t v = 0;
			size_t j = i;

			for (; j < n && file_cmp(&refs[i], &refs[j]) == 0; j++) {
				const struct file_stat *g = refs[j];

				v = add_sat(v, pass == 0 ? clamp0(g->size) :
				                             clamp0(clamp0(g->size) - clamp0(g->offset)));
			}
			strbuf_printf(o, "%s{feed=\"", name);
			out_label_value(o, cfg->feeds[f->feed].name);
			strbuf_puts(o, "\",file=\"");
			out_label_value(o, f->path);
			strbuf_printf(o, "\"} %" PRId64 "\n", v);
			i = j;
		}
	}
	free(refs);
}

/* ----------------------------------------------------------------- render */

/*
 * Renders m as Prometheus text (see the family list at the top). Per-feed
 * series exist for every feed of cfg (cfg NULL: none), zeros included, so
 * a dashboard sees them before the first line arrives. files[0..nfiles)
 * (may be NULL when nfiles is 0) are the followed files, as feedset_stat
 * gives them. now is not used: samples carry no timestamps. Returns 0 with
 * *ret malloc'd and NUL-terminated and *ret_len its length (ret_len may be
 * NULL), -ENOMEM, or -EINVAL for a NULL m or ret.
 */
/* The daemon: up, build, start and reload times. */
static void
out_daemon(struct strbuf *o, const struct metrics *m)
{
	out_family(o, "teleqd_up", "gauge", "1 while teleqd runs and answers.");
	strbuf_puts(o, "teleqd_up 1\n");
	out_family(o, "teleqd_build_info", "gauge", "Always 1; the version of teleqd as a label.");
	strbuf_puts(o, "teleqd_build_info{version=\"");
	out_label_value(o, TQ_VERSION);
	strbuf_puts(o, "\"} 1\n");
	out_family_i64(o, "teleqd_start_time_seconds", "gauge",
	               "Start time of the process since the unix epoch, in seconds.",
	               m->started);
	out_family_i64(o, "teleqd_config_last_reload_success_timestamp_seconds", "gauge",
	               "When the configuration was last loaded and applied (the start counts), "
	               "unix seconds.",
	               m->config_last_reload);
}

/* Per feed: lines, last line, staleness, events, rejects, header changes, files. */
static void
out_feeds(struct strbuf *o, const struct metrics *m, const struct config *cfg, size_t nfeeds,
          const struct file_stat *files, size_t nfiles)
{
	out_family(o, "teleqd_lines_total", "counter",
	           "Lines read from a feed and committed to Redis (headers and rejected lines included).");
	for (size_t i = 0; i < nfeeds; i++)
		out_feed_sample(o, "teleqd_lines_total", cfg->feeds[i].name, m->lines[i]);
	out_family(o, "teleqd_feed_last_line_timestamp_seconds", "gauge",
	           "When a line of the feed was last read (the daemon's calendar, unix seconds); "
	           "start-up or the reload that added the feed before any.");
	for (size_t i = 0; i < nfeeds; i++)
		out_feed_sample(o, "teleqd_feed_last_line_timestamp_seconds", cfg->feeds[i].name,
		                (uint64_t)(m->feed_last_line[i] > 0 ? m->feed_last_line[i] : 0));
	out_family(o, "teleqd_feed_stale", "gauge",
	           "1 while the feed has been silent longer than its max_silence, else 0.");
	for (size_t i = 0; i < nfeeds; i++)
		out_feed_sample(o, "teleqd_feed_stale", cfg->feeds[i].name, m->feed_stale[i] ? 1 : 0);
	out_family(o, "teleqd_events_total", "counter", "Events of a feed committed to Redis.");
	for (size_t i = 0; i < nfeeds; i++)
		out_feed_sample(o, "teleqd_events_total", cfg->feeds[i].name, m->events[i]);
	out_family(o, "teleqd_rejects_total", "counter",
	           "Rejected lines of a feed committed to Redis, by reason.");
	for (size_t i = 0; i < nfeeds; i++)
		for (size_t r = 0; r < REJ__MAX; r++) {
			strbuf_puts(o, "teleqd_rejects_total{feed=\"");
			out_label_value(o, cfg->feeds[i].name);
			strbuf_puts(o, "\",reason=\"");
			out_label_value(o, reject_name((enum reject)r));
			strbuf_printf(o, "\"} %" PRIu64 "\n", m->rejects[i][r]);
		}

	out_family(o, "teleqd_header_changes_total", "counter",
	           "CSV header lines of a feed that changed its columns mid-file, committed to Redis.");
	for (size_t i = 0; i < nfeeds; i++)
		out_feed_sample(o, "teleqd_header_changes_total", cfg->feeds[i].name,
		                m->header_changes[i]);

	out_family(o, "teleqd_files_followed", "gauge", "Files of a feed open now.");
	for (size_t i = 0; i < nfeeds; i++) {
		uint64_t count = 0;

		for (size_t k = 0; k < nfiles; k++)
			count += files[k].feed == i;
		out_feed_sample(o, "teleqd_files_followed", cfg->feeds[i].name, count);
	}
	out_files(o, cfg, nfeeds, files, nfiles);
}

/* Commits: counts, failures, duplicates and the round-trip histogram. */
static void
out_commits(struct strbuf *o, const struct metrics *m)
{
	uint64_t cum = 0;

	out_family_u64(o, "teleqd_commits_total", "counter", "Commits applied by Redis.",
	               m->commits);
	out_family_u64(o, "teleqd_commit_failures_total", "counter",
	               "Commits that failed or whose outcome is unknown (the data is read again).",
	               m->commit_failures);
	out_family_u64(o, "teleqd_duplicates_total", "counter",
	               "Events not counted because their id was seen before.",
	               m->duplicates);

	out_family(o, "teleqd_commit_duration_seconds", "histogram",
	           "Round trip of a commit to Redis, in seconds.");
	for (size_t i = 0; i < METRICS_LAT_BUCKETS; i++) {
		cum += m->latency[i];
		/* %g: the bounds are short decimals (0.001 .. 5), written without noise */
		strbuf_printf(o, "teleqd_commit_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
		           metrics_latency_bounds_ms[i] / 1000.0, cum);
	}
	cum += m->latency[METRICS_LAT_BUCKETS];
	strbuf_printf(o, "teleqd_commit_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
	strbuf_puts(o, "teleqd_commit_duration_seconds_sum ");
	out_double(o, m->latency_sum_ms / 1000.0);
	strbuf_printf(o, "\nteleqd_commit_duration_seconds_count %" PRIu64 "\n", cum);
}

/* The Redis connection: connected, responsive, policy, lease, reconnects, resets. */
static void
out_redis(struct strbuf *o, const struct metrics *m)
{
	out_family_u64(o, "teleqd_redis_connected", "gauge", "1 while connected to Redis, else 0.",
	               m->redis_connected ? 1 : 0);
	out_family_u64(o, "teleqd_redis_responsive", "gauge",
	               "1 while connected and no request to Redis has waited redis.unresponsive_after.",
	               m->redis_connected && m->redis_responsive ? 1 : 0);
	out_family(o, "teleqd_redis_last_reply_age_seconds", "gauge",
	           "Seconds since Redis last answered (probed every second when idle); -1 when not "
	           "connected.");
	if (m->redis_reply_age_ms < 0) {
		strbuf_puts(o, "teleqd_redis_last_reply_age_seconds -1\n");
	} else {
		strbuf_puts(o, "teleqd_redis_last_reply_age_seconds ");
		out_double(o, (double)m->redis_reply_age_ms / 1000.0);
		strbuf_puts(o, "\n");
	}
	out_family_u64(o, "teleqd_redis_policy_ok", "gauge",
	               "0 while nothing is committed because Redis's maxmemory-policy is not noeviction.",
	               m->redis_policy_refused ? 0 : 1);
	out_family_u64(o, "teleqd_lease_held", "gauge",
	               "1 while this daemon holds the writer lease and commits, 0 as a standby or "
	               "without Redis.",
	               m->lease_held ? 1 : 0);
	out_family_u64(o, "teleqd_redis_reconnects_total", "counter",
	               "Times the connection to Redis was established again after a loss.",
	               m->redis_reconnects);
	out_family_u64(o, "teleqd_store_resets_total", "counter",
	               "Times Redis was found emptied (no commits, no file positions) after teleqd had "
	               "committed there; the files still followed were re-read.",
	               m->store_resets);
	out_family_i64(o, "teleqd_store_last_reset_timestamp_seconds", "gauge",
	               "When Redis was last found emptied, unix seconds; 0 = not since start.",
	               m->store_last_reset);
}

/* Alerts: queued by kind, deliveries by channel and result, the outbox. */
static void
out_alerts(struct strbuf *o, const struct metrics *m)
{
	static const char *const result_names[2] = { "failed", "delivered" };

	out_family(o, "teleqd_alerts_queued_total", "counter", "Alerts queued for delivery, by kind.");
	for (size_t k = 0; k < AK__MAX; k++)
		strbuf_printf(o, "teleqd_alerts_queued_total{kind=\"%s\"} %" PRIu64 "\n",
		           alert_kind_name((enum alert_kind)k), m->alerts_queued[k]);
	out_family(o, "teleqd_alert_deliveries_total", "counter",
	           "Alert delivery attempts, by channel and result.");
	for (size_t ch = 0; ch < sizeof(m->deliveries) / sizeof(m->deliveries[0]); ch++)
		for (size_t res = 2; res-- > 0;)
			strbuf_printf(o, "teleqd_alert_deliveries_total{channel=\"%s\",result=\"%s\"} %"
			           PRIu64 "\n", channel_name((enum channel)ch), result_names[res],
			           m->deliveries[ch][res]);

	out_family_u64(o, "teleqd_outbox_pending", "gauge",
	               "Alert deliveries not done yet: queued, or failed and to be retried.",
	               m->outbox_pending);
	out_family_u64(o, "teleqd_alerts_ambiguous_total", "counter",
	               "Mail delivery attempts that failed after sendmail read the whole message, "
	               "without saying whether the relay took it (also counted as failed).",
	               m->alerts_ambiguous);
	out_family_u64(o, "teleqd_alerts_parked", "gauge",
	               "Alert deliveries parked (kept, not retried) after too many ambiguous outcomes.",
	               m->alerts_parked);
}

/* The standard process_* families, when /proc could be read. */
static void
out_proc(struct strbuf *o, const struct metrics *m)
{
	if (m->proc.ok) {
		out_family(o, "process_cpu_seconds_total", "counter",
		           "Total user and system CPU time spent in seconds.");
		strbuf_puts(o, "process_cpu_seconds_total ");
		out_double(o, m->proc.cpu_seconds);
		strbuf_puts(o, "\n");
		out_family_u64(o, "process_open_fds", "gauge", "Number of open file descriptors.",
		               m->proc.open_fds);
		out_family_u64(o, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
		               m->proc.max_fds);
		out_family_u64(o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
		               m->proc.resident_bytes);
		out_family(o, "process_start_time_seconds", "gauge",
		           "Start time of the process since unix epoch in seconds.");
		strbuf_puts(o, "process_start_time_seconds ");
		out_double(o, m->proc.start_time);
		strbuf_puts(o, "\n");
	}
}

int
metrics_render(const struct metrics *m, const struct config *cfg,
               const struct file_stat *files, size_t nfiles, int64_t now,
               char **ret, size_t *ret_len)
{
	struct strbuf o = { 0 };
	size_t nfeeds = cfg && cfg->feeds ? cfg->nfeeds : 0;

	if (!m || !ret || (nfiles > 0 && !files))
		return -EINVAL;
	/* the per-feed arrays of struct metrics have BATCH_MAX_FEEDS rows */
	if (nfeeds > BATCH_MAX_FEEDS)
		nfeeds = BATCH_MAX_FEEDS;

	out_daemon(&o, m);
	out_feeds(&o, m, cfg, nfeeds, files, nfiles);
	out_commits(&o, m);
	out_redis(&o, m);
	out_alerts(&o, m);
	out_proc(&o, m);

	return strbuf_finish(&o, ret, ret_len);
}
