/* pfctl output: `pfctl -si` / `-vsi` (state count, own host id), `pfctl -s
 * memory` (state limit), `pfctl -s state -vv` (creator ids). Formats:
 * fbsd:sbin/pfctl/pfctl_parser.c, pfctl.c; CONTRACT.md §4. */
#include "parse/parse.h"

#include <string.h>

#include "parse/parse_int.h"
#include "util.h"

/* Which table of `pfctl -si` the current line is in: -v output has a
 * `current entries` line under "Source Tracking Table" too. */
enum si_section { SI_NONE, SI_STATE, SI_OTHER };

int parse_pfctl_si(const char *text, long long *current, char *hostid, size_t hostid_sz, char **cause)
{
	static const char what[] = "pfctl -si";
	struct line_reader lr;
	struct words ws;
	enum si_section sect = SI_NONE;
	char *line, first[PARSE_EXCERPT_SIZE] = "", id[16] = "";
	long long count = -1;
	int first_no = 0;

	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		bool indented = line_indented(line);

		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		if (ws.n == 0)
			continue;
		if (ws.n >= 2 && strcmp(ws.w[0], "current") == 0 && strcmp(ws.w[1], "entries") == 0 &&
		    sect != SI_OTHER && count < 0) {
			/* Indented under "State Table", or alone at column 0 (grep). */
			if (ws.n < 3 || !parse_ll_nonneg(ws.w[2], &count)) {
				lr_free(&lr);
				return parse_fail(cause, what, lr.lineno, "no count on the \"current entries\" line");
			}
			continue;
		}
		if (indented)
			continue;
		/* Section titles sit at column 0, their rows are indented. */
		if (ws.n >= 2 && strcmp(ws.w[0], "State") == 0 && strcmp(ws.w[1], "Table") == 0)
			sect = SI_STATE;
		else if (strcmp(ws.w[0], "Hostid:") == 0 && ws.n >= 2)
			parse_hex_id(ws.w[1], 8, id, sizeof(id));
		else if (strcmp(ws.w[0], "Status:") != 0 && strcmp(ws.w[0], "Checksum:") != 0)
			sect = SI_OTHER;
	}
	lr_free(&lr);

	if (count < 0) {
		if (!first_no)
			return parse_fail(cause, what, 0, "empty output");
		return parse_fail(cause, what, first_no, "no \"current entries\" line: \"%s\"", first);
	}
	*current = count;
	if (hostid)
		str_copy(hostid, id, hostid_sz);
	return 0;
}

int parse_pfctl_memory(const char *text, long long *states_limit, char **cause)
{
	static const char what[] = "pfctl -s memory";
	struct line_reader lr;
	struct words ws;
	char *line, first[PARSE_EXCERPT_SIZE] = "";
	int first_no = 0;
	long long limit = -1;

	lr_init(&lr, text);
	while ((line = lr_next(&lr)) && limit < 0) {
		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		/* `states        hard limit   100000` or `states        unlimited` */
		if (ws.n < 2 || strcmp(ws.w[0], "states") != 0)
			continue;
		if (strcmp(ws.w[1], "unlimited") == 0)
			limit = PARSE_UNLIMITED;
		else if (ws.n < 4 || strcmp(ws.w[1], "hard") != 0 || strcmp(ws.w[2], "limit") != 0 ||
			 !parse_ll_nonneg(ws.w[3], &limit)) {
			lr_free(&lr);
			return parse_fail(cause, what, lr.lineno, "unreadable \"states\" limit");
		}
	}
	lr_free(&lr);

	if (limit < 0) {
		if (!first_no)
			return parse_fail(cause, what, 0, "empty output");
		return parse_fail(cause, what, first_no, "no \"states\" line: \"%s\"", first);
	}
	*states_limit = limit;
	return 0;
}

int parse_pfctl_creators(const char *text, struct snapshot *s, char **cause)
{
	static const char what[] = "pfctl -s state -vv";
	struct line_reader lr;
	struct words ws;
	char ids[SNAP_MAX_CREATORS][16];
	char *line, first[PARSE_EXCERPT_SIZE] = "";
	int n = 0, first_no = 0, i;
	bool seen = false;

	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		char id[16];

		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		/* `   id: 6520a0b500000001 creatorid: a2e0f312 gateway: 0.0.0.0` */
		if (words_find(&ws, "creatorid:") < 0)
			continue;
		seen = true;
		if (!parse_hex_id(words_after(&ws, "creatorid:"), 8, id, sizeof(id)) || n == SNAP_MAX_CREATORS)
			continue;
		for (i = 0; i < n && strcmp(ids[i], id) != 0; i++)
			;
		if (i == n)
			str_copy(ids[n++], id, sizeof(ids[0]));
	}
	lr_free(&lr);

	/* No states at all prints nothing; text without any creatorid field is
	 * plain `pfctl -ss` or an error message, and would read as "no peers". */
	if (first_no && !seen)
		return parse_fail(cause, what, first_no, "no \"creatorid:\" field (not -vv output?): \"%s\"",
				  first);
	if (s) {
		for (i = 0; i < n; i++)
			str_copy(s->pfsync.creators[i], ids[i], sizeof(s->pfsync.creators[i]));
		s->pfsync.n_creators = n;
	}
	return 0;
}
