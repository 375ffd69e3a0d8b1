#include "app.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backend.h"
#include "confcache.h"
#include "view.h"
#include "recorder.h"
#include "sim/sim_backend.h"
#include "util.h"

/* config.xml reads at a time, over the whole fleet. Each holds the text
 * in flight (up to megabytes), and its parse a tree about 10 times that
 * until it is slimmed (src/checks/confslim.h): at startup every node wants
 * its config at once, and the peak memory is what this allows. */
#define APP_CONFIG_READS_MAX 4

/* Read config.xml again when the node says it changed (confcache.h). */
static void config_maybe_read(struct app_node *n, const struct snapshot *s)
{
	struct app *a = n->cluster->app;
	if (!n->backend || !n->backend->ops->config_start)
		return;
	if (!n->config)
		n->config = xcalloc(1, sizeof(*n->config));
	if (!conf_cache_wanted(n->config, s, wall_s()))
		return;
	if (a->config_reads >= APP_CONFIG_READS_MAX) {
		a->config_deferred = true; /* started when a read ends (config_next) */
		return;
	}
	conf_cache_begin(n->config, s);
	a->config_reads++;
	if (backend_config(n->backend) < 0) {
		n->config->pending = false;
		a->config_reads--;
	}
}

/* A read ended: start the peer's (its text is held until then), else
 * whichever node waits first. */
static void config_next(struct app *a, struct app_node *peer)
{
	size_t i;
	int n;
	if (peer->have_snapshot)
		config_maybe_read(peer, &peer->snap);
	if (!a->config_deferred)
		return;
	a->config_deferred = false;
	/* Every node is asked: past the limit, one that still waits marks
	 * config_deferred again. */
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			if (a->clusters[i].node[n].have_snapshot)
				config_maybe_read(&a->clusters[i].node[n], &a->clusters[i].node[n].snap);
}

/* The engine's runs first (they decide), then the front end (it draws). */
static void notify_update(struct app *a, struct app_cluster *c, int node)
{
	struct app_listener *l, *next;
	for (l = a->listeners; l; l = next) {
		next = l->next;
		if (l->on_update)
			l->on_update(l, (size_t)(c - a->clusters), node);
	}
	if (a->on_update)
		a->on_update(a, c, node, a->ctx);
}

static void on_config(struct backend *b, const char *xml, size_t len, void *ctx)
{
	struct app_node *n = ctx;
	struct app *a = n->cluster->app;
	char source[128];
	struct app_node *peer = &n->cluster->node[1 - n->index];
	if (!n->config)
		n->config = xcalloc(1, sizeof(*n->config));
	if (n->config->pending && a->config_reads > 0)
		a->config_reads--;
	str_printf(source, sizeof(source), "%s:/conf/config.xml", b->conf->name);
	conf_cache_store(n->config, xml, len, source, wall_s());
	/* Keep of the tree only what the checks and the drift need; the
	 * peer reads again at once when its slim config lacks a section that
	 * differs (a one-shot --batch waits for that read too). Until the
	 * peer's first config is in, this one's text is held. */
	conf_cache_slim(n->config, peer->config, xml, len,
			peer->backend && peer->backend->ops->config_start && (!peer->have_snapshot || peer->snap.reachable));
	config_next(a, peer);
	notify_update(a, n->cluster, n->index);
}

static bool stream_reapply(struct app_node *n);
static void stream_poll_done(struct app_node *n, bool triggered);

static void on_snapshot(struct backend *b, const struct snapshot *s, void *ctx)
{
	struct app_node *n = ctx;
	struct app *a = n->cluster->app;
	bool triggered = n->poll_triggered;
	n->poll_triggered = false;
	snapshot_copy(&n->snap, s);
	n->have_snapshot = true;
	n->polls++;
	if (s->reachable)
		n->last_ok = s->taken;
	stream_reapply(n);
	if (a->recorder)
		recorder_snapshot(a->recorder, (size_t)(n->cluster - a->clusters), n->index, &n->snap);
	config_maybe_read(n, s);
	notify_update(a, n->cluster, n->index);
	stream_poll_done(n, triggered);
}

