/* Console themes: colours per UI part, read from YAML files in themes/ (see
 * carptop(1), THEMES). Plain data and colour arithmetic only; ui/ maps a
 * theme to curses colour pairs. No curses here, so it is unit-tested. */
#ifndef CARPTOP_THEME_H
#define CARPTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* The parts of the screen a theme colours. Keep theme_part_name() and the
 * theme files in step. */
enum theme_part {
	TP_BACKGROUND = 0, /* the whole screen's background */
	TP_TEXT,           /* ordinary text */
	TP_LABEL,          /* field names ("version", "demotion") */
	TP_HEADER,         /* the top line and table headings */
	TP_BORDER,         /* boxes and rules */
	TP_SELECTION,      /* the selected row */
	TP_OK,
	TP_WARNING,
	TP_CRITICAL,
	TP_UNKNOWN,
	TP_STALE,          /* data older than twice the interval */
	TP_INACTIVE,       /* keys refused in read-only mode */
	TP_MASTER,
	TP_BACKUP,
	TP_BANNER,         /* text of the alarm banner; its background is the verdict's colour */
	TP_BAR_KEY,        /* function bar: the key */
	TP_BAR_TEXT,       /* function bar: what it does */
	TP_STATUS,         /* the status line (messages, prompts) */
	TP__COUNT
};
const char *theme_part_name(enum theme_part p); /* "background", "bar-key", ... */

enum colour_kind {
	COLOUR_UNSET = 0, /* not given: inherit (text fg, background bg) */
	COLOUR_DEFAULT,   /* the terminal's own colour (use_default_colors) */
	COLOUR_BASIC,     /* one of the 16 ANSI colours, index 0-15 */
	COLOUR_INDEX,     /* an xterm-256 index given as colourN */
	COLOUR_RGB,
};

struct colour {
	enum colour_kind kind;
	int index;            /* BASIC: 0-15, INDEX: 0-255 */
	unsigned char r, g, b; /* RGB */
};

#define THEME_BOLD      0x1u
#define THEME_REVERSE   0x2u
#define THEME_UNDERLINE 0x4u
#define THEME_DIM       0x8u

struct theme_style {
	struct colour fg, bg;
	unsigned attrs;       /* THEME_* */
};

struct theme {
	char name[64];
	struct theme_style part[TP__COUNT];
};

/* Parse a colour: "default", a name (black red green yellow blue magenta
 * cyan white, bright-<name>), "colourN"/"colorN" (0-255) or "#rrggbb".
 * Returns 0, or -1 when it is none of those. */
int colour_parse(const char *s, struct colour *out);

/* Nearest xterm-256 colour to an RGB value: the 6x6x6 cube or the grey ramp,
 * whichever is closer (as tmux's colour_find_rgb). */
int colour_find_rgb(unsigned char r, unsigned char g, unsigned char b);
/* The RGB of an xterm-256 index (the standard palette). */
void colour_index_rgb(int index, unsigned char *r, unsigned char *g, unsigned char *b);
/* Nearest of the first `n` ANSI colours (n = 8 or 16) to an RGB value. */
int colour_find_basic(unsigned char r, unsigned char g, unsigned char b, int n);
/* A colour as a terminal colour number for a terminal with `ncolours`
 * colours (8, 16, 256 or more), or -1 for the terminal default. */
int colour_to_terminal(const struct colour *c, int ncolours);

/* The built-in default theme (the same as themes/default.yaml), used when no
 * theme file can be read. */
void theme_builtin(struct theme *t);

/* Parse theme YAML. Parts not named keep what *t held (so load over
 * theme_builtin()). `name` is used in messages. On error returns -1 and sets
 * *cause to "NAME:LINE:COL: what is wrong; how to fix it"; *t is then
 * unchanged. */
int theme_load_string(struct theme *t, const char *text, size_t len, const char *name, char **cause);
int theme_load_file(struct theme *t, const char *path, char **cause);

/* Find the file of theme `name`: $CARPTOP_THEMEDIR, then the installed
 * directory, then the source tree; a name holding '/' is taken as a path.
 * Returns a new string, or NULL with *cause listing where it looked. */
char *theme_find(const char *name, char **cause);

/* Find and load theme `name` over the built-in default. On any error *t is
 * the built-in default (falling back to the default theme file if that one
 * loads) and *cause says why; returns -1. */
int theme_load_named(struct theme *t, const char *name, char **cause);

#endif
