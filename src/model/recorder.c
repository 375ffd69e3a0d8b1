#include "recorder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "recfmt.h"
#include "statedir.h"

#define SEGMENT_SUFFIX ".ctr"

struct rec_node {
	struct rec_fields last;
	bool have;          /* `last` is what the reader has for this node in this segment */
	unsigned since_key; /* records since the last full one */
};

struct recorder {
	struct recorder_opts o;
	char *dir;               /* auto mode: the recordings directory */
	char *path;              /* segment being written */
	int fd;
	char day[16];            /* local day of the segment, "2026-12-02" (auto mode) */
	double t0;               /* wall clock of the segment's header, seconds */
	long long last_ms;       /* record times never go back within a segment */
	bool have_time;
	size_t bytes;            /* of this segment */
	size_t others;           /* bytes of the other segments in dir */
	unsigned long records;
	char *error;
	/* What is recorded: the clusters as configured when we started. */
	char **names;
	double *intervals;
	char *(*node_names)[CLUSTER_NODES];
	int (*roles)[CLUSTER_NODES];
	int (*transports)[CLUSTER_NODES];
	size_t n;
	struct rec_node *nodes;  /* n * CLUSTER_NODES */
	char *audit;             /* audit log path, and how far we have read it */
	off_t audit_off;
	struct strbuf scratch, frame;
};

static double clock_now(const struct recorder *r)
{
	return r->o.clock ? r->o.clock() : wall_s();
}

static void local_day(double t, char *dst, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(dst, n, "%Y-%m-%d", &tm);
}

static void fail(struct recorder *r, const char *fmt, const char *arg)
{
	if (r->error)
		return;
	r->error = xasprintf(fmt, arg, strerror(errno));
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

/* One record, one write(2) onto an O_APPEND file: a process killed at any
 * moment leaves every earlier record whole; at most this one is torn. */
static void put_record(struct recorder *r, const struct strbuf *payload)
{
	const char *p;
	size_t left;
	if (r->fd < 0)
		return;
	r->frame.len = 0;
	rec_frame(&r->frame, (const uint8_t *)payload->buf, payload->len);
	p = r->frame.buf;
	left = r->frame.len;
	while (left) {
		ssize_t w = write(r->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fail(r, "cannot write the recording %s: %s", r->path);
			return;
		}
		p += w;
		left -= (size_t)w;
	}
	r->bytes += r->frame.len;
	r->records++;
}

static void put_header(struct recorder *r)
{
	char host[256] = "";
	size_t i;
	int k;
	struct strbuf *b = &r->scratch;
	gethostname(host, sizeof(host) - 1);
	b->len = 0;
	sb_addc(b, REC_HEADER);
	rec_put_uvar(b, REC_VERSION);
	rec_put_uvar(b, (uint64_t)(r->t0 * 1000.0 + 0.5));
	rec_put_str(b, host, strlen(host));
	rec_put_uvar(b, (uint64_t)getpid());
	rec_put_uvar(b, r->n);
	for (i = 0; i < r->n; i++) {
		rec_put_str(b, r->names[i], strlen(r->names[i]));
		rec_put_uvar(b, (uint64_t)(r->intervals[i] * 1000.0 + 0.5));
		for (k = 0; k < CLUSTER_NODES; k++) {
			rec_put_str(b, r->node_names[i][k], strlen(r->node_names[i][k]));
			rec_put_uvar(b, (uint64_t)r->roles[i][k]);
			rec_put_uvar(b, (uint64_t)r->transports[i][k]);
		}
	}
	put_record(r, b);
	r->have_time = false;
	for (i = 0; i < r->n * CLUSTER_NODES; i++)
		r->nodes[i].have = false; /* the next record of each node is a full one */
}

/* Open `path` for appending and take its lock without waiting. Returns the
 * fd, -1 (errno) when it cannot be opened, -2 when another process holds it. */
static int open_locked(const char *path, bool exclusive)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (exclusive ? O_EXCL : 0), 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -2;
	}
	return fd;
}

