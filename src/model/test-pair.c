/* Pair verdicts and the live checks, over hand-made snapshots. */
#include <string.h>

#include "checks.h"
#include "config_checks.h"
#include "pair.h"
#include "view.h"
#include "testlib.h"
#include "util.h"

static struct cluster_conf cluster(void)
{
	struct cluster_conf c;
	memset(&c, 0, sizeof(c));
	c.name = "hq";
	c.interval = 2;
	c.maintenance_max_age = 4 * 3600;
	c.state_ratio = 0.2;
	c.nodes[0].name = "fw1";
	c.nodes[0].role = ROLE_PRIMARY;
	c.nodes[1].name = "fw2";
	c.nodes[1].role = ROLE_SECONDARY;
	return c;
}

static void vip(struct snapshot *s, const char *ifn, int vhid, const char *addr, int prefix,
		enum vip_mode mode, int skew, enum carp_status st)
{
	struct vip_row *r = snapshot_add_vip(s);
	str_copy(r->ifname, ifn, sizeof(r->ifname));
	r->vhid = vhid;
	str_copy(r->address, addr, sizeof(r->address));
	r->prefix = prefix;
	r->mode = mode;
	r->advbase = 1;
	r->advskew = skew;
	r->status = st;
}

/* The how-to's pair: VHID 1 WAN, VHID 3 LAN; fw1 MASTER, fw2 BACKUP (+100). */
static void healthy(struct snapshot *a, struct snapshot *b)
{
	struct snapshot *s[2] = { a, b };
	int i;
	for (i = 0; i < 2; i++) {
		snapshot_init(s[i]);
		s[i]->reachable = true;
		s[i]->err = NERR_NONE;
		s[i]->carp.known = true;
		s[i]->carp.allow = 1;
		s[i]->carp.preempt = 1;
		str_copy(s[i]->version, "26.7.2", sizeof(s[i]->version));
		vip(s[i], "WAN", 1, "172.18.0.100", 24, VIP_MODE_CARP, i ? 100 : 0, i ? CARP_ST_BACKUP : CARP_ST_MASTER);
		vip(s[i], "LAN", 3, "192.168.1.1", 24, VIP_MODE_CARP, i ? 100 : 0, i ? CARP_ST_BACKUP : CARP_ST_MASTER);
		s[i]->states.current = 1000;
		s[i]->states.limit = 100000;
		s[i]->pfsync.known = true;
		str_copy(s[i]->pfsync.syncdev, "em2", sizeof(s[i]->pfsync.syncdev));
		str_copy(s[i]->pfsync.hostid, i ? "bbbbbbbb" : "aaaaaaaa", 16);
		str_copy(s[i]->pfsync.creators[0], "aaaaaaaa", 16);
		str_copy(s[i]->pfsync.creators[1], "bbbbbbbb", 16);
		s[i]->pfsync.n_creators = 2;
		s[i]->hasync.known = true;
	}
	str_copy(a->hasync.sync_target, "10.0.0.2", sizeof(a->hasync.sync_target));
}

static bool has_finding(const struct pair_view *v, const char *id, enum severity sev)
{
	size_t i;
	for (i = 0; i < v->n_findings; i++)
		if (str_eq(v->findings[i].id, id) && v->findings[i].severity == sev)
			return true;
	return false;
}

