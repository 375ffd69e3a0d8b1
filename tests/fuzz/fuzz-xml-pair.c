/* Fuzz target: a config.xml pair through every config check and the drift
 * comparison, exactly as `carptop --batch --from-xml` (src/app/offline.c).
 *
 * Part 0 of the input (fuzz.h) is the primary's config.xml, part 1 the
 * secondary's. Both are parsed by src/checks/xmlconf.c (libxml2, no network, no
 * entities); when both parse, offline_render builds the view (config checks
 * and drift) and renders it in all four formats under the oracle. Each part
 * also goes through the ssh transport's own config.xml reader
 * (backends/ssh/ssh_configxml.c) and onto a snapshot. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "offline.h"
#include "ssh/ssh_int.h"
#include "util.h"
#include "xmlconf.h"

static void ssh_reader(const struct fuzz_parts *p, struct snapshot *s, int i)
{
	struct cx_config cx;
	char *xml = fuzz_exact(p->part[i], p->len[i]), *cause = NULL;

	memset(&cx, 0, sizeof(cx));
	snapshot_init(s);
	s->reachable = true;
	if (cx_parse(xml, p->len[i], &cx, &cause) == 0)
		cx_apply(&cx, s, true);
	else
		fuzz_check_message(cause);
	free(cause);
	cx_free(&cx);
	free(xml);
	s->taken = FUZZ_NOW - 1;
	snapshot_sanitize(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum out_format formats[] = { OUT_TEXT, OUT_JSON, OUT_NAGIOS, OUT_PROMETHEUS };
	static const char *const paths[CLUSTER_NODES] = { "fw1.xml", "fw2.xml" };
	struct fuzz_parts p;
	struct xmlconf conf[CLUSTER_NODES];
	struct cluster_conf cc;
	struct snapshot s0, s1;
	int i, ok = 0;

	if (size > 4 << 20)
		return 0;
	fuzz_split(data, size, &p);
	memset(conf, 0, sizeof(conf));
	for (i = 0; i < CLUSTER_NODES; i++) {
		char *xml = fuzz_exact(p.part[i], p.len[i]), *cause = NULL;
		if (xmlconf_parse(xml, p.len[i], paths[i], &conf[i], &cause) == 0)
			ok++;
		else
			fuzz_check_message(cause);
		free(cause);
		free(xml);
	}
	if (ok == CLUSTER_NODES) {
		size_t f;
		for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
			struct strbuf sb;
			int code;
			sb_init(&sb);
			code = offline_render(conf, paths, formats[f], &sb);
			if (code < 0 || code > 3)
				abort();
			fuzz_check_text(out_format_name(formats[f]), sb.buf ? sb.buf : "", sb.len);
			if (formats[f] == OUT_JSON)
				fuzz_check_json(sb.buf ? sb.buf : "", sb.len);
			sb_free(&sb);
		}
	}
	for (i = 0; i < CLUSTER_NODES; i++)
		xmlconf_free(&conf[i]);

	fuzz_cluster(&cc, TRANSPORT_SSH);
	ssh_reader(&p, &s0, 0);
	ssh_reader(&p, &s1, 1);
	fuzz_pair_check(&cc, &s0, &s1);
	snapshot_clear(&s0);
	snapshot_clear(&s1);
	fuzz_parts_free(&p);
	return 0;
}
