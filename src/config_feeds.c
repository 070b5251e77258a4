/*
 * config_feeds.c — the feeds section of teleqd.yaml: each feed's file,
 * format and time (a key table for the scalar keys), and the hand-written
 * structural parts: csv columns, the event and dimension rules with their
 * maps, and the interning of event kinds and dimension values. After all
 * feeds are read the dimensions are sorted by name (the order of combo
 * fields in Redis), so the indicators' filters get the final indexes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "core.h"
#include "tq_config.h"
#include "utf8.h"

/* Per-feed state while one feed is read. */
struct feed_ctx {
	struct feed_conf  *fc;
	const yaml_node_t *slot_node[TQ_MAX_SLOTS];     /* first use of each slot, for messages */
};

/*
 * Checks an event kind, dimension name or value: [A-Za-z0-9._-]{1,48}.
 * These end up in counter field names "<event>|<dim>=<value>", so '|' and
 * '=' must never appear.
 */
static int
check_value_name(struct ctx *c, const yaml_node_t *n, const char *what)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, what, 1024, &s, &len);
	if (r < 0)
		return r;
	if (!cf_name_ok(s, len, CFG_MAX_NAME, true, "._-"))
		return fail(c, n, "bad %s '%s': use 1-%d of A-Z a-z 0-9 . _ -", what,
		            cf_shown(s, len, buf), CFG_MAX_NAME);
	return 0;
}

/* --------------------------------------------------------------- interning */

/* Finds s in table[0..n); 1-based id or 0. */
static uint16_t
find_name(char *const *table, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strnlen(table[i], len + 1) == len && !memcmp(table[i], s, len))
			return (uint16_t)(i + 1);
	return 0;
}

/* Interns the name in node n into table (id = index + 1), at most TQ_MAX_VALUES. */
static int
intern(struct ctx *c, const yaml_node_t *n, const char *what, char **table,
       size_t *count, uint16_t *ret_id)
{
	uint16_t id;
	char *s;
	int r;

	r = check_value_name(c, n, what);
	if (r < 0)
		return r;
	id = find_name(table, *count, cf_sv(n), n->data.scalar.length);
	if (id) {
		*ret_id = id;
		return 0;
	}
	if (*count >= TQ_MAX_VALUES)
		return fail(c, n, "more than %d distinct values of %s", TQ_MAX_VALUES, what);
	s = strdup(cf_sv(n));
	if (!s)
		return cf_oom(c);
	table[(*count)++] = s;
	*ret_id = (uint16_t)*count;
	return 0;
}

static int
intern_event(struct ctx *c, const yaml_node_t *n, uint16_t *ret_id)
{
	return intern(c, n, "event kind", c->cfg->events, &c->cfg->nevents, ret_id);
}

/* Interns a dimension by name (before sorting: index in order of appearance). */
static int
intern_dim(struct ctx *c, const yaml_node_t *n, size_t *ret_d)
{
	struct config *cfg = c->cfg;
	char *s;
	int r;

	r = check_value_name(c, n, "dimension name");
	if (r < 0)
		return r;
	if (!strcmp(cf_sv(n), "event"))
		return fail(c, n, "the dimension name 'event' is reserved");
	for (size_t d = 0; d < cfg->ndims; d++)
		if (!strcmp(cfg->dims[d].name, cf_sv(n))) {
			*ret_d = d;
			return 0;
		}
	if (cfg->ndims >= TQ_MAX_DIMS)
		return fail(c, n, "more than %d dimensions", TQ_MAX_DIMS);
	s = strdup(cf_sv(n));
	if (!s)
		return cf_oom(c);
	cfg->dims[cfg->ndims].name = s;
	*ret_d = cfg->ndims++;
	return 0;
}

/* Interns a value of dimension d. */
static int
intern_value(struct ctx *c, const yaml_node_t *n, size_t d, uint16_t *ret_id)
{
	struct dimension *dim = &c->cfg->dims[d];

	return intern(c, n, "dimension value", dim->values, &dim->nvalues, ret_id);
}

/* ------------------------------------------------------------------- feeds */

/*
 * Gives the slot of a source field name in the feed, adding it when new.
 * Slots are the distinct fields a feed reads (at most TQ_MAX_SLOTS).
 */
