/* A nesting limit for the YAML files carptop reads (config and themes).
 *
 * libyaml 0.2.5 (Debian 12) is quadratic in the nesting depth: every token
 * fetched walks the whole stack of possible simple keys, so a file of
 * 100 000 '[' stalls yaml_parser_load() for minutes (upstream yaml/libyaml
 * #227; the fix is not in Debian's version). No carptop file nests deeper
 * than a handful of levels, so the loaders first stream the text's events with a
 * depth counter and refuse it at the limit, before libyaml has read far
 * enough for the depth to cost anything. */
#ifndef CARPTOP_YAMLDEPTH_H
#define CARPTOP_YAMLDEPTH_H

#include <stddef.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64

/* 1 when a mapping or sequence in text opens deeper than max_depth levels,
 * with *at set to where it starts; 0 otherwise, also when the text has a
 * syntax error before that (the real load reports it in its own words). */
int yaml_too_deep(const char *text, size_t len, int max_depth, yaml_mark_t *at);

#endif
