/* xmlconf: the how-to's example pair into the model, both hasync shapes,
 * clear errors for malformed, truncated and foreign files, no entity
 * expansion, and the secret and address helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "util.h"
#include "xmlconf.h"

#define MASTER FIXTURES_DIR "/examples/Carp_example_master.xml"
#define BACKUP FIXTURES_DIR "/examples/Carp_example_backup.xml"

static void test_example_master(void)
{
	struct xmlconf c;
	char *cause = NULL;
	const struct xc_iface *wan, *lan, *opt1;

	CHECK_INT_EQ(xmlconf_load_file(MASTER, &c, &cause), 0);
	if (cause) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	CHECK_STR_EQ(c.hostname, "OPNsense.localdomain");
	CHECK_INT_EQ(c.n_ifs, 3);
	wan = xc_iface_find(&c, "wan");
	lan = xc_iface_find(&c, "lan");
	opt1 = xc_iface_find(&c, "opt1");
	CHECK(wan && lan && opt1);
	if (!wan || !lan || !opt1)
		return;
	CHECK_STR_EQ(wan->dev, "em1");
	CHECK_STR_EQ(wan->ipaddr, "172.18.0.101");
	CHECK_INT_EQ(wan->subnet, 24);
	CHECK_STR_EQ(wan->ipaddrv6, "dhcpv6");
	CHECK(wan->has_gateway);
	CHECK(!lan->has_gateway);
	CHECK_STR_EQ(lan->ipaddrv6, "track6");
	CHECK_INT_EQ(lan->subnetv6, 64);
	CHECK_STR_EQ(opt1->descr, "PFSYNC");
	CHECK_STR_EQ(opt1->ipaddr, "10.0.0.1");

	CHECK_INT_EQ(c.n_vips, 2);
	CHECK_INT_EQ(c.vips[0].mode, XC_VIP_CARP);
	CHECK_STR_EQ(c.vips[0].iface, "wan");
	CHECK_INT_EQ(c.vips[0].vhid, 1);
	CHECK_STR_EQ(c.vips[0].subnet, "172.18.0.100");
	CHECK_INT_EQ(c.vips[0].bits, 24);
	CHECK_INT_EQ(c.vips[0].advskew, 0);
	CHECK_INT_EQ(c.vips[0].advbase, 1);
	CHECK_STR_EQ(c.vips[0].password, "opnsense");
	CHECK(!c.vips[0].nosync);
	CHECK_STR_EQ(c.vips[0].uuid, "");
	CHECK(c.vips[0].line > 600);
	CHECK_INT_EQ(c.vips[1].vhid, 3);
	CHECK_STR_EQ(c.vips[1].iface, "lan");

	/* Legacy hasync: the <synchronizeX>on flags become item ids. */
	CHECK(c.hasync.present);
	CHECK(c.hasync.legacy);
	CHECK(c.hasync.pfsync_enabled);
	CHECK_STR_EQ(c.hasync.pfsyncinterface, "opt1");
	CHECK_STR_EQ(c.hasync.pfsyncpeerip, "10.0.0.2");
	CHECK_STR_EQ(c.hasync.synchronizetoip, "10.0.0.2");
	CHECK_STR_EQ(c.hasync.username, "root");
	CHECK(c.hasync.has_password);
	CHECK_INT_EQ(c.hasync.n_items, 5);
	CHECK(xc_has_item(&c, "rules"));
	CHECK(xc_has_item(&c, "nat"));
	CHECK(xc_has_item(&c, "dhcpd"));
	CHECK(xc_has_item(&c, "staticroutes"));
	CHECK(xc_has_item(&c, "virtualip"));
	CHECK(!xc_has_item(&c, "toip"));

	{
		char buf[64];
		CHECK_STR_EQ(xc_text(c.root, "dhcpd/lan/gateway", buf, sizeof(buf)), "192.168.1.1");
		CHECK_STR_EQ(xc_text(c.root, "nat/outbound/mode", buf, sizeof(buf)), "advanced");
		CHECK_STR_EQ(xc_text(c.root, "aliases", buf, sizeof(buf)), "");
		CHECK_STR_EQ(xc_text(c.root, "no/such/path", buf, sizeof(buf)), "");
		/* An element with children has no text of its own. */
		CHECK_STR_EQ(xc_text(c.root, "dhcpd", buf, sizeof(buf)), "");
	}
	xmlconf_free(&c);
}

