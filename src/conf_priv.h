/*
 * conf_priv.h — what the parts of the config parser share (config.c,
 * conf_table.c, config_feeds.c, config_indicators.c, config_alerts.c);
 * not for the rest of teleqd, which sees struct config only.
 *
 * Scalar keys are described by tables (struct conf_key, struct
 * conf_section) in the manner of systemd's conf-parser: a key's name, its
 * type, where it goes, its range and its default. conf_section_parse reads
 * a mapping by such a table, conf_defaults sets the defaults; the defaults
 * live in the tables only. Structural parts (feeds, maps, filters,
 * indicators, templates) are hand-written and use the same getters.
 *
 * Every getter reports the first problem as "file:line:col: message" into
 * the context and returns -EINVAL (-ENOMEM when out of memory).
 */
#ifndef TELEQD_CONF_PRIV_H
#define TELEQD_CONF_PRIV_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <yaml.h>

#include "core.h"
#include "batch.h"
#include "indicator.h"
#include "tq_config.h"

#define CFG_MAX_FILE    (1024 * 1024)   /* bytes of the config file */
#define CFG_MAX_FEEDS   64              /* per-feed arrays in struct batch and the metrics */
_Static_assert(CFG_MAX_FEEDS <= BATCH_MAX_FEEDS, "a config may name more feeds than a batch holds");
/* CFG_MAX_INDS (64 indicators at most): in indicator.h */
#define CFG_MAX_DEPTH   32              /* YAML nesting; the schema needs 6 */
#define CFG_MAX_EVENTS  200000          /* YAML parser events in the whole file */
#define CFG_MAX_PATH    4095            /* PATH_MAX - 1 */
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
#define CFG_MAX_KEYS    24              /* keys of one table (a feed has 18) */

#define DUR_MIN         ((int64_t)60)   /* seconds */
#define DUR_HOUR        ((int64_t)3600)
#define DUR_DAY         ((int64_t)SECS_PER_DAY)

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
	int              man_line[CFG_MAX_INDS];    /* where each manual indicator starts */
	size_t           nind_done, nman_done;      /* indicators and manual ones parsed so far */
};

struct enum_name {
	const char *name;
	int         value;
};

/* ------------------------------------------------------------ reporting */

/* Reports a problem at a libyaml mark (0-based). Returns -EINVAL. */
int cf_fail_mark(struct ctx *c, yaml_mark_t m, const char *fmt, ...) TQ_PRINTF(3, 4);
/* Reports a problem at the start of node n. Returns -EINVAL. */
int cf_fail_node(struct ctx *c, const yaml_node_t *n, const char *fmt, ...) TQ_PRINTF(3, 4);
/*
 * fail() as a macro whose value is visibly -EINVAL: static analyzers do not
 * follow calls into variadic functions, and without it they take every
 * "return fail(...)" for a possible success (clang-tidy: dozens of false
 * "uninitialized value" reports after getters that failed).
 */
#define fail(c, n, ...) (cf_fail_node((c), (n), __VA_ARGS__), -EINVAL)
/*
 * Reports an allocation failure (no position: it is not the file's fault).
 * Returns -ENOMEM. Inline so that static analyzers see the negative value
 * behind every "return cf_oom(c)", as with fail().
 */
