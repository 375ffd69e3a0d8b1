/* Parsers for the text that FreeBSD / OPNsense commands print, as the ssh
 * backend (and the emulator's tests) read it: `ifconfig -a`, `ifconfig
 * pfsync0`, `pfctl -si` / `-vsi`, `pfctl -s memory`, `pfctl -s state -vv`,
 * `sysctl net.inet.carp` and `opnsense-version`. Formats: CONTRACT.md §4, §7, §9.
 *
 * The text comes from the network and is not trusted. Every parser:
 *   - takes a NUL-terminated string and never reads past its NUL;
 *   - finds fields by keyword, never by line or column position;
 *   - tolerates tabs or spaces, CRLF line ends, a missing final newline,
 *     unknown lines and a truncated last line (an incomplete line is
 *     skipped, never half-used where that would give a wrong value);
 *   - copies strings bounded; the caller still runs snapshot_sanitize().
 *
 * Return convention: 0 on success. -1 when the text is not recognisable as
 * the command's output at all (empty, an error message, another command's
 * output); then *cause (when cause is not NULL) gets a new string the
 * caller frees, e.g. `ifconfig: line 1: not ifconfig output: "..."`.
 * *cause is written only on failure. On failure the outputs are untouched. */
#ifndef CARPTOP_PARSE_H
#define CARPTOP_PARSE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/* ---- ifconfig -a ------------------------------------------------------ */

/* One address printed on an interface. */
struct ifconfig_addr {
	char address[SNAP_ADDR_LEN]; /* bare: no /prefix, no %scope */
	int prefix;                  /* from netmask / prefixlen / CIDR; -1 if not printed */
	bool inet6;
	bool link_local;             /* fe80::/10 */
	int vhid;                    /* 0: the interface's own address; 1..255: a VIP */
};

/* One `carp:` line (and its FreeBSD 14 `peer ... peer6 ...` continuation). */
struct ifconfig_carp {
	int vhid;
	enum carp_status status;     /* INIT / BACKUP / MASTER; UNKNOWN for a word we do not know */
	int advbase, advskew;
	char peer[SNAP_ADDR_LEN];    /* "" when no peer line (before FreeBSD 14); 224.0.0.18 = multicast */
	char peer6[SNAP_ADDR_LEN];   /* "" when no peer line; ff02::12 = multicast */
};

struct ifconfig_iface {
	char name[SNAP_NAME_LEN];    /* device, "igb1" */
	int mtu;                     /* -1 if the header did not say */
	struct ifconfig_addr *addrs; /* in printed order, VIPs included */
	size_t n_addrs;
	struct ifconfig_carp *carps;
	size_t n_carps;
};

/* Everything parse_ifconfig_ex() saw, owned; free with ifconfig_info_free(). */
struct ifconfig_info {
	struct ifconfig_iface *ifaces;
	size_t n_ifaces;
};

/* FreeBSD `ifconfig -a` (any number of interfaces): appends one vip_row to s
 * for every address that carries `vhid N`, in printed order, with ifdev,
 * vhid, bare address and prefix, and advbase/advskew/status from the same
 * interface's `carp:` line for that vhid (which may come before or after the
 * addresses). A VIP without a usable carp line keeps status CARP_ST_UNKNOWN
 * and advbase/advskew -1; a `carp:` line missing a field is skipped.
 *
 * ifconfig cannot tell a CARP VIP from an IP alias that shares its vhid, so
 * every row gets mode VIP_MODE_CARP and ifname ""; the caller refines both
 * from the configuration (<virtualip> mode and interface).
 *
 * Fails only when no interface header (`name: flags=...`) is found. */
int parse_ifconfig(const char *text, struct snapshot *s, char **cause);

/* The same, and also hands back every interface with its own addresses,
 * MTU and carp lines (peer/peer6) in *info (when info is not NULL; always
 * initialised, empty on failure). s may be NULL to get only *info. */
int parse_ifconfig_ex(const char *text, struct snapshot *s, struct ifconfig_info *info, char **cause);
void ifconfig_info_free(struct ifconfig_info *info);

/* The interface named ifdev, or NULL. */
const struct ifconfig_iface *ifconfig_find(const struct ifconfig_info *info, const char *ifdev);

