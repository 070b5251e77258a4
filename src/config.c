/*
 * config.c — reads teleqd.yaml with libyaml's document API, validates all of
 * it and builds a struct config.
 *
 * Nothing is returned unless the whole file is valid, so a SIGHUP with a
 * broken file keeps the old config running. Every problem is reported as
 * "file:line:col: what is wrong" (1-based) at the offending node; the first
 * problem found ends the parse.
 *
 * Order of work: the top-level sections are processed in a fixed order
 * (whatever their order in the file) so that later sections can rely on
 * earlier ones: dedup before feeds (an id needs the dedup secret), feeds
 * before indicators (a filter may only name what some feed produces).
 * Dimensions are interned in order of appearance while the feeds are read,
 * then sorted by name (the order of combo fields in Redis) before the
 * indicators are read, so filters get the final indexes. The alerts
 * section comes last but for http (which depends on nothing); its
 * defaults (templates included) are filled in even when it is absent.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <yaml.h>

#include "teleqd.h"

#define CFG_MAX_FILE    (1024 * 1024)   /* bytes of the config file */
#define CFG_MAX_FEEDS   64              /* = BATCH_MAX_FEEDS: per-feed arrays in struct batch */
/* CFG_MAX_INDS (64 indicators at most): in teleqd.h */
#define CFG_MAX_DEPTH   32              /* YAML nesting; the schema needs 6 */
#define CFG_MAX_EVENTS  200000          /* YAML parser events in the whole file */
#define CFG_MAX_PATH    4095            /* PATH_MAX - 1 */
#define CFG_MAX_SUN     107             /* sizeof(sun_path) - 1 */
#define CFG_MAX_FIELD   128             /* a source field (column, JSON member) name */
#define CFG_MAX_FROM    256             /* a source value in a map */
#define CFG_MAX_MAP     1024            /* entries of one map */
#define CFG_MAX_TITLE   200             /* bytes of an indicator title */
#define CFG_MAX_SHORT   64              /* timezone, user, prefix, time format, target */
#define CFG_MAX_NAME    48              /* event kinds, dimension names and values */
#define CFG_MAX_FEEDNAME 32
#define CFG_MAX_TAG     32
#define CFG_MAX_DIGITS  15              /* digits of a target: exact in a double */
#define CFG_MAX_URL     2048            /* webhook url */

/* Parse state shared by all helpers. */
struct ctx {
	const char      *name;          /* file name for messages */
	const char      *text;          /* the input, to place reader errors */
	size_t           len;
	yaml_document_t *doc;
	char            *err;
	size_t           errlen;
	struct config   *cfg;
	bool             check_files;   /* config_load: also check the zone file and sendmail */
	int              ind_line[CFG_MAX_INDS];    /* where each indicator starts */
};

/* Per-feed state while one feed is read. */
struct feed_ctx {
	struct feed_conf  *fc;
	const yaml_node_t *slot_node[TQ_MAX_SLOTS];     /* first use of each slot, for messages */
};

/* ------------------------------------------------------------ reporting */

/*
 * Writes "name:line:col: message" (line and col 1-based) into c->err,
 * truncating to errlen. Always returns -EINVAL so callers can
 * "return fail...(...)".
 */
static int vfail_at(struct ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
	TQ_PRINTF(4, 0);
static int vfail_at(struct ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
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
static int fail_mark(struct ctx *c, yaml_mark_t m, const char *fmt, ...) TQ_PRINTF(3, 4);
static int fail_mark(struct ctx *c, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(c, m.line + 1, m.column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Reports a problem at the start of node n. Returns -EINVAL. */
static int fail_node(struct ctx *c, const yaml_node_t *n, const char *fmt, ...) TQ_PRINTF(3, 4);
static int fail_node(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(c, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
/*
 * fail() as a macro whose value is visibly -EINVAL: static analyzers do not
 * follow calls into variadic functions, and without it they take every
 * "return fail(...)" for a possible success (clang-tidy: dozens of false
 * "uninitialized value" reports after getters that failed).
 */
#define fail(c, n, ...) (fail_node((c), (n), __VA_ARGS__), -EINVAL)

/* Reports an allocation failure (no position: it is not the file's fault). */
static int oom(struct ctx *c)
{
	if (c->err && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return -ENOMEM;
}

/*
 * Copies at most 40 bytes of s[0..len) into buf for a message, control
 * bytes replaced by '?' and "..." appended when cut. Config values are not
 * personal data, but they may be long or hold line breaks.
 */
static const char *shown(const char *s, size_t len, char buf[static 64])
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
static yaml_node_t *child(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* Scalar text, NUL-terminated by libyaml (may hold NULs from "\0" escapes). */
static const char *sv(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* True for a plain null scalar: empty, "~" or null (YAML 1.1 core schema). */
static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = sv(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static size_t map_len(const yaml_node_t *n)
{
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* Describes what a node is, for "must be X, not Y" messages. */
static const char *describe(const yaml_node_t *n, char buf[static 72])
{
	char tmp[64];

	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		if (is_null(n))
			return "null";
		snprintf(buf, 72, "'%s'", shown(sv(n), n->data.scalar.length, tmp));
		return buf;
	default:
		return "nothing";
	}
}

/* Reports that node n (the value of what) is not of the expected kind. */
static int fail_type(struct ctx *c, const yaml_node_t *n, const char *what, const char *expected)
{
	char buf[72];

	return fail(c, n, "%s must be %s, not %s", what, expected, describe(n, buf));
}

/*
 * Gives the values of a mapping with a fixed set of keys: val[i] is the
 * value node of keys[i], NULL when absent. Unknown and repeated keys are
 * errors ("unknown key 'delimter' in csv"), as is n not being a mapping.
 */
static int take_keys(struct ctx *c, const yaml_node_t *n, const char *what,
                     const char *const *keys, size_t nkeys, yaml_node_t **val)
{
	char buf[64];

	if (n->type != YAML_MAPPING_NODE)
		return fail_type(c, n, what, "a mapping");
	for (size_t i = 0; i < nkeys; i++)
		val[i] = NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = child(c, p->key);
		size_t i;

		if (k->type != YAML_SCALAR_NODE)
			return fail(c, k, "keys in %s must be strings", what);
		for (i = 0; i < nkeys; i++)
			/* the length check keeps "csv\0x" from matching "csv" */
			if (strlen(keys[i]) == k->data.scalar.length && !strcmp(keys[i], sv(k)))
				break;
		if (i == nkeys)
			return fail(c, k, "unknown key '%s' in %s",
			            shown(sv(k), k->data.scalar.length, buf), what);
		if (val[i])
			return fail(c, k, "duplicate key '%s' in %s", keys[i], what);
		val[i] = child(c, p->value);
	}
	return 0;
}

/* Reports a missing required key at the mapping's position. */
static int fail_missing(struct ctx *c, const yaml_node_t *map, const char *key, const char *what)
{
	return fail(c, map, "missing required key '%s' in %s", key, what);
}

/* ------------------------------------------------------ scalar getters */

/*
 * Gives the text of a string scalar: not null, no NUL byte, at most maxlen
 * bytes. Any scalar style is a string (a plain 1 names column "1").
 */
static int get_text(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen,
                    const char **ret, size_t *ret_len)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail_type(c, n, what, "a string");
	if (memchr(sv(n), '\0', n->data.scalar.length))
		return fail(c, n, "%s must not contain a NUL byte", what);
	if (n->data.scalar.length > maxlen)
		return fail(c, n, "%s is longer than %zu bytes", what, maxlen);
	*ret = sv(n);
	*ret_len = n->data.scalar.length;
	return 0;
}

/* Like get_text, but stores a copy in *ret, freeing what *ret held before. */
static int get_str(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen, char **ret)
{
	const char *s;
	size_t len;
	char *copy;
	int r;

	r = get_text(c, n, what, maxlen, &s, &len);
	if (r < 0)
		return r;
	copy = strndup(s, len);
	if (!copy)
		return oom(c);
	free(*ret);
	*ret = copy;
	return 0;
}

/*
 * Gives a non-negative integer in [min, max]. Only plain decimal digits:
 * a quoted "100" is a string in YAML, and 0x10, 1e3 or 1_000 are not
 * accepted so a value means the same to every reader.
 */
static int get_uint(struct ctx *c, const yaml_node_t *n, const char *what, uint64_t min,
                    uint64_t max, uint64_t *ret)
{
	const char *s;
	uint64_t v = 0;
	bool overflow = false;

	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail_type(c, n, what, "an integer");
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(c, n, "%s must be an integer without quotes", what);
	s = sv(n);
	for (size_t i = 0; i < n->data.scalar.length; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return fail_type(c, n, what, "an integer");
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
static int get_bool(struct ctx *c, const yaml_node_t *n, const char *what, bool *ret)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(c, n, "%s must be true or false without quotes", what);
	if (n->type == YAML_SCALAR_NODE) {
		for (size_t i = 0; i < 3; i++) {
			if (!strcmp(sv(n), t[i])) {
				*ret = true;
				return 0;
			}
			if (!strcmp(sv(n), f[i])) {
				*ret = false;
				return 0;
			}
		}
	}
	return fail_type(c, n, what, "true or false");
}

struct enum_name {
	const char *name;
	int         value;
};

/*
 * Gives the value of an enumeration (names compared case-insensitively).
 * A bad value is reported with the list of allowed names.
 */
static int get_enum(struct ctx *c, const yaml_node_t *n, const char *what,
                    const struct enum_name *names, size_t nnames, int *ret)
{
	char allowed[256], buf[64];
	const char *s;
	size_t len, o = 0;
	int r;

	r = get_text(c, n, what, CFG_MAX_SHORT, &s, &len);
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
	return fail(c, n, "bad value '%s' for %s (allowed: %s)", shown(s, len, buf), what, allowed);
}

/*
 * True when s[0..len) is 1..max bytes of a-z 0-9 and the bytes in extra,
 * plus A-Z when upper.
 */
static bool name_ok(const char *s, size_t len, size_t max, bool upper, const char *extra)
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

/*
 * Checks an event kind, dimension name or value: [A-Za-z0-9._-]{1,48}.
 * These end up in counter field names "<event>|<dim>=<value>", so '|' and
 * '=' must never appear.
 */
static int check_value_name(struct ctx *c, const yaml_node_t *n, const char *what)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, what, 1024, &s, &len);
	if (r < 0)
		return r;
	if (!name_ok(s, len, CFG_MAX_NAME, true, "._-"))
		return fail(c, n, "bad %s '%s': use 1-%d of A-Z a-z 0-9 . _ -", what,
		            shown(s, len, buf), CFG_MAX_NAME);
	return 0;
}

/* --------------------------------------------------------------- interning */

/* Finds s in table[0..n); 1-based id or 0. */
static uint16_t find_name(char *const *table, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strnlen(table[i], len + 1) == len && !memcmp(table[i], s, len))
			return (uint16_t)(i + 1);
	return 0;
}

/* Interns the name in node n into table (id = index + 1), at most TQ_MAX_VALUES. */
static int intern(struct ctx *c, const yaml_node_t *n, const char *what, char **table,
                  size_t *count, uint16_t *ret_id)
{
	uint16_t id;
	char *s;
	int r;

	r = check_value_name(c, n, what);
	if (r < 0)
		return r;
	id = find_name(table, *count, sv(n), n->data.scalar.length);
	if (id) {
		*ret_id = id;
		return 0;
	}
	if (*count >= TQ_MAX_VALUES)
		return fail(c, n, "more than %d distinct values of %s", TQ_MAX_VALUES, what);
	s = strdup(sv(n));
	if (!s)
		return oom(c);
	table[(*count)++] = s;
	*ret_id = (uint16_t)*count;
	return 0;
}

static int intern_event(struct ctx *c, const yaml_node_t *n, uint16_t *ret_id)
{
	return intern(c, n, "event kind", c->cfg->events, &c->cfg->nevents, ret_id);
}

/* Interns a dimension by name (before sorting: index in order of appearance). */
static int intern_dim(struct ctx *c, const yaml_node_t *n, size_t *ret_d)
{
	struct config *cfg = c->cfg;
	char *s;
	int r;

	r = check_value_name(c, n, "dimension name");
	if (r < 0)
		return r;
	if (!strcmp(sv(n), "event"))
		return fail(c, n, "the dimension name 'event' is reserved");
	for (size_t d = 0; d < cfg->ndims; d++)
		if (!strcmp(cfg->dims[d].name, sv(n))) {
			*ret_d = d;
			return 0;
		}
	if (cfg->ndims >= TQ_MAX_DIMS)
		return fail(c, n, "more than %d dimensions", TQ_MAX_DIMS);
	s = strdup(sv(n));
	if (!s)
		return oom(c);
	cfg->dims[cfg->ndims].name = s;
	*ret_d = cfg->ndims++;
	return 0;
}

/* Interns a value of dimension d. */
static int intern_value(struct ctx *c, const yaml_node_t *n, size_t d, uint16_t *ret_id)
{
	struct dimension *dim = &c->cfg->dims[d];

	return intern(c, n, "dimension value", dim->values, &dim->nvalues, ret_id);
}

/* ----------------------------------------------------------- small checks */

/* An absolute path (no glob check): password_file, secret_file. */
static int get_abs_path(struct ctx *c, const yaml_node_t *n, const char *what, char **ret)
{
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, what, CFG_MAX_PATH, &s, &len);
	if (r < 0)
		return r;
	if (s[0] != '/')
		return fail(c, n, "%s must be an absolute path", what);
	return get_str(c, n, what, CFG_MAX_PATH, ret);
}

/*
 * True when tz_load takes the zone: its TZif file ($TZDIR or
 * /usr/share/zoneinfo, then name) exists and glibc can use it (glibc would
 * silently read an unusable one as UTC). Checked by config_load only, so
 * that "teleqd -n" and a reload refuse a misspelt zone with its position;
 * config_parse stays free of file access. name is already known to be safe.
 */
static bool zone_exists(const char *name)
{
	struct tz *tz = NULL;

	if (tz_load(name, &tz) < 0)
		return false;
	tz_free(tz);
	return true;
}

/*
 * A zone name for tz_load: "Europe/Stockholm", "UTC". It becomes part of a
 * path under /usr/share/zoneinfo, so no leading '/' and no "..".
 */
static int parse_timezone(struct ctx *c, const yaml_node_t *n)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, "timezone", CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	if (!name_ok(s, len, CFG_MAX_SHORT, true, "/_+-.") || s[0] == '/' || s[0] == '.' ||
	    strstr(s, "..") || strstr(s, "//") || s[len - 1] == '/')
		return fail(c, n, "bad timezone '%s': expected a zone name like Europe/Stockholm",
		            shown(s, len, buf));
	if (c->check_files && !zone_exists(s))
		return fail(c, n, "unknown timezone '%s' (no TZif file of that name in %s)",
		            shown(s, len, buf), getenv("TZDIR") ? "$TZDIR" : "/usr/share/zoneinfo");
	return get_str(c, n, "timezone", CFG_MAX_SHORT, &c->cfg->timezone);
}

/* True when s is a decimal port 1..65535. */
static bool port_ok(const char *s)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v >= 1 && v <= 65535;
}

/* "unix:/path" (fits sun_path) or "host:port" / "[v6addr]:port". */
static int parse_address(struct ctx *c, const yaml_node_t *n)
{
	char buf[64];
	const char *s, *colon;
	size_t len, hostlen;
	bool ok = false;
	int r;

	r = get_text(c, n, "address", 256, &s, &len);
	if (r < 0)
		return r;
	if (!strncmp(s, "unix:", 5)) {
		if (s[5] != '/')
			return fail(c, n, "bad redis address '%s': the unix socket path must be absolute",
			            shown(s, len, buf));
		if (len - 5 > CFG_MAX_SUN)
			return fail(c, n, "unix socket path in address is longer than %d bytes",
			            CFG_MAX_SUN);
		return get_str(c, n, "address", 256, &c->cfg->redis.address);
	}
	colon = strrchr(s, ':');
	if (colon && port_ok(colon + 1)) {
		hostlen = (size_t)(colon - s);
		if (hostlen > 2 && s[0] == '[' && s[hostlen - 1] == ']')
			ok = name_ok(s + 1, hostlen - 2, 64, true, ":.");
		else
			ok = name_ok(s, hostlen, 253, true, ".-_");
	}
	if (!ok)
		return fail(c, n, "bad redis address '%s': expected unix:/path or host:port",
		            shown(s, len, buf));
	return get_str(c, n, "address", 256, &c->cfg->redis.address);
}

/*
 * Parts of Redis key names: printable ASCII, no space, no braces (the tag
 * is written as {tag}, a brace elsewhere would move the cluster hash slot).
 */
static int get_key_part(struct ctx *c, const yaml_node_t *n, const char *what, size_t min,
                        size_t max, char **ret)
{
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, what, max, &s, &len);
	if (r < 0)
		return r;
	if (len < min)
		return fail(c, n, "%s must not be empty", what);
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '{' || s[i] == '}')
			return fail(c, n, "%s may only hold printable ASCII without spaces and braces",
			            what);
	return get_str(c, n, what, max, ret);
}

/* ---------------------------------------------------------- global sections */

static int get_duration(struct ctx *c, const yaml_node_t *n, const char *what, int64_t min,
                        int64_t max, int64_t *ret);

/* redis: { address, user, password_file, prefix, tag, db, unresponsive_after, lease } — all optional. */
static int parse_redis(struct ctx *c, const yaml_node_t *n)
{
	enum { K_ADDRESS, K_USER, K_PASSWORD_FILE, K_PREFIX, K_TAG, K_DB, K_UNRESPONSIVE, K_LEASE, K__N };
	static const char *const keys[K__N] = { "address", "user", "password_file", "prefix",
	                                        "tag", "db", "unresponsive_after", "lease" };
	struct config *cfg = c->cfg;
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "redis", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_ADDRESS] && (r = parse_address(c, v[K_ADDRESS])) < 0)
		return r;
	if (v[K_USER] && (r = get_key_part(c, v[K_USER], "user", 1, CFG_MAX_SHORT, &cfg->redis.user)) < 0)
		return r;
	if (v[K_PASSWORD_FILE] &&
	    (r = get_abs_path(c, v[K_PASSWORD_FILE], "password_file", &cfg->redis.password_file)) < 0)
		return r;
	if (v[K_PREFIX] &&
	    (r = get_key_part(c, v[K_PREFIX], "prefix", 0, CFG_MAX_SHORT, &cfg->redis.prefix)) < 0)
		return r;
	if (v[K_TAG] && (r = get_key_part(c, v[K_TAG], "tag", 1, CFG_MAX_TAG, &cfg->redis.tag)) < 0)
		return r;
	if (v[K_DB]) {
		r = get_uint(c, v[K_DB], "db", 0, 65535, &u);
		if (r < 0)
			return r;
		cfg->redis.db = (int)u;
	}
	if (v[K_UNRESPONSIVE] &&
	    (r = get_duration(c, v[K_UNRESPONSIVE], "unresponsive_after", 1, 3600,
	                      &cfg->redis.unresponsive_after_s)) < 0)
		return r;
	/* the writer lease (lease.c): renewed every third, so 1 s is the least that
	 * survives a slow Redis; an hour is already a long wait for a standby */
	if (v[K_LEASE] &&
	    (r = get_duration(c, v[K_LEASE], "lease", 1, 3600, &cfg->redis.lease_s)) < 0)
		return r;
	return 0;
}

