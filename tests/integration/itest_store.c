/*
 * itest_store.c — store.c (and commit.c, commit.lua, and pipeline.c with recompute.c) against a real
 * redis-server, driven through a real libevent loop and checked with a
 * synchronous hiredis connection.
 *
 * Redis: $TELEQ_TEST_REDIS ("unix:/path", set by tests/integration/run.sh),
 * else a private redis-server started here on a unix socket in a temp dir.
 * Tests that need their own server (retry until it appears, password, TCP)
 * start one regardless. Every test begins with FLUSHALL.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "batch.h"
#include "clock.h"
#include "log.h"
#include "map.h"
#include "pipeline.h"
#include "store.h"
#include "tq_config.h"
#include "tz.h"
#include "../common/store_fixture.h"

#define K(rest) "t:{tq}:" rest          /* the test config's key prefix and tag */

static char  g_dir[128];                /* temp dir: sockets, password files */
static char  g_addr[256];               /* "unix:/path" of the shared server */
static char  g_sock[200];
static pid_t g_redis;                   /* the shared server, when we started it */

/* ------------------------------------------------------------ redis-server */

/* Starts redis-server on a unix socket (sock) or a TCP port; extra args may follow. */
static pid_t
spawn_redis(const char *sock, int port, const char *const *extra)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32];
		char portbuf[16];
		int n = 0, fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlive the test */
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		snprintf(portbuf, sizeof(portbuf), "%d", port);
		argv[n++] = "redis-server";
		argv[n++] = "--port";
		argv[n++] = portbuf;
		if (sock) {
			argv[n++] = "--unixsocket";
			argv[n++] = sock;
		} else {
			argv[n++] = "--bind";
			argv[n++] = "127.0.0.1";
		}
		argv[n++] = "--save";
		argv[n++] = "";
		argv[n++] = "--appendonly";
		argv[n++] = "no";
		argv[n++] = "--dir";
		argv[n++] = g_dir;
		argv[n++] = "--daemonize";
		argv[n++] = "no";
		for (; extra && *extra && n < 30; extra++)
			argv[n++] = *extra;
		argv[n] = NULL;
		execvp("redis-server", (char **)argv);
		_exit(127);
	}
	return pid;
}

/* A synchronous connection to a unix socket or TCP port, retried for up to 5 s. */
static redisContext *
sync_connect(const char *sock, int port)
{
	for (int i = 0; i < 500; i++) {
		redisContext *c = sock ? redisConnectUnix(sock) : redisConnect("127.0.0.1", port);

		if (c && !c->err)
			return c;
		redisFree(c);
		usleep(10000);
	}
	return NULL;
}

/* Stops a redis-server we started (SIGTERM, then reaps it). */
static void
stop_redis(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* A free TCP port on 127.0.0.1 (the kernel picks; a tiny race is acceptable in tests). */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* -------------------------------------------------------------- fixture */

struct fx {
	struct event_base *base;
	struct event      *tick;
	struct config     *cfg;
	redisContext      *rc;              /* checks */
	struct store      *st;
	struct pipeline   *pl;              /* st's (new_store) */
	int                ready, down, done, status;
	struct file_pos    pos[32];
	size_t             npos;
	char               free_in;         /* test_free_in_callbacks */
	char               order[16];
	size_t             ncases;          /* case states handed to the last ready */
	char               case_text[CASE_TEXT_MAX], case_field[40];       /* done calls of pipelined commits: "a0b0" = a then b, ok */
	char               yaml[8192];
};

static const char CONFIG[] =
	"timezone: Europe/Stockholm\n"
	"redis:\n"
	"  address: \"%s\"\n"
	"  prefix: \"%s\"\n"
	"  tag: tq\n"
	"%s"
	"dedup: { secret_file: /nonexistent/teleqd-itest.key, window_days: 3660 }\n"
	"deadletter: { maxlen: 10 }\n"
	FEEDS_CALLS_CASES_YAML
	"  - name: case_events\n"
	"    path: /nonexistent/case-events-*.jsonl\n"
	"    format: jsonl\n"
	"    time: { field: at }\n"
	"    case: case_id\n"
	"    event: { field: event, map: { confirmed: case.confirmed } }\n"
	"indicators:\n"
	"  - name: booked\n"
	"    title: Andel bokade\n"
	"    numerator: { event: call.booked }\n"
	"    denominator: { event: [call.booked, call.full] }\n"
	"    target: \">= 75%%\"\n"
	"    combine: mean_of_months\n"
	"  - name: digital\n"
	"    numerator: { event: case.opened, channel: digital }\n"
	"    denominator: { event: case.opened }\n"
	"    target: \">= 55%%\"\n"
	"  - name: growth\n"
	"    kind: growth\n"
	"    count: { event: case.opened }\n"
	"    target: \"> 5%%\"\n"
	"  - name: confirmed_24h\n"
	"    kind: deadline\n"
	"    start: { event: case.opened }\n"
	"    stop: { event: case.confirmed }\n"
	"    within: 24h\n"
	"    target: \">= 80%%\"\n";

/* Parses the test config for address, key prefix and extra redis: lines. */
static struct config *
make_cfg(struct fx *f, const char *addr, const char *prefix, const char *extra)
{
	struct config *cfg = NULL;
	char err[512] = "";
	int r;

	snprintf(f->yaml, sizeof(f->yaml), CONFIG, addr, prefix, extra ? extra : "");
	r = config_parse("itest.yaml", f->yaml, strlen(f->yaml), &cfg, err, sizeof(err));
	if (r < 0)
		fail_msg("config: %s", err);
	return cfg;
}

/* sink: counts ready calls and keeps the positions. */
static void
on_ready(void *arg, const struct file_pos *pos, size_t n, const struct stored_case *cases,
         size_t ncases)
{
	struct fx *f = arg;

	f->ready++;
	f->npos = n;
	memcpy(f->pos, pos, (n < 32 ? n : 32) * sizeof(*pos));
	f->ncases = ncases;
	if (ncases) {
		snprintf(f->case_text, sizeof(f->case_text), "%.*s", (int)cases[0].tlen, cases[0].text);
		snprintf(f->case_field, sizeof(f->case_field), "%.*s", (int)cases[0].flen, cases[0].field);
	}
}

/* sink: counts down calls. */
static void
on_down(void *arg)
{
	((struct fx *)arg)->down++;
}

/* done: counts calls and keeps the status. */
static void
on_done(void *arg, int status)
{
	struct fx *f = arg;

	f->done++;
	f->status = status;
}

/* Appends tag and '0' (applied) or 'E' (failed) to f->order, then counts like on_done. */
static void
note_done(struct fx *f, char tag, int status)
{
	size_t n = strlen(f->order);

	if (n + 2 < sizeof(f->order)) {
		f->order[n] = tag;
		f->order[n + 1] = status == 0 ? '0' : 'E';
	}
	on_done(f, status);
}

static void on_done_a(void *arg, int status) { note_done(arg, 'a', status); }
static void on_done_b(void *arg, int status) { note_done(arg, 'b', status); }

static const struct store_sink sink = { .ready = on_ready, .down = on_down };

/* Keeps the loop waking up. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
}

/* Runs the loop until *counter >= want or ms pass. Returns whether it got there. */
static bool
wait_count(struct fx *f, const int *counter, int want, int ms)
{
	int64_t end = mono_ms() + ms;

	while (*counter < want && mono_ms() < end)
		event_base_loop(f->base, EVLOOP_ONCE);
	return *counter >= want;
}

/* Runs the loop for ms milliseconds. */
static void
spin(struct fx *f, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end)
		event_base_loop(f->base, EVLOOP_ONCE);
}

/*
 * Creates the store for f->cfg with sink, and its pipeline (as teleqd
 * does). Returns store_new's result.
 */
