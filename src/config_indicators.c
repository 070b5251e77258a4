/*
 * config_indicators.c — the indicators section of teleqd.yaml: filters
 * (what an indicator counts: only what some feed produces), targets,
 * deadline rules, and the scalar keys of an indicator by a key table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"
#include "core.h"
#include "cohort.h"
#include "indicator.h"
#include "tq_config.h"

/* -------------------------------------------------------------- indicators */

/* True when rule r can ever give id. */
static bool
rule_can(const struct rule *r, uint16_t id)
{
	if (r->kind == RULE_CONST)
		return r->const_id == id;
	if (r->kind == RULE_FIELD)
		for (size_t i = 0; i < r->nmap; i++)
			if (r->to[i] == id)
				return true;
	return false;
}

/* True when feed fc can produce an event that matches every clause of f. */
static bool
feed_can(const struct feed_conf *fc, const struct filter *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct clause *cl = &f->c[i];
		const struct rule *r = cl->dim < 0 ? &fc->event : &fc->dims[cl->dim];
		bool any = false;

		for (size_t j = 0; j < cl->n && !any; j++)
			any = rule_can(r, cl->ids[j]);
		if (!any)
			return false;
	}
	return true;
}

/* Lists the dimension names into buf for a message. */
static const char *
dim_list(const struct config *cfg, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t d = 0; d < cfg->ndims && o < len; d++) {
		int w = snprintf(buf + o, len - o, "%s%s", d ? ", " : "", cfg->dims[d].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return cfg->ndims ? buf : "none";
}

/* Parses the values of one filter clause: a name or a sequence of names. */
static int
parse_clause(struct ctx *c, const yaml_node_t *key, const yaml_node_t *n,
             struct clause *cl)
{
	const struct config *cfg = c->cfg;
	size_t count = 1;
	char buf[64];
	int r;

	if (n->type == YAML_SEQUENCE_NODE) {
		count = cf_seq_len(n);
		if (count == 0)
			return fail(c, n, "'%s' lists no values", cf_sv(key));
		if (count > TQ_MAX_VALUES)
			return fail(c, n, "'%s' lists more than %d values", cf_sv(key), TQ_MAX_VALUES);
	} else if (n->type != YAML_SCALAR_NODE)
		return cf_fail_type(c, n, cf_sv(key), "a name or a sequence of names");
	cl->ids = calloc(count, sizeof(uint16_t));
	if (!cl->ids)
		return cf_oom(c);
	cl->n = count;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *v = n->type == YAML_SEQUENCE_NODE ?
		                       cf_child(c, n->data.sequence.items.start[i]) : n;
		const char *s;
		size_t len;

		r = cf_get_text(c, v, cf_sv(key), CFG_MAX_NAME + 16, &s, &len);
		if (r < 0)
			return r;
		cl->ids[i] = config_value_id(cfg, cl->dim, s, len);
		/* everything a feed produces is interned: unknown = always 0 */
		if (!cl->ids[i]) {
			if (cl->dim < 0)
				return fail(c, v, "filter on event '%s', which no feed produces",
				            cf_shown(s, len, buf));
			return fail(c, v, "filter on %s '%s', a value no feed produces",
			            cfg->dims[cl->dim].name, cf_shown(s, len, buf));
		}
		for (size_t j = 0; j < i; j++)
			if (cl->ids[j] == cl->ids[i])
				return fail(c, v, "'%s' is listed twice", cf_shown(s, len, buf));
	}
	return 0;
}

/* Orders clauses: the event first, then dimensions by index. */
static void
sort_clauses(struct filter *f)
{
	for (size_t i = 1; i < f->n; i++)
		for (size_t j = i; j > 0 && f->c[j - 1].dim > f->c[j].dim; j--) {
			struct clause t = f->c[j];
			f->c[j] = f->c[j - 1];
			f->c[j - 1] = t;
		}
}

/*
 * A filter: { event: kinds, dimension: values, ... }. It must name an event
 * kind, and everything it names must be produced by some feed; one feed
 * must be able to satisfy all clauses at once, or the count is always 0.
 */
