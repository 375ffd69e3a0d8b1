/* Config-level checks ("doctor"): the how-to's setup rules, checked on the
 * two config.xml files, one table row each with the how-to's reason. They
 * run on a live pair when the transport can fetch config.xml, and offline
 * on two backups (carptop --batch --from-xml). conf[0] is the primary. */
#include "config_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drift.h"
#include "util.h"
#include "xmlconf.h"

static const char *nname(const struct pair_view *v, int i)
{
	return v->node[i].name; /* src/checks/view.c: one rule for every check */
}

static const struct xmlconf *cf(const struct pair_view *v, int i)
{
	return v->conf[i];
}

#define ADDS(v, c, sev, node, vhid, ...) pair_add_finding((v), (c)->id, (sev), (node), (vhid), (c)->hint, __VA_ARGS__)

static bool is_carp(const struct xc_vip *p)
{
	return p->mode == XC_VIP_CARP && p->vhid > 0;
}

/* "on" for a legacy flag present with any value but 0 (legacy code tests
 * isset()), for MVC booleans "1". */
static bool flag_set(const xmlNode *n, const char *name)
{
	char v[16];
	const xmlNode *k = xc_child(n, name);
	return k && !str_eq(xc_node_text(k, v, sizeof(v)), "0");
}

static bool text_is(const xmlNode *n, const char *path, const char *want)
{
	char v[64];
	return strcasecmp(xc_text(n, path, v, sizeof(v)), want) == 0;
}

/* ---- interface assignments ---------------------------------------------- */

static void compare_addr(struct pair_view *v, const struct check *c, const char *key, const char *a, int abits,
			 const char *b, int bbits, const char *family)
{
	char na[64], nb[64];
	int fa = xc_ip_family(a), fb = xc_ip_family(b);

	if (fa && fb && fa == fb) {
		if (abits == bbits && xc_same_net(a, b, abits))
			return;
		xc_net_text(a, abits, na, sizeof(na));
		xc_net_text(b, bbits, nb, sizeof(nb));
		ADDS(v, c, SEV_CRITICAL, -1, 0,
		     "interface %s is %s/%d on %s but %s/%d on %s (%s): the assignments differ, synced rules and VIPs "
		     "land on the wrong network", key, na, abits, nname(v, 0), nb, bbits, nname(v, 1), family);
		return;
	}
	if (!str_eq(a, b) && (a[0] || b[0]))
		ADDS(v, c, SEV_WARNING, -1, 0, "interface %s is addressed differently (%s): '%s' on %s, '%s' on %s", key,
		     family, a, nname(v, 0), b, nname(v, 1));
}

/* How-to warning: the same drivers on both machines (WAN is igb0 on both
 * sides) and identical assignments; mixed assignments mix master and
 * backup addresses once config is synced. */
static void check_iface_assignment(struct pair_view *v, const struct check *c)
{
	const struct xmlconf *a = cf(v, 0), *b = cf(v, 1);
	size_t i;
	int side;

	if (!a || !b)
		return;
	for (side = 0; side < 2; side++) {
		const struct xmlconf *me = side ? b : a, *other = side ? a : b;
		for (i = 0; i < me->n_ifs; i++)
			if (!xc_iface_find(other, me->ifs[i].key))
				ADDS(v, c, SEV_WARNING, side, 0, "interface %s%s%s%s is assigned on %s only", me->ifs[i].key,
				     me->ifs[i].descr[0] ? " (" : "", me->ifs[i].descr, me->ifs[i].descr[0] ? ")" : "",
				     nname(v, side));
	}
	for (i = 0; i < a->n_ifs; i++) {
		const struct xc_iface *x = &a->ifs[i], *y = xc_iface_find(b, x->key);
		if (!y)
			continue;
		if (x->dev[0] && y->dev[0] && !str_eq(x->dev, y->dev))
			ADDS(v, c, SEV_WARNING, -1, 0,
			     "interface %s is device %s on %s but %s on %s: pfsync states carry device names, so a "
			     "failover drops them", x->key, x->dev, nname(v, 0), y->dev, nname(v, 1));
		compare_addr(v, c, x->key, x->ipaddr, x->subnet, y->ipaddr, y->subnet, "IPv4");
		compare_addr(v, c, x->key, x->ipaddrv6, x->subnetv6, y->ipaddrv6, y->subnetv6, "IPv6");
	}
}

/* ---- CARP VIPs --------------------------------------------------------- */

/* How-to: a CARP VIP takes its interface's prefix (192.168.1.1/24 on a
 * /24), not /32: with /32, DHCP failover fails with "peer holds all free
 * leases". */
static void check_vip_prefix(struct pair_view *v, const struct check *c)
{
	int n;
	size_t i;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		for (i = 0; x && i < x->n_vips; i++) {
			const struct xc_vip *p = &x->vips[i];
			const struct xc_iface *f;
			int fam = xc_ip_family(p->subnet);
			if (!is_carp(p) || p->bits < 0)
				continue;
			f = xc_iface_find(x, p->iface);
			if (fam == 6 && xc_is_link_local6(p->subnet)) {
				if (p->bits != 64)
					ADDS(v, c, SEV_WARNING, n, p->vhid,
					     "%s: CARP VIP %s/%d (VHID %d, %s) is link-local but not /64", nname(v, n),
					     p->subnet, p->bits, p->vhid, p->iface);
				continue;
			}
			if (!f)
				continue;
			if (fam == 4 && xc_ip_family(f->ipaddr) == 4 && f->subnet > 0) {
				if (p->bits != f->subnet)
					ADDS(v, c, SEV_WARNING, n, p->vhid,
					     "%s: CARP VIP %s/%d (VHID %d) has prefix /%d but interface %s is /%d: DHCP "
					     "failover then fails (\"peer holds all free leases\")", nname(v, n), p->subnet,
					     p->bits, p->vhid, p->bits, p->iface, f->subnet);
				else if (!xc_same_net(p->subnet, f->ipaddr, f->subnet))
					ADDS(v, c, SEV_WARNING, n, p->vhid,
					     "%s: CARP VIP %s/%d (VHID %d) is outside interface %s's network (%s/%d)",
					     nname(v, n), p->subnet, p->bits, p->vhid, p->iface, f->ipaddr, f->subnet);
			} else if (fam == 6 && xc_ip_family(f->ipaddrv6) == 6 && f->subnetv6 > 0) {
				if (p->bits != f->subnetv6)
					ADDS(v, c, SEV_WARNING, n, p->vhid,
					     "%s: CARP VIP %s/%d (VHID %d) has prefix /%d but interface %s is /%d",
					     nname(v, n), p->subnet, p->bits, p->vhid, p->bits, p->iface, f->subnetv6);
			}
		}
	}
}

