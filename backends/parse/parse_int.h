/* Helpers shared by the text parsers (not part of the public API): a line
 * reader, a word splitter and keyword lookups, bounded number and address
 * parsing, and the failure message. */
#ifndef CARPTOP_PARSE_INT_H
#define CARPTOP_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Hands out one line at a time as a private NUL-terminated copy, so the
 * words of a line can be cut in place without touching the caller's text.
 * Trailing CR and blanks are dropped (CRLF input); a last line without a
 * newline is still returned. */
struct line_reader {
	const char *p; /* next unread byte; NULL once done */
	int lineno;    /* 1-based number of the line last returned */
	char *buf;
	size_t cap;
};
void lr_init(struct line_reader *lr, const char *text);
char *lr_next(struct line_reader *lr); /* NULL at the end */
void lr_free(struct line_reader *lr);

/* True when the line starts with a blank: in ifconfig output that marks a
 * line belonging to the interface above it. */
bool line_indented(const char *line);

/* Whitespace-separated words of one line, cut in place. Words past the
 * limit are dropped: no line carptop reads has nearly that many. */
#define PARSE_MAX_WORDS 64
struct words {
	char *w[PARSE_MAX_WORDS];
	int n;
};
void words_split(struct words *ws, char *line);
/* Index of the first word equal to kw, or -1. */
int words_find(const struct words *ws, const char *kw);
/* The word right after the first kw, or NULL (kw absent or last). */
const char *words_after(const struct words *ws, const char *kw);

/* Whole decimal numbers only; false when s is not one or outside lo..hi. */
bool parse_long_in(const char *s, long lo, long hi, long *out);
bool parse_ll_nonneg(const char *s, long long *out);

/* 1..maxdigits hex digits, optional 0x, copied lower-case without 0x into
 * out (size n). False when s is anything else or does not fit. */
bool parse_hex_id(const char *s, size_t maxdigits, char *out, size_t n);

/* An address word as ifconfig prints it: optional /prefix and %scope
 * (either order) are split off; the rest must be a valid IPv4 (inet6
 * false) or IPv6 address and fit out (size n). *prefix gets the /N part or
 * -1. */
bool parse_addr_word(const char *s, bool inet6, char *out, size_t n, int *prefix);

/* `name: flags=...` at column 0: the header of an ifconfig interface block.
 * name (size n) gets the device name. */
bool ifconfig_header(const char *line, const struct words *ws, char *name, size_t n);

/* A short, inert quotation of a line for an error message: at most
 * PARSE_EXCERPT_CHARS bytes of it plus "...", in a buffer of
 * PARSE_EXCERPT_SIZE. */
#define PARSE_EXCERPT_CHARS 72
#define PARSE_EXCERPT_SIZE (PARSE_EXCERPT_CHARS + 4)
void parse_excerpt(char *dst, size_t n, const char *line);

/* Sets *cause (when cause is not NULL) to "<what>: line <lineno>: <msg>"
 * ("<what>: <msg>" when lineno <= 0) and returns -1. */
int parse_fail(char **cause, const char *what, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
