#include "sim/sim_render.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static struct sim_node *node_of(struct sim_world *w, int pair, int node)
{
	sim_world_advance_pair(w, pair);
	return sim_node_get(w, pair, node);
}

static void netmask_hex(int prefix, char *dst, size_t n)
{
	unsigned long m = prefix <= 0 ? 0 : (0xffffffffUL << (32 - (prefix > 32 ? 32 : prefix))) & 0xffffffffUL;
	snprintf(dst, n, "0x%08lx", m);
}

static void broadcast(const char *addr, int prefix, char *dst, size_t n)
{
	struct in_addr a;
	unsigned long host, mask;
	if (inet_pton(AF_INET, addr, &a) != 1) {
		str_copy(dst, addr, n);
		return;
	}
	mask = prefix <= 0 ? 0 : (0xffffffffUL << (32 - (prefix > 32 ? 32 : prefix))) & 0xffffffffUL;
	host = ntohl(a.s_addr);
	a.s_addr = htonl((uint32_t)((host & mask) | (~mask & 0xffffffffUL)));
	inet_ntop(AF_INET, &a, dst, (socklen_t)n);
}

static void inet_line(struct strbuf *sb, const char *addr, int prefix, int vhid)
{
	char mask[16], bc[INET_ADDRSTRLEN];
	if (strchr(addr, ':')) {
		sb_printf(sb, "\tinet6 %s prefixlen %d", addr, prefix);
		if (vhid)
			sb_printf(sb, " vhid %d", vhid);
		sb_addc(sb, '\n');
		return;
	}
	netmask_hex(prefix, mask, sizeof(mask));
	broadcast(addr, prefix, bc, sizeof(bc));
	sb_printf(sb, "\tinet %s netmask %s broadcast %s", addr, mask, bc);
	if (vhid)
		sb_printf(sb, " vhid %d", vhid);
	sb_addc(sb, '\n');
}

/* FreeBSD 14 layout (CONTRACT §9): addresses, then carp: lines with the
 * peer line under each. DISABLED CARP (allow=0) removes the VHID addresses. */
void sim_render_ifconfig(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	int i, k, v;
	for (i = 0; i < n->n_ifs; i++) {
		const struct sim_if *itf = &n->ifs[i];
		bool seen[SIM_MAX_VHID] = { false };
		sb_printf(sb, "%s: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n",
			  itf->dev);
		sb_add(sb, "\toptions=4e524bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,LRO>\n");
		sb_printf(sb, "\tether 00:0c:29:%02x:%02x:%02x\n", pair & 0xff, node, i);
		inet_line(sb, itf->addr, itf->prefix, 0);
		sb_printf(sb, "\tinet6 fe80::20c:29ff:fe%02x:%02x%02x%%%s prefixlen 64 scopeid 0x%x\n", pair & 0xff, node, i,
			  itf->dev, i + 1);
		for (k = 0; k < n->n_vips; k++) {
			const struct sim_vip *vp = &n->vips[k];
			if (!str_eq(vp->iface, itf->key) || !vp->applied || !n->allow || !vp->vhid)
				continue;
			inet_line(sb, vp->addr, vp->prefix, vp->vhid);
			seen[vp->vhid] = true;
		}
		for (v = 1; v < SIM_MAX_VHID; v++) {
			const struct sim_vip *c = NULL;
			if (!seen[v])
				continue;
			for (k = 0; k < n->n_vips; k++)
				if (n->vips[k].vhid == v && n->vips[k].mode == VIP_MODE_CARP && n->vips[k].applied)
					c = &n->vips[k];
			if (!c)
				continue;
			sb_printf(sb, "\tcarp: %s vhid %d advbase %d advskew %d\n",
				  n->st[v] == CARP_ST_UNKNOWN ? "INIT" : carp_status_name(n->st[v]), v, c->advbase,
				  c->advskew);
			sb_add(sb, "\t      peer 224.0.0.18 peer6 ff02::12\n");
		}
		sb_add(sb, "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n");
		sb_printf(sb, "\tstatus: %s\n", itf->link_down ? "no carrier" : "active");
		sb_add(sb, "\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n");
	}
	sb_add(sb, "lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n"
		   "\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>\n"
		   "\tinet 127.0.0.1 netmask 0xff000000\n"
		   "\tinet6 ::1 prefixlen 128\n"
		   "\tgroups: lo\n");
	sim_render_pfsync0(w, pair, node, sb);
}