static bool is_segment(const char *name)
{
	size_t n = strlen(name);
	return n > 11 + strlen(SEGMENT_SUFFIX) && name[4] == '-' && name[7] == '-' && name[10] == '.' &&
	       strcmp(name + n - strlen(SEGMENT_SUFFIX), SEGMENT_SUFFIX) == 0;
}

static bool in_use(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool busy;
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
	close(fd);
	return busy;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove segments older than the retention, then the oldest ones while all
 * of them together are over the budget. Never a segment another carptop is
 * writing, never ours. Sets r->others to what is left besides ours. */
static void prune(struct recorder *r)
{
	DIR *d = opendir(r->dir);
	struct dirent *e;
	char **names = NULL, oldest[16];
	size_t n = 0, cap = 0, i, total = 0;
	size_t *sizes;
	double days = r->o.retention_days > 0 ? r->o.retention_days : RECORDER_DEFAULT_DAYS;

	r->others = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!is_segment(e->d_name))
			continue;
		if (n == cap)
			names = xrealloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str); /* by day, oldest first */
	sizes = xcalloc(n + 1, sizeof(*sizes));
	local_day(clock_now(r) - days * 86400.0, oldest, sizeof(oldest));
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", r->dir, names[i]);
		struct stat st;
		bool ours = r->path && strcmp(p, r->path) == 0;
		if (!ours && strncmp(names[i], oldest, 10) < 0 && !in_use(p) && unlink(p) == 0) {
			free(names[i]);
			names[i] = NULL;
		} else if (stat(p, &st) == 0) {
			sizes[i] = ours ? 0 : (size_t)st.st_size;
			total += sizes[i];
		}
		free(p);
	}
	for (i = 0; i < n && total + r->bytes > r->o.budget_bytes; i++) {
		char *p;
		if (!names[i] || !sizes[i])
			continue;
		p = xasprintf("%s/%s", r->dir, names[i]);
		if (!in_use(p) && unlink(p) == 0)
			total -= sizes[i];
		free(p);
	}
	r->others = total;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(sizes);
}

/* A new segment for the local day: DAY.N.ctr with the first free N. */
static int open_segment(struct recorder *r)
{
	int seq;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
	r->bytes = 0;
	r->t0 = clock_now(r);
	r->last_ms = 0;
	local_day(r->t0, r->day, sizeof(r->day));
	for (seq = 1; seq < 10000; seq++) {
		char *p = xasprintf("%s/%s.%d%s", r->dir, r->day, seq, SEGMENT_SUFFIX);
		int fd = open_locked(p, true);
		if (fd >= 0) {
			r->path = p;
			r->fd = fd;
			break;
		}
		free(p);
		if (fd == -1 && errno != EEXIST) {
			r->path = xasprintf("%s/%s.%d%s", r->dir, r->day, seq, SEGMENT_SUFFIX);
			fail(r, "cannot create the recording %s: %s", r->path);
			return -1;
		}
	}
	if (r->fd < 0) {
		errno = EEXIST;
		fail(r, "no free segment name in %s: %s", r->dir);
		return -1;
	}
	if (write(r->fd, REC_MAGIC, REC_MAGIC_LEN) != REC_MAGIC_LEN) {
		fail(r, "cannot write the recording %s: %s", r->path);
		return -1;
	}
	r->bytes = REC_MAGIC_LEN;
	prune(r);
	put_header(r);
	return 0;
}

/* --record FILE: that file, appended (a new header starts a new run). A
 * file another process writes is not shared: the second gets FILE.2, ... */
