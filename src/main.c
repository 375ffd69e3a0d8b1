/* carptop: parse the command line, load the config (or make the demo pair),
 * set up one backend per node on the one event loop, then hand over to
 * batch output or the console. */
#include <errno.h>
#include <math.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "batch_status.h"
#include "build_config.h"
#include "checks.h"
#include "config_checks.h"
#include "cli.h"
#include "config.h"
#include "loop.h"
#include "offline.h"
#include "output.h"
#include "recorder.h"
#include "replay.h"
#include "sim/sim_world.h"
#include "statedir.h"
#include "ui.h"
#include "util.h"
#include "batch_runner.h"

#define EXIT_USAGE 3 /* usage and config errors exit UNKNOWN, as monitoring expects */

static int fail(const char *what, char *cause)
{
	fprintf(stderr, "carptop: %s%s%s\n", what ? what : "", what ? ": " : "", cause);
	free(cause);
	return EXIT_USAGE;
}

static void list_scenarios(void)
{
	size_t i;
	for (i = 0; i < n_sim_scenarios; i++)
		printf("%-16s %s\n", sim_scenarios[i].name, sim_scenarios[i].summary);
}

static void list_check_table(const char *what, const struct check *t, size_t n)
{
	size_t i;
	printf("\n%s\n", what);
	for (i = 0; i < n; i++) {
		const struct check *c = &t[i];
		printf("%-26s %-9s %s\n", c->id, severity_name(c->severity), c->title);
		printf("%-26s %-9s   why: %s\n", "", "", c->reason);
		printf("%-26s %-9s   fix: %s\n", "", "", c->hint);
	}
}

static void list_checks(void)
{
	printf("%-26s %-9s %s\n", "ID", "SEVERITY", "TITLE / WHY");
	list_check_table("Live checks (the polled state of both nodes):", live_checks, n_live_checks);
	list_check_table("Config checks (both config.xml files: live where the transport reads them, and "
			 "--from-xml):", config_checks, n_config_checks);
}

/* --replay: batch output from a recording (the console's replay is in ui/). */
static int run_replay(const struct cli *o, enum out_format fmt)
{
	struct recording R;
	char *cause = NULL;
	double since = -INFINITY, until = INFINITY, at = 0, now = wall_s();
	int rc;

	if ((o->at && replay_parse_time(o->at, now, &at, &cause) < 0) ||
	    (o->since && replay_parse_time(o->since, now, &since, &cause) < 0) ||
	    (o->until && replay_parse_time(o->until, now, &until, &cause) < 0))
		return fail(o->at ? "--at" : "--since/--until", cause);
	if (o->events && fmt != OUT_TEXT && fmt != OUT_JSON) {
		fprintf(stderr, "carptop: --events prints text or json, not %s\n", out_format_name(fmt));
		return EXIT_USAGE;
	}
	if (!o->batch)
		return ui_replay_run(o);
	if (recording_open(&R, o->replay, &cause) < 0)
		return fail("--replay", cause);
	if (R.torn || R.bad || R.dropped)
		fprintf(stderr, "carptop: %s: %lu torn segment end(s), %lu damaged record(s) skipped\n", o->replay,
			R.torn, R.bad + R.dropped);
	if (o->at)
		rc = replay_batch_at(&R, at, (int)fmt, stdout);
	else
		rc = replay_batch_events(&R, since, until, fmt == OUT_JSON, stdout);
	recording_free(&R);
	return rc;
}

/* The console and --watch record (to the state directory), a one-shot
 * --batch only with --record FILE; --no-record never. A recorder that
 * cannot start is a warning: monitoring goes on without it. */
static struct recorder *start_recorder(const struct cli *o, struct app *app, const struct config *cfg)
{
	const struct cluster_conf **confs;
	struct recorder_opts ro;
	struct recorder *r;
	char *cause = NULL;
	size_t i;
	bool wanted = o->record || (!o->no_record && !o->demo && !(o->run || o->resume || o->rollback) &&
				   (!o->batch || o->watch));
	if (!wanted)
		return NULL;
	memset(&ro, 0, sizeof(ro));
	ro.file = o->record;
	ro.retention_days = cfg->record_days;
	ro.budget_bytes = cfg->record_budget_mb * 1024 * 1024 * (double)(app->n_clusters ? app->n_clusters : 1);
	confs = xcalloc(app->n_clusters + 1, sizeof(*confs));
	for (i = 0; i < app->n_clusters; i++)
		confs[i] = app->clusters[i].conf;
	r = recorder_open(confs, app->n_clusters, &ro, &cause);
	free(confs);
	if (!r) {
		fprintf(stderr, "carptop: not recording: %s\n", cause);
		free(cause);
	}
	return r;
}

/* --demo[=a,b,c]: one simulated cluster per scenario, named after it; a
 * single scenario keeps the one cluster "demo". */
static int demo_config(const char *list, struct config *cfg, char **cause)
{
	char *copy = xstrdup(list ? list : "healthy"), *tok, *save = NULL;
	const char **names = NULL;
	size_t n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!sim_scenario_known(tok)) {
			*cause = sim_unknown_scenario(tok);
			free(names);
			free(copy);
			return -1;
		}
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = tok;
	}
	if (!n) {
		*cause = xstrdup("--demo= names no scenario; write e.g. --demo=healthy,split-brain (see --demo-list)");
		free(copy);
		return -1;
	}
	config_demo_scenarios(cfg, names, n);
	if (n == 1) {
		free(cfg->clusters[0].name);
		cfg->clusters[0].name = xstrdup("demo");
	}
	free(names);
	free(copy);
	return 0;
}

