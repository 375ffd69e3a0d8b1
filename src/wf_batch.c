#include "wf_batch.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "workflow.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void ev_line(struct wf_run *r, const char *text, void *ctx)
{
	FILE *out = ctx;
	char when[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(out, "%s %s\n", when, text);
	fflush(out);
}

static void ev_ask(struct wf_run *r, const char *question, void *ctx)
{
	/* Batch without --yes never runs steps, so a question here means the
	 * run was resumed without --yes: decline, the journal stays. */
	wf_answer(r, false);
}

static void on_update(struct app *a, struct app_cluster *c, int node, void *ctx)
{
	wf_on_update(ctx, (size_t)(c - a->clusters), node);
}

static void on_action(struct app *a, struct app_cluster *c, int node, const struct action *act,
		      const struct action_result *res, void *ctx)
{
	wf_on_action(ctx, (size_t)(c - a->clusters), node, act, res);
}

/* One poll of both nodes before anything: setup decides on fresh state. */
static void first_round(struct app *a, size_t cluster)
{
	double start = now_ms();
	int n;
	unsigned want[CLUSTER_NODES];
	for (n = 0; n < CLUSTER_NODES; n++)
		want[n] = app_poll_node(a, cluster, n);
	for (;;) {
		bool done = true;
		for (n = 0; n < CLUSTER_NODES; n++)
			if (a->clusters[cluster].node[n].backend && a->clusters[cluster].node[n].polls <= want[n])
				done = false;
		if (done || now_ms() - start > 15000)
			break;
		loop_run_once(a->loop, 100);
	}
}

/* A parameter the workflow's usage requires ("vhid=N address=A/P
 * [node=NAME]": the ones outside brackets) and the command line lacks is a
 * usage error, exit 3, before any node is read. */
static bool missing_param(const struct cli *o, char **cause)
{
	const struct wf_def *d = wf_find(o->run);
	const char *p;
	int i;
	if (!d || !d->usage)
		return false; /* an unknown workflow: wf_new says so */
	for (p = d->usage; *p;) {
		size_t len = strcspn(p, " ");
		const char *eq = memchr(p, '=', len);
		if (*p != '[' && eq) {
			size_t klen = (size_t)(eq - p) + 1;
			bool given = false;
			for (i = 0; i < o->n_wf_args && !given; i++)
				given = strncmp(o->wf_args[i], p, klen) == 0 && o->wf_args[i][klen];
			if (!given) {
				*cause = xasprintf("%s needs %.*s; usage: --run %s %s", d->name, (int)len, p, d->name, d->usage);
				return true;
			}
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

int wf_batch_run(struct app *a, const struct cli *o, FILE *out)
{
	struct wf_events ev = { ev_line, ev_ask, NULL, out };
	struct wf_run *r;
	char *cause = NULL;
	int rc;

	if (a->n_clusters != 1) {
		fprintf(stderr, "carptop: a workflow runs on one cluster: add --cluster NAME\n");
		return 3;
	}
	if (a->read_only) {
		fprintf(stderr, "carptop: read-only mode: workflows change nodes and are refused\n");
		return 1;
	}
	first_round(a, 0);
	if (o->resume || o->rollback) {
		r = wf_resume(a, 0, o->rollback, o->force, o->yes, &ev, &cause);
		if (!r) {
			fprintf(stderr, "carptop: %s\n", cause);
			free(cause);
			return 1;
		}
	} else {
		if (missing_param(o, &cause)) {
			fprintf(stderr, "carptop: %s\n", cause);
			free(cause);
			return 3;
		}
		r = wf_new(a, 0, o->run, o->n_wf_args, o->wf_args, o->force, o->yes, &ev, &cause);
		if (!r) {
			fprintf(stderr, "carptop: %s\n", cause);
			free(cause);
			return 3;
		}
		if (wf_setup_and_lock(r, !o->yes, &cause) < 0) {
			fprintf(out, "Refused, nothing was changed: %s\n", cause);
			free(cause);
			wf_free(r);
			return 1;
		}
		wf_plan(r);
		if (!o->yes) {
			fprintf(out, "Plan only: nothing was changed. Add --yes to carry it out.\n");
			wf_free(r);
			return 0;
		}
		wf_start(r);
	}
	a->on_update = on_update;
	a->on_action = on_action;
	a->ctx = r;
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	while (!wf_finished(r)) {
		if (interrupted) {
			wf_abort(r, "interrupted by a signal");
			break;
		}
		if (loop_run_once(a->loop, 200) < 0)
			break;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	a->on_update = NULL;
	a->on_action = NULL;
	rc = wf_succeeded(r) ? 0 : wf_refused(r) ? 1 : 2;
	wf_free(r);
	return rc;
}
