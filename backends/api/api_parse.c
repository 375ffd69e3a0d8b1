/* OPNsense API reply parsers. The shapes are those of CONTRACT.md; most of
 * them are [inferred] from the PHP source rather than captured, so every
 * reader here is lenient about types and order and strict about bounds. */
#include "api_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse/fwjob.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Errors                                                              */

static void set_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_cause(char **cause, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	if (!cause)
		return;
	sb_init(&sb);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(*cause);
	*cause = sb_steal(&sb);
}

/* ------------------------------------------------------------------ */
/* Reading JSON                                                        */

/* Parse `body` as exactly one JSON value. Truncated input makes json-c wait
 * for more (json_tokener_continue); a bare top-level number is also
 * "continue" until a terminator arrives, so feed one NUL to tell the two
 * apart. Trailing bytes other than blanks are refused. */
static json_object *parse_json(const char *body, size_t len, const char *what, char **cause)
{
	struct json_tokener *tok;
	json_object *o;
	size_t end;

	if (!body || len == 0) {
		set_cause(cause, "%s: empty reply", what);
		return NULL;
	}
	if (len > API_BODY_MAX) {
		set_cause(cause, "%s: reply of %zu bytes is too large", what, len);
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		set_cause(cause, "%s: out of memory", what);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, "", 1);
		if (!o) {
			set_cause(cause, "%s: truncated JSON reply (%zu bytes)", what, len);
			json_tokener_free(tok);
			return NULL;
		}
		end = len; /* the NUL we fed ended it; all of body was used */
	} else if (!o) {
		set_cause(cause, "%s: reply is not JSON (%s at byte %zu)", what,
			  json_tokener_error_desc(json_tokener_get_error(tok)), json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		return NULL;
	} else {
		end = json_tokener_get_parse_end(tok);
	}
	json_tokener_free(tok);
	while (end < len && isspace((unsigned char)body[end]))
		end++;
	if (end < len) {
		set_cause(cause, "%s: unexpected bytes after the JSON reply (at byte %zu)", what, end);
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *json_type_label(json_object *o)
{
	return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

/* Parse and require a top-level object (POSTing a GET-only `get` answers []). */
static json_object *parse_object(const char *body, size_t len, const char *what, char **cause)
{
	json_object *o = parse_json(body, len, what, cause);
	if (o && !json_object_is_type(o, json_type_object)) {
		set_cause(cause, "%s: expected a JSON object, got %s", what, json_type_label(o));
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Member `key` of an object; NULL when o is not an object, the key is
 * absent or its value is JSON null. */
static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool is_object(json_object *o)
{
	return o && json_object_is_type(o, json_type_object);
}

/* A whole number sent as a JSON number or as a string ("1"): OPNsense sends
 * model and ifconfig values as strings, grid counters as numbers. */
static bool jv_ll(json_object *v, long long *out)
{
	double d;
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_int:
		*out = (long long)json_object_get_int64(v);
		return true;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
			return false;
		*out = (long long)d;
		return true;
	case json_type_string:
		return str_to_ll(json_object_get_string(v), out);
	default:
		return false;
	}
}

/* An integer in [lo, hi], else `unknown`. */
static long long jv_ll_range(json_object *v, long long lo, long long hi, long long unknown)
{
	long long x;
	if (!jv_ll(v, &x) || x < lo || x > hi)
		return unknown;
	return x;
}

/* A flag: JSON boolean, 0/1, or "1"/"0"/"true"/"false"/"yes"/"no"/"on"/"off"/"". */
static bool jv_bool(json_object *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off", "" };
	const char *s;
	long long x;
	size_t i;
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_boolean:
		*out = json_object_get_boolean(v);
		return true;
	case json_type_int:
	case json_type_double:
		if (!jv_ll(v, &x))
			return false;
		*out = x != 0;
		return true;
	case json_type_string:
		s = json_object_get_string(v);
		for (i = 0; i < ARRAY_LEN(yes); i++)
			if (strcasecmp(s, yes[i]) == 0)
				return *out = true, true;
		for (i = 0; i < ARRAY_LEN(no); i++)
			if (strcasecmp(s, no[i]) == 0)
				return *out = false, true;
		return false;
	default:
		return false;
	}
}

/* Text of a scalar, bounded: strings as they are, numbers and booleans
 * printed (a "1" may arrive as 1). JSON null and absent give "" and false;
 * objects and arrays are not text. */
static bool jv_str(json_object *v, char *dst, size_t n)
{
	if (n)
		dst[0] = '\0';
	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_string:
		str_copy(dst, json_object_get_string(v), n);
		return true;
	case json_type_int:
		str_printf(dst, n, "%lld", (long long)json_object_get_int64(v));
		return true;
	case json_type_double:
		str_printf(dst, n, "%.15g", json_object_get_double(v));
		return true;
	case json_type_boolean:
		str_copy(dst, json_object_get_boolean(v) ? "true" : "false", n);
		return true;
	default:
		return false;
	}
}

/* Case-insensitive comparison of a scalar member with a word. */
static bool jv_is(json_object *v, const char *word)
{
	char buf[64];
	return jv_str(v, buf, sizeof(buf)) && strcasecmp(buf, word) == 0;
}

/* Visit the items of a grid's `rows`: a JSON array, or an object when PHP
 * encoded an array with non-sequential keys. Returns the number of items,
 * or -1 when `coll` is neither. */
typedef void (*item_fn)(json_object *item, const char *key, void *arg);

static long each_item(json_object *coll, item_fn fn, void *arg)
{
	long n = 0;
	if (!coll)
		return -1;
	if (json_object_is_type(coll, json_type_array)) {
		size_t i, len = json_object_array_length(coll);
		for (i = 0; i < len; i++, n++)
			fn(json_object_array_get_idx(coll, i), NULL, arg);
		return n;
	}
	if (json_object_is_type(coll, json_type_object)) {
		struct json_object_iterator it = json_object_iter_begin(coll);
		struct json_object_iterator end = json_object_iter_end(coll);
		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it), n++)
			fn(json_object_iter_peek_value(&it), json_object_iter_peek_name(&it), arg);
		return n;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */

void api_html_to_text(char *dst, const char *src, size_t dst_size)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' },
		{ "&#39;", '\'' }, { "&#039;", '\'' }, { "&apos;", '\'' },
	};
	static const char *const breaks[] = { "<br />", "<br/>", "<br>" };
	struct strbuf dec;
	const char *p;
	size_t o = 0, i;

	if (!dst_size)
		return;
	/* Pass 1: entities, once (so "&amp;lt;" stays "&lt;"). OPNsense escapes
	 * UserException texts with htmlspecialchars (CONTRACT §0). */
	sb_init(&dec);
	for (p = src ? src : ""; *p;) {
		for (i = 0; i < ARRAY_LEN(ents); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < ARRAY_LEN(ents)) {
			sb_addc(&dec, ents[i].c);
			p += strlen(ents[i].ent);
		} else {
			sb_addc(&dec, *p++);
		}
	}
	/* Pass 2: line breaks ("...status.<br />Check link...") become one space. */
	for (p = dec.buf ? dec.buf : ""; *p && o + 1 < dst_size;) {
		for (i = 0; i < ARRAY_LEN(breaks); i++)
			if (strncasecmp(p, breaks[i], strlen(breaks[i])) == 0)
				break;
		if (i < ARRAY_LEN(breaks)) {
			p += strlen(breaks[i]);
			while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
				p++;
			if (o > 0 && dst[o - 1] != ' ' && *p)
				dst[o++] = ' ';
			continue;
		}
		dst[o++] = *p++;
	}
	dst[o] = '\0';
	sb_free(&dec);
}

