/* The flight recorder: a recording replays exactly what was recorded; what
 * did not change costs a few bytes; a torn tail, a damaged record and a
 * writer killed with SIGKILL lose at most that record; segments are locked,
 * pruned by age and budget; the timeline measures split brain and outages. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "recfmt.h"
#include "recorder.h"
#include "replay.h"
#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"

static char tmpdir[] = "/tmp/carptop-rec.XXXXXX";

static struct cluster_conf cluster;
static const struct cluster_conf *clusters[1] = { &cluster };

static void setup(void)
{
	if (!mkdtemp(tmpdir))
		abort();
	/* The audit log the recorder reads lives in the state directory. */
	setenv("XDG_STATE_HOME", tmpdir, 1);
	memset(&cluster, 0, sizeof(cluster));
	cluster.name = (char *)"hq";
	cluster.interval = 1;
	cluster.nodes[0].name = (char *)"fw1";
	cluster.nodes[1].name = (char *)"fw2";
	cluster.nodes[1].role = ROLE_SECONDARY;
	cluster.nodes[0].transport = cluster.nodes[1].transport = TRANSPORT_SIM;
}

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static bool fields_equal(const struct snapshot *a, const struct snapshot *b)
{
	struct rec_fields x, y;
	bool same = true;
	int i;
	rec_fields_init(&x);
	rec_fields_init(&y);
	rec_fields_from_snapshot(&x, a);
	rec_fields_from_snapshot(&y, b);
	for (i = 1; i < RF_COUNT; i++) {
		if (x.v[i].i != y.v[i].i || x.v[i].s.len != y.v[i].s.len ||
		    (x.v[i].s.len && memcmp(x.v[i].s.buf, y.v[i].s.buf, x.v[i].s.len) != 0)) {
			printf("# field %d differs\n", i);
			same = false;
		}
	}
	rec_fields_free(&x);
	rec_fields_free(&y);
	return same;
}

/* 60 polls of a simulated pair with a reboot of fw1 in the middle: every
 * node's snapshot is kept to compare with what the replay rebuilds. */
#define POLLS 60
static struct snapshot recorded[POLLS][CLUSTER_NODES];
static const double T0 = 1790000000.0;
/* The recorder's clock for synthetic polls: the header's time is T0. */
static double fake_clock(void)
{
	return T0;
}

static void record_sim(const char *file, unsigned key_every)
{
	struct recorder_opts o = { 0 };
	struct sim_world *w;
	struct recorder *r;
	char *cause = NULL;
	int i, n;
	o.file = file;
	o.clock = fake_clock;
	o.key_every = key_every;
	r = recorder_open(clusters, 1, &o, &cause);
	if (!r) {
		printf("# %s\n", cause);
		abort();
	}
	w = sim_world_new("healthy", 1, 1, &cause);
	sim_world_manual_clock(w);
	for (i = 0; i < POLLS; i++) {
		char reply[256];
		sim_world_advance_to(w, i);
		if (i == 20)
			sim_reboot(w, 0, 0, reply, sizeof(reply));
		for (n = 0; n < CLUSTER_NODES; n++) {
			struct snapshot *s = &recorded[i][n];
			snapshot_clear(s);
			sim_node_snapshot(w, 0, n, s);
			s->taken = T0 + i + n * 0.25;
			recorder_snapshot(r, 0, n, s);
		}
	}
	sim_world_free(w);
	recorder_close(r);
}

static void test_round_trip(void)
{
	char *file = path_in("rt.ctr"), *cause = NULL;
	struct recording R;
	struct replay_cursor c;
	const struct rec_frame *f;
	int i = 0, same = 0, n;
	record_sim(file, 7);
	CHECK(recording_open(&R, file, &cause) == 0);
	CHECK_INT_EQ(R.n_frames, POLLS * CLUSTER_NODES);
	CHECK_INT_EQ(R.torn + R.bad + R.dropped, 0);
	CHECK_STR_EQ(R.cfg.clusters[0].name, "hq");
	CHECK_STR_EQ(R.cfg.clusters[0].nodes[1].name, "fw2");
	replay_cursor_init(&c, &R);
	while ((f = replay_step(&c))) {
		int poll = i / CLUSTER_NODES;
		n = i % CLUSTER_NODES;
		if (f->node == n && c.snap[n].taken == recorded[poll][n].taken &&
		    fields_equal(&c.snap[n], &recorded[poll][n]))
			same++;
		i++;
	}
	CHECK_INT_EQ(same, POLLS * CLUSTER_NODES);
	/* The reboot is in the recording: fw1 unreachable at poll 25. */
	replay_seek(&c, T0 + 25.1);
	CHECK(!c.snap[0].reachable);
	CHECK(c.snap[1].reachable);
	/* Seeking back rebuilds from the start. */
	replay_seek(&c, T0 + 3.1);
	CHECK(c.snap[0].reachable);
	CHECK(fields_equal(&c.snap[0], &recorded[3][0]));
	replay_cursor_free(&c);
	recording_free(&R);
	free(file);
}

