/* The console's side of the workflow engine (src/workflow/workflow.h): a workflow's
 * parameters, the one-key actions (m, d, e, s: one-step workflows), the
 * question and its [y/N], the typed override of an interlock, checkpoint
 * questions (pending, not modal), resume or rollback of an unfinished
 * journal, abort. The engine does the work and the real enforcement (it
 * alone can change a node; its interlocks, per-cluster lock, checks before
 * every action); this file only changes the console's state;
 * screen_workflow.c draws it. */
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "textfit.h"
#include "util.h"

#define FLOW_MAX_LINES 500
#define ANSWER_GUARD_MS 500.0 /* a key this soon after a question is not its answer */

/* ---- small helpers ---------------------------------------------------- */

static struct ui_flow *flow_of(struct ui *u, size_t c)
{
	return &u->cl[c].flow;
}

static const char *cname(const struct ui *u, size_t c)
{
	return u->a->clusters[c].conf->name;
}

static bool run_live(const struct ui_flow *fl)
{
	return fl->run && fl->started && !wf_finished(fl->run);
}

bool flow_running(const struct ui *u, long c)
{
	size_t i;
	for (i = 0; i < u->a->n_clusters; i++)
		if ((c < 0 || (size_t)c == i) && run_live(&u->cl[i].flow))
			return true;
	return false;
}

bool flow_list_mode(const struct ui *u)
{
	const struct ui_flow *fl;
	if (!u->a->n_clusters)
		return true;
	fl = &u->cl[u->cur].flow;
	return !fl->run || wf_finished(fl->run);
}

static void lines_clear(struct ui_flow *fl)
{
	size_t i;
	for (i = 0; i < fl->n_lines; i++)
		free(fl->lines[i]);
	free(fl->lines);
	fl->lines = NULL;
	fl->n_lines = fl->plan_lines = 0;
}

/* Forget the cluster's run (a new one is about to begin, or the console
 * quits). Only a run that is not running may be dropped. */
static void flow_reset(struct ui *u, size_t c)
{
	struct ui_flow *fl = flow_of(u, c);
	if (u->prompt.active && u->prompt.flow != FP_NONE && u->prompt.cluster == c)
		u->prompt.active = false;
	wf_free(fl->run);
	fl->run = NULL;
	fl->one_key = fl->started = fl->prompted = false;
	fl->note[0] = '\0';
	lines_clear(fl);
}

static void note(struct ui *u, size_t c, enum theme_part part, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void note(struct ui *u, size_t c, enum theme_part part, const char *fmt, ...)
{
	struct ui_flow *fl = flow_of(u, c);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fl->note, sizeof(fl->note), fmt, ap);
	va_end(ap);
	text_sanitize_inplace(fl->note);
	fl->note_part = part;
	u->dirty |= R_REDRAW;
}

void flow_refresh(struct ui *u, size_t c)
{
	struct ui_flow *fl;
	if (c >= u->a->n_clusters)
		return;
	fl = flow_of(u, c);
	if (fl->journal_known)
		return;
	/* A run of ours that is still going has its journal open: that one
	 * is not waiting for R or U. Only look when nothing runs here. */
	fl->journal = !run_live(fl) && wf_unfinished(u->a, c, fl->journal_wf, sizeof(fl->journal_wf));
	fl->journal_known = !run_live(fl);
}

/* ---- the engine's events ---------------------------------------------- */

static void ev_line(struct wf_run *r, const char *text, void *ctx)
{
	struct ui *u = ctx;
	struct ui_flow *fl = flow_of(u, r->cluster);
	if (fl->n_lines == FLOW_MAX_LINES) {
		/* Keep the plan; drop the oldest progress line. */
		size_t first = fl->plan_lines < fl->n_lines ? fl->plan_lines : fl->n_lines - 1;
		free(fl->lines[first]);
		memmove(&fl->lines[first], &fl->lines[first + 1], (fl->n_lines - first - 1) * sizeof(char *));
		fl->n_lines--;
	}
	fl->lines = xrealloc(fl->lines, (fl->n_lines + 1) * sizeof(char *));
	fl->lines[fl->n_lines++] = xstrdup(text);
	text_sanitize_inplace(fl->lines[fl->n_lines - 1]);
	if (fl->started) {
		/* Progress also goes to the event log, under the workflow's name. */
		evlog_add(&u->log, wall_s(), EV_ACTION, strstr(text, "FAILED") ? SEV_CRITICAL : SEV_INFO, cname(u, r->cluster),
			  r->def ? r->def->name : "workflow", 0, "%s", text);
	}
	u->dirty |= R_REDRAW;
}

