#include "replay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "pair.h"
#include "view.h"

/* ---- loading ---- */

static uint8_t *read_all(const char *path, size_t *len, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		*cause = xasprintf("cannot read the recording %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

static int cluster_by_name(struct config *cfg, const char *name)
{
	size_t i;
	for (i = 0; i < cfg->n_clusters; i++)
		if (str_eq(cfg->clusters[i].name, name))
			return (int)i;
	return -1;
}

static char *get_text(const uint8_t **p, const uint8_t *end, bool *ok)
{
	struct strbuf s;
	sb_init(&s);
	if (rec_get_str(p, end, &s) < 0)
		*ok = false;
	return sb_steal(&s);
}

/* A header: the clusters of a run, merged into R->cfg by name. */
static int parse_header(struct recording *R, const uint8_t *p, const uint8_t *end)
{
	uint64_t version, t0, pid, n, ms, role, tr;
	struct rec_run *run;
	bool ok = true;
	size_t i;
	int k;
	char *host;
	if (rec_get_uvar(&p, end, &version) < 0 || version != REC_VERSION || rec_get_uvar(&p, end, &t0) < 0)
		return -1;
	host = get_text(&p, end, &ok);
	free(host);
	if (!ok || rec_get_uvar(&p, end, &pid) < 0 || rec_get_uvar(&p, end, &n) < 0 || n > 100000)
		return -1;
	R->runs = xrealloc(R->runs, (R->n_runs + 1) * sizeof(*R->runs));
	run = &R->runs[R->n_runs++];
	run->n = (size_t)n;
	run->map = xcalloc(run->n + 1, sizeof(*run->map));
	for (i = 0; i < run->n; i++) {
		char *name = get_text(&p, end, &ok), *nodes[CLUSTER_NODES];
		int roles[CLUSTER_NODES], trs[CLUSTER_NODES], g;
		if (!ok || rec_get_uvar(&p, end, &ms) < 0) {
			free(name);
			return -1;
		}
		for (k = 0; k < CLUSTER_NODES; k++) {
			nodes[k] = get_text(&p, end, &ok);
			if (rec_get_uvar(&p, end, &role) < 0 || rec_get_uvar(&p, end, &tr) < 0)
				ok = false;
			roles[k] = (int)role;
			trs[k] = (int)tr;
		}
		g = cluster_by_name(&R->cfg, name);
		if (ok && g < 0) {
			struct cluster_conf *c;
			R->cfg.clusters = xrealloc(R->cfg.clusters, (R->cfg.n_clusters + 1) * sizeof(*c));
			c = &R->cfg.clusters[R->cfg.n_clusters];
			memset(c, 0, sizeof(*c));
			c->name = xstrdup(name);
			c->interval = (double)ms / 1000.0;
			c->theme = xstrdup("default");
			/* The loader's defaults: the config's own values are not recorded. */
			c->maintenance_max_age = 4 * 3600.0;
			c->state_ratio = 0.2;
			for (k = 0; k < CLUSTER_NODES; k++) {
				c->nodes[k].name = xstrdup(nodes[k]);
				c->nodes[k].role = roles[k] ? ROLE_SECONDARY : ROLE_PRIMARY;
				c->nodes[k].transport = (enum transport)trs[k];
			}
			g = (int)R->cfg.n_clusters++;
		}
		run->map[i] = g;
		free(name);
		for (k = 0; k < CLUSTER_NODES; k++)
			free(nodes[k]);
		if (!ok)
			return -1;
	}
	run->t0 = (double)t0 / 1000.0;
	return 0;
}

static void add_frame(struct recording *R, const struct rec_frame *f, size_t *cap)
{
	if (R->n_frames == *cap)
		R->frames = xrealloc(R->frames, (*cap = *cap ? *cap * 2 : 1024) * sizeof(*R->frames));
	R->frames[R->n_frames] = *f;
	R->frames[R->n_frames].seq = R->n_frames;
	R->n_frames++;
}

/* "... cluster=hq node=fw1 action=..." -> the cluster's index, or -1. */
static int action_cluster(struct recording *R, const uint8_t *line, size_t len)
{
	char buf[512], *p, *e;
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	p = strstr(buf, " cluster=");
	if (!p)
		return -1;
	p += strlen(" cluster=");
	e = strchr(p, ' ');
	if (e)
		*e = '\0';
	return cluster_by_name(&R->cfg, p);
}

static void load_file(struct recording *R, const uint8_t *buf, size_t len, size_t *cap)
{
	size_t pos = REC_MAGIC_LEN;
	long run = -1;
	bool base[64 * CLUSTER_NODES]; /* per run cluster and node: a full record was seen */
	size_t nbase = 0;

	memset(base, 0, sizeof(base));
	for (;;) {
		const uint8_t *p, *end;
		size_t plen;
		uint64_t cl, node;
		int64_t ms;
		struct rec_frame f;
		int rc = rec_unframe(buf, len, &pos, &p, &plen);
		if (rc == 0)
			break;
		if (rc == -1) {
			R->torn++; /* the last record was cut off: what came before stands */
			break;
		}
		if (rc == -2) {
			/* A damaged record: skip to the next sync byte. Deltas need
			 * their base, so every node waits for its next full record. */
			R->bad++;
			memset(base, 0, sizeof(base));
			pos++;
			while (pos < len && buf[pos] != REC_SYNC)
				pos++;
			continue;
		}
		end = p + plen;
		memset(&f, 0, sizeof(f));
		f.type = (char)*p++;
		if (f.type == REC_HEADER) {
			if (parse_header(R, p, end) == 0) {
				run = (long)R->n_runs - 1;
				nbase = R->runs[run].n * CLUSTER_NODES;
				memset(base, 0, sizeof(base));
			} else {
				R->bad++;
				run = -1;
			}
			continue;
		}
		if (run < 0 || rec_get_svar(&p, end, &ms) < 0)
			continue;
		f.t = R->runs[run].t0 + (double)ms / 1000.0;
		f.run = (size_t)run;
		if (f.type == REC_ACTION) {
			uint64_t n;
			if (rec_get_uvar(&p, end, &n) < 0 || n > (uint64_t)(end - p))
				continue;
			f.body = p;
			f.len = (size_t)n;
			f.cluster = action_cluster(R, p, (size_t)n);
			f.node = -1;
			add_frame(R, &f, cap);
			continue;
		}
		if ((f.type != REC_KEY && f.type != REC_DELTA) || rec_get_uvar(&p, end, &cl) < 0 ||
		    rec_get_uvar(&p, end, &node) < 0 || cl >= R->runs[run].n || node >= CLUSTER_NODES) {
			R->bad++;
			continue;
		}
		f.run_cluster = (int)cl;
		f.cluster = R->runs[run].map[cl];
		f.node = (int)node;
		f.body = p;
		f.len = (size_t)(end - p);
		if (cl * CLUSTER_NODES + node < nbase && cl < 64) {
			bool *b = &base[cl * CLUSTER_NODES + node];
			if (f.type == REC_KEY)
				*b = true;
			else if (!*b) {
				R->dropped++;
				continue;
			}
		}
		add_frame(R, &f, cap);
	}
}

static int cmp_frame(const void *a, const void *b)
{
	const struct rec_frame *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(struct recording *R, const char *path, size_t *cap, bool must, char **cause)
{
	size_t len;
	uint8_t *buf = read_all(path, &len, cause);
	if (!buf)
		return -1;
	if (len < REC_MAGIC_LEN || memcmp(buf, REC_MAGIC, REC_MAGIC_LEN) != 0) {
		free(buf);
		if (!must)
			return 0;
		*cause = xasprintf("%s is not a carptop recording (no '%.11s' header)", path, REC_MAGIC);
		return -1;
	}
	R->files = xrealloc(R->files, (R->n_files + 1) * sizeof(*R->files));
	R->files[R->n_files++] = buf;
	load_file(R, buf, len, cap);
	return 0;
}

int recording_open(struct recording *R, const char *path, char **cause)
{
	struct stat st;
	size_t cap = 0;
	memset(R, 0, sizeof(*R));
	R->cfg.path = xstrdup(path);
	R->cfg.interval = 2;
	R->cfg.theme = xstrdup("default");
	R->cfg.read_only = true;
	if (stat(path, &st) < 0) {
		*cause = xasprintf("cannot open the recording %s: %s", path, strerror(errno));
		recording_free(R);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, i;
		if (!d) {
			*cause = xasprintf("cannot read the directory %s: %s", path, strerror(errno));
			recording_free(R);
			return -1;
		}
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (l > 4 && strcmp(e->d_name + l - 4, ".ctr") == 0) {
				names = xrealloc(names, (n + 1) * sizeof(*names));
				names[n++] = xasprintf("%s/%s", path, e->d_name);
			}
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(*names), cmp_name);
		for (i = 0; i < n; i++) {
			char *why = NULL;
			if (add_path(R, names[i], &cap, false, &why) < 0)
				free(why); /* pruned meanwhile: the others still count */
			free(names[i]);
		}
		free(names);
		if (!R->n_files) {
			*cause = xasprintf("no recording segments (*.ctr) in %s", path);
			recording_free(R);
			return -1;
		}
	} else if (add_path(R, path, &cap, true, cause) < 0) {
		recording_free(R);
		return -1;
	}
	if (!R->cfg.n_clusters) {
		*cause = xasprintf("%s holds no recorded cluster", path);
		recording_free(R);
		return -1;
	}
	if (R->n_frames) {
		qsort(R->frames, R->n_frames, sizeof(*R->frames), cmp_frame);
		R->first = R->frames[0].t;
		R->last = R->frames[R->n_frames - 1].t;
	}
	return 0;
}

void recording_free(struct recording *R)
{
	size_t i;
	for (i = 0; i < R->n_files; i++)
		free(R->files[i]);
	free(R->files);
	for (i = 0; i < R->n_runs; i++)
		free(R->runs[i].map);
	free(R->runs);
	free(R->frames);
	config_free(&R->cfg);
	memset(R, 0, sizeof(*R));
}

/* ---- the cursor ---- */

void replay_cursor_init(struct replay_cursor *c, const struct recording *R)
{
	size_t i, total = 0, n = R->cfg.n_clusters * CLUSTER_NODES;
	memset(c, 0, sizeof(*c));
	c->R = R;
	c->ctx_off = xcalloc(R->n_runs + 1, sizeof(*c->ctx_off));
	for (i = 0; i < R->n_runs; i++) {
		c->ctx_off[i] = total;
		total += R->runs[i].n * CLUSTER_NODES;
	}
	c->ctx = xcalloc(total + 1, sizeof(*c->ctx));
	for (i = 0; i < total; i++)
		rec_fields_init(&c->ctx[i]);
	c->snap = xcalloc(n + 1, sizeof(*c->snap));
	c->have = xcalloc(n + 1, sizeof(*c->have));
	for (i = 0; i < n; i++)
		snapshot_init(&c->snap[i]);
	c->t = R->first;
}

static size_t ctx_count(const struct replay_cursor *c)
{
	const struct recording *R = c->R;
	return R->n_runs ? c->ctx_off[R->n_runs - 1] + R->runs[R->n_runs - 1].n * CLUSTER_NODES : 0;
}

void replay_cursor_free(struct replay_cursor *c)
{
	size_t i, n = c->R->cfg.n_clusters * CLUSTER_NODES, total = ctx_count(c);
	for (i = 0; i < total; i++)
		rec_fields_free(&c->ctx[i]);
	for (i = 0; i < n; i++)
		snapshot_clear(&c->snap[i]);
	free(c->ctx);
	free(c->ctx_off);
	free(c->snap);
	free(c->have);
	memset(c, 0, sizeof(*c));
}

static void fields_reset(struct rec_fields *f)
{
	int i;
	for (i = 0; i < RF_COUNT; i++) {
		f->v[i].i = 0;
		f->v[i].s.len = 0;
		if (f->v[i].s.buf)
			f->v[i].s.buf[0] = '\0';
	}
}

const struct rec_frame *replay_step(struct replay_cursor *c)
{
	const struct rec_frame *f;
	if (c->pos >= c->R->n_frames)
		return NULL;
	f = &c->R->frames[c->pos++];
	c->t = f->t;
	if (f->type == REC_KEY || f->type == REC_DELTA) {
		struct rec_fields *ctx = &c->ctx[c->ctx_off[f->run] + (size_t)f->run_cluster * CLUSTER_NODES + (size_t)f->node];
		size_t g = (size_t)f->cluster * CLUSTER_NODES + (size_t)f->node;
		const uint8_t *p = f->body;
		if (f->type == REC_KEY)
			fields_reset(ctx);
		if (rec_fields_decode(ctx, &p, f->body + f->len) == 0) {
			rec_fields_to_snapshot(ctx, &c->snap[g], f->t);
			snapshot_sanitize(&c->snap[g]);
			c->have[g] = true;
		}
	}
	return f;
}

void replay_seek(struct replay_cursor *c, double t)
{
	const struct recording *R = c->R;
	if (c->pos > 0 && R->frames[c->pos - 1].t > t) {
		/* Backwards: deltas only go forwards, so start over. */
		const struct recording *keep = R;
		replay_cursor_free(c);
		replay_cursor_init(c, keep);
	}
	while (c->pos < R->n_frames && R->frames[c->pos].t <= t)
		replay_step(c);
	c->t = t;
}

/* ---- time ---- */

int replay_parse_time(const char *s, double now, double *out, char **cause)
{
	struct tm tm;
	const char *rest;
	double frac = 0;
	long off = 0;
	bool zoned = false;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) || (rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm))) {
		/* a full date */
	} else if ((rest = strptime(s, "%Y-%m-%dT%H:%M", &tm)) && (!*rest || strchr("Z+-", *rest))) {
		/* seconds left out */
	} else {
		time_t n = (time_t)now;
		struct tm today;
		localtime_r(&n, &today);
		memset(&tm, 0, sizeof(tm));
		if (!(rest = strptime(s, "%H:%M:%S", &tm)) && !(rest = strptime(s, "%H:%M", &tm)))
			goto bad;
		tm.tm_year = today.tm_year;
		tm.tm_mon = today.tm_mon;
		tm.tm_mday = today.tm_mday;
	}
	if (*rest == '.' || *rest == ',') {
		char *end;
		char buf[16] = "0.";
		size_t k = 0;
		rest++;
		while (rest[k] >= '0' && rest[k] <= '9' && k < 9)
			k++;
		if (!k)
			goto bad;
		memcpy(buf + 2, rest, k);
		buf[2 + k] = '\0';
		frac = strtod(buf, &end);
		rest += k;
	}
	if (*rest == 'Z') {
		zoned = true;
		rest++;
	} else if (*rest == '+' || *rest == '-') {
		int hh, mm = 0, sign = *rest == '-' ? -1 : 1;
		if (sscanf(rest + 1, "%2d:%2d", &hh, &mm) < 1 && sscanf(rest + 1, "%2d%2d", &hh, &mm) < 1)
			goto bad;
		zoned = true;
		off = sign * (hh * 3600L + mm * 60L);
		rest += strspn(rest + 1, "0123456789:") + 1;
	}
	if (*rest)
		goto bad;
	if (zoned) {
		t = timegm(&tm) - off;
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t == (time_t)-1)
		goto bad;
	*out = (double)t + frac;
	return 0;
