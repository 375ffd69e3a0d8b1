/* What one poll of one node found: plain data, filled by a backend (sim, api,
 * ssh) and read by the pair model and the renderers. No pointers to backend
 * state; a snapshot can be copied with snapshot_copy() and outlives its poll. */
#ifndef CARPTOP_SNAPSHOT_H
#define CARPTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

/* What entering persistent maintenance mode adds to net.inet.carp.demotion
 * (carp_set_status.php; CONTRACT §2): the checks, the workflows and the
 * simulator all mean this one number. */
#define MAINT_DEMOTION 240
/* The most a node can advertise: FreeBSD caps advskew + demotion at
 * DEMOTE_ADVSKEW (netinet/ip_carp.c); lower wins. The same number as
 * MAINT_DEMOTION, but another fact. */
#define CARP_SKEW_MAX 240

/* Why a node could not be read. NERR_NONE means it was. Each value has a
 * fixed short label (node_error_label) for machine output; the snapshot's
 * `error` text says precisely what happened for a person. */
enum node_error {
	NERR_NONE = 0,
	NERR_NOT_POLLED,      /* no poll has completed yet */
	NERR_REFUSED,         /* TCP connection refused */
	NERR_UNREACHABLE,     /* no route / DNS failure / host down */
	NERR_TIMEOUT,         /* connect or response timed out */
	NERR_TLS_UNTRUSTED,   /* certificate not signed by a trusted CA */
	NERR_TLS_EXPIRED,     /* certificate expired or not yet valid */
	NERR_TLS_NAME,        /* certificate does not match the host name */
	NERR_TLS_PIN,         /* public key does not match the configured pin */
	NERR_TLS_OTHER,       /* any other TLS handshake failure */
	NERR_AUTH,            /* 401: API key/secret wrong, or ssh auth refused */
	NERR_FORBIDDEN,       /* 403: privilege missing */
	NERR_NOT_FOUND,       /* 404: endpoint absent on this release */
	NERR_SERVER,          /* 5xx */
	NERR_PROTOCOL,        /* malformed, truncated or unexpected reply */
	NERR_HOSTKEY_UNKNOWN, /* ssh: host not in known_hosts */
	NERR_HOSTKEY_CHANGED, /* ssh: host key differs from known_hosts */
	NERR_COMMAND,         /* ssh: a command failed or is missing */
	NERR_CONFIG,          /* local configuration problem (key file, ...) */
	NERR_DOWN,            /* simulated node is powered off / rebooting */
	NERR_READ_ONLY,       /* action refused: read-only or wall mode */
	NERR_INTERNAL,
};
const char *node_error_label(enum node_error e);

enum carp_status {
	CARP_ST_UNKNOWN = 0,
	CARP_ST_INIT,
	CARP_ST_BACKUP,
	CARP_ST_MASTER,
	CARP_ST_DISABLED,
};
const char *carp_status_name(enum carp_status s);         /* "MASTER", ... */
enum carp_status carp_status_parse(const char *s);         /* case-insensitive, unknown -> CARP_ST_UNKNOWN */

enum vip_mode { VIP_MODE_CARP = 0, VIP_MODE_IPALIAS };
const char *vip_mode_name(enum vip_mode m);

#define SNAP_NAME_LEN 64
#define SNAP_ADDR_LEN 64  /* an IPv6 address with %scope fits */
#define SNAP_MSG_LEN 256
#define SNAP_MAX_CREATORS 8
#define SNAP_MAX_PARTIAL 8

/* One address carrying a VHID on a node (a CARP VIP or an IP alias). */
struct vip_row {
	char ifname[SNAP_NAME_LEN]; /* OPNsense interface description or key ("LAN"); "" if unassigned */
	char ifdev[SNAP_NAME_LEN];  /* device ("igb1"); "" if not known (API does not say) */
	int vhid;
	char address[SNAP_ADDR_LEN]; /* bare address, no prefix, no %scope */
	int prefix;                  /* prefix length, -1 if not known */
	enum vip_mode mode;
	int advbase, advskew;        /* -1 if not known */
	enum carp_status status;
};

