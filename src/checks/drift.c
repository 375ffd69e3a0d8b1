/* Config drift between the two config.xml files (rules in src/checks/drift.h). */
#include "drift.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* XMLRPC section map (CONTRACT §6, from plugins_xmlrpc_sync()). */
const struct sync_item_map sync_item_maps[] = {
	{ "users", "Users and Groups", { "system.user", "system.group" } },
	{ "authservers", "Authentication Servers", { "system.authserver" } },
	{ "certs", "Certificates and Authorities", { "cert", "ca", "crl" } },
	{ "virtualip", "Virtual IPs", { "virtualip" } },
	{ "staticroutes", "Static Routes", { "staticroutes", "gateways", "OPNsense.Gateways" } },
	{ "syslog-ng", "System logging", { "syslog", "OPNsense.Syslog" } },
	{ "cron", "Cron", { "OPNsense.cron" } },
	{ "sysctl", "System Tunables", { "sysctl" } },
	{ "webgui", "Web GUI", { "system.webgui" } },
	{ "ifgroups", "Firewall Groups", { "ifgroups.ifgroupentry" } },
	{ "rules", "Firewall Rules", { "filter", "OPNsense.Firewall.Filter.rules" } },
	{ "schedules", "Firewall Schedules", { "schedules" } },
	{ "categories", "Firewall Categories", { "OPNsense.Firewall.Category" } },
	{ "lvtemplate", "Firewall Log Templates", { "OPNsense.Firewall.Lvtemplate" } },
	{ "aliases", "Aliases", { "aliases", "OPNsense.Firewall.Alias" } },
	{ "nat", "NAT", { "nat", "OPNsense.Firewall.Filter.snatrules", "OPNsense.Firewall.Filter.npt",
			  "OPNsense.Firewall.Filter.onetoone" } },
	{ "dhcrelay", "DHCRelay", { "dhcrelay", "dhcrelay6", "OPNsense.DHCRelay" } },
	{ "dnsforwarder", "Dnsmasq DNS/DHCP", { "dnsmasq" } },
	{ "dnsresolver", "Unbound DNS", { "unbound", "OPNsense.unboundplus" } },
	{ "kea", "Kea DHCP", { "OPNsense.Kea" } },
	{ "ipsec", "IPsec", { "ipsec", "OPNsense.IPsec", "OPNsense.Swanctl" } },
	{ "openvpn", "OpenVPN", { "openvpn", "OPNsense.OpenVPN" } },
	{ "wireguard", "WireGuard", { "OPNsense.wireguard" } },
	{ "ntpd", "Network Time", { "ntpd", "system.timeservers" } },
	{ "ssh", "OpenSSH", { "system.ssh" } },
	{ "monit", "Monit", { "OPNsense.monit" } },
	{ "shaper", "Shaper", { "OPNsense.TrafficShaper" } },
	{ "captiveportal", "Captive Portal", { "OPNsense.captiveportal" } },
	{ "suricata", "Intrusion Detection", { "OPNsense.IDS" } },
	{ "radvd", "Router Advertisements", { "OPNsense.radvd" } },
	{ "syslog", "Netflow / Insight", { "OPNsense.Netflow" } },
	{ "opendns", "OpenDNS", { "opendns" } },
	{ "hostwatch", "Host discovery service", { "OPNsense.Hostwatch" } },
	{ "dhcpd", "ISC DHCPv4", { "dhcpd" } },
	{ "dhcpdv6", "ISC DHCPv6", { "dhcpdv6" } },
};
const size_t n_sync_item_maps = ARRAY_LEN(sync_item_maps);

const struct sync_item_map *sync_item_find(const char *id)
{
	size_t i;
	for (i = 0; i < n_sync_item_maps; i++)
		if (str_eq(sync_item_maps[i].id, id))
			return &sync_item_maps[i];
	return NULL;
}

/* Inside a synced section, but node-specific or bookkeeping (see drift.h).
 * Matched against the path without list indexes. */
static const char *const excluded_paths[] = {
	"dhcpd/*/failover_peerip",
	"dhcpdv6/*/failover_peerip",
	"OPNsense/Kea/dhcp4/ha/this_server_name",
	"OPNsense/Kea/dhcp6/ha/this_server_name",
};

