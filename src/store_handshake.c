/*
 * store_handshake.c — a new connection's handshake (store.c's): AUTH,
 * SELECT, with redis.sentinels the role (INFO replication: the server a
 * sentinel named must be the master still), the eviction policy (INFO memory), the writer lease, then one
 * MULTI that bumps the fencing epoch and reads every committed file
 * position and case state; then the sink hears ready().
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "core.h"
#include "batch.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "position.h"
#include "redis_health.h"
#include "scan.h"
#include "store.h"
#include "tq_config.h"
#include "store_priv.h"
#include "store_int.h"

/* ------------------------------------------------------------- handshake */


/* Copies a reply's text for a message (Redis errors hold no secrets of ours). */
const char *
reply_text(const redisReply *r)
{
	return r && r->str ? r->str : "(no text)";
}

/* Reply to AUTH or SELECT. */
static void
on_hs_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	enum req_kind kind;
	struct store *st = req_take(privdata, r, &kind);
	redisReply *reply = r;

	(void)ac;
	if (!st)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		if (!st->outage_logged)
			log_warnx("redis: %s refused by %s: %.200s", kind == REQ_AUTH ? "AUTH" : "SELECT",
			    addr_name(st), reply_text(reply));
		conn_fail(st);
		return;
	}
	hs_send(st, kind + 1);
}

/*
 * Reply to INFO replication (redis.sentinels only): a sentinel named this
 * server, but a failover may have demoted it since; anything but
 * role:master closes the connection and the next attempt asks the
 * sentinels again. A replica would refuse the handshake's writes anyway
 * (READONLY); asking first says why.
 */
static void
on_role_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct store *st = req_take(privdata, r, NULL);
	redisReply *reply = r;
	char role[16] = "";

	(void)ac;
	if (!st)
		return;
	if (reply->type != REDIS_REPLY_STRING ||
	    redis_info_field(reply->str, reply->len, "role", role, sizeof(role)) < 0 ||
	    strcmp(role, "master") != 0) {
		if (!st->outage_logged)
			log_warnx("redis: %s is not the master (role %s); asking the sentinels again",
			    addr_name(st), reply->type == REDIS_REPLY_ERROR ? reply_text(reply) :
			    role[0] ? role : "unknown");
		conn_fail(st);
		return;
	}
	hs_send(st, REQ_POLICY);
}

/* Number of deadline indicators of cfg (a case hash each). */
static size_t
deadline_count(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nindicators; i++)
		n += cfg->indicators[i].kind == IND_DEADLINE;
	return n;
}

/*
 * The file positions of the handshake's HGETALL files into *ret (calloc'd,
 * one spare entry: the sink gets a valid pointer even for n = 0), their
 * count in *ret_n. Malformed ones are logged and skipped. 0 or -ENOMEM
 * (logged).
 */
static int
load_positions(struct store *st, const redisReply *files, struct file_pos **ret, size_t *ret_n)
{
	struct file_pos *pos;
	size_t i, n = 0, skipped = 0;
	int k;

	if (!(pos = calloc(files->elements / 2 + 1, sizeof(*pos)))) {
		log_warnx("redis: out of memory reading %zu positions", files->elements / 2);
		return -ENOMEM;
	}
	for (i = 0; i + 1 < files->elements; i += 2) {
		const redisReply *f = files->element[i], *v = files->element[i + 1];

		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			k = -EINVAL;
		else
			k = pos_parse(st->cfg, f->str, f->len, v->str, v->len, &pos[n]);
		if (k == 0)
			n++;
		else if (k == -ENOENT)
			skipped++;
		else
			log_warnx("redis: ignoring a malformed file position (field %.100s)",
			    f->type == REDIS_REPLY_STRING ? f->str : "?");
	}
	if (skipped)
		log_info("redis: %zu stored positions belong to feeds no longer configured", skipped);
	*ret = pos;
	*ret_n = n;
	return 0;
}