static void ev_ask(struct wf_run *r, const char *question, void *ctx)
{
	struct ui *u = ctx;
	/* A checkpoint stays pending on the status line (flow_checkpoint):
	 * only y and n answer it; every other key keeps its meaning. */
	evlog_add(&u->log, wall_s(), EV_ACTION, SEV_WARNING, cname(u, r->cluster), r->def->name, 0,
		  "step %d waits for the operator: %s", r->step + 1, question);
	u->dirty |= R_REDRAW | R_BAR;
}

static void offer_override(struct ui *u, struct wf_run *r)
{
	struct override_entry *o = &u->override;
	int i;
	memset(o, 0, sizeof(*o));
	o->cluster = r->cluster;
	o->def = r->def;
	o->one_key = flow_of(u, r->cluster)->one_key;
	for (i = 0; i < r->n_params && i < FLOW_MAX_ARGS; i++)
		str_copy(o->args[o->argc++], r->params[i], sizeof(o->args[0]));
	str_copy(o->why, str_starts(r->status, "refused: ") ? r->status + 9 : r->status, sizeof(o->why));
	/* The entry itself says how to override: drop the batch hint. */
	if (strstr(o->why, "; --force overrides"))
		*strstr(o->why, "; --force overrides") = '\0';
	o->active = true;
}

static void ev_finished(struct wf_run *r, void *ctx)
{
	struct ui *u = ctx;
	size_t c = r->cluster;
	const char *name = r->def ? r->def->name : "workflow";
	struct ui_flow *fl = flow_of(u, c);

	fl->journal_known = false;
	if (!fl->started) {
		/* Refused in its setup (an interlock, a node down): nothing
		 * was sent, and no question was asked. */
		const char *why = str_starts(r->status, "refused: ") ? r->status + 9 : r->status;
		note(u, c, TP_WARNING, "%s on cluster %s refused, nothing was changed: %s", name, cname(u, c), why);
		ui_status(u, TP_WARNING, 0, "REFUSED %s on %s, nothing was changed: %s", name, cname(u, c), why);
		evlog_add(&u->log, wall_s(), EV_ACTION, SEV_WARNING, cname(u, c), name, 0, "refused: %s", why);
		if (r->overridable && !u->read_only)
			offer_override(u, r);
		u->dirty |= R_REFRESH | R_BAR;
		return;
	}
	switch (r->state) {
	case WF_DONE: {
		char words[200];
		if (wf_outcome(r, words, sizeof(words))) {
			note(u, c, TP_OK, "%s on cluster %s: %s; done, every step verified.", name, cname(u, c), words);
			ui_status(u, TP_OK, 15, "%s: done, every step verified", words);
		} else {
			note(u, c, TP_OK, "%s on cluster %s: done, every step verified.", name, cname(u, c));
			ui_status(u, TP_OK, 15, "%s on %s: done, every step verified", name, cname(u, c));
		}
		break;
	}
	case WF_ROLLED_BACK:
		note(u, c, TP_OK, "%s on cluster %s: rolled back, every undo step verified.", name, cname(u, c));
		ui_status(u, TP_OK, 15, "%s on %s: rolled back", name, cname(u, c));
		break;
	default:
		if (!r->changed) {
			note(u, c, TP_WARNING, "%s on cluster %s refused, nothing was changed: %s", name, cname(u, c), r->status);
			ui_status(u, TP_WARNING, 15, "%s on %s refused: nothing was changed", name, cname(u, c));
		} else {
			note(u, c, TP_CRITICAL, "%s on cluster %s stopped at step %d: %s. Nothing more was sent.", name,
			     cname(u, c), r->step + 1, r->status);
			ui_status(u, TP_CRITICAL, 0, "%s on %s stopped at step %d: %s", name, cname(u, c), r->step + 1, r->status);
		}
		break;
	}
	u->dirty |= R_REFRESH;
}

