/* The console on a recording (carptop --replay PATH): the same screens over
 * an app without backends whose snapshots come from the recording's cursor
 * (src/app/replay.h), read-only, with a time bar in the status line and keys to
 * move through time: , . previous/next event, t a time, + - speed, space
 * play/pause. The event log shows the recording's timeline up to the moment
 * shown. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "ui_int.h"
#include "util.h"

#define PLAY_TICK_MS 100
#define REPLAY_LOG_SIZE 2000 /* events the log screen keeps, as live */

static const double speeds[] = { 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 600, 3600 };

struct ui_replay {
	struct recording R;
	struct replay_cursor cur;
	struct replay_timeline tl;
	double t;                 /* the moment shown */
	double start;             /* where the replay begins: once both nodes have answered */
	size_t applied;           /* cursor position the app's snapshots are from */
	bool synced;
	bool playing;
	int speed;                /* index into speeds */
	size_t log_upto;          /* timeline events in the console's log */
	uint64_t timer;
	bool timer_on;
	bool typing;              /* `t`: a time being typed */
	char entry[64];
	size_t entry_len;
};

double ui_now(const struct ui *u)
{
	return u->replay ? u->replay->t : wall_s();
}

/* The console's log: the timeline's events up to the moment shown. */
static void sync_log(struct ui *u)
{
	struct ui_replay *rp = u->replay;
	size_t n = 0, i;
	while (n < rp->tl.n_ev && rp->tl.ev[n].e.t <= rp->t)
		n++;
	if (n == rp->log_upto)
		return;
	evlog_free(&u->log);
	evlog_init(&u->log, REPLAY_LOG_SIZE);
	for (i = n > REPLAY_LOG_SIZE ? n - REPLAY_LOG_SIZE : 0; i < n; i++) {
		const struct event *e = &rp->tl.ev[i].e;
		evlog_add(&u->log, e->t, e->kind, e->severity, e->cluster, e->node[0] ? e->node : "-", e->vhid, "%s",
			  e->text);
	}
	rp->log_upto = n;
}

/* Show moment t: the cursor there, its snapshots in the app's nodes. */
static void show(struct ui *u, double t)
{
	struct ui_replay *rp = u->replay;
	struct app *a = u->a;
	size_t c;
	int n;
	if (t < rp->start)
		t = rp->start;
	if (t > rp->R.last)
		t = rp->R.last;
	rp->t = t;
	a->clock_at = t;
	replay_seek(&rp->cur, t);
	if (!rp->synced || rp->cur.pos != rp->applied) {
		for (c = 0; c < a->n_clusters; c++)
			for (n = 0; n < CLUSTER_NODES; n++) {
				struct app_node *an = &a->clusters[c].node[n];
				size_t g = c * CLUSTER_NODES + (size_t)n;
				snapshot_clear(&an->snap);
				if (rp->cur.have[g]) {
					snapshot_copy(&an->snap, &rp->cur.snap[g]);
					an->have_snapshot = true;
					an->last_ok = an->snap.reachable ? an->snap.taken : an->last_ok;
				} else {
					snapshot_set_error(&an->snap, NERR_NOT_POLLED, "not recorded before this moment");
					an->have_snapshot = false;
				}
			}
		rp->applied = rp->cur.pos;
		rp->synced = true;
	}
	u->last_update = t;
	sync_log(u);
	u->dirty |= R_REFRESH;
}

static void on_play(void *arg)
{
	struct ui *u = arg;
	struct ui_replay *rp = u->replay;
	rp->timer = loop_timer_add(u->loop, PLAY_TICK_MS, on_play, u);
	if (!rp->playing)
		return;
	show(u, rp->t + PLAY_TICK_MS / 1000.0 * speeds[rp->speed]);
	if (rp->t >= rp->R.last) {
		rp->playing = false;
		ui_status(u, TP_STATUS, 5, "end of the recording");
	}
}

void replay_ui_attach(struct ui *u)
{
	struct ui_replay *rp = u->replay;
	rp->speed = 2; /* 1x */
	show(u, rp->start);
	rp->timer = loop_timer_add(u->loop, PLAY_TICK_MS, on_play, u);
	rp->timer_on = true;
}

void replay_ui_detach(struct ui *u)
{
	if (u->replay->timer_on)
		loop_timer_cancel(u->loop, u->replay->timer);
	u->replay->timer_on = false;
}

