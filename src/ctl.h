/*
 * ctl.h — what teleqctl's command files share (teleqctl.c holds main,
 * the arguments, the Redis connection, the report command and alerts
 * --test; ctl_alerts.c the alerts list; ctl_status.c the status command).
 * Nothing in the daemon includes it.
 */
#ifndef TELEQD_CTL_H
#define TELEQD_CTL_H

#include <stdio.h>

#include <hiredis/hiredis.h>

#include "tq_config.h"
#include "tz.h"

/* Local "YYYY-MM-DD HH:MM:SS" of secs (seconds since the epoch) in tz. */
void ctl_fmt_local(char *buf, size_t len, const struct tz *tz, int64_t secs);
/*
 * s made safe for a terminal, in a new string: control characters (and
 * every non-ASCII byte when s is not valid UTF-8) become '?'. NULL on ENOMEM.
 */
char *ctl_term_safe(const char *s);
/* Writes s then pads it with spaces to width code points (0: no padding). */
void ctl_put_cell(FILE *out, const char *s, size_t width);
/* Reports a failed or unexpected reply of cmd on stderr. Returns -EIO. */
int ctl_reply_error(const redisContext *c, const struct config *cfg, const char *cmd,
                    const redisReply *rep);

/*
 * teleqctl status: per feed the files followed (committed offset, line,
 * size now, bytes behind), the latest event time and the reject counts;
 * the Redis connection; the daemon's last commit. Text or JSON on out.
 * Returns 0, or -EIO / -ENOMEM (reported on stderr).
 */
int ctl_status(const struct config *cfg, redisContext *c, const struct tz *tz, bool json,
               FILE *out);

/*
 * teleqctl alerts: the count most recent alerts of the alerts stream and
 * the deliveries pending in the outbox, text (json false) or JSON on out.
 * Returns 0, or -EIO / -ENOMEM (reported on stderr).
 */
int ctl_alerts(const struct config *cfg, redisContext *c, const struct tz *tz, long count,
               bool json, FILE *out);

#endif /* TELEQD_CTL_H */
