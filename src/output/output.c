/* Batch output: the format by name, and the dispatch to its renderer
 * (output_<format>.c; what they share is output_common.c). */
#include "output.h"

#include <stdlib.h>
#include <string.h>

static const char *const format_names[] = {
	[OUT_TEXT] = "text", [OUT_JSON] = "json", [OUT_NAGIOS] = "nagios", [OUT_PROMETHEUS] = "prometheus",
};

int out_format_parse(const char *s, enum out_format *f)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(format_names); i++) {
		if (str_eq(s, format_names[i])) {
			*f = (enum out_format)i;
			return 0;
		}
	}
	return -1;
}

const char *out_format_name(enum out_format f)
{
	return (size_t)f < ARRAY_LEN(format_names) ? format_names[f] : "text";
}

void output_render(struct strbuf *sb, enum out_format f, const struct pair_view *views, size_t n,
		   const struct output_opts *o)
{
	struct output_opts dflt = { .now = n ? views[0].now : 0, .demo = false };
	if (!o)
		o = &dflt;
	switch (f) {
	case OUT_JSON:
		out_render_json(sb, views, n, o);
		break;
	case OUT_NAGIOS:
		out_render_nagios(sb, views, n, o);
		break;
	case OUT_PROMETHEUS:
		out_render_prom(sb, views, n, o);
		break;
	case OUT_TEXT:
	default:
		out_render_text(sb, views, n, o);
		break;
	}
}