/* Lists whose order is what pf evaluates (first match wins for quick rules
 * and for NAT): aligned in order. Parent path + "/" + item name. */
static const char *const ordered_lists[] = {
	"filter/rule", "nat/rule", "nat/outbound/rule", "nat/onetoone", "nat/npt",
};

/* Key child per list item name (parent path pattern, item name, key). */
static const struct {
	const char *parent;
	const char *item;
	const char *key;
} list_keys[] = {
	{ "staticroutes", "route", "network" },
	{ "ifgroups", "ifgroupentry", "ifname" },
	{ "dhcpd/*", "staticmap", "mac" },
	{ "dhcpdv6/*", "staticmap", "duid" },
	{ "openvpn", "openvpn-server", "vpnid" },
	{ "openvpn", "openvpn-client", "vpnid" },
	{ "ipsec", "phase1", "ikeid" },
	{ "ipsec", "phase2", "uniqid" },
	{ "sysctl", "item", "tunable" },
};

/* Names that are list items even when each side has only one. */
static const char *const list_items[] = {
	"rule", "vip", "item", "user", "group", "authserver", "cert", "ca", "crl", "route",
	"gateway_item", "alias", "staticmap", "schedule", "ifgroupentry", "phase1", "phase2",
	"openvpn-server", "openvpn-client", "onetoone", "npt",
};

struct cmp {
	struct drift_list *out;
	const char *section;  /* dotted section for the items */
	bool vips;            /* comparing virtualip entries: the +100 advskew rule */
	size_t added;
};

#define PATH_MAX_LEN 512

static void add_item(struct cmp *c, const char *path, const char *v0, bool absent0, const char *v1, bool absent1)
{
	struct drift_list *l = c->out;
	struct drift_item *d;
	const char *v[2] = { v0, v1 };
	bool absent[2] = { absent0, absent1 };
	int k;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	d = &l->items[l->n++];
	memset(d, 0, sizeof(*d));
	str_copy(d->section, c->section, sizeof(d->section));
	text_sanitize(d->path, path, sizeof(d->path));
	for (k = 0; k < 2; k++) {
		d->absent[k] = absent[k];
		if (absent[k])
			continue;
		/* Remote text: made inert; long values (certificates) cut, on a
		 * character boundary. */
		text_sanitize(d->value[k], v[k] ? v[k] : "", sizeof(d->value[k]));
		if (strlen(v[k] ? v[k] : "") >= sizeof(d->value[k])) {
			size_t cut = sizeof(d->value[k]) - 4;
			while (cut > 0 && ((unsigned char)d->value[k][cut] & 0xC0) == 0x80)
				cut--;
			memcpy(d->value[k] + cut, "...", 4);
		}
	}
	c->added++;
}

static bool is_excluded(const char *plain)
{
	const char *last = strrchr(plain, '/');
	size_t i;
	last = last ? last + 1 : plain;
	/* Who changed a rule and when: bookkeeping, at any depth. */
	if (str_eq(last, "created") || str_eq(last, "updated"))
		return true;
	for (i = 0; i < ARRAY_LEN(excluded_paths); i++)
		if (fnmatch(excluded_paths[i], plain, FNM_PATHNAME) == 0)
			return true;
	return false;
}

static const char *ename(const xmlNode *n)
{
	return (const char *)n->name;
}

static bool is_empty(const xmlNode *n)
{
	char buf[8];
	return !xc_has_children(n) && !xc_node_text(n, buf, sizeof(buf))[0];
}

static bool has_uuid(const xmlNode *n)
{
	return xmlHasProp(n, (const xmlChar *)"uuid") != NULL;
}

static void get_uuid(const xmlNode *n, char *dst, size_t len)
{
	xmlChar *u = xmlGetProp(n, (const xmlChar *)"uuid");
	dst[0] = '\0';
	if (u) {
		str_copy(dst, (const char *)u, len);
		xmlFree(u);
	}
}

