/* Tests of the batch renderers. Views come from hand-made snapshots through
 * pair_build (so the real checks run); every format is then read back by an
 * independent reader: JSON against doc/carptop-json.schema.json by a small
 * JSON Schema validator, Prometheus by a small exposition-format parser,
 * Nagios by its plugin-output grammar. */
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "pair.h"
#include "view.h"
#include "snapshot.h"
#include "util.h"
#include "testlib.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "tests"
#endif
#define SCHEMA_PATH TEST_SRCDIR "/../doc/carptop-json.schema.json"

#define NOW 1760000000.0

/* ================= fixtures ================= */

struct fixture {
	struct cluster_conf conf;
	struct snapshot snap[CLUSTER_NODES];
	struct pair_view view;
};

static void conf_init(struct cluster_conf *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = (char *)name;
	c->interval = 2;
	c->maintenance_max_age = 4 * 3600;
	c->state_ratio = 0.2;
	c->nodes[0].name = (char *)"fw1";
	c->nodes[0].role = ROLE_PRIMARY;
	c->nodes[0].transport = TRANSPORT_API;
	c->nodes[0].api.url = (char *)"https://fw1.example.org";
	c->nodes[1].name = (char *)"fw2";
	c->nodes[1].role = ROLE_SECONDARY;
	c->nodes[1].transport = TRANSPORT_SSH;
}

static void add_vip(struct snapshot *s, const char *ifname, int vhid, const char *addr, int prefix,
		    enum vip_mode mode, int advskew, enum carp_status st)
{
	struct vip_row *r = snapshot_add_vip(s);
	str_copy(r->ifname, ifname, sizeof(r->ifname));
	r->vhid = vhid;
	str_copy(r->address, addr, sizeof(r->address));
	r->prefix = prefix;
	r->mode = mode;
	r->advbase = 1;
	r->advskew = advskew;
	r->status = st;
}

/* A healthy, fully read node: fw1 MASTER (skew 0) or fw2 BACKUP (skew 100). */
static void node_healthy(struct snapshot *s, int i)
{
	bool primary = i == 0;
	enum carp_status st = primary ? CARP_ST_MASTER : CARP_ST_BACKUP;
	int skew = primary ? 0 : 100;

	snapshot_init(s);
	s->reachable = true;
	s->err = NERR_NONE;
	s->error[0] = '\0';
	str_printf(s->hostname, sizeof(s->hostname), "fw%d.example.org", i + 1);
	str_copy(s->version, "26.1.2", sizeof(s->version));
	s->carp.known = true;
	s->carp.allow = 1;
	s->carp.demotion = 0;
	s->carp.preempt = primary ? 1 : -1;
	s->states.current = primary ? 470 : 465;
	s->states.limit = 100000;
	s->pfsync.known = true;
	str_copy(s->pfsync.syncdev, "igb2", sizeof(s->pfsync.syncdev));
	str_copy(s->pfsync.hostid, primary ? "aa01" : "bb02", sizeof(s->pfsync.hostid));
	str_copy(s->pfsync.creators[0], "aa01", sizeof(s->pfsync.creators[0]));
	str_copy(s->pfsync.creators[1], "bb02", sizeof(s->pfsync.creators[1]));
	s->pfsync.n_creators = 2;
	s->hasync.known = true;
	if (primary)
		str_copy(s->hasync.sync_target, "10.0.0.2", sizeof(s->hasync.sync_target));
	str_copy(s->hasync.sync_items, "aliases, rules,nat", sizeof(s->hasync.sync_items));
	str_copy(s->firmware.version, "26.1.2", sizeof(s->firmware.version));
	s->firmware.state = FW_IDLE;
	add_vip(s, "LAN", 1, "192.0.2.1", 24, VIP_MODE_CARP, skew, st);
	add_vip(s, "WAN", 2, "198.51.100.1", 24, VIP_MODE_CARP, skew, st);
	add_vip(s, "WAN", 2, "198.51.100.9", 32, VIP_MODE_IPALIAS, -1, st);
	s->taken = NOW - 1.5;
	s->duration_ms = 123.4;
}

static void fixture_build(struct fixture *f)
{
	view_build_pair(&f->view, &f->conf, &f->snap[0], &f->snap[1], NULL, NOW);
}

static void fixture_free(struct fixture *f)
{
	int i;
	pair_free(&f->view);
	for (i = 0; i < CLUSTER_NODES; i++)
		snapshot_clear(&f->snap[i]);
}

static void make_healthy(struct fixture *f, const char *name)
{
	conf_init(&f->conf, name);
	node_healthy(&f->snap[0], 0);
	node_healthy(&f->snap[1], 1);
	fixture_build(f);
}

/* VHID 3 MASTER on both nodes. */
static void make_split(struct fixture *f)
{
	conf_init(&f->conf, "hq");
	node_healthy(&f->snap[0], 0);
	node_healthy(&f->snap[1], 1);
	add_vip(&f->snap[0], "DMZ", 3, "203.0.113.1", 28, VIP_MODE_CARP, 0, CARP_ST_MASTER);
	add_vip(&f->snap[1], "DMZ", 3, "203.0.113.1", 28, VIP_MODE_CARP, 100, CARP_ST_MASTER);
	fixture_build(f);
}

/* fw2 does not answer; fw1's API is polled with TLS verification off. */
static void make_down(struct fixture *f)
{
	conf_init(&f->conf, "hq");
	f->conf.nodes[0].api.insecure = true;
	node_healthy(&f->snap[0], 0);
	snapshot_init(&f->snap[1]);
	snapshot_set_error(&f->snap[1], NERR_TIMEOUT, "connection to 10.0.0.2:443 timed out after 5 s");
	f->snap[1].taken = NOW - 0.25;
	f->snap[1].duration_ms = 5000;
	fixture_build(f);
}

/* Remote strings that try to drive a terminal or break a format. The
 * backends would have sanitised them; the renderers must not rely on it. */
static void make_hostile(struct fixture *f)
{
	conf_init(&f->conf, "hq");
	node_healthy(&f->snap[0], 0);
	node_healthy(&f->snap[1], 1);
	str_copy(f->snap[0].hostname, "evil\x1b[2Jhost", sizeof(f->snap[0].hostname));
	str_copy(f->snap[0].carp.status_msg, "boom\x1b[2J | 'x'=1 \n[CRITICAL] fake", sizeof(f->snap[0].carp.status_msg));
	snapshot_add_partial(&f->snap[1], "pf_states", NERR_FORBIDDEN, "403 \x1b]0;title\x07 | nope");
	str_copy(f->snap[1].hostname, "bad\xff\xfeutf8", sizeof(f->snap[1].hostname));
	fixture_build(f);
}

