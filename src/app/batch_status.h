#ifndef CARPTOP_BATCH_H
#define CARPTOP_BATCH_H

#include <stdio.h>

#include "app.h"
#include "cli.h"
#include "output.h"

/* Poll, print in `format`, repeat per --count/--watch. Returns the exit
 * code of the last round: the worst verdict (0 OK .. 3 UNKNOWN). */
int batch_run(struct app *a, const struct cli *o, enum out_format format, FILE *out);

#endif
