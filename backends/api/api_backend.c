/* The OPNsense HTTP API transport: libcurl's multi interface driven by the
 * one event loop (src/core/loop.h). One CURLM serves every api backend in the
 * process; its connection cache keeps each node's HTTPS connection alive
 * between polls. Each node keeps the easy handles it used (at most its
 * api.connections plus the action and config.xml requests) and reuses them
 * every poll: re-creating handles each round cost more CPU and heap churn
 * at 500 pairs than the few KB a kept handle holds. A poll issues its
 * reads in parallel; get_vip_status decides whether the node is reachable,
 * the other reads only add partial notes when they fail. User callbacks
 * (on_snapshot, on_action) run from a 0 ms loop timer, never from inside
 * curl, so they may free the backend or start the next poll. */
#include "backend.h"

#include <curl/curl.h>
#include <errno.h>
#include "build_config.h"
#if HAVE_OPENSSL
#include <openssl/ssl.h>
#endif
#include <json-c/json.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_parse.h"
#include "parse/fwjob.h"
#include "util.h"

#define API_DEFAULT_TIMEOUT_S 5.0
/* With HTTP/2 all reads share one connection; a node speaking HTTP/1.1 gets
 * at most two, so 500 pairs stay near 2000 sockets. Extra requests queue. */
/* curl's per-host ceiling; each node's own limit (api.connections) is
 * enforced below by queueing its reads. */
#define API_MAX_HOST_CONNECTIONS 8L
/* Slow-changing reads (HA settings, peer version, firmware, system info)
 * are refreshed at most this often; the CARP state is read every poll. */
#define API_SLOW_READ_MS 30000.0
/* Idle easy handles kept for the next request, of any node: a handle
 * holds no connection (those are the multi's) and every request sets all
 * of its options again, so one pool serves the fleet. Kept per node, a
 * fleet held a handle or more for every node (7 MB of the RSS at 500
 * pairs, doc/performance.md); transfers in flight at once are far fewer,
 * and this many covers one pair's reads, action and config.xml many
 * times over. */
#define API_IDLE_HANDLES_MAX 64
/* Per transfer buffers. libcurl 7.88 gives every HTTP/1.1 transfer a 64 KB
 * upload buffer although carptop sends at most a small JSON body: its
 * minimum (16 KB) is plenty. Replies are read in 4 KB pieces rather than
 * 16 KB; the largest (config.xml) only takes more calls of write_cb. */
#define API_UPLOAD_BUFFER 16384L
#define API_RECV_BUFFER 4096L
/* How long (node clock) the progress log may stay the previous job's after
 * an update request before "it never started" (fwjob.h). */
#define API_FW_START_WAIT_S 120.0
/* Nodes that may be connecting (TCP + TLS handshake) at once. A round of
 * 1000 nodes started together would otherwise ask for 1000+ handshakes in
 * the same instant; on a loaded host or a slow network many then miss their
 * timeout, and every failed one is retried next round: a re-handshake storm
 * that never settles. Queued nodes start as slots come free; a transfer's
 * timeout only runs from its start. Nodes with a live connection bypass it.
 * A slot is given back once connected (CURLOPT_PREREQFUNCTION), when the
 * read ends, or after API_SLOT_LEASE_MS, so nodes that never answer delay
 * the queue by at most that each. */
#define API_MAX_CONNECTING 32
#define API_SLOT_LEASE_MS 500.0
/* After consecutive timeouts a node is not asked again for a while: the
 * 2nd timeout in a row waits one timeout, each further one twice as long,
 * at most API_BACKOFF_MAX_MS. Its snapshot keeps saying why meanwhile. */
#define API_BACKOFF_MAX_MS 8000.0
/* When the backup list cannot be read: how often config.xml is read again
 * anyway (the app's own refresh without a marker, src/checks/confcache.h). */
#define API_MARKERLESS_S 300.0

/* ------------------------------------------------------------------ */
/* The multi handles                                                   */

/* Nodes share multi handles in groups of up to API_SHARD_NODES. libcurl
 * 7.88 walks a multi's whole connection cache on every
 * curl_multi_remove_handle (to close a CONNECT_ONLY connection of the
 * transfer): with 1000 nodes' connections in one cache that was a fifth of
 * carptop's CPU at 500 pairs (perf: req_finished -> remove_handle). A
 * node's transfers stay in its group's multi, so its HTTP/2 connection
 * still carries them all; DNS and TLS sessions are shared by every group.
 * One pair uses one multi, as before. */
#define API_SHARD_NODES 64
#define API_SHARDS_MAX 64 /* past 4096 nodes the groups grow instead */

struct shard {
	CURLM *multi;
	uint64_t timer;
	int users;
	int *fds;               /* sockets curl asked us to watch */
	size_t n_fds, cap_fds;
};

static struct {
	struct shard shards[API_SHARDS_MAX];
	CURLSH *share;          /* DNS cache and TLS sessions, shared */
	struct loop *loop;
	int users;
	bool global_init;
	int connecting;         /* nodes holding a connect slot (API_MAX_CONNECTING) */
	struct api_node **waiting; /* nodes waiting for one, oldest first */
	size_t n_waiting, cap_waiting;
	CURL *idle[API_IDLE_HANDLES_MAX]; /* easy handles kept for the next request */
	int n_idle;
} M;

static void check_done(struct shard *sh);

static void fd_track(struct shard *sh, int fd, bool on)
{
	size_t i;
	for (i = 0; i < sh->n_fds; i++) {
		if (sh->fds[i] == fd) {
			if (!on)
				sh->fds[i] = sh->fds[--sh->n_fds];
			return;
		}
	}
	if (!on)
		return;
	if (sh->n_fds == sh->cap_fds) {
		sh->cap_fds = sh->cap_fds ? sh->cap_fds * 2 : 16;
		sh->fds = xrealloc(sh->fds, sh->cap_fds * sizeof(*sh->fds));
	}
	sh->fds[sh->n_fds++] = fd;
}

static void on_fd(int fd, short revents, void *arg)
{
	struct shard *sh = arg;
	int flags = 0, running;
	if (!sh->multi)
		return;
	if (revents & POLLNVAL) {
		/* curl closed it without telling us: stop watching. */
		loop_fd_set(M.loop, fd, 0, NULL, NULL);
		fd_track(sh, fd, false);
		return;
	}
	if (revents & (POLLIN | POLLHUP))
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & POLLERR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(sh->multi, fd, flags, &running);
	check_done(sh);
}

/* CURLMOPT_SOCKETFUNCTION: mirror curl's interest in a socket into the loop. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct shard *sh = userp;
	short events = 0;
	(void)easy, (void)socketp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= POLLOUT;
	loop_fd_set(M.loop, s, events, on_fd, sh);
	fd_track(sh, s, events != 0);
	return 0;
}

static void on_timer(void *arg)
{
	struct shard *sh = arg;
	int running;
	sh->timer = 0;
	if (!sh->multi)
		return;
	curl_multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(sh);
}

/* CURLMOPT_TIMERFUNCTION: one loop timer stands for curl's next deadline. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct shard *sh = userp;
	(void)multi;
	if (sh->timer) {
		loop_timer_cancel(M.loop, sh->timer);
		sh->timer = 0;
	}
	if (timeout_ms >= 0)
		sh->timer = loop_timer_add(M.loop, (double)timeout_ms, on_timer, sh);
	return 0;
}

/* The group a new node joins: the first with room, else the least used. */
static struct shard *shard_pick(void)
{
	struct shard *best = &M.shards[0];
	int i;
	for (i = 0; i < API_SHARDS_MAX; i++) {
		struct shard *sh = &M.shards[i];
		if (sh->users < API_SHARD_NODES)
			return sh;
		if (sh->users < best->users)
			best = sh;
	}
	return best;
}

