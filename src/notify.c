/*
 * notify.c — delivers one rendered alert through one channel, on a
 * libevent base. Knows nothing of Redis, retries or message content.
 *
 * Mail: the configured sendmail command (argv, no shell) is spawned with
 * the message on its standard input: a memfd that holds the whole message
 * before the child starts. So the daemon never blocks on a reader, and a
 * daemon killed while sendmail runs never hands it a message cut short
 * (through a pipe, sendmail would take the early end of file for the end
 * of the message and send what it had). Standard output and error go to one pipe
 * whose first line becomes the failure detail. Exit status 0 means the MTA
 * accepted the message. A failure after sendmail read the whole message
 * that does not say the message was refused (sendmail_status) is
 * NOTIFY_AMBIGUOUS: the relay may have it. The memfd shares its file
 * offset with the child, so how far the child read is known after it
 * ends. Children are reaped on SIGCHLD with waitpid() on
 * their own pids only (other code of the process may have children too),
 * and killed after MAIL_TIMEOUT_S.
 *
 * Webhook: one HTTP/1.1 POST per message on its own connection (webhook.c:
 * plain or https, direct or through a proxy), freed once the attempt is
 * over. 2xx means accepted.
 *
 * Every attempt ends in exactly one call of its done callback, always from
 * the event loop (a zero timer), never from inside notify_send() or from
 * inside a libevent HTTP callback, so the caller may free or resend freely.
 *
 * The process should ignore SIGPIPE: libevent writes to sockets with
 * writev(), which raises it when the peer has gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "core.h"
#include "log.h"
#include "notify.h"
#include "tq_config.h"
#include "utf8.h"
#include "webhook.h"
#include "dlist.h"

extern char **environ;

#ifndef MAIL_TIMEOUT_S  /* (overridable only to test the deadline quickly) */
#define MAIL_TIMEOUT_S      60          /* a sendmail that hangs is killed after this */
#endif
#define REAP_POLL_MS        200         /* after SIGKILL: poll in case SIGCHLD is missed */
#define FREE_WAIT_TRIES     100         /* notify_free: 100 x 10 ms for a killed child */
#define FIRST_LINE_MAX      200         /* bytes of the child's first output line kept */
#define DETAIL_CAP          256         /* "exit 255: " + FIRST_LINE_MAX, NUL */
#define IO_ROUNDS           16          /* pipe reads per wake-up, so one job cannot hold the loop */

static const char *const default_sendmail[] = { "/usr/sbin/sendmail", "-t", "-i", NULL };

struct job {
	struct notify  *n;
	struct job     *prev, *next;
	enum channel    ch;
	notify_done_fn *done;
	void           *arg;
	char           *data;           /* copy of the message */
	size_t          len;
	struct event   *timer;          /* mail: kill deadline, then reap poll; webhook: deadline */
	struct event   *defer;          /* zero timer that ends the job */
	bool            finished;       /* result known; defer is armed */
	int             status;
	char            detail[DETAIL_CAP];

	/* mail */
	pid_t           pid;            /* > 0 until reaped */
	int             msg_fd;         /* the message's memfd (child's stdin): its offset says how far it read */
	int             out_fd;         /* our end of the child's stdout+stderr */
	struct event   *out_ev;
	char            line[FIRST_LINE_MAX + 1];
	size_t          linelen;
	bool            line_done;      /* the first newline was seen (or the cap reached) */
	bool            killed;         /* we sent SIGKILL after the deadline */
	bool            aborted;        /* we sent SIGKILL: the loop could not watch it */

	/* webhook */
	struct webhook_req *req;        /* freed only outside its callback (on_defer, notify_free) */
};

struct notify {
	struct event_base *base;
	struct event      *sigchld;     /* only when mail is configured */
	char             **argv;        /* sendmail command, NULL-terminated copy */
	bool               mail;
	struct webhook    *webhook;     /* NULL when not configured (webhook.c: URL, TLS context, proxy) */
	struct job        *jobs;        /* in flight, doubly linked */
};

/* ------------------------------------------------------------ channels */

/* "mail" / "webhook"; "?" for an out-of-range value. Static storage. */
const char *
channel_name(enum channel ch)
{
	switch (ch) {
	case CH_MAIL:    return "mail";
	case CH_WEBHOOK: return "webhook";
	case CH__MAX:    break;
	}
	return "?";
}

