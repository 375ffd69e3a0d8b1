/* Overview: one line per configured cluster: name, verdict, which node is
 * MASTER per VHID, pf state counts, drift (differences found), data age and
 * alarms. */
#include "ui_int.h"

#include <string.h>

#include "textfit.h"
#include "util.h"

/* Column x positions for the current width. */
struct cols {
	int name, verdict, masters, states, drift, age, alarms;
};

static void layout(struct ui *u, struct cols *c)
{
	int namew = ui_name_width(u);
	c->name = 1;
	c->verdict = c->name + namew + 2;
	c->masters = c->verdict + 10;
	c->states = c->masters + 18;
	c->drift = c->states + 15;
	c->age = c->drift + 6;
	c->alarms = c->age + 10;
}

static void draw_masters(struct ui *u, int y, int x, int w, size_t ci, attr_t base)
{
	const struct pair_view *v = &u->cl[ci].view;
	size_t i;
	int used = 0;
	if (!v->n_rows) {
		draw_text(u, y, x, w, base | ui_attr(u, TP_UNKNOWN), "?");
		return;
	}
	for (i = 0; i < v->n_rows && used < w; i++) {
		const struct vhid_row *r = &v->rows[i];
		char cell[96];
		enum theme_part p;
		switch (r->verdict) {
		case VV_SPLIT_BRAIN:
			str_printf(cell, sizeof(cell), "%d:BOTH", r->vhid);
			p = TP_CRITICAL;
			break;
		case VV_UNKNOWN:
			str_printf(cell, sizeof(cell), "%d:?", r->vhid);
			p = TP_UNKNOWN;
			break;
		default:
			if (r->master >= 0) {
				str_printf(cell, sizeof(cell), "%d:%s", r->vhid, ui_node(u, ci, r->master)->name);
				/* One node down: the MASTER that answers, critical (no standby). */
				p = r->verdict == VV_OK ? TP_MASTER : r->verdict == VV_NO_REDUNDANCY ? TP_CRITICAL : TP_WARNING;
			} else {
				str_printf(cell, sizeof(cell), "%d:none", r->vhid);
				p = TP_CRITICAL;
			}
			break;
		}
		used += draw_text(u, y, x + used, w - used, ui_attr(u, p), cell);
		used += draw_text(u, y, x + used, w - used, base, " ");
	}
}

static void draw_states(struct ui *u, int y, int x, int w, size_t ci, attr_t base)
{
	const struct app_cluster *c = &u->a->clusters[ci];
	char a[24], b[24];
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct snapshot *s = &c->node[n].snap;
		char *dst = n ? b : a;
		if (!s->reachable || s->states.current < 0)
			str_copy(dst, "?", sizeof(a));
		else
			str_printf(dst, sizeof(a), "%lld", s->states.current);
	}
	draw_textf(u, y, x, w, base, "%s / %s", a, b);
}

static void draw_age(struct ui *u, int y, int x, int w, size_t ci, attr_t base)
{
	double oldest = -1;
	bool stale = false, unknown = false;
	char age[24];
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		double a = ui_node(u, ci, n)->data_age;
		if (a > oldest)
			oldest = a;
		stale |= ui_node(u, ci, n)->stale;
		unknown |= !ui_node(u, ci, n)->up;
	}
	if (oldest < 0) {
		draw_text(u, y, x, w, ui_attr(u, TP_UNKNOWN), "no data");
		return;
	}
	fmt_duration(age, sizeof(age), oldest);
	if (stale)
		draw_textf(u, y, x, w, ui_attr(u, TP_STALE), "STALE %s", age);
	else
		draw_text(u, y, x, w, unknown ? ui_attr(u, TP_UNKNOWN) : base, age);
}

/* One cluster's row. */
static void draw_row(struct ui *u, const struct cols *c, int y, size_t i)
{
	const struct app_cluster *ac = &u->a->clusters[i];
	const struct pair_view *v = &u->cl[i].view;
	bool sel = i == u->cur;
	attr_t base = ui_attr(u, TP_TEXT);
	size_t k;
	const struct finding *first = NULL;

	/* The selection marks the name: the row's colours stay readable. */
	draw_text(u, y, 0, 1, base, sel ? ">" : " ");
	draw_text(u, y, c->name, c->verdict - c->name - 1,
		  sel ? ui_attr(u, TP_SELECTION) : ui_accent(u, ac->conf->accent, NULL), ac->conf->name);
	draw_text(u, y, c->verdict, 9, ui_attr(u, severity_part(v->verdict)), severity_upper(v->verdict));
	draw_masters(u, y, c->masters, c->states - c->masters - 1, i, base);
	draw_states(u, y, c->states, c->drift - c->states - 1, i, base);
	/* Differences in the synced sections; "-" while not both configs were read. */
	if (v->drift_known) {
		char num[16];
		snprintf(num, sizeof(num), "%zu", v->n_drift);
		draw_text(u, y, c->drift, 5, v->n_drift ? ui_attr(u, TP_WARNING) : base, num);
	} else {
		draw_text(u, y, c->drift, 5, base, "-");
	}
	draw_age(u, y, c->age, c->alarms - c->age - 1, i, base);
	for (k = 0; k < v->n_findings && !first; k++)
		if (v->findings[k].severity >= SEV_WARNING)
			first = &v->findings[k];
	if (first)
		draw_textf(u, y, c->alarms, -1, ui_attr(u, severity_part(first->severity)), "%d: %s", u->cl[i].alarms,
			   first->message);
	else
		draw_text(u, y, c->alarms, -1, base, "-");
}

