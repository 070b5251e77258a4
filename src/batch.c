/*
 * batch.c — the counter deltas and file positions of one commit (pure).
 *
 * Events without an id are aggregated per (local day, combo): a backfill of
 * a million calls over a month becomes a few hundred HINCRBYs. Events with
 * an id are listed under their (day, combo) too, because the commit script
 * decides per id whether it was seen before (one SADD per group, whose
 * reply is the number of new ids); for that the batch keeps each (month,
 * id) once, and counts later copies as duplicates itself. Every array is
 * bounded by cap_events, BATCH_MAX_IDS or dead_cap, so a batch's memory is
 * bounded whatever the input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core.h"
#include "batch.h"
#include "map.h"
#include "period.h"
#include "tq_config.h"
#include "grow.h"

#define INDEX_MIN 256

/* Mixes a (day, combo) key into a table hash; quality matters more than speed here. */
static uint64_t
count_hash(int64_t day, const struct combo *c)
{
	uint64_t h = (uint64_t)day * 0x9E3779B97F4A7C15ULL;
	size_t i;

	h ^= c->event;
	for (i = 0; i < TQ_MAX_DIMS; i++)
		h = (h ^ c->dim[i]) * 0x100000001B3ULL;
	return h ^ (h >> 29);
}

/*
 * Allocates the arrays of b for at most cap_events events and dead_cap
 * dead letters. Returns 0 or -ENOMEM (b then holds nothing to free).
 */
int
batch_init(struct batch *b, size_t cap_events, size_t dead_cap)
{
	memset(b, 0, sizeof(*b));
	b->cap_events = cap_events ? cap_events : 1;
	b->dead_cap = dead_cap;
	b->index_cap = INDEX_MIN;
	b->counts_cap = INDEX_MIN / 2;
	b->index = calloc(b->index_cap, sizeof(*b->index));
	b->counts = calloc(b->counts_cap, sizeof(*b->counts));
	b->dead = dead_cap ? calloc(dead_cap, sizeof(*b->dead)) : NULL;
	if (!b->index || !b->counts || (dead_cap && !b->dead)) {
		batch_done(b);
		return -ENOMEM;
	}
	return 0;
}

/* Frees the arrays of b; safe on a zeroed or already freed batch. */
void
batch_done(struct batch *b)
{
	if (!b)
		return;
	free(b->index);
	free(b->counts);
	free(b->ids);
	free(b->idindex);
	free(b->pos);
	free(b->dead);
	free(b->cases);
	free(b->cdeltas);
	memset(b, 0, sizeof(*b));
}

/* Empties b for the next commit, keeping its memory. */
void
batch_clear(struct batch *b)
{
	memset(b->index, 0, b->index_cap * sizeof(*b->index));
	b->ncounts = 0;
	b->nids = 0;
	b->dups = 0;
	if (b->idindex)
		memset(b->idindex, 0, b->idindex_cap * sizeof(*b->idindex));
	b->npos = 0;
	b->ndead = 0;
	b->ncases = 0;
	b->ncdeltas = 0;
	b->nevents = 0;
	b->nrejects = 0;
	memset(b->rejects, 0, sizeof(b->rejects));
	memset(b->lines, 0, sizeof(b->lines));
	memset(b->header_changes, 0, sizeof(b->header_changes));
	memset(b->events_by_feed, 0, sizeof(b->events_by_feed));
	memset(b->last_utc, 0, sizeof(b->last_utc));
	memset(b->last_line, 0, sizeof(b->last_line));
}

/* True when the batch would commit nothing at all. */
bool
batch_empty(const struct batch *b)
{
	size_t i;

	if (b->nevents || b->nrejects || b->npos || b->ndead || b->ncases || b->ncdeltas)
		return false;
	for (i = 0; i < BATCH_MAX_FEEDS; i++)
		if (b->lines[i])
			return false;
	return true;
}

/* True when no further event or reject may be added. */
bool
batch_full(const struct batch *b)
{
	return b->nevents + b->nrejects >= b->cap_events || b->nids >= BATCH_MAX_IDS ||
	    b->ncases >= BATCH_MAX_CASES;
}

/*
 * Adds a case state to store. The states are applied in order, so a case
 * written twice in one batch (a flush after a commit was deferred) ends
 * with the later text. 0 or -ENOMEM.
 */
int
batch_case(struct batch *b, uint16_t ind, const uint8_t id[16], const char *text)
{
	struct batch_case *c;
	int r;

	if ((r = GROW(b->cases, b->cases_cap, b->ncases + 1, 16)) < 0)
		return r;
	c = &b->cases[b->ncases++];
	c->ind = ind;
	memcpy(c->id, id, 16);
	snprintf(c->text, sizeof(c->text), "%s", text);
	return 0;
}

