/*
 * cases.c — the daemon's table of case states for the deadline indicators
 * (kind: deadline), between the mapped events and the batch.
 *
 * cohort.c decides one case; this module keeps every case the store holds
 * (K cases:<indicator>, loaded by the handshake) plus what was read since,
 * applies each event with a case id to the deadline indicators whose start,
 * stop or extend filter it matches, and puts into the filling batch the
 * counter changes (case_report: met / missed / pending per start month) at
 * once and the changed states at commit time (cases_flush). A commit that
 * fails makes the daemon clear the table and reload it with the positions,
 * so the table and the counters in Redis always agree.
 *
 * Time decides too: cases_tick reports the cases whose deadline passed
 * without a stop and deletes the states whose case_expiry passed (a case
 * is kept dedup.window_days after its latest event, so late and repeated
 * lines within the de-duplication window still find it; a line for a case
 * older than that starts a new one).
 *
 * No I/O: "now" is the caller's. The table is open addressing with linear
 * probing over (indicator, case id); deletion shifts the following entries
 * back, so there are no tombstones. The committee's volume (thousands of
 * cases a year) makes the full scans of cases_tick cheap; the earliest due
 * instant is cached and only recomputed by a scan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "batch.h"
#include "cases.h"
#include "cohort.h"
#include "map.h"
#include "tq_config.h"
#include "tz.h"
#include "grow.h"

#define CASES_MIN_CAP 64

struct centry {
	bool              used, dirty;
	uint16_t          ind;
	uint8_t           id[16];
	struct case_state st;
};

struct ckey {
	uint16_t ind;
	uint8_t  id[16];
};

struct cases {
	const struct config *cfg;
	const struct tz     *tz;
	struct centry       *tab;
	size_t               cap, n;       /* cap: power of two, 0 = none yet */
	size_t               ndirty;
	/* The keys marked dirty since the last flush, so a flush visits them
	 * only (not the whole table: it runs at every commit). A key whose
	 * entry went away meanwhile is skipped. */
	struct ckey         *dkeys;
	size_t               ndkeys, dkeys_cap;
	int64_t              keep_s;       /* how long a state outlives its latest event */
	int64_t              next;         /* no entry is due before this (may be early) */
};

/* True when cfg has a deadline indicator. */
bool
cases_wanted(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nindicators; i++)
		if (cfg->indicators[i].kind == IND_DEADLINE)
			return true;
	return false;
}

/* Creates an empty table for cfg's deadline indicators in zone tz. 0 or -ENOMEM. */
int
cases_new(const struct config *cfg, const struct tz *tz, struct cases **ret)
{
	struct cases *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return -ENOMEM;
	cs->cfg = cfg;
	cs->tz = tz;
	cs->keep_s = (int64_t)cfg->dedup.window_days * SECS_PER_DAY;
	cs->next = INT64_MAX;
	*ret = cs;
	return 0;
}

/* Frees cs; accepts NULL. */
void
cases_free(struct cases *cs)
{
	if (!cs)
		return;
	free(cs->tab);
	free(cs->dkeys);
	free(cs);
}

/* Forgets every case (the daemon reloads the committed ones). */
void
cases_clear(struct cases *cs)
{
	if (cs->tab)
		memset(cs->tab, 0, cs->cap * sizeof(*cs->tab));
	cs->n = 0;
	cs->ndirty = 0;
	cs->ndkeys = 0;
	cs->next = INT64_MAX;
}

/* Number of cases held. */
size_t
cases_count(const struct cases *cs)
{
	return cs->n;
}

/* Value of a letter of the case id encoding (a-p: 0-15), -1 otherwise. */
static int
hexval(char c)
{
	return c >= 'a' && c <= 'p' ? c - 'a' : -1;
}

/* Home slot of (ind, id) in a table of cap (a power of two) slots. */
static size_t
slot_of(uint16_t ind, const uint8_t id[16], size_t cap)
{
	uint64_t h;

	memcpy(&h, id, 8);             /* a keyed hash already: its bits are uniform */
	return (size_t)((h ^ ((uint64_t)ind * 0x9E3779B97F4A7C15ULL)) & (cap - 1));
}

/* Doubles the table. 0 or -ENOMEM (cs unchanged). */
static int
grow(struct cases *cs)
{
	size_t cap = cs->cap ? cs->cap * 2 : CASES_MIN_CAP, i, k;
	struct centry *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < cs->cap; i++) {
		if (!cs->tab[i].used)
			continue;
		for (k = slot_of(cs->tab[i].ind, cs->tab[i].id, cap); t[k].used; k = (k + 1) & (cap - 1))
			;
		t[k] = cs->tab[i];
	}
	free(cs->tab);
	cs->tab = t;
	cs->cap = cap;
	return 0;
}

