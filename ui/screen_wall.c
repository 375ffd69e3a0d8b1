/* The wall display (--wall): read across a room. A banner nobody can miss
 * on any non-OK verdict, one tile per cluster with the verdict in block
 * letters, who is MASTER per VHID, and the time of the last update. No
 * function bar, no help clutter. Worst first; a fleet too big for tiles
 * shows its broken pairs first and the healthy ones as a strip of names
 * ("+480 OK" where they do not fit); the pages turn through the rest. */
#include "ui_int.h"

#include <string.h>

#include "build_config.h"
#include "util.h"

#define TILE_MIN_W 38
#define TILE_MIN_H 8

/* A planned failover: the only alarm of the cluster is persistent
 * maintenance; returns the node in maintenance, or -1. */
static int planned_maintenance(const struct pair_view *v)
{
	size_t i;
	int node = -1;
	for (i = 0; i < v->n_findings; i++) {
		const struct finding *f = &v->findings[i];
		if (str_eq(f->id, "maintenance-active"))
			node = f->node;
		else if (f->severity >= SEV_WARNING && !str_eq(f->id, "failed-over"))
			return -1;
	}
	return node;
}

/* Returns the rows the banner took. */
static int banner(struct ui *u)
{
	size_t c = 0;
	const struct finding *f = NULL;
	int more = 0, rows, y;
	char text[512];
	attr_t a;

	if (!ui_worst(u, &c, &f, &more)) {
		int ok = 0;
		size_t i;
		for (i = 0; i < u->a->n_clusters; i++)
			ok += u->cl[i].view.verdict <= SEV_INFO;
		draw_fill(u, 0, 0, u->cols, ui_attr(u, TP_HEADER));
		if (!u->a->n_clusters)
			draw_centred(u, 0, 0, u->cols, ui_attr(u, TP_HEADER), "carptop: no cluster configured");
		else
			draw_centred(u, 0, 0, u->cols, ui_attr(u, TP_HEADER) | A_BOLD,
				     ok == (int)u->a->n_clusters ? "all clusters OK" : "carptop wall display");
		return 1;
	}
	/* Three rows high where there is room: a band, not a line. */
	rows = u->rows >= 40 ? 3 : 1;
	a = ui_attr_on(u, TP_BANNER, severity_part(f->severity), THEME_BOLD) | A_BOLD;
	for (y = 0; y < rows; y++)
		draw_fill(u, y, 0, u->cols, a);
	if (f->severity == SEV_WARNING && planned_maintenance(&u->cl[c].view) >= 0) {
		/* A planned failover is not an ordinary warning: say what it is. */
		int m = planned_maintenance(&u->cl[c].view);
		str_printf(text, sizeof(text), "MAINT: %s: %s in maintenance (planned failover), %s serving%s",
			   u->a->clusters[c].conf->name, ui_node(u, c, m)->name, ui_node(u, c, 1 - m)->name,
			   more > 1 ? "  (+ more)" : "");
	} else {
		str_printf(text, sizeof(text), "%s: %s: %s%s", severity_upper(f->severity), u->a->clusters[c].conf->name,
			   f->message, more ? "  (+ more)" : "");
	}
	draw_centred(u, rows / 2, 0, u->cols, a, text);
	return rows;
}

static const char *status_word(const struct snapshot *s, const struct vhid_side *sd)
{
	if (!s->reachable)
		return "UNKNOWN";
	if (!sd->present)
		return "absent";
	return carp_status_name(sd->status);
}

/* The verdict in block letters, short enough to be big: OK, WARN, CRIT,
 * UNKN, and MAINT for a planned failover. */
static const char *tile_word(const struct pair_view *v)
{
	if (v->verdict == SEV_WARNING && planned_maintenance(v) >= 0)
		return "MAINT";
	switch (v->verdict) {
	case SEV_CRITICAL:
		return "CRIT";
	case SEV_UNKNOWN:
		return "UNKN";
	case SEV_WARNING:
		return "WARN";
	default:
		return "OK";
	}
}

/* Rows a tile needs under its verdict: one per VHID, unreachable or stale
 * nodes, the findings at warning or worse, the maintenance line. */