/* A short description of an element for "only on" items: never a secret. */
static void summary(const xmlNode *n, char *dst, size_t len)
{
	static const char *const fields[] = { "type", "action", "interface", "ipprotocol", "protocol" };
	static const char *const names[] = { "descr", "description", "name", "tunable", "refid" };
	struct strbuf sb;
	char v[128];
	size_t i;
	int children = 0;
	const xmlNode *k;

	if (!xc_has_children(n)) {
		if (xc_is_secret(ename(n)))
			str_copy(dst, "(hidden)", len);
		else
			xc_node_text(n, dst, len);
		return;
	}
	sb_init(&sb);
	for (i = 0; i < ARRAY_LEN(fields); i++)
		if (xc_text(n, fields[i], v, sizeof(v))[0])
			sb_printf(&sb, "%s%s", sb.len ? " " : "", v);
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (xc_text(n, names[i], v, sizeof(v))[0]) {
			sb_printf(&sb, "%s'%s'", sb.len ? " " : "", v);
			break;
		}
	if (!sb.len) {
		for (k = n->children; k; k = k->next)
			children += k->type == XML_ELEMENT_NODE;
		sb_printf(&sb, "(%d fields)", children);
	}
	str_copy(dst, sb.buf, len);
	sb_free(&sb);
}

static void path_join(char *dst, size_t len, const char *base, const char *name)
{
	str_printf(dst, len, "%s%s%s", base, base[0] ? "/" : "", name);
}

/* ---- canonical form, for matching list items by content ---- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name=value for a leaf, name{sorted children} otherwise, without what is
 * never compared. Order of fields inside an element carries no meaning. */
static char *canon(const xmlNode *n, const char *plain)
{
	struct strbuf sb;
	const xmlNode *k;
	char **parts = NULL;
	size_t np = 0, i;
	char sub[PATH_MAX_LEN];

	sb_init(&sb);
	sb_add(&sb, ename(n));
	if (!xc_has_children(n)) {
		char *v = xc_text_dup(n);
		sb_addc(&sb, '=');
		sb_add(&sb, v);
		free(v);
		return sb_steal(&sb);
	}
	for (k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		path_join(sub, sizeof(sub), plain, ename(k));
		if (is_excluded(sub))
			continue;
		parts = xrealloc(parts, (np + 1) * sizeof(*parts));
		parts[np++] = canon(k, sub);
	}
	if (np)
		qsort(parts, np, sizeof(*parts), cmp_strp);
	sb_addc(&sb, '{');
	for (i = 0; i < np; i++) {
		sb_add(&sb, parts[i]);
		sb_addc(&sb, '\x1f');
		free(parts[i]);
	}
	free(parts);
	sb_addc(&sb, '}');
	return sb_steal(&sb);
}

/* ---- element comparison ---- */

static void compare_elem(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *path, const char *plain);

static void compare_leaf(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *path)
{
	char *ta = xc_text_dup(a), *tb = xc_text_dup(b);
	const char *name = ename(a);

	if (c->vips && str_eq(name, "advskew")) {
		/* XMLRPC sends VIPs with advskew + 100, capped at 254. */
		long pa = 0, pb = -1;
		long want;
		char note[64];
		if (ta[0])
			str_to_long(ta, &pa);
		if (tb[0])
			str_to_long(tb, &pb);
		want = pa + 100 > 254 ? 254 : pa + 100;
		if (pb != want) {
			str_printf(note, sizeof(note), "%.16s (sync writes %ld)", tb, want);
			add_item(c, path, ta, false, note, false);
		}
	} else if (strcmp(ta, tb) != 0) {
		if (xc_is_secret(name))
			add_item(c, path, "(hidden)", false, "(hidden)", false);
		else
			add_item(c, path, ta, false, tb, false);
	}
	free(ta);
	free(tb);
}

/* Only one side has it. An empty element equals a missing one. */
static void one_side(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *path)
{
	const xmlNode *x = a ? a : b;
	char s[256];
	if (is_empty(x))
		return;
	summary(x, s, sizeof(s));
	add_item(c, path, s, a == NULL, s, b == NULL);
}

static bool is_list_item(const char *name)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(list_items); i++)
		if (str_eq(list_items[i], name))
			return true;
	return false;
}

