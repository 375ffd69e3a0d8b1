/* The pair model: the two snapshots of a cluster merged into one row per
 * VHID, with a verdict per VHID and for the cluster, plus the findings of the
 * pair-level checks (src/checks/checks.h), which src/checks/view.c runs over it. Pure
 * functions over data: no I/O. */
#ifndef CARPTOP_PAIR_H
#define CARPTOP_PAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"

/* Severity of a finding, and so of a cluster. Ordered by how bad it is;
 * severity_exit_code() maps to the Nagios/monitoring-plugins codes. */
enum severity { SEV_OK = 0, SEV_INFO, SEV_WARNING, SEV_UNKNOWN, SEV_CRITICAL };
const char *severity_name(enum severity s);   /* "ok", "info", "warning", "unknown", "critical" */
const char *severity_upper(enum severity s);  /* "OK", "OK", "WARNING", "UNKNOWN", "CRITICAL" */
int severity_exit_code(enum severity s);      /* 0, 0, 1, 3, 2 */
enum severity severity_worst(enum severity a, enum severity b);

enum vhid_verdict {
	VV_OK = 0,
	VV_SPLIT_BRAIN, /* MASTER on both nodes */
	VV_NO_MASTER,   /* neither node MASTER */
	VV_INIT,        /* a node in INIT */
	VV_MISMATCH,    /* address set, advbase or interface differ */
	VV_UNKNOWN,     /* neither node could be read: nothing is known */
	/* One node cannot be read and the other is MASTER: traffic flows, but
	 * the next failure is an outage. CRITICAL, never UNKNOWN (monitoring
	 * often does not page on UNKNOWN). When the answering node is not
	 * MASTER the verdict is VV_NO_MASTER ("no MASTER seen"). */
	VV_NO_REDUNDANCY,
};
const char *vhid_verdict_name(enum vhid_verdict v); /* "ok", "split-brain", ... */

#define PAIR_MAX_ADDRS 16

/* One node's side of a VHID. */
struct vhid_side {
	bool present;              /* the node has this VHID */
	enum carp_status status;   /* of its CARP VIP (or the first row) */
	int advbase, advskew;
	char ifname[SNAP_NAME_LEN];
	char ifdev[SNAP_NAME_LEN];
	/* Every address on this VHID, "addr/prefix" (or bare addr), sorted. */
	char addrs[PAIR_MAX_ADDRS][SNAP_ADDR_LEN + 4];
	int n_addrs;
	int n_carp, n_alias;
};

struct vhid_row {
	int vhid;
	char interface[SNAP_NAME_LEN];
	/* Union of both nodes' addresses, sorted. */
	char addrs[PAIR_MAX_ADDRS][SNAP_ADDR_LEN + 4];
	int n_addrs;
	struct vhid_side side[CLUSTER_NODES];
	enum vhid_verdict verdict;
	int master;                /* index of the node holding MASTER, -1 none/both */
};

#define FINDING_MSG_LEN 256

struct finding {
	const char *id;            /* check id from the check table ("vhid-split-brain") */
	enum severity severity;
	int node;                  /* node index it concerns, -1 for the pair */
	int vhid;                  /* VHID it concerns, 0 for none */
	char message[FINDING_MSG_LEN];
	const char *hint;          /* how to fix it (from the check table) */
};

/* One difference between the primary's and the secondary's config.xml in a
 * section the primary syncs (src/checks/drift.h). A side that lacks the element
 * has absent[] set; a secret's value is never copied in, only "(hidden)". */
#define DRIFT_SECTION_LEN 64
#define DRIFT_PATH_LEN 192
#define DRIFT_VALUE_LEN 128
struct drift_item {
	char section[DRIFT_SECTION_LEN];   /* config section: "filter", "virtualip", "system.user" */
	char path[DRIFT_PATH_LEN];         /* "filter/rule[2]/protocol" */
	char value[CLUSTER_NODES][DRIFT_VALUE_LEN]; /* [0] primary, [1] secondary */
	bool absent[CLUSTER_NODES];
};

struct xmlconf;

/* Per-node memory that checks need across polls (how long a state lasted). */
struct pair_history {
	double maintenance_since[CLUSTER_NODES]; /* wall clock the flag was first seen; 0 = not */
	double carp_disabled_since[CLUSTER_NODES];
};

/* Why a node's config.xml is (not) there for the config checks and the
 * drift view (src/checks/view.h fills it in). */
enum view_conf_state {
	VCONF_UNKNOWN = 0,     /* the view was built without the app (a test, a replay) */
	VCONF_READ,            /* parsed and in use */
	VCONF_NO_TRANSPORT,    /* the node has no working transport */
	VCONF_NOT_SUPPORTED,   /* its transport cannot read config.xml (a fact, not an alarm) */
	VCONF_UNREACHABLE,     /* the node does not answer: its config is not known now */
	VCONF_FAILED,          /* the last read failed */
	VCONF_NOT_YET,         /* not read yet (or being read) */
};

#define VIEW_REASON_LEN 400

/* One node's facts, computed once per view (src/checks/view.c) so every check,
 * screen and renderer says the same about it. */
struct view_node {
	const char *name;          /* the configured name, or "primary"/"secondary"; never NULL */
	enum node_role role;
	bool up;                   /* answered its last poll: its data is current */
	double poll_age;           /* seconds since its last poll completed (ok or not), -1 never */
	double data_age;           /* seconds since its last answer with data, -1 never */
	bool stale;                /* up, but the data is older than two poll intervals */
	enum view_conf_state conf_state;
	char conf_reason[VIEW_REASON_LEN]; /* why conf_state is not VCONF_READ, "" when it is */
};

struct pair_view {
	const struct cluster_conf *cluster;
	struct view_node node[CLUSTER_NODES]; /* filled by src/checks/view.c */
	const struct snapshot *snap[CLUSTER_NODES];
	struct vhid_row *rows;     /* sorted by vhid */
	size_t n_rows;
	struct finding *findings;  /* sorted worst first */
	size_t n_findings;
	enum severity verdict;     /* worst finding, SEV_OK if none */
	double now;                /* wall clock the view was built for */
	const struct pair_history *hist; /* may be NULL */
	/* Config level (src/config_checks.h): the caller sets conf[] before
	 * config_checks_run(); NULL where a node's config.xml is not known. */
	const struct xmlconf *conf[CLUSTER_NODES];
	struct drift_item *drift;  /* owned; freed by pair_free */
	size_t n_drift;
	bool drift_known;          /* both configs were there and were compared */
	bool offline;              /* from config files only (--from-xml): live checks do not run */
};

/* Build the rows and verdicts from the two snapshots (either may be
 * unreachable): the first step of src/checks/view.c, which runs the checks after.
 * `hist` may be NULL; when given it is updated. */
void pair_build(struct pair_view *v, const struct cluster_conf *c,
		const struct snapshot *primary, const struct snapshot *secondary,
		struct pair_history *hist, double now);
void pair_free(struct pair_view *v);

/* The VHID row for vhid, or NULL. */
const struct vhid_row *pair_find_vhid(const struct pair_view *v, int vhid);

/* Sort the findings worst first (after adding some to a built view). */
void pair_sort_findings(struct pair_view *v);

/* Append a finding (used by the checks). */
struct finding *pair_add_finding(struct pair_view *v, const char *id, enum severity sev,
				 int node, int vhid, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

#endif
