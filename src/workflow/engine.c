#include "workflow.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "backend.h"
#include "cli.h"
#include "statedir.h"
#include "util.h"

#define TICK_MS 200
#define PREPARE_TIMEOUT_MS 30000.0

/* ---- the mutation grant (backend.h) ----------------------------------- */

/* Complete only here; its one instance has internal linkage. Nothing
 * outside this file can name it, so nothing outside the engine can make
 * a transport change a node. */
struct mutation_grant {
	const char *holder;
};
static const struct mutation_grant engine_grant = { "workflow engine" };

bool mutation_grant_valid(const struct mutation_grant *g)
{
	if (!g)
		return false;
	if (g == &engine_grant)
		return true;
	/* Defined only in test programs (tests/test-grant.c). */
	return &carptop_test_grant != NULL && g == carptop_test_grant;
}

/* ---- small helpers ---------------------------------------------------- */

const struct wf_def *wf_find(const char *name)
{
	int i;
	for (i = 0; i < n_wf_defs; i++)
		if (str_eq(wf_defs[i]->name, name))
			return wf_defs[i];
	return NULL;
}

static void line(struct wf_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct wf_run *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r->ev.line)
		r->ev.line(r, buf, r->ev.ctx);
}

/* One audit line for an event of the run (start, step, decline, stop...). */
static void audit(struct wf_run *r, int node, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void audit(struct wf_run *r, int node, const char *result, const char *fmt, ...)
{
	char detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	audit_log(r->cluster_name, node >= 0 ? wf_node_name(r, node) : "-", r->def ? r->def->name : "workflow", result,
		  detail);
}

/* "Disable CARP on %N" with %N replaced by the step's node name. */
static void step_title(const struct wf_run *r, const struct wf_step *s, char *dst, size_t n)
{
	const char *p = s->title, *name = wf_node_name(r, wf_resolve(r, s->node));
	size_t o = 0;
	while (*p && o + 1 < n) {
		if (p[0] == '%' && p[1] == 'N') {
			o += str_copy(dst + o, name, n - o);
			p += 2;
		} else {
			dst[o++] = *p++;
		}
	}
	dst[o] = '\0';
}

/* ---- the steps being run: the workflow's, or the rollback's ----------- */

static int step_count(const struct wf_run *r)
{
	return r->rolling_back ? r->n_rollback_steps : r->def->n_steps;
}

static const struct wf_step *step_at(const struct wf_run *r, int i)
{
	if (i < 0 || i >= step_count(r))
		return NULL;
	return r->rolling_back ? &r->rollback_steps[i] : &r->def->steps[i];
}

/* The current step's entry in r->result (NULL past the array). */
static struct wf_step_result *result_of(struct wf_run *r)
{
	return r->step >= 0 && r->step < WF_MAX_STEPS ? &r->result[r->step] : NULL;
}

int wf_step_count(const struct wf_run *r)
{
	return step_count(r);
}

const char *wf_step_describe(const struct wf_run *r, int i, char *title, size_t n)
{
	const struct wf_step *s = i >= 0 ? step_at(r, i) : NULL;
	if (!s) {
		if (n)
			title[0] = '\0';
		return NULL;
	}
	step_title(r, s, title, n);
	return s->reason;
}

/* ---- lock and journal ------------------------------------------------- */

static bool pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* One workflow per cluster at a time: an O_EXCL lock file holding our pid;
 * a lock whose process is gone is stale and taken over. */
static int lock_take(struct wf_run *r, char **cause)
{
	char rel[160], buf[32];
	int fd, tries;
	str_printf(rel, sizeof(rel), "locks/%s.lock", r->cluster_name);
	r->lock_path = statedir_path(rel, cause);
	if (!r->lock_path)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		fd = open(r->lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
			if (write(fd, buf, (size_t)len) < 0)
				len = 0;
			close(fd);
			return 0;
		}
		{
			FILE *f = fopen(r->lock_path, "r");
			long pid = 0;
			if (f) {
				if (fscanf(f, "%ld", &pid) != 1)
					pid = 0;
				fclose(f);
			}
			if (pid_alive(pid) && pid != (long)getpid()) {
				*cause = xasprintf("another carptop (pid %ld) is running a workflow on cluster %s (lock %s)", pid,
						   r->cluster_name, r->lock_path);
				free(r->lock_path);
				r->lock_path = NULL;
				return -1;
			}
			unlink(r->lock_path); /* stale */
		}
	}
	*cause = xasprintf("cannot take the lock %s: %s", r->lock_path, strerror(errno));
	free(r->lock_path);
	r->lock_path = NULL;
	return -1;
}

static void lock_release(struct wf_run *r)
{
	if (r->lock_path) {
		unlink(r->lock_path);
		free(r->lock_path);
		r->lock_path = NULL;
	}
}

static char *journal_file(const char *cluster, char **cause)
{
	char rel[160];
	str_printf(rel, sizeof(rel), "journal/%s.journal", cluster);
	return statedir_path(rel, cause);
}

