/* `ifconfig -a` (CARP VIPs, interface addresses) and `ifconfig pfsync0`.
 *
 * An interface block starts with `name: flags=...` at column 0; every
 * indented line after it belongs to it. Inside a block only the first word
 * says what a line is (inet, inet6, carp:, peer, ...), and every value is
 * found after its keyword, because the order of lines and of fields varies
 * between FreeBSD releases (CONTRACT.md §9). */
#include "parse/parse.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_int.h"
#include "util.h"

static const char what_ifconfig[] = "ifconfig";

/* ---- building the result ---------------------------------------------- */

static struct ifconfig_iface *add_iface(struct ifconfig_info *info, const char *name)
{
	struct ifconfig_iface *ifc;
	info->ifaces = xrealloc(info->ifaces, (info->n_ifaces + 1) * sizeof(*info->ifaces));
	ifc = &info->ifaces[info->n_ifaces++];
	memset(ifc, 0, sizeof(*ifc));
	str_copy(ifc->name, name, sizeof(ifc->name));
	ifc->mtu = -1;
	return ifc;
}

static struct ifconfig_addr *add_addr(struct ifconfig_iface *ifc)
{
	struct ifconfig_addr *a;
	ifc->addrs = xrealloc(ifc->addrs, (ifc->n_addrs + 1) * sizeof(*ifc->addrs));
	a = &ifc->addrs[ifc->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->prefix = -1;
	return a;
}

static struct ifconfig_carp *find_carp(const struct ifconfig_iface *ifc, int vhid)
{
	size_t i;
	for (i = 0; i < ifc->n_carps; i++)
		if (ifc->carps[i].vhid == vhid)
			return &ifc->carps[i];
	return NULL;
}

void ifconfig_info_free(struct ifconfig_info *info)
{
	size_t i;
	if (!info)
		return;
	for (i = 0; i < info->n_ifaces; i++) {
		free(info->ifaces[i].addrs);
		free(info->ifaces[i].carps);
	}
	free(info->ifaces);
	info->ifaces = NULL;
	info->n_ifaces = 0;
}

/* ---- one line each ---------------------------------------------------- */

/* `netmask 0xffffff00` (the default) or `netmask 255.255.255.0` (-f
 * inet:dotted) -> 24; -1 for anything else, including a mask with holes. */
static int netmask_prefix(const char *w)
{
	unsigned long mask;
	int bits = 0;

	if (str_starts(w, "0x") || str_starts(w, "0X")) {
		char *end;
		size_t len = strlen(w + 2);
		if (len == 0 || len > 8)
			return -1;
		mask = strtoul(w + 2, &end, 16);
		if (*end)
			return -1;
	} else {
		struct in_addr in;
		if (inet_pton(AF_INET, w, &in) != 1)
			return -1;
		mask = ntohl(in.s_addr);
	}
	mask &= 0xffffffffUL;
	while (bits < 32 && (mask & (0x80000000UL >> bits)))
		bits++;
	/* Contiguous: no bit may be set after the first clear one. */
	if (bits < 32 && (mask & (0xffffffffUL >> bits)))
		return -1;
	return bits;
}

static bool is_link_local6(const char *addr)
{
	struct in6_addr in6;
	return inet_pton(AF_INET6, addr, &in6) == 1 && in6.s6_addr[0] == 0xfe &&
	       (in6.s6_addr[1] & 0xc0) == 0x80;
}

/* `inet 10.1.60.200 netmask 0xffffffff broadcast 10.1.60.200 vhid 1`,
 * `inet 10.0.0.1 --> 10.0.0.2 netmask 0xffffffff`,
 * `inet6 fe80::1%vnet0 prefixlen 64 tentative scopeid 0x38`,
 * `inet6 fd00::1 prefixlen 64 pltime 3600 vltime 7200 vhid 3`.
 * An address that does not parse, or a vhid word without a valid number,
 * drops the whole line: a VIP half-read is worse than one not shown. */
static void parse_addr_line(struct ifconfig_iface *ifc, const struct words *ws, bool inet6)
{
	char addr[SNAP_ADDR_LEN];
	const char *w;
	struct ifconfig_addr *a;
	long vhid = 0, plen;
	int prefix;

	if (ws->n < 2 || !parse_addr_word(ws->w[1], inet6, addr, sizeof(addr), &prefix))
		return;
	if (words_find(ws, "vhid") >= 0 && !parse_long_in(words_after(ws, "vhid"), 1, 255, &vhid))
		return;
	if (inet6) {
		if ((w = words_after(ws, "prefixlen")) && parse_long_in(w, 0, 128, &plen))
			prefix = (int)plen;
	} else if ((w = words_after(ws, "netmask"))) {
		prefix = netmask_prefix(w);
	}
	a = add_addr(ifc);
	str_copy(a->address, addr, sizeof(a->address));
	a->prefix = prefix;
	a->inet6 = inet6;
	a->link_local = inet6 && is_link_local6(addr);
	a->vhid = (int)vhid;
}

/* `carp: BACKUP vhid 1 advbase 1 advskew 0 [key "..."]`. Returns the entry,
 * or NULL when a field is missing (a cut-off line) and the line is skipped. */
static struct ifconfig_carp *parse_carp_line(struct ifconfig_iface *ifc, struct words *ws)
{
	struct ifconfig_carp *c;
	long vhid, advbase, advskew;
	int key = words_find(ws, "key");