/* Parses s[0..len) as a channel name. 0 and *ret, or -EINVAL (*ret untouched). */
int
channel_parse(const char *s, size_t len, enum channel *ret)
{
	for (int ch = 0; ch < CH__MAX; ch++) {
		const char *name = channel_name((enum channel)ch);

		if (strlen(name) == len && memcmp(s, name, len) == 0) {
			*ret = (enum channel)ch;
			return 0;
		}
	}
	return -EINVAL;
}

/* True when ac (may be NULL) configures ch: recipients for mail, a URL for the webhook. */
bool
channel_enabled(const struct alert_conf *ac, enum channel ch)
{
	if (!ac)
		return false;
	switch (ch) {
	case CH_MAIL:    return ac->nto > 0;
	case CH_WEBHOOK: return ac->webhook_url != NULL;
	case CH__MAX:    break;
	}
	return false;
}

/* ------------------------------------------------------------- helpers */

/* Frees a NULL-terminated string vector. Accepts NULL. */
static void
strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Copies a NULL-terminated string vector. NULL on ENOMEM. */
static char **
strv_copy(const char *const *v)
{
	size_t n = 0;
	char **c;

	while (v[n])
		n++;
	c = calloc(n + 1, sizeof(*c));
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			strv_free(c);
			return NULL;
		}
	}
	return c;
}

/* Closes *fd when open and marks it closed. */
static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Deletes and frees *ev when set. */
static void
free_event(struct event **ev)
{
	if (*ev) {
		event_free(*ev);
		*ev = NULL;
	}
}

/*
 * Moves *fd to a number >= 3 (close-on-exec kept) when it is 0, 1 or 2,
 * which can happen when the process runs with a standard descriptor
 * closed: dup2(fd, fd) in the child would then not clear close-on-exec.
 * Returns 0 or -errno.
 */
static int
fd_above_stdio(int *fd)
{
	int nfd;

	if (*fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* Sets O_NONBLOCK on fd. Returns 0 or -errno. */
static int
fd_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/*
 * Makes the kept first line s[0..len) fit for a detail, NUL-terminated in
 * place: tabs become spaces, other control characters go, blanks are
 * trimmed, a multi-byte character cut by the length cap is dropped, and
 * if the rest is still not valid UTF-8 its non-ASCII bytes become '?' (the
 * detail is stored in Redis and printed on terminals).
 */
static void
clean_line(char *s, size_t len)
{
	size_t o = 0, start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i] == '\t' ? ' ' : (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7F)
			s[o++] = (char)c;
	}
	if (!utf8_valid(s, o)) {
		/* The last (lead byte + continuation bytes) may be a cut character. */
		size_t k = o;

		while (k > 0 && o - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0xC0 && utf8_valid(s, k - 1))
			o = k - 1;
	}
	if (!utf8_valid(s, o))
		for (size_t i = 0; i < o; i++)
			if ((unsigned char)s[i] >= 0x80)
				s[i] = '?';
	while (o > 0 && s[o - 1] == ' ')
		o--;
	while (start < o && s[start] == ' ')
		start++;
	memmove(s, s + start, o - start);
	s[o - start] = '\0';
}

/* ---------------------------------------------------------------- jobs */

/*
 * Frees a job and everything it holds, without calling its callback.
 * A child still running is killed and (briefly) waited for; a webhook
 * connection is freed, which drops its request without a callback.
 * Must not be called from inside a libevent HTTP callback of the job.
 * The job must already be unlinked. Accepts NULL.
 */
static void
job_free(struct job *j)
{
	if (!j)
		return;
	free_event(&j->timer);
	free_event(&j->defer);
	free_event(&j->out_ev);
	close_fd(&j->out_fd);
	close_fd(&j->msg_fd);
	if (j->pid > 0) {
		/* Cancelled: SIGKILL, then reap it so no zombie is left behind.
		 * Bounded, in case it is stuck in the kernel. */
		kill(j->pid, SIGKILL);
		for (int i = 0; i < FREE_WAIT_TRIES; i++) {
			pid_t w = waitpid(j->pid, NULL, WNOHANG);

			if (w == j->pid || (w < 0 && errno != EINTR))
				break;
			if (w == 0) {
				const struct timespec ts = { 0, 10 * 1000 * 1000 };

				nanosleep(&ts, NULL);
			}
		}
		j->pid = 0;
	}
	webhook_req_free(j->req);
	free(j->data);
	free(j);
}

