/*
 * map.c — one record to one event (pure: no I/O, no logging).
 *
 * The feed's configuration decides everything: which fields are read
 * (slots), how time is parsed, and the maps from source values to event
 * kinds and dimension values. A value that no map covers is a reject, never
 * a guess, which is also what keeps free text and phone numbers out of
 * Redis: only interned, configured values ever leave this module. Reject
 * details name fields and sizes, never values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#include "core.h"
#include "cohort.h"
#include "map.h"
#include "parse.h"
#include "siphash.h"
#include "timeparse.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"

/* Fixed key for header fingerprints: they only need to tell headers apart. */
static const uint8_t header_key[16] = "teleqd-header-fp";

static const char *const reject_names[REJ__MAX] = {
	[REJ_EMPTY]    = "empty",
	[REJ_TOO_LONG] = "too_long",
	[REJ_NUL]      = "nul",
	[REJ_ENCODING] = "encoding",
	[REJ_JSON]     = "bad_json",
	[REJ_CSV]      = "bad_csv",
	[REJ_COLUMNS]  = "columns",
	[REJ_MISSING]  = "missing_field",
	[REJ_TIME]     = "bad_time",
	[REJ_DATE]     = "bad_date",
	[REJ_UNMAPPED] = "unmapped",
	[REJ_HEADER]   = "header",
	[REJ_RANGE]    = "out_of_range",
};

/* Stable name of a reject reason, used in Redis, metrics and logs. */
const char *
reject_name(enum reject r)
{
	return r < REJ__MAX ? reject_names[r] : "unknown";
}

/*
 * Allocates scratch for records of up to max_line bytes: room for
 * unescaped CSV/JSON text (len), converted values (3 * len for cp1252 to
 * UTF-8) and a joined date and time. Returns 0 or -ENOMEM.
 */
int
map_scratch_init(struct map_scratch *s, size_t max_line)
{
	s->cap = 4 * max_line + 256;
	s->buf = malloc(s->cap);
	memset(&s->tzm, 0, sizeof(s->tzm));
	return s->buf ? 0 : -ENOMEM;
}

/* Frees the scratch; accepts a zeroed one. */
void
map_scratch_done(struct map_scratch *s)
{
	if (!s)
		return;
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
}

/* Writes a printf-style reject detail; returns MAP_REJECT. */
static enum map_result TQ_PRINTF(3, 4)
reject(char *detail, size_t detaillen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, detaillen, fmt, ap);
	va_end(ap);
	return MAP_REJECT;
}
/* Sets *why and detail in the calling function's out-parameters. */
#define REJECT(r, ...) (*why = (r), reject(detail, detaillen, __VA_ARGS__))

/* True when every byte of s is valid in enc (cp1252 leaves five bytes undefined). */
static bool
encoding_valid(enum encoding enc, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	switch (enc) {
	case ENC_UTF8:
		return utf8_valid(s, len);
	case ENC_CP1252:
		for (i = 0; i < len; i++) {
			c = (unsigned char)s[i];
			if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D)
				return false;
		}
		return true;
	case ENC_LATIN1:
		return true;
	}
	return false;
}

/* Trims ASCII blanks around a field (header names and values are compared trimmed). */
static struct fieldv
trim(struct fieldv v)
{
	while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	return v;
}

/*
 * Learns a CSV file's columns from its header record: the column of every
 * slot, or -1 when the header lacks it. Returns MAP_SKIP, or MAP_REJECT
 * when the header itself is malformed or lacks a needed column.
 */
