/* The guided procedures of the OPNsense "Configure CARP" how-to, as tables
 * of gated steps for the engine in engine.c. Every step reads before it
 * acts and verifies after; the maintenance toggle is never sent blind. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "pair.h"
#include "parse/fwjob.h"
#include "util.h"
#include "workflow.h"

/* ---- reading the pair ------------------------------------------------- */

static void view(struct wf_run *r, struct pair_view *v)
{
	app_view(r->app, r->cluster, v);
}

/* Does `node` have `st` on every VHID of the pair? Names the first that is not. */
static bool all_vhids(struct wf_run *r, int node, enum carp_status st, char *msg, size_t n)
{
	struct pair_view v;
	size_t i;
	bool ok = true;
	view(r, &v);
	if (!v.n_rows) {
		str_printf(msg, n, "no VHIDs seen");
		ok = false;
	}
	for (i = 0; ok && i < v.n_rows; i++) {
		const struct vhid_side *s = &v.rows[i].side[node];
		if (!s->present || s->status != st) {
			str_printf(msg, n, "%s is %s on VHID %d", wf_node_name(r, node),
				   s->present ? carp_status_name(s->status) : "absent", v.rows[i].vhid);
			ok = false;
		}
	}
	if (ok)
		str_printf(msg, n, "%s %s on all %zu VHIDs", wf_node_name(r, node), carp_status_name(st), v.n_rows);
	pair_free(&v);
	return ok;
}

/* One MASTER per VHID, nothing critical. */
static bool pair_healthy(struct wf_run *r, char *msg, size_t n)
{
	struct pair_view v;
	size_t i;
	bool ok = true;
	view(r, &v);
	for (i = 0; i < v.n_rows && ok; i++) {
		if (v.rows[i].verdict != VV_OK) {
			str_printf(msg, n, "VHID %d is %s", v.rows[i].vhid, vhid_verdict_name(v.rows[i].verdict));
			ok = false;
		}
	}
	for (i = 0; i < v.n_findings && ok; i++) {
		if (v.findings[i].severity >= SEV_UNKNOWN) {
			str_copy(msg, v.findings[i].message, n);
			ok = false;
		}
	}
	if (ok)
		str_printf(msg, n, "one MASTER on each of %zu VHIDs", v.n_rows);
	pair_free(&v);
	return ok;
}

static const struct snapshot *snap(struct wf_run *r, int node)
{
	return wf_snap(r, node);
}

/* ---- interlocks --------------------------------------------------------
 * Decided on fresh state in the workflow's setup (before the operator is
 * asked) and again in the step's check before anything is sent. A change
 * that weakens a node (disable CARP, enter maintenance) is refused when
 * its peer cannot take over: unreachable or of unknown state, CARP off,
 * in maintenance, demoted, a VHID in INIT or missing there. Changes that
 * restore a node (enable CARP, leave maintenance) have no interlock: on
 * the only live node they are the recovery. --force (in the console: the
 * cluster's name typed) overrides, audited; CARP off on both nodes is
 * never allowed. */

enum weaken { WEAKEN_MAINTENANCE, WEAKEN_DISABLE };

#define OVERRIDE_HINT "--force overrides (in the console: type the cluster's name)"

/* The pair's VHIDs, "1, 3" ("" none). */
static void vhid_list(struct wf_run *r, int node, bool masters_only, char *dst, size_t n)
{
	struct pair_view v;
	size_t i, o = 0;
	view(r, &v);
	dst[0] = '\0';
	for (i = 0; i < v.n_rows && o + 8 < n; i++) {
		const struct vhid_side *sd = &v.rows[i].side[node];
		if (node >= 0 && (!sd->present || (masters_only && sd->status != CARP_ST_MASTER)))
			continue;
		o += (size_t)snprintf(dst + o, n - o, "%s%d", o ? ", " : "", v.rows[i].vhid);
	}
	pair_free(&v);
}

static enum wf_check refuse(struct wf_run *r, bool overridable, char *msg, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static enum wf_check refuse(struct wf_run *r, bool overridable, char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;
	size_t l;
	va_start(ap, fmt);
	str_copy(msg, "refused: ", n);
	l = strlen(msg);
	vsnprintf(msg + l, n - l, fmt, ap);
	va_end(ap);
	if (overridable) {
		l = strlen(msg);
		str_printf(msg + l, n - l, "; %s", OVERRIDE_HINT);
	}
	r->overridable = overridable;
	return WF_FAIL;
}

static enum wf_check interlock(struct wf_run *r, int node, enum weaken how, char *msg, size_t n)
{
	int peer = 1 - node;
	const struct snapshot *p = snap(r, peer);
	const char *me = wf_node_name(r, node), *pn = wf_node_name(r, peer);
	const char *verb = how == WEAKEN_DISABLE ? "disabling CARP on" : "entering maintenance on";
	char vh[128];
	size_t i;

	vhid_list(r, node, false, vh, sizeof(vh));
	if (!vh[0])
		vhid_list(r, -1, false, vh, sizeof(vh));
	if (p->reachable && p->carp.known && p->carp.allow == 0 && how == WEAKEN_DISABLE)
		return refuse(r, false, msg, n, "%s has CARP disabled: %s %s too would leave VHIDs %s with no MASTER "
			      "and no node with CARP (never, not even with --force)", pn, verb, me, vh[0] ? vh : "-");
	if (r->force)
		return WF_YES;
	if (!p->reachable)
		return refuse(r, true, msg, n, "%s cannot be reached (%s): %s is the only node that answers, and %s it "
			      "may leave VHIDs %s with no MASTER", pn, p->error, me, how == WEAKEN_DISABLE ? "disabling" : "demoting",
			      vh[0] ? vh : "-");
	if (!p->carp.known)
		return refuse(r, true, msg, n, "%s's CARP state is not known: %s %s may leave VHIDs %s with no MASTER", pn,
			      verb, me, vh[0] ? vh : "-");
	if (p->carp.allow == 0)
		return refuse(r, true, msg, n, "%s has CARP disabled: %s %s leaves VHIDs %s with no node to take over", pn,
			      verb, me, vh[0] ? vh : "-");
	if (p->carp.maintenance)
		return refuse(r, true, msg, n, how == WEAKEN_MAINTENANCE
			      ? "%s is in maintenance mode: %s %s puts both nodes in maintenance (VHIDs %s)"
			      : "%s is in maintenance mode: %s %s leaves VHIDs %s to a node in maintenance",
			      pn, verb, me, vh[0] ? vh : "-");
	/* Unhealthy: demoted by an error, or a VHID in INIT (link down). */
	if (p->carp.demotion > 0)
		return refuse(r, true, msg, n, "%s is demoted by %ld (%s), so it may not take over VHIDs %s", pn,
			      p->carp.demotion, p->carp.status_msg[0] ? p->carp.status_msg : "an error", vh[0] ? vh : "-");
	for (i = 0; i < p->n_vips; i++)
		if (p->vips[i].mode == VIP_MODE_CARP && p->vips[i].status == CARP_ST_INIT)
			return refuse(r, true, msg, n, "VHID %d is INIT on %s (interface down?): %s %s leaves it with no "
				      "MASTER", p->vips[i].vhid, pn, verb, me);
	{
		struct pair_view v;
		int missing = 0;
		view(r, &v);
		for (i = 0; i < v.n_rows && !missing; i++)
			if (v.rows[i].side[node].present && !v.rows[i].side[peer].present)
				missing = v.rows[i].vhid;
		pair_free(&v);
		if (missing)
			return refuse(r, true, msg, n, "VHID %d exists on %s only: %s %s leaves it with no MASTER", missing, me,
				      verb, me);
	}
	return WF_YES;
}

/* The interlock of a weakening change, decided before the question (the
 * step checks it again before it sends anything). */
static int setup_interlock(struct wf_run *r, enum weaken how, char *msg, size_t n)
{
	return interlock(r, r->target, how, msg, n) == WF_FAIL ? -1 : 0;
}

/* ---- parameters ------------------------------------------------------ */

static int node_param(struct wf_run *r, const char *name, char *msg, size_t n)
{
	int i;
	for (i = 0; i < CLUSTER_NODES; i++)
		if (str_eq(wf_node_name(r, i), name))
			return i;
	str_printf(msg, n, "node=%s: no such node in cluster %s (nodes: %s, %s)", name, r->cluster_name,
		   wf_node_name(r, 0), wf_node_name(r, 1));
	return -1;
}

static int both_reachable(struct wf_run *r, char *msg, size_t n)
{
	int i;
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (!snap(r, i)->reachable) {
			str_printf(msg, n, "%s cannot be reached: %s", wf_node_name(r, i), snap(r, i)->error);
			return -1;
		}
	}
	return 0;
}

