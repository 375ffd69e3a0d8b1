/* Workflow view: the guided workflows (src/workflow/tables.c) for the selected
 * cluster; the parameters being typed; the plan, every step with its
 * reason, waiting for [y/N]; then every step with where it stands (pending,
 * running and what it waits for, ok, skipped, FAILED and why) and the
 * engine's progress lines. Draws from the run (workflow_dialog.c); changes nothing. */
#include "ui_int.h"

#include <string.h>

#include "textfit.h"
#include "util.h"

static void title(struct ui *u, size_t c, struct ui_lines *l)
{
	struct ui_line *ln = lines_add(l);
	int n = u->cl[c].sel_node, x;
	char head[160];
	str_printf(head, sizeof(head), "Workflows on cluster %s", u->a->clusters[c].conf->name);
	line_cell(ln, 1, -1, TP_TEXT, A_BOLD, "%s", head);
	x = 1 + text_width(head) + 3;
	line_cell(ln, x, -1, TP_LABEL, 0, "selected node");
	x += 14;
	line_cell(ln, x, -1, TP__COUNT, node_attr(u, c, n), "%s", ui_node(u, c, n)->name);
	x += text_width(ui_node(u, c, n)->name);
	line_cell(ln, x, -1, TP_LABEL, 0, " (%s; Tab: the other)",
		  node_role_name(u->a->clusters[c].conf->nodes[n].role));
}

/* What a workflow takes, as the list shows it. */
static void params_text(struct ui *u, size_t c, const struct wf_def *d, char *dst, size_t n)
{
	char key[FLOW_MAX_FIELDS][32], hint[FLOW_MAX_FIELDS][32];
	bool node;
	int k = flow_fields(d, key, hint, FLOW_MAX_FIELDS, &node), i;
	struct strbuf sb;
	sb_init(&sb);
	for (i = 0; i < k; i++)
		sb_printf(&sb, "%s%s=%s", i ? " " : "", key[i], hint[i]);
	/* The node ones act on the selected node: name it. */
	if (node)
		sb_printf(&sb, "%snode %s", k ? " " : "", ui_node(u, c, u->cl[c].sel_node)->name);
	str_copy(dst, sb.buf && sb.buf[0] ? sb.buf : "-", n);
	sb_free(&sb);
}

static void list(struct ui *u, size_t c, struct ui_lines *l)
{
	int xs = 23, xp = u->cols - 30, i;
	struct ui_line *ln;
	char params[128];

	if (xp < xs + 20)
		xp = xs + 20;
	ln = lines_add(l);
	line_cell(ln, 3, -1, TP_LABEL, A_BOLD, "WORKFLOW");
	line_cell(ln, xs, -1, TP_LABEL, A_BOLD, "WHAT IT DOES");
	line_cell(ln, xp, -1, TP_LABEL, A_BOLD, "PARAMETERS");
	for (i = 0; i < n_wf_defs; i++) {
		const struct wf_def *d = wf_defs[i];
		bool sel = i == u->wf_sel;
		ln = lines_add(l);
		line_cell(ln, 1, 1, TP_SELECTION, 0, "%s", sel ? ">" : " ");
		line_cell(ln, 3, xs - 4, sel ? TP_SELECTION : TP_TEXT, 0, "%s", d->name);
		line_cell(ln, xs, xp - xs - 1, TP_TEXT, 0, "%s", d->summary);
		params_text(u, c, d, params, sizeof(params));
		line_cell(ln, xp, -1, TP_LABEL, 0, "%s", params);
	}
	lines_add(l);
	/* Greyed like the function bar's mutating keys when they are refused. */
	lines_text(l, 1, u->read_only ? TP_INACTIVE : TP_LABEL, 0,
		   "%sw or Enter: run the selected workflow   R: resume   U: roll back   X: abort",
		   u->read_only ? "[refused] " : "");
}