static char *render(enum out_format fmt, const struct pair_view *v, size_t n, bool demo)
{
	struct strbuf sb;
	struct output_opts o = { .now = NOW, .demo = demo };
	sb_init(&sb);
	output_render(&sb, fmt, v, n, &o);
	return sb_steal(&sb);
}

/* ================= a JSON Schema subset validator ================= */

struct jsv {
	json_object *root;  /* the schema document, for $ref */
	char err[512];
};

static bool jsv_fail(struct jsv *j, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool jsv_fail(struct jsv *j, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!j->err[0])
		snprintf(j->err, sizeof(j->err), "%s: %s", path[0] ? path : "/", msg);
	return false;
}

static bool type_is(json_object *inst, const char *t)
{
	enum json_type jt = json_object_get_type(inst);
	if (strcmp(t, "null") == 0)
		return jt == json_type_null;
	if (strcmp(t, "boolean") == 0)
		return jt == json_type_boolean;
	if (strcmp(t, "integer") == 0)
		return jt == json_type_int;
	if (strcmp(t, "number") == 0)
		return jt == json_type_int || jt == json_type_double;
	if (strcmp(t, "string") == 0)
		return jt == json_type_string;
	if (strcmp(t, "object") == 0)
		return jt == json_type_object;
	if (strcmp(t, "array") == 0)
		return jt == json_type_array;
	return false;
}

static bool check_type(struct jsv *j, json_object *type, json_object *inst, const char *path)
{
	size_t k;
	if (json_object_is_type(type, json_type_string)) {
		if (type_is(inst, json_object_get_string(type)))
			return true;
		return jsv_fail(j, path, "not of type %s", json_object_get_string(type));
	}
	for (k = 0; k < json_object_array_length(type); k++)
		if (type_is(inst, json_object_get_string(json_object_array_get_idx(type, k))))
			return true;
	return jsv_fail(j, path, "not of type %s", json_object_to_json_string(type));
}

static bool check_enum(struct jsv *j, json_object *en, json_object *inst, const char *path)
{
	size_t k;
	for (k = 0; k < json_object_array_length(en); k++)
		if (json_object_equal(json_object_array_get_idx(en, k), inst))
			return true;
	return jsv_fail(j, path, "%s not in enum", json_object_to_json_string(inst));
}

static json_object *resolve_ref(struct jsv *j, const char *ref)
{
	char buf[256], *tok, *save = NULL;
	json_object *cur = j->root;
	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	str_copy(buf, ref + 2, sizeof(buf));
	for (tok = strtok_r(buf, "/", &save); tok && cur; tok = strtok_r(NULL, "/", &save))
		if (!json_object_object_get_ex(cur, tok, &cur))
			return NULL;
	return cur;
}

static bool validate(struct jsv *j, json_object *schema, json_object *inst, const char *path);

static bool check_object(struct jsv *j, json_object *schema, json_object *inst, const char *path)
{
	json_object *props = NULL, *req = NULL, *addl = NULL, *sub;
	struct json_object_iterator it, end;
	char sub_path[512];
	size_t k;

	json_object_object_get_ex(schema, "properties", &props);
	json_object_object_get_ex(schema, "additionalProperties", &addl);
	if (json_object_object_get_ex(schema, "required", &req))
		for (k = 0; k < json_object_array_length(req); k++) {
			const char *key = json_object_get_string(json_object_array_get_idx(req, k));
			if (!json_object_object_get_ex(inst, key, NULL))
				return jsv_fail(j, path, "required key \"%s\" missing", key);
		}
	it = json_object_iter_begin(inst);
	end = json_object_iter_end(inst);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		json_object *val = json_object_iter_peek_value(&it);
		snprintf(sub_path, sizeof(sub_path), "%s/%s", path, key);
		if (props && json_object_object_get_ex(props, key, &sub)) {
			if (!validate(j, sub, val, sub_path))
				return false;
		} else if (addl && json_object_is_type(addl, json_type_boolean)) {
			if (!json_object_get_boolean(addl))
				return jsv_fail(j, path, "unexpected key \"%s\"", key);
		} else if (addl && !validate(j, addl, val, sub_path)) {
			return false;
		}
	}
	return true;
}

static bool check_items(struct jsv *j, json_object *items, json_object *inst, const char *path)
{
	char sub_path[512];
	size_t k;
	for (k = 0; k < json_object_array_length(inst); k++) {
		snprintf(sub_path, sizeof(sub_path), "%s/%zu", path, k);
		if (!validate(j, items, json_object_array_get_idx(inst, k), sub_path))
			return false;
	}
	return true;
}

/* The keywords the schema may use. An unknown one fails, so the schema
 * cannot grow a rule that this validator would silently ignore. */
static bool keyword_known(const char *k)
{
	static const char *const known[] = {
		"$schema", "$id", "$defs", "$ref", "title", "description", "type", "required",
		"properties", "additionalProperties", "items", "enum",
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(known); i++)
		if (strcmp(k, known[i]) == 0)
			return true;
	return false;
}

static bool validate(struct jsv *j, json_object *schema, json_object *inst, const char *path)
{
	struct json_object_iterator it = json_object_iter_begin(schema), end = json_object_iter_end(schema);
	json_object *kw;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (!keyword_known(json_object_iter_peek_name(&it)))
			return jsv_fail(j, path, "schema uses unsupported keyword %s", json_object_iter_peek_name(&it));
	if (json_object_object_get_ex(schema, "$ref", &kw)) {
		json_object *target = resolve_ref(j, json_object_get_string(kw));
		if (!target)
			return jsv_fail(j, path, "unresolved $ref %s", json_object_get_string(kw));
		if (!validate(j, target, inst, path))
			return false;
	}
	if (json_object_object_get_ex(schema, "type", &kw) && !check_type(j, kw, inst, path))
		return false;
	if (json_object_object_get_ex(schema, "enum", &kw) && !check_enum(j, kw, inst, path))
		return false;
	if (json_object_is_type(inst, json_type_object) && !check_object(j, schema, inst, path))
		return false;
	if (json_object_is_type(inst, json_type_array) && json_object_object_get_ex(schema, "items", &kw) &&
	    !check_items(j, kw, inst, path))
		return false;
	return true;
}

static json_object *schema_load(void)
{
	char *text = test_read_file(SCHEMA_PATH, NULL);
	json_object *s = text ? json_tokener_parse(text) : NULL;
	if (!s)
		printf("# cannot read or parse %s\n", SCHEMA_PATH);
	free(text);
	return s;
}

/* Validate a parsed document against the schema; `loud` prints why not. */
static bool schema_check(json_object *schema, json_object *doc, bool loud)
{
	struct jsv j = { .root = schema };
	if (!schema || !doc)
		return false;
	if (validate(&j, schema, doc, ""))
		return true;
	if (loud)
		printf("# schema: %s\n", j.err);
	return false;
}