/* dedup: { secret_file, window_days } */
static int parse_dedup(struct ctx *c, const yaml_node_t *n)
{
	enum { K_SECRET_FILE, K_WINDOW_DAYS, K__N };
	static const char *const keys[K__N] = { "secret_file", "window_days" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "dedup", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_SECRET_FILE] &&
	    (r = get_abs_path(c, v[K_SECRET_FILE], "secret_file", &c->cfg->dedup.secret_file)) < 0)
		return r;
	if (v[K_WINDOW_DAYS]) {
		/* ten years: ids of last year's period must still be known for corrections */
		r = get_uint(c, v[K_WINDOW_DAYS], "window_days", 1, 3660, &u);
		if (r < 0)
			return r;
		c->cfg->dedup.window_days = (unsigned)u;
	}
	return 0;
}

/* batch: { max_events, max_delay_ms } */
static int parse_batch(struct ctx *c, const yaml_node_t *n)
{
	enum { K_MAX_EVENTS, K_MAX_DELAY_MS, K__N };
	static const char *const keys[K__N] = { "max_events", "max_delay_ms" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "batch", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_MAX_EVENTS]) {
		/* bounds the batch's memory and the size of one Lua commit */
		r = get_uint(c, v[K_MAX_EVENTS], "max_events", 1, 1000000, &u);
		if (r < 0)
			return r;
		c->cfg->batch_max_events = (size_t)u;
	}
	if (v[K_MAX_DELAY_MS]) {
		r = get_uint(c, v[K_MAX_DELAY_MS], "max_delay_ms", 0, 60000, &u);
		if (r < 0)
			return r;
		c->cfg->batch_max_delay_ms = (unsigned)u;
	}
	return 0;
}

/* deadletter: { maxlen } */
static int parse_deadletter(struct ctx *c, const yaml_node_t *n)
{
	enum { K_MAXLEN, K__N };
	static const char *const keys[K__N] = { "maxlen" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "deadletter", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_MAXLEN]) {
		r = get_uint(c, v[K_MAXLEN], "maxlen", 0, 10000000, &u);
		if (r < 0)
			return r;
		c->cfg->deadletter_maxlen = (size_t)u;
	}
	return 0;
}

/* ------------------------------------------------------------------- feeds */

/*
 * Gives the slot of a source field name in the feed, adding it when new.
 * Slots are the distinct fields a feed reads (at most TQ_MAX_SLOTS).
 */
static int add_slot(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n, const char *what,
                    int *ret_slot)
{
	struct feed_conf *fc = fx->fc;
	const char *s;
	size_t len;
	char *copy;
	int r;

	r = get_text(c, n, what, CFG_MAX_FIELD, &s, &len);
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
		return oom(c);
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
static int parse_path(struct ctx *c, const yaml_node_t *n, struct feed_conf *fc)
{
	char buf[64];
	const char *s, *last;
	size_t len;
	int r;

	r = get_text(c, n, "path", CFG_MAX_PATH, &s, &len);
	if (r < 0)
		return r;
	if (s[0] != '/')
		return fail(c, n, "path '%s' must be absolute", shown(s, len, buf));
	last = strrchr(s, '/');
	if (!last[1])
		return fail(c, n, "path '%s' must name a file, not a directory", shown(s, len, buf));
	for (const char *p = s; p < last; p++)
		if (*p == '*' || *p == '?' || *p == '[')
			return fail(c, n, "glob character '%c' in a directory of path '%s': only the "
			            "last component may be a pattern", *p, shown(s, len, buf));
	return get_str(c, n, "path", CFG_MAX_PATH, &fc->path);
}

static const struct enum_name encodings[] = {
	{ "utf-8", ENC_UTF8 }, { "windows-1252", ENC_CP1252 }, { "iso-8859-1", ENC_LATIN1 },
	{ "utf8", ENC_UTF8 }, { "cp1252", ENC_CP1252 }, { "latin1", ENC_LATIN1 },
};

/*
 * A delimiter or quote: one ASCII byte; "\t" also written as backslash-t
 * so it survives single quotes. For the quote, "" means no quoting.
 */
static int get_csv_char(struct ctx *c, const yaml_node_t *n, const char *what, bool empty_ok,
                        char *ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, what, 16, &s, &len);
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
	            empty_ok ? " (\"\" = none)" : "", shown(s, len, buf));
}

