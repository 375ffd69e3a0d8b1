#include "sim_world.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse/fwjob.h"
#include "util.h"

#define SIM_DEMOTED_MSG "CARP has detected a problem and this unit has been demoted to BACKUP status.<br />" \
	"Check link status on all interfaces with configured CARP VIPs."

const struct sim_scenario sim_scenarios[] = {
	{ "healthy", "fw1 MASTER on VHIDs 1 (WAN) and 3 (LAN), fw2 BACKUP, pfsync in step (default)" },
	{ "maintenance", "fw1 in persistent maintenance mode, fw2 has taken over as MASTER" },
	{ "split-brain", "an IP alias added to VHID 3 on fw2 only: both nodes MASTER for VHID 3" },
	{ "no-master", "CARP disabled on both nodes: no MASTER for any VHID" },
	{ "demoted", "fw1 demoted by a failing service check (2^20), fw2 MASTER" },
	{ "carp-disabled", "CARP temporarily disabled on fw2 and forgotten" },
	{ "pfsync-broken", "pfsync on different devices: fw2 holds none of fw1's states" },
	{ "drift", "fw2: LAN CARP VIP /32 instead of /24 (VHID mismatch), LAN IPv6 rule deleted by hand (config drift)" },
	{ "node-down", "fw2 is powered off: it cannot be reached" },
	{ "interface-down", "fw1 lost link on LAN: VHID 3 INIT on fw1, fw2 MASTER for VHID 3" },
};
const size_t n_sim_scenarios = ARRAY_LEN(sim_scenarios);

/* ---- construction ---------------------------------------------------- */

static void add_if(struct sim_node *n, const char *key, const char *descr, const char *dev,
		   const char *addr, int prefix)
{
	struct sim_if *i = &n->ifs[n->n_ifs++];
	str_copy(i->key, key, sizeof(i->key));
	str_copy(i->descr, descr, sizeof(i->descr));
	str_copy(i->dev, dev, sizeof(i->dev));
	str_copy(i->addr, addr, sizeof(i->addr));
	i->prefix = prefix;
}

static struct sim_vip *add_vip(struct sim_world *w, struct sim_node *n, const char *iface,
			       enum vip_mode mode, const char *addr, int prefix, int vhid, int advskew,
			       const char *descr)
{
	struct sim_vip *v;
	if (n->n_vips >= SIM_MAX_VIPS)
		return NULL;
	v = &n->vips[n->n_vips++];
	memset(v, 0, sizeof(*v));
	str_printf(v->uuid, sizeof(v->uuid), "6f0c2d1e-%04x-4000-8000-%012x", (unsigned)(vhid & 0xffff),
		   (unsigned)++w->uuid_counter);
	str_copy(v->iface, iface, sizeof(v->iface));
	v->mode = mode;
	str_copy(v->addr, addr, sizeof(v->addr));
	v->prefix = prefix;
	v->vhid = vhid;
	v->advbase = 1;
	v->advskew = advskew;
	str_copy(v->descr, descr, sizeof(v->descr));
	v->applied = true;
	return v;
}

static void add_rule(struct sim_node *n, const char *iface, const char *ipprotocol, const char *protocol,
		     const char *source, const char *descr)
{
	struct sim_rule *r;
	if (n->n_rules >= SIM_MAX_RULES)
		return;
	r = &n->rules[n->n_rules++];
	str_copy(r->iface, iface, sizeof(r->iface));
	str_copy(r->ipprotocol, ipprotocol, sizeof(r->ipprotocol));
	str_copy(r->protocol, protocol, sizeof(r->protocol));
	str_copy(r->source, source, sizeof(r->source));
	str_copy(r->descr, descr, sizeof(r->descr));
}

/* The example pair's rules: CARP on WAN, LAN to any (v4, v6), all on PFSYNC. */
static void setup_rules(struct sim_node *n)
{
	add_rule(n, "wan", "inet", "carp", "any", "Allow CARP");
	add_rule(n, "lan", "inet", "", "lan", "Default allow LAN to any rule");
	add_rule(n, "lan", "inet6", "", "lan", "Default allow LAN IPv6 to any rule");
	add_rule(n, "opt1", "inet", "", "any", "Allow all on PFSYNC");
}

/* The how-to's example pair (tests/fixtures/examples, from the OPNsense CARP how-to): LAN .10/.20,
 * WAN .101/.102, PFSYNC 10.0.0.1/.2 on em2; vhid 1 WAN 172.18.0.100/24,
 * vhid 3 LAN 192.168.1.1/24; the backup's advskew is 100 (XMLRPC +100). */
static void setup_node(struct sim_world *w, struct sim_node *n, int pair, int idx)
{
	int third = 1 + pair; /* pairs beyond the first get their own subnets */
	char lan[48], wan[48], sync[48], vlan[48], vwan[48];

	memset(n, 0, sizeof(*n));
	str_printf(n->name, sizeof(n->name), "fw%d", idx + 1);
	str_printf(n->hostname, sizeof(n->hostname), "fw%d.pair%d.example.net", idx + 1, pair + 1);
	str_copy(n->version, "26.7.2", sizeof(n->version));
	str_copy(n->latest, "26.7.3", sizeof(n->latest));
	{
		/* The last job was a check, ten minutes ago: it ends ***DONE*** too. */
		char d[64];
		sim_node_date(-600, d, sizeof(d));
		str_printf(n->fw_log, sizeof(n->fw_log),
			   "***GOT REQUEST TO CHECK***\nCurrently running OPNsense %s (amd64) at %s\n"
			   "Fetching changelog information, please wait... done\n***DONE***\n",
			   n->version, d);
	}
	n->boot_t = -86400;
	n->up = true;
	n->allow = 1;
	n->preempt = 1; /* OPNsense sets net.inet.carp.preempt=1 unless disablepreempt */
	str_printf(lan, sizeof(lan), "192.168.%d.%d", third, idx ? 20 : 10);
	str_printf(wan, sizeof(wan), "172.18.%d.%d", third - 1, idx ? 102 : 101);
	str_printf(sync, sizeof(sync), "10.0.%d.%d", third - 1, idx ? 2 : 1);
	str_printf(vlan, sizeof(vlan), "192.168.%d.1", third);
	str_printf(vwan, sizeof(vwan), "172.18.%d.100", third - 1);
	add_if(n, "wan", "WAN", "em1", wan, 24);
	add_if(n, "lan", "LAN", "em0", lan, 24);
	add_if(n, "opt1", "PFSYNC", "em2", sync, 24);
	add_vip(w, n, "wan", VIP_MODE_CARP, vwan, 24, 1, idx ? 100 : 0, "VIP WAN");
	add_vip(w, n, "lan", VIP_MODE_CARP, vlan, 24, 3, idx ? 100 : 0, "VIP LAN");
	str_printf(n->hostid, sizeof(n->hostid), "%08x", 0xa2e0f312u + (unsigned)(pair * 16 + idx));
	str_copy(n->syncdev, "em2", sizeof(n->syncdev));
	str_printf(n->syncpeer, sizeof(n->syncpeer), "10.0.%d.%d", third - 1, idx ? 1 : 2);
	n->state_limit = 100000;
	if (idx == 0) {
		str_printf(n->sync_target, sizeof(n->sync_target), "10.0.%d.2", third - 1);
		str_copy(n->sync_items, "dhcpd,nat,rules,staticroutes,virtualip", sizeof(n->sync_items));
	}
	n->st[1] = n->st[3] = idx ? CARP_ST_BACKUP : CARP_ST_MASTER;
	setup_rules(n);
}

