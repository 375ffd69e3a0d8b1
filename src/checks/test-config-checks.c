/* The config-check table: the how-to's example pair is clean, and each
 * check has a planted case that triggers it (with its severity) and one
 * that does not. */
#include "test-doctor-lib.h"

#include "confcache.h"
#include "drift.h"
#include "sim/sim_render.h"
#include "sim/sim_world.h"

#define M ex_text[0]
#define B ex_text[1]

static const char lan_vip6[] =
	"</vip>\n    <vip><mode>carp</mode><interface>lan</interface><vhid>4</vhid><advskew>%d</advskew><advbase>1</advbase>"
	"<password>opnsense</password><descr>VIP LAN6</descr><type>single</type><subnet_bits>64</subnet_bits>"
	"<subnet>%s</subnet></vip>\n  </virtualip>";

static const char alias3[] =
	"</vip>\n    <vip><mode>ipalias</mode><interface>lan</interface><vhid>3</vhid><descr>extra</descr><type>single</type>"
	"<subnet_bits>%d</subnet_bits><subnet>192.168.1.5</subnet></vip>\n  </virtualip>";

/* Build from the two texts (taking them), run, hand back the view. */
static void run(struct doc_view *d, char *m, char *b)
{
	doc_build(d, m ? m : M, b ? b : B);
	free(m);
	free(b);
}

static void test_list(void)
{
	size_t i, k;
	CHECK(n_config_checks >= 12);
	for (i = 0; i < n_config_checks; i++) {
		const struct check *c = &config_checks[i];
		CHECK(c->id && c->title && c->reason && c->hint && c->doc && c->run);
		CHECK(c->severity >= SEV_INFO);
		for (k = i + 1; k < n_config_checks; k++)
			CHECK(strcmp(c->id, config_checks[k].id) != 0);
		/* Ids are unique across both tables: check_find finds each. */
		for (k = 0; k < n_live_checks; k++)
			CHECK(strcmp(c->id, live_checks[k].id) != 0);
		CHECK(check_find(c->id) == c);
	}
}

/* The how-to's own pair: nothing above info, no drift. */
static void test_example_clean(void)
{
	struct doc_view d;
	run(&d, NULL, NULL);
	CHECK(d.ok);
	CHECK_INT_EQ(d.v.n_findings, 0);
	CHECK_INT_EQ(d.v.verdict, SEV_OK);
	CHECK(d.v.drift_known);
	CHECK_INT_EQ(d.v.n_drift, 0);
	if (d.v.n_findings || d.v.n_drift)
		doc_dump(&d);
	doc_free(&d);
}

static void test_iface_assignment(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, NULL, edit(B, "<ipaddr>192.168.1.20</ipaddr>", "<ipaddr>10.1.1.20</ipaddr>"));
	f = with_id(&d, "iface-assignment", SEV_CRITICAL);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "interface lan is 192.168.1.0/24 on fw1 but 10.1.1.0/24 on fw2");
	doc_free(&d);

	run(&d, NULL, edit(B, "<if>em0</if>", "<if>igb0</if>"));
	f = with_id(&d, "iface-assignment", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "device em0 on fw1 but igb0 on fw2");
	CHECK_INT_EQ(n_with_id(&d, "iface-assignment"), 1);
	doc_free(&d);

	run(&d, edit(M, "  </interfaces>", "  <opt2><if>em3</if><descr>DMZ</descr></opt2>\n  </interfaces>"), NULL);
	f = with_id(&d, "iface-assignment", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "interface opt2 (DMZ) is assigned on fw1 only");
	doc_free(&d);

	/* Same networks, other host addresses: fine. */
	run(&d, NULL, edit(B, "<ipaddr>192.168.1.20</ipaddr>", "<ipaddr>192.168.1.30</ipaddr>"));
	CHECK_INT_EQ(n_with_id(&d, "iface-assignment"), 0);
	doc_free(&d);
}

