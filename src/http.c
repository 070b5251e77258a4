/*
 * http.c — the optional HTTP listener on libevent's evhttp in the daemon's
 * event loop: GET/HEAD /healthz, /metrics, the dashboard page / and
 * /api/indicators.
 *
 *   /healthz   200 "ok\n" when sink->health() returns 0 (200 with its text
 *              when it wrote one: a standby's "standby: lease held by ..."),
 *              else 503 with its reason and "\n" (text/plain).
 *   /metrics   200 with sink->metrics() as Prometheus text 0.0.4; 503 when
 *              it gives nothing.
 *   /          the dashboard page, /api/indicators the JSON report: both
 *              answered by sink->dashboard() through a deferred reply
 *              (struct http_reply), since the figures come from Redis
 *              asynchronously. /api/indicators passes its "period" query
 *              argument on (at most HTTP_PERIOD_MAX bytes, else 400).
 *   other path 404; other method on a known path 405 with "Allow: GET, HEAD".
 *
 * The query string is ignored for routing (/metrics?x=1 is /metrics) and
 * read only by /api/indicators. No endpoint changes anything, and no
 * request body is ever read: bodies are capped at HTTP_MAX_BODY bytes (a
 * larger one ends the connection with 413), headers at HTTP_MAX_HEADERS
 * (see below for time and connection limits). Every response has
 * Cache-Control: no-store, so no proxy keeps a stale health
 * or counter value; HTML also gets a Content-Security-Policy that allows
 * nothing but its inline style (no script, no external resource).
 *
 * Deferred replies and freed requests: evhttp frees a request with its
 * connection (the client went away and libevent noticed, or evhttp_free
 * at a reload or exit). A struct http_reply therefore watches its
 * connection (evhttp_connection_set_closecb) and forgets a request that
 * libevent is about to free; httpd_free orphans every pending one. The
 * sink's answer then only frees the http_reply. A request libevent has
 * detached from a failed connection without freeing it (req->evcon NULL,
 * libevent 2.1's incoming_fail) stays ours: the answer frees it, as
 * evhttp_send_reply does for a request without a connection.
 *
 * The socket is created here rather than by evhttp_bind_socket: that one
 * resolves the address with AI_ADDRCONFIG, which refuses [::1] on a host
 * whose only IPv6 address is the loopback, and its errno is not
 * guaranteed on failure. The config holds a literal address, so no name is
 * ever resolved here.
 *
 * A listener that cannot be starved. libevent 2.1's evhttp has no cap on
 * connections, its timeout is an idle timeout (a client sending one byte
 * every few seconds keeps a connection forever), and its listener meets
 * EMFILE with a log line per wakeup, in a loop. So each connection is
 * tracked here (struct http_conn): evhttp makes its bufferevent through
 * on_new_bev, which takes a reference to it; evhttp_connection_free later
 * clears its callbacks (bufferevent_free), which is how reap() tells a
 * connection evhttp closed, and then drops that reference (closing the
 * socket). The evhttp_connection is the bufferevent's callback argument
 * (libevent's own wiring, checked against evhttp_connection_get_bufferevent
 * before use). With that:
 *   - at most cfg->http.max_connections are open: a new one beyond closes
 *     the oldest connection still waiting for its request (a slow client
 *     yields to a fresh one: 400 dribbling clients cannot keep /healthz
 *     out); when every connection has a request in hand, the listener
 *     stops accepting and new ones wait in the kernel's queue;
 *   - a request must arrive whole within request_timeout of the
 *     connection's start or of its previous answer, however slowly it
 *     dribbles (checked every HTTP_SWEEP_MS); evhttp's idle timeout is the
 *     same value;
 *   - accept() failing (EMFILE, ENFILE, ENOBUFS) closes the oldest waiting
 *     connection (its descriptor is the next accept's), or, with none,
 *     pauses the listener for HTTP_PAUSE_MS; a rate-limited warning
 *     instead of libevent's line per try in a busy loop.
 * The listener's error callback gets evhttp's argument (evhttp set the
 * listener up), hence live_httpds.
 * The dashboard's Redis reads are bounded by the sink (dash.c). The default
 * listener is on the loopback only; an operator who binds another address
 * should firewall it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "report.h"
#include "tq_config.h"
#include "dlist.h"

#define HTTP_MAX_HEADERS    8192        /* bytes of request line + headers */
#define HTTP_MAX_BODY       1024        /* bytes of a request body (never read) */
#define HTTP_BACKLOG        64
#define HTTP_SWEEP_MS       250         /* request_timeout is checked this often */
#define HTTP_PAUSE_MS       250         /* accept() paused this long after it failed */
#define HTTP_LOG_BURST      5           /* warnings of a kind per HTTP_LOG_WINDOW s */
#define HTTP_LOG_WINDOW     60
#define HTTP_REASON_MAX     4096        /* bytes of the health reasons (one line each) */
#define HTTP_PERIOD_MAX     REPORT_PERIOD_MAX   /* bytes of /api/indicators?period= */