static int shard_open(struct shard *sh, char **cause)
{
	sh->multi = curl_multi_init();
	if (!sh->multi) {
		*cause = xstrdup("libcurl could not create its handles");
		return -1;
	}
	curl_multi_setopt(sh->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(sh->multi, CURLMOPT_SOCKETDATA, sh);
	curl_multi_setopt(sh->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(sh->multi, CURLMOPT_TIMERDATA, sh);
	curl_multi_setopt(sh->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(sh->multi, CURLMOPT_MAX_HOST_CONNECTIONS, API_MAX_HOST_CONNECTIONS);
	return 0;
}

static void shard_close(struct shard *sh)
{
	size_t i;
	if (sh->timer)
		loop_timer_cancel(M.loop, sh->timer);
	sh->timer = 0;
	curl_multi_cleanup(sh->multi);
	sh->multi = NULL;
	for (i = 0; i < sh->n_fds; i++)
		loop_fd_set(M.loop, sh->fds[i], 0, NULL, NULL);
	free(sh->fds);
	sh->fds = NULL;
	sh->n_fds = sh->cap_fds = 0;
}

static struct shard *multi_acquire(struct loop *loop, char **cause)
{
	struct shard *sh;
	if (M.users > 0 && M.loop != loop) {
		*cause = xstrdup("api backends must all run on the same event loop");
		return NULL;
	}
	if (M.users == 0) {
		if (!M.global_init) {
			if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
				*cause = xstrdup("libcurl could not be initialised");
				return NULL;
			}
			M.global_init = true;
		}
		M.share = curl_share_init();
		if (!M.share) {
			*cause = xstrdup("libcurl could not create its handles");
			return NULL;
		}
		/* Single-threaded: a share needs no lock functions. */
		curl_share_setopt(M.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(M.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		M.loop = loop;
	}
	sh = shard_pick();
	if (!sh->multi && shard_open(sh, cause) < 0) {
		if (M.users == 0) {
			curl_share_cleanup(M.share);
			M.share = NULL;
			M.loop = NULL;
		}
		return NULL;
	}
	sh->users++;
	M.users++;
	curl_multi_setopt(sh->multi, CURLMOPT_MAXCONNECTS, (long)sh->users * API_MAX_HOST_CONNECTIONS);
	return sh;
}

static void multi_release(struct shard *sh)
{
	M.users--;
	if (--sh->users > 0)
		curl_multi_setopt(sh->multi, CURLMOPT_MAXCONNECTS, (long)sh->users * API_MAX_HOST_CONNECTIONS);
	else
		shard_close(sh);
	if (M.users > 0)
		return;
	free(M.waiting);
	M.waiting = NULL;
	M.n_waiting = M.cap_waiting = 0;
	M.connecting = 0;
	while (M.n_idle > 0)
		curl_easy_cleanup(M.idle[--M.n_idle]);
	curl_share_cleanup(M.share);
	M.share = NULL;
	M.loop = NULL;
	curl_global_cleanup();
	M.global_init = false;
}

/* ------------------------------------------------------------------ */
/* Per-node state                                                      */

/* The reads of one poll. */
enum poll_read_id {
	RD_VIP = 0, RD_STATES, RD_PFSYNC, RD_HASYNC, RD_HAVERSION, RD_SYSTEM, RD_BACKUPS,
	RD_FWLOG, RD_FWRUNNING, RD_FWTIME, /* only while an update is followed */
	RD__COUNT
};

typedef enum node_error (*snap_parse_fn)(const char *, size_t, struct snapshot *, char **);

static const struct poll_read {
	const char *what;   /* snap_partial.what */
	const char *path;
	snap_parse_fn parse;
	bool primary_only;
} poll_reads[RD__COUNT] = {
	[RD_VIP] = { "vip_status", "/api/diagnostics/interface/get_vip_status", api_parse_vip_status, false },
	[RD_STATES] = { "pf_states", "/api/diagnostics/firewall/pf_states", api_parse_pf_states, false },
	[RD_PFSYNC] = { "pfsync", "/api/diagnostics/interface/get_pfsync_nodes", api_parse_pfsync_nodes, false },
	[RD_HASYNC] = { "hasync", "/api/core/hasync/get", api_parse_hasync_get, false },
	/* Reaches the peer over XMLRPC; only the primary has a sync target. */
	[RD_HAVERSION] = { "hasync_version", "/api/core/hasync_status/version", api_parse_hasync_version, true },
	/* The version comes from here, not from firmware/info (which runs pkg
	 * queries on the node). */
	[RD_SYSTEM] = { "system", "/api/diagnostics/system/system_information", api_parse_system_information, false },
	/* The config marker (backend.h): the newest backup's id changes with
	 * every save. A slow read, so a change made elsewhere is seen within
	 * API_SLOW_READ_MS (the list is the whole history, up to 100 entries:
	 * too much for every poll of hundreds of nodes); after an action of
	 * carptop's own it is read at the next poll, so a workflow's checks
	 * never judge a config.xml its last step has changed. */
	[RD_BACKUPS] = { "config", "/api/core/backup/backups/this", api_parse_backups, false },
	/* Following an update this backend requested (fwjob.h); parsed by
	 * fw_read_done into the api_node, not the snapshot. */
	[RD_FWLOG] = { "firmware", "/api/core/firmware/upgradestatus", NULL, false },
	[RD_FWRUNNING] = { "firmware", "/api/core/firmware/running", NULL, false },
	[RD_FWTIME] = { "firmware", "/api/diagnostics/system/system_time", NULL, false },
};

#define PATH_SYSTEM_TIME "/api/diagnostics/system/system_time"

struct api_node;
struct req;
typedef void (*req_done_fn)(struct api_node *n, struct req *r, enum node_error err, const char *msg);

struct req {
	struct api_node *node;
	CURL *easy;             /* non-NULL while the transfer is in the multi */
	int slot;               /* poll: enum poll_read_id; action: step */
	const struct poll_read *rd; /* poll: the read this request makes */
	req_done_fn done;
	/* While the transfer runs (req_start to req_release): libcurl's error
	 * buffer and the request's path, in one allocation. Held only in
	 * flight, not in each of a node's 13 requests (6 KB per node). */
	char *errbuf;           /* CURL_ERROR_SIZE bytes */
	char *path;             /* just after it */
	struct strbuf body;
	bool too_large;
	long timeout_ms;        /* 0: the node's timeout */
	struct curl_slist *headers;
};

struct api_node {
	struct backend *b;
	char *url;              /* https://host[:port], no trailing slash */
	char hostport[160];     /* for messages: "fw1.example.com:443" */
	char *key, *secret;     /* never logged or printed */
	long timeout_ms;
	struct shard *shard;    /* its group's multi handle (NULL before open) */

	/* Poll */
	struct req reads[RD__COUNT];
	bool polling, starting;
	int outstanding;
	int inflight, max_inflight;    /* requests on the wire, and api.connections */
	int queue[RD__COUNT], n_queue; /* reads waiting for a free connection */
	bool slow_this_poll;           /* this poll includes the slow reads */
	bool marker_due;               /* an action may have saved the config: read the marker next poll */
	bool marker_this_poll;         /* this poll reads the marker (slow or due) */
	bool marker_failed;            /* the last read of the backup list failed */
	double slow_due;               /* monotonic ms the slow reads are due */
	struct snapshot slow_cache;    /* their last results */
	double poll_t0;
	enum node_error vip_err;
	char vip_msg[SNAP_MSG_LEN];
	struct snapshot snap;
	/* Connection state for API_MAX_CONNECTING and the back-off. */
	bool connected;                /* the last read got an HTTP answer: a connection lives */
	bool has_slot, wants_slot;     /* holds / waits for a connect slot */
	uint64_t slot_timer;           /* the lease, or 0 ms once connected */
	int timeouts;                  /* consecutive polls that timed out */
	double backoff_until;          /* monotonic ms: no poll before */
	char timeout_msg[SNAP_MSG_LEN]; /* the last timeout's own cause, said again while backing off */

	/* Action */
	struct req act_req;
	bool acting;
	struct action act;
	struct action_result act_res;
	char vip_uuid[80];      /* ACT_VIP_DELETE: found by search_item */

	/* The firmware update this backend requested, and what this poll read
	 * for it (-1 / NULL: not read). */
	struct fwjob fw;
	char *fw_log;
	int fw_running;
	long long fw_now, fw_boot;
	double fw_req_local;    /* monotonic s of the request */
	unsigned mutations;

	/* config.xml (config_start). The text holds secrets: it lives only
	 * from the end of the download until on_config has seen it, then it
	 * is wiped. */
	struct req cfg_req;
	bool cfg_reading;
	bool cfg_waiting;              /* the read waits for one of the node's connections */
	char *cfg_xml;
	size_t cfg_len;
	enum node_error cfg_err;       /* the last read's failure, NERR_NONE after a good one */
	char cfg_msg[SNAP_MSG_LEN];

	/* The CARP-only probe (stream_start, api.carp_interval): get_vip_status
	 * alone between the full polls; a VHID state that differs from what the
	 * last probe or poll saw is reported as a change (the app then polls
	 * the pair). */
	struct req probe_req;
	bool probing, probe_on;
	uint64_t probe_timer, probe_ev_timer;
	char *carp_sig;                /* "vhid status;..." last seen, NULL = nothing yet */
	struct stream_event probe_ev;
};

/* OpenSSL keeps a 16 KB read and a 16 KB write buffer per connection for
 * as long as it lives; carptop's connections idle most of the interval, so
 * they are released between records (SSL_MODE_RELEASE_BUFFERS): about
 * 34 KB less per node, 34 MB at 1000 nodes. Only when libcurl's TLS is
 * OpenSSL: the context handed over is another library's otherwise. */
#if HAVE_OPENSSL
static CURLcode ssl_ctx_cb(CURL *e, void *ctx, void *arg)
{
	(void)e;
	(void)arg;
	SSL_CTX_set_mode((SSL_CTX *)ctx, SSL_MODE_RELEASE_BUFFERS);
	return CURLE_OK;
}

static bool curl_on_openssl(void)
{
	static int known = -1;
	if (known < 0) {
		const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
		known = v->ssl_version && str_starts(v->ssl_version, "OpenSSL/");
	}
	return known == 1;
}
#endif

/* A handle from the pool, with no option of its last request left:
 * curl_easy_reset() drops them all (the last node's credentials too), and
 * setup_easy() sets every one again. */
static CURL *easy_get(void)
{
	CURL *e;
	if (M.n_idle > 0) {
		e = M.idle[--M.n_idle];
		curl_easy_reset(e);
		return e;
	}
	return curl_easy_init();
}

static void easy_put(CURL *e)
{
	if (!e)
		return;
	if (M.n_idle < API_IDLE_HANDLES_MAX)
		M.idle[M.n_idle++] = e;
	else
		curl_easy_cleanup(e);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct req *r = userp;
	size_t n = size * nmemb;
	if (r->body.len + n > API_BODY_MAX) {
		r->too_large = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	sb_addn(&r->body, data, n);
	return n;
}

/* TLS per api_conf: verify by default (system store or ca_file). */
static void setup_tls(CURL *e, const struct api_conf *c)
{
	if (c->insecure) {
		/* Spelled out in the config: no verification at all. */
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
		return;
	}
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (c->pin) {
		curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, c->pin);
		if (!c->ca_file) {
			/* The pin is the trust anchor. OPNsense serves a self-signed
			 * GUI certificate by default (CONTRACT §0), which no CA store
			 * vouches for; so with a pin and no ca_file the CA chain and
			 * name checks are off, while curl still aborts the handshake
			 * unless the server's public key hashes to the pin (it checks
			 * the pin regardless of VERIFYPEER). With a ca_file both hold. */
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
}

static int prereq_cb(void *clientp, char *ip, char *local_ip, int port, int local_port);

static void setup_easy(struct api_node *n, struct req *r, const char *url, const char *post)
{
	CURL *e = r->easy;
	r->headers = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_SHARE, M.share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* Basic auth goes to the node only over TLS, and never to a redirect. */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : n->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, n->timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, n->key);
	curl_easy_setopt(e, CURLOPT_PASSWORD, n->secret);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "carptop");
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)API_BODY_MAX);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, API_RECV_BUFFER);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, r);
#if HAVE_OPENSSL
	if (curl_on_openssl())
		curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
#endif
#if LIBCURL_VERSION_NUM >= 0x073e00
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, API_UPLOAD_BUFFER);
#endif
	if (post) {
		/* Action POSTs send "{}": an empty body declared as JSON is a 400
		 * "Invalid JSON syntax" on OPNsense (CONTRACT §0, parseJsonBodyData). */
		r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
		r->headers = curl_slist_append(r->headers, "Expect:");
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, post);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	setup_tls(e, &n->b->conf->api);
}

