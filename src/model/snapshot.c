#include "snapshot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *const error_labels[] = {
	[NERR_NONE] = "ok",
	[NERR_NOT_POLLED] = "not-polled",
	[NERR_REFUSED] = "connection-refused",
	[NERR_UNREACHABLE] = "unreachable",
	[NERR_TIMEOUT] = "timeout",
	[NERR_TLS_UNTRUSTED] = "tls-untrusted",
	[NERR_TLS_EXPIRED] = "tls-expired",
	[NERR_TLS_NAME] = "tls-name-mismatch",
	[NERR_TLS_PIN] = "tls-pin-mismatch",
	[NERR_TLS_OTHER] = "tls-error",
	[NERR_AUTH] = "auth-failed",
	[NERR_FORBIDDEN] = "forbidden",
	[NERR_NOT_FOUND] = "not-found",
	[NERR_SERVER] = "server-error",
	[NERR_PROTOCOL] = "bad-reply",
	[NERR_HOSTKEY_UNKNOWN] = "hostkey-unknown",
	[NERR_HOSTKEY_CHANGED] = "hostkey-changed",
	[NERR_COMMAND] = "command-failed",
	[NERR_CONFIG] = "config-error",
	[NERR_DOWN] = "down",
	[NERR_READ_ONLY] = "read-only",
	[NERR_INTERNAL] = "internal-error",
};

const char *node_error_label(enum node_error e)
{
	if ((size_t)e < ARRAY_LEN(error_labels) && error_labels[e])
		return error_labels[e];
	return "error";
}

static const char *const status_names[] = {
	[CARP_ST_UNKNOWN] = "UNKNOWN", [CARP_ST_INIT] = "INIT", [CARP_ST_BACKUP] = "BACKUP",
	[CARP_ST_MASTER] = "MASTER", [CARP_ST_DISABLED] = "DISABLED",
};

const char *carp_status_name(enum carp_status s)
{
	return (size_t)s < ARRAY_LEN(status_names) ? status_names[s] : "UNKNOWN";
}

enum carp_status carp_status_parse(const char *s)
{
	size_t i;
	if (!s)
		return CARP_ST_UNKNOWN;
	for (i = 1; i < ARRAY_LEN(status_names); i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return (enum carp_status)i;
	return CARP_ST_UNKNOWN;
}

const char *vip_mode_name(enum vip_mode m)
{
	return m == VIP_MODE_IPALIAS ? "ipalias" : "carp";
}

const char *fw_state_name(enum fw_state s)
{
	static const char *const names[] = {
		[FW_UNKNOWN] = "unknown", [FW_IDLE] = "idle", [FW_UPDATE_AVAILABLE] = "update-available",
		[FW_RUNNING] = "running", [FW_REBOOTING] = "rebooting", [FW_DONE] = "done", [FW_ERROR] = "error",
	};
	return (size_t)s < ARRAY_LEN(names) ? names[s] : "unknown";
}

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->err = NERR_NOT_POLLED;
	str_copy(s->error, "not polled yet", sizeof(s->error));
	s->carp.preempt = -1;
	s->states.current = s->states.limit = -1;
}

void snapshot_clear(struct snapshot *s)
{
	free(s->vips);
	free(s->partial);
	snapshot_init(s);
}

void snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	free(dst->vips);
	free(dst->partial);
	*dst = *src;
	dst->vips = NULL;
	dst->partial = NULL;
	if (src->n_vips) {
		dst->vips = xcalloc(src->n_vips, sizeof(*dst->vips));
		memcpy(dst->vips, src->vips, src->n_vips * sizeof(*dst->vips));
	}
	if (src->n_partial > 0) {
		dst->partial = xcalloc((size_t)src->n_partial, sizeof(*dst->partial));
		memcpy(dst->partial, src->partial, (size_t)src->n_partial * sizeof(*dst->partial));
	}
}

struct vip_row *snapshot_add_vip(struct snapshot *s)
{
	struct vip_row *r;
	s->vips = xrealloc(s->vips, (s->n_vips + 1) * sizeof(*s->vips));
	r = &s->vips[s->n_vips++];
	memset(r, 0, sizeof(*r));
	r->prefix = r->advbase = r->advskew = -1;
	return r;
}

void snapshot_set_error(struct snapshot *s, enum node_error e, const char *fmt, ...)
{
	va_list ap;
	s->reachable = false;
	s->err = e;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	text_sanitize_inplace(s->error);
}

static struct snap_partial *new_partial(struct snapshot *s)
{
	struct snap_partial *p;
	if (s->n_partial >= SNAP_MAX_PARTIAL)
		return NULL;
	s->partial = xrealloc(s->partial, (size_t)(s->n_partial + 1) * sizeof(*s->partial));
	p = &s->partial[s->n_partial++];
	memset(p, 0, sizeof(*p));
	return p;
}

void snapshot_put_partial(struct snapshot *s, const struct snap_partial *from)
{
	struct snap_partial *p = new_partial(s);
	if (p)
		*p = *from;
}

void snapshot_add_partial(struct snapshot *s, const char *what, enum node_error e, const char *fmt, ...)
{
	va_list ap;
	struct snap_partial *p = new_partial(s);
	if (!p)
		return;
	str_copy(p->what, what, sizeof(p->what));
	p->err = e;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	text_sanitize_inplace(p->msg);
}

/* OPNsense's status_msg carries an HTML line break for its GUI. */
static void drop_html_breaks(char *s)
{
	static const char *const tags[] = { "<br />", "<br/>", "<br>" };
	size_t t;
	for (t = 0; t < ARRAY_LEN(tags); t++) {
		char *p;
		size_t n = strlen(tags[t]);
		while ((p = strstr(s, tags[t]))) {
			*p = ' ';
			memmove(p + 1, p + n, strlen(p + n) + 1);
		}
	}
}

void snapshot_sanitize(struct snapshot *s)
{
	size_t i;
	int k;
	drop_html_breaks(s->carp.status_msg);
	text_sanitize_inplace(s->error);
	text_sanitize_inplace(s->hostname);
	text_sanitize_inplace(s->version);
	text_sanitize_inplace(s->carp.status_msg);
	for (i = 0; i < s->n_vips; i++) {
		text_sanitize_inplace(s->vips[i].ifname);
		text_sanitize_inplace(s->vips[i].ifdev);
		text_sanitize_inplace(s->vips[i].address);
	}
	text_sanitize_inplace(s->pfsync.syncdev);
	text_sanitize_inplace(s->pfsync.syncpeer);
	text_sanitize_inplace(s->pfsync.hostid);
	for (k = 0; k < s->pfsync.n_creators && k < SNAP_MAX_CREATORS; k++)
		text_sanitize_inplace(s->pfsync.creators[k]);
	text_sanitize_inplace(s->hasync.sync_target);
	text_sanitize_inplace(s->hasync.sync_items);
	text_sanitize_inplace(s->hasync.peer_version);
	text_sanitize_inplace(s->hasync.peer_error);
	text_sanitize_inplace(s->firmware.version);
	for (k = 0; k < s->n_partial; k++)
		text_sanitize_inplace(s->partial[k].msg);
}
