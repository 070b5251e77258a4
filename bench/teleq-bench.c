/*
 * teleq-bench — helper of `make bench` (bench/run.sh). Not part of teleqd.
 *
 *   teleq-bench exec RESULT -- PROGRAM ARGS...
 *       Runs PROGRAM (stdio inherited), waits for it with wait4(2) and
 *       writes one line to RESULT:
 *         wall_s=0.731 user_s=0.50 sys_s=0.01 maxrss_kib=4196 status=0
 *       Exits with PROGRAM's status (128+signal when killed).
 *
 *   teleq-bench resp PREFIX < CALLS.csv > OUT.resp
 *       The RESP protocol of one `HINCRBY PREFIXday:<Datum> <field> 1` per
 *       line of a TeleQ call log (';'-separated, Windows-1252, header
 *       skipped), field as teleqd names it, e.g.
 *       "call.booked|channel=phone|party=patient": what a tool that writes
 *       once per event sends, for `redis-cli --pipe`.
 *
 *   teleq-bench live OPTIONS
 *       The live latency run. A writer thread appends lines of SRC to FEED
 *       at a fixed rate per phase (a write every TICK µs carrying the lines
 *       due by then), noting the time just before each write(2). A poller
 *       thread asks Redis every POLL µs, in one pipelined round trip, for
 *       the committed event count (HGET <stats> events) and the indicator
 *       denominator (HGET <ind> denominator). A write's latency is the time
 *       from its t0 to the end of the first poll that shows its lines
 *       counted (counters), and shows them in the indicator hash
 *       (indicator). After each phase it waits (30 s at most) until every
 *       write is counted, then prints one line:
 *         phase rate=1000 secs=10 lines=10000 writes=9998 samples=9998
 *           p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. ind_p50_ms=.. ind_p99_ms=..
 *           ind_max_ms=.. cpu_pct=.. redis_cpu_pct=.. other_cpu_pct=.. rss_kib=..
 *           hwm_kib=.. lag_ms=.. wall_s=.. polls=.. complete=1
 *       cpu_pct is the daemon's utime+stime over the phase's wall time (%
 *       of one core), likewise redis_cpu_pct; other_cpu_pct is what the rest
 *       of the machine used meanwhile (from /proc/stat; this helper
 *       included); lag_ms is how long after the phase's last write
 *       everything was counted; wall_s the phase from its first write to
 *       then.
 *     --sock PATH          Redis unix socket
 *     --events-key KEY     hash holding the committed event count (field events)
 *     --ind-key KEY        indicator hash (field denominator)
 *     --kind csv|jsonl     which lines count in the indicator denominator:
 *                          csv: Resultat is not "Stängt" (closed calls are
 *                          outside analog_patient_contacts); jsonl: party is
 *                          not "provider" (digital_patient_contacts)
 *     --feed FILE          the feed file (appended to, O_APPEND)
 *     --src FILE           lines to append (no header); at least the
 *                          sum of rate*secs of the phases
 *     --pid PID            teleqd, --redis-pid PID redis-server (for CPU)
 *     --phase RATE:SECS    repeatable, in order
 *     --tick-us N (1000)   --poll-us N (500)
 *     --samples FILE       optional: every sample "phase t0_ms counters_ms indicator_ms"
 *
 * Built by bench/run.sh: cc -O2 teleq-bench.c $(pkg-config --cflags --libs hiredis) -lpthread
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#include <stdarg.h>
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "teleq-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ exec */

static int
cmd_exec(int argc, char **argv)
{
	struct rusage ru;
	int64_t t0, t1;
	int status, code;
	pid_t pid;
	FILE *f;

	if (argc < 4 || strcmp(argv[1], "--") != 0)
		die("usage: teleq-bench exec RESULT -- PROGRAM ARGS...");
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "teleq-bench: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	t1 = now_ns();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!(f = fopen(argv[0], "w")))
		die("cannot write %s", argv[0]);
	fprintf(f, "wall_s=%.6f user_s=%.3f sys_s=%.3f maxrss_kib=%ld status=%d\n",
	    (double)(t1 - t0) / 1e9,
	    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss, code);
	if (fclose(f) != 0)
		die("cannot write %s", argv[0]);
	return code;
}