/* "192.168.1.1", "192.168.1.1/24" or "fe80::1%igb0" -> bare address and
 * prefix (-1 when none). The contract says `subnet` is bare; be lenient. */
static void split_address(const char *src, char *addr, size_t n, int *prefix)
{
	char *slash, *pct;
	long long bits;
	str_copy(addr, src, n);
	*prefix = -1;
	slash = strchr(addr, '/');
	if (slash) {
		*slash = '\0';
		if (str_to_ll(slash + 1, &bits) && bits >= 0 && bits <= 128)
			*prefix = (int)bits;
	}
	pct = strchr(addr, '%');
	if (pct)
		*pct = '\0';
}

/* Binary comparison of two addresses (the node matches VIPs by inet_pton
 * bytes too, CONTRACT §1 step 3), so "fd00:1:0::1" equals "fd00:1::1". */
static bool addr_equal(const char *a, const char *b)
{
	unsigned char ba[16], bb[16];
	if (inet_pton(AF_INET, a, ba) == 1)
		return inet_pton(AF_INET, b, bb) == 1 && memcmp(ba, bb, 4) == 0;
	if (inet_pton(AF_INET6, a, ba) == 1)
		return inet_pton(AF_INET6, b, bb) == 1 && memcmp(ba, bb, 16) == 0;
	return strcasecmp(a, b) == 0;
}

/* A model uuid goes into a URL path (del_item/{uuid}): hex and '-' only. */
static bool uuid_ok(const char *u)
{
	size_t n = 0;
	for (; u[n]; n++)
		if (!isxdigit((unsigned char)u[n]) && u[n] != '-')
			return false;
	return n >= 8 && n <= 64;
}

/* ------------------------------------------------------------------ */
/* get_vip_status                                                      */

static enum vip_mode row_mode(json_object *row)
{
	char txt[64];
	if (jv_is(jget(row, "mode"), "carp"))
		return VIP_MODE_CARP;
	if (jv_is(jget(row, "mode"), "ipalias"))
		return VIP_MODE_IPALIAS;
	/* No usable mode: CARP rows carry "<vhid> (freq. <advbase>/<advskew>)"
	 * in vhid_txt, IP aliases only the vhid (CONTRACT §1 step 5). */
	if (jv_str(jget(row, "vhid_txt"), txt, sizeof(txt)) && strstr(txt, "freq."))
		return VIP_MODE_CARP;
	return VIP_MODE_IPALIAS;
}

struct vip_ctx {
	struct snapshot *s;
	long skipped;
};

static void parse_vip_row(json_object *row, const char *key, void *arg)
{
	struct vip_ctx *c = arg;
	char text[SNAP_ADDR_LEN * 2];
	struct vip_row *r;
	long long vhid = jv_ll_range(jget(row, "vhid"), 1, 255, -1);

	(void)key;
	if (!is_object(row) || vhid < 0) {
		c->skipped++;
		return;
	}
	r = snapshot_add_vip(c->s);
	r->vhid = (int)vhid;
	/* `interface` is null for an unassigned device: "" then. */
	jv_str(jget(row, "interface"), r->ifname, sizeof(r->ifname));
	jv_str(jget(row, "subnet"), text, sizeof(text));
	split_address(text, r->address, sizeof(r->address), &r->prefix);
	r->advbase = (int)jv_ll_range(jget(row, "advbase"), 0, 255, -1);
	r->advskew = (int)jv_ll_range(jget(row, "advskew"), 0, 255, -1);
	jv_str(jget(row, "status"), text, sizeof(text));
	r->status = carp_status_parse(text);
	r->mode = row_mode(row);
}