/* FreeBSD 14 ifpfsync: the status line only when a syncdev or a unicast peer is set. */
void sim_render_pfsync0(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	sb_add(sb, "pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n");
	if (n->syncdev[0]) {
		sb_printf(sb, "\tsyncdev: %s ", n->syncdev);
		if (n->syncpeer[0])
			sb_printf(sb, "syncpeer: %s ", n->syncpeer);
		sb_add(sb, "maxupd: 128 defer: off version: 1400\n");
	}
	sb_add(sb, "\tsyncok: 1\n\tgroups: pfsync\n");
}

/* pfctl -vsi, laid out with pfctl_parser.c's printf formats. */
void sim_render_pfctl_si(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	char status[64];
	long up = (long)w->t + 3600;
	snprintf(status, sizeof(status), "Status: Enabled for %ld days %.2ld:%.2ld:%.2ld", up / 86400, (up / 3600) % 24,
		 (up / 60) % 60, up % 60);
	sb_printf(sb, "%-44s%15s\n\n", status, "Debug: Urgent");
	sb_printf(sb, "Hostid:   0x%s\nChecksum: 0x%032x\n\n", n->hostid, 0u);
	sb_printf(sb, "%-27s %14s %16s\n", "State Table", "Total", "Rate");
	sb_printf(sb, "  %-25s %14lld %14s\n", "current entries", sim_node_states(w, pair, node), "");
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "searches", (uintmax_t)(1000 + w->t * 30), 30.0);
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "inserts", (uintmax_t)(100 + w->t), 1.0);
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "removals", (uintmax_t)(90 + w->t), 1.0);
	sb_add(sb, "Counters\n");
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "match", (uintmax_t)(1000 + w->t * 30), 30.0);
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "bad-offset", (uintmax_t)0, 0.0);
	sb_printf(sb, "  %-25s %14ju %14.1f/s\n", "state-mismatch", (uintmax_t)0, 0.0);
}

void sim_render_pfctl_memory(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	sb_printf(sb, "%-13s hard limit %8lld\n", "states", n->state_limit);
	sb_printf(sb, "%-13s hard limit %8u\n", "src-nodes", 100000u);
	sb_printf(sb, "%-13s hard limit %8u\n", "frags", 5000u);
	sb_printf(sb, "%-13s hard limit %8u\n", "table-entries", 400000u);
}

void sim_render_pfctl_creators(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct snapshot s;
	int k;
	snapshot_init(&s);
	sim_node_snapshot(w, pair, node, &s);
	for (k = 0; k < s.pfsync.n_creators; k++)
		sb_printf(sb, "   id: %08x%08x creatorid: %s\n", 0x6520a0b5u, (unsigned)k + 1, s.pfsync.creators[k]);
	snapshot_clear(&s);
}

void sim_render_sysctl_carp(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	sb_printf(sb, "net.inet.carp.ifdown_demotion_factor: 240\n"
		      "net.inet.carp.senderr_demotion_factor: 0\n"
		      "net.inet.carp.demotion: %ld\n"
		      "net.inet.carp.log: 1\n"
		      "net.inet.carp.preempt: %d\n"
		      "net.inet.carp.dscp: 56\n"
		      "net.inet.carp.allow: %d\n",
		  n->demotion, n->preempt, n->allow);
}

void sim_render_version(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	sb_printf(sb, "OPNsense %s (amd64)\n", n->version);
}

