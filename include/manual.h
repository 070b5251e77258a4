/* manual.h — manual.c: manual indicators' values and notes. Conventions: core.h. */
#ifndef TQ_MANUAL_H
#define TQ_MANUAL_H

#include <stdbool.h>
#include <stddef.h>

#include "tq_config.h"

/* ---------------------------------------------------------------- manual.c */
/*
 * The pure parts of manual indicators (kind: manual) and of the
 * samordnare's notes (issue 18 item 2): what `teleqctl set` and `teleqctl
 * note` accept, what they store in Redis, and how a row is judged and
 * shown. The notes are the only free text teleqd stores; they must not
 * name patients (README, teleqctl(1)).
 */
#define MANUAL_VALUE_MAX   32           /* bytes of a VALUE argument */
#define MANUAL_DIGITS_MAX  15           /* significant digits: exact in a double */
#define MANUAL_DECIMALS    2            /* decimals a value may have (öre, tenths of a percent) */
#define MANUAL_NOTE_MAX    2000         /* bytes of one note (Analys or Prognos) */
#define MANUAL_LOG_MAXLEN  100000       /* entries kept in the audit stream (XADD MAXLEN ~) */

/*
 * A VALUE in unit u: an optional '-' (or U+2212) for percent and kr, digits,
 * at most MANUAL_DECIMALS decimals after '.' or ','; a percent may end in
 * "%" or " %". A count is a whole number >= 0. At most MANUAL_VALUE_MAX
 * bytes and MANUAL_DIGITS_MAX digits. Returns 0 with *ret set (a percent in
 * points: "52 %" is 52), or -EINVAL (*ret untouched).
 */
int  manual_parse_value(const char *s, enum manual_unit u, double *ret);
/*
 * The plain form of v stored in Redis and in CSV/JSON: "-150000", "12.5"
 * (a point, no grouping, at most MANUAL_DECIMALS decimals, no "-0").
 */
void manual_fmt_plain(char *buf, size_t len, double v);
/* v for people in unit u: "5", "52 %", "12,5 %", "−150 000 kr" (U+2212, grouped). */
void manual_fmt_value(char *buf, size_t len, enum manual_unit u, double v);
/* The target "> 3", "≥ 50 %", "≥ 0 kr", or "–" without one. */
void manual_fmt_target(char *buf, size_t len, const struct manual_ind *m);
/* 1 met, 0 not met, -1 not judged (no target or no value). */
int  manual_met(const struct manual_ind *m, bool has_value, double v);
/*
 * Whether s[0..len) may be stored as a note: at most MANUAL_NOTE_MAX bytes
 * (-E2BIG), valid UTF-8 (-EILSEQ), no control character but newline
 * (-EINVAL: also CR, DEL and U+0080..U+009F). "" is allowed (clears it).
 */
int  manual_note_check(const char *s, size_t len);
struct report;
/*
 * Applies one field of the hash manual:<PERIOD> (f[0..flen) = v[0..vlen))
 * to rep: "<indicator>" the value of a manual indicator (cur: of rep's
 * period, else of the same period a year earlier, with its verdict),
 * "<indicator>:analys" / ":prognos" a note of a counted or manual
 * indicator (cur only). Fields of indicators not in cfg are ignored.
 * Returns 0, 1 for a value that does not parse (ignored: the caller may
 * count it), or -ENOMEM.
 */
int  manual_read_field(const struct config *cfg, struct report *rep, bool cur, const char *f,
                       size_t flen, const char *v, size_t vlen);
/* "count", "percent" or "kr". */
const char *manual_unit_name(enum manual_unit u);
/* The manual indicator named name in cfg, or NULL. */
const struct manual_ind *manual_find(const struct config *cfg, const char *name);

#endif /* TQ_MANUAL_H */
