/* Unit tests of map.c: records to events, every reject reason, local days. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "cohort.h"
#include "map.h"
#include "tq_config.h"
#include "tz.h"

static const char yaml[] =
    "timezone: Europe/Stockholm\n"
    "dedup: { secret_file: /nonexistent/key }\n"
    "feeds:\n"
    "  - name: teleq\n"
    "    path: /tmp/teleq/calls-*.txt\n"
    "    format: csv\n"
    "    encoding: windows-1252\n"
    "    csv: { delimiter: \";\", header: true }\n"
    "    time: { fields: [Datum, Tid], format: \"%Y-%m-%d %H:%M:%S\" }\n"
    "    event: { field: Resultat, map: { Bokad: call.booked, \"Kön full\": call.full, Avbruten: call.abandoned } }\n"
    "    set: { channel: phone, party: patient }\n"
    "  - name: cases\n"
    "    path: /tmp/cases/*.jsonl\n"
    "    format: jsonl\n"
    "    time: { field: created, format: iso8601 }\n"
    "    id: case_id\n"
    "    event: { value: case.opened }\n"
    "    dimensions:\n"
    "      channel: { field: source, map: { web: digital, phone: phone } }\n"
    "      party: { field: who, map: { patient: patient, relative: relative } }\n"
    "  - name: case_events\n"
    "    path: /tmp/cases/events-*.jsonl\n"
    "    format: jsonl\n"
    "    time: { field: at, format: iso8601 }\n"
    "    case: case_id\n"
    "    extend_to: until\n"
    "    event: { field: event, map: { postponed: case.postponed, confirmed: case.confirmed } }\n"
    "  - name: window\n"
    "    path: /tmp/window/*.jsonl\n"
    "    format: jsonl\n"
    "    time: { field: at }\n"
    "    accept_from: 2020-01-01\n"
    "    accept_ahead: 2h\n"
    "    event: { value: case.opened }\n"
    "indicators:\n"
    "  - name: booked\n"
    "    title: Andel bokade\n"
    "    numerator: { event: call.booked }\n"
    "    denominator: { event: [call.booked, call.full, call.abandoned] }\n"
    "    target: \">= 0.75\"\n";

struct fx {
	struct config     *cfg;
	struct tz         *tz;
	struct map_scratch s;
	struct parse_state ps;
	uint8_t            key[16];
	int64_t            now;         /* the daemon's now for accept_ahead */
};

