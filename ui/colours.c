/* The theme (plain data from src/core/theme.c) mapped to curses: colour pairs
 * allocated as needed, RGB to the nearest colour the terminal has, and the
 * attributes-only look for --no-color, NO_COLOR and colourless terminals. */
#include "ui_int.h"

#include <string.h>

#include "util.h"

/* Attributes only (no colour): how each part stays distinguishable. The
 * same look as themes/monochrome.yaml. */
static const attr_t mono_attr[TP__COUNT] = {
	[TP_BACKGROUND] = A_NORMAL,
	[TP_TEXT] = A_NORMAL,
	[TP_LABEL] = A_NORMAL,
	[TP_HEADER] = A_REVERSE,
	[TP_BORDER] = A_NORMAL,
	[TP_SELECTION] = A_REVERSE,
	[TP_OK] = A_BOLD,
	[TP_WARNING] = A_BOLD | A_UNDERLINE,
	[TP_CRITICAL] = A_BOLD | A_REVERSE,
	[TP_UNKNOWN] = A_BOLD | A_UNDERLINE,
	[TP_STALE] = A_UNDERLINE,
	[TP_INACTIVE] = A_DIM,
	[TP_MASTER] = A_BOLD,
	[TP_BACKUP] = A_NORMAL,
	[TP_BANNER] = A_BOLD | A_REVERSE,
	[TP_BAR_KEY] = A_BOLD,
	[TP_BAR_TEXT] = A_REVERSE,
	[TP_STATUS] = A_BOLD,
};

static attr_t theme_attrs(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_DIM)
		r |= A_DIM;
	return r;
}

/* A theme colour as a terminal colour number (-1 = the terminal's default).
 * An 8-colour terminal shows bright colours as bold; bright-black there is
 * the default colour dimmed (black could vanish on a black background). */
static int term_colour(const struct ui *u, const struct colour *c, attr_t *extra)
{
	if (c->kind == COLOUR_BASIC && c->index >= 8 && u->ncolours < 16) {
		if (c->index == 8) {
			*extra |= A_DIM;
			return -1;
		}
		*extra |= A_BOLD;
	}
	return colour_to_terminal(c, u->ncolours);
}

/* The colour pair for fg/bg, allocated on first use; 0 when out of pairs. */
static int pair_for(struct ui *u, int fg, int bg)
{
	int i;
	if (fg == -1 && bg == -1)
		return 0;
	for (i = 1; i <= u->n_pairs; i++)
		if (u->pair_fg[i] == fg && u->pair_bg[i] == bg)
			return i;
	if (u->n_pairs + 1 >= (int)ARRAY_LEN(u->pair_fg) || u->n_pairs + 1 >= COLOR_PAIRS)
		return 0;
	i = ++u->n_pairs;
	u->pair_fg[i] = (short)fg;
	u->pair_bg[i] = (short)bg;
	init_pair((short)i, (short)fg, (short)bg);
	return i;
}

static const struct colour *part_fg(const struct ui *u, enum theme_part p)
{
	const struct theme_style *s = &u->theme.part[p];
	if (s->fg.kind != COLOUR_UNSET)
		return &s->fg;
	if (u->theme.part[TP_TEXT].fg.kind != COLOUR_UNSET)
		return &u->theme.part[TP_TEXT].fg;
	return &u->theme.part[TP_BACKGROUND].fg;
}

static const struct colour *part_bg(const struct ui *u, enum theme_part p)
{
	const struct theme_style *s = &u->theme.part[p];
	if (s->bg.kind != COLOUR_UNSET)
		return &s->bg;
	return &u->theme.part[TP_BACKGROUND].bg;
}

static attr_t make_attr(struct ui *u, const struct colour *fgc, const struct colour *bgc, attr_t attrs)
{
	attr_t extra = 0, bg_extra = 0;
	int fg = term_colour(u, fgc, &extra);
	int bg = term_colour(u, bgc, &bg_extra);
	/* bold/dim belong to the foreground only. */
	return COLOR_PAIR(pair_for(u, fg, bg)) | attrs | extra;
}

/* u->attr from u->theme. */
static void compute_attrs(struct ui *u)
{
	int p;
	for (p = 0; p < TP__COUNT; p++) {
		if (!u->colour) {
			u->attr[p] = mono_attr[p];
			continue;
		}
		u->attr[p] = make_attr(u, part_fg(u, p), part_bg(u, p), theme_attrs(u->theme.part[p].attrs));
	}
}