/* configctl interface show carp (carp_global_status.php). */
void sim_render_show_carp(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct snapshot s;
	snapshot_init(&s);
	sim_node_snapshot(w, pair, node, &s);
	sb_printf(sb, "{\"demotion\":\"%ld\",\"allow\":\"%d\",\"maintenancemode\":%s,\"status_msg\":\"%s\"}\n",
		  s.carp.demotion, s.carp.allow, s.carp.maintenance ? "true" : "false", s.carp.status_msg);
	snapshot_clear(&s);
}

static void xml_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			sb_add(sb, "&lt;");
			break;
		case '>':
			sb_add(sb, "&gt;");
			break;
		case '&':
			sb_add(sb, "&amp;");
			break;
		default:
			sb_addc(sb, *s);
		}
	}
}

static void xml_elem(struct strbuf *sb, const char *indent, const char *name, const char *value)
{
	if (!value || !*value) {
		sb_printf(sb, "%s<%s/>\n", indent, name);
		return;
	}
	sb_printf(sb, "%s<%s>", indent, name);
	xml_text(sb, value);
	sb_printf(sb, "</%s>\n", name);
}

static const struct sim_vip *carp_vip_on(const struct sim_node *n, const char *iface)
{
	int i;
	for (i = 0; i < n->n_vips; i++)
		if (n->vips[i].mode == VIP_MODE_CARP && !n->vips[i].pending_delete && str_eq(n->vips[i].iface, iface))
			return &n->vips[i];
	return NULL;
}

/* Bulk content for --config-size: a real firewall's config.xml is 100 KB to
 * 1 MB, mostly filter rules and aliases. Rules fill 3/4 of the budget,
 * aliases (render_bulk_aliases) the rest. Derived from the pair number and
 * the index only, so both nodes of a pair hold the same (no drift). */
#define BULK_RULE_SHARE 0.75

static void render_bulk_rules(const struct sim_world *w, int pair, struct strbuf *sb)
{
	size_t start = sb->len, budget = (size_t)((double)w->config_size * BULK_RULE_SHARE);
	unsigned i;
	char descr[64];
	for (i = 0; w->config_size && sb->len - start < budget; i++) {
		snprintf(descr, sizeof(descr), "bulk rule %u of pair %d", i + 1, pair + 1);
		sb_printf(sb, "    <rule uuid=\"00000000-0000-4000-8000-%012x\">\n", i);
		xml_elem(sb, "      ", "type", i % 7 ? "pass" : "block");
		xml_elem(sb, "      ", "interface", i % 2 ? "lan" : "wan");
		xml_elem(sb, "      ", "ipprotocol", "inet");
		xml_elem(sb, "      ", "protocol", i % 3 ? "tcp" : "udp");
		sb_printf(sb, "      <source>\n        <network>10.%u.%u.0/24</network>\n      </source>\n", (i >> 8) & 255, i & 255);
		sb_printf(sb, "      <destination>\n        <address>bulk_hosts_%u</address>\n        <port>%u</port>\n"
			      "      </destination>\n", i % 97, 1024 + i % 50000);
		xml_elem(sb, "      ", "descr", descr);
		sb_printf(sb, "      <created>\n        <time>1700000000.%04u</time>\n        <username>root@10.0.0.1</username>\n"
			      "      </created>\n", i % 10000);
		sb_add(sb, "    </rule>\n");
	}
}

static void render_bulk_aliases(const struct sim_world *w, struct strbuf *sb, size_t start)
{
	unsigned i, k;
	if (!w->config_size)
		return;
	sb_add(sb, "  <OPNsense>\n    <Firewall>\n      <Alias version=\"1.0.1\">\n        <aliases>\n");
	for (i = 0; sb->len - start < w->config_size; i++) {
		sb_printf(sb, "          <alias uuid=\"00000000-0000-4000-9000-%012x\">\n", i);
		xml_elem(sb, "            ", "enabled", "1");
		sb_printf(sb, "            <name>bulk_hosts_%u</name>\n", i);
		xml_elem(sb, "            ", "type", "host");
		sb_add(sb, "            <content>");
		for (k = 0; k < 16; k++)
			sb_printf(sb, "%s192.0.%u.%u", k ? "\n" : "", i & 255, k + 1);
		sb_add(sb, "</content>\n");
		xml_elem(sb, "            ", "description", "bulk alias");
		sb_add(sb, "          </alias>\n");
	}
	sb_add(sb, "        </aliases>\n      </Alias>\n    </Firewall>\n  </OPNsense>\n");
}

