/* Internals of the ssh transport, shared by its files and their unit tests:
 * known_hosts handling (ssh_knownhosts.c), identity file inspection
 * (ssh_identity.c), the batched poll command and its output splitter
 * (ssh_commands.c), and the /conf/config.xml reader (ssh_configxml.c).
 * The state machine that drives libssh2 is ssh_backend.c. */
#ifndef CARPTOP_SSH_INT_H
#define CARPTOP_SSH_INT_H

#include <libssh2.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "snapshot.h"

/* ---- base64 (ssh_knownhosts.c) ---------------------------------------- */

/* Standard alphabet. With pad false the trailing '=' are left out, as ssh
 * prints fingerprints. Returns the length written (dst always NUL-terminated),
 * or 0 when dst is too small. */
size_t b64_encode(const unsigned char *src, size_t len, char *dst, size_t dstsz, bool pad);
/* Decodes, skipping whitespace; stops at '='. Returns the byte count, or -1
 * on a character outside the alphabet or when dst is too small. */
long b64_decode(const char *src, size_t len, unsigned char *dst, size_t dstsz);

/* ---- known_hosts (ssh_knownhosts.c) ----------------------------------- */

/* An OpenSSH known_hosts file loaded into libssh2 line by line: one line
 * libssh2 cannot parse (a future key type, a marker) is skipped instead of
 * silently dropping every line after it, as libssh2_knownhost_readfile does. */
struct kh_file {
	LIBSSH2_KNOWNHOSTS *hosts;
	char **revoked;          /* base64 keys of @revoked lines: refused for every host */
	size_t n_revoked;
	int n_entries, n_skipped;
};

/* A missing file is an empty collection (every host unknown); an unreadable
 * one fails with *cause set. */
int kh_load(LIBSSH2_SESSION *session, const char *path, struct kh_file *kh, char **cause);
void kh_free(struct kh_file *kh);

enum kh_verdict {
	KH_MATCH = 0,
	KH_UNKNOWN,        /* no entry for this host at all */
	KH_CHANGED,        /* an entry of the same key type holds another key */
	KH_CHANGED_TYPE,   /* only entries of other key types: the host changed its key type */
	KH_REVOKED,        /* the key is listed in a @revoked line */
};

/* Check the key the server offered (`type` is a LIBSSH2_HOSTKEY_TYPE_*).
 * Hashed entries (|1|salt|hash) and the [host]:port form are matched by
 * libssh2. For KH_CHANGED_TYPE, *known_type (when not NULL) gets the
 * LIBSSH2_HOSTKEY_TYPE_* that known_hosts holds. */
enum kh_verdict kh_check(const struct kh_file *kh, const char *host, int port, const char *key, size_t keylen,
			 int type, int *known_type);

/* LIBSSH2_METHOD_HOSTKEY preference: the key types known_hosts holds for
 * host:port first (so the server offers the key we can verify), then the
 * rest in carptop's order (ed25519, ecdsa, rsa). A new string. */
char *kh_method_pref(const struct kh_file *kh, const char *host, int port);

/* Append "<pattern> <type> <base64>" to the file (created 0600, its
 * directory 0700 when missing): trust on first use, or an accepted key. */
int kh_append(const char *path, const char *host, int port, const char *key, size_t keylen, int type,
	      char **cause);

/* "[host]:port", or "host" for port 22, as known_hosts and ssh-keygen -R spell it. */
void kh_host_pattern(char *dst, size_t n, const char *host, int port);
/* "SHA256:" + unpadded base64 of a 32-byte digest, as ssh prints it. */
void kh_fingerprint(const unsigned char *sha256, char *dst, size_t n);
/* LIBSSH2_HOSTKEY_TYPE_* as ssh names it in messages ("ED25519") and in
 * known_hosts ("ssh-ed25519"). */
const char *kh_type_label(int type);
const char *kh_type_method(int type);

/* The refusal texts (fit SNAP_MSG_LEN for usual host names). */
void kh_msg_unknown(char *dst, size_t n, const char *host, int port, int type, const char *fp,
		    const char *known_hosts);
void kh_msg_changed(char *dst, size_t n, enum kh_verdict v, const char *host, int port, int type, int known_type,
		    const char *fp, const char *known_hosts);

/* ---- identity files (ssh_identity.c) ---------------------------------- */

enum id_keytype { IDK_UNKNOWN = 0, IDK_ED25519, IDK_ECDSA, IDK_RSA, IDK_DSA, IDK_SK };