static struct sim_vip *find_vip(struct sim_node *n, int vhid, enum vip_mode mode)
{
	int i;
	for (i = 0; i < n->n_vips; i++)
		if (n->vips[i].vhid == vhid && n->vips[i].mode == mode)
			return &n->vips[i];
	return NULL;
}

static int apply_scenario(struct sim_world *w, struct sim_pair *p, const char *scenario)
{
	struct sim_node *a = &p->node[0], *b = &p->node[1];

	if (!scenario || str_eq(scenario, "healthy"))
		return 0;
	if (str_eq(scenario, "maintenance")) {
		a->maintenance = true;
		a->demotion = MAINT_DEMOTION;
		a->st[1] = a->st[3] = CARP_ST_BACKUP;
		b->st[1] = b->st[3] = CARP_ST_MASTER;
	} else if (str_eq(scenario, "split-brain")) {
		char alias[48];
		str_printf(alias, sizeof(alias), "192.168.%d.5", 1 + (int)(p - w->pairs));
		add_vip(w, b, "lan", VIP_MODE_IPALIAS, alias, 24, 3, 0, "alias added on fw2 only");
		b->st[3] = CARP_ST_MASTER;
	} else if (str_eq(scenario, "no-master")) {
		a->allow = b->allow = 0;
	} else if (str_eq(scenario, "demoted")) {
		/* A failing service check adds 2^20 (core: carp_service_status). */
		a->demotion = 1048576;
		a->st[1] = a->st[3] = CARP_ST_BACKUP;
		b->st[1] = b->st[3] = CARP_ST_MASTER;
	} else if (str_eq(scenario, "carp-disabled")) {
		b->allow = 0;
	} else if (str_eq(scenario, "pfsync-broken")) {
		str_copy(b->syncdev, "igb2", sizeof(b->syncdev));
		a->pfsync_broken = b->pfsync_broken = true;
	} else if (str_eq(scenario, "drift")) {
		struct sim_vip *v = find_vip(b, 3, VIP_MODE_CARP);
		if (v)
			v->prefix = 32;
		/* Someone deleted a rule on the backup by hand (rule 3 of 4). */
		if (b->n_rules == 4) {
			b->rules[2] = b->rules[3];
			b->n_rules = 3;
		}
	} else if (str_eq(scenario, "node-down")) {
		b->up = false;
		b->powered_off = true;
	} else if (str_eq(scenario, "interface-down")) {
		a->ifs[1].link_down = true;
		/* FreeBSD demotes a node whose CARP interface goes down. */
		a->demotion = 240;
		a->st[3] = CARP_ST_INIT;
		b->st[3] = CARP_ST_MASTER;
		a->st[1] = CARP_ST_BACKUP;
		b->st[1] = CARP_ST_MASTER;
	} else {
		return -1;
	}
	return 0;
}

struct sim_world *sim_world_new(const char *scenario, int n_pairs, double speed, char **cause)
{
	const char **each;
	struct sim_world *w;
	int i;

	if (n_pairs < 1)
		n_pairs = 1;
	each = xcalloc((size_t)n_pairs, sizeof(*each));
	for (i = 0; i < n_pairs; i++)
		each[i] = scenario;
	w = sim_world_new_scenarios(each, n_pairs, speed, cause);
	free(each);
	return w;
}

char *sim_unknown_scenario(const char *scenario)
{
	struct strbuf sb;
	size_t s;
	sb_init(&sb);
	sb_printf(&sb, "unknown demo scenario '%s'; known:", scenario);
	for (s = 0; s < n_sim_scenarios; s++)
		sb_printf(&sb, " %s", sim_scenarios[s].name);
	return sb_steal(&sb);
}

bool sim_scenario_known(const char *scenario)
{
	size_t s;
	for (s = 0; s < n_sim_scenarios; s++)
		if (str_eq(scenario, sim_scenarios[s].name))
			return true;
	return false;
}

struct sim_world *sim_world_new_scenarios(const char *const *scenarios, int n_pairs, double speed, char **cause)
{
	struct sim_world *w;
	int i, k;

	if (n_pairs < 1)
		n_pairs = 1;
	w = xcalloc(1, sizeof(*w));
	w->pairs = xcalloc((size_t)n_pairs, sizeof(*w->pairs));
	w->n_pairs = n_pairs;
	w->speed = speed > 0 ? speed : 1;
	w->t0_real = now_ms();
	w->update_secs = 6;
	w->reboot_secs = 12;
	for (i = 0; i < n_pairs; i++) {
		struct sim_pair *p = &w->pairs[i];
		const char *scenario = scenarios ? scenarios[i] : NULL;
		str_printf(p->name, sizeof(p->name), n_pairs == 1 ? "demo" : "demo%d", i + 1);
		for (k = 0; k < 2; k++)
			setup_node(w, &p->node[k], i, k);
		if (apply_scenario(w, p, scenario) < 0) {
			*cause = sim_unknown_scenario(scenario);
			sim_world_free(w);
			return NULL;
		}
	}
	sim_world_advance_to(w, 0);
	return w;
}

