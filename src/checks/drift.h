/* Config drift: the differences between the primary's and the secondary's
 * config.xml in the sections the primary pushes over XMLRPC sync, as a list
 * of (section, path, primary value, secondary value).
 *
 * What is compared, and how (CONTRACT §6):
 *  - Only the sections of the primary's sync items (<syncitems>, or the
 *    legacy <synchronizeX>on flags), mapped to config sections by the
 *    XMLRPC section map. Everything else is node-specific and never
 *    compared: interfaces, hasync, system.hostname, revision,
 *    virtualip_carp_maintenancemode.
 *  - A missing section equals an empty one (XMLRPC sends an empty element
 *    for a missing section); whitespace around values carries no meaning.
 *  - Children with distinct names: matched by name, in any order.
 *  - Lists where order decides what happens (pf evaluates rules top down,
 *    first match wins): filter/rule, nat/rule, nat/outbound/rule,
 *    nat/onetoone, nat/npt are aligned in order (longest common run), so a
 *    moved or inserted rule is one difference, not every rule after it.
 *  - MVC arrays (items with a uuid attribute) are matched by uuid: their
 *    order is kept in a <sequence> field, which is compared like any field.
 *  - Other lists are matched by a key (name, refid, tunable, ...), or by
 *    content when they have none: their order carries no meaning.
 *  - virtualip: only CARP VIPs are synced; those with nosync are not sent
 *    (and a receiver keeps its own nosync ones). Matched by uuid, else by
 *    interface + vhid. The secondary's advskew is the primary's + 100
 *    (capped at 254): that is what sync writes, not drift.
 *  - Never compared inside a synced section: <created>/<updated> (who and
 *    when, not behaviour), the DHCP failover peer address and the Kea HA
 *    this_server_name (each node names the other / itself), attributes
 *    other than uuid (model versions belong to the version check).
 *  - Secrets (xc_is_secret) are compared but their values never copied:
 *    a difference shows as "(hidden)".
 * IP aliases that carry a VHID are compared on their own by
 * drift_compare_aliases(): a difference splits the VHID. rc.filter_synchronize
 * sends them with the CARP VIPs (every VIP with a VHID) when Virtual IPs is
 * a sync item; the how-to adds them by hand on each node. */
#ifndef CARPTOP_DRIFT_H
#define CARPTOP_DRIFT_H

#include <stddef.h>

#include "pair.h"
#include "xmlconf.h"

/* One XMLRPC sync item and the config sections it sends. */
struct sync_item_map {
	const char *id;             /* "rules" */
	const char *description;    /* "Firewall Rules" */
	const char *sections[5];    /* dotted paths below <opnsense>: "filter", "OPNsense.Firewall.Filter.rules" */
};
extern const struct sync_item_map sync_item_maps[];
extern const size_t n_sync_item_maps;
const struct sync_item_map *sync_item_find(const char *id);

/* A growable list of drift items. */
struct drift_list {
	struct drift_item *items;
	size_t n, cap;
};

/* Compare every section the primary syncs. Appends to `out`. Sync item ids
 * carptop does not know are appended to `unknown` as a comma list (their
 * sections are not compared). Returns the number of items appended. */
size_t drift_compare_synced(const struct xmlconf *primary, const struct xmlconf *secondary,
			    struct drift_list *out, char *unknown, size_t unknown_len);

/* The values of a section whose digests differ while one node's slim
 * config (src/confslim.h) no longer holds it: shown until that node's
 * config.xml has been read again. */
#define DRIFT_PENDING "(differs; reading the details)"

/* IP aliases with a VHID, matched by vhid + address; interface and prefix
 * compared. Section "virtualip.ipalias". Returns the number appended. */
#define DRIFT_ALIAS_SECTION "virtualip.ipalias"
size_t drift_compare_aliases(const struct xmlconf *primary, const struct xmlconf *secondary,
			     struct drift_list *out);

/* One line for a person: "PATH: 'a' vs 'b'", "PATH: only on N1", ... */
void drift_item_text(const struct drift_item *d, const char *name0, const char *name1, char *dst, size_t len);

#endif
