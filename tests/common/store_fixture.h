/*
 * store_fixture.h — what the store tests (tests/unit/test_commit.c,
 * tests/integration/itest_store.c) share: the feeds they configure and the
 * way they put events into a batch. Include after <cmocka.h>.
 */
#ifndef TQ_TEST_STORE_FIXTURE_H
#define TQ_TEST_STORE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "batch.h"
#include "core.h"
#include "map.h"
#include "tq_config.h"

/*
 * Two feeds: "calls", a CSV call log counting call.booked and call.full on
 * channel phone, and "cases", a JSONL case feed opening cases with the
 * channel mapped from their source. A YAML fragment starting at `feeds:`;
 * it holds no '%', so it may also stand in a printf format.
 */
#define FEEDS_CALLS_CASES_YAML \
	"feeds:\n" \
	"  - name: calls\n" \
	"    path: /nonexistent/calls-*.txt\n" \
	"    format: csv\n" \
	"    time: { field: t }\n" \
	"    event: { field: r, map: { B: call.booked, F: call.full } }\n" \
	"    set: { channel: phone }\n" \
	"  - name: cases\n" \
	"    path: /nonexistent/cases-*.jsonl\n" \
	"    format: jsonl\n" \
	"    time: { field: created }\n" \
	"    id: case_id\n" \
	"    event: { value: case.opened }\n" \
	"    dimensions:\n" \
	"      channel: { field: source, map: { web: digital, phone: phone } }\n"

/* The combo of an event kind and a channel value (the only dimension). */
static inline struct combo
combo_of(const struct config *cfg, const char *event, const char *channel)
{
	struct combo c;

	memset(&c, 0, sizeof(c));
	c.event = config_value_id(cfg, -1, event, strlen(event));
	c.dim[0] = config_value_id(cfg, 0, channel, strlen(channel));
	assert_int_not_equal(c.event, 0);
	assert_int_not_equal(c.dim[0], 0);
	return c;
}

/*
 * Adds one event of combo c at noon UTC of day d; with an id when id is not
 * NULL (the 16-byte hash is the text, zero padded).
 */
static inline void
add_event(struct batch *b, struct combo c, int64_t d, const char *id)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.c = c;
	ev.day = d;
	ev.utc = d * SECS_PER_DAY + SECS_PER_DAY / 2;
	if (id) {
		ev.has_id = true;
		memcpy(ev.id, id, strnlen(id, sizeof(ev.id)));
	}
	assert_int_equal(batch_add(b, &ev), 0);
}

#endif /* TQ_TEST_STORE_FIXTURE_H */
