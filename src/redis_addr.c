/*
 * redis_addr.c — the one parser of redis.address, used by the config
 * check (config.c: a bad address is refused with its position), by the
 * daemon's connection (store.c) and by teleqctl. Pure: no I/O.
 *
 * Accepted: "unix:/absolute/path" (the path fits sockaddr_un.sun_path), or
 * "host:port" with host a name of A-Z a-z 0-9 . - _ (at most 253 bytes) or
 * "[v6]:port" with an IPv6 literal in brackets, port 1..65535.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "redis_addr.h"

/* True when s[0..len) is 1..max bytes of A-Z a-z 0-9 and the bytes in extra. */
static bool
chars_ok(const char *s, size_t len, size_t max, const char *extra)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
			continue;
		if (ch && strchr(extra, ch))
			continue;
		return false;
	}
	return true;
}

/* The decimal port 1..65535 in s, or 0 when s is not one. */
static int
port_of(const char *s)
{
	int v = 0;

	if (!*s || strlen(s) > 5)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v <= 65535 ? v : 0;
}

/*
 * Parses a Redis address (see the top of this file) into *ret. Returns 0;
 * -EINVAL when s is NULL, longer than REDIS_ADDR_MAX bytes or neither
 * form; -ENOENT for "unix:" without an absolute path; -ENAMETOOLONG for a
 * socket path longer than REDIS_ADDR_SUN_MAX. *ret is undefined on failure.
 */
int
redis_addr_parse(const char *s, struct redis_addr *ret)
{
	const char *colon;
	size_t len, hostlen;
	int port;

	if (!s || !ret || (len = strlen(s)) > REDIS_ADDR_MAX)
		return -EINVAL;
	if (!strncmp(s, "unix:", 5)) {
		if (s[5] != '/')
			return -ENOENT;
		if (len - 5 > REDIS_ADDR_SUN_MAX)
			return -ENAMETOOLONG;
		memcpy(ret->host, s + 5, len - 5 + 1);
		ret->is_unix = true;
		ret->port = 0;
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon || !(port = port_of(colon + 1)))
		return -EINVAL;
	hostlen = (size_t)(colon - s);
	if (hostlen > 2 && s[0] == '[' && s[hostlen - 1] == ']') {
		/* [v6]:port: the colons inside the brackets are not the port's */
		if (!chars_ok(s + 1, hostlen - 2, 64, ":."))
			return -EINVAL;
		memcpy(ret->host, s + 1, hostlen - 2);
		ret->host[hostlen - 2] = '\0';
	} else {
		if (!chars_ok(s, hostlen, 253, ".-_"))
			return -EINVAL;
		memcpy(ret->host, s, hostlen);
		ret->host[hostlen] = '\0';
	}
	ret->is_unix = false;
	ret->port = port;
	return 0;
}
