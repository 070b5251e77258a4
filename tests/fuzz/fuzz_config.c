/*
 * fuzz_config.c — config_parse (libyaml plus every validation rule) on
 * arbitrary text, and then the config it accepted in use.
 *
 * Input: the YAML text of a teleqd.yaml.
 *
 * Invariants. A refused config returns -EINVAL with an error of the form
 * "fuzz.yaml:LINE:COL: message" (LINE and COL positive and within the
 * text, a non-empty message, one line of printable UTF-8), and a small
 * error buffer gets a NUL-terminated prefix of the same text. An accepted
 * config obeys everything map.c, combo.c and indicator.c rely on: counts
 * within their limits, slots in range, map targets and filter ids naming
 * interned values, dimensions sorted by name, a CSV quote distinct from the
 * delimiter; every interned name round-trips through config_value_id and
 * config_value_name, and every event kind with every dimension's values
 * through combo_format and combo_parse. Then each feed (the first 8) maps a
 * header and a record built from its own config (its field names, the
 * first key of each map, a time in its format): whatever the result, a
 * reject has a detail and an event has a known kind and the local day of
 * its instant. config_free frees it all (LeakSanitizer checks).
 */
#include <errno.h>

#include "fuzz.h"
#include "core.h"
#include "batch.h"
#include "map.h"
#include "tq_config.h"
#include "tz.h"
#include "utf8.h"

#define NAME "fuzz.yaml"

/* Line breaks as libyaml counts them: \n, \r (alone or in \r\n), U+0085, U+2028, U+2029. */
static size_t count_lines(const uint8_t *s, size_t n)
{
	size_t lines = 1;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
			lines++;
		else if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0x85)
			lines++;
		else if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
			lines++;
	}
	return lines;
}

/* Reads a positive decimal at *p followed by ':'. Returns it, 0 when malformed. */
static unsigned long get_pos(const char **p)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned long)(*s - '0')) > 100000000UL)
			return 0;
	if (*s != ':')
		return 0;
	*p = s + 1;
	return v;
}

