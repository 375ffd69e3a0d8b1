/* The live pair checks (FIELD-NOTES.md "Pair-level checks" 1-10), one table
 * row each. Config-level checks (over config.xml) live in their own table. */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* The view's facts (src/checks/view.c), under the short names the checks read well with. */
static const char *node_name(const struct pair_view *v, int i)
{
	return v->node[i].name;
}

static bool node_ok(const struct pair_view *v, int i)
{
	return v->node[i].up;
}

static bool carp_known(const struct pair_view *v, int i)
{
	return node_ok(v, i) && v->snap[i]->carp.known;
}

#define ADD(v, c, node, vhid, ...) pair_add_finding((v), (c)->id, (c)->severity, (node), (vhid), (c)->hint, __VA_ARGS__)

/* 10. A node that cannot be reached is UNKNOWN, never OK. */
static void check_unreachable(struct pair_view *v, const struct check *c)
{
	int i;
	for (i = 0; i < CLUSTER_NODES; i++) {
		const struct snapshot *s = v->snap[i];
		if (node_ok(v, i))
			continue;
		ADD(v, c, i, 0, "%s (%s) is UNKNOWN: %s", node_name(v, i),
		    node_role_name(v->cluster->nodes[i].role), s ? s->error : "no data");
	}
}

/* 1. Each CARP VHID has exactly one MASTER across the pair. */
static void check_split_brain(struct pair_view *v, const struct check *c)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++)
		if (v->rows[i].verdict == VV_SPLIT_BRAIN)
			ADD(v, c, -1, v->rows[i].vhid, "VHID %d split brain (MASTER on %s and %s)",
			    v->rows[i].vhid, node_name(v, 0), node_name(v, 1));
}

static void check_no_master(struct pair_view *v, const struct check *c)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++) {
		const struct vhid_row *r = &v->rows[i];
		const char *st[CLUSTER_NODES];
		int n;
		if (r->verdict != VV_NO_MASTER)
			continue;
		for (n = 0; n < CLUSTER_NODES; n++)
			st[n] = !node_ok(v, n) ? "unreachable"
				: r->side[n].present ? carp_status_name(r->side[n].status) : "absent";
		if (!node_ok(v, 0) || !node_ok(v, 1))
			ADD(v, c, -1, r->vhid, "VHID %d: no MASTER seen (%s %s, %s %s)", r->vhid, node_name(v, 0), st[0],
			    node_name(v, 1), st[1]);
		else
			ADD(v, c, -1, r->vhid, "VHID %d has no MASTER (%s %s, %s %s)", r->vhid, node_name(v, 0), st[0],
			    node_name(v, 1), st[1]);
	}
}

/* One node answers and holds MASTER while the other cannot be reached:
 * the VIP is served without a standby. */
static void check_no_redundancy(struct pair_view *v, const struct check *c)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++) {
		const struct vhid_row *r = &v->rows[i];
		if (r->verdict == VV_NO_REDUNDANCY && r->master >= 0)
			ADD(v, c, 1 - r->master, r->vhid, "VHID %d no redundancy: %s unreachable, %s is MASTER alone",
			    r->vhid, node_name(v, 1 - r->master), node_name(v, r->master));
	}
}

