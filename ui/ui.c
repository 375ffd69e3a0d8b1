/* The console's loop. The keyboard, SIGWINCH and the other signals (through
 * a self-pipe), a redraw tick and every backend's sockets and timers share
 * the one poll() loop (src/core/loop.h): a slow or hanging node never holds up a
 * key. Keys go to keys.c, which returns reaction bits; this file decides
 * from the bits how much to redraw, and draws only after the loop has
 * dispatched everything that was ready. */
#include "ui.h"
#include "ui_int.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "build_config.h"
#include "textfit.h"
#include "util.h"

#define TICK_MS 1000.0        /* data ages move on every second */
#define WALL_PAGE_MS 10000.0  /* how long a wall page of tiles shows */
#define EVENT_LOG_SIZE 2000

static int sig_write_fd = -1;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (sig_write_fd >= 0 && write(sig_write_fd, &c, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/* ---- app callbacks ---------------------------------------------------- */

static void on_update(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	struct ui *u = ctx;
	struct ui_cluster *uc;
	const struct snapshot *s;

	if (node < 0 || node >= CLUSTER_NODES) {
		u->dirty |= R_REFRESH;
		return;
	}
	uc = &u->cl[c - a->clusters];
	s = &c->node[node].snap;
	evlog_diff(&u->log, wall_s(), c->conf->name, c->conf->nodes[node].name,
		   uc->have_prev[node] ? &uc->prev[node] : NULL, s);
	snapshot_copy(&uc->prev[node], s);
	uc->have_prev[node] = true;
	ui_live_vhids(u, (size_t)(c - a->clusters));
	u->last_update = wall_s();
	/* Only this cluster's view is rebuilt (with 500 clusters a node answers
	 * every few milliseconds); the tick rebuilds them all for the ages. */
	uc->view_dirty = true;
	u->dirty |= R_DATA;
	/* The workflow engine hears the app itself (app_listen). */
}

static void on_action(struct app *a, struct app_cluster *c, int node, const struct action *act,
		      const struct action_result *r, void *ctx)
{
	struct ui *u = ctx;
	const char *name = c->conf->nodes[node].name;
	/* Every action is a workflow's (the engine alone may send one): its
	 * lines and its end say the rest. */
	evlog_add(&u->log, wall_s(), EV_ACTION, r->err == NERR_NONE ? SEV_INFO : SEV_CRITICAL, c->conf->name, name, 0,
		  "%s %s%s%s", action_name(act->kind), r->err == NERR_NONE ? "done" : "failed", r->message[0] ? ": " : "",
		  r->message);
	/* See the effect now rather than at the next interval. */
	app_poll_all(a, true);
	u->dirty |= R_REFRESH;
}

/* The CARP change stream: its ups and drops go to the event log; a drop
 * also to the status line (polling alone carries on). */
static void on_stream(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	struct ui *u = ctx;
	const struct app_node *n = &c->node[node];
	char text[SNAP_MSG_LEN + 64];
	(void)a;
	app_stream_describe(n, text, sizeof(text));
	evlog_add(&u->log, wall_s(), EV_STREAM, n->stream == AS_DOWN ? SEV_WARNING : SEV_INFO, c->conf->name,
		  c->conf->nodes[node].name, 0, "%s", text);
	if (n->stream == AS_DOWN)
		ui_status(u, TP_WARNING, 0, "%s: %s", c->conf->name, text);
	u->dirty |= R_REFRESH;
}

/* ---- loop inputs ------------------------------------------------------ */

static void on_stdin(int fd, short revents, void *arg)
{
	struct ui *u = arg;
	wint_t ch;
	int rc;
	/* Drain every key that is ready; get_wch does not block (nodelay). */
	while ((rc = get_wch(&ch)) != ERR) {
		int key = ui_translate_key(rc == KEY_CODE_YES, ch);
		if (key < 0)
			continue;
		u->dirty |= keys_dispatch(u, key);
		if (u->dirty & R_QUIT)
			break;
	}
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* The terminal went away: nothing left to show to. */
		u->dirty |= R_QUIT;
	}
}

static void on_sig_pipe(int fd, short revents, void *arg)
{
	struct ui *u = arg;
	unsigned char buf[64];
	ssize_t n, i;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH) {
				struct winsize ws;
				if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
					resizeterm(ws.ws_row, ws.ws_col);
				u->dirty |= R_RESIZE;
			} else {
				u->dirty |= R_QUIT;
			}
		}
	}
}

