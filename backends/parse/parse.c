/* Shared helpers of the text parsers, and opnsense-version. */
#include "parse/parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse_int.h"
#include "util.h"

/* ---- lines and words -------------------------------------------------- */

void lr_init(struct line_reader *lr, const char *text)
{
	lr->p = text;
	lr->lineno = 0;
	lr->buf = NULL;
	lr->cap = 0;
}

char *lr_next(struct line_reader *lr)
{
	const char *end;
	size_t len;

	if (!lr->p || !*lr->p)
		return NULL;
	end = strchr(lr->p, '\n');
	len = end ? (size_t)(end - lr->p) : strlen(lr->p);
	if (len + 1 > lr->cap) {
		lr->cap = len + 1 > 128 ? len + 1 : 128;
		lr->buf = xrealloc(lr->buf, lr->cap);
	}
	memcpy(lr->buf, lr->p, len);
	/* CRLF input and trailing blanks (pfctl pads its columns) carry nothing. */
	while (len > 0 && isspace((unsigned char)lr->buf[len - 1]))
		len--;
	lr->buf[len] = '\0';
	lr->p = end ? end + 1 : NULL;
	lr->lineno++;
	return lr->buf;
}

void lr_free(struct line_reader *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = 0;
	lr->p = NULL;
}

bool line_indented(const char *line)
{
	return line[0] == ' ' || line[0] == '\t';
}

void words_split(struct words *ws, char *line)
{
	char *p = line;

	ws->n = 0;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || ws->n == PARSE_MAX_WORDS)
			return;
		ws->w[ws->n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

int words_find(const struct words *ws, const char *kw)
{
	int i;
	for (i = 0; i < ws->n; i++)
		if (strcmp(ws->w[i], kw) == 0)
			return i;
	return -1;
}

const char *words_after(const struct words *ws, const char *kw)
{
	int i = words_find(ws, kw);
	return i >= 0 && i + 1 < ws->n ? ws->w[i + 1] : NULL;
}

/* ---- numbers, ids, addresses ------------------------------------------ */

bool parse_long_in(const char *s, long lo, long hi, long *out)
{
	long v;
	if (!s || !str_to_long(s, &v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool parse_ll_nonneg(const char *s, long long *out)
{
	char *end;
	long long v;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool parse_hex_id(const char *s, size_t maxdigits, char *out, size_t n)
{
	size_t i, len;
	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len == 0 || len > maxdigits || len >= n)
		return false;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[len] = '\0';
	return true;
}

bool parse_addr_word(const char *s, bool inet6, char *out, size_t n, int *prefix)
{
	char tmp[128];
	unsigned char bin[16];
	char *slash, *pct;
	long bits;

	*prefix = -1;
	if (!s || strlen(s) >= sizeof(tmp))
		return false;
	str_copy(tmp, s, sizeof(tmp));
	slash = strchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		if (!parse_long_in(slash + 1, 0, inet6 ? 128 : 32, &bits))
			return false;
	}
	pct = strchr(tmp, '%');
	if (pct)
		*pct = '\0';
	if (inet_pton(inet6 ? AF_INET6 : AF_INET, tmp, bin) != 1 || strlen(tmp) >= n)
		return false;
	str_copy(out, tmp, n);
	if (slash)
		*prefix = (int)bits;
	return true;
}

bool ifconfig_header(const char *line, const struct words *ws, char *name, size_t n)
{
	size_t len;
	if (line_indented(line) || ws->n < 2 || !str_starts(ws->w[1], "flags="))
		return false;
	len = strlen(ws->w[0]);
	/* An interface name is at most IFNAMSIZ-1 (15) bytes: anything longer
	 * is not a header, and would not fit. */
	if (len < 2 || ws->w[0][len - 1] != ':' || len > n)
		return false;
	memcpy(name, ws->w[0], len - 1);
	name[len - 1] = '\0';
	return true;
}

/* ---- failure ---------------------------------------------------------- */

void parse_excerpt(char *dst, size_t n, const char *line)
{
	char tmp[PARSE_EXCERPT_SIZE];

	/* Cut first, then make inert: a cut UTF-8 sequence just becomes '?'. */
	str_copy(tmp, line, PARSE_EXCERPT_CHARS + 1);
	if (strlen(line) > PARSE_EXCERPT_CHARS)
		str_copy(tmp + PARSE_EXCERPT_CHARS, "...", sizeof(tmp) - PARSE_EXCERPT_CHARS);
	text_sanitize(dst, tmp, n);
}

int parse_fail(char **cause, const char *what, int lineno, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	if (!cause)
		return -1;
	sb_init(&sb);
	if (lineno > 0)
		sb_printf(&sb, "%s: line %d: ", what, lineno);
	else
		sb_printf(&sb, "%s: ", what);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*cause = sb_steal(&sb);
	return -1;
}

/* ---- opnsense-version ------------------------------------------------- */

/* "26.7.2", "26.7.2_1", "26.7.2-amd64" -> length of the version part
 * (up to a '-'), or 0 when the word is not a version. */
static size_t version_len(const char *w)
{
	size_t i;
	bool dot = false;

	if (!isdigit((unsigned char)w[0]))
		return 0;
	for (i = 0; w[i] && w[i] != '-'; i++) {
		if (w[i] == '.')
			dot = true;
		else if (!isalnum((unsigned char)w[i]) && w[i] != '_')
			return 0;
	}
	return dot ? i : 0;
}

int parse_opnsense_version(const char *text, char *version, size_t n, char **cause)
{
	static const char what[] = "opnsense-version";
	struct line_reader lr;
	struct words ws;
	char *line, first[PARSE_EXCERPT_SIZE] = "";
	int first_no = 0, ret = -1;

	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		const char *w;
		size_t len = 0;

		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		/* `26.7.2` alone (-v), or `OPNsense 26.7.2 (amd64)`: the version is
		 * the first or the second word. Looking no further keeps a stray
		 * number in an ssh banner or error message from passing. */
		w = ws.n >= 1 && version_len(ws.w[0]) ? ws.w[0] : ws.n >= 2 ? ws.w[1] : NULL;
		if (w)
			len = version_len(w);
		if (!len)
			continue;
		if (len >= n) {
			ret = parse_fail(cause, what, lr.lineno, "version too long");
			goto out;
		}
		memcpy(version, w, len);
		version[len] = '\0';
		ret = 0;
		goto out;
	}
	if (!first_no)
		ret = parse_fail(cause, what, 0, "empty output");
	else
		ret = parse_fail(cause, what, first_no, "no version found: \"%s\"", first);
out:
	lr_free(&lr);
	return ret;
}
