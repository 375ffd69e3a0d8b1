/* The table of the console's screens: each screen_NAME.c defines its
 * struct screen_class (ui_int.h), this file lists them by enum ui_screen
 * and switches between them. The keys (keys.c), the mouse and the loop
 * (ui.c) ask the table, not a switch of their own. */
#include "ui_int.h"

static const struct screen_class *const classes[SCR__COUNT] = {
	[SCR_OVERVIEW] = &overview_screen, [SCR_PAIR] = &pair_screen,         [SCR_NODE] = &node_screen,
	[SCR_EVENTS] = &events_screen,     [SCR_DRIFT] = &drift_screen,       [SCR_WORKFLOW] = &workflow_screen,
	[SCR_WALL] = &wall_screen,
};

const struct screen_class *screen_class_of(enum ui_screen s)
{
	return (size_t)s < SCR__COUNT ? classes[s] : classes[SCR_OVERVIEW];
}

unsigned ui_go_screen(struct ui *u, enum ui_screen s)
{
	if (u->wall)
		return R_NONE; /* the wall shows one layout */
	if (u->a->n_clusters == 0 && !screen_class_of(s)->fleet)
		return R_NONE;
	if (u->screen != s) {
		u->back = u->screen;
		u->screen = s;
		u->scroll = 0;
	}
	return R_REDRAW;
}
