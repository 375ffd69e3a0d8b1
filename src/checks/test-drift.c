/* Drift: a difference planted in each section the example primary syncs is
 * found, with its section and path, and nothing else; sections it does not
 * sync and node-specific values are never compared; rule order counts, the
 * order of other things does not; +100 advskew, nosync, secrets, both
 * hasync shapes, MVC items by uuid. */
#include "test-doctor-lib.h"

#include "drift.h"

#define M ex_text[0]
#define B ex_text[1]

/* Run with the backup edited once; expect exactly one drift item. */
static const struct drift_item *only_item(struct doc_view *d, const char *m, const char *b)
{
	doc_build(d, m ? m : M, b ? b : B);
	CHECK_INT_EQ(d->v.n_drift, 1);
	if (d->v.n_drift != 1) {
		doc_dump(d);
		return NULL;
	}
	return &d->v.drift[0];
}

static void expect_one(const char *what_from, const char *what_to, const char *section, const char *path,
		       const char *primary, const char *secondary)
{
	struct doc_view d;
	char *b = edit(B, what_from, what_to);
	const struct drift_item *it = only_item(&d, NULL, b);
	if (it) {
		CHECK_STR_EQ(it->section, section);
		CHECK_STR_EQ(it->path, path);
		if (primary)
			CHECK_STR_EQ(it->value[0], primary);
		else
			CHECK(it->absent[0]);
		if (secondary)
			CHECK_STR_EQ(it->value[1], secondary);
		else
			CHECK(it->absent[1]);
	}
	doc_free(&d);
	free(b);
}

static void test_sync_map(void)
{
	const struct sync_item_map *m = sync_item_find("rules");
	CHECK(m != NULL);
	if (m) {
		CHECK_STR_EQ(m->sections[0], "filter");
		CHECK_STR_EQ(m->sections[1], "OPNsense.Firewall.Filter.rules");
	}
	m = sync_item_find("nat");
	CHECK(m && str_eq(m->sections[1], "OPNsense.Firewall.Filter.snatrules"));
	CHECK(sync_item_find("virtualip") != NULL);
	CHECK(sync_item_find("dhcpd") != NULL);
	CHECK(sync_item_find("staticroutes") && str_eq(sync_item_find("staticroutes")->sections[1], "gateways"));
	CHECK(sync_item_find("nope") == NULL);
}

/* One planted difference per synced section of the example pair. */
static void test_each_synced_section(void)
{
	expect_one("<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>", "filter",
		   "filter/rule[2]/descr", "Default allow LAN to any rule", "LAN out");
	expect_one("<dstport>500</dstport>", "<dstport>501</dstport>", "nat", "nat/outbound/rule[1]/dstport", "500", "501");
	expect_one("<to>192.168.1.245</to>", "<to>192.168.1.200</to>", "dhcpd", "dhcpd/lan/range/to", "192.168.1.245",
		   "192.168.1.200");
	expect_one("<staticroutes/>",
		   "<staticroutes><route><network>10.9.0.0/16</network><gateway>WANGW</gateway><descr>lab</descr></route>"
		   "</staticroutes>",
		   "staticroutes", "staticroutes/route[network=10.9.0.0/16]", NULL, "'lab'");
	expect_one("<gateway>172.18.0.250</gateway>", "<gateway>172.18.0.251</gateway>", "gateways",
		   "gateways/gateway_item[name=WANGW]/gateway", "172.18.0.250", "172.18.0.251");
	expect_one("<descr>VIP LAN</descr>", "<descr>VIP LAN (fw2)</descr>", "virtualip", "virtualip/vip[vhid=3,lan]/descr",
		   "VIP LAN", "VIP LAN (fw2)");
	/* advskew: the secondary should carry the primary's + 100. */
	expect_one("<advskew>100</advskew>", "<advskew>50</advskew>", "virtualip", "virtualip/vip[vhid=1,wan]/advskew", "0",
		   "50 (sync writes 100)");
	/* A secret: compared, never shown. */
	expect_one("<password>opnsense</password>", "<password>hunter2</password>", "virtualip",
		   "virtualip/vip[vhid=1,wan]/password", "(hidden)", "(hidden)");
	/* A whole section missing on the secondary. */
	{
		struct doc_view d;
		char *b = edit(B, "<dhcpd>", "<dhcpd_gone>");
		edit_in(&b, "</dhcpd>", "</dhcpd_gone>", 1);
		doc_build(&d, M, b);
		/* What is missing is named: the entries, not the wrapper. */
		CHECK_INT_EQ(d.v.n_drift, 1);
		if (d.v.n_drift == 1) {
			CHECK_STR_EQ(d.v.drift[0].path, "dhcpd/lan");
			CHECK(d.v.drift[0].absent[1]);
		}
		doc_free(&d);
		free(b);
	}
}