static int
add_slot(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n, const char *what,
         int *ret_slot)
{
	struct feed_conf *fc = fx->fc;
	const char *s;
	size_t len;
	char *copy;
	int r;

	r = cf_get_text(c, n, what, CFG_MAX_FIELD, &s, &len);
	if (r < 0)
		return r;
	if (len == 0)
		return fail(c, n, "%s must not be empty", what);
	for (size_t i = 0; i < fc->nslots; i++)
		if (!strcmp(fc->slots[i], s)) {
			*ret_slot = (int)i;
			return 0;
		}
	if (fc->nslots >= TQ_MAX_SLOTS)
		return fail(c, n, "feed '%s' reads more than %d fields", fc->name, TQ_MAX_SLOTS);
	copy = strndup(s, len);
	if (!copy)
		return cf_oom(c);
	fx->slot_node[fc->nslots] = n;
	fc->slots[fc->nslots] = copy;
	*ret_slot = (int)fc->nslots++;
	return 0;
}

/*
 * feed path: absolute; fnmatch glob characters only in the last
 * component, because directories are watched with inotify and a glob there
 * would need a recursive walk.
 */
static int
parse_path(struct ctx *c, const yaml_node_t *n, void *field)
{
	char buf[64];
	const char *s, *last;
	size_t len;
	int r;

	r = cf_get_text(c, n, "path", CFG_MAX_PATH, &s, &len);
	if (r < 0)
		return r;
	if (s[0] != '/')
		return fail(c, n, "path '%s' must be absolute", cf_shown(s, len, buf));
	last = strrchr(s, '/');
	if (!last[1])
		return fail(c, n, "path '%s' must name a file, not a directory", cf_shown(s, len, buf));
	for (const char *p = s; p < last; p++)
		if (*p == '*' || *p == '?' || *p == '[')
			return fail(c, n, "glob character '%c' in a directory of path '%s': only the "
			            "last component may be a pattern", *p, cf_shown(s, len, buf));
	return cf_get_str(c, n, "path", CFG_MAX_PATH, field);
}

static const struct enum_name encodings[] = {
	{ "utf-8", ENC_UTF8 }, { "windows-1252", ENC_CP1252 }, { "iso-8859-1", ENC_LATIN1 },
	{ "utf8", ENC_UTF8 }, { "cp1252", ENC_CP1252 }, { "latin1", ENC_LATIN1 },
};

/* csv: the keys, in the order they are read; columns and encoding by hand. */
enum { C_DELIMITER, C_QUOTE, C_HEADER, C_COLUMNS, C_ENCODING, C__N };
static const struct conf_key csv_keys[C__N] = {
	[C_DELIMITER] = { .name = "delimiter", .type = CT_CHAR,
	                  CONF_FIELD(struct feed_conf, csv.delimiter), .min = 1, .def = ',' },
	/* "" = no quoting */
	[C_QUOTE] = { .name = "quote", .type = CT_CHAR, CONF_FIELD(struct feed_conf, csv.quote),
	              .min = 0, .def = '"' },
	[C_HEADER] = { .name = "header", .type = CT_BOOL,
	               CONF_FIELD(struct feed_conf, csv.header), .def = true },
	[C_COLUMNS] = { .name = "columns", .type = CT_MANUAL },
	[C_ENCODING] = { .name = "encoding", .type = CT_MANUAL },
};
static const struct conf_section csv_section = {
	.what = "csv", .keys = csv_keys, .nkeys = C__N };

