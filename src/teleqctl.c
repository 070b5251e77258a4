/*
 * teleqctl — the committee's indicator report from the counters in Redis,
 * and the alerts sent to the coordinator.
 *
 *   teleqctl [-c FILE] report PERIOD [--format text|csv|json|html|xlsx] [-o FILE] [--today YYYY-MM-DD]
 *   teleqctl [-c FILE] alerts [--count N] [--format text|json]
 *   teleqctl [-c FILE] alerts --test
 *
 * The report has four parts, kept apart so each can be tested and reused:
 *   1. arguments        parse_args()
 *   2. Redis            redis_open(), fetch_span(): synchronous hiredis,
 *                       one pipelined HGETALL per counter hash
 *   3. computation      report.c: report_init(), ind_table_*(),
 *                       compute_report(): pure, built only on
 *                       ind_accumulate()/ind_outcome(), and shared with the
 *                       daemon (its /api/indicators and dashboard), so both
 *                       give the same figures
 *   4. output           print_text(), print_csv() here; report_json() in
 *                       report.c (the daemon's /api/indicators writes it too)
 *
 * The alerts command reads the alerts stream and the outbox the daemon
 * keeps (cmd_alerts_list, with ctl_alerts.c), or sends a test message through every
 * configured channel right away with notify.c on a private event loop
 * (cmd_alerts_test).
 *
 * Exit codes: 0 ok, 1 runtime error (Redis unreachable or failing, output
 * not writable), 2 usage or configuration error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "core.h"
#include "alert.h"
#include "clock.h"
#include "indicator.h"
#include "keys.h"
#include "message.h"
#include "mime.h"
#include "notify.h"
#include "period.h"
#include "redis_addr.h"
#include "sentinel.h"
#include "followup.h"
#include "prognos.h"
#include "report.h"
#include "secret.h"
#include "tq_config.h"
#include "xlsx_report.h"
#include "tz.h"
#include "utf8.h"
#include "ctl.h"

#define EXIT_RUNTIME    1
#define EXIT_USAGE      2
#define REDIS_TIMEOUT_S 5
#define KEY_MAX         512
#define ALERTS_DEFAULT  20      /* alerts listed by default */
#define ALERTS_MAX      100000  /* --count limit */

static const char *progname = "teleqctl";

/* ============================================================ arguments */

enum out_format { OUT_TEXT, OUT_CSV, OUT_JSON, OUT_HTML, OUT_XLSX };
enum command { CMD_REPORT, CMD_ALERTS, CMD_STATUS, CMD_SET, CMD_NOTE };

struct opts {
	const char     *config;
	enum command    cmd;
	enum out_format format;
	bool            format_given;
	const char     *today;          /* --today, NULL = now in the configured zone */
	const char     *period;
	const char     *output;         /* report -o FILE, NULL = standard output */
	long            count;          /* alerts: how many to list; 0 = not given */
	bool            test;           /* alerts --test */
	struct ctl_manual_req manual;   /* set, note (ctl_manual.c) */
};

/* Usage text for --help. */
static void
usage(FILE *out)
{
	fprintf(out,
	        "Usage: %s [-c FILE] report PERIOD [--format text|csv|json|html|xlsx] [-o FILE]\n"
	        "                [--today YYYY-MM-DD]\n"
	        "       %s [-c FILE] alerts [--count N] [--format text|json]\n"
	        "       %s [-c FILE] alerts --test\n"
	        "       %s [-c FILE] status [--format text|json]\n"
	        "       %s [-c FILE] set INDICATOR PERIOD VALUE\n"
	        "       %s [-c FILE] note INDICATOR PERIOD [--analys TEXT] [--prognos TEXT]\n"
	        "       %s --help | --version\n"
	        "\n"
	        "report: prints the committee's indicators (Målstyrning) for PERIOD from the\n"
	        "counters teleqd keeps in Redis, beside the same period one year earlier;\n"
	        "--format html writes the follow-up document (Verksamhetsuppföljning), one\n"
	        "printable A4 page; --format xlsx -o FILE the same tables as an Excel workbook\n"
	        "(for people; csv is for machines: UTF-8, decimal point, ';'). For a period\n"
	        "still running, each indicator's prognosis.\n"
	        "\n"
	        "PERIOD: 2026-03 (month), 2026-Q1, 2026-H1, 2026 (year), 2026-03-05 (day),\n"
	        "        rolling (the %d days ending today).\n"
	        "\n"
	        "alerts: lists the N most recent alerts sent to the coordinator (local time,\n"
	        "kind, period, indicator, channels, id, subject), then every delivery still\n"
	        "pending (id, channel, attempts so far, next attempt, last error).\n"
	        "alerts --test: sends a test message through every configured channel (mail,\n"
	        "webhook) now, prints one line per channel (\"mail: delivered\", \"webhook:\n"
	        "failed: HTTP 500\") and records it in the alerts stream. Exit status 0 when\n"
	        "every channel delivered it (or none is configured), 1 otherwise.\n"
	        "\n"
	        "set: stores the value of a manual indicator (kind: manual) for PERIOD (a\n"
	        "month, quarter, half or year); a correction is another set. Kept with the\n"
	        "Unix user and the time in an audit stream.\n"
	        "note: stores the samordnare's Analys and/or Prognos of an indicator for\n"
	        "PERIOD (at most 2000 bytes each, UTF-8, newlines allowed; \"\" clears one),\n"
	        "printed in the report. The only free text teleqd keeps: never name a\n"
	        "patient or write anything that identifies one.\n"
	        "\n"
	        "status: per feed the files with a committed position (state, committed\n"
	        "offset and line, size now, bytes behind), lines read, the latest event time\n"
	        "and the reject counts; the Redis connection; the daemon's last commit.\n"
	        "\n"
	        "Options:\n"
	        "  -c, --config FILE    configuration (default %s)\n"
	        "  -f, --format FORMAT  text (default), csv (';'-separated, report only), json,\n"
	        "                       html (report only: the follow-up document), or xlsx\n"
	        "                       (report only, with -o: the follow-up as a workbook)\n"
	        "  -o, --output FILE    report: write to FILE (replaced whole) instead of stdout\n"
	        "      --today DATE     report: take DATE as today (reruns, tests); default:\n"
	        "                       the local date now in the configured time zone\n"
	        "      --count N        alerts: how many to list (default %d)\n"
	        "      --test           alerts: send a test message\n"
	        "      --analys TEXT    note: the samordnare's analysis\n"
	        "      --prognos TEXT   note: the samordnare's forecast\n"
	        "  -h, --help           this text\n"
	        "  -V, --version        version\n"
	        "\n"
	        "Exit status: 0 ok, 1 runtime error (e.g. Redis unreachable, a channel\n"
	        "failed), 2 usage or configuration error.\n",
	        progname, progname, progname, progname, progname, progname, progname, ROLLING_DAYS,
	        TQ_DEFAULT_CONFIG,
	        ALERTS_DEFAULT);
}

