/* The simulated OPNsense world: pairs of nodes with interfaces, VIPs, CARP
 * election per VHID, maintenance/disable semantics exactly as CONTRACT.md §2,
 * pf states kept in sync by pfsync, firmware updates with a reboot window.
 *
 * One model serves three front ends: the in-process sim backend (--demo), and
 * the test emulator carpsim, which serves it over HTTPS and to the SSH shims.
 * Time is virtual: sim seconds = real seconds x speed, so tests can run the
 * 3 x advbase takeover or a reboot window quickly. The model advances lazily
 * (sim_world_advance) whenever it is read or changed. */
#ifndef CARPTOP_SIM_WORLD_H
#define CARPTOP_SIM_WORLD_H

#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"

#define SIM_MAX_IFS 8
#define SIM_MAX_VIPS 32
#define SIM_MAX_VHID 256
#define SIM_MAX_LOG 4096

struct sim_if {
	char key[16];    /* config key: "lan", "wan", "opt1" */
	char descr[32];  /* what the API shows as interface: "LAN", "WAN", "PFSYNC" */
	char dev[16];    /* "em0" */
	char addr[48];   /* the node's own address */
	int prefix;
	bool link_down;  /* cable pulled: VIPs on it go INIT, ifdown demotion */
};

struct sim_vip {
	char uuid[40];
	char iface[16];  /* config key */
	enum vip_mode mode;
	char addr[48];
	int prefix;
	int vhid;
	int advbase, advskew;
	char descr[64];
	bool applied;         /* reconfigure has run since it was added */
	bool pending_delete;  /* deleted in config, still on the interface until reconfigure */
	/* Deleted without a /tmp/delete_vip_<uuid>.todo naming its address
	 * (the SSH harness's model edit): reconfigure_vips.php removes only
	 * the addresses those files name, so it stays on the interface. */
	bool keep_addr;
};

/* A firewall rule as config.xml holds it (legacy <filter><rule>), modelled
 * on the how-to's example pair: only what the config checks and the drift
 * comparison read. Rendered by sim_render_config_xml; copied by sim_sync
 * when "rules" is a sync item. */
#define SIM_MAX_RULES 8
struct sim_rule {
	char iface[16];       /* config key */
	char ipprotocol[8];   /* inet, inet6 */
	char protocol[16];    /* "" = any, "carp" */
	char source[16];      /* "any" or an interface key (its network) */
	char descr[64];
};

/* A firmware job as opnsense/core's scripts run it (backends/parse/fwjob.h):
 * REQUESTED until launcher.sh starts update.sh (the progress log is still
 * the previous job's meanwhile; forever when fw_lock_held: flock -n gives
 * up), RUNNING (the core package first: the version reads new half way),
 * REBOOTING (***REBOOT*** logged, still up for SIM_FW_REBOOT_DELAY: the
 * `sleep 5` before rc.reboot), then down; DONE after ***DONE*** or the
 * reboot. */
enum sim_fw { SIM_FW_IDLE = 0, SIM_FW_RUNNING, SIM_FW_REBOOTING, SIM_FW_DONE, SIM_FW_REQUESTED };
#define SIM_FW_REBOOT_DELAY 5.0
/* The node clock: sim time 0 is this wall time (naive seconds, UTC). */
#define SIM_EPOCH 1796220000LL

struct sim_node {
	char name[32];
	char hostname[64];
	char version[24];        /* running version */
	char latest[24];         /* version a firmware update installs */
	bool up;                 /* powered and booted */
	double down_until;       /* sim time the reboot ends (when !up after a reboot) */
	bool powered_off;        /* scenario node-down: stays down */

	int allow;               /* net.inet.carp.allow */
	long demotion;           /* net.inet.carp.demotion */
	long demotion_default;   /* tunable default (0) */
	bool maintenance;        /* <virtualip_carp_maintenancemode> in config */
	int preempt;

	struct sim_if ifs[SIM_MAX_IFS];
	int n_ifs;
	struct sim_vip vips[SIM_MAX_VIPS];
	int n_vips;
	/* Kernel CARP state per VHID (what ifconfig shows). */
	enum carp_status st[SIM_MAX_VHID];

	/* pf / pfsync */
	char hostid[12];
	char syncdev[16];
	char syncpeer[48];
	bool pfsync_broken;      /* states are not exchanged */
	long long own_states;    /* states created on this node */
	long long state_limit;

	/* HA sync (XMLRPC) */
	char sync_target[64];
	char sync_items[256];

	/* firmware */
	enum sim_fw fw;
	double fw_until;         /* the next step of the job */
	bool fw_core_done;       /* RUNNING: the core package is replaced (version new) */
	bool fw_rebooted;        /* DONE because of a reboot */
	char fw_log[1024];       /* /tmp/pkg_upgrade.progress */
	/* Quirks (carpsim /ctl/set): */
	double fw_stale_s;       /* the old log stays this long after a request */
	bool fw_lock_held;       /* a check holds the firmware lock: updates never start */
	bool fw_fail;            /* the core update fails: "Partial update failure" then ***DONE*** */
	bool sync_fail;          /* XMLRPC auth fails: filter sync still prints OK, only logs */
	char syslog[2048];       /* /var/log/system/latest.log, the newest lines */
	double boot_t;           /* sim time of the last boot (kern.boottime) */

	unsigned mutations;      /* mutating calls received */
	unsigned serial;         /* bumped on every config change (drift marker) */

	struct sim_rule rules[SIM_MAX_RULES];
	int n_rules;
};

struct sim_pair {
	char name[32];
	struct sim_node node[2]; /* [0] primary, [1] secondary */
	/* Per VHID: a pending election outcome and when it takes effect. */
	struct {
		bool pending;
		enum carp_status to[2];
		double due;
	} election[SIM_MAX_VHID];
	int masters_now[SIM_MAX_VHID];
	double t;                /* sim seconds this pair has been brought to (<= the world's t) */
};

