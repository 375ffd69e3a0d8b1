/* Unit tests of the /conf/config.xml reader: the how-to's example pair
 * (legacy hasync flags), the 24.7+ format (<syncitems>, MVC VIPs),
 * refining ifconfig rows the way the API does (descr/KEY names, carp vs
 * ipalias, DISABLED rows for VHIDs that are not up), passwords never
 * copied, and malformed input. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "ssh/ssh_int.h"
#include "testlib.h"
#include "util.h"

static char *example(const char *name, size_t *len)
{
	char *path = xasprintf("%s/examples/%s", FIXTURES_DIR, name);
	char *text = test_read_file(path, len);
	if (!text)
		printf("# cannot read %s\n", path);
	free(path);
	return text;
}

static const struct cx_iface *iface(const struct cx_config *c, const char *key)
{
	size_t i;
	for (i = 0; i < c->n_ifaces; i++)
		if (str_eq(c->ifaces[i].key, key))
			return &c->ifaces[i];
	return NULL;
}

/* No byte sequence of a secret anywhere in what the reader kept. */
static bool kept_anywhere(const struct cx_config *c, const char *secret)
{
	size_t n = strlen(secret);
	return memmem(c, sizeof(*c), secret, n) || (c->ifaces && memmem(c->ifaces, c->n_ifaces * sizeof(*c->ifaces),
									 secret, n)) ||
	       (c->vips && memmem(c->vips, c->n_vips * sizeof(*c->vips), secret, n));
}

static void test_example_master(void)
{
	size_t len;
	char *xml = example("Carp_example_master.xml", &len), *cause = NULL;
	struct cx_config c;
	const struct cx_iface *f;

	memset(&c, 0, sizeof(c));
	CHECK(xml != NULL);
	if (!xml)
		return;
	CHECK_INT_EQ(cx_parse(xml, len, &c, &cause), 0);
	CHECK(c.valid);
	CHECK_STR_EQ(c.hostname, "OPNsense.localdomain");
	CHECK_INT_EQ(c.n_ifaces, 3);
	f = iface(&c, "wan");
	CHECK(f && str_eq(f->dev, "em1") && f->descr[0] == '\0');
	f = iface(&c, "opt1");
	CHECK(f && str_eq(f->dev, "em2") && str_eq(f->descr, "PFSYNC"));
	CHECK_INT_EQ(c.n_vips, 2);
	CHECK_STR_EQ(c.vips[0].iface, "wan");
	CHECK_INT_EQ(c.vips[0].mode, VIP_MODE_CARP);
	CHECK_STR_EQ(c.vips[0].subnet, "172.18.0.100");
	CHECK_INT_EQ(c.vips[0].bits, 24);
	CHECK_INT_EQ(c.vips[0].vhid, 1);
	CHECK_INT_EQ(c.vips[0].advskew, 0);
	CHECK_INT_EQ(c.vips[1].vhid, 3);
	CHECK(!c.maintenance);
	CHECK(c.hasync_present);
	CHECK_STR_EQ(c.sync_target, "10.0.0.2");
	/* legacy <synchronize<ID>>on flags, in file order */
	CHECK_STR_EQ(c.sync_items, "rules,nat,dhcpd,staticroutes,virtualip");
	CHECK_STR_EQ(c.pfsync_iface, "opt1");
	CHECK_STR_EQ(c.pfsync_peer, "10.0.0.2");
	/* the CARP and XMLRPC password of the example is "opnsense": the
	 * product name is everywhere, so look for the element text instead */
	CHECK(!kept_anywhere(&c, "<password>"));
	cx_free(&c);
	free(xml);
}

static void test_example_backup(void)
{
	size_t len;
	char *xml = example("Carp_example_backup.xml", &len), *cause = NULL;
	struct cx_config c;

	memset(&c, 0, sizeof(c));
	if (!xml)
		return;
	CHECK_INT_EQ(cx_parse(xml, len, &c, &cause), 0);
	CHECK_STR_EQ(c.sync_target, "");
	CHECK_STR_EQ(c.sync_items, "");
	CHECK_STR_EQ(c.pfsync_iface, "opt1");
	CHECK_INT_EQ(c.vips[0].advskew, 100);
	cx_free(&c);
	free(xml);
}