/* Not synced by this primary, or node-specific: never drift. */
static void test_not_compared(void)
{
	static const char *const edits[][2] = {
		{ "<timezone>Africa/Abidjan</timezone>", "<timezone>Europe/Berlin</timezone>" }, /* system */
		{ "<hostname>OPNsense</hostname>", "<hostname>fw2</hostname>" },
		{ "<command>adjkerntz -a</command>", "<command>true</command>" },                 /* cron */
		{ "<value>default</value>", "<value>1</value>" },                                 /* sysctl */
		{ "<ipaddr>192.168.1.20</ipaddr>", "<ipaddr>192.168.1.21</ipaddr>" },             /* interfaces */
		{ "<pfsyncpeerip>10.0.0.1</pfsyncpeerip>", "<pfsyncpeerip>10.0.0.7</pfsyncpeerip>" }, /* hasync */
		{ "<failover_peerip>192.168.1.10</failover_peerip>", "<failover_peerip>192.168.1.11</failover_peerip>" },
		{ "<time>1437033188</time>", "<time>1</time>" },                                  /* rule updated/created */
		{ "<refid>549a859fe5a0a</refid>", "<refid>ffff</refid>" },                        /* cert */
		{ "<rocommunity>public</rocommunity>", "<rocommunity>private</rocommunity>" },    /* snmpd */
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(edits); i++) {
		struct doc_view d;
		char *b = edit(B, edits[i][0], edits[i][1]);
		doc_build(&d, M, b);
		CHECK_INT_EQ(d.v.n_drift, 0);
		if (d.v.n_drift)
			doc_dump(&d);
		doc_free(&d);
		free(b);
	}
}

/* pf evaluates rules in order: a moved rule is drift; fields inside a rule
 * and elements elsewhere may come in any order. */