/*
 * The case states of the ndl deadline indicators (reply elements 3 ..
 * 3 + ndl, HGETALL cases:<name> in indicator order) into *ret (calloc'd,
 * one spare entry; the strings point into reply), their count in *ret_n.
 * 0 or -ENOMEM (logged).
 */
static int
load_cases(const struct store *st, const redisReply *reply, size_t ndl,
           struct stored_case **ret, size_t *ret_n)
{
	struct stored_case *cases;
	size_t i, total = 0, ncases = 0;

	for (i = 0; i < ndl; i++)
		total += reply->element[3 + i]->elements / 2;
	if (!(cases = calloc(total + 1, sizeof(*cases)))) {
		log_warnx("redis: out of memory reading %zu case states", total);
		return -ENOMEM;
	}
	for (size_t ind = 0, j = 0; ind < st->cfg->nindicators; ind++) {
		const redisReply *h;

		if (st->cfg->indicators[ind].kind != IND_DEADLINE)
			continue;
		h = reply->element[3 + j++];
		for (i = 0; i + 1 < h->elements; i += 2) {
			const redisReply *f = h->element[i], *v = h->element[i + 1];

			if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
				continue;
			cases[ncases++] = (struct stored_case){ .ind = ind, .field = f->str,
			    .flen = f->len, .text = v->str, .tlen = v->len };
		}
	}
	*ret = cases;
	*ret_n = ncases;
	return 0;
}

/* The handshake is done: commits may go; log it, and fire the connected hook. */
static void
mark_ready(struct store *st)
{
	bool first;

	st->ready = true;
	st->announced = true;
	st->ready_at_ms = mono_ms();
	st->last_reply_ms = st->last_probe_ms = st->ready_at_ms;
	evtimer_del(st->watchdog_ev);
	tq_metrics.redis_connected = true;
	tq_metrics.redis_responsive = true;
	if (st->ever_ready) {
		st->reconnects++;
		tq_metrics.redis_reconnects++;
		log_info("redis: reconnected to %s (reconnect %" PRIu64 ", epoch %s)", addr_name(st),
		    st->reconnects, st->epoch);
	} else {
		log_info("redis: connected to %s (epoch %s)", addr_name(st), st->epoch);
	}
	/* a server not connected to before (a failover): its indicator hashes
	 * may lag its counters, so all of them are recomputed as at a start */
	first = !st->ever_ready || st->new_server;
	st->new_server = false;
	st->ever_ready = true;
	st->outage_logged = false;
	if (st->hooks)
		st->hooks->connected(st->hooks_arg, first);
}

/*
 * Reply to EXEC of the handshake: [epoch, HGET commits, HGETALL files,
 * HGETALL cases:<indicator> per deadline indicator, HSET daemon info].
 * Makes the connection ready and hands every committed position and case
 * state to the sink.
 */
