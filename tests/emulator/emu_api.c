#include "emu_api.h"

#include <json-c/json.h>
#include <string.h>

#include "sim/sim_render.h"

/* json-c escapes '/' as '\/' by default, exactly like PHP's json_encode. */
static void reply_json(struct emu_resp *rs, int status, struct json_object *o)
{
	rs->status = status;
	rs->content_type = "application/json; charset=UTF-8";
	sb_add(&rs->body, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void reply_raw(struct emu_resp *rs, int status, const char *json)
{
	rs->status = status;
	rs->content_type = "application/json; charset=UTF-8";
	sb_add(&rs->body, json);
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static struct json_object *jint_str(long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%ld", v);
	return json_object_new_string(buf);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static bool is_post(const struct emu_req *rq)
{
	return strcmp(rq->method, "POST") == 0;
}

static struct sim_node *node(const struct emu_req *rq)
{
	return sim_node_get(rq->w, rq->pair, rq->node);
}

/* ---- diagnostics/interface ------------------------------------------ */

static bool mode_wanted(struct json_object *modes, enum vip_mode m)
{
	size_t i;
	if (!modes || !json_object_is_type(modes, json_type_array))
		return true;
	for (i = 0; i < json_object_array_length(modes); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(modes, i)), vip_mode_name(m)) == 0)
			return true;
	return false;
}

static struct json_object *grid(struct json_object *rows)
{
	struct json_object *o = json_object_new_object();
	int n = (int)json_object_array_length(rows);
	add(o, "total", json_object_new_int(n));
	add(o, "rowCount", json_object_new_int(n));
	add(o, "current", json_object_new_int(1));
	add(o, "rows", rows);
	return o;
}

static void get_vip_status(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *rows = json_object_new_array(), *o, *carp, *modes = NULL, *req = NULL;
	bool in_ifconfig[SIM_MAX_VHID] = { false };
	char vt[64];
	int i, pass;

	if (is_post(rq) && rq->body_len) {
		req = json_tokener_parse(rq->body);
		if (req)
			json_object_object_get_ex(req, "mode", &modes);
	}
	/* Rows built from ifconfig: IPv4 then IPv6 per device (CONTRACT §1). */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n->n_vips; i++) {
			const struct sim_vip *v = &n->vips[i];
			const struct sim_if *itf = sim_node_if(n, v->iface);
			const struct sim_vip *c = NULL;
			int k;
			if (!v->vhid || !v->applied || !n->allow || (pass == 0) != (strchr(v->addr, ':') == NULL))
				continue;
			for (k = 0; k < n->n_vips; k++)
				if (n->vips[k].vhid == v->vhid && n->vips[k].mode == VIP_MODE_CARP && n->vips[k].applied)
					c = &n->vips[k];
			in_ifconfig[v->vhid] = true;
			if (!mode_wanted(modes, v->mode))
				continue;
			o = json_object_new_object();
			add(o, "interface", itf ? jstr(itf->descr) : NULL);
			add(o, "vhid", jint_str(v->vhid));
			add(o, "advbase", jint_str(c ? c->advbase : v->advbase));
			add(o, "advskew", jint_str(c ? c->advskew : v->advskew));
			add(o, "subnet", jstr(v->addr));
			{
				enum carp_status s = n->st[v->vhid];
				const char *name = s == CARP_ST_UNKNOWN ? "INIT" : carp_status_name(s);
				add(o, "status", jstr(name));
				add(o, "mode", jstr(vip_mode_name(v->mode)));
				add(o, "status_txt", jstr(name));
			}
			if (v->mode == VIP_MODE_CARP)
				snprintf(vt, sizeof(vt), "%d (freq. %d/%d)", v->vhid, v->advbase, v->advskew);
			else
				snprintf(vt, sizeof(vt), "%d", v->vhid);
			add(o, "vhid_txt", jstr(vt));
			json_object_array_add(rows, o);
		}
	}
	/* Configured VIPs whose VHID is absent from ifconfig: DISABLED rows,
	 * with their own key order. */
	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		const struct sim_if *itf = sim_node_if(n, v->iface);
		if (!v->vhid || in_ifconfig[v->vhid] || v->pending_delete || !mode_wanted(modes, v->mode))
			continue;
		o = json_object_new_object();
		add(o, "vhid", jint_str(v->vhid));
		add(o, "advbase", jint_str(v->advbase));
		add(o, "advskew", jint_str(v->advskew));
		add(o, "subnet", jstr(v->addr));
		add(o, "mode", jstr(vip_mode_name(v->mode)));
		add(o, "interface", itf ? jstr(itf->descr) : NULL);
		add(o, "status", jstr("DISABLED"));
		add(o, "status_txt", jstr("DISABLED"));
		snprintf(vt, sizeof(vt), v->mode == VIP_MODE_CARP ? "%d (freq. %d/%d)" : "%d", v->vhid, v->advbase,
			 v->advskew);
		add(o, "vhid_txt", jstr(vt));
		json_object_array_add(rows, o);
	}
	o = grid(rows);
	carp = json_object_new_object();
	add(carp, "demotion", jint_str(n->demotion));
	add(carp, "allow", jint_str(n->allow));
	add(carp, "maintenancemode", json_object_new_boolean(n->maintenance));
	{
		bool any = false;
		for (i = 0; i < n->n_vips; i++)
			any |= n->vips[i].mode == VIP_MODE_CARP;
		add(carp, "status_msg",
		    jstr(!any ? "Could not locate any defined CARP interfaces."
			 : (!n->maintenance && n->demotion != 0)
			     ? "CARP has detected a problem and this unit has been demoted to BACKUP status.<br />"
			       "Check link status on all interfaces with configured CARP VIPs."
			     : ""));
	}
	add(o, "carp", carp);
	if (req)
		json_object_put(req);
	reply_json(rs, 200, o);
}