/* How-to, IPv6: clients use the router's link-local address as gateway;
 * many ignore a global unicast one. So the LAN-side CARP VIPv6 is fe80::/64. */
static void check_vip_ipv6_ll(struct pair_view *v, const struct check *c)
{
	int n;
	size_t i;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		for (i = 0; x && i < x->n_vips; i++) {
			const struct xc_vip *p = &x->vips[i];
			char rpath[80];
			bool client_side;
			if (!is_carp(p) || xc_ip_family(p->subnet) != 6 || xc_is_link_local6(p->subnet))
				continue;
			/* Where clients take their gateway from us: the LAN, or an
			 * interface with DHCPv6 / router advertisements configured. */
			str_printf(rpath, sizeof(rpath), "dhcpdv6/%s", p->iface);
			client_side = str_eq(p->iface, "lan") || xc_path(x->root, rpath) != NULL;
			if (client_side)
				ADDS(v, c, SEV_WARNING, n, p->vhid,
				     "%s: IPv6 CARP VIP %s (VHID %d) on %s is not link-local (fe80::/64): many clients "
				     "ignore a global address as their IPv6 gateway", nname(v, n), p->subnet, p->vhid, p->iface);
		}
	}
}

/* How-to: "Use a free VHID Group for each additional CARP VIP". The same
 * VHID on one interface is two groups fighting over one virtual MAC
 * (00:00:5e:00:01:<vhid>); on two interfaces it collides wherever those
 * segments meet (VRRP and other clusters use the same MAC range). */
static void check_vhid_unique(struct pair_view *v, const struct check *c)
{
	int n;
	size_t i, j;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		for (i = 0; x && i < x->n_vips; i++) {
			const struct xc_vip *a = &x->vips[i];
			if (!is_carp(a))
				continue;
			for (j = i + 1; j < x->n_vips; j++) {
				const struct xc_vip *b = &x->vips[j];
				if (!is_carp(b) || b->vhid != a->vhid)
					continue;
				if (str_eq(a->iface, b->iface))
					ADDS(v, c, SEV_CRITICAL, n, a->vhid,
					     "%s: VHID %d is used by two CARP VIPs on %s (%s, %s): use IP aliases for more "
					     "addresses on one VHID", nname(v, n), a->vhid, a->iface, a->subnet, b->subnet);
				else
					ADDS(v, c, SEV_WARNING, n, a->vhid,
					     "%s: VHID %d is used by CARP VIPs on %s (%s) and %s (%s): same virtual MAC "
					     "00:00:5e:00:01:%02x", nname(v, n), a->vhid, a->iface, a->subnet, b->iface,
					     b->subnet, (unsigned)a->vhid & 0xff);
			}
		}
	}
}

/* Every address on a VHID, its password and advbase go into each
 * advertisement: if they differ the nodes ignore each other and both
 * become MASTER. */
static void check_vhid_config(struct pair_view *v, const struct check *c)
{
	const struct xmlconf *a = cf(v, 0), *b = cf(v, 1);
	size_t i, j;
	int side;

	if (!a || !b)
		return;
	for (side = 0; side < 2; side++) {
		const struct xmlconf *me = side ? b : a, *other = side ? a : b;
		for (i = 0; i < me->n_vips; i++) {
			const struct xc_vip *p = &me->vips[i];
			bool found = false;
			if (!is_carp(p))
				continue;
			for (j = 0; j < other->n_vips && !found; j++)
				found = is_carp(&other->vips[j]) && other->vips[j].vhid == p->vhid;
			if (!found)
				ADDS(v, c, SEV_CRITICAL, side, p->vhid, "VHID %d (%s/%d on %s) is configured on %s only",
				     p->vhid, p->subnet, p->bits, p->iface, nname(v, side));
		}
	}
	for (i = 0; i < a->n_vips; i++) {
		const struct xc_vip *p = &a->vips[i], *q = NULL;
		if (!is_carp(p))
			continue;
		for (j = 0; j < b->n_vips && !q; j++)
			if (is_carp(&b->vips[j]) && b->vips[j].vhid == p->vhid)
				q = &b->vips[j];
		if (!q)
			continue;
		if (!str_eq(p->iface, q->iface))
			ADDS(v, c, SEV_CRITICAL, -1, p->vhid, "VHID %d is on %s on %s but on %s on %s", p->vhid, p->iface,
			     nname(v, 0), q->iface, nname(v, 1));
		if (!str_eq(p->subnet, q->subnet))
			ADDS(v, c, SEV_CRITICAL, -1, p->vhid, "VHID %d address differs: %s on %s, %s on %s", p->vhid,
			     p->subnet, nname(v, 0), q->subnet, nname(v, 1));
		if (!str_eq(p->password, q->password))
			ADDS(v, c, SEV_CRITICAL, -1, p->vhid, "VHID %d password differs between %s and %s (not shown)",
			     p->vhid, nname(v, 0), nname(v, 1));
		if (p->advbase != q->advbase)
			ADDS(v, c, SEV_CRITICAL, -1, p->vhid, "VHID %d advbase differs: %d on %s, %d on %s", p->vhid,
			     p->advbase, nname(v, 0), q->advbase, nname(v, 1));
	}
}

