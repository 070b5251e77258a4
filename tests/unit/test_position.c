/* Unit tests of position.c: the text form of a committed file position. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "batch.h"
#include "position.h"
#include "tq_config.h"

static struct feed_conf feeds[2] = { { .name = "teleq" }, { .name = "a:b" } };
static struct config cfg = { .nfeeds = 2, .feeds = feeds };

static int
parse(const char *f, const char *v, struct file_pos *p)
{
	return pos_parse(&cfg, f, strlen(f), v, strlen(v), p);
}

/* What is written is read back whole; the path may hold spaces. */
static void
test_round_trip(void **state)
{
	struct file_pos p = { .feed = 1, .dev = 2049, .ino = 131073, .offset = 987654321,
	                      .line = 42, .fp = 0xdeadbeefULL, .fplen = 1024,
	                      .tailfp = 0xfedcba9876543210ULL, .taillen = 4096,
	                      .btime = 1733500000123456789LL }, q;
	char f[512], v[POS_VALUE_MAX];

	(void)state;
	snprintf(p.path, sizeof(p.path), "/var/log/teleq/calls 1.txt");
	assert_int_equal(pos_format_field(&cfg, &p, f, sizeof(f)), (int)strlen("a:b:2049:131073"));
	assert_string_equal(f, "a:b:2049:131073");
	assert_true(pos_format_value(&p, v, sizeof(v)) > 0);
	assert_string_equal(v, "987654321 42 1024 00000000deadbeef 4096 fedcba9876543210 "
	    "1733500000123456789 /var/log/teleq/calls 1.txt");
	assert_int_equal(parse(f, v, &q), 0);
	assert_int_equal(q.feed, 1);
	assert_int_equal(q.dev, 2049);
	assert_int_equal(q.ino, 131073);
	assert_int_equal(q.offset, 987654321);
	assert_int_equal(q.line, 42);
	assert_int_equal(q.fp, 0xdeadbeefULL);
	assert_int_equal(q.fplen, 1024);
	assert_int_equal(q.tailfp, 0xfedcba9876543210ULL);
	assert_int_equal(q.taillen, 4096);
	assert_int_equal(q.btime, 1733500000123456789LL);
	assert_string_equal(q.path, p.path);
	assert_false(q.marker);
	assert_int_equal(pos_format_value(&p, v, 20), -ENOBUFS);
}

/*
 * A CSV file whose header changed mid-file keeps the offset of the header
 * in force (issue 16 item 6); a position without it reads as 0.
 */
static void
test_header_offset(void **state)
{
	struct file_pos p = { .feed = 0, .dev = 1, .ino = 2, .offset = 500, .line = 9,
	                      .fp = 1, .fplen = 64, .tailfp = 2, .taillen = 64, .hdr_off = 321 }, q;
	char v[POS_VALUE_MAX];

	(void)state;
	snprintf(p.path, sizeof(p.path), "/x/h 1.csv");
	assert_true(pos_format_value(&p, v, sizeof(v)) > 0);
	assert_string_equal(v, "500 9 64 0000000000000001 64 0000000000000002 0 h321 /x/h 1.csv");
	assert_int_equal(parse("teleq:1:2", v, &q), 0);
	assert_int_equal(q.hdr_off, 321);
	assert_int_equal(q.offset, 500);
	assert_string_equal(q.path, "/x/h 1.csv");
	/* the longest value still fits */
	p.offset = INT64_MAX;
	p.line = UINT64_MAX;
	p.fplen = UINT32_MAX;
	p.taillen = UINT32_MAX;
	p.btime = INT64_MAX;
	p.hdr_off = INT64_MAX - 1;
	memset(p.path, 'p', sizeof(p.path) - 1);
	assert_true(pos_format_value(&p, v, sizeof(v)) > 0);
	/* none: 0 */
	assert_int_equal(parse("teleq:1:2", "500 9 64 0000000000000001 64 0000000000000002 0 /x", &q), 0);
	assert_int_equal(q.hdr_off, 0);
	/* not before the offset, not 0, a number */
	assert_int_equal(parse("teleq:1:2", "500 9 64 0000000000000001 64 0000000000000002 0 h500 /x",
	    &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "500 9 64 0000000000000001 64 0000000000000002 0 h0 /x",
	    &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "500 9 64 0000000000000001 64 0000000000000002 0 h /x",
	    &q), -EINVAL);
}