static int tile_need(const struct ui *u, size_t ci)
{
	const struct pair_view *v = &u->cl[ci].view;
	size_t i;
	int n, need = (int)v->n_rows;
	for (n = 0; n < CLUSTER_NODES; n++)
		need += !ui_node(u, ci, n)->up || ui_node(u, ci, n)->stale;
	for (i = 0; i < v->n_findings; i++)
		need += v->findings[i].severity >= SEV_WARNING;
	return need + (planned_maintenance(v) >= 0);
}

/* The largest letter height (rows per pixel) that fits word in a tile of
 * h x w with `need` rows below it; 0: none does. Terminal cells are about
 * twice as high as wide: a square pixel is 2*sy columns by sy rows; take
 * the tallest letters that fit at no narrower than 1.5*sy columns a pixel. */
static int letter_height(const char *word, int h, int w, int need)
{
	int rows = h - 2, inner_w = w - 4, sy;
	for (sy = 6; sy > 1; sy--)
		if (5 * sy + 1 + need <= rows && big_width(word, (3 * sy + 1) / 2) <= inner_w)
			break;
	if (5 * sy + 1 + (need < 1 ? 1 : need) > rows || big_width(word, 1) > inner_w)
		sy = 0;
	return sy;
}

/* max_sy: the letter height every tile of the page can have: a healthy
 * tile's letters are never bigger than a broken one's (the eye goes to the
 * broken pair); broken tiles may take bigger ones where they fit. */