/* ---- firewall rules that pass CARP --------------------------------------- */

/* Does a rule's source admit advertisements from the peer? Any source, the
 * interface's own network ("lan"), or a CIDR holding its address. A
 * negation, a host or an alias is not evaluated: not counted. */
static bool src_ok(const char *net, bool any, bool negated, const struct xc_iface *f)
{
	if (negated)
		return false;
	if (any || str_eq(net, "any"))
		return true;
	if (str_eq(net, f->key))
		return true;
	return strchr(net, '/') && (xc_in_cidr(f->ipaddr, net) || xc_in_cidr(f->ipaddrv6, net));
}

/* ... and the destination: any, or the CARP multicast group. */
static bool dst_ok(const char *net, bool any, bool negated, int fam)
{
	const char *group = fam == 6 ? "ff02::12" : "224.0.0.18";
	if (negated)
		return false;
	if (any || str_eq(net, "any") || str_eq(net, group))
		return true;
	return strchr(net, '/') && xc_in_cidr(group, net);
}

static bool ipproto_ok(const char *ipp, int fam)
{
	if (!ipp[0])
		return fam == 4; /* legacy default: inet */
	if (str_eq(ipp, "inet46"))
		return true;
	return fam == 6 ? str_eq(ipp, "inet6") : str_eq(ipp, "inet");
}

static bool proto_ok(const char *proto)
{
	return !proto[0] || strcasecmp(proto, "any") == 0 || strcasecmp(proto, "carp") == 0;
}

static bool direction_in(const char *dir)
{
	return !dir[0] || str_eq(dir, "in") || str_eq(dir, "any");
}

/* Legacy <filter><rule>: pass (the default type), not disabled, on the
 * interface (floating rules list several, and must match inbound), protocol
 * carp or any, the VIP's address family, from the peer to the group. */
static bool legacy_rule_passes(const xmlNode *r, const struct xc_iface *f, int fam)
{
	char type[16], ifs[256], proto[32], ipp[16], dir[16], net[128];
	const xmlNode *src = xc_child(r, "source"), *dst = xc_child(r, "destination");

	xc_text(r, "type", type, sizeof(type));
	if ((type[0] && !str_eq(type, "pass")) || flag_set(r, "disabled"))
		return false;
	if (!xc_list_has(xc_text(r, "interface", ifs, sizeof(ifs)), f->key))
		return false;
	if (text_is(r, "floating", "yes") && !direction_in(xc_text(r, "direction", dir, sizeof(dir))))
		return false;
	if (!proto_ok(xc_text(r, "protocol", proto, sizeof(proto))) || !ipproto_ok(xc_text(r, "ipprotocol", ipp, sizeof(ipp)), fam))
		return false;
	if (!src || !src_ok(xc_text(src, xc_child(src, "network") ? "network" : "address", net, sizeof(net)),
			    xc_child(src, "any") != NULL, xc_child(src, "not") != NULL, f))
		return false;
	if (!dst || !dst_ok(xc_text(dst, xc_child(dst, "network") ? "network" : "address", net, sizeof(net)),
			    xc_child(dst, "any") != NULL, xc_child(dst, "not") != NULL, fam))
		return false;
	return true;
}

/* MVC OPNsense.Firewall.Filter.rules (core Filter.xml model): enabled,
 * action, interface (list), interfacenot, direction, ipprotocol, protocol,
 * source_net/_not, destination_net/_not. */
static bool mvc_rule_passes(const xmlNode *r, const struct xc_iface *f, int fam)
{
	char action[16], ifs[256], proto[32], ipp[16], dir[16], net[128];
	char en[8];

	if (str_eq(xc_text(r, "enabled", en, sizeof(en)), "0"))
		return false;
	xc_text(r, "action", action, sizeof(action));
	if (action[0] && !str_eq(action, "pass"))
		return false;
	if (!xc_list_has(xc_text(r, "interface", ifs, sizeof(ifs)), f->key) || text_is(r, "interfacenot", "1"))
		return false;
	if (!direction_in(xc_text(r, "direction", dir, sizeof(dir))))
		return false;
	if (!proto_ok(xc_text(r, "protocol", proto, sizeof(proto))) || !ipproto_ok(xc_text(r, "ipprotocol", ipp, sizeof(ipp)), fam))
		return false;
	/* An empty net is the model's default: any. */
	xc_text(r, "source_net", net, sizeof(net));
	if (!src_ok(net, !net[0], text_is(r, "source_not", "1"), f))
		return false;
	xc_text(r, "destination_net", net, sizeof(net));
	if (!dst_ok(net, !net[0], text_is(r, "destination_not", "1"), fam))
		return false;
	return true;
}

static bool carp_passes(const struct xmlconf *x, const struct xc_iface *f, int fam)
{
	const xmlNode *r;
	for (r = xc_child(xc_child(x->root, "filter"), "rule"); r; r = xc_next(r, "rule"))
		if (legacy_rule_passes(r, f, fam))
			return true;
	for (r = xc_child(xc_path(x->root, "OPNsense/Firewall/Filter/rules"), "rule"); r; r = xc_next(r, "rule"))
		if (mvc_rule_passes(r, f, fam))
			return true;
	return false;
}

/* How-to: "make sure both LAN and WAN accept at least carp packets". A
 * node that drops its peer's advertisements becomes MASTER as well. */
