/* What the ssh transport runs on a node and how it reads the answer.
 *
 * A poll is ONE exec carrying every read, so it costs one channel and one
 * round trip however many commands it holds. Root's shell on OPNsense is
 * opnsense-shell, which runs `csh -c "<command>"` (CONTRACT §0): the command
 * line is therefore `sh -c '<script>'` with a script that csh passes through
 * untouched (one line, no `!`, no single quote inside). Each command is
 * framed by marker lines carrying a per-poll random nonce, so command output
 * cannot forge them, and the END marker carries the command's exit status:
 *
 *     @@CARPTOP-<nonce> BEGIN ifconfig
 *     ...output of ifconfig -a, stderr merged...
 *     <newline printed by carptop>
 *     @@CARPTOP-<nonce> END ifconfig 0
 *
 * A failing or missing command is one section with a non-zero status while
 * the others are still read; a section whose output does not end in a
 * newline was cut mid-line. */
#include "ssh/ssh_int.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "parse/fwjob.h"
#include "parse/parse.h"
#include "util.h"

static const struct sec_def {
	const char *id;       /* marker word */
	const char *command;  /* for messages */
	const char *shell;    /* sh text between the markers; NULL: built specially */
	const char *partial;  /* snap_partial.what when it fails */
	bool firmware;        /* only while an update is followed */
} secs[SEC__COUNT] = {
	[SEC_IFCONFIG] = { "ifconfig", "ifconfig -a", "ifconfig -a", "ifconfig" },
	[SEC_SHOWCARP] = { "show-carp", "configctl interface show carp", "configctl interface show carp", "carp" },
	[SEC_SYSCTL] = { "sysctl", "sysctl net.inet.carp", "sysctl net.inet.carp", "carp_sysctl" },
	/* -v adds the Hostid line: the node's own pfsync creator id. */
	[SEC_PFINFO] = { "pfinfo", "pfctl -vsi", "pfctl -vsi", "pf_states" },
	[SEC_PFMEM] = { "pfmem", "pfctl -s memory", "pfctl -s memory", "pf_states" },
	[SEC_CREATORS] = { "creators", "pfctl -ss -vv", NULL, "pfsync" },
	[SEC_PFSYNC] = { "pfsync", "ifconfig pfsync0", "ifconfig pfsync0", "pfsync" },
	[SEC_VERSION] = { "version", "opnsense-version", "opnsense-version", "version" },
	/* The firmware job (backends/parse/fwjob.h; opnsense/core
	 * scripts/firmware/running.sh and read.sh behind these actions). */
	[SEC_DATE] = { "date", "date", "date", "firmware", true },
	[SEC_BOOTTIME] = { "boottime", "sysctl -n kern.boottime", "sysctl -n kern.boottime", "firmware", true },
	[SEC_FWRUNNING] = { "fwrunning", "configctl firmware running", "configctl firmware running", "firmware", true },
	[SEC_FWSTATUS] = { "fwstatus", "configctl firmware status", "configctl firmware status", "firmware", true },
	[SEC_MARKER] = { "marker", "stat /conf/config.xml", NULL, "config" },
	[SEC_CONFIG] = { "config", "cat /conf/config.xml", NULL, "config" },
};

const char *ssh_sec_id(enum ssh_sec s)
{
	return (unsigned)s < SEC__COUNT ? secs[s].id : "?";
}

const char *ssh_sec_command(enum ssh_sec s)
{
	return (unsigned)s < SEC__COUNT ? secs[s].command : "?";
}

/* ---- the command ------------------------------------------------------- */

bool ssh_marker_safe(const char *marker)
{
	size_t i;
	if (!marker || !*marker || strlen(marker) >= 60)
		return false;
	for (i = 0; marker[i]; i++)
		if (!(isdigit((unsigned char)marker[i]) || marker[i] == ' '))
			return false;
	return true;
}