static bool schema_ok(json_object *schema, json_object *doc)
{
	return schema_check(schema, doc, true);
}

/* For the validator's own tests: a document that must be refused. */
static bool schema_rejects(json_object *schema, json_object *doc)
{
	return schema && doc && !schema_check(schema, doc, false);
}

/* Path lookup: "clusters.0.nodes.1.reachable". */
static json_object *jget(json_object *o, const char *path)
{
	char buf[256], *tok, *save = NULL;
	str_copy(buf, path, sizeof(buf));
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			size_t idx = strtoul(tok, NULL, 10);
			if (idx >= json_object_array_length(o))
				return NULL;
			o = json_object_array_get_idx(o, idx);
		} else if (!json_object_object_get_ex(o, tok, &o)) {
			return NULL;
		}
	}
	return o;
}

static bool jhas(json_object *o, const char *path)
{
	char buf[256], *dot;
	json_object *parent;
	str_copy(buf, path, sizeof(buf));
	dot = strrchr(buf, '.');
	if (!dot)
		return json_object_object_get_ex(o, buf, NULL);
	*dot = '\0';
	parent = jget(o, buf);
	return parent && json_object_object_get_ex(parent, dot + 1, NULL);
}

static const char *jstr_at(json_object *o, const char *path)
{
	json_object *v = jget(o, path);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The VHID entry with number `vhid` in cluster 0. */
static json_object *jvhid(json_object *doc, int vhid)
{
	json_object *arr = jget(doc, "clusters.0.vhids");
	size_t k;
	for (k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *e = json_object_array_get_idx(arr, k);
		if (json_object_get_int(jget(e, "vhid")) == vhid)
			return e;
	}
	return NULL;
}

/* ================= a Prometheus exposition parser ================= */

struct series {
	char name[128];
	char labels[512];  /* canonical: sorted name=value, 0x1e between labels */
	double value;
};

struct prom {
	struct series *s;
	size_t n;
	char help[64][128], type[64][128], closed[64][128];
	size_t n_help, n_type, n_closed;
	char current[128];
	char err[256];
};

static bool in_list(char (*list)[128], size_t n, const char *name)
{
	size_t k;
	for (k = 0; k < n; k++)
		if (strcmp(list[k], name) == 0)
			return true;
	return false;
}

static bool metric_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

/* Read a metric or label name at *p into dst. */
static bool read_name(const char **p, char *dst, size_t n, bool label)
{
	size_t o = 0;
	while (metric_name_char(**p, o == 0) && !(label && **p == ':')) {
		if (o + 1 >= n)
			return false;
		dst[o++] = *(*p)++;
	}
	dst[o] = '\0';
	return o > 0;
}

/* A quoted label value; only \\, \" and \n are valid escapes. */
static bool read_label_value(const char **p, char *dst, size_t n)
{
	size_t o = 0;
	if (*(*p)++ != '"')
		return false;
	while (**p && **p != '"') {
		char c = *(*p)++;
		if (c == '\\') {
			c = *(*p)++;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"')
				return false;
		} else if ((unsigned char)c < 0x20) {
			return false;
		}
		if (o + 1 >= n)
			return false;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return *(*p)++ == '"';
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Canonical label string from "name=value" strings. */
static void canon_labels(char *dst, size_t n, char **pairs, size_t np)
{
	size_t k;
	qsort(pairs, np, sizeof(*pairs), cmp_label);
	dst[0] = '\0';
	for (k = 0; k < np; k++) {
		if (k)
			strncat(dst, "\x1e", n - strlen(dst) - 1);
		strncat(dst, pairs[k], n - strlen(dst) - 1);
	}
}

static bool prom_fail(struct prom *p, int line, const char *what)
{
	snprintf(p->err, sizeof(p->err), "line %d: %s", line, what);
	return false;
}

static bool parse_comment(struct prom *p, const char *l, int line)
{
	char name[128];
	const char *q;
	bool help = strncmp(l, "# HELP ", 7) == 0, type = strncmp(l, "# TYPE ", 7) == 0;
	if (!help && !type)
		return true; /* a plain comment */
	q = l + 7;
	if (!read_name(&q, name, sizeof(name), false) || *q != ' ')
		return prom_fail(p, line, "bad HELP/TYPE metric name");
	q++;
	if (help) {
		if (in_list(p->help, p->n_help, name))
			return prom_fail(p, line, "second HELP");
		for (; *q; q++)
			if (*q == '\\' && q[1] != '\\' && q[1] != 'n')
				return prom_fail(p, line, "bad escape in HELP");
		str_copy(p->help[p->n_help++], name, sizeof(p->help[0]));
	} else {
		if (in_list(p->type, p->n_type, name))
			return prom_fail(p, line, "second TYPE");
		if (strcmp(q, "gauge") && strcmp(q, "counter") && strcmp(q, "untyped") && strcmp(q, "summary") &&
		    strcmp(q, "histogram"))
			return prom_fail(p, line, "bad TYPE");
		if (strcmp(p->current, name) == 0 || in_list(p->closed, p->n_closed, name))
			return prom_fail(p, line, "TYPE after samples");
		str_copy(p->type[p->n_type++], name, sizeof(p->type[0]));
	}
	return true;
}

static bool parse_sample(struct prom *p, const char *l, int line)
{
	struct series s;
	char lname[64], lval[256], pairs_buf[16][320], *pairs[16], *end;
	size_t np = 0, k;
	const char *q = l;

	memset(&s, 0, sizeof(s));
	if (!read_name(&q, s.name, sizeof(s.name), false))
		return prom_fail(p, line, "bad metric name");
	if (!in_list(p->help, p->n_help, s.name) || !in_list(p->type, p->n_type, s.name))
		return prom_fail(p, line, "sample before its HELP and TYPE");
	if (strcmp(p->current, s.name) != 0) {
		if (in_list(p->closed, p->n_closed, s.name))
			return prom_fail(p, line, "samples of a family are not together");
		if (p->current[0])
			str_copy(p->closed[p->n_closed++], p->current, sizeof(p->closed[0]));
		str_copy(p->current, s.name, sizeof(p->current));
	}
	if (*q == '{') {
		q++;
		while (*q != '}') {
			if (np == 16 || !read_name(&q, lname, sizeof(lname), true) || *q++ != '=' ||
			    !read_label_value(&q, lval, sizeof(lval)))
				return prom_fail(p, line, "bad label");
			for (k = 0; k < np; k++)
				if (strncmp(pairs_buf[k], lname, strlen(lname)) == 0 && pairs_buf[k][strlen(lname)] == '=')
					return prom_fail(p, line, "label repeated");
			snprintf(pairs_buf[np], sizeof(pairs_buf[np]), "%s=%s", lname, lval);
			pairs[np] = pairs_buf[np];
			np++;
			if (*q == ',')
				q++;
			else if (*q != '}')
				return prom_fail(p, line, "bad label list");
		}
		q++;
	}
	if (*q++ != ' ')
		return prom_fail(p, line, "no blank before the value");
	s.value = strtod(q, &end);
	if (end == q || *end || isnan(s.value))
		return prom_fail(p, line, "bad value (or a timestamp, or NaN)");
	canon_labels(s.labels, sizeof(s.labels), pairs, np);
	for (k = 0; k < p->n; k++)
		if (strcmp(p->s[k].name, s.name) == 0 && strcmp(p->s[k].labels, s.labels) == 0)
			return prom_fail(p, line, "duplicate series");
	p->s = realloc(p->s, (p->n + 1) * sizeof(*p->s));
	p->s[p->n++] = s;
	return true;
}

static bool prom_parse(struct prom *p, const char *text)
{
	const char *l = text;
	int line = 0;
	memset(p, 0, sizeof(*p));
	while (*l) {
		const char *nl = strchr(l, '\n');
		char buf[1024];
		size_t len;
		line++;
		if (!nl)
			return prom_fail(p, line, "last line lacks a newline");
		len = (size_t)(nl - l);
		if (len >= sizeof(buf))
			return prom_fail(p, line, "line too long");
		memcpy(buf, l, len);
		buf[len] = '\0';
		if (buf[0] == '#' ? !parse_comment(p, buf, line) : (buf[0] && !parse_sample(p, buf, line)))
			return false;
		l = nl + 1;
	}
	return true;
}

/* Value of the series name{labels...}, NAN if absent. Labels as "k=v" strings. */
static double prom_get(const struct prom *p, const char *name, int nl, ...)
{
	char canon[512], buf[8][320], *pairs[8];
	va_list ap;
	size_t k;
	int i;
	va_start(ap, nl);
	for (i = 0; i < nl && i < 8; i++) {
		str_copy(buf[i], va_arg(ap, const char *), sizeof(buf[i]));
		pairs[i] = buf[i];
	}
	va_end(ap);
	canon_labels(canon, sizeof(canon), pairs, (size_t)nl);
	for (k = 0; k < p->n; k++)
		if (strcmp(p->s[k].name, name) == 0 && strcmp(p->s[k].labels, canon) == 0)
			return p->s[k].value;
	return NAN;
}

static bool prom_has_family_samples(const struct prom *p, const char *name)
{
	size_t k;
	for (k = 0; k < p->n; k++)
		if (strcmp(p->s[k].name, name) == 0)
			return true;
	return false;
}

/* ================= Nagios helpers ================= */

static char *first_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	return xstrndup(s, nl ? (size_t)(nl - s) : strlen(s));
}

/* Check the perfdata part: 'label'=value[uom][;warn;crit;min;max] tokens. */
static bool perfdata_ok(const char *perf, int *count)
{
	const char *p = perf;
	*count = 0;
	while (*p) {
		int semis = 0;
		if (*p++ != '\'')
			return false;
		while (*p && *p != '\'') {
			if (*p == '=' || *p == ' ' || (unsigned char)*p < 0x20)
				return false;
			p++;
		}
		if (*p++ != '\'' || *p++ != '=')
			return false;
		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return false;
		while ((*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			p++;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '%')
			p++;
		while (*p == ';' || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
			semis += *p++ == ';';
		if (semis > 4 || (*p && *p != ' '))
			return false;
		if (*p == ' ')
			p++;
		(*count)++;
	}
	return *count > 0;
}

/* ================= tests ================= */

static void test_format_parse(void)
{
	enum out_format f = OUT_TEXT;
	CHECK(out_format_parse("json", &f) == 0 && f == OUT_JSON);
	CHECK(out_format_parse("nagios", &f) == 0 && f == OUT_NAGIOS);
	CHECK(out_format_parse("prometheus", &f) == 0 && f == OUT_PROMETHEUS);
	CHECK(out_format_parse("text", &f) == 0 && f == OUT_TEXT);
	f = OUT_JSON;
	CHECK(out_format_parse("yaml", &f) == -1 && f == OUT_JSON);
	CHECK(out_format_parse("JSON", &f) == -1);
	CHECK(out_format_parse(NULL, &f) == -1);
	CHECK_STR_EQ(out_format_name(OUT_PROMETHEUS), "prometheus");
}

static void test_fixed(void)
{
	char b[32];
	out_fixed(b, sizeof(b), 1.5, 3);
	CHECK_STR_EQ(b, "1.500");
	out_fixed(b, sizeof(b), 0.1 + 0.2, 3);
	CHECK_STR_EQ(b, "0.300");
	out_fixed(b, sizeof(b), -0.0004, 3);
	CHECK_STR_EQ(b, "0.000");
	out_fixed(b, sizeof(b), -2.25, 1);
	CHECK_STR_EQ(b, "-2.3");
	out_fixed(b, sizeof(b), 100000, 0);
	CHECK_STR_EQ(b, "100000");
	out_fixed(b, sizeof(b), 0.0995, 2);
	CHECK_STR_EQ(b, "0.10");
}

static void test_overall(void)
{
	struct fixture a, b, c;
	struct pair_view views[3];
	make_healthy(&a, "hq");
	make_split(&b);
	make_down(&c);
	views[0] = a.view;
	views[1] = b.view;
	views[2] = c.view;
	CHECK_INT_EQ(output_overall(views, 0), SEV_UNKNOWN);
	CHECK_INT_EQ(output_overall(views, 1), SEV_OK);
	CHECK_INT_EQ(severity_exit_code(output_overall(views, 1)), 0);
	CHECK_INT_EQ(output_overall(views, 3), SEV_CRITICAL);
	CHECK_INT_EQ(severity_exit_code(output_overall(views, 3)), 2);
	/* One node down, the other MASTER: no redundancy is critical. */
	CHECK_INT_EQ(output_overall(&views[2], 1), SEV_CRITICAL);
	CHECK_INT_EQ(severity_exit_code(output_overall(&views[2], 1)), 2);
	fixture_free(&a);
	fixture_free(&b);
	fixture_free(&c);
}

/* ---- JSON ---- */

static void test_schema_validator(void)
{
	/* The validator itself must reject what the schema forbids. */
	json_object *schema = schema_load(), *doc;
	struct fixture f;
	char *out;

	CHECK(schema != NULL);
	make_healthy(&f, "hq");
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));

	json_object_object_del(jget(doc, "clusters.0.nodes.0"), "hostname");
	CHECK(schema_rejects(schema, doc)); /* required key missing */
	json_object_put(doc);

	doc = json_tokener_parse(out);
	json_object_object_add(jget(doc, "clusters.0"), "extra", json_object_new_int(1));
	CHECK(schema_rejects(schema, doc)); /* additionalProperties false */
	json_object_put(doc);

	doc = json_tokener_parse(out);
	json_object_object_add(doc, "verdict", json_object_new_string("fine"));
	CHECK(schema_rejects(schema, doc)); /* enum */
	json_object_put(doc);

	doc = json_tokener_parse(out);
	json_object_object_add(jget(doc, "clusters.0.vhids.0"), "vhid", json_object_new_string("1"));
	CHECK(schema_rejects(schema, doc)); /* type */
	json_object_put(doc);

	doc = json_tokener_parse(out);
	json_object_object_add(jget(doc, "clusters.0.vhids.0.nodes.fw1"), "status", json_object_new_string("master"));
	CHECK(schema_rejects(schema, doc)); /* additionalProperties as a schema */
	json_object_put(doc);

	free(out);
	fixture_free(&f);
	json_object_put(schema);
}

static void test_json_healthy(void)
{
	json_object *schema = schema_load(), *doc, *v1;
	struct fixture f;
	char *out;

	make_healthy(&f, "hq");
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(doc != NULL);
	CHECK(schema_ok(schema, doc));
	CHECK_INT_EQ(json_object_get_int(jget(doc, "version")), 2);
	CHECK_INT_EQ(json_object_get_int64(jget(doc, "generated")), 1760000000);
	CHECK(!json_object_get_boolean(jget(doc, "demo")));
	CHECK_STR_EQ(jstr_at(doc, "verdict"), "ok");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.name"), "hq");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.verdict"), "ok");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.0.name"), "fw1");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.0.role"), "primary");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.transport"), "ssh");
	CHECK(json_object_get_boolean(jget(doc, "clusters.0.nodes.0.reachable")));
	CHECK(jhas(doc, "clusters.0.nodes.0.error") && !jget(doc, "clusters.0.nodes.0.error"));
	CHECK_INT_EQ(json_object_get_int64(jget(doc, "clusters.0.nodes.0.states.limit")), 100000);
	CHECK(json_object_get_boolean(jget(doc, "clusters.0.nodes.0.carp.preempt")));
	CHECK(jhas(doc, "clusters.0.nodes.1.carp.preempt") && !jget(doc, "clusters.0.nodes.1.carp.preempt"));
	CHECK(fabs(json_object_get_double(jget(doc, "clusters.0.nodes.0.age_seconds")) - 1.5) < 1e-9);
	CHECK(strstr(out, "\"age_seconds\":1.500") || strstr(out, "\"age_seconds\": 1.500"));
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.nodes.0.hasync.sync_items")), 3);
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.0.hasync.sync_items.1"), "rules");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.hasync.sync_target"), "");
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.vhids")), 2);
	v1 = jvhid(doc, 2);
	CHECK(v1 != NULL);
	CHECK_STR_EQ(jstr_at(v1, "nodes.fw1.status"), "MASTER");
	CHECK_STR_EQ(jstr_at(v1, "nodes.fw2.status"), "BACKUP");
	CHECK_INT_EQ(json_object_get_int(jget(v1, "nodes.fw2.advskew")), 100);
	CHECK_INT_EQ(json_object_array_length(jget(v1, "addresses")), 2);
	CHECK_STR_EQ(jstr_at(v1, "verdict"), "ok");
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.warnings")), 0);
	/* No slash escaping: addresses with prefixes stay readable. */
	CHECK_CONTAINS(out, "192.0.2.1/24");
	json_object_put(doc);
	json_object_put(schema);
	free(out);
	fixture_free(&f);
}