/* Detach a finished or abandoned transfer; the body stays for the handler. */
static void req_release(struct req *r)
{
	if (r->easy) {
		curl_multi_remove_handle(r->node->shard->multi, r->easy);
		curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, NULL);
		easy_put(r->easy);
		r->easy = NULL;
	}
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	free(r->errbuf);
	r->errbuf = r->path = NULL;
}

/* Start `path` (GET, or POST of `post`). The handler runs when it ends. */
static int req_start(struct api_node *n, struct req *r, const char *path, const char *post, bool mutating,
		     req_done_fn done)
{
	char *url, *scratch = xmalloc(CURL_ERROR_SIZE + strlen(path) + 1);
	r->node = n;
	r->done = done;
	r->too_large = false;
	strcpy(scratch + CURL_ERROR_SIZE, path);
	free(r->errbuf);
	r->errbuf = scratch;
	r->errbuf[0] = '\0';
	r->path = scratch + CURL_ERROR_SIZE;
	sb_free(&r->body);
	r->easy = easy_get();
	if (!r->easy) {
		req_release(r);
		return -1;
	}
	url = xasprintf("%s%s", n->url, r->path);
	setup_easy(n, r, url, post);
	free(url);
	if (curl_multi_add_handle(n->shard->multi, r->easy) != CURLM_OK) {
		req_release(r);
		return -1;
	}
	/* Counted when handed over: from here on the node may act on it. */
	if (mutating)
		n->mutations++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* X509_V_ERR_* values reported through CURLINFO_SSL_VERIFYRESULT. */
enum {
	X509_UNABLE_TO_GET_ISSUER_CERT = 2,
	X509_CERT_NOT_YET_VALID = 9,
	X509_CERT_HAS_EXPIRED = 10,
	X509_DEPTH_ZERO_SELF_SIGNED = 18,
	X509_SELF_SIGNED_IN_CHAIN = 19,
	X509_UNABLE_TO_GET_ISSUER_LOCALLY = 20,
	X509_UNABLE_TO_VERIFY_LEAF = 21,
	X509_HOSTNAME_MISMATCH = 62,
};

static enum node_error tls_verify_error(struct api_node *n, struct req *r, const char *detail, char *msg, size_t size)
{
	long v = 0;
	enum node_error e = NERR_TLS_OTHER;
	curl_easy_getinfo(r->easy, CURLINFO_SSL_VERIFYRESULT, &v);
	switch (v) {
	case X509_CERT_NOT_YET_VALID:
	case X509_CERT_HAS_EXPIRED:
		e = NERR_TLS_EXPIRED;
		break;
	case X509_UNABLE_TO_GET_ISSUER_CERT:
	case X509_DEPTH_ZERO_SELF_SIGNED:
	case X509_SELF_SIGNED_IN_CHAIN:
	case X509_UNABLE_TO_GET_ISSUER_LOCALLY:
	case X509_UNABLE_TO_VERIFY_LEAF:
		e = NERR_TLS_UNTRUSTED;
		break;
	case X509_HOSTNAME_MISMATCH:
		e = NERR_TLS_NAME;
		break;
	default:
		/* curl's own name check leaves the verify result at 0. */
		if (strcasestr(detail, "expired") || strcasestr(detail, "not yet valid"))
			e = NERR_TLS_EXPIRED;
		else if (strcasestr(detail, "subject name") || strcasestr(detail, "does not match") ||
			 strcasestr(detail, "hostname mismatch"))
			e = NERR_TLS_NAME;
		else if (strcasestr(detail, "self-signed") || strcasestr(detail, "self signed") ||
			 strcasestr(detail, "issuer"))
			e = NERR_TLS_UNTRUSTED;
		break;
	}
	switch (e) {
	case NERR_TLS_EXPIRED:
		str_printf(msg, size, "TLS certificate of %s is expired or not yet valid (%s)", n->hostport, detail);
		break;
	case NERR_TLS_UNTRUSTED:
		str_printf(msg, size, "TLS certificate of %s is not trusted (%s); set api ca_file or pin", n->hostport,
			   detail);
		break;
	case NERR_TLS_NAME:
		str_printf(msg, size, "TLS certificate of %s does not match the host name (%s)", n->hostport, detail);
		break;
	default:
		str_printf(msg, size, "TLS certificate of %s rejected (%s)", n->hostport, detail);
		break;
	}
	return e;
}

static enum node_error timeout_error(struct api_node *n, struct req *r, char *msg, size_t size)
{
	curl_off_t tls = 0;
	double secs = (double)n->timeout_ms / 1000.0;
	/* curl counts the TLS handshake as part of connecting and reports no
	 * connect time until it is done, so a TCP connect that hangs and a TLS
	 * handshake that hangs look the same here; only "connected" is sure. */
	curl_easy_getinfo(r->easy, CURLINFO_APPCONNECT_TIME_T, &tls);
	if (tls == 0)
		str_printf(msg, size, "no connection to %s within %.1f s (TCP connect or TLS handshake timed out)",
			   n->hostport, secs);
	else
		str_printf(msg, size, "%s accepted the connection but did not answer %s within %.1f s", n->hostport,
			   r->path, secs);
	return NERR_TIMEOUT;
}

/* A transfer that failed below HTTP: say precisely what happened. */
static enum node_error curl_error(struct api_node *n, struct req *r, CURLcode rc, char *msg, size_t size)
{
	const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
	long oserr = 0;

	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == EHOSTUNREACH || oserr == ENETUNREACH) {
			str_printf(msg, size, "no route to %s (%s)", n->hostport, strerror((int)oserr));
			return NERR_UNREACHABLE;
		}
		str_printf(msg, size, "connection refused by %s", n->hostport);
		return NERR_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return timeout_error(n, r, msg, size);
	case CURLE_COULDNT_RESOLVE_HOST:
		str_printf(msg, size, "cannot resolve host name of %s (%s)", n->hostport, detail);
		return NERR_UNREACHABLE;
	case CURLE_PEER_FAILED_VERIFICATION:
		return tls_verify_error(n, r, detail, msg, size);
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		str_printf(msg, size, "TLS public key of %s does not match the configured pin", n->hostport);
		return NERR_TLS_PIN;
	case CURLE_SSL_CACERT_BADFILE:
		str_printf(msg, size, "cannot use ca_file %s (%s)", n->b->conf->api.ca_file ? n->b->conf->api.ca_file : "",
			   detail);
		return NERR_CONFIG;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		str_printf(msg, size, "TLS handshake with %s failed (%s)", n->hostport, detail);
		return NERR_TLS_OTHER;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			str_printf(msg, size, "reply to %s from %s is larger than %u bytes", r->path, n->hostport,
				   API_BODY_MAX);
			return NERR_PROTOCOL;
		}
		break;
	case CURLE_GOT_NOTHING:
		str_printf(msg, size, "%s closed the connection without an HTTP reply", n->hostport);
		return NERR_PROTOCOL;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		str_printf(msg, size, "connection to %s broke (%s)", n->hostport, detail);
		return NERR_UNREACHABLE;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		str_printf(msg, size, "api url %s is not usable (%s); use https://host[:port]", n->url, detail);
		return NERR_CONFIG;
	case CURLE_OUT_OF_MEMORY:
		str_printf(msg, size, "out of memory talking to %s", n->hostport);
		return NERR_INTERNAL;
	default:
		break;
	}
	str_printf(msg, size, "request to %s failed (%s)", n->hostport, detail);
	return NERR_PROTOCOL;
}

