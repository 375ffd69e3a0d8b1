/* The console's internals, shared by the files of ui/: the state, the
 * reaction bits key handlers return, and the drawing helpers. Layers: ui.c
 * (the loop) -> keys.c (handlers) -> screen_*.c (composition) -> draw.c and
 * colours.c (terminal). A screen draws from the app's data; it never
 * changes it. */
#ifndef CARPTOP_UI_INT_H
#define CARPTOP_UI_INT_H

/* Wide-character curses (ncursesw): get_wch, UTF-8 text. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "cli.h"
#include "eventlog.h"
#include "keytab.h"
#include "pair.h"
#include "theme.h"
#include "workflow.h"

/* What a key handler asks the loop to do (htop's reaction bits). No handler
 * draws; the loop decides how much to redraw from these. */
#define R_NONE    0x00u
#define R_REDRAW  0x01u /* draw the screen again from the current views */
#define R_REFRESH 0x02u /* rebuild the pair views from the latest snapshots, then draw */
#define R_RESIZE  0x04u /* the terminal changed size */
#define R_CLEAR   0x08u /* repaint every cell (the terminal may be garbled) */
#define R_BAR     0x10u /* only the status line and the function bar */
#define R_QUIT    0x20u
#define R_DATA    0x40u /* a node answered: rebuild the views marked view_dirty, then draw */

enum ui_screen {
	SCR_OVERVIEW = 0,
	SCR_PAIR,
	SCR_NODE,
	SCR_EVENTS,
	SCR_DRIFT,
	SCR_WORKFLOW,
	SCR_WALL,
	SCR__COUNT
};

struct ui;

/* One screen of the console, as a row of a table (like tmux's window_mode
 * or htop's PanelClass): what the loop, the keys and the mouse ask of it.
 * Each screen_NAME.c defines its own; screen_class_of() finds it (move_by, as curses has a macro named move). A NULL
 * hook means the screen has nothing to do for it. */
struct screen_class {
	const char *title;            /* in the header */
	unsigned keys;                /* its KS_* bit: the keys its function bar shows (keytab.h) */
	/* About every cluster: drawn in the global theme, the header shows the
	 * fleet's age, and it opens with no cluster configured. */
	bool fleet;
	bool filtered;                /* / narrows what it shows */
	enum ui_screen parent;        /* where Esc goes, once the screen's own narrowing is undone */
	void (*draw)(struct ui *u, int top, int bottom);
	/* Up/Down (delta 1), a page (paging, delta the page), Home/End (delta
	 * +-2^20): move the selection or scroll. */
	unsigned (*move_by)(struct ui *u, int delta, bool paging);
	/* Lines a page key moves; NULL: a screenful less one line. */
	int (*page)(const struct ui *u);
	/* Enter. May set *go to the screen to show next, or name a command of
	 * the key table in *then, which the keys run as if its key was pressed
	 * (so read-only refuses it the same way); both start as "none"
	 * (SCR__COUNT, UC__COUNT). */
	unsigned (*open)(struct ui *u, enum ui_screen *go, enum ui_cmd *then);
	/* Esc, before the filter is cleared and the screen left: undo the
	 * screen's own narrowing (R_NONE when there is none). */
	unsigned (*back)(struct ui *u);
	/* A left click at screen line y, column x, read from the hit map the
	 * screen filled as it drew (ui_hit_at). */
	unsigned (*click)(struct ui *u, int y, int x);
};

extern const struct screen_class overview_screen, pair_screen, node_screen, events_screen, drift_screen,
	workflow_screen, wall_screen;
const struct screen_class *screen_class_of(enum ui_screen s);

/* What each screen line showed at the last full draw, for the mouse: the
 * screen marks its lines as it draws them (ui_hit_mark), its click hook
 * reads them back. A line no screen marked is HIT_NONE. */
enum ui_hit_kind {
	HIT_NONE = 0,
	HIT_CLUSTER,                  /* an overview row: index = the cluster */
	HIT_NODES,                    /* the pair view's node panels: x picks the node */
	HIT_VHID,                     /* a line of the pair view's VHID table: index = the row */
	HIT_FINDING,                  /* a line of the pair view's findings: index = the finding */
};
struct ui_hit {
	enum ui_hit_kind kind;
	int index;
};
#define UI_HIT_LINES 512