static bool is_ordered(const char *plain_item)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(ordered_lists); i++)
		if (str_eq(ordered_lists[i], plain_item))
			return true;
	return false;
}

static const char *known_key(const char *plain_parent, const char *item)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(list_keys); i++)
		if (str_eq(list_keys[i].item, item) && fnmatch(list_keys[i].parent, plain_parent, FNM_PATHNAME) == 0)
			return list_keys[i].key;
	return NULL;
}

/* A key child every item on both sides has, non-empty. */
static const char *default_key(const xmlNode *const *la, size_t na, const xmlNode *const *lb, size_t nb)
{
	static const char *const candidates[] = { "name", "refid", "tunable" };
	size_t i, k;
	char v[8];
	for (i = 0; i < ARRAY_LEN(candidates); i++) {
		bool all = true;
		for (k = 0; k < na && all; k++)
			all = xc_text(la[k], candidates[i], v, sizeof(v))[0] != '\0';
		for (k = 0; k < nb && all; k++)
			all = xc_text(lb[k], candidates[i], v, sizeof(v))[0] != '\0';
		if (all)
			return candidates[i];
	}
	return NULL;
}

/* Longest common subsequence of equal canonical forms: ma[i] = j. The
 * equal head and tail are matched first (a typical edit touches a few
 * rules of many); the middle by the LCS table, or by position when it
 * would be too large (memory stays bounded). */
