/* Small helpers shared by every module: allocation that never returns NULL,
 * bounded string copies, a growable string buffer, and making remote text inert. */
#ifndef CARPTOP_UTIL_H
#define CARPTOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure is not a condition carptop can act on: abort loudly. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline bool str_eq(const char *a, const char *b)
{
	return a && b && __builtin_strcmp(a, b) == 0;
}

/* Copy src into dst of size dstsz, always NUL-terminated, truncating. */
size_t str_copy(char *dst, const char *src, size_t dstsz);
/* Bounded snprintf that never reports more than it wrote. */
void str_printf(char *dst, size_t dstsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool str_starts(const char *s, const char *prefix);
/* Parse a whole decimal integer (leading/trailing blanks allowed); false if
 * not one or out of range. The one integer parser: str_to_long is it, narrowed. */
bool str_to_ll(const char *s, long long *out);
bool str_to_long(const char *s, long *out);
/* A duration for people, to the nearest second: "4s", "2m05s", "3h10m",
 * "2d04h"; a negative one is "0s". The one formatter for the checks'
 * messages and the console. */
void fmt_duration(char *dst, size_t n, double secs);

/* Text that came from a node (hostnames, descriptions, error messages) is
 * shown inert: every control character (C0, DEL, C1, and so every escape
 * sequence introducer) becomes '?', invalid UTF-8 bytes become '?'. Valid
 * UTF-8 printable text passes unchanged. Writes at most dstsz-1 bytes. */
void text_sanitize(char *dst, const char *src, size_t dstsz);
/* In place variant. */
void text_sanitize_inplace(char *s);

/* Growable string buffer. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
char *sb_steal(struct strbuf *sb); /* returns the buffer (never NULL), resets sb */

/* Monotonic milliseconds, and wall-clock seconds. */
double now_ms(void);
double wall_s(void);

/* "~/" expansion against $HOME. Returns a new string. */
char *path_expand(const char *path);

#endif
