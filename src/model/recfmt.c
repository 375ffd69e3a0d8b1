#include "recfmt.h"

#include <string.h>
#include <zlib.h>

/* ---- varints ---- */

void rec_put_uvar(struct strbuf *out, uint64_t v)
{
	char b[10];
	size_t n = 0;
	do {
		b[n] = (char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= (char)0x80;
		n++;
	} while (v);
	sb_addn(out, b, n);
}

void rec_put_svar(struct strbuf *out, int64_t v)
{
	rec_put_uvar(out, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void rec_put_str(struct strbuf *out, const char *s, size_t n)
{
	rec_put_uvar(out, n);
	if (n)
		sb_addn(out, s, n);
}

int rec_get_uvar(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	unsigned shift = 0;
	while (*p < end && shift < 64) {
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

int rec_get_svar(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t u;
	if (rec_get_uvar(p, end, &u) < 0)
		return -1;
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

int rec_get_str(const uint8_t **p, const uint8_t *end, struct strbuf *s)
{
	uint64_t n;
	if (rec_get_uvar(p, end, &n) < 0 || n > (uint64_t)(end - *p))
		return -1;
	s->len = 0;
	if (s->buf)
		s->buf[0] = '\0';
	sb_addn(s, (const char *)*p, (size_t)n);
	*p += n;
	return 0;
}

/* ---- framing ---- */

void rec_frame(struct strbuf *out, const uint8_t *payload, size_t len)
{
	uLong crc = crc32(0L, payload, (uInt)len);
	char c[4] = { (char)(crc & 0xff), (char)((crc >> 8) & 0xff), (char)((crc >> 16) & 0xff),
		      (char)((crc >> 24) & 0xff) };
	sb_addc(out, (char)REC_SYNC);
	rec_put_uvar(out, len);
	sb_addn(out, (const char *)payload, len);
	sb_addn(out, c, 4);
}

int rec_unframe(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **payload, size_t *plen)
{
	const uint8_t *p = buf + *pos, *end = buf + len;
	uint64_t n;
	uint32_t want;
	if (p >= end)
		return 0;
	if (*p != REC_SYNC)
		return -2;
	p++;
	if (rec_get_uvar(&p, end, &n) < 0)
		return -1; /* the length itself is cut off */
	if (n > REC_MAX_PAYLOAD)
		return -2;
	if (n + 4 > (uint64_t)(end - p))
		return -1;
	want = (uint32_t)p[n] | (uint32_t)p[n + 1] << 8 | (uint32_t)p[n + 2] << 16 | (uint32_t)p[n + 3] << 24;
	if (crc32(0L, p, (uInt)n) != want)
		return -2;
	*payload = p;
	*plen = (size_t)n;
	*pos = (size_t)(p + n + 4 - buf);
	return 1;
}

/* ---- snapshot fields ---- */

bool rec_field_is_text(enum rec_field f)
{
	switch (f) {
	case RF_ERROR: case RF_HOSTNAME: case RF_VERSION: case RF_STATUS_MSG: case RF_SYNCDEV: case RF_SYNCPEER:
	case RF_HOSTID: case RF_CREATORS: case RF_SYNC_TARGET: case RF_SYNC_ITEMS: case RF_PEER_VERSION:
	case RF_PEER_ERROR: case RF_FW_VERSION: case RF_PARTIAL: case RF_CONFIG_MARKER: case RF_VIPS:
	case RF_VIP_STATUS:
		return true;
	default:
		return false;
	}
}

void rec_fields_init(struct rec_fields *f)
{
	int i;
	memset(f, 0, sizeof(*f));
	for (i = 0; i < RF_COUNT; i++)
		sb_init(&f->v[i].s);
}

void rec_fields_free(struct rec_fields *f)
{
	int i;
	for (i = 0; i < RF_COUNT; i++)
		sb_free(&f->v[i].s);
	memset(f, 0, sizeof(*f));
}

static void set_text(struct rec_value *v, const char *s, size_t n)
{
	v->s.len = 0;
	if (v->s.buf)
		v->s.buf[0] = '\0';
	sb_addn(&v->s, s, n);
}

void rec_fields_copy(struct rec_fields *dst, const struct rec_fields *src)
{
	int i;
	for (i = 0; i < RF_COUNT; i++) {
		dst->v[i].i = src->v[i].i;
		set_text(&dst->v[i], src->v[i].s.buf ? src->v[i].s.buf : "", src->v[i].s.len);
	}
}

static void put_cstr(struct strbuf *b, const char *s)
{
	rec_put_str(b, s, strlen(s));
}

void rec_fields_from_snapshot(struct rec_fields *f, const struct snapshot *s)
{
	struct strbuf b;
	size_t i;
	int k;
#define I(tag, val) (f->v[tag].i = (long long)(val))
#define T(tag, str) set_text(&f->v[tag], (str), strlen(str))
	I(RF_REACHABLE, s->reachable);
	I(RF_ERR, s->err);
	T(RF_ERROR, s->error);
	T(RF_HOSTNAME, s->hostname);
	T(RF_VERSION, s->version);
	I(RF_CARP_KNOWN, s->carp.known);
	I(RF_ALLOW, s->carp.allow);
	I(RF_DEMOTION, s->carp.demotion);
	I(RF_MAINTENANCE, s->carp.maintenance);
	I(RF_PREEMPT, s->carp.preempt);
	T(RF_STATUS_MSG, s->carp.status_msg);
	I(RF_STATES, s->states.current);
	I(RF_STATE_LIMIT, s->states.limit);
	I(RF_PFSYNC_KNOWN, s->pfsync.known);
	T(RF_SYNCDEV, s->pfsync.syncdev);
	T(RF_SYNCPEER, s->pfsync.syncpeer);
	T(RF_HOSTID, s->pfsync.hostid);
	I(RF_HASYNC_KNOWN, s->hasync.known);
	T(RF_SYNC_TARGET, s->hasync.sync_target);
	T(RF_SYNC_ITEMS, s->hasync.sync_items);
	I(RF_PEER_KNOWN, s->hasync.peer_reachable_known);
	I(RF_PEER_REACHABLE, s->hasync.peer_reachable);
	T(RF_PEER_VERSION, s->hasync.peer_version);
	T(RF_PEER_ERROR, s->hasync.peer_error);
	T(RF_FW_VERSION, s->firmware.version);
	I(RF_FW_STATE, s->firmware.state);
	T(RF_CONFIG_MARKER, s->config_marker);
	I(RF_DURATION_MS, s->duration_ms + 0.5);
#undef I
#undef T
	/* Lists: each one string of length-prefixed parts. */
	sb_init(&b);
	for (k = 0; k < s->pfsync.n_creators && k < SNAP_MAX_CREATORS; k++)
		put_cstr(&b, s->pfsync.creators[k]);
	set_text(&f->v[RF_CREATORS], b.buf ? b.buf : "", b.len);
	b.len = 0;
	for (k = 0; k < s->n_partial && k < SNAP_MAX_PARTIAL; k++) {
		put_cstr(&b, s->partial[k].what);
		rec_put_uvar(&b, (uint64_t)s->partial[k].err);
		put_cstr(&b, s->partial[k].msg);
	}
	set_text(&f->v[RF_PARTIAL], b.buf ? b.buf : "", b.len);
	b.len = 0;
	for (i = 0; i < s->n_vips; i++) {
		const struct vip_row *r = &s->vips[i];
		put_cstr(&b, r->ifname);
		put_cstr(&b, r->ifdev);
		rec_put_svar(&b, r->vhid);
		put_cstr(&b, r->address);
		rec_put_svar(&b, r->prefix);
		rec_put_uvar(&b, (uint64_t)r->mode);
		rec_put_svar(&b, r->advbase);
		rec_put_svar(&b, r->advskew);
	}
	set_text(&f->v[RF_VIPS], b.buf ? b.buf : "", b.len);
	b.len = 0;
	for (i = 0; i < s->n_vips; i++)
		sb_addc(&b, (char)('0' + s->vips[i].status));
	set_text(&f->v[RF_VIP_STATUS], b.buf ? b.buf : "", b.len);
	sb_free(&b);
}

static void text_out(const struct rec_fields *f, enum rec_field tag, char *dst, size_t n)
{
	size_t len = f->v[tag].s.len < n - 1 ? f->v[tag].s.len : n - 1;
	if (len)
		memcpy(dst, f->v[tag].s.buf, len);
	dst[len] = '\0';
}

static int get_cstr(const uint8_t **p, const uint8_t *end, char *dst, size_t n)
{
	uint64_t len;
	size_t k;
	if (rec_get_uvar(p, end, &len) < 0 || len > (uint64_t)(end - *p))
		return -1;
	k = len < n - 1 ? (size_t)len : n - 1;
	memcpy(dst, *p, k);
	dst[k] = '\0';
	*p += len;
	return 0;
}

void rec_fields_to_snapshot(const struct rec_fields *f, struct snapshot *s, double taken)
{
	const uint8_t *p, *end;
	const struct strbuf *st;
	size_t i;

	snapshot_clear(s);
	s->reachable = f->v[RF_REACHABLE].i != 0;
	s->err = (enum node_error)f->v[RF_ERR].i;
	text_out(f, RF_ERROR, s->error, sizeof(s->error));
	text_out(f, RF_HOSTNAME, s->hostname, sizeof(s->hostname));
	text_out(f, RF_VERSION, s->version, sizeof(s->version));
	s->carp.known = f->v[RF_CARP_KNOWN].i != 0;
	s->carp.allow = (int)f->v[RF_ALLOW].i;
	s->carp.demotion = (long)f->v[RF_DEMOTION].i;
	s->carp.maintenance = f->v[RF_MAINTENANCE].i != 0;
	s->carp.preempt = (int)f->v[RF_PREEMPT].i;
	text_out(f, RF_STATUS_MSG, s->carp.status_msg, sizeof(s->carp.status_msg));
	s->states.current = f->v[RF_STATES].i;
	s->states.limit = f->v[RF_STATE_LIMIT].i;
	s->pfsync.known = f->v[RF_PFSYNC_KNOWN].i != 0;
	text_out(f, RF_SYNCDEV, s->pfsync.syncdev, sizeof(s->pfsync.syncdev));
	text_out(f, RF_SYNCPEER, s->pfsync.syncpeer, sizeof(s->pfsync.syncpeer));
	text_out(f, RF_HOSTID, s->pfsync.hostid, sizeof(s->pfsync.hostid));
	s->hasync.known = f->v[RF_HASYNC_KNOWN].i != 0;
	text_out(f, RF_SYNC_TARGET, s->hasync.sync_target, sizeof(s->hasync.sync_target));
	text_out(f, RF_SYNC_ITEMS, s->hasync.sync_items, sizeof(s->hasync.sync_items));
	s->hasync.peer_reachable_known = f->v[RF_PEER_KNOWN].i != 0;
	s->hasync.peer_reachable = f->v[RF_PEER_REACHABLE].i != 0;
	text_out(f, RF_PEER_VERSION, s->hasync.peer_version, sizeof(s->hasync.peer_version));
	text_out(f, RF_PEER_ERROR, s->hasync.peer_error, sizeof(s->hasync.peer_error));
	text_out(f, RF_FW_VERSION, s->firmware.version, sizeof(s->firmware.version));
	s->firmware.state = (enum fw_state)f->v[RF_FW_STATE].i;
	text_out(f, RF_CONFIG_MARKER, s->config_marker, sizeof(s->config_marker));
	s->duration_ms = (double)f->v[RF_DURATION_MS].i;
	s->taken = taken;

	st = &f->v[RF_CREATORS].s;
	p = (const uint8_t *)st->buf;
	end = p + st->len;
	while (p && p < end && s->pfsync.n_creators < SNAP_MAX_CREATORS &&
	       get_cstr(&p, end, s->pfsync.creators[s->pfsync.n_creators], sizeof(s->pfsync.creators[0])) == 0)
		s->pfsync.n_creators++;

	st = &f->v[RF_PARTIAL].s;
	p = (const uint8_t *)st->buf;
	end = p + st->len;
	while (p && p < end && s->n_partial < SNAP_MAX_PARTIAL) {
		struct snap_partial sp;
		uint64_t e;
		memset(&sp, 0, sizeof(sp));
		if (get_cstr(&p, end, sp.what, sizeof(sp.what)) < 0 || rec_get_uvar(&p, end, &e) < 0 ||
		    get_cstr(&p, end, sp.msg, sizeof(sp.msg)) < 0)
			break;
		sp.err = (enum node_error)e;
		snapshot_put_partial(s, &sp);
	}

	st = &f->v[RF_VIPS].s;
	p = (const uint8_t *)st->buf;
	end = p + st->len;
	for (i = 0; p && p < end; i++) {
		struct vip_row r;
		int64_t vhid, prefix, base, skew;
		uint64_t mode;
		memset(&r, 0, sizeof(r));
		if (get_cstr(&p, end, r.ifname, sizeof(r.ifname)) < 0 || get_cstr(&p, end, r.ifdev, sizeof(r.ifdev)) < 0 ||
		    rec_get_svar(&p, end, &vhid) < 0 || get_cstr(&p, end, r.address, sizeof(r.address)) < 0 ||
		    rec_get_svar(&p, end, &prefix) < 0 || rec_get_uvar(&p, end, &mode) < 0 ||
		    rec_get_svar(&p, end, &base) < 0 || rec_get_svar(&p, end, &skew) < 0)
			break;
		r.vhid = (int)vhid;
		r.prefix = (int)prefix;
		r.mode = mode ? VIP_MODE_IPALIAS : VIP_MODE_CARP;
		r.advbase = (int)base;
		r.advskew = (int)skew;
		r.status = i < f->v[RF_VIP_STATUS].s.len && f->v[RF_VIP_STATUS].s.buf[i] >= '0' &&
				   f->v[RF_VIP_STATUS].s.buf[i] <= '0' + CARP_ST_DISABLED
			       ? (enum carp_status)(f->v[RF_VIP_STATUS].s.buf[i] - '0')
			       : CARP_ST_UNKNOWN;
		*snapshot_add_vip(s) = r;
	}
}

static bool text_same(const struct rec_value *a, const struct rec_value *b)
{
	return a->s.len == b->s.len && (!a->s.len || memcmp(a->s.buf, b->s.buf, a->s.len) == 0);
}

int rec_fields_encode(struct strbuf *out, const struct rec_fields *base, const struct rec_fields *cur)
{
	int tag, changed = 0;
	for (tag = 1; tag < RF_COUNT; tag++) {
		const struct rec_value *c = &cur->v[tag];
		if (rec_field_is_text((enum rec_field)tag)) {
			if (base ? text_same(&base->v[tag], c) : !c->s.len)
				continue;
			rec_put_uvar(out, (uint64_t)tag);
			rec_put_str(out, c->s.buf, c->s.len);
		} else {
			long long was = base ? base->v[tag].i : 0;
			if (was == c->i)
				continue;
			/* Numbers as the difference to the last value: a state count
			 * that moves by a few hundred costs two bytes. */
			rec_put_uvar(out, (uint64_t)tag);
			rec_put_svar(out, (int64_t)((unsigned long long)c->i - (unsigned long long)was));
		}
		changed++;
	}
	rec_put_uvar(out, RF_END);
	return changed;
}

int rec_fields_decode(struct rec_fields *f, const uint8_t **p, const uint8_t *end)
{
	for (;;) {
		uint64_t tag;
		if (rec_get_uvar(p, end, &tag) < 0)
			return -1;
		if (tag == RF_END)
			return 0;
		if (tag >= RF_COUNT)
			return -1; /* a field of a newer format: cannot know its shape */
		if (rec_field_is_text((enum rec_field)tag)) {
			if (rec_get_str(p, end, &f->v[tag].s) < 0)
				return -1;
		} else {
			int64_t d;
			if (rec_get_svar(p, end, &d) < 0)
				return -1;
			f->v[tag].i = (long long)((unsigned long long)f->v[tag].i + (unsigned long long)d);
		}
	}
}
