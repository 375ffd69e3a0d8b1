/* Unit tests of VIP add/delete over SSH (ssh_vip.c): the PHP program carries
 * only checked values, as base64 of JSON (so csh and PHP see no quote of
 * ours), refuses what is not acceptable before anything is sent, and the
 * node's reply is judged as the API's vip_settings reply is. */
#include <stdlib.h>
#include <string.h>

#include "ssh/ssh_int.h"
#include "testlib.h"
#include "util.h"

static struct action alias(enum action_kind k, const char *iface, const char *addr, int prefix, int vhid)
{
	struct action a;
	memset(&a, 0, sizeof(a));
	a.kind = k;
	a.vip.mode = VIP_MODE_IPALIAS;
	str_copy(a.vip.interface, iface, sizeof(a.vip.interface));
	str_copy(a.vip.address, addr, sizeof(a.vip.address));
	a.vip.prefix = prefix;
	a.vip.vhid = vhid;
	str_copy(a.vip.descr, "added by carptop add-alias", sizeof(a.vip.descr));
	return a;
}

/* The request the program carries, decoded. */
static char *request_of(const char *prog)
{
	const char *p = strstr(prog, "base64_decode('"), *e;
	unsigned char buf[1024];
	long n;
	if (!p)
		return NULL;
	p += strlen("base64_decode('");
	e = strchr(p, '\'');
	if (!e)
		return NULL;
	n = b64_decode(p, (size_t)(e - p), buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup((const char *)buf);
}

static void test_program(void)
{
	struct action a = alias(ACT_VIP_ADD, "lan", "192.168.1.5", 24, 3);
	char *cause = NULL, *prog = ssh_vip_program(&a, &cause), *req;
	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK(strstr(prog, "@@CARPTOP_REQUEST@@") == NULL);
	CHECK(strncmp(prog, "<?php\n", 6) == 0);
	CHECK_CONTAINS(prog, "require_once('script/load_phalcon.php');");
	CHECK_CONTAINS(prog, "new Vip()");
	CHECK_CONTAINS(prog, "Config::getInstance()->lock();");
	CHECK_CONTAINS(prog, "/tmp/delete_vip_{$uuid}.todo");
	req = request_of(prog);
	CHECK_STR_EQ(req, "{\"op\":\"add\",\"interface\":\"lan\",\"address\":\"192.168.1.5\",\"prefix\":24,\"vhid\":3,"
			  "\"descr\":\"added by carptop add-alias\"}");
	free(req);
	free(prog);

	/* Delete: no prefix needed; the address as inet_ntop prints it. */
	a = alias(ACT_VIP_DELETE, "", "2001:DB8:0:0::5", 0, 7);
	prog = ssh_vip_program(&a, &cause);
	CHECK(prog != NULL);
	req = prog ? request_of(prog) : NULL;
	CHECK_STR_EQ(req, "{\"op\":\"delete\",\"interface\":\"\",\"address\":\"2001:db8::5\",\"prefix\":0,\"vhid\":7,"
			  "\"descr\":\"added by carptop add-alias\"}");
	free(req);
	free(prog);
}

static void refused(struct action a, const char *why)
{
	char *cause = NULL, *prog = ssh_vip_program(&a, &cause);
	CHECK(prog == NULL);
	CHECK_CONTAINS(cause ? cause : "", why);
	free(prog);
	free(cause);
}

static void test_refused(void)
{
	struct action a;
	refused(alias(ACT_VIP_ADD, "lan", "192.168.1.5'); system('id", 24, 3), "not an IPv4 or IPv6 address");
	refused(alias(ACT_VIP_ADD, "lan", "192.168.1.5", 33, 3), "prefix");
	refused(alias(ACT_VIP_ADD, "lan", "192.168.1.5", 24, 256), "vhid must be 1..255");
	refused(alias(ACT_VIP_ADD, "lan;id", "192.168.1.5", 24, 3), "config key");
	a = alias(ACT_VIP_ADD, "lan", "192.168.1.5", 24, 3);
	a.vip.mode = VIP_MODE_CARP;
	refused(a, "IP aliases only");
	a = alias(ACT_VIP_ADD, "lan", "192.168.1.5", 24, 3);
	str_copy(a.vip.descr, "x\ny", sizeof(a.vip.descr));
	refused(a, "printable ASCII");
	a = alias(ACT_VIP_APPLY, "lan", "192.168.1.5", 24, 3);
	refused(a, "not a VIP change");
}

static void test_reply(void)
{
	struct action_result r;
	ssh_vip_reply("{\"result\":\"saved\",\"uuid\":\"3b1e4a8c-1111-4222-8333-444455556666\"}\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_CONTAINS(r.message, "saved (uuid 3b1e4a8c-1111-4222-8333-444455556666)");
	ssh_vip_reply("{\"result\":\"failed\",\"validations\":{\"vip.vhid\":[\"VHID 9 must be defined on interface "
		      "lan as a CARP VIP first.\"]}}\n",
		      "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "rejected by the node");
	CHECK_CONTAINS(r.message, "VHID 9 must be defined on interface lan as a CARP VIP first.");
	ssh_vip_reply("{\"result\":\"deleted\"}\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NONE);
	CHECK_CONTAINS(r.message, "deleted");
	ssh_vip_reply("{\"result\":\"not found\"}\n", "", 0, &r);
	CHECK_INT_EQ(r.err, NERR_NOT_FOUND);
	ssh_vip_reply("{\"errorMessage\":\"Item in use by: Address 10.0.0.5 referenced by port forward \\\"x\\\"\"}\n", "",
		      0, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "refused by the node: Item in use by");
	/* PHP died before answering: its own words, and no "ok". */
	ssh_vip_reply("\nFatal error: Uncaught Error: Class \"OPNsense\\Interfaces\\Vipp\" not found in "
		      "Standard input code:140\n",
		      "", 255, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "exit 255");
	CHECK_CONTAINS(r.message, "Class \"OPNsense\\Interfaces\\Vipp\" not found");
	ssh_vip_reply("", "/usr/local/bin/php: Command not found.\n", 1, &r);
	CHECK_INT_EQ(r.err, NERR_COMMAND);
	CHECK_CONTAINS(r.message, "/usr/local/bin/php is missing on the node");
	/* Escape sequences from the node stay inert. */
	ssh_vip_reply("\x1b[2Jboom\n", "", 1, &r);
	CHECK(strchr(r.message, '\x1b') == NULL);
}

int main(void)
{
	RUN(test_program);
	RUN(test_refused);
	RUN(test_reply);
	return test_done();
}