static void get_pfsync_nodes(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct snapshot s;
	struct json_object *rows = json_object_new_array();
	int k;
	snapshot_init(&s);
	sim_node_snapshot(rq->w, rq->pair, rq->node, &s);
	for (k = 0; k < s.pfsync.n_creators; k++) {
		struct json_object *o = json_object_new_object();
		add(o, "creatorid", jstr(s.pfsync.creators[k]));
		add(o, "this", json_object_new_int(strcmp(s.pfsync.creators[k], s.pfsync.hostid) == 0));
		json_object_array_add(rows, o);
	}
	snapshot_clear(&s);
	reply_json(rs, 200, grid(rows));
}

static void carp_status(const struct emu_req *rq, struct emu_resp *rs, const char *action)
{
	char reply[256];
	int rc;
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"message\":\"error\"}");
		return;
	}
	if (strcmp(action, "maintenance") == 0)
		rc = sim_maintenance_toggle(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	else if (strcmp(action, "disable") == 0)
		rc = sim_carp_disable(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	else if (strcmp(action, "enable") == 0)
		rc = sim_carp_enable(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	else {
		reply_raw(rs, 200, "{\"status\":\"failed\"}");
		return;
	}
	rs->mutating = true;
	reply_raw(rs, 200, rc == 0 ? reply : "{\"message\":\"error\"}");
}

/* ---- diagnostics/firewall ------------------------------------------- */

static void pf_states(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct json_object *o = json_object_new_object();
	add(o, "current", jint_str((long)sim_node_states(rq->w, rq->pair, rq->node)));
	add(o, "limit", jint_str((long)node(rq)->state_limit));
	reply_json(rs, 200, o);
}

/* ---- interfaces/vip_settings ---------------------------------------- */

static struct json_object *vip_row(const struct sim_node *n, const struct sim_vip *v)
{
	struct json_object *o = json_object_new_object();
	const struct sim_if *itf = sim_node_if(n, v->iface);
	char buf[80];
	add(o, "uuid", jstr(v->uuid));
	add(o, "interface", jstr(v->iface));
	add(o, "mode", jstr(vip_mode_name(v->mode)));
	add(o, "subnet", jstr(v->addr));
	add(o, "subnet_bits", jint_str(v->prefix));
	add(o, "gateway", jstr(""));
	add(o, "noexpand", jstr("0"));
	add(o, "nobind", jstr("0"));
	add(o, "password", jstr(v->mode == VIP_MODE_CARP ? "opnsense" : "")); /* clear text, as OPNsense does */
	add(o, "vhid", v->vhid ? jint_str(v->vhid) : jstr(""));
	add(o, "advbase", jint_str(v->advbase));
	add(o, "advskew", jint_str(v->advskew));
	add(o, "peer", jstr(""));
	add(o, "peer6", jstr(""));
	add(o, "nosync", jstr("0"));
	snprintf(buf, sizeof(buf), "%s/%d", v->addr, v->prefix);
	add(o, "address", jstr(buf));
	snprintf(buf, sizeof(buf), "%d", v->vhid);
	add(o, "vhid_txt", jstr(buf));
	add(o, "descr", jstr(v->descr));
	add(o, "%interface", jstr(itf ? itf->descr : v->iface));
	add(o, "%mode", jstr(v->mode == VIP_MODE_CARP ? "CARP" : "IP Alias"));
	return o;
}

static void vip_search(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *rows = json_object_new_array();
	int i;
	for (i = 0; i < n->n_vips; i++)
		if (!n->vips[i].pending_delete)
			json_object_array_add(rows, vip_row(n, &n->vips[i]));
	reply_json(rs, 200, grid(rows));
}

static const char *obj_str(struct json_object *o, const char *k)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, k, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static void vip_add(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct json_object *req, *vip = NULL;
	const char *network, *mode, *vhid_s, *iface, *descr;
	char addr[64] = "", reply[512];
	int prefix = -1, vhid = 0, rc;

	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"result\":\"failed\"}");
		return;
	}
	req = json_tokener_parse(rq->body ? rq->body : "");
	if (req)
		json_object_object_get_ex(req, "vip", &vip);
	network = obj_str(vip, "network");
	if (network) {
		const char *slash = strchr(network, '/');
		str_copy(addr, network, slash && (size_t)(slash - network) < sizeof(addr) ? (size_t)(slash - network) + 1 : sizeof(addr));
		prefix = slash ? atoi(slash + 1) : -1;
	} else if (obj_str(vip, "subnet")) {
		str_copy(addr, obj_str(vip, "subnet"), sizeof(addr));
		prefix = obj_str(vip, "subnet_bits") ? atoi(obj_str(vip, "subnet_bits")) : -1;
	}
	mode = obj_str(vip, "mode");
	vhid_s = obj_str(vip, "vhid");
	iface = obj_str(vip, "interface");
	descr = obj_str(vip, "descr");
	if (vhid_s && *vhid_s)
		vhid = atoi(vhid_s);
	rs->mutating = true;
	rc = sim_vip_add(rq->w, rq->pair, rq->node, iface ? iface : "", str_eq(mode, "carp") ? VIP_MODE_CARP : VIP_MODE_IPALIAS,
			 addr, prefix, vhid, descr, reply, sizeof(reply));
	reply_raw(rs, 200, rc >= 0 ? reply : "{\"result\":\"failed\"}");
	if (req)
		json_object_put(req);
}

