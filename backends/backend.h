/* The transport-independent interface to one node. Each transport (sim, api,
 * ssh) provides one operations table; everything is asynchronous and driven
 * by the one event loop (src/core/loop.h). Completion is reported through the
 * callbacks in struct backend. Actions only go through backend_action(),
 * which enforces read-only mode here, below any UI, and which takes a
 * mutation grant that only the workflow engine holds (see below). */
#ifndef CARPTOP_BACKEND_H
#define CARPTOP_BACKEND_H

#include <stdbool.h>

#include "action.h"
#include "config.h"
#include "loop.h"
#include "snapshot.h"

struct backend;

/* The right to change a node. Only the workflow engine (src/workflow/engine.c)
 * holds one: the type is complete only there and its one instance has
 * internal linkage, so no other code (the console, batch output, the app)
 * can name a valid grant. backend_action() and every transport's
 * action_start refuse a call without it. Tests of a transport's actions
 * link tests/test-grant.c, which defines carptop_test_grant; the carptop
 * binary does not (the weak reference is NULL there, which a test checks
 * with nm). */
struct mutation_grant;
bool mutation_grant_valid(const struct mutation_grant *g);
extern const struct mutation_grant *const carptop_test_grant __attribute__((weak));

/* What only a person can decide for a node, on transports that have it
 * (ssh; NULL elsewhere): a passphrase for an encrypted identity file, an
 * unknown host key. Local trust only: none of these calls the node. The
 * console reaches them through the app (app_node_passphrase,
 * app_node_accept_hostkey), which audits them; backend_* below refuse the
 * changes on a read-only backend. */
struct backend_trust_ops {
	bool (*needs_passphrase)(const struct backend *b);
	/* Copied; wiped on replace and close; never logged or shown. */
	void (*set_passphrase)(struct backend *b, const char *passphrase);
	/* Retry at the next poll, without waiting out the back-off. */
	void (*retry_now)(struct backend *b);
	/* The host key offered on the last connection; false when none seen. */
	bool (*hostkey)(const struct backend *b, char *fingerprint, size_t n, const char **type, bool *unknown);
	/* Accept an unknown (never a changed) host key into known_hosts. */
	int (*accept_hostkey)(struct backend *b, char **cause);
	/* Where the connection goes ("admin@10.0.0.2:2222 via ..."). */
	bool (*route)(const struct backend *b, char *dst, size_t n);
};

struct backend_ops {
	const char *name;           /* "sim", "api", "ssh" */
	/* Prepare (read key files, set up handles). No network I/O may block. */
	int (*open)(struct backend *b, char **cause);
	void (*close)(struct backend *b);
	/* Start one poll; exactly one on_snapshot call follows, also on failure.
	 * Returns -1 if a poll is already running. */
	int (*poll_start)(struct backend *b);
	/* Start one action; exactly one on_action call follows. Returns -1
	 * (nothing sent) without a valid grant. */
	int (*action_start)(struct backend *b, const struct mutation_grant *g, const struct action *a);
	/* Mutating calls made so far (for tests and the read-only guarantee). */
	unsigned (*mutations)(const struct backend *b);
	/* Optional: whether this transport can run an action at all (NULL: all).
	 * Workflows check this before they change anything. */
	bool (*supports)(const struct backend *b, enum action_kind k);
	/* Optional (NULL: this transport cannot read config.xml; config checks
	 * and drift then stay off for the node). Start one read of the node's
	 * current /conf/config.xml; exactly one on_config call follows, with
	 * xml == NULL (len 0) on failure. Returns -1 if a read is already
	 * running. Read-only: allowed in read-only and wall mode.
	 *   sim: sim_render_config_xml();
	 *   api: GET /api/core/backup/download/this (the newest backup, which
	 *        equals config.xml; ACL "Diagnostics: Configuration History");
	 *   ssh: cat /conf/config.xml (sh -c, root's shell is csh).
	 * A transport that implements it should also fill snapshot.config_marker
	 * on every poll with something cheap that changes whenever the config
	 * does, so that config.xml is fetched again only then:
	 *   sim: the node's serial; api: the newest "id" of
	 *   GET /api/core/backup/backups/this; ssh: mtime and size of
	 *   /conf/config.xml. */
	int (*config_start)(struct backend *b);
	/* Optional (NULL: no change stream on this transport). Open the
	 * node's CARP change stream (doc/ssh-stream.md) and keep it open:
	 * on_stream reports it up, each change it carries, and each drop;
	 * after a drop it is reopened with back-off until close. Read-only. */
	int (*stream_start)(struct backend *b);
	/* Optional: see struct backend_trust_ops. */
	const struct backend_trust_ops *trust;
};