static int need_support(struct wf_run *r, int node, enum action_kind k, char *msg, size_t n)
{
	const struct backend *b = r->app->clusters[r->cluster].node[node].backend;
	if (!b || !backend_supports(b, k)) {
		str_printf(msg, n, "%s's %s transport cannot %s; configure an api: block for it", wf_node_name(r, node),
			   b ? b->ops->name : "(none)", action_name(k));
		return -1;
	}
	return 0;
}

static void set_target(struct wf_run *r, int target)
{
	r->target = target;
	r->other = 1 - target;
	wf_record_set(r, "target", "%d", r->target);
	wf_record_set(r, "other", "%d", r->other);
}

/* "1:0,3:0": which node is MASTER per VHID. */
static void roles_string(struct wf_run *r, char *dst, size_t n)
{
	struct pair_view v;
	size_t i, o = 0;
	view(r, &v);
	dst[0] = '\0';
	for (i = 0; i < v.n_rows && o + 12 < n; i++)
		o += (size_t)snprintf(dst + o, n - o, "%s%d:%d", i ? "," : "", v.rows[i].vhid, v.rows[i].master);
	pair_free(&v);
}

/* ---- generic step pieces ---------------------------------------------- */

/* What a node advertises on a VHID: advskew + net.inet.carp.demotion,
 * capped at CARP_SKEW_MAX (FreeBSD's DEMOTE_ADVSKEW); lower wins. The demotion is
 * signed and can be negative (opnsense/core#2780). */
static long advertised_skew(const struct snapshot *s, int vhid, long extra)
{
	long skew = s->carp.demotion + extra;
	size_t i;
	for (i = 0; i < s->n_vips; i++) {
		if (s->vips[i].vhid == vhid && s->vips[i].mode == VIP_MODE_CARP && s->vips[i].advskew >= 0) {
			skew += s->vips[i].advskew;
			break;
		}
	}
	return skew > CARP_SKEW_MAX ? CARP_SKEW_MAX : skew;
}

/* Entering maintenance adds 240 to the demotion (carp_set_status.php writes
 * the sysctl, which adds). From a negative demotion that may still leave
 * the node advertising better than its peer: it would stay MASTER. */
static bool maintenance_would_demote(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node), *p = snap(r, 1 - node);
	size_t i;
	if (!p->reachable || !p->carp.known)
		return true; /* the interlock decides */
	for (i = 0; i < s->n_vips; i++) {
		int vhid = s->vips[i].vhid;
		long mine, theirs;
		if (s->vips[i].mode != VIP_MODE_CARP)
			continue;
		mine = advertised_skew(s, vhid, MAINT_DEMOTION);
		theirs = advertised_skew(p, vhid, 0);
		if (mine <= theirs) {
			str_printf(msg, n, "refused: %s's demotion is %ld, so maintenance (+%d) leaves it advertising %ld on "
				   "VHID %d, not worse than %s's %ld: it would stay MASTER; reset the demotion first "
				   "(opnsense/core#2780)",
				   wf_node_name(r, node), s->carp.demotion, MAINT_DEMOTION, mine, vhid,
				   wf_node_name(r, 1 - node), theirs);
			return false;
		}
	}
	return true;
}

/* Maintenance: read the flag first, because the API call is a toggle. */
static enum wf_check pre_enter_maintenance(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->carp.known) {
		str_printf(msg, n, "the maintenance flag of %s cannot be read: not sending a toggle blind",
			   wf_node_name(r, node));
		return WF_FAIL;
	}
	if (s->carp.maintenance) {
		str_printf(msg, n, "%s is already in maintenance mode", wf_node_name(r, node));
		return WF_NO;
	}
	if (!r->force && !maintenance_would_demote(r, node, msg, n))
		return WF_FAIL;
	/* The check after the toggle compares against this reading. */
	wf_record_set(r, "demotion_before_maint", "%ld", s->carp.demotion);
	return interlock(r, node, WEAKEN_MAINTENANCE, msg, n);
}

/* The demotion read before the last maintenance toggle, or `dflt`. */
static long demotion_before(struct wf_run *r, const char *key, long dflt)
{
	const char *v = wf_record_get(r, key);
	long x;
	return v && str_to_long(v, &x) ? x : dflt;
}

static enum wf_check until_in_maintenance(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->reachable) {
		str_printf(msg, n, "%s unreachable: %s", wf_node_name(r, node), s->error);
		return WF_NO;
	}
	if (!s->carp.maintenance) {
		/* Never toggle again on a guess: stop and let the operator look. */
		str_printf(msg, n, "%s does not show the maintenance flag after the toggle", wf_node_name(r, node));
		return WF_FAIL;
	}
	/* The toggle adds 240 to whatever the demotion was (signed). */
	if (s->carp.demotion < demotion_before(r, "demotion_before_maint", 0) + MAINT_DEMOTION &&
	    s->carp.demotion < MAINT_DEMOTION) {
		str_printf(msg, n, "%s: flag set but demotion only %ld", wf_node_name(r, node), s->carp.demotion);
		return WF_NO;
	}
	str_printf(msg, n, "%s maintenance flag set, demotion %ld", wf_node_name(r, node), s->carp.demotion);
	return WF_YES;
}

static enum wf_check pre_leave_maintenance(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->carp.known) {
		str_printf(msg, n, "the maintenance flag of %s cannot be read: not sending a toggle blind",
			   wf_node_name(r, node));
		return WF_FAIL;
	}
	if (!s->carp.maintenance) {
		str_printf(msg, n, "%s is not in maintenance mode", wf_node_name(r, node));
		return WF_NO;
	}
	wf_record_set(r, "demotion_before_leave", "%ld", s->carp.demotion);
	return WF_YES;
}

static enum wf_check until_out_of_maintenance(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->reachable) {
		str_printf(msg, n, "%s unreachable: %s", wf_node_name(r, node), s->error);
		return WF_NO;
	}
	if (s->carp.maintenance) {
		str_printf(msg, n, "%s still shows the maintenance flag after the toggle", wf_node_name(r, node));
		return WF_FAIL;
	}
	/* Leaving sets the demotion back to the tunable's default (by adding
	 * the difference): it changes, in whichever direction. */
	if (s->carp.demotion >= MAINT_DEMOTION &&
	    s->carp.demotion == demotion_before(r, "demotion_before_leave", s->carp.demotion)) {
		str_printf(msg, n, "%s left maintenance but demotion is still %ld", wf_node_name(r, node), s->carp.demotion);
		return WF_NO;
	}
	str_printf(msg, n, "%s out of maintenance, demotion %ld", wf_node_name(r, node), s->carp.demotion);
	return WF_YES;
}

static enum wf_check pre_disable_carp(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (s->carp.known && s->carp.allow == 0) {
		str_printf(msg, n, "CARP is already disabled on %s", wf_node_name(r, node));
		return WF_NO;
	}
	return interlock(r, node, WEAKEN_DISABLE, msg, n);
}

