/* Fuzz target: FreeBSD / OPNsense command output (backends/parse and the
 * ssh transport's section readers).
 *
 * Parts of the input (fuzz.h) are the outputs of the SSH poll's commands in
 * the poll's order: ifconfig -a, configctl interface show carp, sysctl
 * net.inet.carp, pfctl -vsi, pfctl -s memory, the creator ids, ifconfig
 * pfsync0, opnsense-version, the config.xml marker, cat config.xml. Each
 * goes through its parser directly, then all of them, framed as the node's
 * sh frames them (exit status 0), through ssh_split and ssh_build_snapshot
 * into fw1's snapshot; fw2 is the same poll with part 10 as its ifconfig
 * when there is one. The pair view is rendered under the oracle. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse/parse.h"
#include "ssh/ssh_int.h"
#include "util.h"

#define NONCE "0123456789abcdef"

/* Each parser on its own text (NUL-terminated parts). */
static void parsers(const struct fuzz_parts *p)
{
	struct snapshot s;
	struct ifconfig_info info;
	struct carp_sysctl cs;
	long long current, limit;
	char hostid[16], version[SNAP_NAME_LEN], *cause = NULL;
	size_t i;

	snapshot_init(&s);
	memset(&info, 0, sizeof(info));
	if (parse_ifconfig_ex(p->part[SEC_IFCONFIG], &s, &info, &cause) == 0) {
		for (i = 0; i < info.n_ifaces; i++) {
			const struct ifconfig_iface *ifc = ifconfig_find(&info, info.ifaces[i].name);
			if (ifc != &info.ifaces[i] && !ifc)
				abort(); /* a listed device must be found */
			if (ifc && ifc->n_addrs)
				ifconfig_parent_addr(ifc, ifc->addrs[ifc->n_addrs - 1].address);
		}
	}
	ifconfig_info_free(&info);
	fuzz_check_message(cause), free(cause), cause = NULL;
	ssh_parse_show_carp(p->part[SEC_SHOWCARP], &s, true, &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	parse_sysctl_carp(p->part[SEC_SYSCTL], &s, &cs, &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	parse_pfctl_si(p->part[SEC_PFINFO], &current, hostid, sizeof(hostid), &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	parse_pfctl_memory(p->part[SEC_PFMEM], &limit, &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	parse_pfctl_creators(p->part[SEC_CREATORS], &s, &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	parse_ifconfig_pfsync(p->part[SEC_PFSYNC], &s, &cause);
	fuzz_check_message(cause), free(cause), cause = NULL;
	if (parse_opnsense_version(p->part[SEC_VERSION], version, sizeof(version), &cause) == 0 &&
	    strlen(version) >= sizeof(version))
		abort();
	fuzz_check_message(cause), free(cause), cause = NULL;
	snapshot_clear(&s);
}

static void poll_node(const struct fuzz_parts *p, int ifconfig_part, struct snapshot *s)
{
	struct strbuf sb;
	struct ssh_output o;
	struct cx_config cache;
	char msg[SNAP_MSG_LEN];
	int i;

	sb_init(&sb);
	for (i = 0; i < SEC__COUNT; i++) {
		int part = i == SEC_IFCONFIG ? ifconfig_part : i;
		sb_printf(&sb, "@@CARPTOP-" NONCE " BEGIN %s\n", ssh_sec_id((enum ssh_sec)i));
		sb_addn(&sb, p->part[part], p->len[part]);
		sb_printf(&sb, "\n@@CARPTOP-" NONCE " END %s 0\n", ssh_sec_id((enum ssh_sec)i));
	}
	snapshot_init(s);
	memset(&cache, 0, sizeof(cache));
	ssh_split(sb.buf, sb.len, NONCE, &o);
	if (ssh_build_snapshot(&o, &cache, s, msg, sizeof(msg)) != NERR_NONE) {
		snapshot_clear(s);
		snapshot_set_error(s, NERR_PROTOCOL, "%s", msg);
	}
	cx_free(&cache);
	sb_free(&sb);
	s->taken = FUZZ_NOW - 1;
	snapshot_sanitize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts p;
	struct cluster_conf cc;
	struct snapshot n0, n1;

	if (size > 1 << 20)
		return 0;
	fuzz_split(data, size, &p);
	parsers(&p);
	fuzz_cluster(&cc, TRANSPORT_SSH);
	poll_node(&p, SEC_IFCONFIG, &n0);
	poll_node(&p, p.n > 10 ? 10 : SEC_IFCONFIG, &n1);
	fuzz_pair_check(&cc, &n0, &n1);
	snapshot_clear(&n0);
	snapshot_clear(&n1);
	fuzz_parts_free(&p);
	return 0;
}
