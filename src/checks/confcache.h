/* A node's config.xml as last read, for the config checks and the drift
 * comparison on a live pair. It is read again only when the node's config
 * marker changes (snapshot.config_marker: the sim's serial, the newest
 * backup id over the API, mtime and size over SSH), or every
 * CONF_CACHE_REFRESH_S when the transport gives no marker: never on every
 * poll, since config.xml can be large. */
#ifndef CARPTOP_CONFCACHE_H
#define CARPTOP_CONFCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "pair.h"
#include "snapshot.h"
#include "xmlconf.h"

#define CONF_CACHE_REFRESH_S 300.0

struct conf_cache {
	struct xmlconf conf;
	bool valid;              /* conf holds a parsed config.xml */
	bool pending;            /* a read is running */
	char marker[64];         /* the marker the cached (or failed) read was made under */
	char pending_marker[64];
	double fetched;          /* wall clock of the last read, 0 = never */
	char error[256];         /* why the last read failed, "" if it did not */
	unsigned gen;            /* bumped by every conf_cache_store */
	bool reread;             /* read again: the peer's drift needs a section this one dropped */
	char *held;              /* the text of the last read, while the peer's first one is awaited */
	size_t held_len;
};

/* Should a read start now, after this snapshot? (Marks nothing.) */
bool conf_cache_wanted(const struct conf_cache *c, const struct snapshot *s, double now);
/* A read is starting under s's marker. */
void conf_cache_begin(struct conf_cache *c, const struct snapshot *s);
/* The read ended: xml (len bytes) or NULL. A parse error keeps the old
 * config out of use (it is no longer what the node has). */
void conf_cache_store(struct conf_cache *c, const char *xml, size_t len, const char *source, double now);
/* A live pair: slim the config just stored from `xml` against the peer's
 * (src/confslim.h), keeping the synced sections whose digests differ.
 * Without the peer's config yet but `peer_coming` (its read runs or will),
 * c's text is held (a 13th of its tree) and parsed again against the peer's
 * when that arrives, so neither node is downloaded twice. When the peer's
 * slim config dropped a section that differs now (a node's config changed),
 * the peer is marked for a read (conf_cache_wanted). */
void conf_cache_slim(struct conf_cache *c, struct conf_cache *peer, const char *xml, size_t len, bool peer_coming);
/* The parsed config, or NULL. */
const struct xmlconf *conf_cache_get(const struct conf_cache *c);
void conf_cache_free(struct conf_cache *c);

/* The results of the config checks over these configs: struct
 * config_result in src/checks/view.h, which applies them to a view. */

#endif
