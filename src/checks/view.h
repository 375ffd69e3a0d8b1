/* The read model: a cluster's pair_view built in one place, in one order —
 *
 *   pair build (rows, verdicts)  ->  node facts  ->  live checks
 *     ->  config checks and drift (cached per pair of configs)  ->  sort
 *
 * Every check, screen and batch renderer reads the node facts here
 * (v->node[i]: name, role, up, ages, stale, config state) instead of
 * working them out again from the snapshots. Nothing above src/app/app.c
 * builds a view in any other way. Pure over its inputs: no I/O. */
#ifndef CARPTOP_VIEW_H
#define CARPTOP_VIEW_H

#include <stdbool.h>

#include "pair.h"
#include "snapshot.h"

struct conf_cache;
struct xmlconf;

/* What the app knows of a node beyond its snapshot (struct app_node). */
struct view_node_src {
	bool polled;                    /* at least one poll completed */
	double last_ok;                 /* wall clock of the last answer with data, 0 = never */
	bool transport;                 /* a backend could be made */
	const char *transport_name;     /* its ops name ("ssh"), for the reasons */
	bool reads_config;              /* the transport can read config.xml */
	const struct conf_cache *config; /* NULL until a read started */
};

/* The config checks' findings and drift for one cluster, computed once per
 * pair of configs and copied into every view built until either changes
 * (the console rebuilds its views on every refresh; config.xml rarely
 * changes, and comparing large ones is not free). */
struct config_result {
	unsigned gen[CLUSTER_NODES];       /* conf_cache generations used, 0 = no config */
	bool computed;
	struct finding *findings;
	size_t n_findings;
	struct drift_item *drift;
	size_t n_drift;
	bool drift_known;
};
void config_result_free(struct config_result *r);

struct view_src {
	const struct cluster_conf *cluster;
	const struct snapshot *snap[CLUSTER_NODES];
	struct pair_history *hist;          /* may be NULL; updated when given */
	double now;
	const struct view_node_src *node[CLUSTER_NODES]; /* NULL: the snapshot is all there is */
	struct config_result *config;       /* NULL: no config checks (no configs known) */
};

/* Build the view (free it with pair_free). */
void view_build(struct pair_view *v, const struct view_src *src);

/* The same from two snapshots alone (a recording, a test). */
void view_build_pair(struct pair_view *v, const struct cluster_conf *c, const struct snapshot *primary,
		     const struct snapshot *secondary, struct pair_history *hist, double now);

/* From two config.xml files only (--from-xml): no live checks apply, the
 * config checks run on `conf` (either may be NULL). */
void view_build_offline(struct pair_view *v, const struct cluster_conf *c, const struct snapshot *const snap[CLUSTER_NODES],
			const struct xmlconf *const conf[CLUSTER_NODES], double now);

/* Node i's display name: the one fallback rule (never NULL). */
const char *view_node_name(const struct pair_view *v, int i);

#endif