/* ---- the CARP change stream ---- */

/* A change the stream reports is shown at once and polls both nodes of the
 * pair. Changes are gathered for APP_STREAM_COALESCE_MS (a flip is a line
 * per VHID per node); then the VHID states they carry are written into the
 * reporting node's snapshot (the kernel said so: it is the state now), and
 * every node that has not been polled since the first of them is polled.
 * A node whose poll was already running is polled once more when it
 * answers (that poll may have read it before the change), and until a poll
 * started after a change is in, the change is written over each poll's
 * result again, so that an older reading never flips the display back.
 * Every set of triggered polls that is in is shown once more. */
static void trigger_fire(void *arg);

static void trigger_arm(struct app_cluster *c)
{
	if (!c->trigger_timer)
		c->trigger_timer = loop_timer_add(c->app->loop, APP_STREAM_COALESCE_MS, trigger_fire, c);
}

static int node_poll(struct app_node *n)
{
	if (!n->backend || backend_poll(n->backend) < 0)
		return -1;
	n->poll_seq = n->cluster->change_seq;
	return 0;
}

static bool node_wanted(const struct app_node *n)
{
	return n->backend && n->poll_seq < n->cluster->change_seq;
}

/* Write the pending changes into the node's snapshot; drop those a poll
 * started after them has answered for. True when a status changed. */
static bool stream_reapply(struct app_node *n)
{
	bool changed = false;
	int i, k = 0;
	for (i = 0; i < n->n_pend; i++)
		if (n->pend[i].seq > n->poll_seq || n->poll_triggered || !n->have_snapshot)
			n->pend[k++] = n->pend[i];
	n->n_pend = k;
	if (!n->have_snapshot || !n->snap.reachable)
		return false;
	for (i = 0; i < n->n_pend; i++) {
		size_t r;
		for (r = 0; r < n->snap.n_vips; r++) {
			struct vip_row *v = &n->snap.vips[r];
			if (v->vhid != n->pend[i].vhid || v->mode != VIP_MODE_CARP)
				continue;
			if (n->pend[i].ifname[0] && v->ifdev[0] && !str_eq(v->ifdev, n->pend[i].ifname))
				continue;
			if (v->status != n->pend[i].status) {
				v->status = n->pend[i].status;
				changed = true;
			}
		}
	}
	return changed;
}

static void stream_poll_done(struct app_node *n, bool triggered)
{
	struct app_cluster *c = n->cluster;
	int k;
	if (node_wanted(n))
		trigger_arm(c);
	if (!triggered)
		return;
	for (k = 0; k < CLUSTER_NODES; k++)
		if (c->node[k].poll_triggered)
			return;
	c->stream_rounds++;
}

static void trigger_fire(void *arg)
{
	struct app_cluster *c = arg;
	struct app *a = c->app;
	bool shown = false;
	int k;
	c->trigger_timer = 0;
	for (k = 0; k < CLUSTER_NODES; k++) {
		struct app_node *n = &c->node[k];
		if (!stream_reapply(n))
			continue;
		if (a->recorder) {
			struct snapshot now;
			snapshot_init(&now);
			snapshot_copy(&now, &n->snap);
			now.taken = wall_s();
			recorder_snapshot(a->recorder, (size_t)(c - a->clusters), k, &now);
			snapshot_clear(&now);
		}
		notify_update(a, c, k);
		shown = true;
	}
	if (shown)
		c->stream_rounds++;
	for (k = 0; k < CLUSTER_NODES; k++) {
		struct app_node *n = &c->node[k];
		if (node_wanted(n) && node_poll(n) == 0)
			n->poll_triggered = true;
	}
}

/* Remember what a change line said (the newest word per VHID and
 * interface), for stream_reapply. */
