/* Node detail: everything in the selected node's latest snapshot, partial
 * errors included, as label/value lines the operator scrolls through. */
#include "ui_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct line {
	char label[32];
	char value[600];
	enum theme_part part;
	bool heading;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static void add(struct lines *l, enum theme_part part, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct lines *l, enum theme_part part, const char *label, const char *fmt, ...)
{
	struct line *ln;
	va_list ap;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	ln = &l->v[l->n++];
	memset(ln, 0, sizeof(*ln));
	str_copy(ln->label, label ? label : "", sizeof(ln->label));
	va_start(ap, fmt);
	vsnprintf(ln->value, sizeof(ln->value), fmt, ap);
	va_end(ap);
	ln->part = part;
}

static void heading(struct lines *l, const char *text)
{
	add(l, TP_LABEL, "", "%s", "");
	add(l, TP_LABEL, text, "%s", "");
	l->v[l->n - 1].heading = true;
}

static void build(struct ui *u, size_t ci, int n, struct lines *l)
{
	const struct app_cluster *ac = &u->a->clusters[ci];
	const struct node_conf *nc = &ac->conf->nodes[n];
	const struct app_node *an = &ac->node[n];
	const struct snapshot *s = &an->snap;
	char age[24], clock[16], route[640];
	size_t i;
	int k;

	add(l, TP_TEXT, "node", "%s (%s, cluster %s)", nc->name, node_role_name(nc->role), ac->conf->name);
	add(l, TP_TEXT, "transport", "%s", transport_name(nc->transport));
	if (nc->transport == TRANSPORT_API && nc->api.url)
		add(l, TP_TEXT, "url", "%s", nc->api.url);
	if (nc->transport == TRANSPORT_SSH && app_node_route(an, route, sizeof(route)))
		add(l, TP_TEXT, "ssh", "%s", route); /* after ~/.ssh/config */
	else if (nc->transport == TRANSPORT_SSH && nc->ssh.host)
		add(l, TP_TEXT, "ssh", "%s@%s:%d", nc->ssh.user ? nc->ssh.user : "root", nc->ssh.host, nc->ssh.port);
	add(l, TP_TEXT, "polls", "%u completed", an->polls);
	if (s->taken > 0) {
		fmt_clock(clock, sizeof(clock), s->taken);
		fmt_duration(age, sizeof(age), ui_now(u) - s->taken);
		add(l, ui_node(u, ci, n)->stale ? TP_STALE : TP_TEXT, "taken", "%s (%s ago)%s, took %.0f ms", clock, age,
		    ui_node(u, ci, n)->stale ? " STALE" : "", s->duration_ms);
	}
	if (!s->reachable) {
		add(l, TP_UNKNOWN, "reachable", "NO: UNKNOWN (%s)", node_error_label(s->err));
		add(l, TP_UNKNOWN, "error", "%s", an->have_snapshot && s->error[0] ? s->error : "no answer yet");
		if (keys_ssh_hint(u, ci, n))
			add(l, TP_WARNING, "to do", "%s", keys_ssh_hint(u, ci, n));
		if (an->last_ok > 0) {
			fmt_clock(clock, sizeof(clock), an->last_ok);
			fmt_duration(age, sizeof(age), ui_now(u) - an->last_ok);
			add(l, TP_LABEL, "last answer", "%s (%s ago); nothing older is shown as current", clock, age);
		}
		return;
	}
	add(l, TP_OK, "reachable", "yes");
	add(l, TP_TEXT, "hostname", "%s", s->hostname[0] ? s->hostname : "?");
	add(l, TP_TEXT, "version", "%s", s->version[0] ? s->version : "?");

	heading(l, "CARP");
	if (s->carp.known) {
		add(l, s->carp.allow ? TP_OK : TP_WARNING, "allow", "%d (net.inet.carp.allow)", s->carp.allow);
		add(l, s->carp.demotion ? TP_WARNING : TP_TEXT, "demotion", "%ld (net.inet.carp.demotion)", s->carp.demotion);
		add(l, s->carp.maintenance ? TP_WARNING : TP_TEXT, "maintenance", "%s", s->carp.maintenance ? "ON" : "OFF");
		add(l, TP_TEXT, "preempt", "%s", s->carp.preempt < 0 ? "not known" : s->carp.preempt ? "on" : "off");
		if (s->carp.status_msg[0])
			add(l, TP_TEXT, "status", "%s", s->carp.status_msg);
	} else {
		add(l, TP_UNKNOWN, "state", "not known");
	}

	heading(l, "VIRTUAL IPS");
	if (!s->n_vips)
		add(l, TP_LABEL, "", "none");
	for (i = 0; i < s->n_vips; i++) {
		const struct vip_row *r = &s->vips[i];
		char addr[SNAP_ADDR_LEN + 8], base[16], skew[16];
		if (r->prefix >= 0)
			str_printf(addr, sizeof(addr), "%s/%d", r->address, r->prefix);
		else
			str_copy(addr, r->address, sizeof(addr));
		if (r->advbase >= 0)
			str_printf(base, sizeof(base), "%d", r->advbase);
		else
			str_copy(base, "?", sizeof(base));
		if (r->advskew >= 0)
			str_printf(skew, sizeof(skew), "%d", r->advskew);
		else
			str_copy(skew, "?", sizeof(skew));
		add(l, status_part(r->status), "", "VHID %-3d %-8s %-6s %-26s %-8s advbase %s advskew %s %s", r->vhid,
		    r->ifname[0] ? r->ifname : "?", r->ifdev[0] ? r->ifdev : "-", addr, carp_status_name(r->status),
		    base, skew, vip_mode_name(r->mode));
	}

	heading(l, "PF STATES AND PFSYNC");
	if (s->states.current >= 0)
		add(l, TP_TEXT, "states", "%lld of %lld", s->states.current, s->states.limit);
	else
		add(l, TP_UNKNOWN, "states", "not known");
	if (s->pfsync.known) {
		struct strbuf sb;
		add(l, TP_TEXT, "syncdev", "%s", s->pfsync.syncdev[0] ? s->pfsync.syncdev : "none");
		add(l, TP_TEXT, "syncpeer", "%s", s->pfsync.syncpeer[0] ? s->pfsync.syncpeer : "(multicast)");
		add(l, TP_TEXT, "hostid", "%s", s->pfsync.hostid[0] ? s->pfsync.hostid : "?");
		sb_init(&sb);
		for (k = 0; k < s->pfsync.n_creators; k++)
			sb_printf(&sb, "%s%s", k ? " " : "", s->pfsync.creators[k]);
		add(l, TP_TEXT, "creators", "%s", sb.buf ? sb.buf : "none");
		sb_free(&sb);
	} else {
		add(l, TP_UNKNOWN, "pfsync", "not known");
	}

	heading(l, "HA SYNC");
	if (s->hasync.known) {
		add(l, TP_TEXT, "sync target", "%s", s->hasync.sync_target[0] ? s->hasync.sync_target : "(none)");
		add(l, TP_TEXT, "sync items", "%s", s->hasync.sync_items[0] ? s->hasync.sync_items : "(none)");
		if (s->hasync.peer_reachable_known)
			add(l, s->hasync.peer_reachable ? TP_OK : TP_WARNING, "peer", "%s%s%s%s",
			    s->hasync.peer_reachable ? "answers" : "does not answer",
			    s->hasync.peer_version[0] ? ", version " : "", s->hasync.peer_version,
			    s->hasync.peer_error[0] ? s->hasync.peer_error : "");
	} else {
		add(l, TP_UNKNOWN, "hasync", "not known");
	}

	heading(l, "FIRMWARE");
	add(l, TP_TEXT, "version", "%s", s->firmware.version[0] ? s->firmware.version : "?");
	add(l, s->firmware.state == FW_ERROR ? TP_CRITICAL : TP_TEXT, "state", "%s", fw_state_name(s->firmware.state));

	heading(l, "PARTIAL ERRORS");
	if (!s->n_partial)
		add(l, TP_OK, "", "none: every part of the poll answered");
	for (k = 0; k < s->n_partial; k++)
		add(l, TP_WARNING, s->partial[k].what, "%s: %s", node_error_label(s->partial[k].err), s->partial[k].msg);
}

