/* The read model (src/checks/view.c): the build order, and each node's facts
 * computed once — name with its one fallback, up, ages, stale, config
 * state and reason — and read the same by the checks and the renderers. */
#include <string.h>

#include "confcache.h"
#include "output.h"
#include "pair.h"
#include "testlib.h"
#include "util.h"
#include "view.h"

#define NOW 10000.0

static struct cluster_conf cluster(const char *n0, const char *n1)
{
	struct cluster_conf c;
	memset(&c, 0, sizeof(c));
	c.name = "hq";
	c.interval = 2;
	c.maintenance_max_age = 4 * 3600;
	c.state_ratio = 0.2;
	c.nodes[0].name = (char *)n0;
	c.nodes[0].role = ROLE_PRIMARY;
	c.nodes[1].name = (char *)n1;
	c.nodes[1].role = ROLE_SECONDARY;
	return c;
}

/* A reachable node MASTER (or BACKUP) on VHID 1, stamped `taken`. */
static void node(struct snapshot *s, bool master, double taken)
{
	struct vip_row *r;
	snapshot_init(s);
	s->reachable = true;
	s->err = NERR_NONE;
	s->taken = taken;
	s->carp.known = true;
	s->carp.allow = 1;
	r = snapshot_add_vip(s);
	str_copy(r->ifname, "WAN", sizeof(r->ifname));
	r->vhid = 1;
	str_copy(r->address, "172.18.0.100", sizeof(r->address));
	r->prefix = 24;
	r->mode = VIP_MODE_CARP;
	r->advbase = 1;
	r->advskew = master ? 0 : 100;
	r->status = master ? CARP_ST_MASTER : CARP_ST_BACKUP;
}

static const struct finding *find(const struct pair_view *v, const char *id)
{
	size_t i;
	for (i = 0; i < v->n_findings; i++)
		if (str_eq(v->findings[i].id, id))
			return &v->findings[i];
	return NULL;
}

