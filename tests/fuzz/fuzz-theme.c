/* Fuzz target: colour themes (src/core/theme.c).
 *
 * The input is a theme file. A refusal must be one located message
 * (FILE:LINE:COL: ...) without control bytes and leave the theme as it was;
 * a theme that loads must map every part to a colour the terminal code
 * accepts, and its name (text from the file, shown in the console's
 * status line) is rendered as the cluster's name in all four batch formats
 * under the oracle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "theme.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t, before;
	char *text, *cause = NULL;

	if (size > 1 << 20)
		return 0;
	text = fuzz_exact((const char *)data, size);
	theme_builtin(&t);
	before = t;
	if (theme_load_string(&t, text, size, "fuzz.yaml", &cause) < 0) {
		unsigned line, col;
		if (!cause || sscanf(cause, "fuzz.yaml:%u:%u:", &line, &col) != 2 || !line || !col) {
			fprintf(stderr, "fuzz oracle: theme error without FILE:LINE:COL: %s\n", cause ? cause : "(none)");
			abort();
		}
		fuzz_check_text("theme error", cause, strlen(cause));
		if (memcmp(&t, &before, sizeof(t)) != 0)
			abort(); /* a failed load leaves the theme as it was */
	} else {
		struct cluster_conf cc;
		struct snapshot idle;
		int i, n;
		for (i = 0; i < TP__COUNT; i++)
			for (n = 8; n <= 256; n *= 2) {
				int fg = colour_to_terminal(&t.part[i].fg, n), bg = colour_to_terminal(&t.part[i].bg, n);
				if (fg < -1 || fg >= n || bg < -1 || bg >= n)
					abort();
			}
		fuzz_cluster(&cc, TRANSPORT_SIM);
		cc.name = t.name;
		snapshot_init(&idle);
		snapshot_set_error(&idle, NERR_NOT_POLLED, "not polled yet");
		fuzz_pair_check(&cc, &idle, &idle);
		snapshot_clear(&idle);
	}
	free(cause);
	free(text);
	return 0;
}
