/* Reading a flight recording (src/model/recorder.h, doc/recording.md): one file
 * or a directory of segments, merged into one timeline of frames; a cursor
 * that rebuilds every node's snapshot at any moment; the event timeline
 * with, per VHID, who was MASTER and the intervals with none or two. */
#ifndef CARPTOP_REPLAY_H
#define CARPTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "eventlog.h"
#include "recfmt.h"
#include "snapshot.h"

struct rec_frame {
	double t;                /* wall clock seconds */
	char type;               /* REC_KEY, REC_DELTA, REC_ACTION */
	int cluster;             /* index into recording.cfg.clusters; -1 for an action of another cluster */
	int node;                /* 0/1; -1 for actions */
	size_t run;              /* the run (header) it belongs to: its delta base */
	int run_cluster;         /* the cluster's index within its run */
	const uint8_t *body;     /* fields (snapshots) or the audit line (actions) */
	size_t len;
	size_t seq;              /* file order, to keep equal times in order */
};

struct rec_run {
	double t0;               /* wall clock of its header: frame times are offsets to it */
	size_t n;                /* clusters in the header */
	int *map;                /* run cluster -> recording cluster */
};

struct recording {
	struct config cfg;       /* the clusters recorded (names, nodes, intervals) */
	struct rec_frame *frames;
	size_t n_frames;
	struct rec_run *runs;
	size_t n_runs;
	uint8_t **files;         /* file contents the frames point into */
	size_t n_files;
	unsigned long torn;      /* segments that ended in a torn record */
	unsigned long bad;       /* records skipped for a CRC or framing error */
	unsigned long dropped;   /* deltas without a base after a skipped record */
	double first, last;      /* time of the first and last frame */
};

/* Load a recording file or every segment of a directory. -1 with *cause. */
int recording_open(struct recording *R, const char *path, char **cause);
void recording_free(struct recording *R);

/* Every node's state at a moment, rebuilt by applying frames in order. */
struct replay_cursor {
	const struct recording *R;
	size_t pos;                  /* frames [0, pos) are applied */
	struct rec_fields *ctx;      /* per run, cluster and node: the decoder's base */
	size_t *ctx_off;             /* per run: its first ctx index */
	struct snapshot *snap;       /* per recording cluster and node */
	bool *have;
	double t;                    /* the moment shown */
};
void replay_cursor_init(struct replay_cursor *c, const struct recording *R);
void replay_cursor_free(struct replay_cursor *c);
/* Apply the next frame; returns it (NULL at the end). */
const struct rec_frame *replay_step(struct replay_cursor *c);
/* Go to moment t: every frame at or before t applied, none after. */
void replay_seek(struct replay_cursor *c, double t);

/* The timeline: what changed, node by node (evlog_diff's events, and the
 * audit log's actions), and per VHID of each cluster the intervals of one
 * MASTER, none, two, or nothing known (no node answering). */
enum vhid_state { VS_MASTER = 0, VS_NO_MASTER, VS_SPLIT_BRAIN, VS_UNKNOWN };
const char *vhid_state_name(enum vhid_state s); /* "master", "no-master", "split-brain", "unknown" */

struct rec_event {
	struct event e;          /* node "" for a pair-level change of a VHID */
	const char *kind;        /* event_kind_name, or "vhid" for the pair level */
};
struct rec_interval {
	int cluster, vhid;
	enum vhid_state state;
	int master;              /* VS_MASTER: the node index */
	double start, end;
	bool open;               /* still so when the recording ends */
};
/* A node that did not answer, from the first failed poll to the next good one. */
struct rec_outage {
	int cluster, node;
	double start, end;
	bool open;
	char error[SNAP_MSG_LEN];
};
struct replay_timeline {
	struct rec_event *ev;
	size_t n_ev;
	struct rec_interval *iv;
	size_t n_iv;
	struct rec_outage *out;
	size_t n_out;
};
/* Who is MASTER of each VHID of a pair, judged from both nodes' latest
 * snapshots; shared by the timeline and the live console's event log. */
struct vhid_track {
	int cluster, vhid;
	enum vhid_state state;
	int master;              /* VS_MASTER: the node index */
	double since;
};
struct vhid_watch {
	struct vhid_track *vt;
	size_t n, cap;
};
/* A change for one VHID: `was` is NULL the first time the VHID is judged;
 * `text` says it for a person ("VHID 3: MASTER on fw1 and fw2 (split
 * brain) (was MASTER on fw1 for 12.000 s)"). */
typedef void vhid_change_fn(void *ctx, const struct vhid_track *was, const struct vhid_track *now, const char *text);
void vhid_watch_judge(struct vhid_watch *w, const struct cluster_conf *cc, int cluster,
		      const struct snapshot *const s[CLUSTER_NODES], double t, vhid_change_fn *fn, void *ctx);
void vhid_watch_free(struct vhid_watch *w);

void replay_timeline_build(struct replay_timeline *tl, const struct recording *R);
void replay_timeline_free(struct replay_timeline *tl);
/* Time of the first event after / the last before t, or -1. */
double replay_next_event(const struct replay_timeline *tl, double t);
double replay_prev_event(const struct replay_timeline *tl, double t);

/* Parse a --at/--since/--until TIME: ISO 8601 ("2026-12-02T03:12:00[.mmm]",
 * local time unless it ends in Z or +HH:MM) or HH:MM[:SS] today (local).
 * `now` says what today is. Returns 0, or -1 with *cause. */
int replay_parse_time(const char *s, double now, double *out, char **cause);
/* "2026-12-02 03:12:00.123" in local time. */
void replay_format_time(double t, char *dst, size_t n);

/* What --batch --replay prints. */
int replay_batch_at(const struct recording *R, double at, int format, FILE *out);
int replay_batch_events(const struct recording *R, double since, double until, bool json, FILE *out);

#endif