static void check_init(struct pair_view *v, const struct check *c)
{
	size_t i;
	int n;
	for (i = 0; i < v->n_rows; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			if (v->rows[i].side[n].present && v->rows[i].side[n].status == CARP_ST_INIT &&
			    node_ok(v, n))
				ADD(v, c, n, v->rows[i].vhid, "VHID %d is INIT on %s (interface down or no carrier)",
				    v->rows[i].vhid, node_name(v, n));
}

/* 6. Per VHID: addresses, advbase and interface identical on both nodes. */
static void check_vhid_mismatch(struct pair_view *v, const struct check *c)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++) {
		const struct vhid_row *r = &v->rows[i];
		const struct vhid_side *a = &r->side[0], *b = &r->side[1];
		char la[512] = "", lb[512] = "";
		int k;
		if (!node_ok(v, 0) || !node_ok(v, 1))
			continue;
		if (!a->present || !b->present) {
			ADD(v, c, a->present ? 1 : 0, r->vhid, "VHID %d exists on %s only", r->vhid,
			    node_name(v, a->present ? 0 : 1));
			continue;
		}
		if (r->verdict != VV_MISMATCH && r->verdict != VV_SPLIT_BRAIN)
			continue;
		if (a->ifname[0] && b->ifname[0] && strcmp(a->ifname, b->ifname) != 0)
			ADD(v, c, -1, r->vhid, "VHID %d is on interface %s on %s but %s on %s", r->vhid,
			    a->ifname, node_name(v, 0), b->ifname, node_name(v, 1));
		if (a->advbase >= 0 && b->advbase >= 0 && a->advbase != b->advbase)
			ADD(v, c, -1, r->vhid, "VHID %d advbase differs: %d on %s, %d on %s", r->vhid,
			    a->advbase, node_name(v, 0), b->advbase, node_name(v, 1));
		for (k = 0; k < a->n_addrs; k++) {
			strncat(la, k ? " " : "", sizeof(la) - strlen(la) - 1);
			strncat(la, a->addrs[k], sizeof(la) - strlen(la) - 1);
		}
		for (k = 0; k < b->n_addrs; k++) {
			strncat(lb, k ? " " : "", sizeof(lb) - strlen(lb) - 1);
			strncat(lb, b->addrs[k], sizeof(lb) - strlen(lb) - 1);
		}
		if (strcmp(la, lb) != 0 && a->status != CARP_ST_DISABLED && b->status != CARP_ST_DISABLED)
			ADD(v, c, -1, r->vhid, "VHID %d addresses differ: %s has [%s], %s has [%s]", r->vhid,
			    node_name(v, 0), la, node_name(v, 1), lb);
	}
}

/* 6b. The secondary's advskew should be the higher one (XMLRPC sync adds 100). */
static void check_advskew_order(struct pair_view *v, const struct check *c)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++) {
		const struct vhid_side *p = &v->rows[i].side[0], *s = &v->rows[i].side[1];
		if (!p->present || !s->present || p->advskew < 0 || s->advskew < 0)
			continue;
		if (s->advskew <= p->advskew)
			ADD(v, c, 1, v->rows[i].vhid,
			    "VHID %d: secondary %s advskew %d is not above primary %s advskew %d",
			    v->rows[i].vhid, node_name(v, 1), s->advskew, node_name(v, 0), p->advskew);
	}
}

/* 2. MASTER sits on the intended primary. */
static void check_failed_over(struct pair_view *v, const struct check *c)
{
	size_t i;
	int n = 0, first = 0;
	for (i = 0; i < v->n_rows; i++) {
		if (v->rows[i].verdict == VV_OK && v->rows[i].master == 1) {
			if (!n)
				first = v->rows[i].vhid;
			n++;
		}
	}
	if (n)
		ADD(v, c, 1, first, "secondary %s holds MASTER for %d VHID%s (failed over from %s)",
		    node_name(v, 1), n, n == 1 ? "" : "s", node_name(v, 0));
}

/* 3. One node MASTER for some VHIDs and BACKUP for others. */
static void check_mixed(struct pair_view *v, const struct check *c)
{
	int n;
	size_t i;
	for (n = 0; n < CLUSTER_NODES; n++) {
		int m = 0, b = 0;
		if (!node_ok(v, n))
			continue;
		for (i = 0; i < v->n_rows; i++) {
			if (!v->rows[i].side[n].present)
				continue;
			m += v->rows[i].side[n].status == CARP_ST_MASTER;
			b += v->rows[i].side[n].status == CARP_ST_BACKUP;
		}
		if (m && b)
			ADD(v, c, n, 0, "%s is MASTER for %d VHID%s and BACKUP for %d", node_name(v, n), m,
			    m == 1 ? "" : "s", b);
	}
}

/* 4. Demotion outside maintenance: the node was demoted by an error and
 * stays demoted until reset (#1100, #10858). */
static void check_demoted(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct snapshot *s = v->snap[n];
		if (!carp_known(v, n) || s->carp.maintenance || s->carp.demotion <= 0)
			continue;
		if (s->carp.demotion >= MAINT_DEMOTION)
			continue; /* reported as flag/demotion disagreement */
		ADD(v, c, n, 0, "%s is demoted by %ld outside maintenance mode%s%s", node_name(v, n),
		    s->carp.demotion, s->carp.status_msg[0] ? ": " : "", s->carp.status_msg);
	}
}

/* 4b. Flag and demotion disagree (#10901 race), or maintenance on both. */
static void check_maintenance_inconsistent(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct snapshot *s = v->snap[n];
		if (!carp_known(v, n))
			continue;
		if (s->carp.maintenance && s->carp.demotion < MAINT_DEMOTION)
			ADD(v, c, n, 0, "%s has the maintenance flag set but demotion is only %ld (expected >= %d)",
			    node_name(v, n), s->carp.demotion, MAINT_DEMOTION);
		else if (!s->carp.maintenance && s->carp.demotion >= MAINT_DEMOTION)
			ADD(v, c, n, 0, "%s is demoted by %ld without the maintenance flag", node_name(v, n),
			    s->carp.demotion);
	}
}

