/* Nagios / monitoring-plugins output:
 *
 *   CARP CRITICAL - hq: VHID 3 split brain (MASTER on fw1 and fw2) | 'hq_fw1_states'=47;;;0;100000 ...
 *   [CRITICAL] hq: ...            <- long text: findings, unreachable nodes,
 *   hq fw1: partial result, ...      partial results, warnings
 *
 * The exit code is the caller's (output_overall -> severity_exit_code). A
 * '|' in the long text would start a perfdata section, so text never
 * carries one; remote text is sanitised as for a terminal. */
#include "output_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append inert text with '|' (perfdata separator) replaced. */
static void nag_add(struct strbuf *sb, const char *s)
{
	size_t from = sb->len, k;
	out_add_safe(sb, s);
	for (k = from; k < sb->len; k++)
		if (sb->buf[k] == '|')
			sb->buf[k] = '/';
}

static const struct vhid_row *find_row(const struct pair_view *v, int vhid)
{
	size_t k;
	for (k = 0; k < v->n_rows; k++)
		if (v->rows[k].vhid == vhid)
			return &v->rows[k];
	return NULL;
}

/* "fw1 and fw2": the nodes whose status on r is `st`. */
static void nodes_with(struct strbuf *sb, const struct pair_view *v, const struct vhid_row *r, const char *st)
{
	int i, seen = 0;
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (strcmp(out_side_status(v, r, i), st) != 0)
			continue;
		if (seen++)
			sb_add(sb, " and ");
		nag_add(sb, v->node[i].name);
	}
}

/* The worst problem of a cluster in a few words. For a VHID whose row
 * verdict says what is wrong, the words come from the row (stable, names
 * the nodes); otherwise the finding's own message. */
static void describe_finding(struct strbuf *sb, const struct pair_view *v, const struct finding *f)
{
	const struct vhid_row *r = f->vhid > 0 ? find_row(v, f->vhid) : NULL;
	int i;

	if (r && r->verdict == VV_SPLIT_BRAIN) {
		sb_printf(sb, "VHID %d split brain (MASTER on ", r->vhid);
		nodes_with(sb, v, r, "MASTER");
		sb_addc(sb, ')');
	} else if (r && r->verdict == VV_NO_MASTER) {
		sb_printf(sb, "VHID %d has no MASTER (", r->vhid);
		for (i = 0; i < CLUSTER_NODES; i++) {
			if (i)
				sb_add(sb, ", ");
			nag_add(sb, v->node[i].name);
			sb_printf(sb, " %s", out_side_status(v, r, i));
		}
		sb_addc(sb, ')');
	} else if (r && r->verdict == VV_NO_REDUNDANCY && r->master >= 0) {
		sb_printf(sb, "VHID %d no redundancy: MASTER ", r->vhid);
		nag_add(sb, v->node[r->master].name);
		sb_add(sb, ", ");
		nag_add(sb, v->node[1 - r->master].name);
		sb_add(sb, " unreachable");
	} else if (r && r->verdict == VV_INIT) {
		sb_printf(sb, "VHID %d in INIT on ", r->vhid);
		nodes_with(sb, v, r, "INIT");
	} else {
		nag_add(sb, f->message);
	}
}

/* "2 VHIDs, MASTER fw1" -- or "MASTER fw1 (2), fw2 (1)" when the VHIDs are
 * split between the nodes on purpose (active/active). */
static void describe_ok(struct strbuf *sb, const struct pair_view *v)
{
	int count[CLUSTER_NODES] = { 0 }, holders = 0, i;
	size_t k;

	sb_printf(sb, "%zu VHID%s", v->n_rows, v->n_rows == 1 ? "" : "s");
	for (k = 0; k < v->n_rows; k++)
		if (v->rows[k].master >= 0 && v->rows[k].master < CLUSTER_NODES)
			count[v->rows[k].master]++;
	for (i = 0; i < CLUSTER_NODES; i++)
		holders += count[i] > 0;
	if (!holders)
		return;
	sb_add(sb, ", MASTER ");
	for (i = 0, k = 0; i < CLUSTER_NODES; i++) {
		if (!count[i])
			continue;
		if (k++)
			sb_add(sb, ", ");
		nag_add(sb, v->node[i].name);
		if (holders > 1)
			sb_printf(sb, " (%d)", count[i]);
	}
}

/* Findings at WARNING or worse: what a monitoring system calls a problem. */
static size_t problems(const struct pair_view *v)
{
	size_t k, n = 0;
	for (k = 0; k < v->n_findings; k++)
		n += v->findings[k].severity >= SEV_WARNING;
	return n;
}

static void describe_cluster(struct strbuf *sb, const struct pair_view *v)
{
	size_t more;
	nag_add(sb, v->cluster && v->cluster->name ? v->cluster->name : "?");
	sb_add(sb, ": ");
	if (v->verdict < SEV_WARNING || v->n_findings == 0) {
		describe_ok(sb, v);
		return;
	}
	describe_finding(sb, v, &v->findings[0]);
	more = problems(v);
	if (more > 1)
		sb_printf(sb, " (+%zu more)", more - 1);
}

/* Worst cluster first; ties keep configuration order. */
static void summary(struct strbuf *sb, const struct pair_view *views, size_t n, enum severity overall)
{
	int sev;
	size_t k, shown = 0;

	if (n == 0) {
		sb_add(sb, "no clusters configured");
		return;
	}
	for (sev = SEV_CRITICAL; sev >= SEV_OK; sev--) {
		for (k = 0; k < n; k++) {
			if ((int)views[k].verdict != sev)
				continue;
			/* With a problem somewhere, healthy clusters would only lengthen the line. */
			if (overall >= SEV_WARNING && views[k].verdict < SEV_WARNING)
				continue;
			if (shown++)
				sb_add(sb, "; ");
			describe_cluster(sb, &views[k]);
		}
	}
}

