/* Loading carptop's YAML configuration (format: doc/carptop.yaml.5).
 *
 * libyaml's document API gives a node tree that keeps each node's position,
 * so every complaint can point at FILE:LINE:COL. Each mapping level (top,
 * cluster, node, api, ssh) is a table of known keys with a parse function
 * per key; one generic walker checks a mapping against its table. Values go
 * straight into the struct config being built, so on any error a single
 * config_free() releases everything allocated so far. */
#include "config.h"
#include "util.h"
#include "yamldepth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define DEFAULT_INTERVAL 2.0
#define DEFAULT_THEME "default"
#define DEFAULT_API_TIMEOUT 5.0
#define DEFAULT_SSH_PORT 22
#define DEFAULT_SSH_USER "root"
#define DEFAULT_KNOWN_HOSTS "~/.ssh/known_hosts"
#define DEFAULT_SSH_CONFIG "~/.ssh/config"
#define DEFAULT_SSH_TIMEOUT 10.0
#define DEFAULT_MAINTENANCE_MAX_AGE (4 * 3600.0)
#define DEFAULT_STATE_RATIO 0.2

/* A config file is a few kilobytes; the caps keep a stray binary or a
 * generated monster from costing much memory before it is refused. */
#define CONFIG_MAX_BYTES (1024 * 1024)
#define APIKEY_MAX_BYTES (64 * 1024)
#define NAME_MAX_LEN 64
#define SHOWN_MAX 48 /* how much of a user's value is echoed in a message */
#define MAX_KEYS 16  /* keys per mapping level */

static const char HINT_APIKEY[] =
	"save the file OPNsense gives you (System > Access > Users > API keys) there, or fix the path";
static const char HINT_IDENTITY[] = "create the key with ssh-keygen, or fix the path";
static const char HINT_PIN[] =
	"compute the pin with openssl as shown in carptop.yaml(5) and write it as 'pin: \"sha256//...\"'";

const char *transport_name(enum transport t)
{
	switch (t) {
	case TRANSPORT_NONE: return "none";
	case TRANSPORT_API: return "api";
	case TRANSPORT_SSH: return "ssh";
	case TRANSPORT_SIM: return "sim";
	}
	return "?";
}

const char *node_role_name(enum node_role r)
{
	switch (r) {
	case ROLE_PRIMARY: return "primary";
	case ROLE_SECONDARY: return "secondary";
	}
	return "?";
}

/* ---- the loader and its error reporting ---- */

struct loader {
	const char *name;     /* file name used in messages */
	const char *base_dir; /* relative paths resolve here; NULL: the working directory */
	const char *text;
	size_t len;
	yaml_document_t *doc;
	char *cause; /* the first error; everything stops there */
};

static int fail_v(struct loader *L, yaml_mark_t m, const char *fmt, va_list ap)
{
	struct strbuf sb;
	if (L->cause)
		return -1;
	sb_init(&sb);
	sb_printf(&sb, "%s:%zu:%zu: ", L->name, m.line + 1, m.column + 1);
	sb_vprintf(&sb, fmt, ap);
	L->cause = sb_steal(&sb);
	return -1;
}

static int fail_at(struct loader *L, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(struct loader *L, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(L, m, fmt, ap);
	va_end(ap);
	return -1;
}

/* Report at a node's position (line 1 column 1 when there is no node). */
static int fail(struct loader *L, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct loader *L, const yaml_node_t *at, const char *fmt, ...)
{
	yaml_mark_t none = { 0, 0, 0 };
	va_list ap;
	va_start(ap, fmt);
	fail_v(L, at ? at->start_mark : none, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t node_line(const yaml_node_t *n)
{
	return n->start_mark.line + 1;
}

/* The user's text, made inert and cut short, for echoing in a message. */
static const char *shown(char buf[SHOWN_MAX], const char *s)
{
	text_sanitize(buf, s, SHOWN_MAX - 3);
	if (strlen(buf) < strlen(s))
		strcat(buf, "...");
	return buf;
}

/* ---- scalar classification ---- */

static const yaml_node_t *node_at(struct loader *L, int id)
{
	return yaml_document_get_node(L->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* "key:" with nothing after it, "~" and "null" are YAML's null. */
static bool is_null(const yaml_node_t *n)
{
	const char *s;
	if (!is_plain(n))
		return false;
	s = scalar(n);
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Only true/false/yes/no: on/off/y/n and 0/1 are too easy to write by
 * accident for a setting such as `insecure`. */
static bool bool_word(const char *s, bool *out)
{
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
		*out = true;
		return true;
	}
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* A decimal number. Hex, "inf" and "nan" are refused by the character set;
 * an overflow such as 1e999 comes back as infinity for the range checks. */
static bool number_parse(const char *s, double *out)
{
	char *end;
	if (!*s || strspn(s, "0123456789.+-eE") != strlen(s) || !strpbrk(s, "0123456789"))
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

static const char *describe(char *buf, size_t sz, const yaml_node_t *n)
{
	char v[SHOWN_MAX];
	double d;
	bool b;
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_SCALAR_NODE: break;
	default: return "nothing";
	}
	if (is_null(n))
		return "nothing (null)";
	shown(v, scalar(n));
	if (!is_plain(n))
		str_printf(buf, sz, "the quoted string '%s'", v);
	else if (bool_word(scalar(n), &b))
		str_printf(buf, sz, "the boolean '%s'", v);
	else if (number_parse(scalar(n), &d))
		str_printf(buf, sz, "the number %s", v);
	else
		str_printf(buf, sz, "the string '%s'", v);
	return buf;
}

/* ---- key tables and the mapping walker ---- */

struct field;
typedef int parse_fn(struct loader *L, const struct field *f);

struct key_def {
	const char *name;
	parse_fn *parse;
	size_t offset;    /* destination inside the struct being filled (sections: 0, the struct itself) */
	bool required;
	double max;       /* upper bound for durations */
	const char *hint; /* how to write it: ends every message about this key */
};

struct table {
	const struct key_def *keys;
	size_t n;
};
#define TABLE(keys) { keys, ARRAY_LEN(keys) }

/* One "key: value" pair being parsed. */
struct field {
	const struct key_def *def;
	const yaml_node_t *key, *val;
	const char *where; /* "cluster 'hq'", "the top level", ... */
	void *dst;
};

/* Which keys a mapping had, for the checks that look at several at once. */
struct seen {
	const yaml_node_t *key[MAX_KEYS], *val[MAX_KEYS];
};

static size_t key_find(const struct table *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->keys[i].name, name) == 0)
			break;
	return i;
}

static const yaml_node_t *seen_key(const struct table *t, const struct seen *s, const char *name)
{
	size_t i = key_find(t, name);
	return i < t->n ? s->key[i] : NULL;
}

static const yaml_node_t *seen_val(const struct table *t, const struct seen *s, const char *name)
{
	size_t i = key_find(t, name);
	return i < t->n ? s->val[i] : NULL;
}

/* Levenshtein distance, for "did you mean"; long words are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[33], i, j;
	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int unknown_key(struct loader *L, const struct table *t, const yaml_node_t *k, const char *where)
{
	struct strbuf known;
	const char *guess = NULL;
	size_t i, best = 3;
	char v[SHOWN_MAX];
	int rc;

	sb_init(&known);
	for (i = 0; i < t->n; i++) {
		size_t d = edit_distance(scalar(k), t->keys[i].name);
		sb_printf(&known, "%s%s", i ? ", " : "", t->keys[i].name);
		if (d < best) {
			best = d;
			guess = t->keys[i].name;
		}
	}
	if (guess)
		rc = fail(L, k, "unknown key '%s' in %s; known keys: %s; did you mean '%s'?",
			  shown(v, scalar(k)), where, known.buf, guess);
	else
		rc = fail(L, k, "unknown key '%s' in %s; known keys: %s", shown(v, scalar(k)), where, known.buf);
	sb_free(&known);
	return rc;
}

/* Check one mapping against its table, parsing each value into obj. */
static int map_walk(struct loader *L, const yaml_node_t *map, const struct table *t, void *obj,
		    const char *where, struct seen *seen)
{
	const yaml_node_pair_t *p;
	size_t i;
	char d[96];

	memset(seen, 0, sizeof(*seen));
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node_at(L, p->key), *v = node_at(L, p->value);
		struct field f;
		if (k->type != YAML_SCALAR_NODE || is_null(k))
			return fail(L, k, "a key must be a name, got %s in %s; write 'name: value' lines",
				    describe(d, sizeof(d), k), where);
		i = key_find(t, scalar(k));
		if (i == t->n)
			return unknown_key(L, t, k, where);
		if (seen->key[i])
			return fail(L, k, "duplicate key '%s' in %s (first at line %zu); keep only one of them",
				    t->keys[i].name, where, node_line(seen->key[i]));
		seen->key[i] = k;
		seen->val[i] = v;
		f.def = &t->keys[i];
		f.key = k;
		f.val = v;
		f.where = where;
		f.dst = (char *)obj + t->keys[i].offset;
		if (t->keys[i].parse(L, &f) < 0)
			return -1;
	}
	for (i = 0; i < t->n; i++)
		if (t->keys[i].required && !seen->key[i])
			return fail(L, map, "missing required key '%s' in %s; %s", t->keys[i].name, where,
				    t->keys[i].hint);
	return 0;
}

/* "cluster 'hq'" or, when it has no usable name, "cluster #2"; for messages. */
static char *map_label(struct loader *L, const yaml_node_t *map, const char *kind, size_t index,
		       const char *parent)
{
	const yaml_node_pair_t *p;
	char v[SHOWN_MAX];
	char *label = NULL, *full;

	if (map->type == YAML_MAPPING_NODE) {
		for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = node_at(L, p->key), *val = node_at(L, p->value);
			if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), "name") == 0 &&
			    val->type == YAML_SCALAR_NODE && !is_null(val) && *scalar(val)) {
				label = xasprintf("%s '%s'", kind, shown(v, scalar(val)));
				break;
			}
		}
	}
	if (!label)
		label = xasprintf("%s #%zu", kind, index + 1);
	if (!parent)
		return label;
	full = xasprintf("%s of %s", label, parent);
	free(label);
	return full;
}