void sim_world_free(struct sim_world *w)
{
	if (!w)
		return;
	free(w->pairs);
	free(w->log);
	free(w);
}

struct sim_node *sim_node_get(struct sim_world *w, int pair, int node)
{
	if (pair < 0 || pair >= w->n_pairs || node < 0 || node > 1)
		return NULL;
	return &w->pairs[pair].node[node];
}

const struct sim_if *sim_node_if(const struct sim_node *n, const char *key)
{
	int i;
	for (i = 0; i < n->n_ifs; i++)
		if (str_eq(n->ifs[i].key, key))
			return &n->ifs[i];
	return NULL;
}

/* ---- the CARP election ----------------------------------------------- */

/* A VHID's CARP VIP as the kernel has it: applied, on a link that is up. */
static const struct sim_vip *kernel_carp_vip(const struct sim_node *n, int vhid)
{
	int i;
	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		if (v->vhid == vhid && v->mode == VIP_MODE_CARP && v->applied)
			return v;
	}
	return NULL;
}

static bool configured_vhid(const struct sim_node *n, int vhid)
{
	int i;
	for (i = 0; i < n->n_vips; i++)
		if (n->vips[i].vhid == vhid && n->vips[i].mode == VIP_MODE_CARP)
			return true;
	return false;
}

static bool link_up(const struct sim_node *n, const char *iface)
{
	const struct sim_if *i = sim_node_if(n, iface);
	return !i || !i->link_down;
}

/* Does the node take part in the election for vhid? */
static bool participates(const struct sim_node *n, int vhid)
{
	const struct sim_vip *v = kernel_carp_vip(n, vhid);
	return n->up && n->allow && v && link_up(n, v->iface);
}

/* Status of a node that does not take part. */
static enum carp_status idle_status(const struct sim_node *n, int vhid)
{
	const struct sim_vip *v = kernel_carp_vip(n, vhid);
	if (!n->up)
		return CARP_ST_UNKNOWN;
	if (!configured_vhid(n, vhid))
		return CARP_ST_UNKNOWN;
	if (!n->allow)
		return CARP_ST_DISABLED;
	if (v && !link_up(n, v->iface))
		return CARP_ST_INIT;
	return CARP_ST_UNKNOWN; /* configured but not applied yet */
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sim_vhid_addrset(const struct sim_node *n, int vhid, char *dst, size_t len)
{
	char buf[SIM_MAX_VIPS][64];
	const char *ptr[SIM_MAX_VIPS];
	int i, k = 0;
	dst[0] = '\0';
	if (!n->up || !n->allow)
		return;
	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		if (v->vhid != vhid || !v->applied)
			continue;
		/* CARP hashes the addresses, not their prefixes. */
		str_copy(buf[k], v->addr, sizeof(buf[k]));
		ptr[k] = buf[k];
		k++;
	}
	qsort(ptr, (size_t)k, sizeof(ptr[0]), cmp_cstr);
	for (i = 0; i < k; i++) {
		if (i)
			strncat(dst, " ", len - strlen(dst) - 1);
		strncat(dst, ptr[i], len - strlen(dst) - 1);
	}
}

/* The advertisement interval a node sends, in 1/256 s: advbase plus
 * min(advskew + demotion, 240) (FreeBSD DEMOTE_ADVSKEW). Lower wins. */
static long advert(const struct sim_node *n, int vhid)
{
	const struct sim_vip *v = kernel_carp_vip(n, vhid);
	long skew = v->advskew + n->demotion;
	if (skew > CARP_SKEW_MAX)
		skew = CARP_SKEW_MAX;
	return (long)v->advbase * 256 + skew;
}

static void log_transition(struct sim_world *w, int pair, int node, int vhid, enum carp_status from,
			   enum carp_status to, int masters)
{
	struct sim_transition *t;
	if (w->n_log == w->cap_log) {
		w->cap_log = w->cap_log ? w->cap_log * 2 : 64;
		w->log = xrealloc(w->log, w->cap_log * sizeof(*w->log));
	}
	t = &w->log[w->n_log++];
	t->t = w->t;
	t->pair = pair;
	t->node = node;
	t->vhid = vhid;
	t->from = from;
	t->to = to;
	t->masters_after = masters;
	if (w->log_file) {
		fprintf(w->log_file, "%.3f %s %s vhid %d %s -> %s masters=%d\n", t->t, w->pairs[pair].name,
			w->pairs[pair].node[node].name, vhid, carp_status_name(from), carp_status_name(to), masters);
		fflush(w->log_file);
	}
}

/* Set both nodes' status for a VHID at once (a handover is atomic in the
 * model: the preempting backup and the yielding master switch together). */
static void set_status(struct sim_world *w, int pi, int vhid, enum carp_status s0, enum carp_status s1)
{
	struct sim_pair *p = &w->pairs[pi];
	enum carp_status old[2] = { p->node[0].st[vhid], p->node[1].st[vhid] };
	int k, masters;
	p->node[0].st[vhid] = s0;
	p->node[1].st[vhid] = s1;
	masters = (s0 == CARP_ST_MASTER) + (s1 == CARP_ST_MASTER);
	p->masters_now[vhid] = masters;
	/* Log the node that lost MASTER after the one that gained it, so the
	 * log never shows a moment without a MASTER during a handover. */
	for (k = 0; k < 2; k++) {
		int n = (old[0] == CARP_ST_MASTER && s0 != CARP_ST_MASTER) ? 1 - k : k;
		if (old[n] != p->node[n].st[vhid])
			log_transition(w, pi, n, vhid, old[n], p->node[n].st[vhid], masters);
	}
}

