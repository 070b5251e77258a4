/*
 * itest_feed.c — the feed module on a real event_base with real files in a
 * mkdtemp() directory: a test sink copies every record it is handed, and
 * commits are simulated with feedset_positions/feedset_committed into a
 * small in-memory "store" of positions, which also serves restarts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "batch.h"
#include "clock.h"
#include "feed.h"
#include "log.h"
#include "map.h"
#include "siphash.h"
#include "tq_config.h"

#define MAXREC   1024
#define MAXSTORE 64

struct rec {
	char     *text;
	size_t    len;
	char      file[64];     /* last component of the path */
	uint64_t  line;
	bool      header;
};

struct rej {
	char      file[64];
	uint64_t  line;
	enum reject why;
};

struct fx {
	char               dir[64];
	struct event_base *base;
	struct config      cfg;
	struct feed_conf   fc[2];
	struct feedset    *fs;
	/* the sink */
	struct rec         recs[MAXREC];
	size_t             nrec;
	struct rej         rejs[16];
	size_t             nrej;
	size_t             nidle;
	long               accept;      /* records still accepted; < 0: no limit */
	bool               seq;         /* only check records are "L<n>" in order, line n */
	bool               headers;     /* a record starting with 'h' is a CSV header that
	                                 * changes the parse state, as map_record would */
	uint64_t           nseq, bad;
	/* the "store" */
	struct batch       b;
	struct file_pos    store[MAXSTORE];
	size_t             nstore;
};

/* ------------------------------------------------------------- the sink */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int
sink_record(void *arg, const struct record_ctx *rc, const char *rec, size_t len)
{
	struct fx *f = arg;
	struct rec *r;

	if (f->accept == 0)
		return -ENOSPC;
	if (f->accept > 0)
		f->accept--;
	if (f->seq) {
		char want[32];
		int n = snprintf(want, sizeof(want), "L%llu", (unsigned long long)++f->nseq);
		if ((size_t)n != len || memcmp(rec, want, len) != 0 || rc->line != f->nseq)
			f->bad++;
		return 0;
	}
	assert_true(f->nrec < MAXREC);
	assert_non_null(rc->ps);
	r = &f->recs[f->nrec++];
	r->text = malloc(len + 1);
	assert_non_null(r->text);
	memcpy(r->text, rec, len);
	r->text[len] = '\0';
	r->len = len;
	snprintf(r->file, sizeof(r->file), "%s", base_name(rc->path));
	r->line = rc->line;
	r->header = rc->header_replay;
	if (f->headers && len > 0 && rec[0] == 'h') {
		uint64_t h = siphash24((const uint8_t *)"0123456789abcdef", rec, len);

		if (!rc->ps->have_header || rc->ps->header_len != len || rc->ps->header_hash != h) {
			rc->ps->have_header = true;
			rc->ps->header_len = len;
			rc->ps->header_hash = h;
		}
	}
	return 0;
}

static void
sink_reject(void *arg, const struct record_ctx *rc, enum reject why, const char *detail)
{
	struct fx *f = arg;

	assert_non_null(detail);
	assert_true(f->nrej < 16);
	snprintf(f->rejs[f->nrej].file, sizeof(f->rejs[0].file), "%s", base_name(rc->path));
	f->rejs[f->nrej].line = rc->line;
	f->rejs[f->nrej].why = why;
	f->nrej++;
}

static void
sink_idle(void *arg)
{
	((struct fx *)arg)->nidle++;
}

static const struct feed_sink sink = { sink_record, sink_reject, sink_idle };

/* ------------------------------------------------------------- fixtures */

/* Feed i follows <test dir>/glob. */
static void
set_glob(struct fx *f, int i, const char *glob)
{
	snprintf(f->fc[i].path, 128, "%s/%s", f->dir, glob);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/tq_feed_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(f->base = event_base_new());
	for (int i = 0; i < 2; i++) {
		struct feed_conf *fc = &f->fc[i];
		fc->name = i ? "second" : "first";
		fc->path = malloc(128);
		set_glob(f, i, "*.log");
		fc->format = FORMAT_JSONL;
		fc->start_at = START_BEGINNING;
		fc->max_line = 65536;
		fc->rotate_wait_ms = 150;
		fc->csv.delimiter = ',';
		fc->csv.quote = '"';
		fc->csv.header = true;
		fc->id_slot = -1;
	}
	f->cfg.nfeeds = 1;
	f->cfg.feeds = f->fc;
	/* Long: the tests must pass on inotify alone, unless they shorten it. */
	f->cfg.rescan_interval_ms = 60000;
	f->accept = -1;
	assert_int_equal(batch_init(&f->b, 1000, 0), 0);
	*state = f;
	return 0;
}

