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

#include "report.h"
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

/* ------------------------------------------------------- ctl_manual.c */
/* One `teleqctl set` or `teleqctl note`. */
struct ctl_manual_req {
	bool        note;               /* note (analys/prognos) rather than set (value) */
	const char *indicator, *period;
	const char *value;              /* set: VALUE as given */
	const char *analys, *prognos;   /* note: NULL = leave as it is, "" = clear */
	char        period_name[32];    /* filled by ctl_manual_check: "2026-Q1" */
	char        plain[48];          /* set: the value as stored ("-150000") */
};
/*
 * Checks rq against cfg before anything is sent: a known indicator (set: a
 * manual one), a month, quarter, half or year, a VALUE in the unit, notes
 * within the rules of manual_note_check. Fills period_name and plain.
 * Returns 0, or -EINVAL with one line in err (a usage error).
 */
int ctl_manual_check(const struct config *cfg, struct ctl_manual_req *rq, char *err,
                     size_t errlen);
/*
 * Stores a checked rq: the hash manual:<PERIOD> and an entry of the audit
 * stream manual:log (with the Unix user and the time) in one MULTI/EXEC;
 * says what was done on out. Returns 0, or -EIO (reported on stderr).
 */
int ctl_manual_write(const struct config *cfg, redisContext *c, const struct ctl_manual_req *rq,
                     FILE *out);
/*
 * Reads the manual values of rep's period and of the same period a year
 * earlier, and the period's notes, into rep (sets rep->manual_read; a day
 * or rolling period has none). Returns 0, -EIO (reported) or -ENOMEM.
 */
int ctl_manual_fetch(const struct config *cfg, redisContext *c, struct report *rep);
/* The manual rows (with the count still without a value) and the notes, as text. */
void ctl_manual_text(FILE *out, const struct config *cfg, const struct report *rep);
/* The manual rows in print_csv's columns (value in the unit; percent as a fraction). */
void ctl_manual_csv(FILE *out, const struct config *cfg, const struct report *rep);

/* One field of teleqctl's ';'-CSV: quoted (with "" for ") when it holds ';', '"', CR or LF. */
void ctl_csv_field(FILE *out, const char *s);

#endif /* TELEQD_CTL_H */