/* What the VHID should become, and after how long (sim seconds). */
static void elect(const struct sim_pair *p, int vhid, enum carp_status to[2], double *delay)
{
	const struct sim_node *a = &p->node[0], *b = &p->node[1];
	bool pa = participates(a, vhid), pb = participates(b, vhid);
	enum carp_status ca = a->st[vhid], cb = b->st[vhid];
	int base;

	to[0] = pa ? (ca == CARP_ST_MASTER ? CARP_ST_MASTER : CARP_ST_BACKUP) : idle_status(a, vhid);
	to[1] = pb ? (cb == CARP_ST_MASTER ? CARP_ST_MASTER : CARP_ST_BACKUP) : idle_status(b, vhid);
	*delay = 0;
	if (!pa && !pb)
		return;
	/* A node joining the election starts as BACKUP at once (INIT -> BACKUP). */
	if ((pa && ca != CARP_ST_MASTER && ca != CARP_ST_BACKUP) ||
	    (pb && cb != CARP_ST_MASTER && cb != CARP_ST_BACKUP))
		return;
	base = kernel_carp_vip(pa ? a : b, vhid)->advbase;

	if (pa != pb) {
		/* Alone: a BACKUP takes over when the master-down timer (3 x advbase) expires. */
		int me = pa ? 0 : 1;
		if (to[me] != CARP_ST_MASTER) {
			to[me] = CARP_ST_MASTER;
			*delay = 3.0 * base;
		}
		return;
	}

	char sa[512], sb[512];
	sim_vhid_addrset(a, vhid, sa, sizeof(sa));
	sim_vhid_addrset(b, vhid, sb, sizeof(sb));
	if (strcmp(sa, sb) != 0) {
		/* Each node drops the other's advertisements (hash mismatch): both
		 * run their master-down timer out and both become MASTER. */
		if (to[0] != CARP_ST_MASTER || to[1] != CARP_ST_MASTER) {
			to[0] = to[1] = CARP_ST_MASTER;
			*delay = 3.0 * base;
		}
		return;
	}

	long ea = advert(a, vhid), eb = advert(b, vhid);
	int better = eb < ea ? 1 : 0; /* a tie keeps the primary preferred */
	if (to[0] == CARP_ST_MASTER && to[1] == CARP_ST_MASTER) {
		/* The master hearing a better (or equal) advertisement steps down. */
		to[1 - better] = CARP_ST_BACKUP;
		*delay = base;
	} else if (to[0] == CARP_ST_MASTER || to[1] == CARP_ST_MASTER) {
		int m = to[0] == CARP_ST_MASTER ? 0 : 1;
		long em = m ? eb : ea, eo = m ? ea : eb;
		/* A BACKUP with preempt takes over when the master advertises worse. */
		if (eo < em && p->node[1 - m].preempt) {
			to[1 - m] = CARP_ST_MASTER;
			to[m] = CARP_ST_BACKUP;
			*delay = base;
		}
	} else {
		to[better] = CARP_ST_MASTER;
		*delay = 3.0 * base + (better ? eb : ea) % 256 / 256.0;
	}
}

static void node_boot(struct sim_world *w, struct sim_node *n)
{
	int i, k;
	n->up = true;
	n->boot_t = w->t;
	n->fw_log[0] = '\0'; /* /tmp is empty after a reboot */
	n->allow = 1; /* "Disable CARP" is not persistent */
	/* The early boot hook re-applies maintenance when the key is in config. */
	n->demotion = n->demotion_default + (n->maintenance ? MAINT_DEMOTION : 0);
	for (i = 0, k = 0; i < n->n_vips; i++) {
		if (n->vips[i].pending_delete)
			continue;
		n->vips[k] = n->vips[i];
		n->vips[k++].applied = true;
	}
	n->n_vips = k;
}

static void node_go_down(struct sim_world *w, int pi, int ni, double until)
{
	struct sim_node *n = &w->pairs[pi].node[ni];
	int v;
	n->up = false;
	n->down_until = until;
	for (v = 0; v < SIM_MAX_VHID; v++) {
		if (n->st[v] != CARP_ST_UNKNOWN) {
			enum carp_status s0 = ni == 0 ? CARP_ST_UNKNOWN : w->pairs[pi].node[0].st[v];
			enum carp_status s1 = ni == 1 ? CARP_ST_UNKNOWN : w->pairs[pi].node[1].st[v];
			set_status(w, pi, v, s0, s1);
		}
	}
}

static void fw_log_add(struct sim_node *n, const char *line)
{
	size_t l = strlen(n->fw_log);
	str_printf(n->fw_log + l, sizeof(n->fw_log) - l, "%s\n", line);
}

/* One step of the firmware job (enum sim_fw). */
static void fw_step(struct sim_world *w, int pi, int ni)
{
	struct sim_node *n = &w->pairs[pi].node[ni];
	char d[64], line[160];
	bool news = strcmp(n->version, n->latest) != 0;
	switch (n->fw) {
	case SIM_FW_REQUESTED: /* update.sh starts: output_request truncates the log */
		sim_node_date(w->t, d, sizeof(d));
		str_printf(n->fw_log, sizeof(n->fw_log),
			   "***GOT REQUEST TO UPDATE***\nCurrently running OPNsense %s (amd64) at %s\n", n->version, d);
		fw_log_add(n, "Updating OPNsense repository catalogue...");
		n->fw = SIM_FW_RUNNING;
		n->fw_core_done = false;
		n->fw_until = w->t + w->update_secs / 2;
		break;
	case SIM_FW_RUNNING:
		if (!n->fw_core_done) { /* opnsense-update -pt: the core package first */
			n->fw_core_done = true;
			n->fw_until = w->t + w->update_secs / 2;
			if (n->fw_fail) {
				fw_log_add(n, "pkg: Failed to fetch the opnsense package: Operation timed out");
				fw_log_add(n, "Partial update failure detected: report this error log to OPNsense.");
				fw_log_add(n, "No further actions will be taken. Please restart the update now.");
				fw_log_add(n, "***DONE***");
				n->fw = SIM_FW_DONE;
			} else if (news) {
				str_printf(line, sizeof(line), "Installing opnsense-%s...", n->latest);
				fw_log_add(n, line);
				str_copy(n->version, n->latest, sizeof(n->version));
				n->serial++;
			}
			break;
		}
		/* opnsense-update -bk: base and kernel, then reboot when anything
		 * was installed. */
		if (n->fw_log[0] && strstr(n->fw_log, "Installing opnsense-")) {
			fw_log_add(n, "***REBOOT***");
			n->fw = SIM_FW_REBOOTING;
			n->fw_until = w->t + SIM_FW_REBOOT_DELAY;
		} else {
			fw_log_add(n, "Your packages are up to date.");
			fw_log_add(n, "***DONE***");
			n->fw = SIM_FW_DONE;
		}
		break;
	case SIM_FW_REBOOTING: /* rc.reboot */
		n->fw_until = INFINITY;
		node_go_down(w, pi, ni, w->t + w->reboot_secs);
		break;
	default:
		break;
	}
}

