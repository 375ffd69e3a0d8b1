#include "confcache.h"

#include <stdlib.h>
#include <string.h>

#include "confslim.h"
#include "util.h"

bool conf_cache_wanted(const struct conf_cache *c, const struct snapshot *s, double now)
{
	if (c->pending || !s || !s->reachable)
		return false;
	if (c->fetched <= 0 || c->reread)
		return true;
	if (s->config_marker[0])
		return strcmp(s->config_marker, c->marker) != 0;
	return now - c->fetched >= CONF_CACHE_REFRESH_S;
}

void conf_cache_begin(struct conf_cache *c, const struct snapshot *s)
{
	c->pending = true;
	c->reread = false;
	str_copy(c->pending_marker, s ? s->config_marker : "", sizeof(c->pending_marker));
}

void conf_cache_store(struct conf_cache *c, const char *xml, size_t len, const char *source, double now)
{
	struct xmlconf fresh;
	char *cause = NULL;

	c->pending = false;
	c->fetched = now;
	c->gen++;
	/* Also a failed read is remembered under its marker: the same config
	 * is not fetched again on every poll. */
	str_copy(c->marker, c->pending_marker, sizeof(c->marker));
	if (!xml) {
		/* What was cached is no longer known to be what the node has. */
		str_copy(c->error, "config.xml could not be read", sizeof(c->error));
		if (c->valid)
			xmlconf_free(&c->conf);
		c->valid = false;
		return;
	}
	if (xmlconf_parse(xml, len, source, &fresh, &cause) < 0) {
		text_sanitize(c->error, cause, sizeof(c->error));
		free(cause);
		if (c->valid)
			xmlconf_free(&c->conf);
		c->valid = false;
		return;
	}
	if (c->valid)
		xmlconf_free(&c->conf);
	c->conf = fresh;
	c->valid = true;
	c->error[0] = '\0';
}

/* The text holds secrets (CARP and XMLRPC passwords): wiped, as the
 * backends wipe theirs. */
static void drop_held(struct conf_cache *c)
{
	if (c->held)
		explicit_bzero(c->held, c->held_len);
	free(c->held);
	c->held = NULL;
	c->held_len = 0;
}

/* The held text of c, parsed again and slimmed against `against`. */
static void resolve_held(struct conf_cache *c, const struct xmlconf *against)
{
	struct xmlconf fresh;
	char *cause = NULL;
	if (c->valid && xmlconf_parse(c->held, c->held_len, c->conf.source, &fresh, &cause) == 0) {
		conf_slim(&fresh, against);
		xmlconf_free(&c->conf);
		c->conf = fresh;
		c->gen++;
	}
	free(cause);
	drop_held(c);
}

void conf_cache_slim(struct conf_cache *c, struct conf_cache *peer, const char *xml, size_t len, bool peer_coming)
{
	const struct xmlconf *pc = conf_cache_get(peer);
	drop_held(c);
	if (!c->valid) {
		/* Nothing of this node to compare with: the peer stops waiting. */
		if (peer)
			drop_held(peer);
		return;
	}
	if (c->conf.slim)
		return;
	if (!pc && peer_coming && xml) {
		c->held = xmalloc(len + 1);
		memcpy(c->held, xml, len);
		c->held[len] = '\0';
		c->held_len = len;
	}
	conf_slim(&c->conf, pc);
	if (!pc)
		return;
	if (peer->held)
		resolve_held(peer, &c->conf);
	else if (!peer->pending && conf_slim_lacks(pc, &c->conf))
		peer->reread = true; /* a read running is slimmed against this one when it ends */
}

const struct xmlconf *conf_cache_get(const struct conf_cache *c)
{
	return c && c->valid ? &c->conf : NULL;
}

void conf_cache_free(struct conf_cache *c)
{
	if (!c)
		return;
	if (c->valid)
		xmlconf_free(&c->conf);
	drop_held(c);
	memset(c, 0, sizeof(*c));
}
