#include "eventlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *event_kind_name(enum event_kind k)
{
	static const char *const names[] = {
		[EV_FIRST_POLL] = "first-poll", [EV_UNREACHABLE] = "unreachable", [EV_REACHABLE] = "reachable",
		[EV_ROLE] = "role", [EV_VHID_ADDED] = "vhid-added", [EV_VHID_REMOVED] = "vhid-removed",
		[EV_DEMOTION] = "demotion", [EV_MAINTENANCE] = "maintenance", [EV_ALLOW] = "carp-allow",
		[EV_ACTION] = "action", [EV_STREAM] = "stream",
	};
	return (size_t)k < ARRAY_LEN(names) && names[k] ? names[k] : "?";
}

void evlog_init(struct evlog *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap ? cap : 1;
	l->ev = xcalloc(l->cap, sizeof(*l->ev));
}

void evlog_free(struct evlog *l)
{
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

size_t evlog_count(const struct evlog *l)
{
	return l->n;
}

const struct event *evlog_get(const struct evlog *l, size_t i)
{
	if (i >= l->n)
		return NULL;
	return &l->ev[(l->head + i) % l->cap];
}

void evlog_add(struct evlog *l, double t, enum event_kind kind, enum severity sev, const char *cluster,
	       const char *node, int vhid, const char *fmt, ...)
{
	struct event *e;
	char raw[EVENT_TEXT_LEN];
	va_list ap;

	if (l->n < l->cap) {
		e = &l->ev[(l->head + l->n) % l->cap];
		l->n++;
	} else {
		/* Full: overwrite the oldest. */
		e = &l->ev[l->head];
		l->head = (l->head + 1) % l->cap;
	}
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->kind = kind;
	e->severity = sev;
	e->vhid = vhid;
	text_sanitize(e->cluster, cluster ? cluster : "", sizeof(e->cluster));
	text_sanitize(e->node, node ? node : "", sizeof(e->node));
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	text_sanitize(e->text, raw, sizeof(e->text));
	l->total++;
}

/* A node's status for a VHID: its CARP VIP's (IP aliases only stand in). */
static bool vhid_status(const struct snapshot *s, int vhid, enum carp_status *st)
{
	size_t i;
	bool found = false;
	for (i = 0; i < s->n_vips; i++) {
		const struct vip_row *r = &s->vips[i];
		if (r->vhid != vhid)
			continue;
		if (r->mode == VIP_MODE_CARP) {
			*st = r->status;
			return true;
		}
		if (!found) {
			*st = r->status;
			found = true;
		}
	}
	return found;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The distinct VHIDs of a snapshot, sorted. */
static size_t vhids_of(const struct snapshot *s, int *out, size_t max)
{
	size_t i, k, n = 0;
	for (i = 0; i < s->n_vips && n < max; i++) {
		int v = s->vips[i].vhid;
		if (v <= 0)
			continue;
		for (k = 0; k < n && out[k] != v; k++)
			;
		if (k == n)
			out[n++] = v;
	}
	qsort(out, n, sizeof(*out), cmp_int);
	return n;
}

static enum severity role_severity(enum carp_status to)
{
	switch (to) {
	case CARP_ST_MASTER:
	case CARP_ST_BACKUP:
		return SEV_INFO;
	case CARP_ST_INIT:
		return SEV_CRITICAL;
	default:
		return SEV_WARNING;
	}
}

/* "VHID 1 MASTER, VHID 3 BACKUP" */
static void roles_summary(const struct snapshot *s, char *dst, size_t n)
{
	int v[64];
	size_t k, nv = vhids_of(s, v, ARRAY_LEN(v));
	struct strbuf sb;
	sb_init(&sb);
	for (k = 0; k < nv; k++) {
		enum carp_status st = CARP_ST_UNKNOWN;
		vhid_status(s, v[k], &st);
		sb_printf(&sb, "%sVHID %d %s", k ? ", " : "", v[k], carp_status_name(st));
	}
	str_copy(dst, nv ? sb.buf : "no VHIDs", n);
	sb_free(&sb);
}

int evlog_diff(struct evlog *l, double t, const char *cluster, const char *node,
	       const struct snapshot *prev, const struct snapshot *cur)
{
	unsigned long before = l->total;
	char roles[EVENT_TEXT_LEN - 32];
	int pv[64], cv[64];
	size_t npv, ncv, i, k;

	if (!prev) {
		if (cur->reachable) {
			roles_summary(cur, roles, sizeof(roles));
			evlog_add(l, t, EV_FIRST_POLL, SEV_OK, cluster, node, 0, "first poll: reachable; %s", roles);
		} else {
			evlog_add(l, t, EV_FIRST_POLL, SEV_UNKNOWN, cluster, node, 0, "first poll: UNKNOWN: %s",
				  cur->error);
		}
		return (int)(l->total - before);
	}
	if (prev->reachable && !cur->reachable) {
		evlog_add(l, t, EV_UNREACHABLE, SEV_UNKNOWN, cluster, node, 0, "unreachable: %s", cur->error);
		return (int)(l->total - before);
	}
	if (!cur->reachable) {
		/* Still down: log only a change of reason. */
		if (prev->err != cur->err)
			evlog_add(l, t, EV_UNREACHABLE, SEV_UNKNOWN, cluster, node, 0, "still unreachable: %s",
				  cur->error);
		return (int)(l->total - before);
	}
	if (!prev->reachable) {
		roles_summary(cur, roles, sizeof(roles));
		evlog_add(l, t, EV_REACHABLE, SEV_OK, cluster, node, 0, "reachable again; %s", roles);
		return (int)(l->total - before);
	}

	/* Both reachable: per VHID role changes, VHIDs appearing or going. */
	npv = vhids_of(prev, pv, ARRAY_LEN(pv));
	ncv = vhids_of(cur, cv, ARRAY_LEN(cv));
	for (i = 0; i < ncv; i++) {
		enum carp_status was = CARP_ST_UNKNOWN, now = CARP_ST_UNKNOWN;
		bool had = false;
		for (k = 0; k < npv; k++)
			if (pv[k] == cv[i])
				had = true;
		vhid_status(cur, cv[i], &now);
		if (!had) {
			evlog_add(l, t, EV_VHID_ADDED, SEV_INFO, cluster, node, cv[i], "VHID %d appeared (%s)", cv[i],
				  carp_status_name(now));
			continue;
		}
		vhid_status(prev, cv[i], &was);
		if (was != now)
			evlog_add(l, t, EV_ROLE, role_severity(now), cluster, node, cv[i], "VHID %d %s -> %s", cv[i],
				  carp_status_name(was), carp_status_name(now));
	}
	for (k = 0; k < npv; k++) {
		bool has = false;
		for (i = 0; i < ncv; i++)
			if (cv[i] == pv[k])
				has = true;
		if (!has)
			evlog_add(l, t, EV_VHID_REMOVED, SEV_WARNING, cluster, node, pv[k], "VHID %d is gone", pv[k]);
	}

	if (prev->carp.known && cur->carp.known) {
		if (prev->carp.demotion != cur->carp.demotion)
			evlog_add(l, t, EV_DEMOTION, cur->carp.demotion > prev->carp.demotion ? SEV_WARNING : SEV_INFO,
				  cluster, node, 0, "demotion %ld -> %ld", prev->carp.demotion, cur->carp.demotion);
		if (prev->carp.maintenance != cur->carp.maintenance)
			evlog_add(l, t, EV_MAINTENANCE, cur->carp.maintenance ? SEV_WARNING : SEV_INFO, cluster, node,
				  0, "maintenance mode %s", cur->carp.maintenance ? "entered" : "left");
		if (prev->carp.allow != cur->carp.allow)
			evlog_add(l, t, EV_ALLOW, cur->carp.allow ? SEV_INFO : SEV_WARNING, cluster, node, 0,
				  "CARP %s (net.inet.carp.allow %d -> %d)", cur->carp.allow ? "enabled" : "disabled",
				  prev->carp.allow, cur->carp.allow);
	}
	return (int)(l->total - before);
}