static int journal_open(struct wf_run *r, bool append, char **cause)
{
	free(r->journal_path);
	r->journal_path = journal_file(r->cluster_name, cause);
	if (!r->journal_path)
		return -1;
	r->journal = fopen(r->journal_path, append ? "a" : "w");
	if (!r->journal) {
		*cause = xasprintf("cannot write the journal %s: %s", r->journal_path, strerror(errno));
		return -1;
	}
	fchmod(fileno(r->journal), 0600);
	return 0;
}

/* A finished run's journal is kept under a dated name, out of the way of --resume. */
static void journal_close(struct wf_run *r, bool finished)
{
	if (r->journal) {
		fclose(r->journal);
		r->journal = NULL;
	}
	if (finished && r->journal_path) {
		char *done = xasprintf("%s.%ld.done", r->journal_path, (long)time(NULL));
		if (rename(r->journal_path, done) < 0)
			unlink(r->journal_path);
		free(done);
	}
}

/* ---- the engine ------------------------------------------------------- */

static void tick(void *arg);

static void schedule_tick(struct wf_run *r)
{
	if (!r->tick)
		r->tick = loop_timer_add(r->app->loop, TICK_MS, tick, r);
}

static void want_fresh(struct wf_run *r)
{
	app_fresh_request(r->app, r->cluster, &r->fresh);
}

static bool fresh(const struct wf_run *r)
{
	return app_fresh_ready(r->app, r->cluster, &r->fresh);
}

static void cancel_tick(struct wf_run *r)
{
	if (r->tick) {
		loop_timer_cancel(r->app->loop, r->tick);
		r->tick = 0;
	}
}

static void finish(struct wf_run *r, enum wf_state st)
{
	cancel_tick(r);
	r->state = st;
	if (st == WF_DONE)
		audit(r, -1, "completed", "every step verified");
	else if (st == WF_ROLLED_BACK)
		audit(r, -1, "rolled-back", "every undo step verified");
	wf_journal(r, "finished %s", st == WF_DONE ? "ok" : st == WF_ROLLED_BACK ? "rolled-back" : "failed");
	/* A failed run keeps its journal for --resume / --rollback. */
	journal_close(r, st != WF_FAILED);
	lock_release(r);
	if (r->ev.finished)
		r->ev.finished(r, r->ev.ctx);
}

static void fail(struct wf_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct wf_run *r, const char *fmt, ...)
{
	char title[160] = "";
	const struct wf_step *s = step_at(r, r->step);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->status, sizeof(r->status), fmt, ap);
	va_end(ap);
	text_sanitize_inplace(r->status);
	if (s)
		step_title(r, s, title, sizeof(title));
	if (s && result_of(r)) {
		result_of(r)->state = WF_STEP_FAILED;
		str_copy(result_of(r)->msg, r->status, sizeof(result_of(r)->msg));
	}
	wf_journal(r, "step %d failed %s", r->step, r->status);
	line(r, "[%2d/%d] %s ... FAILED: %s", r->step + 1, step_count(r), title, r->status);
	if (!r->changed) {
		/* Nothing was sent: there is nothing to resume or undo. */
		line(r, "Refused: nothing was changed on any node.");
		audit(r, -1, "refused", "step %d %s: %s; nothing was changed", r->step + 1, title, r->status);
		r->state = WF_FAILED;
		cancel_tick(r);
		wf_journal(r, "finished refused");
		journal_close(r, true);
		lock_release(r);
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	audit(r, -1, "stopped", "step %d %s: %s", r->step + 1, title, r->status);
	if (r->journal_path) {
		char resume[512], rollback[512];
		wf_continue_command(r->app, r->cluster, false, resume, sizeof(resume));
		wf_continue_command(r->app, r->cluster, true, rollback, sizeof(rollback));
		line(r, "Stopped safely; nothing more was sent. Journal: %s.", r->journal_path);
		line(r, "To retry from this step: %s", resume);
		line(r, "To undo the steps done so far: %s", rollback);
	}
	finish(r, WF_FAILED);
}

static bool node_reachable(const struct wf_run *r, int n)
{
	return wf_snap(r, n)->reachable;
}

/* The one place a change leaves carptop: audited first (a change that
 * cannot be logged is not made), then handed to the transport with the
 * engine's grant. */
