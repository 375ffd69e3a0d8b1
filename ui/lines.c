/* The content of a scrolled screen (drift, workflows) as lines of cells:
 * the screen builds it from the data, then it is drawn from u->scroll.
 * Building first lets the screen know its length, so scrolling clamps. */
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ui_line *lines_add(struct ui_lines *l)
{
	struct ui_line *ln;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	ln = &l->v[l->n++];
	ln->n = 0;
	return ln;
}

static void cell_v(struct ui_line *ln, int x, int w, enum theme_part part, attr_t extra, const char *fmt, va_list ap)
{
	struct ui_cell *c;
	if (ln->n >= UI_CELLS)
		return;
	c = &ln->cell[ln->n++];
	c->x = x;
	c->w = w;
	c->part = part;
	c->extra = extra;
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
}

void line_cell(struct ui_line *ln, int x, int w, enum theme_part part, attr_t extra, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cell_v(ln, x, w, part, extra, fmt, ap);
	va_end(ap);
}

void lines_text(struct ui_lines *l, int x, enum theme_part part, attr_t extra, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cell_v(lines_add(l), x, -1, part, extra, fmt, ap);
	va_end(ap);
}

void lines_draw(struct ui *u, const struct ui_lines *l, int top, int bottom)
{
	int rows = bottom - top, max_scroll, y, shown;
	size_t i;
	u->page_rows = rows;
	max_scroll = (int)l->n - rows > 0 ? (int)l->n - rows : 0;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	if (u->scroll < 0)
		u->scroll = 0;
	/* When more follows, the last row says so instead of holding a line:
	 * the marker is never painted over content. */
	shown = l->n > (size_t)(u->scroll + rows) && rows > 1 ? rows - 1 : rows;
	for (i = (size_t)u->scroll, y = top; i < l->n && y < top + shown; i++, y++) {
		const struct ui_line *ln = &l->v[i];
		int k;
		for (k = 0; k < ln->n; k++) {
			const struct ui_cell *c = &ln->cell[k];
			/* TP__COUNT: `extra` is the whole attribute (a node's accent). */
			draw_text(u, y, c->x, c->w, c->part == TP__COUNT ? c->extra : ui_attr(u, c->part) | c->extra,
				  c->text);
		}
	}
	if (shown < rows)
		draw_textf(u, bottom - 1, 1, -1, ui_attr(u, TP_LABEL), "... %zu more lines (Down, PgDn)",
			   l->n - (size_t)(u->scroll + shown));
}
void lines_free(struct ui_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