static enum wf_check until_carp_disabled(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->reachable || !s->carp.known) {
		str_printf(msg, n, "%s unreachable: %s", wf_node_name(r, node), s->error);
		return WF_NO;
	}
	str_printf(msg, n, "%s allow=%d", wf_node_name(r, node), s->carp.allow);
	return s->carp.allow == 0 ? WF_YES : WF_NO;
}

static enum wf_check pre_enable_carp(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (s->carp.known && s->carp.allow == 1) {
		str_printf(msg, n, "CARP is already enabled on %s", wf_node_name(r, node));
		return WF_NO;
	}
	return WF_YES;
}

static enum wf_check until_carp_enabled(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	if (!s->reachable || !s->carp.known) {
		str_printf(msg, n, "%s unreachable: %s", wf_node_name(r, node), s->error);
		return WF_NO;
	}
	str_printf(msg, n, "%s allow=%d", wf_node_name(r, node), s->carp.allow);
	return s->carp.allow == 1 ? WF_YES : WF_NO;
}

/* The step's node holds MASTER on every VHID (it took over). */
static enum wf_check until_master_everywhere(struct wf_run *r, int node, char *msg, size_t n)
{
	return all_vhids(r, node, CARP_ST_MASTER, msg, n) ? WF_YES : WF_NO;
}

/* The step's node is MASTER again after leaving maintenance: with preempt
 * on it takes its VHIDs back; with preempt off it stays BACKUP by design. */
static enum wf_check until_master_again(struct wf_run *r, int node, char *msg, size_t n)
{
	if (snap(r, node)->carp.preempt == 0) {
		str_printf(msg, n, "preempt is off on %s: it stays BACKUP by design", wf_node_name(r, node));
		return WF_YES;
	}
	return all_vhids(r, node, CARP_ST_MASTER, msg, n) ? WF_YES : WF_NO;
}

static enum wf_check until_healthy(struct wf_run *r, int node, char *msg, size_t n)
{
	int i;
	if (both_reachable(r, msg, n) < 0)
		return WF_NO;
	for (i = 0; i < CLUSTER_NODES; i++) {
		const struct snapshot *s = snap(r, i);
		if (s->carp.known && (s->carp.maintenance || s->carp.allow == 0)) {
			str_printf(msg, n, "%s is %s", wf_node_name(r, i), s->carp.maintenance ? "in maintenance" : "not running CARP");
			return WF_NO;
		}
	}
	return pair_healthy(r, msg, n) ? WF_YES : WF_NO;
}

static enum wf_check until_now(struct wf_run *r, int node, char *msg, size_t n)
{
	return WF_YES;
}

/* What --rollback runs to undo a step (the steps' .undo), defined with the
 * undo steps at the end of this file. */
static const struct wf_undo undo_enter_maintenance, undo_disable_carp, undo_add_alias;

/* ---- the rolling update ---------------------------------------------- */

static int version_cmp(const char *a, const char *b)
{
	/* 26.7.2 < 26.7.10 < 26.7.10_1: compare number by number. */
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		while (*a && (*a < '0' || *a > '9'))
			a++;
		while (*b && (*b < '0' || *b > '9'))
			b++;
	}
	return 0;
}

static int update_setup(struct wf_run *r, char *msg, size_t n)
{
	const struct snapshot *p = snap(r, 0), *s = snap(r, 1);
	int i;
	if (both_reachable(r, msg, n) < 0)
		return -1;
	for (i = 0; i < CLUSTER_NODES; i++)
		if (need_support(r, i, ACT_FIRMWARE_UPDATE, msg, n) < 0 || need_support(r, i, ACT_MAINTENANCE_TOGGLE, msg, n) < 0)
			return -1;
	if (!pair_healthy(r, msg, n)) {
		size_t l = strlen(msg);
		str_printf(msg + l, n - l, ": the pair must be healthy before an update");
		return -1;
	}
	if (!r->force && !all_vhids(r, 0, CARP_ST_MASTER, msg, n)) {
		size_t l = strlen(msg);
		str_printf(msg + l, n - l, ": the primary should hold MASTER before the update (--force overrides)");
		return -1;
	}
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (snap(r, i)->carp.maintenance) {
			str_printf(msg, n, "%s is already in maintenance mode: leave it first or finish the earlier work",
				   wf_node_name(r, i));
			return -1;
		}
	}
	if (p->version[0] && s->version[0] && version_cmp(s->version, p->version) > 0) {
		str_printf(msg, n, "the secondary %s runs %s, newer than the primary's %s: the procedure updates the "
			   "secondary first", wf_node_name(r, 1), s->version, p->version);
		return -1;
	}
	set_target(r, 0);
	wf_record_set(r, "version_before_0", "%s", p->version);
	wf_record_set(r, "version_before_1", "%s", s->version);
	wf_record_set(r, "states_before", "%lld", p->states.current);
	return 0;
}

static enum wf_check pre_update(struct wf_run *r, int node, char *msg, size_t n)
{
	char key[32];
	const struct snapshot *s = snap(r, node);
	const char *before;
	str_printf(key, sizeof(key), "version_before_%d", node);
	before = wf_record_get(r, key);
	if (s->firmware.state == FW_RUNNING || (s->firmware.job && !fwjob_final((enum fwjob_state)s->firmware.job))) {
		str_printf(msg, n, "an update is already running on %s", wf_node_name(r, node));
		return WF_NO;
	}
	if (before && s->version[0] && !str_eq(before, s->version)) {
		str_printf(msg, n, "%s already moved from %s to %s", wf_node_name(r, node), before, s->version);
		return WF_NO;
	}
	return WF_YES;
}

static enum wf_check pre_update_secondary(struct wf_run *r, int node, char *msg, size_t n)
{
	return pre_update(r, 1, msg, n);
}

static enum wf_check pre_update_primary(struct wf_run *r, int node, char *msg, size_t n)
{
	/* The primary is updated only while in maintenance: its peer serves. */
	if (!snap(r, 0)->carp.maintenance) {
		str_printf(msg, n, "refused: %s is not in maintenance mode", wf_node_name(r, 0));
		return WF_FAIL;
	}
	return pre_update(r, 0, msg, n);
}

/* The firmware job the transport follows (backends/parse/fwjob.h): a
 * changed version or a ***DONE*** in the log is not "finished" (the core
 * package is replaced first, the log may be the previous job's). WF_YES
 * once finished (done, or back from the reboot), WF_FAIL when it failed
 * or never started. */
static enum wf_check firmware_job(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, node);
	enum fwjob_state j = (enum fwjob_state)s->firmware.job;
	switch (j) {
	case FWJ_FAILED:
	case FWJ_NOT_STARTED:
		str_printf(msg, n, "%s: %s; stopping here", wf_node_name(r, node), s->firmware.job_detail);
		return WF_FAIL;
	case FWJ_DONE:
	case FWJ_REBOOTED:
		return WF_YES;
	default:
		str_printf(msg, n, "%s: %s (%s)", wf_node_name(r, node), fwjob_state_name(j), s->firmware.job_detail);
		return WF_NO;
	}
}

/* Back from the update: reachable, update finished, and in the role it
 * should have (`role` on every VHID). */
