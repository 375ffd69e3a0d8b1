/* VIP add and delete over SSH (ACT_VIP_ADD, ACT_VIP_DELETE).
 *
 * OPNsense has no configctl action that edits <virtualip>: only the API's
 * VipSettingsController does. Root may do what it does with the node's own
 * PHP CLI and MVC model, as core's CLI scripts do: vip_edit.php (next to
 * this file, embedded at build time) is that program. It is sent as the
 * standard input of `/usr/local/bin/php` on the exec channel: a program of a
 * few KiB as one shell word would have to survive root's csh login shell
 * (Debian's bsd-csh refuses words over ~8 KB), while stdin needs no quoting
 * at all. The command line itself is a fixed string.
 *
 * The request inside the program is base64 of a JSON object built here with
 * json-c from checked values only: the address parsed by inet_pton and
 * printed back, the prefix and vhid as integers, the interface a config key,
 * the description printable ASCII. The program answers with the JSON the API
 * answers, judged by the API's own parser. Apply stays a separate action
 * (`configctl interface vip configure`), as reconfigure is over the API. */
#include "ssh/ssh_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <json-c/json.h>
#include <string.h>

#include "api/api_parse.h"
#include "ssh/vip_edit_php.h"
#include "util.h"

#define REQUEST_MARKER "@@CARPTOP_REQUEST@@"

static bool descr_ok(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

/* The address as inet_ntop prints it: what the model stores and compares. */
static bool canonical_address(const char *in, char *out, size_t n)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, in, buf) == 1)
		return inet_ntop(AF_INET, buf, out, (socklen_t)n) != NULL;
	if (inet_pton(AF_INET6, in, buf) == 1)
		return inet_ntop(AF_INET6, buf, out, (socklen_t)n) != NULL;
	return false;
}

char *ssh_vip_program(const struct action *a, char **cause)
{
	const char *why = NULL, *json;
	char addr[INET6_ADDRSTRLEN], *b64, *prog;
	json_object *o;
	size_t jlen, b64sz, i;
	struct strbuf sb;

	if (a->kind != ACT_VIP_ADD && a->kind != ACT_VIP_DELETE)
		why = "not a VIP change";
	else if (a->kind == ACT_VIP_ADD && a->vip.mode != VIP_MODE_IPALIAS)
		why = "carptop adds IP aliases only (a CARP VIP needs its password)";
	else if (!vip_spec_check(&a->vip, a->kind == ACT_VIP_ADD, &why))
		; /* why is set */
	else if (!descr_ok(a->vip.descr))
		why = "the description must be printable ASCII";
	else if (!canonical_address(a->vip.address, addr, sizeof(addr)))
		why = "address is not an IPv4 or IPv6 address";
	if (why) {
		*cause = xstrdup(why);
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "op", json_object_new_string(a->kind == ACT_VIP_ADD ? "add" : "delete"));
	json_object_object_add(o, "interface", json_object_new_string(a->vip.interface));
	json_object_object_add(o, "address", json_object_new_string(addr));
	json_object_object_add(o, "prefix", json_object_new_int(a->vip.prefix));
	json_object_object_add(o, "vhid", json_object_new_int(a->vip.vhid));
	json_object_object_add(o, "descr", json_object_new_string(a->vip.descr));
	json = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	jlen = strlen(json);
	b64sz = (jlen + 2) / 3 * 4 + 1;
	b64 = xmalloc(b64sz);
	b64_encode((const unsigned char *)json, jlen, b64, b64sz, true);
	json_object_put(o);

	/* The marker is on a line of its own making (vip_edit.php). */
	sb_init(&sb);
	for (i = 0; ssh_vip_php[i]; i++) {
		const char *line = ssh_vip_php[i], *mark = strstr(line, REQUEST_MARKER);
		if (!mark) {
			sb_add(&sb, line);
			continue;
		}
		sb_addn(&sb, line, (size_t)(mark - line));
		sb_add(&sb, b64);
		sb_add(&sb, mark + strlen(REQUEST_MARKER));
	}
	free(b64);
	prog = sb_steal(&sb);
	return prog;
}

static void first_nonempty_line(char *dst, size_t n, const char *s)
{
	size_t l;
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	l = strcspn(s, "\r\n");
	str_copy(dst, s, l + 1 < n ? l + 1 : n);
}

/* The program's one JSON line: the API's own reply parser judges it; an
 * errorMessage is what the API sends as a UserException. */
static bool judge_json_line(const char *line, size_t len, struct action_result *r)
{
	json_object *o = json_tokener_parse(line), *v;
	bool done = false;
	if (o && json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "errorMessage", &v) && json_object_is_type(v, json_type_string)) {
			r->err = NERR_COMMAND;
			str_printf(r->message, sizeof(r->message), "refused by the node: %s", json_object_get_string(v));
			done = true;
		} else if (json_object_object_get_ex(o, "result", &v)) {
			api_parse_vip_result(line, len, r);
			done = true;
		}
	}
	json_object_put(o);
	return done;
}

void ssh_vip_reply(const char *out, const char *err, int exit_status, struct action_result *r)
{
	const char *p = out ? out : "";
	char line[SNAP_MSG_LEN / 2], eline[SNAP_MSG_LEN / 2];

	memset(r, 0, sizeof(*r));
	while (*p) {
		size_t l = strcspn(p, "\n");
		if (*p == '{' && l < 4096) {
			char *copy = xmalloc(l + 1);
			bool done;
			memcpy(copy, p, l);
			copy[l] = '\0';
			done = judge_json_line(copy, l, r);
			free(copy);
			if (done) {
				text_sanitize_inplace(r->message);
				return;
			}
		}
		p += l;
		if (*p == '\n')
			p++;
	}
	first_nonempty_line(line, sizeof(line), out ? out : "");
	first_nonempty_line(eline, sizeof(eline), err ? err : "");
	r->err = NERR_COMMAND;
	if (exit_status == 127 || (!line[0] && strstr(eline, "not found")))
		str_printf(r->message, sizeof(r->message), "%s is missing on the node (%s): not OPNsense?",
			   SSH_PHP_COMMAND, eline[0] ? eline : line[0] ? line : "exit 127");
	else
		str_printf(r->message, sizeof(r->message),
			   "the VIP program did not answer (exit %d): %s; whether the config changed is unknown "
			   "(check the node)",
			   exit_status, line[0] ? line : eline[0] ? eline : "no output");
	text_sanitize_inplace(r->message);
}
