/* carpsim: an emulator of OPNsense nodes for carptop's tests and benchmarks.
 * Serves N pairs of the sim world (backends/sim) over HTTPS on loopback with
 * the real API's shapes and quirks (emu_api.c), answers the SSH test
 * harness's shim commands in FreeBSD text formats, and offers controls to
 * break things on purpose. See doc/testing.md. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu_api.h"
#include "emu_certs.h"
#include "sim/sim_render.h"
#include "sim/sim_world.h"
#include "util.h"

#define MAX_FAULTS 16
#define MAX_DENY 8

enum plug { PLUG_UP = 0, PLUG_REFUSE, PLUG_HANG };
/* FAULT_NOOP: answered as a success ({"status":"ok"}, configctl "OK") with
 * nothing done, as a reconfigure that silently did not apply. */
enum fault_kind { FAULT_STATUS = 0, FAULT_MALFORMED, FAULT_TRUNCATED, FAULT_EMPTY, FAULT_NOOP };

struct fault {
	char path[160];
	int after;   /* matching requests let through before it strikes */
	int count;
	int status;
	enum fault_kind kind;
};

/* A daemon the driver pool runs (see DAEMON_FLAGS). */
struct driven {
	pthread_mutex_t mu;
	struct MHD_Daemon *d; /* NULL while not listening */
	int fd;               /* the daemon's own epoll fd, in D.epfd */
};

struct enode {
	int pair, node;
	char cluster[32], name[16];
	uint16_t port;
	struct MHD_Daemon *daemon;
	struct driven drv;
	bool stopping;
	enum plug plug;
	int latency_ms;
	bool old_acl;
	char deny[MAX_DENY][160];
	int n_deny;
	struct fault faults[MAX_FAULTS];
	int n_faults;
	struct strbuf reqlog;
	unsigned requests, mutations, connections;
	char key[48], secret[80];
	char *cert, *privkey, *pin;
	enum cert_mode cert_mode;
};

static struct {
	struct sim_world *w;
	struct enode *nodes;
	int n_nodes;
	pthread_mutex_t lock;
	volatile sig_atomic_t stop;
	struct MHD_Daemon *ctl;
	struct driven ctl_drv;
	uint16_t ctl_port;
	struct upload *parked; /* suspended requests, resumed by drive_tick */
	const char *dir;
} E = { .lock = PTHREAD_MUTEX_INITIALIZER, .ctl_drv = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1 } };

static struct enode *enode_at(int pair, int node)
{
	int i;
	for (i = 0; i < E.n_nodes; i++)
		if (E.nodes[i].pair == pair && E.nodes[i].node == node)
			return &E.nodes[i];
	return NULL;
}

static void log_request(struct enode *en, const char *method, const char *path, int status, bool mutating)
{
	en->requests++;
	if (mutating)
		en->mutations++;
	sb_printf(&en->reqlog, "%.3f %s %s %d%s\n", E.w->t, method, path, status, mutating ? " MUTATING" : "");
}

/* ---- the HTTPS API per node ------------------------------------------ */

/* A request's state from its first call to its end. A request that must
 * wait (a hanging plug, /ctl/latency) is suspended, never slept on: its
 * daemon goes on serving the node's other connections, and the ticker
 * (drive_tick) resumes it when the wait is over. */
enum wait { WAIT_NONE = 0, WAIT_HANG, WAIT_TIMER };

struct upload {
	struct strbuf body;
	struct MHD_Connection *c;
	struct enode *en;    /* whose plug a hang waits on; NULL on the control server */
	enum wait wait;
	double due_ms;       /* WAIT_TIMER: when to resume (now_ms) */
	int latency_ms;      /* the node's latency when the request came in; -1 = not read */
	bool slept;          /* the latency was waited for */
	struct upload *next; /* in E.parked while suspended */
};

/* MHD calls a handler first with no state, then once per body chunk, then
 * once more with nothing left: true only on that last call (and on every
 * call after a suspended request is resumed). */
static bool upload_complete(struct MHD_Connection *c, void **con_cls, const char *data, size_t *size)
{
	struct upload *up = *con_cls;
	if (!up) {
		up = xcalloc(1, sizeof(*up));
		sb_init(&up->body);
		up->c = c;
		up->latency_ms = -1;
		*con_cls = up;
		return false;
	}
	if (*size) {
		sb_addn(&up->body, data, *size);
		*size = 0;
		return false;
	}
	return true;
}

/* Suspend the request until the ticker resumes it (E.lock held). MHD calls
 * the handler again once resumed, with the same state. */
static enum MHD_Result park(struct upload *up, struct enode *en, enum wait wait, double due_ms)
{
	up->en = en;
	up->wait = wait;
	up->due_ms = due_ms;
	up->next = E.parked;
	E.parked = up;
	MHD_suspend_connection(up->c);
	return MHD_YES;
}

