/*
 * test_config.c — config_parse / config_load: interning, sorting, slots,
 * rule maps, filters, targets, defaults, the alerts: and http: sections, and one test
 * per kind of error with its exact "file:line:col: message" prefix.
 *
 * Run from the repository root (config_load reads conf/teleqd.yaml).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core.h"
#include "lease.h"
#include "message.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"

/* A pointer that must come back unchanged when parsing fails. */
static struct config untouched;

/* Parses text that must be valid; fails the test with the message otherwise. */
static struct config *parse_ok(const char *text)
{
	char err[512] = "";
	struct config *cfg = NULL;
	int r;

	r = config_parse("t.yaml", text, strlen(text), &cfg, err, sizeof(err));
	if (r != 0)
		print_error("unexpected error %d: %s\n", r, err);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	return cfg;
}

/* Parses text that must fail with -EINVAL and a message starting with want. */
static void parse_fails(const char *text, const char *want)
{
	char err[512] = "";
	struct config *cfg = &untouched;
	int r;

	r = config_parse("t.yaml", text, strlen(text), &cfg, err, sizeof(err));
	if (r != -EINVAL || strncmp(err, want, strlen(want)) != 0)
		print_error("got %d: \"%s\"\nwant:     \"%s\"\n", r, err, want);
	assert_int_equal(r, -EINVAL);
	assert_ptr_equal(cfg, &untouched);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
}

/* Index of dimension name in cfg->dims, -1 when absent. */
static int dim_index(const struct config *cfg, const char *name)
{
	for (size_t d = 0; d < cfg->ndims; d++)
		if (!strcmp(cfg->dims[d].name, name))
			return (int)d;
	return -1;
}

static uint16_t vid(const struct config *cfg, int d, const char *v)
{
	return config_value_id(cfg, d, v, strlen(v));
}

static const struct feed_conf *feed(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (!strcmp(cfg->feeds[i].name, name))
			return &cfg->feeds[i];
	fail_msg("no feed %s", name);
	return NULL;
}

static const struct indicator *indicator(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nindicators; i++)
		if (!strcmp(cfg->indicators[i].name, name))
			return &cfg->indicators[i];
	fail_msg("no indicator %s", name);
	return NULL;
}

/*
 * Three feeds. The dimensions appear in the order party, channel, type (not
 * sorted); the raw feed reads one field for two dimensions.
 */
static const char FULL[] =
	"timezone: Europe/Stockholm\n"
	"dedup: { secret_file: /etc/teleqd/dedup.key }\n"
	"feeds:\n"
	"  - name: teleq\n"
	"    path: /var/log/teleq/calls-*.txt\n"
	"    format: csv\n"
	"    encoding: cp1252\n"
	"    csv: { delimiter: \";\", header: true }\n"
	"    time: { fields: [Datum, Tid], format: \"%Y-%m-%d %H:%M:%S\" }\n"
	"    event:\n"
	"      field: Resultat\n"
	"      map: { Bokad: call.booked, Kön full: call.full, Avbruten: call.abandoned,\n"
	"             Stängt: call.closed }\n"
	"    set: { party: patient, channel: phone }\n"
	"  - name: cases\n"
	"    path: /var/log/eservice/cases-*.jsonl\n"
	"    format: jsonl\n"
	"    time: { field: created }\n"
	"    id: case_id\n"
	"    event: { value: case.opened }\n"
	"    dimensions:\n"
	"      type: { field: type, map: { patient: patient_case, information: information_case } }\n"
	"      party: { field: party, map: { patient: patient, relative: relative, provider: provider } }\n"
	"      channel: { field: source, map: { web: digital, phone: phone, letter: letter, visit: visit } }\n"
	"  - name: raw\n"
	"    path: /srv/export/raw.tsv\n"
	"    format: csv\n"
	"    csv: { delimiter: \"\\t\", quote: \"\", header: false, columns: [when, \"\", what, who] }\n"
	"    time: { field: when, format: epoch }\n"
	"    event: { field: what, map: { o: case.opened } }\n"
	"    dimensions:\n"
	"      channel: { field: who, map: { w: digital } }\n"
	"      party: { field: who, map: { w: relative } }\n"
	"indicators:\n"
	"  - name: digital_patient_contacts\n"
	"    title: Digitala patientkontakter\n"
	"    numerator: { party: [patient, relative], event: case.opened, channel: digital }\n"
	"    denominator: { event: case.opened, party: [patient, relative] }\n"
	"    target: \">= 55%\"\n"
	"    cadence: monthly\n"
	"    min_denominator: 20\n"
	"  - name: patient_case_growth\n"
	"    kind: growth\n"
	"    count: { event: case.opened, type: patient_case }\n"
	"    target: \"> 5%\"\n"
	"    cadence: quarterly\n"
	"  - name: booked_share\n"
	"    kind: ratio\n"
	"    numerator: { event: call.booked }\n"
	"    denominator: { event: [call.booked, call.full, call.abandoned] }\n"
	"    target: \"< 0.125\"\n"
	"    combine: mean_of_months\n"
	"    cadence: yearly\n";

/* Event kinds and dimensions are interned; dimensions sorted by name. */
static void test_interning(void **state)
{
	struct config *cfg = parse_ok(FULL);
	int ch, pa, ty;

	(void)state;
	assert_int_equal(cfg->nevents, 5);
	assert_string_equal(cfg->events[0], "call.booked");
	assert_string_equal(cfg->events[1], "call.full");
	assert_string_equal(cfg->events[2], "call.abandoned");
	assert_string_equal(cfg->events[3], "call.closed");
	assert_string_equal(cfg->events[4], "case.opened");

	assert_int_equal(cfg->ndims, 3);
	assert_string_equal(cfg->dims[0].name, "channel");
	assert_string_equal(cfg->dims[1].name, "party");
	assert_string_equal(cfg->dims[2].name, "type");
	ch = 0, pa = 1, ty = 2;
	/* values keep their order of appearance, set constants included */
	assert_int_equal(cfg->dims[ch].nvalues, 4);
	assert_string_equal(cfg->dims[ch].values[0], "phone");
	assert_string_equal(cfg->dims[ch].values[1], "digital");
	assert_string_equal(cfg->dims[ch].values[2], "letter");
	assert_string_equal(cfg->dims[ch].values[3], "visit");
	assert_int_equal(cfg->dims[pa].nvalues, 3);
	assert_string_equal(cfg->dims[pa].values[0], "patient");
	assert_string_equal(cfg->dims[pa].values[1], "relative");
	assert_string_equal(cfg->dims[pa].values[2], "provider");
	assert_int_equal(cfg->dims[ty].nvalues, 2);
	assert_string_equal(cfg->dims[ty].values[0], "patient_case");
	assert_string_equal(cfg->dims[ty].values[1], "information_case");

	/* lookups both ways */
	assert_int_equal(vid(cfg, -1, "case.opened"), 5);
	assert_int_equal(vid(cfg, -1, "call.booked"), 1);
	assert_int_equal(config_value_id(cfg, -1, "case.opened.x", 11), 5);  /* by length */
	assert_int_equal(config_value_id(cfg, -1, "case.opened", 8), 0);     /* prefix only */
	assert_int_equal(vid(cfg, -1, "nope"), 0);
	assert_int_equal(vid(cfg, ch, "digital"), 2);
	assert_int_equal(vid(cfg, ty, "information_case"), 2);
	assert_int_equal(vid(cfg, ty, "digital"), 0);
	assert_int_equal(vid(cfg, 3, "digital"), 0);
	assert_int_equal(vid(cfg, -2, "digital"), 0);
	assert_string_equal(config_value_name(cfg, -1, 4), "call.closed");
	assert_string_equal(config_value_name(cfg, pa, 3), "provider");
	assert_null(config_value_name(cfg, -1, 0));
	assert_null(config_value_name(cfg, -1, 6));
	assert_null(config_value_name(cfg, pa, 4));
	assert_null(config_value_name(cfg, 3, 1));
	assert_null(config_value_name(NULL, -1, 1));
	assert_int_equal(config_value_id(NULL, -1, "x", 1), 0);
	config_free(cfg);
}

/* Slots hold each feed's distinct fields in order: time, id, event, dimensions. */
static void test_slots_and_rules(void **state)
{
	struct config *cfg = parse_ok(FULL);
	const struct feed_conf *t, *c, *r;

	(void)state;
	assert_int_equal(cfg->nfeeds, 3);
	t = feed(cfg, "teleq");
	assert_int_equal(t->line, 4);
	assert_int_equal(t->col, 5);
	assert_int_equal(t->format, FORMAT_CSV);
	assert_int_equal(t->encoding, ENC_CP1252);
	assert_int_equal(t->csv.delimiter, ';');
	assert_int_equal(t->csv.quote, '"');
	assert_true(t->csv.header);
	assert_int_equal(t->nslots, 3);
	assert_string_equal(t->slots[0], "Datum");
	assert_string_equal(t->slots[1], "Tid");
	assert_string_equal(t->slots[2], "Resultat");
	assert_int_equal(t->time.kind, TIME_FORMAT);
	assert_string_equal(t->time.format, "%Y-%m-%d %H:%M:%S");
	assert_int_equal(t->time.nslot, 2);
	assert_int_equal(t->time.slot[0], 0);
	assert_int_equal(t->time.slot[1], 1);
	assert_int_equal(t->id_slot, -1);
	assert_int_equal(t->event.kind, RULE_FIELD);
	assert_int_equal(t->event.slot, 2);
	assert_int_equal(t->event.nmap, 4);
	assert_string_equal(t->event.from[1], "Kön full");
	assert_int_equal(t->event.to[1], 2);
	assert_string_equal(t->event.from[3], "Stängt");
	assert_int_equal(t->event.to[3], 4);
	/* set constants, permuted into the sorted dimension order */
	assert_int_equal(t->dims[0].kind, RULE_CONST);          /* channel */
	assert_int_equal(t->dims[0].const_id, 1);               /* phone */
	assert_int_equal(t->dims[1].kind, RULE_CONST);          /* party */
	assert_int_equal(t->dims[1].const_id, 1);               /* patient */
	assert_int_equal(t->dims[2].kind, RULE_NONE);           /* type */

	c = feed(cfg, "cases");
	assert_int_equal(c->format, FORMAT_JSONL);
	assert_int_equal(c->encoding, ENC_UTF8);
	assert_int_equal(c->time.kind, TIME_ISO8601);
	assert_int_equal(c->time.nslot, 1);
	assert_int_equal(c->time.slot[0], 0);
	assert_int_equal(c->nslots, 5);
	assert_string_equal(c->slots[0], "created");
	assert_string_equal(c->slots[1], "case_id");
	assert_int_equal(c->id_slot, 1);
	assert_int_equal(c->event.kind, RULE_CONST);
	assert_int_equal(c->event.const_id, 5);
	/* dimension fields in file order type, party, source; rules by sorted index */
	assert_string_equal(c->slots[2], "type");
	assert_string_equal(c->slots[3], "party");
	assert_string_equal(c->slots[4], "source");
	assert_int_equal(c->dims[0].kind, RULE_FIELD);
	assert_int_equal(c->dims[0].slot, 4);
	assert_int_equal(c->dims[0].nmap, 4);
	assert_string_equal(c->dims[0].from[0], "web");
	assert_int_equal(c->dims[0].to[0], 2);                  /* digital */
	assert_int_equal(c->dims[1].slot, 3);
	assert_int_equal(c->dims[1].to[2], 3);                  /* provider */
	assert_int_equal(c->dims[2].slot, 2);
	assert_string_equal(c->dims[2].from[1], "information");
	assert_int_equal(c->dims[2].to[1], 2);                  /* information_case */

	r = feed(cfg, "raw");
	assert_int_equal(r->csv.delimiter, '\t');
	assert_int_equal(r->csv.quote, 0);
	assert_false(r->csv.header);
	assert_int_equal(r->csv.ncolumns, 4);
	assert_string_equal(r->csv.columns[1], "");
	assert_string_equal(r->csv.columns[3], "who");
	assert_int_equal(r->time.kind, TIME_EPOCH);
	assert_int_equal(r->nslots, 3);
	assert_string_equal(r->slots[2], "who");
	/* one field feeding two dimensions is one slot */
	assert_int_equal(r->dims[0].slot, 2);
	assert_int_equal(r->dims[1].slot, 2);
	assert_int_equal(r->dims[1].to[0], 2);                  /* relative */
	config_free(cfg);
}