/* Takes j out of its notify's list. */
static void
job_unlink(struct job *j)
{
	DLIST_UNLINK(j->n->jobs, j);
	j->prev = j->next = NULL;
}

/* Zero timer: the job is over. Frees it, then calls done (which may free n). */
static void
on_defer(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	notify_done_fn *done = j->done;
	void *darg = j->arg;
	int status = j->status;
	char detail[DETAIL_CAP];

	(void)fd;
	(void)what;
	snprintf(detail, sizeof(detail), "%s", status == 0 ? "" : j->detail);
	job_unlink(j);
	job_free(j);
	done(darg, status, detail);
}

/*
 * Records the result of j and arms the zero timer that reports it. Only
 * the first result counts. detail (printf format) is for failures.
 */
static void TQ_PRINTF(3, 4)
job_finish(struct job *j, int status, const char *fmt, ...)
{
	static const struct timeval zero = { 0, 0 };
	va_list ap;

	if (j->finished)
		return;
	j->finished = true;
	j->status = status;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
		va_end(ap);
	}
	if (j->timer)
		evtimer_del(j->timer);
	/* defer was created with the job, so arming it cannot fail for lack of memory. */
	evtimer_add(j->defer, &zero);
}

/* ---------------------------------------------------------------- mail */

/*
 * Reads what the child has written (non-blocking) and keeps its first
 * non-empty line (at most FIRST_LINE_MAX bytes); the rest is discarded, but still read so the child never blocks
 * on a full pipe. Closes the pipe at end of file or on an error.
 */
static void
mail_read_output(struct job *j)
{
	char buf[4096];

	for (int round = 0; round < IO_ROUNDS && j->out_fd >= 0; round++) {
		ssize_t n = read(j->out_fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			free_event(&j->out_ev);
			close_fd(&j->out_fd);
			return;
		}
		for (ssize_t i = 0; i < n && !j->line_done; i++) {
			/* Leading empty lines say nothing: the first one with text counts. */
			if (buf[i] == '\n' && j->linelen == 0)
				continue;
			if (buf[i] == '\n' || j->linelen == FIRST_LINE_MAX)
				j->line_done = true;
			else
				j->line[j->linelen++] = buf[i];
		}
	}
}

/* EV_READ on the child's output. */
static void
on_mail_output(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mail_read_output(arg);
}

/*
 * sysexits.h codes after which a sendmail that read the whole message
 * cannot say whether the message went on: EX_SOFTWARE (internal error,
 * msmtp's "undefined" SMTP error), EX_IOERR (I/O error while talking),
 * EX_PROTOCOL (a reply missing or garbled: msmtp's "the server sent an
 * empty reply" when a relay hangs up after the end-of-data dot). The
 * others mean it was not taken: EX_TEMPFAIL (connection refused, 4xx),
 * EX_UNAVAILABLE / EX_NOUSER / EX_NOHOST / EX_DATAERR (5xx, bad address),
 * EX_USAGE / EX_CONFIG / EX_NOPERM / EX_OSERR / EX_OSFILE / EX_CANTCREAT
 * (it could not even start). An exit code outside sysexits (exim's 1,
 * say) is taken as definite, as before: retried without bound.
 */
#define EX_SOFTWARE_    70
#define EX_IOERR_       74
#define EX_PROTOCOL_    76