static void stream_note(struct app_node *n, const struct stream_event *e)
{
	int i;
	if (e->vhid <= 0 || (e->status != CARP_ST_MASTER && e->status != CARP_ST_BACKUP && e->status != CARP_ST_INIT))
		return;
	for (i = 0; i < n->n_pend; i++)
		if (n->pend[i].vhid == e->vhid && str_eq(n->pend[i].ifname, e->ifname))
			break;
	if (i == n->n_pend) {
		if (n->n_pend == APP_STREAM_PENDING) {
			memmove(&n->pend[0], &n->pend[1], sizeof(n->pend[0]) * (APP_STREAM_PENDING - 1));
			i = APP_STREAM_PENDING - 1;
		} else {
			n->n_pend++;
		}
	}
	n->pend[i].seq = n->cluster->change_seq;
	n->pend[i].vhid = e->vhid;
	n->pend[i].status = e->status;
	str_copy(n->pend[i].ifname, e->ifname, sizeof(n->pend[i].ifname));
}

static void on_stream(struct backend *b, const struct stream_event *e, void *ctx)
{
	struct app_node *n = ctx;
	(void)b;
	app_stream_event(n->cluster->app, (size_t)(n->cluster - n->cluster->app->clusters), n->index, e);
}

void app_stream_event(struct app *a, size_t cluster, int node, const struct stream_event *e)
{
	struct app_cluster *c = &a->clusters[cluster];
	struct app_node *n = &c->node[node];
	enum app_stream was = n->stream;
	switch (e->kind) {
	case STREAM_CHANGE:
		n->stream_changes++;
		c->change_seq++;
		stream_note(n, e);
		trigger_arm(c);
		return;
	case STREAM_UP:
		n->stream = AS_UP;
		break;
	case STREAM_DOWN:
		n->stream = AS_DOWN;
		break;
	}
	str_copy(n->stream_text, e->text, sizeof(n->stream_text));
	if (n->stream == was && e->kind == STREAM_DOWN)
		return; /* still down: said already */
	if (a->on_stream)
		a->on_stream(a, c, n->index, a->ctx);
}

void app_stream_start(struct app *a)
{
	size_t i;
	int k;
	for (i = 0; i < a->n_clusters; i++) {
		struct app_cluster *c = &a->clusters[i];
		if (!c->conf->stream)
			continue;
		for (k = 0; k < CLUSTER_NODES; k++) {
			struct app_node *n = &c->node[k];
			if (!n->backend || n->stream != AS_OFF || !n->backend->ops->stream_start)
				continue;
			n->backend->on_stream = on_stream;
			n->stream = AS_STARTING;
			if (backend_stream(n->backend) < 0)
				n->stream = AS_OFF;
		}
	}
}

void app_stream_describe(const struct app_node *n, char *dst, size_t size)
{
	const char *name = n->cluster->conf->nodes[n->index].name;
	switch (n->stream) {
	case AS_UP:
		str_printf(dst, size, "CARP stream to %s up (%s)", name, n->stream_text);
		break;
	case AS_DOWN:
		str_printf(dst, size, "CARP stream to %s dropped; polling only (%s)", name, n->stream_text);
		break;
	case AS_STARTING:
		str_printf(dst, size, "CARP stream to %s starting", name);
		break;
	case AS_OFF:
		str_printf(dst, size, "no CARP stream to %s", name);
		break;
	}
}

static void on_action(struct backend *b, const struct action *act, const struct action_result *r, void *ctx)
{
	struct app_node *n = ctx;
	struct app *a = n->cluster->app;
	struct app_listener *l, *next;
	audit_log(n->cluster->conf->name, b->conf->name, action_name(act->kind),
		  r->err == NERR_NONE ? "ok" : "failed", r->message);
	for (l = a->listeners; l; l = next) {
		next = l->next;
		if (l->on_action)
			l->on_action(l, (size_t)(n->cluster - a->clusters), n->index, act, r);
	}
	if (a->on_action)
		a->on_action(a, n->cluster, n->index, act, r, a->ctx);
}