/* A part of a poll that failed while the node as a whole answered
 * (e.g. pf_states 403 while get_vip_status worked). */
struct snap_partial {
	char what[32];               /* "pf_states", "pfsync", ... */
	enum node_error err;
	char msg[SNAP_MSG_LEN];
};

enum fw_state { FW_UNKNOWN = 0, FW_IDLE, FW_UPDATE_AVAILABLE, FW_RUNNING, FW_REBOOTING, FW_DONE, FW_ERROR };
const char *fw_state_name(enum fw_state s);

struct snapshot {
	/* Reachability. reachable false => everything below `error` is stale/absent. */
	bool reachable;
	enum node_error err;
	char error[SNAP_MSG_LEN];

	char hostname[SNAP_NAME_LEN * 2];
	char version[SNAP_NAME_LEN];      /* product version, "26.7.2" */

	struct {
		bool known;
		int allow;                  /* net.inet.carp.allow: 0/1 */
		long demotion;              /* net.inet.carp.demotion */
		bool maintenance;           /* persistent maintenance mode flag in config */
		int preempt;                /* 1/0, -1 where not known (API does not say) */
		char status_msg[SNAP_MSG_LEN];
	} carp;

	struct vip_row *vips;             /* owned */
	size_t n_vips;

	struct {
		long long current, limit;   /* -1 if not known */
	} states;

	struct {
		bool known;
		char syncdev[SNAP_NAME_LEN];    /* device ("igb2"), or interface key over the API */
		char syncpeer[SNAP_ADDR_LEN];   /* "" = multicast */
		char hostid[16];                /* own creator id, hex, no 0x */
		char creators[SNAP_MAX_CREATORS][16];
		int n_creators;                 /* creator ids seen in the state table (incl. own) */
	} pfsync;

	struct {
		bool known;
		char sync_target[128];          /* synchronizetoip; "" on a secondary */
		char sync_items[512];           /* comma list of sync item ids */
		bool peer_reachable_known;
		bool peer_reachable;            /* hasync_status/version answered (primary only) */
		char peer_version[SNAP_NAME_LEN];
		char peer_error[SNAP_MSG_LEN];
	} hasync;

	struct {
		char version[SNAP_NAME_LEN];
		char latest[SNAP_NAME_LEN];   /* the newest version the node offers (update target), "" unknown */
		enum fw_state state;
		/* An update this transport requested and follows: enum
		 * fwjob_state (backends/parse/fwjob.h), 0 when none; and what
		 * the tracker last saw, for a person. */
		int job;
		char job_detail[SNAP_MSG_LEN];
	} firmware;

	/* Owned, n_partial of them (at most SNAP_MAX_PARTIAL): on the heap,
	 * as most polls have none and a fixed array was half of every
	 * snapshot (2.3 KB), of which each node holds several. */
	struct snap_partial *partial;
	int n_partial;

	/* Changes whenever the node's config.xml does (backend.h config_start):
	 * "" when the transport does not say. Not shown anywhere. */
	char config_marker[64];

	double taken;       /* wall clock seconds when the poll completed */
	double duration_ms; /* how long the poll took */
};

void snapshot_init(struct snapshot *s);
void snapshot_clear(struct snapshot *s);                 /* frees vips, re-inits */
void snapshot_copy(struct snapshot *dst, const struct snapshot *src); /* dst must be init'd */
struct vip_row *snapshot_add_vip(struct snapshot *s);    /* zeroed row, advbase/advskew/prefix -1 */
void snapshot_set_error(struct snapshot *s, enum node_error e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a copy of p (nothing once SNAP_MAX_PARTIAL are there). */
void snapshot_put_partial(struct snapshot *s, const struct snap_partial *p);
void snapshot_add_partial(struct snapshot *s, const char *what, enum node_error e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Make every string that came from the node inert (see text_sanitize). */
void snapshot_sanitize(struct snapshot *s);

#endif