static void test_healthy(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(v.n_rows, 2);
	CHECK_INT_EQ(v.rows[0].vhid, 1);
	CHECK_INT_EQ(v.rows[1].vhid, 3);
	CHECK_INT_EQ(v.rows[0].verdict, VV_OK);
	CHECK_INT_EQ(v.rows[0].master, 0);
	CHECK_STR_EQ(v.rows[1].interface, "LAN");
	CHECK_STR_EQ(v.rows[1].addrs[0], "192.168.1.1/24");
	CHECK_INT_EQ(v.verdict, SEV_OK);
	CHECK_INT_EQ(v.n_findings, 0);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_split_brain(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	/* An alias added on fw2 only: hashes differ, both MASTER. */
	vip(&b, "LAN", 3, "192.168.1.5", 24, VIP_MODE_IPALIAS, 100, CARP_ST_MASTER);
	b.vips[1].status = CARP_ST_MASTER;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 3)->verdict, VV_SPLIT_BRAIN);
	CHECK_INT_EQ(pair_find_vhid(&v, 3)->master, -1);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_OK);
	CHECK_INT_EQ(v.verdict, SEV_CRITICAL);
	CHECK_STR_EQ(v.findings[0].id, "vhid-split-brain");
	CHECK_INT_EQ(v.findings[0].vhid, 3);
	CHECK_CONTAINS(v.findings[0].message, "VHID 3");
	CHECK(has_finding(&v, "vhid-mismatch", SEV_CRITICAL));
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_no_master_and_init(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	a.vips[0].status = CARP_ST_BACKUP;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_NO_MASTER);
	CHECK(has_finding(&v, "vhid-no-master", SEV_CRITICAL));
	pair_free(&v);
	a.vips[0].status = CARP_ST_INIT;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_INIT);
	CHECK(has_finding(&v, "vhid-init", SEV_CRITICAL));
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

/* The node that answers tells the truth: MASTER there is no redundancy
 * (critical, the MASTER named), not "unknown". */
static void test_node_down_no_redundancy(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	snapshot_clear(&b);
	snapshot_set_error(&b, NERR_REFUSED, "connection refused by 10.0.0.2:443");
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_NO_REDUNDANCY);
	CHECK_STR_EQ(vhid_verdict_name(VV_NO_REDUNDANCY), "no-redundancy");
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->master, 0);
	CHECK(!pair_find_vhid(&v, 1)->side[1].present);
	CHECK(has_finding(&v, "node-unreachable", SEV_UNKNOWN));
	CHECK(has_finding(&v, "vhid-no-redundancy", SEV_CRITICAL));
	CHECK_INT_EQ(v.verdict, SEV_CRITICAL);
	CHECK_INT_EQ(severity_exit_code(v.verdict), 2);
	CHECK_CONTAINS(v.findings[0].message, "fw2 unreachable");
	pair_free(&v);
	/* The only reachable node DISABLED: no MASTER seen, also critical. */
	a.vips[0].status = CARP_ST_DISABLED;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_NO_MASTER);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->master, -1);
	CHECK(has_finding(&v, "vhid-no-master", SEV_CRITICAL));
	CHECK_CONTAINS(v.findings[0].message, "no MASTER seen");
	CHECK_INT_EQ(severity_exit_code(v.verdict), 2);
	pair_free(&v);
	/* ... and in INIT. */
	a.vips[0].status = CARP_ST_INIT;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 1)->verdict, VV_NO_MASTER);
	CHECK_INT_EQ(severity_exit_code(v.verdict), 2);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

