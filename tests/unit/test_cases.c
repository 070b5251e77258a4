/*
 * test_cases.c — the daemon's table of case states (cases.c): events to
 * the indicators they match, counter changes into the batch, flushing of
 * changed states, decisions by time, expiry, reload from stored text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "batch.h"
#include "cases.h"
#include "cohort.h"
#include "map.h"
#include "tq_config.h"
#include "tz.h"

static const char CONF[] =
	"timezone: Europe/Stockholm\n"
	"dedup: { secret_file: /etc/teleqd/dedup.key, window_days: 30 }\n"
	"feeds:\n"
	"  - name: ev\n"
	"    path: /var/log/ev-*.jsonl\n"
	"    format: jsonl\n"
	"    time: { field: at }\n"
	"    case: case_id\n"
	"    event: { field: e, map: { o: case.opened, c: case.confirmed, f: case.first_contact } }\n"
	"indicators:\n"
	"  - name: confirmed\n"
	"    kind: deadline\n"
	"    start: { event: case.opened }\n"
	"    stop: { event: case.confirmed }\n"
	"    within: 24h\n"
	"    target: \">= 80%\"\n"
	"  - name: contacted\n"
	"    kind: deadline\n"
	"    start: { event: case.opened }\n"
	"    stop: { event: case.first_contact }\n"
	"    within: 7d\n"
	"    target: \">= 80%\"\n";

struct fx {
	struct config *cfg;
	struct tz     *tz;
	struct cases  *cs;
	struct batch   b;
};

static int
setup(void **state)
{
	static struct fx f;
	char err[512];

	memset(&f, 0, sizeof(f));
	assert_int_equal(config_parse("t.yaml", CONF, strlen(CONF), &f.cfg, err, sizeof(err)), 0);
	assert_int_equal(tz_load("Europe/Stockholm", &f.tz), 0);
	assert_int_equal(cases_new(f.cfg, f.tz, &f.cs), 0);
	assert_int_equal(batch_init(&f.b, 1000, 10), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	batch_done(&f->b);
	cases_free(f->cs);
	tz_free(f->tz);
	config_free(f->cfg);
	return 0;
}

/* An event of kind ("case.opened", ...) at utc for case number n. */
static struct event
ev(const struct fx *f, const char *kind, int64_t utc, unsigned n)
{
	struct event e;

	memset(&e, 0, sizeof(e));
	e.c.event = config_value_id(f->cfg, -1, kind, strlen(kind));
	assert_int_not_equal(e.c.event, 0);
	e.utc = utc;
	e.has_case = true;
	memcpy(e.case_id, &n, sizeof(n));
	e.case_id[15] = (uint8_t)(n * 37);     /* spread the hash a little */
	e.extend_day = CASE_NO_DAY;
	return e;
}

/* Sum of the batch's changes of indicator ind in month. */
static struct cohort_delta
deltas(const struct batch *b, uint16_t ind, int64_t month)
{
	struct cohort_delta d = { 0, 0, 0, 0 };

	for (size_t i = 0; i < b->ncdeltas; i++)
		if (b->cdeltas[i].ind == ind && b->cdeltas[i].month == month) {
			d.met += (int32_t)b->cdeltas[i].met;
			d.missed += (int32_t)b->cdeltas[i].missed;
			d.pending += (int32_t)b->cdeltas[i].pending;
			d.extended += (int32_t)b->cdeltas[i].extended;
		}
	return d;
}

#define T0      1772442000              /* 2026-03-02 10:00 CET */
#define MARCH   (2026 * 12 + 2)