static void on_tick(void *arg)
{
	struct ui *u = arg;
	u->tick = loop_timer_add(u->loop, TICK_MS, on_tick, u);
	if (u->status[0] && u->status_until > 0 && wall_s() >= u->status_until) {
		u->status[0] = '\0';
		u->status_until = 0;
	}
	if (u->wall && u->wall_pages > 1 && now_ms() - u->wall_page_since >= WALL_PAGE_MS) {
		u->wall_page = (u->wall_page + 1) % u->wall_pages;
		u->wall_page_since = now_ms();
	}
	u->dirty |= R_REFRESH;
}

/* ---- drawing ---------------------------------------------------------- */

static void rebuild_view(struct ui *u, size_t i)
{
	struct ui_cluster *c = &u->cl[i];
	if (c->have_view)
		pair_free(&c->view);
	app_view(u->a, i, &c->view);
	c->have_view = true;
	c->view_dirty = false;
	if (c->sel_row >= (int)c->view.n_rows)
		c->sel_row = c->view.n_rows ? (int)c->view.n_rows - 1 : 0;
}

/* Every view (all), or those of the clusters a node answered for. Then
 * the fleet is counted and the overview's rows are made again (once per
 * batch of answers, not per frame). */
static void rebuild_views(struct ui *u, bool all)
{
	size_t i, n;
	const size_t *order;
	for (i = 0; i < u->a->n_clusters; i++)
		if (all || u->cl[i].view_dirty)
			rebuild_view(u, i);
	u->view_gen++;
	ui_fleet_update(u);
	/* Until the operator picks one, the selection is the first row of the
	 * overview: the worst cluster, where Enter should lead. */
	if (!u->picked && u->a->n_clusters > 1) {
		order = ui_rows(u, &n);
		if (n)
			u->cur = order[0];
	}
}

/* Node answers arrive in bursts with a big fleet: the screen they change
 * is drawn at most this often, while keys are drawn at once. */
#define DATA_DRAW_MS 200.0

static void on_held(void *arg)
{
	struct ui *u = arg;
	u->held_timer = 0;
	u->dirty |= u->held;
	u->held = 0;
}

/* True when the draw for r waits: r holds only node answers and the
 * screen was drawn less than DATA_DRAW_MS ago. */
static bool hold_data(struct ui *u, unsigned r)
{
	double since = now_ms() - u->last_draw;
	if (r != R_DATA || since >= DATA_DRAW_MS)
		return false;
	u->held |= r;
	if (!u->held_timer)
		u->held_timer = loop_timer_add(u->loop, DATA_DRAW_MS - since, on_held, u);
	return true;
}

/* The age of the oldest data on the screen (clusters c0..c1-1); < 0 when
 * nothing has answered yet. */
static double data_age(const struct ui *u, size_t c0, size_t c1, bool *stale, bool *unknown)
{
	double oldest = -1;
	size_t c;
	int n;
	*stale = *unknown = false;
	for (c = c0; c < c1 && c < u->a->n_clusters; c++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			double a = ui_node(u, c, n)->data_age;
			*unknown |= !ui_node(u, c, n)->up;
			*stale |= ui_node(u, c, n)->stale;
			if (a > oldest)
				oldest = a;
		}
	return oldest;
}

