/* Unit tests of the periodic schedule (app.c): a large fleet's polls are
 * spread over the interval at stable phases, on an absolute schedule (no
 * drift, rounds inside their interval); a small fleet polls at once; a poll
 * asked for in between leaves the phases alone. On the in-process
 * simulator (a few ms per poll), one answer recorded per tick of node fw1. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"

#define MAX_CLUSTERS 40
#define MAX_POLLS 16
#define IV_MS 1000.0

struct fixture {
	struct config cfg;
	struct loop *loop;
	struct sim_world *w;
	struct app a;
	double t0;
	double at[MAX_CLUSTERS][MAX_POLLS]; /* ms after t0 of fw1's answers */
	int n[MAX_CLUSTERS];
};

/* on_update comes after every snapshot and after a config.xml read: an
 * answer is a snapshot, a step of fw1's poll counter. */

static void hook_update(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	struct fixture *f = ctx;
	size_t i = (size_t)(c - a->clusters);
	if (node != 0 || f->n[i] >= MAX_POLLS || c->node[0].polls == (unsigned)f->n[i])
		return;
	f->at[i][f->n[i]++] = now_ms() - f->t0;
}

static void run_ms(struct fixture *f, double ms)
{
	double end = now_ms() + ms;
	while (now_ms() < end)
		loop_run_once(f->loop, (int)(end - now_ms()) + 1);
}

/* Until `ms` after t0 (the moment just before app_schedule). */
static void run_until(struct fixture *f, double ms)
{
	run_ms(f, f->t0 + ms - now_ms());
}

static void setup(struct fixture *f, size_t clusters)
{
	const char *scen[MAX_CLUSTERS] = { 0 };
	char *cause = NULL;
	size_t i;
	memset(f, 0, sizeof(*f));
	config_demo_scenarios(&f->cfg, scen, clusters);
	for (i = 0; i < clusters; i++)
		f->cfg.clusters[i].interval = IV_MS / 1000.0;
	f->loop = loop_new();
	f->w = sim_world_new("healthy", (int)clusters, 1, &cause);
	sim_world_manual_clock(f->w);
	CHECK(app_init(&f->a, &f->cfg, f->loop, f->w, NULL, true, &cause) == 0);
	f->a.on_update = hook_update;
	f->a.ctx = f;
	f->t0 = now_ms();
}

static void teardown(struct fixture *f)
{
	app_free(&f->a);
	sim_world_free(f->w);
	loop_free(f->loop);
	config_free(&f->cfg);
}

/* Every answer of cluster i is at its phase + k intervals: never before
 * (the poll starts then, the answer a few ms later) and not long after
 * (`slack` ms; the loop is idle but the machine may not be). */
static int on_phase(const struct fixture *f, size_t i, double phase, double slack)
{
	int k, ok = 1;
	for (k = 0; k < f->n[i]; k++) {
		double due = phase + k * IV_MS;
		if (f->at[i][k] < due || f->at[i][k] > due + slack) {
			printf("# cluster %zu answer %d at %.1f ms, due %.1f ms\n", i, k, f->at[i][k], due);
			ok = 0;
		}
	}
	return ok;
}

static void test_large_fleet_spread(void)
{
	struct fixture f;
	size_t i, at_once = 0;
	int ok = 1;
	setup(&f, MAX_CLUSTERS);
	CHECK(app_spread(&f.a));
	f.t0 = now_ms();
	app_schedule(&f.a);
	run_until(&f, 60);
	/* In the first 60 ms only the clusters whose phase is in it (0, 1, 2
	 * of 40 at 25 ms steps) have answered, not the fleet. */
	for (i = 0; i < MAX_CLUSTERS; i++)
		at_once += f.n[i] > 0;
	CHECK(at_once >= 1 && at_once <= 3);
	/* Up to just before the phase of cluster 21 at 3.5 s (a tick never
	 * comes early, so its 4th poll has not started). */
	run_until(&f, 3 * IV_MS + 524);
	for (i = 0; i < MAX_CLUSTERS; i++) {
		double phase = IV_MS * (double)i / MAX_CLUSTERS;
		/* Polls at phase, phase + 1 s, ... up to 3.524 s. */
		int want = (int)((3 * IV_MS + 524 - phase) / IV_MS) + 1;
		if (f.n[i] != want) {
			printf("# cluster %zu: %d answers, expected %d\n", i, f.n[i], want);
			ok = 0;
		}
		ok &= on_phase(&f, i, phase, 150);
	}
	CHECK(ok);
	CHECK_INT_EQ(app_rounds_late(&f.a), 0);
	teardown(&f);
}

/* A small fleet polls every node at once, then every interval. */
static void test_small_fleet_at_once(void)
{
	struct fixture f;
	size_t i;
	int ok = 1;
	setup(&f, APP_SPREAD_MIN);
	CHECK(!app_spread(&f.a));
	f.t0 = now_ms();
	app_schedule(&f.a);
	run_ms(&f, 2 * IV_MS + 300);
	for (i = 0; i < APP_SPREAD_MIN; i++) {
		ok &= f.n[i] == 3;
		ok &= on_phase(&f, i, 0, 150);
	}
	CHECK(ok);
	teardown(&f);
}

/* "Poll now" (a key, an action's result) polls every node at once and
 * leaves each cluster's phase where it was. */
static void test_poll_now_keeps_phases(void)
{
	struct fixture f;
	size_t i;
	int ok = 1;
	setup(&f, MAX_CLUSTERS);
	f.t0 = now_ms();
	app_schedule(&f.a);
	run_until(&f, 1500);
	app_poll_all(&f.a, true);
	run_ms(&f, 60);
	for (i = 0; i < MAX_CLUSTERS; i++) {
		/* The poll now, at ~1500 ms, is one more answer, out of phase. */
		int k, m = 0;
		for (k = 0; k < f.n[i]; k++)
			m += f.at[i][k] >= 1500 && f.at[i][k] < 1560;
		ok &= m >= 1;
	}
	CHECK(ok);
	run_ms(&f, 1500);
	for (i = 0, ok = 1; i < MAX_CLUSTERS; i++) {
		double phase = IV_MS * (double)i / MAX_CLUSTERS;
		/* The last answer: on the cluster's phase, at 2 s or 3 s. */
		double last = f.at[i][f.n[i] - 1];
		double due = phase + (last >= phase + 3 * IV_MS ? 3 : 2) * IV_MS;
		if (last < due || last > due + 150) {
			printf("# cluster %zu: last answer at %.1f ms, due %.1f ms\n", i, last, due);
			ok = 0;
		}
	}
	CHECK(ok);
	teardown(&f);
}

int main(void)
{
	RUN(test_large_fleet_spread);
	RUN(test_small_fleet_at_once);
	RUN(test_poll_now_keeps_phases);
	return test_done();
}