/* ------------------------------------------------------------------ resp */

struct obuf {
	char  *p;
	size_t len, cap;
};

static void
ob_flush(struct obuf *o)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(1, o->p + off, o->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		off += (size_t)n;
	}
	o->len = 0;
}

static void
ob_put(struct obuf *o, const char *s, size_t n)
{
	if (o->cap - o->len < n)
		ob_flush(o);
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
ob_bulk(struct obuf *o, const char *s, size_t n)
{
	char hdr[32];
	int h = snprintf(hdr, sizeof(hdr), "$%zu\r\n", n);

	ob_put(o, hdr, (size_t)h);
	ob_put(o, s, n);
	ob_put(o, "\r\n", 2);
}

/* teleqd's event kind of a Resultat value (Windows-1252 bytes), or NULL. */
static const char *
call_kind(const char *v, size_t n)
{
	static const struct { const char *src, *kind; } map[] = {
		{ "Bokad", "call.booked" },
		{ "K\xf6n full", "call.full" },
		{ "Avbruten", "call.abandoned" },
		{ "St\xe4ngt", "call.closed" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].src) == n && memcmp(map[i].src, v, n) == 0)
			return map[i].kind;
	return NULL;
}

static int
cmd_resp(int argc, char **argv)
{
	static char in[1 << 20];
	struct obuf o = { .cap = (size_t)4 << 20 };
	char line[4096], key[256], field[128];
	size_t ll = 0, plen;
	unsigned long long lines = 0, skipped = 0;
	bool first = true;
	ssize_t n;

	if (argc != 1)
		die("usage: teleq-bench resp PREFIX < CALLS > OUT");
	plen = strlen(argv[0]);
	if (plen + 20 > sizeof(key))
		die("prefix too long");
	if (!(o.p = malloc(o.cap)))
		die("out of memory");
	memcpy(key, argv[0], plen);
	memcpy(key + plen, "day:", 4);
	while ((n = read(0, in, sizeof(in))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read: %s", strerror(errno));
		}
		for (ssize_t i = 0; i < n; i++) {
			char c = in[i];
			const char *f[8];
			size_t fl[8], nf = 0, s = 0;
			const char *kind;

			if (c != '\n') {
				if (ll < sizeof(line))
					line[ll++] = c;
				continue;
			}
			if (ll && line[ll - 1] == '\r')
				ll--;
			/* split on ';' (the generator never quotes) */
			for (size_t j = 0; j <= ll && nf < 8; j++)
				if (j == ll || line[j] == ';') {
					f[nf] = line + s;
					fl[nf++] = j - s;
					s = j + 1;
				}
			if (first && nf > 0 && fl[0] == 5 && memcmp(f[0], "Datum", 5) == 0) {
				first = false;
				ll = 0;
				continue;
			}
			first = false;
			ll = 0;
			if (nf < 4 || fl[0] != 10 || !(kind = call_kind(f[3], fl[3]))) {
				skipped++;
				continue;
			}
			memcpy(key + plen + 4, f[0], 10);
			int fn = snprintf(field, sizeof(field), "%s|channel=phone|party=patient", kind);
			ob_put(&o, "*4\r\n$7\r\nHINCRBY\r\n", 17);
			ob_bulk(&o, key, plen + 14);
			ob_bulk(&o, field, (size_t)fn);
			ob_put(&o, "$1\r\n1\r\n", 7);
			lines++;
		}
	}
	ob_flush(&o);
	fprintf(stderr, "teleq-bench resp: %llu commands, %llu lines skipped\n", lines, skipped);
	return 0;
}

/* ------------------------------------------------------------------ live */