bad:
	*cause = xasprintf("'%s' is not a time: write ISO 8601 (2026-12-02T03:12:00, local unless it ends in Z or "
			   "+01:00) or HH:MM[:SS] for today",
			   s);
	return -1;
}

void replay_format_time(double t, char *dst, size_t n)
{
	time_t s = (time_t)floor(t);
	int ms = (int)((t - floor(t)) * 1000.0 + 0.5);
	struct tm tm;
	char b[32];
	if (ms >= 1000) {
		s++;
		ms -= 1000;
	}
	localtime_r(&s, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
	str_printf(dst, n, "%s.%03d", b, ms);
}

/* ---- the timeline ---- */

const char *vhid_state_name(enum vhid_state s)
{
	static const char *const names[] = {
		[VS_MASTER] = "master", [VS_NO_MASTER] = "no-master", [VS_SPLIT_BRAIN] = "split-brain",
		[VS_UNKNOWN] = "unknown",
	};
	return (size_t)s < ARRAY_LEN(names) ? names[s] : "?";
}

/* The status a node shows for a VHID: its CARP VIP's, as the pair model
 * (src/model/pair.c) takes it; IP aliases only stand in. */
static bool side_status(const struct snapshot *s, int vhid, enum carp_status *st)
{
	size_t i;
	bool found = false;
	for (i = 0; i < s->n_vips; i++) {
		if (s->vips[i].vhid != vhid)
			continue;
		if (!found || s->vips[i].mode == VIP_MODE_CARP)
			*st = s->vips[i].status;
		if (s->vips[i].mode == VIP_MODE_CARP)
			return true;
		found = true;
	}
	return found;
}

struct tl_build {
	struct replay_timeline *tl;
	size_t cap_ev, cap_iv, cap_out;
	double *down_since;     /* per recording node: its first failed poll, 0 = answering */
	struct vhid_watch vw;
	const struct recording *R;
};

static struct rec_event *tl_event(struct tl_build *b)
{
	struct replay_timeline *tl = b->tl;
	if (tl->n_ev == b->cap_ev)
		tl->ev = xrealloc(tl->ev, (b->cap_ev = b->cap_ev ? b->cap_ev * 2 : 256) * sizeof(*tl->ev));
	memset(&tl->ev[tl->n_ev], 0, sizeof(tl->ev[0]));
	return &tl->ev[tl->n_ev++];
}

static void tl_close(struct tl_build *b, const struct vhid_track *v, double end, bool open)
{
	struct replay_timeline *tl = b->tl;
	struct rec_interval *iv;
	if (tl->n_iv == b->cap_iv)
		tl->iv = xrealloc(tl->iv, (b->cap_iv = b->cap_iv ? b->cap_iv * 2 : 64) * sizeof(*tl->iv));
	iv = &tl->iv[tl->n_iv++];
	iv->cluster = v->cluster;
	iv->vhid = v->vhid;
	iv->state = v->state;
	iv->master = v->master;
	iv->start = v->since;
	iv->end = end;
	iv->open = open;
}

static void state_words(const struct cluster_conf *c, enum vhid_state s, int master, char *dst, size_t n)
{
	switch (s) {
	case VS_MASTER:
		str_printf(dst, n, "MASTER on %s", c->nodes[master].name);
		break;
	case VS_SPLIT_BRAIN:
		str_printf(dst, n, "MASTER on %s and %s (split brain)", c->nodes[0].name, c->nodes[1].name);
		break;
	case VS_NO_MASTER:
		str_printf(dst, n, "no MASTER");
		break;
	default:
		str_printf(dst, n, "not known (no node answers)");
	}
}

void vhid_watch_judge(struct vhid_watch *w, const struct cluster_conf *cc, int ci,
		      const struct snapshot *const s[CLUSTER_NODES], double t, vhid_change_fn *fn, void *ctx)
{
	int vhids[256], nv = 0, n, k;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->vt[i].cluster == ci && nv < 256)
			vhids[nv++] = w->vt[i].vhid;
	for (n = 0; n < CLUSTER_NODES; n++)
		for (i = 0; s[n]->reachable && i < s[n]->n_vips; i++) {
			for (k = 0; k < nv && vhids[k] != s[n]->vips[i].vhid; k++)
				;
			if (k == nv && nv < 256 && s[n]->vips[i].vhid > 0)
				vhids[nv++] = s[n]->vips[i].vhid;
		}
	for (k = 0; k < nv; k++) {
		int masters = 0, who = -1;
		bool known = false, had;
		struct vhid_track *v = NULL, now, was;
		char was_w[128], now_w[128], text[EVENT_TEXT_LEN];
		memset(&was, 0, sizeof(was));
		for (n = 0; n < CLUSTER_NODES; n++) {
			enum carp_status cs = CARP_ST_UNKNOWN;
			if (!s[n]->reachable)
				continue;
			known = true;
			if (side_status(s[n], vhids[k], &cs) && cs == CARP_ST_MASTER) {
				masters++;
				who = n;
			}
		}
		now.cluster = ci;
		now.vhid = vhids[k];
		now.state = !known ? VS_UNKNOWN : masters >= 2 ? VS_SPLIT_BRAIN : masters ? VS_MASTER : VS_NO_MASTER;
		now.master = who;
		now.since = t;
		for (i = 0; i < w->n; i++)
			if (w->vt[i].cluster == ci && w->vt[i].vhid == vhids[k])
				v = &w->vt[i];
		if (v && v->state == now.state && (now.state != VS_MASTER || v->master == who))
			continue;
		state_words(cc, now.state, who, now_w, sizeof(now_w));
		had = v != NULL;
		if (v) {
			was = *v;
			state_words(cc, v->state, v->master, was_w, sizeof(was_w));
			str_printf(text, sizeof(text), "VHID %d: %s (was %s for %.3f s)", vhids[k], now_w, was_w, t - v->since);
		} else {
			str_printf(text, sizeof(text), "VHID %d: %s", vhids[k], now_w);
			if (w->n == w->cap)
				w->vt = xrealloc(w->vt, (w->cap = w->cap ? w->cap * 2 : 16) * sizeof(*w->vt));
			v = &w->vt[w->n++];
		}
		*v = now;
		fn(ctx, had ? &was : NULL, v, text);
	}
}

