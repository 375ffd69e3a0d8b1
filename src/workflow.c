#include "workflow.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "statedir.h"
#include "util.h"

#define TICK_MS 200

/* ---- small helpers ---------------------------------------------------- */

const struct wf_def *wf_find(const char *name)
{
	int i;
	for (i = 0; i < n_wf_defs; i++)
		if (str_eq(wf_defs[i]->name, name))
			return wf_defs[i];
	return NULL;
}

const char *wf_param(const struct wf_run *r, const char *key)
{
	size_t n = strlen(key);
	int i;
	for (i = 0; i < r->n_params; i++)
		if (strncmp(r->params[i], key, n) == 0 && r->params[i][n] == '=')
			return r->params[i] + n + 1;
	return NULL;
}

const char *wf_record_get(const struct wf_run *r, const char *key)
{
	size_t n = strlen(key);
	int i;
	for (i = 0; i < r->n_records; i++)
		if (strncmp(r->records[i], key, n) == 0 && r->records[i][n] == '=')
			return r->records[i] + n + 1;
	return NULL;
}

static void journal(struct wf_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void wf_record_set(struct wf_run *r, const char *key, const char *fmt, ...)
{
	char value[128];
	size_t n = strlen(key);
	va_list ap;
	int i;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	for (i = 0; i < r->n_records; i++)
		if (strncmp(r->records[i], key, n) == 0 && r->records[i][n] == '=')
			break;
	if (i == r->n_records) {
		if (r->n_records == WF_MAX_RECORDS)
			return;
		r->n_records++;
	}
	str_printf(r->records[i], sizeof(r->records[i]), "%s=%s", key, value);
	journal(r, "record %s", r->records[i]);
}

const struct snapshot *wf_snap(const struct wf_run *r, int node)
{
	return &r->app->clusters[r->cluster].node[node].snap;
}

const char *wf_node_name(const struct wf_run *r, int node)
{
	if (node < 0 || node >= CLUSTER_NODES)
		return "-";
	return r->app->clusters[r->cluster].conf->nodes[node].name;
}

int wf_resolve(const struct wf_run *r, enum wf_node n)
{
	switch (n) {
	case WF_PRIMARY:
		return 0;
	case WF_SECONDARY:
		return 1;
	case WF_TARGET:
		return r->target;
	case WF_OTHER:
		return r->other;
	default:
		return -1;
	}
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

static void journal(struct wf_run *r, const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;
	if (!r->journal)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(r->journal, "%s ", when);
	va_start(ap, fmt);
	vfprintf(r->journal, fmt, ap);
	va_end(ap);
	fputc('\n', r->journal);
	/* The journal is what survives kill -9: every record reaches the disk. */
	fflush(r->journal);
	fsync(fileno(r->journal));
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

#define MAX_ROLLBACK 16
static const struct wf_step *steps_of(const struct wf_run *r, int *n);

/* Rollback steps per undo kind, defined in workflows.c. */
/* The steps that undo a step (workflows.c); returns how many. */
int wf_undo_steps(enum action_kind undo, enum wf_node node, const struct wf_step **out, int max);

static const struct wf_step *rollback_steps[MAX_ROLLBACK];
static int n_rollback_steps;

static const struct wf_step *step_at(const struct wf_run *r, int i)
{
	int n;
	const struct wf_step *s = steps_of(r, &n);
	if (r->rolling_back)
		return i < n_rollback_steps ? rollback_steps[i] : NULL;
	return i < n ? &s[i] : NULL;
}

static const struct wf_step *steps_of(const struct wf_run *r, int *n)
{
	if (r->rolling_back) {
		*n = n_rollback_steps;
		return NULL;
	}
	*n = r->def->n_steps;
	return r->def->steps;
}

static int step_count(const struct wf_run *r)
{
	int n;
	steps_of(r, &n);
	return n;
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
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		r->want_polls[n] = app_poll_node(r->app, r->cluster, n);
}

static bool fresh(const struct wf_run *r)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (r->app->clusters[r->cluster].node[n].polls <= r->want_polls[n])
			return false;
	return true;
}

static void finish(struct wf_run *r, enum wf_state st)
{
	if (r->tick) {
		loop_timer_cancel(r->app->loop, r->tick);
		r->tick = 0;
	}
	r->state = st;
	journal(r, "finished %s", st == WF_DONE ? "ok" : st == WF_ROLLED_BACK ? "rolled-back" : "failed");
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
	journal(r, "step %d failed %s", r->step, r->status);
	line(r, "[%2d/%d] %s ... FAILED: %s", r->step + 1, step_count(r), title, r->status);
	if (!r->changed) {
		/* Nothing was sent: there is nothing to resume or undo. */
		line(r, "Refused: nothing was changed on any node.");
		r->state = WF_FAILED;
		if (r->tick) {
			loop_timer_cancel(r->app->loop, r->tick);
			r->tick = 0;
		}
		journal(r, "finished refused");
		journal_close(r, true);
		lock_release(r);
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	if (r->journal_path)
		line(r, "Stopped safely; nothing more was sent. Journal: %s. Run 'carptop --resume' to retry "
			"from this step, or 'carptop --rollback' to undo the steps done so far.",
		     r->journal_path);
	finish(r, WF_FAILED);
}

static bool node_reachable(const struct wf_run *r, int n)
{
	return wf_snap(r, n)->reachable;
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
	journal(r, "step %d action-sent %s node=%s", r->step, action_name(a.kind), wf_node_name(r, node));
	r->changed = true;
	r->phase = PH_ACT;
	r->phase_started = now_ms();
	if (app_action(r->app, r->cluster, node, &a, &cause) < 0) {
		fail(r, "%s", cause);
		free(cause);
	}
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
		line(r, "%s", r->rolling_back ? "Rolled back: every step undone and verified."
					      : "Done: every step verified.");
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
		journal(r, "step %d begin", r->step);
		c = s->pre ? s->pre(r, msg, sizeof(msg)) : WF_YES;
		if (c == WF_FAIL) {
			fail(r, "%s", msg);
			return;
		}
		if (c == WF_NO || s->action == ACT__COUNT) {
			if (c == WF_NO) {
				journal(r, "step %d skip-action %s", r->step, msg);
				if (result_of(r)) {
					result_of(r)->action_skipped = true;
					str_copy(result_of(r)->msg, msg, sizeof(result_of(r)->msg));
				}
			}
			r->phase = PH_WAIT;
			r->phase_started = now_ms();
			if (s->ask && !r->yes && r->confirmed != r->step) {
				r->phase = PH_ASK;
				r->state = WF_ASKING;
				if (r->ev.ask)
					r->ev.ask(r, title, r->ev.ctx);
				return;
			}
			advance(r); /* the data is still fresh: evaluate the wait now */
			return;
		}
		if (s->ask && !r->yes && r->confirmed != r->step) {
			r->phase = PH_ASK;
			r->state = WF_ASKING;
			if (r->ev.ask)
				r->ev.ask(r, title, r->ev.ctx);
			return;
		}
		act(r, s);
		return;
	case PH_WAIT:
		c = s->until ? s->until(r, msg, sizeof(msg)) : WF_YES;
		if (c == WF_FAIL) {
			fail(r, "%s", msg);
			return;
		}
		if (c == WF_YES) {
			journal(r, "step %d done %s", r->step, msg);
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

static void tick(void *arg)
{
	struct wf_run *r = arg;
	int n;
	r->tick = 0;
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
			/* Keep a poll going on the nodes still owed a fresh snapshot. */
			for (n = 0; n < CLUSTER_NODES; n++)
				if (r->app->clusters[r->cluster].node[n].polls <= r->want_polls[n])
					app_poll_node(r->app, r->cluster, n);
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

void wf_on_update(struct wf_run *r, size_t cluster, int node)
{
	if (!r || cluster != r->cluster || r->state != WF_RUNNING)
		return;
	if ((r->phase == PH_PRE || r->phase == PH_WAIT) && fresh(r))
		advance(r);
}

void wf_on_action(struct wf_run *r, size_t cluster, int node, const struct action *a, const struct action_result *res)
{
	const struct wf_step *s;
	if (!r || cluster != r->cluster || r->state != WF_RUNNING || r->phase != PH_ACT)
		return;
	s = step_at(r, r->step);
	if (!s || wf_resolve(r, s->node) != node || a->kind != s->action)
		return;
	if (res->err != NERR_NONE) {
		fail(r, "%s on %s failed (%s): %s", action_name(a->kind), wf_node_name(r, node), node_error_label(res->err),
		     res->message);
		return;
	}
	journal(r, "step %d action-ok %s", r->step, res->message);
	r->phase = PH_WAIT;
	r->phase_started = now_ms();
	want_fresh(r);
}

void wf_answer(struct wf_run *r, bool yes)
{
	const struct wf_step *s = step_at(r, r->step);
	if (!r || r->state != WF_ASKING || !s)
		return;
	r->state = WF_RUNNING;
	if (!yes) {
		fail(r, "the operator declined");
		return;
	}
	journal(r, "step %d confirmed", r->step);
	/* Read fresh state again before acting on the confirmation. */
	r->confirmed = r->step;
	r->phase = PH_PRE;
	r->phase_started = now_ms();
	want_fresh(r);
	schedule_tick(r);
}

void wf_abort(struct wf_run *r, const char *why)
{
	if (r && (r->state == WF_RUNNING || r->state == WF_ASKING))
		fail(r, "%s", why);
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
			*cause = xasprintf("workflow parameter '%s' is not key=value (usage: %s %s)", argv[i], def->name,
					   def->usage);
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
	char title[160];
	line(r, "Workflow %s on cluster %s: %s", r->def->name, r->cluster_name, r->def->summary);
	for (i = 0; i < step_count(r); i++) {
		const struct wf_step *s = step_at(r, i);
		step_title(r, s, title, sizeof(title));
		line(r, "  %2d. %s%s", i + 1, title, s->ask ? " (asks the operator)" : "");
		line(r, "      why: %s", s->reason);
	}
}

/* Fresh state is needed before setup (it picks nodes and records the
 * "before" picture): wait for one poll of both nodes. */
struct setup_wait {
	struct wf_run *r;
	bool plan_only;
};

int wf_setup_and_lock(struct wf_run *r, bool plan_only, char **cause)
{
	char msg[256] = "";
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (!r->app->clusters[r->cluster].node[n].backend) {
			*cause = xasprintf("%s: %s", wf_node_name(r, n), wf_snap(r, n)->error);
			return -1;
		}
	if (!plan_only && lock_take(r, cause) < 0)
		return -1;
	if (r->def->setup && r->def->setup(r, msg, sizeof(msg)) < 0) {
		*cause = xstrdup(msg);
		lock_release(r);
		r->n_records = 0;
		return -1;
	}
	return 0;
}

void wf_start(struct wf_run *r)
{
	char *cause = NULL;
	int i;
	if (journal_open(r, false, &cause) < 0) {
		line(r, "Refused: %s", cause);
		free(cause);
		r->state = WF_FAILED;
		lock_release(r);
		if (r->ev.finished)
			r->ev.finished(r, r->ev.ctx);
		return;
	}
	journal(r, "carptop-journal 1");
	journal(r, "workflow %s", r->def->name);
	journal(r, "cluster %s", r->cluster_name);
	for (i = 0; i < r->n_params; i++)
		journal(r, "param %s", r->params[i]);
	for (i = 0; i < r->n_records; i++)
		journal(r, "record %s", r->records[i]);
	if (r->force) {
		journal(r, "force");
		audit_log(r->cluster_name, "-", r->def->name, "forced", "--force: interlocks overridden");
	}
	audit_log(r->cluster_name, "-", r->def->name, "workflow-start", "");
	r->state = WF_RUNNING;
	r->step = 0;
	begin_step(r);
}

/* ---- resume / rollback ------------------------------------------------ */

struct wf_run *wf_resume(struct app *a, size_t cluster, bool rollback, bool force, bool yes,
			 const struct wf_events *ev, char **cause)
{
	const char *cname = a->clusters[cluster].conf->name;
	char *path = journal_file(cname, cause), buf[512], wfname[64] = "";
	int done_upto = -1, i;
	bool done[64] = { false };
	struct wf_run *r;
	FILE *f;

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
		} else if (sscanf(p, "step %d %31s", &step, word) == 2 && step >= 0 && step < 64 && str_eq(word, "done")) {
			done[step] = true;
			if (step > done_upto)
				done_upto = step;
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
	free(path);
	if (wf_record_get(r, "target"))
		r->target = atoi(wf_record_get(r, "target"));
	if (wf_record_get(r, "other"))
		r->other = atoi(wf_record_get(r, "other"));
	if (lock_take(r, cause) < 0) {
		wf_free(r);
		return NULL;
	}
	if (journal_open(r, true, cause) < 0) {
		wf_free(r);
		return NULL;
	}
	r->state = WF_RUNNING;
	r->changed = true; /* the interrupted run may have acted */
	if (rollback) {
		/* Undo what was done, newest first; each undo step is itself
		 * "make sure": it checks before it acts. */
		n_rollback_steps = 0;
		/* The step that was under way may have acted: undo it first. */
		for (i = done_upto + 1; i >= 0 && n_rollback_steps < MAX_ROLLBACK; i--) {
			if (i >= r->def->n_steps || (i <= done_upto && !done[i]))
				continue;
			if (r->def->steps[i].undo == ACT__COUNT)
				continue;
			n_rollback_steps += wf_undo_steps(r->def->steps[i].undo, r->def->steps[i].node,
							  &rollback_steps[n_rollback_steps], MAX_ROLLBACK - n_rollback_steps);
		}
		r->rolling_back = true;
		journal(r, "rollback of %d step(s)", n_rollback_steps);
		line(r, "Rolling back %s on cluster %s: %d step(s) to undo.", r->def->name, r->cluster_name,
		     n_rollback_steps);
		audit_log(r->cluster_name, "-", r->def->name, "workflow-rollback", "");
		r->step = 0;
		if (n_rollback_steps == 0) {
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
	journal(r, "resume at step %d", done_upto + 1);
	line(r, "Resuming %s on cluster %s at step %d of %d.", r->def->name, r->cluster_name, done_upto + 2,
	     r->def->n_steps);
	audit_log(r->cluster_name, "-", r->def->name, "workflow-resume", "");
	r->step = done_upto;
	next_step(r);
	return r;
}