/* Setup and interlocks passed on fresh state: show the plan, then ask. */
static void ev_planned(struct wf_run *r, void *ctx)
{
	struct ui *u = ctx;
	struct ui_flow *fl = flow_of(u, r->cluster);
	wf_plan(r);
	fl->plan_lines = fl->n_lines;
	fl->prompted = false;
	u->dirty |= R_REDRAW;
}

static struct wf_events events(struct ui *u)
{
	struct wf_events ev = { ev_line, ev_ask, ev_finished, ev_planned, u };
	return ev;
}

/* ---- parameters ------------------------------------------------------- */

int flow_fields(const struct wf_def *d, char key[][32], char hint[][32], int max, bool *node)
{
	const struct wf_param_spec *p;
	int n = 0;
	*node = false;
	for (p = d->params; p && p->key; p++) {
		/* An optional one is left to the engine (add-alias picks the
		 * BACKUP node itself). */
		if (p->optional)
			continue;
		if (str_eq(p->key, "node")) {
			*node = true;
		} else if (n < max) {
			str_copy(key[n], p->key, 32);
			str_copy(hint[n], p->value, 32);
			n++;
		}
	}
	return n;
}

/* Make the run and let the engine prepare it: it polls both nodes and
 * decides setup and interlocks on that fresh state; ev_planned or
 * ev_finished (refused) follows. */
static unsigned begin(struct ui *u, size_t c, const char *name, int argc, char **argv, bool force, bool one_key)
{
	struct ui_flow *fl = flow_of(u, c);
	struct wf_events ev = events(u);
	char *cause = NULL;
	struct wf_run *r;

	r = wf_new(u->a, c, name, argc, argv, force, false, &ev, &cause);
	if (!r) {
		note(u, c, TP_WARNING, "%s", cause);
		ui_status(u, TP_WARNING, 10, "%s", cause);
		free(cause);
		return R_REDRAW | R_BAR;
	}
	flow_reset(u, c);
	fl->run = r;
	fl->one_key = one_key;
	if (!one_key)
		u->scroll = 0;
	wf_prepare(r, false);
	return R_REDRAW;
}

/* A form's values (and the selected node) as key=value arguments. */
static int form_args(struct ui *u, size_t c, const struct wf_def *def, const struct flow_form *f,
		     char args[FLOW_MAX_ARGS][128], char **argv)
{
	char key[FLOW_MAX_FIELDS][32], hint[FLOW_MAX_FIELDS][32];
	bool node;
	int argc = 0, i;
	flow_fields(def, key, hint, FLOW_MAX_FIELDS, &node);
	for (i = 0; f && i < f->n && argc < FLOW_MAX_ARGS; i++) {
		str_printf(args[argc], 128, "%s=%s", f->key[i], f->value[i]);
		argv[argc] = args[argc];
		argc++;
	}
	if (node && argc < FLOW_MAX_ARGS) {
		str_printf(args[argc], 128, "node=%s", ui_node(u, c, u->cl[c].sel_node)->name);
		argv[argc] = args[argc];
		argc++;
	}
	return argc;
}

static unsigned begin_form(struct ui *u, size_t c, const struct wf_def *def, const struct flow_form *f)
{
	char args[FLOW_MAX_ARGS][128], *argv[FLOW_MAX_ARGS];
	int argc = form_args(u, c, def, f, args, argv);
	return begin(u, c, def->name, argc, argv, false, false);
}

/* ---- keys ------------------------------------------------------------- */

/* Why the selected cluster cannot take a new run now, or NULL. */
static const char *busy(struct ui *u, size_t c)
{
	struct ui_flow *fl = flow_of(u, c);
	if (run_live(fl))
		return "a workflow is running on this cluster: one at a time (X aborts it)";
	if (fl->run && !fl->started && !wf_finished(fl->run))
		return "a workflow is being planned on this cluster: answer its question first";
	return NULL;
}

