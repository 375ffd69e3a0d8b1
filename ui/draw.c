/* Drawing helpers: every string reaches the terminal through draw_text(),
 * which makes it inert and fits it to its columns (src/textfit.h) even
 * though the backends sanitised it already: the terminal must never see a
 * control character, whatever a future backend forgets. */
#include "ui_int.h"

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

void draw_hline(struct ui *u, int y, int x, int w, attr_t attr)
{
	if (y < 0 || y >= u->rows || x >= u->cols || w <= 0)
		return;
	if (x + w > u->cols)
		w = u->cols - x;
	attrset(attr);
	mvhline(y, x, u->ascii ? '-' : ACS_HLINE, w);
	attrset(A_NORMAL);
}

void draw_box(struct ui *u, int y, int x, int h, int w, attr_t attr)
{
	chtype hl = u->ascii ? '-' : ACS_HLINE, vl = u->ascii ? '|' : ACS_VLINE;
	chtype ul = u->ascii ? '+' : ACS_ULCORNER, ur = u->ascii ? '+' : ACS_URCORNER;
	chtype ll = u->ascii ? '+' : ACS_LLCORNER, lr = u->ascii ? '+' : ACS_LRCORNER;
	if (h < 2 || w < 2 || y < 0 || x < 0 || y + h > u->rows || x + w > u->cols)
		return;
	attrset(attr);
	mvhline(y, x + 1, hl, w - 2);
	mvhline(y + h - 1, x + 1, hl, w - 2);
	mvvline(y + 1, x, vl, h - 2);
	mvvline(y + 1, x + w - 1, vl, h - 2);
	mvaddch(y, x, ul);
	mvaddch(y, x + w - 1, ur);
	mvaddch(y + h - 1, x, ll);
	mvaddch(y + h - 1, x + w - 1, lr);
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

void fmt_age(char *dst, size_t n, double secs)
{
	long s = secs < 0 ? 0 : (long)(secs + 0.5);
	if (s >= 86400)
		str_printf(dst, n, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
	else if (s >= 3600)
		str_printf(dst, n, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else if (s >= 60)
		str_printf(dst, n, "%ldm%02lds", s / 60, s % 60);
	else
		str_printf(dst, n, "%lds", s);
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