static void draw_header(struct ui *u)
{
	attr_t h = ui_attr(u, TP_HEADER);
	const struct screen_class *sc = screen_class_of(u->screen);
	bool all = sc->fleet, stale, unknown;
	char right[160], age[32], clock[16];
	double oldest;
	int x, w;

	draw_fill(u, 0, 0, u->cols, h);
	x = draw_textf(u, 0, 0, u->cols, h | A_BOLD, " carptop %s", CARPTOP_VERSION);
	x += draw_textf(u, 0, x, u->cols - x, h, "  %s", sc->title);
	if (u->filter[0] && sc->filtered)
		x += draw_textf(u, 0, x, u->cols - x, h | A_BOLD, "  filter \"%s\"", u->filter);
	if (u->a->n_clusters && !all) {
		x += draw_text(u, 0, x, u->cols - x, h, "  cluster ");
		x += draw_text(u, 0, x, u->cols - x, h | A_BOLD, u->a->clusters[u->cur].conf->name);
		if (u->a->n_clusters > 1)
			x += draw_textf(u, 0, x, u->cols - x, h, " (%zu/%zu)", u->cur + 1, u->a->n_clusters);
	}
	/* The data's age is always on screen: the oldest of the current
	 * cluster's nodes (of every cluster on the overview and the log). */
	if (all) {
		oldest = u->fleet.oldest;
		stale = u->fleet.stale;
		unknown = u->fleet.unknown;
	} else {
		oldest = data_age(u, u->cur, u->cur + 1, &stale, &unknown);
	}
	fmt_clock(clock, sizeof(clock), u->last_update);
	if (oldest < 0)
		str_copy(age, "no data yet", sizeof(age));
	else
		str_printf(age, sizeof(age), "data %s", stale ? "STALE " : "");
	if (oldest >= 0) {
		char a[24];
		fmt_duration(a, sizeof(a), oldest);
		str_printf(age + strlen(age), sizeof(age) - strlen(age), "%s old", a);
	}
	str_printf(right, sizeof(right), "%s%supdated %s, %s ", u->read_only ? "READ-ONLY  " : "",
		   unknown ? "UNKNOWN NODE  " : "", clock, age);
	w = (int)strlen(right);
	if (u->cols - w > x + 1) {
		draw_text(u, 0, u->cols - w, w, h, right);
		if (stale)
			draw_text(u, 0, u->cols - w + (int)(strstr(right, "STALE") - right), 5,
				  ui_attr(u, TP_STALE) | A_REVERSE, "STALE");
	}
}

/* The alarm banner: full width, reverse, the verdict's colour. Returns rows used. */
static int draw_banner(struct ui *u, int y)
{
	size_t c = 0;
	const struct finding *f = NULL;
	int more = 0;
	char text[512];
	attr_t a;
	if (!ui_worst(u, &c, &f, &more))
		return 0;
	str_printf(text, sizeof(text), "%s: %s: %s%s", severity_upper(f->severity), u->a->clusters[c].conf->name,
		   f->message, more ? " (and more, see the findings)" : "");
	a = ui_attr_on(u, TP_BANNER, severity_part(f->severity), THEME_BOLD) | A_BOLD;
	draw_fill(u, y, 0, u->cols, a);
	draw_text(u, y, 1, u->cols - 2, a, text);
	return 1;
}

/* The columns of the first `len` bytes of s. */
static int width_of_prefix(const char *s, size_t len)
{
	char buf[720];
	str_copy(buf, s, len + 1 < sizeof(buf) ? len + 1 : sizeof(buf));
	return text_width(buf);
}

/* Fit s into w columns keeping its end ("... [y/N]"): a cut shows as '~'
 * at the start. */
static void fit_keep_end(char *dst, size_t n, const char *s, int w)
{
	const char *p = s;
	if (text_width(s) <= w) {
		text_fit(dst, n, s, w, 0);
		return;
	}
	while (*p && text_width(p) > w - 1)
		p++;
	while ((*p & 0xc0) == 0x80) /* not inside a UTF-8 sequence */
		p++;
	str_printf(dst, n, "~%s", p);
}

/* A question on the status line: one line when it fits, else two (the
 * line above the status line too), broken at a space; what still does not
 * fit gives way before the end, so that "[y/N]" always shows. */
static void draw_question(struct ui *u, int y, attr_t a, const char *text)
{
	int w = u->cols;
	char first[720], second[720];
	const char *p, *brk = NULL;
	if (text_width(text) <= w || y < 2) {
		fit_keep_end(first, sizeof(first), text, w);
		draw_text(u, y, 0, w, a, first);
		return;
	}
	/* The last space before the edge starts the second line. */
	for (p = text; *p; p++)
		if (*p == ' ') {
			if (width_of_prefix(text, (size_t)(p - text)) > w)
				break;
			brk = p;
		}
	if (!brk)
		brk = text + strlen(text) / 2;
	str_copy(first, text, (size_t)(brk - text) + 1 < sizeof(first) ? (size_t)(brk - text) + 1 : sizeof(first));
	fit_keep_end(second, sizeof(second), *brk == ' ' ? brk + 1 : brk, w);
	draw_fill(u, y - 1, 0, w, a);
	draw_text(u, y - 1, 0, w, a, first);
	draw_fill(u, y, 0, w, a);
	draw_text(u, y, 0, w, a, second);
}

