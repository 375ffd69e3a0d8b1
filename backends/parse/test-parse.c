/* Tests of the FreeBSD / OPNsense text parsers: the captured samples in
 * FIXTURES_DIR/samples, variants from other releases written inline, and every
 * input cut at every byte plus garbage (run under ASan to catch overreads). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "snapshot.h"
#include "testlib.h"
#include "util.h"

static char *sample(const char *name)
{
	char path[512];
	char *text;
	str_printf(path, sizeof(path), "%s/samples/%s", FIXTURES_DIR, name);
	text = test_read_file(path, NULL);
	if (!text)
		printf("# cannot read %s\n", path);
	return text;
}

/* Replace every `from` with `to` (a new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf sb;
	size_t fl = strlen(from);
	const char *p;
	sb_init(&sb);
	while ((p = strstr(s, from))) {
		sb_addn(&sb, s, (size_t)(p - s));
		sb_add(&sb, to);
		s = p + fl;
	}
	sb_add(&sb, s);
	return sb_steal(&sb);
}

/* ---- ifconfig --------------------------------------------------------- */

/* The FreeBSD 14 backup sample, in whatever dress (CRLF, spaces). */
static void check_fbsd14_backup(const char *text)
{
	struct snapshot s;
	struct ifconfig_info info;
	const struct ifconfig_iface *ifc;
	const struct ifconfig_addr *parent;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig_ex(text, &s, &info, &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT_EQ(s.n_vips, 2);
	if (s.n_vips == 2) {
		CHECK_STR_EQ(s.vips[0].ifdev, "vnet0");
		CHECK_STR_EQ(s.vips[0].ifname, "");
		CHECK_INT_EQ(s.vips[0].vhid, 1);
		CHECK_STR_EQ(s.vips[0].address, "10.1.60.200");
		CHECK_INT_EQ(s.vips[0].prefix, 32);
		CHECK_INT_EQ(s.vips[0].status, CARP_ST_BACKUP);
		CHECK_INT_EQ(s.vips[0].advbase, 1);
		CHECK_INT_EQ(s.vips[0].advskew, 0);
		CHECK_INT_EQ(s.vips[0].mode, VIP_MODE_CARP);
		CHECK_STR_EQ(s.vips[1].ifdev, "vnet0");
		CHECK_INT_EQ(s.vips[1].vhid, 1);
		CHECK_STR_EQ(s.vips[1].address, "fd5e:d1c2:c9de:60::200");
		CHECK_INT_EQ(s.vips[1].prefix, 128);
		CHECK_INT_EQ(s.vips[1].status, CARP_ST_BACKUP);
		CHECK_INT_EQ(s.vips[1].advbase, 1);
		CHECK_INT_EQ(s.vips[1].advskew, 0);
	}
	CHECK_INT_EQ(info.n_ifaces, 1);
	ifc = ifconfig_find(&info, "vnet0");
	CHECK(ifc != NULL);
	CHECK(ifconfig_find(&info, "vnet1") == NULL);
	if (ifc) {
		CHECK_INT_EQ(ifc->mtu, 1500);
		CHECK_INT_EQ(ifc->n_addrs, 4);
		if (ifc->n_addrs == 4) {
			CHECK_STR_EQ(ifc->addrs[0].address, "10.1.60.201");
			CHECK_INT_EQ(ifc->addrs[0].prefix, 24);
			CHECK_INT_EQ(ifc->addrs[0].vhid, 0);
			CHECK(!ifc->addrs[0].inet6);
			CHECK_STR_EQ(ifc->addrs[2].address, "fe80::3a:f8ff:fefd:ed0b");
			CHECK_INT_EQ(ifc->addrs[2].prefix, 64);
			CHECK_INT_EQ(ifc->addrs[2].vhid, 0);
			CHECK(ifc->addrs[2].inet6 && ifc->addrs[2].link_local);
			CHECK(ifc->addrs[3].inet6 && !ifc->addrs[3].link_local);
		}
		CHECK_INT_EQ(ifc->n_carps, 1);
		if (ifc->n_carps == 1) {
			CHECK_STR_EQ(ifc->carps[0].peer, "224.0.0.18");
			CHECK_STR_EQ(ifc->carps[0].peer6, "ff02::12");
		}
		parent = ifconfig_parent_addr(ifc, "10.1.60.200");
		CHECK(parent != NULL);
		if (parent) {
			CHECK_STR_EQ(parent->address, "10.1.60.201");
			CHECK_INT_EQ(parent->prefix, 24);
		}
		/* Only a link-local address there: no parent subnet for the v6 VIP. */
		CHECK(ifconfig_parent_addr(ifc, "fd5e:d1c2:c9de:60::200") == NULL);
		CHECK(ifconfig_parent_addr(ifc, "10.1.61.1") == NULL);
		CHECK(ifconfig_parent_addr(ifc, "bogus") == NULL);
	}
	ifconfig_info_free(&info);
	snapshot_clear(&s);
}

static void test_ifconfig_sample(void)
{
	char *text = sample("ifconfig-fbsd14-backup.txt");
	CHECK(text != NULL);
	if (text)
		check_fbsd14_backup(text);
	free(text);
}

static void test_ifconfig_dress(void)
{
	char *text = sample("ifconfig-fbsd14-backup.txt");
	char *crlf, *spaces, *nonl;
	size_t len;
	if (!text) {
		CHECK(text != NULL);
		return;
	}
	crlf = replace_all(text, "\n", "\r\n");
	spaces = replace_all(text, "\t", "        ");
	check_fbsd14_backup(crlf);
	check_fbsd14_backup(spaces);
	/* No trailing newline. */
	nonl = xstrdup(text);
	len = strlen(nonl);
	while (len && nonl[len - 1] == '\n')
		nonl[--len] = '\0';
	check_fbsd14_backup(nonl);
	free(crlf);
	free(spaces);
	free(nonl);
	free(text);
}

/* FreeBSD 11 (old OPNsense): no peer line, carp: after status:, an IP alias
 * sharing vhid 1, several interfaces with several vhids and states. */
static const char ifconfig_fbsd11[] =
	"em0: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
	"\toptions=209b<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,VLAN_HWCSUM,WOL_MAGIC>\n"
	"\tether 00:0c:29:aa:bb:cc\n"
	"\tinet6 fe80::20c:29ff:feaa:bbcc%em0 prefixlen 64 scopeid 0x1 \n"
	"\tinet 192.168.1.2 netmask 0xffffff00 broadcast 192.168.1.255 \n"
	"\tinet 192.168.1.1 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1 \n"
	"\tinet 192.168.1.5 netmask 0xffffffff broadcast 192.168.1.5 vhid 1 \n"
	"\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>\n"
	"\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n"
	"\tstatus: active\n"
	"\tcarp: MASTER vhid 1 advbase 1 advskew 0\n"
	"em1: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 9000\n"
	"\tinet 203.0.113.2 netmask 0xffffff00 broadcast 203.0.113.255 \n"
	"\tinet 203.0.113.10 netmask 0xffffff00 broadcast 203.0.113.255 vhid 2 \n"
	"\tinet6 2001:db8::2 prefixlen 64 \n"
	"\tinet6 2001:db8::10 prefixlen 64 vhid 3 \n"
	"\tmedia: Ethernet autoselect\n"
	"\tstatus: no carrier\n"
	"\tcarp: INIT vhid 2 advbase 1 advskew 100\n"
	"\tcarp: BACKUP vhid 3 advbase 2 advskew 100\n"
	"lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384\n"
	"\toptions=600003<RXCSUM,TXCSUM,RXCSUM_IPV6,TXCSUM_IPV6>\n"
	"\tinet6 ::1 prefixlen 128 \n"
	"\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x3 \n"
	"\tinet 127.0.0.1 netmask 0xff000000 \n"
	"\tgroups: lo \n"
	"pfsync0: flags=0<> metric 0 mtu 1500\n"
	"\tpfsync: syncdev: em2 syncpeer: 224.0.0.240 maxupd: 128 defer: off\n"
	"\tgroups: pfsync \n";

static void test_ifconfig_fbsd11(void)
{
	struct snapshot s;
	struct ifconfig_info info;
	const struct ifconfig_iface *ifc;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig_ex(ifconfig_fbsd11, &s, &info, &cause), 0);
	CHECK_INT_EQ(s.n_vips, 4);
	if (s.n_vips == 4) {
		CHECK_STR_EQ(s.vips[0].ifdev, "em0");
		CHECK_STR_EQ(s.vips[0].address, "192.168.1.1");
		CHECK_INT_EQ(s.vips[0].prefix, 24);
		CHECK_INT_EQ(s.vips[0].status, CARP_ST_MASTER);
		CHECK_STR_EQ(s.vips[1].address, "192.168.1.5");
		CHECK_INT_EQ(s.vips[1].prefix, 32);
		CHECK_INT_EQ(s.vips[1].vhid, 1);
		CHECK_INT_EQ(s.vips[1].status, CARP_ST_MASTER);
		CHECK_INT_EQ(s.vips[1].mode, VIP_MODE_CARP);
		CHECK_STR_EQ(s.vips[2].ifdev, "em1");
		CHECK_INT_EQ(s.vips[2].vhid, 2);
		CHECK_STR_EQ(s.vips[2].address, "203.0.113.10");
		CHECK_INT_EQ(s.vips[2].status, CARP_ST_INIT);
		CHECK_INT_EQ(s.vips[2].advskew, 100);
		CHECK_STR_EQ(s.vips[3].ifdev, "em1");
		CHECK_INT_EQ(s.vips[3].vhid, 3);
		CHECK_STR_EQ(s.vips[3].address, "2001:db8::10");
		CHECK_INT_EQ(s.vips[3].prefix, 64);
		CHECK_INT_EQ(s.vips[3].status, CARP_ST_BACKUP);
		CHECK_INT_EQ(s.vips[3].advbase, 2);
		CHECK_INT_EQ(s.vips[3].advskew, 100);
	}
	CHECK_INT_EQ(info.n_ifaces, 4);
	ifc = ifconfig_find(&info, "em0");
	if (ifc) {
		CHECK_INT_EQ(ifc->n_carps, 1);
		CHECK_STR_EQ(ifc->carps[0].peer, "");   /* no peer line before FreeBSD 14 */
		CHECK_STR_EQ(ifc->carps[0].peer6, "");
	}
	ifc = ifconfig_find(&info, "em1");
	CHECK(ifc != NULL);
	if (ifc) {
		const struct ifconfig_addr *p = ifconfig_parent_addr(ifc, "2001:db8::10");
		CHECK_INT_EQ(ifc->mtu, 9000);
		CHECK(p != NULL);
		if (p) {
			CHECK_STR_EQ(p->address, "2001:db8::2");
			CHECK_INT_EQ(p->prefix, 64);
		}
	}
	ifc = ifconfig_find(&info, "lo0");
	CHECK(ifc != NULL);
	if (ifc) {
		CHECK_INT_EQ(ifc->mtu, 16384);
		CHECK_INT_EQ(ifc->n_addrs, 3);
		if (ifc->n_addrs == 3) {
			CHECK_STR_EQ(ifc->addrs[1].address, "fe80::1");
			CHECK_STR_EQ(ifc->addrs[2].address, "127.0.0.1");
			CHECK_INT_EQ(ifc->addrs[2].prefix, 8);
		}
	}
	ifconfig_info_free(&info);
	CHECK(info.ifaces == NULL && info.n_ifaces == 0);

	/* Appends: a second parse adds the same rows again after the first. */
	CHECK_INT_EQ(parse_ifconfig(ifconfig_fbsd11, &s, NULL), 0);
	CHECK_INT_EQ(s.n_vips, 8);
	snapshot_clear(&s);
}