/* csv: { delimiter, quote, header, columns, encoding }; the base is the feed. */
static int
parse_csv(struct ctx *c, const yaml_node_t *n, struct feed_conf *fc,
          const yaml_node_t **ret_enc)
{
	yaml_node_t *v[C__N];
	int r;

	if ((r = conf_take(c, n, &csv_section, v)) < 0 ||
	    (r = conf_apply(c, &csv_section, C_DELIMITER, C_HEADER, v, fc)) < 0)
		return r;
	if (fc->csv.quote && fc->csv.quote == fc->csv.delimiter)
		return fail(c, v[C_QUOTE] ? v[C_QUOTE] : v[C_DELIMITER],
		            "quote and delimiter must differ");
	if ((r = conf_apply(c, &csv_section, C_HEADER, C_COLUMNS, v, fc)) < 0)
		return r;
	/* the encoding is read by the caller, which also accepts it beside csv */
	*ret_enc = v[C_ENCODING];

	if (fc->csv.header) {
		if (v[C_COLUMNS])
			return fail(c, v[C_COLUMNS], "columns is only used with header: false");
		return 0;
	}
	if (!v[C_COLUMNS])
		return fail(c, n, "missing required key 'columns' in csv (header is false)");
	if (v[C_COLUMNS]->type != YAML_SEQUENCE_NODE)
		return cf_fail_type(c, v[C_COLUMNS], "columns", "a sequence");
	{
		const yaml_node_t *cols = v[C_COLUMNS];
		size_t ncol = cf_seq_len(cols), i = 0;

		if (ncol == 0)
			return fail(c, cols, "columns must not be empty");
		if (ncol > TQ_MAX_COLUMNS)
			return fail(c, cols, "more than %d columns", TQ_MAX_COLUMNS);
		fc->csv.columns = calloc(ncol, sizeof(char *));
		if (!fc->csv.columns)
			return cf_oom(c);
		fc->csv.ncolumns = ncol;
		for (yaml_node_item_t *it = cols->data.sequence.items.start;
		     it < cols->data.sequence.items.top; it++, i++) {
			yaml_node_t *col = cf_child(c, *it);

			r = cf_get_str(c, col, "column", CFG_MAX_FIELD, &fc->csv.columns[i]);
			if (r < 0)
				return r;
			/* "" marks a column that is never read; names must be unique */
			if (!fc->csv.columns[i][0])
				continue;
			for (size_t j = 0; j < i; j++)
				if (!strcmp(fc->csv.columns[j], fc->csv.columns[i]))
					return fail(c, col, "duplicate column '%s'", fc->csv.columns[i]);
		}
	}
	return 0;
}

/*
 * Checks a strftime-like time format against what time_parse_fmt knows,
 * and that it has a full date (a month bucket needs year, month and day).
 */
static int
check_time_format(struct ctx *c, const yaml_node_t *n, const char *s)
{
	bool y = false, m = false, d = false;

	for (const char *p = s; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		switch (*p) {
		case 'Y': case 'y': y = true; break;
		case 'm': m = true; break;
		case 'd': case 'e': d = true; break;
		case 'F': y = m = d = true; break;
		case 'H': case 'M': case 'S': case 'T': case 'f': case '%': break;
		default: {
			char buf[64];
			size_t k = 1;

			if (!*p)
				return fail(c, n, "time format ends with a lone '%%'");
			/* the whole character, through cf_shown(): a line break or a
			 * lone UTF-8 lead byte must not reach the one-line message */
			while (((unsigned char)p[k] & 0xC0) == 0x80)
				k++;
			return fail(c, n, "unsupported conversion '%%%s' in time format (allowed: %%Y %%m "
			            "%%d %%H %%M %%S %%y %%e %%T %%F %%f %%%%)", cf_shown(p, k, buf));
		}
		}
	}
	if (!y || !m || !d)
		return fail(c, n, "time format must contain a year, a month and a day");
	return 0;
}