static int parse_command(int argc, char **argv, struct opts *o);
static int parse_manual_command(int argc, char **argv, struct opts *o);

/* The --format name s as *ret. Returns 0, or -EINVAL for an unknown name. */
static int
parse_format(const char *s, enum out_format *ret)
{
	static const char *const names[] = {
		[OUT_TEXT] = "text", [OUT_CSV] = "csv", [OUT_JSON] = "json", [OUT_HTML] = "html",
		[OUT_XLSX] = "xlsx",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && strcmp(s, names[i]) == 0) {
			*ret = (enum out_format)i;
			return 0;
		}
	return -EINVAL;
}

/*
 * Fills *o from argv. Returns -1 when the caller should go on, or the exit
 * code to end with: 0 after --help/--version, EXIT_USAGE after a usage
 * error (already reported on stderr).
 */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_TODAY = 0x100, OPT_COUNT, OPT_TEST, OPT_ANALYS, OPT_PROGNOS };
	static const struct option longopts[] = {
		{ "config",  required_argument, NULL, 'c' },
		{ "format",  required_argument, NULL, 'f' },
		{ "output",  required_argument, NULL, 'o' },
		{ "today",   required_argument, NULL, OPT_TODAY },
		{ "count",   required_argument, NULL, OPT_COUNT },
		{ "test",    no_argument,       NULL, OPT_TEST },
		{ "analys",  required_argument, NULL, OPT_ANALYS },
		{ "prognos", required_argument, NULL, OPT_PROGNOS },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*o = (struct opts){ .config = TQ_DEFAULT_CONFIG, .format = OUT_TEXT };
	/* GNU getopt permutes: options may follow the command and its period. */
	while ((ch = getopt_long(argc, argv, "c:f:o:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &o->format) < 0) {
				fprintf(stderr, "%s: unknown format '%s' (text, csv, json, html or xlsx)\n",
				        progname, optarg);
				return EXIT_USAGE;
			}
			o->format_given = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_TODAY:
			o->today = optarg;
			break;
		case OPT_COUNT: {
			char *end;

			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->count < 1 || o->count > ALERTS_MAX) {
				fprintf(stderr, "%s: --count '%s': expected a number from 1 to %d\n",
				        progname, optarg, ALERTS_MAX);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_TEST:
			o->test = true;
			break;
		case OPT_ANALYS:
			o->manual.analys = optarg;
			break;
		case OPT_PROGNOS:
			o->manual.prognos = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("teleqctl %s\n", TQ_VERSION);
			return 0;
		default:        /* getopt has said what is wrong */
			fprintf(stderr, "Try '%s --help'.\n", progname);
			return EXIT_USAGE;
		}
	}
	return parse_command(argc, argv, o);
}

/*
 * set INDICATOR PERIOD VALUE / note INDICATOR PERIOD [--analys] [--prognos]:
 * the arguments into o->manual, checked against the config later
 * (ctl_manual_check). Returns -1 to go on or EXIT_USAGE (reported).
 */
static int
parse_manual_command(int argc, char **argv, struct opts *o)
{
	bool note = strcmp(argv[optind], "note") == 0;
	int want = note ? 3 : 4;

	if (argc - optind != want) {
		fprintf(stderr, "%s: %s\nTry '%s --help'.\n", progname,
		        note ? "note takes INDICATOR PERIOD [--analys TEXT] [--prognos TEXT]" :
		        "set takes INDICATOR PERIOD VALUE", progname);
		return EXIT_USAGE;
	}
	if (o->format_given || o->output || o->today || o->count || o->test ||
	    (!note && (o->manual.analys || o->manual.prognos))) {
		fprintf(stderr, "%s: %s takes no option but -c%s\n", progname, argv[optind],
		        note ? ", --analys and --prognos" : "");
		return EXIT_USAGE;
	}
	o->cmd = note ? CMD_NOTE : CMD_SET;
	o->manual.note = note;
	o->manual.indicator = argv[optind + 1];
	o->manual.period = argv[optind + 2];
	o->manual.value = note ? NULL : argv[optind + 3];
	return -1;
}

/*
 * The command and its arguments after the options (argv[optind..]), and
 * which options go with it; fills o->cmd and o->period. Returns -1 to go
 * on or EXIT_USAGE (reported on stderr).
 */
static int
parse_command(int argc, char **argv, struct opts *o)
{
	if (optind >= argc) {
		fprintf(stderr, "%s: missing command\nTry '%s --help'.\n", progname, progname);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "set") == 0 || strcmp(argv[optind], "note") == 0)
		return parse_manual_command(argc, argv, o);
	if (o->manual.analys || o->manual.prognos) {
		fprintf(stderr, "%s: --analys and --prognos are for note\n", progname);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "report") != 0 &&
	    (o->output || o->format == OUT_HTML || o->format == OUT_XLSX)) {
		fprintf(stderr, "%s: --output and --format html or xlsx are for report\n", progname);
		return EXIT_USAGE;
	}
	/* a workbook is a zip: never onto a terminal or into a pipe by accident */
	if (o->format == OUT_XLSX && !o->output) {
		fprintf(stderr, "%s: --format xlsx writes a binary file: give it with -o FILE\n"
		        "Try '%s --help'.\n", progname, progname);
		return EXIT_USAGE;
	}
	if (strcmp(argv[optind], "alerts") == 0) {
		o->cmd = CMD_ALERTS;
		if (argc - optind != 1) {
			fprintf(stderr, "%s: alerts takes no argument ('%s')\nTry '%s --help'.\n",
			        progname, argv[optind + 1], progname);
			return EXIT_USAGE;
		}
		if (o->today) {
			fprintf(stderr, "%s: --today is for report\n", progname);
			return EXIT_USAGE;
		}
		if (o->format == OUT_CSV) {
			fprintf(stderr, "%s: alerts: --format text or json\n", progname);
			return EXIT_USAGE;
		}
		if (o->test && (o->count || o->format_given)) {
			fprintf(stderr, "%s: alerts --test takes no --count or --format\n", progname);
			return EXIT_USAGE;
		}
		if (!o->count)
			o->count = ALERTS_DEFAULT;
		return -1;
	}
	if (strcmp(argv[optind], "status") == 0) {
		o->cmd = CMD_STATUS;
		if (argc - optind != 1 || o->today || o->count || o->test || o->format == OUT_CSV) {
			fprintf(stderr, "%s: status takes no argument and only --format text|json\n"
			        "Try '%s --help'.\n", progname, progname);
			return EXIT_USAGE;
		}
		return -1;
	}
	if (strcmp(argv[optind], "report") != 0) {
		fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n", progname,
		        argv[optind], progname);
		return EXIT_USAGE;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "%s: report takes one PERIOD\nTry '%s --help'.\n", progname, progname);
		return EXIT_USAGE;
	}
	if (o->count || o->test) {
		fprintf(stderr, "%s: --count and --test are for alerts\n", progname);
		return EXIT_USAGE;
	}
	o->cmd = CMD_REPORT;
	o->period = argv[optind + 1];
	return -1;
}