static inline int cf_oom(struct ctx *c)
{
	if (c->err && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return -ENOMEM;
}
/* At most 40 bytes of s[0..len) for a message, control bytes as '?'. Returns buf. */
const char *cf_shown(const char *s, size_t len, char buf[static 64]);

/* ---------------------------------------------------------- node access */

/* Node of a document id. */
yaml_node_t *cf_child(struct ctx *c, int id);
/* Scalar text, NUL-terminated by libyaml (may hold NULs from "\0" escapes). */
const char *cf_sv(const yaml_node_t *n);
/* True for a plain null scalar: empty, "~" or null. */
bool cf_is_null(const yaml_node_t *n);
size_t cf_map_len(const yaml_node_t *n);
size_t cf_seq_len(const yaml_node_t *n);
/* Reports that node n (the value of what) is not of the expected kind. Returns -EINVAL. */
int cf_fail_type(struct ctx *c, const yaml_node_t *n, const char *what, const char *expected);
/*
 * val[i] = the value node of keys[i] in mapping n (NULL when absent);
 * unknown and repeated keys and a non-mapping are errors. Returns 0 or -EINVAL.
 */
int cf_take_keys(struct ctx *c, const yaml_node_t *n, const char *what,
                 const char *const *keys, size_t nkeys, yaml_node_t **val);
/* Reports a missing required key at the mapping's position. Returns -EINVAL. */
int cf_fail_missing(struct ctx *c, const yaml_node_t *map, const char *key, const char *what);

/* ------------------------------------------------------ scalar getters */

/* All: 0 with *ret set, or -EINVAL (-ENOMEM) with the message in c. */
int cf_get_text(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen,
                const char **ret, size_t *ret_len);
/* A copy of the text in *ret (owned), freeing what *ret held before. */
int cf_get_str(struct ctx *c, const yaml_node_t *n, const char *what, size_t maxlen, char **ret);
int cf_get_uint(struct ctx *c, const yaml_node_t *n, const char *what, uint64_t min,
                uint64_t max, uint64_t *ret);
int cf_get_bool(struct ctx *c, const yaml_node_t *n, const char *what, bool *ret);
int cf_get_enum(struct ctx *c, const yaml_node_t *n, const char *what,
                const struct enum_name *names, size_t nnames, int *ret);
/* True when s[0..len) is 1..max bytes of a-z 0-9, the bytes in extra, and A-Z when upper. */
bool cf_name_ok(const char *s, size_t len, size_t max, bool upper, const char *extra);
int cf_get_abs_path(struct ctx *c, const yaml_node_t *n, const char *what, char **ret);
int cf_get_key_part(struct ctx *c, const yaml_node_t *n, const char *what, size_t min,
                    size_t max, char **ret);
/* Seconds s as "90s", "15m", "7d" (the largest exact unit) in buf. Returns buf. */
const char *cf_fmt_duration(int64_t s, char buf[static 24]);
int cf_get_duration(struct ctx *c, const yaml_node_t *n, const char *what, int64_t min,
                    int64_t max, int64_t *ret);
int cf_get_date(struct ctx *c, const yaml_node_t *n, const char *what, int64_t *ret);
/* One ASCII byte or "\t" (a csv delimiter or quote); "" (as 0) when empty_ok. */
int cf_get_char(struct ctx *c, const yaml_node_t *n, const char *what, bool empty_ok, char *ret);
/* A fraction "0.02" or percentage points "2%", 0..0.5 (hysteresis). */
int cf_get_fraction(struct ctx *c, const yaml_node_t *n, const char *what, double *ret);
/* An unsigned decimal at s[*i] as *ret_m / 10^*ret_scale; false (nothing read) when none. */
bool cf_read_decimal(const char *s, size_t *i, uint64_t *ret_m, size_t *ret_scale);
/* m / 10^scale, correctly rounded. */
double cf_decimal_value(uint64_t m, size_t scale);

/* ----------------------------------------------------------- key tables */

enum conf_type {
	CT_MANUAL,      /* taken from the mapping, read by the caller (structural) */
	CT_UINT,        /* cf_get_uint in [min, max] into an unsigned/int field of 4 or 8 bytes */
	CT_DURATION,    /* cf_get_duration in [min, max] seconds into an int64_t */
	CT_DATE,        /* cf_get_date into an int64_t day number */
	CT_BOOL,        /* cf_get_bool into a bool */
	CT_ENUM,        /* cf_get_enum over names into an enum field */
	CT_FRACTION,    /* cf_get_fraction into a double */
	CT_CHAR,        /* cf_get_char into a char; min is the least length: 0 allows "" (as 0) */
	CT_KEY_PART,    /* cf_get_key_part of min..max bytes into a char * */
	CT_ABS_PATH,    /* cf_get_abs_path into a char * */
	CT_FUNC,        /* fn(c, node, field) */
	CT_SECTION,     /* a nested mapping read by the table sub; field is its base */
};

struct conf_section;

/* One key of a mapping: how it is read and where it goes (base + offset). */
struct conf_key {
	const char      *name;          /* the key, also "what" in messages */
	enum conf_type   type;
	bool             required;
	size_t           offset;        /* of the field in the section's base */
	size_t           size;          /* of the field (CT_UINT, CT_ENUM) */
	int64_t          min, max;      /* CT_UINT, CT_DURATION; CT_KEY_PART, CT_CHAR: length */
	int64_t          def;           /* the default of a number, enum or bool */
	double           fdef;          /* the default of a CT_FRACTION */
	const char      *sdef;          /* the default of a string (owned copy); NULL: none */
	const struct enum_name *names;  /* CT_ENUM */
	size_t           nnames;
	int            (*fn)(struct ctx *c, const yaml_node_t *n, void *field);   /* CT_FUNC */
	const struct conf_section *sub; /* CT_SECTION */
};

/* A mapping with a fixed set of keys. */
struct conf_section {
	const char            *what;    /* "redis": "unknown key 'x' in redis" */
	const struct conf_key *keys;    /* in the order they are read (later may rely on earlier) */
	size_t                 nkeys;   /* at most CFG_MAX_KEYS */
	/* optional: checks across keys (val as from conf_take), run after all keys are
	 * read, or before key check_before when that is not 0 */
	int (*check)(struct ctx *c, const yaml_node_t *n, yaml_node_t *const *val, void *base);
	size_t check_before;
};

#define CONF_FIELD(type, field) .offset = offsetof(type, field), \
	.size = sizeof(((type *)0)->field)
#define CONF_N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Takes the keys of mapping n by the table: val[i] = value of keys[i] or
 * NULL; unknown, repeated and missing required keys (in table order) are
 * errors. Returns 0 or -EINVAL.
 */
int conf_take(struct ctx *c, const yaml_node_t *n, const struct conf_section *sec,
              yaml_node_t **val);
/* Reads the keys lo..hi-1 that are present into base, in table order. Returns 0 or -errno. */
int conf_apply(struct ctx *c, const struct conf_section *sec, size_t lo, size_t hi,
               yaml_node_t *const *val, void *base);
/*
 * conf_take, conf_apply of every key but CT_MANUAL ones, then sec->check
 * (see check_before). Returns 0 or -errno (-E2BIG: more than CFG_MAX_KEYS keys).
 */
int conf_section_parse(struct ctx *c, const yaml_node_t *n, const struct conf_section *sec,
                       void *base);
/* Sets every default of the table into base (nested sections too). Returns 0 or -ENOMEM. */
int conf_defaults(struct ctx *c, const struct conf_section *sec, void *base);

/* ------------------------------------------------------------ the parts */

/* config_feeds.c: feeds (then the dimensions sorted by name); base is the config. */
int cf_parse_feeds(struct ctx *c, const yaml_node_t *n, void *base);
/* config_indicators.c: indicators; base is the config. */
int cf_parse_indicators(struct ctx *c, const yaml_node_t *n, void *base);
/* config_alerts.c: the alerts section and its defaults (also without the section). */
extern const struct conf_section cf_alerts_section;
int cf_alert_defaults(struct ctx *c);
/* Frees a NULL-terminated argv and the strings in it. NULL is fine. */
void cf_argv_free(char **argv);

#endif