static void check_carp_rule(struct pair_view *v, const struct check *c)
{
	int n, fam;
	size_t i, j;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		for (i = 0; x && i < x->n_vips; i++) {
			const struct xc_vip *p = &x->vips[i];
			const struct xc_iface *f;
			bool seen = false;
			if (!is_carp(p) || !(fam = xc_ip_family(p->subnet)) || !(f = xc_iface_find(x, p->iface)))
				continue;
			/* Once per interface and family. */
			for (j = 0; j < i && !seen; j++)
				seen = is_carp(&x->vips[j]) && str_eq(x->vips[j].iface, p->iface) &&
				       xc_ip_family(x->vips[j].subnet) == fam;
			if (seen || carp_passes(x, f, fam))
				continue;
			ADDS(v, c, c->severity, n, p->vhid,
			     "%s: no firewall rule passes CARP (IP protocol 112, %s) into %s from its network to %s: the "
			     "peer's advertisements are dropped and both nodes become MASTER", nname(v, n),
			     fam == 6 ? "IPv6" : "IPv4", p->iface, fam == 6 ? "ff02::12" : "224.0.0.18");
		}
	}
}

/* ---- outbound NAT to the CARP VIP ----------------------------------------- */

static bool upstream(const struct xc_iface *f)
{
	return f->has_gateway || str_eq(f->key, "wan");
}

/* Interfaces with an IPv4 CARP VIP, split into upstream (WAN-like) and
 * the rest (LAN-like). */
static bool has_carp4(const struct xmlconf *x, const char *iface)
{
	size_t i;
	for (i = 0; i < x->n_vips; i++)
		if (is_carp(&x->vips[i]) && str_eq(x->vips[i].iface, iface) && xc_ip_family(x->vips[i].subnet) == 4)
			return true;
	return false;
}

static bool is_carp4_addr(const struct xmlconf *x, const char *iface, const char *addr)
{
	size_t i;
	for (i = 0; i < x->n_vips; i++)
		if (is_carp(&x->vips[i]) && str_eq(x->vips[i].iface, iface) && str_eq(x->vips[i].subnet, addr))
			return true;
	return false;
}

struct nat_rule {
	bool enabled;
	char iface[XC_KEY_LEN];
	char target[XC_ADDR_LEN];
	char source[128];  /* "any", an interface key, or a CIDR */
};

/* Both shapes: legacy <nat><outbound><rule> and MVC snatrules. */
static size_t nat_rules(const struct xmlconf *x, struct nat_rule **out)
{
	const xmlNode *r;
	size_t n = 0;
	*out = NULL;
	for (r = xc_child(xc_path(x->root, "nat/outbound"), "rule"); r; r = xc_next(r, "rule")) {
		struct nat_rule *q;
		const xmlNode *src = xc_child(r, "source");
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		q = &(*out)[n++];
		memset(q, 0, sizeof(*q));
		q->enabled = !flag_set(r, "disabled") && !flag_set(r, "nonat");
		xc_text(r, "interface", q->iface, sizeof(q->iface));
		xc_text(r, "target", q->target, sizeof(q->target));
		if (xc_child(src, "any"))
			str_copy(q->source, "any", sizeof(q->source));
		else
			xc_text(src, xc_child(src, "network") ? "network" : "address", q->source, sizeof(q->source));
		if (xc_child(src, "not"))
			q->source[0] = '\0';
	}
	for (r = xc_child(xc_path(x->root, "OPNsense/Firewall/Filter/snatrules"), "rule"); r; r = xc_next(r, "rule")) {
		struct nat_rule *q;
		char en[8];
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		q = &(*out)[n++];
		memset(q, 0, sizeof(*q));
		q->enabled = !str_eq(xc_text(r, "enabled", en, sizeof(en)), "0") && !text_is(r, "nonat", "1");
		xc_text(r, "interface", q->iface, sizeof(q->iface));
		xc_text(r, "target", q->target, sizeof(q->target));
		xc_text(r, "source_net", q->source, sizeof(q->source));
		if (!q->source[0])
			str_copy(q->source, "any", sizeof(q->source));
		if (text_is(r, "source_not", "1"))
			q->source[0] = '\0';
	}
	return n;
}

static bool nat_mode_manual(const struct xmlconf *x, char *mode, size_t len)
{
	xc_text(x->root, "nat/outbound/mode", mode, len);
	return str_eq(mode, "advanced") || str_eq(mode, "hybrid");
}

/* How-to, "Setup outbound NAT": traffic leaving the firewall must use the
 * CARP VIP so that it survives a failover; the default (automatic) uses
 * the interface's own address. Manual (advanced) or hybrid mode, with rules
 * from the LAN to the WAN CARP VIP. */
static void check_outbound_nat(struct pair_view *v, const struct check *c)
{
	int n;
	size_t i, j, k;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		struct nat_rule *rules;
		size_t nr;
		char mode[32];
		bool any_up = false;
		if (!x)
			continue;
		for (i = 0; i < x->n_ifs; i++)
			any_up |= upstream(&x->ifs[i]) && has_carp4(x, x->ifs[i].key);
		if (!any_up)
			continue;
		if (!nat_mode_manual(x, mode, sizeof(mode))) {
			if (!str_eq(mode, "disabled"))
				ADDS(v, c, SEV_WARNING, n, 0,
				     "%s: outbound NAT is %s: it translates to the interface's own address, not the "
				     "CARP VIP, so connections break on failover", nname(v, n),
				     mode[0] ? mode : "automatic");
			continue;
		}
		nr = nat_rules(x, &rules);
		for (i = 0; i < x->n_ifs; i++) {
			const struct xc_iface *w = &x->ifs[i];
			if (!upstream(w) || !has_carp4(x, w->key))
				continue;
			for (j = 0; j < x->n_ifs; j++) {
				const struct xc_iface *l = &x->ifs[j];
				bool ok = false;
				char net[64];
				if (j == i || upstream(l) || !has_carp4(x, l->key))
					continue;
				for (k = 0; k < nr && !ok; k++) {
					const struct nat_rule *q = &rules[k];
					ok = q->enabled && str_eq(q->iface, w->key) && is_carp4_addr(x, w->key, q->target) &&
					     (str_eq(q->source, "any") || str_eq(q->source, l->key) ||
					      (strchr(q->source, '/') && xc_in_cidr(l->ipaddr, q->source)));
				}
				if (ok)
					continue;
				xc_net_text(l->ipaddr, l->subnet, net, sizeof(net));
				ADDS(v, c, SEV_WARNING, n, 0,
				     "%s: no outbound NAT rule on %s translates %s (%s/%d) to a CARP VIP of %s: after a "
				     "failover those connections leave with the node's own address", nname(v, n), w->key,
				     l->key, net[0] ? net : "?", l->subnet, w->key);
			}
		}
		free(rules);
	}
}

