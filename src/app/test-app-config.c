/* Unit tests of the app's config.xml reads (app.c): over a fleet, at most
 * APP_CONFIG_READS_MAX run at once (each holds its text and a tree ten
 * times that until slimmed), the rest start as reads end, and a one-shot
 * waits for them (app_config_pending); every node's config ends slim, none
 * is held, and the drift of the drifting pair is shown in detail. On the
 * in-process simulator with a still clock. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "confcache.h"
#include "drift.h"
#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"
#include "view.h"

#define PAIRS 6

static int pending_reads(const struct app *a)
{
	size_t i;
	int n, k = 0;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			k += a->clusters[i].node[n].config && a->clusters[i].node[n].config->pending;
	return k;
}

static void test_fleet_reads(void)
{
	static const char *const scen[PAIRS] = { "healthy", "healthy", "healthy", "healthy", "healthy", "drift" };
	struct config cfg;
	struct loop *loop = loop_new();
	struct sim_world *w;
	struct app a;
	char *cause = NULL;
	int most = 0, n;
	size_t i;
	double end;

	config_demo_scenarios(&cfg, scen, PAIRS);
	w = sim_world_new_scenarios(scen, PAIRS, 1, &cause);
	CHECK(w != NULL);
	if (!w)
		return;
	sim_world_manual_clock(w);
	CHECK(app_init(&a, &cfg, loop, w, NULL, true, &cause) == 0);
	app_poll_all(&a, false);
	end = now_ms() + 5000;
	do {
		loop_run_once(loop, 20);
		if (pending_reads(&a) > most)
			most = pending_reads(&a);
	} while (now_ms() < end && (app_config_pending(&a) || pending_reads(&a) || a.clusters[PAIRS - 1].node[1].polls == 0));
	printf("# at most %d config reads at once\n", most);
	CHECK(most >= 1);
	CHECK(most <= 4);
	CHECK(!app_config_pending(&a));
	CHECK_INT_EQ(a.config_reads, 0);
	for (i = 0; i < a.n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct conf_cache *cc = a.clusters[i].node[n].config;
			CHECK(cc && conf_cache_get(cc) && conf_cache_get(cc)->slim);
			CHECK(cc && !cc->held);
		}
	{
		struct pair_view v;
		bool rule = false, pend = false;
		app_view(&a, PAIRS - 1, &v);
		CHECK(v.drift_known);
		for (i = 0; i < v.n_drift; i++) {
			rule |= str_eq(v.drift[i].path, "filter/rule[3]") && v.drift[i].absent[1];
			pend |= str_eq(v.drift[i].value[0], DRIFT_PENDING);
		}
		CHECK(rule);
		CHECK(!pend);
		pair_free(&v);
		app_view(&a, 0, &v);
		CHECK(v.drift_known);
		CHECK_INT_EQ(v.n_drift, 0);
		pair_free(&v);
	}
	app_free(&a);
	sim_world_free(w);
	loop_free(loop);
	config_free(&cfg);
}

int main(void)
{
	RUN(test_fleet_reads);
	return test_done();
}