static int
setup(void **state)
{
	static struct fx fx;
	char err[256];

	memset(&fx, 0, sizeof(fx));
	if (config_parse("test.yaml", yaml, sizeof(yaml) - 1, &fx.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (tz_load("Europe/Stockholm", &fx.tz) < 0)
		return -1;
	if (map_scratch_init(&fx.s, 65536) < 0)
		return -1;
	memcpy(fx.key, "0123456789abcdef", 16);
	/* later than every line of these tests plus a day */
	fx.now = days_from_civil(2027, 1, 1) * 86400;
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	map_scratch_done(&fx->s);
	tz_free(fx->tz);
	config_free(fx->cfg);
	return 0;
}

/* Maps one record of feed f; returns the result and fills ev/why/detail. */
static enum map_result
run(struct fx *fx, int f, const char *rec, struct event *ev, enum reject *why, char *detail)
{
	return map_record(fx->cfg, &fx->cfg->feeds[f], fx->tz, fx->now, fx->key, &fx->ps, &fx->s,
	    rec, strlen(rec), ev, why, detail, TQ_DETAIL_MAX);
}

/*
 * A new CSV file of feed 0: a fresh parse state, then its header (cp1252:
 * "K\xf6" is "Kö"), which is skipped.
 */
static void
csv_begin(struct fx *fx)
{
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	memset(&fx->ps, 0, sizeof(fx->ps));
	assert_int_equal(run(fx, 0, "Datum;Tid;K\xf6;Resultat;Telefon", &(struct event){ 0 }, &why,
	    detail), MAP_SKIP);
}

/* Case i of a table: rec of feed f is rejected for want; its detail in detail. */
static void
rejected_as(struct fx *fx, int f, size_t i, const char *rec, enum reject want, char *detail)
{
	struct event ev;
	enum reject why = REJ__MAX;

	assert_int_equal(run(fx, f, rec, &ev, &why, detail), MAP_REJECT);
	if (why != want)
		fail_msg("case %zu: got %s, want %s (%s)", i, reject_name(why), reject_name(want), detail);
}

static const char *
dimval(struct fx *fx, const struct event *ev, const char *dim)
{
	size_t d;

	for (d = 0; d < fx->cfg->ndims; d++)
		if (strcmp(fx->cfg->dims[d].name, dim) == 0)
			return config_value_name(fx->cfg, (int)d, ev->c.dim[d]);
	return NULL;
}

static void
test_csv_header_then_events(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	/* an unmapped extra column holds a phone number */
	csv_begin(fx);
	assert_true(fx->ps.have_header);
	assert_int_equal(fx->ps.ncolumns, 5);

	assert_int_equal(run(fx, 0, "2026-03-01;00:30:00;1;Bokad;070-1234567", &ev, &why, detail),
	    MAP_EVENT);
	assert_string_equal(config_value_name(fx->cfg, -1, ev.c.event), "call.booked");
	assert_string_equal(dimval(fx, &ev, "channel"), "phone");
	assert_string_equal(dimval(fx, &ev, "party"), "patient");
	/* 00:30 on 1 March local is March, though still February in UTC. */
	assert_int_equal(ev.day, days_from_civil(2026, 3, 1));
	assert_int_equal(ev.utc, days_from_civil(2026, 2, 28) * 86400 + 23 * 3600 + 30 * 60);
	assert_false(ev.has_id);

	/* A cp1252 value: "Kön full" with 0xF6 matches the UTF-8 map key. */
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;1;K\xf6n full;x", &ev, &why, detail),
	    MAP_EVENT);
	assert_string_equal(config_value_name(fx->cfg, -1, ev.c.event), "call.full");

	/* A repeated header (concatenated exports) is skipped, not rejected. */
	assert_int_equal(run(fx, 0, "Datum;Tid;K\xf6;Resultat;Telefon", &ev, &why, detail), MAP_SKIP);

	/* Quoted field holding the delimiter. */
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;\"a;b\";Bokad;x", &ev, &why, detail),
	    MAP_EVENT);
}

/*
 * A file restarted from 0 with its header kept (copytruncate): the first
 * record equal to the header is skipped, a complete header with other
 * columns replaces it, anything else is data read with the kept columns.
 */