static enum MHD_Result queue(struct MHD_Connection *c, int status, const char *ctype, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static bool fault_take(struct enode *en, const char *path, struct fault *out)
{
	int i;
	for (i = 0; i < en->n_faults; i++) {
		struct fault *f = &en->faults[i];
		if (f->count > 0 && strncmp(path, f->path, strlen(f->path)) == 0) {
			if (f->after > 0) {
				f->after--;
				continue;
			}
			*out = *f;
			if (--f->count == 0)
				en->faults[i] = en->faults[--en->n_faults];
			return true;
		}
	}
	return false;
}

static bool denied(const struct enode *en, const char *path)
{
	int i;
	/* Old ACL (before 26.7): the VIP status privilege lists carp_status
	 * without the trailing wildcard, so the actions are forbidden (CONTRACT,
	 * Version notes). */
	if (en->old_acl && str_starts(path, "/api/diagnostics/interface/carp_status/"))
		return true;
	for (i = 0; i < en->n_deny; i++)
		if (str_starts(path, en->deny[i]))
			return true;
	return false;
}

static enum MHD_Result api_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct enode *en = cls;
	struct upload *up = *con_cls;
	struct emu_req rq;
	struct emu_resp rs;
	struct fault f;
	const char *auth, *ctype;
	char *user = NULL, *pass = NULL;
	enum MHD_Result ret;

	if (!upload_complete(c, con_cls, upload_data, upload_size))
		return MHD_YES;
	up = *con_cls;

	pthread_mutex_lock(&E.lock);
	if (up->latency_ms < 0)
		up->latency_ms = en->latency_ms;
	/* "Hang": accept and never answer, until the plug goes back in. */
	if (en->plug == PLUG_HANG && !E.stop && !en->stopping) {
		ret = park(up, en, WAIT_HANG, 0);
		pthread_mutex_unlock(&E.lock);
		return ret;
	}
	if (up->latency_ms > 0 && !up->slept && !E.stop && !en->stopping) {
		up->slept = true;
		ret = park(up, en, WAIT_TIMER, now_ms() + up->latency_ms);
		pthread_mutex_unlock(&E.lock);
		return ret;
	}
	sim_world_advance_pair(E.w, en->pair);
	if (en->stopping || !sim_node_get(E.w, en->pair, en->node)->up) {
		/* Went down since the connection was accepted (the listener
		 * follows within 20 ms), or stops listening while the request
		 * waited: drop it, as a rebooting node would. */
		log_request(en, method, url, 0, false);
		pthread_mutex_unlock(&E.lock);
		return MHD_NO;
	}
	memset(&rs, 0, sizeof(rs));
	sb_init(&rs.body);
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (auth)
		user = MHD_basic_auth_get_username_password(c, &pass);
	if (!auth) {
		/* No Authorization header: treated as a GUI session, 401 with an empty body. */
		rs.status = 401;
	} else if (!user || !pass || strcmp(user, en->key) || strcmp(pass, en->secret)) {
		rs.status = 401;
		rs.content_type = "application/json; charset=UTF-8";
		sb_add(&rs.body, "{\"status\":401,\"message\":\"Authentication Failed\"}");
	} else if (fault_take(en, url, &f)) {
		rs.status = f.status ? f.status : 200;
		rs.content_type = "application/json; charset=UTF-8";
		if (f.kind == FAULT_NOOP) {
			sb_add(&rs.body, "{\"status\":\"ok\"}");
		} else if (f.kind == FAULT_EMPTY) {
			/* 200 with nothing: backup/download when no backup exists. */
			rs.content_type = "application/octet-stream";
		} else if (f.kind == FAULT_MALFORMED) {
			sb_add(&rs.body, "{\"total\":1,,\"rows\":[{\"vhid\" \"1\"}");
		} else if (f.kind == FAULT_TRUNCATED) {
			struct emu_resp full;
			memset(&full, 0, sizeof(full));
			sb_init(&full.body);
			rq = (struct emu_req){ method, url, up->body.buf, up->body.len, E.w, en->pair, en->node };
			emu_api_handle(&rq, &full);
			sb_addn(&rs.body, full.body.buf ? full.body.buf : "{", full.body.len / 2);
			sb_free(&full.body);
		} else if (rs.status >= 500) {
			sb_add(&rs.body, "{\"errorMessage\":\"Unexpected error, check log for details\"}");
		} else if (rs.status == 403) {
			sb_add(&rs.body, "{\"status\":403,\"message\":\"Forbidden\"}");
		} else if (rs.status == 404) {
			sb_add(&rs.body, "{\"errorMessage\":\"Endpoint not found\"}");
		} else {
			sb_printf(&rs.body, "{\"status\":%d,\"message\":\"injected\"}", rs.status);
		}
	} else if (denied(en, url)) {
		rs.status = 403;
		rs.content_type = "application/json; charset=UTF-8";
		sb_add(&rs.body, "{\"status\":403,\"message\":\"Forbidden\"}");
	} else if (strcmp(method, "POST") == 0 && ctype && str_starts(ctype, "application/json") && up->body.len == 0) {
		/* parseJsonBodyData: an empty JSON body is a 400 (CONTRACT §0). */
		rs.status = 400;
		rs.content_type = "application/json; charset=UTF-8";
		sb_add(&rs.body, "{\"status\":400,\"message\":\"Invalid JSON syntax\"}");
	} else {
		rq = (struct emu_req){ method, url, up->body.buf, up->body.len, E.w, en->pair, en->node };
		emu_api_handle(&rq, &rs);
	}
	log_request(en, method, url, rs.status, rs.mutating);
	pthread_mutex_unlock(&E.lock);

	ret = queue(c, rs.status, rs.content_type, rs.body.buf ? rs.body.buf : "", rs.body.len);
	sb_free(&rs.body);
	MHD_free(user);
	MHD_free(pass);
	return ret;
}

static void api_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;
	if (up) {
		sb_free(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

/* Every new connection costs one TLS handshake: counting them proves reuse. */
static void api_notify(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	struct enode *en = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&E.lock);
		en->connections++;
		pthread_mutex_unlock(&E.lock);
	}
}

/* Every daemon (one per node, and the control server) runs on MHD's epoll
 * with no thread of its own; a small pool of drivers runs them all. A
 * thread per connection and a listener thread per node (the earlier design)
 * made about 2000 threads at 500 pairs: the emulator then answered after
 * carptop's timeout and carptop re-handshook every round, which measured
 * the emulator instead of carptop (doc/performance.md, "NOC scale"). epoll
 * rather than select() also because select() fails for descriptors past
 * FD_SETSIZE (1024), which 1000 nodes' listeners alone exceed. No handler
 * may block a driver: the waits on purpose (/ctl/latency, a hanging plug)
 * suspend the request instead (MHD_ALLOW_SUSPEND_RESUME; its ITC wakes the
 * daemon when the ticker resumes one). */
#define DAEMON_FLAGS (MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG)
#define DRIVERS 3
#define TICK_MS 10
#define SWEEP_MS 500
/* Descriptors a node may hold: its listener and a client's parallel
 * connections (api.connections, SSH shim commands) with some slack. */
#define FDS_PER_NODE 8
#define FDS_SPARE 64

/* ---- driving the daemons ---------------------------------------------- */

/* The drivers wait on one epoll set holding each daemon's own epoll fd,
 * with EPOLLONESHOT: the driver that takes a daemon's event runs it and
 * re-arms it, so no daemon is ever run by two threads at once (dv->mu
 * guards the same against the ticker and the watcher's stop). */
static struct {
	int epfd;
	pthread_t drivers[DRIVERS], ticker;
	volatile bool quit;
} D = { .epfd = -1 };

static int drive_add(struct driven *dv, struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = dv };
	int rc;
	if (!info)
		return -1;
	pthread_mutex_lock(&dv->mu);
	dv->d = d;
	dv->fd = info->epoll_fd;
	rc = epoll_ctl(D.epfd, EPOLL_CTL_ADD, dv->fd, &ev);
	if (rc < 0)
		dv->d = NULL;
	pthread_mutex_unlock(&dv->mu);
	return rc;
}

/* Run a daemon until nothing is left to do at once: MHD says "timeout 0"
 * while TLS data it already read or a resumed request waits (its epoll
 * fd is edge-triggered inside, so it would not wake us again). dv->mu held. */
