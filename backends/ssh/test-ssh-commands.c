/* Unit tests of the ssh poll command and what is made of its output: the
 * command line's shape (one line for csh, no `!`), the marker splitter
 * (forged and mid-line markers, cut sections, missing ENDs), the snapshot
 * assembly with partial failures, `configctl interface show carp`, action
 * replies, and the command run for real through csh with stub commands. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_int.h"
#include "testlib.h"
#include "util.h"

#define NONCE "0123456789abcdef"
#define M "@@CARPTOP-" NONCE

static const char IFCONFIG[] =
	"em0: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
	"\tether 00:0c:29:aa:bb:01\n"
	"\tinet 192.168.1.10 netmask 0xffffff00 broadcast 192.168.1.255\n"
	"\tinet 192.168.1.1 netmask 0xffffff00 broadcast 192.168.1.255 vhid 3\n"
	"\tcarp: MASTER vhid 3 advbase 1 advskew 0\n"
	"\t      peer 224.0.0.18 peer6 ff02::12\n"
	"em1: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
	"\tinet 172.18.0.101 netmask 0xffffff00 broadcast 172.18.0.255\n"
	"\tinet 172.18.0.100 netmask 0xffffff00 broadcast 172.18.0.255 vhid 1\n"
	"\tcarp: MASTER vhid 1 advbase 1 advskew 0\n"
	"\t      peer 224.0.0.18 peer6 ff02::12\n";

static const char PFINFO[] = "Status: Enabled for 0 days 00:18:25           Debug: Urgent\n\n"
			     "Hostid:   0xa2e0f312\nChecksum: 0x00000000000000000000000000000000\n\n"
			     "State Table                          Total             Rate\n"
			     "  current entries                       47               \n"
			     "  searches                            3277            3.0/s\n";

static const char SYSCTL[] = "net.inet.carp.allow: 1\nnet.inet.carp.preempt: 1\nnet.inet.carp.demotion: 0\n";

struct sec_in {
	const char *id;
	const char *text;
	int rc;
};

/* The output of a poll as the node's sh prints it. */
static char *mkout(const struct sec_in *in, size_t n, size_t *len)
{
	struct strbuf sb;
	size_t i;
	sb_init(&sb);
	for (i = 0; i < n; i++)
		sb_printf(&sb, M " BEGIN %s\n%s\n" M " END %s %d\n", in[i].id, in[i].text, in[i].id, in[i].rc);
	*len = sb.len;
	return sb_steal(&sb);
}