static void
test_csv_header_kept_across_restart(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	csv_begin(fx);

	/* rows only after the truncation: data */
	fx->ps.recheck_header = true;
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);
	assert_false(fx->ps.recheck_header);
	/* a header line later is only a repeated header */
	assert_int_equal(run(fx, 0, "Datum;Tid;K\xf6;Resultat;Telefon", &ev, &why, detail), MAP_SKIP);

	/* the header again first: skipped */
	fx->ps.recheck_header = true;
	assert_int_equal(run(fx, 0, "Datum;Tid;K\xf6;Resultat;Telefon", &ev, &why, detail), MAP_SKIP);
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);

	/* a new export with the columns in another order: it replaces the old one */
	fx->ps.recheck_header = true;
	assert_int_equal(run(fx, 0, "Resultat;Datum;Tid", &ev, &why, detail), MAP_HEADER);
	assert_int_equal(fx->ps.ncolumns, 3);
	assert_int_equal(run(fx, 0, "Bokad;2026-03-03;11:00:00", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 3, 3));

	/* a first line that is neither: data with the kept columns (here: rejected) */
	fx->ps.recheck_header = true;
	assert_int_equal(run(fx, 0, "x;y", &ev, &why, detail), MAP_REJECT);
	assert_int_not_equal(why, REJ_HEADER);
	assert_int_equal(fx->ps.ncolumns, 3);
	assert_int_equal(run(fx, 0, "Bokad;2026-03-04;11:00:00", &ev, &why, detail), MAP_EVENT);

	/* a header naming some needed columns but lacking one: rejected as a
	 * header, as in any file, and its rows are not read with old columns */
	fx->ps.recheck_header = true;
	assert_int_equal(run(fx, 0, "Datum;Tid;Telefon", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_HEADER);
	assert_int_equal(fx->ps.ncolumns, 3);
	assert_int_equal(run(fx, 0, "2026-03-04;11:00:00;x", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_MISSING);
}

/*
 * A new header mid-file (issue 16 item 6): a line that names every column
 * the feed needs is the header from there on, columns remapped; it is
 * MAP_HEADER (no event, not a reject) so the caller logs and counts it.
 */
static void
test_csv_header_mid_file(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];
	struct parse_state before;

	csv_begin(fx);
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);

	/* the exporter upgraded: same columns, another order */
	assert_int_equal(run(fx, 0, "Resultat;Telefon;Datum;Tid;K\xf6", &ev, &why, detail),
	    MAP_HEADER);
	assert_int_equal(fx->ps.ncolumns, 5);
	assert_int_equal(run(fx, 0, "Bokad;070-1234567;2026-03-05;09:00:00;1", &ev, &why, detail),
	    MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 3, 5));
	assert_string_equal(config_value_name(fx->cfg, -1, ev.c.event), "call.booked");
	/* the new header repeated: skipped, not a change */
	assert_int_equal(run(fx, 0, "Resultat;Telefon;Datum;Tid;K\xf6", &ev, &why, detail),
	    MAP_SKIP);
	/* a row of the old order is now bad data, and no header */
	assert_int_equal(run(fx, 0, "2026-03-02;10:00:00;1;Bokad;x", &ev, &why, detail), MAP_REJECT);
	assert_int_not_equal(why, REJ_HEADER);

	/* fewer columns, blanks around names: a change too */
	assert_int_equal(run(fx, 0, " Tid ;Resultat;Datum", &ev, &why, detail), MAP_HEADER);
	assert_int_equal(fx->ps.ncolumns, 3);
	assert_int_equal(run(fx, 0, "11:00:00;K\xf6n full;2026-03-06", &ev, &why, detail), MAP_EVENT);
	assert_string_equal(config_value_name(fx->cfg, -1, ev.c.event), "call.full");
	assert_int_equal(ev.day, days_from_civil(2026, 3, 6));

	/* naming needed columns but lacking one: rejected as a header, and
	 * the header in force stays */
	before = fx->ps;
	assert_int_equal(run(fx, 0, "Datum;Tid;Telefon", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_HEADER);
	assert_non_null(strstr(detail, "Resultat"));
	assert_memory_equal(&before, &fx->ps, sizeof(before));
	assert_int_equal(run(fx, 0, "11:00:00;Bokad;2026-03-07", &ev, &why, detail), MAP_EVENT);

	/* a bad row naming no column keeps its own reason and the header */
	assert_int_equal(run(fx, 0, "yesterday;Bokad;2026-03-07", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_TIME);
	assert_int_equal(run(fx, 0, "11:00:00;Bokad", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_COLUMNS);
	assert_memory_equal(&before, &fx->ps, sizeof(before));

	/* back to the first header: a change again */
	assert_int_equal(run(fx, 0, "Datum;Tid;K\xf6;Resultat;Telefon", &ev, &why, detail),
	    MAP_HEADER);
	assert_int_equal(run(fx, 0, "2026-03-08;10:00:00;1;Avbruten;x", &ev, &why, detail),
	    MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 3, 8));
}

static void
test_csv_rejects(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];
	static const struct { const char *rec; enum reject why; } cases[] = {
		{ "", REJ_EMPTY },
		{ "2026-03-02;10:00:00;1;Bokad", REJ_COLUMNS },
		{ "2026-03-02;10:00:00;1;Bokad;x;y", REJ_COLUMNS },
		{ "2026-02-30;10:00:00;1;Bokad;x", REJ_DATE },
		{ "2026-03-02;25:00:00;1;Bokad;x", REJ_DATE },
		{ "yesterday;10:00:00;1;Bokad;x", REJ_TIME },
		{ ";10:00:00;1;Bokad;x", REJ_MISSING },
		{ "2026-03-02;10:00:00;1;Okänt;x", REJ_UNMAPPED },
		{ "2026-03-02;10:00:00;1;;x", REJ_MISSING },
		{ "2026-03-02;10:00:00;\"1;Bokad;x", REJ_CSV },
		{ "2026-03-02;10:00:00;\x81;Bokad;x", REJ_ENCODING },
	};
	size_t i;

	csv_begin(fx);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rejected_as(fx, 0, i, cases[i].rec, cases[i].why, detail);
		assert_true(detail[0] != '\0');
		/* Details name fields, never values: no phone number, no raw value. */
		assert_null(strstr(detail, "Okänt"));
		assert_null(strstr(detail, "070-"));
	}
	/* A NUL byte inside the record. */
	assert_int_equal(map_record(fx->cfg, &fx->cfg->feeds[0], fx->tz, fx->now, fx->key, &fx->ps, &fx->s,
	    "2026-03-02;1\0:00:00;1;Bokad;x", 29, &ev, &why, detail, sizeof(detail)), MAP_REJECT);
	assert_int_equal(why, REJ_NUL);
}

