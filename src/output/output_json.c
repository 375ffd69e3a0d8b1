/* JSON: the schema in doc/carptop-json.schema.json (version 2). json-c does
 * the escaping; unknown numbers are null, never a sentinel like -1. A node
 * that did not answer has null for everything it would have reported. */
#include "output_common.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_object jobj;

static void put(jobj *o, const char *key, jobj *val)
{
	json_object_object_add(o, key, val);
}

/* Is s well-formed UTF-8 (no overlongs, no surrogates)? json-c escapes
 * control characters but copies other bytes as they are, so a string that
 * is not UTF-8 would make the whole document invalid JSON. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		int n, k;
		unsigned cp;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xC2 && *s <= 0xDF)
			n = 1, cp = *s & 0x1F;
		else if (*s >= 0xE0 && *s <= 0xEF)
			n = 2, cp = *s & 0x0F;
		else if (*s >= 0xF0 && *s <= 0xF4)
			n = 3, cp = *s & 0x07;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		s += n + 1;
	}
	return true;
}

/* A JSON string. Backends sanitise snapshots already; should a string still
 * not be UTF-8, it is made inert rather than emitted as broken JSON. */
static jobj *jstr(const char *s)
{
	size_t len;
	char *tmp;
	jobj *o;
	if (!s)
		s = "";
	if (utf8_valid((const unsigned char *)s))
		return json_object_new_string(s);
	len = strlen(s);
	tmp = xmalloc(len + 1);
	text_sanitize(tmp, s, len + 1);
	o = json_object_new_string(tmp);
	free(tmp);
	return o;
}

/* A string that is "" when the node does not say: null. */
static jobj *jstr_or_null(const char *s)
{
	return s && s[0] ? jstr(s) : NULL;
}

static jobj *jint_or_null(long long v, bool known)
{
	return known ? json_object_new_int64(v) : NULL;
}

/* A double with a fixed number of decimals: json-c would otherwise print
 * 17 significant digits (0.30000000000000004), and locale-free. */
static jobj *jfixed(double v, int decimals)
{
	char buf[64];
	out_fixed(buf, sizeof(buf), v, decimals);
	return json_object_new_double_s(v, buf);
}

static jobj *carp_obj(const struct snapshot *s)
{
	jobj *o;
	if (!s->carp.known)
		return NULL;
	o = json_object_new_object();
	put(o, "allow", json_object_new_boolean(s->carp.allow != 0));
	put(o, "demotion", json_object_new_int64(s->carp.demotion));
	put(o, "maintenance", json_object_new_boolean(s->carp.maintenance));
	put(o, "preempt", s->carp.preempt < 0 ? NULL : json_object_new_boolean(s->carp.preempt != 0));
	put(o, "status_msg", jstr_or_null(s->carp.status_msg));
	return o;
}

static jobj *states_obj(const struct snapshot *s)
{
	jobj *o = json_object_new_object();
	put(o, "current", jint_or_null(s->states.current, s->states.current >= 0));
	put(o, "limit", jint_or_null(s->states.limit, s->states.limit >= 0));
	return o;
}

static jobj *pfsync_obj(const struct snapshot *s)
{
	jobj *o, *cr;
	int k;
	if (!s->pfsync.known)
		return NULL;
	o = json_object_new_object();
	put(o, "syncdev", jstr_or_null(s->pfsync.syncdev));
	/* "" is meaningful here (multicast), so it stays a string. */
	put(o, "syncpeer", jstr(s->pfsync.syncpeer));
	put(o, "hostid", jstr_or_null(s->pfsync.hostid));
	cr = json_object_new_array();
	for (k = 0; k < s->pfsync.n_creators && k < SNAP_MAX_CREATORS; k++)
		json_object_array_add(cr, jstr(s->pfsync.creators[k]));
	put(o, "creators", cr);
	return o;
}

/* sync_items is a comma list on the node; a list in JSON. */
static jobj *split_items(const char *list)
{
	jobj *a = json_object_new_array();
	const char *p = list;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			char *item = xstrndup(p, len);
			json_object_array_add(a, jstr(item));
			free(item);
		}
		p = e ? e + 1 : NULL;
	}
	return a;
}

static jobj *hasync_obj(const struct snapshot *s)
{
	jobj *o;
	if (!s->hasync.known)
		return NULL;
	o = json_object_new_object();
	/* "" is meaningful (a secondary syncs to nobody), so it stays a string. */
	put(o, "sync_target", jstr(s->hasync.sync_target));
	put(o, "sync_items", split_items(s->hasync.sync_items));
	return o;
}