static int
parse_filter(struct ctx *c, const yaml_node_t *n, const char *what, struct filter *f)
{
	const struct config *cfg = c->cfg;
	bool has_event = false, producible = false;
	char buf[64], list[160];
	size_t i = 0;
	int r;

	if (n->type != YAML_MAPPING_NODE)
		return cf_fail_type(c, n, what, "a mapping");
	if (cf_map_len(n) == 0)
		return fail(c, n, "%s must name an event", what);
	if (cf_map_len(n) > 1 + TQ_MAX_DIMS)
		return fail(c, n, "%s has more than %d clauses", what, 1 + TQ_MAX_DIMS);
	f->c = calloc(cf_map_len(n), sizeof(*f->c));
	if (!f->c)
		return cf_oom(c);
	f->n = cf_map_len(n);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++, i++) {
		yaml_node_t *k = cf_child(c, p->key);
		struct clause *cl = &f->c[i];
		const char *s;
		size_t len;

		r = cf_get_text(c, k, "a filter key", CFG_MAX_NAME + 16, &s, &len);
		if (r < 0)
			return r;
		if (!strcmp(s, "event")) {
			cl->dim = -1;
			has_event = true;
		} else {
			size_t d;

			for (d = 0; d < cfg->ndims; d++)
				if (!strcmp(cfg->dims[d].name, s))
					break;
			if (d == cfg->ndims)
				return fail(c, k, "filter on dimension '%s', which no feed produces "
				            "(known: %s)", cf_shown(s, len, buf),
				            dim_list(cfg, list, sizeof(list)));
			cl->dim = (int)d;
		}
		for (size_t j = 0; j < i; j++)
			if (f->c[j].dim == cl->dim)
				return fail(c, k, "duplicate key '%s' in %s", s, what);
		r = parse_clause(c, k, cf_child(c, p->value), cl);
		if (r < 0)
			return r;
	}
	if (!has_event)
		return fail(c, n, "%s must name an event", what);
	sort_clauses(f);
	for (size_t fi = 0; fi < cfg->nfeeds && !producible; fi++)
		producible = feed_can(&cfg->feeds[fi], f);
	if (!producible)
		return fail(c, n, "no single feed produces events matching this %s, so it would "
		            "always be 0", what);
	return 0;
}

/* The filter under key what of indicator node n, which must be there (v: its value or NULL). */
static int
parse_required_filter(struct ctx *c, const yaml_node_t *n, const yaml_node_t *v, const char *what,
                      struct filter *f)
{
	if (!v)
		return cf_fail_missing(c, n, what, "indicator");
	return parse_filter(c, v, what, f);
}

/*
 * True when every event matching num also matches den: each clause of den
 * has a clause on the same key in num whose values are all in den's. Else
 * a ratio could exceed 100 %.
 */
static bool
filter_within(const struct filter *num, const struct filter *den)
{
	for (size_t i = 0; i < den->n; i++) {
		const struct clause *dc = &den->c[i], *nc = NULL;

		for (size_t j = 0; j < num->n && !nc; j++)
			if (num->c[j].dim == dc->dim)
				nc = &num->c[j];
		if (!nc)
			return false;
		for (size_t j = 0; j < nc->n; j++) {
			bool in = false;

			for (size_t k = 0; k < dc->n && !in; k++)
				in = nc->ids[j] == dc->ids[k];
			if (!in)
				return false;
		}
	}
	return true;
}

/*
 * target: "<op> <number>[%]" with op one of >= > <= <, e.g. ">= 0.55" or
 * "> 5%". The number is decimal (no exponent, at most 15 digits), see
 * read_decimal and decimal_value.
 */