static void
clear_recs(struct fx *f)
{
	for (size_t i = 0; i < f->nrec; i++)
		free(f->recs[i].text);
	f->nrec = 0;
	f->nrej = 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	feedset_free(f->fs);
	clear_recs(f);
	batch_done(&f->b);
	event_base_free(f->base);
	free(f->fc[0].path);
	free(f->fc[1].path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* ------------------------------------------------------------- helpers */

static char *
path_of(struct fx *f, const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", f->dir, name);
	return buf[k];
}

static void
append(struct fx *f, const char *name, const char *text)
{
	int fd = open(path_of(f, name), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Replaces the content of name in place: same inode, new bytes. */
static void
rewrite(struct fx *f, const char *name, const char *text)
{
	int fd = open(path_of(f, name), O_WRONLY | O_TRUNC | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A CSV header line of more than n bytes (longer than the head fingerprint). */
static char *
wide_header(size_t n)
{
	char *h = malloc(n + 64);
	size_t len = 0;

	assert_non_null(h);
	for (int c = 0; len < n; c++)
		len += (size_t)snprintf(h + len, n + 64 - len, "%skolumn_med_langt_namn_%03d",
		    c ? "," : "", c);
	h[len++] = '\n';
	h[len] = '\0';
	return h;
}

static uint64_t
ino_of(struct fx *f, const char *name)
{
	struct stat st;

	assert_int_equal(stat(path_of(f, name), &st), 0);
	return (uint64_t)st.st_ino;
}

/* Runs the loop for ms milliseconds. */
static void
run_ms(struct fx *f, int ms)
{
	int64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
}

/*
 * Runs the loop until n records arrived (or 3 s), then a little longer so
 * that a record delivered twice would show up too.
 */
static void
wait_n(struct fx *f, size_t n)
{
	int64_t end = mono_ms() + 3000;

	while (f->nrec < n && mono_ms() < end) {
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
	run_ms(f, 40);
}

/* Runs the loop until a pass ends with everything read (or 3 s). */
static void
settle(struct fx *f)
{
	int64_t end = mono_ms() + 3000;
	size_t before = f->nidle;

	run_ms(f, 20);
	while (!(f->nidle > before && feedset_drained(f->fs)) && mono_ms() < end) {
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(500);
	}
}

static void
start(struct fx *f)
{
	assert_int_equal(feedset_new(f->base, &f->cfg, &sink, f, &f->fs), 0);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
}

/*
 * Stops the feed set as a restart would: nothing after the last commit
 * survives, and the records seen so far are forgotten.
 */
static void
stop(struct fx *f)
{
	feedset_free(f->fs);
	f->fs = NULL;
	clear_recs(f);
}


/* Files the "store" holds positions for (not the feeds' start markers). */
static size_t
nfiles(const struct fx *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nstore; i++)
		n += !f->store[i].marker;
	return n;
}

static struct file_pos *
stored(struct fx *f, uint64_t ino)
{
	for (size_t i = 0; i < f->nstore; i++)
		if (f->store[i].ino == ino)
			return &f->store[i];
	return NULL;
}

/* One commit: the positions go into a batch, the "store" applies it. */
static void
commit(struct fx *f)
{
	batch_clear(&f->b);
	assert_int_equal(feedset_positions(f->fs, &f->b), 0);
	for (size_t i = 0; i < f->b.npos; i++) {
		const struct file_pos *p = &f->b.pos[i];
		struct file_pos *s = NULL;
		for (size_t j = 0; j < f->nstore; j++)
			if (f->store[j].feed == p->feed && f->store[j].dev == p->dev &&
			    f->store[j].ino == p->ino && f->store[j].marker == p->marker)
				s = &f->store[j];
		if (p->gone) {
			if (s)
				*s = f->store[--f->nstore];
			continue;
		}
		if (!s) {
			assert_true(f->nstore < MAXSTORE);
			s = &f->store[f->nstore++];
		}
		*s = *p;
	}
	feedset_committed(f->fs, &f->b);
}

/* Descriptors of this process open on files of the test directory whose target holds needle. */
static int
count_fds(struct fx *f, const char *needle)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char target[512];
		ssize_t k = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);

		if (k < 0)
			continue;
		target[k] = '\0';
		if (strncmp(target, f->dir, strlen(f->dir)) == 0 && (!needle || strstr(target, needle)))
			n++;
	}
	closedir(d);
	return n;
}

static int
fds_in_dir(struct fx *f, bool deleted_only)
{
	return count_fds(f, deleted_only ? "(deleted)" : NULL);
}

/* Commits until no descriptor is left on needle (or 3 s); returns true when closed. */
static bool
commit_until_closed(struct fx *f, const char *needle)
{
	int64_t end = mono_ms() + 3000;

	while (mono_ms() < end) {
		commit(f);
		run_ms(f, 20);
		if (count_fds(f, needle) == 0)
			return true;
	}
	return false;
}

/*
 * Asserts that the records (header replays left out) of file whose text
 * starts with one of the bytes of first (NULL: any) are exactly the
 * '|'-separated list, in order ("" = none; empty records allowed).
 */
static void
expect_some(struct fx *f, const char *file, const char *first, const char *list)
{
	char buf[4096], *rest = buf, *tok;
	size_t i = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	tok = *buf ? strsep(&rest, "|") : NULL;
	for (size_t k = 0; k < f->nrec; k++) {
		if (strcmp(f->recs[k].file, file) != 0 || f->recs[k].header ||
		    (first && !strchr(first, f->recs[k].text[0])))
			continue;
		if (!tok)
			fail_msg("%s: unexpected extra record '%s'", file, f->recs[k].text);
		assert_string_equal(f->recs[k].text, tok);
		i++;
		tok = rest ? strsep(&rest, "|") : NULL;
	}
	if (tok)
		fail_msg("%s: record '%s' missing (%zu delivered)", file, tok, i);
}

/* Line number of the (non-replay) record text of file; fails when absent. */
static uint64_t
line_of(struct fx *f, const char *file, const char *text)
{
	for (size_t k = 0; k < f->nrec; k++)
		if (!strcmp(f->recs[k].file, file) && !strcmp(f->recs[k].text, text) &&
		    !f->recs[k].header)
			return f->recs[k].line;
	fail_msg("%s: no record '%s'", file, text);
	return 0;
}

static void
expect_file(struct fx *f, const char *file, const char *list)
{
	expect_some(f, file, NULL, list);
}

/* ---------------------------------------------------------------- tests */

static void
test_initial_and_append(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "{\"n\":1}\n{\"n\":2}\n");
	append(f, "ignored.txt", "x\n");
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	expect_file(f, "a.log", "{\"n\":1}|{\"n\":2}");
	assert_int_equal(f->recs[0].line, 1);
	assert_int_equal(f->recs[1].line, 2);
	settle(f);
	assert_true(feedset_drained(f->fs));

	append(f, "a.log", "{\"n\":3}\n");
	wait_n(f, 3);
	assert_int_equal(f->nrec, 3);
	expect_file(f, "a.log", "{\"n\":1}|{\"n\":2}|{\"n\":3}");
	assert_int_equal(f->recs[2].line, 3);

	/* A file created later is read from its start. */
	append(f, "b.log", "b1\n");
	wait_n(f, 4);
	assert_int_equal(f->nrec, 4);
	expect_file(f, "b.log", "b1");

	commit(f);
	assert_int_equal(nfiles(f), 2);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 24);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->line, 3);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->fplen, 24);
	/* Nothing moved: the next commit carries no position. */
	batch_clear(&f->b);
	assert_int_equal(feedset_positions(f->fs, &f->b), 0);
	assert_int_equal(f->b.npos, 0);
}

static void
test_partial_line(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "one\ntw");
	start(f);
	wait_n(f, 1);
	settle(f);
	assert_int_equal(f->nrec, 1);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 4);   /* not past "tw" */

	append(f, "a.log", "o");
	settle(f);
	assert_int_equal(f->nrec, 1);
	append(f, "a.log", "\nthree\n");
	wait_n(f, 3);
	expect_file(f, "a.log", "one|two|three");
	assert_int_equal(f->recs[1].line, 2);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 14);
}

static void
test_crlf_and_bom(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "\xEF\xBB\xBFx1\r\nx2\r\n\r\nx\r4\n");
	start(f);
	wait_n(f, 4);
	assert_int_equal(f->nrec, 4);
	expect_file(f, "a.log", "x1|x2||x\r4");
	assert_int_equal(f->recs[0].len, 2);
	assert_int_equal(f->recs[2].len, 0);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 3 + 4 + 4 + 2 + 4);

	/* A BOM is only skipped at the very start of a file. */
	append(f, "a.log", "\xEF\xBB\xBFy\n");
	wait_n(f, 5);
	assert_string_equal(f->recs[4].text, "\xEF\xBB\xBFy");
}

