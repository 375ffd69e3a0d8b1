/* Unit tests of what the app makes of the CARP change stream (app.c):
 * a change is shown at once in the reporting node's snapshot and polls both
 * nodes of the pair after a short gathering; a burst is one poll per node;
 * a poll that was already running does not flip the display back, and is
 * followed by one more; ups and drops reach the front end once each. On
 * the in-process simulator with a still clock: the world never changes, so
 * every poll says what the world says, and anything else came from the
 * stream. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backend.h"
#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"

struct fixture {
	struct config cfg;
	struct loop *loop;
	struct sim_world *w;
	struct app a;
	int stream_calls;
	enum app_stream last_state[CLUSTER_NODES];
};

static void hook_stream(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	struct fixture *f = ctx;
	(void)a;
	f->stream_calls++;
	f->last_state[node] = c->node[node].stream;
}

static void run_ms(struct fixture *f, double ms)
{
	double end = now_ms() + ms;
	while (now_ms() < end)
		loop_run_once(f->loop, (int)(end - now_ms()) + 1);
}

static void setup(struct fixture *f)
{
	char *cause = NULL;
	memset(f, 0, sizeof(*f));
	config_demo(&f->cfg);
	f->loop = loop_new();
	f->w = sim_world_new("healthy", 1, 1, &cause);
	sim_world_manual_clock(f->w);
	CHECK(app_init(&f->a, &f->cfg, f->loop, f->w, NULL, true, &cause) == 0);
	f->a.on_stream = hook_stream;
	f->a.ctx = f;
	app_poll_all(&f->a, false);
	run_ms(f, 50);
	CHECK(f->a.clusters[0].node[0].polls == 1 && f->a.clusters[0].node[1].polls == 1);
}

static void teardown(struct fixture *f)
{
	app_free(&f->a);
	sim_world_free(f->w);
	loop_free(f->loop);
	config_free(&f->cfg);
}

static enum carp_status status_of(struct fixture *f, int node, int vhid)
{
	const struct snapshot *s = &f->a.clusters[0].node[node].snap;
	size_t i;
	for (i = 0; i < s->n_vips; i++)
		if (s->vips[i].vhid == vhid && s->vips[i].mode == VIP_MODE_CARP)
			return s->vips[i].status;
	return CARP_ST_UNKNOWN;
}

static void change(struct fixture *f, int node, int vhid, enum carp_status st)
{
	struct stream_event e;
	memset(&e, 0, sizeof(e));
	e.kind = STREAM_CHANGE;
	e.vhid = vhid;
	e.status = st;
	app_stream_event(&f->a, 0, node, &e);
}

static void test_change_shows_and_polls(void)
{
	struct fixture f;
	struct app_cluster *c;
	setup(&f);
	/* The triggered polls answer 100 ms after the window, so a late
	 * wake-up of this process cannot let them in before the checks. */
	f.w->latency_ms = 100;
	c = &f.a.clusters[0];
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_MASTER);
	change(&f, 0, 1, CARP_ST_BACKUP);
	/* Nothing before the gathering window ends. */
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_MASTER);
	CHECK_INT_EQ(c->stream_rounds, 0);
	run_ms(&f, APP_STREAM_COALESCE_MS + 2);
	/* Shown at once, before any poll answered. */
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_BACKUP);
	CHECK_INT_EQ(c->node[0].polls, 1);
	CHECK_INT_EQ(c->stream_rounds, 1);
	run_ms(&f, 250);
	/* Both nodes polled once; the polls (started after the change) are
	 * the word now: the still world says MASTER. */
	CHECK_INT_EQ(c->node[0].polls, 2);
	CHECK_INT_EQ(c->node[1].polls, 2);
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_MASTER);
	CHECK_INT_EQ(c->stream_rounds, 2);
	CHECK_INT_EQ(c->node[0].n_pend, 0);
	teardown(&f);
}

