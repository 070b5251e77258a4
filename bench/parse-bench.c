/*
 * parse-bench.c — `make bench-parse`: nanoseconds per record of the parse
 * and map path alone (map_record, as the feed calls it), without files,
 * Redis or the event loop. A measurement, not a test (not in `make check`).
 *
 * The shipped config (conf/teleqd.yaml, embedded as in tests/fuzz) is
 * loaded; the zone is Europe/Stockholm from tzdata. N records per feed (PARSE_BENCH_N, default 1000000)
 * are generated in memory like bench/teleq-gen's: the case feed's JSON
 * lines (~165 bytes, with case ids, phone and personnummer members) and
 * the TeleQ call log's Windows-1252 CSV lines, in time order over 730
 * days. Each pass maps every record once; the best of PARSE_BENCH_PASSES
 * (default 5) is printed as ns/record, for map_record and for
 * json_extract / csv_split alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "map.h"
#include "parse.h"
#include "tq_config.h"
#include "tz.h"
#include "teleqd.yaml.h"

struct recs {
	char   *buf;
	size_t *off, *len;
	size_t  n, used, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "parse-bench: %s\n", what);
	exit(1);
}

static void add(struct recs *r, const char *s, size_t len)
{
	if (r->used + len > r->cap) {
		r->cap = (r->cap + len) * 2;
		r->buf = realloc(r->buf, r->cap);
		if (!r->buf)
			die("out of memory");
	}
	memcpy(r->buf + r->used, s, len);
	r->off[r->n] = r->used;
	r->len[r->n] = len;
	r->used += len;
	r->n++;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Records n lines of format jsonl (true) or csv (the header first). */
static void gen(struct recs *r, size_t n, bool jsonl)
{
	static const char *const src[] = { "web", "phone", "letter", "visit" };
	static const char *const party[] = { "patient", "relative", "provider" };
	static const char *const type[] = { "patient", "information" };
	static const char *const res[] = { "Bokad", "K\xf6n full", "Avbruten", "St\xe4ngt" };
	const int64_t from = 19723;             /* 2024-01-01 */
	char line[512];
	int len;

	r->off = malloc(sizeof(*r->off) * (n + 1));
	r->len = malloc(sizeof(*r->len) * (n + 1));
	if (!r->off || !r->len)
		die("out of memory");
	if (!jsonl)
		add(r, "Datum;Tid;K\xf6;Resultat;V\xe4ntetid;Telefon;Personnummer", 50);
	for (size_t i = 0; i < n; i++) {
		/* Time order over 730 days, as an export is written. */
		int64_t t = from * 86400 + (int64_t)((double)i / (double)n * 730 * 86400);
		int64_t day = t / 86400, y;
		unsigned m, d, s = (unsigned)(t % 86400), mon;
		uint64_t x = rnd(), x2 = rnd();

		civil_from_days(day, &y, &m, &d);
		/* Roughly CET/CEST: good enough for the shape of the input. */
		mon = m;
		if (jsonl) {
			bool utc = x % 5 == 0;
			len = snprintf(line, sizeof(line),
			    "{\"case_id\":\"PN-%010zu\",\"created\":\"%04lld-%02u-%02uT%02u:%02u:%02u%s\","
			    "\"source\":\"%s\",\"party\":\"%s\",\"type\":\"%s\","
			    "\"phone\":\"07%01u-%07u\",\"personnummer\":\"19%06u-%04u\"}",
			    i + 1, (long long)y, m, d, s / 3600, s / 60 % 60, s % 60,
			    utc ? "Z" : mon > 3 && mon < 11 ? "+02:00" : "+01:00",
			    src[(x >> 8) % 4], party[(x >> 16) % 3], type[(x >> 24) % 2],
			    (unsigned)(x2 % 10), (unsigned)(x2 >> 8) % 10000000,
			    (unsigned)(x2 >> 32) % 1000000, (unsigned)(x2 >> 52) % 10000);
		} else {
			len = snprintf(line, sizeof(line),
			    "%04lld-%02u-%02u;%02u:%02u:%02u;Patientn\xe4mnden;%s;00:%02u:%02u;"
			    "07%01u-%07u;19%06u-%04u",
			    (long long)y, m, d, s / 3600, s / 60 % 60, s % 60, res[(x >> 8) % 4],
			    (unsigned)(x >> 20) % 30, (unsigned)(x >> 28) % 60,
			    (unsigned)(x2 % 10), (unsigned)(x2 >> 8) % 10000000,
			    (unsigned)(x2 >> 32) % 1000000, (unsigned)(x2 >> 52) % 10000);
		}
		if (len <= 0 || (size_t)len >= sizeof(line))
			die("line too long");
		add(r, line, (size_t)len);
	}
}