static enum map_result
learn_header(const struct feed_conf *fc, struct parse_state *ps, struct map_scratch *s,
    const char *rec, size_t len, enum reject *why, char *detail, size_t detaillen)
{
	char name[256];
	ssize_t nl;
	int n, missing = -1;
	size_t i, k;
	struct fieldv v;

	n = csv_split(rec, len, fc->csv.delimiter, fc->csv.quote, s->buf, s->cols, TQ_MAX_COLUMNS);
	ps->have_header = true;
	ps->header_len = len;
	ps->header_hash = siphash24(header_key, rec, len);
	for (i = 0; i < TQ_MAX_SLOTS; i++)
		ps->col[i] = -1;
	if (n < 0) {
		ps->ncolumns = 0;
		return REJECT(REJ_HEADER, "header line is not valid CSV");
	}
	ps->ncolumns = (size_t)n;
	for (k = 0; k < (size_t)n; k++) {
		v = trim(s->cols[k]);
		/* Header names in cp1252 ("Kö") must match the UTF-8 names of the config. */
		nl = to_utf8(fc->encoding, v.p, v.len, name, sizeof(name));
		if (nl < 0)
			continue;
		for (i = 0; i < fc->nslots; i++)
			if (ps->col[i] < 0 && strlen(fc->slots[i]) == (size_t)nl &&
			    memcmp(fc->slots[i], name, (size_t)nl) == 0)
				ps->col[i] = (int)k;
	}
	for (i = 0; i < fc->nslots; i++)
		if (ps->col[i] < 0 && missing < 0)
			missing = (int)i;
	if (missing >= 0)
		return REJECT(REJ_HEADER, "header lacks column '%s'", fc->slots[missing]);
	return MAP_SKIP;
}

/* Columns of a header-less CSV feed come from the config, once per file. */
static void
config_columns(const struct feed_conf *fc, struct parse_state *ps)
{
	size_t i, k;

	for (i = 0; i < TQ_MAX_SLOTS; i++)
		ps->col[i] = -1;
	for (i = 0; i < fc->nslots; i++)
		for (k = 0; k < fc->csv.ncolumns; k++)
			if (strcmp(fc->slots[i], fc->csv.columns[k]) == 0)
				ps->col[i] = (int)k;
	ps->ncolumns = fc->csv.ncolumns;
	ps->have_header = true;
	ps->header_len = 0;
}

/*
 * Splits a CSV record and points vals[slot] at each slot's column,
 * converted to UTF-8 in out (advanced past what it uses).
 */
static enum map_result
csv_fields(const struct feed_conf *fc, struct parse_state *ps, struct map_scratch *s,
    const char *rec, size_t len, struct fieldv *vals, char **out, const char *end,
    enum reject *why, char *detail, size_t detaillen)
{
	int n;
	size_t i;
	ssize_t cl;
	struct fieldv v;

	n = csv_split(rec, len, fc->csv.delimiter, fc->csv.quote, s->buf, s->cols, TQ_MAX_COLUMNS);
	if (n == -E2BIG)
		return REJECT(REJ_COLUMNS, "more than %d columns", TQ_MAX_COLUMNS);
	if (n < 0)
		return REJECT(REJ_CSV, "malformed quoting");
	if ((size_t)n != ps->ncolumns)
		return REJECT(REJ_COLUMNS, "%d columns, expected %zu", n, ps->ncolumns);
	for (i = 0; i < fc->nslots; i++) {
		if (ps->col[i] < 0) {
			vals[i].p = NULL;
			continue;
		}
		v = trim(s->cols[ps->col[i]]);
		if (fc->encoding == ENC_UTF8) {
			vals[i] = v;
			continue;
		}
		cl = to_utf8(fc->encoding, v.p, v.len, *out, (size_t)(end - *out));
		if (cl < 0)
			return REJECT(REJ_ENCODING, "field '%s' not valid in the declared encoding",
			    fc->slots[i]);
		vals[i].p = *out;
		vals[i].len = (size_t)cl;
		*out += cl;
	}
	return MAP_EVENT;
}

/* Describes a value's shape for a reject detail without revealing it. */
static const char *
shape(const struct fieldv *v, char *buf, size_t len)
{
	snprintf(buf, len, "%zu bytes", v->len);
	return buf;
}

/*
 * True when the C string z equals v[0..len). Bytewise, stopping at the
 * first difference (usually the first byte), so the map entries need no
 * strlen per line; v holds no NUL (map_record rejects lines with one).
 */
static inline bool
str_is(const char *z, const char *v, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (z[k] != v[k])       /* also stops at z's NUL, as v has none */
			return false;
	return z[len] == '\0';
}

/*
 * Applies a rule to the line's values: the id it yields, 0 with a reject
 * when the field is missing or its value is not in the map.
 */