static void parse_carp_global(json_object *carp, struct snapshot *s)
{
	char msg[SNAP_MSG_LEN * 2];
	bool b;
	long long dem;
	s->carp.known = true;
	/* net.inet.carp.demotion is a signed int and goes negative on real
	 * nodes (opnsense/core#2780: "-540"): kept as the kernel has it. An
	 * unreadable value is 0 with a note, never a made-up -1. */
	if (jv_ll(jget(carp, "demotion"), &dem) && dem >= -0x80000000LL && dem <= 0x7fffffffLL) {
		s->carp.demotion = (long)dem;
	} else {
		s->carp.demotion = 0;
		snapshot_add_partial(s, "carp", NERR_PROTOCOL, "get_vip_status: the demotion is not a number");
	}
	s->carp.allow = jv_bool(jget(carp, "allow"), &b) ? (int)b : -1;
	/* A JSON boolean on the node (carp_global_status.php); accept "1"/"0" too. */
	s->carp.maintenance = jv_bool(jget(carp, "maintenancemode"), &b) && b;
	jv_str(jget(carp, "status_msg"), msg, sizeof(msg));
	/* The demotion text contains a literal "<br />" (CONTRACT §1). */
	api_html_to_text(s->carp.status_msg, msg, sizeof(s->carp.status_msg));
}

enum node_error api_parse_vip_status(const char *body, size_t len, struct snapshot *s, char **cause)
{
	struct vip_ctx c = { .s = s, .skipped = 0 };
	json_object *root = parse_object(body, len, "get_vip_status", cause);
	json_object *carp;
	long n;
	long long total;

	if (!root)
		return NERR_PROTOCOL;
	n = each_item(jget(root, "rows"), parse_vip_row, &c);
	if (n < 0) {
		set_cause(cause, "get_vip_status: reply has no rows list");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	carp = jget(root, "carp");
	if (is_object(carp))
		parse_carp_global(carp, s);
	if (c.skipped)
		snapshot_add_partial(s, "vip_status", NERR_PROTOCOL, "%ld of %ld rows ignored: no usable vhid",
				     c.skipped, n);
	/* A GET returns every row; a short page would hide VIPs. */
	if (jv_ll(jget(root, "total"), &total) && total > n)
		snapshot_add_partial(s, "vip_status", NERR_PROTOCOL, "the node returned %ld of %lld rows", n, total);
	json_object_put(root);
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* pf_states, get_pfsync_nodes                                         */

enum node_error api_parse_pf_states(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "pf_states", cause);
	long long cur, lim;
	bool have_cur, have_lim;

	if (!root)
		return NERR_PROTOCOL;
	if (jv_is(jget(root, "result"), "failed")) {
		set_cause(cause, "pf_states: the node could not read the state table (configd filter diag state_size failed)");
		json_object_put(root);
		return NERR_COMMAND;
	}
	have_cur = jv_ll(jget(root, "current"), &cur) && cur >= 0;
	/* The limit comes from `pfctl -s memory`; with no hard limit it is absent. */
	have_lim = jv_ll(jget(root, "limit"), &lim) && lim >= 0;
	json_object_put(root);
	if (!have_cur && !have_lim) {
		set_cause(cause, "pf_states: reply has neither current nor limit");
		return NERR_PROTOCOL;
	}
	s->states.current = have_cur ? cur : -1;
	s->states.limit = have_lim ? lim : -1;
	return NERR_NONE;
}

/* "0xA2E0F312" or "a2e0f312" -> "a2e0f312"; false for anything not hex. */
static bool norm_creator(const char *src, char *dst, size_t n)
{
	size_t i, o = 0;
	if (src[0] == '0' && (src[1] == 'x' || src[1] == 'X'))
		src += 2;
	for (i = 0; src[i]; i++) {
		if (!isxdigit((unsigned char)src[i]) || o + 1 >= n)
			return false;
		dst[o++] = (char)tolower((unsigned char)src[i]);
	}
	dst[o] = '\0';
	return o > 0;
}

static void parse_pfsync_row(json_object *row, const char *key, void *arg)
{
	struct snapshot *s = arg;
	char raw[64], id[sizeof(s->pfsync.hostid)];
	bool own;
	int k;

	(void)key;
	if (!jv_str(jget(row, "creatorid"), raw, sizeof(raw)) || !norm_creator(raw, id, sizeof(id)))
		return;
	/* `this` is the integer 1 on the node's own host id (list_pfsync.py). */
	if (jv_bool(jget(row, "this"), &own) && own)
		str_copy(s->pfsync.hostid, id, sizeof(s->pfsync.hostid));
	for (k = 0; k < s->pfsync.n_creators; k++)
		if (strcmp(s->pfsync.creators[k], id) == 0)
			return;
	if (s->pfsync.n_creators < SNAP_MAX_CREATORS)
		str_copy(s->pfsync.creators[s->pfsync.n_creators++], id, sizeof(s->pfsync.creators[0]));
}

enum node_error api_parse_pfsync_nodes(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "get_pfsync_nodes", cause);
	if (!root)
		return NERR_PROTOCOL;
	/* An empty rows list is normal with two or fewer states (CONTRACT §1). */
	if (each_item(jget(root, "rows"), parse_pfsync_row, s) < 0) {
		set_cause(cause, "get_pfsync_nodes: reply has no rows list");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	s->pfsync.known = true;
	json_object_put(root);
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* hasync/get, hasync_status/version                                   */

/* An option map entry {"value":"LAN","selected":1} is selected. */
static bool option_selected(json_object *opt)
{
	bool b;
	return is_object(opt) && jv_bool(jget(opt, "selected"), &b) && b;
}

struct list_ctx {
	char *dst;
	size_t size;
	bool full;
};

/* Append a selected id to the comma list; whole ids only, so a long list is
 * cut at an id boundary rather than inside one. */
static void add_selected_item(json_object *opt, const char *key, void *arg)
{
	struct list_ctx *c = arg;
	size_t used = strlen(c->dst), need;
	if (!key || !*key || !option_selected(opt) || c->full)
		return;
	need = strlen(key) + (used ? 1 : 0);
	if (used + need + 1 > c->size) {
		c->full = true;
		return;
	}
	str_printf(c->dst + used, c->size - used, "%s%s", used ? "," : "", key);
}

/* The selected key of a single-select option map ("" = the "Disabled" entry). */
static void selected_key(json_object *map, char *dst, size_t n)
{
	struct json_object_iterator it, end;
	dst[0] = '\0';
	if (!is_object(map)) {
		jv_str(map, dst, n); /* a plain value, as `set` takes it */
		return;
	}
	it = json_object_iter_begin(map);
	end = json_object_iter_end(map);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (option_selected(json_object_iter_peek_value(&it))) {
			str_copy(dst, json_object_iter_peek_name(&it), n);
			return;
		}
	}
}

enum node_error api_parse_hasync_get(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "hasync/get", cause);
	json_object *h, *items;
	struct list_ctx lc;

