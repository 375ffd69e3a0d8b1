/* The simulated pair's election rules, on a manual clock. */
#include <string.h>

#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"

static struct sim_world *world(const char *scenario)
{
	char *cause = NULL;
	struct sim_world *w = sim_world_new(scenario, 1, 1, &cause);
	if (!w) {
		printf("# %s\n", cause);
		free(cause);
		return NULL;
	}
	sim_world_manual_clock(w);
	return w;
}

static enum carp_status st(struct sim_world *w, int node, int vhid)
{
	return w->pairs[0].node[node].st[vhid];
}

static void test_healthy(void)
{
	struct sim_world *w = world(NULL);
	struct snapshot s;
	CHECK(w != NULL);
	CHECK_INT_EQ(st(w, 0, 1), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 1), CARP_ST_BACKUP);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	sim_world_advance_to(w, 100);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	snapshot_init(&s);
	sim_node_snapshot(w, 0, 1, &s);
	CHECK(s.reachable);
	CHECK_INT_EQ(s.n_vips, 2);
	CHECK_INT_EQ(s.vips[0].advskew, 100);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK(s.states.current > 1000);
	CHECK_INT_EQ(s.pfsync.n_creators, 2);
	snapshot_clear(&s);
	CHECK_INT_EQ(sim_log_split_brains(w, 0), 0);
	sim_world_free(w);
}

static void test_maintenance_toggle(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	struct sim_node *a = &w->pairs[0].node[0];

	CHECK_INT_EQ(sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply)), 0);
	CHECK_CONTAINS(reply, "enter_maintenance");
	CHECK(a->maintenance);
	CHECK_INT_EQ(a->demotion, 240);
	/* The backup preempts after one advertisement interval, atomically. */
	sim_world_advance_to(w, w->t + 0.5);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	sim_world_advance_to(w, w->t + 1.0);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_BACKUP);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 1), CARP_ST_MASTER);
	/* enable does not leave maintenance */
	CHECK_INT_EQ(sim_carp_enable(w, 0, 0, reply, sizeof(reply)), 0);
	CHECK(a->maintenance);
	CHECK_INT_EQ(a->demotion, 240);
	/* The toggle leaves it: demotion back to the default. */
	CHECK_INT_EQ(sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply)), 0);
	CHECK_CONTAINS(reply, "leave_maintenance");
	CHECK(!a->maintenance);
	CHECK_INT_EQ(a->demotion, 0);
	sim_world_advance_to(w, w->t + 2);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	CHECK_INT_EQ(sim_log_split_brains(w, 0), 0);
	CHECK_INT_EQ(sim_log_no_master(w, 0), 0);
	CHECK_INT_EQ(a->mutations, 3);
	sim_world_free(w);
}

static void test_demotion_adds(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	struct sim_node *a = &w->pairs[0].node[0];
	/* A stuck demotion of 20 stays added on enter and is restored to the
	 * default (0) on leave: writes add, leave computes default - current. */
	a->demotion = 20;
	sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply));
	CHECK_INT_EQ(a->demotion, 260);
	sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply));
	CHECK_INT_EQ(a->demotion, 0);
	sim_world_free(w);
}

static void test_preempt_off(void)
{
	struct sim_world *w = world("maintenance");
	char reply[256];
	w->pairs[0].node[0].preempt = 0;
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + 10);
	/* Without preempt the better primary waits as BACKUP. */
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_BACKUP);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	sim_world_free(w);
}

