/* The step engine for guided procedures (rolling update, adding an IP alias
 * to an active VHID, failover test, single actions). A workflow is a table
 * of steps (src/workflow/tables.c); each step reads fresh state before it acts,
 * acts on one node, waits until a condition holds (with a timeout) and
 * verifies. Steps are written as "make sure X" so that re-running one after
 * a crash is safe: a step whose goal already holds is skipped, which is
 * what makes --resume possible. Every step goes to a journal; every change
 * and every event of a run to the audit log.
 *
 * The engine is the one path for every change to a node: it alone holds
 * the mutation grant the backends require (backend.h), so the console's
 * one-key actions are one-step workflows too. It runs itself: each run
 * subscribes to the app's poll and action results (app_listen) and asks
 * for fresh state itself (app_fresh_*). No curses, no sockets. */
#ifndef CARPTOP_WORKFLOW_H
#define CARPTOP_WORKFLOW_H

#include <stdbool.h>
#include <stdio.h>

#include "app.h"

struct wf_run;

/* Which node a step acts on, resolved when the run starts. WF_UNDONE is
 * for undo rows only: the node the undone step acted on, whichever that
 * was (the rollback plan fixes it when it is made). */
enum wf_node { WF_NONE = -1, WF_PRIMARY = 0, WF_SECONDARY = 1, WF_TARGET, WF_OTHER, WF_UNDONE };

/* Results of a step's check functions. */
enum wf_check { WF_NO = 0, WF_YES = 1, WF_FAIL = -1 };

/* A step that sends nothing (a wait or a check). */
#define WF_NO_ACTION ACT__COUNT

struct wf_undo;

/* One step, written with designated initializers in the tables
 * (tables.c): what it says, which node it acts on, the check before, the
 * action, the wait after and its undo. */
struct wf_step {
	const char *title;       /* "Disable CARP on %N" (%N: the node's name) */
	const char *reason;      /* why, from the how-to */
	enum wf_node node;
	/* Before acting, over fresh snapshots: WF_YES act, WF_NO goal already
	 * holds (skip the action), WF_FAIL stop. msg says why. `node` is the
	 * step's node resolved (-1 for WF_NONE). NULL: act. */
	enum wf_check (*pre)(struct wf_run *r, int node, char *msg, size_t n);
	enum action_kind action; /* WF_NO_ACTION: a wait or a check */
	void (*build)(struct wf_run *r, struct action *a); /* NULL: the action has no fields */
	/* After acting: poll until WF_YES, or WF_FAIL, or timeout_s passes. */
	enum wf_check (*until)(struct wf_run *r, int node, char *msg, size_t n);
	double timeout_s;
	/* Operator checkpoint (e.g. "check the secondary's services"); in
	 * batch with --yes, `until` is the automatic verification. */
	bool ask;
	/* What --rollback runs to undo this step; NULL: nothing to undo. */
	const struct wf_undo *undo;
};

/* The undo rows of a step: each is itself "make sure", so it checks
 * before it acts. */
struct wf_undo {
	const struct wf_step *steps;
	int n_steps;
};

/* One key=value parameter of a workflow. The usage text, the check of
 * --run's arguments and the console's form are all made from these. */
struct wf_param_spec {
	const char *key;         /* "vhid" */
	const char *value;       /* what to type after '=': "N", "A/P", "NAME" */
	bool optional;           /* the engine chooses when it is left out */
};

struct wf_def {
	const char *name;        /* "update", "add-alias", ... */
	const char *summary;
	const struct wf_param_spec *params; /* ended by { NULL }; NULL: none */
	const struct wf_step *steps;
	int n_steps;
	/* Parse key=value params, check preconditions of the whole run and
	 * record what later steps compare against. -1 with msg to refuse. */
	int (*setup)(struct wf_run *r, char *msg, size_t n);
	/* What the run will do to the pair, for the confirmation question
	 * ("fw2 takes over VHIDs 1, 3"), on the state setup saw. */
	void (*consequence)(struct wf_run *r, char *msg, size_t n);
	/* What the finished run did, in the operator's words, on the state
	 * the last step verified ("fw1 entered maintenance (demotion 240)").
	 * NULL: the result is told as "done, every step verified". */
	void (*outcome)(struct wf_run *r, char *msg, size_t n);
};

/* "vhid=N address=A/P [node=NAME]" (optional ones in brackets); "" when
 * the workflow takes none. */
void wf_usage(const struct wf_def *d, char *dst, size_t n);
/* The workflow's parameter `key`, NULL when it has none of that name. */
const struct wf_param_spec *wf_param_spec(const struct wf_def *d, const char *key);

/* The finished run's result in words, when its workflow tells one
 * (false: say only "done"). */