/* The CARP state is read last, the VHID statuses (ifconfig) at the very
 * end: a poll hands over what it read when it ends, so whatever runs after
 * a read makes that read older when it is shown. The slow reads (pfctl -ss
 * -vv walks the whole state table: seconds on a busy firewall; config.xml
 * when it changed) go first, and a flip is shown as old as the last few
 * commands, not the whole poll. (A poll that fails part way fails as a
 * whole either way: a timeout or a dropped session is the node's error.) */
static const enum ssh_sec carp_last[] = { SEC_SHOWCARP, SEC_SYSCTL, SEC_IFCONFIG };

static bool read_last(int sec)
{
	size_t i;
	for (i = 0; i < sizeof(carp_last) / sizeof(carp_last[0]); i++)
		if ((int)carp_last[i] == sec)
			return true;
	return false;
}

static void sec_add(struct strbuf *sb, int i)
{
	sb_printf(sb, "b %s;%s 2>&1;e %s $?;", secs[i].id, secs[i].shell, secs[i].id);
}

char *ssh_poll_command(const char *nonce, const char *marker, bool firmware)
{
	struct strbuf sb;
	int i;

	sb_init(&sb);
	/* fd 3 is the real stdout for the creators pipeline below. b and e
	 * print the markers; e prints a newline first so that the END marker
	 * starts a line even after output without a final newline. */
	sb_add(&sb, "sh -c 'exec 3>&1;M=@@CARPTOP-");
	sb_add(&sb, nonce);
	sb_add(&sb, ";b(){ printf \"%s BEGIN %s\\n\" $M $1;};"
		    "e(){ printf \"\\n%s END %s %s\\n\" $M $1 \"$2\";};");
	for (i = 0; i < SEC__COUNT; i++) {
		if (!secs[i].shell || (secs[i].firmware && !firmware) || read_last(i))
			continue;
		sec_add(&sb, i);
	}
	/* `pfctl -ss -vv` prints three lines per state: on a big table that
	 * is megabytes. Only the distinct creator ids are wanted, so filter
	 * on the node, and keep pfctl's own exit status (no pipefail in every
	 * sh): it leaves through fd 4 into $r while the ids go to fd 3. */
	sb_add(&sb, "b creators;r=$( { { pfctl -ss -vv 2>&1;echo $? >&4;}|grep -o \"creatorid: [0-9a-f]*\""
		    "|sort -u >&3;} 4>&1);e creators \"$r\";");
	/* The config marker: GNU stat first, because GNU `stat -f` means
	 * "file system" and prints something before failing; FreeBSD's stat
	 * rejects -c quietly and the second form answers. */
	sb_add(&sb, "t=$(stat -c \"%Y %s\" /conf/config.xml 2>/dev/null||stat -f \"%m %z\" /conf/config.xml 2>&1);"
		    "r=$?;b marker;echo \"$t\";e marker $r;");
	/* config.xml only when the marker differs from the cached one. */
	sb_printf(&sb, "[ \"$t\" = \"%s\" ]||{ b config;cat /conf/config.xml 2>&1;e config $?;};",
		  ssh_marker_safe(marker) ? marker : "none");
	for (i = 0; i < (int)(sizeof(carp_last) / sizeof(carp_last[0])); i++)
		sec_add(&sb, carp_last[i]);
	sb_add(&sb, "'");
	return sb_steal(&sb);
}

/* ---- splitting --------------------------------------------------------- */

static int sec_by_id(const char *id, size_t len)
{
	int i;
	for (i = 0; i < SEC__COUNT; i++)
		if (strlen(secs[i].id) == len && memcmp(secs[i].id, id, len) == 0)
			return i;
	return -1;
}