static void drive_run(struct driven *dv)
{
	MHD_UNSIGNED_LONG_LONG t;
	int i;
	for (i = 0; i < 64; i++) {
		MHD_run(dv->d);
		if (MHD_get_timeout(dv->d, &t) != MHD_YES || t > 0)
			break;
	}
}

/* Stop a daemon: taken out of the epoll set under its lock, so no driver
 * runs it any more. Its suspended requests must be resumed first (MHD's
 * rule for MHD_stop_daemon): see unpark. */
static void drive_stop(struct driven *dv)
{
	pthread_mutex_lock(&dv->mu);
	if (dv->d) {
		epoll_ctl(D.epfd, EPOLL_CTL_DEL, dv->fd, NULL);
		MHD_stop_daemon(dv->d);
		dv->d = NULL;
		dv->fd = -1;
	}
	pthread_mutex_unlock(&dv->mu);
}

static void *driver(void *arg)
{
	struct epoll_event ev[16];
	while (!D.quit) {
		int n = epoll_wait(D.epfd, ev, 16, 100), i;
		for (i = 0; i < n; i++) {
			struct driven *dv = ev[i].data.ptr;
			struct epoll_event again = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = dv };
			pthread_mutex_lock(&dv->mu);
			/* A stale event of a daemon stopped (or replaced) since: the
			 * current one, if any, is run once more, which is harmless. */
			if (dv->d) {
				drive_run(dv);
				epoll_ctl(D.epfd, EPOLL_CTL_MOD, dv->fd, &again);
			}
			pthread_mutex_unlock(&dv->mu);
		}
	}
	return NULL;
}

/* Resume the suspended requests whose wait is over, or all of one node's
 * (only: it stops listening), or every one when carpsim stops (E.lock
 * held). A resumed request's handler runs again and answers, or drops the
 * connection when its node stopped. */
static void unpark(const struct enode *only)
{
	struct upload **pp = &E.parked;
	double now = now_ms();
	while (*pp) {
		struct upload *up = *pp;
		bool done;
		if (only)
			done = up->en == only;
		else if (E.stop)
			done = true;
		else if (up->wait == WAIT_HANG)
			done = up->en->plug != PLUG_HANG || up->en->stopping;
		else
			done = now >= up->due_ms || (up->en && up->en->stopping);
		if (!done) {
			pp = &up->next;
			continue;
		}
		*pp = up->next;
		up->next = NULL;
		up->wait = WAIT_NONE;
		MHD_resume_connection(up->c);
	}
}

/* Every TICK_MS: resume what is due. Every SWEEP_MS: run each daemon once,
 * for MHD's connection timeouts, which no socket event announces. */
static void *ticker(void *arg)
{
	double sweep = now_ms();
	while (!D.quit) {
		usleep(TICK_MS * 1000);
		pthread_mutex_lock(&E.lock);
		unpark(NULL);
		pthread_mutex_unlock(&E.lock);
		if (now_ms() - sweep >= SWEEP_MS) {
			int i;
			sweep = now_ms();
			for (i = -1; i < E.n_nodes; i++) {
				struct driven *dv = i < 0 ? &E.ctl_drv : &E.nodes[i].drv;
				if (pthread_mutex_trylock(&dv->mu) != 0)
					continue; /* a driver runs it right now */
				if (dv->d)
					drive_run(dv);
				pthread_mutex_unlock(&dv->mu);
			}
		}
	}
	return NULL;
}

static int drive_start(void)
{
	int i;
	for (i = 0; i < DRIVERS; i++)
		if (pthread_create(&D.drivers[i], NULL, driver, NULL) != 0)
			return -1;
	return pthread_create(&D.ticker, NULL, ticker, NULL) != 0 ? -1 : 0;
}

static void drive_join(void)
{
	int i;
	D.quit = true;
	for (i = 0; i < DRIVERS; i++)
		pthread_join(D.drivers[i], NULL);
	pthread_join(D.ticker, NULL);
}

/* Raise the soft descriptor limit to the hard one; say plainly when even the
 * hard limit cannot hold the nodes asked for, instead of failing later with
 * "cannot listen" or refused connections in the middle of a run. */
static int raise_fd_limit(int n_nodes)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n_nodes * FDS_PER_NODE + FDS_SPARE;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		fprintf(stderr,
			"carpsim: %d nodes need about %llu file descriptors, but the limit is %llu (hard %llu);"
			" raise it (ulimit -Hn / LimitNOFILE) or ask for fewer pairs\n",
			n_nodes, (unsigned long long)need, (unsigned long long)rl.rlim_cur,
			(unsigned long long)rl.rlim_max);
		return -1;
	}
	return 0;
}

