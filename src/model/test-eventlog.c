/* The event log: what the console logs between consecutive snapshots. */
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "testlib.h"
#include "util.h"

static void vip(struct snapshot *s, int vhid, enum vip_mode mode, enum carp_status st)
{
	struct vip_row *r = snapshot_add_vip(s);
	r->vhid = vhid;
	r->mode = mode;
	r->status = st;
	str_copy(r->address, "10.0.0.1", sizeof(r->address));
}

static void healthy(struct snapshot *s, enum carp_status st1, enum carp_status st3)
{
	snapshot_clear(s);
	s->reachable = true;
	s->carp.known = true;
	s->carp.allow = 1;
	vip(s, 1, VIP_MODE_CARP, st1);
	vip(s, 3, VIP_MODE_IPALIAS, CARP_ST_BACKUP); /* an alias only stands in */
	vip(s, 3, VIP_MODE_CARP, st3);
}

static const char *text(const struct evlog *l, size_t i)
{
	const struct event *e = evlog_get(l, i);
	return e ? e->text : "(none)";
}

static void test_first_and_roles(void)
{
	struct evlog l;
	struct snapshot a, b;
	snapshot_init(&a);
	snapshot_init(&b);
	evlog_init(&l, 16);

	healthy(&a, CARP_ST_MASTER, CARP_ST_MASTER);
	CHECK_INT_EQ(evlog_diff(&l, 100, "demo", "fw1", NULL, &a), 1);
	CHECK_STR_EQ(text(&l, 0), "first poll: reachable; VHID 1 MASTER, VHID 3 MASTER");
	CHECK_STR_EQ(evlog_get(&l, 0)->node, "fw1");
	CHECK(evlog_get(&l, 0)->t == 100);

	/* Nothing changed: nothing logged. */
	healthy(&b, CARP_ST_MASTER, CARP_ST_MASTER);
	CHECK_INT_EQ(evlog_diff(&l, 102, "demo", "fw1", &a, &b), 0);

	/* VHID 3 goes BACKUP, demotion and maintenance change. */
	healthy(&b, CARP_ST_MASTER, CARP_ST_BACKUP);
	b.carp.demotion = 240;
	b.carp.maintenance = true;
	CHECK_INT_EQ(evlog_diff(&l, 104, "demo", "fw1", &a, &b), 3);
	CHECK_STR_EQ(text(&l, 1), "VHID 3 MASTER -> BACKUP");
	CHECK_INT_EQ(evlog_get(&l, 1)->vhid, 3);
	CHECK_INT_EQ(evlog_get(&l, 1)->kind, EV_ROLE);
	CHECK_STR_EQ(text(&l, 2), "demotion 0 -> 240");
	CHECK_STR_EQ(text(&l, 3), "maintenance mode entered");
	CHECK_INT_EQ(evlog_get(&l, 3)->severity, SEV_WARNING);

	/* CARP disabled, VHID 1 gone, VHID 5 new. */
	healthy(&a, CARP_ST_MASTER, CARP_ST_BACKUP);
	a.carp.demotion = 240;
	a.carp.maintenance = true;
	snapshot_clear(&b);
	b.reachable = true;
	b.carp.known = true;
	b.carp.allow = 0;
	b.carp.demotion = 240;
	b.carp.maintenance = true;
	vip(&b, 3, VIP_MODE_CARP, CARP_ST_BACKUP);
	vip(&b, 5, VIP_MODE_CARP, CARP_ST_INIT);
	CHECK_INT_EQ(evlog_diff(&l, 106, "demo", "fw1", &a, &b), 3);
	CHECK_STR_EQ(text(&l, 4), "VHID 5 appeared (INIT)");
	CHECK_STR_EQ(text(&l, 5), "VHID 1 is gone");
	CHECK_STR_EQ(text(&l, 6), "CARP disabled (net.inet.carp.allow 1 -> 0)");

	snapshot_clear(&a);
	snapshot_clear(&b);
	evlog_free(&l);
}

static void test_reachability(void)
{
	struct evlog l;
	struct snapshot a, b;
	snapshot_init(&a);
	snapshot_init(&b);
	evlog_init(&l, 16);

	healthy(&a, CARP_ST_BACKUP, CARP_ST_BACKUP);
	snapshot_set_error(&b, NERR_TIMEOUT, "no answer within 5 s");
	b.reachable = false;
	CHECK_INT_EQ(evlog_diff(&l, 1, "c", "fw2", &a, &b), 1);
	CHECK_STR_EQ(text(&l, 0), "unreachable: no answer within 5 s");
	CHECK_INT_EQ(evlog_get(&l, 0)->severity, SEV_UNKNOWN);

	/* Still down for the same reason: quiet. Another reason: logged. */
	CHECK_INT_EQ(evlog_diff(&l, 2, "c", "fw2", &b, &b), 0);
	snapshot_clear(&a);
	snapshot_set_error(&a, NERR_REFUSED, "connection refused");
	CHECK_INT_EQ(evlog_diff(&l, 3, "c", "fw2", &b, &a), 1);
	CHECK_STR_EQ(text(&l, 1), "still unreachable: connection refused");

	/* Back: the roles as they are now, no role changes invented. */
	healthy(&b, CARP_ST_MASTER, CARP_ST_BACKUP);
	CHECK_INT_EQ(evlog_diff(&l, 4, "c", "fw2", &a, &b), 1);
	CHECK_STR_EQ(text(&l, 2), "reachable again; VHID 1 MASTER, VHID 3 BACKUP");

	/* A node first seen down. */
	CHECK_INT_EQ(evlog_diff(&l, 5, "c", "fw3", NULL, &a), 1);
	CHECK_STR_EQ(text(&l, 3), "first poll: UNKNOWN: connection refused");

	snapshot_clear(&a);
	snapshot_clear(&b);
	evlog_free(&l);
}

static void test_ring_and_inert(void)
{
	struct evlog l;
	int i;
	evlog_init(&l, 4);
	for (i = 0; i < 10; i++)
		evlog_add(&l, i, EV_ACTION, SEV_INFO, "c", "n", 0, "event %d", i);
	CHECK_INT_EQ(evlog_count(&l), 4);
	CHECK_STR_EQ(text(&l, 0), "event 6");
	CHECK_STR_EQ(text(&l, 3), "event 9");
	CHECK(evlog_get(&l, 4) == NULL);
	CHECK_INT_EQ(l.total, 10);

	/* Whatever a node put in its error reaches the log inert. */
	evlog_add(&l, 11, EV_UNREACHABLE, SEV_UNKNOWN, "c\x1b[2J", "n\x07", 0, "unreachable: %s", "\x1b]0;pwned\x07");
	CHECK_STR_EQ(text(&l, 3), "unreachable: ?]0;pwned?");
	CHECK_STR_EQ(evlog_get(&l, 3)->cluster, "c?[2J");
	CHECK_STR_EQ(evlog_get(&l, 3)->node, "n?");
	evlog_free(&l);
}

int main(void)
{
	RUN(test_first_and_roles);
	RUN(test_reachability);
	RUN(test_ring_and_inert);
	return test_done();
}
