/*
 * teleq-gen — deterministic generator of sample TeleQ and case feeds.
 *
 * Two modes:
 *   --committee DIR   the committee's Q1 2026 figures (and Q1 2025 for the
 *                     previous year) as DIR/calls-committee.txt and
 *                     DIR/cases-committee.jsonl (names matching the feed
 *                     patterns calls-*.txt and cases-*.jsonl of the config)
 *   --events N ...    N realistic lines of one feed for benchmarks and load
 *                     tests, written fast (>= 5M lines/s): lines are built
 *                     with memcpy from per-day strings and digit tables into
 *                     a large buffer written with write(2).
 *
 * Formats follow conf/teleqd.yaml: the TeleQ call log is ';'-separated,
 * Windows-1252, CRLF, with a header and the date and the time in separate
 * columns, in local time without a zone. Cases are JSON lines with created
 * (ISO 8601 with an offset or Z), case_id, source, party and type.
 *
 * Every line also carries a fake phone number ("070-1234567") and a
 * personnummer-shaped string ("19800101-1234") in columns/fields that the
 * configuration does not map: tests prove they never reach Redis or logs.
 *
 * Standalone on purpose (no project library needed): the calendar and the
 * Europe/Stockholm DST rule (EU rule, last Sundays of March and October at
 * 01:00 UTC) are re-implemented here in a few lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
"usage: teleq-gen --committee DIR [--seed S]\n"
"       teleq-gen --events N --format csv|jsonl --out FILE [options]\n"
"\n"
"Committee mode writes DIR/calls-committee.txt (TeleQ call log) and\n"
"DIR/cases-committee.jsonl (case feed); DIR is created if missing:\n"
"  TeleQ calls, booked/offered per month 2026-01 90/100, 2026-02 219/300,\n"
"  2026-03 132/200 (offered = booked + queue full + abandoned; closed-hours\n"
"  calls are extra and not offered) and 2025-01 80/100, 2025-02 150/200,\n"
"  2025-03 120/150; cases: 265 of 513 patient/relative cases via 1177 (web)\n"
"  in Q1 2026, 200 of 409 in Q1 2025, plus provider cases (2026: 14 of 42\n"
"  digital, 2025: 9 of 36) and re-exported duplicates (same case_id) that\n"
"  must be counted once. Times are local: some at 00:xx on the 1st of a\n"
"  month, some in the DST switch hours.\n"
"\n"
"Events mode options:\n"
"  --events N        number of lines (records) to write, besides the header\n"
"  --format F        csv (TeleQ call log) or jsonl (case feed)\n"
"  --out FILE        output file, '-' for stdout (truncated unless --append)\n"
"  --from DATE       first local day, YYYY-MM-DD (default 2024-01-01)\n"
"  --days D          number of days the events are spread over (default 730);\n"
"                    times increase monotonically through the span\n"
"  --seed S          PRNG seed (default 1); equal arguments give equal bytes\n"
"  --append          append to FILE instead of truncating it\n"
"  --no-header       csv: do not write the header line\n"
"  --id-base K       jsonl: first case number (default 1); ids are unique\n"
"                    within one run, use distinct bases for several runs\n"
"  --dups PERMILLE   jsonl: this many per 1000 lines are re-exports, an\n"
"                    earlier record (of the last 1024) again byte for byte\n"
"                    (default 0); --events counts them too\n"
"  --lf              csv: LF line ends instead of CRLF\n"
"\n"
"Values: csv Resultat is one of Bokad, Kön full, Avbruten, Stängt (closed\n"
"hours); jsonl source web/phone/letter/visit, party patient/relative/\n"
"provider, type patient/information. Unmapped extra columns/fields carry\n"
"fake phone numbers and personnummer-shaped strings.\n";

/* ------------------------------------------------------------- calendar */

static int64_t gen_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void gen_civil_from_days(int64_t days, int64_t *ry, unsigned *rm, unsigned *rd)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*rd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*rm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*ry = yoe + era * 400 + (*rm <= 2);
}