static void test_vip_prefix(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, NULL,
	    edit(B, "<subnet_bits>24</subnet_bits>\n      <subnet>192.168.1.1</subnet>",
		 "<subnet_bits>32</subnet_bits>\n      <subnet>192.168.1.1</subnet>"));
	f = with_id(&d, "vip-prefix", SEV_WARNING);
	CHECK(f && f->node == 1 && f->vhid == 3);
	if (f)
		CHECK_CONTAINS(f->message, "fw2: CARP VIP 192.168.1.1/32 (VHID 3) has prefix /32 but interface lan is /24");
	CHECK_INT_EQ(n_with_id(&d, "vip-prefix"), 1);
	doc_free(&d);

	/* Right prefix, wrong network. */
	run(&d, edit(M, "<subnet>192.168.1.1</subnet>", "<subnet>192.168.9.1</subnet>"), NULL);
	f = with_id(&d, "vip-prefix", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "outside interface lan's network");
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "vip-prefix"), 0);
	doc_free(&d);
}

static void test_vip_ipv6_linklocal(void)
{
	struct doc_view d;
	char vm[512], vb[512];

	snprintf(vm, sizeof(vm), lan_vip6, 0, "2001:db8::1");
	snprintf(vb, sizeof(vb), lan_vip6, 100, "2001:db8::1");
	run(&d, edit(M, "</vip>\n  </virtualip>", vm), edit(B, "</vip>\n  </virtualip>", vb));
	CHECK_INT_EQ(n_with_id(&d, "vip-ipv6-linklocal"), 2);
	CHECK(with_id(&d, "vip-ipv6-linklocal", SEV_WARNING) != NULL);
	doc_free(&d);

	snprintf(vm, sizeof(vm), lan_vip6, 0, "fe80::1");
	snprintf(vb, sizeof(vb), lan_vip6, 100, "fe80::1");
	run(&d, edit(M, "</vip>\n  </virtualip>", vm), edit(B, "</vip>\n  </virtualip>", vb));
	CHECK_INT_EQ(n_with_id(&d, "vip-ipv6-linklocal"), 0);
	/* A well-formed dual-stack pair: nothing at all. */
	CHECK_INT_EQ(d.v.n_findings, 0);
	if (d.v.n_findings)
		doc_dump(&d);
	doc_free(&d);
}

static void test_vhid_unique(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, edit(M, "<vhid>1</vhid>", "<vhid>3</vhid>"), edit(B, "<vhid>1</vhid>", "<vhid>3</vhid>"));
	f = with_id(&d, "vhid-unique", SEV_WARNING);
	CHECK(f && f->vhid == 3);
	if (f)
		CHECK_CONTAINS(f->message, "00:00:5e:00:01:03");
	CHECK_INT_EQ(n_with_id(&d, "vhid-unique"), 2); /* on each node */
	doc_free(&d);

	run(&d, edit(M, "<interface>wan</interface>\n      <vhid>1</vhid>", "<interface>lan</interface>\n      <vhid>3</vhid>"),
	    NULL);
	f = with_id(&d, "vhid-unique", SEV_CRITICAL);
	CHECK(f && f->node == 0);
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "vhid-unique"), 0);
	doc_free(&d);
}

static void test_vhid_config(void)
{
	struct doc_view d;
	const struct finding *f;
	size_t i;

	run(&d, NULL, edit(B, "<password>opnsense</password>", "<password>hunter2</password>"));
	f = with_id(&d, "vhid-config-mismatch", SEV_CRITICAL);
	CHECK(f && f->vhid == 1);
	if (f)
		CHECK_CONTAINS(f->message, "VHID 1 password differs between fw1 and fw2 (not shown)");
	/* Neither password is shown anywhere. */
	for (i = 0; i < d.v.n_findings; i++) {
		CHECK(!strstr(d.v.findings[i].message, "hunter2"));
		CHECK(!strstr(d.v.findings[i].message, "opnsense"));
	}
	for (i = 0; i < d.v.n_drift; i++) {
		CHECK(!strstr(d.v.drift[i].value[0], "opnsense"));
		CHECK(!strstr(d.v.drift[i].value[1], "hunter2"));
	}
	CHECK_INT_EQ(d.v.verdict, SEV_CRITICAL);
	doc_free(&d);

	run(&d, NULL, edit(B, "<advbase>1</advbase>", "<advbase>2</advbase>"));
	f = with_id(&d, "vhid-config-mismatch", SEV_CRITICAL);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "VHID 1 advbase differs: 1 on fw1, 2 on fw2");
	doc_free(&d);

	run(&d, NULL, edit(B, "<subnet>172.18.0.100</subnet>", "<subnet>172.18.0.99</subnet>"));
	f = with_id(&d, "vhid-config-mismatch", SEV_CRITICAL);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "VHID 1 address differs: 172.18.0.100 on fw1, 172.18.0.99 on fw2");
	doc_free(&d);

	run(&d, NULL, edit(B, "<vhid>1</vhid>", "<vhid>2</vhid>"));
	CHECK_INT_EQ(n_with_id(&d, "vhid-config-mismatch"), 2); /* 1 on fw1 only, 2 on fw2 only */
	f = with_id(&d, "vhid-config-mismatch", SEV_CRITICAL);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "is configured on fw");
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "vhid-config-mismatch"), 0);
	doc_free(&d);
}