static jobj *firmware_obj(const struct snapshot *s)
{
	jobj *o = json_object_new_object();
	put(o, "version", jstr_or_null(s->firmware.version));
	put(o, "state", jstr(fw_state_name(s->firmware.state)));
	return o;
}

static jobj *partials_arr(const struct snapshot *s)
{
	jobj *a = json_object_new_array();
	int k;
	for (k = 0; k < s->n_partial && k < SNAP_MAX_PARTIAL; k++) {
		jobj *p = json_object_new_object();
		put(p, "what", jstr(s->partial[k].what));
		put(p, "error_kind", jstr(node_error_label(s->partial[k].err)));
		put(p, "message", jstr(s->partial[k].msg));
		json_object_array_add(a, p);
	}
	return a;
}

static jobj *node_obj(const struct pair_view *v, int i, double now)
{
	const struct snapshot *s = v->snap[i];
	bool up = v->node[i].up;
	double age = v->node[i].poll_age;
	jobj *o = json_object_new_object();

	put(o, "name", jstr(v->node[i].name));
	put(o, "role", jstr(out_role_word(v->node[i].role)));
	put(o, "transport", jstr(v->cluster ? out_transport_word(v->cluster->nodes[i].transport) : "none"));
	put(o, "reachable", json_object_new_boolean(up));
	put(o, "error", up ? NULL : jstr(s ? s->error : "not polled yet"));
	put(o, "error_kind", up ? NULL : jstr(node_error_label(s ? s->err : NERR_NOT_POLLED)));
	put(o, "hostname", up ? jstr_or_null(s->hostname) : NULL);
	put(o, "version", up ? jstr_or_null(s->version) : NULL);
	put(o, "age_seconds", age < 0 ? NULL : jfixed(age, 3));
	put(o, "latency_ms", s && s->taken > 0 ? jfixed(s->duration_ms, 1) : NULL);
	put(o, "carp", up ? carp_obj(s) : NULL);
	put(o, "states", up ? states_obj(s) : NULL);
	put(o, "pfsync", up ? pfsync_obj(s) : NULL);
	put(o, "hasync", up ? hasync_obj(s) : NULL);
	put(o, "firmware", up ? firmware_obj(s) : NULL);
	put(o, "partial_errors", up ? partials_arr(s) : json_object_new_array());
	return o;
}

static jobj *addrs_arr(const char (*addrs)[SNAP_ADDR_LEN + 4], int n)
{
	jobj *a = json_object_new_array();
	int k;
	for (k = 0; k < n && k < PAIR_MAX_ADDRS; k++)
		json_object_array_add(a, jstr(addrs[k]));
	return a;
}

static jobj *side_obj(const struct pair_view *v, const struct vhid_row *r, int i)
{
	const struct vhid_side *sd = &r->side[i];
	bool have = v->node[i].up && sd->present;
	jobj *o = json_object_new_object();

	put(o, "status", jstr(out_side_status(v, r, i)));
	put(o, "interface", have ? jstr_or_null(sd->ifname[0] ? sd->ifname : sd->ifdev) : NULL);
	put(o, "advbase", jint_or_null(sd->advbase, have && sd->advbase >= 0));
	put(o, "advskew", jint_or_null(sd->advskew, have && sd->advskew >= 0));
	put(o, "addresses", have ? addrs_arr((const char (*)[SNAP_ADDR_LEN + 4])sd->addrs, sd->n_addrs)
				 : json_object_new_array());
	return o;
}

static jobj *vhid_obj(const struct pair_view *v, const struct vhid_row *r)
{
	jobj *o = json_object_new_object(), *nodes = json_object_new_object();
	int i;

	put(o, "vhid", json_object_new_int(r->vhid));
	put(o, "interface", jstr_or_null(r->interface));
	put(o, "addresses", addrs_arr((const char (*)[SNAP_ADDR_LEN + 4])r->addrs, r->n_addrs));
	for (i = 0; i < CLUSTER_NODES; i++)
		put(nodes, v->node[i].name, side_obj(v, r, i));
	put(o, "nodes", nodes);
	put(o, "verdict", jstr(out_vhid_verdict_word(r->verdict)));
	return o;
}

