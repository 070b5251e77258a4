/*
 * teleqd.c — the daemon: configuration, the event loop, and the glue that
 * moves records from the feeds through map and batch into the store.
 *
 * Exactly once: a batch holds counter deltas together with the file
 * positions they were read up to, and the store commits both atomically.
 * While a batch is in flight the next one fills; a full one is sent at
 * once as a second commit in flight (STORE_INFLIGHT_MAX), so during a
 * backfill Redis never waits for the daemon. When a commit's outcome is
 * unknown (connection lost, error reply) every batch is dropped and, once
 * the store is ready again, the feeds rewind to the positions Redis
 * actually holds: nothing is counted twice and nothing is skipped.
 *
 * Under systemd (Type=notify) it reports READY=1 once the configuration is
 * loaded and the feeds and the store are built (not once Redis answers: a
 * Redis that is down at boot must not fail the start), a one-line STATUS
 * every STATUS_INTERVAL_MS, RELOADING=1/READY=1 around a SIGHUP reload,
 * STOPPING=1 on SIGTERM/SIGINT, and WATCHDOG=1 from the loop (sdnotify.c).
 *
 * --once shows its progress on stderr: one updating line on a terminal,
 * otherwise a log line every PROGRESS_LOG_MS.
 *
 * Environment for tests and the demo only (never set in production):
 *   TELEQD_TEST_CLOCK            file holding the calendar time (clock.c)
 *   TELEQD_PROGRESS_INTERVAL_MS  milliseconds between --once progress
 *                                updates, terminal or not (default 500 on
 *                                a terminal, PROGRESS_LOG_MS otherwise)
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <event2/event.h>

#include "core.h"
#include "batch.h"
#include "cases.h"
#include "clock.h"
#include "dash.h"
#include "feed.h"
#include "health.h"
#include "http.h"
#include "humanfmt.h"
#include "lease.h"
#include "log.h"
#include "map.h"
#include "metrics.h"
#include "pipeline.h"
#include "redis_health.h"
#include "sdnotify.h"
#include "secret.h"
#include "startcheck.h"
#include "store.h"
#include "storealarm.h"
#include "tq_config.h"
#include "tz.h"

#define REJECT_LOG_BURST    10      /* reject lines logged per feed ... */
#define REJECT_LOG_INTERVAL 10      /* ... per this many seconds */
#define STOP_GRACE_MS       1500    /* SIGTERM: time left for the in-flight commit */
#define STATUS_INTERVAL_MS  2000    /* systemd STATUS= refresh */
#define PROGRESS_TTY_MS     500     /* --once: terminal progress line refresh */
#define EXIT_LEFTOVER       3       /* --once: bytes or files were left unread */
#define PROGRESS_LOG_MS     10000   /* --once: progress log line when not a terminal */
#define STAT_STACK          64      /* file_stat entries before feed_totals allocates */

/* --once progress: the figures at the moment Redis first gave the positions. */
struct progress {
	struct event *ev;
	bool          tty;              /* stderr is a terminal: one line redrawn with \r */
	bool          shown;            /* a terminal line is on screen without its newline */
	bool          based;            /* base_* are set */
	bool          ended;            /* progress_end ran */
	bool          logged;           /* off a tty: a progress line was logged */
	int64_t       base_ms;
	int64_t       base_bytes;       /* bytes consumed when reading started (committed before) */
	uint64_t      base_events;
};

struct daemon {
	struct event_base  *base;
	struct config      *cfg;
	char               *config_path;
	struct tz          *tz;
	uint8_t             idkey[16];
	bool                have_idkey;
	struct store       *store;
	struct pipeline    *pipeline;   /* after a commit: recompute, alerts, outbox */
	struct feedset     *feeds;
	struct map_scratch  scratch;
	struct cases       *cases;      /* deadline indicators' case states, NULL without any */
	struct batch        batches[STORE_INFLIGHT_MAX + 1];
	struct batch       *filling;    /* records are added here */
	struct batch       *inflight[STORE_INFLIGHT_MAX];  /* being committed, oldest first */
	unsigned            ninflight;
	bool                ready;      /* store ready and feeds started */
	bool                once;       /* --once: exit when every feed is drained */
	long                wait_redis_s;   /* --once: give up after this long without Redis */
	int64_t             redis_lost_ms;  /* --once: monotonic time Redis was last missed, 0 = connected */
	bool                stopping;
	struct config      *reload_cfg; /* SIGHUP's checked config, applied by rebuild when idle;
	                                 * owned, NULL = no reload pending */
	struct ratelimit    rl[BATCH_MAX_FEEDS];
	struct event       *sig_term, *sig_int, *sig_hup, *tick, *stop_timer;
	uint64_t            commits, events;
	int                 exit_code;
	bool                finished;   /* the final summary was logged, the loop is exiting */
	struct sdnotify    *sn;
	struct httpd       *http;       /* /healthz and /metrics, when configured */
	char               *http_listen; /* the address it is bound to */
	struct event       *status_ev;
	int64_t             started_ms; /* mono_ms at start-up */
	int64_t             last_commit_ms;     /* mono_ms of the last applied commit, 0 = none */
	struct progress     prog;
	int64_t             map_now;    /* cal_now() for accept_ahead, read at map_now_ms */
	int64_t             map_now_ms; /* mono_ms of that read, 0 = never */
	/* /healthz inputs (health.c decides) */
	int64_t             last_line[BATCH_MAX_FEEDS]; /* calendar s of a feed's last line read,
	                                                 * start-up (or its reload) before any */
	bool                commit_failed;  /* the last commit failed; cleared by a good one */
	bool                reset_rebuilding;   /* Redis found emptied; feeds not yet re-read */
	int64_t             reset_at;   /* calendar s it was found */
	int64_t             reset_from, reset_to;   /* utc s of the events re-read since, 0 = none */
	struct storealarm  *alarm;      /* mails an evicting Redis directly (not --once) */
};

#define MAP_NOW_REFRESH_MS 1000 /* the window's "now" may be this stale (it is days wide) */

static void try_commit(struct daemon *d);
static void progress_end(struct daemon *d);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: teleqd [-c FILE] [-n] [--once [--wait-redis SECONDS]] [-v]\n"
	    "  -c, --config FILE  configuration, YAML (default " TQ_DEFAULT_CONFIG ")\n"
	    "  -n, --check        check the configuration and exit\n"
	    "      --once         read every feed to its current end, commit, exit\n"
	    "      --wait-redis S --once: exit 1 after S seconds without Redis (default 60)\n"
	    "  -v, --verbose      debug logging\n"
	    "  -V, --version      print the version\n");
}