static int
new_store(struct fx *f, const struct store_sink *snk)
{
	int r = store_new(f->base, f->cfg, NULL, snk, f, &f->st);

	if (r == 0)
		assert_int_equal(pipeline_new(f->base, f->st, &f->pl), 0);
	return r;
}

/* Frees the pipeline, then the store (either may be NULL). */
static void
free_store(struct fx *f)
{
	pipeline_free(f->pl);
	f->pl = NULL;
	store_free(f->st);
	f->st = NULL;
}

/* Creates the store for f->cfg and waits for ready. */
static void
open_store(struct fx *f)
{
	int want = f->ready + 1;

	assert_int_equal(new_store(f, &sink), 0);
	assert_true(wait_count(f, &f->ready, want, 5000));
	assert_true(store_connected(f->st));
}

/* Commits b and runs the loop until done; returns its status. */
static int
commit(struct fx *f, const struct batch *b)
{
	int want = f->done + 1;

	assert_int_equal(store_commit(f->st, b, on_done, f), 0);
	assert_true(wait_count(f, &f->done, want, 10000));
	return f->status;
}

/* Per test: a loop, a check connection, an empty database, the config. */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct timeval tv = { 0, 10000 };
	redisReply *r;

	assert_non_null(f);
	f->base = event_base_new();
	f->tick = event_new(f->base, -1, EV_PERSIST, on_tick, NULL);
	event_add(f->tick, &tv);        /* EVLOOP_ONCE returns at least every 10 ms */
	f->rc = sync_connect(g_sock, 0);
	assert_non_null(f->rc);
	r = redisCommand(f->rc, "FLUSHALL");
	assert_non_null(r);
	freeReplyObject(r);
	f->cfg = make_cfg(f, g_addr, "t:", NULL);
	*state = f;
	return 0;
}

/* Per test: frees what setup made (and the store, when the test left one). */
static int
teardown(void **state)
{
	struct fx *f = *state;

	free_store(f);
	config_free(f->cfg);
	redisFree(f->rc);
	event_free(f->tick);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------- checks */

/* Runs a command on the check connection; the caller frees the reply. */
static redisReply *
cmd(struct fx *f, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;

	va_start(ap, fmt);
	r = redisvCommand(f->rc, fmt, ap);
	va_end(ap);
	assert_non_null(r);
	return r;
}

/* An integer reply, or a string reply read as an integer; -1 for nil. */
static long long
cmd_ll(struct fx *f, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	long long v = -1;

	va_start(ap, fmt);
	r = redisvCommand(f->rc, fmt, ap);
	va_end(ap);
	assert_non_null(r);
	if (r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else if (r->type == REDIS_REPLY_STRING)
		v = strtoll(r->str, NULL, 10);
	else if (r->type == REDIS_REPLY_ERROR)
		fail_msg("redis: %s", r->str);
	freeReplyObject(r);
	return v;
}

/* HGET as a string into buf ("(nil)" when absent). */
static const char *
hget(struct fx *f, const char *key, const char *field, char *buf, size_t len)
{
	redisReply *r = cmd(f, "HGET %s %s", key, field);

	snprintf(buf, len, "%s", r->type == REDIS_REPLY_STRING ? r->str : "(nil)");
	freeReplyObject(r);
	return buf;
}

/* Fails unless HGET key field is exactly want. */
static void
assert_hget(struct fx *f, const char *key, const char *field, const char *want)
{
	char buf[512];

	hget(f, key, field, buf, sizeof(buf));
	if (strcmp(buf, want) != 0)
		fail_msg("%s %s: got \"%s\", want \"%s\"", key, field, buf, want);
}

/* Waits (running the loop) until HGET key field equals want; false after ms. */
static bool
wait_hget(struct fx *f, const char *key, const char *field, const char *want, int ms)
{
	int64_t end = mono_ms() + ms;
	char buf[512];

	for (;;) {
		if (!strcmp(hget(f, key, field, buf, sizeof(buf)), want))
			return true;
		if (mono_ms() >= end)
			return false;
		event_base_loop(f->base, EVLOOP_ONCE);
	}
}

/* ----------------------------------------------------------- batch help */

/* Day number of a date. */
static int64_t
day(int y, unsigned m, unsigned d)
{
	return days_from_civil(y, m, d);
}

/* Adds n events of combo c on local day d. */
static void
add_n(struct batch *b, struct combo c, int64_t d, int n)
{
	for (int i = 0; i < n; i++)
		add_event(b, c, d, NULL);
}

/* A file position with a fingerprint derived from ino. */
static struct file_pos
fpos(uint16_t feed, uint64_t dev, uint64_t ino, int64_t off, uint64_t line, const char *path)
{
	struct file_pos p;

	memset(&p, 0, sizeof(p));
	p.feed = feed;
	p.dev = dev;
	p.ino = ino;
	p.offset = off;
	p.line = line;
	p.fp = 0xdeadbeefULL + ino;
	p.fplen = 64;
	p.taillen = off < 4096 ? (uint32_t)off : 4096;
	p.tailfp = 0xfeed0000ULL + ino;
	snprintf(p.path, sizeof(p.path), "%s", path);
	return p;
}

/* ------------------------------------------------------------------ tests */

/* Counts, months, rejects, lines, positions and stats of one commit, then a second. */
static void
test_commit_counters(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct combo full = combo_of(f->cfg, "call.full", "phone");
	struct file_pos p = fpos(0, 5, 77, 1234, 13, "/var/log/teleq/calls 1.txt");

	open_store(f);
	assert_int_equal(batch_init(&b, 1000, 10), 0);
	add_n(&b, booked, day(2026, 3, 1), 5);
	add_n(&b, full, day(2026, 3, 1), 2);
	add_n(&b, booked, day(2026, 3, 31), 1);
	add_n(&b, booked, day(2026, 4, 1), 3);
	batch_reject(&b, 0, REJ_CSV, 7, p.path, "bad quoting");
	batch_reject(&b, 0, REJ_CSV, 9, p.path, "bad quoting");
	for (int i = 0; i < 13; i++)
		batch_line(&b, 0);
	assert_int_equal(batch_position(&b, &p), 0);
	assert_int_equal(commit(f, &b), 0);

	assert_hget(f, K("day:2026-03-01"), "call.booked|channel=phone", "5");
	assert_hget(f, K("day:2026-03-01"), "call.full|channel=phone", "2");
	assert_hget(f, K("day:2026-03-31"), "call.booked|channel=phone", "1");
	assert_hget(f, K("day:2026-04-01"), "call.booked|channel=phone", "3");
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "6");
	assert_hget(f, K("month:2026-03"), "call.full|channel=phone", "2");
	assert_hget(f, K("month:2026-04"), "call.booked|channel=phone", "3");
	assert_hget(f, K("rejects:calls"), "bad_csv", "2");
	assert_hget(f, K("rejects:calls"), "lines", "13");
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("rejects:cases")), 0);
	assert_hget(f, K("files"), "calls:5:77",
	    "1234 13 64 00000000deadbf3c 1234 00000000feed004d 0 /var/log/teleq/calls 1.txt");
	assert_hget(f, K("stats"), "commits", "1");
	assert_hget(f, K("stats"), "events", "11");
	assert_true(cmd_ll(f, "HGET %s last_commit_ms", K("stats")) > 1700000000000LL);
	assert_true(cmd_ll(f, "HGET %s epoch", K("stats")) >= 1);

	/* counts without ids add up; a position is overwritten; a gone file is dropped */
	batch_clear(&b);
	add_n(&b, booked, day(2026, 3, 1), 2);
	p.offset = 2000;
	p.taillen = 2000;
	assert_int_equal(batch_position(&b, &p), 0);
	p = fpos(0, 5, 78, 10, 1, "/var/log/teleq/calls 2.txt");
	assert_int_equal(batch_position(&b, &p), 0);
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("day:2026-03-01"), "call.booked|channel=phone", "7");
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "8");
	assert_hget(f, K("files"), "calls:5:77",
	    "2000 13 64 00000000deadbf3c 2000 00000000feed004d 0 /var/log/teleq/calls 1.txt");
	assert_int_equal(cmd_ll(f, "HLEN %s", K("files")), 2);

	batch_clear(&b);
	p = fpos(0, 5, 77, 2000, 13, "");
	p.gone = true;
	assert_int_equal(batch_position(&b, &p), 0);
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(cmd_ll(f, "HEXISTS %s calls:5:77", K("files")), 0);
	assert_int_equal(cmd_ll(f, "HLEN %s", K("files")), 1);
	assert_hget(f, K("stats"), "commits", "3");
	assert_hget(f, K("stats"), "events", "13");
	assert_int_equal(f->down, 0);
	batch_done(&b);
}

