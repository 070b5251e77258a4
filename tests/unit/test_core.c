/* Unit tests of small pure modules: siphash, ratelimit, batch, keys. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "batch.h"
#include "keys.h"
#include "log.h"
#include "map.h"
#include "siphash.h"
#include "tq_config.h"

/* Reference vectors from the SipHash paper (key 00..0f, message 00..len-1). */
static void
test_siphash_vectors(void **state)
{
	uint8_t key[16], msg[64];
	int i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
	/* A different key gives a different tag for the same message. */
	key[0] ^= 1;
	assert_true(siphash24(key, msg, 15) != 0xa129ca6149be45e5ULL);
}

static void
test_ratelimit_window(void **state)
{
	struct ratelimit rl = { .interval = 10, .burst = 3 };
	unsigned sup = 99;
	int i, passed = 0;

	for (i = 0; i < 10; i++)
		passed += ratelimit_pass(&rl, 100, &sup);
	assert_int_equal(passed, 3);
	assert_int_equal(rl.suppressed, 7);
	/* Still inside the window. */
	assert_false(ratelimit_pass(&rl, 109, &sup));
	assert_int_equal(sup, 0);
	/* A new window reports what the old one dropped. */
	assert_true(ratelimit_pass(&rl, 110, &sup));
	assert_int_equal(sup, 8);
	/* Time going backwards (clock change) opens a new window rather than stalling. */
	assert_true(ratelimit_pass(&rl, 50, &sup));
}

static struct event
mkevent(int64_t day, uint16_t ev, uint16_t d0)
{
	struct event e;

	memset(&e, 0, sizeof(e));
	e.day = day;
	e.c.event = ev;
	e.c.dim[0] = d0;
	return e;
}

static void
test_batch_aggregates(void **state)
{
	struct batch b;
	struct event e;
	size_t i;
	int64_t total = 0;

	assert_int_equal(batch_init(&b, 100000, 4), 0);
	assert_true(batch_empty(&b));
	/* 3000 events over 30 days x 2 kinds: 60 distinct counters. */
	for (i = 0; i < 3000; i++) {
		e = mkevent(20500 + (int64_t)(i % 30), (uint16_t)(1 + (i / 30) % 2), 1);
		assert_int_equal(batch_add(&b, &e), 0);
	}
	assert_int_equal(b.ncounts, 60);
	assert_int_equal(b.nevents, 3000);
	for (i = 0; i < b.ncounts; i++) {
		assert_int_equal(b.counts[i].n, 50);
		total += b.counts[i].n;
	}
	assert_int_equal(total, 3000);
	assert_false(batch_empty(&b));
	batch_clear(&b);
	assert_true(batch_empty(&b));
	assert_int_equal(b.ncounts, 0);
	/* Reuse after clear finds no stale entries. */
	e = mkevent(20500, 1, 1);
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(b.ncounts, 1);
	assert_int_equal(b.counts[0].n, 1);
	batch_done(&b);
	batch_done(&b);         /* idempotent */
}

static void
test_batch_many_keys_grow(void **state)
{
	struct batch b;
	struct event e;
	size_t i;

	assert_int_equal(batch_init(&b, 100000, 0), 0);
	for (i = 0; i < 20000; i++) {
		e = mkevent((int64_t)i, 1, (uint16_t)(i % 7));
		assert_int_equal(batch_add(&b, &e), 0);
	}
	assert_int_equal(b.ncounts, 20000);
	assert_true(b.index_cap >= 40000);
	/* Adding the same keys again only increments. */
	for (i = 0; i < 20000; i++) {
		e = mkevent((int64_t)i, 1, (uint16_t)(i % 7));
		assert_int_equal(batch_add(&b, &e), 0);
	}
	assert_int_equal(b.ncounts, 20000);
	for (i = 0; i < b.ncounts; i++)
		assert_int_equal(b.counts[i].n, 2);
	batch_done(&b);
}

