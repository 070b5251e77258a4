/*
 * tq_config.h — config*.c: the parsed configuration. Conventions: core.h.
 * (Not config.h: some system headers include <config.h>, and -Iinclude
 * would hand them this one.)
 */
#ifndef TQ_CONFIG_H
#define TQ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "utf8.h"

/* --------------------------------------------------------------- config.c */
enum feed_format { FORMAT_CSV, FORMAT_JSONL };
enum time_kind   { TIME_FORMAT, TIME_ISO8601, TIME_EPOCH };
enum start_at    { START_BEGINNING, START_END };
enum rule_kind   { RULE_NONE, RULE_CONST, RULE_FIELD };
enum ind_kind    { IND_RATIO, IND_GROWTH, IND_DEADLINE };
enum combine     { COMBINE_POOLED, COMBINE_MEAN_OF_MONTHS };
enum cmp         { CMP_GE, CMP_GT, CMP_LE, CMP_LT };
enum cadence     { CADENCE_MONTH, CADENCE_QUARTER, CADENCE_HALF, CADENCE_YEAR };

/*
 * One value per line: a constant, or a source field looked up in a map.
 * Ids are 1-based indexes into the interned table the rule feeds
 * (config.events for the event rule, config.dims[d].values for dimension d).
 */
struct rule {
	enum rule_kind kind;
	int        slot;        /* RULE_FIELD: index into feed_conf.slots */
	bool       optional;    /* RULE_FIELD of a dimension: a missing field leaves it absent */
	uint16_t   const_id;    /* RULE_CONST */
	size_t     nmap;        /* RULE_FIELD: map from source value ... */
	char     **from;
	uint16_t  *to;          /* ... to interned id */
};

struct feed_conf {
	char          *name;
	char          *path;            /* absolute; fnmatch glob on the last component only */
	enum feed_format format;
	enum start_at  start_at;        /* for files first seen (default beginning) */
	size_t         max_line;        /* bytes, default 65536, max 16 MiB */
	unsigned       rotate_wait_ms;  /* keep a rotated-away file open this long after its last growth */
	int64_t        accept_from_day; /* local day; earlier lines are out_of_range (2000-01-01) */
	int64_t        accept_ahead_s;  /* lines later than now + this are out_of_range (1d) */
	int64_t        max_silence_s;   /* stale after this long without a line read; 0 = off */
	struct {
		char    delimiter;      /* default ',' */
		char    quote;          /* default '"', 0 = none */
		bool    header;         /* first record names the columns (default true) */
		size_t  ncolumns;       /* when header is false: the column names */
		char  **columns;
	} csv;
	enum encoding  encoding;
	size_t         nslots;          /* distinct source field names this feed reads */
	char          *slots[TQ_MAX_SLOTS];
	struct {
		enum time_kind kind;
		char   *format;         /* TIME_FORMAT: strftime-like */
		int     slot[2];        /* one field, or date and time fields joined by a space */
		int     nslot;
	} time;
	int            id_slot;         /* -1: no de-duplication id */
	int            case_slot;       /* -1: no case id (deadline indicators match events by it) */
	int            extend_slot;     /* -1: no date an extension event carries (YYYY-MM-DD) */
	struct rule    event;
	struct rule    dims[TQ_MAX_DIMS];       /* by dimension index; RULE_NONE = not set */
	int            line, col;       /* position in the config file, for messages */
};

struct dimension {
	char   *name;
	size_t  nvalues;
	char   *values[TQ_MAX_VALUES];      /* id = index + 1 */
};

/* Matches a counter when every clause holds. dim -1 is the event kind. */
struct clause {
	int        dim;
	size_t     n;
	uint16_t  *ids;
};
struct filter {
	size_t         n;
	struct clause *c;
};

enum dl_unit { DL_HOURS, DL_DAYS };
struct dl_span {
	enum dl_unit unit;
	int32_t      n;         /* 1..DL_MAX_HOURS or 1..DL_MAX_DAYS (weeks are 7n days) */
};
#define CASE_TEXT_MAX   128     /* bytes of case_format text, NUL included */
/*
 * Changes of a deadline indicator's month counters, each -1, 0 or +1 per
 * case: its outcome, and extended (the case has a postponement, uppskov).
 */
