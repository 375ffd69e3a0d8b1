/* --from-xml: the config checks and drift on two config.xml files. The view
 * is marked offline, so no live check runs and the nodes are not reported
 * unreachable: they were simply not contacted. */
#include "offline.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pair.h"
#include "snapshot.h"
#include "util.h"
#include "view.h"
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

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* One node's addresses on a VHID ("addr/bits" each) into out; returns how
 * many, and sets the interface and advskew of its CARP entry. */
static int vhid_addrs(const struct xmlconf *c, int vhid, char (*out)[XC_ADDR_LEN + 8], int max, const char **iface,
		      int *advskew)
{
	size_t i, k;
	int n = 0;
	for (i = 0; i < c->n_vips && n < max; i++) {
		const struct xc_vip *vp = &c->vips[i];
		if (vp->vhid != vhid || (vp->mode != XC_VIP_CARP && vp->mode != XC_VIP_IPALIAS))
			continue;
		if (vp->bits >= 0)
			str_printf(out[n++], sizeof(out[0]), "%s/%d", vp->subnet, vp->bits);
		else
			str_copy(out[n++], vp->subnet, sizeof(out[0]));
		if (vp->mode == XC_VIP_CARP) {
			*advskew = vp->advskew;
			*iface = vp->iface;
			for (k = 0; k < c->n_ifs; k++)
				if (str_eq(c->ifs[k].key, vp->iface) && c->ifs[k].descr[0])
					*iface = c->ifs[k].descr;
		}
	}
	return n;
}

/* The VHIDs both configs define, side by side, each address marked where
 * only one of them has it: the offline review of what CARP will do. */
static void vhid_text(struct strbuf *sb, const struct xmlconf *conf, const char *names[2])
{
	int vhids[512], n = 0, i, k, side;
	size_t j;
	char cell[2][512];
	for (side = 0; side < CLUSTER_NODES; side++)
		for (j = 0; j < conf[side].n_vips && n < (int)ARRAY_LEN(vhids); j++) {
			int vh = conf[side].vips[j].vhid;
			bool seen = vh <= 0;
			for (i = 0; i < n && !seen; i++)
				seen = vhids[i] == vh;
			if (!seen)
				vhids[n++] = vh;
		}
	if (!n) {
		sb_add(sb, "\n  CONFIGURED VHIDs: none in either config.xml\n");
		return;
	}
	qsort(vhids, (size_t)n, sizeof(vhids[0]), cmp_int);
	sb_add(sb, "\n  CONFIGURED VHIDs (config.xml)\n  VHID  INTERFACE  ");
	pad(sb, names[0], 34);
	sb_add(sb, "  ");
	out_add_safe(sb, names[1]);
	sb_add(sb, "\n");
	for (i = 0; i < n; i++) {
		char addrs[2][16][XC_ADDR_LEN + 8];
		int na[2], skew[2] = { -1, -1 };
		const char *iface[2] = { "", "" };
		char num[16];
		for (side = 0; side < CLUSTER_NODES; side++) {
			struct strbuf c;
			na[side] = vhid_addrs(&conf[side], vhids[i], addrs[side], 16, &iface[side], &skew[side]);
			sb_init(&c);
			for (k = 0; k < na[side]; k++)
				sb_printf(&c, "%s%s", k ? ", " : "", addrs[side][k]);
			if (!na[side])
				sb_add(&c, "(absent)");
			else if (skew[side] >= 0)
				sb_printf(&c, " skew %d", skew[side]);
			str_copy(cell[side], c.buf ? c.buf : "", sizeof(cell[side]));
			sb_free(&c);
		}
		str_printf(num, sizeof(num), "%d", vhids[i]);
		sb_add(sb, "  ");
		pad(sb, num, 4);
		sb_add(sb, "  ");
		pad(sb, iface[0][0] ? iface[0] : iface[1], 9);
		sb_add(sb, "  ");
		pad(sb, cell[0], 34);
		sb_add(sb, "  ");
		out_add_safe(sb, cell[1]);
		sb_add(sb, "\n");
		/* An address one config has and the other lacks: the split brain
		 * to come when that node's VHID advertises it. */
		for (side = 0; side < CLUSTER_NODES; side++)
			for (k = 0; k < na[side]; k++) {
				int o;
				bool found = false;
				if (!na[1 - side])
					continue;
				for (o = 0; o < na[1 - side] && !found; o++)
					found = str_eq(addrs[side][k], addrs[1 - side][o]);
				if (!found) {
					sb_add(sb, "                    ");
					out_add_safe(sb, addrs[side][k]);
					sb_add(sb, "  only in ");
					out_add_safe(sb, names[side]);
					sb_add(sb, ", missing in ");
					out_add_safe(sb, names[1 - side]);
					sb_add(sb, "\n");
				}
			}
	}
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

	{
		const struct snapshot *sp[CLUSTER_NODES] = { &snap[0], &snap[1] };
		const struct xmlconf *cp[CLUSTER_NODES] = { &conf[0], &conf[1] };
		view_build_offline(&v, &cc, sp, cp, wall_s());
	}

	memset(&oo, 0, sizeof(oo));
	oo.now = v.now;
	output_render(sb, fmt, &v, 1, &oo);
	if (fmt == OUT_TEXT)
	{
		vhid_text(sb, conf, name_ptr);
		drift_text(sb, &v, name_ptr);
	}
	/* Prometheus carries the status in the metrics: 0 once written (batch_status.c). */
	code = fmt == OUT_PROMETHEUS ? 0 : severity_exit_code(output_overall(&v, 1));

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