/* Firewall rules, manual outbound NAT to the WAN CARP VIP, and DHCP with
 * the LAN VIP as gateway and DNS and the peer as failover partner: the
 * how-to's setup, in the example pair's legacy shapes. */
static void render_rules_nat_dhcp(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	const struct sim_node *n = sim_node_get(w, pair, node), *peer = sim_node_get(w, pair, 1 - node);
	const struct sim_vip *vwan = carp_vip_on(n, "wan"), *vlan = carp_vip_on(n, "lan");
	const struct sim_if *lan = sim_node_if(n, "lan"), *peer_lan = peer ? sim_node_if(peer, "lan") : NULL;
	int i;

	sb_add(sb, "  <filter>\n");
	for (i = 0; i < n->n_rules; i++) {
		const struct sim_rule *r = &n->rules[i];
		sb_add(sb, "    <rule>\n");
		xml_elem(sb, "      ", "type", "pass");
		xml_elem(sb, "      ", "interface", r->iface);
		xml_elem(sb, "      ", "ipprotocol", r->ipprotocol);
		if (r->protocol[0])
			xml_elem(sb, "      ", "protocol", r->protocol);
		if (str_eq(r->source, "any"))
			sb_add(sb, "      <source>\n        <any>1</any>\n      </source>\n");
		else
			sb_printf(sb, "      <source>\n        <network>%s</network>\n      </source>\n", r->source);
		sb_add(sb, "      <destination>\n        <any>1</any>\n      </destination>\n");
		xml_elem(sb, "      ", "descr", r->descr);
		sb_add(sb, "    </rule>\n");
	}
	render_bulk_rules(w, pair, sb);
	sb_add(sb, "  </filter>\n  <nat>\n    <outbound>\n");
	xml_elem(sb, "      ", "mode", "advanced");
	if (vwan && lan) {
		struct in_addr a;
		char net[INET_ADDRSTRLEN] = "";
		unsigned long mask = lan->prefix <= 0 ? 0 : (0xffffffffUL << (32 - (lan->prefix > 32 ? 32 : lan->prefix))) & 0xffffffffUL;
		if (inet_pton(AF_INET, lan->addr, &a) == 1) {
			a.s_addr = htonl((uint32_t)(ntohl(a.s_addr) & mask));
			inet_ntop(AF_INET, &a, net, sizeof(net));
		}
		sb_add(sb, "      <rule>\n");
		xml_elem(sb, "        ", "interface", "wan");
		sb_printf(sb, "        <source>\n          <network>%s/%d</network>\n        </source>\n", net, lan->prefix);
		sb_add(sb, "        <destination>\n          <any>1</any>\n        </destination>\n");
		xml_elem(sb, "        ", "target", vwan->addr);
		xml_elem(sb, "        ", "descr", "LAN to WAN (CARP VIP)");
		sb_add(sb, "      </rule>\n");
	}
	sb_add(sb, "    </outbound>\n  </nat>\n  <dhcpd>\n");
	if (vlan) {
		sb_add(sb, "    <lan>\n");
		xml_elem(sb, "      ", "enable", "1");
		xml_elem(sb, "      ", "failover_peerip", peer_lan ? peer_lan->addr : "");
		xml_elem(sb, "      ", "gateway", vlan->addr);
		xml_elem(sb, "      ", "dnsserver", vlan->addr);
		sb_add(sb, "    </lan>\n");
	}
	sb_add(sb, "  </dhcpd>\n");
}

/* The parts of /conf/config.xml carptop reads: interfaces, rules, NAT and
 * DHCP (legacy shapes), the MVC virtualip model, hasync (24.7+ syncitems
 * form), the maintenance key. */