/*
 * Today's local date (days since the epoch) in the configured zone, or the
 * date given with --today. Returns 0, -EINVAL for a bad --today, or the
 * error of tz_load().
 */
static int
resolve_today(const struct config *cfg, const char *given, int64_t *ret)
{
	struct tz *tz;
	int64_t now;
	int r;

	if (given)
		return parse_day_key(given, strlen(given), ret);
	r = tz_load(cfg->timezone, &tz);
	if (r < 0)
		return r;
	now = cal_now();
	*ret = floor_div(now + tz_utc_offset(tz, now), SECS_PER_DAY);
	tz_free(tz);
	return 0;
}

/* ============================================================== Redis */

/* Runs one command that must answer +OK; 0, or -EIO with Redis's error in err. */
static int
expect_ok(redisReply *rep, const redisContext *c, char *err, size_t errlen)
{
	int r = 0;

	if (!rep) {
		snprintf(err, errlen, "%s", c->errstr[0] ? c->errstr : "connection lost");
		r = -EIO;
	} else if (rep->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", rep->str);
		r = -EIO;
	}
	freeReplyObject(rep);
	return r;
}

/*
 * redis.sentinels: asks them (in order, blocking, SENTINEL_TIMEOUT_MS each)
 * for the master and puts its "host:port" in cfg->redis.address, so that
 * every command and message of this run uses the master as the daemon
 * does. Returns the exit code to end with (0 = go on), after one line on
 * stderr.
 */
static int
follow_sentinels(struct config *cfg)
{
	struct redis_addr m;
	char err[700], *addr;
	size_t len;

	if (!cfg->redis.nsentinels)
		return 0;
	if (sentinel_resolve_sync(cfg->redis.sentinels, cfg->redis.nsentinels,
	    cfg->redis.master_name, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return EXIT_RUNTIME;
	}
	len = strlen(m.host) + 16;
	if (!(addr = malloc(len))) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_RUNTIME;
	}
	/* sentinel_parse_reply takes no unix socket: host:port, or [v6]:port */
	snprintf(addr, len, strchr(m.host, ':') ? "[%s]:%d" : "%s:%d", m.host, m.port);
	free(cfg->redis.address);
	cfg->redis.address = addr;
	return 0;
}

/*
 * Connects to cfg->redis.address ("unix:/path" or "host:port", "[v6]:port"),
 * authenticates and selects the database. Returns the exit code to end
 * with (0 = go on, *ret set), after one line on stderr.
 */
static int
redis_open(const struct config *cfg, redisContext **ret)
{
	const struct timeval tv = { .tv_sec = REDIS_TIMEOUT_S };
	struct redis_addr ra;
	redisContext *c;
	char err[256];

	/* the parser the config check used: an address that passed it parses */
	if (redis_addr_parse(cfg->redis.address, &ra) < 0) {
		fprintf(stderr, "%s: invalid Redis address '%s' (unix:/path or host:port)\n",
		        progname, cfg->redis.address);
		return EXIT_USAGE;
	}
	if (ra.is_unix)
		c = redisConnectUnixWithTimeout(ra.host, tv);
	else
		c = redisConnectWithTimeout(ra.host, ra.port, tv);
	if (!c || c->err) {
		fprintf(stderr, "%s: cannot connect to Redis at %s: %s\n", progname,
		        cfg->redis.address, c ? c->errstr : "out of memory");
		redisFree(c);
		return EXIT_RUNTIME;
	}
	/* Bounds every later command too: a stalled server is an error, not a hang. */
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		fprintf(stderr, "%s: Redis at %s: cannot set a timeout\n", progname, cfg->redis.address);
		redisFree(c);
		return EXIT_RUNTIME;
	}

	if (cfg->redis.password_file) {
		char perr[PATH_MAX + 256], *pw = NULL;
		size_t pwlen = 0;
		redisReply *rep;

		/* secret.c: the rules and the words of teleqd and teleqd -n */
		if (secret_redis_password(cfg->redis.password_file, &pw, &pwlen, perr,
		    sizeof(perr)) < 0) {
			fprintf(stderr, "%s: %s\n", progname, perr);
			redisFree(c);
			return EXIT_USAGE;
		}
		/* %b: binary-safe, the password is one argument whatever it holds. */
		if (cfg->redis.user)
			rep = redisCommand(c, "AUTH %s %b", cfg->redis.user, pw, pwlen);
		else
			rep = redisCommand(c, "AUTH %b", pw, pwlen);
		secret_free(pw, pwlen);
		if (expect_ok(rep, c, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: Redis at %s refused authentication: %s\n", progname,
			        cfg->redis.address, err);
			redisFree(c);
			return EXIT_RUNTIME;
		}
	}
	if (cfg->redis.db != 0 &&
	    expect_ok(redisCommand(c, "SELECT %d", cfg->redis.db), c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: Redis at %s: SELECT %d: %s\n", progname, cfg->redis.address,
		        cfg->redis.db, err);
		redisFree(c);
		return EXIT_RUNTIME;
	}
	*ret = c;
	return 0;
}

/* Name of the counter hash of bucket k of span s: prefix{tag}:month:2026-03 / :day:2026-03-05. */
static int
counter_key(const struct config *cfg, const struct span *s, unsigned k, char *buf, size_t len)
{
	char when[16];

	if (s->days) {
		day_key(s->first + k, when, sizeof(when));
		return key_name(cfg, buf, len, "day:%s", when);
	}
	month_key(s->first + k, when, sizeof(when));
	return key_name(cfg, buf, len, "month:%s", when);
}