void replay_ui_draw_bar(struct ui *u, int y)
{
	struct ui_replay *rp = u->replay;
	char when[40], speed[16], text[200];
	double span = rp->R.last - rp->R.first, frac = span > 0 ? (rp->t - rp->R.first) / span : 1;
	int x, w, fill, i;
	attr_t a = ui_attr(u, TP_STATUS), label = ui_attr(u, TP_LABEL);

	if (rp->typing) {
		str_printf(text, sizeof(text), "go to time (ISO 8601 or HH:MM[:SS], Enter/Esc): %s_", rp->entry);
		draw_text(u, y, 0, u->cols, ui_attr(u, TP_WARNING) | A_REVERSE, text);
		return;
	}
	replay_format_time(rp->t, when, sizeof(when));
	if (speeds[rp->speed] < 1)
		str_printf(speed, sizeof(speed), "x%.2g", speeds[rp->speed]);
	else
		str_printf(speed, sizeof(speed), "x%.0f", speeds[rp->speed]);
	x = draw_text(u, y, 0, u->cols, a | A_BOLD | A_REVERSE, "REPLAY");
	x += draw_textf(u, y, x, u->cols - x, a | A_BOLD, " %s ", when);
	w = u->cols - x - 44;
	if (w > 60)
		w = 60;
	if (w >= 10) {
		fill = (int)lround(frac * (w - 2));
		x += draw_text(u, y, x, 1, label, "[");
		for (i = 0; i < w - 2; i++)
			x += draw_text(u, y, x, 1, i < fill ? a | A_REVERSE : label, i < fill ? "#" : "-");
		x += draw_text(u, y, x, 1, label, "]");
	}
	x += draw_textf(u, y, x, u->cols - x, a, " %s %s", speed, rp->playing ? "playing" : "paused");
	draw_text(u, y, x, u->cols - x, label, "  , . event  t time  + - speed  Space play");
}

static void jump_event(struct ui *u, bool next)
{
	struct ui_replay *rp = u->replay;
	double t = next ? replay_next_event(&rp->tl, rp->t) : replay_prev_event(&rp->tl, rp->t);
	rp->playing = false;
	if (t < 0) {
		ui_status(u, TP_STATUS, 4, next ? "no later event" : "no earlier event");
		return;
	}
	show(u, t);
}

unsigned replay_ui_key(struct ui *u, enum ui_cmd cmd)
{
	struct ui_replay *rp = u->replay;
	if (!rp) {
		ui_status(u, TP_STATUS, 4, "that key moves through a recording: carptop --replay PATH");
		return R_BAR;
	}
	switch (cmd) {
	case UC_REPLAY_PREV:
		jump_event(u, false);
		break;
	case UC_REPLAY_NEXT:
		jump_event(u, true);
		break;
	case UC_REPLAY_TIME:
		rp->typing = true;
		rp->entry[0] = '\0';
		rp->entry_len = 0;
		break;
	case UC_REPLAY_FASTER:
		if (rp->speed + 1 < (int)ARRAY_LEN(speeds))
			rp->speed++;
		break;
	case UC_REPLAY_SLOWER:
		if (rp->speed > 0)
			rp->speed--;
		break;
	default:
		if (!rp->playing && rp->t >= rp->R.last)
			show(u, rp->start); /* at the end: play from the start */
		rp->playing = !rp->playing;
		break;
	}
	return R_REFRESH | R_BAR;
}

bool replay_ui_typing(const struct ui *u)
{
	return u->replay && u->replay->typing;
}

unsigned replay_ui_type(struct ui *u, int key)
{
	struct ui_replay *rp = u->replay;
	char *cause = NULL;
	double t;
	switch (key) {
	case KEYC_ESC:
		rp->typing = false;
		return R_BAR;
	case KEYC_BACKSPACE:
		if (rp->entry_len)
			rp->entry[--rp->entry_len] = '\0';
		return R_BAR;
	case KEYC_ENTER:
		rp->typing = false;
		/* HH:MM means that time on the day shown, not on today's. */
		if (replay_parse_time(rp->entry, rp->t, &t, &cause) < 0) {
			ui_status(u, TP_WARNING, 8, "%s", cause);
			free(cause);
			return R_BAR;
		}
		rp->playing = false;
		if (t < rp->start || t > rp->R.last)
			ui_status(u, TP_WARNING, 6, "%s is outside the recording: showing its %s", rp->entry,
				  t < rp->R.first ? "start" : "end");
		show(u, t);
		return R_REFRESH | R_BAR;
	default:
		if (key >= ' ' && key < 0x7f && rp->entry_len + 1 < sizeof(rp->entry)) {
			rp->entry[rp->entry_len++] = (char)key;
			rp->entry[rp->entry_len] = '\0';
		}
		return R_BAR;
	}
}

/* The first moment every node has answered once (a node that never does
 * within an interval of the start is shown as not recorded). */