static void test_hash_rule(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	double t0 = w->t;
	/* An alias on one node while both run CARP: both MASTER ~3 s later. */
	CHECK_INT_EQ(sim_vip_add(w, 0, 1, "lan", VIP_MODE_IPALIAS, "192.168.1.5", 24, 3, "x", reply, sizeof(reply)), 0);
	CHECK_CONTAINS(reply, "\"result\":\"saved\"");
	sim_world_advance_to(w, w->t + 5);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP); /* pending: not applied yet */
	CHECK_INT_EQ(sim_vip_apply(w, 0, 1, reply, sizeof(reply)), 0);
	sim_world_advance_to(w, w->t + 1);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	sim_world_advance_to(w, w->t + 3);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 0, 1), CARP_ST_MASTER); /* other VHID untouched */
	CHECK(sim_log_split_brains(w, t0) > 0);
	/* The same alias on the primary: hashes agree again, one MASTER. */
	sim_vip_add(w, 0, 0, "lan", VIP_MODE_IPALIAS, "192.168.1.5", 24, 3, "x", reply, sizeof(reply));
	sim_vip_apply(w, 0, 0, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + 2);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	sim_world_free(w);
}

static void test_add_alias_procedure(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	double t0 = w->t;
	/* The how-to's way: disable CARP on the backup, add on both, enable. */
	sim_carp_disable(w, 0, 1, reply, sizeof(reply));
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_DISABLED);
	sim_vip_add(w, 0, 1, "lan", VIP_MODE_IPALIAS, "192.168.1.5", 24, 3, "x", reply, sizeof(reply));
	sim_vip_apply(w, 0, 1, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + 5);
	sim_vip_add(w, 0, 0, "lan", VIP_MODE_IPALIAS, "192.168.1.5", 24, 3, "x", reply, sizeof(reply));
	sim_vip_apply(w, 0, 0, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + 5);
	sim_carp_enable(w, 0, 1, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + 10);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	CHECK_INT_EQ(sim_log_split_brains(w, t0), 0);
	CHECK_INT_EQ(sim_log_no_master(w, t0), 0);
	sim_world_free(w);
}

static void test_validation(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	CHECK_INT_EQ(sim_vip_add(w, 0, 0, "lan", VIP_MODE_IPALIAS, "192.168.1.9", 24, 7, "", reply, sizeof(reply)), 1);
	CHECK_CONTAINS(reply, "VHID 7 must be defined on interface lan as a CARP VIP first.");
	CHECK_INT_EQ(sim_vip_add(w, 0, 0, "lan", VIP_MODE_IPALIAS, "192.168.1.1", 24, 3, "", reply, sizeof(reply)), 1);
	CHECK_CONTAINS(reply, "Address already assigned.");
	sim_vip_add(w, 0, 0, "lan", VIP_MODE_IPALIAS, "192.168.1.9", 24, 3, "", reply, sizeof(reply));
	/* A CARP VIP with aliases on its VHID cannot be deleted. */
	CHECK_INT_EQ(sim_vip_delete(w, 0, 0, w->pairs[0].node[0].vips[1].uuid, reply, sizeof(reply)), 1);
	CHECK_CONTAINS(reply, "IP Alias with VHID Group 3 still exists");
	sim_world_free(w);
}

