/*
 * teleqd.h — the one private header of teleqd and teleqctl, grouped by module.
 *
 * Flow (one way): feed (files, inotify, offsets by inode) -> parse (csv/json
 * line -> field values) -> map (fields -> event: kind, dimensions, UTC time,
 * local day) -> batch (counter deltas + the offsets they came from) -> store
 * (one atomic Redis commit per batch) -> indicators (recomputed from counters).
 *
 * Pure modules (no I/O, unit-tested): utf8, csv, json, civil, tz (after
 * loading), timeparse, period, siphash, map, batch, indicator, ratelimit,
 * cohort.
 * I/O modules: log, config (reads the file), feed, store, teleqd, teleqctl.
 *
 * Conventions (after systemd's CODING_STYLE): functions return 0 or -errno;
 * ret_ out-parameters are untouched on failure; destructors accept NULL;
 * every user-controlled size is bounded.
 */
#ifndef TELEQD_H
#define TELEQD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TQ_VERSION      "0.1.0"
#define TQ_MAX_DIMS     8       /* dimensions (channel, party, ...) per deployment */
#define TQ_MAX_SLOTS    16      /* distinct source fields one feed reads */
#define TQ_MAX_COLUMNS  512     /* CSV columns per record */
#define TQ_MAX_VALUES   255     /* interned values per dimension / event kinds */
#define TQ_FP_MAX       1024    /* bytes of a file's head in its fingerprint */
#define TQ_TAIL_MAX     4096    /* bytes before a position in its tail fingerprint */
#define TQ_DETAIL_MAX   160     /* reject detail text (never holds field values) */

#define TQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TQ_NORETURN     __attribute__((noreturn))

/* ------------------------------------------------------------------ log.c */
/*
 * Logging to stderr. With prefixes on (not a terminal, or under journald),
 * each line starts with a syslog priority "<3>".."<7>" so journald keeps the
 * level. log_warn appends strerror(errno). Never pass personal data.
 */
