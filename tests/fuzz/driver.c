/*
 * driver.c — replays files through one harness without libFuzzer.
 *
 * Linked with one tests/fuzz/fuzz_*.c and the project library by the normal
 * compiler (gcc; with SAN=1 under ASan and UBSan), it runs every file named
 * on the command line, or every regular file in a directory named there,
 * through LLVMFuzzerTestOneInput: `make fuzz-regress` replays the seed
 * corpora and every past crash this way, so the harnesses keep compiling
 * without clang and each fixed bug stays fixed. A broken invariant aborts
 * (the harness prints what broke); the driver prints each file before it
 * runs it only with -v, and a summary at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;
static unsigned long nrun;

/* Reads path whole (at most FUZZ_MAX_INPUT + 1 bytes) and runs it. 0, or -1 on I/O error. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t len;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(FUZZ_MAX_INPUT + 1);
	if (!buf) {
		fclose(f);
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	len = fread(buf, 1, FUZZ_MAX_INPUT + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (verbose)
		fprintf(stderr, "  %s (%zu bytes)\n", path, len);
	/* An exact-size copy: ASan then catches a harness reading past the input. */
	uint8_t *in = malloc(len ? len : 1);
	if (!in) {
		free(buf);
		return -1;
	}
	memcpy(in, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(in, len);
	free(in);
	nrun++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir, in name order (hidden files skipped). */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int st = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **p = realloc(names, cap * sizeof(*names));
			if (!p)
				abort();
			names = p;
		}
		size_t l = strlen(dir) + 1 + strlen(de->d_name) + 1;
		names[n] = malloc(l);
		if (!names[n])
			abort();
		snprintf(names[n], l, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;

		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) && run_file(names[i]) < 0)
			st = -1;
		free(names[i]);
	}
	free(names);
	return st;
}

int main(int argc, char **argv)
{
	int st = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			continue;
		}
		if (stat(argv[i], &sb) < 0) {
			/* A harness without a regress directory yet: nothing to replay. */
			if (errno == ENOENT)
				continue;
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			st = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (run_dir(argv[i]) < 0)
				st = 1;
		} else if (run_file(argv[i]) < 0) {
			st = 1;
		}
	}
	printf("%s: %lu inputs replayed%s\n", argv[0], nrun, st ? ", with I/O errors" : "");
	return st;
}
