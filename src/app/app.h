/* The running carptop: the config, one backend per node, the latest snapshot
 * of each, and the poll schedule, all on the one event loop. Batch mode and
 * the console both sit on top of this. No curses here. */
#ifndef CARPTOP_APP_H
#define CARPTOP_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "action.h"
#include "config.h"
#include "loop.h"
#include "pair.h"
#include "snapshot.h"

struct app;
struct app_cluster;
struct backend;
struct stream_event;
struct conf_cache;

#define APP_STREAM_PENDING 16
struct config_result;
struct recorder;

struct app_node {
	struct app_cluster *cluster;
	int index;               /* 0 primary, 1 secondary */
	struct backend *backend; /* NULL when it could not be created (error in snap) */
	struct snapshot snap;    /* latest result: an unreachable node carries only its error */
	bool have_snapshot;      /* at least one poll completed */
	unsigned polls;          /* completed polls */
	double last_ok;          /* wall clock of the last successful poll, 0 = never */
	struct conf_cache *config; /* config.xml for the config checks (src/checks/confcache.h), NULL until read */
	/* The CARP change stream (app_stream_start; ssh nodes only). */
	enum app_stream { AS_OFF = 0, AS_STARTING, AS_UP, AS_DOWN } stream;
	char stream_text[SNAP_MSG_LEN]; /* AS_UP: the mechanism; AS_DOWN: why it dropped */
	unsigned stream_changes;   /* change lines received */
	bool poll_triggered;       /* the running poll was started by the stream */
	unsigned poll_seq;         /* the pair's change_seq when the last poll started */
	/* Changes the stream reported that no poll started after them has
	 * answered for yet (app.c, stream_reapply). */
	struct app_change {
		unsigned seq;
		int vhid;
		char ifname[SNAP_NAME_LEN];
		enum carp_status status;
	} pend[APP_STREAM_PENDING];
	int n_pend;
};

struct app_cluster {
	struct app *app;
	const struct cluster_conf *conf;
	struct app_node node[CLUSTER_NODES];
	struct pair_history hist;
	struct config_result *config_result; /* config checks, cached per config pair (src/checks/confcache.h) */
	uint64_t timer;
	bool scheduled;
	double next_due;           /* monotonic ms of the next periodic tick (phase + k * interval) */
	unsigned ticks;            /* periodic ticks so far */
	unsigned late;             /* ticks that came late or found a poll of the last one still running */
	/* Stream changes are gathered for a moment, then both nodes are polled
	 * once (a flip is a line per VHID per node). */
	uint64_t trigger_timer;
	unsigned change_seq;       /* stream changes reported for the pair */
	unsigned stream_rounds;    /* times the stream's news was shown: at once, and when its polls are in */
};

/* Something that follows the app's results (the workflow engine: each run
 * subscribes while it lives). Called before the front end's on_update /
 * on_action, in the order of subscription. */
struct app_listener {
	void (*on_update)(struct app_listener *l, size_t cluster, int node);
	void (*on_action)(struct app_listener *l, size_t cluster, int node, const struct action *act,
			  const struct action_result *r);
	struct app_listener *next;
};

/* "Fresh state": a snapshot of each node of a cluster taken after a moment
 * (the one wait-for-a-fresh-poll helper; workflows decide only on these). */
struct app_fresh {
	unsigned want[CLUSTER_NODES]; /* poll counters to exceed */
};

struct cli;

struct app {
	struct config *cfg;
	const struct cli *cli;    /* how carptop was started (for "continue with ..." commands); may be NULL */
	struct app_listener *listeners;
	struct loop *loop;
	struct sim_world *world;  /* demo only */
	struct app_cluster *clusters;
	size_t n_clusters;
	bool read_only;
	bool polling;             /* periodic polls on */
	struct recorder *recorder; /* every snapshot is recorded when set (src/model/recorder.h) */
	double clock_at;          /* replay: the moment shown; 0 = live (the wall clock) */
	/* config.xml reads running, and whether one waits for a free place
	 * (APP_CONFIG_READS_MAX, app.c). */
	int config_reads;
	bool config_deferred;
	/* Called after every snapshot (node >= 0) or action result. */
	void (*on_update)(struct app *a, struct app_cluster *c, int node, void *ctx);
	void (*on_action)(struct app *a, struct app_cluster *c, int node, const struct action *act,
			  const struct action_result *r, void *ctx);
	/* The stream of a node went up or down (node->stream says which; a
	 * repeated failure while down is not reported again). */
	void (*on_stream)(struct app *a, struct app_cluster *c, int node, void *ctx);
	void *ctx;
};