/* See notify.h. */
int
sendmail_status(int st, bool timed_out, bool read_all)
{
	if (!timed_out && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* It did not read to the end of the message: it cannot have sent
	 * all of it (SMTP ends a message with the dot after its last line). */
	if (!read_all)
		return -EIO;
	if (timed_out || WIFSIGNALED(st))
		return NOTIFY_AMBIGUOUS;        /* killed in the middle of whatever it did */
	if (WIFEXITED(st)) {
		switch (WEXITSTATUS(st)) {
		case EX_SOFTWARE_:
		case EX_IOERR_:
		case EX_PROTOCOL_:
			return NOTIFY_AMBIGUOUS;
		default:
			return -EIO;
		}
	}
	return -EIO;
}

/* True when the child read j's whole message from its stdin (the shared memfd offset). */
static bool
mail_read_all(const struct job *j)
{
	off_t off;

	if (j->msg_fd < 0)
		return true;    /* unknown: assume the worst (it may have sent it) */
	off = lseek(j->msg_fd, 0, SEEK_CUR);
	return off < 0 || (size_t)off >= j->len;
}

/* The child exited with wait status st: collect its output, report. */
static void
mail_exited(struct job *j, int st)
{
	int code, status;

	j->pid = 0;
	/* Whatever it wrote before exiting is in the pipe now. A grandchild
	 * may hold the pipe open, so do not wait for end of file. */
	if (j->out_fd >= 0)
		mail_read_output(j);
	free_event(&j->out_ev);
	close_fd(&j->out_fd);
	clean_line(j->line, j->linelen);
	status = sendmail_status(st, j->killed, mail_read_all(j));
	close_fd(&j->msg_fd);

	if (j->aborted) {
		/* stopped at once, by us, before the loop could watch it */
		job_finish(j, -ENOMEM, "out of memory: sendmail stopped");
	} else if (j->killed) {
		job_finish(j, status, "timed out after %d s", MAIL_TIMEOUT_S);
	} else if (WIFEXITED(st)) {
		code = WEXITSTATUS(st);
		if (code == 0)
			job_finish(j, 0, NULL);
		else if (j->line[0])
			job_finish(j, status, "exit %d: %s", code, j->line);
		else
			job_finish(j, status, "exit %d", code);
	} else if (WIFSIGNALED(st)) {
		job_finish(j, status, "killed by signal %d", WTERMSIG(st));
	} else {
		job_finish(j, status, "ended with wait status %d", st);
	}
	log_debug("notify: mail: sendmail ended: %s", j->status == 0 ? "delivered" : j->detail);
}

/* Reaps j's child when it has ended. Only ever waits for our own pid. */
static void
mail_try_reap(struct job *j)
{
	int st;
	pid_t w;

	if (j->pid <= 0)
		return;
	do
		w = waitpid(j->pid, &st, WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w == j->pid)
		mail_exited(j, st);
	else if (w < 0) {
		/* ECHILD: someone else reaped it (SIGCHLD ignored, or waitpid(-1)
		 * elsewhere). The outcome is unknown: a failure, ambiguous when
		 * it read the whole message. */
		j->pid = 0;
		job_finish(j, mail_read_all(j) ? NOTIFY_AMBIGUOUS : -ECHILD,
		           "sendmail status lost (reaped elsewhere)");
	}
}

/* SIGCHLD: check each of our children; other children are not ours to reap. */
static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct notify *n = arg;

	(void)sig;
	(void)what;
	for (struct job *j = n->jobs; j; j = j->next)
		if (j->ch == CH_MAIL && !j->finished)
			mail_try_reap(j);
}

/* The deadline passed: kill the child, then poll for it until reaped. */
static void
on_mail_timer(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	const struct timeval poll = { 0, REAP_POLL_MS * 1000 };

	(void)fd;
	(void)what;
	if (j->finished || j->pid <= 0)
		return;
	if (!j->killed) {
		log_warnx("notify: mail: sendmail (pid %d) still running after %d s: killing it",
		          (int)j->pid, MAIL_TIMEOUT_S);
		kill(j->pid, SIGKILL);
		j->killed = true;
	}
	mail_try_reap(j);
	if (!j->finished)
		evtimer_add(j->timer, &poll);
}

/*
 * The message of j in a memfd, read from its start: the child's stdin.
 * Returns the descriptor (close-on-exec, above 2) or -errno with why set.
 */