static void
test_csv_missing_header_column(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	memset(&fx->ps, 0, sizeof(fx->ps));
	assert_int_equal(run(fx, 0, "Datum;Tid;Kö;Telefon", &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_HEADER);
	assert_non_null(strstr(detail, "Resultat"));
}

static void
test_json_events_and_ids(void **state)
{
	struct fx *fx = *state;
	struct event ev, ev2;
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	assert_int_equal(run(fx, 1, "{\"created\":\"2026-03-31T22:30:00Z\",\"case_id\":\"A-1\","
	    "\"source\":\"web\",\"who\":\"patient\",\"pnr\":\"19800101-1234\"}", &ev, &why, detail),
	    MAP_EVENT);
	assert_string_equal(config_value_name(fx->cfg, -1, ev.c.event), "case.opened");
	assert_string_equal(dimval(fx, &ev, "channel"), "digital");
	assert_string_equal(dimval(fx, &ev, "party"), "patient");
	/* 22:30Z on 31 March is 00:30 CEST on 1 April. */
	assert_int_equal(ev.day, days_from_civil(2026, 4, 1));
	assert_true(ev.has_id);

	/* Same id, other fields: same hash. Other id: other hash. */
	assert_int_equal(run(fx, 1, "{\"created\":\"2026-03-01T10:00:00+01:00\",\"case_id\":\"A-1\","
	    "\"source\":\"phone\",\"who\":\"relative\"}", &ev2, &why, detail), MAP_EVENT);
	assert_memory_equal(ev.id, ev2.id, 16);
	assert_int_equal(run(fx, 1, "{\"created\":\"2026-03-01T10:00:00+01:00\",\"case_id\":\"A-2\","
	    "\"source\":\"phone\",\"who\":\"relative\"}", &ev2, &why, detail), MAP_EVENT);
	assert_memory_not_equal(ev.id, ev2.id, 16);
	/* The hash is not the id in clear. */
	assert_null(memmem(ev.id, 16, "A-1", 3));
}

static void
test_json_rejects(void **state)
{
	struct fx *fx = *state;
	char detail[TQ_DETAIL_MAX];
	static const struct { const char *rec; enum reject why; } cases[] = {
		{ "{\"created\":", REJ_JSON },
		{ "[1,2]", REJ_JSON },
		{ "{\"created\":\"2026-03-01T10:00:00Z\",\"case_id\":\"A\",\"source\":\"web\",\"who\":\"patient\"} x", REJ_JSON },
		{ "{\"case_id\":\"A\",\"source\":\"web\",\"who\":\"patient\"}", REJ_MISSING },
		{ "{\"created\":\"2026-02-30T10:00:00Z\",\"case_id\":\"A\",\"source\":\"web\",\"who\":\"patient\"}", REJ_DATE },
		{ "{\"created\":\"soon\",\"case_id\":\"A\",\"source\":\"web\",\"who\":\"patient\"}", REJ_TIME },
		{ "{\"created\":\"2026-03-01T10:00:00Z\",\"case_id\":\"A\",\"source\":\"fax\",\"who\":\"patient\"}", REJ_UNMAPPED },
		{ "{\"created\":\"2026-03-01T10:00:00Z\",\"case_id\":\"A\",\"source\":\"web\"}", REJ_MISSING },
		{ "{\"created\":\"2026-03-01T10:00:00Z\",\"source\":\"web\",\"who\":\"patient\"}", REJ_MISSING },
		{ "{\"created\":\"2026-03-01T10:00:00Z\",\"case_id\":\"\xff\",\"source\":\"web\",\"who\":\"patient\"}", REJ_ENCODING },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		rejected_as(fx, 1, i, cases[i].rec, cases[i].why, detail);
}

/*
 * The case key and the date an extension moves a deadline to: a date, or
 * the date part of a date and time; anything else is rejected with the
 * time field's reasons, and no date means no extension.
 */
static void
test_case_and_extend_to(void **state)
{
	struct fx *fx = *state;
	struct event ev, ev2;
	enum reject why;
	char detail[TQ_DETAIL_MAX];
	static const struct { const char *until; enum reject why; } bad[] = {
		{ "2026-02-30", REJ_DATE },
		{ "2026-13-01", REJ_DATE },
		{ "soon", REJ_TIME },
		{ "2026-03", REJ_TIME },
		{ "2026-03-10X12:00", REJ_TIME },
		{ "10/03/2026", REJ_TIME },
	};
	char rec[256];

	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-02T09:00:00+01:00\",\"case_id\":\"K-7\","
	    "\"event\":\"postponed\",\"until\":\"2026-03-20\"}", &ev, &why, detail), MAP_EVENT);
	assert_true(ev.has_case);
	assert_false(ev.has_id);
	assert_int_equal(ev.extend_day, days_from_civil(2026, 3, 20));
	assert_null(memmem(ev.case_id, 16, "K-7", 3));

	/* the date part of a date and time; the same case in another record: same key */
	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-03T09:00:00Z\",\"case_id\":\"K-7\","
	    "\"event\":\"postponed\",\"until\":\"2026-04-01T23:30:00Z\"}", &ev2, &why, detail),
	    MAP_EVENT);
	assert_int_equal(ev2.extend_day, days_from_civil(2026, 4, 1));
	assert_memory_equal(ev.case_id, ev2.case_id, 16);
	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-03T09:00:00Z\",\"case_id\":\"K-8\","
	    "\"event\":\"confirmed\",\"until\":\"2026-04-01 08:00\"}", &ev2, &why, detail),
	    MAP_EVENT);
	assert_int_equal(ev2.extend_day, days_from_civil(2026, 4, 1));
	assert_memory_not_equal(ev.case_id, ev2.case_id, 16);

	/* no date, or an empty one: no extension */
	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-03T09:00:00Z\",\"case_id\":\"K-7\","
	    "\"event\":\"confirmed\"}", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.extend_day, CASE_NO_DAY);
	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-03T09:00:00Z\",\"case_id\":\"K-7\","
	    "\"event\":\"confirmed\",\"until\":\"\"}", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.extend_day, CASE_NO_DAY);

	/* a case event without its case */
	why = REJ__MAX;
	assert_int_equal(run(fx, 2, "{\"at\":\"2026-03-03T09:00:00Z\",\"event\":\"confirmed\"}",
	    &ev, &why, detail), MAP_REJECT);
	assert_int_equal(why, REJ_MISSING);
	assert_non_null(strstr(detail, "case_id"));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(rec, sizeof(rec), "{\"at\":\"2026-03-03T09:00:00Z\",\"case_id\":\"K-7\","
		    "\"event\":\"postponed\",\"until\":\"%s\"}", bad[i].until);
		why = REJ__MAX;
		if (run(fx, 2, rec, &ev, &why, detail) != MAP_REJECT)
			fail_msg("until '%s': not rejected", bad[i].until);
		if (why != bad[i].why)
			fail_msg("until '%s': got %s, want %s (%s)", bad[i].until, reject_name(why),
			    reject_name(bad[i].why), detail);
		/* the detail names the field, never its value */
		assert_non_null(strstr(detail, "'until'"));
		assert_null(strstr(detail, bad[i].until));
	}
}