static void
test_csv_quoted_newline(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].rotate_wait_ms = 60000;        /* the quote may be closed later */
	append(f, "a.log", "h1,h2\r\n\"a\nb\",2\r\nc,3\n\"x\n");
	start(f);
	wait_n(f, 3);
	settle(f);
	assert_int_equal(f->nrec, 3);
	expect_file(f, "a.log", "h1,h2|\"a\nb\",2|c,3");
	assert_int_equal(f->recs[1].line, 2);
	assert_int_equal(f->recs[2].line, 3);

	append(f, "a.log", "y\",4\r\n");
	wait_n(f, 4);
	expect_file(f, "a.log", "h1,h2|\"a\nb\",2|c,3|\"x\ny\",4");
	assert_int_equal(f->recs[3].line, 4);
}

/*
 * A stray quote never takes good lines with it: inside an unquoted field it
 * is text; at a field start with no closing quote within max_line, its line
 * alone is the record; closed and followed by text, likewise.
 */
static void
test_csv_stray_quote(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].max_line = 32;
	append(f, "a.log", "h1,h2\n1,Tel\"efon\n2,\"open\n3,ok\n4,ok\n5,ok\n6,ok\n7,ok\n8,ok\n");
	start(f);
	wait_n(f, 9);
	settle(f);
	expect_file(f, "a.log", "h1,h2|1,Tel\"efon|2,\"open|3,ok|4,ok|5,ok|6,ok|7,ok|8,ok");
	assert_int_equal(f->recs[2].line, 3);
	assert_int_equal(f->recs[8].line, 9);
	assert_int_equal(f->nrej, 0);

	/* Closed on a later line, then text: the first line alone. */
	append(f, "a.log", "9,\"a\n10,b\"c\n11,ok\n");
	wait_n(f, 12);
	expect_file(f, "a.log",
	    "h1,h2|1,Tel\"efon|2,\"open|3,ok|4,ok|5,ok|6,ok|7,ok|8,ok|9,\"a|10,b\"c|11,ok");
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 55 + 18);
}


/*
 * Writes name as a CSV header of more than TQ_FP_MAX bytes and rows (a
 * '|'-separated list), appending (rewrite false) or in place (true).
 * Returns the header's length with its newline.
 */
static size_t
wide_csv(struct fx *f, const char *name, const char *rows, bool in_place)
{
	char *h = wide_header(1500), text[4096];
	size_t hl = strlen(h), n;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].max_line = 4096;
	n = (size_t)snprintf(text, sizeof(text), "%s%s\n", h, rows);
	assert_true(n < sizeof(text));
	for (char *p = text + hl; *p; p++)
		if (*p == '|')
			*p = '\n';
	if (in_place)
		rewrite(f, name, text);
	else
		append(f, name, text);
	free(h);
	return hl;
}

/*
 * Issue 14.1: a file rewritten in place while stopped, behind a head that
 * is all CSV header (> TQ_FP_MAX bytes), is a new file: read from 0, not
 * continued from the stored offset of the old content.
 */
static void
test_restart_tail_mismatch(void **state)
{
	struct fx *f = *state;
	size_t hl = wide_csv(f, "a.log", "old1|old2|old3", false);

	start(f);
	wait_n(f, 4);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, (int64_t)(hl + 15));
	assert_int_equal(stored(f, ino_of(f, "a.log"))->taillen, hl + 15);
	stop(f);

	/* Same inode, same head, other rows, longer than before. */
	wide_csv(f, "a.log", "new1|new2|new3|new4|new5", true);
	start(f);
	wait_n(f, 6);
	assert_int_equal(f->nrec, 6);
	assert_string_equal(f->recs[1].text, "new1");
	assert_string_equal(f->recs[5].text, "new5");
}

/* The same rewrite while the file is followed: read again from 0 too. */
static void
test_running_rewrite_keeps_head(void **state)
{
	struct fx *f = *state;

	wide_csv(f, "a.log", "old1|old2", false);
	start(f);
	wait_n(f, 3);
	settle(f);
	wide_csv(f, "a.log", "new1|new2|new3|new4", true);
	wait_n(f, 8);
	assert_int_equal(f->nrec, 8);
	assert_string_equal(f->recs[4].text, "new1");
	assert_string_equal(f->recs[7].text, "new4");
}

/*
 * A stored position names the file by device, inode and birth time: a
 * file born later in the same inode is new even when everything read of
 * the old one (here: all of it) is also at the start of the new one.
 */
static void
test_restart_birth_time(void **state)
{
	struct fx *f = *state;
	struct file_pos *p;

	append(f, "a.log", "x\n");
	start(f);
	wait_n(f, 1);
	commit(f);
	stop(f);
	p = stored(f, ino_of(f, "a.log"));
	assert_non_null(p);
	if (p->btime == 0) {
		skip();         /* this file system keeps no birth time */
		return;
	}
	/* The same file: nothing again. */
	start(f);
	settle(f);
	assert_int_equal(f->nrec, 0);
	stop(f);
	/* As if born again in that inode: read from 0. */
	p->btime += 1;
	start(f);
	wait_n(f, 1);
	expect_file(f, "a.log", "x");
}

/*
 * Rewritten shorter and renamed out of the glob while stopped: the same
 * birth time proves it is the stored file, so it is found by its inode
 * and read whole, though its fingerprints no longer match.
 */
static void
test_rewritten_renamed_while_stopped(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "x1\nx2\nx3\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	stop(f);
	if (stored(f, ino_of(f, "a.log"))->btime == 0) {
		skip();         /* this file system keeps no birth time */
		return;
	}
	rewrite(f, "a.log", "z\n");
	assert_int_equal(rename(path_of(f, "a.log"), path_of(f, "a.log.1")), 0);
	start(f);
	wait_n(f, 1);
	expect_file(f, "a.log.1", "z");
}

/*
 * A file rewritten to the same length and line count is read again, and
 * its new fingerprints are committed even though the offset did not move:
 * the next start does not read it a third time.
 */
