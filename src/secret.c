/*
 * secret.c — the one reader of secret files: the Redis password
 * (redis.password_file) and the key for hashing record ids
 * (dedup.secret_file). teleqd at start and reload, `teleqd -n` and
 * teleqctl all read them here, so a file one of them accepts none of the
 * others refuses, and every refusal is worded the same way.
 *
 * The rules: the file must open (symlinks are followed: the rules apply to
 * what is read), be a regular file, have no permission bit for "others"
 * (a secret readable by every local user is no secret: root:teleqd 0640 or
 * teleqd 0600), and hold between a minimum and a maximum number of bytes.
 * Owner and group are not checked: the service reading it at all is the
 * check that matters, and `teleqd -n` runs as the service's user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>

#include "secret.h"
#include "siphash.h"
#include "tq_config.h"

/*
 * Pure: whether a file of this st_mode may hold a secret. Returns 0, or
 * -EINVAL (not a regular file) / -EPERM (a permission bit for others) with
 * the rule in err ("accessible by others (mode 0644); run chmod o-rwx").
 */
int
secret_mode_check(unsigned mode, char *err, size_t errlen)
{
	if (!S_ISREG(mode)) {
		snprintf(err, errlen, "not a regular file");
		return -EINVAL;
	}
	if (mode & 0007) {
		snprintf(err, errlen, "accessible by others (mode %04o); run chmod o-rwx",
		    mode & 07777);
		return -EPERM;
	}
	return 0;
}

/* Pure: len without one trailing "\n" or "\r\n" (an editor's line end is no part of a password). */
size_t
secret_trim(const char *buf, size_t len)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	return len;
}

/* Wipes and frees a buffer from secret_read; NULL-safe. */
void
secret_free(char *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/* err = "WHAT PATH: " + the rule. */
static int
refuse(int r, const char *what, const char *path, char *err, size_t errlen, const char *rule)
{
	snprintf(err, errlen, "%s %s: %s", what, path, rule);
	return r;
}

/*
 * Reads the secret file path, named what in messages ("redis.password_file").
 * Refuses, with err = "WHAT PATH: rule" and no byte of the content:
 *   - a file that cannot be opened or read: -errno (strerror, and for
 *     EACCES who must be able to read it);
 *   - anything but a regular file: -EINVAL;
 *   - any permission bit for others: -EPERM ("run chmod o-rwx");
 *   - more than max bytes: -EFBIG; fewer than min (after the trim): -EINVAL.
 * With trim, one trailing "\n" or "\r\n" is not part of the secret.
 * max is at most SECRET_MAX (-EINVAL otherwise, err untouched). On success
 * *ret is a malloc'ed, NUL-terminated buffer of *ret_len secret bytes,
 * owned by the caller, who wipes and frees it with secret_free(*ret,
 * *ret_len) as soon as it is used (the bytes past *ret_len are zero). On
 * failure *ret is untouched and every byte read has been wiped.
 */
int
secret_read(const char *what, const char *path, size_t min, size_t max, bool trim,
    char **ret, size_t *ret_len, char *err, size_t errlen)
{
	char rule[128];
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	if (!path || !ret || !ret_len || max == 0 || max > SECRET_MAX || min > max)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (r == -EACCES)
			return refuse(r, what, path, err, errlen, "Permission denied (the service's user "
			    "teleqd must read it: make it root:teleqd mode 0640)");
		return refuse(r, what, path, err, errlen, strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		refuse(r, what, path, err, errlen, strerror(-r));
		goto out;
	}
	if ((r = secret_mode_check(st.st_mode, rule, sizeof(rule))) < 0) {
		refuse(r, what, path, err, errlen, rule);
		goto out;
	}
	/* zeroed: the bytes past the secret are zero, so a free by its length wipes it all */
	if (!(buf = calloc(1, max + 1))) {
		r = -ENOMEM;
		refuse(r, what, path, err, errlen, strerror(ENOMEM));
		goto out;
	}
	/* one byte more than max: a longer file is refused, never cut short */
	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			refuse(r, what, path, err, errlen, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(rule, sizeof(rule), "longer than %zu bytes", max);
		r = refuse(-EFBIG, what, path, err, errlen, rule);
		goto out;
	}
	if (trim) {
		size_t t = secret_trim(buf, len);

		explicit_bzero(buf + t, len - t);
		len = t;
	}
	if (len < min) {
		if (len == 0)
			snprintf(rule, sizeof(rule), "empty");
		else
			snprintf(rule, sizeof(rule), "%zu bytes; it needs at least %zu", len, min);
		r = refuse(-EINVAL, what, path, err, errlen, rule);
		goto out;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	secret_free(buf, max + 1);
	close(fd);
	return r;
}

/*
 * Reads the Redis password (redis.password_file): 1..SECRET_MAX bytes, one
 * trailing newline dropped. Returns 0 with *ret (free with secret_free(*ret,
 * *ret_len)) or -errno with err set (secret_read).
 */
int
secret_redis_password(const char *path, char **ret, size_t *ret_len, char *err, size_t errlen)
{
	return secret_read("redis.password_file", path, 1, SECRET_MAX, true, ret, ret_len, err,
	    errlen);
}

/*
 * Derives the 16-byte id-hashing key from dedup.secret_file: every byte of
 * the file (no trim: the derivation of existing deployments must not
 * change), at least SECRET_KEY_MIN, at most SECRET_MAX. Returns 0 with key
 * set, or -errno with err set (secret_read; a missing file also says how
 * to create it).
 */
int
secret_idkey(const char *path, uint8_t key[16], char *err, size_t errlen)
{
	static const uint8_t k1[16] = "teleqd-idkey-one", k2[16] = "teleqd-idkey-two";
	uint64_t h1, h2;
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = secret_read("dedup.secret_file", path, SECRET_KEY_MIN, SECRET_MAX, false, &buf, &len,
	    err, errlen);
	if (r == -ENOENT) {
		size_t used = strlen(err);

		snprintf(err + used, errlen > used ? errlen - used : 0, " (make install creates it; "
		    "see teleqd(8), FILES)");
	}
	if (r < 0)
		return r;
	h1 = siphash24(k1, buf, len);
	h2 = siphash24(k2, buf, len);
	memcpy(key, &h1, 8);
	memcpy(key + 8, &h2, 8);
	secret_free(buf, len);
	explicit_bzero(&h1, sizeof(h1));
	explicit_bzero(&h2, sizeof(h2));
	return 0;
}

/* Pure: whether cfg hashes ids or case ids, so the daemon needs dedup.secret_file. */
bool
secret_needs_idkey(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (cfg->feeds[i].id_slot >= 0 || cfg->feeds[i].case_slot >= 0)
			return true;
	return false;
}