static enum wf_check until_updated(struct wf_run *r, int node, enum carp_status role, char *msg, size_t n)
{
	char key[32];
	const struct snapshot *s = snap(r, node);
	const char *before;
	if (s->firmware.job) {
		enum wf_check c = firmware_job(r, node, msg, n);
		if (c != WF_YES)
			return c;
	}
	if (!s->reachable) {
		str_printf(msg, n, "%s is rebooting or unreachable (%s)", wf_node_name(r, node), node_error_label(s->err));
		return WF_NO;
	}
	if (s->firmware.state == FW_RUNNING || s->firmware.state == FW_REBOOTING) {
		str_printf(msg, n, "%s is %s", wf_node_name(r, node),
			   s->firmware.state == FW_RUNNING ? "installing the update" : "about to reboot");
		return WF_NO;
	}
	str_printf(key, sizeof(key), "version_before_%d", node);
	before = wf_record_get(r, key);
	if (!s->version[0]) {
		str_printf(msg, n, "%s does not tell its version yet", wf_node_name(r, node));
		return WF_NO;
	}
	/* Done means a new version, or the node saying the update finished
	 * without one (nothing to install). */
	if (!s->firmware.job && before && str_eq(before, s->version) && s->firmware.state != FW_DONE) {
		str_printf(msg, n, "%s still runs %s", wf_node_name(r, node), s->version);
		return WF_NO;
	}
	if (!all_vhids(r, node, role, msg, n))
		return WF_NO;
	str_printf(msg, n, "%s runs %s, %s on every VHID", wf_node_name(r, node), s->version, carp_status_name(role));
	return WF_YES;
}

static enum wf_check until_secondary_updated(struct wf_run *r, int node, char *msg, size_t n)
{
	return until_updated(r, 1, CARP_ST_BACKUP, msg, n);
}

static enum wf_check until_primary_updated(struct wf_run *r, int node, char *msg, size_t n)
{
	/* Maintenance survives the reboot, so the primary comes back BACKUP. */
	return until_updated(r, 0, CARP_ST_BACKUP, msg, n);
}

static enum wf_check until_secondary_serves(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, 1);
	const char *before = wf_record_get(r, "states_before");
	long long b = before ? atoll(before) : 0;
	if (!all_vhids(r, 1, CARP_ST_MASTER, msg, n))
		return WF_NO;
	if (s->states.current < 0) {
		str_printf(msg, n, "%s is MASTER; its state count cannot be read", wf_node_name(r, 1));
		return WF_YES;
	}
	/* pfsync carried the states over: the new master's table is about as
	 * full as the old one's was. */
	if (b >= 50 && (double)s->states.current < (1.0 - r->app->clusters[r->cluster].conf->state_ratio) * (double)b) {
		str_printf(msg, n, "%s holds %lld states, the primary had %lld: states did not carry over",
			   wf_node_name(r, 1), s->states.current, b);
		return WF_FAIL;
	}
	str_printf(msg, n, "%s MASTER on every VHID with %lld states (primary had %lld)", wf_node_name(r, 1),
		   s->states.current, b);
	return WF_YES;
}

static enum wf_check until_final(struct wf_run *r, int node, char *msg, size_t n)
{
	enum wf_check c = until_healthy(r, node, msg, n);
	if (c != WF_YES)
		return c;
	if (!str_eq(snap(r, 0)->version, snap(r, 1)->version)) {
		str_printf(msg, n, "versions differ: %s %s, %s %s", wf_node_name(r, 0), snap(r, 0)->version,
			   wf_node_name(r, 1), snap(r, 1)->version);
		return WF_NO;
	}
	str_printf(msg, n, "both on %s, one MASTER per VHID, no maintenance", snap(r, 0)->version);
	return WF_YES;
}

static const struct wf_step update_steps[] = {
	{
		.title = "Update the secondary %N and wait until it is back as BACKUP",
		.reason = "The how-to updates the secondary first, while the primary keeps serving.",
		.node = WF_SECONDARY,
		.pre = pre_update_secondary, .action = ACT_FIRMWARE_UPDATE,
		.until = until_secondary_updated, .timeout_s = 3600,
	},
	{
		.title = "Enter persistent maintenance mode on %N",
		.reason = "Maintenance demotes the primary smoothly (no lost probes) and survives its reboot.",
		.node = WF_PRIMARY,
		.pre = pre_enter_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_in_maintenance, .timeout_s = 30,
		.undo = &undo_enter_maintenance,
	},
	{
		.title = "Wait until %N holds MASTER on every VHID",
		.reason = "The secondary must carry all traffic before the primary goes down.",
		.node = WF_SECONDARY,
		.action = WF_NO_ACTION,
		.until = until_master_everywhere, .timeout_s = 60,
	},
	{
		.title = "Check that %N serves (MASTER everywhere, states carried over by pfsync)",
		.reason = "Check DHCP, VPN and NAT on the secondary before taking the primary down (how-to step 3).",
		.node = WF_SECONDARY,
		.action = WF_NO_ACTION,
		.until = until_secondary_serves, .timeout_s = 60, .ask = true,
	},
	{
		.title = "Update the primary %N and wait until it is back (still in maintenance)",
		.reason = "The primary stays in maintenance through its reboot, so it comes back as BACKUP.",
		.node = WF_PRIMARY,
		.pre = pre_update_primary, .action = ACT_FIRMWARE_UPDATE,
		.until = until_primary_updated, .timeout_s = 3600,
	},
	{
		.title = "Leave maintenance mode on %N",
		.reason = "Persistent maintenance must be left explicitly; 'enable' does not leave it.",
		.node = WF_PRIMARY,
		.pre = pre_leave_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_out_of_maintenance, .timeout_s = 30,
	},
	{
		.title = "Wait until %N is MASTER again (preempt)",
		.reason = "With preempt on, the primary takes its VHIDs back.",
		.node = WF_PRIMARY,
		.action = WF_NO_ACTION,
		.until = until_master_again, .timeout_s = 60,
	},
	{
		.title = "Final health check",
		.reason = "One MASTER per VHID, no maintenance, equal versions.",
		.node = WF_NONE,
		.action = WF_NO_ACTION,
		.until = until_final, .timeout_s = 60,
	},
};

static void update_consequence(struct wf_run *r, char *msg, size_t n)
{
	const struct snapshot *p = snap(r, 0), *s = snap(r, 1);
	const char *to = s->firmware.latest[0] ? s->firmware.latest : p->firmware.latest;
	str_printf(msg, n, "Target version %s: updates %s (%s) first, then %s (%s) in maintenance while %s serves; "
		   "each node reboots.", to[0] ? to : "the newest the nodes offer", wf_node_name(r, 1),
		   s->version[0] ? s->version : "?", wf_node_name(r, 0), p->version[0] ? p->version : "?",
		   wf_node_name(r, 1));
}

/* ---- adding an IP alias to an active VHID ----------------------------- */

static bool parse_address(const char *s, char *addr, size_t n, int *prefix)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	unsigned char buf[16];
	long p;
	bool v6;
	if (!slash || (size_t)(slash - s) >= n)
		return false;
	str_copy(addr, s, (size_t)(slash - s) + 1);
	v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, buf) != 1)
		return false;
	if (!str_to_long(slash + 1, &p) || p < 1 || p > (v6 ? 128 : 32))
		return false;
	*prefix = (int)p;
	return true;
}

static bool node_has_address(struct wf_run *r, int node, const char *addr)
{
	const struct snapshot *s = snap(r, node);
	size_t i;
	for (i = 0; i < s->n_vips; i++)
		if (str_eq(s->vips[i].address, addr))
			return true;
	return false;
}