static void
test_batch_full_and_ids(void **state)
{
	struct batch b;
	struct event e = mkevent(1, 1, 0);

	assert_int_equal(batch_init(&b, 3, 1), 0);
	e.has_id = true;
	memset(e.id, 0xab, sizeof(e.id));
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(batch_add(&b, &e), 0);     /* a repeat in the batch: only counted */
	assert_int_equal(b.nids, 1);
	assert_int_equal(b.dups, 1);
	assert_int_equal(b.nevents, 2);
	assert_int_equal(b.ncounts, 1);
	assert_int_equal(b.counts[0].n, 0);
	assert_int_equal(b.counts[0].nids, 1);
	batch_reject(&b, 0, REJ_JSON, 7, "/x", "not JSON");
	assert_true(batch_full(&b));
	e.has_id = false;
	assert_int_equal(batch_add(&b, &e), -ENOSPC);
	/* Dead letters are bounded; rejects still counted. */
	batch_reject(&b, 0, REJ_JSON, 8, "/x", "not JSON");
	assert_int_equal(b.ndead, 1);
	assert_int_equal(b.rejects[0 * REJ__MAX + REJ_JSON], 2);
	assert_int_equal(b.dead[0].line, 7);
	assert_string_equal(b.dead[0].detail, "not JSON");
	batch_done(&b);
}

/*
 * The seen bucket and member of a hashed id: bytes 0-7 little-endian as a
 * signed 64-bit integer (whatever the host), byte 8 the bucket; the other
 * bytes play no part.
 */
static void
test_seen_slot(void **state)
{
	uint8_t id[16];
	unsigned bucket;
	int64_t member;
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		id[i] = (uint8_t)(i + 1);
	seen_slot(id, &bucket, &member);
	assert_int_equal(bucket, 9);
	assert_true(member == (int64_t)0x0807060504030201LL);
	id[7] = 0xff;                                   /* the sign bit: a negative member */
	id[8] = 0xfe;
	id[9] ^= 0xff;                                  /* not part of it */
	seen_slot(id, &bucket, &member);
	assert_int_equal(bucket, 0xfe % SEEN_BUCKETS);
	assert_true((uint64_t)member == 0xff07060504030201ULL);
	assert_true(member < 0);
	memset(id, 0xff, 8);
	seen_slot(id, &bucket, &member);
	assert_true(member == -1);
}

/*
 * Ids are grouped under their (day, combo) in batch order, unique per
 * (month, id): the same id in another month is another event; ids of an
 * old month are listed too (de-duplicated whatever their age: the seen
 * buckets slide); BATCH_MAX_IDS fills the batch.
 */