/* The outcome of a finished transfer: transport error, HTTP error or none. */
static enum node_error classify(struct api_node *n, struct req *r, CURLcode rc, char *msg, size_t size)
{
	long status = 0;
	enum node_error e;
	msg[0] = '\0';
	if (rc != CURLE_OK)
		return curl_error(n, r, rc, msg, size);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status <= 299)
		return NERR_NONE;
	api_parse_error_body((int)status, r->path, r->body.buf, r->body.len, &e, msg, size);
	return e;
}

/* Every finished transfer comes through here (from check_done). */
static void req_finished(struct req *r, CURLcode rc)
{
	char msg[SNAP_MSG_LEN];
	enum node_error e = classify(r->node, r, rc, msg, sizeof(msg));
	/* Free the easy handle first: the handler may start the next step on r. */
	req_release(r);
	r->done(r->node, r, e, msg);
}

static void check_done(struct shard *sh)
{
	CURLMsg *m;
	int left;
	while (sh->multi && (m = curl_multi_info_read(sh->multi, &left))) {
		char *priv = NULL;
		struct req *r;
		CURLcode rc = m->data.result;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		r = (struct req *)(void *)priv;
		/* Removing a handle also drops its queued message, so r is live. */
		if (r && r->easy == m->easy_handle)
			req_finished(r, rc);
	}
}

/* ------------------------------------------------------------------ */
/* Poll                                                                */

static bool fw_following(const struct api_node *n)
{
	return n->fw.state != FWJ_NONE && !fwjob_final(n->fw.state);
}

static void fw_reads_clear(struct api_node *n)
{
	free(n->fw_log);
	n->fw_log = NULL;
	n->fw_running = -1;
	n->fw_now = n->fw_boot = -1;
}

/* Feed the poll to the firmware-job tracker; the wait for the job to start
 * is on the node's own clock (system_time). */
static void fw_track_after_poll(struct api_node *n)
{
	static const enum fw_state shown[] = {
		[FWJ_REQUESTED] = FW_RUNNING, [FWJ_RUNNING] = FW_RUNNING, [FWJ_REBOOT_PENDING] = FW_REBOOTING,
		[FWJ_REBOOTING] = FW_REBOOTING, [FWJ_REBOOTED] = FW_DONE, [FWJ_DONE] = FW_DONE,
		[FWJ_FAILED] = FW_ERROR, [FWJ_NOT_STARTED] = FW_ERROR,
	};
	struct snapshot *s = &n->snap;
	if (n->fw.state == FWJ_NONE)
		return;
	if (fw_following(n)) {
		struct fwjob_obs o = {
			.reachable = s->reachable,
			.log = s->reachable ? n->fw_log : NULL,
			.running = s->reachable ? n->fw_running : -1,
			.boottime = s->reachable ? n->fw_boot : -1,
		};
		if (s->reachable && n->fw_now >= 0)
			o.now = (double)n->fw_now;
		else
			o.now = (double)(n->fw.req_time >= 0 ? n->fw.req_time : 0) + (now_ms() / 1000.0 - n->fw_req_local);
		fwjob_observe(&n->fw, &o);
		/* Whatever happens next, read everything again: the version changes. */
		n->slow_due = 0;
	}
	fw_reads_clear(n);
	s->firmware.job = (int)n->fw.state;
	str_copy(s->firmware.job_detail, n->fw.detail, sizeof(s->firmware.job_detail));
	if ((size_t)n->fw.state < ARRAY_LEN(shown) && shown[n->fw.state])
		s->firmware.state = shown[n->fw.state];
}

static void slow_cache_apply(struct api_node *n);

static void carp_seen(struct api_node *n, const struct snapshot *s);