void colours_init(struct ui *u)
{
	size_t c;
	u->colour = false;
	u->ncolours = 0;
	u->n_pairs = 0;
	if (!u->o->no_color && has_colors()) {
		start_color();
		use_default_colors();
		u->colour = true;
		u->ncolours = COLORS;
	}
	compute_attrs(u);
	u->global.theme = u->theme;
	memcpy(u->global.attr, u->attr, sizeof(u->attr));
	/* Each cluster with a theme of its own gets its attributes too. */
	for (c = 0; u->palette && c < u->a->n_clusters; c++) {
		if (!u->palette[c])
			continue;
		u->theme = u->palette[c]->theme;
		compute_attrs(u);
		memcpy(u->palette[c]->attr, u->attr, sizeof(u->attr));
	}
	colours_use(u, -1);
	bkgdset(' ' | u->attr[TP_BACKGROUND]);
}

void colours_use(struct ui *u, long c)
{
	const struct ui_palette *p = &u->global;
	if (c >= 0 && (size_t)c < u->a->n_clusters && u->palette && u->palette[c])
		p = u->palette[c];
	u->theme = p->theme;
	memcpy(u->attr, p->attr, sizeof(u->attr));
}

attr_t ui_attr(const struct ui *u, enum theme_part p)
{
	return (size_t)p < TP__COUNT ? u->attr[p] : A_NORMAL;
}

enum theme_part severity_part(enum severity s)
{
	switch (s) {
	case SEV_OK:
	case SEV_INFO:
		return TP_OK;
	case SEV_WARNING:
		return TP_WARNING;
	case SEV_CRITICAL:
		return TP_CRITICAL;
	case SEV_UNKNOWN:
	default:
		return TP_UNKNOWN;
	}
}

enum theme_part status_part(enum carp_status s)
{
	switch (s) {
	case CARP_ST_MASTER:
		return TP_MASTER;
	case CARP_ST_BACKUP:
		return TP_BACKUP;
	case CARP_ST_INIT:
		return TP_CRITICAL;
	case CARP_ST_DISABLED:
		return TP_WARNING;
	default:
		return TP_UNKNOWN;
	}
}

/* A light colour (yellow, cyan, white, the bright ones, light RGB): text on
 * it must be dark to be read. The terminal's default is not known: no. */
static bool colour_light(const struct colour *c)
{
	int i = c->index, r, g, b;
	switch (c->kind) {
	case COLOUR_BASIC:
		break;
	case COLOUR_INDEX:
		if (i >= 16 && i < 232) {
			i -= 16;
			r = i / 36 * 51;
			g = i / 6 % 6 * 51;
			b = i % 6 * 51;
			return 299 * r + 587 * g + 114 * b > 150000;
		}
		if (i >= 232)
			return i >= 244;
		break;
	case COLOUR_RGB:
		return 299 * c->r + 587 * c->g + 114 * c->b > 150000;
	default:
		return false;
	}
	return i == 3 || i == 6 || i == 7 || i == 10 || i == 11 || i == 14 || i == 15;
}

attr_t ui_attr_on(struct ui *u, enum theme_part fg, enum theme_part on, unsigned extra)
{
	static const struct colour black = { COLOUR_BASIC, 0, 0, 0, 0 };
	const struct colour *bg, *fgc;
	if (!u->colour)
		return mono_attr[on] | A_REVERSE | A_BOLD;
	/* The "on" part's foreground becomes the background; on a light one
	 * (a yellow WARNING) the text is black, whatever the theme says, so
	 * that the banner can be read. */
	bg = part_fg(u, on);
	fgc = colour_light(bg) && colour_light(part_fg(u, fg)) ? &black : part_fg(u, fg);
	if (colour_light(bg) && part_fg(u, fg)->kind == COLOUR_DEFAULT)
		fgc = &black;
	return make_attr(u, fgc, bg, theme_attrs(u->theme.part[fg].attrs) | extra);
}

attr_t ui_accent(struct ui *u, const char *accent, const char *def)
{
	struct colour c;
	if (!u->colour)
		return A_BOLD;
	if (!(accent && colour_parse(accent, &c) == 0) && !(def && colour_parse(def, &c) == 0))
		return ui_attr(u, TP_TEXT) | A_BOLD;
	return make_attr(u, &c, part_bg(u, TP_TEXT), A_BOLD);
}

/* A node's own accent colour (config `accent`), else cyan / magenta. */
static const char *node_accent_default(int n)
{
	/* Operators tell primary from secondary at a glance. */
	return n ? "magenta" : "cyan";
}

attr_t node_attr(struct ui *u, size_t c, int n)
{
	return ui_accent(u, u->a->clusters[c].conf->nodes[n].accent, node_accent_default(n));
}
