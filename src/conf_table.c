/*
 * conf_table.c — the config parser's reporting, node access, scalar
 * getters and the key-table reader (struct conf_section, see conf_priv.h):
 * one generic reader for every mapping of scalar keys, so a key's type,
 * range and default are written once, in its table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_priv.h"
#include "core.h"
#include "timeparse.h"
#include "tz.h"

/* ------------------------------------------------------------ reporting */

/*
 * Writes "name:line:col: message" (line and col 1-based) into c->err,
 * truncating to errlen. Always returns -EINVAL so callers can
 * "return fail...(...)".
 */
static int vfail_at(struct ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
	TQ_PRINTF(4, 0);
static int
vfail_at(struct ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
{
	int n;

	if (!c->err || c->errlen == 0)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->name, line, col);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	return -EINVAL;
}

/* Reports a problem at a libyaml mark (0-based). Returns -EINVAL. */
int
cf_fail_mark(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(c, m.line + 1, m.column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Reports a problem at the start of node n. Returns -EINVAL. */
int
cf_fail_node(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(c, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}


/*
 * Copies at most 40 bytes of s[0..len) into buf for a message, control
 * bytes replaced by '?' and "..." appended when cut. Config values are not
 * personal data, but they may be long or hold line breaks.
 */
const char *
cf_shown(const char *s, size_t len, char buf[static 64])
{
	size_t n = len, o = 0;
	bool cut = false;

	if (n > 40) {
		n = 40;
		/* do not split a UTF-8 sequence */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[o++] = (char)((ch < 0x20 || ch == 0x7f) ? '?' : ch);
	}
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ---------------------------------------------------------- node access */

/* Node of a document id (libyaml's loader only stores valid ids). */
yaml_node_t *
cf_child(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* Scalar text, NUL-terminated by libyaml (may hold NULs from "\0" escapes). */
const char *
cf_sv(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* True for a plain null scalar: empty, "~" or null (YAML 1.1 core schema). */
bool
cf_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = cf_sv(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

size_t
cf_map_len(const yaml_node_t *n)
{
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

size_t
cf_seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* Describes what a node is, for "must be X, not Y" messages. */
static const char *
describe(const yaml_node_t *n, char buf[static 72])
{
	char tmp[64];

	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		if (cf_is_null(n))
			return "null";
		snprintf(buf, 72, "'%s'", cf_shown(cf_sv(n), n->data.scalar.length, tmp));
		return buf;
	default:
		return "nothing";
	}
}

/* Reports that node n (the value of what) is not of the expected kind. */
int
cf_fail_type(struct ctx *c, const yaml_node_t *n, const char *what, const char *expected)
{
	char buf[72];

	return fail(c, n, "%s must be %s, not %s", what, expected, describe(n, buf));
}

/*
 * Gives the values of a mapping with a fixed set of keys: val[i] is the
 * value node of keys[i], NULL when absent. Unknown and repeated keys are
 * errors ("unknown key 'delimter' in csv"), as is n not being a mapping.
 */
static int
take_keys_at(struct ctx *c, const yaml_node_t *n, const char *what,
             const char *const *first, size_t stride, size_t nkeys, yaml_node_t **val)
{
	char buf[64];

#define KEY(i) (*(const char *const *)(const void *)((const char *)first + (i) * stride))
	if (n->type != YAML_MAPPING_NODE)
		return cf_fail_type(c, n, what, "a mapping");
	for (size_t i = 0; i < nkeys; i++)
		val[i] = NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cf_child(c, p->key);
		size_t i;

		if (k->type != YAML_SCALAR_NODE)
			return fail(c, k, "keys in %s must be strings", what);
		for (i = 0; i < nkeys; i++)
			/* the length check keeps "csv\0x" from matching "csv" */
			if (strlen(KEY(i)) == k->data.scalar.length && !strcmp(KEY(i), cf_sv(k)))
				break;
		if (i == nkeys)
			return fail(c, k, "unknown key '%s' in %s",
			            cf_shown(cf_sv(k), k->data.scalar.length, buf), what);
		if (val[i])
			return fail(c, k, "duplicate key '%s' in %s", KEY(i), what);
		val[i] = cf_child(c, p->value);
	}
	return 0;
#undef KEY
}

int
cf_take_keys(struct ctx *c, const yaml_node_t *n, const char *what,
             const char *const *keys, size_t nkeys, yaml_node_t **val)
{
	return take_keys_at(c, n, what, keys, sizeof(*keys), nkeys, val);
}

/* Reports a missing required key at the mapping's position. */
int
cf_fail_missing(struct ctx *c, const yaml_node_t *map, const char *key, const char *what)
{
	return fail(c, map, "missing required key '%s' in %s", key, what);
}

/* ------------------------------------------------------ scalar getters */

/*
 * Gives the text of a string scalar: not null, no NUL byte, at most maxlen
 * bytes. Any scalar style is a string (a plain 1 names column "1").
 */
int
cf_get_text(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen,
            const char **ret, size_t *ret_len)
{
	if (n->type != YAML_SCALAR_NODE || cf_is_null(n))
		return cf_fail_type(c, n, what, "a string");
	if (memchr(cf_sv(n), '\0', n->data.scalar.length))
		return fail(c, n, "%s must not contain a NUL byte", what);
	if (n->data.scalar.length > maxlen)
		return fail(c, n, "%s is longer than %zu bytes", what, maxlen);
	*ret = cf_sv(n);
	*ret_len = n->data.scalar.length;
	return 0;
}

/* Like get_text, but stores a copy in *ret, freeing what *ret held before. */
int
cf_get_str(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen, char **ret)
{
	const char *s;
	size_t len;
	char *copy;
	int r;

	r = cf_get_text(c, n, what, maxlen, &s, &len);
	if (r < 0)
		return r;
	copy = strndup(s, len);
	if (!copy)
		return cf_oom(c);
	free(*ret);
	*ret = copy;
	return 0;
}

/*
 * Gives a non-negative integer in [min, max]. Only plain decimal digits:
 * a quoted "100" is a string in YAML, and 0x10, 1e3 or 1_000 are not
 * accepted so a value means the same to every reader.
 */
int
cf_get_uint(struct ctx *c, const yaml_node_t *n, const char *what, uint64_t min,
            uint64_t max, uint64_t *ret)
{
	const char *s;
	uint64_t v = 0;
	bool overflow = false;

	if (n->type != YAML_SCALAR_NODE || cf_is_null(n))
		return cf_fail_type(c, n, what, "an integer");
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(c, n, "%s must be an integer without quotes", what);
	s = cf_sv(n);
	for (size_t i = 0; i < n->data.scalar.length; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return cf_fail_type(c, n, what, "an integer");
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (overflow || v < min || v > max)
		return fail(c, n, "%s must be between %" PRIu64 " and %" PRIu64, what, min, max);
	*ret = v;
	return 0;
}

/* Gives a boolean: true/false only (not YAML 1.1's yes/no/on/off). */
int
cf_get_bool(struct ctx *c, const yaml_node_t *n, const char *what, bool *ret)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(c, n, "%s must be true or false without quotes", what);
	if (n->type == YAML_SCALAR_NODE) {
		for (size_t i = 0; i < 3; i++) {
			if (!strcmp(cf_sv(n), t[i])) {
				*ret = true;
				return 0;
			}
			if (!strcmp(cf_sv(n), f[i])) {
				*ret = false;
				return 0;
			}
		}
	}
	return cf_fail_type(c, n, what, "true or false");
}

/*
 * Gives the value of an enumeration (names compared case-insensitively).
 * A bad value is reported with the list of allowed names.
 */
int
cf_get_enum(struct ctx *c, const yaml_node_t *n, const char *what,
            const struct enum_name *names, size_t nnames, int *ret)
{
	char allowed[256], buf[64];
	const char *s;
	size_t len, o = 0;
	int r;

	r = cf_get_text(c, n, what, CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nnames; i++)
		if (!strcasecmp(s, names[i].name)) {
			*ret = names[i].value;
			return 0;
		}
	allowed[0] = '\0';
	for (size_t i = 0; i < nnames && o < sizeof(allowed); i++) {
		int w = snprintf(allowed + o, sizeof(allowed) - o, "%s%s", i ? ", " : "", names[i].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return fail(c, n, "bad value '%s' for %s (allowed: %s)", cf_shown(s, len, buf), what, allowed);
}

/*
 * True when s[0..len) is 1..max bytes of a-z 0-9 and the bytes in extra,
 * plus A-Z when upper.
 */
bool
cf_name_ok(const char *s, size_t len, size_t max, bool upper, const char *extra)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			continue;
		if (upper && ch >= 'A' && ch <= 'Z')
			continue;
		if (ch && strchr(extra, ch))
			continue;
		return false;
	}
	return true;
}

/* ----------------------------------------------------------- small checks */

/* An absolute path (no glob check): password_file, secret_file. */
int
cf_get_abs_path(struct ctx *c, const yaml_node_t *n, const char *what, char **ret)
{
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, what, CFG_MAX_PATH, &s, &len);
	if (r < 0)
		return r;
	if (s[0] != '/')
		return fail(c, n, "%s must be an absolute path", what);
	return cf_get_str(c, n, what, CFG_MAX_PATH, ret);
}

/*
 * Parts of Redis key names: printable ASCII, no space, no braces (the tag
 * is written as {tag}, a brace elsewhere would move the cluster hash slot).
 */
int
cf_get_key_part(struct ctx *c, const yaml_node_t *n, const char *what, size_t min,
                size_t max, char **ret)
{
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, what, max, &s, &len);
	if (r < 0)
		return r;
	if (len < min)
		return fail(c, n, "%s must not be empty", what);
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '{' || s[i] == '}')
			return fail(c, n, "%s may only hold printable ASCII without spaces and braces",
			            what);
	return cf_get_str(c, n, what, max, ret);
}

/*
 * Writes seconds s in the largest unit that divides it exactly ("90s",
 * "15m", "7d") into buf, for messages. Returns buf.
 */
const char *
cf_fmt_duration(int64_t s, char buf[static 24])
{
	if (s != 0 && s % DUR_DAY == 0)
		snprintf(buf, 24, "%" PRId64 "d", s / DUR_DAY);
	else if (s != 0 && s % DUR_HOUR == 0)
		snprintf(buf, 24, "%" PRId64 "h", s / DUR_HOUR);
	else if (s != 0 && s % DUR_MIN == 0)
		snprintf(buf, 24, "%" PRId64 "m", s / DUR_MIN);
	else
		snprintf(buf, 24, "%" PRId64 "s", s);
	return buf;
}

/* Gives a duration (see duration_parse) of min..max seconds in *ret. */
int
cf_get_duration(struct ctx *c, const yaml_node_t *n, const char *what, int64_t min,
                int64_t max, int64_t *ret)
{
	char buf[64], lo[24], hi[24];
	const char *s;
	size_t len;
	int64_t v;
	int r;

	r = cf_get_text(c, n, what, CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	r = duration_parse(s, len, &v);
	if (r == -EINVAL)
		return fail(c, n, "bad duration '%s' for %s: expected a whole number and a unit "
		            "(s, m, h, d or w), like 30s, 15m, 24h, 7d or 2w", cf_shown(s, len, buf), what);
	if (r < 0 || v < min || v > max)
		return fail(c, n, "%s must be between %s and %s, not '%s'", what,
		            cf_fmt_duration(min, lo), cf_fmt_duration(max, hi), cf_shown(s, len, buf));
	*ret = v;
	return 0;
}

/*
 * Gives a date "YYYY-MM-DD" as a day number in *ret, between 1971-01-01
 * and 9999-12-31: a history stream id is a period's local midnight in
 * unsigned ms (the year 1970 starts before the epoch east of UTC), and
 * period names have four-digit years.
 */
int
cf_get_date(struct ctx *c, const yaml_node_t *n, const char *what, int64_t *ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int64_t wall, day;
	int r;

	if (n->type != YAML_SCALAR_NODE || cf_is_null(n))
		return cf_fail_type(c, n, what, "a date (YYYY-MM-DD)");
	if ((r = cf_get_text(c, n, what, CFG_MAX_SHORT, &s, &len)) < 0)
		return r;
	r = len == 10 ? time_parse_fmt(s, len, "%Y-%m-%d", &wall) : -EINVAL;
	if (r < 0)
		return fail(c, n, "bad date '%s' for %s: expected YYYY-MM-DD", cf_shown(s, len, buf),
		            what);
	day = floor_div(wall, SECS_PER_DAY);
	if (day < days_from_civil(1971, 1, 1) || day > days_from_civil(9999, 12, 31))
		return fail(c, n, "%s must be between 1971-01-01 and 9999-12-31, not '%s'", what,
		            cf_shown(s, len, buf));
	*ret = day;
	return 0;
}

/*
 * Reads an unsigned decimal "digits[.digits]" at s[*i] (s NUL-terminated),
 * at most CFG_MAX_DIGITS digits, no exponent. Returns true, advances *i and
 * gives the value as *ret_m / 10^*ret_scale; false when there is no such
 * number there (nothing is advanced then).
 */
bool
cf_read_decimal(const char *s, size_t *i, uint64_t *ret_m, size_t *ret_scale)
{
	size_t j = *i, ndig = 0, scale = 0;
	uint64_t m = 0;
	bool frac = false;

	for (;; j++) {
		if (s[j] >= '0' && s[j] <= '9') {
			if (++ndig > CFG_MAX_DIGITS)
				return false;
			m = m * 10 + (uint64_t)(s[j] - '0');
			if (frac)
				scale++;
		} else if (s[j] == '.' && !frac && ndig > 0)
			frac = true;
		else
			break;
	}
	if (ndig == 0 || (frac && scale == 0))
		return false;
	*i = j;
	*ret_m = m;
	*ret_scale = scale;
	return true;
}

/*
 * m / 10^scale as one correctly rounded division (m has at most 15 digits,
 * so it is exact in a double, and so is 10^scale for scale <= 22): "55%",
 * "0.55" and the literal 0.55 are the same double.
 */
double
cf_decimal_value(uint64_t m, size_t scale)
{
	double p10 = 1.0;

	for (size_t k = 0; k < scale; k++)
		p10 *= 10.0;
	return (double)m / p10;
}


/*
 * A delimiter or quote: one ASCII byte; "\t" also written as backslash-t
 * so it survives single quotes. For the quote, "" means no quoting.
 */
int
cf_get_char(struct ctx *c, const yaml_node_t *n, const char *what, bool empty_ok, char *ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, what, 16, &s, &len);
	if (r < 0)
		return r;
	if (len == 0 && empty_ok) {
		*ret = '\0';
		return 0;
	}
	if (len == 2 && s[0] == '\\' && s[1] == 't') {
		*ret = '\t';
		return 0;
	}
	if (len == 1 && (unsigned char)s[0] < 0x80 && s[0] != '\n' && s[0] != '\r') {
		*ret = s[0];
		return 0;
	}
	return fail(c, n, "%s must be one ASCII character or \"\\t\"%s, not '%s'", what,
	            empty_ok ? " (\"\" = none)" : "", cf_shown(s, len, buf));
}

/*
 * Gives a fraction 0..0.5 in *ret: percentage points "2%" or a fraction
 * 0.02. Decimal as in targets (cf_read_decimal), so "2%" and 0.02 are the
 * same double.
 */
int
cf_get_fraction(struct ctx *c, const yaml_node_t *n, const char *what, double *ret)
{
	char buf[64];
	const char *s;
	size_t len, i = 0, scale = 0;
	uint64_t m = 0;
	double v;
	int r;

	r = cf_get_text(c, n, what, CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	if (!cf_read_decimal(s, &i, &m, &scale))
		goto bad;
	if (s[i] == '%') {
		scale += 2;
		i++;
	}
	if (i != len)
		goto bad;
	v = cf_decimal_value(m, scale);
	if (v > 0.5)
		return fail(c, n, "%s must be between 0 and 0.5 (0%% and 50%%), not '%s'", what,
		            cf_shown(s, len, buf));
	*ret = v;
	return 0;
bad:
	return fail(c, n, "bad %s '%s': expected percentage points like \"2%%\" or a "
	            "fraction like 0.02", what, cf_shown(s, len, buf));
}

/* ----------------------------------------------------------- key tables */

/* Stores v into an unsigned or int field of 4 or 8 bytes (v fits: the table's max). */
static void
store_uint(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint64_t)) {
		memcpy(field, &v, sizeof(v));
	} else {
		uint32_t w = (uint32_t)v;

		memcpy(field, &w, sizeof(w));
	}
}

/*
 * Takes the keys of mapping n by the table, then checks the required ones
 * in table order (so the message names the first one missing).
 */
int
conf_take(struct ctx *c, const yaml_node_t *n, const struct conf_section *sec,
          yaml_node_t **val)
{
	int r;

	r = take_keys_at(c, n, sec->what, &sec->keys[0].name, sizeof(sec->keys[0]), sec->nkeys,
	                 val);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sec->nkeys; i++)
		if (sec->keys[i].required && !val[i])
			return cf_fail_missing(c, n, sec->keys[i].name, sec->what);
	return 0;
}

/* Reads one key's value node v into base. */
static int
conf_set(struct ctx *c, const struct conf_key *k, const yaml_node_t *v, void *base)
{
	void *field = (char *)base + k->offset;
	uint64_t u;
	int e, r;

	switch (k->type) {
	case CT_MANUAL:
		return 0;
	case CT_UINT:
		r = cf_get_uint(c, v, k->name, (uint64_t)k->min, (uint64_t)k->max, &u);
		if (r == 0)
			store_uint(field, k->size, u);
		return r;
	case CT_DURATION:
		return cf_get_duration(c, v, k->name, k->min, k->max, field);
	case CT_DATE:
		return cf_get_date(c, v, k->name, field);
	case CT_BOOL:
		return cf_get_bool(c, v, k->name, field);
	case CT_ENUM:
		r = cf_get_enum(c, v, k->name, k->names, k->nnames, &e);
		if (r == 0)
			store_uint(field, k->size, (uint64_t)(unsigned)e);
		return r;
	case CT_FRACTION:
		return cf_get_fraction(c, v, k->name, field);
	case CT_CHAR:
		return cf_get_char(c, v, k->name, k->min == 0, field);
	case CT_KEY_PART:
		return cf_get_key_part(c, v, k->name, (size_t)k->min, (size_t)k->max, field);
	case CT_ABS_PATH:
		return cf_get_abs_path(c, v, k->name, field);
	case CT_FUNC:
		return k->fn(c, v, field);
	case CT_SECTION:
		return conf_section_parse(c, v, k->sub, field);
	}
	return -EINVAL;
}

int
conf_apply(struct ctx *c, const struct conf_section *sec, size_t lo, size_t hi,
           yaml_node_t *const *val, void *base)
{
	int r;

	for (size_t i = lo; i < hi && i < sec->nkeys; i++)
		if (val[i] && (r = conf_set(c, &sec->keys[i], val[i], base)) < 0)
			return r;
	return 0;
}

int
conf_section_parse(struct ctx *c, const yaml_node_t *n, const struct conf_section *sec,
                   void *base)
{
	yaml_node_t *val[CFG_MAX_KEYS];
	int r;

	size_t at = sec->check_before ? sec->check_before : sec->nkeys;

	/* a programming error, not the file's: every table here has at most 10 keys */
	if (sec->nkeys > CFG_MAX_KEYS)
		return -E2BIG;
	if ((r = conf_take(c, n, sec, val)) < 0 || (r = conf_apply(c, sec, 0, at, val, base)) < 0)
		return r;
	if (sec->check && (r = sec->check(c, n, val, base)) < 0)
		return r;
	return conf_apply(c, sec, at, sec->nkeys, val, base);
}

int
conf_defaults(struct ctx *c, const struct conf_section *sec, void *base)
{
	int r;

	for (size_t i = 0; i < sec->nkeys; i++) {
		const struct conf_key *k = &sec->keys[i];
		void *field = (char *)base + k->offset;

		switch (k->type) {
		case CT_UINT:
		case CT_ENUM:
			store_uint(field, k->size, (uint64_t)k->def);
			break;
		case CT_DURATION:
		case CT_DATE:
			memcpy(field, &k->def, sizeof(int64_t));
			break;
		case CT_BOOL:
			*(bool *)field = k->def != 0;
			break;
		case CT_CHAR:
			*(char *)field = (char)k->def;
			break;
		case CT_FRACTION:
			memcpy(field, &k->fdef, sizeof(double));
			break;
		case CT_SECTION:
			if ((r = conf_defaults(c, k->sub, field)) < 0)
				return r;
			break;
		case CT_MANUAL:
		case CT_KEY_PART:
		case CT_ABS_PATH:
		case CT_FUNC:
			/* a string default is an owned copy, freed like a value read */
			if (k->sdef) {
				char *s = strdup(k->sdef);

				if (!s)
					return cf_oom(c);
				free(*(char **)field);
				*(char **)field = s;
			}
			break;
		}
	}
	return 0;
}
