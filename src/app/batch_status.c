#include "batch_status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

/* How long a round may wait for every node: the slowest transport's own
 * timeout plus a margin. Backends time out by themselves; this is the
 * backstop that guarantees batch mode never hangs. */
static double round_deadline_s(const struct app *a)
{
	double worst = 2;
	size_t i;
	int n;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct node_conf *nc = &a->clusters[i].conf->nodes[n];
			if (nc->transport == TRANSPORT_API && nc->api.timeout > worst)
				worst = nc->api.timeout;
			if (nc->transport == TRANSPORT_SSH && nc->ssh.timeout > worst)
				worst = nc->ssh.timeout;
		}
	return worst + 2;
}

static bool round_complete(const struct app *a, const unsigned *before)
{
	size_t i;
	int n;
	if (app_config_pending(a))
		return false; /* a poll found config.xml changed: wait for it too */
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct app_node *an = &a->clusters[i].node[n];
			if (an->backend && an->polls <= before[i * CLUSTER_NODES + (size_t)n])
				return false;
		}
	return true;
}

static void expire_round(struct app *a, const unsigned *before, double waited)
{
	size_t i;
	int n;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			struct app_node *an = &a->clusters[i].node[n];
			if (an->backend && an->polls <= before[i * CLUSTER_NODES + (size_t)n]) {
				/* Never show an old answer as if it were current. */
				snapshot_clear(&an->snap);
				snapshot_set_error(&an->snap, NERR_TIMEOUT, "no answer within %.0f s", waited);
				an->have_snapshot = true;
			}
		}
}

static double min_interval(const struct app *a)
{
	double m = INFINITY;
	size_t i;
	for (i = 0; i < a->n_clusters; i++)
		if (a->clusters[i].conf->interval < m)
			m = a->clusters[i].conf->interval;
	return isfinite(m) ? m : 2;
}

/* Triggered rounds of the CARP change stream completed so far (app.h). */
static unsigned stream_rounds(const struct app *a)
{
	unsigned t = 0;
	size_t i;
	for (i = 0; i < a->n_clusters; i++)
		t += a->clusters[i].stream_rounds;
	return t;
}

/* --watch: the stream's up/down goes to stderr (stdout keeps its format),
 * with the time, as a person or a log collector reads it. */
static void on_stream(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	char text[SNAP_MSG_LEN + 64], when[16];
	time_t now = time(NULL);
	struct tm tm;
	(void)a;
	(void)ctx;
	app_stream_describe(&c->node[node], text, sizeof(text));
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "carptop: %s %s: %s\n", when, c->conf->name, text);
	fflush(stderr);
}

static volatile sig_atomic_t watch_stop; /* see watch_signals() */

/* Print the current views; returns the round's exit code. */
static int render(struct app *a, enum out_format format, FILE *out)
{
	struct pair_view *views = xcalloc(a->n_clusters, sizeof(*views));
	struct output_opts oo;
	struct strbuf sb;
	size_t i;
	int code;

	for (i = 0; i < a->n_clusters; i++)
		app_view(a, i, &views[i]);
	memset(&oo, 0, sizeof(oo));
	oo.now = wall_s();
	oo.demo = a->world != NULL;
	sb_init(&sb);
	output_render(&sb, format, views, a->n_clusters, &oo);
	fputs(sb.buf ? sb.buf : "", out);
	if (!watch_stop)
		fflush(out);
	/* A stop that came while a write waited for a reader that has stopped
	 * reading (a full pipe) interrupts that write; what is left unsent is
	 * dropped, or exit's flush would wait for it forever. */
	if (watch_stop)
		__fpurge(out);
	/* Prometheus: the status is in the metrics, and a scrape file
	 * written with "> f.tmp && mv f.tmp f" must be replaced during an
	 * incident too: 0 whenever they were written. The others keep the
	 * monitoring-plugins codes 0-3. */
	if (ferror(out))
		code = 3;
	else if (format == OUT_PROMETHEUS)
		code = 0;
	else
		code = severity_exit_code(output_overall(views, a->n_clusters));
	sb_free(&sb);
	for (i = 0; i < a->n_clusters; i++)
		pair_free(&views[i]);
	free(views);
	return code;
}

/* Wait ms on the loop. With `out` (--watch), a pair the stream reported a
 * change of is printed as soon as its triggered polls are in; the periodic
 * rounds keep their times. */