/* Config drift: null when not compared, the items when it was, with null
 * for the side that lacks an element; valid against the schema. */
static void test_json_drift(void)
{
	json_object *schema = schema_load(), *doc;
	struct fixture f;
	char *out;

	make_healthy(&f, "hq");
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(jhas(doc, "clusters.0.drift") && !jget(doc, "clusters.0.drift"));
	json_object_put(doc);
	free(out);

	f.view.drift_known = true;
	f.view.drift = xcalloc(2, sizeof(*f.view.drift));
	f.view.n_drift = 2;
	str_copy(f.view.drift[0].section, "filter", sizeof(f.view.drift[0].section));
	str_copy(f.view.drift[0].path, "filter/rule[3]/ipprotocol", sizeof(f.view.drift[0].path));
	str_copy(f.view.drift[0].value[0], "inet6", sizeof(f.view.drift[0].value[0]));
	str_copy(f.view.drift[0].value[1], "inet46", sizeof(f.view.drift[0].value[1]));
	str_copy(f.view.drift[1].section, "virtualip.ipalias", sizeof(f.view.drift[1].section));
	str_copy(f.view.drift[1].path, "virtualip/vip[vhid=3,192.168.1.5]", sizeof(f.view.drift[1].path));
	f.view.drift[1].absent[0] = true;
	str_copy(f.view.drift[1].value[1], "192.168.1.5/24", sizeof(f.view.drift[1].value[1]));
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.drift")), 2);
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.drift.0.section"), "filter");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.drift.0.path"), "filter/rule[3]/ipprotocol");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.drift.0.primary"), "inet6");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.drift.0.secondary"), "inet46");
	CHECK(jhas(doc, "clusters.0.drift.1.primary") && !jget(doc, "clusters.0.drift.1.primary"));
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.drift.1.secondary"), "192.168.1.5/24");
	json_object_put(doc);
	free(out);

	f.view.n_drift = 0;
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.drift")), 0);
	json_object_put(doc);
	free(out);
	json_object_put(schema);
	fixture_free(&f);
}