/* carp: before the addresses, a unicast peer line, `-k` key holding field
 * names, vrrp:, inet6 flags and lifetimes, point-to-point, CIDR form. */
static const char ifconfig_mixed[] =
	"vtnet1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n"
	"\tcarp: MASTER vhid 7 advbase 3 advskew 50 key \"a vhid 9 advskew 1 peer 9.9.9.9\"\n"
	"\t      peer 10.0.0.3 peer6 fd00::3\n"
	"\tvrrp: MASTER vrid 4 prio 100 interval 100\n"
	"\tinet6 fd00::7 prefixlen 64 tentative autoconf deprecated scopeid 0x2 pltime 3600 vltime 7200 vhid 7\n"
	"\tinet6 fd00::8 prefixlen 64 anycast duplicated detached temporary prefer_source vhid 8\n"
	"\tinet 10.0.0.7 netmask 0xffffff00 broadcast 10.0.0.255 vhid 7\n"
	"\tinet 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255\n"
	"\tinet6 fd00::2%vtnet1/64 scopeid 0x2\n"
	"\tcarp: BACKUP vhid 8 advbase 1\n"
	"\tcarp: vhid 9 advbase 1 advskew 0\n"
	"\tinet 10.0.9.9 netmask 0xffffff00 vhid 9\n"
	"\tinet 10.0.0.99 netmask 0xffffff00 vhid 300\n"
	"\tinet 10.0.0.98 netmask 0xffffff00 vhid\n"
	"\tinet 999.0.0.1 netmask 0xffffff00 vhid 5\n"
	"\tinet 10.0.5.5 netmask 0xff00ff00 vhid 5\n"
	"tun0: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> metric 0 mtu 1400\n"
	"\tinet 10.8.0.1 --> 10.8.0.2 netmask 0xffffffff\n"
	"\tinet6 fe80::1%tun0 --> fe80::2%tun0 prefixlen 64 scopeid 0x5\n"
	"\tinet 10.9.0.1/30 vhid 4\n"
	"some stray line at column 0\n"
	"\tinet 10.99.0.1 netmask 0xffffff00 vhid 44\n";