/* Filters: clauses sorted (event first), ids resolved; targets as fractions. */
static void test_indicators(void **state)
{
	struct config *cfg = parse_ok(FULL);
	const struct indicator *d, *g, *b;

	(void)state;
	assert_int_equal(cfg->nindicators, 3);
	d = indicator(cfg, "digital_patient_contacts");
	assert_string_equal(d->title, "Digitala patientkontakter");
	assert_int_equal(d->kind, IND_RATIO);
	assert_int_equal(d->num.n, 3);
	assert_int_equal(d->num.c[0].dim, -1);
	assert_int_equal(d->num.c[0].n, 1);
	assert_int_equal(d->num.c[0].ids[0], 5);
	assert_int_equal(d->num.c[1].dim, 0);                   /* channel */
	assert_int_equal(d->num.c[1].n, 1);
	assert_int_equal(d->num.c[1].ids[0], 2);                /* digital */
	assert_int_equal(d->num.c[2].dim, 1);                   /* party */
	assert_int_equal(d->num.c[2].n, 2);
	assert_int_equal(d->num.c[2].ids[0], 1);
	assert_int_equal(d->num.c[2].ids[1], 2);
	assert_int_equal(d->den.n, 2);
	assert_int_equal(d->den.c[0].dim, -1);
	assert_int_equal(d->den.c[1].dim, 1);
	assert_int_equal(d->cmp, CMP_GE);
	assert_true(d->target == 0.55);                         /* "55%" is exactly 0.55 */
	assert_int_equal(d->combine, COMBINE_POOLED);
	assert_int_equal(d->cadence, CADENCE_MONTH);
	assert_int_equal(d->min_denominator, 20);

	g = indicator(cfg, "patient_case_growth");
	assert_string_equal(g->title, "patient_case_growth");  /* title defaults to the name */
	assert_int_equal(g->kind, IND_GROWTH);
	assert_int_equal(g->num.n, 2);
	assert_int_equal(g->num.c[1].dim, 2);                   /* type */
	assert_int_equal(g->num.c[1].ids[0], 1);                /* patient_case */
	assert_int_equal(g->den.n, 0);
	assert_null(g->den.c);
	assert_int_equal(g->cmp, CMP_GT);
	assert_true(g->target == 0.05);
	assert_int_equal(g->cadence, CADENCE_QUARTER);
	assert_int_equal(g->min_denominator, 0);

	b = indicator(cfg, "booked_share");
	assert_int_equal(b->den.c[0].n, 3);
	assert_int_equal(b->den.c[0].ids[2], 3);
	assert_int_equal(b->cmp, CMP_LT);
	assert_true(b->target == 0.125);
	assert_int_equal(b->combine, COMBINE_MEAN_OF_MONTHS);
	assert_int_equal(b->cadence, CADENCE_YEAR);
	config_free(cfg);
}

/* More target spellings. */
static void test_targets(void **state)
{
	static const struct {
		const char *t;
		enum cmp cmp;
		double v;
	} cases[] = {
		{ "\">=0.55\"", CMP_GE, 0.55 }, { "\"<= 80%\"", CMP_LE, 0.80 },
		{ "\"> 0\"", CMP_GT, 0.0 }, { "' >= 55.5 % '", CMP_GE, 0.555 },
		{ "\">= 1\"", CMP_GE, 1.0 }, { "\">= 100%\"", CMP_GE, 1.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct config *cfg;

		snprintf(text, sizeof(text),
		         "feeds:\n"
		         "  - { name: a, path: /x/a, format: jsonl, time: { field: t },\n"
		         "      event: { field: e, map: { B: call.booked, F: call.full } } }\n"
		         "indicators:\n"
		         "  - name: i\n"
		         "    numerator: { event: call.booked }\n"
		         "    denominator: { event: [call.booked, call.full] }\n"
		         "    target: %s\n", cases[i].t);
		cfg = parse_ok(text);
		assert_int_equal(cfg->indicators[0].cmp, cases[i].cmp);
		assert_true(cfg->indicators[0].target == cases[i].v);
		config_free(cfg);
	}
}

/* Everything optional takes the documented default. */
static void test_defaults(void **state)
{
	struct config *cfg = parse_ok("feeds:\n"
	                              "  - name: a\n"
	                              "    path: /var/log/a.csv\n"
	                              "    format: csv\n"
	                              "    time: { field: t }\n"
	                              "    event: { value: x }\n");
	const struct feed_conf *f;

	(void)state;
	assert_string_equal(cfg->file, "t.yaml");
	assert_string_equal(cfg->timezone, "Europe/Stockholm");
	assert_string_equal(cfg->redis.address, "unix:/run/redis/redis.sock");
	assert_null(cfg->redis.user);
	assert_null(cfg->redis.password_file);
	assert_string_equal(cfg->redis.prefix, "teleq:");
	assert_string_equal(cfg->redis.tag, "teleqd");
	assert_int_equal(cfg->redis.db, 0);
	assert_int_equal(cfg->redis.lease_s, LEASE_DEFAULT_S);
	assert_null(cfg->dedup.secret_file);
	assert_int_equal(cfg->dedup.window_days, 400);
	assert_int_equal(cfg->batch_max_events, 50000);
	assert_int_equal(cfg->batch_max_delay_ms, 100);
	assert_int_equal(cfg->deadletter_maxlen, 10000);
	assert_int_equal(cfg->rescan_interval_ms, 2000);
	assert_int_equal(cfg->nindicators, 0);
	assert_null(cfg->indicators);
	assert_int_equal(cfg->ndims, 0);
	assert_int_equal(cfg->nevents, 1);

	assert_int_equal(cfg->nfeeds, 1);
	f = &cfg->feeds[0];
	assert_string_equal(f->name, "a");
	assert_string_equal(f->path, "/var/log/a.csv");
	assert_int_equal(f->start_at, START_BEGINNING);
	assert_int_equal(f->max_line, 65536);
	assert_int_equal(f->rotate_wait_ms, 5000);
	assert_int_equal(f->accept_from_day, days_from_civil(2000, 1, 1));
	assert_int_equal(f->accept_ahead_s, 86400);
	assert_int_equal(f->csv.delimiter, ',');
	assert_int_equal(f->csv.quote, '"');
	assert_true(f->csv.header);
	assert_int_equal(f->csv.ncolumns, 0);
	assert_int_equal(f->encoding, ENC_UTF8);
	assert_int_equal(f->time.kind, TIME_ISO8601);
	assert_null(f->time.format);
	assert_int_equal(f->id_slot, -1);
	assert_int_equal(f->event.kind, RULE_CONST);
	assert_int_equal(f->event.const_id, 1);
	for (size_t d = 0; d < TQ_MAX_DIMS; d++)
		assert_int_equal(f->dims[d].kind, RULE_NONE);
	config_free(cfg);
	config_free(NULL);
}

/* Every global setting is read. */
static void test_globals(void **state)
{
	struct config *cfg = parse_ok("timezone: UTC\n"
	                              "redis: { address: \"127.0.0.1:6380\", user: tq, "
	                              "password_file: /etc/p, prefix: \"\", tag: t1, db: 3, lease: 2m }\n"
	                              "dedup: { secret_file: /etc/k, window_days: 30 }\n"
	                              "batch: { max_events: 10, max_delay_ms: 0 }\n"
	                              "deadletter: { maxlen: 5 }\n"
	                              "rescan_interval_ms: 100\n"
	                              "feeds:\n"
	                              "  - { name: a-1, path: /a/b*, format: csv, start_at: end,\n"
	                              "      max_line: 16, rotate_wait_ms: 0, encoding: LATIN1,\n"
	                              "      time: { field: t }, event: { value: x } }\n");

	(void)state;
	assert_string_equal(cfg->timezone, "UTC");
	assert_string_equal(cfg->redis.address, "127.0.0.1:6380");
	assert_string_equal(cfg->redis.user, "tq");
	assert_string_equal(cfg->redis.password_file, "/etc/p");
	assert_string_equal(cfg->redis.prefix, "");
	assert_string_equal(cfg->redis.tag, "t1");
	assert_int_equal(cfg->redis.db, 3);
	assert_int_equal(cfg->redis.lease_s, 120);
	assert_string_equal(cfg->dedup.secret_file, "/etc/k");
	assert_int_equal(cfg->dedup.window_days, 30);
	assert_int_equal(cfg->batch_max_events, 10);
	assert_int_equal(cfg->batch_max_delay_ms, 0);
	assert_int_equal(cfg->deadletter_maxlen, 5);
	assert_int_equal(cfg->rescan_interval_ms, 100);
	assert_int_equal(cfg->feeds[0].start_at, START_END);
	assert_int_equal(cfg->feeds[0].max_line, 16);
	assert_int_equal(cfg->feeds[0].rotate_wait_ms, 0);
	assert_int_equal(cfg->feeds[0].encoding, ENC_LATIN1);
	config_free(cfg);
}

/* issue 19: redis.sentinels and redis.master_name, each sentinel checked by redis_addr_parse. */
static void test_sentinels(void **state)
{
	static const char *tail = "feeds:\n"
	    "  - { name: a, path: /a/b*, format: csv, time: { field: t }, event: { value: x } }\n";
	char text[1024];
	struct config *cfg;

	(void)state;
	snprintf(text, sizeof(text), "redis:\n  sentinels: [\"10.0.0.1:26379\", \"[::1]:26380\", "
	    "\"s3.example:26379\"]\n  master_name: tq-main_1\n%s", tail);
	cfg = parse_ok(text);
	assert_int_equal(cfg->redis.nsentinels, 3);
	assert_string_equal(cfg->redis.sentinels[0], "10.0.0.1:26379");
	assert_string_equal(cfg->redis.sentinels[1], "[::1]:26380");
	assert_string_equal(cfg->redis.sentinels[2], "s3.example:26379");
	assert_null(cfg->redis.sentinels[3]);
	assert_string_equal(cfg->redis.master_name, "tq-main_1");
	config_free(cfg);
	/* without them: none (the address is used) */
	snprintf(text, sizeof(text), "%s", tail);
	cfg = parse_ok(text);
	assert_int_equal(cfg->redis.nsentinels, 0);
	assert_null(cfg->redis.sentinels);
	assert_null(cfg->redis.master_name);
	config_free(cfg);

	parse_fails("redis:\n  sentinels: [\"10.0.0.1:26379\", \"10.0.0.2\"]\n  master_name: m\n"
	            "feeds: []\n",
	            "t.yaml:2:33: bad sentinel address '10.0.0.2': expected host:port or unix:/path");
	parse_fails("redis:\n  sentinels: [\"h:1\", \"unix:rel\"]\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:22: bad sentinel address 'unix:rel': the unix socket path must be absolute");
	parse_fails("redis:\n  sentinels: \"h:1\"\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:14: sentinels must be a sequence of host:port addresses");
	parse_fails("redis:\n  sentinels: []\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:14: sentinels must list 1 to 16 addresses");
	parse_fails("redis:\n  sentinels: [h:1, h:2, h:3, h:4, h:5, h:6, h:7, h:8, h:9, h:10, h:11, "
	            "h:12, h:13, h:14, h:15, h:16, h:17]\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:14: sentinels must list 1 to 16 addresses");
	parse_fails("redis:\n  sentinels: [\"h:1\"]\n  master_name: \"my master\"\nfeeds: []\n",
	            "t.yaml:3:16: bad master_name 'my master'");
	parse_fails("redis:\n  sentinels: [\"h:1\"]\nfeeds: []\n",
	            "t.yaml:2:14: redis.sentinels needs redis.master_name");
	parse_fails("redis:\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:16: redis.master_name needs redis.sentinels");
	parse_fails("redis:\n  address: \"h:1\"\n  sentinels: [\"h:2\"]\n  master_name: m\nfeeds: []\n",
	            "t.yaml:2:12: redis.address and redis.sentinels exclude each other");
}

/* Anchors and aliases resolve; encoding may sit inside csv. */
static void test_alias_and_csv_encoding(void **state)
{
	struct config *cfg = parse_ok("feeds:\n"
	                              "  - name: a\n"
	                              "    path: /x/a\n"
	                              "    format: csv\n"
	                              "    csv: { encoding: windows-1252 }\n"
	                              "    time: { field: t }\n"
	                              "    event: { field: e, map: &m { A: k.a, B: k.b } }\n"
	                              "  - name: b\n"
	                              "    path: /x/b\n"
	                              "    format: csv\n"
	                              "    encoding: cp1252\n"
	                              "    csv: { encoding: Windows-1252 }\n"
	                              "    time: { field: t }\n"
	                              "    event: { field: e, map: *m }\n");

	(void)state;
	assert_int_equal(cfg->feeds[0].encoding, ENC_CP1252);
	assert_int_equal(cfg->feeds[1].encoding, ENC_CP1252);
	assert_int_equal(cfg->feeds[1].event.nmap, 2);
	assert_int_equal(cfg->feeds[1].event.to[1], 2);
	assert_int_equal(cfg->nevents, 2);
	config_free(cfg);
}

/* The shipped production example loads (tests run from the repository root). */
static void test_load_conf(void **state)
{
	char err[512] = "";
	struct config *cfg = NULL;
	const struct indicator *a;
	int r;

	(void)state;
	r = config_load("conf/teleqd.yaml", &cfg, err, sizeof(err));
	if (r != 0)
		print_error("%s\n", err);
	assert_int_equal(r, 0);
	assert_string_equal(cfg->file, "conf/teleqd.yaml");
	assert_int_equal(cfg->nfeeds, 3);
	assert_int_equal(cfg->nindicators, 12);
	assert_true(feed(cfg, "cases")->case_slot >= 0);
	assert_true(feed(cfg, "case_events")->case_slot >= 0);
	assert_true(feed(cfg, "case_events")->extend_slot >= 0);
	a = indicator(cfg, "first_contact_7d");
	assert_int_equal(a->kind, IND_DEADLINE);
	assert_int_equal(a->rule.within.unit, DL_DAYS);
	assert_int_equal(a->rule.within.n, 7);
	a = indicator(cfg, "confirmation_24h");
	assert_int_equal(a->rule.within.unit, DL_HOURS);
	assert_int_equal(a->rule.within.n, 24);
	assert_int_equal(indicator(cfg, "provider_reply_2w")->rule.within.n, 14);
	assert_int_equal(indicator(cfg, "provider_reply_2w")->extend.n, 1);
	assert_int_equal(feed(cfg, "teleq")->encoding, ENC_CP1252);
	assert_int_equal(feed(cfg, "teleq")->csv.delimiter, ';');
	assert_int_equal(feed(cfg, "teleq")->time.nslot, 2);
	assert_int_equal(feed(cfg, "cases")->format, FORMAT_JSONL);
	assert_true(feed(cfg, "cases")->id_slot >= 0);
	assert_int_equal(dim_index(cfg, "age"), 0);
	assert_int_equal(dim_index(cfg, "channel"), 1);
	assert_int_equal(dim_index(cfg, "party"), 2);
	assert_int_equal(dim_index(cfg, "type"), 3);
	assert_int_not_equal(vid(cfg, -1, "call.closed"), 0);
	/* closed calls are in no denominator */
	a = indicator(cfg, "analog_patient_contacts");
	assert_int_equal(a->den.c[0].n, 3);
	for (size_t i = 0; i < a->den.c[0].n; i++)
		assert_int_not_equal(a->den.c[0].ids[i], vid(cfg, -1, "call.closed"));
	assert_int_equal(a->combine, COMBINE_MEAN_OF_MONTHS);
	assert_true(a->target == 0.75);
	assert_true(indicator(cfg, "telephone_bookings")->target == 0.80);
	assert_string_equal(indicator(cfg, "telephone_bookings")->title, "Andel telefontidbokningar");
	/* the seeds list it under Kvalitetsstyrning, the Målstyrning rows under their heading */
	assert_int_equal(indicator(cfg, "telephone_bookings")->section, SECTION_QUALITY);
	assert_string_equal(indicator(cfg, "digital_patient_contacts")->heading,
	                    "Patientärenden och informationsärenden");
	assert_int_equal(indicator(cfg, "digital_provider_contacts")->cadence, CADENCE_HALF);
	assert_int_equal(indicator(cfg, "information_case_growth")->kind, IND_GROWTH);
	/* early warnings for the ratios only; alerts by mail to the coordinator */
	assert_true(a->early_warning);
	assert_false(indicator(cfg, "information_case_growth")->early_warning);
	assert_true(cfg->alerts.enabled);
	assert_int_equal(cfg->alerts.nto, 1);
	assert_string_equal(cfg->alerts.to[0], "samordnare@region.example");
	assert_string_equal(cfg->alerts.from, "teleqd@region.example");
	assert_string_equal(cfg->alerts.sendmail[0], "/usr/sbin/sendmail");
	assert_null(cfg->alerts.sendmail[3]);
	assert_null(cfg->alerts.webhook_url);
	assert_int_equal(cfg->alerts.min_denominator, 20);
	assert_true(cfg->alerts.hysteresis == 0.02);
	assert_int_equal(cfg->alerts.repeat_s, 7 * 86400);
	assert_int_equal(cfg->alerts.grace_s, 2 * 86400);
	assert_int_equal(cfg->alerts.retry_min_s, 30);
	assert_int_equal(cfg->alerts.retry_max_s, 3600);
	assert_int_equal(cfg->alerts.stream_maxlen, 1000);
	assert_int_equal(cfg->alerts.check_interval_ms, 60000);
	/* /healthz and /metrics on the loopback */
	assert_string_equal(cfg->http.listen, "127.0.0.1:9187");
	assert_string_equal(cfg->http.host, "127.0.0.1");
	assert_int_equal(cfg->http.port, 9187);
	assert_int_equal(cfg->http.min_cases, 5);
	config_free(cfg);
}

/* I/O errors carry the path and -errno; *ret is untouched. */
static void test_load_errors(void **state)
{
	char err[512] = "";
	struct config *cfg = &untouched;

	(void)state;
	assert_int_equal(config_load("conf/does-not-exist.yaml", &cfg, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "conf/does-not-exist.yaml: No such file or directory");
	assert_int_equal(config_load("conf", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "conf: not a regular file");
	assert_ptr_equal(cfg, &untouched);
	/* a tiny buffer truncates, never overflows; no buffer at all is fine */
	assert_int_equal(config_parse("t.yaml", "feeds: 1", 8, &cfg, err, 4), -EINVAL);
	assert_string_equal(err, "t.y");
	assert_int_equal(config_parse("t.yaml", "feeds: 1", 8, &cfg, NULL, 0), -EINVAL);
	assert_ptr_equal(cfg, &untouched);
}

/*
 * config_load (not config_parse, which reads no file) refuses a zone with
 * no zone file, at the timezone's position.
 */
static void test_load_unknown_zone(void **state)
{
	static const char text[] = "timezone: Europe/Stockholmm\n"
	                           "feeds:\n"
	                           "  - { name: a, path: /x/a, format: jsonl, time: { field: t },\n"
	                           "      event: { value: x } }\n";
	char path[] = "/tmp/test_config.XXXXXX", err[512] = "", want[600];
	struct config *cfg = &untouched;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1:11: unknown timezone 'Europe/Stockholmm'", path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_ptr_equal(cfg, &untouched);
	unlink(path);

	cfg = parse_ok(text);
	assert_string_equal(cfg->timezone, "Europe/Stockholmm");
	config_free(cfg);
}

/*
 * Every prefix of the production file either parses or fails with a
 * positioned message (and, under valgrind, frees everything).
 */
static void test_prefixes(void **state)
{
	FILE *f = fopen("conf/teleqd.yaml", "rb");
	char *text;
	long len;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = malloc((size_t)len);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	for (long n = 0; n < len; n += 13) {
		char err[512] = "";
		struct config *cfg = NULL;
		int r = config_parse("p.yaml", text, (size_t)n, &cfg, err, sizeof(err));

		if (r == 0) {
			config_free(cfg);
			continue;
		}
		assert_int_equal(r, -EINVAL);
		assert_int_equal(strncmp(err, "p.yaml:", 7), 0);
		assert_true(err[7] >= '1' && err[7] <= '9');
	}
	free(text);
}

/* ---------------------------------------------------------------- errors */

/* The head of a valid feed, lines 1-4; each test adds lines 5 onwards. */
#define FEED_HEAD "feeds:\n" \
                  "  - name: calls\n" \
                  "    path: /var/log/teleq/calls-*.txt\n" \
                  "    format: csv\n"
/* Lines 5-6: a valid time and event. */
#define FEED_TAIL "    time: { field: start }\n" \
                  "    event: { field: result, map: { BOOKED: call.booked, FULL: call.full } }\n"

static void test_err_unknown_key(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD "    csv: { delimter: \";\" }\n" FEED_TAIL,
	            "t.yaml:5:12: unknown key 'delimter' in csv");
	parse_fails(FEED_HEAD FEED_TAIL "    naem: x\n",
	            "t.yaml:7:5: unknown key 'naem' in feed");
	parse_fails("timezone: UTC\nfeed: []\n",
	            "t.yaml:2:1: unknown key 'feed' in the configuration");
}

static void test_err_duplicate_key(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD FEED_TAIL "    path: /other\n",
	            "t.yaml:7:5: duplicate key 'path' in feed");
	parse_fails(FEED_HEAD "    time: { field: start }\n"
	            "    event: { field: result, map: { A: x, B: y, A: z } }\n",
	            "t.yaml:6:48: duplicate key 'A' in map");
}

static void test_err_wrong_type(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD "    max_line: big\n" FEED_TAIL,
	            "t.yaml:5:15: max_line must be an integer, not 'big'");
	parse_fails(FEED_HEAD "    max_line: \"100\"\n" FEED_TAIL,
	            "t.yaml:5:15: max_line must be an integer without quotes");
	parse_fails(FEED_HEAD "    csv: [a, b]\n" FEED_TAIL,
	            "t.yaml:5:10: csv must be a mapping, not a sequence");
	parse_fails(FEED_HEAD "    csv: { header: yes }\n" FEED_TAIL,
	            "t.yaml:5:20: header must be true or false, not 'yes'");
	parse_fails("feeds:\n", "t.yaml:1:7: feeds must be a sequence, not null");
	parse_fails("- a\n", "t.yaml:1:1: the configuration must be a mapping, not a sequence");
}

