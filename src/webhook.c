/*
 * webhook.c — one webhook POST on its own connection: TCP to the receiver
 * or to webhook.proxy, a CONNECT tunnel through the proxy for https, TLS
 * (libevent's OpenSSL bufferevents) with the certificate and the host name
 * verified, then the request and the status line of the answer. notify.c
 * turns the outcome into a delivery attempt; the outbox retries.
 *
 * Why our own small HTTP client rather than evhttp: evhttp makes its own
 * connection (it resets any descriptor it is given) and cannot send a
 * CONNECT first, so it cannot run a request through a tunnel. What the
 * webhook needs of HTTP is small: one request with Connection: close and
 * the status line of the answer (2xx = accepted; the body is not read).
 *
 * Verification is never switched off: SSL_VERIFY_PEER with the system CA
 * store (SSL_CTX_set_default_verify_paths) or only the CAs of
 * webhook.ca_file, and the name of the url checked against the
 * certificate (SSL_set1_host for a name, sent as SNI too; the IP address
 * SANs for an address). A certificate refused gives a detail naming the
 * host and OpenSSL's reason; the outbox keeps the alert and retries.
 *
 * Through a proxy: https urls go through "CONNECT host:port", then TLS
 * end to end with the receiver (the proxy sees only ciphertext); http urls
 * are sent to the proxy in absolute form ("POST http://host:port/path").
 * Host names are resolved with getaddrinfo when connecting (no DNS base:
 * as before, a blocking lookup; a proxy or the receiver is expected to be
 * an address or a name in /etc/hosts or a local resolver).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core.h"
#include "log.h"
#include "tq_config.h"
#include "webhook.h"

#define HEAD_MAX        (64 << 10)  /* a longer response head is an error, not a memory hog */
#define DETAIL_CAP      256
#define DEFAULT_TIMEOUT_MS 10000

struct webhook {
	struct event_base *base;
	bool      tls;
	char     *host;             /* the receiver: name or address (IPv6 without brackets) */
	unsigned  port;
	char     *path;
	char     *hosthdr;          /* Host: value, also the CONNECT target */
	char     *proxy;            /* proxy host, NULL = direct */
	unsigned  proxy_port;
	unsigned  timeout_ms;
	bool      host_is_ip;
	SSL_CTX  *ctx;              /* https only: made once, shared by the requests */
};

enum req_state { RS_TCP, RS_PROXY, RS_TLS, RS_HTTP, RS_DONE };

struct webhook_req {
	struct webhook     *w;
	struct bufferevent *bev;    /* plain, then (https) the TLS one over the same socket */
	SSL                *ssl;    /* owned by bev once it is the TLS one */
	struct event       *timer;
	struct evbuffer    *out;    /* the whole request, written once connected */
	enum req_state      state;
	bool                no_start;   /* the connect could not even start: report it from the loop */
	webhook_done_fn    *done;
	void               *arg;
};

/* ---------------------------------------------------------------- pure */

/* See webhook.h. */
int
http_head_parse(const char *buf, size_t len, int *ret_code, size_t *ret_head)
{
	static const char proto[] = "HTTP/1.";
	size_t plen = sizeof(proto) - 1;
	int code = 0;

	if (memcmp(buf, proto, len < plen ? len : plen) != 0)
		return -EBADMSG;
	/* "HTTP/1.x NNN" and the character after it */
	if (len < plen + 6)
		return -EAGAIN;
	if (buf[plen] < '0' || buf[plen] > '9' || buf[plen + 1] != ' ')
		return -EBADMSG;
	for (size_t i = plen + 2; i < plen + 5; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EBADMSG;
		code = code * 10 + (buf[i] - '0');
	}
	if (code < 100 || code > 599 ||
	    (buf[plen + 5] != ' ' && buf[plen + 5] != '\r' && buf[plen + 5] != '\n'))
		return -EBADMSG;
	/* The head ends at the first empty line (CRLF CRLF, or bare LFs). */
	for (size_t i = plen + 5; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n') {
			*ret_head = i + 2;
			*ret_code = code;
			return 0;
		}
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			*ret_head = i + 3;
			*ret_code = code;
			return 0;
		}
	}
	return -EAGAIN;
}

/* See webhook.h. */
void
tls_verify_detail(char *buf, size_t cap, const char *host, const char *why)
{
	snprintf(buf, cap, "TLS: certificate of %.100s not accepted: %.120s", host,
	         why && why[0] ? why : "verification failed");
}

/* ------------------------------------------------------------ requests */

/*
 * The request is over: stop its I/O and timer, call done once. The
 * connection stays until webhook_req_free (we may be inside its callback).
 */