static unsigned gen_days_in_month(int64_t y, unsigned m)
{
	static const unsigned char md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

static int64_t fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if (a % b != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
static unsigned weekday(int64_t day)
{
	int64_t w = (day + 4) % 7;
	return (unsigned)(w < 0 ? w + 7 : w);
}

static int64_t last_sunday(int64_t y, unsigned m)
{
	int64_t d = gen_days_from_civil(y, m, gen_days_in_month(y, m));
	return d - weekday(d);
}

/* UTC instants at which summer time starts and ends in year y (EU rule). */
static void dst_bounds(int64_t y, int64_t *start, int64_t *end)
{
	*start = last_sunday(y, 3) * 86400 + 3600;
	*end = last_sunday(y, 10) * 86400 + 3600;
}

/* Europe/Stockholm offset in seconds at UTC instant t. */
static int32_t sthlm_offset(int64_t t)
{
	int64_t y, s, e;
	unsigned m, d;

	gen_civil_from_days(fdiv(t, 86400), &y, &m, &d);
	dst_bounds(y, &s, &e);
	return t >= s && t < e ? 7200 : 3600;
}

/*
 * Local wall time (seconds as if UTC) to the instant, by the daemon's rule:
 * an ambiguous time is the earlier instant, a time in the spring gap is
 * read with the offset before the gap (02:30 -> 03:30 CEST).
 */
static int64_t wall_to_utc(int64_t wall)
{
	int64_t summer = wall - 7200, winter = wall - 3600;
	if (sthlm_offset(summer) == 7200)
		return summer;
	if (sthlm_offset(winter) == 3600)
		return winter;
	return winter;
}

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: fast, good enough, fully deterministic */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* --------------------------------------------------------------- output */

struct out {
	int    fd;
	char  *buf;
	size_t len, cap;
	const char *name;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "teleq-gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void out_flush(struct out *o)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write %s failed", o->name);
		}
		off += (size_t)n;
	}
	o->len = 0;
}

static void out_open(struct out *o, const char *path, bool append)
{
	o->name = path;
	if (strcmp(path, "-") == 0)
		o->fd = 1;
	else
		o->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
	if (o->fd < 0)
		die("cannot open %s", path);
	o->cap = (size_t)4 << 20;
	o->len = 0;
	o->buf = malloc(o->cap);
	if (!o->buf)
		die("%s", "out of memory");
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (o->fd != 1 && close(o->fd) < 0)
		die("close %s failed", o->name);
	free(o->buf);
	o->buf = NULL;
}

/* Room for at least need bytes at o->buf + o->len. */
static char *out_reserve(struct out *o, size_t need)
{
	if (o->cap - o->len < need)
		out_flush(o);
	return o->buf + o->len;
}

static void out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);
	if (n > o->cap / 2)
		die("%s", "string too long");
	memcpy(out_reserve(o, n), s, n);
	o->len += n;
}

/* ------------------------------------------------------------- digits */

static char d2[100][2];          /* "00".."99" */
static char d3[1000][3];         /* "000".."999" */

static void tables_init(void)
{
	for (int i = 0; i < 100; i++) {
		d2[i][0] = (char)('0' + i / 10);
		d2[i][1] = (char)('0' + i % 10);
	}
	for (int i = 0; i < 1000; i++) {
		d3[i][0] = (char)('0' + i / 100);
		d3[i][1] = (char)('0' + i / 10 % 10);
		d3[i][2] = (char)('0' + i % 10);
	}
}

/* "YYYY-MM-DD" of a day number (10 bytes). */
static void fmt_date(char *p, int64_t day)
{
	int64_t y;
	unsigned m, d;

	gen_civil_from_days(day, &y, &m, &d);
	memcpy(p, d2[y / 100 % 100], 2);
	memcpy(p + 2, d2[y % 100], 2);
	p[4] = '-';
	memcpy(p + 5, d2[m], 2);
	p[7] = '-';
	memcpy(p + 8, d2[d], 2);
}

/* "HH:MM:SS" of seconds in a day (8 bytes). */
static void fmt_hms(char *p, unsigned s)
{
	memcpy(p, d2[s / 3600], 2);
	p[2] = ':';
	memcpy(p + 3, d2[s / 60 % 60], 2);
	p[5] = ':';
	memcpy(p + 6, d2[s % 60], 2);
}

/* Fake Swedish mobile number "07X-NNNNNNN" from r (11 bytes). */
static void fmt_phone(char *p, uint64_t r)
{
	static const char pre[4] = { '0', '2', '3', '6' };
	p[0] = '0';
	p[1] = '7';
	p[2] = pre[r & 3];
	p[3] = '-';
	r >>= 2;
	p[4] = (char)('0' + r % 10);
	r /= 10;
	memcpy(p + 5, d3[r % 1000], 3);
	r /= 1000;
	memcpy(p + 8, d3[r % 1000], 3);
}

/* Personnummer-shaped "YYYYMMDD-NNNN" (13 bytes), born 1930..1999. */
static void fmt_pnr(char *p, uint64_t r)
{
	unsigned y = 30 + (unsigned)(r % 70), m = 1 + (unsigned)(r >> 8) % 12,
	         d = 1 + (unsigned)(r >> 16) % 28, n = (unsigned)(r >> 24) % 10000;
	p[0] = '1';
	p[1] = '9';
	memcpy(p + 2, d2[y], 2);
	memcpy(p + 4, d2[m], 2);
	memcpy(p + 6, d2[d], 2);
	p[8] = '-';
	memcpy(p + 9, d2[n / 100], 2);
	memcpy(p + 11, d2[n % 100], 2);
}