static void test_order(void)
{
	struct doc_view d;
	char *b;
	const char *rule1_start, *rule2_start;

	/* A rule inserted at the top of the backup: one item, not four. */
	b = edit(B, "<filter>\n    <rule>",
		 "<filter>\n    <rule><type>block</type><interface>wan</interface><descr>new</descr></rule>\n    <rule>");
	doc_build(&d, M, b);
	CHECK_INT_EQ(d.v.n_drift, 1);
	if (d.v.n_drift == 1) {
		CHECK_STR_EQ(d.v.drift[0].path, "filter/rule[secondary:1]");
		CHECK(d.v.drift[0].absent[0]);
		CHECK_STR_EQ(d.v.drift[0].value[1], "block wan 'new'");
	}
	doc_free(&d);
	free(b);

	/* The first rule (CARP on WAN) moved to the end: the order changed. */
	rule1_start = strstr(B, "<filter>\n    <rule>") + strlen("<filter>\n");
	rule2_start = strstr(rule1_start + 1, "    <rule>");
	{
		struct strbuf sb;
		const char *end = strstr(B, "  </filter>");
		sb_init(&sb);
		sb_addn(&sb, B, (size_t)(rule1_start - B));
		sb_addn(&sb, rule2_start, (size_t)(end - rule2_start));
		sb_addn(&sb, rule1_start, (size_t)(rule2_start - rule1_start));
		sb_add(&sb, end);
		b = sb_steal(&sb);
	}
	doc_build(&d, M, b);
	CHECK_INT_EQ(d.v.n_drift, 2);
	if (d.v.n_drift == 2) {
		CHECK_STR_EQ(d.v.drift[0].path, "filter/rule[1]");
		CHECK(d.v.drift[0].absent[1]);
		CHECK_STR_EQ(d.v.drift[1].path, "filter/rule[secondary:4]");
		CHECK(d.v.drift[1].absent[0]);
	}
	doc_free(&d);
	free(b);

	/* Fields of a rule reordered: no drift. */
	b = edit(B, "<type>pass</type>\n      <ipprotocol>inet</ipprotocol>",
		 "<ipprotocol>inet</ipprotocol>\n      <type>pass</type>");
	doc_build(&d, M, b);
	CHECK_INT_EQ(d.v.n_drift, 0);
	doc_free(&d);
	free(b);

	/* The PFSYNC rule deleted on the backup. */
	b = edit(B, "<interface>opt1</interface>", "<interface>opt1</interface><deleteme/>");
	{
		char *start = strstr(b, "<deleteme/>"), *r0, *r1;
		for (r0 = start; r0 > b && strncmp(r0, "    <rule>", 10) != 0; r0--)
			;
		r1 = strstr(start, "</rule>\n") + strlen("</rule>\n");
		memmove(r0, r1, strlen(r1) + 1);
	}
	doc_build(&d, M, b);
	CHECK_INT_EQ(d.v.n_drift, 1);
	if (d.v.n_drift == 1) {
		CHECK_STR_EQ(d.v.drift[0].path, "filter/rule[4]");
		CHECK(d.v.drift[0].absent[1]);
	}
	doc_free(&d);
	free(b);
}

static const char vip_nosync[] =
	"</vip>\n    <vip><mode>carp</mode><interface>lan</interface><vhid>9</vhid><advskew>0</advskew><advbase>1</advbase>"
	"<password>x</password><descr>local only</descr><subnet_bits>24</subnet_bits><subnet>192.168.1.9</subnet>"
	"<nosync>1</nosync></vip>\n  </virtualip>";

static void test_virtualip_rules(void)
{
	struct doc_view d;
	char *m;

	/* A nosync VIP on the primary is not sent: not drift. */
	m = edit(M, "</vip>\n  </virtualip>", vip_nosync);
	doc_build(&d, m, B);
	CHECK_INT_EQ(d.v.n_drift, 0);
	doc_free(&d);
	free(m);

	/* Without nosync it would be. */
	m = edit(M, "</vip>\n  </virtualip>", vip_nosync);
	edit_in(&m, "<nosync>1</nosync>", "<nosync>0</nosync>", 1);
	doc_build(&d, m, B);
	CHECK_INT_EQ(d.v.n_drift, 1);
	if (d.v.n_drift == 1) {
		CHECK_STR_EQ(d.v.drift[0].path, "virtualip/vip[vhid=9,lan]");
		CHECK(d.v.drift[0].absent[1]);
		CHECK_STR_EQ(d.v.drift[0].value[0], "lan 'local only'");
	}
	doc_free(&d);
	free(m);

	/* The VIPs in the other order on the backup: matched by vhid. */
	{
		const char *v1 = strstr(B, "    <vip>"), *v2 = strstr(v1 + 1, "    <vip>");
		const char *end = strstr(B, "  </virtualip>");
		struct strbuf sb;
		sb_init(&sb);
		sb_addn(&sb, B, (size_t)(v1 - B));
		sb_addn(&sb, v2, (size_t)(end - v2));
		sb_addn(&sb, v1, (size_t)(v2 - v1));
		sb_add(&sb, end);
		m = sb_steal(&sb);
		doc_build(&d, M, m);
		CHECK_INT_EQ(d.v.n_drift, 0);
		doc_free(&d);
		free(m);
	}
}

