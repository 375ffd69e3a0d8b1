/* The YAML nesting limit (see yamldepth.h): a streaming pre-scan of events. */
#include "yamldepth.h"

#include <stdbool.h>

int yaml_too_deep(const char *text, size_t len, int max_depth, yaml_mark_t *at)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, deep = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return 0; /* the loader's own initialisation reports it */
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !deep) {
		if (!yaml_parser_parse(&parser, &ev))
			break; /* a syntax error: the real load reports it */
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > max_depth) {
				*at = ev.start_mark;
				deep = 1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return deep;
}