/*
 * Reads every counter hash of span s (pipelined HGETALLs) into table t,
 * one bucket per local month. Returns 0, or -EIO after one line on stderr.
 * A field whose value is not an integer is skipped and counted in
 * *nbad (it cannot be a teleqd counter).
 */
static int
fetch_span(redisContext *c, const struct config *cfg, const struct span *s,
           struct ind_table *t, unsigned *nbad)
{
	size_t nind = cfg->nindicators;
	char key[KEY_MAX];
	int r = 0;

	for (unsigned k = 0; k < s->n; k++) {
		if (counter_key(cfg, s, k, key, sizeof(key)) < 0) {
			fprintf(stderr, "%s: Redis key name too long\n", progname);
			return -EIO;
		}
		if (redisAppendCommand(c, "HGETALL %s", key) != REDIS_OK) {
			fprintf(stderr, "%s: Redis at %s: %s\n", progname, cfg->redis.address, c->errstr);
			return -EIO;
		}
	}
	/* Every reply is read even after an error, so the connection stays in step. */
	for (unsigned k = 0; k < s->n; k++) {
		redisReply *rep = NULL;
		struct ind_sums *sums;

		if (redisGetReply(c, (void **)&rep) != REDIS_OK || !rep) {
			fprintf(stderr, "%s: Redis at %s: %s\n", progname, cfg->redis.address,
			        c->errstr[0] ? c->errstr : "connection lost");
			return -EIO;
		}
		if (r < 0) {
			freeReplyObject(rep);
			continue;
		}
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2) {
			counter_key(cfg, s, k, key, sizeof(key));
			fprintf(stderr, "%s: Redis at %s: reading %s: %s\n", progname,
			        cfg->redis.address, key,
			        rep->type == REDIS_REPLY_ERROR ? rep->str : "not a hash");
			freeReplyObject(rep);
			r = -EIO;
			continue;
		}
		sums = ind_table_month(t, nind, span_month(s, k));
		if (!sums) {    /* spans are at most a year: cannot happen */
			fprintf(stderr, "%s: internal error: span of more than %d months\n",
			        progname, IND_MAX_MONTHS);
			freeReplyObject(rep);
			r = -EIO;
			continue;
		}
		for (size_t e = 0; e + 1 < rep->elements; e += 2) {
			const redisReply *f = rep->element[e], *v = rep->element[e + 1];
			int64_t n;

			if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
			    report_parse_count(v->str, v->len, &n) < 0) {
				(*nbad)++;
				continue;
			}
			ind_accumulate(cfg, f->str, f->len, n, sums);
		}
		freeReplyObject(rep);
	}
	return r;
}

/* ========================================================== text output */
/* The numbers are formatted by report.c (report_fmt_*), as the daemon's JSON and page. */

enum { COL_TITLE, COL_TARGET, COL_VALUE, COL_BASIS, COL_PREV, COL_MET, NCOLS };
#define CELL_MAX 192

/* Samma period i fjol: "49 % (200 av 409)", "71 % (medel av 3 mån)", "+5 % (409 mot 389)", "–". */
static void
fmt_prev(char *buf, size_t len, const struct indicator *ind, const struct ind_result *r)
{
	char pct[32];

	if (!r->prev.has_value) {
		snprintf(buf, len, "–");
		return;
	}
	report_fmt_percent(pct, sizeof(pct), r->prev.value, ind->kind == IND_GROWTH);
	if (ind->kind == IND_GROWTH)
		snprintf(buf, len, "%s (%" PRId64 " mot %" PRId64 ")", pct, r->prev.num, r->prev.den);
	else if (ind->combine == COMBINE_MEAN_OF_MONTHS)
		snprintf(buf, len, "%s (medel av %u mån)", pct, r->nprev_monthly);
	else
		snprintf(buf, len, "%s (%" PRId64 " av %" PRId64 ")", pct, r->prev.num, r->prev.den);
}

/* Writes s then pads it with spaces to width code points. */
void
ctl_put_cell(FILE *out, const char *s, size_t width)
{
	fputs(s, out);
	for (size_t w = utf8_width(s); w < width; w++)
		fputc(' ', out);
}

/* One table row; the last column is not padded (no trailing blanks). */
static void
put_row(FILE *out, char cells[NCOLS][CELL_MAX], const size_t width[NCOLS])
{
	for (int k = 0; k < NCOLS; k++) {
		if (k)
			fputs("  ", out);
		ctl_put_cell(out, cells[k], k == NCOLS - 1 ? 0 : width[k]);
	}
	fputc('\n', out);
}

/* Fills the cells of indicator i. */
static void
text_cells(const struct config *cfg, const struct report *rep, size_t i, char cells[NCOLS][CELL_MAX])
{
	const struct indicator *ind = &cfg->indicators[i];
	const struct ind_result *r = &rep->r[i];
	char pct[32];

	snprintf(cells[COL_TITLE], CELL_MAX, "%s", ind->title ? ind->title : ind->name);
	report_fmt_target(pct, sizeof(pct), ind->target);
	snprintf(cells[COL_TARGET], CELL_MAX, "%s %s", report_cmp_sign(ind->cmp), pct);
	if (r->cur.has_value)
		report_fmt_percent(cells[COL_VALUE], CELL_MAX, r->cur.value, ind->kind == IND_GROWTH);
	else
		snprintf(cells[COL_VALUE], CELL_MAX, "–");
	/* in the words of the dashboard and the mails: a mean of months as its
	 * monthly shares and their mean, "90 % + 73 % + 66 % → medel 76 %" */
	report_fmt_basis_months(cells[COL_BASIS], CELL_MAX, ind, &r->cur, r->cur_monthly,
	                        r->ncur_monthly);
	fmt_prev(cells[COL_PREV], CELL_MAX, ind, r);
	snprintf(cells[COL_MET], CELL_MAX, "%s",
	         r->cur.met == 1 ? "Ja" : r->cur.met == 0 ? "Nej" : "–");
}

/*
 * The overview of the table's indicators in the words of the summary mail
 * and the dashboard (report_fmt_overview): "3 av 12 indikatorer under
 * målet, 9 utan underlag." or "Inga data för november 2026.".
 */