static void test_master_down_and_reboot(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	struct snapshot s;
	/* A hard stop of the master costs ~3 x advbase. */
	sim_node_power(w, 0, 0, false);
	sim_world_advance_to(w, w->t + 2);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	sim_world_advance_to(w, w->t + 1.5);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	snapshot_init(&s);
	sim_node_snapshot(w, 0, 0, &s);
	CHECK(!s.reachable);
	CHECK_INT_EQ(s.err, NERR_DOWN);
	sim_node_power(w, 0, 0, true);
	sim_world_advance_to(w, w->t + 2);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER); /* preempt takes it back */
	/* Firmware update as core runs it: the core package first (the
	 * version reads new while the node is still installing), then
	 * ***REBOOT***, down a few seconds later, back on the new version
	 * with a new boot time and an empty /tmp. */
	{
		double t0 = w->t, boot0 = w->pairs[0].node[1].boot_t;
		CHECK_INT_EQ(sim_firmware_update(w, 0, 1, reply, sizeof(reply)), 0);
		CHECK(str_starts(w->pairs[0].node[1].fw_log, "***GOT REQUEST TO UPDATE***"));
		sim_world_advance_to(w, t0 + w->update_secs / 2 + 0.1);
		CHECK(w->pairs[0].node[1].up);
		CHECK_STR_EQ(w->pairs[0].node[1].version, "26.7.3");
		CHECK(sim_firmware_busy(&w->pairs[0].node[1]));
		CHECK(!strstr(w->pairs[0].node[1].fw_log, "***REBOOT***"));
		sim_world_advance_to(w, t0 + w->update_secs + 0.1);
		CHECK(w->pairs[0].node[1].up);
		CHECK(strstr(w->pairs[0].node[1].fw_log, "***REBOOT***") != NULL);
		sim_world_advance_to(w, t0 + w->update_secs + SIM_FW_REBOOT_DELAY + 0.2);
		CHECK(!w->pairs[0].node[1].up);
		sim_world_advance_to(w, w->t + w->reboot_secs + 1);
		CHECK(w->pairs[0].node[1].boot_t > boot0);
		CHECK_STR_EQ(w->pairs[0].node[1].fw_log, "");
	}
	CHECK(w->pairs[0].node[1].up);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_BACKUP);
	snapshot_clear(&s);
	sim_world_free(w);
}

/* The quirks carpsim serves: a stale log, a held lock, a partial failure. */
static void test_firmware_quirks(void)
{
	struct sim_world *w = world(NULL);
	struct sim_node *n = &w->pairs[0].node[1];
	char reply[256];
	double t0 = w->t;
	CHECK(strstr(n->fw_log, "***GOT REQUEST TO CHECK***") && strstr(n->fw_log, "***DONE***"));
	n->fw_stale_s = 3;
	CHECK_INT_EQ(sim_firmware_update(w, 0, 1, reply, sizeof(reply)), 0);
	sim_world_advance_to(w, t0 + 2.9);
	CHECK(strstr(n->fw_log, "***GOT REQUEST TO CHECK***") != NULL); /* still the check's log */
	sim_world_advance_to(w, t0 + 3.1);
	CHECK(str_starts(n->fw_log, "***GOT REQUEST TO UPDATE***"));
	sim_world_free(w);

	w = world(NULL);
	n = &w->pairs[0].node[1];
	n->fw_lock_held = true;
	CHECK_INT_EQ(sim_firmware_update(w, 0, 1, reply, sizeof(reply)), 0);
	sim_world_advance_to(w, w->t + 100);
	CHECK(strstr(n->fw_log, "***GOT REQUEST TO CHECK***") != NULL);
	CHECK(sim_firmware_busy(n));
	CHECK_STR_EQ(n->version, "26.7.2");
	sim_world_free(w);

	w = world(NULL);
	n = &w->pairs[0].node[1];
	n->fw_fail = true;
	CHECK_INT_EQ(sim_firmware_update(w, 0, 1, reply, sizeof(reply)), 0);
	sim_world_advance_to(w, w->t + 100);
	CHECK(n->up);
	CHECK(strstr(n->fw_log, "Partial update failure detected") && strstr(n->fw_log, "***DONE***"));
	CHECK(!sim_firmware_busy(n));
	sim_world_free(w);
}

static void test_maintenance_persists_reboot(void)
{
	struct sim_world *w = world(NULL);
	char reply[256];
	sim_maintenance_toggle(w, 0, 0, reply, sizeof(reply));
	sim_carp_disable(w, 0, 1, reply, sizeof(reply));
	sim_reboot(w, 0, 0, reply, sizeof(reply));
	sim_reboot(w, 0, 1, reply, sizeof(reply));
	sim_world_advance_to(w, w->t + w->reboot_secs + 5);
	CHECK(w->pairs[0].node[0].maintenance);
	CHECK_INT_EQ(w->pairs[0].node[0].demotion, 240);
	CHECK_INT_EQ(w->pairs[0].node[1].allow, 1); /* disable is not persistent */
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	sim_world_free(w);
}