static void TQ_PRINTF(3, 4)
req_finish(struct webhook_req *r, int status, const char *fmt, ...)
{
	char detail[DETAIL_CAP] = "";
	va_list ap;

	if (r->state == RS_DONE)
		return;
	r->state = RS_DONE;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	evtimer_del(r->timer);
	if (r->bev) {
		bufferevent_setcb(r->bev, NULL, NULL, NULL, NULL);
		bufferevent_disable(r->bev, EV_READ | EV_WRITE);
	}
	log_debug("webhook: %s", status == 0 ? "delivered" : detail);
	r->done(r->arg, status, detail);
}

/* Why the TLS connection failed: the verify result first, else OpenSSL's error. */
static void
tls_failed(struct webhook_req *r, const char *fallback)
{
	char detail[DETAIL_CAP];
	unsigned long e, first = 0;
	long vr = r->ssl ? SSL_get_verify_result(r->ssl) : X509_V_OK;

	/* take every queued error, so none is left to the next connection */
	while ((e = bufferevent_get_openssl_error(r->bev)))
		if (!first)
			first = e;
	if (vr != X509_V_OK) {
		tls_verify_detail(detail, sizeof(detail), r->w->host,
		                  X509_verify_cert_error_string(vr));
		req_finish(r, -EIO, "%s", detail);
	} else if (first) {
		const char *why = ERR_reason_error_string(first);

		req_finish(r, -EIO, "TLS: %s with %s", why ? why : "handshake failed", r->w->host);
	} else {
		req_finish(r, -EIO, "%s", fallback);
	}
}

static void on_read(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

/* Connected (and through the tunnel and TLS when there are any): send the request. */
static void
send_request(struct webhook_req *r)
{
	r->state = RS_HTTP;
	if (bufferevent_write_buffer(r->bev, r->out) < 0 ||
	    bufferevent_enable(r->bev, EV_READ | EV_WRITE) < 0)
		req_finish(r, -ENOMEM, "out of memory");
}

/*
 * Moves the connected socket of the plain bufferevent to a TLS one and
 * starts the handshake: the name checked, and sent as SNI when it is not
 * an address. Runs from inside a callback of the plain one, which may be
 * freed there (libevent defers the finalizing).
 */
static void
start_tls(struct webhook_req *r)
{
	struct webhook *w = r->w;
	struct bufferevent *tls;
	evutil_socket_t fd;
	SSL *ssl;
	int ok;

	ssl = SSL_new(w->ctx);
	if (!ssl) {
		req_finish(r, -ENOMEM, "TLS: cannot start a session");
		return;
	}
	if (w->host_is_ip)
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), w->host) == 1;
	else
		ok = SSL_set1_host(ssl, w->host) == 1 && SSL_set_tlsext_host_name(ssl, w->host) == 1;
	if (!ok) {
		SSL_free(ssl);
		ERR_clear_error();
		req_finish(r, -ENOMEM, "TLS: cannot set the host name to verify");
		return;
	}
	fd = bufferevent_getfd(r->bev);
	bufferevent_setfd(r->bev, -1);      /* the socket changes hands: not closed with the old one */
	bufferevent_free(r->bev);
	r->bev = NULL;
	tls = bufferevent_openssl_socket_new(w->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING,
	                                     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!tls) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		req_finish(r, -ENOMEM, "TLS: out of memory");
		return;
	}
	r->bev = tls;
	r->ssl = ssl;
	r->state = RS_TLS;
	bufferevent_setcb(tls, on_read, NULL, on_event, r);
	if (bufferevent_enable(tls, EV_READ | EV_WRITE) < 0)
		req_finish(r, -ENOMEM, "TLS: out of memory");
}

/* EV_READ: the proxy's answer to CONNECT, or the receiver's answer. */
static void
on_read(struct bufferevent *bev, void *arg)
{
	struct webhook_req *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	const char *buf;
	size_t len, head;
	int code, rc;

	while (r->state == RS_PROXY || r->state == RS_HTTP) {
		len = evbuffer_get_length(in);
		if (len == 0)
			return;
		len = len < HEAD_MAX ? len : HEAD_MAX;
		buf = (const char *)evbuffer_pullup(in, (ssize_t)len);
		if (!buf) {
			req_finish(r, -ENOMEM, "out of memory");
			return;
		}
		rc = http_head_parse(buf, len, &code, &head);
		if (rc == -EAGAIN && len < HEAD_MAX)
			return;
		if (rc < 0) {
			if (r->state == RS_PROXY)
				req_finish(r, -EIO, "proxy %s:%u: invalid answer to CONNECT",
				           r->w->proxy, r->w->proxy_port);
			else
				req_finish(r, -EIO, "invalid HTTP response");
			return;
		}
		evbuffer_drain(in, head);
		if (code < 200)
			continue;       /* 1xx: an interim answer, the real one follows */
		if (r->state == RS_HTTP) {
			if (code <= 299)
				req_finish(r, 0, NULL);
			else
				req_finish(r, -EIO, "HTTP %d", code);
			return;
		}
		if (code > 299) {
			req_finish(r, -EIO, "proxy %s:%u refused CONNECT: HTTP %d",
			           r->w->proxy, r->w->proxy_port, code);
			return;
		}
		/* Nothing may follow the proxy's answer before our ClientHello. */
		if (evbuffer_get_length(in) > 0) {
			req_finish(r, -EIO, "proxy %s:%u: data after its answer to CONNECT",
			           r->w->proxy, r->w->proxy_port);
			return;
		}
		start_tls(r);
		return;
	}
}

