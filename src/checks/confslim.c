/* A live node's config.xml kept small (src/confslim.h). */
#include "confslim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "drift.h"
#include "util.h"

/* Allocation failure is not a condition carptop can act on (util.h). */
static void oom(void)
{
	fputs("carptop: out of memory\n", stderr);
	abort();
}

/* ---- digests ---- */

static void upd(EVP_MD_CTX *h, const char *s)
{
	EVP_DigestUpdate(h, s, strlen(s) + 1); /* with its NUL: "ab","c" is not "a","bc" */
}

/* Element name, every attribute, and either the trimmed text (a leaf) or
 * the children in order. Empty elements are skipped: drift treats them as
 * missing. Returns whether anything was hashed. */
static bool hash_elem(EVP_MD_CTX *h, const xmlNode *n)
{
	const xmlAttr *a;
	const xmlNode *k;
	char *text;

	if (!xc_has_children(n)) {
		text = xc_text_dup(n);
		if (!text[0]) {
			free(text);
			return false;
		}
	} else {
		text = NULL;
	}
	upd(h, "<");
	upd(h, (const char *)n->name);
	for (a = n->properties; a; a = a->next) {
		xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
		upd(h, (const char *)a->name);
		upd(h, v ? (const char *)v : "");
		xmlFree(v);
	}
	if (text) {
		upd(h, "=");
		upd(h, text);
		free(text);
	}
	for (k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			hash_elem(h, k);
	upd(h, ">");
	return true;
}

/* "OPNsense.Firewall.Alias" -> parent "OPNsense/Firewall", name "Alias". */
static void split_section(const char *dotted, char *parent, size_t plen, const char **name)
{
	char *dot;
	str_copy(parent, dotted, plen);
	for (dot = parent; *dot; dot++)
		if (*dot == '.')
			*dot = '/';
	dot = strrchr(parent, '/');
	*name = dotted + (dot ? (size_t)(dot - parent) + 1 : 0);
	if (dot)
		*dot = '\0';
	else
		parent[0] = '\0';
}

static void digest_section(const xmlNode *root, const char *dotted, unsigned char out[XC_DIGEST_LEN])
{
	char parent[256];
	const char *name;
	const xmlNode *p, *k;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *h = EVP_MD_CTX_new();

	if (!h)
		oom();
	split_section(dotted, parent, sizeof(parent), &name);
	p = parent[0] ? xc_path(root, parent) : root;
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	for (k = xc_child(p, name); k; k = xc_next(k, name))
		hash_elem(h, k);
	EVP_DigestFinal_ex(h, md, &mdlen);
	EVP_MD_CTX_free(h);
	memcpy(out, md, XC_DIGEST_LEN);
}

void conf_digest(struct xmlconf *c)
{
	size_t i, k, cap = 0;
	if (c->digests || !c->root || c->slim)
		return;
	for (i = 0; i < n_sync_item_maps; i++)
		for (k = 0; k < ARRAY_LEN(sync_item_maps[i].sections) && sync_item_maps[i].sections[k]; k++)
			cap++;
	c->digests = xcalloc(cap, sizeof(*c->digests));
	for (i = 0; i < n_sync_item_maps; i++)
		for (k = 0; k < ARRAY_LEN(sync_item_maps[i].sections) && sync_item_maps[i].sections[k]; k++) {
			const char *s = sync_item_maps[i].sections[k];
			struct xc_digest *d;
			if (xc_digest_find(c, s))
				continue;
			d = &c->digests[c->n_digests++];
			d->section = s;
			d->kept = true; /* the full tree holds it */
			digest_section(c->root, s, d->hash);
		}
}

static bool differs(const struct xc_digest *d, const struct xmlconf *peer)
{
	const struct xc_digest *e = xc_digest_find(peer, d->section);
	return e && memcmp(d->hash, e->hash, XC_DIGEST_LEN) != 0;
}

bool conf_slim_lacks(const struct xmlconf *c, const struct xmlconf *peer)
{
	size_t i;
	if (!c || !peer || !c->slim)
		return false;
	for (i = 0; i < c->n_digests; i++)
		if (!c->digests[i].kept && differs(&c->digests[i], peer))
			return true;
	return false;
}

/* ---- the slim tree ---- */

enum keep_how {
	KEEP_WHOLE,     /* the element with everything below it */
	KEEP_BARE,      /* the element alone (the checks ask whether it exists) */
	KEEP_CARP_RULE, /* whole, if its protocol lets CARP through (any, carp, unset) */
};

/* What src/config_checks.c walks below <opnsense> ('*' matches any name).
 * A check that reads another path must add it here. */
static const struct {
	const char *path;
	enum keep_how how;
} check_paths[] = {
	{ "virtualip", KEEP_WHOLE }, /* struct xc_vip.node; drift compares the CARP VIPs field by field */
	{ "filter/rule", KEEP_CARP_RULE },
	{ "OPNsense/Firewall/Filter/rules/rule", KEEP_CARP_RULE },
	{ "nat/outbound/mode", KEEP_WHOLE },
	{ "nat/outbound/rule", KEEP_WHOLE },
	{ "OPNsense/Firewall/Filter/snatrules/rule", KEEP_WHOLE },
	{ "dhcpd/*/enable", KEEP_WHOLE },
	{ "dhcpd/*/gateway", KEEP_WHOLE },
	{ "dhcpd/*/dnsserver", KEEP_WHOLE },
	{ "dhcpd/*/failover_peerip", KEEP_WHOLE },
	{ "dhcpdv6/*", KEEP_BARE },
	{ "OPNsense/Kea/dhcp4/general/enabled", KEEP_WHOLE },
	{ "OPNsense/Kea/dhcp4/subnets/subnet4/subnet", KEEP_WHOLE },
	{ "OPNsense/Kea/dhcp4/subnets/subnet4/option_data_autocollect", KEEP_WHOLE },
	{ "OPNsense/Kea/dhcp4/subnets/subnet4/option_data/routers", KEEP_WHOLE },
	{ "OPNsense/Kea/dhcp4/subnets/subnet4/option_data/domain_name_servers", KEEP_WHOLE },
	{ "OPNsense/Kea/dhcp4/ha_peers/peer", KEEP_BARE },
	{ "OPNsense/Kea/dhcp4/ha/enabled", KEEP_WHOLE },
};

#define SLIM_MAX_PATTERNS 128 /* check_paths and every synced section */
#define SLIM_MAX_DEPTH 8

struct pattern {
	char buf[80];
	const char *seg[SLIM_MAX_DEPTH];
	int n;
	enum keep_how how;
};

static void pattern_set(struct pattern *p, const char *path, enum keep_how how)
{
	char *s, *save = NULL;
	str_copy(p->buf, path, sizeof(p->buf));
	p->n = 0;
	p->how = how;
	for (s = strtok_r(p->buf, "/.", &save); s && p->n < SLIM_MAX_DEPTH; s = strtok_r(NULL, "/.", &save))
		p->seg[p->n++] = s;
}

static bool may_pass_carp(const xmlNode *rule)
{
	char proto[32];
	xc_text(rule, "protocol", proto, sizeof(proto));
	return !proto[0] || strcasecmp(proto, "any") == 0 || strcasecmp(proto, "carp") == 0;
}

/* Every slim tree's names in one dictionary: config.xml has a few hundred
 * element names, and without a dictionary each copied element carried its
 * own copy of its name. Each slim document holds a reference; the module
 * keeps one for the next. */
static xmlDict *slim_names;

static xmlDoc *slim_doc_new(void)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	if (!doc)
		oom();
	if (!slim_names && !(slim_names = xmlDictCreate()))
		oom();
	if (xmlDictReference(slim_names) < 0)
		oom();
	doc->dict = slim_names;
	return doc;
}