/* carp-troubleshooting "Backup node cannot reach internet": a rule that
 * translates any source to the VIP also catches the node's own traffic;
 * while BACKUP it sends from an address it does not hold (updates fail). */
static void check_nat_any(struct pair_view *v, const struct check *c)
{
	int n;
	size_t k;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n);
		struct nat_rule *rules;
		size_t nr;
		char mode[32];
		if (!x || !nat_mode_manual(x, mode, sizeof(mode)))
			continue;
		nr = nat_rules(x, &rules);
		for (k = 0; k < nr; k++)
			if (rules[k].enabled && str_eq(rules[k].source, "any") &&
			    is_carp4_addr(x, rules[k].iface, rules[k].target)) {
				ADDS(v, c, c->severity, n, 0,
				     "%s: an outbound NAT rule on %s translates source any to the CARP VIP %s: the node "
				     "itself cannot reach the internet while BACKUP", nname(v, n), rules[k].iface,
				     rules[k].target);
				break;
			}
		free(rules);
	}
}

/* ---- DHCP ---------------------------------------------------------------- */

static const char *iface_addr_of(const struct xmlconf *x, const char *key)
{
	const struct xc_iface *f = xc_iface_find(x, key);
	return f ? f->ipaddr : "";
}

static void isc_dhcp(struct pair_view *v, const struct check *c, int n)
{
	const struct xmlconf *x = cf(v, n), *peer = cf(v, 1 - n);
	const xmlNode *d;
	for (d = xc_child(x->root, "dhcpd") ? xc_child(x->root, "dhcpd")->children : NULL; d; d = d->next) {
		const char *key = (const char *)d->name;
		const xmlNode *k;
		struct strbuf why;
		char gw[64], peerip[64], dns[64];
		int n_dns = 0;
		bool dns_self = false;
		if (d->type != XML_ELEMENT_NODE || !flag_set(d, "enable") || !has_carp4(x, key))
			continue;
		sb_init(&why);
		xc_text(d, "gateway", gw, sizeof(gw));
		if (!gw[0])
			sb_printf(&why, "; hands out no gateway (clients get this node's own address)");
		else if (!is_carp4_addr(x, key, gw))
			sb_printf(&why, "; hands out gateway %s, not the CARP VIP", gw);
		for (k = xc_child(d, "dnsserver"); k; k = xc_next(k, "dnsserver")) {
			if (!xc_node_text(k, dns, sizeof(dns))[0])
				continue;
			n_dns++;
			dns_self |= str_eq(dns, iface_addr_of(x, key));
		}
		if (!n_dns)
			sb_printf(&why, "; hands out no DNS server (clients get this node's own address)");
		else if (dns_self)
			sb_printf(&why, "; hands out this node's own address as DNS server");
		xc_text(d, "failover_peerip", peerip, sizeof(peerip));
		if (!peerip[0])
			sb_printf(&why, "; has no failover peer (both nodes serve the pool unaware of each other)");
		else if (peer && xc_iface_find(peer, key) && iface_addr_of(peer, key)[0] &&
			 !str_eq(peerip, iface_addr_of(peer, key)))
			sb_printf(&why, "; failover peer is %s but %s's %s address is %s", peerip, nname(v, 1 - n), key,
				  iface_addr_of(peer, key));
		if (why.len)
			ADDS(v, c, SEV_WARNING, n, 0, "%s: DHCP on %s%s", nname(v, n), key, why.buf + 1);
		sb_free(&why);
	}
}

static bool list_has_carp4(const struct xmlconf *x, const char *list)
{
	size_t i;
	for (i = 0; i < x->n_vips; i++)
		if (is_carp(&x->vips[i]) && xc_ip_family(x->vips[i].subnet) == 4 && xc_list_has(list, x->vips[i].subnet))
			return true;
	return false;
}

/* Kea (OPNsense.Kea.dhcp4, core KeaDhcpv4.xml): per subnet4 that holds a
 * CARP VIP, routers and DNS must be set by hand to the VIP (autocollect
 * takes the interface's own address), and HA peers must be configured. */
