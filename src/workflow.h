/* The step engine for guided procedures (rolling update, adding an IP alias
 * to an active VHID, failover test, single actions). A workflow is a table
 * of steps (src/workflows.c); each step reads fresh state before it acts,
 * acts on one node, waits until a condition holds (with a timeout) and
 * verifies. Steps are written as "make sure X" so that re-running one after
 * a crash is safe: a step whose goal already holds is skipped, which is
 * what makes --resume possible. Every step goes to a journal; every change
 * to the audit log (app_action). No curses, no sockets. */
#ifndef CARPTOP_WORKFLOW_H
#define CARPTOP_WORKFLOW_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"

struct wf_run;

/* Which node a step acts on, resolved when the run starts. */
enum wf_node { WF_NONE = -1, WF_PRIMARY = 0, WF_SECONDARY = 1, WF_TARGET, WF_OTHER };

/* Results of a step's check functions. */
enum wf_check { WF_NO = 0, WF_YES = 1, WF_FAIL = -1 };

struct wf_step {
	const char *title;       /* "Disable CARP on %N" (%N: the node's name) */
	const char *reason;      /* why, from the how-to */
	enum wf_node node;
	/* Before acting, over fresh snapshots: WF_YES act, WF_NO goal already
	 * holds (skip the action), WF_FAIL stop. msg says why. */
	enum wf_check (*pre)(struct wf_run *r, char *msg, size_t n);
	enum action_kind action; /* ACT__COUNT: no action (a wait or a check) */
	void (*build)(struct wf_run *r, struct action *a);
	/* After acting: poll until WF_YES, or WF_FAIL, or timeout_s passes. */
	enum wf_check (*until)(struct wf_run *r, char *msg, size_t n);
	double timeout_s;
	/* Operator checkpoint (e.g. "check the secondary's services"); in
	 * batch with --yes, `until` is the automatic verification. */
	bool ask;
	/* How to undo this step on --rollback (ACT__COUNT: nothing to undo). */
	enum action_kind undo;
};

struct wf_def {
	const char *name;        /* "update", "add-alias", ... */
	const char *summary;
	const char *usage;       /* "vhid=N address=A/P [node=NAME]" */
	const struct wf_step *steps;
	int n_steps;
	/* Parse key=value params, check preconditions of the whole run and
	 * record what later steps compare against. -1 with msg to refuse. */
	int (*setup)(struct wf_run *r, char *msg, size_t n);
};

extern const struct wf_def *const wf_defs[];
extern const int n_wf_defs;
const struct wf_def *wf_find(const char *name);

enum wf_state { WF_IDLE = 0, WF_PLAN, WF_RUNNING, WF_ASKING, WF_DONE, WF_FAILED, WF_ROLLED_BACK };

/* What the engine tells its front end (batch prints lines, the console
 * updates its workflow view). */
struct wf_events {
	void (*line)(struct wf_run *r, const char *text, void *ctx);   /* a progress line */
	void (*ask)(struct wf_run *r, const char *question, void *ctx); /* answer with wf_answer() */
	void (*finished)(struct wf_run *r, void *ctx);
	void *ctx;
};

#define WF_MAX_PARAMS 8
#define WF_MAX_RECORDS 32
#define WF_MAX_STEPS 32

/* Where each step stands, for a front end that shows them all (the
 * console's workflow view); filled by the engine, indexed like the steps
 * being run (the workflow's, or the rollback's). */
enum wf_step_state { WF_STEP_PENDING = 0, WF_STEP_RUNNING, WF_STEP_OK, WF_STEP_SKIPPED, WF_STEP_FAILED };
struct wf_step_result {
	enum wf_step_state state;
	bool action_skipped;     /* its goal already held: nothing was sent */
	char msg[256];           /* why it was skipped, what was verified, or why it failed */
};

struct wf_run {
	const struct wf_def *def;
	struct app *app;
	size_t cluster;
	const char *cluster_name;
	char params[WF_MAX_PARAMS][128];
	int n_params;
	char records[WF_MAX_RECORDS][160]; /* key=value noted by setup/steps, journaled */
	int n_records;
	int target, other;       /* node indexes for WF_TARGET / WF_OTHER */
	bool force;              /* --force: override the interlocks (logged) */
	bool yes;                /* --yes: confirm every step (batch) */
	double timescale;        /* multiplies every timeout (tests, demo speed) */

	enum wf_state state;
	int step;                /* current step index */
	int confirmed;           /* step the operator confirmed (-1 none) */
	enum { PH_PRE, PH_ACT, PH_WAIT, PH_ASK } phase;
	unsigned want_polls[CLUSTER_NODES]; /* fresh snapshots wanted: poll counters to exceed */
	double phase_started;    /* monotonic ms */
	uint64_t tick;
	char status[256];        /* what it is doing / why it stopped */
	char *journal_path;
	char *lock_path;
	FILE *journal;
	bool rolling_back;
	bool changed;            /* an action was sent (in this run or the resumed one) */
	int rollback_from;
	struct wf_events ev;
	struct wf_step_result result[WF_MAX_STEPS];
};

/* Prepare a run: find the workflow, take the cluster's lock, run setup.
 * Returns NULL and *cause (nothing has been changed). */
struct wf_run *wf_new(struct app *a, size_t cluster, const char *name, int argc, char **argv, bool force,
		      bool yes, const struct wf_events *ev, char **cause);
/* Resume (or roll back) the unfinished run of a cluster from its journal. */
struct wf_run *wf_resume(struct app *a, size_t cluster, bool rollback, bool force, bool yes,
			 const struct wf_events *ev, char **cause);
void wf_free(struct wf_run *r);

/* After the first fresh poll: run the workflow's setup (checks of the whole
 * run, target node, "before" records) and, unless plan_only, take the
 * cluster's lock. -1 and *cause: refused, nothing changed. */
int wf_setup_and_lock(struct wf_run *r, bool plan_only, char **cause);
/* Print the plan (every step, what it does and why) through ev.line. */
void wf_plan(struct wf_run *r);
/* Start executing (asynchronously, on the app's loop). */
void wf_start(struct wf_run *r);
/* Feed the engine: call from the app's on_update / on_action. */
void wf_on_update(struct wf_run *r, size_t cluster, int node);
void wf_on_action(struct wf_run *r, size_t cluster, int node, const struct action *a, const struct action_result *res);
/* Answer a question (operator checkpoint). */
void wf_answer(struct wf_run *r, bool yes);
/* Stop at once (the journal stays resumable). */
void wf_abort(struct wf_run *r, const char *why);

/* The steps being run (the workflow's, or the rollback's): how many, and
 * step i's title with the node names filled in (returns its reason, NULL
 * past the end). */
int wf_step_count(const struct wf_run *r);
const char *wf_step_describe(const struct wf_run *r, int i, char *title, size_t n);
/* Whether a cluster has an unfinished journal (a run that stopped or was
 * killed): then only wf_resume may go on. Names its workflow. */
bool wf_unfinished(const struct app *a, size_t cluster, char *workflow, size_t n);

bool wf_finished(const struct wf_run *r);
bool wf_succeeded(const struct wf_run *r);
/* Failed before anything was sent: nothing to resume or roll back. */
bool wf_refused(const struct wf_run *r);

/* Helpers for step functions. */
const char *wf_param(const struct wf_run *r, const char *key);
const char *wf_record_get(const struct wf_run *r, const char *key);
void wf_record_set(struct wf_run *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const struct snapshot *wf_snap(const struct wf_run *r, int node);
const char *wf_node_name(const struct wf_run *r, int node);
int wf_resolve(const struct wf_run *r, enum wf_node n);

#endif
