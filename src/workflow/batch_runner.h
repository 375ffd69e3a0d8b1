#ifndef CARPTOP_WF_BATCH_H
#define CARPTOP_WF_BATCH_H

#include <stdio.h>

#include "app.h"
#include "cli.h"

/* --batch --run / --resume / --rollback: one line per step on `out`.
 * Exit status: 0 the whole workflow verified (or, without --yes, the plan
 * was printed and nothing changed); 1 refused before any change; 2 stopped
 * during the run (journal kept for --resume / --rollback); 3 usage error. */
int wf_batch_run(struct app *a, const struct cli *o, FILE *out);

#endif
