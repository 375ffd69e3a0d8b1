#include "theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "build_config.h"
#include "yamldepth.h"
#include "util.h"

static const char *const part_names[TP__COUNT] = {
	[TP_BACKGROUND] = "background", [TP_TEXT] = "text", [TP_LABEL] = "label",
	[TP_HEADER] = "header", [TP_BORDER] = "border", [TP_SELECTION] = "selection",
	[TP_OK] = "ok", [TP_WARNING] = "warning", [TP_CRITICAL] = "critical",
	[TP_UNKNOWN] = "unknown", [TP_STALE] = "stale", [TP_INACTIVE] = "inactive",
	[TP_MASTER] = "master", [TP_BACKUP] = "backup", [TP_BANNER] = "banner",
	[TP_BAR_KEY] = "bar-key", [TP_BAR_TEXT] = "bar-text", [TP_STATUS] = "status",
};

const char *theme_part_name(enum theme_part p)
{
	return (size_t)p < ARRAY_LEN(part_names) ? part_names[p] : "?";
}

/* ---- colours ---------------------------------------------------------- */

static const char *const basic_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* xterm's default RGB for the 16 ANSI colours: what "nearest basic colour"
 * is measured against. */
static const unsigned char basic_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 }, { 0xcd, 0xcd, 0x00 },
	{ 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd }, { 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 },
	{ 0x7f, 0x7f, 0x7f }, { 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff }, { 0xff, 0xff, 0xff },
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int colour_parse(const char *s, struct colour *out)
{
	struct colour c = { 0 };
	size_t i;

	if (!s)
		return -1;
	if (s[0] == '#') {
		int v[6];
		if (strlen(s) != 7)
			return -1;
		for (i = 0; i < 6; i++)
			if ((v[i] = hexval(s[i + 1])) < 0)
				return -1;
		c.kind = COLOUR_RGB;
		c.r = (unsigned char)(v[0] * 16 + v[1]);
		c.g = (unsigned char)(v[2] * 16 + v[3]);
		c.b = (unsigned char)(v[4] * 16 + v[5]);
		*out = c;
		return 0;
	}
	if (strcasecmp(s, "default") == 0) {
		c.kind = COLOUR_DEFAULT;
		*out = c;
		return 0;
	}
	if (strncasecmp(s, "colour", 6) == 0 || strncasecmp(s, "color", 5) == 0) {
		const char *num = s + (tolower((unsigned char)s[4]) == 'u' ? 6 : 5);
		long n;
		if (!*num || strspn(num, "0123456789") != strlen(num) || !str_to_long(num, &n) || n > 255)
			return -1;
		c.kind = COLOUR_INDEX;
		c.index = (int)n;
		*out = c;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcasecmp(s, basic_names[i]) == 0) {
			c.kind = COLOUR_BASIC;
			c.index = (int)i;
			*out = c;
			return 0;
		}
		if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, basic_names[i]) == 0) {
			c.kind = COLOUR_BASIC;
			c.index = (int)i + 8;
			*out = c;
			return 0;
		}
	}
	return -1;
}

