/* An OPNsense config.xml parsed with libxml2 into the few typed facts the
 * config checks share (interfaces, virtual IPs, HA sync settings), with the
 * document kept for the checks that walk rules, NAT and DHCP, and for the
 * drift comparison (src/checks/drift.h). Read-only: nothing here writes a config.
 *
 * config.xml holds secrets (password hashes, the CARP and XMLRPC passwords,
 * private keys). They stay in this struct and are never printed: callers
 * that show values go through xc_is_secret(). */
#ifndef CARPTOP_XMLCONF_H
#define CARPTOP_XMLCONF_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#define XC_KEY_LEN 32
#define XC_ADDR_LEN 64
#define XC_MAX_SYNC_ITEMS 48

/* <interfaces><KEY>: one assigned interface. */
struct xc_iface {
	char key[XC_KEY_LEN];      /* "lan", "wan", "opt1" */
	char dev[XC_KEY_LEN];      /* <if>: "em0" */
	char descr[64];            /* <descr>, "" if none */
	char ipaddr[XC_ADDR_LEN];  /* an address, or a mode word ("dhcp", "pppoe"), "" if none */
	int subnet;                /* prefix length, -1 if none */
	char ipaddrv6[XC_ADDR_LEN];/* an address, or "track6", "dhcp6", "slaac", ... */
	int subnetv6;
	bool has_gateway;          /* <gateway> set: an upstream (WAN-like) interface */
};

enum xc_vip_mode { XC_VIP_OTHER = 0, XC_VIP_CARP, XC_VIP_IPALIAS };

/* <virtualip><vip>: legacy (no uuid) or MVC (uuid attribute) shape. */
struct xc_vip {
	char uuid[64];             /* "" for legacy entries */
	char iface[XC_KEY_LEN];
	enum xc_vip_mode mode;
	char mode_word[16];        /* as written: "carp", "ipalias", "proxyarp" */
	char subnet[XC_ADDR_LEN];  /* the address (no prefix) */
	int bits;                  /* subnet_bits, -1 if none */
	int vhid;                  /* 0 if none */
	int advbase, advskew;      /* -1 if none */
	char password[128];        /* the CARP password: compared, never shown */
	bool nosync;               /* excluded from XMLRPC sync */
	char descr[128];
	int line;                  /* line in the file, for messages */
	xmlNode *node;
};

struct xc_hasync {
	bool present;              /* <hasync> exists */
	bool legacy;               /* pre-24.7 shape: <synchronizeX>on flags, <pfsyncenabled> */
	bool pfsync_enabled;
	char pfsyncinterface[XC_KEY_LEN];
	char pfsyncpeerip[XC_ADDR_LEN];
	char synchronizetoip[256]; /* an address or a full URL; "" on a secondary */
	char username[64];
	bool has_password;
	/* Sync item ids from <syncitems> (comma list) or the legacy flags
	 * (<synchronizerules>on -> "rules"), in document order. */
	char items[XC_MAX_SYNC_ITEMS][XC_KEY_LEN];
	int n_items;
};

/* A synced section's digest (src/confslim.h): equal digests on both nodes
 * mean drift has nothing to show in it. */
#define XC_DIGEST_LEN 16
struct xc_digest {
	const char *section;       /* dotted, as in sync_item_maps (static text) */
	unsigned char hash[XC_DIGEST_LEN];
	bool kept;                 /* a slim tree still holds the section */
};

struct xmlconf {
	char *source;              /* file name or "fw1 (live)": for messages */
	xmlDoc *doc;
	xmlNode *root;             /* <opnsense> */
	/* A live node's config is slimmed after parsing (src/confslim.h): the
	 * tree then holds only what the config checks walk, the virtual IPs and
	 * the synced sections marked kept; every synced section has a digest. */
	bool slim;
	struct xc_digest *digests; /* NULL until conf_digest() */
	size_t n_digests;
	char hostname[128];        /* <system><hostname>.<domain> */
	struct xc_iface *ifs;
	size_t n_ifs;
	struct xc_vip *vips;
	size_t n_vips;
	struct xc_hasync hasync;
};

/* Parse config.xml text (or a file). `source` names it in messages. No
 * network access, no DTD loading, no entity substitution. On failure
 * returns -1 and sets *cause to "SOURCE:LINE: what libxml2 said" (or why
 * it is not an OPNsense config). */
int xmlconf_parse(const char *xml, size_t len, const char *source, struct xmlconf *c, char **cause);
int xmlconf_load_file(const char *path, struct xmlconf *c, char **cause);
void xmlconf_free(struct xmlconf *c);

const struct xc_iface *xc_iface_find(const struct xmlconf *c, const char *key);
bool xc_has_item(const struct xmlconf *c, const char *id);
/* The digest of a dotted synced section, NULL if none was computed. */
const struct xc_digest *xc_digest_find(const struct xmlconf *c, const char *section);
/* Does c's tree hold this synced section as read (a full tree, or kept)? */
bool xc_section_present(const struct xmlconf *c, const char *section);

/* ---- walking the document ---- */

/* First child element named `name` (NULL if none). */
xmlNode *xc_child(const xmlNode *n, const char *name);
/* Next sibling element after `n` named `name` (NULL if none). */
xmlNode *xc_next(const xmlNode *n, const char *name);
/* Element at a '/'-separated path below n ("dhcpd/lan/gateway"). */
xmlNode *xc_path(const xmlNode *n, const char *path);
/* Trimmed text of the element at `path` below n ("" when absent or when it
 * has child elements). Returns dst. */
const char *xc_text(const xmlNode *n, const char *path, char *dst, size_t len);
/* Trimmed text of n itself. */
const char *xc_node_text(const xmlNode *n, char *dst, size_t len);
/* The whole trimmed text of n's own text and CDATA children, allocated
 * (certificates and keys run to several kilobytes: no fixed buffer). */
char *xc_text_dup(const xmlNode *n);
/* Has n any child element? */
bool xc_has_children(const xmlNode *n);
/* Does a comma-separated list contain `word` (blanks around items ignored)? */
bool xc_list_has(const char *list, const char *word);

/* Element names whose values are secrets (password, secret, private key,
 * pre-shared key...): compared, never shown. */
bool xc_is_secret(const char *name);

/* ---- addresses ---- */

/* 4 or 6 for an IPv4/IPv6 address (a "%scope" suffix is allowed), else 0. */
int xc_ip_family(const char *addr);
/* Are a and b in the same network of `bits`? (false if not addresses of one family) */
bool xc_same_net(const char *a, const char *b, int bits);
/* Network address of addr/bits as text ("192.168.1.0"); "" if not an address. */
void xc_net_text(const char *addr, int bits, char *dst, size_t len);
/* Is addr inside "net/bits" given as a CIDR string? */
bool xc_in_cidr(const char *addr, const char *cidr);
/* IPv6 link-local (fe80::/10)? */
bool xc_is_link_local6(const char *addr);

#endif