static void test_ifconfig_mixed(void)
{
	struct snapshot s;
	struct ifconfig_info info;
	const struct ifconfig_iface *ifc;

	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig_ex(ifconfig_mixed, &s, &info, NULL), 0);
	/* fd00::7, fd00::8, 10.0.0.7, 10.0.9.9, 10.0.5.5, 10.9.0.1 */
	CHECK_INT_EQ(s.n_vips, 6);
	if (s.n_vips == 6) {
		CHECK_STR_EQ(s.vips[0].address, "fd00::7");
		CHECK_INT_EQ(s.vips[0].prefix, 64);
		CHECK_INT_EQ(s.vips[0].vhid, 7);
		CHECK_INT_EQ(s.vips[0].status, CARP_ST_MASTER);
		CHECK_INT_EQ(s.vips[0].advbase, 3);
		CHECK_INT_EQ(s.vips[0].advskew, 50);
		CHECK_STR_EQ(s.vips[1].address, "fd00::8");
		CHECK_INT_EQ(s.vips[1].vhid, 8);
		/* carp: line without advskew: skipped, the VIP stays unknown. */
		CHECK_INT_EQ(s.vips[1].status, CARP_ST_UNKNOWN);
		CHECK_INT_EQ(s.vips[1].advbase, -1);
		CHECK_INT_EQ(s.vips[1].advskew, -1);
		CHECK_STR_EQ(s.vips[2].address, "10.0.0.7");
		CHECK_INT_EQ(s.vips[2].prefix, 24);
		CHECK_INT_EQ(s.vips[2].status, CARP_ST_MASTER);
		CHECK_STR_EQ(s.vips[3].address, "10.0.9.9");
		/* carp: line without a state: skipped. */
		CHECK_INT_EQ(s.vips[3].status, CARP_ST_UNKNOWN);
		CHECK_STR_EQ(s.vips[4].address, "10.0.5.5");
		CHECK_INT_EQ(s.vips[4].prefix, -1);   /* mask with holes */
		CHECK_STR_EQ(s.vips[5].ifdev, "tun0");
		CHECK_STR_EQ(s.vips[5].address, "10.9.0.1");
		CHECK_INT_EQ(s.vips[5].prefix, 30);
		CHECK_INT_EQ(s.vips[5].vhid, 4);
	}
	ifc = ifconfig_find(&info, "vtnet1");
	CHECK(ifc != NULL);
	if (ifc) {
		const struct ifconfig_addr *p = ifconfig_parent_addr(ifc, "10.0.0.7");
		CHECK_INT_EQ(ifc->n_carps, 1);
		if (ifc->n_carps >= 1) {
			CHECK_INT_EQ(ifc->carps[0].vhid, 7);
			/* The peer line, not the word `peer` inside the key. */
			CHECK_STR_EQ(ifc->carps[0].peer, "10.0.0.3");
			CHECK_STR_EQ(ifc->carps[0].peer6, "fd00::3");
		}
		CHECK(p != NULL);
		if (p)
			CHECK_STR_EQ(p->address, "10.0.0.2");
		p = ifconfig_parent_addr(ifc, "fd00::7");
		CHECK(p != NULL);
		if (p) {
			CHECK_STR_EQ(p->address, "fd00::2");
			CHECK_INT_EQ(p->prefix, 64);
		}
	}
	ifc = ifconfig_find(&info, "tun0");
	CHECK(ifc != NULL);
	if (ifc) {
		CHECK_INT_EQ(ifc->mtu, 1400);
		CHECK_INT_EQ(ifc->n_addrs, 3);
		if (ifc->n_addrs == 3) {
			CHECK_STR_EQ(ifc->addrs[0].address, "10.8.0.1");
			CHECK_INT_EQ(ifc->addrs[0].prefix, 32);
			CHECK_STR_EQ(ifc->addrs[1].address, "fe80::1");
			CHECK_INT_EQ(ifc->addrs[1].prefix, 64);
		}
	}
	ifconfig_info_free(&info);
	snapshot_clear(&s);
}