static void node_draw(struct ui *u, int top, int bottom)
{
	struct lines l = { 0 };
	size_t ci = u->cur, i;
	int n, y, rows, max_scroll;

	if (!u->a->n_clusters)
		return;
	n = u->cl[ci].sel_node;
	build(u, ci, n, &l);
	rows = bottom - top;
	u->page_rows = rows;
	max_scroll = (int)l.n - rows > 0 ? (int)l.n - rows : 0;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	for (i = (size_t)u->scroll, y = top; i < l.n && y < bottom; i++, y++) {
		const struct line *ln = &l.v[i];
		if (ln->heading) {
			draw_text(u, y, 1, -1, ui_attr(u, TP_LABEL) | A_BOLD, ln->label);
			continue;
		}
		if (i == 0) {
			/* The node's name in its accent colour. */
			draw_text(u, y, 2, 14, ui_attr(u, TP_LABEL), ln->label);
			draw_text(u, y, 17, -1, node_attr(u, ci, n), ln->value);
			continue;
		}
		if (!ln->label[0]) {
			/* Table lines (the VIPs) use the whole width. */
			draw_text(u, y, 4, -1, ui_attr(u, ln->part), ln->value);
			continue;
		}
		draw_text(u, y, 2, 14, ui_attr(u, TP_LABEL), ln->label);
		draw_text(u, y, 17, -1, ui_attr(u, ln->part), ln->value);
	}
	if (max_scroll > 0)
		draw_textf(u, top, u->cols - 16, 16, ui_attr(u, TP_LABEL), "[%d/%zu lines]", u->scroll + rows < (int)l.n ? u->scroll + rows : (int)l.n, l.n);
	free(l.v);
}

const struct screen_class node_screen = {
	.title = "Node detail",
	.keys = KS_NODE,
	.parent = SCR_PAIR,
	.draw = node_draw,
	.move_by = ui_scroll_by,
};
