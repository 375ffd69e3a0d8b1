/* Config-level checks over the two config.xml files (config_checks.c): run
 * live when the transport can fetch config.xml, and by --from-xml. They
 * build on the live table's row type (checks.h); the live checks know
 * nothing of them. */
#ifndef CARPTOP_CONFIG_CHECKS_H
#define CARPTOP_CONFIG_CHECKS_H

#include "checks.h"

extern const struct check config_checks[];
extern const size_t n_config_checks;

/* Run them over a view whose conf[] the caller has set (either may be
 * NULL: per-node checks still run for the other); fills v->drift and
 * re-sorts the findings. */
void config_checks_run(struct pair_view *v);

/* A check of either table by its id; NULL when there is none. */
const struct check *check_find(const char *id);

#endif