static void
put_overview(FILE *out, const struct config *cfg, const struct report *rep, bool deadline)
{
	char text[160];
	size_t n = 0, missed = 0, nodata = 0;

	for (size_t i = 0; i < rep->n; i++) {
		if (report_row_quality(&cfg->indicators[i]) != deadline)
			continue;
		n++;
		missed += rep->r[i].cur.met == 0;
		nodata += report_no_data(&rep->r[i].cur);
	}
	if (n == 0)
		return;         /* an empty table has nothing to sum up */
	report_fmt_overview(text, sizeof(text), &rep->cur, n, missed, nodata);
	fprintf(out, "%s.\n", text);
}

/* A running period's prognosis per indicator of the table, with its method (prognos.h). */
static void
put_prognos(FILE *out, const struct config *cfg, const struct report *rep, bool deadline)
{
	bool any = false;

	for (size_t i = 0; i < rep->n; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		char pct[32];

		if (report_row_quality(ind) != deadline || !rep->r[i].proj.has_value)
			continue;
		if (!any)
			fprintf(out, "\nPrognos (%s):\n", PROGNOS_METHOD_SV);
		any = true;
		report_fmt_percent(pct, sizeof(pct), rep->r[i].proj.value, ind->kind == IND_GROWTH);
		fprintf(out, "  %s: %s\n", ind->title ? ind->title : ind->name, pct);
	}
}

/*
 * One table: a title line, a header, one row per indicator of the table
 * (deadline indicators make the Kvalitetsstyrning table, the others the
 * Målstyrning one), columns aligned by code points (titles and signs are
 * not ASCII).
 */
static void
print_table(FILE *out, const struct config *cfg, const struct report *rep, bool deadline)
{
	static const char *const head[NCOLS] = {
		"Indikator", "Målvärde", "Utfall", "Underlag", "Samma period i fjol", "Uppfyllt",
	};
	const char *what = deadline ? "Kvalitetsstyrning" : "Målstyrning";
	char (*cells)[NCOLS][CELL_MAX];
	char hdr[NCOLS][CELL_MAX], first[16], last[16], today[16], line[FOLLOWUP_LINE_MAX];
	struct report_row rows[REPORT_ROWS_MAX];
	size_t width[NCOLS], nrows = 0, nlayout;
	bool small = false;

	day_key(rep->cur.first_day, first, sizeof(first));
	day_key(rep->cur.last_day, last, sizeof(last));
	if (rep->cur.kind == P_ROLLING)
		fprintf(out, "%s senaste %d dagarna (%s – %s)\n", what, ROLLING_DAYS, first, last);
	else
		fprintf(out, "%s %s (%s – %s)\n", what, rep->cur_name, first, last);
	/* Figures of an unfinished period are not comparable with a whole one. */
	if (rep->today < rep->cur.first_day) {
		fprintf(out, "Perioden har inte börjat.\n");
	} else if (rep->today <= rep->cur.last_day && rep->cur.kind != P_ROLLING) {
		day_key(rep->today, today, sizeof(today));
		fprintf(out, "Perioden pågår: utfall till och med %s.\n", today);
	}
	put_overview(out, cfg, rep, deadline);
	fputc('\n', out);

	/* the counted rows; the manual ones have their own table (ctl_manual_text) */
	nlayout = report_rows(cfg, deadline, false, rows);
	cells = calloc(nlayout ? nlayout : 1, sizeof(*cells));
	if (!cells) {
		fprintf(out, "(slut på minne)\n");
		return;
	}
	for (int k = 0; k < NCOLS; k++) {
		snprintf(hdr[k], CELL_MAX, "%s", head[k]);
		width[k] = utf8_width(head[k]);
	}
	for (size_t l = 0; l < nlayout; l++) {
		if (rows[l].kind != RROW_COUNTED)
			continue;
		text_cells(cfg, rep, rows[l].i, cells[nrows]);
		for (int k = 0; k < NCOLS; k++)
			if (utf8_width(cells[nrows][k]) > width[k])
				width[k] = utf8_width(cells[nrows][k]);
		nrows++;
	}
	put_row(out, hdr, width);
	for (int k = 0; k < NCOLS; k++) {
		if (k)
			fputs("  ", out);
		for (size_t w = 0; w < width[k]; w++)
			fputc('-', out);
	}
	fputc('\n', out);
	/* a heading (the committee's, config heading) on a line of its own before its rows */
	for (size_t k = 0, r = 0; k < nlayout; k++) {
		if (rows[k].kind == RROW_HEADING)
			fprintf(out, "%s%s:\n", k ? "\n" : "", rows[k].heading);
		else if (rows[k].kind == RROW_COUNTED && r < nrows)
			put_row(out, cells[r++], width);
	}
	free(cells);

	/* Why a shown value is not judged. */
	for (size_t i = 0; i < rep->n; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		const struct outcome *o = &rep->r[i].cur;

		if (report_row_quality(ind) != deadline)
			continue;
		if (o->has_value && o->den < ind->min_denominator) {
			if (!small)
				fputc('\n', out);
			small = true;
			fprintf(out, "%s: %s (%" PRId64 ") är mindre än %" PRId64
			        "; målet bedöms inte.\n", ind->title ? ind->title : ind->name,
			        ind->kind == IND_GROWTH ? "jämförelsetalet" : "underlaget",
			        o->den, ind->min_denominator);
		}
	}
	if (deadline && report_rows_have_deadline(cfg, rows, nlayout))
		fprintf(out, "\nUtfall: andel i tid av de avgjorda ärendena (start i perioden); "
		        "pågående ärenden räknas när de avgörs.\n");
	/* the postponements by age group, as the follow-up document lists them */
	if (deadline && followup_fmt_uppskov(line, sizeof(line), cfg, rep))
		fprintf(out, "%s\n", line);
	put_prognos(out, cfg, rep, deadline);
}

/* The Målstyrning table, then the Kvalitetsstyrning table when it has rows (report_row_quality). */
static void
print_text(FILE *out, const struct config *cfg, const struct report *rep)
{
	print_table(out, cfg, rep, false);
	for (size_t i = 0; i < cfg->nindicators; i++)
		if (report_row_quality(&cfg->indicators[i])) {
			fputc('\n', out);
			print_table(out, cfg, rep, true);
			break;
		}
}

/* =========================================================== CSV output */

/* See ctl.h. */
void
ctl_csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ";\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* value;percent;met of one outcome (empty fields when there is no value). */
static void
csv_outcome(FILE *out, const struct outcome *o)
{
	char buf[64];

	fprintf(out, "%" PRId64 ";%" PRId64 ";", o->num, o->den);
	if (o->has_value) {
		report_fmt_frac(buf, sizeof(buf), o->value);
		fprintf(out, "%s;%.0f;", buf, report_whole_percent(o->value));
	} else {
		fputs(";;", out);
	}
	fputs(o->met == 1 ? "1" : o->met == 0 ? "0" : "", out);
}

