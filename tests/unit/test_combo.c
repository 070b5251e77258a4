/*
 * test_combo.c — counter field names (combo_format/combo_parse) and filters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core.h"
#include "map.h"
#include "tq_config.h"
#include "fixture_config.h"

static struct combo
mk(uint16_t ev, uint16_t channel, uint16_t party, uint16_t type)
{
	struct combo c = { .event = ev };

	c.dim[D_CHANNEL] = channel;
	c.dim[D_PARTY] = party;
	c.dim[D_TYPE] = type;
	return c;
}

static int
parse(const struct config *cfg, const char *s, struct combo *c)
{
	return combo_parse(cfg, s, strlen(s), c);
}

/* format -> parse gives the same combo, for full, partial and bare combos. */
static void
test_round_trip(void **state)
{
	struct config cfg = fixture_config();
	static const struct {
		uint16_t ev, ch, pa, ty;
		const char *text;
	} cases[] = {
		{ EV_BOOKED, CH_PHONE, PA_PATIENT, 0, "call.booked|channel=phone|party=patient" },
		{ EV_CASE, CH_1177, PA_RELATIVE, 2,
		  "case.new|channel=1177|party=relative|type=informationsarende" },
		{ EV_CASE, 0, PA_PROVIDER, 0, "case.new|party=provider" },
		{ EV_CASE, 0, 0, 1, "case.new|type=patientarende" },
		{ EV_OFFERED, 0, 0, 0, "call.offered" },
	};
	char buf[128];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct combo c = mk(cases[k].ev, cases[k].ch, cases[k].pa, cases[k].ty), back;
		int n = combo_format(&cfg, &c, buf, sizeof(buf));

		assert_int_equal(n, (int)strlen(cases[k].text));
		assert_string_equal(buf, cases[k].text);
		memset(&back, 0xAA, sizeof(back));
		assert_int_equal(combo_parse(&cfg, buf, (size_t)n, &back), 0);
		assert_memory_equal(&back, &c, sizeof(c));
	}
}

/* Dimensions are written in config (name) order whatever the input order. */
static void
test_parse_any_order(void **state)
{
	struct config cfg = fixture_config();
	struct combo c;
	char buf[128];

	(void)state;
	assert_int_equal(parse(&cfg, "call.booked|party=patient|channel=phone", &c), 0);
	assert_int_equal(c.event, EV_BOOKED);
	assert_int_equal(c.dim[D_CHANNEL], CH_PHONE);
	assert_int_equal(c.dim[D_PARTY], PA_PATIENT);
	assert_int_equal(c.dim[D_TYPE], 0);
	assert_true(combo_format(&cfg, &c, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "call.booked|channel=phone|party=patient");
	/* Only len bytes are read. */
	assert_int_equal(combo_parse(&cfg, "case.new|party=patient|junk", 22, &c), 0);
	assert_int_equal(c.event, EV_CASE);
	assert_int_equal(c.dim[D_PARTY], PA_PATIENT);
}

/* Unknown names parse (old counters stay readable) but match no filter. */
static void
test_unknown_names(void **state)
{
	struct config cfg = fixture_config();
	const struct filter all = { 0, NULL };
	struct combo c;

	(void)state;
	assert_int_equal(parse(&cfg, "case.closed|party=patient", &c), 0);
	assert_int_equal(c.event, 0);
	assert_int_equal(c.dim[D_PARTY], PA_PATIENT);
	assert_false(filter_match(&all, &c));

	assert_int_equal(parse(&cfg, "case.new|channel=fax|party=patient", &c), 0);
	assert_int_equal(c.event, 0);
	assert_int_equal(c.dim[D_CHANNEL], 0);
	assert_int_equal(c.dim[D_PARTY], PA_PATIENT);
	assert_false(filter_match(&all, &c));
	assert_false(filter_match(&cfg.indicators[IND_DIGITAL].den, &c));

	assert_int_equal(parse(&cfg, "case.new|party=patient|region=halland", &c), 0);
	assert_int_equal(c.event, 0);
	assert_false(filter_match(&cfg.indicators[IND_DIGITAL].den, &c));

	/* Names are case-sensitive and exact: no prefix matches. */
	assert_int_equal(parse(&cfg, "Case.new", &c), 0);
	assert_int_equal(c.event, 0);
	assert_int_equal(parse(&cfg, "case.ne", &c), 0);
	assert_int_equal(c.event, 0);
	assert_int_equal(parse(&cfg, "case.new|party=patients", &c), 0);
	assert_int_equal(c.event, 0);
}

/* Malformed fields: -EINVAL and *ret untouched. */
static void
test_parse_syntax(void **state)
{
	struct config cfg = fixture_config();
	static const char *const bad[] = {
		"", "|party=patient", "case.new|", "case.new|party", "case.new|=patient",
		"case.new|party=", "case.new||party=patient", "case.new|party=patient|party=relative",
		"case.new|party=patient|",
	};
	struct combo c, keep;

	(void)state;
	memset(&keep, 0x5A, sizeof(keep));
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		c = keep;
		assert_int_equal(parse(&cfg, bad[k], &c), -EINVAL);
		assert_memory_equal(&c, &keep, sizeof(c));
	}
	/* A value may hold '=': only the first one separates. */
	assert_int_equal(parse(&cfg, "case.new|party=pat=ient", &c), 0);
	assert_int_equal(c.event, 0);
}

