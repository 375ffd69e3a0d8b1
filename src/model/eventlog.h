/* The console's event log: what changed between consecutive snapshots of a
 * node (CARP role per VHID, demotion, maintenance, net.inet.carp.allow,
 * reachability), with the time it was seen. A bounded ring: the oldest
 * events fall off. Pure data, no curses. */
#ifndef CARPTOP_EVENTLOG_H
#define CARPTOP_EVENTLOG_H

#include <stddef.h>

#include "pair.h"
#include "snapshot.h"

enum event_kind {
	EV_FIRST_POLL = 0,  /* the first answer (or failure) the console saw */
	EV_UNREACHABLE,
	EV_REACHABLE,
	EV_ROLE,            /* a VHID's CARP status changed */
	EV_VHID_ADDED,
	EV_VHID_REMOVED,
	EV_DEMOTION,
	EV_MAINTENANCE,
	EV_ALLOW,
	EV_ACTION,          /* an action the operator ran, and its result */
	EV_STREAM,          /* a node's CARP change stream went up or dropped */
};
const char *event_kind_name(enum event_kind k); /* "role", "demotion", ... */

#define EVENT_TEXT_LEN 256

struct event {
	double t;                    /* wall clock seconds */
	enum event_kind kind;
	enum severity severity;      /* how the log colours it */
	int vhid;                    /* EV_ROLE / EV_VHID_*: the VHID, else 0 */
	char cluster[64];
	char node[64];
	char text[EVENT_TEXT_LEN];   /* inert, for a person: "VHID 3 BACKUP -> MASTER" */
};

struct evlog {
	struct event *ev;            /* ring of cap entries */
	size_t cap, n, head;         /* head: index of the oldest */
	unsigned long total;         /* events ever added (the screen notices new ones) */
};

void evlog_init(struct evlog *l, size_t cap);
void evlog_free(struct evlog *l);
size_t evlog_count(const struct evlog *l);
/* Event i, 0 = oldest kept. */
const struct event *evlog_get(const struct evlog *l, size_t i);
/* Add one (text is made inert). */
void evlog_add(struct evlog *l, double t, enum event_kind kind, enum severity sev, const char *cluster,
	       const char *node, int vhid, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* Log what differs from `prev` (NULL: the node's first snapshot) to `cur`.
 * Role changes are compared only while both were reachable; after an outage
 * the roles are logged as they are now. Returns the number of events added. */
int evlog_diff(struct evlog *l, double t, const char *cluster, const char *node,
	       const struct snapshot *prev, const struct snapshot *cur);

#endif