static void check_maintenance_both(struct pair_view *v, const struct check *c)
{
	if (carp_known(v, 0) && carp_known(v, 1) && v->snap[0]->carp.maintenance &&
	    v->snap[1]->carp.maintenance)
		ADD(v, c, -1, 0, "both %s and %s are in maintenance mode", node_name(v, 0), node_name(v, 1));
}

static void check_maintenance_active(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		char age[32] = "";
		double since = v->hist ? v->hist->maintenance_since[n] : 0;
		if (!carp_known(v, n) || !v->snap[n]->carp.maintenance)
			continue;
		if (since > 0 && v->now - since >= v->cluster->maintenance_max_age) {
			fmt_duration(age, sizeof(age), v->now - since);
			pair_add_finding(v, c->id, SEV_WARNING, n, 0, c->hint,
					 "%s has been in persistent maintenance mode for %s", node_name(v, n), age);
		} else {
			pair_add_finding(v, c->id, SEV_INFO, n, 0, c->hint,
					 "%s is in persistent maintenance mode", node_name(v, n));
		}
	}
}

/* 5. CARP temporarily disabled (allow=0) leaves no config trace and is easily forgotten. */
static void check_carp_disabled(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		char age[32] = "";
		double since = v->hist ? v->hist->carp_disabled_since[n] : 0;
		if (!carp_known(v, n) || v->snap[n]->carp.allow != 0)
			continue;
		if (since > 0)
			fmt_duration(age, sizeof(age), v->now - since);
		ADD(v, c, n, 0, "CARP is disabled on %s (allow=0)%s%s", node_name(v, n),
		    age[0] ? ", seen for " : "", age);
	}
}

/* 7. pfsync: each node sees the peer's creator id, state counts agree,
 * sync devices have the same name (states carry interface names). */
static bool has_creator(const struct snapshot *s, const char *id)
{
	int k;
	for (k = 0; k < s->pfsync.n_creators && k < SNAP_MAX_CREATORS; k++)
		if (strcasecmp(s->pfsync.creators[k], id) == 0)
			return true;
	return false;
}

static void check_pfsync_creators(struct pair_view *v, const struct check *c)
{
	int n;
	if (!node_ok(v, 0) || !node_ok(v, 1))
		return;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct snapshot *me = v->snap[n], *peer = v->snap[1 - n];
		if (!peer->pfsync.hostid[0] || me->pfsync.n_creators == 0)
			continue;
		if (!has_creator(me, peer->pfsync.hostid))
			ADD(v, c, n, 0, "%s holds no states created by %s (creator id %s): pfsync is not syncing",
			    node_name(v, n), node_name(v, 1 - n), peer->pfsync.hostid);
	}
}

static void check_state_counts(struct pair_view *v, const struct check *c)
{
	long long a, b, hi;
	double ratio;
	if (!node_ok(v, 0) || !node_ok(v, 1))
		return;
	a = v->snap[0]->states.current;
	b = v->snap[1]->states.current;
	if (a < 0 || b < 0)
		return;
	hi = a > b ? a : b;
	/* Small tables fluctuate by a few states between two reads. */
	if (hi < 50)
		return;
	ratio = (double)(a > b ? a - b : b - a) / (double)hi;
	if (ratio > v->cluster->state_ratio)
		ADD(v, c, -1, 0, "state counts diverge: %s %lld, %s %lld (%.0f%% apart, limit %.0f%%)",
		    node_name(v, 0), a, node_name(v, 1), b, ratio * 100, v->cluster->state_ratio * 100);
}

static void check_pfsync_syncdev(struct pair_view *v, const struct check *c)
{
	const struct snapshot *a = v->snap[0], *b = v->snap[1];
	int n;
	if (!node_ok(v, 0) || !node_ok(v, 1) || !a->pfsync.known || !b->pfsync.known)
		return;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (!v->snap[n]->pfsync.syncdev[0])
			ADD(v, c, n, 0, "no pfsync interface is configured on %s", node_name(v, n));
	if (a->pfsync.syncdev[0] && b->pfsync.syncdev[0] && strcmp(a->pfsync.syncdev, b->pfsync.syncdev) != 0)
		ADD(v, c, -1, 0, "pfsync sync devices differ: %s on %s, %s on %s", a->pfsync.syncdev,
		    node_name(v, 0), b->pfsync.syncdev, node_name(v, 1));
}