int app_init(struct app *a, struct config *cfg, struct loop *loop, struct sim_world *world,
	     const char *only_cluster, bool read_only, char **cause)
{
	size_t i, k = 0;
	int n;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->loop = loop;
	a->world = world;
	a->read_only = read_only;
	a->clusters = xcalloc(cfg->n_clusters ? cfg->n_clusters : 1, sizeof(*a->clusters));
	for (i = 0; i < cfg->n_clusters; i++) {
		struct app_cluster *c;
		if (only_cluster && !str_eq(cfg->clusters[i].name, only_cluster))
			continue;
		c = &a->clusters[k++];
		c->app = a;
		c->conf = &cfg->clusters[i];
		for (n = 0; n < CLUSTER_NODES; n++) {
			struct app_node *an = &c->node[n];
			char *why = NULL;
			an->cluster = c;
			an->index = n;
			snapshot_init(&an->snap);
			if (c->conf->nodes[n].transport == TRANSPORT_SIM)
				an->backend = sim_backend_new(world, &c->conf->nodes[n], loop, (int)i, n, &why);
			else
				an->backend = backend_new(&c->conf->nodes[n], loop, &why);
			if (!an->backend) {
				snapshot_set_error(&an->snap, NERR_CONFIG, "%s", why);
				an->have_snapshot = true;
				free(why);
				continue;
			}
			an->backend->read_only = read_only;
			an->backend->on_snapshot = on_snapshot;
			an->backend->on_action = on_action;
			an->backend->on_config = on_config;
			an->backend->ctx = an;
		}
	}
	a->n_clusters = k;
	if (only_cluster && k == 0) {
		struct strbuf sb;
		sb_init(&sb);
		sb_printf(&sb, "no cluster named '%s' in %s; configured:", only_cluster, cfg->path);
		for (i = 0; i < cfg->n_clusters; i++)
			sb_printf(&sb, " %s", cfg->clusters[i].name);
		*cause = sb_steal(&sb);
		app_free(a);
		return -1;
	}
	return 0;
}

void app_free(struct app *a)
{
	size_t i;
	int n;
	for (i = 0; i < a->n_clusters; i++) {
		struct app_cluster *c = &a->clusters[i];
		if (c->scheduled)
			loop_timer_cancel(a->loop, c->timer);
		if (c->trigger_timer)
			loop_timer_cancel(a->loop, c->trigger_timer);
		config_result_free(c->config_result);
		free(c->config_result);
		for (n = 0; n < CLUSTER_NODES; n++) {
			backend_free(c->node[n].backend);
			snapshot_clear(&c->node[n].snap);
			conf_cache_free(c->node[n].config);
			free(c->node[n].config);
		}
	}
	free(a->clusters);
	memset(a, 0, sizeof(*a));
}

/* Poll both nodes; false when one still ran its last poll (skipped). */
static bool poll_cluster(struct app_cluster *c)
{
	bool all = true;
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		if (c->node[n].backend && node_poll(&c->node[n]) < 0)
			all = false; /* the last poll still runs: skip */
	return all;
}

/* The periodic ticks are on an absolute schedule, phase + k * interval,
 * so that the loop's own delays never add up and push a cluster's rounds
 * out of their interval. A tick more than a whole interval behind (a
 * stopped process) resumes at the next time of its phase. */
static void cluster_tick(void *arg);

static void schedule_at(struct app_cluster *c, double due)
{
	c->next_due = due;
	c->timer = loop_timer_add(c->app->loop, due - now_ms(), cluster_tick, c);
	c->scheduled = true;
}

static void cluster_tick(void *arg)
{
	struct app_cluster *c = arg;
	double iv = c->conf->interval * 1000.0, now = now_ms(), next;
	bool on_time = now - c->next_due <= iv * 0.1;
	c->scheduled = false;
	c->ticks++;
	if (!poll_cluster(c) || !on_time)
		c->late++;
	if (!c->app->polling)
		return;
	next = c->next_due + iv;
	if (next <= now)
		next += ceil((now - next) / iv) * iv;
	schedule_at(c, next);
}

