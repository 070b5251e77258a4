/* sdnotify.h — sdnotify.c: systemd service notification. Conventions: core.h. */
#ifndef TQ_SDNOTIFY_H
#define TQ_SDNOTIFY_H

#include "core.h"

struct event_base;

/* -------------------------------------------------------------- sdnotify.c */
/*
 * systemd service notification through libsystemd's sd_notify. Every call
 * is a no-op when not started by systemd (NOTIFY_SOCKET unset). With
 * WatchdogSec= set (WATCHDOG_USEC), a timer on the event loop sends
 * WATCHDOG=1 at half the interval, so a stuck loop gets the service
 * restarted.
 */
struct sdnotify;
int  sdnotify_new(struct event_base *base, struct sdnotify **ret);     /* 0 or -ENOMEM */
void sdnotify_free(struct sdnotify *sn);        /* accepts NULL */
void sdnotify_ready(struct sdnotify *sn);        /* READY=1 (also after a reload) */
void sdnotify_reloading(struct sdnotify *sn);    /* RELOADING=1 */
void sdnotify_stopping(struct sdnotify *sn);     /* STOPPING=1 */
/* STATUS=<one line>, sent only when it changed. */
void sdnotify_status(struct sdnotify *sn, const char *fmt, ...) TQ_PRINTF(2, 3);

#endif /* TQ_SDNOTIFY_H */