/* csv: { delimiter, quote, header, columns, encoding } */
static int parse_csv(struct ctx *c, const yaml_node_t *n, struct feed_conf *fc,
                     const yaml_node_t **ret_enc)
{
	enum { K_DELIMITER, K_QUOTE, K_HEADER, K_COLUMNS, K_ENCODING, K__N };
	static const char *const keys[K__N] = { "delimiter", "quote", "header", "columns",
	                                        "encoding" };
	yaml_node_t *v[K__N];
	int r;

	r = take_keys(c, n, "csv", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_DELIMITER] && (r = get_csv_char(c, v[K_DELIMITER], "delimiter", false,
	                                        &fc->csv.delimiter)) < 0)
		return r;
	if (v[K_QUOTE] && (r = get_csv_char(c, v[K_QUOTE], "quote", true, &fc->csv.quote)) < 0)
		return r;
	if (fc->csv.quote && fc->csv.quote == fc->csv.delimiter)
		return fail(c, v[K_QUOTE] ? v[K_QUOTE] : v[K_DELIMITER],
		            "quote and delimiter must differ");
	if (v[K_HEADER] && (r = get_bool(c, v[K_HEADER], "header", &fc->csv.header)) < 0)
		return r;
	/* the encoding is read by the caller, which also accepts it beside csv */
	*ret_enc = v[K_ENCODING];

	if (fc->csv.header) {
		if (v[K_COLUMNS])
			return fail(c, v[K_COLUMNS], "columns is only used with header: false");
		return 0;
	}
	if (!v[K_COLUMNS])
		return fail(c, n, "missing required key 'columns' in csv (header is false)");
	if (v[K_COLUMNS]->type != YAML_SEQUENCE_NODE)
		return fail_type(c, v[K_COLUMNS], "columns", "a sequence");
	{
		const yaml_node_t *cols = v[K_COLUMNS];
		size_t ncol = seq_len(cols), i = 0;

		if (ncol == 0)
			return fail(c, cols, "columns must not be empty");
		if (ncol > TQ_MAX_COLUMNS)
			return fail(c, cols, "more than %d columns", TQ_MAX_COLUMNS);
		fc->csv.columns = calloc(ncol, sizeof(char *));
		if (!fc->csv.columns)
			return oom(c);
		fc->csv.ncolumns = ncol;
		for (yaml_node_item_t *it = cols->data.sequence.items.start;
		     it < cols->data.sequence.items.top; it++, i++) {
			yaml_node_t *col = child(c, *it);

			r = get_str(c, col, "column", CFG_MAX_FIELD, &fc->csv.columns[i]);
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
static int check_time_format(struct ctx *c, const yaml_node_t *n, const char *s)
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
			/* the whole character, through shown(): a line break or a
			 * lone UTF-8 lead byte must not reach the one-line message */
			while (((unsigned char)p[k] & 0xC0) == 0x80)
				k++;
			return fail(c, n, "unsupported conversion '%%%s' in time format (allowed: %%Y %%m "
			            "%%d %%H %%M %%S %%y %%e %%T %%F %%f %%%%)", shown(p, k, buf));
		}
		}
	}
	if (!y || !m || !d)
		return fail(c, n, "time format must contain a year, a month and a day");
	return 0;
}

/* time: { field | fields, format } */
static int parse_time(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_FIELDS, K_FORMAT, K__N };
	static const char *const keys[K__N] = { "field", "fields", "format" };
	struct feed_conf *fc = fx->fc;
	yaml_node_t *v[K__N];
	int r;

	r = take_keys(c, n, "time", keys, K__N, v);
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
			return fail_type(c, f, "fields", "a sequence");
		if (seq_len(f) < 1 || seq_len(f) > 2)
			return fail(c, f, "fields must name one or two fields (date and time)");
		for (size_t i = 0; i < seq_len(f); i++) {
			r = add_slot(c, fx, child(c, f->data.sequence.items.start[i]), "field",
			             &fc->time.slot[i]);
			if (r < 0)
				return r;
		}
		fc->time.nslot = (int)seq_len(f);
		if (fc->time.nslot == 2 && fc->time.slot[0] == fc->time.slot[1])
			return fail(c, f, "the two time fields must differ");
	} else
		return fail_missing(c, n, "field", "time");

	if (v[K_FORMAT]) {
		char buf[64];
		const char *s;
		size_t len;

		r = get_text(c, v[K_FORMAT], "format", CFG_MAX_SHORT, &s, &len);
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
			r = get_str(c, v[K_FORMAT], "format", CFG_MAX_SHORT, &fc->time.format);
			if (r < 0)
				return r;
			fc->time.kind = TIME_FORMAT;
		} else
			return fail(c, v[K_FORMAT], "bad value '%s' for time format (allowed: iso8601, "
			            "epoch, or a pattern like \"%%Y-%%m-%%d %%H:%%M:%%S\")",
			            shown(s, len, buf));
	}
	if (fc->time.kind == TIME_EPOCH && fc->time.nslot == 2)
		return fail(c, v[K_FIELDS], "an epoch time is one field");
	return 0;
}

/* Orders map entry indexes (into the key nodes in arg) by text, then position. */
static int cmp_map_key(const void *a, const void *b, void *arg)
{
	const yaml_node_t *const *keys = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(sv(keys[i]), sv(keys[j]));

	return r ? r : (i < j ? -1 : i > j);
}

/*
 * map: { source value: target, ... } for the event (d < 0) or dimension d.
 * Source values are matched exactly at run time after conversion to UTF-8;
 * targets are interned. A value no map covers is rejected at run time.
 */
static int parse_map(struct ctx *c, const yaml_node_t *n, long d, struct rule *ru)
{
	const yaml_node_t **keys = NULL;
	size_t *order = NULL, count, i = 0;
	int r = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail_type(c, n, "map", "a mapping");
	count = map_len(n);
	if (count == 0)
		return fail(c, n, "map must not be empty");
	if (count > CFG_MAX_MAP)
		return fail(c, n, "map has more than %d entries", CFG_MAX_MAP);
	ru->from = calloc(count, sizeof(char *));
	ru->to = calloc(count, sizeof(uint16_t));
	keys = calloc(count, sizeof(*keys));     /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	order = calloc(count, sizeof(*order));
	if (!ru->from || !ru->to || !keys || !order) {
		r = oom(c);
		goto out;
	}
	ru->nmap = count;       /* entries are filled in order; config_free copes with NULLs */
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++, i++) {
		yaml_node_t *k = child(c, p->key), *v = child(c, p->value);
		size_t len;

		/* a source value is literal text: a plain ~, 1 or yes is just that text */
		if (k->type != YAML_SCALAR_NODE) {
			r = fail_type(c, k, "a map key", "a string");
			goto out;
		}
		len = k->data.scalar.length;
		if (len == 0) {
			/* an empty field is REJ_MISSING at run time, never mapped */
			r = fail(c, k, "map key must not be empty");
			goto out;
		}
		if (len > CFG_MAX_FROM || memchr(sv(k), '\0', len)) {
			r = fail(c, k, "map key must be at most %d bytes without NUL", CFG_MAX_FROM);
			goto out;
		}
		ru->from[i] = strndup(sv(k), len);
		if (!ru->from[i]) {
			r = oom(c);
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

			r = fail(c, k, "duplicate key '%s' in map", shown(sv(k), k->data.scalar.length, buf));
			goto out;
		}
	ru->kind = RULE_FIELD;
out:
	free(keys);
	free(order);
	return r;
}

/* event: { value } or { field, map } */
static int parse_event(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_MAP, K_VALUE, K__N };
	static const char *const keys[K__N] = { "field", "map", "value" };
	struct rule *ru = &fx->fc->event;
	yaml_node_t *v[K__N];
	int r;

	r = take_keys(c, n, "event", keys, K__N, v);
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
		return fail_missing(c, n, "field", "event");
	if (!v[K_MAP])
		return fail_missing(c, n, "map", "event");
	r = add_slot(c, fx, v[K_FIELD], "field", &ru->slot);
	if (r < 0)
		return r;
	return parse_map(c, v[K_MAP], -1, ru);
}

