/* Filter and sort, as htop and k9s users expect: `/` types a substring
 * that narrows the overview's clusters, the pair view's findings and the
 * event log (Esc clears it); F6 or `>` turns the overview's sort column,
 * worst verdict first at start. Also the finding detail that Enter opens on
 * the pair view's findings list (f). */
#include "ui_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_checks.h"
#include "util.h"

const char *sort_name(int sort)
{
	static const char *const names[SORT__COUNT] = {
		[SORT_VERDICT] = "verdict", [SORT_NAME] = "name", [SORT_ALARMS] = "alarms", [SORT_AGE] = "age",
		[SORT_CONFIG] = "config order",
	};
	return sort >= 0 && sort < SORT__COUNT ? names[sort] : "?";
}

bool filter_text(const struct ui *u, const char *s)
{
	return !u->filter[0] || (s && strcasestr(s, u->filter));
}

bool filter_cluster(const struct ui *u, size_t c)
{
	const struct app_cluster *ac = &u->a->clusters[c];
	const struct pair_view *v = &u->cl[c].view;
	char vh[32];
	size_t i;
	int n;

	if (!u->filter[0])
		return true;
	if (filter_text(u, ac->conf->name))
		return true;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (filter_text(u, ac->conf->nodes[n].name))
			return true;
	if (!u->cl[c].have_view)
		return false;
	if (filter_text(u, severity_upper(v->verdict)))
		return true;
	for (i = 0; i < v->n_rows; i++) {
		str_printf(vh, sizeof(vh), "VHID %d", v->rows[i].vhid);
		/* "3" and "VHID 3" both find VHID 3 (and not VHID 13 by "VHID 1"). */
		if (str_eq(u->filter, vh + 5) || strcasecmp(u->filter, vh) == 0)
			return true;
	}
	for (i = 0; i < v->n_findings; i++)
		if (filter_text(u, v->findings[i].message) || filter_text(u, v->findings[i].id))
			return true;
	return false;
}

/* qsort has no context argument: the ui being sorted for. */
static const struct ui *sort_ui;

static int cmp_clusters(const void *pa, const void *pb)
{
	const struct ui *u = sort_ui;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct pair_view *va = &u->cl[a].view, *vb = &u->cl[b].view;
	int d = 0;
	switch (u->sort) {
	case SORT_VERDICT:
		d = (int)vb->verdict - (int)va->verdict; /* worst first */
		if (!d)
			d = u->cl[b].alarms - u->cl[a].alarms;
		break;
	case SORT_NAME:
		d = strcmp(u->a->clusters[a].conf->name, u->a->clusters[b].conf->name);
		break;
	case SORT_ALARMS:
		d = u->cl[b].alarms - u->cl[a].alarms;
		break;
	case SORT_AGE: {
		double ta = cluster_updated(u, a), tb = cluster_updated(u, b);
		d = ta < tb ? -1 : ta > tb; /* oldest data first */
		break;
	}
	default:
		break;
	}
	/* Ties keep the config order: the rows do not jump between polls. */
	return d ? d : (a > b) - (a < b);
}

/* The rows are made again only when what they depend on changed: the
 * views (a generation ui.c bumps when it rebuilds one), the filter or the
 * sort. A key that only moves the selection reuses them. */
const size_t *ui_rows(struct ui *u, size_t *n)
{
	struct ui_rows *r = &u->rows_cache;
	size_t i;
	if (r->made && r->gen == u->view_gen && r->sort == u->sort && str_eq(r->filter, u->filter)) {
		*n = r->n;
		return r->order;
	}
	if (!r->order)
		r->order = xcalloc(u->a->n_clusters ? u->a->n_clusters : 1, sizeof(*r->order));
	r->n = 0;
	for (i = 0; i < u->a->n_clusters; i++)
		if (filter_cluster(u, i))
			r->order[r->n++] = i;
	sort_ui = u;
	qsort(r->order, r->n, sizeof(*r->order), cmp_clusters);
	sort_ui = NULL;
	r->gen = u->view_gen;
	r->sort = u->sort;
	str_copy(r->filter, u->filter, sizeof(r->filter));
	r->made = true;
	*n = r->n;
	return r->order;
}

size_t ui_row_of(struct ui *u, size_t c)
{
	size_t n, i;
	const size_t *order = ui_rows(u, &n);
	for (i = 0; i < n && order[i] != c; i++)
		;
	return i;
}

unsigned ui_move_cluster(struct ui *u, int delta, bool wrap)
{
	size_t n, i;
	const size_t *order = ui_rows(u, &n);
	int pos;
	if (!n)
		return R_NONE;
	i = ui_row_of(u, u->cur);
	pos = i == n ? 0 : (int)i;
	if (wrap)
		pos = (int)(((size_t)pos + n + (size_t)(delta % (int)n)) % n);
	else
		pos = ui_clamp(pos + delta, 0, (int)n - 1);
	u->cur = order[pos];
	u->picked = true;
	return R_REDRAW;
}

void ui_rows_free(struct ui *u)
{
	free(u->rows_cache.order);
	memset(&u->rows_cache, 0, sizeof(u->rows_cache));
}

void filter_fix_selection(struct ui *u)
{
	size_t n;
	const size_t *order;
	if (!u->a->n_clusters)
		return;
	order = ui_rows(u, &n);
	if (n && ui_row_of(u, u->cur) == n)
		u->cur = order[0];
}

size_t findings_shown(const struct ui *u, size_t c, size_t *idx, size_t max)
{
	const struct pair_view *v = &u->cl[c].view;
	size_t i, n = 0;
	for (i = 0; i < v->n_findings && n < max; i++)
		if (filter_text(u, v->findings[i].message) || filter_text(u, v->findings[i].id))
			idx[n++] = i;
	return n;
}

