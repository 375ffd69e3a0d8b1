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
};

/* Should a read start now, after this snapshot? (Marks nothing.) */
bool conf_cache_wanted(const struct conf_cache *c, const struct snapshot *s, double now);
/* A read is starting under s's marker. */
void conf_cache_begin(struct conf_cache *c, const struct snapshot *s);
/* The read ended: xml (len bytes) or NULL. A parse error keeps the old
 * config out of use (it is no longer what the node has). */
void conf_cache_store(struct conf_cache *c, const char *xml, size_t len, const char *source, double now);
/* The parsed config, or NULL. */
const struct xmlconf *conf_cache_get(const struct conf_cache *c);
void conf_cache_free(struct conf_cache *c);

/* The results of the config checks over these configs: struct
 * config_result in src/checks/view.h, which applies them to a view. */

#endif
