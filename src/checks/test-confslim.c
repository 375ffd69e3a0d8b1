/* Slim configs (src/confslim.h): a section's digest is the same for the
 * same content (also written with other whitespace) and differs when a rule
 * changes; a slim tree holds the check paths and the differing sections
 * only; drift between slim configs names the changed rule once the node
 * that dropped the section has read its config again, and a section with
 * equal digests shows no drift; the cache asks for that read. */
#include "test-doctor-lib.h"

#include "confcache.h"
#include "confslim.h"
#include "drift.h"

#define M ex_text[0]
#define B ex_text[1]

static bool parse(const char *text, struct xmlconf *c)
{
	char *cause = NULL;
	if (xmlconf_parse(text, strlen(text), "t.xml", c, &cause) < 0) {
		printf("# parse: %s\n", cause);
		free(cause);
		return false;
	}
	return true;
}

/* Drift items outside virtualip: a config compared with itself differs
 * there (the secondary's advskew is the primary's + 100). */
static size_t n_beyond_vips(const struct drift_list *l, size_t *first)
{
	size_t i, n = 0;
	for (i = 0; i < l->n; i++)
		if (!str_eq(l->items[i].section, "virtualip") && n++ == 0)
			*first = i;
	return n;
}

static bool same_digest(const struct xmlconf *a, const struct xmlconf *b, const char *section)
{
	const struct xc_digest *da = xc_digest_find(a, section), *db = xc_digest_find(b, section);
	CHECK(da != NULL);
	CHECK(db != NULL);
	return da && db && memcmp(da->hash, db->hash, XC_DIGEST_LEN) == 0;
}

static void test_digest(void)
{
	struct xmlconf a, b, c;
	char *spaced = edit(M, "<descr>Default allow LAN to any rule</descr>",
			    "<descr>\n\t  Default allow LAN to any rule  \n</descr>");
	char *changed = edit(M, "<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>");
	size_t i;

	CHECK(parse(M, &a));
	CHECK(parse(spaced, &b));
	CHECK(parse(changed, &c));
	conf_digest(&a);
	conf_digest(&b);
	conf_digest(&c);
	CHECK(a.n_digests > 40); /* every section of sync_item_maps, once */
	CHECK_INT_EQ(a.n_digests, b.n_digests);
	for (i = 0; i < a.n_digests; i++) {
		/* The same content: the same digest (whitespace around values
		 * carries no meaning). */
		CHECK(same_digest(&a, &b, a.digests[i].section));
		/* A changed rule changes the digest of its section only. */
		if (str_eq(a.digests[i].section, "filter"))
			CHECK(!same_digest(&a, &c, "filter"));
		else
			CHECK(same_digest(&a, &c, a.digests[i].section));
	}
	/* A missing section and an empty one are the same (drift.h). */
	{
		struct xmlconf e;
		char *empty = edit(M, "<staticroutes/>", "<staticroutes>\n  </staticroutes>");
		char *gone = edit(M, "<staticroutes/>", "");
		CHECK(parse(empty, &e));
		conf_digest(&e);
		CHECK(same_digest(&a, &e, "staticroutes"));
		xmlconf_free(&e);
		CHECK(parse(gone, &e));
		conf_digest(&e);
		CHECK(same_digest(&a, &e, "staticroutes"));
		xmlconf_free(&e);
		free(empty);
		free(gone);
	}
	xmlconf_free(&a);
	xmlconf_free(&b);
	xmlconf_free(&c);
	free(spaced);
	free(changed);
}