	/* `-k` appends the password, which may contain any word: stop there. */
	if (key >= 0)
		ws->n = key;
	if (ws->n < 2 || !parse_long_in(words_after(ws, "vhid"), 1, 255, &vhid) ||
	    !parse_long_in(words_after(ws, "advbase"), 0, 255, &advbase) ||
	    !parse_long_in(words_after(ws, "advskew"), 0, 255, &advskew))
		return NULL;
	/* The state is the word after `carp:`; a field name there means it is missing. */
	if (strcmp(ws->w[1], "vhid") == 0 || strcmp(ws->w[1], "advbase") == 0 ||
	    strcmp(ws->w[1], "advskew") == 0)
		return NULL;
	c = find_carp(ifc, (int)vhid);
	if (!c) {
		ifc->carps = xrealloc(ifc->carps, (ifc->n_carps + 1) * sizeof(*ifc->carps));
		c = &ifc->carps[ifc->n_carps++];
		memset(c, 0, sizeof(*c));
	}
	c->vhid = (int)vhid;
	c->status = carp_status_parse(ws->w[1]);
	c->advbase = (int)advbase;
	c->advskew = (int)advskew;
	return c;
}

/* `peer 224.0.0.18 peer6 ff02::12`: FreeBSD 14's continuation of the carp
 * line just above it. Each address only when it is a valid one. */
static void parse_peer_words(struct ifconfig_carp *c, const struct words *ws)
{
	char addr[SNAP_ADDR_LEN];
	int prefix;

	if (parse_addr_word(words_after(ws, "peer"), false, addr, sizeof(addr), &prefix))
		str_copy(c->peer, addr, sizeof(c->peer));
	if (parse_addr_word(words_after(ws, "peer6"), true, addr, sizeof(addr), &prefix))
		str_copy(c->peer6, addr, sizeof(c->peer6));
}

/* ---- ifconfig -a ------------------------------------------------------ */

static void emit_vips(const struct ifconfig_info *info, struct snapshot *s)
{
	size_t i, j;

	for (i = 0; i < info->n_ifaces; i++) {
		const struct ifconfig_iface *ifc = &info->ifaces[i];
		for (j = 0; j < ifc->n_addrs; j++) {
			const struct ifconfig_addr *a = &ifc->addrs[j];
			const struct ifconfig_carp *c;
			struct vip_row *r;

			if (a->vhid == 0)
				continue;
			r = snapshot_add_vip(s);
			str_copy(r->ifdev, ifc->name, sizeof(r->ifdev));
			r->vhid = a->vhid;
			str_copy(r->address, a->address, sizeof(r->address));
			r->prefix = a->prefix;
			/* The caller refines this from config: ifconfig prints an IP
			 * alias with a vhid exactly like a CARP VIP. */
			r->mode = VIP_MODE_CARP;
			c = find_carp(ifc, a->vhid);
			if (c) {
				r->advbase = c->advbase;
				r->advskew = c->advskew;
				r->status = c->status;
			}
		}
	}
}

int parse_ifconfig_ex(const char *text, struct snapshot *s, struct ifconfig_info *info, char **cause)
{
	struct ifconfig_info res = { NULL, 0 };
	struct ifconfig_iface *cur = NULL;
	struct line_reader lr;
	struct words ws;
	char *line, name[SNAP_NAME_LEN], first[PARSE_EXCERPT_SIZE] = "";
	int first_no = 0;
	/* Index in cur->carps of a carp line directly above, for its peer line. */
	long last_carp = -1;

	if (info) {
		info->ifaces = NULL;
		info->n_ifaces = 0;
	}
	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		bool indented = line_indented(line);
		long prev_carp = last_carp;

		last_carp = -1;
		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		if (ws.n == 0)
			continue;
		if (!indented) {
			/* Anything else at column 0 ends the block, so that lines after
			 * it are never credited to the interface before. */
			cur = ifconfig_header(line, &ws, name, sizeof(name)) ? add_iface(&res, name) : NULL;
			if (cur) {
				long mtu;
				if (parse_long_in(words_after(&ws, "mtu"), 0, 1L << 20, &mtu))
					cur->mtu = (int)mtu;
			}
			continue;
		}
		if (!cur)
			continue;
		if (strcmp(ws.w[0], "inet") == 0) {
			parse_addr_line(cur, &ws, false);
		} else if (strcmp(ws.w[0], "inet6") == 0) {
			parse_addr_line(cur, &ws, true);
		} else if (strcmp(ws.w[0], "carp:") == 0) {
			struct ifconfig_carp *c = parse_carp_line(cur, &ws);
			if (c) {
				parse_peer_words(c, &ws);
				last_carp = c - cur->carps;
			}
		} else if (strcmp(ws.w[0], "peer") == 0 || strcmp(ws.w[0], "peer6") == 0) {
			if (prev_carp >= 0)
				parse_peer_words(&cur->carps[prev_carp], &ws);
		}
		/* Everything else (options, ether, media, status, groups, nd6,
		 * vrrp:, ...) carries nothing carptop needs. */
	}
	lr_free(&lr);