/* set: { dimension: value, ... } — constants for every event of the feed. */
static int parse_set(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return fail_type(c, n, "set", "a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = child(c, p->key), *v = child(c, p->value);
		struct rule *ru;
		size_t d;

		r = intern_dim(c, k, &d);
		if (r < 0)
			return r;
		ru = &fx->fc->dims[d];
		if (ru->kind != RULE_NONE)
			return fail(c, k, "dimension '%s' is given twice in feed '%s'", sv(k),
			            fx->fc->name);
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
static int parse_dimensions(struct ctx *c, struct feed_ctx *fx, const yaml_node_t *n)
{
	enum { K_FIELD, K_MAP, K_OPTIONAL, K__N };
	static const char *const keys[K__N] = { "field", "map", "optional" };
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return fail_type(c, n, "dimensions", "a mapping");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = child(c, p->key), *val = child(c, p->value);
		yaml_node_t *v[K__N];
		struct rule *ru;
		size_t d;

		r = intern_dim(c, k, &d);
		if (r < 0)
			return r;
		ru = &fx->fc->dims[d];
		if (ru->kind != RULE_NONE)
			return fail(c, k, "dimension '%s' is given twice in feed '%s'", sv(k),
			            fx->fc->name);
		r = take_keys(c, val, "dimension", keys, K__N, v);
		if (r < 0)
			return r;
		if (!v[K_FIELD])
			return fail_missing(c, val, "field", "dimension");
		/* never pass raw values on: they may be personal data */
		if (!v[K_MAP])
			return fail_missing(c, val, "map", "dimension");
		r = add_slot(c, fx, v[K_FIELD], "field", &ru->slot);
		if (r < 0)
			return r;
		r = parse_map(c, v[K_MAP], (long)d, ru);
		if (r < 0)
			return r;
		if (v[K_OPTIONAL] && (r = get_bool(c, v[K_OPTIONAL], "optional", &ru->optional)) < 0)
			return r;
	}
	return 0;
}

#define DUR_MIN         ((int64_t)60)   /* seconds */
#define DUR_HOUR        ((int64_t)3600)
#define DUR_DAY         ((int64_t)86400)

/*
 * Writes seconds s in the largest unit that divides it exactly ("90s",
 * "15m", "7d") into buf, for messages. Returns buf.
 */
static const char *fmt_duration(int64_t s, char buf[static 24])
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
static int get_duration(struct ctx *c, const yaml_node_t *n, const char *what, int64_t min,
                        int64_t max, int64_t *ret)
{
	char buf[64], lo[24], hi[24];
	const char *s;
	size_t len;
	int64_t v;
	int r;

	r = get_text(c, n, what, CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	r = duration_parse(s, len, &v);
	if (r == -EINVAL)
		return fail(c, n, "bad duration '%s' for %s: expected a whole number and a unit "
		            "(s, m, h, d or w), like 30s, 15m, 24h, 7d or 2w", shown(s, len, buf), what);
	if (r < 0 || v < min || v > max)
		return fail(c, n, "%s must be between %s and %s, not '%s'", what,
		            fmt_duration(min, lo), fmt_duration(max, hi), shown(s, len, buf));
	*ret = v;
	return 0;
}

/*
 * Gives a date "YYYY-MM-DD" as a day number in *ret, between 1971-01-01
 * and 9999-12-31: a history stream id is a period's local midnight in
 * unsigned ms (the year 1970 starts before the epoch east of UTC), and
 * period names have four-digit years.
 */
static int get_date(struct ctx *c, const yaml_node_t *n, const char *what, int64_t *ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int64_t wall, day;
	int r;

	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail_type(c, n, what, "a date (YYYY-MM-DD)");
	if ((r = get_text(c, n, what, CFG_MAX_SHORT, &s, &len)) < 0)
		return r;
	r = len == 10 ? time_parse_fmt(s, len, "%Y-%m-%d", &wall) : -EINVAL;
	if (r < 0)
		return fail(c, n, "bad date '%s' for %s: expected YYYY-MM-DD", shown(s, len, buf),
		            what);
	day = floor_div(wall, 86400);
	if (day < days_from_civil(1971, 1, 1) || day > days_from_civil(9999, 12, 31))
		return fail(c, n, "%s must be between 1971-01-01 and 9999-12-31, not '%s'", what,
		            shown(s, len, buf));
	*ret = day;
	return 0;
}

/* Sets a feed's defaults (see struct feed_conf). */
static void feed_defaults(struct feed_conf *fc, const yaml_node_t *n)
{
	fc->format = FORMAT_CSV;
	fc->start_at = START_BEGINNING;
	fc->max_line = 65536;
	fc->rotate_wait_ms = 5000;
	fc->accept_from_day = days_from_civil(2000, 1, 1);
	fc->accept_ahead_s = DUR_DAY;
	fc->csv.delimiter = ',';
	fc->csv.quote = '"';
	fc->csv.header = true;
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
}

/* The encoding, given beside csv or inside it (the same value if both). */
static int parse_encoding(struct ctx *c, struct feed_conf *fc, const yaml_node_t *outer,
                          const yaml_node_t *inner)
{
	int a = -1, b = -1, r;

	if (outer && (r = get_enum(c, outer, "encoding", encodings,
	                           sizeof(encodings) / sizeof(encodings[0]), &a)) < 0)
		return r;
	if (inner && (r = get_enum(c, inner, "encoding", encodings,
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
static int parse_feed(struct ctx *c, const yaml_node_t *n, struct feed_conf *fc)
{
	enum { K_NAME, K_PATH, K_FORMAT, K_START_AT, K_MAX_LINE, K_ROTATE_WAIT_MS, K_ENCODING,
	       K_CSV, K_TIME, K_ID, K_EVENT, K_SET, K_DIMENSIONS, K_CASE, K_EXTEND_TO,
	       K_ACCEPT_FROM, K_ACCEPT_AHEAD, K_MAX_SILENCE, K__N };
	static const char *const keys[K__N] = { "name", "path", "format", "start_at", "max_line",
	                                        "rotate_wait_ms", "encoding", "csv", "time", "id",
	                                        "event", "set", "dimensions", "case", "extend_to",
	                                        "accept_from", "accept_ahead", "max_silence" };
	static const struct enum_name formats[] = { { "csv", FORMAT_CSV }, { "jsonl", FORMAT_JSONL } };
	static const struct enum_name starts[] = { { "beginning", START_BEGINNING },
	                                           { "end", START_END } };
	struct feed_ctx fx = { .fc = fc };
	const yaml_node_t *csv_enc = NULL;
	yaml_node_t *v[K__N];
	char buf[64];
	const char *s;
	size_t len;
	uint64_t u;
	int r, e;

	r = take_keys(c, n, "feed", keys, K__N, v);
	if (r < 0)
		return r;
	feed_defaults(fc, n);
	/* required keys first, so the message names the first missing one in schema order */
	for (size_t i = 0; i < K__N; i++) {
		static const bool required[K__N] = { [K_NAME] = true, [K_PATH] = true,
		                                     [K_FORMAT] = true, [K_TIME] = true,
		                                     [K_EVENT] = true };
		if (required[i] && !v[i])
			return fail_missing(c, n, keys[i], "feed");
	}

	r = get_text(c, v[K_NAME], "feed name", 1024, &s, &len);
	if (r < 0)
		return r;
	if (!name_ok(s, len, CFG_MAX_FEEDNAME, false, "_-"))
		return fail(c, v[K_NAME], "bad feed name '%s': use 1-%d of a-z 0-9 _ -",
		            shown(s, len, buf), CFG_MAX_FEEDNAME);
	for (const struct feed_conf *o = c->cfg->feeds; o < fc; o++)
		if (!strcmp(o->name, s))
			return fail(c, v[K_NAME], "duplicate feed name '%s' (first at line %d)", s,
			            o->line);
	if ((r = get_str(c, v[K_NAME], "name", CFG_MAX_FEEDNAME, &fc->name)) < 0)
		return r;
	if ((r = parse_path(c, v[K_PATH], fc)) < 0)
		return r;
	if ((r = get_enum(c, v[K_FORMAT], "format", formats, 2, &e)) < 0)
		return r;
	fc->format = (enum feed_format)e;
	if (v[K_START_AT]) {
		if ((r = get_enum(c, v[K_START_AT], "start_at", starts, 2, &e)) < 0)
			return r;
		fc->start_at = (enum start_at)e;
	}
	if (v[K_MAX_LINE]) {
		if ((r = get_uint(c, v[K_MAX_LINE], "max_line", 16, 16777216, &u)) < 0)
			return r;
		fc->max_line = (size_t)u;
	}
	if (v[K_ROTATE_WAIT_MS]) {
		if ((r = get_uint(c, v[K_ROTATE_WAIT_MS], "rotate_wait_ms", 0, 3600000, &u)) < 0)
			return r;
		fc->rotate_wait_ms = (unsigned)u;
	}
	if (v[K_ACCEPT_FROM] &&
	    (r = get_date(c, v[K_ACCEPT_FROM], "accept_from", &fc->accept_from_day)) < 0)
		return r;
	if (v[K_ACCEPT_AHEAD] &&
	    (r = get_duration(c, v[K_ACCEPT_AHEAD], "accept_ahead", 0, 366 * DUR_DAY,
	                      &fc->accept_ahead_s)) < 0)
		return r;
	/* off (0) unless set; a minute at least, so a busy second is never "silence" */
	if (v[K_MAX_SILENCE] &&
	    (r = get_duration(c, v[K_MAX_SILENCE], "max_silence", 60, 366 * DUR_DAY,
	                      &fc->max_silence_s)) < 0)
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
	if (v[K_ID]) {
		if (!c->cfg->dedup.secret_file)
			return fail(c, v[K_ID], "id needs dedup.secret_file (ids are hashed with a "
			            "secret key)");
		if ((r = add_slot(c, &fx, v[K_ID], "id", &fc->id_slot)) < 0)
			return r;
	}
	if (v[K_CASE]) {
		if (!c->cfg->dedup.secret_file)
			return fail(c, v[K_CASE], "case needs dedup.secret_file (case ids are hashed "
			            "with a secret key)");
		if ((r = add_slot(c, &fx, v[K_CASE], "case", &fc->case_slot)) < 0)
			return r;
	}
	if (v[K_EXTEND_TO]) {
		if (!v[K_CASE])
			return fail(c, v[K_EXTEND_TO], "extend_to needs case (an extension belongs to "
			            "a case)");
		if ((r = add_slot(c, &fx, v[K_EXTEND_TO], "extend_to", &fc->extend_slot)) < 0)
			return r;
	}
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
				            shown(fc->slots[i], strlen(fc->slots[i]), buf));
		}
	return 0;
}

/* feeds: a sequence of 1..64 feed mappings with unique names. */
static int parse_feeds(struct ctx *c, const yaml_node_t *n)
{
	struct config *cfg = c->cfg;
	size_t count;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail_type(c, n, "feeds", "a sequence");
	count = seq_len(n);
	if (count == 0)
		return fail(c, n, "feeds must not be empty");
	if (count > CFG_MAX_FEEDS)
		return fail(c, n, "more than %d feeds", CFG_MAX_FEEDS);
	cfg->feeds = calloc(count, sizeof(*cfg->feeds));
	if (!cfg->feeds)
		return oom(c);
	cfg->nfeeds = count;    /* zeroed entries are safe for config_free */
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = child(c, n->data.sequence.items.start[i]);

		/* earlier feeds are complete: parse_feed checks the name against them */
		r = parse_feed(c, item, &cfg->feeds[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Sorts config.dims by name and permutes every feed's dims[] alike. */
static void sort_dims(struct config *cfg)
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

/* -------------------------------------------------------------- indicators */

/* True when rule r can ever give id. */
static bool rule_can(const struct rule *r, uint16_t id)
{
	if (r->kind == RULE_CONST)
		return r->const_id == id;
	if (r->kind == RULE_FIELD)
		for (size_t i = 0; i < r->nmap; i++)
			if (r->to[i] == id)
				return true;
	return false;
}

/* True when feed fc can produce an event that matches every clause of f. */
static bool feed_can(const struct feed_conf *fc, const struct filter *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct clause *cl = &f->c[i];
		const struct rule *r = cl->dim < 0 ? &fc->event : &fc->dims[cl->dim];
		bool any = false;

		for (size_t j = 0; j < cl->n && !any; j++)
			any = rule_can(r, cl->ids[j]);
		if (!any)
			return false;
	}
	return true;
}

/* Lists the dimension names into buf for a message. */
static const char *dim_list(const struct config *cfg, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t d = 0; d < cfg->ndims && o < len; d++) {
		int w = snprintf(buf + o, len - o, "%s%s", d ? ", " : "", cfg->dims[d].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return cfg->ndims ? buf : "none";
}

/* Parses the values of one filter clause: a name or a sequence of names. */
static int parse_clause(struct ctx *c, const yaml_node_t *key, const yaml_node_t *n,
                        struct clause *cl)
{
	const struct config *cfg = c->cfg;
	size_t count = 1;
	char buf[64];
	int r;

	if (n->type == YAML_SEQUENCE_NODE) {
		count = seq_len(n);
		if (count == 0)
			return fail(c, n, "'%s' lists no values", sv(key));
		if (count > TQ_MAX_VALUES)
			return fail(c, n, "'%s' lists more than %d values", sv(key), TQ_MAX_VALUES);
	} else if (n->type != YAML_SCALAR_NODE)
		return fail_type(c, n, sv(key), "a name or a sequence of names");
	cl->ids = calloc(count, sizeof(uint16_t));
	if (!cl->ids)
		return oom(c);
	cl->n = count;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = n->type == YAML_SEQUENCE_NODE ?
		                       child(c, n->data.sequence.items.start[i]) : n;
		const char *s;
		size_t len;

		r = get_text(c, v, sv(key), CFG_MAX_NAME + 16, &s, &len);
		if (r < 0)
			return r;
		cl->ids[i] = config_value_id(cfg, cl->dim, s, len);
		/* everything a feed produces is interned: unknown = always 0 */
		if (!cl->ids[i]) {
			if (cl->dim < 0)
				return fail(c, v, "filter on event '%s', which no feed produces",
				            shown(s, len, buf));
			return fail(c, v, "filter on %s '%s', a value no feed produces",
			            cfg->dims[cl->dim].name, shown(s, len, buf));
		}
		for (size_t j = 0; j < i; j++)
			if (cl->ids[j] == cl->ids[i])
				return fail(c, v, "'%s' is listed twice", shown(s, len, buf));
	}
	return 0;
}

/* Orders clauses: the event first, then dimensions by index. */
static void sort_clauses(struct filter *f)
{
	for (size_t i = 1; i < f->n; i++)
		for (size_t j = i; j > 0 && f->c[j - 1].dim > f->c[j].dim; j--) {
			struct clause t = f->c[j];
			f->c[j] = f->c[j - 1];
			f->c[j - 1] = t;
		}
}

/*
 * A filter: { event: kinds, dimension: values, ... }. It must name an event
 * kind, and everything it names must be produced by some feed; one feed
 * must be able to satisfy all clauses at once, or the count is always 0.
 */
static int parse_filter(struct ctx *c, const yaml_node_t *n, const char *what, struct filter *f)
{
	const struct config *cfg = c->cfg;
	bool has_event = false, producible = false;
	char buf[64], list[160];
	size_t i = 0;
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return fail_type(c, n, what, "a mapping");
	if (map_len(n) == 0)
		return fail(c, n, "%s must name an event", what);
	if (map_len(n) > 1 + TQ_MAX_DIMS)
		return fail(c, n, "%s has more than %d clauses", what, 1 + TQ_MAX_DIMS);
	f->c = calloc(map_len(n), sizeof(*f->c));
	if (!f->c)
		return oom(c);
	f->n = map_len(n);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++, i++) {
		yaml_node_t *k = child(c, p->key);
		struct clause *cl = &f->c[i];
		const char *s;
		size_t len;

		r = get_text(c, k, "a filter key", CFG_MAX_NAME + 16, &s, &len);
		if (r < 0)
			return r;
		if (!strcmp(s, "event")) {
			cl->dim = -1;
			has_event = true;
		} else {
			size_t d;

			for (d = 0; d < cfg->ndims; d++)
				if (!strcmp(cfg->dims[d].name, s))
					break;
			if (d == cfg->ndims)
				return fail(c, k, "filter on dimension '%s', which no feed produces "
				            "(known: %s)", shown(s, len, buf),
				            dim_list(cfg, list, sizeof(list)));
			cl->dim = (int)d;
		}
		for (size_t j = 0; j < i; j++)
			if (f->c[j].dim == cl->dim)
				return fail(c, k, "duplicate key '%s' in %s", s, what);
		r = parse_clause(c, k, child(c, p->value), cl);
		if (r < 0)
			return r;
	}
	if (!has_event)
		return fail(c, n, "%s must name an event", what);
	sort_clauses(f);
	for (size_t fi = 0; fi < cfg->nfeeds && !producible; fi++)
		producible = feed_can(&cfg->feeds[fi], f);
	if (!producible)
		return fail(c, n, "no single feed produces events matching this %s, so it would "
		            "always be 0", what);
	return 0;
}

/*
 * True when every event matching num also matches den: each clause of den
 * has a clause on the same key in num whose values are all in den's. Else
 * a ratio could exceed 100 %.
 */
static bool filter_within(const struct filter *num, const struct filter *den)
{
	for (size_t i = 0; i < den->n; i++) {
		const struct clause *dc = &den->c[i], *nc = NULL;

		for (size_t j = 0; j < num->n && !nc; j++)
			if (num->c[j].dim == dc->dim)
				nc = &num->c[j];
		if (!nc)
			return false;
		for (size_t j = 0; j < nc->n; j++) {
			bool in = false;

			for (size_t k = 0; k < dc->n && !in; k++)
				in = nc->ids[j] == dc->ids[k];
			if (!in)
				return false;
		}
	}
	return true;
}

/*
 * Reads an unsigned decimal "digits[.digits]" at s[*i] (s NUL-terminated),
 * at most CFG_MAX_DIGITS digits, no exponent. Returns true, advances *i and
 * gives the value as *ret_m / 10^*ret_scale; false when there is no such
 * number there (nothing is advanced then).
 */
static bool read_decimal(const char *s, size_t *i, uint64_t *ret_m, size_t *ret_scale)
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
static double decimal_value(uint64_t m, size_t scale)
{
	double p10 = 1.0;

	for (size_t k = 0; k < scale; k++)
		p10 *= 10.0;
	return (double)m / p10;
}

/*
 * target: "<op> <number>[%]" with op one of >= > <= <, e.g. ">= 0.55" or
 * "> 5%". The number is decimal (no exponent, at most 15 digits), see
 * read_decimal and decimal_value.
 */
static int parse_target(struct ctx *c, const yaml_node_t *n, bool ratio, struct indicator *ind)
{
	char buf[64];
	const char *s;
	size_t len, i = 0, scale = 0;
	uint64_t m = 0;
	bool neg = false;
	double v;
	enum cmp op;
	int r;

	r = get_text(c, n, "target", CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	while (s[i] == ' ')
		i++;
	if (s[i] == '>' || s[i] == '<') {
		bool ge = s[i] == '>';

		if (s[i + 1] == '=') {
			op = ge ? CMP_GE : CMP_LE;
			i += 2;
		} else {
			op = ge ? CMP_GT : CMP_LT;
			i++;
		}
	} else
		goto bad;
	while (s[i] == ' ')
		i++;
	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	if (!read_decimal(s, &i, &m, &scale))
		goto bad;
	while (s[i] == ' ')
		i++;
	if (s[i] == '%') {
		scale += 2;
		i++;
	}
	while (s[i] == ' ')
		i++;
	if (i != len)
		goto bad;
	v = decimal_value(m, scale);
	if (neg)
		v = -v;
	if (ratio && (v < 0.0 || v > 1.0))
		return fail(c, n, "a ratio target must be between 0 and 1 (0%% and 100%%), not '%s'",
		            shown(s, len, buf));
	if (!ratio && (v < -1.0 || v > 100.0))
		return fail(c, n, "a growth target must be between -1 and 100 (-100%% and 10000%%), "
		            "not '%s'", shown(s, len, buf));
	ind->cmp = op;
	ind->target = v;
	return 0;
bad:
	return fail(c, n, "bad target '%s': expected an operator (>=, >, <=, <) and a fraction or "
	            "a percentage, like \">= 0.55\" or \"> 5%%\"", shown(s, len, buf));
}

/* within / extend_by: a deadline span (dl_parse: 24h, 7d, 2w). */
static int get_span(struct ctx *c, const yaml_node_t *n, const char *what, struct dl_span *ret)
{
	const char *s;
	size_t len;
	char buf[64];
	int r;

	if ((r = get_text(c, n, what, 64, &s, &len)) < 0)
		return r;
	r = dl_parse(s, len, ret);
	if (r == -ERANGE)
		return fail(c, n, "%s '%s' is out of range: 1-%d hours, 1-%d days or 1-%d weeks", what,
		            shown(s, len, buf), DL_MAX_HOURS, DL_MAX_DAYS, DL_MAX_WEEKS);
	if (r < 0)
		return fail(c, n, "bad %s '%s': expected hours, days or weeks like 24h, 7d, 2w", what,
		            shown(s, len, buf));
	return 0;
}

/*
 * The keys of a deadline indicator: start, stop (filters of the events that
 * start and stop a case's clock), within (the span), and optionally extend
 * (the events that postpone the deadline) with extend_by (the amount, for an
 * extension that carries no date). other is a numerator, denominator or
 * count given by mistake (NULL when none).
 */
static int parse_deadline(struct ctx *c, const yaml_node_t *n, const yaml_node_t *start,
    const yaml_node_t *stop, const yaml_node_t *extend, const yaml_node_t *within,
    const yaml_node_t *extend_by, const yaml_node_t *other, struct indicator *ind)
{
	int r;

	if (other)
		return fail(c, other, "a deadline indicator has start, stop and within, not "
		            "numerator, denominator or count");
	if (!start)
		return fail_missing(c, n, "start", "deadline indicator");
	if (!stop)
		return fail_missing(c, n, "stop", "deadline indicator");
	if (!within)
		return fail_missing(c, n, "within", "deadline indicator");
	if ((r = parse_filter(c, start, "start", &ind->start)) < 0 ||
	    (r = parse_filter(c, stop, "stop", &ind->stop)) < 0 ||
	    (extend && (r = parse_filter(c, extend, "extend", &ind->extend)) < 0) ||
	    (r = get_span(c, within, "within", &ind->rule.within)) < 0)
		return r;
	if (extend_by) {
		if (!extend)
			return fail(c, extend_by, "extend_by needs extend (the events that postpone)");
		if ((r = get_span(c, extend_by, "extend_by", &ind->rule.extend_by)) < 0)
			return r;
	}
	return 0;
}

/* One indicator mapping; see conf/teleqd.yaml for the keys. */
static int parse_indicator(struct ctx *c, const yaml_node_t *n, struct indicator *ind)
{
	enum { K_NAME, K_TITLE, K_KIND, K_NUMERATOR, K_DENOMINATOR, K_COUNT, K_TARGET, K_COMBINE,
	       K_CADENCE, K_MIN_DENOMINATOR, K_EARLY_WARNING, K_START, K_STOP, K_EXTEND, K_WITHIN,
	       K_EXTEND_BY, K__N };
	static const char *const keys[K__N] = { "name", "title", "kind", "numerator",
	                                        "denominator", "count", "target", "combine",
	                                        "cadence", "min_denominator", "early_warning",
	                                        "start", "stop", "extend", "within", "extend_by" };
	static const struct enum_name kinds[] = { { "ratio", IND_RATIO }, { "growth", IND_GROWTH },
	                                          { "deadline", IND_DEADLINE } };
	static const struct enum_name combines[] = { { "pooled", COMBINE_POOLED },
	                                             { "mean_of_months", COMBINE_MEAN_OF_MONTHS } };
	static const struct enum_name cadences[] = { { "monthly", CADENCE_MONTH },
	                                             { "quarterly", CADENCE_QUARTER },
	                                             { "half_yearly", CADENCE_HALF },
	                                             { "yearly", CADENCE_YEAR } };
	yaml_node_t *v[K__N];
	char buf[64];
	const char *s;
	size_t len;
	uint64_t u;
	int r, e;

	r = take_keys(c, n, "indicator", keys, K__N, v);
	if (r < 0)
		return r;
	ind->kind = IND_RATIO;
	ind->combine = COMBINE_POOLED;
	ind->cadence = CADENCE_MONTH;
	ind->min_denominator = 0;
	if (!v[K_NAME])
		return fail_missing(c, n, "name", "indicator");
	r = get_text(c, v[K_NAME], "indicator name", 1024, &s, &len);
	if (r < 0)
		return r;
	if (!name_ok(s, len, CFG_MAX_NAME, false, "_"))
		return fail(c, v[K_NAME], "bad indicator name '%s': use 1-%d of a-z 0-9 _",
		            shown(s, len, buf), CFG_MAX_NAME);
	for (const struct indicator *o = c->cfg->indicators; o < ind; o++)
		if (!strcmp(o->name, s))
			return fail(c, v[K_NAME], "duplicate indicator name '%s' (first at line %d)", s,
			            c->ind_line[o - c->cfg->indicators]);
	if ((r = get_str(c, v[K_NAME], "name", CFG_MAX_NAME, &ind->name)) < 0)
		return r;
	if (v[K_KIND]) {
		if ((r = get_enum(c, v[K_KIND], "kind", kinds, 3, &e)) < 0)
			return r;
		ind->kind = (enum ind_kind)e;
	}
	if (v[K_TITLE]) {
		r = get_text(c, v[K_TITLE], "title", CFG_MAX_TITLE, &s, &len);
		if (r < 0)
			return r;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return fail(c, v[K_TITLE], "title must not contain control characters");
		if ((r = get_str(c, v[K_TITLE], "title", CFG_MAX_TITLE, &ind->title)) < 0)
			return r;
	} else if (!(ind->title = strdup(ind->name)))
		return oom(c);

	if (ind->kind != IND_DEADLINE) {
		static const int only[] = { K_START, K_STOP, K_EXTEND, K_WITHIN, K_EXTEND_BY };

		for (size_t k = 0; k < sizeof(only) / sizeof(only[0]); k++)
			if (v[only[k]])
				return fail(c, v[only[k]], "%s is for deadline indicators", keys[only[k]]);
	}
	if (ind->kind == IND_DEADLINE) {
		if ((r = parse_deadline(c, n, v[K_START], v[K_STOP], v[K_EXTEND], v[K_WITHIN],
		    v[K_EXTEND_BY], v[K_NUMERATOR] ? v[K_NUMERATOR] : v[K_DENOMINATOR] ?
		    v[K_DENOMINATOR] : v[K_COUNT], ind)) < 0)
			return r;
	} else if (ind->kind == IND_RATIO) {
		if (v[K_COUNT])
			return fail(c, v[K_COUNT], "count is for growth indicators; a ratio has "
			            "numerator and denominator");
		if (!v[K_NUMERATOR])
			return fail_missing(c, n, "numerator", "indicator");
		if ((r = parse_filter(c, v[K_NUMERATOR], "numerator", &ind->num)) < 0)
			return r;
		if (!v[K_DENOMINATOR])
			return fail_missing(c, n, "denominator", "indicator");
		if ((r = parse_filter(c, v[K_DENOMINATOR], "denominator", &ind->den)) < 0)
			return r;
		if (!filter_within(&ind->num, &ind->den))
			return fail(c, v[K_NUMERATOR], "numerator must be a part of the denominator: "
			            "restrict every key of the denominator to some of its values");
	} else {
		const yaml_node_t *extra = v[K_NUMERATOR] ? v[K_NUMERATOR] : v[K_DENOMINATOR];

		if (extra)
			return fail(c, extra, "a growth indicator has count, not numerator and "
			            "denominator");
		if (!v[K_COUNT])
			return fail_missing(c, n, "count", "indicator");
		if ((r = parse_filter(c, v[K_COUNT], "count", &ind->num)) < 0)
			return r;
	}
	if (!v[K_TARGET])
		return fail_missing(c, n, "target", "indicator");
	if ((r = parse_target(c, v[K_TARGET], ind->kind != IND_GROWTH, ind)) < 0)
		return r;
	if (v[K_COMBINE]) {
		if ((r = get_enum(c, v[K_COMBINE], "combine", combines, 2, &e)) < 0)
			return r;
		/* a growth compares two pooled totals; a mean of monthly growths is not defined */
		if (ind->kind == IND_GROWTH && e != COMBINE_POOLED)
			return fail(c, v[K_COMBINE], "a growth indicator is always pooled");
		ind->combine = (enum combine)e;
	}
	if (v[K_CADENCE]) {
		if ((r = get_enum(c, v[K_CADENCE], "cadence", cadences, 4, &e)) < 0)
			return r;
		ind->cadence = (enum cadence)e;
	}
	if (v[K_MIN_DENOMINATOR]) {
		if ((r = get_uint(c, v[K_MIN_DENOMINATOR], "min_denominator", 0, 1000000000, &u)) < 0)
			return r;
		ind->min_denominator = (int64_t)u;
	}
	/* month-to-date warnings suit a share; a growth is only known at the period's end,
	 * a deadline share only as its cases are decided */
	ind->early_warning = ind->kind == IND_RATIO;
	if (v[K_EARLY_WARNING] &&
	    (r = get_bool(c, v[K_EARLY_WARNING], "early_warning", &ind->early_warning)) < 0)
		return r;
	return 0;
}

/* indicators: a sequence of 0..64 indicator mappings with unique names. */
static int parse_indicators(struct ctx *c, const yaml_node_t *n)
{
	struct config *cfg = c->cfg;
	size_t count;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail_type(c, n, "indicators", "a sequence");
	count = seq_len(n);
	if (count > CFG_MAX_INDS)
		return fail(c, n, "more than %d indicators", CFG_MAX_INDS);
	if (count == 0)
		return 0;
	cfg->indicators = calloc(count, sizeof(*cfg->indicators));
	if (!cfg->indicators)
		return oom(c);
	cfg->nindicators = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = child(c, n->data.sequence.items.start[i]);

		c->ind_line[i] = (int)item->start_mark.line + 1;
		r = parse_indicator(c, item, &cfg->indicators[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ alerts */

/* Names of the template kinds, by enum alert_kind (the keys of templates:). */
static const char *const alert_kinds[AK__MAX] = {
	[AK_BREACH] = "breach", [AK_REMINDER] = "reminder", [AK_RESOLVED] = "resolved",
	[AK_SUMMARY] = "summary", [AK_TEST] = "test",
	[AK_STALE] = "stale", [AK_STALE_REMINDER] = "stale_reminder", [AK_FRESH] = "fresh",
	[AK_RESET] = "reset", [AK_REDIS_EVICTS] = "redis_evicts", [AK_REDIS_OK] = "redis_ok",
};

/* Frees a NULL-terminated argv and the strings in it. NULL is fine. */
static void argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/*
 * hysteresis: percentage points "2%" or a fraction 0.02, 0..0.5. Decimal
 * as in targets (read_decimal), so "2%" and 0.02 are the same double.
 */
static int parse_hysteresis(struct ctx *c, const yaml_node_t *n, double *ret)
{
	char buf[64];
	const char *s;
	size_t len, i = 0, scale = 0;
	uint64_t m = 0;
	double v;
	int r;

	r = get_text(c, n, "hysteresis", CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	if (!read_decimal(s, &i, &m, &scale))
		goto bad;
	if (s[i] == '%') {
		scale += 2;
		i++;
	}
	if (i != len)
		goto bad;
	v = decimal_value(m, scale);
	if (v > 0.5)
		return fail(c, n, "hysteresis must be between 0 and 0.5 (0%% and 50%%), not '%s'",
		            shown(s, len, buf));
	*ret = v;
	return 0;
bad:
	return fail(c, n, "bad hysteresis '%s': expected percentage points like \"2%%\" or a "
	            "fraction like 0.02", shown(s, len, buf));
}

/*
 * True for a DNS host name: 1..253 bytes of dot-separated labels, each
 * 1..63 of A-Z a-z 0-9 -, not starting or ending with '-'. All digits and
 * dots must be a valid dotted IPv4 address instead.
 */
static bool hostname_ok(const char *s, size_t len)
{
	char v4[16];
	size_t label = 0;
	bool alpha = false;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isascii(ch) || !(isalnum(ch) || ch == '-'))
			return false;
		if ((label == 0 && ch == '-') || ++label > 63)
			return false;
		alpha |= !isdigit(ch);
	}
	if (label == 0 || s[len - 1] == '-')
		return false;
	if (alpha)
		return true;
	if (len >= sizeof(v4))
		return false;
	memcpy(v4, s, len);
	v4[len] = '\0';
	return inet_pton(AF_INET, v4, &(struct in_addr){ 0 }) == 1;
}

/*
 * True for an addr-spec "local@domain" that is safe in a mail header and
 * on a sendmail command line: at most 254 bytes, printable ASCII without
 * spaces, no CR/LF, none of < > , ; : " ( ) [ ] \ (so no display name,
 * no second address, no quoting), exactly one '@', a local part of 1..64
 * bytes and a host name as domain.
 */
static bool addr_ok(const char *s, size_t len)
{
	const char *at = NULL;

	if (len > 254)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch >= 0x7f || strchr("<>,;:\"()[]\\", ch))
			return false;
		if (ch == '@') {
			if (at)
				return false;
			at = s + i;
		}
	}
	if (!at || at == s || at - s > 64)
		return false;
	return hostname_ok(at + 1, len - (size_t)(at + 1 - s));
}

/* A mail address (addr_ok) in *ret, freeing what *ret held. */
static int get_addr(struct ctx *c, const yaml_node_t *n, const char *what, char **ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = get_text(c, n, what, 254, &s, &len);
	if (r < 0)
		return r;
	if (!addr_ok(s, len))
		return fail(c, n, "bad mail address '%s' in %s: expected local@domain, printable ASCII "
		            "without spaces and without any of < > , ; : \" ( ) [ ] \\",
		            shown(s, len, buf), what);
	return get_str(c, n, what, 254, ret);
}

/* to: one address or a sequence of 1..16. */
static int parse_mail_to(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	size_t count = 1;
	int r;

	if (n->type == YAML_SEQUENCE_NODE) {
		count = seq_len(n);
		if (count < 1 || count > 16)
			return fail(c, n, "to must list 1 to 16 addresses");
	} else if (n->type != YAML_SCALAR_NODE)
		return fail_type(c, n, "to", "an address or a sequence of addresses");
	ac->to = calloc(count, sizeof(char *));
	if (!ac->to)
		return oom(c);
	ac->nto = count;        /* entries are filled in order; config_free copes with NULLs */
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = n->type == YAML_SEQUENCE_NODE ?
		                       child(c, n->data.sequence.items.start[i]) : n;

		if ((r = get_addr(c, v, "to", &ac->to[i])) < 0)
			return r;
	}
	return 0;
}

/*
 * sendmail: the program (an absolute path) and its arguments, 1..16
 * entries, run without a shell. config_load also checks that the program
 * is an executable regular file.
 */
static int parse_sendmail(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	char buf[64];
	size_t count;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail_type(c, n, "sendmail", "a sequence (the program and its arguments)");
	count = seq_len(n);
	if (count < 1 || count > 16)
		return fail(c, n, "sendmail must list 1 to 16 entries (the program and its arguments)");
	argv_free(ac->sendmail);
	ac->sendmail = calloc(count + 1, sizeof(char *));       /* NULL-terminated as it fills */
	if (!ac->sendmail)
		return oom(c);
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = child(c, n->data.sequence.items.start[i]);

		r = get_str(c, v, i ? "a sendmail argument" : "the sendmail program", CFG_MAX_PATH,
		            &ac->sendmail[i]);
		if (r < 0)
			return r;
	}
	{
		const yaml_node_t *prog = child(c, n->data.sequence.items.start[0]);
		const char *p = ac->sendmail[0];
		struct stat st;

		if (p[0] != '/')
			return fail(c, prog, "the sendmail program '%s' must be an absolute path",
			            shown(p, strlen(p), buf));
		if (!c->check_files)
			return 0;
		if (stat(p, &st) < 0) {
			int e = errno;

			return fail(c, prog, "the sendmail program '%s' cannot be used: %s",
			            shown(p, strlen(p), buf), strerror(e));
		}
		if (!S_ISREG(st.st_mode))
			return fail(c, prog, "the sendmail program '%s' is not a regular file",
			            shown(p, strlen(p), buf));
		if (access(p, X_OK) < 0) {
			int e = errno;

			return fail(c, prog, "the sendmail program '%s' is not executable: %s",
			            shown(p, strlen(p), buf), strerror(e));
		}
	}
	return 0;
}

/* mail: { to, from, sendmail } — to and from are required. */
static int parse_mail(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_TO, K_FROM, K_SENDMAIL, K__N };
	static const char *const keys[K__N] = { "to", "from", "sendmail" };
	yaml_node_t *v[K__N];
	int r;

	r = take_keys(c, n, "mail", keys, K__N, v);
	if (r < 0)
		return r;
	if (!v[K_TO])
		return fail_missing(c, n, "to", "mail");
	if (!v[K_FROM])
		return fail_missing(c, n, "from", "mail");
	if ((r = parse_mail_to(c, v[K_TO], ac)) < 0)
		return r;
	if ((r = get_addr(c, v[K_FROM], "from", &ac->from)) < 0)
		return r;
	if (v[K_SENDMAIL] && (r = parse_sendmail(c, v[K_SENDMAIL], ac)) < 0)
		return r;
	return 0;
}

/*
 * url: http://host[:port][/path], host a name, a dotted IPv4 address or
 * [IPv6]. Printable ASCII without spaces (it becomes the request line and
 * the Host header), no user info, no fragment. https is refused: TLS is
 * left to a local proxy. Fills webhook_url, _host (IPv6 without the
 * brackets), _port (default 80) and _path (default "/").
 */
static int parse_webhook_url(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	char buf[64], host[256];
	const char *s, *auth, *aend, *hend, *path;
	size_t len, hlen;
	unsigned long port = 80;
	int r;

	r = get_text(c, n, "url", CFG_MAX_URL, &s, &len);
	if (r < 0)
		return r;
	if (!strncasecmp(s, "https://", 8))
		return fail(c, n, "https is not supported in url: point it at a local TLS proxy "
		            "(e.g. stunnel) that forwards to the https endpoint");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return fail(c, n, "url must be printable ASCII without spaces");
	if (strncasecmp(s, "http://", 7) != 0)
		return fail(c, n, "bad url '%s': expected http://host[:port][/path]",
		            shown(s, len, buf));
	auth = s + 7;
	path = strchr(auth, '/');
	aend = path ? path : s + len;
	if (memchr(auth, '@', (size_t)(aend - auth)))
		return fail(c, n, "url must not hold user information (user@ or user:password@)");
	if (path && strchr(path, '#'))
		return fail(c, n, "url must not have a #fragment");
	if (auth < aend && auth[0] == '[') {
		hend = memchr(auth, ']', (size_t)(aend - auth));
		if (!hend || (size_t)(hend - auth - 1) >= sizeof(host))
			goto bad_host;
		hlen = (size_t)(hend - auth - 1);
		memcpy(host, auth + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &(struct in6_addr){ 0 }) != 1)
			goto bad_host;
		hend++;
	} else {
		hend = memchr(auth, ':', (size_t)(aend - auth));
		if (!hend)
			hend = aend;
		hlen = (size_t)(hend - auth);
		if (!hostname_ok(auth, hlen))
			goto bad_host;
		memcpy(host, auth, hlen);
		host[hlen] = '\0';
	}
	if (hend < aend) {
		const char *p = hend + 1;
		size_t plen = (size_t)(aend - p);

		if (*hend != ':')
			goto bad_host;
		port = 0;
		for (size_t i = 0; i < plen && port <= 65535; i++)
			port = isdigit((unsigned char)p[i]) ? port * 10 + (unsigned long)(p[i] - '0')
			                                    : 65536;
		if (plen == 0 || port < 1 || port > 65535)
			return fail(c, n, "bad port '%s' in url: expected 1 to 65535",
			            shown(p, plen, buf));
	}
	if (!(ac->webhook_url = strndup(s, len)) || !(ac->webhook_host = strdup(host)) ||
	    !(ac->webhook_path = strdup(path ? path : "/")))
		return oom(c);
	ac->webhook_port = (unsigned)port;
	return 0;
bad_host:
	return fail(c, n, "bad host in url '%s': expected a host name, an IPv4 address or "
	            "[an IPv6 address]", shown(s, len, buf));
}

/* webhook: { url, timeout_ms } — url is required. */
static int parse_webhook(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_URL, K_TIMEOUT_MS, K__N };
	static const char *const keys[K__N] = { "url", "timeout_ms" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "webhook", keys, K__N, v);
	if (r < 0)
		return r;
	if (!v[K_URL])
		return fail_missing(c, n, "url", "webhook");
	if ((r = parse_webhook_url(c, v[K_URL], ac)) < 0)
		return r;
	if (v[K_TIMEOUT_MS]) {
		if ((r = get_uint(c, v[K_TIMEOUT_MS], "timeout_ms", 100, 600000, &u)) < 0)
			return r;
		ac->webhook_timeout_ms = (unsigned)u;
	}
	return 0;
}

/* early_warning: { min_denominator, hysteresis, repeat } */
static int parse_early_warning(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_MIN_DENOMINATOR, K_HYSTERESIS, K_REPEAT, K__N };
	static const char *const keys[K__N] = { "min_denominator", "hysteresis", "repeat" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "early_warning", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_MIN_DENOMINATOR]) {
		if ((r = get_uint(c, v[K_MIN_DENOMINATOR], "min_denominator", 0, 1000000000, &u)) < 0)
			return r;
		ac->min_denominator = (int64_t)u;
	}
	if (v[K_HYSTERESIS] && (r = parse_hysteresis(c, v[K_HYSTERESIS], &ac->hysteresis)) < 0)
		return r;
	if (v[K_REPEAT] &&
	    (r = get_duration(c, v[K_REPEAT], "repeat", DUR_MIN, 365 * DUR_DAY, &ac->repeat_s)) < 0)
		return r;
	return 0;
}

