/* Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector: every family has # HELP and # TYPE before its
 * samples, all samples of a family are together, no timestamps. A value
 * carptop does not know is left out (no sample), never NaN or 0, so that
 * alerts on absent() and on the value stay truthful. */
#include "output_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct label {
	const char *name, *value;
};

/* Label value escaping per the exposition format (\\, \", \n); then what
 * is left of control characters or invalid UTF-8 is made inert, because
 * the format requires UTF-8 and a raw control character helps nobody. */
static void add_label_value(struct strbuf *sb, const char *s)
{
	struct strbuf esc;
	sb_init(&esc);
	for (; s && *s; s++) {
		if (*s == '\\')
			sb_add(&esc, "\\\\");
		else if (*s == '"')
			sb_add(&esc, "\\\"");
		else if (*s == '\n')
			sb_add(&esc, "\\n");
		else
			sb_addc(&esc, *s);
	}
	if (esc.buf)
		out_add_safe(sb, esc.buf);
	sb_free(&esc);
}

static void sample(struct strbuf *sb, const char *metric, const struct label *l, size_t nl, const char *value)
{
	size_t k;
	sb_add(sb, metric);
	if (nl) {
		sb_addc(sb, '{');
		for (k = 0; k < nl; k++) {
			sb_printf(sb, "%s%s=\"", k ? "," : "", l[k].name);
			add_label_value(sb, l[k].value);
			sb_addc(sb, '"');
		}
		sb_addc(sb, '}');
	}
	sb_printf(sb, " %s\n", value);
}

static void sample_int(struct strbuf *sb, const char *metric, const struct label *l, size_t nl, long long v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", v);
	sample(sb, metric, l, nl, num);
}

static void family(struct strbuf *sb, const char *metric, const char *help)
{
	sb_printf(sb, "# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
}

static const char *cluster_name(const struct pair_view *v)
{
	return v->cluster && v->cluster->name ? v->cluster->name : "";
}

/* ---- per-node gauges: one value function each, false = unknown ---- */

typedef bool (*node_value_fn)(const struct pair_view *v, int i, double now, double *out);

static bool val_up(const struct pair_view *v, int i, double now, double *out)
{
	*out = v->node[i].up;
	return true;
}

static bool val_insecure(const struct pair_view *v, int i, double now, double *out)
{
	*out = out_node_insecure(v, i);
	return true;
}

static bool val_allow(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up || !v->snap[i]->carp.known)
		return false;
	*out = v->snap[i]->carp.allow != 0;
	return true;
}

static bool val_demotion(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up || !v->snap[i]->carp.known)
		return false;
	*out = (double)v->snap[i]->carp.demotion;
	return true;
}

static bool val_maintenance(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up || !v->snap[i]->carp.known)
		return false;
	*out = v->snap[i]->carp.maintenance;
	return true;
}

static bool val_states(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up || v->snap[i]->states.current < 0)
		return false;
	*out = (double)v->snap[i]->states.current;
	return true;
}

static bool val_states_limit(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up || v->snap[i]->states.limit < 0)
		return false;
	*out = (double)v->snap[i]->states.limit;
	return true;
}

static bool val_partial(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->node[i].up)
		return false;
	*out = v->snap[i]->n_partial;
	return true;
}

/* Duration and age describe the last poll whether or not it succeeded:
 * a growing age is how a stuck poller shows. */
static bool val_duration(const struct pair_view *v, int i, double now, double *out)
{
	if (!v->snap[i] || v->snap[i]->taken <= 0)
		return false;
	*out = v->snap[i]->duration_ms / 1000.0;
	return true;
}

static bool val_age(const struct pair_view *v, int i, double now, double *out)
{
	double age = v->node[i].poll_age;
	if (age < 0)
		return false;
	*out = age;
	return true;
}

static const struct node_family {
	const char *metric, *help;
	node_value_fn value;
	int decimals;
} node_families[] = {
	{ "carptop_node_up", "1 if the node answered its last poll, 0 if not.", val_up, 0 },
	{ "carptop_node_tls_insecure", "1 if TLS certificate verification is disabled for the node's API (insecure: true).", val_insecure, 0 },
	{ "carptop_node_carp_allow", "net.inet.carp.allow of the node (1 CARP enabled, 0 disabled).", val_allow, 0 },
	{ "carptop_node_carp_demotion", "net.inet.carp.demotion of the node.", val_demotion, 0 },
	{ "carptop_node_maintenance", "1 if the node is in persistent CARP maintenance mode.", val_maintenance, 0 },
	{ "carptop_node_pf_states", "Current number of pf states on the node.", val_states, 0 },
	{ "carptop_node_pf_states_limit", "pf state table limit of the node.", val_states_limit, 0 },
	{ "carptop_node_partial_errors", "Number of parts of the last poll that failed while the node answered.", val_partial, 0 },
	{ "carptop_node_poll_duration_seconds", "How long the last poll of the node took.", val_duration, 3 },
	{ "carptop_node_data_age_seconds", "Seconds since the last poll of the node completed.", val_age, 3 },
};

static void node_family(struct strbuf *sb, const struct node_family *f, const struct pair_view *views,
			size_t n, double now)
{
	char num[48];
	size_t k;
	int i;

	family(sb, f->metric, f->help);
	for (k = 0; k < n; k++) {
		for (i = 0; i < CLUSTER_NODES; i++) {
			struct label l[] = { { "cluster", cluster_name(&views[k]) },
					     { "node", views[k].node[i].name } };
			double val;
			if (!f->value(&views[k], i, now, &val))
				continue;
			out_fixed(num, sizeof(num), val, f->decimals);
			sample(sb, f->metric, l, ARRAY_LEN(l), num);
		}
	}
}

