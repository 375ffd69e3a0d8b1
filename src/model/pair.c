#include "pair.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const sev_names[] = {
	[SEV_OK] = "ok", [SEV_INFO] = "info", [SEV_WARNING] = "warning",
	[SEV_UNKNOWN] = "unknown", [SEV_CRITICAL] = "critical",
};
static const char *const sev_upper[] = {
	[SEV_OK] = "OK", [SEV_INFO] = "OK", [SEV_WARNING] = "WARNING",
	[SEV_UNKNOWN] = "UNKNOWN", [SEV_CRITICAL] = "CRITICAL",
};

const char *severity_name(enum severity s)
{
	return (size_t)s < ARRAY_LEN(sev_names) ? sev_names[s] : "unknown";
}

const char *severity_upper(enum severity s)
{
	return (size_t)s < ARRAY_LEN(sev_upper) ? sev_upper[s] : "UNKNOWN";
}

int severity_exit_code(enum severity s)
{
	switch (s) {
	case SEV_OK:
	case SEV_INFO:
		return 0;
	case SEV_WARNING:
		return 1;
	case SEV_CRITICAL:
		return 2;
	case SEV_UNKNOWN:
	default:
		return 3;
	}
}

enum severity severity_worst(enum severity a, enum severity b)
{
	return a > b ? a : b;
}

const char *vhid_verdict_name(enum vhid_verdict v)
{
	static const char *const names[] = {
		[VV_OK] = "ok", [VV_SPLIT_BRAIN] = "split-brain", [VV_NO_MASTER] = "no-master",
		[VV_INIT] = "init", [VV_MISMATCH] = "mismatch", [VV_UNKNOWN] = "unknown",
		[VV_NO_REDUNDANCY] = "no-redundancy",
	};
	return (size_t)v < ARRAY_LEN(names) ? names[v] : "unknown";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static struct vhid_row *row_get(struct pair_view *v, int vhid)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++)
		if (v->rows[i].vhid == vhid)
			return &v->rows[i];
	v->rows = xrealloc(v->rows, (v->n_rows + 1) * sizeof(*v->rows));
	memset(&v->rows[v->n_rows], 0, sizeof(*v->rows));
	v->rows[v->n_rows].vhid = vhid;
	v->rows[v->n_rows].master = -1;
	return &v->rows[v->n_rows++];
}

/* "addr/prefix" when the prefix is known, else the bare address. */
static void addr_key(char *dst, size_t n, const struct vip_row *r)
{
	if (r->prefix >= 0)
		str_printf(dst, n, "%s/%d", r->address, r->prefix);
	else
		str_copy(dst, r->address, n);
}

static bool addrs_has(char (*addrs)[SNAP_ADDR_LEN + 4], int n, const char *a)
{
	int i;
	for (i = 0; i < n; i++)
		if (strcmp(addrs[i], a) == 0)
			return true;
	return false;
}

static void side_add(struct vhid_side *s, const struct vip_row *r)
{
	char key[SNAP_ADDR_LEN + 4];
	bool carp = r->mode == VIP_MODE_CARP;

	/* The VHID's status, advbase and advskew are the CARP VIP's; an IP
	 * alias only stands in until the CARP row is seen. */
	if (!s->present || (carp && s->n_carp == 0)) {
		s->status = r->status;
		s->advbase = r->advbase;
		s->advskew = r->advskew;
		str_copy(s->ifname, r->ifname, sizeof(s->ifname));
		str_copy(s->ifdev, r->ifdev, sizeof(s->ifdev));
	}
	s->present = true;
	if (carp)
		s->n_carp++;
	else
		s->n_alias++;
	addr_key(key, sizeof(key), r);
	if (s->n_addrs < PAIR_MAX_ADDRS && !addrs_has(s->addrs, s->n_addrs, key))
		str_copy(s->addrs[s->n_addrs++], key, sizeof(s->addrs[0]));
}

/* Bare address of an "addr/prefix" key. */
static void bare(char *dst, size_t n, const char *key)
{
	const char *slash = strchr(key, '/');
	str_copy(dst, key, slash && (size_t)(slash - key) < n ? (size_t)(slash - key) + 1 : n);
}

/* Do the two sides carry the same addresses? Prefixes are compared only
 * where both nodes report them (the API gives bare addresses). */
