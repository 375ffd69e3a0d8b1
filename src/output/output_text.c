/* Plain text: one block per cluster, for a person at a terminal or in a
 * mail. Tables are aligned to their content; every string that came from a
 * node passes through text_sanitize, even though the backends sanitise
 * snapshots already, because this text goes straight to a terminal. */
#include "output_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small aligned table ---- */

struct tab {
	int ncols;
	size_t ncells, cap;
	char **cells;  /* row-major, ncells is a multiple of ncols once a row is complete */
};

static void tab_init(struct tab *t, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

static void tab_free(struct tab *t)
{
	size_t i;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Add the next cell (sanitised copy; NULL or "" shows as "-"). */
static void tab_put(struct tab *t, const char *s)
{
	size_t len;
	if (!s || !s[0])
		s = "-";
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	len = strlen(s);
	t->cells[t->ncells] = xmalloc(len + 1);
	text_sanitize(t->cells[t->ncells], s, len + 1);
	t->ncells++;
}

static void tab_putf(struct tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tab_putf(struct tab *t, const char *fmt, ...)
{
	char buf[SNAP_MSG_LEN * 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tab_put(t, buf);
}

/* Terminal columns of sanitised UTF-8: one per code point. Wide (CJK)
 * characters would count one short; hostnames and interface names are
 * practically never wide, and the table stays readable if they are. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void add_spaces(struct strbuf *sb, size_t n)
{
	while (n--)
		sb_addc(sb, ' ');
}

static void tab_render(struct strbuf *sb, const struct tab *t, const char *indent)
{
	size_t *width = xcalloc((size_t)t->ncols, sizeof(*width));
	size_t i, rows = t->ncells / (size_t)t->ncols;
	int c;

	for (i = 0; i < rows * (size_t)t->ncols; i++) {
		size_t w = text_width(t->cells[i]);
		c = (int)(i % (size_t)t->ncols);
		if (w > width[c])
			width[c] = w;
	}
	for (i = 0; i < rows; i++) {
		sb_add(sb, indent);
		for (c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[i * (size_t)t->ncols + (size_t)c];
			sb_add(sb, cell);
			/* No padding after the last column: no trailing blanks. */
			if (c + 1 < t->ncols)
				add_spaces(sb, width[c] - text_width(cell) + 2);
		}
		sb_addc(sb, '\n');
	}
	free(width);
}

/* ---- the blocks of one cluster ---- */

/* The AGE column: seconds, one decimal under 10 s ("1.5s", "42s"; doc/batch-output.md),
 * where a script can read it; not fmt_duration's compact form for people. */
static void age_cell(char *dst, size_t n, double age)
{
	char num[32];
	if (age < 0) {
		str_copy(dst, "-", n);
		return;
	}
	out_fixed(num, sizeof(num), age, age < 10 ? 1 : 0);
	str_printf(dst, n, "%ss", num);
}

static void node_row(struct tab *t, const struct pair_view *v, int i, double now)
{
	const struct snapshot *s = v->snap[i];
	char age[32];

	tab_put(t, v->node[i].name);
	tab_put(t, out_role_word(v->node[i].role));
	tab_put(t, v->cluster ? out_transport_word(v->cluster->nodes[i].transport) : NULL);
	age_cell(age, sizeof(age), v->node[i].poll_age);
	if (!v->node[i].up) {
		/* Whatever an unreachable node said last is not current: show nothing of it. */
		int k;
		/* Offline review: nothing was asked of the node, so nothing is unknown about it now. */
		tab_put(t, v->offline ? "offline" : "UNKNOWN");
		for (k = 0; k < 6; k++)
			tab_put(t, NULL);
		tab_put(t, age);
		return;
	}
	tab_put(t, "yes");
	tab_put(t, s->hostname);
	tab_put(t, s->version);
	if (s->carp.known) {
		tab_put(t, s->carp.allow ? "yes" : "NO");
		tab_putf(t, "%ld", s->carp.demotion);
		tab_put(t, s->carp.maintenance ? "ON" : "off");
	} else {
		tab_put(t, NULL);
		tab_put(t, NULL);
		tab_put(t, NULL);
	}
	if (s->states.current >= 0 && s->states.limit > 0)
		tab_putf(t, "%lld/%lld", s->states.current, s->states.limit);
	else if (s->states.current >= 0)
		tab_putf(t, "%lld", s->states.current);
	else
		tab_put(t, NULL);
	tab_put(t, age);
}

/* Lines under the node table: why a node is UNKNOWN, what it says about
 * CARP, and which parts of its poll failed. */
static void node_notes(struct strbuf *sb, const struct pair_view *v, int i)
{
	const struct snapshot *s = v->snap[i];
	int k;

	if (!s) {
		sb_printf(sb, "  ");
		out_add_safe(sb, v->node[i].name);
		sb_add(sb, ": UNKNOWN - not polled\n");
		return;
	}
	if (!s->reachable && v->offline) {
		sb_add(sb, "  ");
		out_add_safe(sb, v->node[i].name);
		sb_add(sb, ": ");
		out_add_safe(sb, s->error);
		sb_addc(sb, '\n');
		return;
	}
	if (!s->reachable) {
		sb_add(sb, "  ");
		out_add_safe(sb, v->node[i].name);
		sb_printf(sb, ": UNKNOWN - %s: ", node_error_label(s->err));
		out_add_safe(sb, s->error);
		sb_addc(sb, '\n');
		return;
	}
	if (s->carp.known && s->carp.status_msg[0]) {
		sb_add(sb, "  ");
		out_add_safe(sb, v->node[i].name);
		sb_add(sb, ": CARP status: ");
		out_add_safe(sb, s->carp.status_msg);
		sb_addc(sb, '\n');
	}
	for (k = 0; k < s->n_partial && k < SNAP_MAX_PARTIAL; k++) {
		sb_add(sb, "  ");
		out_add_safe(sb, v->node[i].name);
		sb_add(sb, ": partial result, ");
		out_add_safe(sb, s->partial[k].what);
		sb_printf(sb, " unavailable (%s): ", node_error_label(s->partial[k].err));
		out_add_safe(sb, s->partial[k].msg);
		sb_addc(sb, '\n');
	}
}

static void nodes_block(struct strbuf *sb, const struct pair_view *v, double now)
{
	static const char *const head[] = {
		"NODE", "ROLE", "TRANSPORT", "REACHABLE", "HOSTNAME", "VERSION",
		"CARP ALLOW", "DEMOTION", "MAINTENANCE", "STATES", "AGE",
	};
	struct tab t;
	size_t k;
	int i;

	tab_init(&t, (int)ARRAY_LEN(head));
	for (k = 0; k < ARRAY_LEN(head); k++)
		tab_put(&t, head[k]);
	for (i = 0; i < CLUSTER_NODES; i++)
		node_row(&t, v, i, now);
	tab_render(sb, &t, "  ");
	tab_free(&t);
	for (i = 0; i < CLUSTER_NODES; i++)
		node_notes(sb, v, i);
}

static void side_cell(struct tab *t, const struct pair_view *v, const struct vhid_row *r, int i)
{
	const char *st = out_side_status(v, r, i);
	if (v->node[i].up && r->side[i].present && r->side[i].advskew >= 0)
		tab_putf(t, "%s skew %d", st, r->side[i].advskew);
	else
		tab_put(t, st);
}

static void join_addrs(struct strbuf *sb, const struct vhid_row *r)
{
	int k;
	for (k = 0; k < r->n_addrs && k < PAIR_MAX_ADDRS; k++) {
		if (k)
			sb_add(sb, ", ");
		sb_add(sb, r->addrs[k]);
	}
}

static void vhids_block(struct strbuf *sb, const struct pair_view *v)
{
	struct tab t;
	size_t k;
	int i;

	if (v->n_rows == 0) {
		sb_add(sb, "  no VHIDs known\n");
		return;
	}
	tab_init(&t, 4 + CLUSTER_NODES);
	tab_put(&t, "VHID");
	tab_put(&t, "INTERFACE");
	tab_put(&t, "ADDRESSES");
	for (i = 0; i < CLUSTER_NODES; i++)
		tab_put(&t, v->node[i].name);
	tab_put(&t, "VERDICT");
	for (k = 0; k < v->n_rows; k++) {
		const struct vhid_row *r = &v->rows[k];
		struct strbuf a;
		sb_init(&a);
		join_addrs(&a, r);
		tab_putf(&t, "%d", r->vhid);
		tab_put(&t, r->interface);
		tab_put(&t, a.buf);
		sb_free(&a);
		for (i = 0; i < CLUSTER_NODES; i++)
			side_cell(&t, v, r, i);
		tab_put(&t, out_vhid_verdict_word(r->verdict));
	}
	tab_render(sb, &t, "  ");
	tab_free(&t);
}

static void findings_block(struct strbuf *sb, const struct pair_view *v)
{
	size_t k, w = 0;

	if (v->n_findings == 0) {
		sb_add(sb, "  no findings\n");
		return;
	}
	for (k = 0; k < v->n_findings; k++) {
		size_t l = strlen(out_severity_upper(v->findings[k].severity));
		if (l > w)
			w = l;
	}
	sb_add(sb, "  FINDINGS\n");
	for (k = 0; k < v->n_findings; k++) {
		const struct finding *f = &v->findings[k];
		const char *sev = out_severity_upper(f->severity);
		sb_printf(sb, "  %s", sev);
		add_spaces(sb, w - strlen(sev) + 2);
		out_add_safe(sb, f->message);
		if (f->id) {
			sb_add(sb, " [");
			out_add_safe(sb, f->id);
			sb_addc(sb, ']');
		}
		sb_addc(sb, '\n');
		if (f->hint && f->hint[0]) {
			add_spaces(sb, w + 4);
			sb_add(sb, "hint: ");
			out_add_safe(sb, f->hint);
			sb_addc(sb, '\n');
		}
	}
}

static void cluster_block(struct strbuf *sb, const struct pair_view *v, double now)
{
	char warn[SNAP_MSG_LEN];
	int i;

	sb_add(sb, "cluster ");
	out_add_safe(sb, v->cluster && v->cluster->name ? v->cluster->name : "?");
	sb_printf(sb, ": %s\n", out_severity_upper(v->verdict == SEV_INFO ? SEV_OK : v->verdict));
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (!out_node_insecure(v, i))
			continue;
		out_insecure_text(warn, sizeof(warn), v, i);
		sb_add(sb, "  WARNING: ");
		out_add_safe(sb, warn);
		sb_addc(sb, '\n');
	}
	sb_addc(sb, '\n');
	nodes_block(sb, v, now);
	sb_addc(sb, '\n');
	/* Offline (--from-xml) there is no live VHID state: the table of the
	 * configured VHIDs below says what the files hold. */
	if (!v->offline) {
		vhids_block(sb, v);
		sb_addc(sb, '\n');
	}
	findings_block(sb, v);
}

void out_render_text(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o)
{
	size_t k;

	if (o->demo)
		sb_add(sb, "DEMO MODE: simulated nodes, not real firewalls\n\n");
	if (n == 0)
		sb_add(sb, "no clusters configured\n");
	for (k = 0; k < n; k++) {
		if (k)
			sb_addc(sb, '\n');
		cluster_block(sb, &views[k], o->now);
	}
}
