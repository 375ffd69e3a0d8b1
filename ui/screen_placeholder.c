/* The drift view and the workflow view come with later issues. Until then
 * their screens say so plainly and show no made-up data. */
#include "ui_int.h"

void screen_placeholder(struct ui *u, int top, int bottom)
{
	int y = top + 1;
	attr_t text = ui_attr(u, TP_TEXT), label = ui_attr(u, TP_LABEL);

	if (u->screen == SCR_DRIFT) {
		draw_text(u, y++, 2, -1, ui_attr(u, TP_WARNING), "Drift view: not available yet.");
		y++;
		draw_text(u, y++, 2, -1, text, "Comparing the two nodes' configurations (VIPs, pfsync, HA sync");
		draw_text(u, y++, 2, -1, text, "items) comes with a later version of carptop. Nothing is shown");
		draw_text(u, y++, 2, -1, text, "here until then: no data is better than made-up data.");
	} else {
		draw_text(u, y++, 2, -1, ui_attr(u, TP_WARNING), "Workflows: not available yet.");
		y++;
		draw_text(u, y++, 2, -1, text, "Guided maintenance in the console (fail over, update, fail back, step");
		draw_text(u, y++, 2, -1, text, "by step with checks between the steps) comes with a later version.");
		draw_text(u, y++, 2, -1, text, "Meanwhile: carptop --run WORKFLOW from the command line (carptop(1)),");
		draw_text(u, y++, 2, -1, text, "and here m, d and e act on the selected node, each after a [y/N].");
	}
	y++;
	if (y < bottom)
		draw_text(u, y, 2, -1, label, "1: overview   2: pair view   Esc: back");
}
