/*
 * teleq-gen — deterministic generator of sample TeleQ and case feeds.
 *
 * Two modes:
 *   --committee DIR   the committee's Q1 2026 figures (and Q1 2025 for the
 *                     previous year) as DIR/calls-committee.txt and
 *                     DIR/cases-committee.jsonl (names matching the feed
 *                     patterns calls-*.txt and cases-*.jsonl of the config),
 *                     and the case events of the deadline indicators as
 *                     DIR/case-events-committee.jsonl (not matched by
 *                     cases-*.jsonl; see "committee: case events" below)
 *   --events N ...    N realistic lines of one feed for benchmarks and load
 *                     tests, written fast (>= 5M lines/s): lines are built
 *                     with memcpy from per-day strings and digit tables into
 *                     a large buffer written with write(2).
 *
 * Formats follow conf/teleqd.yaml: the TeleQ call log is ';'-separated,
 * Windows-1252, CRLF, with a header and the date and the time in separate
 * columns, in local time without a zone. Cases are JSON lines with created
 * (ISO 8601 with an offset or Z), case_id, source, party and type. Case
 * events are JSON lines with case_id, event, at (ISO 8601), and age or
 * until where the event has one.
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
"It also writes DIR/case-events-committee.jsonl, the events of the deadline\n"
"indicators ({\"case_id\",\"event\",\"at\"}, events confirmed, first_contact,\n"
"support_requested, support_appointed, provider_asked with age child/adult,\n"
"provider_replied, provider_postponed with until YYYY-MM-DD), built to give\n"
"by start month (Q1 2026; Q1 2025), with every line read, at 2026-04-03:\n"
"  confirmation < 24 h 508 of 513 (405 of 409); first contact in 7 days 480\n"
"  of 510 decided, 3 pending (389 of 409); support person in 7 days 22 of\n"
"  25, 1 pending (5 of 9); provider reply in 4 weeks (adults) 36 of 40, 18\n"
"  with uppskov (27 of 33); in 2 weeks (children) 2 of 4, 1 uppskov (3 of\n"
"  5); every provider_asked has a reply. Lines out of order, duplicates,\n"
"  ends of deadline days and the second after them, both DST switches, and\n"
"  replies stamped after the demo's 2026-03-31 12:00 are in it; checked by\n"
"  tools/committee_deadlines.py.\n"
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

/*
 * Every case of cases-committee.jsonl (a re-export once), kept for the
 * deadline cohorts of case-events-committee.jsonl: its start is the
 * case.opened line, so the events refer to these case ids and instants.
 */
struct kcase {
	int      y;
	unsigned id;
	int64_t  utc;           /* the instant the created field names */
	int      party;
};

static struct kcase *kcases;
static size_t nkcases, capkcases;

static void keep_case(int y, unsigned id, int64_t utc, int party)
{
	if (nkcases == capkcases) {
		capkcases = capkcases ? capkcases * 2 : 1024;
		kcases = realloc(kcases, capkcases * sizeof(*kcases));
		if (!kcases)
			die("%s", "out of memory");
	}
	kcases[nkcases++] = (struct kcase){ .y = y, .id = id, .utc = utc, .party = party };
}

