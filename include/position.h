/* position.h — position.c: the text form of a committed file position. Conventions: core.h. */
#ifndef TQ_POSITION_H
#define TQ_POSITION_H

#include <stddef.h>

struct config;
struct file_pos;

/* ------------------------------------------------------------- position.c */
/*
 * The text form of a committed position in K files (see position.c): one
 * reader and one writer for the daemon and teleqctl. Pure.
 */
#define POS_VALUE_MAX   416     /* pos_format_value always fits */
/* Returns 0 and *ret, -ENOENT (feed no longer configured), -EINVAL (malformed). */
int pos_parse(const struct config *cfg, const char *f, size_t flen, const char *v, size_t vlen,
              struct file_pos *ret);
/* Return the length written, or -ENOBUFS. */
int pos_format_field(const struct config *cfg, const struct file_pos *p, char *buf, size_t len);
int pos_format_value(const struct file_pos *p, char *buf, size_t len);

#endif /* TQ_POSITION_H */
