/* Key handling: curses key codes to carptop's (src/core/keytab.h), the table's
 * commands to their handlers, the confirmation of mutating keys, the
 * function bar and the help overlay, all driven by the one key table.
 * Handlers change the console's state and return reaction bits; none draws. */
#include "ui_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "build_config.h"
#include "util.h"

typedef unsigned (*key_handler)(struct ui *u, const struct key_binding *b);

int ui_translate_key(int is_key, wint_t ch)
{
	if (!is_key) {
		switch (ch) {
		case '\r':
		case '\n':
			return KEYC_ENTER;
		case 27:
			return KEYC_ESC;
		case '\t':
			return KEYC_TAB;
		case 127:
		case 8:
			return KEYC_BACKSPACE;
		default:
			return (int)ch;
		}
	}
	if (ch >= (wint_t)KEY_F(1) && ch <= (wint_t)KEY_F(12))
		return KEYC_F1 + (int)(ch - KEY_F(1));
	switch (ch) {
	case KEY_UP:
		return KEYC_UP;
	case KEY_DOWN:
		return KEYC_DOWN;
	case KEY_LEFT:
		return KEYC_LEFT;
	case KEY_RIGHT:
		return KEYC_RIGHT;
	case KEY_PPAGE:
		return KEYC_PGUP;
	case KEY_NPAGE:
		return KEYC_PGDN;
	case KEY_HOME:
		return KEYC_HOME;
	case KEY_END:
		return KEYC_END;
	case KEY_ENTER:
		return KEYC_ENTER;
	case KEY_BTAB:
		return KEYC_BTAB;
	case KEY_BACKSPACE:
		return KEYC_BACKSPACE;
	case KEY_RESIZE:
		return KEYC_RESIZE;
	case KEY_MOUSE:
		return KEYC_MOUSE;
	default:
		return -1;
	}
}

/* ---- navigation ------------------------------------------------------- */

static unsigned k_help(struct ui *u, const struct key_binding *b)
{
	u->help = true;
	u->help_scroll = 0;
	return R_REDRAW;
}

static unsigned k_quit(struct ui *u, const struct key_binding *b)
{
	struct prompt *p = &u->prompt;
	size_t c;
	if (!flow_running(u, -1))
		return R_QUIT;
	/* Quitting stops a running workflow: say so and ask first. */
	for (c = 0; c < u->a->n_clusters && !flow_running(u, (long)c); c++)
		;
	memset(p, 0, sizeof(*p));
	p->flow = FP_QUIT;
	p->cluster = c;
	str_printf(p->text, sizeof(p->text), "%s is running on cluster %s. Quit? It is stopped safely: nothing more is "
		   "sent and it stays resumable. [y/N]", u->cl[c].flow.run->def->name, u->a->clusters[c].conf->name);
	p->active = true;
	return R_BAR;
}

static unsigned k_screen(struct ui *u, const struct key_binding *b)
{
	static const enum ui_screen of[UC__COUNT] = {
		[UC_SCREEN_OVERVIEW] = SCR_OVERVIEW, [UC_SCREEN_PAIR] = SCR_PAIR, [UC_SCREEN_NODE] = SCR_NODE,
		[UC_SCREEN_EVENTS] = SCR_EVENTS, [UC_SCREEN_DRIFT] = SCR_DRIFT, [UC_SCREEN_WORKFLOW] = SCR_WORKFLOW,
	};
	return ui_go_screen(u, of[b->cmd]);
}

/* Up/Down and the page keys, per screen (its move hook). */
static unsigned move_by(struct ui *u, int delta, bool paging)
{
	const struct screen_class *sc = screen_class_of(u->screen);
	return sc->move_by ? sc->move_by(u, delta, paging) : R_NONE;
}

/* A page: the screen's own (the overview turns whole pages), else the
 * scrolled screens keep one line of the last page. */
static int page(const struct ui *u)
{
	const struct screen_class *sc = screen_class_of(u->screen);
	if (sc->page)
		return sc->page(u);
	return u->page_rows > 1 ? u->page_rows - 1 : 1;
}

/* The wall's pages: PgDn and PgUp turn one (round), Home and End go to
 * the first and the last; the page then shows its full time again. */