unsigned flow_key_run(struct ui *u)
{
	size_t c = u->cur;
	const struct wf_def *def;
	struct flow_form *f = &u->form;
	const char *why;
	bool node;

	if (!u->a->n_clusters || u->wall)
		return R_NONE;
	if (u->screen != SCR_WORKFLOW) {
		u->back = u->screen;
		u->screen = SCR_WORKFLOW;
		u->scroll = 0;
		/* Say why the screen changed: the key works here. */
		ui_status(u, TP_STATUS, 8, "w: workflows of cluster %s; pick one (Up/Down) and press w again", cname(u, c));
		return R_REDRAW;
	}
	if ((why = busy(u, c))) {
		ui_status(u, TP_WARNING, 8, "%s", why);
		return R_BAR;
	}
	flow_refresh(u, c);
	if (flow_of(u, c)->journal) {
		ui_status(u, TP_WARNING, 10, "cluster %s has an unfinished %s: R resumes it, U undoes it", cname(u, c),
			  flow_of(u, c)->journal_wf[0] ? flow_of(u, c)->journal_wf : "workflow");
		return R_BAR;
	}
	if (u->wf_sel < 0 || u->wf_sel >= n_wf_defs)
		u->wf_sel = 0;
	def = wf_defs[u->wf_sel];
	/* The same workflow on the same cluster again (its last values were
	 * refused, say): the form keeps what was typed. */
	if (f->def != def || f->cluster != c)
		memset(f, 0, sizeof(*f));
	f->cur = 0;
	f->n = flow_fields(def, f->key, f->hint, FLOW_MAX_FIELDS, &node);
	if (f->n == 0)
		return begin_form(u, c, def, NULL);
	f->active = true;
	f->cluster = c;
	f->def = def;
	return R_REDRAW;
}

unsigned flow_form_key(struct ui *u, int key)
{
	struct flow_form *f = &u->form;
	char *v = f->value[f->cur];
	size_t len = strlen(v);

	switch (key) {
	case KEYC_ESC:
		f->active = false;
		ui_status(u, TP_STATUS, 5, "%s cancelled: nothing was changed", f->def->name);
		return R_REDRAW | R_BAR;
	case KEYC_BACKSPACE:
		if (len)
			v[len - 1] = '\0';
		return R_REDRAW;
	case KEYC_TAB:
	case KEYC_DOWN:
		f->cur = (f->cur + 1) % f->n;
		return R_REDRAW;
	case KEYC_BTAB:
	case KEYC_UP:
		f->cur = (f->cur + f->n - 1) % f->n;
		return R_REDRAW;
	case KEYC_ENTER: {
		int i;
		/* Enter moves on to the next field; on the last it goes on. */
		if (f->cur + 1 < f->n) {
			f->cur++;
			return R_REDRAW;
		}
		for (i = 0; i < f->n; i++)
			if (!f->value[i][0]) {
				f->cur = i;
				ui_status(u, TP_WARNING, 5, "%s: enter %s (%s)", f->def->name, f->key[i], f->hint[i]);
				return R_REDRAW | R_BAR;
			}
		f->active = false;
		return begin_form(u, f->cluster, f->def, f);
	}
	default:
		/* Parameters are words (numbers, addresses): printable ASCII. */
		if (key > ' ' && key < 0x7f && len + 1 < sizeof(f->value[0])) {
			v[len] = (char)key;
			v[len + 1] = '\0';
			return R_REDRAW;
		}
		return R_NONE;
	}
}

