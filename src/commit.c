/*
 * commit.c — one batch as the arguments of ONE EVAL of commit.lua.
 *
 * Pure: it formats, it sends nothing (store.c sends, and owns the epoch
 * and the sequence it is given). The script gets every key it touches in
 * KEYS (one hash tag) and this protocol in ARGV; the authoritative
 * description is at the top of commit.lua, and this file follows it
 * section by section, one function each:
 *
 *   KEYS  files, deadletter, stats, day:<d>..., month:<m>..., seen:<m>:<bb>...,
 *         rejects:<feed>..., cases:<indicator>..., seen-scratch   (push_keys)
 *   ARGV  "tq5", epoch, sequence, now_ms, deadletter maxlen, #day, #month, #seen,
 *         #rejects, #cases, the window in seconds                 (push_head)
 *         then nine counted sections:
 *         counts (day idx, month idx, field, delta)               (push_counts)
 *         id groups (after the count, the duplicates dropped in the batch;
 *           per group day idx, month idx, field, k)               (push_id_groups)
 *         buckets (one per seen key: k, runs, k members)          (push_buckets)
 *         positions (field, value; "" = HDEL)                     (push_positions)
 *         rejects (rejects idx, field, delta)                     (push_rejects)
 *         dead letters (feed, file, line, reason, detail)         (push_dead)
 *         maxima (stats field, value: "last_event:<feed>", "last_line:<feed>",
 *           "reset_ms")                                           (push_maxima)
 *         month deltas (month idx,
 *           "deadline:<indicator>|met|missed|pending|extended",
 *           delta)                                                (push_month_deltas)
 *         case states (cases idx, case id, state; "" = HDEL)      (push_cases)
 *
 * De-duplication: a month's ids are spread over SEEN_BUCKETS sets
 * (seen_slot: 64 bits of the keyed hash are the integer member, 8 more the
 * bucket), small enough for Redis to keep as intsets; each bucket a commit
 * writes gets EXPIRE window (commit_window_s), so it lives that long after
 * its last write, whatever the age of its month.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "batch.h"
#include "indicator.h"
#include "log.h"
#include "map.h"
#include "period.h"
#include "position.h"
#include "tq_config.h"
#include "store_priv.h"
#include "commit.lua.h"

#define COMMIT_PROTOCOL     "tq5"

/*
 * The de-dup window in seconds: how long a seen bucket lives after the
 * last commit that wrote it (ARGV[11], given to EXPIRE). The config
 * guarantees 1..3660 days (its default, DEDUP_WINDOW_DAYS_DEFAULT, is
 * set there and nowhere else).
 */
unsigned
commit_window_s(const struct config *cfg)
{
	return cfg->dedup.window_days * (unsigned)SECS_PER_DAY;
}

/*
 * The layout of one commit, worked out before anything is pushed: the
 * sorted day, month and seen-month numbers (in the scratch array), and
 * how many keys of each group KEYS holds.
 */
struct plan {
	struct commit_scratch *cs;
	struct arena          *a;
	struct argv_buf       *ab;
	const struct config   *cfg;
	const struct batch    *b;
	const struct commit_head *h;
	int64_t *days, *months, *smonths;
	size_t   nd, nm, ns;
	size_t   nb;                    /* seen buckets written (non-empty slots) */
	size_t   nr;                    /* rejects hashes */
	size_t   nrrec;                 /* reject records */
	size_t   nc;                    /* case hashes */
	size_t   nfeeds;                /* cfg->nfeeds, capped at BATCH_MAX_FEEDS */
	int32_t  rkey[BATCH_MAX_FEEDS]; /* KEYS index of feed f's rejects hash, -1 = none */
	int32_t  ckey[CFG_MAX_INDS];    /* KEYS index of indicator i's case hash, -1 = none */
	uint16_t rfeed[BATCH_MAX_FEEDS];        /* the feed of each rejects hash, in KEYS order */
};

/* KEYS index of the first day hash (after files, deadletter, stats). */
#define KEY_BASE 4

