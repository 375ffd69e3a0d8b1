/* The in-process sim transport: a node of a sim_world behind the same
 * asynchronous interface as the api and ssh transports. Replies arrive after
 * a short simulated latency through the event loop, never synchronously. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "sim/sim_backend.h"
#include "sim/sim_render.h"
#include "sim/sim_world.h"
#include "util.h"

struct sim_priv {
	struct sim_world *world;
	int pair, node;
	bool polling;
	double poll_started;
	uint64_t poll_timer;
	struct action pending[4];
	uint64_t action_timer[4];
	int n_pending;
	unsigned mutations;
	bool reading_config;
	uint64_t config_timer;
};

/* A few ms, different per node, so the UI sees real asynchrony. */
static double sim_latency_ms(const struct sim_priv *p)
{
	return (p->world->latency_ms > 0 ? p->world->latency_ms : 3.0) + 4.0 * p->node;
}

static int sim_open(struct backend *b, char **cause)
{
	struct sim_priv *p = b->priv;
	if (!p || !p->world || !sim_node_get(p->world, p->pair, p->node)) {
		*cause = xasprintf("node '%s': no simulated node for it", b->conf->name);
		return -1;
	}
	return 0;
}

static void sim_close(struct backend *b)
{
	struct sim_priv *p = b->priv;
	int i;
	if (!p)
		return;
	if (p->poll_timer)
		loop_timer_cancel(b->loop, p->poll_timer);
	for (i = 0; i < p->n_pending; i++)
		loop_timer_cancel(b->loop, p->action_timer[i]);
	if (p->config_timer)
		loop_timer_cancel(b->loop, p->config_timer);
	free(p);
	b->priv = NULL;
}

static void sim_poll_done(void *arg)
{
	struct backend *b = arg;
	struct sim_priv *p = b->priv;
	struct snapshot s;

	p->poll_timer = 0;
	p->polling = false;
	snapshot_init(&s);
	sim_node_snapshot(p->world, p->pair, p->node, &s);
	s.duration_ms = now_ms() - p->poll_started;
	snapshot_sanitize(&s);
	backend_hand_snapshot(b, &s);
}

static int sim_poll_start(struct backend *b)
{
	struct sim_priv *p = b->priv;
	if (p->polling)
		return -1;
	p->polling = true;
	p->poll_started = now_ms();
	p->poll_timer = loop_timer_add(b->loop, sim_latency_ms(p), sim_poll_done, b);
	return 0;
}

static int run_action(struct sim_priv *p, const struct action *a, char *reply, size_t n)
{
	struct sim_world *w = p->world;
	switch (a->kind) {
	case ACT_MAINTENANCE_TOGGLE:
		return sim_maintenance_toggle(w, p->pair, p->node, reply, n);
	case ACT_CARP_DISABLE:
		return sim_carp_disable(w, p->pair, p->node, reply, n);
	case ACT_CARP_ENABLE:
		return sim_carp_enable(w, p->pair, p->node, reply, n);
	case ACT_VIP_ADD: {
		/* No interface given: the one the VHID's CARP VIP is on, as the
		 * API transport resolves it from vip_settings/search_item. */
		const char *iface = a->vip.interface;
		struct sim_node *sn = sim_node_get(w, p->pair, p->node);
		int i;
		for (i = 0; !iface[0] && sn && i < sn->n_vips; i++)
			if (sn->vips[i].vhid == a->vip.vhid && sn->vips[i].mode == VIP_MODE_CARP)
				iface = sn->vips[i].iface;
		return sim_vip_add(w, p->pair, p->node, iface, a->vip.mode, a->vip.address, a->vip.prefix,
				   a->vip.vhid, a->vip.descr, reply, n);
	}
	case ACT_VIP_DELETE: {
		struct sim_node *sn = sim_node_get(w, p->pair, p->node);
		int i;
		/* Like the API transport: look the uuid up by address and VHID first. */
		for (i = 0; sn && i < sn->n_vips; i++)
			if (str_eq(sn->vips[i].addr, a->vip.address) && sn->vips[i].vhid == a->vip.vhid &&
			    !sn->vips[i].pending_delete)
				return sim_vip_delete(w, p->pair, p->node, sn->vips[i].uuid, reply, n);
		str_copy(reply, "{\"result\":\"not found\"}", n);
		return 1;
	}
	case ACT_VIP_APPLY:
		return sim_vip_apply(w, p->pair, p->node, reply, n);
	case ACT_FIRMWARE_UPDATE:
		return sim_firmware_update(w, p->pair, p->node, reply, n);
	case ACT_REBOOT:
		return sim_reboot(w, p->pair, p->node, reply, n);
	case ACT_SYNC:
		return sim_sync(w, p->pair, p->node, reply, n);
	default:
		str_copy(reply, "unknown action", n);
		return 1;
	}
}