unsigned flow_key_journal(struct ui *u, bool rollback)
{
	size_t c = u->cur, i;
	struct ui_flow *fl;
	struct prompt *p = &u->prompt;
	const char *why;

	if (!u->a->n_clusters || u->wall)
		return R_NONE;
	if (u->screen != SCR_WORKFLOW) {
		u->back = u->screen;
		u->screen = SCR_WORKFLOW;
		u->scroll = 0;
		ui_status(u, TP_STATUS, 8, "%s: resuming and undoing happen on the workflow view; press %s again here",
			  rollback ? "U" : "R", rollback ? "U" : "R");
		return R_REDRAW;
	}
	fl = flow_of(u, c);
	if ((why = busy(u, c))) {
		ui_status(u, TP_WARNING, 8, "%s", why);
		return R_BAR;
	}
	fl->journal_known = false;
	flow_refresh(u, c);
	if (!fl->journal) {
		ui_status(u, TP_STATUS, 5, "cluster %s has no unfinished workflow", cname(u, c));
		return R_BAR;
	}
	/* The engine keeps one set of rollback steps (engine.c): one
	 * rollback at a time across the clusters. */
	for (i = 0; rollback && i < u->a->n_clusters; i++)
		if (i != c && run_live(&u->cl[i].flow) && u->cl[i].flow.run->rolling_back) {
			ui_status(u, TP_WARNING, 8, "a rollback is running on cluster %s: one at a time", cname(u, i));
			return R_BAR;
		}
	memset(p, 0, sizeof(*p));
	p->flow = rollback ? FP_ROLLBACK : FP_RESUME;
	p->cluster = c;
	if (rollback)
		str_printf(p->text, sizeof(p->text), "Roll back the unfinished %s on cluster %s: undo its steps, newest first, "
			   "each checked before it acts? [y/N]", fl->journal_wf[0] ? fl->journal_wf : "workflow", cname(u, c));
	else
		str_printf(p->text, sizeof(p->text), "Resume the unfinished %s on cluster %s from the step it stopped at "
			   "(each step reads fresh state first)? [y/N]", fl->journal_wf[0] ? fl->journal_wf : "workflow",
			   cname(u, c));
	p->shown_at = now_ms();
	p->active = true;
	return R_BAR;
}

unsigned flow_key_abort(struct ui *u)
{
	size_t c = u->cur;
	struct ui_flow *fl;
	struct prompt *p = &u->prompt;

	if (!u->a->n_clusters || u->wall)
		return R_NONE;
	fl = flow_of(u, c);
	if (fl->run && !fl->started) {
		/* Only planned: nothing was sent, so nothing to stop. */
		char name[64];
		str_copy(name, fl->run->def->name, sizeof(name));
		flow_reset(u, c);
		note(u, c, TP_STATUS, "%s cancelled before it started: nothing was changed.", name);
		return R_REDRAW | R_BAR;
	}
	if (!run_live(fl)) {
		ui_status(u, TP_STATUS, 5, "no workflow is running on cluster %s", cname(u, c));
		return R_BAR;
	}
	memset(p, 0, sizeof(*p));
	p->flow = FP_ABORT;
	p->cluster = c;
	str_printf(p->text, sizeof(p->text), "Abort %s on cluster %s at step %d of %d? Nothing more is sent; "
		   "its journal stays for R (resume) or U (undo). [y/N]", fl->run->def->name, cname(u, c),
		   fl->run->step + 1, wf_step_count(fl->run));
	p->active = true;
	return R_BAR;
}

/* ---- answers ---------------------------------------------------------- */

static unsigned start_journal(struct ui *u, size_t c, bool rollback)
{
	struct ui_flow *fl = flow_of(u, c);
	struct wf_events ev = events(u);
	struct wf_run *r;
	char *cause = NULL;

	flow_reset(u, c);
	/* wf_resume starts at once and may report lines before it returns. */
	fl->started = true;
	r = wf_resume(u->a, c, rollback, false, false, &ev, &cause);
	if (!r) {
		fl->started = false;
		note(u, c, TP_WARNING, "%s refused: %s", rollback ? "rollback" : "resume", cause);
		free(cause);
		return R_REDRAW;
	}
	fl->run = r;
	fl->journal = false;
	fl->journal_known = false;
	u->actions_requested++;
	evlog_add(&u->log, wall_s(), EV_ACTION, SEV_INFO, cname(u, c), r->def->name, 0, "%s by the operator",
		  rollback ? "rollback started" : "resumed");
	return R_REDRAW;
}