/*
 * Derives the 16-byte id-hashing key from dedup.secret_file (secret.c: the
 * rules `teleqd -n` applies). A refusal stops the start or the reload, so
 * it is logged as an error. Returns 0 or -errno.
 */
static int
load_idkey(const char *path, uint8_t key[16])
{
	char err[PATH_MAX + 256];
	int r;

	if ((r = secret_idkey(path, key, err, sizeof(err))) < 0)
		log_errx("%s", err);
	return r;
}

/* Logs a rejected line, rate-limited per feed; never the line's content. */
static void
log_reject(struct daemon *d, const struct record_ctx *rc, enum reject why, const char *detail)
{
	unsigned suppressed = 0;

	if (rc->feed >= BATCH_MAX_FEEDS || !ratelimit_pass(&d->rl[rc->feed], mono_ms() / 1000, &suppressed))
		return;
	if (suppressed)
		log_warnx("feed %s: %u similar messages suppressed", d->cfg->feeds[rc->feed].name,
		    suppressed);
	log_warnx("feed %s: %s:%llu: rejected (%s): %s", d->cfg->feeds[rc->feed].name, rc->path,
	    (unsigned long long)rc->line, reject_name(why), detail);
}

/* --------------------------------------------------- status and progress */

/* Sums over the followed files, from feedset_stat. */
struct feed_totals {
	size_t  files;
	int64_t size;           /* bytes in the files now */
	int64_t offset;         /* bytes consumed */
	int64_t behind;         /* sum of size - offset over files with unread bytes */
};

/*
 * Totals over every open file of the feed set: one fstat per file, so
 * callers keep it to timers (never per line). Beyond STAT_STACK files one
 * allocation; when that fails the first STAT_STACK files are summed.
 */
static void
feed_totals(struct daemon *d, struct feed_totals *t)
{
	struct file_stat stack[STAT_STACK], *fst = stack, *heap = NULL;
	size_t n, cap = STAT_STACK, i;

	memset(t, 0, sizeof(*t));
	n = feedset_stat(d->feeds, fst, cap);
	if (n > cap && (heap = calloc(n, sizeof(*heap)))) {
		fst = heap;
		cap = n;
		n = feedset_stat(d->feeds, fst, cap);
	}
	t->files = n;
	if (n > cap)
		n = cap;
	for (i = 0; i < n; i++) {
		t->size += fst[i].size;
		t->offset += fst[i].offset;
		if (fst[i].size > fst[i].offset)
			t->behind += fst[i].size - fst[i].offset;
	}
	free(heap);
}

/*
 * The STATUS line for systemd, e.g. "2 feeds, 5 files, 12345 events in 678
 * commits, 0 B behind; redis connected; last commit 0.3 s ago". Events and
 * commits count since start-up; "behind" is what the files hold beyond
 * what was read. Prefixed with "stopping; " or "reloading; " meanwhile.
 */
static void
update_status(struct daemon *d)
{
	struct feed_totals t;
	char behind[32], last[48];

	if (!d->sn)
		return;
	feed_totals(d, &t);
	fmt_bytes(behind, sizeof(behind), (double)t.behind);
	if (d->last_commit_ms)
		snprintf(last, sizeof(last), "last commit %.1f s ago",
		    (double)(mono_ms() - d->last_commit_ms) / 1000);
	else
		snprintf(last, sizeof(last), "no commit yet");
	sdnotify_status(d->sn, "%s%zu feed%s, %zu file%s, %llu events in %llu commit%s, %s behind; %s; %s",
	    d->stopping ? "stopping; " : d->reload_cfg ? "reloading; " : "",
	    d->cfg->nfeeds, d->cfg->nfeeds == 1 ? "" : "s", t.files, t.files == 1 ? "" : "s",
	    (unsigned long long)d->events, (unsigned long long)d->commits,
	    d->commits == 1 ? "" : "s", behind,
	    store_connected(d->store) ? "redis connected" :
	    store_standby(d->store, NULL, 0) ? "standby (another teleqd holds the lease)" :
	    "waiting for redis", last);
}

/* --once gives up: exit status 1, what was committed stays, a rerun resumes from there. */
static void
stop_once(struct daemon *d)
{
	d->finished = true;
	d->exit_code = 1;
	progress_end(d);
	event_base_loopexit(d->base, NULL);
}

/*
 * Status timer. In --once mode it also ends a run that has had no Redis
 * for --wait-redis seconds (a batch job must not hang): exit status 1,
 * what was committed stays, a rerun resumes from there.
 */
static void
on_status(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	int64_t now = mono_ms();
	char who[LEASE_DESCRIBE_MAX];

	update_status(d);
	if (!d->once || d->finished)
		return;
	if (store_policy_refused(d->store)) {
		/* a batch run would wait for an operator: say why and stop (the store
		 * logged the policy and the fix at error level) */
		log_errx("--once: nothing committed: Redis's maxmemory-policy is %s, not "
		    REDIS_SAFE_POLICY "; giving up", *store_policy_refused(d->store) ?
		    store_policy_refused(d->store) : "unreadable");
		stop_once(d);
		return;
	}
	/* A batch job must not wait for a daemon that may run for months: one
	 * lease period, in which a holder that died lets its lease expire. */
	if (store_standby(d->store, who, sizeof(who)) &&
	    store_standby_ms(d->store) >= d->cfg->redis.lease_s * 1000) {
		log_errx("--once: the writer lease is held by %s, renewed for %lld s; not reading "
		    "(another teleqd writes under this prefix)", who,
		    (long long)d->cfg->redis.lease_s);
		stop_once(d);
		return;
	}
	if (store_connected(d->store)) {
		d->redis_lost_ms = 0;
		return;
	}
	if (d->redis_lost_ms == 0) {
		d->redis_lost_ms = now;
		return;
	}
	if (now - d->redis_lost_ms >= d->wait_redis_s * 1000) {
		log_warnx("--once: no redis for %ld s; giving up (what was committed stays, "
		    "a rerun resumes from there)", d->wait_redis_s);
		stop_once(d);
	}
}

/*
 * Notes where the backfill starts: the committed offsets, read from Redis
 * the first time the store is ready. Rates are taken from here, so a
 * resumed backfill does not count what an earlier run read.
 */
static void
progress_base(struct daemon *d)
{
	struct feed_totals t;

	if (!d->prog.ev || d->prog.based)
		return;
	feed_totals(d, &t);
	d->prog.based = true;
	d->prog.base_ms = mono_ms();
	d->prog.base_bytes = t.offset;
	d->prog.base_events = d->events;
}

