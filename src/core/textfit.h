/* Fitting text into terminal columns, inert. Every string the console draws
 * passes through text_fit(): whatever a node sent (already sanitised by the
 * backends) is sanitised again here, defensively, so no control character
 * or escape sequence can reach the terminal, and is cut to the columns it
 * may take (wide characters count two). No curses here. */
#ifndef CARPTOP_TEXTFIT_H
#define CARPTOP_TEXTFIT_H

#include <stddef.h>

/* Copy src into dst (dstsz bytes) inert and at most `cols` columns wide.
 * Characters the locale cannot show (wcwidth < 0) become '?'. When text is
 * cut and ellipsis is non-zero, the last column shows '~' so a cut is
 * visible. Returns the columns used. */
int text_fit(char *dst, size_t dstsz, const char *src, int cols, int ellipsis);
/* Columns the text takes once made inert. */
int text_width(const char *s);

#endif