struct cohort_delta {
	int32_t met, missed, pending;
	int32_t extended;
};

/* What the config says of one deadline indicator (cohort.c applies it). */
struct cohort_rule {
	struct dl_span within;          /* the deadline after the start */
	struct dl_span extend_by;       /* an extension without a date; n = 0: none configured */
};

/*
 * A manual indicator (kind: manual): a figure no feed counts, entered per
 * period with `teleqctl set` (manual.h). The unit says how it is shown and
 * entered; the target, when there is one, is in that unit (percent in
 * points: 55 = 55 %).
 */
enum manual_unit { UNIT_COUNT, UNIT_PERCENT, UNIT_KR };
/*
 * Which table of the follow-up (document, workbook, teleqctl report) a row
 * goes in: the config's `section`, else by kind (a deadline indicator in
 * Kvalitetsstyrning, the others and every manual one in Målstyrning); see
 * report_row_quality() and report_rows().
 */
enum ind_section { SECTION_AUTO, SECTION_GOALS, SECTION_QUALITY };
struct manual_ind {
	char         *name;             /* [a-z0-9_]+, unique among all indicators */
	char         *title;            /* Swedish title for reports */
	enum manual_unit unit;          /* default count */
	bool          has_target;       /* false: shown, never judged */
	enum cmp      cmp;
	double        target;           /* in the unit (percent points) */
	enum ind_section section;       /* default: Målstyrning */
	char         *heading;          /* the committee's sub-heading in its table; NULL: none */
};

struct indicator {
	char         *name;             /* [a-z0-9_]+, used in Redis keys */
	char         *title;            /* Swedish title for reports */
	enum ind_kind kind;
	struct filter num;              /* growth: the counted cases */
	struct filter den;              /* ratio only */
	/* deadline only: the events that start, stop and extend a case's clock */
	struct filter start, stop, extend;
	struct cohort_rule rule;        /* within, extend_by */
	enum cmp      cmp;
	double        target;           /* fraction: 0.55 */
	enum combine  combine;
	enum cadence  cadence;
	int64_t       min_denominator;  /* below it a value is shown but not judged */
	bool          early_warning;    /* month-to-date alerts (default: ratio yes, growth no) */
	enum ind_section section;       /* default: by kind */
	char         *heading;          /* the committee's sub-heading in its table; NULL: none */
};

/* What alerts send (alert.c). */
enum alert_kind { AK_BREACH, AK_REMINDER, AK_RESOLVED, AK_SUMMARY, AK_TEST,
                  AK_STALE, AK_STALE_REMINDER, AK_FRESH, AK_RESET,   /* feeds and the store */
                  AK_REDIS_EVICTS, AK_REDIS_OK,     /* maxmemory-policy (storealarm.c, direct) */
                  AK__MAX };

struct alert_template {
	char *subject;                  /* never NULL after config load (defaults filled in) */
	char *body;
};

/* The alerts: section. Without it, enabled is false and nothing is sent. */
struct alert_conf {
	bool      enabled;
	/* mail channel: used when nto > 0 */
	size_t    nto;
	char    **to;                   /* recipients (addr-spec, checked loosely) */
	char     *from;                 /* From: addr-spec; required with to */
	char     *from_name;            /* From: display name (UTF-8), default "Patientnämnden";
	                                 * "" = the bare address */
	char    **sendmail;             /* argv, NULL-terminated; default /usr/sbin/sendmail -t -i */
	/* webhook channel: used when webhook_url is set */
	char     *webhook_url;          /* http[s]://host[:port][/path] */
	char     *webhook_host;         /* parsed from the url */
	char     *webhook_path;         /* default "/" */
	char     *webhook_ca_file;      /* PEM CAs for https instead of the system store; NULL = system */
	char     *webhook_proxy_host;   /* webhook.proxy http://host:port; NULL = direct */
	unsigned  webhook_port;         /* default 80 (http) or 443 (https) */
	unsigned  webhook_timeout_ms;   /* default 10000 */
	unsigned  webhook_proxy_port;   /* default 80 */
	bool      webhook_tls;          /* https: TLS, certificate and host name verified */
	/* early warning */
	int64_t   min_denominator;      /* default 20 */
	double    hysteresis;           /* fraction: 0.02 = 2 percentage points (default) */
	int64_t   repeat_s;             /* default 7 days */
	/* summaries */
	int64_t   grace_s;              /* after a period closes, default 2 days */
	bool      attach_report;        /* quarter, half-year: attach the HTML follow-up (default false) */
	/* delivery */
	int64_t   retry_min_s;          /* first retry after (default 30 s), doubling ... */
	int64_t   retry_max_s;          /* ... up to (default 1 h) */
	unsigned  max_ambiguous;        /* mail: ambiguous outcomes retried, then parked (default 3) */
	unsigned  check_interval_ms;    /* time-based checks (month close), default 60000 */
	size_t    stream_maxlen;        /* entries kept in the alerts stream, default 1000 */
	struct alert_template tpl[AK__MAX];
};