/*
 * ';'-separated for Swedish Excel, fractions with '.': header, then one row
 * per indicator. months holds the monthly fractions of mean-of-months
 * indicators separated by spaces.
 */
static void
print_csv(FILE *out, const struct config *cfg, const struct report *rep)
{
	fputs("indicator;title;period;numerator;denominator;value;percent;met;target;cmp;months;"
	      "prev_period;prev_numerator;prev_denominator;prev_value;prev_percent;prev_met;"
	      "pending;prev_pending\n", out);
	for (size_t i = 0; i < rep->n; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		const struct ind_result *r = &rep->r[i];
		char buf[64];

		ctl_csv_field(out, ind->name);
		fputc(';', out);
		ctl_csv_field(out, ind->title ? ind->title : "");
		fprintf(out, ";%s;", rep->cur_name);
		csv_outcome(out, &r->cur);
		report_fmt_frac(buf, sizeof(buf), ind->target);
		fprintf(out, ";%s;%s;", buf, cmp_symbol(ind->cmp));
		if (ind->kind == IND_RATIO && ind->combine == COMBINE_MEAN_OF_MONTHS)
			for (unsigned k = 0; k < r->ncur_monthly; k++) {
				report_fmt_frac(buf, sizeof(buf), r->cur_monthly[k]);
				fprintf(out, "%s%s", k ? " " : "", buf);
			}
		fprintf(out, ";%s;", rep->prev_name);
		csv_outcome(out, &r->prev);
		/* deadline indicators: numerator met, denominator decided, and these still open */
		if (ind->kind == IND_DEADLINE)
			fprintf(out, ";%" PRId64 ";%" PRId64 "\n", r->cur.pending, r->prev.pending);
		else
			fputs(";;\n", out);
	}
}

/* ===================================================== shared helpers */

/* Local "YYYY-MM-DD HH:MM:SS" of secs (seconds since the epoch) in tz. */
void
ctl_fmt_local(char *buf, size_t len, const struct tz *tz, int64_t secs)
{
	int64_t wall = secs + tz_utc_offset(tz, secs);
	int64_t days = floor_div(wall, SECS_PER_DAY), sod = wall - days * SECS_PER_DAY;
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02u-%02u %02u:%02u:%02u", (int)(y % 100000), m, d,
	         (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
}

/*
 * s made safe for a terminal, in a new string: control characters become
 * '?', and so does every non-ASCII byte when s is not valid UTF-8 (values
 * come from Redis, where anything may have been written). NULL on ENOMEM.
 */
char *
ctl_term_safe(const char *s)
{
	size_t len = strlen(s);
	bool valid = utf8_valid(s, len);
	char *o = malloc(len + 1);

	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		o[i] = (char)(ch < 0x20 || ch == 0x7F || (ch >= 0x80 && !valid) ? '?' : ch);
	}
	o[len] = '\0';
	return o;
}

/* Reports a failed or unexpected reply of cmd on stderr. Returns -EIO. */
int
ctl_reply_error(const redisContext *c, const struct config *cfg, const char *cmd,
            const redisReply *rep)
{
	fprintf(stderr, "%s: Redis at %s: %s: %s\n", progname, cfg->redis.address, cmd,
	        !rep ? (c->errstr[0] ? c->errstr : "connection lost") :
	        rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	return -EIO;
}

/*
 * r, or EXIT_RUNTIME (said on stderr, what names the output) when stdout
 * could not be written in full: a full disk or a closed pipe must not
 * pass for success.
 */
static int
stdout_flushed(const char *what, int r)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return r;
	fprintf(stderr, "%s: writing the %s: %s\n", progname, what, strerror(errno));
	return EXIT_RUNTIME;
}

/*
 * Loads the configured time zone and connects to Redis, for the commands
 * that read figures. Returns 0 with *ret_tz and *ret_c set (the caller
 * frees both), or the exit code to end with after one line on stderr
 * (nothing left open).
 */
static int
open_zone_redis(const struct config *cfg, struct tz **ret_tz, redisContext **ret_c)
{
	int r;

	if ((r = tz_load(cfg->timezone, ret_tz)) < 0) {
		fprintf(stderr, "%s: time zone %s: %s\n", progname, cfg->timezone, strerror(-r));
		return EXIT_USAGE;
	}
	if ((r = redis_open(cfg, ret_c)) != 0)
		tz_free(*ret_tz);
	return r;
}

/* ============================================================= alerts */

/*
 * alerts: the most recent alerts and the pending deliveries. Returns the
 * exit code.
 */
static int
cmd_alerts_list(const struct config *cfg, const struct opts *o)
{
	redisContext *c;
	struct tz *tz;
	int r;

	if ((r = open_zone_redis(cfg, &tz, &c)) != 0)
		return r;
	if (ctl_alerts(cfg, c, tz, o->count, o->format == OUT_JSON, stdout) < 0)
		r = EXIT_RUNTIME;
	else
		r = stdout_flushed("list", 0);
	redisFree(c);
	tz_free(tz);
	return r;
}

/* teleqctl status. Returns the exit code. */
static int
cmd_status(const struct config *cfg, const struct opts *o)
{
	redisContext *c;
	struct tz *tz;
	int r;

	if ((r = open_zone_redis(cfg, &tz, &c)) != 0)
		return r;
	r = ctl_status(cfg, c, tz, o->format == OUT_JSON, stdout) < 0 ? EXIT_RUNTIME : 0;
	r = stdout_flushed("status", r);
	redisFree(c);
	tz_free(tz);
	return r;
}

/* The outcome of one channel of a test. */
struct test_result {
	bool used;                      /* the channel is configured */
	bool done;
	int  status;
	char detail[300];
	char *payload;
	size_t len;
};

/* notify_done_fn of a test delivery. */
static void
on_test_done(void *arg, int status, const char *detail)
{
	struct test_result *t = arg;

	t->done = true;
	t->status = status;
	snprintf(t->detail, sizeof(t->detail), "%s", detail ? detail : "");
}

/* Marks a channel as failed before any attempt, with a reason. */
static void TQ_PRINTF(3, 4)
test_fail(struct test_result *t, int status, const char *fmt, ...)
{
	va_list ap;

	t->done = true;
	t->status = status;
	va_start(ap, fmt);
	vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
	va_end(ap);
}

