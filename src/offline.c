/* --from-xml: the config checks and drift on two config.xml files. The view
 * is marked offline, so no live check runs and the nodes are not reported
 * unreachable: they were simply not contacted. */
#include "offline.h"

#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config.h"
#include "pair.h"
#include "snapshot.h"
#include "util.h"
#include "xmlconf.h"

#define EXIT_UNKNOWN 3

/* "backups/fw1-config.xml" -> "fw1-config": the node's name in the output. */
static void node_name_from_path(const char *path, char *dst, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t l;
	base = base ? base + 1 : path;
	str_copy(dst, base, len);
	l = strlen(dst);
	if (l > 4 && strcmp(dst + l - 4, ".xml") == 0)
		dst[l - 4] = '\0';
	text_sanitize_inplace(dst);
}

static void pad(struct strbuf *sb, const char *s, size_t width)
{
	size_t l = strlen(s);
	out_add_safe(sb, s);
	while (l++ < width)
		sb_addc(sb, ' ');
}

static const char *side_value(const struct drift_item *d, int i)
{
	return d->absent[i] ? "(absent)" : d->value[i][0] ? d->value[i] : "(empty)";
}

/* The text format lists every difference (JSON has them in drift[]). */
static void drift_text(struct strbuf *sb, const struct pair_view *v, const char *names[2])
{
	size_t i, ws = strlen("SECTION"), wp = strlen("PATH"), w0 = strlen(names[0]);
	if (!v->drift_known)
		return;
	if (v->n_drift == 0) {
		sb_add(sb, "\n  DRIFT: none in the sections the primary syncs\n");
		return;
	}
	for (i = 0; i < v->n_drift; i++) {
		const struct drift_item *d = &v->drift[i];
		ws = strlen(d->section) > ws ? strlen(d->section) : ws;
		wp = strlen(d->path) > wp ? strlen(d->path) : wp;
		w0 = strlen(side_value(d, 0)) > w0 ? strlen(side_value(d, 0)) : w0;
	}
	sb_add(sb, "\n  DRIFT\n  ");
	pad(sb, "SECTION", ws + 2);
	pad(sb, "PATH", wp + 2);
	pad(sb, names[0], w0 + 2);
	out_add_safe(sb, names[1]);
	sb_addc(sb, '\n');
	for (i = 0; i < v->n_drift; i++) {
		const struct drift_item *d = &v->drift[i];
		sb_add(sb, "  ");
		pad(sb, d->section, ws + 2);
		pad(sb, d->path, wp + 2);
		pad(sb, side_value(d, 0), w0 + 2);
		out_add_safe(sb, side_value(d, 1));
		sb_addc(sb, '\n');
	}
}

int offline_render(const struct xmlconf conf[CLUSTER_NODES], const char *const paths[CLUSTER_NODES],
		   enum out_format fmt, struct strbuf *sb)
{
	struct snapshot snap[CLUSTER_NODES];
	char names[CLUSTER_NODES][64];
	const char *name_ptr[CLUSTER_NODES];
	struct cluster_conf cc;
	struct pair_view v;
	struct output_opts oo;
	int i, code;

	for (i = 0; i < CLUSTER_NODES; i++)
		node_name_from_path(paths[i], names[i], sizeof(names[i]));
	/* Two backups named alike ("config.xml" twice) get their roles as names. */
	if (str_eq(names[0], names[1]) || !names[0][0] || !names[1][0]) {
		str_copy(names[0], "primary", sizeof(names[0]));
		str_copy(names[1], "secondary", sizeof(names[1]));
	}

	memset(&cc, 0, sizeof(cc));
	cc.name = "from-xml";
	for (i = 0; i < CLUSTER_NODES; i++) {
		cc.nodes[i].name = names[i];
		cc.nodes[i].role = i == 0 ? ROLE_PRIMARY : ROLE_SECONDARY;
		cc.nodes[i].transport = TRANSPORT_NONE;
		name_ptr[i] = names[i];
		snapshot_init(&snap[i]);
		snapshot_set_error(&snap[i], NERR_NOT_POLLED, "offline: config.xml %s%s%s%s only, the node was not contacted",
				   paths[i], conf[i].hostname[0] ? " (" : "", conf[i].hostname,
				   conf[i].hostname[0] ? ")" : "");
	}

	memset(&v, 0, sizeof(v));
	v.cluster = &cc;
	v.now = wall_s();
	v.verdict = SEV_OK;
	v.offline = true;
	for (i = 0; i < CLUSTER_NODES; i++) {
		v.snap[i] = &snap[i];
		v.conf[i] = &conf[i];
	}
	checks_run_live(&v); /* a no-op offline; kept so the view is built like any other */
	config_checks_run(&v);

	memset(&oo, 0, sizeof(oo));
	oo.now = v.now;
	output_render(sb, fmt, &v, 1, &oo);
	if (fmt == OUT_TEXT)
		drift_text(sb, &v, name_ptr);
	code = severity_exit_code(output_overall(&v, 1));

	pair_free(&v);
	for (i = 0; i < CLUSTER_NODES; i++)
		snapshot_clear(&snap[i]);
	return code;
}

int offline_run(const char *const paths[2], enum out_format fmt, FILE *out, FILE *err)
{
	struct xmlconf conf[CLUSTER_NODES];
	struct strbuf sb;
	char *cause = NULL;
	int i, code;

	memset(conf, 0, sizeof(conf));
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (xmlconf_load_file(paths[i], &conf[i], &cause) < 0) {
			fprintf(err, "carptop: --from-xml: %s\n", cause);
			free(cause);
			xmlconf_free(&conf[0]);
			return EXIT_UNKNOWN;
		}
	}
	sb_init(&sb);
	code = offline_render(conf, paths, fmt, &sb);
	fputs(sb.buf ? sb.buf : "", out);
	fflush(out);
	sb_free(&sb);
	for (i = 0; i < CLUSTER_NODES; i++)
		xmlconf_free(&conf[i]);
	return code;
}
