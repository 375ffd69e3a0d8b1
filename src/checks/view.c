/* The read model, built in one order (src/checks/view.h): the pair model, each
 * node's facts, the live checks, the cached config checks and drift, the
 * sort. The checks only read the view and add findings to it; they never
 * build one. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config_checks.h"
#include "confcache.h"
#include "util.h"

const char *view_node_name(const struct pair_view *v, int i)
{
	static const char *const fallback[CLUSTER_NODES] = { "primary", "secondary" };
	if (v->cluster && v->cluster->nodes[i].name && v->cluster->nodes[i].name[0])
		return v->cluster->nodes[i].name;
	return fallback[i % CLUSTER_NODES];
}

/* Why node i's config.xml is or is not there: the one wording, for the
 * drift screen and whoever else asks. */
static void conf_state(struct view_node *f, const struct snapshot *s, const struct view_node_src *src)
{
	const struct conf_cache *cc = src->config;
	f->conf_reason[0] = '\0';
	if (!src->transport) {
		f->conf_state = VCONF_NO_TRANSPORT;
		str_printf(f->conf_reason, sizeof(f->conf_reason), "%s has no working transport: %s", f->name,
			   s ? s->error : "");
	} else if (!src->reads_config) {
		f->conf_state = VCONF_NOT_SUPPORTED;
		str_printf(f->conf_reason, sizeof(f->conf_reason),
			   "%s: config not available over this transport (%s cannot read config.xml)", f->name,
			   src->transport_name ? src->transport_name : "it");
	} else if (!f->up) {
		/* A node that does not answer has no current config either. */
		f->conf_state = VCONF_UNREACHABLE;
		str_printf(f->conf_reason, sizeof(f->conf_reason), "%s cannot be reached (%s): its config is not known now",
			   f->name, src->polled && s && s->error[0] ? s->error : "no answer yet");
	} else if (conf_cache_get(cc)) {
		f->conf_state = VCONF_READ;
	} else if (cc && cc->error[0] && !cc->pending) {
		f->conf_state = VCONF_FAILED;
		str_printf(f->conf_reason, sizeof(f->conf_reason), "%s: config.xml could not be read: %s", f->name,
			   cc->error);
	} else {
		f->conf_state = VCONF_NOT_YET;
		str_printf(f->conf_reason, sizeof(f->conf_reason), "%s: config not read yet%s", f->name,
			   cc && cc->pending ? " (reading it now)" : "");
	}
}

static void node_facts(struct pair_view *v, int i, const struct view_node_src *src)
{
	struct view_node *f = &v->node[i];
	const struct snapshot *s = v->snap[i];
	double last_ok = src ? src->last_ok : 0;

	f->name = view_node_name(v, i);
	f->role = v->cluster ? v->cluster->nodes[i].role : (i ? ROLE_SECONDARY : ROLE_PRIMARY);
	f->up = s && s->reachable;
	/* A snapshot stamped a little after `now` (clock read order) is fresh, not negative. */
	f->poll_age = s && s->taken > 0 ? (v->now > s->taken ? v->now - s->taken : 0) : -1;
	if (f->up && s->taken > 0)
		f->data_age = f->poll_age;
	else if (last_ok > 0)
		f->data_age = v->now > last_ok ? v->now - last_ok : 0;
	else
		f->data_age = -1;
	f->stale = f->up && v->cluster && f->data_age > 2 * v->cluster->interval;
	if (src)
		conf_state(f, s, src);
	else
		f->conf_state = VCONF_UNKNOWN;
}

void config_result_free(struct config_result *r)
{
	if (!r)
		return;
	free(r->findings);
	free(r->drift);
	memset(r, 0, sizeof(*r));
}

/* Add the config-level findings and drift of `conf` (either may be NULL;
 * gen[i] identifies conf[i]'s content) to the view, recomputing only when a
 * generation changed. Sets v->conf[]. */
static void config_apply(struct config_result *r, struct pair_view *v, const struct xmlconf *const conf[CLUSTER_NODES],
			 const unsigned gen[CLUSTER_NODES])
{
	size_t i;
	int n;
	bool same = r->computed;

	for (n = 0; n < CLUSTER_NODES; n++) {
		v->conf[n] = conf[n];
		same = same && r->gen[n] == (conf[n] ? gen[n] : 0);
	}
	if (!same) {
		struct pair_view scratch;
		config_result_free(r);
		memset(&scratch, 0, sizeof(scratch));
		scratch.cluster = v->cluster;
		scratch.now = v->now;
		memcpy(scratch.node, v->node, sizeof(scratch.node));
		for (n = 0; n < CLUSTER_NODES; n++) {
			scratch.snap[n] = v->snap[n];
			scratch.conf[n] = conf[n];
			r->gen[n] = conf[n] ? gen[n] : 0;
		}
		config_checks_run(&scratch);
		r->findings = scratch.findings;
		r->n_findings = scratch.n_findings;
		r->drift = scratch.drift;
		r->n_drift = scratch.n_drift;
		r->drift_known = scratch.drift_known;
		r->computed = true;
	}
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		pair_add_finding(v, f->id, f->severity, f->node, f->vhid, f->hint, "%s", f->message);
	}
	free(v->drift);
	v->drift = NULL;
	v->n_drift = r->n_drift;
	if (r->n_drift) {
		v->drift = xcalloc(r->n_drift, sizeof(*v->drift));
		memcpy(v->drift, r->drift, r->n_drift * sizeof(*v->drift));
	}
	v->drift_known = r->drift_known;
}

void view_build(struct pair_view *v, const struct view_src *src)
{
	int n;

	pair_build(v, src->cluster, src->snap[0], src->snap[1], src->hist, src->now);
	for (n = 0; n < CLUSTER_NODES; n++)
		node_facts(v, n, src->node[n]);
	checks_run_live(v);
	/* Sorted here and again after the config findings: the order the
	 * renderers have always printed ties in. */
	pair_sort_findings(v);
	if (src->config) {
		const struct xmlconf *conf[CLUSTER_NODES] = { NULL, NULL };
		unsigned gen[CLUSTER_NODES] = { 0, 0 };
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct conf_cache *cc = src->node[n] ? src->node[n]->config : NULL;
			/* A node that does not answer now has no current config either. */
			if (v->node[n].up && (conf[n] = conf_cache_get(cc)))
				gen[n] = cc->gen;
		}
		config_apply(src->config, v, conf, gen);
		pair_sort_findings(v);
	}
}

void view_build_pair(struct pair_view *v, const struct cluster_conf *c, const struct snapshot *primary,
		     const struct snapshot *secondary, struct pair_history *hist, double now)
{
	struct view_src src;
	memset(&src, 0, sizeof(src));
	src.cluster = c;
	src.snap[0] = primary;
	src.snap[1] = secondary;
	src.hist = hist;
	src.now = now;
	view_build(v, &src);
}

void view_build_offline(struct pair_view *v, const struct cluster_conf *c, const struct snapshot *const snap[CLUSTER_NODES],
			const struct xmlconf *const conf[CLUSTER_NODES], double now)
{
	int n;

	memset(v, 0, sizeof(*v));
	v->cluster = c;
	v->now = now;
	v->verdict = SEV_OK;
	v->offline = true;
	for (n = 0; n < CLUSTER_NODES; n++) {
		v->snap[n] = snap[n];
		v->conf[n] = conf[n];
		node_facts(v, n, NULL);
		v->node[n].conf_state = conf[n] ? VCONF_READ : VCONF_UNKNOWN;
	}
	/* No live check applies to config files: the nodes were not asked. */
	config_checks_run(v);
}
