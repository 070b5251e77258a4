/*
 * procstat.c — this process's own figures for /metrics (the process_*
 * families): resident memory, open descriptors and their limit, CPU time
 * and start time, read from Linux's /proc at scrape time. Kept apart from
 * metrics.c, whose rendering is pure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "metrics.h"

#define PROC_STAT_MAX   4096    /* bytes of /proc/self/stat read (about 300: comm is 16 at most) */

/* Reads up to cap - 1 bytes of path into buf, NUL-terminated. Returns the length or -errno. */
static ssize_t
read_small(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/*
 * The "btime" of /proc/stat (boot time, unix seconds), or -1; read once
 * (it does not change). Line by line: the "intr" line before it can be
 * tens of kilobytes on a large machine.
 */
static int64_t
boot_time(void)
{
	static int64_t cached = -1;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	if (cached >= 0)
		return cached;
	if (!(f = fopen("/proc/stat", "re")))
		return -1;
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, "btime ", 6)) {
			cached = strtoll(line + 6, NULL, 10);
			break;
		}
	free(line);
	fclose(f);
	return cached;
}

/* Descriptors open now (the one reading the directory not counted), or -errno. */
static int64_t
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	const struct dirent *e;
	int64_t n = 0;
	int own;

	if (!d)
		return -errno;
	own = dirfd(d);
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (e->d_name[0] != '.' && !*end && fd != own)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Reads this process's figures into *ret (see include/metrics.h). Fields
 * of /proc/self/stat after the command's closing parenthesis: 14 utime,
 * 15 stime, 22 starttime (clock ticks since boot), 24 rss (pages).
 */
void
metrics_read_proc(struct proc_stat *ret)
{
	char buf[PROC_STAT_MAX];
	unsigned long long utime = 0, stime = 0, start = 0;
	long long rss = 0;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	const char *p;
	int64_t btime, fds;

	memset(ret, 0, sizeof(*ret));
	if (ticks <= 0 || page <= 0 || read_small("/proc/self/stat", buf, sizeof(buf)) < 0 ||
	    !(p = strrchr(buf, ')')))
		return;
	/* after ")": field 3 (the state, a letter), then numbers (some negative) */
	p++;
	for (int field = 3; field <= 24; field++) {
		char *end;
		unsigned long long v;

		p += strspn(p, " ");
		if (!*p)
			return;
		if (field == 3) {
			p += strcspn(p, " ");
			continue;
		}
		v = strtoull(p, &end, 10);      /* "-1" parses too; only the fields below matter */
		if (end == p)
			return;                 /* not the format expected */
		if (field == 14)
			utime = v;
		else if (field == 15)
			stime = v;
		else if (field == 22)
			start = v;
		else if (field == 24)
			rss = (long long)v;
		p = end;
	}
	if ((btime = boot_time()) < 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	ret->max_fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	fds = count_fds();
	/* no descriptor left to look: all are open */
	ret->open_fds = fds >= 0 ? (uint64_t)fds : fds == -EMFILE ? ret->max_fds : 0;
	ret->cpu_seconds = (double)(utime + stime) / (double)ticks;
	ret->start_time = (double)btime + (double)start / (double)ticks;
	ret->resident_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0;
	ret->ok = true;
}