static void test_vip_alias(void)
{
	struct doc_view d;
	const struct finding *f;
	char a24[512], a32[512];

	snprintf(a24, sizeof(a24), alias3, 24);
	snprintf(a32, sizeof(a32), alias3, 32);
	run(&d, NULL, edit(B, "</vip>\n  </virtualip>", a24));
	f = with_id(&d, "vip-alias-manual", SEV_CRITICAL);
	CHECK(f && f->node == 1 && f->vhid == 3);
	if (f)
		CHECK_CONTAINS(f->message, "IP alias 192.168.1.5/24 on VHID 3 exists on fw2 only");
	CHECK_INT_EQ(d.v.n_drift, 1);
	if (d.v.n_drift) {
		CHECK_STR_EQ(d.v.drift[0].section, DRIFT_ALIAS_SECTION);
		CHECK(d.v.drift[0].absent[0] && !d.v.drift[0].absent[1]);
	}
	doc_free(&d);

	run(&d, edit(M, "</vip>\n  </virtualip>", a24), edit(B, "</vip>\n  </virtualip>", a32));
	f = with_id(&d, "vip-alias-manual", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "subnet_bits: '24' on fw1, '32' on fw2");
	CHECK_INT_EQ(n_with_id(&d, "vip-alias-manual"), 1);
	doc_free(&d);

	/* The same alias on both: fine, and not drift (never synced). */
	run(&d, edit(M, "</vip>\n  </virtualip>", a24), edit(B, "</vip>\n  </virtualip>", a24));
	CHECK_INT_EQ(n_with_id(&d, "vip-alias-manual"), 0);
	CHECK_INT_EQ(d.v.n_drift, 0);
	CHECK_INT_EQ(d.v.n_findings, 0);
	doc_free(&d);
}

static const char mvc_carp_rule[] =
	"<OPNsense><Firewall><Filter><rules><rule uuid=\"0e4b7e02-0001-4000-8000-000000000001\"><enabled>1</enabled>"
	"<action>pass</action><interface>wan,lan</interface><direction>in</direction><ipprotocol>inet</ipprotocol>"
	"<protocol>CARP</protocol><source_net>any</source_net><destination_net>any</destination_net>"
	"<description>CARP</description></rule></rules></Filter></Firewall></OPNsense>\n</opnsense>";

