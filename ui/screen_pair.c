/* Pair view: both nodes side by side, the per-VHID table, pfsync and the
 * findings. An unreachable node is shown UNKNOWN with its error and never
 * with roles from an older poll; data older than twice the interval is
 * marked STALE. */
#include "ui_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Label then value; returns the x after them. */
static int field(struct ui *u, int y, int x, int xmax, const char *label, attr_t va, const char *value)
{
	if (x >= xmax)
		return x;
	x += draw_text(u, y, x, xmax - x, ui_attr(u, TP_LABEL), label);
	x += draw_text(u, y, x, xmax - x, ui_attr(u, TP_LABEL), " ");
	x += draw_text(u, y, x, xmax - x, va, value);
	return x + 3;
}

static void node_header(struct ui *u, size_t ci, int n, int y, int x0, int w)
{
	const struct app_cluster *ac = &u->a->clusters[ci];
	const struct node_conf *nc = &ac->conf->nodes[n];
	const struct app_node *an = &ac->node[n];
	const struct snapshot *s = &an->snap;
	bool sel = u->cl[ci].sel_node == n, stale = ui_node(u, ci, n)->stale;
	attr_t text = ui_attr(u, TP_TEXT), accent = node_attr(u, ci, n);
	int x = x0, xmax = x0 + w;
	char buf[96], age[24];

	x += draw_text(u, y, x, xmax - x, sel ? ui_attr(u, TP_SELECTION) : text, sel ? ">" : " ");
	x += 1;
	x += draw_text(u, y, x, xmax - x, accent, nc->name);
	x += draw_textf(u, y, x, xmax - x, text, "  %s  %s", node_role_name(nc->role), transport_name(nc->transport));
	if (s->reachable && s->hostname[0])
		x += draw_textf(u, y, x, xmax - x, ui_attr(u, TP_LABEL), "  %s", s->hostname);
	if (stale)
		x += 2 + draw_text(u, y, x + 2, xmax - x - 2, ui_attr(u, TP_STALE) | A_BOLD, "STALE");
	/* TLS verification off is never silent (as in batch output). */
	if (nc->transport == TRANSPORT_API && nc->api.insecure)
		draw_text(u, y, x + 2, xmax - x - 2, ui_attr(u, TP_WARNING) | A_BOLD, "INSECURE TLS");

	if (!s->reachable) {
		double age_s = ui_node(u, ci, n)->data_age;
		draw_textf(u, y + 1, x0 + 2, w - 2, ui_attr(u, TP_UNKNOWN), "UNKNOWN: %s",
			   an->have_snapshot && s->error[0] ? s->error : "waiting for the first answer");
		if (age_s >= 0) {
			fmt_duration(age, sizeof(age), age_s);
			draw_textf(u, y + 2, x0 + 2, w - 2, ui_attr(u, TP_LABEL), "last answer %s ago; roles not shown", age);
		} else {
			draw_text(u, y + 2, x0 + 2, w - 2, ui_attr(u, TP_LABEL), "no successful poll yet");
		}
		if (keys_ssh_hint(u, ci, n))
			draw_text(u, y + 3, x0 + 2, w - 2, ui_attr(u, TP_WARNING), keys_ssh_hint(u, ci, n));
		return;
	}
	fmt_duration(age, sizeof(age), ui_node(u, ci, n)->data_age);
	x = x0 + 2;
	x = field(u, y + 1, x, xmax, "version", text, s->version[0] ? s->version : "?");
	str_printf(buf, sizeof(buf), "%.0f ms", s->duration_ms);
	x = field(u, y + 1, x, xmax, "latency", text, buf);
	field(u, y + 1, x, xmax, "age", stale ? ui_attr(u, TP_STALE) : text, age);

	x = x0 + 2;
	x = field(u, y + 2, x, xmax, "reachable", ui_attr(u, TP_OK), "yes");
	if (s->carp.known) {
		x = field(u, y + 2, x, xmax, "CARP allowed", s->carp.allow ? ui_attr(u, TP_OK) : ui_attr(u, TP_WARNING),
			  s->carp.allow ? "yes" : "NO");
		x = x0 + 2;
		str_printf(buf, sizeof(buf), "%ld", s->carp.demotion);
		x = field(u, y + 3, x, xmax, "demotion", s->carp.demotion ? ui_attr(u, TP_WARNING) : text, buf);
		field(u, y + 3, x, xmax, "maintenance", s->carp.maintenance ? ui_attr(u, TP_WARNING) : text,
		      s->carp.maintenance ? "ON" : "OFF");
	} else {
		field(u, y + 2, x, xmax, "CARP", ui_attr(u, TP_UNKNOWN), "not known");
	}
}

