/* webhook.h — webhook.c: one HTTP POST over TCP, TLS or a CONNECT proxy. Conventions: core.h. */
#ifndef TQ_WEBHOOK_H
#define TQ_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

struct alert_conf;
struct event_base;

/* --------------------------------------------------------------- webhook.c */
/*
 * The webhook's transport: an HTTP/1.1 POST (Connection: close) to
 * alerts.webhook.url, plain or https (certificate and host name verified
 * against the system CA store or webhook.ca_file; never unverified),
 * directly or through webhook.proxy (https: a CONNECT tunnel, then TLS
 * inside it; http: the request in absolute form to the proxy). A 2xx
 * status line is success. Knows nothing of alerts, Redis or retries.
 */
struct webhook;
struct webhook_req;

/*
 * status 0: the receiver answered 2xx. < 0: failed; detail (never NULL,
 * valid during the call only) says why: "HTTP 500", "connection failed",
 * "timed out", "TLS: certificate of 127.0.0.1 not accepted: IP address
 * mismatch", "proxy 127.0.0.1:3128 refused CONNECT: HTTP 403", ...
 */
typedef void webhook_done_fn(void *arg, int status, const char *detail);

/*
 * Pure: parses the head of an HTTP/1.x response in buf[0..len): 0 with
 * *ret_code (100..599) and *ret_head (bytes up to and including the empty
 * line) once the whole head is there, -EAGAIN while it is not (the caller
 * bounds len), -EBADMSG when it is not an HTTP/1.x response.
 */
int http_head_parse(const char *buf, size_t len, int *ret_code, size_t *ret_head);

/*
 * Pure: the detail of a failed certificate verification, into buf (cap
 * bytes, NUL-terminated, cut to fit): "TLS: certificate of HOST not
 * accepted: WHY". why is OpenSSL's text for the verify result.
 */
void tls_verify_detail(char *buf, size_t cap, const char *host, const char *why);

/*
 * A webhook sender on base for ac's webhook settings (copied). For https
 * the one SSL_CTX of the sender is made here: the CAs of
 * ac->webhook_ca_file, else the system store. Returns 0 and *ret (free
 * with webhook_free), -EINVAL (no webhook configured, or a CA file that
 * OpenSSL cannot load: logged) or -ENOMEM.
 */
int  webhook_new(struct event_base *base, const struct alert_conf *ac, struct webhook **ret);
/* Frees w; every request of w must have been freed first. Accepts NULL. */
void webhook_free(struct webhook *w);
/*
 * Starts one POST of data[0..len) (not copied: it must outlive the
 * request) with Idempotency-Key id (printable ASCII, checked by the
 * caller). Returns 0 and *ret; done(arg, ...) follows exactly once unless
 * the request is freed first; it may run from a libevent callback, never
 * from within webhook_post. -ENOMEM: nothing started, done never called.
 */
int  webhook_post(struct webhook *w, const char *id, const char *data, size_t len,
                  webhook_done_fn *done, void *arg, struct webhook_req **ret);
/*
 * Frees r and its connection; done is not called after this. Must not be
 * called from inside r's done callback. Accepts NULL.
 */
void webhook_req_free(struct webhook_req *r);

#endif /* TQ_WEBHOOK_H */