/* ready() hands back exactly the committed positions of configured feeds. */
static void
test_positions_on_ready(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct file_pos p1 = fpos(0, 2049, 131073, 987654321, 4242, "/var/log/teleq/calls-2026.txt");
	struct file_pos p2 = fpos(1, 2049, 7, 0, 0, "/var/log/eservice/cases 1.jsonl");
	size_t i;

	p2.fp = 0xffffffffffffffffULL;
	p2.fplen = 0;
	open_store(f);
	assert_int_equal(f->npos, 0);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	assert_int_equal(batch_position(&b, &p1), 0);
	assert_int_equal(batch_position(&b, &p2), 0);
	assert_int_equal(commit(f, &b), 0);
	/* a feed no longer configured, and garbage: both skipped */
	freeReplyObject(cmd(f, "HSET %s old:1:2 %s", K("files"), "5 1 0 0000000000000000 /x"));
	freeReplyObject(cmd(f, "HSET %s calls:1:3 %s", K("files"), "five 1 0 00 /x"));
	freeReplyObject(cmd(f, "HSET %s calls:1:4 %s", K("files"), "5 1 9 0000000000000000 /x"));
	freeReplyObject(cmd(f, "HSET %s calls:1:5 %s", K("files"),
	    "5 1 0 0000000000000000 6 0000000000000000 0 /x"));
	/* written by teleqd before tail fingerprints: read, only the head checked */
	freeReplyObject(cmd(f, "HSET %s calls:1:6 %s", K("files"),
	    "5000 7 64 00000000000000ff /var/log/teleq/old format.txt"));
	/* a feed's start marker */
	freeReplyObject(cmd(f, "HSET %s cases:started 1", K("files")));
	free_store(f);

	open_store(f);
	assert_int_equal(f->npos, 4);
	for (i = 0; i < f->npos; i++) {
		const struct file_pos *want = f->pos[i].feed == 0 ? &p1 : &p2;

		if (f->pos[i].marker) {
			assert_int_equal(f->pos[i].feed, 1);
			continue;
		}
		if (f->pos[i].ino == 6) {
			assert_int_equal(f->pos[i].offset, 5000);
			assert_int_equal(f->pos[i].fp, 0xff);
			assert_int_equal(f->pos[i].taillen, 0);
			assert_string_equal(f->pos[i].path, "/var/log/teleq/old format.txt");
			continue;
		}
		assert_int_equal(f->pos[i].taillen, want->taillen);
		assert_int_equal(f->pos[i].tailfp, want->tailfp);

		assert_int_equal(f->pos[i].feed, want->feed);
		assert_int_equal(f->pos[i].dev, want->dev);
		assert_int_equal(f->pos[i].ino, want->ino);
		assert_int_equal(f->pos[i].offset, want->offset);
		assert_int_equal(f->pos[i].line, want->line);
		assert_int_equal(f->pos[i].fp, want->fp);
		assert_int_equal(f->pos[i].fplen, want->fplen);
		assert_string_equal(f->pos[i].path, want->path);
		assert_false(f->pos[i].gone);
	}
	batch_done(&b);
}

/* Ids remembered in the seen buckets of month ym ("2026-03"): the sum of their SCARDs. */
static long long
seen_count(struct fx *f, const char *ym)
{
	long long n = 0;
	unsigned i;

	for (i = 0; i < SEEN_BUCKETS; i++)
		n += cmd_ll(f, "SCARD " K("seen:%s:%02x"), ym, i);
	return n;
}

/* The TTLs of month ym's buckets all fall in [lo, hi] (none without one). */
static void
assert_seen_ttls(struct fx *f, const char *ym, long long lo, long long hi)
{
	unsigned i;

	for (i = 0; i < SEEN_BUCKETS; i++) {
		long long t = cmd_ll(f, "TTL " K("seen:%s:%02x"), ym, i);

		if (t == -2)            /* no such bucket */
			continue;
		assert_in_range(t, lo, hi);
	}
}

/*
 * Ids: counted once per month across commits and within one batch; seen
 * buckets hold 64-bit integers (intsets) and expire window_days after
 * their last write; a bucket with old and new ids of several (day, field)
 * groups tells them apart.
 */
static void
test_dedup(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo dig = combo_of(f->cfg, "case.opened", "digital");
	struct combo ph = combo_of(f->cfg, "case.opened", "phone");
	const long long window = 3660LL * 86400;
	uint8_t raw[16] = "case-w";
	unsigned bucket;
	int64_t member;
	redisReply *r;

	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_event(&b, dig, day(2026, 3, 5), "case-x");
	add_event(&b, dig, day(2026, 3, 5), "case-y");
	add_event(&b, ph, day(2026, 3, 6), "case-z");
	add_event(&b, dig, day(2026, 3, 5), "case-x");         /* again in the same batch */
	add_n(&b, ph, day(2026, 3, 6), 2);                  /* no id: always counted */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "case.opened|channel=digital", "2");
	assert_hget(f, K("month:2026-03"), "case.opened|channel=phone", "3");
	assert_hget(f, K("day:2026-03-05"), "case.opened|channel=digital", "2");
	assert_hget(f, K("stats"), "duplicates", "1");
	assert_hget(f, K("stats"), "events", "5");
	assert_int_equal(seen_count(f, "2026-03"), 3);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("seen-scratch")), 0);

	batch_clear(&b);
	add_event(&b, dig, day(2026, 3, 20), "case-y");         /* seen in March already */
	add_event(&b, dig, day(2026, 3, 20), "case-w");
	add_event(&b, dig, day(2026, 4, 1), "case-x");          /* another month: its own set */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "case.opened|channel=digital", "3");
	assert_hget(f, K("day:2026-03-20"), "case.opened|channel=digital", "1");
	assert_hget(f, K("month:2026-04"), "case.opened|channel=digital", "1");
	assert_hget(f, K("stats"), "duplicates", "2");
	assert_hget(f, K("stats"), "events", "7");
	assert_int_equal(seen_count(f, "2026-03"), 4);
	assert_int_equal(seen_count(f, "2026-04"), 1);
	seen_slot(raw, &bucket, &member);
	assert_int_equal(cmd_ll(f, "SISMEMBER " K("seen:2026-03:%02x") " %lld", bucket,
	    (long long)member), 1);
	r = cmd(f, "OBJECT ENCODING " K("seen:2026-03:%02x"), bucket);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_string_equal(r->str, "intset");  /* 8 bytes an id */
	freeReplyObject(r);

	/* window_days (3660) from now, for March (written twice) and April alike */
	assert_seen_ttls(f, "2026-03", window - 60, window);
	assert_seen_ttls(f, "2026-04", window - 60, window);

	/*
	 * One bucket (these short ids all hash to bucket 00: byte 8 is 0),
	 * old and new ids in two groups: the new ones of each group count.
	 */
	batch_clear(&b);
	add_event(&b, dig, day(2026, 3, 21), "case-x");         /* old */
	add_event(&b, dig, day(2026, 3, 21), "case-v");         /* new */
	add_event(&b, ph, day(2026, 3, 22), "case-u");          /* new */
	add_event(&b, ph, day(2026, 3, 22), "case-t");          /* new */
	add_event(&b, ph, day(2026, 3, 22), "case-z");          /* old */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("day:2026-03-21"), "case.opened|channel=digital", "1");
	assert_hget(f, K("day:2026-03-22"), "case.opened|channel=phone", "2");
	assert_hget(f, K("month:2026-03"), "case.opened|channel=digital", "4");
	assert_hget(f, K("month:2026-03"), "case.opened|channel=phone", "5");
	assert_hget(f, K("stats"), "duplicates", "4");
	assert_hget(f, K("stats"), "events", "10");
	assert_int_equal(seen_count(f, "2026-03"), 7);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("seen-scratch")), 0);

	/* the same, all old now: nothing counts */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "case.opened|channel=digital", "4");
	assert_hget(f, K("month:2026-03"), "case.opened|channel=phone", "5");
	assert_hget(f, K("stats"), "duplicates", "9");
	batch_done(&b);
}