/* Pushes a formatted string; -ENOMEM from the calling function (a push_* of plan p). */
#define PUSH_FMT(fmt, ...) do {                                                  \
		size_t l_;                                                       \
		char *s_ = arena_printf(p->a, &l_, fmt, __VA_ARGS__);            \
		if (!s_)                                                         \
			return -ENOMEM;                                          \
		argv_push(p->ab, s_, l_);                                        \
	} while (0)
/* a count or an index (all far below 2^63) */
#define PUSH_INT(v_) ARGV_PUSH_I64(p->a, p->ab, v_)

/* Frees the scratch arrays. Safe on a zeroed or freed one, and on NULL. */
void
commit_scratch_free(struct commit_scratch *cs)
{
	if (!cs)
		return;
	free(cs->nums);
	free(cs->id_group);
	free(cs->id_slot);
	free(cs->id_order);
	free(cs->slot_at);
	memset(cs, 0, sizeof(*cs));
}

/* Grows *arr to at least n uint32_t; 0 or -ENOMEM (the array kept). */
static int
u32_reserve(uint32_t **arr, size_t *cap, size_t n)
{
	uint32_t *p;

	if (n <= *cap)
		return 0;
	if (!(p = realloc(*arr, n * sizeof(*p))))
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/*
 * Orders the ids of b by seen bucket: slot = (index of the id's month in
 * smonths) * SEEN_BUCKETS + bucket. A counting sort, stable, fed group by
 * group, so the ids of one bucket come grouped by (day, field) group as
 * the commit's runs need. Afterwards id_order[slot_at[s] .. slot_at[s + 1])
 * are the ids of slot s, id_group[i] is id i's group (0-based, in counts
 * order). Returns 0 or -ENOMEM.
 */
static int
sort_ids_by_bucket(struct commit_scratch *cs, const struct batch *b, const int64_t *smonths,
                   size_t ns)
{
	size_t nslots = ns * SEEN_BUCKETS, i, g;
	uint32_t k;
	int r;

	if ((r = u32_reserve(&cs->slot_at, &cs->slots_cap, nslots + 1)) < 0)
		return r;
	if (b->nids > cs->ids_cap) {
		size_t cap = cs->ids_cap;

		if ((r = u32_reserve(&cs->id_group, &cap, b->nids)) < 0)
			return r;
		cap = cs->ids_cap;
		if ((r = u32_reserve(&cs->id_slot, &cap, b->nids)) < 0)
			return r;
		cap = cs->ids_cap;
		if ((r = u32_reserve(&cs->id_order, &cap, b->nids)) < 0)
			return r;
		cs->ids_cap = b->nids;
	}
	memset(cs->slot_at, 0, (nslots + 1) * sizeof(*cs->slot_at));
	for (i = 0, g = 0; i < b->ncounts; i++) {
		const struct batch_count *c = &b->counts[i];
		size_t mi;

		if (!c->nids)
			continue;
		mi = i64_find(smonths, ns, month_of_day(c->day));
		for (k = c->first_id; k != UINT32_MAX; k = b->ids[k].next) {
			unsigned bucket;
			int64_t member;

			seen_slot(b->ids[k].id, &bucket, &member);
			cs->id_group[k] = (uint32_t)g;
			cs->id_slot[k] = (uint32_t)(mi * SEEN_BUCKETS + bucket);
			cs->slot_at[cs->id_slot[k] + 1]++;
		}
		g++;
	}
	for (i = 0; i < nslots; i++)
		cs->slot_at[i + 1] += cs->slot_at[i];
	/* place group by group (stable); slot_at[s] moves to the end of slot s ... */
	for (i = 0; i < b->ncounts; i++)
		for (k = b->counts[i].nids ? b->counts[i].first_id : UINT32_MAX; k != UINT32_MAX;
		    k = b->ids[k].next)
			cs->id_order[cs->slot_at[cs->id_slot[k]]++] = k;
	/* ... so shift it back: slot_at[s] is the start of slot s again */
	for (i = nslots; i > 0; i--)
		cs->slot_at[i] = cs->slot_at[i - 1];
	cs->slot_at[0] = 0;
	return 0;
}

/*
 * The day numbers, then the months (of the days, and of the deadline
 * counters), then the months holding ids, sorted and unique, in one
 * scratch array; the ids ordered by bucket, and nb. 0 or -ENOMEM.
 */
static int
plan_numbers(struct plan *p)
{
	struct commit_scratch *cs = p->cs;
	const struct batch *b = p->b;
	size_t need = 3 * b->ncounts + b->ncdeltas + 1, i, nd, nm, ns;
	int r;

	if (need > cs->nums_cap) {
		int64_t *v = realloc(cs->nums, need * sizeof(*v));

		if (!v)
			return -ENOMEM;
		cs->nums = v;
		cs->nums_cap = need;
	}
	p->days = cs->nums;
	for (i = 0, nd = 0; i < b->ncounts; i++)
		p->days[nd++] = b->counts[i].day;
	nd = p->nd = i64_sort_unique(p->days, nd);
	p->months = p->days + nd;
	for (i = 0, nm = 0; i < nd; i++) {
		int64_t m = month_of_day(p->days[i]);

		if (nm == 0 || p->months[nm - 1] != m)    /* days are sorted: months too */
			p->months[nm++] = m;
	}
	for (i = 0; i < b->ncdeltas; i++)       /* deadline counters live in month hashes only */
		p->months[nm++] = b->cdeltas[i].month;
	nm = p->nm = i64_sort_unique(p->months, nm);
	p->smonths = p->months + nm;
	for (i = 0, ns = 0; i < b->ncounts; i++)
		if (b->counts[i].nids)
			p->smonths[ns++] = month_of_day(b->counts[i].day);
	ns = p->ns = i64_sort_unique(p->smonths, ns);
	p->nb = 0;
	if (b->nids) {
		if ((r = sort_ids_by_bucket(cs, b, p->smonths, ns)) < 0)
			return r;
		for (i = 0; i < ns * SEEN_BUCKETS; i++)
			p->nb += cs->slot_at[i + 1] > cs->slot_at[i];
	}
	return 0;
}

/* The rejects hashes (feeds with a record) and the case hashes, numbered as KEYS. */
static void
plan_keys(struct plan *p)
{
	const struct batch *b = p->b;
	size_t first = KEY_BASE + p->nd + p->nm + p->nb, i, j;

	p->nr = p->nrrec = p->nc = 0;
	for (i = 0; i < BATCH_MAX_FEEDS; i++)
		p->rkey[i] = -1;
	/* cppcheck-suppress knownConditionTrueFalse ; false positive: nfeeds is cfg->nfeeds, capped */
	for (i = 0; i < p->nfeeds; i++) {
		size_t nrej = (b->lines[i] ? 1 : 0) + (b->header_changes[i] ? 1 : 0);

		for (j = 0; j < REJ__MAX; j++)
			nrej += b->rejects[i * REJ__MAX + j] ? 1 : 0;
		if (!nrej)
			continue;
		p->rfeed[p->nr] = (uint16_t)i;
		p->rkey[i] = (int32_t)(first + p->nr);
		p->nr++;
		p->nrrec += nrej;
	}
	for (i = 0; i < CFG_MAX_INDS; i++)
		p->ckey[i] = -1;
	for (i = 0; i < b->ncases; i++)         /* which indicators have states: mark ... */
		if (b->cases[i].ind < p->cfg->nindicators && b->cases[i].ind < CFG_MAX_INDS)
			p->ckey[b->cases[i].ind] = 0;
	for (i = 0; i < CFG_MAX_INDS; i++)      /* ... then number them in indicator order, as KEYS */
		if (p->ckey[i] == 0)
			p->ckey[i] = (int32_t)(first + p->nr + p->nc++);
}

/* The number of KEYS: files, deadletter, stats, the groups, seen-scratch. */
static size_t
nkeys(const struct plan *p)
{
	return KEY_BASE + p->nd + p->nm + p->nb + p->nr + p->nc;
}

/* Reserves room for every argument of the commit. 0, -E2BIG or -ENOMEM. */
static int
reserve_args(const struct plan *p)
{
	const struct batch *b = p->b;
	size_t need = 3 + nkeys(p) + 11 + 10 + 9 * b->ncounts + 2 * p->nb + b->nids +
	    2 * b->npos + 3 * p->nrrec + 5 * b->ndead + 2 * BATCH_MAX_FEEDS + 2 + 12 * b->ncdeltas +
	    3 * b->ncases;

	if (need > INT_MAX)
		return -E2BIG;
	return argv_reserve(p->ab, need) < 0 ? -ENOMEM : 0;
}

/* Pushes the key <prefix>{<tag>}:<rest>. 0 or -ENOMEM. */
static int
push_key(const struct plan *p, const char *fmt, ...) TQ_PRINTF(2, 3);
static int
push_key(const struct plan *p, const char *fmt, ...)
{
	char rest[96], *s;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	if (!(s = arena_key(p->a, p->cfg, rest, &len)))
		return -ENOMEM;
	argv_push(p->ab, s, len);
	return 0;
}

/* EVAL, the script, numkeys and KEYS, in the groups' order. 0 or -ENOMEM. */
static int
push_keys(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	size_t i;
	int r = 0;

	argv_str(p->ab, "EVAL");
	argv_push(p->ab, LUA_commit, sizeof(LUA_commit) - 1);
	PUSH_INT(nkeys(p));
	if (push_key(p, "files") < 0 || push_key(p, "deadletter") < 0 || push_key(p, "stats") < 0)
		return -ENOMEM;
	for (i = 0; r == 0 && i < p->nd; i++) {
		char dk[32];

		day_key(p->days[i], dk, sizeof(dk));
		r = push_key(p, "day:%s", dk);
	}
	for (i = 0; r == 0 && i < p->nm; i++) {
		char mk[32];

		month_key(p->months[i], mk, sizeof(mk));
		r = push_key(p, "month:%s", mk);
	}
	for (i = 0; r == 0 && p->nb && i < p->ns * SEEN_BUCKETS; i++) {
		char mk[32];

		if (p->cs->slot_at[i + 1] == p->cs->slot_at[i])
			continue;
		month_key(p->smonths[i / SEEN_BUCKETS], mk, sizeof(mk));
		r = push_key(p, "seen:%s:%02zx", mk, i % SEEN_BUCKETS);
	}
	/* feed names are short ([a-z0-9_-], 32 bytes): rest always fits */
	for (i = 0; r == 0 && i < p->nr; i++)
		r = push_key(p, "rejects:%s", cfg->feeds[p->rfeed[i]].name);
	for (i = 0; r == 0 && i < cfg->nindicators && i < CFG_MAX_INDS; i++)   /* in ckey order */
		if (p->ckey[i] >= 0)
			r = push_key(p, "cases:%s", cfg->indicators[i].name);
	if (r == 0)     /* the script's scratch set, deleted before it returns */
		r = push_key(p, "seen-scratch");
	return r;
}

/* ARGV[1..11]: protocol, epoch, sequence, now, dead-letter maxlen, D M S R C, window. */
static int
push_head(const struct plan *p)
{

	argv_str(p->ab, COMMIT_PROTOCOL);
	argv_str(p->ab, p->h->epoch);
	PUSH_INT(p->h->seq);
	PUSH_INT(p->h->now_ms);
	PUSH_INT(p->cfg->deadletter_maxlen);
	PUSH_INT(p->nd);
	PUSH_INT(p->nm);
	PUSH_INT(p->nb);
	PUSH_INT(p->nr);
	PUSH_INT(p->nc);
	PUSH_INT(commit_window_s(p->cfg));
	return 0;
}

/* (day idx, month idx, field, v) of count c. 0, -ENOMEM, -EINVAL (combo). */
static int
push_count_record(const struct plan *p, const struct batch_count *c, int64_t v)
{
	size_t len;
	char *s;

	PUSH_INT(KEY_BASE + i64_find(p->days, p->nd, c->day));
	PUSH_INT(KEY_BASE + p->nd + i64_find(p->months, p->nm, month_of_day(c->day)));
	if (!(s = arena_combo(p->a, p->cfg, &c->c, &len)))
		return -EINVAL;
	argv_push(p->ab, s, len);
	PUSH_INT(v);
	return 0;
}

/*
 * The records of the counts whose delta (ids: id count) is non-zero: n,
 * with ids the duplicates dropped, then n x (day idx, month idx, field,
 * delta or id count). One walk for both sections: they differ only in
 * which number of a count they carry.
 */
static int
push_count_section(const struct plan *p, bool ids)
{
	const struct batch *b = p->b;
	size_t i, n;
	int r;

	for (i = 0, n = 0; i < b->ncounts; i++)
		n += (ids ? (int64_t)b->counts[i].nids : b->counts[i].n) != 0;
	PUSH_INT(n);
	if (ids)
		PUSH_INT(b->dups);
	for (i = 0; i < b->ncounts; i++) {
		int64_t v = ids ? (int64_t)b->counts[i].nids : b->counts[i].n;

		if (v && (r = push_count_record(p, &b->counts[i], v)) < 0)
			return r;
	}
	return 0;
}

/* counts: n, n x (day idx, month idx, field, delta). */
static int
push_counts(const struct plan *p)
{
	return push_count_section(p, false);
}

/* id groups: n, duplicates dropped, n x (day idx, month idx, field, k). */
static int
push_id_groups(const struct plan *p)
{
	return push_count_section(p, true);
}

/*
 * The runs of the ids id_order[from .. to) of one bucket: binary, 4 bytes
 * a run of ids of one group, group (1-based) and length, each 16 bits
 * big-endian (both at most BATCH_MAX_IDS). 0 or -ENOMEM.
 */
static int
push_runs(const struct plan *p, uint32_t from, uint32_t to)
{
	const uint32_t *grp = p->cs->id_group, *ord = p->cs->id_order;
	uint32_t x, nruns = 0;
	unsigned char *rs;
	size_t avail;

	for (x = from; x < to; x++)
		nruns += x == from || grp[ord[x]] != grp[ord[x - 1]];
	if (!(rs = (unsigned char *)arena_room(p->a, 4 * (size_t)nruns, &avail)))
		return -ENOMEM;
	arena_take(p->a, 4 * (size_t)nruns);
	argv_push(p->ab, (const char *)rs, 4 * (size_t)nruns);
	for (x = from; x < to; ) {
		uint32_t g = grp[ord[x]], y = x;

		while (y < to && grp[ord[y]] == g)
			y++;
		*rs++ = (unsigned char)((g + 1) >> 8);
		*rs++ = (unsigned char)(g + 1);
		*rs++ = (unsigned char)((y - x) >> 8);
		*rs++ = (unsigned char)(y - x);
		x = y;
	}
	return 0;
}

/* buckets: S, then per seen key in KEYS order (k, runs, k members). */
static int
push_buckets(const struct plan *p)
{
	const struct commit_scratch *cs = p->cs;
	size_t i;

	PUSH_INT(p->nb);
	for (i = 0; p->nb && i < p->ns * SEEN_BUCKETS; i++) {
		uint32_t from = cs->slot_at[i], to = cs->slot_at[i + 1], x;

		if (to == from)
			continue;
		PUSH_INT(to - from);
		if (push_runs(p, from, to) < 0)
			return -ENOMEM;
		for (x = from; x < to; x++) {
			unsigned bucket;
			int64_t member;

			seen_slot(p->b->ids[cs->id_order[x]].id, &bucket, &member);
			PUSH_INT(member);
		}
	}
	return 0;
}

/* Pushes the (field, value) of position p; a gone one's value is "" (HDEL). -ENOMEM, -EINVAL. */
static int
push_pos(struct arena *a, struct argv_buf *ab, const struct config *cfg, const struct file_pos *p)
{
	char field[sizeof(p->path) + 64], value[POS_VALUE_MAX];
	int fl, vl = 0;
	char *s;

	if ((fl = pos_format_field(cfg, p, field, sizeof(field))) < 0 ||
	    (!p->gone && (vl = pos_format_value(p, value, sizeof(value))) < 0))
		return -EINVAL;
	if (!(s = arena_strndup(a, field, (size_t)fl)))
		return -ENOMEM;
	argv_push(ab, s, (size_t)fl);
	if (!(s = arena_strndup(a, value, (size_t)vl)))
		return -ENOMEM;
	argv_push(ab, s, (size_t)vl);
	return 0;
}

/* positions: n, n x (field, value); the count is patched once skips are known. */
static int
push_positions(const struct plan *p)
{
	const struct batch *b = p->b;
	size_t cnt_at = p->ab->n, i, n, len;
	char *s;
	int r;

	argv_push(p->ab, "", 0);
	for (i = 0, n = 0; i < b->npos; i++) {
		const struct file_pos *fp = &b->pos[i];

		if (fp->feed >= p->cfg->nfeeds) {
			log_debug("redis: position of unknown feed %u not stored", fp->feed);
			continue;
		}
		if ((r = push_pos(p->a, p->ab, p->cfg, fp)) < 0)
			return r;
		n++;
	}
	if (!(s = arena_printf(p->a, &len, "%zu", n)))
		return -ENOMEM;
	p->ab->argv[cnt_at] = s;
	p->ab->len[cnt_at] = len;
	return 0;
}

/* rejects and lines read: n, n x (rejects idx, field, delta). */
static int
push_rejects(const struct plan *p)
{
	const struct batch *b = p->b;
	size_t i, j;

	PUSH_INT(p->nrrec);
	for (i = 0; i < p->nr; i++) {
		uint16_t f = p->rfeed[i];

		for (j = 0; j < REJ__MAX; j++) {
			uint64_t n = b->rejects[f * REJ__MAX + j];

			if (!n)
				continue;
			PUSH_INT(p->rkey[f]);
			argv_str(p->ab, reject_name((enum reject)j));
			PUSH_INT(n);
		}
		if (b->lines[f]) {
			PUSH_INT(p->rkey[f]);
			argv_str(p->ab, "lines");
			PUSH_INT(b->lines[f]);
		}
		if (b->header_changes[f]) {
			PUSH_INT(p->rkey[f]);
			argv_str(p->ab, "header_changes");
			PUSH_INT(b->header_changes[f]);
		}
	}
	return 0;
}

/* dead letters: n, n x (feed, file, line, reason, detail); none when maxlen is 0. */
static int
push_dead(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	size_t i, n = cfg->deadletter_maxlen ? p->b->ndead : 0;

	PUSH_INT(n);
	for (i = 0; i < n; i++) {
		const struct batch_deadletter *d = &p->b->dead[i];

		if (d->feed < cfg->nfeeds)
			argv_str(p->ab, cfg->feeds[d->feed].name);
		else
			PUSH_FMT("feed%u", d->feed);
		argv_str(p->ab, d->path);
		PUSH_INT(d->line);
		argv_str(p->ab, reject_name(d->why));
		argv_str(p->ab, d->detail);
	}
	return 0;
}

/*
 * maxima: n, n x (stats field, integer), kept as a maximum: the latest
 * event time per feed, when each feed last produced a line (teleqctl
 * status: freshness), and the time of a store reset, with the first commit
 * of the rebuilt counters: it survives as they do (teleqctl status shows it).
 */
static int
push_maxima(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	const struct batch *b = p->b;
	size_t i, n;

	for (i = 0, n = 0; i < cfg->nfeeds && i < BATCH_MAX_FEEDS; i++)
		n += (b->last_utc[i] ? 1 : 0) + (b->last_line[i] ? 1 : 0);
	PUSH_INT(n + (p->h->reset_ms ? 1 : 0));
	for (i = 0; i < cfg->nfeeds && i < BATCH_MAX_FEEDS; i++)
		if (b->last_utc[i]) {
			PUSH_FMT("last_event:%s", cfg->feeds[i].name);
			PUSH_INT(b->last_utc[i]);
		}
	for (i = 0; i < cfg->nfeeds && i < BATCH_MAX_FEEDS; i++)
		if (b->last_line[i]) {
			PUSH_FMT("last_line:%s", cfg->feeds[i].name);
			PUSH_INT(b->last_line[i]);
		}
	if (p->h->reset_ms) {
		argv_str(p->ab, "reset_ms");
		PUSH_INT(p->h->reset_ms);
	}
	return 0;
}

/* month deltas: n, n x (month idx, "deadline:<name>|<outcome or extended>", delta). */
static int
push_month_deltas(const struct plan *p)
{
	const struct config *cfg = p->cfg;
	const struct batch *b = p->b;
	size_t i, n;

	for (i = 0, n = 0; i < b->ncdeltas; i++)
		n += (b->cdeltas[i].met != 0) + (b->cdeltas[i].missed != 0) +
		    (b->cdeltas[i].pending != 0) + (b->cdeltas[i].extended != 0);
	PUSH_INT(n);
	for (i = 0; i < b->ncdeltas; i++) {
		const struct batch_cdelta *c = &b->cdeltas[i];
		const char *name = c->ind < cfg->nindicators ? cfg->indicators[c->ind].name : "?";
		const int64_t v[4] = { c->met, c->missed, c->pending, c->extended };
		static const char *const what[4] = { "met", "missed", "pending", "extended" };

		for (unsigned k = 0; k < 4; k++) {
			if (!v[k])
				continue;
			PUSH_INT(KEY_BASE + p->nd + i64_find(p->months, p->nm, c->month));
			PUSH_FMT(DEADLINE_FIELD_FMT, name, what[k]);
			PUSH_INT(v[k]);
		}
	}
	return 0;
}

/* case states: n, n x (cases idx, case id in 32 letters a-p, text; "" = HDEL). */
static int
push_cases(const struct plan *p)
{
	const struct batch *b = p->b;
	size_t i, j;
	char *s;

	PUSH_INT(b->ncases);
	for (i = 0; i < b->ncases; i++) {
		const struct batch_case *c = &b->cases[i];
		char hex[33];

		if (c->ind >= p->cfg->nindicators || c->ind >= CFG_MAX_INDS)
			return -EINVAL;
		/* 4 bits a letter a-p: no digits, so a case id never looks like a number */
		for (j = 0; j < 16; j++) {
			hex[2 * j] = (char)('a' + (c->id[j] >> 4));
			hex[2 * j + 1] = (char)('a' + (c->id[j] & 15));
		}
		hex[32] = '\0';
		PUSH_INT(p->ckey[c->ind]);
		if (!(s = arena_strndup(p->a, hex, 32)))
			return -ENOMEM;
		argv_push(p->ab, s, 32);
		if (!(s = arena_strndup(p->a, c->text, strlen(c->text))))
			return -ENOMEM;
		argv_push(p->ab, s, strlen(c->text));
	}
	return 0;
}

/* Builds the EVAL of b into ab, its strings in a; see store_priv.h. */
int
commit_build(struct commit_scratch *cs, struct arena *a, struct argv_buf *ab,
             const struct config *cfg, const struct commit_head *h, const struct batch *b)
{
	/* the sections of commit.lua's ARGV, in its order */
	static int (*const section[])(const struct plan *) = {
		push_keys, push_head, push_counts, push_id_groups, push_buckets, push_positions,
		push_rejects, push_dead, push_maxima, push_month_deltas, push_cases,
	};
	struct plan p = {
		.cs = cs, .a = a, .ab = ab, .cfg = cfg, .b = b, .h = h,
		.nfeeds = cfg->nfeeds < BATCH_MAX_FEEDS ? cfg->nfeeds : BATCH_MAX_FEEDS,
	};
	size_t i;
	int r;

	arena_reset(a);
	ab->n = 0;
	if ((r = plan_numbers(&p)) < 0)
		return r;
	plan_keys(&p);
	if ((r = reserve_args(&p)) < 0)
		return r;
	for (i = 0; i < sizeof(section) / sizeof(section[0]); i++)
		if ((r = section[i](&p)) < 0)
			return r;
	return 0;
}