static int alias_setup(struct wf_run *r, char *msg, size_t n)
{
	const char *vs = wf_param(r, "vhid"), *as = wf_param(r, "address"), *ns = wf_param(r, "node");
	char addr[SNAP_ADDR_LEN];
	int prefix, target, i;
	long vhid;
	struct pair_view v;
	const struct vhid_row *row;

	if (!vs || !str_to_long(vs, &vhid) || vhid < 1 || vhid > 255) {
		char usage[160];
		wf_usage(r->def, usage, sizeof(usage));
		str_printf(msg, n, "vhid=N is required (1-255); usage: %s %s", r->def->name, usage);
		return -1;
	}
	if (!parse_address(as, addr, sizeof(addr), &prefix)) {
		str_printf(msg, n, "address=A/P is required, an IPv4 or IPv6 address with its prefix (e.g. 192.168.1.5/24)");
		return -1;
	}
	if (both_reachable(r, msg, n) < 0)
		return -1;
	for (i = 0; i < CLUSTER_NODES; i++)
		if (need_support(r, i, ACT_VIP_ADD, msg, n) < 0 || need_support(r, i, ACT_VIP_APPLY, msg, n) < 0 ||
		    need_support(r, i, ACT_CARP_DISABLE, msg, n) < 0)
			return -1;
	view(r, &v);
	row = pair_find_vhid(&v, (int)vhid);
	if (!row || !row->side[0].n_carp || !row->side[1].n_carp) {
		str_printf(msg, n, "VHID %ld is not a CARP VIP on both nodes: add the CARP VIP first", vhid);
		pair_free(&v);
		return -1;
	}
	if (row->verdict != VV_OK) {
		str_printf(msg, n, "VHID %ld is %s: fix that before adding to it", vhid, vhid_verdict_name(row->verdict));
		pair_free(&v);
		return -1;
	}
	target = row->master == 0 ? 1 : 0; /* the node in BACKUP */
	pair_free(&v);
	if (ns && (target = node_param(r, ns, msg, n)) < 0)
		return -1;
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (node_has_address(r, i, addr)) {
			str_printf(msg, n, "%s already carries %s", wf_node_name(r, i), addr);
			return -1;
		}
	}
	set_target(r, target);
	/* Step 1 disables CARP on the target: its peer must take over. */
	if (setup_interlock(r, WEAKEN_DISABLE, msg, n) < 0)
		return -1;
	wf_record_set(r, "vhid", "%ld", vhid);
	wf_record_set(r, "addr", "%s", addr);
	wf_record_set(r, "prefix", "%d", prefix);
	{
		char roles[128];
		roles_string(r, roles, sizeof(roles));
		wf_record_set(r, "roles_before", "%s", roles);
	}
	return 0;
}

static void alias_consequence(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "Adds the IP alias %s/%s to VHID %s: on %s first (CARP disabled there meanwhile, %s "
		   "serves), then on %s.", wf_record_get(r, "addr") ? wf_record_get(r, "addr") : "?",
		   wf_record_get(r, "prefix") ? wf_record_get(r, "prefix") : "?",
		   wf_record_get(r, "vhid") ? wf_record_get(r, "vhid") : "?", wf_node_name(r, r->target),
		   wf_node_name(r, r->other), wf_node_name(r, r->other));
}

static void build_alias(struct wf_run *r, struct action *a)
{
	a->vip.mode = VIP_MODE_IPALIAS;
	a->vip.vhid = atoi(wf_record_get(r, "vhid") ? wf_record_get(r, "vhid") : "0");
	str_copy(a->vip.address, wf_record_get(r, "addr"), sizeof(a->vip.address));
	a->vip.prefix = atoi(wf_record_get(r, "prefix") ? wf_record_get(r, "prefix") : "-1");
	a->vip.interface[0] = '\0'; /* the transport uses the VHID's CARP VIP interface */
	str_copy(a->vip.descr, "added by carptop add-alias", sizeof(a->vip.descr));
}

static bool alias_present(struct wf_run *r, int node)
{
	const char *addr = wf_record_get(r, "addr");
	return addr && node_has_address(r, node, addr);
}

static enum wf_check pre_add_alias(struct wf_run *r, int node, char *msg, size_t n)
{
	if (alias_present(r, node)) {
		str_printf(msg, n, "%s already has %s", wf_node_name(r, node), wf_record_get(r, "addr"));
		return WF_NO;
	}
	return WF_YES;
}

/* Add the alias on the step's node: only while CARP is disabled on the
 * target (first the target itself, then the serving peer). */
static enum wf_check pre_add_alias_on(struct wf_run *r, int node, char *msg, size_t n)
{
	if (snap(r, r->target)->carp.allow != 0) {
		if (node == r->target)
			str_printf(msg, n, "refused: CARP is running on %s; the alias is added only while it is disabled",
				   wf_node_name(r, r->target));
		else
			str_printf(msg, n, "refused: CARP must stay disabled on %s while the alias goes onto %s",
				   wf_node_name(r, r->target), wf_node_name(r, node));
		return WF_FAIL;
	}
	return pre_add_alias(r, node, msg, n);
}

/* The alias on the interface: a row for it that is not DISABLED. While
 * CARP is disabled, get_vip_status (and cx_apply over SSH) lists every
 * configured VIP as a DISABLED row, so such a row only says "saved". */
static bool alias_live(struct wf_run *r, int node)
{
	const struct snapshot *s = snap(r, node);
	const char *addr = wf_record_get(r, "addr");
	size_t i;
	for (i = 0; addr && i < s->n_vips; i++)
		if (str_eq(s->vips[i].address, addr) && s->vips[i].status != CARP_ST_DISABLED &&
		    s->vips[i].status != CARP_ST_UNKNOWN)
			return true;
	return false;
}

/* Whether node carries the alias (want true) or no longer does (false). */
static enum wf_check until_alias(struct wf_run *r, int node, bool want, char *msg, size_t n)
{
	bool has = want ? alias_live(r, node) : alias_present(r, node);
	const char *addr = wf_record_get(r, "addr");
	if (want && !has && alias_present(r, node) && snap(r, node)->carp.allow == 0) {
		/* CARP is off there: its VHID addresses are down, so the alias
		 * can only be seen saved. The Enable step checks it is live. */
		str_printf(msg, n, "%s has %s saved (CARP is disabled there: it goes live, and is checked, when CARP is "
			   "enabled)", wf_node_name(r, node), addr);
		return WF_YES;
	}
	if (has != want) {
		str_printf(msg, n, want ? "%s does not show %s yet" : "%s still carries %s", wf_node_name(r, node), addr);
		return WF_NO;
	}
	str_printf(msg, n, want ? "%s carries %s" : "%s no longer carries %s", wf_node_name(r, node), addr);
	return WF_YES;
}

/* The alias is live on the step's node. */
static enum wf_check until_alias_on(struct wf_run *r, int node, char *msg, size_t n)
{
	return until_alias(r, node, true, msg, n);
}

/* The how-to's "double-check that the VIP configuration is identical". */
static enum wf_check until_alias_identical(struct wf_run *r, int node, char *msg, size_t n)
{
	int vhid = atoi(wf_record_get(r, "vhid") ? wf_record_get(r, "vhid") : "0");
	char set[CLUSTER_NODES][512];
	int i;
	for (i = 0; i < CLUSTER_NODES; i++) {
		const struct snapshot *s = snap(r, i);
		size_t k;
		set[i][0] = '\0';
		/* Address sets compared in a stable order. */
		for (k = 0; k < s->n_vips; k++) {
			if (s->vips[k].vhid != vhid)
				continue;
			strncat(set[i], " ", sizeof(set[i]) - strlen(set[i]) - 1);
			strncat(set[i], s->vips[k].address, sizeof(set[i]) - strlen(set[i]) - 1);
		}
	}
	{
		/* sort words of each set */
		char *w[2][PAIR_MAX_ADDRS];
		int nw[2] = { 0, 0 }, a, b;
		char copy[2][512];
		for (i = 0; i < 2; i++) {
			char *save = NULL, *tok;
			str_copy(copy[i], set[i], sizeof(copy[i]));
			for (tok = strtok_r(copy[i], " ", &save); tok && nw[i] < PAIR_MAX_ADDRS; tok = strtok_r(NULL, " ", &save))
				w[i][nw[i]++] = tok;
			for (a = 0; a < nw[i]; a++)
				for (b = a + 1; b < nw[i]; b++)
					if (strcmp(w[i][a], w[i][b]) > 0) {
						char *t = w[i][a];
						w[i][a] = w[i][b];
						w[i][b] = t;
					}
		}
		if (nw[0] != nw[1]) {
			str_printf(msg, n, "VHID %d has %d addresses on %s but %d on %s", vhid, nw[0], wf_node_name(r, 0), nw[1],
				   wf_node_name(r, 1));
			return WF_FAIL;
		}
		for (a = 0; a < nw[0]; a++) {
			if (strcmp(w[0][a], w[1][a]) != 0) {
				str_printf(msg, n, "VHID %d differs: %s on %s, %s on %s", vhid, w[0][a], wf_node_name(r, 0), w[1][a],
					   wf_node_name(r, 1));
				return WF_FAIL;
			}
		}
		str_printf(msg, n, "VHID %d has the same %d addresses on both nodes", vhid, nw[0]);
	}
	return WF_YES;
}