/*
 * Adds d to the counters of indicator ind in month. The months of a batch
 * are few: a linear search merges them. 0 or -ENOMEM.
 */
int
batch_cdelta(struct batch *b, uint16_t ind, int64_t month, const struct cohort_delta *d)
{
	struct batch_cdelta *x;
	size_t i;
	int r;

	for (i = 0; i < b->ncdeltas; i++)
		if (b->cdeltas[i].ind == ind && b->cdeltas[i].month == month)
			break;
	if (i == b->ncdeltas) {
		if ((r = GROW(b->cdeltas, b->cdeltas_cap, b->ncdeltas + 1, 16)) < 0)
			return r;
		b->cdeltas[i] = (struct batch_cdelta){ .month = month, .ind = ind };
		b->ncdeltas++;
	}
	x = &b->cdeltas[i];
	x->met += d->met;
	x->missed += d->missed;
	x->pending += d->pending;
	x->extended += d->extended;
	return 0;
}

/*
 * Re-inserts entry i (stored as i + 1, 0 = free) of a rebuilt open-addressing
 * index: the first free slot from home on. cap is a power of two and idx
 * has a free slot (load under one half).
 */
static inline void
index_put(uint32_t *idx, size_t cap, size_t home, size_t i)
{
	while (idx[home])
		home = (home + 1) & (cap - 1);
	idx[home] = (uint32_t)i + 1;
}

/* Doubles the index and re-inserts every count; -ENOMEM leaves b as it was. */
static int
index_grow(struct batch *b)
{
	size_t cap = b->index_cap * 2, i;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < b->ncounts; i++)
		index_put(idx, cap, count_hash(b->counts[i].day, &b->counts[i].c) & (cap - 1), i);
	free(b->index);
	b->index = idx;
	b->index_cap = cap;
	return 0;
}

/*
 * Finds the (day, combo) counter, creating it (all zero) when new. Returns
 * its index, or -ENOMEM.
 */
static ssize_t
count_find(struct batch *b, int64_t day, const struct combo *c)
{
	size_t slot;
	struct batch_count *bc;
	int r;

	slot = count_hash(day, c) & (b->index_cap - 1);
	for (; b->index[slot]; slot = (slot + 1) & (b->index_cap - 1)) {
		bc = &b->counts[b->index[slot] - 1];
		if (bc->day == day && memcmp(&bc->c, c, sizeof(*c)) == 0)
			return (ssize_t)b->index[slot] - 1;
	}
	/* Keep the load factor under one half so probes stay short. */
	if ((b->ncounts + 1) * 2 > b->index_cap) {
		if ((r = index_grow(b)) < 0)
			return r;
		return count_find(b, day, c);
	}
	if ((r = GROW(b->counts, b->counts_cap, b->ncounts + 1, 16)) < 0)
		return r;
	bc = &b->counts[b->ncounts];
	memset(bc, 0, sizeof(*bc));
	bc->day = day;
	bc->c = *c;
	b->index[slot] = (uint32_t)++b->ncounts;
	return (ssize_t)b->ncounts - 1;
}

/* The seen bucket and member of a hashed id (see batch.h). */
void
seen_slot(const uint8_t id[16], unsigned *ret_bucket, int64_t *ret_member)
{
	uint64_t m = 0;
	int i;

	/* little-endian whatever the host: the member must not depend on it */
	for (i = 7; i >= 0; i--)
		m = m << 8 | id[i];
	*ret_member = (int64_t)m;       /* two's complement: implementation-defined, C11 6.3.1.3 */
	*ret_bucket = id[8] % SEEN_BUCKETS;
}

/* Table slot of a (month, id): the id is a keyed hash already, so its bytes are the hash. */
static size_t
id_slot(int64_t month, const uint8_t id[16], size_t cap)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)((h ^ (uint64_t)month * 0x9E3779B97F4A7C15ULL) & (cap - 1));
}

/*
 * Makes room in the id table for one more id (load under one half),
 * rebuilding it when it grows. Returns 0 or -ENOMEM (b unchanged).
 */
static int
idindex_reserve(struct batch *b)
{
	size_t cap = b->idindex_cap ? b->idindex_cap : INDEX_MIN, i;
	uint32_t *idx;

	while ((b->nids + 1) * 2 > cap)
		cap *= 2;
	if (cap == b->idindex_cap)
		return 0;
	if (!(idx = calloc(cap, sizeof(*idx))))
		return -ENOMEM;
	for (i = 0; i < b->nids; i++) {
		const struct batch_idevent *e = &b->ids[i];

		index_put(idx, cap, id_slot(month_of_day(b->counts[e->count].day), e->id, cap), i);
	}
	free(b->idindex);
	b->idindex = idx;
	b->idindex_cap = cap;
	return 0;
}