void ssh_split(char *buf, size_t len, const char *nonce, struct ssh_output *out)
{
	static const char empty[1] = "";
	char prefix[64];
	size_t plen, pos = 0, ends[SEC__COUNT];
	int cur = -1, i;

	memset(out, 0, sizeof(*out));
	out->last_begun = -1;
	for (i = 0; i < SEC__COUNT; i++) {
		out->sec[i].text = empty;
		out->sec[i].rc = -1;
		ends[i] = 0;
	}
	str_printf(prefix, sizeof(prefix), "@@CARPTOP-%s ", nonce);
	plen = strlen(prefix);

	while (pos < len) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		size_t eol = nl ? (size_t)(nl - buf) : len;
		const char *rest = buf + pos + plen;
		size_t rlen = eol - pos >= plen ? eol - pos - plen : 0;

		if (eol - pos > plen && memcmp(buf + pos, prefix, plen) == 0) {
			if (rlen > 6 && memcmp(rest, "BEGIN ", 6) == 0) {
				int k = sec_by_id(rest + 6, rlen - 6);
				if (cur >= 0) /* the previous one never ended */
					ends[cur] = pos;
				cur = -1;
				if (k >= 0 && !out->sec[k].begun) {
					cur = k;
					out->sec[k].begun = true;
					out->sec[k].text = buf + (nl ? eol + 1 : eol);
					out->n_begun++;
					out->last_begun = k;
				}
			} else if (rlen > 4 && memcmp(rest, "END ", 4) == 0 && cur >= 0) {
				const char *id = rest + 4, *sp = memchr(id, ' ', rlen - 4);
				if (sp && sec_by_id(id, (size_t)(sp - id)) == cur) {
					struct ssh_section *sc = &out->sec[cur];
					size_t cstart = (size_t)(sc->text - buf);
					char num[16];
					size_t nlen = (size_t)(buf + eol - (sp + 1));
					char *endp;
					long rc;
					/* Drop the newline that e printed before the marker. */
					ends[cur] = pos > cstart && buf[pos - 1] == '\n' ? pos - 1 : pos;
					sc->ended = true;
					if (nlen > 0 && nlen < sizeof(num)) {
						memcpy(num, sp + 1, nlen);
						num[nlen] = '\0';
						rc = strtol(num, &endp, 10);
						if (*endp == '\0' && rc >= 0 && rc <= 255)
							sc->rc = (int)rc;
					}
					cur = -1;
				}
			}
		}
		pos = nl ? eol + 1 : len;
	}
	if (cur >= 0)
		ends[cur] = len; /* cut off: runs to the end */

	/* Terminate each text in place; every terminator lands on a byte that
	 * is ours (a marker's newline or first byte) or on buf[len]. */
	for (i = 0; i < SEC__COUNT; i++) {
		struct ssh_section *sc = &out->sec[i];
		size_t cstart;
		if (!sc->begun)
			continue;
		cstart = (size_t)(sc->text - buf);
		if (ends[i] < cstart)
			ends[i] = cstart;
		sc->len = ends[i] - cstart;
		sc->cut_line = sc->len > 0 && buf[ends[i] - 1] != '\n';
		buf[ends[i]] = '\0';
	}
}

/* ---- show carp --------------------------------------------------------- */

/* Numbers arrive as JSON strings ("0") from the PHP script; accept numbers
 * and booleans too (CONTRACT: parse defensively). */
static bool jget_long(json_object *o, const char *key, long *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = (long)json_object_get_int64(v);
		return true;
	case json_type_boolean:
		*out = json_object_get_boolean(v) ? 1 : 0;
		return true;
	case json_type_double:
		*out = (long)json_object_get_double(v);
		return true;
	case json_type_string:
		return str_to_long(json_object_get_string(v), out);
	default:
		return false;
	}
}

static bool jget_bool(json_object *o, const char *key, bool *out)
{
	json_object *v;
	const char *s;
	long l;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return false;
	if (json_object_get_type(v) == json_type_string) {
		s = json_object_get_string(v);
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || *s == '\0') {
			*out = false;
			return true;
		}
		return false;
	}
	if (!jget_long(o, key, &l))
		return false;
	*out = l != 0;
	return true;
}