/* 8. XMLRPC: the primary reaches the peer, versions equal, no target on the secondary. */
static void check_xmlrpc(struct pair_view *v, const struct check *c)
{
	const struct snapshot *p = v->snap[0], *s = v->snap[1];
	if (node_ok(v, 0) && p->hasync.known && p->hasync.peer_reachable_known && !p->hasync.peer_reachable)
		ADD(v, c, 0, 0, "%s cannot reach its sync peer over XMLRPC: %s", node_name(v, 0),
		    p->hasync.peer_error[0] ? p->hasync.peer_error : "no answer");
	if (node_ok(v, 1) && s->hasync.known && s->hasync.sync_target[0])
		ADD(v, c, 1, 0, "secondary %s has a sync target (%s): it would sync backup -> master",
		    node_name(v, 1), s->hasync.sync_target);
}

static void check_versions(struct pair_view *v, const struct check *c)
{
	const struct snapshot *p = v->snap[0], *s = v->snap[1];
	if (!node_ok(v, 0) || !node_ok(v, 1) || !p->version[0] || !s->version[0])
		return;
	if (strcmp(p->version, s->version) != 0)
		ADD(v, c, -1, 0, "firmware versions differ: %s runs %s, %s runs %s", node_name(v, 0),
		    p->version, node_name(v, 1), s->version);
}

/* A section of a poll failed while the node answered (e.g. 403 on one endpoint). */
static void check_partial(struct pair_view *v, const struct check *c)
{
	int n, k;
	for (n = 0; n < CLUSTER_NODES; n++) {
		if (!node_ok(v, n))
			continue;
		for (k = 0; k < v->snap[n]->n_partial; k++)
			ADD(v, c, n, 0, "%s: %s not read: %s", node_name(v, n), v->snap[n]->partial[k].what,
			    v->snap[n]->partial[k].msg);
	}
}