static unsigned wall_turn(struct ui *u, enum ui_cmd cmd)
{
	int n = u->wall_pages > 1 ? u->wall_pages : 1;
	switch (cmd) {
	case UC_PAGE_DOWN:
	case UC_NEXT_CLUSTER:
		u->wall_page = (u->wall_page + 1) % n;
		break;
	case UC_PAGE_UP:
	case UC_PREV_CLUSTER:
		u->wall_page = (u->wall_page + n - 1) % n;
		break;
	case UC_TOP:
		u->wall_page = 0;
		break;
	case UC_BOTTOM:
		u->wall_page = n - 1;
		break;
	default:
		return R_NONE;
	}
	u->wall_page_since = now_ms();
	return R_REDRAW;
}

static unsigned k_move(struct ui *u, const struct key_binding *b)
{
	if (u->wall)
		return wall_turn(u, b->cmd);
	switch (b->cmd) {
	case UC_UP:
		return move_by(u, -1, false);
	case UC_DOWN:
		return move_by(u, 1, false);
	case UC_PAGE_UP:
		return move_by(u, -page(u), true);
	case UC_PAGE_DOWN:
		return move_by(u, page(u), true);
	case UC_TOP:
		return move_by(u, -(1 << 20), false);
	case UC_BOTTOM:
		return move_by(u, 1 << 20, false);
	default:
		return R_NONE;
	}
}

static unsigned k_open(struct ui *u, const struct key_binding *b)
{
	const struct screen_class *sc = screen_class_of(u->screen);
	enum ui_screen go = SCR__COUNT;
	enum ui_cmd then = UC__COUNT;
	unsigned r;
	if (u->wall || !sc->open)
		return R_NONE;
	r = sc->open(u, &go, &then);
	if (go != SCR__COUNT)
		r |= ui_go_screen(u, go);
	if (then != UC__COUNT)
		r |= keys_dispatch(u, keytab_for_cmd(then)->key);
	return r;
}

static unsigned k_back(struct ui *u, const struct key_binding *b)
{
	const struct screen_class *sc = screen_class_of(u->screen);
	unsigned r;
	if (u->wall)
		return R_NONE;
	/* Esc undoes the last narrowing first: the screen's own (the pair
	 * view's findings focus), then the filter; then it leaves. */
	if (sc->back && (r = sc->back(u)) != R_NONE)
		return r;
	if (u->filter[0] && sc->filtered) {
		u->filter[0] = '\0';
		ui_status(u, TP_STATUS, 3, "filter cleared");
		return R_REDRAW;
	}
	return ui_go_screen(u, sc->parent);
}

static unsigned k_other_node(struct ui *u, const struct key_binding *b)
{
	struct ui_cluster *c;
	if (u->wall || !u->a->n_clusters)
		return R_NONE;
	c = &u->cl[u->cur];
	c->sel_node ^= 1;
	u->scroll = 0;
	ui_status(u, TP_STATUS, 5, "selected %s (%s): the target of m, d and e", ui_node(u, u->cur, c->sel_node)->name,
		  node_role_name(u->a->clusters[u->cur].conf->nodes[c->sel_node].role));
	return R_REDRAW;
}

static unsigned k_cluster(struct ui *u, const struct key_binding *b)
{
	size_t n = u->a->n_clusters;
	if (!n)
		return R_NONE;
	if (u->wall)
		return wall_turn(u, b->cmd); /* [ and ] turn the pages too */
	u->scroll = 0;
	u->focus_findings = false;
	return ui_move_cluster(u, b->cmd == UC_NEXT_CLUSTER ? 1 : -1, true);
}

static unsigned k_filter(struct ui *u, const struct key_binding *b)
{
	if (u->wall)
		return R_NONE;
	if (!screen_class_of(u->screen)->filtered) {
		ui_status(u, TP_STATUS, 5, "%s filters the overview, the pair view's findings and the event log", b->label);
		return R_BAR;
	}
	u->filter_edit = true;
	u->status[0] = '\0';
	return R_REDRAW;
}