/* Per cluster: its workflow run as the console shows it (workflow_dialog.c). */
struct ui_flow {
	struct wf_run *run;         /* preparing, planned, running or finished; NULL: none */
	bool one_key;               /* started by m, d, e or s: stays on the current screen */
	bool started;               /* wf_start / wf_resume ran (else the plan waits for y) */
	bool prompted;              /* the pending question (start, checkpoint) is on the prompt */
	char **lines;               /* the engine's lines (plan, then progress), oldest first */
	size_t n_lines;
	size_t plan_lines;          /* how many of them are the plan */
	char note[320];             /* the last refusal or result, shown on the screen */
	enum theme_part note_part;
	bool journal_known;         /* the journal was looked for since the last change */
	bool journal;               /* an unfinished journal waits for R or U */
	char journal_wf[64];        /* ... of this workflow */
};

/* Per cluster: its latest view and what the operator selected in it. */
struct ui_cluster {
	struct pair_view view;
	bool have_view;
	bool view_dirty;              /* a node answered since the view was built */
	int alarms;                   /* findings at warning or worse (ui_fleet_update) */
	int sel_node;                 /* 0 primary, 1 secondary: the target of m, d, e */
	int sel_row;                  /* selected VHID row in the pair view */
	int sel_finding;              /* selected finding (index into view.findings) */
	struct snapshot prev[CLUSTER_NODES]; /* the last snapshot the event log saw */
	bool have_prev[CLUSTER_NODES];
	struct ui_flow flow;
};

#define FLOW_MAX_FIELDS 4

/* What a prompt answers: a node action (keys.c) or a workflow question. */
enum flow_prompt { FP_NONE = 0, FP_START, FP_ASK, FP_RESUME, FP_ROLLBACK, FP_ABORT, FP_QUIT };

/* A mutating key waiting for its [y/N]. */
struct prompt {
	bool active;
	enum flow_prompt flow;        /* FP_NONE: a node action (cmd, act) */
	bool hostkey;                 /* K: accept the node's unknown ssh host key (keys.c) */
	enum ui_cmd cmd;
	size_t cluster;
	int node;
	double shown_at;              /* monotonic ms: keys in the first half second are not answers */
	char text[640];
};

/* An interlock refused a change: typing the cluster's name (and Enter)
 * overrides it, audited; Esc cancels (workflow_dialog.c). Modal, like the form. */
#define FLOW_MAX_ARGS (FLOW_MAX_FIELDS + 1)
struct override_entry {
	bool active;
	size_t cluster;
	const struct wf_def *def;
	bool one_key;
	int argc;
	char args[FLOW_MAX_ARGS][128];
	char why[320];
	char typed[64];
};

/* A workflow's parameters being typed (modal, like the prompt). */
struct flow_form {
	bool active;
	size_t cluster;
	const struct wf_def *def;
	int n, cur;
	char key[FLOW_MAX_FIELDS][32];
	char hint[FLOW_MAX_FIELDS][32];
	char value[FLOW_MAX_FIELDS][64];
};

/* An ssh identity file's passphrase being typed (modal, like the form; the
 * status line shows the question, never the text). Wiped when it is handed
 * over or cancelled (keys.c). */
struct secret_entry {
	bool active;
	size_t cluster;
	int node;
	size_t len;
	char value[256];
};

/* A function bar entry's columns, for mouse clicks. */
struct bar_hit {
	int x0, x1;
	int key;
};

struct ui_replay;
struct vhid_watch;

/* The overview's rows: the clusters the filter shows, in the sort order
 * (filter.c). Made again only when the views, the filter or the sort
 * changed, never per frame. */
struct ui_rows {
	size_t *order;
	size_t n;
	bool made;
	unsigned gen;                 /* u->view_gen it was made for */
	int sort;
	char filter[64];
};

/* The whole fleet at a glance, counted when views are rebuilt (state.c):
 * the banner, the summary line and the header read it, so a redraw of 500
 * clusters walks only the rows it shows. */
struct ui_fleet {
	int by_verdict[SEV_CRITICAL + 1]; /* clusters by verdict; info counts as OK */
	bool have_worst;
	size_t worst_cluster, worst_finding;
	int more;                     /* other findings at warning or worse */
	double oldest;                /* the oldest data of every node, < 0: none yet */
	bool stale, unknown;
};

struct ui {
	struct app *a;
	struct ui_replay *replay;     /* --replay: the recording shown (ui/replay_ui.c), else NULL */
	struct vhid_watch *vhids;     /* live: who is MASTER per VHID, for the event log (replay_ui.c) */
	const struct cli *o;
	struct loop *loop;
	bool wall, read_only, ascii, mouse;