static void test_burst_is_one_poll(void)
{
	struct fixture f;
	struct app_cluster *c;
	int i;
	setup(&f);
	c = &f.a.clusters[0];
	for (i = 0; i < 5; i++) {
		change(&f, 0, 1, CARP_ST_BACKUP);
		change(&f, 0, 3, CARP_ST_BACKUP);
		change(&f, 1, 1, CARP_ST_MASTER);
		change(&f, 1, 3, CARP_ST_MASTER);
	}
	CHECK_INT_EQ(c->node[0].n_pend, 2); /* the newest word per VHID */
	run_ms(&f, 80);
	CHECK_INT_EQ(c->node[0].polls, 2);
	CHECK_INT_EQ(c->node[1].polls, 2);
	CHECK_INT_EQ(c->node[0].stream_changes + c->node[1].stream_changes, 20);
	teardown(&f);
}

/* A poll already running when the change came may have read the node
 * before it: its answer must not flip the display back, and one more poll
 * follows. */
static void test_running_poll_does_not_flip_back(void)
{
	struct fixture f;
	struct app_cluster *c;
	setup(&f);
	c = &f.a.clusters[0];
	app_poll_node(&f.a, 0, 0);
	change(&f, 0, 1, CARP_ST_BACKUP);
	run_ms(&f, 5); /* the sim answers fw1 after 3 ms: before the window ends */
	CHECK_INT_EQ(c->node[0].polls, 2);
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_BACKUP);
	run_ms(&f, 80);
	CHECK_INT_EQ(c->node[0].polls, 3);
	CHECK_INT_EQ(c->node[1].polls, 2);
	CHECK_INT_EQ(status_of(&f, 0, 1), CARP_ST_MASTER);
	teardown(&f);
}

static void test_up_down_reported_once(void)
{
	struct fixture f;
	struct stream_event e;
	char text[SNAP_MSG_LEN + 64];
	setup(&f);
	memset(&e, 0, sizeof(e));
	e.kind = STREAM_UP;
	str_copy(e.text, "devd", sizeof(e.text));
	app_stream_event(&f.a, 0, 0, &e);
	CHECK_INT_EQ(f.stream_calls, 1);
	app_stream_describe(&f.a.clusters[0].node[0], text, sizeof(text));
	CHECK_STR_EQ(text, "CARP stream to fw1 up (devd)");
	e.kind = STREAM_DOWN;
	str_copy(e.text, "the devd command ended (exit 0)", sizeof(e.text));
	app_stream_event(&f.a, 0, 0, &e);
	app_stream_event(&f.a, 0, 0, &e);
	app_stream_event(&f.a, 0, 0, &e);
	CHECK_INT_EQ(f.stream_calls, 2);
	CHECK_INT_EQ(f.last_state[0], AS_DOWN);
	app_stream_describe(&f.a.clusters[0].node[0], text, sizeof(text));
	CHECK_STR_EQ(text, "CARP stream to fw1 dropped; polling only (the devd command ended (exit 0))");
	e.kind = STREAM_UP;
	str_copy(e.text, "ifconfig loop", sizeof(e.text));
	app_stream_event(&f.a, 0, 0, &e);
	CHECK_INT_EQ(f.stream_calls, 3);
	CHECK_INT_EQ(f.last_state[0], AS_UP);
	/* A drop polls nothing by itself: the schedule goes on. */
	CHECK_INT_EQ(f.a.clusters[0].node[0].polls, 1);
	teardown(&f);
}

/* Simulated nodes have no stream: app_stream_start leaves them off. */
static void test_no_stream_on_sim(void)
{
	struct fixture f;
	setup(&f);
	app_stream_start(&f.a);
	CHECK_INT_EQ(f.a.clusters[0].node[0].stream, AS_OFF);
	CHECK_INT_EQ(f.stream_calls, 0);
	teardown(&f);
}

int main(void)
{
	RUN(test_change_shows_and_polls);
	RUN(test_burst_is_one_poll);
	RUN(test_running_poll_does_not_flip_back);
	RUN(test_up_down_reported_once);
	RUN(test_no_stream_on_sim);
	return test_done();
}