static void sim_action_done(void *arg)
{
	struct backend *b = arg;
	struct sim_priv *p = b->priv;
	struct action a = p->pending[0];
	struct action_result r;
	char reply[SNAP_MSG_LEN];
	int rc;

	memmove(&p->pending[0], &p->pending[1], (size_t)(p->n_pending - 1) * sizeof(p->pending[0]));
	memmove(&p->action_timer[0], &p->action_timer[1], (size_t)(p->n_pending - 1) * sizeof(p->action_timer[0]));
	p->n_pending--;

	memset(&r, 0, sizeof(r));
	reply[0] = '\0';
	rc = run_action(p, &a, reply, sizeof(reply));
	p->mutations++;
	r.err = rc == 0 ? NERR_NONE : rc < 0 ? NERR_DOWN : NERR_SERVER;
	str_copy(r.message, reply, sizeof(r.message)); /* made inert on the way */
	backend_hand_action(b, &a, &r);
}

static int sim_action_start(struct backend *b, const struct mutation_grant *g, const struct action *a)
{
	struct sim_priv *p = b->priv;
	if (!mutation_grant_valid(g) || p->n_pending >= (int)ARRAY_LEN(p->pending))
		return -1;
	p->pending[p->n_pending] = *a;
	p->action_timer[p->n_pending] = loop_timer_add(b->loop, sim_latency_ms(p), sim_action_done, b);
	p->n_pending++;
	return 0;
}

/* config.xml as the node has it now (sim_render_config_xml), after the
 * same simulated latency as a poll; nothing from a node that is down. */
static void sim_config_done(void *arg)
{
	struct backend *b = arg;
	struct sim_priv *p = b->priv;
	struct sim_node *n;
	struct strbuf sb;

	p->config_timer = 0;
	p->reading_config = false;
	sim_world_advance_pair(p->world, p->pair);
	n = sim_node_get(p->world, p->pair, p->node);
	sb_init(&sb);
	if (n && n->up)
		sim_render_config_xml(p->world, p->pair, p->node, &sb);
	if (n && n->up && sb.buf) {
		size_t len = sb.len;
		backend_hand_config(b, sb_steal(&sb), len);
	} else {
		sb_free(&sb);
		backend_hand_config(b, NULL, 0);
	}
}

static int sim_config_start(struct backend *b)
{
	struct sim_priv *p = b->priv;
	if (p->reading_config)
		return -1;
	p->reading_config = true;
	p->config_timer = loop_timer_add(b->loop, sim_latency_ms(p), sim_config_done, b);
	return 0;
}

static unsigned sim_mutations(const struct backend *b)
{
	const struct sim_priv *p = b->priv;
	return p ? p->mutations : 0;
}

static const struct backend_ops sim_backend_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.poll_start = sim_poll_start,
	.action_start = sim_action_start,
	.mutations = sim_mutations,
	.config_start = sim_config_start,
};

struct backend *sim_backend_new(struct sim_world *w, const struct node_conf *conf, struct loop *loop, int pair,
				int node, char **cause)
{
	struct sim_priv *p = xcalloc(1, sizeof(*p));
	p->world = w;
	p->pair = pair;
	p->node = node;
	return backend_open(&sim_backend_ops, conf, loop, p, cause);
}