static size_t count_elements(const xmlNode *n)
{
	size_t c = 0;
	const xmlNode *k;
	for (k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			c += 1 + count_elements(k);
	return c;
}

static void test_slim_tree(void)
{
	struct xmlconf a, b;
	char *changed = edit(M, "<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>");
	size_t full;
	const xmlNode *r;
	int rules = 0;

	CHECK(parse(M, &a));
	CHECK(parse(changed, &b));
	full = count_elements(a.root);
	conf_slim(&a, NULL);
	CHECK(a.slim);
	printf("# elements: %zu of %zu kept\n", count_elements(a.root), full);
	CHECK(count_elements(a.root) * 2 < full); /* most of the tree is gone */
	/* What the checks walk is still there... */
	CHECK(xc_path(a.root, "virtualip/vip") != NULL);
	CHECK(xc_path(a.root, "dhcpd/lan/enable") != NULL);
	CHECK(xc_path(a.root, "nat/outbound/mode") != NULL);
	CHECK(a.n_vips > 0 && a.vips[0].node == xc_path(a.root, "virtualip/vip"));
	/* ... the rest is not: no system section, no DHCP range, and of the
	 * filter rules only those whose protocol can carry CARP. */
	CHECK(xc_child(a.root, "system") == NULL);
	CHECK(xc_path(a.root, "dhcpd/lan/range") == NULL);
	for (r = xc_child(xc_child(a.root, "filter"), "rule"); r; r = xc_next(r, "rule")) {
		char proto[16];
		rules++;
		CHECK(!xc_text(r, "protocol", proto, sizeof(proto))[0] || str_eq(proto, "carp") || str_eq(proto, "any"));
	}
	CHECK(rules > 0);
	CHECK(xc_section_present(&a, "virtualip"));
	CHECK(!xc_section_present(&a, "filter"));
	/* Slimmed against a, b keeps the section that differs. */
	conf_slim(&b, &a);
	CHECK(xc_section_present(&b, "filter"));
	CHECK(!xc_section_present(&b, "nat"));
	CHECK(xc_path(b.root, "filter/rule/descr") != NULL);
	CHECK(conf_slim_lacks(&a, &b));
	CHECK(!conf_slim_lacks(&b, &a));
	xmlconf_free(&a);
	xmlconf_free(&b);
	free(changed);
}

/* The drift detail is still named when both sides are slim. */
static void test_slim_drift(void)
{
	struct xmlconf a, b;
	struct drift_list l = { 0 };
	size_t k = 0;
	char *changed = edit(M, "<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>");

	CHECK(parse(M, &a));
	CHECK(parse(changed, &b));
	conf_slim(&a, NULL);
	conf_slim(&b, &a);
	/* a dropped the filter section before b was known: the difference is
	 * shown, its details once a has been read again. */
	drift_compare_synced(&a, &b, &l, NULL, 0);
	CHECK_INT_EQ(n_beyond_vips(&l, &k), 1);
	if (n_beyond_vips(&l, &k) == 1) {
		CHECK_STR_EQ(l.items[k].section, "filter");
		CHECK_STR_EQ(l.items[k].value[0], DRIFT_PENDING);
	}
	l.n = 0;
	xmlconf_free(&a);
	CHECK(parse(M, &a));
	conf_slim(&a, &b);
	drift_compare_synced(&a, &b, &l, NULL, 0);
	CHECK_INT_EQ(n_beyond_vips(&l, &k), 1);
	if (n_beyond_vips(&l, &k) == 1) {
		CHECK_STR_EQ(l.items[k].section, "filter");
		CHECK_STR_EQ(l.items[k].path, "filter/rule[2]/descr");
		CHECK_STR_EQ(l.items[k].value[0], "Default allow LAN to any rule");
		CHECK_STR_EQ(l.items[k].value[1], "LAN out");
	}
	free(l.items);
	xmlconf_free(&a);
	xmlconf_free(&b);
	free(changed);
}

/* Equal digests: nothing to read again, no drift. */
static void test_equal_digest_no_drift(void)
{
	struct xmlconf a, b;
	struct drift_list l = { 0 };
	size_t k = 0;
	char *spaced = edit(M, "<descr>Default allow LAN to any rule</descr>",
			    "<descr>\n\t  Default allow LAN to any rule  \n</descr>");
	CHECK(parse(M, &a));
	CHECK(parse(spaced, &b));
	free(spaced);
	conf_slim(&a, NULL);
	conf_slim(&b, &a);
	CHECK(!conf_slim_lacks(&a, &b));
	drift_compare_synced(&a, &b, &l, NULL, 0);
	CHECK_INT_EQ(n_beyond_vips(&l, &k), 0);
	free(l.items);
	xmlconf_free(&a);
	xmlconf_free(&b);
}

/* The cache: slimming the second config marks the first for a read. */
static void test_cache_reread(void)
{
	struct conf_cache c0, c1;
	struct snapshot s;
	char *changed = edit(M, "<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>");

	memset(&c0, 0, sizeof(c0));
	memset(&c1, 0, sizeof(c1));
	snapshot_init(&s);
	s.reachable = true;
	str_copy(s.config_marker, "m1", sizeof(s.config_marker));
	conf_cache_begin(&c0, &s);
	conf_cache_store(&c0, M, strlen(M), "fw1", 1000);
	conf_cache_slim(&c0, &c1, M, strlen(M), false);
	CHECK(c0.conf.slim);
	CHECK(c0.held == NULL);
	CHECK(!conf_cache_wanted(&c0, &s, 1001));
	conf_cache_begin(&c1, &s);
	conf_cache_store(&c1, changed, strlen(changed), "fw2", 1000);
	conf_cache_slim(&c1, &c0, changed, strlen(changed), true);
	CHECK(c0.reread);
	CHECK(!c1.reread);
	CHECK(conf_cache_wanted(&c0, &s, 1001)); /* the same marker, read again */
	conf_cache_begin(&c0, &s);
	CHECK(!c0.reread);
	conf_cache_store(&c0, M, strlen(M), "fw1", 1001);
	conf_cache_slim(&c0, &c1, M, strlen(M), true);
	CHECK(c0.held == NULL); /* the peer's config is there: nothing to hold */
	CHECK(!c1.reread);
	CHECK(xc_section_present(conf_cache_get(&c0), "filter"));
	CHECK(!conf_cache_wanted(&c0, &s, 1002));
	conf_cache_free(&c0);
	conf_cache_free(&c1);
	snapshot_clear(&s);
	free(changed);
}

/* The first node's text is held while the peer's first read runs, and
 * parsed again against it: no second download. */
static void test_cache_held(void)
{
	struct conf_cache c0, c1;
	struct snapshot s;
	char *changed = edit(M, "<descr>Default allow LAN to any rule</descr>", "<descr>LAN out</descr>");
	unsigned gen;

	memset(&c0, 0, sizeof(c0));
	memset(&c1, 0, sizeof(c1));
	snapshot_init(&s);
	s.reachable = true;
	conf_cache_begin(&c0, &s);
	conf_cache_begin(&c1, &s);
	conf_cache_store(&c0, M, strlen(M), "fw1", 1000);
	conf_cache_slim(&c0, &c1, M, strlen(M), true);
	CHECK(c0.held != NULL && c0.held_len == strlen(M));
	CHECK(!xc_section_present(conf_cache_get(&c0), "filter"));
	gen = c0.gen;
	conf_cache_store(&c1, changed, strlen(changed), "fw2", 1000);
	conf_cache_slim(&c1, &c0, changed, strlen(changed), true);
	CHECK(c0.held == NULL);
	CHECK(!c0.reread);
	CHECK(c0.gen != gen); /* a new config for the views */
	CHECK(xc_section_present(conf_cache_get(&c0), "filter"));
	CHECK(xc_section_present(conf_cache_get(&c1), "filter"));
	CHECK(!xc_section_present(conf_cache_get(&c1), "nat"));
	/* A failed read of the peer: nothing is held for it any more. */
	conf_cache_begin(&c0, &s);
	conf_cache_store(&c0, M, strlen(M), "fw1", 1001);
	conf_cache_free(&c1);
	conf_cache_slim(&c0, &c1, M, strlen(M), true);
	CHECK(c0.held != NULL);
	conf_cache_begin(&c1, &s);
	conf_cache_store(&c1, NULL, 0, "fw2", 1002);
	conf_cache_slim(&c1, &c0, NULL, 0, true);
	CHECK(c0.held == NULL);
	conf_cache_free(&c0);
	conf_cache_free(&c1);
	snapshot_clear(&s);
	free(changed);
}

int main(void)
{
	ex_load();
	RUN(test_digest);
	RUN(test_slim_tree);
	RUN(test_slim_drift);
	RUN(test_equal_digest_no_drift);
	RUN(test_cache_reread);
	RUN(test_cache_held);
	ex_unload();
	return test_done();
}
