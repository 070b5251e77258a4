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
 *
 * Scalar keys are read by key tables (conf_priv.h, conf_table.c), which
 * also hold their defaults; config_defaults applies them before the parse.
 * This file: the top-level table, the redis, dedup, batch, deadletter and
 * http tables, the YAML layer and the public functions. The feeds, the
 * indicators and the alerts are in config_feeds.c, config_indicators.c and
 * config_alerts.c.
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

#include "conf_priv.h"
#include "core.h"
#include "lease.h"
#include "redis_addr.h"
#include "sentinel.h"
#include "tq_config.h"
#include "tz.h"

/*
 * True when tz_load takes the zone: its TZif file ($TZDIR or
 * /usr/share/zoneinfo, then name) exists and glibc can use it (glibc would
 * silently read an unusable one as UTC). Checked by config_load only, so
 * that "teleqd -n" and a reload refuse a misspelt zone with its position;
 * config_parse stays free of file access. name is already known to be safe.
 */
static bool
zone_exists(const char *name)
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
static int
parse_timezone(struct ctx *c, const yaml_node_t *n, void *field)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, "timezone", CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	if (!cf_name_ok(s, len, CFG_MAX_SHORT, true, "/_+-.") || s[0] == '/' || s[0] == '.' ||
	    strstr(s, "..") || strstr(s, "//") || s[len - 1] == '/')
		return fail(c, n, "bad timezone '%s': expected a zone name like Europe/Stockholm",
		            cf_shown(s, len, buf));
	if (c->check_files && !zone_exists(s))
		return fail(c, n, "unknown timezone '%s' (no TZif file of that name in %s)",
		            cf_shown(s, len, buf), getenv("TZDIR") ? "$TZDIR" : "/usr/share/zoneinfo");
	return cf_get_str(c, n, "timezone", CFG_MAX_SHORT, field);
}

/* redis.address: checked by redis_addr_parse, the parser store.c and teleqctl use. */
static int
parse_address(struct ctx *c, const yaml_node_t *n, void *field)
{
	struct redis_addr ra;
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, "address", REDIS_ADDR_MAX, &s, &len);
	if (r < 0)
		return r;
	r = redis_addr_parse(s, &ra);
	if (r == -ENOENT)
		return fail(c, n, "bad redis address '%s': the unix socket path must be absolute",
		            cf_shown(s, len, buf));
	if (r == -ENAMETOOLONG)
		return fail(c, n, "unix socket path in address is longer than %d bytes",
		            REDIS_ADDR_SUN_MAX);
	if (r < 0)
		return fail(c, n, "bad redis address '%s': expected unix:/path or host:port",
		            cf_shown(s, len, buf));
	return cf_get_str(c, n, "address", REDIS_ADDR_MAX, field);
}

/* One entry of redis.sentinels into *ret: an address redis_addr_parse takes. */
static int
parse_sentinel(struct ctx *c, const yaml_node_t *v, char **ret)
{
	struct redis_addr ra;
	char buf[64];
	const char *s;
	size_t len;
	int r = cf_get_text(c, v, "a sentinel address", REDIS_ADDR_MAX, &s, &len);

	if (r < 0)
		return r;
	switch (redis_addr_parse(s, &ra)) {
	case 0:
		return cf_get_str(c, v, "a sentinel address", REDIS_ADDR_MAX, ret);
	case -ENOENT:
	case -ENAMETOOLONG:
		return fail(c, v, "bad sentinel address '%s': the unix socket path must be "
		            "absolute and at most %d bytes", cf_shown(s, len, buf), REDIS_ADDR_SUN_MAX);
	default:
		return fail(c, v, "bad sentinel address '%s': expected host:port or unix:/path",
		            cf_shown(s, len, buf));
	}
}

/*
 * redis.sentinels: a sequence of 1..SENTINEL_MAX sentinel addresses, each
 * checked by redis_addr_parse (the parser the daemon and teleqctl use).
 * Kept NULL-terminated; check_redis counts them.
 */
