/* keys.h — keys.c: Redis key names. Conventions: core.h. */
#ifndef TQ_KEYS_H
#define TQ_KEYS_H

#include <stddef.h>

#include "core.h"

struct config;

/* ---------------------------------------------------------------- keys.c */
/*
 * Redis key names. Every key is "<prefix>{<tag>}:<rest>" so one hash tag
 * holds a deployment together (cluster-ready). Writes into buf, returns
 * length or -ENOBUFS.
 */
int key_name(const struct config *cfg, char *buf, size_t len, const char *fmt, ...) TQ_PRINTF(4, 5);

#endif /* TQ_KEYS_H */