/* time: { field | fields, format } */
static int
parse_time(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_FIELDS, K_FORMAT, K__N };
	static const char *const keys[K__N] = { "field", "fields", "format" };
	struct feed_conf *fc = fx->fc;
	yaml_node_t *v[K__N];
	int r;

	r = cf_take_keys(c, n, "time", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_FIELD] && v[K_FIELDS])
		return fail(c, v[K_FIELDS], "time takes either field or fields, not both");
	if (v[K_FIELD]) {
		r = add_slot(c, fx, v[K_FIELD], "field", &fc->time.slot[0]);
		if (r < 0)
			return r;
		fc->time.nslot = 1;
	} else if (v[K_FIELDS]) {
		const yaml_node_t *f = v[K_FIELDS];

		if (f->type != YAML_SEQUENCE_NODE)
			return cf_fail_type(c, f, "fields", "a sequence");
		if (cf_seq_len(f) < 1 || cf_seq_len(f) > 2)
			return fail(c, f, "fields must name one or two fields (date and time)");
		for (size_t i = 0; i < cf_seq_len(f); i++) {
			r = add_slot(c, fx, cf_child(c, f->data.sequence.items.start[i]), "field",
			             &fc->time.slot[i]);
			if (r < 0)
				return r;
		}
		fc->time.nslot = (int)cf_seq_len(f);
		if (fc->time.nslot == 2 && fc->time.slot[0] == fc->time.slot[1])
			return fail(c, f, "the two time fields must differ");
	} else
		return cf_fail_missing(c, n, "field", "time");

	if (v[K_FORMAT]) {
		char buf[64];
		const char *s;
		size_t len;

		r = cf_get_text(c, v[K_FORMAT], "format", CFG_MAX_SHORT, &s, &len);
		if (r < 0)
			return r;
		if (!strcmp(s, "iso8601"))
			fc->time.kind = TIME_ISO8601;
		else if (!strcmp(s, "epoch"))
			fc->time.kind = TIME_EPOCH;
		else if (strchr(s, '%')) {
			r = check_time_format(c, v[K_FORMAT], s);
			if (r < 0)
				return r;
			r = cf_get_str(c, v[K_FORMAT], "format", CFG_MAX_SHORT, &fc->time.format);
			if (r < 0)
				return r;
			fc->time.kind = TIME_FORMAT;
		} else
			return fail(c, v[K_FORMAT], "bad value '%s' for time format (allowed: iso8601, "
			            "epoch, or a pattern like \"%%Y-%%m-%%d %%H:%%M:%%S\")",
			            cf_shown(s, len, buf));
	}
	if (fc->time.kind == TIME_EPOCH && fc->time.nslot == 2)
		return fail(c, v[K_FIELDS], "an epoch time is one field");
	return 0;
}

/* Orders map entry indexes (into the key nodes in arg) by text, then position. */
static int
cmp_map_key(const void *a, const void *b, void *arg)
{
	const yaml_node_t *const *keys = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(cf_sv(keys[i]), cf_sv(keys[j]));

	return r ? r : (i < j ? -1 : i > j);
}

/*
 * map: { source value: target, ... } for the event (d < 0) or dimension d.
 * Source values are matched exactly at run time after conversion to UTF-8;
 * targets are interned. A value no map covers is rejected at run time.
 */
static int
parse_map(struct ctx *c, const yaml_node_t *n, long d, struct rule *ru)
{
	const yaml_node_t **keys = NULL;
	size_t *order = NULL, count, i = 0;
	int r = 0;

	if (n->type != YAML_MAPPING_NODE)
		return cf_fail_type(c, n, "map", "a mapping");
	count = cf_map_len(n);
	if (count == 0)
		return fail(c, n, "map must not be empty");
	if (count > CFG_MAX_MAP)
		return fail(c, n, "map has more than %d entries", CFG_MAX_MAP);
	ru->from = calloc(count, sizeof(char *));
	ru->to = calloc(count, sizeof(uint16_t));
	keys = calloc(count, sizeof(*keys));     /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	order = calloc(count, sizeof(*order));
	if (!ru->from || !ru->to || !keys || !order) {
		r = cf_oom(c);
		goto out;
	}
	ru->nmap = count;       /* entries are filled in order; config_free copes with NULLs */
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++, i++) {
		yaml_node_t *k = cf_child(c, p->key), *v = cf_child(c, p->value);
		size_t len;

		/* a source value is literal text: a plain ~, 1 or yes is just that text */
		if (k->type != YAML_SCALAR_NODE) {
			r = cf_fail_type(c, k, "a map key", "a string");
			goto out;
		}
		len = k->data.scalar.length;
		if (len == 0) {
			/* an empty field is REJ_MISSING at run time, never mapped */
			r = fail(c, k, "map key must not be empty");
			goto out;
		}
		if (len > CFG_MAX_FROM || memchr(cf_sv(k), '\0', len)) {
			r = fail(c, k, "map key must be at most %d bytes without NUL", CFG_MAX_FROM);
			goto out;
		}
		ru->from[i] = strndup(cf_sv(k), len);
		if (!ru->from[i]) {
			r = cf_oom(c);
			goto out;
		}
		keys[i] = k;
		order[i] = i;
		if (d < 0)
			r = intern_event(c, v, &ru->to[i]);
		else
			r = intern_value(c, v, (size_t)d, &ru->to[i]);
		if (r < 0)
			goto out;
	}
	/* sorted, so duplicates are neighbours: O(n log n) even for aliased maps */
	qsort_r(order, count, sizeof(*order), cmp_map_key, (void *)keys);
	for (i = 1; i < count; i++)
		if (!strcmp(ru->from[order[i - 1]], ru->from[order[i]])) {
			char buf[64];
			const yaml_node_t *k = keys[order[i]];

			r = fail(c, k, "duplicate key '%s' in map", cf_shown(cf_sv(k), k->data.scalar.length, buf));
			goto out;
		}
	ru->kind = RULE_FIELD;