static int
parse_sentinels(struct ctx *c, const yaml_node_t *n, void *field)
{
	char ***list = field;
	size_t count = n->type == YAML_SEQUENCE_NODE ? cf_seq_len(n) : 0;
	int r = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return cf_fail_type(c, n, "sentinels", "a sequence of host:port addresses");
	if (count < 1 || count > SENTINEL_MAX)
		return fail(c, n, "sentinels must list 1 to %d addresses", SENTINEL_MAX);
	cf_argv_free(*list);
	if (!(*list = calloc(count + 1, sizeof(char *))))       /* NULL-terminated as it fills */
		return cf_oom(c);
	for (size_t i = 0; i < count && r == 0; i++)
		r = parse_sentinel(c, cf_child(c, n->data.sequence.items.start[i]), &(*list)[i]);
	return r;
}

/* redis.master_name: the name the sentinels monitor the master by. */
static int
parse_master_name(struct ctx *c, const yaml_node_t *n, void *field)
{
	char **name = field, buf[64];
	int r = cf_get_str(c, n, "master_name", SENTINEL_NAME_MAX, name);

	if (r == 0 && !sentinel_name_ok(*name))
		return fail(c, n, "bad master_name '%s': expected 1 to %d of A-Z a-z 0-9 . - _",
		            cf_shown(*name, strlen(*name), buf), SENTINEL_NAME_MAX);
	return r;
}

/* ---------------------------------------------------------- global sections */

/*
 * redis: all optional. The writer lease (lease.c) is renewed every third,
 * so 1 s is the least that survives a slow Redis; an hour is already a
 * long wait for a standby.
 */
static const struct conf_key redis_keys[] = {
	{ .name = "address", .type = CT_FUNC, .fn = parse_address,
	  CONF_FIELD(struct config, redis.address), .sdef = "unix:/run/redis/redis.sock" },
	{ .name = "user", .type = CT_KEY_PART, CONF_FIELD(struct config, redis.user), .min = 1,
	  .max = CFG_MAX_SHORT },
	{ .name = "password_file", .type = CT_ABS_PATH,
	  CONF_FIELD(struct config, redis.password_file) },
	{ .name = "prefix", .type = CT_KEY_PART, CONF_FIELD(struct config, redis.prefix),
	  .min = 0, .max = CFG_MAX_SHORT, .sdef = "teleq:" },
	{ .name = "tag", .type = CT_KEY_PART, CONF_FIELD(struct config, redis.tag), .min = 1,
	  .max = CFG_MAX_TAG, .sdef = "teleqd" },
	{ .name = "db", .type = CT_UINT, CONF_FIELD(struct config, redis.db), .min = 0,
	  .max = 65535, .def = 0 },
	{ .name = "unresponsive_after", .type = CT_DURATION,
	  CONF_FIELD(struct config, redis.unresponsive_after_s), .min = 1, .max = DUR_HOUR,
	  .def = 5 },
	{ .name = "lease", .type = CT_DURATION, CONF_FIELD(struct config, redis.lease_s),
	  .min = 1, .max = DUR_HOUR, .def = LEASE_DEFAULT_S },
	{ .name = "sentinels", .type = CT_FUNC, .fn = parse_sentinels,
	  CONF_FIELD(struct config, redis.sentinels) },
	{ .name = "master_name", .type = CT_FUNC, .fn = parse_master_name,
	  CONF_FIELD(struct config, redis.master_name) },
};
enum { RK_ADDRESS = 0, RK_SENTINELS = 8, RK_MASTER_NAME = 9 };  /* indexes in redis_keys */

/*
 * redis: sentinels and master_name go together, and exclude address (the
 * sentinels name the master; an address beside them would be ignored).
 */
static int
check_redis(struct ctx *c, const yaml_node_t *n, yaml_node_t *const *val, void *base)
{
	struct config *cfg = base;
	size_t i = 0;

	if (val[RK_SENTINELS] && !val[RK_MASTER_NAME])
		return fail(c, val[RK_SENTINELS], "redis.sentinels needs redis.master_name (the "
		            "name the sentinels monitor the master by)");
	if (val[RK_MASTER_NAME] && !val[RK_SENTINELS])
		return fail(c, val[RK_MASTER_NAME], "redis.master_name needs redis.sentinels");
	if (val[RK_SENTINELS] && val[RK_ADDRESS])
		return fail(c, val[RK_ADDRESS], "redis.address and redis.sentinels exclude each "
		            "other: the sentinels name the master");
	while (cfg->redis.sentinels && cfg->redis.sentinels[i])
		i++;
	cfg->redis.nsentinels = i;
	(void)n;
	return 0;
}
static const struct conf_section redis_section = {
	.what = "redis", .keys = redis_keys, .nkeys = CONF_N(redis_keys), .check = check_redis };