static uint16_t
apply_rule(const struct feed_conf *fc, const struct rule *r, const struct fieldv *vals,
    const char *what, enum reject *why, char *detail, size_t detaillen)
{
	const struct fieldv *v;
	char sh[32];
	size_t i;

	if (r->kind == RULE_CONST)
		return r->const_id;
	v = &vals[r->slot];
	if (!v->p || v->len == 0) {
		REJECT(REJ_MISSING, "field '%s' (%s) missing or empty", fc->slots[r->slot], what);
		return 0;
	}
	for (i = 0; i < r->nmap; i++)
		if (str_is(r->from[i], v->p, v->len))
			return r->to[i];
	REJECT(REJ_UNMAPPED, "value of field '%s' (%s) not in its map (%s)",
	    fc->slots[r->slot], what, shape(v, sh, sizeof(sh)));
	return 0;
}

/*
 * Parses the line's time into ev->utc and ev->day (the local calendar day).
 * tzm memoizes the zone's offset across lines. A time outside the feed's
 * window (its local day before accept_from, or later than now plus
 * accept_ahead) is out_of_range: a year 1900 or 9999 from a broken export
 * must not make day keys that reports and history streams cannot hold.
 * Returns MAP_EVENT or MAP_REJECT.
 */
static enum map_result
map_time(const struct feed_conf *fc, const struct tz *tz, struct tz_memo *tzm, int64_t now,
    const struct fieldv *vals, char *join, size_t joincap, struct event *ev, enum reject *why,
    char *detail, size_t detaillen)
{
	const struct fieldv *a = &vals[fc->time.slot[0]];
	const char *s;
	size_t len;
	int64_t t;
	bool zoned = false;
	int r;

	if (!a->p || a->len == 0)
		return REJECT(REJ_MISSING, "time field '%s' missing or empty", fc->slots[fc->time.slot[0]]);
	s = a->p;
	len = a->len;
	if (fc->time.nslot == 2) {
		const struct fieldv *b = &vals[fc->time.slot[1]];

		if (!b->p || b->len == 0)
			return REJECT(REJ_MISSING, "time field '%s' missing or empty",
			    fc->slots[fc->time.slot[1]]);
		if (a->len + 1 + b->len > joincap)
			return REJECT(REJ_TIME, "time fields too long");
		/* Date and time in separate columns are read as "date time". */
		memcpy(join, a->p, a->len);
		join[a->len] = ' ';
		memcpy(join + a->len + 1, b->p, b->len);
		s = join;
		len = a->len + 1 + b->len;
	}
	switch (fc->time.kind) {
	case TIME_FORMAT:
		r = time_parse_fmt(s, len, fc->time.format, &t);
		break;
	case TIME_ISO8601:
		r = time_parse_iso8601(s, len, &t, &zoned);
		break;
	case TIME_EPOCH:
		r = time_parse_epoch(s, len, &t);
		zoned = true;
		break;
	default:
		r = -EINVAL;
	}
	if (r == -ERANGE)
		return REJECT(REJ_DATE, "impossible date or time in '%s'", fc->slots[fc->time.slot[0]]);
	if (r < 0)
		return REJECT(REJ_TIME, "time in '%s' does not parse as %s", fc->slots[fc->time.slot[0]],
		    fc->time.kind == TIME_FORMAT ? fc->time.format :
		    fc->time.kind == TIME_ISO8601 ? "iso8601" : "epoch");
	if (zoned) {
		ev->utc = t;
		ev->day = floor_div(t + tz_utc_offset_memo(tz, tzm, t), SECS_PER_DAY);
	} else {
		/* A local time's day is the date written; the zone only gives the instant. */
		ev->utc = tz_wall_to_utc_memo(tz, tzm, t);
		ev->day = floor_div(t, SECS_PER_DAY);
	}
	if (ev->day < fc->accept_from_day)
		return REJECT(REJ_RANGE, "time in '%s' before the feed's accept_from",
		    fc->slots[fc->time.slot[0]]);
	if (ev->utc > now + fc->accept_ahead_s)
		return REJECT(REJ_RANGE, "time in '%s' later than now plus the feed's accept_ahead",
		    fc->slots[fc->time.slot[0]]);
	return MAP_EVENT;
}

/*
 * Hashes a record id under the secret key into 128 bits. The feed name is
 * mixed in so equal ids of different feeds stay different records.
 */
