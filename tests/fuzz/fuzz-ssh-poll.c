/* Fuzz target: the SSH poll's framing (backends/ssh/ssh_commands.c).
 *
 * Part 0 of the input (fuzz.h) is fw1's whole poll output as the node's sh
 * prints it (marker lines with the nonce below, section texts, END lines
 * with exit statuses, or none of that: cut off, forged markers, other
 * nonces), part 1 is fw2's. Each goes through ssh_split and, as the ssh
 * transport does, either "did not run carptop's command" or
 * ssh_build_snapshot; the config.xml cache is kept between the two nodes'
 * polls, as between two polls of one node. The pair view is rendered under
 * the oracle. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ssh/ssh_int.h"
#include "util.h"

#define NONCE "0123456789abcdef"

static void poll_node(const char *out, size_t len, struct cx_config *cache, struct snapshot *s)
{
	struct ssh_output o;
	char msg[SNAP_MSG_LEN];
	char *buf = xmalloc(len + 1); /* ssh_split writes buf[len] */
	int i;

	memcpy(buf, out, len);
	snapshot_init(s);
	ssh_split(buf, len, NONCE, &o);
	for (i = 0; i < SEC__COUNT; i++) {
		const struct ssh_section *sec = &o.sec[i];
		/* Every section's text lies inside the buffer, NUL-terminated. */
		if (sec->begun && (sec->text < buf || sec->text + sec->len > buf + len || sec->text[sec->len]))
			abort();
	}
	if (o.n_begun == 0)
		snapshot_set_error(s, NERR_COMMAND, "did not run carptop's command");
	else if (ssh_build_snapshot(&o, cache, s, msg, sizeof(msg)) != NERR_NONE) {
		snapshot_clear(s);
		snapshot_set_error(s, NERR_PROTOCOL, "%s", msg);
	}
	free(buf);
	s->taken = FUZZ_NOW - 1;
	snapshot_sanitize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts p;
	struct cluster_conf cc;
	struct cx_config cache;
	struct snapshot n0, n1;

	if (size > 1 << 20)
		return 0;
	fuzz_split(data, size, &p);
	fuzz_cluster(&cc, TRANSPORT_SSH);
	memset(&cache, 0, sizeof(cache));
	poll_node(p.part[0], p.len[0], &cache, &n0);
	poll_node(p.part[1], p.len[1], &cache, &n1);
	fuzz_pair_check(&cc, &n0, &n1);
	cx_free(&cache);
	snapshot_clear(&n0);
	snapshot_clear(&n1);
	fuzz_parts_free(&p);
	return 0;
}