/* CARP back on the target, and the alias live there (not just saved). */
static enum wf_check until_carp_enabled_alias_live(struct wf_run *r, int node, char *msg, size_t n)
{
	enum wf_check c = until_carp_enabled(r, node, msg, n);
	if (c != WF_YES)
		return c;
	return until_alias(r, node, true, msg, n);
}

static enum wf_check until_roles_restored(struct wf_run *r, int node, char *msg, size_t n)
{
	const char *before = wf_record_get(r, "roles_before");
	char now[128];
	if (!pair_healthy(r, msg, n))
		return WF_NO;
	roles_string(r, now, sizeof(now));
	if (before && !str_eq(before, now)) {
		str_printf(msg, n, "roles are %s, were %s", now, before);
		return WF_NO;
	}
	str_printf(msg, n, "no split brain; roles as before (%s)", now);
	return WF_YES;
}

static const struct wf_step alias_steps[] = {
	{
		.title = "Disable CARP on %N",
		.reason = "Disable CARP (not maintenance) so the other node serves alone while the VHID changes.",
		.node = WF_TARGET,
		.pre = pre_disable_carp, .action = ACT_CARP_DISABLE,
		.until = until_carp_disabled, .timeout_s = 30,
		.undo = &undo_disable_carp,
	},
	{
		.title = "Wait until %N holds MASTER on every VHID",
		.reason = "Traffic must be on the node that keeps CARP running.",
		.node = WF_OTHER,
		.action = WF_NO_ACTION,
		.until = until_master_everywhere, .timeout_s = 60,
	},
	{
		.title = "Add the IP alias on %N",
		.reason = "Added while CARP is disabled there, the new address cannot split the VHID's hash.",
		.node = WF_TARGET,
		.pre = pre_add_alias_on, .action = ACT_VIP_ADD, .build = build_alias,
		.until = until_now, .timeout_s = 30,
		.undo = &undo_add_alias,
	},
	{
		.title = "Apply the VIP change on %N",
		.reason = "Nothing reaches the interfaces until the change is applied (reconfigure).",
		.node = WF_TARGET,
		.action = ACT_VIP_APPLY,
		.until = until_alias_on, .timeout_s = 30,
	},
	{
		.title = "Add the same IP alias on %N",
		.reason =
			"Added by hand, not by a config sync: rc.filter_synchronize would send every VIP with a VHID, but a sync in "
			"the middle of the procedure also reconfigures the peer while the address sets differ.",
		.node = WF_OTHER,
		.pre = pre_add_alias_on, .action = ACT_VIP_ADD, .build = build_alias,
		.until = until_now, .timeout_s = 30,
		.undo = &undo_add_alias,
	},
	{
		.title = "Apply the VIP change on %N",
		.reason = "The alias goes live on the node that is serving.",
		.node = WF_OTHER,
		.action = ACT_VIP_APPLY,
		.until = until_alias_on, .timeout_s = 30,
	},
	{
		.title = "Verify the VHID's addresses are identical on both nodes",
		.reason = "Every address is hashed into the advertisements: any difference means split brain.",
		.node = WF_NONE,
		.action = WF_NO_ACTION,
		.until = until_alias_identical, .timeout_s = 30,
	},
	{
		.title = "Enable CARP on %N",
		.reason = "With identical address sets the nodes agree again.",
		.node = WF_TARGET,
		.pre = pre_enable_carp, .action = ACT_CARP_ENABLE,
		.until = until_carp_enabled_alias_live, .timeout_s = 30,
	},
	{
		.title = "Verify no split brain and roles back as before",
		.reason = "One MASTER per VHID, on the same node as before.",
		.node = WF_NONE,
		.action = WF_NO_ACTION,
		.until = until_roles_restored, .timeout_s = 60,
	},
};

/* ---- the how-to's "Testing setup" ------------------------------------- */

static int failover_setup(struct wf_run *r, char *msg, size_t n)
{
	struct pair_view v;
	int master, i;
	if (both_reachable(r, msg, n) < 0 || need_support(r, 0, ACT_MAINTENANCE_TOGGLE, msg, n) < 0 ||
	    need_support(r, 1, ACT_MAINTENANCE_TOGGLE, msg, n) < 0)
		return -1;
	if (!pair_healthy(r, msg, n))
		return -1;
	for (i = 0; i < CLUSTER_NODES; i++)
		if (snap(r, i)->carp.maintenance) {
			str_printf(msg, n, "%s is in maintenance mode already", wf_node_name(r, i));
			return -1;
		}
	view(r, &v);
	master = v.n_rows ? v.rows[0].master : -1;
	pair_free(&v);
	if (master < 0 || !all_vhids(r, master, CARP_ST_MASTER, msg, n)) {
		str_printf(msg, n, "no single node holds MASTER on every VHID");
		return -1;
	}
	set_target(r, master);
	if (setup_interlock(r, WEAKEN_MAINTENANCE, msg, n) < 0)
		return -1;
	wf_record_set(r, "states_before", "%lld", snap(r, master)->states.current);
	return 0;
}

static void failover_consequence(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "%s (MASTER) enters maintenance, %s takes over every VHID, then %s leaves maintenance "
		   "and takes them back.", wf_node_name(r, r->target), wf_node_name(r, r->other),
		   wf_node_name(r, r->target));
}

static enum wf_check until_states_carried(struct wf_run *r, int node, char *msg, size_t n)
{
	const struct snapshot *s = snap(r, r->other), *t = snap(r, r->target);
	const char *before = wf_record_get(r, "states_before");
	long long b = before ? atoll(before) : 0;
	int k;
	bool creator = !t->pfsync.hostid[0];
	for (k = 0; k < s->pfsync.n_creators; k++)
		if (str_eq(s->pfsync.creators[k], t->pfsync.hostid))
			creator = true;
	if (s->states.current < 0) {
		str_printf(msg, n, "%s's state count cannot be read", wf_node_name(r, r->other));
		return WF_FAIL;
	}
	if (b >= 50 && (double)s->states.current < (1.0 - r->app->clusters[r->cluster].conf->state_ratio) * (double)b) {
		str_printf(msg, n, "%s holds %lld states, %s had %lld: pfsync did not carry them over",
			   wf_node_name(r, r->other), s->states.current, wf_node_name(r, r->target), b);
		return WF_FAIL;
	}
	if (!creator) {
		str_printf(msg, n, "%s holds no states created by %s (creator id %s)", wf_node_name(r, r->other),
			   wf_node_name(r, r->target), t->pfsync.hostid);
		return WF_FAIL;
	}
	str_printf(msg, n, "%s holds %lld states (%s had %lld)", wf_node_name(r, r->other), s->states.current,
		   wf_node_name(r, r->target), b);
	return WF_YES;
}

