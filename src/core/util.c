#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "carptop: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s ? s : "", s ? strlen(s) : 0);
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	sb_init(&sb);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	return sb_steal(&sb);
}

size_t str_copy(char *dst, const char *src, size_t dstsz)
{
	size_t len;
	if (!dstsz)
		return 0;
	if (!src)
		src = "";
	len = strlen(src);
	if (len >= dstsz)
		len = dstsz - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return len;
}

void str_printf(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list ap;
	if (!dstsz)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
}

bool str_starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_to_ll(const char *s, long long *out)
{
	char *end;
	long long v;
	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return false;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

bool str_to_long(const char *s, long *out)
{
	long long v;
	if (!str_to_ll(s, &v) || v < LONG_MIN || v > LONG_MAX)
		return false;
	*out = (long)v;
	return true;
}

void fmt_duration(char *dst, size_t n, double secs)
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

/* Length of the UTF-8 sequence at s (1..4), or 0 if it is not valid UTF-8.
 * *shown is false for a valid sequence that must not reach a terminal. */
static size_t utf8_seq_len(const unsigned char *s, bool *shown)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;
	*shown = true;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls U+0080..U+009F act as escape introducers on some
	 * terminals; bidi overrides could reorder what an operator reads. */
	if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		*shown = false;
	return n;
}

void text_sanitize(char *dst, const char *src, size_t dstsz)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;
	if (!dstsz)
		return;
	while (*s && o + 1 < dstsz) {
		size_t n;
		bool shown;
		if (*s < 0x20 || *s == 0x7f) {
			dst[o++] = (*s == '\t') ? ' ' : '?';
			s++;
			continue;
		}
		n = utf8_seq_len(s, &shown);
		if (n == 0 || !shown) {
			dst[o++] = '?';
			s += n ? n : 1;
			continue;
		}
		if (o + n >= dstsz)
			break;
		memcpy(dst + o, s, n);
		o += n;
		s += n;
	}
	dst[o] = '\0';
}

void text_sanitize_inplace(char *s)
{
	/* Output is never longer than input, so in place is safe. */
	char *tmp;
	size_t len;
	if (!s)
		return;
	len = strlen(s);
	tmp = xmalloc(len + 1);
	text_sanitize(tmp, s, len + 1);
	memcpy(s, tmp, strlen(tmp) + 1);
	free(tmp);
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_addn(sb, &c, 1);
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

char *sb_steal(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb_init(sb);
	return p;
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *path_expand(const char *path)
{
	const char *home;
	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		home = getenv("HOME");
		if (!home)
			home = "";
		return xasprintf("%s%s", home, path + 1);
	}
	return xstrdup(path);
}