/* A perfdata label: quoted, and free of the characters the plugin
 * guidelines reserve (quote, '=') or that would break parsing. */
static void perf_label(struct strbuf *sb, const char *cluster, const char *node, const char *what)
{
	size_t from, k;
	sb_addc(sb, '\'');
	from = sb->len;
	out_add_safe(sb, cluster);
	sb_addc(sb, '_');
	out_add_safe(sb, node);
	sb_addc(sb, '_');
	sb_add(sb, what);
	for (k = from; k < sb->len; k++) {
		char c = sb->buf[k];
		if (c == '\'' || c == '=' || c == '|' || c == ' ' || c == '"')
			sb->buf[k] = '_';
	}
	sb_add(sb, "'=");
}

static void perfdata_node(struct strbuf *sb, const struct pair_view *v, int i)
{
	const struct snapshot *s = v->snap[i];
	const char *cl = v->cluster && v->cluster->name ? v->cluster->name : "";
	const char *nd = v->node[i].name;
	char num[32];

	/* Unknown values are left out, not reported as 0. */
	if (!v->node[i].up)
		return;
	if (s->states.current >= 0) {
		perf_label(sb, cl, nd, "states");
		sb_printf(sb, "%lld;;;0", s->states.current);
		if (s->states.limit > 0)
			sb_printf(sb, ";%lld", s->states.limit);
		sb_addc(sb, ' ');
	}
	if (s->carp.known) {
		perf_label(sb, cl, nd, "demotion");
		sb_printf(sb, "%ld;;;0 ", s->carp.demotion);
	}
	if (s->taken > 0) {
		out_fixed(num, sizeof(num), s->duration_ms / 1000.0, 3);
		perf_label(sb, cl, nd, "poll_time");
		sb_printf(sb, "%ss;;;0 ", num);
	}
}

static void perfdata(struct strbuf *sb, const struct pair_view *views, size_t n)
{
	size_t k, start = sb->len;
	int i;
	for (k = 0; k < n; k++)
		for (i = 0; i < CLUSTER_NODES; i++)
			perfdata_node(sb, &views[k], i);
	/* Drop the separator after the last value. */
	if (sb->len > start && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = '\0';
}

static void long_node(struct strbuf *sb, const struct pair_view *v, int i)
{
	const struct snapshot *s = v->snap[i];
	const char *cl = v->cluster && v->cluster->name ? v->cluster->name : "?";
	char warn[SNAP_MSG_LEN];
	int k;

	if (out_node_insecure(v, i)) {
		out_insecure_text(warn, sizeof(warn), v, i);
		sb_add(sb, "WARNING ");
		nag_add(sb, cl);
		sb_addc(sb, ' ');
		nag_add(sb, warn);
		sb_addc(sb, '\n');
	}
	if (!v->node[i].up && v->offline) {
		nag_add(sb, cl);
		sb_addc(sb, ' ');
		nag_add(sb, v->node[i].name);
		sb_add(sb, ": ");
		nag_add(sb, s ? s->error : "offline");
		sb_addc(sb, '\n');
	} else if (!v->node[i].up) {
		nag_add(sb, cl);
		sb_addc(sb, ' ');
		nag_add(sb, v->node[i].name);
		sb_printf(sb, ": UNKNOWN - %s: ", node_error_label(s ? s->err : NERR_NOT_POLLED));
		nag_add(sb, s ? s->error : "not polled yet");
		sb_addc(sb, '\n');
		return;
	}
	for (k = 0; k < s->n_partial && k < SNAP_MAX_PARTIAL; k++) {
		nag_add(sb, cl);
		sb_addc(sb, ' ');
		nag_add(sb, v->node[i].name);
		sb_add(sb, ": partial result, ");
		nag_add(sb, s->partial[k].what);
		sb_printf(sb, " unavailable (%s): ", node_error_label(s->partial[k].err));
		nag_add(sb, s->partial[k].msg);
		sb_addc(sb, '\n');
	}
}

static void long_findings(struct strbuf *sb, const struct pair_view *v)
{
	size_t k;
	for (k = 0; k < v->n_findings; k++) {
		const struct finding *f = &v->findings[k];
		sb_printf(sb, "[%s] ", out_severity_upper(f->severity));
		nag_add(sb, v->cluster && v->cluster->name ? v->cluster->name : "?");
		sb_add(sb, ": ");
		nag_add(sb, f->message);
		if (f->hint && f->hint[0]) {
			sb_add(sb, " -- ");
			nag_add(sb, f->hint);
		}
		sb_addc(sb, '\n');
	}
}

void out_render_nagios(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o)
{
	enum severity overall = output_overall(views, n);
	size_t k, mark;
	int i;

	sb_printf(sb, "CARP %s - ", out_severity_upper(overall == SEV_INFO ? SEV_OK : overall));
	if (o->demo)
		sb_add(sb, "DEMO ");
	summary(sb, views, n, overall);
	sb_add(sb, " | ");
	mark = sb->len;
	perfdata(sb, views, n);
	if (sb->len == mark) /* no perfdata at all: no dangling " | " */
		sb->buf[(sb->len = mark - 3)] = '\0';
	sb_addc(sb, '\n');
	if (o->demo)
		sb_add(sb, "DEMO MODE: simulated nodes, not real firewalls\n");
	for (k = 0; k < n; k++) {
		for (i = 0; i < CLUSTER_NODES; i++)
			long_node(sb, &views[k], i);
		long_findings(sb, &views[k]);
	}
}