/* ---- cluster and VHID families ---- */

static void cluster_status(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	size_t k;
	family(sb, "carptop_cluster_status", "Cluster verdict: 0 ok, 1 warning, 2 critical, 3 unknown.");
	for (k = 0; k < n; k++) {
		struct label l[] = { { "cluster", cluster_name(&views[k]) } };
		sample_int(sb, "carptop_cluster_status", l, ARRAY_LEN(l), out_status_code(views[k].verdict));
	}
}

static void vhid_status(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	static const char *const statuses[] = { "MASTER", "BACKUP", "INIT", "DISABLED", "UNKNOWN", "ABSENT" };
	size_t k, r, s;
	int i;

	family(sb, "carptop_vhid_status",
	       "1 for the node's current CARP status on the VHID, 0 for the others (UNKNOWN: node not reachable; ABSENT: node lacks the VHID).");
	for (k = 0; k < n; k++) {
		const struct pair_view *v = &views[k];
		for (r = 0; r < v->n_rows; r++) {
			char vhid[16];
			snprintf(vhid, sizeof(vhid), "%d", v->rows[r].vhid);
			for (i = 0; i < CLUSTER_NODES; i++) {
				const char *cur = out_side_status(v, &v->rows[r], i);
				for (s = 0; s < ARRAY_LEN(statuses); s++) {
					struct label l[] = { { "cluster", cluster_name(v) }, { "node", v->node[i].name },
							     { "vhid", vhid }, { "status", statuses[s] } };
					sample_int(sb, "carptop_vhid_status", l, ARRAY_LEN(l), strcmp(cur, statuses[s]) == 0);
				}
			}
		}
	}
}

static void vhid_masters(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	size_t k, r;
	int i;

	family(sb, "carptop_vhid_masters",
	       "Number of nodes that are MASTER for the VHID (absent while a node's status is unknown).");
	for (k = 0; k < n; k++) {
		const struct pair_view *v = &views[k];
		for (r = 0; r < v->n_rows; r++) {
			char vhid[16];
			int masters = 0;
			bool known = false;
			struct label l[] = { { "cluster", cluster_name(v) }, { "vhid", vhid } };
			for (i = 0; i < CLUSTER_NODES; i++) {
				const char *st = out_side_status(v, &v->rows[r], i);
				known = known || strcmp(st, "UNKNOWN") != 0;
				masters += strcmp(st, "MASTER") == 0;
			}
			/* MASTERs seen on the nodes that answer: with one node
			 * down this is what monitoring must alert on (0 = no
			 * MASTER seen). Nothing known: no sample. */
			if (!known)
				continue;
			snprintf(vhid, sizeof(vhid), "%d", v->rows[r].vhid);
			sample_int(sb, "carptop_vhid_masters", l, ARRAY_LEN(l), masters);
		}
	}
}

static void vhid_verdict(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	static const enum vhid_verdict all[] = { VV_OK, VV_SPLIT_BRAIN, VV_NO_MASTER, VV_INIT, VV_MISMATCH, VV_UNKNOWN,
						 VV_NO_REDUNDANCY };
	size_t k, r, a;

	family(sb, "carptop_vhid_verdict", "1 for the VHID's current verdict, 0 for the others.");
	for (k = 0; k < n; k++) {
		const struct pair_view *v = &views[k];
		for (r = 0; r < v->n_rows; r++) {
			char vhid[16];
			snprintf(vhid, sizeof(vhid), "%d", v->rows[r].vhid);
			for (a = 0; a < ARRAY_LEN(all); a++) {
				struct label l[] = { { "cluster", cluster_name(v) }, { "vhid", vhid },
						     { "verdict", out_vhid_verdict_word(all[a]) } };
				sample_int(sb, "carptop_vhid_verdict", l, ARRAY_LEN(l), v->rows[r].verdict == all[a]);
			}
		}
	}
}

static void findings(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	static const enum severity sevs[] = { SEV_INFO, SEV_WARNING, SEV_UNKNOWN, SEV_CRITICAL };
	size_t k, s, f;

	family(sb, "carptop_findings", "Number of findings of the pair checks, by severity.");
	for (k = 0; k < n; k++) {
		for (s = 0; s < ARRAY_LEN(sevs); s++) {
			struct label l[] = { { "cluster", cluster_name(&views[k]) },
					     { "severity", out_severity_word(sevs[s]) } };
			long long count = 0;
			for (f = 0; f < views[k].n_findings; f++)
				count += views[k].findings[f].severity == sevs[s];
			sample_int(sb, "carptop_findings", l, ARRAY_LEN(l), count);
		}
	}
}

void out_render_prom(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o)
{
	size_t k;

	family(sb, "carptop_demo", "1 if the data is simulated (--demo), 0 for real firewalls.");
	sample_int(sb, "carptop_demo", NULL, 0, o->demo);
	cluster_status(sb, views, n);
	for (k = 0; k < ARRAY_LEN(node_families); k++)
		node_family(sb, &node_families[k], views, n, o->now);
	vhid_status(sb, views, n);
	vhid_masters(sb, views, n);
	vhid_verdict(sb, views, n);
	findings(sb, views, n);
}