	enum ui_screen screen, back;
	bool help;
	int help_scroll;
	size_t cur;                   /* selected cluster */
	struct ui_cluster *cl;
	int scroll;                   /* node detail and event log */
	int page_rows;                /* rows the scrolled screen showed last */

	struct evlog log;
	double last_update;           /* wall clock of the newest snapshot */

	char status[320];
	enum theme_part status_part;
	double status_until;          /* wall clock; 0 = keep */
	char theme_error[320];        /* a broken theme, shown until a key is pressed */
	char theme_error_seen[320];   /* ... and repeated on stderr at exit */
	struct prompt prompt;
	struct flow_form form;
	struct secret_entry secret;
	struct override_entry override;
	int wf_sel;                   /* selected workflow (index into wf_defs) */

	/* Filter and sort (filter.c). */
	char filter[64];              /* substring, case-insensitive; "" = none */
	bool filter_edit;             /* the filter is being typed on the status line */
	int sort;                     /* enum ov_sort: the overview's order */
	bool picked;                  /* a cluster was chosen (else the worst, the first row, is selected) */
	bool focus_findings;          /* pair view: Up/Down select a finding (f) */
	bool finding_open;            /* ... and its detail is shown (Enter) */

	unsigned dirty;               /* reaction bits not yet acted on */
	unsigned view_gen;            /* bumped whenever a view is rebuilt */
	struct ui_rows rows_cache;
	struct ui_fleet fleet;
	int name_w;                   /* the overview's name column (the longest name, at most 20) */
	double last_draw;             /* monotonic ms of the last full draw */
	unsigned held;                /* node answers waiting for the next data draw */
	uint64_t held_timer;
	bool quit;
	int rows, cols;

	/* Colours (colours.c). theme and attr are the ones in use: the global
	 * theme's, or a cluster's own while its screen or tile is drawn. */
	struct ui_palette {
		struct theme theme;
		attr_t attr[TP__COUNT];
	} global, **palette;          /* palette[c]: cluster c's theme, NULL = the global one */
	struct theme theme;
	bool colour;
	int ncolours;
	attr_t attr[TP__COUNT];
	short pair_fg[256], pair_bg[256]; /* allocated pairs, index = pair number */
	int n_pairs;

	struct bar_hit bar[32];
	int n_bar;
	struct ui_hit hits[UI_HIT_LINES]; /* per screen line, for clicks (ui_hit_mark) */
	int wall_page, wall_pages;
	double wall_page_since;

	int sig_pipe[2];
	uint64_t tick;
	unsigned actions_requested;   /* runs the operator confirmed (CARPTOP_MUTATION_REPORT) */
};

/* ---- colours.c ---- */
void colours_init(struct ui *u);
/* Draw with cluster c's theme from now on (c < 0: the global theme). */
void colours_use(struct ui *u, long c);
attr_t ui_attr(const struct ui *u, enum theme_part p);
/* Severity -> part: ok/info -> ok, warning, critical, unknown. */
enum theme_part severity_part(enum severity s);
enum theme_part status_part(enum carp_status s);
/* Foreground `fg` on the background colour of part `on` (e.g. banner text on
 * the critical colour). */
attr_t ui_attr_on(struct ui *u, enum theme_part fg, enum theme_part on, unsigned extra);
/* A node's or cluster's accent colour: the configured one, else cyan for
 * the primary and magenta for the secondary (def = "cyan"/"magenta"/NULL). */
attr_t ui_accent(struct ui *u, const char *accent, const char *def);

/* A node's accent (screen_pair.c): configured, else cyan/magenta. */
attr_t node_attr(struct ui *u, size_t c, int n);

/* ---- draw.c ---- */
/* Draw inert text at y,x in at most w columns (w < 0: to the right edge).
 * Returns the columns used. */