/* The instant fmt_created writes (a wall time in the spring gap with its offset as written). */
static int64_t case_instant(const struct ccase *c)
{
	if (c->zform)
		return wall_to_utc(c->wall);
	return c->wall - sthlm_offset(wall_to_utc(c->wall));
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
			if (!c->dup)
				keep_case(y, c->id, case_instant(c), c->party);
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

/* ------------------------------------------- committee: case events */

/*
 * DIR/case-events-committee.jsonl: the events of the deadline indicators
 * (Kvalitetsstyrning, issue 8), one JSON object per line:
 *   {"case_id":"PN-2026-00017","event":"confirmed","at":"2026-01-03T10:01:00+01:00"}
 * The cohorts and the outcomes they are built to give (a case belongs to
 * the local month of its start; outcomes at 2026-04-03 00:05 local with
 * every line read; tools/committee_deadlines.py recomputes them):
 *   - confirmed (< 24 h, elapsed) and first_contact (7 days, to the end of
 *     the local date) of the patient/relative cases of cases-committee.jsonl
 *     (start = their case.opened line); the provider cases are confirmed
 *     too, outside the cohort;
 *   - support_requested -> support_appointed (7 days), own ids SP-YYYY-NNN;
 *   - provider_asked (age child: 2 weeks, adult: 4 weeks) ->
 *     provider_replied, with provider_postponed ("until": the new last
 *     day) on existing patient/relative case ids asked 1-25 days after the
 *     case was opened (Q1), and three autumn-2025 cases PN-2025-0800N whose
 *     case.opened is not in the sample.
 * Some lines are out of order, duplicated, at the exact end of a deadline
 * or a second after it, across both DST switches; stops later than the
 * demo calendar (2026-03-31 12:00) are in the file with their own times.
 */
enum ev_kind {
	EV_CONFIRMED, EV_FIRST_CONTACT, EV_SUPPORT_REQUESTED, EV_SUPPORT_APPOINTED,
	EV_PROVIDER_ASKED, EV_PROVIDER_REPLIED, EV_PROVIDER_POSTPONED,
};
static const char *const ev_text[] = {
	"confirmed", "first_contact", "support_requested", "support_appointed",
	"provider_asked", "provider_replied", "provider_postponed",
};
enum { AGE_NONE, AGE_CHILD, AGE_ADULT };
/* How "at" is written: chosen from the line's randomness, or fixed (exact boundaries). */
enum { FORM_RANDOM, FORM_OFFSET, FORM_Z };

struct cev {
	char     id[32];
	int      kind, age, form;
	int64_t  at;            /* the event's instant (UTC seconds) */
	int64_t  pos;           /* file order: at, unless written out of order */
	int64_t  until;         /* provider_postponed: local day number of the new last day */
	unsigned seq;           /* creation order, for ties */
	uint64_t r;             /* the line's randomness (format, phone, note); a copy repeats it */
};

static struct cev *evs;
static size_t nevs, capevs;

/* Appends an event and returns its index (pointers move when the array grows). */
static size_t add_ev(const char *id, int kind, int64_t at)
{
	struct cev *e;

	if (nevs == capevs) {
		capevs = capevs ? capevs * 2 : 2048;
		evs = realloc(evs, capevs * sizeof(*evs));
		if (!evs)
			die("%s", "out of memory");
	}
	e = &evs[nevs];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->kind = kind;
	e->at = at;
	e->pos = at;
	e->seq = (unsigned)nevs;
	e->r = rnd();
	return nevs++;
}

/* A byte-identical re-export of event k, written at file position pos. */
static void copy_ev(size_t k, int64_t pos)
{
	struct cev c = evs[k];          /* add_ev may move the array */
	size_t n = add_ev(c.id, c.kind, c.at);

	c.seq = evs[n].seq;
	c.pos = pos;
	evs[n] = c;
}

#define HOUR ((int64_t)3600)
#define DAY  ((int64_t)86400)

static int64_t local_day_of(int64_t u)
{
	return fdiv(u + sthlm_offset(u), DAY);
}

/* The last instant of local day day: the next day's 00:00 minus one second. */
static int64_t day_end(int64_t day)
{
	return wall_to_utc((day + 1) * DAY) - 1;
}

/* Days and weeks: in time up to the end of the local date n days after the start's. */
static int64_t deadline_days(int64_t start, int n)
{
	return day_end(local_day_of(start) + n);
}

static int64_t local_utc(int y, unsigned m, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return wall_to_utc(wall_of(gen_days_from_civil(y, m, d), h, mi, s));
}

static int64_t month_start(int y, unsigned m)
{
	if (m == 13)
		return month_start(y + 1, 1);
	return local_utc(y, m, 1, 0, 0, 0);
}

static int64_t rnd_span(int64_t n)
{
	return n <= 0 ? 0 : (int64_t)(rnd() % (uint64_t)n);
}

/* A random instant in [lo, hi] in office hours (a weekday, 08:00-15:59), if there is one. */
static int64_t office_between(int64_t lo, int64_t hi)
{
	int64_t d0 = local_day_of(lo), d1 = local_day_of(hi);

	if (hi < lo)
		die("internal: empty time range %" PRId64 "..%" PRId64, lo, hi);
	for (int k = 0; k < 200; k++) {
		int64_t d = d0 + rnd_span(d1 - d0 + 1), t;
		unsigned w = weekday(d);
		if (w == 0 || w == 6)
			continue;
		t = wall_to_utc(d * DAY + 8 * HOUR + rnd_span(8 * HOUR));
		if (t >= lo && t <= hi)
			return t;
	}
	return lo + rnd_span(hi - lo + 1);
}

static int local_month_of(int64_t u, int *y)
{
	int64_t yy;
	unsigned m, d;

	gen_civil_from_days(local_day_of(u), &yy, &m, &d);
	*y = (int)yy;
	return (int)m;
}

/* The outcomes the data is built to give, by cohort and month of the start. */
enum { CO_CONFIRM, CO_FIRST, CO_SUPPORT, CO_PROV_ADULT, CO_PROV_CHILD, NCOHORTS };
static const char *const cohort_text[NCOHORTS] = {
	"confirmation shorter than 24h", "first contact within 7d", "support person within 7d",
	"provider reply within 4w (adults)", "provider reply within 2w (children)",
};
enum { OUT_MET, OUT_MISSED, OUT_PENDING };
struct tally {
	int n[3];
	int extended;           /* cases with an uppskov */
	int by_ext;             /* met only because of it */
};
static struct tally tallies[NCOHORTS][2][12];   /* 2025, 2026 */

static void tally(int co, int64_t start, int out, bool extended, bool by_ext)
{
	int y, m = local_month_of(start, &y);
	struct tally *t;

	if (y < 2025 || y > 2026)
		die("internal: cohort start in %d", y);
	t = &tallies[co][y - 2025][m - 1];
	t->n[out]++;
	t->extended += extended;
	t->by_ext += by_ext;
}

/* ------------------------------------ confirmation and first contact */

enum { PL_FREE, PL_MET, PL_MISSED, PL_NONE, PL_SPECIAL };

static void kcase_id(char *buf, size_t len, const struct kcase *k)
{
	snprintf(buf, len, "PN-%04d-%05u", k->y, k->id);
}

static bool is_member(const struct kcase *k, int y)
{
	return k->y == y && k->party != PARTY_PROVIDER;
}

static int kmonth(const struct kcase *k)
{
	int y;
	return local_month_of(k->utc, &y);
}

/* The first patient/relative case of year y started in [lo, hi) without a plan yet, or SIZE_MAX. */
static size_t find_opt(int y, int64_t lo, int64_t hi, const unsigned char *plan)
{
	for (size_t i = 0; i < nkcases; i++)
		if (is_member(&kcases[i], y) && plan[i] == PL_FREE && kcases[i].utc >= lo &&
		    kcases[i].utc < hi)
			return i;
	return SIZE_MAX;
}

static size_t find_member(int y, int64_t lo, int64_t hi, const unsigned char *plan)
{
	size_t i = find_opt(y, lo, hi, plan);

	if (i == SIZE_MAX)
		die("internal: no free %d case in %" PRId64 "..%" PRId64 " (try another --seed)", y, lo, hi);
	return i;
}

/*
 * The same in [lo, hi), or else in the wider [lo2, hi2): the wanted day
 * may hold no case with another --seed.
 */
static size_t find_pref(int y, int64_t lo, int64_t hi, int64_t lo2, int64_t hi2,
                        const unsigned char *plan)
{
	size_t i = find_opt(y, lo, hi, plan);

	return i != SIZE_MAX ? i : find_member(y, lo2, hi2, plan);
}

/* The cases of local day (y, m, d). */
static int64_t day_lo(int y, unsigned m, unsigned d)
{
	return local_utc(y, m, d, 0, 0, 0);
}

static int64_t day_hi(int y, unsigned m, unsigned d)
{
	return day_end(gen_days_from_civil(y, m, d)) + 1;
}

/*
 * Plans want[m] random free cases of each month m (Jan-Mar) of year y
 * PL_MISSED, the other free ones PL_MET.
 */
static void plan_rest(int y, const int want[3], unsigned char *plan)
{
	for (int m = 1; m <= 3; m++) {
		size_t nfree = 0;

		for (size_t i = 0; i < nkcases; i++)
			if (is_member(&kcases[i], y) && kmonth(&kcases[i]) == m && plan[i] == PL_FREE)
				nfree++;
		if (want[m - 1] < 0 || (size_t)want[m - 1] > nfree)
			die("internal: %d-%02d: cannot plan %d misses", y, m, want[m - 1]);
		for (int j = 0; j < want[m - 1]; j++) {
			size_t pick = (size_t)rnd_span((int64_t)(nfree - (size_t)j)), c = 0;
			for (size_t i = 0; i < nkcases; i++) {
				if (!is_member(&kcases[i], y) || kmonth(&kcases[i]) != m || plan[i] != PL_FREE)
					continue;
				if (c++ == pick) {
					plan[i] = PL_MISSED;
					break;
				}
			}
		}
		for (size_t i = 0; i < nkcases; i++)
			if (is_member(&kcases[i], y) && kmonth(&kcases[i]) == m && plan[i] == PL_FREE)
				plan[i] = PL_MET;
	}
}

/* One stop of case i written at at (form FORM_*); returns its event index. */
static size_t case_stop(size_t i, int kind, int64_t at, int form)
{
	char id[32];
	size_t e;

	kcase_id(id, sizeof(id), &kcases[i]);
	e = add_ev(id, kind, at);
	evs[e].form = form;
	return e;
}

/* A special case: plan it, count its outcome, and the misses of its month. */
static void special(int co, size_t i, int out, unsigned char *plan, int missed[3])
{
	plan[i] = PL_SPECIAL;
	tally(co, kcases[i].utc, out, false, false);
	if (out == OUT_MISSED)
		missed[kmonth(&kcases[i]) - 1]++;
}

static void gen_confirmations(void)
{
	/* Q1 2025: 405 of 409 (99 %), Q1 2026: 508 of 513 (99 %), missed by month. */
	static const struct { int y; int missed[3]; } target[] = {
		{ 2025, { 1, 2, 1 } },
		{ 2026, { 2, 1, 2 } },
	};
	const int co = CO_CONFIRM;
	unsigned char *plan = calloc(nkcases + 1, 1);

	if (!plan)
		die("%s", "out of memory");
	/* Provider cases get a receipt too: outside the cohort (party provider). */
	for (size_t i = 0; i < nkcases; i++)
		if (kcases[i].party == PARTY_PROVIDER)
			case_stop(i, EV_CONFIRMED, kcases[i].utc + 120 + rnd_span(20 * HOUR), FORM_RANDOM);

	for (size_t t = 0; t < sizeof(target) / sizeof(target[0]); t++) {
		int y = target[t].y, sp[3] = { 0, 0, 0 }, want[3];
		int64_t sw = last_sunday(y, 3) * DAY + HOUR;      /* the spring switch, UTC */
		size_t i, e;

		/*
		 * Across the spring switch: 23:59:59 elapsed is met although
		 * the clock shows 24:59:59 later.
		 */
		i = find_pref(y, sw - DAY, sw, sw - 3 * DAY, sw, plan);
		case_stop(i, EV_CONFIRMED, kcases[i].utc + DAY - 1, FORM_OFFSET);
		special(co, i, OUT_MET, plan, sp);
		/* Exactly 24 hours is missed ("kortare än 24 timmar"). */
		i = find_member(y, month_start(y, 2) + 3 * DAY, month_start(y, 3), plan);
		case_stop(i, EV_CONFIRMED, kcases[i].utc + DAY, FORM_OFFSET);
		special(co, i, OUT_MISSED, plan, sp);
		if (y == 2026) {
			/* One second less is met. */
			i = find_member(y, month_start(y, 1) + 9 * DAY, month_start(y, 2), plan);
			case_stop(i, EV_CONFIRMED, kcases[i].utc + DAY - 1, FORM_Z);
			special(co, i, OUT_MET, plan, sp);
			/* A receipt stamped before the case (another system's clock): met. */
			i = find_member(y, month_start(y, 1) + 12 * DAY, month_start(y, 2), plan);
			case_stop(i, EV_CONFIRMED, kcases[i].utc - 120, FORM_RANDOM);
			special(co, i, OUT_MET, plan, sp);
			/* Confirmed twice: the earliest counts (the late one is later in the file). */
			i = find_member(y, month_start(y, 1) + 15 * DAY, month_start(y, 2), plan);
			case_stop(i, EV_CONFIRMED, kcases[i].utc + 2 * HOUR, FORM_RANDOM);
			case_stop(i, EV_CONFIRMED, kcases[i].utc + 26 * HOUR, FORM_RANDOM);
			special(co, i, OUT_MET, plan, sp);
			/* Confirmed twice, the late one read first: met once the early one is read. */
			i = find_member(y, month_start(y, 2) + 10 * DAY, month_start(y, 3), plan);
			case_stop(i, EV_CONFIRMED, kcases[i].utc + 27 * HOUR, FORM_RANDOM);
			e = case_stop(i, EV_CONFIRMED, kcases[i].utc + HOUR, FORM_RANDOM);
			evs[e].pos = kcases[i].utc + 27 * HOUR + 60;
			special(co, i, OUT_MET, plan, sp);
			/* A receipt re-exported byte for byte. */
			i = find_member(y, month_start(y, 3) + 3 * DAY, month_start(y, 4), plan);
			e = case_stop(i, EV_CONFIRMED, kcases[i].utc + 3 * HOUR, FORM_RANDOM);
			copy_ev(e, kcases[i].utc + 2 * DAY);
			special(co, i, OUT_MET, plan, sp);
			/*
			 * No receipt at all for a case of 30 March after 12:00:
			 * pending at the demo's 31 March 12:00, missed from
			 * its deadline on (31 March, same time) on.
			 */
			i = find_pref(y, local_utc(y, 3, 30, 12, 0, 0), local_utc(y, 3, 31, 0, 0, 0),
			              day_lo(y, 3, 25), day_lo(y, 4, 1), plan);
			special(co, i, OUT_MISSED, plan, sp);
		}
		for (int m = 0; m < 3; m++)
			want[m] = target[t].missed[m] - sp[m];
		plan_rest(y, want, plan);
		for (i = 0; i < nkcases; i++) {
			const struct kcase *k = &kcases[i];
			int64_t d;

			if (!is_member(k, y) || (plan[i] != PL_MET && plan[i] != PL_MISSED))
				continue;
			if (plan[i] == PL_MET)
				d = rnd_below(5) ? 120 + rnd_span(6 * HOUR) : 6 * HOUR + rnd_span(17 * HOUR);
			else
				d = DAY + 600 + rnd_span(2 * DAY);
			case_stop(i, EV_CONFIRMED, k->utc + d, FORM_RANDOM);
			tally(co, k->utc, plan[i] == PL_MET ? OUT_MET : OUT_MISSED, false, false);
		}
	}
	free(plan);
}

static void gen_first_contacts(void)
{
	/* Q1 2025: 389 of 409 (95 %); Q1 2026: 480 of 510 decided (94 %), 3 pending. */
	static const struct { int y; int missed[3]; } target[] = {
		{ 2025, { 7, 6, 7 } },
		{ 2026, { 10, 9, 11 } },
	};
	const int co = CO_FIRST;
	unsigned char *plan = calloc(nkcases + 1, 1);

	if (!plan)
		die("%s", "out of memory");
	for (size_t t = 0; t < sizeof(target) / sizeof(target[0]); t++) {
		int y = target[t].y, sp[3] = { 0, 0, 0 }, want[3];
		int64_t sw = last_sunday(y, 3);                  /* the spring switch day */
		int64_t mon = sw - 6;                            /* the Monday before it */
		int64_t wlo = wall_to_utc((sw - 7) * DAY), whi = wall_to_utc(sw * DAY);
		size_t i, e;
		int64_t dl;

		/*
		 * Opened on the Monday before the switch (or another day of
		 * that week): 7 days run to the end of the next Monday,
		 * 23:59:59 summer time (21:59:59Z); a contact then is met, one
		 * at 00:00:00 (22:00:00Z) missed. Written in UTC, both are
		 * still "the same day".
		 */
		i = find_pref(y, wall_to_utc(mon * DAY), wall_to_utc((mon + 1) * DAY), wlo, whi, plan);
		dl = deadline_days(kcases[i].utc, 7);
		case_stop(i, EV_FIRST_CONTACT, dl, y == 2026 ? FORM_Z : FORM_OFFSET);
		special(co, i, OUT_MET, plan, sp);
		i = find_pref(y, wall_to_utc(mon * DAY), wall_to_utc((mon + 1) * DAY), wlo, whi, plan);
		dl = deadline_days(kcases[i].utc, 7);
		case_stop(i, EV_FIRST_CONTACT, dl + 1, y == 2026 ? FORM_Z : FORM_OFFSET);
		special(co, i, OUT_MISSED, plan, sp);
		if (y == 2026) {
			/* Opened on the Sunday a week before: the 23-hour switch day is the last. */
			i = find_pref(y, day_lo(y, 3, 22), day_hi(y, 3, 22), wlo, whi, plan);
			case_stop(i, EV_FIRST_CONTACT, deadline_days(kcases[i].utc, 7), FORM_OFFSET);
			special(co, i, OUT_MET, plan, sp);
			/* A contact stamped before the case was registered: met. */
			i = find_member(y, month_start(y, 2) + 5 * DAY, month_start(y, 3), plan);
			case_stop(i, EV_FIRST_CONTACT, kcases[i].utc - 300, FORM_RANDOM);
			special(co, i, OUT_MET, plan, sp);
			/* A late duplicate first, the real (earlier) contact read after it: met. */
			i = find_member(y, month_start(y, 1) + 12 * DAY, month_start(y, 2), plan);
			dl = deadline_days(kcases[i].utc, 7);
			e = case_stop(i, EV_FIRST_CONTACT, office_between(dl + 1, dl + 3 * DAY), FORM_RANDOM);
			{
				int64_t late = evs[e].at;
				e = case_stop(i, EV_FIRST_CONTACT,
				              office_between(kcases[i].utc + HOUR, dl), FORM_RANDOM);
				evs[e].pos = late + HOUR;
			}
			special(co, i, OUT_MET, plan, sp);
			/* No contact yet for three cases of 30 March: pending to 6 April. */
			for (int j = 0; j < 3; j++) {
				i = find_pref(y, day_lo(y, 3, 30), day_hi(y, 3, 30), day_lo(y, 3, 27),
				              day_lo(y, 4, 1), plan);
				special(co, i, OUT_PENDING, plan, sp);
			}
		}
		for (int m = 0; m < 3; m++)
			want[m] = target[t].missed[m] - sp[m];
		plan_rest(y, want, plan);
		for (i = 0; i < nkcases; i++) {
			const struct kcase *k = &kcases[i];
			int64_t at;

			if (!is_member(k, y) || (plan[i] != PL_MET && plan[i] != PL_MISSED))
				continue;
			dl = deadline_days(k->utc, 7);
			if (plan[i] == PL_MET)
				at = office_between(k->utc + 900, dl);
			else
				at = office_between(dl + 1, dl + 14 * DAY);
			case_stop(i, EV_FIRST_CONTACT, at, FORM_RANDOM);
			tally(co, k->utc, plan[i] == PL_MET ? OUT_MET : OUT_MISSED, false, false);
		}
	}
	free(plan);
}

/* ------------------------------------------------------ support persons */

enum { SS_NONE, SS_STOP_FIRST, SS_END_OF_DAY, SS_PENDING, SS_AUTUMN_MET, SS_AUTUMN_MISSED };

struct sreq {
	int      y, plan, special;
	int64_t  req;
};

static int cmp_sreq(const void *a, const void *b)
{
	const struct sreq *x = a, *y = b;
	if (x->y != y->y)
		return x->y - y->y;
	return x->req < y->req ? -1 : x->req > y->req;
}

static void gen_support(void)
{
	/* Q1 2025: 5 of 9 (55.5 %); Q1 2026: 22 of 25 (88 %), 1 pending. */
	static const struct { int y, m, met, missed, pending; } months[] = {
		{ 2025, 1, 2, 1, 0 }, { 2025, 2, 1, 2, 0 }, { 2025, 3, 2, 1, 0 },
		{ 2026, 1, 7, 1, 0 }, { 2026, 2, 8, 1, 0 }, { 2026, 3, 7, 1, 1 },
	};
	struct sreq v[64];
	size_t n = 0;
	unsigned num = 0;

	for (size_t k = 0; k < sizeof(months) / sizeof(months[0]); k++) {
		int y = months[k].y;
		unsigned m = (unsigned)months[k].m;
		int64_t lo = month_start(y, m) + DAY, hi = month_start(y, m + 1) - 1;

		for (int j = 0; j < months[k].met + months[k].missed + months[k].pending; j++) {
			struct sreq *s = &v[n++];
			s->y = y;
			s->plan = j < months[k].met ? PL_MET : j < months[k].met + months[k].missed ? PL_MISSED : PL_NONE;
			s->special = SS_NONE;
			s->req = office_between(lo, hi);
			if (y == 2026 && m == 1 && j == 0)
				s->special = SS_STOP_FIRST;             /* met, the stop line first */
			if (y == 2026 && m == 3 && j == months[k].met)
				s->special = SS_STOP_FIRST;             /* missed, the stop line first */
			if (y == 2026 && m == 2 && j == 0)
				s->special = SS_END_OF_DAY;
			if (s->plan == PL_NONE) {
				s->special = SS_PENDING;
				s->req = local_utc(y, 3, 30, 10, 15, 0);
			}
		}
	}
	/* Across the autumn switch: requested Monday 20 October, 7 days end 27 October 23:59:59 CET. */
	v[n++] = (struct sreq){ 2025, PL_MET, SS_AUTUMN_MET, local_utc(2025, 10, 20, 9, 30, 0) };
	v[n++] = (struct sreq){ 2025, PL_MISSED, SS_AUTUMN_MISSED, local_utc(2025, 10, 20, 10, 40, 0) };
	qsort(v, n, sizeof(v[0]), cmp_sreq);

	for (size_t i = 0; i < n; i++) {
		const struct sreq *s = &v[i];
		int64_t dl = deadline_days(s->req, 7), at = 0;
		char id[32];
		size_t e;
		int form = FORM_RANDOM;

		if (i == 0 || v[i - 1].y != s->y)
			num = 0;
		snprintf(id, sizeof(id), "SP-%04d-%03u", s->y, ++num);
		add_ev(id, EV_SUPPORT_REQUESTED, s->req);
		switch (s->special) {
		case SS_PENDING:
			tally(CO_SUPPORT, s->req, OUT_PENDING, false, false);
			continue;
		case SS_END_OF_DAY:
			at = dl;
			form = FORM_OFFSET;
			break;
		case SS_AUTUMN_MET:
			at = dl;
			form = FORM_Z;
			break;
		case SS_AUTUMN_MISSED:
			at = dl + 1;
			form = FORM_Z;
			break;
		default:
			at = s->plan == PL_MET ? office_between(s->req + HOUR, dl)
			                       : office_between(dl + 1, dl + 18 * DAY);
			break;
		}
		e = add_ev(id, EV_SUPPORT_APPOINTED, at);
		evs[e].form = form;
		if (s->special == SS_STOP_FIRST)
			evs[e].pos = s->req - (s->plan == PL_MET ? DAY : HOUR);
		tally(CO_SUPPORT, s->req, s->plan == PL_MET ? OUT_MET : OUT_MISSED, false, false);
	}
}

/* ---------------------------------------------------- provider replies */

enum { PP_MET, PP_MISSED, PP_UP_WITHIN, PP_UP_RESCUED, PP_UP_MISSED };
enum {
	PS_NONE,
	PS_END_OF_DAY,          /* the reply at 23:59:59 of the last day: met */
	PS_LATE_1S,             /* at 00:00:00 after it: missed */
	PS_UP_AFTER_REPLY,      /* the uppskov line is read after the late reply */
	PS_UP_TWO,              /* two uppskov, the later date read first: the latest wins */
	PS_UP_LATE_GRANT,       /* the uppskov is granted after the deadline passed */
	PS_UP_END_OF_DAY,       /* the reply at 23:59:59 of the uppskov date */
	PS_BEFORE_ASK,          /* uppskov and reply lines before the provider_asked line */
	PS_REPLY_FIRST,         /* the reply line before the provider_asked line */
	PS_REPLY_COPY,          /* the reply re-exported, and a later second reply */
	PS_LATE_1S_Z,           /* one second late, written in UTC */
	PS_END_OF_DAY_Z,        /* the last second, written in UTC */
	PS_UP_EARLY_DATE,       /* an uppskov date before the deadline: it never moves it earlier */
	PS_AUTUMN_UP,           /* uppskov to the 25-hour autumn switch day */
};

struct pentry {
	int      y, m, age, plan, special;
	unsigned d, h, mi;      /* a fixed ask time (d > 0) */
	unsigned num;           /* the case number of an autumn case (no case.opened) */
	int64_t  ask;
	size_t   k;             /* index into kcases */
};

static int cmp_pentry(const void *a, const void *b)
{
	const struct pentry *x = a, *y = b;
	return x->ask < y->ask ? -1 : x->ask > y->ask;
}

static void gen_provider(void)
{
	static const struct pentry specials[] = {
		/* 2026 adults (4 weeks) */
		{ 2026, 3, AGE_ADULT, PP_MET, PS_END_OF_DAY, 3, 10, 20, 0, 0, 0 },
		{ 2026, 2, AGE_ADULT, PP_MISSED, PS_LATE_1S, 4, 13, 5, 0, 0, 0 },
		{ 2026, 1, AGE_ADULT, PP_UP_RESCUED, PS_UP_AFTER_REPLY, 0, 0, 0, 0, 0, 0 },
		{ 2026, 2, AGE_ADULT, PP_UP_RESCUED, PS_UP_TWO, 0, 0, 0, 0, 0, 0 },
		{ 2026, 1, AGE_ADULT, PP_UP_RESCUED, PS_UP_LATE_GRANT, 0, 0, 0, 0, 0, 0 },
		{ 2026, 3, AGE_ADULT, PP_UP_RESCUED, PS_UP_END_OF_DAY, 0, 0, 0, 0, 0, 0 },
		{ 2026, 2, AGE_ADULT, PP_UP_RESCUED, PS_BEFORE_ASK, 0, 0, 0, 0, 0, 0 },
		{ 2026, 1, AGE_ADULT, PP_MET, PS_REPLY_FIRST, 0, 0, 0, 0, 0, 0 },
		{ 2026, 3, AGE_ADULT, PP_MET, PS_REPLY_COPY, 0, 0, 0, 0, 0, 0 },
		/* 2026 children (2 weeks): 2 of 4, 1 uppskov */
		{ 2026, 1, AGE_CHILD, PP_MET, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2026, 2, AGE_CHILD, PP_UP_RESCUED, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2026, 3, AGE_CHILD, PP_MISSED, PS_LATE_1S_Z, 16, 9, 40, 0, 0, 0 },
		{ 2026, 3, AGE_CHILD, PP_MISSED, PS_NONE, 0, 0, 0, 0, 0, 0 },
		/* 2025 adults */
		{ 2025, 3, AGE_ADULT, PP_MET, PS_END_OF_DAY_Z, 10, 11, 0, 0, 0, 0 },
		{ 2025, 2, AGE_ADULT, PP_UP_WITHIN, PS_UP_EARLY_DATE, 0, 0, 0, 0, 0, 0 },
		/* 2025 children: 3 of 5, 1 uppskov */
		{ 2025, 1, AGE_CHILD, PP_MET, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2025, 1, AGE_CHILD, PP_MISSED, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2025, 2, AGE_CHILD, PP_MET, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2025, 2, AGE_CHILD, PP_UP_RESCUED, PS_NONE, 0, 0, 0, 0, 0, 0 },
		{ 2025, 3, AGE_CHILD, PP_MISSED, PS_NONE, 0, 0, 0, 0, 0, 0 },
		/* Autumn 2025, across the switch of 26 October (cases not in the sample case feed) */
		{ 2025, 10, AGE_ADULT, PP_MET, PS_END_OF_DAY, 1, 10, 0, 8001, 0, 0 },
		{ 2025, 10, AGE_CHILD, PP_MISSED, PS_LATE_1S, 15, 14, 0, 8002, 0, 0 },
		{ 2025, 9, AGE_ADULT, PP_UP_RESCUED, PS_AUTUMN_UP, 15, 9, 0, 8003, 0, 0 },
	};
	/*
	 * The other adult cases, spread over the months: 2026 40 cases by
	 * month 13/14/13, 36 met, 18 with uppskov (8 met only by it);
	 * 2025 33 cases 11/11/11, 27 met, 8 with uppskov (3 met by it).
	 */
	static const struct { int y; int quota[3]; int pool[5]; } adults[] = {
		{ 2026, { 13, 14, 13 }, { 17, 1, 8, 3, 2 } },
		{ 2025, { 11, 11, 11 }, { 20, 4, 2, 3, 2 } },
	};
	struct pentry v[160];
	size_t n = 0;
	unsigned char *used = calloc(nkcases + 1, 1);

	if (!used)
		die("%s", "out of memory");
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		v[n++] = specials[i];
	for (size_t a = 0; a < sizeof(adults) / sizeof(adults[0]); a++) {
		int pool[64], np = 0, left[3];

		for (int p = 0; p < 5; p++)
			for (int j = 0; j < adults[a].pool[p]; j++)
				pool[np++] = p;
		for (int j = np - 1; j > 0; j--) {
			int r = (int)rnd_span(j + 1), tmp = pool[j];
			pool[j] = pool[r];
			pool[r] = tmp;
		}
		for (int m = 0; m < 3; m++) {
			left[m] = adults[a].quota[m];
			for (size_t i = 0; i < n; i++)
				if (v[i].y == adults[a].y && v[i].m == m + 1 && v[i].age == AGE_ADULT)
					left[m]--;
		}
		for (int j = 0, m = 0; j < np; j++) {
			while (m < 3 && left[m] == 0)
				m++;
			if (m == 3)
				die("%s", "internal: adult quota and pool differ");
			left[m]--;
			v[n++] = (struct pentry){ adults[a].y, m + 1, AGE_ADULT, pool[j], PS_NONE, 0, 0, 0, 0, 0, 0 };
		}
		if (left[0] || left[1] || left[2])
			die("%s", "internal: adult quota and pool differ");
	}
	for (size_t i = 0; i < n; i++) {
		struct pentry *p = &v[i];
		if (p->d)
			p->ask = local_utc(p->y, (unsigned)p->m, p->d, p->h, p->mi, 0);
		else
			p->ask = office_between(month_start(p->y, (unsigned)p->m) + 4 * DAY,
			                        month_start(p->y, (unsigned)p->m + 1) - 1);
	}
	qsort(v, n, sizeof(v[0]), cmp_pentry);
	/* The case asked about: a patient/relative case opened 1-25 days before. */
	for (size_t i = 0; i < n; i++) {
		struct pentry *p = &v[i];
		size_t cand = 0, pick;

		if (p->num)
			continue;
		for (size_t k = 0; k < nkcases; k++)
			if (is_member(&kcases[k], p->y) && !used[k] && kcases[k].utc <= p->ask - DAY &&
			    kcases[k].utc >= p->ask - 25 * DAY)
				cand++;
		if (!cand)
			die("internal: no case to ask a provider about at %" PRId64, p->ask);
		pick = (size_t)rnd_span((int64_t)cand);
		for (size_t k = 0; k < nkcases; k++)
			if (is_member(&kcases[k], p->y) && !used[k] && kcases[k].utc <= p->ask - DAY &&
			    kcases[k].utc >= p->ask - 25 * DAY && pick-- == 0) {
				used[k] = 1;
				p->k = k;
				break;
			}
	}

	for (size_t i = 0; i < n; i++) {
		const struct pentry *p = &v[i];
		bool child = p->age == AGE_CHILD, up = p->plan >= PP_UP_WITHIN;
		int64_t base = deadline_days(p->ask, child ? 14 : 28), bday = local_day_of(base);
		int64_t until = 0, uend = 0, post = 0, reply;
		char id[32];
		size_t e, ep = SIZE_MAX, er;
		int form = FORM_RANDOM;

		if (p->num)
			snprintf(id, sizeof(id), "PN-%04d-%05u", p->y, p->num);
		else
			kcase_id(id, sizeof(id), &kcases[p->k]);
		e = add_ev(id, EV_PROVIDER_ASKED, p->ask);
		evs[e].age = p->age;
		if (up) {
			until = bday + (child ? 7 + rnd_span(8) : 7 + rnd_span(15));
			post = office_between(p->ask + 5 * DAY, base - DAY);
			if (p->special == PS_UP_LATE_GRANT) {
				post = office_between(base + 1, base + 4 * DAY);
				until = bday + 14;
			} else if (p->special == PS_UP_EARLY_DATE) {
				until = bday - 3;
				post = office_between(p->ask + 5 * DAY, day_end(bday - 4));
			} else if (p->special == PS_AUTUMN_UP) {
				post = local_utc(2025, 10, 8, 11, 0, 0);
				until = gen_days_from_civil(2025, 10, 26);
			} else if (p->special == PS_UP_TWO) {
				/* the later date first, then an earlier one: the deadline stays at the later */
				until = bday + 20;
				post = office_between(p->ask + 5 * DAY, p->ask + 12 * DAY);
			}
			uend = day_end(until);
			ep = add_ev(id, EV_PROVIDER_POSTPONED, post);
			evs[ep].until = until;
		}
		switch (p->plan) {
		case PP_MET:
			reply = office_between(p->ask + 2 * DAY, base);
			break;
		case PP_UP_WITHIN:
			/* granted, and then the reply still came within the first deadline */
			reply = office_between(post + HOUR, base);
			break;
		case PP_MISSED:
			reply = office_between(base + 1, base + 21 * DAY);
			break;
		case PP_UP_RESCUED:
			reply = office_between(p->special == PS_UP_LATE_GRANT ? post + HOUR : base + 1, uend);
			break;
		default: {
			/* after the uppskov date, and after the deadline when that is later */
			int64_t last = uend > base ? uend : base;
			reply = office_between(last + 1, last + 14 * DAY);
			break;
		}
		}
		switch (p->special) {
		case PS_END_OF_DAY:
			reply = base;
			form = FORM_OFFSET;
			break;
		case PS_END_OF_DAY_Z:
			reply = base;
			form = FORM_Z;
			break;
		case PS_LATE_1S:
			reply = base + 1;
			form = FORM_OFFSET;
			break;
		case PS_LATE_1S_Z:
			reply = base + 1;
			form = FORM_Z;
			break;
		case PS_UP_END_OF_DAY:
			reply = uend;
			form = FORM_OFFSET;
			break;
		case PS_UP_EARLY_DATE:
			/* after the uppskov date, before the deadline: met */
			reply = office_between(uend + 1, base);
			break;
		case PS_AUTUMN_UP:
			reply = uend - 1799;                    /* 23:30 CET, 22:30Z */
			form = FORM_Z;
			break;
		case PS_UP_TWO: {
			int64_t d1 = bday + 6;
			size_t e2 = add_ev(id, EV_PROVIDER_POSTPONED,
			                   office_between(p->ask + 14 * DAY, base - DAY));
			evs[e2].until = d1;
			reply = office_between(day_end(d1) + 1, uend);
			break;
		}
		default:
			break;
		}
		er = add_ev(id, EV_PROVIDER_REPLIED, reply);
		evs[er].form = form;
		switch (p->special) {
		case PS_UP_AFTER_REPLY:
			evs[ep].pos = reply + 2 * DAY;
			break;
		case PS_BEFORE_ASK:
			evs[ep].pos = p->ask - 2 * HOUR;
			evs[er].pos = p->ask - HOUR;
			break;
		case PS_REPLY_FIRST:
			evs[er].pos = p->ask - DAY;
			break;
		case PS_REPLY_COPY:
			copy_ev(er, reply + DAY);
			add_ev(id, EV_PROVIDER_REPLIED, office_between(base + 1, base + 10 * DAY));
			break;
		default:
			break;
		}
		tally(child ? CO_PROV_CHILD : CO_PROV_ADULT, p->ask,
		      p->plan == PP_MISSED || p->plan == PP_UP_MISSED ? OUT_MISSED : OUT_MET,
		      up, p->plan == PP_UP_RESCUED);
	}

	/* A reply to a question never registered: no start, in no cohort. */
	for (size_t k = 0; k < nkcases; k++)
		if (is_member(&kcases[k], 2026) && !used[k] && kcases[k].utc >= month_start(2026, 2) + 9 * DAY) {
			char id[32];
			kcase_id(id, sizeof(id), &kcases[k]);
			add_ev(id, EV_PROVIDER_REPLIED, office_between(kcases[k].utc + 3 * DAY, kcases[k].utc + 10 * DAY));
			break;
		}
	free(used);
}

/* ------------------------------------------------------------- writing */

static int cmp_cev(const void *a, const void *b)
{
	const struct cev *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void fmt_at(char *buf, size_t len, int64_t u, int form, unsigned frac)
{
	char date[11], hms[9];
	int64_t t = u, day;
	int32_t off = 0;

	if (form == FORM_OFFSET) {
		off = sthlm_offset(u);
		t = u + off;
	}
	day = fdiv(t, DAY);
	fmt_date(date, day);
	date[10] = 0;
	fmt_hms(hms, (unsigned)(t - day * DAY));
	hms[8] = 0;
	if (form == FORM_OFFSET)
		snprintf(buf, len, "%sT%s+%02d:00", date, hms, off / 3600);
	else if (frac < 1000)
		snprintf(buf, len, "%sT%s.%03uZ", date, hms, frac);
	else
		snprintf(buf, len, "%sT%sZ", date, hms);
}

static void write_case_events(const char *dir)
{
	/* Free text with a phone number, as case officers write it: never read by teleqd. */
	static const char *const notes[] = {
		"Ringde upp patienten på ",
		"Lämnat meddelande på telefonsvarare, ",
		"Patienten bad oss \\\"ringa efter 15\\\", nr ",
		"Kontaktperson hos vårdgivaren, tel ",
	};
	char path[4096], line[1024], at[40], extra[256], phone[12], pnr[14], until[11];
	struct out o;

	rng_state ^= 0x5DEECE66DULL;
	gen_confirmations();
	gen_first_contacts();
	gen_support();
	gen_provider();
	qsort(evs, nevs, sizeof(*evs), cmp_cev);

	snprintf(path, sizeof(path), "%s/case-events-committee.jsonl", dir);
	out_open(&o, path, false);
	for (size_t i = 0; i < nevs; i++) {
		const struct cev *e = &evs[i];
		uint64_t r = e->r;
		unsigned p = (unsigned)(r % 10), frac = 1000;
		int form = e->form;
		size_t x = 0;

		if (form == FORM_RANDOM) {
			form = p < 6 ? FORM_OFFSET : FORM_Z;
			if (p == 9)
				frac = (unsigned)(r >> 40) % 1000;
		}
		fmt_at(at, sizeof(at), e->at, form, frac);
		extra[0] = 0;
		if (e->kind == EV_PROVIDER_ASKED)
			x += (size_t)snprintf(extra + x, sizeof(extra) - x, ",\"age\":\"%s\"",
			                      e->age == AGE_CHILD ? "child" : "adult");
		if (e->kind == EV_PROVIDER_POSTPONED) {
			fmt_date(until, e->until);
			until[10] = 0;
			x += (size_t)snprintf(extra + x, sizeof(extra) - x, ",\"until\":\"%s\"", until);
		}
		if ((r >> 8) % 4 == 0) {
			fmt_phone(phone, r >> 12);
			phone[11] = 0;
			x += (size_t)snprintf(extra + x, sizeof(extra) - x, ",\"phone\":\"%s\",\"note\":\"%s%s\"",
			                      phone, notes[(r >> 50) % 4], phone);
			if ((r >> 16) % 3 == 0) {
				fmt_pnr(pnr, r >> 20);
				pnr[13] = 0;
				snprintf(extra + x, sizeof(extra) - x, ",\"personnummer\":\"%s\"", pnr);
			}
		}
		snprintf(line, sizeof(line), "{\"case_id\":\"%s\",\"event\":\"%s\",\"at\":\"%s\"%s}\n",
		         e->id, ev_text[e->kind], at, extra);
		out_str(&o, line);
	}
	out_close(&o);

	for (int co = 0; co < NCOHORTS; co++)
		for (int yi = 0; yi < 2; yi++)
			for (int q = 0; q < 4; q++) {
				struct tally s = { { 0, 0, 0 }, 0, 0 };
				int dec;

				for (int m = 3 * q; m < 3 * q + 3; m++) {
					const struct tally *t = &tallies[co][yi][m];
					for (int j = 0; j < 3; j++)
						s.n[j] += t->n[j];
					s.extended += t->extended;
					s.by_ext += t->by_ext;
				}
				dec = s.n[OUT_MET] + s.n[OUT_MISSED];
				if (!dec && !s.n[OUT_PENDING])
					continue;
				printf("case-events-committee.jsonl %d-Q%d %s: %d met of %d decided (%.1f %%), %d pending",
				       2025 + yi, q + 1, cohort_text[co], s.n[OUT_MET], dec,
				       dec ? 100.0 * s.n[OUT_MET] / dec : 0.0, s.n[OUT_PENDING]);
				if (co >= CO_PROV_ADULT)
					printf(", %d with uppskov (%d met only by it)", s.extended, s.by_ext);
				printf("\n");
			}
	printf("case-events-committee.jsonl: %zu lines; outcomes at 2026-04-03 00:05 with every line read\n", nevs);
	free(evs);
	evs = NULL;
	nevs = capevs = 0;
	free(kcases);
	kcases = NULL;
	nkcases = capkcases = 0;
}

static void run_committee(const char *dir, uint64_t seed)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create %s", dir);
	rng_state = seed * 0x2545F4914F6CDD1DULL + 99;
	write_calls(dir);
	write_cases(dir);
	write_case_events(dir);
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