	if (!root)
		return NERR_PROTOCOL;
	h = jget(root, "hasync");
	if (!is_object(h)) {
		set_cause(cause, "hasync/get: reply has no hasync object");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	/* Only these four fields are read: the object also holds the XMLRPC
	 * username and password in clear text (CONTRACT §5). */
	jv_str(jget(h, "synchronizetoip"), s->hasync.sync_target, sizeof(s->hasync.sync_target));
	s->hasync.sync_items[0] = '\0';
	items = jget(h, "syncitems");
	if (is_object(items)) {
		lc = (struct list_ctx){ .dst = s->hasync.sync_items, .size = sizeof(s->hasync.sync_items) };
		each_item(items, add_selected_item, &lc);
	} else {
		jv_str(items, s->hasync.sync_items, sizeof(s->hasync.sync_items)); /* already a comma list */
	}
	selected_key(jget(h, "pfsyncinterface"), s->pfsync.syncdev, sizeof(s->pfsync.syncdev));
	jv_str(jget(h, "pfsyncpeerip"), s->pfsync.syncpeer, sizeof(s->pfsync.syncpeer));
	/* The carp start hook (rc.syshook.d/start/90-carp) sets
	 * net.inet.carp.preempt=1 unless disablepreempt is set; otherwise
	 * the kernel's default 0 stays. */
	{
		bool dis;
		if (jv_bool(jget(h, "disablepreempt"), &dis))
			s->carp.preempt = dis ? 0 : 1;
	}
	s->hasync.known = true;
	s->pfsync.known = true;
	json_object_put(root);
	return NERR_NONE;
}

enum node_error api_parse_hasync_version(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "hasync_status/version", cause);
	json_object *resp, *status;
	char msg[SNAP_MSG_LEN * 2];

	if (!root)
		return NERR_PROTOCOL;
	resp = jget(root, "response");
	status = jget(root, "status");
	if (is_object(resp)) {
		/* firmware.version is the peer's core version; _my_version is ours. */
		s->hasync.peer_reachable_known = true;
		s->hasync.peer_reachable = true;
		s->hasync.peer_error[0] = '\0';
		if (!jv_str(jget(jget(resp, "firmware"), "version"), s->hasync.peer_version,
			    sizeof(s->hasync.peer_version)))
			jv_str(jget(jget(resp, "base"), "version"), s->hasync.peer_version,
			       sizeof(s->hasync.peer_version));
	} else if (jv_is(status, "error") || jv_is(status, "failed") || jv_is(status, "failure")) {
		s->hasync.peer_reachable_known = true;
		s->hasync.peer_reachable = false;
		s->hasync.peer_version[0] = '\0';
		if (!jv_str(jget(root, "message"), msg, sizeof(msg)) || !msg[0])
			str_copy(msg, "the backup firewall is not accessible (check user credentials)", sizeof(msg));
		api_html_to_text(s->hasync.peer_error, msg, sizeof(s->hasync.peer_error));
	} else {
		set_cause(cause, "hasync_status/version: reply has neither response nor an error status");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	json_object_put(root);
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* firmware/info, system_information, upgradestatus                    */

enum node_error api_parse_firmware_info(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "firmware/info", cause);
	char v[SNAP_NAME_LEN];

	if (!root)
		return NERR_PROTOCOL;
	if ((!jv_str(jget(root, "product_version"), v, sizeof(v)) || !v[0]) &&
	    (!jv_str(jget(jget(root, "product"), "product_version"), v, sizeof(v)) || !v[0])) {
		set_cause(cause, "firmware/info: reply has no product_version");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	str_copy(s->firmware.version, v, sizeof(s->firmware.version));
	str_copy(s->version, v, sizeof(s->version));
	/* The update target, when the node says (optional). */
	if (!jv_str(jget(root, "product_latest"), s->firmware.latest, sizeof(s->firmware.latest)))
		jv_str(jget(jget(root, "product"), "product_latest"), s->firmware.latest, sizeof(s->firmware.latest));
	json_object_put(root);
	return NERR_NONE;
}

/* "OPNsense 26.7.2-amd64" -> "26.7.2"; "OPNsense 26.7.2_1-amd64" -> "26.7.2_1". */
static void version_from_banner(const char *banner, char *dst, size_t n)
{
	const char *p = banner;
	char *dash;
	while (*p && !isdigit((unsigned char)*p)) {
		while (*p && *p != ' ') /* skip the product name word */
			p++;
		while (*p == ' ')
			p++;
	}
	str_copy(dst, p, n);
	dst[strcspn(dst, " ")] = '\0';
	dash = strrchr(dst, '-');
	if (dash && isalpha((unsigned char)dash[1]))
		*dash = '\0';
}

enum node_error api_parse_system_information(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "system_information", cause);
	json_object *versions;
	char banner[SNAP_NAME_LEN * 2];
	bool have_name, have_version = false;

	if (!root)
		return NERR_PROTOCOL;
	have_name = jv_str(jget(root, "name"), s->hostname, sizeof(s->hostname)) && s->hostname[0];
	versions = jget(root, "versions");
	if (versions && json_object_is_type(versions, json_type_array) && json_object_array_length(versions) > 0 &&
	    jv_str(json_object_array_get_idx(versions, 0), banner, sizeof(banner))) {
		have_version = true;
		if (!s->version[0])
			version_from_banner(banner, s->version, sizeof(s->version));
	}
	json_object_put(root);
	if (!have_name && !have_version) {
		set_cause(cause, "system_information: reply has neither name nor versions");
		return NERR_PROTOCOL;
	}
	return NERR_NONE;
}

enum node_error api_parse_upgradestatus(const char *body, size_t len, struct snapshot *s, char **cause)
{
	static const struct {
		const char *word;
		enum fw_state state;
	} map[] = {
		{ "running", FW_RUNNING }, { "done", FW_DONE }, { "reboot", FW_REBOOTING }, { "error", FW_ERROR },
	};
	json_object *root = parse_object(body, len, "firmware/upgradestatus", cause);
	char word[32];
	size_t i;