/* status_msg carries HTML line breaks meant for the GUI. */
static void strip_br(char *dst, const char *src, size_t n)
{
	size_t o = 0;
	while (*src && o + 1 < n) {
		if (src[0] == '<' && (strncmp(src, "<br />", 6) == 0 || strncmp(src, "<br/>", 5) == 0 ||
				      strncmp(src, "<br>", 4) == 0)) {
			src = strchr(src, '>') + 1;
			if (o > 0 && dst[o - 1] != ' ')
				dst[o++] = ' ';
			continue;
		}
		dst[o++] = *src++;
	}
	dst[o] = '\0';
}

int ssh_parse_show_carp(const char *text, struct snapshot *s, bool fill_sysctl, char **cause)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *o = json_tokener_parse_verbose(text, &jerr), *msg;
	long allow, demotion;
	bool maint;

	if (!o || json_object_get_type(o) != json_type_object) {
		if (cause) {
			char ex[80];
			size_t n = strcspn(text, "\r\n");
			str_copy(ex, text, n + 1 < sizeof(ex) ? n + 1 : sizeof(ex));
			*cause = xasprintf("not the JSON object configctl prints: \"%s\"", ex);
		}
		json_object_put(o);
		return -1;
	}
	if (jget_bool(o, "maintenancemode", &maint))
		s->carp.maintenance = maint;
	if (json_object_object_get_ex(o, "status_msg", &msg) && json_object_get_type(msg) == json_type_string)
		strip_br(s->carp.status_msg, json_object_get_string(msg), sizeof(s->carp.status_msg));
	if (fill_sysctl && jget_long(o, "allow", &allow) && jget_long(o, "demotion", &demotion)) {
		s->carp.allow = (int)allow;
		s->carp.demotion = demotion;
		s->carp.known = true;
	}
	json_object_put(o);
	return 0;
}

/* ---- the snapshot ------------------------------------------------------ */

/* The first non-empty line of a text, quoted short, for messages. */
static void first_line(char *dst, size_t n, const char *text)
{
	size_t len;
	while (*text == '\n' || *text == '\r' || *text == ' ')
		text++;
	len = strcspn(text, "\r\n");
	if (len + 1 > n)
		len = n - 1;
	memcpy(dst, text, len);
	dst[len] = '\0';
}

/* Note a failed part. Sections sharing a name (pfctl -vsi and -s memory are
 * both "pf_states") share one note: the second reason is appended. */
static void note_partial(struct snapshot *s, const char *what, enum node_error e, const char *msg)
{
	int i;
	for (i = 0; i < s->n_partial; i++) {
		struct snap_partial *p = &s->partial[i];
		if (str_eq(p->what, what)) {
			size_t len = strlen(p->msg);
			str_printf(p->msg + len, sizeof(p->msg) - len, "; %s", msg);
			text_sanitize_inplace(p->msg);
			return;
		}
	}
	snapshot_add_partial(s, what, e, "%s", msg);
}

/* Why a section cannot be used, or NULL when it can. */
static const char *sec_problem(const struct ssh_section *sc, enum node_error *e, char *msg, size_t n,
			       enum ssh_sec id)
{
	char line[120];
	first_line(line, sizeof(line), sc->text);
	*e = NERR_COMMAND;
	if (!sc->begun) {
		*e = NERR_PROTOCOL;
		str_printf(msg, n, "`%s` did not run (the poll output stops before it)", secs[id].command);
	} else if (!sc->ended) {
		*e = NERR_PROTOCOL;
		str_printf(msg, n, "`%s` output was cut off after %zu bytes", secs[id].command, sc->len);
	} else if (sc->rc == 127) {
		if (line[0])
			str_printf(msg, n, "`%s` is missing on the node (exit 127: %s)", secs[id].command, line);
		else
			str_printf(msg, n, "`%s` is missing on the node (exit 127)", secs[id].command);
	} else if (sc->rc != 0) {
		str_printf(msg, n, "`%s` failed (exit %d): %s", secs[id].command, sc->rc, line[0] ? line : "no output");
	} else if (sc->cut_line) {
		*e = NERR_PROTOCOL;
		str_printf(msg, n, "`%s` output ends mid-line after %zu bytes (truncated)", secs[id].command, sc->len);
	} else {
		return NULL;
	}
	return msg;
}