static void test_err_range(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD "    max_line: 15\n" FEED_TAIL,
	            "t.yaml:5:15: max_line must be between 16 and 16777216");
	parse_fails(FEED_HEAD "    max_line: 99999999999999999999999\n" FEED_TAIL,
	            "t.yaml:5:15: max_line must be between 16 and 16777216");
	parse_fails("redis: { lease: 0s }\n" FEED_HEAD FEED_TAIL,
	            "t.yaml:1:17: lease must be between 1s and 1h, not '0s'");
	parse_fails("redis: { lease: 2h }\n" FEED_HEAD FEED_TAIL,
	            "t.yaml:1:17: lease must be between 1s and 1h, not '2h'");
	parse_fails("redis: { lease: 10 }\n" FEED_HEAD FEED_TAIL,
	            "t.yaml:1:17: bad duration '10' for lease: expected a whole number and a unit "
	            "(s, m, h, d or w), like 30s, 15m, 24h, 7d or 2w");
}

/* A feed's time window: accept_from a date, accept_ahead a duration, each checked. */
static void test_accept_window(void **state)
{
	struct config *cfg = parse_ok(FEED_HEAD "    accept_from: 2024-02-29\n"
	                              "    accept_ahead: 0s\n" FEED_TAIL);

	(void)state;
	assert_int_equal(cfg->feeds[0].accept_from_day, days_from_civil(2024, 2, 29));
	assert_int_equal(cfg->feeds[0].accept_ahead_s, 0);
	config_free(cfg);
	cfg = parse_ok(FEED_HEAD "    accept_from: \"1971-01-01\"\n"
	               "    accept_ahead: 366d\n" FEED_TAIL);
	assert_int_equal(cfg->feeds[0].accept_from_day, days_from_civil(1971, 1, 1));
	assert_int_equal(cfg->feeds[0].accept_ahead_s, 366 * 86400);
	config_free(cfg);

	parse_fails(FEED_HEAD "    accept_from: 2026-02-30\n" FEED_TAIL,
	            "t.yaml:5:18: bad date '2026-02-30' for accept_from: expected YYYY-MM-DD");
	parse_fails(FEED_HEAD "    accept_from: 1.1.2000\n" FEED_TAIL,
	            "t.yaml:5:18: bad date '1.1.2000' for accept_from: expected YYYY-MM-DD");
	parse_fails(FEED_HEAD "    accept_from: 2000-01-01 00:00\n" FEED_TAIL,
	            "t.yaml:5:18: bad date '2000-01-01 00:00' for accept_from: expected YYYY-MM-DD");
	parse_fails(FEED_HEAD "    accept_from: 1900-01-01\n" FEED_TAIL,
	            "t.yaml:5:18: accept_from must be between 1971-01-01 and 9999-12-31, "
	            "not '1900-01-01'");
	parse_fails(FEED_HEAD "    accept_from: [2000-01-01]\n" FEED_TAIL,
	            "t.yaml:5:18: accept_from must be a date (YYYY-MM-DD), not a sequence");
	parse_fails(FEED_HEAD "    accept_ahead: 1x\n" FEED_TAIL,
	            "t.yaml:5:19: bad duration '1x' for accept_ahead");
	parse_fails(FEED_HEAD "    accept_ahead: 367d\n" FEED_TAIL,
	            "t.yaml:5:19: accept_ahead must be between 0s and 366d, not '367d'");
}

static void test_err_bad_enum(void **state)
{
	(void)state;
	parse_fails("feeds:\n"
	            "  - name: calls\n"
	            "    path: /var/log/teleq/calls-*.txt\n"
	            "    format: xml\n" FEED_TAIL,
	            "t.yaml:4:13: bad value 'xml' for format (allowed: csv, jsonl)");
	parse_fails(FEED_HEAD "    encoding: ascii\n" FEED_TAIL,
	            "t.yaml:5:15: bad value 'ascii' for encoding (allowed: utf-8, windows-1252, "
	            "iso-8859-1, utf8, cp1252, latin1)");
	parse_fails(FEED_HEAD "    start_at: middle\n" FEED_TAIL,
	            "t.yaml:5:15: bad value 'middle' for start_at (allowed: beginning, end)");
}

/* A valid feed plus the start of an indicator, lines 1-9. */
#define IND_HEAD FEED_HEAD FEED_TAIL \
                 "indicators:\n" \
                 "  - name: booked\n" \
                 "    title: Bokade\n"

/* kind: manual: a separate array, unit and target in the unit, no feed needed. */
static void test_manual(void **state)
{
	struct config *cfg;
	const struct manual_ind *m;

	(void)state;
	cfg = parse_ok(IND_HEAD "    numerator: { event: call.booked }\n"
	               "    denominator: { event: [call.booked, call.full] }\n"
	               "    target: \">= 0.55\"\n"
	               "  - name: analyser\n"
	               "    title: Antal analyser som produceras\n"
	               "    kind: manual\n"
	               "    target: \">= 2\"\n"
	               "  - name: periodresultat\n"
	               "    kind: manual\n"
	               "    unit: kr\n"
	               "    target: \">= -50000\"\n"
	               "  - name: andel\n"
	               "    kind: manual\n"
	               "    unit: percent\n"
	               "    target: \"> 50%\"\n"
	               "  - name: prognos_budget\n"
	               "    kind: manual\n"
	               "    unit: kr\n"
	               "    target: none\n");
	assert_int_equal(cfg->nindicators, 1);
	assert_string_equal(cfg->indicators[0].name, "booked");
	assert_int_equal(cfg->nmanuals, 4);
	m = &cfg->manuals[0];
	assert_string_equal(m->name, "analyser");
	assert_string_equal(m->title, "Antal analyser som produceras");
	assert_int_equal(m->unit, UNIT_COUNT);
	assert_true(m->has_target);
	assert_int_equal(m->cmp, CMP_GE);
	assert_true(m->target == 2.0);
	m = &cfg->manuals[1];
	assert_string_equal(m->title, "periodresultat");        /* the name without a title */
	assert_int_equal(m->unit, UNIT_KR);
	assert_true(m->target == -50000.0);
	m = &cfg->manuals[2];
	assert_int_equal(m->unit, UNIT_PERCENT);
	assert_int_equal(m->cmp, CMP_GT);
	assert_true(fabs(m->target - 50.0) < 1e-9);             /* points */
	assert_false(cfg->manuals[3].has_target);
	config_free(cfg);
}