static double first_round(const struct recording *R)
{
	size_t i, seen = 0, want = R->cfg.n_clusters * CLUSTER_NODES;
	bool *have = xcalloc(want + 1, sizeof(*have));
	double t = R->first, limit = R->first;
	for (i = 0; i < R->cfg.n_clusters; i++)
		if (R->first + R->cfg.clusters[i].interval > limit)
			limit = R->first + R->cfg.clusters[i].interval;
	for (i = 0; i < R->n_frames && seen < want && R->frames[i].t <= limit; i++) {
		const struct rec_frame *f = &R->frames[i];
		size_t g;
		if (f->node < 0)
			continue;
		g = (size_t)f->cluster * CLUSTER_NODES + (size_t)f->node;
		if (!have[g]) {
			have[g] = true;
			seen++;
			t = f->t;
		}
	}
	free(have);
	return t;
}

/* ---- live: the same per-VHID judgement in the console's event log ---- */

static void live_vhid_event(void *ctx, const struct vhid_track *was, const struct vhid_track *now, const char *text)
{
	struct ui *u = ctx;
	evlog_add(&u->log, now->since, EV_ROLE, now->state == VS_MASTER ? SEV_INFO : SEV_CRITICAL,
		  u->a->clusters[now->cluster].conf->name, "-", now->vhid, "%s", text);
	(void)was;
}

/* Both nodes are polled together: judge the pair when the two last answers
 * are of one round (within a quarter interval), or when the other node's is
 * too old to be paired (it hangs): never between the two answers of a flip. */
void ui_live_vhids(struct ui *u, size_t c)
{
	struct ui_cluster *uc = &u->cl[c];
	const struct snapshot *s[CLUSTER_NODES] = { &uc->prev[0], &uc->prev[1] };
	double iv = u->a->clusters[c].conf->interval, d;
	if (!uc->have_prev[0] || !uc->have_prev[1])
		return;
	d = s[0]->taken > 0 && s[1]->taken > 0 ? fabs(s[0]->taken - s[1]->taken) : 0;
	if (d > iv / 4 && d < 1.5 * iv)
		return;
	if (!u->vhids)
		u->vhids = xcalloc(1, sizeof(*u->vhids));
	vhid_watch_judge(u->vhids, u->a->clusters[c].conf, (int)c, s, wall_s(), live_vhid_event, u);
}

void ui_live_vhids_free(struct ui *u)
{
	if (u->vhids)
		vhid_watch_free(u->vhids);
	free(u->vhids);
	u->vhids = NULL;
}

/* An app over the recording's clusters with no backend: nothing to poll,
 * nothing that could change a node. */
/* --replay: open the recording and make a read-only app of its clusters, no
 * backends, for the console to show (ui.c runs it). NULL with *rc the exit
 * status when the recording cannot be replayed (said on stderr). */
struct ui_replay *replay_ui_open(const struct cli *o, struct app *a, int *rc)
{
	struct ui_replay *rp = xcalloc(1, sizeof(*rp));
	char *cause = NULL;
	size_t i;
	int n;

	*rc = 3;
	if (recording_open(&rp->R, o->replay, &cause) < 0) {
		fprintf(stderr, "carptop: --replay: %s\n", cause);
		free(cause);
		free(rp);
		return NULL;
	}
	if (!rp->R.n_frames) {
		fprintf(stderr, "carptop: --replay: %s holds no poll yet\n", o->replay);
		recording_free(&rp->R);
		free(rp);
		return NULL;
	}
	replay_cursor_init(&rp->cur, &rp->R);
	replay_timeline_build(&rp->tl, &rp->R);
	rp->start = first_round(&rp->R);
	memset(a, 0, sizeof(*a));
	a->cfg = &rp->R.cfg;
	a->loop = loop_new();
	a->read_only = true;
	a->n_clusters = rp->R.cfg.n_clusters;
	a->clusters = xcalloc(a->n_clusters, sizeof(*a->clusters));
	for (i = 0; i < a->n_clusters; i++) {
		a->clusters[i].app = a;
		a->clusters[i].conf = &rp->R.cfg.clusters[i];
		for (n = 0; n < CLUSTER_NODES; n++) {
			a->clusters[i].node[n].cluster = &a->clusters[i];
			a->clusters[i].node[n].index = n;
			snapshot_init(&a->clusters[i].node[n].snap);
		}
	}
	*rc = 0;
	return rp;
}

void replay_ui_close(struct ui_replay *rp, struct app *a)
{
	struct loop *loop = a->loop;
	app_free(a); /* no backends: frees the nodes' snapshots and the clusters */
	loop_free(loop);
	replay_timeline_free(&rp->tl);
	replay_cursor_free(&rp->cur);
	recording_free(&rp->R);
	free(rp);
}