out:
	free(keys);
	free(order);
	return r;
}

/* event: { value } or { field, map } */
static int
parse_event(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_MAP, K_VALUE, K__N };
	static const char *const keys[K__N] = { "field", "map", "value" };
	struct rule *ru = &fx->fc->event;
	yaml_node_t *v[K__N];
	int r;

	r = cf_take_keys(c, n, "event", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_VALUE]) {
		if (v[K_FIELD] || v[K_MAP])
			return fail(c, n, "event takes either value, or field and map");
		r = intern_event(c, v[K_VALUE], &ru->const_id);
		if (r < 0)
			return r;
		ru->kind = RULE_CONST;
		return 0;
	}
	if (!v[K_FIELD])
		return cf_fail_missing(c, n, "field", "event");
	if (!v[K_MAP])
		return cf_fail_missing(c, n, "map", "event");
	r = add_slot(c, fx, v[K_FIELD], "field", &ru->slot);
	if (r < 0)
		return r;
	return parse_map(c, v[K_MAP], -1, ru);
}

/*
 * The slot of optional field key n (what) when given, into *ret_slot; it
 * needs the setting described by need, which ok says is there (NULL: not),
 * else fails "<what> needs <need>". Absent: 0, nothing done.
 */
static int
add_slot_if(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n, const char *what,
            const void *ok, const char *need, int *ret_slot)
{
	if (!n)
		return 0;
	if (!ok)
		return fail(c, n, "%s needs %s", what, need);
	return add_slot(c, fx, n, what, ret_slot);
}

/*
 * The rule of the feed for dimension k (interned), its index in *ret_d:
 * 0, or the fail() of a dimension the feed already has a rule for — set
 * and dimensions share one name space, a dimension has one source.
 */
static int
dim_rule(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *k, size_t *ret_d,
         struct rule **ret_ru)
{
	/* 0: set by intern_dim when it succeeds, but clang-analyzer loses
	 * cf_oom's -ENOMEM on the way and would index with it unset */
	size_t d = 0;
	int r = intern_dim(c, k, &d);

	if (r < 0)
		return r;
	*ret_d = d;
	*ret_ru = &fx->fc->dims[d];
	if ((*ret_ru)->kind != RULE_NONE)
		return fail(c, k, "dimension '%s' is given twice in feed '%s'", cf_sv(k),
		            fx->fc->name);
	return 0;
}

/* set: { dimension: value, ... } — constants for every event of the feed. */
static int
parse_set(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return cf_fail_type(c, n, "set", "a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cf_child(c, p->key), *v = cf_child(c, p->value);
		struct rule *ru;
		size_t d;

		r = dim_rule(c, fx, k, &d, &ru);
		if (r < 0)
			return r;
		r = intern_value(c, v, d, &ru->const_id);
		if (r < 0)
			return r;
		ru->kind = RULE_CONST;
	}
	return 0;
}

/*
 * dimensions: { dimension: { field, map, optional }, ... } — a map is
 * required; optional: true lets a line without the field through with the
 * dimension absent (a field only some event kinds carry).
 */
static int
parse_dimensions(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_MAP, K_OPTIONAL, K__N };
	static const char *const keys[K__N] = { "field", "map", "optional" };
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return cf_fail_type(c, n, "dimensions", "a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cf_child(c, p->key), *val = cf_child(c, p->value);
		yaml_node_t *v[K__N];
		struct rule *ru;
		size_t d;

		r = dim_rule(c, fx, k, &d, &ru);
		if (r < 0)
			return r;
		r = cf_take_keys(c, val, "dimension", keys, K__N, v);
		if (r < 0)
			return r;
		if (!v[K_FIELD])
			return cf_fail_missing(c, val, "field", "dimension");
		/* never pass raw values on: they may be personal data */
		if (!v[K_MAP])
			return cf_fail_missing(c, val, "map", "dimension");
		r = add_slot(c, fx, v[K_FIELD], "field", &ru->slot);
		if (r < 0)
			return r;
		r = parse_map(c, v[K_MAP], (long)d, ru);
		if (r < 0)
			return r;
		if (v[K_OPTIONAL] && (r = cf_get_bool(c, v[K_OPTIONAL], "optional", &ru->optional)) < 0)
			return r;
	}
	return 0;
}