#define TEXT_PLAIN          "text/plain; charset=utf-8"
#define PROM_TEXT           "text/plain; version=0.0.4; charset=utf-8"
/* the dashboard is self-contained: its inline style is all it may use */
#define HTML_CSP            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; " \
                            "form-action 'none'; frame-ancestors 'none'"

/* A connection evhttp serves (see the top of this file). */
struct http_conn {
	struct bufferevent *bev;        /* made by on_new_bev for evhttp; one reference is ours */
	int64_t             since_ms;   /* mono_ms of its start or of its last request */
	unsigned            busy;       /* its requests handed to the sink, not answered yet */
	struct http_conn   *prev, *next;
};

struct httpd {
	struct evhttp     *http;
	struct evconnlistener *lev;     /* evhttp's listener (it frees it) */
	struct event      *sweep;       /* request_timeout, every HTTP_SWEEP_MS while conns */
	struct event      *resume;      /* accept() again after a failure */
	struct http_sink   sink;
	void              *arg;
	struct http_reply *pending;     /* deferred replies not yet answered */
	struct http_conn  *conns;
	size_t             nconns;
	size_t             max_conns;
	int64_t            timeout_ms;
	bool               full;        /* listener stopped: max_conns, all busy */
	bool               paused;      /* listener stopped: accept() failed */
	struct ratelimit   rl_accept, rl_timeout, rl_full;
	unsigned           timed_out;   /* closed by request_timeout since the last warning */
	struct httpd      *live_next;   /* in live_httpds */
};

/*
 * The listeners alive (two during a reload): the listener's error callback
 * gets evhttp's argument, not ours, and finds its httpd here by listener.
 */
static struct httpd *live_httpds;

/* A request answered later (see the top of this file). */
struct http_reply {
	struct httpd             *h;            /* NULL once the listener is freed */
	struct evhttp_request    *req;          /* NULL once libevent freed it */
	struct evhttp_connection *evcon;        /* whose close callback points here, or NULL */
	struct http_conn         *conn;         /* whose busy count it holds, or NULL */
	struct http_reply        *prev, *next;  /* in h->pending */
};

/* ------------------------------------------------------------ connections */

/* The evhttp_connection of c, or NULL once evhttp has freed it (or not wired it yet). */
static struct evhttp_connection *
conn_evcon(const struct http_conn *c)
{
	bufferevent_data_cb rcb = NULL;
	void *cbarg = NULL;

	/* evhttp sets (read cb, write cb, error cb, evcon) on its bufferevent;
	 * bufferevent_free clears them */
	bufferevent_getcb(c->bev, &rcb, NULL, NULL, &cbarg);
	if (!rcb || !cbarg)
		return NULL;
	if (evhttp_connection_get_bufferevent(cbarg) != c->bev)
		return NULL;
	return cbarg;
}

/* The tracked connection of evcon, or NULL. */
static struct http_conn *
conn_find(const struct httpd *h, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;

	for (struct http_conn *c = h->conns; bev && c; c = c->next)
		if (c->bev == bev)
			return c;
	return NULL;
}

/* Forgets c: drops our reference to its bufferevent (evhttp dropped its own). */
static void
conn_remove(struct httpd *h, struct http_conn *c)
{
	for (struct http_reply *rep = h->pending; rep; rep = rep->next)
		if (rep->conn == c)
			rep->conn = NULL;
	DLIST_UNLINK(h->conns, c);
	h->nconns--;
	bufferevent_decref(c->bev);
	free(c);
}