/* What the change stream reports (on_stream). */
enum stream_event_kind {
	STREAM_UP = 0,  /* the channel runs; text: the mechanism ("devd", "ifconfig loop") */
	STREAM_CHANGE,  /* the node says a VHID changed state (vhid 0: it did not say which) */
	STREAM_DOWN,    /* the channel ended or failed; text: why. Reopened after retry_s */
};

struct stream_event {
	enum stream_event_kind kind;
	int vhid;
	char ifname[SNAP_NAME_LEN];
	enum carp_status status;
	double retry_s;             /* STREAM_DOWN: seconds until the next attempt */
	char text[SNAP_MSG_LEN];    /* inert */
};

struct backend {
	const struct backend_ops *ops;
	const struct node_conf *conf;
	struct loop *loop;
	bool read_only;             /* set by the caller; actions then fail with NERR_READ_ONLY */
	void *priv;                 /* the transport's state */
	struct backend_outbox *out; /* results on their way to the callbacks (backend.c) */

	void (*on_snapshot)(struct backend *b, const struct snapshot *s, void *ctx);
	void (*on_action)(struct backend *b, const struct action *a, const struct action_result *r, void *ctx);
	/* config_start's result: the whole config.xml (not NUL-terminated
	 * necessarily; len bytes), or NULL when it could not be read. Holds
	 * secrets: parse it, never log or show it. */
	void (*on_config)(struct backend *b, const char *xml, size_t len, void *ctx);
	/* stream_start's reports, from a loop timer (never inside the transport). */
	void (*on_stream)(struct backend *b, const struct stream_event *e, void *ctx);
	void *ctx;
};

/* Whether b's transport can run actions of kind k. */
bool backend_supports(const struct backend *b, enum action_kind k);

/* Make the backend for an api or ssh node, per its conf. Returns NULL and
 * sets *cause. A simulated node is bound to its world by sim_backend_new
 * (sim/sim_backend.h); a transport with such a constructor builds on
 * backend_open. */
struct backend *backend_new(const struct node_conf *conf, struct loop *loop, char **cause);
/* Make a backend of `ops` with its transport state `priv` already made
 * (ops->close frees it, also when open fails) and open it. */
struct backend *backend_open(const struct backend_ops *ops, const struct node_conf *conf, struct loop *loop,
			     void *priv, char **cause);
void backend_free(struct backend *b);

int backend_poll(struct backend *b);
/* Read the node's config.xml (see config_start). -1 when the transport
 * cannot, or a read is already running. */
int backend_config(struct backend *b);
/* Open the change stream (see stream_start). -1 when the transport has none. */
int backend_stream(struct backend *b);
/* The only way to run an action. Refused (returns -1, *cause set, nothing
 * sent) without a valid grant or when b->read_only. Otherwise starts it;
 * on_action reports the end. */
int backend_action(struct backend *b, const struct mutation_grant *g, const struct action *a, char **cause);

/* The trust hooks (struct backend_trust_ops), false / -1 on a transport
 * without them. backend_set_passphrase and backend_accept_hostkey refuse
 * (-1, *cause) on a read-only backend; set_passphrase also retries now. */
bool backend_has_trust(const struct backend *b);
bool backend_needs_passphrase(const struct backend *b);
int backend_set_passphrase(struct backend *b, const char *passphrase, char **cause);
bool backend_hostkey(const struct backend *b, char *fingerprint, size_t n, const char **type, bool *unknown);
int backend_accept_hostkey(struct backend *b, char **cause);
bool backend_route(const struct backend *b, char *dst, size_t n);

/* The one delivery path of every transport. A transport hands a finished
 * result over here and forgets it; the callback runs from a loop timer
 * (never inside the transport's own call, and the callback may free b),
 * once. Snapshot: *s is taken over (left empty). Action: the result's
 * message is made inert. Config: xml (malloc'd, or NULL on failure) is
 * taken over and wiped after the callback, as it holds secrets. Until a
 * handed snapshot or config is delivered, backend_poll / backend_config
 * say a poll / read is still running. */
void backend_hand_snapshot(struct backend *b, struct snapshot *s);
void backend_hand_action(struct backend *b, const struct action *a, const struct action_result *r);
void backend_hand_config(struct backend *b, char *xml, size_t len);

/* backend_new and backend_free make and drop the outbox; a transport's
 * own tests that build a struct backend by hand use these. */
void backend_outbox_open(struct backend *b);
void backend_outbox_close(struct backend *b);

/* Transport constructors (each transport's file). */
extern const struct backend_ops api_backend_ops;
extern const struct backend_ops ssh_backend_ops;

#endif
