/* carptop --batch --from-xml PRIMARY.xml SECONDARY.xml: every config-level
 * check and the drift comparison on two config.xml backups, without
 * contacting any node, rendered like a live batch run. */
#ifndef CARPTOP_OFFLINE_H
#define CARPTOP_OFFLINE_H

#include <stdio.h>

#include "config.h"
#include "output.h"
#include "xmlconf.h"

/* Returns the exit status: the worst finding's (0 OK, 1 WARNING,
 * 2 CRITICAL), or 3 when a file cannot be read or parsed (the message,
 * with file:line from libxml2, goes to `err`). */
int offline_run(const char *const paths[2], enum out_format fmt, FILE *out, FILE *err);

/* The same on two parsed configs (paths name the nodes): the rendering is
 * appended to sb; returns the exit status. For offline_run and the fuzz
 * target of the config.xml pair (tests/fuzz). */
int offline_render(const struct xmlconf conf[CLUSTER_NODES], const char *const paths[CLUSTER_NODES],
		   enum out_format fmt, struct strbuf *sb);

#endif