bool app_spread(const struct app *a)
{
	return a->n_clusters > APP_SPREAD_MIN;
}

void app_schedule(struct app *a)
{
	double base = now_ms();
	size_t i;
	a->polling = true;
	for (i = 0; i < a->n_clusters; i++) {
		struct app_cluster *c = &a->clusters[i];
		double phase = app_spread(a) ? c->conf->interval * 1000.0 * (double)i / (double)a->n_clusters : 0;
		if (c->scheduled)
			loop_timer_cancel(a->loop, c->timer);
		c->scheduled = false;
		c->next_due = base + phase;
		if (phase > 0)
			schedule_at(c, c->next_due);
		else
			cluster_tick(c);
	}
}

void app_poll_all(struct app *a, bool periodic)
{
	size_t i;
	a->polling = periodic;
	for (i = 0; i < a->n_clusters; i++) {
		struct app_cluster *c = &a->clusters[i];
		if (c->scheduled && !periodic) {
			loop_timer_cancel(a->loop, c->timer);
			c->scheduled = false;
		}
		poll_cluster(c);
		if (periodic && !c->scheduled)
			schedule_at(c, now_ms() + c->conf->interval * 1000.0);
	}
}

unsigned app_rounds_late(const struct app *a)
{
	unsigned late = 0;
	size_t i;
	for (i = 0; i < a->n_clusters; i++)
		late += a->clusters[i].late;
	return late;
}

unsigned app_poll_node(struct app *a, size_t cluster, int node)
{
	struct app_node *an = &a->clusters[cluster].node[node];
	if (!an->backend)
		return an->polls;
	/* A poll already running may have started before the caller's change:
	 * then only the one after it counts as fresh. */
	if (node_poll(an) < 0)
		return an->polls + 1;
	return an->polls;
}

bool app_rounds_done(const struct app *a, unsigned rounds)
{
	size_t i;
	int n;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct app_node *an = &a->clusters[i].node[n];
			if (an->backend && an->polls < rounds)
				return false;
		}
	return true;
}

void app_expire_pending(struct app *a, double waited_s)
{
	size_t i;
	int n;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			struct app_node *an = &a->clusters[i].node[n];
			if (an->backend && !an->polls) {
				snapshot_clear(&an->snap);
				snapshot_set_error(&an->snap, NERR_TIMEOUT, "no answer within %.0f s", waited_s);
				an->have_snapshot = true;
			}
		}
}

bool app_config_pending(const struct app *a)
{
	size_t i;
	int n;
	if (a->config_deferred)
		return true; /* a read waits for a free place: it starts when one ends */
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++)
			if (a->clusters[i].node[n].config && a->clusters[i].node[n].config->pending)
				return true;
	return false;
}

void app_view(struct app *a, size_t i, struct pair_view *v)
{
	struct app_cluster *c = &a->clusters[i];
	struct view_node_src ns[CLUSTER_NODES];
	struct view_src src;
	int n;

	memset(&src, 0, sizeof(src));
	src.cluster = c->conf;
	src.hist = &c->hist;
	src.now = a->clock_at > 0 ? a->clock_at : wall_s();
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct app_node *an = &c->node[n];
		memset(&ns[n], 0, sizeof(ns[n]));
		ns[n].polled = an->have_snapshot;
		ns[n].last_ok = an->last_ok;
		ns[n].transport = an->backend != NULL;
		ns[n].transport_name = an->backend ? an->backend->ops->name : NULL;
		ns[n].reads_config = an->backend && an->backend->ops->config_start;
		ns[n].config = an->config;
		src.snap[n] = &an->snap;
		src.node[n] = &ns[n];
	}
	if (!c->config_result)
		c->config_result = xcalloc(1, sizeof(*c->config_result));
	src.config = c->config_result;
	view_build(v, &src);
}