static void test_carp_rule(void)
{
	struct doc_view d;
	const struct finding *f;
	char *m;

	run(&d, edit(M, "<protocol>carp</protocol>", "<protocol>tcp</protocol>"), NULL);
	f = with_id(&d, "carp-rule", SEV_WARNING);
	CHECK(f && f->node == 0 && f->vhid == 1);
	if (f)
		CHECK_CONTAINS(f->message, "fw1: no firewall rule passes CARP (IP protocol 112, IPv4) into wan");
	CHECK_INT_EQ(n_with_id(&d, "carp-rule"), 1);
	doc_free(&d);

	/* A disabled rule passes nothing. */
	run(&d, edit(M, "<protocol>carp</protocol>", "<protocol>carp</protocol><disabled>1</disabled>"), NULL);
	CHECK_INT_EQ(n_with_id(&d, "carp-rule"), 1);
	doc_free(&d);

	/* A block rule neither. */
	run(&d, NULL, edit(B, "<type>pass</type>", "<type>block</type>"));
	f = with_id(&d, "carp-rule", SEV_WARNING);
	CHECK(f && f->node == 1);
	doc_free(&d);

	/* LAN's any-protocol rule only counts from the LAN's own network. */
	run(&d, edit(M, "<network>lan</network>", "<network>opt1</network>"), NULL);
	f = with_id(&d, "carp-rule", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "IPv4) into lan");
	doc_free(&d);

	/* The MVC rule shape counts too. */
	m = edit(M, "<protocol>carp</protocol>", "<protocol>tcp</protocol>");
	edit_in(&m, "</opnsense>", mvc_carp_rule, 1);
	run(&d, m, NULL);
	CHECK_INT_EQ(n_with_id(&d, "carp-rule"), 0);
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "carp-rule"), 0);
	doc_free(&d);
}

static void test_outbound_nat(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, edit(M, "<mode>advanced</mode>", "<mode>automatic</mode>"), NULL);
	f = with_id(&d, "outbound-nat-vip", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "fw1: outbound NAT is automatic");
	doc_free(&d);

	run(&d, edit_nth(M, "<target>172.18.0.100</target>", "<target/>", 0), NULL);
	f = with_id(&d, "outbound-nat-vip", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "no outbound NAT rule on wan translates lan (192.168.1.0/24) to a CARP VIP of wan");
	doc_free(&d);

	run(&d, edit(M, "<mode>advanced</mode>", "<mode>hybrid</mode>"), NULL);
	CHECK_INT_EQ(n_with_id(&d, "outbound-nat-vip"), 0);
	doc_free(&d);

	run(&d, edit(M, "<mode>advanced</mode>", "<mode>disabled</mode>"), NULL);
	CHECK_INT_EQ(n_with_id(&d, "outbound-nat-vip"), 0);
	doc_free(&d);
}

static void test_nat_any(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, edit(M, "<network>192.168.1.0/24</network>", "<any>1</any>"), NULL);
	f = with_id(&d, "nat-any-to-vip", SEV_INFO);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "translates source any to the CARP VIP 172.18.0.100");
	CHECK(d.v.verdict <= SEV_INFO || with_id(&d, "config-drift", -1) != NULL);
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "nat-any-to-vip"), 0);
	doc_free(&d);
}

static const char kea_bad[] =
	"<OPNsense><Kea><dhcp4><general><enabled>1</enabled><interfaces>lan</interfaces></general>"
	"<ha><enabled>0</enabled></ha><subnets><subnet4 uuid=\"5f1c0000-0000-4000-8000-000000000001\">"
	"<subnet>192.168.1.0/24</subnet><option_data_autocollect>1</option_data_autocollect>"
	"<option_data><domain_name_servers/><routers/></option_data></subnet4></subnets></dhcp4></Kea></OPNsense>\n</opnsense>";
static const char kea_good[] =
	"<OPNsense><Kea><dhcp4><general><enabled>1</enabled><interfaces>lan</interfaces></general>"
	"<ha><enabled>1</enabled><this_server_name>%s</this_server_name></ha><subnets>"
	"<subnet4 uuid=\"5f1c0000-0000-4000-8000-000000000001\"><subnet>192.168.1.0/24</subnet>"
	"<option_data_autocollect>0</option_data_autocollect><option_data><domain_name_servers>192.168.1.1"
	"</domain_name_servers><routers>192.168.1.1</routers></option_data></subnet4></subnets>"
	"<ha_peers><peer uuid=\"5f1c0000-0000-4000-8000-0000000000a1\"><name>fw1</name><role>primary</role>"
	"<url>http://192.168.1.10:8001/</url></peer><peer uuid=\"5f1c0000-0000-4000-8000-0000000000a2\"><name>fw2</name>"
	"<role>standby</role><url>http://192.168.1.20:8001/</url></peer></ha_peers></dhcp4></Kea></OPNsense>\n</opnsense>";

