/* Pair-level checks as a table: one row per check, with the how-to's reason
 * next to it. Each check is a function over the pair model that adds
 * findings (pair_add_finding). `carptop --list-checks` prints the table. */
#ifndef CARPTOP_CHECKS_H
#define CARPTOP_CHECKS_H

#include <stddef.h>

#include "pair.h"

struct check {
	const char *id;
	enum severity severity;   /* the worst it reports */
	const char *title;
	const char *reason;       /* why it matters (the how-to / field notes) */
	const char *hint;         /* how to fix it */
	const char *doc;          /* where to read more */
	void (*run)(struct pair_view *v, const struct check *c);
};

extern const struct check live_checks[];
extern const size_t n_live_checks;

/* The config-level table, check_find over both tables: config_checks.h. */

/* Run every live check over a built view whose node facts are set
 * (src/checks/view.c calls this, after pair_build). */
void checks_run_live(struct pair_view *v);

#endif
