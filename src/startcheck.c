/*
 * startcheck.c — what `teleqd -n` checks beyond the configuration itself:
 * the files the start reads (the Redis password, the de-dup key) with the
 * readers the start uses (secret.c), the default sendmail and the feed
 * directories. No state: it reads the file system and logs.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"
#include "startcheck.h"
#include "tq_config.h"

/* 0 when path is of type (S_IFREG, S_IFDIR) and this user may use it with amode, else an errno value. */
static int
usable(const char *path, unsigned type, int amode)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if ((st.st_mode & S_IFMT) != type)
		return type == S_IFDIR ? ENOTDIR : EINVAL;
	return access(path, amode) < 0 ? errno : 0;
}

/*
 * teleqd -n, after the configuration parsed (see startcheck.h): what the start itself reads,
 * with the readers the start uses (secret.c), so a configuration that
 * passes -n never fails to start on a file. Refusals are logged as errors,
 * each with its file and rule; things the daemon copes with at run time are
 * warnings: a feed directory missing (the writer may create it later; the
 * rescan finds it) or unreadable, the default sendmail missing (mail fails
 * and is retried). Returns the number of errors.
 */
int
start_check(const struct config *cfg)
{
	char err[PATH_MAX + 256];
	uint8_t key[16];
	char *pw = NULL;
	size_t pwlen = 0;
	int nerr = 0;

	if (cfg->redis.password_file) {
		if (secret_redis_password(cfg->redis.password_file, &pw, &pwlen, err, sizeof(err)) < 0) {
			log_errx("%s", err);
			nerr++;
		}
		secret_free(pw, pwlen);
	}
	if (secret_needs_idkey(cfg)) {
		if (secret_idkey(cfg->dedup.secret_file, key, err, sizeof(err)) < 0) {
			log_errx("%s", err);
			nerr++;
		}
		explicit_bzero(key, sizeof(key));
	}
	/* A sendmail written out is checked by config_load (an error at start
	 * too); this is the default one, which the start does not refuse. */
	if (cfg->alerts.enabled && cfg->alerts.nto > 0 && cfg->alerts.sendmail &&
	    cfg->alerts.sendmail[0]) {
		const char *sm = cfg->alerts.sendmail[0];
		int e = usable(sm, S_IFREG, X_OK);

		if (e)
			log_warnx("warning: alerts.mail: the sendmail program %s is not an executable "
			    "file (%s): alert mail fails until it is installed", sm,
			    e == EINVAL ? "not a regular file" : strerror(e));
	}
	/* One line per feed directory (feeds may share one). */
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const char *path = cfg->feeds[i].path, *slash = strrchr(path, '/');
		size_t dlen = slash && slash != path ? (size_t)(slash - path) : 1, j;
		char dir[PATH_MAX];
		bool seen = false;
		int e;

		for (j = 0; j < i && !seen; j++) {
			const char *q = cfg->feeds[j].path, *qs = strrchr(q, '/');
			size_t qlen = qs && qs != q ? (size_t)(qs - q) : 1;

			seen = qlen == dlen && memcmp(q, path, dlen) == 0;
		}
		if (seen || dlen >= sizeof(dir))
			continue;
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
		e = usable(dir, S_IFDIR, R_OK | X_OK);
		if (e == ENOENT)
			log_warnx("warning: feed %s: directory %s does not exist (yet); the daemon "
			    "looks for it every %u ms", cfg->feeds[i].name, dir, cfg->rescan_interval_ms);
		else if (e)
			log_warnx("warning: feed %s: directory %s cannot be listed by this user (%s)",
			    cfg->feeds[i].name, dir, strerror(e));
	}
	return nerr;
}