static void test_dhcp(void)
{
	struct doc_view d;
	const struct finding *f;
	char good[2][2048];
	char *m;

	run(&d, edit(M, "<gateway>192.168.1.1</gateway>", "<gateway>192.168.1.10</gateway>"), NULL);
	f = with_id(&d, "dhcp-vip", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "fw1: DHCP on lan hands out gateway 192.168.1.10, not the CARP VIP");
	doc_free(&d);

	run(&d, edit(M, "<failover_peerip>192.168.1.20</failover_peerip>", "<failover_peerip/>"), NULL);
	f = with_id(&d, "dhcp-vip", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "has no failover peer");
	doc_free(&d);

	run(&d, edit(M, "<failover_peerip>192.168.1.20</failover_peerip>", "<failover_peerip>192.168.1.30</failover_peerip>"),
	    NULL);
	f = with_id(&d, "dhcp-vip", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "failover peer is 192.168.1.30 but fw2's lan address is 192.168.1.20");
	doc_free(&d);

	run(&d, NULL, edit(B, "<dnsserver>192.168.1.1</dnsserver>", "<dnsserver>192.168.1.20</dnsserver>"));
	f = with_id(&d, "dhcp-vip", SEV_WARNING);
	CHECK(f && f->node == 1);
	if (f)
		CHECK_CONTAINS(f->message, "this node's own address as DNS server");
	doc_free(&d);

	/* Kea, where configured. */
	m = edit(M, "</opnsense>", kea_bad);
	run(&d, m, NULL);
	f = with_id(&d, "dhcp-vip", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f) {
		CHECK_CONTAINS(f->message, "fw1: Kea DHCPv4 subnet 192.168.1.0/24 collects router and DNS automatically");
		CHECK_CONTAINS(f->message, "high availability is off");
	}
	doc_free(&d);

	snprintf(good[0], sizeof(good[0]), kea_good, "fw1");
	snprintf(good[1], sizeof(good[1]), kea_good, "fw2");
	m = edit(M, "<synchronizevirtualip>on</synchronizevirtualip>",
		 "<synchronizevirtualip>on</synchronizevirtualip><synchronizekea>on</synchronizekea>");
	edit_in(&m, "</opnsense>", good[0], 1);
	run(&d, m, edit(B, "</opnsense>", good[1]));
	CHECK_INT_EQ(n_with_id(&d, "dhcp-vip"), 0);
	/* this_server_name names each node itself: not drift. */
	CHECK_INT_EQ(d.v.n_drift, 0);
	CHECK_INT_EQ(d.v.n_findings, 0);
	if (d.v.n_findings || d.v.n_drift)
		doc_dump(&d);
	doc_free(&d);
}

static void test_pfsync(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, edit(M, "<pfsyncinterface>opt1</pfsyncinterface>", "<pfsyncinterface>lan</pfsyncinterface>"), NULL);
	f = with_id(&d, "pfsync-config", SEV_WARNING);
	CHECK(f != NULL);
	CHECK(n_with_id(&d, "pfsync-config") >= 2);
	{
		size_t i;
		bool dedicated = false, differ = false;
		for (i = 0; i < d.v.n_findings; i++) {
			dedicated |= strstr(d.v.findings[i].message, "fw1: pfsync runs on lan, which also carries traffic") != NULL;
			differ |= strstr(d.v.findings[i].message, "pfsync interfaces differ: lan on fw1, opt1 on fw2") != NULL;
		}
		CHECK(dedicated);
		CHECK(differ);
	}
	doc_free(&d);

	run(&d, edit(M, "<pfsyncpeerip>10.0.0.2</pfsyncpeerip>", "<pfsyncpeerip/>"), NULL);
	f = with_id(&d, "pfsync-config", SEV_INFO);
	CHECK(f && f->node == 0);
	CHECK_INT_EQ(n_with_id(&d, "pfsync-config"), 1);
	CHECK_INT_EQ(d.v.verdict, SEV_INFO);
	doc_free(&d);

	run(&d, edit(M, "<pfsyncpeerip>10.0.0.2</pfsyncpeerip>", "<pfsyncpeerip>10.0.0.9</pfsyncpeerip>"), NULL);
	f = with_id(&d, "pfsync-config", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "fw1: pfsync peer is 10.0.0.9 but fw2's pfsync address (opt1) is 10.0.0.2");
	doc_free(&d);

	run(&d, NULL, edit(B, "<pfsyncenabled>on</pfsyncenabled>", ""));
	f = with_id(&d, "pfsync-config", SEV_WARNING);
	CHECK(f && f->node == 1);
	if (f)
		CHECK_CONTAINS(f->message, "fw2: pfsync is off");
	doc_free(&d);

	run(&d, NULL, NULL);
	CHECK_INT_EQ(n_with_id(&d, "pfsync-config"), 0);
	doc_free(&d);
}