/* The firmware update request and what the tracker is fed. */
static void test_firmware_job(void)
{
	char *cmd = ssh_action_command(ACT_FIRMWARE_UPDATE);
	struct action_result r;
	long long t, boot;
	struct ssh_output o;
	struct ssh_fw_read fr;
	size_t len;
	char *buf;
	struct sec_in in[] = {
		{ "date", "Wed Dec  2 16:42:44 UTC 2026\n", 0 },
		{ "boottime", "{ sec = 1796220000, usec = 611386 } Wed Dec  2 14:40:00 2026\n", 0 },
		{ "fwrunning", "busy\n", 0 },
		{ "fwstatus", "***GOT REQUEST TO UPDATE***\nCurrently running OPNsense 26.7.2 at Wed Dec  2 16:42:45 UTC 2026\n", 0 },
	};
	CHECK_STR_EQ(cmd, "sh -c 'date;sysctl -n kern.boottime;configctl firmware flush 2>&1;configctl firmware update 2>&1'");
	free(cmd);
	ssh_fw_request_times("Wed Dec  2 16:42:44 UTC 2026\n{ sec = 1796220000, usec = 611386 } Wed Dec  2 14:40:00 2026\nOK\nOK\n",
			     &t, &boot);
	CHECK(t == 1796229764LL);
	CHECK(boot == 1796220000LL);
	ssh_fw_request_times("garbage", &t, &boot);
	CHECK(t == -1 && boot == -1);
	ssh_action_reply(ACT_FIRMWARE_UPDATE, "Wed Dec  2 16:42:44 UTC 2026\n{ sec = 1 }\nOK\nOK\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_STR_EQ(r.message, "OK");
	ssh_action_reply(ACT_FIRMWARE_UPDATE, "Wed Dec  2 16:42:44 UTC 2026\n{ sec = 1 }\nOK\nExecute error\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "Execute error");
	buf = mkout(in, ARRAY_LEN(in), &len);
	ssh_split(buf, len, NONCE, &o);
	ssh_fw_read(&o, &fr);
	CHECK(fr.node_time == 1796229764LL);
	CHECK(fr.boottime == 1796220000LL);
	CHECK_INT_EQ(fr.running, 1);
	CHECK(fr.log && str_starts(fr.log, "***GOT REQUEST TO UPDATE***"));
	ssh_fw_read_free(&fr);
	free(buf);
	/* Not read at all: unknown, not "ready". */
	buf = mkout(in, 1, &len);
	ssh_split(buf, len, NONCE, &o);
	ssh_fw_read(&o, &fr);
	CHECK_INT_EQ(fr.running, -1);
	CHECK(fr.boottime == -1 && fr.log == NULL);
	ssh_fw_read_free(&fr);
	free(buf);
}

/* configctl filter sync prints OK even when the sync failed. */
static void test_sync_confirmed(void)
{
	struct action_result r;
	char *cmd = ssh_action_command(ACT_SYNC);
	CHECK_CONTAINS(cmd, "date +%Y-%m-%dT%H:%M:%S;configctl filter sync 2>&1;");
	CHECK_CONTAINS(cmd, "grep -h \"Filter sync successfully completed\" /var/log/system/latest.log");
	CHECK(strchr(cmd, '!') == NULL);
	free(cmd);
	ssh_action_reply(ACT_SYNC,
			 "2026-12-02T16:42:44\nOK\n<13>1 2026-12-02T16:42:45+01:00 fw1 config 1 - [meta sequenceId=\"3\"] "
			 "Filter sync successfully completed with 10.0.0.2.\n",
			 "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_CONTAINS(r.message, "sync confirmed by the system log (2026-12-02T16:42:45)");
	/* Only an older success line: this sync failed behind its OK. */
	ssh_action_reply(ACT_SYNC,
			 "2026-12-02T16:42:44\nOK\n<13>1 2026-12-02T15:00:00+01:00 fw1 config 1 - [meta sequenceId=\"3\"] "
			 "Filter sync successfully completed with 10.0.0.2.\n",
			 "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "printed OK, but the system log has no");
	ssh_action_reply(ACT_SYNC, "2026-12-02T16:42:44\nOK\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	ssh_action_reply(ACT_SYNC, "2026-12-02T16:42:44\nAction not allowed or missing\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "configctl filter sync: Action not allowed or missing");
}

static void test_command_shape(void)
{
	char *cmd = ssh_poll_command(NONCE, "1700000000 4711", false);
	const char *q1, *q2;
	CHECK(str_starts(cmd, "sh -c '"));
	CHECK(strchr(cmd, '\n') == NULL);
	CHECK(strchr(cmd, '!') == NULL);
	q1 = strchr(cmd, '\'');
	q2 = strrchr(cmd, '\'');
	CHECK(q1 && q2 && q2 > q1 && q2[1] == '\0');
	CHECK(memchr(q1 + 1, '\'', (size_t)(q2 - q1 - 1)) == NULL);
	CHECK_CONTAINS(cmd, "M=@@CARPTOP-" NONCE ";");
	CHECK_CONTAINS(cmd, "[ \"$t\" = \"1700000000 4711\" ]");
	CHECK_CONTAINS(cmd, "ifconfig -a 2>&1");
	CHECK_CONTAINS(cmd, "configctl interface show carp 2>&1");
	CHECK_CONTAINS(cmd, "pfctl -vsi 2>&1");
	CHECK_CONTAINS(cmd, "grep -o \"creatorid: [0-9a-f]*\"");
	CHECK(strstr(cmd, "firmware") == NULL); /* only while an update is followed */
	/* The CARP state is read last (a poll shows what it read when it ends):
	 * the VHID statuses at the very end, after pfctl's state table walk and
	 * config.xml. */
	{
		const char *ifc = strstr(cmd, "b ifconfig;"), *cfg = strstr(cmd, "b config;");
		CHECK(ifc && cfg && ifc > cfg);
		CHECK(ifc > strstr(cmd, "b creators;"));
		CHECK(ifc > strstr(cmd, "b sysctl;") && ifc > strstr(cmd, "b show-carp;"));
		CHECK(strstr(cmd, "b show-carp;") > cfg && strstr(cmd, "b sysctl;") > cfg);
		CHECK(strlen(cmd) > 15 && str_eq(cmd + strlen(cmd) - 15, "e ifconfig $?;'"));
	}
	free(cmd);
	cmd = ssh_poll_command(NONCE, "1700000000 4711", true);
	/* ... also after the firmware job's reads. */
	CHECK(strstr(cmd, "b ifconfig;") > strstr(cmd, "b fwstatus;"));
	CHECK_CONTAINS(cmd, "b date;date 2>&1;");
	CHECK_CONTAINS(cmd, "sysctl -n kern.boottime 2>&1");
	CHECK_CONTAINS(cmd, "configctl firmware running 2>&1");
	CHECK_CONTAINS(cmd, "configctl firmware status 2>&1");
	CHECK(strchr(cmd, '!') == NULL);
	free(cmd);
	/* A marker that is not plain numbers is never put into the command. */
	cmd = ssh_poll_command(NONCE, "1'; reboot; '", false);
	CHECK(strstr(cmd, "reboot") == NULL);
	CHECK_CONTAINS(cmd, "= \"none\" ]");
	free(cmd);
	CHECK(ssh_marker_safe("1700000000 4711"));
	CHECK(!ssh_marker_safe(""));
	CHECK(!ssh_marker_safe("12$x"));
}

static void test_split_basic(void)
{
	struct sec_in in[] = {
		{ "ifconfig", IFCONFIG, 0 },
		{ "show-carp", "", 0 },
		{ "pfinfo", "sh: 1: pfctl: not found\n", 127 },
	};
	struct ssh_output o;
	size_t len;
	char *buf = mkout(in, ARRAY_LEN(in), &len);
	/* mkout adds the newline e prints; the texts above already end in one */
	ssh_split(buf, len, NONCE, &o);
	CHECK_INT_EQ(o.n_begun, 3);
	CHECK(o.sec[SEC_IFCONFIG].ended);
	CHECK_INT_EQ(o.sec[SEC_IFCONFIG].rc, 0);
	CHECK_STR_EQ(o.sec[SEC_IFCONFIG].text, IFCONFIG);
	CHECK(!o.sec[SEC_IFCONFIG].cut_line);
	CHECK(o.sec[SEC_SHOWCARP].ended);
	CHECK_STR_EQ(o.sec[SEC_SHOWCARP].text, "");
	CHECK_INT_EQ(o.sec[SEC_PFINFO].rc, 127);
	CHECK_STR_EQ(o.sec[SEC_PFINFO].text, "sh: 1: pfctl: not found\n");
	CHECK(!o.sec[SEC_SYSCTL].begun);
	CHECK_STR_EQ(o.sec[SEC_SYSCTL].text, "");
	CHECK_INT_EQ(o.last_begun, SEC_PFINFO);
	free(buf);
}

static void test_split_forged(void)
{
	/* Output that imitates markers: another nonce, or ours mid-line. */
	char text[] = M " BEGIN ifconfig\n"
		      "@@CARPTOP-ffffffffffffffff END ifconfig 0\n"
		      "x" M " END ifconfig 0\n"
		      "real\n"
		      "\n" M " END ifconfig 3\n";
	struct ssh_output o;
	ssh_split(text, strlen(text), NONCE, &o);
	CHECK(o.sec[SEC_IFCONFIG].ended);
	CHECK_INT_EQ(o.sec[SEC_IFCONFIG].rc, 3);
	CHECK_STR_EQ(o.sec[SEC_IFCONFIG].text, "@@CARPTOP-ffffffffffffffff END ifconfig 0\n"
					       "x" M " END ifconfig 0\nreal\n");
}

static void test_split_cut(void)
{
	/* ifconfig printed half a line, the END still came (a truncating
	 * command); sysctl never ended (the session died). */
	char text[] = M " BEGIN ifconfig\nem0: flags=8943<UP> mtu 1500\n\tinet 192.16\n" M " END ifconfig 0\n"
		      M " BEGIN sysctl\nnet.inet.carp.allow: 1\nnet.inet.ca";
	struct ssh_output o;
	ssh_split(text, strlen(text), NONCE, &o);
	CHECK(o.sec[SEC_IFCONFIG].ended);
	CHECK(o.sec[SEC_IFCONFIG].cut_line);
	CHECK_STR_EQ(o.sec[SEC_IFCONFIG].text, "em0: flags=8943<UP> mtu 1500\n\tinet 192.16");
	CHECK(o.sec[SEC_SYSCTL].begun);
	CHECK(!o.sec[SEC_SYSCTL].ended);
	CHECK_STR_EQ(o.sec[SEC_SYSCTL].text, "net.inet.carp.allow: 1\nnet.inet.ca");
	CHECK_INT_EQ(o.last_begun, SEC_SYSCTL);
}

static void test_split_missing_end(void)
{
	char text[] = M " BEGIN pfinfo\nsomething\n" M " BEGIN pfmem\nstates        hard limit   100000\n\n" M
		      " END pfmem 0";
	struct ssh_output o;
	ssh_split(text, strlen(text), NONCE, &o);
	CHECK(o.sec[SEC_PFINFO].begun);
	CHECK(!o.sec[SEC_PFINFO].ended);
	CHECK_STR_EQ(o.sec[SEC_PFINFO].text, "something\n");
	CHECK(o.sec[SEC_PFMEM].ended); /* END without a final newline still counts */
	CHECK_INT_EQ(o.sec[SEC_PFMEM].rc, 0);
	CHECK_STR_EQ(o.sec[SEC_PFMEM].text, "states        hard limit   100000\n");
}

static const char CONFIG[] = "<?xml version=\"1.0\"?>\n<opnsense><system><hostname>fw1</hostname>"
			     "<domain>example.com</domain></system>"
			     "<interfaces><wan><if>em1</if></wan><lan><if>em0</if><descr>Inside</descr></lan></interfaces>"
			     "<virtualip><vip><interface>lan</interface><mode>carp</mode><subnet>192.168.1.1</subnet>"
			     "<subnet_bits>24</subnet_bits><vhid>3</vhid><password>s3cret</password></vip>"
			     "<vip><interface>wan</interface><mode>carp</mode><subnet>172.18.0.100</subnet>"
			     "<subnet_bits>24</subnet_bits><vhid>1</vhid></vip></virtualip>"
			     "<hasync><synchronizetoip>10.0.0.2</synchronizetoip><syncitems>rules,virtualip</syncitems>"
			     "<password>hunter2</password></hasync></opnsense>\n";

static void test_build_healthy(void)
{
	struct sec_in in[] = {
		{ "ifconfig", IFCONFIG, 0 },
		{ "show-carp", "{\"demotion\":\"0\",\"allow\":\"1\",\"maintenancemode\":false,\"status_msg\":\"\"}\n", 0 },
		{ "sysctl", SYSCTL, 0 },
		{ "pfinfo", PFINFO, 0 },
		{ "pfmem", "states        hard limit   100000\nsrc-nodes     hard limit    10000\n", 0 },
		{ "creators", "creatorid: 0a0b0c0d\ncreatorid: a2e0f312\n", 0 },
		{ "pfsync", "pfsync0: flags=41<UP,RUNNING> metric 0 mtu 1500\n"
			    "\tsyncdev: em2 syncpeer: 10.0.0.2 maxupd: 128 defer: off version: 1400\n\tsyncok: 1\n", 0 },
		{ "version", "OPNsense 26.7.2 (amd64)\n", 0 },
		{ "marker", "1700000000 4711\n", 0 },
		{ "config", CONFIG, 0 },
	};
	struct cx_config cache;
	struct snapshot s;
	struct ssh_output o;
	char msg[SNAP_MSG_LEN];
	size_t len;
	char *buf = mkout(in, ARRAY_LEN(in), &len);

	memset(&cache, 0, sizeof(cache));
	snapshot_init(&s);
	ssh_split(buf, len, NONCE, &o);
	CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_NONE);
	CHECK(s.reachable);
	CHECK_INT_EQ(s.n_partial, 0);
	CHECK_INT_EQ(s.n_vips, 2);
	CHECK_STR_EQ(s.vips[0].ifname, "Inside");
	CHECK_STR_EQ(s.vips[0].ifdev, "em0");
	CHECK_INT_EQ(s.vips[0].vhid, 3);
	CHECK_INT_EQ(s.vips[0].status, CARP_ST_MASTER);
	CHECK_INT_EQ(s.vips[0].mode, VIP_MODE_CARP);
	CHECK_STR_EQ(s.vips[1].ifname, "WAN");
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK_INT_EQ(s.carp.demotion, 0);
	CHECK_INT_EQ(s.carp.preempt, 1);
	CHECK(!s.carp.maintenance);
	CHECK_INT_EQ(s.states.current, 47);
	CHECK_INT_EQ(s.states.limit, 100000);
	CHECK_STR_EQ(s.pfsync.hostid, "a2e0f312");
	CHECK_INT_EQ(s.pfsync.n_creators, 2);
	CHECK_STR_EQ(s.pfsync.syncdev, "em2");
	CHECK_STR_EQ(s.version, "26.7.2");
	CHECK_STR_EQ(s.firmware.version, "26.7.2");
	CHECK_STR_EQ(s.hostname, "fw1.example.com");
	CHECK(s.hasync.known);
	CHECK_STR_EQ(s.hasync.sync_target, "10.0.0.2");
	CHECK_STR_EQ(s.hasync.sync_items, "rules,virtualip");
	CHECK(cache.valid);
	CHECK_STR_EQ(cache.marker, "1700000000 4711");
	/* The app's marker too (it reads config.xml again when it changes). */
	CHECK_STR_EQ(s.config_marker, "1700000000 4711");
	free(buf);
	snapshot_clear(&s);

	/* Next poll: marker unchanged, so no config section; the cache answers. */
	{
		struct sec_in in2[] = {
			{ "ifconfig", IFCONFIG, 0 },
			{ "marker", "1700000000 4711\n", 0 },
		};
		buf = mkout(in2, ARRAY_LEN(in2), &len);
		snapshot_init(&s);
		ssh_split(buf, len, NONCE, &o);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_NONE);
		CHECK_STR_EQ(s.hostname, "fw1.example.com");
		CHECK_STR_EQ(s.vips[0].ifname, "Inside");
		CHECK_STR_EQ(s.config_marker, "1700000000 4711");
		CHECK(cache.valid);
		/* The sections that did not run are noted, not fatal. */
		CHECK(s.n_partial > 0);
		free(buf);
		snapshot_clear(&s);
	}
	cx_free(&cache);
}

static const struct snap_partial *partial(const struct snapshot *s, const char *what)
{
	int i;
	for (i = 0; i < s->n_partial; i++)
		if (str_eq(s->partial[i].what, what))
			return &s->partial[i];
	return NULL;
}

static void test_build_failures(void)
{
	struct cx_config cache;
	struct snapshot s;
	struct ssh_output o;
	char msg[SNAP_MSG_LEN];
	size_t len;
	char *buf;
	const struct snap_partial *p;

	memset(&cache, 0, sizeof(cache));
	/* pfctl missing: pf parts noted, the node still read. */
	{
		struct sec_in in[] = {
			{ "ifconfig", IFCONFIG, 0 },
			{ "show-carp", "not json\n", 0 },
			{ "sysctl", SYSCTL, 0 },
			{ "pfinfo", "sh: 1: pfctl: not found\n", 127 },
			{ "pfmem", "sh: 1: pfctl: not found\n", 127 },
			{ "creators", "", 127 },
			{ "pfsync", "ifconfig: interface pfsync0 does not exist\n", 1 },
			{ "version", "OPNsense 26.7.2 (amd64)\n", 0 },
			{ "marker", "1\n", 0 },
			{ "config", "<opnsense>\n", 0 },
		};
		buf = mkout(in, ARRAY_LEN(in), &len);
		snapshot_init(&s);
		ssh_split(buf, len, NONCE, &o);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_NONE);
		CHECK(s.reachable);
		CHECK_INT_EQ(s.n_vips, 2);
		p = partial(&s, "pf_states");
		CHECK(p && p->err == NERR_COMMAND);
		CHECK_CONTAINS(p ? p->msg : NULL, "`pfctl -vsi` is missing on the node (exit 127");
		p = partial(&s, "pfsync");
		CHECK(p && p->err == NERR_COMMAND);
		CHECK_CONTAINS(p ? p->msg : NULL, "`ifconfig pfsync0` failed (exit 1): ifconfig: interface pfsync0");
		CHECK_CONTAINS(p ? p->msg : NULL, "; `pfctl -ss -vv` is missing");
		p = partial(&s, "carp");
		CHECK(p && p->err == NERR_PROTOCOL);
		p = partial(&s, "config");
		CHECK(p && p->err == NERR_PROTOCOL);
		CHECK_CONTAINS(p ? p->msg : NULL, "not well-formed");
		CHECK(!cache.valid);
		CHECK_INT_EQ(s.states.current, -1);
		/* ifconfig rows without a config: mode stays as parsed, no name */
		CHECK_STR_EQ(s.vips[0].ifname, "");
		free(buf);
		snapshot_clear(&s);
	}
	/* pfsync0 and the creator ids printed but unreadable (exit 0): the
	 * parser's own message is noted, not lost and leaked (fuzz-freebsd). */
	{
		struct sec_in in[] = {
			{ "ifconfig", IFCONFIG, 0 },
			{ "pfsync", "garbage\n", 0 },
		};
		buf = mkout(in, ARRAY_LEN(in), &len);
		snapshot_init(&s);
		ssh_split(buf, len, NONCE, &o);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_NONE);
		p = partial(&s, "pfsync");
		CHECK(p && p->err == NERR_PROTOCOL);
		CHECK_CONTAINS(p ? p->msg : NULL, "`ifconfig pfsync0`: ");
		CHECK(p && !strstr(p->msg, "unreadable output"));
		free(buf);
		snapshot_clear(&s);
	}
	/* ifconfig cut mid-line: the whole snapshot is refused. */
	{
		/* the last line has no newline of its own; the one before END is e's */
		char text[] = M " BEGIN ifconfig\nem0: flags=8943<UP> metric 0 mtu 1500\n\tinet 192.168.1.1 net\n" M
			      " END ifconfig 0\n";
		snapshot_init(&s);
		ssh_split(text, strlen(text), NONCE, &o);
		CHECK(o.sec[SEC_IFCONFIG].cut_line);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_PROTOCOL);
		CHECK_CONTAINS(msg, "ends mid-line");
		CHECK_CONTAINS(msg, "truncated");
		snapshot_clear(&s);
	}
	/* ifconfig missing */
	{
		struct sec_in in[] = { { "ifconfig", "sh: 1: ifconfig: not found\n", 127 } };
		buf = mkout(in, ARRAY_LEN(in), &len);
		snapshot_init(&s);
		ssh_split(buf, len, NONCE, &o);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_COMMAND);
		CHECK_CONTAINS(msg, "`ifconfig -a` is missing on the node (exit 127: sh: 1: ifconfig: not found)");
		free(buf);
		snapshot_clear(&s);
	}
	/* ifconfig never ended */
	{
		char text[] = M " BEGIN ifconfig\nem0: flags=8943<UP> metric 0 mtu 1500\n";
		snapshot_init(&s);
		ssh_split(text, strlen(text), NONCE, &o);
		CHECK_INT_EQ(ssh_build_snapshot(&o, &cache, &s, msg, sizeof(msg)), NERR_PROTOCOL);
		CHECK_CONTAINS(msg, "cut off");
		snapshot_clear(&s);
	}
	cx_free(&cache);
}