static void test_unchanged_is_small(void)
{
	char *file = path_in("small.ctr"), *cause = NULL;
	struct recorder_opts o = { 0 };
	struct sim_world *w = sim_world_new("healthy", 1, 1, &cause);
	struct snapshot s;
	struct recorder *r;
	size_t before, one, changed;
	o.file = file;
	o.clock = fake_clock;
	r = recorder_open(clusters, 1, &o, &cause);
	sim_world_manual_clock(w);
	snapshot_init(&s);
	sim_node_snapshot(w, 0, 0, &s);
	s.taken = T0;
	recorder_snapshot(r, 0, 0, &s);
	before = recorder_bytes(r);
	s.taken = T0 + 1;
	recorder_snapshot(r, 0, 0, &s);
	one = recorder_bytes(r) - before;
	printf("# a full snapshot took %zu bytes, an unchanged one %zu\n", before, one);
	CHECK(one <= 12);
	s.taken = T0 + 2;
	s.states.current += 317;
	before = recorder_bytes(r);
	recorder_snapshot(r, 0, 0, &s);
	changed = recorder_bytes(r) - before;
	printf("# a state count change took %zu bytes\n", changed);
	CHECK(changed <= one + 3);
	recorder_close(r);
	snapshot_clear(&s);
	sim_world_free(w);
	free(file);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = xmalloc((size_t)n + 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

static void spit(const char *path, const uint8_t *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, len, f);
	fclose(f);
}

static void test_torn_tail(void)
{
	char *file = path_in("torn.ctr"), *cut = path_in("cut.ctr"), *cause = NULL;
	struct recording R;
	size_t len, at, last_frames = 0;
	uint8_t *b;
	int monotonic = 1, torn_ok = 1, opened = 1;
	record_sim(file, 7);
	b = slurp(file, &len);
	/* Cut the file at every length: the replay stops at the tear, never fails. */
	for (at = REC_MAGIC_LEN; at <= len; at++) {
		spit(cut, b, at);
		if (recording_open(&R, cut, &cause) < 0) {
			/* Only before the header is complete is there nothing to show. */
			if (at > REC_MAGIC_LEN + 80)
				opened = 0;
			free(cause);
			cause = NULL;
			continue;
		}
		if (R.n_frames < last_frames)
			monotonic = 0;
		last_frames = R.n_frames;
		if (R.bad)
			torn_ok = 0;
		recording_free(&R);
	}
	CHECK(opened);
	CHECK(monotonic);
	CHECK(torn_ok);
	CHECK_INT_EQ(last_frames, POLLS * CLUSTER_NODES);
	/* One byte short of the end: exactly the last record is lost. */
	spit(cut, b, len - 1);
	CHECK(recording_open(&R, cut, &cause) == 0);
	CHECK_INT_EQ(R.n_frames, POLLS * CLUSTER_NODES - 1);
	CHECK_INT_EQ(R.torn, 1);
	recording_free(&R);
	free(b);
	free(file);
	free(cut);
}

static void test_damaged_record(void)
{
	char *file = path_in("bad.ctr"), *cause = NULL;
	struct recording R;
	struct replay_cursor c;
	size_t len;
	uint8_t *b;
	record_sim(file, 7);
	b = slurp(file, &len);
	b[len / 2] ^= 0x5a; /* one flipped byte in the middle */
	spit(file, b, len);
	CHECK(recording_open(&R, file, &cause) == 0);
	CHECK_INT_EQ(R.bad, 1);
	printf("# %zu frames, %lu deltas waited for a full record\n", R.n_frames, R.dropped);
	CHECK(R.n_frames < POLLS * CLUSTER_NODES && R.n_frames + 2 * 7 * 2 >= POLLS * CLUSTER_NODES);
	/* After the damage, the next full records bring back the exact state. */
	replay_cursor_init(&c, &R);
	replay_seek(&c, T0 + POLLS);
	CHECK(fields_equal(&c.snap[0], &recorded[POLLS - 1][0]));
	CHECK(fields_equal(&c.snap[1], &recorded[POLLS - 1][1]));
	replay_cursor_free(&c);
	recording_free(&R);
	free(b);
	free(file);
}

/* Garbage in: random bytes flipped anywhere, random records after the
 * magic. The reader never reads out of bounds (ASan) and never fails to
 * open a file whose header survived; the timeline builds. */
static void test_garbage(void)
{
	char *file = path_in("rt.ctr"), *junk = path_in("junk.ctr"), *cause = NULL;
	struct recording R;
	struct replay_timeline tl;
	size_t len, k;
	uint8_t *b, *c;
	int round, survived = 0;
	record_sim(file, 7);
	b = slurp(file, &len);
	c = xmalloc(len);
	srand(42);
	for (round = 0; round < 200; round++) {
		memcpy(c, b, len);
		for (k = 0; k < 1 + (size_t)(rand() % 8); k++)
			c[REC_MAGIC_LEN + (size_t)rand() % (len - REC_MAGIC_LEN)] ^= (uint8_t)(1 + rand() % 255);
		if (round % 4 == 3)
			for (k = REC_MAGIC_LEN; k < len; k++)
				c[k] = (uint8_t)(round % 8 == 7 ? REC_SYNC : rand());
		spit(junk, c, len);
		if (recording_open(&R, junk, &cause) == 0) {
			replay_timeline_build(&tl, &R);
			replay_timeline_free(&tl);
			recording_free(&R);
			survived++;
		} else {
			free(cause);
			cause = NULL;
		}
	}
	printf("# %d of 200 damaged files still opened\n", survived);
	CHECK(survived > 0);
	free(b);
	free(c);
	free(file);
	free(junk);
}

/* A writer killed with SIGKILL at an arbitrary moment: every record it
 * finished is there; at most the one it was writing is lost. */
static void test_sigkill(void)
{
	int round, all_ok = 1;
	for (round = 0; round < 5; round++) {
		char name[32], *file, *cause = NULL;
		int pfd[2];
		pid_t pid;
		unsigned done = 0, v;
		struct recording R;
		str_printf(name, sizeof(name), "kill%d.ctr", round);
		file = path_in(name);
		if (pipe(pfd) < 0)
			abort();
		pid = fork();
		if (pid == 0) {
			struct recorder_opts o = { 0 };
			struct sim_world *w = sim_world_new("healthy", 1, 1, &cause);
			struct snapshot s;
			struct recorder *r;
			unsigned k;
			close(pfd[0]);
			o.file = file;
	o.clock = fake_clock;
			o.key_every = 5;
			r = recorder_open(clusters, 1, &o, &cause);
			snapshot_init(&s);
			sim_node_snapshot(w, 0, 0, &s);
			for (k = 1;; k++) {
				s.taken = T0 + k * 0.001;
				s.states.current += k % 7;
				recorder_snapshot(r, 0, 0, &s);
				if (write(pfd[1], &k, sizeof(k)) != sizeof(k))
					_exit(1);
			}
		}
		close(pfd[1]);
		/* Let it run for a varying while, then kill it mid-stream. */
		while (done < 200u + (unsigned)round * 150u && read(pfd[0], &v, sizeof(v)) == sizeof(v))
			done = v;
		usleep((useconds_t)(round * 700));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read(pfd[0], &v, sizeof(v)) == sizeof(v))
			done = v;
		close(pfd[0]);
		if (recording_open(&R, file, &cause) < 0) {
			printf("# %s\n", cause);
			free(cause);
			all_ok = 0;
		} else {
			printf("# round %d: %u records reported written, %zu replayed, torn %lu\n", round, done, R.n_frames,
			       R.torn);
			if (R.n_frames < done || R.n_frames > done + 1 || R.bad || R.dropped)
				all_ok = 0;
			recording_free(&R);
		}
		free(file);
	}
	CHECK(all_ok);
}