static int dist_sq(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

/* Which of the six cube levels (0, 95, 135, 175, 215, 255) a value is nearest. */
static int to_6cube(int v)
{
	if (v < 48)
		return 0;
	if (v < 114)
		return 1;
	return (v - 35) / 40;
}

static const int cube_level[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };

int colour_find_rgb(unsigned char r, unsigned char g, unsigned char b)
{
	int qr = to_6cube(r), qg = to_6cube(g), qb = to_6cube(b);
	int cr = cube_level[qr], cg = cube_level[qg], cb = cube_level[qb];
	int avg, grey_idx, grey;

	if (cr == r && cg == g && cb == b)
		return 16 + 36 * qr + 6 * qg + qb;
	/* The grey ramp 232-255 runs 8, 18, ..., 238. */
	avg = (r + g + b) / 3;
	if (avg > 238)
		grey_idx = 23;
	else if (avg < 3)
		grey_idx = 0;
	else
		grey_idx = (avg - 3) / 10;
	grey = 8 + 10 * grey_idx;
	if (dist_sq(grey, grey, grey, r, g, b) < dist_sq(cr, cg, cb, r, g, b))
		return 232 + grey_idx;
	return 16 + 36 * qr + 6 * qg + qb;
}

void colour_index_rgb(int index, unsigned char *r, unsigned char *g, unsigned char *b)
{
	if (index < 0 || index > 255)
		index = 0;
	if (index < 16) {
		*r = basic_rgb[index][0];
		*g = basic_rgb[index][1];
		*b = basic_rgb[index][2];
	} else if (index < 232) {
		int i = index - 16;
		*r = (unsigned char)cube_level[i / 36];
		*g = (unsigned char)cube_level[(i / 6) % 6];
		*b = (unsigned char)cube_level[i % 6];
	} else {
		unsigned char v = (unsigned char)(8 + 10 * (index - 232));
		*r = *g = *b = v;
	}
}

int colour_find_basic(unsigned char r, unsigned char g, unsigned char b, int n)
{
	int i, best = 0, best_d = -1;
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		int d = dist_sq(basic_rgb[i][0], basic_rgb[i][1], basic_rgb[i][2], r, g, b);
		if (best_d < 0 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return best;
}

int colour_to_terminal(const struct colour *c, int ncolours)
{
	unsigned char r, g, b;
	switch (c->kind) {
	case COLOUR_UNSET:
	case COLOUR_DEFAULT:
		return -1;
	case COLOUR_BASIC:
		/* An 8-colour terminal shows bright-x as x (ui adds bold). */
		return ncolours >= 16 ? c->index : c->index % 8;
	case COLOUR_INDEX:
		if (ncolours >= 256 || c->index < ncolours)
			return c->index;
		colour_index_rgb(c->index, &r, &g, &b);
		return colour_find_basic(r, g, b, ncolours >= 16 ? 16 : 8);
	case COLOUR_RGB:
		if (ncolours >= 256)
			return colour_find_rgb(c->r, c->g, c->b);
		return colour_find_basic(c->r, c->g, c->b, ncolours >= 16 ? 16 : 8);
	}
	return -1;
}

/* ---- built-in default ------------------------------------------------- */

static void style(struct theme *t, enum theme_part p, const char *fg, const char *bg, unsigned attrs)
{
	struct theme_style *s = &t->part[p];
	memset(s, 0, sizeof(*s));
	if (fg)
		colour_parse(fg, &s->fg);
	if (bg)
		colour_parse(bg, &s->bg);
	s->attrs = attrs;
}

void theme_builtin(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	str_copy(t->name, "default", sizeof(t->name));
	/* Keep in step with themes/default.yaml (test-theme checks it). */
	style(t, TP_BACKGROUND, "default", "default", 0);
	style(t, TP_TEXT, "default", NULL, 0);
	style(t, TP_LABEL, "cyan", NULL, 0);
	style(t, TP_HEADER, "black", "cyan", 0);
	style(t, TP_BORDER, "blue", NULL, 0);
	style(t, TP_SELECTION, "black", "bright-cyan", 0);
	style(t, TP_OK, "green", NULL, THEME_BOLD);
	style(t, TP_WARNING, "yellow", NULL, THEME_BOLD);
	style(t, TP_CRITICAL, "red", NULL, THEME_BOLD);
	style(t, TP_UNKNOWN, "magenta", NULL, THEME_BOLD);
	style(t, TP_STALE, "yellow", NULL, THEME_UNDERLINE);
	style(t, TP_INACTIVE, "bright-black", NULL, THEME_DIM);
	style(t, TP_MASTER, "green", NULL, THEME_BOLD);
	style(t, TP_BACKUP, "bright-blue", NULL, THEME_BOLD);
	style(t, TP_BANNER, "bright-white", NULL, THEME_BOLD);
	style(t, TP_BAR_KEY, "default", NULL, THEME_BOLD);
	style(t, TP_BAR_TEXT, "black", "cyan", 0);
	style(t, TP_STATUS, "default", NULL, THEME_BOLD);
}

/* ---- YAML ------------------------------------------------------------- */

struct tload {
	const char *name;
	yaml_document_t *doc;
	char **cause;
};

static int tfail(struct tload *L, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int tfail(struct tload *L, const yaml_node_t *n, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	sb_init(&sb);
	sb_printf(&sb, "%s:%zu:%zu: ", L->name, n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1);
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	*L->cause = sb_steal(&sb);
	return -1;
}

/* Scalar text, shown inert and short in messages. */
static const char *scalar_of(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void shown(char *dst, size_t n, const char *s)
{
	char tmp[48];
	str_copy(tmp, s ? s : "", sizeof(tmp));
	text_sanitize(dst, tmp, n);
}

static int parse_colour_node(struct tload *L, const yaml_node_t *n, const char *part, const char *which,
			     struct colour *out)
{
	const char *s = scalar_of(n);
	char v[64];
	if (!s)
		return tfail(L, n, "part '%s': %s must be a colour, not a list or mapping", part, which);
	if (colour_parse(s, out) < 0) {
		shown(v, sizeof(v), s);
		return tfail(L, n, "part '%s': %s '%s' is not a colour; use default, a name (red, bright-red, ...), "
			     "colourN (0-255) or a quoted \"#rrggbb\"", part, which, v);
	}
	return 0;
}

static int parse_bool_node(struct tload *L, const yaml_node_t *n, const char *part, const char *key, bool *out)
{
	const char *s = scalar_of(n);
	if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0)) {
		*out = true;
		return 0;
	}
	if (s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)) {
		*out = false;
		return 0;
	}
	return tfail(L, n, "part '%s': '%s' must be true or false", part, key);
}

static int parse_part(struct tload *L, const yaml_node_t *n, const char *part, struct theme_style *st)
{
	static const struct { const char *key; unsigned bit; } attr_keys[] = {
		{ "bold", THEME_BOLD }, { "reverse", THEME_REVERSE },
		{ "underline", THEME_UNDERLINE }, { "dim", THEME_DIM },
	};
	yaml_node_pair_t *p;
	struct theme_style s = { 0 };

	if (n->type == YAML_SCALAR_NODE) {
		/* Shorthand "ok: green": a foreground colour. */
		if (parse_colour_node(L, n, part, "the colour", &s.fg) < 0)
			return -1;
		*st = s;
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return tfail(L, n, "part '%s' must be a colour or a mapping like { fg: red, bg: default, bold: true }",
			     part);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		const char *key = scalar_of(k);
		size_t i;
		bool handled = false, b = false;
		char kv[64];

		if (!key)
			return tfail(L, k, "part '%s': keys must be plain words", part);
		if (str_eq(key, "fg") || str_eq(key, "foreground")) {
			if (parse_colour_node(L, v, part, "fg", &s.fg) < 0)
				return -1;
			continue;
		}
		if (str_eq(key, "bg") || str_eq(key, "background")) {
			if (parse_colour_node(L, v, part, "bg", &s.bg) < 0)
				return -1;
			continue;
		}
		for (i = 0; i < ARRAY_LEN(attr_keys) && !handled; i++) {
			if (!str_eq(key, attr_keys[i].key))
				continue;
			if (parse_bool_node(L, v, part, key, &b) < 0)
				return -1;
			if (b)
				s.attrs |= attr_keys[i].bit;
			handled = true;
		}
		if (!handled) {
			shown(kv, sizeof(kv), key);
			return tfail(L, k, "part '%s': unknown key '%s'; use fg, bg, bold, reverse, underline or dim",
				     part, kv);
		}
	}
	*st = s;
	return 0;
}

static int parse_parts(struct tload *L, const yaml_node_t *n, struct theme *t)
{
	yaml_node_pair_t *p;
	if (n->type != YAML_MAPPING_NODE)
		return tfail(L, n, "'parts' must be a mapping of part names to colours (e.g. 'ok: green')");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		const char *key = scalar_of(k);
		size_t i;
		char kv[64];

		for (i = 0; i < TP__COUNT; i++)
			if (str_eq(key, part_names[i]))
				break;
		if (i == TP__COUNT) {
			struct strbuf sb;
			char *list;
			sb_init(&sb);
			for (i = 0; i < TP__COUNT; i++)
				sb_printf(&sb, "%s%s", i ? ", " : "", part_names[i]);
			list = sb_steal(&sb);
			shown(kv, sizeof(kv), key);
			tfail(L, k, "unknown part '%s'; parts are: %s", kv, list);
			free(list);
			return -1;
		}
		if (parse_part(L, v, part_names[i], &t->part[i]) < 0)
			return -1;
	}
	return 0;
}