static void
test_rewrite_same_length_committed(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "aaaa\nbbbb\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	stop(f);
	rewrite(f, "a.log", "cccc\ndddd\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "a.log", "cccc|dddd");
	commit(f);
	stop(f);
	start(f);
	settle(f);
	assert_int_equal(f->nrec, 0);
}

/*
 * Issue 14.3: a CSV file that ends in a quote never closed, then good
 * lines: once the file cannot grow (--once), the quote's line alone is a
 * record and every line after it is read.
 */
static void
test_open_quote_at_end_once(void **state)
{
	struct fx *f = *state;
	char text[4096];
	size_t len;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].rotate_wait_ms = 60000;        /* only --once may frame it */
	len = (size_t)snprintf(text, sizeof(text), "h1,h2\n1,ok\n\"070-2,Bokad\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%d,ok\n", i + 2);
	append(f, "a.log", text);
	assert_int_equal(feedset_new(f->base, &f->cfg, &sink, f, &f->fs), 0);
	feedset_set_once(f->fs);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
	wait_n(f, 103);
	settle(f);
	assert_int_equal(f->nrec, 103);
	assert_string_equal(f->recs[2].text, "\"070-2,Bokad");
	assert_int_equal(f->recs[2].line, 3);
	assert_string_equal(f->recs[102].text, "101,ok");
	assert_true(feedset_drained(f->fs));
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, (int64_t)len);
}

/* Followed, not --once: the same once the file was quiet for rotate_wait_ms. */
static void
test_open_quote_at_end_quiet(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].rotate_wait_ms = 1000;
	append(f, "a.log", "h1,h2\n1,ok\n\"070-2,Bokad\n2,ok\n3,ok\n");
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);   /* the quote may still be closed */
	run_ms(f, 1300);
	assert_int_equal(f->nrec, 5);
	assert_string_equal(f->recs[2].text, "\"070-2,Bokad");
	assert_string_equal(f->recs[4].text, "3,ok");
	/* A quote closed in time is still one record over two lines. */
	append(f, "a.log", "4,\"two\n");
	run_ms(f, 50);
	append(f, "a.log", "lines\"\n5,ok\n");
	wait_n(f, 7);
	assert_int_equal(f->nrec, 7);
	assert_string_equal(f->recs[5].text, "4,\"two\nlines\"");
}

/*
 * Issue 14.6: start_at: end is for the feed's very first start. Stopped,
 * rotated (rename + create) and written to: the new file is read from its
 * start, and the renamed one is finished.
 */