/* A usable section's text, or NULL after noting why not in a partial. */
static const char *sec_text(struct ssh_output *o, enum ssh_sec id, struct snapshot *s)
{
	char msg[SNAP_MSG_LEN];
	enum node_error e;
	if (!sec_problem(&o->sec[id], &e, msg, sizeof(msg), id))
		return o->sec[id].text;
	note_partial(s, secs[id].partial, e, msg);
	return NULL;
}

static void parse_note(struct snapshot *s, enum ssh_sec id, int rc, char *cause)
{
	char msg[SNAP_MSG_LEN];
	if (rc < 0) {
		str_printf(msg, sizeof(msg), "`%s`: %s", secs[id].command, cause ? cause : "unreadable output");
		note_partial(s, secs[id].partial, NERR_PROTOCOL, msg);
	}
	free(cause);
}

enum node_error ssh_build_snapshot(struct ssh_output *o, struct cx_config *cache, struct snapshot *s, char *msg,
				   size_t n)
{
	const char *t;
	char *cause = NULL;
	enum node_error e;
	bool sysctl_ok = false, maint_known = false;
	int rc;

	/* ifconfig is the VIP list: without all of it nothing else is trusted
	 * (as get_vip_status decides reachability over the API). */
	if (sec_problem(&o->sec[SEC_IFCONFIG], &e, msg, n, SEC_IFCONFIG)) {
		if (e == NERR_PROTOCOL && o->sec[SEC_IFCONFIG].begun)
			str_printf(msg + strlen(msg), n - strlen(msg), "; the VIP list is not trusted");
		return e;
	}
	if (parse_ifconfig(o->sec[SEC_IFCONFIG].text, s, &cause) < 0) {
		str_printf(msg, n, "`ifconfig -a`: %s", cause ? cause : "unreadable output");
		free(cause);
		return NERR_PROTOCOL;
	}

	if ((t = sec_text(o, SEC_SYSCTL, s))) {
		rc = parse_sysctl_carp(t, s, NULL, &cause);
		sysctl_ok = rc == 0;
		parse_note(s, SEC_SYSCTL, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_SHOWCARP, s))) {
		rc = ssh_parse_show_carp(t, s, !sysctl_ok, &cause);
		maint_known = rc == 0;
		parse_note(s, SEC_SHOWCARP, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_PFINFO, s))) {
		long long cur;
		char hostid[16] = "";
		rc = parse_pfctl_si(t, &cur, hostid, sizeof(hostid), &cause);
		if (rc == 0) {
			s->states.current = cur;
			str_copy(s->pfsync.hostid, hostid, sizeof(s->pfsync.hostid));
		}
		parse_note(s, SEC_PFINFO, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_PFMEM, s))) {
		long long lim;
		rc = parse_pfctl_memory(t, &lim, &cause);
		if (rc == 0)
			s->states.limit = lim;
		parse_note(s, SEC_PFMEM, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_PFSYNC, s))) {
		/* Not parse_note(..., parse_x(&cause), cause): the order in which
		 * arguments are evaluated is unspecified, and gcc read cause
		 * first (NULL): the message was lost and leaked (found by
		 * tests/fuzz/fuzz-freebsd). */
		rc = parse_ifconfig_pfsync(t, s, &cause);
		parse_note(s, SEC_PFSYNC, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_CREATORS, s))) {
		rc = parse_pfctl_creators(t, s, &cause);
		parse_note(s, SEC_CREATORS, rc, cause);
		cause = NULL;
	}
	if ((t = sec_text(o, SEC_VERSION, s))) {
		rc = parse_opnsense_version(t, s->version, sizeof(s->version), &cause);
		if (rc == 0)
			str_copy(s->firmware.version, s->version, sizeof(s->firmware.version));
		parse_note(s, SEC_VERSION, rc, cause);
		cause = NULL;
	}

	/* config.xml: read when its marker changed; otherwise the cache holds. */
	if ((t = sec_text(o, SEC_MARKER, s))) {
		char marker[64];
		first_line(marker, sizeof(marker), t);
		/* Also the app's: it reads config.xml (config_start) for the
		 * drift checks when this changes. */
		str_copy(s->config_marker, marker, sizeof(s->config_marker));
		if (o->sec[SEC_CONFIG].begun) {
			if ((t = sec_text(o, SEC_CONFIG, s))) {
				rc = cx_parse(t, o->sec[SEC_CONFIG].len, cache, &cause);
				if (rc == 0)
					str_copy(cache->marker, marker, sizeof(cache->marker));
				else
					cx_free(cache);
				parse_note(s, SEC_CONFIG, rc, cause);
				cause = NULL;
			} else {
				cx_free(cache);
			}
		} else if (!str_eq(marker, cache->marker)) {
			/* The node skipped the read but the marker is not ours: a
			 * race with a config save; read it next time. */
			cache->marker[0] = '\0';
		}
	} else {
		cx_free(cache); /* cannot tell whether it changed */
	}
	if (cache->valid)
		cx_apply(cache, s, !maint_known);

	s->reachable = true;
	s->err = NERR_NONE;
	s->error[0] = '\0';
	return NERR_NONE;
}