static void poll_finish(struct api_node *n)
{
	struct snapshot *s = &n->snap;
	if (n->vip_err != NERR_NONE) {
		/* Unreachable: nothing else in the snapshot may be trusted. */
		snapshot_clear(s);
		snapshot_set_error(s, n->vip_err, "%s", n->vip_msg);
	} else {
		s->reachable = true;
		s->err = NERR_NONE;
		s->error[0] = '\0';
	}
	if (s->reachable)
		slow_cache_apply(n);
	else
		n->slow_due = 0; /* read everything again once it is back */
	/* Without the backup list, a marker that still changes after every
	 * change carptop makes and every API_MARKERLESS_S: config.xml is read
	 * again then, never judged stale by a workflow's next check. */
	if (s->reachable && n->marker_failed)
		str_printf(s->config_marker, sizeof(s->config_marker), "no-list %u %lld", n->mutations,
			   (long long)(wall_s() / API_MARKERLESS_S));
	/* Until config.xml is read again successfully, say why it is not. */
	if (s->reachable && n->cfg_err != NERR_NONE)
		snapshot_add_partial(s, "config", n->cfg_err, "%s", n->cfg_msg);
	if (s->reachable && !s->firmware.version[0])
		str_copy(s->firmware.version, s->version, sizeof(s->firmware.version));
	fw_track_after_poll(n);
	if (s->reachable)
		carp_seen(n, s);
	s->taken = wall_s();
	s->duration_ms = now_ms() - n->poll_t0;
	snapshot_sanitize(s);
	n->polling = false;
	backend_hand_snapshot(n->b, s);
}

static void poll_read_settle(struct api_node *n)
{
	if (--n->outstanding == 0 && !n->starting)
		poll_finish(n);
}

/* get_vip_status failed: the node counts as unreachable, so the other
 * reads are abandoned rather than waited for. */
static void poll_abandon_others(struct api_node *n)
{
	int i;
	for (i = 0; i < RD__COUNT; i++) {
		struct req *r = &n->reads[i];
		if (i == RD_VIP || !r->easy)
			continue;
		req_release(r);
		sb_free(&r->body);
		n->outstanding--;
		n->inflight--;
	}
	/* Reads still queued never started. */
	n->outstanding -= n->n_queue;
	n->n_queue = 0;
}

static bool is_slow_read(int i)
{
	return i == RD_HASYNC || i == RD_HAVERSION || i == RD_SYSTEM || i == RD_BACKUPS;
}

static void poll_read_done(struct api_node *n, struct req *r, enum node_error err, const char *msg);

/* How many reads may be on the wire: one until a read got through (its
 * handshake leaves a TLS session the others resume), none while waiting
 * for a connect slot. */
static int read_limit(const struct api_node *n)
{
	if (n->wants_slot)
		return 0;
	return n->connected ? n->max_inflight : 1;
}

static void slot_drop(struct api_node *n);

static void slot_timer_cb(void *arg)
{
	struct api_node *n = arg;
	n->slot_timer = 0;
	slot_drop(n);
}

static void slot_grant(struct api_node *n)
{
	M.connecting++;
	n->has_slot = true;
	n->slot_timer = loop_timer_add(n->b->loop, API_SLOT_LEASE_MS, slot_timer_cb, n);
}

/* CURLOPT_PREREQFUNCTION: connected (TCP and TLS), the request goes out.
 * Inside curl no transfer may be added: the slot goes from a loop timer. */
static int prereq_cb(void *clientp, char *ip, char *local_ip, int port, int local_port)
{
	struct api_node *n = ((struct req *)clientp)->node;
	(void)ip, (void)local_ip, (void)port, (void)local_port;
	if (n->has_slot && n->slot_timer) {
		loop_timer_cancel(n->b->loop, n->slot_timer);
		n->slot_timer = loop_timer_add(n->b->loop, 0, slot_timer_cb, n);
	}
	return CURL_PREREQFUNC_OK;
}

/* A node without a live connection needs a connect slot to start. */
static void slot_take(struct api_node *n)
{
	if (n->connected || n->has_slot || n->wants_slot)
		return;
	if (M.connecting < API_MAX_CONNECTING) {
		slot_grant(n);
		return;
	}
	if (M.n_waiting == M.cap_waiting) {
		M.cap_waiting = M.cap_waiting ? M.cap_waiting * 2 : 64;
		M.waiting = xrealloc(M.waiting, M.cap_waiting * sizeof(*M.waiting));
	}
	M.waiting[M.n_waiting++] = n;
	n->wants_slot = true;
}

static void read_next(struct api_node *n);

/* Give up a slot (or a place in the queue); the oldest waiting node
 * takes the free slot and starts its reads. */
static void slot_drop(struct api_node *n)
{
	size_t i;
	if (n->wants_slot) {
		for (i = 0; i < M.n_waiting; i++)
			if (M.waiting[i] == n) {
				memmove(&M.waiting[i], &M.waiting[i + 1], (M.n_waiting - i - 1) * sizeof(*M.waiting));
				M.n_waiting--;
				break;
			}
		n->wants_slot = false;
		return;
	}
	if (!n->has_slot)
		return;
	if (n->slot_timer)
		loop_timer_cancel(n->b->loop, n->slot_timer);
	n->slot_timer = 0;
	n->has_slot = false;
	M.connecting--;
	while (M.n_waiting > 0 && M.connecting < API_MAX_CONNECTING) {
		struct api_node *w = M.waiting[0];
		memmove(&M.waiting[0], &M.waiting[1], (M.n_waiting - 1) * sizeof(*M.waiting));
		M.n_waiting--;
		w->wants_slot = false;
		slot_grant(w);
		read_next(w);
	}
}

static void read_start(struct api_node *n, struct req *r)
{
	n->inflight++;
	if (req_start(n, r, r->rd->path, NULL, false, poll_read_done) < 0)
		poll_read_done(n, r, NERR_INTERNAL, "libcurl could not start the request");
}

static void cfg_read_start(struct api_node *n);

/* A connection came free: the next queued read of this poll takes it,
 * then a config.xml read that waits. */
static void read_next(struct api_node *n)
{
	while (n->n_queue > 0 && n->inflight < read_limit(n) && n->vip_err == NERR_NONE) {
		int i = n->queue[0];
		memmove(&n->queue[0], &n->queue[1], (size_t)(n->n_queue - 1) * sizeof(n->queue[0]));
		n->n_queue--;
		read_start(n, &n->reads[i]);
	}
	if (n->cfg_waiting && n->inflight < read_limit(n)) {
		n->cfg_waiting = false;
		cfg_read_start(n);
	}
}

/* Keep the slow reads' results between their refreshes. */
static void slow_cache_apply(struct api_node *n)
{
	struct snapshot *s = &n->snap, *c = &n->slow_cache;
	int k;
	if (n->slow_this_poll) {
		if (n->vip_err != NERR_NONE)
			return;
		str_copy(c->hostname, s->hostname, sizeof(c->hostname));
		str_copy(c->version, s->version, sizeof(c->version));
		str_copy(c->config_marker, s->config_marker, sizeof(c->config_marker));
		c->hasync = s->hasync;
		c->carp.preempt = s->carp.preempt; /* from hasync/get */
		c->firmware = s->firmware;
		c->pfsync.syncdev[0] = '\0';
		str_copy(c->pfsync.syncdev, s->pfsync.syncdev, sizeof(c->pfsync.syncdev));
		str_copy(c->pfsync.syncpeer, s->pfsync.syncpeer, sizeof(c->pfsync.syncpeer));
		c->n_partial = 0;
		for (k = 0; k < s->n_partial; k++)
			if (strcmp(s->partial[k].what, "vip_status") && strcmp(s->partial[k].what, "pf_states") &&
			    strcmp(s->partial[k].what, "pfsync"))
				snapshot_put_partial(c, &s->partial[k]);
		n->slow_due = now_ms() + API_SLOW_READ_MS;
		return;
	}
	str_copy(s->hostname, c->hostname, sizeof(s->hostname));
	str_copy(s->version, c->version, sizeof(s->version));
	if (n->marker_this_poll)
		str_copy(c->config_marker, s->config_marker, sizeof(c->config_marker));
	else
		str_copy(s->config_marker, c->config_marker, sizeof(s->config_marker));
	s->hasync = c->hasync;
	s->carp.preempt = c->carp.preempt;
	s->firmware = c->firmware;
	if (!s->pfsync.syncdev[0]) {
		str_copy(s->pfsync.syncdev, c->pfsync.syncdev, sizeof(s->pfsync.syncdev));
		str_copy(s->pfsync.syncpeer, c->pfsync.syncpeer, sizeof(s->pfsync.syncpeer));
	}
	for (k = 0; k < c->n_partial; k++)
		snapshot_put_partial(s, &c->partial[k]);
}

