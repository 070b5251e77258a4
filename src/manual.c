/*
 * manual.c — manual indicators (kind: manual) and the samordnare's notes:
 * the VALUE and note rules of `teleqctl set` / `teleqctl note`, the plain
 * form stored in Redis, the Swedish display form, and the verdict. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "manual.h"
#include "report.h"
#include "tq_config.h"
#include "utf8.h"

#define MINUS_U2212 "\xE2\x88\x92"

/* See manual.h. */
int
manual_parse_value(const char *s, enum manual_unit u, double *ret)
{
	static const double pow10[] = { 1, 10, 100 };
	size_t len, i = 0, digits = 0, decimals = 0;
	unsigned long long m = 0;
	bool neg = false, point = false;
	double v;

	if (!s || (len = strnlen(s, MANUAL_VALUE_MAX + 1)) == 0 || len > MANUAL_VALUE_MAX)
		return -EINVAL;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	} else if (!strncmp(s, MINUS_U2212, 3)) {
		neg = true;
		i = 3;
	}
	if (neg && u == UNIT_COUNT)
		return -EINVAL;         /* a count is never negative */
	for (; i < len; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9') {
			/* leading zeros are not significant */
			if (m == 0 && ch == '0' && !point) {
				digits += digits > 0;
			} else if (++digits > MANUAL_DIGITS_MAX) {
				return -EINVAL;
			}
			if (point && ++decimals > MANUAL_DECIMALS)
				return -EINVAL;
			m = m * 10 + (unsigned long long)(ch - '0');
		} else if ((ch == '.' || ch == ',') && !point && i > 0 && s[i - 1] >= '0' &&
		           s[i - 1] <= '9' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
			if (u == UNIT_COUNT)
				return -EINVAL;
			point = true;
		} else {
			break;
		}
	}
	if (i == 0 || (neg && i == (s[0] == '-' ? 1u : 3u)) || !(s[i - 1] >= '0' && s[i - 1] <= '9'))
		return -EINVAL;
	if (i < len) {
		/* only a percent sign may follow, with at most one space before it */
		if (u != UNIT_PERCENT)
			return -EINVAL;
		if (s[i] == ' ')
			i++;
		if (i + 1 != len || s[i] != '%')
			return -EINVAL;
	}
	/* m < 10^15 < 2^53 and the divisor exact: the quotient is correctly rounded */
	v = (double)m / pow10[decimals];
	*ret = neg && m ? -v : v;
	return 0;
}

/* See manual.h. */
void
manual_fmt_plain(char *buf, size_t len, double v)
{
	char *e;

	snprintf(buf, len, "%.*f", MANUAL_DECIMALS, v);
	if (!strchr(buf, '.'))
		return;
	for (e = buf + strlen(buf) - 1; *e == '0'; e--)
		*e = '\0';
	if (*e == '.')
		*e = '\0';
	if (!strcmp(buf, "-0"))
		snprintf(buf, len, "0");
}