/* ---- value parsers ---- */

static int type_error(struct loader *L, const struct field *f, const char *expected)
{
	char d[96];
	return fail(L, f->val, "wrong type for key '%s' in %s: expected %s, got %s; %s", f->def->name,
		    f->where, expected, describe(d, sizeof(d), f->val), f->def->hint);
}

/* problem is already formatted; fix NULL means the key's own hint. */
static int bad_value(struct loader *L, const struct field *f, const char *problem, const char *fix)
{
	return fail(L, f->val, "bad value for key '%s' in %s: %s; %s", f->def->name, f->where, problem,
		    fix ? fix : f->def->hint);
}

/* A non-empty scalar without control characters; everything textual goes
 * through here so names and hosts cannot smuggle a NUL or an escape sequence. */
static int get_text(struct loader *L, const struct field *f, const char **out)
{
	const char *s;
	size_t i, len;
	if (f->val->type != YAML_SCALAR_NODE || is_null(f->val))
		return type_error(L, f, "a string");
	s = scalar(f->val);
	len = f->val->data.scalar.length;
	if (strlen(s) != len)
		return bad_value(L, f, "it contains a NUL byte", NULL);
	if (len == 0)
		return bad_value(L, f, "it is empty", NULL);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bad_value(L, f, "it contains a control character", NULL);
	*out = s;
	return 0;
}

static void set_str(char **dst, char *value)
{
	free(*dst);
	*dst = value;
}