/* The CARP read decides: a timeout counts towards the back-off, any
 * other end resets it; a failed one also means no live connection. */
static void backoff_note(struct api_node *n, enum node_error err, const char *msg)
{
	n->connected = err == NERR_NONE;
	if (err != NERR_TIMEOUT) {
		n->timeouts = 0;
		n->backoff_until = 0;
		return;
	}
	/* Kept apart from vip_msg, which a back-off poll rewrites: the cause
	 * stays as the node said it, the count and wait follow it once. */
	str_copy(n->timeout_msg, msg ? msg : "timed out", sizeof(n->timeout_msg));
	n->timeouts++;
	if (n->timeouts >= 2) {
		double wait = (double)n->timeout_ms * (double)(1u << (n->timeouts - 2 < 4 ? n->timeouts - 2 : 4));
		n->backoff_until = now_ms() + (wait < API_BACKOFF_MAX_MS ? wait : API_BACKOFF_MAX_MS);
	}
}

static void poll_read_done(struct api_node *n, struct req *r, enum node_error err, const char *msg)
{
	const struct poll_read *rd = r->rd;
	char *cause = NULL;

	if (err == NERR_NONE && !rd->parse) {
		/* The firmware job's reads: kept for fw_track_after_poll. A
		 * failed one is simply not known this time. */
		const char *body = r->body.buf ? r->body.buf : "";
		if (r->slot == RD_FWLOG) {
			free(n->fw_log);
			api_parse_fw_log(body, r->body.len, &n->fw_log, NULL);
		} else if (r->slot == RD_FWRUNNING) {
			n->fw_running = api_parse_fw_running(body, r->body.len);
		} else {
			api_parse_system_time(body, r->body.len, &n->fw_now, &n->fw_boot, NULL);
		}
	} else if (err == NERR_NONE) {
		err = rd->parse(r->body.buf ? r->body.buf : "", r->body.len, &n->snap, &cause);
		if (err != NERR_NONE)
			msg = cause ? cause : "unreadable reply";
	} else if (!rd->parse) {
		err = NERR_NONE; /* not known this poll; no partial note */
	}
	sb_free(&r->body);
	if (err != NERR_NONE) {
		if (r->slot == RD_VIP) {
			n->vip_err = err;
			str_copy(n->vip_msg, msg, sizeof(n->vip_msg));
			poll_abandon_others(n);
		} else if (r->slot == RD_BACKUPS) {
			/* Only the marker is missing (poll_finish makes one up). A
			 * missing privilege shows where it matters, on the download. */
			n->marker_failed = true;
		} else {
			snapshot_add_partial(&n->snap, rd->what, err, "%s", msg);
		}
	}
	free(cause);
	if (r->slot == RD_BACKUPS && err == NERR_NONE)
		n->marker_failed = false;
	if (r->slot == RD_VIP)
		backoff_note(n, err, msg);
	n->inflight--;
	slot_drop(n); /* the connecting read is over, one way or the other */
	read_next(n);
	poll_read_settle(n);
}