static void align_ordered(char **ca, size_t na, char **cb, size_t nb, long *ma, long *mb)
{
	size_t i, j, head = 0, tail = 0, ma_n, mb_n;
	unsigned *t;

	while (head < na && head < nb && strcmp(ca[head], cb[head]) == 0) {
		ma[head] = mb[head] = (long)head;
		head++;
	}
	while (tail < na - head && tail < nb - head && strcmp(ca[na - 1 - tail], cb[nb - 1 - tail]) == 0) {
		ma[na - 1 - tail] = (long)(nb - 1 - tail);
		mb[nb - 1 - tail] = (long)(na - 1 - tail);
		tail++;
	}
	ca += head;
	cb += head;
	ma_n = na - head - tail;
	mb_n = nb - head - tail;
	if (ma_n == 0 || mb_n == 0)
		return;
	if (ma_n * mb_n > 4u * 1024 * 1024) {
		for (i = 0; i < ma_n && i < mb_n; i++)
			if (strcmp(ca[i], cb[i]) == 0) {
				ma[head + i] = (long)(head + i);
				mb[head + i] = (long)(head + i);
			}
		return;
	}
	t = xcalloc((ma_n + 1) * (mb_n + 1), sizeof(*t));
#define T(x, y) t[(x) * (mb_n + 1) + (y)]
	for (i = ma_n; i-- > 0;)
		for (j = mb_n; j-- > 0;)
			T(i, j) = strcmp(ca[i], cb[j]) == 0 ? T(i + 1, j + 1) + 1
							     : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (i = 0, j = 0; i < ma_n && j < mb_n;) {
		if (strcmp(ca[i], cb[j]) == 0) {
			ma[head + i] = (long)(head + j);
			mb[head + j] = (long)(head + i);
			i++;
			j++;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
}

enum list_mode { LIST_ORDERED, LIST_UUID, LIST_KEY, LIST_CONTENT };

static void item_label(char *dst, size_t len, const char *name, enum list_mode m, const xmlNode *n,
		       const char *key, size_t pos, bool secondary_only)
{
	char v[96];
	switch (m) {
	case LIST_UUID:
		get_uuid(n, v, sizeof(v));
		str_printf(dst, len, "%s[uuid=%s]", name, v);
		break;
	case LIST_KEY:
		xc_text(n, key, v, sizeof(v));
		str_printf(dst, len, "%s[%s=%s]", name, key, v);
		break;
	default:
		if (secondary_only)
			str_printf(dst, len, "%s[secondary:%zu]", name, pos + 1);
		else
			str_printf(dst, len, "%s[%zu]", name, pos + 1);
	}
}

static void compare_list(struct cmp *c, const xmlNode *const *la, size_t na, const xmlNode *const *lb, size_t nb,
			 const char *path, const char *plain, const char *name)
{
	char plain_item[PATH_MAX_LEN], label[PATH_MAX_LEN], sub[PATH_MAX_LEN];
	long *ma = xcalloc(na + 1, sizeof(*ma)), *mb = xcalloc(nb + 1, sizeof(*mb));
	char **ca = xcalloc(na + 1, sizeof(*ca)), **cb = xcalloc(nb + 1, sizeof(*cb));
	enum list_mode mode;
	const char *key = NULL;
	bool all_uuid = true;
	size_t i, j;

	path_join(plain_item, sizeof(plain_item), plain, name);
	for (i = 0; i < na; i++)
		ma[i] = -1;
	for (j = 0; j < nb; j++)
		mb[j] = -1;
	for (i = 0; i < na && all_uuid; i++)
		all_uuid = has_uuid(la[i]);
	for (j = 0; j < nb && all_uuid; j++)
		all_uuid = has_uuid(lb[j]);
	if (all_uuid && na + nb > 0)
		mode = LIST_UUID;
	else if (is_ordered(plain_item))
		mode = LIST_ORDERED;
	else if ((key = known_key(plain, name)) || (key = default_key(la, na, lb, nb)))
		mode = LIST_KEY;
	else
		mode = LIST_CONTENT;

	if (mode == LIST_ORDERED || mode == LIST_CONTENT) {
		for (i = 0; i < na; i++)
			ca[i] = canon(la[i], plain_item);
		for (j = 0; j < nb; j++)
			cb[j] = canon(lb[j], plain_item);
	}
	if (mode == LIST_ORDERED) {
		align_ordered(ca, na, cb, nb, ma, mb);
	} else {
		/* Content mode matches on the canonical form; the others on the
		 * uuid or key, read once per item. */
		if (mode != LIST_CONTENT) {
			char k[512];
			for (i = 0; i < na; i++) {
				if (mode == LIST_UUID)
					get_uuid(la[i], k, sizeof(k));
				else
					xc_text(la[i], key, k, sizeof(k));
				ca[i] = xstrdup(k);
			}
			for (j = 0; j < nb; j++) {
				if (mode == LIST_UUID)
					get_uuid(lb[j], k, sizeof(k));
				else
					xc_text(lb[j], key, k, sizeof(k));
				cb[j] = xstrdup(k);
			}
		}
		for (i = 0; i < na; i++)
			for (j = 0; j < nb; j++)
				if (mb[j] < 0 && strcmp(ca[i], cb[j]) == 0) {
					ma[i] = (long)j;
					mb[j] = (long)i;
					break;
				}
	}
	/* Unmatched items with no identity of their own (ordered, content)
	 * are paired by position within the same gap, so a changed field
	 * shows as that field, not as one rule removed and another added. */
	if (mode == LIST_ORDERED || mode == LIST_CONTENT) {
		size_t ia = 0, ib = 0;
		while (ia < na || ib < nb) {
			size_t ea = ia, eb = ib;
			while (ea < na && ma[ea] < 0)
				ea++;
			while (eb < nb && mb[eb] < 0)
				eb++;
			if (mode == LIST_CONTENT) {
				ea = na;
				eb = nb;
			}
			for (i = ia, j = ib; i < ea && j < eb;) {
				if (ma[i] >= 0) {
					i++;
					continue;
				}
				if (mb[j] >= 0) {
					j++;
					continue;
				}
				ma[i] = (long)j;
				mb[j] = (long)i;
				i++;
				j++;
			}
			ia = ea < na ? ea + 1 : na;
			ib = eb < nb ? eb + 1 : nb;
		}
	}
	for (i = 0; i < na; i++) {
		item_label(label, sizeof(label), name, mode, la[i], key, i, false);
		path_join(sub, sizeof(sub), path, label);
		if (ma[i] >= 0)
			compare_elem(c, la[i], lb[ma[i]], sub, plain_item);
		else
			one_side(c, la[i], NULL, sub);
	}
	for (j = 0; j < nb; j++) {
		if (mb[j] >= 0)
			continue;
		item_label(label, sizeof(label), name, mode, lb[j], key, j, true);
		path_join(sub, sizeof(sub), path, label);
		one_side(c, NULL, lb[j], sub);
	}
	for (i = 0; i < na; i++)
		free(ca[i]);
	for (j = 0; j < nb; j++)
		free(cb[j]);
	free(ca);
	free(cb);
	free(ma);
	free(mb);
}

/* Every child element of `n` named `name`. */
static size_t gather(const xmlNode *n, const char *name, const xmlNode ***out)
{
	const xmlNode *k;
	size_t cnt = 0;
	*out = NULL;
	for (k = n ? n->children : NULL; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE || strcmp(ename(k), name) != 0)
			continue;
		*out = xrealloc(*out, (cnt + 1) * sizeof(**out));
		(*out)[cnt++] = k;
	}
	return cnt;
}

/* The children of a and b named `name`: one element each, or a list. */
static void compare_named(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *name, const char *path,
			  const char *plain)
{
	const xmlNode **la, **lb;
	size_t na = gather(a, name, &la), nb = gather(b, name, &lb), k;
	char sub[PATH_MAX_LEN], subp[PATH_MAX_LEN];
	bool uuid = false;

	path_join(subp, sizeof(subp), plain, name);
	if (!is_excluded(subp)) {
		for (k = 0; k < na; k++)
			uuid |= has_uuid(la[k]);
		for (k = 0; k < nb; k++)
			uuid |= has_uuid(lb[k]);
		if (na > 1 || nb > 1 || uuid || is_list_item(name)) {
			compare_list(c, la, na, lb, nb, path, plain, name);
		} else {
			path_join(sub, sizeof(sub), path, name);
			compare_elem(c, na ? la[0] : NULL, nb ? lb[0] : NULL, sub, subp);
		}
	}
	free(la);
	free(lb);
}

static void compare_children(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *path, const char *plain)
{
	const char **names = NULL;
	size_t n = 0, i;
	const xmlNode *side[2] = { a, b }, *k;
	int s;

	/* Names in order of first appearance, on either side (one may be
	 * missing: then every entry of the other is one-sided). */
	for (s = 0; s < 2; s++)
		for (k = side[s] ? side[s]->children : NULL; k; k = k->next) {
			if (k->type != XML_ELEMENT_NODE)
				continue;
			for (i = 0; i < n && strcmp(names[i], ename(k)) != 0; i++)
				;
			if (i == n) {
				names = xrealloc(names, (n + 1) * sizeof(*names));
				names[n++] = ename(k);
			}
		}
	for (i = 0; i < n; i++)
		compare_named(c, a, b, names[i], path, plain);
	free(names);
}

/* An element that only wraps others (<filter> around rules, <OPNsense>
 * <Firewall><Alias><aliases> around MVC items): when one side lacks it, the
 * entries inside are what is missing, not the wrapper. */
static bool is_wrapper(const xmlNode *x)
{
	const xmlNode *k;
	bool any = false;
	for (k = x->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!xc_has_children(k))
			return false;
		any = true;
	}
	return any;
}