static void test_json_split(void)
{
	json_object *schema = schema_load(), *doc, *v3, *fs;
	struct fixture f;
	size_t k;
	bool found = false;
	char *out;

	make_split(&f);
	out = render(OUT_JSON, &f.view, 1, false);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	CHECK_STR_EQ(jstr_at(doc, "verdict"), "critical");
	v3 = jvhid(doc, 3);
	CHECK_STR_EQ(jstr_at(v3, "verdict"), "split-brain");
	CHECK_STR_EQ(jstr_at(v3, "nodes.fw1.status"), "MASTER");
	CHECK_STR_EQ(jstr_at(v3, "nodes.fw2.status"), "MASTER");
	fs = jget(doc, "clusters.0.findings");
	for (k = 0; k < json_object_array_length(fs); k++) {
		json_object *e = json_object_array_get_idx(fs, k);
		if (str_eq(jstr_at(e, "id"), "vhid-split-brain")) {
			found = true;
			CHECK_STR_EQ(jstr_at(e, "severity"), "critical");
			CHECK_INT_EQ(json_object_get_int(jget(e, "vhid")), 3);
		}
	}
	CHECK(found);
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.findings.0.severity"), "critical");
	json_object_put(doc);
	json_object_put(schema);
	free(out);
	fixture_free(&f);
}