static void test_scenarios(void)
{
	size_t i;
	char *cause = NULL;
	for (i = 0; i < n_sim_scenarios; i++) {
		struct sim_world *w = sim_world_new(sim_scenarios[i].name, 1, 1, &cause);
		CHECK(w != NULL);
		sim_world_free(w);
	}
	CHECK(sim_world_new("nonsense", 1, 1, &cause) == NULL);
	CHECK_CONTAINS(cause, "unknown demo scenario 'nonsense'");
	free(cause);

	struct sim_world *w = world("split-brain");
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	CHECK_INT_EQ(st(w, 1, 1), CARP_ST_BACKUP);
	sim_world_advance_to(w, 60);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	sim_world_free(w);

	w = world("no-master");
	CHECK_INT_EQ(st(w, 0, 1), CARP_ST_DISABLED);
	CHECK_INT_EQ(st(w, 1, 1), CARP_ST_DISABLED);
	sim_world_free(w);

	w = world("interface-down");
	sim_world_advance_to(w, 30);
	CHECK_INT_EQ(st(w, 0, 3), CARP_ST_INIT);
	CHECK_INT_EQ(st(w, 1, 3), CARP_ST_MASTER);
	sim_world_free(w);
}

/* Each pair keeps its own clock: advancing one pair leaves the other as it
 * was, and a pair that lagged behind catches up change by change, each
 * logged at the moment it fell due, not when it was looked at. */
static void test_pair_clocks(void)
{
	char *cause = NULL;
	struct sim_world *w = sim_world_new(NULL, 2, 1, &cause);
	double t0;
	size_t i;
	int seen[2] = { 0, 0 };
	CHECK(w != NULL);
	if (!w)
		return;
	sim_world_manual_clock(w);
	sim_world_advance_to(w, 10);
	t0 = w->t;
	/* Both primaries demoted at t0, as carpsim's /ctl/set does: the
	 * backups preempt one advertisement interval later. */
	w->pairs[0].node[0].demotion = 240;
	w->pairs[1].node[0].demotion = 240;
	sim_world_advance_pair_to(w, 0, t0 + 5);
	CHECK_INT_EQ(w->pairs[0].node[1].st[3], CARP_ST_MASTER);
	CHECK_INT_EQ(w->pairs[1].node[0].st[3], CARP_ST_MASTER); /* not looked at yet */
	CHECK(w->t >= t0 + 5);
	sim_world_advance_to(w, t0 + 5);
	CHECK_INT_EQ(w->pairs[1].node[1].st[3], CARP_ST_MASTER);
	CHECK_INT_EQ(w->pairs[1].node[0].st[3], CARP_ST_BACKUP);
	for (i = 0; i < w->n_log; i++) {
		if (w->log[i].t < t0)
			continue;
		seen[w->log[i].pair]++;
		if (w->log[i].t > t0 + 2)
			printf("# pair %d vhid %d logged at t0 + %.2f\n", w->log[i].pair, w->log[i].vhid, w->log[i].t - t0);
		CHECK(w->log[i].t <= t0 + 2);
	}
	CHECK(seen[0] > 0 && seen[1] > 0);
	CHECK_INT_EQ(sim_log_split_brains(w, t0), 0);
	sim_world_free(w);
}

int main(void)
{
	RUN(test_healthy);
	RUN(test_maintenance_toggle);
	RUN(test_demotion_adds);
	RUN(test_preempt_off);
	RUN(test_hash_rule);
	RUN(test_add_alias_procedure);
	RUN(test_validation);
	RUN(test_master_down_and_reboot);
	RUN(test_firmware_quirks);
	RUN(test_maintenance_persists_reboot);
	RUN(test_scenarios);
	RUN(test_pair_clocks);
	return test_done();
}