static void compare_elem(struct cmp *c, const xmlNode *a, const xmlNode *b, const char *path, const char *plain)
{
	bool leaf_a, leaf_b;

	if (is_excluded(plain) || (!a && !b))
		return;
	if (!a || !b) {
		if (is_wrapper(a ? a : b))
			compare_children(c, a, b, path, plain);
		else
			one_side(c, a, b, path);
		return;
	}
	leaf_a = !xc_has_children(a);
	leaf_b = !xc_has_children(b);
	if (leaf_a && leaf_b) {
		compare_leaf(c, a, b, path);
		return;
	}
	if (leaf_a || leaf_b) {
		/* An empty element is the same as a missing one. */
		if (leaf_a && is_empty(a))
			compare_elem(c, NULL, b, path, plain);
		else if (leaf_b && is_empty(b))
			compare_elem(c, a, NULL, path, plain);
		else {
			char sa[256], sb2[256];
			summary(a, sa, sizeof(sa));
			summary(b, sb2, sizeof(sb2));
			add_item(c, path, sa, false, sb2, false);
		}
		return;
	}
	compare_children(c, a, b, path, plain);
}

/* ---- virtual IPs ---- */

static bool vip_synced(const struct xc_vip *v)
{
	return v->mode == XC_VIP_CARP && v->vhid > 0 && !v->nosync;
}