/* ------------------------------------------------------------- values */

/* Windows-1252 bytes of the TeleQ strings. */
#define CSV_HEADER  "Datum;Tid;K\xf6;Resultat;V\xe4ntetid;Telefonnummer;Personnummer"
#define QUEUE       "Patientn\xe4mnden"

enum call_result { BOOKED, FULL, ABANDONED, CLOSED, NRESULTS };
static const char *const result_text[NRESULTS] = {
	"Bokad", "K\xf6n full", "Avbruten", "St\xe4ngt",
};

enum { SRC_WEB, SRC_PHONE, SRC_LETTER, SRC_VISIT };
static const char *const source_text[] = { "web", "phone", "letter", "visit" };
enum { PARTY_PATIENT, PARTY_RELATIVE, PARTY_PROVIDER };
static const char *const party_text[] = { "patient", "relative", "provider" };
enum { TYPE_PATIENT, TYPE_INFO };
static const char *const type_text[] = { "patient", "information" };

/* ----------------------------------------------------- events (bench) */

struct bench_opts {
	uint64_t n;
	bool     jsonl;
	const char *out;
	int64_t  from;          /* first day */
	unsigned days;
	uint64_t seed;
	bool     append, header, crlf;
	uint64_t id_base;
	unsigned dups;          /* per mille */
};

/* Per-day data computed once per day. */
struct dayinfo {
	char     date[10];
	bool     weekend;
	int32_t  off0;          /* offset at local midnight (jsonl) */
	bool     switch_day;    /* DST changes during this local day */
};

static void day_init(struct dayinfo *di, int64_t day)
{
	unsigned w = weekday(day);
	int64_t mid = day * 86400;

	fmt_date(di->date, day);
	di->weekend = w == 0 || w == 6;
	di->off0 = sthlm_offset(wall_to_utc(mid));
	di->switch_day = sthlm_offset(wall_to_utc(mid + 86399)) != di->off0;
}

/* Result of a call at second s of a day: closed outside 08-16 and at weekends. */
static enum call_result pick_result(const struct dayinfo *di, unsigned s, uint64_t r)
{
	unsigned p;

	if (di->weekend || s < 8 * 3600 || s >= 16 * 3600)
		return CLOSED;
	p = (unsigned)(r % 100);
	return p < 72 ? BOOKED : p < 88 ? FULL : ABANDONED;
}

/*
 * Maps a uniform second of the day onto a realistic one, monotonically:
 * 5 % of the day's events fall in 00-08, 85 % in phone hours 08-16,
 * 10 % in 16-24.
 */
static unsigned day_second(unsigned s)
{
	if (s < 4320)
		return s * 20 / 3;
	if (s < 77760)
		return 28800 + (unsigned)((uint64_t)(s - 4320) * 28800 / 73440);
	return 57600 + (s - 77760) * 10 / 3;
}

/* Writes the 10-digit decimal of v at p. */
static void fmt_u10(char *p, uint64_t v)
{
	v %= 10000000000ULL;
	memcpy(p + 7, d3[v % 1000], 3);
	v /= 1000;
	memcpy(p + 4, d3[v % 1000], 3);
	v /= 1000;
	memcpy(p + 1, d3[v % 1000], 3);
	v /= 1000;
	p[0] = (char)('0' + v);
}