static int
read_target(struct ctx *c, const yaml_node_t *n, enum cmp *ret_cmp, double *ret_v,
            bool *ret_pct)
{
	char buf[64];
	const char *s;
	size_t len, i = 0, scale = 0;
	uint64_t m = 0;
	bool neg = false, pct = false;
	double v;
	enum cmp op;
	int r;

	r = cf_get_text(c, n, "target", CFG_MAX_SHORT, &s, &len);
	if (r < 0)
		return r;
	while (s[i] == ' ')
		i++;
	if (s[i] == '>' || s[i] == '<') {
		bool ge = s[i] == '>';

		if (s[i + 1] == '=') {
			op = ge ? CMP_GE : CMP_LE;
			i += 2;
		} else {
			op = ge ? CMP_GT : CMP_LT;
			i++;
		}
	} else
		goto bad;
	while (s[i] == ' ')
		i++;
	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	if (!cf_read_decimal(s, &i, &m, &scale))
		goto bad;
	while (s[i] == ' ')
		i++;
	if (s[i] == '%') {
		scale += 2;
		pct = true;
		i++;
	}
	while (s[i] == ' ')
		i++;
	if (i != len)
		goto bad;
	v = cf_decimal_value(m, scale);
	if (neg)
		v = -v;
	*ret_cmp = op;
	*ret_v = v;
	*ret_pct = pct;
	return 0;
bad:
	return fail(c, n, "bad target '%s': expected an operator (>=, >, <=, <) and a fraction or "
	            "a percentage, like \">= 0.55\" or \"> 5%%\"", cf_shown(s, len, buf));
}

/* The target of a ratio or deadline (ratio) or growth indicator, in its range. */
static int
parse_target(struct ctx *c, const yaml_node_t *n, bool ratio, struct indicator *ind)
{
	char buf[64];
	const char *s = cf_sv(n);
	size_t len = strlen(s);
	double v;
	enum cmp op;
	bool pct;
	int r;

	if ((r = read_target(c, n, &op, &v, &pct)) < 0)
		return r;
	if (ratio && (v < 0.0 || v > 1.0))
		return fail(c, n, "a ratio target must be between 0 and 1 (0%% and 100%%), not '%s'",
		            cf_shown(s, len, buf));
	if (!ratio && (v < -1.0 || v > 100.0))
		return fail(c, n, "a growth target must be between -1 and 100 (-100%% and 10000%%), "
		            "not '%s'", cf_shown(s, len, buf));
	ind->cmp = op;
	ind->target = v;
	return 0;
}

/* within / extend_by: a deadline span (dl_parse: 24h, 7d, 2w). */
static int
get_span(struct ctx *c, const yaml_node_t *n, const char *what, struct dl_span *ret)
{
	const char *s;
	size_t len;
	char buf[64];
	int r;

	if ((r = cf_get_text(c, n, what, 64, &s, &len)) < 0)
		return r;
	r = dl_parse(s, len, ret);
	if (r == -ERANGE)
		return fail(c, n, "%s '%s' is out of range: 1-%d hours, 1-%d days or 1-%d weeks", what,
		            cf_shown(s, len, buf), DL_MAX_HOURS, DL_MAX_DAYS, DL_MAX_WEEKS);
	if (r < 0)
		return fail(c, n, "bad %s '%s': expected hours, days or weeks like 24h, 7d, 2w", what,
		            cf_shown(s, len, buf));
	return 0;
}

/*
 * The keys of a deadline indicator: start, stop (filters of the events that
 * start and stop a case's clock), within (the span), and optionally extend
 * (the events that postpone the deadline) with extend_by (the amount, for an
 * extension that carries no date). other is a numerator, denominator or
 * count given by mistake (NULL when none).
 */
static int
parse_deadline(struct ctx *c, const yaml_node_t *n, const yaml_node_t *start,
               const yaml_node_t *stop, const yaml_node_t *extend, const yaml_node_t *within,
               const yaml_node_t *extend_by, const yaml_node_t *other, struct indicator *ind)
{
	int r;

	if (other)
		return fail(c, other, "a deadline indicator has start, stop and within, not "
		            "numerator, denominator or count");
	if (!start)
		return cf_fail_missing(c, n, "start", "deadline indicator");
	if (!stop)
		return cf_fail_missing(c, n, "stop", "deadline indicator");
	if (!within)
		return cf_fail_missing(c, n, "within", "deadline indicator");
	if ((r = parse_filter(c, start, "start", &ind->start)) < 0 ||
	    (r = parse_filter(c, stop, "stop", &ind->stop)) < 0 ||
	    (extend && (r = parse_filter(c, extend, "extend", &ind->extend)) < 0) ||
	    (r = get_span(c, within, "within", &ind->rule.within)) < 0)
		return r;
	if (extend_by) {
		if (!extend)
			return fail(c, extend_by, "extend_by needs extend (the events that postpone)");
		if ((r = get_span(c, extend_by, "extend_by", &ind->rule.extend_by)) < 0)
			return r;
	}
	return 0;
}