static void vip_del(const struct emu_req *rq, struct emu_resp *rs, const char *uuid)
{
	char reply[512];
	int rc;
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"result\":\"failed\"}");
		return;
	}
	rs->mutating = true;
	rc = sim_vip_delete(rq->w, rq->pair, rq->node, uuid, reply, sizeof(reply));
	/* In-use problems are a UserException: HTTP 500 with errorMessage. */
	reply_raw(rs, rc == 1 && strstr(reply, "errorMessage") ? 500 : 200, reply);
}

static void vip_reconfigure(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	char reply[128];
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"status\":\"failed\"}");
		return;
	}
	rs->mutating = true;
	sim_vip_apply(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	reply_raw(rs, 200, reply);
}

/* ---- core/hasync ------------------------------------------------------ */

static struct json_object *option(const char *value, bool selected)
{
	struct json_object *o = json_object_new_object();
	add(o, "value", jstr(value));
	add(o, "selected", json_object_new_int(selected));
	return o;
}

static const struct {
	const char *id, *descr;
} sync_items[] = {
	{ "aliases", "Aliases" }, { "dhcpd", "DHCPD" }, { "nat", "NAT" }, { "rules", "Firewall Rules" },
	{ "staticroutes", "Static Routes" }, { "virtualip", "Virtual IPs" }, { "users", "Users and Groups" },
	{ "certs", "Certificates and Authorities" },
};