void vhid_watch_free(struct vhid_watch *w)
{
	free(w->vt);
	memset(w, 0, sizeof(*w));
}

/* A change at the pair level: an event, and the interval that ended. */
static void tl_vhid_change(void *ctx, const struct vhid_track *was, const struct vhid_track *now, const char *text)
{
	struct tl_build *b = ctx;
	struct rec_event *e = tl_event(b);
	e->kind = "vhid";
	e->e.t = now->since;
	e->e.kind = EV_ROLE;
	e->e.vhid = now->vhid;
	e->e.severity = now->state == VS_MASTER ? SEV_INFO : SEV_CRITICAL;
	str_copy(e->e.cluster, b->R->cfg.clusters[now->cluster].name, sizeof(e->e.cluster));
	str_copy(e->e.text, text, sizeof(e->e.text));
	if (was)
		tl_close(b, was, now->since, false);
}

/* Who is MASTER of each VHID of cluster ci now, once both nodes have been
 * heard from. */
static void tl_vhids(struct tl_build *b, const struct replay_cursor *c, int ci, double t)
{
	const struct snapshot *s[CLUSTER_NODES];
	int n;
	for (n = 0; n < CLUSTER_NODES; n++) {
		if (!c->have[(size_t)ci * CLUSTER_NODES + (size_t)n])
			return;
		s[n] = &c->snap[(size_t)ci * CLUSTER_NODES + (size_t)n];
	}
	vhid_watch_judge(&b->vw, &c->R->cfg.clusters[ci], ci, s, t, tl_vhid_change, b);
}