#define DEDUP_WINDOW_DAYS_DEFAULT 400  /* dedup.window_days: the table in config.c uses it */

struct config {
	char   *file;
	char   *timezone;               /* default Europe/Stockholm */
	struct {
		char *address;          /* "unix:/path" or "host:port" (default unix:/run/redis/redis.sock) */
		char *user;             /* optional ACL user */
		char *password_file;    /* optional; never the password itself */
		char *prefix;           /* default "teleq:" */
		char *tag;              /* hash tag, default "teleqd": keys are prefix{tag}:... */
		int   db;               /* default 0 */
		int64_t unresponsive_after_s;   /* a request unanswered this long: Redis is
		                                 * reported unresponsive; default 5 */
		int64_t lease_s;        /* writer lease, default LEASE_DEFAULT_S */
		char  **sentinels;      /* redis.sentinels: NULL-terminated "host:port"s, or NULL
		                         * (then address is used); at most SENTINEL_MAX */
		size_t  nsentinels;
		char   *master_name;    /* redis.master_name: required with sentinels */
	} redis;
	struct {
		char *secret_file;      /* key for hashing ids; required when a feed has an id */
		unsigned window_days;   /* how long seen ids are kept, 1..3660 (config
		                         * guarantees it), default DEDUP_WINDOW_DAYS_DEFAULT */
	} dedup;
	size_t   batch_max_events;      /* default 50000 */
	unsigned batch_max_delay_ms;    /* default 100: commit at most this long after the first event */
	size_t   deadletter_maxlen;     /* default 10000 entries */
	unsigned rescan_interval_ms;    /* safety-net rescan of globs, default 2000 */
	size_t           nevents;
	char            *events[TQ_MAX_VALUES];     /* interned event kinds, id = index + 1 */
	size_t           ndims;
	struct dimension dims[TQ_MAX_DIMS];         /* sorted by name */
	size_t           nfeeds;
	struct feed_conf *feeds;
	size_t           nindicators;
	struct indicator *indicators;
	size_t           nmanuals;      /* kind: manual, in the order of the file */
	struct manual_ind *manuals;
	struct alert_conf alerts;
	struct {
		char    *listen;        /* "127.0.0.1:9187", "[::1]:9187", port 0 = any free port;
		                         * NULL (no http: section) = no listener */
		char    *host;          /* parsed: address to bind (a literal IP, no brackets) */
		unsigned port;
		int64_t  min_cases;     /* the dashboard shows no ratio over fewer cases (default 5) */
		unsigned max_connections;       /* open at once (default 64): see http.c */
		int64_t  request_timeout_s;     /* a request arrives whole within (default 10 s) */
	} http;
};

/*
 * Parses and validates the whole file before anything is applied. On
 * failure returns -EINVAL (or -errno for I/O) and writes
 * "file:line:col: what is wrong" into err; *ret untouched.
 */
int config_load(const char *path, struct config **ret, char *err, size_t errlen);
/* Same, from a string (name used in messages). For tests and fuzzing. */
int config_parse(const char *name, const char *text, size_t len, struct config **ret,
                 char *err, size_t errlen);
void config_free(struct config *cfg);

/* Id of value in dimension d or of an event kind (d = -1); 0 when unknown. */
uint16_t config_value_id(const struct config *cfg, int d, const char *v, size_t len);
/* Name of an id; NULL when out of range. */
const char *config_value_name(const struct config *cfg, int d, uint16_t id);

#endif /* TQ_CONFIG_H */