static void kea_dhcp(struct pair_view *v, const struct check *c, int n)
{
	const struct xmlconf *x = cf(v, n);
	const xmlNode *k4 = xc_path(x->root, "OPNsense/Kea/dhcp4"), *s, *p;
	struct strbuf why;
	bool any = false;
	int peers = 0;

	if (!k4 || !text_is(k4, "general/enabled", "1"))
		return;
	sb_init(&why);
	for (s = xc_child(xc_child(k4, "subnets"), "subnet4"); s; s = xc_next(s, "subnet4")) {
		char net[64], routers[256], dns[256];
		size_t i;
		bool holds = false;
		xc_text(s, "subnet", net, sizeof(net));
		for (i = 0; i < x->n_vips && !holds; i++)
			holds = is_carp(&x->vips[i]) && xc_in_cidr(x->vips[i].subnet, net);
		if (!holds)
			continue;
		any = true;
		if (!text_is(s, "option_data_autocollect", "0"))
			sb_printf(&why, "; subnet %s collects router and DNS automatically (this node's own address)", net);
		else {
			if (!list_has_carp4(x, xc_text(s, "option_data/routers", routers, sizeof(routers))))
				sb_printf(&why, "; subnet %s hands out router '%s', not the CARP VIP", net, routers);
			if (!xc_text(s, "option_data/domain_name_servers", dns, sizeof(dns))[0])
				sb_printf(&why, "; subnet %s hands out no DNS server", net);
		}
	}
	for (p = xc_child(xc_child(k4, "ha_peers"), "peer"); p; p = xc_next(p, "peer"))
		peers++;
	if (any && (!text_is(k4, "ha/enabled", "1") || peers < 2))
		sb_printf(&why, "; high availability is %s (%d peer%s): both nodes serve the pools unaware of each other",
			  text_is(k4, "ha/enabled", "1") ? "on" : "off", peers, peers == 1 ? "" : "s");
	if (why.len)
		ADDS(v, c, SEV_WARNING, n, 0, "%s: Kea DHCPv4%s", nname(v, n), why.buf + 1);
	sb_free(&why);
}

/* How-to, "(optional) Setup DHCP server": clients must get the virtual
 * address as gateway and DNS server, and the two servers must know of
 * each other's pools (failover peer = the other node's address). */
static void check_dhcp(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		if (!cf(v, n))
			continue;
		isc_dhcp(v, c, n);
		kea_dhcp(v, c, n);
	}
}

/* ---- pfsync and XMLRPC ----------------------------------------------------- */

static bool carries_vip(const struct xmlconf *x, const char *key)
{
	size_t i;
	for (i = 0; i < x->n_vips; i++)
		if (is_carp(&x->vips[i]) && str_eq(x->vips[i].iface, key))
			return true;
	return false;
}

/* How-to: pfsync on a dedicated interface (state injection, bandwidth),
 * peer IP set to the other node's address on it. */
static void check_pfsync(struct pair_view *v, const struct check *c)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct xmlconf *x = cf(v, n), *peer = cf(v, 1 - n);
		const struct xc_hasync *h;
		const struct xc_iface *f;
		if (!x)
			continue;
		h = &x->hasync;
		if (!h->pfsync_enabled) {
			ADDS(v, c, SEV_WARNING, n, 0, "%s: pfsync is off: states are not copied, a failover drops every "
			     "connection", nname(v, n));
			continue;
		}
		f = xc_iface_find(x, h->pfsyncinterface);
		if (str_eq(h->pfsyncinterface, "lan") || str_eq(h->pfsyncinterface, "wan") || (f && upstream(f)) ||
		    carries_vip(x, h->pfsyncinterface))
			ADDS(v, c, SEV_WARNING, n, 0, "%s: pfsync runs on %s, which also carries traffic: use a dedicated "
			     "interface (anyone there can inject states)", nname(v, n), h->pfsyncinterface);
		if (!h->pfsyncpeerip[0]) {
			ADDS(v, c, SEV_INFO, n, 0, "%s: pfsync has no peer IP and sends to multicast; the how-to sets the "
			     "other node's address", nname(v, n));
		} else if (peer && peer->hasync.pfsync_enabled) {
			const struct xc_iface *pf = xc_iface_find(peer, peer->hasync.pfsyncinterface);
			if (pf && xc_ip_family(pf->ipaddr) && !str_eq(pf->ipaddr, h->pfsyncpeerip))
				ADDS(v, c, SEV_WARNING, n, 0, "%s: pfsync peer is %s but %s's pfsync address (%s) is %s",
				     nname(v, n), h->pfsyncpeerip, nname(v, 1 - n), peer->hasync.pfsyncinterface,
				     pf->ipaddr);
		}
	}
	if (cf(v, 0) && cf(v, 1) && cf(v, 0)->hasync.pfsync_enabled && cf(v, 1)->hasync.pfsync_enabled &&
	    !str_eq(cf(v, 0)->hasync.pfsyncinterface, cf(v, 1)->hasync.pfsyncinterface))
		ADDS(v, c, SEV_WARNING, -1, 0, "pfsync interfaces differ: %s on %s, %s on %s",
		     cf(v, 0)->hasync.pfsyncinterface, nname(v, 0), cf(v, 1)->hasync.pfsyncinterface, nname(v, 1));
}

/* The host part of a sync target: "10.0.0.2", "https://10.0.0.2:443/xmlrpc.php". */
static void target_host(const char *t, char *dst, size_t len)
{
	const char *p = strstr(t, "://");
	size_t l;
	p = p ? p + 3 : t;
	if (*p == '[') {
		p++;
		l = strcspn(p, "]");
	} else {
		l = strcspn(p, ":/");
	}
	str_copy(dst, p, l + 1 < len ? l + 1 : len);
}

/* How-to, "Setup HA sync": the primary pushes to the other node with
 * credentials; a secondary with a target would push back onto the master. */
