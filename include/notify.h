/* notify.h — notify.c: delivering one message through one channel. Conventions: core.h. */
#ifndef TQ_NOTIFY_H
#define TQ_NOTIFY_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

struct alert_conf;

/* --------------------------------------------------------------- notify.c */
/*
 * Delivers one rendered message through one channel, asynchronously on
 * a libevent base: mail by running the sendmail command with the message
 * on its standard input (exit 0 = accepted), webhook by an HTTP POST of
 * the JSON (2xx = accepted; http or https, direct or through a proxy:
 * webhook.c). Knows nothing of Redis or retries.
 */
struct event_base;
enum channel { CH_MAIL, CH_WEBHOOK, CH__MAX };
const char *channel_name(enum channel ch);      /* "mail", "webhook" */
/* Parses "mail" / "webhook". -EINVAL. */
int channel_parse(const char *s, size_t len, enum channel *ret);
/* True when ac configures channel ch. */
bool channel_enabled(const struct alert_conf *ac, enum channel ch);
/*
 * status 0: delivered. < 0: failed; detail (never NULL, valid during the
 * call only, never message content) says why: "exit 75: <first line of
 * its output>", "killed by signal 9", "timed out after 60 s", "cannot run
 * /usr/sbin/sendmail: No such file or directory", "HTTP 500",
 * "connection failed", "timed out", "TLS: certificate of HOST not
 * accepted: Hostname mismatch", "proxy HOST:PORT: connection failed"
 * (webhook.h).
 */
typedef void notify_done_fn(void *arg, int status, const char *detail);
/*
 * The status of a failed mail attempt that may have been delivered all
 * the same: sendmail read the whole message and then ended in a way that
 * does not say whether it was passed on (EX_IOERR, EX_PROTOCOL and
 * EX_SOFTWARE exits, such as msmtp's when a relay hangs up after DATA
 * before its final reply; killed by a signal, or by us after the
 * deadline). Every other failure is definite: the message was not taken.
 * The webhook never reports it (its Idempotency-Key makes a repeat safe).
 */
#define NOTIFY_AMBIGUOUS (-EREMOTEIO)
/*
 * Pure: the status for a sendmail child that ended with wait status st
 * (waitpid), timed_out when we killed it after the deadline, read_all
 * when it had read the whole message from its stdin: 0 (exit 0),
 * NOTIFY_AMBIGUOUS (see above; never unless read_all), or -EIO.
 */
int sendmail_status(int st, bool timed_out, bool read_all);
/*
 * Pure: what the outbox does after an attempt that ended with status
 * (notify_done_fn) when ambiguous_before earlier attempts of the message
 * were ambiguous and max_ambiguous (alerts.delivery.max_ambiguous) are
 * allowed: DA_DONE (delivered), DA_RETRY (definite failure, or an
 * ambiguous one still within the bound), DA_PARK (the ambiguous outcome
 * number max_ambiguous + 1: the message is kept but not tried again, so
 * it reaches the relay at most 1 + max_ambiguous times).
 */
enum delivery_action { DA_DONE, DA_RETRY, DA_PARK };
enum delivery_action delivery_decide(int status, unsigned ambiguous_before,
                                     unsigned max_ambiguous);
struct notify;
int  notify_new(struct event_base *base, const struct alert_conf *ac, struct notify **ret);
/* Cancels what is in flight (children are killed, callbacks not called). Accepts NULL. */
void notify_free(struct notify *n);
/*
 * Starts delivering data[0..len) (copied) through ch; id is the alert id
 * (webhook: the Idempotency-Key header). done is called exactly once,
 * never from within notify_send; a failure to start (sendmail missing)
 * is reported through done like any other failed attempt. Returns 0, or
 * -EINVAL (channel not configured, bad id) / -ENOMEM, and then done is
 * never called.
 */
int  notify_send(struct notify *n, enum channel ch, const char *id, const char *data,
                 size_t len, notify_done_fn *done, void *arg);

#endif /* TQ_NOTIFY_H */