struct id_info {
	enum id_keytype type;
	bool encrypted;
	char type_name[40];     /* "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"... or "" */
};

/* Inspect a private key file without libssh2 (which, given an encrypted PEM
 * key and no passphrase, would let OpenSSL prompt on the terminal): its key
 * type (from the OpenSSH container, the PEM label, or `<path>.pub`) and
 * whether it is encrypted. Fails (*cause) when the file cannot be read or is
 * not a private key. */
int id_inspect(const char *path, struct id_info *out, char **cause);
/* The same on text: `pub` is the .pub file's text or NULL. */
int id_inspect_text(const char *text, const char *pub, struct id_info *out, char **cause);
enum id_keytype id_type_from_name(const char *name, size_t len);
const char *id_type_label(enum id_keytype t); /* "ED25519", "RSA"... */

/* ---- the poll command and its output (ssh_commands.c) ----------------- */

/* One section per command of the batched poll. */
enum ssh_sec {
	SEC_IFCONFIG = 0,  /* ifconfig -a */
	SEC_SHOWCARP,      /* configctl interface show carp */
	SEC_SYSCTL,        /* sysctl net.inet.carp */
	SEC_PFINFO,        /* pfctl -vsi */
	SEC_PFMEM,         /* pfctl -s memory */
	SEC_CREATORS,      /* pfctl -ss -vv, filtered to creatorid on the node */
	SEC_PFSYNC,        /* ifconfig pfsync0 */
	SEC_VERSION,       /* opnsense-version */
	/* Only while an update is followed (ssh_poll_command's `firmware`): */
	SEC_DATE,          /* date: the node's clock */
	SEC_BOOTTIME,      /* sysctl -n kern.boottime */
	SEC_FWRUNNING,     /* configctl firmware running: "ready" / "busy" (the firmware lock) */
	SEC_FWSTATUS,      /* configctl firmware status: /tmp/pkg_upgrade.progress */
	SEC_MARKER,        /* mtime and size of /conf/config.xml */
	SEC_CONFIG,        /* cat /conf/config.xml, only when the marker changed */
	SEC__COUNT
};
const char *ssh_sec_id(enum ssh_sec s);      /* "ifconfig", "show-carp"... (marker word) */
const char *ssh_sec_command(enum ssh_sec s); /* "ifconfig -a", ... (for messages) */

#define SSH_NONCE_HEX 16

/* The whole poll as one command line for root's csh: `sh -c '...'`, one
 * line, no `!`, no single quote inside. `nonce` (SSH_NONCE_HEX hex digits)
 * makes the section markers unforgeable by command output; `marker` is the
 * config marker of the cached config.xml ("" = none cached: read it). */
char *ssh_poll_command(const char *nonce, const char *marker, bool firmware);
/* Is this a marker that may be embedded in the command (digits, spaces)? */
bool ssh_marker_safe(const char *marker);

struct ssh_section {
	bool begun;        /* its BEGIN line was seen */
	bool ended;        /* its END line was seen (the command finished) */
	bool cut_line;     /* output ends without a newline: cut mid-line */
	int rc;            /* exit status from the END line; -1 if none */
	const char *text;  /* into the split buffer, NUL-terminated; "" if not begun */
	size_t len;
};

struct ssh_output {
	struct ssh_section sec[SEC__COUNT];
	int n_begun;
	int last_begun;    /* enum ssh_sec begun last, -1 if none */
};

/* Split the poll's stdout in place (buf[len] must be writable: len+1 bytes).
 * Lines that are not this nonce's markers are content; a section without
 * its END line runs to the end of the buffer (cut off). */
void ssh_split(char *buf, size_t len, const char *nonce, struct ssh_output *out);

/* What a poll read for the firmware-job tracker (backends/parse/fwjob.h):
 * -1 / NULL for what was not read or failed. `log` is a new string. */
struct ssh_fw_read {
	char *log;
	int running;
	long long boottime;
	long long node_time; /* `date`, naive seconds (fwjob_parse_time) */
};
void ssh_fw_read(const struct ssh_output *o, struct ssh_fw_read *r);
void ssh_fw_read_free(struct ssh_fw_read *r);
/* `sysctl -n kern.boottime`: "{ sec = 1796220000, usec = 12 } Wed ..." -> sec, or -1. */
long long ssh_parse_boottime(const char *text);
/* ACT_FIRMWARE_UPDATE's output starts with the node's `date` and
 * kern.boottime, read just before the request (the tracker's reference). */
void ssh_fw_request_times(const char *out, long long *req_time, long long *boottime);