/* summary: { grace } */
static int parse_summary(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_GRACE, K__N };
	static const char *const keys[K__N] = { "grace" };
	yaml_node_t *v[K__N];
	int r;

	r = take_keys(c, n, "summary", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_GRACE] &&
	    (r = get_duration(c, v[K_GRACE], "grace", 0, 31 * DUR_DAY, &ac->grace_s)) < 0)
		return r;
	return 0;
}

/*
 * delivery: { retry_min, retry_max, stream_maxlen, max_ambiguous } with
 * retry_min <= retry_max.
 */
static int parse_delivery(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_RETRY_MIN, K_RETRY_MAX, K_STREAM_MAXLEN, K_MAX_AMBIGUOUS, K__N };
	static const char *const keys[K__N] = { "retry_min", "retry_max", "stream_maxlen",
	                                        "max_ambiguous" };
	yaml_node_t *v[K__N];
	char lo[24], hi[24];
	uint64_t u;
	int r;

	r = take_keys(c, n, "delivery", keys, K__N, v);
	if (r < 0)
		return r;
	if (v[K_RETRY_MIN] &&
	    (r = get_duration(c, v[K_RETRY_MIN], "retry_min", 1, DUR_DAY, &ac->retry_min_s)) < 0)
		return r;
	if (v[K_RETRY_MAX] &&
	    (r = get_duration(c, v[K_RETRY_MAX], "retry_max", 1, 7 * DUR_DAY, &ac->retry_max_s)) < 0)
		return r;
	if (ac->retry_max_s < ac->retry_min_s)
		return fail(c, v[K_RETRY_MAX] ? v[K_RETRY_MAX] : v[K_RETRY_MIN],
		            "retry_max (%s) must not be less than retry_min (%s)",
		            fmt_duration(ac->retry_max_s, hi), fmt_duration(ac->retry_min_s, lo));
	if (v[K_STREAM_MAXLEN]) {
		if ((r = get_uint(c, v[K_STREAM_MAXLEN], "stream_maxlen", 10, 1000000, &u)) < 0)
			return r;
		ac->stream_maxlen = (size_t)u;
	}
	if (v[K_MAX_AMBIGUOUS]) {
		/* 0: park at the first ambiguous outcome (never a duplicate mail) */
		if ((r = get_uint(c, v[K_MAX_AMBIGUOUS], "max_ambiguous", 0, 100, &u)) < 0)
			return r;
		ac->max_ambiguous = (unsigned)u;
	}
	return 0;
}