static void test_json_down(void)
{
	json_object *schema = schema_load(), *doc, *v1;
	struct fixture f;
	char *out;

	make_down(&f);
	/* A stale side for the down node must not be shown as current. */
	f.view.rows[0].side[1].present = true;
	f.view.rows[0].side[1].status = CARP_ST_BACKUP;
	f.view.rows[0].side[1].advskew = 100;
	out = render(OUT_JSON, &f.view, 1, true);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	CHECK(json_object_get_boolean(jget(doc, "demo")));
	CHECK(!json_object_get_boolean(jget(doc, "clusters.0.nodes.1.reachable")));
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.error_kind"), "timeout");
	CHECK_CONTAINS(jstr_at(doc, "clusters.0.nodes.1.error"), "timed out");
	CHECK(jhas(doc, "clusters.0.nodes.1.carp") && !jget(doc, "clusters.0.nodes.1.carp"));
	CHECK(jhas(doc, "clusters.0.nodes.1.hostname") && !jget(doc, "clusters.0.nodes.1.hostname"));
	CHECK(fabs(json_object_get_double(jget(doc, "clusters.0.nodes.1.latency_ms")) - 5000) < 1e-9);
	v1 = jvhid(doc, 1);
	CHECK_STR_EQ(jstr_at(v1, "nodes.fw2.status"), "UNKNOWN");
	CHECK(jhas(v1, "nodes.fw2.advskew") && !jget(v1, "nodes.fw2.advskew"));
	CHECK_STR_EQ(jstr_at(v1, "verdict"), "no-redundancy");
	CHECK_STR_EQ(jstr_at(doc, "verdict"), "critical");
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters.0.warnings")), 1);
	CHECK_CONTAINS(jstr_at(doc, "clusters.0.warnings.0"), "fw1: TLS certificate verification is disabled");
	json_object_put(doc);
	json_object_put(schema);
	free(out);
	fixture_free(&f);
}

static void test_json_hostile(void)
{
	json_object *schema = schema_load(), *doc;
	struct fixture f;
	char *out;

	make_hostile(&f);
	out = render(OUT_JSON, &f.view, 1, false);
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK(strchr(out, '\x07') == NULL);
	CHECK(strchr(out, '\xff') == NULL); /* not UTF-8: made inert, the document stays JSON */
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	/* json-c escaped it; read back it is the node's string exactly. */
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.0.hostname"), "evil\x1b[2Jhost");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.hostname"), "bad??utf8");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.partial_errors.0.what"), "pf_states");
	CHECK_STR_EQ(jstr_at(doc, "clusters.0.nodes.1.partial_errors.0.error_kind"), "forbidden");
	json_object_put(doc);
	json_object_put(schema);
	free(out);
	fixture_free(&f);
}

static void test_json_empty(void)
{
	json_object *schema = schema_load(), *doc;
	char *out = render(OUT_JSON, NULL, 0, false);
	doc = json_tokener_parse(out);
	CHECK(schema_ok(schema, doc));
	CHECK_STR_EQ(jstr_at(doc, "verdict"), "unknown");
	CHECK_INT_EQ(json_object_array_length(jget(doc, "clusters")), 0);
	json_object_put(doc);
	json_object_put(schema);
	free(out);
}

/* ---- Prometheus ---- */

static void check_prom_text(const char *out, struct prom *p)
{
	bool ok = prom_parse(p, out);
	if (!ok)
		printf("# prometheus: %s\n", p->err);
	CHECK(ok);
}

static void test_prom_healthy(void)
{
	struct fixture f;
	struct prom p;
	char *out;

	make_healthy(&f, "hq");
	out = render(OUT_PROMETHEUS, &f.view, 1, false);
	check_prom_text(out, &p);
	CHECK(p.n_help == p.n_type);
	CHECK(p.n_help >= 16);
	CHECK(prom_get(&p, "carptop_demo", 0) == 0);
	CHECK(prom_get(&p, "carptop_cluster_status", 1, "cluster=hq") == 0);
	CHECK(prom_get(&p, "carptop_node_up", 2, "cluster=hq", "node=fw1") == 1);
	CHECK(prom_get(&p, "carptop_node_up", 2, "cluster=hq", "node=fw2") == 1);
	CHECK(prom_get(&p, "carptop_node_carp_allow", 2, "cluster=hq", "node=fw2") == 1);
	CHECK(prom_get(&p, "carptop_node_carp_demotion", 2, "cluster=hq", "node=fw2") == 0);
	CHECK(prom_get(&p, "carptop_node_maintenance", 2, "cluster=hq", "node=fw1") == 0);
	CHECK(prom_get(&p, "carptop_node_pf_states", 2, "cluster=hq", "node=fw1") == 470);
	CHECK(prom_get(&p, "carptop_node_pf_states_limit", 2, "cluster=hq", "node=fw1") == 100000);
	CHECK(fabs(prom_get(&p, "carptop_node_poll_duration_seconds", 2, "cluster=hq", "node=fw1") - 0.123) < 1e-9);
	CHECK(fabs(prom_get(&p, "carptop_node_data_age_seconds", 2, "cluster=hq", "node=fw1") - 1.5) < 1e-9);
	CHECK(prom_get(&p, "carptop_node_tls_insecure", 2, "cluster=hq", "node=fw1") == 0);
	CHECK(prom_get(&p, "carptop_vhid_status", 4, "cluster=hq", "node=fw1", "vhid=1", "status=MASTER") == 1);
	CHECK(prom_get(&p, "carptop_vhid_status", 4, "cluster=hq", "node=fw1", "vhid=1", "status=BACKUP") == 0);
	CHECK(prom_get(&p, "carptop_vhid_status", 4, "cluster=hq", "node=fw2", "vhid=2", "status=BACKUP") == 1);
	CHECK(prom_get(&p, "carptop_vhid_status", 4, "cluster=hq", "node=fw2", "vhid=2", "status=UNKNOWN") == 0);
	CHECK(prom_get(&p, "carptop_vhid_masters", 2, "cluster=hq", "vhid=1") == 1);
	CHECK(prom_get(&p, "carptop_vhid_verdict", 3, "cluster=hq", "vhid=1", "verdict=ok") == 1);
	CHECK(prom_get(&p, "carptop_findings", 2, "cluster=hq", "severity=critical") == 0);
	free(p.s);
	free(out);
	fixture_free(&f);
}