static unsigned k_sort(struct ui *u, const struct key_binding *b)
{
	if (u->wall)
		return R_NONE;
	if (u->screen != SCR_OVERVIEW) {
		ui_status(u, TP_STATUS, 5, "%s sorts the overview (1)", b->label);
		return R_BAR;
	}
	u->sort = (u->sort + 1) % SORT__COUNT;
	ui_status(u, TP_STATUS, 5, "overview sorted by %s (%s: next column)", sort_name(u->sort), b->label);
	return R_REDRAW;
}

static unsigned k_findings(struct ui *u, const struct key_binding *b)
{
	if (u->wall || !u->a->n_clusters)
		return R_NONE;
	if (u->screen != SCR_PAIR)
		ui_go_screen(u, SCR_PAIR);
	u->focus_findings = !u->focus_findings;
	if (u->focus_findings) {
		pair_move_finding(u, 0);
		ui_status(u, TP_STATUS, 5, "findings: Up/Down select, Enter opens, Esc or f back to the VHIDs");
	}
	return R_REDRAW;
}

/* A shell with job control started us in a process group of our own:
 * only then is there someone to bring us back with fg. */
static bool job_control(void)
{
	pid_t pg = getpgrp();
	return tcgetpgrp(STDIN_FILENO) == pg && getsid(0) != pg;
}

