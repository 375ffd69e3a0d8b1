/* Unit tests of the OPNsense API reply parsers: the contract's example
 * bodies, plus the variants a real node or a bad network can produce. */
#include <stdlib.h>
#include <string.h>

#include "api/api_parse.h"
#include "snapshot.h"
#include "testlib.h"
#include "util.h"

/* A string literal and its length (without the NUL). */
#define L(lit) lit, (sizeof(lit) - 1)

/* The long bodies live in tests/fixtures/api/ (see its README), read once
 * by main():
 * - VIP_EXAMPLE: the contract's get_vip_status example (CONTRACT §1), primary node.
 * - VIP_VARIANTS: backup in maintenance, numbers where the node sends
 *   strings, a null interface, `\/` in an address, a DISABLED row in its own
 *   key order, and unknown keys.
 * - HASYNC_BODY: a 24.7+ hasync get with option maps and a password.
 * - SEARCH_BODY: searchItem with CARP VIPs and an IP alias. */
static const char *VIP_EXAMPLE, *VIP_VARIANTS, *HASYNC_BODY, *SEARCH_BODY;

static char *api_fixture(const char *name)
{
	char *path = xasprintf("%s/api/%s", FIXTURES_DIR, name);
	size_t len;
	char *text = test_read_file(path, &len);
	if (!text) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	/* An editor's final newline is not part of the body. */
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	free(path);
	return text;
}

static char *dup_exact(const char *s, size_t n)
{
	/* Exactly n bytes, no NUL after them: ASan catches a read past len. */
	char *p = xmalloc(n ? n : 1);
	memcpy(p, s, n);
	return p;
}

static void test_vip_contract_example(void)
{
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(VIP_EXAMPLE, strlen(VIP_EXAMPLE), &s, &cause), NERR_NONE);
	CHECK(cause == NULL);
	CHECK_INT_EQ(s.n_vips, 4);
	if (s.n_vips == 4) {
		CHECK_STR_EQ(s.vips[0].ifname, "WAN");
		CHECK_INT_EQ(s.vips[0].vhid, 2);
		CHECK_STR_EQ(s.vips[0].address, "203.0.113.10");
		CHECK_INT_EQ(s.vips[0].prefix, -1);
		CHECK_INT_EQ(s.vips[0].advbase, 1);
		CHECK_INT_EQ(s.vips[0].advskew, 0);
		CHECK_INT_EQ(s.vips[0].status, CARP_ST_MASTER);
		CHECK_INT_EQ(s.vips[0].mode, VIP_MODE_CARP);
		CHECK_STR_EQ(s.vips[0].ifdev, "");
		CHECK_STR_EQ(s.vips[2].address, "192.168.1.5");
		CHECK_INT_EQ(s.vips[2].mode, VIP_MODE_IPALIAS);
		CHECK_INT_EQ(s.vips[2].vhid, 1);
		CHECK_STR_EQ(s.vips[3].address, "fd00:1::1");
		CHECK_INT_EQ(s.vips[3].vhid, 3);
	}
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.demotion, 0);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK(!s.carp.maintenance);
	CHECK_STR_EQ(s.carp.status_msg, "");
	CHECK_INT_EQ(s.n_partial, 0);
	snapshot_clear(&s);
}

static void test_vip_variants(void)
{
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(VIP_VARIANTS, strlen(VIP_VARIANTS), &s, &cause), NERR_NONE);
	CHECK_INT_EQ(s.n_vips, 3);
	if (s.n_vips == 3) {
		CHECK_STR_EQ(s.vips[0].ifname, "LAN");
		CHECK_STR_EQ(s.vips[0].address, "192.168.1.1");
		CHECK_INT_EQ(s.vips[0].prefix, 24);
		CHECK_INT_EQ(s.vips[0].vhid, 1);
		CHECK_INT_EQ(s.vips[0].advskew, 100);
		CHECK_INT_EQ(s.vips[0].status, CARP_ST_BACKUP);
		CHECK_STR_EQ(s.vips[1].ifname, "");
		CHECK_STR_EQ(s.vips[1].address, "fe80::7");
		CHECK_INT_EQ(s.vips[1].advbase, 2);
		CHECK_STR_EQ(s.vips[2].ifname, "OPT1");
		CHECK_INT_EQ(s.vips[2].vhid, 9);
		CHECK_INT_EQ(s.vips[2].status, CARP_ST_DISABLED);
		CHECK_INT_EQ(s.vips[2].mode, VIP_MODE_CARP);
	}
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.demotion, 240);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK(s.carp.maintenance);
	snapshot_clear(&s);
}

static void test_vip_disabled_carp(void)
{
	/* After "Disable CARP": every row DISABLED, allow "0", demotion text. */
	static const char body[] =
		"{\"rows\":[{\"vhid\":\"1\",\"advbase\":\"1\",\"advskew\":\"0\",\"subnet\":\"192.168.1.1\",\"mode\":\"carp\","
		"\"interface\":\"LAN\",\"status\":\"DISABLED\",\"status_txt\":\"DISABLED\",\"vhid_txt\":\"1 (freq. 1/0)\"}],"
		"\"carp\":{\"demotion\":\"0\",\"allow\":\"0\",\"maintenancemode\":true,\"status_msg\":"
		"\"CARP has detected a problem and this unit has been demoted to BACKUP status.<br />Check link status on all interfaces with configured CARP VIPs.\"}}";
	struct snapshot s;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(body, strlen(body), &s, NULL), NERR_NONE);
	CHECK_INT_EQ(s.n_vips, 1);
	CHECK_INT_EQ(s.vips[0].status, CARP_ST_DISABLED);
	CHECK_INT_EQ(s.carp.allow, 0);
	CHECK(s.carp.maintenance);
	CHECK_STR_EQ(s.carp.status_msg,
		     "CARP has detected a problem and this unit has been demoted to BACKUP status. Check link "
		     "status on all interfaces with configured CARP VIPs.");
	snapshot_clear(&s);
}

