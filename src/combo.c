/*
 * combo.c — counter field names and indicator filters (the map.c section of
 * map.h, split out because teleqctl and the indicator code need it
 * without the record mapping).
 *
 * A counter field is "<event>|<dim>=<value>|<dim>=<value>..." with the
 * dimensions in config order, which config.c keeps sorted by name, and
 * absent dimensions (id 0) left out: "call.booked|channel=phone|party=patient".
 *
 * Pure: no I/O, no allocation. Name look-ups are done here rather than with
 * config_value_id() so that this file and indicator.c link on their own
 * (unit tests, and tools that only read counters).
 */
#include <errno.h>
#include <string.h>

#include "core.h"
#include "map.h"
#include "tq_config.h"

/*
 * Id (1-based) of the name s[0..len) in names[0..n), 0 when it is not there.
 * Linear: tables hold at most TQ_MAX_VALUES short names, and the callers
 * (reports, recompute) parse each field once per read.
 */
static uint16_t
lookup(char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n && i < TQ_MAX_VALUES; i++)
		if (names[i] && strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (uint16_t)(i + 1);
	return 0;
}

/* Index of the dimension called s[0..len), -1 when the config has none. */
static int
dim_index(const struct config *cfg, const char *s, size_t len)
{
	for (size_t d = 0; d < cfg->ndims && d < TQ_MAX_DIMS; d++)
		if (cfg->dims[d].name && strlen(cfg->dims[d].name) == len &&
		    memcmp(cfg->dims[d].name, s, len) == 0)
			return (int)d;
	return -1;
}

/*
 * Appends s to buf at *pos (cap len, a NUL always kept room for).
 * -EINVAL when s holds a byte in forbid (it would make the field ambiguous),
 * -ENOBUFS when it does not fit.
 */
static int
append(char *buf, size_t len, size_t *pos, const char *s, const char *forbid)
{
	size_t n = strlen(s);

	if (n == 0 || strpbrk(s, forbid))
		return -EINVAL;
	if (n >= len - *pos)    /* keeps one byte for the NUL */
		return -ENOBUFS;
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): a piece; the caller ends buf */
	memcpy(buf + *pos, s, n);
	*pos += n;
	return 0;
}

/*
 * Writes the counter field name of c into buf (NUL-terminated) and returns
 * its length. -ENOBUFS when buf is too small (buf then holds no promise),
 * -EINVAL when c holds an id the config does not know (event 0 included)
 * or a name that contains a separator ('|' anywhere, '=' in a dimension
 * name): such a field could not be parsed back.
 */
int
combo_format(const struct config *cfg, const struct combo *c, char *buf, size_t len)
{
	size_t pos = 0;
	int r;

	if (len == 0)
		return -ENOBUFS;
	if (c->event == 0 || c->event > cfg->nevents || c->event > TQ_MAX_VALUES)
		return -EINVAL;
	r = append(buf, len, &pos, cfg->events[c->event - 1], "|");
	if (r < 0)
		return r;
	for (size_t d = 0; d < cfg->ndims && d < TQ_MAX_DIMS; d++) {
		const struct dimension *dim = &cfg->dims[d];
		uint16_t id = c->dim[d];

		if (id == 0)
			continue;       /* absent dimensions are left out */
		if (id > dim->nvalues || id > TQ_MAX_VALUES)
			return -EINVAL;
		if ((r = append(buf, len, &pos, "|", "")) < 0 ||
		    (r = append(buf, len, &pos, dim->name, "|=")) < 0 ||
		    (r = append(buf, len, &pos, "=", "")) < 0 ||
		    (r = append(buf, len, &pos, dim->values[id - 1], "|")) < 0)
			return r;
	}
	/* Dimensions beyond the config must be absent: they have no name. */
	for (size_t d = cfg->ndims; d < TQ_MAX_DIMS; d++)
		if (c->dim[d] != 0)
			return -EINVAL;
	buf[pos] = '\0';
	return (int)pos;
}

/*
 * Parses a counter field name s[0..len) (no NUL needed) into *ret.
 * Syntax errors give -EINVAL and leave *ret untouched: an empty event, a
 * part without '=' or with an empty name or value, a dimension named twice.
 * Names the config does not know are not errors — counters written under
 * an older config stay readable — but they must not be counted under a
 * wrong heading: an unknown event, dimension name or dimension value makes
 * ret->event 0 (the known dimensions are kept, an unknown value is id 0),
 * and filter_match() matches no combo whose event is 0.
 * The order of the dimensions in s does not matter.
 */
int
combo_parse(const struct config *cfg, const char *s, size_t len, struct combo *ret)
{
	struct combo c = { 0 };
	bool unknown = false, seen[TQ_MAX_DIMS] = { false };
	const char *end = s + len, *p, *bar;

	bar = memchr(s, '|', len);
	if (!bar)
		bar = end;
	if (bar == s)
		return -EINVAL;
	c.event = lookup(cfg->events, cfg->nevents, s, (size_t)(bar - s));
	if (c.event == 0)
		unknown = true;

	for (p = bar; p < end; p = bar) {
		const char *name = p + 1, *eq;
		size_t nlen, vlen;
		int d;

		bar = memchr(name, '|', (size_t)(end - name));
		if (!bar)
			bar = end;
		eq = memchr(name, '=', (size_t)(bar - name));
		if (!eq)
			return -EINVAL;
		nlen = (size_t)(eq - name);
		vlen = (size_t)(bar - eq - 1);
		if (nlen == 0 || vlen == 0)
			return -EINVAL;
		d = dim_index(cfg, name, nlen);
		if (d < 0) {
			/* Cannot tell a repeat of an unknown name from another one: fine,
			 * the combo matches nothing anyway. */
			unknown = true;
			continue;
		}
		if (seen[d])
			return -EINVAL;
		seen[d] = true;
		c.dim[d] = lookup(cfg->dims[d].values, cfg->dims[d].nvalues, eq + 1, vlen);
		if (c.dim[d] == 0)
			unknown = true;
	}
	if (unknown)
		c.event = 0;
	*ret = c;
	return 0;
}

/* True when clause cl holds for combo c: its value is one of cl->ids. */
static bool
clause_holds(const struct clause *cl, const struct combo *c)
{
	uint16_t v;

	if (cl->dim == -1)
		v = c->event;
	else if (cl->dim >= 0 && cl->dim < TQ_MAX_DIMS)
		v = c->dim[cl->dim];
	else
		return false;   /* a clause on no dimension can never hold */
	if (v == 0)
		return false;   /* an absent (or unknown) value matches no list */
	for (size_t k = 0; k < cl->n; k++)
		if (cl->ids[k] == v)
			return true;
	return false;
}

/*
 * True when every clause of f holds for c (a filter with no clauses matches
 * every known combo). A combo with event 0 — unknown names, see
 * combo_parse() — matches no filter.
 */
bool
filter_match(const struct filter *f, const struct combo *c)
{
	if (c->event == 0)
		return false;
	for (size_t k = 0; k < f->n; k++)
		if (!clause_holds(&f->c[k], c))
			return false;
	return true;
}
