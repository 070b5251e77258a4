/* dash.h — dash.c: the daemon's dashboard and /api/indicators. Conventions: core.h. */
#ifndef TQ_DASH_H
#define TQ_DASH_H

#include "http.h"

struct event_base;

/* ----------------------------------------------------------------- dash.c */
/*
 * The daemon's dashboard (HTTP_PAGE), /api/indicators
 * (HTTP_API_INDICATORS) and /rapport (HTTP_FOLLOWUP), read from the
 * counters over st's connection and answered through rep: 200 with the
 * page (text/html), the JSON report of period (as teleqctl report takes
 * it; NULL: the current month) or the follow-up document of period
 * (text/html; NULL: the current quarter), 400
 * for a bad period, 503 when Redis is not ready, the connection is lost,
 * too many requests are being served or Redis takes too long. The config
 * in force (store_config) must outlive st: a request in flight keeps it
 * until st answers or is freed (store_free answers everything).
 */
struct store;
void dash_serve(struct event_base *base, struct store *st, struct http_reply *rep,
                enum http_view view, const char *period);

/*
 * The report of period p (a month, quarter, half-year or year) as
 * /rapport computes it: the counter hashes of its spans and manual:<P>,
 * manual:<P a year earlier> read over st's connection (manual_read set),
 * compute_report done. done(arg, rep, 0) gets it once every reply is in
 * (rep and what it points to are valid during the call only), or
 * done(arg, NULL, -errno) (-EIO: the connection lost or an error reply;
 * -ENOMEM). Returns 0 (done is called exactly once, never before this
 * returns), or -ENOTCONN (Redis not ready), -EINVAL, -ENOMEM, -EIO (not
 * called). The config in force must outlive the read, as for dash_serve.
 */
struct period;
struct report;
typedef void dash_report_fn(void *arg, const struct report *rep, int err);
int dash_report_read(struct store *st, const struct period *p, dash_report_fn *done, void *arg);

#endif /* TQ_DASH_H */