/* Dead letters: fields as specified, the stream trimmed to about maxlen. */
static void
test_deadletters(void **state)
{
	struct fx *f = *state;
	struct batch b;
	redisReply *r, *e;
	long long len;
	int i, j;

	open_store(f);
	assert_int_equal(batch_init(&b, 1000, 50), 0);
	for (i = 0; i < 10; i++) {
		batch_clear(&b);
		for (j = 0; j < 60; j++)       /* 50 kept per batch, 10 only counted */
			batch_reject(&b, 1, REJ_JSON, (uint64_t)(i * 60 + j + 1),
			    "/var/log/eservice/cases.jsonl", "not one JSON object");
		assert_int_equal(commit(f, &b), 0);
	}
	assert_hget(f, K("rejects:cases"), "bad_json", "600");
	len = cmd_ll(f, "XLEN %s", K("deadletter"));
	/* MAXLEN ~ 10 trims whole stream nodes (100 entries each) */
	assert_true(len >= 10 && len <= 110);
	r = cmd(f, "XREVRANGE %s + - COUNT 1", K("deadletter"));
	assert_int_equal(r->type, REDIS_REPLY_ARRAY);
	assert_int_equal(r->elements, 1);
	e = r->element[0]->element[1];
	assert_int_equal(e->elements, 10);
	assert_string_equal(e->element[0]->str, "feed");
	assert_string_equal(e->element[1]->str, "cases");
	assert_string_equal(e->element[2]->str, "file");
	assert_string_equal(e->element[3]->str, "/var/log/eservice/cases.jsonl");
	assert_string_equal(e->element[4]->str, "line");
	assert_string_equal(e->element[5]->str, "590");
	assert_string_equal(e->element[6]->str, "reason");
	assert_string_equal(e->element[7]->str, "bad_json");
	assert_string_equal(e->element[8]->str, "detail");
	assert_string_equal(e->element[9]->str, "not one JSON object");
	freeReplyObject(r);
	batch_done(&b);
}

/* Indicator hashes: mean of months, pooled, growth, previous year, rolling. */
static void
test_indicators(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct combo full = combo_of(f->cfg, "call.full", "phone");
	struct combo dig = combo_of(f->cfg, "case.opened", "digital");
	struct combo ph = combo_of(f->cfg, "case.opened", "phone");
	char buf[64];

	open_store(f);
	assert_int_equal(batch_init(&b, 10000, 0), 0);
	/* last year: 40 digital of 100 cases in March */
	add_n(&b, dig, day(2025, 3, 10), 40);
	add_n(&b, ph, day(2025, 3, 11), 60);
	assert_int_equal(commit(f, &b), 0);

	/* this year: TeleQ 90 %, 73 %, 66 % (the seed's Q1 2026); 66 of 120 cases digital */
	batch_clear(&b);
	add_n(&b, booked, day(2026, 1, 7), 90);
	add_n(&b, full, day(2026, 1, 8), 10);
	add_n(&b, booked, day(2026, 2, 2), 73);
	add_n(&b, full, day(2026, 2, 27), 27);
	add_n(&b, booked, day(2026, 3, 2), 60);
	add_n(&b, booked, day(2026, 3, 31), 6);
	add_n(&b, full, day(2026, 3, 3), 34);
	add_n(&b, dig, day(2026, 3, 4), 66);
	add_n(&b, ph, day(2026, 3, 5), 54);
	assert_int_equal(commit(f, &b), 0);

	assert_true(wait_hget(f, K("ind:growth:2026-03"), "numerator", "120", 5000));
	assert_true(wait_hget(f, K("ind:booked:2026-Q1"), "value", "0.7633", 5000));
	spin(f, 100);

	assert_hget(f, K("ind:booked:2026-01"), "value", "0.9000");
	assert_hget(f, K("ind:booked:2026-01"), "numerator", "90");
	assert_hget(f, K("ind:booked:2026-01"), "denominator", "100");
	assert_hget(f, K("ind:booked:2026-01"), "met", "1");
	assert_hget(f, K("ind:booked:2026-01"), "indicator", "booked");
	assert_hget(f, K("ind:booked:2026-01"), "title", "Andel bokade");
	assert_hget(f, K("ind:booked:2026-01"), "period", "2026-01");
	assert_hget(f, K("ind:booked:2026-01"), "kind", "ratio");
	assert_hget(f, K("ind:booked:2026-01"), "combine", "mean_of_months");
	assert_hget(f, K("ind:booked:2026-01"), "target", "0.7500");
	assert_hget(f, K("ind:booked:2026-01"), "cmp", ">=");
	assert_hget(f, K("ind:booked:2026-01"), "prev_value", "");
	assert_hget(f, K("ind:booked:2026-01"), "prev_met", "");
	assert_hget(f, K("ind:booked:2026-02"), "value", "0.7300");
	assert_hget(f, K("ind:booked:2026-02"), "met", "0");
	assert_hget(f, K("ind:booked:2026-03"), "value", "0.6600");
	/* (90 + 73 + 66) / 3 = 76 %: met, though the pooled 229/300 is the same here */
	assert_hget(f, K("ind:booked:2026-Q1"), "numerator", "229");
	assert_hget(f, K("ind:booked:2026-Q1"), "denominator", "300");
	assert_hget(f, K("ind:booked:2026-Q1"), "months", "3");
	assert_hget(f, K("ind:booked:2026-Q1"), "met", "1");
	assert_hget(f, K("ind:booked:2026-H1"), "value", "0.7633");
	assert_hget(f, K("ind:booked:2026"), "value", "0.7633");

	/* 66/120 = 0.55 exactly meets ">= 55 %"; last year 40/100 */
	assert_hget(f, K("ind:digital:2026-03"), "value", "0.5500");
	assert_hget(f, K("ind:digital:2026-03"), "met", "1");
	assert_hget(f, K("ind:digital:2026-03"), "combine", "pooled");
	assert_hget(f, K("ind:digital:2026-03"), "prev_numerator", "40");
	assert_hget(f, K("ind:digital:2026-03"), "prev_denominator", "100");
	assert_hget(f, K("ind:digital:2026-03"), "prev_value", "0.4000");
	assert_hget(f, K("ind:digital:2026-03"), "prev_met", "0");
	assert_hget(f, K("ind:digital:2026-Q1"), "value", "0.5500");

	/* growth: 120 against 100 a year earlier */
	assert_hget(f, K("ind:growth:2026-03"), "value", "0.2000");
	assert_hget(f, K("ind:growth:2026-03"), "denominator", "100");
	assert_hget(f, K("ind:growth:2026-03"), "met", "1");
	assert_hget(f, K("ind:growth:2026-03"), "kind", "growth");
	assert_hget(f, K("ind:growth:2026-03"), "target", "0.0500");
	assert_hget(f, K("ind:growth:2026-03"), "cmp", ">");
	assert_hget(f, K("ind:growth:2026-03"), "prev_numerator", "100");
	assert_hget(f, K("ind:growth:2026-03"), "prev_value", "");
	/* last year's own hash, computed when its month was committed */
	assert_hget(f, K("ind:digital:2025-03"), "value", "0.4000");

	/* rolling exists for every indicator, with its name */
	assert_hget(f, K("ind:booked:rolling"), "period", "rolling");
	assert_true(cmd_ll(f, "HGET %s updated", K("ind:booked:rolling")) > 1700000000LL);
	hget(f, K("ind:booked:rolling"), "value", buf, sizeof(buf));
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("ind:growth:rolling")), 1);
	batch_done(&b);
}