static void test_ifconfig_truncated(void)
{
	char *text = sample("ifconfig-fbsd14-backup.txt");
	struct snapshot s;
	const char *cut;
	char *part;

	if (!text) {
		CHECK(text != NULL);
		return;
	}
	snapshot_init(&s);
	/* Cut right after the IPv4 VIP line: a VIP without its carp line. */
	cut = strstr(text, "vhid 1\n");
	CHECK(cut != NULL);
	if (cut) {
		part = xstrndup(text, (size_t)(cut - text) + 7);
		CHECK_INT_EQ(parse_ifconfig(part, &s, NULL), 0);
		CHECK_INT_EQ(s.n_vips, 1);
		if (s.n_vips == 1) {
			CHECK_STR_EQ(s.vips[0].address, "10.1.60.200");
			CHECK_INT_EQ(s.vips[0].status, CARP_ST_UNKNOWN);
			CHECK_INT_EQ(s.vips[0].advbase, -1);
		}
		free(part);
	}
	snapshot_clear(&s);
	/* Cut inside the carp line: the partial line is skipped. */
	cut = strstr(text, "advskew");
	CHECK(cut != NULL);
	if (cut) {
		part = xstrndup(text, (size_t)(cut - text) + 3);
		CHECK_INT_EQ(parse_ifconfig(part, &s, NULL), 0);
		CHECK_INT_EQ(s.n_vips, 2);
		if (s.n_vips == 2) {
			CHECK_INT_EQ(s.vips[0].status, CARP_ST_UNKNOWN);
			CHECK_INT_EQ(s.vips[1].status, CARP_ST_UNKNOWN);
		}
		free(part);
	}
	snapshot_clear(&s);
	/* Cut inside the IPv6 VIP address: no half address becomes a row. */
	cut = strstr(text, "fd5e:d1c2");
	if (cut) {
		part = xstrndup(text, (size_t)(cut - text) + 9);
		CHECK_INT_EQ(parse_ifconfig(part, &s, NULL), 0);
		CHECK_INT_EQ(s.n_vips, 1);
		free(part);
	}
	snapshot_clear(&s);
	free(text);
}