unsigned flow_prompt_answer(struct ui *u, const struct prompt *p, bool yes)
{
	size_t c = p->cluster;
	struct ui_flow *fl = c < u->a->n_clusters ? flow_of(u, c) : NULL;

	if (!fl)
		return R_BAR;
	if (yes && u->read_only && p->flow != FP_QUIT) {
		/* Cannot happen (the keys are refused first); belt and braces. */
		ui_status(u, TP_WARNING, 8, "read-only: workflows refused");
		return R_BAR;
	}
	switch (p->flow) {
	case FP_START:
		if (!fl->run || fl->started)
			return R_BAR;
		if (!yes) {
			char name[64];
			str_copy(name, fl->run->def->name, sizeof(name));
			flow_reset(u, c);
			note(u, c, TP_STATUS, "%s cancelled: nothing was changed.", name);
			ui_status(u, TP_STATUS, 5, "%s on %s cancelled: nothing was changed", name, cname(u, c));
			return R_REDRAW | R_BAR;
		}
		u->actions_requested++;
		fl->started = true;
		fl->journal_known = false;
		evlog_add(&u->log, wall_s(), EV_ACTION, SEV_INFO, cname(u, c), fl->run->def->name, 0,
			  "started by the operator");
		ui_status(u, TP_STATUS, 5, "%s on %s started", fl->run->def->name, cname(u, c));
		wf_start(fl->run);
		return R_REDRAW | R_BAR;
	case FP_RESUME:
	case FP_ROLLBACK:
		if (!yes) {
			ui_status(u, TP_STATUS, 5, "nothing was changed; the journal stays");
			return R_BAR;
		}
		return start_journal(u, c, p->flow == FP_ROLLBACK) | R_BAR;
	case FP_ABORT:
		if (!yes || !run_live(fl)) {
			ui_status(u, TP_STATUS, 5, "the workflow goes on");
			return R_BAR;
		}
		wf_abort(fl->run, "aborted by the operator");
		return R_REDRAW | R_BAR;
	case FP_QUIT:
		if (!yes) {
			ui_status(u, TP_STATUS, 5, "not quitting: the workflow goes on");
			return R_BAR;
		}
		flow_quit(u, "the operator quit the console");
		return R_QUIT;
	default:
		return R_BAR;
	}
}

void flow_pump(struct ui *u)
{
	size_t c;
	/* Not while something else is typed or asked: its keys would answer. */
	if (u->prompt.active || u->secret.active || u->override.active || u->form.active)
		return;
	for (c = 0; c < u->a->n_clusters; c++) {
		struct ui_flow *fl = flow_of(u, c);
		struct prompt *p = &u->prompt;
		if (!fl->run || fl->prompted || fl->started || fl->run->state != WF_PLAN)
			continue;
		memset(p, 0, sizeof(*p));
		p->cluster = c;
		p->flow = FP_START;
		/* Names the cluster, the node, the peer's state and what happens. */
		wf_question(fl->run, p->text, sizeof(p->text));
		p->shown_at = now_ms();
		fl->prompted = true;
		p->active = true;
		u->status[0] = '\0';
		u->dirty |= R_BAR | R_REDRAW;
		return;
	}
}

/* ---- one-key actions ---------------------------------------------------- */

unsigned flow_key_action(struct ui *u, const char *name, int node)
{
	size_t c = u->cur;
	char arg[128], *argv[1] = { arg };
	const char *why;

	if (!u->a->n_clusters || u->wall || u->read_only)
		return R_NONE;
	if ((why = busy(u, c))) {
		ui_status(u, TP_WARNING, 8, "%s refused: %s", name, why);
		return R_BAR;
	}
	flow_refresh(u, c);
	if (flow_of(u, c)->journal) {
		ui_status(u, TP_WARNING, 10, "cluster %s has an unfinished %s: finish it first (6, then R resumes, U undoes)",
			  cname(u, c), flow_of(u, c)->journal_wf[0] ? flow_of(u, c)->journal_wf : "workflow");
		return R_BAR;
	}
	str_printf(arg, sizeof(arg), "node=%s", ui_node(u, c, node)->name);
	ui_status(u, TP_STATUS, 0, "%s on %s: reading both nodes' current state first...", name, ui_node(u, c, node)->name);
	return begin(u, c, name, wf_param_spec(wf_find(name), "node") ? 1 : 0, argv, false, true) |
	       R_BAR;
}

/* ---- typed override of an interlock -------------------------------------- */

void flow_override_text(const struct ui *u, char *dst, size_t n)
{
	const struct override_entry *o = &u->override;
	str_printf(dst, n, "REFUSED %s: %s. To override, type the cluster's name (%s) and Enter (audited); Esc cancels: %s",
		   o->def->name, o->why, cname(u, o->cluster), o->typed);
}