/* 24.7+ shape: <syncitems>, and more sections: users (secrets), sysctl,
 * aliases as MVC items matched by uuid. */
static const char alias_mvc[] =
	"<OPNsense><Firewall><Alias version=\"1.0.1\"><aliases><alias uuid=\"7a1a0000-0000-4000-8000-000000000001\">"
	"<enabled>1</enabled><name>servers</name><type>host</type><content>%s</content></alias>"
	"<alias uuid=\"7a1a0000-0000-4000-8000-000000000002\"><enabled>1</enabled><name>ports</name><type>port</type>"
	"<content>443</content></alias></aliases></Alias></Firewall></OPNsense>\n</opnsense>";

static void test_mvc_items(void)
{
	struct doc_view d;
	char *m, *b, am[1024], ab[1024];
	const char *hash = "$6$$Y8Et6wWDdXO2tJZRabvSfQvG2Lc8bAS6D9COIsMXEJ2KjA27wqDuAyd/CdazBQc3H3xQX.JXMKxJeRz2OqTkl.";
	size_t i;

	m = edit(M, "<synchronizerules>on</synchronizerules>",
		 "<syncitems>rules,nat,dhcpd,staticroutes,virtualip,users,sysctl,aliases</syncitems>");
	snprintf(am, sizeof(am), alias_mvc, "10.0.0.5");
	snprintf(ab, sizeof(ab), alias_mvc, "10.0.0.6");
	edit_in(&m, "</opnsense>", am, 1);

	/* Users, sysctl and MVC aliases equal: no drift. */
	b = edit(B, "</opnsense>", am);
	doc_build(&d, m, b);
	CHECK_INT_EQ(d.v.n_drift, 0);
	if (d.v.n_drift)
		doc_dump(&d);
	doc_free(&d);
	free(b);

	/* The root password hash differs: "(hidden)", the hash nowhere. */
	b = edit(B, "</opnsense>", am);
	edit_in(&b, hash, "$6$$otherhash", 1);
	edit_in(&b, "<tunable>kern.randompid</tunable>\n      <value>default</value>",
		"<tunable>kern.randompid</tunable>\n      <value>1</value>", 1);
	doc_build(&d, m, b);
	CHECK_INT_EQ(d.v.n_drift, 2);
	for (i = 0; i < d.v.n_drift; i++) {
		const struct drift_item *it = &d.v.drift[i];
		CHECK(!strstr(it->value[0], "$6$") && !strstr(it->value[1], "$6$"));
		if (str_eq(it->section, "system.user")) {
			CHECK_STR_EQ(it->path, "system/user[name=root]/password");
			CHECK_STR_EQ(it->value[0], "(hidden)");
			CHECK_STR_EQ(it->value[1], "(hidden)");
		} else {
			CHECK_STR_EQ(it->section, "sysctl");
			CHECK_STR_EQ(it->path, "sysctl/item[tunable=kern.randompid]/value");
		}
	}
	for (i = 0; i < d.v.n_findings; i++)
		CHECK(!strstr(d.v.findings[i].message, "$6$"));
	doc_free(&d);
	free(b);

	/* An MVC alias differs: matched by uuid. */
	b = edit(B, "</opnsense>", ab);
	doc_build(&d, m, b);
	CHECK_INT_EQ(d.v.n_drift, 1);
	if (d.v.n_drift == 1) {
		CHECK_STR_EQ(d.v.drift[0].section, "OPNsense.Firewall.Alias");
		CHECK_STR_EQ(d.v.drift[0].path,
			     "OPNsense/Firewall/Alias/aliases/alias[uuid=7a1a0000-0000-4000-8000-000000000001]/content");
	}
	doc_free(&d);
	free(b);

	/* The primary has the aliases, the secondary lacks the whole model:
	 * each alias is reported, by uuid, with its name. */
	doc_build(&d, m, B);
	CHECK_INT_EQ(d.v.n_drift, 2);
	if (d.v.n_drift == 2) {
		CHECK_STR_EQ(d.v.drift[0].path,
			     "OPNsense/Firewall/Alias/aliases/alias[uuid=7a1a0000-0000-4000-8000-000000000001]");
		CHECK(d.v.drift[0].absent[1]);
		CHECK_STR_EQ(d.v.drift[0].value[0], "host 'servers'");
	}
	doc_free(&d);
	free(m);
}