static void tl_outage(struct tl_build *b, int cluster, int node, const struct snapshot *s, double end, bool open)
{
	struct replay_timeline *tl = b->tl;
	struct rec_outage *o;
	if (tl->n_out == b->cap_out)
		tl->out = xrealloc(tl->out, (b->cap_out = b->cap_out ? b->cap_out * 2 : 16) * sizeof(*tl->out));
	o = &tl->out[tl->n_out++];
	o->cluster = cluster;
	o->node = node;
	o->start = b->down_since[cluster * CLUSTER_NODES + node];
	o->end = end;
	o->open = open;
	str_copy(o->error, s->error, sizeof(o->error));
}

/* A node stopped or started answering: keep the outage, and say how long it
 * lasted in the event that ends it. */
static void tl_reach(struct tl_build *b, const struct replay_cursor *c, const struct rec_frame *f, size_t first_ev)
{
	size_t g = (size_t)f->cluster * CLUSTER_NODES + (size_t)f->node, i;
	const struct snapshot *s = &c->snap[g];
	if (!s->reachable) {
		if (!b->down_since[g])
			b->down_since[g] = f->t;
		return;
	}
	if (!b->down_since[g])
		return;
	for (i = first_ev; i < b->tl->n_ev; i++)
		if (b->tl->ev[i].e.kind == EV_REACHABLE) {
			char *t = b->tl->ev[i].e.text;
			size_t len = strlen(t);
			str_printf(t + len, sizeof(b->tl->ev[i].e.text) - len, " (after %.3f s without an answer)",
				   f->t - b->down_since[g]);
		}
	tl_outage(b, f->cluster, f->node, s, f->t, false);
	b->down_since[g] = 0;
}