bool wf_outcome(struct wf_run *r, char *msg, size_t n);

extern const struct wf_def *const wf_defs[];
extern const int n_wf_defs;
const struct wf_def *wf_find(const char *name);

/* IDLE (made) -> PREPARING (waiting for fresh state, then setup and the
 * interlocks) -> PLAN (ready; nothing sent) -> RUNNING <-> ASKING -> DONE,
 * FAILED or ROLLED_BACK. A refusal in PREPARING is FAILED with nothing
 * changed. */
enum wf_state { WF_IDLE = 0, WF_PREPARING, WF_PLAN, WF_RUNNING, WF_ASKING, WF_DONE, WF_FAILED, WF_ROLLED_BACK };

/* What the engine tells its front end (batch prints lines, the console
 * updates its workflow view). */
struct wf_events {
	void (*line)(struct wf_run *r, const char *text, void *ctx);   /* a progress line */
	void (*ask)(struct wf_run *r, const char *question, void *ctx); /* answer with wf_answer() */
	void (*finished)(struct wf_run *r, void *ctx);
	/* wf_prepare's result: setup and the interlocks passed (state PLAN;
	 * a refusal goes to `finished` instead). */
	void (*planned)(struct wf_run *r, void *ctx);
	void *ctx;
};

#define WF_MAX_PARAMS 8
#define WF_MAX_RECORDS 32
#define WF_MAX_STEPS 32
#define WF_MAX_ROLLBACK 16

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
	struct app_fresh fresh;  /* the fresh snapshots the current phase waits for */
	struct app_listener listener; /* the run's subscription to the app's results */
	bool plan_only;          /* wf_prepare without the lock (batch without --yes) */
	bool overridable;        /* refused by an interlock that --force (or the typed
				  * cluster name in the console) may override */
	double phase_started;    /* monotonic ms */
	double asked_at;         /* monotonic ms the pending question appeared */
	uint64_t tick;
	char status[256];        /* what it is doing / why it stopped */
	char *journal_path;
	char *lock_path;
	FILE *journal;
	bool rolling_back;
	bool changed;            /* an action was sent (in this run or the resumed one) */
	int rollback_from;
	/* The undo steps of a rollback, newest first: the run's own. */
	/* Copies of the undo rows, each with WF_UNDONE made the undone step's node. */
	struct wf_step rollback_steps[WF_MAX_ROLLBACK];
	int n_rollback_steps;
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

/* Poll both nodes, then, on that fresh state, run the workflow's setup
 * (checks of the whole run and the interlocks, target node, "before"
 * records) and, unless plan_only, take the cluster's lock. Asynchronous:
 * ev.planned follows (state WF_PLAN), or ev.finished with the refusal in
 * r->status (state WF_FAILED, nothing changed; r->overridable says
 * whether --force / the typed cluster name may override it). */
void wf_prepare(struct wf_run *r, bool plan_only);
/* Print the plan (every step, what it does and why) through ev.line. */
void wf_plan(struct wf_run *r);
/* Start executing (asynchronously, on the app's loop). */
void wf_start(struct wf_run *r);
/* Answer a question (operator checkpoint). */
void wf_answer(struct wf_run *r, bool yes);
/* The confirmation question for a planned run: names the cluster, the
 * node, the peer's current state and the consequence; ends in [y/N]. */
void wf_question(struct wf_run *r, char *dst, size_t n);
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
/* Print an unfinished journal through ev->line without changing anything
 * (no lock, no journal or audit line, nothing sent): the steps done, the
 * step where it stopped, and what a resume (or rollback) would send next.
 * -1 and *cause when there is no readable journal. */
int wf_journal_show(struct app *a, size_t cluster, bool rollback, const struct wf_events *ev, char **cause);
/* The exact command that continues (or rolls back) the cluster's
 * unfinished run: "carptop -c FILE --cluster NAME --batch --resume --yes". */
void wf_continue_command(const struct app *a, size_t cluster, bool rollback, char *dst, size_t n);

bool wf_finished(const struct wf_run *r);
bool wf_succeeded(const struct wf_run *r);
/* Failed before anything was sent: nothing to resume or roll back. */
bool wf_refused(const struct wf_run *r);

/* A run's state, for the step functions (run.c). */
const char *wf_param(const struct wf_run *r, const char *key);
const char *wf_record_get(const struct wf_run *r, const char *key);
void wf_record_set(struct wf_run *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const struct snapshot *wf_snap(const struct wf_run *r, int node);
const char *wf_node_name(const struct wf_run *r, int node);
int wf_resolve(const struct wf_run *r, enum wf_node n);
/* One timestamped line in the run's journal, on disk before it returns. */
void wf_journal(struct wf_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