/* Connected, closed or failed. */
static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct webhook_req *r = arg;
	struct webhook *w = r->w;
	char hop[300];

	if (r->state == RS_DONE)
		return;
	if (w->proxy)
		snprintf(hop, sizeof(hop), "proxy %s:%u: ", w->proxy, w->proxy_port);
	else
		hop[0] = '\0';
	if (what & BEV_EVENT_CONNECTED) {
		/* https: first the tunnel (with a proxy), then TLS; then the request */
		if (w->tls && r->state == RS_TCP && w->proxy) {
			r->state = RS_PROXY;
			if (evbuffer_add_printf(bufferevent_get_output(bev),
			                        "CONNECT %s HTTP/1.1\r\nHost: %s\r\n"
			                        "User-Agent: teleqd/" TQ_VERSION "\r\n\r\n",
			                        w->hosthdr, w->hosthdr) < 0 ||
			    bufferevent_enable(bev, EV_READ | EV_WRITE) < 0)
				req_finish(r, -ENOMEM, "out of memory");
		} else if (w->tls && r->state == RS_TCP) {
			start_tls(r);
		} else {
			send_request(r);
		}
		return;
	}
	if (r->state == RS_TCP) {
		int dns = bufferevent_socket_get_dns_error(bev);

		if (dns)
			req_finish(r, -EIO, "%scannot resolve %s: %s", hop,
			           w->proxy ? w->proxy : w->host, gai_strerror(dns));
		else
			req_finish(r, -EIO, "%sconnection failed", hop);
	} else if (r->state == RS_TLS) {
		tls_failed(r, "TLS: connection closed during the handshake");
	} else if (r->state == RS_PROXY) {
		req_finish(r, -EIO, "%sconnection closed before its answer to CONNECT", hop);
	} else if (r->ssl && (what & BEV_EVENT_ERROR)) {
		tls_failed(r, "connection closed before a response");
	} else {
		req_finish(r, -EIO, "connection closed before a response");
	}
}

/* Our deadline for the whole attempt. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct webhook_req *r = arg;

	(void)fd;
	(void)what;
	/* Where it hung says what to look at: the proxy, the TLS peer, or the receiver. */
	if (r->no_start)
		req_finish(r, -EIO, "connection failed");
	else if (r->state == RS_PROXY)
		req_finish(r, -ETIMEDOUT, "timed out waiting for proxy %s:%u", r->w->proxy,
		           r->w->proxy_port);
	else if (r->state == RS_TLS)
		req_finish(r, -ETIMEDOUT, "timed out in the TLS handshake with %s", r->w->host);
	else
		req_finish(r, -ETIMEDOUT, "timed out");
}

/* See webhook.h. */
void
webhook_req_free(struct webhook_req *r)
{
	if (!r)
		return;
	if (r->timer)
		event_free(r->timer);
	if (r->bev)
		bufferevent_free(r->bev);       /* frees the SSL too (BEV_OPT_CLOSE_ON_FREE) */
	if (r->out)
		evbuffer_free(r->out);
	free(r);
}