static void tile(struct ui *u, size_t ci, int y0, int x0, int h, int w, int max_sy)
{
	const struct app_cluster *ac = &u->a->clusters[ci];
	const struct pair_view *v = &u->cl[ci].view;
	const char *word = tile_word(v);
	attr_t sev = ui_attr(u, severity_part(v->verdict)), text = ui_attr(u, TP_TEXT);
	int inner_w = w - 4, y = y0 + 1, bottom = y0 + h - 1, need = tile_need(u, ci), sy, sx, n;
	int maint = planned_maintenance(v);
	size_t i;

	draw_box(u, y0, x0, h, w, v->verdict > SEV_INFO ? sev : ui_attr(u, TP_BORDER));
	draw_textf(u, y0, x0 + 2, w - 4, ui_accent(u, ac->conf->accent, NULL), " %s ", ac->conf->name);

	sy = letter_height(word, h, w, need);
	if (v->verdict <= SEV_INFO && sy > max_sy)
		sy = max_sy;
	if (sy >= 1) {
		int spare;
		for (sx = 2 * sy; sx > 1 && big_width(word, sx) > inner_w; sx--)
			;
		/* Centre the whole block vertically in the tile. */
		spare = bottom - y - (5 * sy + 1 + need);
		if (spare > 1)
			y += spare / 2;
		draw_big(u, y, x0 + 2 + (inner_w - big_width(word, sx)) / 2, sx, sy, sev, word);
		y += 5 * sy + 1;
	} else {
		/* No room for block letters: a reverse band, the word in full. */
		draw_fill(u, y, x0 + 1, w - 2, sev | A_REVERSE);
		draw_centred(u, y, x0 + 1, w - 2, sev | A_REVERSE | A_BOLD,
			     maint >= 0 ? "MAINTENANCE" : severity_upper(v->verdict));
		y += 2;
	}
	if (maint >= 0 && y < bottom) {
		/* Who is in maintenance: the planned part of the failover. */
		char line[160];
		str_printf(line, sizeof(line), "%s in maintenance (planned), %s serving", ui_node(u, ci, maint)->name,
			   ui_node(u, ci, 1 - maint)->name);
		draw_centred(u, y++, x0 + 1, w - 2, sev | A_BOLD, line);
	}

	for (i = 0; i < v->n_rows && y < bottom; i++, y++) {
		const struct vhid_row *r = &v->rows[i];
		int x = x0 + 2, xmax = x0 + w - 2;
		/* Narrow tiles drop the word VHID and some spacing. */
		bool narrow = inner_w < 48;
		x += draw_textf(u, y, x, xmax - x, text | A_BOLD, narrow ? "%-3d " : "VHID %-3d ", r->vhid);
		x += draw_textf(u, y, x, xmax - x, ui_attr(u, TP_LABEL), narrow ? "%-5.5s " : "%-6.6s ", r->interface);
		for (n = 0; n < CLUSTER_NODES && x < xmax; n++) {
			const struct snapshot *s = &ac->node[n].snap;
			enum theme_part p = !s->reachable ? TP_UNKNOWN
					    : ui_node(u, ci, n)->stale ? TP_STALE
					    : r->side[n].present ? status_part(r->side[n].status)
								 : TP_WARNING;
			x += draw_text(u, y, x, xmax - x, node_attr(u, ci, n), ui_node(u, ci, n)->name);
			x += draw_text(u, y, x, xmax - x, text, " ");
			x += draw_text(u, y, x, xmax - x, ui_attr(u, p), status_word(s, &r->side[n]));
			if (n + 1 < CLUSTER_NODES || (r->verdict != VV_OK && r->verdict != VV_UNKNOWN))
				x += draw_text(u, y, x, xmax - x, text, narrow ? "  " : "   ");
		}
		/* UNKNOWN is already said per node. */
		if (r->verdict != VV_OK && r->verdict != VV_UNKNOWN && x < xmax)
			draw_text(u, y, x, xmax - x, ui_attr(u, TP_CRITICAL), vhid_verdict_name(r->verdict));
	}
	/* Unreachable or stale nodes are said plainly. */
	for (n = 0; n < CLUSTER_NODES && y < bottom; n++) {
		const struct snapshot *s = &ac->node[n].snap;
		char age[24];
		int x = x0 + 2;
		if (!s->reachable) {
			x += draw_text(u, y, x, inner_w, node_attr(u, ci, n), ui_node(u, ci, n)->name);
			draw_textf(u, y++, x, x0 + w - 2 - x, ui_attr(u, TP_UNKNOWN), " UNKNOWN: %s",
				   ac->node[n].have_snapshot && s->error[0] ? s->error : "no answer yet");
		} else if (ui_node(u, ci, n)->stale) {
			fmt_duration(age, sizeof(age), ui_node(u, ci, n)->data_age);
			x += draw_text(u, y, x, inner_w, node_attr(u, ci, n), ui_node(u, ci, n)->name);
			draw_textf(u, y++, x, x0 + w - 2 - x, ui_attr(u, TP_STALE), " STALE: last answer %s ago", age);
		}
		if (y < bottom && ac->conf->nodes[n].transport == TRANSPORT_API && ac->conf->nodes[n].api.insecure) {
			x = x0 + 2;
			x += draw_text(u, y, x, inner_w, node_attr(u, ci, n), ui_node(u, ci, n)->name);
			draw_text(u, y++, x, x0 + w - 2 - x, ui_attr(u, TP_WARNING),
				  " INSECURE: TLS verification off (api insecure: true)");
		}
	}
	/* The findings, worst first, as many as fit. */
	for (i = 0; i < v->n_findings && y < bottom; i++) {
		const struct finding *f = &v->findings[i];
		if (f->severity < SEV_WARNING)
			continue;
		draw_textf(u, y++, x0 + 2, inner_w, ui_attr(u, severity_part(f->severity)), "%s %s",
			   severity_upper(f->severity), f->message);
	}
}

/* The tiles of clusters order[0..n-1] in the area top..top+H-1, W wide,
 * all on one page: the column count whose tiles are the most square (in
 * cells about twice as high as wide: a tile tw x th reads like
 * min(tw/2, th)). False, drawing nothing, when not all fit at the minimum
 * tile size. */