const struct check live_checks[] = {
	{ "node-unreachable", SEV_UNKNOWN, "node cannot be reached",
	  "A node that cannot be read may be down or cut off; its roles are unknown, never assumed.",
	  "Check the node's power, network path, and carptop's credentials for it.", "FIELD-NOTES check 10",
	  check_unreachable },
	{ "vhid-split-brain", SEV_CRITICAL, "VHID MASTER on both nodes",
	  "Both nodes answer for the same VIP: traffic is split and sessions break. Caused by lost "
	  "advertisements (switch, vSwitch promiscuous/forged transmits, IGMP snooping) or a VHID hash "
	  "mismatch (an address added on one node only).",
	  "Compare the VHID's addresses on both nodes; check L2 between them for CARP (IP proto 112).",
	  "how-to: Adding a virtual IP to an active VHID group", check_split_brain },
	{ "vhid-no-master", SEV_CRITICAL, "VHID has no MASTER",
	  "No node answers for the VIP: the service behind it is down.",
	  "Check CARP allow and maintenance on both nodes; enable CARP on one.", "FIELD-NOTES check 1",
	  check_no_master },
	{ "vhid-no-redundancy", SEV_CRITICAL, "VHID MASTER with its peer unreachable",
	  "One node serves the VIP and its peer cannot be reached: there is no standby, so the next "
	  "failure is an outage. Critical, not unknown: what the answering node says is known.",
	  "Bring the unreachable node back (power, network path, credentials) before any other change.",
	  "FIELD-NOTES check 10", check_no_redundancy },
	{ "vhid-init", SEV_CRITICAL, "VHID in INIT",
	  "INIT means the interface is down or CARP could not start on it.",
	  "Check the interface link and its address on that node.", "FIELD-NOTES check 1", check_init },
	{ "vhid-mismatch", SEV_CRITICAL, "VHID differs between nodes",
	  "Every address on a VHID is hashed into each advertisement: different address sets, advbase or "
	  "interface make the nodes ignore each other (split brain).",
	  "Make the VHID's VIPs identical on both nodes (disable CARP on one node while you change it).",
	  "how-to: Adding a virtual IP to an active VHID group", check_vhid_mismatch },
	{ "advskew-order", SEV_WARNING, "secondary advskew not higher",
	  "The primary should win elections: XMLRPC sync gives the secondary advskew + 100.",
	  "Sync VIPs from the primary, or raise the secondary's advskew.", "CONTRACT §6 (+100 advskew)",
	  check_advskew_order },
	{ "failed-over", SEV_WARNING, "MASTER on the secondary",
	  "The intended primary is not serving: it is in maintenance, demoted, or was down.",
	  "Find out why the primary gave up MASTER; leave maintenance when work is done.",
	  "FIELD-NOTES check 2", check_failed_over },
	{ "master-mixed", SEV_WARNING, "node MASTER for some VHIDs only",
	  "Traffic enters on one node and leaves on the other: asymmetric routing through two state tables.",
	  "Look for an interface that lost advertisements; check demotion on both nodes.",
	  "FIELD-NOTES check 3", check_mixed },
	{ "demoted", SEV_WARNING, "demoted outside maintenance",
	  "Send errors or an interface going down demote a node, and it stays demoted until reset.",
	  "Fix the cause, then reset demotion (a reboot, or enter and leave maintenance).",
	  "FIELD-NOTES check 4; opnsense/core#1100 #10858", check_demoted },
	{ "maintenance-inconsistent", SEV_CRITICAL, "maintenance flag and demotion disagree",
	  "A race can lose the flag while demotion stays (#10901): the node will never come back by itself.",
	  "Read both values on the node; toggle maintenance so that flag and demotion agree.",
	  "FIELD-NOTES check 4; opnsense/core#10901", check_maintenance_inconsistent },
	{ "maintenance-both", SEV_CRITICAL, "both nodes in maintenance",
	  "With both nodes demoted equally, the election falls back to advskew: nobody is truly standing by.",
	  "Leave maintenance on the node that should serve.", "FIELD-NOTES check 4", check_maintenance_both },
	{ "maintenance-active", SEV_WARNING, "persistent maintenance mode",
	  "Maintenance survives reboots by design and must be left explicitly; it is often forgotten after "
	  "an update.",
	  "Leave maintenance mode when the work is done (carp_status/maintenance is a toggle: read first).",
	  "how-to: Updating a CARP HA Cluster", check_maintenance_active },
	{ "carp-disabled", SEV_WARNING, "CARP disabled",
	  "\"Disable CARP\" is temporary and leaves no trace in the config; a node left so gives no standby.",
	  "Enable CARP on the node when the change is done.", "FIELD-NOTES check 5", check_carp_disabled },
	{ "pfsync-creator-missing", SEV_WARNING, "peer's states missing",
	  "Each node should hold states created by the other; if not, a failover drops every connection.",
	  "Check the pfsync interface, peer, and that both nodes use the same NIC names (or a LAGG).",
	  "FIELD-NOTES check 7", check_pfsync_creators },
	{ "pfsync-state-counts", SEV_WARNING, "state counts diverge",
	  "pfsync keeps both state tables about equal; a large difference means states are not synced.",
	  "Check pfsync on both nodes (MTU > 1500 on a lagg breaks bulk updates, #4540).",
	  "FIELD-NOTES check 7", check_state_counts },
	{ "pfsync-syncdev", SEV_WARNING, "pfsync interface",
	  "States carry interface names: both nodes need pfsync on the same device name.",
	  "Configure pfsync on a dedicated interface with the same device name on both nodes.",
	  "how-to: pfsync warning", check_pfsync_syncdev },
	{ "xmlrpc-sync", SEV_WARNING, "XMLRPC sync",
	  "The primary pushes its config to the secondary; a secondary with a target would overwrite the "
	  "primary.",
	  "Fix the sync credentials / target on the primary; clear the target on the secondary.",
	  "FIELD-NOTES check 8", check_xmlrpc },
	{ "versions-differ", SEV_WARNING, "firmware versions differ",
	  "Syncing config between different versions can corrupt the peer (#8152).",
	  "Update both nodes to the same version before syncing.", "FIELD-NOTES check 8", check_versions },
	{ "partial-read", SEV_INFO, "part of a node not read",
	  "A restricted API key may lack privileges for some sections; those values stay unknown.",
	  "Grant the named privilege to the API user, or accept the gap.", "CONTRACT §8", check_partial },
};
const size_t n_live_checks = ARRAY_LEN(live_checks);

void checks_run_live(struct pair_view *v)
{
	size_t i;
	/* A view built from config files has no live state: nothing here
	 * applies, and its nodes are not "unreachable". */
	if (v->offline)
		return;
	for (i = 0; i < n_live_checks; i++)
		live_checks[i].run(v, &live_checks[i]);
}