/* The config.xml cache (ssh_configxml.c), kept between polls. */
struct cx_config;

/* Turn a split poll into a snapshot (ifconfig decides reachability; every
 * other section adds a partial note when it failed). Reads/updates the
 * config cache and its marker. Returns NERR_NONE, or an error with msg set,
 * in which case the snapshot is not to be used. */
enum node_error ssh_build_snapshot(struct ssh_output *o, struct cx_config *cache, struct snapshot *s, char *msg,
				   size_t n);

/* `configctl interface show carp`: {"demotion":"0","allow":"1",
 * "maintenancemode":false,"status_msg":""} with strings or numbers or
 * booleans. Sets carp.maintenance and status_msg always, allow and demotion
 * only when fill_sysctl (sysctl failed). */
int ssh_parse_show_carp(const char *text, struct snapshot *s, bool fill_sysctl, char **cause);

/* The configctl words of an action, or NULL when the ssh transport cannot
 * run it as a configctl action (VIP add/delete: none edits VIPs; ssh_vip.c runs
 * them through the node's PHP CLI). */
const char *ssh_action_words(enum action_kind k);
/* What rc.filter_synchronize logs when a sync worked. */
#define SSH_SYNC_OK_TEXT "Filter sync successfully completed"
/* The command line for an action: sh -c 'configctl <words> 2>&1'. */
char *ssh_action_command(enum action_kind k);
/* Judge configctl's reply: stdout (stderr merged), the channel's stderr and
 * the exit status. */
void ssh_action_reply(enum action_kind k, const char *out, const char *err, int exit_status,
		      struct action_result *r);

/* ---- VIP add and delete (ssh_vip.c, vip_edit.php) ------------------- */

/* The fixed command line of a VIP change: the PHP CLI reading the program
 * from the channel's standard input. */
#define SSH_PHP_COMMAND "/usr/local/bin/php"
/* The program for ACT_VIP_ADD / ACT_VIP_DELETE with the action's values
 * checked and embedded (a new string), or NULL with *cause set when a value
 * is not acceptable (nothing is to be sent then). */
char *ssh_vip_program(const struct action *a, char **cause);
/* Judge the program's reply (the API's vip_settings JSON on one line; PHP's
 * own error text when it did not get that far). */
void ssh_vip_reply(const char *out, const char *err, int exit_status, struct action_result *r);

/* ---- /conf/config.xml (ssh_configxml.c) ------------------------------- */

struct cx_iface {
	char key[32];                /* "lan", "wan", "opt1" */
	char dev[SNAP_NAME_LEN];     /* <if>: "igb1" */
	char descr[SNAP_NAME_LEN];   /* <descr> or "" */
};

struct cx_vip {
	char iface[32];              /* config key */
	enum vip_mode mode;
	bool mode_other;             /* proxyarp or an unknown mode: never carries a vhid */
	char subnet[SNAP_ADDR_LEN];
	int bits, vhid, advbase, advskew; /* -1 when absent */
};

struct cx_config {
	bool valid;                  /* parsed from the node */
	char marker[64];             /* the marker it was read under */
	char hostname[SNAP_NAME_LEN * 2];
	struct cx_iface *ifaces;
	size_t n_ifaces;
	struct cx_vip *vips;
	size_t n_vips;
	bool maintenance;            /* <virtualip_carp_maintenancemode> present */
	bool hasync_present;
	char sync_target[128];       /* <synchronizetoip> */
	char sync_items[512];        /* <syncitems>, or the legacy <synchronizeX>on flags as "X,..." */
	char pfsync_iface[32];       /* <pfsyncinterface> (key), "" when disabled */
	char pfsync_peer[SNAP_ADDR_LEN];
};

/* Parse config.xml text (libxml2, no network, no entity expansion). Reads
 * only the elements above: passwords, keys and certificates are never
 * copied. Fails on text that is not an OPNsense config. On success *c is
 * replaced (its marker left for the caller). */
int cx_parse(const char *xml, size_t len, struct cx_config *c, char **cause);
void cx_free(struct cx_config *c);   /* back to empty, invalid */

/* Refine rows from ifconfig as the API does (CONTRACT §1): ifname from the
 * device's interface (descr, else the upper-cased key), mode from the
 * <virtualip> entry with the same vhid and address (ipalias when none),
 * then a DISABLED row for every configured VIP whose vhid ifconfig does not
 * show at all. Also hostname, hasync, and carp.maintenance when
 * fill_maintenance. */
void cx_apply(const struct cx_config *c, struct snapshot *s, bool fill_maintenance);

#endif