/* Maps rec of feed f, which must be rejected out_of_range naming the time field, not its value. */
static void
out_of_range(struct fx *fx, int f, const char *rec, const char *field, const char *value)
{
	struct event ev;
	enum reject why = REJ__MAX;
	char detail[TQ_DETAIL_MAX] = "";

	if (run(fx, f, rec, &ev, &why, detail) != MAP_REJECT)
		fail_msg("'%s': not rejected", rec);
	if (why != REJ_RANGE)
		fail_msg("'%s': got %s, want out_of_range (%s)", rec, reject_name(why), detail);
	assert_string_equal(reject_name(why), "out_of_range");
	assert_non_null(strstr(detail, field));
	assert_null(strstr(detail, value));
}

/* Maps rec of feed f, which must give an event on local day (y, m, d). */
static void
in_range(struct fx *fx, int f, const char *rec, int64_t y, unsigned m, unsigned d)
{
	struct event ev;
	enum reject why = REJ__MAX;
	char detail[TQ_DETAIL_MAX] = "";

	if (run(fx, f, rec, &ev, &why, detail) != MAP_EVENT)
		fail_msg("'%s': rejected as %s (%s)", rec, reject_name(why), detail);
	assert_int_equal(ev.day, days_from_civil(y, m, d));
}

/*
 * Times outside the feed's window are out_of_range: a local day before
 * accept_from (default 2000-01-01), or an instant more than accept_ahead
 * (default 1d) after the daemon's now. Both boundaries are inside.
 */
