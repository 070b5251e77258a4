/* mime.h — mime.c: an alert text as an RFC 5322 message. Conventions: core.h. */
#ifndef TQ_MIME_H
#define TQ_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "message.h"
#include "tq_config.h"

/* ----------------------------------------------------------------- mime.c */
/*
 * A complete RFC 5322 message for sendmail -t: From (with ac->from_name
 * as display name when set: a quoted string, or RFC 2047 words when not
 * ASCII), To, Subject (RFC 2047 encoded when not ASCII), Date (of date,
 * seconds), Message-ID <id@domain of From>, MIME 1.0 text/plain UTF-8
 * quoted-printable, Auto-Submitted: auto-generated and
 * X-Auto-Response-Suppress: All (no out-of-office replies). With an
 * attachment (alert_attach) a multipart/mixed message: the text part as
 * above, then the HTML as text/html; charset=utf-8, base64, Content-
 * Disposition: attachment with its file name; the boundary occurs in
 * neither part. Lines end in '\n' (the sendmail interface converts).
 * Returns 0 with *ret (malloc'd, NUL-terminated) and *ret_len (may be
 * NULL); -EINVAL without From or recipients, when id, an address, the
 * display name or the subject holds a control character (header
 * injection), or id is unusable in a Message-ID; -ENOMEM. The
 * out-parameters are untouched on failure.
 */
int mail_build(const struct alert_conf *ac, const char *id, int64_t date,
               const struct alert_text *t, char **ret, size_t *ret_len);

#endif /* TQ_MIME_H */