static unsigned k_suspend(struct ui *u, const struct key_binding *b)
{
	void (*old)(int);
	struct winsize ws;
	if (flow_running(u, -1)) {
		ui_status(u, TP_WARNING, 8, "a workflow is running: %s refused (it would stall with the nodes half-changed)",
			  b->label);
		return R_BAR;
	}
	if (!job_control()) {
		ui_status(u, TP_STATUS, 8, "%s: no shell with job control to return to (q quits)", b->label);
		return R_BAR;
	}
	def_prog_mode();
	endwin();
	old = signal(SIGTSTP, SIG_DFL);
	kill(0, SIGTSTP); /* the whole job, as a shell's ^Z would */
	signal(SIGTSTP, old);
	reset_prog_mode();
	/* The terminal may have changed size while we were stopped. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	return R_CLEAR | R_RESIZE | R_REFRESH;
}

static unsigned k_poll(struct ui *u, const struct key_binding *b)
{
	app_poll_all(u->a, true);
	ui_status(u, TP_STATUS, 3, "polling every node now");
	return R_BAR;
}

static unsigned k_redraw(struct ui *u, const struct key_binding *b)
{
	return R_CLEAR | R_REFRESH;
}

static unsigned k_mouse(struct ui *u, const struct key_binding *b)
{
	u->mouse = !u->mouse;
	/* Presses only, reported at once: no click timing to wait for. */
	mouseinterval(0);
	mousemask(u->mouse ? (BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0, NULL);
	ui_status(u, TP_STATUS, 5, "mouse %s", u->mouse ? "on: click a line or a bar entry" : "off");
	return R_BAR;
}

/* ---- mutating keys: one-step workflows ---------------------------------- */

/* m, d, e and s start the matching one-step workflow (src/workflow/tables.c):
 * the engine reads both nodes, decides the interlocks, and only then asks
 * a question that names the cluster, the node, the peer's state and the
 * consequence. The same pre-checks, lock, journal, verification and audit
 * as --run; no other path can change a node (backend.h). */
static unsigned k_mutate(struct ui *u, const struct key_binding *b)
{
	const struct snapshot *s;
	const char *wf;
	int node;

	if (!u->a->n_clusters)
		return R_NONE;
	if (flow_running(u, (long)u->cur)) {
		/* The workflow owns the cluster's nodes until it ends. */
		ui_status(u, TP_WARNING, 8, "a workflow is running on cluster %s: %s refused (X aborts the workflow)",
			  u->a->clusters[u->cur].conf->name, b->label);
		return R_BAR;
	}
	/* A config sync is pushed by the primary whichever node is selected. */
	node = b->cmd == UC_SYNC ? 0 : u->cl[u->cur].sel_node;
	s = &u->a->clusters[u->cur].node[node].snap;
	switch (b->cmd) {
	case UC_MAINTENANCE:
		/* The toggle's direction from the flag; the workflow reads it
		 * again, fresh, and never toggles blind. */
		wf = s->reachable && s->carp.known && s->carp.maintenance ? "maintenance-leave" : "maintenance-enter";
		break;
	case UC_CARP_DISABLE:
		wf = "carp-disable";
		break;
	case UC_CARP_ENABLE:
		wf = "carp-enable";
		break;
	default:
		wf = "sync";
		break;
	}
	return flow_key_action(u, wf, node);
}

/* ---- ssh: passphrase and host key (local trust, no node call) ----------- */

/* The selected node if it is an ssh node, or NULL (with a status saying why). */
static const struct app_node *ssh_selected(struct ui *u, const struct key_binding *b, int *node)
{
	const struct app_node *an;
	if (u->wall || !u->a->n_clusters)
		return NULL;
	*node = u->cl[u->cur].sel_node;
	an = &u->a->clusters[u->cur].node[*node];
	if (!app_node_has_trust(an)) {
		ui_status(u, TP_STATUS, 5, "%s: %s is not an ssh node (Tab selects the other node)", b->label,
			  ui_node(u, u->cur, *node)->name);
		return NULL;
	}
	return an;
}

void keys_secret_text(const struct ui *u, char *dst, size_t n)
{
	str_printf(dst, n, "Passphrase of %s's identity file (not shown; Enter uses it, Esc cancels): ",
		   ui_node(u, u->secret.cluster, u->secret.node)->name);
}

void keys_secret_wipe(struct ui *u)
{
	explicit_bzero(u->secret.value, sizeof(u->secret.value));
	u->secret.len = 0;
	u->secret.active = false;
}

static unsigned k_passphrase(struct ui *u, const struct key_binding *b)
{
	const struct app_node *an;
	int node;
	if (!(an = ssh_selected(u, b, &node)))
		return R_BAR;
	if (!app_node_needs_passphrase(an)) {
		ui_status(u, TP_STATUS, 5, "%s: no passphrase is needed (the identity file is not encrypted, or an "
			  "ssh-agent key works)", ui_node(u, u->cur, node)->name);
		return R_BAR;
	}
	keys_secret_wipe(u);
	u->secret.cluster = u->cur;
	u->secret.node = node;
	u->secret.active = true;
	u->status[0] = '\0';
	return R_BAR;
}

/* Append code point key as UTF-8 to the passphrase; false if it is full. */
static bool secret_put(struct secret_entry *s, int key)
{
	unsigned char enc[4];
	size_t n, i;
	unsigned c = (unsigned)key;
	if (c < 0x80) {
		enc[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		enc[0] = (unsigned char)(0xc0 | (c >> 6));
		enc[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		enc[0] = (unsigned char)(0xe0 | (c >> 12));
		enc[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		enc[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		enc[0] = (unsigned char)(0xf0 | (c >> 18));
		enc[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		enc[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		enc[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (s->len + n >= sizeof(s->value))
		return false;
	for (i = 0; i < n; i++)
		s->value[s->len++] = (char)enc[i];
	s->value[s->len] = '\0';
	explicit_bzero(enc, sizeof(enc));
	return true;
}

static unsigned secret_key(struct ui *u, int key)
{
	struct secret_entry *s = &u->secret;
	const char *name = ui_node(u, s->cluster, s->node)->name;
	char *cause = NULL;

	switch (key) {
	case KEYC_ESC:
		keys_secret_wipe(u);
		ui_status(u, TP_STATUS, 5, "passphrase for %s cancelled", name);
		return R_BAR;
	case KEYC_BACKSPACE:
		/* Drop the last character (a whole UTF-8 sequence). */
		while (s->len > 0 && ((unsigned char)s->value[--s->len] & 0xc0) == 0x80)
			s->value[s->len] = '\0';
		s->value[s->len] = '\0';
		return R_NONE;
	case KEYC_ENTER:
		if (!s->len) {
			ui_status(u, TP_WARNING, 5, "empty passphrase: type it, or Esc cancels");
			return R_BAR;
		}
		/* The app audits it (that it was entered, never what) and
		 * refuses it in read-only mode. */
		if (app_node_passphrase(u->a, s->cluster, s->node, s->value, &cause) < 0) {
			keys_secret_wipe(u);
			ui_status(u, TP_WARNING, 8, "passphrase for %s not used: %s", name, cause);
			free(cause);
			return R_BAR;
		}
		keys_secret_wipe(u);
		evlog_add(&u->log, wall_s(), EV_ACTION, SEV_INFO, u->a->clusters[s->cluster].conf->name, name, 0,
			  "identity file passphrase entered by the operator");
		ui_status(u, TP_STATUS, 8, "passphrase for %s kept in memory; logging in again...", name);
		return R_BAR | R_REDRAW;
	default:
		/* Any character, spaces and non-ASCII included; no control keys. */
		if (key >= ' ' && key != 0x7f && key < KEYC_BASE && !(key >= 0xd800 && key < 0xe000) &&
		    !secret_put(s, key))
			ui_status(u, TP_WARNING, 5, "passphrase too long (at most %zu bytes)", sizeof(s->value) - 1);
		return R_NONE;
	}
}

static unsigned k_hostkey(struct ui *u, const struct key_binding *b)
{
	struct prompt *p = &u->prompt;
	const struct snapshot *s;
	const struct app_node *an;
	char fp[128];
	const char *type = NULL, *name;
	bool unknown = false;
	int node;

	if (!(an = ssh_selected(u, b, &node)))
		return R_BAR;
	name = ui_node(u, u->cur, node)->name;
	s = &an->snap;
	if (!app_node_hostkey(an, fp, sizeof(fp), &type, &unknown)) {
		ui_status(u, TP_STATUS, 5, "%s: no host key seen yet", name);
		return R_BAR;
	}
	if (!unknown && s->err != NERR_HOSTKEY_UNKNOWN) {
		ui_status(u, s->err == NERR_HOSTKEY_CHANGED ? TP_CRITICAL : TP_STATUS, 10,
			  "%s %s key %s: %s", name, type ? type : "host", fp,
			  s->err == NERR_HOSTKEY_CHANGED ? "CHANGED: not accepted here, check it at a shell"
							 : "already known, nothing to accept");
		return R_BAR;
	}
	memset(p, 0, sizeof(*p));
	p->hostkey = true;
	p->cluster = u->cur;
	p->node = node;
	str_printf(p->text, sizeof(p->text), "%s offers %s key %s. Accept this host key for %s (compare it with the "
		   "node's own fingerprint first)? [y/N]", name, type ? type : "a", fp, name);
	p->active = true;
	u->status[0] = '\0';
	return R_BAR;
}

static unsigned hostkey_answer(struct ui *u, const struct prompt *p, bool yes)
{
	const char *name = ui_node(u, p->cluster, p->node)->name;
	char *cause = NULL;

	if (!yes) {
		ui_status(u, TP_STATUS, 5, "host key of %s not accepted", name);
		return R_BAR;
	}
	if (app_node_accept_hostkey(u->a, p->cluster, p->node, p->text, &cause) < 0) {
		ui_status(u, TP_CRITICAL, 10, "host key of %s not accepted: %s", name, cause ? cause : "refused");
		free(cause);
		return R_BAR;
	}
	evlog_add(&u->log, wall_s(), EV_ACTION, SEV_INFO, u->a->clusters[p->cluster].conf->name, name, 0,
		  "host key accepted into known_hosts by the operator");
	ui_status(u, TP_STATUS, 8, "host key of %s accepted; connecting again...", name);
	return R_BAR | R_REDRAW;
}

static unsigned prompt_answer(struct ui *u, int key)
{
	struct prompt p = u->prompt;

	/* A key pressed as a risky question appeared was meant for
	 * something else: it is not the answer, the question stays. */
	if (flow_prompt_guarded(&p))
		return R_NONE;
	u->prompt.active = false;
	u->prompt.hostkey = false;
	if (p.hostkey)
		return hostkey_answer(u, &p, key == 'y' || key == 'Y');
	return flow_prompt_answer(u, &p, key == 'y' || key == 'Y');
}

static unsigned k_workflow(struct ui *u, const struct key_binding *b)
{
	switch (b->cmd) {
	case UC_WF_RUN:
		return flow_key_run(u);
	case UC_WF_RESUME:
		return flow_key_journal(u, false);
	case UC_WF_ROLLBACK:
		return flow_key_journal(u, true);
	default:
		return flow_key_abort(u);
	}
}

static unsigned k_replay(struct ui *u, const struct key_binding *b)
{
	return replay_ui_key(u, b->cmd);
}

static const key_handler handlers[UC__COUNT] = {
	[UC_HELP] = k_help,
	[UC_QUIT] = k_quit,
	[UC_SCREEN_OVERVIEW] = k_screen,
	[UC_SCREEN_PAIR] = k_screen,
	[UC_SCREEN_NODE] = k_screen,
	[UC_SCREEN_EVENTS] = k_screen,
	[UC_SCREEN_DRIFT] = k_screen,
	[UC_SCREEN_WORKFLOW] = k_screen,
	[UC_UP] = k_move,
	[UC_DOWN] = k_move,
	[UC_PAGE_UP] = k_move,
	[UC_PAGE_DOWN] = k_move,
	[UC_TOP] = k_move,
	[UC_BOTTOM] = k_move,
	[UC_OPEN] = k_open,
	[UC_BACK] = k_back,
	[UC_OTHER_NODE] = k_other_node,
	[UC_PREV_CLUSTER] = k_cluster,
	[UC_NEXT_CLUSTER] = k_cluster,
	[UC_POLL_NOW] = k_poll,
	[UC_REDRAW] = k_redraw,
	[UC_MOUSE] = k_mouse,
	[UC_FILTER] = k_filter,
	[UC_SORT] = k_sort,
	[UC_FINDINGS] = k_findings,
	[UC_SUSPEND] = k_suspend,
	[UC_MAINTENANCE] = k_mutate,
	[UC_CARP_DISABLE] = k_mutate,
	[UC_CARP_ENABLE] = k_mutate,
	[UC_SYNC] = k_mutate,
	[UC_WF_RUN] = k_workflow,
	[UC_WF_RESUME] = k_workflow,
	[UC_WF_ROLLBACK] = k_workflow,
	[UC_WF_ABORT] = k_workflow,
	[UC_SSH_PASSPHRASE] = k_passphrase,
	[UC_SSH_HOSTKEY] = k_hostkey,
	[UC_REPLAY_PREV] = k_replay,
	[UC_REPLAY_NEXT] = k_replay,
	[UC_REPLAY_TIME] = k_replay,
	[UC_REPLAY_FASTER] = k_replay,
	[UC_REPLAY_SLOWER] = k_replay,
	[UC_REPLAY_PAUSE] = k_replay,
};

/* ---- mouse ------------------------------------------------------------ */

static unsigned mouse_event(struct ui *u)
{
	MEVENT ev;
	int i;
	if (getmouse(&ev) != OK)
		return R_NONE;
	if (ev.bstate & BUTTON4_PRESSED)
		return keys_dispatch(u, KEYC_UP);
	if (ev.bstate & BUTTON5_PRESSED)
		return keys_dispatch(u, KEYC_DOWN);
	if (!(ev.bstate & BUTTON1_PRESSED))
		return R_NONE;
	if (u->help) {
		u->help = false;
		return R_REDRAW;
	}
	if (!u->wall && ev.y == u->rows - 1) {
		for (i = 0; i < u->n_bar; i++)
			if (ev.x >= u->bar[i].x0 && ev.x < u->bar[i].x1)
				return keys_dispatch(u, u->bar[i].key);
		return R_NONE;
	}
	/* The line clicked, as the screen marked it when it drew. */
	if (!u->wall && screen_class_of(u->screen)->click)
		return screen_class_of(u->screen)->click(u, ev.y, ev.x);
	return R_NONE;
}

/* ---- dispatch --------------------------------------------------------- */

unsigned keys_dispatch(struct ui *u, int key)
{
	const struct key_binding *b;

	if (key == KEYC_RESIZE)
		return R_RESIZE;
	if (key == KEYC_MOUSE) {
		if (u->secret.active) {
			/* A click must not type into the passphrase. */
			MEVENT ev;
			getmouse(&ev);
			return R_NONE;
		}
		return mouse_event(u);
	}
	/* Any key acknowledges a theme error. */
	if (u->theme_error[0]) {
		u->theme_error[0] = '\0';
		u->dirty |= R_BAR;
	}
	if (u->prompt.active)
		return prompt_answer(u, key);
	if (u->secret.active)
		return secret_key(u, key);
	if (u->override.active)
		return flow_override_key(u, key);
	if (u->form.active)
		return flow_form_key(u, key);
	if (replay_ui_typing(u))
		return replay_ui_type(u, key);
	if (u->filter_edit)
		return filter_key(u, key);
	if (u->finding_open) {
		/* Up/Down page through the findings; any other key closes it. */
		b = keytab_find(key);
		if (b && (b->cmd == UC_UP || b->cmd == UC_DOWN))
			return pair_move_finding(u, b->cmd == UC_UP ? -1 : 1);
		u->finding_open = false;
		return R_REDRAW;
	}
	/* A pending checkpoint is not modal: y and n answer it, every other
	 * key (2, ?, q, arrows, Esc) keeps its meaning and leaves it pending. */
	if (!u->help && (key == 'y' || key == 'n')) {
		long c = flow_checkpoint(u);
		if (c >= 0)
			return flow_checkpoint_answer(u, (size_t)c, key == 'y');
	}
	if (u->help) {
		/* Scroll keys scroll the help; any other key closes it. */
		b = keytab_find(key);
		if (b && (b->cmd == UC_UP || b->cmd == UC_DOWN || b->cmd == UC_PAGE_UP || b->cmd == UC_PAGE_DOWN)) {
			int d = b->cmd == UC_UP ? -1 : b->cmd == UC_DOWN ? 1 : b->cmd == UC_PAGE_UP ? -10 : 10;
			u->help_scroll = ui_clamp(u->help_scroll + d, 0, (int)n_key_table);
			return R_REDRAW;
		}
		u->help = false;
		return R_REDRAW;
	}
	b = keytab_find(key);
	if (!b) {
		ui_status(u, TP_STATUS, 3, "no such key; ? shows the keys");
		return R_BAR;
	}
	if (b->ro_inactive && u->read_only) {
		/* Read-only is data: the table says which keys mutate. */
		ui_status(u, TP_WARNING, 5, "read-only: %s refused",
			  b->cmd == UC_MAINTENANCE    ? action_name(ACT_MAINTENANCE_TOGGLE)
			  : b->cmd == UC_CARP_DISABLE ? action_name(ACT_CARP_DISABLE)
			  : b->cmd == UC_CARP_ENABLE  ? action_name(ACT_CARP_ENABLE)
			  : b->cmd == UC_SYNC	      ? action_name(ACT_SYNC)
			  : b->cmd == UC_SSH_PASSPHRASE ? "ssh passphrase"
			  : b->cmd == UC_SSH_HOSTKEY  ? "accepting a host key"
						      : "workflow");
		return R_BAR;
	}
	return handlers[b->cmd] ? handlers[b->cmd](u, b) : R_NONE;
}

/* ---- function bar and help -------------------------------------------- */

void draw_function_bar(struct ui *u, int y)
{
	size_t i;
	int x = 0;
	attr_t kattr = ui_attr(u, TP_BAR_KEY), tattr = ui_attr(u, TP_BAR_TEXT);
	attr_t off = ui_attr(u, TP_INACTIVE);

	const struct key_binding *quit = keytab_for_cmd(UC_QUIT);
	int room = u->cols - (int)strlen(quit->label) - (int)strlen(quit->bar) - 1;

	u->n_bar = 0;
	draw_fill(u, y, 0, u->cols, tattr);
	for (i = 0; i < n_key_table && x < u->cols; i++) {
		const struct key_binding *b = &key_table[i];
		bool inactive = b->ro_inactive && u->read_only;
		int x0 = x, w;
		char text[32];
		/* The keys of this screen only (and those of every screen). */
		if (!b->bar || (b->screens && !(b->screens & screen_class_of(u->screen)->keys)))
			continue;
		str_printf(text, sizeof(text), "%s ", b->bar);
		w = (int)strlen(b->label) + (int)strlen(text);
		if (x + w > room && b->cmd != UC_QUIT)
			continue; /* keep room for Quit, drop what does not fit */
		x += draw_text(u, y, x, -1, inactive ? off : kattr, b->label);
		x += draw_text(u, y, x, -1, inactive ? off : tattr, text);
		if (u->n_bar < (int)ARRAY_LEN(u->bar))
			u->bar[u->n_bar++] = (struct bar_hit){ x0, x, b->key };
	}
	if (u->read_only && x + 12 <= u->cols)
		draw_text(u, y, u->cols - 11, 11, tattr | A_BOLD, "[read-only]");
}

void draw_help(struct ui *u)
{
	int top = 1, bottom = u->rows - 2; /* keep the header and the bar */
	int h = bottom - top, w = u->cols, y, rows;
	size_t i;
	attr_t text = ui_attr(u, TP_TEXT), label = ui_attr(u, TP_BAR_KEY), off = ui_attr(u, TP_INACTIVE);

	if (u->wall) {
		top = 0;
		bottom = u->rows;
		h = bottom - top;
	}
	if (h < 4 || w < 20)
		return;
	for (y = top; y < bottom; y++)
		draw_fill(u, y, 0, w, text);
	draw_box(u, top, 0, h, w, ui_attr(u, TP_BORDER));
	draw_textf(u, top, 2, w - 4, ui_attr(u, TP_HEADER), " carptop %s keys ", CARPTOP_VERSION);
	y = top + 1;
	if (u->read_only) {
		draw_text(u, y++, 2, w - 4, ui_attr(u, TP_WARNING),
			  u->wall ? "Wall display: read-only, greyed keys are refused."
				  : "Read-only: greyed keys are refused (they would change a node).");
	}
	/* Rows for keys: up to the legend (bottom - 3) and the closing line. */
	rows = bottom - 3 - y;
	if (u->help_scroll > (int)n_key_table - rows)
		u->help_scroll = (int)n_key_table - rows > 0 ? (int)n_key_table - rows : 0;
	for (i = (size_t)u->help_scroll; i < n_key_table && y < bottom - 3; i++, y++) {
		const struct key_binding *b = &key_table[i];
		bool inactive = b->ro_inactive && u->read_only;
		if (y == bottom - 4 && i + 1 < n_key_table) {
			/* Say that more follows rather than let the list end. */
			draw_textf(u, y, 2, w - 4, ui_attr(u, TP_LABEL) | A_BOLD, "... %zu more below (Down, PgDn)",
				   n_key_table - i);
			break;
		}
		draw_text(u, y, 2, 8, inactive ? off : label, b->label);
		if (inactive)
			draw_textf(u, y, 10, w - 12, off, "[refused] %s", b->help);
		else
			draw_text(u, y, 10, w - 12, text, b->help);
	}
	/* The colours of the active theme, each in itself. */
	{
		static const struct { enum theme_part p; const char *what; } legend[] = {
			{ TP_OK, "OK" }, { TP_WARNING, "WARNING" }, { TP_CRITICAL, "CRITICAL" }, { TP_UNKNOWN, "UNKNOWN" },
			{ TP_STALE, "STALE data" }, { TP_MASTER, "MASTER" }, { TP_BACKUP, "BACKUP" },
			{ TP_INACTIVE, "greyed: read-only" },
		};
		size_t k;
		int x = 2;
		x += draw_text(u, bottom - 3, x, w - 2 - x, ui_attr(u, TP_LABEL), "Colours: ");
		for (k = 0; k < ARRAY_LEN(legend) && x < w - 2; k++) {
			x += draw_text(u, bottom - 3, x, w - 2 - x, ui_attr(u, legend[k].p), legend[k].what);
			x += draw_text(u, bottom - 3, x, w - 2 - x, text, "  ");
		}
	}
	draw_textf(u, bottom - 2, 2, w - 4, ui_attr(u, TP_LABEL), "%sany other key closes this help. Theme: %s",
		   u->help_scroll > 0 || i < n_key_table ? "Up/Down/PgUp/PgDn scroll; " : "", u->theme.name);
}