/* Fails at n when name s is taken by an indicator or a manual one parsed before. */
static int
check_unique(struct ctx *c, const yaml_node_t *n, const char *s)
{
	const struct config *cfg = c->cfg;

	for (size_t i = 0; i < c->nind_done; i++)
		if (!strcmp(cfg->indicators[i].name, s))
			return fail(c, n, "duplicate indicator name '%s' (first at line %d)", s,
			            c->ind_line[i]);
	for (size_t i = 0; i < c->nman_done; i++)
		if (!strcmp(cfg->manuals[i].name, s))
			return fail(c, n, "duplicate indicator name '%s' (first at line %d)", s,
			            c->man_line[i]);
	return 0;
}

/* A report text of key what (title, heading) at n into *ret: no control characters. */
static int
get_text(struct ctx *c, const yaml_node_t *n, const char *what, char **ret)
{
	const char *s;
	size_t len;
	int r;

	if ((r = cf_get_text(c, n, what, CFG_MAX_TITLE, &s, &len)) < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(c, n, "%s must not contain control characters", what);
	return cf_get_str(c, n, what, CFG_MAX_TITLE, ret);
}

/* The title (n, may be NULL: the name) into *ret: no control characters. */
static int
get_title(struct ctx *c, const yaml_node_t *n, const char *name, char **ret)
{
	if (!n)
		return (*ret = strdup(name)) ? 0 : cf_oom(c);
	return get_text(c, n, "title", ret);
}

/* The heading (n, may be NULL: none) into *ret, as a title. */
static int
get_heading(struct ctx *c, const yaml_node_t *n, char **ret)
{
	*ret = NULL;
	if (n && n->type == YAML_SCALAR_NODE && cf_sv(n)[0] == '\0')
		return fail(c, n, "heading must not be empty (leave it out for none)");
	return n ? get_text(c, n, "heading", ret) : 0;
}

/* section: which table of the follow-up a row goes in (tq_config.h). */
static const struct enum_name sections[] = { { "malstyrning", SECTION_GOALS },
                                             { "kvalitetsstyrning", SECTION_QUALITY } };

/* The keys of an indicator (the order of the table does not matter: parse_indicator reads). */
enum { K_NAME, K_TITLE, K_KIND, K_NUMERATOR, K_DENOMINATOR, K_COUNT, K_TARGET, K_COMBINE,
       K_CADENCE, K_MIN_DENOMINATOR, K_EARLY_WARNING, K_START, K_STOP, K_EXTEND, K_WITHIN,
       K_EXTEND_BY, K_SECTION, K_HEADING, K__N };
static const struct enum_name kinds[] = { { "ratio", IND_RATIO }, { "growth", IND_GROWTH },
                                          { "deadline", IND_DEADLINE } };
static const struct enum_name combines[] = { { "pooled", COMBINE_POOLED },
                                             { "mean_of_months", COMBINE_MEAN_OF_MONTHS } };
static const struct enum_name cadences[] = { { "monthly", CADENCE_MONTH },
                                             { "quarterly", CADENCE_QUARTER },
                                             { "half_yearly", CADENCE_HALF },
                                             { "yearly", CADENCE_YEAR } };
static const struct conf_key ind_keys[K__N] = {
	[K_NAME] = { .name = "name", .type = CT_MANUAL, .required = true },
	[K_TITLE] = { .name = "title", .type = CT_MANUAL },
	[K_KIND] = { .name = "kind", .type = CT_ENUM, CONF_FIELD(struct indicator, kind),
	             .names = kinds, .nnames = CONF_N(kinds), .def = IND_RATIO },
	[K_NUMERATOR] = { .name = "numerator", .type = CT_MANUAL },
	[K_DENOMINATOR] = { .name = "denominator", .type = CT_MANUAL },
	[K_COUNT] = { .name = "count", .type = CT_MANUAL },
	[K_TARGET] = { .name = "target", .type = CT_MANUAL },
	[K_COMBINE] = { .name = "combine", .type = CT_ENUM, CONF_FIELD(struct indicator, combine),
	                .names = combines, .nnames = CONF_N(combines), .def = COMBINE_POOLED },
	[K_CADENCE] = { .name = "cadence", .type = CT_ENUM, CONF_FIELD(struct indicator, cadence),
	                .names = cadences, .nnames = CONF_N(cadences), .def = CADENCE_MONTH },
	[K_MIN_DENOMINATOR] = { .name = "min_denominator", .type = CT_UINT,
	                        CONF_FIELD(struct indicator, min_denominator), .min = 0,
	                        .max = 1000000000, .def = 0 },
	/* the default depends on the kind: see parse_indicator */
	[K_EARLY_WARNING] = { .name = "early_warning", .type = CT_BOOL,
	                      CONF_FIELD(struct indicator, early_warning) },
	[K_START] = { .name = "start", .type = CT_MANUAL },
	[K_STOP] = { .name = "stop", .type = CT_MANUAL },
	[K_EXTEND] = { .name = "extend", .type = CT_MANUAL },
	[K_WITHIN] = { .name = "within", .type = CT_MANUAL },
	[K_EXTEND_BY] = { .name = "extend_by", .type = CT_MANUAL },
	[K_SECTION] = { .name = "section", .type = CT_ENUM, CONF_FIELD(struct indicator, section),
	                .names = sections, .nnames = CONF_N(sections), .def = SECTION_AUTO },
	[K_HEADING] = { .name = "heading", .type = CT_MANUAL },
};
static const struct conf_section ind_section = {
	.what = "indicator", .keys = ind_keys, .nkeys = K__N };

/* One indicator mapping; see conf/teleqd.yaml for the keys. */
static int
parse_indicator(struct ctx *c, const yaml_node_t *n, struct indicator *ind)
{
	yaml_node_t *v[K__N];
	char buf[64];
	const char *s;
	size_t len;
	int r;

	if ((r = conf_take(c, n, &ind_section, v)) < 0 || (r = conf_defaults(c, &ind_section, ind)) < 0)
		return r;
	r = cf_get_text(c, v[K_NAME], "indicator name", 1024, &s, &len);
	if (r < 0)
		return r;
	if (!cf_name_ok(s, len, CFG_MAX_NAME, false, "_"))
		return fail(c, v[K_NAME], "bad indicator name '%s': use 1-%d of a-z 0-9 _",
		            cf_shown(s, len, buf), CFG_MAX_NAME);
	if ((r = check_unique(c, v[K_NAME], s)) < 0)
		return r;
	if ((r = cf_get_str(c, v[K_NAME], "name", CFG_MAX_NAME, &ind->name)) < 0)
		return r;
	if ((r = conf_apply(c, &ind_section, K_KIND, K_KIND + 1, v, ind)) < 0)
		return r;
	if ((r = get_title(c, v[K_TITLE], ind->name, &ind->title)) < 0 ||
	    (r = get_heading(c, v[K_HEADING], &ind->heading)) < 0 ||
	    (r = conf_apply(c, &ind_section, K_SECTION, K_SECTION + 1, v, ind)) < 0)
		return r;

	if (ind->kind != IND_DEADLINE) {
		static const int only[] = { K_START, K_STOP, K_EXTEND, K_WITHIN, K_EXTEND_BY };

		for (size_t k = 0; k < sizeof(only) / sizeof(only[0]); k++)
			if (v[only[k]])
				return fail(c, v[only[k]], "%s is for deadline indicators",
				            ind_keys[only[k]].name);
	}
	if (ind->kind == IND_DEADLINE) {
		if ((r = parse_deadline(c, n, v[K_START], v[K_STOP], v[K_EXTEND], v[K_WITHIN],
		    v[K_EXTEND_BY], v[K_NUMERATOR] ? v[K_NUMERATOR] : v[K_DENOMINATOR] ?
		    v[K_DENOMINATOR] : v[K_COUNT], ind)) < 0)
			return r;
	} else if (ind->kind == IND_RATIO) {
		if (v[K_COUNT])
			return fail(c, v[K_COUNT], "count is for growth indicators; a ratio has "
			            "numerator and denominator");
		if ((r = parse_required_filter(c, n, v[K_NUMERATOR], "numerator", &ind->num)) < 0)
			return r;
		if ((r = parse_required_filter(c, n, v[K_DENOMINATOR], "denominator", &ind->den)) < 0)
			return r;
		if (!filter_within(&ind->num, &ind->den))
			return fail(c, v[K_NUMERATOR], "numerator must be a part of the denominator: "
			            "restrict every key of the denominator to some of its values");
	} else {
		const yaml_node_t *extra = v[K_NUMERATOR] ? v[K_NUMERATOR] : v[K_DENOMINATOR];

		if (extra)
			return fail(c, extra, "a growth indicator has count, not numerator and "
			            "denominator");
		if ((r = parse_required_filter(c, n, v[K_COUNT], "count", &ind->num)) < 0)
			return r;
	}
	if (!v[K_TARGET])
		return cf_fail_missing(c, n, "target", "indicator");
	if ((r = parse_target(c, v[K_TARGET], ind->kind != IND_GROWTH, ind)) < 0)
		return r;
	if ((r = conf_apply(c, &ind_section, K_COMBINE, K_COMBINE + 1, v, ind)) < 0)
		return r;
	/* a growth compares two pooled totals; a mean of monthly growths is not defined */
	if (ind->kind == IND_GROWTH && ind->combine != COMBINE_POOLED)
		return fail(c, v[K_COMBINE], "a growth indicator is always pooled");
	if ((r = conf_apply(c, &ind_section, K_CADENCE, K_MIN_DENOMINATOR + 1, v, ind)) < 0)
		return r;
	/* month-to-date warnings suit a share; a growth is only known at the period's end,
	 * a deadline share only as its cases are decided */
	ind->early_warning = ind->kind == IND_RATIO;
	return conf_apply(c, &ind_section, K_EARLY_WARNING, K_EARLY_WARNING + 1, v, ind);
}

/* ------------------------------------------------------ manual indicators */

/* The keys of a manual indicator; anything a counted one has is an error. */
enum { M_NAME, M_TITLE, M_KIND, M_TARGET, M_UNIT, M_SECTION, M_HEADING, M__N };
static const char *const man_keys[M__N] = { "name", "title", "kind", "target", "unit",
                                            "section", "heading" };
static const struct enum_name units[] = { { "count", UNIT_COUNT }, { "percent", UNIT_PERCENT },
                                          { "kr", UNIT_KR } };
#define MANUAL_TARGET_MAX 1e12  /* |target| of a manual indicator (kronor) */

/*
 * A manual indicator: name, title, kind: manual, unit (count, percent or
 * kr; default count) and target, absent or "none" for a row never judged.
 * A percent target carries '%' ("> 50%", kept as 50 points); a count or
 * kronor one has none ("> 3", ">= 0"); a count target is not negative.
 */
static int
parse_manual(struct ctx *c, const yaml_node_t *n, struct manual_ind *m)
{
	yaml_node_t *v[M__N];
	char buf[64];
	const char *s;
	size_t len;
	int unit = UNIT_COUNT, r;
	bool pct;

	if ((r = cf_take_keys(c, n, "a manual indicator (name, title, kind, target, unit, "
	                      "section, heading)",
	                      man_keys, M__N, v)) < 0)
		return r;
	if (!v[M_NAME])
		return cf_fail_missing(c, n, "name", "indicator");
	if ((r = cf_get_text(c, v[M_NAME], "indicator name", 1024, &s, &len)) < 0)
		return r;
	if (!cf_name_ok(s, len, CFG_MAX_NAME, false, "_"))
		return fail(c, v[M_NAME], "bad indicator name '%s': use 1-%d of a-z 0-9 _",
		            cf_shown(s, len, buf), CFG_MAX_NAME);
	if ((r = check_unique(c, v[M_NAME], s)) < 0 ||
	    (r = cf_get_str(c, v[M_NAME], "name", CFG_MAX_NAME, &m->name)) < 0 ||
	    (r = get_title(c, v[M_TITLE], m->name, &m->title)) < 0 ||
	    (r = get_heading(c, v[M_HEADING], &m->heading)) < 0)
		return r;
	if (v[M_SECTION]) {
		int sec;

		if ((r = cf_get_enum(c, v[M_SECTION], "section", sections, CONF_N(sections), &sec)) < 0)
			return r;
		m->section = (enum ind_section)sec;
	}
	if (v[M_UNIT] && (r = cf_get_enum(c, v[M_UNIT], "unit", units, CONF_N(units), &unit)) < 0)
		return r;
	m->unit = (enum manual_unit)unit;
	if (!v[M_TARGET] || (v[M_TARGET]->type == YAML_SCALAR_NODE &&
	    !strcmp(cf_sv(v[M_TARGET]), "none")))
		return 0;
	if ((r = read_target(c, v[M_TARGET], &m->cmp, &m->target, &pct)) < 0)
		return r;
	s = cf_sv(v[M_TARGET]);
	len = strlen(s);
	if (m->unit == UNIT_PERCENT && !pct)
		return fail(c, v[M_TARGET], "a percent target is a percentage like \"> 50%%\", "
		            "not '%s'", cf_shown(s, len, buf));
	if (m->unit != UNIT_PERCENT && pct)
		return fail(c, v[M_TARGET], "a %s target is a number without %%, not '%s'",
		            m->unit == UNIT_KR ? "kr" : "count", cf_shown(s, len, buf));
	if (pct)
		m->target *= 100.0;     /* read_target made "50%" 0.5: the unit is points */
	if (m->unit == UNIT_COUNT && m->target < 0)
		return fail(c, v[M_TARGET], "a count target must not be negative, not '%s'",
		            cf_shown(s, len, buf));
	if (m->target > MANUAL_TARGET_MAX || m->target < -MANUAL_TARGET_MAX)
		return fail(c, v[M_TARGET], "target '%s' is out of range (at most %.0f either way)",
		            cf_shown(s, len, buf), MANUAL_TARGET_MAX);
	m->has_target = true;
	return 0;
}

/* True when indicator mapping n says kind: manual (other problems are parse_*'s). */
static bool
is_manual(struct ctx *c, const yaml_node_t *n)
{
	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = cf_child(c, p->key), *v = cf_child(c, p->value);

		if (k->type == YAML_SCALAR_NODE && !strcmp(cf_sv(k), "kind") &&
		    v->type == YAML_SCALAR_NODE && !strcmp(cf_sv(v), "manual"))
			return true;
	}
	return false;
}

