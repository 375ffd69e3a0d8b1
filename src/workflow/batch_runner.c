#include "batch_runner.h"

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
	/* Batch runs steps only with --yes, which answers every checkpoint
	 * with its automatic verification: a question here cannot be
	 * answered by a person. Decline; the journal stays. */
	wf_answer(r, false);
}

/* Run the loop until the run leaves `st` (or a signal arrives). */
static void run_while(struct app *a, struct wf_run *r, bool (*still)(const struct wf_run *r))
{
	while (still(r)) {
		if (interrupted) {
			wf_abort(r, "interrupted by a signal");
			break;
		}
		if (loop_run_once(a->loop, 200) < 0)
			break;
	}
}

/* A parameter the workflow requires (not optional in its spec) and the
 * command line lacks is a usage error, exit 3, before any node is read. */
static bool missing_param(const struct cli *o, char **cause)
{
	const struct wf_def *d = wf_find(o->run);
	const struct wf_param_spec *p;
	int i;
	if (!d)
		return false; /* an unknown workflow: wf_new says so */
	for (p = d->params; p && p->key; p++) {
		size_t klen = strlen(p->key);
		bool given = false;
		if (p->optional)
			continue;
		for (i = 0; i < o->n_wf_args && !given; i++)
			given = strncmp(o->wf_args[i], p->key, klen) == 0 && o->wf_args[i][klen] == '=' &&
				o->wf_args[i][klen + 1];
		if (!given) {
			char usage[160];
			wf_usage(d, usage, sizeof(usage));
			*cause = xasprintf("%s needs %s=%s; usage: --run %s %s", d->name, p->key, p->value, d->name, usage);
			return true;
		}
	}
	return false;
}

static bool preparing(const struct wf_run *r)
{
	return r->state == WF_PREPARING;
}

static bool running(const struct wf_run *r)
{
	return !wf_finished(r);
}

int wf_batch_run(struct app *a, const struct cli *o, FILE *out)
{
	struct wf_events ev = { ev_line, ev_ask, NULL, NULL, out };
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
	interrupted = 0;
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	if ((o->resume || o->rollback) && !o->yes) {
		/* Without --yes nothing changes: show the journal and what would
		 * be sent, take no lock, write nothing. */
		rc = wf_journal_show(a, 0, o->rollback, &ev, &cause) < 0 ? 1 : 0;
		if (rc) {
			fprintf(stderr, "carptop: %s\n", cause);
			free(cause);
		}
	} else if (o->resume || o->rollback) {
		r = wf_resume(a, 0, o->rollback, o->force, o->yes, &ev, &cause);
		if (!r) {
			fprintf(stderr, "carptop: %s\n", cause);
			free(cause);
			rc = 1;
		} else {
			run_while(a, r, running);
			rc = wf_succeeded(r) ? 0 : wf_refused(r) ? 1 : 2;
			wf_free(r);
		}
	} else if (missing_param(o, &cause)) {
		fprintf(stderr, "carptop: %s\n", cause);
		free(cause);
		rc = 3;
	} else if (!(r = wf_new(a, 0, o->run, o->n_wf_args, o->wf_args, o->force, o->yes, &ev, &cause))) {
		fprintf(stderr, "carptop: %s\n", cause);
		free(cause);
		rc = 3;
	} else {
		/* The engine polls both nodes and decides setup and interlocks
		 * on that fresh state, before the plan is shown. */
		wf_prepare(r, !o->yes);
		run_while(a, r, preparing);
		if (r->state != WF_PLAN) {
			const char *why = r->status[0] ? r->status : "interrupted";
			fprintf(out, "Refused, nothing was changed: %s\n", str_starts(why, "refused: ") ? why + 9 : why);
			rc = 1;
		} else {
			wf_plan(r);
			if (!o->yes) {
				fprintf(out, "Plan only: nothing was changed. Add --yes to carry it out.\n");
				rc = 0;
			} else {
				wf_start(r);
				run_while(a, r, running);
				rc = wf_succeeded(r) ? 0 : wf_refused(r) ? 1 : 2;
			}
		}
		wf_free(r);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return rc;
}