static jobj *finding_obj(const struct pair_view *v, const struct finding *f)
{
	jobj *o = json_object_new_object();
	put(o, "id", jstr(f->id ? f->id : "unknown"));
	put(o, "severity", jstr(out_severity_word(f->severity)));
	put(o, "node", f->node >= 0 && f->node < CLUSTER_NODES ? jstr(v->node[f->node].name) : NULL);
	put(o, "vhid", f->vhid > 0 ? json_object_new_int(f->vhid) : NULL);
	put(o, "message", jstr(f->message));
	put(o, "hint", jstr_or_null(f->hint));
	return o;
}

/* Config drift (src/checks/drift.h): null when the two config.xml files were not
 * both read, [] when they were and the synced sections agree. */
static jobj *drift_arr(const struct pair_view *v)
{
	jobj *a;
	size_t k;
	int i;
	static const char *const side[CLUSTER_NODES] = { "primary", "secondary" };
	if (!v->drift_known)
		return NULL;
	a = json_object_new_array();
	for (k = 0; k < v->n_drift; k++) {
		const struct drift_item *d = &v->drift[k];
		jobj *o = json_object_new_object();
		put(o, "section", jstr(d->section));
		put(o, "path", jstr(d->path));
		for (i = 0; i < CLUSTER_NODES; i++)
			put(o, side[i], d->absent[i] ? NULL : jstr(d->value[i]));
		json_object_array_add(a, o);
	}
	return a;
}

static jobj *cluster_obj(const struct pair_view *v, double now)
{
	jobj *o = json_object_new_object(), *arr;
	char warn[SNAP_MSG_LEN];
	size_t k;
	int i;

	put(o, "name", jstr(v->cluster && v->cluster->name ? v->cluster->name : ""));
	put(o, "verdict", jstr(out_verdict_word(v->verdict)));
	arr = json_object_new_array();
	for (i = 0; i < CLUSTER_NODES; i++)
		json_object_array_add(arr, node_obj(v, i, now));
	put(o, "nodes", arr);
	arr = json_object_new_array();
	for (k = 0; k < v->n_rows; k++)
		json_object_array_add(arr, vhid_obj(v, &v->rows[k]));
	put(o, "vhids", arr);
	arr = json_object_new_array();
	for (k = 0; k < v->n_findings; k++)
		json_object_array_add(arr, finding_obj(v, &v->findings[k]));
	put(o, "findings", arr);
	arr = json_object_new_array();
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (!out_node_insecure(v, i))
			continue;
		out_insecure_text(warn, sizeof(warn), v, i);
		json_object_array_add(arr, jstr(warn));
	}
	put(o, "warnings", arr);
	put(o, "drift", drift_arr(v));
	return o;
}

/* Append `text` with `indent` after each of its line breaks (a JSON
 * text's own strings hold no raw line break: json-c escapes them). */
static void add_indented(struct strbuf *sb, const char *text, const char *indent)
{
	const char *nl;
	while ((nl = strchr(text, '\n')) != NULL) {
		sb_addn(sb, text, (size_t)(nl - text) + 1);
		sb_add(sb, indent);
		text = nl + 1;
	}
	sb_add(sb, text);
}

/* The document is written one cluster at a time: the tree of a whole
 * fleet (500 clusters: some 10 MB of json-c objects and a 4 MB print
 * buffer beside the output) would be the batch mode's largest allocation.
 * The text is exactly what json-c prints for the whole tree: the root
 * with an empty "clusters" array, the array opened where json-c opens it,
 * and each cluster pretty-printed alone and indented to its depth (two
 * levels of two spaces). */
void out_render_json(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o)
{
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;
	jobj *root = json_object_new_object();
	const char *head, *open;
	size_t k;

	put(root, "version", json_object_new_int(2));
	put(root, "generated", json_object_new_int64((long long)o->now));
	put(root, "demo", json_object_new_boolean(o->demo));
	put(root, "verdict", jstr(out_verdict_word(output_overall(views, n))));
	put(root, "clusters", json_object_new_array());
	head = json_object_to_json_string_ext(root, flags);
	open = strrchr(head, '[');
	if (n == 0 || !open) {
		sb_add(sb, head);
	} else {
		sb_addn(sb, head, (size_t)(open - head) + 1);
		for (k = 0; k < n; k++) {
			jobj *c = cluster_obj(&views[k], o->now);
			sb_add(sb, k ? ",\n    " : "\n    ");
			add_indented(sb, json_object_to_json_string_ext(c, flags), "    ");
			json_object_put(c);
		}
		sb_add(sb, "\n  ]\n}");
	}
	sb_addc(sb, '\n');
	json_object_put(root);
}
