/* http.h — http.c: the optional HTTP listener. Conventions: core.h. */
#ifndef TQ_HTTP_H
#define TQ_HTTP_H

#include <stddef.h>

struct event_base;
struct config;

/* ----------------------------------------------------------------- http.c */
/*
 * The optional HTTP listener (libevent evhttp): GET/HEAD /healthz,
 * /metrics, / (the dashboard page) and /api/indicators; any other method
 * 405, any other path 404. No write endpoints.
 */
enum http_view {
	HTTP_PAGE,              /* GET /: the dashboard page */
	HTTP_API_INDICATORS,    /* GET /api/indicators[?period=PERIOD]: the JSON report */
	HTTP_FOLLOWUP,          /* GET /rapport[?period=PERIOD]: the follow-up document (HTML) */
};
/*
 * A request answered later: the sink's figures come from Redis. Answer it
 * exactly once with http_reply_send (which frees it), whether or not the
 * client is still there: when it is gone, or the listener was freed
 * meanwhile, the answer only frees it.
 */
struct http_reply;
void http_reply_send(struct http_reply *rep, int code, const char *content_type,
                     const char *body, size_t len);
struct http_sink {
	/* Health: 0 healthy (buf "" or a note for the 200 body); otherwise a short reason (no personal data) in buf. */
	int   (*health)(void *arg, char *buf, size_t len);
	/* The /metrics body, malloc'd (*ret_len set), or NULL on failure (503). */
	char *(*metrics)(void *arg, size_t *ret_len);
	/*
	 * / and /api/indicators (NULL: 404). period is the API's "period"
	 * query argument (1..REPORT_PERIOD_MAX bytes, not yet checked), NULL
	 * when absent or for the page; valid during the call only. The sink
	 * answers through rep exactly once, during the call or later.
	 */
	void  (*dashboard)(void *arg, struct http_reply *rep, enum http_view view,
	                   const char *period);
};
struct httpd;
/*
 * Binds cfg->http (host, port; port 0 = any free port) on base. Returns 0
 * and *ret, or -errno (-EADDRINUSE, -EACCES, ...) with the cause logged.
 * *ret_port (may be NULL) gets the port actually bound.
 */
int  httpd_new(struct event_base *base, const struct config *cfg, const struct http_sink *sink,
               void *arg, struct httpd **ret, unsigned *ret_port);
/*
 * Applies cfg's http.max_connections and http.request_timeout to a
 * running listener (a reload that keeps the address). Accepts NULL h.
 */
void httpd_configure(struct httpd *h, const struct config *cfg);
void httpd_free(struct httpd *h);               /* accepts NULL */

#endif /* TQ_HTTP_H */