static void test_vip_missing_parts(void)
{
	struct snapshot s;
	char *cause = NULL;
	/* No carp object; a row missing advbase/advskew/status/mode/subnet; rows
	 * without a usable vhid (absent, 0, 256, "x", an object) are skipped. */
	static const char body[] =
		"{\"rows\":[{\"vhid\":\"4\",\"interface\":\"DMZ\",\"vhid_txt\":\"4 (freq. 1/0)\"},"
		"{\"interface\":\"LAN\"},{\"vhid\":0},{\"vhid\":\"256\"},{\"vhid\":\"x\"},{\"vhid\":{}},\"junk\",7],"
		"\"total\":8}";
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(body, strlen(body), &s, &cause), NERR_NONE);
	CHECK_INT_EQ(s.n_vips, 1);
	CHECK_INT_EQ(s.vips[0].vhid, 4);
	CHECK_INT_EQ(s.vips[0].advbase, -1);
	CHECK_INT_EQ(s.vips[0].advskew, -1);
	CHECK_INT_EQ(s.vips[0].status, CARP_ST_UNKNOWN);
	CHECK_STR_EQ(s.vips[0].address, "");
	CHECK_INT_EQ(s.vips[0].mode, VIP_MODE_CARP); /* from vhid_txt */
	CHECK(!s.carp.known);
	CHECK_INT_EQ(s.n_partial, 1);
	CHECK_STR_EQ(s.partial[0].what, "vip_status");
	CHECK_STR_EQ(s.partial[0].msg, "7 of 8 rows ignored: no usable vhid");
	snapshot_clear(&s);

	/* carp of the wrong type is ignored, not trusted. */
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(L("{\"rows\":[],\"carp\":[1]}"), &s, NULL), NERR_NONE);
	CHECK(!s.carp.known);
	CHECK_INT_EQ(s.n_vips, 0);
	snapshot_clear(&s);

	/* A carp object with odd values: unknown, not guessed. */
	snapshot_init(&s);
	{
		static const char b2[] = "{\"rows\":[],\"carp\":{\"demotion\":\"lots\",\"allow\":\"maybe\",\"maintenancemode\":\"true\"}}";
		CHECK_INT_EQ(api_parse_vip_status(b2, strlen(b2), &s, NULL), NERR_NONE);
		CHECK(s.carp.known);
		CHECK_INT_EQ(s.carp.demotion, 0);
		CHECK_INT_EQ(s.n_partial, 1);
		CHECK_STR_EQ(s.partial[0].msg, "get_vip_status: the demotion is not a number");
		CHECK_INT_EQ(s.carp.allow, -1);
		CHECK(s.carp.maintenance);
	}
	snapshot_clear(&s);

	/* The demotion is signed and goes negative on real nodes
	 * (opnsense/core#2780): kept as the kernel has it. */
	snapshot_init(&s);
	{
		static const char b4[] = "{\"rows\":[],\"carp\":{\"demotion\":\"-540\",\"allow\":\"1\",\"maintenancemode\":false}}";
		CHECK_INT_EQ(api_parse_vip_status(b4, strlen(b4), &s, NULL), NERR_NONE);
		CHECK_INT_EQ(s.carp.demotion, -540);
		CHECK_INT_EQ(s.n_partial, 0);
	}
	snapshot_clear(&s);

	/* A short page is reported. */
	snapshot_init(&s);
	{
		static const char b3[] = "{\"total\":5,\"rows\":{\"0\":{\"vhid\":\"1\",\"subnet\":\"10.0.0.1\"}}}";
		CHECK_INT_EQ(api_parse_vip_status(b3, strlen(b3), &s, NULL), NERR_NONE);
		CHECK_INT_EQ(s.n_vips, 1); /* rows sent as an object still parse */
		CHECK_INT_EQ(s.n_partial, 1);
		CHECK_STR_EQ(s.partial[0].msg, "the node returned 1 of 5 rows");
	}
	snapshot_clear(&s);
}

static void test_vip_bad_top_level(void)
{
	static const char *const bodies[] = {
		"[]", "\"rows\"", "42", "null", "true", "{}", "{\"rows\":\"none\"}", "{\"rows\":null}",
		"", "   ", "<html>502 Bad Gateway</html>", "{\"rows\":[]} trailing", "{\"rows\":[]}{}",
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(bodies); i++) {
		struct snapshot s;
		char *cause = NULL;
		snapshot_init(&s);
		CHECK_INT_EQ(api_parse_vip_status(bodies[i], strlen(bodies[i]), &s, &cause), NERR_PROTOCOL);
		CHECK(cause != NULL && cause[0]);
		CHECK_INT_EQ(s.n_vips, 0);
		free(cause);
		snapshot_clear(&s);
	}
	{
		struct snapshot s;
		char *cause = NULL;
		snapshot_init(&s);
		api_parse_vip_status(L("[]"), &s, &cause);
		CHECK_STR_EQ(cause, "get_vip_status: expected a JSON object, got array");
		free(cause);
		cause = NULL;
		api_parse_vip_status(L("{\"rows\":["), &s, &cause);
		CHECK_STR_EQ(cause, "get_vip_status: truncated JSON reply (9 bytes)");
		free(cause);
		cause = NULL;
		/* Trailing blanks after the object are fine. */
		CHECK_INT_EQ(api_parse_vip_status(L("{\"rows\":[]}\r\n "), &s, &cause), NERR_NONE);
		snapshot_clear(&s);
	}
}

/* ------------------------------------------------------------------ */

static void test_pf_states(void)
{
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_pf_states(L("{\"current\":\"47\",\"limit\":\"100000\"}"), &s, &cause), NERR_NONE);
	CHECK_INT_EQ(s.states.current, 47);
	CHECK_INT_EQ(s.states.limit, 100000);
	CHECK_INT_EQ(api_parse_pf_states(L("{\"limit\":2000000,\"current\":1234567}"), &s, &cause), NERR_NONE);
	CHECK_INT_EQ(s.states.current, 1234567);
	CHECK_INT_EQ(s.states.limit, 2000000);
	CHECK_INT_EQ(api_parse_pf_states(L("{\"current\":\"5\",\"limit\":\"\"}"), &s, &cause), NERR_NONE);
	CHECK_INT_EQ(s.states.current, 5);
	CHECK_INT_EQ(s.states.limit, -1);
	CHECK_INT_EQ(api_parse_pf_states(L("{\"result\":\"failed\"}"), &s, &cause), NERR_COMMAND);
	CHECK_CONTAINS(cause, "could not read the state table");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(api_parse_pf_states(L("{\"current\":\"many\"}"), &s, &cause), NERR_PROTOCOL);
	CHECK_STR_EQ(cause, "pf_states: reply has neither current nor limit");
	free(cause);
	snapshot_clear(&s);
}