void filter_prompt(const struct ui *u, char *dst, size_t n)
{
	str_printf(dst, n, "Filter (cluster, node, VHID, text; Enter keeps it, Esc clears it): %s_", u->filter);
}

unsigned filter_key(struct ui *u, int key)
{
	size_t len = strlen(u->filter);
	switch (key) {
	case KEYC_ESC:
		u->filter[0] = '\0';
		u->filter_edit = false;
		ui_status(u, TP_STATUS, 3, "filter cleared");
		return R_REDRAW;
	case KEYC_ENTER:
		u->filter_edit = false;
		if (u->filter[0])
			ui_status(u, TP_STATUS, 5, "filter \"%s\" (/ changes it, Esc clears it)", u->filter);
		return R_REDRAW;
	case KEYC_BACKSPACE:
		while (len > 0 && ((unsigned char)u->filter[--len] & 0xc0) == 0x80)
			;
		u->filter[len] = '\0';
		break;
	default:
		/* Printable ASCII: names, addresses and messages are ASCII. */
		if (key < ' ' || key > '~')
			return R_NONE;
		if (len + 1 < sizeof(u->filter)) {
			u->filter[len] = (char)key;
			u->filter[len + 1] = '\0';
		}
		break;
	}
	/* Filter as it is typed. */
	filter_fix_selection(u);
	u->scroll = 0;
	u->cl[u->cur].sel_finding = 0;
	return R_REDRAW;
}

/* ---- the finding detail --------------------------------------------------- */

static int detail_block(struct ui *u, int y, int bottom, int w, const char *label, attr_t a, const char *text)
{
	char lines[12][256];
	int n, i;
	if (!text || !*text || y >= bottom)
		return y;
	draw_text(u, y, 2, 10, ui_attr(u, TP_LABEL) | A_BOLD, label);
	n = wrap_text(text, w - 15, lines, (int)ARRAY_LEN(lines));
	for (i = 0; i < n && y < bottom; i++, y++)
		draw_text(u, y, 13, w - 15, a, lines[i]);
	return y;
}

void draw_finding_detail(struct ui *u)
{
	const struct pair_view *v;
	const struct finding *f;
	const struct check *chk;
	int top = 1, bottom = u->rows - 2, w = u->cols, y, n;
	char buf[256];
	struct strbuf sb;

	if (!u->a->n_clusters)
		return;
	v = &u->cl[u->cur].view;
	if (u->cl[u->cur].sel_finding < 0 || (size_t)u->cl[u->cur].sel_finding >= v->n_findings) {
		u->finding_open = false;
		return;
	}
	f = &v->findings[u->cl[u->cur].sel_finding];
	chk = check_find(f->id);
	if (bottom - top < 6 || w < 30)
		return;
	for (y = top; y < bottom; y++)
		draw_fill(u, y, 0, w, ui_attr(u, TP_TEXT));
	draw_box(u, top, 0, bottom - top, w, ui_attr(u, TP_BORDER));
	draw_textf(u, top, 2, w - 4, ui_attr(u, TP_HEADER), " finding of cluster %s ", u->a->clusters[u->cur].conf->name);
	y = top + 1;
	draw_text(u, y, 2, 10, ui_attr(u, severity_part(f->severity)) | A_REVERSE,
		  f->severity == SEV_INFO ? "INFO" : severity_upper(f->severity));
	y = detail_block(u, y, bottom - 1, w, "", ui_attr(u, TP_TEXT) | A_BOLD, f->message);
	y = detail_block(u, y, bottom - 1, w, "id", ui_attr(u, TP_TEXT), f->id);
	if (chk)
		y = detail_block(u, y, bottom - 1, w, "check", ui_attr(u, TP_TEXT), chk->title);
	y = detail_block(u, y, bottom - 1, w, "why", ui_attr(u, TP_TEXT), chk ? chk->reason : NULL);
	y = detail_block(u, y, bottom - 1, w, "hint", ui_attr(u, TP_OK) | A_BOLD, f->hint ? f->hint : chk ? chk->hint : NULL);
	sb_init(&sb);
	if (f->node >= 0) {
		sb_printf(&sb, "%s (%s)", ui_node(u, u->cur, f->node)->name,
			  node_role_name(u->a->clusters[u->cur].conf->nodes[f->node].role));
	} else {
		for (n = 0; n < CLUSTER_NODES; n++)
			sb_printf(&sb, "%s%s", n ? ", " : "", ui_node(u, u->cur, n)->name);
		sb_printf(&sb, " (the pair)");
	}
	y = detail_block(u, y, bottom - 1, w, "nodes", ui_attr(u, TP_TEXT), sb.buf);
	sb_free(&sb);
	if (f->vhid > 0) {
		const struct vhid_row *r = pair_find_vhid(v, f->vhid);
		str_printf(buf, sizeof(buf), "VHID %d%s%s", f->vhid, r && r->interface[0] ? " on " : "",
			   r ? r->interface : "");
	} else {
		str_copy(buf, "none in particular", sizeof(buf));
	}
	y = detail_block(u, y, bottom - 1, w, "VHIDs", ui_attr(u, TP_TEXT), buf);
	if (chk)
		y = detail_block(u, y, bottom - 1, w, "read", ui_attr(u, TP_LABEL), chk->doc);
	draw_text(u, bottom - 2, 2, w - 4, ui_attr(u, TP_LABEL), "Up/Down: other findings  Esc or Enter: close");
}