static void compare_vips(struct cmp *c, const struct xmlconf *p, const struct xmlconf *s)
{
	bool *used = xcalloc(s->n_vips + 1, sizeof(*used));
	char label[PATH_MAX_LEN];
	size_t i, j;

	c->vips = true;
	for (i = 0; i < p->n_vips; i++) {
		const struct xc_vip *a = &p->vips[i];
		long m = -1;
		if (!vip_synced(a))
			continue;
		/* Same uuid first (sync copies it), else interface + vhid. */
		for (j = 0; j < s->n_vips && m < 0 && a->uuid[0]; j++)
			if (!used[j] && vip_synced(&s->vips[j]) && str_eq(a->uuid, s->vips[j].uuid))
				m = (long)j;
		for (j = 0; j < s->n_vips && m < 0; j++)
			if (!used[j] && vip_synced(&s->vips[j]) && s->vips[j].vhid == a->vhid &&
			    str_eq(s->vips[j].iface, a->iface))
				m = (long)j;
		str_printf(label, sizeof(label), "virtualip/vip[vhid=%d,%s]", a->vhid, a->iface);
		if (m < 0) {
			one_side(c, a->node, NULL, label);
			continue;
		}
		used[m] = true;
		compare_elem(c, a->node, s->vips[m].node, label, "virtualip/vip");
	}
	for (j = 0; j < s->n_vips; j++) {
		if (used[j] || !vip_synced(&s->vips[j]))
			continue;
		str_printf(label, sizeof(label), "virtualip/vip[vhid=%d,%s]", s->vips[j].vhid, s->vips[j].iface);
		one_side(c, NULL, s->vips[j].node, label);
	}
	c->vips = false;
	free(used);
}

/* ---- sections ---- */

static void compare_section(struct cmp *c, const struct xmlconf *p, const struct xmlconf *s, const char *dotted)
{
	char plain[PATH_MAX_LEN], parent[PATH_MAX_LEN];
	const char *name;
	char *dot;

	str_copy(plain, dotted, sizeof(plain));
	for (dot = plain; *dot; dot++)
		if (*dot == '.')
			*dot = '/';
	c->section = dotted;
	if (str_eq(dotted, "virtualip")) {
		compare_vips(c, p, s);
		return;
	}
	if (!xc_section_present(p, dotted) || !xc_section_present(s, dotted)) {
		/* A slim config (src/confslim.h): equal digests, no drift; else
		 * the details come when the node that dropped the section has
		 * read its config.xml again. */
		const struct xc_digest *da = xc_digest_find(p, dotted), *db = xc_digest_find(s, dotted);
		if (!da || !db || memcmp(da->hash, db->hash, XC_DIGEST_LEN) != 0)
			add_item(c, plain, DRIFT_PENDING, false, DRIFT_PENDING, false);
		return;
	}
	if (p->slim && s->slim && memcmp(xc_digest_find(p, dotted)->hash, xc_digest_find(s, dotted)->hash,
					 XC_DIGEST_LEN) == 0)
		return;
	str_copy(parent, plain, sizeof(parent));
	dot = strrchr(parent, '/');
	if (dot) {
		*dot = '\0';
		name = dot + 1;
	} else {
		parent[0] = '\0';
		name = plain;
	}
	{
		const xmlNode *pa = parent[0] ? xc_path(p->root, parent) : p->root;
		const xmlNode *pb = parent[0] ? xc_path(s->root, parent) : s->root;
		if (!pa && !pb)
			return;
		compare_named(c, pa, pb, name, parent, parent);
	}
}