/* "2026-...Z user=u pid=1 cluster=hq node=fw1 action=x result=ok detail=..." */
static void tl_action(struct tl_build *b, const struct recording *R, const struct rec_frame *f)
{
	struct rec_event *e = tl_event(b);
	char line[512], *p, *sp;
	size_t n = f->len < sizeof(line) - 1 ? f->len : sizeof(line) - 1;
	memcpy(line, f->body, n);
	line[n] = '\0';
	e->kind = "action";
	e->e.t = f->t;
	e->e.kind = EV_ACTION;
	e->e.severity = SEV_INFO;
	if (f->cluster >= 0)
		str_copy(e->e.cluster, R->cfg.clusters[f->cluster].name, sizeof(e->e.cluster));
	if ((p = strstr(line, " node="))) {
		text_sanitize(e->e.node, p + 6, sizeof(e->e.node));
		if ((sp = strchr(e->e.node, ' ')))
			*sp = '\0';
	}
	/* The person and the action: everything after the timestamp. */
	p = strchr(line, ' ');
	text_sanitize(e->e.text, p ? p + 1 : line, sizeof(e->e.text));
}

/* Both nodes of a pair are polled together: when the other node's answer of
 * the same round follows within a quarter interval, judge the pair after it,
 * not between the two (that would invent a split brain of 0 s at a flip). */
