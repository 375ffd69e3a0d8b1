/* `sysctl net.inet.carp`: `net.inet.carp.NAME: VALUE` lines, in an order
 * that differs between releases (CONTRACT.md §9). */
#include "parse/parse.h"

#include <stddef.h>
#include <string.h>

#include "parse/parse_int.h"
#include "util.h"

static const struct {
	const char *name;
	size_t off;
} carp_names[] = {
	{ "allow", offsetof(struct carp_sysctl, allow) },
	{ "preempt", offsetof(struct carp_sysctl, preempt) },
	{ "log", offsetof(struct carp_sysctl, log) },
	{ "demotion", offsetof(struct carp_sysctl, demotion) },
	{ "dscp", offsetof(struct carp_sysctl, dscp) },
	{ "senderr_demotion_factor", offsetof(struct carp_sysctl, senderr_demotion_factor) },
	{ "ifdown_demotion_factor", offsetof(struct carp_sysctl, ifdown_demotion_factor) },
};

static long *carp_field(struct carp_sysctl *cs, const char *name)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(carp_names); i++)
		if (strcmp(carp_names[i].name, name) == 0)
			return (long *)(void *)((char *)cs + carp_names[i].off);
	return NULL;
}

int parse_sysctl_carp(const char *text, struct snapshot *s, struct carp_sysctl *out, char **cause)
{
	static const char what[] = "sysctl net.inet.carp";
	static const char prefix[] = "net.inet.carp.";
	struct carp_sysctl cs;
	struct line_reader lr;
	struct words ws;
	char *line, first[PARSE_EXCERPT_SIZE] = "", bad[64] = "";
	int first_no = 0, bad_no = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(carp_names); i++)
		*carp_field(&cs, carp_names[i].name) = CARP_SYSCTL_UNSET;
	lr_init(&lr, text);
	while ((line = lr_next(&lr))) {
		char *name;
		size_t len;
		long *field, v;

		if (!first_no && *line) {
			first_no = lr.lineno;
			parse_excerpt(first, sizeof(first), line);
		}
		words_split(&ws, line);
		if (ws.n < 2 || !str_starts(ws.w[0], prefix))
			continue;
		name = ws.w[0] + sizeof(prefix) - 1;
		len = strlen(name);
		if (len < 2 || name[len - 1] != ':')
			continue;
		name[len - 1] = '\0';
		field = carp_field(&cs, name);
		if (!field)
			continue; /* a name from a newer kernel, or `stats` with -o */
		/* Exactly one value word: a cut-off or mangled line must not count. */
		if (ws.n != 2 || !parse_long_in(ws.w[1], CARP_SYSCTL_UNSET + 1, LONG_MAX, &v)) {
			/* Remembered for the message when it leaves allow/demotion unset. */
			if (!bad_no && (strcmp(name, "allow") == 0 || strcmp(name, "demotion") == 0)) {
				bad_no = lr.lineno;
				str_copy(bad, name, sizeof(bad));
			}
			continue;
		}
		*field = v;
	}
	lr_free(&lr);

	if (cs.allow == CARP_SYSCTL_UNSET || cs.demotion == CARP_SYSCTL_UNSET) {
		const char *missing = cs.allow == CARP_SYSCTL_UNSET ? "allow" : "demotion";
		if (bad_no && strcmp(bad, missing) == 0)
			return parse_fail(cause, what, bad_no, "unreadable value of net.inet.carp.%s", bad);
		if (!first_no)
			return parse_fail(cause, what, 0, "empty output");
		return parse_fail(cause, what, first_no, "no net.inet.carp.%s line: \"%s\"", missing, first);
	}
	if (s) {
		s->carp.known = true;
		s->carp.allow = (int)cs.allow;
		s->carp.demotion = cs.demotion;
		if (cs.preempt != CARP_SYSCTL_UNSET)
			s->carp.preempt = (int)cs.preempt;
	}
	if (out)
		*out = cs;
	return 0;
}
