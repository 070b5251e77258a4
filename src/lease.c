/*
 * lease.c — the writer lease: at most one daemon commits under a prefix.
 *
 * Two daemons on one prefix used to fence each other at every handshake (a
 * reconnect storm, "connection is stale", nothing naming the cause). Now
 * the daemon that commits holds K lease, a string with an expiry
 * (redis.lease, default LEASE_DEFAULT_S):
 *
 *   "tq1 <token> <pid> <pidns> <since_ms> <host>"
 *
 * token: 16 hex digits drawn once per process start, so the same process
 * may take its own lease again after a reconnect while a restarted one (a
 * new token) waits like anyone else; pidns: the inode of the holder's pid
 * namespace (/proc/self/ns/pid, 0 = unknown); since_ms: wall ms it took
 * the lease; host: gethostname, printable ASCII without spaces, at most
 * LEASE_HOST_MAX.
 *
 * A holder on this host, in this pid namespace, whose pid no longer runs
 * (kill -9, a crash, then a restart) is gone: its lease is taken over at
 * once (compare-and-swap on the value seen) instead of after its expiry.
 * Anywhere else a lease is waited out.
 *
 * The lease is taken by LEASE_TAKE_LUA in the handshake BEFORE the epoch
 * bump, so a standby never fences the active daemon; the holder renews it
 * every lease/3 with the same script and gives it back (LEASE_RELEASE_LUA,
 * compare-and-delete) when it stops cleanly. The epoch fencing stays as the
 * safety net for the moments a lease cannot cover (a paused process).
 *
 * Here: the value's format, the decisions on time (pure, unit-tested in
 * tests/unit/test_lease.c) and this process's identity. The Redis side is
 * in store.c (the section "lease").
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lease.h"

#define LEASE_MAGIC     "tq1"

/*
 * KEYS[1] lease; ARGV value, px, owner prefix ("tq1 <token> "), the value
 * of a holder known to be gone ("" = none).
 * Free, ours or the gone holder's: SET value PX px; returns {2, value, 0}
 * when it was free or the gone holder's, {1, old value, 0} when it was ours
 * already. Another owner's: returns {0, its value, its PTTL} and changes
 * nothing.
 */
const char lease_take_lua[] =
	"local v = redis.call('GET', KEYS[1])\n"
	"if v and string.sub(v, 1, #ARGV[3]) ~= ARGV[3] and (ARGV[4] == '' or v ~= ARGV[4]) then\n"
	"  return {0, v, redis.call('PTTL', KEYS[1])}\n"
	"end\n"
	"if v and v == ARGV[4] then v = nil end\n"
	"redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
	"if v then return {1, v, 0} end\n"
	"return {2, ARGV[1], 0}\n";

/* KEYS[1] lease; ARGV owner prefix. Deletes the lease only when it is ours: 1 or 0. */
const char lease_release_lua[] =
	"local v = redis.call('GET', KEYS[1])\n"
	"if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then\n"
	"  return redis.call('DEL', KEYS[1])\n"
	"end\n"
	"return 0\n";

