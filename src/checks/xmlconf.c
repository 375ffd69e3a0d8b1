/* config.xml into the shared model (src/checks/xmlconf.h), with libxml2. */
#include "xmlconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "util.h"

/* A config.xml with years of <revision> history stays far below this;
 * anything larger is not a config a person should wait for. */
#define XC_MAX_BYTES (64u * 1024u * 1024u)

/* ---- walking the document ---- */

static bool is_elem(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && (!name || strcmp((const char *)n->name, name) == 0);
}

xmlNode *xc_child(const xmlNode *n, const char *name)
{
	xmlNode *k;
	if (!n)
		return NULL;
	for (k = n->children; k; k = k->next)
		if (is_elem(k, name))
			return k;
	return NULL;
}

xmlNode *xc_next(const xmlNode *n, const char *name)
{
	xmlNode *k;
	if (!n)
		return NULL;
	for (k = n->next; k; k = k->next)
		if (is_elem(k, name))
			return k;
	return NULL;
}

xmlNode *xc_path(const xmlNode *n, const char *path)
{
	char part[128];
	const xmlNode *cur = n;
	while (cur && path && *path) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		cur = xc_child(cur, part);
		path = slash ? slash + 1 : NULL;
	}
	return (xmlNode *)cur;
}

char *xc_text_dup(const xmlNode *n)
{
	struct strbuf sb;
	const xmlNode *k;
	char *t, *start, *end;
	sb_init(&sb);
	for (k = n->children; k; k = k->next)
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content)
			sb_add(&sb, (const char *)k->content);
	t = sb_steal(&sb);
	for (start = t; *start == ' ' || *start == '\t' || *start == '\n' || *start == '\r'; start++)
		;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = '\0';
	memmove(t, start, (size_t)(end - start) + 1);
	return t;
}

bool xc_has_children(const xmlNode *n)
{
	return xc_child(n, NULL) != NULL;
}

const char *xc_node_text(const xmlNode *n, char *dst, size_t len)
{
	const xmlNode *k;
	size_t used = 0;
	char *start, *end;

	if (len == 0)
		return dst;
	dst[0] = '\0';
	if (!n || xc_has_children(n))
		return dst;
	for (k = n->children; k; k = k->next) {
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && k->content) {
			size_t l = strlen((const char *)k->content);
			if (used + l >= len)
				l = len - 1 - used;
			memcpy(dst + used, k->content, l);
			used += l;
			dst[used] = '\0';
		}
	}
	/* Whitespace around a value carries no meaning in config.xml
	 * (<aliases/> and <aliases>\n\t</aliases> are the same). */
	start = dst;
	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	if (start != dst)
		memmove(dst, start, (size_t)(end - start) + 1);
	return dst;
}

const char *xc_text(const xmlNode *n, const char *path, char *dst, size_t len)
{
	return xc_node_text(xc_path(n, path), dst, len);
}

bool xc_list_has(const char *list, const char *word)
{
	const char *p = list;
	size_t wl = strlen(word);
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		while (l && isspace((unsigned char)*p)) {
			p++;
			l--;
		}
		while (l && isspace((unsigned char)p[l - 1]))
			l--;
		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Hiding a harmless value is cheap; showing a secret is not. So the test
 * is broad: any name that looks like a password, secret, private key,
 * pre-shared key or hash. Public names that end in "key" are spared. */
bool xc_is_secret(const char *name)
{
	static const char *const parts[] = { "password", "passwd", "secret", "psk", "prv", "privkey",
					     "private", "hash", "otp_seed" };
	static const char *const exact[] = { "tls", "shared_key", "auth_pass", "pass" };
	static const char *const public_keys[] = { "pubkey", "publickey", "public_key", "keyname" };
	char low[128];
	size_t i;

	for (i = 0; name[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	for (i = 0; i < ARRAY_LEN(parts); i++)
		if (strstr(low, parts[i]))
			return true;
	for (i = 0; i < ARRAY_LEN(exact); i++)
		if (strcmp(low, exact[i]) == 0)
			return true;
	if (ends_with(low, "key")) {
		for (i = 0; i < ARRAY_LEN(public_keys); i++)
			if (ends_with(low, public_keys[i]))
				return false;
		return true;
	}
	return false;
}

/* ---- addresses ---- */

static int parse_ip(const char *addr, unsigned char out[16])
{
	char buf[XC_ADDR_LEN];
	char *pct;
	if (!addr || !*addr)
		return 0;
	str_copy(buf, addr, sizeof(buf));
	pct = strchr(buf, '%');
	if (pct)
		*pct = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, buf, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, out) == 1)
		return 6;
	return 0;
}

int xc_ip_family(const char *addr)
{
	unsigned char b[16];
	return parse_ip(addr, b);
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b, int bits, int max)
{
	int full, rest;
	if (bits < 0 || bits > max)
		return false;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		return (a[full] & m) == (b[full] & m);
	}
	return true;
}