unsigned app_mutations(const struct app *a)
{
	size_t i;
	int n;
	unsigned total = 0;
	for (i = 0; i < a->n_clusters; i++)
		for (n = 0; n < CLUSTER_NODES; n++) {
			const struct backend *b = a->clusters[i].node[n].backend;
			if (b && b->ops->mutations)
				total += b->ops->mutations(b);
		}
	return total;
}

void app_listen(struct app *a, struct app_listener *l)
{
	struct app_listener **p = &a->listeners;
	while (*p)
		p = &(*p)->next;
	l->next = NULL;
	*p = l;
}

void app_unlisten(struct app *a, struct app_listener *l)
{
	struct app_listener **p;
	for (p = &a->listeners; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			l->next = NULL;
			return;
		}
}

void app_fresh_request(struct app *a, size_t cluster, struct app_fresh *f)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++)
		f->want[n] = app_poll_node(a, cluster, n);
}

bool app_fresh_ready(const struct app *a, size_t cluster, const struct app_fresh *f)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct app_node *an = &a->clusters[cluster].node[n];
		/* A node without a transport never polls: its error is current. */
		if (an->backend && an->polls <= f->want[n])
			return false;
	}
	return true;
}

void app_fresh_nudge(struct app *a, size_t cluster, const struct app_fresh *f)
{
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct app_node *an = &a->clusters[cluster].node[n];
		if (an->backend && an->polls <= f->want[n])
			app_poll_node(a, cluster, n); /* -1 while one runs: it will do */
	}
}

/* ---- local trust ---------------------------------------------------- */

static struct backend *trust_backend(struct app *a, size_t cluster, int node, char **cause)
{
	struct backend *b;
	if (cluster >= a->n_clusters || node < 0 || node >= CLUSTER_NODES) {
		*cause = xstrdup("no such node");
		return NULL;
	}
	b = a->clusters[cluster].node[node].backend;
	if (a->read_only) {
		*cause = xstrdup("read-only: not changed");
		return NULL;
	}
	if (!backend_has_trust(b)) {
		*cause = xstrdup("not an ssh node");
		return NULL;
	}
	return b;
}

int app_node_passphrase(struct app *a, size_t cluster, int node, const char *passphrase, char **cause)
{
	struct backend *b = trust_backend(a, cluster, node, cause);
	if (!b || backend_set_passphrase(b, passphrase, cause) < 0)
		return -1;
	/* That it was entered, never what. */
	audit_log(a->clusters[cluster].conf->name, a->clusters[cluster].conf->nodes[node].name, "ssh-passphrase",
		  "entered", "identity file passphrase entered in the console (kept in memory only)");
	app_poll_node(a, cluster, node);
	return 0;
}

int app_node_accept_hostkey(struct app *a, size_t cluster, int node, const char *offer, char **cause)
{
	struct backend *b = trust_backend(a, cluster, node, cause);
	if (!b || backend_accept_hostkey(b, cause) < 0)
		return -1;
	audit_log(a->clusters[cluster].conf->name, a->clusters[cluster].conf->nodes[node].name, "ssh-hostkey",
		  "accepted", offer);
	app_poll_node(a, cluster, node);
	return 0;
}

bool app_node_has_trust(const struct app_node *an)
{
	return an->backend && backend_has_trust(an->backend);
}

bool app_node_needs_passphrase(const struct app_node *an)
{
	return an->backend && backend_needs_passphrase(an->backend);
}

bool app_node_hostkey(const struct app_node *an, char *fingerprint, size_t n, const char **type, bool *unknown)
{
	return an->backend && backend_hostkey(an->backend, fingerprint, n, type, unknown);
}

bool app_node_route(const struct app_node *an, char *dst, size_t n)
{
	return an->backend && backend_route(an->backend, dst, n);
}