static void test_xmlrpc(void)
{
	struct doc_view d;
	const struct finding *f;

	/* No target: nothing syncs, and so nothing is compared as drift. */
	run(&d, edit(M, "<synchronizetoip>10.0.0.2</synchronizetoip>", "<synchronizetoip/>"),
	    edit(B, "<descr>Default allow LAN to any rule</descr>", "<descr>changed</descr>"));
	f = with_id(&d, "xmlrpc-config", SEV_WARNING);
	CHECK(f && f->node == 0);
	if (f)
		CHECK_CONTAINS(f->message, "fw1 (primary) has no XMLRPC sync target");
	CHECK_INT_EQ(d.v.n_drift, 0);
	doc_free(&d);

	run(&d, edit(M, "<username>root</username>\n    <password>opnsense</password>", "<username>root</username>\n    <password/>"),
	    NULL);
	f = with_id(&d, "xmlrpc-config", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "XMLRPC sync to 10.0.0.2 has no password");
	doc_free(&d);

	run(&d, NULL, edit(B, "<synchronizetoip/>", "<synchronizetoip>10.0.0.1</synchronizetoip>"));
	f = with_id(&d, "xmlrpc-config", SEV_WARNING);
	CHECK(f && f->node == 1);
	if (f)
		CHECK_CONTAINS(f->message, "fw2 (secondary) has an XMLRPC sync target (10.0.0.1)");
	doc_free(&d);

	run(&d, edit(M, "<synchronizetoip>10.0.0.2</synchronizetoip>", "<synchronizetoip>https://10.0.0.9/xmlrpc.php</synchronizetoip>"),
	    NULL);
	f = with_id(&d, "xmlrpc-config", SEV_WARNING);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "fw1 syncs to 10.0.0.9, which is not an interface address of fw2");
	doc_free(&d);

	run(&d, edit(M, "<synchronizetoip>10.0.0.2</synchronizetoip>", "<synchronizetoip>https://10.0.0.2:443/xmlrpc.php</synchronizetoip>"),
	    NULL);
	CHECK_INT_EQ(n_with_id(&d, "xmlrpc-config"), 0);
	doc_free(&d);
}

static void test_drift_check(void)
{
	struct doc_view d;
	const struct finding *f;

	run(&d, NULL, edit(B, "<descr>Default allow LAN to any rule</descr>", "<descr>changed</descr>"));
	f = with_id(&d, "config-drift", SEV_WARNING);
	CHECK(f && f->node == -1);
	if (f)
		CHECK_CONTAINS(f->message, "config drift in filter: 1 difference: filter/rule[2]/descr: "
					   "'Default allow LAN to any rule' on fw1, 'changed' on fw2");
	CHECK_INT_EQ(d.v.n_findings, 1);
	CHECK_INT_EQ(d.v.verdict, SEV_WARNING);
	doc_free(&d);

	run(&d, edit(M, "<synchronizerules>on</synchronizerules>", "<synchronizerules>on</synchronizerules><synchronizefrob>on</synchronizefrob>"),
	    NULL);
	f = with_id(&d, "config-drift", SEV_INFO);
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "sync items not known to carptop, not compared: frob");
	doc_free(&d);
}

/* The "done means" case: the backup's LAN CARP VIP is /32 and one rule
 * differs: both reported, with their sections, the verdict the worst. */
