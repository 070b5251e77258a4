/* secret.h — secret.c: reading secret files. Conventions: core.h. */
#ifndef TQ_SECRET_H
#define TQ_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;

/* --------------------------------------------------------------- secret.c */
/*
 * The one reader of secret files (redis.password_file, dedup.secret_file)
 * for teleqd, `teleqd -n` and teleqctl. A secret file must open, be a
 * regular file, have no permission bit for others, and hold min..max
 * bytes; a refusal returns -errno with "WHAT PATH: rule" in err (never the
 * content). Details above each function in secret.c.
 */
#define SECRET_MAX      4096    /* bytes of a secret file */
#define SECRET_KEY_MIN  16      /* bytes of dedup.secret_file */
int    secret_mode_check(unsigned mode, char *err, size_t errlen);
size_t secret_trim(const char *buf, size_t len);
int    secret_read(const char *what, const char *path, size_t min, size_t max, bool trim,
                   char **ret, size_t *ret_len, char *err, size_t errlen);
void   secret_free(char *buf, size_t len);
int    secret_redis_password(const char *path, char **ret, size_t *ret_len, char *err,
                             size_t errlen);
int    secret_idkey(const char *path, uint8_t key[16], char *err, size_t errlen);
bool   secret_needs_idkey(const struct config *cfg);

#endif /* TQ_SECRET_H */