/*
 * Reports the placeholder error tpl_check found at byte off of tpl (what
 * names the template): an unknown name, an unclosed '{' or a lone '}'. The
 * position is given in characters, 1-based, within the template text.
 */
static int fail_placeholder(struct ctx *c, const yaml_node_t *n, const char *what,
                            const char *tpl, size_t len, size_t off)
{
	static const char known[] = "{title} {indicator} {period} {period_id} {value} {target} "
	                            "{basis} {previous} {status} {table} {missed} {count} {nodata} {overview}";
	char buf[64];
	size_t pos = 1, end;

	for (size_t i = 0; i < off && i < len; i++)
		pos += ((unsigned char)tpl[i] & 0xC0) != 0x80;
	if (off >= len || tpl[off] == '}')
		return fail(c, n, "lone '}' at character %zu of the %s template (write }} for a "
		            "brace)", pos, what);
	for (end = off + 1; end < len && tpl[end] != '}' && tpl[end] != '{'; end++)
		;
	if (end == len || tpl[end] == '{')
		return fail(c, n, "unclosed '{' at character %zu of the %s template (write {{ for a "
		            "brace)", pos, what);
	return fail(c, n, "unknown placeholder '%s' at character %zu of the %s template (known: "
	            "%s)", shown(tpl + off, end + 1 - off, buf), pos, what, known);
}

