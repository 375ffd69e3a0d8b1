/* Reading /conf/config.xml for what ifconfig cannot say: whether a VHID
 * address is a CARP VIP or an IP alias, the OPNsense name of an interface,
 * configured VHIDs that are not up (DISABLED rows), and the HA sync settings.
 * config.xml also holds password hashes, the CARP and XMLRPC passwords and
 * private keys: only the elements named here are ever copied out. */
#include "ssh/ssh_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CX_MAX_ITEMS 4096 /* interfaces or VIPs: a real node has dozens */

void cx_free(struct cx_config *c)
{
	free(c->ifaces);
	free(c->vips);
	memset(c, 0, sizeof(*c));
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The trimmed text of an element, copied bounded into dst. */
static void elem_text(const xmlNode *n, char *dst, size_t size)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *p = v ? (const char *)v : "";
	size_t len;
	while (isspace((unsigned char)*p))
		p++;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	if (len + 1 > size)
		len = size - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
	xmlFree(v);
}

/* The text of the first child element called `name`, or "" (dst). */
static bool child_text(const xmlNode *parent, const char *name, char *dst, size_t size)
{
	const xmlNode *n;
	dst[0] = '\0';
	for (n = parent->children; n; n = n->next) {
		if (is_elem(n, name)) {
			elem_text(n, dst, size);
			return true;
		}
	}
	return false;
}

static int child_int(const xmlNode *parent, const char *name)
{
	char buf[32];
	long v;
	if (!child_text(parent, name, buf, sizeof(buf)) || !str_to_long(buf, &v) || v < 0 || v > 65535)
		return -1;
	return (int)v;
}

static void read_system(const xmlNode *sys, struct cx_config *c)
{
	char host[SNAP_NAME_LEN], domain[SNAP_NAME_LEN];
	child_text(sys, "hostname", host, sizeof(host));
	child_text(sys, "domain", domain, sizeof(domain));
	if (host[0] && domain[0])
		str_printf(c->hostname, sizeof(c->hostname), "%s.%s", host, domain);
	else
		str_copy(c->hostname, host, sizeof(c->hostname));
}

static void read_interfaces(const xmlNode *ifs, struct cx_config *c)
{
	const xmlNode *n;
	for (n = ifs->children; n && c->n_ifaces < CX_MAX_ITEMS; n = n->next) {
		struct cx_iface *f;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		c->ifaces = xrealloc(c->ifaces, (c->n_ifaces + 1) * sizeof(*c->ifaces));
		f = &c->ifaces[c->n_ifaces++];
		memset(f, 0, sizeof(*f));
		str_copy(f->key, (const char *)n->name, sizeof(f->key));
		child_text(n, "if", f->dev, sizeof(f->dev));
		child_text(n, "descr", f->descr, sizeof(f->descr));
	}
}

static void read_vips(const xmlNode *vips, struct cx_config *c)
{
	const xmlNode *n;
	for (n = vips->children; n && c->n_vips < CX_MAX_ITEMS; n = n->next) {
		struct cx_vip *v;
		char mode[16];
		if (!is_elem(n, "vip"))
			continue;
		c->vips = xrealloc(c->vips, (c->n_vips + 1) * sizeof(*c->vips));
		v = &c->vips[c->n_vips++];
		memset(v, 0, sizeof(*v));
		child_text(n, "interface", v->iface, sizeof(v->iface));
		child_text(n, "mode", mode, sizeof(mode));
		v->mode = strcmp(mode, "carp") == 0 ? VIP_MODE_CARP : VIP_MODE_IPALIAS;
		v->mode_other = strcmp(mode, "carp") != 0 && strcmp(mode, "ipalias") != 0;
		child_text(n, "subnet", v->subnet, sizeof(v->subnet));
		v->bits = child_int(n, "subnet_bits");
		v->vhid = child_int(n, "vhid");
		v->advbase = child_int(n, "advbase");
		v->advskew = child_int(n, "advskew");
		/* <password> is deliberately not read. */
	}
}

static void items_add(struct cx_config *c, const char *id)
{
	size_t len = strlen(c->sync_items);
	str_printf(c->sync_items + len, sizeof(c->sync_items) - len, "%s%s", len ? "," : "", id);
}

/* Both formats (CONTRACT §5): <syncitems>a,b</syncitems> from 24.7 on, and
 * one <synchronize<ID>>on</...> flag per item before (the migration turns
 * every non-empty synchronize<ID> into <ID>). Never <username>/<password>. */