static void test_pfsync_nodes(void)
{
	static const char body[] =
		"{\"total\":3,\"rowCount\":3,\"current\":1,\"rows\":["
		"{\"creatorid\":\"d36bdfcf\",\"this\":0},{\"this\":1,\"creatorid\":\"a2e0f312\"},"
		"{\"creatorid\":\"0xD36BDFCF\",\"this\":\"0\"},{\"creatorid\":\"not hex\",\"this\":1},{\"this\":1}]}";
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_pfsync_nodes(body, strlen(body), &s, &cause), NERR_NONE);
	CHECK(s.pfsync.known);
	CHECK_STR_EQ(s.pfsync.hostid, "a2e0f312");
	CHECK_INT_EQ(s.pfsync.n_creators, 2);
	CHECK_STR_EQ(s.pfsync.creators[0], "d36bdfcf");
	CHECK_STR_EQ(s.pfsync.creators[1], "a2e0f312");
	snapshot_clear(&s);

	/* Two or fewer states: an empty list; own id then unknown. */
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_pfsync_nodes(L("{\"total\":0,\"rowCount\":0,\"current\":1,\"rows\":[]}"), &s, NULL),
		     NERR_NONE);
	CHECK(s.pfsync.known);
	CHECK_INT_EQ(s.pfsync.n_creators, 0);
	CHECK_STR_EQ(s.pfsync.hostid, "");
	snapshot_clear(&s);

	/* More creators than fit: capped, no overflow. */
	snapshot_init(&s);
	{
		struct strbuf sb;
		int i;
		sb_init(&sb);
		sb_add(&sb, "{\"rows\":[");
		for (i = 0; i < 20; i++)
			sb_printf(&sb, "%s{\"creatorid\":\"%08x\",\"this\":true}", i ? "," : "", 0x1000 + i);
		sb_add(&sb, "]}");
		CHECK_INT_EQ(api_parse_pfsync_nodes(sb.buf, sb.len, &s, NULL), NERR_NONE);
		CHECK_INT_EQ(s.pfsync.n_creators, SNAP_MAX_CREATORS);
		CHECK_STR_EQ(s.pfsync.hostid, "00001013"); /* the last "this" row wins */
		sb_free(&sb);
	}
	/* A 16-hex-digit id does not fit hostid[16] with its NUL: ignored. */
	CHECK_INT_EQ(api_parse_pfsync_nodes(L("{\"rows\":[{\"creatorid\":\"0123456789abcdef\",\"this\":1}]}"), &s, NULL),
		     NERR_NONE);
	CHECK_STR_EQ(s.pfsync.hostid, "00001013");
	CHECK_INT_EQ(api_parse_pfsync_nodes(L("{\"total\":0}"), &s, &cause), NERR_PROTOCOL);
	free(cause);
	snapshot_clear(&s);
}

/* ------------------------------------------------------------------ */

/* Does any byte sequence of `needle` occur anywhere in the snapshot? */
static int snapshot_holds(const struct snapshot *s, const char *needle)
{
	size_t n = strlen(needle);
	if (memmem(s, sizeof(*s), needle, n))
		return 1;
	return s->n_vips && memmem(s->vips, s->n_vips * sizeof(*s->vips), needle, n) != NULL;
}

static void test_hasync_get(void)
{
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_hasync_get(HASYNC_BODY, strlen(HASYNC_BODY), &s, &cause), NERR_NONE);
	CHECK(s.hasync.known);
	CHECK_STR_EQ(s.hasync.sync_target, "10.0.10.2");
	CHECK_STR_EQ(s.hasync.sync_items, "aliases,rules,virtualip,nat");
	CHECK_STR_EQ(s.pfsync.syncdev, "opt2");
	CHECK_STR_EQ(s.pfsync.syncpeer, "10.0.10.2");
	CHECK(!snapshot_holds(&s, "Sup3rS3cretXmlRpc"));
	CHECK(!snapshot_holds(&s, "root"));
	CHECK_INT_EQ(s.carp.preempt, 1); /* disablepreempt "0" */
	snapshot_clear(&s);

	/* disablepreempt set: the start hook leaves the kernel's preempt 0;
	 * absent: not known. */
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_hasync_get(L("{\"hasync\":{\"disablepreempt\":\"1\"}}"), &s, NULL), NERR_NONE);
	CHECK_INT_EQ(s.carp.preempt, 0);
	snapshot_clear(&s);
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_hasync_get(L("{\"hasync\":{\"synchronizetoip\":\"\"}}"), &s, NULL), NERR_NONE);
	CHECK_INT_EQ(s.carp.preempt, -1);
	snapshot_clear(&s);

	/* Secondary: no target, pfsync disabled (the "" option selected),
	 * items sent as a plain comma list, a full URL target elsewhere. */
	snapshot_init(&s);
	{
		static const char b[] =
			"{\"hasync\":{\"synchronizetoip\":\"\",\"syncitems\":\"aliases,rules\","
			"\"pfsyncinterface\":{\"\":{\"value\":\"Disabled\",\"selected\":1},\"lan\":{\"value\":\"LAN\",\"selected\":0}}}}";
		CHECK_INT_EQ(api_parse_hasync_get(b, strlen(b), &s, NULL), NERR_NONE);
		CHECK_STR_EQ(s.hasync.sync_target, "");
		CHECK_STR_EQ(s.hasync.sync_items, "aliases,rules");
		CHECK_STR_EQ(s.pfsync.syncdev, "");
		CHECK_STR_EQ(s.pfsync.syncpeer, "");
	}
	{
		static const char b[] = "{\"hasync\":{\"synchronizetoip\":\"https:\\/\\/10.0.10.2:4443\\/xmlrpc.php\"}}";
		CHECK_INT_EQ(api_parse_hasync_get(b, strlen(b), &s, NULL), NERR_NONE);
		CHECK_STR_EQ(s.hasync.sync_target, "https://10.0.10.2:4443/xmlrpc.php");
	}
	/* A POST to get answers []. */
	CHECK_INT_EQ(api_parse_hasync_get(L("[]"), &s, &cause), NERR_PROTOCOL);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(api_parse_hasync_get(L("{\"result\":\"x\"}"), &s, &cause), NERR_PROTOCOL);
	CHECK_STR_EQ(cause, "hasync/get: reply has no hasync object");
	free(cause);
	snapshot_clear(&s);

	/* A huge item list is cut at an id boundary. */
	snapshot_init(&s);
	{
		struct strbuf sb;
		int i;
		size_t l;
		sb_init(&sb);
		sb_add(&sb, "{\"hasync\":{\"syncitems\":{");
		for (i = 0; i < 100; i++)
			sb_printf(&sb, "%s\"item_number_%03d\":{\"selected\":1}", i ? "," : "", i);
		sb_add(&sb, "}}}");
		CHECK_INT_EQ(api_parse_hasync_get(sb.buf, sb.len, &s, NULL), NERR_NONE);
		l = strlen(s.hasync.sync_items);
		CHECK(l < sizeof(s.hasync.sync_items));
		CHECK(l > 400);
		CHECK(str_starts(s.hasync.sync_items, "item_number_000,item_number_001,"));
		CHECK_INT_EQ(s.hasync.sync_items[l - 4], '_'); /* ends with a whole "item_number_NNN" */
		sb_free(&sb);
	}
	snapshot_clear(&s);
}

