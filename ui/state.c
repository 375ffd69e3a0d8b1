/* The console's shared state, as every screen and dialog reads it: a node's
 * facts from the cluster's view, the worst finding, the status line, the
 * SSH hint for a node. It calls no screen, so screens, keys and dialogs can
 * all build on it while ui.c, the loop, sits on top of them. */
#include "ui_int.h"

#include <stdarg.h>
#include <stdio.h>

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

bool ui_worst(const struct ui *u, size_t *cluster, const struct finding **f, int *more)
{
	size_t i, k;
	bool found = false;
	*more = 0;
	for (i = 0; i < u->a->n_clusters; i++) {
		const struct pair_view *v = &u->cl[i].view;
		if (!u->cl[i].have_view)
			continue;
		for (k = 0; k < v->n_findings; k++) {
			const struct finding *g = &v->findings[k];
			if (g->severity < SEV_WARNING)
				continue;
			if (found && (g->severity < (*f)->severity ||
				      (g->severity == (*f)->severity && (is_symptom(g) || !is_symptom(*f))))) {
				(*more)++;
				continue;
			}
			if (found)
				(*more)++;
			*cluster = i;
			*f = g;
			found = true;
		}
	}
	return found;
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

const char *screen_title(enum ui_screen s)
{
	static const char *const titles[SCR__COUNT] = {
		[SCR_OVERVIEW] = "Overview", [SCR_PAIR] = "Pair", [SCR_NODE] = "Node detail",
		[SCR_EVENTS] = "Event log", [SCR_DRIFT] = "Drift", [SCR_WORKFLOW] = "Workflows",
		[SCR_WALL] = "Wall",
	};
	return (size_t)s < SCR__COUNT ? titles[s] : "?";
}

const char *keys_ssh_hint(const struct ui *u, size_t c, int n)
{
	const struct app_node *an = &u->a->clusters[c].node[n];
	if (!backend_has_trust(an->backend))
		return NULL;
	if (backend_needs_passphrase(an->backend))
		return "identity file is encrypted: press P to enter its passphrase";
	if (an->have_snapshot && !an->snap.reachable && an->snap.err == NERR_HOSTKEY_UNKNOWN)
		return "host key unknown: press K to see its fingerprint and accept it";
	return NULL;
}