static void check_xmlrpc(struct pair_view *v, const struct check *c)
{
	const struct xmlconf *p = cf(v, 0), *s = cf(v, 1);
	if (p) {
		const struct xc_hasync *h = &p->hasync;
		if (!h->synchronizetoip[0]) {
			ADDS(v, c, SEV_WARNING, 0, 0, "%s (primary) has no XMLRPC sync target: nothing reaches %s",
			     nname(v, 0), nname(v, 1));
		} else {
			char host[128];
			if (!h->username[0] || !h->has_password)
				ADDS(v, c, SEV_WARNING, 0, 0, "%s: XMLRPC sync to %s has no %s", nname(v, 0),
				     h->synchronizetoip, h->username[0] ? "password" : "user name");
			if (h->n_items == 0)
				ADDS(v, c, SEV_INFO, 0, 0, "%s: XMLRPC sync is set up but no section is selected",
				     nname(v, 0));
			target_host(h->synchronizetoip, host, sizeof(host));
			if (s && xc_ip_family(host)) {
				bool found = false;
				size_t i;
				for (i = 0; i < s->n_ifs && !found; i++)
					found = str_eq(s->ifs[i].ipaddr, host) || str_eq(s->ifs[i].ipaddrv6, host);
				if (!found)
					ADDS(v, c, SEV_WARNING, 0, 0,
					     "%s syncs to %s, which is not an interface address of %s", nname(v, 0), host,
					     nname(v, 1));
			}
		}
	}
	if (s && s->hasync.synchronizetoip[0])
		ADDS(v, c, SEV_WARNING, 1, 0, "%s (secondary) has an XMLRPC sync target (%s): it would push its config "
		     "onto the primary", nname(v, 1), s->hasync.synchronizetoip);
}

/* ---- drift ------------------------------------------------------------------- */

static struct drift_list view_list(struct pair_view *v)
{
	struct drift_list l = { v->drift, v->n_drift, v->n_drift };
	return l;
}

static void view_take(struct pair_view *v, struct drift_list *l)
{
	v->drift = l->items;
	v->n_drift = l->n;
}

/* Every address on a VHID is hashed into its advertisements: an alias on
 * one node only makes both nodes MASTER. rc.filter_synchronize sends every
 * VIP with a VHID (IP aliases included) when Virtual IPs is a sync item,
 * but a sync also reconfigures the peer at once: the how-to adds the alias
 * on each node by hand, CARP disabled on one meanwhile. */
static void check_vip_alias(struct pair_view *v, const struct check *c)
{
	struct drift_list l;
	size_t from, i;
	if (!cf(v, 0) || !cf(v, 1))
		return;
	l = view_list(v);
	from = l.n;
	drift_compare_aliases(cf(v, 0), cf(v, 1), &l);
	view_take(v, &l);
	for (i = from; i < v->n_drift; i++) {
		const struct drift_item *d = &v->drift[i];
		int vhid = 0;
		sscanf(d->path, "virtualip/vip[vhid=%d", &vhid);
		if (d->absent[0] || d->absent[1]) {
			int has = d->absent[0] ? 1 : 0;
			ADDS(v, c, SEV_CRITICAL, has, vhid,
			     "IP alias %s on VHID %d exists on %s only: the VHID's advertisements now differ (both "
			     "nodes MASTER) until it is on both nodes", d->value[has], vhid, nname(v, has));
		} else {
			char line[FINDING_MSG_LEN];
			drift_item_text(d, nname(v, 0), nname(v, 1), line, sizeof(line));
			ADDS(v, c, SEV_WARNING, -1, vhid, "IP alias on VHID %d differs: %s", vhid, line);
		}
	}
}

/* FIELD-NOTES check 9: the sections the primary syncs should be equal on
 * the secondary; a difference means a sync has not run since, failed, or
 * the secondary was edited by hand, and a failover runs the other config. */
static void check_drift(struct pair_view *v, const struct check *c)
{
	struct drift_list l;
	char unknown[256];
	size_t from, i, j;

	if (!cf(v, 0) || !cf(v, 1))
		return;
	l = view_list(v);
	from = l.n;
	drift_compare_synced(cf(v, 0), cf(v, 1), &l, unknown, sizeof(unknown));
	view_take(v, &l);
	/* One finding per section, naming its first differences. */
	for (i = from; i < v->n_drift; i++) {
		struct strbuf sb;
		size_t count = 0, shown = 0;
		bool first_of_section = true;
		for (j = from; j < i && first_of_section; j++)
			first_of_section = !str_eq(v->drift[j].section, v->drift[i].section);
		if (!first_of_section)
			continue;
		for (j = i; j < v->n_drift; j++)
			count += str_eq(v->drift[j].section, v->drift[i].section);
		sb_init(&sb);
		sb_printf(&sb, "config drift in %s: %zu difference%s", v->drift[i].section, count, count == 1 ? "" : "s");
		for (j = i; j < v->n_drift && shown < 2; j++) {
			char line[FINDING_MSG_LEN];
			if (!str_eq(v->drift[j].section, v->drift[i].section))
				continue;
			drift_item_text(&v->drift[j], nname(v, 0), nname(v, 1), line, sizeof(line));
			sb_printf(&sb, "%s %s", shown ? ";" : ":", line);
			shown++;
		}
		if (count > shown)
			sb_add(&sb, "; ...");
		ADDS(v, c, c->severity, -1, 0, "%s", sb.buf);
		sb_free(&sb);
	}
	if (unknown[0])
		ADDS(v, c, SEV_INFO, -1, 0, "sync items not known to carptop, not compared: %s", unknown);
}