static bool round_continues(const struct recording *R, size_t pos)
{
	const struct rec_frame *f = &R->frames[pos];
	double window = R->cfg.clusters[f->cluster].interval / 4;
	size_t i;
	for (i = pos + 1; i < R->n_frames && i < pos + 64 && R->frames[i].t - f->t <= window; i++)
		if (R->frames[i].cluster == f->cluster && R->frames[i].node >= 0)
			return R->frames[i].node != f->node;
	return false;
}

void replay_timeline_build(struct replay_timeline *tl, const struct recording *R)
{
	struct replay_cursor c;
	struct tl_build b;
	struct evlog log;
	struct snapshot prev;
	size_t i, first_ev;

	memset(tl, 0, sizeof(*tl));
	memset(&b, 0, sizeof(b));
	b.tl = tl;
	b.R = R;
	b.down_since = xcalloc(R->cfg.n_clusters * CLUSTER_NODES + 1, sizeof(*b.down_since));
	replay_cursor_init(&c, R);
	evlog_init(&log, 64);
	snapshot_init(&prev);
	while (c.pos < R->n_frames) {
		const struct rec_frame *f = &R->frames[c.pos];
		size_t g = f->node >= 0 ? (size_t)f->cluster * CLUSTER_NODES + (size_t)f->node : 0;
		bool had = f->node >= 0 && c.have[g];
		if (had)
			snapshot_copy(&prev, &c.snap[g]);
		replay_step(&c);
		if (f->type == REC_ACTION) {
			tl_action(&b, R, f);
			continue;
		}
		if (!c.have[g])
			continue;
		first_ev = tl->n_ev;
		log.n = log.head = 0;
		evlog_diff(&log, f->t, R->cfg.clusters[f->cluster].name, R->cfg.clusters[f->cluster].nodes[f->node].name,
			   had ? &prev : NULL, &c.snap[g]);
		for (i = 0; i < evlog_count(&log); i++) {
			struct rec_event *e = tl_event(&b);
			e->e = *evlog_get(&log, i);
			e->kind = event_kind_name(e->e.kind);
		}
		tl_reach(&b, &c, f, first_ev);
		if (!round_continues(R, c.pos - 1))
			tl_vhids(&b, &c, f->cluster, f->t);
	}
	for (i = 0; i < b.vw.n; i++)
		tl_close(&b, &b.vw.vt[i], R->last, true);
	for (i = 0; i < R->cfg.n_clusters * CLUSTER_NODES; i++)
		if (b.down_since[i])
			tl_outage(&b, (int)(i / CLUSTER_NODES), (int)(i % CLUSTER_NODES), &c.snap[i], R->last, true);
	vhid_watch_free(&b.vw);
	free(b.down_since);
	snapshot_clear(&prev);
	evlog_free(&log);
	replay_cursor_free(&c);
}

void replay_timeline_free(struct replay_timeline *tl)
{
	free(tl->ev);
	free(tl->iv);
	free(tl->out);
	memset(tl, 0, sizeof(*tl));
}

