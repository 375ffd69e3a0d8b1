/* bench-recorder: what the flight recorder costs for a quiet pair polled
 * every second for an hour, with the pf state counts changing on every poll
 * as on a real firewall (a random walk of a few hundred states), the poll
 * durations jittering, and one role flip. The polls are fed straight to the
 * writer with their timestamps (an hour takes a moment), then the recording
 * is read back and replayed. Prints bytes per hour and per poll, and the
 * time to write and to build the event timeline. See doc/performance.md.
 *
 *   bench-recorder [SECONDS [INTERVAL]]   (default 3600 1) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recorder.h"
#include "replay.h"
#include "sim/sim_world.h"
#include "util.h"

static double fake_now;
static double fake_clock(void)
{
	return fake_now;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3600, interval = argc > 2 ? atof(argv[2]) : 1;
	char dir[] = "/tmp/carptop-bench-rec.XXXXXX", *file, *cause = NULL;
	struct cluster_conf cc = { 0 };
	const struct cluster_conf *ccs[1] = { &cc };
	struct recorder_opts o = { 0 };
	struct snapshot s[CLUSTER_NODES];
	struct sim_world *w;
	struct recorder *r;
	struct recording R;
	struct replay_timeline tl;
	struct stat st;
	double t0 = 1796000000.0, w0, w1, w2;
	long polls = 0, i;
	int n;

	if (!mkdtemp(dir))
		return 1;
	file = xasprintf("%s/hour.ctr", dir);
	cc.name = (char *)"hq";
	cc.interval = interval;
	cc.nodes[0].name = (char *)"fw1";
	cc.nodes[1].name = (char *)"fw2";
	cc.nodes[1].role = ROLE_SECONDARY;
	o.file = file;
	o.clock = fake_clock;
	fake_now = t0;
	setenv("XDG_STATE_HOME", dir, 1);
	r = recorder_open(ccs, 1, &o, &cause);
	if (!r) {
		fprintf(stderr, "bench-recorder: %s\n", cause);
		return 1;
	}
	w = sim_world_new("healthy", 1, 1, &cause);
	sim_world_manual_clock(w);
	for (n = 0; n < CLUSTER_NODES; n++) {
		snapshot_init(&s[n]);
		sim_node_snapshot(w, 0, n, &s[n]);
	}
	srand(17);
	w0 = now_ms();
	for (i = 0; i * interval < secs; i++) {
		for (n = 0; n < CLUSTER_NODES; n++) {
			/* pfsync keeps both tables near each other; both move every second. */
			s[n].states.current += rand() % 601 - 300;
			if (s[n].states.current < 1000)
				s[n].states.current = 1000;
			s[n].duration_ms = 40 + rand() % 25;
			s[n].taken = t0 + (double)i * interval + n * 0.002 + (rand() % 20) / 1000.0;
			if (i == (long)(secs / interval / 2) && s[n].n_vips)
				s[n].vips[0].status = s[n].vips[0].status == CARP_ST_MASTER ? CARP_ST_BACKUP : CARP_ST_MASTER;
			fake_now = s[n].taken;
			recorder_snapshot(r, 0, n, &s[n]);
			polls++;
		}
	}
	w1 = now_ms();
	recorder_close(r);
	if (stat(file, &st) < 0)
		return 1;
	if (recording_open(&R, file, &cause) < 0) {
		fprintf(stderr, "bench-recorder: %s\n", cause);
		return 1;
	}
	replay_timeline_build(&tl, &R);
	w2 = now_ms();
	printf("recorded %.0f s of one pair at %g s: %ld polls\n", secs, interval, polls);
	printf("size %lld bytes (%.3f MB), %.1f bytes per poll, %.0f bytes per hour\n", (long long)st.st_size,
	       (double)st.st_size / (1024 * 1024), (double)st.st_size / (double)polls,
	       (double)st.st_size / secs * 3600);
	printf("write %.1f ms (%.2f us per poll); read + timeline %.1f ms; %zu frames, %zu events\n", w1 - w0,
	       (w1 - w0) * 1000 / (double)polls, w2 - w1, R.n_frames, tl.n_ev);
	replay_timeline_free(&tl);
	recording_free(&R);
	for (n = 0; n < CLUSTER_NODES; n++)
		snapshot_clear(&s[n]);
	sim_world_free(w);
	unlink(file);
	free(file);
	file = xasprintf("%s/carptop", dir); /* the state directory the audit log would be in */
	rmdir(file);
	free(file);
	rmdir(dir);
	return st.st_size <= 1024 * 1024 ? 0 : 1;
}