static void form(struct ui *u, struct ui_lines *l)
{
	const struct flow_form *f = &u->form;
	int i;
	lines_add(l);
	lines_text(l, 1, TP_TEXT, A_BOLD, "%s on cluster %s: its parameters", f->def->name,
		   u->a->clusters[f->cluster].conf->name);
	lines_text(l, 1, TP_LABEL, 0, "Type each value; Tab or Enter: next field; Enter on the last: plan it; Esc: cancel.");
	for (i = 0; i < f->n; i++) {
		struct ui_line *ln = lines_add(l);
		bool cur = i == f->cur;
		line_cell(ln, 3, 10, TP_LABEL, 0, "%s", f->key[i]);
		line_cell(ln, 14, 40, cur ? TP_SELECTION : TP_TEXT, 0, "[%s%s]", f->value[i], cur ? "_" : "");
		line_cell(ln, 14 + 2 + (int)strlen(f->value[i]) + (cur ? 1 : 0) + 2, -1, TP_LABEL, 0, "%s", f->hint[i]);
	}	/* A VHID to type: the cluster's VHIDs with their interfaces and
	 * addresses, so nobody has to remember them. */
	for (i = 0; i < f->n; i++) {
		const struct pair_view *v = &u->cl[f->cluster].view;
		size_t k;
		if (!str_eq(f->key[i], "vhid"))
			continue;
		lines_add(l);
		if (!v->n_rows)
			lines_text(l, 3, TP_UNKNOWN, 0, "no VHIDs known on this cluster yet");
		for (k = 0; k < v->n_rows; k++) {
			struct ui_line *ln = lines_add(l);
			line_cell(ln, 3, 10, TP_LABEL, 0, "%s", k ? "" : "VHIDs");
			line_cell(ln, 14, 6, TP_TEXT, A_BOLD, "%d", v->rows[k].vhid);
			line_cell(ln, 20, 12, TP_TEXT, 0, "%s", v->rows[k].interface[0] ? v->rows[k].interface : "?");
			line_cell(ln, 32, -1, TP_LABEL, 0, "%s%s", v->rows[k].n_addrs ? v->rows[k].addrs[0] : "",
				  v->rows[k].n_addrs > 1 ? " ..." : "");
		}
	}
}

static const char *state_word(enum wf_step_state s, enum theme_part *part)
{
	switch (s) {
	case WF_STEP_RUNNING:
		*part = TP_WARNING;
		return "running";
	case WF_STEP_OK:
		*part = TP_OK;
		return "ok";
	case WF_STEP_SKIPPED:
		*part = TP_OK;
		return "skipped";
	case WF_STEP_FAILED:
		*part = TP_CRITICAL;
		return "FAILED";
	default:
		*part = TP_LABEL;
		return "pending";
	}
}

/* What the running step does now: the wait reason is the engine's. */
static const char *running_detail(const struct wf_run *r)
{
	switch (r->phase) {
	case PH_ASK:
		return "waiting for your answer on the status line";
	case PH_ACT:
		return "sent, waiting for the node's answer";
	case PH_PRE:
		return "reading fresh state before acting";
	default:
		return r->status[0] ? r->status : "verifying";
	}
}

static void run_header(struct ui *u, size_t c, const struct wf_run *r, struct ui_lines *l)
{
	struct ui_line *ln = lines_add(l);
	char head[160];
	enum theme_part part = TP_WARNING;
	const char *word;
	char buf[64];
	int n = wf_step_count(r);

	str_printf(head, sizeof(head), "%s%s on cluster %s:", r->rolling_back ? "rollback of " : "", r->def->name,
		   u->a->clusters[c].conf->name);
	line_cell(ln, 1, -1, TP_TEXT, A_BOLD, "%s", head);
	switch (r->state) {
	case WF_DONE:
		part = TP_OK;
		word = "DONE";
		break;
	case WF_ROLLED_BACK:
		part = TP_OK;
		word = "ROLLED BACK";
		break;
	case WF_FAILED:
		part = TP_CRITICAL;
		str_printf(buf, sizeof(buf), "%s at step %d of %d", r->changed ? "STOPPED" : "REFUSED", r->step + 1, n);
		word = buf;
		break;
	case WF_ASKING:
		str_printf(buf, sizeof(buf), "WAITING FOR YOU at step %d of %d", r->step + 1, n);
		word = buf;
		break;
	default:
		str_printf(buf, sizeof(buf), "RUNNING step %d of %d", r->step + 1, n);
		word = buf;
		break;
	}
	line_cell(ln, 1 + text_width(head) + 1, -1, part, A_BOLD, "%s", word);
}