static bool tiles(struct ui *u, const size_t *order, int n, int top, int H, int W)
{
	int best_c = 1, c, best_score = -1, rows, cols, k, page_sy = 6;
	for (c = 1; c <= n; c++) {
		int r = (n + c - 1) / c, tw = W / c, th = H / r;
		int score = tw / 2 < th ? tw / 2 : th;
		if (tw < TILE_MIN_W || th < TILE_MIN_H)
			continue;
		if (score > best_score) {
			best_score = score;
			best_c = c;
		}
	}
	if (best_score < 0)
		return false;
	cols = best_c;
	rows = (n + cols - 1) / cols;
	/* One letter height for the page: what the most crowded tile fits
	 * (the broken tiles, with their findings, usually). */
	for (k = 0; k < n; k++) {
		int sy = letter_height(tile_word(&u->cl[order[k]].view), H / rows, W / cols, tile_need(u, order[k]));
		if (sy < page_sy)
			page_sy = sy;
	}
	for (k = 0; k < n; k++) {
		int r = k / cols, cc = k % cols;
		int tw = W / cols, th = H / rows;
		int x0 = cc * tw, y0 = top + r * th;
		/* The last column and row take the remainder. */
		if (cc == cols - 1)
			tw = W - x0;
		if (r == rows - 1)
			th = top + H - y0;
		/* Each tile in its cluster's theme. */
		colours_use(u, (long)order[k]);
		tile(u, order[k], y0, x0, th, tw, page_sy);
		colours_use(u, -1);
	}
	return true;
}

/* A broken cluster on one line, for a fleet whose broken pairs do not fit
 * as tiles: the verdict word as a band, the name, the worst finding. */
static void compact_row(struct ui *u, size_t ci, int y, int x, int w)
{
	const struct pair_view *v = &u->cl[ci].view;
	attr_t sev = ui_attr(u, severity_part(v->verdict));
	size_t k;
	int used;
	colours_use(u, (long)ci);
	used = draw_textf(u, y, x, w, sev | A_REVERSE | A_BOLD, " %-5s ", tile_word(v));
	used += draw_text(u, y, x + used, w - used, ui_attr(u, TP_TEXT), " ");
	/* Names padded to one column: the findings line up. */
	draw_text(u, y, x + used, u->name_w < w - used ? u->name_w : w - used,
		  ui_accent(u, u->a->clusters[ci].conf->accent, NULL) | A_BOLD, u->a->clusters[ci].conf->name);
	used += u->name_w;
	if (planned_maintenance(v) >= 0) {
		int m = planned_maintenance(v);
		draw_textf(u, y, x + used, w - used - 1, sev, "  %s in maintenance (planned), %s serving",
			   ui_node(u, ci, m)->name, ui_node(u, ci, 1 - m)->name);
	} else {
		for (k = 0; k < v->n_findings; k++)
			if (v->findings[k].severity >= SEV_WARNING) {
				draw_textf(u, y, x + used, w - used - 1, sev, "  %s", v->findings[k].message);
				break;
			}
	}
	colours_use(u, -1);
}

/* The healthy clusters as small cells in rows y0..y0+rows-1, their names
 * in the OK colour; the last cell says "+N OK" for those that do not fit. */
static void ok_strip(struct ui *u, const size_t *order, int n, int y0, int rows, int W)
{
	int cw = u->name_w + 2, per_row = W / cw > 0 ? W / cw : 1, cap = per_row * rows, k, shown;
	attr_t ok = ui_attr(u, TP_OK);
	char more[32];
	shown = n <= cap ? n : cap - 1;
	for (k = 0; k < shown; k++)
		draw_text(u, y0 + k / per_row, 1 + (k % per_row) * cw, cw - 1, ok,
			  u->a->clusters[order[k]].conf->name);
	if (shown < n) {
		str_printf(more, sizeof(more), "+%d OK", n - shown);
		draw_text(u, y0 + shown / per_row, 1 + (shown % per_row) * cw, W - 1 - (shown % per_row) * cw,
			  ok | A_BOLD | A_REVERSE, more);
	}
}

/* More clusters than tiles fit: the broken ones first, worst first, as
 * tiles when they all fit above the strip of healthy ones, else one line
 * each in columns (the pages turn through them); the healthy ones in a
 * strip at the bottom, "+N OK" for those without room. Sets the pages. */