/* indicators: a sequence of 0..64 indicator mappings with unique names. */
int
cf_parse_indicators(struct ctx *c, const yaml_node_t *n, void *base)
{
	struct config *cfg = base;
	size_t count, nman = 0;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return cf_fail_type(c, n, "indicators", "a sequence");
	count = cf_seq_len(n);
	if (count > CFG_MAX_INDS)
		return fail(c, n, "more than %d indicators", CFG_MAX_INDS);
	if (count == 0)
		return 0;
	/* manual ones go to their own array: nothing that counts ever sees them */
	for (size_t i = 0; i < count; i++)
		nman += is_manual(c, cf_child(c, n->data.sequence.items.start[i]));
	if (count > nman && !(cfg->indicators = calloc(count - nman, sizeof(*cfg->indicators))))
		return cf_oom(c);
	cfg->nindicators = count - nman;
	if (nman && !(cfg->manuals = calloc(nman, sizeof(*cfg->manuals))))
		return cf_oom(c);
	cfg->nmanuals = nman;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = cf_child(c, n->data.sequence.items.start[i]);
		int line = (int)item->start_mark.line + 1;

		if (is_manual(c, item)) {
			c->man_line[c->nman_done] = line;
			r = parse_manual(c, item, &cfg->manuals[c->nman_done]);
			c->nman_done++;
		} else {
			c->ind_line[c->nind_done] = line;
			r = parse_indicator(c, item, &cfg->indicators[c->nind_done]);
			c->nind_done++;
		}
		if (r < 0)
			return r;
	}
	return 0;
}