/* section and heading: the committee's tables and sub-headings; by kind without them. */
static void test_sections(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = parse_ok(IND_HEAD "    numerator: { event: call.booked }\n"
	               "    denominator: { event: [call.booked, call.full] }\n"
	               "    target: \">= 0.55\"\n"
	               "    section: kvalitetsstyrning\n"
	               "    heading: Patientärenden och informationsärenden\n"
	               "  - name: booked2\n"
	               "    numerator: { event: call.booked }\n"
	               "    denominator: { event: [call.booked, call.full] }\n"
	               "    target: \">= 0.55\"\n"
	               "  - name: kunskap\n"
	               "    kind: manual\n"
	               "    target: \"> 3\"\n"
	               "    section: malstyrning\n"
	               "    heading: Stödpersonsuppdraget\n");
	assert_int_equal(cfg->indicators[0].section, SECTION_QUALITY);
	assert_string_equal(cfg->indicators[0].heading, "Patientärenden och informationsärenden");
	assert_int_equal(cfg->indicators[1].section, SECTION_AUTO);
	assert_null(cfg->indicators[1].heading);
	assert_int_equal(cfg->manuals[0].section, SECTION_GOALS);
	assert_string_equal(cfg->manuals[0].heading, "Stödpersonsuppdraget");
	config_free(cfg);

#define SEC_HEAD IND_HEAD "    numerator: { event: call.booked }\n" \
                 "    denominator: { event: [call.booked, call.full] }\n" \
                 "    target: \">= 0.55\"\n"
	parse_fails(SEC_HEAD "    section: kvalitet\n",
	            "t.yaml:13:14: bad value 'kvalitet' for section (allowed: malstyrning, "
	            "kvalitetsstyrning)");
	parse_fails(SEC_HEAD "    heading: \"\"\n",
	            "t.yaml:13:14: heading must not be empty (leave it out for none)");
	parse_fails(SEC_HEAD "    heading: \"a\\tb\"\n",
	            "t.yaml:13:14: heading must not contain control characters");
	parse_fails(SEC_HEAD "    heading: [a]\n",
	            "t.yaml:13:14: heading must be");
	parse_fails(FEED_HEAD FEED_TAIL "indicators:\n  - name: analyser\n    kind: manual\n"
	            "    section: budget\n",
	            "t.yaml:10:14: bad value 'budget' for section (allowed: malstyrning, "
	            "kvalitetsstyrning)");
#undef SEC_HEAD
}

/* A manual indicator's mistakes, each at its place. */
static void test_err_manual(void **state)
{
	(void)state;
#define MAN_HEAD FEED_HEAD FEED_TAIL "indicators:\n  - name: analyser\n    kind: manual\n"
	parse_fails(MAN_HEAD "    unit: sek\n",
	            "t.yaml:10:11: bad value 'sek' for unit (allowed: count, percent, kr)");
	parse_fails(MAN_HEAD "    numerator: { event: call.booked }\n",
	            "t.yaml:10:5: unknown key 'numerator' in a manual indicator");
	parse_fails(MAN_HEAD "    target: \"> 3%\"\n",
	            "t.yaml:10:13: a count target is a number without %, not '> 3%'");
	parse_fails(MAN_HEAD "    unit: percent\n    target: \"> 0.5\"\n",
	            "t.yaml:11:13: a percent target is a percentage like \"> 50%\", not '> 0.5'");
	parse_fails(MAN_HEAD "    target: \">= -1\"\n",
	            "t.yaml:10:13: a count target must not be negative, not '>= -1'");
	parse_fails(MAN_HEAD "    target: \"about 3\"\n",
	            "t.yaml:10:13: bad target 'about 3'");
	parse_fails(MAN_HEAD "  - name: analyser\n    kind: manual\n",
	            "t.yaml:10:11: duplicate indicator name 'analyser' (first at line 8)");
	parse_fails(MAN_HEAD "  - name: AB\n    kind: manual\n",
	            "t.yaml:10:11: bad indicator name 'AB'");
#undef MAN_HEAD
}

static void test_err_bad_target(void **state)
{
	(void)state;
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \"=> 0.55\"\n",
	            "t.yaml:12:13: bad target '=> 0.55': expected an operator (>=, >, <=, <) "
	            "and a fraction or a percentage");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 55\"\n",
	            "t.yaml:12:13: a ratio target must be between 0 and 1 (0% and 100%), not '>= 55'");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= .5\"\n",
	            "t.yaml:12:13: bad target '>= .5'");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 1e-1\"\n",
	            "t.yaml:12:13: bad target '>= 1e-1'");
	/* unquoted, the ">" starts a folded block scalar: a YAML error */
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: >= 0.55\n",
	            "t.yaml:12:14: YAML syntax error: ");
}

static void test_err_duplicate_name(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD FEED_TAIL
	            "  - name: calls\n"
	            "    path: /var/log/other.txt\n"
	            "    format: csv\n" FEED_TAIL,
	            "t.yaml:7:11: duplicate feed name 'calls' (first at line 2)");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 75%\"\n"
	            "  - name: booked\n"
	            "    kind: growth\n"
	            "    count: { event: call.booked }\n"
	            "    target: \"> 5%\"\n",
	            "t.yaml:13:11: duplicate indicator name 'booked' (first at line 8)");
}

static void test_err_missing_key(void **state)
{
	(void)state;
	parse_fails("feeds:\n"
	            "  - name: calls\n"
	            "    format: csv\n" FEED_TAIL,
	            "t.yaml:2:5: missing required key 'path' in feed");
	parse_fails(FEED_HEAD "    time: { field: start }\n",
	            "t.yaml:2:5: missing required key 'event' in feed");
	parse_fails(FEED_HEAD "    time: { format: iso8601 }\n"
	            "    event: { value: x }\n",
	            "t.yaml:5:11: missing required key 'field' in time");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    target: \">= 75%\"\n",
	            "t.yaml:8:5: missing required key 'denominator' in indicator");
	parse_fails("timezone: UTC\n",
	            "t.yaml:1:1: missing required key 'feeds' in the configuration");
	parse_fails("", "t.yaml:1:1: missing required key 'feeds' in the configuration");
	parse_fails(FEED_HEAD "    time: { field: start }\n"
	            "    event: { value: x }\n"
	            "    dimensions:\n"
	            "      channel: { field: source }\n",
	            "t.yaml:8:16: missing required key 'map' in dimension");
}

static void test_err_glob_in_directory(void **state)
{
	(void)state;
	parse_fails("feeds:\n"
	            "  - name: calls\n"
	            "    path: /var/log/*/calls.txt\n"
	            "    format: csv\n" FEED_TAIL,
	            "t.yaml:3:11: glob character '*' in a directory of path '/var/log/*/calls.txt': "
	            "only the last component may be a pattern");
	parse_fails("feeds:\n"
	            "  - name: calls\n"
	            "    path: var/log/calls.txt\n"
	            "    format: csv\n" FEED_TAIL,
	            "t.yaml:3:11: path 'var/log/calls.txt' must be absolute");
}

static void test_err_filter_unknown(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD FEED_TAIL
	            "    set: { channel: phone }\n"
	            "indicators:\n"
	            "  - name: booked\n"
	            "    numerator: { event: call.booked, chanel: phone }\n",
	            "t.yaml:10:38: filter on dimension 'chanel', which no feed produces "
	            "(known: channel)");
	parse_fails(IND_HEAD "    numerator: { event: call.bokked }\n",
	            "t.yaml:10:25: filter on event 'call.bokked', which no feed produces");
	parse_fails(FEED_HEAD FEED_TAIL
	            "    set: { channel: phone }\n"
	            "indicators:\n"
	            "  - name: booked\n"
	            "    numerator: { event: call.booked, channel: [phone, fone] }\n",
	            "t.yaml:10:55: filter on channel 'fone', a value no feed produces");
	parse_fails(IND_HEAD "    numerator: { channel: phone }\n",
	            "t.yaml:10:18: filter on dimension 'channel', which no feed produces (known: none)");
	parse_fails(FEED_HEAD FEED_TAIL
	            "    set: { channel: phone }\n"
	            "indicators:\n"
	            "  - name: booked\n"
	            "    numerator: { channel: phone }\n",
	            "t.yaml:10:16: numerator must name an event");
}

/* Each name is produced, but not together by one feed: always 0. */
static void test_err_filter_unproducible(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD FEED_TAIL
	            "    set: { channel: phone }\n"
	            "  - name: web\n"
	            "    path: /var/log/web.jsonl\n"
	            "    format: jsonl\n"
	            "    time: { field: t }\n"
	            "    event: { value: case.opened }\n"
	            "    set: { channel: digital }\n"
	            "indicators:\n"
	            "  - name: x\n"
	            "    numerator: { event: call.booked, channel: digital }\n",
	            "t.yaml:16:16: no single feed produces events matching this numerator");
	parse_fails(IND_HEAD "    numerator: { event: [call.booked, call.full] }\n"
	            "    denominator: { event: call.booked }\n"
	            "    target: \">= 75%\"\n",
	            "t.yaml:10:16: numerator must be a part of the denominator");
}

static void test_err_header_without_columns(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD "    csv: { header: false }\n" FEED_TAIL,
	            "t.yaml:5:10: missing required key 'columns' in csv (header is false)");
	parse_fails(FEED_HEAD "    csv: { header: false, columns: [start, outcome] }\n" FEED_TAIL,
	            "t.yaml:7:21: field 'result' is not one of csv.columns");
	parse_fails(FEED_HEAD "    csv: { columns: [start, result] }\n" FEED_TAIL,
	            "t.yaml:5:21: columns is only used with header: false");
}

static void test_err_id_without_secret(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD FEED_TAIL "    id: case_id\n",
	            "t.yaml:7:9: id needs dedup.secret_file");
}

static void test_err_yaml_syntax(void **state)
{
	(void)state;
	parse_fails(FEED_HEAD "    time: start: x\n",
	            "t.yaml:5:16: YAML syntax error: mapping values are not allowed in this context");
	parse_fails("feeds: [\n", "t.yaml:2:1: YAML syntax error: ");
	parse_fails("a: \x01\n", "t.yaml:1:4: invalid input: control characters are not allowed");
	parse_fails("a: \xff\n", "t.yaml:1:4: invalid input: ");
	parse_fails("feeds: *nothing\n", "t.yaml:1:8: YAML syntax error: found undefined alias");
	parse_fails("feeds: []\n---\nfeeds: []\n",
	            "t.yaml:2:1: only one YAML document is allowed");
}

/* Names, values and other content checks. */
static void test_err_content(void **state)
{
	(void)state;
	parse_fails("feeds:\n"
	            "  - name: Calls\n"
	            "    path: /x\n"
	            "    format: csv\n" FEED_TAIL,
	            "t.yaml:2:11: bad feed name 'Calls': use 1-32 of a-z 0-9 _ -");
	parse_fails(FEED_HEAD FEED_TAIL "    set: { event: x }\n",
	            "t.yaml:7:12: the dimension name 'event' is reserved");
	parse_fails(FEED_HEAD FEED_TAIL "    set: { channel: \"a|b\" }\n",
	            "t.yaml:7:21: bad dimension value 'a|b': use 1-48 of A-Z a-z 0-9 . _ -");
	parse_fails(FEED_HEAD FEED_TAIL
	            "    set: { channel: phone }\n"
	            "    dimensions: { channel: { field: c, map: { a: b } } }\n",
	            "t.yaml:8:19: dimension 'channel' is given twice in feed 'calls'");
	parse_fails(FEED_HEAD "    time: { field: start, format: \"%Y-%m-%d %H:%M:%Q\" }\n"
	            "    event: { value: x }\n",
	            "t.yaml:5:35: unsupported conversion '%Q' in time format");
	parse_fails(FEED_HEAD "    time: { field: start, format: \"%H:%M\" }\n"
	            "    event: { value: x }\n",
	            "t.yaml:5:35: time format must contain a year, a month and a day");
	parse_fails(FEED_HEAD "    csv: { delimiter: \";;\" }\n" FEED_TAIL,
	            "t.yaml:5:23: delimiter must be one ASCII character or \"\\t\", not ';;'");
	parse_fails(FEED_HEAD "    encoding: utf-8\n"
	            "    csv: { encoding: latin1 }\n" FEED_TAIL,
	            "t.yaml:6:22: encoding is given twice with different values");
	parse_fails("redis: { address: localhost }\n"
	            "feeds: []\n",
	            "t.yaml:1:19: bad redis address 'localhost': expected unix:/path or host:port");
	parse_fails("timezone: ../../etc/passwd\nfeeds: []\n",
	            "t.yaml:1:11: bad timezone '../../etc/passwd'");
	parse_fails("feeds: []\n", "t.yaml:1:8: feeds must not be empty");
	parse_fails(IND_HEAD "    kind: growth\n"
	            "    count: { event: call.booked }\n"
	            "    combine: mean_of_months\n"
	            "    target: \"> 5%\"\n",
	            "t.yaml:12:14: a growth indicator is always pooled");
}

/* Size, nesting and count limits. */
/*
 * A bad conversion in a time format is shown like any config value: a
 * control byte as '?', a non-ASCII character whole. Found by fuzz_config
 * (tests/fuzz/regress/config/time-format-newline): the raw byte after '%'
 * went into the message, so "%" at the end of a line of a multi-line
 * scalar put a line break into the one-line "file:line:col: ..." error,
 * and "%ö" left a lone UTF-8 lead byte in it.
 */
