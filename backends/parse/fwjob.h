/* Following one firmware update the way OPNsense runs it (opnsense/core
 * src/opnsense/scripts/firmware/: launcher.sh, update.sh, config.sh). Pure
 * logic, fed what a transport read from the node; used by the api and ssh
 * transports alike.
 *
 * What the node does, and why the obvious signals lie:
 *  - `configctl firmware update` starts launcher.sh under `flock -n` on
 *    /tmp/pkg_upgrade.progress: when a check (cron, GUI) holds the lock,
 *    the update silently never starts.
 *  - Until update.sh truncates it (config.sh output_request), that file
 *    still holds the previous job's log, which also ends in ***DONE***.
 *    The new log starts "***GOT REQUEST TO UPDATE***" and
 *    "Currently running OPNsense <v> at <date>" by the node's clock: only a
 *    log whose date is not older than the request is this job's.
 *  - The core package is replaced first: the version reads new long
 *    before base and kernel are installed and the box reboots.
 *  - "Partial update failure detected" (or "safety violation") and still
 *    ***DONE***: a failed update that looks finished.
 *  - ***REBOOT***, then rc.reboot seconds later; after the reboot /tmp is
 *    empty (a copy stays in /var/cache/opnsense-update/.update.log) and
 *    kern.boottime is new.
 *
 * Times are the node's own wall clock as it prints it ("Wed Dec  2
 * 16:42:44 UTC 2026", date(1) and PHP's "D M j G:i:s T Y" alike), read as
 * naive seconds: every time compared comes from the same node and zone. */
#ifndef CARPTOP_FWJOB_H
#define CARPTOP_FWJOB_H

#include <stdbool.h>
#include <stddef.h>

enum fwjob_state {
	FWJ_NONE = 0,       /* nothing followed */
	FWJ_REQUESTED,      /* sent; the log is still the previous job's */
	FWJ_RUNNING,        /* this job's log, no end marker yet */
	FWJ_REBOOT_PENDING, /* ***REBOOT*** in this job's log: the node goes down in seconds */
	FWJ_REBOOTING,      /* unreachable after the request */
	FWJ_REBOOTED,       /* back with a new kern.boottime: finished */
	FWJ_DONE,           /* ***DONE*** and `firmware running` says ready: finished, no reboot */
	FWJ_FAILED,         /* the log says the update failed */
	FWJ_NOT_STARTED,    /* still the old log after the bounded wait (lock held?) */
};
const char *fwjob_state_name(enum fwjob_state s); /* "requested", "running", ... */
/* A finished state: nothing will change any more without a new request. */
bool fwjob_final(enum fwjob_state s);

/* "Wed Dec  2 16:42:44 UTC 2026" (the zone word is skipped) as naive
 * seconds, or -1 when it is not such a date. */
long long fwjob_parse_time(const char *s);

/* What one read of the progress log says. */
struct fwjob_log {
	bool request;          /* first line is ***GOT REQUEST TO ...*** */
	long long started;     /* the "Currently running ... at <date>" date, -1 if none */
	bool reboot, done;     /* ***REBOOT***, ***DONE*** lines */
	bool failed;
	char fail_line[160];   /* the failure line, as the node printed it */
};
void fwjob_log_scan(const char *log, struct fwjob_log *out);

/* What a transport read at one poll. */
struct fwjob_obs {
	bool reachable;
	const char *log;       /* `configctl firmware status` / upgradestatus log; NULL: not read */
	int running;           /* `configctl firmware running`: 1 busy, 0 ready, -1 not read */
	long long boottime;    /* kern.boottime (any stable number), -1 not read */
	double now;            /* local monotonic seconds */
};

struct fwjob {
	enum fwjob_state state;
	long long req_time;    /* node clock when the request was sent, -1 unknown */
	long long boottime;    /* kern.boottime at the request, -1 unknown */
	double req_at;         /* local monotonic seconds of the request */
	double start_wait_s;   /* how long an old log may stay before FWJ_NOT_STARTED */
	bool went_down;        /* unreachable since the request */
	char detail[200];      /* what the last observation showed, for a person */
};

/* The request was sent at node time `req_time` (-1: unknown, then any new
 * request log counts), with kern.boottime `boottime`. */
void fwjob_start(struct fwjob *j, long long req_time, long long boottime, double now, double start_wait_s);
/* Feed one observation; returns the new state (also j->state). Final
 * states stay. */
enum fwjob_state fwjob_observe(struct fwjob *j, const struct fwjob_obs *o);

#endif