/* One start reaches both indicators; each stop only its own. */
static void
test_events_and_flush(void **state)
{
	struct fx *f = *state;
	struct event e = ev(f, "case.opened", T0, 1);
	struct cohort_delta d;

	assert_int_equal(cases_event(f->cs, &e, T0 + 60, &f->b), 0);
	assert_int_equal(cases_count(f->cs), 2);
	d = deltas(&f->b, 0, MARCH);
	assert_int_equal(d.pending, 1);
	d = deltas(&f->b, 1, MARCH);
	assert_int_equal(d.pending, 1);
	e = ev(f, "case.confirmed", T0 + 3600, 1);
	assert_int_equal(cases_event(f->cs, &e, T0 + 7200, &f->b), 0);
	d = deltas(&f->b, 0, MARCH);
	assert_int_equal(d.pending, 0);
	assert_int_equal(d.met, 1);
	assert_int_equal(deltas(&f->b, 1, MARCH).pending, 1);     /* untouched */

	assert_int_equal(cases_flush(f->cs, &f->b), 0);
	assert_int_equal(f->b.ncases, 2);
	assert_true(strstr(f->b.cases[0].text, "s=1772442000") != NULL);
	batch_clear(&f->b);
	assert_int_equal(cases_flush(f->cs, &f->b), 0);
	assert_int_equal(f->b.ncases, 0);                          /* nothing changed since */

	/* an event no indicator filters for leaves no state behind */
	e = ev(f, "case.first_contact", T0, 99);
	assert_int_equal(cases_event(f->cs, &e, T0, &f->b), 0);
	assert_int_equal(cases_count(f->cs), 3);                   /* an orphan stop is kept */
}

/* Time decides: a pending case becomes missed once its deadline is behind now. */
static void
test_tick(void **state)
{
	struct fx *f = *state;
	struct event e = ev(f, "case.opened", T0, 2);

	assert_int_equal(cases_event(f->cs, &e, T0, &f->b), 0);
	batch_clear(&f->b);
	assert_true(cases_next(f->cs) <= T0 + 86400);
	assert_int_equal(cases_tick(f->cs, T0 + 86399, &f->b), 0);
	assert_int_equal(f->b.ncdeltas, 0);                        /* 23:59:59: still in time */
	assert_int_equal(cases_tick(f->cs, T0 + 86400, &f->b), 0);
	assert_int_equal(deltas(&f->b, 0, MARCH).missed, 1);
	assert_int_equal(deltas(&f->b, 0, MARCH).pending, -1);
	assert_int_equal(deltas(&f->b, 1, MARCH).missed, 0);       /* 7 days are not over */
	/* expiry: window_days (30) after the latest instant the state knows */
	batch_clear(&f->b);
	assert_int_equal(cases_tick(f->cs, T0 + 60 * 86400, &f->b), 0);
	assert_int_equal(cases_count(f->cs), 0);
	assert_int_equal(f->b.ncases, 2);
	assert_string_equal(f->b.cases[0].text, "");               /* deletions */
	assert_int_equal(cases_next(f->cs), INT64_MAX);
}

/* Many cases, then every other one expired: deletion keeps the rest findable. */
static void
test_many_and_delete(void **state)
{
	struct fx *f = *state;
	unsigned n;

	for (n = 0; n < 2000; n++) {
		struct event e = ev(f, "case.opened", T0 + (n % 2) * 100 * 86400, n);

		assert_int_equal(cases_event(f->cs, &e, T0, &f->b), 0);
	}
	assert_int_equal(cases_count(f->cs), 4000);
	batch_clear(&f->b);
	/* the even ones (started at T0) expire, the odd ones (100 days later) stay */
	assert_int_equal(cases_tick(f->cs, T0 + 60 * 86400, &f->b), 0);
	assert_int_equal(cases_count(f->cs), 2000);
	for (n = 1; n < 2000; n += 2) {
		/* a stop for a kept case changes it, it does not make a new one */
		struct event e = ev(f, "case.confirmed", T0 + 100 * 86400 + 10, n);

		assert_int_equal(cases_event(f->cs, &e, T0 + 100 * 86400 + 20, &f->b), 0);
	}
	assert_int_equal(cases_count(f->cs), 2000);
}