/* Timers of the nodes themselves: firmware update finishing, reboot ending. */
static void node_timers(struct sim_world *w, int pi)
{
	int ni;
	for (ni = 0; ni < 2; ni++) {
		struct sim_node *n = &w->pairs[pi].node[ni];
		if (n->up && n->fw != SIM_FW_IDLE && n->fw != SIM_FW_DONE && w->t >= n->fw_until)
			fw_step(w, pi, ni);
		if (!n->up && !n->powered_off && n->down_until > 0 && w->t >= n->down_until) {
			node_boot(w, n);
			if (n->fw == SIM_FW_REBOOTING) {
				n->fw = SIM_FW_DONE;
				n->fw_rebooted = true;
			}
		}
	}
}

/* Bring every VHID of pair pi to what the rules say for time w->t.
 * Returns the earliest future due time of a pending election, a firmware
 * step or a reboot of the pair, or INFINITY. */
static double evaluate(struct sim_world *w, int pi)
{
	struct sim_pair *p = &w->pairs[pi];
	/* The pair's configured VHIDs in one pass over its VIPs: asking
	 * configured_vhid() for each of 255 VHIDs made every evaluation
	 * O(255 x VIPs). */
	bool configured[SIM_MAX_VHID] = { false };
	double next = INFINITY;
	int v, pass, k, i;

	node_timers(w, pi);
	for (k = 0; k < 2; k++)
		for (i = 0; i < p->node[k].n_vips; i++)
			if (p->node[k].vips[i].mode == VIP_MODE_CARP && p->node[k].vips[i].vhid > 0 &&
			    p->node[k].vips[i].vhid < SIM_MAX_VHID)
				configured[p->node[k].vips[i].vhid] = true;
	for (v = 1; v < SIM_MAX_VHID; v++) {
		if (!configured[v] && p->node[0].st[v] == CARP_ST_UNKNOWN && p->node[1].st[v] == CARP_ST_UNKNOWN)
			continue;
		/* A few passes: an immediate change can enable the next one. */
		for (pass = 0; pass < 4; pass++) {
			enum carp_status to[2];
			double delay;
			elect(p, v, to, &delay);
			if (to[0] == p->node[0].st[v] && to[1] == p->node[1].st[v]) {
				p->election[v].pending = false;
				break;
			}
			if (delay <= 0) {
				p->election[v].pending = false;
				set_status(w, pi, v, to[0], to[1]);
				continue;
			}
			if (!p->election[v].pending || p->election[v].to[0] != to[0] ||
			    p->election[v].to[1] != to[1]) {
				p->election[v].pending = true;
				p->election[v].to[0] = to[0];
				p->election[v].to[1] = to[1];
				p->election[v].due = w->t + delay;
			}
			if (w->t >= p->election[v].due) {
				p->election[v].pending = false;
				set_status(w, pi, v, to[0], to[1]);
				continue;
			}
			if (p->election[v].due < next)
				next = p->election[v].due;
			break;
		}
	}
	for (v = 0; v < 2; v++) {
		struct sim_node *n = &p->node[v];
		if (n->up && n->fw != SIM_FW_IDLE && n->fw != SIM_FW_DONE && n->fw_until < next)
			next = n->fw_until;
		if (!n->up && !n->powered_off && n->down_until > w->t && n->down_until < next)
			next = n->down_until;
	}
	return next;
}

/* Bring pair pi from its own clock to sim time t, each pending change at
 * the moment it falls due. Pairs do not affect one another, so each keeps
 * its own clock (p->t) and a read of one node brings only its pair up to
 * date: carpsim evaluates the world on every request, and evaluating
 * every pair there made each request O(pairs) (at 500 pairs most of
 * carpsim's CPU, under its one lock). w->t stays the world's latest time;
 * while the pair catches up it holds the pair's time, so the transitions
 * it logs and the timers it sets carry the moment they happened. */
static void pair_advance_to(struct sim_world *w, int pi, double t)
{
	struct sim_pair *p = &w->pairs[pi];
	double latest = w->t, next;
	int guard = 0;
	if (t < p->t)
		t = p->t;
	w->t = p->t;
	while ((next = evaluate(w, pi)) <= t && guard++ < 100000)
		w->t = next > w->t ? next : w->t;
	w->t = t;
	evaluate(w, pi);
	p->t = t;
	w->t = latest > t ? latest : t;
}

void sim_world_advance_to(struct sim_world *w, double t)
{
	int pi;
	if (t < w->t)
		t = w->t;
	for (pi = 0; pi < w->n_pairs; pi++)
		pair_advance_to(w, pi, t);
	w->t = t;
}

void sim_world_advance_pair_to(struct sim_world *w, int pair, double t)
{
	if (pair >= 0 && pair < w->n_pairs)
		pair_advance_to(w, pair, t > w->t ? t : w->t);
}

void sim_world_advance_pair(struct sim_world *w, int pair)
{
	if (w->speed > 0)
		sim_world_advance_pair_to(w, pair, (now_ms() - w->t0_real) / 1000.0 * w->speed);
}

void sim_world_manual_clock(struct sim_world *w)
{
	w->speed = 0;
}

void sim_world_advance(struct sim_world *w)
{
	if (w->speed <= 0)
		return;
	sim_world_advance_to(w, (now_ms() - w->t0_real) / 1000.0 * w->speed);
}

/* ---- reading a node -------------------------------------------------- */

static bool is_master_anywhere(const struct sim_node *n)
{
	int v;
	for (v = 1; v < SIM_MAX_VHID; v++)
		if (n->st[v] == CARP_ST_MASTER)
			return true;
	return false;
}

/* States this node created itself: the MASTER carries the traffic. */
static long long own_states(const struct sim_world *w, const struct sim_node *n, int salt)
{
	if (!n->up)
		return 0;
	if (!is_master_anywhere(n))
		return 12;
	return 1200 + (long long)(80.0 * sin(w->t / 40.0 + salt));
}

long long sim_node_states(const struct sim_world *w, int pair, int node)
{
	const struct sim_pair *p = &w->pairs[pair];
	const struct sim_node *n = &p->node[node], *peer = &p->node[1 - node];
	long long s = own_states(w, n, node);
	/* pfsync copies the peer's states here when both ends work. */
	if (!n->pfsync_broken && !peer->pfsync_broken && peer->up)
		s += own_states(w, peer, 1 - node);
	return s;
}