/* Checks "NAME:LINE:COL: message". */
static void check_error(const char *err, const uint8_t *text, size_t len)
{
	const char *p = err;
	unsigned long line, col;

	FUZZ_CHECK(strncmp(p, NAME ":", strlen(NAME ":")) == 0);
	p += strlen(NAME ":");
	line = get_pos(&p);
	FUZZ_CHECK(line >= 1);
	col = get_pos(&p);
	FUZZ_CHECK(col >= 1);
	FUZZ_CHECK(line <= count_lines(text, len) + 1);
	FUZZ_CHECK(col <= len + 2);
	FUZZ_CHECK(p[0] == ' ' && p[1] != '\0' && p[1] != ' ');
	for (; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* libyaml reads UTF-8 only, and values are cut on character boundaries. */
	FUZZ_CHECK(utf8_valid(err, strlen(err)));
}

static void check_rule(const struct config *cfg, const struct feed_conf *fc, const struct rule *r,
                       size_t nvalues)
{
	switch (r->kind) {
	case RULE_CONST:
		FUZZ_CHECK(r->const_id >= 1 && r->const_id <= nvalues);
		break;
	case RULE_FIELD:
		FUZZ_CHECK(r->slot >= 0 && (size_t)r->slot < fc->nslots);
		FUZZ_CHECK(r->nmap >= 1 && r->nmap <= 1024 && r->from && r->to);
		for (size_t i = 0; i < r->nmap; i++) {
			FUZZ_CHECK(r->from[i] != NULL);
			FUZZ_CHECK(r->to[i] >= 1 && r->to[i] <= nvalues);
			/* a map key is looked up exactly once: no duplicate keys */
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(strcmp(r->from[i], r->from[j]) != 0);
		}
		break;
	case RULE_NONE:
		break;
	}
	(void)cfg;
}

static void check_filter(const struct config *cfg, const struct filter *f)
{
	FUZZ_CHECK(f->n == 0 || f->c != NULL);
	for (size_t k = 0; k < f->n; k++) {
		const struct clause *cl = &f->c[k];
		size_t nv;

		FUZZ_CHECK(cl->dim >= -1 && cl->dim < (int)cfg->ndims);
		nv = cl->dim == -1 ? cfg->nevents : cfg->dims[cl->dim].nvalues;
		FUZZ_CHECK(cl->n >= 1 && cl->ids);
		for (size_t i = 0; i < cl->n; i++)
			FUZZ_CHECK(cl->ids[i] >= 1 && cl->ids[i] <= nv);
	}
}

static void check_names(const struct config *cfg)
{
	FUZZ_CHECK(cfg->nevents <= TQ_MAX_VALUES && cfg->ndims <= TQ_MAX_DIMS);
	for (size_t i = 0; i < cfg->nevents; i++) {
		const char *e = cfg->events[i];

		FUZZ_CHECK(e && *e);
		FUZZ_CHECK(config_value_id(cfg, -1, e, strlen(e)) == i + 1);
		FUZZ_CHECK(config_value_name(cfg, -1, (uint16_t)(i + 1)) == e);
	}
	for (size_t d = 0; d < cfg->ndims; d++) {
		const struct dimension *dim = &cfg->dims[d];

		FUZZ_CHECK(dim->name && *dim->name && strcmp(dim->name, "event") != 0);
		FUZZ_CHECK(d == 0 || strcmp(cfg->dims[d - 1].name, dim->name) < 0);
		FUZZ_CHECK(dim->nvalues >= 1 && dim->nvalues <= TQ_MAX_VALUES);
		for (size_t i = 0; i < dim->nvalues; i++) {
			const char *v = dim->values[i];

			FUZZ_CHECK(v && *v);
			FUZZ_CHECK(config_value_id(cfg, (int)d, v, strlen(v)) == i + 1);
			FUZZ_CHECK(config_value_name(cfg, (int)d, (uint16_t)(i + 1)) == v);
		}
	}
	/* Every event kind with value k of every dimension (k cycling) round-trips as a counter field. */
	for (size_t e = 1; e <= cfg->nevents; e++) {
		struct combo c = { .event = (uint16_t)e }, back;
		char buf[1024];
		int n;

		for (size_t d = 0; d < cfg->ndims; d++)
			c.dim[d] = (uint16_t)((e + d) % (cfg->dims[d].nvalues + 1));
		n = combo_format(cfg, &c, buf, sizeof(buf));
		FUZZ_CHECK(n > 0 && (size_t)n < sizeof(buf) && strlen(buf) == (size_t)n);
		FUZZ_CHECK(combo_parse(cfg, buf, (size_t)n, &back) == 0);
		FUZZ_CHECK(memcmp(&back, &c, sizeof(c)) == 0);
	}
}

/* ------------------------------------------------ a record of the feed's own making */

struct line {
	char   buf[8192];
	size_t len;
	bool   full;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->full || n > sizeof(l->buf) - l->len) {
		l->full = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* JSON string of s. */
static void put_json(struct line *l, const char *s)
{
	char esc[8];

	puts_(l, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\' || c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(l, esc);
		} else {
			put(l, s, 1);
		}
	}
	puts_(l, "\"");
}

/* 2026-03-02 09:14:05 written in fmt. */
static void time_text(const struct feed_conf *fc, char *out, size_t cap)
{
	struct line l = { .len = 0 };
	const char *f;

	switch (fc->time.kind) {
	case TIME_ISO8601:
		snprintf(out, cap, "%s", fc->time.nslot == 2 ? "2026-03-02 09:14:05" :
		                                               "2026-03-02T09:14:05+01:00");
		return;
	case TIME_EPOCH:
		snprintf(out, cap, "1772439245");
		return;
	case TIME_FORMAT:
		break;
	}
	for (f = fc->time.format; f && *f; f++) {
		if (*f != '%') {
			put(&l, f, 1);
			continue;
		}
		switch (*++f) {
		case 'Y': puts_(&l, "2026"); break;
		case 'y': puts_(&l, "26"); break;
		case 'm': puts_(&l, "03"); break;
		case 'd': puts_(&l, "02"); break;
		case 'e': puts_(&l, " 2"); break;
		case 'H': puts_(&l, "09"); break;
		case 'M': puts_(&l, "14"); break;
		case 'S': puts_(&l, "05"); break;
		case 'T': puts_(&l, "09:14:05"); break;
		case 'F': puts_(&l, "2026-03-02"); break;
		case 'f': puts_(&l, "250"); break;
		case '%': puts_(&l, "%"); break;
		default: f--; break;
		}
	}
	snprintf(out, cap, "%.*s", (int)(l.len < cap - 1 ? l.len : cap - 1), l.buf);
}

/* The value the record gives slot i. */
static const char *slot_value(const struct feed_conf *fc, size_t i, const char *tm, char *tmp,
                              size_t cap)
{
	if (fc->time.nslot == 2 && (int)i == fc->time.slot[0]) {
		/* the date part: up to the first space */
		const char *sp = strchr(tm, ' ');
		snprintf(tmp, cap, "%.*s", sp ? (int)(sp - tm) : (int)strlen(tm), tm);
		return tmp;
	}
	if (fc->time.nslot == 2 && (int)i == fc->time.slot[1]) {
		const char *sp = strchr(tm, ' ');
		return sp ? sp + 1 : "";
	}
	if ((int)i == fc->time.slot[0])
		return tm;
	if (fc->event.kind == RULE_FIELD && (size_t)fc->event.slot == i)
		return fc->event.from[0];
	for (size_t d = 0; d < TQ_MAX_DIMS; d++)
		if (fc->dims[d].kind == RULE_FIELD && (size_t)fc->dims[d].slot == i)
			return fc->dims[d].from[0];
	return "2026-0412";     /* an id */
}

static void map_one(const struct config *cfg, const struct feed_conf *fc, const struct tz *tz,
                    struct parse_state *ps, struct map_scratch *s, const struct line *l)
{
	static const uint8_t key[16] = "fuzz-config-key!";
	char detail[TQ_DETAIL_MAX];
	enum reject why = REJ__MAX;
	struct event ev;
	enum map_result mr;

	if (l->full)
		return;
	detail[0] = '\0';
	/* a fixed now (2026-06-01 UTC): the same outcome every run */
	mr = map_record(cfg, fc, tz, INT64_C(1780272000), key, ps, s, l->buf, l->len, &ev, &why,
	                detail, sizeof(detail));
	switch (mr) {
	case MAP_REJECT:
		FUZZ_CHECK(why < REJ__MAX && detail[0] != '\0');
		FUZZ_CHECK(strlen(detail) < sizeof(detail));
		break;
	case MAP_EVENT:
		FUZZ_CHECK(ev.c.event >= 1 && ev.c.event <= cfg->nevents);
		for (size_t d = 0; d < TQ_MAX_DIMS; d++)
			FUZZ_CHECK(d < cfg->ndims ? ev.c.dim[d] <= cfg->dims[d].nvalues : ev.c.dim[d] == 0);
		FUZZ_CHECK(ev.day == floor_div(ev.utc + tz_utc_offset(tz, ev.utc), 86400));
		break;
	case MAP_SKIP:
	case MAP_HEADER:
		fuzz_check_skip_header(fc, ps, mr);
		break;
	default:
		FUZZ_CHECK(!"unknown map result");
	}
}

static void map_smoke(const struct config *cfg, const struct feed_conf *fc, const struct tz *tz)
{
	struct map_scratch s = { 0 };
	struct parse_state ps = { 0 };
	struct line hdr = { .len = 0 }, rec = { .len = 0 };
	char tm[128], tmp[128];
	char sep[2] = { fc->csv.delimiter, 0 };

	time_text(fc, tm, sizeof(tm));
	if (map_scratch_init(&s, fc->max_line < 65536 ? fc->max_line : 65536) < 0)
		abort();
	if (fc->format == FORMAT_JSONL) {
		puts_(&rec, "{");
		for (size_t i = 0; i < fc->nslots; i++) {
			if (i)
				puts_(&rec, ",");
			put_json(&rec, fc->slots[i]);
			puts_(&rec, ":");
			put_json(&rec, slot_value(fc, i, tm, tmp, sizeof(tmp)));
		}
		puts_(&rec, "}");
		map_one(cfg, fc, tz, &ps, &s, &rec);
	} else {
		/* Columns: the header's (the slots), or the configured ones. */
		size_t ncol = fc->csv.header ? fc->nslots : fc->csv.ncolumns;

		for (size_t k = 0; k < ncol; k++) {
			const char *name = fc->csv.header ? fc->slots[k] : fc->csv.columns[k];
			size_t i;

			if (k) {
				puts_(&hdr, sep);
				puts_(&rec, sep);
			}
			puts_(&hdr, name);
			for (i = 0; i < fc->nslots && strcmp(fc->slots[i], name) != 0; i++)
				;
			puts_(&rec, i < fc->nslots ? slot_value(fc, i, tm, tmp, sizeof(tmp)) : "x");
		}
		if (fc->csv.header)
			map_one(cfg, fc, tz, &ps, &s, &hdr);
		map_one(cfg, fc, tz, &ps, &s, &rec);
		map_one(cfg, fc, tz, &ps, &s, &hdr);    /* a repeated header */
	}
	map_scratch_done(&s);
}

static void check_config(const struct config *cfg, const struct tz *tz)
{
	FUZZ_CHECK(cfg->file == NULL || *cfg->file);
	FUZZ_CHECK(cfg->timezone && *cfg->timezone);
	FUZZ_CHECK(cfg->nfeeds >= 1 && cfg->nfeeds <= BATCH_MAX_FEEDS && cfg->feeds);
	FUZZ_CHECK(cfg->nindicators <= 64 && (cfg->nindicators == 0 || cfg->indicators));
	check_names(cfg);
	for (size_t f = 0; f < cfg->nfeeds; f++) {
		const struct feed_conf *fc = &cfg->feeds[f];

		FUZZ_CHECK(fc->name && *fc->name && fc->path && fc->path[0] == '/');
		for (size_t g = 0; g < f; g++)
			FUZZ_CHECK(strcmp(cfg->feeds[g].name, fc->name) != 0);
		FUZZ_CHECK(fc->max_line >= 16 && fc->max_line <= 16777216);
		FUZZ_CHECK(fc->nslots >= 1 && fc->nslots <= TQ_MAX_SLOTS);
		for (size_t i = 0; i < fc->nslots; i++) {
			FUZZ_CHECK(fc->slots[i] && *fc->slots[i]);
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(strcmp(fc->slots[i], fc->slots[j]) != 0);
		}
		if (fc->format == FORMAT_CSV) {
			FUZZ_CHECK(fc->csv.delimiter != fc->csv.quote);
			FUZZ_CHECK(fc->csv.delimiter != '\n' && fc->csv.quote != '\n');
			FUZZ_CHECK(fc->csv.header || (fc->csv.ncolumns >= 1 && fc->csv.columns &&
			                              fc->csv.ncolumns <= TQ_MAX_COLUMNS));
		} else {
			FUZZ_CHECK(fc->format == FORMAT_JSONL);
		}
		FUZZ_CHECK(fc->time.nslot == 1 || fc->time.nslot == 2);
		for (int k = 0; k < fc->time.nslot; k++)
			FUZZ_CHECK(fc->time.slot[k] >= 0 && (size_t)fc->time.slot[k] < fc->nslots);
		FUZZ_CHECK(fc->time.kind != TIME_FORMAT || fc->time.format);
		FUZZ_CHECK(fc->id_slot == -1 || (fc->id_slot >= 0 && (size_t)fc->id_slot < fc->nslots));
		FUZZ_CHECK(fc->event.kind == RULE_CONST || fc->event.kind == RULE_FIELD);
		check_rule(cfg, fc, &fc->event, cfg->nevents);
		for (size_t d = 0; d < TQ_MAX_DIMS; d++) {
			if (d >= cfg->ndims)
				FUZZ_CHECK(fc->dims[d].kind == RULE_NONE);
			else
				check_rule(cfg, fc, &fc->dims[d], cfg->dims[d].nvalues);
		}
		if (f < 8)
			map_smoke(cfg, fc, tz);
	}
	for (size_t i = 0; i < cfg->nindicators; i++) {
		const struct indicator *ind = &cfg->indicators[i];

		FUZZ_CHECK(ind->name && *ind->name && ind->title);
		check_filter(cfg, &ind->num);
		check_filter(cfg, &ind->den);
		FUZZ_CHECK(ind->kind != IND_RATIO || ind->den.n >= 1);
	}
	for (size_t k = 0; k < AK__MAX; k++)
		FUZZ_CHECK(cfg->alerts.tpl[k].subject != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *tz;
	struct config *cfg = NULL, *cfg2 = NULL;
	char err[512], small[12];
	char *text;
	int r, r2;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (!tz && tz_load("Europe/Stockholm", &tz) < 0)
		abort();
	text = fuzz_dup(data, size);
	memset(err, 'x', sizeof(err));
	r = config_parse(NAME, text, size, &cfg, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK((r == 0) == (cfg != NULL));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (r == -EINVAL)
		check_error(err, data, size);
	if (r == 0) {
		FUZZ_CHECK(err[0] == '\0');
		check_config(cfg, tz);
	}
	/* A short error buffer: the same outcome and a NUL-terminated prefix of the message. */
	if (size % 4 == 1) {
		r2 = config_parse(NAME, text, size, &cfg2, small, sizeof(small));
		FUZZ_CHECK(r2 == r);
		FUZZ_CHECK(memchr(small, '\0', sizeof(small)) != NULL);
		FUZZ_CHECK(strncmp(small, err, strlen(small)) == 0);
		FUZZ_CHECK(r != -EINVAL || strlen(small) == sizeof(small) - 1);
		config_free(cfg2);
	}
	config_free(cfg);
	free(text);
	return 0;
}