/* See lease.h. */
int
lease_format(const struct lease_holder *h, char *buf, size_t len)
{
	int w;

	if (strlen(h->token) != LEASE_TOKEN_LEN || !h->host[0] || h->pid <= 0 || h->since_ms < 0)
		return -EINVAL;
	for (const char *p = h->host; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return -EINVAL;
	w = snprintf(buf, len, LEASE_MAGIC " %s %ld %" PRIu64 " %" PRId64 " %s", h->token, h->pid,
	             h->pidns, h->since_ms, h->host);
	return w < 0 || (size_t)w >= len ? -ENOBUFS : w;
}

/* See lease.h. */
int
lease_owner_prefix(const char *token, char *buf, size_t len)
{
	int w = snprintf(buf, len, LEASE_MAGIC " %s ", token);

	return w < 0 || (size_t)w >= len ? -ENOBUFS : w;
}

/* Reads a decimal integer of 1..19 digits at s[*i] up to a space; advances *i past it. */
static int
take_num(const char *s, size_t len, size_t *i, int64_t *ret)
{
	int64_t v = 0;
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (*i - start >= 18)
			return -EINVAL;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	if (*i == start || *i >= len || s[*i] != ' ')
		return -EINVAL;
	(*i)++;
	*ret = v;
	return 0;
}

/* See lease.h. */
int
lease_parse(const char *s, size_t len, struct lease_holder *ret)
{
	struct lease_holder h = { 0 };
	size_t i = sizeof(LEASE_MAGIC), hl;
	int64_t pid, ns;

	if (len < i || memcmp(s, LEASE_MAGIC " ", i) != 0)
		return -EINVAL;
	for (size_t k = 0; k < LEASE_TOKEN_LEN; k++, i++) {
		if (i >= len || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -EINVAL;
		h.token[k] = s[i];
	}
	if (i >= len || s[i++] != ' ')
		return -EINVAL;
	if (take_num(s, len, &i, &pid) < 0 || pid <= 0 || pid > INT32_MAX ||
	    take_num(s, len, &i, &ns) < 0 || take_num(s, len, &i, &h.since_ms) < 0)
		return -EINVAL;
	h.pidns = (uint64_t)ns;
	hl = len - i;
	if (hl == 0 || hl > LEASE_HOST_MAX)
		return -EINVAL;
	for (size_t k = 0; k < hl; k++)
		if (s[i + k] <= ' ' || s[i + k] >= 0x7f)
			return -EINVAL;
	memcpy(h.host, s + i, hl);
	h.pid = (long)pid;
	*ret = h;
	return 0;
}

/* See lease.h. */
int
lease_describe(const struct lease_holder *h, int64_t now_ms, int64_t ttl_ms, char *buf,
               size_t len)
{
	char since[32], left[96];
	time_t t = (time_t)(h->since_ms / 1000);
	struct tm tm;
	int w;

	if (!gmtime_r(&t, &tm) || !strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(since, sizeof(since), "@%" PRId64, h->since_ms / 1000);
	/* no expiry (set by hand), or not asked: say nothing about it */
	if (ttl_ms >= 0)
		snprintf(left, sizeof(left), "; expires in %" PRId64 ".%01" PRId64 " s unless renewed",
		         ttl_ms / 1000, ttl_ms % 1000 / 100);
	else
		left[0] = '\0';
	if (h->pid <= 0) {
		/* not a teleqd value (lease_parse refused it): nothing to name */
		w = snprintf(buf, len, "an unknown owner (the value is not teleqd's%s)", left);
		return w < 0 || (size_t)w >= len ? -ENOBUFS : w;
	}
	w = snprintf(buf, len, "%s pid %ld (holder for %" PRId64 " s, since %s%s)", h->host, h->pid,
	             now_ms > h->since_ms ? (now_ms - h->since_ms) / 1000 : 0, since, left);
	return w < 0 || (size_t)w >= len ? -ENOBUFS : w;
}

/* See lease.h. */
enum lease_step
lease_renew_step(int64_t now, int64_t last_ok, int64_t last_sent, bool inflight,
                 int64_t lease_ms)
{
	/* Not renewed for a whole lease: another daemon may hold it by now. */
	if (now - last_ok >= lease_ms)
		return LEASE_LOST;
	if (inflight)
		return LEASE_WAIT;
	/* every third of the lease: two renewals may fail before it lapses */
	if (now - last_sent >= lease_ms / 3)
		return LEASE_RENEW;
	return LEASE_WAIT;
}

/* See lease.h. */
int64_t
lease_retry_ms(int64_t ttl_ms)
{
	/* a lease without expiry (set by hand) or already gone: the normal pace */
	if (ttl_ms < 0)
		return LEASE_RETRY_MS;
	/* just after it expires, so a takeover follows the expiry by a few ms */
	if (ttl_ms + 10 < LEASE_RETRY_MS)
		return ttl_ms + 10;
	return LEASE_RETRY_MS;
}

/* See lease.h. */
bool
lease_same_pid_space(const struct lease_holder *h, const struct lease_holder *self)
{
	/* pidns 0: not known, so the pid may name anyone's process */
	return h->pidns != 0 && h->pidns == self->pidns && !strcmp(h->host, self->host);
}

/* See lease.h. */
bool
lease_holder_gone(const struct lease_holder *h)
{
	struct lease_holder self;

	lease_self(&self);
	if (!lease_same_pid_space(h, &self) || h->pid == self.pid)
		return false;
	/* EPERM: it runs, under another user; only ESRCH says it is gone */
	return kill((pid_t)h->pid, 0) < 0 && errno == ESRCH;
}

/* See lease.h. */
void
lease_self(struct lease_holder *ret)
{
	static struct lease_holder self;
	static bool made;

	if (!made) {
		uint8_t rnd[LEASE_TOKEN_LEN / 2];
		char host[256];
		size_t n = 0;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			/* no entropy yet: time and pid still differ between two starts */
			uint64_t x = (uint64_t)wall_ms() * 6364136223846793005ULL ^ (uint64_t)getpid();

			for (size_t i = 0; i < sizeof(rnd); i++)
				rnd[i] = (uint8_t)(x >> (8 * i));
		}
		for (size_t i = 0; i < sizeof(rnd); i++)
			snprintf(self.token + 2 * i, 3, "%02x", rnd[i]);
		if (gethostname(host, sizeof(host)) < 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		for (size_t i = 0; host[i] && n < LEASE_HOST_MAX; i++) {
			char ch = host[i];

			if (ch <= ' ' || ch >= 0x7f)
				ch = '_';       /* the value is space-separated and printed */
			self.host[n++] = ch;
		}
		if (n == 0)
			memcpy(self.host, "unknown", sizeof("unknown"));
		self.pid = (long)getpid();
		{
			struct stat sb;

			self.pidns = stat("/proc/self/ns/pid", &sb) == 0 ? (uint64_t)sb.st_ino : 0;
		}
		made = true;
	}
	*ret = self;
	ret->since_ms = wall_ms();
}