static void run_events(const struct bench_opts *bo)
{
	struct out o;
	struct dayinfo di;
	int64_t curday = INT64_MIN;
	/* Seconds from the first midnight: event i at i * span / n, monotonic. */
	uint64_t span = (uint64_t)bo->days * 86400;
	uint64_t step_int = span / (bo->n ? bo->n : 1), step_rem = span % (bo->n ? bo->n : 1);
	uint64_t t = 0, acc = 0;
	const char *eol = bo->crlf ? "\r\n" : "\n";
	size_t eol_len = strlen(eol);
	size_t rl[NRESULTS];
	const size_t qlen = sizeof(QUEUE) - 1;
	/* The last RING records, for re-exports (--dups). */
	enum { RING = 1024, RING_LINE = 256 };
	char (*ring)[RING_LINE] = NULL;
	size_t *ring_len = NULL;
	uint64_t nring = 0;

	if (bo->jsonl && bo->dups) {
		ring = malloc(sizeof(*ring) * RING);
		ring_len = malloc(sizeof(*ring_len) * RING);
		if (!ring || !ring_len)
			die("%s", "out of memory");
	}
	rng_state = bo->seed * 0x2545F4914F6CDD1DULL + 17;
	for (int i = 0; i < NRESULTS; i++)
		rl[i] = strlen(result_text[i]);
	out_open(&o, bo->out, bo->append);
	if (!bo->jsonl && bo->header) {
		out_str(&o, CSV_HEADER);
		out_str(&o, eol);
	}
	for (uint64_t i = 0; i < bo->n; i++) {
		int64_t day = bo->from + (int64_t)(t / 86400);
		unsigned s = day_second((unsigned)(t % 86400));
		uint64_t r = rnd(), r2 = rnd();
		char *p = out_reserve(&o, 256), *start = p;

		if (day != curday) {
			day_init(&di, day);
			curday = day;
		}
		if (!bo->jsonl) {
			/* 2026-03-05;08:15:32;Patientnämnden;Bokad;00:03:12;070-1234567;19800101-1234 */
			enum call_result res = pick_result(&di, s, r);
			memcpy(p, di.date, 10);
			p[10] = ';';
			fmt_hms(p + 11, s);
			p[19] = ';';
			p += 20;
			memcpy(p, QUEUE, qlen);
			p += qlen;
			*p++ = ';';
			memcpy(p, result_text[res], rl[res]);
			p += rl[res];
			*p++ = ';';
			fmt_hms(p, res == CLOSED ? 0 : (unsigned)(r >> 40) % 1800);
			p[8] = ';';
			fmt_phone(p + 9, r2);
			p[20] = ';';
			fmt_pnr(p + 21, r2 >> 20);
			p += 34;
			memcpy(p, eol, eol_len);
			p += eol_len;
		} else {
			/*
			 * {"case_id":"PN-0000000001","created":"2024-01-01T08:15:32+01:00",
			 *  "source":"web","party":"patient","type":"patient",
			 *  "phone":"070-1234567","personnummer":"19800101-1234"}
			 */
			uint64_t id = bo->id_base + i;
			unsigned src, party, type, pp = (unsigned)(r % 1000);
			int32_t off = di.off0;
			char *q;

			if (bo->dups && nring > 0 && (unsigned)(r >> 10) % 1000 < bo->dups) {
				/* A re-export: an earlier record again, byte for byte. */
				uint64_t k = (nring - 1 - (r >> 20) % (nring < RING ? nring : RING)) % RING;
				memcpy(p, ring[k], ring_len[k]);
				p += ring_len[k];
				goto next;
			}
			party = pp < 680 ? PARTY_PATIENT : pp < 910 ? PARTY_RELATIVE : PARTY_PROVIDER;
			pp = (unsigned)(r >> 16) % 100;
			src = pp < 52 ? SRC_WEB : pp < 84 ? SRC_PHONE : pp < 95 ? SRC_LETTER : SRC_VISIT;
			type = (unsigned)(r >> 24) % 100 < 78 ? TYPE_PATIENT : TYPE_INFO;
			memcpy(p, "{\"case_id\":\"PN-", 15);
			fmt_u10(p + 15, id);
			memcpy(p + 25, "\",\"created\":\"", 13);
			q = p + 38;
			memcpy(q, di.date, 10);
			q[10] = 'T';
			fmt_hms(q + 11, s);
			if (di.switch_day) {
				/* A wall time in the spring gap is written as the instant it means. */
				int64_t u = wall_to_utc(day * 86400 + s);
				int64_t lt;
				off = sthlm_offset(u);
				lt = u + off;
				fmt_date(q, fdiv(lt, 86400));
				fmt_hms(q + 11, (unsigned)(lt - fdiv(lt, 86400) * 86400));
				s = (unsigned)(lt - day * 86400);
			}
			if ((r >> 32) % 5 == 0) {
				/* some producers write UTC: the same instant with Z */
				int64_t u = day * 86400 + s - off;
				fmt_date(q, fdiv(u, 86400));
				fmt_hms(q + 11, (unsigned)(u - fdiv(u, 86400) * 86400));
				q[19] = 'Z';
				q += 20;
			} else {
				q[19] = '+';
				memcpy(q + 20, d2[off / 3600], 2);
				memcpy(q + 22, ":00", 3);
				q += 25;
			}
			memcpy(q, "\",\"source\":\"", 12);
			q += 12;
			memcpy(q, source_text[src], strlen(source_text[src]));
			q += strlen(source_text[src]);
			memcpy(q, "\",\"party\":\"", 11);
			q += 11;
			memcpy(q, party_text[party], strlen(party_text[party]));
			q += strlen(party_text[party]);
			memcpy(q, "\",\"type\":\"", 10);
			q += 10;
			memcpy(q, type_text[type], strlen(type_text[type]));
			q += strlen(type_text[type]);
			memcpy(q, "\",\"phone\":\"", 11);
			q += 11;
			fmt_phone(q, r2);
			q += 11;
			memcpy(q, "\",\"personnummer\":\"", 18);
			q += 18;
			fmt_pnr(q, r2 >> 20);
			q += 13;
			memcpy(q, "\"}\n", 3);
			p = q + 3;
			if (ring) {
				size_t k = nring++ % RING;
				ring_len[k] = (size_t)(p - start);
				memcpy(ring[k], start, ring_len[k]);
			}
		}
next:
		o.len += (size_t)(p - start);
		t += step_int;
		acc += step_rem;
		if (acc >= bo->n) {
			acc -= bo->n;
			t++;
		}
	}
	out_close(&o);
	free(ring);
	free(ring_len);
}