/* A stored state is loaded back and found by the next event; bad text is refused. */
static void
test_load(void **state)
{
	struct fx *f = *state;
	char field[33];
	struct event e = ev(f, "case.opened", T0, 7);
	char text[CASE_TEXT_MAX];
	size_t k;

	assert_int_equal(cases_event(f->cs, &e, T0, &f->b), 0);
	batch_clear(&f->b);
	assert_int_equal(cases_flush(f->cs, &f->b), 0);
	assert_int_equal(f->b.ncases, 2);
	k = f->b.cases[0].ind == 0 ? 0 : 1;            /* the "confirmed" indicator's state */
	assert_int_equal(f->b.cases[k].ind, 0);
	snprintf(text, sizeof(text), "%s", f->b.cases[k].text);
	for (int i = 0; i < 16; i++) {
		field[2 * i] = (char)('a' + (e.case_id[i] >> 4));
		field[2 * i + 1] = (char)('a' + (e.case_id[i] & 15));
	}
	field[32] = '\0';
	cases_clear(f->cs);
	assert_int_equal(cases_count(f->cs), 0);
	assert_int_equal(cases_load(f->cs, 0, field, 32, text, strlen(text)), 0);
	assert_int_equal(cases_count(f->cs), 1);
	batch_clear(&f->b);
	e = ev(f, "case.confirmed", T0 + 60, 7);
	assert_int_equal(cases_event(f->cs, &e, T0 + 120, &f->b), 0);
	assert_int_equal(deltas(&f->b, 0, MARCH).met, 1);          /* the loaded start counted */
	assert_int_equal(deltas(&f->b, 0, MARCH).pending, -1);
	assert_int_equal(cases_count(f->cs), 1);       /* found, not a new one */

	assert_int_equal(cases_load(f->cs, 0, "0123456789abcdef0123456789abcdef", 32, text,
	                            strlen(text)), -EINVAL);    /* digits are not the encoding */
	assert_int_equal(cases_load(f->cs, 0, field, 31, text, strlen(text)), -EINVAL);
	assert_int_equal(cases_load(f->cs, 0, field, 32, "s=x", 3), -EINVAL);
	assert_int_equal(cases_load(f->cs, 5, field, 32, text, strlen(text)), -EINVAL);
}

/*
 * A state stored before the extended counter (lowercase r, an extension
 * not counted): due at once, the next tick counts its extension, exactly
 * once, and stores it uppercase.
 */
static void
test_load_old_extension(void **state)
{
	struct fx *f = *state;
	static const char old[] = "s=1772442000 p=1772445600 d=1772751599 m=24314 a=0 t=20517 r=m:24314";
	static const char counted[] = "s=1772442000 p=1772445600 d=1772751599 m=24314 a=0 t=20517 r=M:24314";
	static const char field[] = "abcdefghijklmnopabcdefghijklmnop";
	struct cohort_delta d;

	assert_int_equal(cases_load(f->cs, 0, field, 32, old, strlen(old)), 0);
	assert_true(cases_next(f->cs) <= T0);
	batch_clear(&f->b);
	assert_int_equal(cases_tick(f->cs, T0 + 86400, &f->b), 0);
	d = deltas(&f->b, 0, MARCH);
	assert_int_equal(d.extended, 1);
	assert_int_equal(d.met + d.missed + d.pending, 0);
	assert_int_equal(cases_flush(f->cs, &f->b), 0);
	assert_int_equal(f->b.ncases, 1);
	assert_non_null(strstr(f->b.cases[0].text, " r=M:24314"));
	/* counted: a later tick, or the state loaded again as stored, changes nothing */
	batch_clear(&f->b);
	assert_int_equal(cases_tick(f->cs, T0 + 2 * 86400, &f->b), 0);
	assert_int_equal(f->b.ncdeltas, 0);
	cases_clear(f->cs);
	assert_int_equal(cases_load(f->cs, 0, field, 32, counted, strlen(counted)), 0);
	assert_int_equal(cases_tick(f->cs, T0 + 2 * 86400, &f->b), 0);
	assert_int_equal(f->b.ncdeltas, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_and_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_old_extension, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