void sim_render_config_xml(struct sim_world *w, int pair, int node, struct strbuf *sb)
{
	struct sim_node *n = node_of(w, pair, node);
	char num[32];
	int i;
	size_t start = sb->len;
	sb_add(sb, "<?xml version=\"1.0\"?>\n<opnsense>\n  <version>11.2</version>\n");
	snprintf(num, sizeof(num), "%u", n->serial);
	sb_add(sb, "  <revision>\n");
	xml_elem(sb, "    ", "time", num);
	sb_add(sb, "  </revision>\n  <system>\n");
	{
		char host[64], *dot;
		str_copy(host, n->hostname, sizeof(host));
		dot = strchr(host, '.');
		if (dot)
			*dot = '\0';
		xml_elem(sb, "    ", "hostname", host);
		xml_elem(sb, "    ", "domain", dot ? dot + 1 : "");
	}
	sb_add(sb, "  </system>\n  <interfaces>\n");
	for (i = 0; i < n->n_ifs; i++) {
		const struct sim_if *itf = &n->ifs[i];
		snprintf(num, sizeof(num), "%d", itf->prefix);
		sb_printf(sb, "    <%s>\n", itf->key);
		xml_elem(sb, "      ", "enable", "1");
		xml_elem(sb, "      ", "if", itf->dev);
		xml_elem(sb, "      ", "descr", itf->descr);
		xml_elem(sb, "      ", "ipaddr", itf->addr);
		xml_elem(sb, "      ", "subnet", num);
		sb_printf(sb, "    </%s>\n", itf->key);
	}
	sb_add(sb, "  </interfaces>\n");
	render_rules_nat_dhcp(w, pair, node, sb);
	sb_add(sb, "  <virtualip version=\"1.0.1\">\n");
	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		if (v->pending_delete)
			continue;
		sb_printf(sb, "    <vip uuid=\"%s\">\n", v->uuid);
		xml_elem(sb, "      ", "interface", v->iface);
		xml_elem(sb, "      ", "mode", vip_mode_name(v->mode));
		xml_elem(sb, "      ", "subnet", v->addr);
		snprintf(num, sizeof(num), "%d", v->prefix);
		xml_elem(sb, "      ", "subnet_bits", num);
		xml_elem(sb, "      ", "password", v->mode == VIP_MODE_CARP ? "opnsense" : "");
		snprintf(num, sizeof(num), "%d", v->vhid);
		xml_elem(sb, "      ", "vhid", v->vhid ? num : "");
		snprintf(num, sizeof(num), "%d", v->advbase);
		xml_elem(sb, "      ", "advbase", num);
		snprintf(num, sizeof(num), "%d", v->advskew);
		xml_elem(sb, "      ", "advskew", num);
		xml_elem(sb, "      ", "nosync", "0");
		xml_elem(sb, "      ", "descr", v->descr);
		sb_add(sb, "    </vip>\n");
	}
	sb_add(sb, "  </virtualip>\n  <hasync version=\"1.0.2\">\n");
	xml_elem(sb, "    ", "disablepreempt", n->preempt ? "0" : "1");
	xml_elem(sb, "    ", "pfsyncinterface", n->syncdev[0] ? "opt1" : "");
	xml_elem(sb, "    ", "pfsyncpeerip", n->syncpeer);
	xml_elem(sb, "    ", "pfsyncversion", "1400");
	xml_elem(sb, "    ", "synchronizetoip", n->sync_target);
	xml_elem(sb, "    ", "username", n->sync_target[0] ? "root" : "");
	xml_elem(sb, "    ", "password", n->sync_target[0] ? "opnsense" : "");
	xml_elem(sb, "    ", "syncitems", n->sync_items);
	sb_add(sb, "  </hasync>\n");
	if (n->maintenance)
		sb_add(sb, "  <virtualip_carp_maintenancemode>1</virtualip_carp_maintenancemode>\n");
	render_bulk_aliases(w, sb, start);
	sb_add(sb, "</opnsense>\n");
}
