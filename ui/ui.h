/* The interactive console and the wall display (the only curses users). */
#ifndef CARPTOP_UI_H
#define CARPTOP_UI_H

#include "app.h"
#include "cli.h"

/* Run the console on the terminal until the operator quits. Returns the
 * process exit code. */
int ui_run(struct app *a, const struct cli *o);
/* carptop --replay PATH: the console on a recording, read-only. */
int ui_replay_run(const struct cli *o);

#endif