static const struct wf_step failover_steps[] = {
	{
		.title = "Enter maintenance mode on %N (the MASTER)",
		.reason = "The how-to's test: demote the master and watch the backup take over.",
		.node = WF_TARGET,
		.pre = pre_enter_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_in_maintenance, .timeout_s = 30,
		.undo = &undo_enter_maintenance,
	},
	{
		.title = "Wait until %N takes over every VHID",
		.reason = "The backup must take over every VHID.",
		.node = WF_OTHER,
		.action = WF_NO_ACTION,
		.until = until_master_everywhere, .timeout_s = 60,
	},
	{
		.title = "Check the state counts carried over (pfsync)",
		.reason = "Connections survive a failover only if pfsync synced the states.",
		.node = WF_NONE,
		.action = WF_NO_ACTION,
		.until = until_states_carried, .timeout_s = 30,
	},
	{
		.title = "Leave maintenance mode on %N",
		.reason = "Maintenance is persistent: leave it explicitly.",
		.node = WF_TARGET,
		.pre = pre_leave_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_out_of_maintenance, .timeout_s = 30,
	},
	{
		.title = "Wait until %N is MASTER again (preempt)",
		.reason = "With preempt the original master takes over again.",
		.node = WF_TARGET,
		.action = WF_NO_ACTION,
		.until = until_master_again, .timeout_s = 60,
	},
	{
		.title = "Final health check",
		.reason = "One MASTER per VHID, no maintenance.",
		.node = WF_NONE,
		.action = WF_NO_ACTION,
		.until = until_healthy, .timeout_s = 60,
	},
};

/* ---- single actions, same discipline ------------------------------------ */

static int single_node_setup(struct wf_run *r, char *msg, size_t n, enum action_kind k)
{
	const char *ns = wf_param(r, "node");
	int node;
	if (!ns) {
		str_printf(msg, n, "node=NAME is required (%s or %s)", wf_node_name(r, 0), wf_node_name(r, 1));
		return -1;
	}
	if ((node = node_param(r, ns, msg, n)) < 0)
		return -1;
	if (!snap(r, node)->reachable) {
		str_printf(msg, n, "%s cannot be reached: %s", wf_node_name(r, node), snap(r, node)->error);
		return -1;
	}
	if (need_support(r, node, k, msg, n) < 0)
		return -1;
	set_target(r, node);
	return 0;
}

static int maint_enter_setup(struct wf_run *r, char *msg, size_t n)
{
	if (single_node_setup(r, msg, n, ACT_MAINTENANCE_TOGGLE) < 0)
		return -1;
	if (!snap(r, r->target)->carp.known) {
		str_printf(msg, n, "the maintenance flag of %s cannot be read: not sending a toggle blind",
			   wf_node_name(r, r->target));
		return -1;
	}
	return snap(r, r->target)->carp.maintenance ? 0 : setup_interlock(r, WEAKEN_MAINTENANCE, msg, n);
}

static int maint_leave_setup(struct wf_run *r, char *msg, size_t n)
{
	return single_node_setup(r, msg, n, ACT_MAINTENANCE_TOGGLE);
}

static int disable_setup(struct wf_run *r, char *msg, size_t n)
{
	const struct snapshot *s;
	if (single_node_setup(r, msg, n, ACT_CARP_DISABLE) < 0)
		return -1;
	s = snap(r, r->target);
	return s->carp.known && s->carp.allow == 0 ? 0 : setup_interlock(r, WEAKEN_DISABLE, msg, n);
}

static int enable_setup(struct wf_run *r, char *msg, size_t n)
{
	return single_node_setup(r, msg, n, ACT_CARP_ENABLE);
}

/* ---- consequences, for the confirmation question ---------------------- */

static void roles_of(struct wf_run *r, int node, char *dst, size_t n)
{
	char vh[128];
	vhid_list(r, node, true, vh, sizeof(vh));
	if (vh[0])
		str_printf(dst, n, "%s is MASTER for VHIDs %s", wf_node_name(r, node), vh);
	else
		str_printf(dst, n, "%s is MASTER for no VHID", wf_node_name(r, node));
}

static void maint_enter_consequence(struct wf_run *r, char *msg, size_t n)
{
	char roles[160], vh[128];
	int t = r->target;
	if (snap(r, t)->carp.maintenance) {
		str_printf(msg, n, "%s is already in maintenance: nothing is sent.", wf_node_name(r, t));
		return;
	}
	roles_of(r, t, roles, sizeof(roles));
	vhid_list(r, t, true, vh, sizeof(vh));
	if (vh[0])
		str_printf(msg, n, "%s: %s takes them over.", roles, wf_node_name(r, 1 - t));
	else
		str_printf(msg, n, "%s: no traffic moves.", roles);
}

static void maint_leave_consequence(struct wf_run *r, char *msg, size_t n)
{
	int t = r->target;
	if (!snap(r, t)->carp.maintenance)
		str_printf(msg, n, "%s is not in maintenance: nothing is sent.", wf_node_name(r, t));
	else
		str_printf(msg, n, "%s's demotion drops back%s.", wf_node_name(r, t),
			   snap(r, t)->carp.preempt ? "; with preempt it takes its VHIDs back" : "");
}

static void disable_consequence(struct wf_run *r, char *msg, size_t n)
{
	char vh[128];
	int t = r->target;
	if (snap(r, t)->carp.known && snap(r, t)->carp.allow == 0) {
		str_printf(msg, n, "CARP is already disabled on %s: nothing is sent.", wf_node_name(r, t));
		return;
	}
	vhid_list(r, t, false, vh, sizeof(vh));
	str_printf(msg, n, "Its addresses of VHIDs %s go away; %s serves them alone.", vh[0] ? vh : "-",
		   wf_node_name(r, 1 - t));
}

static void enable_consequence(struct wf_run *r, char *msg, size_t n)
{
	char vh[128];
	int t = r->target;
	if (snap(r, t)->carp.known && snap(r, t)->carp.allow == 1) {
		str_printf(msg, n, "CARP is already enabled on %s: nothing is sent.", wf_node_name(r, t));
		return;
	}
	vhid_list(r, t, false, vh, sizeof(vh));
	str_printf(msg, n, "%s rejoins VHIDs %s (maintenance, if on, stays).", wf_node_name(r, t), vh[0] ? vh : "-");
}

static const struct wf_step maint_enter_steps[] = {
	{
		.title = "Enter maintenance mode on %N",
		.reason = "carp_status/maintenance is a toggle: the flag is read first.",
		.node = WF_TARGET,
		.pre = pre_enter_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_in_maintenance, .timeout_s = 30,
		.undo = &undo_enter_maintenance,
	},
};
static const struct wf_step maint_leave_steps[] = {
	{
		.title = "Leave maintenance mode on %N",
		.reason = "carp_status/maintenance is a toggle: the flag is read first.",
		.node = WF_TARGET,
		.pre = pre_leave_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_out_of_maintenance, .timeout_s = 30,
	},
};
static const struct wf_step disable_steps[] = {
	{
		.title = "Disable CARP on %N",
		.reason = "Temporary (not persistent): the peer must be able to take over.",
		.node = WF_TARGET,
		.pre = pre_disable_carp, .action = ACT_CARP_DISABLE,
		.until = until_carp_disabled, .timeout_s = 30,
		.undo = &undo_disable_carp,
	},
};
static const struct wf_step enable_steps[] = {
	{
		.title = "Enable CARP on %N",
		.reason = "Enable does not leave maintenance mode.",
		.node = WF_TARGET,
		.pre = pre_enable_carp, .action = ACT_CARP_ENABLE,
		.until = until_carp_enabled, .timeout_s = 30,
	},
};

/* The one-key actions' results, in words, on the state the step verified. */
static void maint_enter_outcome(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "%s entered maintenance (demotion %ld)", wf_node_name(r, r->target),
		   snap(r, r->target)->carp.demotion);
}

static void maint_leave_outcome(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "%s left maintenance (demotion %ld)", wf_node_name(r, r->target),
		   snap(r, r->target)->carp.demotion);
}

static void disable_outcome(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "CARP disabled on %s (%s serves)", wf_node_name(r, r->target),
		   wf_node_name(r, 1 - r->target));
}

