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

/* What a key handler asks the loop to do (htop's reaction bits). No handler
 * draws; the loop decides how much to redraw from these. */
#define R_NONE    0x00u
#define R_REDRAW  0x01u /* draw the screen again from the current views */
#define R_REFRESH 0x02u /* rebuild the pair views from the latest snapshots, then draw */
#define R_RESIZE  0x04u /* the terminal changed size */
#define R_CLEAR   0x08u /* repaint every cell (the terminal may be garbled) */
#define R_BAR     0x10u /* only the status line and the function bar */
#define R_QUIT    0x20u

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

/* Per cluster: its latest view and what the operator selected in it. */
struct ui_cluster {
	struct pair_view view;
	bool have_view;
	int sel_node;                 /* 0 primary, 1 secondary: the target of m, d, e */
	int sel_row;                  /* selected VHID row in the pair view */
	struct snapshot prev[CLUSTER_NODES]; /* the last snapshot the event log saw */
	bool have_prev[CLUSTER_NODES];
};

/* A mutating key waiting for its [y/N]. */
struct prompt {
	bool active;
	enum ui_cmd cmd;
	struct action act;
	size_t cluster;
	int node;
	char text[320];
};

/* A function bar entry's columns, for mouse clicks. */
struct bar_hit {
	int x0, x1;
	int key;
};

struct ui {
	struct app *a;
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

	unsigned dirty;               /* reaction bits not yet acted on */
	bool quit;
	int rows, cols;

	/* Colours (colours.c). */
	struct theme theme;
	bool colour;
	int ncolours;
	attr_t attr[TP__COUNT];
	short pair_fg[256], pair_bg[256]; /* allocated pairs, index = pair number */
	int n_pairs;

	struct bar_hit bar[32];
	int n_bar;
	int wall_page, wall_pages;
	double wall_page_since;

	int sig_pipe[2];
	uint64_t tick;
	unsigned actions_requested;   /* app_action calls made (CARPTOP_MUTATION_REPORT) */
};

/* ---- colours.c ---- */
void colours_init(struct ui *u);
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
/* "4s", "2m05s", "3h10m". */
void fmt_age(char *dst, size_t n, double secs);
/* HH:MM:SS local time. */
void fmt_clock(char *dst, size_t n, double t);

/* ---- data helpers (ui.c) ---- */
/* Seconds since a node's last answer; < 0 when it never answered. */
double node_age(const struct ui *u, size_t c, int n);
/* The node's data is older than twice the interval. */
bool node_stale(const struct ui *u, size_t c, int n);
const char *node_name(const struct ui *u, size_t c, int n);
/* The newest snapshot time of a cluster (0 = none). */
double cluster_updated(const struct ui *u, size_t c);
/* The worst cluster and its top finding at warning or worse; false if all OK. */
bool ui_worst(const struct ui *u, size_t *cluster, const struct finding **f, int *more);
void ui_status(struct ui *u, enum theme_part part, double secs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- keys.c ---- */
int ui_translate_key(int is_key, wint_t ch);
unsigned keys_dispatch(struct ui *u, int key);
/* The function bar on the last line; records hit boxes for the mouse. */
void draw_function_bar(struct ui *u, int y);
void draw_help(struct ui *u);

/* ---- screens ---- */
void screen_overview(struct ui *u, int top, int bottom);
void screen_pair(struct ui *u, int top, int bottom);
void screen_node(struct ui *u, int top, int bottom);
void screen_events(struct ui *u, int top, int bottom);
void screen_placeholder(struct ui *u, int top, int bottom);
void screen_wall(struct ui *u);
/* Overview: the cluster row at screen line y (mouse), or -1. */
int overview_row_at(const struct ui *u, int y);

const char *screen_title(enum ui_screen s);

#endif