/* The keys of a feed, in the order they are read (see parse_feed). */
enum { K_NAME, K_PATH, K_FORMAT, K_START_AT, K_MAX_LINE, K_ROTATE_WAIT_MS, K_ACCEPT_FROM,
       K_ACCEPT_AHEAD, K_MAX_SILENCE, K_CSV, K_ENCODING, K_TIME, K_ID, K_CASE, K_EXTEND_TO,
       K_EVENT, K_SET, K_DIMENSIONS, K__N };
static const struct enum_name formats[] = { { "csv", FORMAT_CSV }, { "jsonl", FORMAT_JSONL } };
static const struct enum_name starts[] = { { "beginning", START_BEGINNING },
                                           { "end", START_END } };
static const struct conf_key feed_keys[K__N] = {
	[K_NAME] = { .name = "name", .type = CT_MANUAL, .required = true },
	[K_PATH] = { .name = "path", .type = CT_FUNC, .required = true, .fn = parse_path,
	             CONF_FIELD(struct feed_conf, path) },
	[K_FORMAT] = { .name = "format", .type = CT_ENUM, .required = true,
	               CONF_FIELD(struct feed_conf, format), .names = formats,
	               .nnames = CONF_N(formats), .def = FORMAT_CSV },
	[K_START_AT] = { .name = "start_at", .type = CT_ENUM,
	                 CONF_FIELD(struct feed_conf, start_at), .names = starts,
	                 .nnames = CONF_N(starts), .def = START_BEGINNING },
	[K_MAX_LINE] = { .name = "max_line", .type = CT_UINT,
	                 CONF_FIELD(struct feed_conf, max_line), .min = 16, .max = 16777216,
	                 .def = 65536 },
	[K_ROTATE_WAIT_MS] = { .name = "rotate_wait_ms", .type = CT_UINT,
	                       CONF_FIELD(struct feed_conf, rotate_wait_ms), .min = 0,
	                       .max = 3600000, .def = 5000 },
	/* 10957 = days_from_civil(2000, 1, 1), checked by test_config */
	[K_ACCEPT_FROM] = { .name = "accept_from", .type = CT_DATE,
	                    CONF_FIELD(struct feed_conf, accept_from_day), .def = 10957 },
	[K_ACCEPT_AHEAD] = { .name = "accept_ahead", .type = CT_DURATION,
	                     CONF_FIELD(struct feed_conf, accept_ahead_s), .min = 0,
	                     .max = 366 * DUR_DAY, .def = DUR_DAY },
	/* off (0) unless set; a minute at least, so a busy second is never "silence" */
	[K_MAX_SILENCE] = { .name = "max_silence", .type = CT_DURATION,
	                    CONF_FIELD(struct feed_conf, max_silence_s), .min = 60,
	                    .max = 366 * DUR_DAY, .def = 0 },
	[K_CSV] = { .name = "csv", .type = CT_MANUAL },
	[K_ENCODING] = { .name = "encoding", .type = CT_MANUAL },
	[K_TIME] = { .name = "time", .type = CT_MANUAL, .required = true },
	[K_ID] = { .name = "id", .type = CT_MANUAL },
	[K_CASE] = { .name = "case", .type = CT_MANUAL },
	[K_EXTEND_TO] = { .name = "extend_to", .type = CT_MANUAL },
	[K_EVENT] = { .name = "event", .type = CT_MANUAL, .required = true },
	[K_SET] = { .name = "set", .type = CT_MANUAL },
	[K_DIMENSIONS] = { .name = "dimensions", .type = CT_MANUAL },
};
static const struct conf_section feed_section = {
	.what = "feed", .keys = feed_keys, .nkeys = K__N };