static void
test_time_window(void **state)
{
	struct fx *fx = *state;
	int64_t saved = fx->now;

	csv_begin(fx);
	/* defaults: from 2000-01-01 (local), to a day after now */
	out_of_range(fx, 0, "1900-01-01;00:00:00;1;Bokad;x", "Datum", "1900");
	out_of_range(fx, 0, "1999-12-31;23:59:59;1;Bokad;x", "Datum", "1999");
	in_range(fx, 0, "2000-01-01;00:00:00;1;Bokad;x", 2000, 1, 1);
	out_of_range(fx, 0, "9999-12-31;23:59:59;1;Bokad;x", "Datum", "9999");
	/* now = 2026-06-01 10:00 UTC = 12:00 CEST: up to 2026-06-02 12:00:00 CEST */
	fx->now = days_from_civil(2026, 6, 1) * 86400 + 10 * 3600;
	in_range(fx, 0, "2026-06-02;12:00:00;1;Bokad;x", 2026, 6, 2);
	out_of_range(fx, 0, "2026-06-02;12:00:01;1;Bokad;x", "Datum", "2026");
	/* jsonl, zoned times: the same instant limit */
	in_range(fx, 1, "{\"created\":\"2026-06-02T10:00:00Z\",\"case_id\":\"A\",\"source\":\"web\","
	    "\"who\":\"patient\"}", 2026, 6, 2);
	out_of_range(fx, 1, "{\"created\":\"2026-06-02T12:00:01+02:00\",\"case_id\":\"A\","
	    "\"source\":\"web\",\"who\":\"patient\"}", "created", "2026");
	out_of_range(fx, 1, "{\"created\":\"1900-01-01T00:00:00Z\",\"case_id\":\"A\",\"source\":\"web\","
	    "\"who\":\"patient\"}", "created", "1900");

	/* configured: from 2020-01-01 by the local day (Stockholm), 2 hours ahead */
	out_of_range(fx, 3, "{\"at\":\"2019-12-31T22:59:59Z\"}", "at", "2019");
	in_range(fx, 3, "{\"at\":\"2019-12-31T23:00:00Z\"}", 2020, 1, 1);
	in_range(fx, 3, "{\"at\":\"2026-06-01T12:00:00Z\"}", 2026, 6, 1);
	out_of_range(fx, 3, "{\"at\":\"2026-06-01T12:00:01Z\"}", "at", "2026");
	fx->now = saved;
}

static void
test_dst_wall_times(void **state)
{
	struct fx *fx = *state;
	struct event ev;
	enum reject why;
	char detail[TQ_DETAIL_MAX];

	csv_begin(fx);
	/* Spring gap: 02:30 does not exist; read as 03:30 CEST = 01:30 UTC, same day. */
	assert_int_equal(run(fx, 0, "2026-03-29;02:30:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 3, 29));
	assert_int_equal(ev.utc, days_from_civil(2026, 3, 29) * 86400 + 1 * 3600 + 30 * 60);
	/* Autumn: 02:30 occurs twice; the earlier (CEST) instant, 00:30 UTC. */
	assert_int_equal(run(fx, 0, "2026-10-25;02:30:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.utc, days_from_civil(2026, 10, 25) * 86400 + 30 * 60);
	/* Last second of a month stays in it; the first of the next moves on. */
	assert_int_equal(run(fx, 0, "2026-01-31;23:59:59;1;Bokad;x", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 1, 31));
	assert_int_equal(run(fx, 0, "2026-02-01;00:00:00;1;Bokad;x", &ev, &why, detail), MAP_EVENT);
	assert_int_equal(ev.day, days_from_civil(2026, 2, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_header_then_events),
		cmocka_unit_test(test_csv_header_mid_file),
		cmocka_unit_test(test_csv_header_kept_across_restart),
		cmocka_unit_test(test_csv_rejects),
		cmocka_unit_test(test_csv_missing_header_column),
		cmocka_unit_test(test_json_events_and_ids),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_case_and_extend_to),
		cmocka_unit_test(test_dst_wall_times),
		cmocka_unit_test(test_time_window),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
