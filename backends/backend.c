#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Transports compiled into this build; a missing one is a clear error. */
static const struct backend_ops *ops_for(enum transport t)
{
	switch (t) {
#ifdef HAVE_API_BACKEND
	case TRANSPORT_API:
		return &api_backend_ops;
#endif
#ifdef HAVE_SSH_BACKEND
	case TRANSPORT_SSH:
		return &ssh_backend_ops;
#endif
	default:
		return NULL;
	}
}

/* ---- the one delivery path ------------------------------------------- */

#define OUTBOX_ACTIONS 4 /* the simulator may finish a few queued actions at once */

struct backend_outbox {
	/* The poll handed and not yet delivered (snap_due), else NULL: on the
	 * heap only for that tick, not a 2.5 KB snapshot kept in every node. */
	struct snapshot *snap;
	bool snap_due;
	uint64_t snap_timer;
	struct action act[OUTBOX_ACTIONS];
	struct action_result res[OUTBOX_ACTIONS];
	int n_act;
	uint64_t act_timer;
	char *xml;
	size_t xml_len;
	bool cfg_due;
	uint64_t cfg_timer;
};

static void xml_wipe(char *xml, size_t len)
{
	if (xml) {
		explicit_bzero(xml, len);
		free(xml);
	}
}

static void out_snapshot(void *arg)
{
	struct backend *b = arg;
	struct backend_outbox *o = b->out;
	struct snapshot s = *o->snap; /* moved: the callback may free b */
	free(o->snap);
	o->snap = NULL;
	o->snap_timer = 0;
	o->snap_due = false;
	if (b->on_snapshot)
		b->on_snapshot(b, &s, b->ctx);
	snapshot_clear(&s);
}

void backend_hand_snapshot(struct backend *b, struct snapshot *s)
{
	struct backend_outbox *o = b->out;
	if (o->snap) /* a transport hands one poll at a time; be safe */
		snapshot_clear(o->snap);
	else
		o->snap = xmalloc(sizeof(*o->snap));
	*o->snap = *s;
	snapshot_init(s);
	o->snap_due = true;
	if (!o->snap_timer)
		o->snap_timer = loop_timer_add(b->loop, 0, out_snapshot, b);
}

/* One action per tick: the callback may free b, which cancels the timer,
 * so nothing here runs after it. */
static void out_action(void *arg)
{
	struct backend *b = arg;
	struct backend_outbox *o = b->out;
	struct action a = o->act[0];
	struct action_result r = o->res[0]; /* copies: the callback may free b */
	o->act_timer = 0;
	o->n_act--;
	memmove(&o->act[0], &o->act[1], (size_t)o->n_act * sizeof(o->act[0]));
	memmove(&o->res[0], &o->res[1], (size_t)o->n_act * sizeof(o->res[0]));
	if (o->n_act)
		o->act_timer = loop_timer_add(b->loop, 0, out_action, b);
	if (b->on_action)
		b->on_action(b, &a, &r, b->ctx);
}

void backend_hand_action(struct backend *b, const struct action *a, const struct action_result *r)
{
	struct backend_outbox *o = b->out;
	if (o->n_act == OUTBOX_ACTIONS)
		return; /* cannot happen: each transport runs at most that many */
	o->act[o->n_act] = *a;
	o->res[o->n_act] = *r;
	text_sanitize_inplace(o->res[o->n_act].message);
	o->n_act++;
	if (!o->act_timer)
		o->act_timer = loop_timer_add(b->loop, 0, out_action, b);
}

static void out_config(void *arg)
{
	struct backend *b = arg;
	struct backend_outbox *o = b->out;
	char *xml = o->xml; /* moved out first: the callback may free b */
	size_t len = o->xml_len;
	o->xml = NULL;
	o->xml_len = 0;
	o->cfg_timer = 0;
	o->cfg_due = false;
	if (b->on_config)
		b->on_config(b, xml, xml ? len : 0, b->ctx);
	xml_wipe(xml, len);
}

void backend_hand_config(struct backend *b, char *xml, size_t len)
{
	struct backend_outbox *o = b->out;
	xml_wipe(o->xml, o->xml_len);
	o->xml = xml;
	o->xml_len = xml ? len : 0;
	o->cfg_due = true;
	if (!o->cfg_timer)
		o->cfg_timer = loop_timer_add(b->loop, 0, out_config, b);
}

void backend_outbox_open(struct backend *b)
{
	b->out = xcalloc(1, sizeof(*b->out));
}

void backend_outbox_close(struct backend *b)
{
	struct backend_outbox *o = b->out;
	if (!o)
		return;
	if (o->snap_timer)
		loop_timer_cancel(b->loop, o->snap_timer);
	if (o->act_timer)
		loop_timer_cancel(b->loop, o->act_timer);
	if (o->cfg_timer)
		loop_timer_cancel(b->loop, o->cfg_timer);
	if (o->snap) {
		snapshot_clear(o->snap);
		free(o->snap);
	}
	xml_wipe(o->xml, o->xml_len);
	free(o);
	b->out = NULL;
}

