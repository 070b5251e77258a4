/*
 * position.c — the text form of a committed file position, one entry of
 * K files: the one reader and the one writer, shared by the daemon's store
 * and teleqctl status. Pure.
 *
 *   field  "<feed>:<dev>:<ino>"         a file
 *          "<feed>:started"             the feed's start marker (struct
 *                                       file_pos.marker), value "1"
 *   value  "<offset> <line> <fplen> <fp> <taillen> <tailfp> <btime> <path>"
 *          fp and tailfp are 16 lowercase hex digits, btime the file's
 *          birth time in ns (0 = unknown).
 *
 * Positions written before tail fingerprints lack "<taillen> <tailfp>
 * <btime>"; they are still read (taillen 0, btime 0: only the head is
 * checked on resume).
 * The two forms are told apart by the fifth token: a path is absolute, so
 * it starts with '/', a length with a digit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "teleqd.h"

#define MARKER_SUFFIX   ":started"

/* Next space-separated token of [*s, end): returns its start, *ret_len its length. */
static const char *
next_tok(const char **s, const char *end, size_t *ret_len)
{
	const char *p = *s, *q;

	q = memchr(p, ' ', (size_t)(end - p));
	if (!q)
		q = end;
	*ret_len = (size_t)(q - p);
	*s = q < end ? q + 1 : end;
	return p;
}

/* Index of the feed named name[0..len) in cfg, or -1. */
static int
feed_index(const struct config *cfg, const char *name, size_t len)
{
	for (size_t i = 0; i < cfg->nfeeds && i <= UINT16_MAX; i++)
		if (strlen(cfg->feeds[i].name) == len && memcmp(cfg->feeds[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * Parses one entry of K files (field f[0..flen), value v[0..vlen)).
 * Returns 0 and *ret (ret->marker set for a start marker), -ENOENT when
 * its feed is no longer configured, -EINVAL when it is malformed (*ret is
 * then undefined).
 */
int
pos_parse(const struct config *cfg, const char *f, size_t flen, const char *v, size_t vlen,
          struct file_pos *ret)
{
	const char *c2, *c1, *s = v, *end = v + vlen, *t;
	uint64_t dev, ino, off, line, fplen, fp, taillen = 0, tailfp = 0, btime = 0;
	size_t tlen, ml = sizeof(MARKER_SUFFIX) - 1;
	int fi;

	memset(ret, 0, sizeof(*ret));
	if (flen > ml && memcmp(f + flen - ml, MARKER_SUFFIX, ml) == 0) {
		if ((fi = feed_index(cfg, f, flen - ml)) < 0)
			return -ENOENT;
		ret->feed = (uint16_t)fi;
		ret->marker = true;
		return 0;
	}
	/* from the right: a feed name may hold a colon, numbers cannot */
	if (!(c2 = memrchr(f, ':', flen)) || c2 == f || !(c1 = memrchr(f, ':', (size_t)(c2 - f))))
		return -EINVAL;
	if (!scan_u64(c1 + 1, (size_t)(c2 - c1 - 1), 10, &dev) ||
	    !scan_u64(c2 + 1, (size_t)(f + flen - c2 - 1), 10, &ino))
		return -EINVAL;
	t = next_tok(&s, end, &tlen);
	if (!scan_u64(t, tlen, 10, &off) || off > INT64_MAX)
		return -EINVAL;
	t = next_tok(&s, end, &tlen);
	if (!scan_u64(t, tlen, 10, &line))
		return -EINVAL;
	t = next_tok(&s, end, &tlen);
	if (!scan_u64(t, tlen, 10, &fplen) || fplen > TQ_FP_MAX || fplen > off)
		return -EINVAL;
	t = next_tok(&s, end, &tlen);
	if (tlen != 16 || !scan_u64(t, tlen, 16, &fp))
		return -EINVAL;
	if (s < end && *s != '/') {
		t = next_tok(&s, end, &tlen);
		if (!scan_u64(t, tlen, 10, &taillen) || taillen > TQ_TAIL_MAX || taillen > off)
			return -EINVAL;
		t = next_tok(&s, end, &tlen);
		if (tlen != 16 || !scan_u64(t, tlen, 16, &tailfp))
			return -EINVAL;
		t = next_tok(&s, end, &tlen);
		if (!scan_u64(t, tlen, 10, &btime) || btime > INT64_MAX)
			return -EINVAL;
	}
	if ((fi = feed_index(cfg, f, (size_t)(c1 - f))) < 0)
		return -ENOENT;
	ret->feed = (uint16_t)fi;
	ret->dev = dev;
	ret->ino = ino;
	ret->offset = (int64_t)off;
	ret->line = line;
	ret->fplen = (uint32_t)fplen;
	ret->fp = fp;
	ret->taillen = (uint32_t)taillen;
	ret->tailfp = tailfp;
	ret->btime = (int64_t)btime;
	/* the rest is the path, spaces and all (messages and status only) */
	tlen = (size_t)(end - s);
	if (tlen >= sizeof(ret->path))
		tlen = sizeof(ret->path) - 1;
	memcpy(ret->path, s, tlen);
	ret->path[tlen] = '\0';
	return 0;
}

/*
 * Writes the field of p (a file's or its feed's start marker) into buf.
 * Returns its length, or -ENOBUFS when it does not fit (buf then holds a
 * truncated string).
 */
int
pos_format_field(const struct config *cfg, const struct file_pos *p, char *buf, size_t len)
{
	int n;

	if (p->marker)
		n = snprintf(buf, len, "%s" MARKER_SUFFIX, cfg->feeds[p->feed].name);
	else
		n = snprintf(buf, len, "%s:%" PRIu64 ":%" PRIu64, cfg->feeds[p->feed].name, p->dev,
		    p->ino);
	return n < 0 || (size_t)n >= len ? -ENOBUFS : n;
}

/*
 * Writes the value of p into buf (POS_VALUE_MAX bytes always suffice).
 * Returns its length, or -ENOBUFS.
 */
int
pos_format_value(const struct file_pos *p, char *buf, size_t len)
{
	int n;

	if (p->marker)
		n = snprintf(buf, len, "1");
	else
		n = snprintf(buf, len, "%" PRId64 " %" PRIu64 " %" PRIu32 " %016" PRIx64 " %" PRIu32
		    " %016" PRIx64 " %" PRId64 " %.*s", p->offset, p->line, p->fplen, p->fp,
		    p->taillen, p->tailfp, p->btime > 0 ? p->btime : 0,
		    (int)strnlen(p->path, sizeof(p->path)), p->path);
	return n < 0 || (size_t)n >= len ? -ENOBUFS : n;
}