static void steps(struct ui *u, const struct wf_run *r, struct ui_lines *l)
{
	int n = wf_step_count(r), i, tw = 0, cap = u->cols / 2, xs;
	char t[160];

	for (i = 0; i < n; i++) {
		wf_step_describe(r, i, t, sizeof(t));
		if (text_width(t) > tw)
			tw = text_width(t);
	}
	if (tw > cap)
		tw = cap;
	xs = 2 + 4 + tw + 2;
	for (i = 0; i < n; i++) {
		struct wf_step_result none = { WF_STEP_PENDING, false, "" };
		const struct wf_step_result *res = i < WF_MAX_STEPS ? &r->result[i] : &none;
		struct ui_line *ln = lines_add(l);
		enum theme_part part;
		const char *word = state_word(res->state, &part);
		wf_step_describe(r, i, t, sizeof(t));
		line_cell(ln, 2, 4 + tw, TP_TEXT, res->state == WF_STEP_RUNNING ? A_BOLD : 0, "%2d. %s", i + 1, t);
		line_cell(ln, xs, 8, part, res->state == WF_STEP_FAILED ? A_BOLD : 0, "%s", word);
		if (res->state == WF_STEP_RUNNING)
			line_cell(ln, xs + 9, -1, TP_TEXT, 0, "%s", running_detail(r));
		else
			line_cell(ln, xs + 9, -1, res->state == WF_STEP_FAILED ? TP_CRITICAL : TP_LABEL, 0, "%s", res->msg);
	}
}

static void run_section(struct ui *u, size_t c, struct ui_lines *l)
{
	const struct ui_flow *fl = &u->cl[c].flow;
	const struct wf_run *r = fl->run;
	size_t i;

	lines_add(l);
	if (r->state == WF_PREPARING) {
		lines_text(l, 1, TP_STATUS, 0, "Planning %s: reading both nodes' current state first...", r->def->name);
		return;
	}
	if (!fl->started) {
		for (i = 0; i < fl->plan_lines; i++)
			lines_text(l, 1, TP_TEXT, i ? 0 : A_BOLD, "%s", fl->lines[i]);
		lines_add(l);
		lines_text(l, 1, TP_WARNING, 0, "Nothing has been sent yet: y on the status line starts it, anything else "
			   "cancels.");
		return;
	}
	run_header(u, c, r, l);
	steps(u, r, l);
	if (fl->n_lines > fl->plan_lines) {
		lines_add(l);
		lines_text(l, 1, TP_LABEL, A_BOLD, "PROGRESS");
		for (i = fl->plan_lines; i < fl->n_lines; i++)
			lines_text(l, 2, strstr(fl->lines[i], "FAILED") ? TP_CRITICAL : TP_TEXT, 0, "%s", fl->lines[i]);
	}
}

static void workflow_draw(struct ui *u, int top, int bottom)
{
	struct ui_lines l = { 0 };
	size_t c = u->cur;
	const struct ui_flow *fl;
	bool show_list;

	flow_refresh(u, c); /* whether an unfinished journal waits */
	if (!u->a->n_clusters)
		return;
	fl = &u->cl[c].flow;
	show_list = flow_list_mode(u) || (u->form.active && u->form.cluster == c);
	title(u, c, &l);
	if (u->read_only)
		lines_text(&l, 1, TP_WARNING, 0, "%s: workflows change nodes and are refused here (the keys are greyed).",
			   u->wall ? "Wall display" : "Read-only");
	if (fl->journal && show_list)
		lines_text(&l, 1, TP_WARNING, A_BOLD, "Unfinished %s (its journal is kept): R resumes it from the step it "
			   "stopped at, U undoes the steps done so far.", fl->journal_wf[0] ? fl->journal_wf : "workflow");
	if (show_list) {
		lines_add(&l);
		list(u, c, &l);
	}
	if (u->form.active && u->form.cluster == c)
		form(u, &l);
	if (fl->note[0]) {
		lines_add(&l);
		lines_text(&l, 1, fl->note_part, 0, "%s", fl->note);
	}
	/* A run refused in its setup sent nothing: the note says why. */
	if (fl->run && (fl->started || !wf_finished(fl->run)))
		run_section(u, c, &l);
	lines_draw(u, &l, top, bottom);
	lines_free(&l);
}

/* Up and Down pick a workflow while the list shows; the pages scroll (a
 * long plan, the steps of a run). */
static unsigned workflow_move(struct ui *u, int delta, bool paging)
{
	if (!u->a->n_clusters)
		return R_NONE;
	if (flow_list_mode(u) && !paging) {
		u->wf_sel = ui_clamp(u->wf_sel + delta, 0, n_wf_defs - 1);
		return R_REDRAW;
	}
	return ui_scroll_by(u, delta, paging);
}

/* On the list Enter is w, refused the same way in read-only: through the
 * key table, not a second check here. */
static unsigned workflow_open(struct ui *u, enum ui_screen *go, enum ui_cmd *then)
{
	if (flow_list_mode(u))
		*then = UC_WF_RUN;
	return R_NONE;
}

const struct screen_class workflow_screen = {
	.title = "Workflows",
	.keys = KS_WORKFLOW,
	.parent = SCR_OVERVIEW,
	.draw = workflow_draw,
	.move_by = workflow_move,
	.open = workflow_open,
};