/* See manual.h. */
void
manual_fmt_value(char *buf, size_t len, enum manual_unit u, double v)
{
	char plain[48], out[96];
	const char *dot, *digits;
	size_t o = 0, nint;
	bool group;

	if (len == 0)
		return;
	manual_fmt_plain(plain, sizeof(plain), v);
	digits = plain[0] == '-' ? plain + 1 : plain;
	dot = strchr(digits, '.');
	nint = dot ? (size_t)(dot - digits) : strlen(digits);
	/* "150 000 kr": Swedish groups of three, from 5 digits on for a count */
	group = u == UNIT_KR ? nint > 3 : nint > 4;
	if (plain[0] == '-')
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", MINUS_U2212);
	for (size_t i = 0; i < nint; i++) {
		if (group && i > 0 && (nint - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = digits[i];
	}
	if (dot) {
		out[o++] = ',';
		for (const char *p = dot + 1; *p; p++)
			out[o++] = *p;
	}
	out[o] = '\0';
	snprintf(buf, len, "%s%s", out, u == UNIT_KR ? " kr" : u == UNIT_PERCENT ? " %" : "");
}

/* See manual.h. */
void
manual_fmt_target(char *buf, size_t len, const struct manual_ind *m)
{
	char v[96];

	if (!m->has_target) {
		snprintf(buf, len, "%s", REPORT_DASH);
		return;
	}
	manual_fmt_value(v, sizeof(v), m->unit, m->target);
	snprintf(buf, len, "%s %s", report_cmp_sign(m->cmp), v);
}

/* See manual.h. */
int
manual_met(const struct manual_ind *m, bool has_value, double v)
{
	if (!m->has_target || !has_value || !isfinite(v))
		return -1;
	switch (m->cmp) {
	case CMP_GE: return v >= m->target;
	case CMP_GT: return v > m->target;
	case CMP_LE: return v <= m->target;
	case CMP_LT: return v < m->target;
	}
	return -1;
}

/* See manual.h. */
int
manual_note_check(const char *s, size_t len)
{
	if (len > MANUAL_NOTE_MAX)
		return -E2BIG;
	if (!utf8_valid(s, len))
		return -EILSEQ;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
			return -EINVAL;
		/* U+0080..U+009F (C1 controls) are C2 80..C2 9F in valid UTF-8 */
		if (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
			return -EINVAL;
	}
	return 0;
}

/* See manual.h. */
const char *
manual_unit_name(enum manual_unit u)
{
	switch (u) {
	case UNIT_COUNT:   return "count";
	case UNIT_PERCENT: return "percent";
	case UNIT_KR:      return "kr";
	}
	return "?";
}

/* See manual.h. */
const struct manual_ind *
manual_find(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nmanuals; i++)
		if (!strcmp(cfg->manuals[i].name, name))
			return &cfg->manuals[i];
	return NULL;
}

/* *dst = a copy of s[0..len) (replacing what it held). 0 or -ENOMEM. */
static int
set_text(char **dst, const char *s, size_t len)
{
	char *t = malloc(len + 1);

	if (!t)
		return -ENOMEM;
	memcpy(t, s, len);
	t[len] = '\0';
	free(*dst);
	*dst = t;
	return 0;
}

/* See manual.h. */
int
manual_read_field(const struct config *cfg, struct report *rep, bool cur, const char *f,
                  size_t flen, const char *v, size_t vlen)
{
	const char *colon = memchr(f, ':', flen);
	size_t nlen = colon ? (size_t)(colon - f) : flen;
	size_t slen = colon ? flen - nlen : 0;
	bool analys = slen == 7 && !memcmp(colon, ":analys", 7);
	bool prognos = slen == 8 && !memcmp(colon, ":prognos", 8);

	if (colon && (!cur || (!analys && !prognos)))
		return 0;
	for (size_t j = 0; j < rep->nmanual && j < cfg->nmanuals; j++) {
		const struct manual_ind *m = &cfg->manuals[j];
		struct manual_result *mr = &rep->m[j];
		char val[MANUAL_VALUE_MAX + 1];
		double d;

		if (strlen(m->name) != nlen || memcmp(m->name, f, nlen) != 0)
			continue;
		if (colon)
			return set_text(analys ? &mr->analys : &mr->prognos, v, vlen);
		if (vlen > MANUAL_VALUE_MAX)
			return 1;
		memcpy(val, v, vlen);
		val[vlen] = '\0';
		if (manual_parse_value(val, m->unit, &d) < 0)
			return 1;
		if (cur) {
			mr->has_value = true;
			mr->value = d;
			mr->met = manual_met(m, true, d);
		} else {
			mr->prev_has_value = true;
			mr->prev_value = d;
			mr->prev_met = manual_met(m, true, d);
		}
		return 0;
	}
	for (size_t i = 0; colon && rep->notes && i < rep->n && i < cfg->nindicators; i++) {
		const char *name = cfg->indicators[i].name;

		if (strlen(name) == nlen && !memcmp(name, f, nlen))
			return set_text(analys ? &rep->notes[i].analys : &rep->notes[i].prognos, v, vlen);
	}
	return 0;
}