int theme_load_string(struct theme *t, const char *text, size_t len, const char *name, char **cause)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct theme nt = *t;
	struct tload L = { .name = name, .doc = &doc, .cause = cause };
	yaml_mark_t deep_at;
	int rc = 0;

	if (yaml_too_deep(text, len, YAML_MAX_DEPTH, &deep_at)) {
		*cause = xasprintf("%s:%zu:%zu: nesting deeper than %d levels; a theme nests three, "
				   "is this the right file?", name, deep_at.line + 1, deep_at.column + 1, YAML_MAX_DEPTH);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		*cause = xasprintf("%s: cannot start the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		*cause = xasprintf("%s:%zu:%zu: YAML syntax error: %s%s%s", name, parser.problem_mark.line + 1,
				   parser.problem_mark.column + 1, parser.problem ? parser.problem : "unknown",
				   parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		*cause = xasprintf("%s:1:1: the theme is empty; write 'parts:' with colours below it", name);
		rc = -1;
	} else if (root->type != YAML_MAPPING_NODE) {
		rc = tfail(&L, root, "a theme is a mapping with 'name' and 'parts'");
	} else {
		yaml_node_pair_t *p;
		for (p = root->data.mapping.pairs.start; rc == 0 && p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			yaml_node_t *v = yaml_document_get_node(&doc, p->value);
			const char *key = scalar_of(k);
			char kv[64];
			if (str_eq(key, "name")) {
				if (!scalar_of(v))
					rc = tfail(&L, v, "'name' must be a plain word");
				else
					text_sanitize(nt.name, scalar_of(v), sizeof(nt.name));
			} else if (str_eq(key, "parts")) {
				rc = parse_parts(&L, v, &nt);
			} else {
				shown(kv, sizeof(kv), key);
				rc = tfail(&L, k, "unknown key '%s'; a theme has 'name' and 'parts'", kv);
			}
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc == 0)
		*t = nt;
	return rc;
}

int theme_load_file(struct theme *t, const char *path, char **cause)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[4096];
	size_t n;
	int rc;

	if (!f) {
		*cause = xasprintf("%s: cannot read the theme: %s", path, strerror(errno));
		return -1;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > 1024 * 1024) {
			fclose(f);
			sb_free(&sb);
			*cause = xasprintf("%s: the theme file is larger than 1 MiB", path);
			return -1;
		}
		sb_addn(&sb, buf, n);
	}
	fclose(f);
	rc = theme_load_string(t, sb.buf ? sb.buf : "", sb.len, path, cause);
	sb_free(&sb);
	return rc;
}

