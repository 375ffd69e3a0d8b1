#include "textfit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

/* Decode one UTF-8 sequence of already sanitised text. Returns its length
 * (0 at the end). */
static size_t utf8_next(const unsigned char *s, wchar_t *wc)
{
	if (!s[0])
		return 0;
	if (s[0] < 0x80) {
		*wc = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && s[1]) {
		*wc = (wchar_t)(((s[0] & 0x1f) << 6) | (s[1] & 0x3f));
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && s[1] && s[2]) {
		*wc = (wchar_t)(((s[0] & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f));
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*wc = (wchar_t)(((s[0] & 0x07) << 18) | ((s[1] & 0x3f) << 12) | ((s[2] & 0x3f) << 6) | (s[3] & 0x3f));
		return 4;
	}
	*wc = L'?';
	return 1;
}

int text_fit(char *dst, size_t dstsz, const char *src, int cols, int ellipsis)
{
	size_t len = strlen(src ? src : "") + 1, o = 0;
	char *clean = xmalloc(len);
	const unsigned char *s;
	int used = 0;

	if (!dstsz) {
		free(clean);
		return 0;
	}
	text_sanitize(clean, src, len);
	s = (const unsigned char *)clean;
	while (*s) {
		wchar_t wc;
		size_t n = utf8_next(s, &wc);
		int w = wcwidth(wc);
		const char *out = (const char *)s;
		size_t outn = n;

		if (w < 0) {
			/* Not printable in this locale (or a C1/format control the
			 * sanitiser let through as valid UTF-8): show '?'. */
			out = "?";
			outn = 1;
			w = 1;
		}
		if (used + w > cols || o + outn + 1 > dstsz) {
			if (ellipsis && cols > 0) {
				/* Make room for '~' in the last column. */
				while (o > 0 && used + 1 > cols) {
					/* Drop the last character (back up over its UTF-8 bytes). */
					size_t back = o - 1;
					wchar_t pw;
					while (back > 0 && ((unsigned char)dst[back] & 0xc0) == 0x80)
						back--;
					utf8_next((const unsigned char *)dst + back, &pw);
					used -= wcwidth(pw) > 0 ? wcwidth(pw) : (wcwidth(pw) == 0 ? 0 : 1);
					o = back;
				}
				if (used + 1 <= cols && o + 2 <= dstsz) {
					dst[o++] = '~';
					used++;
				}
			}
			break;
		}
		memcpy(dst + o, out, outn);
		o += outn;
		used += w;
		s += n;
	}
	dst[o] = '\0';
	free(clean);
	return used;
}

int text_width(const char *s)
{
	size_t len = strlen(s ? s : "") + 1;
	char *tmp = xmalloc(len * 2 + 1);
	int w = text_fit(tmp, len * 2 + 1, s, 1 << 30, 0);
	free(tmp);
	return w;
}
