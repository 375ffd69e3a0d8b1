/* carptop's configuration: the public YAML format documented in
 * doc/carptop.yaml.5. Loaded once at start; plain data afterwards. */
#ifndef CARPTOP_CONFIG_H
#define CARPTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum transport { TRANSPORT_NONE = 0, TRANSPORT_API, TRANSPORT_SSH, TRANSPORT_SIM };
const char *transport_name(enum transport t); /* "api", "ssh", "sim" */

enum node_role { ROLE_PRIMARY = 0, ROLE_SECONDARY };
const char *node_role_name(enum node_role r); /* "primary", "secondary" */

struct api_conf {
	char *url;        /* https://host[:port], no trailing slash */
	char *key_file;   /* path (expanded), OPNsense apikey.txt: key=... / secret=... */
	char *pin;        /* "sha256//BASE64" or NULL */
	char *ca_file;    /* PEM bundle or NULL (system store) */
	bool insecure;    /* skip TLS verification: only when spelled out */
	double timeout;   /* seconds per request, default 5 */
	int connections;  /* parallel connections to the node, 1-8 (1: one TLS handshake, requests in turn);
			   * unset: CONFIG_CONNECTIONS_SMALL, or 1 past CONFIG_CONNECTIONS_FLEET API nodes */
	double carp_interval; /* the cluster's carp_interval (copied at load): 0 = no CARP-only probe */
};

/* api.connections when the config leaves it out: parallel reads pay off for
 * a few pairs, but past a fleet of CONFIG_CONNECTIONS_FLEET API nodes every
 * extra connection is memory, descriptors and TLS handshakes for nothing
 * (doc/performance.md: at 250 pairs 3 connections cost 40 % more RSS and
 * twice the CPU of 1), so each node gets one. */
#define CONFIG_CONNECTIONS_SMALL 3
#define CONFIG_CONNECTIONS_FLEET 100

/* File descriptors carptop may hold for this configuration at once: per API
 * node its connections plus an action's and the config.xml download's, per
 * SSH node a session and a spare, plus CONFIG_FDS_SPARE for the terminal,
 * logs, recorder and libraries. main() raises its soft limit to this. */
#define CONFIG_FDS_SPARE 64
struct config;
size_t config_fds_needed(const struct config *cfg);

struct ssh_conf {
	char *host;
	int port;                /* default 22 */
	char *user;              /* default "root" */
	char *identity_file;     /* path (expanded) or NULL (agent only) */
	char *known_hosts;       /* path (expanded), default ~/.ssh/known_hosts */
	bool agent;              /* try ssh-agent (default true) */
	bool trust_on_first_use; /* write unknown host keys to known_hosts (default false) */
	double timeout;          /* seconds, default 10 */
	/* OpenSSH client configuration consulted for host (ssh_config.h):
	 * a path, or NULL (`ssh_config: none`, or a conf made in code). */
	char *ssh_config;
	bool ssh_config_default; /* the default ~/.ssh/config: ssh also reads /etc/ssh/ssh_config */
	bool port_set, user_set; /* written in carptop.yaml: ssh_config does not override them */
};

/* A node of the in-process simulator (the demo's): no firewall needed. */
struct sim_conf {
	char *scenario;          /* a --demo-list name; default "healthy" */
};

struct node_conf {
	char *name;
	enum node_role role;
	enum transport transport;
	struct api_conf api;
	struct ssh_conf ssh;
	struct sim_conf sim;
	char *accent;            /* theme colour name or #rrggbb, or NULL */
};

#define CLUSTER_NODES 2

/* A boolean key that may be left out to inherit. */
enum { CONF_UNSET = 0, CONF_OFF, CONF_ON };

struct cluster_conf {
	char *name;
	double interval;         /* seconds; inherits the global interval */
	char *theme;             /* inherits the global theme */
	char *accent;            /* or NULL */
	double maintenance_max_age; /* seconds before "maintenance for hours" warns; default 4h */
	double state_ratio;      /* pfsync state count tolerance, default 0.2 (20 %) */
	/* The CARP change stream of ssh nodes (doc/ssh-stream.md): `stream:`
	 * here, else the global one, else on. stream_opt is what the file
	 * said (CONF_UNSET / CONF_OFF / CONF_ON); stream the outcome. */
	int stream_opt;
	bool stream;
	/* API nodes: seconds between CARP-only probes (get_vip_status alone)
	 * between the full polls; 0: none. Inherits the global one. */
	double carp_interval;
	/* nodes[0] is always the primary, nodes[1] the secondary (the loader orders them). */
	struct node_conf nodes[CLUSTER_NODES];
};

struct config {
	char *path;              /* file it came from, or "(demo)" */
	double interval;         /* default 2 */
	char *theme;             /* default "default" */
	bool read_only;
	double record_days;      /* flight recorder: keep segments this many days (0: default 7) */
	double record_budget_mb; /* and at most this many MB per cluster (0: default 16) */
	int stream_opt;          /* `stream:` at the top level (CONF_UNSET: on) */
	double carp_interval;    /* default for the clusters' carp_interval (0: off) */
	struct cluster_conf *clusters;
	size_t n_clusters;
};

/* Load and validate. On error returns -1 and sets *cause to a message of the
 * form "FILE:LINE:COL: what is wrong (key 'x'); how to fix it" (caller frees).
 * Every error class: unreadable file, YAML syntax, unknown key, wrong type,
 * missing required key, bad value (role, url, port...), duplicate names,
 * a cluster without exactly one primary and one secondary, a node with both
 * or neither of api/ssh, a key_file or identity_file readable by group or
 * other (refused, as ssh does) or missing. */
int config_load_file(const char *path, struct config *out, char **cause);
/* Same from memory; `name` is used in messages in place of the file name. */
int config_load_string(const char *text, size_t len, const char *name, struct config *out, char **cause);
void config_free(struct config *c);

/* Whether a node's `sim: {scenario: NAME}` names a simulator scenario. The
 * config sits below the transports, so the program sets this to the
 * simulator's own list (sim_scenario_known); NULL accepts any name. */
extern bool (*config_sim_scenario_known)(const char *name);

/* $XDG_CONFIG_HOME/carptop/config.yaml, else ~/.config/carptop/config.yaml. */
char *config_default_path(void);

/* Read an OPNsense apikey.txt ("key=..." and "secret=..." lines). Refuses a
 * file readable by group/other. Returns 0, or -1 with *cause set. */
int apikey_read(const char *path, char **key, char **secret, char **cause);

/* The built-in demo configuration: one cluster "demo" of two sim nodes
 * (fw1 primary, fw2 secondary). */
void config_demo(struct config *out);
/* The demo with one cluster per scenario, each named after it (a repeated
 * name gets "-2", "-3"...); the nodes carry the scenario. */
void config_demo_scenarios(struct config *out, const char *const *scenarios, size_t n);

/* The scenario of cluster c's simulated pair: what its sim nodes name, or
 * NULL when no node of it is simulated. */
const char *cluster_sim_scenario(const struct cluster_conf *c);

#endif