/*
 * Delivers the prepared payloads of res[] through notify.c on a private
 * event loop and waits until every channel has an outcome (notify.c
 * bounds each attempt: 60 s for sendmail, timeout_ms for the webhook).
 */
static void
deliver_now(const struct alert_conf *ac, const char *id, struct test_result res[CH__MAX])
{
	struct event_base *base = event_base_new();
	struct notify *n = NULL;
	bool waiting;
	int r;

	if (!base) {
		for (int ch = 0; ch < CH__MAX; ch++)
			if (res[ch].used && !res[ch].done)
				test_fail(&res[ch], -ENOMEM, "cannot create an event loop");
		return;
	}
	r = notify_new(base, ac, &n);
	for (int ch = 0; ch < CH__MAX; ch++) {
		int s = r;

		if (!res[ch].used || res[ch].done)
			continue;
		if (s == 0)
			s = notify_send(n, (enum channel)ch, id, res[ch].payload, res[ch].len,
			                on_test_done, &res[ch]);
		if (s < 0)
			test_fail(&res[ch], s, "cannot start: %s", strerror(-s));
	}
	do {
		waiting = false;
		for (int ch = 0; ch < CH__MAX; ch++)
			waiting |= res[ch].used && !res[ch].done;
		if (waiting && event_base_loop(base, EVLOOP_ONCE) != 0) {
			/* No event left although a channel is waiting: cannot happen. */
			for (int ch = 0; ch < CH__MAX; ch++)
				if (res[ch].used && !res[ch].done)
					test_fail(&res[ch], -EIO, "internal error: the event loop ended");
			waiting = false;
		}
	} while (waiting);
	notify_free(n);
	event_base_free(base);
}

/*
 * alerts --test: renders the test message, delivers it through every
 * configured channel now, prints one line per channel and records the
 * message in the alerts stream. Returns the exit code: 0 when every
 * channel delivered (or none is configured), 1 otherwise.
 */
static int
cmd_alerts_test(const struct config *cfg)
{
	const struct alert_conf *ac = &cfg->alerts;
	struct test_result res[CH__MAX] = { 0 };
	struct alert_text t = { 0 };
	char id[48], created_s[24], maxlen[24], channels[32] = "", key[KEY_MAX];
	const char *argv[24];
	size_t argvlen[24];
	redisContext *c = NULL;
	redisReply *rep;
	int64_t created;
	int argc = 0, r, rc = 0;
	bool any = false;

	/* libevent writes to the webhook's socket with writev(): a receiver
	 * that hangs up early must give a failed channel, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (key_name(cfg, key, sizeof(key), "alerts") < 0) {
		fprintf(stderr, "%s: Redis key name too long\n", progname);
		return EXIT_USAGE;
	}
	/* Redis first: without it the test could not be recorded. */
	r = redis_open(cfg, &c);
	if (r != 0)
		return r;

	created = cal_now();
	snprintf(id, sizeof(id), "test-%" PRId64, created);
	snprintf(created_s, sizeof(created_s), "%" PRId64, created);
	r = alert_render(ac, AK_TEST, NULL, NULL, 0, &t);
	if (r < 0) {
		fprintf(stderr, "%s: cannot render the test message: %s\n", progname, strerror(-r));
		redisFree(c);
		return EXIT_RUNTIME;
	}

	for (int ch = 0; ch < CH__MAX; ch++) {
		size_t cl;

		res[ch].used = channel_enabled(ac, (enum channel)ch);
		if (!res[ch].used)
			continue;
		any = true;
		cl = strlen(channels);
		snprintf(channels + cl, sizeof(channels) - cl, "%s%s", cl ? "," : "",
		         channel_name((enum channel)ch));
	}
	if (res[CH_MAIL].used &&
	    (r = mail_build(ac, id, created, &t, &res[CH_MAIL].payload, &res[CH_MAIL].len)) < 0)
		test_fail(&res[CH_MAIL], r, "cannot build the message: %s", strerror(-r));
	if (res[CH_WEBHOOK].used &&
	    (r = webhook_payload(id, AK_TEST, NULL, created, &t, NULL, 0,
	                         &res[CH_WEBHOOK].payload, &res[CH_WEBHOOK].len)) < 0)
		test_fail(&res[CH_WEBHOOK], r, "cannot build the payload: %s", strerror(-r));

	printf("test alert %s\n", id);
	if (!any) {
		printf("no alert channel configured (alerts: mail or webhook in %s): "
		       "the test is only recorded\n", cfg->file ? cfg->file : "the configuration");
	} else {
		fflush(stdout);         /* the id is out before a slow channel */
		deliver_now(ac, id, res);
	}
	for (int ch = 0; ch < CH__MAX; ch++) {
		if (!res[ch].used)
			continue;
		if (res[ch].status == 0) {
			printf("%s: delivered\n", channel_name((enum channel)ch));
		} else {
			char *d = ctl_term_safe(res[ch].detail);

			printf("%s: failed: %s\n", channel_name((enum channel)ch), d ? d : "?");
			free(d);
			rc = EXIT_RUNTIME;
		}
	}

	/* Recorded like the daemon's alerts, so `teleqctl alerts` shows it. */
	argv[argc++] = "XADD";
	argv[argc++] = key;
	if (ac->stream_maxlen > 0) {
		snprintf(maxlen, sizeof(maxlen), "%zu", ac->stream_maxlen);
		argv[argc++] = "MAXLEN";
		argv[argc++] = "~";
		argv[argc++] = maxlen;
	}
	argv[argc++] = "*";
	argv[argc++] = "id";         argv[argc++] = id;
	argv[argc++] = "kind";       argv[argc++] = alert_kind_name(AK_TEST);
	argv[argc++] = "period";     argv[argc++] = "";
	argv[argc++] = "indicator";  argv[argc++] = "";
	argv[argc++] = "subject";    argv[argc++] = t.subject;
	argv[argc++] = "created";    argv[argc++] = created_s;
	argv[argc++] = "channels";   argv[argc++] = channels;
	for (int i = 0; i < argc; i++)
		argvlen[i] = strlen(argv[i]);
	rep = redisCommandArgv(c, argc, argv, argvlen);
	if (!rep || rep->type != REDIS_REPLY_STRING) {
		ctl_reply_error(c, cfg, "XADD", rep);
		rc = EXIT_RUNTIME;
	}
	freeReplyObject(rep);

	if (fflush(stdout) != 0 || ferror(stdout))
		rc = EXIT_RUNTIME;
	for (int ch = 0; ch < CH__MAX; ch++)
		free(res[ch].payload);
	alert_text_done(&t);
	redisFree(c);
	return rc;
}

