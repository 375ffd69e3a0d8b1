/* bench-yaml-depth: how long refusing a deeply nested YAML file takes, for
 * the config loader and the theme loader (src/core/yamldepth.h), against the
 * nesting a real file has. libyaml 0.2.5 alone needs minutes for 100 000
 * levels; with the pre-scan the refusal is independent of the depth.
 *
 *   bench-yaml-depth [DEPTH]   (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "theme.h"
#include "util.h"

static char *nested(const char *head, const char *open, const char *close, long depth)
{
	struct strbuf sb;
	long i;
	sb_init(&sb);
	sb_add(&sb, head);
	for (i = 0; i < depth; i++)
		sb_add(&sb, open);
	for (i = 0; i < depth; i++)
		sb_add(&sb, close);
	sb_addc(&sb, '\n');
	return sb_steal(&sb);
}

static double time_config(const char *text, int reps)
{
	double t0 = now_ms();
	int r;
	for (r = 0; r < reps; r++) {
		struct config c;
		char *cause = NULL;
		if (config_load_string(text, strlen(text), "deep.yaml", &c, &cause) == 0)
			config_free(&c);
		free(cause);
	}
	return (now_ms() - t0) / reps;
}

static double time_theme(const char *text, int reps)
{
	double t0 = now_ms();
	int r;
	for (r = 0; r < reps; r++) {
		struct theme t;
		char *cause = NULL;
		theme_builtin(&t);
		theme_load_string(&t, text, strlen(text), "deep.yaml", &cause);
		free(cause);
	}
	return (now_ms() - t0) / reps;
}

int main(int argc, char **argv)
{
	long depth = argc > 1 ? atol(argv[1]) : 100000;
	char *cfg_seq = nested("clusters: ", "[", "]", depth);
	char *cfg_map = nested("", "{a: ", "}", depth);
	char *thm_map = nested("parts: ", "{a: ", "}", depth);
	char *cfg_64 = nested("clusters: ", "[", "]", 63);

	printf("config, %ld nested [ ...]     refused in %8.3f ms\n", depth, time_config(cfg_seq, 20));
	printf("config, %ld nested {a: ...}   refused in %8.3f ms\n", depth, time_config(cfg_map, 20));
	printf("theme,  %ld nested {a: ...}   refused in %8.3f ms\n", depth, time_theme(thm_map, 20));
	printf("config, 64 levels (the limit)    loaded in %8.3f ms\n", time_config(cfg_64, 200));
	free(cfg_seq);
	free(cfg_map);
	free(thm_map);
	free(cfg_64);
	return 0;
}