static void
test_start_at_end_only_first(void **state)
{
	struct fx *f = *state;

	f->fc[0].start_at = START_END;
	set_glob(f, 0, "calls.log");
	append(f, "calls.log", "old1\nold2\n");
	start(f);
	settle(f);
	assert_int_equal(f->nrec, 0);
	append(f, "calls.log", "a\n");
	wait_n(f, 1);
	commit(f);
	stop(f);

	append(f, "calls.log", "b\n");
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	for (int i = 0; i < 20; i++)
		append(f, "calls.log", "n\n");
	start(f);
	wait_n(f, 21);
	expect_file(f, "calls.log.1", "b");
	assert_int_equal(f->nrec, 21);
	stop(f);

	/* Even with every file of the feed gone from the store. */
	assert_int_equal(unlink(path_of(f, "calls.log.1")), 0);
	assert_int_equal(unlink(path_of(f, "calls.log")), 0);
	start(f);
	settle(f);
	assert_true(commit_until_closed(f, "calls.log"));
	assert_int_equal(nfiles(f), 0);
	stop(f);
	append(f, "calls.log", "x\ny\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "calls.log", "x|y");
}

static void
test_rotation_rename_create(void **state)
{
	struct fx *f = *state;
	int fds_before;

	set_glob(f, 0, "calls.log");
	append(f, "calls.log", "1\n2\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	fds_before = fds_in_dir(f, false);
	assert_int_equal(fds_before, 1);

	/* Rotate: the writer keeps writing to the old file for a moment. */
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	append(f, "calls.log.1", "3\n");
	append(f, "calls.log", "n1\n");
	run_ms(f, 20);
	append(f, "calls.log.1", "4\n");
	append(f, "calls.log", "n2\n");
	wait_n(f, 6);
	assert_int_equal(f->nrec, 6);
	/* Both files were found under the name calls.log: tell them apart by content. */
	expect_some(f, "calls.log", "0123456789", "1|2|3|4");
	expect_some(f, "calls.log", "n", "n1|n2");
	/* the new file's records carry their own line numbers */
	for (size_t i = 0; i < f->nrec; i++)
		if (f->recs[i].text[0] == 'n')
			assert_int_equal(f->recs[i].line, (uint64_t)(f->recs[i].text[1] - '0'));
	assert_int_equal(fds_in_dir(f, false), 2);

	/* Quiet for rotate_wait_ms: finished and closed. It still exists
	 * (renamed out of the glob), so its last position stays stored: a
	 * glob widened to calls.log* resumes it at its end (issue 16). */
	run_ms(f, 250);
	assert_true(commit_until_closed(f, "calls.log.1"));
	assert_int_equal(fds_in_dir(f, false), 1);
	assert_int_equal(nfiles(f), 2);
	assert_non_null(stored(f, ino_of(f, "calls.log.1")));
	assert_int_equal(stored(f, ino_of(f, "calls.log.1"))->offset, 8);
	assert_false(stored(f, ino_of(f, "calls.log.1"))->gone);
	assert_non_null(stored(f, ino_of(f, "calls.log")));
	assert_int_equal(stored(f, ino_of(f, "calls.log"))->offset, 6);
	assert_int_equal(f->nrec, 6);
}

/*
 * A file created, written and renamed out of the glob before the feed set
 * looked at the directory (a busy daemon: the inotify events wait in the
 * queue) is still read whole, from the rename that inotify reported; the
 * file created under the old name afterwards too. Nothing twice.
 */
static void
test_rotated_before_seen(void **state)
{
	struct fx *f = *state;

	set_glob(f, 0, "calls.log");
	start(f);
	run_ms(f, 20);
	/* no pass runs in between: the loop is not entered */
	append(f, "calls.log", "1\n2\n3\n");
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	append(f, "calls.log.1", "4\n");
	append(f, "calls.log", "n1\n");
	wait_n(f, 5);
	settle(f);
	assert_int_equal(f->nrec, 5);
	expect_some(f, "calls.log.1", "0123456789", "1|2|3|4");
	expect_some(f, "calls.log", "n", "n1");

	/* finished once quiet, like any file rotated away */
	run_ms(f, 250);
	commit(f);
	assert_true(commit_until_closed(f, "calls.log.1"));
	assert_int_equal(f->nrec, 5);
}

/* Rotated twice (calls.log -> .1 -> .2) before a rescan: read once, whole. */
static void
test_rotated_twice_before_seen(void **state)
{
	struct fx *f = *state;

	set_glob(f, 0, "calls.log");
	start(f);
	run_ms(f, 20);
	append(f, "calls.log", "1\n2\n");
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	assert_int_equal(rename(path_of(f, "calls.log.1"), path_of(f, "calls.log.2")), 0);
	append(f, "calls.log", "n1\n");
	wait_n(f, 3);
	settle(f);
	assert_int_equal(f->nrec, 3);
	expect_some(f, "calls.log.2", "0123456789", "1|2");
	expect_some(f, "calls.log", "n", "n1");
}

/*
 * Renames of files already followed, or of names no feed matches, open
 * nothing new: a followed file renamed away is drained once, and an
 * unrelated file renamed in the directory is never read.
 */
static void
test_rotated_known_not_reread(void **state)
{
	struct fx *f = *state;

	set_glob(f, 0, "calls.log");
	append(f, "calls.log", "1\n2\n");
	append(f, "other.txt", "x\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	assert_int_equal(rename(path_of(f, "other.txt"), path_of(f, "other.txt.1")), 0);
	append(f, "calls.log.1", "3\n");
	wait_n(f, 3);
	settle(f);
	assert_int_equal(f->nrec, 3);
	expect_some(f, "calls.log", "0123456789", "1|2|3");
	assert_int_equal(count_fds(f, "other.txt"), 0);
}

static void
test_delete_while_open(void **state)
{
	struct fx *f = *state;
	int wfd;

	append(f, "a.log", "1\n2\n");
	append(f, "keep.log", "k\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	assert_int_equal(fds_in_dir(f, false), 2);

	/* The writer still holds it after the unlink and writes more. */
	wfd = open(path_of(f, "a.log"), O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(wfd >= 0);
	assert_int_equal(unlink(path_of(f, "a.log")), 0);
	assert_int_equal(write(wfd, "3\n", 2), 2);
	close(wfd);
	wait_n(f, 4);
	expect_file(f, "a.log", "1|2|3");
	expect_file(f, "keep.log", "k");

	run_ms(f, 250);
	assert_true(commit_until_closed(f, "a.log (deleted)"));
	assert_int_equal(fds_in_dir(f, true), 0);
	assert_int_equal(fds_in_dir(f, false), 1);
	assert_int_equal(nfiles(f), 1);         /* its stored entry was dropped */
}

static void
test_copytruncate(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "1\n2\n3\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	/* logrotate copytruncate: copy away (not matched), truncate in place. */
	append(f, "a.log.1", "1\n2\n3\n");
	assert_int_equal(truncate(path_of(f, "a.log"), 0), 0);
	settle(f);
	append(f, "a.log", "4\n");
	wait_n(f, 4);
	expect_file(f, "a.log", "1|2|3|4");
	assert_int_equal(f->recs[3].line, 1);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 2);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->line, 1);
}

static void
test_truncate_regrow(void **state)
{
	struct fx *f = *state;
	int fd;

	append(f, "a.log", "aaaa\nbbbb\n");
	start(f);
	wait_n(f, 2);
	/* Truncated and rewritten past the old offset before the feed looks. */
	fd = open(path_of(f, "a.log"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "cccc\ndddd\neeee\n", 15), 15);
	close(fd);
	wait_n(f, 5);
	expect_file(f, "a.log", "aaaa|bbbb|cccc|dddd|eeee");
	assert_int_equal(f->recs[2].line, 1);
	assert_int_equal(f->recs[4].line, 3);
}

static void
test_restart_resumes_exactly(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "1\n2\n");
	append(f, "b.log", "x\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	append(f, "a.log", "3\n");      /* read but never committed: read again */
	wait_n(f, 4);
	stop(f);

	append(f, "a.log", "4\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "a.log", "3|4");
	expect_file(f, "b.log", "");
	assert_int_equal(f->recs[0].line, 3);
	assert_int_equal(f->recs[1].line, 4);
}

static void
test_restart_fingerprint_mismatch(void **state)
{
	struct fx *f = *state;
	int fd;

	append(f, "a.log", "old1\nold2\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	stop(f);

	/* Same inode, other content, longer than the stored offset. */
	fd = open(path_of(f, "a.log"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new1\nnew2\nnew3\n", 15), 15);
	close(fd);
	start(f);
	wait_n(f, 3);
	expect_file(f, "a.log", "new1|new2|new3");
	assert_int_equal(f->recs[0].line, 1);
}

static void
test_restart_rotated_away(void **state)
{
	struct fx *f = *state;
	uint64_t old_ino;

	set_glob(f, 0, "calls.log");
	append(f, "calls.log", "1\n2\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	old_ino = ino_of(f, "calls.log");
	stop(f);

	/* While stopped: more lines, rotation, lines in both files. */
	append(f, "calls.log", "3\n");
	assert_int_equal(rename(path_of(f, "calls.log"), path_of(f, "calls.log.1")), 0);
	append(f, "calls.log.1", "4\n");
	append(f, "calls.log", "n1\n");
	start(f);
	wait_n(f, 3);
	expect_file(f, "calls.log.1", "3|4");
	expect_file(f, "calls.log", "n1");
	assert_int_equal(line_of(f, "calls.log.1", "3"), 3);
	assert_int_equal(line_of(f, "calls.log", "n1"), 1);

	run_ms(f, 250);
	assert_true(commit_until_closed(f, "calls.log.1"));
	/* drained and closed; kept at its end while the file exists */
	assert_non_null(stored(f, old_ino));
	assert_int_equal(stored(f, old_ino)->offset, 8);
	assert_int_equal(nfiles(f), 2);
	assert_int_equal(f->nrec, 3);

	/* Deleted: the next start drops its position. */
	stop(f);
	assert_int_equal(unlink(path_of(f, "calls.log.1")), 0);
	start(f);
	run_ms(f, 50);
	commit(f);
	assert_null(stored(f, old_ino));
	assert_int_equal(nfiles(f), 1);
	assert_int_equal(f->nrec, 0);   /* nothing read again */
}

static void
test_restart_gone_file_dropped(void **state)
{
	struct fx *f = *state;
	uint64_t ino;

	append(f, "a.log", "1\n");
	append(f, "b.log", "2\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	ino = ino_of(f, "a.log");
	stop(f);

	assert_int_equal(unlink(path_of(f, "a.log")), 0);
	start(f);
	settle(f);
	assert_int_equal(f->nrec, 0);
	assert_non_null(stored(f, ino));
	commit(f);
	assert_null(stored(f, ino));
	assert_int_equal(nfiles(f), 1);
	batch_clear(&f->b);
	assert_int_equal(feedset_positions(f->fs, &f->b), 0);
	assert_int_equal(f->b.npos, 0);
}

/*
 * Issue 16.2: the feed pointed at another directory and back (a reload or
 * a restart with a changed glob): the stored position of a file that still
 * exists is kept while no pattern matches it and resumed when one does
 * again, also when the file is reached under another path (its directory
 * renamed) or the glob changed within its directory. Only a file gone by
 * identity loses its position.
 */
static void
test_glob_away_and_back(void **state)
{
	struct fx *f = *state;
	uint64_t ino, ino_b;

	assert_int_equal(mkdir(path_of(f, "d1"), 0755), 0);
	assert_int_equal(mkdir(path_of(f, "d2"), 0755), 0);
	set_glob(f, 0, "d1/*.log");
	append(f, "d1/a.log", "1\n2\n");
	append(f, "d1/b.log", "x\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	ino = ino_of(f, "d1/a.log");
	ino_b = ino_of(f, "d1/b.log");
	stop(f);

	/* Away: nothing read, both positions kept as they were. */
	set_glob(f, 0, "d2/*.log");
	start(f);
	settle(f);
	commit(f);
	assert_int_equal(f->nrec, 0);
	assert_non_null(stored(f, ino));
	assert_int_equal(stored(f, ino)->offset, 4);
	assert_non_null(stored(f, ino_b));
	stop(f);

	/* Back: resumed where it was, b.log deleted meanwhile is dropped. */
	assert_int_equal(unlink(path_of(f, "d1/b.log")), 0);
	append(f, "d1/a.log", "3\n");
	set_glob(f, 0, "d1/*.log");
	start(f);
	wait_n(f, 1);
	expect_file(f, "a.log", "3");
	assert_int_equal(line_of(f, "a.log", "3"), 3);
	commit(f);
	assert_null(stored(f, ino_b));
	stop(f);

	/* The glob changed within the directory, and back. */
	set_glob(f, 0, "d1/*.txt");
	start(f);
	settle(f);
	commit(f);
	assert_int_equal(f->nrec, 0);
	assert_int_equal(stored(f, ino)->offset, 6);
	stop(f);
	set_glob(f, 0, "d1/*.log");
	append(f, "d1/a.log", "4\n");
	start(f);
	wait_n(f, 1);
	expect_file(f, "a.log", "4");
	commit(f);
	stop(f);

	/* Its directory renamed: the same file under another path resumes. */
	assert_int_equal(rename(path_of(f, "d1"), path_of(f, "d3")), 0);
	append(f, "d3/a.log", "5\n");
	set_glob(f, 0, "d3/*.log");
	start(f);
	wait_n(f, 1);
	expect_file(f, "a.log", "5");
	assert_int_equal(line_of(f, "a.log", "5"), 5);
	assert_int_equal(nfiles(f), 1);
}

static void
test_partial_line_across_restart(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "1\n2");
	start(f);
	wait_n(f, 1);
	settle(f);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 2);
	stop(f);

	append(f, "a.log", "x\n3\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "a.log", "2x|3");
	assert_int_equal(f->recs[0].line, 2);
}

static void
test_overlong_line(void **state)
{
	struct fx *f = *state;
	char big[64];

	f->fc[0].max_line = 16;
	memset(big, 'x', 40);
	big[40] = '\0';
	append(f, "a.log", "ok1\n");
	append(f, "a.log", big);
	append(f, "a.log", "\nok2\n0123456789abcdef\n0123456789abcdefg\nok3\n");
	start(f);
	wait_n(f, 4);
	expect_file(f, "a.log", "ok1|ok2|0123456789abcdef|ok3");
	assert_int_equal(f->nrej, 2);
	assert_int_equal(f->rejs[0].why, REJ_TOO_LONG);
	assert_int_equal(f->rejs[0].line, 2);
	assert_int_equal(f->rejs[1].line, 5);
	assert_int_equal(f->recs[1].line, 3);
	assert_int_equal(f->recs[3].line, 6);

	/* Arriving in pieces: never buffered, rejected once when its '\n' comes. */
	append(f, "a.log", "yyyyyyyyyyyyyyyyyyyyyyyy");
	settle(f);
	append(f, "a.log", "yyyyyyyyyyyy");
	settle(f);
	assert_int_equal(f->nrej, 2);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 4 + 41 + 4 + 17 + 18 + 4);
	append(f, "a.log", "yy\nok4\n");
	wait_n(f, 5);
	assert_int_equal(f->nrej, 3);
	assert_int_equal(f->rejs[2].line, 7);
	expect_file(f, "a.log", "ok1|ok2|0123456789abcdef|ok3|ok4");
	assert_int_equal(f->recs[4].line, 8);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 88 + 39 + 4);
}

/*
 * max_line bounds the record, not its terminator: with max_line 16, 16
 * bytes and "\r\n" are a record like 16 bytes and "\n" (issue 16 item 8),
 * also when the CR arrives in one read and its LF in the next.
 */
static void
test_overlong_crlf(void **state)
{
	struct fx *f = *state;

	f->fc[0].max_line = 16;
	append(f, "a.log", "ok1\r\n0123456789abcdef\r\n0123456789abcdefg\r\nok2\r\n");
	start(f);
	wait_n(f, 3);
	expect_file(f, "a.log", "ok1|0123456789abcdef|ok2");
	assert_int_equal(f->nrej, 1);
	assert_int_equal(f->rejs[0].why, REJ_TOO_LONG);
	assert_int_equal(f->rejs[0].line, 3);

	/* In pieces: 16 bytes and the CR buffered, the LF later. */
	append(f, "a.log", "fedcba9876543210\r");
	settle(f);
	append(f, "a.log", "\nok3\r\n");
	wait_n(f, 5);
	expect_file(f, "a.log", "ok1|0123456789abcdef|ok2|fedcba9876543210|ok3");
	assert_int_equal(f->nrej, 1);
	/* 17 bytes and the CR buffered: too long all the same. */
	append(f, "a.log", "fedcba9876543210x\r");
	settle(f);
	append(f, "a.log", "\nok4\r\n");
	wait_n(f, 6);
	expect_file(f, "a.log", "ok1|0123456789abcdef|ok2|fedcba9876543210|ok3|ok4");
	assert_int_equal(f->nrej, 2);
	assert_int_equal(f->rejs[1].line, 7);
}

static void
test_two_symlinks_one_file(void **state)
{
	struct fx *f = *state;

	append(f, "real.dat", "1\n2\n");
	assert_int_equal(symlink(path_of(f, "real.dat"), path_of(f, "a.log")), 0);
	assert_int_equal(symlink("real.dat", path_of(f, "b.log")), 0);
	assert_int_equal(link(path_of(f, "real.dat"), path_of(f, "c.log")), 0);
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	assert_int_equal(fds_in_dir(f, false), 1);
	append(f, "real.dat", "3\n");
	wait_n(f, 3);
	assert_int_equal(f->nrec, 3);
	assert_string_equal(f->recs[2].text, "3");
	assert_int_equal(f->recs[2].line, 3);
	commit(f);
	assert_int_equal(nfiles(f), 1);
}

/*
 * Issue 16.5: the feed file is a symlink into another directory. inotify
 * on the link's directory says nothing about the target, and the fixture's
 * rescan is 60 s away: appends, the target renamed away (still written to)
 * and created again, and a target created and renamed before any pass saw
 * it, are all read through the watch on the target's directory, once.
 */
static void
test_symlink_target_rotated(void **state)
{
	struct fx *f = *state;

	assert_int_equal(mkdir(path_of(f, "x"), 0755), 0);
	append(f, "x/t.dat", "1\n");
	assert_int_equal(symlink(path_of(f, "x/t.dat"), path_of(f, "a.log")), 0);
	start(f);
	wait_n(f, 1);
	append(f, "x/t.dat", "2\n");
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);

	assert_int_equal(rename(path_of(f, "x/t.dat"), path_of(f, "x/t.dat.1")), 0);
	append(f, "x/t.dat.1", "3\n");
	run_ms(f, 20);
	append(f, "x/t.dat", "n1\n");
	wait_n(f, 4);
	append(f, "x/t.dat.1", "4\n");
	append(f, "x/t.dat", "n2\n");
	wait_n(f, 6);
	expect_some(f, "a.log", "0123456789", "1|2|3|4");
	expect_some(f, "a.log", "n", "n1|n2");

	/* Created, written and renamed away before the loop runs again. */
	assert_int_equal(rename(path_of(f, "x/t.dat"), path_of(f, "x/t.dat.2")), 0);
	append(f, "x/t.dat", "m1\n");
	assert_int_equal(rename(path_of(f, "x/t.dat"), path_of(f, "x/t.dat.3")), 0);
	append(f, "x/t.dat", "k1\n");
	wait_n(f, 8);
	assert_int_equal(f->nrec, 8);
	expect_some(f, "t.dat.3", NULL, "m1");
	expect_some(f, "a.log", "k", "k1");
}

static void
test_identical_heads(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	f->fc[0].csv.header = false;
	append(f, "a.log", "h\n1\n");
	append(f, "b.log", "h\n1\n");
	append(f, "c.log", "");
	start(f);
	wait_n(f, 4);
	expect_file(f, "a.log", "h|1");
	expect_file(f, "b.log", "h|1");
	commit(f);
	assert_int_equal(nfiles(f), 3);
	stop(f);

	append(f, "a.log", "2\n");
	append(f, "c.log", "c\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "a.log", "2");
	expect_file(f, "b.log", "");
	expect_file(f, "c.log", "c");
}

static void
test_enospc_pause_resume(void **state)
{
	struct fx *f = *state;
	size_t idle;

	append(f, "a.log", "1\n2\n3\n4\n5\n");
	f->accept = 2;
	start(f);
	run_ms(f, 100);
	assert_int_equal(f->nrec, 2);
	assert_false(feedset_drained(f->fs));
	assert_true(f->nidle >= 1);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 4);

	/* Still blocked: new data is noted, not read. */
	idle = f->nidle;
	append(f, "a.log", "6\n");
	run_ms(f, 50);
	assert_int_equal(f->nrec, 2);
	assert_int_equal(f->nidle, idle);

	f->accept = 1;
	feedset_resume(f->fs);
	run_ms(f, 50);
	assert_int_equal(f->nrec, 3);
	f->accept = -1;
	feedset_resume(f->fs);
	wait_n(f, 6);
	expect_file(f, "a.log", "1|2|3|4|5|6");

	/* An explicit pause holds reading too. */
	feedset_pause(f->fs);
	append(f, "a.log", "7\n");
	run_ms(f, 50);
	assert_int_equal(f->nrec, 6);
	feedset_resume(f->fs);
	wait_n(f, 7);
	expect_file(f, "a.log", "1|2|3|4|5|6|7");
}

static void
test_header_replay(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	append(f, "a.log", "\xEF\xBB\xBFh1;h2\r\n1;2\r\n3;4\r\n");
	start(f);
	wait_n(f, 3);
	for (size_t i = 0; i < f->nrec; i++)
		assert_false(f->recs[i].header);
	commit(f);
	stop(f);

	append(f, "a.log", "5;6\r\n");
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	assert_true(f->recs[0].header);
	assert_string_equal(f->recs[0].text, "h1;h2");
	assert_int_equal(f->recs[0].line, 1);
	assert_false(f->recs[1].header);
	assert_string_equal(f->recs[1].text, "5;6");
	assert_int_equal(f->recs[1].line, 4);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 3 + 7 + 5 + 5 + 5);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->line, 4);
}

/*
 * A header that replaced the first one mid-file (MAP_HEADER) is the one
 * replayed on resuming (issue 16 item 6): its offset is committed with the
 * position, also across a reconnect's rewind.
 */
static void
test_header_replay_mid_file(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	f->headers = true;
	append(f, "a.log", "h1;h2\n1;2\nh2;h1\n2;1\n");
	start(f);
	wait_n(f, 4);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->hdr_off, 10);
	stop(f);

	append(f, "a.log", "3;4\n");
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	assert_true(f->recs[0].header);
	assert_string_equal(f->recs[0].text, "h2;h1");
	assert_false(f->recs[1].header);
	assert_string_equal(f->recs[1].text, "3;4");
	assert_int_equal(f->recs[1].line, 5);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->hdr_off, 10);

	/* a reconnect rewinds to the committed position: the same header */
	append(f, "a.log", "h3\n5\n");
	wait_n(f, 4);
	clear_recs(f);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
	wait_n(f, 3);
	expect_file(f, "a.log", "h3|5");       /* the replay is not listed */
	assert_true(f->recs[0].header);
	assert_string_equal(f->recs[0].text, "h2;h1");
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->hdr_off, 24);
	stop(f);
	append(f, "a.log", "6\n");
	start(f);
	wait_n(f, 2);
	expect_file(f, "a.log", "6");
	assert_true(f->recs[0].header);
	assert_string_equal(f->recs[0].text, "h3");
}

static void
test_header_replay_after_enospc(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	append(f, "a.log", "h\n1\n");
	start(f);
	wait_n(f, 2);
	commit(f);
	stop(f);

	append(f, "a.log", "2\n");
	f->accept = 0;
	start(f);
	run_ms(f, 50);
	assert_int_equal(f->nrec, 0);
	f->accept = -1;
	feedset_resume(f->fs);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	assert_true(f->recs[0].header);
	assert_string_equal(f->recs[1].text, "2");
}

static void
test_reconnect_rewinds(void **state)
{
	struct fx *f = *state;

	f->fc[0].format = FORMAT_CSV;
	append(f, "a.log", "h\n1\n2\n");
	start(f);
	wait_n(f, 3);
	commit(f);
	append(f, "a.log", "3\n4\npart");
	append(f, "b.log", "h\nb1\n");  /* first seen after the commit */
	wait_n(f, 7);
	expect_file(f, "a.log", "h|1|2|3|4");
	expect_file(f, "b.log", "h|b1");

	/* The commit of 3, 4, b1 had an unknown outcome: it did not apply. */
	clear_recs(f);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
	wait_n(f, 5);
	assert_true(f->recs[0].header || f->recs[1].header);
	expect_file(f, "a.log", "3|4");
	expect_file(f, "b.log", "h|b1");
	for (size_t i = 0; i < f->nrec; i++)
		if (!strcmp(f->recs[i].text, "3"))
			assert_int_equal(f->recs[i].line, 4);

	/* And the partial line is delivered once when completed. */
	append(f, "a.log", "ial\n");
	wait_n(f, 6);
	expect_file(f, "a.log", "3|4|partial");
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 18);

	/* A later reconnect with everything committed reads nothing again. */
	clear_recs(f);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
	settle(f);
	expect_file(f, "a.log", "");
	expect_file(f, "b.log", "");
}