/*
 * The progress text: "backfill: 812 MiB of 2.0 GiB (40 %), 1.2M events/s,
 * 45 MiB/s, ETA 1m10s". Rates are averages since the base; the ETA is "?"
 * until bytes moved, "committing" or "updating indicators" once every
 * byte is read, and with final "done in 1m10s".
 */
static void
progress_text(struct daemon *d, bool final, char *buf, size_t len)
{
	struct feed_totals t;
	char done[32], total[32], evr[32], bps[32], dur[24], eta[40];
	int64_t el, moved;
	double secs, pct;

	if (!d->prog.based) {
		snprintf(buf, len, "backfill: waiting for redis");
		return;
	}
	feed_totals(d, &t);
	el = mono_ms() - d->prog.base_ms;
	secs = el > 0 ? (double)el / 1000 : 0;
	moved = t.offset - d->prog.base_bytes;
	if (moved < 0)
		moved = 0;      /* rewound after a failed commit */
	pct = t.size > 0 ? 100.0 * (double)t.offset / (double)t.size : 100.0;
	if (pct > 100)
		pct = 100;
	fmt_bytes(done, sizeof(done), (double)t.offset);
	fmt_bytes(total, sizeof(total), (double)t.size);
	fmt_count(evr, sizeof(evr), secs > 0 ? (double)(d->events - d->prog.base_events) / secs : 0);
	fmt_bytes(bps, sizeof(bps), secs > 0 ? (double)moved / secs : 0);
	if (final) {
		fmt_duration(dur, sizeof(dur), el);
		snprintf(eta, sizeof(eta), "done in %s", dur);
	} else if (t.offset >= t.size && t.size > 0) {
		/* everything read: what remains are the last commits, then (in
		 * --once) the indicator recompute, which no byte count measures */
		snprintf(eta, sizeof(eta), "%s", d->ninflight || !batch_empty(d->filling) ?
		    "committing" : "updating indicators");
	} else if (moved > 0 && secs > 0) {
		/* the rest at the average rate so far */
		fmt_duration(dur, sizeof(dur), (int64_t)((double)(t.size > t.offset ?
		    t.size - t.offset : 0) * 1000 / ((double)moved / secs)));
		snprintf(eta, sizeof(eta), "ETA %s", dur);
	} else {
		snprintf(eta, sizeof(eta), "ETA ?");
	}
	/* floor: 99.6 % must not read as done */
	snprintf(buf, len, "backfill: %s of %s (%d %%), %s events/s, %s/s, %s", done, total,
	    (int)pct, evr, bps, eta);
}

/* Progress timer (--once): redraw the terminal line, or log a line. */
static void
on_progress(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char text[256];

	if (d->finished)
		return;
	progress_text(d, false, text, sizeof(text));
	if (d->prog.tty) {
		/* \r and erase-line redraw in place; the cursor stays at the end */
		fprintf(stderr, "\r%s\033[K", text);
		fflush(stderr);
		d->prog.shown = true;
	} else {
		log_info("%s", text);
		d->prog.logged = true;
	}
}

/*
 * Ends the terminal progress line with its final figures and a newline, so
 * what follows starts on a line of its own. Off a terminal, logs the final
 * figures ("done in") when progress lines were logged, so the last one is
 * never short of 100 %. Idempotent.
 */
static void
progress_end(struct daemon *d)
{
	char text[256];

	if (!d->prog.ev || d->prog.ended)
		return;
	d->prog.ended = true;
	event_del(d->prog.ev);
	if (!d->prog.tty) {
		if (d->prog.logged && !d->stopping) {
			progress_text(d, true, text, sizeof(text));
			log_info("%s", text);
		}
		return;
	}
	if (!d->prog.shown && !d->prog.based)
		return;
	progress_text(d, true, text, sizeof(text));
	fprintf(stderr, "\r%s\033[K\n", text);
	fflush(stderr);
	d->prog.shown = false;
}

/*
 * Creates the --once progress timer: every PROGRESS_TTY_MS on a terminal,
 * PROGRESS_LOG_MS otherwise, or TELEQD_PROGRESS_INTERVAL_MS (tests only).
 */
static void
progress_init(struct daemon *d)
{
	const char *env = getenv("TELEQD_PROGRESS_INTERVAL_MS");
	long ms;
	struct timeval tv;
	char *end;

	d->prog.tty = isatty(STDERR_FILENO);
	ms = d->prog.tty ? PROGRESS_TTY_MS : PROGRESS_LOG_MS;
	if (env && *env) {
		errno = 0;
		long v = strtol(env, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 10 && v <= 3600000)
			ms = v;
		else
			log_warnx("TELEQD_PROGRESS_INTERVAL_MS=%s ignored (10..3600000)", env);
	}
	if (!(d->prog.ev = event_new(d->base, -1, EV_PERSIST, on_progress, d)))
		fatalx("cannot create the progress timer");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(d->prog.ev, &tv);
}

/*
 * The final line of --once: commits, events, elapsed time since start-up
 * and the average rates, e.g. "all feeds read: 678 commits, 12345 events
 * in 4.2s (2.9k events/s, 12 MiB/s)".
 */
static void
log_once_summary(struct daemon *d, const char *what)
{
	struct feed_totals t;
	char el[32], evr[32], bps[32];
	int64_t ms = mono_ms() - d->started_ms, moved;
	double secs = ms > 0 ? (double)ms / 1000 : 0.001;

	feed_totals(d, &t);
	moved = d->prog.based ? t.offset - d->prog.base_bytes : 0;
	fmt_duration(el, sizeof(el), ms);
	fmt_count(evr, sizeof(evr), (double)d->events / secs);
	fmt_bytes(bps, sizeof(bps), moved > 0 ? (double)moved / secs : 0);
	log_info("%s: %llu commits, %llu events in %s (%s events/s, %s/s)", what,
	    (unsigned long long)d->commits, (unsigned long long)d->events, el, evr, bps);
}

/*
 * The end of --once: the summary, and every byte not read accounted for.
 * A last line without newline is named and does not change the verdict
 * (it is waiting for its newline); any other unread byte, or a matching
 * file that could not be opened, makes the run end with EXIT_LEFTOVER.
 */
static void
once_account(struct daemon *d)
{
	struct feed_leftover lo;

	feedset_leftover(d->feeds, &lo);
	if (lo.files == 0 && lo.unopened == 0) {
		log_once_summary(d, "all feeds read");
		return;
	}
	log_once_summary(d, "feeds read with bytes left");
	log_warnx("--once: not everything was read: %zu files with %jd bytes left, %zu files "
	    "that could not be opened (see above); exit status %d", lo.files, (intmax_t)lo.bytes,
	    lo.unopened, EXIT_LEFTOVER);
	d->exit_code = EXIT_LEFTOVER;
}