static bool is_blank(const xmlNode *n)
{
	const xmlChar *s;
	if (n->type != XML_TEXT_NODE)
		return false;
	for (s = n->content; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* n with all below it, less the indentation between elements (blank text
 * beside element children, which nothing reads: the checks and drift read
 * the text of leaves), a third of the nodes of an indented config.xml. */
static xmlNode *copy_whole(xmlDoc *dst, const xmlNode *n)
{
	const xmlNode *k;
	bool elements = xc_has_children(n);
	xmlNode *copy = xmlDocCopyNode((xmlNode *)n, dst, 2); /* attributes, no children */
	if (!copy)
		oom();
	for (k = n->children; k; k = k->next) {
		xmlNode *kc;
		if (elements && is_blank(k))
			continue;
		kc = k->type == XML_ELEMENT_NODE ? copy_whole(dst, k) : xmlDocCopyNode((xmlNode *)k, dst, 1);
		if (!kc)
			oom();
		xmlAddChild(copy, kc);
	}
	return copy;
}

/* Copy into `out` the children of `in` that an active pattern keeps, at
 * this depth. One walk over the tree for every pattern at once. */
static void prune(xmlDoc *dst, xmlNode *out, const xmlNode *in, const struct pattern *p, size_t np,
		  const bool *active, int depth)
{
	const xmlNode *k;
	for (k = in->children; k; k = k->next) {
		bool next[SLIM_MAX_PATTERNS] = { false };
		bool whole = false, bare = false, deeper = false;
		size_t i;
		xmlNode *copy;
		if (k->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < np; i++) {
			if (!active[i] || (strcmp(p[i].seg[depth], "*") != 0 && strcmp(p[i].seg[depth], (const char *)k->name) != 0))
				continue;
			if (depth + 1 < p[i].n)
				deeper = next[i] = true;
			else if (p[i].how == KEEP_WHOLE || (p[i].how == KEEP_CARP_RULE && may_pass_carp(k)))
				whole = true;
			else if (p[i].how == KEEP_BARE)
				bare = true;
		}
		if (whole) {
			copy = copy_whole(dst, k);
		} else if (bare || deeper) {
			copy = xmlDocCopyNode((xmlNode *)k, dst, 2); /* attributes, no children */
		} else {
			continue;
		}
		if (!copy)
			oom();
		xmlAddChild(out, copy);
		if (!whole && deeper)
			prune(dst, copy, k, p, np, next, depth + 1);
	}
}

void conf_slim(struct xmlconf *c, const struct xmlconf *peer)
{
	struct pattern *pat;
	bool active[SLIM_MAX_PATTERNS];
	size_t np = 0, i;
	xmlDoc *doc;
	xmlNode *root, *vip;

	if (c->slim || !c->root)
		return;
	conf_digest(c);
	pat = xcalloc(ARRAY_LEN(check_paths) + c->n_digests, sizeof(*pat));
	for (i = 0; i < ARRAY_LEN(check_paths); i++)
		pattern_set(&pat[np++], check_paths[i].path, check_paths[i].how);
	for (i = 0; i < c->n_digests; i++) {
		struct xc_digest *d = &c->digests[i];
		d->kept = str_eq(d->section, "virtualip") || (peer && differs(d, peer));
		if (d->kept && np < SLIM_MAX_PATTERNS)
			pattern_set(&pat[np++], d->section, KEEP_WHOLE);
		else
			d->kept = str_eq(d->section, "virtualip");
	}
	for (i = 0; i < np; i++)
		active[i] = true;

	doc = slim_doc_new();
	root = xmlDocCopyNode(c->root, doc, 2);
	if (!root)
		oom();
	xmlDocSetRootElement(doc, root);
	prune(doc, root, c->root, pat, np, active, 0);
	free(pat);
	xmlFreeDoc(c->doc);
	c->doc = doc;
	c->root = root;
	c->slim = true;
	/* The VIPs were copied whole and in order: point the typed entries at
	 * their copies. */
	vip = xc_child(xc_child(root, "virtualip"), "vip");
	for (i = 0; i < c->n_vips; i++) {
		c->vips[i].node = vip;
		vip = vip ? xc_next(vip, "vip") : NULL;
	}
}