static void
test_reconnect_after_gone_commit(void **state)
{
	struct fx *f = *state;
	struct file_pos saved[MAXSTORE];
	size_t nsaved;

	append(f, "a.log", "1\n");
	start(f);
	wait_n(f, 1);
	commit(f);
	assert_int_equal(unlink(path_of(f, "a.log")), 0);
	run_ms(f, 250);
	/* The gone position is sent; the outcome is unknown and it did not apply. */
	memcpy(saved, f->store, sizeof(saved));
	nsaved = f->nstore;
	batch_clear(&f->b);
	assert_int_equal(feedset_positions(f->fs, &f->b), 0);
	assert_int_equal(f->b.npos, 1);
	assert_true(f->b.pos[0].gone);
	assert_int_equal(feedset_start(f->fs, saved, nsaved), 0);
	run_ms(f, 250);
	assert_int_equal(f->nrec, 1);           /* nothing reread */
	assert_int_equal(fds_in_dir(f, false), 1);
	/* Next time it applies; a reconnect then finds no entry and closes it. */
	commit(f);
	assert_int_equal(nfiles(f), 0);
	assert_int_equal(fds_in_dir(f, false), 0);
	assert_int_equal(feedset_start(f->fs, f->store, f->nstore), 0);
	settle(f);
	assert_int_equal(f->nrec, 1);
}