static int send_action(struct wf_run *r, int node, const struct action *act, char **cause)
{
	struct app_node *an = &r->app->clusters[r->cluster].node[node];
	const char *nname = wf_node_name(r, node), *what = action_name(act->kind);
	char detail[200];
	str_printf(detail, sizeof(detail), "workflow=%s step=%d", r->def->name, r->step + 1);
	if (act->kind == ACT_VIP_ADD || act->kind == ACT_VIP_DELETE) {
		size_t l = strlen(detail);
		str_printf(detail + l, sizeof(detail) - l, " vhid=%d address=%s/%d", act->vip.vhid, act->vip.address,
			   act->vip.prefix);
	}
	if (!an->backend) {
		*cause = xasprintf("%s has no working transport: %s", nname, an->snap.error);
		audit_log(r->cluster_name, nname, what, "refused", *cause);
		return -1;
	}
	if (!backend_supports(an->backend, act->kind)) {
		*cause = xasprintf("%s on %s: the %s transport cannot do this", what, nname, an->backend->ops->name);
		audit_log(r->cluster_name, nname, what, "refused", *cause);
		return -1;
	}
	if (!an->backend->read_only && audit_log(r->cluster_name, nname, what, "requested", detail) < 0) {
		char *p = audit_path();
		*cause = xasprintf("%s on %s refused: cannot write the audit log %s", what, nname,
				   p ? p : "(no state directory)");
		free(p);
		return -1;
	}
	if (backend_action(an->backend, &engine_grant, act, cause) < 0) {
		audit_log(r->cluster_name, nname, what, "refused", *cause);
		return -1;
	}
	return 0;
}

static void act(struct wf_run *r, const struct wf_step *s)
{
	struct action a;
	char *cause = NULL;
	int node = wf_resolve(r, s->node);
	memset(&a, 0, sizeof(a));
	a.kind = s->action;
	if (s->build)
		s->build(r, &a);
	wf_journal(r, "step %d action-sent %s node=%s", r->step, action_name(a.kind), wf_node_name(r, node));
	r->changed = true;
	r->phase = PH_ACT;
	r->phase_started = now_ms();
	if (send_action(r, node, &a, &cause) < 0) {
		fail(r, "%s", cause);
		free(cause);
	}
}

static void ask(struct wf_run *r, const char *title)
{
	r->phase = PH_ASK;
	r->state = WF_ASKING;
	r->asked_at = now_ms();
	wf_journal(r, "step %d asking", r->step);
	if (r->ev.ask)
		r->ev.ask(r, title, r->ev.ctx);
}

static void begin_step(struct wf_run *r)
{
	if (result_of(r)) {
		memset(result_of(r), 0, sizeof(*result_of(r)));
		result_of(r)->state = WF_STEP_RUNNING;
	}
	/* What the last step waited for is not what this one waits for. */
	r->status[0] = '\0';
	r->phase = PH_PRE;
	r->phase_started = now_ms();
	want_fresh(r);
	schedule_tick(r);
}

static void next_step(struct wf_run *r)
{
	r->step++;
	if (r->step >= step_count(r)) {
		char words[200];
		if (r->rolling_back)
			line(r, "Rolled back: every step undone and verified.");
		else if (wf_outcome(r, words, sizeof(words)))
			line(r, "Done: %s; every step verified.", words);
		else
			line(r, "Done: every step verified.");
		finish(r, r->rolling_back ? WF_ROLLED_BACK : WF_DONE);
		return;
	}
	begin_step(r);
}

/* Fresh snapshots of both nodes have arrived: move the current step on. */
static void advance(struct wf_run *r)
{
	const struct wf_step *s = step_at(r, r->step);
	char msg[256] = "", title[160];
	enum wf_check c;
	int node;

	if (!s)
		return;
	step_title(r, s, title, sizeof(title));
	node = wf_resolve(r, s->node);
	switch (r->phase) {
	case PH_PRE:
		if (node >= 0 && !node_reachable(r, node)) {
			fail(r, "%s cannot be reached: %s", wf_node_name(r, node), wf_snap(r, node)->error);
			return;
		}
		wf_journal(r, "step %d begin", r->step);
		c = s->pre ? s->pre(r, node, msg, sizeof(msg)) : WF_YES;
		if (c == WF_FAIL) {
			fail(r, "%s", msg);
			return;
		}
		if (c == WF_NO || s->action == WF_NO_ACTION) {
			if (c == WF_NO) {
				wf_journal(r, "step %d skip-action %s", r->step, msg);
				audit(r, node, "step-skipped", "step %d %s: %s", r->step + 1, title, msg);
				if (result_of(r)) {
					result_of(r)->action_skipped = true;
					str_copy(result_of(r)->msg, msg, sizeof(result_of(r)->msg));
				}
			}
			r->phase = PH_WAIT;
			r->phase_started = now_ms();
			if (s->ask && !r->yes && r->confirmed != r->step) {
				ask(r, title);
				return;
			}
			advance(r); /* the data is still fresh: evaluate the wait now */
			return;
		}
		if (s->ask && !r->yes && r->confirmed != r->step) {
			ask(r, title);
			return;
		}
		act(r, s);
		return;
	case PH_WAIT:
		c = s->until ? s->until(r, node, msg, sizeof(msg)) : WF_YES;
		if (c == WF_FAIL) {
			fail(r, "%s", msg);
			return;
		}
		if (c == WF_YES) {
			wf_journal(r, "step %d done %s", r->step, msg);
			audit(r, node, "step-done", "step %d %s: %s", r->step + 1, title, msg);
			if (result_of(r)) {
				struct wf_step_result *res = result_of(r);
				res->state = res->action_skipped ? WF_STEP_SKIPPED : WF_STEP_OK;
				/* A skipped step keeps why its action was not needed. */
				if (!res->action_skipped)
					str_copy(res->msg, msg, sizeof(res->msg));
			}
			line(r, "[%2d/%d] %s ... ok%s%s", r->step + 1, step_count(r), title, msg[0] ? ": " : "", msg);
			next_step(r);
			return;
		}
		str_copy(r->status, msg, sizeof(r->status));
		if (now_ms() - r->phase_started > s->timeout_s * r->timescale * 1000) {
			fail(r, "timed out after %.0f s waiting: %s", s->timeout_s * r->timescale, msg);
			return;
		}
		want_fresh(r);
		return;
	default:
		return;
	}
}