static void test_err_time_format_shown(void **state)
{
	static const char allowed[] =
	    " in time format (allowed: %Y %m %d %H %M %S %y %e %T %F %f %%)";
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ FEED_HEAD "    time: { field: start, format: \"%Y-%m-%d %\\n\" }\n"
		  "    event: { value: x }\n",
		  "t.yaml:5:35: unsupported conversion '%?'" },
		{ FEED_HEAD "    time: { field: start, format: \"%Y-%m-%d %\\t%H\" }\n"
		  "    event: { value: x }\n",
		  "t.yaml:5:35: unsupported conversion '%?'" },
		{ FEED_HEAD "    time: { field: start, format: \"%Y-%m-%d %ö\" }\n"
		  "    event: { value: x }\n",
		  "t.yaml:5:35: unsupported conversion '%ö'" },
		{ FEED_HEAD "    time: { field: start, format: on %Y-%m-%d %\n"
		  "\n"
		  "      H }\n"
		  "    event: { value: x }\n",
		  "t.yaml:5:35: unsupported conversion '%?'" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "", want[256];
		struct config *cfg = &untouched;
		int r;

		snprintf(want, sizeof(want), "%s%s", cases[i].want, allowed);
		r = config_parse("t.yaml", cases[i].text, strlen(cases[i].text), &cfg, err,
		                 sizeof(err));
		if (r != -EINVAL || strcmp(err, want) != 0)
			print_error("case %zu: got %d: \"%s\"\nwant:     \"%s\"\n", i, r, err, want);
		assert_int_equal(r, -EINVAL);
		assert_ptr_equal(cfg, &untouched);
		assert_string_equal(err, want);
		assert_null(strchr(err, '\n'));
		assert_true(utf8_valid(err, strlen(err)));
	}
}

static void test_err_limits(void **state)
{
	size_t big = 1024 * 1024 + 1;
	char *text = malloc(big);
	char buf[4096];
	size_t o;

	(void)state;
	assert_non_null(text);
	memset(text, ' ', big);
	{
		char err[256];
		struct config *cfg = &untouched;

		assert_int_equal(config_parse("t.yaml", text, big, &cfg, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "t.yaml:1:1: the configuration is larger than 1 MiB");
	}
	free(text);

	o = (size_t)snprintf(buf, sizeof(buf), "feeds: ");
	for (int i = 0; i < 40; i++)
		buf[o++] = '[';
	buf[o] = '\0';
	parse_fails(buf, "t.yaml:1:39: nested deeper than 32 levels");

	/* 65 feeds */
	o = (size_t)snprintf(buf, sizeof(buf), "feeds:\n");
	for (int i = 0; i < 65; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "  - {}\n");
	parse_fails(buf, "t.yaml:2:3: more than 64 feeds");

}

/*
 * The ninth dimension is rejected; eight are fine (the error then comes from
 * the next feed). TQ_MAX_SLOTS cannot be reached: a feed reads at most two
 * time fields, an id, an event field and eight dimension fields.
 */
static void test_err_counts(void **state)
{
	char buf[4096];
	size_t o;

	(void)state;
	o = (size_t)snprintf(buf, sizeof(buf), FEED_HEAD FEED_TAIL "    set:\n");
	for (int i = 0; i < 9; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "      d%d: v\n", i);
	parse_fails(buf, "t.yaml:16:7: more than 8 dimensions");

	o = (size_t)snprintf(buf, sizeof(buf), FEED_HEAD FEED_TAIL "    dimensions:\n");
	for (int i = 0; i < 8; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		                      "      d%d: { field: f%d, map: { a: b } }\n", i, i);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "  - name: two\n"
	                      "    path: /var/log/two\n"
	                      "    format: jsonl\n"
	                      "    time: { field: t }\n"
	                      "    event: { value: x }\n"
	                      "    id: i\n");
	parse_fails(buf, "t.yaml:21:9: id needs dedup.secret_file");
}

/* ----------------------------------------------------------------- alerts */

/* A valid feed with a ratio and a growth indicator, lines 1-15 (no '%': used as a format). */
#define ALERT_BASE FEED_HEAD FEED_TAIL \
                   "indicators:\n" \
                   "  - name: booked\n" \
                   "    numerator: { event: call.booked }\n" \
                   "    denominator: { event: [call.booked, call.full] }\n" \
                   "    target: \">= 0.75\"\n" \
                   "  - name: growth\n" \
                   "    kind: growth\n" \
                   "    count: { event: call.booked }\n" \
                   "    target: \"> 0.05\"\n"
/* The same plus "alerts:" on line 16; error tests add lines 17 onwards. */
#define ALERT_HEAD ALERT_BASE "alerts:\n"

/* Checks that every template of ac is an owned copy of the default. */
static void assert_default_templates(const struct alert_conf *ac, enum alert_kind except)
{
	for (int k = 0; k < AK__MAX; k++) {
		if ((enum alert_kind)k == except)
			continue;
		assert_non_null(ac->tpl[k].subject);
		assert_non_null(ac->tpl[k].body);
		assert_non_null(alert_default_template((enum alert_kind)k, true));
		assert_string_equal(ac->tpl[k].subject, alert_default_template((enum alert_kind)k, true));
		assert_string_equal(ac->tpl[k].body, alert_default_template((enum alert_kind)k, false));
		assert_ptr_not_equal(ac->tpl[k].subject, alert_default_template((enum alert_kind)k, true));
		assert_true(strlen(ac->tpl[k].subject) > 0);
		assert_true(strlen(ac->tpl[k].body) > 0);
	}
}

/* Without an alerts: section: disabled, yet every default is there. */
static void test_alerts_defaults(void **state)
{
	struct config *cfg = parse_ok(FULL);
	const struct alert_conf *ac = &cfg->alerts;

	(void)state;
	assert_false(ac->enabled);
	assert_int_equal(ac->nto, 0);
	assert_null(ac->to);
	assert_null(ac->from);
	assert_non_null(ac->sendmail);
	assert_string_equal(ac->sendmail[0], "/usr/sbin/sendmail");
	assert_string_equal(ac->sendmail[1], "-t");
	assert_string_equal(ac->sendmail[2], "-i");
	assert_null(ac->sendmail[3]);
	assert_null(ac->webhook_url);
	assert_null(ac->webhook_host);
	assert_null(ac->webhook_path);
	assert_int_equal(ac->webhook_port, 80);
	assert_int_equal(ac->webhook_timeout_ms, 10000);
	assert_int_equal(ac->min_denominator, 20);
	assert_true(ac->hysteresis == 0.02);
	assert_int_equal(ac->repeat_s, 7 * 86400);
	assert_int_equal(ac->grace_s, 2 * 86400);
	assert_int_equal(ac->retry_min_s, 30);
	assert_int_equal(ac->retry_max_s, 3600);
	assert_int_equal(ac->check_interval_ms, 60000);
	assert_int_equal(ac->stream_maxlen, 1000);
	assert_int_equal(ac->max_ambiguous, 3);
	assert_default_templates(ac, AK__MAX);
	/* early_warning: ratios yes, growth no */
	assert_true(indicator(cfg, "digital_patient_contacts")->early_warning);
	assert_true(indicator(cfg, "booked_share")->early_warning);
	assert_false(indicator(cfg, "patient_case_growth")->early_warning);
	config_free(cfg);

	/* an empty section enables alerts (the stream only) with the same defaults */
	cfg = parse_ok(ALERT_BASE "alerts: {}\n");
	assert_true(cfg->alerts.enabled);
	assert_int_equal(cfg->alerts.nto, 0);
	assert_null(cfg->alerts.webhook_url);
	assert_int_equal(cfg->alerts.retry_max_s, 3600);
	assert_string_equal(cfg->alerts.sendmail[0], "/usr/sbin/sendmail");
	assert_default_templates(&cfg->alerts, AK__MAX);
	config_free(cfg);
}

/* Every key of the section, and early_warning on indicators, is read. */
static void test_alerts_full(void **state)
{
	struct config *cfg = parse_ok(FEED_HEAD FEED_TAIL
	                              "indicators:\n"
	                              "  - name: booked\n"
	                              "    numerator: { event: call.booked }\n"
	                              "    denominator: { event: [call.booked, call.full] }\n"
	                              "    target: \">= 75%\"\n"
	                              "    early_warning: false\n"
	                              "  - name: growth\n"
	                              "    kind: growth\n"
	                              "    count: { event: call.booked }\n"
	                              "    target: \"> 5%\"\n"
	                              "    early_warning: true\n"
	                              "alerts:\n"
	                              "  mail:\n"
	                              "    to: [samordnare@region.example, kansli+tq@sub.region.example]\n"
	                              "    from: teleqd@region.example\n"
	                              "    sendmail: [/usr/lib/sendmail, -t, -i, -f,\n"
	                              "               teleqd@region.example]\n"
	                              "  webhook:\n"
	                              "    url: http://hooks.region.example:8081/api/teleqd?src=tq\n"
	                              "    timeout_ms: 2500\n"
	                              "  early_warning:\n"
	                              "    min_denominator: 50\n"
	                              "    hysteresis: \"2.5%\"\n"
	                              "    repeat: 2w\n"
	                              "  summary: { grace: 36h, attach_report: true }\n"
	                              "  delivery: { retry_min: 1m, retry_max: 2h, stream_maxlen: 500, "
	                              "max_ambiguous: 0 }\n"
	                              "  check_interval_ms: 1000\n"
	                              "  templates:\n"
	                              "    breach: { subject: \"Varning: {title} är {value}\" }\n"
	                              "    summary:\n"
	                              "      body: \"Sammanfattning {period}\\n{table}\\n\\t"
	                              "{{klart}}\\n\"\n"
	                              "    test: { subject: Test, body: \"Hej {{du}}\" }\n"
	                              "    resolved: {}\n");
	const struct alert_conf *ac = &cfg->alerts;

	(void)state;
	assert_false(indicator(cfg, "booked")->early_warning);
	assert_true(indicator(cfg, "growth")->early_warning);
	assert_true(ac->enabled);
	assert_int_equal(ac->nto, 2);
	assert_string_equal(ac->to[0], "samordnare@region.example");
	assert_string_equal(ac->to[1], "kansli+tq@sub.region.example");
	assert_string_equal(ac->from, "teleqd@region.example");
	assert_string_equal(ac->sendmail[0], "/usr/lib/sendmail");
	assert_string_equal(ac->sendmail[1], "-t");
	assert_string_equal(ac->sendmail[2], "-i");
	assert_string_equal(ac->sendmail[3], "-f");
	assert_string_equal(ac->sendmail[4], "teleqd@region.example");
	assert_null(ac->sendmail[5]);
	assert_string_equal(ac->webhook_url, "http://hooks.region.example:8081/api/teleqd?src=tq");
	assert_string_equal(ac->webhook_host, "hooks.region.example");
	assert_int_equal(ac->webhook_port, 8081);
	assert_string_equal(ac->webhook_path, "/api/teleqd?src=tq");
	assert_int_equal(ac->webhook_timeout_ms, 2500);
	assert_false(ac->webhook_tls);
	assert_null(ac->webhook_proxy_host);
	assert_null(ac->webhook_ca_file);
	assert_int_equal(ac->min_denominator, 50);
	assert_true(ac->hysteresis == 0.025);
	assert_int_equal(ac->repeat_s, 14 * 86400);
	assert_int_equal(ac->grace_s, 36 * 3600);
	assert_true(ac->attach_report);
	assert_int_equal(ac->retry_min_s, 60);
	assert_int_equal(ac->retry_max_s, 7200);
	assert_int_equal(ac->stream_maxlen, 500);
	assert_int_equal(ac->max_ambiguous, 0);
	assert_int_equal(ac->check_interval_ms, 1000);
	/* overrides; the key not given keeps the default */
	assert_string_equal(ac->tpl[AK_BREACH].subject, "Varning: {title} är {value}");
	assert_string_equal(ac->tpl[AK_BREACH].body, alert_default_template(AK_BREACH, false));
	assert_string_equal(ac->tpl[AK_SUMMARY].subject, alert_default_template(AK_SUMMARY, true));
	assert_string_equal(ac->tpl[AK_SUMMARY].body, "Sammanfattning {period}\n{table}\n\t{{klart}}\n");
	assert_string_equal(ac->tpl[AK_TEST].subject, "Test");
	assert_string_equal(ac->tpl[AK_TEST].body, "Hej {{du}}");
	assert_string_equal(ac->tpl[AK_REMINDER].subject, alert_default_template(AK_REMINDER, true));
	assert_string_equal(ac->tpl[AK_RESOLVED].body, alert_default_template(AK_RESOLVED, false));
	config_free(cfg);
}