bool xc_same_net(const char *a, const char *b, int bits)
{
	unsigned char x[16], y[16];
	int fa = parse_ip(a, x), fb = parse_ip(b, y);
	if (!fa || fa != fb)
		return false;
	return prefix_equal(x, y, bits, fa == 4 ? 32 : 128);
}

void xc_net_text(const char *addr, int bits, char *dst, size_t len)
{
	unsigned char x[16];
	char out[INET6_ADDRSTRLEN];
	int f = parse_ip(addr, x), max, i;
	dst[0] = '\0';
	max = f == 4 ? 32 : 128;
	if (!f || bits < 0 || bits > max)
		return;
	for (i = 0; i < max / 8; i++) {
		int keep = bits - i * 8;
		if (keep >= 8)
			continue;
		x[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
	if (inet_ntop(f == 4 ? AF_INET : AF_INET6, x, out, sizeof(out)))
		str_copy(dst, out, len);
}

bool xc_in_cidr(const char *addr, const char *cidr)
{
	char net[XC_ADDR_LEN];
	const char *slash = strchr(cidr, '/');
	long bits;
	if (!slash || (size_t)(slash - cidr) >= sizeof(net))
		return false;
	memcpy(net, cidr, (size_t)(slash - cidr));
	net[slash - cidr] = '\0';
	if (!str_to_long(slash + 1, &bits))
		return false;
	return xc_same_net(addr, net, (int)bits);
}

bool xc_is_link_local6(const char *addr)
{
	unsigned char x[16];
	return parse_ip(addr, x) == 6 && x[0] == 0xfe && (x[1] & 0xc0) == 0x80;
}

/* ---- the model ---- */

static int text_int(const xmlNode *n, const char *path, int dflt)
{
	char buf[32];
	long v;
	xc_text(n, path, buf, sizeof(buf));
	return buf[0] && str_to_long(buf, &v) && v >= INT_MIN && v <= INT_MAX ? (int)v : dflt;
}

static void read_ifaces(struct xmlconf *c)
{
	xmlNode *ifs = xc_child(c->root, "interfaces"), *k;
	for (k = ifs ? ifs->children : NULL; k; k = k->next) {
		struct xc_iface *f;
		char gw[64];
		if (!is_elem(k, NULL))
			continue;
		c->ifs = xrealloc(c->ifs, (c->n_ifs + 1) * sizeof(*c->ifs));
		f = &c->ifs[c->n_ifs++];
		memset(f, 0, sizeof(*f));
		str_copy(f->key, (const char *)k->name, sizeof(f->key));
		xc_text(k, "if", f->dev, sizeof(f->dev));
		xc_text(k, "descr", f->descr, sizeof(f->descr));
		xc_text(k, "ipaddr", f->ipaddr, sizeof(f->ipaddr));
		f->subnet = text_int(k, "subnet", -1);
		xc_text(k, "ipaddrv6", f->ipaddrv6, sizeof(f->ipaddrv6));
		f->subnetv6 = text_int(k, "subnetv6", -1);
		f->has_gateway = xc_text(k, "gateway", gw, sizeof(gw))[0] != '\0';
	}
}

static void read_vips(struct xmlconf *c)
{
	xmlNode *vip;
	for (vip = xc_child(xc_child(c->root, "virtualip"), "vip"); vip; vip = xc_next(vip, "vip")) {
		struct xc_vip *v;
		xmlChar *uuid = xmlGetProp(vip, (const xmlChar *)"uuid");
		char ns[16];
		c->vips = xrealloc(c->vips, (c->n_vips + 1) * sizeof(*c->vips));
		v = &c->vips[c->n_vips++];
		memset(v, 0, sizeof(*v));
		if (uuid) {
			str_copy(v->uuid, (const char *)uuid, sizeof(v->uuid));
			xmlFree(uuid);
		}
		xc_text(vip, "interface", v->iface, sizeof(v->iface));
		xc_text(vip, "mode", v->mode_word, sizeof(v->mode_word));
		v->mode = str_eq(v->mode_word, "carp") ? XC_VIP_CARP
			: str_eq(v->mode_word, "ipalias") ? XC_VIP_IPALIAS : XC_VIP_OTHER;
		xc_text(vip, "subnet", v->subnet, sizeof(v->subnet));
		v->bits = text_int(vip, "subnet_bits", -1);
		v->vhid = text_int(vip, "vhid", 0);
		v->advbase = text_int(vip, "advbase", -1);
		v->advskew = text_int(vip, "advskew", -1);
		xc_text(vip, "password", v->password, sizeof(v->password));
		xc_text(vip, "descr", v->descr, sizeof(v->descr));
		/* MVC writes 0/1; the legacy code tested only for presence. */
		v->nosync = xc_child(vip, "nosync") && !str_eq(xc_text(vip, "nosync", ns, sizeof(ns)), "0");
		v->line = (int)xmlGetLineNo(vip);
		v->node = vip;
	}
}

static void add_item(struct xc_hasync *h, const char *id)
{
	int i;
	if (!*id || h->n_items >= XC_MAX_SYNC_ITEMS)
		return;
	for (i = 0; i < h->n_items; i++)
		if (str_eq(h->items[i], id))
			return;
	str_copy(h->items[h->n_items++], id, sizeof(h->items[0]));
}

static bool on_word(const char *v)
{
	return str_eq(v, "on") || str_eq(v, "1") || str_eq(v, "yes");
}

/* Both shapes of <hasync> (CONTRACT §5): 24.7+ <syncitems>a,b</syncitems>,
 * and before that one <synchronizeX>on</synchronizeX> per item, which the
 * MHA1_0_0 migration turns into the id X. */
static void read_hasync(struct xmlconf *c)
{
	struct xc_hasync *h = &c->hasync;
	xmlNode *hs = xc_child(c->root, "hasync"), *k, *items;
	char buf[1024], pw[8];

	memset(h, 0, sizeof(*h));
	if (!hs)
		return;
	h->present = true;
	xc_text(hs, "pfsyncinterface", h->pfsyncinterface, sizeof(h->pfsyncinterface));
	xc_text(hs, "pfsyncpeerip", h->pfsyncpeerip, sizeof(h->pfsyncpeerip));
	xc_text(hs, "synchronizetoip", h->synchronizetoip, sizeof(h->synchronizetoip));
	xc_text(hs, "username", h->username, sizeof(h->username));
	h->has_password = xc_text(hs, "password", pw, sizeof(pw))[0] != '\0';
	items = xc_child(hs, "syncitems");
	/* The MVC model (24.7+) writes a version attribute and every field. */
	h->legacy = !items && !xmlHasProp(hs, (const xmlChar *)"version");
	if (items) {
		const char *p = xc_node_text(items, buf, sizeof(buf));
		while (p && *p) {
			const char *e = strchr(p, ',');
			char id[XC_KEY_LEN];
			size_t l = e ? (size_t)(e - p) : strlen(p);
			while (l && isspace((unsigned char)*p)) {
				p++;
				l--;
			}
			while (l && isspace((unsigned char)p[l - 1]))
				l--;
			str_copy(id, p, l + 1 < sizeof(id) ? l + 1 : sizeof(id));
			add_item(h, id);
			p = e ? e + 1 : NULL;
		}
	} else {
		for (k = hs->children; k; k = k->next) {
			const char *name = (const char *)k->name;
			if (!is_elem(k, NULL) || !str_starts(name, "synchronize") || str_eq(name, "synchronizetoip"))
				continue;
			if (on_word(xc_node_text(k, buf, sizeof(buf))))
				add_item(h, name + strlen("synchronize"));
		}
	}
	/* Before 24.7 pfsync had its own on flag; since, an interface is on. */
	if (h->legacy || xc_child(hs, "pfsyncenabled"))
		h->pfsync_enabled = on_word(xc_text(hs, "pfsyncenabled", buf, sizeof(buf))) && h->pfsyncinterface[0];
	else
		h->pfsync_enabled = h->pfsyncinterface[0] != '\0';
}

static void read_model(struct xmlconf *c)
{
	char host[64], dom[64];
	xc_text(c->root, "system/hostname", host, sizeof(host));
	xc_text(c->root, "system/domain", dom, sizeof(dom));
	str_printf(c->hostname, sizeof(c->hostname), "%s%s%s", host, host[0] && dom[0] ? "." : "", dom);
	read_ifaces(c);
	read_vips(c);
	read_hasync(c);
}

/* The first error libxml2 reports is the one that explains the file (the
 * last one after a mismatched tag is only "premature end of data"). */
struct first_error {
	bool set;
	int line, col;
	char msg[256];
};

#if LIBXML_VERSION >= 21200
static void keep_first_error(void *data, const xmlError *e)
#else
static void keep_first_error(void *data, xmlErrorPtr e)
#endif
{
	xmlParserCtxtPtr ctxt = data;
	struct first_error *f = ctxt ? ctxt->_private : NULL;
	if (!f || f->set || !e || e->level < XML_ERR_ERROR)
		return;
	f->set = true;
	f->line = e->line;
	f->col = e->int2;
	str_copy(f->msg, e->message ? e->message : "not well-formed XML", sizeof(f->msg));
	f->msg[strcspn(f->msg, "\n")] = '\0';
}

int xmlconf_parse(const char *xml, size_t len, const char *source, struct xmlconf *c, char **cause)
{
	struct first_error first = { 0 };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNode *root;

	memset(c, 0, sizeof(*c));
	if (!source)
		source = "config.xml";
	if (len > XC_MAX_BYTES || len > INT_MAX) {
		*cause = xasprintf("%s: %zu bytes is too large for a config.xml", source, len);
		return -1;
	}
	if (len == 0) {
		*cause = xasprintf("%s:1: the file is empty (not a config.xml)", source);
		return -1;
	}
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		*cause = xasprintf("%s: cannot set up the XML parser", source);
		return -1;
	}
	/* NONET: never fetch anything; no NOENT/DTDLOAD: entities stay
	 * unexpanded and no external DTD is read. Errors are collected, not
	 * printed on stderr. */
	ctxt->_private = &first;
	if (ctxt->sax) {
		ctxt->sax->initialized = XML_SAX2_MAGIC;
		ctxt->sax->serror = keep_first_error;
	}
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, source, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	if (!doc) {
		if (!first.set) {
			const xmlError *e = xmlCtxtGetLastError(ctxt);
			first.line = e ? e->line : 0;
			first.col = e ? e->int2 : 0;
			str_copy(first.msg, e && e->message ? e->message : "not well-formed XML", sizeof(first.msg));
			first.msg[strcspn(first.msg, "\n")] = '\0';
		}
		if (first.line > 0 && first.col > 0)
			*cause = xasprintf("%s:%d:%d: %s", source, first.line, first.col, first.msg);
		else if (first.line > 0)
			*cause = xasprintf("%s:%d: %s", source, first.line, first.msg);
		else
			*cause = xasprintf("%s: %s", source, first.msg);
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	xmlFreeParserCtxt(ctxt);
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "opnsense") != 0) {
		*cause = xasprintf("%s:%ld: root element is <%s>, not <opnsense>: not an OPNsense config.xml", source,
				   root ? xmlGetLineNo(root) : 1L, root ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return -1;
	}
	c->source = xstrdup(source);
	c->doc = doc;
	c->root = root;
	read_model(c);
	return 0;
}

int xmlconf_load_file(const char *path, struct xmlconf *c, char **cause)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[65536];
	size_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!f) {
		*cause = xasprintf("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sb_addn(&sb, buf, n);
		if (sb.len > XC_MAX_BYTES)
			break;
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		sb_free(&sb);
		return -1;
	}
	fclose(f);
	rc = xmlconf_parse(sb.buf ? sb.buf : "", sb.len, path, c, cause);
	sb_free(&sb);
	return rc;
}