/* Set up backends for every cluster (only `only_cluster` if not NULL).
 * Returns -1 with *cause for an unknown cluster name. A node whose backend
 * cannot be made is kept, UNKNOWN with the reason. */
int app_init(struct app *a, struct config *cfg, struct loop *loop, struct sim_world *world,
	     const char *only_cluster, bool read_only, char **cause);
void app_free(struct app *a);

/* Poll every node now; with `periodic`, keep polling every cluster interval
 * (a cluster already on its schedule keeps its phase); without, stop the
 * periodic polls. */
void app_poll_all(struct app *a, bool periodic);
/* Fleets of more than APP_SPREAD_MIN clusters spread their polls over the
 * interval: cluster i of n polls at i/n of its interval and then every
 * interval after that (a stable phase), so that not every node's transfer
 * and buffers are in flight at the same moment. Smaller fleets poll all at
 * once (their first screen is complete at once, and they are no load). */
#define APP_SPREAD_MIN 16
bool app_spread(const struct app *a);
/* Start the periodic polls: every cluster at its phase (the first poll of
 * a small fleet now). */
void app_schedule(struct app *a);
/* Periodic ticks that were late (came more than a tenth of the interval
 * after their time, or found a poll of the previous one still running),
 * over every cluster. */
unsigned app_rounds_late(const struct app *a);
/* Poll one node now. Returns the poll counter value that a snapshot taken
 * after this call will exceed (a poll already in flight may predate it). */
unsigned app_poll_node(struct app *a, size_t cluster, int node);
/* Local trust, from the console (struct backend_trust_ops): hand a node's
 * backend the passphrase of its identity file, or accept the unknown host
 * key it offered (`offer` is the text the operator confirmed: it goes to
 * the audit log). Both are audited (never the passphrase itself), poll the
 * node again at once, and are refused in read-only mode (-1, *cause). */
int app_node_passphrase(struct app *a, size_t cluster, int node, const char *passphrase, char **cause);
int app_node_accept_hostkey(struct app *a, size_t cluster, int node, const char *offer, char **cause);
/* What the console shows of a node's local trust, read from its backend
 * (false on a transport without trust hooks, or without a backend): whether
 * it has them at all, whether its identity file waits for a passphrase, the
 * host key its last connection offered (fingerprint, key type, and whether
 * known_hosts lacks it), and where its connection goes after ~/.ssh/config. */
bool app_node_has_trust(const struct app_node *an);
bool app_node_needs_passphrase(const struct app_node *an);
bool app_node_hostkey(const struct app_node *an, char *fingerprint, size_t n, const char **type, bool *unknown);
bool app_node_route(const struct app_node *an, char *dst, size_t n);

/* True when every node has completed at least `rounds` polls. */
bool app_rounds_done(const struct app *a, unsigned rounds);
/* Mark nodes still without an answer as timed out (batch deadline). */
void app_expire_pending(struct app *a, double waited_s);

/* Open the CARP change stream of every node whose transport has one and
 * whose cluster has it on (`stream:`). A change it reports polls both nodes
 * of the pair at once; the periodic schedule stays as it is. */
void app_stream_start(struct app *a);
/* What a node's stream reported (the backends' on_stream lands here;
 * public for tests). */
void app_stream_event(struct app *a, size_t cluster, int node, const struct stream_event *e);
/* "CARP stream to fw1 dropped; polling only (why)" and the like, for the
 * event log and batch's stderr. */
void app_stream_describe(const struct app_node *n, char *dst, size_t size);
/* Milliseconds stream changes are gathered before the poll they trigger. */
#define APP_STREAM_COALESCE_MS 20.0

/* A config.xml read is still running on some node (batch waits for it). */
bool app_config_pending(const struct app *a);

/* Build the pair view of cluster i (free it with pair_free). */
void app_view(struct app *a, size_t i, struct pair_view *v);

/* Subscribe / unsubscribe a listener (see struct app_listener). */
void app_listen(struct app *a, struct app_listener *l);
void app_unlisten(struct app *a, struct app_listener *l);

/* Ask for fresh state of both nodes of a cluster (polls them now). */
void app_fresh_request(struct app *a, size_t cluster, struct app_fresh *f);
/* Every node with a transport has answered a poll started after the request. */
bool app_fresh_ready(const struct app *a, size_t cluster, const struct app_fresh *f);
/* Keep a poll going on the nodes still owed a fresh snapshot. */
void app_fresh_nudge(struct app *a, size_t cluster, const struct app_fresh *f);

/* There is no app_action: only the workflow engine changes nodes
 * (src/workflow/workflow.h, backend.h's mutation grant). */

/* Mutating calls made through every backend (for tests and --wall checks). */
unsigned app_mutations(const struct app *a);

#endif