/* Other spellings: one address, a fraction, url forms, limits inclusive. */
static void test_alerts_variants(void **state)
{
	static const struct {
		const char *url, *host, *path;
		unsigned port;
	} urls[] = {
		{ "http://127.0.0.1:8080/teleqd", "127.0.0.1", "/teleqd", 8080 },
		{ "http://localhost", "localhost", "/", 80 },
		{ "HTTP://Hooks.Example/", "Hooks.Example", "/", 80 },
		{ "http://[::1]:65535/a/b", "::1", "/a/b", 65535 },
		{ "http://[2001:db8::7]", "2001:db8::7", "/", 80 },
		{ "http://h-1.example:1/x?y=z&w=%20", "h-1.example", "/x?y=z&w=%20", 1 },
	};
	struct config *cfg;

	(void)state;
	cfg = parse_ok(ALERT_HEAD
	               "  mail: { to: a@b.example, from: \"t@b.example\" }\n"
	               "  early_warning: { min_denominator: 0, hysteresis: 0.02, repeat: 1m }\n"
	               "  summary: { grace: 0s }\n"
	               "  delivery: { retry_min: 1d, retry_max: 1d, stream_maxlen: 10 }\n"
	               "  check_interval_ms: 100\n");
	assert_int_equal(cfg->alerts.nto, 1);
	assert_string_equal(cfg->alerts.to[0], "a@b.example");
	assert_string_equal(cfg->alerts.from, "t@b.example");
	assert_string_equal(cfg->alerts.from_name, "Patientnämnden");   /* the default */
	assert_string_equal(cfg->alerts.sendmail[0], "/usr/sbin/sendmail");
	assert_int_equal(cfg->alerts.min_denominator, 0);
	assert_true(cfg->alerts.hysteresis == 0.02);
	assert_int_equal(cfg->alerts.repeat_s, 60);
	assert_int_equal(cfg->alerts.grace_s, 0);
	assert_false(cfg->alerts.attach_report);      /* the default */
	assert_int_equal(cfg->alerts.retry_min_s, 86400);
	assert_int_equal(cfg->alerts.retry_max_s, 86400);
	assert_int_equal(cfg->alerts.stream_maxlen, 10);
	assert_int_equal(cfg->alerts.check_interval_ms, 100);
	config_free(cfg);

	cfg = parse_ok(ALERT_HEAD
	               "  early_warning: { hysteresis: 50%, repeat: 365d, min_denominator: 1000000000 }\n"
	               "  summary: { grace: 31d }\n"
	               "  delivery: { retry_max: 7d }\n"
	               "  check_interval_ms: 3600000\n"
	               "  webhook: { url: \"http://x.example\", timeout_ms: 600000 }\n");
	assert_true(cfg->alerts.hysteresis == 0.5);
	assert_int_equal(cfg->alerts.repeat_s, 365 * 86400);
	assert_int_equal(cfg->alerts.min_denominator, 1000000000);
	assert_int_equal(cfg->alerts.grace_s, 31 * 86400);
	assert_int_equal(cfg->alerts.retry_min_s, 30);
	assert_int_equal(cfg->alerts.retry_max_s, 7 * 86400);
	assert_int_equal(cfg->alerts.check_interval_ms, 3600000);
	assert_int_equal(cfg->alerts.webhook_timeout_ms, 600000);
	assert_int_equal(cfg->alerts.nto, 0);
	config_free(cfg);

	/* issue 18: the From display name; "" for the bare address */
	cfg = parse_ok(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, "
	               "from_name: \"Patientnämndens kansli\" }\n");
	assert_string_equal(cfg->alerts.from_name, "Patientnämndens kansli");
	config_free(cfg);
	cfg = parse_ok(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, from_name: \"\" }\n");
	assert_string_equal(cfg->alerts.from_name, "");
	config_free(cfg);

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char text[2048];

		snprintf(text, sizeof(text), ALERT_HEAD "  webhook: { url: \"%s\" }\n", urls[i].url);
		cfg = parse_ok(text);
		assert_string_equal(cfg->alerts.webhook_url, urls[i].url);
		assert_string_equal(cfg->alerts.webhook_host, urls[i].host);
		assert_string_equal(cfg->alerts.webhook_path, urls[i].path);
		assert_int_equal(cfg->alerts.webhook_port, urls[i].port);
		assert_int_equal(cfg->alerts.webhook_timeout_ms, 10000);
		config_free(cfg);
	}
}

/* Mail addresses: display names, lists and header injection are refused. */
static void test_err_alerts_mail(void **state)
{
	char buf[4096];
	size_t o;

	(void)state;
	parse_fails(ALERT_HEAD "  mail:\n"
	            "    to: [samordnare@region.example, \"Kansli <k@r.example>\"]\n"
	            "    from: teleqd@region.example\n",
	            "t.yaml:18:37: bad mail address 'Kansli <k@r.example>' in to: expected "
	            "local@domain");
	/* header injection through to and from */
	parse_fails(ALERT_HEAD "  mail:\n"
	            "    to: \"a@b\\nBcc: x@y\"\n"
	            "    from: teleqd@region.example\n",
	            "t.yaml:18:9: bad mail address 'a@b?Bcc: x@y' in to");
	parse_fails(ALERT_HEAD "  mail:\n"
	            "    to: a@b.example\n"
	            "    from: \"teleqd@region.example\\r\\nBcc: x@y\"\n",
	            "t.yaml:19:11: bad mail address 'teleqd@region.example??Bcc: x@y' in from");
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, "
	            "from_name: \"Kansli\\nBcc: x@y\" }\n",
	            "t.yaml:17:58: from_name must not contain a control character");
	parse_fails(ALERT_HEAD "  mail: { to: \"a@b.example, c@d.example\", from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address 'a@b.example, c@d.example' in to");
	parse_fails(ALERT_HEAD "  mail: { to: samordnare, from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address 'samordnare' in to");
	parse_fails(ALERT_HEAD "  mail: { to: a@@b.example, from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address 'a@@b.example' in to");
	parse_fails(ALERT_HEAD "  mail: { to: a@b..example, from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address 'a@b..example' in to");
	parse_fails(ALERT_HEAD "  mail: { to: \"\\\"a b\\\"@b.example\", from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address '\"a b\"@b.example' in to");
	parse_fails(ALERT_HEAD "  mail: { to: \"å@b.example\", from: t@b.example }\n",
	            "t.yaml:17:15: bad mail address 'å@b.example' in to");
	parse_fails(ALERT_HEAD "  mail: { to: [], from: t@b.example }\n",
	            "t.yaml:17:15: to must list 1 to 16 addresses");
	parse_fails(ALERT_HEAD "  mail: { to: { a: b }, from: t@b.example }\n",
	            "t.yaml:17:15: to must be an address or a sequence of addresses, not a mapping");
	parse_fails(ALERT_HEAD "  mail:\n"
	            "    to: a@b.example\n",
	            "t.yaml:18:5: missing required key 'from' in mail");
	parse_fails(ALERT_HEAD "  mail: { from: t@b.example }\n",
	            "t.yaml:17:9: missing required key 'to' in mail");
	parse_fails(ALERT_HEAD "  mial: { to: a@b.example }\n",
	            "t.yaml:17:3: unknown key 'mial' in alerts");
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, cc: c@b.example }\n",
	            "t.yaml:17:47: unknown key 'cc' in mail");

	/* 17 recipients; and one of 255 bytes */
	o = (size_t)snprintf(buf, sizeof(buf), ALERT_HEAD "  mail:\n    from: t@b.example\n    to:\n");
	for (int i = 0; i < 17; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "      - r%d@b.example\n", i);
	parse_fails(buf, "t.yaml:20:7: to must list 1 to 16 addresses");
	{
		/* 64 + 1 + 190 bytes; one byte less is a valid address of 254 bytes */
		char local[65], label[61];

		memset(local, 'a', 64);
		local[64] = '\0';
		memset(label, 'b', 60);
		label[60] = '\0';
		snprintf(buf, sizeof(buf), ALERT_HEAD "  mail: { from: t@b.example, to: %s@%s.%s.%s.example }\n",
		         local, label, label, label);
		parse_fails(buf, "t.yaml:17:34: to is longer than 254 bytes");
		snprintf(buf, sizeof(buf), ALERT_HEAD "  mail: { from: t@b.example, to: %s@%s.%s.%s.exampl }\n",
		         local, label, label, label);
		config_free(parse_ok(buf));
		/* a local part of 65 bytes is too long */
		snprintf(buf, sizeof(buf), ALERT_HEAD "  mail: { from: t@b.example, to: %sa@b.example }\n",
		         local);
		parse_fails(buf, "t.yaml:17:34: bad mail address "
		            "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' in to");
	}

	/* sendmail: an argv whose program is an absolute path */
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, sendmail: sendmail -t }\n",
	            "t.yaml:17:57: sendmail must be a sequence (the program and its arguments), not "
	            "'sendmail -t'");
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, "
	            "sendmail: [sendmail, -t] }\n",
	            "t.yaml:17:58: the sendmail program 'sendmail' must be an absolute path");
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, sendmail: [] }\n",
	            "t.yaml:17:57: sendmail must list 1 to 16 entries");
	parse_fails(ALERT_HEAD "  mail: { to: a@b.example, from: t@b.example, sendmail: [/x, ~] }\n",
	            "t.yaml:17:62: a sendmail argument must be a string, not null");
}

/* Makes the file of mkstemp template tmpl holding text. */
static void
temp_file(char *tmpl, const char *text)
{
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/*
 * https urls, webhook.proxy and webhook.ca_file: one url parser for url
 * and proxy (https only in url, no path in proxy); the CA file checked at
 * parse time (readable, a PEM certificate in it).
 */
static void test_load_webhook_https(void **state)
{
	char ca[] = "/tmp/tq-test-ca-XXXXXX", junk[] = "/tmp/tq-test-junk-XXXXXX";
	char buf[1024];
	struct config *cfg;
	const struct alert_conf *ac;

	(void)state;
	cfg = parse_ok(ALERT_HEAD "  webhook: { url: \"https://hooks.example/t\", "
	               "proxy: \"http://proxy.region.example:3128\" }\n");
	ac = &cfg->alerts;
	assert_true(ac->webhook_tls);
	assert_string_equal(ac->webhook_host, "hooks.example");
	assert_int_equal(ac->webhook_port, 443);
	assert_string_equal(ac->webhook_path, "/t");
	assert_string_equal(ac->webhook_proxy_host, "proxy.region.example");
	assert_int_equal(ac->webhook_proxy_port, 3128);
	assert_null(ac->webhook_ca_file);
	config_free(cfg);
	cfg = parse_ok(ALERT_HEAD "  webhook: { url: \"HTTPS://[::1]:8443\", proxy: \"http://[::1]/\" }\n");
	ac = &cfg->alerts;
	assert_true(ac->webhook_tls);
	assert_string_equal(ac->webhook_host, "::1");
	assert_int_equal(ac->webhook_port, 8443);
	assert_string_equal(ac->webhook_path, "/");
	assert_string_equal(ac->webhook_proxy_host, "::1");
	assert_int_equal(ac->webhook_proxy_port, 80);
	config_free(cfg);

	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", proxy: \"https://p.example:3128\" }\n",
	            "t.yaml:17:48: bad proxy 'https://p.example:3128': expected http://host[:port]");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", proxy: \"http://p.example:3128/x\" }\n",
	            "t.yaml:17:48: proxy must not have a path");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", proxy: \"http://u@p.example\" }\n",
	            "t.yaml:17:48: proxy must not hold user information");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", proxy: \"http://p.example:0\" }\n",
	            "t.yaml:17:48: bad port '0' in proxy: expected 1 to 65535");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", proxy: \"http://p_x\" }\n",
	            "t.yaml:17:48: bad host in proxy 'http://p_x'");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example:99999/\" }\n",
	            "t.yaml:17:19: bad port '99999' in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"https://h.example/\", "
	            "ca_file: /nonexistent/ca.pem }\n",
	            "t.yaml:17:50: ca_file /nonexistent/ca.pem: cannot read it: No such file or directory");

	temp_file(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	temp_file(junk, "not a certificate\n");
	snprintf(buf, sizeof(buf), ALERT_HEAD "  webhook: { url: \"https://h.example/\", ca_file: %s }\n", ca);
	cfg = parse_ok(buf);
	assert_string_equal(cfg->alerts.webhook_ca_file, ca);
	config_free(cfg);
	snprintf(buf, sizeof(buf), ALERT_HEAD "  webhook: { url: \"https://h.example/\", ca_file: %s }\n", junk);
	{
		char want[256];

		snprintf(want, sizeof(want), "t.yaml:17:50: ca_file %s: no PEM certificate in it", junk);
		parse_fails(buf, want);
	}
	snprintf(buf, sizeof(buf), ALERT_HEAD "  webhook: { url: \"https://h.example/\", ca_file: /tmp }\n");
	parse_fails(buf, "t.yaml:17:50: ca_file /tmp: expected a regular file");
	unlink(ca);
	unlink(junk);
}

/* Webhook urls: http or https, a valid host and port. */
static void test_err_alerts_webhook(void **state)
{
	(void)state;
	parse_fails(ALERT_HEAD "  webhook:\n"
	            "    url: http://127.0.0.1:70000/x\n",
	            "t.yaml:18:10: bad port '70000' in url: expected 1 to 65535");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example:0/\" }\n",
	            "t.yaml:17:19: bad port '0' in url: expected 1 to 65535");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example:/\" }\n",
	            "t.yaml:17:19: bad port '' in url: expected 1 to 65535");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example:8o/\" }\n",
	            "t.yaml:17:19: bad port '8o' in url: expected 1 to 65535");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example:99999999999999999999/\" }\n",
	            "t.yaml:17:19: bad port '99999999999999999999' in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"ftp://h.example/\" }\n",
	            "t.yaml:17:19: bad url 'ftp://h.example/': expected http[s]://host[:port][/path]");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://u:pw@h.example/\" }\n",
	            "t.yaml:17:19: url must not hold user information");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example/a#b\" }\n",
	            "t.yaml:17:19: url must not have a #fragment");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example/a\\r\\nX-Injected: 1\" }\n",
	            "t.yaml:17:19: url must be printable ASCII without spaces");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example/a b\" }\n",
	            "t.yaml:17:19: url must be printable ASCII without spaces");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http:///x\" }\n",
	            "t.yaml:17:19: bad host in url 'http:///x'");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://-h.example/\" }\n",
	            "t.yaml:17:19: bad host in url 'http://-h.example/'");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h_1.example/\" }\n",
	            "t.yaml:17:19: bad host in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://999.0.0.1/\" }\n",
	            "t.yaml:17:19: bad host in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://[::g]/\" }\n",
	            "t.yaml:17:19: bad host in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://[::1]x/\" }\n",
	            "t.yaml:17:19: bad host in url");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://::1/\" }\n",
	            "t.yaml:17:19: bad host in url");
	parse_fails(ALERT_HEAD "  webhook: { timeout_ms: 1000 }\n",
	            "t.yaml:17:12: missing required key 'url' in webhook");
	parse_fails(ALERT_HEAD "  webhook: { url: \"http://h.example/\", timeout_ms: 99 }\n",
	            "t.yaml:17:52: timeout_ms must be between 100 and 600000");
}