/* ------------------------------------------------------- committee */

struct call {
	int64_t wall;
	int     result;
	unsigned wait;
};

struct ccase {
	int64_t  wall;          /* local wall time */
	int      src, party, type;
	int      zform;         /* 0 offset, 1 Z, 2 Z with fraction */
	int      dup;           /* > 0: a re-export of an earlier record */
	unsigned id;
	unsigned seq;           /* creation order, for stable sorting */
};

struct call_month { int y, m, booked, full, abandoned, closed; };
struct case_month { int y, m, digital, total, prov_total, prov_digital, dups; };

static const struct call_month call_months[] = {
	{ 2025, 1,  80, 12,  8, 20 },
	{ 2025, 2, 150, 35, 15, 25 },
	{ 2025, 3, 120, 20, 10, 22 },
	{ 2026, 1,  90,  6,  4, 25 },
	{ 2026, 2, 219, 60, 21, 40 },
	{ 2026, 3, 132, 50, 18, 30 },
};

/*
 * Patient/relative cases: 2026 265 of 513 via 1177, 2025 200 of 409.
 * Provider cases: 2026 14 of 42 digital, 2025 9 of 36.
 */
static const struct case_month case_months[] = {
	{ 2025, 1, 65, 135, 12, 3, 1 },
	{ 2025, 2, 67, 134, 11, 3, 1 },
	{ 2025, 3, 68, 140, 13, 3, 1 },
	{ 2026, 1, 90, 170, 14, 5, 2 },
	{ 2026, 2, 85, 168, 13, 4, 1 },
	{ 2026, 3, 90, 175, 15, 5, 2 },
};

static int64_t wall_of(int64_t day, unsigned h, unsigned mi, unsigned s)
{
	return day * 86400 + h * 3600 + mi * 60 + s;
}

/* A random weekday of month (y, m). */
static int64_t random_workday(int y, int m)
{
	int64_t first = gen_days_from_civil(y, (unsigned)m, 1);
	unsigned dim = gen_days_in_month(y, (unsigned)m);
	for (;;) {
		int64_t d = first + rnd_below(dim);
		unsigned w = weekday(d);
		if (w != 0 && w != 6)
			return d;
	}
}

/* A random time in phone hours (08:00-15:59) on a weekday. */
static int64_t random_open_time(int y, int m)
{
	return random_workday(y, m) * 86400 + 8 * 3600 + rnd_below(8 * 3600);
}

/* A random time outside phone hours: evenings, nights, weekends. */
static int64_t random_closed_time(int y, int m)
{
	int64_t first = gen_days_from_civil(y, (unsigned)m, 1);
	unsigned dim = gen_days_in_month(y, (unsigned)m);
	for (;;) {
		int64_t d = first + rnd_below(dim);
		unsigned s = rnd_below(86400), w = weekday(d);
		if (w == 0 || w == 6 || s < 8 * 3600 || s >= 16 * 3600)
			return d * 86400 + s;
	}
}

static int cmp_call(const void *a, const void *b)
{
	const struct call *x = a, *y = b;
	return x->wall < y->wall ? -1 : x->wall > y->wall;
}