static const char MODERN[] =
	"<?xml version=\"1.0\"?>\n"
	"<opnsense>\n"
	"  <system><hostname>fw2</hostname><domain>corp.example</domain>\n"
	"    <user><name>root</name><password>$2y$10$HASHEDROOTPASSWORD</password></user></system>\n"
	"  <interfaces>\n"
	"    <lan><if>igb1</if><descr>Office LAN</descr></lan>\n"
	"    <wan><if>igb0</if></wan>\n"
	"    <opt2><if>igb2</if><descr>SYNC</descr></opt2>\n"
	"  </interfaces>\n"
	"  <virtualip version=\"1.0.1\">\n"
	"    <vip uuid=\"6f0c2d1e-0000-4000-8000-000000000001\"><interface>lan</interface><mode>carp</mode>"
	"<subnet>192.168.1.1</subnet><subnet_bits>24</subnet_bits><password>CARPSECRET</password><vhid>1</vhid>"
	"<advbase>1</advbase><advskew>100</advskew><descr>LAN VIP</descr></vip>\n"
	"    <vip uuid=\"6f0c2d1e-0000-4000-8000-000000000002\"><interface>lan</interface><mode>ipalias</mode>"
	"<subnet>192.168.1.5</subnet><subnet_bits>24</subnet_bits><vhid>1</vhid></vip>\n"
	"    <vip uuid=\"6f0c2d1e-0000-4000-8000-000000000003\"><interface>lan</interface><mode>carp</mode>"
	"<subnet>fd00:1::1</subnet><subnet_bits>64</subnet_bits><vhid>3</vhid><advbase>1</advbase>"
	"<advskew>100</advskew></vip>\n"
	"    <vip uuid=\"6f0c2d1e-0000-4000-8000-000000000004\"><interface>wan</interface><mode>carp</mode>"
	"<subnet>203.0.113.10</subnet><subnet_bits>24</subnet_bits><vhid>2</vhid><advbase>1</advbase>"
	"<advskew>100</advskew></vip>\n"
	"    <vip uuid=\"6f0c2d1e-0000-4000-8000-000000000005\"><interface>wan</interface><mode>proxyarp</mode>"
	"<subnet>203.0.113.20</subnet><subnet_bits>32</subnet_bits></vip>\n"
	"  </virtualip>\n"
	"  <virtualip_carp_maintenancemode>1</virtualip_carp_maintenancemode>\n"
	"  <hasync version=\"1.0.2\"><disablepreempt>0</disablepreempt><pfsyncinterface>opt2</pfsyncinterface>"
	"<pfsyncpeerip/><pfsyncversion>1400</pfsyncversion><synchronizetoip>https://10.0.10.1/xmlrpc.php"
	"</synchronizetoip><username>root</username><password>XMLRPCSECRET</password>"
	"<syncitems>aliases,rules,virtualip</syncitems></hasync>\n"
	"</opnsense>\n";

/* ifconfig of the secondary: vhid 1 (carp + alias) and vhid 3 up, vhid 2
 * (WAN) not up at all, plus a VIP on a device the config does not assign. */
static const char IFCONFIG[] =
	"igb1: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
	"\tinet 192.168.1.20 netmask 0xffffff00 broadcast 192.168.1.255\n"
	"\tinet 192.168.1.1 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1\n"
	"\tinet 192.168.1.5 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1\n"
	"\tinet 192.168.1.9 netmask 0xffffff00 broadcast 192.168.1.255 vhid 1\n"
	"\tinet6 fd00:1:0:0::1 prefixlen 64 vhid 3\n"
	"\tcarp: BACKUP vhid 1 advbase 1 advskew 100\n"
	"\tcarp: BACKUP vhid 3 advbase 1 advskew 100\n"
	"igb9: flags=8943<UP,BROADCAST,RUNNING> metric 0 mtu 1500\n"
	"\tinet 10.9.9.1 netmask 0xffffff00 broadcast 10.9.9.255 vhid 9\n"
	"\tcarp: BACKUP vhid 9 advbase 1 advskew 0\n";