size_t drift_compare_synced(const struct xmlconf *p, const struct xmlconf *s, struct drift_list *out,
			    char *unknown, size_t unknown_len)
{
	struct cmp c = { .out = out };
	const char *done[64];
	size_t n_done = 0, k, d;
	int i;

	if (unknown && unknown_len)
		unknown[0] = '\0';
	/* Without a target the primary syncs nothing: the sections are
	 * expected to differ (the xmlrpc check says so). */
	if (!p->hasync.synchronizetoip[0])
		return 0;
	for (i = 0; i < p->hasync.n_items; i++) {
		const struct sync_item_map *m = sync_item_find(p->hasync.items[i]);
		if (!m) {
			if (unknown && unknown_len)
				str_printf(unknown + strlen(unknown), unknown_len - strlen(unknown), "%s%s",
					   unknown[0] ? "," : "", p->hasync.items[i]);
			continue;
		}
		for (k = 0; k < ARRAY_LEN(m->sections) && m->sections[k]; k++) {
			for (d = 0; d < n_done && !str_eq(done[d], m->sections[k]); d++)
				;
			if (d < n_done)
				continue;
			if (n_done < ARRAY_LEN(done))
				done[n_done++] = m->sections[k];
			compare_section(&c, p, s, m->sections[k]);
		}
	}
	return c.added;
}

/* ---- IP aliases with a VHID ---- */

static bool alias_with_vhid(const struct xc_vip *v)
{
	return v->mode == XC_VIP_IPALIAS && v->vhid > 0;
}

size_t drift_compare_aliases(const struct xmlconf *p, const struct xmlconf *s, struct drift_list *out)
{
	struct cmp c = { .out = out, .section = DRIFT_ALIAS_SECTION };
	bool *used = xcalloc(s->n_vips + 1, sizeof(*used));
	char label[PATH_MAX_LEN], va[32], vb[32];
	size_t i, j;

	for (i = 0; i < p->n_vips; i++) {
		const struct xc_vip *a = &p->vips[i];
		const struct xc_vip *b = NULL;
		if (!alias_with_vhid(a))
			continue;
		for (j = 0; j < s->n_vips && !b; j++)
			if (!used[j] && alias_with_vhid(&s->vips[j]) && s->vips[j].vhid == a->vhid &&
			    str_eq(s->vips[j].subnet, a->subnet)) {
				used[j] = true;
				b = &s->vips[j];
			}
		str_printf(label, sizeof(label), "virtualip/vip[vhid=%d,%s]", a->vhid, a->subnet);
		if (!b) {
			str_printf(va, sizeof(va), "%s/%d", a->subnet, a->bits);
			add_item(&c, label, va, false, NULL, true);
			continue;
		}
		/* The hash covers the addresses; the interface and prefix must
		 * match too for the alias to sit in the same place. */
		if (!str_eq(a->iface, b->iface)) {
			char path[PATH_MAX_LEN];
			path_join(path, sizeof(path), label, "interface");
			add_item(&c, path, a->iface, false, b->iface, false);
		}
		if (a->bits != b->bits) {
			char path[PATH_MAX_LEN];
			path_join(path, sizeof(path), label, "subnet_bits");
			str_printf(va, sizeof(va), "%d", a->bits);
			str_printf(vb, sizeof(vb), "%d", b->bits);
			add_item(&c, path, va, false, vb, false);
		}
	}
	for (j = 0; j < s->n_vips; j++) {
		const struct xc_vip *b = &s->vips[j];
		if (used[j] || !alias_with_vhid(b))
			continue;
		str_printf(label, sizeof(label), "virtualip/vip[vhid=%d,%s]", b->vhid, b->subnet);
		str_printf(vb, sizeof(vb), "%s/%d", b->subnet, b->bits);
		add_item(&c, label, NULL, true, vb, false);
	}
	free(used);
	return c.added;
}

void drift_item_text(const struct drift_item *d, const char *name0, const char *name1, char *dst, size_t len)
{
	if (d->absent[1])
		str_printf(dst, len, "%s only on %s (%s)", d->path, name0, d->value[0]);
	else if (d->absent[0])
		str_printf(dst, len, "%s only on %s (%s)", d->path, name1, d->value[1]);
	else if (str_eq(d->value[0], "(hidden)"))
		str_printf(dst, len, "%s differs (secret, not shown)", d->path);
	else
		str_printf(dst, len, "%s: '%s' on %s, '%s' on %s", d->path, d->value[0], name0, d->value[1], name1);
}