static void enable_outcome(struct wf_run *r, char *msg, size_t n)
{
	str_printf(msg, n, "CARP enabled on %s", wf_node_name(r, r->target));
}

static int sync_setup(struct wf_run *r, char *msg, size_t n)
{
	const struct snapshot *p = snap(r, 0), *s = snap(r, 1);
	if (both_reachable(r, msg, n) < 0 || need_support(r, 0, ACT_SYNC, msg, n) < 0)
		return -1;
	if (!r->force && p->version[0] && s->version[0] && !str_eq(p->version, s->version)) {
		str_printf(msg, n, "refused: versions differ (%s %s, %s %s); syncing between versions can corrupt the "
			   "peer (#8152); --force overrides", wf_node_name(r, 0), p->version, wf_node_name(r, 1), s->version);
		return -1;
	}
	if (p->hasync.known && !p->hasync.sync_target[0]) {
		str_printf(msg, n, "the primary %s has no sync target configured", wf_node_name(r, 0));
		return -1;
	}
	set_target(r, 0);
	return 0;
}

static void sync_consequence(struct wf_run *r, char *msg, size_t n)
{
	const struct snapshot *p = snap(r, 0);
	str_printf(msg, n, "%s pushes its synced sections to %s%s%s, overwriting them there.", wf_node_name(r, 0),
		   wf_node_name(r, 1), p->hasync.sync_target[0] ? " at " : "", p->hasync.sync_target);
}

static const struct wf_step sync_steps[] = {
	{
		.title = "Synchronize the configuration from %N to its peer",
		.reason =
			"XMLRPC sync pushes the primary's selected sections. Over the API (hasync_status/restart_all) it also "
			"restarts every service on the peer, and its ok does not say the config arrived; over SSH the sync is "
			"confirmed by the node's system log, because configctl filter sync prints OK even when it failed.",
		.node = WF_PRIMARY,
		.action = ACT_SYNC,
		.until = until_now, .timeout_s = 60,
	},
};

/* The parameters, for --run, its usage text and the console's form. */
static const struct wf_param_spec alias_params[] = {
	{ .key = "vhid", .value = "N" },
	{ .key = "address", .value = "A/P" },
	{ .key = "node", .value = "NAME", .optional = true }, /* default: the BACKUP node */
	{ NULL },
};
static const struct wf_param_spec node_params[] = {
	{ .key = "node", .value = "NAME" },
	{ NULL },
};

static const struct wf_def wf_update = {
	.name = "update", .summary = "rolling firmware update with persistent maintenance mode",
	.steps = update_steps, .n_steps = (int)ARRAY_LEN(update_steps),
	.setup = update_setup, .consequence = update_consequence,
};
static const struct wf_def wf_alias = {
	.name = "add-alias", .summary = "add an IP alias to an active VHID without split brain",
	.params = alias_params,
	.steps = alias_steps, .n_steps = (int)ARRAY_LEN(alias_steps),
	.setup = alias_setup, .consequence = alias_consequence,
};
static const struct wf_def wf_failover = {
	.name = "failover-test", .summary = "the how-to's failover test: maintenance on the master and back",
	.steps = failover_steps, .n_steps = (int)ARRAY_LEN(failover_steps),
	.setup = failover_setup, .consequence = failover_consequence,
};
static const struct wf_def wf_maint_enter = {
	.name = "maintenance-enter", .summary = "enter persistent maintenance mode on one node",
	.params = node_params,
	.steps = maint_enter_steps, .n_steps = (int)ARRAY_LEN(maint_enter_steps),
	.setup = maint_enter_setup, .consequence = maint_enter_consequence, .outcome = maint_enter_outcome,
};
static const struct wf_def wf_maint_leave = {
	.name = "maintenance-leave", .summary = "leave persistent maintenance mode on one node",
	.params = node_params,
	.steps = maint_leave_steps, .n_steps = (int)ARRAY_LEN(maint_leave_steps),
	.setup = maint_leave_setup, .consequence = maint_leave_consequence, .outcome = maint_leave_outcome,
};
static const struct wf_def wf_disable = {
	.name = "carp-disable", .summary = "temporarily disable CARP on one node",
	.params = node_params,
	.steps = disable_steps, .n_steps = (int)ARRAY_LEN(disable_steps),
	.setup = disable_setup, .consequence = disable_consequence, .outcome = disable_outcome,
};
static const struct wf_def wf_enable = {
	.name = "carp-enable", .summary = "enable CARP on one node",
	.params = node_params,
	.steps = enable_steps, .n_steps = (int)ARRAY_LEN(enable_steps),
	.setup = enable_setup, .consequence = enable_consequence, .outcome = enable_outcome,
};
static const struct wf_def wf_sync = {
	.name = "sync", .summary = "synchronize the configuration from the primary now",
	.steps = sync_steps, .n_steps = (int)ARRAY_LEN(sync_steps),
	.setup = sync_setup, .consequence = sync_consequence,
};

const struct wf_def *const wf_defs[] = {
	&wf_update, &wf_alias, &wf_failover, &wf_maint_enter, &wf_maint_leave, &wf_disable, &wf_enable, &wf_sync,
};
const int n_wf_defs = (int)ARRAY_LEN(wf_defs);

/* ---- undo steps for --rollback ------------------------------------------ */

static enum wf_check pre_delete_alias(struct wf_run *r, int node, char *msg, size_t n)
{
	if (!alias_present(r, node)) {
		str_printf(msg, n, "%s does not carry %s", wf_node_name(r, node), wf_record_get(r, "addr"));
		return WF_NO;
	}
	/* Deleting from a live VHID on one node splits it: only while the
	 * target's CARP is disabled. */
	if (snap(r, r->target)->carp.allow != 0) {
		str_printf(msg, n, "refused: CARP is running on %s; disable it before removing the alias",
			   wf_node_name(r, r->target));
		return WF_FAIL;
	}
	return WF_YES;
}

/* The alias is gone from the step's node. */
static enum wf_check until_alias_gone(struct wf_run *r, int node, char *msg, size_t n)
{
	return until_alias(r, node, false, msg, n);
}

/* Undo rows act on WF_UNDONE: the node the undone step acted on. */
static const struct wf_step undo_leave_maint[] = {
	{
		.title = "Undo: leave maintenance mode on %N",
		.reason = "Undo of entering maintenance.",
		.node = WF_UNDONE,
		.pre = pre_leave_maintenance, .action = ACT_MAINTENANCE_TOGGLE,
		.until = until_out_of_maintenance, .timeout_s = 30,
	},
};
static const struct wf_step undo_enable[] = {
	{
		.title = "Undo: enable CARP on %N",
		.reason = "Undo of disabling CARP.",
		.node = WF_UNDONE,
		.pre = pre_enable_carp, .action = ACT_CARP_ENABLE,
		.until = until_carp_enabled, .timeout_s = 30,
	},
};
static const struct wf_step undo_add[] = {
	{
		.title = "Undo: delete the IP alias on %N",
		.reason = "Undo of adding the alias.",
		.node = WF_UNDONE,
		.pre = pre_delete_alias, .action = ACT_VIP_DELETE, .build = build_alias,
		.until = until_now, .timeout_s = 30,
	},
	{
		.title = "Undo: apply the VIP change on %N",
		.reason = "The deletion reaches the interface on apply.",
		.node = WF_UNDONE,
		.action = ACT_VIP_APPLY,
		.until = until_alias_gone, .timeout_s = 30,
	},
};
static const struct wf_undo undo_enter_maintenance = { undo_leave_maint, (int)ARRAY_LEN(undo_leave_maint) };
static const struct wf_undo undo_disable_carp = { undo_enable, (int)ARRAY_LEN(undo_enable) };
static const struct wf_undo undo_add_alias = { undo_add, (int)ARRAY_LEN(undo_add) };
