/* Drift view: the differences between the two nodes' config.xml in the
 * sections the primary syncs (src/checks/drift.h), grouped by section, each with
 * the primary's and the secondary's value. Secrets arrive as "(hidden)"
 * from drift.c and are shown as that, nothing more. When the configs were
 * not both read the view says why, per node, and shows no entries: no data
 * is better than made-up data. */
#include "ui_int.h"

#include <string.h>

#include "drift.h"
#include "textfit.h"
#include "util.h"

/* Why node n's config.xml is not there to compare (the view's reason);
 * NULL when it is. The part says how bad: a transport that cannot read it
 * is a fact, not an alarm. */
static const char *config_missing(struct ui *u, size_t c, int n, enum theme_part *part)
{
	const struct view_node *vn = ui_node(u, c, n);
	switch (vn->conf_state) {
	case VCONF_READ:
		return NULL;
	case VCONF_NO_TRANSPORT:
	case VCONF_UNREACHABLE:
	case VCONF_UNKNOWN:
		*part = TP_UNKNOWN;
		break;
	case VCONF_NOT_SUPPORTED:
	case VCONF_FAILED:
	case VCONF_NOT_YET:
		*part = TP_LABEL;
		break;
	}
	return vn->conf_reason[0] ? vn->conf_reason : "its config is not known";
}

static void unknown_state(struct ui *u, size_t c, struct ui_lines *l)
{
	const char *why;
	enum theme_part part[CLUSTER_NODES];
	bool any = false;
	int n;

	lines_text(l, 1, TP_UNKNOWN, A_BOLD, "Drift not known: the two configurations were not both read.");
	lines_add(l);
	for (n = 0; n < CLUSTER_NODES; n++) {
		if ((why = config_missing(u, c, n, &part[n]))) {
			lines_text(l, 3, part[n], 0, "%s", why);
			any = true;
		}
	}
	if (!any) /* both read, the comparison not made yet */
		lines_text(l, 3, TP_LABEL, 0, "both configs are read; the comparison follows with the next refresh");
	lines_add(l);
	lines_text(l, 1, TP_LABEL, 0, "Nothing is listed until both are known.");
}

/* One entry: the path, then each node's value on a line of its own, so a
 * long value (a rule's description) is never cut to fit a column. */
static void entry(struct ui *u, size_t c, const struct drift_item *d, struct ui_lines *l)
{
	int n, namew = 0;
	lines_text(l, 3, TP_TEXT, A_BOLD, "%s", d->path);
	for (n = 0; n < CLUSTER_NODES; n++)
		if ((int)strlen(ui_node(u, c, n)->name) > namew)
			namew = (int)strlen(ui_node(u, c, n)->name);
	for (n = 0; n < CLUSTER_NODES; n++) {
		struct ui_line *ln = lines_add(l);
		line_cell(ln, 5, namew, TP__COUNT, node_attr(u, c, n), "%s", ui_node(u, c, n)->name);
		if (d->absent[n])
			line_cell(ln, 5 + namew + 2, -1, TP_WARNING, 0, "(absent)");
		else
			line_cell(ln, 5 + namew + 2, -1, TP_TEXT, 0, "%s", d->value[n]);
	}
}

static void build(struct ui *u, size_t c, struct ui_lines *l)
{
	const struct pair_view *v = &u->cl[c].view;
	size_t i, j, sections = 0;

	lines_text(l, 1, TP_LABEL, 0, "Compared: the sections %s syncs to %s, and IP aliases with a VHID (never synced).",
		   ui_node(u, c, 0)->name, ui_node(u, c, 1)->name);
	lines_add(l);
	if (!u->cl[c].have_view) {
		lines_text(l, 1, TP_LABEL, 0, "No data yet.");
		return;
	}
	if (!v->drift_known) {
		unknown_state(u, c, l);
		return;
	}
	if (!v->n_drift) {
		lines_text(l, 1, TP_OK, A_BOLD, "No drift: the synced sections of %s's and %s's config.xml agree.",
			   ui_node(u, c, 0)->name, ui_node(u, c, 1)->name);
		return;
	}
	for (i = 0; i < v->n_drift; i++)
		if (i == 0 || !str_eq(v->drift[i].section, v->drift[i - 1].section))
			sections++;
	lines_text(l, 1, TP_WARNING, A_BOLD, "%zu difference%s in %zu section%s.", v->n_drift, v->n_drift == 1 ? "" : "s",
		   sections, sections == 1 ? "" : "s");
	lines_text(l, 1, TP_LABEL, 0, "A sync from %s makes the synced sections equal (fix %s first if %s is the right one).",
		   ui_node(u, c, 0)->name, ui_node(u, c, 0)->name, ui_node(u, c, 1)->name);
	/* drift.c appends section by section; group by equal neighbours and
	 * also catch a section that comes back later. */
	for (i = 0; i < v->n_drift; i++) {
		size_t count = 0;
		bool seen = false;
		for (j = 0; j < i && !seen; j++)
			seen = str_eq(v->drift[j].section, v->drift[i].section);
		if (seen)
			continue;
		for (j = i; j < v->n_drift; j++)
			count += str_eq(v->drift[j].section, v->drift[i].section);
		lines_add(l);
		{
			struct ui_line *ln = lines_add(l);
			line_cell(ln, 1, -1, TP_LABEL, A_BOLD, "%s", v->drift[i].section);
			line_cell(ln, 2 + text_width(v->drift[i].section), -1, TP_LABEL, 0, "(%zu difference%s%s)", count,
				  count == 1 ? "" : "s",
				  str_eq(v->drift[i].section, DRIFT_ALIAS_SECTION) ? ", splits the VHID: sync Virtual IPs or add by hand" : "");
		}
		for (j = i; j < v->n_drift; j++)
			if (str_eq(v->drift[j].section, v->drift[i].section))
				entry(u, c, &v->drift[j], l);
	}
}

static void drift_draw(struct ui *u, int top, int bottom)
{
	struct ui_lines l = { 0 };
	size_t c = u->cur;

	if (!u->a->n_clusters)
		return;
	lines_text(&l, 1, TP_TEXT, A_BOLD, "Config drift on cluster %s: %s (primary) against %s (secondary)",
		   u->a->clusters[c].conf->name, ui_node(u, c, 0)->name, ui_node(u, c, 1)->name);
	build(u, c, &l);
	lines_draw(u, &l, top, bottom);
	lines_free(&l);
}

const struct screen_class drift_screen = {
	.title = "Drift",
	.keys = KS_DRIFT,
	.parent = SCR_OVERVIEW,
	.draw = drift_draw,
	.move_by = ui_scroll_by,
};
