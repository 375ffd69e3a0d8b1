/* Drawing helpers: every string reaches the terminal through draw_text(),
 * which makes it inert and fits it to its columns (src/core/textfit.h) even
 * though the backends sanitised it already: the terminal must never see a
 * control character, whatever a future backend forgets. */
#include "ui_int.h"

#include <term.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "textfit.h"
#include "util.h"

int draw_text(struct ui *u, int y, int x, int w, attr_t attr, const char *s)
{
	char buf[1024];
	int used;
	if (y < 0 || y >= u->rows || x >= u->cols)
		return 0;
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (w < 0 || x + w > u->cols)
		w = u->cols - x;
	if (w <= 0)
		return 0;
	used = text_fit(buf, sizeof(buf), s, w, 1);
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

int draw_textf(struct ui *u, int y, int x, int w, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return draw_text(u, y, x, w, attr, buf);
}

void draw_fill(struct ui *u, int y, int x, int w, attr_t attr)
{
	int i;
	if (y < 0 || y >= u->rows)
		return;
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (x + w > u->cols)
		w = u->cols - x;
	attrset(attr);
	for (i = 0; i < w; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

/* Line drawing: Unicode box characters in a UTF-8 locale (whatever TERM
 * says: vt100's alternate character set is not honoured by every UTF-8
 * terminal, and would show as "qqqq"), the terminal's own alternate
 * character set elsewhere, and ASCII with --ascii or without one. */
enum line_part { LP_H = 0, LP_V, LP_UL, LP_UR, LP_LL, LP_LR };

static void line_put(struct ui *u, int y, int x, enum line_part p)
{
	static const char *const utf8[] = { "\xe2\x94\x80", "\xe2\x94\x82", "\xe2\x94\x8c", "\xe2\x94\x90",
					    "\xe2\x94\x94", "\xe2\x94\x98" };
	static const char ascii[] = { '-', '|', '+', '+', '+', '+' };
	const char *acsc = tigetstr("acsc");
	if (u->ascii || (MB_CUR_MAX == 1 && (!acsc || acsc == (char *)-1))) {
		mvaddch(y, x, (chtype)ascii[p]);
	} else if (MB_CUR_MAX > 1) {
		mvaddstr(y, x, utf8[p]);
	} else {
		const chtype acs[] = { ACS_HLINE, ACS_VLINE, ACS_ULCORNER, ACS_URCORNER, ACS_LLCORNER, ACS_LRCORNER };
		mvaddch(y, x, acs[p]);
	}
}

void draw_hline(struct ui *u, int y, int x, int w, attr_t attr)
{
	int i;
	if (y < 0 || y >= u->rows || x >= u->cols || w <= 0)
		return;
	if (x + w > u->cols)
		w = u->cols - x;
	attrset(attr);
	for (i = 0; i < w; i++)
		line_put(u, y, x + i, LP_H);
	attrset(A_NORMAL);
}

void draw_box(struct ui *u, int y, int x, int h, int w, attr_t attr)
{
	int i;
	if (h < 2 || w < 2 || y < 0 || x < 0 || y + h > u->rows || x + w > u->cols)
		return;
	attrset(attr);
	for (i = 1; i < w - 1; i++) {
		line_put(u, y, x + i, LP_H);
		line_put(u, y + h - 1, x + i, LP_H);
	}
	for (i = 1; i < h - 1; i++) {
		line_put(u, y + i, x, LP_V);
		line_put(u, y + i, x + w - 1, LP_V);
	}
	line_put(u, y, x, LP_UL);
	line_put(u, y, x + w - 1, LP_UR);
	line_put(u, y + h - 1, x, LP_LL);
	line_put(u, y + h - 1, x + w - 1, LP_LR);
	attrset(A_NORMAL);
}

void draw_centred(struct ui *u, int y, int x, int w, attr_t attr, const char *s)
{
	int tw = text_width(s);
	int off = tw < w ? (w - tw) / 2 : 0;
	draw_text(u, y, x + off, w - off, attr, s);
}

/* A 5x5 block font for the verdict words (and a few more letters). */
static const struct {
	char c;
	const char *rows[5];
} font[] = {
	{ 'A', { " ### ", "#   #", "#####", "#   #", "#   #" } },
	{ 'C', { " ####", "#    ", "#    ", "#    ", " ####" } },
	{ 'E', { "#####", "#    ", "#### ", "#    ", "#####" } },
	{ 'G', { " ####", "#    ", "#  ##", "#   #", " ####" } },
	{ 'I', { "#####", "  #  ", "  #  ", "  #  ", "#####" } },
	{ 'K', { "#   #", "#  # ", "###  ", "#  # ", "#   #" } },
	{ 'L', { "#    ", "#    ", "#    ", "#    ", "#####" } },
	{ 'M', { "#   #", "## ##", "# # #", "#   #", "#   #" } },
	{ 'N', { "#   #", "##  #", "# # #", "#  ##", "#   #" } },
	{ 'O', { " ### ", "#   #", "#   #", "#   #", " ### " } },
	{ 'R', { "#### ", "#   #", "#### ", "#  # ", "#   #" } },
	{ 'S', { " ####", "#    ", " ### ", "    #", "#### " } },
	{ 'T', { "#####", "  #  ", "  #  ", "  #  ", "  #  " } },
	{ 'U', { "#   #", "#   #", "#   #", "#   #", " ### " } },
	{ 'W', { "#   #", "#   #", "# # #", "## ##", "#   #" } },
	{ ' ', { "     ", "     ", "     ", "     ", "     " } },
};

static int glyph(char c)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(font); i++)
		if (font[i].c == c)
			return (int)i;
	return -1;
}

int big_width(const char *s, int sx)
{
	int n = 0;
	for (; *s; s++)
		if (glyph(*s) >= 0)
			n++;
	return n ? (n * 6 - 1) * sx : 0;
}

void draw_big(struct ui *u, int y, int x, int scale_x, int scale_y, attr_t attr, const char *s)
{
	int row, sy, col = x;
	/* A full block where the terminal can show it, '#' otherwise. */
	const char *pixel = u->ascii || MB_CUR_MAX == 1 ? "#" : "\xe2\x96\x88";
	attrset(attr);
	for (; *s; s++) {
		int g = glyph(*s), px, sx;
		if (g < 0)
			continue;
		for (row = 0; row < 5; row++)
			for (sy = 0; sy < scale_y; sy++)
				for (px = 0; px < 5; px++)
					for (sx = 0; sx < scale_x; sx++) {
						int yy = y + row * scale_y + sy, xx = col + px * scale_x + sx;
						if (yy < 0 || yy >= u->rows || xx < 0 || xx >= u->cols)
							continue;
						if (font[g].rows[row][px] == '#')
							mvaddstr(yy, xx, pixel);
					}
		col += 6 * scale_x;
	}
	attrset(A_NORMAL);
}

void fmt_clock(char *dst, size_t n, double t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !localtime_r(&tt, &tm)) {
		str_copy(dst, "--:--:--", n);
		return;
	}
	strftime(dst, n, "%H:%M:%S", &tm);
}

int wrap_text(const char *s, int w, char (*out)[256], int max)
{
	int n = 0;
	size_t len;
	if (max < 1 || w < 1)
		return 0;
	out[0][0] = '\0';
	while (*s == ' ')
		s++;
	while (*s && n < max) {
		const char *e = strchr(s, ' ');
		char word[256], trial[512];
		len = e ? (size_t)(e - s) : strlen(s);
		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, s, len);
		word[len] = '\0';
		str_printf(trial, sizeof(trial), "%s%s%s", out[n], out[n][0] ? " " : "", word);
		if (out[n][0] && text_width(trial) > w) {
			/* The word starts the next line. */
			if (++n == max)
				break;
			str_copy(out[n], word, sizeof(out[n]));
		} else {
			str_copy(out[n], trial, sizeof(out[n]));
		}
		s += e ? (size_t)(e - s) : strlen(s);
		while (*s == ' ')
			s++;
	}
	return n < max ? n + 1 : max;
}
