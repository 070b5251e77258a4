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

#endif /* TQ_DASH_H */