static void test_hasync_version(void)
{
	static const char ok[] =
		"{\"response\":{\"base\":{\"version\":\"26.7.1\"},\"firmware\":{\"version\":\"26.7.2\",\"_my_version\":\"26.7.3\"},"
		"\"kernel\":{\"version\":\"26.7.1\"}}}";
	static const char err[] = "{\"status\":\"error\",\"message\":\"Authentication failed &amp; retried\"}";
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK(!s.hasync.peer_reachable_known);
	CHECK_INT_EQ(api_parse_hasync_version(ok, strlen(ok), &s, &cause), NERR_NONE);
	CHECK(s.hasync.peer_reachable_known);
	CHECK(s.hasync.peer_reachable);
	CHECK_STR_EQ(s.hasync.peer_version, "26.7.2");
	CHECK_INT_EQ(api_parse_hasync_version(err, strlen(err), &s, &cause), NERR_NONE);
	CHECK(s.hasync.peer_reachable_known);
	CHECK(!s.hasync.peer_reachable);
	CHECK_STR_EQ(s.hasync.peer_version, "");
	CHECK_STR_EQ(s.hasync.peer_error, "Authentication failed & retried");
	CHECK_INT_EQ(api_parse_hasync_version(L("{\"status\":\"error\"}"), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.hasync.peer_error, "the backup firewall is not accessible (check user credentials)");
	CHECK_INT_EQ(api_parse_hasync_version(L("{\"status\":\"ok\"}"), &s, &cause), NERR_PROTOCOL);
	free(cause);
	snapshot_clear(&s);
}

static void test_firmware_and_system(void)
{
	static const char info[] =
		"{\"product_id\":\"opnsense\",\"product_version\":\"26.7.2_1\",\"package\":[],\"plugin\":[],"
		"\"changelog\":[],\"product\":{\"product_name\":\"OPNsense\"}}";
	static const char sysinfo[] =
		"{\"name\":\"fw1.example.com\",\"versions\":[\"OPNsense 26.7.2-amd64\",\"FreeBSD 14.3-RELEASE-p2\","
		"\"OpenSSL 3.0.x\"],\"updates\":\"Click to check for updates.\"}";
	struct snapshot s;
	char *cause = NULL;

	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_system_information(sysinfo, strlen(sysinfo), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.hostname, "fw1.example.com");
	CHECK_STR_EQ(s.version, "26.7.2");
	CHECK_INT_EQ(api_parse_firmware_info(info, strlen(info), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.firmware.version, "26.7.2_1");
	CHECK_STR_EQ(s.version, "26.7.2_1");
	CHECK_INT_EQ(s.firmware.state, FW_UNKNOWN);
	/* Once firmware/info answered, system_information does not override. */
	CHECK_INT_EQ(api_parse_system_information(sysinfo, strlen(sysinfo), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.version, "26.7.2_1");
	snapshot_clear(&s);

	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_system_information(L("{\"versions\":[\"OPNsense 26.1.9_4-aarch64\"]}"), &s, NULL),
		     NERR_NONE);
	CHECK_STR_EQ(s.version, "26.1.9_4");
	CHECK_STR_EQ(s.hostname, "");
	CHECK_INT_EQ(api_parse_system_information(L("{\"versions\":\"x\",\"name\":null}"), &s, &cause),
		     NERR_PROTOCOL);
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(api_parse_firmware_info(L("{\"product\":{\"product_version\":\"25.7.11\"}}"), &s, NULL),
		     NERR_NONE);
	CHECK_STR_EQ(s.firmware.version, "25.7.11");
	CHECK_INT_EQ(api_parse_firmware_info(L("{\"product_id\":\"opnsense\"}"), &s, &cause), NERR_PROTOCOL);
	CHECK_STR_EQ(cause, "firmware/info: reply has no product_version");
	free(cause);
	snapshot_clear(&s);
}

static void test_upgradestatus(void)
{
	static const struct {
		const char *body;
		enum fw_state want;
	} cases[] = {
		{ "{\"status\":\"running\",\"log\":\"***GOT REQUEST TO UPDATE***\\n\"}", FW_RUNNING },
		{ "{\"log\":\"...***DONE***\",\"status\":\"done\"}", FW_DONE },
		{ "{\"status\":\"reboot\",\"log\":\"***REBOOT***\"}", FW_REBOOTING },
		{ "{\"status\":\"error\"}", FW_ERROR },
	};
	struct snapshot s;
	char *cause = NULL;
	size_t i;
	snapshot_init(&s);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		CHECK_INT_EQ(api_parse_upgradestatus(cases[i].body, strlen(cases[i].body), &s, &cause), NERR_NONE);
		CHECK_INT_EQ(s.firmware.state, cases[i].want);
	}
	CHECK_INT_EQ(api_parse_upgradestatus(L("{\"status\":\"sleeping\"}"), &s, &cause), NERR_PROTOCOL);
	CHECK_STR_EQ(cause, "firmware/upgradestatus: unknown status \"sleeping\"");
	CHECK_INT_EQ(s.firmware.state, FW_ERROR); /* unchanged */
	free(cause);
	snapshot_clear(&s);
}

/* ------------------------------------------------------------------ */

#define BACKUPS_BODY                                                                                                 \
	"{\"items\":[{\"time\":\"1790000009\",\"time_iso\":\"2026-09-21T10:00:09+00:00\",\"description\":\"Enter CARP maintenance " \
	"mode\",\"username\":\"root@10.0.0.5\",\"filesize\":40123,\"id\":\"config-1790000009.4711.xml\"},"               \
	"{\"time\":\"1790000001\",\"id\":\"config-1790000001.0001.xml\",\"filesize\":\"40000\"}]}"

/* core/backup/backups/this: the newest entry's id is the config marker. */
static void test_backups(void)
{
	struct snapshot s;
	char *cause = NULL;
	size_t cut, len = strlen(BACKUPS_BODY);
	int bad = 0;

	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_backups(L(BACKUPS_BODY), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.config_marker, "config-1790000009.4711.xml");
	/* Out of order, times as numbers or strings: the largest time wins. */
	CHECK_INT_EQ(api_parse_backups(L("{\"items\":[{\"time\":5,\"id\":\"old\"},{\"time\":\"7\",\"id\":\"new\"},"
					 "{\"time\":6,\"id\":\"mid\"}]}"), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.config_marker, "new");
	/* Entries without an id are skipped; without any time the first counts. */
	CHECK_INT_EQ(api_parse_backups(L("{\"items\":[{\"time\":9},\"x\",null,{\"id\":\"a\"},{\"id\":\"b\"}]}"), &s, &cause),
		     NERR_NONE);
	CHECK_STR_EQ(s.config_marker, "a");
	/* No backup kept: a marker of its own, so the empty download is not
	 * asked for again until one appears. */
	CHECK_INT_EQ(api_parse_backups(L("{\"items\":[]}"), &s, &cause), NERR_NONE);
	CHECK_STR_EQ(s.config_marker, "no-backup");
	/* A very long id is cut to the marker's size, NUL-terminated. */
	CHECK_INT_EQ(api_parse_backups(L("{\"items\":[{\"id\":\"config-1790000009.4711-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.xml\"}]}"), &s, &cause),
		     NERR_NONE);
	CHECK_INT_EQ(strlen(s.config_marker), sizeof(s.config_marker) - 1);
	CHECK_INT_EQ(api_parse_backups(L("{\"rows\":[]}"), &s, &cause), NERR_PROTOCOL);
	CHECK_STR_EQ(cause, "core/backup/backups: no \"items\" list");
	CHECK_INT_EQ(api_parse_backups(L("[]"), &s, &cause), NERR_PROTOCOL);
	for (cut = 0; cut < len; cut++) {
		char *p = dup_exact(BACKUPS_BODY, cut);
		if (api_parse_backups(p, cut, &s, &cause) == NERR_NONE)
			bad++;
		free(p);
	}
	CHECK_INT_EQ(bad, 0);
	free(cause);
	snapshot_clear(&s);
}

/* ------------------------------------------------------------------ */

static void test_action_reply(void)
{
	static const struct {
		const char *body;
		enum node_error err;
		const char *msg;
	} cases[] = {
		{ "{\"status\":\"ok\",\"action\":\"enter_maintenance\"}", NERR_NONE, "enter_maintenance" },
		{ "{\"action\":\"leave_maintenance\",\"status\":\"ok\"}", NERR_NONE, "leave_maintenance" },
		{ "{\"status\":\"ok\",\"action\":\"disable\"}", NERR_NONE, "disable" },
		{ "{\"status\":\"ok\"}", NERR_NONE, "ok" },
		{ "{\"status\":\"OK\"}", NERR_NONE, "ok" },
		{ "{\"msg_uuid\":\"0b7e5a3c-1111-2222-3333-444455556666\",\"status\":\"ok\"}", NERR_NONE, "ok" },
		{ "{\"status\":\"ok\",\"count\":7}", NERR_NONE, "ok (7 services restarted)" },
		{ "{\"status\":\"failed\"}", NERR_COMMAND, "the node reported status \"failed\"" },
		{ "{\"status\":\"error\",\"message\":\"peer &lt;10.0.10.2&gt; unreachable\"}", NERR_COMMAND,
		  "the node reported an error: peer <10.0.10.2> unreachable" },
		{ "{\"message\":\"error\"}", NERR_COMMAND,
		  "the node answered \"error\" (its configd action gave no result)" },
		{ "{}", NERR_PROTOCOL, "unexpected reply: no status" },
		{ "[]", NERR_PROTOCOL, "action: expected a JSON object, got array" },
		{ "{\"status\":\"ok\"", NERR_PROTOCOL, "action: truncated JSON reply (14 bytes)" },
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct action_result r;
		memset(&r, 0x55, sizeof(r));
		CHECK_INT_EQ(api_parse_action_reply(cases[i].body, strlen(cases[i].body), &r), cases[i].err);
		CHECK_INT_EQ(r.err, cases[i].err);
		CHECK_STR_EQ(r.message, cases[i].msg);
	}
}

static void test_vip_result(void)
{
	struct action_result r;
	static const char failed[] =
		"{\"result\":\"failed\",\"validations\":{\"vip.password\":\"You must specify a CARP password that is shared between the two VHID members.\","
		"\"vip.network\":[\"A valid network address is required.\",\"You cannot use the network address.\"]}}";
	CHECK_INT_EQ(api_parse_vip_result(L("{\"result\":\"saved\",\"uuid\":\"6f0c2d1e-5f7a-4c1b-9d59-2b8e0e0d8b11\"}"), &r),
		     NERR_NONE);
	CHECK_STR_EQ(r.message, "saved (uuid 6f0c2d1e-5f7a-4c1b-9d59-2b8e0e0d8b11); pending until applied");
	CHECK_INT_EQ(api_parse_vip_result(L("{\"result\":\"deleted\"}"), &r), NERR_NONE);
	CHECK_INT_EQ(api_parse_vip_result(L("{\"result\":\"not found\"}"), &r), NERR_NOT_FOUND);
	CHECK_INT_EQ(api_parse_vip_result(failed, strlen(failed), &r), NERR_COMMAND);
	CHECK_STR_EQ(r.message,
		     "rejected by the node: password: You must specify a CARP password that is shared between the two "
		     "VHID members.; network: A valid network address is required. You cannot use the network address.");
	CHECK_INT_EQ(api_parse_vip_result(L("{\"result\":\"failed\"}"), &r), NERR_COMMAND);
	CHECK_STR_EQ(r.message, "the node reported result \"failed\"");
	CHECK_INT_EQ(api_parse_vip_result(L("{\"status\":\"ok\"}"), &r), NERR_PROTOCOL);
	/* A uuid with path characters is not repeated. */
	CHECK_INT_EQ(api_parse_vip_result(L("{\"result\":\"saved\",\"uuid\":\"..\\/..\\/x\"}"), &r), NERR_NONE);
	CHECK_STR_EQ(r.message, "saved; pending until applied");
}

static void test_vip_search_find(void)
{
	struct vip_spec want;
	char uuid[64], *cause = NULL;

	memset(&want, 0, sizeof(want));
	str_copy(want.interface, "lan", sizeof(want.interface));
	str_copy(want.address, "192.168.1.5", sizeof(want.address));
	want.vhid = 1;
	want.prefix = -1;
	CHECK_INT_EQ(api_parse_vip_search_find(SEARCH_BODY, strlen(SEARCH_BODY), &want, uuid, sizeof(uuid), &cause),
		     NERR_NONE);
	CHECK_STR_EQ(uuid, "11111111-aaaa-4bbb-8ccc-000000000002");

	/* By description and a differently written IPv6 address. */
	str_copy(want.interface, "dmz", sizeof(want.interface));
	str_copy(want.address, "fd00:1::1", sizeof(want.address));
	want.vhid = 3;
	want.prefix = 64;
	CHECK_INT_EQ(api_parse_vip_search_find(SEARCH_BODY, strlen(SEARCH_BODY), &want, uuid, sizeof(uuid), &cause),
		     NERR_NONE);
	CHECK_STR_EQ(uuid, "11111111-aaaa-4bbb-8ccc-000000000003");

	/* Wrong prefix, vhid or interface: no match. */
	want.prefix = 128;
	CHECK_INT_EQ(api_parse_vip_search_find(SEARCH_BODY, strlen(SEARCH_BODY), &want, uuid, sizeof(uuid), &cause),
		     NERR_NOT_FOUND);
	CHECK_STR_EQ(cause, "no virtual IP fd00:1::1 with vhid 3 on interface dmz");
	CHECK_STR_EQ(uuid, "");
	free(cause);
	cause = NULL;
	want.prefix = -1;
	want.vhid = 1;
	CHECK_INT_EQ(api_parse_vip_search_find(SEARCH_BODY, strlen(SEARCH_BODY), &want, uuid, sizeof(uuid), NULL),
		     NERR_NOT_FOUND);
	str_copy(want.interface, "wan", sizeof(want.interface));
	str_copy(want.address, "192.168.1.1", sizeof(want.address));
	CHECK_INT_EQ(api_parse_vip_search_find(SEARCH_BODY, strlen(SEARCH_BODY), &want, uuid, sizeof(uuid), NULL),
		     NERR_NOT_FOUND);
	/* A uuid that could walk the URL path is refused. */
	{
		static const char evil[] =
			"{\"rows\":[{\"uuid\":\"..\\/..\\/core\\/system\\/reboot\",\"interface\":\"lan\",\"subnet\":\"10.0.0.1\",\"vhid\":\"1\"}]}";
		str_copy(want.interface, "lan", sizeof(want.interface));
		str_copy(want.address, "10.0.0.1", sizeof(want.address));
		CHECK_INT_EQ(api_parse_vip_search_find(evil, strlen(evil), &want, uuid, sizeof(uuid), NULL),
			     NERR_NOT_FOUND);
		CHECK_STR_EQ(uuid, "");
	}
	CHECK_INT_EQ(api_parse_vip_search_find(L("{\"total\":0}"), &want, uuid, sizeof(uuid), &cause),
		     NERR_PROTOCOL);
	free(cause);
}

/* ------------------------------------------------------------------ */

static void test_error_bodies(void)
{
	enum node_error e;
	char msg[SNAP_MSG_LEN];
	static const char auth[] = "{\"status\":401,\"message\":\"Authentication Failed\"}";
	static const char forb[] = "{\"status\":403,\"message\":\"Forbidden\"}";
	static const char nf[] = "{\"errorMessage\":\"Endpoint not found\"}";

	api_parse_error_body(401, "/api/diagnostics/interface/get_vip_status", auth, strlen(auth), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_AUTH);
	CHECK_STR_EQ(msg, "API key or secret rejected (401 Authentication Failed); check key_file");

	api_parse_error_body(401, "/api/diagnostics/interface/get_vip_status", L(""), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_AUTH);
	CHECK_CONTAINS(msg, "HTTP 401 with an empty body: the node saw no API credentials");
	api_parse_error_body(403, "/api/core/hasync/get", L("\n"), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_AUTH);
	CHECK_CONTAINS(msg, "HTTP 403 with an empty body");

	api_parse_error_body(403, "/api/diagnostics/firewall/pf_states", forb, strlen(forb), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_FORBIDDEN);
	CHECK_STR_EQ(msg, "403 Forbidden on diagnostics/firewall/pf_states: grant the API user 'Lobby: Dashboard'");

	api_parse_error_body(403, "/api/interfaces/vip_settings/add_item", forb, strlen(forb), &e, msg, sizeof(msg));
	CHECK_STR_EQ(msg, "403 Forbidden on interfaces/vip_settings/add_item: grant the API user "
			  "'Interfaces: Virtual IPs: Settings' (page-firewall-virtualipaddress-edit)");

	api_parse_error_body(403, "/api/core/hasync_status/version", forb, strlen(forb), &e, msg, sizeof(msg));
	CHECK_CONTAINS(msg, "'Status: HA backup' (page-status-habackup)");
	api_parse_error_body(403, "/api/core/hasync/get", forb, strlen(forb), &e, msg, sizeof(msg));
	CHECK_CONTAINS(msg, "'System: High Availability' (page-system-hasync)");

	/* carp_status actions: the version note, complete (not truncated). */
	api_parse_error_body(403, "/api/diagnostics/interface/carp_status/maintenance", forb, strlen(forb), &e, msg,
			     sizeof(msg));
	CHECK_INT_EQ(e, NERR_FORBIDDEN);
	CHECK_STR_EQ(msg, "403 Forbidden on diagnostics/interface/carp_status/maintenance: grant the API user "
			  "'Interfaces: Virtual IPs: Status' (page-status-carp); before 26.7 that privilege misses "
			  "carp_status actions and only 'All pages' covers them");
	CHECK(strlen(msg) < sizeof(msg) - 1);
	/* The read endpoints of the same privilege carry no such note. */
	api_parse_error_body(403, "https://fw1:443/api/diagnostics/interface/get_vip_status?x=1", forb, strlen(forb), &e,
			     msg, sizeof(msg));
	CHECK_STR_EQ(msg, "403 Forbidden on diagnostics/interface/get_vip_status: grant the API user "
			  "'Interfaces: Virtual IPs: Status' (page-status-carp)");
	api_parse_error_body(403, "/api/diagnostics/interface/get_interface_config", forb, strlen(forb), &e, msg,
			     sizeof(msg));
	CHECK_CONTAINS(msg, "'All pages' (page-all)");
	api_parse_error_body(403, "/api/unbound/settings/get", forb, strlen(forb), &e, msg, sizeof(msg));
	CHECK_CONTAINS(msg, "Effective Privileges");

	api_parse_error_body(404, "/api/diagnostics/interface/get_pfsync_nodes", nf, strlen(nf), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_NOT_FOUND);
	CHECK_STR_EQ(msg, "endpoint absent on this release (404 Endpoint not found: "
			  "diagnostics/interface/get_pfsync_nodes; needs OPNsense 25.1 or later)");
	api_parse_error_body(404, "/api/core/firmware/info", nf, strlen(nf), &e, msg, sizeof(msg));
	CHECK_STR_EQ(msg, "endpoint absent on this release (404 Endpoint not found: core/firmware/info)");
	api_parse_error_body(404, "/api/core/firmware/info", L("<html>Not Found</html>"), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_NOT_FOUND);
	CHECK_CONTAINS(msg, "without an OPNsense error reply; check the url");

	{
		static const char b[] = "{\"status\":400,\"message\":\"Invalid JSON syntax\"}";
		api_parse_error_body(400, "/api/diagnostics/interface/carp_status/disable", b, strlen(b), &e, msg,
				     sizeof(msg));
		CHECK_INT_EQ(e, NERR_PROTOCOL);
		CHECK_STR_EQ(msg, "the node rejected the request (400 Invalid JSON syntax) on "
				  "diagnostics/interface/carp_status/disable");
	}
	{
		static const char b[] =
			"{\"errorMessage\":\"Cannot delete CARP Virtual IP, IP Alias with VHID Group 1 still exists.&lt;br/&gt;Remove it first.\","
			"\"errorTitle\":\"Error\",\"errorLevel\":\"error\"}";
		api_parse_error_body(500, "/api/interfaces/vip_settings/del_item/x", b, strlen(b), &e, msg, sizeof(msg));
		CHECK_INT_EQ(e, NERR_SERVER);
		CHECK_STR_EQ(msg, "server error (HTTP 500): Cannot delete CARP Virtual IP, IP Alias with VHID Group 1 "
				  "still exists. Remove it first.");
	}
	{
		static const char b[] =
			"{\"errorMessage\":\"Address 1.2.3.4 referenced by port forward &quot;web&quot;\",\"errorTitle\":\"Item in use by\"}";
		api_parse_error_body(500, "/api/interfaces/vip_settings/del_item/x", b, strlen(b), &e, msg, sizeof(msg));
		CHECK_STR_EQ(msg, "server error (HTTP 500): Item in use by: Address 1.2.3.4 referenced by port forward \"web\"");
	}
	api_parse_error_body(502, "/api/core/firmware/info", L("<html><body>Bad Gateway</body></html>"), &e, msg,
			     sizeof(msg));
	CHECK_INT_EQ(e, NERR_SERVER);
	CHECK_STR_EQ(msg, "server error (HTTP 502) without an OPNsense error text");
	api_parse_error_body(301, "/api/core/firmware/info", L(""), &e, msg, sizeof(msg));
	CHECK_INT_EQ(e, NERR_PROTOCOL);
	CHECK_CONTAINS(msg, "redirect (HTTP 301)");
	api_parse_error_body(418, "/api/x", L("{\"message\":\"teapot\"}"), &e, msg, sizeof(msg));
	CHECK_STR_EQ(msg, "unexpected HTTP 418 on x: teapot");

	/* A tiny buffer is still terminated. */
	{
		char small[8];
		api_parse_error_body(401, "/api/x", auth, strlen(auth), &e, small, sizeof(small));
		CHECK_STR_EQ(small, "API key");
	}
}

static void test_privilege_table(void)
{
	CHECK_STR_EQ(api_privilege_for_path("/api/diagnostics/interface/carp_status/enable"),
		     "Interfaces: Virtual IPs: Status");
	CHECK_STR_EQ(api_privilege_for_path("/api/core/hasync_status/restart_all"), "Status: HA backup");
	CHECK_STR_EQ(api_privilege_for_path("/api/core/hasync/get"), "System: High Availability");
	CHECK_STR_EQ(api_privilege_for_path("/api/core/system/reboot"), "Diagnostics: Reboot System");
	CHECK_STR_EQ(api_privilege_for_path("/api/core/firmware/update"), "System: Firmware");
	CHECK_STR_EQ(api_privilege_for_path("/api/diagnostics/system/system_information"), "Lobby: Dashboard");
	CHECK_STR_EQ(api_privilege_for_path("/api/diagnostics/firewall/pf_statistics/info"),
		     "Diagnostics: Firewall statistics");
	CHECK(api_privilege_for_path("/api/core/system/halt") == NULL);
	CHECK(api_privilege_for_path(NULL) == NULL);
}

static void test_html_to_text(void)
{
	char out[64];
	api_html_to_text(out, "a &lt;b&gt; &amp;amp; &quot;q&quot; &#39;s&#039;", sizeof(out));
	CHECK_STR_EQ(out, "a <b> &amp; \"q\" 's'");
	api_html_to_text(out, "one.<br />two<BR>three<br/>", sizeof(out));
	CHECK_STR_EQ(out, "one. two three");
	api_html_to_text(out, "&lt;script&gt;x&lt;/script&gt; &unknown; &", sizeof(out));
	CHECK_STR_EQ(out, "<script>x</script> &unknown; &");
	api_html_to_text(out, NULL, sizeof(out));
	CHECK_STR_EQ(out, "");
	api_html_to_text(out, "0123456789", 5);
	CHECK_STR_EQ(out, "0123");
}

/* ------------------------------------------------------------------ */
/* Robustness: every proper prefix of every body fails cleanly, and single
 * byte corruptions never crash (ASan/UBSan watch the reads). */

typedef enum node_error (*snap_parser)(const char *, size_t, struct snapshot *, char **);

static int run_parser(int which, const char *buf, size_t len)
{
	static const snap_parser parsers[] = {
		api_parse_vip_status, api_parse_pf_states, api_parse_pfsync_nodes, api_parse_hasync_get,
		api_parse_hasync_version, api_parse_firmware_info, api_parse_system_information, api_parse_upgradestatus,
	};
	struct snapshot s;
	struct action_result r;
	struct vip_spec want = { .interface = "lan", .address = "192.168.1.5", .prefix = -1, .vhid = 1 };
	char uuid[64], *cause = NULL;
	enum node_error e;

	snapshot_init(&s);
	if (which < (int)ARRAY_LEN(parsers)) {
		e = parsers[which](buf, len, &s, &cause);
		snapshot_sanitize(&s);
	} else if (which == (int)ARRAY_LEN(parsers)) {
		e = api_parse_action_reply(buf, len, &r);
	} else if (which == (int)ARRAY_LEN(parsers) + 1) {
		e = api_parse_vip_result(buf, len, &r);
	} else {
		e = api_parse_vip_search_find(buf, len, &want, uuid, sizeof(uuid), &cause);
	}
	free(cause);
	snapshot_clear(&s);
	return (int)e;
}

static void test_truncation_everywhere(void)
{
	const struct {
		const char *body;
		int parser;
	} bodies[] = {
		{ VIP_EXAMPLE, 0 }, { VIP_VARIANTS, 0 }, { "{\"current\":\"47\",\"limit\":\"100000\"}", 1 },
		{ "{\"rows\":[{\"creatorid\":\"a2e0f312\",\"this\":1}]}", 2 }, { HASYNC_BODY, 3 },
		{ "{\"response\":{\"firmware\":{\"version\":\"26.7.2\"}}}", 4 },
		{ "{\"product_version\":\"26.7.2\"}", 5 }, { "{\"name\":\"fw1\",\"versions\":[\"OPNsense 26.7.2-amd64\"]}", 6 },
		{ "{\"status\":\"done\"}", 7 }, { "{\"status\":\"ok\",\"action\":\"enter_maintenance\"}", 8 },
		{ "{\"result\":\"saved\",\"uuid\":\"6f0c2d1e\"}", 9 }, { SEARCH_BODY, 10 },
	};
	size_t b, cut;
	for (b = 0; b < ARRAY_LEN(bodies); b++) {
		size_t len = strlen(bodies[b].body);
		int bad = 0;
		CHECK_INT_EQ(run_parser(bodies[b].parser, bodies[b].body, len), NERR_NONE);
		for (cut = 0; cut < len; cut++) {
			char *p = dup_exact(bodies[b].body, cut);
			if (run_parser(bodies[b].parser, p, cut) == NERR_NONE)
				bad++;
			free(p);
		}
		if (bad)
			printf("# body %zu: %d truncated prefixes were accepted\n", b, bad);
		CHECK_INT_EQ(bad, 0);
	}
}

static void test_corruption_never_crashes(void)
{
	static const char subst[] = "\"{}[],:\\0x \x01\xff";
	const char *bodies[] = { VIP_EXAMPLE, VIP_VARIANTS, HASYNC_BODY, SEARCH_BODY };
	size_t b, i, k;
	int runs = 0;
	for (b = 0; b < ARRAY_LEN(bodies); b++) {
		size_t len = strlen(bodies[b]);
		for (i = 0; i < len; i++) {
			for (k = 0; k < sizeof(subst) - 1; k++) {
				char *p = dup_exact(bodies[b], len);
				p[i] = subst[k];
				run_parser(b < 2 ? 0 : b == 2 ? 3 : 10, p, len);
				free(p);
				runs++;
			}
		}
	}
	CHECK(runs > 10000);
	/* Deep nesting is refused by the tokenizer's depth limit, not the stack. */
	{
		struct strbuf sb;
		int d;
		sb_init(&sb);
		sb_add(&sb, "{\"rows\":");
		for (d = 0; d < 100000; d++)
			sb_addc(&sb, '[');
		CHECK_INT_EQ(run_parser(0, sb.buf, sb.len), NERR_PROTOCOL);
		sb_free(&sb);
	}
	/* Embedded NUL bytes inside a string and after the object. */
	CHECK_INT_EQ(run_parser(1, "{\"current\":\"4\0007\"}", 17), NERR_PROTOCOL);
	CHECK_INT_EQ(run_parser(1, "{\"current\":\"47\"}\0", 17), NERR_PROTOCOL);
}

static int has_control(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f || (unsigned char)*p == 0xc2)
			return 1;
	return 0;
}

/* Hostile text survives parsing only as inert text after sanitising. */
static void test_sanitised_strings(void)
{
	static const char body[] =
		"{\"rows\":[{\"vhid\":\"1\",\"interface\":\"\\u001b[31mLAN\\u0007\",\"subnet\":\"10.0.0.1\\u009b2J\"}],"
		"\"carp\":{\"status_msg\":\"x\\u001b]0;pwn\\u0007y\",\"allow\":\"1\"}}";
	struct snapshot s;
	snapshot_init(&s);
	CHECK_INT_EQ(api_parse_vip_status(body, strlen(body), &s, NULL), NERR_NONE);
	snapshot_sanitize(&s);
	/* The exact replacement is text_sanitize's business; what matters is
	 * that no ESC, BEL or C1 (U+009B is 0xC2 0x9B) byte survives. */
	CHECK(!has_control(s.vips[0].ifname) && str_starts(s.vips[0].ifname, "?[31mLAN"));
	CHECK(!has_control(s.vips[0].address) && str_starts(s.vips[0].address, "10.0.0.1?"));
	CHECK(strstr(s.vips[0].address, "2J") != NULL);
	CHECK(!has_control(s.carp.status_msg) && str_starts(s.carp.status_msg, "x?]0;pwn?"));
	snapshot_clear(&s);

	/* Overlong strings are cut, not overflowed. */
	snapshot_init(&s);
	{
		struct strbuf sb;
		int i;
		sb_init(&sb);
		sb_add(&sb, "{\"rows\":[{\"vhid\":\"1\",\"interface\":\"");
		for (i = 0; i < 5000; i++)
			sb_addc(&sb, 'I');
		sb_add(&sb, "\",\"subnet\":\"");
		for (i = 0; i < 5000; i++)
			sb_addc(&sb, '1');
		sb_add(&sb, "\"}]}");
		CHECK_INT_EQ(api_parse_vip_status(sb.buf, sb.len, &s, NULL), NERR_NONE);
		CHECK_INT_EQ(strlen(s.vips[0].ifname), SNAP_NAME_LEN - 1);
		CHECK_INT_EQ(strlen(s.vips[0].address), SNAP_ADDR_LEN - 1);
		sb_free(&sb);
	}
	snapshot_clear(&s);
}

int main(void)
{
	VIP_EXAMPLE = api_fixture("vip-status-example.json");
	VIP_VARIANTS = api_fixture("vip-status-variants.json");
	HASYNC_BODY = api_fixture("hasync-get.json");
	SEARCH_BODY = api_fixture("vip-search.json");
	RUN(test_vip_contract_example);
	RUN(test_vip_variants);
	RUN(test_vip_disabled_carp);
	RUN(test_vip_missing_parts);
	RUN(test_vip_bad_top_level);
	RUN(test_pf_states);
	RUN(test_pfsync_nodes);
	RUN(test_hasync_get);
	RUN(test_hasync_version);
	RUN(test_firmware_and_system);
	RUN(test_upgradestatus);
	RUN(test_backups);
	RUN(test_action_reply);
	RUN(test_vip_result);
	RUN(test_vip_search_find);
	RUN(test_error_bodies);
	RUN(test_privilege_table);
	RUN(test_html_to_text);
	RUN(test_truncation_everywhere);
	RUN(test_corruption_never_crashes);
	RUN(test_sanitised_strings);
	return test_done();
}