static void test_prom_split_down(void)
{
	struct fixture a, b;
	struct pair_view views[2];
	struct prom p;
	char *out;

	make_split(&a);
	make_down(&b);
	b.conf.name = (char *)"dc2";
	views[0] = a.view;
	views[1] = b.view;
	out = render(OUT_PROMETHEUS, views, 2, true);
	check_prom_text(out, &p);
	CHECK(prom_get(&p, "carptop_demo", 0) == 1);
	CHECK(prom_get(&p, "carptop_cluster_status", 1, "cluster=hq") == 2);
	CHECK(prom_get(&p, "carptop_cluster_status", 1, "cluster=dc2") == 2);
	CHECK(prom_get(&p, "carptop_vhid_masters", 2, "cluster=hq", "vhid=3") == 2);
	CHECK(prom_get(&p, "carptop_vhid_verdict", 3, "cluster=hq", "vhid=3", "verdict=split-brain") == 1);
	CHECK(prom_get(&p, "carptop_findings", 2, "cluster=hq", "severity=critical") >= 1);
	CHECK(prom_get(&p, "carptop_node_up", 2, "cluster=dc2", "node=fw2") == 0);
	CHECK(prom_get(&p, "carptop_node_tls_insecure", 2, "cluster=dc2", "node=fw1") == 1);
	/* Unknown values have no sample at all (not NaN, not 0). */
	CHECK(isnan(prom_get(&p, "carptop_node_pf_states", 2, "cluster=dc2", "node=fw2")));
	CHECK(isnan(prom_get(&p, "carptop_node_carp_allow", 2, "cluster=dc2", "node=fw2")));
	/* One node answers: the MASTERs it shows are counted. */
	CHECK(prom_get(&p, "carptop_vhid_masters", 2, "cluster=dc2", "vhid=1") == 1);
	CHECK(prom_get(&p, "carptop_vhid_verdict", 3, "cluster=dc2", "vhid=1", "verdict=no-redundancy") == 1);
	CHECK(prom_get(&p, "carptop_vhid_status", 4, "cluster=dc2", "node=fw2", "vhid=1", "status=UNKNOWN") == 1);
	CHECK(prom_get(&p, "carptop_node_data_age_seconds", 2, "cluster=dc2", "node=fw2") == 0.25);
	CHECK(strstr(out, "NaN") == NULL);
	free(p.s);
	free(out);
	fixture_free(&a);
	fixture_free(&b);
}

static void test_prom_escaping(void)
{
	struct fixture f;
	struct prom p;
	char *out;

	make_hostile(&f);
	f.conf.name = (char *)"h\"q\\x\nnew";
	out = render(OUT_PROMETHEUS, &f.view, 1, false);
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK_CONTAINS(out, "cluster=\"h\\\"q\\\\x\\nnew\"");
	check_prom_text(out, &p);
	/* Read back through the escapes, the label is the cluster name. */
	CHECK(prom_get(&p, "carptop_node_up", 2, "cluster=h\"q\\x\nnew", "node=fw1") == 1);
	CHECK(prom_has_family_samples(&p, "carptop_node_partial_errors"));
	CHECK(prom_get(&p, "carptop_node_partial_errors", 2, "cluster=h\"q\\x\nnew", "node=fw2") == 1);
	free(p.s);
	free(out);
	fixture_free(&f);
}

static void test_prom_parser_rejects(void)
{
	/* The checker must catch what it is there to catch. */
	struct prom p;
	CHECK(!prom_parse(&p, "carptop_x 1\n"));
	free(p.s);
	CHECK(!prom_parse(&p, "# HELP a x\n# TYPE a gauge\na{l=\"\\t\"} 1\n"));
	free(p.s);
	CHECK(!prom_parse(&p, "# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n"));
	free(p.s);
	CHECK(!prom_parse(&p, "# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\na 1\nb 1\na{x=\"2\"} 1\n"));
	free(p.s);
	CHECK(!prom_parse(&p, "# HELP a x\n# TYPE a gauge\na NaN\n"));
	free(p.s);
	CHECK(prom_parse(&p, "# HELP a x\n# TYPE a gauge\na{l=\"\\\"\\\\\\n\"} 1.5\n"));
	free(p.s);
}

/* ---- Nagios ---- */

static void check_nagios_shape(const char *out, const char *state)
{
	char *line = first_line(out), *bar;
	char prefix[64];
	const char *rest;
	int n = 0;

	snprintf(prefix, sizeof(prefix), "CARP %s - ", state);
	CHECK(strncmp(line, prefix, strlen(prefix)) == 0);
	if (strncmp(line, prefix, strlen(prefix)) != 0)
		printf("# first line: %s\n", line ? line : "(none)");
	bar = strstr(line, " | ");
	CHECK(bar != NULL);
	CHECK(bar && strchr(bar + 3, '|') == NULL);
	CHECK(bar && perfdata_ok(bar + 3, &n));
	/* Long text: never a '|' (it would start perfdata), never an escape. */
	rest = strchr(out, '\n');
	CHECK(rest && strchr(rest, '|') == NULL);
	CHECK(strchr(out, '\x1b') == NULL);
	free(line);
}

static void test_nagios_healthy(void)
{
	struct fixture f;
	char *out, *line;

	make_healthy(&f, "hq");
	out = render(OUT_NAGIOS, &f.view, 1, false);
	check_nagios_shape(out, "OK");
	line = first_line(out);
	CHECK(str_starts(line, "CARP OK - hq: 2 VHIDs, MASTER fw1 | "));
	CHECK_CONTAINS(line, "'hq_fw1_states'=470;;;0;100000");
	CHECK_CONTAINS(line, "'hq_fw2_demotion'=0;;;0");
	CHECK_CONTAINS(line, "'hq_fw1_poll_time'=0.123s;;;0");
	free(line);
	free(out);
	fixture_free(&f);
}

static void test_nagios_split(void)
{
	struct fixture a, b;
	struct pair_view views[2];
	char *out, *line;

	make_split(&a);
	make_healthy(&b, "dc 2");
	views[0] = b.view;
	views[1] = a.view;
	out = render(OUT_NAGIOS, views, 2, false);
	check_nagios_shape(out, "CRITICAL");
	line = first_line(out);
	/* The worst problem first, naming the VHID and the nodes. */
	CHECK(str_starts(line, "CARP CRITICAL - hq: VHID 3 split brain (MASTER on fw1 and fw2)"));
	/* A label with a blank in the cluster name stays one token. */
	CHECK_CONTAINS(line, "'dc_2_fw1_states'=470;;;0;100000");
	CHECK_CONTAINS(out, "\n[CRITICAL] hq: ");
	free(line);
	free(out);
	fixture_free(&a);
	fixture_free(&b);
}