static void draw_status(struct ui *u, int y)
{
	attr_t a = ui_attr(u, TP_STATUS), q = ui_attr(u, TP_WARNING) | A_REVERSE;
	char text[720];
	long cp;
	draw_fill(u, y, 0, u->cols, ui_attr(u, TP_TEXT));
	if (u->prompt.active) {
		draw_question(u, y, q, u->prompt.text);
		return;
	}
	if (u->override.active) {
		flow_override_text(u, text, sizeof(text));
		draw_question(u, y, q, text);
		return;
	}
	if (u->filter_edit) {
		char q[320];
		filter_prompt(u, q, sizeof(q));
		draw_text(u, y, 0, u->cols, ui_attr(u, TP_STATUS) | A_BOLD, q);
		return;
	}
	if (u->secret.active) {
		/* The question only: the passphrase is never drawn. */
		char q[320];
		keys_secret_text(u, q, sizeof(q));
		draw_text(u, y, 0, u->cols, ui_attr(u, TP_WARNING) | A_REVERSE, q);
		return;
	}
	if (u->theme_error[0]) {
		draw_text(u, y, 0, u->cols, ui_attr(u, TP_WARNING), u->theme_error);
		return;
	}
	/* A pending checkpoint stays on the status line while the operator
	 * looks around; a passing status message shows above it. */
	if ((cp = flow_checkpoint(u)) >= 0) {
		flow_checkpoint_text(u, (size_t)cp, text, sizeof(text));
		if (u->status[0]) {
			int sy = text_width(text) > u->cols ? y - 2 : y - 1;
			if (sy >= 1) {
				draw_fill(u, sy, 0, u->cols, ui_attr(u, TP_TEXT));
				draw_text(u, sy, 0, u->cols, ui_attr(u, u->status_part), u->status);
			}
		}
		draw_question(u, y, q, text);
		return;
	}
	if (u->status[0]) {
		if (text_width(u->status) > u->cols)
			draw_question(u, y, ui_attr(u, u->status_part), u->status);
		else
			draw_text(u, y, 0, u->cols, ui_attr(u, u->status_part), u->status);
		return;
	}
	if (u->replay) {
		replay_ui_draw_bar(u, y);
		return;
	}
	if (u->a->n_clusters) {
		int n = u->cl[u->cur].sel_node;
		int x = draw_text(u, y, 0, u->cols, ui_attr(u, TP_LABEL), "target ");
		x += draw_text(u, y, x, u->cols - x,
			       ui_accent(u, u->a->clusters[u->cur].conf->nodes[n].accent, n ? "magenta" : "cyan"),
			       ui_node(u, u->cur, n)->name);
		draw_text(u, y, x, u->cols - x, a & ~A_BOLD, "  (Tab: other node, ?: keys)");
	}
}

static void render(struct ui *u, unsigned r)
{
	int top, bottom;

	if (r & R_RESIZE) {
		getmaxyx(stdscr, u->rows, u->cols);
		u->wall_page = 0;
	}
	if (r & (R_REFRESH | R_RESIZE))
		rebuild_views(u, true);
	else if (r & R_DATA)
		rebuild_views(u, false);
	u->last_draw = now_ms();
	if (r & R_CLEAR)
		clearok(curscr, TRUE);

	if (u->rows < 8 || u->cols < 30) {
		erase();
		draw_text(u, 0, 0, u->cols, A_BOLD, "carptop: terminal too small");
		draw_text(u, 1, 0, u->cols, A_NORMAL, "(need 30x8; q quits)");
		refresh();
		return;
	}
	if (!(r & (R_REDRAW | R_REFRESH | R_DATA | R_RESIZE | R_CLEAR)) && (r & R_BAR) && !u->wall && !u->help) {
		/* Only the two bottom lines changed. */
		colours_use(u, screen_class_of(u->screen)->fleet ? -1 : (long)u->cur);
		draw_status(u, u->rows - 2);
		draw_function_bar(u, u->rows - 1);
		colours_use(u, -1);
		refresh();
		return;
	}
	erase();
	memset(u->hits, 0, sizeof(u->hits)); /* the screen marks its lines anew */
	if (u->wall) {
		screen_class_of(SCR_WALL)->draw(u, 0, u->rows);
		if (u->help)
			draw_help(u);
		refresh();
		return;
	}
	/* The screens of one cluster are drawn in its theme. */
	colours_use(u, screen_class_of(u->screen)->fleet ? -1 : (long)u->cur);
	draw_header(u);
	top = 1 + draw_banner(u, 1);
	bottom = u->rows - 2;
	screen_class_of(u->screen)->draw(u, top, bottom);
	if (u->help)
		draw_help(u);
	draw_status(u, u->rows - 2);
	draw_function_bar(u, u->rows - 1);
	colours_use(u, -1);
	refresh();
}

