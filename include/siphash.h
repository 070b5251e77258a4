/* siphash.h — siphash.c: SipHash-2-4. Conventions: core.h. */
#ifndef TQ_SIPHASH_H
#define TQ_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* -------------------------------------------------------------- siphash.c */
/* SipHash-2-4 of data with a 16-byte key. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif /* TQ_SIPHASH_H */