/* See webhook.h. */
int
webhook_post(struct webhook *w, const char *id, const char *data, size_t len,
             webhook_done_fn *done, void *arg, struct webhook_req **ret)
{
	struct timeval tv = { w->timeout_ms / 1000, (w->timeout_ms % 1000) * 1000 };
	struct webhook_req *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->w = w;
	r->done = done;
	r->arg = arg;
	r->state = RS_TCP;
	r->timer = evtimer_new(w->base, on_timer, r);
	r->out = evbuffer_new();
	/* DEFER_CALLBACKS: a lookup or connect that fails at once reports
	 * from the loop, never from inside webhook_post. */
	r->bev = bufferevent_socket_new(w->base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!r->timer || !r->out || !r->bev)
		goto nomem;
	/* An http url through a proxy: the request in absolute form. */
	if (w->proxy && !w->tls)
		rc = evbuffer_add_printf(r->out, "POST http://%s%s HTTP/1.1\r\n", w->hosthdr, w->path);
	else
		rc = evbuffer_add_printf(r->out, "POST %s HTTP/1.1\r\n", w->path);
	if (rc < 0 ||
	    evbuffer_add_printf(r->out, "Host: %s\r\n"
	                        "Content-Type: application/json; charset=utf-8\r\n"
	                        "Content-Length: %zu\r\n"
	                        "Idempotency-Key: %s\r\n"
	                        "User-Agent: teleqd/" TQ_VERSION "\r\n"
	                        "Connection: close\r\n\r\n", w->hosthdr, len, id) < 0 ||
	    evbuffer_add(r->out, data, len) < 0 ||
	    evtimer_add(r->timer, &tv) < 0)
		goto nomem;
	bufferevent_setcb(r->bev, on_read, NULL, on_event, r);
	if (bufferevent_socket_connect_hostname(r->bev, NULL, AF_UNSPEC,
	                                        w->proxy ? w->proxy : w->host,
	                                        (int)(w->proxy ? w->proxy_port : w->port)) < 0) {
		/* refused before anything started (no memory, no socket):
		 * reported from the loop like any failed connection */
		const struct timeval now = { 0, 0 };

		r->no_start = true;
		evtimer_del(r->timer);
		evtimer_add(r->timer, &now);
	}
	log_debug("webhook: POST to %s:%u%s%s (%zu bytes)", w->host, w->port,
	          w->proxy ? " through proxy " : "", w->proxy ? w->proxy : "", len);
	*ret = r;
	return 0;

nomem:
	webhook_req_free(r);
	return -ENOMEM;
}

/* ------------------------------------------------------------- senders */

/* The https context: peer verification on, TLS 1.2 at least, the CAs. */
static int
make_ctx(struct webhook *w, const char *ca_file)
{
	w->ctx = SSL_CTX_new(TLS_client_method());
	if (!w->ctx)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(w->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(w->ctx, SSL_VERIFY_PEER, NULL);
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(w->ctx, ca_file, NULL) != 1) {
			unsigned long e = ERR_peek_last_error();

			log_warnx("webhook: cannot load the CAs of ca_file %s: %s", ca_file,
			          ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown error");
			ERR_clear_error();
			return -EINVAL;
		}
	} else if (SSL_CTX_set_default_verify_paths(w->ctx) != 1) {
		/* no system store: every certificate will be refused, with a
		 * clear detail; the outbox keeps the alerts */
		log_warnx("webhook: cannot load the system CA store");
		ERR_clear_error();
	}
	return 0;
}

/* See webhook.h. */
int
webhook_new(struct event_base *base, const struct alert_conf *ac, struct webhook **ret)
{
	struct webhook *w;
	unsigned defport;
	size_t cap;
	bool v6;
	int r;

	if (!base || !ac || !ac->webhook_url || !ac->webhook_host || !ac->webhook_host[0] ||
	    ac->webhook_port > 65535 || ac->webhook_proxy_port > 65535)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->base = base;
	w->tls = ac->webhook_tls;
	defport = w->tls ? 443 : 80;
	w->port = ac->webhook_port ? ac->webhook_port : defport;
	w->timeout_ms = ac->webhook_timeout_ms ? ac->webhook_timeout_ms : DEFAULT_TIMEOUT_MS;
	w->host = strdup(ac->webhook_host);
	w->path = strdup(ac->webhook_path && ac->webhook_path[0] ? ac->webhook_path : "/");
	if (ac->webhook_proxy_host) {
		w->proxy = strdup(ac->webhook_proxy_host);
		w->proxy_port = ac->webhook_proxy_port ? ac->webhook_proxy_port : 80;
	}
	/* An IPv6 literal needs its brackets back in the Host header. */
	v6 = strchr(ac->webhook_host, ':') != NULL;
	w->host_is_ip = v6 || inet_pton(AF_INET, ac->webhook_host, &(struct in_addr){ 0 }) == 1;
	cap = strlen(ac->webhook_host) + 16;
	w->hosthdr = malloc(cap);
	if (!w->host || !w->path || !w->hosthdr || (ac->webhook_proxy_host && !w->proxy)) {
		webhook_free(w);
		return -ENOMEM;
	}
	/* CONNECT needs the port always; the Host header only when not the default */
	if (w->port == defport && !(w->proxy && w->tls))
		snprintf(w->hosthdr, cap, v6 ? "[%s]" : "%s", ac->webhook_host);
	else
		snprintf(w->hosthdr, cap, v6 ? "[%s]:%u" : "%s:%u", ac->webhook_host, w->port);
	if (w->tls && (r = make_ctx(w, ac->webhook_ca_file)) < 0) {
		webhook_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

/* See webhook.h. */
void
webhook_free(struct webhook *w)
{
	if (!w)
		return;
	SSL_CTX_free(w->ctx);       /* NULL-safe */
	free(w->host);
	free(w->path);
	free(w->hosthdr);
	free(w->proxy);
	free(w);
}