static int api_poll_start(struct backend *b)
{
	struct api_node *n = b->priv;
	int i;

	if (!n || n->polling)
		return -1;
	n->polling = true;
	n->starting = true;
	n->outstanding = 0;
	n->poll_t0 = now_ms();
	n->vip_err = NERR_NONE;
	n->vip_msg[0] = '\0';
	n->n_queue = 0;
	snapshot_clear(&n->snap);
	if (now_ms() < n->backoff_until) {
		/* Backing off after timeouts: say so without asking the node. */
		n->vip_err = NERR_TIMEOUT;
		str_printf(n->vip_msg, sizeof(n->vip_msg), "%s; timed out %d times in a row; next try in %.0f s",
			   n->timeout_msg, n->timeouts, (n->backoff_until - now_ms()) / 1000.0 + 0.5);
		n->starting = false;
		poll_finish(n);
		return 0;
	}
	slot_take(n);
	/* Slow reads: when due, while an update is followed, and whenever the
	 * node was not read fully last time (first poll, after an outage). */
	n->slow_this_poll = now_ms() >= n->slow_due || fw_following(n);
	fw_reads_clear(n);
	n->marker_this_poll = n->slow_this_poll || n->marker_due;
	n->marker_due = false;
	for (i = 0; i < RD__COUNT && n->vip_err == NERR_NONE; i++) {
		const struct poll_read *rd = &poll_reads[i];
		struct req *r = &n->reads[i];
		if (rd->primary_only && b->conf->role != ROLE_PRIMARY)
			continue;
		if (!rd->parse && !fw_following(n))
			continue; /* the firmware job's reads */
		if (is_slow_read(i) && !n->slow_this_poll && !(i == RD_BACKUPS && n->marker_this_poll))
			continue;
		r->slot = i;
		r->rd = rd;
		n->outstanding++;
		if (n->inflight >= read_limit(n)) {
			n->queue[n->n_queue++] = i; /* waits for a connection */
			continue;
		}
		read_start(n, r);
	}
	n->starting = false;
	if (n->outstanding == 0)
		poll_finish(n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static void action_finish(struct api_node *n, enum node_error err, const char *msg)
{
	/* Also after a failure: the node may have saved a change anyway. */
	n->marker_due = true;
	n->act_res.err = err;
	str_copy(n->act_res.message, msg, sizeof(n->act_res.message));
	text_sanitize_inplace(n->act_res.message);
	if (err == NERR_NONE && n->act.kind == ACT_FIRMWARE_UPDATE) {
		/* The node's clock and boot time were read just before the
		 * request (STEP_FW_TIME); -1 when system_time failed. */
		n->fw_req_local = now_ms() / 1000.0;
		fwjob_start(&n->fw, n->fw_now, n->fw_boot, n->fw_now >= 0 ? (double)n->fw_now : 0.0, API_FW_START_WAIT_S);
		fw_reads_clear(n);
	}
	n->acting = false;
	backend_hand_action(n->b, &n->act, &n->act_res);
}

/* Fixed-URL actions: POST {} and read {"status":...}. */
static const char *const action_paths[ACT__COUNT] = {
	[ACT_MAINTENANCE_TOGGLE] = "/api/diagnostics/interface/carp_status/maintenance",
	[ACT_CARP_DISABLE] = "/api/diagnostics/interface/carp_status/disable",
	[ACT_CARP_ENABLE] = "/api/diagnostics/interface/carp_status/enable",
	[ACT_VIP_APPLY] = "/api/interfaces/vip_settings/reconfigure",
	[ACT_FIRMWARE_UPDATE] = "/api/core/firmware/update",
	[ACT_REBOOT] = "/api/core/system/reboot",
	/* "Synchronize and reconfigure all": the only API way to push config. */
	[ACT_SYNC] = "/api/core/hasync_status/restart_all",
};

#define PATH_VIP_ADD "/api/interfaces/vip_settings/add_item"
#define PATH_VIP_SEARCH "/api/interfaces/vip_settings/search_item"
#define PATH_VIP_DEL "/api/interfaces/vip_settings/del_item/"

enum { STEP_MAIN = 0, STEP_VIP_SEARCH, STEP_VIP_DEL, STEP_VIP_IFACE, STEP_FW_TIME };

static char *vip_add_body(const struct vip_spec *v);

static void action_req_done(struct api_node *n, struct req *r, enum node_error err, const char *msg);

static void action_start_req(struct api_node *n, const char *path, const char *post, bool mutating, int step)
{
	n->act_req.slot = step;
	if (req_start(n, &n->act_req, path, post, mutating, action_req_done) < 0)
		action_finish(n, NERR_INTERNAL, "libcurl could not start the request");
}

static void action_req_done(struct api_node *n, struct req *r, enum node_error err, const char *msg)
{
	struct action_result res;
	char *cause = NULL, path[256];
	const char *body = r->body.buf ? r->body.buf : "";

	if (r->slot == STEP_FW_TIME) {
		/* The tracker's reference: a log older than this is the last
		 * job's. Without it (privilege, old release) any update log
		 * counts; the request goes ahead either way. */
		n->fw_now = n->fw_boot = -1;
		if (err == NERR_NONE)
			api_parse_system_time(body, r->body.len, &n->fw_now, &n->fw_boot, NULL);
		sb_free(&r->body);
		action_start_req(n, action_paths[ACT_FIRMWARE_UPDATE], "{}", true, STEP_MAIN);
		return;
	}
	if (err != NERR_NONE) {
		sb_free(&r->body);
		action_finish(n, err, msg);
		return;
	}
	if (r->slot == STEP_VIP_IFACE) {
		/* No interface given: the alias goes where the VHID's CARP VIP is. */
		char *add;
		err = api_parse_vip_search_carp_iface(body, r->body.len, n->act.vip.vhid, n->act.vip.interface,
						      sizeof(n->act.vip.interface), &cause);
		sb_free(&r->body);
		if (err != NERR_NONE) {
			action_finish(n, err, cause ? cause : "no CARP VIP with that vhid");
			free(cause);
			return;
		}
		add = vip_add_body(&n->act.vip);
		action_start_req(n, PATH_VIP_ADD, add, true, STEP_MAIN);
		free(add);
		return;
	}
	if (r->slot == STEP_VIP_SEARCH) {
		err = api_parse_vip_search_find(body, r->body.len, &n->act.vip, n->vip_uuid, sizeof(n->vip_uuid),
						&cause);
		sb_free(&r->body);
		if (err != NERR_NONE) {
			action_finish(n, err, cause ? cause : "no such virtual IP");
			free(cause);
			return;
		}
		/* The uuid is hex and '-' only (checked by the parser). */
		str_printf(path, sizeof(path), "%s%s", PATH_VIP_DEL, n->vip_uuid);
		action_start_req(n, path, "{}", true, STEP_VIP_DEL);
		return;
	}
	if (r->slot == STEP_VIP_DEL || n->act.kind == ACT_VIP_ADD)
		api_parse_vip_result(body, r->body.len, &res);
	else
		api_parse_action_reply(body, r->body.len, &res);
	sb_free(&r->body);
	action_finish(n, res.err, res.message);
}

/* {"vip":{"mode":"ipalias","interface":..,"network":"A/P","vhid":"N","descr":..}},
 * built with json-c so the description is escaped properly. */
static char *vip_add_body(const struct vip_spec *v)
{
	json_object *root = json_object_new_object(), *vip = json_object_new_object();
	char network[SNAP_ADDR_LEN + 8], vhid[8];
	char *out;
	str_printf(network, sizeof(network), "%s/%d", v->address, v->prefix);
	str_printf(vhid, sizeof(vhid), "%d", v->vhid);
	json_object_object_add(vip, "mode", json_object_new_string("ipalias"));
	json_object_object_add(vip, "interface", json_object_new_string(v->interface));
	json_object_object_add(vip, "network", json_object_new_string(network));
	json_object_object_add(vip, "vhid", json_object_new_string(vhid));
	json_object_object_add(vip, "descr", json_object_new_string(v->descr));
	json_object_object_add(root, "vip", vip);
	out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

static int api_action_start(struct backend *b, const struct mutation_grant *g, const struct action *a)
{
	struct api_node *n = b->priv;
	const char *why = NULL;
	char *body;

	if (!mutation_grant_valid(g) || !n || n->acting || (unsigned)a->kind >= ACT__COUNT)
		return -1;
	n->acting = true;
	n->act = *a;
	memset(&n->act_res, 0, sizeof(n->act_res));
	/* backend_action() refuses first; this is the second lock. */
	if (b->read_only) {
		action_finish(n, NERR_READ_ONLY, "read-only mode: nothing was sent");
		return 0;
	}
	switch (a->kind) {
	case ACT_VIP_ADD:
		if (a->vip.mode != VIP_MODE_IPALIAS)
			why = "carptop adds IP aliases only (a CARP VIP needs its password)";
		else
			vip_spec_check(&a->vip, true, &why);
		if (why) {
			action_finish(n, NERR_CONFIG, why);
			break;
		}
		if (!a->vip.interface[0]) {
			action_start_req(n, PATH_VIP_SEARCH, NULL, false, STEP_VIP_IFACE);
			break;
		}
		body = vip_add_body(&a->vip);
		action_start_req(n, PATH_VIP_ADD, body, true, STEP_MAIN);
		free(body);
		break;
	case ACT_VIP_DELETE:
		if (!vip_spec_check(&a->vip, false, &why)) {
			action_finish(n, NERR_CONFIG, why);
			break;
		}
		action_start_req(n, PATH_VIP_SEARCH, NULL, false, STEP_VIP_SEARCH);
		break;
	case ACT_FIRMWARE_UPDATE:
		action_start_req(n, PATH_SYSTEM_TIME, NULL, false, STEP_FW_TIME);
		break;
	case ACT_SYNC:
		/* A sync from the secondary would push its config onto the primary
		 * (FIELD-NOTES: "backup wrongly given a sync target"). */
		if (b->conf->role != ROLE_PRIMARY) {
			action_finish(n, NERR_CONFIG, "config sync runs from the primary only");
			break;
		}
		action_start_req(n, action_paths[a->kind], "{}", true, STEP_MAIN);
		break;
	default:
		if (!action_paths[a->kind]) {
			action_finish(n, NERR_INTERNAL, "action not supported by the api transport");
			break;
		}
		action_start_req(n, action_paths[a->kind], "{}", true, STEP_MAIN);
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* config.xml                                                          */

#define PATH_CONFIG "/api/core/backup/download/this"
/* A config.xml of a large node is a few MiB: give the download more time
 * than a status read, but keep it bounded. */
#define API_CONFIG_TIMEOUT_FACTOR 4L

static void cfg_wipe(struct api_node *n)
{
	if (n->cfg_xml) {
		explicit_bzero(n->cfg_xml, n->cfg_len);
		free(n->cfg_xml);
	}
	n->cfg_xml = NULL;
	n->cfg_len = 0;
}

static void body_wipe(struct req *r)
{
	if (r->body.buf)
		explicit_bzero(r->body.buf, r->body.len);
	sb_free(&r->body);
}

static void cfg_finish(struct api_node *n, enum node_error err, const char *msg)
{
	n->cfg_err = err;
	if (err != NERR_NONE) {
		cfg_wipe(n);
		str_printf(n->cfg_msg, sizeof(n->cfg_msg), "config.xml not read: %s", msg);
		text_sanitize_inplace(n->cfg_msg);
	} else {
		n->cfg_msg[0] = '\0';
	}
	n->cfg_reading = false;
	backend_hand_config(n->b, n->cfg_xml, n->cfg_len); /* taken over */
	n->cfg_xml = NULL;
	n->cfg_len = 0;
}

static void cfg_req_done(struct api_node *n, struct req *r, enum node_error err, const char *msg)
{
	n->inflight--;
	if (err != NERR_NONE) {
		body_wipe(r);
		cfg_finish(n, err, msg);
	} else if (r->body.len == 0 || !r->body.buf) {
		/* BackupController streams the newest /conf/backup file and
		 * sends nothing when there is none (CONTRACT §6). */
		body_wipe(r);
		cfg_finish(n, NERR_NOT_FOUND,
			   "the node keeps no configuration backup to download (" PATH_CONFIG
			   " answered empty; System: Configuration: History, backup count 0?): config checks and "
			   "drift are off for it");
	} else {
		/* Taken over as is, never copied: one buffer to wipe. */
		n->cfg_len = r->body.len;
		n->cfg_xml = sb_steal(&r->body);
		cfg_finish(n, NERR_NONE, "");
	}
	read_next(n);
}

/* The config.xml read is one of the node's requests on the wire like a
 * poll's reads (api.connections): run beside a poll on a node allowed one
 * connection, it opened a second one and paid a TLS handshake for it
 * (bench/scale.sh, 500 pairs with 1 MB config.xml: 1.02 handshakes per
 * node). */
static void cfg_read_start(struct api_node *n)
{
	n->inflight++;
	n->cfg_req.timeout_ms = n->timeout_ms * API_CONFIG_TIMEOUT_FACTOR;
	if (req_start(n, &n->cfg_req, PATH_CONFIG, NULL, false, cfg_req_done) < 0) {
		n->inflight--;
		cfg_finish(n, NERR_INTERNAL, "libcurl could not start the request");
	}
}

static int api_config_start(struct backend *b)
{
	struct api_node *n = b->priv;
	if (!n || n->cfg_reading)
		return -1;
	n->cfg_reading = true;
	if (n->inflight >= read_limit(n))
		n->cfg_waiting = true;
	else
		cfg_read_start(n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The CARP-only probe                                                  */

/* What the VHIDs' states are, as one comparable string. */
static char *carp_signature(const struct snapshot *s)
{
	struct strbuf sb;
	size_t i;
	sb_init(&sb);
	for (i = 0; i < s->n_vips; i++)
		if (s->vips[i].vhid > 0)
			sb_printf(&sb, "%d %s %s;", s->vips[i].vhid, s->vips[i].address,
				  carp_status_name(s->vips[i].status));
	return sb_steal(&sb);
}

static void deliver_probe(void *arg)
{
	struct api_node *n = arg;
	struct backend *b = n->b;
	struct stream_event e = n->probe_ev;
	n->probe_ev_timer = 0;
	if (b->on_stream)
		b->on_stream(b, &e, b->ctx);
}

static void probe_report(struct api_node *n, enum stream_event_kind kind, const char *text)
{
	memset(&n->probe_ev, 0, sizeof(n->probe_ev));
	n->probe_ev.kind = kind;
	str_copy(n->probe_ev.text, text, sizeof(n->probe_ev.text));
	if (!n->probe_ev_timer)
		n->probe_ev_timer = loop_timer_add(n->b->loop, 0, deliver_probe, n);
}

/* A full poll or a probe read the VHIDs: a change from the last look is
 * reported (by a probe; a poll's own result shows it already). */
static bool carp_sig_update(struct api_node *n, const struct snapshot *s)
{
	char *sig = carp_signature(s);
	bool changed = n->carp_sig && strcmp(n->carp_sig, sig) != 0;
	free(n->carp_sig);
	n->carp_sig = sig;
	return changed;
}

static void carp_seen(struct api_node *n, const struct snapshot *s)
{
	carp_sig_update(n, s);
}

static void probe_tick(void *arg);

static void probe_schedule(struct api_node *n)
{
	n->probe_timer = loop_timer_add(n->b->loop, n->b->conf->api.carp_interval * 1000.0, probe_tick, n);
}

static void probe_done(struct api_node *n, struct req *r, enum node_error err, const char *msg)
{
	struct snapshot s;
	char *cause = NULL;
	(void)msg;
	n->probing = false;
	snapshot_init(&s);
	/* A failed probe says nothing: the full polls judge reachability. */
	if (err == NERR_NONE && api_parse_vip_status(r->body.buf ? r->body.buf : "", r->body.len, &s, &cause) ==
					NERR_NONE &&
	    carp_sig_update(n, &s))
		probe_report(n, STREAM_CHANGE, "get_vip_status changed");
	free(cause);
	snapshot_clear(&s);
	sb_free(&r->body);
	if (n->probe_on)
		probe_schedule(n);
}

static void probe_tick(void *arg)
{
	struct api_node *n = arg;
	n->probe_timer = 0;
	/* A full poll reads get_vip_status itself: skip this look. */
	if (n->polling || n->probing) {
		probe_schedule(n);
		return;
	}
	n->probing = true;
	if (req_start(n, &n->probe_req, "/api/diagnostics/interface/get_vip_status", NULL, false, probe_done) < 0) {
		n->probing = false;
		probe_schedule(n);
	}
}

static int api_stream_start(struct backend *b)
{
	struct api_node *n = b->priv;
	char text[64];
	if (!n || !(b->conf->api.carp_interval > 0))
		return -1;
	if (n->probe_on)
		return 0;
	n->probe_on = true;
	str_printf(text, sizeof(text), "get_vip_status every %g s", b->conf->api.carp_interval);
	probe_report(n, STREAM_UP, text);
	probe_schedule(n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Open / close                                                        */

static void url_hostport(const char *url, char *dst, size_t size)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
		str_printf(dst, size, "%s:%s", host, port ? port : "443");
	} else {
		str_copy(dst, url, size);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static void api_close(struct backend *b)
{
	struct api_node *n = b->priv;
	int i;
	if (!n)
		return;
	for (i = 0; i < RD__COUNT; i++) {
		req_release(&n->reads[i]);
		sb_free(&n->reads[i].body);
	}
	req_release(&n->act_req);
	sb_free(&n->act_req.body);
	slot_drop(n);
	req_release(&n->cfg_req);
	body_wipe(&n->cfg_req);
	cfg_wipe(n);
	n->probe_on = false;
	if (n->probe_timer)
		loop_timer_cancel(b->loop, n->probe_timer);
	if (n->probe_ev_timer)
		loop_timer_cancel(b->loop, n->probe_ev_timer);
	req_release(&n->probe_req);
	sb_free(&n->probe_req.body);
	free(n->carp_sig);
	fw_reads_clear(n);
	snapshot_clear(&n->snap);
	snapshot_clear(&n->slow_cache);
	if (n->key)
		explicit_bzero(n->key, strlen(n->key));
	if (n->secret)
		explicit_bzero(n->secret, strlen(n->secret));
	free(n->key);
	free(n->secret);
	free(n->url);
	if (n->shard)
		multi_release(n->shard);
	free(n);
	b->priv = NULL;
}

static int api_open(struct backend *b, char **cause)
{
	const struct api_conf *c = &b->conf->api;
	struct api_node *n;
	size_t len;

	if (!c->url || !*c->url || !c->key_file) {
		*cause = xasprintf("node '%s': api needs url and key_file", b->conf->name ? b->conf->name : "?");
		return -1;
	}
	n = xcalloc(1, sizeof(*n));
	n->b = b;
	b->priv = n;
	snapshot_init(&n->snap);
	snapshot_init(&n->slow_cache);
	n->fw_running = -1;
	n->fw_now = n->fw_boot = -1;
	n->max_inflight = c->connections >= 1 && c->connections <= 8 ? c->connections : 3;
	n->url = xstrdup(c->url);
	len = strlen(n->url);
	while (len > 0 && n->url[len - 1] == '/')
		n->url[--len] = '\0';
	n->timeout_ms = (long)((c->timeout > 0 ? c->timeout : API_DEFAULT_TIMEOUT_S) * 1000.0);
	if (apikey_read(c->key_file, &n->key, &n->secret, cause) < 0)
		return -1; /* backend_new() calls close */
	n->shard = multi_acquire(b->loop, cause);
	if (!n->shard)
		return -1;
	url_hostport(n->url, n->hostport, sizeof(n->hostport));
	return 0;
}

static unsigned api_mutations(const struct backend *b)
{
	const struct api_node *n = b->priv;
	return n ? n->mutations : 0;
}

const struct backend_ops api_backend_ops = {
	.name = "api",
	.open = api_open,
	.close = api_close,
	.poll_start = api_poll_start,
	.action_start = api_action_start,
	.mutations = api_mutations,
	.config_start = api_config_start,
	.stream_start = api_stream_start,
};