/* The simulator behind every sim node: pair i is cluster i (the index
 * sim_backend_new is given), set up as the cluster's scenario. NULL without
 * sim nodes, or with *cause set. */
static struct sim_world *sim_world_for(const struct config *cfg, double speed, char **cause)
{
	const char **scenarios;
	struct sim_world *w = NULL;
	size_t i;
	bool any = false;

	*cause = NULL;
	scenarios = xcalloc(cfg->n_clusters ? cfg->n_clusters : 1, sizeof(*scenarios));
	for (i = 0; i < cfg->n_clusters; i++) {
		scenarios[i] = cluster_sim_scenario(&cfg->clusters[i]);
		any = any || scenarios[i];
	}
	if (any)
		w = sim_world_new_scenarios(scenarios, (int)cfg->n_clusters, speed, cause);
	free(scenarios);
	return w;
}

int main(int argc, char **argv)
{
	struct cli o;
	struct config cfg;
	struct sim_world *world = NULL;
	struct loop *loop;
	struct app app;
	enum out_format fmt = OUT_TEXT;
	FILE *demo_log = NULL;
	char *cause = NULL;
	size_t i;
	int rc;

	config_sim_scenario_known = sim_scenario_known;
	if (cli_parse(argc, argv, &o, &cause) < 0) {
		fprintf(stderr, "carptop: %s\nTry 'carptop --help'.\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (o.help) {
		cli_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("carptop %s\n", CARPTOP_VERSION);
		return 0;
	}
	if (o.demo_list) {
		list_scenarios();
		return 0;
	}
	if (o.list_checks) {
		list_checks();
		return 0;
	}
	if (out_format_parse(o.format, &fmt) < 0) {
		fprintf(stderr, "carptop: unknown --format '%s'; use text, json, nagios or prometheus\n", o.format);
		return EXIT_USAGE;
	}
	if (o.from_xml[0])
		return offline_run(o.from_xml, fmt, stdout, stderr);
	if (o.replay)
		return run_replay(&o, fmt);

	if (o.demo) {
		statedir_use_demo();
		if (demo_config(o.demo_scenario, &cfg, &cause) < 0)
			return fail("--demo", cause);
	} else {
		char *path = o.config_path ? xstrdup(o.config_path) : config_default_path();
		if (config_load_file(path, &cfg, &cause) < 0) {
			free(path);
			if (!o.config_path)
				fprintf(stderr, "carptop: no usable configuration. Write one (see carptop.yaml(5) and "
						"doc/carptop.example.yaml), pass -c FILE, or try 'carptop --demo'.\n");
			return fail(NULL, cause);
		}
		free(path);
	}
	/* One simulated pair per cluster with sim nodes (the demo's are all). */
	world = sim_world_for(&cfg, o.demo_speed, &cause);
	if (cause) {
		config_free(&cfg);
		return fail("sim", cause);
	}
	if (o.demo && o.demo_log) {
		demo_log = fopen(o.demo_log, "w");
		if (!demo_log) {
			fprintf(stderr, "carptop: --demo-log: cannot write '%s': %s\n", o.demo_log, strerror(errno));
			sim_world_free(world);
			config_free(&cfg);
			return EXIT_USAGE;
		}
		sim_log_write(world, demo_log);
		fflush(demo_log);
		world->log_file = demo_log;
	}
	if (o.demo_log && !o.demo) {
		config_free(&cfg);
		fprintf(stderr, "carptop: --demo-log needs --demo\n");
		return EXIT_USAGE;
	}
	if (o.interval > 0) {
		cfg.interval = o.interval;
		for (i = 0; i < cfg.n_clusters; i++)
			cfg.clusters[i].interval = o.interval;
	}

	/* Hundreds of pairs need a few sockets each: raise the soft limit to
	 * what the configuration needs, and say so plainly when the hard limit
	 * is lower, rather than failing node by node with "too many open files". */
	{
		struct rlimit rl;
		rlim_t need = o.cluster ? (rlim_t)CONFIG_FDS_SPARE * 2 : (rlim_t)config_fds_needed(&cfg);
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
			if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
				fprintf(stderr,
					"carptop: %zu clusters need about %llu file descriptors, but the hard limit is %llu;"
					" raise it (ulimit -Hn, LimitNOFILE=) or watch fewer clusters (--cluster)\n",
					cfg.n_clusters, (unsigned long long)need, (unsigned long long)rl.rlim_max);
				config_free(&cfg);
				sim_world_free(world);
				return EXIT_USAGE;
			}
			rl.rlim_cur = need;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	loop = loop_new();
	if (app_init(&app, &cfg, loop, world, o.cluster, o.read_only || cfg.read_only, &cause) < 0) {
		loop_free(loop);
		config_free(&cfg);
		sim_world_free(world);
		return fail("--cluster", cause);
	}

	app.recorder = start_recorder(&o, &app, &cfg);
	app.cli = &o;
	if (o.run || o.resume || o.rollback)
		rc = wf_batch_run(&app, &o, stdout);
	else if (o.batch)
		rc = batch_run(&app, &o, fmt, stdout);
	else
		rc = ui_run(&app, &o);

	if (recorder_error(app.recorder))
		fprintf(stderr, "carptop: %s\n", recorder_error(app.recorder));
	recorder_close(app.recorder);
	app.recorder = NULL;
	app_free(&app);
	loop_free(loop);
	if (demo_log) {
		world->log_file = NULL;
		fclose(demo_log);
	}
	sim_world_free(world);
	config_free(&cfg);
	return rc;
}