/* Durations, hysteresis and the other numbers. */
static void test_err_alerts_values(void **state)
{
	(void)state;
	parse_fails(ALERT_HEAD "  early_warning:\n"
	            "    repeat: 7 days\n",
	            "t.yaml:18:13: bad duration '7 days' for repeat: expected a whole number and a "
	            "unit (s, m, h, d or w), like 30s, 15m, 24h, 7d or 2w");
	parse_fails(ALERT_HEAD "  early_warning: { repeat: 7 }\n",
	            "t.yaml:17:28: bad duration '7' for repeat");
	parse_fails(ALERT_HEAD "  early_warning: { repeat: 1.5d }\n",
	            "t.yaml:17:28: bad duration '1.5d' for repeat");
	parse_fails(ALERT_HEAD "  early_warning: { repeat: 30s }\n",
	            "t.yaml:17:28: repeat must be between 1m and 365d, not '30s'");
	parse_fails(ALERT_HEAD "  early_warning: { repeat: 53w }\n",
	            "t.yaml:17:28: repeat must be between 1m and 365d, not '53w'");
	parse_fails(ALERT_HEAD "  early_warning: { repeat: 99999999999999999999d }\n",
	            "t.yaml:17:28: repeat must be between 1m and 365d");
	parse_fails(ALERT_HEAD "  summary: { grace: 32d }\n",
	            "t.yaml:17:21: grace must be between 0s and 31d, not '32d'");
	parse_fails(ALERT_HEAD "  delivery: { retry_min: 0s }\n",
	            "t.yaml:17:26: retry_min must be between 1s and 1d, not '0s'");
	parse_fails(ALERT_HEAD "  delivery: { retry_max: 8d }\n",
	            "t.yaml:17:26: retry_max must be between 1s and 7d, not '8d'");
	parse_fails(ALERT_HEAD "  delivery: { retry_min: 2h, retry_max: 1h }\n",
	            "t.yaml:17:41: retry_max (1h) must not be less than retry_min (2h)");
	/* against the default retry_max of 1h: reported at retry_min */
	parse_fails(ALERT_HEAD "  delivery: { retry_min: 90m }\n",
	            "t.yaml:17:26: retry_max (1h) must not be less than retry_min (90m)");
	parse_fails(ALERT_HEAD "  delivery: { stream_maxlen: 9 }\n",
	            "t.yaml:17:30: stream_maxlen must be between 10 and 1000000");
	parse_fails(ALERT_HEAD "  delivery: { max_ambiguous: 101 }\n",
	            "t.yaml:17:30: max_ambiguous must be between 0 and 100");
	parse_fails(ALERT_HEAD "  delivery: { max_ambiguous: -1 }\n",
	            "t.yaml:17:30: max_ambiguous must be an integer, not '-1'");
	parse_fails(ALERT_HEAD "  check_interval_ms: 99\n",
	            "t.yaml:17:22: check_interval_ms must be between 100 and 3600000");
	parse_fails(ALERT_HEAD "  early_warning: { min_denominator: 1000000001 }\n",
	            "t.yaml:17:37: min_denominator must be between 0 and 1000000000");

	parse_fails(ALERT_HEAD "  early_warning:\n"
	            "    hysteresis: 60%\n",
	            "t.yaml:18:17: hysteresis must be between 0 and 0.5 (0% and 50%), not '60%'");
	parse_fails(ALERT_HEAD "  early_warning: { hysteresis: 0.51 }\n",
	            "t.yaml:17:32: hysteresis must be between 0 and 0.5 (0% and 50%), not '0.51'");
	parse_fails(ALERT_HEAD "  early_warning: { hysteresis: -1% }\n",
	            "t.yaml:17:32: bad hysteresis '-1%': expected percentage points like \"2%\" or a "
	            "fraction like 0.02");
	parse_fails(ALERT_HEAD "  early_warning: { hysteresis: 2 % }\n",
	            "t.yaml:17:32: bad hysteresis '2 %'");
	parse_fails(ALERT_HEAD "  early_warning: { hysteresis: 2e-2 }\n",
	            "t.yaml:17:32: bad hysteresis '2e-2'");
	parse_fails(ALERT_HEAD "  early_warning: { hysteresis: ~ }\n",
	            "t.yaml:17:32: hysteresis must be a string, not null");
	parse_fails(ALERT_HEAD "  early_warning: { hysterese: 2% }\n",
	            "t.yaml:17:20: unknown key 'hysterese' in early_warning");
	parse_fails(ALERT_BASE "alerts:\n",
	            "t.yaml:16:8: alerts must be a mapping, not null");
}

/* early_warning on an indicator is a plain boolean. */
static void test_err_indicator_early_warning(void **state)
{
	(void)state;
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 75%\"\n"
	            "    early_warning: yes\n",
	            "t.yaml:13:20: early_warning must be true or false, not 'yes'");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 75%\"\n"
	            "    early_warning: \"true\"\n",
	            "t.yaml:13:20: early_warning must be true or false without quotes");
	parse_fails(IND_HEAD "    numerator: { event: call.booked }\n"
	            "    denominator: { event: [call.booked, call.full] }\n"
	            "    target: \">= 75%\"\n"
	            "    early_warnings: true\n",
	            "t.yaml:13:5: unknown key 'early_warnings' in indicator");
}

/* Templates: known kinds and placeholders, no control characters, bounded. */
static void test_err_alerts_templates(void **state)
{
	char buf[12000];
	size_t o;

	(void)state;
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breech: { subject: x }\n",
	            "t.yaml:18:5: unknown key 'breech' in templates");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subject: \"Varning {nope} för {title}\" }\n",
	            "t.yaml:18:24: unknown placeholder '{nope}' at character 9 of the breach subject "
	            "template (known: {title} {indicator} {period} {period_id} {value} {target} "
	            "{basis} {previous} {status} {table} {missed} {count} {nodata} {overview})");
	/* positions count characters: "Värde " is six */
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    summary:\n"
	            "      body: \"Värde {value} }\"\n",
	            "t.yaml:19:13: lone '}' at character 15 of the summary body template (write }} "
	            "for a brace)");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    reminder: { body: \"rad 1\\nrad {title\" }\n",
	            "t.yaml:18:23: unclosed '{' at character 11 of the reminder body template");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    resolved: { subject: \"{title{value}}\" }\n",
	            "t.yaml:18:26: unclosed '{' at character 1 of the resolved subject template");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    test: { subject: \"{TITLE}\" }\n",
	            "t.yaml:18:22: unknown placeholder '{TITLE}' at character 1 of the test subject "
	            "template");
	/* a subject is one line: no line break, no other control character */
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subject: \"Varning\\nBcc: x@y\" }\n",
	            "t.yaml:18:24: the breach subject template must not contain control characters "
	            "(it is one line)");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subject: \"a\\tb\" }\n",
	            "t.yaml:18:24: the breach subject template must not contain control characters");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subject: \"a\\u0085b\" }\n",
	            "t.yaml:18:24: the breach subject template must not contain control characters");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { body: \"a\\r\\nb\" }\n",
	            "t.yaml:18:21: the breach body template must not contain control characters "
	            "other than line breaks and tabs");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { body: \"a\\0b\" }\n",
	            "t.yaml:18:21: breach body must not contain a NUL byte");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subject: ~ }\n",
	            "t.yaml:18:24: breach subject must be a string, not null");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: { subjekt: x }\n",
	            "t.yaml:18:15: unknown key 'subjekt' in a template");
	parse_fails(ALERT_HEAD "  templates:\n"
	            "    breach: Varning\n",
	            "t.yaml:18:13: a template must be a mapping, not 'Varning'");

	/* sizes: a 201-byte subject, an 8193-byte body */
	o = (size_t)snprintf(buf, sizeof(buf), ALERT_HEAD "  templates:\n    test: { subject: \"");
	for (int i = 0; i < 201; i++)
		buf[o++] = 'x';
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\" }\n");
	parse_fails(buf, "t.yaml:18:22: test subject is longer than 200 bytes");
	memcpy(buf + o - 5, "\" }\n", 5);     /* one byte less: 200 are fine */
	config_free(parse_ok(buf));

	o = (size_t)snprintf(buf, sizeof(buf), ALERT_HEAD "  templates:\n    test: { body: \"");
	for (int i = 0; i < 8193; i++)
		buf[o++] = i % 80 == 79 ? '\t' : 'y';
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\" }\n");
	parse_fails(buf, "t.yaml:18:19: test body is longer than 8192 bytes");
}

/* Writes text to a new temporary file; its name goes into path (a mkstemp template). */
static void write_temp(char *path, const char *text)
{
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/*
 * config_load (not config_parse) checks that a given sendmail program is
 * an executable regular file, at the program's position.
 */
static void test_load_sendmail(void **state)
{
	static const struct {
		const char *prog, *want;
	} bad[] = {
		{ "/nonexistent/sendmail", "the sendmail program '/nonexistent/sendmail' cannot be "
		  "used: No such file or directory" },
		{ "/tmp", "the sendmail program '/tmp' is not a regular file" },
		{ NULL, "is not executable: Permission denied" },       /* the config file itself */
	};
	char text[2048], path[] = "/tmp/test_config.XXXXXX", err[512], want[700];
	struct config *cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char prog[] = "/tmp/test_config_prog.XXXXXX";

		if (!bad[i].prog)
			write_temp(prog, "#!/bin/sh\n");        /* mode 0600 */
		snprintf(text, sizeof(text), ALERT_HEAD "  mail:\n"
		         "    to: samordnare@region.example\n"
		         "    from: teleqd@region.example\n"
		         "    sendmail: [%s, -t, -i]\n", bad[i].prog ? bad[i].prog : prog);
		memcpy(path, "/tmp/test_config.XXXXXX", sizeof(path));
		write_temp(path, text);
		cfg = &untouched;
		err[0] = '\0';
		assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
		assert_ptr_equal(cfg, &untouched);
		snprintf(want, sizeof(want), "%s:20:16: ", path);
		if (strncmp(err, want, strlen(want)) || !strstr(err, bad[i].want))
			fail_msg("got \"%s\"", err);
		unlink(path);
		if (!bad[i].prog)
			unlink(prog);
		/* config_parse reads no file, so it does not check */
		cfg = parse_ok(text);
		assert_string_equal(cfg->alerts.sendmail[0], bad[i].prog ? bad[i].prog : prog);
		config_free(cfg);
	}

	/* an executable program passes */
	snprintf(text, sizeof(text), ALERT_HEAD "  mail:\n"
	         "    to: samordnare@region.example\n"
	         "    from: teleqd@region.example\n"
	         "    sendmail: [/bin/sh, -c, \"cat >/dev/null\"]\n");
	memcpy(path, "/tmp/test_config.XXXXXX", sizeof(path));
	write_temp(path, text);
	cfg = NULL;
	if (config_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(cfg->alerts.sendmail[2], "cat >/dev/null");
	assert_null(cfg->alerts.sendmail[3]);
	config_free(cfg);
	unlink(path);
}

/* ------------------------------------------------------------------- http */

/* A valid feed (lines 1-6) and "http:" on line 7: listen values go on line 8, column 11. */
#define HTTP_HEAD FEED_HEAD FEED_TAIL "http:\n"

/* listen: IPv4, [IPv6], localhost, port 0..65535; no section: no listener. */
static void test_http(void **state)
{
	static const struct {
		const char *listen, *host;
		unsigned port;
	} ok[] = {
		{ "127.0.0.1:9187", "127.0.0.1", 9187 },
		{ "127.0.0.1:0", "127.0.0.1", 0 },
		{ "localhost:9187", "127.0.0.1", 9187 },
		{ "LocalHost:1", "127.0.0.1", 1 },
		{ "[::1]:9187", "::1", 9187 },
		{ "[::]:65535", "::", 65535 },
		{ "[2001:db8::7]:80", "2001:db8::7", 80 },
		{ "0.0.0.0:9187", "0.0.0.0", 9187 },          /* allowed: the operator's choice */
		{ "192.0.2.10:09187", "192.0.2.10", 9187 },
	};
	char text[1024];
	struct config *cfg;

	(void)state;
	cfg = parse_ok(FULL);
	assert_null(cfg->http.listen);
	assert_null(cfg->http.host);
	assert_int_equal(cfg->http.port, 0);
	config_free(cfg);

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), HTTP_HEAD "  listen: \"%s\"\n", ok[i].listen);
		cfg = parse_ok(text);
		assert_string_equal(cfg->http.listen, ok[i].listen);
		assert_string_equal(cfg->http.host, ok[i].host);
		assert_int_equal(cfg->http.port, ok[i].port);
		config_free(cfg);
	}

	/* plain and flow style alike */
	cfg = parse_ok(FEED_HEAD FEED_TAIL "http: { listen: 127.0.0.1:9187 }\n");
	assert_string_equal(cfg->http.host, "127.0.0.1");
	assert_int_equal(cfg->http.port, 9187);
	config_free(cfg);
}