static void test_locks_and_segments(void)
{
	char *dir = path_in("segs"), *cause = NULL, *file = path_in("shared.ctr");
	char old[512], big[512], today[16];
	struct recorder_opts o = { 0 };
	struct recorder *a, *b;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	o.dir = dir;
	a = recorder_open(clusters, 1, &o, &cause);
	b = recorder_open(clusters, 1, &o, &cause);
	CHECK(a && b);
	CHECK(strcmp(recorder_path(a), recorder_path(b)) != 0);
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	CHECK_CONTAINS(recorder_path(a), today);
	recorder_close(b);
	recorder_close(a);

	/* --record FILE twice: the second writes FILE.2. */
	memset(&o, 0, sizeof(o));
	o.file = file;
	o.clock = fake_clock;
	a = recorder_open(clusters, 1, &o, &cause);
	b = recorder_open(clusters, 1, &o, &cause);
	CHECK(a && b);
	CHECK_CONTAINS(recorder_path(b), "shared.ctr.2");
	recorder_close(b);
	recorder_close(a);

	/* Retention removes an old segment; the budget the oldest over it. */
	str_printf(old, sizeof(old), "%s/2000-01-01.1.ctr", dir);
	f = fopen(old, "w");
	fputs(REC_MAGIC, f);
	fclose(f);
	str_printf(big, sizeof(big), "%s/%s.99.ctr", dir, today);
	f = fopen(big, "w");
	fputs(REC_MAGIC, f);
	fseek(f, 3 << 20, SEEK_SET);
	fputc(0, f);
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.budget_bytes = 1 << 20;
	a = recorder_open(clusters, 1, &o, &cause);
	CHECK(a != NULL);
	CHECK(access(old, F_OK) < 0);
	CHECK(access(big, F_OK) < 0);
	CHECK(access(recorder_path(a), F_OK) == 0);
	recorder_close(a);
	free(dir);
	free(file);
}

