/*
 * position.c — the text form of a committed file position, one entry of
 * K files: the one reader and the one writer, shared by the daemon's store
 * and teleqctl status. Pure.
 *
 *   field  "<feed>:<dev>:<ino>"         a file
 *          "<feed>:started"             the feed's start marker (struct
 *                                       file_pos.marker), value "1", or
 *                                       "1 <ncolumns> <header_len> <hash>
 *                                       <k> <col_0> .. <col_k-1>": the
 *                                       columns of the feed's last complete
 *                                       CSV header (numbers, never names)
 *   value  "<offset> <line> <fplen> <fp> <taillen> <tailfp> <btime> [h<hdr>] <path>"
 *          fp and tailfp are 16 lowercase hex digits, btime the file's
 *          birth time in ns (0 = unknown); "h<hdr>" only in a CSV file whose
 *          header changed mid-file: the offset of the header record in
 *          force (replayed on resuming instead of the first record).
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

#include "core.h"
#include "batch.h"
#include "map.h"
#include "position.h"
#include "scan.h"
#include "tq_config.h"

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

/*
 * The next two tokens as a span: its byte count (decimal, at most max and
 * at most off, the position it ends before) and its fingerprint (16 hex
 * digits). False when either is malformed or out of range.
 */
static bool
scan_span(const char **s, const char *end, uint64_t max, uint64_t off, uint64_t *ret_len,
          uint64_t *ret_fp)
{
	const char *t;
	size_t tlen;

	t = next_tok(s, end, &tlen);
	if (!scan_u64(t, tlen, 10, ret_len) || *ret_len > max || *ret_len > off)
		return false;
	t = next_tok(s, end, &tlen);
	return tlen == 16 && scan_u64(t, tlen, 16, ret_fp);
}

/*
 * The value of a start marker: "1", or "1" and the columns of the feed's
 * last header (see above). Returns 0 and *ret (ret->have_header false for
 * "1"), -EINVAL.
 */
static int
parse_cols(const char *v, size_t vlen, struct parse_state *ret)
{
	int64_t ncol, hlen, k, c;
	uint64_t hash;
	size_t pos = 1;

	memset(ret, 0, sizeof(*ret));
	if (vlen == 0 || v[0] != '1')
		return -EINVAL;
	if (vlen == 1)
		return 0;
	if (!scan_lit(v, vlen, &pos, " ") || scan_int(v, vlen, &pos, false, &ncol) < 0 ||
	    ncol < 1 || ncol > TQ_MAX_COLUMNS || !scan_lit(v, vlen, &pos, " ") ||
	    scan_int(v, vlen, &pos, false, &hlen) < 0 || !scan_lit(v, vlen, &pos, " ") ||
	    vlen - pos < 16 || !scan_u64(v + pos, 16, 16, &hash))
		return -EINVAL;
	pos += 16;
	if (!scan_lit(v, vlen, &pos, " ") || scan_int(v, vlen, &pos, false, &k) < 0 ||
	    k > TQ_MAX_SLOTS)
		return -EINVAL;
	for (int64_t i = 0; i < TQ_MAX_SLOTS; i++)
		ret->col[i] = -1;
	for (int64_t i = 0; i < k; i++) {
		if (!scan_lit(v, vlen, &pos, " ") || scan_int(v, vlen, &pos, true, &c) < 0 ||
		    c < -1 || c >= ncol)
			return -EINVAL;
		ret->col[i] = (int)c;
	}
	if (pos != vlen)
		return -EINVAL;
	ret->have_header = true;
	ret->ncolumns = (size_t)ncol;
	ret->header_len = (size_t)hlen;
	ret->header_hash = hash;
	return 0;
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
	uint64_t dev, ino, off, line, fplen, fp, taillen = 0, tailfp = 0, btime = 0, hdr = 0;
	size_t tlen, ml = sizeof(MARKER_SUFFIX) - 1;
	int fi;

	memset(ret, 0, sizeof(*ret));
	if (flen > ml && memcmp(f + flen - ml, MARKER_SUFFIX, ml) == 0) {
		if ((fi = feed_index(cfg, f, flen - ml)) < 0)
			return -ENOENT;
		ret->feed = (uint16_t)fi;
		ret->marker = true;
		return parse_cols(v, vlen, &ret->cols);
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
	if (!scan_span(&s, end, TQ_FP_MAX, off, &fplen, &fp))
		return -EINVAL;
	if (s < end && *s != '/') {
		if (!scan_span(&s, end, TQ_TAIL_MAX, off, &taillen, &tailfp))
			return -EINVAL;
		t = next_tok(&s, end, &tlen);
		if (!scan_u64(t, tlen, 10, &btime) || btime > INT64_MAX)
			return -EINVAL;
		if (s < end && *s == 'h') {
			t = next_tok(&s, end, &tlen);
			if (!scan_u64(t + 1, tlen - 1, 10, &hdr) || hdr == 0 || hdr >= off)
				return -EINVAL;
		}
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
	ret->hdr_off = (int64_t)hdr;
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

	if (p->marker) {
		const struct parse_state *c = &p->cols;

		if (!c->have_header)
			n = snprintf(buf, len, "1");
		else {
			n = snprintf(buf, len, "1 %zu %zu %016" PRIx64 " %d", c->ncolumns,
			    c->header_len, c->header_hash, TQ_MAX_SLOTS);
			for (int k = 0; k < TQ_MAX_SLOTS && n >= 0 && (size_t)n < len; k++)
				n += snprintf(buf + n, len - (size_t)n, " %d", c->col[k]);
		}
	} else if (p->hdr_off > 0 && p->hdr_off < p->offset)
		n = snprintf(buf, len, "%" PRId64 " %" PRIu64 " %" PRIu32 " %016" PRIx64 " %" PRIu32
		    " %016" PRIx64 " %" PRId64 " h%" PRId64 " %.*s", p->offset, p->line, p->fplen,
		    p->fp, p->taillen, p->tailfp, p->btime > 0 ? p->btime : 0, p->hdr_off,
		    (int)strnlen(p->path, sizeof(p->path)), p->path);
	else
		n = snprintf(buf, len, "%" PRId64 " %" PRIu64 " %" PRIu32 " %016" PRIx64 " %" PRIu32
		    " %016" PRIx64 " %" PRId64 " %.*s", p->offset, p->line, p->fplen, p->fp,
		    p->taillen, p->tailfp, p->btime > 0 ? p->btime : 0,
		    (int)strnlen(p->path, sizeof(p->path)), p->path);
	return n < 0 || (size_t)n >= len ? -ENOBUFS : n;
}