	if (!root)
		return NERR_PROTOCOL;
	jv_str(jget(root, "status"), word, sizeof(word));
	json_object_put(root);
	for (i = 0; i < ARRAY_LEN(map); i++) {
		if (strcasecmp(word, map[i].word) == 0) {
			s->firmware.state = map[i].state;
			return NERR_NONE;
		}
	}
	set_cause(cause, "firmware/upgradestatus: unknown status \"%.32s\"", word);
	return NERR_PROTOCOL;
}

enum node_error api_parse_fw_log(const char *body, size_t len, char **log, char **cause)
{
	json_object *root = parse_object(body, len, "firmware/upgradestatus", cause);
	json_object *l;
	*log = NULL;
	if (!root)
		return NERR_PROTOCOL;
	l = jget(root, "log");
	if (l && json_object_is_type(l, json_type_string))
		*log = xstrdup(json_object_get_string(l));
	json_object_put(root);
	if (!*log) {
		set_cause(cause, "firmware/upgradestatus: reply has no log");
		return NERR_PROTOCOL;
	}
	return NERR_NONE;
}

int api_parse_fw_running(const char *body, size_t len)
{
	json_object *root = parse_object(body, len, "firmware/running", NULL);
	char word[16] = "";
	if (!root)
		return -1;
	jv_str(jget(root, "status"), word, sizeof(word));
	json_object_put(root);
	return str_eq(word, "ready") ? 0 : str_eq(word, "busy") ? 1 : -1;
}

enum node_error api_parse_system_time(const char *body, size_t len, long long *now, long long *boot, char **cause)
{
	json_object *root = parse_object(body, len, "system_time", cause);
	char text[80];
	*now = *boot = -1;
	if (!root)
		return NERR_PROTOCOL;
	if (jv_str(jget(root, "datetime"), text, sizeof(text)))
		*now = fwjob_parse_time(text);
	if (jv_str(jget(root, "boottime"), text, sizeof(text)))
		*boot = fwjob_parse_time(text);
	json_object_put(root);
	if (*now < 0) {
		set_cause(cause, "system_time: reply has no readable datetime");
		return NERR_PROTOCOL;
	}
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* Configuration history                                               */

enum node_error api_parse_backups(const char *body, size_t len, struct snapshot *s, char **cause)
{
	json_object *root = parse_object(body, len, "core/backup/backups", cause), *items;
	long long best = -1;
	size_t i, n;
	char id[sizeof(s->config_marker)] = "";

	if (!root)
		return NERR_PROTOCOL;
	items = jget(root, "items");
	if (!items || !json_object_is_type(items, json_type_array)) {
		set_cause(cause, "core/backup/backups: no \"items\" list");
		json_object_put(root);
		return NERR_PROTOCOL;
	}
	n = json_object_array_length(items);
	/* Newest first per the contract, but pick the largest time anyway; an
	 * entry without a time counts only when nothing has one. */
	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		char this_id[sizeof(id)];
		long long t = -1;
		if (!is_object(it) || !jv_str(jget(it, "id"), this_id, sizeof(this_id)) || !this_id[0])
			continue;
		if (!jv_ll(jget(it, "time"), &t))
			t = -1;
		if (!id[0] || t > best) {
			best = t;
			str_copy(id, this_id, sizeof(id));
		}
	}
	json_object_put(root);
	/* No backup kept at all is a state too: the download then has nothing
	 * to give, and it need not be asked again until one appears. */
	str_copy(s->config_marker, id[0] ? id : "no-backup", sizeof(s->config_marker));
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* Action replies                                                      */

static enum node_error result_set(struct action_result *r, enum node_error e, const char *msg)
{
	r->err = e;
	api_html_to_text(r->message, msg, sizeof(r->message));
	return e;
}

static enum node_error result_from_cause(struct action_result *r, char *cause)
{
	result_set(r, NERR_PROTOCOL, cause ? cause : "unreadable reply");
	free(cause);
	return NERR_PROTOCOL;
}

enum node_error api_parse_action_reply(const char *body, size_t len, struct action_result *r)
{
	char *cause = NULL;
	json_object *root = parse_object(body, len, "action", &cause);
	json_object *status;
	char word[64], msg[SNAP_MSG_LEN], text[SNAP_MSG_LEN];
	long long count;
	enum node_error e;

