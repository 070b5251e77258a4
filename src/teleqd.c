/*
 * teleqd.c — the daemon: configuration, the event loop, and the glue that
 * moves records from the feeds through map and batch into the store.
 *
 * Exactly once: a batch holds counter deltas together with the file
 * positions they were read up to, and the store commits both atomically.
 * While one batch is in flight the next one fills. When a commit's outcome
 * is unknown (connection lost, error reply) both batches are dropped and,
 * once the store is ready again, the feeds rewind to the positions Redis
 * actually holds: nothing is counted twice and nothing is skipped.
 */
#include <errno.h>
#include <getopt.h>
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

#include "teleqd.h"

#define REJECT_LOG_BURST    10      /* reject lines logged per feed ... */
#define REJECT_LOG_INTERVAL 10      /* ... per this many seconds */
#define STOP_GRACE_MS       1500    /* SIGTERM: time left for the in-flight commit */

struct daemon {
	struct event_base  *base;
	struct config      *cfg;
	char               *config_path;
	struct tz          *tz;
	uint8_t             idkey[16];
	bool                have_idkey;
	struct store       *store;
	struct feedset     *feeds;
	struct map_scratch  scratch;
	struct batch        batches[2];
	struct batch       *filling;    /* records are added here */
	struct batch       *inflight;   /* being committed, or NULL */
	bool                ready;      /* store ready and feeds started */
	bool                once;       /* --once: exit when every feed is drained */
	bool                stopping;
	bool                reload;     /* SIGHUP seen: rebuild when idle */
	struct ratelimit    rl[BATCH_MAX_FEEDS];
	struct event       *sig_term, *sig_int, *sig_hup, *tick, *stop_timer;
	uint64_t            commits, events;
	int                 exit_code;
};

static void try_commit(struct daemon *d);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: teleqd -c FILE [-n] [--once] [-v]\n"
	    "  -c, --config FILE  configuration (YAML)\n"
	    "  -n, --check        check the configuration and exit\n"
	    "      --once         read every feed to its current end, commit, exit\n"
	    "  -v, --verbose      debug logging\n"
	    "  -V, --version      print the version\n");
}

/*
 * Derives the 16-byte id-hashing key from the secret file. Refuses a file
 * others can read (the key is what keeps hashed case ids from being
 * guessed). Returns 0 or -errno with the reason logged.
 */