static int cmp_case(const void *a, const void *b)
{
	const struct ccase *x = a, *y = b;
	int64_t ux = wall_to_utc(x->wall), uy = wall_to_utc(y->wall);
	if (x->dup != y->dup)
		return x->dup - y->dup;          /* re-exports come after the month */
	if (ux != uy)
		return ux < uy ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_calls(const char *dir)
{
	char path[4096], line[256], date[11], hms[9], wait[9], phone[12], pnr[14];
	struct out o;
	struct call *v;
	size_t n;

	snprintf(path, sizeof(path), "%s/calls-committee.txt", dir);
	out_open(&o, path, false);
	out_str(&o, CSV_HEADER "\r\n");
	for (size_t k = 0; k < sizeof(call_months) / sizeof(call_months[0]); k++) {
		const struct call_month *cm = &call_months[k];
		int64_t first = gen_days_from_civil(cm->y, (unsigned)cm->m, 1);
		int64_t last = first + gen_days_in_month(cm->y, (unsigned)cm->m) - 1;
		int64_t dst = last_sunday(cm->y, 3);
		int total = cm->booked + cm->full + cm->abandoned + cm->closed;

		v = calloc((size_t)total, sizeof(*v));
		if (!v)
			die("%s", "out of memory");
		n = 0;
		for (int i = 0; i < cm->booked; i++, n++) {
			v[n].result = BOOKED;
			v[n].wall = random_open_time(cm->y, cm->m);
		}
		for (int i = 0; i < cm->full; i++, n++) {
			v[n].result = FULL;
			v[n].wall = random_open_time(cm->y, cm->m);
		}
		for (int i = 0; i < cm->abandoned; i++, n++) {
			v[n].result = ABANDONED;
			v[n].wall = random_open_time(cm->y, cm->m);
		}
		for (int i = 0; i < cm->closed; i++, n++) {
			v[n].result = CLOSED;
			v[n].wall = random_closed_time(cm->y, cm->m);
		}
		/*
		 * Edge times (still counted in this month): just after local
		 * midnight on the 1st, which is the previous month in UTC, and
		 * just before midnight on the last day.
		 */
		v[0].wall = wall_of(first, 0, 30, 0);
		v[1].wall = wall_of(first, 0, 12, 34);
		v[2].wall = wall_of(last, 23, 58, 59);
		v[cm->booked].wall = wall_of(first, 0, 47, 10);               /* queue full */
		v[cm->booked + cm->full].wall = wall_of(last, 23, 30, 0);     /* abandoned */
		if (cm->m == 3) {
			/* The spring DST switch: 02:00-03:00 does not exist locally. */
			v[3].wall = wall_of(dst, 1, 59, 30);
			v[4].wall = wall_of(dst, 2, 30, 0);    /* in the gap: read as 03:30 CEST */
			v[5].wall = wall_of(dst, 3, 0, 5);
			v[cm->booked + cm->full + cm->abandoned].wall = wall_of(dst, 2, 15, 0);
		}
		for (size_t i = 0; i < n; i++)
			v[i].wait = v[i].result == CLOSED ? 0 : rnd_below(v[i].result == BOOKED ? 600 : 1500);
		qsort(v, n, sizeof(*v), cmp_call);
		for (size_t i = 0; i < n; i++) {
			int64_t day = fdiv(v[i].wall, 86400);
			uint64_t r = rnd();
			fmt_date(date, day);
			date[10] = 0;
			fmt_hms(hms, (unsigned)(v[i].wall - day * 86400));
			hms[8] = 0;
			fmt_hms(wait, v[i].wait);
			wait[8] = 0;
			fmt_phone(phone, r);
			phone[11] = 0;
			fmt_pnr(pnr, r >> 20);
			pnr[13] = 0;
			snprintf(line, sizeof(line), "%s;%s;%s;%s;%s;%s;%s\r\n", date, hms, QUEUE,
			         result_text[v[i].result], wait, phone, pnr);
			out_str(&o, line);
		}
		printf("calls-committee.txt %04d-%02d: booked %d, queue full %d, abandoned %d (offered %d), closed %d\n",
		       cm->y, cm->m, cm->booked, cm->full, cm->abandoned,
		       cm->booked + cm->full + cm->abandoned, cm->closed);
		free(v);
	}
	out_close(&o);
}

static void fmt_created(char *buf, size_t len, const struct ccase *c)
{
	char date[11], hms[9];
	int64_t t = c->wall, day;
	int32_t off = 0;

	if (c->zform) {
		t = wall_to_utc(c->wall);
	} else {
		off = sthlm_offset(wall_to_utc(c->wall));
	}
	day = fdiv(t, 86400);
	fmt_date(date, day);
	date[10] = 0;
	fmt_hms(hms, (unsigned)(t - day * 86400));
	hms[8] = 0;
	if (c->zform == 2)
		snprintf(buf, len, "%sT%s.%03uZ", date, hms, c->id % 1000);
	else if (c->zform == 1)
		snprintf(buf, len, "%sT%sZ", date, hms);
	else
		snprintf(buf, len, "%sT%s+%02d:00", date, hms, off / 3600);
}

static void write_cases(const char *dir)
{
	static const char *const notes[] = {
		"Vill ha återkoppling, ring ",
		"Närstående hör av sig, tel ",
		"Klagomål på bemötande. Nr ",
		"Fråga om journal, nås på ",
	};
	char path[4096], line[1024], created[40], phone[12], pnr[14], note[128], exported[40];
	struct out o;
	unsigned nextid = 1;

	snprintf(path, sizeof(path), "%s/cases-committee.jsonl", dir);
	out_open(&o, path, false);
	for (size_t k = 0; k < sizeof(case_months) / sizeof(case_months[0]); k++) {
		const struct case_month *cmo = &case_months[k];
		int y = cmo->y, m = cmo->m;
		int64_t first = gen_days_from_civil(y, (unsigned)m, 1);
		int64_t last = first + gen_days_in_month(y, (unsigned)m) - 1;
		int64_t dst = last_sunday(y, 3);
		size_t total = (size_t)(cmo->total + cmo->prov_total + cmo->dups), n = 0;
		struct ccase *v = calloc(total, sizeof(*v));

		if (!v)
			die("%s", "out of memory");
		if (k == 0 || case_months[k - 1].y != y)
			nextid = 1;
		for (int i = 0; i < cmo->total; i++, n++) {
			struct ccase *c = &v[n];
			bool digital = i < cmo->digital;
			unsigned p = rnd_below(100);
			c->party = rnd_below(100) < 74 ? PARTY_PATIENT : PARTY_RELATIVE;
			c->type = rnd_below(100) < 80 ? TYPE_PATIENT : TYPE_INFO;
			c->src = digital ? SRC_WEB : p < 70 ? SRC_PHONE : p < 90 ? SRC_LETTER : SRC_VISIT;
			/* e-service cases arrive at any hour, the others in office hours */
			c->wall = digital ? first * 86400 + rnd_below(gen_days_in_month(y, (unsigned)m) * 86400u)
			                  : random_open_time(y, m);
		}
		for (int i = 0; i < cmo->prov_total; i++, n++) {
			struct ccase *c = &v[n];
			c->party = PARTY_PROVIDER;
			c->type = rnd_below(100) < 60 ? TYPE_INFO : TYPE_PATIENT;
			c->src = i < cmo->prov_digital ? SRC_WEB : rnd_below(2) ? SRC_PHONE : SRC_LETTER;
			c->wall = random_open_time(y, m);
		}
		for (size_t i = 0; i < n; i++) {
			v[i].zform = rnd_below(10) < 4 ? (rnd_below(4) == 0 ? 2 : 1) : 0;
			v[i].seq = (unsigned)i;
		}
		/*
		 * Edge times: 00:20 local on the 1st written in UTC (still the
		 * previous day there), 23:40 on the last day with its offset, and
		 * around the spring DST switch.
		 */
		v[0].wall = wall_of(first, 0, 20, 0);
		v[0].zform = 1;
		v[1].wall = wall_of(first, 0, 5, 0);
		v[1].zform = 0;
		v[cmo->digital].wall = wall_of(first, 0, 40, 0);   /* analog, e.g. a letter logged at night */
		v[cmo->digital].zform = 1;
		v[2].wall = wall_of(last, 23, 40, 0);
		v[2].zform = 0;
		v[cmo->total].wall = wall_of(first, 0, 10, 0);     /* provider */
		v[cmo->total].zform = 1;
		if (m == 3) {
			v[3].wall = wall_of(dst, 1, 30, 0);          /* CET */
			v[3].zform = 1;
			v[4].wall = wall_of(dst, 3, 30, 0);          /* CEST, 01:30Z */
			v[4].zform = 1;
			v[5].wall = wall_of(dst, 3, 5, 0);
			v[5].zform = 0;
		}
		qsort(v, n, sizeof(*v), cmp_case);
		for (size_t i = 0; i < n; i++)
			v[i].id = nextid++;
		/* Re-exported records: the same case_id again, with a new export time. */
		for (int i = 0; i < cmo->dups; i++, n++) {
			v[n] = v[rnd_below((unsigned)(n - (size_t)i))];
			v[n].dup = 1 + i;
		}
		for (size_t i = 0; i < n; i++) {
			const struct ccase *c = &v[i];
			uint64_t r = rnd();
			fmt_created(created, sizeof(created), c);
			fmt_phone(phone, r);
			phone[11] = 0;
			fmt_pnr(pnr, r >> 20);
			pnr[13] = 0;
			snprintf(note, sizeof(note), "%s%s", notes[r % 4], phone);
			if (c->dup) {
				int64_t ed = last + 1;
				char d[11];
				fmt_date(d, ed);
				d[10] = 0;
				snprintf(exported, sizeof(exported), "%sT06:00:0%dZ", d, c->dup % 10);
			} else {
				int64_t ed = fdiv(c->wall, 86400) + 1;
				char d[11];
				fmt_date(d, ed);
				d[10] = 0;
				snprintf(exported, sizeof(exported), "%sT06:00:00Z", d);
			}
			snprintf(line, sizeof(line),
			         "{\"case_id\":\"PN-%04d-%05u\",\"created\":\"%s\",\"source\":\"%s\","
			         "\"party\":\"%s\",\"type\":\"%s\",\"phone\":\"%s\",\"personnummer\":\"%s\","
			         "\"note\":\"%s\",\"meta\":{\"exported\":\"%s\",\"system\":\"1177\",\"tags\":[1,true,null]}}\n",
			         y, c->id, created, source_text[c->src], party_text[c->party],
			         type_text[c->type], phone, pnr, note, exported);
			out_str(&o, line);
		}
		printf("cases-committee.jsonl %04d-%02d: patient/relative %d of %d via 1177, provider %d of %d, "
		       "%d re-exported duplicates\n", y, m, cmo->digital, cmo->total,
		       cmo->prov_digital, cmo->prov_total, cmo->dups);
		free(v);
	}
	out_close(&o);
}

static void run_committee(const char *dir, uint64_t seed)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create %s", dir);
	rng_state = seed * 0x2545F4914F6CDD1DULL + 99;
	write_calls(dir);
	write_cases(dir);
}