/*
 * An indicator hash whose values did not change is not written again
 * (within WCACHE_REFRESH_MS, 60 s): a hash deleted behind the store's back
 * stays deleted while commits touch only other indicators, comes back
 * when its own values change, and every hash is written again after a
 * reconnect.
 */
static void
test_unchanged_not_rewritten(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct combo full = combo_of(f->cfg, "call.full", "phone");
	struct combo dig = combo_of(f->cfg, "case.opened", "digital");

	open_store(f);
	assert_int_equal(batch_init(&b, 1000, 0), 0);
	add_n(&b, booked, day(2026, 3, 2), 3);
	add_n(&b, full, day(2026, 3, 3), 1);
	add_n(&b, dig, day(2026, 3, 4), 2);
	assert_int_equal(commit(f, &b), 0);
	assert_true(wait_hget(f, K("ind:booked:2026-03"), "numerator", "3", 5000));
	assert_true(wait_hget(f, K("ind:digital:2026-03"), "numerator", "2", 5000));
	spin(f, 100);

	/* gone behind the store's back; a commit of other events recomputes March */
	assert_int_equal(cmd_ll(f, "DEL %s %s", K("ind:booked:2026-03"), K("ind:booked:2026-Q1")), 2);
	batch_clear(&b);
	add_n(&b, dig, day(2026, 3, 5), 1);
	assert_int_equal(commit(f, &b), 0);
	assert_true(wait_hget(f, K("ind:digital:2026-03"), "numerator", "3", 5000));
	spin(f, 200);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("ind:booked:2026-03")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("ind:booked:2026-Q1")), 0);
	/* the same transaction wrote what changed: the quarter of "digital" */
	assert_hget(f, K("ind:digital:2026-Q1"), "numerator", "3");

	/* its own values change: written */
	batch_clear(&b);
	add_n(&b, booked, day(2026, 3, 6), 1);
	assert_int_equal(commit(f, &b), 0);
	assert_true(wait_hget(f, K("ind:booked:2026-03"), "numerator", "4", 5000));
	assert_hget(f, K("ind:booked:2026-03"), "denominator", "5");
	assert_true(wait_hget(f, K("ind:booked:2026-Q1"), "numerator", "4", 5000));

	/* a new connection writes every hash again (when March is among the
	 * last 13 months the store recomputes at each connection) */
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if ((tm.tm_year + 1900) * 12 + tm.tm_mon - (2026 * 12 + 2) <= 12) {
		spin(f, 100);
		assert_int_equal(cmd_ll(f, "DEL %s", K("ind:digital:2026-03")), 1);
		assert_true(cmd_ll(f, "CLIENT KILL TYPE normal SKIPME yes") >= 1);
		assert_true(wait_count(f, &f->ready, 2, 5000));
		assert_true(wait_hget(f, K("ind:digital:2026-03"), "numerator", "3", 5000));
	}
	batch_done(&b);
}

/* pipeline_recompute_all: periods of this and last year, none in the future. */
static void
test_recompute_all(void **state)
{
	struct fx *f = *state;
	time_t now = time(NULL);
	struct tm tm;
	char key[128], next[128];
	int y;

	localtime_r(&now, &tm);
	y = tm.tm_year + 1900 - 1;
	freeReplyObject(cmd(f, "HSET %s:month:%d-06 call.booked|channel=phone 3 "
	    "call.full|channel=phone 1", "t:{tq}", y));
	open_store(f);
	pipeline_recompute_all(f->pl);
	snprintf(key, sizeof(key), K("ind:booked:%d-06"), y);
	assert_true(wait_hget(f, key, "value", "0.7500", 5000));
	snprintf(key, sizeof(key), K("ind:booked:%d-Q2"), y);
	assert_true(wait_hget(f, key, "value", "0.7500", 5000));
	snprintf(key, sizeof(key), K("ind:booked:%d-01"), y);
	assert_true(wait_hget(f, key, "value", "", 5000));
	snprintf(key, sizeof(key), K("ind:booked:%d"), y + 1);
	assert_true(wait_hget(f, key, "period", key + strlen(K("ind:booked:")), 5000));
	spin(f, 100);
	if (tm.tm_mon < 11) {
		snprintf(next, sizeof(next), K("ind:booked:%d-%02d"), y + 1, tm.tm_mon + 2);
		assert_int_equal(cmd_ll(f, "EXISTS %s", next), 0);
	}
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("ind:digital:rolling")), 1);
}

/* A killed connection: the commit in flight fails, down, reconnect, ready again. */
static void
test_connection_killed(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct file_pos p = fpos(0, 1, 2, 100, 10, "/x");

	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, booked, day(2026, 3, 1), 4);
	assert_int_equal(batch_position(&b, &p), 0);
	/* queued only: hiredis writes when the loop runs, after the kill */
	assert_int_equal(store_commit(f->st, &b, on_done, f), 0);
	assert_true(cmd_ll(f, "CLIENT KILL TYPE normal SKIPME yes") >= 1);
	assert_true(wait_count(f, &f->done, 1, 5000));
	assert_int_equal(f->status, -EIO);
	assert_true(wait_count(f, &f->down, 1, 5000));
	assert_false(store_connected(f->st));
	assert_int_equal(store_commit(f->st, &b, on_done, f), -ENOTCONN);
	assert_true(wait_count(f, &f->ready, 2, 5000));
	assert_int_equal(f->down, 1);
	assert_int_equal(f->npos, 0);           /* the lost commit did not apply */
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("month:2026-03")), 0);

	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "4");

	/* and once more, with the connection idle */
	assert_true(cmd_ll(f, "CLIENT KILL TYPE normal SKIPME yes") >= 1);
	assert_true(wait_count(f, &f->down, 2, 5000));
	assert_true(wait_count(f, &f->ready, 3, 5000));
	assert_int_equal(f->npos, 1);
	assert_int_equal(f->pos[0].offset, 100);
	assert_int_equal(f->done, 2);
	batch_done(&b);
}

/* A commit from a superseded connection (older epoch) is refused whole. */
static void
test_fenced(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	long long epoch;

	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, booked, day(2026, 3, 1), 4);
	/* as if another connection had read the positions since */
	epoch = cmd_ll(f, "HINCRBY %s epoch 1", K("stats"));
	assert_int_equal(commit(f, &b), -EIO);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("month:2026-03")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("day:2026-03-01")), 0);
	/* refused commit: reconnect, so the caller rewinds to what Redis holds */
	assert_true(wait_count(f, &f->down, 1, 5000));
	assert_true(wait_count(f, &f->ready, 2, 5000));
	assert_int_equal(cmd_ll(f, "HGET %s epoch", K("stats")), epoch + 1);
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "4");
	batch_done(&b);
}