/* One node's cell of a VHID row: status and (where there is room) advskew.
 * In a split brain both MASTER cells are the fault, in the alarm colour. */
static void side_cell(struct ui *u, size_t ci, int n, const struct vhid_row *r, int y, int x, int w, bool skew,
		      attr_t base)
{
	const struct snapshot *s = &u->a->clusters[ci].node[n].snap;
	const struct vhid_side *sd = &r->side[n];
	attr_t a;
	int end = x + w;
	if (!s->reachable) {
		draw_text(u, y, x, w, ui_attr(u, TP_UNKNOWN), "UNKNOWN");
		return;
	}
	if (!sd->present) {
		draw_text(u, y, x, w, ui_attr(u, TP_WARNING), "absent");
		return;
	}
	if (ui_node(u, ci, n)->stale)
		a = ui_attr(u, TP_STALE);
	else if (r->verdict == VV_SPLIT_BRAIN && sd->status == CARP_ST_MASTER)
		a = ui_attr(u, TP_CRITICAL) | A_BOLD | A_REVERSE;
	else
		a = ui_attr(u, status_part(sd->status));
	x += draw_text(u, y, x, end - x, a, carp_status_name(sd->status));
	if (ui_node(u, ci, n)->stale)
		x += draw_text(u, y, x, end - x, ui_attr(u, TP_STALE), "?");
	if (skew && sd->advskew >= 0)
		draw_textf(u, y, x, end - x, base, " %d", sd->advskew);
}

static enum theme_part verdict_part(enum vhid_verdict v)
{
	switch (v) {
	case VV_OK:
		return TP_OK;
	case VV_UNKNOWN:
		return TP_UNKNOWN;
	case VV_MISMATCH:
		return TP_WARNING;
	default:
		return TP_CRITICAL;
	}
}

/* The VHID table's columns for the width. When the terminal is narrow
 * they give way by priority, never overlapping: the addresses shrink
 * first, then the interface goes, the node cells lose their advskew
 * width, the verdict column goes (the cells keep its colours), and last
 * the advskew itself. */
struct vhid_cols {
	int vhid, iface, addr, side0, side1, verdict; /* x; -1: not shown */
	int addr_w, side_w;
	bool skew;
};

static void vhid_layout(int cols, struct vhid_cols *c)
{
	int iw = 12, sw = 15, vw = 14, amin = 16;
	bool skew = true;
	if (6 + iw + amin + 2 * sw + vw > cols)
		iw = 0;
	if (6 + iw + amin + 2 * sw + vw > cols)
		sw = 11;
	if (6 + iw + amin + 2 * sw + vw > cols)
		vw = 0;
	if (6 + iw + amin + 2 * sw + vw > cols) {
		sw = 8;
		skew = false;
	}
	c->vhid = 1;
	c->iface = iw ? 7 : -1;
	c->addr = 6 + iw;
	c->verdict = vw ? cols - vw + 1 : -1;
	c->side1 = cols - vw - sw;
	c->side0 = c->side1 - sw;
	c->addr_w = c->side0 - c->addr - 1;
	c->side_w = sw - 1;
	c->skew = skew;
}

/* Lines a VHID row takes: the row, and one per address only one node has. */
static int row_lines(const struct ui *u, size_t ci, const struct vhid_row *r, char (*only)[96], int max)
{
	int n = 0, k, a, side;
	for (side = 0; side < CLUSTER_NODES; side++) {
		const struct vhid_side *me = &r->side[side], *other = &r->side[1 - side];
		/* Unknown on the other node is not missing there. */
		if (!ui_node(u, ci, 1 - side)->up || !other->present)
			continue;
		for (a = 0; a < me->n_addrs && n < max; a++) {
			bool found = false;
			for (k = 0; k < other->n_addrs && !found; k++)
				found = str_eq(me->addrs[a], other->addrs[k]);
			if (!found)
				str_printf(only[n++], sizeof(only[0]), "%s|%s", ui_node(u, ci, side)->name, me->addrs[a]);
		}
	}
	return n;
}