/* With more clusters than rows the overview turns whole pages: the page
 * holding the selection is shown (PgUp/PgDn turn it, Home/End go to the
 * first and the last), and the summary line says which page of how many.
 * Only the rows of that page are drawn: the order and the counts are made
 * when the data changes (filter.c, state.c), not here. */
static void overview_draw(struct ui *u, int top, int bottom)
{
	struct cols c;
	attr_t head = ui_attr(u, TP_LABEL) | A_BOLD;
	size_t pos, n_shown, sel_pos, first;
	const size_t *order;
	int y = top + 1, visible, pages = 1;
	attr_t sorted = head | A_UNDERLINE;
	char summary[160], shown[96] = "", pagetxt[48] = "";

	layout(u, &c);
	/* The sort column is underlined (F6 or > picks the next). */
	draw_text(u, top, c.name, -1, u->sort == SORT_NAME ? sorted : head, "CLUSTER");
	draw_text(u, top, c.verdict, -1, u->sort == SORT_VERDICT ? sorted : head, "VERDICT");
	draw_text(u, top, c.masters, -1, head, "MASTER PER VHID");
	draw_text(u, top, c.states, -1, head, "STATES pri/sec");
	draw_text(u, top, c.drift, -1, head, "DRIFT");
	draw_text(u, top, c.age, -1, u->sort == SORT_AGE ? sorted : head, "AGE");
	draw_text(u, top, c.alarms, -1, u->sort == SORT_ALARMS ? sorted : head, "ALARMS");

	if (!u->a->n_clusters) {
		draw_text(u, y, 1, -1, ui_attr(u, TP_UNKNOWN), "No cluster configured.");
		return;
	}
	order = ui_rows(u, &n_shown);
	if (!n_shown)
		draw_textf(u, y, 1, -1, ui_attr(u, TP_LABEL), "No cluster matches \"%s\" (Esc clears the filter).", u->filter);
	sel_pos = ui_row_of(u, u->cur);
	if (sel_pos == n_shown)
		sel_pos = 0;
	visible = bottom - y - 2;
	if (visible < 1)
		visible = 1;
	u->page_rows = visible;
	first = sel_pos / (size_t)visible * (size_t)visible;
	if (n_shown > (size_t)visible)
		pages = (int)((n_shown + (size_t)visible - 1) / (size_t)visible);
	for (pos = first; pos < n_shown && y < top + 1 + visible; pos++, y++) {
		ui_hit_mark(u, y, HIT_CLUSTER, (int)order[pos]);
		draw_row(u, &c, y, order[pos]);
	}
	if (y >= bottom - 1)
		return;
	ui_fleet_summary(u, summary, sizeof(summary));
	if (pages > 1)
		str_printf(pagetxt, sizeof(pagetxt), "  page %zu/%d (PgDn)", first / (size_t)visible + 1, pages);
	if (u->filter[0])
		str_printf(shown, sizeof(shown), "  %zu shown (filter \"%s\", Esc clears).", n_shown, u->filter);
	draw_textf(u, bottom - 1, 1, -1, ui_attr(u, TP_LABEL), "%s.%s%s  Sorted by %s (F6).  Enter: pair view", summary,
		   pagetxt, shown, sort_name(u->sort));
}

/* Up/Down move the selection along the shown order; a page is a whole
 * page of rows (the "page 3/42" above counts them). */
static unsigned overview_move(struct ui *u, int delta, bool paging)
{
	return u->a->n_clusters ? ui_move_cluster(u, delta, false) : R_NONE;
}

static int overview_page(const struct ui *u)
{
	return u->page_rows > 0 ? u->page_rows : 1;
}

static unsigned overview_open(struct ui *u, enum ui_screen *go, enum ui_cmd *then)
{
	*go = SCR_PAIR;
	return R_NONE;
}

/* A click on a row selects its cluster. */
static unsigned overview_click(struct ui *u, int y, int x)
{
	struct ui_hit h = ui_hit_at(u, y);
	if (h.kind != HIT_CLUSTER || (size_t)h.index >= u->a->n_clusters)
		return R_NONE;
	u->cur = (size_t)h.index;
	u->picked = true;
	return R_REDRAW;
}

const struct screen_class overview_screen = {
	.title = "Overview",
	.keys = KS_OVERVIEW,
	.fleet = true,
	.filtered = true,
	.parent = SCR_OVERVIEW,
	.draw = overview_draw,
	.move_by = overview_move,
	.page = overview_page,
	.open = overview_open,
	.click = overview_click,
};
