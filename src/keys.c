/*
 * keys.c — Redis key names: "<prefix>{<tag>}:<rest>".
 *
 * The braces make every key of a deployment hash to one cluster slot, so
 * the commit script may touch all of them (Redis Cluster requires a
 * script's keys to share a slot).
 */
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>

#include "keys.h"
#include "tq_config.h"

/* Formats a key into buf; returns its length or -ENOBUFS when it does not fit. */
int
key_name(const struct config *cfg, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s{%s}:", cfg->redis.prefix, cfg->redis.tag);
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - (size_t)n)
		return -ENOBUFS;
	return n + m;
}