/* ---- the firmware job ---------------------------------------------------- */

long long ssh_parse_boottime(const char *text)
{
	const char *p = text ? strstr(text, "sec = ") : NULL;
	char *end;
	long long v;
	if (!p)
		return -1;
	v = strtoll(p + 6, &end, 10);
	return end != p + 6 && v > 0 ? v : -1;
}

static bool sec_ok(const struct ssh_section *sc)
{
	return sc->begun && sc->ended && sc->rc == 0 && !sc->cut_line;
}

void ssh_fw_read(const struct ssh_output *o, struct ssh_fw_read *r)
{
	const struct ssh_section *sc;
	memset(r, 0, sizeof(*r));
	r->running = -1;
	r->boottime = -1;
	r->node_time = -1;
	sc = &o->sec[SEC_DATE];
	if (sec_ok(sc))
		r->node_time = fwjob_parse_time(sc->text);
	sc = &o->sec[SEC_BOOTTIME];
	if (sec_ok(sc))
		r->boottime = ssh_parse_boottime(sc->text);
	sc = &o->sec[SEC_FWRUNNING];
	if (sec_ok(sc)) {
		if (str_starts(sc->text, "ready"))
			r->running = 0;
		else if (str_starts(sc->text, "busy"))
			r->running = 1;
	}
	sc = &o->sec[SEC_FWSTATUS];
	if (sec_ok(sc) || (sc->begun && sc->ended && sc->rc == 0)) /* a log may end mid-line */
		r->log = xstrdup(sc->text);
}

void ssh_fw_read_free(struct ssh_fw_read *r)
{
	free(r->log);
	r->log = NULL;
}

void ssh_fw_request_times(const char *out, long long *req_time, long long *boottime)
{
	char line[128];
	size_t l;
	*req_time = *boottime = -1;
	if (!out)
		return;
	l = strcspn(out, "\n");
	str_copy(line, out, l + 1 < sizeof(line) ? l + 1 : sizeof(line));
	*req_time = fwjob_parse_time(line);
	if (out[l] == '\n') {
		const char *b = out + l + 1;
		size_t bl = strcspn(b, "\n");
		str_copy(line, b, bl + 1 < sizeof(line) ? bl + 1 : sizeof(line));
		*boottime = ssh_parse_boottime(line);
	}
}

/* ---- actions ----------------------------------------------------------- */