struct backend *backend_open(const struct backend_ops *ops, const struct node_conf *conf, struct loop *loop,
			     void *priv, char **cause)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	b->ops = ops;
	b->conf = conf;
	b->loop = loop;
	b->priv = priv;
	backend_outbox_open(b);
	if (ops->open(b, cause) < 0) {
		if (ops->close)
			ops->close(b);
		backend_outbox_close(b);
		free(b);
		return NULL;
	}
	return b;
}

struct backend *backend_new(const struct node_conf *conf, struct loop *loop, char **cause)
{
	const struct backend_ops *ops = ops_for(conf->transport);

	if (conf->transport == TRANSPORT_SIM) {
		*cause = xasprintf("node '%s': a simulated node is made with its world (sim_backend_new)", conf->name);
		return NULL;
	}
	if (!ops) {
		*cause = xasprintf("node '%s': the %s transport is not available in this build of carptop",
				   conf->name, transport_name(conf->transport));
		return NULL;
	}
	return backend_open(ops, conf, loop, NULL, cause);
}

void backend_free(struct backend *b)
{
	if (!b)
		return;
	if (b->ops->close)
		b->ops->close(b);
	backend_outbox_close(b);
	free(b);
}

bool backend_supports(const struct backend *b, enum action_kind k)
{
	return !b->ops->supports || b->ops->supports(b, k);
}

int backend_poll(struct backend *b)
{
	if (b->out->snap_due)
		return -1; /* the last poll is still on its way */
	return b->ops->poll_start(b);
}

int backend_config(struct backend *b)
{
	if (b->out->cfg_due)
		return -1;
	return b->ops->config_start ? b->ops->config_start(b) : -1;
}

int backend_stream(struct backend *b)
{
	return b->ops->stream_start ? b->ops->stream_start(b) : -1;
}

int backend_action(struct backend *b, const struct mutation_grant *g, const struct action *a, char **cause)
{
	/* Only the workflow engine may change a node (backend.h). */
	if (!mutation_grant_valid(g)) {
		*cause = xasprintf("%s on %s refused: changes go through the workflow engine only", action_name(a->kind),
				   b->conf->name);
		return -1;
	}
	/* Read-only and wall mode are enforced here, below every UI: nothing
	 * mutating reaches a transport. */
	if (b->read_only) {
		*cause = xasprintf("%s on %s refused: carptop is in read-only mode", action_name(a->kind),
				   b->conf->name);
		return -1;
	}
	if (b->ops->action_start(b, g, a) < 0) {
		*cause = xasprintf("%s on %s refused: too many actions pending", action_name(a->kind), b->conf->name);
		return -1;
	}
	return 0;
}

/* ---- trust hooks ---------------------------------------------------- */

static const struct backend_trust_ops *trust_of(const struct backend *b)
{
	return b && b->ops ? b->ops->trust : NULL;
}

bool backend_has_trust(const struct backend *b)
{
	return trust_of(b) != NULL;
}

bool backend_needs_passphrase(const struct backend *b)
{
	const struct backend_trust_ops *t = trust_of(b);
	return t && t->needs_passphrase && t->needs_passphrase(b);
}

/* A read-only console changes no local trust either: the passphrase and
 * the known_hosts file are the operator's, like the nodes. */
static int trust_refused(const struct backend *b, const struct backend_trust_ops *t, bool have, char **cause)
{
	if (!t || !have) {
		*cause = xstrdup("this transport has no such setting");
		return -1;
	}
	if (b->read_only) {
		*cause = xstrdup("read-only: not changed");
		return -1;
	}
	return 0;
}

int backend_set_passphrase(struct backend *b, const char *passphrase, char **cause)
{
	const struct backend_trust_ops *t = trust_of(b);
	if (trust_refused(b, t, t && t->set_passphrase, cause) < 0)
		return -1;
	t->set_passphrase(b, passphrase);
	if (t->retry_now)
		t->retry_now(b);
	return 0;
}

bool backend_hostkey(const struct backend *b, char *fingerprint, size_t n, const char **type, bool *unknown)
{
	const struct backend_trust_ops *t = trust_of(b);
	return t && t->hostkey && t->hostkey(b, fingerprint, n, type, unknown);
}

int backend_accept_hostkey(struct backend *b, char **cause)
{
	const struct backend_trust_ops *t = trust_of(b);
	if (trust_refused(b, t, t && t->accept_hostkey, cause) < 0)
		return -1;
	return t->accept_hostkey(b, cause);
}

bool backend_route(const struct backend *b, char *dst, size_t n)
{
	const struct backend_trust_ops *t = trust_of(b);
	return t && t->route && t->route(b, dst, n);
}
