/* Fuzz target: OPNsense API reply bodies (backends/api/api_parse.c).
 *
 * Every part of the input (fuzz.h: parts separated by FUZZ_SEP) goes
 * through every api_parse_* walker. Then parts 0..7 are the bodies of one
 * poll of fw1 and parts 8..15 of fw2, in the order of the API transport's
 * read table (get_vip_status, pf_states, get_pfsync_nodes, hasync/get,
 * hasync_status/version, firmware/info, system_information,
 * backup/backups): each node's snapshot is built as the transport does
 * (a failed get_vip_status makes the node unreachable, any other failed
 * read a partial note), then the pair view, rendered in all four formats
 * under the oracle. */
#include <stdlib.h>
#include <string.h>

#include "api/api_parse.h"
#include "fuzz.h"
#include "util.h"

typedef enum node_error (*snap_parse_fn)(const char *, size_t, struct snapshot *, char **);

static const struct {
	const char *what;
	snap_parse_fn parse;
} reads[] = {
	{ "vip_status", api_parse_vip_status },   { "pf_states", api_parse_pf_states },
	{ "pfsync", api_parse_pfsync_nodes },      { "hasync", api_parse_hasync_get },
	{ "hasync_version", api_parse_hasync_version }, { "firmware", api_parse_firmware_info },
	{ "system", api_parse_system_information }, { "config", api_parse_backups },
};
#define N_READS (sizeof(reads) / sizeof(reads[0]))

static const struct {
	int status;
	const char *path;
} errors[] = {
	{ 400, "/api/diagnostics/interface/carp_status/maintenance" },
	{ 401, "/api/diagnostics/interface/get_vip_status" },
	{ 403, "/api/diagnostics/interface/carp_status/disable" },
	{ 404, "/api/core/hasync_status/version" },
	{ 500, "/api/interfaces/vip_settings/add_item" },
};

/* Every walker on one body; the fields they extract land in s (sanitised
 * and rendered by the caller), their messages go through fuzz_check_message(). */
static void every_walker(const char *text, size_t len, struct snapshot *s)
{
	char *body = fuzz_exact(text, len), *cause = NULL;
	struct action_result r;
	struct vip_spec want;
	char buf[SNAP_MSG_LEN], uuid[64];
	enum node_error e;
	size_t i;

	for (i = 0; i < N_READS; i++) {
		if (reads[i].parse(body, len, s, &cause) != NERR_NONE && cause)
			fuzz_check_message(cause);
		free(cause);
		cause = NULL;
	}
	if (api_parse_upgradestatus(body, len, s, &cause) != NERR_NONE && cause)
		fuzz_check_message(cause);
	free(cause);
	cause = NULL;

	memset(&r, 0, sizeof(r));
	api_parse_action_reply(body, len, &r);
	fuzz_check_message(r.message);
	memset(&r, 0, sizeof(r));
	api_parse_vip_result(body, len, &r);
	fuzz_check_message(r.message);

	if (api_parse_vip_search_carp_iface(body, len, 3, buf, sizeof(buf), &cause) == NERR_NONE)
		fuzz_check_message(buf);
	else if (cause)
		fuzz_check_message(cause);
	free(cause);
	cause = NULL;
	memset(&want, 0, sizeof(want));
	str_copy(want.interface, "lan", sizeof(want.interface));
	want.mode = VIP_MODE_IPALIAS;
	str_copy(want.address, "192.168.1.5", sizeof(want.address));
	want.prefix = 24;
	want.vhid = 1;
	/* The uuid goes into a URL path: only hex digits and '-'. */
	if (api_parse_vip_search_find(body, len, &want, uuid, sizeof(uuid), &cause) == NERR_NONE &&
	    uuid[strspn(uuid, "0123456789abcdefABCDEF-")] != '\0')
		abort();
	if (cause)
		fuzz_check_message(cause);
	free(cause);

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		api_parse_error_body(errors[i].status, errors[i].path, body, len, &e, buf, sizeof(buf));
		fuzz_check_message(buf);
	}
	free(body);
	api_html_to_text(buf, text, sizeof(buf)); /* text is NUL-terminated */
	fuzz_check_message(buf);
}

/* One poll of a node from bodies[0..N_READS), as poll_finish does it. */
static void poll_node(struct fuzz_parts *p, size_t first, struct snapshot *s)
{
	enum node_error vip_err = NERR_NONE;
	char vip_msg[SNAP_MSG_LEN] = "";
	size_t i;

	snapshot_init(s);
	for (i = 0; i < N_READS && vip_err == NERR_NONE; i++) {
		char *body = fuzz_exact(p->part[first + i], p->len[first + i]), *cause = NULL;
		enum node_error e = reads[i].parse(body, p->len[first + i], s, &cause);
		if (e != NERR_NONE) {
			if (i == 0) {
				vip_err = e;
				str_copy(vip_msg, cause ? cause : "unreadable reply", sizeof(vip_msg));
			} else {
				snapshot_add_partial(s, reads[i].what, e, "%s", cause ? cause : "unreadable reply");
			}
		}
		free(cause);
		free(body);
	}
	if (vip_err != NERR_NONE) {
		snapshot_clear(s);
		snapshot_set_error(s, vip_err, "%s", vip_msg);
	} else {
		s->reachable = true;
		s->err = NERR_NONE;
	}
	s->taken = FUZZ_NOW - 1;
	s->duration_ms = 12;
	snapshot_sanitize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts p;
	struct cluster_conf cc;
	struct snapshot walk, n0, n1;
	size_t i;

	if (size > 1 << 20)
		return 0;
	fuzz_split(data, size, &p);
	fuzz_cluster(&cc, TRANSPORT_API);

	snapshot_init(&walk);
	for (i = 0; i < p.n; i++)
		every_walker(p.part[i], p.len[i], &walk);
	walk.reachable = walk.n_vips > 0;
	walk.taken = FUZZ_NOW - 1;
	snapshot_sanitize(&walk);

	poll_node(&p, 0, &n0);
	poll_node(&p, N_READS, &n1);
	fuzz_pair_check(&cc, &n0, &n1);
	fuzz_pair_check(&cc, &walk, &n1);

	snapshot_clear(&walk);
	snapshot_clear(&n0);
	snapshot_clear(&n1);
	fuzz_parts_free(&p);
	return 0;
}