/* Closes c now (evhttp frees its connection and pending request), then forgets it. */
static void
conn_close(struct httpd *h, struct http_conn *c)
{
	struct evhttp_connection *evcon = conn_evcon(c);

	if (evcon)
		evhttp_connection_free(evcon);
	conn_remove(h, c);
}

/* Forgets every connection evhttp has closed. */
static void
reap(struct httpd *h)
{
	for (struct http_conn *c = h->conns, *next; c; c = next) {
		next = c->next;
		if (!conn_evcon(c))
			conn_remove(h, c);
	}
}

/* The connection waiting longest for a request (none in hand), or NULL. */
static struct http_conn *
oldest_waiting(const struct httpd *h)
{
	struct http_conn *best = NULL;

	for (struct http_conn *c = h->conns; c; c = c->next)
		if (!c->busy && conn_evcon(c) && (!best || c->since_ms < best->since_ms))
			best = c;
	return best;
}

/* Accepts again when neither full (a connection can make room) nor paused. */
static void
listener_update(struct httpd *h)
{
	if (h->full && (h->nconns < h->max_conns || oldest_waiting(h)))
		h->full = false;
	if (h->lev && !h->full && !h->paused)
		evconnlistener_enable(h->lev);
}

/*
 * Every HTTP_SWEEP_MS while connections are open: forgets the closed ones
 * and closes those whose request has not arrived within request_timeout.
 */
static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;
	int64_t now = mono_ms();
	unsigned suppressed;

	(void)fd;
	(void)what;
	reap(h);
	for (struct http_conn *c = h->conns, *next; c; c = next) {
		next = c->next;
		if (!c->busy && now - c->since_ms >= h->timeout_ms) {
			conn_close(h, c);
			h->timed_out++;
		}
	}
	if (h->timed_out > 0 && ratelimit_pass(&h->rl_timeout, now / 1000, &suppressed)) {
		log_info("http: closed %u connection%s whose request did not arrive within %" PRId64
		         " s", h->timed_out, h->timed_out == 1 ? "" : "s", h->timeout_ms / 1000);
		h->timed_out = 0;
	}
	listener_update(h);
	if (h->nconns == 0)
		evtimer_del(h->sweep);
}

/*
 * Stops the listener when max_conns connections are open and none can
 * make room (all have a request in hand): new ones wait in the kernel's
 * queue. Called whenever a connection opens or takes a request.
 */
static void
check_full(struct httpd *h)
{
	unsigned suppressed;

	if (h->full || h->nconns < h->max_conns || oldest_waiting(h))
		return;
	h->full = true;
	evconnlistener_disable(h->lev);
	if (ratelimit_pass(&h->rl_full, mono_ms() / 1000, &suppressed))
		log_warnx("http: %zu connections, all with a request in hand "
		          "(http.max_connections): new ones wait", h->nconns);
}

/*
 * evhttp_set_bevcb: a connection was accepted; makes its bufferevent and
 * tracks it. Beyond max_conns, closes the oldest connection waiting for
 * its request, or (all busy) stops the listener until one ends.
 */
static struct bufferevent *
on_new_bev(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct http_conn *c;

	reap(h);
	if (h->nconns >= h->max_conns) {
		struct http_conn *old = oldest_waiting(h);

		if (old)
			conn_close(h, old);
	}
	c = calloc(1, sizeof(*c));
	/* the same bufferevent evhttp makes when it has no callback */
	if (!c || !(c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE))) {
		free(c);
		return NULL;    /* evhttp tries its own: untracked, but out of memory anyway */
	}
	bufferevent_incref(c->bev);
	c->since_ms = mono_ms();
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->nconns++;
	check_full(h);
	if (!evtimer_pending(h->sweep, NULL)) {
		const struct timeval tv = { 0, HTTP_SWEEP_MS * 1000 };

		evtimer_add(h->sweep, &tv);
	}
	return c->bev;
}

/*
 * evconnlistener error: accept() failed (EMFILE, ENFILE, ENOBUFS, ...).
 * libevent would log and retry at once, in a loop, as the pending
 * connection stays readable: instead free a descriptor (the oldest
 * waiting connection) and pause HTTP_PAUSE_MS.
 */