static int setup_and_lock(struct wf_run *r, char **cause);

/* Fresh state has arrived for a run being prepared: setup, interlocks,
 * lock. A refusal ends the run with nothing changed. */
static void prepared(struct wf_run *r)
{
	char *cause = NULL;
	cancel_tick(r);
	if (setup_and_lock(r, &cause) < 0) {
		str_copy(r->status, cause, sizeof(r->status));
		text_sanitize_inplace(r->status);
		free(cause);
		r->state = WF_FAILED;
		audit(r, -1, "refused", "%s%s", r->status, r->overridable ? " (overridable)" : "");
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	r->state = WF_PLAN;
	if (r->ev.planned)
		r->ev.planned(r, r->ev.ctx);
}

static void tick(void *arg)
{
	struct wf_run *r = arg;
	r->tick = 0;
	if (r->state == WF_PREPARING) {
		if (fresh(r)) {
			prepared(r);
			return;
		}
		if (now_ms() - r->phase_started > PREPARE_TIMEOUT_MS) {
			/* Setup needs fresh state; old data must not decide. */
			r->state = WF_FAILED;
			str_printf(r->status, sizeof(r->status), "no fresh answer from the nodes within %.0f s",
				   PREPARE_TIMEOUT_MS / 1000);
			audit(r, -1, "refused", "%s", r->status);
			if (r->ev.finished)
				r->ev.finished(r, r->ev.ctx);
			return;
		}
		app_fresh_nudge(r->app, r->cluster, &r->fresh);
		schedule_tick(r);
		return;
	}
	if (r->state != WF_RUNNING)
		return;
	if (r->phase == PH_ACT) {
		/* The transport times out by itself; this is only the backstop. */
		if (now_ms() - r->phase_started > 120000) {
			fail(r, "no answer to the action within 120 s");
			return;
		}
	} else if (r->phase != PH_ASK) {
		if (fresh(r)) {
			advance(r);
		} else {
			app_fresh_nudge(r->app, r->cluster, &r->fresh);
			if (r->phase == PH_WAIT) {
				const struct wf_step *s = step_at(r, r->step);
				if (s && now_ms() - r->phase_started > s->timeout_s * r->timescale * 1000 + 30000) {
					fail(r, "no fresh data from the nodes for too long");
					return;
				}
			}
		}
	}
	if (r->state == WF_RUNNING)
		schedule_tick(r);
}

/* The run's subscription to the app (app_listen): fresh snapshots move it
 * on, its action's result ends the action phase. */
static struct wf_run *run_of(struct app_listener *l)
{
	return (struct wf_run *)((char *)l - offsetof(struct wf_run, listener));
}

static void on_app_update(struct app_listener *l, size_t cluster, int node)
{
	struct wf_run *r = run_of(l);
	if (cluster != r->cluster)
		return;
	if (r->state == WF_PREPARING) {
		if (fresh(r))
			prepared(r);
		return;
	}
	if (r->state == WF_RUNNING && (r->phase == PH_PRE || r->phase == PH_WAIT) && fresh(r))
		advance(r);
}

static void on_app_action(struct app_listener *l, size_t cluster, int node, const struct action *a,
			  const struct action_result *res)
{
	struct wf_run *r = run_of(l);
	const struct wf_step *s;
	if (cluster != r->cluster || r->state != WF_RUNNING || r->phase != PH_ACT)
		return;
	s = step_at(r, r->step);
	if (!s || wf_resolve(r, s->node) != node || a->kind != s->action)
		return;
	if (res->err != NERR_NONE) {
		fail(r, "%s on %s failed (%s): %s", action_name(a->kind), wf_node_name(r, node), node_error_label(res->err),
		     res->message);
		return;
	}
	wf_journal(r, "step %d action-ok %s", r->step, res->message);
	r->phase = PH_WAIT;
	r->phase_started = now_ms();
	want_fresh(r);
}

void wf_answer(struct wf_run *r, bool yes)
{
	const struct wf_step *s = r ? step_at(r, r->step) : NULL;
	char title[160];
	if (!r || r->state != WF_ASKING || !s)
		return;
	step_title(r, s, title, sizeof(title));
	r->state = WF_RUNNING;
	if (!yes) {
		audit(r, wf_resolve(r, s->node), "declined", "step %d %s", r->step + 1, title);
		fail(r, "the operator declined");
		return;
	}
	wf_journal(r, "step %d confirmed", r->step);
	audit(r, wf_resolve(r, s->node), "confirmed", "step %d %s", r->step + 1, title);
	/* Read fresh state again before acting on the confirmation. */
	r->confirmed = r->step;
	r->phase = PH_PRE;
	r->phase_started = now_ms();
	want_fresh(r);
	schedule_tick(r);
}

void wf_abort(struct wf_run *r, const char *why)
{
	if (r && (r->state == WF_RUNNING || r->state == WF_ASKING)) {
		audit(r, -1, "aborted", "at step %d: %s", r->step + 1, why);
		fail(r, "%s", why);
	}
}

bool wf_finished(const struct wf_run *r)
{
	return r->state == WF_DONE || r->state == WF_FAILED || r->state == WF_ROLLED_BACK;
}

bool wf_refused(const struct wf_run *r)
{
	return r->state == WF_FAILED && !r->changed;
}

bool wf_succeeded(const struct wf_run *r)
{
	return r->state == WF_DONE || r->state == WF_ROLLED_BACK;
}

/* ---- set up, plan, start -------------------------------------------- */

static struct wf_run *run_alloc(struct app *a, size_t cluster, const struct wf_def *def, bool force, bool yes,
				const struct wf_events *ev)
{
	struct wf_run *r = xcalloc(1, sizeof(*r));
	const char *scale = getenv("CARPTOP_WF_TIMEOUT_SCALE");
	r->def = def;
	r->app = a;
	r->cluster = cluster;
	r->cluster_name = a->clusters[cluster].conf->name;
	r->force = force;
	r->yes = yes;
	r->target = 1;
	r->other = 0;
	r->confirmed = -1;
	r->timescale = scale && atof(scale) > 0 ? atof(scale) : 1;
	if (ev)
		r->ev = *ev;
	r->listener.on_update = on_app_update;
	r->listener.on_action = on_app_action;
	app_listen(a, &r->listener);
	return r;
}

static bool unfinished_journal(const char *cluster)
{
	char *cause = NULL, *path = journal_file(cluster, &cause);
	bool exists = path && access(path, F_OK) == 0;
	free(path);
	free(cause);
	return exists;
}

bool wf_unfinished(const struct app *a, size_t cluster, char *workflow, size_t n)
{
	char *cause = NULL, *path, buf[512];
	FILE *f;
	if (n)
		workflow[0] = '\0';
	if (cluster >= a->n_clusters)
		return false;
	path = journal_file(a->clusters[cluster].conf->name, &cause);
	free(cause);
	f = path ? fopen(path, "r") : NULL;
	free(path);
	if (!f)
		return false;
	while (fgets(buf, sizeof(buf), f)) {
		char *p = strchr(buf, ' ');
		if (p && str_starts(p + 1, "workflow ")) {
			p[10 + strcspn(p + 10, "\r\n")] = '\0';
			str_copy(workflow, p + 10, n);
			break;
		}
	}
	fclose(f);
	return true;
}

struct wf_run *wf_new(struct app *a, size_t cluster, const char *name, int argc, char **argv, bool force, bool yes,
		      const struct wf_events *ev, char **cause)
{
	const struct wf_def *def = wf_find(name);
	struct wf_run *r;
	int i;

	if (!def) {
		struct strbuf sb;
		sb_init(&sb);
		sb_printf(&sb, "unknown workflow '%s'; known:", name);
		for (i = 0; i < n_wf_defs; i++)
			sb_printf(&sb, " %s", wf_defs[i]->name);
		*cause = sb_steal(&sb);
		return NULL;
	}
	if (cluster >= a->n_clusters) {
		*cause = xstrdup("no cluster to run it on");
		return NULL;
	}
	r = run_alloc(a, cluster, def, force, yes, ev);
	for (i = 0; i < argc; i++) {
		if (!strchr(argv[i], '=') || argv[i][0] == '=' || r->n_params == WF_MAX_PARAMS) {
			char usage[160];
			wf_usage(def, usage, sizeof(usage));
			*cause = xasprintf("workflow parameter '%s' is not key=value (usage: %s %s)", argv[i], def->name,
					   usage);
			wf_free(r);
			return NULL;
		}
		str_copy(r->params[r->n_params++], argv[i], sizeof(r->params[0]));
	}
	if (unfinished_journal(r->cluster_name)) {
		char *jp = journal_file(r->cluster_name, cause);
		free(*cause);
		*cause = xasprintf("cluster %s has an unfinished workflow (journal %s): finish it with "
				   "'carptop --resume' or undo it with 'carptop --rollback' first",
				   r->cluster_name, jp ? jp : "?");
		free(jp);
		wf_free(r);
		return NULL;
	}
	r->state = WF_IDLE;
	return r;
}

void wf_free(struct wf_run *r)
{
	if (!r)
		return;
	app_unlisten(r->app, &r->listener);
	if (r->tick)
		loop_timer_cancel(r->app->loop, r->tick);
	if (r->journal)
		fclose(r->journal);
	lock_release(r);
	free(r->journal_path);
	free(r);
}

void wf_plan(struct wf_run *r)
{
	int i;
	char title[160], what[320] = "";
	line(r, "Workflow %s on cluster %s: %s", r->def->name, r->cluster_name, r->def->summary);
	/* What it does to this pair: the VHID and address, the version... */
	if (r->def->consequence)
		r->def->consequence(r, what, sizeof(what));
	if (what[0])
		line(r, "  What it does: %s", what);
	if (r->force)
		line(r, "  OVERRIDE: the interlocks were overridden (--force); this is in the audit log.");
	for (i = 0; i < step_count(r); i++) {
		const struct wf_step *s = step_at(r, i);
		step_title(r, s, title, sizeof(title));
		line(r, "  %2d. %s%s", i + 1, title, s->ask ? " (asks the operator)" : "");
		line(r, "      why: %s", s->reason);
	}
}

static int setup_and_lock(struct wf_run *r, char **cause)
{
	char msg[256] = "";
	int n;
	r->overridable = false;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (!r->app->clusters[r->cluster].node[n].backend) {
			*cause = xasprintf("%s: %s", wf_node_name(r, n), wf_snap(r, n)->error);
			return -1;
		}
	if (!r->plan_only && lock_take(r, cause) < 0)
		return -1;
	if (r->def->setup && r->def->setup(r, msg, sizeof(msg)) < 0) {
		*cause = xstrdup(msg);
		lock_release(r);
		r->n_records = 0;
		return -1;
	}
	return 0;
}

void wf_prepare(struct wf_run *r, bool plan_only)
{
	if (r->state != WF_IDLE)
		return;
	r->plan_only = plan_only;
	r->state = WF_PREPARING;
	r->phase_started = now_ms();
	want_fresh(r);
	if (fresh(r)) { /* no node has a transport: setup says why */
		prepared(r);
		return;
	}
	schedule_tick(r);
}

void wf_start(struct wf_run *r)
{
	char *cause = NULL;
	int i;
	if (r->state != WF_PLAN || r->plan_only) {
		line(r, "Refused: the workflow was not prepared for a run");
		r->state = WF_FAILED;
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	if (journal_open(r, false, &cause) < 0) {
		line(r, "Refused: %s", cause);
		free(cause);
		r->state = WF_FAILED;
		lock_release(r);
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	wf_journal(r, "carptop-journal 1");
	wf_journal(r, "workflow %s", r->def->name);
	wf_journal(r, "cluster %s", r->cluster_name);
	for (i = 0; i < r->n_params; i++)
		wf_journal(r, "param %s", r->params[i]);
	for (i = 0; i < r->n_records; i++)
		wf_journal(r, "record %s", r->records[i]);
	if (r->force) {
		wf_journal(r, "force");
		audit(r, -1, "forced", "interlocks overridden by the operator");
	}
	{
		char params[WF_MAX_PARAMS * 130] = "";
		size_t o = 0;
		for (i = 0; i < r->n_params && o + 2 < sizeof(params); i++)
			o += (size_t)snprintf(params + o, sizeof(params) - o, "%s%s", i ? " " : "", r->params[i]);
		audit(r, -1, "workflow-start", "%s", params);
	}
	r->state = WF_RUNNING;
	r->step = 0;
	begin_step(r);
}

/* ---- resume / rollback ------------------------------------------------ */

/* Read a cluster's journal into a new run (not locked, not started, no
 * journal open). done[] and *done_upto say which steps finished. */
static struct wf_run *journal_load(struct app *a, size_t cluster, bool force, bool yes, const struct wf_events *ev,
				   bool done[WF_MAX_STEPS], int *done_upto, char **cause)
{
	const char *cname = a->clusters[cluster].conf->name;
	char *path = journal_file(cname, cause), buf[512], wfname[64] = "";
	struct wf_run *r;
	FILE *f;

	*done_upto = -1;
	memset(done, 0, WF_MAX_STEPS * sizeof(bool));
	if (!path)
		return NULL;
	f = fopen(path, "r");
	if (!f) {
		*cause = xasprintf("no unfinished workflow for cluster %s (no journal %s)", cname, path);
		free(path);
		return NULL;
	}
	r = run_alloc(a, cluster, NULL, force, yes, ev);
	while (fgets(buf, sizeof(buf), f)) {
		char *p = strchr(buf, ' '), *nl = strchr(buf, '\n');
		int step;
		char word[32];
		if (nl)
			*nl = '\0';
		if (!p)
			continue;
		p++;
		if (str_starts(p, "workflow "))
			str_copy(wfname, p + 9, sizeof(wfname));
		else if (str_starts(p, "param ") && r->n_params < WF_MAX_PARAMS)
			str_copy(r->params[r->n_params++], p + 6, sizeof(r->params[0]));
		else if (str_starts(p, "record ")) {
			char *eq = strchr(p + 7, '=');
			if (eq && r->n_records < WF_MAX_RECORDS) {
				int k;
				size_t kl = (size_t)(eq - (p + 7));
				for (k = 0; k < r->n_records; k++)
					if (strncmp(r->records[k], p + 7, kl) == 0 && r->records[k][kl] == '=')
						break;
				str_copy(r->records[k], p + 7, sizeof(r->records[0]));
				if (k == r->n_records)
					r->n_records++;
			}
		} else if (sscanf(p, "step %d %31s", &step, word) == 2 && step >= 0 && step < WF_MAX_STEPS &&
			   str_eq(word, "done")) {
			done[step] = true;
			if (step > *done_upto)
				*done_upto = step;
		}
	}
	fclose(f);
	r->def = wf_find(wfname);
	if (!r->def) {
		*cause = xasprintf("journal %s names no known workflow ('%s')", path, wfname);
		free(path);
		wf_free(r);
		return NULL;
	}
	r->journal_path = path;
	if (wf_record_get(r, "target"))
		r->target = atoi(wf_record_get(r, "target"));
	if (wf_record_get(r, "other"))
		r->other = atoi(wf_record_get(r, "other"));
	r->changed = true; /* the interrupted run may have acted */
	return r;
}

/* The undo steps of what was done, newest first; the step that was under
 * way may have acted, so it is undone first. Each undo step is itself
 * "make sure": it checks before it acts. */
static void rollback_plan(struct wf_run *r, const bool done[WF_MAX_STEPS], int done_upto)
{
	int i;
	r->n_rollback_steps = 0;
	for (i = done_upto + 1; i >= 0 && r->n_rollback_steps < WF_MAX_ROLLBACK; i--) {
		if (i >= r->def->n_steps || (i <= done_upto && !done[i]))
			continue;
		const struct wf_undo *u = i < r->def->n_steps ? r->def->steps[i].undo : NULL;
		int k;
		if (!u)
			continue;
		for (k = 0; k < u->n_steps && r->n_rollback_steps < WF_MAX_ROLLBACK; k++) {
			struct wf_step *s = &r->rollback_steps[r->n_rollback_steps++];
			*s = u->steps[k];
			/* The undo acts where the step it undoes acted. */
			if (s->node == WF_UNDONE) {
				int n = wf_resolve(r, r->def->steps[i].node);
				s->node = n == 0 ? WF_PRIMARY : n == 1 ? WF_SECONDARY : WF_NONE;
			}
		}
	}
	r->rolling_back = true;
}

struct wf_run *wf_resume(struct app *a, size_t cluster, bool rollback, bool force, bool yes,
			 const struct wf_events *ev, char **cause)
{
	bool done[WF_MAX_STEPS];
	int done_upto, i;
	struct wf_run *r = journal_load(a, cluster, force, yes, ev, done, &done_upto, cause);

	if (!r)
		return NULL;
	if (lock_take(r, cause) < 0) {
		wf_free(r);
		return NULL;
	}
	if (journal_open(r, true, cause) < 0) {
		wf_free(r);
		return NULL;
	}
	r->state = WF_RUNNING;
	if (rollback) {
		rollback_plan(r, done, done_upto);
		wf_journal(r, "rollback of %d step(s)", r->n_rollback_steps);
		line(r, "Rolling back %s on cluster %s: %d step(s) to undo.", r->def->name, r->cluster_name,
		     r->n_rollback_steps);
		audit(r, -1, "workflow-rollback", "%d undo step(s)", r->n_rollback_steps);
		r->step = 0;
		if (r->n_rollback_steps == 0) {
			line(r, "Nothing to undo.");
			finish(r, WF_ROLLED_BACK);
			return r;
		}
		begin_step(r);
		return r;
	}
	for (i = 0; i <= done_upto && i < WF_MAX_STEPS; i++) {
		r->result[i].state = done[i] ? WF_STEP_OK : WF_STEP_SKIPPED;
		str_copy(r->result[i].msg, done[i] ? "done in the earlier run" : "not recorded as done in the earlier run",
			 sizeof(r->result[i].msg));
	}
	wf_journal(r, "resume at step %d", done_upto + 1);
	line(r, "Resuming %s on cluster %s at step %d of %d.", r->def->name, r->cluster_name, done_upto + 2,
	     r->def->n_steps);
	audit(r, -1, "workflow-resume", "at step %d", done_upto + 2);
	r->step = done_upto;
	next_step(r);
	return r;
}

/* "carptop-disable on fw2" for a step that sends something. */
static void step_sends(const struct wf_run *r, const struct wf_step *s, char *dst, size_t n)
{
	if (s->action == WF_NO_ACTION)
		str_copy(dst, "nothing (it waits and verifies)", n);
	else
		str_printf(dst, n, "%s to %s, after reading fresh state (not sent if its goal already holds)",
			   action_name(s->action), wf_node_name(r, wf_resolve(r, s->node)));
}

int wf_journal_show(struct app *a, size_t cluster, bool rollback, const struct wf_events *ev, char **cause)
{
	bool done[WF_MAX_STEPS];
	int done_upto, i;
	char title[160], sends[256], cmd[512];
	struct wf_run *r = journal_load(a, cluster, false, false, ev, done, &done_upto, cause);

	if (!r)
		return -1;
	line(r, "Unfinished %s on cluster %s (journal %s):", r->def->name, r->cluster_name,
	     r->journal_path ? r->journal_path : "kept in the state directory");
	for (i = 0; i < r->def->n_steps; i++) {
		step_title(r, &r->def->steps[i], title, sizeof(title));
		if (i <= done_upto)
			line(r, "  %2d. %s: %s", i + 1, title, done[i] ? "done" : "not recorded as done");
		else if (i == done_upto + 1)
			line(r, "  %2d. %s: STOPPED HERE", i + 1, title);
		else
			line(r, "  %2d. %s: not started", i + 1, title);
	}
	if (rollback) {
		rollback_plan(r, done, done_upto);
		if (!r->n_rollback_steps)
			line(r, "A rollback has nothing to undo.");
		for (i = 0; i < r->n_rollback_steps; i++) {
			step_title(r, &r->rollback_steps[i], title, sizeof(title));
			step_sends(r, &r->rollback_steps[i], sends, sizeof(sends));
			line(r, "  Rollback step %d: %s; would send %s", i + 1, title, sends);
		}
	} else if (done_upto + 1 < r->def->n_steps) {
		const struct wf_step *s = &r->def->steps[done_upto + 1];
		step_sends(r, s, sends, sizeof(sends));
		line(r, "A resume would go on at step %d and send next: %s", done_upto + 2, sends);
	} else {
		line(r, "Every step was done; a resume only verifies and closes the journal.");
	}
	wf_continue_command(a, cluster, rollback, cmd, sizeof(cmd));
	line(r, "Nothing was changed. To carry it out: %s", cmd);
	wf_free(r);
	return 0;
}

/* Quote a word for sh when it needs it. */
static void sh_word(struct strbuf *sb, const char *w)
{
	const char *p;
	bool plain = *w != '\0';
	for (p = w; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			strchr("-_./=:,+@", *p);
	if (plain) {
		sb_add(sb, w);
		return;
	}
	sb_addc(sb, '\'');
	for (p = w; *p; p++) {
		if (*p == '\'')
			sb_add(sb, "'\\''");
		else
			sb_addc(sb, *p);
	}
	sb_addc(sb, '\'');
}

void wf_continue_command(const struct app *a, size_t cluster, bool rollback, char *dst, size_t n)
{
	const struct cli *o = a->cli;
	struct strbuf sb;
	sb_init(&sb);
	sb_add(&sb, "carptop");
	if (o && o->demo) {
		sb_add(&sb, " ");
		if (o->demo_scenario) {
			char *d = xasprintf("--demo=%s", o->demo_scenario);
			sh_word(&sb, d);
			free(d);
		} else {
			sb_add(&sb, "--demo");
		}
	} else if (o && o->config_path) {
		sb_add(&sb, " -c ");
		sh_word(&sb, o->config_path);
	}
	if (cluster < a->n_clusters) {
		sb_add(&sb, " --cluster ");
		sh_word(&sb, a->clusters[cluster].conf->name);
	}
	sb_add(&sb, rollback ? " --batch --rollback --yes" : " --batch --resume --yes");
	str_copy(dst, sb.buf ? sb.buf : "carptop --batch --resume --yes", n);
	sb_free(&sb);
}

void wf_question(struct wf_run *r, char *dst, size_t n)
{
	char what[320] = "";
	int peer = 1 - r->target;
	const struct snapshot *p = wf_snap(r, peer);
	char peer_state[200];
	bool single = r->def->n_steps == 1;

	if (r->def->consequence)
		r->def->consequence(r, what, sizeof(what));
	if (!p->reachable)
		str_printf(peer_state, sizeof(peer_state), "%s cannot be reached", wf_node_name(r, peer));
	else if (!p->carp.known)
		str_printf(peer_state, sizeof(peer_state), "%s: CARP state not known", wf_node_name(r, peer));
	else
		str_printf(peer_state, sizeof(peer_state), "%s: CARP %s, maintenance %s, demotion %ld",
			   wf_node_name(r, peer), p->carp.allow ? "on" : "DISABLED", p->carp.maintenance ? "ON" : "off",
			   p->carp.demotion);
	if (single) {
		char title[160];
		step_title(r, &r->def->steps[0], title, sizeof(title));
		str_printf(dst, n, "%sCluster %s: %s? Peer %s. %s [y/N]", r->force ? "OVERRIDE. " : "", r->cluster_name,
			   title, peer_state, what);
	} else
		str_printf(dst, n, "%sCluster %s: start %s (%d steps, see the plan)? %s [y/N]",
			   r->force ? "OVERRIDE. " : "", r->cluster_name, r->def->name, step_count(r), what);
	text_sanitize_inplace(dst);
}