/* Sets a feed's defaults: those of feed_section and the structural ones. */
static int
feed_defaults(struct ctx *c, struct feed_conf *fc, const yaml_node_t *n)
{
	int r;

	fc->encoding = ENC_UTF8;
	fc->time.kind = TIME_ISO8601;
	fc->time.slot[0] = fc->time.slot[1] = -1;
	fc->id_slot = -1;
	fc->case_slot = -1;
	fc->extend_slot = -1;
	fc->event.slot = -1;
	for (size_t d = 0; d < TQ_MAX_DIMS; d++)
		fc->dims[d].slot = -1;
	fc->line = (int)n->start_mark.line + 1;
	fc->col = (int)n->start_mark.column + 1;
	if ((r = conf_defaults(c, &csv_section, fc)) < 0)
		return r;
	return conf_defaults(c, &feed_section, fc);
}

/* The encoding, given beside csv or inside it (the same value if both). */
static int
parse_encoding(struct ctx *c, struct feed_conf *fc, const yaml_node_t *outer,
               const yaml_node_t *inner)
{
	int a = -1, b = -1, r;

	if (outer && (r = cf_get_enum(c, outer, "encoding", encodings,
	                           sizeof(encodings) / sizeof(encodings[0]), &a)) < 0)
		return r;
	if (inner && (r = cf_get_enum(c, inner, "encoding", encodings,
	                           sizeof(encodings) / sizeof(encodings[0]), &b)) < 0)
		return r;
	if (a >= 0 && b >= 0 && a != b)
		return fail(c, inner, "encoding is given twice with different values");
	if (a >= 0)
		fc->encoding = (enum encoding)a;
	else if (b >= 0)
		fc->encoding = (enum encoding)b;
	return 0;
}

/* One feed mapping; see conf/teleqd.yaml for the keys. */
static int
parse_feed(struct ctx *c, const yaml_node_t *n, struct feed_conf *fc)
{
	struct feed_ctx fx = { .fc = fc };
	const yaml_node_t *csv_enc = NULL;
	yaml_node_t *v[K__N];
	char buf[64];
	const char *s;
	size_t len;
	int r;

	/* required keys are checked first, so the message names the first missing one */
	if ((r = conf_take(c, n, &feed_section, v)) < 0 || (r = feed_defaults(c, fc, n)) < 0)
		return r;
	r = cf_get_text(c, v[K_NAME], "feed name", 1024, &s, &len);
	if (r < 0)
		return r;
	if (!cf_name_ok(s, len, CFG_MAX_FEEDNAME, false, "_-"))
		return fail(c, v[K_NAME], "bad feed name '%s': use 1-%d of a-z 0-9 _ -",
		            cf_shown(s, len, buf), CFG_MAX_FEEDNAME);
	for (const struct feed_conf *o = c->cfg->feeds; o < fc; o++)
		if (!strcmp(o->name, s))
			return fail(c, v[K_NAME], "duplicate feed name '%s' (first at line %d)", s,
			            o->line);
	if ((r = cf_get_str(c, v[K_NAME], "name", CFG_MAX_FEEDNAME, &fc->name)) < 0)
		return r;
	/* path .. max_silence: by the table */
	if ((r = conf_apply(c, &feed_section, K_PATH, K_CSV, v, fc)) < 0)
		return r;
	if (v[K_CSV]) {
		if (fc->format != FORMAT_CSV)
			return fail(c, v[K_CSV], "csv settings do not apply to a jsonl feed");
		if ((r = parse_csv(c, v[K_CSV], fc, &csv_enc)) < 0)
			return r;
	}
	if ((r = parse_encoding(c, fc, v[K_ENCODING], csv_enc)) < 0)
		return r;

	/* slots in the documented order: time field(s), id, event field, dimension fields */
	if ((r = parse_time(c, &fx, v[K_TIME])) < 0)
		return r;
	if ((r = add_slot_if(c, &fx, v[K_ID], "id", c->cfg->dedup.secret_file,
	                     "dedup.secret_file (ids are hashed with a secret key)",
	                     &fc->id_slot)) < 0 ||
	    (r = add_slot_if(c, &fx, v[K_CASE], "case", c->cfg->dedup.secret_file,
	                     "dedup.secret_file (case ids are hashed with a secret key)",
	                     &fc->case_slot)) < 0 ||
	    (r = add_slot_if(c, &fx, v[K_EXTEND_TO], "extend_to", v[K_CASE],
	                     "case (an extension belongs to a case)", &fc->extend_slot)) < 0)
		return r;
	if ((r = parse_event(c, &fx, v[K_EVENT])) < 0)
		return r;
	if (v[K_SET] && (r = parse_set(c, &fx, v[K_SET])) < 0)
		return r;
	if (v[K_DIMENSIONS] && (r = parse_dimensions(c, &fx, v[K_DIMENSIONS])) < 0)
		return r;

	/* without a header the columns are all there is to find a field in */
	if (fc->format == FORMAT_CSV && !fc->csv.header)
		for (size_t i = 0; i < fc->nslots; i++) {
			bool found = false;

			for (size_t j = 0; j < fc->csv.ncolumns && !found; j++)
				found = !strcmp(fc->csv.columns[j], fc->slots[i]);
			if (!found)
				return fail(c, fx.slot_node[i], "field '%s' is not one of csv.columns",
				            cf_shown(fc->slots[i], strlen(fc->slots[i]), buf));
		}
	return 0;
}