/*
 * The calendar's now for the feeds' time window, read at most once a
 * MAP_NOW_REFRESH_MS: the test clock is a file, not to be read per line.
 */
static int64_t
map_now(struct daemon *d)
{
	int64_t mono = mono_ms();

	if (!d->map_now_ms || mono - d->map_now_ms >= MAP_NOW_REFRESH_MS) {
		d->map_now = cal_now();
		d->map_now_ms = mono;
	}
	return d->map_now;
}

/*
 * A line of feed was read now: its freshness (max_silence) restarts, and
 * the commit records the time (stats last_line:<feed>, for teleqctl status).
 */
static void
note_line(struct daemon *d, unsigned feed)
{
	int64_t now = map_now(d);       /* at most a second old: silence is minutes wide */

	if (feed >= BATCH_MAX_FEEDS)
		return;
	d->last_line[feed] = now;
	/* the alerter reads these (freshness mails) */
	tq_metrics.feed_last_line[feed] = now;
	tq_metrics.feed_heard[feed] = true;
	if (now > d->filling->last_line[feed])
		d->filling->last_line[feed] = now;
}

/* feed sink: one complete record. -ENOSPC when the filling batch is full. */
static int
on_record(void *arg, const struct record_ctx *rc, const char *rec, size_t len)
{
	struct daemon *d = arg;
	const struct feed_conf *fc = &d->cfg->feeds[rc->feed];
	char detail[TQ_DETAIL_MAX];
	enum reject why = REJ_EMPTY;
	struct event ev;
	enum map_result mr;

	if (batch_full(d->filling))
		return -ENOSPC;
	mr = map_record(d->cfg, fc, d->tz, map_now(d), d->have_idkey ? d->idkey : NULL, rc->ps,
	    &d->scratch, rec, len, &ev, &why, detail, sizeof(detail));
	if (rc->header_replay)
		return 0;       /* only teaches the columns; counted when first read */
	batch_line(d->filling, rc->feed);
	note_line(d, rc->feed);
	switch (mr) {
	case MAP_EVENT:
		if (batch_add(d->filling, &ev) < 0)
			fatalx("out of memory adding an event");
		if (d->cases && ev.has_case && cases_event(d->cases, &ev, cal_now(), d->filling) < 0)
			fatalx("out of memory applying a case event");
		batch_feed_event(d->filling, rc->feed, ev.utc);
		if (d->reset_rebuilding) {
			/* what the rebuilt figures cover, for the reset mail */
			if (!d->reset_from || ev.utc < d->reset_from)
				d->reset_from = ev.utc;
			if (ev.utc > d->reset_to)
				d->reset_to = ev.utc;
		}
		break;
	case MAP_SKIP:
		break;
	case MAP_HEADER:
		/* once per change (a repeat of the same header is MAP_SKIP); the
		 * column names are config, the line holds nothing else */
		batch_header_change(d->filling, rc->feed);
		log_notice("feed %s: %s:%llu: a new CSV header: its columns are read from here on",
		    d->cfg->feeds[rc->feed].name, rc->path, (unsigned long long)rc->line);
		break;
	case MAP_REJECT:
		batch_reject(d->filling, rc->feed, why, rc->line, rc->path, detail);
		log_reject(d, rc, why, detail);
		break;
	}
	return 0;
}

/* feed sink: a record the feed rejected itself (over-long). */
static void
on_feed_reject(void *arg, const struct record_ctx *rc, enum reject why, const char *detail)
{
	struct daemon *d = arg;

	batch_line(d->filling, rc->feed);
	note_line(d, rc->feed);
	batch_reject(d->filling, rc->feed, why, rc->line, rc->path, detail);
	log_reject(d, rc, why, detail);
}

/* feed sink: nothing more to read for now, or the batch is full. */
static void
on_idle(void *arg)
{
	try_commit(arg);
}

/* Ends the loop when --once has read and committed everything, or when stopping. */
static void
maybe_finish(struct daemon *d)
{
	if (d->ninflight || d->finished)
		return;
	/* --once also waits for the indicator hashes, so dashboards see the backfill */
	if (d->stopping || (d->once && d->ready && feedset_drained(d->feeds) &&
	    batch_empty(d->filling) && pipeline_settled(d->pipeline))) {
		/* loopexit lets the rest of this loop iteration run: log once */
		d->finished = true;
		progress_end(d);
		if (d->stopping)
			log_info("stopping: %llu commits, %llu events",
			    (unsigned long long)d->commits, (unsigned long long)d->events);
		else
			once_account(d);
		event_base_loopexit(d->base, NULL);
	}
}

/*
 * Once every feed has been read to its end and committed, alerts may look
 * at the indicators (not during a backfill, and never in --once mode,
 * which exits before anything could be delivered).
 */
static void
note_caught_up(struct daemon *d)
{
	if (d->ready && !d->ninflight && feedset_drained(d->feeds) && batch_empty(d->filling) &&
	    d->reset_rebuilding) {
		d->reset_rebuilding = false;    /* everything still present is re-read and committed */
		log_notice("redis: the counters are rebuilt from the files still followed");
		/* the alerter mails it once (alerts:state "reset"), now the figures are whole */
		tq_metrics.reset_from = d->reset_from;
		tq_metrics.reset_to = d->reset_to;
		tq_metrics.reset_rebuilt_at = d->reset_at;
		tq_metrics.reset_rebuilt_ms = store_reset_ms(d->store);
	}
	if (!d->once && d->ready && !d->ninflight && feedset_drained(d->feeds) &&
	    batch_empty(d->filling))
		pipeline_caught_up(d->pipeline);
}

/* Drops every batch in flight (their outcome is unknown or they failed). */
static void
release_inflight(struct daemon *d)
{
	for (unsigned i = 0; i < d->ninflight; i++)
		batch_clear(d->inflight[i]);
	d->ninflight = 0;
}

/* A batch that is neither filling nor in flight (one always is: see batches[]). */
static struct batch *
free_batch(struct daemon *d)
{
	for (size_t i = 0; i < STORE_INFLIGHT_MAX + 1; i++) {
		struct batch *b = &d->batches[i];
		bool busy = b == d->filling;

		for (unsigned j = 0; j < d->ninflight; j++)
			busy = busy || b == d->inflight[j];
		if (!busy)
			return b;
	}
	fatalx("no free batch");        /* cannot happen: ninflight < STORE_INFLIGHT_MAX here */
}

static void rebuild(struct daemon *d);