char *theme_find(const char *name, char **cause)
{
	const char *dirs[3];
	struct strbuf tried;
	size_t i, n = 0;
	const char *env = getenv("CARPTOP_THEMEDIR");

	if (strchr(name, '/')) {
		if (access(name, R_OK) == 0)
			return xstrdup(name);
		*cause = xasprintf("%s: cannot read the theme: %s", name, strerror(errno));
		return NULL;
	}
	if (env && *env)
		dirs[n++] = env;
	dirs[n++] = CARPTOP_THEMEDIR;
	dirs[n++] = CARPTOP_SRC_THEMEDIR;
	sb_init(&tried);
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s.yaml", dirs[i], name);
		if (access(p, R_OK) == 0) {
			sb_free(&tried);
			return p;
		}
		sb_printf(&tried, "%s%s", i ? ", " : "", p);
		free(p);
	}
	*cause = xasprintf("theme '%s' not found (looked for %s)", name, tried.buf);
	sb_free(&tried);
	return NULL;
}

int theme_load_named(struct theme *t, const char *name, char **cause)
{
	char *path, *why = NULL;

	theme_builtin(t);
	path = theme_find(name ? name : "default", cause);
	if (!path)
		return -1;
	if (theme_load_file(t, path, cause) == 0) {
		free(path);
		return 0;
	}
	free(path);
	/* A broken theme: fall back to the default theme's file, else built-in. */
	if (!str_eq(name, "default")) {
		char *def = theme_find("default", &why);
		if (def && theme_load_file(t, def, &why) < 0)
			theme_builtin(t);
		free(def);
		free(why);
	}
	return -1;
}