static void
test_start_at_end(void **state)
{
	struct fx *f = *state;

	f->fc[0].start_at = START_END;
	append(f, "a.log", "old1\nold2\npart");
	start(f);
	settle(f);
	assert_int_equal(f->nrec, 0);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->offset, 10);
	append(f, "a.log", "ial\nnew\n");
	append(f, "b.log", "b1\n");     /* appeared after start: from its start */
	wait_n(f, 3);
	expect_file(f, "a.log", "partial|new");
	expect_file(f, "b.log", "b1");
}

static void
test_many_new_files(void **state)
{
	struct fx *f = *state;
	char name[32];

	start(f);
	settle(f);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d.log", i);
		append(f, name, "r\n");
	}
	wait_n(f, 300);
	assert_int_equal(f->nrec, 300);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d.log", i);
		expect_file(f, name, "r");
	}
}

static void
test_missing_dir_fallback(void **state)
{
	struct fx *f = *state;
	char sub[128];

	f->cfg.rescan_interval_ms = 100;
	set_glob(f, 0, "sub/*.log");
	start(f);
	settle(f);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	append(f, "sub/a.log", "1\n");
	wait_n(f, 1);
	expect_file(f, "a.log", "1");
	/* Watched now: a live append arrives without waiting for a rescan. */
	append(f, "sub/a.log", "2\n");
	wait_n(f, 2);
	expect_file(f, "a.log", "1|2");
}