static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct httpd *h = live_httpds;
	struct http_conn *old;
	unsigned suppressed;

	(void)arg;      /* evhttp's: the listener's argument is set by evhttp_bind_listener */
	while (h && h->lev != lev)
		h = h->live_next;
	if (!h) {
		evconnlistener_disable(lev);    /* not ours: cannot happen */
		return;
	}
	old = oldest_waiting(h);
	if (ratelimit_pass(&h->rl_accept, mono_ms() / 1000, &suppressed))
		log_warnx("http: cannot accept a connection: %s (%zu open); %s%s", strerror(err),
		          h->nconns, old ? "closing the oldest one waiting for its request" :
		          "pausing", suppressed ? " (more not logged)" : "");
	if (old) {
		/* a descriptor freed: the next accept() gets it, so trying again at once
		 * makes progress and is no busy loop */
		conn_close(h, old);
		return;
	}
	evconnlistener_disable(lev);
	h->paused = true;
	{
		const struct timeval tv = { 0, HTTP_PAUSE_MS * 1000 };

		evtimer_add(h->resume, &tv);
	}
}

/* The pause after an accept() failure is over. */
static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;

	(void)fd;
	(void)what;
	h->paused = false;
	reap(h);
	listener_update(h);
}

/*
 * Sends a response: status code (reason phrase from libevent), content
 * type ct and body[0..len), with Cache-Control: no-store. For HEAD,
 * libevent sends the headers only.
 */
static void
reply(struct evhttp_request *req, int code, const char *ct, const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b;

	evhttp_add_header(h, "Content-Type", ct);
	evhttp_add_header(h, "Cache-Control", "no-store");
	/* a browser must not guess HTML in a reason or a label value */
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (!strncmp(ct, "text/html", 9))
		evhttp_add_header(h, "Content-Security-Policy", HTML_CSP);
	b = evbuffer_new();
	if (!b || evbuffer_add(b, body, len) < 0) {
		evbuffer_free(b);
		/* out of memory: an empty 500 still ends the request */
		evhttp_send_reply(req, HTTP_INTERNAL, NULL, NULL);
		return;
	}
	evhttp_send_reply(req, code, NULL, b);
	evbuffer_free(b);
}

/* reply() with a short text/plain body. */
static void
reply_text(struct evhttp_request *req, int code, const char *text)
{
	reply(req, code, TEXT_PLAIN, text, strlen(text));
}

/*
 * GET /healthz: asks the sink. The sink writes one line per reason
 * (health_reasons); any other control byte becomes a space, so a reason
 * stays one line, and the body always ends with a newline.
 */
static void
serve_health(struct httpd *h, struct evhttp_request *req)
{
	char reason[HTTP_REASON_MAX + 1] = "";
	size_t len;
	int r;

	r = h->sink.health ? h->sink.health(h->arg, reason, HTTP_REASON_MAX) : 0;
	reason[HTTP_REASON_MAX] = '\0';         /* whatever the sink wrote, it ends here */
	if (r == 0 && !reason[0]) {
		reply_text(req, HTTP_OK, "ok\n");
		return;
	}
	len = strlen(reason);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)reason[i] < 0x20 && reason[i] != '\n') || reason[i] == 0x7f)
			reason[i] = ' ';
	if (r == 0) {
		/* healthy with a note (a standby says whose lease it waits for) */
		if (reason[len - 1] != '\n')
			reason[len++] = '\n';
		reply(req, HTTP_OK, TEXT_PLAIN, reason, len);
		return;
	}
	if (len == 0) {
		strcpy(reason, "unhealthy");
		len = strlen(reason);
	}
	if (reason[len - 1] != '\n')
		reason[len++] = '\n';           /* room: len <= HTTP_REASON_MAX */
	reply(req, HTTP_SERVUNAVAIL, TEXT_PLAIN, reason, len);
}

/* GET /metrics: the sink's rendering, or 503 when it has none. */
static void
serve_metrics(struct httpd *h, struct evhttp_request *req)
{
	size_t len = 0;
	char *body;

	body = h->sink.metrics ? h->sink.metrics(h->arg, &len) : NULL;
	if (!body) {
		reply_text(req, HTTP_SERVUNAVAIL, "metrics unavailable\n");
		return;
	}
	reply(req, HTTP_OK, PROM_TEXT, body, len);
	free(body);
}