static int open_file(struct recorder *r)
{
	int k;
	struct stat st;
	r->t0 = clock_now(r);
	for (k = 1; k < 100; k++) {
		char *p = k == 1 ? xstrdup(r->o.file) : xasprintf("%s.%d", r->o.file, k);
		int fd = open_locked(p, false);
		if (fd >= 0) {
			r->path = p;
			r->fd = fd;
			if (k > 1)
				fprintf(stderr, "carptop: %s is being recorded by another carptop; recording to %s\n",
					r->o.file, p);
			break;
		}
		if (fd == -1) {
			r->path = p;
			fail(r, "cannot write the recording %s: %s", p);
			return -1;
		}
		free(p);
	}
	if (r->fd < 0) {
		errno = EBUSY;
		r->path = xstrdup(r->o.file);
		fail(r, "cannot lock the recording %s: %s", r->path);
		return -1;
	}
	if (fstat(r->fd, &st) == 0 && st.st_size == 0 && write(r->fd, REC_MAGIC, REC_MAGIC_LEN) != REC_MAGIC_LEN) {
		fail(r, "cannot write the recording %s: %s", r->path);
		return -1;
	}
	r->bytes = fstat(r->fd, &st) == 0 ? (size_t)st.st_size : 0;
	put_header(r);
	return 0;
}

struct recorder *recorder_open(const struct cluster_conf *const *clusters, size_t n, const struct recorder_opts *o,
			       char **cause)
{
	struct recorder *r = xcalloc(1, sizeof(*r));
	struct stat st;
	size_t i;
	int k;

	r->o = *o;
	r->fd = -1;
	if (r->o.budget_bytes <= 0)
		r->o.budget_bytes = (double)(n ? n : 1) * RECORDER_DEFAULT_MB_PER_CLUSTER * 1024 * 1024;
	if (!r->o.key_every)
		r->o.key_every = 300;
	sb_init(&r->scratch);
	sb_init(&r->frame);
	r->n = n;
	r->names = xcalloc(n + 1, sizeof(*r->names));
	r->intervals = xcalloc(n + 1, sizeof(*r->intervals));
	r->node_names = xcalloc(n + 1, sizeof(*r->node_names));
	r->roles = xcalloc(n + 1, sizeof(*r->roles));
	r->transports = xcalloc(n + 1, sizeof(*r->transports));
	r->nodes = xcalloc(n * CLUSTER_NODES + 1, sizeof(*r->nodes));
	for (i = 0; i < n; i++) {
		r->names[i] = xstrdup(clusters[i]->name);
		r->intervals[i] = clusters[i]->interval;
		for (k = 0; k < CLUSTER_NODES; k++) {
			r->node_names[i][k] = xstrdup(clusters[i]->nodes[k].name);
			r->roles[i][k] = (int)clusters[i]->nodes[k].role;
			r->transports[i][k] = (int)clusters[i]->nodes[k].transport;
			rec_fields_init(&r->nodes[i * CLUSTER_NODES + (size_t)k].last);
		}
	}
	if (o->file) {
		open_file(r);
	} else {
		r->dir = o->dir ? xstrdup(o->dir) : statedir_path("recordings/x", cause);
		if (!r->dir) {
			recorder_close(r);
			return NULL;
		}
		if (!o->dir)
			*strrchr(r->dir, '/') = '\0';
		else if (mkdir(r->dir, 0700) < 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create %s: %s", r->dir, strerror(errno));
			recorder_close(r);
			return NULL;
		}
		open_segment(r);
	}
	if (r->error) {
		*cause = xstrdup(r->error);
		recorder_close(r);
		return NULL;
	}
	/* Only actions from now on: older ones are in earlier recordings. */
	r->audit = audit_path();
	if (r->audit && stat(r->audit, &st) == 0)
		r->audit_off = st.st_size;
	return r;
}

/* Milliseconds from the header's time (a poll may have completed before
 * it: signed). Never back within a segment: the reader applies deltas in
 * time order. */
static long long rel_ms(struct recorder *r, double t)
{
	double d = (t - r->t0) * 1000.0;
	long long ms = (long long)(d < 0 ? d - 0.5 : d + 0.5);
	if (r->have_time && ms < r->last_ms)
		ms = r->last_ms;
	r->last_ms = ms;
	r->have_time = true;
	return ms;
}

/* Past the budget with nothing left to prune: stop rather than grow. */
static bool over_budget(struct recorder *r)
{
	if ((double)(r->others + r->bytes) <= r->o.budget_bytes)
		return false;
	if (r->dir)
		prune(r);
	if ((double)(r->others + r->bytes) <= r->o.budget_bytes)
		return false;
	if (!r->error)
		r->error = xasprintf("recording stopped: %s reached the size budget of %.0f bytes with nothing older "
				     "left to remove (record_budget_mb)", r->path, r->o.budget_bytes);
	close(r->fd);
	r->fd = -1;
	return true;
}