static void
test_large_file_in_passes(void **state)
{
	struct fx *f = *state;
	size_t passes_before, nlines = 300000;
	FILE *fp = fopen(path_of(f, "a.log"), "w");
	int64_t end;

	/* ~2.6 MB: several 1 MiB passes, records across every 64 KiB chunk edge. */
	assert_non_null(fp);
	for (size_t i = 1; i <= nlines; i++)
		fprintf(fp, "L%zu\n", i);
	fclose(fp);
	f->seq = true;
	start(f);
	/* The first pass stops at its budget and reschedules itself. */
	event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_true(f->nseq > 0 && f->nseq < nlines);
	assert_false(feedset_drained(f->fs));
	passes_before = f->nidle;
	end = mono_ms() + 5000;
	while (f->nseq < nlines && mono_ms() < end)
		event_base_loop(f->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	settle(f);
	assert_int_equal(f->nseq, nlines);
	assert_int_equal(f->bad, 0);
	assert_true(f->nidle > passes_before);
	commit(f);
	assert_int_equal(stored(f, ino_of(f, "a.log"))->line, nlines);
}

static void
test_rotated_name_inside_glob(void **state)
{
	struct fx *f = *state;

	append(f, "a.log", "1\n2\n");
	start(f);
	wait_n(f, 2);
	/* Rotated to a name the glob still matches: same file, never reread. */
	assert_int_equal(rename(path_of(f, "a.log"), path_of(f, "a-1.log")), 0);
	append(f, "a-1.log", "3\n");
	append(f, "a.log", "n1\n");
	wait_n(f, 4);
	run_ms(f, 250);
	assert_int_equal(f->nrec, 4);
	expect_some(f, "a.log", "0123456789", "1|2|3");
	expect_some(f, "a.log", "n", "n1");
	commit(f);
	assert_int_equal(nfiles(f), 2);
	assert_int_equal(fds_in_dir(f, false), 2);
}

static void
test_two_feeds_one_file(void **state)
{
	struct fx *f = *state;

	f->cfg.nfeeds = 2;
	set_glob(f, 1, "a.*");
	append(f, "a.log", "1\n");
	start(f);
	wait_n(f, 2);
	assert_int_equal(f->nrec, 2);
	commit(f);
	assert_int_equal(nfiles(f), 2);
	{
		const struct file_pos *fp[2];
		size_t n = 0;

		for (size_t i = 0; i < f->nstore; i++)
			if (!f->store[i].marker)
				fp[n++] = &f->store[i];
		assert_int_not_equal(fp[0]->feed, fp[1]->feed);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_and_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_and_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_quoted_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_stray_quote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_tail_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_rewrite_keeps_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_birth_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_same_length_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_renamed_while_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_quote_at_end_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_quote_at_end_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_at_end_only_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_rename_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_before_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_twice_before_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_known_not_reread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_while_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate_regrow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_resumes_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_fingerprint_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_rotated_away, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_gone_file_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_line_across_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_crlf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_symlinks_one_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identical_heads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc_pause_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_replay_mid_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_replay_after_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_rewinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_after_gone_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glob_away_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_target_rotated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_new_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_feeds_one_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_file_in_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotated_name_inside_glob, setup, teardown),
	};

	log_init(0, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