/* The interface's own (vhid 0) address of the same family whose subnet
 * contains `address` (a VIP), e.g. 10.1.60.201/24 for 10.1.60.200; NULL if
 * there is none (a VIP outside every subnet of its interface, or only a
 * link-local IPv6 address there). For comparing a VIP's prefix with its
 * parent's. */
const struct ifconfig_addr *ifconfig_parent_addr(const struct ifconfig_iface *ifc, const char *address);

/* ---- ifconfig pfsync0 ------------------------------------------------- */

/* FreeBSD 14: `\tsyncdev: igb2 syncpeer: 10.0.10.2 maxupd: 128 defer: off version: 1400`
 * (syncpeer omitted when multicast; the line omitted when neither is set);
 * 13.x and older: `\tpfsync: syncdev: igb2 syncpeer: 224.0.0.240 maxupd: 128 defer: off`.
 * Fills s->pfsync.syncdev ("" = none), syncpeer ("" = multicast: absent or
 * 224.0.0.240) and sets s->pfsync.known. Only the pfsyncN block counts when
 * the text holds several interfaces. Fails on text with neither a pfsync
 * interface header nor a syncdev:/syncpeer:/maxupd: field
 * ("ifconfig: interface pfsync0 does not exist"). */
int parse_ifconfig_pfsync(const char *text, struct snapshot *s, char **cause);

/* ---- pfctl ------------------------------------------------------------ */

/* `pfctl -s memory` reports `unlimited` for a limit: parse_pfctl_memory
 * returns this, so that current/limit ratios stay near 0 without a special
 * case. Show it as "unlimited". */
#define PARSE_UNLIMITED 9223372036854775807LL /* LLONG_MAX */

/* `pfctl -si` / `pfctl -vsi` / `-vvsi`: *current = the count on the
 * `current entries` line of the State Table (not the Source Tracking
 * Table's). hostid (when not NULL, size hostid_sz) gets the `Hostid:` value
 * of -v output as lower-case hex without 0x, or "" when not printed.
 * Fails when there is no usable `current entries` line. */
int parse_pfctl_si(const char *text, long long *current, char *hostid, size_t hostid_sz, char **cause);

/* `pfctl -s memory`: *states_limit = the `states  hard limit N` value, or
 * PARSE_UNLIMITED for `states  unlimited`. Fails without a usable states line. */
int parse_pfctl_memory(const char *text, long long *states_limit, char **cause);

/* `pfctl -s state -vv`: the distinct `creatorid: xxxxxxxx` values (lower-case
 * hex) in first-seen order, the first SNAP_MAX_CREATORS of them, replace
 * s->pfsync.creators / n_creators. Empty text is an empty state table (0
 * creators, success); non-empty text without any creatorid field (plain
 * `pfctl -ss`, an error) fails. */
int parse_pfctl_creators(const char *text, struct snapshot *s, char **cause);

/* ---- sysctl net.inet.carp --------------------------------------------- */

#define CARP_SYSCTL_UNSET LONG_MIN /* a value not printed */

/* Every net.inet.carp value carptop knows; CARP_SYSCTL_UNSET when absent. */
struct carp_sysctl {
	long allow, preempt, log, demotion, dscp;
	long senderr_demotion_factor, ifdown_demotion_factor;
};

/* `sysctl net.inet.carp`: `net.inet.carp.NAME: VALUE` lines in any order;
 * unknown names and other lines are ignored (`sysctl -n` bare values are not
 * accepted: they cannot be told apart). Fills s->carp.allow, demotion and
 * preempt (preempt only when printed) and sets s->carp.known; out (when not
 * NULL) gets every value. Fails unless both allow and demotion are there:
 * a snapshot claiming allow=0 from a cut-off reply would be a lie. s may be NULL. */
int parse_sysctl_carp(const char *text, struct snapshot *s, struct carp_sysctl *out, char **cause);

/* ---- opnsense-version ------------------------------------------------- */

/* `opnsense-version` (`OPNsense 26.7.2 (amd64)`), `opnsense-version -v`
 * (`26.7.2`, `26.7.2_1`): writes the version into version (size n). The
 * first line whose first or second word looks like a version (starts with a
 * digit, has a dot) wins; a `-arch` suffix ("26.7.2-amd64") is cut. Fails
 * when no such line exists or the version does not fit. */
int parse_opnsense_version(const char *text, char *version, size_t n, char **cause);

#endif
