/* The sim's FreeBSD-format text, read back by the real parsers: what the SSH
 * shims serve must parse to what the API shows. */
#include <string.h>

#include "drift.h"
#include "parse/parse.h"
#include "sim/sim_render.h"
#include "testlib.h"
#include "xmlconf.h"

static struct sim_world *world(const char *scenario)
{
	char *cause = NULL;
	struct sim_world *w = sim_world_new(scenario, 1, 1, &cause);
	free(cause);
	sim_world_manual_clock(w);
	return w;
}

static const struct vip_row *find(const struct snapshot *s, const char *addr)
{
	size_t i;
	for (i = 0; i < s->n_vips; i++)
		if (strcmp(s->vips[i].address, addr) == 0)
			return &s->vips[i];
	return NULL;
}

static void test_ifconfig_roundtrip(void)
{
	struct sim_world *w = world("split-brain");
	struct strbuf sb;
	struct snapshot s;
	char *cause = NULL;
	const struct vip_row *r;

	sb_init(&sb);
	sim_render_ifconfig(w, 0, 1, &sb);
	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig(sb.buf, &s, &cause), 0);
	CHECK_INT_EQ(s.n_vips, 3);
	r = find(&s, "192.168.1.5");
	CHECK(r != NULL);
	if (r) {
		CHECK_INT_EQ(r->vhid, 3);
		CHECK_INT_EQ(r->prefix, 24);
		CHECK_INT_EQ(r->status, CARP_ST_MASTER);
		CHECK_INT_EQ(r->advskew, 100);
		CHECK_STR_EQ(r->ifdev, "em0");
	}
	r = find(&s, "172.18.0.100");
	CHECK(r && r->status == CARP_ST_BACKUP && r->vhid == 1);
	CHECK(s.pfsync.known || true);
	snapshot_clear(&s);
	sb_free(&sb);
	free(cause);
	sim_world_free(w);
}

static void test_disabled_has_no_vhid_addresses(void)
{
	struct sim_world *w = world("carp-disabled");
	struct strbuf sb;
	struct snapshot s;
	sb_init(&sb);
	sim_render_ifconfig(w, 0, 1, &sb);
	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig(sb.buf, &s, NULL), 0);
	CHECK_INT_EQ(s.n_vips, 0);
	snapshot_clear(&s);
	sb_free(&sb);
	sim_world_free(w);
}

static void test_counters_roundtrip(void)
{
	struct sim_world *w = world(NULL);
	struct strbuf sb;
	struct snapshot s, truth;
	long long cur = -1, lim = -1;
	char hostid[16] = "";

	snapshot_init(&truth);
	sim_node_snapshot(w, 0, 0, &truth);
	sb_init(&sb);
	sim_render_pfctl_si(w, 0, 0, &sb);
	CHECK_INT_EQ(parse_pfctl_si(sb.buf, &cur, hostid, sizeof(hostid), NULL), 0);
	CHECK_INT_EQ(cur, truth.states.current);
	CHECK_STR_EQ(hostid, truth.pfsync.hostid);
	sb_free(&sb);

	sim_render_pfctl_memory(w, 0, 0, &sb);
	CHECK_INT_EQ(parse_pfctl_memory(sb.buf, &lim, NULL), 0);
	CHECK_INT_EQ(lim, 100000);
	sb_free(&sb);

	snapshot_init(&s);
	sim_render_sysctl_carp(w, 0, 0, &sb);
	CHECK_INT_EQ(parse_sysctl_carp(sb.buf, &s, NULL, NULL), 0);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK_INT_EQ(s.carp.demotion, 0);
	CHECK_INT_EQ(s.carp.preempt, 1);
	sb_free(&sb);

	sim_render_pfsync0(w, 0, 0, &sb);
	CHECK_INT_EQ(parse_ifconfig_pfsync(sb.buf, &s, NULL), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "em2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "10.0.0.2");
	sb_free(&sb);

	sim_render_pfctl_creators(w, 0, 0, &sb);
	CHECK_INT_EQ(parse_pfctl_creators(sb.buf, &s, NULL), 0);
	CHECK_INT_EQ(s.pfsync.n_creators, 2);
	sb_free(&sb);

	sim_render_version(w, 0, 0, &sb);
	{
		char v[32];
		CHECK_INT_EQ(parse_opnsense_version(sb.buf, v, sizeof(v), NULL), 0);
		CHECK_STR_EQ(v, "26.7.2");
	}
	sb_free(&sb);

	sim_render_show_carp(w, 0, 0, &sb);
	CHECK_CONTAINS(sb.buf, "\"maintenancemode\":false");
	sb_free(&sb);
	sim_render_config_xml(w, 0, 0, &sb);
	CHECK_CONTAINS(sb.buf, "<synchronizetoip>10.0.0.2</synchronizetoip>");
	CHECK_CONTAINS(sb.buf, "<mode>carp</mode>");
	sb_free(&sb);

	snapshot_clear(&s);
	snapshot_clear(&truth);
	sim_world_free(w);
}

/* carpsim --config-size: the file grows to about the size asked for, stays
 * a config.xml carptop reads, and both nodes of the pair hold the same bulk
 * (the synced sections show no drift). */
static void test_config_size(void)
{
	struct sim_world *w = world("healthy");
	struct strbuf sb[2];
	struct xmlconf c[2];
	struct drift_list dl = { 0 };
	char unknown[256] = "", *cause = NULL;
	int k;
	w->config_size = 300 * 1024;
	for (k = 0; k < 2; k++) {
		sb_init(&sb[k]);
		sim_render_config_xml(w, 0, k, &sb[k]);
		CHECK(sb[k].len >= w->config_size);
		CHECK(sb[k].len < w->config_size + 8 * 1024);
		CHECK_CONTAINS(sb[k].buf, "<name>bulk_hosts_0</name>");
		CHECK_CONTAINS(sb[k].buf, "bulk rule 1 of pair 1");
		CHECK_INT_EQ(xmlconf_parse(sb[k].buf, sb[k].len, "bulk.xml", &c[k], &cause), 0);
		free(cause);
		cause = NULL;
	}
	CHECK_INT_EQ(c[0].n_vips, c[1].n_vips);
	CHECK_INT_EQ(drift_compare_synced(&c[0], &c[1], &dl, unknown, sizeof(unknown)), 0);
	free(dl.items);
	for (k = 0; k < 2; k++) {
		xmlconf_free(&c[k]);
		sb_free(&sb[k]);
	}
	/* Without the option the file stays the scenario's small one. */
	w->config_size = 0;
	sb_init(&sb[0]);
	sim_render_config_xml(w, 0, 0, &sb[0]);
	CHECK(sb[0].len < 8 * 1024);
	CHECK(strstr(sb[0].buf, "bulk_hosts") == NULL);
	sb_free(&sb[0]);
	sim_world_free(w);
}

int main(void)
{
	RUN(test_config_size);
	RUN(test_ifconfig_roundtrip);
	RUN(test_disabled_has_no_vhid_addresses);
	RUN(test_counters_roundtrip);
	return test_done();
}