static void test_done_means(void)
{
	struct doc_view d;
	char *b = edit(B, "<subnet_bits>24</subnet_bits>\n      <subnet>192.168.1.1</subnet>",
		       "<subnet_bits>32</subnet_bits>\n      <subnet>192.168.1.1</subnet>");
	size_t i;
	bool filter = false, vip = false;

	edit_in(&b, "<ipprotocol>inet6</ipprotocol>", "<ipprotocol>inet46</ipprotocol>", 1);
	run(&d, NULL, b);
	CHECK(with_id(&d, "vip-prefix", SEV_WARNING) != NULL);
	CHECK_INT_EQ(n_with_id(&d, "config-drift"), 2);
	for (i = 0; i < d.v.n_drift; i++) {
		filter |= str_eq(d.v.drift[i].section, "filter") && str_eq(d.v.drift[i].path, "filter/rule[3]/ipprotocol") &&
			  str_eq(d.v.drift[i].value[0], "inet6") && str_eq(d.v.drift[i].value[1], "inet46");
		vip |= str_eq(d.v.drift[i].section, "virtualip") &&
		       str_eq(d.v.drift[i].path, "virtualip/vip[vhid=3,lan]/subnet_bits");
	}
	CHECK(filter);
	CHECK(vip);
	CHECK_INT_EQ(d.v.n_drift, 2);
	CHECK_INT_EQ(d.v.verdict, SEV_WARNING);
	CHECK_INT_EQ(d.v.n_findings, 3);
	if (d.v.n_findings != 3)
		doc_dump(&d);
	doc_free(&d);
}

static char *sim_config(struct sim_world *w, int node)
{
	struct strbuf sb;
	sb_init(&sb);
	sim_render_config_xml(w, 0, node, &sb);
	return sb_steal(&sb);
}

/* The demo pair's config.xml: clean when healthy; in the drift scenario
 * the planted rule and the /32 VIP, and nothing else; a sync mends it. */
static void test_sim_configs(void)
{
	struct sim_world *w;
	struct doc_view d;
	char *cause = NULL, *a, *b;
	char reply[256];
	size_t i;
	bool rule = false, vip = false;

	w = sim_world_new("healthy", 1, 1, &cause);
	sim_world_manual_clock(w);
	a = sim_config(w, 0);
	b = sim_config(w, 1);
	doc_build(&d, a, b);
	CHECK_INT_EQ(d.v.n_findings, 0);
	CHECK(d.v.drift_known);
	CHECK_INT_EQ(d.v.n_drift, 0);
	if (d.v.n_findings || d.v.n_drift)
		doc_dump(&d);
	doc_free(&d);
	free(a);
	free(b);
	sim_world_free(w);

	w = sim_world_new("drift", 1, 1, &cause);
	sim_world_manual_clock(w);
	a = sim_config(w, 0);
	b = sim_config(w, 1);
	doc_build(&d, a, b);
	for (i = 0; i < d.v.n_drift; i++) {
		rule |= str_eq(d.v.drift[i].path, "filter/rule[3]") && d.v.drift[i].absent[1];
		vip |= str_eq(d.v.drift[i].path, "virtualip/vip[vhid=3,lan]/subnet_bits");
	}
	CHECK(rule);
	CHECK(vip);
	CHECK_INT_EQ(d.v.n_drift, 2);
	CHECK_INT_EQ(n_with_id(&d, "config-drift"), 2);
	CHECK(with_id(&d, "vip-prefix", SEV_WARNING) != NULL);
	CHECK_INT_EQ(d.v.n_findings, 3);
	doc_free(&d);
	free(a);
	free(b);

	/* XMLRPC sync copies the rules and the VIPs (advskew + 100). */
	CHECK_INT_EQ(sim_sync(w, 0, 0, reply, sizeof(reply)), 0);
	a = sim_config(w, 0);
	b = sim_config(w, 1);
	doc_build(&d, a, b);
	CHECK_INT_EQ(d.v.n_drift, 0);
	CHECK_INT_EQ(d.v.n_findings, 0);
	if (d.v.n_findings || d.v.n_drift)
		doc_dump(&d);
	doc_free(&d);
	free(a);
	free(b);
	sim_world_free(w);
}