/*
 * store: the oldest commit in flight, d->inflight[0], finished with status
 * (the store calls done in the order of the commits).
 */
static void
on_commit_done(void *arg, int status)
{
	struct daemon *d = arg;
	struct batch *b;

	if (!d->ninflight)
		return;         /* dropped already: by on_store_down, or a failed commit before it */
	if (status < 0) {
		/* Outcome unknown: drop everything read since the last known
		 * commit (the store fails the later commits in flight too); the
		 * store reconnects and ready() rewinds the feeds. */
		log_warnx("commit failed (%s); rereading from the committed positions",
		    strerror(-status));
		d->commit_failed = true;
		release_inflight(d);
		batch_clear(d->filling);
		d->ready = false;
		feedset_pause(d->feeds);
		return;
	}
	b = d->inflight[0];
	for (unsigned i = 1; i < d->ninflight; i++)
		d->inflight[i - 1] = d->inflight[i];
	d->ninflight--;
	d->commits++;
	d->events += b->nevents;
	d->last_commit_ms = mono_ms();
	d->commit_failed = false;
	feedset_committed(d->feeds, b);
	batch_clear(b);
	if (d->reload_cfg && !d->stopping) {
		if (!d->ninflight)
			rebuild(d);
		return;
	}
	feedset_resume(d->feeds);
	try_commit(d);
	note_caught_up(d);
	maybe_finish(d);
}

/*
 * Commits the filling batch when there is something to commit and room in
 * flight. With nothing in flight any batch goes (a live feed's lines reach
 * the indicators at once); with one in flight only a full batch does, so a
 * backfill keeps Redis busy with large commits rather than many small ones.
 * The positions are taken now, so they match exactly the records added to
 * this batch.
 */
static void
try_commit(struct daemon *d)
{
	struct batch *b = d->filling;
	int r;

	if (!d->ready || d->ninflight == STORE_INFLIGHT_MAX ||
	    (d->ninflight && (!batch_full(b) || d->reload_cfg))) {
		/* Redis down: nothing can be in flight or worth keeping (the
		 * filling batch is dropped whenever ready goes false), so a
		 * reload need not wait for Redis, which could take forever */
		if (!d->ready && !d->ninflight && d->reload_cfg && !d->stopping) {
			rebuild(d);
			return;
		}
		if (d->ninflight && batch_full(b))
			feedset_pause(d->feeds);
		return;
	}
	if (feedset_positions(d->feeds, b) < 0)
		fatalx("out of memory recording positions");
	/* deadlines passed meanwhile, then every case state changed for this batch */
	if (d->cases && (cases_tick(d->cases, cal_now(), b) < 0 || cases_flush(d->cases, b) < 0))
		fatalx("out of memory recording case states");
	pipeline_backlog(d->pipeline, !feedset_drained(d->feeds) || batch_full(b));
	if (batch_empty(b)) {
		if (d->reload_cfg && !d->stopping) {
			rebuild(d);
		} else {
			note_caught_up(d);
			maybe_finish(d);
		}
		return;
	}
	r = store_commit(d->store, b, on_commit_done, d);
	if (r < 0) {
		log_debug("commit deferred: %s", strerror(-r));
		return;
	}
	d->inflight[d->ninflight++] = b;
	d->filling = free_batch(d);
	feedset_resume(d->feeds);
}

/* Replaces the case table with the states Redis holds (committed with the positions). */
static void
load_cases(struct daemon *d, const struct stored_case *cases, size_t ncases)
{
	size_t bad = 0;
	int r;

	if (!d->cases)
		return;
	cases_clear(d->cases);
	for (size_t i = 0; i < ncases; i++) {
		r = cases_load(d->cases, cases[i].ind, cases[i].field, cases[i].flen, cases[i].text,
		    cases[i].tlen);
		if (r == -ENOMEM)
			fatalx("out of memory loading case states");
		bad += r < 0;
	}
	if (bad)
		log_warnx("redis: %zu malformed case states ignored (the cases start afresh)", bad);
	log_debug("redis: %zu case states loaded", cases_count(d->cases));
}

#define RESET_NAMES 8        /* files named in the store-reset line; the rest are counted */

/*
 * The store was emptied (store_reset_ms): says so once, at error level,
 * before the feeds rewind. Every open file is about to be re-read from
 * where it was first seen (the store holds no position), so the counters
 * come back for those files; what files rotated out of the globs held, or
 * a file held before where it was first seen, is gone from Redis for good.
 */
static void
log_store_reset(struct daemon *d)
{
	struct file_stat fst[RESET_NAMES];
	char names[600];
	size_t n, i, shown = 0, used = 0;
	int w;

	n = feedset_stat(d->feeds, fst, RESET_NAMES);
	names[0] = '\0';
	for (i = 0; i < n && i < RESET_NAMES; i++) {
		w = snprintf(names + used, sizeof(names) - used, "%s%s", shown ? ", " : "", fst[i].path);
		if (w < 0 || (size_t)w >= sizeof(names) - used) {
			names[used] = '\0';    /* a path that does not fit is counted below */
			break;
		}
		used += (size_t)w;
		shown++;
	}
	if (shown < n)
		snprintf(names + used, sizeof(names) - used, "%sand %zu more", shown ? ", " : "",
		    n - shown);
	log_errx("redis: the store was emptied (no commits and no file positions, after this daemon "
	    "had committed there): counters are rebuilt from the files still followed; %zu file%s "
	    "re-read from where they were first seen%s%s; counts of files rotated out of the globs "
	    "before now, and of lines before where a file was first seen, are missing",
	    n, n == 1 ? "" : "s", n ? ": " : "", names);
}

/*
 * store: connected; pos holds what Redis has committed, and cases the case
 * states committed with it. Start or rewind the feeds.
 */
static void
on_store_ready(void *arg, const struct file_pos *pos, size_t n, const struct stored_case *cases,
               size_t ncases)
{
	struct daemon *d = arg;
	int r;

	release_inflight(d);
	batch_clear(d->filling);
	load_cases(d, cases, ncases);
	if (store_reset_ms(d->store)) {
		log_store_reset(d);
		d->reset_rebuilding = true;
		d->reset_at = cal_now();
		d->reset_from = d->reset_to = 0;
	}
	if ((r = feedset_start(d->feeds, pos, n)) < 0)
		fatalx("cannot start feeds: %s", strerror(-r));
	d->ready = true;
	log_info("redis ready, %zu committed file positions", n);
	progress_base(d);
	update_status(d);
	feedset_resume(d->feeds);
}

/* store: connection lost. Stop reading: the files are the buffer. */
static void
on_store_down(void *arg)
{
	struct daemon *d = arg;

	d->ready = false;
	release_inflight(d);
	batch_clear(d->filling);
	feedset_pause(d->feeds);
	update_status(d);
}

