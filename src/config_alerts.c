/*
 * config_alerts.c — the alerts section of teleqd.yaml: mail (addresses,
 * the sendmail argv), webhook (an http:// url), early warnings, summaries,
 * delivery and templates. Scalar keys by key tables (their defaults
 * there); the argv and the templates, which are no scalar keys, get their
 * defaults in cf_alert_defaults.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf_priv.h"
#include "message.h"
#include "tq_config.h"

/* Names of the template kinds, by enum alert_kind (the keys of templates:). */
static const char *const alert_kinds[AK__MAX] = {
	[AK_BREACH] = "breach", [AK_REMINDER] = "reminder", [AK_RESOLVED] = "resolved",
	[AK_SUMMARY] = "summary", [AK_TEST] = "test",
	[AK_STALE] = "stale", [AK_STALE_REMINDER] = "stale_reminder", [AK_FRESH] = "fresh",
	[AK_RESET] = "reset", [AK_REDIS_EVICTS] = "redis_evicts", [AK_REDIS_OK] = "redis_ok",
};

/* Frees a NULL-terminated argv and the strings in it. NULL is fine. */
void
cf_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/*
 * True for a DNS host name: 1..253 bytes of dot-separated labels, each
 * 1..63 of A-Z a-z 0-9 -, not starting or ending with '-'. All digits and
 * dots must be a valid dotted IPv4 address instead.
 */
static bool
hostname_ok(const char *s, size_t len)
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
static bool
addr_ok(const char *s, size_t len)
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
static int
get_addr(struct ctx *c, const yaml_node_t *n, const char *what, char **ret)
{
	char buf[64];
	const char *s;
	size_t len;
	int r;

	r = cf_get_text(c, n, what, 254, &s, &len);
	if (r < 0)
		return r;
	if (!addr_ok(s, len))
		return fail(c, n, "bad mail address '%s' in %s: expected local@domain, printable ASCII "
		            "without spaces and without any of < > , ; : \" ( ) [ ] \\",
		            cf_shown(s, len, buf), what);
	return cf_get_str(c, n, what, 254, ret);
}

/* to: one address or a sequence of 1..16. */
static int
parse_mail_to(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	size_t count = 1;
	int r;

	if (n->type == YAML_SEQUENCE_NODE) {
		count = cf_seq_len(n);
		if (count < 1 || count > 16)
			return fail(c, n, "to must list 1 to 16 addresses");
	} else if (n->type != YAML_SCALAR_NODE)
		return cf_fail_type(c, n, "to", "an address or a sequence of addresses");
	ac->to = calloc(count, sizeof(char *));
	if (!ac->to)
		return cf_oom(c);
	ac->nto = count;        /* entries are filled in order; config_free copes with NULLs */
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = n->type == YAML_SEQUENCE_NODE ?
		                       cf_child(c, n->data.sequence.items.start[i]) : n;

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
static int
parse_sendmail(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	char buf[64];
	size_t count;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return cf_fail_type(c, n, "sendmail", "a sequence (the program and its arguments)");
	count = cf_seq_len(n);
	if (count < 1 || count > 16)
		return fail(c, n, "sendmail must list 1 to 16 entries (the program and its arguments)");
	cf_argv_free(ac->sendmail);
	ac->sendmail = calloc(count + 1, sizeof(char *));       /* NULL-terminated as it fills */
	if (!ac->sendmail)
		return cf_oom(c);
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = cf_child(c, n->data.sequence.items.start[i]);

		r = cf_get_str(c, v, i ? "a sendmail argument" : "the sendmail program", CFG_MAX_PATH,
		            &ac->sendmail[i]);
		if (r < 0)
			return r;
	}
	{
		const yaml_node_t *prog = cf_child(c, n->data.sequence.items.start[0]);
		const char *p = ac->sendmail[0];
		struct stat st;

		if (p[0] != '/')
			return fail(c, prog, "the sendmail program '%s' must be an absolute path",
			            cf_shown(p, strlen(p), buf));
		if (!c->check_files)
			return 0;
		if (stat(p, &st) < 0) {
			int e = errno;

			return fail(c, prog, "the sendmail program '%s' cannot be used: %s",
			            cf_shown(p, strlen(p), buf), strerror(e));
		}
		if (!S_ISREG(st.st_mode))
			return fail(c, prog, "the sendmail program '%s' is not a regular file",
			            cf_shown(p, strlen(p), buf));
		if (access(p, X_OK) < 0) {
			int e = errno;

			return fail(c, prog, "the sendmail program '%s' is not executable: %s",
			            cf_shown(p, strlen(p), buf), strerror(e));
		}
	}
	return 0;
}

