/* Event log: what the console saw change between consecutive polls, newest
 * first, with the wall-clock time it saw it. */
#include "ui_int.h"

#include "util.h"

static void events_draw(struct ui *u, int top, int bottom)
{
	size_t n = evlog_count(&u->log), i, shown;
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
	/* The filter keeps the events whose cluster, node or text match. */
	for (i = 0, shown = 0; i < n; i++) {
		const struct event *e = evlog_get(&u->log, n - 1 - i);
		char who[160];
		str_printf(who, sizeof(who), "%s/%s", e->cluster, e->node);
		if (!filter_text(u, who) && !filter_text(u, e->text))
			continue;
		if (shown++ < (size_t)u->scroll || y >= bottom)
			continue;
		{
			char clock[16];
			fmt_clock(clock, sizeof(clock), e->t);
			draw_text(u, y, 1, 9, ui_attr(u, TP_TEXT), clock);
			draw_text(u, y, 11, 21, ui_attr(u, TP_TEXT), who);
			draw_text(u, y, 33, -1, ui_attr(u, severity_part(e->severity)), e->text);
			y++;
		}
	}
	max_scroll = (int)shown - rows > 0 ? (int)shown - rows : 0;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	if (!shown)
		draw_textf(u, top + 1, 1, -1, ui_attr(u, TP_LABEL), "No event matches \"%s\" (Esc clears the filter).",
			   u->filter);
}

const struct screen_class events_screen = {
	.title = "Event log",
	.keys = KS_EVENTS,
	.fleet = true,
	.filtered = true,
	.parent = SCR_OVERVIEW,
	.draw = events_draw,
	.move_by = ui_scroll_by,
};