const char *ssh_action_words(enum action_kind k)
{
	switch (k) {
	case ACT_MAINTENANCE_TOGGLE: return "interface carp_set_status maintenance";
	case ACT_CARP_DISABLE: return "interface carp_set_status disable";
	case ACT_CARP_ENABLE: return "interface carp_set_status enable";
	case ACT_VIP_APPLY: return "interface vip configure";
	case ACT_FIRMWARE_UPDATE: return "firmware update";
	/* -d: configd detaches, rc.reboot never returns. */
	case ACT_REBOOT: return "-d system reboot";
	case ACT_SYNC: return "filter sync";
	/* No configctl action edits <virtualip>: VIP add and delete run the
	 * node's PHP CLI instead (ssh_vip.c). */
	default: return NULL;
	}
}

char *ssh_action_command(enum action_kind k)
{
	const char *w = ssh_action_words(k);
	if (k == ACT_FIRMWARE_UPDATE)
		/* The node's clock and boot time first (the tracker's reference),
		 * then as the GUI does: flush the last check's result, update. */
		return xstrdup("sh -c 'date;sysctl -n kern.boottime;configctl firmware flush 2>&1;"
			       "configctl firmware update 2>&1'");
	if (k == ACT_SYNC)
		/* `configctl filter sync` prints OK whatever happened:
		 * rc.filter_synchronize only logs. The node's clock before, and
		 * the newest success line of the system log after, decide. */
		return xstrdup("sh -c 'date +%Y-%m-%dT%H:%M:%S;configctl filter sync 2>&1;sleep 1;"
			       "grep -h \"" SSH_SYNC_OK_TEXT "\" /var/log/system/latest.log 2>/dev/null|tail -n 1'");
	return w ? xasprintf("sh -c 'configctl %s 2>&1'", w) : NULL;
}

/* ACT_SYNC's output: the request time (ISO, node clock), configctl's
 * reply, and the newest "Filter sync successfully completed" line, if any. */
static void reply_generic(enum action_kind k, const char *out, const char *err, int exit_status,
			  struct action_result *r);

static void sync_reply(const char *out, const char *err, int exit_status, struct action_result *r)
{
	char req[32] = "", reply[SNAP_MSG_LEN / 2] = "", last[SNAP_MSG_LEN] = "";
	const char *p = out, *ts;
	char *dst[3] = { req, reply, last };
	size_t sz[3] = { sizeof(req), sizeof(reply), sizeof(last) };
	int i;
	for (i = 0; i < 3 && p && *p; i++) {
		size_t l = strcspn(p, "\n");
		str_copy(dst[i], p, l + 1 < sz[i] ? l + 1 : sz[i]);
		p += l;
		if (*p == '\n')
			p++;
	}
	if (strlen(req) != 19 || req[10] != 'T') {
		/* Not our date line (sh or the node answered otherwise). */
		reply_generic(ACT_SYNC, out, err, exit_status, r);
		return;
	}
	if (!str_eq(reply, "OK")) {
		/* configctl itself failed: judged as any other action. */
		reply_generic(ACT_SYNC, reply[0] ? strstr(out, reply) : "", err, exit_status, r);
		return;
	}
	/* "<13>1 2026-12-02T16:42:44+00:00 host config ..." : the stamp is
	 * the node's local time, as `date` printed the request's. */
	ts = strchr(last, ' ');
	if (strlen(req) == 19 && ts && strlen(ts + 1) >= 19 && strstr(last, SSH_SYNC_OK_TEXT) &&
	    strncmp(ts + 1, req, 19) >= 0) {
		r->err = NERR_NONE;
		str_printf(r->message, sizeof(r->message), "sync confirmed by the system log (%.19s)", ts + 1);
		return;
	}
	r->err = NERR_COMMAND;
	str_printf(r->message, sizeof(r->message),
		   "configctl filter sync printed OK, but the system log has no \"%s\" line since %s: the sync failed "
		   "(missing sync IP, authentication or XMLRPC error; rc.filter_synchronize only logs)",
		   SSH_SYNC_OK_TEXT, req[0] ? req : "the request");
	text_sanitize_inplace(r->message);
}