/*
 * One template text (subject: one line of at most 200 bytes, no control
 * characters; body: at most 8192 bytes, no control characters but '\n' and
 * '\t'), checked with tpl_check. C1 controls (U+0080..U+009F) count as
 * control characters. Replaces *ret.
 */
static int get_template(struct ctx *c, const yaml_node_t *n, const char *kind, bool subject,
                        char **ret)
{
	size_t max = subject ? 200 : 8192, len, off = 0;
	char what[32];
	const char *s;
	int r;

	snprintf(what, sizeof(what), "%s %s", kind, subject ? "subject" : "body");
	r = get_text(c, n, what, max, &s, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool ctl = ch < 0x20 || ch == 0x7f ||
		           (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0);

		if (ctl && !(!subject && (ch == '\n' || ch == '\t')))
			return fail(c, n, "the %s template must not contain control characters%s", what,
			            subject ? " (it is one line)" : " other than line breaks and tabs");
	}
	if (tpl_check(s, len, &off) < 0)
		return fail_placeholder(c, n, what, s, len, off);
	return get_str(c, n, what, max, ret);
}

/* templates: { KIND: { subject, body }, ... }; what is not given keeps its default. */
static int parse_templates(struct ctx *c, const yaml_node_t *n, struct alert_conf *ac)
{
	enum { K_SUBJECT, K_BODY, K__N };
	static const char *const keys[K__N] = { "subject", "body" };
	yaml_node_t *kinds[AK__MAX], *v[K__N];
	int r;

	r = take_keys(c, n, "templates", alert_kinds, AK__MAX, kinds);
	if (r < 0)
		return r;
	for (size_t k = 0; k < AK__MAX; k++) {
		struct alert_template *t = &ac->tpl[k];

		if (!kinds[k])
			continue;
		if ((r = take_keys(c, kinds[k], "a template", keys, K__N, v)) < 0)
			return r;
		if (v[K_SUBJECT] &&
		    (r = get_template(c, v[K_SUBJECT], alert_kinds[k], true, &t->subject)) < 0)
			return r;
		if (v[K_BODY] && (r = get_template(c, v[K_BODY], alert_kinds[k], false, &t->body)) < 0)
			return r;
	}
	return 0;
}

/* alerts: { mail, webhook, early_warning, summary, delivery, check_interval_ms, templates } */
static int parse_alerts(struct ctx *c, const yaml_node_t *n)
{
	enum { K_MAIL, K_WEBHOOK, K_EARLY_WARNING, K_SUMMARY, K_DELIVERY, K_CHECK_INTERVAL_MS,
	       K_TEMPLATES, K__N };
	static const char *const keys[K__N] = { "mail", "webhook", "early_warning", "summary",
	                                        "delivery", "check_interval_ms", "templates" };
	struct alert_conf *ac = &c->cfg->alerts;
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "alerts", keys, K__N, v);
	if (r < 0)
		return r;
	ac->enabled = true;
	if (v[K_MAIL] && (r = parse_mail(c, v[K_MAIL], ac)) < 0)
		return r;
	if (v[K_WEBHOOK] && (r = parse_webhook(c, v[K_WEBHOOK], ac)) < 0)
		return r;
	if (v[K_EARLY_WARNING] && (r = parse_early_warning(c, v[K_EARLY_WARNING], ac)) < 0)
		return r;
	if (v[K_SUMMARY] && (r = parse_summary(c, v[K_SUMMARY], ac)) < 0)
		return r;
	if (v[K_DELIVERY] && (r = parse_delivery(c, v[K_DELIVERY], ac)) < 0)
		return r;
	if (v[K_CHECK_INTERVAL_MS]) {
		if ((r = get_uint(c, v[K_CHECK_INTERVAL_MS], "check_interval_ms", 100, 3600000, &u)) < 0)
			return r;
		ac->check_interval_ms = (unsigned)u;
	}
	if (v[K_TEMPLATES] && (r = parse_templates(c, v[K_TEMPLATES], ac)) < 0)
		return r;
	return 0;
}

/*
 * The alerts defaults (see struct alert_conf), also when there is no
 * alerts: section: the sendmail argv and every template are owned copies,
 * so users may rely on them being non-NULL.
 */
static int alert_defaults(struct ctx *c)
{
	static const char *const sendmail[] = { "/usr/sbin/sendmail", "-t", "-i" };
	struct alert_conf *ac = &c->cfg->alerts;

	ac->enabled = false;
	ac->webhook_port = 80;
	ac->webhook_timeout_ms = 10000;
	ac->min_denominator = 20;
	ac->hysteresis = 0.02;
	ac->repeat_s = 7 * DUR_DAY;
	ac->grace_s = 2 * DUR_DAY;
	ac->retry_min_s = 30;
	ac->retry_max_s = DUR_HOUR;
	ac->check_interval_ms = 60000;
	ac->stream_maxlen = 1000;
	ac->max_ambiguous = 3;
	ac->sendmail = calloc(sizeof(sendmail) / sizeof(sendmail[0]) + 1, sizeof(char *));
	if (!ac->sendmail)
		return oom(c);
	for (size_t i = 0; i < sizeof(sendmail) / sizeof(sendmail[0]); i++)
		if (!(ac->sendmail[i] = strdup(sendmail[i])))
			return oom(c);
	for (size_t k = 0; k < AK__MAX; k++) {
		const char *subject = alert_default_template((enum alert_kind)k, true);
		const char *body = alert_default_template((enum alert_kind)k, false);

		ac->tpl[k].subject = strdup(subject ? subject : "");
		ac->tpl[k].body = strdup(body ? body : "");
		if (!ac->tpl[k].subject || !ac->tpl[k].body)
			return oom(c);
	}
	return 0;
}

/* -------------------------------------------------------------------- http */

#define CFG_MAX_LISTEN  64              /* "[" + 45-byte IPv6 text + "]:65535" fits */

/*
 * listen: "ADDRESS:PORT". ADDRESS is a literal IPv4 address, a literal IPv6
 * address in brackets, or "localhost" (taken as 127.0.0.1, the one name
 * understood: the listener binds to an address, and a name could resolve
 * to anything, or to something else tomorrow). PORT is 0..65535, 0 = any
 * free port (tests). Any address is accepted; the loopback is the safe
 * choice, since /metrics has no authentication. Sets http.listen (as
 * written), http.host (the literal, no brackets) and http.port.
 */
static int parse_listen(struct ctx *c, const yaml_node_t *n)
{
	struct config *cfg = c->cfg;
	char buf[64], buf2[64], host[CFG_MAX_LISTEN + 1];
	const char *s, *colon, *port;
	size_t len, hlen, plen;
	unsigned long v = 0;
	int r;

	r = get_text(c, n, "listen", CFG_MAX_LISTEN, &s, &len);
	if (r < 0)
		return r;
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb)
			return fail(c, n, "bad listen address '%s': an IPv6 address needs its closing "
			            "']', as in \"[::1]:9187\"", shown(s, len, buf));
		hlen = (size_t)(rb - s - 1);
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &(struct in6_addr){ 0 }) != 1)
			return fail(c, n, "bad listen address '%s': '%s' is not an IPv6 address",
			            shown(s, len, buf), shown(host, hlen, buf2));
		colon = rb + 1;
		if (colon == s + len || *colon != ':')
			return fail(c, n, "bad listen address '%s': expected [IPV6]:PORT",
			            shown(s, len, buf));
	} else {
		colon = memchr(s, ':', len);
		if (!colon)
			return fail(c, n, "bad listen address '%s': expected ADDRESS:PORT, as in "
			            "\"127.0.0.1:9187\"", shown(s, len, buf));
		hlen = (size_t)(colon - s);
		if (memchr(colon + 1, ':', len - hlen - 1))
			return fail(c, n, "bad listen address '%s': write an IPv6 address in "
			            "brackets, as in \"[::1]:9187\"", shown(s, len, buf));
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (!strcasecmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
		else if (inet_pton(AF_INET, host, &(struct in_addr){ 0 }) != 1)
			return fail(c, n, "bad listen address '%s': '%s' is not an IP address (only "
			            "localhost is taken as a name; give the address to bind to)",
			            shown(s, len, buf), shown(host, hlen, buf2));
	}
	port = colon + 1;
	plen = len - (size_t)(port - s);
	for (size_t i = 0; i < plen && v <= 65535; i++)
		v = isdigit((unsigned char)port[i]) ? v * 10 + (unsigned long)(port[i] - '0') : 65536;
	if (plen == 0 || v > 65535)
		return fail(c, n, "bad port '%s' in listen: expected 0 to 65535 (0: any free port)",
		            shown(port, plen, buf));
	if (!(cfg->http.listen = strndup(s, len)) || !(cfg->http.host = strdup(host)))
		return oom(c);
	cfg->http.port = (unsigned)v;
	return 0;
}

#define CFG_MAX_MIN_CASES       1000000
#define CFG_MAX_HTTP_CONNECTIONS 4096   /* each costs a descriptor and ~1 KiB of buffers */

/*
 * http: { listen, min_cases, max_connections, request_timeout } — listen
 * is required when the section is there. min_cases (1..CFG_MAX_MIN_CASES,
 * default 5): the dashboard shows "för få ärenden" instead of a ratio over
 * fewer cases, so no small group can be singled out. max_connections
 * (1..CFG_MAX_HTTP_CONNECTIONS, default 64): connections open at once.
 * request_timeout (1 s..1 h, default 10 s): a request must arrive whole
 * within it, and an idle connection is closed after it.
 */
static int parse_http(struct ctx *c, const yaml_node_t *n)
{
	enum { K_LISTEN, K_MIN_CASES, K_MAX_CONN, K_REQ_TIMEOUT, K__N };
	static const char *const keys[K__N] = { "listen", "min_cases", "max_connections",
	                                        "request_timeout" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, n, "http", keys, K__N, v);
	if (r < 0)
		return r;
	if (!v[K_LISTEN])
		return fail_missing(c, n, "listen", "http");
	if ((r = parse_listen(c, v[K_LISTEN])) < 0)
		return r;
	if (v[K_MIN_CASES]) {
		r = get_uint(c, v[K_MIN_CASES], "min_cases", 1, CFG_MAX_MIN_CASES, &u);
		if (r < 0)
			return r;
		c->cfg->http.min_cases = (int64_t)u;
	}
	if (v[K_MAX_CONN]) {
		r = get_uint(c, v[K_MAX_CONN], "max_connections", 1, CFG_MAX_HTTP_CONNECTIONS, &u);
		if (r < 0)
			return r;
		c->cfg->http.max_connections = (unsigned)u;
	}
	if (v[K_REQ_TIMEOUT] &&
	    (r = get_duration(c, v[K_REQ_TIMEOUT], "request_timeout", 1, DUR_HOUR,
	                      &c->cfg->http.request_timeout_s)) < 0)
		return r;
	return 0;
}