/* Unlinks rep from its listener's pending list (when it has one). */
static void
reply_unlink(struct http_reply *rep)
{
	if (!rep->h)
		return;
	DLIST_UNLINK(rep->h->pending, rep);
	rep->h = NULL;
	rep->prev = rep->next = NULL;
}

/*
 * evhttp: rep's connection is going away. libevent frees the requests
 * still queued on it right after this call; one it has detached already
 * (req->evcon NULL: the client hung up and libevent kept the request for
 * our answer) is not freed, and stays ours to answer (which frees it).
 */
static void
/* cppcheck-suppress constParameter ; evcon: the type libevent's close callback has */
on_reply_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct http_reply *rep = arg;

	if (rep->req && evhttp_request_get_connection(rep->req) == evcon)
		rep->req = NULL;
	rep->evcon = NULL;
}

/*
 * Answers a deferred request with code, content type ct and body[0..len)
 * (the headers of reply()), then frees rep. When the client or the
 * listener is gone meanwhile, only frees rep. Accepts NULL.
 */
void
http_reply_send(struct http_reply *rep, int code, const char *ct, const char *body, size_t len)
{
	if (!rep)
		return;
	/* the connection may outlive this answer (keep-alive): unhook first */
	if (rep->evcon)
		evhttp_connection_set_closecb(rep->evcon, NULL, NULL);
	if (rep->req)
		reply(rep->req, code, ct, body, len);
	if (rep->conn) {
		/* answered: the next request on it has request_timeout from now */
		rep->conn->busy--;
		rep->conn->since_ms = mono_ms();
	}
	reply_unlink(rep);
	free(rep);
}

/*
 * The decoded value of the first "period" argument of the query string
 * query ('+' is a space, as in a form) into buf (cap bytes). Returns 1
 * when found, 0 when there is none, -EINVAL when it is empty, longer than
 * cap - 1 bytes or holds a NUL (%00), -ENOMEM.
 */
static int
query_period(const char *query, char *buf, size_t cap)
{
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		size_t n;
		char *raw, *dec;

		if (end - p < 7 || strncmp(p, "period=", 7) != 0) {
			p = amp ? amp + 1 : NULL;
			continue;
		}
		p += 7;
		/* an escape is 3 bytes: more than that per byte cannot fit */
		if (end == p || (size_t)(end - p) > 3 * (cap - 1))
			return -EINVAL;
		if (!(raw = strndup(p, (size_t)(end - p))))
			return -ENOMEM;
		dec = evhttp_uridecode(raw, 1, &n);
		free(raw);
		if (!dec)
			return -ENOMEM;
		/* strlen stops at a decoded NUL: "2026-03%00x" is not "2026-03" */
		if (n == 0 || n >= cap || strlen(dec) != n) {
			free(dec);
			return -EINVAL;
		}
		memcpy(buf, dec, n + 1);
		free(dec);
		return 1;
	}
	return 0;
}

/*
 * GET /, /api/indicators and /rapport: hands a deferred reply to the
 * sink. For the API and /rapport, the "period" query argument (decoded,
 * 1..HTTP_PERIOD_MAX bytes, else 400) goes with it; other arguments are
 * ignored, as is the page's query.
 */
static void
serve_dashboard(struct httpd *h, struct evhttp_request *req, const struct evhttp_uri *uri,
                enum http_view view)
{
	bool api = view != HTTP_PAGE;   /* takes a period */
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	char period[HTTP_PERIOD_MAX + 1];
	struct http_reply *rep;
	int r = 0;

	if (!h->sink.dashboard) {
		reply_text(req, HTTP_NOTFOUND, "not found\n");
		return;
	}
	if (api && query && (r = query_period(query, period, sizeof(period))) < 0) {
		if (r == -ENOMEM)
			reply_text(req, HTTP_INTERNAL, "out of memory\n");
		else
			reply_text(req, HTTP_BADREQUEST, "bad period: expected " REPORT_PERIOD_SYNTAX "\n");
		return;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		reply_text(req, HTTP_INTERNAL, "out of memory\n");
		return;
	}
	rep->h = h;
	rep->req = req;
	rep->evcon = evhttp_request_get_connection(req);
	/* a connection with a request in hand is neither timed out nor closed for room */
	if ((rep->conn = conn_find(h, rep->evcon))) {
		rep->conn->busy++;
		check_full(h);
	}
	if (rep->evcon)
		evhttp_connection_set_closecb(rep->evcon, on_reply_conn_close, rep);
	rep->next = h->pending;
	if (h->pending)
		h->pending->prev = rep;
	h->pending = rep;
	/* the sink answers through rep exactly once, now or later */
	h->sink.dashboard(h->arg, rep, view, r > 0 ? period : NULL);
}