static void test_show_carp(void)
{
	struct snapshot s;
	char *cause = NULL;
	snapshot_init(&s);
	CHECK_INT_EQ(ssh_parse_show_carp("{\"demotion\":240,\"allow\":1,\"maintenancemode\":true,"
					 "\"status_msg\":\"CARP has detected a problem.<br />Check link status.\"}",
					 &s, true, &cause),
		     0);
	CHECK(s.carp.known);
	CHECK_INT_EQ(s.carp.demotion, 240);
	CHECK_INT_EQ(s.carp.allow, 1);
	CHECK(s.carp.maintenance);
	CHECK_STR_EQ(s.carp.status_msg, "CARP has detected a problem. Check link status.");
	snapshot_clear(&s);
	CHECK_INT_EQ(ssh_parse_show_carp("{\"demotion\":\"0\",\"allow\":\"0\",\"maintenancemode\":\"0\"}", &s, false,
					 &cause),
		     0);
	CHECK(!s.carp.known); /* sysctl answered: not overwritten */
	CHECK(!s.carp.maintenance);
	CHECK_INT_EQ(ssh_parse_show_carp("Action not allowed or missing", &s, true, &cause), -1);
	CHECK_CONTAINS(cause, "Action not allowed or missing");
	free(cause);
	snapshot_clear(&s);
}

