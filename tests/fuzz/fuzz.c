/* The shared part of the fuzz targets (fuzz.h). */
#include "fuzz.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "view.h"
#include "util.h"

void fuzz_split(const uint8_t *data, size_t size, struct fuzz_parts *p)
{
	const char *s = (const char *)data, *end = s + size;
	size_t sep = strlen(FUZZ_SEP), i;

	memset(p, 0, sizeof(*p));
	while (p->n < FUZZ_MAX_PARTS) {
		const char *hit = p->n + 1 < FUZZ_MAX_PARTS ? memmem(s, (size_t)(end - s), FUZZ_SEP, sep) : NULL;
		size_t len = hit ? (size_t)(hit - s) : (size_t)(end - s);
		p->part[p->n] = xmalloc(len + 1);
		memcpy(p->part[p->n], s, len);
		p->part[p->n][len] = '\0';
		p->len[p->n++] = len;
		if (!hit)
			break;
		s = hit + sep;
	}
	for (i = p->n; i < FUZZ_MAX_PARTS; i++) {
		p->part[i] = xstrdup("");
		p->len[i] = 0;
	}
}

void fuzz_parts_free(struct fuzz_parts *p)
{
	size_t i;
	for (i = 0; i < FUZZ_MAX_PARTS; i++)
		free(p->part[i]);
	memset(p, 0, sizeof(*p));
}

char *fuzz_exact(const char *s, size_t n)
{
	char *p = xmalloc(n ? n : 1);
	memcpy(p, s, n);
	return p;
}

void fuzz_cluster(struct cluster_conf *cc, enum transport t)
{
	static char cname[] = "fuzz", n0[] = "fw1", n1[] = "fw2";
	memset(cc, 0, sizeof(*cc));
	cc->name = cname;
	cc->interval = 2;
	cc->maintenance_max_age = 4 * 3600.0;
	cc->state_ratio = 0.2;
	cc->nodes[0].name = n0;
	cc->nodes[0].role = ROLE_PRIMARY;
	cc->nodes[0].transport = t;
	cc->nodes[1].name = n1;
	cc->nodes[1].role = ROLE_SECONDARY;
	cc->nodes[1].transport = t;
}

static void oracle_fail(const char *what, const char *buf, size_t len, size_t at, const char *why)
{
	size_t from = at > 40 ? at - 40 : 0, to = at + 40 < len ? at + 40 : len, i;
	fprintf(stderr, "fuzz oracle: %s output: %s at byte %zu of %zu; around it:\n", what, why, at, len);
	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputc('\n', stderr);
	abort();
}

void fuzz_check_text(const char *what, const char *buf, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			oracle_fail(what, buf, len, i, "a control byte");
		if (c == 0xc2 && i + 1 < len && (unsigned char)buf[i + 1] >= 0x80 && (unsigned char)buf[i + 1] <= 0x9f)
			oracle_fail(what, buf, len, i, "a C1 control character (UTF-8 U+0080..U+009F)");
	}
}

void fuzz_check_json(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	size_t end;

	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	if (!obj) {
		fprintf(stderr, "fuzz oracle: JSON output does not parse: %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		oracle_fail("json", buf, len, json_tokener_get_parse_end(tok), "JSON error");
	}
	/* One value and nothing but white space after it. */
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (buf[end] != '\n' && buf[end] != ' ')
			oracle_fail("json", buf, len, end, "text after the JSON value");
	json_object_put(obj);
	json_tokener_free(tok);
}

void fuzz_render_check(const struct pair_view *views, size_t n)
{
	static const enum out_format formats[] = { OUT_TEXT, OUT_JSON, OUT_NAGIOS, OUT_PROMETHEUS };
	struct output_opts oo = { .now = FUZZ_NOW, .demo = false };
	size_t f;

	for (f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		struct strbuf sb;
		sb_init(&sb);
		output_render(&sb, formats[f], views, n, &oo);
		fuzz_check_text(out_format_name(formats[f]), sb.buf ? sb.buf : "", sb.len);
		if (formats[f] == OUT_JSON)
			fuzz_check_json(sb.buf ? sb.buf : "", sb.len);
		sb_free(&sb);
	}
}

void fuzz_pair_check(const struct cluster_conf *cc, const struct snapshot *s0, const struct snapshot *s1)
{
	struct pair_view v;
	view_build_pair(&v, cc, s0, s1, NULL, FUZZ_NOW);
	fuzz_render_check(&v, 1);
	pair_free(&v);
}

void fuzz_check_message(const char *msg)
{
	char shown[SNAP_MSG_LEN];
	if (!msg)
		return;
	text_sanitize(shown, msg, sizeof(shown));
	fuzz_check_text("message", shown, strlen(shown));
}