/*
 * Periodic tick: commits a batch that has waited long enough, and lets the
 * store alarm see whether Redis's policy refuses commits (its mail cannot
 * wait for the store: see storealarm.c).
 */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	const char *pol;

	try_commit(d);
	pol = d->stopping ? NULL : store_policy_refused(d->store);
	/* ready means the handshake found noeviction; anything else tells nothing */
	storealarm_tick(d->alarm, pol ? SA_REDIS_REFUSED : d->ready && !d->stopping ? SA_REDIS_FINE :
	    SA_REDIS_UNKNOWN, pol, d->tz);
}

/*
 * SIGTERM/SIGINT: finish the in-flight commit, then exit 0; in --once mode
 * 128 + the signal, as a shell reports an interrupted job, since the run
 * did not read everything.
 */
static void
on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { STOP_GRACE_MS / 1000, (STOP_GRACE_MS % 1000) * 1000 };

	if (d->stopping)
		return;
	log_info("signal %d: stopping", (int)sig);
	d->stopping = true;
	if (d->once && !d->finished)
		d->exit_code = 128 + (int)sig;
	sdnotify_stopping(d->sn);
	update_status(d);
	feedset_pause(d->feeds);
	/* What was read but not committed is read again at the next start. */
	evtimer_add(d->stop_timer, &tv);
	maybe_finish(d);
}

/* The in-flight commit did not finish in time: exit anyway (it is safe). */
static void
on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	progress_end(d);
	log_warnx("stopping with a commit still in flight; it is reread at the next start");
	event_base_loopexit(d->base, NULL);
}

static const struct feed_sink feed_sink = {
	.record = on_record,
	.reject = on_feed_reject,
	.idle   = on_idle,
};
static const struct store_sink store_sink = {
	.ready = on_store_ready,
	.down  = on_store_down,
};

/*
 * Creates the feeds and the store for d->cfg. Returns 0 or -errno (logged).
 */
static int
build(struct daemon *d)
{
	int r;
	size_t i;

	d->have_idkey = false;
	/* ids and case ids alike are hashed with it (a feed may have a case and no id) */
	if (secret_needs_idkey(d->cfg)) {
		if ((r = load_idkey(d->cfg->dedup.secret_file, d->idkey)) < 0)
			return r;
		d->have_idkey = true;
	}
	tz_free(d->tz);
	d->tz = NULL;
	if ((r = tz_load(d->cfg->timezone, &d->tz)) < 0) {
		log_warnx("timezone %s: %s", d->cfg->timezone, strerror(-r));
		return r;
	}
	map_scratch_done(&d->scratch);
	size_t max_line = 0;
	for (i = 0; i < d->cfg->nfeeds; i++)
		if (d->cfg->feeds[i].max_line > max_line)
			max_line = d->cfg->feeds[i].max_line;
	if ((r = map_scratch_init(&d->scratch, max_line)) < 0)
		return r;
	if (cases_wanted(d->cfg) && (r = cases_new(d->cfg, d->tz, &d->cases)) < 0)
		return r;
	for (i = 0; i < STORE_INFLIGHT_MAX + 1; i++) {
		batch_done(&d->batches[i]);
		if ((r = batch_init(&d->batches[i], d->cfg->batch_max_events, 100)) < 0)
			return r;
	}
	d->filling = &d->batches[0];
	d->ninflight = 0;
	if ((r = feedset_new(d->base, d->cfg, &feed_sink, d, &d->feeds)) < 0) {
		log_warnx("feeds: %s", strerror(-r));
		return r;
	}
	if (d->once)
		feedset_set_once(d->feeds);
	if ((r = store_new(d->base, d->cfg, d->have_idkey ? d->idkey : NULL, &store_sink, d,
	    &d->store)) < 0) {
		log_warnx("redis: %s", strerror(-r));
		return r;
	}
	if ((r = pipeline_new(d->base, d->store, &d->pipeline)) < 0) {
		log_warnx("redis: %s", strerror(-r));
		return r;
	}
	return 0;
}

/*
 * The freshness of every feed now, for /healthz and /metrics (at most
 * BATCH_MAX_FEEDS). Returns the number filled in f.
 */
static size_t
feed_health(struct daemon *d, int64_t now, struct health_feed *f)
{
	size_t i;

	for (i = 0; i < d->cfg->nfeeds && i < BATCH_MAX_FEEDS; i++) {
		f[i] = (struct health_feed){ .name = d->cfg->feeds[i].name, .last_line = d->last_line[i],
		                             .max_silence_s = d->cfg->feeds[i].max_silence_s,
		                             .heard = tq_metrics.feed_heard[i] };
		tq_metrics.feed_last_line[i] = d->last_line[i];
		tq_metrics.feed_stale[i] = feed_stale(&f[i], now);
	}
	return i;
}

/* http: 0 when healthy, else one line per reason (health.c decides). */
static int
http_health(void *arg, char *buf, size_t len)
{
	struct daemon *d = arg;
	struct health_feed f[BATCH_MAX_FEEDS];
	char who[LEASE_DESCRIBE_MAX] = "";
	const struct alert_conf *ac = &d->cfg->alerts;
	struct health_in in = {
		.redis_connected = d->store && store_connected(d->store),
		.redis_policy_refused = store_policy_refused(d->store),
		.redis_unresponsive_s = (store_unresponsive_ms(d->store) + 999) / 1000,
		.standby = d->store && store_standby(d->store, who, sizeof(who)),
		.holder = who,
		.feeds_started = d->ready && d->feeds,
		.commit_failed = d->commit_failed,
		.reset_rebuilding = d->reset_rebuilding,
		.reset_at = d->reset_at,
		.now = cal_now(),
		.feeds = f,
		.oldest_undelivered = tq_metrics.outbox_oldest,
		.undeliverable_s = ac->enabled ? 3 * ac->retry_max_s : 0,
		.alerts_parked = tq_metrics.alerts_parked,
		.max_ambiguous = ac->max_ambiguous,
	};

	in.nfeeds = feed_health(d, in.now, f);
	return health_reasons(&in, buf, len) ? -1 : 0;     /* a standby: 0 with its line */
}