	if (res.n_ifaces == 0) {
		if (!first_no)
			return parse_fail(cause, what_ifconfig, 0, "empty output");
		return parse_fail(cause, what_ifconfig, first_no,
				  "not ifconfig output (no \"<name>: flags=\" line): \"%s\"", first);
	}
	if (s)
		emit_vips(&res, s);
	if (info)
		*info = res;
	else
		ifconfig_info_free(&res);
	return 0;
}

int parse_ifconfig(const char *text, struct snapshot *s, char **cause)
{
	return parse_ifconfig_ex(text, s, NULL, cause);
}

const struct ifconfig_iface *ifconfig_find(const struct ifconfig_info *info, const char *ifdev)
{
	size_t i;
	if (!info || !ifdev)
		return NULL;
	for (i = 0; i < info->n_ifaces; i++)
		if (strcmp(info->ifaces[i].name, ifdev) == 0)
			return &info->ifaces[i];
	return NULL;
}

/* Do the first `bits` bits of a and b agree? */
static bool same_prefix(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		if ((a[full] & m) != (b[full] & m))
			return false;
	}
	return true;
}

const struct ifconfig_addr *ifconfig_parent_addr(const struct ifconfig_iface *ifc, const char *address)
{
	unsigned char vip[16], own[16];
	bool inet6;
	size_t i;

	if (!ifc || !address)
		return NULL;
	if (inet_pton(AF_INET, address, vip) == 1)
		inet6 = false;
	else if (inet_pton(AF_INET6, address, vip) == 1)
		inet6 = true;
	else
		return NULL;
	for (i = 0; i < ifc->n_addrs; i++) {
		const struct ifconfig_addr *a = &ifc->addrs[i];
		if (a->vhid || a->inet6 != inet6 || a->prefix < 0)
			continue;
		if (inet_pton(inet6 ? AF_INET6 : AF_INET, a->address, own) != 1)
			continue;
		if (same_prefix(vip, own, a->prefix))
			return a;
	}
	return NULL;
}

/* ---- ifconfig pfsync0 ------------------------------------------------- */

static bool ifname_ok(const char *w)
{
	size_t i;
	if (!w || !*w || strlen(w) >= SNAP_NAME_LEN)
		return false;
	for (i = 0; w[i]; i++)
		if (!(w[i] >= 'a' && w[i] <= 'z') && !(w[i] >= 'A' && w[i] <= 'Z') &&
		    !(w[i] >= '0' && w[i] <= '9') && w[i] != '_' && w[i] != '.' && w[i] != '-')
			return false;
	return true;
}

int parse_ifconfig_pfsync(const char *text, struct snapshot *s, char **cause)
{
	static const char what[] = "ifconfig pfsync0";
	struct line_reader lr;
	struct words ws;
	char *line, name[SNAP_NAME_LEN], first[PARSE_EXCERPT_SIZE] = "";
	char syncdev[SNAP_NAME_LEN] = "", syncpeer[SNAP_ADDR_LEN] = "";
	int first_no = 0;
	bool any_header = false, in_pfsync = false, found = false;

	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		const char *w;
		int prefix;

		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		if (ws.n == 0)
			continue;
		if (ifconfig_header(line, &ws, name, sizeof(name))) {
			/* Only pfsyncN's block counts if a whole `ifconfig -a` is fed. */
			any_header = true;
			in_pfsync = str_starts(name, "pfsync");
			found |= in_pfsync;
			continue;
		}
		/* Without any header the text may be the status line alone. */
		if (any_header && !in_pfsync)
			continue;
		if (words_find(&ws, "syncdev:") < 0 && words_find(&ws, "syncpeer:") < 0 &&
		    words_find(&ws, "maxupd:") < 0)
			continue;
		found = true;
		if (ifname_ok(w = words_after(&ws, "syncdev:")))
			str_copy(syncdev, w, sizeof(syncdev));
		if (parse_addr_word(words_after(&ws, "syncpeer:"), false, syncpeer, sizeof(syncpeer), &prefix) &&
		    strcmp(syncpeer, "224.0.0.240") == 0)
			syncpeer[0] = '\0'; /* the pfsync multicast group: no peer */
	}
	lr_free(&lr);

	if (!found) {
		if (!first_no)
			return parse_fail(cause, what, 0, "empty output");
		return parse_fail(cause, what, first_no, "no pfsync interface in output: \"%s\"", first);
	}
	if (s) {
		s->pfsync.known = true;
		str_copy(s->pfsync.syncdev, syncdev, sizeof(s->pfsync.syncdev));
		str_copy(s->pfsync.syncpeer, syncpeer, sizeof(s->pfsync.syncpeer));
	}
	return 0;
}