/* from: one address */
static int
get_from(struct ctx *c, const yaml_node_t *n, void *field)
{
	return get_addr(c, n, "from", field);
}

/*
 * from_name: the display name in From (UTF-8, as YAML gives it), at most
 * 128 bytes; no control character (a line break would start a header).
 * mail_build encodes it.
 */
static int
get_from_name(struct ctx *c, const yaml_node_t *n, void *field)
{
	const char *s;
	size_t len;
	int r;

	if ((r = cf_get_text(c, n, "from_name", 128, &s, &len)) < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return fail(c, n, "from_name must not contain a control character");
	return cf_get_str(c, n, "from_name", 128, field);
}

/* mail: to and from are required. */
static const struct conf_key mail_keys[] = {
	{ .name = "to", .type = CT_FUNC, .required = true, .fn = parse_mail_to, .offset = 0 },
	{ .name = "from", .type = CT_FUNC, .required = true, .fn = get_from,
	  CONF_FIELD(struct alert_conf, from) },
	{ .name = "from_name", .type = CT_FUNC, .fn = get_from_name,
	  CONF_FIELD(struct alert_conf, from_name), .sdef = "Patientnämnden" },
	{ .name = "sendmail", .type = CT_FUNC, .fn = parse_sendmail, .offset = 0 },
};
static const struct conf_section mail_section = {
	.what = "mail", .keys = mail_keys, .nkeys = CONF_N(mail_keys) };

/*
 * The one URL parser of the webhook keys (url and proxy): the scalar n as
 * scheme://host[:port][/path], scheme http, or https when tls_ok; host a
 * name, a dotted IPv4 address or [IPv6]. Printable ASCII without spaces
 * (it becomes the request line and the Host header), no user info, no
 * fragment; a path only when path_ok. 0 and *ret, or -EINVAL with the
 * message in c (key names the key).
 */
struct url_parts {
	const char *url;        /* the text (in the YAML document), len bytes */
	const char *path;       /* into url, NULL when there is none */
	size_t      len;
	char        host[256];  /* IPv6 without the brackets */
	unsigned    port;       /* default 80, 443 for https */
	bool        tls;
};

static int
url_split(struct ctx *c, const yaml_node_t *n, const char *key, bool tls_ok, bool path_ok,
          struct url_parts *ret)
{
	char buf[64];
	const char *s, *auth, *aend, *hend, *path;
	size_t len, hlen, skip;
	unsigned long port;
	bool tls = false;
	int r;

	r = cf_get_text(c, n, key, CFG_MAX_URL, &s, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return fail(c, n, "%s must be printable ASCII without spaces", key);
	if (len >= 8 && !strncasecmp(s, "https://", 8) && tls_ok)
		tls = true;
	else if (len < 7 || strncasecmp(s, "http://", 7) != 0)
		return fail(c, n, "bad %s '%s': expected %s://host[:port]%s", key,
		            cf_shown(s, len, buf), tls_ok ? "http[s]" : "http",
		            path_ok ? "[/path]" : "");
	skip = tls ? 8 : 7;
	port = tls ? 443 : 80;
	auth = s + skip;
	path = memchr(auth, '/', len - skip);
	aend = path ? path : s + len;
	if (memchr(auth, '@', (size_t)(aend - auth)))
		return fail(c, n, "%s must not hold user information (user@ or user:password@)", key);
	if (path && memchr(path, '#', (size_t)(s + len - path)))
		return fail(c, n, "%s must not have a #fragment", key);
	if (path && !path_ok && (size_t)(s + len - path) > 1)
		return fail(c, n, "%s must not have a path: expected http://host:port", key);
	if (auth < aend && auth[0] == '[') {
		hend = memchr(auth, ']', (size_t)(aend - auth));
		if (!hend || (size_t)(hend - auth - 1) >= sizeof(ret->host))
			goto bad_host;
		hlen = (size_t)(hend - auth - 1);
		memcpy(ret->host, auth + 1, hlen);
		ret->host[hlen] = '\0';
		if (inet_pton(AF_INET6, ret->host, &(struct in6_addr){ 0 }) != 1)
			goto bad_host;
		hend++;
	} else {
		hend = memchr(auth, ':', (size_t)(aend - auth));
		if (!hend)
			hend = aend;
		hlen = (size_t)(hend - auth);
		if (hlen >= sizeof(ret->host) || !hostname_ok(auth, hlen))
			goto bad_host;
		memcpy(ret->host, auth, hlen);
		ret->host[hlen] = '\0';
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
			return fail(c, n, "bad port '%s' in %s: expected 1 to 65535",
			            cf_shown(p, plen, buf), key);
	}
	ret->url = s;
	ret->len = len;
	ret->tls = tls;
	ret->port = (unsigned)port;
	ret->path = path;
	return 0;
bad_host:
	return fail(c, n, "bad host in %s '%s': expected a host name, an IPv4 address or "
	            "[an IPv6 address]", key, cf_shown(s, len, buf));
}

/*
 * url: http[s]://host[:port][/path] (url_split). https is verified
 * against the system CA store or ca_file (notify.c, webhook.c). Fills
 * webhook_url, _tls, _host, _port (default 80 / 443) and _path (default "/").
 */
static int
parse_webhook_url(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	struct url_parts u;
	int r;

	if ((r = url_split(c, n, "url", true, true, &u)) < 0)
		return r;
	free(ac->webhook_url);
	free(ac->webhook_host);
	free(ac->webhook_path);
	if (!(ac->webhook_url = strndup(u.url, u.len)) || !(ac->webhook_host = strdup(u.host)) ||
	    !(ac->webhook_path = u.path ? strndup(u.path, (size_t)(u.url + u.len - u.path))
	                                : strdup("/")))
		return cf_oom(c);
	ac->webhook_tls = u.tls;
	ac->webhook_port = u.port;
	return 0;
}

/*
 * proxy: http://host:port, an HTTP proxy that takes CONNECT (https
 * urls, tunnelled) and absolute-form requests (http urls). Same parser
 * as url; no path, no https (the hop to the proxy is plain).
 */
static int
parse_webhook_proxy(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	struct url_parts u;
	int r;

	if ((r = url_split(c, n, "proxy", false, false, &u)) < 0)
		return r;
	free(ac->webhook_proxy_host);
	if (!(ac->webhook_proxy_host = strdup(u.host)))
		return cf_oom(c);
	ac->webhook_proxy_port = u.port;
	return 0;
}

#define CA_FILE_MAX (4 << 20)   /* a CA bundle larger than this is a mistake */

/*
 * ca_file: a PEM file of the CAs the https webhook's certificate must
 * chain to, instead of the system store. Checked here so `teleqd -n`
 * catches it: readable, a regular file of at most CA_FILE_MAX bytes, and
 * holding at least one PEM certificate.
 */
static int
parse_webhook_ca_file(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	char *buf = NULL;
	size_t got = 0;
	struct stat st;
	FILE *f;
	bool pem;
	int r;

	r = cf_get_str(c, n, "ca_file", CFG_MAX_PATH, &ac->webhook_ca_file);
	if (r < 0)
		return r;
	f = fopen(ac->webhook_ca_file, "re");
	if (!f)
		return fail(c, n, "ca_file %s: cannot read it: %s", ac->webhook_ca_file,
		            strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CA_FILE_MAX) {
		fclose(f);
		return fail(c, n, "ca_file %s: expected a regular file of at most %d MiB",
		            ac->webhook_ca_file, CA_FILE_MAX >> 20);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return cf_oom(c);
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	buf[got] = '\0';
	fclose(f);
	pem = strstr(buf, "-----BEGIN CERTIFICATE-----") != NULL;
	free(buf);
	if (!pem)
		return fail(c, n, "ca_file %s: no PEM certificate in it "
		            "(expected -----BEGIN CERTIFICATE-----)", ac->webhook_ca_file);
	return 0;
}

/* webhook: url is required. */
static const struct conf_key webhook_keys[] = {
	{ .name = "url", .type = CT_FUNC, .required = true, .fn = parse_webhook_url,
	  .offset = 0 },
	{ .name = "timeout_ms", .type = CT_UINT,
	  CONF_FIELD(struct alert_conf, webhook_timeout_ms), .min = 100, .max = 600000,
	  .def = 10000 },
	{ .name = "proxy", .type = CT_FUNC, .fn = parse_webhook_proxy, .offset = 0 },
	{ .name = "ca_file", .type = CT_FUNC, .fn = parse_webhook_ca_file, .offset = 0 },
};
static const struct conf_section webhook_section = {
	.what = "webhook", .keys = webhook_keys, .nkeys = CONF_N(webhook_keys) };

static const struct conf_key early_warning_keys[] = {
	{ .name = "min_denominator", .type = CT_UINT,
	  CONF_FIELD(struct alert_conf, min_denominator), .min = 0, .max = 1000000000,
	  .def = 20 },
	{ .name = "hysteresis", .type = CT_FRACTION, CONF_FIELD(struct alert_conf, hysteresis),
	  .fdef = 0.02 },
	{ .name = "repeat", .type = CT_DURATION, CONF_FIELD(struct alert_conf, repeat_s),
	  .min = DUR_MIN, .max = 365 * DUR_DAY, .def = 7 * DUR_DAY },
};
static const struct conf_section early_warning_section = {
	.what = "early_warning", .keys = early_warning_keys,
	.nkeys = CONF_N(early_warning_keys) };

static const struct conf_key summary_keys[] = {
	{ .name = "grace", .type = CT_DURATION, CONF_FIELD(struct alert_conf, grace_s), .min = 0,
	  .max = 31 * DUR_DAY, .def = 2 * DUR_DAY },
	{ .name = "attach_report", .type = CT_BOOL, CONF_FIELD(struct alert_conf, attach_report),
	  .def = false },
};
static const struct conf_section summary_section = {
	.what = "summary", .keys = summary_keys, .nkeys = CONF_N(summary_keys) };

enum { D_RETRY_MIN, D_RETRY_MAX, D_STREAM_MAXLEN, D_MAX_AMBIGUOUS, D__N };

/* delivery: retry_min <= retry_max */
static int
check_delivery(struct ctx *c, const yaml_node_t *n, yaml_node_t *const *v, void *base)
{
	const struct alert_conf *ac = base;
	char lo[24], hi[24];

	if (ac->retry_max_s < ac->retry_min_s)
		return fail(c, v[D_RETRY_MAX] ? v[D_RETRY_MAX] : v[D_RETRY_MIN],
		            "retry_max (%s) must not be less than retry_min (%s)",
		            cf_fmt_duration(ac->retry_max_s, hi), cf_fmt_duration(ac->retry_min_s, lo));
	return 0;
}

/*
 * delivery: the retry check runs before stream_maxlen is read. max_ambiguous
 * 0: park at the first ambiguous outcome (never a duplicate mail).
 */
static const struct conf_key delivery_keys[D__N] = {
	[D_RETRY_MIN] = { .name = "retry_min", .type = CT_DURATION,
	                  CONF_FIELD(struct alert_conf, retry_min_s), .min = 1, .max = DUR_DAY,
	                  .def = 30 },
	[D_RETRY_MAX] = { .name = "retry_max", .type = CT_DURATION,
	                  CONF_FIELD(struct alert_conf, retry_max_s), .min = 1,
	                  .max = 7 * DUR_DAY, .def = DUR_HOUR },
	[D_STREAM_MAXLEN] = { .name = "stream_maxlen", .type = CT_UINT,
	                      CONF_FIELD(struct alert_conf, stream_maxlen), .min = 10,
	                      .max = 1000000, .def = 1000 },
	[D_MAX_AMBIGUOUS] = { .name = "max_ambiguous", .type = CT_UINT,
	                      CONF_FIELD(struct alert_conf, max_ambiguous), .min = 0, .max = 100,
	                      .def = 3 },
};
static const struct conf_section delivery_section = {
	.what = "delivery", .keys = delivery_keys, .nkeys = D__N, .check = check_delivery,
	.check_before = D_STREAM_MAXLEN };

/*
 * Reports the placeholder error tpl_check found at byte off of tpl (what
 * names the template): an unknown name, an unclosed '{' or a lone '}'. The
 * position is given in characters, 1-based, within the template text.
 */
static int
fail_placeholder(struct ctx *c, const yaml_node_t *n, const char *what,
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
	            "%s)", cf_shown(tpl + off, end + 1 - off, buf), pos, what, known);
}

/*
 * One template text (subject: one line of at most 200 bytes, no control
 * characters; body: at most 8192 bytes, no control characters but '\n' and
 * '\t'), checked with tpl_check. C1 controls (U+0080..U+009F) count as
 * control characters. Replaces *ret.
 */
static int
get_template(struct ctx *c, const yaml_node_t *n, const char *kind, bool subject,
             char **ret)
{
	size_t max = subject ? 200 : 8192, len, off = 0;
	char what[32];
	const char *s;
	int r;

	snprintf(what, sizeof(what), "%s %s", kind, subject ? "subject" : "body");
	r = cf_get_text(c, n, what, max, &s, &len);
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
	return cf_get_str(c, n, what, max, ret);
}

/* templates: { KIND: { subject, body }, ... }; what is not given keeps its default. */
static int
parse_templates(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct alert_conf *ac = base;
	enum { K_SUBJECT, K_BODY, K__N };
	static const char *const keys[K__N] = { "subject", "body" };
	yaml_node_t *kinds[AK__MAX], *v[K__N];
	int r;

	r = cf_take_keys(c, n, "templates", alert_kinds, AK__MAX, kinds);
	if (r < 0)
		return r;
	for (size_t k = 0; k < AK__MAX; k++) {
		struct alert_template *t = &ac->tpl[k];

		if (!kinds[k])
			continue;
		if ((r = cf_take_keys(c, kinds[k], "a template", keys, K__N, v)) < 0)
			return r;
		if (v[K_SUBJECT] &&
		    (r = get_template(c, v[K_SUBJECT], alert_kinds[k], true, &t->subject)) < 0)
			return r;
		if (v[K_BODY] && (r = get_template(c, v[K_BODY], alert_kinds[k], false, &t->body)) < 0)
			return r;
	}
	return 0;
}

/* An alerts: section, even an empty one, turns alerts on. */
static int
check_alerts(struct ctx *c, const yaml_node_t *n, yaml_node_t *const *v, void *base)
{
	struct alert_conf *ac = base;

	ac->enabled = true;
	return 0;
}

/* alerts; the base is struct alert_conf. */
static const struct conf_key alerts_keys[] = {
	{ .name = "mail", .type = CT_SECTION, .sub = &mail_section, .offset = 0 },
	{ .name = "webhook", .type = CT_SECTION, .sub = &webhook_section, .offset = 0 },
	{ .name = "early_warning", .type = CT_SECTION, .sub = &early_warning_section,
	  .offset = 0 },
	{ .name = "summary", .type = CT_SECTION, .sub = &summary_section, .offset = 0 },
	{ .name = "delivery", .type = CT_SECTION, .sub = &delivery_section, .offset = 0 },
	{ .name = "check_interval_ms", .type = CT_UINT,
	  CONF_FIELD(struct alert_conf, check_interval_ms), .min = 100, .max = 3600000,
	  .def = 60000 },
	{ .name = "templates", .type = CT_FUNC, .fn = parse_templates, .offset = 0 },
};
const struct conf_section cf_alerts_section = {
	.what = "alerts", .keys = alerts_keys, .nkeys = CONF_N(alerts_keys),
	.check = check_alerts };

/*
 * The alerts defaults (see struct alert_conf), also when there is no
 * alerts: section: the sendmail argv and every template are owned copies,
 * so users may rely on them being non-NULL.
 */
int
cf_alert_defaults(struct ctx *c)
{
	static const char *const sendmail[] = { "/usr/sbin/sendmail", "-t", "-i" };
	struct alert_conf *ac = &c->cfg->alerts;

	/* the keys' defaults: set from cf_alerts_section by config_defaults */
	ac->enabled = false;
	ac->webhook_port = 80;
	ac->sendmail = calloc(sizeof(sendmail) / sizeof(sendmail[0]) + 1, sizeof(char *));
	if (!ac->sendmail)
		return cf_oom(c);
	for (size_t i = 0; i < sizeof(sendmail) / sizeof(sendmail[0]); i++)
		if (!(ac->sendmail[i] = strdup(sendmail[i])))
			return cf_oom(c);
	for (size_t k = 0; k < AK__MAX; k++) {
		const char *subject = alert_default_template((enum alert_kind)k, true);
		const char *body = alert_default_template((enum alert_kind)k, false);

		ac->tpl[k].subject = strdup(subject ? subject : "");
		ac->tpl[k].body = strdup(body ? body : "");
		if (!ac->tpl[k].subject || !ac->tpl[k].body)
			return cf_oom(c);
	}
	return 0;
}