static void test_nagios_down(void)
{
	struct fixture f;
	char *out, *line;

	make_down(&f);
	out = render(OUT_NAGIOS, &f.view, 1, false);
	/* The state word is the overall verdict's (UNKNOWN for a node that is down). */
	CHECK(output_overall(&f.view, 1) != SEV_OK);
	check_nagios_shape(out, severity_upper(output_overall(&f.view, 1)));
	line = first_line(out);
	CHECK_CONTAINS(line, "fw2");
	/* No perfdata for the node that did not answer. */
	CHECK(strstr(line, "'hq_fw2_") == NULL);
	CHECK_CONTAINS(out, "\nhq fw2: UNKNOWN - timeout: connection to 10.0.0.2:443 timed out after 5 s\n");
	CHECK_CONTAINS(out, "\nWARNING hq fw1: TLS certificate verification is disabled");
	free(line);
	free(out);
	fixture_free(&f);
}

static void test_nagios_hostile(void)
{
	struct fixture f;
	char *out;

	make_hostile(&f);
	out = render(OUT_NAGIOS, &f.view, 1, false);
	check_nagios_shape(out, "OK");
	CHECK(strchr(out, '\x07') == NULL);
	CHECK_CONTAINS(out, "pf_states unavailable (forbidden): 403 ?]0;title? / nope");
	free(out);
	fixture_free(&f);
}

static void test_nagios_empty(void)
{
	char *out = render(OUT_NAGIOS, NULL, 0, false);
	CHECK_STR_EQ(out, "CARP UNKNOWN - no clusters configured\n");
	free(out);
}

/* ---- text ---- */

/* The line of `text` that starts (after blanks) with `start`; a copy. */
static char *line_starting(const char *text, const char *start)
{
	const char *l = text;
	while (l && *l) {
		const char *nl = strchr(l, '\n'), *p = l;
		while (*p == ' ')
			p++;
		if (strncmp(p, start, strlen(start)) == 0)
			return xstrndup(l, nl ? (size_t)(nl - l) : strlen(l));
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void test_text_healthy(void)
{
	struct fixture f;
	char *out, *head, *row;
	const char *col;

	make_healthy(&f, "hq");
	out = render(OUT_TEXT, &f.view, 1, false);
	CHECK(str_starts(out, "cluster hq: OK\n"));
	CHECK_CONTAINS(out, "no findings");
	head = line_starting(out, "VHID");
	row = line_starting(out, "2 ");
	CHECK(head && row);
	if (head && row) {
		/* Aligned: each column header sits over its cells. */
		col = strstr(head, "VERDICT");
		CHECK(col && strlen(row) > (size_t)(col - head) && strncmp(row + (col - head), "ok", 2) == 0);
		col = strstr(head, "fw2");
		CHECK(col && strncmp(row + (col - head), "BACKUP skew 100", 15) == 0);
		col = strstr(head, "ADDRESSES");
		CHECK(col && strncmp(row + (col - head), "198.51.100.1/24, 198.51.100.9/32", 32) == 0);
	}
	free(head);
	free(row);
	row = line_starting(out, "fw1 ");
	CHECK(row != NULL);
	CHECK_CONTAINS(row, "primary");
	CHECK_CONTAINS(row, "fw1.example.org");
	CHECK_CONTAINS(row, "470/100000");
	CHECK_CONTAINS(row, "1.5s");
	CHECK(row && row[strlen(row) - 1] != ' ');
	free(row);
	CHECK(strstr(out, "WARNING") == NULL);
	free(out);
	fixture_free(&f);
}

static void test_text_split(void)
{
	struct fixture f;
	char *out, *row;

	make_split(&f);
	out = render(OUT_TEXT, &f.view, 1, false);
	CHECK(str_starts(out, "cluster hq: CRITICAL\n"));
	row = line_starting(out, "3 ");
	CHECK(row != NULL);
	CHECK_CONTAINS(row, "DMZ");
	CHECK_CONTAINS(row, "MASTER skew 0");
	CHECK_CONTAINS(row, "MASTER skew 100");
	CHECK_CONTAINS(row, "split-brain");
	free(row);
	CHECK_CONTAINS(out, "FINDINGS\n  CRITICAL  VHID 3 split brain");
	free(out);
	fixture_free(&f);
}

static void test_text_down(void)
{
	struct fixture f;
	char *out, *row;

	make_down(&f);
	/* As if the model still carried the down node's last roles. */
	f.view.rows[0].side[1].present = true;
	f.view.rows[0].side[1].status = CARP_ST_BACKUP;
	out = render(OUT_TEXT, &f.view, 1, true);
	CHECK(str_starts(out, "DEMO MODE"));
	CHECK_CONTAINS(out, "\n  WARNING: fw1: TLS certificate verification is disabled (api insecure: true)");
	row = line_starting(out, "fw2 ");
	CHECK(row != NULL);
	CHECK_CONTAINS(row, "UNKNOWN");
	CHECK_CONTAINS(row, "0.3s");
	free(row);
	CHECK_CONTAINS(out, "\n  fw2: UNKNOWN - timeout: connection to 10.0.0.2:443 timed out after 5 s\n");
	row = line_starting(out, "1 ");
	CHECK(row != NULL);
	CHECK_CONTAINS(row, "MASTER skew 0");
	CHECK_CONTAINS(row, "UNKNOWN");
	CHECK(row && strstr(row, "BACKUP") == NULL);
	free(row);
	free(out);
	fixture_free(&f);
}

static void test_text_hostile(void)
{
	struct fixture f;
	char *out;

	make_hostile(&f);
	out = render(OUT_TEXT, &f.view, 1, false);
	CHECK(strchr(out, '\x1b') == NULL);
	CHECK(strchr(out, '\x07') == NULL);
	CHECK(strchr(out, '\xff') == NULL);
	CHECK_CONTAINS(out, "evil?[2Jhost");
	CHECK_CONTAINS(out, "fw1: CARP status: boom?[2J | 'x'=1 ?[CRITICAL] fake\n");
	free(out);
	fixture_free(&f);
}

int main(void)
{
	RUN(test_format_parse);
	RUN(test_fixed);
	RUN(test_overall);
	RUN(test_schema_validator);
	RUN(test_json_healthy);
	RUN(test_json_drift);
	RUN(test_json_split);
	RUN(test_json_down);
	RUN(test_json_hostile);
	RUN(test_json_empty);
	RUN(test_prom_healthy);
	RUN(test_prom_split_down);
	RUN(test_prom_escaping);
	RUN(test_prom_parser_rejects);
	RUN(test_nagios_healthy);
	RUN(test_nagios_split);
	RUN(test_nagios_down);
	RUN(test_nagios_hostile);
	RUN(test_nagios_empty);
	RUN(test_text_healthy);
	RUN(test_text_split);
	RUN(test_text_down);
	RUN(test_text_hostile);
	return test_done();
}