/* dedup: ten years at most: ids of last year's period must still be known for corrections */
static const struct conf_key dedup_keys[] = {
	{ .name = "secret_file", .type = CT_ABS_PATH,
	  CONF_FIELD(struct config, dedup.secret_file) },
	{ .name = "window_days", .type = CT_UINT, CONF_FIELD(struct config, dedup.window_days),
	  .min = 1, .max = 3660, .def = DEDUP_WINDOW_DAYS_DEFAULT },
};
static const struct conf_section dedup_section = {
	.what = "dedup", .keys = dedup_keys, .nkeys = CONF_N(dedup_keys) };

/* batch: max_events bounds the batch's memory and the size of one Lua commit */
static const struct conf_key batch_keys[] = {
	{ .name = "max_events", .type = CT_UINT, CONF_FIELD(struct config, batch_max_events),
	  .min = 1, .max = 1000000, .def = 50000 },
	{ .name = "max_delay_ms", .type = CT_UINT, CONF_FIELD(struct config, batch_max_delay_ms),
	  .min = 0, .max = 60000, .def = 100 },
};
static const struct conf_section batch_section = {
	.what = "batch", .keys = batch_keys, .nkeys = CONF_N(batch_keys) };

static const struct conf_key deadletter_keys[] = {
	{ .name = "maxlen", .type = CT_UINT, CONF_FIELD(struct config, deadletter_maxlen),
	  .min = 0, .max = 10000000, .def = 10000 },
};
static const struct conf_section deadletter_section = {
	.what = "deadletter", .keys = deadletter_keys, .nkeys = CONF_N(deadletter_keys) };

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
static int
parse_listen(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct config *cfg = base;
	char buf[64], buf2[64], host[CFG_MAX_LISTEN + 1];
	const char *s, *colon, *port;
	size_t len, hlen, plen;
	unsigned long v = 0;
	int r;

	r = cf_get_text(c, n, "listen", CFG_MAX_LISTEN, &s, &len);
	if (r < 0)
		return r;
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb)
			return fail(c, n, "bad listen address '%s': an IPv6 address needs its closing "
			            "']', as in \"[::1]:9187\"", cf_shown(s, len, buf));
		hlen = (size_t)(rb - s - 1);
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &(struct in6_addr){ 0 }) != 1)
			return fail(c, n, "bad listen address '%s': '%s' is not an IPv6 address",
			            cf_shown(s, len, buf), cf_shown(host, hlen, buf2));
		colon = rb + 1;
		if (colon == s + len || *colon != ':')
			return fail(c, n, "bad listen address '%s': expected [IPV6]:PORT",
			            cf_shown(s, len, buf));
	} else {
		colon = memchr(s, ':', len);
		if (!colon)
			return fail(c, n, "bad listen address '%s': expected ADDRESS:PORT, as in "
			            "\"127.0.0.1:9187\"", cf_shown(s, len, buf));
		hlen = (size_t)(colon - s);
		if (memchr(colon + 1, ':', len - hlen - 1))
			return fail(c, n, "bad listen address '%s': write an IPv6 address in "
			            "brackets, as in \"[::1]:9187\"", cf_shown(s, len, buf));
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (!strcasecmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
		else if (inet_pton(AF_INET, host, &(struct in_addr){ 0 }) != 1)
			return fail(c, n, "bad listen address '%s': '%s' is not an IP address (only "
			            "localhost is taken as a name; give the address to bind to)",
			            cf_shown(s, len, buf), cf_shown(host, hlen, buf2));
	}
	port = colon + 1;
	plen = len - (size_t)(port - s);
	for (size_t i = 0; i < plen && v <= 65535; i++)
		v = isdigit((unsigned char)port[i]) ? v * 10 + (unsigned long)(port[i] - '0') : 65536;
	if (plen == 0 || v > 65535)
		return fail(c, n, "bad port '%s' in listen: expected 0 to 65535 (0: any free port)",
		            cf_shown(port, plen, buf));
	if (!(cfg->http.listen = strndup(s, len)) || !(cfg->http.host = strdup(host)))
		return cf_oom(c);
	cfg->http.port = (unsigned)v;
	return 0;
}