/* A key of the wrong type or a non-integer counter: refused before any write. */
static void
test_refused_whole(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct file_pos p = fpos(0, 1, 2, 100, 10, "/x");

	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, booked, day(2026, 3, 1), 4);
	add_n(&b, booked, day(2026, 3, 2), 1);
	batch_reject(&b, 0, REJ_TIME, 3, "/x", "bad time");
	assert_int_equal(batch_position(&b, &p), 0);
	freeReplyObject(cmd(f, "SET %s oops", K("day:2026-03-02")));
	assert_int_equal(commit(f, &b), -EIO);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("day:2026-03-01")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("month:2026-03")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("files")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("rejects:calls")), 0);
	assert_true(wait_count(f, &f->ready, 2, 5000));

	freeReplyObject(cmd(f, "DEL %s", K("day:2026-03-02")));
	freeReplyObject(cmd(f, "HSET %s call.booked|channel=phone 1x", K("month:2026-03")));
	assert_int_equal(commit(f, &b), -EIO);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("day:2026-03-01")), 0);
	assert_true(wait_count(f, &f->ready, 3, 5000));

	freeReplyObject(cmd(f, "HSET %s call.booked|channel=phone 10", K("month:2026-03")));
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "15");
	assert_hget(f, K("rejects:calls"), "bad_time", "1");
	batch_done(&b);
}

/* Not ready: -ENOTCONN. STORE_INFLIGHT_MAX (2) commits at a time, then -EBUSY. */
static void
test_busy_notconn(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");

	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, booked, day(2026, 3, 1), 1);
	assert_int_equal(new_store(f, &sink), 0);
	assert_false(store_connected(f->st));
	assert_int_equal(store_commit(f->st, &b, on_done, f), -ENOTCONN);
	assert_true(wait_count(f, &f->ready, 1, 5000));
	assert_int_equal(store_commit(f->st, &b, on_done, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done, f), -EBUSY);
	assert_true(wait_count(f, &f->done, 2, 5000));
	assert_int_equal(f->status, 0);
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "2");
	/* freed with commits in flight: done is not called */
	assert_int_equal(store_commit(f->st, &b, on_done, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done, f), 0);
	free_store(f);
	spin(f, 50);
	assert_int_equal(f->done, 2);
	batch_done(&b);
}

/*
 * Two commits in flight are applied in order, each with its positions;
 * done runs in the order of the commits and "commits" counts both.
 */
static void
test_pipelined(void **state)
{
	struct fx *f = *state;
	struct batch a, b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct file_pos pa = fpos(0, 1, 2, 100, 10, "/x"), pb = fpos(0, 1, 2, 250, 25, "/x");

	open_store(f);
	assert_int_equal(batch_init(&a, 100, 0), 0);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&a, booked, day(2026, 3, 1), 3);
	add_event(&a, booked, day(2026, 3, 1), "id-1");
	assert_int_equal(batch_position(&a, &pa), 0);
	add_n(&b, booked, day(2026, 3, 2), 5);
	add_event(&b, booked, day(2026, 3, 2), "id-1");     /* a duplicate of a's, across commits */
	assert_int_equal(batch_position(&b, &pb), 0);
	assert_int_equal(store_commit(f->st, &a, on_done_a, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done_b, f), 0);
	assert_true(wait_count(f, &f->done, 2, 10000));
	assert_string_equal(f->order, "a0b0");
	assert_hget(f, K("day:2026-03-01"), "call.booked|channel=phone", "4");
	assert_hget(f, K("day:2026-03-02"), "call.booked|channel=phone", "5");
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "9");
	assert_hget(f, K("stats"), "commits", "2");
	assert_hget(f, K("stats"), "duplicates", "1");
	assert_int_equal(cmd_ll(f, "HLEN %s", K("files")), 1);
	{
		char buf[512];

		hget(f, K("files"), "calls:1:2", buf, sizeof(buf));
		assert_true(strncmp(buf, "250 25 ", 7) == 0);
	}
	batch_done(&a);
	batch_done(&b);
}

/*
 * The first of two commits in flight is refused: the second, valid on its
 * own, is refused by its sequence and writes nothing (its positions would
 * skip the first one's data). Both dones fail, in order; the store
 * reconnects and the same two commits then land.
 */
static void
test_pipelined_refused(void **state)
{
	struct fx *f = *state;
	struct batch a, b;
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct file_pos pa = fpos(0, 1, 2, 100, 10, "/x"), pb = fpos(0, 1, 2, 250, 25, "/x");

	open_store(f);
	assert_int_equal(batch_init(&a, 100, 0), 0);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&a, booked, day(2026, 3, 1), 3);
	assert_int_equal(batch_position(&a, &pa), 0);
	add_n(&b, booked, day(2026, 4, 2), 5);
	assert_int_equal(batch_position(&b, &pb), 0);
	freeReplyObject(cmd(f, "SET %s oops", K("day:2026-03-01")));      /* a is refused */
	assert_int_equal(store_commit(f->st, &a, on_done_a, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done_b, f), 0);
	assert_true(wait_count(f, &f->done, 2, 10000));
	assert_string_equal(f->order, "aEbE");
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("day:2026-04-02")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("month:2026-04")), 0);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("files")), 0);
	assert_int_equal(cmd_ll(f, "HEXISTS %s commits", K("stats")), 0);
	/* refused: the store reconnects, so the caller rewinds */
	assert_true(wait_count(f, &f->ready, 2, 5000));
	freeReplyObject(cmd(f, "DEL %s", K("day:2026-03-01")));
	memset(f->order, 0, sizeof(f->order));
	assert_int_equal(store_commit(f->st, &a, on_done_a, f), 0);
	assert_int_equal(store_commit(f->st, &b, on_done_b, f), 0);
	assert_true(wait_count(f, &f->done, 4, 10000));
	assert_string_equal(f->order, "a0b0");
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "3");
	assert_hget(f, K("month:2026-04"), "call.booked|channel=phone", "5");
	assert_hget(f, K("stats"), "commits", "2");
	batch_done(&a);
	batch_done(&b);
}

/*
 * Deadline indicators: a commit stores case states (and deletes one) and
 * changes the month counters deadline:<name>|met|missed|pending, negative
 * deltas included; the next handshake hands the states back.
 */
static void
test_case_states(void **state)
{
	struct fx *f = *state;
	struct batch b;
	struct cohort_delta d1 = { .met = 0, .missed = 0, .pending = 1 };
	struct cohort_delta d2 = { .met = 1, .missed = 0, .pending = -1 };
	uint8_t id[16], id2[16];
	char want[40];
	int ind = -1;

	for (size_t i = 0; i < f->cfg->nindicators; i++)
		if (f->cfg->indicators[i].kind == IND_DEADLINE)
			ind = (int)i;
	assert_true(ind >= 0);
	memset(id, 0xab, sizeof(id));
	memset(id2, 0x01, sizeof(id2));
	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	assert_int_equal(batch_cdelta(&b, (uint16_t)ind, 2026 * 12 + 2, &d1), 0);
	assert_int_equal(batch_case(&b, (uint16_t)ind, id, "s=1 p=- d=2"), 0);
	assert_int_equal(batch_case(&b, (uint16_t)ind, id2, "x"), 0);
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "deadline:confirmed_24h|pending", "1");
	batch_clear(&b);
	assert_int_equal(batch_cdelta(&b, (uint16_t)ind, 2026 * 12 + 2, &d2), 0);
	assert_int_equal(batch_case(&b, (uint16_t)ind, id2, ""), 0);         /* deleted */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "deadline:confirmed_24h|pending", "0");
	assert_hget(f, K("month:2026-03"), "deadline:confirmed_24h|met", "1");
	assert_int_equal(cmd_ll(f, "HLEN %s", K("cases:confirmed_24h")), 1);
	assert_hget(f, K("cases:confirmed_24h"), "klklklklklklklklklklklklklklklkl", "s=1 p=- d=2");
	/* a new connection reads them back */
	free_store(f);
	open_store(f);
	assert_int_equal(f->ncases, 1);
	snprintf(want, sizeof(want), "%s", "klklklklklklklklklklklklklklklkl");
	assert_string_equal(f->case_field, want);
	assert_string_equal(f->case_text, "s=1 p=- d=2");
	batch_done(&b);
}