/* config.xml is read again when the marker changes, not on every poll. */
static void test_conf_cache(void)
{
	struct sim_world *w;
	struct conf_cache cc;
	struct snapshot s;
	char *cause = NULL, *xml, reply[256];

	memset(&cc, 0, sizeof(cc));
	snapshot_init(&s);
	w = sim_world_new("healthy", 1, 1, &cause);
	sim_world_manual_clock(w);
	sim_node_snapshot(w, 0, 1, &s);
	CHECK(s.config_marker[0] != '\0');
	CHECK(conf_cache_wanted(&cc, &s, 1000));
	conf_cache_begin(&cc, &s);
	CHECK(!conf_cache_wanted(&cc, &s, 1000)); /* one read at a time */
	xml = sim_config(w, 1);
	conf_cache_store(&cc, xml, strlen(xml), "fw2:/conf/config.xml", 1000);
	free(xml);
	CHECK(conf_cache_get(&cc) != NULL);
	CHECK_STR_EQ(cc.error, "");
	/* Same marker, much later: no read. */
	CHECK(!conf_cache_wanted(&cc, &s, 1000 + 10 * CONF_CACHE_REFRESH_S));
	/* A sync changes fw2's config: its marker moves, read again. */
	CHECK_INT_EQ(sim_sync(w, 0, 0, reply, sizeof(reply)), 0);
	sim_node_snapshot(w, 0, 1, &s);
	CHECK(conf_cache_wanted(&cc, &s, 1001));
	/* A node that does not answer: nothing is read. */
	s.reachable = false;
	CHECK(!conf_cache_wanted(&cc, &s, 1001));
	s.reachable = true;

	/* A transport without a marker: again after CONF_CACHE_REFRESH_S. */
	s.config_marker[0] = '\0';
	conf_cache_begin(&cc, &s);
	xml = sim_config(w, 1);
	conf_cache_store(&cc, xml, strlen(xml), "fw2:/conf/config.xml", 2000);
	free(xml);
	CHECK(!conf_cache_wanted(&cc, &s, 2000 + CONF_CACHE_REFRESH_S - 1));
	CHECK(conf_cache_wanted(&cc, &s, 2000 + CONF_CACHE_REFRESH_S));

	/* A broken read drops the old config (no longer what the node has). */
	conf_cache_begin(&cc, &s);
	conf_cache_store(&cc, "<opnsense><x>", 13, "fw2:/conf/config.xml", 3000);
	CHECK(conf_cache_get(&cc) == NULL);
	CHECK_CONTAINS(cc.error, "fw2:/conf/config.xml:1:");
	conf_cache_begin(&cc, &s);
	conf_cache_store(&cc, NULL, 0, "fw2:/conf/config.xml", 3001);
	CHECK(conf_cache_get(&cc) == NULL);
	CHECK_CONTAINS(cc.error, "could not be read");

	conf_cache_free(&cc);
	snapshot_clear(&s);
	sim_world_free(w);
}

/* Every test that builds a view from two config texts (doc_build). */
static void run_doc_tests(void)
{
	RUN(test_example_clean);
	RUN(test_iface_assignment);
	RUN(test_vip_prefix);
	RUN(test_vip_ipv6_linklocal);
	RUN(test_vhid_unique);
	RUN(test_vhid_config);
	RUN(test_vip_alias);
	RUN(test_carp_rule);
	RUN(test_outbound_nat);
	RUN(test_nat_any);
	RUN(test_dhcp);
	RUN(test_pfsync);
	RUN(test_xmlrpc);
	RUN(test_drift_check);
	RUN(test_done_means);
	RUN(test_sim_configs);
}

int main(void)
{
	ex_load();
	RUN(test_list);
	run_doc_tests();
	RUN(test_conf_cache);
	/* The same assertions on slim configs, as the live app keeps them. */
	doc_slim_mode = true;
	run_doc_tests();
	doc_slim_mode = false;
	ex_unload();
	return test_done();
}