static int node_listen(struct enode *en)
{
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(en->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_mutex_lock(&E.lock);
	en->stopping = false;
	pthread_mutex_unlock(&E.lock);
	en->daemon = MHD_start_daemon(DAEMON_FLAGS | MHD_USE_TLS,
				      en->port, NULL, NULL, api_access, en, MHD_OPTION_SOCK_ADDR, &sin,
				      MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_HTTPS_MEM_KEY, en->privkey,
				      MHD_OPTION_HTTPS_MEM_CERT, en->cert, MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL,
				      MHD_OPTION_NOTIFY_CONNECTION, api_notify, en, MHD_OPTION_CONNECTION_TIMEOUT,
				      (unsigned)60, MHD_OPTION_END);
	if (!en->daemon)
		return -1;
	info = MHD_get_daemon_info(en->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info)
		en->port = info->port;
	if (drive_add(&en->drv, en->daemon) < 0) {
		MHD_stop_daemon(en->daemon);
		en->daemon = NULL;
		return -1;
	}
	return 0;
}

static void node_unlisten(struct enode *en)
{
	pthread_mutex_lock(&E.lock);
	en->stopping = true;
	unpark(en);
	pthread_mutex_unlock(&E.lock);
	drive_stop(&en->drv);
	en->daemon = NULL;
}

/* Listen exactly while the plug is in and the simulated node is up: a
 * rebooting or powered-off node refuses connections like a real one. */
static void *watcher(void *arg)
{
	while (!E.stop) {
		int i;
		/* The world once per sweep, not once per node (each advance
		 * evaluates every pair): keeps every pair within a sweep of now
		 * for the transition log a fake devd follows. */
		pthread_mutex_lock(&E.lock);
		sim_world_advance(E.w);
		pthread_mutex_unlock(&E.lock);
		for (i = 0; i < E.n_nodes; i++) {
			struct enode *en = &E.nodes[i];
			bool want;
			pthread_mutex_lock(&E.lock);
			want = en->plug != PLUG_REFUSE && sim_node_get(E.w, en->pair, en->node)->up;
			pthread_mutex_unlock(&E.lock);
			if (want && !en->daemon && node_listen(en) < 0)
				fprintf(stderr, "carpsim: cannot listen on 127.0.0.1:%u: %s\n", en->port, strerror(errno));
			if (!want && en->daemon)
				node_unlisten(en);
		}
		usleep(20000);
	}
	return NULL;
}

/* ---- the control server ---------------------------------------------- */

static int parse_pn(const char **p, int *pair, int *node)
{
	char *end;
	long a, b;
	a = strtol(*p, &end, 10);
	if (end == *p || *end != '/')
		return -1;
	b = strtol(end + 1, &end, 10);
	if (*end && *end != '/')
		return -1;
	*pair = (int)a;
	*node = (int)b;
	*p = *end ? end + 1 : end;
	return enode_at(*pair, *node) ? 0 : -1;
}

static void render_vip_json(const struct sim_node *n, struct strbuf *sb);

static void text_for(const char *what, int pair, int node, struct strbuf *sb, int *status)
{
	struct sim_node *n = sim_node_get(E.w, pair, node);
	sim_world_advance_pair(E.w, pair);
	if (!n->up) {
		*status = 503;
		sb_add(sb, "node is down\n");
		return;
	}
	*status = 200;
	if (str_eq(what, "ifconfig"))
		sim_render_ifconfig(E.w, pair, node, sb);
	else if (str_eq(what, "ifconfig-pfsync0"))
		sim_render_pfsync0(E.w, pair, node, sb);
	else if (str_eq(what, "pfctl-si"))
		sim_render_pfctl_si(E.w, pair, node, sb);
	else if (str_eq(what, "pfctl-memory"))
		sim_render_pfctl_memory(E.w, pair, node, sb);
	else if (str_eq(what, "pfctl-creators"))
		sim_render_pfctl_creators(E.w, pair, node, sb);
	else if (str_eq(what, "sysctl-carp"))
		sim_render_sysctl_carp(E.w, pair, node, sb);
	else if (str_eq(what, "opnsense-version"))
		sim_render_version(E.w, pair, node, sb);
	else if (str_eq(what, "show-carp"))
		sim_render_show_carp(E.w, pair, node, sb);
	else if (str_eq(what, "config-xml"))
		sim_render_config_xml(E.w, pair, node, sb);
	else if (str_eq(what, "vip-json"))
		render_vip_json(n, sb);
	else if (str_eq(what, "date")) {
		char d[64];
		sim_node_date(E.w->t, d, sizeof(d));
		sb_printf(sb, "%s\n", d);
	} else if (str_eq(what, "date-iso")) { /* date +%Y-%m-%dT%H:%M:%S */
		char d[64];
		sim_node_date_iso(E.w->t, d, sizeof(d));
		sb_printf(sb, "%s\n", d);
	} else if (str_eq(what, "system-log")) { /* /var/log/system/latest.log */
		sb_add(sb, n->syslog);
	} else if (str_eq(what, "boottime")) { /* sysctl -n kern.boottime */
		char d[64];
		sim_node_date(n->boot_t, d, sizeof(d));
		sb_printf(sb, "{ sec = %lld, usec = 0 } %s\n", SIM_EPOCH + (long long)n->boot_t, d);
	} else if (str_eq(what, "config-mtime"))
		sb_printf(sb, "%u\n", 1790000000u + n->serial);
	else {
		*status = 404;
		sb_printf(sb, "unknown text '%s'\n", what);
	}
}

/* The SSH harness's stand-in of the node's MVC model (tests/ssh/phpstub,
 * run by the real PHP CLI for carptop's VIP program) reads the node's
 * interfaces and configured VIPs from text "vip-json" and saves its
 * changes through POST /ctl/vip/<pair>/<node>, one per request:
 *   add <uuid> <iface> <mode> <addr> <prefix> <vhid|-> <descr...>
 *   del <uuid>     (stays on the interface after reconfigure ...)
 *   drop <addr>    (... unless a /tmp/delete_vip_<uuid>.todo names it: the
 *                   configctl shim sends this for each before reconfigure)
 * add and del check as the model does (sim_vip_add, sim_vip_delete). A
 * fault with path "vip" fails the save. */
static void render_vip_json(const struct sim_node *n, struct strbuf *sb)
{
	json_object *root = json_object_new_object(), *ifs = json_object_new_array(), *vips = json_object_new_array();
	int i;
	for (i = 0; i < n->n_ifs; i++)
		json_object_array_add(ifs, json_object_new_string(n->ifs[i].key));
	for (i = 0; i < n->n_vips; i++) {
		const struct sim_vip *v = &n->vips[i];
		json_object *o;
		if (v->pending_delete)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "uuid", json_object_new_string(v->uuid));
		json_object_object_add(o, "interface", json_object_new_string(v->iface));
		json_object_object_add(o, "mode", json_object_new_string(vip_mode_name(v->mode)));
		json_object_object_add(o, "subnet", json_object_new_string(v->addr));
		json_object_object_add(o, "subnet_bits", json_object_new_int(v->prefix));
		json_object_object_add(o, "vhid", v->vhid ? json_object_new_int(v->vhid) : json_object_new_string(""));
		json_object_object_add(o, "descr", json_object_new_string(v->descr));
		json_object_array_add(vips, o);
	}
	json_object_object_add(root, "interfaces", ifs);
	json_object_object_add(root, "vips", vips);
	sb_add(sb, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	sb_add(sb, "\n");
	json_object_put(root);
}

static bool uuid_chars_ok(const char *u)
{
	size_t i;
	for (i = 0; u[i]; i++)
		if (!(u[i] == '-' || (u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f')))
			return false;
	return i > 0 && i < sizeof(((struct sim_vip *)0)->uuid);
}

static void ctl_vip(const char *body, int pair, int node, int *status, struct strbuf *out, bool *mut)
{
	struct sim_node *n = sim_node_get(E.w, pair, node);
	char op[8] = "", uuid[64] = "", iface[32] = "", mode[16] = "", addr[64] = "", vhid[8] = "", reply[512];
	int prefix = 0, used = 0, rc = -1, i;

	if (sscanf(body, "%7s", op) != 1) {
		*status = 400;
		sb_add(out, "need add|del|drop\n");
		return;
	}
	if (str_eq(op, "add") && sscanf(body, "add %63s %31s %15s %63s %d %7s %n", uuid, iface, mode, addr, &prefix, vhid,
					&used) == 6 && uuid_chars_ok(uuid)) {
		*mut = true;
		rc = sim_vip_add(E.w, pair, node, iface, str_eq(mode, "carp") ? VIP_MODE_CARP : VIP_MODE_IPALIAS, addr,
				 prefix, str_eq(vhid, "-") ? 0 : atoi(vhid), used ? body + used : "", reply, sizeof(reply));
		if (rc == 0)
			str_copy(n->vips[n->n_vips - 1].uuid, uuid, sizeof(n->vips[0].uuid));
	} else if (str_eq(op, "del") && sscanf(body, "del %63s", uuid) == 1) {
		*mut = true;
		rc = sim_vip_delete(E.w, pair, node, uuid, reply, sizeof(reply));
		for (i = 0; rc == 0 && i < n->n_vips; i++)
			if (str_eq(n->vips[i].uuid, uuid))
				n->vips[i].keep_addr = true;
	} else if (str_eq(op, "drop") && sscanf(body, "drop %63s", addr) == 1) {
		int k = 0;
		for (i = 0; i < n->n_vips; i++)
			if (n->vips[i].pending_delete && str_eq(n->vips[i].addr, addr)) {
				n->vips[i].keep_addr = false;
				k++;
			}
		str_printf(reply, sizeof(reply), "{\"dropped\":%d}", k);
		rc = 0;
	} else {
		*status = 400;
		sb_printf(out, "malformed vip control: %s\n", body);
		return;
	}
	*status = rc == 0 ? 200 : rc > 0 ? 409 : 503;
	sb_printf(out, "%s\n", reply);
}

/* configctl <words>, as configd answers them (CONTRACT §2, §5, §7). */
static void configctl(const char *words, int pair, int node, struct strbuf *sb, bool *mutating)
{
	struct sim_node *n = sim_node_get(E.w, pair, node);
	char w[256], reply[512];
	size_t len;
	int rc = 0;
	str_copy(w, words, sizeof(w));
	len = strlen(w);
	while (len && (w[len - 1] == '\n' || w[len - 1] == ' '))
		w[--len] = '\0';
	*mutating = false;
	reply[0] = '\0';
	if (str_eq(w, "interface show carp")) {
		sim_render_show_carp(E.w, pair, node, sb);
		return;
	}
	/* configctl -d (detach) answers at once; the action is the same. */
	if (str_starts(w, "-d "))
		memmove(w, w + 3, strlen(w + 3) + 1);
	if (str_eq(w, "firmware running")) {
		sb_add(sb, sim_firmware_busy(n) ? "busy\n" : "ready\n");
		return;
	}
	if (str_eq(w, "firmware flush")) { /* rm -f /tmp/pkg_upgrade.json */
		sb_add(sb, "OK\n");
		return;
	}
	if (str_eq(w, "firmware status")) {
		sb_add(sb, n->fw_log);
		return;
	}
	*mutating = true;
	if (str_eq(w, "interface carp_set_status maintenance"))
		rc = sim_maintenance_toggle(E.w, pair, node, reply, sizeof(reply));
	else if (str_eq(w, "interface carp_set_status disable"))
		rc = sim_carp_disable(E.w, pair, node, reply, sizeof(reply));
	else if (str_eq(w, "interface carp_set_status enable"))
		rc = sim_carp_enable(E.w, pair, node, reply, sizeof(reply));
	else if (str_eq(w, "interface vip configure"))
		rc = sim_vip_apply(E.w, pair, node, reply, sizeof(reply)), str_copy(reply, "OK", sizeof(reply));
	else if (str_eq(w, "firmware update"))
		rc = sim_firmware_update(E.w, pair, node, reply, sizeof(reply)), str_copy(reply, "OK", sizeof(reply));
	else if (str_eq(w, "system reboot"))
		rc = sim_reboot(E.w, pair, node, reply, sizeof(reply)), str_copy(reply, "OK", sizeof(reply));
	else if (str_eq(w, "filter sync"))
		rc = sim_sync(E.w, pair, node, reply, sizeof(reply)), str_copy(reply, "OK", sizeof(reply));
	else {
		*mutating = false;
		str_copy(reply, "Action not allowed or missing", sizeof(reply));
	}
	if (rc < 0)
		str_copy(reply, "Execute error", sizeof(reply));
	sb_printf(sb, "%s\n", reply);
}

/* A fault injected on a shim path (`text/WHAT`, `configctl/WORDS`), as the
 * SSH side of a node would show it: status 503 is the node going away (the
 * shims then drop the SSH session: connection lost); any other status on a
 * text makes the command fail; on configctl it is configd's "Execute error"
 * with nothing done. kind=malformed / truncated garble or cut the text. */
static bool shim_fault(struct enode *en, const char *fpath, int pair, int node, const char *what, struct strbuf *out,
		       int *status)
{
	struct fault f;
	struct strbuf full;
	if (!fault_take(en, fpath, &f))
		return false;
	if (f.status == 503) {
		*status = 503;
		sb_add(out, "node is down (injected)\n");
		return true;
	}
	*status = 200;
	if (f.kind == FAULT_EMPTY)
		return true;
	if (f.kind == FAULT_NOOP) {
		sb_add(out, what ? "" : "OK\n");
		return true;
	}
	if (f.kind == FAULT_MALFORMED) {
		sb_add(out, what ? "carp: vhid advbase \n\tinet netmask\n" : "{\"status\":\"ok\",\n");
		return true;
	}
	if (f.kind == FAULT_TRUNCATED) {
		int st = 200;
		sb_init(&full);
		if (what)
			text_for(what, pair, node, &full, &st);
		else
			sb_add(&full, "{\"status\":\"ok\",\"action\":\"unknown\"}\n");
		/* Cut mid-line: the shim prints it without the final newline. */
		sb_addn(out, full.buf ? full.buf : "", full.len / 2);
		sb_free(&full);
		return true;
	}
	if (what) {
		*status = f.status && f.status != 200 ? f.status : 500;
		sb_printf(out, "injected failure of %s\n", what);
	} else {
		sb_add(out, "Execute error\n");
	}
	return true;
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static void ctl_dispatch(struct MHD_Connection *c, const char *url, const char *method, const char *body, int *status,
			 struct strbuf *out)
{
	const char *p;
	int pair = 0, node = 0;
	struct enode *en;
	*status = 200;

	/* A control request reads or changes the whole world (the transition
	 * log, a node's demotion): every pair first comes up to now, where an
	 * API request brings only its own pair (sim_world_advance_pair). */
	sim_world_advance(E.w);
	if (str_eq(url, "/ctl/transitions")) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		sim_log_write(E.w, f);
		fclose(f);
		sb_addn(out, buf, len);
		free(buf);
		return;
	}
	if (str_eq(url, "/ctl/health")) {
		double since = arg(c, "since") ? atof(arg(c, "since")) : 0;
		sim_world_advance(E.w);
		sb_printf(out, "time %.3f\nsplit_brains %d\nno_master %d\n", E.w->t, sim_log_split_brains(E.w, since),
			  sim_log_no_master(E.w, since));
		return;
	}
	if (str_eq(url, "/ctl/time")) {
		sim_world_advance(E.w);
		sb_printf(out, "%.3f\n", E.w->t);
		return;
	}
	if (str_eq(url, "/ctl/state")) {
		/* For the SSH harness's watcher, which keeps each node's sshd
		 * alive exactly while the node is up and its plug is in (as the
		 * HTTPS listener does): one line per node, nothing logged. */
		int i;
		sim_world_advance(E.w);
		for (i = 0; i < E.n_nodes; i++) {
			const struct enode *e = &E.nodes[i];
			sb_printf(out, "%d %d %s %s\n", e->pair, e->node, sim_node_get(E.w, e->pair, e->node)->up ? "up" : "down",
				  e->plug == PLUG_REFUSE ? "refuse" : e->plug == PLUG_HANG ? "hang" : "in");
		}
		return;
	}
	if (str_eq(url, "/ctl/stats-all")) {
		/* The fleet's totals for bench/scale.sh: every connection is one
		 * TLS handshake, so max_connections per node proves reuse. */
		unsigned req = 0, conn = 0, maxc = 0, minc = ~0u;
		int i;
		for (i = 0; i < E.n_nodes; i++) {
			const struct enode *e = &E.nodes[i];
			req += e->requests;
			conn += e->connections;
			maxc = e->connections > maxc ? e->connections : maxc;
			minc = e->connections < minc ? e->connections : minc;
		}
		sb_printf(out, "nodes %d\nrequests %u\nconnections %u\nmax_connections %u\nmin_connections %u\n", E.n_nodes,
			  req, conn, maxc, E.n_nodes ? minc : 0);
		return;
	}
#define ROUTE(prefix) (str_starts(url, prefix) && (p = url + strlen(prefix), parse_pn(&p, &pair, &node) == 0))
	if (ROUTE("/ctl/text/")) {
		char fpath[200];
		en = enode_at(pair, node);
		str_printf(fpath, sizeof(fpath), "text/%s", p);
		if (shim_fault(en, fpath, pair, node, p, out, status)) {
			log_request(en, "SSH", p, *status, false);
			return;
		}
		text_for(p, pair, node, out, status);
		log_request(en, "SSH", p, *status, false);
	} else if (ROUTE("/ctl/configctl/")) {
		bool mut = false;
		char fpath[300];
		en = enode_at(pair, node);
		sim_world_advance_pair(E.w, pair);
		if (!sim_node_get(E.w, pair, node)->up) {
			*status = 503;
			sb_add(out, "node is down\n");
			return;
		}
		str_printf(fpath, sizeof(fpath), "configctl/%s", body);
		if (shim_fault(en, fpath, pair, node, NULL, out, status)) {
			log_request(en, "SSH", "configctl", *status, false);
			return;
		}
		configctl(body, pair, node, out, &mut);
		log_request(en, "SSH", "configctl", 200, mut);
	} else if (ROUTE("/ctl/vip/")) {
		bool mut = false;
		en = enode_at(pair, node);
		sim_world_advance_pair(E.w, pair);
		if (!sim_node_get(E.w, pair, node)->up) {
			*status = 503;
			sb_add(out, "node is down\n");
			return;
		}
		{
			/* /ctl/fault/...?path=vip: the model's save fails (the
			 * stub's Config::save() throws, nothing is saved). */
			struct fault f;
			if (fault_take(en, "vip", &f)) {
				*status = f.status && f.status != 200 ? f.status : 500;
				sb_add(out, "injected failure of the config save\n");
				log_request(en, "SSH", "vip", *status, false);
				return;
			}
		}
		ctl_vip(body ? body : "", pair, node, status, out, &mut);
		log_request(en, "SSH", "vip", *status, mut);
	} else if (ROUTE("/ctl/plug/")) {
		en = enode_at(pair, node);
		en->plug = str_eq(p, "refuse") ? PLUG_REFUSE : str_eq(p, "hang") ? PLUG_HANG : PLUG_UP;
	} else if (ROUTE("/ctl/latency/")) {
		enode_at(pair, node)->latency_ms = atoi(p);
	} else if (ROUTE("/ctl/oldacl/")) {
		enode_at(pair, node)->old_acl = str_eq(p, "on");
	} else if (ROUTE("/ctl/deny/")) {
		en = enode_at(pair, node);
		if (arg(c, "prefix") && en->n_deny < MAX_DENY)
			str_copy(en->deny[en->n_deny++], arg(c, "prefix"), sizeof(en->deny[0]));
		else
			en->n_deny = 0;
	} else if (ROUTE("/ctl/fault/")) {
		struct fault *f;
		en = enode_at(pair, node);
		if (en->n_faults >= MAX_FAULTS || !arg(c, "path")) {
			*status = 400;
			sb_add(out, "need ?path=...&count=N&after=N&status=S&kind=status|malformed|truncated|empty|noop\n");
			return;
		}
		f = &en->faults[en->n_faults++];
		memset(f, 0, sizeof(*f));
		str_copy(f->path, arg(c, "path"), sizeof(f->path));
		f->count = arg(c, "count") ? atoi(arg(c, "count")) : 1;
		f->after = arg(c, "after") ? atoi(arg(c, "after")) : 0;
		f->status = arg(c, "status") ? atoi(arg(c, "status")) : 200;
		f->kind = str_eq(arg(c, "kind"), "malformed") ? FAULT_MALFORMED
			  : str_eq(arg(c, "kind"), "truncated") ? FAULT_TRUNCATED
			  : str_eq(arg(c, "kind"), "empty")     ? FAULT_EMPTY
			  : str_eq(arg(c, "kind"), "noop")      ? FAULT_NOOP
								 : FAULT_STATUS;
	} else if (ROUTE("/ctl/power/")) {
		sim_node_power(E.w, pair, node, str_eq(p, "on"));
	} else if (ROUTE("/ctl/link/")) {
		char iface[16];
		const char *slash = strchr(p, '/');
		if (!slash) {
			*status = 400;
			return;
		}
		str_copy(iface, p, (size_t)(slash - p) + 1 < sizeof(iface) ? (size_t)(slash - p) + 1 : sizeof(iface));
		sim_node_link(E.w, pair, node, iface, str_eq(slash + 1, "up"));
	} else if (ROUTE("/ctl/requests/")) {
		en = enode_at(pair, node);
		sb_add(out, en->reqlog.buf ? en->reqlog.buf : "");
	} else if (ROUTE("/ctl/stats/")) {
		en = enode_at(pair, node);
		sb_printf(out, "requests %u\nmutations %u\nconnections %u\n", en->requests, en->mutations, en->connections);
	} else if (ROUTE("/ctl/reset-stats/")) {
		en = enode_at(pair, node);
		en->requests = en->mutations = en->connections = 0;
		sb_free(&en->reqlog);
	} else if (ROUTE("/ctl/set/")) {
		struct sim_node *n = sim_node_get(E.w, pair, node);
		if (arg(c, "demotion"))
			n->demotion = atol(arg(c, "demotion"));
		if (arg(c, "version"))
			str_copy(n->version, arg(c, "version"), sizeof(n->version));
		if (arg(c, "latest"))
			str_copy(n->latest, arg(c, "latest"), sizeof(n->latest));
		/* Firmware quirks (sim_world.h): fw_stale=SECONDS the old log
		 * stays after a request, fw_lock=1 a check holds the lock,
		 * fw_fail=1 the core update fails. */
		if (arg(c, "fw_stale"))
			n->fw_stale_s = atof(arg(c, "fw_stale"));
		if (arg(c, "fw_lock"))
			n->fw_lock_held = atoi(arg(c, "fw_lock")) != 0;
		if (arg(c, "fw_fail"))
			n->fw_fail = atoi(arg(c, "fw_fail")) != 0;
		/* sync_fail=1: XMLRPC auth fails; `configctl filter sync` still OK. */
		if (arg(c, "sync_fail"))
			n->sync_fail = atoi(arg(c, "sync_fail")) != 0;
		if (arg(c, "hostname"))
			str_copy(n->hostname, arg(c, "hostname"), sizeof(n->hostname));
		sim_world_advance_to(E.w, E.w->t);
	} else {
		*status = 404;
		sb_printf(out, "unknown control %s %s\n", method, url);
	}
#undef ROUTE
}

/* /ctl/latency applies to what the SSH shims ask as well: each shim command
 * is one request, so a poll over SSH waits once per command, like a slow
 * node. The request is suspended meanwhile (other nodes keep answering).
 * E.lock held. */
static int shim_latency(const char *url)
{
	const char *p;
	int pair, node;
	if (str_starts(url, "/ctl/text/"))
		p = url + strlen("/ctl/text/");
	else if (str_starts(url, "/ctl/configctl/"))
		p = url + strlen("/ctl/configctl/");
	else
		return 0;
	return parse_pn(&p, &pair, &node) == 0 ? enode_at(pair, node)->latency_ms : 0;
}

static enum MHD_Result ctl_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct upload *up = *con_cls;
	struct strbuf out;
	enum MHD_Result ret;
	int status;
	if (!upload_complete(c, con_cls, upload_data, upload_size))
		return MHD_YES;
	up = *con_cls;
	pthread_mutex_lock(&E.lock);
	if (up->latency_ms < 0)
		up->latency_ms = shim_latency(url);
	if (up->latency_ms > 0 && !up->slept && !E.stop) {
		up->slept = true;
		ret = park(up, NULL, WAIT_TIMER, now_ms() + up->latency_ms);
		pthread_mutex_unlock(&E.lock);
		return ret;
	}
	sb_init(&out);
	ctl_dispatch(c, url, method, up->body.buf ? up->body.buf : "", &status, &out);
	pthread_mutex_unlock(&E.lock);
	ret = queue(c, status, "text/plain", out.buf ? out.buf : "", out.len);
	sb_free(&out);
	return ret;
}

/* ---- setup ----------------------------------------------------------- */

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fchmod(fileno(f), mode);
	fputs(text, f);
	return fclose(f);
}

static void random_token(char *dst, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;
	for (i = 0; i + 1 < n; i++) {
		int c = f ? fgetc(f) : rand();
		dst[i] = abc[(unsigned)c % 64];
	}
	dst[n - 1] = '\0';
	if (f)
		fclose(f);
}

static int write_outputs(double interval, double timeout)
{
	struct strbuf cfg, env;
	char *path;
	int i, rc;
	sb_init(&cfg);
	sb_init(&env);
	sb_printf(&cfg, "# Written by carpsim for the nodes it serves.\ninterval: %g\nclusters:\n", interval);
	sb_printf(&env, "CARPSIM_CTL=http://127.0.0.1:%u\nCARPSIM_DIR=%s\nCARPSIM_PAIRS=%d\n", E.ctl_port, E.dir,
		  E.w->n_pairs);
	for (i = 0; i < E.n_nodes; i++) {
		struct enode *en = &E.nodes[i];
		char *keyfile = xasprintf("%s/%s-%s.apikey", E.dir, en->cluster, en->name);
		char *keytext = xasprintf("key=%s\nsecret=%s\n", en->key, en->secret);
		if (write_file(keyfile, keytext, 0600) < 0) {
			fprintf(stderr, "carpsim: cannot write %s: %s\n", keyfile, strerror(errno));
			return -1;
		}
		if (en->node == 0)
			sb_printf(&cfg, "  - name: %s\n    nodes:\n", en->cluster);
		sb_printf(&cfg,
			  "      - name: %s\n        role: %s\n        api:\n          url: https://127.0.0.1:%u\n"
			  "          key_file: %s\n          ca_file: %s/ca.pem\n          timeout: %g\n",
			  en->name, en->node == 0 ? "primary" : "secondary", en->port, keyfile, E.dir, timeout);
		sb_printf(&env, "CARPSIM_PORT_%d_%d=%u\nCARPSIM_PIN_%d_%d='%s'\nCARPSIM_KEYFILE_%d_%d=%s\n", en->pair,
			  en->node, en->port, en->pair, en->node, en->pin, en->pair, en->node, keyfile);
		free(keyfile);
		free(keytext);
	}
	path = xasprintf("%s/carptop.yaml", E.dir);
	rc = write_file(path, cfg.buf, 0644);
	free(path);
	path = xasprintf("%s/carpsim.env", E.dir);
	rc |= write_file(path, env.buf, 0644);
	free(path);
	sb_free(&cfg);
	sb_free(&env);
	return rc;
}

static void on_signal(int sig)
{
	E.stop = 1;
}

static void usage(FILE *f)
{
	fputs("Usage: carpsim --dir DIR [--pairs N] [--scenario NAME] [--speed X] [--interval S]\n"
	      "               [--timeout S] [--cert PAIR:NODE:good|expired|wrongname|selfsigned]\n"
	      "               [--config-size BYTES]\n"
	      "Serves N emulated OPNsense CARP pairs over HTTPS on 127.0.0.1, writes DIR/carptop.yaml,\n"
	      "DIR/carpsim.env (ports, control URL, pins) and DIR/ready, then runs until SIGTERM.\n"
	      "--config-size grows each config.xml to about BYTES (at most 4 MB) with filter rules\n"
	      "and aliases, the same on both nodes of a pair, to measure memory on real sizes.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },     { "pairs", required_argument, NULL, 'n' },
		{ "scenario", required_argument, NULL, 's' }, { "speed", required_argument, NULL, 'x' },
		{ "interval", required_argument, NULL, 'i' }, { "timeout", required_argument, NULL, 't' },
		{ "cert", required_argument, NULL, 'c' },     { "help", no_argument, NULL, 'h' },
		{ "config-size", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scenario = NULL;
	int pairs = 1, c, i;
	double speed = 1, interval = 1, timeout = 3;
	long long config_size = 0;
	struct { int pair, node; enum cert_mode mode; } certs[16];
	int n_certs = 0;
	struct emu_ca *ca;
	char *cause = NULL, *path;
	pthread_t watch;
	struct sockaddr_in sin;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': E.dir = optarg; break;
		case 'n': pairs = atoi(optarg); break;
		case 's': scenario = optarg; break;
		case 'x': speed = atof(optarg); break;
		case 'i': interval = atof(optarg); break;
		case 't': timeout = atof(optarg); break;
		case 'z': config_size = atoll(optarg); break;
		case 'c': {
			char mode[32] = "";
			if (n_certs < 16 && sscanf(optarg, "%d:%d:%31s", &certs[n_certs].pair, &certs[n_certs].node, mode) == 3) {
				certs[n_certs].mode = str_eq(mode, "expired") ? CERT_EXPIRED : str_eq(mode, "wrongname") ? CERT_WRONGNAME
						      : str_eq(mode, "selfsigned") ? CERT_SELFSIGNED : CERT_GOOD;
				n_certs++;
			}
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!E.dir || pairs < 1 || pairs > 1000 || speed <= 0 || config_size < 0 || config_size > 4 * 1024 * 1024) {
		usage(stderr);
		return 2;
	}
	if (raise_fd_limit(pairs * 2) < 0)
		return 2;
	mkdir(E.dir, 0700);
	/* The files written below name each other (carptop.yaml's key_file
	 * and ca_file), and carptop reads those relative to carptop.yaml:
	 * so by absolute paths, whatever --dir was. */
	{
		char *abs = realpath(E.dir, NULL);
		if (!abs) {
			fprintf(stderr, "carpsim: --dir %s: %s\n", E.dir, strerror(errno));
			return 2;
		}
		E.dir = abs; /* kept for the process's life */
	}
	E.w = sim_world_new(scenario, pairs, speed, &cause);
	if (!E.w) {
		fprintf(stderr, "carpsim: %s\n", cause);
		return 2;
	}
	E.w->config_size = (size_t)config_size;
	for (i = 0; i < pairs; i++)
		snprintf(E.w->pairs[i].name, sizeof(E.w->pairs[i].name), "pair%d", i + 1);
	path = xasprintf("%s/ca.pem", E.dir);
	ca = emu_ca_new(path, &cause);
	free(path);
	if (!ca) {
		fprintf(stderr, "carpsim: test CA: %s\n", cause);
		return 2;
	}
	D.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (D.epfd < 0) {
		fprintf(stderr, "carpsim: epoll: %s\n", strerror(errno));
		return 2;
	}
	E.n_nodes = pairs * 2;
	E.nodes = xcalloc((size_t)E.n_nodes, sizeof(*E.nodes));
	for (i = 0; i < E.n_nodes; i++) {
		struct enode *en = &E.nodes[i];
		int k;
		pthread_mutex_init(&en->drv.mu, NULL);
		en->drv.fd = -1;
		en->pair = i / 2;
		en->node = i % 2;
		str_copy(en->cluster, E.w->pairs[en->pair].name, sizeof(en->cluster));
		str_copy(en->name, E.w->pairs[en->pair].node[en->node].name, sizeof(en->name));
		random_token(en->key, 41);
		random_token(en->secret, 61);
		sb_init(&en->reqlog);
		for (k = 0; k < n_certs; k++)
			if (certs[k].pair == en->pair && certs[k].node == en->node)
				en->cert_mode = certs[k].mode;
		if (emu_cert_make(ca, en->cert_mode, E.w->pairs[en->pair].node[en->node].hostname, &en->cert, &en->privkey,
				  &en->pin, &cause) < 0) {
			fprintf(stderr, "carpsim: certificate: %s\n", cause);
			return 2;
		}
		if (node_listen(en) < 0) {
			fprintf(stderr, "carpsim: cannot start HTTPS server: %s\n", strerror(errno));
			return 2;
		}
	}
	emu_ca_free(ca);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	E.ctl = MHD_start_daemon(DAEMON_FLAGS, 0, NULL, NULL, ctl_access, NULL, MHD_OPTION_SOCK_ADDR, &sin,
				 MHD_OPTION_NOTIFY_COMPLETED, api_completed, NULL, MHD_OPTION_END);
	if (!E.ctl || drive_add(&E.ctl_drv, E.ctl) < 0) {
		fprintf(stderr, "carpsim: cannot start control server\n");
		return 2;
	}
	E.ctl_port = MHD_get_daemon_info(E.ctl, MHD_DAEMON_INFO_BIND_PORT)->port;
	if (write_outputs(interval, timeout) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (drive_start() < 0) {
		fprintf(stderr, "carpsim: cannot start the daemons' drivers\n");
		return 2;
	}
	pthread_create(&watch, NULL, watcher, NULL);
	path = xasprintf("%s/ready", E.dir);
	write_file(path, "ready\n", 0644);
	free(path);
	fprintf(stderr, "carpsim: %d pair(s) ready; control on http://127.0.0.1:%u\n", pairs, E.ctl_port);
	/* Signals may land on any thread: poll the flag. */
	while (!E.stop)
		usleep(100000);
	pthread_join(watch, NULL);
	/* MHD stops no daemon with suspended requests: resume them all
	 * (E.stop: none is suspended again), then stop the drivers. */
	pthread_mutex_lock(&E.lock);
	unpark(NULL);
	pthread_mutex_unlock(&E.lock);
	drive_join();
	drive_stop(&E.ctl_drv);
	for (i = 0; i < E.n_nodes; i++) {
		if (E.nodes[i].daemon)
			node_unlisten(&E.nodes[i]);
		free(E.nodes[i].cert);
		free(E.nodes[i].privkey);
		free(E.nodes[i].pin);
		sb_free(&E.nodes[i].reqlog);
	}
	close(D.epfd);
	free(E.nodes);
	sim_world_free(E.w);
	return 0;
}
