/*
 * redis_health.c — pure decisions about the Redis server itself (no I/O,
 * no clock): is its eviction policy one that keeps every key (INFO
 * memory, maxmemory_policy), and is it answering (the age of the oldest
 * request without a reply against redis.unresponsive_after). store.c
 * sends the commands and keeps the times; the logic lives here so it can
 * be unit-tested.
 */
#include <errno.h>
#include <string.h>

#include "redis_health.h"

/* See redis_health.h. */
int
redis_info_field(const char *info, size_t len, const char *field, char *ret, size_t cap)
{
	size_t flen = strlen(field), i = 0;

	if (cap)
		ret[0] = '\0';
	while (i < len) {
		const char *line = info + i, *nl = memchr(line, '\n', len - i);
		size_t llen = nl ? (size_t)(nl - line) : len - i, vlen;

		i += llen + (nl ? 1 : 0);
		if (llen <= flen || line[flen] != ':' || memcmp(line, field, flen) != 0)
			continue;       /* "# Section", blank, or another field */
		vlen = llen - flen - 1;
		if (vlen && line[flen + vlen] == '\r')
			vlen--;         /* CRLF */
		if (vlen + 1 > cap)
			return -ENOBUFS;
		for (size_t k = 0; k < vlen; k++) {
			char c = line[flen + 1 + k];

			/* values teleqd reads are words: anything else is not INFO */
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
				return -EINVAL;
		}
		memcpy(ret, line + flen + 1, vlen);
		ret[vlen] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* See redis_health.h. */
bool
redis_policy_safe(const char *policy)
{
	/* every other policy (allkeys-*, volatile-*) may drop a key teleqd needs */
	return policy && strcmp(policy, "noeviction") == 0;
}

/* See redis_health.h. */
int64_t
redis_wait_ms(int64_t now_ms, const int64_t *sent_ms, size_t n)
{
	int64_t oldest = 0;

	for (size_t i = 0; i < n; i++)
		if (sent_ms[i] > 0 && (oldest == 0 || sent_ms[i] < oldest))
			oldest = sent_ms[i];
	return oldest && now_ms > oldest ? now_ms - oldest : 0;
}

/* See redis_health.h. */
enum redis_watch_change
redis_watch_step(bool *unresponsive, int64_t wait_ms, int64_t after_ms)
{
	bool now = after_ms > 0 && wait_ms >= after_ms;

	if (now == *unresponsive)
		return RW_SAME;
	*unresponsive = now;
	return now ? RW_UNRESPONSIVE : RW_RESPONSIVE;
}