/* Redis not there at start: retried with backoff until it appears. */
static void
test_retry_until_up(void **state)
{
	struct fx *f = *state;
	char sock[256], addr[300];
	pid_t pid;
	redisContext *c;

	snprintf(sock, sizeof(sock), "%s/late.sock", g_dir);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	config_free(f->cfg);
	f->cfg = make_cfg(f, addr, "t:", NULL);
	assert_int_equal(new_store(f, &sink), 0);
	spin(f, 400);
	assert_int_equal(f->ready, 0);
	assert_false(store_connected(f->st));
	pid = spawn_redis(sock, 0, NULL);
	c = sync_connect(sock, 0);
	assert_non_null(c);
	assert_true(wait_count(f, &f->ready, 1, 8000));
	assert_int_equal(f->down, 0);
	free_store(f);
	redisFree(c);
	stop_redis(pid);
}

/* Writes a password file with mode. */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Password file: refused when others may read it; AUTH and SELECT when fine. */
static void
test_password_and_db(void **state)
{
	struct fx *f = *state;
	char sock[256], addr[300], pwf[256], extra[512];
	const char *args[] = { "--requirepass", "s3cret pass", NULL };
	struct combo booked;
	struct batch b;
	struct store *st2 = NULL;
	redisContext *c;
	redisReply *r;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/auth.sock", g_dir);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	snprintf(pwf, sizeof(pwf), "%s/redis.pass", g_dir);
	snprintf(extra, sizeof(extra), "  password_file: %s\n  db: 3\n", pwf);
	pid = spawn_redis(sock, 0, args);
	c = sync_connect(sock, 0);
	assert_non_null(c);
	config_free(f->cfg);
	f->cfg = make_cfg(f, addr, "t:", extra);
	booked = combo_of(f->cfg, "call.booked", "phone");

	write_file(pwf, "s3cret pass\n", 0644);
	assert_int_equal(store_new(f->base, f->cfg, NULL, &sink, f, &st2), -EPERM);
	write_file(pwf, "s3cret pass\n", 0640);
	open_store(f);

	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, booked, day(2026, 3, 1), 2);
	assert_int_equal(commit(f, &b), 0);
	r = redisCommand(c, "AUTH %s", "s3cret pass");
	freeReplyObject(r);
	r = redisCommand(c, "SELECT 3");
	freeReplyObject(r);
	r = redisCommand(c, "HGET %s %s", K("month:2026-03"), "call.booked|channel=phone");
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_string_equal(r->str, "2");
	freeReplyObject(r);
	free_store(f);

	/* a wrong password: never ready, keeps retrying quietly */
	write_file(pwf, "wrong\n", 0600);
	assert_int_equal(new_store(f, &sink), 0);
	spin(f, 500);
	assert_int_equal(f->ready, 1);
	assert_false(store_connected(f->st));
	free_store(f);
	batch_done(&b);
	redisFree(c);
	stop_redis(pid);
}

/* TCP address host:port. */
static void
test_tcp(void **state)
{
	struct fx *f = *state;
	char addr[64];
	int port = free_port();
	struct batch b;
	redisContext *c;
	redisReply *r;
	pid_t pid = spawn_redis(NULL, port, NULL);

	c = sync_connect(NULL, port);
	assert_non_null(c);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	config_free(f->cfg);
	f->cfg = make_cfg(f, addr, "t:", NULL);
	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, combo_of(f->cfg, "call.full", "phone"), day(2026, 3, 1), 3);
	assert_int_equal(commit(f, &b), 0);
	r = redisCommand(c, "HGET %s %s", K("day:2026-03-01"), "call.full|channel=phone");
	assert_non_null(r);
	assert_string_equal(r->str, "3");
	freeReplyObject(r);
	free_store(f);
	batch_done(&b);
	redisFree(c);
	stop_redis(pid);
}

/* Reconfigure: same settings keep the connection; a new key prefix reconnects. */
static void
test_reconfigure(void **state)
{
	struct fx *f = *state;
	struct config *same, *moved;
	struct batch b;
	struct file_pos p = fpos(0, 1, 2, 100, 10, "/x");

	open_store(f);
	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, combo_of(f->cfg, "call.booked", "phone"), day(2026, 3, 1), 1);
	assert_int_equal(batch_position(&b, &p), 0);
	assert_int_equal(commit(f, &b), 0);

	same = make_cfg(f, g_addr, "t:", NULL);
	assert_int_equal(store_reconfigure(f->st, same), 0);
	config_free(f->cfg);
	f->cfg = same;
	spin(f, 50);
	assert_int_equal(f->down, 0);
	assert_int_equal(f->ready, 1);
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "2");

	moved = make_cfg(f, g_addr, "u:", NULL);
	assert_int_equal(store_reconfigure(f->st, moved), 0);
	config_free(f->cfg);
	f->cfg = moved;
	assert_true(wait_count(f, &f->ready, 2, 5000));
	assert_int_equal(f->down, 1);
	assert_int_equal(f->npos, 0);           /* nothing committed under u: yet */
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, "u:{tq}:month:2026-03", "call.booked|channel=phone", "1");
	assert_hget(f, K("month:2026-03"), "call.booked|channel=phone", "2");
	batch_done(&b);
}

/* Sink callbacks that free the store from inside (f->free_in names which one). */
/* Frees the fixture's store (from inside a callback). */
static void
free_store_now(struct fx *f)
{
	free_store(f);
}

/* sink variants that free the store when f->free_in says so. */
static void
on_ready_free(void *arg, const struct file_pos *pos, size_t n, const struct stored_case *cases,
              size_t ncases)
{
	struct fx *f = arg;

	on_ready(arg, pos, n, cases, ncases);
	if (f->free_in == 'r')
		free_store_now(f);
}

static void
on_down_free(void *arg)
{
	struct fx *f = arg;

	on_down(arg);
	if (f->free_in == 'D')
		free_store_now(f);
}

static void
on_done_free(void *arg, int status)
{
	struct fx *f = arg;

	on_done(arg, status);
	if (f->free_in == 'd')
		free_store_now(f);
}

static const struct store_sink free_sink = { .ready = on_ready_free, .down = on_down_free };