/* pair_build only merges the snapshots; the view runs the checks. */
static void test_order(void)
{
	struct cluster_conf c = cluster("fw1", "fw2");
	struct snapshot a, b;
	struct pair_view v;

	node(&a, true, NOW);
	snapshot_init(&b);
	snapshot_set_error(&b, NERR_TIMEOUT, "timed out");
	pair_build(&v, &c, &a, &b, NULL, NOW);
	CHECK_INT_EQ(v.n_rows, 1);
	CHECK_INT_EQ(v.n_findings, 0);
	pair_free(&v);

	view_build_pair(&v, &c, &a, &b, NULL, NOW);
	CHECK(v.n_findings > 0);
	CHECK(v.verdict == SEV_CRITICAL);
	CHECK(v.findings[0].severity == SEV_CRITICAL); /* sorted worst first */
	CHECK(v.node[0].up);
	CHECK(!v.node[1].up);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

/* A cluster built by hand without names: one fallback, the role words, in
 * the checks' messages and in every renderer alike. */
static void test_name_fallback(void)
{
	struct cluster_conf c = cluster(NULL, "");
	struct snapshot a, b;
	struct pair_view v;
	struct strbuf sb;
	const struct finding *f;

	node(&a, true, NOW);
	snapshot_init(&b);
	snapshot_set_error(&b, NERR_TIMEOUT, "timed out");
	view_build_pair(&v, &c, &a, &b, NULL, NOW);
	CHECK_STR_EQ(v.node[0].name, "primary");
	CHECK_STR_EQ(v.node[1].name, "secondary");
	CHECK_STR_EQ(view_node_name(&v, 1), "secondary");
	f = find(&v, "node-unreachable");
	CHECK(f != NULL);
	if (f)
		CHECK_CONTAINS(f->message, "secondary");

	sb_init(&sb);
	output_render(&sb, OUT_JSON, &v, 1, NULL);
	CHECK_CONTAINS(sb.buf, "\"name\":\"secondary\"");
	CHECK(!strstr(sb.buf, "node2"));
	sb_free(&sb);
	sb_init(&sb);
	output_render(&sb, OUT_NAGIOS, &v, 1, NULL);
	CHECK_CONTAINS(sb.buf, "secondary");
	sb_free(&sb);
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

/* Poll age counts every poll; data age only answers with data; stale is
 * data older than two intervals on a node that answers. */
static void test_ages(void)
{
	struct cluster_conf c = cluster("fw1", "fw2");
	struct snapshot a, b;
	struct view_node_src ns[CLUSTER_NODES];
	struct view_src src;
	struct pair_view v;

	node(&a, true, NOW - 10);
	snapshot_init(&b);
	snapshot_set_error(&b, NERR_TIMEOUT, "timed out");
	b.taken = NOW - 1;
	memset(ns, 0, sizeof(ns));
	memset(&src, 0, sizeof(src));
	ns[1].polled = true;
	ns[1].last_ok = NOW - 30;
	src.cluster = &c;
	src.snap[0] = &a;
	src.snap[1] = &b;
	src.now = NOW;
	src.node[0] = &ns[0];
	src.node[1] = &ns[1];
	view_build(&v, &src);
	CHECK(v.node[0].poll_age == 10);
	CHECK(v.node[0].data_age == 10);
	CHECK(v.node[0].stale);
	CHECK(v.node[1].poll_age == 1);
	CHECK(v.node[1].data_age == 30);
	CHECK(!v.node[1].stale); /* not up: UNKNOWN, not stale */
	CHECK(v.node[1].role == ROLE_SECONDARY);
	pair_free(&v);

	/* Fresh data is not stale; a stamp after `now` is age 0, not negative. */
	a.taken = NOW + 0.5;
	view_build_pair(&v, &c, &a, &b, NULL, NOW);
	CHECK(v.node[0].poll_age == 0);
	CHECK(!v.node[0].stale);
	CHECK(v.node[1].data_age < 0); /* no last_ok known: never had data */
	pair_free(&v);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

static const char minimal_xml[] = "<?xml version=\"1.0\"?>\n<opnsense><system><hostname>fw</hostname></system></opnsense>\n";

/* Every config state with its reason, and the cached config checks only
 * with a config that is read and a node that answers. */
static void test_config_state(void)
{
	struct cluster_conf c = cluster("fw1", "fw2");
	struct snapshot a, b;
	struct view_node_src ns[CLUSTER_NODES];
	struct conf_cache cc[CLUSTER_NODES];
	struct config_result cr;
	struct view_src src;
	struct pair_view v;
	int n;

	node(&a, true, NOW);
	node(&b, false, NOW);
	memset(ns, 0, sizeof(ns));
	memset(cc, 0, sizeof(cc));
	memset(&cr, 0, sizeof(cr));
	memset(&src, 0, sizeof(src));
	src.cluster = &c;
	src.snap[0] = &a;
	src.snap[1] = &b;
	src.now = NOW;
	src.config = &cr;
	for (n = 0; n < CLUSTER_NODES; n++) {
		ns[n].polled = true;
		ns[n].transport = true;
		ns[n].transport_name = "ssh";
		ns[n].reads_config = true;
		ns[n].config = &cc[n];
		src.node[n] = &ns[n];
	}

	/* Not read yet, then being read. */
	view_build(&v, &src);
	CHECK(v.node[0].conf_state == VCONF_NOT_YET);
	CHECK_STR_EQ(v.node[0].conf_reason, "fw1: config not read yet");
	CHECK(!v.drift_known);
	pair_free(&v);
	cc[0].pending = true;
	view_build(&v, &src);
	CHECK_CONTAINS(v.node[0].conf_reason, "(reading it now)");
	pair_free(&v);

	/* A failed read says why. */
	cc[0].pending = false;
	conf_cache_store(&cc[0], "<nope", 5, "fw1:/conf/config.xml", NOW);
	view_build(&v, &src);
	CHECK(v.node[0].conf_state == VCONF_FAILED);
	CHECK_CONTAINS(v.node[0].conf_reason, "fw1: config.xml could not be read: ");
	pair_free(&v);

	/* Both read: the configs are compared. */
	conf_cache_store(&cc[0], minimal_xml, strlen(minimal_xml), "fw1", NOW);
	conf_cache_store(&cc[1], minimal_xml, strlen(minimal_xml), "fw2", NOW);
	view_build(&v, &src);
	CHECK(v.node[0].conf_state == VCONF_READ);
	CHECK_STR_EQ(v.node[0].conf_reason, "");
	CHECK(v.conf[0] != NULL && v.conf[1] != NULL);
	CHECK(v.drift_known);
	pair_free(&v);

	/* A node that stops answering has no current config. */
	snapshot_set_error(&b, NERR_TIMEOUT, "timed out");
	view_build(&v, &src);
	CHECK(v.node[1].conf_state == VCONF_UNREACHABLE);
	CHECK_STR_EQ(v.node[1].conf_reason, "fw2 cannot be reached (timed out): its config is not known now");
	CHECK(v.conf[1] == NULL);
	CHECK(!v.drift_known);
	pair_free(&v);

	/* Transports that cannot read it, or none at all. */
	ns[1].reads_config = false;
	snapshot_clear(&b);
	node(&b, false, NOW);
	view_build(&v, &src);
	CHECK(v.node[1].conf_state == VCONF_NOT_SUPPORTED);
	CHECK_STR_EQ(v.node[1].conf_reason, "fw2: config not available over this transport (ssh cannot read config.xml)");
	pair_free(&v);
	ns[1].transport = false;
	snapshot_set_error(&b, NERR_CONFIG, "no key file");
	view_build(&v, &src);
	CHECK(v.node[1].conf_state == VCONF_NO_TRANSPORT);
	CHECK_STR_EQ(v.node[1].conf_reason, "fw2 has no working transport: no key file");
	pair_free(&v);

	/* Without the app's facts the state is not claimed. */
	view_build_pair(&v, &c, &a, &b, NULL, NOW);
	CHECK(v.node[0].conf_state == VCONF_UNKNOWN);
	pair_free(&v);

	config_result_free(&cr);
	for (n = 0; n < CLUSTER_NODES; n++)
		conf_cache_free(&cc[n]);
	snapshot_clear(&a);
	snapshot_clear(&b);
}

int main(void)
{
	RUN(test_order);
	RUN(test_name_fallback);
	RUN(test_ages);
	RUN(test_config_state);
	return test_done();
}