#define CFG_MAX_MIN_CASES       1000000
#define CFG_MAX_HTTP_CONNECTIONS 4096   /* each costs a descriptor and ~1 KiB of buffers */

/*
 * http: listen is required when the section is there. min_cases: the
 * dashboard shows "för få ärenden" instead of a ratio over fewer cases, so
 * no small group can be singled out. max_connections: connections open at
 * once. request_timeout: a request must arrive whole within it, and an idle
 * connection is closed after it.
 */
static const struct conf_key http_keys[] = {
	{ .name = "listen", .type = CT_FUNC, .required = true, .fn = parse_listen, .offset = 0 },
	{ .name = "min_cases", .type = CT_UINT, CONF_FIELD(struct config, http.min_cases),
	  .min = 1, .max = CFG_MAX_MIN_CASES, .def = 5 },
	{ .name = "max_connections", .type = CT_UINT,
	  CONF_FIELD(struct config, http.max_connections), .min = 1,
	  .max = CFG_MAX_HTTP_CONNECTIONS, .def = 64 },
	{ .name = "request_timeout", .type = CT_DURATION,
	  CONF_FIELD(struct config, http.request_timeout_s), .min = 1, .max = DUR_HOUR,
	  .def = 10 },
};
static const struct conf_section http_section = {
	.what = "http", .keys = http_keys, .nkeys = CONF_N(http_keys) };

/* ------------------------------------------------------------------- root */

/*
 * The top-level mapping. Sections are read in this order (not file order),
 * so later ones can rely on earlier ones: dedup before feeds (an id needs
 * the dedup secret), feeds before indicators (a filter names what feeds
 * produce). Sections without a base field have the config as base.
 */
static const struct conf_key root_keys[] = {
	{ .name = "timezone", .type = CT_FUNC, .fn = parse_timezone,
	  CONF_FIELD(struct config, timezone), .sdef = "Europe/Stockholm" },
	{ .name = "redis", .type = CT_SECTION, .sub = &redis_section, .offset = 0 },
	{ .name = "dedup", .type = CT_SECTION, .sub = &dedup_section, .offset = 0 },
	{ .name = "batch", .type = CT_SECTION, .sub = &batch_section, .offset = 0 },
	{ .name = "deadletter", .type = CT_SECTION, .sub = &deadletter_section, .offset = 0 },
	{ .name = "rescan_interval_ms", .type = CT_UINT,
	  CONF_FIELD(struct config, rescan_interval_ms), .min = 100, .max = 3600000,
	  .def = 2000 },
	{ .name = "feeds", .type = CT_FUNC, .required = true, .fn = cf_parse_feeds, .offset = 0 },
	{ .name = "indicators", .type = CT_FUNC, .fn = cf_parse_indicators, .offset = 0 },
	{ .name = "alerts", .type = CT_SECTION, .sub = &cf_alerts_section,
	  .offset = offsetof(struct config, alerts) },
	{ .name = "http", .type = CT_SECTION, .sub = &http_section, .offset = 0 },
};
static const struct conf_section root_section = {
	.what = "the configuration", .keys = root_keys, .nkeys = CONF_N(root_keys) };

/*
 * Sets the defaults of the tables; strings are owned so config_free frees
 * them all alike. The alerts defaults that are no key (sendmail argv,
 * templates) are set by cf_alert_defaults.
 */
static int
config_defaults(struct ctx *c)
{
	int r;

	if (!(c->cfg->file = strdup(c->name)))
		return cf_oom(c);
	if ((r = conf_defaults(c, &root_section, c->cfg)) < 0)
		return r;
	return cf_alert_defaults(c);
}

/* ------------------------------------------------------------- YAML layer */

/*
 * Reports a libyaml error. Reader errors (bad UTF-8, control characters)
 * carry a byte offset only: it is turned into line and column here,
 * counting characters like libyaml does.
 */