const struct check config_checks[] = {
	{ "iface-assignment", SEV_CRITICAL, "interface assignments differ",
	  "The same interface key must mean the same network (and the same NIC driver) on both nodes: synced rules "
	  "and VIPs are keyed by it, and pfsync states carry device names.",
	  "Assign interfaces identically on both nodes (Interfaces: Overview: DMZ is opt1 on both; WAN is igb0 on "
	  "both).", "how-to: Setup interfaces (warning)", check_iface_assignment },
	{ "vip-prefix", SEV_WARNING, "CARP VIP prefix differs from its interface",
	  "A CARP VIP takes its interface's prefix (/24 on a /24); with /32, DHCP failover fails with \"peer holds "
	  "all free leases\".",
	  "Set the VIP's prefix to the interface's (Interfaces: Virtual IPs).", "how-to: Setup Virtual IPs",
	  check_vip_prefix },
	{ "vip-ipv6-linklocal", SEV_WARNING, "IPv6 LAN CARP VIP not link-local",
	  "Clients take an IPv6 gateway from router advertisements as a link-local address; many ignore a global "
	  "one.",
	  "Use a link-local CARP VIP (fe80::1/64) on the LAN side.", "how-to: IPv6 (CARP)", check_vip_ipv6_ll },
	{ "vhid-unique", SEV_CRITICAL, "VHID used by two CARP VIPs",
	  "Each CARP VIP needs its own VHID group: two with one VHID share the virtual MAC 00:00:5e:00:01:<vhid> "
	  "and fight over it.",
	  "Give each CARP VIP a free VHID; put extra addresses on a VHID as IP aliases.",
	  "how-to: Use a free VHID Group for each additional CARP VIP", check_vhid_unique },
	{ "vhid-config-mismatch", SEV_CRITICAL, "VHID configured differently",
	  "Every address on a VHID, its password and advbase go into each advertisement: a difference makes the "
	  "nodes ignore each other and both become MASTER.",
	  "Sync Virtual IPs from the primary, or edit the VIP identically on both nodes (CARP disabled on one "
	  "meanwhile).", "how-to: Setup Virtual IPs; FIELD-NOTES check 6", check_vhid_config },
	{ "vip-alias-manual", SEV_CRITICAL, "IP aliases on a VHID differ",
	  "An alias on one node only changes that node's advertisement hash and both nodes become MASTER. A "
	  "config sync with Virtual IPs selected sends every VIP with a VHID, aliases included, but only when run.",
	  "Add the alias on the other node too, with CARP disabled on one node while you do (how-to procedure), "
	  "or sync Virtual IPs from the primary.",
	  "how-to: Adding a virtual IP to an active VHID group", check_vip_alias },
	{ "carp-rule", SEV_WARNING, "no rule passes CARP",
	  "Each interface with a CARP VIP must accept CARP (IP protocol 112) from the peer; a node that drops the "
	  "advertisements becomes MASTER too. Counted: an enabled pass rule on the interface (or a floating rule "
	  "inbound) with protocol carp or any, the VIP's IP version, source any or the interface's network, "
	  "destination any or the CARP group.",
	  "Add a pass rule for protocol CARP on the interface (Firewall: Rules).",
	  "how-to: Setup interfaces & basic firewall rules", check_carp_rule },
	{ "outbound-nat-vip", SEV_WARNING, "outbound NAT not to the CARP VIP",
	  "Traffic leaving the firewall must use the virtual IP to survive a failover; automatic outbound NAT uses "
	  "the interface's own address.",
	  "Switch outbound NAT to manual (or hybrid) and translate the LAN to the WAN CARP VIP.",
	  "how-to: Setup outbound NAT", check_outbound_nat },
	{ "nat-any-to-vip", SEV_INFO, "outbound NAT translates any source to the VIP",
	  "Such a rule also catches the node's own traffic: while BACKUP it sends from an address it does not "
	  "hold, so it cannot reach the internet (e.g. for an update).",
	  "Limit the rule's source to the LAN networks.", "carp-troubleshooting: Backup node cannot reach internet",
	  check_nat_any },
	{ "dhcp-vip", SEV_WARNING, "DHCP not set up for CARP",
	  "Clients must get the virtual address as gateway and DNS server, and the two DHCP servers must know of "
	  "each other's pools (failover peer).",
	  "Set gateway and DNS server to the CARP VIP and the failover peer IP to the other node's address (Kea: "
	  "turn off autocollect, configure HA peers).",
	  "how-to: (optional) Setup DHCP server", check_dhcp },
	{ "pfsync-config", SEV_WARNING, "pfsync not on a dedicated interface with a peer",
	  "States must be copied for a seamless failover; pfsync belongs on a dedicated link (state injection, "
	  "bandwidth), with the other node's address as peer.",
	  "Enable pfsync on a dedicated interface and set the peer IP (System: High Availability).",
	  "how-to: Setup HA sync (xmlrpc) and pfSync", check_pfsync },
	{ "xmlrpc-config", SEV_WARNING, "XMLRPC sync target and credentials",
	  "The primary pushes its config to the secondary with credentials; a secondary with a target would "
	  "overwrite the primary.",
	  "Set the target and credentials on the primary only (System: High Availability).",
	  "how-to: Setup HA sync (xmlrpc) and pfSync", check_xmlrpc },
	{ "config-drift", SEV_WARNING, "config drift in a synced section",
	  "A section the primary syncs differs on the secondary: a sync has not run since, failed, or the "
	  "secondary was edited by hand; after a failover the other config is in charge.",
	  "Run a sync from the primary (check its result), or fix the primary if the secondary is right.",
	  "FIELD-NOTES check 9; CONTRACT §6", check_drift },
};
const size_t n_config_checks = ARRAY_LEN(config_checks);

void config_checks_run(struct pair_view *v)
{
	size_t i;
	free(v->drift);
	v->drift = NULL;
	v->n_drift = 0;
	v->drift_known = v->conf[0] && v->conf[1];
	for (i = 0; i < n_config_checks; i++)
		config_checks[i].run(v, &config_checks[i]);
	pair_sort_findings(v);
}

const struct check *check_find(const char *id)
{
	size_t i;
	for (i = 0; i < n_live_checks; i++)
		if (str_eq(live_checks[i].id, id))
			return &live_checks[i];
	for (i = 0; i < n_config_checks; i++)
		if (str_eq(config_checks[i].id, id))
			return &config_checks[i];
	return NULL;
}
