/* The flight recorder: every poll result of every node (and every audit log
 * line) appended to a compact recording (doc/recording.md). One segment per
 * local day and process under $XDG_STATE_HOME/carptop/recordings, locked
 * while written; old segments pruned by age and by a size budget. No curses,
 * no sockets. */
#ifndef CARPTOP_RECORDER_H
#define CARPTOP_RECORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"

struct recorder;

struct recorder_opts {
	const char *file;        /* --record FILE: this file (appended), no rotation or pruning */
	const char *dir;         /* else this directory (NULL: the state directory's recordings/) */
	double retention_days;   /* segments older than this are removed (0: default 7) */
	double budget_bytes;     /* all segments together at most this (0: default 16 MB per cluster) */
	unsigned key_every;      /* a full snapshot every N records of a node (0: default 300) */
	double (*clock)(void);   /* wall clock for rotation and actions (NULL: wall_s); benchmarks fake it */
};

/* Start recording clusters[0..n). NULL with *cause when nothing can be written. */
struct recorder *recorder_open(const struct cluster_conf *const *clusters, size_t n, const struct recorder_opts *o,
			       char **cause);
/* Append a node's poll result (unchanged fields are not stored again). */
void recorder_snapshot(struct recorder *r, size_t cluster, int node, const struct snapshot *s);
/* Append new lines of the audit log (called after each snapshot too). */
void recorder_poll_audit(struct recorder *r);
void recorder_close(struct recorder *r);

/* The segment being written. */
const char *recorder_path(const struct recorder *r);
/* Why recording stopped (a write failed, the budget is used up), or NULL. */
const char *recorder_error(const struct recorder *r);
/* Bytes written to the current segment, records written overall. */
size_t recorder_bytes(const struct recorder *r);
unsigned long recorder_records(const struct recorder *r);

#define RECORDER_DEFAULT_DAYS 7
#define RECORDER_DEFAULT_MB_PER_CLUSTER 16

#endif