static bool item_selected(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;
	while ((p = strstr(p, id))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static void hasync_get(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o, *h, *m;
	size_t i;
	if (is_post(rq)) {
		reply_raw(rs, 200, "[]");
		return;
	}
	h = json_object_new_object();
	add(h, "disablepreempt", jstr(n->preempt ? "0" : "1"));
	add(h, "disconnectppps", jstr("0"));
	add(h, "verifypeer", jstr("0"));
	m = json_object_new_object();
	add(m, "", option("Disabled", !n->syncdev[0]));
	add(m, "lan", option("LAN", false));
	add(m, "opt1", option("PFSYNC", n->syncdev[0] != 0));
	add(h, "pfsyncinterface", m);
	add(h, "pfsyncpeerip", jstr(n->syncpeer));
	m = json_object_new_object();
	add(m, "1301", option("OPNsense 24.1 or below", false));
	add(m, "1400", option("OPNsense 24.7 or above", true));
	add(h, "pfsyncversion", m);
	add(h, "pfsyncdefer", jstr("0"));
	add(h, "synchronizetoip", jstr(n->sync_target));
	add(h, "username", jstr(n->sync_target[0] ? "root" : ""));
	add(h, "password", jstr(n->sync_target[0] ? "opnsense" : ""));
	m = json_object_new_object();
	for (i = 0; i < ARRAY_LEN(sync_items); i++)
		add(m, sync_items[i].id, option(sync_items[i].descr, item_selected(n->sync_items, sync_items[i].id)));
	add(h, "syncitems", m);
	o = json_object_new_object();
	add(o, "hasync", h);
	reply_json(rs, 200, o);
}

static void hasync_version(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq), *peer = sim_node_get(rq->w, rq->pair, 1 - rq->node);
	struct json_object *o, *r, *x;
	if (!n->sync_target[0] || !peer->up) {
		reply_raw(rs, 200, !n->sync_target[0]
			  ? "{\"status\":\"error\",\"message\":\"no synchronization target configured\"}"
			  : "{\"status\":\"error\",\"message\":\"xmlrpc: connection refused\"}");
		return;
	}
	o = json_object_new_object();
	r = json_object_new_object();
	x = json_object_new_object();
	add(x, "version", jstr(peer->version));
	add(r, "base", x);
	x = json_object_new_object();
	add(x, "version", jstr(peer->version));
	add(x, "_my_version", jstr(n->version));
	add(r, "firmware", x);
	x = json_object_new_object();
	add(x, "version", jstr(peer->version));
	add(r, "kernel", x);
	add(o, "response", r);
	reply_json(rs, 200, o);
}

static void hasync_restart_all(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	char reply[256];
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"status\":\"failed\"}");
		return;
	}
	rs->mutating = true;
	sim_sync(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	reply_raw(rs, 200, reply);
}

/* ---- core/firmware, core/system, diagnostics/system ------------------ */

static struct json_object *product(const struct sim_node *n)
{
	struct json_object *p = json_object_new_object();
	add(p, "product_abi", jstr("26.7"));
	add(p, "product_arch", jstr("amd64"));
	add(p, "product_id", jstr("opnsense"));
	add(p, "product_name", jstr("OPNsense"));
	add(p, "product_nickname", jstr("Sim Salabim"));
	add(p, "product_series", jstr("26.7"));
	add(p, "product_version", jstr(n->version));
	add(p, "product_latest", jstr(n->latest));
	return p;
}

static void fw_info(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object();
	add(o, "product_id", jstr("opnsense"));
	add(o, "product_version", jstr(n->version));
	add(o, "package", json_object_new_array());
	add(o, "plugin", json_object_new_array());
	add(o, "changelog", json_object_new_array());
	add(o, "product", product(n));
	reply_json(rs, 200, o);
}