int draw_text(struct ui *u, int y, int x, int w, attr_t attr, const char *s);
int draw_textf(struct ui *u, int y, int x, int w, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void draw_fill(struct ui *u, int y, int x, int w, attr_t attr);
void draw_hline(struct ui *u, int y, int x, int w, attr_t attr);
void draw_box(struct ui *u, int y, int x, int h, int w, attr_t attr);
/* Text centred in w columns from x. */
void draw_centred(struct ui *u, int y, int x, int w, attr_t attr, const char *s);
/* Block letters 5 cells high: each cell scale_x columns by scale_y rows.
 * big_width() is the width in columns for a scale_x. */
int big_width(const char *s, int scale_x);
void draw_big(struct ui *u, int y, int x, int scale_x, int scale_y, attr_t attr, const char *s);
/* Word-wrap s into lines of at most w columns (a longer word is cut).
 * Returns the number of lines (at most max). */
int wrap_text(const char *s, int w, char (*out)[256], int max);
/* Durations: fmt_duration (src/core/util.h). */
/* HH:MM:SS local time. */
void fmt_clock(char *dst, size_t n, double t);

/* ---- data helpers (ui.c) ---- */
/* Node n's facts in cluster c's view (src/checks/view.h: name, up, data_age,
 * stale, config state): what every screen shows of a node. The views are
 * built before the first key or draw, and again on every refresh. */
const struct view_node *ui_node(const struct ui *u, size_t c, int n);
/* The newest snapshot time of a cluster (0 = none). */
double cluster_updated(const struct ui *u, size_t c);
/* The worst cluster and its top finding at warning or worse; false if all
 * OK (from the counts of ui_fleet_update). */
bool ui_worst(const struct ui *u, size_t *cluster, const struct finding **f, int *more);
/* The width of the overview's and the wall's name column: the longest
 * cluster name, 7 to 20 columns. */
int ui_name_width(struct ui *u);
/* Count the fleet again (u->fleet, each cluster's alarms) from the views. */
void ui_fleet_update(struct ui *u);
/* "500 pairs: 3 CRITICAL, 12 WARNING, 485 OK" (counts of zero left out, OK always). */
void ui_fleet_summary(const struct ui *u, char *dst, size_t n);
void ui_status(struct ui *u, enum theme_part part, double secs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- lines.c: the content of a scrolled screen ---- */
/* A line of up to UI_CELLS cells, each drawn at its column. */
#define UI_CELLS 4
struct ui_cell {
	int x, w;                     /* w < 0: to the right edge */
	enum theme_part part;         /* TP__COUNT: extra is the whole attribute */
	attr_t extra;                 /* A_BOLD ... */
	char text[256];
};
struct ui_line {
	struct ui_cell cell[UI_CELLS];
	int n;
};
struct ui_lines {
	struct ui_line *v;
	size_t n, cap;
};
/* A new empty line (a blank one when no cell is added). */
struct ui_line *lines_add(struct ui_lines *l);
/* Add a cell to a line (ignored past UI_CELLS). */
void line_cell(struct ui_line *ln, int x, int w, enum theme_part part, attr_t extra, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* One line of one cell. */
void lines_text(struct ui_lines *l, int x, enum theme_part part, attr_t extra, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Draw lines from u->scroll (clamped) in rows top..bottom-1; records
 * u->page_rows. */
void lines_draw(struct ui *u, const struct ui_lines *l, int top, int bottom);
void lines_free(struct ui_lines *l);

/* ---- workflow_dialog.c: the console's side of the workflow engine ---- */
/* A workflow's parameters from its spec (struct wf_param_spec):
 * the required ones to type (key, hint), and whether it takes node=NAME
 * (filled with the selected node). Returns the count. */
int flow_fields(const struct wf_def *d, char key[][32], char hint[][32], int max, bool *node);
unsigned flow_key_run(struct ui *u);
/* m, d, e, s: start the one-step workflow `name` on node `node` of the
 * selected cluster (interlocks first, then the question). */
unsigned flow_key_action(struct ui *u, const char *name, int node);
/* Keys while an override is being typed. */
unsigned flow_override_key(struct ui *u, int key);
/* The status text of the override entry. */
void flow_override_text(const struct ui *u, char *dst, size_t n);
/* The cluster whose run waits at a checkpoint (the selected one first),
 * or -1. The checkpoint is not modal: only y and n answer it. */
long flow_checkpoint(const struct ui *u);
void flow_checkpoint_text(const struct ui *u, size_t c, char *dst, size_t n);
/* y or n for the pending checkpoint of cluster c. */
unsigned flow_checkpoint_answer(struct ui *u, size_t c, bool yes);
/* A risky prompt shown less than half a second ago: the key is not its answer. */
bool flow_prompt_guarded(const struct prompt *p);
unsigned flow_key_journal(struct ui *u, bool rollback);
unsigned flow_key_abort(struct ui *u);
unsigned flow_form_key(struct ui *u, int key);
unsigned flow_prompt_answer(struct ui *u, const struct prompt *p, bool yes);
/* A run has started and not finished on cluster c (any cluster if c < 0). */
bool flow_running(const struct ui *u, long c);
/* Show a pending question (start confirmation, checkpoint) when the
 * prompt is free. */
void flow_pump(struct ui *u);
/* Look for an unfinished journal of cluster c again if needed. */
void flow_refresh(struct ui *u, size_t c);
/* At exit: stop every running workflow safely (resumable), free them. */
void flow_quit(struct ui *u, const char *why);
/* The workflow view shows the list (no run, or a finished one). */
bool flow_list_mode(const struct ui *u);

/* ---- filter.c: the filter, the overview's order, the findings list ---- */
enum ov_sort { SORT_VERDICT = 0, SORT_NAME, SORT_ALARMS, SORT_AGE, SORT_CONFIG, SORT__COUNT };
const char *sort_name(int sort);       /* "verdict", "name", ... */
/* The text matches the filter (always true without one). */
bool filter_text(const struct ui *u, const char *s);
/* Cluster c matches: its name, a node's name, a VHID ("3", "VHID 3"), its
 * verdict or a finding's text or id. */
bool filter_cluster(const struct ui *u, size_t c);
/* The overview's rows: matching clusters in the sort order, n of them
 * (cached in u->rows_cache; valid until the next view rebuild). */
const size_t *ui_rows(struct ui *u, size_t *n);
/* The row of cluster c in ui_rows, or n when the filter hides it. */
size_t ui_row_of(struct ui *u, size_t c);
void ui_rows_free(struct ui *u);
/* Keep u->cur on a shown cluster after the filter or the order changed. */
void filter_fix_selection(struct ui *u);
/* The findings of the current cluster that match, as indexes. */
size_t findings_shown(const struct ui *u, size_t c, size_t *idx, size_t max);
/* A key while the filter is typed. */
unsigned filter_key(struct ui *u, int key);
/* The status line while it is typed. */
void filter_prompt(const struct ui *u, char *dst, size_t n);
/* The finding detail overlay (Enter on a finding). */
void draw_finding_detail(struct ui *u);

/* ---- keys.c ---- */
/* Replay (ui/replay_ui.c): the time bar, its keys, a time being typed. */
double ui_now(const struct ui *u);               /* the moment shown: the wall clock, or the replay's */
struct ui_replay *replay_ui_open(const struct cli *o, struct app *a, int *rc); /* --replay: the recording as an app */
void replay_ui_close(struct ui_replay *rp, struct app *a);
void ui_live_vhids(struct ui *u, size_t c);       /* live: log per-VHID MASTER changes of cluster c */
void ui_live_vhids_free(struct ui *u);
void replay_ui_attach(struct ui *u);             /* start: show the first moment, paused */
void replay_ui_detach(struct ui *u);
void replay_ui_draw_bar(struct ui *u, int y);
unsigned replay_ui_key(struct ui *u, enum ui_cmd cmd);
bool replay_ui_typing(const struct ui *u);
unsigned replay_ui_type(struct ui *u, int key);

int ui_translate_key(int is_key, wint_t ch);
unsigned keys_dispatch(struct ui *u, int key);
/* What the console can do about node n's error, for the pair view and the
 * node detail (an ssh node's passphrase or host key), or NULL. */
const char *keys_ssh_hint(const struct ui *u, size_t c, int n);
/* The status line while a passphrase is typed. */
void keys_secret_text(const struct ui *u, char *dst, size_t n);
/* Wipe a passphrase being typed (cancel, exit). */
void keys_secret_wipe(struct ui *u);
/* The function bar on the last line; records hit boxes for the mouse. */
void draw_function_bar(struct ui *u, int y);
void draw_help(struct ui *u);

/* ---- screens (their classes: struct screen_class above) ---- */
/* The pair view's findings: move the selection among the shown ones. */
unsigned pair_move_finding(struct ui *u, int delta);

/* ---- screens.c: the table of screens ---- */
/* Show screen s (not on the wall, nor one needing a cluster when none is). */
unsigned ui_go_screen(struct ui *u, enum ui_screen s);

/* ---- state.c: what screens and keys share ---- */
int ui_clamp(int v, int lo, int hi);
/* A screen that scrolls (the screen clamps u->scroll against its length
 * when it draws): its move hook. */
unsigned ui_scroll_by(struct ui *u, int delta, bool paging);
/* Mark screen line y as showing `kind` number `index`; read one back. */
void ui_hit_mark(struct ui *u, int y, enum ui_hit_kind kind, int index);
struct ui_hit ui_hit_at(const struct ui *u, int y);
/* Move the selected cluster by delta rows of the overview's order (the
 * filter and the sort apply); with wrap, past the end goes round (filter.c). */
unsigned ui_move_cluster(struct ui *u, int delta, bool wrap);

#endif
