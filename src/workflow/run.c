/* A workflow run's state as the step functions of the tables see it: its
 * parameters, the records it noted, its nodes, its journal. The engine
 * (engine.c) drives the run; the tables (tables.c) read it through
 * these functions, so the tables need nothing of the engine. Also a
 * workflow's usage text, made from its parameter spec. */
#include "workflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* In n "key=value" strings of `width` bytes each from `base`: the index of
 * key's, or -1. Parameters and records are both kept this way. */
static int kv_index(const char *base, size_t width, int n, const char *key)
{
	size_t k = strlen(key);
	int i;
	for (i = 0; i < n; i++) {
		const char *kv = base + (size_t)i * width;
		if (strncmp(kv, key, k) == 0 && kv[k] == '=')
			return i;
	}
	return -1;
}

const char *wf_param(const struct wf_run *r, const char *key)
{
	int i = kv_index(r->params[0], sizeof(r->params[0]), r->n_params, key);
	return i < 0 ? NULL : r->params[i] + strlen(key) + 1;
}

const char *wf_record_get(const struct wf_run *r, const char *key)
{
	int i = kv_index(r->records[0], sizeof(r->records[0]), r->n_records, key);
	return i < 0 ? NULL : r->records[i] + strlen(key) + 1;
}

void wf_record_set(struct wf_run *r, const char *key, const char *fmt, ...)
{
	char value[128];
	va_list ap;
	int i;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	i = kv_index(r->records[0], sizeof(r->records[0]), r->n_records, key);
	if (i < 0) {
		if (r->n_records == WF_MAX_RECORDS)
			return;
		i = r->n_records++;
	}
	str_printf(r->records[i], sizeof(r->records[i]), "%s=%s", key, value);
	wf_journal(r, "record %s", r->records[i]);
}

void wf_journal(struct wf_run *r, const char *fmt, ...)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;
	if (!r->journal)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(r->journal, "%s ", when);
	va_start(ap, fmt);
	vfprintf(r->journal, fmt, ap);
	va_end(ap);
	fputc('\n', r->journal);
	/* The journal is what survives kill -9: every record reaches the disk. */
	fflush(r->journal);
	fsync(fileno(r->journal));
}

const struct snapshot *wf_snap(const struct wf_run *r, int node)
{
	return &r->app->clusters[r->cluster].node[node].snap;
}

const char *wf_node_name(const struct wf_run *r, int node)
{
	if (node < 0 || node >= CLUSTER_NODES)
		return "-";
	return r->app->clusters[r->cluster].conf->nodes[node].name;
}

int wf_resolve(const struct wf_run *r, enum wf_node n)
{
	switch (n) {
	case WF_PRIMARY:
		return 0;
	case WF_SECONDARY:
		return 1;
	case WF_TARGET:
		return r->target;
	case WF_OTHER:
		return r->other;
	default:
		return -1;
	}
}

bool wf_outcome(struct wf_run *r, char *msg, size_t n)
{
	if (!r->def || !r->def->outcome)
		return false;
	r->def->outcome(r, msg, n);
	return true;
}

void wf_usage(const struct wf_def *d, char *dst, size_t n)
{
	const struct wf_param_spec *p;
	struct strbuf sb;
	sb_init(&sb);
	for (p = d->params; p && p->key; p++)
		sb_printf(&sb, "%s%s%s=%s%s", sb.len ? " " : "", p->optional ? "[" : "", p->key, p->value,
			  p->optional ? "]" : "");
	str_copy(dst, sb.buf ? sb.buf : "", n);
	sb_free(&sb);
}

const struct wf_param_spec *wf_param_spec(const struct wf_def *d, const char *key)
{
	const struct wf_param_spec *p;
	for (p = d ? d->params : NULL; p && p->key; p++)
		if (str_eq(p->key, key))
			return p;
	return NULL;
}