/* ------------------------------------------------------------- main */

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		die("invalid number for %s", what);
	return v;
}

static int64_t parse_day(const char *s)
{
	unsigned y, m, d;
	char extra;

	if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 ||
	    d > gen_days_in_month(y, m))
		die("invalid date %s (want YYYY-MM-DD)", s);
	return gen_days_from_civil(y, m, d);
}

int main(int argc, char **argv)
{
	struct bench_opts bo = {
		.from = gen_days_from_civil(2024, 1, 1), .days = 730, .seed = 1,
		.header = true, .crlf = true, .id_base = 1,
	};
	const char *committee = NULL, *format = NULL;
	bool have_n = false;

	tables_init();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG() do { if (!v) die("%s needs an argument", a); i++; } while (0)
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (strcmp(a, "--committee") == 0) {
			NEED_ARG();
			committee = v;
		} else if (strcmp(a, "--events") == 0) {
			NEED_ARG();
			bo.n = parse_u64(v, a);
			have_n = true;
		} else if (strcmp(a, "--format") == 0) {
			NEED_ARG();
			format = v;
		} else if (strcmp(a, "--out") == 0) {
			NEED_ARG();
			bo.out = v;
		} else if (strcmp(a, "--from") == 0) {
			NEED_ARG();
			bo.from = parse_day(v);
		} else if (strcmp(a, "--days") == 0) {
			NEED_ARG();
			uint64_t d = parse_u64(v, a);
			if (d < 1 || d > 100000)
				die("%s", "--days must be 1..100000");
			bo.days = (unsigned)d;
		} else if (strcmp(a, "--seed") == 0) {
			NEED_ARG();
			bo.seed = parse_u64(v, a);
		} else if (strcmp(a, "--id-base") == 0) {
			NEED_ARG();
			bo.id_base = parse_u64(v, a);
		} else if (strcmp(a, "--dups") == 0) {
			NEED_ARG();
			uint64_t d = parse_u64(v, a);
			if (d > 1000)
				die("%s", "--dups must be 0..1000");
			bo.dups = (unsigned)d;
		} else if (strcmp(a, "--append") == 0) {
			bo.append = true;
		} else if (strcmp(a, "--no-header") == 0) {
			bo.header = false;
		} else if (strcmp(a, "--lf") == 0) {
			bo.crlf = false;
		} else {
			fprintf(stderr, "teleq-gen: unknown argument %s\n\n%s", a, usage_text);
			return 2;
		}
#undef NEED_ARG
	}
	if (committee) {
		if (have_n)
			die("%s", "--committee and --events exclude each other");
		run_committee(committee, bo.seed);
		return 0;
	}
	if (!have_n || !format || !bo.out) {
		fprintf(stderr, "teleq-gen: need --committee DIR, or --events N --format F --out FILE\n\n%s",
		        usage_text);
		return 2;
	}
	if (strcmp(format, "csv") == 0)
		bo.jsonl = false;
	else if (strcmp(format, "jsonl") == 0)
		bo.jsonl = true;
	else
		die("unknown format %s (csv or jsonl)", format);
	run_events(&bo);
	return 0;
}
