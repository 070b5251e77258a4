/*
 * fuzz_map.c — map_record over the shipped configuration: the whole path
 * from a feed file's bytes to events, as the daemon runs it.
 *
 * conf/teleqd.yaml (embedded at build time) is loaded once with
 * config_parse; the zone is its Europe/Stockholm from tzdata.
 *
 * Input: byte 0 bit 0 picks the feed (0: teleq, the Windows-1252 CSV call
 * log with a Swedish header; 1: cases, JSON lines with ids), bit 1 clear
 * hashes ids with a key, set passes none. The rest is the file: framed
 * into records as tailfile.c does (csv_record_len for CSV, '\n' for JSON
 * lines; the '\n', a '\r' before it and a BOM at the file's start
 * stripped; records over max_line skipped, as the feed rejects them
 * itself; a last record without '\n' is mapped too), each record mapped
 * with the file's one parse_state.
 *
 * Invariants: map_record is a function of its input (a second run on a
 * copy of the parse state gives the same result, reason, detail and
 * event); MAP_SKIP only for CSV, MAP_HEADER only for CSV with a header;
 * MAP_REJECT sets a reason and a non-empty
 * one-line detail that leaks nothing of the record: no run of 7 digits
 * found in the record (a phone number, a personnummer) and no token of the
 * record of 8 or more bytes holding 2 or more digits; MAP_EVENT has an
 * event kind and dimension values the feed's rules can produce, a record
 * id hash exactly when the feed has ids and a key is given, a time within
 * years 0000..9999 give or take a day, and as day the local day of its
 * instant (tz_utc_offset); and it is the event recomputed here without
 * map.c: the fields found again by column or name, converted and trimmed,
 * looked up in the maps, the time parsed and placed in the zone.
 */
#include <errno.h>

#include "fuzz.h"
#include "core.h"
#include "map.h"
#include "parse.h"
#include "timeparse.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"
#include "teleqd.yaml.h"

#define DAY 86400

static struct config *cfg;
static struct tz *tz;
static struct map_scratch scratch;
static const uint8_t key[16] = "0123456789abcdef";

