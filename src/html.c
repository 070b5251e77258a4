/*
 * html.c — the one HTML escaper, for the dashboard (page.c) and the
 * follow-up document (followup.c). Pure but for writing to the stream.
 */
#include <stdio.h>

#include "html.h"

/* See html.h. */
void
html_put_esc(FILE *out, const char *s, unsigned flags)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':  fputs("&amp;", out); break;
		case '<':  fputs("&lt;", out); break;
		case '>':  fputs("&gt;", out); break;
		case '"':  fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case ' ':
			/* "52 %" never wraps between the number and its sign */
			fputs((flags & HTML_NBSP_PERCENT) && p[1] == '%' ? "&nbsp;" : " ", out);
			break;
		default:
			/* YAML lets no control character through; a samordnare's note might */
			if (*p < 0x20 || *p == 0x7f)
				fputs("&#xFFFD;", out);
			else
				fputc(*p, out);
		}
	}
}