static void crowded(struct ui *u, const size_t *order, int n, int top, int H, int W)
{
	int n_bad = n - u->fleet.by_verdict[SEV_OK], n_ok = n - n_bad, strip = 0, list_cols, per_page, k, first;
	if (n_ok > 0) {
		int per_row = W / (u->name_w + 2) > 0 ? W / (u->name_w + 2) : 1;
		int want = (n_ok + per_row - 1) / per_row, most = n_bad ? (H / 4 > 1 ? H / 4 : 1) : H;
		strip = want < most ? want : most;
		/* A line between the broken and the healthy. */
		ok_strip(u, order + n_bad, n_ok, top + H - strip, strip, W);
		if (n_bad)
			draw_hline(u, top + H - strip - 1, 0, W, ui_attr(u, TP_BORDER));
		H -= strip + (n_bad ? 1 : 0);
	}
	u->wall_pages = 1;
	if (!n_bad || H < 1 || tiles(u, order, n_bad, top, H, W))
		return;
	/* One line per broken cluster, in as many columns of at least 60
	 * as fit. */
	list_cols = W / 60 > 0 ? W / 60 : 1;
	per_page = list_cols * H;
	u->wall_pages = (n_bad + per_page - 1) / per_page;
	if (u->wall_page >= u->wall_pages)
		u->wall_page = 0;
	first = u->wall_page * per_page;
	for (k = 0; k < per_page && first + k < n_bad; k++) {
		int cw = W / list_cols, c = k / H;
		compact_row(u, order[first + k], top + k % H, c * cw, c == list_cols - 1 ? W - c * cw : cw - 1);
	}
}

static void wall_draw(struct ui *u, int area_top, int area_bottom)
{
	int top, bottom = u->rows - 1, H, W = u->cols;
	size_t n = u->a->n_clusters, n_rows;
	const size_t *order;
	char clock[16], age[24], foot[160], label[200];

	top = banner(u);
	H = bottom - top;
	/* Worst first: on the wall the sort is the verdict and nothing is
	 * filtered (/ and F6 do not work there). */
	order = ui_rows(u, &n_rows);
	u->wall_pages = 1;
	ui_name_width(u);
	if (n_rows && H >= 3 && !tiles(u, order, (int)n_rows, top, H, W))
		crowded(u, order, (int)n_rows, top, H, W);
	if (u->wall_page >= u->wall_pages)
		u->wall_page = 0;

	/* The footer: when the data last changed, and the page. */
	fmt_clock(clock, sizeof(clock), u->last_update);
	fmt_duration(age, sizeof(age), u->last_update > 0 ? wall_s() - u->last_update : 0);
	if (u->theme_error[0]) {
		draw_text(u, bottom, 0, u->cols, ui_attr(u, TP_WARNING), u->theme_error);
		return;
	}
	if (u->wall_pages > 1)
		str_printf(foot, sizeof(foot), "page %d/%d   last update %s (%s ago) ", u->wall_page + 1, u->wall_pages,
			   clock, age);
	else
		str_printf(foot, sizeof(foot), "last update %s (%s ago) ", u->last_update > 0 ? clock : "none yet",
			   age);
	/* With many clusters the label counts them by verdict; where both do
	 * not fit, the footer says only the page and the time. */
	if (n > 1)
		ui_fleet_summary(u, label, sizeof(label));
	else
		str_printf(label, sizeof(label), "carptop %s  wall display, read-only", CARPTOP_VERSION);
	if (n > 1 && (int)(strlen(label) + strlen(foot)) + 3 > u->cols) {
		if (u->wall_pages > 1)
			str_printf(foot, sizeof(foot), "page %d/%d  updated %s ", u->wall_page + 1, u->wall_pages, clock);
		else
			str_printf(foot, sizeof(foot), "updated %s ", u->last_update > 0 ? clock : "none yet");
	}
	draw_text(u, bottom, u->cols - (int)strlen(foot), (int)strlen(foot), ui_attr(u, TP_TEXT) | A_BOLD, foot);
	/* A status message (it clears after its seconds) in place of the label,
	 * never over it. */
	if (u->status[0])
		draw_text(u, bottom, 1, u->cols - (int)strlen(foot) - 2, ui_attr(u, u->status_part), u->status);
	else
		draw_text(u, bottom, 1, u->cols - (int)strlen(foot) - 2, ui_attr(u, TP_LABEL), label);
}

/* The wall is a mode more than a screen: it fills the whole terminal with
 * its own banner and footer (no header, no function bar; area_top and
 * area_bottom go unused), and its keys turn pages (keys.c, wall_turn). */
const struct screen_class wall_screen = {
	.title = "Wall",
	.fleet = true,
	.parent = SCR_WALL,
	.draw = wall_draw,
};