/* Every request: route by path (query ignored), then check the method. */
static void
on_request(struct evhttp_request *req, void *arg)
{
	enum { R_HEALTH, R_METRICS, R_PAGE, R_API, R_FOLLOWUP } route;
	struct httpd *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct http_conn *c = conn_find(h, evhttp_request_get_connection(req));

	/* the request is whole: its answer, and the next request, get a fresh request_timeout */
	if (c)
		c->since_ms = mono_ms();
	if (path && !strcmp(path, "/healthz"))
		route = R_HEALTH;
	else if (path && !strcmp(path, "/metrics"))
		route = R_METRICS;
	else if (path && !strcmp(path, "/"))
		route = R_PAGE;
	else if (path && !strcmp(path, "/api/indicators"))
		route = R_API;
	else if (path && !strcmp(path, "/rapport"))
		route = R_FOLLOWUP;
	else {
		reply_text(req, HTTP_NOTFOUND, "not found\n");
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		reply_text(req, HTTP_BADMETHOD, "method not allowed\n");
		return;
	}
	switch (route) {
	case R_HEALTH:  serve_health(h, req); break;
	case R_METRICS: serve_metrics(h, req); break;
	case R_PAGE:    serve_dashboard(h, req, uri, HTTP_PAGE); break;
	case R_API:     serve_dashboard(h, req, uri, HTTP_API_INDICATORS); break;
	case R_FOLLOWUP: serve_dashboard(h, req, uri, HTTP_FOLLOWUP); break;
	}
}

/*
 * Creates a listening socket on host:port (host a literal IPv4 or IPv6
 * address). An IPv6 socket is IPv6-only, so "[::]" never takes IPv4 as
 * well. Returns the descriptor (non-blocking, close-on-exec) or -errno.
 */
static int
listen_on(const char *host, unsigned port)
{
	union {
		struct sockaddr     sa;
		struct sockaddr_in  in;
		struct sockaddr_in6 in6;
	} a;
	socklen_t alen;
	int fd, one = 1, r;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, host, &a.in.sin_addr) == 1) {
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons((uint16_t)port);
		alen = sizeof(a.in);
	} else if (inet_pton(AF_INET6, host, &a.in6.sin6_addr) == 1) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons((uint16_t)port);
		alen = sizeof(a.in6);
	} else
		return -EINVAL;
	fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a restart must not wait for TIME_WAIT connections of the previous process */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (a.sa.sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, &a.sa, alen) < 0 || listen(fd, HTTP_BACKLOG) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The port fd is bound to, 0 when it cannot be told. */
static unsigned
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): getsockname() set it */
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/*
 * Applies cfg->http.max_connections and request_timeout to h (at a reload
 * that keeps the address): connections beyond a lowered maximum end on
 * their own; the timeout applies to every open connection at once, as
 * evhttp's idle timeout to new ones. Accepts NULL h.
 */
void
httpd_configure(struct httpd *h, const struct config *cfg)
{
	struct timeval tv;

	if (!h || !cfg)
		return;
	/* the config guarantees 1..4096 connections and a timeout of 1 s..1 h */
	h->max_conns = cfg->http.max_connections;
	h->timeout_ms = cfg->http.request_timeout_s * 1000;
	/* evhttp's idle (read and write) timeout; on_sweep bounds a whole request */
	tv.tv_sec = (time_t)(h->timeout_ms / 1000);
	tv.tv_usec = 0;
	evhttp_set_timeout_tv(h->http, &tv);
	listener_update(h);
}