/* combo_format refuses what it could not write or parse back. */
static void
test_format_errors(void **state)
{
	struct config cfg = fixture_config();
	struct combo c = mk(EV_BOOKED, CH_PHONE, PA_PATIENT, 0);
	const char *want = "call.booked|channel=phone|party=patient";
	size_t n = strlen(want);
	char buf[64];

	(void)state;
	assert_int_equal(combo_format(&cfg, &c, buf, n + 1), (int)n);  /* exact fit */
	assert_string_equal(buf, want);
	assert_int_equal(combo_format(&cfg, &c, buf, n), -ENOBUFS);
	assert_int_equal(combo_format(&cfg, &c, buf, 5), -ENOBUFS);
	assert_int_equal(combo_format(&cfg, &c, buf, 0), -ENOBUFS);

	c = mk(0, CH_PHONE, 0, 0);
	assert_int_equal(combo_format(&cfg, &c, buf, sizeof(buf)), -EINVAL);
	c = mk(4, 0, 0, 0);
	assert_int_equal(combo_format(&cfg, &c, buf, sizeof(buf)), -EINVAL);
	c = mk(EV_CASE, 5, 0, 0);
	assert_int_equal(combo_format(&cfg, &c, buf, sizeof(buf)), -EINVAL);
	c = mk(EV_CASE, 0, 0, 0);
	c.dim[5] = 1;   /* beyond the configured dimensions */
	assert_int_equal(combo_format(&cfg, &c, buf, sizeof(buf)), -EINVAL);

	/* A name holding the separator would not parse back. */
	cfg.dims[D_PARTY].values[0] = "pa|tient";
	c = mk(EV_CASE, 0, PA_PATIENT, 0);
	assert_int_equal(combo_format(&cfg, &c, buf, sizeof(buf)), -EINVAL);
}

/* Filters: lists per dimension, every clause must hold, missing dimension never matches. */
static void
test_filter(void **state)
{
	struct config cfg = fixture_config();
	const struct filter *num = &cfg.indicators[IND_DIGITAL].num;
	const struct filter *den = &cfg.indicators[IND_DIGITAL].den;
	static uint16_t ev_none[] = { 0 };
	struct clause bad_dim[] = { { .dim = TQ_MAX_DIMS, .n = 1, .ids = fx_ch_1177 } };
	struct clause empty_list[] = { { .dim = D_CHANNEL, .n = 0, .ids = NULL } };
	struct clause zero_list[] = { { .dim = D_TYPE, .n = 1, .ids = ev_none } };
	struct filter f;
	struct combo c;

	(void)state;
	c = mk(EV_CASE, CH_1177, PA_PATIENT, 1);
	assert_true(filter_match(num, &c));
	assert_true(filter_match(den, &c));
	c = mk(EV_CASE, CH_1177, PA_RELATIVE, 0);      /* second entry of the list */
	assert_true(filter_match(num, &c));
	c = mk(EV_CASE, CH_1177, PA_PROVIDER, 0);      /* not in the list */
	assert_false(filter_match(num, &c));
	assert_false(filter_match(den, &c));
	c = mk(EV_CASE, CH_PHONE, PA_PATIENT, 0);      /* den only */
	assert_false(filter_match(num, &c));
	assert_true(filter_match(den, &c));
	c = mk(EV_BOOKED, CH_1177, PA_PATIENT, 0);     /* wrong event */
	assert_false(filter_match(num, &c));
	assert_false(filter_match(den, &c));

	/* Missing dimension: no party -> neither side, even via the list. */
	c = mk(EV_CASE, CH_1177, 0, 0);
	assert_false(filter_match(num, &c));
	assert_false(filter_match(den, &c));

	/* No clauses: every known combo. */
	f = (struct filter){ 0, NULL };
	assert_true(filter_match(&f, &c));

	/* A clause that can never hold. */
	f = (struct filter){ 1, bad_dim };
	assert_false(filter_match(&f, &c));
	f = (struct filter){ 1, empty_list };
	assert_false(filter_match(&f, &c));
	/* A list holding id 0 does not make "absent" match. */
	f = (struct filter){ 1, zero_list };
	assert_false(filter_match(&f, &c));

	/* Parsed fields behave the same. */
	assert_int_equal(parse(&cfg, "case.new|party=relative|channel=1177", &c), 0);
	assert_true(filter_match(num, &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_any_order),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
