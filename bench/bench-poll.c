/* bench-poll: how long one poll round takes, for a whole pair and for a
 * single node, over the real API transport and event loop. Run against
 * carpsim (see bench/run.sh); prints median and p90 in milliseconds.
 *
 *   bench-poll CONFIG ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "loop.h"
#include "util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One round: poll the given nodes and wait until each answered. */
static double round_ms(struct app *a, const int *nodes, int n_nodes)
{
	unsigned want[CLUSTER_NODES] = { 0 };
	double t0 = now_ms();
	int i;
	for (i = 0; i < n_nodes; i++)
		want[nodes[i]] = app_poll_node(a, 0, nodes[i]);
	for (;;) {
		bool done = true;
		for (i = 0; i < n_nodes; i++)
			if (a->clusters[0].node[nodes[i]].polls <= want[nodes[i]])
				done = false;
		if (done)
			break;
		loop_run_once(a->loop, 1000);
	}
	return now_ms() - t0;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	printf("%-28s median %7.1f ms   p90 %7.1f ms   min %7.1f ms  (%d rounds)\n", what, v[n / 2], v[n * 9 / 10],
	       v[0], n);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct loop *loop = loop_new();
	struct app app;
	char *cause = NULL;
	int rounds = argc > 2 ? atoi(argv[2]) : 20, r;
	static const int pair[] = { 0, 1 }, one[] = { 0 };
	double *v;

	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: bench-poll CONFIG ROUNDS\n");
		return 2;
	}
	if (config_load_file(argv[1], &cfg, &cause) < 0 || app_init(&app, &cfg, loop, NULL, NULL, true, &cause) < 0) {
		fprintf(stderr, "bench-poll: %s\n", cause);
		return 2;
	}
	v = xcalloc((size_t)rounds, sizeof(*v));
	/* Warm up: connections open, slow reads done. */
	round_ms(&app, pair, 2);
	for (r = 0; r < rounds; r++)
		v[r] = round_ms(&app, one, 1);
	report("one node (fw1)", v, rounds);
	for (r = 0; r < rounds; r++)
		v[r] = round_ms(&app, pair, 2);
	report("pair (fw1 + fw2 in parallel)", v, rounds);
	if (!app.clusters[0].node[0].snap.reachable || !app.clusters[0].node[1].snap.reachable) {
		fprintf(stderr, "bench-poll: a node was not reachable: %s / %s\n", app.clusters[0].node[0].snap.error,
			app.clusters[0].node[1].snap.error);
		return 1;
	}
	free(v);
	app_free(&app);
	loop_free(loop);
	config_free(&cfg);
	return 0;
}