static int
yaml_fail(struct ctx *c, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_MEMORY_ERROR)
		return cf_oom(c);
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
		return cf_fail_mark(c, (yaml_mark_t){ .line = line - 1, .column = col - 1 },
		                 "invalid input: %s", problem);
	}
	if (p->context)
		return cf_fail_mark(c, p->problem_mark, "YAML syntax error: %s (%s)", problem,
		                 p->context);
	return cf_fail_mark(c, p->problem_mark, "YAML syntax error: %s", problem);
}

/*
 * Walks the event stream once before loading the document: bounds nesting
 * depth and node count (libyaml itself has no limits, and a megabyte of
 * "[" would otherwise cost hundreds of megabytes), and refuses a second
 * document, which yaml_parser_load would silently ignore.
 */
static int
yaml_precheck(struct ctx *c)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t depth = 0, nevents = 0, ndocs = 0;
	int r = 0;

	if (!yaml_parser_initialize(&p))
		return cf_oom(c);
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
			r = cf_fail_mark(c, mark, "more than %d YAML nodes", CFG_MAX_EVENTS);
			break;
		}
		switch (type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				r = cf_fail_mark(c, mark, "only one YAML document is allowed");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CFG_MAX_DEPTH)
				r = cf_fail_mark(c, mark, "nested deeper than %d levels", CFG_MAX_DEPTH);
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
static int
parse_text(const char *name, const char *text, size_t len, bool check_files,
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
		return cf_fail_mark(&c, (yaml_mark_t){ 0 }, "the configuration is larger than 1 MiB");
	r = yaml_precheck(&c);
	if (r < 0)
		return r;

	if (!yaml_parser_initialize(&parser))
		return cf_oom(&c);
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
		r = cf_oom(&c);
		goto out;
	}
	r = config_defaults(&c);
	if (r < 0)
		goto out;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		r = cf_fail_mark(&c, (yaml_mark_t){ 0 }, "missing required key 'feeds' in the "
		              "configuration (the file is empty)");
	else
		r = conf_section_parse(&c, root, &root_section, c.cfg);
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
int
config_parse(const char *name, const char *text, size_t len, struct config **ret,
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
int
config_load(const char *path, struct config **ret, char *err, size_t errlen)
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
static void
rule_done(struct rule *r)
{
	for (size_t i = 0; r->from && i < r->nmap; i++)
		free(r->from[i]);
	free(r->from);
	free(r->to);
}

static void
filter_done(struct filter *f)
{
	for (size_t i = 0; f->c && i < f->n; i++)
		free(f->c[i].ids);
	free(f->c);
}

/* Frees a config and everything it owns, also a partly built one. NULL is fine. */
void
config_free(struct config *cfg)
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
	cf_argv_free(cfg->redis.sentinels);
	free(cfg->redis.master_name);
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
		free(cfg->indicators[i].heading);
		filter_done(&cfg->indicators[i].num);
		filter_done(&cfg->indicators[i].den);
		filter_done(&cfg->indicators[i].start);
		filter_done(&cfg->indicators[i].stop);
		filter_done(&cfg->indicators[i].extend);
	}
	free(cfg->indicators);
	for (size_t i = 0; cfg->manuals && i < cfg->nmanuals; i++) {
		free(cfg->manuals[i].name);
		free(cfg->manuals[i].title);
		free(cfg->manuals[i].heading);
	}
	free(cfg->manuals);
	for (size_t i = 0; cfg->alerts.to && i < cfg->alerts.nto; i++)
		free(cfg->alerts.to[i]);
	free(cfg->alerts.to);
	free(cfg->alerts.from);
	free(cfg->alerts.from_name);
	cf_argv_free(cfg->alerts.sendmail);
	free(cfg->alerts.webhook_url);
	free(cfg->alerts.webhook_host);
	free(cfg->alerts.webhook_path);
	free(cfg->alerts.webhook_ca_file);
	free(cfg->alerts.webhook_proxy_host);
	for (size_t k = 0; k < AK__MAX; k++) {
		free(cfg->alerts.tpl[k].subject);
		free(cfg->alerts.tpl[k].body);
	}
	free(cfg->http.listen);
	free(cfg->http.host);
	free(cfg);
}