static int vhid_table(struct ui *u, size_t ci, int y, int max_rows)
{
	struct ui_cluster *uc = &u->cl[ci];
	const struct pair_view *v = &uc->view;
	attr_t head = ui_attr(u, TP_LABEL) | A_BOLD, text = ui_attr(u, TP_TEXT);
	struct vhid_cols c;
	int first = 0, used = 0, y0 = y;
	size_t i;

	vhid_layout(u->cols, &c);
	draw_text(u, y, c.vhid, -1, head, "VHID");
	if (c.iface >= 0)
		draw_text(u, y, c.iface, -1, head, "INTERFACE");
	draw_text(u, y, c.addr, c.addr_w, head, "VIP ADDRESSES");
	draw_text(u, y, c.side0, c.side_w, node_attr(u, ci, 0) | A_BOLD, ui_node(u, ci, 0)->name);
	draw_text(u, y, c.side1, c.side_w, node_attr(u, ci, 1) | A_BOLD, ui_node(u, ci, 1)->name);
	if (c.verdict >= 0)
		draw_text(u, y, c.verdict, -1, head, "VERDICT");
	y++;
	if (!v->n_rows) {
		draw_text(u, y, 2, -1, ui_attr(u, TP_UNKNOWN),
			  v->snap[0]->reachable || v->snap[1]->reachable ? "no CARP VHIDs reported"
									 : "no VHIDs: neither node could be read");
		return 2;
	}
	if (max_rows < 1)
		max_rows = 1;
	if (uc->sel_row >= max_rows)
		first = uc->sel_row - max_rows + 1;
	for (i = (size_t)first; i < v->n_rows && used < max_rows; i++) {
		const struct vhid_row *r = &v->rows[i];
		bool sel = (int)i == uc->sel_row;
		char only[PAIR_MAX_ADDRS * 2][96];
		int n_only = row_lines(u, ci, r, only, (int)ARRAY_LEN(only)), k, x;
		struct strbuf sb;
		/* The selection marks the VHID only: the status colours of the
		 * row stay readable. */
		draw_text(u, y, 0, 1, text, sel ? ">" : " ");
		draw_textf(u, y, c.vhid, 5, sel ? ui_attr(u, TP_SELECTION) : text, "%4d", r->vhid);
		if (c.iface >= 0)
			draw_text(u, y, c.iface, c.addr - c.iface - 1, text, r->interface[0] ? r->interface : "?");
		/* The addresses both nodes carry on this row; each one that only
		 * one node has on a line of its own below, naming that node, in
		 * the alarm colour: the cause of a split brain stands out. */
		sb_init(&sb);
		for (k = 0; k < r->n_addrs; k++) {
			int o;
			bool one_sided = false;
			for (o = 0; o < n_only; o++)
				one_sided |= str_eq(strchr(only[o], '|') + 1, r->addrs[k]);
			if (!one_sided)
				sb_printf(&sb, "%s%s", sb.buf && sb.buf[0] ? ", " : "", r->addrs[k]);
		}
		draw_text(u, y, c.addr, c.addr_w, text, sb.buf && sb.buf[0] ? sb.buf : n_only ? "" : "-");
		sb_free(&sb);
		side_cell(u, ci, 0, r, y, c.side0, c.side_w, c.skew, text);
		side_cell(u, ci, 1, r, y, c.side1, c.side_w, c.skew, text);
		if (c.verdict >= 0)
			draw_text(u, y, c.verdict, -1, ui_attr(u, verdict_part(r->verdict)), vhid_verdict_name(r->verdict));
		ui_hit_mark(u, y, HIT_VHID, (int)i);
		y++;
		used++;
		for (k = 0; k < n_only && used < max_rows; k++, y++, used++) {
			char *bar = strchr(only[k], '|');
			ui_hit_mark(u, y, HIT_VHID, (int)i);
			*bar = '\0';
			x = c.addr;
			x += draw_textf(u, y, x, -1, ui_attr(u, TP_CRITICAL) | A_BOLD, "%s", bar + 1);
			draw_textf(u, y, x, -1, ui_attr(u, TP_CRITICAL), "  only on %s, missing on %s", only[k],
				   str_eq(only[k], ui_node(u, ci, 0)->name) ? ui_node(u, ci, 1)->name : ui_node(u, ci, 0)->name);
		}
	}
	if (i < v->n_rows) {
		draw_textf(u, y++, 2, -1, ui_attr(u, TP_LABEL), "... %zu more VHIDs (Down)", v->n_rows - i);
		used++;
	}
	return 1 + (y - y0 - 1);
}