/* http: the /metrics text, with the followed files' sizes and offsets now. */
static char *
http_metrics(void *arg, size_t *ret_len)
{
	struct daemon *d = arg;
	struct file_stat *files = NULL;
	size_t n = 0, cap = 0;
	char *out = NULL;

	/* the file list may grow between two calls: retry with the size it reported */
	for (;;) {
		n = feedset_stat(d->feeds, files, cap);
		if (n <= cap)
			break;
		free(files);
		cap = n + 16;
		if (!(files = calloc(cap, sizeof(*files))))
			return NULL;
	}
	{
		struct health_feed f[BATCH_MAX_FEEDS];

		(void)feed_health(d, cal_now(), f);
	}
	metrics_read_proc(&tq_metrics.proc);
	tq_metrics.redis_reply_age_ms = store_reply_age_ms(d->store);
	/* decided now, as /healthz does (the store's timer logs the changes) */
	tq_metrics.redis_responsive = store_connected(d->store) && !store_unresponsive_ms(d->store);
	if (metrics_render(&tq_metrics, d->cfg, files, n, wall_ms() / 1000, &out, ret_len) < 0)
		out = NULL;
	free(files);
	return out;
}

/* http: / and /api/indicators, read from Redis over the store's connection (dash.c). */
static void
http_dashboard(void *arg, struct http_reply *rep, enum http_view view, const char *period)
{
	struct daemon *d = arg;

	dash_serve(d->base, d->store, rep, view, period);
}

/*
 * Binds (or re-binds, after a reload changed it) the HTTP listener of
 * d->cfg. A new address is bound before the old listener is dropped, so a
 * reload to an unusable address keeps the old one. Not in --once mode.
 * Returns 0 or -errno (logged by httpd_new).
 */
static int
http_apply(struct daemon *d)
{
	static const struct http_sink sink = { .health = http_health, .metrics = http_metrics,
	                                       .dashboard = http_dashboard };
	const char *want = d->cfg->http.listen;
	struct httpd *h = NULL;
	char *copy = NULL;
	int r;

	if (d->once)
		return 0;
	if (want && d->http_listen && !strcmp(want, d->http_listen)) {
		httpd_configure(d->http, d->cfg);       /* unchanged: keep the socket */
		return 0;
	}
	if (want) {
		if (!(copy = strdup(want)))
			return -ENOMEM;
		if ((r = httpd_new(d->base, d->cfg, &sink, d, &h, NULL)) < 0) {
			free(copy);
			return r;
		}
	}
	httpd_free(d->http);
	free(d->http_listen);
	d->http = h;
	d->http_listen = copy;
	return 0;
}

/* Frees the feeds and the store (not the config). */
static void
teardown(struct daemon *d)
{
	feedset_free(d->feeds);
	d->feeds = NULL;
	pipeline_free(d->pipeline);     /* before its store */
	d->pipeline = NULL;
	store_free(d->store);
	d->store = NULL;
	cases_free(d->cases);
	d->cases = NULL;
	d->ready = false;
}

/*
 * A reload ended (applied, or refused with the old configuration still
 * running): systemd's RELOADING=1 is answered with READY=1.
 */
static void
reloaded(struct daemon *d)
{
	sdnotify_ready(d->sn);
	update_status(d);
}

/*
 * A reload may add, drop or reorder feeds: each keeps its last line time by
 * name; a new feed's silence is measured from now.
 */
static void
remap_last_line(struct daemon *d, const struct config *from, const struct config *to)
{
	int64_t old[BATCH_MAX_FEEDS], now = cal_now();

	bool heard[BATCH_MAX_FEEDS];

	memcpy(old, d->last_line, sizeof(old));
	memcpy(heard, tq_metrics.feed_heard, sizeof(heard));
	for (size_t i = 0; i < to->nfeeds && i < BATCH_MAX_FEEDS; i++) {
		d->last_line[i] = now;
		tq_metrics.feed_heard[i] = false;
		for (size_t j = 0; j < from->nfeeds && j < BATCH_MAX_FEEDS; j++)
			if (!strcmp(to->feeds[i].name, from->feeds[j].name)) {
				d->last_line[i] = old[j];
				tq_metrics.feed_heard[i] = heard[j];
			}
		tq_metrics.feed_last_line[i] = d->last_line[i];
	}
}

/*
 * Applies the configuration on_hup checked (d->reload_cfg, taken over here)
 * once nothing is in flight and the filling batch is committed: the feeds
 * and the store are rebuilt and resume from the positions in Redis, so a
 * reload neither loses nor rereads a line. The file is not read again: what
 * is applied is what was checked, even if the file changed meanwhile.
 */
static void
rebuild(struct daemon *d)
{
	struct config *ncfg = d->reload_cfg, *old = d->cfg;

	d->reload_cfg = NULL;
	teardown(d);
	d->cfg = ncfg;
	remap_last_line(d, old, ncfg);
	if (build(d) < 0) {
		log_warnx("reload: cannot apply the new configuration; keeping the old one");
		teardown(d);
		remap_last_line(d, ncfg, old);
		config_free(ncfg);
		d->cfg = old;
		if (build(d) < 0)
			fatalx("cannot rebuild the previous configuration");
		reloaded(d);
		return;
	}
	if (storealarm_configure(d->alarm, &d->cfg->alerts) < 0 && d->alarm)
		log_warnx("reload: the Redis policy mail keeps the previous alerts channels");
	config_free(old);
	tq_metrics.config_last_reload = wall_ms() / 1000;
	if (http_apply(d) < 0)
		log_warnx("reload: the http listener stays on %s", d->http_listen ? d->http_listen : "(none)");
	log_info("configuration reloaded: %zu feeds, %zu indicators", d->cfg->nfeeds,
	    d->cfg->nindicators);
	reloaded(d);
}

/*
 * SIGHUP: check the new file now and keep it (d->reload_cfg); rebuild applies
 * it once the in-flight commit is done. A later SIGHUP before that replaces
 * it with the file then, or, when that file is invalid, leaves it pending.
 */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct config *ncfg = NULL;
	char err[512];

	if (d->stopping)
		return;         /* a reload would never be applied, nor READY=1 sent */
	if (config_load(d->config_path, &ncfg, err, sizeof(err)) < 0) {
		if (d->reload_cfg)
			log_warnx("reload: %s; the configuration checked at the previous SIGHUP "
			    "is still to be applied", err);
		else
			log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	log_info("reload requested");
	/* a second SIGHUP before the first is applied is one reload: one RELOADING=1 */
	if (!d->reload_cfg)
		sdnotify_reloading(d->sn);
	config_free(d->reload_cfg);
	d->reload_cfg = ncfg;
	update_status(d);
	feedset_pause(d->feeds);
	try_commit(d);
}

/* Lets many followed files have descriptors: raise the soft limit to the hard one. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Reads the command line into d (config_path, once, wait_redis_s),
 * *ret_check (-n) and *ret_verbose (-v count). Returns -1 to go on, or the
 * exit status main returns at once (usage: 2, --version/--help: 0), having
 * printed what it says.
 */
