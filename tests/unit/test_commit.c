/*
 * test_commit.c — commit.c: the arguments of commit.lua for a batch, pinned
 * against the ARGV layout at the top of commit.lua (KEYS in their groups,
 * the head, then each counted section in order), and the de-dup window.
 * The end-to-end behaviour (what Redis then holds) is itest_store's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"
#include "map.h"
#include "tq_config.h"
#include "tz.h"
#include "../../src/store_priv.h"
#include "../common/store_fixture.h"

static const char CONF[] =
	"timezone: Europe/Stockholm\n"
	"redis: { prefix: \"t:\", tag: tq }\n"
	"dedup: { secret_file: /nonexistent/k, window_days: 30 }\n"
	"deadletter: { maxlen: 10 }\n"
	FEEDS_CALLS_CASES_YAML
	"indicators:\n"
	"  - name: booked\n"
	"    numerator: { event: call.booked }\n"
	"    denominator: { event: [call.booked, call.full] }\n"
	"    target: \">= 75%\"\n";

struct fx {
	struct config        *cfg;
	struct batch          b;
	struct commit_scratch cs;
	struct arena          a;
	struct argv_buf       ab;
	size_t                at;       /* next argument the test reads */
};

static int
setup(void **state)
{
	static struct fx f;
	char err[512] = "";

	memset(&f, 0, sizeof(f));
	if (config_parse("t.yaml", CONF, strlen(CONF), &f.cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	assert_int_equal(batch_init(&f.b, 1000, 10), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	commit_scratch_free(&f->cs);
	arena_free(&f->a);
	argv_free(&f->ab);
	batch_done(&f->b);
	config_free(f->cfg);
	return 0;
}

/* The next argument as a string (arguments may hold NULs: binary runs). */
static const char *
next(struct fx *f, size_t *ret_len)
{
	assert_true(f->at < f->ab.n);
	if (ret_len)
		*ret_len = f->ab.len[f->at];
	return f->ab.argv[f->at++];
}

/* Asserts the next argument is want. */
static void
expect(struct fx *f, const char *want)
{
	size_t len;
	const char *s = next(f, &len);

	if (len != strlen(want) || memcmp(s, want, len) != 0)
		fail_msg("argument %zu: '%.*s', expected '%s'", f->at - 1, (int)len, s, want);
}

/* Asserts the next argument is the integer want. */
static void
expect_int(struct fx *f, long long want)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", want);
	expect(f, buf);
}

/* An empty batch: the fixed keys, the head, nine empty sections. */
static void
test_empty(void **state)
{
	struct fx *f = *state;
	const struct commit_head h = { .epoch = "7", .seq = 41, .now_ms = 1700000000123, .reset_ms = 0 };
	size_t i;

	assert_int_equal(commit_build(&f->cs, &f->a, &f->ab, f->cfg, &h, &f->b), 0);
	f->at = 0;
	expect(f, "EVAL");
	assert_true(strstr(next(f, NULL), "tq5") != NULL);      /* the script checks its protocol */
	expect_int(f, 4);                                       /* files, deadletter, stats, scratch */
	expect(f, "t:{tq}:files");
	expect(f, "t:{tq}:deadletter");
	expect(f, "t:{tq}:stats");
	expect(f, "t:{tq}:seen-scratch");
	expect(f, "tq5");
	expect(f, "7");
	expect_int(f, 41);
	expect_int(f, 1700000000123);
	expect_int(f, 10);                                      /* dead-letter maxlen */
	for (i = 0; i < 5; i++)
		expect_int(f, 0);                               /* D M S R C */
	expect_int(f, 30 * 86400);                              /* the window */
	expect_int(f, 0);                                       /* counts */
	expect_int(f, 0);                                       /* id groups ... */
	expect_int(f, 0);                                       /* ... their dups */
	for (i = 0; i < 7; i++)
		expect_int(f, 0);       /* buckets, positions, rejects, dead, maxima, deltas, cases */
	assert_int_equal(f->at, f->ab.n);
}

/*
 * Counts on two days of one month, ids in one group, a line read and a
 * reject, a reset to record: every group of KEYS and each section's records.
 */
static void
test_sections(void **state)
{
	struct fx *f = *state;
	const struct commit_head h = { .epoch = "3", .seq = 5, .now_ms = 1000, .reset_ms = 99 };
	struct combo booked = combo_of(f->cfg, "call.booked", "phone");
	struct combo opened = combo_of(f->cfg, "case.opened", "digital");
	int64_t d1 = days_from_civil(2026, 3, 2), d2 = days_from_civil(2026, 3, 9);
	char field[256];
	const char *runs;
	size_t len;
	int n;

	add_event(&f->b, booked, d2, NULL);
	add_event(&f->b, booked, d1, NULL);
	add_event(&f->b, booked, d1, NULL);
	add_event(&f->b, opened, d1, "a");
	add_event(&f->b, opened, d1, "b");
	batch_line(&f->b, 0);
	batch_reject(&f->b, 0, REJ_EMPTY, 3, "calls-1.txt", "");
	assert_int_equal(commit_build(&f->cs, &f->a, &f->ab, f->cfg, &h, &f->b), 0);

	f->at = 2;
	/* files, deadletter, stats, 2 days, 1 month, 1 seen bucket (both ids
	 * may share one: count the groups instead), 1 rejects hash, scratch */
	n = atoi(next(f, NULL));
	assert_true(n == 4 + 2 + 1 + 1 + 1 || n == 4 + 2 + 1 + 2 + 1);
	expect(f, "t:{tq}:files");
	expect(f, "t:{tq}:deadletter");
	expect(f, "t:{tq}:stats");
	expect(f, "t:{tq}:day:2026-03-02");
	expect(f, "t:{tq}:day:2026-03-09");
	expect(f, "t:{tq}:month:2026-03");
	f->at += (size_t)n - 4 - 3 - 1;         /* the seen buckets, named by their hashes */
	expect(f, "t:{tq}:rejects:calls");
	expect(f, "t:{tq}:seen-scratch");
	expect(f, "tq5");
	expect(f, "3");
	expect_int(f, 5);
	expect_int(f, 1000);
	expect_int(f, 10);
	expect_int(f, 2);                       /* D */
	expect_int(f, 1);                       /* M */
	expect_int(f, n - 4 - 3 - 1);           /* S */
	expect_int(f, 1);                       /* R */
	expect_int(f, 0);                       /* C */
	expect_int(f, 30 * 86400);
	/* counts (events without an id): booked on d1 (2) and on d2 (1), each
	 * (day idx, month idx, field, delta), indexes into KEYS */
	assert_true(combo_format(f->cfg, &booked, field, sizeof(field)) > 0);
	expect_int(f, 2);
	for (int k = 0; k < 2; k++) {
		int day_idx = atoi(next(f, NULL));

		assert_true(day_idx == 4 || day_idx == 5);
		expect_int(f, 6);                       /* the month hash */
		expect(f, field);
		expect_int(f, day_idx == 4 ? 2 : 1);
	}
	/* id groups: one (opened on d1: 2 ids), no duplicates dropped */
	expect_int(f, 1);
	expect_int(f, 0);
	expect_int(f, 4);
	expect_int(f, 6);
	assert_true(combo_format(f->cfg, &opened, field, sizeof(field)) > 0);
	expect(f, field);
	expect_int(f, 2);
	/* buckets: per bucket k, its runs (4 bytes each, group 1), k members */
	expect_int(f, n - 4 - 3 - 1);
	for (int s = 0, total = 0; s < n - 4 - 3 - 1; s++) {
		int k = atoi(next(f, NULL));

		runs = next(f, &len);
		assert_int_equal(len, 4);
		assert_int_equal((unsigned char)runs[0] << 8 | (unsigned char)runs[1], 1);
		assert_int_equal((unsigned char)runs[2] << 8 | (unsigned char)runs[3], k);
		f->at += (size_t)k;
		total += k;
		if (s == n - 4 - 3 - 2)
			assert_int_equal(total, 2);
	}
	expect_int(f, 0);                       /* positions */
	/* rejects: (rejects idx, field, delta) for the reject and the line */
	expect_int(f, 2);
	expect_int(f, n - 1);                   /* the last KEYS but the scratch set */
	expect(f, reject_name(REJ_EMPTY));
	expect_int(f, 1);
	expect_int(f, n - 1);
	expect(f, "lines");
	expect_int(f, 1);
	/* dead letters: the reject's */
	expect_int(f, 1);
	expect(f, "calls");
	expect(f, "calls-1.txt");
	expect_int(f, 3);
	expect(f, reject_name(REJ_EMPTY));
	expect(f, "");
	/* maxima: the reset only (no event times were noted) */
	expect_int(f, 1);
	expect(f, "reset_ms");
	expect_int(f, 99);
	expect_int(f, 0);                       /* month deltas */
	expect_int(f, 0);                       /* case states */
	assert_int_equal(f->at, f->ab.n);
}

/* The window: dedup.window_days in seconds (config_parse guarantees a value). */
static void
test_window(void **state)
{
	struct fx *f = *state;
	unsigned days = f->cfg->dedup.window_days;

	assert_int_equal(commit_window_s(f->cfg), 30u * 86400u);
	f->cfg->dedup.window_days = 3660;       /* the most config_parse allows */
	assert_int_equal(commit_window_s(f->cfg), 3660u * 86400u);
	f->cfg->dedup.window_days = days;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