static void creators(const struct snapshot *s, char *dst, size_t n)
{
	struct strbuf sb;
	int i;
	if (!s->reachable || !s->pfsync.known) {
		str_copy(dst, "?", n);
		return;
	}
	sb_init(&sb);
	for (i = 0; i < s->pfsync.n_creators; i++)
		sb_printf(&sb, "%s%s%s", i ? " " : "", s->pfsync.creators[i],
			  str_eq(s->pfsync.creators[i], s->pfsync.hostid) ? "(own)" : "");
	str_copy(dst, sb.buf ? sb.buf : "none", n);
	sb_free(&sb);
}

static int pfsync_block(struct ui *u, size_t ci, int y)
{
	const struct snapshot *s0 = &u->a->clusters[ci].node[0].snap, *s1 = &u->a->clusters[ci].node[1].snap;
	attr_t head = ui_attr(u, TP_LABEL) | A_BOLD, text = ui_attr(u, TP_TEXT);
	char a[32], b[32], c0[160], c1[160];
	int x;

	draw_text(u, y, 1, 7, head, "PFSYNC");
	x = 9;
	x += draw_text(u, y, x, -1, ui_attr(u, TP_LABEL), "states ");
	if (s0->reachable && s0->states.current >= 0)
		str_printf(a, sizeof(a), "%lld", s0->states.current);
	else
		str_copy(a, "?", sizeof(a));
	if (s1->reachable && s1->states.current >= 0)
		str_printf(b, sizeof(b), "%lld", s1->states.current);
	else
		str_copy(b, "?", sizeof(b));
	x += draw_text(u, y, x, -1, node_attr(u, ci, 0), ui_node(u, ci, 0)->name);
	x += draw_textf(u, y, x, -1, text, " %s  ", a);
	x += draw_text(u, y, x, -1, node_attr(u, ci, 1), ui_node(u, ci, 1)->name);
	x += draw_textf(u, y, x, -1, text, " %s  ", b);
	if (s0->reachable && s1->reachable && s0->states.current >= 0 && s1->states.current >= 0) {
		long long d = s0->states.current - s1->states.current, big = s0->states.current > s1->states.current
										? s0->states.current
										: s1->states.current;
		double pct = big > 0 ? 100.0 * (double)llabs(d) / (double)big : 0;
		bool off = pct > 100.0 * u->a->clusters[ci].conf->state_ratio;
		draw_textf(u, y, x, -1, off ? ui_attr(u, TP_WARNING) : text, "difference %lld (%.1f%%)", llabs(d), pct);
	} else {
		draw_text(u, y, x, -1, ui_attr(u, TP_UNKNOWN), "difference unknown");
	}

	creators(s0, c0, sizeof(c0));
	creators(s1, c1, sizeof(c1));
	x = 9;
	x += draw_text(u, y + 1, x, -1, ui_attr(u, TP_LABEL), "creator ids ");
	x += draw_text(u, y + 1, x, -1, node_attr(u, ci, 0), ui_node(u, ci, 0)->name);
	x += draw_textf(u, y + 1, x, -1, text, " %s  ", c0);
	x += draw_text(u, y + 1, x, -1, node_attr(u, ci, 1), ui_node(u, ci, 1)->name);
	draw_textf(u, y + 1, x, -1, text, " %s", c1);

	x = 9;
	x += draw_text(u, y + 2, x, -1, ui_attr(u, TP_LABEL), "sync devices ");
	x += draw_text(u, y + 2, x, -1, node_attr(u, ci, 0), ui_node(u, ci, 0)->name);
	x += draw_textf(u, y + 2, x, -1, text, " %s%s%s  ",
			s0->reachable && s0->pfsync.known ? (s0->pfsync.syncdev[0] ? s0->pfsync.syncdev : "none") : "?",
			s0->pfsync.syncpeer[0] ? " peer " : "", s0->pfsync.syncpeer);
	x += draw_text(u, y + 2, x, -1, node_attr(u, ci, 1), ui_node(u, ci, 1)->name);
	draw_textf(u, y + 2, x, -1, text, " %s%s%s",
		   s1->reachable && s1->pfsync.known ? (s1->pfsync.syncdev[0] ? s1->pfsync.syncdev : "none") : "?",
		   s1->pfsync.syncpeer[0] ? " peer " : "", s1->pfsync.syncpeer);
	return 3;
}