static void fw_status(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object();
	bool upd = strcmp(n->version, n->latest) != 0;
	add(o, "product", product(n));
	add(o, "product_version", jstr(n->version));
	add(o, "product_target", jstr(n->latest));
	add(o, "status", jstr(upd ? "update" : "none"));
	add(o, "status_msg", jstr(upd ? "There are 3 updates available, total download size is 12.3MiB."
				      : "There are no updates available on the selected mirror."));
	add(o, "status_reboot", jstr(upd ? "1" : "0"));
	reply_json(rs, 200, o);
}

static void fw_update(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	char reply[256];
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"status\":\"failure\"}");
		return;
	}
	rs->mutating = true;
	sim_firmware_update(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	reply_raw(rs, 200, reply);
}

static void fw_upgradestatus(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object();
	const char *st = "error";
	/* As FirmwareController::upgradestatusAction: only the log's markers,
	 * whoever's log it is (a check's ***DONE*** too); empty is "error". */
	if (n->fw_log[0])
		st = strstr(n->fw_log, "***DONE***")     ? "done"
		     : strstr(n->fw_log, "***REBOOT***") ? "reboot"
							 : "running";
	add(o, "status", jstr(st));
	add(o, "log", jstr(n->fw_log));
	reply_json(rs, 200, o);
}

static void fw_running(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	reply_raw(rs, 200, sim_firmware_busy(node(rq)) ? "{\"status\":\"busy\"}" : "{\"status\":\"ready\"}");
}

/* SystemController::systemTimeAction: dates as PHP's "D M j G:i:s T Y". */
static void php_date(double t, char *buf, size_t n)
{
	char d[64], *p;
	sim_node_date(t, d, sizeof(d));
	/* date(1) pads the day ("Dec  2"), PHP's j does not. */
	if ((p = strstr(d, "  ")))
		memmove(p, p + 1, strlen(p));
	str_copy(buf, d, n);
}

static void sys_time(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object();
	char buf[64];
	long up = (long)(rq->w->t - n->boot_t);
	snprintf(buf, sizeof(buf), "%ld days, %02ld:%02ld:%02ld", up / 86400, up % 86400 / 3600, up % 3600 / 60, up % 60);
	add(o, "uptime", jstr(buf));
	php_date(rq->w->t, buf, sizeof(buf));
	add(o, "datetime", jstr(buf));
	php_date(n->boot_t, buf, sizeof(buf));
	add(o, "boottime", jstr(buf));
	add(o, "config", jstr(buf));
	add(o, "loadavg", jstr("0.12, 0.10, 0.08"));
	reply_json(rs, 200, o);
}

static void sys_reboot(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	char reply[64];
	if (!is_post(rq)) {
		reply_raw(rs, 200, "{\"status\":\"failed\"}");
		return;
	}
	rs->mutating = true;
	sim_reboot(rq->w, rq->pair, rq->node, reply, sizeof(reply));
	reply_raw(rs, 200, reply);
}

static void sys_information(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object(), *v = json_object_new_array();
	char buf[64];
	add(o, "name", jstr(n->hostname));
	snprintf(buf, sizeof(buf), "OPNsense %s-amd64", n->version);
	json_object_array_add(v, jstr(buf));
	json_object_array_add(v, jstr("FreeBSD 14.3-RELEASE-p2"));
	json_object_array_add(v, jstr("OpenSSL 3.0.16"));
	add(o, "versions", v);
	add(o, "updates", jstr("Click to check for updates."));
	reply_json(rs, 200, o);
}

static void backup_download(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	rs->status = 200;
	rs->content_type = "application/octet-stream";
	sim_render_config_xml(rq->w, rq->pair, rq->node, &rs->body);
}

/* The configuration history, newest first (CONTRACT §6): one entry per
 * config save. The emulated node's saves are its serial, so the newest id
 * changes exactly when its config.xml does; a few older ones follow. */