static bool sides_same_addrs(const struct vhid_side *a, const struct vhid_side *b)
{
	int i, j;
	if (a->n_addrs != b->n_addrs)
		return false;
	for (i = 0; i < a->n_addrs; i++) {
		char ba[SNAP_ADDR_LEN + 4];
		bool found = false;
		bare(ba, sizeof(ba), a->addrs[i]);
		for (j = 0; j < b->n_addrs && !found; j++) {
			char bb[SNAP_ADDR_LEN + 4];
			bare(bb, sizeof(bb), b->addrs[j]);
			if (strcmp(ba, bb) == 0) {
				bool pa = strchr(a->addrs[i], '/'), pb = strchr(b->addrs[j], '/');
				found = !(pa && pb) || strcmp(a->addrs[i], b->addrs[j]) == 0;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static enum vhid_verdict row_verdict(const struct pair_view *v, struct vhid_row *r)
{
	const struct vhid_side *a = &r->side[0], *b = &r->side[1];
	int i, masters = 0, up = 0, live = -1;

	for (i = 0; i < CLUSTER_NODES; i++)
		if (v->snap[i] && v->snap[i]->reachable) {
			up++;
			live = i;
		}
	if (up == 0)
		return VV_UNKNOWN;
	if (up == 1) {
		/* What the answering node says is known: MASTER there means the
		 * VIP is served, without a standby; anything else means no
		 * MASTER is seen (the silent peer may or may not hold it). */
		const struct vhid_side *s = &r->side[live];
		if (s->present && s->status == CARP_ST_MASTER) {
			r->master = live;
			return VV_NO_REDUNDANCY;
		}
		return VV_NO_MASTER;
	}
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (r->side[i].present && r->side[i].status == CARP_ST_MASTER) {
			masters++;
			r->master = i;
		}
	}
	if (masters > 1)
		r->master = -1;
	if (masters > 1)
		return VV_SPLIT_BRAIN;
	if ((a->present && a->status == CARP_ST_INIT) || (b->present && b->status == CARP_ST_INIT))
		return VV_INIT;
	if (masters == 0)
		return VV_NO_MASTER;
	if (!a->present || !b->present)
		return VV_MISMATCH;
	/* A node with CARP disabled reports its VIPs from config only (DISABLED
	 * rows); compare address sets only while both run CARP. */
	if (a->status != CARP_ST_DISABLED && b->status != CARP_ST_DISABLED) {
		if (!sides_same_addrs(a, b))
			return VV_MISMATCH;
		if (a->advbase >= 0 && b->advbase >= 0 && a->advbase != b->advbase)
			return VV_MISMATCH;
	}
	if (a->ifname[0] && b->ifname[0] && strcmp(a->ifname, b->ifname) != 0)
		return VV_MISMATCH;
	return VV_OK;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct vhid_row *a = pa, *b = pb;
	return a->vhid - b->vhid;
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	if (a->severity != b->severity)
		return (int)b->severity - (int)a->severity;
	if (a->vhid != b->vhid)
		return a->vhid - b->vhid;
	return a->node - b->node;
}

struct finding *pair_add_finding(struct pair_view *v, const char *id, enum severity sev,
				 int node, int vhid, const char *hint, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;
	v->findings = xrealloc(v->findings, (v->n_findings + 1) * sizeof(*v->findings));
	f = &v->findings[v->n_findings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	f->node = node;
	f->vhid = vhid;
	f->hint = hint;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	text_sanitize_inplace(f->message);
	v->verdict = severity_worst(v->verdict, sev);
	return f;
}

static void history_update(struct pair_history *h, const struct pair_view *v, double now)
{
	int i;
	for (i = 0; i < CLUSTER_NODES; i++) {
		const struct snapshot *s = v->snap[i];
		if (!s || !s->reachable || !s->carp.known)
			continue; /* keep what we knew: unknown is not "ended" */
		if (s->carp.maintenance) {
			if (!h->maintenance_since[i])
				h->maintenance_since[i] = now;
		} else {
			h->maintenance_since[i] = 0;
		}
		if (s->carp.allow == 0) {
			if (!h->carp_disabled_since[i])
				h->carp_disabled_since[i] = now;
		} else {
			h->carp_disabled_since[i] = 0;
		}
	}
}

void pair_build(struct pair_view *v, const struct cluster_conf *c,
		const struct snapshot *primary, const struct snapshot *secondary,
		struct pair_history *hist, double now)
{
	size_t i, k;
	int n;

	memset(v, 0, sizeof(*v));
	v->cluster = c;
	v->snap[0] = primary;
	v->snap[1] = secondary;
	v->now = now;
	v->verdict = SEV_OK;

	for (n = 0; n < CLUSTER_NODES; n++) {
		const struct snapshot *s = v->snap[n];
		if (!s || !s->reachable)
			continue;
		for (i = 0; i < s->n_vips; i++) {
			const struct vip_row *r = &s->vips[i];
			if (r->vhid <= 0)
				continue;
			side_add(&row_get(v, r->vhid)->side[n], r);
		}
	}
	if (v->n_rows)
		qsort(v->rows, v->n_rows, sizeof(*v->rows), cmp_row);
	for (i = 0; i < v->n_rows; i++) {
		struct vhid_row *r = &v->rows[i];
		for (n = 0; n < CLUSTER_NODES; n++) {
			struct vhid_side *s = &r->side[n];
			qsort(s->addrs, (size_t)s->n_addrs, sizeof(s->addrs[0]), cmp_str);
			for (k = 0; k < (size_t)s->n_addrs; k++)
				if (r->n_addrs < PAIR_MAX_ADDRS && !addrs_has(r->addrs, r->n_addrs, s->addrs[k]))
					str_copy(r->addrs[r->n_addrs++], s->addrs[k], sizeof(r->addrs[0]));
			if (!r->interface[0])
				str_copy(r->interface, s->ifname[0] ? s->ifname : s->ifdev, sizeof(r->interface));
		}
		qsort(r->addrs, (size_t)r->n_addrs, sizeof(r->addrs[0]), cmp_str);
		r->verdict = row_verdict(v, r);
	}
	if (hist)
		history_update(hist, v, now);
	v->hist = hist;
}

void pair_sort_findings(struct pair_view *v)
{
	if (v->n_findings)
		qsort(v->findings, v->n_findings, sizeof(*v->findings), cmp_finding);
}

void pair_free(struct pair_view *v)
{
	free(v->rows);
	free(v->findings);
	free(v->drift);
	memset(v, 0, sizeof(*v));
}

const struct vhid_row *pair_find_vhid(const struct pair_view *v, int vhid)
{
	size_t i;
	for (i = 0; i < v->n_rows; i++)
		if (v->rows[i].vhid == vhid)
			return &v->rows[i];
	return NULL;
}