/* ---- setup and teardown ----------------------------------------------- */

static void load_theme(struct ui *u)
{
	const char *name = getenv("CARPTOP_THEME");
	char *cause = NULL;
	size_t i;
	if (!name || !*name)
		name = u->a->cfg->theme ? u->a->cfg->theme : "default";
	if (theme_load_named(&u->theme, name, &cause) < 0) {
		/* Shown on the status line until a key is pressed. */
		str_printf(u->theme_error, sizeof(u->theme_error), "default theme in use: %s", cause);
		str_copy(u->theme_error_seen, u->theme_error, sizeof(u->theme_error_seen));
		free(cause);
		cause = NULL;
	}
	/* A cluster's own theme (carptop.yaml(5)) for its screens and tiles;
	 * CARPTOP_THEME overrides every theme. */
	u->palette = xcalloc(u->a->n_clusters ? u->a->n_clusters : 1, sizeof(*u->palette));
	for (i = 0; i < u->a->n_clusters && !(getenv("CARPTOP_THEME") && *getenv("CARPTOP_THEME")); i++) {
		const char *own = u->a->clusters[i].conf->theme;
		if (!own || str_eq(own, name))
			continue;
		u->palette[i] = xcalloc(1, sizeof(*u->palette[i]));
		if (theme_load_named(&u->palette[i]->theme, own, &cause) < 0) {
			str_printf(u->theme_error, sizeof(u->theme_error), "cluster %s: theme %s not used: %s",
				   u->a->clusters[i].conf->name, own, cause);
			str_copy(u->theme_error_seen, u->theme_error, sizeof(u->theme_error_seen));
			free(cause);
			cause = NULL;
			free(u->palette[i]);
			u->palette[i] = NULL;
		}
	}
}

static void write_mutation_report(const struct ui *u)
{
	const char *path = getenv("CARPTOP_MUTATION_REPORT");
	FILE *f;
	if (!path || !*path)
		return;
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "carptop: CARPTOP_MUTATION_REPORT: cannot write '%s': %s\n", path, strerror(errno));
		return;
	}
	/* Line 1: mutating calls the backends made; line 2: actions the
	 * console asked for (both 0 in --wall and --read-only). */
	fprintf(f, "%u\nactions-requested %u\n", app_mutations(u->a), u->actions_requested);
	fclose(f);
}

static int run(struct app *a, const struct cli *o, struct ui_replay *rp);

int ui_run(struct app *a, const struct cli *o)
{
	return run(a, o, NULL);
}

int ui_replay_run(const struct cli *o)
{
	struct app a;
	int rc;
	struct ui_replay *rp = replay_ui_open(o, &a, &rc);
	if (!rp)
		return rc;
	rc = run(&a, o, rp);
	replay_ui_close(rp, &a);
	return rc;
}

