/* html.h — html.c: the one HTML escaper. Conventions: core.h. */
#ifndef TELEQD_HTML_H
#define TELEQD_HTML_H

#include <stdio.h>

/* ---------------------------------------------------------------- html.c */
#define HTML_NBSP_PERCENT 1u    /* the space of " %" as &nbsp;: a percentage never wraps */
/*
 * Writes s HTML-escaped, for text and attribute values alike: & < > " '
 * as entities, control characters as U+FFFD, so configured or typed text
 * can never open markup. flags: 0 or HTML_NBSP_PERCENT. Write errors are
 * the stream's (ferror).
 */
void html_put_esc(FILE *out, const char *s, unsigned flags);

#endif