static void test_unknown_and_no_target(void)
{
	struct doc_view d;
	struct drift_list l = { NULL, 0, 0 };
	char unknown[64];
	char *m = edit(M, "<synchronizerules>on</synchronizerules>", "<syncitems>rules,frobnicate,nat</syncitems>");

	doc_build(&d, m, B);
	CHECK_INT_EQ(drift_compare_synced(&d.conf[0], &d.conf[1], &l, unknown, sizeof(unknown)), 0);
	CHECK_STR_EQ(unknown, "frobnicate");
	free(l.items);
	doc_free(&d);
	free(m);
}

static void test_item_text(void)
{
	struct drift_item it;
	char line[256];
	memset(&it, 0, sizeof(it));
	str_copy(it.path, "filter/rule[2]/descr", sizeof(it.path));
	str_copy(it.value[0], "a", sizeof(it.value[0]));
	str_copy(it.value[1], "b", sizeof(it.value[1]));
	drift_item_text(&it, "fw1", "fw2", line, sizeof(line));
	CHECK_STR_EQ(line, "filter/rule[2]/descr: 'a' on fw1, 'b' on fw2");
	it.absent[1] = true;
	drift_item_text(&it, "fw1", "fw2", line, sizeof(line));
	CHECK_STR_EQ(line, "filter/rule[2]/descr only on fw1 (a)");
	it.absent[1] = false;
	str_copy(it.value[0], "(hidden)", sizeof(it.value[0]));
	drift_item_text(&it, "fw1", "fw2", line, sizeof(line));
	CHECK_STR_EQ(line, "filter/rule[2]/descr differs (secret, not shown)");
}

/* Values from a node are made inert and long ones cut. */
static void test_values_sanitised(void)
{
	struct doc_view d;
	char *b = edit(B, "<descr>Default allow LAN to any rule</descr>", "<descr>evil&#155;[2Jtext</descr>");
	const struct drift_item *it = only_item(&d, NULL, b);
	if (it) {
		CHECK(!strstr(it->value[1], "\xc2\x9b"));
		CHECK_CONTAINS(it->value[1], "[2Jtext");
	}
	doc_free(&d);
	free(b);

	{
		struct strbuf sb;
		int i;
		sb_init(&sb);
		sb_add(&sb, "<descr>");
		for (i = 0; i < 400; i++)
			sb_addc(&sb, 'x');
		sb_add(&sb, "</descr>");
		b = edit(B, "<descr>Default allow LAN to any rule</descr>", sb.buf);
		sb_free(&sb);
	}
	it = only_item(&d, NULL, b);
	if (it) {
		CHECK(strlen(it->value[1]) < DRIFT_VALUE_LEN);
		CHECK(strstr(it->value[1], "...") != NULL);
	}
	doc_free(&d);
	free(b);
}

/* Every test that builds a view from two config texts (doc_build). */
static void run_doc_tests(void)
{
	RUN(test_each_synced_section);
	RUN(test_not_compared);
	RUN(test_order);
	RUN(test_virtualip_rules);
	RUN(test_mvc_items);
	RUN(test_unknown_and_no_target);
	RUN(test_values_sanitised);
}

int main(void)
{
	ex_load();
	RUN(test_sync_map);
	run_doc_tests();
	RUN(test_item_text);
	/* The same assertions on slim configs, as the live app keeps them. */
	doc_slim_mode = true;
	run_doc_tests();
	doc_slim_mode = false;
	ex_unload();
	return test_done();
}