/* The findings list: worst first, each wrapped over as many lines as its
 * text needs (never cut); with f the selected one is marked and Enter opens
 * it (filter.c); the filter keeps the matching ones. */
static void findings(struct ui *u, size_t ci, int y, int bottom)
{
	const struct pair_view *v = &u->cl[ci].view;
	size_t idx[256], n = findings_shown(u, ci, idx, ARRAY_LEN(idx)), i, first = 0;
	int sel = u->cl[ci].sel_finding, w = u->cols - 13;
	char lines[8][256];
	if (y >= bottom)
		return;
	if (u->filter[0])
		draw_textf(u, y++, 1, -1, ui_attr(u, TP_LABEL) | A_BOLD, "FINDINGS (%zu of %zu match \"%s\")", n,
			   v->n_findings, u->filter);
	else
		draw_textf(u, y++, 1, -1, ui_attr(u, TP_LABEL) | A_BOLD, "FINDINGS (%zu)%s", v->n_findings,
			   u->focus_findings ? "  Up/Down select, Enter opens, Esc back"
			   : v->n_findings ? "  f: select and open" : "");
	if (!v->n_findings && y < bottom) {
		draw_text(u, y, 2, -1, ui_attr(u, TP_OK), "none: both nodes answer and agree");
		return;
	}
	/* Keep the selected finding on the screen. */
	if (u->focus_findings)
		for (i = 0; i < n; i++)
			if ((int)idx[i] == sel && i >= (size_t)(bottom - y))
				first = i - (size_t)(bottom - y) + 1;
	for (i = first; i < n && y < bottom; i++) {
		const struct finding *f = &v->findings[idx[i]];
		bool marked = u->focus_findings && (int)idx[i] == sel;
		int k, nl = wrap_text(f->message, w, lines, (int)ARRAY_LEN(lines));
		if (y + nl > bottom && y == bottom - 1 && i + 1 < n) {
			draw_textf(u, y, 2, -1, ui_attr(u, TP_LABEL), "... %zu more", n - i);
			return;
		}
		draw_text(u, y, 0, 2, marked ? ui_attr(u, TP_SELECTION) : ui_attr(u, TP_TEXT), marked ? ">" : " ");
		draw_text(u, y, 2, 9, ui_attr(u, severity_part(f->severity)),
			  f->severity == SEV_INFO ? "INFO" : severity_upper(f->severity));
		for (k = 0; k < nl && y < bottom; k++, y++) {
			ui_hit_mark(u, y, HIT_FINDING, (int)idx[i]);
			draw_text(u, y, 12, -1, marked ? ui_attr(u, TP_TEXT) | A_BOLD : ui_attr(u, TP_TEXT), lines[k]);
		}
	}
	if (i < n && y == bottom)
		draw_textf(u, bottom - 1, u->cols - 14, 14, ui_attr(u, TP_LABEL), " ... %zu more", n - i);
}