struct sim_transition {
	double t;                /* sim seconds */
	int pair, node, vhid;
	enum carp_status from, to;
	int masters_after;       /* how many nodes are MASTER for the VHID afterwards */
};

struct sim_world {
	struct sim_pair *pairs;
	int n_pairs;
	double speed;            /* sim seconds per real second */
	double latency_ms;       /* > 0: a node answers after this (+4 ms per node index), for tests
				  * that must not race the answer; 0: 3 ms + 4 ms per node index */
	double t0_real;          /* real ms at sim time 0 */
	double t;                /* sim seconds, advanced by sim_world_advance */
	double update_secs;      /* how long a firmware update runs */
	double reboot_secs;      /* how long a reboot keeps a node down */
	struct sim_transition *log;
	size_t n_log, cap_log;
	FILE *log_file;          /* --demo-log: transitions as they happen */
	int uuid_counter;
	/* carpsim --config-size: config.xml grows to about this many bytes
	 * with bulk filter rules and aliases, the same on both nodes of a pair
	 * (0: the small file of the scenario). */
	size_t config_size;
};

struct sim_scenario {
	const char *name;
	const char *summary;
};
extern const struct sim_scenario sim_scenarios[];
extern const size_t n_sim_scenarios;

/* Make a world of n_pairs pairs set up as `scenario` (NULL = "healthy").
 * Returns NULL and sets *cause for an unknown scenario. */
struct sim_world *sim_world_new(const char *scenario, int n_pairs, double speed, char **cause);
/* The same with a scenario per pair (scenarios[i] NULL = "healthy"): the
 * multi-cluster demo and configs with `sim:` nodes. */
struct sim_world *sim_world_new_scenarios(const char *const *scenarios, int n_pairs, double speed, char **cause);
/* True for a name in sim_scenarios. */
bool sim_scenario_known(const char *scenario);
/* "unknown demo scenario 'X'; known: a b c" (caller frees). */
char *sim_unknown_scenario(const char *scenario);
void sim_world_free(struct sim_world *w);

/* Advance to the current real time (or to an explicit sim time). */
void sim_world_advance(struct sim_world *w);
void sim_world_advance_to(struct sim_world *w, double t);
/* Bring only one pair to the current real time: what reading one of its
 * nodes needs (pairs are independent). O(1) in the number of pairs. */
void sim_world_advance_pair(struct sim_world *w, int pair);
void sim_world_advance_pair_to(struct sim_world *w, int pair, double t);
/* Use a manual clock: time moves only with sim_world_advance_to (unit tests). */
void sim_world_manual_clock(struct sim_world *w);

/* Fill a snapshot from a node as the API would show it (interface
 * descriptions, DISABLED rows for configured VIPs whose VHID is absent,
 * bare addresses with prefixes known). A down node gives NERR_DOWN. */
void sim_node_snapshot(struct sim_world *w, int pair, int node, struct snapshot *s);

/* Actions, as OPNsense does them (CONTRACT §2, §3, §7). Each counts as one
 * mutating call and returns 0 on success with `reply` holding the JSON the
 * API answers, 1 when the node refused (reply: its JSON, e.g. validations),
 * or -1 when the node is down (reply: a description). */
int sim_maintenance_toggle(struct sim_world *w, int pair, int node, char *reply, size_t n);
int sim_carp_disable(struct sim_world *w, int pair, int node, char *reply, size_t n);
int sim_carp_enable(struct sim_world *w, int pair, int node, char *reply, size_t n);
int sim_vip_add(struct sim_world *w, int pair, int node, const char *iface, enum vip_mode mode,
		const char *addr, int prefix, int vhid, const char *descr, char *reply, size_t n);
int sim_vip_delete(struct sim_world *w, int pair, int node, const char *uuid, char *reply, size_t n);
int sim_vip_apply(struct sim_world *w, int pair, int node, char *reply, size_t n);
int sim_firmware_update(struct sim_world *w, int pair, int node, char *reply, size_t n);
/* `configctl firmware running`: the firmware lock is held. */
bool sim_firmware_busy(const struct sim_node *n);
/* The node's clock at sim time t as `date +%Y-%m-%dT%H:%M:%S` prints it. */
void sim_node_date_iso(double t, char *buf, size_t n);
/* The node's clock at sim time t as date(1) prints it. */
void sim_node_date(double t, char *buf, size_t n);
int sim_reboot(struct sim_world *w, int pair, int node, char *reply, size_t n);
int sim_sync(struct sim_world *w, int pair, int node, char *reply, size_t n);

/* Test controls. */
void sim_node_power(struct sim_world *w, int pair, int node, bool on);
void sim_node_link(struct sim_world *w, int pair, int node, const char *iface, bool up);

/* Lookups. */
struct sim_node *sim_node_get(struct sim_world *w, int pair, int node);
const struct sim_if *sim_node_if(const struct sim_node *n, const char *key);
/* The addresses (sorted "addr/prefix" joined by ' ') on the interface for
 * vhid as the kernel has them (applied, CARP allowed). "" if none. */
void sim_vhid_addrset(const struct sim_node *n, int vhid, char *dst, size_t len);
long long sim_node_states(const struct sim_world *w, int pair, int node);

/* The transition log: write it as text lines, and count the moments with
 * two MASTERs or none for a VHID (after `since`, sim seconds). */
void sim_log_write(const struct sim_world *w, FILE *f);
int sim_log_split_brains(const struct sim_world *w, double since);
int sim_log_no_master(const struct sim_world *w, double since);

#endif