static void
on_load_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct store *st = req_take(privdata, r, NULL);
	redisReply *reply = r, *seq;
	struct file_pos *pos = NULL;
	struct stored_case *cases = NULL;
	size_t n = 0, i, ndl, ncases = 0;
	uint64_t commits = 0;

	(void)ac;
	if (!st)
		return;
	ndl = deadline_count(st->cfg);
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4 + ndl)
		for (i = 0; i < ndl; i++)
			if (reply->element[3 + i]->type != REDIS_REPLY_ARRAY)
				ndl = SIZE_MAX;         /* not what was asked: refuse below */
	if (reply->type != REDIS_REPLY_ARRAY || ndl == SIZE_MAX || reply->elements != 4 + ndl ||
	    reply->element[0]->type != REDIS_REPLY_INTEGER ||
	    (reply->element[1]->type != REDIS_REPLY_STRING && reply->element[1]->type != REDIS_REPLY_NIL) ||
	    reply->element[2]->type != REDIS_REPLY_ARRAY) {
		const redisReply *e = reply;

		/* show the first error inside the transaction, if that is what went wrong */
		if (reply->type == REDIS_REPLY_ARRAY)
			for (i = 0; i < reply->elements; i++)
				if (reply->element[i]->type == REDIS_REPLY_ERROR)
					e = reply->element[i];
		if (!st->outage_logged)
			log_warnx("redis: cannot read the committed positions from %s: %.200s",
			    addr_name(st), e->type == REDIS_REPLY_ERROR ? reply_text(e) : "unexpected reply");
		conn_fail(st);
		return;
	}
	seq = reply->element[1];
	if (seq->type == REDIS_REPLY_STRING && !scan_u64(seq->str, seq->len, 10, &commits)) {
		/* commit.lua refuses to increment it too: say why nothing commits */
		if (!st->outage_logged)
			log_warnx("redis: stats field 'commits' is not a number; commits are refused");
		commits = 0;
	}
	snprintf(st->epoch, sizeof(st->epoch), "%lld", reply->element[0]->integer);
	/* Emptied: no commits and no position where this process saw commits
	 * (a restart without persistence, FLUSHALL). Said once, by the sink
	 * that knows the files, at error level. */
	st->reset_ms = 0;
	if (st->saw_commits && seq->type == REDIS_REPLY_NIL && reply->element[2]->elements == 0) {
		st->reset_ms = st->reset_unrecorded_ms = wall_ms();
		st->saw_commits = false;
		tq_metrics.store_resets++;
		tq_metrics.store_last_reset = st->reset_ms / 1000;
	}
	if (commits > 0)
		st->saw_commits = true;
	st->seq = commits;
	st->broken = false;
	if (load_positions(st, reply->element[2], &pos, &n) < 0 ||
	    load_cases(st, reply, ndl, &cases, &ncases) < 0) {
		free(pos);
		conn_fail(st);
		return;
	}
	mark_ready(st);
	if (st->sink.ready)
		st->sink.ready(st->arg, pos, n, cases, ncases);
	free(pos);
	free(cases);
}

/* Starts "<cmd> <key rest>" of the load transaction in st->ab. 0 or -ENOMEM. */
static int
load_cmd(struct store *st, const char *cmd, const char *rest)
{
	size_t klen;
	char *k;

	if (!(k = arena_key(&st->arena, st->cfg, rest, &klen)))
		return -ENOMEM;
	st->ab.n = 0;
	argv_str(&st->ab, cmd);
	argv_push(&st->ab, k, klen);
	return 0;
}

/* Queues st->ab inside MULTI; its reply comes with the EXEC's. 0 or -ENOTCONN. */
static int
load_queue(struct store *st)
{
	const struct argv_buf *ab = &st->ab;

	if (redisAsyncCommandArgv(st->ac, NULL, NULL, (int)ab->n, ab->argv, ab->len) != REDIS_OK)
		return -ENOTCONN;
	return 0;
}

/*
 * The handshake's last step: one MULTI that bumps the epoch, reads the
 * commits count, the positions and the case states, and says who writes;
 * its EXEC goes with rq (on_load_reply). Returns 0 (rq sent, or freed by
 * send_req), -ENOTCONN (the connection is closing) or -ENOMEM; rq is the
 * caller's then.
 */
