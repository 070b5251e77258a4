/*
 * killat.c — test tool: SIGKILL a process as soon as a Redis hash field
 * reaches a value.
 *
 *   killat SOCKET KEY FIELD VALUE PID TIMEOUT_MS
 *
 * Polls HGET KEY FIELD on the unix socket SOCKET about every 200 µs and
 * sends SIGKILL to PID once the field, read as an integer, is at least
 * VALUE. t_kill9 uses it to kill teleqd right after its k-th commit (the
 * stats field "commits"), wherever the machine's speed puts that moment;
 * redis-cli -r -i cannot poll that fast.
 *
 * Exit status: 0 killed; 1 TIMEOUT_MS passed first (nothing sent); 2 PID
 * ended first; 3 usage or Redis error.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: killat SOCKET KEY FIELD VALUE PID TIMEOUT_MS\n");
		return 3;
	}
	long long want = strtoll(argv[4], NULL, 10);
	pid_t pid = (pid_t)strtol(argv[5], NULL, 10);
	long long deadline = now_ms() + strtoll(argv[6], NULL, 10);
	if (pid <= 0) {
		fprintf(stderr, "killat: bad pid %s\n", argv[5]);
		return 3;
	}
	redisContext *c = redisConnectUnix(argv[1]);
	if (c == NULL || c->err) {
		fprintf(stderr, "killat: %s: %s\n", argv[1], c ? c->errstr : "out of memory");
		redisFree(c);
		return 3;
	}
	const struct timespec pause = { 0, 200 * 1000 };
	int rc = 1;
	while (now_ms() < deadline) {
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			rc = 2;
			break;
		}
		redisReply *r = redisCommand(c, "HGET %s %s", argv[2], argv[3]);
		if (r == NULL) {
			fprintf(stderr, "killat: %s\n", c->errstr);
			rc = 3;
			break;
		}
		long long v = r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : 0;
		freeReplyObject(r);
		if (v >= want) {
			rc = kill(pid, SIGKILL) == 0 ? 0 : 2;
			break;
		}
		nanosleep(&pause, NULL);
	}
	redisFree(c);
	return rc;
}
