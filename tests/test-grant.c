/* A mutation grant for the tests of a transport's actions (backend.h):
 * linked into test programs only, never into carptop itself, so the
 * console and batch code cannot reach a node but through the engine. */
#include "backend.h"

struct mutation_grant {
	const char *holder;
};

static const struct mutation_grant test_grant = { "transport tests" };
const struct mutation_grant *const carptop_test_grant = &test_grant;