struct wrec {
	int64_t  t0;            /* ns, just before write(2) */
	uint64_t cum_events;    /* lines written up to and including this write */
	uint64_t cum_ind;       /* of them counted in the indicator denominator */
	int64_t  lat;           /* ns to counters, -1 = not yet */
	int64_t  ind_lat;       /* ns to the indicator */
	int      phase;
	bool     has_ind;       /* it holds a line the indicator counts */
};

struct phase {
	double   rate;
	double   secs;
	uint64_t lines;
	size_t   first_write, end_write;        /* [first, end) in writes */
	int64_t  start, end;                    /* writer's span, ns */
};

static struct {
	const char     *sock, *events_key, *ind_key, *feed, *src, *samples;
	int             kind_jsonl;
	pid_t           pid, redis_pid;
	int64_t         tick_ns, poll_ns;
	struct phase    ph[16];
	int             nph;
	/* the source lines */
	const char     *srcmap;
	size_t          srclen;
	size_t         *lstart;                 /* nlines + 1 offsets */
	uint8_t        *lind;                   /* counted in the indicator */
	size_t          nlines;
	/* writes, published to the poller by nwrites */
	struct wrec    *w;
	size_t          wcap;
	_Atomic size_t  nwrites;
	_Atomic int     writer_done;
	_Atomic int     poller_stop;
	/* poller state */
	size_t          next_c, next_i;         /* first unresolved write, counters / indicator */
	uint64_t        base_events, base_ind;  /* values before the first write */
	_Atomic uint64_t polls;
	_Atomic size_t  resolved_c, resolved_i;
	char            errbuf[256];
	_Atomic int     poll_err;
} L;

/* utime+stime of pid in clock ticks, or -1. */
static long long
proc_cpu_ticks(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')))
		return -1;
	/* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long long)ut + (long long)st;
}

/* The machine's busy and total jiffies over every CPU (first line of /proc/stat). */
static void
sys_jiffies(long long *busy, long long *total)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			*total += (long long)v[i];
		*busy = *total - (long long)(v[3] + v[4]);      /* idle, iowait */
	}
	fclose(f);
}

/* VmRSS / VmHWM of pid in KiB, or -1. */
static long
proc_status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			v = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void
load_src(void)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	int fd;

	if ((fd = open(L.src, O_RDONLY)) < 0 || fstat(fd, &st) < 0)
		die("cannot open %s", L.src);
	L.srclen = (size_t)st.st_size;
	if (L.srclen == 0)
		die("%s is empty", L.src);
	L.srcmap = mmap(NULL, L.srclen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (L.srcmap == MAP_FAILED)
		die("mmap %s: %s", L.src, strerror(errno));
	L.lstart = malloc(cap * sizeof(*L.lstart));
	L.lind = malloc(cap);
	if (!L.lstart || !L.lind)
		die("out of memory");
	L.lstart[0] = 0;
	for (size_t i = 0; i < L.srclen; i++) {
		if (L.srcmap[i] != '\n')
			continue;
		if (n + 2 > cap) {
			cap *= 2;
			L.lstart = realloc(L.lstart, cap * sizeof(*L.lstart));
			L.lind = realloc(L.lind, cap);
			if (!L.lstart || !L.lind)
				die("out of memory");
		}
		const char *ln = L.srcmap + L.lstart[n];
		size_t len = i + 1 - L.lstart[n];
		if (L.kind_jsonl)
			L.lind[n] = memmem(ln, len, "\"party\":\"provider\"", 18) == NULL;
		else
			L.lind[n] = memmem(ln, len, ";St\xe4ngt;", 8) == NULL;
		L.lstart[++n] = i + 1;
	}
	L.nlines = n;
}