static int run(struct app *a, const struct cli *o, struct ui_replay *rp)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old[ARRAY_LEN(sigs)];
	struct ui *u;
	size_t i;
	int n;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "carptop: the console needs a terminal; for a pipe or a file use --batch\n");
		return 3;
	}
	setlocale(LC_ALL, "");

	u = xcalloc(1, sizeof(*u));
	u->a = a;
	u->o = o;
	u->loop = a->loop;
	u->wall = o->wall;
	u->read_only = o->read_only || o->wall || a->read_only || rp;
	u->replay = rp;
	u->ascii = o->ascii;
	/* Open where the user is: one cluster (or --cluster) opens its pair view. */
	u->screen = u->wall ? SCR_WALL : a->n_clusters == 1 ? SCR_PAIR : SCR_OVERVIEW;
	u->back = SCR_OVERVIEW;
	u->cl = xcalloc(a->n_clusters ? a->n_clusters : 1, sizeof(*u->cl));
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			snapshot_init(&u->cl[i].prev[n]);
	evlog_init(&u->log, EVENT_LOG_SIZE);
	load_theme(u);

	if (pipe(u->sig_pipe) < 0) {
		fprintf(stderr, "carptop: pipe: %s\n", strerror(errno));
		evlog_free(&u->log);
		free(u->cl);
		free(u);
		return 3;
	}
	for (n = 0; n < 2; n++) {
		fcntl(u->sig_pipe[n], F_SETFL, fcntl(u->sig_pipe[n], F_GETFL) | O_NONBLOCK);
		fcntl(u->sig_pipe[n], F_SETFD, FD_CLOEXEC);
	}

	/* ESC alone is a key (Back); do not wait a second for a sequence. */
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	{
		/* Ctrl-Z reaches the console as a key (keys.c suspends only when
		 * a shell can bring it back); endwin restores the terminal's own. */
		struct termios t;
		if (tcgetattr(STDIN_FILENO, &t) == 0) {
			t.c_cc[VSUSP] = _POSIX_VDISABLE;
			tcsetattr(STDIN_FILENO, TCSANOW, &t);
			def_prog_mode();
		}
	}
	curs_set(0);
	colours_init(u);
	getmaxyx(stdscr, u->rows, u->cols);

	/* After initscr, so ours replaces curses' SIGWINCH handler: the
	 * resize then arrives through the loop, race-free. */
	sig_write_fd = u->sig_pipe[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);

	loop_fd_set(u->loop, STDIN_FILENO, POLLIN, on_stdin, u);
	loop_fd_set(u->loop, u->sig_pipe[0], POLLIN, on_sig_pipe, u);
	u->tick = loop_timer_add(u->loop, TICK_MS, on_tick, u);
	u->wall_page_since = now_ms();

	if (u->replay) {
		/* Nothing is polled: the recording's snapshots are the data. */
		replay_ui_attach(u);
	} else {
		a->on_update = on_update;
		a->on_action = on_action;
		a->on_stream = on_stream;
		a->ctx = u;
		app_schedule(a);
		app_stream_start(a);
	}
	/* Views exist before anything reads a node's facts (ui_node). */
	rebuild_views(u, true);
	/* An unfinished workflow is the first thing to see: its journal, and
	 * R (resume) or U (roll back) on the Workflows screen. */
	for (i = 0; i < a->n_clusters && !u->wall && !u->replay; i++) {
		char wf[64];
		if (wf_unfinished(a, i, wf, sizeof(wf))) {
			u->cur = i;
			u->screen = SCR_WORKFLOW;
			ui_status(u, TP_WARNING, 0, "cluster %s has an unfinished %s: R resumes it, U rolls it back",
				  a->clusters[i].conf->name, wf[0] ? wf : "workflow");
			break;
		}
	}

	render(u, R_REFRESH);
	while (!u->quit) {
		unsigned r;
		if (loop_run_once(u->loop, -1) < 0)
			break;
		/* A workflow's question waits until the prompt is free. */
		flow_pump(u);
		r = u->dirty;
		u->dirty = 0;
		if (r & R_QUIT)
			break;
		if (r && !hold_data(u, r)) {
			/* A key's draw takes the held answers along. */
			r |= u->held;
			u->held = 0;
			render(u, r);
		}
	}

	/* A workflow still running (quit by a signal, or the terminal went
	 * away) stops the safe way: nothing more is sent, its journal stays. */
	flow_quit(u, "the console quit");
	keys_secret_wipe(u);

	/* Leave the terminal as it was. */
	endwin();
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	sig_write_fd = -1;
	loop_fd_set(u->loop, STDIN_FILENO, 0, NULL, NULL);
	loop_fd_set(u->loop, u->sig_pipe[0], 0, NULL, NULL);
	loop_timer_cancel(u->loop, u->tick);
	if (u->held_timer)
		loop_timer_cancel(u->loop, u->held_timer);
	if (u->replay)
		replay_ui_detach(u);
	a->polling = false;
	a->on_update = NULL;
	a->on_action = NULL;
	a->on_stream = NULL;
	a->ctx = NULL;
	close(u->sig_pipe[0]);
	close(u->sig_pipe[1]);

	write_mutation_report(u);
	if (u->theme_error_seen[0])
		fprintf(stderr, "carptop: %s\n", u->theme_error_seen);

	for (i = 0; i < a->n_clusters; i++) {
		if (u->cl[i].have_view)
			pair_free(&u->cl[i].view);
		for (n = 0; n < CLUSTER_NODES; n++)
			snapshot_clear(&u->cl[i].prev[n]);
	}
	for (i = 0; i < a->n_clusters; i++)
		free(u->palette[i]);
	free(u->palette);
	ui_live_vhids_free(u);
	ui_rows_free(u);
	evlog_free(&u->log);
	free(u->cl);
	free(u);
	return 0;
}