/*
 * Binds cfg->http.host:port on base and serves sink. Returns 0 with *ret
 * (and *ret_port, when not NULL, the port bound: useful with port 0), or
 * -EINVAL (no http config, bad arguments), -ENOMEM, or the -errno of
 * socket/bind/listen (-EADDRINUSE, -EACCES, -EADDRNOTAVAIL, ...), with
 * the cause logged.
 */
int
httpd_new(struct event_base *base, const struct config *cfg, const struct http_sink *sink,
          void *arg, struct httpd **ret, unsigned *ret_port)
{
	const uint16_t methods = EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH;
	struct evhttp_bound_socket *bound;
	const char *host;
	bool v6;
	struct httpd *h;
	unsigned port;
	int fd;

	if (!base || !cfg || !cfg->http.host || cfg->http.port > 65535 || !sink || !ret)
		return -EINVAL;
	host = cfg->http.host;
	v6 = strchr(host, ':') != NULL;
	fd = listen_on(host, cfg->http.port);
	if (fd < 0) {
		log_warnx("http: cannot listen on %s%s%s:%u: %s", v6 ? "[" : "", host,
		          v6 ? "]" : "", cfg->http.port, strerror(-fd));
		return fd;
	}
	port = bound_port(fd);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->http = evhttp_new(base)) ||
	    !(h->sweep = event_new(base, -1, EV_PERSIST, on_sweep, h)) ||
	    !(h->resume = evtimer_new(base, on_resume, h))) {
		/* libevent's event_free and evhttp_free do not accept NULL */
		if (h) {
			if (h->sweep)
				event_free(h->sweep);
			if (h->http)
				evhttp_free(h->http);
		}
		free(h);
		close(fd);
		log_warnx("http: out of memory");
		return -ENOMEM;
	}
	h->sink = *sink;
	h->arg = arg;
	h->rl_accept = h->rl_timeout = h->rl_full =
		(struct ratelimit){ .interval = HTTP_LOG_WINDOW, .burst = HTTP_LOG_BURST };
	httpd_configure(h, cfg);
	/* every method reaches on_request, which answers 405 itself (libevent would say 501) */
	evhttp_set_allowed_methods(h->http, methods);
	evhttp_set_max_headers_size(h->http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, HTTP_MAX_BODY);
	evhttp_set_gencb(h->http, on_request, h);
	evhttp_set_bevcb(h->http, on_new_bev, h);
	/* from here on evhttp owns fd and closes it in evhttp_free */
	if (!(bound = evhttp_accept_socket_with_handle(h->http, fd))) {
		/* it may or may not have closed fd already; nothing opened one since, so a
		 * second close is at worst EBADF (single-threaded) */
		close(fd);
		evhttp_free(h->http);
		event_free(h->sweep);
		event_free(h->resume);
		free(h);
		log_warnx("http: cannot accept connections on %s%s%s:%u", v6 ? "[" : "", host,
		          v6 ? "]" : "", port);
		return -ENOMEM;
	}
	h->lev = evhttp_bound_socket_get_listener(bound);
	evconnlistener_set_error_cb(h->lev, on_accept_error);
	h->live_next = live_httpds;
	live_httpds = h;
	log_info("http: listening on %s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
	*ret = h;
	if (ret_port)
		*ret_port = port;
	return 0;
}

/*
 * Closes the listener and every open connection. Replies still pending
 * are orphaned: their requests go with their connections (a detached one
 * is freed here), and http_reply_send later only frees them. Accepts NULL.
 */
void
httpd_free(struct httpd *h)
{
	if (!h)
		return;
	while (h->pending) {
		struct http_reply *rep = h->pending;

		if (rep->evcon)
			evhttp_connection_set_closecb(rep->evcon, NULL, NULL);
		else if (rep->req)
			evhttp_request_free(rep->req);  /* detached: no connection frees it */
		rep->req = NULL;
		rep->evcon = NULL;
		rep->conn = NULL;
		reply_unlink(rep);
	}
	for (struct httpd **p = &live_httpds; *p; p = &(*p)->live_next)
		if (*p == h) {
			*p = h->live_next;
			break;
		}
	/* evhttp frees its connections (clearing their callbacks); then our references go */
	evhttp_free(h->http);
	for (struct http_conn *c = h->conns, *next; c; c = next) {
		next = c->next;
		conn_remove(h, c);
	}
	event_free(h->sweep);
	event_free(h->resume);
	free(h);
}