/* Reads the two counters in one round trip; 0 or -1 (message in L.errbuf). */
static int
poll_once(redisContext *c, uint64_t *events, uint64_t *ind)
{
	redisReply *r;
	uint64_t v[2];

	if (redisAppendCommand(c, "HGET %s events", L.events_key) != REDIS_OK ||
	    redisAppendCommand(c, "HGET %s denominator", L.ind_key) != REDIS_OK)
		goto err;
	for (int i = 0; i < 2; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			goto err;
		if (r->type == REDIS_REPLY_STRING)
			v[i] = strtoull(r->str, NULL, 10);
		else if (r->type == REDIS_REPLY_NIL)
			v[i] = 0;
		else {
			snprintf(L.errbuf, sizeof(L.errbuf), "unexpected reply type %d", r->type);
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
	}
	*events = v[0];
	*ind = v[1];
	return 0;
err:
	snprintf(L.errbuf, sizeof(L.errbuf), "redis: %s", c->errstr);
	return -1;
}

static void
sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *
poller(void *arg)
{
	redisContext *c = arg;
	int64_t next = now_ns();
	uint64_t ev, ind;

	while (!atomic_load(&L.poller_stop)) {
		size_t nw = atomic_load_explicit(&L.nwrites, memory_order_acquire);
		if (L.next_c < nw || L.next_i < nw) {
			if (poll_once(c, &ev, &ind) < 0) {
				atomic_store(&L.poll_err, 1);
				return NULL;
			}
			int64_t t = now_ns();
			atomic_fetch_add(&L.polls, 1);
			ev -= L.base_events;
			ind -= L.base_ind;
			while (L.next_c < nw && ev >= L.w[L.next_c].cum_events) {
				L.w[L.next_c].lat = t - L.w[L.next_c].t0;
				L.next_c++;
			}
			while (L.next_i < nw && ind >= L.w[L.next_i].cum_ind) {
				/* a write of closed calls only moves no denominator: no sample */
				if (L.w[L.next_i].has_ind)
					L.w[L.next_i].ind_lat = t - L.w[L.next_i].t0;
				L.next_i++;
			}
			atomic_store(&L.resolved_c, L.next_c);
			atomic_store(&L.resolved_i, L.next_i);
		}
		next += L.poll_ns;
		int64_t now = now_ns();
		if (next < now)
			next = now;     /* a slow round trip: no burst of catch-up polls */
		sleep_until(next);
	}
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n), in ms. */
static double
pct(const int64_t *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return -1;
	k = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / 1e6;
}

static int
cmd_live(int argc, char **argv)
{
	uint64_t need = 0, written = 0, cum_ind = 0;
	size_t line = 0;
	redisContext *c;
	pthread_t pt;
	long hz = sysconf(_SC_CLK_TCK);
	int fd;
	FILE *samples = NULL;

	signal(SIGPIPE, SIG_IGN);
	L.tick_ns = 1000000;
	L.poll_ns = 500000;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			die("%s needs an argument", a);
		i++;
		if (!strcmp(a, "--sock")) L.sock = v;
		else if (!strcmp(a, "--events-key")) L.events_key = v;
		else if (!strcmp(a, "--ind-key")) L.ind_key = v;
		else if (!strcmp(a, "--feed")) L.feed = v;
		else if (!strcmp(a, "--src")) L.src = v;
		else if (!strcmp(a, "--samples")) L.samples = v;
		else if (!strcmp(a, "--pid")) L.pid = (pid_t)atoi(v);
		else if (!strcmp(a, "--redis-pid")) L.redis_pid = (pid_t)atoi(v);
		else if (!strcmp(a, "--tick-us")) L.tick_ns = atoll(v) * 1000;
		else if (!strcmp(a, "--poll-us")) L.poll_ns = atoll(v) * 1000;
		else if (!strcmp(a, "--kind")) {
			if (!strcmp(v, "csv")) L.kind_jsonl = 0;
			else if (!strcmp(v, "jsonl")) L.kind_jsonl = 1;
			else die("--kind csv|jsonl");
		} else if (!strcmp(a, "--phase")) {
			double r, s;
			if (L.nph == 16 || sscanf(v, "%lf:%lf", &r, &s) != 2 || r <= 0 || s <= 0)
				die("--phase RATE:SECS");
			L.ph[L.nph].rate = r;
			L.ph[L.nph].secs = s;
			L.ph[L.nph].lines = (uint64_t)(r * s + 0.5);
			need += L.ph[L.nph].lines;
			L.nph++;
		} else
			die("unknown option %s", a);
	}
	if (!L.sock || !L.events_key || !L.ind_key || !L.feed || !L.src || !L.pid || !L.redis_pid ||
	    !L.nph || L.tick_ns <= 0 || L.poll_ns <= 0)
		die("live: missing options (see the comment at the top of bench/teleq-bench.c)");
	load_src();
	if (L.nlines < need)
		die("%s has %zu lines, the phases need %" PRIu64, L.src, L.nlines, need);
	/* at most one write per line or per tick */
	L.wcap = 0;
	for (int p = 0; p < L.nph; p++) {
		uint64_t ticks = (uint64_t)(L.ph[p].secs * 1e9 / (double)L.tick_ns) + 2;
		L.wcap += (size_t)(ticks < L.ph[p].lines ? ticks : L.ph[p].lines) + 1;
	}
	if (!(L.w = calloc(L.wcap, sizeof(*L.w))))
		die("out of memory");
	if ((fd = open(L.feed, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
		die("cannot open %s: %s", L.feed, strerror(errno));
	if (L.samples && !(samples = fopen(L.samples, "w")))
		die("cannot write %s", L.samples);
	{
		struct timeval tv = { 5, 0 };
		c = redisConnectUnixWithTimeout(L.sock, tv);
	}
	if (!c || c->err)
		die("cannot connect to %s: %s", L.sock, c ? c->errstr : "out of memory");
	if (poll_once(c, &L.base_events, &L.base_ind) < 0)
		die("%s", L.errbuf);
	if (pthread_create(&pt, NULL, poller, c) != 0)
		die("pthread_create failed");

	for (int p = 0; p < L.nph; p++) {
		struct phase *ph = &L.ph[p];
		long long cpu0 = proc_cpu_ticks(L.pid), rcpu0 = proc_cpu_ticks(L.redis_pid), cpu1, rcpu1;
		long long sb0, st0, sb1, st1;
		uint64_t pw = 0;        /* lines written in this phase */
		int64_t t, lastw = 0, done_at = 0;
		size_t nw = atomic_load(&L.nwrites);

		ph->first_write = nw;
		sys_jiffies(&sb0, &st0);
		ph->start = t = now_ns();
		for (;;) {
			int64_t el = now_ns() - ph->start;
			uint64_t due = (uint64_t)((double)el / 1e9 * ph->rate);
			if (due > ph->lines)
				due = ph->lines;
			if (due > pw) {
				size_t k = (size_t)(due - pw);
				size_t off = L.lstart[line], len = L.lstart[line + k] - off;
				struct wrec *w;
				if (nw >= L.wcap)
					die("too many writes");
				w = &L.w[nw];
				uint64_t ci0 = cum_ind;
				for (size_t j = 0; j < k; j++)
					cum_ind += L.lind[line + j];
				w->has_ind = cum_ind > ci0;
				w->t0 = now_ns();
				for (size_t o = 0; o < len;) {
					ssize_t r = write(fd, L.srcmap + off + o, len - o);
					if (r < 0) {
						if (errno == EINTR)
							continue;
						die("write %s: %s", L.feed, strerror(errno));
					}
					o += (size_t)r;
				}
				lastw = now_ns();
				line += k;
				pw += k;
				written += k;
				w->cum_events = written;
				w->cum_ind = cum_ind;
				w->lat = w->ind_lat = -1;
				w->phase = p;
				nw++;
				atomic_store_explicit(&L.nwrites, nw, memory_order_release);
			}
			if (pw >= ph->lines)
				break;
			t += L.tick_ns;
			if (t < now_ns())
				t = now_ns();   /* late (CPU busy): write what is due now, no burst of ticks */
			sleep_until(t);
		}
		ph->end = lastw;
		ph->end_write = nw;
		/* wait until every write is counted and in the indicator (30 s at most) */
		for (int64_t limit = now_ns() + 30000000000LL; now_ns() < limit;) {
			if (atomic_load(&L.poll_err))
				die("%s", L.errbuf);
			if (atomic_load(&L.resolved_c) >= nw && atomic_load(&L.resolved_i) >= nw) {
				done_at = now_ns();
				break;
			}
			usleep(1000);
		}
		cpu1 = proc_cpu_ticks(L.pid);
		rcpu1 = proc_cpu_ticks(L.redis_pid);
		sys_jiffies(&sb1, &st1);
		int64_t span = (done_at ? done_at : now_ns()) - ph->start;

		double secs_w = (double)span / 1e9;
		double tq_pct = cpu0 >= 0 && cpu1 >= 0 ? 100.0 * (double)(cpu1 - cpu0) / (double)hz / secs_w : -1;
		double rd_pct = rcpu0 >= 0 && rcpu1 >= 0 ? 100.0 * (double)(rcpu1 - rcpu0) / (double)hz / secs_w : -1;
		/* everything else the machine did meanwhile (this helper included), % of one core */
		double busy_pct = st1 > st0 ? 100.0 * (double)(sb1 - sb0) / (double)(st1 - st0) *
		    (double)sysconf(_SC_NPROCESSORS_ONLN) : -1;
		double other_pct = busy_pct >= 0 ? busy_pct - (tq_pct > 0 ? tq_pct : 0) - (rd_pct > 0 ? rd_pct : 0) : -1;
		size_t n = ph->end_write - ph->first_write, nc = 0, ni = 0;
		int64_t *lc = malloc((n + 1) * sizeof(*lc)), *li = malloc((n + 1) * sizeof(*li));
		if (!lc || !li)
			die("out of memory");
		for (size_t j = ph->first_write; j < ph->end_write; j++) {
			if (L.w[j].lat >= 0)
				lc[nc++] = L.w[j].lat;
			if (L.w[j].ind_lat >= 0)
				li[ni++] = L.w[j].ind_lat;
			if (samples)
				fprintf(samples, "%d %.3f %.3f %.3f\n", p, (double)(L.w[j].t0 - L.ph[0].start) / 1e6,
				    (double)L.w[j].lat / 1e6, (double)L.w[j].ind_lat / 1e6);
		}
		qsort(lc, nc, sizeof(*lc), cmp_i64);
		qsort(li, ni, sizeof(*li), cmp_i64);
		printf("phase rate=%.0f secs=%.1f lines=%" PRIu64 " writes=%zu samples=%zu ind_samples=%zu "
		    "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
		    "ind_p50_ms=%.3f ind_p99_ms=%.3f ind_max_ms=%.3f "
		    "cpu_pct=%.1f redis_cpu_pct=%.1f other_cpu_pct=%.0f rss_kib=%ld hwm_kib=%ld lag_ms=%.1f wall_s=%.3f "
		    "polls=%" PRIu64 " complete=%d\n",
		    ph->rate, ph->secs, pw, n, nc, ni,
		    pct(lc, nc, 50), pct(lc, nc, 90), pct(lc, nc, 99), pct(lc, nc, 100),
		    pct(li, ni, 50), pct(li, ni, 99), pct(li, ni, 100),
		    tq_pct, rd_pct, other_pct < 0 ? 0 : other_pct,
		    proc_status_kib(L.pid, "VmRSS"), proc_status_kib(L.pid, "VmHWM"),
		    done_at ? (double)(done_at - ph->end) / 1e6 : -1, (double)span / 1e9,
		    atomic_load(&L.polls), done_at != 0);
		fflush(stdout);
		free(lc);
		free(li);
		if (!done_at)
			break;
		/* a short quiet gap between phases */
		usleep(500000);
	}
	atomic_store(&L.poller_stop, 1);
	pthread_join(pt, NULL);
	redisFree(c);
	close(fd);
	if (samples)
		fclose(samples);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "exec"))
		return cmd_exec(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "resp"))
		return cmd_resp(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "live"))
		return cmd_live(argc - 2, argv + 2);
	fprintf(stderr, "usage: teleq-bench exec RESULT -- PROGRAM ARGS... | resp PREFIX | live OPTIONS\n");
	return 2;
}