static void init(void)
{
	char err[512];

	if (config_parse("conf/teleqd.yaml", CONF_TELEQD_YAML, sizeof(CONF_TELEQD_YAML) - 1, &cfg,
	                 err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_map: the shipped config does not load: %s\n", err);
		abort();
	}
	if (cfg->nfeeds < 2 || cfg->feeds[0].format != FORMAT_CSV ||
	    cfg->feeds[1].format != FORMAT_JSONL) {
		fprintf(stderr, "fuzz_map: expected the feeds teleq (csv) and cases (jsonl)\n");
		abort();
	}
	if (tz_load("Europe/Stockholm", &tz) < 0)
		abort();
	size_t max_line = cfg->feeds[0].max_line > cfg->feeds[1].max_line ?
	                  cfg->feeds[0].max_line : cfg->feeds[1].max_line;
	if (map_scratch_init(&scratch, max_line) < 0)
		abort();
}

static bool is_dig(char c)
{
	return c >= '0' && c <= '9';
}

/* A token: a maximal run of bytes that are not separators (CSV, JSON, blanks, controls). */
static bool is_sep(unsigned char c)
{
	return c <= ' ' || c == ';' || c == ',' || c == '"' || c == '{' || c == '}' || c == '[' ||
	       c == ']' || c == ':' || c == '\\' || c == 0x7f;
}

/* The privacy rule: nothing that looks like a phone number or personnummer reaches a detail. */
static void check_detail_private(const char *detail, const char *rec, size_t len)
{
	size_t dl = strlen(detail);

	/* No 7-digit run of the detail occurs in the record. */
	for (size_t i = 0; i + 7 <= dl; i++) {
		bool run = true;
		for (size_t k = 0; k < 7 && run; k++)
			run = is_dig(detail[i + k]);
		if (run)
			FUZZ_CHECK(fuzz_memmem(rec, len, detail + i, 7) == NULL);
	}
	/* No long token of the record with digits in it occurs in the detail. */
	for (size_t i = 0; i < len;) {
		size_t j = i, digits = 0;

		while (j < len && !is_sep((unsigned char)rec[j]))
			digits += is_dig(rec[j++]);
		if (j - i >= 8 && digits >= 2)
			FUZZ_CHECK(fuzz_memmem(detail, dl, rec + i, j - i) == NULL);
		i = j + 1;
	}
}

/* True when id is one the rule can produce. */
static bool rule_gives(const struct rule *r, uint16_t id)
{
	switch (r->kind) {
	case RULE_NONE:
		return id == 0;
	case RULE_CONST:
		return id == r->const_id;
	case RULE_FIELD:
		for (size_t i = 0; i < r->nmap; i++)
			if (r->to[i] == id)
				return true;
		return false;
	}
	return false;
}

static struct fieldv trim(struct fieldv v)
{
	while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	return v;
}

/* The id rule r gives the record with values vals (0: not in the map). */
static uint16_t lookup(const struct rule *r, const struct fieldv *vals)
{
	const struct fieldv *v;

	if (r->kind == RULE_CONST)
		return r->const_id;
	if (r->kind != RULE_FIELD)
		return 0;
	v = &vals[r->slot];
	for (size_t i = 0; i < r->nmap; i++)
		if (v->p && strlen(r->from[i]) == v->len && memcmp(r->from[i], v->p, v->len) == 0)
			return r->to[i];
	return 0;
}

/*
 * An event, recomputed from the record independently of map.c: the
 * fields found again (CSV by the columns the parse state learnt, JSON by
 * name), converted and trimmed as the config says, looked up in the maps,
 * the time parsed and placed in the zone.
 */
static void check_event(const struct feed_conf *fc, const struct parse_state *ps,
                        const char *rec, size_t len, const struct event *ev)
{
	struct fieldv vals[TQ_MAX_SLOTS];
	char *buf = malloc(8 * len + 64), *out;
	struct fieldv *cols = calloc(TQ_MAX_COLUMNS, sizeof(*cols));
	int64_t t;
	bool zoned = false;
	int r;

	if (!buf || !cols)
		abort();
	out = buf + len;
	memset(vals, 0, sizeof(vals));
	if (fc->format == FORMAT_CSV) {
		int n = csv_split(rec, len, fc->csv.delimiter, fc->csv.quote, buf, cols, TQ_MAX_COLUMNS);

		FUZZ_CHECK(n > 0 && (size_t)n == ps->ncolumns);
		for (size_t i = 0; i < fc->nslots; i++) {
			FUZZ_CHECK(ps->col[i] >= 0 && ps->col[i] < n);
			struct fieldv v = trim(cols[ps->col[i]]);
			ssize_t cl = to_utf8(fc->encoding, v.p, v.len, out, 3 * v.len);

			FUZZ_CHECK(cl >= 0);
			vals[i].p = out;
			vals[i].len = (size_t)cl;
			out += cl;
		}
	} else {
		FUZZ_CHECK(json_extract(rec, len, (const char *const *)fc->slots, fc->nslots, buf,
		                        vals) == 0);
	}
	FUZZ_CHECK(ev->c.event == lookup(&fc->event, vals));
	for (size_t d = 0; d < cfg->ndims; d++)
		FUZZ_CHECK(ev->c.dim[d] == lookup(&fc->dims[d], vals));
	if (ev->has_id)
		FUZZ_CHECK(vals[fc->id_slot].p && vals[fc->id_slot].len > 0);

	/* The time: one field, or date and time joined by a space. */
	const struct fieldv *a = &vals[fc->time.slot[0]];
	char *ts = out;
	size_t tl = a->len;

	FUZZ_CHECK(a->p && a->len > 0);
	memcpy(ts, a->p, a->len);
	if (fc->time.nslot == 2) {
		const struct fieldv *b = &vals[fc->time.slot[1]];

		FUZZ_CHECK(b->p && b->len > 0);
		ts[tl++] = ' ';
		memcpy(ts + tl, b->p, b->len);
		tl += b->len;
	}
	if (fc->time.kind == TIME_FORMAT) {
		r = time_parse_fmt(ts, tl, fc->time.format, &t);
	} else if (fc->time.kind == TIME_ISO8601) {
		r = time_parse_iso8601(ts, tl, &t, &zoned);
	} else {
		r = time_parse_epoch(ts, tl, &t);
		zoned = true;
	}
	FUZZ_CHECK(r == 0);
	if (zoned) {
		FUZZ_CHECK(ev->utc == t);
	} else {
		/* A local time counts on the day written; the zone gives the instant. */
		FUZZ_CHECK(ev->day == floor_div(t, DAY));
		FUZZ_CHECK(ev->utc == tz_wall_to_utc(tz, t, NULL));
	}
	free(cols);
	free(buf);
}

static void map_one(const struct feed_conf *fc, struct parse_state *ps, const uint8_t *idkey,
                    const char *data, size_t len)
{
	char *rec = fuzz_dup((const uint8_t *)data, len);
	char detail[TQ_DETAIL_MAX], detail2[TQ_DETAIL_MAX];
	struct parse_state ps2 = *ps;
	struct event ev, ev2;
	enum reject why = REJ__MAX, why2 = REJ__MAX;
	enum map_result mr, mr2;

	memset(&ev, 0, sizeof(ev));
	memset(&ev2, 0, sizeof(ev2));
	detail[0] = detail2[0] = '\0';
	/* a fixed now (2026-06-01 UTC): the same outcome every run */
	mr = map_record(cfg, fc, tz, INT64_C(1780272000), idkey, ps, &scratch, rec, len, &ev, &why,
	                detail, sizeof(detail));
	mr2 = map_record(cfg, fc, tz, INT64_C(1780272000), idkey, &ps2, &scratch, rec, len, &ev2,
	                 &why2, detail2, sizeof(detail2));
	FUZZ_CHECK(mr == mr2);
	FUZZ_CHECK(ps->have_header == ps2.have_header && ps->header_hash == ps2.header_hash &&
	           ps->header_len == ps2.header_len && ps->ncolumns == ps2.ncolumns &&
	           memcmp(ps->col, ps2.col, sizeof(ps->col)) == 0);

	switch (mr) {
	case MAP_SKIP:
	case MAP_HEADER:
		fuzz_check_skip_header(fc, ps, mr);
		break;
	case MAP_REJECT:
		FUZZ_CHECK(why < REJ__MAX && why == why2);
		FUZZ_CHECK(strcmp(detail, detail2) == 0);
		FUZZ_CHECK(detail[0] != '\0');
		FUZZ_CHECK(utf8_valid(detail, strlen(detail)));
		for (const char *p = detail; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
		check_detail_private(detail, rec, len);
		break;
	case MAP_EVENT:
		FUZZ_CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0);
		FUZZ_CHECK(ev.c.event >= 1 && ev.c.event <= cfg->nevents);
		FUZZ_CHECK(rule_gives(&fc->event, ev.c.event));
		for (size_t d = 0; d < TQ_MAX_DIMS; d++)
			FUZZ_CHECK(d < cfg->ndims ? rule_gives(&fc->dims[d], ev.c.dim[d]) : ev.c.dim[d] == 0);
		FUZZ_CHECK(ev.has_id == (fc->id_slot >= 0 && idkey != NULL));
		FUZZ_CHECK(ev.utc >= -62167219200LL - 2 * DAY && ev.utc <= 253402300799LL + 2 * DAY);
		/* The counter's day is the local calendar day of the instant. */
		FUZZ_CHECK(ev.day == floor_div(ev.utc + tz_utc_offset(tz, ev.utc), DAY));
		check_event(fc, ps, rec, len, &ev);
		break;
	default:
		FUZZ_CHECK(!"unknown map result");
	}
	free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char bom[3] = { '\xEF', '\xBB', '\xBF' };
	const struct feed_conf *fc;
	struct parse_state ps;
	const uint8_t *idkey;
	char *buf;
	size_t len, pos = 0;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	if (!cfg)
		init();
	fc = &cfg->feeds[data[0] & 1];
	idkey = data[0] & 2 ? NULL : key;
	memset(&ps, 0, sizeof(ps));
	len = size - 1;
	buf = fuzz_dup(data + 1, len);

	while (pos < len) {
		const char *p = buf + pos;
		size_t rest = len - pos, rl, rlen;

		if (fc->format == FORMAT_CSV) {
			rl = csv_record_len(p, rest, fc->csv.delimiter, fc->csv.quote);
		} else {
			const char *nl = memchr(p, '\n', rest);
			rl = nl ? (size_t)(nl - p) + 1 : 0;
		}
		if (rl == 0) {
			rlen = rest;            /* the last, unterminated record */
			rl = rest;
		} else {
			rlen = rl - 1;
			if (rlen > 0 && p[rlen - 1] == '\r')
				rlen--;
		}
		if (pos == 0 && rlen >= sizeof(bom) && memcmp(p, bom, sizeof(bom)) == 0) {
			p += sizeof(bom);
			rlen -= sizeof(bom);
		}
		if (rlen <= fc->max_line)
			map_one(fc, &ps, idkey, p, rlen);
		pos += rl;
	}
	free(buf);
	return 0;
}