static void
hash_id(const uint8_t *idkey, const char *feed, const struct fieldv *v, char *tmp,
    size_t tmpcap, uint8_t out[16])
{
	uint8_t k2[16];
	size_t fl = strlen(feed), n, i;
	uint64_t h1, h2;

	n = fl + 1 + v->len <= tmpcap ? fl + 1 + v->len : tmpcap;
	memcpy(tmp, feed, fl);
	tmp[fl] = '\0';
	memcpy(tmp + fl + 1, v->p, n - fl - 1);
	for (i = 0; i < 16; i++)
		k2[i] = idkey[i] ^ 0x5c;
	h1 = siphash24(idkey, tmp, n);
	h2 = siphash24(k2, tmp, n);
	memcpy(out, &h1, 8);
	memcpy(out + 8, &h2, 8);
}

/*
 * A record of a headered CSV file rejected as data: when it names every
 * column the feed needs it is the file's header from here on (an exporter
 * upgraded mid-file), MAP_HEADER; when it names some but lacks one it is a
 * broken header, REJ_HEADER, and the header in force stays; otherwise the
 * data reject (*why, detail) stands. Tested only after the record failed
 * as data: rows never pay for it, and a row cannot be taken for a header
 * unless its values are the names of all the needed columns.
 */
static enum map_result
header_change(const struct feed_conf *fc, struct parse_state *ps, struct map_scratch *s,
    const char *rec, size_t len, enum reject *why, char *detail, size_t detaillen)
{
	struct parse_state np = *ps;
	enum reject hwhy;
	char hdetail[TQ_DETAIL_MAX];

	np.recheck_header = false;
	if (learn_header(fc, &np, s, rec, len, &hwhy, hdetail, sizeof(hdetail)) == MAP_SKIP) {
		*ps = np;
		return MAP_HEADER;
	}
	for (size_t i = 0; i < fc->nslots; i++)
		if (np.col[i] >= 0) {
			*why = hwhy;
			snprintf(detail, detaillen, "%s", hdetail);
			break;
		}
	return MAP_REJECT;
}

/*
 * One record as data (or the header that teaches the columns). The order
 * of checks decides which reason a line with several faults gets: framing
 * (empty, NUL), syntax (CSV/JSON/encoding), then fields, time, maps, id.
 */
