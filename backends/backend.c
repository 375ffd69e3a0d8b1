#include "backend.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_backend.h"
#include "util.h"

const char *action_name(enum action_kind k)
{
	static const char *const names[] = {
		[ACT_MAINTENANCE_TOGGLE] = "maintenance-toggle",
		[ACT_CARP_DISABLE] = "carp-disable",
		[ACT_CARP_ENABLE] = "carp-enable",
		[ACT_VIP_ADD] = "vip-add",
		[ACT_VIP_DELETE] = "vip-delete",
		[ACT_VIP_APPLY] = "vip-apply",
		[ACT_FIRMWARE_UPDATE] = "firmware-update",
		[ACT_REBOOT] = "reboot",
		[ACT_SYNC] = "sync",
	};
	return (size_t)k < ARRAY_LEN(names) && names[k] ? names[k] : "unknown";
}

static bool iface_key_ok(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return i > 0;
}

bool vip_spec_check(const struct vip_spec *v, bool need_prefix, const char **why)
{
	unsigned char buf[16];
	int maxbits = inet_pton(AF_INET, v->address, buf) == 1 ? 32 : inet_pton(AF_INET6, v->address, buf) == 1 ? 128 : 0;
	/* An empty interface means "where the VHID's CARP VIP is". */
	if (v->interface[0] && !iface_key_ok(v->interface))
		*why = "interface must be a config key such as lan, wan or opt1";
	else if (!maxbits)
		*why = "address is not an IPv4 or IPv6 address";
	else if (need_prefix && (v->prefix < 1 || v->prefix > maxbits))
		*why = "prefix length missing or out of range (use the interface's subnet size)";
	else if (v->vhid < 1 || v->vhid > 255)
		*why = "vhid must be 1..255";
	else
		return true;
	return false;
}

/* Transports compiled into this build; a missing one is a clear error. */
static const struct backend_ops *ops_for(enum transport t)
{
	switch (t) {
	case TRANSPORT_SIM:
		return &sim_backend_ops;
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

struct backend *backend_new(const struct node_conf *conf, struct loop *loop, struct sim_world *world,
			    int cluster_index, int node_index, char **cause)
{
	const struct backend_ops *ops = ops_for(conf->transport);
	struct backend *b;

	if (!ops) {
		*cause = xasprintf("node '%s': the %s transport is not available in this build of carptop",
				   conf->name, transport_name(conf->transport));
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->ops = ops;
	b->conf = conf;
	b->loop = loop;
	if (conf->transport == TRANSPORT_SIM)
		sim_backend_attach(b, world, cluster_index, node_index);
	if (ops->open(b, cause) < 0) {
		if (ops->close)
			ops->close(b);
		free(b);
		return NULL;
	}
	return b;
}

void backend_free(struct backend *b)
{
	if (!b)
		return;
	if (b->ops->close)
		b->ops->close(b);
	free(b);
}

bool backend_supports(const struct backend *b, enum action_kind k)
{
	return !b->ops->supports || b->ops->supports(b, k);
}

int backend_poll(struct backend *b)
{
	return b->ops->poll_start(b);
}

int backend_config(struct backend *b)
{
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