unsigned flow_override_key(struct ui *u, int key)
{
	struct override_entry *o = &u->override;
	size_t len = strlen(o->typed);
	char *argv[FLOW_MAX_ARGS];
	int i;

	switch (key) {
	case KEYC_ESC:
		o->active = false;
		ui_status(u, TP_STATUS, 5, "%s not overridden: nothing was changed", o->def->name);
		return R_BAR;
	case KEYC_BACKSPACE:
		if (len)
			o->typed[len - 1] = '\0';
		return R_BAR;
	case KEYC_ENTER:
		o->active = false;
		if (!str_eq(o->typed, cname(u, o->cluster))) {
			ui_status(u, TP_WARNING, 8, "'%s' is not the cluster's name: not overridden, nothing was changed",
				  o->typed);
			return R_BAR;
		}
		{
			char detail[400];
			str_printf(detail, sizeof(detail), "cluster name typed in the console; overrides: %s", o->why);
			audit_log(cname(u, o->cluster), "-", o->def->name, "override", detail);
		}
		evlog_add(&u->log, wall_s(), EV_ACTION, SEV_WARNING, cname(u, o->cluster), o->def->name, 0,
			  "interlock overridden by the operator (cluster name typed): %s", o->why);
		for (i = 0; i < o->argc; i++)
			argv[i] = o->args[i];
		/* The run is prepared again with the override: the question
		 * that follows says OVERRIDE, and y still has to be typed. */
		return begin(u, o->cluster, o->def->name, o->argc, argv, true, o->one_key) | R_BAR;
	default:
		if (key > ' ' && key < 0x7f && len + 1 < sizeof(o->typed)) {
			o->typed[len] = (char)key;
			o->typed[len + 1] = '\0';
		}
		return R_BAR;
	}
}

/* ---- checkpoints: pending, answered only by y or n ------------------------ */

long flow_checkpoint(const struct ui *u)
{
	size_t c;
	if (u->a->n_clusters && u->cur < u->a->n_clusters) {
		const struct ui_flow *fl = &u->cl[u->cur].flow;
		if (run_live(fl) && fl->run->state == WF_ASKING)
			return (long)u->cur;
	}
	for (c = 0; c < u->a->n_clusters; c++) {
		const struct ui_flow *fl = &u->cl[c].flow;
		if (run_live(fl) && fl->run->state == WF_ASKING)
			return (long)c;
	}
	return -1;
}

void flow_checkpoint_text(const struct ui *u, size_t c, char *dst, size_t n)
{
	const struct wf_run *r = u->cl[c].flow.run;
	char title[160];
	wf_step_describe(r, r->step, title, sizeof(title));
	str_printf(dst, n, "CHECKPOINT %s on cluster %s, step %d of %d: %s. Checked? y goes on, n stops (keys keep "
		   "working meanwhile) [y/N]", r->def->name, cname(u, c), r->step + 1, wf_step_count(r), title);
}

unsigned flow_checkpoint_answer(struct ui *u, size_t c, bool yes)
{
	struct ui_flow *fl = flow_of(u, c);
	if (!run_live(fl) || fl->run->state != WF_ASKING)
		return R_NONE;
	if (now_ms() - fl->run->asked_at < ANSWER_GUARD_MS) {
		/* Typed for something else as the question appeared. */
		ui_status(u, TP_WARNING, 3, "the checkpoint just appeared: read it, then answer y or n");
		return R_BAR;
	}
	if (yes && u->read_only)
		return R_BAR;
	evlog_add(&u->log, wall_s(), EV_ACTION, SEV_INFO, cname(u, c), fl->run->def->name, 0,
		  "step %d %s by the operator", fl->run->step + 1, yes ? "confirmed" : "declined");
	wf_answer(fl->run, yes);
	return R_REDRAW | R_BAR;
}

bool flow_prompt_guarded(const struct prompt *p)
{
	bool risky = p->flow == FP_START || p->flow == FP_RESUME || p->flow == FP_ROLLBACK;
	return risky && now_ms() - p->shown_at < ANSWER_GUARD_MS;
}

void flow_quit(struct ui *u, const char *why)
{
	size_t c;
	for (c = 0; c < u->a->n_clusters; c++) {
		struct ui_flow *fl = flow_of(u, c);
		/* wf_abort stops it the way a failure does: nothing more is
		 * sent, the journal stays for a resume or a rollback. */
		if (run_live(fl))
			wf_abort(fl->run, why);
		flow_reset(u, c);
	}
}