static void test_err_http(void **state)
{
	(void)state;
	parse_fails(HTTP_HEAD "  listen: \"example.org:9187\"\n",
	            "t.yaml:8:11: bad listen address 'example.org:9187': 'example.org' is not an "
	            "IP address (only localhost is taken as a name; give the address to bind to)");
	parse_fails(HTTP_HEAD "  listen: \"256.0.0.1:80\"\n",
	            "t.yaml:8:11: bad listen address '256.0.0.1:80': '256.0.0.1' is not an IP address");
	parse_fails(HTTP_HEAD "  listen: \":9187\"\n",
	            "t.yaml:8:11: bad listen address ':9187': '' is not an IP address");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1\"\n",
	            "t.yaml:8:11: bad listen address '127.0.0.1': expected ADDRESS:PORT, as in "
	            "\"127.0.0.1:9187\"");
	parse_fails(HTTP_HEAD "  listen: 9187\n",
	            "t.yaml:8:11: bad listen address '9187': expected ADDRESS:PORT");
	parse_fails(HTTP_HEAD "  listen: \"localhost\"\n",
	            "t.yaml:8:11: bad listen address 'localhost': expected ADDRESS:PORT");
	parse_fails(HTTP_HEAD "  listen: \"::1:9187\"\n",
	            "t.yaml:8:11: bad listen address '::1:9187': write an IPv6 address in brackets, "
	            "as in \"[::1]:9187\"");
	parse_fails(HTTP_HEAD "  listen: \"[::1:9187\"\n",
	            "t.yaml:8:11: bad listen address '[::1:9187': an IPv6 address needs its closing "
	            "']', as in \"[::1]:9187\"");
	parse_fails(HTTP_HEAD "  listen: \"[::1]9187\"\n",
	            "t.yaml:8:11: bad listen address '[::1]9187': expected [IPV6]:PORT");
	parse_fails(HTTP_HEAD "  listen: \"[::1]\"\n",
	            "t.yaml:8:11: bad listen address '[::1]': expected [IPV6]:PORT");
	parse_fails(HTTP_HEAD "  listen: \"[::g]:80\"\n",
	            "t.yaml:8:11: bad listen address '[::g]:80': '::g' is not an IPv6 address");
	parse_fails(HTTP_HEAD "  listen: \"[127.0.0.1]:80\"\n",
	            "t.yaml:8:11: bad listen address '[127.0.0.1]:80': '127.0.0.1' is not an IPv6 "
	            "address");
	parse_fails(HTTP_HEAD "  listen: \"[fe80::1%eth0]:80\"\n",
	            "t.yaml:8:11: bad listen address '[fe80::1%eth0]:80': 'fe80::1%eth0' is not an "
	            "IPv6 address");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:65536\"\n",
	            "t.yaml:8:11: bad port '65536' in listen: expected 0 to 65535 (0: any free port)");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:\"\n",
	            "t.yaml:8:11: bad port '' in listen: expected 0 to 65535");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:http\"\n",
	            "t.yaml:8:11: bad port 'http' in listen");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:-1\"\n",
	            "t.yaml:8:11: bad port '-1' in listen");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:99999999999999999999\"\n",
	            "t.yaml:8:11: bad port '99999999999999999999' in listen");
	parse_fails(HTTP_HEAD "  listen: \"[::1]:80 \"\n",
	            "t.yaml:8:11: bad port '80 ' in listen");
	parse_fails(HTTP_HEAD "  listen: \"[0000:0000:0000:0000:0000:0000:0000:0001]"
	            ":65535xxxxxxxxxxxxxxxxxxxxx\"\n",
	            "t.yaml:8:11: listen is longer than 64 bytes");
	parse_fails(HTTP_HEAD "  listen: [127.0.0.1]\n",
	            "t.yaml:8:11: listen must be a string, not a sequence");
	parse_fails(HTTP_HEAD "  listen:\n",
	            "t.yaml:8:10: listen must be a string, not null");
	/* the section itself */
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  port: 9187\n",
	            "t.yaml:9:3: unknown key 'port' in http");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  listen: \"127.0.0.1:9188\"\n",
	            "t.yaml:9:3: duplicate key 'listen' in http");
	parse_fails(FEED_HEAD FEED_TAIL "http: {}\n",
	            "t.yaml:7:7: missing required key 'listen' in http");
	parse_fails(FEED_HEAD FEED_TAIL "http:\n",
	            "t.yaml:7:6: http must be a mapping, not null");
	parse_fails(FEED_HEAD FEED_TAIL "http: \"127.0.0.1:9187\"\n",
	            "t.yaml:7:7: http must be a mapping, not '127.0.0.1:9187'");
}

/* The deadline indicator keys (kind: deadline) and the feed keys case and extend_to. */
#define DL_HEAD \
	"timezone: Europe/Stockholm\n" \
	"dedup: { secret_file: /etc/teleqd/dedup.key }\n" \
	"feeds:\n" \
	"  - name: ev\n" \
	"    path: /var/log/ev-*.jsonl\n" \
	"    format: jsonl\n" \
	"    time: { field: at }\n" \
	"    case: case_id\n" \
	"    extend_to: until\n" \
	"    event: { field: e, map: { o: case.opened, c: case.confirmed, p: case.postponed } }\n" \
	"indicators:\n" \
	"  - name: dl\n" \
	"    kind: deadline\n" \
	"    start: { event: case.opened }\n" \
	"    stop: { event: case.confirmed }\n"
static void test_deadline(void **state)
{
	struct config *cfg;
	const struct indicator *ind;

	(void)state;
	cfg = parse_ok(DL_HEAD "    within: 2w\n    extend: { event: case.postponed }\n"
	               "    extend_by: 36h\n    target: \">= 80%\"\n");
	ind = indicator(cfg, "dl");
	assert_int_equal(ind->kind, IND_DEADLINE);
	assert_int_equal(ind->rule.within.unit, DL_DAYS);
	assert_int_equal(ind->rule.within.n, 14);
	assert_int_equal(ind->rule.extend_by.unit, DL_HOURS);
	assert_int_equal(ind->rule.extend_by.n, 36);
	assert_int_equal(ind->start.n, 1);
	assert_int_equal(ind->stop.n, 1);
	assert_int_equal(ind->extend.n, 1);
	assert_true(feed(cfg, "ev")->case_slot >= 0);
	assert_true(feed(cfg, "ev")->extend_slot >= 0);
	assert_false(ind->early_warning);
	config_free(cfg);

	/* line 16 col 13: the value after "    within: " */
	parse_fails(DL_HEAD "    within: 0d\n    target: \">= 80%\"\n",
	            "t.yaml:16:13: within '0d' is out of range");
	parse_fails(DL_HEAD "    within: 7 days\n    target: \">= 80%\"\n",
	            "t.yaml:16:13: bad within '7 days'");
	parse_fails(DL_HEAD "    target: \">= 80%\"\n",
	            "t.yaml:12:5: missing required key 'within' in deadline indicator");
	parse_fails(DL_HEAD "    within: 7d\n    extend_by: 2d\n    target: \">= 80%\"\n",
	            "t.yaml:17:16: extend_by needs extend");
	parse_fails(DL_HEAD "    within: 7d\n    numerator: { event: case.opened }\n"
	            "    target: \">= 80%\"\n", "t.yaml:17:16: a deadline indicator has start");
	parse_fails(DL_HEAD "    within: 7d\n    target: \"> 5\"\n", "t.yaml:17:13: ");
	/* start/stop/within belong to deadline indicators only */
	parse_fails(FEED_HEAD FEED_TAIL "indicators:\n  - name: r\n    numerator: { event: call.booked }\n"
	            "    denominator: { event: call.booked }\n    within: 7d\n    target: \">= 1%\"\n",
	            "t.yaml:");
}

/*
 * http.max_connections (1..4096, default 64) and http.request_timeout
 * (1s..1h, default 10 s), also without an http: section; errors at the value.
 */
static void test_http_limits(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = parse_ok(FULL);
	assert_int_equal(cfg->http.max_connections, 64);
	assert_int_equal(cfg->http.request_timeout_s, 10);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n");
	assert_int_equal(cfg->http.max_connections, 64);
	assert_int_equal(cfg->http.request_timeout_s, 10);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  max_connections: 1\n"
	               "  request_timeout: 1s\n");
	assert_int_equal(cfg->http.max_connections, 1);
	assert_int_equal(cfg->http.request_timeout_s, 1);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  max_connections: 4096\n"
	               "  request_timeout: 1h\n");
	assert_int_equal(cfg->http.max_connections, 4096);
	assert_int_equal(cfg->http.request_timeout_s, 3600);
	config_free(cfg);

	/* line 9: the value after "  max_connections: " (col 20) or "  request_timeout: " (col 20) */
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  max_connections: 0\n",
	            "t.yaml:9:20: max_connections must be between 1 and 4096");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  max_connections: 4097\n",
	            "t.yaml:9:20: max_connections must be between 1 and 4096");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  max_connections: many\n",
	            "t.yaml:9:20: max_connections must be an integer");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  request_timeout: 0s\n",
	            "t.yaml:9:20: request_timeout must be between 1s and 1h, not '0s'");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  request_timeout: 2h\n",
	            "t.yaml:9:20: request_timeout must be between 1s and 1h, not '2h'");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  request_timeout: 10\n",
	            "t.yaml:9:20: bad duration '10' for request_timeout");
}

/* redis.unresponsive_after: 1s..1h, default 5 s; errors at the value. */
static void test_redis_unresponsive_after(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = parse_ok(FULL);
	assert_int_equal(cfg->redis.unresponsive_after_s, 5);
	config_free(cfg);
	cfg = parse_ok(FEED_HEAD FEED_TAIL "redis:\n  unresponsive_after: 2s\n");
	assert_int_equal(cfg->redis.unresponsive_after_s, 2);
	config_free(cfg);
	cfg = parse_ok(FEED_HEAD FEED_TAIL "redis:\n  unresponsive_after: 1m\n");
	assert_int_equal(cfg->redis.unresponsive_after_s, 60);
	config_free(cfg);
	/* line 8: the value after "  unresponsive_after: " (col 23) */
	parse_fails(FEED_HEAD FEED_TAIL "redis:\n  unresponsive_after: 0s\n",
	            "t.yaml:8:23: unresponsive_after must be between 1s and 1h, not '0s'");
	parse_fails(FEED_HEAD FEED_TAIL "redis:\n  unresponsive_after: 5\n",
	            "t.yaml:8:23: bad duration '5' for unresponsive_after");
}

/* http.min_cases: 1.. (default 5, also without an http: section); errors at the value. */
static void test_http_min_cases(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = parse_ok(FULL);
	assert_int_equal(cfg->http.min_cases, 5);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n");
	assert_int_equal(cfg->http.min_cases, 5);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: 1\n");
	assert_int_equal(cfg->http.min_cases, 1);
	config_free(cfg);
	cfg = parse_ok(HTTP_HEAD "  min_cases: 1000000\n  listen: \"127.0.0.1:9187\"\n");
	assert_int_equal(cfg->http.min_cases, 1000000);
	assert_string_equal(cfg->http.listen, "127.0.0.1:9187");
	config_free(cfg);
	cfg = parse_ok(FEED_HEAD FEED_TAIL "http: { listen: 127.0.0.1:0, min_cases: 12 }\n");
	assert_int_equal(cfg->http.min_cases, 12);
	config_free(cfg);

	/* line 9, column 14: the value after "  min_cases: " */
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: 0\n",
	            "t.yaml:9:14: min_cases must be between 1 and 1000000");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: 1000001\n",
	            "t.yaml:9:14: min_cases must be between 1 and 1000000");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: -1\n",
	            "t.yaml:9:14: min_cases must be an integer");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: five\n",
	            "t.yaml:9:14: min_cases must be an integer");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: \"5\"\n",
	            "t.yaml:9:14: min_cases must be an integer without quotes");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases:\n",
	            "t.yaml:9:13: min_cases must be an integer, not null");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: 2.5\n",
	            "t.yaml:9:14: min_cases must be an integer");
	parse_fails(HTTP_HEAD "  listen: \"127.0.0.1:9187\"\n  min_cases: 5\n  min_cases: 6\n",
	            "t.yaml:10:3: duplicate key 'min_cases' in http");
	/* listen stays required */
	parse_fails(HTTP_HEAD "  min_cases: 5\n",
	            "t.yaml:8:3: missing required key 'listen' in http");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interning),
		cmocka_unit_test(test_slots_and_rules),
		cmocka_unit_test(test_indicators),
		cmocka_unit_test(test_manual),
		cmocka_unit_test(test_err_manual),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_sentinels),
		cmocka_unit_test(test_alias_and_csv_encoding),
		cmocka_unit_test(test_load_conf),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_unknown_zone),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_wrong_type),
		cmocka_unit_test(test_err_range),
		cmocka_unit_test(test_accept_window),
		cmocka_unit_test(test_err_bad_enum),
		cmocka_unit_test(test_err_bad_target),
		cmocka_unit_test(test_err_duplicate_name),
		cmocka_unit_test(test_err_missing_key),
		cmocka_unit_test(test_err_glob_in_directory),
		cmocka_unit_test(test_err_filter_unknown),
		cmocka_unit_test(test_err_filter_unproducible),
		cmocka_unit_test(test_err_header_without_columns),
		cmocka_unit_test(test_err_id_without_secret),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_content),
		cmocka_unit_test(test_err_time_format_shown),
		cmocka_unit_test(test_err_limits),
		cmocka_unit_test(test_err_counts),
		cmocka_unit_test(test_alerts_defaults),
		cmocka_unit_test(test_alerts_full),
		cmocka_unit_test(test_alerts_variants),
		cmocka_unit_test(test_err_alerts_mail),
		cmocka_unit_test(test_err_alerts_webhook),
		cmocka_unit_test(test_load_webhook_https),
		cmocka_unit_test(test_err_alerts_values),
		cmocka_unit_test(test_err_indicator_early_warning),
		cmocka_unit_test(test_err_alerts_templates),
		cmocka_unit_test(test_load_sendmail),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_err_http),
		cmocka_unit_test(test_http_min_cases),
		cmocka_unit_test(test_http_limits),
		cmocka_unit_test(test_redis_unresponsive_after),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