	if (!root)
		return result_from_cause(r, cause);
	status = jget(root, "status");
	jv_str(jget(root, "message"), msg, sizeof(msg));
	if (jv_is(status, "ok")) {
		/* carp_status answers with the action taken: "enter_maintenance" or
		 * "leave_maintenance" tells which way the toggle went. */
		if (jv_str(jget(root, "action"), text, sizeof(text)) && text[0]) {
			e = result_set(r, NERR_NONE, text);
		} else if (jv_ll(jget(root, "count"), &count)) {
			str_printf(text, sizeof(text), "ok (%lld services restarted)", count);
			e = result_set(r, NERR_NONE, text);
		} else {
			e = result_set(r, NERR_NONE, "ok");
		}
	} else if (status) {
		/* "failed" (unknown action, or a GET), "failure", "error" + message. */
		jv_str(status, word, sizeof(word));
		if (msg[0])
			str_printf(text, sizeof(text), "the node reported an error: %s", msg);
		else
			str_printf(text, sizeof(text), "the node reported status \"%s\"", word[0] ? word : "(empty)");
		e = result_set(r, NERR_COMMAND, text);
	} else if (msg[0]) {
		/* {"message":"error"}: a GET, or configd gave an empty reply (§2). */
		str_printf(text, sizeof(text), "the node answered \"%.64s\" (its configd action gave no result)", msg);
		e = result_set(r, NERR_COMMAND, text);
	} else {
		e = result_set(r, NERR_PROTOCOL, "unexpected reply: no status");
	}
	json_object_put(root);
	return e;
}

/* "vip.network" -> "network"; values are a string or an array of strings. */
static void add_validation(json_object *v, const char *key, void *arg)
{
	struct strbuf *sb = arg;
	const char *field = key ? key : "";
	char text[SNAP_MSG_LEN];
	size_t i, n;

	if (str_starts(field, "vip."))
		field += 4;
	sb_printf(sb, "%s%s:", sb->len ? "; " : "", field);
	if (v && json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (jv_str(json_object_array_get_idx(v, i), text, sizeof(text)))
				sb_printf(sb, " %s", text);
	} else if (jv_str(v, text, sizeof(text))) {
		sb_printf(sb, " %s", text);
	}
}

enum node_error api_parse_vip_result(const char *body, size_t len, struct action_result *r)
{
	char *cause = NULL;
	json_object *root = parse_object(body, len, "vip_settings", &cause);
	json_object *result;
	char uuid[80], text[SNAP_MSG_LEN];
	struct strbuf sb;
	enum node_error e;