/* A watch ends on SIGINT or SIGTERM (a service manager's stop) through
 * the normal way out: the recording closed, every connection and buffer
 * freed. The signal interrupts poll(); one that comes just before it is
 * seen within WATCH_STOP_MS at the latest. */
#define WATCH_STOP_MS 1000

/* The document's descriptor when it is a pipe or socket, -1 otherwise. */
static int stop_fd = -1;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
	/* A reader that stopped reading (a full pipe) would hold a write
	 * that a signal interrupted only part-way: stdio writes the rest and
	 * waits again. Non-blocking from here, that write fails at once and
	 * the stop goes on (render() drops what is unsent). Never for a
	 * terminal: its open file is the shell's too. */
	if (stop_fd >= 0) {
		int saved = errno; /* the interrupted code may look at its own */
		fcntl(stop_fd, F_SETFL, fcntl(stop_fd, F_GETFL) | O_NONBLOCK);
		errno = saved;
	}
}

static void watch_signals(bool on, FILE *out)
{
	struct sigaction sa;
	struct stat st;
	int fd = out ? fileno(out) : -1;
	stop_fd = on && fd >= 0 && fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ? fd : -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void wait_ms(struct app *a, double ms, enum out_format format, FILE *out)
{
	double end = now_ms() + ms;
	unsigned seen = stream_rounds(a);
	while (now_ms() < end && !watch_stop) {
		double left = end - now_ms();
		loop_run_once(a->loop, left < WATCH_STOP_MS ? (int)left + 1 : WATCH_STOP_MS);
		if (out && stream_rounds(a) != seen) {
			seen = stream_rounds(a);
			render(a, format, out);
		}
	}
}

/* --watch over a large fleet (app_spread): the clusters poll at their own
 * phases of the interval (app.h), and a document of what every node said
 * last is printed once per interval, the first once every node has
 * answered once (or its deadline passed). */
static int watch_spread(struct app *a, enum out_format format, FILE *out, double deadline)
{
	double start = now_ms(), iv = min_interval(a) * 1000, next;
	int code;
	app_schedule(a);
	while (!app_rounds_done(a, 1) && now_ms() - start < iv + deadline * 1000 && !watch_stop)
		loop_run_once(a->loop, 100);
	if (watch_stop)
		return 3;
	app_expire_pending(a, (now_ms() - start) / 1000);
	code = render(a, format, out);
	for (next = now_ms() + iv; !watch_stop; next += iv) {
		double gap = next - now_ms();
		if (gap > 0)
			wait_ms(a, gap, format, out);
		else
			next = now_ms(); /* fell behind: keep the cadence from now */
		if (!watch_stop)
			code = render(a, format, out);
	}
	return code;
}

int batch_run(struct app *a, const struct cli *o, enum out_format format, FILE *out)
{
	unsigned *before = xcalloc(a->n_clusters * CLUSTER_NODES + 1, sizeof(*before));
	double deadline = round_deadline_s(a);
	int round, rounds = o->watch ? -1 : (o->count ? o->count : 1);
	int code = 3;

	/* Only a watch lives long enough for the stream to matter; a one-shot
	 * (cron, Nagios) opens no extra channel. */
	if (o->watch) {
		watch_stop = 0;
		watch_signals(true, out);
		a->on_stream = on_stream;
		app_stream_start(a);
		if (app_spread(a)) {
			code = watch_spread(a, format, out, deadline);
			rounds = 0;
		}
	}
	for (round = 0; (rounds < 0 || round < rounds) && !watch_stop; round++) {
		double start = now_ms();
		size_t i;
		int n;

		for (i = 0; i < a->n_clusters; i++)
			for (n = 0; n < CLUSTER_NODES; n++)
				before[i * CLUSTER_NODES + (size_t)n] = a->clusters[i].node[n].polls;
		app_poll_all(a, false);
		while (!round_complete(a, before) && now_ms() - start < deadline * 1000 && !watch_stop)
			loop_run_once(a->loop, 100);
		if (watch_stop)
			break;
		if (!round_complete(a, before))
			expire_round(a, before, deadline);
		code = render(a, format, out);

		if (rounds < 0 || round + 1 < rounds) {
			double elapsed = now_ms() - start;
			double gap = min_interval(a) * 1000 - elapsed;
			if (gap > 0)
				wait_ms(a, gap, format, o->watch ? out : NULL);
		}
	}
	if (o->watch) {
		a->on_stream = NULL;
		watch_signals(false, NULL);
	}
	free(before);
	return code;
}