static void maybe_rotate(struct recorder *r, double now)
{
	char day[16];
	if (!r->dir || r->fd < 0)
		return;
	local_day(now, day, sizeof(day));
	if (strcmp(day, r->day) != 0)
		open_segment(r);
}

void recorder_snapshot(struct recorder *r, size_t cluster, int node, const struct snapshot *s)
{
	struct rec_fields cur;
	struct rec_node *rn;
	struct strbuf *b;
	double t;
	bool key;

	if (!r || r->fd < 0 || cluster >= r->n || node < 0 || node >= CLUSTER_NODES)
		return;
	t = s->taken > 0 ? s->taken : clock_now(r);
	maybe_rotate(r, t);
	recorder_poll_audit(r);
	if (r->fd < 0 || over_budget(r))
		return;
	rn = &r->nodes[cluster * CLUSTER_NODES + (size_t)node];
	rec_fields_init(&cur);
	rec_fields_from_snapshot(&cur, s);
	key = !rn->have || rn->since_key + 1 >= r->o.key_every;
	b = &r->scratch;
	b->len = 0;
	sb_addc(b, key ? REC_KEY : REC_DELTA);
	rec_put_svar(b, rel_ms(r, t));
	rec_put_uvar(b, cluster);
	rec_put_uvar(b, (uint64_t)node);
	rec_fields_encode(b, key ? NULL : &rn->last, &cur);
	put_record(r, b);
	rec_fields_copy(&rn->last, &cur);
	rn->have = true;
	rn->since_key = key ? 0 : rn->since_key + 1;
	rec_fields_free(&cur);
}

void recorder_poll_audit(struct recorder *r)
{
	struct stat st;
	char *buf, *line, *nl;
	ssize_t got;
	int fd;
	if (!r || r->fd < 0 || !r->audit || stat(r->audit, &st) < 0 || st.st_size <= r->audit_off)
		return;
	if (st.st_size - r->audit_off > 1 << 20)
		r->audit_off = st.st_size - (1 << 20);
	fd = open(r->audit, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	buf = xmalloc((size_t)(st.st_size - r->audit_off) + 1);
	got = pread(fd, buf, (size_t)(st.st_size - r->audit_off), r->audit_off);
	close(fd);
	if (got <= 0) {
		free(buf);
		return;
	}
	buf[got] = '\0';
	/* Whole lines only; a line still being written is read next time. */
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
		struct strbuf *b = &r->scratch;
		b->len = 0;
		sb_addc(b, REC_ACTION);
		rec_put_svar(b, rel_ms(r, clock_now(r)));
		rec_put_str(b, line, (size_t)(nl - line));
		put_record(r, b);
	}
	r->audit_off += line - buf;
	free(buf);
}

void recorder_close(struct recorder *r)
{
	size_t i;
	int k;
	if (!r)
		return;
	if (r->fd >= 0) {
		recorder_poll_audit(r);
		close(r->fd);
	}
	for (i = 0; i < r->n; i++) {
		free(r->names[i]);
		for (k = 0; k < CLUSTER_NODES; k++) {
			free(r->node_names[i][k]);
			rec_fields_free(&r->nodes[i * CLUSTER_NODES + (size_t)k].last);
		}
	}
	free(r->names);
	free(r->intervals);
	free(r->node_names);
	free(r->roles);
	free(r->transports);
	free(r->nodes);
	free(r->dir);
	free(r->path);
	free(r->error);
	free(r->audit);
	sb_free(&r->scratch);
	sb_free(&r->frame);
	free(r);
}

const char *recorder_path(const struct recorder *r)
{
	return r ? r->path : NULL;
}

const char *recorder_error(const struct recorder *r)
{
	return r ? r->error : NULL;
}

size_t recorder_bytes(const struct recorder *r)
{
	return r ? r->bytes : 0;
}

unsigned long recorder_records(const struct recorder *r)
{
	return r ? r->records : 0;
}