static void read_hasync(const xmlNode *ha, struct cx_config *c)
{
	const xmlNode *n;
	char items[512], enabled[16];
	c->hasync_present = true;
	child_text(ha, "synchronizetoip", c->sync_target, sizeof(c->sync_target));
	child_text(ha, "pfsyncinterface", c->pfsync_iface, sizeof(c->pfsync_iface));
	child_text(ha, "pfsyncpeerip", c->pfsync_peer, sizeof(c->pfsync_peer));
	/* Legacy: pfsync is off unless <pfsyncenabled> is set. */
	if (child_text(ha, "pfsyncenabled", enabled, sizeof(enabled)) && !enabled[0])
		c->pfsync_iface[0] = '\0';
	if (child_text(ha, "syncitems", items, sizeof(items))) {
		char *save = NULL, *tok;
		for (tok = strtok_r(items, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			items_add(c, tok);
		return;
	}
	for (n = ha->children; n; n = n->next) {
		const char *name = (const char *)n->name;
		char val[16];
		if (n->type != XML_ELEMENT_NODE || strncmp(name, "synchronize", 11) != 0 || !name[11] ||
		    strcmp(name, "synchronizetoip") == 0)
			continue;
		elem_text(n, val, sizeof(val));
		if (val[0])
			items_add(c, name + 11);
	}
}

int cx_parse(const char *xml, size_t len, struct cx_config *out, char **cause)
{
	struct cx_config c;
	xmlDoc *doc;
	xmlNode *root, *n;

	if (len > (size_t)0x7fffffff) {
		*cause = xstrdup("config.xml is too large");
		return -1;
	}
	/* No network, no DTD loading, no entity substitution, no error
	 * printing: the text comes from the node. */
	doc = xmlReadMemory(xml, (int)len, "config.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		*cause = xasprintf("config.xml is not well-formed XML (line %d)", e ? e->line : 0);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || (strcmp((const char *)root->name, "opnsense") != 0 &&
		      strcmp((const char *)root->name, "pfsense") != 0)) {
		*cause = xasprintf("config.xml has root <%s>, not <opnsense>", root ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	for (n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(n, "system"))
			read_system(n, &c);
		else if (is_elem(n, "interfaces"))
			read_interfaces(n, &c);
		else if (is_elem(n, "virtualip"))
			read_vips(n, &c);
		else if (is_elem(n, "virtualip_carp_maintenancemode"))
			c.maintenance = true;
		else if (is_elem(n, "hasync"))
			read_hasync(n, &c);
	}
	xmlFreeDoc(doc);
	c.valid = true;
	str_copy(c.marker, out->marker, sizeof(c.marker));
	cx_free(out);
	*out = c;
	return 0;
}

/* ---- applying it to a snapshot ----------------------------------------- */

static const struct cx_iface *iface_by_dev(const struct cx_config *c, const char *dev)
{
	size_t i;
	if (!dev[0])
		return NULL;
	for (i = 0; i < c->n_ifaces; i++)
		if (strcmp(c->ifaces[i].dev, dev) == 0)
			return &c->ifaces[i];
	return NULL;
}

static const struct cx_iface *iface_by_key(const struct cx_config *c, const char *key)
{
	size_t i;
	for (i = 0; i < c->n_ifaces; i++)
		if (strcmp(c->ifaces[i].key, key) == 0)
			return &c->ifaces[i];
	return NULL;
}

/* The name the API shows: <descr>, else the upper-cased key. */
static void iface_name(const struct cx_iface *f, const char *key, char *dst, size_t n)
{
	size_t i;
	if (f && f->descr[0]) {
		str_copy(dst, f->descr, n);
		return;
	}
	str_copy(dst, f ? f->key : key, n);
	for (i = 0; dst[i]; i++)
		dst[i] = (char)toupper((unsigned char)dst[i]);
}

/* Compared as addresses (inet_pton bytes), as the API does. */
static bool same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	return strcmp(a, b) == 0;
}

void cx_apply(const struct cx_config *c, struct snapshot *s, bool fill_maintenance)
{
	size_t i, k, n_rows = s->n_vips;

	for (i = 0; i < n_rows; i++) {
		struct vip_row *r = &s->vips[i];
		const struct cx_iface *f = iface_by_dev(c, r->ifdev);
		if (f)
			iface_name(f, f->key, r->ifname, sizeof(r->ifname));
		else
			r->ifname[0] = '\0'; /* the API's null: device not assigned */
		r->mode = VIP_MODE_IPALIAS;
		for (k = 0; k < c->n_vips; k++) {
			const struct cx_vip *v = &c->vips[k];
			if (v->vhid == r->vhid && !v->mode_other && same_addr(v->subnet, r->address)) {
				r->mode = v->mode;
				break;
			}
		}
	}
	/* Configured VIPs whose VHID is not up at all (CARP disabled, or not
	 * applied yet): rows from the config with status DISABLED. */
	for (k = 0; k < c->n_vips; k++) {
		const struct cx_vip *v = &c->vips[k];
		const struct cx_iface *f;
		struct vip_row *r;
		bool seen = false;
		if (v->vhid <= 0 || v->mode_other)
			continue;
		for (i = 0; i < n_rows && !seen; i++)
			seen = s->vips[i].vhid == v->vhid;
		if (seen)
			continue;
		f = iface_by_key(c, v->iface);
		r = snapshot_add_vip(s);
		iface_name(f, v->iface, r->ifname, sizeof(r->ifname));
		if (f)
			str_copy(r->ifdev, f->dev, sizeof(r->ifdev));
		r->vhid = v->vhid;
		str_copy(r->address, v->subnet, sizeof(r->address));
		r->prefix = v->bits;
		r->mode = v->mode;
		r->advbase = v->advbase;
		r->advskew = v->advskew;
		r->status = CARP_ST_DISABLED;
	}
	if (c->hostname[0])
		str_copy(s->hostname, c->hostname, sizeof(s->hostname));
	s->hasync.known = true;
	str_copy(s->hasync.sync_target, c->sync_target, sizeof(s->hasync.sync_target));
	str_copy(s->hasync.sync_items, c->sync_items, sizeof(s->hasync.sync_items));
	if (fill_maintenance)
		s->carp.maintenance = c->maintenance;
}