static void test_example_backup(void)
{
	struct xmlconf c;
	char *cause = NULL;
	CHECK_INT_EQ(xmlconf_load_file(BACKUP, &c, &cause), 0);
	free(cause);
	CHECK_STR_EQ(c.hasync.synchronizetoip, "");
	CHECK_STR_EQ(c.hasync.username, "");
	CHECK(!c.hasync.has_password);
	CHECK_INT_EQ(c.hasync.n_items, 0);
	/* <pfsyncenabled> comes after the interface here: order is free. */
	CHECK(c.hasync.pfsync_enabled);
	CHECK_STR_EQ(c.hasync.pfsyncpeerip, "10.0.0.1");
	CHECK_INT_EQ(c.vips[0].advskew, 100);
	xmlconf_free(&c);
}

static const char mvc_conf[] =
	"<?xml version=\"1.0\"?>\n<opnsense>\n"
	"  <system><hostname>fw1</hostname><domain>example.net</domain></system>\n"
	"  <interfaces><lan><if>igb1</if><ipaddr>192.0.2.2</ipaddr><subnet>24</subnet></lan></interfaces>\n"
	"  <virtualip version=\"1.0.1\">\n"
	"    <vip uuid=\"6f0c2d1e-0001-4000-8000-000000000001\"><interface>lan</interface><mode>carp</mode>"
	"<subnet>192.0.2.1</subnet><subnet_bits>24</subnet_bits><password>s3cret</password><vhid>7</vhid>"
	"<advbase>1</advbase><advskew>0</advskew><nosync>0</nosync><descr>LAN VIP</descr></vip>\n"
	"    <vip uuid=\"6f0c2d1e-0001-4000-8000-000000000002\"><interface>lan</interface><mode>ipalias</mode>"
	"<subnet>192.0.2.9</subnet><subnet_bits>32</subnet_bits><vhid>7</vhid><nosync>1</nosync></vip>\n"
	"  </virtualip>\n"
	"  <hasync version=\"1.0.2\"><pfsyncinterface>opt2</pfsyncinterface><pfsyncpeerip/>"
	"<synchronizetoip>https://10.0.10.2/xmlrpc.php</synchronizetoip><username>root</username><password>x</password>"
	"<syncitems>aliases, nat,rules,virtualip</syncitems></hasync>\n"
	"</opnsense>\n";

static void test_mvc_shapes(void)
{
	struct xmlconf c;
	char *cause = NULL;
	CHECK_INT_EQ(xmlconf_parse(mvc_conf, strlen(mvc_conf), "mvc.xml", &c, &cause), 0);
	free(cause);
	CHECK_STR_EQ(c.hostname, "fw1.example.net");
	CHECK_INT_EQ(c.n_vips, 2);
	CHECK_STR_EQ(c.vips[0].uuid, "6f0c2d1e-0001-4000-8000-000000000001");
	CHECK_INT_EQ(c.vips[1].mode, XC_VIP_IPALIAS);
	CHECK(c.vips[1].nosync);
	CHECK(!c.vips[0].nosync);
	CHECK(!c.hasync.legacy);
	/* 24.7+: pfsync is on when an interface is set. */
	CHECK(c.hasync.pfsync_enabled);
	CHECK_INT_EQ(c.hasync.n_items, 4);
	CHECK(xc_has_item(&c, "nat")); /* blanks around items ignored */
	CHECK(xc_has_item(&c, "virtualip"));
	CHECK_STR_EQ(c.source, "mvc.xml");
	xmlconf_free(&c);
}

/* A parse error names the file and line, as libxml2 found them. */
static void expect_error(const char *xml, size_t len, const char *want1, const char *want2)
{
	struct xmlconf c;
	char *cause = NULL;
	CHECK_INT_EQ(xmlconf_parse(xml, len, "bad.xml", &c, &cause), -1);
	CHECK(cause != NULL);
	if (cause) {
		CHECK_CONTAINS(cause, want1);
		if (want2)
			CHECK_CONTAINS(cause, want2);
		printf("# %s\n", cause);
	}
	CHECK(c.doc == NULL);
	free(cause);
}

static void test_errors(void)
{
	size_t len;
	char *text = test_read_file(MASTER, &len);
	struct xmlconf c;
	char *cause = NULL;

	CHECK(text != NULL);
	if (!text)
		return;
	/* Truncated at the end of a line in the middle (a download cut off):
	 * libxml2 names the element left open and where it began. */
	{
		size_t cut = len / 2;
		while (cut > 0 && text[cut - 1] != '\n')
			cut--;
		expect_error(text, cut, "bad.xml:", "Premature end of data in tag");
	}
	/* Truncated mid-tag. */
	expect_error(text, len / 2, "bad.xml:", NULL);
	expect_error(text, len - 5, "bad.xml:", NULL);
	expect_error("<opnsense><system></opnsense>", 29, "bad.xml:1:", "mismatch");
	expect_error("<opnsense>\n<a>\n</b>\n</opnsense>\n", 31, "bad.xml:3:", NULL);
	expect_error("", 0, "bad.xml:1:", "empty");
	expect_error("   \n", 4, "bad.xml:", NULL);
	expect_error("<pfsense><system/></pfsense>", 28, "bad.xml:1:", "not <opnsense>");
	expect_error("not xml at all", 14, "bad.xml:1:", NULL);
	free(text);

	CHECK_INT_EQ(xmlconf_load_file("/nonexistent/config.xml", &c, &cause), -1);
	CHECK_CONTAINS(cause, "/nonexistent/config.xml: cannot read");
	free(cause);
}