static int
parse_args(int argc, char **argv, struct daemon *d, bool *ret_check, int *ret_verbose)
{
	static const struct option opts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "check",   no_argument,       NULL, 'n' },
		{ "once",    no_argument,       NULL, 'o' },
		{ "wait-redis", required_argument, NULL, 'w' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "version", no_argument,       NULL, 'V' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	d->wait_redis_s = 60;
	while ((c = getopt_long(argc, argv, "c:nvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d->config_path = optarg; break;
		case 'n': *ret_check = true; break;
		case 'o': d->once = true; break;
		case 'w': {
			char *end;

			errno = 0;
			d->wait_redis_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || d->wait_redis_s < 1 ||
			    d->wait_redis_s > SECS_PER_DAY) {
				fprintf(stderr, "teleqd: --wait-redis wants seconds, 1..86400\n");
				return 2;
			}
			break;
		}
		case 'v': (*ret_verbose)++; break;
		case 'V': printf("teleqd %s\n", TQ_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default:  usage(stderr); return 2;
		}
	}
	if (!d->config_path)
		d->config_path = TQ_DEFAULT_CONFIG;	/* teleqctl's default too */
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * teleqd -n: what the start needs beyond the parsed config (start_check).
 * Frees cfg. Returns the exit status.
 */
static int
check_only(const char *path, struct config *cfg)
{
	int r = start_check(cfg);

	config_free(cfg);
	if (r > 0) {
		fprintf(stderr, "%s: the configuration parses, but teleqd cannot start with it\n",
		    path);
		return 1;
	}
	printf("configuration OK\n");
	return 0;
}

/*
 * The loop and its fixed events: signals (only noted by libevent, the work
 * runs in the loop), the batch tick, the stop timer, systemd notification
 * and the status timer. Dies (fatalx) when one cannot be made: nothing runs
 * yet.
 */
static void
events_setup(struct daemon *d)
{
	int r;

	if (!(d->base = event_base_new()))
		fatalx("event_base_new failed");
	d->sig_term = evsignal_new(d->base, SIGTERM, on_stop_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, on_stop_signal, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, on_hup, d);
	d->tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	d->stop_timer = evtimer_new(d->base, on_stop_timeout, d);
	if (!d->sig_term || !d->sig_int || !d->sig_hup || !d->tick || !d->stop_timer ||
	    evsignal_add(d->sig_term, NULL) < 0 || evsignal_add(d->sig_int, NULL) < 0 ||
	    evsignal_add(d->sig_hup, NULL) < 0)
		fatalx("cannot set up signal events");
	if ((r = sdnotify_new(d->base, &d->sn)) < 0)
		fatalx("systemd notification: %s", strerror(-r));
	d->status_ev = event_new(d->base, -1, EV_PERSIST, on_status, d);
	if (!d->status_ev)
		fatalx("cannot create the status timer");
}

/* Frees everything main built, in the reverse order; each part NULL-safe. */
static void
daemon_free(struct daemon *d)
{
	progress_end(d);
	storealarm_free(d->alarm);
	httpd_free(d->http);
	free(d->http_listen);
	teardown(d);
	for (size_t i = 0; i < STORE_INFLIGHT_MAX + 1; i++)
		batch_done(&d->batches[i]);
	map_scratch_done(&d->scratch);
	tz_free(d->tz);
	event_free(d->sig_term);
	event_free(d->sig_int);
	event_free(d->sig_hup);
	event_free(d->tick);
	event_free(d->stop_timer);
	event_free(d->status_ev);
	if (d->prog.ev)
		event_free(d->prog.ev);
	sdnotify_free(d->sn);
	event_base_free(d->base);
	config_free(d->reload_cfg);     /* a SIGHUP's, never applied: stopped first */
	config_free(d->cfg);
}

int
main(int argc, char **argv)
{
	struct daemon d;
	char err[512];
	bool check = false;
	int verbose = 0, r;
	struct timeval tick;

	memset(&d, 0, sizeof(d));
	if ((r = parse_args(argc, argv, &d, &check, &verbose)) >= 0)
		return r;
	log_init(verbose, !isatty(STDERR_FILENO) || getenv("JOURNAL_STREAM"));
	log_libevent();
	if (config_load(d.config_path, &d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check)
		return check_only(d.config_path, d.cfg);
	for (size_t i = 0; i < BATCH_MAX_FEEDS; i++) {
		d.rl[i].burst = REJECT_LOG_BURST;
		d.rl[i].interval = REJECT_LOG_INTERVAL;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	events_setup(&d);
	d.started_ms = mono_ms();
	{
		int64_t now = cal_now();        /* a feed's silence is measured from start-up at first */

		for (size_t f = 0; f < BATCH_MAX_FEEDS; f++)
			d.last_line[f] = tq_metrics.feed_last_line[f] = now;
	}
	if (build(&d) < 0 || http_apply(&d) < 0) {
		d.exit_code = 1;        /* a start-up error: logged; free what was built */
		goto out;
	}
	tq_metrics.config_last_reload = wall_ms() / 1000;       /* the first load counts */
	if (!d.once && (r = storealarm_new(d.base, &d.cfg->alerts, &d.alarm)) < 0)
		log_warnx("alerts: the Redis policy mail cannot start: %s", strerror(-r));
	tick.tv_sec = d.cfg->batch_max_delay_ms / 1000;
	tick.tv_usec = (d.cfg->batch_max_delay_ms % 1000) * 1000;
	event_add(d.tick, &tick);
	log_info("teleqd %s started: %zu feeds, %zu indicators%s", TQ_VERSION, d.cfg->nfeeds,
	    d.cfg->nindicators, d.once ? ", reading once" : "");
	if (cal_is_fake())
		log_warnx("TELEQD_TEST_CLOCK is set: the calendar is read from %s (for tests only)",
		    getenv("TELEQD_TEST_CLOCK"));
	if (d.once)
		progress_init(&d);
	/* Ready now, not when Redis answers: the STATUS tells that story, and a
	 * Redis that is down at boot must not fail the start on a timeout. */
	sdnotify_ready(d.sn);
	update_status(&d);
	tick.tv_sec = STATUS_INTERVAL_MS / 1000;
	tick.tv_usec = (STATUS_INTERVAL_MS % 1000) * 1000;
	event_add(d.status_ev, &tick);

	event_base_dispatch(d.base);
	/* a clean end (stop, --once done): a standby takes over now, not at the expiry */
	store_release_lease(d.store);

out:
	daemon_free(&d);
	return d.exit_code;
}