/* Positions written before tail fingerprints: read, taillen 0. */
static void
test_old_format(void **state)
{
	struct file_pos q;

	(void)state;
	assert_int_equal(parse("teleq:5:77", "1234 13 64 00000000deadbf3c /x 1.txt", &q), 0);
	assert_int_equal(q.offset, 1234);
	assert_int_equal(q.taillen, 0);
	assert_int_equal(q.tailfp, 0);
	assert_int_equal(q.btime, 0);
	assert_string_equal(q.path, "/x 1.txt");
}

/* The start marker of a feed. */
static void
test_marker(void **state)
{
	struct file_pos p = { .feed = 0, .marker = true }, q;
	char f[64], v[8];

	(void)state;
	assert_true(pos_format_field(&cfg, &p, f, sizeof(f)) > 0);
	assert_string_equal(f, "teleq:started");
	assert_int_equal(pos_format_value(&p, v, sizeof(v)), 1);
	assert_int_equal(parse(f, v, &q), 0);
	assert_true(q.marker);
	assert_int_equal(q.feed, 0);
	assert_int_equal(parse("gone:started", "1", &q), -ENOENT);
	assert_false(q.cols.have_header);

	/* with the columns of the feed's last header: numbers only */
	p.cols.have_header = true;
	p.cols.ncolumns = 7;
	p.cols.header_len = 70;
	p.cols.header_hash = 0x0123456789abcdefULL;
	for (int i = 0; i < TQ_MAX_SLOTS; i++)
		p.cols.col[i] = i < 3 ? 3 - i : -1;
	{
		char w[POS_VALUE_MAX];

		assert_true(pos_format_value(&p, w, sizeof(w)) > 0);
		assert_string_equal(w, "1 7 70 0123456789abcdef 16 3 2 1 -1 -1 -1 -1 -1 -1 -1 -1 -1 "
		    "-1 -1 -1 -1");
		assert_int_equal(parse(f, w, &q), 0);
	}
	assert_true(q.marker);
	assert_true(q.cols.have_header);
	assert_int_equal(q.cols.ncolumns, 7);
	assert_int_equal(q.cols.header_len, 70);
	assert_int_equal(q.cols.header_hash, 0x0123456789abcdefULL);
	assert_memory_equal(q.cols.col, p.cols.col, sizeof(q.cols.col));
	assert_int_equal(parse(f, "1 7 70 0123456789abcdef 2 3 7", &q), -EINVAL);  /* column 7 of 7 */
	assert_int_equal(parse(f, "1 7 70 0123456789abcdef 17", &q), -EINVAL);
	assert_int_equal(parse(f, "2", &q), -EINVAL);
	assert_int_equal(parse(f, "1 7", &q), -EINVAL);
}

/* Anything else is malformed, never half read. */
static void
test_malformed(void **state)
{
	struct file_pos q;

	(void)state;
	assert_int_equal(parse("other:1:2", "5 1 0 0000000000000000 /x", &q), -ENOENT);
	assert_int_equal(parse("teleq:1:2", "five 1 0 0000000000000000 /x", &q), -EINVAL);
	assert_int_equal(parse("teleq:1", "5 1 0 0000000000000000 /x", &q), -EINVAL);
	assert_int_equal(parse("teleq:1:x", "5 1 0 0000000000000000 /x", &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "5 1 9 0000000000000000 /x", &q), -EINVAL);     /* fplen > offset */
	assert_int_equal(parse("teleq:1:2", "5 1 0 00000000000000 /x", &q), -EINVAL);       /* short fp */
	assert_int_equal(parse("teleq:1:2", "5 1 0 000000000000000G /x", &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "5 1 0 0000000000000000 6 0000000000000000 0 /x", &q),
	    -EINVAL);                                                                    /* taillen > offset */
	assert_int_equal(parse("teleq:1:2", "5 1 0 0000000000000000 5 0000000000000000 /x", &q),
	    -EINVAL);                                                                    /* no btime */
	assert_int_equal(parse("teleq:1:2", "5 1 0 0000000000000000 5 0000000000000000 -1 /x",
	    &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "9000 1 0 0000000000000000 4097 0000000000000000 0 /x",
	    &q), -EINVAL);                                                               /* taillen > 4096 */
	assert_int_equal(parse("teleq:1:2", "5 1 0 0000000000000000 5 00 /x", &q), -EINVAL);
	assert_int_equal(parse("teleq:1:2", "5 1 0", &q), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_offset),
		cmocka_unit_test(test_old_format),
		cmocka_unit_test(test_marker),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