static int parse_name(struct loader *L, const struct field *f)
{
	const char *s;
	char msg[96];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (strlen(s) > NAME_MAX_LEN) {
		str_printf(msg, sizeof(msg), "it is %zu bytes long, the limit is %d", strlen(s), NAME_MAX_LEN);
		return bad_value(L, f, msg, NULL);
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

/* Themes are file names under the theme directory, so no slashes or dots
 * that could lead elsewhere. */
static int parse_theme(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (s[0] == '.' || strlen(s) > NAME_MAX_LEN ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(s)) {
		str_printf(msg, sizeof(msg), "'%s' is not a theme name (letters, digits, '.', '_' and '-')",
			   shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

static bool is_hex_colour(const char *s)
{
	return s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

static bool is_colour_name(const char *s)
{
	return isalpha((unsigned char)s[0]) && strlen(s) <= 32 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(s);
}

static int parse_colour(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (!is_hex_colour(s) && !is_colour_name(s)) {
		str_printf(msg, sizeof(msg), "'%s' is neither a colour name nor #rrggbb", shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

static int parse_bool(struct loader *L, const struct field *f)
{
	if (!is_plain(f->val) || !bool_word(scalar(f->val), f->dst))
		return type_error(L, f, "a boolean (true, false, yes or no)");
	return 0;
}

/* A boolean that inherits when absent (CONF_UNSET / CONF_OFF / CONF_ON). */
static int parse_switch(struct loader *L, const struct field *f)
{
	bool v;
	if (!is_plain(f->val) || !bool_word(scalar(f->val), &v))
		return type_error(L, f, "a boolean (true, false, yes or no)");
	*(int *)f->dst = v ? CONF_ON : CONF_OFF;
	return 0;
}

/* Seconds as a number, or with an s/m/h suffix ("90", "1.5", "30m", "4h"). */
static int parse_seconds(struct loader *L, const struct field *f)
{
	static const struct { char suffix; double mult; } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 } };
	char num[64], v[SHOWN_MAX], msg[160];
	double mult = 1, d;
	size_t len, i;

	if (!is_plain(f->val) || is_null(f->val))
		return type_error(L, f, "a number of seconds (e.g. 2, 1.5, 30m or 4h)");
	str_copy(num, scalar(f->val), sizeof(num));
	len = strlen(num);
	for (i = 0; len > 1 && i < ARRAY_LEN(units); i++) {
		if (num[len - 1] == units[i].suffix) {
			mult = units[i].mult;
			num[len - 1] = '\0';
			break;
		}
	}
	if (strlen(scalar(f->val)) >= sizeof(num) - 1 || !number_parse(num, &d))
		return type_error(L, f, "a number of seconds (e.g. 2, 1.5, 30m or 4h)");
	d *= mult;
	shown(v, scalar(f->val));
	if (!(d > 0)) {
		str_printf(msg, sizeof(msg), "%s is not more than 0 seconds", v);
		return bad_value(L, f, msg, NULL);
	}
	if (d > f->def->max) {
		str_printf(msg, sizeof(msg), "%s is more than the limit of %.0f seconds", v, f->def->max);
		return bad_value(L, f, msg, NULL);
	}
	*(double *)f->dst = d;
	return 0;
}

static int parse_ratio(struct loader *L, const struct field *f)
{
	char v[SHOWN_MAX], msg[128];
	double d;
	if (!is_plain(f->val) || !number_parse(scalar(f->val), &d))
		return type_error(L, f, "a number between 0 and 1");
	if (!(d >= 0 && d <= 1)) {
		str_printf(msg, sizeof(msg), "%s is not between 0 and 1", shown(v, scalar(f->val)));
		return bad_value(L, f, msg, NULL);
	}
	*(double *)f->dst = d;
	return 0;
}

/* A number above 0 and at most the key's limit (days, megabytes). */
static int parse_amount(struct loader *L, const struct field *f)
{
	char v[SHOWN_MAX], msg[160];
	double d;
	if (!is_plain(f->val) || !number_parse(scalar(f->val), &d))
		return type_error(L, f, "a number (e.g. 7)");
	if (!(d > 0) || d > f->def->max) {
		str_printf(msg, sizeof(msg), "%s is not more than 0 and at most %.0f", shown(v, scalar(f->val)), f->def->max);
		return bad_value(L, f, msg, NULL);
	}
	*(double *)f->dst = d;
	return 0;
}

static int parse_port(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	double d;
	if (!is_plain(f->val) || !number_parse(scalar(f->val), &d))
		return type_error(L, f, "a port number (1-65535)");
	s = scalar(f->val);
	if (strspn(s, "0123456789") != strlen(s) || !(d >= 1 && d <= 65535)) {
		str_printf(msg, sizeof(msg), "%s is not a port number (1-65535)", shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	*(int *)f->dst = (int)d;
	return 0;
}

/* Connections per API node: parallel reads on HTTP/1.1 need one each. */
static int parse_connections(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	double d;
	if (!is_plain(f->val) || !number_parse(scalar(f->val), &d))
		return type_error(L, f, "a whole number from 1 to 8");
	s = scalar(f->val);
	if (strspn(s, "0123456789") != strlen(s) || !(d >= 1 && d <= 8)) {
		str_printf(msg, sizeof(msg), "%s is not a whole number from 1 to 8", shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	*(int *)f->dst = (int)d;
	return 0;
}

static int parse_role(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (strcmp(s, "primary") == 0) {
		*(enum node_role *)f->dst = ROLE_PRIMARY;
	} else if (strcmp(s, "secondary") == 0) {
		*(enum node_role *)f->dst = ROLE_SECONDARY;
	} else {
		str_printf(msg, sizeof(msg), "'%s' is not a role", shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	return 0;
}

/* Values that end up as ssh arguments must not look like options. */
static int parse_word(struct loader *L, const struct field *f, const char *forbidden,
		      const char *forbidden_text, size_t max)
{
	const char *s;
	char v[SHOWN_MAX], msg[192];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (s[0] == '-' || strpbrk(s, forbidden) || strlen(s) > max) {
		str_printf(msg, sizeof(msg),
			   "'%s' is not usable (it must not start with '-', contain %s, or be longer than %zu bytes)",
			   shown(v, s), forbidden_text, max);
		return bad_value(L, f, msg, NULL);
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

static int parse_host(struct loader *L, const struct field *f)
{
	return parse_word(L, f, " /@", "spaces, '/' or '@'", 253);
}

static int parse_user(struct loader *L, const struct field *f)
{
	return parse_word(L, f, " @:", "spaces, '@' or ':'", NAME_MAX_LEN);
}

/* https://host[:port] only: the API paths are carptop's business, and
 * credentials belong in key_file, never in the URL. */
static int parse_url(struct loader *L, const struct field *f)
{
	const char *s, *host, *port = NULL, *rest;
	char v[SHOWN_MAX], msg[192];
	size_t hostlen;

	if (get_text(L, f, &s) < 0)
		return -1;
	shown(v, s);
	if (strncasecmp(s, "http://", 7) == 0)
		return bad_value(L, f,
				 "plain http:// is refused, it would send the API key and secret unencrypted",
				 "use https:// (OPNsense serves its web GUI and API over HTTPS), e.g. 'url: https://192.168.1.10'");
	if (strncasecmp(s, "https://", 8) != 0) {
		str_printf(msg, sizeof(msg), "'%s' does not start with https://", v);
		return bad_value(L, f, msg, NULL);
	}
	host = s + 8;
	hostlen = strcspn(host, "/?#");
	rest = host + hostlen;
	if (hostlen == 0)
		return bad_value(L, f, "there is no host after https://", NULL);
	if (memchr(host, '@', hostlen) || memchr(host, ' ', hostlen))
		return bad_value(L, f, "the host part contains '@' or a space",
				 "write only https://host[:port]; the key and secret go in key_file");
	if (host[0] == '[') {
		const char *close = memchr(host, ']', hostlen);
		if (!close)
			return bad_value(L, f, "an IPv6 address lacks its closing ']'", NULL);
		if (close + 1 < rest) {
			if (close[1] != ':')
				return bad_value(L, f, "unexpected text after ']'", NULL);
			port = close + 2;
		}
	} else {
		const char *colon = memchr(host, ':', hostlen);
		if (colon)
			port = colon + 1;
	}
	if (port) {
		size_t plen = (size_t)(rest - port), digits = strspn(port, "0123456789");
		if (plen == 0 || digits < plen || plen > 5 || atoi(port) < 1 || atoi(port) > 65535) {
			str_printf(msg, sizeof(msg), "the port in '%s' is not a number from 1 to 65535", v);
			return bad_value(L, f, msg, NULL);
		}
	}
	if (strspn(rest, "/") != strlen(rest)) {
		str_printf(msg, sizeof(msg), "'%s' has a path or query", v);
		return bad_value(L, f, msg,
				 "write only https://host[:port]; carptop adds the /api/... paths itself");
	}
	set_str(f->dst, xasprintf("https://%.*s", (int)hostlen, host));
	return 0;
}

/* sha256//<base64 of a 32-byte digest>, several joined by ';' as curl takes
 * them (handy while a certificate is being replaced). */
static int parse_pin(struct loader *L, const struct field *f)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *s, *p;
	char v[SHOWN_MAX], msg[192];

	if (get_text(L, f, &s) < 0)
		return -1;
	for (p = s;;) {
		size_t len = strcspn(p, ";");
		if (strncmp(p, "sha256//", 8) != 0) {
			str_printf(msg, sizeof(msg), "'%s' does not start with sha256//", shown(v, p));
			return bad_value(L, f, msg, NULL);
		}
		if (len != 8 + 44 || strspn(p + 8, b64) != 43 || p[8 + 43] != '=') {
			str_printf(msg, sizeof(msg),
				   "'%s' is not sha256// followed by a 44-character base64 digest",
				   shown(v, p));
			return bad_value(L, f, msg, NULL);
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

/* ~ expanded; a relative path is taken from the config file's directory,
 * so carptop finds the same files whatever directory it is started in. */
static int parse_path(struct loader *L, const struct field *f)
{
	const char *s;
	char *p;
	if (get_text(L, f, &s) < 0)
		return -1;
	p = path_expand(s);
	if (p[0] != '/' && L->base_dir) {
		char *abs = xasprintf("%s/%s", L->base_dir, p);
		free(p);
		p = abs;
	}
	set_str(f->dst, p);
	return 0;
}

/* Open and stat, as the real use will; O_NONBLOCK so a FIFO cannot hang us. */
static int stat_file(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc, err;
	if (fd < 0)
		return -1;
	rc = fstat(fd, st);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

/* Key material must exist and be private, as ssh insists for its keys. */
static int check_secret_file(struct loader *L, const struct field *f, const char *fix)
{
	const char *path = *(char **)f->dst;
	struct stat st;
	if (stat_file(path, &st) < 0)
		return fail(L, f->val, "cannot open %s '%s' (key '%s'): %s; %s", f->def->name, path,
			    f->def->name, strerror(errno), fix);
	if (!S_ISREG(st.st_mode))
		return fail(L, f->val, "'%s' is not a regular file (key '%s'); %s", path, f->def->name, fix);
	if (st.st_mode & 077)
		return fail(L, f->val, "permissions %04o for '%s' are too open (key '%s'); run chmod 600 %s",
			    (unsigned)(st.st_mode & 07777), path, f->def->name, path);
	return 0;
}

static int parse_key_file(struct loader *L, const struct field *f)
{
	if (parse_path(L, f) < 0)
		return -1;
	return check_secret_file(L, f, HINT_APIKEY);
}

static int parse_identity_file(struct loader *L, const struct field *f)
{
	if (parse_path(L, f) < 0)
		return -1;
	return check_secret_file(L, f, HINT_IDENTITY);
}

static int parse_ca_file(struct loader *L, const struct field *f)
{
	const char *path;
	struct stat st;
	if (parse_path(L, f) < 0)
		return -1;
	path = *(char **)f->dst;
	if (stat_file(path, &st) < 0)
		return fail(L, f->val, "cannot open ca_file '%s' (key 'ca_file'): %s; %s", path,
			    strerror(errno), f->def->hint);
	if (!S_ISREG(st.st_mode))
		return fail(L, f->val, "'%s' is not a regular file (key 'ca_file'); %s", path, f->def->hint);
	return 0;
}

/* ---- sections: api, ssh, node, cluster, top level ---- */

static const struct key_def api_keys[] = {
	{ "url", parse_url, offsetof(struct api_conf, url), true, 0,
	  "set the node's address, e.g. 'url: https://192.168.1.10'" },
	{ "key_file", parse_key_file, offsetof(struct api_conf, key_file), true, 0,
	  "name the API key file OPNsense gave you, e.g. 'key_file: ~/.config/carptop/fw1.apikey.txt'" },
	{ "pin", parse_pin, offsetof(struct api_conf, pin), false, 0, HINT_PIN },
	{ "ca_file", parse_ca_file, offsetof(struct api_conf, ca_file), false, 0,
	  "name a PEM file holding the CA that signed the firewall's certificate" },
	{ "insecure", parse_bool, offsetof(struct api_conf, insecure), false, 0,
	  "write 'insecure: true' only to skip certificate checks (better: use pin)" },
	{ "timeout", parse_seconds, offsetof(struct api_conf, timeout), false, 600,
	  "write seconds per request, e.g. 'timeout: 5'" },
	{ "connections", parse_connections, offsetof(struct api_conf, connections), false, 0,
	  "write how many connections carptop may open to the node, e.g. 'connections: 3'" },
};
static const struct table api_table = TABLE(api_keys);

static int parse_api(struct loader *L, const struct field *f)
{
	struct node_conf *node = f->dst;
	const yaml_node_t *insecure, *other;
	struct seen seen;
	char *where;
	int rc;

	if (f->val->type != YAML_MAPPING_NODE)
		return type_error(L, f, "a mapping");
	node->api.timeout = DEFAULT_API_TIMEOUT;
	node->api.connections = 0; /* unset: chosen by fleet size in build() */
	where = xasprintf("the api section of %s", f->where);
	rc = map_walk(L, f->val, &api_table, &node->api, where, &seen);
	/* Skipping verification while also asking for it is a mistake either way. */
	insecure = seen_val(&api_table, &seen, "insecure");
	if (rc == 0 && node->api.insecure) {
		const char *with = node->api.pin ? "pin" : node->api.ca_file ? "ca_file" : NULL;
		other = with ? seen_key(&api_table, &seen, with) : NULL;
		if (other)
			rc = fail(L, insecure,
				  "'insecure: true' contradicts '%s' at line %zu in %s (key 'insecure'); "
				  "remove 'insecure', the %s already verifies the firewall",
				  with, node_line(other), where, with);
	}
	free(where);
	return rc;
}

/* `none`: the OpenSSH client configuration is not consulted. */
static int parse_ssh_config(struct loader *L, const struct field *f)
{
	const char *s;
	if (get_text(L, f, &s) < 0)
		return -1;
	if (strcmp(s, "none") == 0) {
		set_str(f->dst, NULL);
		return 0;
	}
	return parse_path(L, f);
}

static const struct key_def ssh_keys[] = {
	{ "host", parse_host, offsetof(struct ssh_conf, host), true, 0,
	  "set the node's address, e.g. 'host: 10.0.0.2'" },
	{ "port", parse_port, offsetof(struct ssh_conf, port), false, 0, "write e.g. 'port: 22'" },
	{ "user", parse_user, offsetof(struct ssh_conf, user), false, 0, "write e.g. 'user: root'" },
	{ "identity_file", parse_identity_file, offsetof(struct ssh_conf, identity_file), false, 0,
	  "name a private key, e.g. 'identity_file: ~/.ssh/id_ed25519'" },
	{ "known_hosts", parse_path, offsetof(struct ssh_conf, known_hosts), false, 0,
	  "name a file, e.g. 'known_hosts: ~/.ssh/known_hosts'" },
	{ "agent", parse_bool, offsetof(struct ssh_conf, agent), false, 0, "write 'agent: true' or 'agent: false'" },
	{ "trust_on_first_use", parse_bool, offsetof(struct ssh_conf, trust_on_first_use), false, 0,
	  "write 'trust_on_first_use: true' or 'trust_on_first_use: false'" },
	{ "timeout", parse_seconds, offsetof(struct ssh_conf, timeout), false, 600,
	  "write seconds, e.g. 'timeout: 10'" },
	{ "ssh_config", parse_ssh_config, offsetof(struct ssh_conf, ssh_config), false, 0,
	  "name an OpenSSH client config, e.g. 'ssh_config: ~/.ssh/config', or write 'ssh_config: none'" },
};
static const struct table ssh_table = TABLE(ssh_keys);

static int parse_ssh(struct loader *L, const struct field *f)
{
	struct ssh_conf *ssh = &((struct node_conf *)f->dst)->ssh;
	struct seen seen;
	char *where;
	int rc;

	if (f->val->type != YAML_MAPPING_NODE)
		return type_error(L, f, "a mapping");
	ssh->port = DEFAULT_SSH_PORT;
	ssh->user = xstrdup(DEFAULT_SSH_USER);
	ssh->agent = true;
	ssh->trust_on_first_use = false;
	ssh->timeout = DEFAULT_SSH_TIMEOUT;
	where = xasprintf("the ssh section of %s", f->where);
	rc = map_walk(L, f->val, &ssh_table, ssh, where, &seen);
	if (rc == 0 && !ssh->known_hosts)
		ssh->known_hosts = path_expand(DEFAULT_KNOWN_HOSTS);
	ssh->port_set = seen_key(&ssh_table, &seen, "port") != NULL;
	ssh->user_set = seen_key(&ssh_table, &seen, "user") != NULL;
	if (rc == 0 && !seen_key(&ssh_table, &seen, "ssh_config")) {
		ssh->ssh_config = path_expand(DEFAULT_SSH_CONFIG);
		ssh->ssh_config_default = true;
	}
	free(where);
	return rc;
}

bool (*config_sim_scenario_known)(const char *name);

static int parse_scenario(struct loader *L, const struct field *f)
{
	const char *s;
	char v[SHOWN_MAX], msg[128];
	if (get_text(L, f, &s) < 0)
		return -1;
	if (config_sim_scenario_known && !config_sim_scenario_known(s)) {
		str_printf(msg, sizeof(msg), "'%s' is not a simulator scenario", shown(v, s));
		return bad_value(L, f, msg, NULL);
	}
	set_str(f->dst, xstrdup(s));
	return 0;
}

static const struct key_def sim_keys[] = {
	{ "scenario", parse_scenario, offsetof(struct sim_conf, scenario), false, 0,
	  "name a scenario that 'carptop --demo-list' shows, e.g. 'scenario: split-brain'" },
};
static const struct table sim_table = TABLE(sim_keys);

static int parse_sim(struct loader *L, const struct field *f)
{
	struct sim_conf *sim = &((struct node_conf *)f->dst)->sim;
	struct seen seen;
	char *where;
	int rc;

	if (f->val->type != YAML_MAPPING_NODE)
		return type_error(L, f, "a mapping");
	where = xasprintf("the sim section of %s", f->where);
	rc = map_walk(L, f->val, &sim_table, sim, where, &seen);
	free(where);
	return rc;
}

static const struct key_def node_keys[] = {
	{ "name", parse_name, offsetof(struct node_conf, name), true, 0,
	  "give each node a name, e.g. 'name: fw1'" },
	{ "role", parse_role, offsetof(struct node_conf, role), true, 0,
	  "write 'role: primary' (normally CARP MASTER) or 'role: secondary'" },
	{ "accent", parse_colour, offsetof(struct node_conf, accent), false, 0,
	  "write a colour name or a quoted \"#rrggbb\" (an unquoted # starts a comment)" },
	{ "api", parse_api, 0, false, 0,
	  "write 'api:' and indent url, key_file... below it (see carptop.yaml(5))" },
	{ "ssh", parse_ssh, 0, false, 0,
	  "write 'ssh:' and indent host, user... below it (see carptop.yaml(5))" },
	{ "sim", parse_sim, 0, false, 0,
	  "write 'sim: {scenario: NAME}' with a name from 'carptop --demo-list'" },
};
static const struct table node_table = TABLE(node_keys);

static int parse_node(struct loader *L, const yaml_node_t *item, struct node_conf *node, size_t index,
		      const char *cluster, struct seen *seen)
{
	char d[96];
	char *where = map_label(L, item, "node", index, cluster);
	int rc = 0;

	if (item->type != YAML_MAPPING_NODE)
		rc = fail(L, item, "%s is %s, expected a mapping (key 'nodes'); write each node as "
			  "'- name: fw1' with role and api or ssh indented below it",
			  where, describe(d, sizeof(d), item));
	else
		rc = map_walk(L, item, &node_table, node, where, seen);
	if (rc == 0) {
		static const char *const ways[] = { "api", "ssh", "sim" };
		static const enum transport kinds[] = { TRANSPORT_API, TRANSPORT_SSH, TRANSPORT_SIM };
		const yaml_node_t *first = NULL, *second = NULL;
		size_t w, first_w = 0, second_w = 0;
		for (w = 0; w < ARRAY_LEN(ways); w++) {
			const yaml_node_t *k = seen_key(&node_table, seen, ways[w]);
			if (!k)
				continue;
			if (!first) {
				first = k;
				first_w = w;
			} else if (!second) {
				second = k;
				second_w = w;
			}
		}
		if (second && node_line(second) < node_line(first)) { /* name the later one as the extra */
			const yaml_node_t *t = first;
			size_t tw = first_w;
			first = second;
			first_w = second_w;
			second = t;
			second_w = tw;
		}
		if (second)
			rc = fail(L, second, "%s has both '%s' (line %zu) and '%s' (key '%s'); "
				  "a node is reached one way, keep only one", where, ways[first_w], node_line(first),
				  ways[second_w], ways[second_w]);
		else if (!first)
			rc = fail(L, item, "%s has neither 'api' nor 'ssh' (key 'api'); add an 'api:' "
				  "section (OPNsense REST API), an 'ssh:' section, or 'sim: {scenario: healthy}' "
				  "for a simulated node", where);
		else
			node->transport = kinds[first_w];
	}
	free(where);
	return rc;
}

/* Exactly one primary and one secondary, stored primary first. */
static int parse_nodes(struct loader *L, const struct field *f)
{
	struct cluster_conf *cl = f->dst;
	struct seen seen[CLUSTER_NODES];
	const yaml_node_item_t *items;
	size_t n, i;

	if (f->val->type != YAML_SEQUENCE_NODE)
		return type_error(L, f, "a list of two nodes");
	items = f->val->data.sequence.items.start;
	n = (size_t)(f->val->data.sequence.items.top - items);
	/* Report what is wrong inside the first nodes before their number, so
	 * a config written one node at a time gets the specific message first. */
	for (i = 0; i < n && i < CLUSTER_NODES; i++)
		if (parse_node(L, node_at(L, items[i]), &cl->nodes[i], i, f->where, &seen[i]) < 0)
			return -1;
	if (n != CLUSTER_NODES)
		return fail(L, f->val, "%s has %zu node%s (key 'nodes'); a CARP pair is exactly two nodes, "
			    "one with 'role: primary' and one with 'role: secondary'",
			    f->where, n, n == 1 ? "" : "s");
	if (strcmp(cl->nodes[0].name, cl->nodes[1].name) == 0)
		return fail(L, seen_val(&node_table, &seen[1], "name"),
			    "duplicate node name '%s' in %s (key 'name'); first used at line %zu, "
			    "give each node its own name", cl->nodes[1].name, f->where,
			    node_line(seen_val(&node_table, &seen[0], "name")));
	if (cl->nodes[0].role == cl->nodes[1].role)
		return fail(L, seen_val(&node_table, &seen[1], "role"),
			    "both nodes of %s have role '%s' (key 'role'); a pair needs one "
			    "'role: primary' and one 'role: secondary'",
			    f->where, node_role_name(cl->nodes[1].role));
	/* One simulated pair per cluster: its nodes cannot disagree on it. */
	if (cl->nodes[0].sim.scenario && cl->nodes[1].sim.scenario &&
	    strcmp(cl->nodes[0].sim.scenario, cl->nodes[1].sim.scenario) != 0)
		return fail(L, seen_key(&node_table, &seen[1], "sim"),
			    "the sim nodes of %s name different scenarios, '%s' and '%s' (key 'sim'); "
			    "a scenario describes the whole pair, name the same one on both nodes",
			    f->where, cl->nodes[0].sim.scenario, cl->nodes[1].sim.scenario);
	/* A sim node without a scenario takes its partner's, else "healthy". */
	for (i = 0; i < CLUSTER_NODES; i++) {
		struct node_conf *me = &cl->nodes[i], *other = &cl->nodes[1 - i];
		if (me->transport == TRANSPORT_SIM && !me->sim.scenario)
			me->sim.scenario = xstrdup(other->sim.scenario ? other->sim.scenario : "healthy");
	}
	if (cl->nodes[0].role == ROLE_SECONDARY) {
		struct node_conf tmp = cl->nodes[0];
		cl->nodes[0] = cl->nodes[1];
		cl->nodes[1] = tmp;
	}
	return 0;
}

static const struct key_def cluster_keys[] = {
	{ "name", parse_name, offsetof(struct cluster_conf, name), true, 0,
	  "give each cluster a name, e.g. 'name: hq'" },
	{ "interval", parse_seconds, offsetof(struct cluster_conf, interval), false, 3600,
	  "write seconds between polls, e.g. 'interval: 2'" },
	{ "theme", parse_theme, offsetof(struct cluster_conf, theme), false, 0,
	  "name a theme, e.g. 'theme: default'" },
	{ "accent", parse_colour, offsetof(struct cluster_conf, accent), false, 0,
	  "write a colour name or a quoted \"#rrggbb\" (an unquoted # starts a comment)" },
	{ "maintenance_max_age", parse_seconds, offsetof(struct cluster_conf, maintenance_max_age), false,
	  30 * 86400.0, "write seconds or use a suffix, e.g. 'maintenance_max_age: 4h'" },
	{ "state_ratio", parse_ratio, offsetof(struct cluster_conf, state_ratio), false, 0,
	  "write a fraction, e.g. 'state_ratio: 0.2' for 20 %" },
	{ "stream", parse_switch, offsetof(struct cluster_conf, stream_opt), false, 0,
	  "write 'stream: true' or 'stream: false'" },
	{ "carp_interval", parse_seconds, offsetof(struct cluster_conf, carp_interval), false, 3600,
	  "write seconds between CARP-only API probes, e.g. 'carp_interval: 0.5'" },
	{ "nodes", parse_nodes, 0, true, 0,
	  "list the pair's two firewalls under 'nodes:', one with 'role: primary' and one with 'role: secondary'" },
};
static const struct table cluster_table = TABLE(cluster_keys);

static int parse_cluster(struct loader *L, const yaml_node_t *item, struct cluster_conf *cl, size_t index,
			 const yaml_node_t **name_node)
{
	struct seen seen;
	char d[96];
	char *where = map_label(L, item, "cluster", index, NULL);
	int rc;

	cl->maintenance_max_age = DEFAULT_MAINTENANCE_MAX_AGE;
	cl->state_ratio = DEFAULT_STATE_RATIO;
	if (item->type != YAML_MAPPING_NODE)
		rc = fail(L, item, "%s is %s, expected a mapping (key 'clusters'); write each cluster as "
			  "'- name: hq' with its keys indented below it", where, describe(d, sizeof(d), item));
	else
		rc = map_walk(L, item, &cluster_table, cl, where, &seen);
	if (rc == 0)
		*name_node = seen_val(&cluster_table, &seen, "name");
	free(where);
	return rc;
}

static int parse_clusters(struct loader *L, const struct field *f)
{
	struct config *cfg = f->dst;
	const yaml_node_item_t *items;
	const yaml_node_t **names;
	size_t n, i, j;
	int rc = 0;

	if (f->val->type != YAML_SEQUENCE_NODE)
		return type_error(L, f, "a list of clusters");
	items = f->val->data.sequence.items.start;
	n = (size_t)(f->val->data.sequence.items.top - items);
	if (n == 0)
		return fail(L, f->val, "the list of clusters is empty (key 'clusters'); add one entry per CARP pair");
	/* No fixed limit: CONFIG_MAX_BYTES bounds the list, memory the rest
	 * (xcalloc says "out of memory" and stops rather than crash later). */
	cfg->clusters = xcalloc(n, sizeof(*cfg->clusters));
	cfg->n_clusters = n;
	names = xcalloc(n, sizeof(*names));
	for (i = 0; i < n && rc == 0; i++) {
		rc = parse_cluster(L, node_at(L, items[i]), &cfg->clusters[i], i, &names[i]);
		for (j = 0; j < i && rc == 0; j++)
			if (strcmp(cfg->clusters[j].name, cfg->clusters[i].name) == 0)
				rc = fail(L, names[i], "duplicate cluster name '%s' (key 'name'); first used "
					  "at line %zu, give each cluster its own name",
					  cfg->clusters[i].name, node_line(names[j]));
	}
	free(names);
	return rc;
}

static const struct key_def top_keys[] = {
	{ "interval", parse_seconds, offsetof(struct config, interval), false, 3600,
	  "write seconds between polls, e.g. 'interval: 2'" },
	{ "theme", parse_theme, offsetof(struct config, theme), false, 0, "name a theme, e.g. 'theme: default'" },
	{ "read_only", parse_bool, offsetof(struct config, read_only), false, 0,
	  "write 'read_only: true' or 'read_only: false'" },
	{ "record_days", parse_amount, offsetof(struct config, record_days), false, 3650,
	  "write how many days the flight recorder keeps, e.g. 'record_days: 7'" },
	{ "record_budget_mb", parse_amount, offsetof(struct config, record_budget_mb), false, 1 << 20,
	  "write the recordings' size budget per cluster in MB, e.g. 'record_budget_mb: 16'" },
	{ "stream", parse_switch, offsetof(struct config, stream_opt), false, 0,
	  "write 'stream: true' or 'stream: false'" },
	{ "carp_interval", parse_seconds, offsetof(struct config, carp_interval), false, 3600,
	  "write seconds between CARP-only API probes, e.g. 'carp_interval: 0.5'" },
	{ "clusters", parse_clusters, 0, true, 0,
	  "list your CARP pairs under 'clusters:' (see carptop.yaml(5) and carptop.example.yaml)" },
};
static const struct table top_table = TABLE(top_keys);

_Static_assert(ARRAY_LEN(top_keys) <= MAX_KEYS && ARRAY_LEN(cluster_keys) <= MAX_KEYS &&
	       ARRAY_LEN(node_keys) <= MAX_KEYS && ARRAY_LEN(api_keys) <= MAX_KEYS &&
	       ARRAY_LEN(ssh_keys) <= MAX_KEYS, "struct seen is too small for a key table");

size_t config_fds_needed(const struct config *cfg)
{
	size_t i, j, need = CONFIG_FDS_SPARE;
	for (i = 0; i < cfg->n_clusters; i++)
		for (j = 0; j < CLUSTER_NODES; j++) {
			const struct node_conf *n = &cfg->clusters[i].nodes[j];
			if (n->transport == TRANSPORT_API)
				need += (size_t)(n->api.connections > 0 ? n->api.connections : CONFIG_CONNECTIONS_SMALL) + 2;
			else if (n->transport == TRANSPORT_SSH)
				need += 2;
		}
	return need;
}

/* api.connections left out: by the number of API nodes (config.h). */
static void choose_connections(struct config *cfg)
{
	size_t i, j, n_api = 0;
	int dflt;
	for (i = 0; i < cfg->n_clusters; i++)
		for (j = 0; j < CLUSTER_NODES; j++)
			n_api += cfg->clusters[i].nodes[j].transport == TRANSPORT_API;
	dflt = n_api > CONFIG_CONNECTIONS_FLEET ? 1 : CONFIG_CONNECTIONS_SMALL;
	for (i = 0; i < cfg->n_clusters; i++)
		for (j = 0; j < CLUSTER_NODES; j++)
			if (cfg->clusters[i].nodes[j].api.connections == 0)
				cfg->clusters[i].nodes[j].api.connections = dflt;
}

static int build(struct loader *L, const yaml_node_t *root, struct config *cfg)
{
	struct seen seen;
	char d[96];
	size_t i;

	if (root->type != YAML_MAPPING_NODE)
		return fail(L, root, "the top level is %s, expected a mapping (key 'clusters'); start with "
			    "lines such as 'interval: 2' and 'clusters:', see carptop.yaml(5)",
			    describe(d, sizeof(d), root));
	cfg->interval = DEFAULT_INTERVAL;
	if (map_walk(L, root, &top_table, cfg, "the top level", &seen) < 0)
		return -1;
	if (!cfg->theme)
		cfg->theme = xstrdup(DEFAULT_THEME);
	/* Global keys may come after the clusters, so inherit only now. */
	for (i = 0; i < cfg->n_clusters; i++) {
		struct cluster_conf *cl = &cfg->clusters[i];
		if (cl->interval == 0)
			cl->interval = cfg->interval;
		if (!cl->theme)
			cl->theme = xstrdup(cfg->theme);
		cl->stream = (cl->stream_opt ? cl->stream_opt : cfg->stream_opt) != CONF_OFF;
		if (cl->carp_interval == 0)
			cl->carp_interval = cfg->carp_interval;
		{
			int k;
			for (k = 0; k < CLUSTER_NODES; k++)
				cl->nodes[k].api.carp_interval = cl->carp_interval;
		}
	}
	choose_connections(cfg);
	return 0;
}

/* ---- YAML syntax errors ---- */

/* libyaml's reader errors carry only a byte offset. */
static yaml_mark_t mark_from_offset(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { 0, 0, 0 };
	size_t i;
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	m.index = i;
	return m;
}

static bool line_has_tab(const char *text, size_t len, size_t line)
{
	size_t i = 0;
	for (; line > 0 && i < len; i++)
		if (text[i] == '\n')
			line--;
	for (; i < len && text[i] != '\n'; i++)
		if (text[i] == '\t')
			return true;
	return false;
}

static int syntax_error(struct loader *L, const yaml_parser_t *parser)
{
	yaml_mark_t m = parser->problem_mark;
	const char *problem = parser->problem ? parser->problem : "unknown problem";
	const char *fix = "check the indentation and quoting on this line and the one before";
	char context[160] = "";

	if (parser->error == YAML_MEMORY_ERROR)
		return fail(L, NULL, "out of memory while parsing; the file is too complex");
	if (parser->error == YAML_READER_ERROR) {
		m = mark_from_offset(L->text, L->len, parser->problem_offset);
		fix = "save the file as UTF-8 text";
	} else if (line_has_tab(L->text, L->len, m.line)) {
		fix = "YAML does not allow tabs for indentation: use spaces";
	}
	if (parser->context)
		str_printf(context, sizeof(context), " (%s at line %zu column %zu)", parser->context,
			   parser->context_mark.line + 1, parser->context_mark.column + 1);
	return fail_at(L, m, "YAML syntax error: %s%s; %s", problem, context, fix);
}

/* Parse the whole stream: the first document, and a check that nothing but
 * the stream end follows (libyaml stops after one document). */
static int load_document(struct loader *L, yaml_parser_t *parser, yaml_document_t *doc)
{
	yaml_document_t extra;
	const yaml_node_t *second;
	int rc = 0;

	if (!yaml_parser_load(parser, doc))
		return syntax_error(L, parser);
	if (!yaml_parser_load(parser, &extra)) {
		yaml_document_delete(doc);
		return syntax_error(L, parser);
	}
	second = yaml_document_get_root_node(&extra);
	if (second)
		rc = fail(L, second, "a second YAML document; carptop reads one document per file, "
			  "remove the '---' line and merge or delete what follows");
	yaml_document_delete(&extra);
	if (rc < 0)
		yaml_document_delete(doc);
	return rc;
}

static int load_text(const char *text, size_t len, const char *name, const char *base_dir,
		     struct config *out, char **cause)
{
	struct loader L;
	struct config cfg;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_mark_t deep_at;
	const char *nul;

	memset(out, 0, sizeof(*out));
	memset(&cfg, 0, sizeof(cfg));
	memset(&L, 0, sizeof(L));
	L.name = name ? name : "(config)";
	L.base_dir = base_dir;
	L.text = text ? text : "";
	L.len = text ? len : 0;

	/* libyaml would reject these too, but less clearly. */
	if ((nul = memchr(L.text, '\0', L.len)))
		fail_at(&L, mark_from_offset(L.text, L.len, (size_t)(nul - L.text)),
			"the file contains a NUL byte; save it as UTF-8 text (not UTF-16 or binary)");
	else if (L.len > CONFIG_MAX_BYTES)
		fail(&L, NULL, "the file is %zu bytes, more than the limit of %d; is it the right file?",
		     L.len, CONFIG_MAX_BYTES);
	else if (yaml_too_deep(L.text, L.len, YAML_MAX_DEPTH, &deep_at))
		fail_at(&L, deep_at, "nesting deeper than %d levels; a carptop config nests only a few, "
			"is this the right file?", YAML_MAX_DEPTH);
	else if (!yaml_parser_initialize(&parser))
		fail(&L, NULL, "out of memory starting the YAML parser");
	else {
		yaml_parser_set_input_string(&parser, (const unsigned char *)L.text, L.len);
		if (load_document(&L, &parser, &doc) == 0) {
			const yaml_node_t *root = yaml_document_get_root_node(&doc);
			L.doc = &doc;
			if (!root)
				fail(&L, NULL, "the file is empty (key 'clusters'); describe at least one "
				     "cluster, see carptop.yaml(5) and carptop.example.yaml");
			else
				build(&L, root, &cfg);
			yaml_document_delete(&doc);
		}
		yaml_parser_delete(&parser);
	}

	if (L.cause) {
		config_free(&cfg);
		if (cause)
			*cause = L.cause;
		else
			free(L.cause);
		return -1;
	}
	cfg.path = xstrdup(L.name);
	*out = cfg;
	return 0;
}

int config_load_string(const char *text, size_t len, const char *name, struct config *out, char **cause)
{
	if (cause)
		*cause = NULL;
	return load_text(text, len, name, NULL, out, cause);
}

/* Whole file into memory (so reader errors can be mapped to a line); st
 * describes the very file that was read. */
static char *read_small_file(const char *path, size_t max, size_t *len, struct stat *st, int *err)
{
	struct strbuf sb;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, st) < 0) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st->st_mode)) {
		*err = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		close(fd);
		return NULL;
	}
	sb_init(&sb);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb.len + (size_t)n > max) {
			*err = n < 0 ? errno : EFBIG;
			close(fd);
			sb_free(&sb);
			return NULL;
		}
		sb_addn(&sb, buf, (size_t)n);
	}
	close(fd);
	*len = sb.len;
	return sb_steal(&sb);
}

int config_load_file(const char *path, struct config *out, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *text, *dir = NULL;
	struct stat st;
	size_t len = 0;
	int err = 0, rc;

	if (cause)
		*cause = NULL;
	memset(out, 0, sizeof(*out));
	text = read_small_file(path, CONFIG_MAX_BYTES, &len, &st, &err);
	if (!text) {
		char *msg = xasprintf("%s:1:1: cannot read the configuration: %s; %s", path,
				      err == EINVAL ? "not a regular file" : strerror(err),
				      err == ENOENT ? "create it, see carptop.yaml(5) and carptop.example.yaml"
						    : "check the path and its permissions");
		if (cause)
			*cause = msg;
		else
			free(msg);
		return -1;
	}
	if (slash)
		dir = slash == path ? xstrdup("") : xstrndup(path, (size_t)(slash - path));
	rc = load_text(text, len, path, dir, out, cause);
	free(dir);
	free(text);
	return rc;
}

static void node_free(struct node_conf *n)
{
	free(n->name);
	free(n->accent);
	free(n->api.url);
	free(n->api.key_file);
	free(n->api.pin);
	free(n->api.ca_file);
	free(n->ssh.host);
	free(n->ssh.user);
	free(n->ssh.identity_file);
	free(n->ssh.known_hosts);
	free(n->ssh.ssh_config);
	free(n->sim.scenario);
}

void config_free(struct config *c)
{
	size_t i, j;
	if (!c)
		return;
	for (i = 0; i < c->n_clusters; i++) {
		struct cluster_conf *cl = &c->clusters[i];
		free(cl->name);
		free(cl->theme);
		free(cl->accent);
		for (j = 0; j < CLUSTER_NODES; j++)
			node_free(&cl->nodes[j]);
	}
	free(c->clusters);
	free(c->path);
	free(c->theme);
	memset(c, 0, sizeof(*c));
}

char *config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	/* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/carptop/config.yaml", xdg);
	if (!home || !*home) {
		const struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir ? pw->pw_dir : "";
	}
	return xasprintf("%s/.config/carptop/config.yaml", home);
}

void config_demo(struct config *out)
{
	config_demo_scenarios(out, NULL, 0);
	free(out->clusters[0].name);
	out->clusters[0].name = xstrdup("demo");
}

void config_demo_scenarios(struct config *out, const char *const *scenarios, size_t n)
{
	static const struct { const char *name; enum node_role role; } nodes[CLUSTER_NODES] = {
		{ "fw1", ROLE_PRIMARY },
		{ "fw2", ROLE_SECONDARY },
	};
	static const char *const healthy[] = { "healthy" };
	size_t i, j, k;

	if (!n) {
		scenarios = healthy;
		n = 1;
	}
	memset(out, 0, sizeof(*out));
	out->path = xstrdup("(demo)");
	out->interval = DEFAULT_INTERVAL;
	out->theme = xstrdup(DEFAULT_THEME);
	out->clusters = xcalloc(n, sizeof(*out->clusters));
	out->n_clusters = n;
	for (k = 0; k < n; k++) {
		struct cluster_conf *cl = &out->clusters[k];
		const char *sc = scenarios[k] ? scenarios[k] : "healthy";
		size_t same = 0;
		for (j = 0; j < k; j++)
			same += str_eq(scenarios[j] ? scenarios[j] : "healthy", sc);
		cl->name = same ? xasprintf("%s-%zu", sc, same + 1) : xstrdup(sc);
		cl->interval = DEFAULT_INTERVAL;
		cl->theme = xstrdup(DEFAULT_THEME);
		cl->maintenance_max_age = DEFAULT_MAINTENANCE_MAX_AGE;
		cl->state_ratio = DEFAULT_STATE_RATIO;
		cl->stream = true;
		for (i = 0; i < CLUSTER_NODES; i++) {
			cl->nodes[i].name = xstrdup(nodes[i].name);
			cl->nodes[i].role = nodes[i].role;
			cl->nodes[i].transport = TRANSPORT_SIM;
			cl->nodes[i].sim.scenario = xstrdup(sc);
		}
	}
}

const char *cluster_sim_scenario(const struct cluster_conf *c)
{
	size_t i;
	for (i = 0; i < CLUSTER_NODES; i++)
		if (c->nodes[i].transport == TRANSPORT_SIM)
			return c->nodes[i].sim.scenario ? c->nodes[i].sim.scenario : "healthy";
	return NULL;
}

/* ---- OPNsense apikey.txt ---- */

static char *trim(char *s)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Messages never quote the file's contents: any line may be the secret. */
static int apikey_parse(const char *path, char *text, char **key, char **secret, char **cause)
{
	char *line = text, *next;
	size_t lineno = 0;

	if (strncmp(line, "\xef\xbb\xbf", 3) == 0) /* a BOM from a Windows editor */
		line += 3;
	for (; line; line = next) {
		char *eq, *name, *value, **dst;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			*cause = xasprintf("%s:%zu:1: line %zu is not 'key=...' or 'secret=...'; "
					   "download the key file again from OPNsense", path, lineno, lineno);
			return -1;
		}
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		dst = strcmp(name, "key") == 0 ? key : strcmp(name, "secret") == 0 ? secret : NULL;
		if (!dst) {
			*cause = xasprintf("%s:%zu:1: line %zu is not 'key=...' or 'secret=...'; "
					   "download the key file again from OPNsense", path, lineno, lineno);
			return -1;
		}
		if (*dst || !*value) {
			*cause = xasprintf("%s:%zu:1: '%s=' is %s; keep exactly one '%s=...' line", path, lineno,
					   name, *dst ? "given twice" : "empty", name);
			return -1;
		}
		*dst = xstrdup(value);
	}
	if (!*key || !*secret) {
		*cause = xasprintf("%s: no '%s=' line; download the key file again from OPNsense "
				   "(System > Access > Users > API keys)", path, !*key ? "key" : "secret");
		return -1;
	}
	return 0;
}

int apikey_read(const char *path, char **key, char **secret, char **cause)
{
	struct stat st;
	size_t len = 0;
	int err = 0, rc;
	char *text = NULL, *msg = NULL;

	*key = *secret = NULL;
	if (cause)
		*cause = NULL;
	/* The mode is checked on the file that was read, not on a name that
	 * could have been replaced in between. */
	text = read_small_file(path, APIKEY_MAX_BYTES, &len, &st, &err);
	if (!text) {
		msg = xasprintf("%s: cannot read the API key file: %s; %s", path,
				err == EINVAL ? "not a regular file" : strerror(err), HINT_APIKEY);
		if (cause)
			*cause = msg;
		else
			free(msg);
		return -1;
	}
	if (st.st_mode & 077) {
		msg = xasprintf("%s: permissions %04o for '%s' are too open; run chmod 600 %s", path,
				(unsigned)(st.st_mode & 07777), path, path);
		rc = -1;
	} else if (memchr(text, '\0', len)) {
		msg = xasprintf("%s: not a text file (it contains a NUL byte); %s", path, HINT_APIKEY);
		rc = -1;
	} else {
		rc = apikey_parse(path, text, key, secret, &msg);
	}
	explicit_bzero(text, len);
	free(text);
	if (rc < 0) {
		if (*key)
			explicit_bzero(*key, strlen(*key));
		if (*secret)
			explicit_bzero(*secret, strlen(*secret));
		free(*key);
		free(*secret);
		*key = *secret = NULL;
		if (cause)
			*cause = msg;
		else
			free(msg);
	}
	return rc;
}