static void
test_batch_id_groups(void **state)
{
	struct batch b;
	struct event e;
	size_t i;
	uint32_t k, order[4], n = 0;

	assert_int_equal(batch_init(&b, 100000, 0), 0);
	e = mkevent(20500, 1, 0);                       /* 2026-02-16 */
	e.has_id = true;
	for (i = 0; i < 3; i++) {
		memset(e.id, (int)('a' + i), sizeof(e.id));
		assert_int_equal(batch_add(&b, &e), 0);
	}
	e.day = 20501;                                  /* same month: a repeat */
	memset(e.id, 'b', sizeof(e.id));
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(b.dups, 1);
	e.day = 20485;                                  /* 2026-02-01, same month: a repeat */
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(b.dups, 2);
	e.day = 20484;                                  /* 2026-01-31: another month */
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(b.dups, 2);
	assert_int_equal(b.nids, 4);
	e.day = 20453 - 3650;                           /* ten years before 2025-12-31: listed */
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(batch_add(&b, &e), 0);         /* and its repeat dropped */
	assert_int_equal(b.nids, 5);
	assert_int_equal(b.dups, 3);
	assert_int_equal(b.ncounts, 5);                 /* 20500, 20501 and 20485 (empty), 20484, 16803 */
	for (i = 0; i < b.ncounts; i++) {
		const struct batch_count *c = &b.counts[i];

		switch (c->day) {
		case 20500:
			assert_int_equal(c->nids, 3);
			assert_int_equal(c->n, 0);
			for (k = c->first_id; k != UINT32_MAX; k = b.ids[k].next)
				order[n++] = k;
			assert_int_equal(n, 3);
			for (k = 0; k < 3; k++)
				assert_int_equal(b.ids[order[k]].id[0], 'a' + k);
			break;
		case 20484:
			assert_int_equal(c->nids, 1);
			assert_int_equal(b.ids[c->first_id].id[5], 'b');
			break;
		case 20453 - 3650:
			assert_int_equal(c->nids, 1);
			assert_int_equal(c->n, 0);
			break;
		default:
			assert_true(c->day == 20501 || c->day == 20485);
			assert_int_equal(c->nids + c->n, 0);
		}
	}
	/* Cleared: the same ids are new again. */
	batch_clear(&b);
	assert_int_equal(b.dups, 0);
	e.day = 20500;
	assert_int_equal(batch_add(&b, &e), 0);
	assert_int_equal(b.nids, 1);
	assert_int_equal(b.dups, 0);
	/* Many distinct ids: the table grows, the cap fills the batch. */
	batch_clear(&b);
	for (i = 0; i < BATCH_MAX_IDS; i++) {
		assert_false(batch_full(&b));
		memset(e.id, 0, sizeof(e.id));
		memcpy(e.id, &i, sizeof(i));
		assert_int_equal(batch_add(&b, &e), 0);
	}
	assert_int_equal(b.nids, BATCH_MAX_IDS);
	assert_int_equal(b.dups, 0);
	assert_true(batch_full(&b));
	assert_int_equal(batch_add(&b, &e), -ENOSPC);
	batch_done(&b);
}

static void
test_batch_positions_replace(void **state)
{
	struct batch b;
	struct file_pos p;

	assert_int_equal(batch_init(&b, 10, 0), 0);
	memset(&p, 0, sizeof(p));
	p.feed = 1; p.dev = 2; p.ino = 3; p.offset = 100;
	assert_int_equal(batch_position(&b, &p), 0);
	p.offset = 250;
	assert_int_equal(batch_position(&b, &p), 0);
	p.ino = 4; p.offset = 5;
	assert_int_equal(batch_position(&b, &p), 0);
	assert_int_equal(b.npos, 2);
	assert_int_equal(b.pos[0].offset, 250);
	assert_int_equal(b.pos[1].offset, 5);
	assert_false(batch_empty(&b));
	batch_done(&b);
}

static void
test_key_names(void **state)
{
	struct config cfg;
	char buf[32];

	memset(&cfg, 0, sizeof(cfg));
	cfg.redis.prefix = "teleq:";
	cfg.redis.tag = "teleqd";
	assert_int_equal(key_name(&cfg, buf, sizeof(buf), "month:%s", "2026-03"), 28);
	assert_string_equal(buf, "teleq:{teleqd}:month:2026-03");
	assert_int_equal(key_name(&cfg, buf, 10, "month:%s", "2026-03"), -ENOBUFS);
}

static void
test_reject_names(void **state)
{
	int r;

	for (r = 0; r < REJ__MAX; r++)
		assert_non_null(reject_name((enum reject)r));
	assert_string_equal(reject_name(REJ_JSON), "bad_json");
	assert_string_equal(reject_name(REJ_TOO_LONG), "too_long");
	assert_string_equal(reject_name(REJ__MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_ratelimit_window),
		cmocka_unit_test(test_batch_aggregates),
		cmocka_unit_test(test_batch_many_keys_grow),
		cmocka_unit_test(test_batch_full_and_ids),
		cmocka_unit_test(test_batch_id_groups),
		cmocka_unit_test(test_seen_slot),
		cmocka_unit_test(test_batch_positions_replace),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_reject_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