void xmlconf_free(struct xmlconf *c)
{
	if (!c)
		return;
	if (c->doc)
		xmlFreeDoc(c->doc);
	free(c->source);
	free(c->ifs);
	free(c->digests);
	/* The CARP passwords lived here: leave nothing behind. */
	if (c->vips)
		explicit_bzero(c->vips, c->n_vips * sizeof(*c->vips));
	free(c->vips);
	memset(c, 0, sizeof(*c));
}

const struct xc_iface *xc_iface_find(const struct xmlconf *c, const char *key)
{
	size_t i;
	for (i = 0; c && i < c->n_ifs; i++)
		if (str_eq(c->ifs[i].key, key))
			return &c->ifs[i];
	return NULL;
}

const struct xc_digest *xc_digest_find(const struct xmlconf *c, const char *section)
{
	size_t i;
	for (i = 0; c && i < c->n_digests; i++)
		if (str_eq(c->digests[i].section, section))
			return &c->digests[i];
	return NULL;
}

bool xc_section_present(const struct xmlconf *c, const char *section)
{
	const struct xc_digest *d;
	if (!c->slim)
		return true;
	d = xc_digest_find(c, section);
	return d && d->kept;
}

bool xc_has_item(const struct xmlconf *c, const char *id)
{
	int i;
	for (i = 0; c && i < c->hasync.n_items; i++)
		if (str_eq(c->hasync.items[i], id))
			return true;
	return false;
}