double replay_next_event(const struct replay_timeline *tl, double t)
{
	size_t i;
	for (i = 0; i < tl->n_ev; i++)
		if (tl->ev[i].e.t > t + 0.0005)
			return tl->ev[i].e.t;
	return -1;
}

double replay_prev_event(const struct replay_timeline *tl, double t)
{
	size_t i;
	for (i = tl->n_ev; i-- > 0;)
		if (tl->ev[i].e.t < t - 0.0005)
			return tl->ev[i].e.t;
	return -1;
}

/* ---- batch output ---- */

int replay_batch_at(const struct recording *R, double at, int format, FILE *out)
{
	struct replay_cursor c;
	struct pair_view *views;
	struct output_opts oo;
	struct strbuf sb;
	size_t i;
	int n, code;
	char when[40];

	if (at < R->first) {
		replay_format_time(R->first, when, sizeof(when));
		fprintf(stderr, "carptop: --at: the recording starts at %s\n", when);
		return 3;
	}
	replay_cursor_init(&c, R);
	replay_seek(&c, at);
	views = xcalloc(R->cfg.n_clusters + 1, sizeof(*views));
	for (i = 0; i < R->cfg.n_clusters; i++) {
		for (n = 0; n < CLUSTER_NODES; n++)
			if (!c.have[i * CLUSTER_NODES + (size_t)n])
				snapshot_set_error(&c.snap[i * CLUSTER_NODES + (size_t)n], NERR_NOT_POLLED,
						   "not recorded before this moment");
		view_build_pair(&views[i], &R->cfg.clusters[i], &c.snap[i * CLUSTER_NODES], &c.snap[i * CLUSTER_NODES + 1],
			   NULL, at);
	}
	memset(&oo, 0, sizeof(oo));
	oo.now = at;
	for (i = 0; i < R->cfg.n_clusters; i++)
		if (R->cfg.clusters[i].nodes[0].transport == TRANSPORT_SIM)
			oo.demo = true; /* a recording of --demo is still simulated */
	sb_init(&sb);
	output_render(&sb, (enum out_format)format, views, R->cfg.n_clusters, &oo);
	fputs(sb.buf ? sb.buf : "", out);
	code = severity_exit_code(output_overall(views, R->cfg.n_clusters));
	sb_free(&sb);
	for (i = 0; i < R->cfg.n_clusters; i++)
		pair_free(&views[i]);
	free(views);
	replay_cursor_free(&c);
	return code;
}

static bool in_window(double t0, double t1, double since, double until)
{
	return t1 >= since && t0 <= until;
}

static struct json_object *jtime(double t)
{
	char b[40];
	replay_format_time(t, b, sizeof(b));
	return json_object_new_string(b);
}

static struct json_object *jsecs(double v)
{
	char b[32];
	out_fixed(b, sizeof(b), v, 3);
	return json_object_new_double_s(v, b);
}

/* An interval's or outage's span: wall-clock times, seconds, and whether
 * it was still going on when the recording ends. */
static void add_span(struct json_object *o, double start, double end, bool open)
{
	json_object_object_add(o, "start", jtime(start));
	json_object_object_add(o, "end", jtime(end));
	json_object_object_add(o, "start_t", jsecs(start));
	json_object_object_add(o, "end_t", jsecs(end));
	json_object_object_add(o, "duration_s", jsecs(end - start));
	json_object_object_add(o, "open", json_object_new_boolean(open));
}