static void test_ifconfig_garbage(void)
{
	struct snapshot s;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig("", &s, &cause), -1);
	CHECK_STR_EQ(cause, "ifconfig: empty output");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_ifconfig(NULL, &s, &cause), -1);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_ifconfig("\n\n  \r\n", &s, &cause), -1);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_ifconfig("ifconfig: interface igb9 does not exist\n", &s, &cause), -1);
	CHECK_CONTAINS(cause, "ifconfig: line 1: ");
	CHECK_CONTAINS(cause, "igb9 does not exist");
	free(cause);
	cause = NULL;
	/* A control sequence in the text is quoted inert. */
	CHECK_INT_EQ(parse_ifconfig("\n\x1b[2Jboom\tinet 1.2.3.4 vhid 1\n", &s, &cause), -1);
	CHECK_CONTAINS(cause, "line 2: ");
	CHECK(cause && !strchr(cause, '\x1b'));
	free(cause);
	cause = NULL;
	/* Only indented lines: no interface to credit them to. */
	CHECK_INT_EQ(parse_ifconfig("\tinet 10.0.0.1 netmask 0xffffff00 vhid 1\n\tcarp: MASTER vhid 1 advbase 1 advskew 0\n",
				    &s, &cause), -1);
	free(cause);
	cause = NULL;
	/* A header alone is valid ifconfig output without VIPs. */
	CHECK_INT_EQ(parse_ifconfig("lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384", &s, &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT_EQ(s.n_vips, 0);
	snapshot_clear(&s);
}

/* ---- ifconfig pfsync0 ------------------------------------------------- */

static int pfsync(const char *text, struct snapshot *s)
{
	snapshot_clear(s);
	return parse_ifconfig_pfsync(text, s, NULL);
}

static void test_pfsync(void)
{
	struct snapshot s;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK_INT_EQ(pfsync("pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n"
			    "\tsyncdev: igb2 syncpeer: 10.0.10.2 maxupd: 128 defer: off version: 1400\n"
			    "\tsyncok: 1\n"
			    "\tgroups: pfsync\n", &s), 0);
	CHECK(s.pfsync.known);
	CHECK_STR_EQ(s.pfsync.syncdev, "igb2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "10.0.10.2");

	/* 14.x multicast: syncpeer omitted. */
	CHECK_INT_EQ(pfsync("pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\r\n"
			    "\tsyncdev: vtnet2 maxupd: 128 defer: on version: 1400\r\n"
			    "\tsyncok: 1\r\n", &s), 0);
	CHECK(s.pfsync.known);
	CHECK_STR_EQ(s.pfsync.syncdev, "vtnet2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "");

	/* Older: `pfsync:` prefix, multicast group printed. */
	CHECK_INT_EQ(pfsync("pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n"
			    "\tpfsync: syncdev: igb2 syncpeer: 224.0.0.240 maxupd: 128 defer: off\n"
			    "\tgroups: pfsync\n", &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "igb2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "");

	/* Older with a unicast peer. */
	CHECK_INT_EQ(pfsync("pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n"
			    "\tpfsync: syncdev: em2 syncpeer: 10.0.10.1 maxupd: 128 defer: on\n", &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "em2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "10.0.10.1");

	/* pfsync not configured: no status line; known, nothing set. */
	CHECK_INT_EQ(pfsync("pfsync0: flags=0<> metric 0 mtu 1500\n\tgroups: pfsync\n", &s), 0);
	CHECK(s.pfsync.known);
	CHECK_STR_EQ(s.pfsync.syncdev, "");
	CHECK_STR_EQ(s.pfsync.syncpeer, "");

	/* Inside a whole `ifconfig -a`: only the pfsync block counts. */
	CHECK_INT_EQ(pfsync(ifconfig_fbsd11, &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "em2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "");
	CHECK_INT_EQ(pfsync("em0: flags=8843<UP> metric 0 mtu 1500\n\tsyncdev: bogus0\n"
			    "pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n\tsyncok: 1\n", &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "");

	/* The status line alone. */
	CHECK_INT_EQ(pfsync("\tsyncdev: igb3 syncpeer: 192.0.2.1 maxupd: 128 defer: off version: 1400", &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "igb3");
	CHECK_STR_EQ(s.pfsync.syncpeer, "192.0.2.1");

	/* Nonsense values are not copied. */
	CHECK_INT_EQ(pfsync("pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n"
			    "\tsyncdev: \x1b[31m syncpeer: 10.0.10.999 maxupd: 128\n", &s), 0);
	CHECK_STR_EQ(s.pfsync.syncdev, "");
	CHECK_STR_EQ(s.pfsync.syncpeer, "");

	snapshot_clear(&s);
	CHECK_INT_EQ(parse_ifconfig_pfsync("ifconfig: interface pfsync0 does not exist\n", &s, &cause), -1);
	CHECK(!s.pfsync.known);
	CHECK_CONTAINS(cause, "ifconfig pfsync0: line 1: ");
	CHECK_CONTAINS(cause, "does not exist");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_ifconfig_pfsync("", &s, &cause), -1);
	CHECK_STR_EQ(cause, "ifconfig pfsync0: empty output");
	free(cause);
	snapshot_clear(&s);
}

/* ---- pfctl ------------------------------------------------------------ */

static const char pfctl_vsi[] =
	"Status: Enabled for 3 days 04:05:06           Debug: Urgent\n"
	"\n"
	"Hostid:   0xD36BDFCF\n"
	"Checksum: 0x5a0e3b6b8c5a4e8f9d2c7b1a0f3e5d4c\n"
	"\n"
	"State Table                          Total             Rate\n"
	"  current entries                       47               \n"
	"  searches                          270394          599.5/s\n"
	"  inserts                              908            2.0/s\n"
	"  removals                             861            1.9/s\n"
	"Source Tracking Table\n"
	"  current entries                        3               \n"
	"  searches                               0            0.0/s\n"
	"Counters\n"
	"  match                               9733           21.6/s\n";

/* The Source Tracking Table before the State Table must not be taken. */
static const char pfctl_si_reordered[] =
	"Status: Enabled for 0 days 00:00:05           Debug: Urgent\r\n"
	"Source Tracking Table\r\n"
	"  current entries                        3\r\n"
	"State Table                          Total             Rate\r\n"
	"  current entries                     1234\r\n";

static void test_pfctl_si(void)
{
	char *text = sample("pfctl-si.txt");
	char hostid[16] = "stale";
	long long cur = -7;
	char *cause = NULL;

	CHECK(text != NULL);
	CHECK_INT_EQ(parse_pfctl_si(text, &cur, hostid, sizeof(hostid), &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT_EQ(cur, 0);
	CHECK_STR_EQ(hostid, "");
	free(text);

	cur = -7;
	CHECK_INT_EQ(parse_pfctl_si(pfctl_vsi, &cur, hostid, sizeof(hostid), NULL), 0);
	CHECK_INT_EQ(cur, 47);
	CHECK_STR_EQ(hostid, "d36bdfcf");
	CHECK_INT_EQ(parse_pfctl_si(pfctl_si_reordered, &cur, NULL, 0, NULL), 0);
	CHECK_INT_EQ(cur, 1234);
	/* grep output. */
	CHECK_INT_EQ(parse_pfctl_si("  current entries                  1000000\n", &cur, NULL, 0, NULL), 0);
	CHECK_INT_EQ(cur, 1000000);

	cur = -7;
	CHECK_INT_EQ(parse_pfctl_si("", &cur, NULL, 0, &cause), -1);
	CHECK_STR_EQ(cause, "pfctl -si: empty output");
	CHECK_INT_EQ(cur, -7);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_pfctl_si("pfctl: /dev/pf: Permission denied\n", &cur, NULL, 0, &cause), -1);
	CHECK_CONTAINS(cause, "pfctl -si: line 1: no \"current entries\" line");
	CHECK_CONTAINS(cause, "Permission denied");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_pfctl_si("Status: Enabled\n\nState Table   Total  Rate\n  current entries   \n", &cur, NULL, 0,
				    &cause), -1);
	CHECK_CONTAINS(cause, "pfctl -si: line 4: ");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_pfctl_si("State Table\n  current entries   -5\n", &cur, NULL, 0, &cause), -1);
	free(cause);
	CHECK_INT_EQ(cur, -7);
}

static void test_pfctl_memory(void)
{
	long long lim = -7;
	char *cause = NULL;

	CHECK_INT_EQ(parse_pfctl_memory("states        hard limit   100000\n"
					"src-nodes     hard limit    10000\n"
					"frags         hard limit     5000\n"
					"table-entries hard limit   200000\n", &lim, &cause), 0);
	CHECK_INT_EQ(lim, 100000);
	CHECK_INT_EQ(parse_pfctl_memory("src-nodes     hard limit    10000\r\nstates        hard limit  4000000\r\n", &lim,
					NULL), 0);
	CHECK_INT_EQ(lim, 4000000);
	CHECK_INT_EQ(parse_pfctl_memory("states        unlimited\n", &lim, NULL), 0);
	CHECK(lim == PARSE_UNLIMITED);
	lim = -7;
	CHECK_INT_EQ(parse_pfctl_memory("states        hard lim", &lim, &cause), -1);
	CHECK_CONTAINS(cause, "pfctl -s memory: line 1: ");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_pfctl_memory("frags         hard limit     5000\n", &lim, &cause), -1);
	CHECK_CONTAINS(cause, "no \"states\" line");
	free(cause);
	CHECK_INT_EQ(lim, -7);
}

static const char pfctl_states_vv[] =
	"all tcp 10.0.0.1:22 <- 10.0.0.2:50000       ESTABLISHED:ESTABLISHED\n"
	"   [3907546893 + 4194304] wscale 7  [1016128498 + 4194304] wscale 7\n"
	"   age 00:00:10, expires in 23:59:59, 30:25 pkts, 3600:4200 bytes, rule 0\n"
	"   id: 6520a0b500000001 creatorid: a2e0f312 gateway: 0.0.0.0\n"
	"   origif: vtnet0\n"
	"all udp 10.0.0.1:123 -> 192.0.2.1:123       MULTIPLE:SINGLE\n"
	"   age 00:01:00, expires in 00:00:30, 2:2 pkts, 152:152 bytes, rule 4\n"
	"   id: 6520a0b500000002 creatorid: A2E0F312\r\n"
	"all icmp 10.0.0.1:8 -> 192.0.2.9:8       0:0\n"
	"   id: 0000000000000003 creatorid: 0b1c2d3e\n"
	"   id: 0000000000000004 creatorid: zzzz\n"
	"   id: 0000000000000005 creatorid:";

static void test_pfctl_creators(void)
{
	struct snapshot s;
	struct strbuf sb;
	char *cause = NULL, *many;
	int i;

	snapshot_init(&s);
	CHECK_INT_EQ(parse_pfctl_creators(pfctl_states_vv, &s, &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT_EQ(s.pfsync.n_creators, 2);
	CHECK_STR_EQ(s.pfsync.creators[0], "a2e0f312");
	CHECK_STR_EQ(s.pfsync.creators[1], "0b1c2d3e");

	/* More distinct ids than fit: the first SNAP_MAX_CREATORS. */
	sb_init(&sb);
	for (i = 0; i < SNAP_MAX_CREATORS + 3; i++)
		sb_printf(&sb, "   id: %016x creatorid: %08x\n", i, 0x1000 + i);
	many = sb_steal(&sb);
	CHECK_INT_EQ(parse_pfctl_creators(many, &s, NULL), 0);
	CHECK_INT_EQ(s.pfsync.n_creators, SNAP_MAX_CREATORS);
	CHECK_STR_EQ(s.pfsync.creators[0], "00001000");
	CHECK_STR_EQ(s.pfsync.creators[SNAP_MAX_CREATORS - 1], "00001007");
	free(many);

	/* An empty state table. */
	CHECK_INT_EQ(parse_pfctl_creators("", &s, NULL), 0);
	CHECK_INT_EQ(s.pfsync.n_creators, 0);

	s.pfsync.n_creators = 1;
	CHECK_INT_EQ(parse_pfctl_creators("all tcp 10.0.0.1:22 <- 10.0.0.2:50000       ESTABLISHED:ESTABLISHED\n", &s,
					  &cause), -1);
	CHECK_CONTAINS(cause, "pfctl -s state -vv: line 1: no \"creatorid:\" field");
	CHECK_INT_EQ(s.pfsync.n_creators, 1);
	free(cause);
	snapshot_clear(&s);
}

/* ---- sysctl ----------------------------------------------------------- */

static void test_sysctl_sample(void)
{
	char *text = sample("sysctl-net.inet.carp-19.x.txt");
	struct snapshot s;
	struct carp_sysctl cs;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK(text != NULL);
	CHECK_INT_EQ(parse_sysctl_carp(text, &s, &cs, &cause), 0);
	CHECK(cause == NULL);
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK_INT_EQ(s.carp.demotion, 0);
	CHECK_INT_EQ(s.carp.preempt, 1);
	CHECK_INT_EQ(cs.allow, 1);
	CHECK_INT_EQ(cs.log, 1);
	CHECK_INT_EQ(cs.ifdown_demotion_factor, 240);
	CHECK_INT_EQ(cs.senderr_demotion_factor, 240);
	CHECK(cs.dscp == CARP_SYSCTL_UNSET); /* not in 19.x */
	free(text);
	snapshot_clear(&s);
}

static void test_sysctl_variants(void)
{
	struct snapshot s;
	struct carp_sysctl cs;
	char *cause = NULL;

	snapshot_init(&s);
	/* FreeBSD 14-ish: another order, dscp, an unknown name, CRLF, no final newline. */
	CHECK_INT_EQ(parse_sysctl_carp("net.inet.carp.allow: 0\r\n"
				       "net.inet.carp.dscp: 56\r\n"
				       "net.inet.carp.newthing: 7\r\n"
				       "net.inet.carp.preempt: 0\r\n"
				       "net.inet.carp.demotion: 240\r\n"
				       "net.inet.carp.senderr_demotion_factor: 0\r\n"
				       "net.inet.carp.log:\t2", &s, &cs, &cause), 0);
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.allow, 0);
	CHECK_INT_EQ(s.carp.demotion, 240);
	CHECK_INT_EQ(s.carp.preempt, 0);
	CHECK_INT_EQ(cs.dscp, 56);
	CHECK_INT_EQ(cs.log, 2);
	CHECK_INT_EQ(cs.senderr_demotion_factor, 0);
	CHECK(cs.ifdown_demotion_factor == CARP_SYSCTL_UNSET);

	/* No preempt line: preempt stays unknown. Negative demotion is a value. */
	snapshot_clear(&s);
	CHECK_INT_EQ(parse_sysctl_carp("sysctl: unknown oid 'net.inet.carp.preempt'\n"
				       "net.inet.carp.demotion: -10\nnet.inet.carp.allow: 1\n", &s, NULL, NULL), 0);
	CHECK_INT_EQ(s.carp.preempt, -1);
	CHECK_INT_EQ(s.carp.demotion, -10);

	/* Missing allow (cut off) is a failure and leaves the snapshot alone. */
	snapshot_clear(&s);
	CHECK_INT_EQ(parse_sysctl_carp("net.inet.carp.demotion: 0\nnet.inet.carp.preempt: 1\nnet.inet.carp.al", &s, NULL,
				       &cause), -1);
	CHECK(!s.carp.known);
	CHECK_INT_EQ(s.carp.preempt, -1);
	CHECK_CONTAINS(cause, "sysctl net.inet.carp: line 1: no net.inet.carp.allow line");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_sysctl_carp("net.inet.carp.allow: yes\nnet.inet.carp.demotion: 0\n", &s, NULL, &cause), -1);
	CHECK_CONTAINS(cause, "line 1: unreadable value of net.inet.carp.allow");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_sysctl_carp("net.inet.carp.allow: 1 2\nnet.inet.carp.demotion: 0\n", &s, NULL, NULL), -1);
	/* sysctl -n prints bare values: not accepted. */
	CHECK_INT_EQ(parse_sysctl_carp("0\n1\n", &s, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_sysctl_carp("", &s, NULL, &cause), -1);
	CHECK_STR_EQ(cause, "sysctl net.inet.carp: empty output");
	free(cause);
	CHECK(!s.carp.known);
	snapshot_clear(&s);
}

/* ---- opnsense-version ------------------------------------------------- */

static void test_version(void)
{
	char v[SNAP_NAME_LEN] = "";
	char small[6];
	char *cause = NULL;

	CHECK_INT_EQ(parse_opnsense_version("OPNsense 26.7.2 (amd64)\n", v, sizeof(v), &cause), 0);
	CHECK_STR_EQ(v, "26.7.2");
	CHECK_INT_EQ(parse_opnsense_version("26.7.2\n", v, sizeof(v), NULL), 0);
	CHECK_STR_EQ(v, "26.7.2");
	CHECK_INT_EQ(parse_opnsense_version("26.7.2_1", v, sizeof(v), NULL), 0);
	CHECK_STR_EQ(v, "26.7.2_1");
	CHECK_INT_EQ(parse_opnsense_version("\r\nOPNsense 24.7.12_4 (aarch64)\r\n", v, sizeof(v), NULL), 0);
	CHECK_STR_EQ(v, "24.7.12_4");
	CHECK_INT_EQ(parse_opnsense_version("OPNsense 26.7.2-amd64", v, sizeof(v), NULL), 0);
	CHECK_STR_EQ(v, "26.7.2");

	str_copy(v, "keep", sizeof(v));
	CHECK_INT_EQ(parse_opnsense_version("", v, sizeof(v), &cause), -1);
	CHECK_STR_EQ(cause, "opnsense-version: empty output");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_opnsense_version("opnsense-version: Command not found.\n", v, sizeof(v), &cause), -1);
	CHECK_CONTAINS(cause, "opnsense-version: line 1: no version found");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(parse_opnsense_version("OPNsense 26 (amd64)\n", v, sizeof(v), NULL), -1);
	CHECK_INT_EQ(parse_opnsense_version("OPNsense 26.7.2 (amd64)\n", small, sizeof(small), &cause), -1);
	CHECK_CONTAINS(cause, "too long");
	free(cause);
	CHECK_STR_EQ(v, "keep");
}

/* ---- every parser on every prefix of every input, and on garbage ------ */

/* Runs every parser over text; returns the number of broken invariants. */
static int run_all(const char *text)
{
	struct snapshot s;
	struct ifconfig_info info;
	struct carp_sysctl cs;
	long long n = -1;
	char buf[SNAP_NAME_LEN], hostid[16];
	char *cause;
	int bad = 0, rc;
	size_t i;

#define CAUSE_OK(rc) do { \
	if ((rc) != 0 && ((rc) != -1 || !cause)) bad++; \
	if ((rc) == 0 && cause) bad++; \
	free(cause); cause = NULL; \
} while (0)

	snapshot_init(&s);
	cause = NULL;
	rc = parse_ifconfig_ex(text, &s, &info, &cause);
	CAUSE_OK(rc);
	for (i = 0; i < s.n_vips; i++) {
		const struct vip_row *r = &s.vips[i];
		if (r->vhid < 1 || r->vhid > 255 || !r->address[0] || r->prefix < -1 || r->prefix > 128 || !r->ifdev[0])
			bad++;
	}
	ifconfig_info_free(&info);
	rc = parse_ifconfig_pfsync(text, &s, &cause);
	CAUSE_OK(rc);
	rc = parse_pfctl_si(text, &n, hostid, sizeof(hostid), &cause);
	CAUSE_OK(rc);
	if (rc == 0 && n < 0)
		bad++;
	rc = parse_pfctl_memory(text, &n, &cause);
	CAUSE_OK(rc);
	rc = parse_pfctl_creators(text, &s, &cause);
	CAUSE_OK(rc);
	if (s.pfsync.n_creators < 0 || s.pfsync.n_creators > SNAP_MAX_CREATORS)
		bad++;
	rc = parse_sysctl_carp(text, &s, &cs, &cause);
	CAUSE_OK(rc);
	rc = parse_opnsense_version(text, buf, sizeof(buf), &cause);
	CAUSE_OK(rc);
	snapshot_clear(&s);
#undef CAUSE_OK
	return bad;
}

/* Every prefix of text, each in its own exact-size allocation so that ASan
 * sees any read past the NUL. */
static int run_all_prefixes(const char *text)
{
	size_t len = strlen(text), cut;
	int bad = 0;
	for (cut = 0; cut <= len; cut++) {
		char *part = xmalloc(cut + 1);
		memcpy(part, text, cut);
		part[cut] = '\0';
		bad += run_all(part);
		free(part);
	}
	return bad;
}

static void test_truncated_everywhere(void)
{
	static const char *const files[] = {
		"ifconfig-fbsd14-backup.txt", "pfctl-si.txt", "sysctl-net.inet.carp-19.x.txt",
		"../README.md", /* prose: garbage to every parser */
	};
	static const char *const inline_texts[] = {
		ifconfig_fbsd11, ifconfig_mixed, pfctl_vsi, pfctl_si_reordered, pfctl_states_vv,
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(files); i++) {
		char *text = sample(files[i]);
		char *crlf;
		CHECK(text != NULL);
		if (!text)
			continue;
		crlf = replace_all(text, "\n", "\r\n");
		CHECK_INT_EQ(run_all_prefixes(text), 0);
		CHECK_INT_EQ(run_all_prefixes(crlf), 0);
		free(crlf);
		free(text);
	}
	for (i = 0; i < ARRAY_LEN(inline_texts); i++)
		CHECK_INT_EQ(run_all_prefixes(inline_texts[i]), 0);
}

/* A fixed xorshift generator: the same "random" inputs on every run. */
static uint32_t rng_state = 0x2545f491u;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_garbage(void)
{
	/* Fragments of the real formats, glued at random, reach deeper into the
	 * parsers than uniform noise does. */
	static const char *const frags[] = {
		"vnet0: flags=8843<UP> mtu 1500", "pfsync0: flags=41<UP>", "\n", "\r\n", "\t", " ", "inet", "inet6",
		"10.0.0.1", "fe80::1%em0", "fd00::1/64", "netmask", "0xffffff00", "prefixlen", "64", "vhid", "1",
		"255", "256", "-1", "carp:", "MASTER", "BACKUP", "INIT", "advbase", "advskew", "peer", "peer6",
		"key", "\"x\"", "syncdev:", "syncpeer:", "224.0.0.240", "maxupd:", "current entries", "State Table",
		"Hostid:", "0xdeadbeef", "states", "hard limit", "unlimited", "creatorid:", "a2e0f312",
		"net.inet.carp.allow:", "net.inet.carp.demotion:", "net.inet.carp.preempt:", "OPNsense",
		"26.7.2", "(amd64)", "-->", "99999999999999999999", ":", "/", "%", "\x1b[2J", "\xff\xfe",
	};
	int bad = 0, i, j;

	for (i = 0; i < 3000; i++) {
		struct strbuf sb;
		char *text;
		int n = (int)(rng() % 40);
		sb_init(&sb);
		for (j = 0; j < n; j++) {
			if (rng() % 8 == 0) {
				char c = (char)(rng() % 255 + 1);
				sb_addn(&sb, &c, 1);
			} else {
				sb_add(&sb, frags[rng() % ARRAY_LEN(frags)]);
			}
		}
		text = sb_steal(&sb);
		bad += run_all(text);
		free(text);
	}
	CHECK_INT_EQ(bad, 0);
	CHECK_INT_EQ(run_all(""), 0);
	CHECK_INT_EQ(run_all(NULL), 0);
}

int main(void)
{
	RUN(test_ifconfig_sample);
	RUN(test_ifconfig_dress);
	RUN(test_ifconfig_fbsd11);
	RUN(test_ifconfig_mixed);
	RUN(test_ifconfig_truncated);
	RUN(test_ifconfig_garbage);
	RUN(test_pfsync);
	RUN(test_pfctl_si);
	RUN(test_pfctl_memory);
	RUN(test_pfctl_creators);
	RUN(test_sysctl_sample);
	RUN(test_sysctl_variants);
	RUN(test_version);
	RUN(test_truncated_everywhere);
	RUN(test_garbage);
	return test_done();
}