/*
 * The entry of (ind, id): found, or (create) a new one with an empty state.
 * NULL when absent and not created, or on ENOMEM (*ret_err = -ENOMEM).
 */
static struct centry *
lookup(struct cases *cs, uint16_t ind, const uint8_t id[16], bool create, int *ret_err)
{
	size_t k;

	if (create && (cs->n + 1) * 4 > cs->cap * 3 && grow(cs) < 0) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	if (!cs->cap)
		return NULL;
	for (k = slot_of(ind, id, cs->cap); cs->tab[k].used; k = (k + 1) & (cs->cap - 1))
		if (cs->tab[k].ind == ind && !memcmp(cs->tab[k].id, id, 16))
			return &cs->tab[k];
	if (!create)
		return NULL;
	memset(&cs->tab[k], 0, sizeof(cs->tab[k]));
	cs->tab[k].used = true;
	cs->tab[k].ind = ind;
	memcpy(cs->tab[k].id, id, 16);
	case_init(&cs->tab[k].st);
	cs->n++;
	return &cs->tab[k];
}

/* Removes entry e, shifting the entries of its probe run back (no tombstones). */
static void
remove_entry(struct cases *cs, struct centry *e)
{
	size_t i = (size_t)(e - cs->tab), j = i, k;

	if (e->dirty)
		cs->ndirty--;
	for (;;) {
		cs->tab[i].used = false;
		for (;;) {
			j = (j + 1) & (cs->cap - 1);
			if (!cs->tab[j].used)
				return (void)cs->n--;
			k = slot_of(cs->tab[j].ind, cs->tab[j].id, cs->cap);
			/* j's entry may move to i when its home k is not in (i, j] cyclically */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		cs->tab[i] = cs->tab[j];
		i = j;
	}
}

/*
 * A state that counts in a month without its extension counted: one
 * stored by a teleqd before the extended counter (a lowercase r). Due at
 * once, so the next cases_tick counts it, with its state, in one commit.
 */
static bool
ext_unreported(const struct case_state *st)
{
	return st->reported != CASE_NOT_IN_COHORT && (st->ext_by_amount || st->has_ext_day) &&
	    !st->reported_ext;
}

/* When e is next due: now for an uncounted extension, its deadline passing while pending, or its expiry. */
static int64_t
due_of(const struct cases *cs, const struct centry *e)
{
	int64_t t = case_expiry(&e->st, cs->keep_s), d;

	if (ext_unreported(&e->st))
		return INT64_MIN;

	if (e->st.reported == CASE_PENDING && (d = case_next_decision(&e->st)) < t)
		t = d;
	return t;
}

/*
 * Marks e changed: its state goes into the next cases_flush. Returns 0 or
 * -ENOMEM (e is then not marked: the caller fails the whole operation).
 */
static int
touch(struct cases *cs, struct centry *e)
{
	int64_t d;

	if (!e->dirty) {
		if (GROW(cs->dkeys, cs->dkeys_cap, cs->ndkeys + 1, 64) < 0)
			return -ENOMEM;
		cs->dkeys[cs->ndkeys].ind = e->ind;
		memcpy(cs->dkeys[cs->ndkeys].id, e->id, 16);
		cs->ndkeys++;
		e->dirty = true;
		cs->ndirty++;
	}
	if ((d = due_of(cs, e)) < cs->next)
		cs->next = d;
	return 0;
}

/* case_report of e at now, its changes added to b. 0 or -ENOMEM. */
static int
report(struct cases *cs, struct centry *e, int64_t now, struct batch *b)
{
	struct cohort_change ch[2];
	int n = case_report(&e->st, now, ch), r;

	for (int i = 0; i < n; i++)
		if ((r = batch_cdelta(b, e->ind, ch[i].month, &ch[i].d)) < 0)
			return r;
	if (n > 0)
		return touch(cs, e);
	return 0;
}

/*
 * Loads one committed state of indicator ind (field: the case id as 32
 * letters a-p, 4 bits each, as store.c writes it; text: case_format). Returns 0, -EINVAL for a malformed field or
 * text (the caller logs and skips it), -ENOMEM.
 */
int
cases_load(struct cases *cs, size_t ind, const char *field, size_t flen, const char *text,
           size_t tlen)
{
	struct case_state st;
	struct centry *e;
	uint8_t id[16];
	int r = 0;

	if (ind >= cs->cfg->nindicators || cs->cfg->indicators[ind].kind != IND_DEADLINE ||
	    flen != 32)
		return -EINVAL;
	for (size_t i = 0; i < 16; i++) {
		int hi = hexval(field[2 * i]), lo = hexval(field[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	if (case_parse(text, tlen, &st) < 0)
		return -EINVAL;
	if (!(e = lookup(cs, (uint16_t)ind, id, true, &r)))
		return r;
	e->st = st;
	if (due_of(cs, e) < cs->next)
		cs->next = due_of(cs, e);
	return 0;
}

/*
 * Applies ev (which has a case id) to every deadline indicator whose start,
 * stop or extend filter matches it, reporting the case at now into b.
 * Returns 0 or -ENOMEM (b may hold part of the changes: the caller treats
 * it as fatal).
 */
int
cases_event(struct cases *cs, const struct event *ev, int64_t now, struct batch *b)
{
	const struct config *cfg = cs->cfg;
	int r = 0;

	if (!ev->has_case)
		return 0;
	for (size_t i = 0; i < cfg->nindicators; i++) {
		const struct indicator *ind = &cfg->indicators[i];
		struct centry *e;
		enum case_ev kind;

		if (ind->kind != IND_DEADLINE)
			continue;
		if (filter_match(&ind->start, &ev->c))
			kind = CASE_START;
		else if (filter_match(&ind->stop, &ev->c))
			kind = CASE_STOP;
		else if (ind->extend.n && filter_match(&ind->extend, &ev->c))
			kind = CASE_EXTEND;
		else
			continue;
		if (!(e = lookup(cs, (uint16_t)i, ev->case_id, true, &r)))
			return r;
		/* -EINVAL/-ERANGE: a time or date out of cohort.c's range; ignored */
		if (case_apply(&e->st, kind, ev->utc, kind == CASE_EXTEND ? ev->extend_day :
		    CASE_NO_DAY, &ind->rule, cs->tz) > 0 && (r = touch(cs, e)) < 0)
			return r;
		if ((r = report(cs, e, now, b)) < 0)
			return r;
		if (!e->dirty && e->st.reported == CASE_NOT_IN_COHORT && !e->st.has_start &&
		    !e->st.has_stop && !e->st.has_ext_day && !e->st.ext_by_amount)
			remove_entry(cs, e);      /* nothing applied: keep no empty state */
	}
	return 0;
}

/*
 * Time passed: reports every pending case whose deadline is behind now
 * (missed) and every loaded state whose extension is not counted yet
 * (ext_unreported), and deletes every state whose expiry is behind now (its
 * deletion goes into b). Returns 0 or -ENOMEM.
 */
int
cases_tick(struct cases *cs, int64_t now, struct batch *b)
{
	int64_t next = INT64_MAX, d;
	size_t i = 0;
	int r;

	if (now < cs->next)
		return 0;
	while (i < cs->cap) {
		struct centry *e = &cs->tab[i];

		if (!e->used) {
			i++;
			continue;
		}
		if (((e->st.reported == CASE_PENDING && case_next_decision(&e->st) <= now) ||
		     ext_unreported(&e->st)) && (r = report(cs, e, now, b)) < 0)
			return r;
		if (case_expiry(&e->st, cs->keep_s) <= now) {
			if ((r = batch_case(b, e->ind, e->id, "")) < 0)
				return r;
			remove_entry(cs, e);
			continue;       /* slot i now holds a shifted entry (or none): look again */
		}
		if ((d = due_of(cs, e)) < next)
			next = d;
		i++;
	}
	cs->next = next;
	return 0;
}

/* The earliest instant cases_tick has something to do (INT64_MAX: never). */
int64_t
cases_next(const struct cases *cs)
{
	return cs->next;
}

/*
 * Puts every state changed since the last flush into b (case_format text)
 * and marks them clean; visits only the changed ones. Returns 0 or -ENOMEM (the states not yet in b stay
 * marked).
 */
int
cases_flush(struct cases *cs, struct batch *b)
{
	char text[CASE_TEXT_MAX];
	int r;

	while (cs->ndkeys) {
		const struct ckey *k = &cs->dkeys[cs->ndkeys - 1];
		struct centry *e = lookup(cs, k->ind, k->id, false, &r);

		if (e && e->dirty) {
			/* case_format cannot fail on a state case_apply made */
			if (case_format(&e->st, text, sizeof(text)) >= 0 &&
			    (r = batch_case(b, e->ind, e->id, text)) < 0)
				return r;
			e->dirty = false;
			cs->ndirty--;
		}
		cs->ndkeys--;           /* done, deleted meanwhile, or listed twice */
	}
	return 0;
}
