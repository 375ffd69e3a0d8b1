#include "confcache.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

bool conf_cache_wanted(const struct conf_cache *c, const struct snapshot *s, double now)
{
	if (c->pending || !s || !s->reachable)
		return false;
	if (c->fetched <= 0)
		return true;
	if (s->config_marker[0])
		return strcmp(s->config_marker, c->marker) != 0;
	return now - c->fetched >= CONF_CACHE_REFRESH_S;
}

void conf_cache_begin(struct conf_cache *c, const struct snapshot *s)
{
	c->pending = true;
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
	memset(c, 0, sizeof(*c));
}