/*
 * Adds an event with an id to counter ci, unless the batch holds the same
 * (month, id) already (then only dups grows). Returns 0 or -ENOMEM.
 */
static int
id_add(struct batch *b, size_t ci, const uint8_t id[16])
{
	int64_t month = month_of_day(b->counts[ci].day);
	struct batch_idevent *e;
	size_t slot;
	int r;

	if ((r = idindex_reserve(b)) < 0 ||
	    (r = GROW(b->ids, b->ids_cap, b->nids + 1, 16)) < 0)
		return r;
	slot = id_slot(month, id, b->idindex_cap);
	for (; b->idindex[slot]; slot = (slot + 1) & (b->idindex_cap - 1)) {
		e = &b->ids[b->idindex[slot] - 1];
		if (memcmp(e->id, id, sizeof(e->id)) == 0 &&
		    month_of_day(b->counts[e->count].day) == month) {
			b->dups++;
			return 0;
		}
	}
	e = &b->ids[b->nids];
	memcpy(e->id, id, sizeof(e->id));
	e->next = UINT32_MAX;
	e->count = (uint32_t)ci;
	if (b->counts[ci].nids++ == 0)
		b->counts[ci].first_id = (uint32_t)b->nids;
	else
		b->ids[b->counts[ci].last_id].next = (uint32_t)b->nids;
	b->counts[ci].last_id = (uint32_t)b->nids;
	b->idindex[slot] = (uint32_t)++b->nids;
	return 0;
}

/*
 * Adds one event to its (day, combo) counter: counted, or listed by id
 * when it carries one (a repeat of a (month, id) already in the batch is
 * only counted in dups). Returns 0, -ENOSPC when the batch is full, -ENOMEM.
 */
int
batch_add(struct batch *b, const struct event *ev)
{
	ssize_t ci;
	int r;

	if (batch_full(b))
		return -ENOSPC;
	if ((ci = count_find(b, ev->day, &ev->c)) < 0)
		return (int)ci;
	if (ev->has_id) {
		if ((r = id_add(b, (size_t)ci, ev->id)) < 0)
			return r;
	} else {
		b->counts[ci].n++;
	}
	b->nevents++;
	return 0;
}

/*
 * Counts a rejected line of feed under why and, while this batch has room
 * for dead letters, keeps one with its place and reason. detail must hold
 * no field values (map.c only writes field names and shapes).
 */
void
batch_reject(struct batch *b, uint16_t feed, enum reject why, uint64_t line,
    const char *path, const char *detail)
{
	struct batch_deadletter *d;

	if (feed < BATCH_MAX_FEEDS && why < REJ__MAX)
		b->rejects[feed * REJ__MAX + why]++;
	b->nrejects++;
	if (b->ndead >= b->dead_cap)
		return;
	d = &b->dead[b->ndead++];
	d->feed = feed;
	d->why = why;
	d->line = line;
	snprintf(d->path, sizeof(d->path), "%s", path ? path : "");
	snprintf(d->detail, sizeof(d->detail), "%s", detail ? detail : "");
}

/* Counts one line read from feed (events, skips and rejects alike). */
void
batch_line(struct batch *b, uint16_t feed)
{
	if (feed < BATCH_MAX_FEEDS)
		b->lines[feed]++;
}

/* Counts a CSV header change of feed (its line is counted by batch_line). */
void
batch_header_change(struct batch *b, uint16_t feed)
{
	if (feed < BATCH_MAX_FEEDS)
		b->header_changes[feed]++;
}

/*
 * Records the position of a file; a later call for the same (feed, dev,
 * ino) replaces the earlier one. Returns 0 or -ENOMEM.
 */
int
batch_position(struct batch *b, const struct file_pos *p)
{
	size_t i;
	int r;

	for (i = 0; i < b->npos; i++)
		if (b->pos[i].feed == p->feed && b->pos[i].dev == p->dev && b->pos[i].ino == p->ino) {
			b->pos[i] = *p;
			return 0;
		}
	if ((r = GROW(b->pos, b->pos_cap, b->npos + 1, 16)) < 0)
		return r;
	b->pos[b->npos++] = *p;
	return 0;
}

/* Counts an event of feed (already added with batch_add) and its time. */
void
batch_feed_event(struct batch *b, uint16_t feed, int64_t utc)
{
	if (feed >= BATCH_MAX_FEEDS)
		return;
	b->events_by_feed[feed]++;
	if (utc > b->last_utc[feed])
		b->last_utc[feed] = utc;
}