static int
load_send(struct store *st, struct req *rq)
{
	const struct config *cfg = st->cfg;
	struct argv_buf *ab = &st->ab;
	char *p;
	size_t plen;
	int r;

	/* One transaction: a commit sent on an older connection with the old epoch
	 * can no longer apply after these positions were read. */
	if (!st->ac || redisAsyncCommand(st->ac, NULL, NULL, "MULTI") != REDIS_OK)
		return -ENOTCONN;
	if ((r = load_cmd(st, "HINCRBY", "stats")) < 0)
		return r;
	argv_str(ab, "epoch");
	argv_str(ab, "1");
	if ((r = load_queue(st)) < 0)
		return r;
	/* the commits applied so far: the sequence the next commit continues */
	if ((r = load_cmd(st, "HGET", "stats")) < 0)
		return r;
	argv_str(ab, "commits");
	if ((r = load_queue(st)) < 0 || (r = load_cmd(st, "HGETALL", "files")) < 0 ||
	    (r = load_queue(st)) < 0)
		return r;
	/* the case states of every deadline indicator, in config order */
	for (size_t i = 0; i < cfg->nindicators; i++) {
		char rest[96];

		if (cfg->indicators[i].kind != IND_DEADLINE)
			continue;
		snprintf(rest, sizeof(rest), "cases:%s", cfg->indicators[i].name);
		if ((r = load_cmd(st, "HGETALL", rest)) < 0 || (r = load_queue(st)) < 0)
			return r;
	}
	/* who writes here, for teleqctl status (in the transaction: one reply) */
	if ((r = load_cmd(st, "HSET", "stats")) < 0)
		return r;
	argv_str(ab, "daemon_pid");
	if (!(p = arena_printf(&st->arena, &plen, "%ld", (long)getpid())))
		return -ENOMEM;
	argv_push(ab, p, plen);
	argv_str(ab, "daemon_version");
	argv_str(ab, TQ_VERSION);
	argv_str(ab, "daemon_connected_ms");
	if (!(p = arena_printf(&st->arena, &plen, "%" PRId64, wall_ms())))
		return -ENOMEM;
	argv_push(ab, p, plen);
	argv_str(ab, "daemon_reconnects");
	if (!(p = arena_printf(&st->arena, &plen, "%" PRIu64, st->reconnects + (st->ever_ready ? 1 : 0))))
		return -ENOMEM;
	argv_push(ab, p, plen);
	if ((r = load_queue(st)) < 0)
		return r;
	ab->n = 0;
	argv_str(ab, "EXEC");
	send_req(st, rq, on_load_reply, ab);
	return 0;
}

/*
 * Sends handshake step (or the first that applies at or after it): AUTH
 * when there is a password, SELECT when db is not 0, the role with
 * sentinels, the policy, the lease, then the positions.
 * A refusal to queue means the connection is closing: its disconnect
 * callback takes over.
 */
void
hs_send(struct store *st, enum req_kind step)
{
	const struct config *cfg = st->cfg;
	struct argv_buf *ab = &st->ab;
	struct req *rq;
	char *k;
	size_t klen;
	int r;

	if (step == REQ_AUTH && !st->password)
		step = REQ_SELECT;
	if (step == REQ_SELECT && cfg->redis.db == 0)
		step = REQ_ROLE;
	if (step == REQ_ROLE && !cfg->redis.nsentinels)
		step = REQ_POLICY;
	arena_reset(&st->arena);
	ab->n = 0;
	if (argv_reserve(ab, 12) < 0 || !(rq = req_new(st, step)))
		goto oom;
	switch (step) {
	case REQ_AUTH:
		argv_str(ab, "AUTH");
		if (cfg->redis.user)
			argv_str(ab, cfg->redis.user);
		argv_push(ab, st->password, st->password_len);
		send_req(st, rq, on_hs_reply, ab);
		break;
	case REQ_SELECT:
		argv_str(ab, "SELECT");
		if (!(k = arena_printf(&st->arena, &klen, "%d", cfg->redis.db)))
			goto oom_rq;
		argv_push(ab, k, klen);
		send_req(st, rq, on_hs_reply, ab);
		break;
	case REQ_ROLE:
		argv_str(ab, "INFO");
		argv_str(ab, "replication");
		send_req(st, rq, on_role_reply, ab);
		break;
	case REQ_POLICY:
		/* before the epoch is taken: an evicting store gets no commit at all */
		policy_send(st, rq);
		break;
	case REQ_LEASE:
		/* before the epoch bump: a daemon that stands by fences nobody */
		if (lease_argv(st, true) < 0)
			goto oom_rq;
		st->lease_sent_ms = mono_ms();
		send_req(st, rq, on_lease_reply, ab);
		break;
	default:
		if ((r = load_send(st, rq)) == -ENOTCONN)
			goto closing;
		if (r < 0)
			goto oom_rq;
		break;
	}
	return;
closing:
	req_free(rq);
	return;
oom_rq:
	req_free(rq);
oom:
	log_warnx("redis: out of memory during the handshake");
	conn_fail(st);
}