void sim_node_snapshot(struct sim_world *w, int pi, int ni, struct snapshot *s)
{
	struct sim_pair *p = &w->pairs[pi];
	struct sim_node *n = &p->node[ni], *peer = &p->node[1 - ni];
	int i;

	sim_world_advance_pair(w, pi);
	snapshot_clear(s);
	if (!n->up) {
		snapshot_set_error(s, NERR_DOWN, "%s", n->powered_off ? "node is powered off (simulated)"
									 : "node is rebooting (simulated)");
		s->taken = wall_s();
		return;
	}
	s->reachable = true;
	s->err = NERR_NONE;
	s->error[0] = '\0';
	str_copy(s->hostname, n->hostname, sizeof(s->hostname));
	str_copy(s->version, n->version, sizeof(s->version));

	s->carp.known = true;
	s->carp.allow = n->allow;
	s->carp.demotion = n->demotion;
	s->carp.maintenance = n->maintenance;
	s->carp.preempt = n->preempt;
	if (!n->maintenance && n->demotion != 0)
		str_copy(s->carp.status_msg, SIM_DEMOTED_MSG, sizeof(s->carp.status_msg));

	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		const struct sim_if *itf = sim_node_if(n, v->iface);
		struct vip_row *r;
		bool in_kernel = v->applied && n->allow;
		if (!v->vhid)
			continue;
		/* Configured VIPs whose VHID is absent from ifconfig appear as
		 * DISABLED rows (CONTRACT §1, step 4); unapplied ones not at all. */
		if (!in_kernel && n->allow)
			continue;
		r = snapshot_add_vip(s);
		str_copy(r->ifname, itf ? itf->descr : "", sizeof(r->ifname));
		str_copy(r->ifdev, itf ? itf->dev : "", sizeof(r->ifdev));
		r->vhid = v->vhid;
		str_copy(r->address, v->addr, sizeof(r->address));
		r->prefix = v->prefix;
		r->mode = v->mode;
		{
			const struct sim_vip *c = kernel_carp_vip(n, v->vhid);
			r->advbase = c ? c->advbase : v->advbase;
			r->advskew = c ? c->advskew : v->advskew;
		}
		r->status = in_kernel ? n->st[v->vhid] : CARP_ST_DISABLED;
		if (r->status == CARP_ST_UNKNOWN)
			r->status = CARP_ST_INIT;
	}

	s->states.current = sim_node_states(w, pi, ni);
	s->states.limit = n->state_limit;

	s->pfsync.known = true;
	str_copy(s->pfsync.syncdev, n->syncdev, sizeof(s->pfsync.syncdev));
	str_copy(s->pfsync.syncpeer, n->syncpeer, sizeof(s->pfsync.syncpeer));
	str_copy(s->pfsync.hostid, n->hostid, sizeof(s->pfsync.hostid));
	if (own_states(w, n, ni) > 0)
		str_copy(s->pfsync.creators[s->pfsync.n_creators++], n->hostid, sizeof(s->pfsync.creators[0]));
	if (!n->pfsync_broken && !peer->pfsync_broken && peer->up && own_states(w, peer, 1 - ni) > 0)
		str_copy(s->pfsync.creators[s->pfsync.n_creators++], peer->hostid, sizeof(s->pfsync.creators[0]));

	s->hasync.known = true;
	str_copy(s->hasync.sync_target, n->sync_target, sizeof(s->hasync.sync_target));
	str_copy(s->hasync.sync_items, n->sync_items, sizeof(s->hasync.sync_items));
	str_printf(s->config_marker, sizeof(s->config_marker), "%u", n->serial);
	if (ni == 0 && n->sync_target[0]) {
		s->hasync.peer_reachable_known = true;
		s->hasync.peer_reachable = peer->up;
		if (peer->up)
			str_copy(s->hasync.peer_version, peer->version, sizeof(s->hasync.peer_version));
		else
			str_copy(s->hasync.peer_error, "xmlrpc: connection refused", sizeof(s->hasync.peer_error));
	}

	str_copy(s->firmware.version, n->version, sizeof(s->firmware.version));
	str_copy(s->firmware.latest, n->latest, sizeof(s->firmware.latest));
	/* The built-in simulation knows its job exactly (no tracker needed). */
	switch (n->fw) {
	case SIM_FW_REQUESTED:
		s->firmware.state = FW_RUNNING;
		s->firmware.job = n->fw_lock_held ? FWJ_NOT_STARTED : FWJ_REQUESTED;
		break;
	case SIM_FW_RUNNING:
		s->firmware.state = FW_RUNNING;
		s->firmware.job = FWJ_RUNNING;
		break;
	case SIM_FW_REBOOTING:
		s->firmware.state = FW_REBOOTING;
		s->firmware.job = FWJ_REBOOT_PENDING;
		break;
	case SIM_FW_DONE:
		s->firmware.state = FW_DONE;
		s->firmware.job = n->fw_rebooted ? FWJ_REBOOTED
				  : strstr(n->fw_log, "Partial update failure") ? FWJ_FAILED
										  : FWJ_DONE;
		break;
	default:
		s->firmware.state = strcmp(n->version, n->latest) ? FW_UPDATE_AVAILABLE : FW_IDLE;
	}
	if (s->firmware.job)
		str_printf(s->firmware.job_detail, sizeof(s->firmware.job_detail), "simulated update: %s",
			   fwjob_state_name((enum fwjob_state)s->firmware.job));
	s->taken = wall_s();
}

/* ---- actions ----------------------------------------------------------- */

static struct sim_node *act_node(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = sim_node_get(w, pi, ni);
	sim_world_advance(w);
	if (!n)
		return NULL;
	if (!n->up) {
		str_copy(reply, "node is down", len);
		return NULL;
	}
	n->mutations++;
	return n;
}

int sim_maintenance_toggle(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	if (!n)
		return -1;
	if (!n->maintenance) {
		n->maintenance = true;
		n->demotion += MAINT_DEMOTION; /* a sysctl write adds, it does not set */
		str_copy(reply, "{\"status\":\"ok\",\"action\":\"enter_maintenance\"}", len);
	} else {
		n->maintenance = false;
		n->demotion += n->demotion_default - n->demotion; /* back to the default */
		str_copy(reply, "{\"status\":\"ok\",\"action\":\"leave_maintenance\"}", len);
	}
	n->serial++;
	sim_world_advance_to(w, w->t);
	return 0;
}