void ssh_action_reply(enum action_kind k, const char *out, const char *err, int exit_status, struct action_result *r)
{
	memset(r, 0, sizeof(*r));
	if (k == ACT_SYNC && out) {
		sync_reply(out, err, exit_status, r);
		return;
	}
	reply_generic(k, out, err, exit_status, r);
}

static void reply_generic(enum action_kind k, const char *out, const char *err, int exit_status,
			  struct action_result *r)
{
	const char *words = ssh_action_words(k);
	char line[SNAP_MSG_LEN / 2], eline[SNAP_MSG_LEN / 2];

	memset(r, 0, sizeof(*r));
	if (k == ACT_FIRMWARE_UPDATE && out) {
		/* Past the date and boot time lines; any failing configctl
		 * (flush or update) is the answer. */
		int skip;
		const char *bad;
		for (skip = 0; skip < 2 && strchr(out, '\n'); skip++)
			out = strchr(out, '\n') + 1;
		if ((bad = strstr(out, "Action not allowed or missing")) || (bad = strstr(out, "Execute error")))
			out = bad;
	}
	first_line(line, sizeof(line), out ? out : "");
	first_line(eline, sizeof(eline), err ? err : "");
	if (exit_status == 127 || (!line[0] && strstr(eline, "not found"))) {
		r->err = NERR_COMMAND;
		str_printf(r->message, sizeof(r->message), "configctl is missing on the node (%s): not OPNsense?",
			   line[0] ? line : eline[0] ? eline : "exit 127");
		return;
	}
	if (strstr(line, "Action not allowed or missing")) {
		r->err = NERR_COMMAND;
		str_printf(r->message, sizeof(r->message),
			   "configctl %s: Action not allowed or missing (not available on this OPNsense release?)",
			   words ? words : "");
		return;
	}
	if (strstr(line, "Execute error")) {
		r->err = NERR_COMMAND;
		str_printf(r->message, sizeof(r->message), "configctl %s: Execute error (see the node's configd log)",
			   words ? words : "");
		return;
	}
	if (k == ACT_MAINTENANCE_TOGGLE || k == ACT_CARP_DISABLE || k == ACT_CARP_ENABLE) {
		/* The same one-line JSON as the API's carp_status. */
		json_object *o = json_tokener_parse(line), *v;
		if (o && json_object_get_type(o) == json_type_object &&
		    json_object_object_get_ex(o, "status", &v) && json_object_get_type(v) == json_type_string) {
			if (strcmp(json_object_get_string(v), "ok") == 0) {
				json_object *act;
				r->err = NERR_NONE;
				str_copy(r->message,
					 json_object_object_get_ex(o, "action", &act) &&
							 json_object_get_type(act) == json_type_string
						 ? json_object_get_string(act)
						 : "ok",
					 sizeof(r->message));
			} else {
				r->err = NERR_COMMAND;
				str_printf(r->message, sizeof(r->message), "the node answered %s", line);
			}
			json_object_put(o);
			text_sanitize_inplace(r->message);
			return;
		}
		json_object_put(o);
		r->err = exit_status == 0 ? NERR_PROTOCOL : NERR_COMMAND;
		str_printf(r->message, sizeof(r->message), "configctl %s: unexpected reply (exit %d): %s",
			   words ? words : "", exit_status, line[0] ? line : eline[0] ? eline : "nothing");
		text_sanitize_inplace(r->message);
		return;
	}
	if (exit_status != 0) {
		r->err = NERR_COMMAND;
		str_printf(r->message, sizeof(r->message), "configctl %s failed (exit %d): %s", words ? words : "",
			   exit_status, line[0] ? line : eline[0] ? eline : "no output");
	} else {
		r->err = NERR_NONE;
		str_copy(r->message, line[0] ? line : "done", sizeof(r->message));
	}
	text_sanitize_inplace(r->message);
}