static int
mail_message_fd(const struct job *j, char *why, size_t whylen)
{
	size_t off = 0;
	int fd, r = 0;

	if ((fd = memfd_create("teleqd-mail", MFD_CLOEXEC)) < 0)
		r = -errno;
	else
		r = fd_above_stdio(&fd);
	while (r == 0 && off < j->len) {
		ssize_t w = write(fd, j->data + off, j->len - off);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r < 0) {
		snprintf(why, whylen, "cannot hold the message for sendmail: %s", strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

/*
 * Spawns the sendmail command for j: stdin from the message's memfd,
 * stdout and stderr into a pipe, no other descriptor inherited, default signal
 * dispositions and an empty signal mask. When it cannot start (no such
 * program, out of descriptors or processes) the job is finished as a
 * failed attempt with the reason as detail: the caller retries it like
 * any other failure.
 */
static void
mail_start(struct job *j)
{
	struct notify *n = j->n;
	const struct timeval deadline = { MAIL_TIMEOUT_S, 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int msg = -1, out[2] = { -1, -1 };
	char why[DETAIL_CAP];
	int r;

	if ((msg = r = mail_message_fd(j, why, sizeof(why))) < 0)
		goto fail;
	if (pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(why, sizeof(why), "cannot create a pipe: %s", strerror(-r));
		goto fail;
	}
	if ((r = fd_above_stdio(&out[1])) < 0) {
		snprintf(why, sizeof(why), "cannot create a pipe: %s", strerror(-r));
		goto fail;
	}

	/* The child gets exactly 0, 1 and 2: dup2 clears close-on-exec on
	 * those, and closefrom(3) covers descriptors opened elsewhere
	 * without O_CLOEXEC (hiredis sockets, for one). */
	r = posix_spawn_file_actions_init(&fa);
	if (r != 0) {
		r = -r;
		snprintf(why, sizeof(why), "cannot run %s: %s", n->argv[0], strerror(-r));
		goto fail;
	}
	r = posix_spawnattr_init(&at);
	if (r != 0) {
		posix_spawn_file_actions_destroy(&fa);
		r = -r;
		snprintf(why, sizeof(why), "cannot run %s: %s", n->argv[0], strerror(-r));
		goto fail;
	}
	sigemptyset(&none);
	sigfillset(&all);
	/* The daemon ignores SIGPIPE; an ignored signal would survive exec. */
	if ((r = posix_spawn_file_actions_adddup2(&fa, msg, STDIN_FILENO)) == 0 &&
	    (r = posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO)) == 0 &&
	    (r = posix_spawn_file_actions_adddup2(&fa, out[1], STDERR_FILENO)) == 0 &&
	    (r = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (r = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (r = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
	    (r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0)
		r = posix_spawnp(&j->pid, n->argv[0], &fa, &at, n->argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		j->pid = 0;
		r = -r;
		snprintf(why, sizeof(why), "cannot run %s: %s", n->argv[0], strerror(-r));
		goto fail;
	}
	/* msg is kept: its offset, shared with the child, tells how far it read. */
	j->msg_fd = msg;
	close_fd(&out[1]);
	j->out_fd = out[0];
	log_debug("notify: mail: %s started (pid %d, %zu bytes)", n->argv[0], (int)j->pid, j->len);

	/* From here on the child runs: every outcome comes from its exit
	 * (mail_exited, on SIGCHLD), never from an early return. Without a
	 * deadline or without the loop watching its output it could hang for
	 * good: then it is stopped at once, and reaped on SIGCHLD. */
	j->timer = evtimer_new(n->base, on_mail_timer, j);
	if (!j->timer || evtimer_add(j->timer, &deadline) < 0 || fd_nonblock(j->out_fd) < 0 ||
	    !(j->out_ev = event_new(n->base, j->out_fd, EV_READ | EV_PERSIST, on_mail_output, j)) ||
	    event_add(j->out_ev, NULL) < 0) {
		log_warnx("notify: mail: out of memory: stopping sendmail (pid %d)", (int)j->pid);
		free_event(&j->out_ev);
		kill(j->pid, SIGKILL);
		j->aborted = true;
	}
	/* A child that ended before the SIGCHLD event saw it is still found
	 * by the next SIGCHLD or the deadline; check once now as well. */
	mail_try_reap(j);
	return;

fail:
	close_fd(&msg);
	close_fd(&out[0]);
	close_fd(&out[1]);
	log_debug("notify: mail: %s", why);
	job_finish(j, r, "%s", why);
}

/* ------------------------------------------------------------- webhook */

/* webhook.c's outcome: the attempt is over (may run inside its callbacks). */
static void
on_webhook_done(void *arg, int status, const char *detail)
{
	struct job *j = arg;

	job_finish(j, status, "%s", detail);
}

/* -------------------------------------------------------------- public */

/*
 * Creates a notifier on base for the channels ac configures (settings
 * are copied: ac may be freed or replaced afterwards). With mail
 * configured, a SIGCHLD event is added to base. Returns 0 and *ret (owned
 * by the caller, free with notify_free), -ENOMEM, or -EINVAL when the
 * webhook settings are incomplete or its ca_file cannot be loaded
 * (logged by webhook_new).
 */
int
notify_new(struct event_base *base, const struct alert_conf *ac, struct notify **ret)
{
	struct notify *n;

	if (!base || !ac)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->base = base;
	n->mail = channel_enabled(ac, CH_MAIL);

	if (n->mail) {
		const char *const *argv = ac->sendmail && ac->sendmail[0] ?
		                          (const char *const *)ac->sendmail : default_sendmail;

		n->argv = strv_copy(argv);
		if (!n->argv)
			goto nomem;
		n->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, n);
		if (!n->sigchld || evsignal_add(n->sigchld, NULL) < 0)
			goto nomem;
	}
	if (channel_enabled(ac, CH_WEBHOOK)) {
		int r = webhook_new(base, ac, &n->webhook);

		if (r < 0) {
			notify_free(n);
			return r;
		}
	}
	*ret = n;
	return 0;

nomem:
	notify_free(n);
	return -ENOMEM;
}

/*
 * Cancels every attempt in flight without calling its callback: children
 * are killed and reaped, connections freed. Must not be called from
 * inside a libevent HTTP callback (done callbacks are fine: they run from
 * a timer). Accepts NULL.
 */
void
notify_free(struct notify *n)
{
	struct job *j;

	if (!n)
		return;
	while ((j = n->jobs)) {
		job_unlink(j);
		job_free(j);
	}
	free_event(&n->sigchld);
	strv_free(n->argv);
	webhook_free(n->webhook);
	free(n);
}

/*
 * Starts delivering data[0..len) (copied) through ch; id is the alert id
 * (the webhook's Idempotency-Key; not used for mail, whose Message-ID is
 * in the data). Returns 0: done(arg, status, detail) follows exactly once
 * from the event loop, also when the attempt could not even start (the
 * detail says why: "cannot run /usr/sbin/sendmail: No such file or
 * directory"). detail is never NULL ("" when delivered) and is only valid
 * during the call. Returns -EINVAL (channel not configured, bad id) or
 * -ENOMEM without ever calling done.
 */
int
notify_send(struct notify *n, enum channel ch, const char *id, const char *data,
            size_t len, notify_done_fn *done, void *arg)
{
	struct job *j;
	int r;

	if (!n || !done || (!data && len > 0) ||
	    (ch == CH_MAIL && !n->mail) || (ch == CH_WEBHOOK && !n->webhook) ||
	    (ch != CH_MAIL && ch != CH_WEBHOOK))
		return -EINVAL;
	/* The id goes into a header: printable ASCII only, and it must fit. */
	if (ch == CH_WEBHOOK) {
		if (!id || !id[0] || strlen(id) >= DETAIL_CAP)
			return -EINVAL;
		for (const char *p = id; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
				return -EINVAL;
	}

	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->n = n;
	j->ch = ch;
	j->done = done;
	j->arg = arg;
	j->out_fd = -1;
	j->msg_fd = -1;
	j->len = len;
	j->data = malloc(len ? len : 1);
	j->defer = evtimer_new(n->base, on_defer, j);
	if (!j->data || !j->defer) {
		job_free(j);
		return -ENOMEM;
	}
	if (len)
		memcpy(j->data, data, len);
	j->next = n->jobs;
	if (n->jobs)
		n->jobs->prev = j;
	n->jobs = j;

	if (ch == CH_MAIL) {
		log_debug("notify: mail for alert %s", id ? id : "(no id)");
		mail_start(j);
		return 0;
	}
	r = webhook_post(n->webhook, id, j->data, j->len, on_webhook_done, j, &j->req);
	if (r < 0) {
		/* Nothing was started (and nothing will call back). */
		job_unlink(j);
		job_free(j);
	}
	return r;
}

/* See notify.h. */
enum delivery_action
delivery_decide(int status, unsigned ambiguous_before, unsigned max_ambiguous)
{
	if (status == 0)
		return DA_DONE;
	if (status != NOTIFY_AMBIGUOUS)
		return DA_RETRY;
	/* this one is ambiguous outcome number ambiguous_before + 1 */
	return ambiguous_before >= max_ambiguous ? DA_PARK : DA_RETRY;
}
