/* Fuzz target: carptop's YAML configuration (src/core/config.c).
 *
 * The input is a carptop.yaml. A refusal must be one located message
 * (FILE:LINE:COL: ...) with no control byte, and leave nothing allocated;
 * a config that loads gives every cluster a pair view (its nodes not
 * polled yet, as at start-up), rendered together in all four formats under
 * the oracle: the names a user wrote reach every output. Paths in the
 * config (key files, known_hosts) are looked up relative to the working
 * directory; the fuzzer runs in an empty one (scripts/fuzz.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"
#include "view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char *text, *cause = NULL;

	if (size > 1 << 20)
		return 0;
	text = fuzz_exact((const char *)data, size);
	if (config_load_string(text, size, "fuzz.yaml", &c, &cause) < 0) {
		unsigned line, col;
		if (!cause || sscanf(cause, "fuzz.yaml:%u:%u:", &line, &col) != 2 || !line || !col) {
			fprintf(stderr, "fuzz oracle: config error without FILE:LINE:COL: %s\n", cause ? cause : "(none)");
			abort();
		}
		fuzz_check_text("config error", cause, strlen(cause));
	} else {
		struct pair_view *views = xmalloc((c.n_clusters ? c.n_clusters : 1) * sizeof(*views));
		struct snapshot idle;
		size_t i;
		snapshot_init(&idle);
		snapshot_set_error(&idle, NERR_NOT_POLLED, "not polled yet");
		for (i = 0; i < c.n_clusters; i++)
			view_build_pair(&views[i], &c.clusters[i], &idle, &idle, NULL, FUZZ_NOW);
		fuzz_render_check(views, c.n_clusters);
		for (i = 0; i < c.n_clusters; i++)
			pair_free(&views[i]);
		free(views);
		snapshot_clear(&idle);
		config_free(&c);
	}
	free(cause);
	free(text);
	return 0;
}
