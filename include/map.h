/* map.h — map.c, combo.c: one record to one event; counter field names. Conventions: core.h. */
#ifndef TQ_MAP_H
#define TQ_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "parse.h"
#include "tz.h"

struct config;
struct feed_conf;
struct filter;

/* ------------------------------------------------------------------ map.c */
/* What a counter counts: an event kind and a value per dimension (0 = absent). */
struct combo {
	uint16_t event;
	uint16_t dim[TQ_MAX_DIMS];
};

struct event {
	struct combo c;
	int64_t  utc;           /* seconds since the epoch */
	int64_t  day;           /* local calendar day, days since epoch */
	bool     has_id;
	uint8_t  id[16];        /* keyed hash of the record id */
	bool     has_case;
	uint8_t  case_id[16];   /* keyed hash of the case id (the same in every feed) */
	int64_t  extend_day;    /* local day an extension event carries, CASE_NO_DAY = none */
};

enum reject {
	REJ_EMPTY,              /* empty line */
	REJ_TOO_LONG,           /* longer than max_line: skipped to the next newline */
	REJ_NUL,                /* NUL byte in the line */
	REJ_ENCODING,           /* invalid UTF-8 or byte invalid in the declared encoding */
	REJ_JSON,               /* not one valid JSON object */
	REJ_CSV,                /* malformed quoting */
	REJ_COLUMNS,            /* column count differs from the header */
	REJ_MISSING,            /* a mapped field is absent or empty */
	REJ_TIME,               /* time does not parse */
	REJ_DATE,               /* impossible date or time (2026-02-30) */
	REJ_UNMAPPED,           /* a value no map covers */
	REJ_HEADER,             /* CSV header missing or unusable */
	REJ_RANGE,              /* time before the feed's accept_from or too far after now */
	REJ__MAX
};
/* Stable short name used in counters and metrics ("bad_json", ...). */
const char *reject_name(enum reject r);

/* Per-file parse state, kept by the feed for each file. */
struct parse_state {
	bool     have_header;
	uint64_t header_hash;           /* to skip repeated header lines */
	size_t   header_len;
	size_t   ncolumns;
	int      col[TQ_MAX_SLOTS];     /* column of each slot, -1 = not in this file */
	bool     recheck_header;        /* the file restarted from 0 with the header kept:
	                                 * its first record may be a new header */
};

/* Scratch memory reused across lines; sized for max_line. */
struct map_scratch {
	char          *buf;
	size_t         cap;
	struct fieldv  cols[TQ_MAX_COLUMNS];
	struct tz_memo tzm;     /* UTC offset of the last event's time (cache only) */
};
int  map_scratch_init(struct map_scratch *s, size_t max_line);
void map_scratch_done(struct map_scratch *s);

enum map_result { MAP_EVENT, MAP_SKIP, MAP_REJECT, MAP_HEADER };
/*
 * Turns one record (terminator stripped) of feed fc into an event.
 * MAP_EVENT: *ev filled. MAP_SKIP: a header line or a repeated header (no
 * event, not an error). MAP_HEADER: a headered CSV file that already had a
 * header changed it: the record names every column the feed needs (in any
 * order, any count) and ps holds its columns from now on (no event, not an
 * error; the caller logs and counts the change). A record that is not data
 * is tested for this only after it failed as data, so rows cost nothing
 * more; one naming a needed column but lacking another is REJ_HEADER and
 * leaves the header in force. MAP_REJECT: *why and detail (no field values, only
 * field names and shapes) are set. Pure: no I/O, no logging.
 * now is the daemon's calendar time (unix s, cal_now): a line later than
 * now + fc->accept_ahead_s, or on a local day before fc->accept_from_day,
 * is REJ_RANGE. idkey is the 16-byte secret for hashing ids (NULL when no
 * feed has ids).
 */
enum map_result map_record(const struct config *cfg, const struct feed_conf *fc,
                           const struct tz *tz, int64_t now, const uint8_t *idkey,
                           struct parse_state *ps, struct map_scratch *s,
                           const char *rec, size_t len,
                           struct event *ev, enum reject *why, char *detail, size_t detaillen);

/*
 * Counter field name of a combo: "<event>|<dim>=<value>|..." with dimensions
 * in name order, absent ones left out. Returns length, or -ENOBUFS.
 */
int combo_format(const struct config *cfg, const struct combo *c, char *buf, size_t len);
/* Inverse; unknown names map to id 0 (they then match no filter). -EINVAL on syntax. */
int combo_parse(const struct config *cfg, const char *s, size_t len, struct combo *ret);
bool filter_match(const struct filter *f, const struct combo *c);

#endif /* TQ_MAP_H */