int sim_carp_disable(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	if (!n)
		return -1;
	n->allow = 0;
	str_copy(reply, "{\"status\":\"ok\",\"action\":\"disable\"}", len);
	sim_world_advance_to(w, w->t);
	return 0;
}

int sim_carp_enable(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	if (!n)
		return -1;
	/* enable does NOT leave maintenance mode (FIELD-NOTES). */
	n->allow = 1;
	str_copy(reply, "{\"status\":\"ok\",\"action\":\"enable\"}", len);
	sim_world_advance_to(w, w->t);
	return 0;
}

int sim_vip_add(struct sim_world *w, int pi, int ni, const char *iface, enum vip_mode mode,
		const char *addr, int prefix, int vhid, const char *descr, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	struct sim_vip *v;
	int i;
	if (!n)
		return -1;
	if (!sim_node_if(n, iface)) {
		str_copy(reply, "{\"result\":\"failed\",\"validations\":{\"vip.interface\":\"Option not in list.\"}}", len);
		return 1;
	}
	if (prefix < 0 || prefix > 128 || !addr || !*addr) {
		str_copy(reply, "{\"result\":\"failed\",\"validations\":{\"vip.network\":[\"A valid network address is required.\"]}}", len);
		return 1;
	}
	{
		/* Vip::performValidation: an IPv4 CARP or alias address on a
		 * prefix up to /30 is neither the network nor the broadcast. */
		struct in_addr a4;
		if (prefix <= 30 && inet_pton(AF_INET, addr, &a4) == 1) {
			uint32_t h = ntohl(a4.s_addr), mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
			const char *what = h == (h & mask) ? "network" : h == ((h & mask) | ~mask) ? "broadcast" : NULL;
			if (what) {
				snprintf(reply, len,
					 "{\"result\":\"failed\",\"validations\":{\"vip.network\":[\"You cannot use the %s address.\"]}}",
					 what);
				return 1;
			}
		}
	}
	for (i = 0; i < n->n_vips; i++) {
		if (str_eq(n->vips[i].addr, addr) && !n->vips[i].pending_delete) {
			str_copy(reply, "{\"result\":\"failed\",\"validations\":{\"vip.network\":[\"Address already assigned.\"]}}", len);
			return 1;
		}
	}
	if (mode == VIP_MODE_IPALIAS && vhid > 0) {
		bool ok = false;
		for (i = 0; i < n->n_vips; i++)
			ok |= n->vips[i].vhid == vhid && n->vips[i].mode == VIP_MODE_CARP && str_eq(n->vips[i].iface, iface);
		if (!ok) {
			snprintf(reply, len,
				 "{\"result\":\"failed\",\"validations\":{\"vip.vhid\":\"VHID %d must be defined on interface %s as a CARP VIP first.\"}}",
				 vhid, iface);
			return 1;
		}
	}
	v = add_vip(w, n, iface, mode, addr, prefix, vhid, 0, descr ? descr : "");
	if (!v) {
		str_copy(reply, "{\"errorMessage\":\"Unexpected error, check log for details\"}", len);
		return 1;
	}
	v->applied = false; /* nothing reaches the interface until reconfigure */
	if (mode == VIP_MODE_IPALIAS) {
		const struct sim_vip *c = find_vip(n, vhid, VIP_MODE_CARP);
		v->advbase = c ? c->advbase : 1;
		v->advskew = c ? c->advskew : 0;
	}
	n->serial++;
	snprintf(reply, len, "{\"result\":\"saved\",\"uuid\":\"%s\"}", v->uuid);
	return 0;
}

int sim_vip_delete(struct sim_world *w, int pi, int ni, const char *uuid, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	int i, k;
	if (!n)
		return -1;
	for (i = 0; i < n->n_vips; i++) {
		struct sim_vip *v = &n->vips[i];
		if (!str_eq(v->uuid, uuid) || v->pending_delete)
			continue;
		if (v->mode == VIP_MODE_CARP) {
			for (k = 0; k < n->n_vips; k++) {
				if (n->vips[k].vhid == v->vhid && n->vips[k].mode == VIP_MODE_IPALIAS &&
				    !n->vips[k].pending_delete) {
					snprintf(reply, len,
						 "{\"errorMessage\":\"Cannot delete CARP Virtual IP, IP Alias with VHID Group %d still exists.\",\"errorTitle\":\"Error\",\"errorLevel\":\"error\"}",
						 v->vhid);
					return 1;
				}
			}
		}
		v->pending_delete = true;
		n->serial++;
		str_copy(reply, "{\"result\":\"deleted\"}", len);
		return 0;
	}
	str_copy(reply, "{\"result\":\"not found\"}", len);
	return 1;
}

int sim_vip_apply(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	int i, k;
	if (!n)
		return -1;
	for (i = 0, k = 0; i < n->n_vips; i++) {
		/* A deleted VIP whose address no todo file names stays on
		 * the interface (still out of the config). */
		if (n->vips[i].pending_delete && !n->vips[i].keep_addr)
			continue;
		n->vips[k] = n->vips[i];
		n->vips[k++].applied = true;
	}
	n->n_vips = k;
	str_copy(reply, "{\"status\":\"ok\"}", len);
	sim_world_advance_to(w, w->t);
	return 0;
}

int sim_firmware_update(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	if (!n)
		return -1;
	if (n->fw == SIM_FW_RUNNING || n->fw == SIM_FW_REBOOTING) {
		str_copy(reply, "{\"status\":\"failure\"}", len);
		return 1;
	}
	/* configd runs launcher.sh under daemon(8): it answers at once, and
	 * the job starts (or, lock held, never does) behind its back. */
	n->fw = SIM_FW_REQUESTED;
	n->fw_rebooted = false;
	n->fw_until = n->fw_lock_held ? INFINITY : w->t + n->fw_stale_s;
	sim_world_advance_to(w, w->t);
	snprintf(reply, len, "{\"msg_uuid\":\"%08x-0000-4000-8000-000000000001\",\"status\":\"ok\"}",
		 (unsigned)(pi * 2 + ni));
	return 0;
}

bool sim_firmware_busy(const struct sim_node *n)
{
	return n->fw == SIM_FW_RUNNING || n->fw == SIM_FW_REBOOTING || (n->fw == SIM_FW_REQUESTED && n->fw_lock_held) ||
	       n->fw_lock_held;
}