void log_init(int verbosity, bool prefixes);    /* verbosity: 0 info, 1+ debug */
void log_warn(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_notice(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_errx(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_info(const char *fmt, ...) TQ_PRINTF(1, 2);
void log_debug(const char *fmt, ...) TQ_PRINTF(1, 2);
void fatal(const char *fmt, ...) TQ_PRINTF(1, 2) TQ_NORETURN;
void fatalx(const char *fmt, ...) TQ_PRINTF(1, 2) TQ_NORETURN;
/*
 * Routes libevent's own messages through this log, at most 10 lines a
 * minute (then one "N more lines suppressed"); libevent's debug lines go
 * to log_debug. Process-wide; call once at start.
 */
void log_libevent(void);

/* Token bucket for log floods (pure). */
struct ratelimit {
	int64_t  window_start;  /* seconds */
	unsigned interval;      /* seconds per window */
	unsigned burst;         /* lines allowed per window */
	unsigned used;
	unsigned suppressed;    /* lines dropped in the current window */
};
/*
 * Returns true when a line may be logged at time now. When a new window
 * opens, *ret_suppressed (may be NULL) gets the count dropped in the old
 * one so the caller can say "N similar messages suppressed".
 */
bool ratelimit_pass(struct ratelimit *rl, int64_t now, unsigned *ret_suppressed);

/* ---------------------------------------------------------------- clock.c */
int64_t mono_ms(void);  /* monotonic milliseconds: timeouts, ages, rate limits */
int64_t wall_ms(void);  /* milliseconds since the epoch: stored timestamps */
/*
 * The calendar clock, in seconds since the epoch: what decides "today",
 * which month is open, when a period closes and when an alert is due.
 * Normally the wall clock. For tests and the demo only, the environment
 * variable TELEQD_TEST_CLOCK may name a file holding a decimal number of
 * seconds since the epoch: it is reread on every call, so a test moves
 * time by rewriting the file. An unreadable file falls back to the wall clock.
 */
int64_t cal_now(void);
/* True when TELEQD_TEST_CLOCK is in effect (logged at start-up). */
bool cal_is_fake(void);

/* ----------------------------------------------------------------- utf8.c */
enum encoding { ENC_UTF8, ENC_CP1252, ENC_LATIN1 };

/* Code points in the NUL-terminated UTF-8 string s (bytes that are not continuation bytes). */
size_t utf8_width(const char *s);
/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/*
 * Converts s[0..len) from enc to UTF-8 in out (cap bytes; 3*len always
 * suffices). ENC_UTF8 validates and copies. Returns the output length,
 * -EILSEQ for a byte invalid in enc (or invalid UTF-8), -ENOBUFS when cap is
 * too small.
 */
ssize_t to_utf8(enum encoding enc, const char *s, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------ csv.c/json.c */
/* A field value: p points into the line or into caller scratch; p NULL = absent. */
struct fieldv {
	const char *p;
	size_t      len;
};

/*
 * Length of the first complete record in buf[0..len), including its '\n'.
 * A '\n' inside a quoted field (one whose quote starts the field, as in
 * csv_split) does not end the record; a malformed quoted field is framed as
 * its first line alone (quote 0 = no quoting). Returns 0 when no complete
 * record is in buf yet.
 */
size_t csv_record_len(const char *buf, size_t len, char delim, char quote);
/*
 * Splits one record (terminator removed, a trailing '\r' already stripped)
 * into fields. Quoted fields are unescaped ("" -> ") into scratch, which
 * must hold len bytes. Returns the number of fields (>= 1), -EBADMSG on
 * malformed quoting, -E2BIG when there are more than max fields.
 */
int csv_split(const char *rec, size_t len, char delim, char quote, char *scratch,
              struct fieldv *out, size_t max);
/*
 * Parses one JSON text that must be an object. For each top-level member
 * whose key equals names[i], out[i] gets the value: strings unescaped into
 * scratch (needs len bytes), numbers/true/false as their raw text, null as
 * absent. Other members and nested values are validated and skipped. All
 * out[] are reset to absent first. Returns 0, -EBADMSG (not one valid JSON
 * object), -EILSEQ (invalid UTF-8 or a lone surrogate escape).
 */
int json_extract(const char *s, size_t len, const char *const *names, size_t nnames,
                 char *scratch, struct fieldv *out);

/* ---------------------------------------------------------- civil.c, tz.c */
/* Seconds in a calendar day of the UTC-offset wall clock (no leap seconds). */
#define SECS_PER_DAY    86400
/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);
unsigned days_in_month(int64_t y, unsigned m);
/* Floor division helper: days since epoch of a seconds value. */
int64_t floor_div(int64_t a, int64_t b);

struct tz;
/*
 * The zone of the TZif file name under $TZDIR or /usr/share/zoneinfo,
 * computed by glibc (tz.c sets $TZ: nothing else may). -ENOENT, -EINVAL.
 */
int tz_load(const char *name, struct tz **ret);
void tz_free(struct tz *tz);
/* Seconds east of UTC in effect at instant utc. */
int32_t tz_utc_offset(const struct tz *tz, int64_t utc);

/*
 * A caller's memo of one interval of constant offset, for the per-event
 * lookups below (zero it before first use; it never needs freeing).
 */
struct tz_memo {
	const struct tz *tz;    /* NULL: empty */
	uint64_t serial;        /* the zone's serial: a zone at a reused address is another */
	int64_t  from, next;    /* [from, next) has offset off */
	int32_t  off;
};
/* tz_utc_offset, skipping the search while utc stays in the memo's interval. */
int32_t tz_utc_offset_memo(const struct tz *tz, struct tz_memo *memo, int64_t utc);
/* tz_wall_to_utc(tz, wall, NULL), likewise. */
int64_t tz_wall_to_utc_memo(const struct tz *tz, struct tz_memo *memo, int64_t wall);

#define TZ_AMBIGUOUS 1  /* wall time occurred twice (autumn): earlier instant chosen */
#define TZ_GAP       2  /* wall time did not exist (spring): moved forward by the gap */
/*
 * Converts a local wall-clock time (seconds since 1970-01-01 00:00 of the
 * wall clock, as if it were UTC) to the UTC instant. Documented rule: an
 * ambiguous time is the earlier instant (still summer time); a time in the
 * spring gap is read with the offset in force before the gap, so 02:30 on
 * the last Sunday of March becomes 03:30 CEST. ret_flags may be NULL.
 */
int64_t tz_wall_to_utc(const struct tz *tz, int64_t wall, int *ret_flags);

/* ------------------------------------------------------------ timeparse.c */
/*
 * Parses s[0..len) against a strftime-like fmt: %Y (4 digits), %m, %d, %H,
 * %M, %S (1-2 digits), %y, %e, %T (= %H:%M:%S), %F (= %Y-%m-%d), %f (fraction
 * digits, ignored), %% ; every other fmt byte must match literally, a space
 * matching one or more spaces. The whole of s must be consumed. Validates
 * ranges and the day of month (2026-02-30 -> -ERANGE). Returns 0 and
 * *ret_wall, -EINVAL when s does not match, -ERANGE for an impossible value.
 */
int time_parse_fmt(const char *s, size_t len, const char *fmt, int64_t *ret_wall);
/*
 * ISO 8601: YYYY-MM-DD[(T|t| )hh:mm[:ss[(.|,)fraction]]][Z|z|+hh[:mm]|+hhmm|-...].
 * With a zone *ret_zoned = true and *ret is the UTC instant; without, *ret
 * is the wall time. -EINVAL / -ERANGE as above.
 */
int time_parse_iso8601(const char *s, size_t len, int64_t *ret, bool *ret_zoned);
/* Seconds (optionally with fraction) since the epoch, UTC. -EINVAL / -ERANGE. */
int time_parse_epoch(const char *s, size_t len, int64_t *ret);

/* ---------------------------------------------------------- duration */
/*
 * A duration: one decimal integer and a unit, "30s", "15m", "24h", "7d",
 * "2w" (no spaces, no fractions, no sign; 0 is allowed). Returns 0 and
 * seconds in *ret_seconds, -EINVAL when s is not of that form, -ERANGE
 * beyond 10 years. (timeparse.c)
 */
int duration_parse(const char *s, size_t len, int64_t *ret_seconds);

/* --------------------------------------------------------------- period.c */
enum period_kind { P_DAY, P_MONTH, P_QUARTER, P_HALF, P_YEAR, P_ROLLING };
struct period {
	enum period_kind kind;
	int64_t year;
	unsigned idx;           /* month 1-12, quarter 1-4, half 1-2; 0 otherwise */
	int64_t first_day;      /* days since epoch, inclusive */
	int64_t last_day;       /* inclusive */
};
#define ROLLING_DAYS 30
/*
 * Parses "2026-03", "2026-Q1", "2026-H1", "2026", "2026-03-05" or "rolling"
 * (the ROLLING_DAYS local days ending with today). -EINVAL.
 */
int period_parse(const char *s, int64_t today, struct period *ret);
/* Writes the canonical name ("2026-Q1", "rolling", ...). Returns 0 or -ENOBUFS. */
int period_name(const struct period *p, char *buf, size_t len);
/* Constructors from a day (days since epoch). */
struct period period_of_day(enum period_kind kind, int64_t day);
/* The same period one year earlier (rolling: the same 30 days one year earlier). */
struct period period_previous_year(const struct period *p);
/* Month number (y*12 + m-1) of a day number, and the first day of a month number. */
int64_t month_of_day(int64_t day);
int64_t month_first_day(int64_t monthno);
/* Month numbers (y*12 + m-1) covered by p: *ret_first and *ret_n (1..12). */
void period_months(const struct period *p, int64_t *ret_first, unsigned *ret_n);
/* "2026-03" for month number y*12+m-1; "2026-03-05" for a day. buf >= 16 bytes. */
void month_key(int64_t monthno, char *buf, size_t len);
void day_key(int64_t day, char *buf, size_t len);
/*
 * The counter hashes a period reads: whole months (P_MONTH..P_YEAR: month
 * numbers) or days (P_DAY, P_ROLLING: day numbers), for the period itself
 * and for the same period one year earlier.
 */
struct span {
	bool     days;
	int64_t  first;         /* month number or day number */
	unsigned n;
};
void period_span(const struct period *p, struct span *ret_cur, struct span *ret_prev);
/* The period of the same kind right after p (P_DAY .. P_YEAR; rolling: unchanged). */
struct period period_next(const struct period *p);
/* Inverse of month_key/day_key. -EINVAL. */
int parse_month_key(const char *s, size_t len, int64_t *ret_monthno);
int parse_day_key(const char *s, size_t len, int64_t *ret_day);
/*
 * The instant (unix seconds) of local midnight at the start of day in zone
 * tz; a midnight inside a spring gap is the first instant of the day (the
 * rule of tz_wall_to_utc).
 */
int64_t day_start_utc(const struct tz *tz, int64_t day);
/* Unix milliseconds of the start of p: local midnight of its first day in tz. */
int64_t period_start_ms(const struct period *p, const struct tz *tz);
/*
 * True when p (P_DAY .. P_YEAR) is closed at unix time now: its end, local
 * midnight after its last day, plus grace_s (negative counts as 0) is at
 * or before now. Rolling never closes.
 */
bool period_closed(const struct period *p, const struct tz *tz, int64_t grace_s, int64_t now);
/*
 * The months that closed (period_closed, same tz and grace_s) after unix
 * time prev and at or before now: month numbers *ret_first ..
 * *ret_first + *ret_n - 1, oldest first; *ret_n is 0 when none did (now
 * at or before prev: a clock set back closes nothing). A quarter, half or
 * year closes with its last month, so these months name every period that
 * closed in between. At most cap months, the latest ones (a clock jump of
 * decades must not make decades of work). Pure.
 */
void period_months_closed(const struct tz *tz, int64_t grace_s, int64_t prev, int64_t now,
                          unsigned cap, int64_t *ret_first, unsigned *ret_n);

/* -------------------------------------------------------------- siphash.c */
/* SipHash-2-4 of data with a 16-byte key. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

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
/* Changes of a deadline indicator's month counters, each -1, 0 or +1 per case. */
struct cohort_delta {
	int32_t met, missed, pending;
};

/* What the config says of one deadline indicator (cohort.c applies it). */
struct cohort_rule {
	struct dl_span within;          /* the deadline after the start */
	struct dl_span extend_by;       /* an extension without a date; n = 0: none configured */
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
	char    **sendmail;             /* argv, NULL-terminated; default /usr/sbin/sendmail -t -i */
	/* webhook channel: used when webhook_url is set */
	char     *webhook_url;          /* http://host[:port][/path] (plain HTTP only) */
	char     *webhook_host;         /* parsed from the url */
	unsigned  webhook_port;         /* default 80 */
	char     *webhook_path;         /* default "/" */
	unsigned  webhook_timeout_ms;   /* default 10000 */
	/* early warning */
	int64_t   min_denominator;      /* default 20 */
	double    hysteresis;           /* fraction: 0.02 = 2 percentage points (default) */
	int64_t   repeat_s;             /* default 7 days */
	/* summaries */
	int64_t   grace_s;              /* after a period closes, default 2 days */
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

/* ----------------------------------------------------------- redis_addr.c */
/*
 * The one parser of redis.address ("unix:/path", "host:port", "[v6]:port")
 * for the config check, the daemon and teleqctl. See redis_addr.c.
 */
#define REDIS_ADDR_MAX          256     /* bytes of redis.address */
#define REDIS_ADDR_SUN_MAX      107     /* sizeof(sun_path) - 1 */
struct redis_addr {
	bool is_unix;
	char host[REDIS_ADDR_MAX + 1];  /* the socket path, or the host (IPv6: no brackets) */
	int  port;                      /* 1..65535; 0 for a unix socket */
};
/* 0, or -EINVAL (not an address), -ENOENT (relative socket path), -ENAMETOOLONG (socket path). */
int redis_addr_parse(const char *s, struct redis_addr *ret);

/* --------------------------------------------------------------- secret.c */
/*
 * The one reader of secret files (redis.password_file, dedup.secret_file)
 * for teleqd, `teleqd -n` and teleqctl. A secret file must open, be a
 * regular file, have no permission bit for others, and hold min..max
 * bytes; a refusal returns -errno with "WHAT PATH: rule" in err (never the
 * content). Details above each function in secret.c.
 */
#define SECRET_MAX      4096    /* bytes of a secret file */
#define SECRET_KEY_MIN  16      /* bytes of dedup.secret_file */
int    secret_mode_check(unsigned mode, char *err, size_t errlen);
size_t secret_trim(const char *buf, size_t len);
int    secret_read(const char *what, const char *path, size_t min, size_t max, bool trim,
                   char **ret, size_t *ret_len, char *err, size_t errlen);
void   secret_free(char *buf, size_t len);
int    secret_redis_password(const char *path, char **ret, size_t *ret_len, char *err,
                             size_t errlen);
int    secret_idkey(const char *path, uint8_t key[16], char *err, size_t errlen);
bool   secret_needs_idkey(const struct config *cfg);

/* ------------------------------------------------------------ startcheck.c */
/*
 * teleqd -n, after config_load: the files the start reads, with the start's
 * own readers (a config that passes never fails to start on a file), each
 * refusal logged at error level with its file and rule; what the daemon
 * copes with at run time (a feed directory missing or unreadable, the
 * default sendmail missing) is logged as a warning. Returns the number of
 * errors (0: the start would find what it reads).
 */
int    start_check(const struct config *cfg);
/* Id of value in dimension d or of an event kind (d = -1); 0 when unknown. */
uint16_t config_value_id(const struct config *cfg, int d, const char *v, size_t len);
/* Name of an id; NULL when out of range. */
const char *config_value_name(const struct config *cfg, int d, uint16_t id);

/* ------------------------------------------------------------------ map.c */
/* What a counter counts: an event kind and a value per dimension (0 = absent). */
struct combo {
	uint16_t event;
	uint16_t dim[TQ_MAX_DIMS];
};

struct event {
	struct combo c;
	int64_t  utc;           /* seconds since the epoch */
	int64_t  day;           /* local calendar day, days since epoch */
	bool     has_id;
	uint8_t  id[16];        /* keyed hash of the record id */
	bool     has_case;
	uint8_t  case_id[16];   /* keyed hash of the case id (the same in every feed) */
	int64_t  extend_day;    /* local day an extension event carries, CASE_NO_DAY = none */
};

enum reject {
	REJ_EMPTY,              /* empty line */
	REJ_TOO_LONG,           /* longer than max_line: skipped to the next newline */
	REJ_NUL,                /* NUL byte in the line */
	REJ_ENCODING,           /* invalid UTF-8 or byte invalid in the declared encoding */
	REJ_JSON,               /* not one valid JSON object */
	REJ_CSV,                /* malformed quoting */
	REJ_COLUMNS,            /* column count differs from the header */
	REJ_MISSING,            /* a mapped field is absent or empty */
	REJ_TIME,               /* time does not parse */
	REJ_DATE,               /* impossible date or time (2026-02-30) */
	REJ_UNMAPPED,           /* a value no map covers */
	REJ_HEADER,             /* CSV header missing or unusable */
	REJ_RANGE,              /* time before the feed's accept_from or too far after now */
	REJ__MAX
};
/* Stable short name used in counters and metrics ("bad_json", ...). */
const char *reject_name(enum reject r);

/* Per-file parse state, kept by the feed for each file. */
struct parse_state {
	bool     have_header;
	uint64_t header_hash;           /* to skip repeated header lines */
	size_t   header_len;
	size_t   ncolumns;
	int      col[TQ_MAX_SLOTS];     /* column of each slot, -1 = not in this file */
	bool     recheck_header;        /* the file restarted from 0 with the header kept:
	                                 * its first record may be a new header */
};

/* Scratch memory reused across lines; sized for max_line. */
struct map_scratch {
	char          *buf;
	size_t         cap;
	struct fieldv  cols[TQ_MAX_COLUMNS];
	struct tz_memo tzm;     /* UTC offset of the last event's time (cache only) */
};
int  map_scratch_init(struct map_scratch *s, size_t max_line);
void map_scratch_done(struct map_scratch *s);

enum map_result { MAP_EVENT, MAP_SKIP, MAP_REJECT, MAP_HEADER };
/*
 * Turns one record (terminator stripped) of feed fc into an event.
 * MAP_EVENT: *ev filled. MAP_SKIP: a header line or a repeated header (no
 * event, not an error). MAP_HEADER: a headered CSV file that already had a
 * header changed it: the record names every column the feed needs (in any
 * order, any count) and ps holds its columns from now on (no event, not an
 * error; the caller logs and counts the change). A record that is not data
 * is tested for this only after it failed as data, so rows cost nothing
 * more; one naming a needed column but lacking another is REJ_HEADER and
 * leaves the header in force. MAP_REJECT: *why and detail (no field values, only
 * field names and shapes) are set. Pure: no I/O, no logging.
 * now is the daemon's calendar time (unix s, cal_now): a line later than
 * now + fc->accept_ahead_s, or on a local day before fc->accept_from_day,
 * is REJ_RANGE. idkey is the 16-byte secret for hashing ids (NULL when no
 * feed has ids).
 */
enum map_result map_record(const struct config *cfg, const struct feed_conf *fc,
                           const struct tz *tz, int64_t now, const uint8_t *idkey,
                           struct parse_state *ps, struct map_scratch *s,
                           const char *rec, size_t len,
                           struct event *ev, enum reject *why, char *detail, size_t detaillen);

/*
 * Counter field name of a combo: "<event>|<dim>=<value>|..." with dimensions
 * in name order, absent ones left out. Returns length, or -ENOBUFS.
 */
int combo_format(const struct config *cfg, const struct combo *c, char *buf, size_t len);
/* Inverse; unknown names map to id 0 (they then match no filter). -EINVAL on syntax. */
int combo_parse(const struct config *cfg, const char *s, size_t len, struct combo *ret);
bool filter_match(const struct filter *f, const struct combo *c);

/* ---------------------------------------------------------------- batch.c */
/* A file position as committed with the data read up to it. */
struct file_pos {
	uint16_t feed;          /* index into config.feeds */
	uint64_t dev, ino;
	int64_t  offset;        /* bytes consumed: always at a record boundary */
	uint64_t line;          /* records consumed */
	uint64_t fp;            /* fingerprint of the first fplen bytes */
	uint32_t fplen;
	uint64_t tailfp;        /* fingerprint of the taillen bytes just before offset */
	uint32_t taillen;       /* min(TQ_TAIL_MAX, offset); 0 in a position stored
	                         * before tail fingerprints (only the head is checked) */
	int64_t  btime;         /* the file's birth time (statx, ns), 0 = unknown: an
	                         * inode reused by a new file has another one */
	int64_t  hdr_off;       /* CSV with a header: offset of the header record in
	                         * force (a new header mid-file), 0 = the first record;
	                         * always < offset */
	uint32_t gen;           /* feed.c only: the file's restart count when taken */
	bool     gone;          /* file finished for good: drop its stored entry */
	bool     marker;        /* not a file: the feed has been started (start_at
	                         * applies only before its first commit) */
	struct parse_state cols;        /* marker of a CSV feed with a header: the columns
	                                 * of its last complete header (numbers only; none
	                                 * when !cols.have_header), for a file truncated
	                                 * while the daemon was stopped */
	char     path[256];     /* for status output only */
};

/* ------------------------------------------------------------- position.c */
/*
 * The text form of a committed position in K files (see position.c): one
 * reader and one writer for the daemon and teleqctl. Pure.
 */
#define POS_VALUE_MAX   416     /* pos_format_value always fits */
/* Returns 0 and *ret, -ENOENT (feed no longer configured), -EINVAL (malformed). */
int pos_parse(const struct config *cfg, const char *f, size_t flen, const char *v, size_t vlen,
              struct file_pos *ret);
/* Return the length written, or -ENOBUFS. */
int pos_format_field(const struct config *cfg, const struct file_pos *p, char *buf, size_t len);
int pos_format_value(const struct file_pos *p, char *buf, size_t len);

/*
 * One (local day, combo) of a batch: n events without an id, and nids
 * events with an id, ids[first_id] linked through next (batch order).
 */
struct batch_count {
	int64_t      day;
	struct combo c;
	int64_t      n;
	uint32_t     nids;
	uint32_t     first_id, last_id;
};
struct batch_idevent {
	uint8_t      id[16];
	uint32_t     next;          /* next id of the same count, UINT32_MAX = none */
	uint32_t     count;         /* index into counts: its day and combo */
};
struct batch_deadletter {
	uint16_t     feed;
	enum reject  why;
	uint64_t     line;
	char         path[256];
	char         detail[TQ_DETAIL_MAX];
};

/* Feeds a batch (and the metrics) keep per-feed arrays for; config.c allows no more. */
#define BATCH_MAX_FEEDS 64

/* Counter deltas and positions of one commit. Memory is bounded by the caps. */
struct batch {
	size_t               cap_events;    /* max events+rejects before the batch is full */
	size_t               nevents;       /* events added (counted + id events) */
	size_t               nrejects;
	/* counts[0..ncounts) dense, one per distinct (day, combo); index is an
	 * open-addressing table of count positions + 1 (0 = empty slot) */
	struct batch_count  *counts;
	size_t               ncounts, counts_cap;
	uint32_t            *index;
	size_t               index_cap;         /* power of two */
	/* ids[0..nids) of the events with an id, unique per (month, id): a
	 * second copy in the batch only counts in dups. idindex is an
	 * open-addressing table of id positions + 1. Ids of every month are
	 * de-duplicated: the seen buckets live dedup.window_days after their
	 * last write, whatever the month's age. */
	struct batch_idevent *ids;
	size_t               nids, ids_cap;
	uint32_t            *idindex;
	size_t               idindex_cap;       /* power of two, 0 = none yet */
	uint64_t             dups;              /* ids repeated within the batch */
	struct file_pos     *pos;
	size_t               npos, pos_cap;
	uint64_t             rejects[/* feed * REJ__MAX */ BATCH_MAX_FEEDS * REJ__MAX];
	uint64_t             lines[BATCH_MAX_FEEDS];        /* lines read per feed */
	uint64_t             header_changes[BATCH_MAX_FEEDS];       /* CSV headers changed
	                                                     * mid-file (MAP_HEADER) */
	uint64_t             events_by_feed[BATCH_MAX_FEEDS];       /* events added per feed
	                                                     * (batch_feed_event) */
	int64_t              last_utc[BATCH_MAX_FEEDS];     /* latest event time per feed, 0 = none */
	int64_t              last_line[BATCH_MAX_FEEDS];    /* calendar s a line of the feed was
	                                                     * last read, 0 = none */
	struct batch_deadletter *dead;
	size_t               ndead, dead_cap;   /* dead letters kept per batch (rest only counted) */
	/* Deadline indicators: the case states to store (cases_flush) and the
	 * changes of the month counters met / missed / pending. */
	struct batch_case   *cases;
	size_t               ncases, cases_cap;
	struct batch_cdelta *cdeltas;
	size_t               ncdeltas, cdeltas_cap;
};
/* Ids per batch at most: each costs an argument and a set member in the
 * commit, and bounds the batch's memory (24 B each, twice in the index). */
#define BATCH_MAX_IDS   16384
/*
 * Seen buckets per month: a month's ids are spread over SEEN_BUCKETS sets
 * (seen:YYYY-MM:<bb>) so that each stays under Redis's
 * set-max-intset-entries (512 by default) up to ~100,000 ids a month and
 * Redis keeps it as an intset, 8 bytes an id.
 */
#define SEEN_BUCKETS    256
/*
 * The seen bucket and set member of a hashed id (the 16-byte keyed hash
 * map_record makes): bytes 0-7 read little-endian as a signed 64-bit
 * integer are the member, byte 8 picks the bucket (0..SEEN_BUCKETS-1).
 * Two ids of a month are taken for one when these 72 bits agree. Pure.
 */
void seen_slot(const uint8_t id[16], unsigned *ret_bucket, int64_t *ret_member);
/* A case state to store: text "" deletes it. */
struct batch_case {
	uint16_t ind;                   /* indicator index */
	uint8_t  id[16];                /* keyed hash of the case id */
	char     text[CASE_TEXT_MAX];   /* case_format, or "" */
};
/* A change of a deadline indicator's counters in one local month. */
struct batch_cdelta {
	int64_t  month;                 /* y*12 + m-1 */
	uint16_t ind;
	int64_t  met, missed, pending;
};
#define BATCH_MAX_CASES 4096    /* case states per commit: full beyond */

int  batch_init(struct batch *b, size_t cap_events, size_t dead_cap);
void batch_done(struct batch *b);
void batch_clear(struct batch *b);
bool batch_empty(const struct batch *b);
bool batch_full(const struct batch *b);
/* Adds a case state to store (text NUL-terminated, "" = delete). 0 or -ENOMEM. */
int  batch_case(struct batch *b, uint16_t ind, const uint8_t id[16], const char *text);
/* Adds d to indicator ind's counters of month. 0 or -ENOMEM. */
int  batch_cdelta(struct batch *b, uint16_t ind, int64_t month, const struct cohort_delta *d);
/* Adds one event (aggregated, or kept apart when it has an id). -ENOSPC when full. */
int  batch_add(struct batch *b, const struct event *ev);
/* Counts a reject and keeps a dead letter while there is room. */
void batch_reject(struct batch *b, uint16_t feed, enum reject why, uint64_t line,
                  const char *path, const char *detail);
void batch_line(struct batch *b, uint16_t feed);
/* Counts a CSV header change of feed (MAP_HEADER; its line counts with batch_line). */
void batch_header_change(struct batch *b, uint16_t feed);
/* Counts an event of feed (added with batch_add) for metrics and status. */
void batch_feed_event(struct batch *b, uint16_t feed, int64_t utc);
/* Records (or updates) the position of a file; last call per (feed, dev, ino) wins. -ENOMEM. */
int  batch_position(struct batch *b, const struct file_pos *p);

/* ------------------------------------------------------------ indicator.c */
struct outcome {
	int64_t num, den;       /* pooled sums (growth: this period, previous period) */
	double  value;          /* fraction; valid when has_value */
	bool    has_value;
	int     met;            /* 1 met, 0 missed, -1 unknown (no value, or den < min) */
	unsigned nmonths;       /* months that contributed (mean of months) */
	int64_t pending;        /* deadline: cases not decided yet (num met, den decided) */
};
/* Counter totals of one month (or any span) per indicator side. */
#define CFG_MAX_INDS    64      /* indicators in a config */
/* Counter field of a deadline indicator's outcome in a month hash: name, met|missed|pending. */
#define DEADLINE_FIELD_FMT "deadline:%s|%s"
struct ind_sums {
	int64_t num, den;
	int64_t pending;        /* deadline: cases not decided yet (num = met, den = decided) */
};
/*
 * Adds the counters of one hash (field names as combo_format, values as
 * decimal text) into per-indicator sums (arrays of cfg->nindicators).
 */
/* a + b saturated to the int64 range: counters come from Redis, unchecked. */
int64_t sat_add(int64_t a, int64_t b);
void ind_accumulate(const struct config *cfg, const char *field, size_t flen,
                    int64_t value, struct ind_sums *sums);
/*
 * Outcome of indicator i over months[0..n) (one ind_sums per month, in
 * order) according to its combine rule. For growth, prev holds the same
 * months one year earlier (n entries); otherwise prev may be NULL.
 */
void ind_outcome(const struct indicator *ind, const struct ind_sums *months,
                 const struct ind_sums *prev, unsigned n, struct outcome *ret);
bool target_met(enum cmp cmp, double target, double value);
const char *cmp_symbol(enum cmp cmp);   /* ">=", ... */

/* --------------------------------------------------------------- report.c */
/*
 * The committee's report over a period (pure): what `teleqctl report`
 * prints and the daemon serves as /api/indicators and on its dashboard.
 * The caller reads the counter hashes of the report's spans, folds each
 * with ind_accumulate() into an ind_table (one bucket per local month),
 * and calls compute_report(); both programs thus give the same figures.
 */
#define IND_MAX_MONTHS  12      /* month buckets of one span: a year, or up to 3 for rolling */
#define REPORT_PERIOD_MAX 32    /* bytes of a PERIOD argument */
#define REPORT_PERIOD_SYNTAX "2026-03, 2026-Q1, 2026-H1, 2026, 2026-03-05 or rolling"

/* Counter sums of one span, bucketed by local month, as ind_accumulate() fills them. */
struct ind_table {
	unsigned         nmonths;
	int64_t          monthno[IND_MAX_MONTHS];
	struct ind_sums *sums;          /* [bucket * nindicators + indicator] */
};
/* Allocates an empty table for nind indicators. 0 or -ENOMEM (t untouched). */
int  ind_table_init(struct ind_table *t, size_t nind);
void ind_table_done(struct ind_table *t);       /* accepts NULL and zeroed */
/*
 * The nind sums of month monthno in t, a new bucket when it is not the
 * last one (callers feed months in ascending order). NULL when t is full.
 */
struct ind_sums *ind_table_month(struct ind_table *t, size_t nind, int64_t monthno);
/* Month number (y*12 + m-1) of bucket k of span s. */
int64_t span_month(const struct span *s, unsigned k);
/*
 * Outcome of indicator i of cfg over table t. before holds the same span
 * one year earlier, needed by growth indicators (NULL: no value). When
 * monthly is not NULL it gets the ratio of each month with den > 0, in
 * order, and *ret_nmonthly their count.
 */
void ind_table_outcome(const struct config *cfg, size_t i, const struct ind_table *t,
                       const struct ind_table *before, struct outcome *ret,
                       double monthly[IND_MAX_MONTHS], unsigned *ret_nmonthly);
/* Strict decimal int64 of a counter value s[0..len) (no blanks, no '+'). 0 or -EINVAL. */
int  report_parse_count(const char *s, size_t len, int64_t *ret);

/* One indicator's figures for the period and the same period a year earlier. */
struct ind_result {
	struct outcome cur, prev;
	unsigned       ncur_monthly, nprev_monthly;
	double         cur_monthly[IND_MAX_MONTHS];
	double         prev_monthly[IND_MAX_MONTHS];
};
struct report {
	struct period     cur, prev;    /* the period, the same period one year earlier */
	char              cur_name[32], prev_name[32];
	int64_t           today;
	struct span       scur, sprev;  /* counter hashes of cur and of prev */
	struct span       sprev2;       /* of prev one year earlier: read when need_prev2 */
	bool              need_prev2;   /* some indicator is a growth */
	size_t            n;            /* cfg->nindicators */
	struct ind_result *r;
};
/*
 * A PERIOD as teleqctl report takes it (REPORT_PERIOD_SYNTAX; "rolling"
 * ends with today), at most REPORT_PERIOD_MAX bytes. 0 or -EINVAL.
 */
int  report_parse_period(const char *s, int64_t today, struct period *ret);
/* Sets up rep for period p (spans, names, zeroed results). 0 or -ENOMEM; rep untouched on failure. */
int  report_init(struct report *rep, const struct config *cfg, const struct period *p, int64_t today);
void report_done(struct report *rep);           /* accepts NULL and zeroed */
/*
 * Fills rep->r from the tables of the period (cur), of the same period one
 * year earlier (prev) and two years earlier (prev2, for the growth of the
 * previous year; may be NULL).
 */
void compute_report(const struct config *cfg, const struct ind_table *cur,
                    const struct ind_table *prev, const struct ind_table *prev2,
                    struct report *rep);
/*
 * The JSON report: an array with one object per indicator (indicator,
 * title, period, numerator, denominator, value, target, cmp, met, months
 * for mean-of-months, previous_year: the same object or null). Write
 * errors show in ferror(out).
 */
void report_json(FILE *out, const struct config *cfg, const struct report *rep);
/* A JSON string literal of s (valid JSON even when s is not valid UTF-8). */
void report_json_string(FILE *out, const char *s);
/* Number formats of the reports. */
double report_whole_percent(double v);          /* 0.7350 -> 74, from the judged 4 decimals */
void report_fmt_percent(char *buf, size_t len, double v, bool sign);    /* "52 %", "+25 %" */
void report_fmt_target(char *buf, size_t len, double target);           /* "55 %", "12,5 %" */
void report_fmt_frac(char *buf, size_t len, double v);                  /* "0.5166", "1" */
/* "265 av 513", "441 av 600, medel av 3 mån", "513 mot 409", "480 av 510 avgjorda, 3 pågående" */
void report_fmt_basis(char *buf, size_t len, const struct indicator *ind, const struct outcome *o);
const char *report_cmp_sign(enum cmp cmp);      /* "≥", ">", "≤", "<" */
/*
 * True when o has no data at all (no value, so not judged): the one test
 * for "utan underlag" / "ej bedömt: inget underlag" in the alert summary,
 * the dashboard and teleqctl report. A value over too few cases has data.
 */
bool report_no_data(const struct outcome *o);
/* A period in Swedish words: "mars 2026", "kvartal 1 2026", "de senaste 30 dagarna". */
void report_fmt_period(char *buf, size_t len, const struct period *p);
/*
 * The overview of count indicators over p, missed below target, nodata
 * without data: "3 av 12 indikatorer under målet, 9 utan underlag" (", N
 * utan underlag" only when N > 0), or "Inga data för november 2026" when
 * every one of them (count > 0) lacks data; returns true in that case.
 * Shared by the summary mail, the dashboard and teleqctl report.
 */
bool report_fmt_overview(char *buf, size_t len, const struct period *p, size_t count,
                         size_t missed, size_t nodata);

/* ----------------------------------------------------------------- page.c */
/*
 * The dashboard page (pure): one self-contained HTML document, Swedish
 * labels, no script, no external resource, for a laptop and a phone
 * alike. Per indicator: an SVG chart of the last PAGE_MONTHS months
 * against the target line, this month so far, the quarter and the same
 * quarter last year, each with its basis ("265 av 513") and whether the
 * target is met ("uppfyllt" / "ej uppfyllt" / "ej bedömt", in words).
 * A value over fewer than min_cases cases (ratio: its denominator;
 * growth: either count) is shown as "för få ärenden", without basis, and
 * is a gap in the chart.
 */
#define PAGE_MONTHS 13          /* months in a chart: this one and the same one last year */
struct page_ind {               /* one indicator's figures (cfg->indicators[i]) */
	struct outcome months[PAGE_MONTHS];     /* month first_month + k; the last is this month so far */
	struct outcome quarter;                 /* the current quarter so far */
	struct outcome quarter_prev;            /* the same quarter one year earlier */
};
struct page_model {
	int64_t  today;                 /* local day number */
	int64_t  now_wall;              /* local wall-clock seconds since 1970 ("uppdaterad") */
	int64_t  first_month;           /* month number (y*12 + m-1) of months[0]: today's - 12 */
	struct period quarter, quarter_prev;
	int64_t  min_cases;             /* >= 1 */
	size_t   n;                     /* cfg->nindicators */
	const struct page_ind *ind;     /* n entries */
};
/*
 * Writes the page of m to out. Every config string is HTML-escaped.
 * Returns 0, or -EIO when out reports a write error.
 */
int  page_render(FILE *out, const struct config *cfg, const struct page_model *m);
/* True when o is over fewer than min_cases cases: the page shows no ratio for it. */
bool page_too_few(const struct indicator *ind, const struct outcome *o, int64_t min_cases);

/* ---------------------------------------------------------------- alert.c */
/*
 * Pure alert logic: the early-warning state machine, when a period's
 * summary is due, and the retry schedule. No I/O; the caller persists the
 * state (as ew_format text) and decides delivery.
 */
const char *alert_kind_name(enum alert_kind k);         /* "breach", "reminder", ... */

/* Early-warning state of one indicator, persisted between runs. */
struct ew_state {
	int64_t month;          /* month number (y*12 + m-1) watched; -1 = none yet */
	bool    breach;         /* the month-to-date value is on the wrong side */
	bool    announced;      /* the current breach was announced: a "resolved" is owed */
	int64_t last_alert;     /* seconds since the epoch of the last breach/reminder sent; 0 never */
};
enum ew_action { EW_NONE, EW_BREACH, EW_REMINDER, EW_RESOLVED };
/*
 * One step for indicator ind given the month-to-date outcome o of month
 * number month at time now (seconds). A new month starts from a clean
 * state (no message: the month summary covers the old one). Below
 * ac->min_denominator, or without a value, nothing changes. Entering a
 * breach (target not met) announces it unless a breach was announced
 * less than ac->repeat_s ago (a flap: the breach is then quiet). A breach
 * ends only when the value is on the right side by at least
 * ac->hysteresis; a "resolved" is sent only for an announced breach. A
 * breach lasting ac->repeat_s since the last message is reminded (or, if
 * quiet, announced). *ret_next always gets the new state.
 */
enum ew_action ew_step(const struct alert_conf *ac, const struct indicator *ind,
                       const struct ew_state *cur, int64_t month, const struct outcome *o,
                       int64_t now, struct ew_state *ret_next);
/* Text form "m=<month> b=<0|1> a=<0|1> t=<last_alert>". Returns length or -ENOBUFS. */
int ew_format(const struct ew_state *s, char *buf, size_t len);
/* Inverse of ew_format. -EINVAL. */
int ew_parse(const char *s, size_t len, struct ew_state *ret);
/*
 * The latest period of kind (P_MONTH .. P_YEAR) whose end (local midnight
 * after its last day) plus grace_s is at or before now_wall (local wall
 * seconds: seconds since 1970-01-01 00:00 of the local calendar).
 */
struct period summary_latest_due(enum period_kind kind, int64_t now_wall, int64_t grace_s);
/*
 * Whether ind is in the summary of a period of kind: a month summary has
 * every indicator; a quarter, half-year or year summary those whose
 * cadence is at most that long.
 */
bool summary_includes(const struct indicator *ind, enum period_kind kind);
/* Delay before retry number attempt (1-based): retry_min_s doubling, capped at retry_max_s. */
int64_t retry_delay(const struct alert_conf *ac, unsigned attempt);

/* --------------------------------------------------------------- cohort.c */
/*
 * Deadline indicators (Kvalitetsstyrning), the pure core: the share of
 * cohort members (cases with a start event) whose stop event came within a
 * deadline: "bekräftelse inom 24 timmar", "första kontakt inom 7 dagar",
 * "svar från vårdgivare inom två / fyra veckor, med uppskov". No I/O, no
 * allocation. The caller keeps one struct case_state per case (as
 * case_format text), applies the case's events in whatever order they are
 * read, and commits the counter changes case_report gives it together with
 * the new state. A case belongs to the local month of its start.
 *
 * The deadline is the last instant still in time: a stop at the deadline
 * is met, one second later it is missed (dl_deadline):
 *   - hours are elapsed time, and "within n hours" means shorter than n
 *     hours, as the seeds' "väntat kortare än 24 timmar": a case started
 *     at t is in time up to t + n*3600 - 1, so a stop exactly 24 h later
 *     is missed. Across the spring switch the wall clock then shows one
 *     hour more (12:00 -> 12:59:59 the next day), across the autumn
 *     switch one hour less.
 *   - days and weeks are local calendar days, counted as a case officer
 *     counts dates ("väntat 7 dagar eller kortare"): the start's local
 *     date plus n, to the end of that day. Opened on 2 March at any hour,
 *     a 7-day case is met by a stop up to 9 March 23:59:59 local time.
 *     The n whole days after the start's day are n*24 real hours, one
 *     less or one more across a DST switch (7 days: 167 or 169 h). The
 *     end of a day is the instant before the next local day begins (its
 *     00:00 through tz_wall_to_utc: a midnight in a gap begins when the
 *     clock jumps). No holiday rule: a deadline on a Sunday stays there.
 */
/* enum dl_unit, struct dl_span: in the config section (an indicator holds them). */
#define DL_MAX_HOURS 8760       /* a year of hours */
#define DL_MAX_DAYS  366
#define DL_MAX_WEEKS 52
/*
 * Parses "<digits><unit>": "24h", "36h" (hours 1..8760), "7d", "10d"
 * (days 1..366), "2w", "4w" (weeks 1..52, stored as days). Lower-case
 * units, no sign, no spaces, no fraction (leading zeros are allowed, as in
 * duration_parse). Returns 0 and *ret; -EINVAL when s is not of that form;
 * -ERANGE for a well-formed span out of bounds ("0d", "53w"), however many
 * digits it has. *ret untouched on failure.
 */
int dl_parse(const char *s, size_t len, struct dl_span *ret);
/*
 * The deadline of a case started at start_utc: the last instant (UTC
 * seconds) at which its stop is still in time, by the rule above. s must
 * be in dl_parse's bounds and start_utc in [CASE_T_MIN, CASE_T_MAX).
 */
int64_t dl_deadline(const struct dl_span *s, const struct tz *tz, int64_t start_utc);

/* struct cohort_rule: in the config section. */

/* Event times and extension dates case_apply accepts: 1900-01-01 .. 8999-12-31 UTC. */
#define CASE_T_MIN      (-25567 * (int64_t)SECS_PER_DAY)
#define CASE_T_MAX      (2567655 * (int64_t)SECS_PER_DAY)      /* exclusive */
#define CASE_DAY_MIN    (-25567)
#define CASE_DAY_MAX    2567655                         /* exclusive */
/* No date in an extension: it moves the deadline by rule->extend_by. */
#define CASE_NO_DAY     INT64_MIN
/* A suggested keep_s for case_expiry: as long as the default dedup.window_days. */
#define CASE_KEEP_S     (DEDUP_WINDOW_DAYS_DEFAULT * (int64_t)SECS_PER_DAY)
/* case_format's longest text, with its NUL. */
/* CASE_TEXT_MAX: in the config section. */

enum case_ev { CASE_START, CASE_STOP, CASE_EXTEND };
enum case_outcome {
	CASE_NOT_IN_COHORT,     /* no start yet: in no counter */
	CASE_PENDING,           /* started, no stop, the deadline not passed */
	CASE_MET,               /* the earliest stop is at or before the deadline */
	CASE_MISSED,            /* the earliest stop is later, or the deadline passed without one */
};

/*
 * One case, persisted between events. Only case_apply and case_report
 * change it; every field follows from the events seen, whatever their
 * order (the same events in any order give the same state):
 *   - the earliest start counts: a repeated start (re-sent, or the same
 *     case registered again) never makes the wait shorter;
 *   - the earliest stop counts: a later duplicate never turns met into
 *     missed, an earlier one read later turns missed into met;
 *   - a stop read before its start is kept (an orphan, not in the cohort)
 *     and decides the case when the start arrives; a stop earlier than
 *     the start, by however much (clocks of two systems apart), is met as
 *     a wait of 0: a case id names one case, a reopened case is not a
 *     second cohort member;
 *   - an extension (uppskov) only ever moves the deadline later, and is
 *     counted whenever it is read, also after the deadline passed (the
 *     office granted it; a missed case can become pending or met again).
 *     With a date, the deadline becomes the end of that local day, and of
 *     several dates the latest wins. Without one, the deadline moves by
 *     rule->extend_by once per case (a repeated extend line is a
 *     duplicate, not a second postponement; a second uppskov carries its
 *     own date), hours as elapsed time, days to the same local wall time n
 *     days later (an end-of-day deadline stays at the end of a day; a time
 *     in the spring gap reads as tz_wall_to_utc does). Both kinds
 *     together: the later deadline. An extension read before the start is
 *     kept and applied when the start arrives.
 */
struct case_state {
	bool    has_start, has_stop;
	bool    ext_by_amount;          /* an extension without a date was seen */
	bool    has_ext_day;
	int64_t start_utc;              /* earliest start */
	int64_t stop_utc;               /* earliest stop */
	int64_t ext_day;                /* latest extension date (local day number) */
	int64_t deadline_utc;           /* with a start: the last instant in time, extensions included */
	int64_t month;                  /* with a start: local month number (y*12 + m-1) of the start */
	/* Kept by case_report: what the month counters hold for this case. */
	enum case_outcome reported;
	int64_t reported_month;         /* where it is counted; 0 when reported is CASE_NOT_IN_COHORT */
};
void case_init(struct case_state *st);  /* no events, nothing reported */

/* case_apply's result bits: what changed (0: nothing, e.g. a duplicate). */
#define CASE_CH_START    1      /* first start, or an earlier one (month may change) */
#define CASE_CH_STOP     2      /* first stop, or an earlier one */
#define CASE_CH_EXTEND   4      /* an extension not seen before (the deadline may stay) */
#define CASE_CH_DEADLINE 8      /* deadline_utc set or moved: reschedule case_next_decision */
/*
 * Applies one event of the case at utc (UTC seconds, the event's own
 * time). For CASE_EXTEND, extend_to_day is the local day number of the
 * new last day, or CASE_NO_DAY to extend by rule->extend_by (the
 * extension's own time is not used, see above); other kinds ignore it.
 * The deadline is recomputed with rule and tz, so a state must always be
 * applied with the same rule and zone. Returns the CASE_CH_* bits; -EINVAL
 * for an unknown kind, a rule out of dl_parse's bounds, or an extension
 * without a day when the rule has no extend_by; -ERANGE for utc or
 * extend_to_day out of [CASE_T_MIN, CASE_T_MAX) / [CASE_DAY_MIN,
 * CASE_DAY_MAX). *st untouched on failure.
 */
int case_apply(struct case_state *st, enum case_ev kind, int64_t utc, int64_t extend_to_day,
               const struct cohort_rule *rule, const struct tz *tz);
/*
 * The outcome at now_utc, a pure function of the state and now: no start
 * -> CASE_NOT_IN_COHORT; a stop at or before the deadline -> CASE_MET, a
 * later one -> CASE_MISSED (whatever now is); no stop -> CASE_PENDING up
 * to and including the deadline, CASE_MISSED after it. Nothing is final:
 * events read later may still change it (see struct case_state).
 */
enum case_outcome case_decide(const struct case_state *st, int64_t now_utc);
/*
 * The instant at which time alone changes case_decide: deadline + 1 for a
 * started case without a stop (already past when it is missed), INT64_MAX
 * for every other state. The caller's timer calls case_report then.
 */
int64_t case_next_decision(const struct case_state *st);
/*
 * When the state may be dropped: keep_s (CASE_KEEP_S is a suggestion;
 * negative counts as 0) after the latest instant it knows (start, stop,
 * deadline, the end of an extension date), saturating; INT64_MIN for a
 * state without events. An orphan stop or extension (no start) is kept
 * the same way, counted from its own time: a start read later than that
 * finds no state and starts a new case. The instant is in event time;
 * a caller expiring in wall-clock time (a backfill of old data) must not
 * expire before the state's month can still change.
 */
int64_t case_expiry(const struct case_state *st, int64_t keep_s);

/* Changes of one month's counters (each -1, 0 or +1); decided = met + missed. */
/* struct cohort_delta: in the config section. */
/* The counter changes when a case's outcome goes from before to after. */
void case_delta(enum case_outcome before, enum case_outcome after, struct cohort_delta *ret);
struct cohort_change {
	int64_t month;                  /* month number the delta applies to */
	struct cohort_delta d;
};
/*
 * Compares case_decide(st, now_utc) and the start's month with what
 * st->reported says the counters hold, writes the changes that bring the
 * counters in line into ret[0..n) and returns n: 0 (nothing to do), 1, or
 * 2 when an earlier start moved the case to another month (out of the old
 * month, into the new). Then marks them reported in *st: the caller
 * commits the changes and the new state together (one Lua script), so
 * that summed over all cases, each month's counters equal the outcomes of
 * its cases.
 */
int case_report(struct case_state *st, int64_t now_utc, struct cohort_change ret[2]);
/*
 * Text form, '-' for what is absent:
 * "s=<start> p=<stop> d=<deadline> m=<month> a=<0|1> t=<ext_day> r=<r>",
 * r "-" (nothing reported) or "<p|m|x>:<reported_month>" (pending, met,
 * missed). Returns its length, or -ENOBUFS when it does not fit in len
 * bytes (CASE_TEXT_MAX always does; buf then untouched).
 */
int case_format(const struct case_state *st, char *buf, size_t len);
/*
 * Inverse of case_format, strict: exactly that text (s need not be
 * NUL-terminated, at most CASE_TEXT_MAX - 1 bytes), single spaces,
 * canonical integers (no '+', no leading zero, no "-0"), times and days
 * in case_apply's bounds, months and deadlines in range, s, d and m all
 * present or all absent, d >= s. Returns 0 and *ret, or -EINVAL (*ret
 * untouched).
 */
int case_parse(const char *s, size_t len, struct case_state *ret);

/* ------------------------------------------------------------------- scan.c */
/* Strict readers of the text formats teleqd writes itself (ew_format, case_format). */
int  scan_int(const char *s, size_t len, size_t *pos, bool neg_ok, int64_t *ret);
bool scan_lit(const char *s, size_t len, size_t *pos, const char *lit);
/* All of s[0..len) as an unsigned number, base 10 or 16 (lowercase). */
bool scan_u64(const char *s, size_t len, int base, uint64_t *ret);

/* ------------------------------------------------------------------ cases.c */
/*
 * The daemon's table of case states for the deadline indicators: loaded from
 * the store, fed with the events that carry a case id, ticked by time. Pure
 * (no I/O; the caller passes now). See cases.c.
 */
struct cases;
bool    cases_wanted(const struct config *cfg);     /* cfg has a deadline indicator */
int     cases_new(const struct config *cfg, const struct tz *tz, struct cases **ret);
void    cases_free(struct cases *cs);               /* accepts NULL */
void    cases_clear(struct cases *cs);
size_t  cases_count(const struct cases *cs);
/* One committed state: field = case id in 32 letters a-p (4 bits each). 0, -EINVAL, -ENOMEM. */
int     cases_load(struct cases *cs, size_t ind, const char *field, size_t flen,
                   const char *text, size_t tlen);
/* Applies ev to the deadline indicators it matches; counter changes into b. 0 or -ENOMEM. */
int     cases_event(struct cases *cs, const struct event *ev, int64_t now, struct batch *b);
/* Decides the deadlines behind now and drops expired states (deletions into b). 0, -ENOMEM. */
int     cases_tick(struct cases *cs, int64_t now, struct batch *b);
int64_t cases_next(const struct cases *cs);         /* when cases_tick is due; INT64_MAX */
/* The states changed since the last flush, into b. 0 or -ENOMEM. */
int     cases_flush(struct cases *cs, struct batch *b);

/* -------------------------------------------------------------- message.c */
/*
 * Pure rendering of alert messages: templates with {placeholders}, the
 * Swedish summary table, the RFC 5322 mail and the webhook JSON.
 *
 * Placeholders: {title} {indicator} {period} {period_id} {value} {target}
 * {basis} {previous} {status} {table} {missed} {count} {nodata} {overview} ;
 * "{{" is "{" and "}}" is "}". Per-indicator ones are empty in a summary;
 * {table}, {missed}, {count}, {nodata} (indicators without data,
 * report_no_data) and {overview} (report_fmt_overview) are empty outside
 * one. A summary where every indicator lacks data uses its own default
 * templates ("Inga data för {period}: ..."); a custom subject then gets
 * "Inga data för <period>: " in front, so it never reads as an all-clear.
 */
struct ind_view {               /* one indicator's figures, as in its ind:<name>:<period> hash */
	const struct indicator *ind;
	struct outcome cur;         /* num, den, value, has_value, met (1, 0, -1) */
	struct outcome prev;        /* the same period one year earlier */
};
struct alert_text {
	char *subject;              /* one line, UTF-8 */
	char *body;                 /* UTF-8, '\n' line ends */
	enum alert_kind kind;       /* set by alert_render; mail_build writes it as X-Teleqd-Kind */
};
/* Default Swedish template of kind (subject or body). */
const char *alert_default_template(enum alert_kind k, bool subject);
/* Checks a template. 0, or -EINVAL with *ret_offset at the bad placeholder or brace. */
int tpl_check(const char *tpl, size_t len, size_t *ret_offset);
/*
 * Renders the message of kind for period p (rows: one indicator for
 * breach/reminder/resolved, every summarized indicator for a summary,
 * none for a test). Returns 0 or -ENOMEM; *ret owned by the caller.
 */
int alert_render(const struct alert_conf *ac, enum alert_kind kind, const struct period *p,
                 const struct ind_view *rows, size_t nrows, struct alert_text *ret);
void alert_text_done(struct alert_text *t);     /* accepts NULL and zeroed */
/*
 * What the feed and store alerts (stale, stale_reminder, fresh, reset,
 * redis_evicts, redis_ok) show: preformatted local times and dates, or
 * NULL (expands to nothing).
 */
struct feed_alert {
	const char *feed;           /* {feed}: the feed's name */
	const char *since;          /* {since}: last line read (stale), emptied at (reset),
	                             * refused since (redis_evicts) */
	const char *from, *to;      /* {from} {to}: reset: dates of the events re-read */
	const char *policy;         /* {policy}: redis_evicts: Redis's maxmemory-policy */
};
/*
 * Renders a feed or store alert (kind AK_STALE..AK_REDIS_OK) from the
 * templates of ac (NULL: the defaults). Returns 0 and *ret, -EINVAL for
 * another kind, -ENOMEM.
 */
int alert_render_feed(const struct alert_conf *ac, enum alert_kind kind,
                      const struct feed_alert *fa, struct alert_text *ret);
/*
 * A complete RFC 5322 message for sendmail -t: From, To, Subject (RFC 2047
 * encoded when not ASCII), Date (of date, seconds), Message-ID <id@domain
 * of From>, MIME 1.0 text/plain UTF-8 quoted-printable, Auto-Submitted.
 * Lines end in '\n' (the sendmail interface converts). *ret malloc'd.
 */
int mail_build(const struct alert_conf *ac, const char *id, int64_t date,
               const struct alert_text *t, char **ret, size_t *ret_len);
/*
 * The webhook JSON: {"id","kind","period","created","subject","text",
 * "indicators":[{"name","title","value","target","cmp","numerator",
 * "denominator","met","previous_value","previous_numerator",
 * "previous_denominator"}]}. *ret malloc'd.
 */
int webhook_payload(const char *id, enum alert_kind kind, const struct period *p,
                    int64_t created, const struct alert_text *t,
                    const struct ind_view *rows, size_t nrows, char **ret, size_t *ret_len);

/* --------------------------------------------------------------- notify.c */
/*
 * Delivers one rendered message through one channel, asynchronously on
 * a libevent base: mail by running the sendmail command with the message
 * on its standard input (exit 0 = accepted), webhook by an HTTP POST of
 * the JSON (2xx = accepted). Knows nothing of Redis or retries.
 */
struct event_base;
enum channel { CH_MAIL, CH_WEBHOOK, CH__MAX };
const char *channel_name(enum channel ch);      /* "mail", "webhook" */
/* Parses "mail" / "webhook". -EINVAL. */
int channel_parse(const char *s, size_t len, enum channel *ret);
/* True when ac configures channel ch. */
bool channel_enabled(const struct alert_conf *ac, enum channel ch);
/*
 * status 0: delivered. < 0: failed; detail (never NULL, valid during the
 * call only, never message content) says why: "exit 75: <first line of
 * its output>", "killed by signal 9", "timed out after 60 s", "cannot run
 * /usr/sbin/sendmail: No such file or directory", "HTTP 500",
 * "connection failed", "timed out".
 */
typedef void notify_done_fn(void *arg, int status, const char *detail);
/*
 * The status of a failed mail attempt that may have been delivered all
 * the same: sendmail read the whole message and then ended in a way that
 * does not say whether it was passed on (EX_IOERR, EX_PROTOCOL and
 * EX_SOFTWARE exits, such as msmtp's when a relay hangs up after DATA
 * before its final reply; killed by a signal, or by us after the
 * deadline). Every other failure is definite: the message was not taken.
 * The webhook never reports it (its Idempotency-Key makes a repeat safe).
 */
#define NOTIFY_AMBIGUOUS (-EREMOTEIO)
/*
 * Pure: the status for a sendmail child that ended with wait status st
 * (waitpid), timed_out when we killed it after the deadline, read_all
 * when it had read the whole message from its stdin: 0 (exit 0),
 * NOTIFY_AMBIGUOUS (see above; never unless read_all), or -EIO.
 */
int sendmail_status(int st, bool timed_out, bool read_all);
/*
 * Pure: what the outbox does after an attempt that ended with status
 * (notify_done_fn) when ambiguous_before earlier attempts of the message
 * were ambiguous and max_ambiguous (alerts.delivery.max_ambiguous) are
 * allowed: DA_DONE (delivered), DA_RETRY (definite failure, or an
 * ambiguous one still within the bound), DA_PARK (the ambiguous outcome
 * number max_ambiguous + 1: the message is kept but not tried again, so
 * it reaches the relay at most 1 + max_ambiguous times).
 */
enum delivery_action { DA_DONE, DA_RETRY, DA_PARK };
enum delivery_action delivery_decide(int status, unsigned ambiguous_before,
                                     unsigned max_ambiguous);
struct notify;
int  notify_new(struct event_base *base, const struct alert_conf *ac, struct notify **ret);
/* Cancels what is in flight (children are killed, callbacks not called). Accepts NULL. */
void notify_free(struct notify *n);
/*
 * Starts delivering data[0..len) (copied) through ch; id is the alert id
 * (webhook: the Idempotency-Key header). done is called exactly once,
 * never from within notify_send; a failure to start (sendmail missing)
 * is reported through done like any other failed attempt. Returns 0, or
 * -EINVAL (channel not configured, bad id) / -ENOMEM, and then done is
 * never called.
 */
int  notify_send(struct notify *n, enum channel ch, const char *id, const char *data,
                 size_t len, notify_done_fn *done, void *arg);

/* ----------------------------------------------------------- storealarm.c */
/*
 * The mail about an evicting Redis, delivered directly (not through the
 * outbox, which lives in the refused Redis): redis_evicts once the refusal
 * (store_policy_refused) has lasted STOREALARM_GRACE_S, retried with the
 * alerts.delivery backoff while it lasts; redis_ok once when it ends after
 * a redis_evicts was delivered. In memory: a restart mails again.
 */
#define STOREALARM_GRACE_S 5    /* a shorter refusal mails nothing */
enum sa_phase { SA_IDLE, SA_EVICTS_DUE, SA_WARNED, SA_OK_DUE };
enum sa_action { SA_NONE, SA_SEND_EVICTS, SA_SEND_OK };
/*
 * What the daemon knows of the policy: refused (store_policy_refused), fine
 * (the store is ready: its handshake found noeviction), or unknown (no
 * store yet, a reload, stopping, Redis away with the policy fine): unknown
 * is no news, never a fix.
 */
enum sa_redis { SA_REDIS_UNKNOWN, SA_REDIS_REFUSED, SA_REDIS_FINE };
struct sa_state {               /* zeroed: nothing refused, nothing sent */
	enum sa_phase phase;    /* EVICTS_DUE: owed, not delivered; WARNED: delivered */
	int64_t refused_since;  /* monotonic s the refusal was first seen, 0 = not refused */
	int64_t episode;        /* calendar s the episode began (the Message-IDs), 0 = none */
	int64_t next_try;       /* monotonic s of the next attempt */
	unsigned tries;         /* failed attempts of the message owed */
	bool    inflight;       /* an attempt is out: nothing else starts */
};
/*
 * Pure: the decision at monotonic second now with what is known of the
 * policy (SA_REDIS_UNKNOWN changes nothing and starts nothing); now_cal
 * names a new episode. Returns SA_SEND_* when an attempt
 * is to start now (s->inflight is then set: report it to
 * storealarm_result), else SA_NONE.
 */
enum sa_action storealarm_step(struct sa_state *s, enum sa_redis redis, int64_t now,
                               int64_t now_cal, int64_t grace_s);
/*
 * Pure: the attempt started by storealarm_step ended: done (delivered, or
 * given up) or failed. Returns the delay (s) before the next attempt of a
 * failed one (retry_min_s doubling up to retry_max_s), 0 when done.
 */
int64_t storealarm_result(struct sa_state *s, bool done, int64_t now, int64_t retry_min_s,
                          int64_t retry_max_s);
struct storealarm;
/*
 * Creates the alarm for the alerts config ac (kept: must outlive the
 * alarm or be replaced with storealarm_configure). Without alerts or a
 * mail channel it mails nothing and logs that once per episode. Returns
 * 0, -EINVAL, -ENOMEM.
 */
int  storealarm_new(struct event_base *base, const struct alert_conf *ac, struct storealarm **ret);
/*
 * After a reload: the new alerts config ac (kept; an attempt in flight is
 * restarted). 0, or -errno: the templates and retry settings of ac are
 * used all the same, the previous mail channel stays.
 */
int  storealarm_configure(struct storealarm *sa, const struct alert_conf *ac);
/*
 * Cheap; call every tick with what is known (redis) and, when refused, the
 * policy (store_policy_refused), and the zone of {since}.
 */
void storealarm_tick(struct storealarm *sa, enum sa_redis redis, const char *policy,
                     const struct tz *tz);
void storealarm_free(struct storealarm *sa);    /* cancels what is in flight; accepts NULL */

/* -------------------------------------------------------------- metrics.c */
/*
 * The process's counters for /metrics (Prometheus text format 0.0.4).
 * Single-threaded: modules bump tq_metrics directly; rendering is pure.
 */
struct file_stat;
#define METRICS_LAT_BUCKETS 12
/* Upper bounds (ms) of the commit latency histogram buckets; +Inf follows. */
extern const double metrics_latency_bounds_ms[METRICS_LAT_BUCKETS];

/*
 * Figures of the process itself, read at scrape time (metrics_read_proc),
 * for the process_* families every Prometheus client library exports.
 */
struct proc_stat {
	bool     ok;                /* false: /proc unreadable, the families are left out */
	uint64_t resident_bytes;    /* RSS */
	uint64_t open_fds;
	uint64_t max_fds;           /* the soft RLIMIT_NOFILE */
	double   cpu_seconds;       /* user + system */
	double   start_time;        /* unix seconds, from the boot time and starttime ticks */
};

struct metrics {
	int64_t  started;                               /* unix seconds */
	uint64_t lines[BATCH_MAX_FEEDS];                /* lines read and committed, per feed */
	uint64_t events[BATCH_MAX_FEEDS];               /* events committed, per feed */
	uint64_t rejects[BATCH_MAX_FEEDS][REJ__MAX];    /* rejected lines committed, per feed and reason */
	uint64_t header_changes[BATCH_MAX_FEEDS];       /* CSV header changes committed, per feed */
	uint64_t commits;                               /* commits applied */
	uint64_t commit_failures;                       /* commits whose outcome was unknown or refused */
	uint64_t duplicates;                            /* events dropped as already seen */
	uint64_t latency[METRICS_LAT_BUCKETS + 1];      /* commit round trips per bucket (not cumulative) */
	double   latency_sum_ms;
	uint64_t redis_reconnects;
	uint64_t store_resets;                          /* handshakes that found the store emptied */
	int64_t  store_last_reset;                      /* unix seconds of the last one, 0 = none */
	bool     redis_connected;
	bool     redis_responsive;                      /* connected and no request waited
	                                                 * redis.unresponsive_after */
	int64_t  redis_reply_age_ms;                    /* ms since Redis last answered, filled right
	                                                 * before a render; -1 = not connected */
	bool     redis_policy_refused;                  /* not committing: maxmemory-policy evicts */
	char     redis_policy[32];                      /* the refused policy ("" unknown/unreadable) */
	bool     lease_held;                            /* this daemon holds the writer lease */
	uint64_t alerts_queued[AK__MAX];
	uint64_t deliveries[2][2];                      /* [CH_MAIL/CH_WEBHOOK][0 failed, 1 delivered] */
	uint64_t outbox_pending;                        /* deliveries not done yet (last ZCARD) */
	int64_t  outbox_oldest;                         /* calendar s the oldest of them was made, 0 = none */
	uint64_t alerts_ambiguous;                      /* mail attempts with an ambiguous outcome */
	uint64_t alerts_parked;                         /* deliveries parked (last HLEN outbox:parked) */
	int64_t  feed_last_line[BATCH_MAX_FEEDS];       /* calendar s of the last line read (or start-up) */
	bool     feed_stale[BATCH_MAX_FEEDS];           /* silent longer than its max_silence */
	bool     feed_heard[BATCH_MAX_FEEDS];           /* a line was read since start-up */
	/* the last store reset whose rebuild is done (alerter.c mails it once) */
	int64_t  reset_rebuilt_ms;                      /* its store_reset_ms, 0 = none */
	int64_t  reset_rebuilt_at;                      /* calendar s it was found */
	int64_t  reset_from, reset_to;                  /* utc s of the events re-read, 0 = none */
	int64_t  config_last_reload;                    /* unix seconds of the last good load */
	struct proc_stat proc;                          /* filled right before a render */
};

extern struct metrics tq_metrics;

/* Adds one commit's round trip (ms) to the histogram and the sum. */
void metrics_observe_latency(struct metrics *m, double ms);
/*
 * Renders m, with per-feed names from cfg and the followed files'
 * bytes behind (size - offset) and sizes, as Prometheus text: HELP and
 * TYPE lines, metric names prefixed "teleqd_", label values escaped.
 * Returns 0 with *ret malloc'd (and *ret_len), or -ENOMEM.
 */
int metrics_render(const struct metrics *m, const struct config *cfg,
                   const struct file_stat *files, size_t nfiles, int64_t now,
                   char **ret, size_t *ret_len);
/*
 * Reads this process's figures from /proc/self (stat, statm, fd, limits
 * via getrlimit) and /proc/stat (btime) into *ret, for tq_metrics.proc
 * right before a render; ret->ok false when they cannot be read.
 * procstat.c (I/O; metrics.c stays pure).
 */
void metrics_read_proc(struct proc_stat *ret);

/* --------------------------------------------------------------- health.c */
/*
 * Pure /healthz decision and feed freshness (no I/O). The daemon gathers
 * the inputs; health_reasons says what is wrong, one line per reason.
 */
struct health_feed {
	const char *name;
	int64_t     last_line;          /* calendar s of the last line read, or of start-up */
	int64_t     max_silence_s;      /* 0 = never stale */
	bool        heard;              /* a line was read since start-up (last_line is one) */
};
struct health_in {
	bool     redis_connected;
	const char *redis_policy_refused;   /* not committing: the evicting policy (NULL = fine) */
	int64_t  redis_unresponsive_s;  /* > 0: the oldest request has waited this long, past
	                                 * redis.unresponsive_after */
	bool     standby;               /* another daemon holds the writer lease (store_standby) */
	const char *holder;             /* with standby: who (lease_describe) */
	bool     feeds_started;         /* the store handed over the positions */
	bool     commit_failed;         /* the last commit failed (cleared by the next good one) */
	bool     reset_rebuilding;      /* Redis was found emptied and the feeds are not yet re-read */
	int64_t  reset_at;              /* calendar s the emptied store was found (with the above) */
	int64_t  now;                   /* calendar s */
	const struct health_feed *feeds;
	size_t   nfeeds;
	int64_t  oldest_undelivered;    /* calendar s the oldest pending alert was made; 0 = none */
	int64_t  undeliverable_s;       /* pending longer than this is a reason (retry_max x 3); 0 = off */
	uint64_t alerts_parked;         /* deliveries parked after ambiguous outcomes: a reason */
	unsigned max_ambiguous;         /* for its text */
};
/* True when f has been silent for longer than its max_silence at now. */
bool feed_stale(const struct health_feed *f, int64_t now);
/*
 * The freshness mails of one feed (alerts:state "feed:<name>"): stale
 * once, a reminder every repeat_s while it lasts, fresh when a line was
 * read again. Only a line actually read makes a stale feed fresh: a
 * restart (silence measured from start-up) does not.
 */
struct fresh_state {
	bool    stale;          /* a stale mail was sent and no fresh one since */
	int64_t since;          /* calendar s of the last line when it went stale */
	int64_t last_mail;      /* calendar s of the last stale or reminder mail */
};
enum fresh_action { FA_NONE, FA_STALE, FA_REMINDER, FA_FRESH };
enum fresh_action fresh_step(const struct health_feed *f, int64_t now, int64_t repeat_s,
                             const struct fresh_state *cur, struct fresh_state *ret_next);
/* Text form "s=<0|1> l=<since> t=<last_mail>". Returns its length or -ENOBUFS. */
int fresh_format(const struct fresh_state *st, char *buf, size_t len);
/* Parses fresh_format's text. 0, or -EINVAL. */
int fresh_parse(const char *s, struct fresh_state *ret);
/*
 * Writes one line ("...\n") per reason /healthz must answer 503 for into
 * buf (NUL-terminated, truncated to len, whole lines only when possible).
 * Returns the number of reasons: 0 healthy (buf ""). Times are shown as
 * UTC ISO 8601. No personal data: only feed names and times.
 * A standby (in->standby) is healthy: 0, and buf holds the one line
 * "standby: lease held by <holder>" (HTTP 200 with that body): it is
 * connected and ready to take over, which is its job; its feeds are not
 * read, so their silence is not its fault.
 */
size_t health_reasons(const struct health_in *in, char *buf, size_t len);

/* ----------------------------------------------------------------- http.c */
/*
 * The optional HTTP listener (libevent evhttp): GET/HEAD /healthz,
 * /metrics, / (the dashboard page) and /api/indicators; any other method
 * 405, any other path 404. No write endpoints.
 */
enum http_view {
	HTTP_PAGE,              /* GET /: the dashboard page */
	HTTP_API_INDICATORS,    /* GET /api/indicators[?period=PERIOD]: the JSON report */
};
/*
 * A request answered later: the sink's figures come from Redis. Answer it
 * exactly once with http_reply_send (which frees it), whether or not the
 * client is still there: when it is gone, or the listener was freed
 * meanwhile, the answer only frees it.
 */
struct http_reply;
void http_reply_send(struct http_reply *rep, int code, const char *content_type,
                     const char *body, size_t len);
struct http_sink {
	/* Health: 0 healthy (buf "" or a note for the 200 body); otherwise a short reason (no personal data) in buf. */
	int   (*health)(void *arg, char *buf, size_t len);
	/* The /metrics body, malloc'd (*ret_len set), or NULL on failure (503). */
	char *(*metrics)(void *arg, size_t *ret_len);
	/*
	 * / and /api/indicators (NULL: 404). period is the API's "period"
	 * query argument (1..REPORT_PERIOD_MAX bytes, not yet checked), NULL
	 * when absent or for the page; valid during the call only. The sink
	 * answers through rep exactly once, during the call or later.
	 */
	void  (*dashboard)(void *arg, struct http_reply *rep, enum http_view view,
	                   const char *period);
};
struct httpd;
/*
 * Binds cfg->http (host, port; port 0 = any free port) on base. Returns 0
 * and *ret, or -errno (-EADDRINUSE, -EACCES, ...) with the cause logged.
 * *ret_port (may be NULL) gets the port actually bound.
 */
int  httpd_new(struct event_base *base, const struct config *cfg, const struct http_sink *sink,
               void *arg, struct httpd **ret, unsigned *ret_port);
/*
 * Applies cfg's http.max_connections and http.request_timeout to a
 * running listener (a reload that keeps the address). Accepts NULL h.
 */
void httpd_configure(struct httpd *h, const struct config *cfg);
void httpd_free(struct httpd *h);               /* accepts NULL */

/* ----------------------------------------------------------------- dash.c */
/*
 * The daemon's dashboard (HTTP_PAGE) and /api/indicators
 * (HTTP_API_INDICATORS), read from the counters over st's connection and
 * answered through rep: 200 with the page (text/html) or the JSON report
 * of period (as teleqctl report takes it; NULL: the current month), 400
 * for a bad period, 503 when Redis is not ready, the connection is lost,
 * too many requests are being served or Redis takes too long. The config
 * in force (store_config) must outlive st: a request in flight keeps it
 * until st answers or is freed (store_free answers everything).
 */
struct store;
void dash_serve(struct event_base *base, struct store *st, struct http_reply *rep,
                enum http_view view, const char *period);

/* -------------------------------------------------------------- sdnotify.c */
/*
 * systemd service notification through libsystemd's sd_notify. Every call
 * is a no-op when not started by systemd (NOTIFY_SOCKET unset). With
 * WatchdogSec= set (WATCHDOG_USEC), a timer on the event loop sends
 * WATCHDOG=1 at half the interval, so a stuck loop gets the service
 * restarted.
 */
struct sdnotify;
int  sdnotify_new(struct event_base *base, struct sdnotify **ret);     /* 0 or -ENOMEM */
void sdnotify_free(struct sdnotify *sn);        /* accepts NULL */
void sdnotify_ready(struct sdnotify *sn);        /* READY=1 (also after a reload) */
void sdnotify_reloading(struct sdnotify *sn);    /* RELOADING=1 */
void sdnotify_stopping(struct sdnotify *sn);     /* STOPPING=1 */
/* STATUS=<one line>, sent only when it changed. */
void sdnotify_status(struct sdnotify *sn, const char *fmt, ...) TQ_PRINTF(2, 3);

/* ----------------------------------------------------------------- feed.c */
/*
 * Following files like tail -F: one struct feedset for all feeds of a
 * config. Files are identified by device+inode plus a fingerprint of their
 * head (never by name), woken by inotify through libevent, with a periodic
 * rescan as safety net. Hands complete records to a sink; holds a partial
 * last line until its newline arrives.
 */
struct event_base;
struct feedset;

struct record_ctx {
	uint16_t            feed;       /* index into config.feeds */
	uint64_t            line;       /* 1-based record number in its file */
	const char         *path;
	struct parse_state *ps;         /* this file's parse state */
	bool                header_replay;  /* the header re-read after a restart: do not count */
};
struct feed_sink {
	/*
	 * One complete record, terminator ("\n" or "\r\n") stripped. Return 0
	 * when consumed, -ENOSPC to stop reading: the record is not consumed
	 * and is offered again after feedset_resume().
	 */
	int  (*record)(void *arg, const struct record_ctx *rc, const char *rec, size_t len);
	/* A record the feed itself rejects (REJ_TOO_LONG). Always consumed. */
	void (*reject)(void *arg, const struct record_ctx *rc, enum reject why, const char *detail);
	/* Reading stopped: every file is at its end, or the sink is full. */
	void (*idle)(void *arg);
};
/* Creates the feed set (no I/O yet). -ENOMEM, -EINVAL. */
int  feedset_new(struct event_base *base, const struct config *cfg,
                 const struct feed_sink *sink, void *arg, struct feedset **ret);
void feedset_free(struct feedset *fs);
/*
 * --once: every file is read to its current end and none grows any more,
 * so a CSV file that ends inside an open quote has that quote framed as
 * its first line alone at once (not after rotate_wait_ms).
 */
void feedset_set_once(struct feedset *fs);
/*
 * Starts (or restarts, after a Redis reconnect) following from the
 * committed positions pos[0..n): every open file is rewound to its
 * committed offset, or to 0/end when it has none. Safe to call again.
 */
int  feedset_start(struct feedset *fs, const struct file_pos *pos, size_t n);
/* Stops reading until feedset_resume(); inotify events are still noted. */
void feedset_pause(struct feedset *fs);
void feedset_resume(struct feedset *fs);
/* Adds the current position of every file with consumed data to b. */
int  feedset_positions(struct feedset *fs, struct batch *b);
/* The positions in b are committed: close files that are finished for good. */
void feedset_committed(struct feedset *fs, const struct batch *b);
/* True when the last pass found no unread complete record in any file. */
bool feedset_drained(const struct feedset *fs);
/* One followed file, for metrics, status and progress. */
struct file_stat {
	uint16_t    feed;
	const char *path;       /* valid until the next call into the feed set */
	int64_t     size;       /* bytes in the file now (its last stat) */
	int64_t     offset;     /* bytes consumed (handed to the sink) */
};
/*
 * Fills out[0..max) with the files followed (open ones, and those closed
 * to stay within the open-file budget) and returns how many there are
 * (may exceed max: call again with more room).
 */
size_t feedset_stat(struct feedset *fs, struct file_stat *out, size_t max);
/* What --once left unread (feedset_leftover). */
struct feed_leftover {
	size_t  partial;        /* files whose last line has no newline (named in the log) */
	size_t  files;          /* files with other bytes not read */
	int64_t bytes;          /* ... that many */
	size_t  unopened;       /* matching names the last rescan could not open */
};
/*
 * Accounts for every byte not consumed in the files followed: logs each
 * file by name (a last line without newline at info, anything else as a
 * warning) and fills *ret. For the end of --once.
 */
void feedset_leftover(struct feedset *fs, struct feed_leftover *ret);

/* --------------------------------------------------------- redis_health.c */
/*
 * Pure decisions about the Redis server (no I/O, no clock); store.c sends
 * the commands and keeps the times.
 */
/* The policy a store must have: any other may evict a key and corrupt the counts. */
#define REDIS_SAFE_POLICY "noeviction"
/*
 * Copies the value of "field:value" from an INFO reply (lines ending in
 * CRLF or LF, "# Section" lines ignored) into ret (cap bytes, NUL
 * terminated). Returns 0; -ENOENT when the field is absent; -ENOBUFS
 * when the value does not fit; -EINVAL when it holds anything but
 * [A-Za-z0-9._-] (ret is then "").
 */
int redis_info_field(const char *info, size_t len, const char *field, char *ret, size_t cap);
/* True when maxmemory-policy policy never evicts a key (only "noeviction"; NULL is false). */
bool redis_policy_safe(const char *policy);
/*
 * How long the oldest request without a reply has waited at now_ms: the
 * smallest non-zero sent_ms[i] (monotonic ms; 0 = no request in that
 * slot). 0 when none waits.
 */
int64_t redis_wait_ms(int64_t now_ms, const int64_t *sent_ms, size_t n);
enum redis_watch_change { RW_SAME, RW_UNRESPONSIVE, RW_RESPONSIVE };
/*
 * Redis is unresponsive while a request has waited wait_ms >= after_ms
 * (after_ms 0: never). Updates *unresponsive and says whether it changed
 * (each change is logged once by the caller).
 */
enum redis_watch_change redis_watch_step(bool *unresponsive, int64_t wait_ms, int64_t after_ms);

/* ---------------------------------------------------------------- store.c */
/*
 * The Redis side: hiredis async on the libevent loop. A commit is one Lua
 * script run (atomic like MULTI/EXEC, but able to decide per record for
 * de-duplication): counter deltas, seen-id set members, reject counters,
 * dead letters and file positions, all keys in KEYS under one hash tag.
 * After each commit the indicator hashes of the touched periods are
 * recomputed from the counters.
 */
struct store;
/* A committed case state of a deadline indicator, as the handshake read it. */
struct stored_case {
	size_t      ind;                /* indicator index */
	const char *field, *text;       /* case id (32 letters a-p), case_format text */
	size_t      flen, tlen;
};
struct store_sink {
	/* Connected and authenticated; pos holds every committed file position
	 * and cases every committed case state (both valid during the call). */
	void (*ready)(void *arg, const struct file_pos *pos, size_t n,
	              const struct stored_case *cases, size_t ncases);
	/* Connection lost; an in-flight commit's outcome is unknown. Reconnect follows. */
	void (*down)(void *arg);
};
typedef void store_done_fn(void *arg, int status);
/*
 * Commits that may be in flight at once. Two let Redis apply one while the
 * next is already on its way (a backfill with ids is bound by Redis); more
 * would only hold more batches in memory.
 */
#define STORE_INFLIGHT_MAX 2
int  store_new(struct event_base *base, const struct config *cfg, const uint8_t *idkey,
               const struct store_sink *sink, void *arg, struct store **ret);
void store_free(struct store *st);
/*
 * Sends b as one atomic commit. done(arg, 0) when applied, done(arg, -errno)
 * when it failed or its outcome is unknown (the caller then waits for ready
 * and rewinds to the stored positions). Up to STORE_INFLIGHT_MAX commits may
 * be in flight; their done calls come in the order of the store_commit
 * calls, and once one fails every later one fails too. b must not change
 * until done runs. -ENOTCONN when not connected (or a commit on this
 * connection failed), -EBUSY when STORE_INFLIGHT_MAX are in flight.
 */
int  store_commit(struct store *st, const struct batch *b, store_done_fn *done, void *arg);
/*
 * Wall-clock ms at which this connection's handshake found the store
 * emptied (no stats "commits" and no file position, after this process
 * had seen commits there), 0 when it did not. Valid from sink.ready until
 * the next connection. A daemon started against an emptied Redis cannot
 * tell it from a first start: that is never a reset.
 */
int64_t store_reset_ms(const struct store *st);
bool store_connected(const struct store *st);
/*
 * Not committing because Redis's maxmemory-policy may evict keys: the
 * policy ("" when INFO memory could not tell), valid until the next
 * callback; NULL while the policy is fine (or not yet known). Accepts NULL.
 */
const char *store_policy_refused(const struct store *st);
/*
 * How long (ms) the oldest request to Redis (a commit or the idle probe)
 * has waited, when that is at least redis.unresponsive_after; 0 while
 * Redis answers in time or there is no connection. Accepts NULL.
 */
int64_t store_unresponsive_ms(const struct store *st);
/* ms since Redis last answered on this connection; -1 when not connected. Accepts NULL. */
int64_t store_reply_age_ms(const struct store *st);
/* Replaces the config (SIGHUP); the connection is kept when redis settings are equal. */
int  store_reconfigure(struct store *st, const struct config *cfg);
/*
 * True when another daemon holds the writer lease and this one stands by
 * (connected, not committing); buf (may be NULL) gets the holder
 * (lease_describe). False when connecting, active, or st is NULL.
 */
bool store_standby(const struct store *st, char *buf, size_t len);
/* How long st has stood by without a break, in ms; 0 when it does not stand by. */
int64_t store_standby_ms(const struct store *st);
/*
 * Gives the writer lease back at a clean stop (compare-and-delete, written
 * to the socket at once), so a standby takes over without waiting for the
 * expiry. Not for a reload: the rebuilt store takes the lease again.
 * Accepts NULL; does nothing when st does not hold the lease.
 */
void store_release_lease(struct store *st);

/* ------------------------------------------------------------- pipeline.c */
/*
 * What happens after a commit (pipeline.c): the indicator hashes are
 * recomputed, then alerts checked, then messages delivered. The pipeline
 * owns recompute, alerter and outbox, and hears the store through hooks;
 * the store knows nothing of it.
 */
struct pipeline;
/*
 * Creates the pipeline of st (alerts and outbox when st's config has an
 * alerts: section) and hooks it to st. Returns 0, or -ENOMEM or the
 * alerts' -errno (logged). Free it with pipeline_free before store_free.
 */
int  pipeline_new(struct event_base *base, struct store *st, struct pipeline **ret);
/*
 * Unhooks pl from its store and frees it; requests in flight are orphaned.
 * Call it before store_free (also from inside the sink's ready, done or down,
 * as store_free). Accepts NULL.
 */
void pipeline_free(struct pipeline *pl);
/*
 * The feeds have been read to their end once since start-up: from now on
 * alert checks run (a summary computed halfway through a backfill would
 * be wrong). Accepts NULL.
 */
void pipeline_caught_up(struct pipeline *pl);
/* The feeds have a backlog (recompute coalesced) or not (recompute after each commit). Accepts NULL. */
void pipeline_backlog(struct pipeline *pl, bool backlog);
/* True when the store is connected and no indicator recompute is running or due. Accepts NULL. */
bool pipeline_settled(const struct pipeline *pl);
/* Recomputes every indicator period of the last two years (start-up, reload). */
void pipeline_recompute_all(struct pipeline *pl);

/* ---------------------------------------------------------------- lease.c */
/*
 * The writer lease K lease (see lease.c): at most one daemon commits under
 * a prefix; a second one stands by and takes over when the lease expires
 * or is released. Pure parts (no I/O) but lease_self.
 */
#define LEASE_DEFAULT_S     10      /* redis.lease */
#define LEASE_TOKEN_LEN     16      /* hex digits, random per process start */
#define LEASE_HOST_MAX      64
#define LEASE_VALUE_MAX     160     /* "tq1 <token> <pid> <pidns> <since_ms> <host>" */
#define LEASE_DESCRIBE_MAX  192
#define LEASE_RETRY_MS      500     /* a standby asks again this often (a released lease is taken within it) */
struct lease_holder {
	char    token[LEASE_TOKEN_LEN + 1];
	long    pid;
	uint64_t pidns;                 /* inode of its pid namespace, 0 = unknown */
	int64_t since_ms;               /* wall ms the holder took the lease */
	char    host[LEASE_HOST_MAX + 1];
};
/*
 * Lua: take or renew (ARGV value, px, owner prefix, the value of a holder
 * known to be gone or ""); release (ARGV owner prefix).
 */
extern const char lease_take_lua[];
extern const char lease_release_lua[];
/* The value of h into buf. Returns its length, -EINVAL (bad holder), -ENOBUFS. */
int  lease_format(const struct lease_holder *h, char *buf, size_t len);
/* "tq1 <token> ": what every value of this owner starts with. Length or -ENOBUFS. */
int  lease_owner_prefix(const char *token, char *buf, size_t len);
/* Parses a value (not NUL-terminated) into *ret. 0 or -EINVAL (*ret untouched). */
int  lease_parse(const char *s, size_t len, struct lease_holder *ret);
/*
 * "host pid N (holder for S s, since ISO; expires in T s unless renewed)"
 * into buf for the logs, /healthz and teleqctl; ttl_ms < 0 (no expiry, or
 * not known): without the "; expires ..." part. h->pid 0 (a value that is
 * not teleqd's): "an unknown owner (...)".
 * Returns the length or -ENOBUFS.
 */
int  lease_describe(const struct lease_holder *h, int64_t now_ms, int64_t ttl_ms, char *buf,
                    size_t len);
enum lease_step {
	LEASE_WAIT,             /* nothing to do now */
	LEASE_RENEW,            /* send a renewal */
	LEASE_LOST,             /* not renewed for a whole lease: stop committing */
};
/*
 * The holder's timer (monotonic ms): last_ok the last confirmed take or
 * renewal, last_sent the last renewal sent, inflight one is unanswered.
 */
enum lease_step lease_renew_step(int64_t now, int64_t last_ok, int64_t last_sent, bool inflight,
                                 int64_t lease_ms);
/* True when h runs on this host in this pid namespace (self: lease_self), so its pid is checkable. */
bool lease_same_pid_space(const struct lease_holder *h, const struct lease_holder *self);
/*
 * True when h is another process of this host and pid namespace that no
 * longer runs (kill(pid, 0): ESRCH): its lease may be taken at once.
 * Reads the process table (kill), so not pure.
 */
bool lease_holder_gone(const struct lease_holder *h);
/* A standby's next attempt, given the holder's remaining PTTL (< 0: none or unknown). */
int64_t lease_retry_ms(int64_t ttl_ms);
/*
 * This process: token (drawn once per process), pid, pid namespace, host;
 * since_ms now. Reads getrandom, gethostname and /proc/self/ns/pid (cached
 * after the first call).
 */
void lease_self(struct lease_holder *ret);

/* ---------------------------------------------------------------- keys.c */
/*
 * Redis key names. Every key is "<prefix>{<tag>}:<rest>" so one hash tag
 * holds a deployment together (cluster-ready). Writes into buf, returns
 * length or -ENOBUFS.
 */
int key_name(const struct config *cfg, char *buf, size_t len, const char *fmt, ...) TQ_PRINTF(4, 5);

#endif /* TELEQD_H */
