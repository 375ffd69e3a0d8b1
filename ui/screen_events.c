/* Event log: what the console saw change between consecutive polls, newest
 * first, with the wall-clock time it saw it. */
#include "ui_int.h"

#include "util.h"

void screen_events(struct ui *u, int top, int bottom)
{
	size_t n = evlog_count(&u->log), i;
	int y = top + 1, rows = bottom - top - 1, max_scroll;
	attr_t head = ui_attr(u, TP_LABEL) | A_BOLD;

	draw_text(u, top, 1, -1, head, "TIME");
	draw_text(u, top, 11, -1, head, "CLUSTER/NODE");
	draw_text(u, top, 33, -1, head, "WHAT CHANGED");
	u->page_rows = rows;
	if (!n) {
		draw_text(u, y, 1, -1, ui_attr(u, TP_LABEL), "Nothing yet: events appear as polls come in.");
		return;
	}
	max_scroll = (int)n - rows > 0 ? (int)n - rows : 0;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	for (i = (size_t)u->scroll; i < n && y < bottom; i++, y++) {
		const struct event *e = evlog_get(&u->log, n - 1 - i);
		char clock[16], who[160];
		fmt_clock(clock, sizeof(clock), e->t);
		str_printf(who, sizeof(who), "%s/%s", e->cluster, e->node);
		draw_text(u, y, 1, 9, ui_attr(u, TP_TEXT), clock);
		draw_text(u, y, 11, 21, ui_attr(u, TP_TEXT), who);
		draw_text(u, y, 33, -1, ui_attr(u, severity_part(e->severity)), e->text);
	}
}
