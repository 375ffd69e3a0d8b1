/* Batch renderers: the pair views of every cluster as plain text, JSON
 * (doc/carptop-json.schema.json), a Nagios/monitoring-plugins result, or a
 * Prometheus text exposition (doc/batch-output.md describes all four).
 * Pure: everything is rendered into a strbuf; no I/O, no curses. */
#ifndef CARPTOP_OUTPUT_H
#define CARPTOP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "output_common.h"

enum out_format { OUT_TEXT, OUT_JSON, OUT_NAGIOS, OUT_PROMETHEUS };

/* "text", "json", "nagios", "prometheus" -> 0; anything else -> -1, *f untouched. */
int out_format_parse(const char *s, enum out_format *f);
const char *out_format_name(enum out_format f);


/* Append the rendering of views[0..n) to sb in format f. `o` may be NULL (now = the
 * first view's build time, demo off). */
void output_render(struct strbuf *sb, enum out_format f, const struct pair_view *views, size_t n,
		   const struct output_opts *o);

#endif