	if (!root)
		return result_from_cause(r, cause);
	result = jget(root, "result");
	if (jv_is(result, "saved")) {
		if (jv_str(jget(root, "uuid"), uuid, sizeof(uuid)) && uuid_ok(uuid))
			str_printf(text, sizeof(text), "saved (uuid %s); pending until applied", uuid);
		else
			str_copy(text, "saved; pending until applied", sizeof(text));
		e = result_set(r, NERR_NONE, text);
	} else if (jv_is(result, "deleted")) {
		e = result_set(r, NERR_NONE, "deleted; pending until applied");
	} else if (jv_is(result, "not found")) {
		e = result_set(r, NERR_NOT_FOUND, "no such virtual IP on the node (already deleted?)");
	} else if (jv_is(result, "failed")) {
		sb_init(&sb);
		each_item(jget(root, "validations"), add_validation, &sb);
		if (sb.len)
			str_printf(text, sizeof(text), "rejected by the node: %s", sb.buf);
		else
			str_copy(text, "the node reported result \"failed\"", sizeof(text));
		sb_free(&sb);
		e = result_set(r, NERR_COMMAND, text);
	} else {
		e = result_set(r, NERR_PROTOCOL, "unexpected reply: no result");
	}
	json_object_put(root);
	return e;
}

/* ------------------------------------------------------------------ */
/* vip_settings/search_item                                            */

/* Walk the rows of a vip_settings/search_item reply with fn. -1 with
 * *cause set when it is not JSON or has no rows list. */
static int search_rows(const char *body, size_t len, item_fn fn, void *arg, char **cause)
{
	json_object *root = parse_object(body, len, "vip_settings/search_item", cause);
	long n;
	if (!root)
		return -1;
	n = each_item(jget(root, "rows"), fn, arg);
	json_object_put(root);
	if (n < 0) {
		set_cause(cause, "vip_settings/search_item: reply has no rows list");
		return -1;
	}
	return 0;
}

struct find_ctx {
	const struct vip_spec *want;
	char *uuid;
	size_t uuid_size;
	bool found;
};

static bool row_interface_matches(json_object *row, const char *want)
{
	char text[SNAP_NAME_LEN];
	if (!want[0])
		return true; /* no interface given: the VHID decides */
	/* The config key ("lan") or its display value ("%interface": "LAN"):
	 * get_vip_status shows the description, so a caller may hold either. */
	if (jv_str(jget(row, "interface"), text, sizeof(text)) && strcasecmp(text, want) == 0)
		return true;
	return jv_str(jget(row, "%interface"), text, sizeof(text)) && strcasecmp(text, want) == 0;
}

static void find_vip_row(json_object *row, const char *key, void *arg)
{
	struct find_ctx *c = arg;
	char text[SNAP_ADDR_LEN * 2], addr[SNAP_ADDR_LEN], uuid[80];
	int prefix;
	long long bits;

	(void)key;
	if (c->found || !is_object(row))
		return;
	if (jv_ll_range(jget(row, "vhid"), 1, 255, -1) != c->want->vhid)
		return;
	if (!row_interface_matches(row, c->want->interface))
		return;
	if (!jv_str(jget(row, "subnet"), text, sizeof(text)) || !text[0])
		jv_str(jget(row, "address"), text, sizeof(text));
	split_address(text, addr, sizeof(addr), &prefix);
	if (!addr_equal(addr, c->want->address))
		return;
	if (jv_ll(jget(row, "subnet_bits"), &bits))
		prefix = (int)bits;
	if (c->want->prefix >= 0 && prefix >= 0 && prefix != c->want->prefix)
		return;
	if (!jv_str(jget(row, "uuid"), uuid, sizeof(uuid)) || !uuid_ok(uuid))
		return;
	str_copy(c->uuid, uuid, c->uuid_size);
	c->found = true;
}

struct carp_iface_ctx {
	int vhid;
	char *out;
	size_t n;
	bool found;
};

static void find_carp_iface(json_object *row, const char *key, void *arg)
{
	struct carp_iface_ctx *c = arg;
	char mode[16], iface[SNAP_NAME_LEN];
	(void)key;
	if (c->found || !is_object(row) || jv_ll_range(jget(row, "vhid"), 1, 255, -1) != c->vhid)
		return;
	if (!jv_str(jget(row, "mode"), mode, sizeof(mode)) || strcmp(mode, "carp") != 0)
		return;
	if (!jv_str(jget(row, "interface"), iface, sizeof(iface)) || !iface[0])
		return;
	str_copy(c->out, iface, c->n);
	c->found = true;
}

enum node_error api_parse_vip_search_carp_iface(const char *body, size_t len, int vhid, char *iface, size_t n,
						char **cause)
{
	struct carp_iface_ctx c = { vhid, iface, n, false };
	if (n)
		iface[0] = '\0';
	if (search_rows(body, len, find_carp_iface, &c, cause) < 0)
		return NERR_PROTOCOL;
	if (!c.found) {
		set_cause(cause, "no CARP virtual IP with vhid %d is configured", vhid);
		return NERR_NOT_FOUND;
	}
	return NERR_NONE;
}

enum node_error api_parse_vip_search_find(const char *body, size_t len, const struct vip_spec *want,
					  char *uuid, size_t uuid_size, char **cause)
{
	struct find_ctx c = { .want = want, .uuid = uuid, .uuid_size = uuid_size };

	if (uuid_size)
		uuid[0] = '\0';
	if (search_rows(body, len, find_vip_row, &c, cause) < 0)
		return NERR_PROTOCOL;
	if (!c.found) {
		set_cause(cause, "no virtual IP %s with vhid %d on interface %s", want->address, want->vhid,
			  want->interface);
		return NERR_NOT_FOUND;
	}
	return NERR_NONE;
}

/* ------------------------------------------------------------------ */
/* HTTP error replies                                                  */

/* carp_status actions before 26.7 (CONTRACT "Version notes"): the Status
 * privilege listed the bare carp_status path without a trailing wildcard, so holding it
 * gives 403 on carp_status/maintenance|disable|enable, and no narrower
 * privilege covers them ("Interfaces: Virtual IPs: Settings" covers only
 * api/interfaces/vip_settings/...): only an update or "All pages" helps. */
#define CARP_STATUS_NOTE "; before 26.7 that privilege misses carp_status actions and only 'All pages' covers them"

/* Which privilege covers which API path (CONTRACT §8, the ACL.xml files),
 * and since which release the endpoint exists (for 404s). Matched as a
 * prefix of the path after "/api/"; the first match wins. */
static const struct api_acl {
	const char *prefix;
	const char *privilege; /* the name the GUI shows */
	const char *key;       /* the ACL key, where the contract names it */
	const char *since;     /* first release with the endpoint, NULL if older than 23.1 */
	const char *note;      /* appended to a 403 message */
} acl_table[] = {
	{ "diagnostics/interface/carp_status", "Interfaces: Virtual IPs: Status", "page-status-carp", "23.1", CARP_STATUS_NOTE },
	{ "diagnostics/interface/get_vip_status", "Interfaces: Virtual IPs: Status", "page-status-carp", "23.1", NULL },
	{ "diagnostics/interface/get_pfsync_nodes", "Interfaces: Virtual IPs: Status", "page-status-carp", "25.1", NULL },
	/* No core ACL pattern lists it: only admins reach it (CONTRACT §1). */
	{ "diagnostics/interface/get_interface_config", "All pages", "page-all", NULL, NULL },
	{ "interfaces/vip_settings/", "Interfaces: Virtual IPs: Settings", "page-firewall-virtualipaddress-edit", "23.1", NULL },
	{ "core/hasync_status/", "Status: HA backup", "page-status-habackup", "25.1", NULL },
	{ "core/hasync/", "System: High Availability", "page-system-hasync", "24.7", NULL },
	{ "diagnostics/firewall/pf_statistics", "Diagnostics: Firewall statistics", "page-diagnostics-pf-info", NULL, NULL },
	/* The dashboard privilege (GUI name "Lobby: Dashboard"). */
	{ "diagnostics/firewall/pf_states", "Lobby: Dashboard", NULL, "24.7", NULL },
	{ "diagnostics/system/system_", "Lobby: Dashboard", NULL, NULL, NULL },
	{ "core/firmware/", "System: Firmware", NULL, NULL, NULL },
	{ "core/backup/", "Diagnostics: Configuration History", NULL, NULL, NULL },
	{ "core/system/reboot", "Diagnostics: Reboot System", NULL, NULL, NULL },
};

/* The request path without "/api/", "https://host" or a query string. */
static void short_path(const char *path, char *dst, size_t n)
{
	const char *p = path ? path : "";
	const char *api = strstr(p, "/api/");
	if (api)
		p = api + 5;
	str_copy(dst, p, n);
	dst[strcspn(dst, "?#")] = '\0';
}

static const struct api_acl *acl_lookup(const char *path)
{
	char rel[256];
	size_t i;
	short_path(path, rel, sizeof(rel));
	for (i = 0; i < ARRAY_LEN(acl_table); i++)
		if (str_starts(rel, acl_table[i].prefix))
			return &acl_table[i];
	return NULL;
}

const char *api_privilege_for_path(const char *path)
{
	const struct api_acl *a = acl_lookup(path);
	return a ? a->privilege : NULL;
}

/* The node's own words from an error body: "message" (401/403/400) or
 * "errorTitle: errorMessage" (404/500), entity-decoded. "" if none. */
static void error_text(const char *body, size_t len, char *dst, size_t n)
{
	json_object *root = parse_object(body, len, "error", NULL);
	char title[SNAP_MSG_LEN], text[SNAP_MSG_LEN], both[SNAP_MSG_LEN * 2 + 2];
	dst[0] = '\0';
	if (!root)
		return;
	jv_str(jget(root, "errorTitle"), title, sizeof(title));
	if (!jv_str(jget(root, "errorMessage"), text, sizeof(text)) || !text[0])
		jv_str(jget(root, "message"), text, sizeof(text));
	if (title[0] && text[0] && strcasecmp(title, "error") != 0)
		str_printf(both, sizeof(both), "%s: %s", title, text);
	else
		str_copy(both, text, sizeof(both));
	api_html_to_text(dst, both, n);
	json_object_put(root);
}

static bool body_blank(const char *body, size_t len)
{
	size_t i;
	for (i = 0; body && i < len; i++)
		if (!isspace((unsigned char)body[i]))
			return false;
	return true;
}

static void error_403(const char *rel, const struct api_acl *a, char *msg, size_t n)
{
	if (!a) {
		str_printf(msg, n, "403 Forbidden on %s: the API user lacks the privilege for this path; "
			   "check System > Access > Users > Effective Privileges", rel);
	} else if (a->key) {
		str_printf(msg, n, "403 Forbidden on %s: grant the API user '%s' (%s)%s", rel,
			   a->privilege, a->key, a->note ? a->note : "");
	} else {
		str_printf(msg, n, "403 Forbidden on %s: grant the API user '%s'%s", rel, a->privilege,
			   a->note ? a->note : "");
	}
}

void api_parse_error_body(int http_status, const char *path, const char *body, size_t len,
			  enum node_error *err, char *msg, size_t msg_size)
{
	const struct api_acl *a = acl_lookup(path);
	char rel[128], text[SNAP_MSG_LEN];
	bool blank = body_blank(body, len);