static int
load_idkey(const char *path, uint8_t key[16])
{
	static const uint8_t k1[16] = "teleqd-idkey-one", k2[16] = "teleqd-idkey-two";
	unsigned char buf[4096];
	struct stat st;
	uint64_t h1, h2;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		log_warn("dedup secret %s", path);
		return -errno;
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & 0007)) {
		log_warnx("dedup secret %s: readable by others, refusing it (chmod 600)", path);
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 16) {
		log_warnx("dedup secret %s: needs at least 16 bytes", path);
		return -EINVAL;
	}
	h1 = siphash24(k1, buf, (size_t)n);
	h2 = siphash24(k2, buf, (size_t)n);
	memcpy(key, &h1, 8);
	memcpy(key + 8, &h2, 8);
	return 0;
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
	mr = map_record(d->cfg, fc, d->tz, d->have_idkey ? d->idkey : NULL, rc->ps, &d->scratch,
	    rec, len, &ev, &why, detail, sizeof(detail));
	if (rc->header_replay)
		return 0;       /* only teaches the columns; counted when first read */
	batch_line(d->filling, rc->feed);
	switch (mr) {
	case MAP_EVENT:
		if (batch_add(d->filling, &ev) < 0)
			fatalx("out of memory adding an event");
		batch_feed_event(d->filling, rc->feed, ev.utc);
		break;
	case MAP_SKIP:
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
	if (d->inflight)
		return;
	/* --once also waits for the indicator hashes, so dashboards see the backfill */
	if (d->stopping || (d->once && d->ready && feedset_drained(d->feeds) &&
	    batch_empty(d->filling) && store_settled(d->store))) {
		log_info("%s: %llu commits, %llu events", d->stopping ? "stopping" : "all feeds read",
		    (unsigned long long)d->commits, (unsigned long long)d->events);
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
	if (!d->once && d->ready && !d->inflight && feedset_drained(d->feeds) &&
	    batch_empty(d->filling))
		store_caught_up(d->store);
}

/* Swaps batches after a commit attempt; the in-flight batch becomes empty. */
static void
release_inflight(struct daemon *d)
{
	batch_clear(d->inflight);
	d->inflight = NULL;
}

static void rebuild(struct daemon *d);

/* store: the commit of d->inflight finished with status. */
static void
on_commit_done(void *arg, int status)
{
	struct daemon *d = arg;

	if (!d->inflight)
		return;         /* dropped already by on_store_down */
	if (status < 0) {
		/* Outcome unknown: drop everything read since the last known
		 * commit; the store reconnects and ready() rewinds the feeds. */
		log_warnx("commit failed (%s); rereading from the committed positions",
		    strerror(-status));
		release_inflight(d);
		batch_clear(d->filling);
		d->ready = false;
		feedset_pause(d->feeds);
		return;
	}
	d->commits++;
	d->events += d->inflight->nevents;
	feedset_committed(d->feeds, d->inflight);
	release_inflight(d);
	if (d->reload && !d->stopping) {
		rebuild(d);
		return;
	}
	feedset_resume(d->feeds);
	try_commit(d);
	note_caught_up(d);
	maybe_finish(d);
}

/*
 * Commits the filling batch when there is something to commit and no
 * commit in flight. The positions are taken now, so they match exactly the
 * records added to this batch.
 */
static void
try_commit(struct daemon *d)
{
	struct batch *b = d->filling;
	int r;

	if (!d->ready || d->inflight) {
		if (d->inflight && batch_full(d->filling))
			feedset_pause(d->feeds);
		return;
	}
	if (feedset_positions(d->feeds, b) < 0)
		fatalx("out of memory recording positions");
	if (batch_empty(b)) {
		if (d->reload && !d->stopping) {
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
	d->inflight = b;
	d->filling = (b == &d->batches[0]) ? &d->batches[1] : &d->batches[0];
	feedset_resume(d->feeds);
}

/* store: connected; pos holds what Redis has committed. Start or rewind the feeds. */
static void
on_store_ready(void *arg, const struct file_pos *pos, size_t n)
{
	struct daemon *d = arg;
	int r;

	if (d->inflight)
		release_inflight(d);
	batch_clear(d->filling);
	if ((r = feedset_start(d->feeds, pos, n)) < 0)
		fatalx("cannot start feeds: %s", strerror(-r));
	d->ready = true;
	log_info("redis ready, %zu committed file positions", n);
	feedset_resume(d->feeds);
}

/* store: connection lost. Stop reading: the files are the buffer. */
static void
on_store_down(void *arg)
{
	struct daemon *d = arg;

	d->ready = false;
	if (d->inflight)
		release_inflight(d);
	batch_clear(d->filling);
	feedset_pause(d->feeds);
}

/* Periodic tick: commits a batch that has waited long enough. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	try_commit(arg);
}

/* SIGTERM/SIGINT: finish the in-flight commit, then exit 0. */
static void
on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { STOP_GRACE_MS / 1000, (STOP_GRACE_MS % 1000) * 1000 };

	if (d->stopping)
		return;
	log_info("signal %d: stopping", (int)sig);
	d->stopping = true;
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
	bool need_key = false;

	for (i = 0; i < d->cfg->nfeeds; i++)
		if (d->cfg->feeds[i].id_slot >= 0)
			need_key = true;
	d->have_idkey = false;
	if (need_key) {
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
	for (i = 0; i < 2; i++) {
		batch_done(&d->batches[i]);
		if ((r = batch_init(&d->batches[i], d->cfg->batch_max_events, 100)) < 0)
			return r;
	}
	d->filling = &d->batches[0];
	d->inflight = NULL;
	if ((r = feedset_new(d->base, d->cfg, &feed_sink, d, &d->feeds)) < 0) {
		log_warnx("feeds: %s", strerror(-r));
		return r;
	}
	if ((r = store_new(d->base, d->cfg, d->have_idkey ? d->idkey : NULL, &store_sink, d,
	    &d->store)) < 0) {
		log_warnx("redis: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* Frees the feeds and the store (not the config). */
static void
teardown(struct daemon *d)
{
	feedset_free(d->feeds);
	d->feeds = NULL;
	store_free(d->store);
	d->store = NULL;
	d->ready = false;
}

/*
 * Applies a new configuration once nothing is in flight and the filling
 * batch is committed: the feeds and the store are rebuilt and resume from
 * the positions in Redis, so a reload neither loses nor rereads a line.
 */
static void
rebuild(struct daemon *d)
{
	char err[512];
	struct config *ncfg = NULL, *old = d->cfg;
	int r;

	d->reload = false;
	if ((r = config_load(d->config_path, &ncfg, err, sizeof(err))) < 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		feedset_resume(d->feeds);
		return;
	}
	teardown(d);
	d->cfg = ncfg;
	if ((r = build(d)) < 0) {
		log_warnx("reload: cannot apply the new configuration; keeping the old one");
		teardown(d);
		config_free(ncfg);
		d->cfg = old;
		if (build(d) < 0)
			fatalx("cannot rebuild the previous configuration");
		return;
	}
	config_free(old);
	log_info("configuration reloaded: %zu feeds, %zu indicators", d->cfg->nfeeds,
	    d->cfg->nindicators);
}

/* SIGHUP: check the new file now, apply it once the in-flight commit is done. */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct config *ncfg = NULL;
	char err[512];

	if (config_load(d->config_path, &ncfg, err, sizeof(err)) < 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	config_free(ncfg);
	log_info("reload requested");
	d->reload = true;
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "check",   no_argument,       NULL, 'n' },
		{ "once",    no_argument,       NULL, 'o' },
		{ "verbose", no_argument,       NULL, 'v' },
		{ "version", no_argument,       NULL, 'V' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d;
	char err[512];
	bool check = false;
	int c, verbose = 0, r;
	size_t i;
	struct timeval tick;

	memset(&d, 0, sizeof(d));
	while ((c = getopt_long(argc, argv, "c:nvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 'n': check = true; break;
		case 'o': d.once = true; break;
		case 'v': verbose++; break;
		case 'V': printf("teleqd %s\n", TQ_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default:  usage(stderr); return 2;
		}
	}
	if (!d.config_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(verbose, !isatty(STDERR_FILENO) || getenv("JOURNAL_STREAM"));
	if ((r = config_load(d.config_path, &d.cfg, err, sizeof(err))) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration OK\n");
		config_free(d.cfg);
		return 0;
	}
	for (i = 0; i < BATCH_MAX_FEEDS; i++) {
		d.rl[i].burst = REJECT_LOG_BURST;
		d.rl[i].interval = REJECT_LOG_INTERVAL;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (!(d.base = event_base_new()))
		fatalx("event_base_new failed");
	/* Signals are only noted by libevent; the work runs in the loop. */
	d.sig_term = evsignal_new(d.base, SIGTERM, on_stop_signal, &d);
	d.sig_int = evsignal_new(d.base, SIGINT, on_stop_signal, &d);
	d.sig_hup = evsignal_new(d.base, SIGHUP, on_hup, &d);
	d.tick = event_new(d.base, -1, EV_PERSIST, on_tick, &d);
	d.stop_timer = evtimer_new(d.base, on_stop_timeout, &d);
	if (!d.sig_term || !d.sig_int || !d.sig_hup || !d.tick || !d.stop_timer ||
	    evsignal_add(d.sig_term, NULL) < 0 || evsignal_add(d.sig_int, NULL) < 0 ||
	    evsignal_add(d.sig_hup, NULL) < 0)
		fatalx("cannot set up signal events");
	if (build(&d) < 0)
		return 1;
	tick.tv_sec = d.cfg->batch_max_delay_ms / 1000;
	tick.tv_usec = (d.cfg->batch_max_delay_ms % 1000) * 1000;
	event_add(d.tick, &tick);
	log_info("teleqd %s started: %zu feeds, %zu indicators%s", TQ_VERSION, d.cfg->nfeeds,
	    d.cfg->nindicators, d.once ? ", reading once" : "");
	if (cal_is_fake())
		log_warnx("TELEQD_TEST_CLOCK is set: the calendar is read from %s (for tests only)",
		    getenv("TELEQD_TEST_CLOCK"));

	event_base_dispatch(d.base);

	teardown(&d);
	for (i = 0; i < 2; i++)
		batch_done(&d.batches[i]);
	map_scratch_done(&d.scratch);
	tz_free(d.tz);
	event_free(d.sig_term);
	event_free(d.sig_int);
	event_free(d.sig_hup);
	event_free(d.tick);
	event_free(d.stop_timer);
	event_base_free(d.base);
	config_free(d.cfg);
	return d.exit_code;
}