/* ======================================================== set, note */

/* teleqctl set / note: checked, then stored (ctl_manual.c). Returns the exit code. */
static int
cmd_manual(const struct config *cfg, struct opts *o)
{
	redisContext *c;
	char err[256];
	int r;

	if (ctl_manual_check(cfg, &o->manual, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->manual.note ? "note" : "set", err);
		return EXIT_USAGE;
	}
	if ((r = redis_open(cfg, &c)) != 0)
		return r;
	r = ctl_manual_write(cfg, c, &o->manual, stdout) < 0 ? EXIT_RUNTIME : 0;
	r = stdout_flushed("confirmation", r);
	redisFree(c);
	return r;
}

/* =============================================================== main */

/* The report in format f. */
static void
put_report(FILE *out, const struct config *cfg, const struct report *rep, enum out_format f)
{
	switch (f) {
	case OUT_TEXT:
		print_text(out, cfg, rep);
		ctl_manual_text(out, cfg, rep);
		break;
	case OUT_CSV:
		print_csv(out, cfg, rep);
		ctl_manual_csv(out, cfg, rep);
		break;
	case OUT_JSON: report_json(out, cfg, rep); break;
	case OUT_HTML: (void)followup_render(out, cfg, rep, NULL); break;
	case OUT_XLSX: break;   /* a file only: write_report_file() */
	}
}

/*
 * report -o FILE: written to FILE.tmp beside it, then renamed over FILE,
 * so a reader (a mail, a browser) never sees half a document and a failed
 * run leaves the old one. Returns the exit code.
 */
static int
write_report_file(const struct config *cfg, const struct report *rep, const struct opts *o)
{
	char tmp[4096];
	FILE *f;
	bool bad;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", o->output);

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "%s: --output '%s': name too long\n", progname, o->output);
		return EXIT_USAGE;
	}
	if (o->format == OUT_XLSX) {
		const char *why = NULL;

		if (xlsx_report_write(tmp, cfg, rep, &why) < 0) {
			fprintf(stderr, "%s: writing %s: %s\n", progname, tmp, why ? why : "failed");
			(void)unlink(tmp);
			return EXIT_RUNTIME;
		}
		goto written;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", progname, tmp, strerror(errno));
		return EXIT_RUNTIME;
	}
	put_report(f, cfg, rep, o->format);
	bad = fflush(f) != 0 || ferror(f);
	if (fclose(f) != 0)
		bad = true;
	if (bad) {
		fprintf(stderr, "%s: writing %s: %s\n", progname, tmp, strerror(errno));
		(void)unlink(tmp);
		return EXIT_RUNTIME;
	}
written:
	if (rename(tmp, o->output) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, o->output, strerror(errno));
		(void)unlink(tmp);
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * The report command: period from the arguments, counters from Redis,
 * figures, output. Returns the exit code.
 */
static int
cmd_report(const struct config *cfg, const struct opts *o)
{
	struct ind_table cur = { 0 }, prev = { 0 }, prev2 = { 0 };
	struct report rep = { 0 };
	struct period p;
	redisContext *c = NULL;
	int64_t today;
	unsigned nbad = 0;
	int r;

	r = resolve_today(cfg, o->today, &today);
	if (r < 0) {
		if (o->today)
			fprintf(stderr, "%s: --today '%s': not a date (YYYY-MM-DD)\n", progname,
			        o->today);
		else
			fprintf(stderr, "%s: time zone %s: %s\n", progname, cfg->timezone, strerror(-r));
		return EXIT_USAGE;
	}
	if (report_parse_period(o->period, today, &p) < 0) {
		fprintf(stderr, "%s: invalid period '%s' (" REPORT_PERIOD_SYNTAX ")\n", progname,
		        o->period);
		return EXIT_USAGE;
	}
	if (report_init(&rep, cfg, &p, today) < 0 || ind_table_init(&cur, rep.n) < 0 ||
	    ind_table_init(&prev, rep.n) < 0 || ind_table_init(&prev2, rep.n) < 0) {
		fprintf(stderr, "%s: out of memory\n", progname);
		r = EXIT_RUNTIME;
		goto out;
	}

	r = redis_open(cfg, &c);
	if (r != 0)
		goto out;
	if (fetch_span(c, cfg, &rep.scur, &cur, &nbad) < 0 ||
	    fetch_span(c, cfg, &rep.sprev, &prev, &nbad) < 0 ||
	    (rep.need_prev2 && fetch_span(c, cfg, &rep.sprev2, &prev2, &nbad) < 0)) {
		r = EXIT_RUNTIME;
		goto out;
	}
	if (nbad)
		fprintf(stderr, "%s: warning: ignored %u counter field(s) whose value is not an "
		        "integer\n", progname, nbad);
	if (ctl_manual_fetch(cfg, c, &rep) < 0) {
		r = EXIT_RUNTIME;
		goto out;
	}

	compute_report(cfg, &cur, &prev, rep.need_prev2 ? &prev2 : NULL, &rep);
	if (o->output)
		r = write_report_file(cfg, &rep, o);
	else {
		put_report(stdout, cfg, &rep, o->format);
		r = stdout_flushed("report", 0);
	}
out:
	redisFree(c);
	ind_table_done(&prev2);
	ind_table_done(&prev);
	ind_table_done(&cur);
	report_done(&rep);
	return r;
}

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct opts o;
	char err[512] = "";
	int r;

	r = parse_args(argc, argv, &o);
	if (r >= 0)
		return r;
	r = config_load(o.config, &cfg, err, sizeof(err));
	if (r < 0) {
		/* config_load says "file:line:col: what is wrong"; print it as it is. */
		if (err[0])
			fprintf(stderr, "%s\n", err);
		else
			fprintf(stderr, "%s: %s: %s\n", progname, o.config, strerror(-r));
		return EXIT_USAGE;
	}
	if ((r = follow_sentinels(cfg)) != 0) {
		config_free(cfg);
		return r;
	}
	if (o.cmd == CMD_ALERTS)
		r = o.test ? cmd_alerts_test(cfg) : cmd_alerts_list(cfg, &o);
	else if (o.cmd == CMD_STATUS)
		r = cmd_status(cfg, &o);
	else if (o.cmd == CMD_SET || o.cmd == CMD_NOTE)
		r = cmd_manual(cfg, &o);
	else
		r = cmd_report(cfg, &o);
	config_free(cfg);
	return r;
}