static void test_actions(void)
{
	struct action_result r;
	char *cmd = ssh_action_command(ACT_MAINTENANCE_TOGGLE);
	CHECK_STR_EQ(cmd, "sh -c 'configctl interface carp_set_status maintenance 2>&1'");
	free(cmd);
	CHECK(ssh_action_command(ACT_VIP_ADD) == NULL);
	CHECK(ssh_action_command(ACT_VIP_DELETE) == NULL);
	CHECK_STR_EQ(ssh_action_words(ACT_VIP_APPLY), "interface vip configure");
	CHECK_STR_EQ(ssh_action_words(ACT_SYNC), "filter sync");
	CHECK_STR_EQ(ssh_action_words(ACT_REBOOT), "-d system reboot"); /* rc.reboot never returns */
	CHECK_STR_EQ(ssh_action_words(ACT_FIRMWARE_UPDATE), "firmware update");

	ssh_action_reply(ACT_MAINTENANCE_TOGGLE, "{\"status\":\"ok\",\"action\":\"enter_maintenance\"}\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_STR_EQ(r.message, "enter_maintenance");
	ssh_action_reply(ACT_CARP_DISABLE, "{\"status\":\"failed\"}\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	ssh_action_reply(ACT_VIP_APPLY, "OK\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_STR_EQ(r.message, "OK");
	ssh_action_reply(ACT_SYNC, "Action not allowed or missing\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "Action not allowed or missing");
	ssh_action_reply(ACT_VIP_APPLY, "Execute error\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	ssh_action_reply(ACT_REBOOT, "sh: 1: configctl: not found\n", "", 127, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "configctl is missing");
	ssh_action_reply(ACT_FIRMWARE_UPDATE, "boom\n", "", 2, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "exit 2");
}

/* The real thing through csh: stub commands in a PATH directory, the
 * command line exactly as sshd would hand it to root's csh. */
static void test_through_csh(void)
{
	char dir[] = "/tmp/carptop-test-csh-XXXXXX";
	const char *csh = access("/bin/csh", X_OK) == 0 ? "/bin/csh" : NULL;
	char *cmd, *line, *path;
	FILE *p;
	struct strbuf out;
	struct ssh_output o;
	char buf[4096];
	size_t n;
	static const struct {
		const char *name, *body;
	} stubs[] = {
		{ "ifconfig", "#!/bin/sh\n[ \"$1\" = -a ] && printf 'em0: flags=8943<UP> metric 0 mtu 1500\\n' && exit 0\n"
			      "echo \"ifconfig: interface $1 does not exist\" >&2; exit 1\n" },
		{ "pfctl", "#!/bin/sh\ncase \"$*\" in\n"
			   "'-ss -vv') printf 'all tcp 1.2.3.4:22 <- 5.6.7.8:1 ESTABLISHED\\n   id: 1 creatorid: 0000aaaa\\n"
			   "   id: 2 creatorid: a2e0f312\\n   id: 3 creatorid: 0000aaaa\\n';;\n"
			   "*) echo \"pfctl: bad $*\" >&2; exit 1;;\nesac\n" },
		{ "stat", "#!/bin/sh\necho 1700000000\n" },
		{ "cat", "#!/bin/sh\nprintf '<opnsense/>\\n'\n" },
	};
	size_t i;

	if (!csh) {
		printf("# no /bin/csh: skipping the csh round trip\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < ARRAY_LEN(stubs); i++) {
		char *f = xasprintf("%s/%s", dir, stubs[i].name);
		FILE *w = fopen(f, "w");
		fputs(stubs[i].body, w);
		fclose(w);
		chmod(f, 0755);
		free(f);
	}
	cmd = ssh_poll_command(NONCE, "", false);
	/* What sshd does for a ForceCommand-less login: $SHELL -c "<command>" */
	path = xasprintf("%s:/usr/bin:/bin", dir);
	line = xasprintf("env -i PATH='%s' %s -f -c \"$CARPTOP_CMD\" 2>/dev/null", path, csh);
	setenv("CARPTOP_CMD", cmd, 1);
	sb_init(&out);
	p = popen(line, "r");
	CHECK(p != NULL);
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_addn(&out, buf, n);
	if (p)
		pclose(p);
	ssh_split(out.buf ? out.buf : xstrdup(""), out.len, NONCE, &o);
	CHECK_INT_EQ(o.n_begun, SEC__COUNT - 4); /* not the four firmware-job sections */
	CHECK(!o.sec[SEC_FWSTATUS].begun);
	CHECK_INT_EQ(o.sec[SEC_IFCONFIG].rc, 0);
	CHECK_STR_EQ(o.sec[SEC_IFCONFIG].text, "em0: flags=8943<UP> metric 0 mtu 1500\n");
	CHECK_INT_EQ(o.sec[SEC_PFINFO].rc, 1);
	CHECK_INT_EQ(o.sec[SEC_SHOWCARP].rc, 127); /* no configctl here */
	CHECK_INT_EQ(o.sec[SEC_PFSYNC].rc, 1);
	CHECK_INT_EQ(o.sec[SEC_CREATORS].rc, 0);
	CHECK_STR_EQ(o.sec[SEC_CREATORS].text, "creatorid: 0000aaaa\ncreatorid: a2e0f312\n");
	CHECK_STR_EQ(o.sec[SEC_MARKER].text, "1700000000\n");
	CHECK(o.sec[SEC_CONFIG].begun);
	CHECK_STR_EQ(o.sec[SEC_CONFIG].text, "<opnsense/>\n");
	sb_free(&out);
	free(cmd);

	/* Same marker as the node's: config.xml is not read again. */
	cmd = ssh_poll_command(NONCE, "1700000000", false);
	setenv("CARPTOP_CMD", cmd, 1);
	sb_init(&out);
	p = popen(line, "r");
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_addn(&out, buf, n);
	if (p)
		pclose(p);
	ssh_split(out.buf ? out.buf : xstrdup(""), out.len, NONCE, &o);
	CHECK(o.sec[SEC_MARKER].ended);
	CHECK(!o.sec[SEC_CONFIG].begun);
	sb_free(&out);
	free(cmd);
	free(line);
	free(path);
	line = xasprintf("rm -rf '%s'", dir);
	if (system(line) != 0)
		printf("# could not remove %s\n", dir);
	free(line);
}

int main(void)
{
	RUN(test_command_shape);
	RUN(test_firmware_job);
	RUN(test_sync_confirmed);
	RUN(test_split_basic);
	RUN(test_split_forged);
	RUN(test_split_cut);
	RUN(test_split_missing_end);
	RUN(test_build_healthy);
	RUN(test_build_failures);
	RUN(test_show_carp);
	RUN(test_actions);
	RUN(test_through_csh);
	return test_done();
}