static void pair_draw(struct ui *u, int top, int bottom)
{
	size_t ci = u->cur;
	int y = top, half = u->cols / 2, vhid_rows, used, k;
	const struct pair_view *v;

	if (!u->a->n_clusters)
		return;
	v = &u->cl[ci].view;
	draw_text(u, y, 1, -1, ui_accent(u, u->a->clusters[ci].conf->accent, NULL), u->a->clusters[ci].conf->name);
	draw_textf(u, y, 2 + (int)strlen(u->a->clusters[ci].conf->name), 12,
		   ui_attr(u, severity_part(v->verdict)) | A_REVERSE, " %s ", severity_upper(v->verdict));
	y++;
	node_header(u, ci, 0, y, 0, half - 1);
	node_header(u, ci, 1, y, half, u->cols - half);
	for (k = 0; k < 4; k++)
		ui_hit_mark(u, y + k, HIT_NODES, 0);
	y += 4;
	draw_hline(u, y++, 0, u->cols, ui_attr(u, TP_BORDER));
	/* Leave pfsync (4 rows) and at least 3 findings rows. */
	vhid_rows = bottom - y - 1 - 4 - 3;
	used = vhid_table(u, ci, y, vhid_rows);
	y += used;
	draw_hline(u, y++, 0, u->cols, ui_attr(u, TP_BORDER));
	if (y + 3 <= bottom) {
		y += pfsync_block(u, ci, y);
		draw_hline(u, y++, 0, u->cols, ui_attr(u, TP_BORDER));
	}
	findings(u, ci, y, bottom);
	if (u->finding_open)
		draw_finding_detail(u);
}

unsigned pair_move_finding(struct ui *u, int delta)
{
	struct ui_cluster *c = &u->cl[u->cur];
	size_t idx[256], n = findings_shown(u, u->cur, idx, ARRAY_LEN(idx)), i;
	int pos;
	if (!n)
		return R_NONE;
	for (i = 0; i < n && (int)idx[i] != c->sel_finding; i++)
		;
	pos = i == n ? 0 : ui_clamp((int)i + delta, 0, (int)n - 1);
	c->sel_finding = (int)idx[pos];
	return R_REDRAW;
}

/* Up/Down: the VHID rows, or the findings while they have the focus (f). */
static unsigned pair_move(struct ui *u, int delta, bool paging)
{
	struct ui_cluster *c;
	if (!u->a->n_clusters)
		return R_NONE;
	c = &u->cl[u->cur];
	if (u->focus_findings)
		return pair_move_finding(u, delta);
	if (!c->view.n_rows)
		return R_NONE;
	c->sel_row = ui_clamp(c->sel_row + delta, 0, (int)c->view.n_rows - 1);
	return R_REDRAW;
}

/* Enter: the selected finding's detail while the findings have the focus,
 * else the selected node's detail. */
static unsigned pair_open(struct ui *u, enum ui_screen *go, enum ui_cmd *then)
{
	size_t idx[1];
	if (!u->focus_findings) {
		*go = SCR_NODE;
		return R_NONE;
	}
	if (!findings_shown(u, u->cur, idx, 1))
		return R_NONE;
	pair_move_finding(u, 0); /* a selection the filter hides moves to a shown one */
	u->finding_open = true;
	return R_REDRAW;
}

/* Esc first gives the focus back from the findings to the VHIDs. */
static unsigned pair_back(struct ui *u)
{
	if (!u->focus_findings)
		return R_NONE;
	u->focus_findings = false;
	return R_REDRAW;
}

/* A click on a node panel selects that node (the target of m, d and e);
 * on a VHID row, that row, and the node whose column was clicked; on a
 * finding, that finding (the findings get the focus). */
static unsigned pair_click(struct ui *u, int y, int x)
{
	struct ui_hit h = ui_hit_at(u, y);
	struct ui_cluster *c;
	struct vhid_cols vc;
	if (!u->a->n_clusters)
		return R_NONE;
	c = &u->cl[u->cur];
	switch (h.kind) {
	case HIT_NODES:
		c->sel_node = x >= u->cols / 2;
		return R_REDRAW;
	case HIT_VHID:
		vhid_layout(u->cols, &vc);
		c->sel_row = h.index;
		u->focus_findings = false;
		if (x >= vc.side0 && x < vc.side1)
			c->sel_node = 0;
		else if (x >= vc.side1 && x < vc.side1 + vc.side_w + 1)
			c->sel_node = 1;
		return R_REDRAW;
	case HIT_FINDING:
		c->sel_finding = h.index;
		u->focus_findings = true;
		return R_REDRAW;
	default:
		return R_NONE;
	}
}

const struct screen_class pair_screen = {
	.title = "Pair",
	.keys = KS_PAIR,
	.filtered = true,
	.parent = SCR_OVERVIEW,
	.draw = pair_draw,
	.move_by = pair_move,
	.open = pair_open,
	.back = pair_back,
	.click = pair_click,
};