/* Nothing known: no node of the pair answers. */
static void test_both_down_is_unknown(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	snapshot_clear(&a);
	snapshot_clear(&b);
	snapshot_set_error(&a, NERR_TIMEOUT, "timed out");
	snapshot_set_error(&b, NERR_REFUSED, "connection refused by 10.0.0.2:443");
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(v.n_rows, 0);
	CHECK(has_finding(&v, "node-unreachable", SEV_UNKNOWN));
	CHECK_INT_EQ(v.verdict, SEV_UNKNOWN);
	CHECK_INT_EQ(severity_exit_code(v.verdict), 3);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_maintenance_rules(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	struct pair_history h;
	memset(&h, 0, sizeof(h));
	healthy(&a, &b);
	/* fw1 in maintenance, fw2 took over. */
	a.carp.maintenance = true;
	a.carp.demotion = 240;
	a.vips[0].status = a.vips[1].status = CARP_ST_BACKUP;
	b.vips[0].status = b.vips[1].status = CARP_ST_MASTER;
	view_build_pair(&v, &c, &a, &b, &h, 1000);
	CHECK(has_finding(&v, "maintenance-active", SEV_INFO));
	CHECK(has_finding(&v, "failed-over", SEV_WARNING));
	CHECK(!has_finding(&v, "maintenance-inconsistent", SEV_CRITICAL));
	CHECK_INT_EQ(v.verdict, SEV_WARNING);
	pair_free(&v);
	/* Hours later it is a forgotten maintenance. */
	view_build_pair(&v, &c, &a, &b, &h, 1000 + 5 * 3600);
	CHECK(has_finding(&v, "maintenance-active", SEV_WARNING));
	pair_free(&v);
	/* Flag set but demotion lost (#10901). */
	a.carp.demotion = 0;
	view_build_pair(&v, &c, &a, &b, &h, 1000);
	CHECK(has_finding(&v, "maintenance-inconsistent", SEV_CRITICAL));
	pair_free(&v);
	/* Both in maintenance. */
	a.carp.demotion = 240;
	b.carp.maintenance = true;
	b.carp.demotion = 240;
	view_build_pair(&v, &c, &a, &b, &h, 1000);
	CHECK(has_finding(&v, "maintenance-both", SEV_CRITICAL));
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_demoted_and_disabled(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	b.carp.demotion = 20;
	b.carp.allow = 0;
	b.vips[0].status = b.vips[1].status = CARP_ST_DISABLED;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK(has_finding(&v, "demoted", SEV_WARNING));
	CHECK(has_finding(&v, "carp-disabled", SEV_WARNING));
	CHECK_INT_EQ(pair_find_vhid(&v, 3)->verdict, VV_OK);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_mismatch_and_skew(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	b.vips[1].prefix = 32; /* the how-to's /32 VIP mistake */
	b.vips[0].advskew = 0;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 3)->verdict, VV_MISMATCH);
	CHECK(has_finding(&v, "vhid-mismatch", SEV_CRITICAL));
	CHECK(has_finding(&v, "advskew-order", SEV_WARNING));
	pair_free(&v);
	/* Without prefixes (API rows are bare addresses) the sets compare equal. */
	a.vips[1].prefix = b.vips[1].prefix = -1;
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK_INT_EQ(pair_find_vhid(&v, 3)->verdict, VV_OK);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_pfsync_and_versions(void)
{
	struct cluster_conf c = cluster();
	struct snapshot a, b;
	struct pair_view v;
	healthy(&a, &b);
	b.pfsync.n_creators = 1;
	str_copy(b.pfsync.creators[0], "bbbbbbbb", 16);
	b.states.current = 12;
	str_copy(b.pfsync.syncdev, "igb2", sizeof(b.pfsync.syncdev));
	str_copy(b.version, "26.7.1", sizeof(b.version));
	str_copy(b.hasync.sync_target, "10.0.0.1", sizeof(b.hasync.sync_target));
	view_build_pair(&v, &c, &a, &b, NULL, 1000);
	CHECK(has_finding(&v, "pfsync-creator-missing", SEV_WARNING));
	CHECK(has_finding(&v, "pfsync-state-counts", SEV_WARNING));
	CHECK(has_finding(&v, "pfsync-syncdev", SEV_WARNING));
	CHECK(has_finding(&v, "versions-differ", SEV_WARNING));
	CHECK(has_finding(&v, "xmlrpc-sync", SEV_WARNING));
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static void test_check_table(void)
{
	size_t i, k;
	for (i = 0; i < n_live_checks; i++) {
		CHECK(live_checks[i].reason && *live_checks[i].reason);
		CHECK(live_checks[i].hint && *live_checks[i].hint);
		for (k = i + 1; k < n_live_checks; k++)
			CHECK(strcmp(live_checks[i].id, live_checks[k].id) != 0);
	}
	CHECK(check_find("vhid-split-brain") != NULL);
	CHECK(check_find("nope") == NULL);
}

int main(void)
{
	RUN(test_healthy);
	RUN(test_split_brain);
	RUN(test_no_master_and_init);
	RUN(test_node_down_no_redundancy);
	RUN(test_both_down_is_unknown);
	RUN(test_maintenance_rules);
	RUN(test_demoted_and_disabled);
	RUN(test_mismatch_and_skew);
	RUN(test_pfsync_and_versions);
	RUN(test_check_table);
	return test_done();
}