static void test_modern_and_apply(void)
{
	struct cx_config c;
	struct snapshot s;
	char *cause = NULL;
	size_t i;

	memset(&c, 0, sizeof(c));
	str_copy(c.marker, "42", sizeof(c.marker));
	CHECK_INT_EQ(cx_parse(MODERN, strlen(MODERN), &c, &cause), 0);
	CHECK_STR_EQ(c.marker, "42"); /* kept for the caller */
	CHECK_STR_EQ(c.hostname, "fw2.corp.example");
	CHECK(c.maintenance);
	CHECK_STR_EQ(c.sync_target, "https://10.0.10.1/xmlrpc.php");
	CHECK_STR_EQ(c.sync_items, "aliases,rules,virtualip");
	CHECK_STR_EQ(c.pfsync_iface, "opt2");
	CHECK_INT_EQ(c.n_vips, 5);
	CHECK(c.vips[4].mode_other);
	CHECK(!kept_anywhere(&c, "CARPSECRET"));
	CHECK(!kept_anywhere(&c, "XMLRPCSECRET"));
	CHECK(!kept_anywhere(&c, "HASHEDROOTPASSWORD"));

	snapshot_init(&s);
	CHECK_INT_EQ(parse_ifconfig(IFCONFIG, &s, NULL), 0);
	CHECK_INT_EQ(s.n_vips, 5);
	cx_apply(&c, &s, true);
	CHECK_INT_EQ(s.n_vips, 6);
	/* 192.168.1.1 vhid 1: the CARP VIP, named by descr */
	CHECK_STR_EQ(s.vips[0].ifname, "Office LAN");
	CHECK_INT_EQ(s.vips[0].mode, VIP_MODE_CARP);
	CHECK_INT_EQ(s.vips[0].status, CARP_ST_BACKUP);
	/* 192.168.1.5 vhid 1: the IP alias sharing the VHID */
	CHECK_INT_EQ(s.vips[1].mode, VIP_MODE_IPALIAS);
	/* 192.168.1.9 vhid 1: not in the config at all -> ipalias, as the API */
	CHECK_INT_EQ(s.vips[2].mode, VIP_MODE_IPALIAS);
	/* fd00:1::1 written differently in ifconfig: matched as an address */
	CHECK_INT_EQ(s.vips[3].vhid, 3);
	CHECK_INT_EQ(s.vips[3].mode, VIP_MODE_CARP);
	/* igb9 is not assigned: no name (the API's null) */
	CHECK_STR_EQ(s.vips[4].ifname, "");
	/* vhid 2 is configured but not up: a DISABLED row from the config */
	CHECK_INT_EQ(s.vips[5].vhid, 2);
	CHECK_INT_EQ(s.vips[5].status, CARP_ST_DISABLED);
	CHECK_STR_EQ(s.vips[5].ifname, "WAN"); /* no descr: upper-cased key */
	CHECK_STR_EQ(s.vips[5].ifdev, "igb0");
	CHECK_STR_EQ(s.vips[5].address, "203.0.113.10");
	CHECK_INT_EQ(s.vips[5].prefix, 24);
	CHECK_INT_EQ(s.vips[5].advskew, 100);
	CHECK_INT_EQ(s.vips[5].mode, VIP_MODE_CARP);
	CHECK_STR_EQ(s.hostname, "fw2.corp.example");
	CHECK(s.hasync.known);
	CHECK_STR_EQ(s.hasync.sync_items, "aliases,rules,virtualip");
	CHECK(s.carp.maintenance);
	for (i = 0; i < s.n_vips; i++)
		CHECK(s.vips[i].status != CARP_ST_UNKNOWN);
	snapshot_clear(&s);

	/* The flag from `configctl interface show carp` wins when it answered. */
	snapshot_init(&s);
	parse_ifconfig(IFCONFIG, &s, NULL);
	cx_apply(&c, &s, false);
	CHECK(!s.carp.maintenance);
	snapshot_clear(&s);
	cx_free(&c);
	CHECK(!c.valid);
}

static void test_bad_input(void)
{
	struct cx_config c;
	char *cause = NULL;
	memset(&c, 0, sizeof(c));
	CHECK_INT_EQ(cx_parse("", 0, &c, &cause), -1);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(cx_parse("<opnsense><system>", 18, &c, &cause), -1);
	CHECK_CONTAINS(cause, "not well-formed");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(cx_parse("<html><body/></html>", 20, &c, &cause), -1);
	CHECK_CONTAINS(cause, "root <html>");
	free(cause);
	cause = NULL;
	CHECK(!c.valid);
	/* An external entity is not fetched or expanded. */
	{
		const char *x = "<?xml version=\"1.0\"?><!DOCTYPE opnsense [<!ENTITY e SYSTEM \"file:///etc/hostname\">]>"
				"<opnsense><system><hostname>&e;</hostname></system></opnsense>";
		CHECK_INT_EQ(cx_parse(x, strlen(x), &c, &cause), 0);
		CHECK_STR_EQ(c.hostname, "");
		cx_free(&c);
	}
}

int main(void)
{
	RUN(test_example_master);
	RUN(test_example_backup);
	RUN(test_modern_and_apply);
	RUN(test_bad_input);
	return test_done();
}