/* store_free from inside ready, done (applied and failed) and down: nothing used after free. */
static void
test_free_in_callbacks(void **state)
{
	struct fx *f = *state;
	struct batch b;

	assert_int_equal(batch_init(&b, 100, 0), 0);
	add_n(&b, combo_of(f->cfg, "call.booked", "phone"), day(2026, 3, 1), 1);

	/* inside ready */
	f->free_in = 'r';
	assert_int_equal(new_store(f, &free_sink), 0);
	assert_true(wait_count(f, &f->ready, 1, 5000));
	assert_null(f->st);
	spin(f, 50);

	/* inside done, after an applied commit (a recompute is queued behind it) */
	f->free_in = 'd';
	assert_int_equal(new_store(f, &free_sink), 0);
	assert_true(wait_count(f, &f->ready, 2, 5000));
	assert_int_equal(store_commit(f->st, &b, on_done_free, f), 0);
	assert_true(wait_count(f, &f->done, 1, 5000));
	assert_int_equal(f->status, 0);
	assert_null(f->st);
	spin(f, 50);

	/* inside done(-EIO), while hiredis is tearing the killed connection down */
	assert_int_equal(new_store(f, &free_sink), 0);
	assert_true(wait_count(f, &f->ready, 3, 5000));
	assert_int_equal(store_commit(f->st, &b, on_done_free, f), 0);
	assert_true(cmd_ll(f, "CLIENT KILL TYPE normal SKIPME yes") >= 1);
	assert_true(wait_count(f, &f->done, 2, 5000));
	assert_int_equal(f->status, -EIO);
	assert_null(f->st);
	spin(f, 200);
	assert_int_equal(f->down, 0);           /* freed first: nobody to tell */

	/* inside down */
	f->free_in = 'D';
	assert_int_equal(new_store(f, &free_sink), 0);
	assert_true(wait_count(f, &f->ready, 4, 5000));
	pipeline_recompute_all(f->pl);             /* replies in flight while it dies */
	assert_true(cmd_ll(f, "CLIENT KILL TYPE normal SKIPME yes") >= 1);
	assert_true(wait_count(f, &f->down, 1, 5000));
	assert_null(f->st);
	spin(f, 300);
	assert_int_equal(f->ready, 4);
	batch_done(&b);
}

/* A server that accepts but never answers: the handshake times out, the next attempt works. */
static void
test_handshake_timeout(void **state)
{
	struct fx *f = *state;
	char sock[256], addr[300];
	redisContext *c;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/stopped.sock", g_dir);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	pid = spawn_redis(sock, 0, NULL);
	c = sync_connect(sock, 0);
	assert_non_null(c);
	redisFree(c);
	kill(pid, SIGSTOP);
	config_free(f->cfg);
	f->cfg = make_cfg(f, addr, "t:", NULL);
	assert_int_equal(new_store(f, &sink), 0);
	spin(f, 10500);                         /* CONNECT_TIMEOUT_MS is 10 s */
	assert_int_equal(f->ready, 0);
	kill(pid, SIGCONT);
	assert_true(wait_count(f, &f->ready, 1, 8000));
	assert_int_equal(f->down, 0);
	free_store(f);
	stop_redis(pid);
}

/* Latency of large commits (printed, not judged): 10,000 counts, 10,000 ids. */
static void
test_large_commits(void **state)
{
	struct fx *f = *state;
	struct batch b;
	const char *ev[] = { "call.booked", "call.full" };
	const char *ch = "phone";
	int64_t t0, t1, first = day(2025, 1, 1);
	int n = 0, i;
	char id[32];        /* 15 characters are written; room for any int the compiler fears */

	open_store(f);
	assert_int_equal(batch_init(&b, 20000, 0), 0);
	/* 2 event kinds x 5000 days = 10,000 distinct (day, combo) counters */
	for (i = 0; i < 5000; i++)
		for (int e = 0; e < 2; e++, n++)
			add_n(&b, combo_of(f->cfg, ev[e], ch), first + i, 1 + (i % 3));
	assert_int_equal(b.ncounts, 10000);
	t0 = mono_ms();
	assert_int_equal(commit(f, &b), 0);
	t1 = mono_ms();
	print_message("commit of 10,000 counts over %d days: %" PRId64 " ms\n", 5000, t1 - t0);
	assert_int_equal(cmd_ll(f, "HLEN %s", K("day:2025-01-01")), 2);

	batch_clear(&b);
	for (i = 0; i < 10000; i++) {
		/* bytes 0-7 (the member) distinct, byte 8 (the bucket) one of 26, as
		 * a keyed hash would spread them (the text is the hash here) */
		snprintf(id, sizeof(id), "%08d%c%06d", i, 'a' + i % 26, i);
		add_event(&b, combo_of(f->cfg, "case.opened", i % 2 ? "digital" : "phone"),
		    day(2026, 3, 1 + i % 28), id);
	}
	t0 = mono_ms();
	assert_int_equal(commit(f, &b), 0);
	t1 = mono_ms();
	print_message("commit of 10,000 id events (new): %" PRId64 " ms\n", t1 - t0);
	t0 = mono_ms();
	assert_int_equal(commit(f, &b), 0);
	t1 = mono_ms();
	print_message("commit of 10,000 id events (all duplicates): %" PRId64 " ms\n", t1 - t0);
	assert_hget(f, K("month:2026-03"), "case.opened|channel=digital", "5000");
	assert_hget(f, K("stats"), "duplicates", "10000");
	assert_int_equal(seen_count(f, "2026-03"), 10000);

	/*
	 * A bucket past 512 members (a hash table: asked member by member, not
	 * copied): 600 ids in bucket 'Z', then old and new ids of two groups.
	 */
	batch_clear(&b);
	for (i = 0; i < 600; i++) {
		snprintf(id, sizeof(id), "%08dZbig", i);
		add_event(&b, combo_of(f->cfg, "case.opened", "digital"), day(2026, 5, 1), id);
	}
	assert_int_equal(commit(f, &b), 0);
	assert_int_equal(cmd_ll(f, "SCARD " K("seen:2026-05:%02x"), 'Z'), 600);
	batch_clear(&b);
	for (i = 595; i < 605; i++) {           /* 5 old and 5 new, then 10 new */
		snprintf(id, sizeof(id), "%08dZbig", i);
		add_event(&b, combo_of(f->cfg, "case.opened", "digital"), day(2026, 5, 2), id);
		snprintf(id, sizeof(id), "%08dZbig", i + 10);
		add_event(&b, combo_of(f->cfg, "case.opened", "phone"), day(2026, 5, 3), id);
	}
	assert_int_equal(commit(f, &b), 0);
	assert_hget(f, K("day:2026-05-02"), "case.opened|channel=digital", "5");
	assert_hget(f, K("day:2026-05-03"), "case.opened|channel=phone", "10");
	assert_int_equal(cmd_ll(f, "SCARD " K("seen:2026-05:%02x"), 'Z'), 615);
	assert_int_equal(cmd_ll(f, "EXISTS %s", K("seen-scratch")), 0);
	batch_done(&b);
}

/* -------------------------------------------------------------- the group */

/* Once: the temp dir, and the shared redis-server (ours unless the harness gave one). */
static int
group_setup(void **state)
{
	const char *env = getenv("TELEQ_TEST_REDIS");
	char tmpl[] = "/tmp/itest_store.XXXXXX";
	redisContext *c;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	log_init(getenv("TELEQ_TEST_VERBOSE") ? 1 : 0, false);
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(g_dir, sizeof(g_dir), "%s", tmpl);
	if (env && !strncmp(env, "unix:", 5)) {
		snprintf(g_addr, sizeof(g_addr), "%s", env);
		snprintf(g_sock, sizeof(g_sock), "%s", env + 5);
	} else {
		snprintf(g_sock, sizeof(g_sock), "%s/r.sock", g_dir);
		snprintf(g_addr, sizeof(g_addr), "unix:%s", g_sock);
		g_redis = spawn_redis(g_sock, 0, NULL);
	}
	c = sync_connect(g_sock, 0);
	if (!c) {
		fprintf(stderr, "itest_store: no redis-server at %s\n", g_sock);
		return -1;
	}
	redisFree(c);
	return 0;
}

/* Once: stops our server and removes the temp dir. */
static int
group_teardown(void **state)
{
	char cmdline[256];

	(void)state;
	stop_redis(g_redis);
	snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", g_dir);
	if (system(cmdline) != 0)
		fprintf(stderr, "itest_store: could not remove %s\n", g_dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions_on_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadletters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indicators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_not_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recompute_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fenced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_notconn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_until_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_and_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_callbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_commits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