/* Best-of-passes ns per record of map_record over r; checks every record maps. */
static double bench_map(const struct config *cfg, const struct feed_conf *fc, const struct tz *tz,
                        const uint8_t *key, struct map_scratch *sc, const struct recs *r,
                        unsigned passes, uint64_t *ret_sum)
{
	double best = 1e30;

	for (unsigned p = 0; p < passes; p++) {
		struct parse_state ps;
		uint64_t sum = 0, events = 0;
		double t0 = now_ns();

		memset(&ps, 0, sizeof(ps));
		for (size_t i = 0; i < r->n; i++) {
			struct event ev;
			enum reject why;
			char detail[TQ_DETAIL_MAX];
			/* now: the year 2100, so that no generated line is "ahead" */
			enum map_result mr = map_record(cfg, fc, tz, INT64_C(4102444800), key, &ps, sc,
			                                r->buf + r->off[i], r->len[i], &ev, &why, detail,
			                                sizeof(detail));

			if (mr == MAP_EVENT) {
				events++;
				sum += (uint64_t)ev.day * 31 + (uint64_t)ev.utc + ev.c.event + ev.c.dim[0] +
				       ev.id[0];
			} else if (mr == MAP_REJECT) {
				fprintf(stderr, "parse-bench: record %zu rejected: %s (%s)\n", i,
				        reject_name(why), detail);
				exit(1);
			}
		}
		double dt = (now_ns() - t0) / (double)r->n;
		if (dt < best)
			best = dt;
		*ret_sum = sum + events;
	}
	return best;
}

/* Best-of-passes ns per record of the syntax step alone (json_extract or csv_split). */
static double bench_syntax(const struct feed_conf *fc, struct map_scratch *sc, const struct recs *r,
                           unsigned passes)
{
	double best = 1e30;
	size_t first = fc->format == FORMAT_CSV ? 1 : 0;

	for (unsigned p = 0; p < passes; p++) {
		struct fieldv vals[TQ_MAX_SLOTS];
		size_t acc = 0;
		double t0 = now_ns();

		for (size_t i = first; i < r->n; i++) {
			const char *s = r->buf + r->off[i];
			int n;

			if (fc->format == FORMAT_JSONL) {
				n = json_extract(s, r->len[i], (const char *const *)fc->slots, fc->nslots,
				                 sc->buf, vals);
				acc += vals[0].len;
			} else {
				n = csv_split(s, r->len[i], fc->csv.delimiter, fc->csv.quote, sc->buf,
				              sc->cols, TQ_MAX_COLUMNS);
				acc += sc->cols[0].len;
			}
			if (n < 0)
				die("syntax error in a generated record");
		}
		double dt = (now_ns() - t0) / (double)(r->n - first);
		if (dt < best)
			best = dt;
		if (acc == 0)
			die("nothing extracted");
	}
	return best;
}

int main(int argc, char **argv)
{
	static const uint8_t key[16] = "0123456789abcdef";
	const char *only = argc > 1 ? argv[1] : "all";
	const char *ns = getenv("PARSE_BENCH_N"), *ps = getenv("PARSE_BENCH_PASSES");
	size_t n = ns ? strtoul(ns, NULL, 10) : 1000000;
	unsigned passes = ps ? (unsigned)strtoul(ps, NULL, 10) : 5;
	struct config *cfg;
	struct tz *tz;
	struct map_scratch sc;
	char err[512];

	if (n == 0 || passes == 0)
		die("PARSE_BENCH_N and PARSE_BENCH_PASSES must be > 0");
	if (config_parse("conf/teleqd.yaml", CONF_TELEQD_YAML, sizeof(CONF_TELEQD_YAML) - 1, &cfg,
	                 err, sizeof(err)) < 0) {
		fprintf(stderr, "parse-bench: the shipped config does not load: %s\n", err);
		return 1;
	}
	if (cfg->nfeeds < 2 || cfg->feeds[0].format != FORMAT_CSV ||
	    cfg->feeds[1].format != FORMAT_JSONL)
		die("expected the feeds teleq (csv) and cases (jsonl) first");
	if (tz_load("Europe/Stockholm", &tz) < 0)
		die("no zone Europe/Stockholm (tzdata)");
	if (map_scratch_init(&sc, 65536) < 0)
		die("out of memory");

	for (int f = 1; f >= 0; f--) {
		const struct feed_conf *fc = &cfg->feeds[f];
		bool jsonl = fc->format == FORMAT_JSONL;
		struct recs r = { 0 };
		uint64_t sum = 0;

		if (strcmp(only, "all") != 0 && strcmp(only, jsonl ? "jsonl" : "csv") != 0)
			continue;
		gen(&r, n, jsonl);
		double tm = bench_map(cfg, fc, tz, key, &sc, &r, passes, &sum);
		double ts = bench_syntax(fc, &sc, &r, passes);
		printf("%-5s %zu records, %.0f bytes avg: map_record %.1f ns/record, %s %.1f ns/record "
		       "(check %llx)\n", jsonl ? "jsonl" : "csv", r.n, (double)r.used / (double)r.n, tm,
		       jsonl ? "json_extract" : "csv_split", ts, (unsigned long long)sum);
		free(r.buf);
		free(r.off);
		free(r.len);
	}
	map_scratch_done(&sc);
	tz_free(tz);
	config_free(cfg);
	return 0;
}