/* ------------------------------------------------------------------- root */

/* Sets the documented defaults; strings are owned so config_free frees them all alike. */
static int config_defaults(struct ctx *c)
{
	struct config *cfg = c->cfg;

	cfg->timezone = strdup("Europe/Stockholm");
	cfg->redis.address = strdup("unix:/run/redis/redis.sock");
	cfg->redis.prefix = strdup("teleq:");
	cfg->redis.tag = strdup("teleqd");
	cfg->file = strdup(c->name);
	if (!cfg->timezone || !cfg->redis.address || !cfg->redis.prefix || !cfg->redis.tag ||
	    !cfg->file)
		return oom(c);
	cfg->redis.db = 0;
	cfg->redis.unresponsive_after_s = 5;
	cfg->redis.lease_s = LEASE_DEFAULT_S;
	cfg->dedup.window_days = 400;
	cfg->batch_max_events = 50000;
	cfg->batch_max_delay_ms = 100;
	cfg->deadletter_maxlen = 10000;
	cfg->rescan_interval_ms = 2000;
	cfg->http.min_cases = 5;
	cfg->http.max_connections = 64;
	cfg->http.request_timeout_s = 10;
	return alert_defaults(c);
}

/* The top-level mapping, sections in dependency order (not file order). */
static int parse_root(struct ctx *c, const yaml_node_t *root)
{
	enum { K_TIMEZONE, K_REDIS, K_DEDUP, K_BATCH, K_DEADLETTER, K_RESCAN, K_FEEDS,
	       K_INDICATORS, K_ALERTS, K_HTTP, K__N };
	static const char *const keys[K__N] = { "timezone", "redis", "dedup", "batch",
	                                        "deadletter", "rescan_interval_ms", "feeds",
	                                        "indicators", "alerts", "http" };
	yaml_node_t *v[K__N];
	uint64_t u;
	int r;

	r = take_keys(c, root, "the configuration", keys, K__N, v);
	if (r < 0)
		return r;
	if (!v[K_FEEDS])
		return fail_missing(c, root, "feeds", "the configuration");
	if (v[K_TIMEZONE] && (r = parse_timezone(c, v[K_TIMEZONE])) < 0)
		return r;
	if (v[K_REDIS] && (r = parse_redis(c, v[K_REDIS])) < 0)
		return r;
	if (v[K_DEDUP] && (r = parse_dedup(c, v[K_DEDUP])) < 0)
		return r;
	if (v[K_BATCH] && (r = parse_batch(c, v[K_BATCH])) < 0)
		return r;
	if (v[K_DEADLETTER] && (r = parse_deadletter(c, v[K_DEADLETTER])) < 0)
		return r;
	if (v[K_RESCAN]) {
		if ((r = get_uint(c, v[K_RESCAN], "rescan_interval_ms", 100, 3600000, &u)) < 0)
			return r;
		c->cfg->rescan_interval_ms = (unsigned)u;
	}
	if ((r = parse_feeds(c, v[K_FEEDS])) < 0)
		return r;
	sort_dims(c->cfg);
	if (v[K_INDICATORS] && (r = parse_indicators(c, v[K_INDICATORS])) < 0)
		return r;
	if (v[K_ALERTS] && (r = parse_alerts(c, v[K_ALERTS])) < 0)
		return r;
	if (v[K_HTTP] && (r = parse_http(c, v[K_HTTP])) < 0)
		return r;
	return 0;
}

/* ------------------------------------------------------------- YAML layer */

/*
 * Reports a libyaml error. Reader errors (bad UTF-8, control characters)
 * carry a byte offset only: it is turned into line and column here,
 * counting characters like libyaml does.
 */
static int yaml_fail(struct ctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_MEMORY_ERROR)
		return oom(c);
	if (p->error == YAML_READER_ERROR) {
		size_t line = 1, col = 1, end = p->problem_offset < c->len ? p->problem_offset : c->len;

		for (size_t i = 0; i < end; i++) {
			unsigned char ch = (unsigned char)c->text[i];

			if (ch == '\n') {
				line++;
				col = 1;
			} else if ((ch & 0xC0) != 0x80)
				col++;
		}
		return fail_mark(c, (yaml_mark_t){ .line = line - 1, .column = col - 1 },
		                 "invalid input: %s", problem);
	}
	if (p->context)
		return fail_mark(c, p->problem_mark, "YAML syntax error: %s (%s)", problem,
		                 p->context);
	return fail_mark(c, p->problem_mark, "YAML syntax error: %s", problem);
}

/*
 * Walks the event stream once before loading the document: bounds nesting
 * depth and node count (libyaml itself has no limits, and a megabyte of
 * "[" would otherwise cost hundreds of megabytes), and refuses a second
 * document, which yaml_parser_load would silently ignore.
 */
static int yaml_precheck(struct ctx *c)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t depth = 0, nevents = 0, ndocs = 0;
	int r = 0;

	if (!yaml_parser_initialize(&p))
		return oom(c);
	yaml_parser_set_input_string(&p, (const unsigned char *)c->text, c->len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	for (bool done = false; !done && r == 0;) {
		yaml_event_type_t type;
		yaml_mark_t mark;

		if (!yaml_parser_parse(&p, &ev)) {
			r = yaml_fail(c, &p);
			break;
		}
		type = ev.type;
		mark = ev.start_mark;
		yaml_event_delete(&ev);
		if (++nevents > CFG_MAX_EVENTS) {
			r = fail_mark(c, mark, "more than %d YAML nodes", CFG_MAX_EVENTS);
			break;
		}
		switch (type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				r = fail_mark(c, mark, "only one YAML document is allowed");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CFG_MAX_DEPTH)
				r = fail_mark(c, mark, "nested deeper than %d levels", CFG_MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
	}
	yaml_parser_delete(&p);
	return r;
}

/* ------------------------------------------------------------------ public */

/* config_parse, and with check_files the checks that need files (zone, sendmail). */
static int parse_text(const char *name, const char *text, size_t len, bool check_files,
                      struct config **ret, char *err, size_t errlen)
{
	struct ctx c = { .name = name ? name : "<config>", .text = text ? text : "", .len = len,
	                 .err = err, .errlen = errlen, .check_files = check_files };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int r;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!ret || (!text && len > 0))
		return -EINVAL;
	if (len > CFG_MAX_FILE)
		return fail_mark(&c, (yaml_mark_t){ 0 }, "the configuration is larger than 1 MiB");
	r = yaml_precheck(&c);
	if (r < 0)
		return r;

	if (!yaml_parser_initialize(&parser))
		return oom(&c);
	yaml_parser_set_input_string(&parser, (const unsigned char *)c.text, c.len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	if (!yaml_parser_load(&parser, &doc)) {
		/* composer errors, e.g. an undefined alias */
		r = yaml_fail(&c, &parser);
		yaml_parser_delete(&parser);
		return r;
	}
	yaml_parser_delete(&parser);
	c.doc = &doc;

	c.cfg = calloc(1, sizeof(*c.cfg));
	if (!c.cfg) {
		r = oom(&c);
		goto out;
	}
	r = config_defaults(&c);
	if (r < 0)
		goto out;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		r = fail_mark(&c, (yaml_mark_t){ 0 }, "missing required key 'feeds' in the "
		              "configuration (the file is empty)");
	else
		r = parse_root(&c, root);
out:
	yaml_document_delete(&doc);
	if (r < 0) {
		config_free(c.cfg);
		return r;
	}
	*ret = c.cfg;
	return 0;
}

/*
 * Parses text[0..len) as the config named name, without touching any
 * file. On success *ret owns a new config. On failure *ret is untouched,
 * err holds "name:line:col: ..." and the return is -EINVAL (-ENOMEM when
 * out of memory).
 */
int config_parse(const char *name, const char *text, size_t len, struct config **ret,
                 char *err, size_t errlen)
{
	return parse_text(name, text, len, false, ret, err, errlen);
}

/*
 * Reads path (a regular file of at most 1 MiB) and parses it like
 * config_parse, also checking the files the config names: that the time
 * zone exists and that a sendmail program given in alerts.mail is an
 * executable file. I/O errors return -errno with "path: reason" in err.
 */
int config_load(const char *path, struct config **ret, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, r;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!path || !ret)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CFG_MAX_FILE) {
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
			         "larger than 1 MiB" : "not a regular file");
		close(fd);
		return -EINVAL;
	}
	/* read up to one byte past the limit: the file may have grown since fstat */
	buf = malloc(CFG_MAX_FILE + 1);
	if (!buf) {
		close(fd);
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (len <= CFG_MAX_FILE) {
		ssize_t n = read(fd, buf + len, CFG_MAX_FILE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			if (err && errlen > 0)
				snprintf(err, errlen, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CFG_MAX_FILE) {
		r = -EINVAL;
		if (err && errlen > 0)
			snprintf(err, errlen, "%s: larger than 1 MiB", path);
		goto out;
	}
	r = parse_text(path, buf, len, true, ret, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

/* Frees one rule's map. */
static void rule_done(struct rule *r)
{
	for (size_t i = 0; r->from && i < r->nmap; i++)
		free(r->from[i]);
	free(r->from);
	free(r->to);
}

static void filter_done(struct filter *f)
{
	for (size_t i = 0; f->c && i < f->n; i++)
		free(f->c[i].ids);
	free(f->c);
}

/* Frees a config and everything it owns, also a partly built one. NULL is fine. */
void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->file);
	free(cfg->timezone);
	free(cfg->redis.address);
	free(cfg->redis.user);
	free(cfg->redis.password_file);
	free(cfg->redis.prefix);
	free(cfg->redis.tag);
	free(cfg->dedup.secret_file);
	for (size_t i = 0; i < cfg->nevents; i++)
		free(cfg->events[i]);
	for (size_t d = 0; d < cfg->ndims; d++) {
		free(cfg->dims[d].name);
		for (size_t i = 0; i < cfg->dims[d].nvalues; i++)
			free(cfg->dims[d].values[i]);
	}
	for (size_t f = 0; cfg->feeds && f < cfg->nfeeds; f++) {
		struct feed_conf *fc = &cfg->feeds[f];

		free(fc->name);
		free(fc->path);
		for (size_t i = 0; fc->csv.columns && i < fc->csv.ncolumns; i++)
			free(fc->csv.columns[i]);
		free(fc->csv.columns);
		for (size_t i = 0; i < fc->nslots; i++)
			free(fc->slots[i]);
		free(fc->time.format);
		rule_done(&fc->event);
		for (size_t d = 0; d < TQ_MAX_DIMS; d++)
			rule_done(&fc->dims[d]);
	}
	free(cfg->feeds);
	for (size_t i = 0; cfg->indicators && i < cfg->nindicators; i++) {
		free(cfg->indicators[i].name);
		free(cfg->indicators[i].title);
		filter_done(&cfg->indicators[i].num);
		filter_done(&cfg->indicators[i].den);
		filter_done(&cfg->indicators[i].start);
		filter_done(&cfg->indicators[i].stop);
		filter_done(&cfg->indicators[i].extend);
	}
	free(cfg->indicators);
	for (size_t i = 0; cfg->alerts.to && i < cfg->alerts.nto; i++)
		free(cfg->alerts.to[i]);
	free(cfg->alerts.to);
	free(cfg->alerts.from);
	argv_free(cfg->alerts.sendmail);
	free(cfg->alerts.webhook_url);
	free(cfg->alerts.webhook_host);
	free(cfg->alerts.webhook_path);
	for (size_t k = 0; k < AK__MAX; k++) {
		free(cfg->alerts.tpl[k].subject);
		free(cfg->alerts.tpl[k].body);
	}
	free(cfg->http.listen);
	free(cfg->http.host);
	free(cfg);
}

/* Id of value v[0..len) in dimension d, or of an event kind when d is -1; 0 when unknown. */
uint16_t config_value_id(const struct config *cfg, int d, const char *v, size_t len)
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
const char *config_value_name(const struct config *cfg, int d, uint16_t id)
{
	if (!cfg || id == 0)
		return NULL;
	if (d == -1)
		return id <= cfg->nevents ? cfg->events[id - 1] : NULL;
	if (d < 0 || (size_t)d >= cfg->ndims || id > cfg->dims[d].nvalues)
		return NULL;
	return cfg->dims[d].values[id - 1];
}