/* Past the budget with nothing older to remove: recording stops, with a reason. */
static void test_budget_stop(void)
{
	char *file = path_in("budget.ctr"), *cause = NULL;
	struct recorder_opts o = { 0 };
	struct sim_world *w = sim_world_new("healthy", 1, 1, &cause);
	struct snapshot s;
	struct recorder *r;
	size_t at_stop;
	int i;
	o.file = file;
	o.clock = fake_clock;
	o.budget_bytes = 2000;
	r = recorder_open(clusters, 1, &o, &cause);
	sim_world_manual_clock(w);
	snapshot_init(&s);
	sim_node_snapshot(w, 0, 0, &s);
	for (i = 0; i < 400 && !recorder_error(r); i++) {
		s.taken = T0 + i;
		s.states.current += 100;
		recorder_snapshot(r, 0, 0, &s);
	}
	CHECK(recorder_error(r) != NULL);
	CHECK_CONTAINS(recorder_error(r), "size budget");
	at_stop = recorder_records(r);
	s.taken = T0 + 1000;
	recorder_snapshot(r, 0, 0, &s);
	CHECK_INT_EQ(recorder_records(r), at_stop);
	recorder_close(r);
	snapshot_clear(&s);
	sim_world_free(w);
	free(file);
}

static void test_audit_actions(void)
{
	char *file = path_in("audit.ctr"), *cause = NULL, *alog = path_in("carptop/audit.log");
	struct recorder_opts o = { 0 };
	struct recorder *r;
	struct recording R;
	struct replay_timeline tl;
	size_t i;
	int found = 0;
	FILE *f;
	o.file = file;
	o.clock = fake_clock;
	r = recorder_open(clusters, 1, &o, &cause);
	f = fopen(alog, "a");
	fputs("2026-12-02T03:12:00Z user=op pid=1 cluster=hq node=fw1 action=maintenance result=ok\n", f);
	fclose(f);
	recorder_poll_audit(r);
	recorder_close(r);
	CHECK(recording_open(&R, file, &cause) == 0);
	replay_timeline_build(&tl, &R);
	for (i = 0; i < tl.n_ev; i++)
		if (str_eq(tl.ev[i].kind, "action") && str_eq(tl.ev[i].e.node, "fw1") &&
		    strstr(tl.ev[i].e.text, "action=maintenance"))
			found++;
	CHECK_INT_EQ(found, 1);
	replay_timeline_free(&tl);
	recording_free(&R);
	free(file);
	free(alog);
}

static void snap_roles(struct snapshot *s, bool up, enum carp_status v1)
{
	struct vip_row *r;
	snapshot_clear(s);
	if (!up) {
		snapshot_set_error(s, NERR_TIMEOUT, "no answer");
		return;
	}
	s->reachable = true;
	r = snapshot_add_vip(s);
	r->vhid = 1;
	r->status = v1;
	str_copy(r->address, "10.0.0.1", sizeof(r->address));
}