void sim_node_date(double t, char *buf, size_t n)
{
	time_t secs = (time_t)(SIM_EPOCH + (long long)floor(t));
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(buf, n, "%a %b %e %H:%M:%S UTC %Y", &tm);
}

int sim_reboot(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	if (!n)
		return -1;
	node_go_down(w, pi, ni, w->t + w->reboot_secs);
	str_copy(reply, "{\"status\":\"ok\"}", len);
	sim_world_advance_to(w, w->t);
	return 0;
}

void sim_node_date_iso(double t, char *buf, size_t n)
{
	time_t secs = (time_t)(SIM_EPOCH + (long long)floor(t));
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* A system log line as syslog-ng writes it on OPNsense (RFC 5424 framing);
 * the oldest lines go when the buffer is full. */
static void node_log(struct sim_world *w, struct sim_node *n, const char *msg)
{
	char line[400], ts[32];
	size_t l = strlen(n->syslog), ll;
	sim_node_date_iso(w->t, ts, sizeof(ts));
	str_printf(line, sizeof(line), "<13>1 %s+00:00 %s config 4242 - [meta sequenceId=\"1\"] %s\n", ts, n->hostname,
		   msg);
	ll = strlen(line);
	while (l + ll + 1 > sizeof(n->syslog) && l > 0) {
		char *nl = strchr(n->syslog, '\n');
		size_t cut = nl ? (size_t)(nl - n->syslog) + 1 : l;
		memmove(n->syslog, n->syslog + cut, l - cut + 1);
		l -= cut;
	}
	str_copy(n->syslog + l, line, sizeof(n->syslog) - l);
}

int sim_sync(struct sim_world *w, int pi, int ni, char *reply, size_t len)
{
	struct sim_node *n = act_node(w, pi, ni, reply, len);
	struct sim_node *peer;
	int i, k;
	if (!n)
		return -1;
	peer = &w->pairs[pi].node[1 - ni];
	if (!n->sync_target[0]) {
		/* rc.filter_synchronize exits quietly without a target. */
		node_log(w, n, "Config sync not being done because of missing sync IP (this is normal on secondary systems).");
		str_copy(reply, "{\"status\":\"ok\",\"count\":0}", len);
		return 0;
	}
	if (!peer->up) {
		node_log(w, n, "An error occurred while attempting XMLRPC sync with username root and https://peer/xmlrpc.php "
			       "connection refused");
		str_copy(reply, "{\"status\":\"error\",\"message\":\"xmlrpc: connection refused\"}", len);
		return 1;
	}
	if (n->sync_fail) {
		node_log(w, n, "An authentication failure occurred while trying to access https://peer/xmlrpc.php "
			       "(opnsense.firmware_version).");
		str_copy(reply, "{\"status\":\"error\",\"message\":\"authentication failure\"}", len);
		return 1;
	}
	/* rc.filter_synchronize sends every VIP with a VHID (CARP VIPs and IP
	 * aliases), CARP advskew + 100 (capped at 254); the peer keeps its
	 * own VIPs without one. */
	for (i = 0, k = 0; i < peer->n_vips; i++)
		if (!peer->vips[i].vhid)
			peer->vips[k++] = peer->vips[i];
	peer->n_vips = k;
	for (i = 0; i < n->n_vips && peer->n_vips < SIM_MAX_VIPS; i++) {
		if (!n->vips[i].vhid || n->vips[i].pending_delete)
			continue;
		peer->vips[peer->n_vips] = n->vips[i];
		if (n->vips[i].mode == VIP_MODE_CARP)
			peer->vips[peer->n_vips].advskew =
				n->vips[i].advskew + 100 > 254 ? 254 : n->vips[i].advskew + 100;
		peer->vips[peer->n_vips].applied = true;
		peer->n_vips++;
	}
	/* The receiver replaces whole sections: the rules too, when synced. */
	if (strstr(n->sync_items, "rules")) {
		memcpy(peer->rules, n->rules, sizeof(peer->rules));
		peer->n_rules = n->n_rules;
	}
	peer->serial++;
	{
		char m[160];
		str_printf(m, sizeof(m), "Filter sync successfully completed with %s.", n->sync_target);
		node_log(w, n, m);
	}
	str_copy(reply, "{\"status\":\"ok\",\"count\":1}", len);
	sim_world_advance_to(w, w->t);
	return 0;
}

void sim_node_power(struct sim_world *w, int pi, int ni, bool on)
{
	struct sim_node *n = sim_node_get(w, pi, ni);
	if (!n)
		return;
	sim_world_advance(w);
	if (on && !n->up) {
		n->powered_off = false;
		node_boot(w, n);
	} else if (!on && n->up) {
		node_go_down(w, pi, ni, 0);
		n->powered_off = true;
	}
	sim_world_advance_to(w, w->t);
}

void sim_node_link(struct sim_world *w, int pi, int ni, const char *iface, bool up)
{
	struct sim_node *n = sim_node_get(w, pi, ni);
	int i;
	if (!n)
		return;
	sim_world_advance(w);
	for (i = 0; i < n->n_ifs; i++)
		if (str_eq(n->ifs[i].key, iface))
			n->ifs[i].link_down = !up;
	sim_world_advance_to(w, w->t);
}

/* ---- the transition log ---------------------------------------------- */

void sim_log_write(const struct sim_world *w, FILE *f)
{
	size_t i;
	for (i = 0; i < w->n_log; i++) {
		const struct sim_transition *t = &w->log[i];
		fprintf(f, "%.3f %s %s vhid %d %s -> %s masters=%d\n", t->t, w->pairs[t->pair].name,
			w->pairs[t->pair].node[t->node].name, t->vhid, carp_status_name(t->from),
			carp_status_name(t->to), t->masters_after);
	}
}

int sim_log_split_brains(const struct sim_world *w, double since)
{
	size_t i;
	int n = 0;
	for (i = 0; i < w->n_log; i++)
		if (w->log[i].t >= since && w->log[i].masters_after >= 2)
			n++;
	return n;
}

int sim_log_no_master(const struct sim_world *w, double since)
{
	size_t i;
	int n = 0;
	for (i = 0; i < w->n_log; i++)
		if (w->log[i].t >= since && w->log[i].masters_after == 0)
			n++;
	return n;
}
