/* The console's shared state, as every screen and dialog reads it: a node's
 * facts from the cluster's view, the worst finding, the status line, the
 * SSH hint for a node. It calls no screen, so screens, keys and dialogs can
 * all build on it while ui.c, the loop, sits on top of them. */
#include "ui_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textfit.h"
#include "util.h"

const struct view_node *ui_node(const struct ui *u, size_t c, int n)
{
	return &u->cl[c].view.node[n];
}

double cluster_updated(const struct ui *u, size_t c)
{
	double t = 0;
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (u->a->clusters[c].node[n].snap.taken > t)
			t = u->a->clusters[c].node[n].snap.taken;
	return t;
}

/* Findings that follow from another one: a node whose link goes down is
 * demoted and its peer takes over, so the banner names the link (the
 * cause) and not the demotion (the symptom) when both are as bad. */
static bool is_symptom(const struct finding *f)
{
	static const char *const symptoms[] = {
		"maintenance-inconsistent", "demoted", "failed-over", "master-mixed",
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(symptoms); i++)
		if (f->id && str_eq(f->id, symptoms[i]))
			return true;
	return false;
}

/* The worst finding of the fleet at warning or worse: causes before
 * symptoms among equals. */
static void fleet_worst(struct ui_fleet *fl, const struct ui *u)
{
	size_t i, k;
	const struct finding *w = NULL;
	for (i = 0; i < u->a->n_clusters; i++) {
		const struct pair_view *v = &u->cl[i].view;
		if (!u->cl[i].have_view)
			continue;
		for (k = 0; k < v->n_findings; k++) {
			const struct finding *g = &v->findings[k];
			if (g->severity < SEV_WARNING)
				continue;
			if (w && (g->severity < w->severity ||
				  (g->severity == w->severity && (is_symptom(g) || !is_symptom(w))))) {
				fl->more++;
				continue;
			}
			if (w)
				fl->more++;
			fl->worst_cluster = i;
			fl->worst_finding = k;
			w = g;
		}
	}
	fl->have_worst = w != NULL;
}

void ui_fleet_update(struct ui *u)
{
	struct ui_fleet *fl = &u->fleet;
	size_t i, k;
	int n;
	memset(fl, 0, sizeof(*fl));
	fl->oldest = -1;
	for (i = 0; i < u->a->n_clusters; i++) {
		struct ui_cluster *c = &u->cl[i];
		enum severity s = c->view.verdict <= SEV_INFO ? SEV_OK : c->view.verdict;
		fl->by_verdict[s]++;
		c->alarms = 0;
		for (k = 0; k < c->view.n_findings; k++)
			c->alarms += c->view.findings[k].severity >= SEV_WARNING;
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct view_node *vn = &c->view.node[n];
			fl->unknown |= !vn->up;
			fl->stale |= vn->stale;
			if (vn->data_age > fl->oldest)
				fl->oldest = vn->data_age;
		}
	}
	fleet_worst(fl, u);
}

bool ui_worst(const struct ui *u, size_t *cluster, const struct finding **f, int *more)
{
	const struct ui_fleet *fl = &u->fleet;
	*more = fl->more;
	if (!fl->have_worst)
		return false;
	*cluster = fl->worst_cluster;
	*f = &u->cl[fl->worst_cluster].view.findings[fl->worst_finding];
	return true;
}

void ui_fleet_summary(const struct ui *u, char *dst, size_t n)
{
	static const enum severity order[] = { SEV_CRITICAL, SEV_UNKNOWN, SEV_WARNING };
	const struct ui_fleet *fl = &u->fleet;
	size_t i, total = u->a->n_clusters;
	int len = snprintf(dst, n, "%zu pair%s:", total, total == 1 ? "" : "s");
	for (i = 0; i < ARRAY_LEN(order) && len >= 0 && (size_t)len < n; i++)
		if (fl->by_verdict[order[i]])
			len += snprintf(dst + len, n - (size_t)len, " %d %s,", fl->by_verdict[order[i]],
					severity_upper(order[i]));
	if (len >= 0 && (size_t)len < n)
		snprintf(dst + len, n - (size_t)len, " %d OK", fl->by_verdict[SEV_OK]);
}

int ui_name_width(struct ui *u)
{
	size_t i;
	/* Names come from the config and never change: measured once. */
	if (!u->name_w) {
		u->name_w = 7;
		for (i = 0; i < u->a->n_clusters; i++)
			if (text_width(u->a->clusters[i].conf->name) > u->name_w)
				u->name_w = text_width(u->a->clusters[i].conf->name);
		if (u->name_w > 20)
			u->name_w = 20;
	}
	return u->name_w;
}

void ui_status(struct ui *u, enum theme_part part, double secs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof(u->status), fmt, ap);
	va_end(ap);
	u->status_part = part;
	u->status_until = secs > 0 ? wall_s() + secs : 0;
	u->dirty |= R_BAR;
}

int ui_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

unsigned ui_scroll_by(struct ui *u, int delta, bool paging)
{
	u->scroll = ui_clamp(u->scroll + delta, 0, 1 << 20);
	return R_REDRAW;
}

void ui_hit_mark(struct ui *u, int y, enum ui_hit_kind kind, int index)
{
	if (y >= 0 && y < UI_HIT_LINES)
		u->hits[y] = (struct ui_hit){ kind, index };
}

struct ui_hit ui_hit_at(const struct ui *u, int y)
{
	return y >= 0 && y < UI_HIT_LINES ? u->hits[y] : (struct ui_hit){ HIT_NONE, 0 };
}

const char *keys_ssh_hint(const struct ui *u, size_t c, int n)
{
	const struct app_node *an = &u->a->clusters[c].node[n];
	if (!app_node_has_trust(an))
		return NULL;
	if (app_node_needs_passphrase(an))
		return "identity file is encrypted: press P to enter its passphrase";
	if (an->have_snapshot && !an->snap.reachable && an->snap.err == NERR_HOSTKEY_UNKNOWN)
		return "host key unknown: press K to see its fingerprint and accept it";
	return NULL;
}