static void test_timeline(void)
{
	char *file = path_in("tl.ctr"), *cause = NULL;
	struct recorder_opts o = { 0 };
	struct recorder *r;
	struct recording R;
	struct replay_timeline tl;
	struct snapshot s;
	int t, split = 0, none = 0, masters = 0;
	size_t i;
	o.file = file;
	o.clock = fake_clock;
	r = recorder_open(clusters, 1, &o, &cause);
	snapshot_init(&s);
	/* 0..9 fw1 MASTER; 10..21 both MASTER; 22..29 fw1 down, fw2 BACKUP;
	 * 30.. fw2 MASTER. One poll per second and node, fw2's half a second
	 * after fw1's: the pair is judged on what both said last. */
	for (t = 0; t < 40; t++) {
		bool up1 = t < 22 || t >= 30;
		enum carp_status a = t < 22 ? CARP_ST_MASTER : CARP_ST_BACKUP;
		enum carp_status b = t >= 10 && t < 22 ? CARP_ST_MASTER : t >= 30 ? CARP_ST_MASTER : CARP_ST_BACKUP;
		snap_roles(&s, up1, a);
		s.taken = T0 + t;
		recorder_snapshot(r, 0, 0, &s);
		snap_roles(&s, true, b);
		s.taken = T0 + t + 0.5;
		recorder_snapshot(r, 0, 1, &s);
	}
	recorder_close(r);
	snapshot_clear(&s);
	CHECK(recording_open(&R, file, &cause) == 0);
	replay_timeline_build(&tl, &R);
	for (i = 0; i < tl.n_iv; i++) {
		const struct rec_interval *iv = &tl.iv[i];
		printf("# VHID %d %s %.3f..%.3f\n", iv->vhid, vhid_state_name(iv->state), iv->start - T0, iv->end - T0);
		if (iv->state == VS_SPLIT_BRAIN && iv->start == T0 + 10.5 && iv->end == T0 + 22)
			split++;
		if (iv->state == VS_NO_MASTER && iv->start == T0 + 22.5 && iv->end == T0 + 30.5)
			none++;
		if (iv->state == VS_MASTER)
			masters++;
	}
	CHECK_INT_EQ(split, 1);
	CHECK_INT_EQ(none, 1);
	CHECK_INT_EQ(masters, 3); /* fw1, fw2 until its next poll said BACKUP, fw2 */
	CHECK_INT_EQ(tl.n_out, 1);
	CHECK(tl.n_out == 1 && tl.out[0].node == 0 && tl.out[0].start == T0 + 22 && tl.out[0].end == T0 + 30 &&
	      !tl.out[0].open);
	CHECK(replay_next_event(&tl, T0 + 5) == T0 + 10.5);
	CHECK(replay_prev_event(&tl, T0 + 10.5) < T0 + 10.5);
	replay_timeline_free(&tl);
	recording_free(&R);
	free(file);
}

static void test_parse_time(void)
{
	double t, now = 1796000000.0; /* 2026-11-30 */
	char *cause = NULL, buf[40];
	CHECK(replay_parse_time("2026-12-02T03:12:00Z", now, &t, &cause) == 0 && t == 1796181120.0);
	CHECK(replay_parse_time("2026-12-02T04:12:00+01:00", now, &t, &cause) == 0 && t == 1796181120.0);
	CHECK(replay_parse_time("2026-12-02T03:12:00.250Z", now, &t, &cause) == 0 && t == 1796181120.25);
	setenv("TZ", "UTC", 1);
	tzset();
	CHECK(replay_parse_time("2026-12-02T03:12:00", now, &t, &cause) == 0 && t == 1796181120.0);
	CHECK(replay_parse_time("03:12", now, &t, &cause) == 0 && t == 1796008320.0);
	replay_format_time(1796181120.25, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "2026-12-02 03:12:00.250");
	CHECK(replay_parse_time("yesterday", now, &t, &cause) < 0);
	CHECK_CONTAINS(cause, "ISO 8601");
	free(cause);
}

int main(void)
{
	int i, n;
	setup();
	RUN(test_round_trip);
	RUN(test_unchanged_is_small);
	RUN(test_torn_tail);
	RUN(test_damaged_record);
	RUN(test_garbage);
	RUN(test_sigkill);
	RUN(test_locks_and_segments);
	RUN(test_budget_stop);
	RUN(test_audit_actions);
	RUN(test_timeline);
	RUN(test_parse_time);
	for (i = 0; i < POLLS; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			snapshot_clear(&recorded[i][n]);
	if (!getenv("CARPTOP_KEEP_TMP")) {
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
		free(cmd);
	}
	return test_done();
}