static void events_json(const struct recording *R, const struct replay_timeline *tl, double since, double until,
			FILE *out)
{
	struct json_object *root = json_object_new_object(), *ev = json_object_new_array(),
			   *iv = json_object_new_array(), *out_a = json_object_new_array();
	size_t i;
	for (i = 0; i < tl->n_ev; i++) {
		const struct rec_event *e = &tl->ev[i];
		struct json_object *o;
		if (!in_window(e->e.t, e->e.t, since, until))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "time", jtime(e->e.t));
		json_object_object_add(o, "t", jsecs(e->e.t));
		json_object_object_add(o, "cluster", json_object_new_string(e->e.cluster));
		json_object_object_add(o, "node", e->e.node[0] ? json_object_new_string(e->e.node) : NULL);
		json_object_object_add(o, "kind", json_object_new_string(e->kind));
		json_object_object_add(o, "vhid", e->e.vhid ? json_object_new_int(e->e.vhid) : NULL);
		json_object_object_add(o, "severity", json_object_new_string(out_severity_word(e->e.severity)));
		json_object_object_add(o, "text", json_object_new_string(e->e.text));
		json_object_array_add(ev, o);
	}
	for (i = 0; i < tl->n_iv; i++) {
		const struct rec_interval *r = &tl->iv[i];
		const struct cluster_conf *cc = &R->cfg.clusters[r->cluster];
		struct json_object *o;
		if (!in_window(r->start, r->end, since, until))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "cluster", json_object_new_string(cc->name));
		json_object_object_add(o, "vhid", json_object_new_int(r->vhid));
		json_object_object_add(o, "state", json_object_new_string(vhid_state_name(r->state)));
		json_object_object_add(o, "master",
				       r->state == VS_MASTER ? json_object_new_string(cc->nodes[r->master].name) : NULL);
		add_span(o, r->start, r->end, r->open);
		json_object_array_add(iv, o);
	}
	for (i = 0; i < tl->n_out; i++) {
		const struct rec_outage *r = &tl->out[i];
		const struct cluster_conf *cc = &R->cfg.clusters[r->cluster];
		struct json_object *o;
		if (!in_window(r->start, r->end, since, until))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "cluster", json_object_new_string(cc->name));
		json_object_object_add(o, "node", json_object_new_string(cc->nodes[r->node].name));
		add_span(o, r->start, r->end, r->open);
		json_object_object_add(o, "error", json_object_new_string(r->error));
		json_object_array_add(out_a, o);
	}
	json_object_object_add(root, "recording", json_object_new_string(R->cfg.path));
	json_object_object_add(root, "first", R->n_frames ? jtime(R->first) : NULL);
	json_object_object_add(root, "last", R->n_frames ? jtime(R->last) : NULL);
	json_object_object_add(root, "torn_segments", json_object_new_int64((int64_t)R->torn));
	json_object_object_add(root, "skipped_records", json_object_new_int64((int64_t)(R->bad + R->dropped)));
	json_object_object_add(root, "events", ev);
	json_object_object_add(root, "intervals", iv);
	json_object_object_add(root, "outages", out_a);
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(root);
}

static void events_text(const struct recording *R, const struct replay_timeline *tl, double since, double until,
			FILE *out)
{
	size_t i;
	char a[40], b[40];
	if (R->n_frames) {
		replay_format_time(R->first, a, sizeof(a));
		replay_format_time(R->last, b, sizeof(b));
		fprintf(out, "Recording %s: %s to %s", R->cfg.path, a, b);
	}
	if (R->torn || R->bad || R->dropped)
		fprintf(out, " (%lu torn segment end(s), %lu record(s) skipped)", R->torn, R->bad + R->dropped);
	fprintf(out, "\n\nEvents:\n");
	for (i = 0; i < tl->n_ev; i++) {
		const struct rec_event *e = &tl->ev[i];
		if (!in_window(e->e.t, e->e.t, since, until))
			continue;
		replay_format_time(e->e.t, a, sizeof(a));
		fprintf(out, "%s  %-12s %-10s %-11s %s\n", a, e->e.cluster, e->e.node[0] ? e->e.node : "-", e->kind,
			e->e.text);
	}
	fprintf(out, "\nPer VHID, who was MASTER:\n");
	for (i = 0; i < tl->n_iv; i++) {
		const struct rec_interval *r = &tl->iv[i];
		const struct cluster_conf *cc = &R->cfg.clusters[r->cluster];
		char what[160];
		if (!in_window(r->start, r->end, since, until))
			continue;
		state_words(cc, r->state, r->master, what, sizeof(what));
		replay_format_time(r->start, a, sizeof(a));
		replay_format_time(r->end, b, sizeof(b));
		fprintf(out, "%-12s VHID %-3d %s .. %s %10.3f s%s  %s\n", cc->name, r->vhid, a, b, r->end - r->start,
			r->open ? "+" : " ", what);
	}
	fprintf(out, "\nNodes without an answer:\n");
	for (i = 0; i < tl->n_out; i++) {
		const struct rec_outage *r = &tl->out[i];
		const struct cluster_conf *cc = &R->cfg.clusters[r->cluster];
		if (!in_window(r->start, r->end, since, until))
			continue;
		replay_format_time(r->start, a, sizeof(a));
		replay_format_time(r->end, b, sizeof(b));
		fprintf(out, "%-12s %-8s %s .. %s %10.3f s%s  %s\n", cc->name, cc->nodes[r->node].name, a, b,
			r->end - r->start, r->open ? "+" : " ", r->error);
	}
}

static int cmp_iv(const void *a, const void *b)
{
	const struct rec_interval *x = a, *y = b;
	if (x->cluster != y->cluster)
		return x->cluster - y->cluster;
	if (x->vhid != y->vhid)
		return x->vhid - y->vhid;
	return x->start < y->start ? -1 : x->start > y->start;
}

int replay_batch_events(const struct recording *R, double since, double until, bool json, FILE *out)
{
	struct replay_timeline tl;
	replay_timeline_build(&tl, R);
	qsort(tl.iv, tl.n_iv, sizeof(*tl.iv), cmp_iv);
	if (json)
		events_json(R, &tl, since, until, out);
	else
		events_text(R, &tl, since, until, out);
	replay_timeline_free(&tl);
	return 0;
}