static enum map_result
map_line(const struct config *cfg, const struct feed_conf *fc, const struct tz *tz,
    int64_t now, const uint8_t *idkey, struct parse_state *ps, struct map_scratch *s,
    const char *rec, size_t len, struct event *ev, enum reject *why, char *detail,
    size_t detaillen)
{
	struct fieldv vals[TQ_MAX_SLOTS];
	char *out, *end;
	enum map_result mr;
	size_t d;
	int r;

	if (len == 0)
		return REJECT(REJ_EMPTY, "empty line");
	if (memchr(rec, '\0', len))
		return REJECT(REJ_NUL, "NUL byte in line");
	if (len * 4 + 256 > s->cap)
		return REJECT(REJ_TOO_LONG, "line of %zu bytes exceeds scratch", len);
	/* Text after the unescape area: converted values and the joined time. */
	out = s->buf + len;
	end = s->buf + s->cap - 128;

	if (fc->format == FORMAT_CSV) {
		if (!fc->csv.header && !ps->have_header)
			config_columns(fc, ps);
		if (!ps->have_header)
			return learn_header(fc, ps, s, rec, len, why, detail, detaillen);
		/* Exports concatenated into one file repeat their header: skip it. */
		if (ps->header_len == len && siphash24(header_key, rec, len) == ps->header_hash) {
			ps->recheck_header = false;
			return MAP_SKIP;
		}
		if (ps->recheck_header) {
			/* The first record of a file read from 0 with columns it
			 * did not teach itself (its own header kept across a
			 * copytruncate, or its feed's last header): a header with
			 * every needed column replaces them (an export with other
			 * columns); one naming a needed column but lacking another
			 * is rejected as a header, as in any file; anything else
			 * is data, read with the kept columns. */
			struct parse_state np;

			ps->recheck_header = false;
			np = *ps;
			mr = learn_header(fc, &np, s, rec, len, why, detail, detaillen);
			for (size_t i = 0; i < fc->nslots && mr != MAP_SKIP; i++)
				if (np.col[i] >= 0) {
					*ps = np;
					return mr;
				}
			if (mr == MAP_SKIP) {
				*ps = np;
				return MAP_HEADER;
			}
		}
		if (!encoding_valid(fc->encoding, rec, len))
			return REJECT(REJ_ENCODING, "bytes not valid in the declared encoding");
		mr = csv_fields(fc, ps, s, rec, len, vals, &out, end, why, detail, detaillen);
		if (mr != MAP_EVENT)
			return mr;
	} else {
		r = json_extract(rec, len, (const char *const *)fc->slots, fc->nslots, s->buf, vals);
		if (r == -EILSEQ)
			return REJECT(REJ_ENCODING, "invalid UTF-8 in JSON text");
		if (r < 0)
			return REJECT(REJ_JSON, "not one valid JSON object");
	}

	memset(ev, 0, sizeof(*ev));
	mr = map_time(fc, tz, &s->tzm, now, vals, out, (size_t)(end - out), ev, why, detail, detaillen);
	if (mr != MAP_EVENT)
		return mr;
	ev->c.event = apply_rule(fc, &fc->event, vals, "event", why, detail, detaillen);
	if (!ev->c.event)
		return MAP_REJECT;
	for (d = 0; d < cfg->ndims; d++) {
		if (fc->dims[d].kind == RULE_NONE)
			continue;
		if (fc->dims[d].optional && (!vals[fc->dims[d].slot].p || !vals[fc->dims[d].slot].len))
			continue;       /* absent, as the config allows */
		ev->c.dim[d] = apply_rule(fc, &fc->dims[d], vals, cfg->dims[d].name, why, detail,
		    detaillen);
		if (!ev->c.dim[d])
			return MAP_REJECT;
	}
	if (fc->id_slot >= 0 && idkey) {
		const struct fieldv *v = &vals[fc->id_slot];

		if (!v->p || v->len == 0)
			return REJECT(REJ_MISSING, "id field '%s' missing or empty", fc->slots[fc->id_slot]);
		hash_id(idkey, fc->name, v, out, (size_t)(end - out) + 128, ev->id);
		ev->has_id = true;
	}
	ev->extend_day = CASE_NO_DAY;
	if (fc->case_slot >= 0 && idkey) {
		const struct fieldv *v = &vals[fc->case_slot];

		if (!v->p || v->len == 0)
			return REJECT(REJ_MISSING, "case field '%s' missing or empty",
			    fc->slots[fc->case_slot]);
		/* not the feed's name but one fixed domain: a case is the same in every feed */
		hash_id(idkey, "\001case", v, out, (size_t)(end - out) + 128, ev->case_id);
		ev->has_case = true;
	}
	if (fc->extend_slot >= 0 && vals[fc->extend_slot].p && vals[fc->extend_slot].len) {
		const struct fieldv *v = &vals[fc->extend_slot];
		int64_t wall;

		/* a date, or the date part of a date and time */
		r = time_parse_fmt(v->p, v->len < 10 ? v->len : 10, "%Y-%m-%d", &wall);
		if (r == -ERANGE || (r == 0 && (floor_div(wall, SECS_PER_DAY) < CASE_DAY_MIN ||
		    floor_div(wall, SECS_PER_DAY) >= CASE_DAY_MAX)))
			return REJECT(REJ_DATE, "impossible date in field '%s'", fc->slots[fc->extend_slot]);
		if (r < 0 || (v->len > 10 && v->p[10] != 'T' && v->p[10] != ' '))
			return REJECT(REJ_TIME, "field '%s' is not a date (YYYY-MM-DD)",
			    fc->slots[fc->extend_slot]);
		ev->extend_day = floor_div(wall, SECS_PER_DAY);
	}
	return MAP_EVENT;
}

/* Turns one record into an event; see the contract in map.h. */
enum map_result
map_record(const struct config *cfg, const struct feed_conf *fc, const struct tz *tz,
    int64_t now, const uint8_t *idkey, struct parse_state *ps, struct map_scratch *s,
    const char *rec, size_t len, struct event *ev, enum reject *why, char *detail,
    size_t detaillen)
{
	enum map_result mr;

	mr = map_line(cfg, fc, tz, now, idkey, ps, s, rec, len, ev, why, detail, detaillen);
	/* not for lines no header can be (empty, NUL, over-long, bad bytes),
	 * nor for one already judged as a header */
	if (mr == MAP_REJECT && fc->format == FORMAT_CSV && fc->csv.header && ps->have_header &&
	    *why != REJ_HEADER && *why != REJ_EMPTY && *why != REJ_NUL && *why != REJ_TOO_LONG &&
	    *why != REJ_ENCODING)
		mr = header_change(fc, ps, s, rec, len, why, detail, detaillen);
	return mr;
}
