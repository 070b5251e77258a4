/* parse.h — csv.c, json.c: splitting one record into field values. Conventions: core.h. */
#ifndef TQ_PARSE_H
#define TQ_PARSE_H

#include <stddef.h>

/* ------------------------------------------------------------ csv.c/json.c */
/* A field value: p points into the line or into caller scratch; p NULL = absent. */
struct fieldv {
	const char *p;
	size_t      len;
};

/*
 * Length of the first complete record in buf[0..len), including its '\n'.
 * A '\n' inside a quoted field (one whose quote starts the field, as in
 * csv_split) does not end the record; a malformed quoted field is framed as
 * its first line alone (quote 0 = no quoting). Returns 0 when no complete
 * record is in buf yet.
 */
size_t csv_record_len(const char *buf, size_t len, char delim, char quote);
/*
 * Splits one record (terminator removed, a trailing '\r' already stripped)
 * into fields. Quoted fields are unescaped ("" -> ") into scratch, which
 * must hold len bytes. Returns the number of fields (>= 1), -EBADMSG on
 * malformed quoting, -E2BIG when there are more than max fields.
 */
int csv_split(const char *rec, size_t len, char delim, char quote, char *scratch,
              struct fieldv *out, size_t max);
/*
 * Parses one JSON text that must be an object. For each top-level member
 * whose key equals names[i], out[i] gets the value: strings unescaped into
 * scratch (needs len bytes), numbers/true/false as their raw text, null as
 * absent. Other members and nested values are validated and skipped. All
 * out[] are reset to absent first. Returns 0, -EBADMSG (not one valid JSON
 * object), -EILSEQ (invalid UTF-8 or a lone surrogate escape).
 */
int json_extract(const char *s, size_t len, const char *const *names, size_t nnames,
                 char *scratch, struct fieldv *out);

#endif /* TQ_PARSE_H */
