/* The CARP change stream's node-side commands and its line parser (see
 * ssh_stream.h and doc/ssh-stream.md for why devd and not the system log).
 *
 * devd(8) hands each client of /var/run/devd.pipe the kernel's notification
 * text as it is; for CARP that is what carp_set_state() in FreeBSD's
 * sys/netinet/ip_carp.c passes to devctl_notify("CARP", "<vhid>@<ifname>",
 * "MASTER"|"BACKUP"|"INIT", NULL):
 *
 *     !system=CARP subsystem=3@igb1 type=MASTER
 *
 * (OPNsense's own src/etc/devd/carp.conf matches the same three fields.) */
#include "ssh/ssh_stream.h"

#include <stdlib.h>
#include <string.h>

#define NO_DEVD_LINE "carptop-stream: no-devd"
#define ALIVE_LINE "carptop-stream: alive"

const char *ssh_stream_mech_name(enum stream_mech m)
{
	return m == SM_DEVD ? "devd" : "ifconfig loop";
}

/* nc -d: never read stdin (devd takes no input). When nc cannot connect it
 * fails at once; the echo then tells carptop to use the fallback. grep
 * --line-buffered passes each line on as it comes (FreeBSD's grep has it). */
#define XSTR(x) #x
#define STR(x) XSTR(x)
static const char *const commands[] = {
	[SM_DEVD] = "sh -c '{ nc -dU /var/run/devd.pipe || echo " NO_DEVD_LINE "; } "
		    "| grep --line-buffered -e system=CARP -e carptop-stream:'",
	[SM_IFCONFIG] = "sh -c 'p=$(ifconfig -a | grep carp:); while :; do sleep " STR(SSH_STREAM_FALLBACK_PERIOD_S)
			"; c=$(ifconfig -a | grep carp:); [ \"$c\" = \"$p\" ] || { printf \"%s\\n\" \"$c\"; "
			"p=$c; }; echo " ALIVE_LINE "; done'",
};

const char *ssh_stream_command(enum stream_mech m)
{
	return commands[m == SM_DEVD ? SM_DEVD : SM_IFCONFIG];
}

static int parse_vhid(const char *s, size_t len)
{
	int v = 0;
	size_t i;
	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 255 ? v : -1;
}

/* Only the three states carp_set_state() reports. */
static enum carp_status parse_state(const char *s, size_t len)
{
	static const struct {
		const char *name;
		enum carp_status st;
	} states[] = { { "MASTER", CARP_ST_MASTER }, { "BACKUP", CARP_ST_BACKUP }, { "INIT", CARP_ST_INIT } };
	size_t i;
	for (i = 0; i < ARRAY_LEN(states); i++)
		if (strlen(states[i].name) == len && memcmp(states[i].name, s, len) == 0)
			return states[i].st;
	return CARP_ST_UNKNOWN;
}

static bool ifname_ok(const char *s, size_t len)
{
	size_t i;
	if (len == 0 || len >= SNAP_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* "!system=CARP subsystem=3@igb1 type=MASTER": key=value words in any
 * order (later kernels may add fields). */
static void parse_devd(const char *line, struct stream_line *out)
{
	const char *p = line + 1, *sub = NULL, *type = NULL;
	size_t sub_len = 0, type_len = 0;
	bool carp = false;
	const char *at;
	int vhid;

	while (*p) {
		size_t wl, kl;
		while (*p == ' ' || *p == '\t')
			p++;
		wl = strcspn(p, " \t");
		if (!wl)
			break;
		kl = strcspn(p, "=");
		if (kl < wl) {
			const char *v = p + kl + 1;
			size_t vl = wl - kl - 1;
			if (kl == 6 && memcmp(p, "system", 6) == 0)
				carp = vl == 4 && memcmp(v, "CARP", 4) == 0;
			else if (kl == 9 && memcmp(p, "subsystem", 9) == 0)
				sub = v, sub_len = vl;
			else if (kl == 4 && memcmp(p, "type", 4) == 0)
				type = v, type_len = vl;
		}
		p += wl;
	}
	if (!carp || !sub || !type)
		return;
	at = memchr(sub, '@', sub_len);
	if (!at)
		return;
	vhid = parse_vhid(sub, (size_t)(at - sub));
	if (vhid < 0 || !ifname_ok(at + 1, sub_len - (size_t)(at - sub) - 1))
		return;
	out->status = parse_state(type, type_len);
	if (out->status == CARP_ST_UNKNOWN)
		return;
	out->vhid = vhid;
	memcpy(out->ifname, at + 1, sub_len - (size_t)(at - sub) - 1);
	out->ifname[sub_len - (size_t)(at - sub) - 1] = '\0';
	out->kind = SL_DEVD;
}

/* ifconfig's "carp: MASTER vhid 3 advbase 1 advskew 0" (leading blanks). */
static void parse_carp(const char *p, struct stream_line *out)
{
	size_t l;
	int vhid;
	enum carp_status st;
	p += strlen("carp:");
	while (*p == ' ' || *p == '\t')
		p++;
	l = strcspn(p, " \t");
	st = parse_state(p, l);
	p += l;
	while (*p == ' ' || *p == '\t')
		p++;
	if (st == CARP_ST_UNKNOWN || strncmp(p, "vhid", 4) != 0 || (p[4] != ' ' && p[4] != '\t'))
		return;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	vhid = parse_vhid(p, strcspn(p, " \t"));
	if (vhid < 0)
		return;
	out->kind = SL_CARP;
	out->vhid = vhid;
	out->status = st;
}

void ssh_stream_parse(const char *line, struct stream_line *out)
{
	const char *p = line;
	memset(out, 0, sizeof(*out));
	out->kind = SL_IGNORE;
	if (line[0] == '!') {
		parse_devd(line, out);
		return;
	}
	if (strcmp(line, NO_DEVD_LINE) == 0) {
		out->kind = SL_NO_DEVD;
		return;
	}
	if (strcmp(line, ALIVE_LINE) == 0) {
		out->kind = SL_ALIVE;
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "carp:", 5) == 0)
		parse_carp(p, out);
}

bool ssh_stream_next_line(struct strbuf *sb, char *dst, size_t n, size_t max)
{
	char *nl;
	size_t len, take;
	if (!sb->buf || !sb->len)
		return false;
	nl = memchr(sb->buf, '\n', sb->len);
	if (!nl) {
		if (sb->len > max)
			sb->len = 0; /* a line without end: drop it */
		return false;
	}
	len = (size_t)(nl - sb->buf);
	take = len < n - 1 ? len : n - 1;
	memcpy(dst, sb->buf, take);
	dst[take] = '\0';
	if (take && dst[take - 1] == '\r')
		dst[take - 1] = '\0';
	memmove(sb->buf, nl + 1, sb->len - len - 1);
	sb->len -= len + 1;
	return true;
}