	short_path(path, rel, sizeof(rel));
	error_text(body, len, text, sizeof(text));

	if ((http_status == 401 || http_status == 403) && blank) {
		/* An empty 401/403 is the GUI-session path: the node saw no
		 * Authorization header at all (CONTRACT §0), not a wrong key. */
		*err = NERR_AUTH;
		str_printf(msg, msg_size, "HTTP %d with an empty body: the node saw no API credentials and treated "
			   "the request as a GUI session; check key_file and any proxy in between", http_status);
	} else if (http_status == 401) {
		*err = NERR_AUTH;
		str_printf(msg, msg_size, "API key or secret rejected (401%s%s); check key_file", text[0] ? " " : "",
			   text);
	} else if (http_status == 403) {
		*err = NERR_FORBIDDEN;
		error_403(rel, a, msg, msg_size);
	} else if (http_status == 404 && text[0]) {
		*err = NERR_NOT_FOUND;
		if (a && a->since)
			str_printf(msg, msg_size, "endpoint absent on this release (404 %s: %s; needs OPNsense %s or later)",
				   text, rel, a->since);
		else
			str_printf(msg, msg_size, "endpoint absent on this release (404 %s: %s)", text, rel);
	} else if (http_status == 404) {
		/* Not the OPNsense API envelope: wrong URL or not an OPNsense GUI. */
		*err = NERR_NOT_FOUND;
		str_printf(msg, msg_size, "HTTP 404 on %s without an OPNsense error reply; check the url", rel);
	} else if (http_status == 400) {
		/* parseJsonBodyData: an empty body sent as application/json (§0). */
		*err = NERR_PROTOCOL;
		str_printf(msg, msg_size, "the node rejected the request (400 %s) on %s", text[0] ? text : "Bad Request",
			   rel);
	} else if (http_status >= 500 && http_status <= 599) {
		*err = NERR_SERVER;
		if (text[0])
			str_printf(msg, msg_size, "server error (HTTP %d): %s", http_status, text);
		else
			str_printf(msg, msg_size, "server error (HTTP %d) without an OPNsense error text", http_status);
	} else if (http_status >= 300 && http_status <= 399) {
		/* Port 80 only redirects to https (§0). */
		*err = NERR_PROTOCOL;
		str_printf(msg, msg_size, "unexpected redirect (HTTP %d) on %s; the url must be the https GUI address",
			   http_status, rel);
	} else {
		*err = NERR_PROTOCOL;
		str_printf(msg, msg_size, "unexpected HTTP %d on %s%s%s", http_status, rel, text[0] ? ": " : "", text);
	}
}