static void backup_list(const struct emu_req *rq, struct emu_resp *rs, const char *param)
{
	struct sim_node *n = node(rq);
	struct json_object *o = json_object_new_object(), *items = json_object_new_array();
	unsigned k;
	for (k = 0; k < 5 && k <= n->serial; k++) {
		struct json_object *it = json_object_new_object();
		unsigned ts = 1790000000u + n->serial - k;
		char id[64], iso[32];
		snprintf(id, sizeof(id), "config-%u.%04u.xml", ts, 1000 + n->serial - k);
		snprintf(iso, sizeof(iso), "2026-09-21T%02u:%02u:%02u+00:00", (ts / 3600) % 24, (ts / 60) % 60, ts % 60);
		add(it, "time", jint_str((long)ts));
		add(it, "time_iso", jstr(iso));
		add(it, "description", jstr(k == 0 ? "emulated configuration change" : "earlier change"));
		add(it, "username", jstr("root@127.0.0.1"));
		add(it, "filesize", json_object_new_int(40000));
		add(it, "id", jstr(id));
		json_object_array_add(items, it);
	}
	add(o, "items", items);
	reply_json(rs, 200, o);
}

typedef void (*route_fn)(const struct emu_req *rq, struct emu_resp *rs, const char *param);

/* path, whether a "/param" follows, mutating (POST), handler */
static const struct route {
	const char *path;
	bool param;
	bool mutating;
	route_fn fn;
} routes[] = {
	{ "/api/diagnostics/interface/get_vip_status", false, false, get_vip_status },
	{ "/api/diagnostics/interface/get_pfsync_nodes", false, false, get_pfsync_nodes },
	{ "/api/diagnostics/interface/carp_status", true, true, carp_status },
	{ "/api/diagnostics/firewall/pf_states", false, false, pf_states },
	{ "/api/interfaces/vip_settings/search_item", false, false, vip_search },
	{ "/api/interfaces/vip_settings/add_item", false, true, vip_add },
	{ "/api/interfaces/vip_settings/del_item", true, true, vip_del },
	{ "/api/interfaces/vip_settings/reconfigure", false, true, vip_reconfigure },
	{ "/api/core/hasync/get", false, false, hasync_get },
	{ "/api/core/hasync_status/version", false, false, hasync_version },
	{ "/api/core/hasync_status/restart_all", false, true, hasync_restart_all },
	{ "/api/core/firmware/info", false, false, fw_info },
	{ "/api/core/firmware/status", false, false, fw_status },
	{ "/api/core/firmware/update", false, true, fw_update },
	{ "/api/core/firmware/upgradestatus", false, false, fw_upgradestatus },
	{ "/api/core/firmware/running", false, false, fw_running },
	{ "/api/core/system/reboot", false, true, sys_reboot },
	{ "/api/diagnostics/system/system_time", false, false, sys_time },
	{ "/api/diagnostics/system/system_information", false, false, sys_information },
	{ "/api/core/backup/download/this", false, false, backup_download },
	{ "/api/core/backup/backups/this", false, false, backup_list },
};

static const struct route *route_find(const char *path, const char **param)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(routes); i++) {
		size_t n = strlen(routes[i].path);
		if (strncmp(path, routes[i].path, n) != 0)
			continue;
		if (routes[i].param) {
			if (path[n] == '/' && path[n + 1]) {
				*param = path + n + 1;
				return &routes[i];
			}
		} else if (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0')) {
			*param = "";
			return &routes[i];
		}
	}
	return NULL;
}

bool emu_api_is_mutating(const char *method, const char *path)
{
	const char *param;
	const struct route *r = route_find(path, &param);
	return r && r->mutating && strcmp(method, "POST") == 0;
}

void emu_api_handle(const struct emu_req *rq, struct emu_resp *rs)
{
	const char *param = "";
	const struct route *r = route_find(rq->path, &param);
	sim_world_advance_pair(rq->w, rq->pair);
	if (!r) {
		/* DispatchException & co. (CONTRACT §0) */
		reply_raw(rs, 404, "{\"errorMessage\":\"Endpoint not found\"}");
		return;
	}
	r->fn(rq, rs, param);
}