/* Sorts config.dims by name and permutes every feed's dims[] alike. */
static void
sort_dims(struct config *cfg)
{
	size_t order[TQ_MAX_DIMS];
	struct dimension tmp[TQ_MAX_DIMS];
	struct rule rules[TQ_MAX_DIMS];

	for (size_t i = 0; i < cfg->ndims; i++)
		order[i] = i;
	for (size_t i = 1; i < cfg->ndims; i++)
		for (size_t j = i; j > 0 && strcmp(cfg->dims[order[j - 1]].name,
		                                   cfg->dims[order[j]].name) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	memcpy(tmp, cfg->dims, sizeof(tmp));
	for (size_t i = 0; i < cfg->ndims; i++)
		cfg->dims[i] = tmp[order[i]];
	for (size_t f = 0; f < cfg->nfeeds; f++) {
		memcpy(rules, cfg->feeds[f].dims, sizeof(rules));
		for (size_t i = 0; i < cfg->ndims; i++)
			/* cppcheck-suppress uninitvar ; false positive: order[0..ndims) is set above */
			cfg->feeds[f].dims[i] = rules[order[i]];
	}
}

/* feeds: a sequence of 1..64 feed mappings with unique names; then sort_dims. */
int
cf_parse_feeds(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct config *cfg = base;
	size_t count;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return cf_fail_type(c, n, "feeds", "a sequence");
	count = cf_seq_len(n);
	if (count == 0)
		return fail(c, n, "feeds must not be empty");
	if (count > CFG_MAX_FEEDS)
		return fail(c, n, "more than %d feeds", CFG_MAX_FEEDS);
	cfg->feeds = calloc(count, sizeof(*cfg->feeds));
	if (!cfg->feeds)
		return cf_oom(c);
	cfg->nfeeds = count;    /* zeroed entries are safe for config_free */
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = cf_child(c, n->data.sequence.items.start[i]);

		/* earlier feeds are complete: parse_feed checks the name against them */
		r = parse_feed(c, item, &cfg->feeds[i]);
		if (r < 0)
			return r;
	}
	sort_dims(cfg);
	return 0;
}


/* Id of value v[0..len) in dimension d, or of an event kind when d is -1; 0 when unknown. */
uint16_t
config_value_id(const struct config *cfg, int d, const char *v, size_t len)
{
	if (!cfg || !v)
		return 0;
	if (d == -1)
		return find_name(cfg->events, cfg->nevents, v, len);
	if (d < 0 || (size_t)d >= cfg->ndims)
		return 0;
	return find_name(cfg->dims[d].values, cfg->dims[d].nvalues, v, len);
}

/* Name of id in dimension d (-1: event kinds); NULL when out of range. */
const char *
config_value_name(const struct config *cfg, int d, uint16_t id)
{
	if (!cfg || id == 0)
		return NULL;
	if (d == -1)
		return id <= cfg->nevents ? cfg->events[id - 1] : NULL;
	if (d < 0 || (size_t)d >= cfg->ndims || id > cfg->dims[d].nvalues)
		return NULL;
	return cfg->dims[d].values[id - 1];
}
