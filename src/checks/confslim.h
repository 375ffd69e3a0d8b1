/* A live node's config.xml kept small (issue 16). libxml2's tree of a
 * config.xml costs about 13 times the file: a real 1 MB config.xml would
 * hold 13 MB per node for as long as carptop runs. After parsing, the app
 * keeps of the tree only
 *  - what the config checks walk (src/config_checks.c: the rules that can
 *    pass CARP, outbound NAT, the DHCP settings, the Kea DHCPv4 subnets),
 *  - the virtual IPs (the typed struct xc_vip entries point into them),
 *  - the synced sections whose digest differs from the peer's,
 * and a digest of every synced section (sync_item_maps, src/drift.h) for
 * the drift comparison: a section with equal digests on both nodes has no
 * drift, one whose digests differ is compared in full (drift.c) — from the
 * kept trees, after the node that dropped it has read its config.xml again
 * (conf_cache_slim marks that read).
 *
 * A digest covers what drift compares and more (attributes, order, the
 * bookkeeping fields): equal digests imply no drift; differing ones may
 * still compare equal (an order that carries no meaning). Whitespace around
 * values and empty elements are left out, as drift leaves them out.
 *
 * Offline files (--from-xml) and the doctor keep the whole tree. */
#ifndef CARPTOP_CONFSLIM_H
#define CARPTOP_CONFSLIM_H

#include <stdbool.h>

#include "xmlconf.h"

/* Compute the digest of every synced section of c (once; a full tree). */
void conf_digest(struct xmlconf *c);

/* Cut c's tree down to the check paths, the virtual IPs and the synced
 * sections whose digest differs from peer's (none when peer is NULL or has
 * no digests). Computes c's digests first. Once per config. */
void conf_slim(struct xmlconf *c, const struct xmlconf *peer);

/* Has c (slim) dropped a synced section whose digest differs from peer's?
 * Then the drift in it cannot be shown until c is read again. */
bool conf_slim_lacks(const struct xmlconf *c, const struct xmlconf *peer);

#endif