/* No entity is expanded and nothing outside the text is read. */
static void test_no_entities(void)
{
	static const char xxe[] = "<?xml version=\"1.0\"?>\n"
				  "<!DOCTYPE opnsense [<!ENTITY leak SYSTEM \"file:///etc/hostname\">"
				  "<!ENTITY word \"expanded\">]>\n"
				  "<opnsense><system><hostname>&leak;</hostname><domain>&word;</domain></system></opnsense>\n";
	struct xmlconf c;
	char *cause = NULL;
	CHECK_INT_EQ(xmlconf_parse(xxe, strlen(xxe), "xxe.xml", &c, &cause), 0);
	free(cause);
	CHECK_STR_EQ(c.hostname, "");
	xmlconf_free(&c);
}

static void test_secrets(void)
{
	CHECK(xc_is_secret("password"));
	CHECK(xc_is_secret("Password"));
	CHECK(xc_is_secret("prv"));
	CHECK(xc_is_secret("secret"));
	CHECK(xc_is_secret("ddnsdomainkey"));
	CHECK(xc_is_secret("ddns_domain_key_secret"));
	CHECK(xc_is_secret("nt-hash"));
	CHECK(xc_is_secret("pre-shared-key"));
	CHECK(xc_is_secret("key"));
	CHECK(xc_is_secret("privatekey"));
	CHECK(xc_is_secret("tls"));
	CHECK(!xc_is_secret("crt"));
	CHECK(!xc_is_secret("descr"));
	CHECK(!xc_is_secret("ddnsdomainkeyname"));
	CHECK(!xc_is_secret("pubkey"));
	CHECK(!xc_is_secret("publickey"));
	CHECK(!xc_is_secret("subnet"));
}

static void test_addresses(void)
{
	char buf[64];
	CHECK_INT_EQ(xc_ip_family("192.168.1.1"), 4);
	CHECK_INT_EQ(xc_ip_family("fe80::1%em0"), 6);
	CHECK_INT_EQ(xc_ip_family("dhcp"), 0);
	CHECK_INT_EQ(xc_ip_family(""), 0);
	CHECK(xc_same_net("192.168.1.10", "192.168.1.20", 24));
	CHECK(!xc_same_net("192.168.1.10", "192.168.2.20", 24));
	CHECK(xc_same_net("10.0.0.1", "10.0.0.130", 24));
	CHECK(!xc_same_net("10.0.0.1", "10.0.0.130", 25));
	CHECK(!xc_same_net("10.0.0.1", "fe80::1", 8));
	CHECK(!xc_same_net("10.0.0.1", "10.0.0.1", 33));
	xc_net_text("192.168.1.10", 24, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "192.168.1.0");
	xc_net_text("172.18.0.101", 20, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "172.18.0.0");
	xc_net_text("2001:db8:1:2::5", 48, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "2001:db8:1::");
	xc_net_text("track6", 64, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "");
	CHECK(xc_in_cidr("192.168.1.10", "192.168.1.0/24"));
	CHECK(!xc_in_cidr("192.168.2.10", "192.168.1.0/24"));
	CHECK(xc_in_cidr("224.0.0.18", "224.0.0.0/4"));
	CHECK(!xc_in_cidr("192.168.1.10", "lan"));
	CHECK(xc_is_link_local6("fe80::1"));
	CHECK(xc_is_link_local6("FE80::1%em0"));
	CHECK(!xc_is_link_local6("2001:db8::1"));
	CHECK(!xc_is_link_local6("192.168.1.1"));
	CHECK(xc_list_has("lan,wan, opt1", "opt1"));
	CHECK(!xc_list_has("lan,wan", "wa"));
	CHECK(!xc_list_has("", "lan"));
}

int main(void)
{
	RUN(test_example_master);
	RUN(test_example_backup);
	RUN(test_mvc_shapes);
	RUN(test_errors);
	RUN(test_no_entities);
	RUN(test_secrets);
	RUN(test_addresses);
	return test_done();
}
