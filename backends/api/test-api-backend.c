/* Integration test of the api backend against in-process HTTPS servers
 * (libmicrohttpd, each in its own thread) with certificates made here by
 * OpenSSL: a good one, an expired one and one for another host name. The
 * backend runs on the real event loop (src/core/loop.c) in the main thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse/fwjob.h"
#include "api/api_parse.h"
#include "backend.h"
#include "loop.h"
#include "snapshot.h"
#include "testlib.h"
#include "util.h"

#define KEY "w86XNZob/8Oq8aC5r0kbNarNtdpoQU781fyoeaOBQsBwkXUt"
#define SECRET "XeD26XVrJ5ilAc/EmZCKxOc8JR3ORaB7Y8GZT6DrL3rCfq8G"

/* ------------------------------------------------------------------ */
/* Certificates                                                        */

struct tls_id {
	char *key_pem, *cert_pem;
	char pin[128];          /* "sha256//<base64 of SPKI hash>" */
	char ca_path[256];      /* the cert itself, as a CA file */
};

static char *bio_string(BIO *bio)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	char *s = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return s;
}

static void make_identity(struct tls_id *id, const char *san, long from_s, long to_s, const char *dir,
			  const char *name)
{
	static long serial = 1;
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *subj;
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	BIO *bio;
	unsigned char *der = NULL, hash[32], b64[64];
	int der_len;
	FILE *f;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), to_s);
	X509_set_pubkey(x, pkey);
	subj = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC, (const unsigned char *)"OPNsense self-signed web certificate",
				   -1, -1, 0);
	X509_set_issuer_name(x, subj);
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, pkey, EVP_sha256());

	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, x);
	id->cert_pem = bio_string(bio);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
	id->key_pem = bio_string(bio);

	der_len = i2d_PUBKEY(pkey, &der);
	EVP_Digest(der, (size_t)der_len, hash, NULL, EVP_sha256(), NULL);
	EVP_EncodeBlock(b64, hash, sizeof(hash));
	str_printf(id->pin, sizeof(id->pin), "sha256//%s", b64);
	OPENSSL_free(der);

	str_printf(id->ca_path, sizeof(id->ca_path), "%s/%s.pem", dir, name);
	f = fopen(id->ca_path, "w");
	fputs(id->cert_pem, f);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pkey);
}

static void free_identity(struct tls_id *id)
{
	free(id->key_pem);
	free(id->cert_pem);
}

/* ------------------------------------------------------------------ */
/* The fake node                                                       */

#define MAX_ROUTES 32
#define SLOW_200 999
#define MAX_LOG 256

struct route {
	char path[128];
	int status;
	char *body;
};

struct logged {
	char method[8], path[160], ctype[64], body[512];
	bool auth_ok;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct route routes[MAX_ROUTES];
static int n_routes;
static struct logged reqlog[MAX_LOG];
static int n_log;
static atomic_int n_connections;
static char want_auth[256];

static void route_set(const char *path, int status, const char *body)
{
	int i;
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_routes; i++)
		if (strcmp(routes[i].path, path) == 0)
			break;
	if (i == n_routes && n_routes < MAX_ROUTES)
		n_routes++;
	if (i < MAX_ROUTES) {
		str_copy(routes[i].path, path, sizeof(routes[i].path));
		routes[i].status = status;
		free(routes[i].body);
		routes[i].body = xstrdup(body);
	}
	pthread_mutex_unlock(&mu);
}

static const char VIP_BODY[] =
	"{\"total\":4,\"rowCount\":4,\"current\":1,\"rows\":["
	"{\"interface\":\"WAN\",\"vhid\":\"2\",\"advbase\":\"1\",\"advskew\":\"0\",\"subnet\":\"203.0.113.10\",\"status\":\"MASTER\",\"mode\":\"carp\",\"status_txt\":\"MASTER\",\"vhid_txt\":\"2 (freq. 1/0)\"},"
	"{\"interface\":\"LAN\",\"vhid\":\"1\",\"advbase\":\"1\",\"advskew\":\"0\",\"subnet\":\"192.168.1.1\",\"status\":\"MASTER\",\"mode\":\"carp\",\"status_txt\":\"MASTER\",\"vhid_txt\":\"1 (freq. 1/0)\"},"
	"{\"interface\":\"LAN\",\"vhid\":\"1\",\"advbase\":\"1\",\"advskew\":\"0\",\"subnet\":\"192.168.1.5\",\"status\":\"MASTER\",\"mode\":\"ipalias\",\"status_txt\":\"MASTER\",\"vhid_txt\":\"1\"},"
	"{\"interface\":\"LAN\",\"vhid\":\"3\",\"advbase\":\"1\",\"advskew\":\"0\",\"subnet\":\"fd00:1::1\",\"status\":\"MASTER\",\"mode\":\"carp\",\"status_txt\":\"MASTER\",\"vhid_txt\":\"3 (freq. 1/0)\"}],"
	"\"carp\":{\"demotion\":\"0\",\"allow\":\"1\",\"maintenancemode\":false,\"status_msg\":\"\"}}";

static void routes_healthy(void)
{
	route_set("/api/diagnostics/interface/get_vip_status", 200, VIP_BODY);
	route_set("/api/diagnostics/firewall/pf_states", 200, "{\"current\":\"47\",\"limit\":\"100000\"}");
	route_set("/api/diagnostics/interface/get_pfsync_nodes", 200,
		  "{\"total\":2,\"rowCount\":2,\"current\":1,\"rows\":[{\"creatorid\":\"a2e0f312\",\"this\":1},"
		  "{\"creatorid\":\"d36bdfcf\",\"this\":0}]}");
	route_set("/api/core/hasync/get", 200,
		  "{\"hasync\":{\"synchronizetoip\":\"10.0.10.2\",\"username\":\"root\",\"password\":\"xmlrpcSecret\","
		  "\"pfsyncpeerip\":\"10.0.10.2\",\"pfsyncinterface\":{\"\":{\"value\":\"Disabled\",\"selected\":0},"
		  "\"opt2\":{\"value\":\"SYNC\",\"selected\":1}},\"syncitems\":{\"aliases\":{\"value\":\"Aliases\",\"selected\":1},"
		  "\"virtualip\":{\"value\":\"Virtual IPs\",\"selected\":1},\"users\":{\"value\":\"Users\",\"selected\":0}}}}");
	route_set("/api/core/hasync_status/version", 200,
		  "{\"response\":{\"firmware\":{\"version\":\"26.7.2\",\"_my_version\":\"26.7.2\"}}}");
	route_set("/api/core/firmware/info", 200, "{\"product_id\":\"opnsense\",\"product_version\":\"26.7.2\"}");
	/* The previous job's log: a check, ending ***DONE*** (core's status
	 * word is only a search for that marker). */
	route_set("/api/core/firmware/upgradestatus", 200,
		  "{\"status\":\"done\",\"log\":\"***GOT REQUEST TO CHECK***\\nCurrently running OPNsense 26.7.2 "
		  "(amd64) at Wed Dec  2 16:30:00 UTC 2026\\n***DONE***\"}");
	route_set("/api/core/firmware/running", 200, "{\"status\":\"ready\"}");
	route_set("/api/diagnostics/system/system_time", 200,
		  "{\"uptime\":\"0 days, 02:00:00\",\"datetime\":\"Wed Dec 2 16:42:44 UTC 2026\","
		  "\"boottime\":\"Wed Dec 2 14:42:44 UTC 2026\",\"loadavg\":\"0.1, 0.1, 0.1\"}");
	route_set("/api/diagnostics/system/system_information", 200,
		  "{\"name\":\"fw1.example.com\",\"versions\":[\"OPNsense 26.7.2-amd64\"]}");
	route_set("/api/diagnostics/interface/carp_status/maintenance", 200,
		  "{\"status\":\"ok\",\"action\":\"enter_maintenance\"}");
	route_set("/api/diagnostics/interface/carp_status/disable", 200, "{\"status\":\"ok\",\"action\":\"disable\"}");
	route_set("/api/interfaces/vip_settings/add_item", 200,
		  "{\"result\":\"saved\",\"uuid\":\"6f0c2d1e-5f7a-4c1b-9d59-2b8e0e0d8b11\"}");
	route_set("/api/interfaces/vip_settings/search_item", 200,
		  "{\"rows\":[{\"uuid\":\"11111111-aaaa-4bbb-8ccc-000000000002\",\"interface\":\"lan\",\"%interface\":\"LAN\","
		  "\"mode\":\"ipalias\",\"subnet\":\"192.168.1.5\",\"subnet_bits\":\"24\",\"vhid\":\"1\",\"password\":\"\"}]}");
	route_set("/api/interfaces/vip_settings/del_item/11111111-aaaa-4bbb-8ccc-000000000002", 200,
		  "{\"result\":\"deleted\"}");
	route_set("/api/core/firmware/update", 200, "{\"msg_uuid\":\"0b7e5a3c\",\"status\":\"ok\"}");
}

static void log_reset(void)
{
	pthread_mutex_lock(&mu);
	n_log = 0;
	pthread_mutex_unlock(&mu);
}

/* How many logged requests have this path (and method, if given)? */
static int log_count(const char *method, const char *path)
{
	int i, n = 0;
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_log; i++)
		if ((!method || strcmp(reqlog[i].method, method) == 0) && strcmp(reqlog[i].path, path) == 0)
			n++;
	pthread_mutex_unlock(&mu);
	return n;
}

static struct logged log_find(const char *path)
{
	struct logged l;
	int i;
	memset(&l, 0, sizeof(l));
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_log; i++)
		if (strcmp(reqlog[i].path, path) == 0)
			l = reqlog[i];
	pthread_mutex_unlock(&mu);
	return l;
}

struct upload {
	struct strbuf body;
};

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	MHD_add_response_header(r, "Content-Type", "application/json; charset=UTF-8");
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct upload *up = *con_cls;
	const char *auth, *ctype;
	struct logged *l;
	char body[4096];
	int status = 404, i;
	bool auth_ok;

	(void)cls, (void)version;
	if (!up) {
		up = xcalloc(1, sizeof(*up));
		*con_cls = up;
		return MHD_YES;
	}
	if (*upload_size) {
		sb_addn(&up->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	auth_ok = auth && strcmp(auth, want_auth) == 0;
	str_copy(body, "{\"errorMessage\":\"Endpoint not found\"}", sizeof(body));
	pthread_mutex_lock(&mu);
	if (n_log < MAX_LOG) {
		l = &reqlog[n_log++];
		str_copy(l->method, method, sizeof(l->method));
		str_copy(l->path, url, sizeof(l->path));
		str_copy(l->ctype, ctype ? ctype : "", sizeof(l->ctype));
		str_copy(l->body, up->body.buf ? up->body.buf : "", sizeof(l->body));
		l->auth_ok = auth_ok;
	}
	for (i = 0; i < n_routes; i++) {
		if (strcmp(routes[i].path, url) == 0) {
			status = routes[i].status;
			str_copy(body, routes[i].body, sizeof(body));
		}
	}
	pthread_mutex_unlock(&mu);
	if (!auth) /* the GUI-session path: an empty body (CONTRACT §0) */
		return respond(c, 401, "");
	if (!auth_ok)
		return respond(c, 401, "{\"status\":401,\"message\":\"Authentication Failed\"}");
	if (status == SLOW_200) { /* a node that accepts but answers late */
		usleep(1000 * 1000);
		status = 200;
	}
	return respond(c, status, body);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;
	(void)cls, (void)c, (void)toe;
	if (up) {
		sb_free(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_ctx, enum MHD_ConnectionNotificationCode t)
{
	(void)cls, (void)c, (void)socket_ctx;
	if (t == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&n_connections, 1);
}

static struct MHD_Daemon *start_server(const struct tls_id *id, int *port)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS, 0, NULL, NULL, handler, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_HTTPS_MEM_KEY, id->key_pem,
			     MHD_OPTION_HTTPS_MEM_CERT, id->cert_pem, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, notify_conn, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_END);
	if (!d)
		return NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	return d;
}

/* ------------------------------------------------------------------ */
/* Driving the backend                                                 */

static char tmpdir[128];
static char key_good[256], key_bad[256];
static struct loop *L;

struct outcome {
	int snaps, acts, configs;
	char *xml;              /* the last on_config text (NULL: a failed read) */
	size_t xml_len;
	struct snapshot snap;
	struct action_result ar;
	bool free_in_callback;
};

static void on_snapshot(struct backend *b, const struct snapshot *s, void *ctx)
{
	struct outcome *o = ctx;
	snapshot_copy(&o->snap, s);
	o->snaps++;
	if (o->free_in_callback) {
		b->ops->close(b);
		backend_outbox_close(b);
		free(b);
	}
}

static void on_action(struct backend *b, const struct action *a, const struct action_result *r, void *ctx)
{
	struct outcome *o = ctx;
	(void)b, (void)a;
	o->ar = *r;
	o->acts++;
}

static void on_config(struct backend *b, const char *xml, size_t len, void *ctx)
{
	struct outcome *o = ctx;
	(void)b;
	free(o->xml);
	o->xml = xml ? xstrndup(xml, len) : NULL;
	o->xml_len = len;
	o->configs++;
}

static void wait_for(int *counter, int target)
{
	double t0 = now_ms();
	while (*counter < target && now_ms() - t0 < 20000)
		loop_run_once(L, 100);
}

struct node {
	struct node_conf conf;
	struct backend b;
	struct outcome out;
	char url[128];
};

static int open_connections; /* api.connections of the next node_open (0: the default) */

static int node_open(struct node *n, const char *url, const char *key_file, enum node_role role, char **cause)
{
	memset(n, 0, sizeof(*n));
	str_copy(n->url, url, sizeof(n->url));
	n->conf.name = "fw1";
	n->conf.role = role;
	n->conf.transport = TRANSPORT_API;
	n->conf.api.url = n->url;
	n->conf.api.key_file = (char *)key_file;
	n->conf.api.timeout = 5;
	n->conf.api.connections = open_connections;
	n->b.ops = &api_backend_ops;
	backend_outbox_open(&n->b);
	n->b.conf = &n->conf;
	n->b.loop = L;
	n->b.on_snapshot = on_snapshot;
	n->b.on_action = on_action;
	n->b.on_config = on_config;
	n->b.ctx = &n->out;
	snapshot_init(&n->out.snap);
	if (api_backend_ops.open(&n->b, cause) < 0) {
		api_backend_ops.close(&n->b);
		backend_outbox_close(&n->b);
		return -1;
	}
	return 0;
}

static void node_close(struct node *n)
{
	api_backend_ops.close(&n->b);
	backend_outbox_close(&n->b);
	snapshot_clear(&n->out.snap);
	free(n->out.xml);
	n->out.xml = NULL;
}

/* One poll with the given TLS settings; returns the snapshot's error. */
static enum node_error poll_once(struct node *n)
{
	int want = n->out.snaps + 1;
	if (api_backend_ops.poll_start(&n->b) < 0)
		return NERR_INTERNAL;
	wait_for(&n->out.snaps, want);
	return n->out.snaps == want ? n->out.snap.err : NERR_INTERNAL;
}

static enum node_error act_once(struct node *n, const struct action *a)
{
	int want = n->out.acts + 1;
	if (api_backend_ops.action_start(&n->b, carptop_test_grant, a) < 0)
		return NERR_INTERNAL;
	wait_for(&n->out.acts, want);
	return n->out.acts == want ? n->out.ar.err : NERR_INTERNAL;
}

static struct tls_id good, expired, othername;
static int port_good, port_expired, port_other;

static char *url_for(int port, const char *host)
{
	static char buf[128];
	str_printf(buf, sizeof(buf), "https://%s:%d", host, port);
	return buf;
}

/* ------------------------------------------------------------------ */

static void test_healthy_poll(void)
{
	struct node n;
	char *cause = NULL;
	const char *reads[] = {
		"/api/diagnostics/interface/get_vip_status", "/api/diagnostics/firewall/pf_states",
		"/api/diagnostics/interface/get_pfsync_nodes", "/api/core/hasync/get", "/api/core/hasync_status/version",
		"/api/diagnostics/system/system_information",
	};
	size_t i;
	int conns;

	routes_healthy();
	log_reset();
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	atomic_store(&n_connections, 0);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK(n.out.snap.reachable);
	CHECK_STR_EQ(n.out.snap.error, "");
	CHECK_INT_EQ(n.out.snap.n_vips, 4);
	CHECK_STR_EQ(n.out.snap.vips[3].address, "fd00:1::1");
	CHECK(n.out.snap.carp.known);
	CHECK_INT_EQ(n.out.snap.states.current, 47);
	CHECK_INT_EQ(n.out.snap.states.limit, 100000);
	CHECK_STR_EQ(n.out.snap.pfsync.hostid, "a2e0f312");
	CHECK_INT_EQ(n.out.snap.pfsync.n_creators, 2);
	CHECK_STR_EQ(n.out.snap.pfsync.syncdev, "opt2");
	CHECK_STR_EQ(n.out.snap.hasync.sync_items, "aliases,virtualip");
	CHECK(n.out.snap.hasync.peer_reachable_known && n.out.snap.hasync.peer_reachable);
	CHECK_STR_EQ(n.out.snap.hasync.peer_version, "26.7.2");
	CHECK_STR_EQ(n.out.snap.firmware.version, "26.7.2");
	CHECK_STR_EQ(n.out.snap.hostname, "fw1.example.com");
	CHECK_INT_EQ(n.out.snap.n_partial, 0);
	CHECK(n.out.snap.taken > 1e9);
	CHECK(n.out.snap.duration_ms > 0);
	for (i = 0; i < ARRAY_LEN(reads); i++) {
		struct logged l = log_find(reads[i]);
		CHECK_INT_EQ(log_count("GET", reads[i]), 1);
		CHECK(l.auth_ok);
	}
	/* Two more polls reuse the kept-alive connections. */
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	conns = atomic_load(&n_connections);
	/* At most api.connections (default 3), opened once and then reused. */
	if (conns > 3)
		printf("# %d connections for 3 polls\n", conns);
	CHECK(conns >= 1 && conns <= 3);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 0);
	/* Polls do not overlap. */
	CHECK_INT_EQ(api_backend_ops.poll_start(&n.b), 0);
	CHECK_INT_EQ(api_backend_ops.poll_start(&n.b), -1);
	wait_for(&n.out.snaps, 4);
	node_close(&n);
	free(cause);
}

static void test_secondary_skips_peer_check(void)
{
	struct node n;
	char *cause = NULL;
	routes_healthy();
	log_reset();
	CHECK(node_open(&n, url_for(port_good, "127.0.0.1"), key_good, ROLE_SECONDARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path; /* the cert also names IP 127.0.0.1 */
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(log_count(NULL, "/api/core/hasync_status/version"), 0);
	CHECK(!n.out.snap.hasync.peer_reachable_known);
	node_close(&n);
}

static void test_tls_modes(void)
{
	struct node n;
	char *cause = NULL, msg[64];
	static const char wrong_pin[] = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	routes_healthy();

	/* System store only: the self-signed GUI certificate is not trusted. */
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	CHECK_INT_EQ(poll_once(&n), NERR_TLS_UNTRUSTED);
	CHECK(!n.out.snap.reachable);
	CHECK_CONTAINS(n.out.snap.error, "is not trusted");
	CHECK_CONTAINS(n.out.snap.error, "set api ca_file or pin");
	CHECK_INT_EQ(n.out.snap.n_vips, 0);

	/* A pin of the right key: the pin is the trust anchor. */
	n.conf.api.pin = good.pin;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(n.out.snap.n_vips, 4);

	/* A pin of another key. */
	n.conf.api.pin = (char *)wrong_pin;
	CHECK_INT_EQ(poll_once(&n), NERR_TLS_PIN);
	str_printf(msg, sizeof(msg), "localhost:%d", port_good);
	CHECK_CONTAINS(n.out.snap.error, msg);
	CHECK_CONTAINS(n.out.snap.error, "does not match the configured pin");

	/* Both a ca_file and a wrong pin: the pin still fails it. */
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_TLS_PIN);
	n.conf.api.pin = NULL;
	n.conf.api.ca_file = NULL;

	/* insecure: no verification at all. */
	n.conf.api.insecure = true;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	node_close(&n);

	/* Expired certificate, even though it is the trusted CA file. */
	CHECK(node_open(&n, url_for(port_expired, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = expired.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_TLS_EXPIRED);
	CHECK_CONTAINS(n.out.snap.error, "expired");
	node_close(&n);

	/* Certificate for another host name. */
	CHECK(node_open(&n, url_for(port_other, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = othername.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_TLS_NAME);
	CHECK_CONTAINS(n.out.snap.error, "does not match the host name");
	/* ... which pinning accepts: the pin replaces the name check. */
	n.conf.api.ca_file = NULL;
	n.conf.api.pin = othername.pin;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	node_close(&n);
	free(cause);
}

static void test_connection_errors(void)
{
	struct node n;
	char *cause = NULL, want[160];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	/* Refused: a port that was just free. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(s);
	CHECK(node_open(&n, url_for(port, "127.0.0.1"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.insecure = true;
	CHECK_INT_EQ(poll_once(&n), NERR_REFUSED);
	str_printf(want, sizeof(want), "connection refused by 127.0.0.1:%d", port);
	CHECK_STR_EQ(n.out.snap.error, want);
	node_close(&n);

	/* Timeout: a socket that listens but never accepts or answers. */
	s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = 0;
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	listen(s, 8);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	CHECK(node_open(&n, url_for(port, "127.0.0.1"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.insecure = true;
	n.conf.api.timeout = 0.4;
	api_backend_ops.close(&n.b); /* re-open to pick up the timeout */
	CHECK(api_backend_ops.open(&n.b, &cause) == 0);
	{
		double t0 = now_ms();
		CHECK_INT_EQ(poll_once(&n), NERR_TIMEOUT);
		CHECK(now_ms() - t0 < 3000);
	}
	str_printf(want, sizeof(want), "no connection to 127.0.0.1:%d within 0.4 s (TCP connect or TLS handshake timed out)",
		   port);
	CHECK_STR_EQ(n.out.snap.error, want);
	/* The second timeout in a row starts the back-off: the polls during it
	 * ask nothing and say the cause of the last timeout, then the count
	 * and the wait, once (not appended again on every poll). */
	CHECK_INT_EQ(poll_once(&n), NERR_TIMEOUT);
	CHECK_STR_EQ(n.out.snap.error, want);
	{
		char backoff[300];
		int k;
		str_printf(backoff, sizeof(backoff), "%s; timed out 2 times in a row; next try in 1 s", want);
		for (k = 0; k < 3; k++) {
			double t0 = now_ms();
			CHECK_INT_EQ(poll_once(&n), NERR_TIMEOUT);
			CHECK(now_ms() - t0 < 100); /* not asked: no wait for a timeout */
			CHECK_STR_EQ(n.out.snap.error, backoff);
		}
	}
	node_close(&n);
	close(s);

	/* Connected, TLS done, but no reply in time. */
	routes_healthy();
	route_set("/api/diagnostics/interface/get_vip_status", SLOW_200, VIP_BODY);
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_SECONDARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	n.conf.api.timeout = 0.4;
	api_backend_ops.close(&n.b);
	CHECK(api_backend_ops.open(&n.b, &cause) == 0);
	CHECK_INT_EQ(poll_once(&n), NERR_TIMEOUT);
	str_printf(want, sizeof(want),
		   "localhost:%d accepted the connection but did not answer /api/diagnostics/interface/get_vip_status "
		   "within 0.4 s", port_good);
	CHECK_STR_EQ(n.out.snap.error, want);
	node_close(&n);
	usleep(700 * 1000); /* let the server thread finish its late reply */
	routes_healthy();

	/* A missing key file is a config error at open. */
	CHECK(node_open(&n, url_for(port_good, "localhost"), "/nonexistent/apikey.txt", ROLE_PRIMARY, &cause) < 0);
	CHECK_CONTAINS(cause, "/nonexistent/apikey.txt");
	free(cause);
}

static void test_http_errors(void)
{
	struct node n;
	char *cause = NULL;

	/* Wrong secret: the node's 401 body, word for word. */
	routes_healthy();
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_bad, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_AUTH);
	CHECK_STR_EQ(n.out.snap.error, "API key or secret rejected (401 Authentication Failed); check key_file");
	node_close(&n);

	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;

	route_set("/api/diagnostics/interface/get_vip_status", 404, "{\"errorMessage\":\"Endpoint not found\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_NOT_FOUND);
	CHECK_STR_EQ(n.out.snap.error,
		     "endpoint absent on this release (404 Endpoint not found: diagnostics/interface/get_vip_status; "
		     "needs OPNsense 23.1 or later)");

	route_set("/api/diagnostics/interface/get_vip_status", 200, "{\"rows\":[{\"vhid\":\"1\"");
	CHECK_INT_EQ(poll_once(&n), NERR_PROTOCOL);
	CHECK_CONTAINS(n.out.snap.error, "get_vip_status: truncated JSON reply");

	route_set("/api/diagnostics/interface/get_vip_status", 200, "<html>login</html>");
	CHECK_INT_EQ(poll_once(&n), NERR_PROTOCOL);
	CHECK_CONTAINS(n.out.snap.error, "reply is not JSON");

	route_set("/api/diagnostics/interface/get_vip_status", 500,
		  "{\"errorMessage\":\"Unexpected error, check log for details\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_SERVER);
	CHECK_STR_EQ(n.out.snap.error, "server error (HTTP 500): Unexpected error, check log for details");

	route_set("/api/diagnostics/interface/get_vip_status", 403, "{\"status\":403,\"message\":\"Forbidden\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_FORBIDDEN);
	CHECK_CONTAINS(n.out.snap.error, "'Interfaces: Virtual IPs: Status' (page-status-carp)");

	/* Optional reads failing: partial notes, the node stays reachable. */
	routes_healthy();
	route_set("/api/diagnostics/firewall/pf_states", 403, "{\"status\":403,\"message\":\"Forbidden\"}");
	route_set("/api/diagnostics/interface/get_pfsync_nodes", 404, "{\"errorMessage\":\"Endpoint not found\"}");
	/* (The version comes from system_information; firmware/info is not read.) */
	route_set("/api/diagnostics/system/system_information", 200, "{\"name\":");
	route_set("/api/core/hasync_status/version", 200, "{\"status\":\"error\",\"message\":\"Authentication failed\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK(n.out.snap.reachable);
	CHECK_INT_EQ(n.out.snap.n_vips, 4);
	CHECK_INT_EQ(n.out.snap.n_partial, 3);
	{
		int k, seen = 0;
		for (k = 0; k < n.out.snap.n_partial; k++) {
			const struct snap_partial *p = &n.out.snap.partial[k];
			if (strcmp(p->what, "pf_states") == 0) {
				seen++;
				CHECK_INT_EQ(p->err, NERR_FORBIDDEN);
				CHECK_STR_EQ(p->msg, "403 Forbidden on diagnostics/firewall/pf_states: grant the API user 'Lobby: Dashboard'");
			} else if (strcmp(p->what, "pfsync") == 0) {
				seen++;
				CHECK_INT_EQ(p->err, NERR_NOT_FOUND);
				CHECK_CONTAINS(p->msg, "needs OPNsense 25.1 or later");
			} else if (strcmp(p->what, "system") == 0) {
				seen++;
				CHECK_INT_EQ(p->err, NERR_PROTOCOL);
			}
		}
		CHECK_INT_EQ(seen, 3);
	}
	CHECK_INT_EQ(n.out.snap.states.current, -1);

	CHECK(n.out.snap.hasync.peer_reachable_known && !n.out.snap.hasync.peer_reachable);
	CHECK_STR_EQ(n.out.snap.hasync.peer_error, "Authentication failed");
	/* get_vip_status failing ends the poll at once: a slow optional read
	 * (1 s) is abandoned, not waited for. */
	routes_healthy();
	route_set("/api/diagnostics/interface/get_vip_status", 403, "{\"status\":403,\"message\":\"Forbidden\"}");
	route_set("/api/diagnostics/firewall/pf_states", SLOW_200, "{\"current\":\"1\",\"limit\":\"2\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_FORBIDDEN);
	if (n.out.snap.duration_ms >= 700)
		printf("# poll took %.0f ms\n", n.out.snap.duration_ms);
	CHECK(n.out.snap.duration_ms < 700);
	CHECK_INT_EQ(n.out.snap.n_partial, 0);
	usleep(1100 * 1000);
	node_close(&n);
	free(cause);
}

static void test_actions(void)
{
	struct node n;
	struct action a;
	struct logged l;
	char *cause = NULL;
	json_object *root, *vip, *v;

	routes_healthy();
	log_reset();
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;

	memset(&a, 0, sizeof(a));
	a.kind = ACT_MAINTENANCE_TOGGLE;
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_STR_EQ(n.out.ar.message, "enter_maintenance");
	l = log_find("/api/diagnostics/interface/carp_status/maintenance");
	CHECK_STR_EQ(l.method, "POST");
	CHECK_STR_EQ(l.ctype, "application/json");
	CHECK_STR_EQ(l.body, "{}");
	CHECK(l.auth_ok);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 1);

	/* Before 26.7 the Status privilege gives 403 here. */
	route_set("/api/diagnostics/interface/carp_status/disable", 403, "{\"status\":403,\"message\":\"Forbidden\"}");
	a.kind = ACT_CARP_DISABLE;
	CHECK_INT_EQ(act_once(&n, &a), NERR_FORBIDDEN);
	CHECK_CONTAINS(n.out.ar.message, "before 26.7 that privilege misses carp_status actions");
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 2);

	/* Add an IP alias: the JSON body, escaped by json-c. */
	memset(&a, 0, sizeof(a));
	a.kind = ACT_VIP_ADD;
	a.vip.mode = VIP_MODE_IPALIAS;
	str_copy(a.vip.interface, "lan", sizeof(a.vip.interface));
	str_copy(a.vip.address, "192.168.1.7", sizeof(a.vip.address));
	a.vip.prefix = 24;
	a.vip.vhid = 1;
	str_copy(a.vip.descr, "web \"front\"", sizeof(a.vip.descr));
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_CONTAINS(n.out.ar.message, "saved (uuid 6f0c2d1e-5f7a-4c1b-9d59-2b8e0e0d8b11)");
	l = log_find("/api/interfaces/vip_settings/add_item");
	CHECK_STR_EQ(l.ctype, "application/json");
	root = json_tokener_parse(l.body);
	vip = NULL;
	CHECK(root && json_object_object_get_ex(root, "vip", &vip));
	CHECK(json_object_object_get_ex(vip, "mode", &v) && strcmp(json_object_get_string(v), "ipalias") == 0);
	CHECK(json_object_object_get_ex(vip, "interface", &v) && strcmp(json_object_get_string(v), "lan") == 0);
	CHECK(json_object_object_get_ex(vip, "network", &v) && strcmp(json_object_get_string(v), "192.168.1.7/24") == 0);
	CHECK(json_object_object_get_ex(vip, "vhid", &v) && strcmp(json_object_get_string(v), "1") == 0);
	CHECK(json_object_object_get_ex(vip, "descr", &v) && strcmp(json_object_get_string(v), "web \"front\"") == 0);
	json_object_put(root);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 3);

	/* A CARP VIP or a missing prefix is refused before anything is sent. */
	a.vip.mode = VIP_MODE_CARP;
	CHECK_INT_EQ(act_once(&n, &a), NERR_CONFIG);
	a.vip.mode = VIP_MODE_IPALIAS;
	a.vip.prefix = -1;
	CHECK_INT_EQ(act_once(&n, &a), NERR_CONFIG);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 3);

	/* Delete: search (a read), then del_item/{uuid}. */
	a.kind = ACT_VIP_DELETE;
	str_copy(a.vip.address, "192.168.1.5", sizeof(a.vip.address));
	str_copy(a.vip.interface, "LAN", sizeof(a.vip.interface)); /* the description works too */
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_STR_EQ(n.out.ar.message, "deleted; pending until applied");
	CHECK_INT_EQ(log_count("GET", "/api/interfaces/vip_settings/search_item"), 1);
	CHECK_INT_EQ(log_count("POST", "/api/interfaces/vip_settings/del_item/11111111-aaaa-4bbb-8ccc-000000000002"), 1);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 4);
	str_copy(a.vip.address, "192.168.1.99", sizeof(a.vip.address));
	CHECK_INT_EQ(act_once(&n, &a), NERR_NOT_FOUND);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 4);

	/* Read-only: refused here too, nothing sent. */
	log_reset();
	n.b.read_only = true;
	memset(&a, 0, sizeof(a));
	a.kind = ACT_REBOOT;
	CHECK_INT_EQ(act_once(&n, &a), NERR_READ_ONLY);
	CHECK_INT_EQ(log_count(NULL, "/api/core/system/reboot"), 0);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 4);
	n.b.read_only = false;

	/* Firmware update: the node's clock first (system_time), then the
	 * request; later polls follow upgradestatus, running and system_time
	 * through the tracker (fwjob.h). firmware/info is never read. */
	a.kind = ACT_FIRMWARE_UPDATE;
	log_reset();
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_INT_EQ(log_count("GET", "/api/diagnostics/system/system_time"), 1);
	CHECK_INT_EQ(log_count("POST", "/api/core/firmware/update"), 1);
	log_reset();
	/* The stale check log says "done": not this job. */
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(n.out.snap.firmware.job, FWJ_REQUESTED);
	CHECK_INT_EQ(n.out.snap.firmware.state, FW_RUNNING);
	CHECK_INT_EQ(log_count(NULL, "/api/core/firmware/upgradestatus"), 1);
	CHECK_INT_EQ(log_count(NULL, "/api/core/firmware/running"), 1);
	CHECK_INT_EQ(log_count(NULL, "/api/core/firmware/info"), 0);
	/* This job: nothing to install, ***DONE***, lock released. */
	route_set("/api/core/firmware/upgradestatus", 200,
		  "{\"status\":\"done\",\"log\":\"***GOT REQUEST TO UPDATE***\\nCurrently running OPNsense 26.7.2 "
		  "(amd64) at Wed Dec  2 16:42:45 UTC 2026\\nYour packages are up to date.\\n***DONE***\"}");
	route_set("/api/core/firmware/running", 200, "{\"status\":\"busy\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(n.out.snap.firmware.job, FWJ_RUNNING); /* ***DONE*** but still busy */
	route_set("/api/core/firmware/running", 200, "{\"status\":\"ready\"}");
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(n.out.snap.firmware.job, FWJ_DONE);
	CHECK_INT_EQ(n.out.snap.firmware.state, FW_DONE);
	log_reset();
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(log_count(NULL, "/api/core/firmware/upgradestatus"), 0); /* finished: no longer followed */
	CHECK_INT_EQ(log_count(NULL, "/api/core/firmware/info"), 0);
	CHECK_INT_EQ(n.out.snap.firmware.job, FWJ_DONE);
	node_close(&n);

	/* Sync from the secondary is refused locally. */
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_SECONDARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	log_reset();
	a.kind = ACT_SYNC;
	CHECK_INT_EQ(act_once(&n, &a), NERR_CONFIG);
	CHECK_INT_EQ(log_count(NULL, "/api/core/hasync_status/restart_all"), 0);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 0);
	node_close(&n);
	free(cause);
}

/* Many nodes on one multi handle, and a backend freed from its callback. */
static const struct snap_partial *partial_of(const struct snapshot *s, const char *what)
{
	int i;
	for (i = 0; i < s->n_partial; i++)
		if (strcmp(s->partial[i].what, what) == 0)
			return &s->partial[i];
	return NULL;
}

static int config_once(struct node *n)
{
	int want = n->out.configs + 1;
	if (api_backend_ops.config_start(&n->b) < 0)
		return -1;
	/* One read at a time. */
	CHECK_INT_EQ(api_backend_ops.config_start(&n->b), -1);
	wait_for(&n->out.configs, want);
	return n->out.configs == want ? 0 : -1;
}

#define CONFIG_XML "<?xml version=\"1.0\"?>\n<opnsense><system><hostname>fw1</hostname></system></opnsense>\n"

/* config_start: backup/download/this, and the marker from backup/backups. */
static void test_config(void)
{
	struct node n;
	char *cause = NULL, marker[64];
	const struct snap_partial *p;
	struct action a;

	routes_healthy();
	/* Not newest first: the largest time wins. */
	route_set("/api/core/backup/backups/this", 200,
		  "{\"items\":[{\"time\":\"1790000001\",\"id\":\"config-1790000001.1000.xml\",\"filesize\":40000},"
		  "{\"time\":1790000009,\"id\":\"config-1790000009.2000.xml\",\"description\":\"x\"},"
		  "{\"id\":\"\"},\"junk\"]}");
	route_set("/api/core/backup/download/this", 200, CONFIG_XML);
	log_reset();
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_STR_EQ(n.out.snap.config_marker, "config-1790000009.2000.xml");
	CHECK_INT_EQ(config_once(&n), 0);
	CHECK(n.out.xml && strcmp(n.out.xml, CONFIG_XML) == 0);
	CHECK_INT_EQ(n.out.xml_len, strlen(CONFIG_XML));
	CHECK_INT_EQ(log_count("GET", "/api/core/backup/download/this"), 1);
	CHECK_INT_EQ(api_backend_ops.mutations(&n.b), 0);
	/* The marker is a slow read: the next poll keeps it without asking. */
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_STR_EQ(n.out.snap.config_marker, "config-1790000009.2000.xml");
	CHECK_INT_EQ(log_count("GET", "/api/core/backup/backups/this"), 1);
	CHECK(!partial_of(&n.out.snap, "config"));
	/* After an action the marker is read again at the next poll. */
	route_set("/api/core/backup/backups/this", 200,
		  "{\"items\":[{\"time\":\"1790000010\",\"id\":\"config-1790000010.3000.xml\"}]}");
	memset(&a, 0, sizeof(a));
	a.kind = ACT_MAINTENANCE_TOGGLE;
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_INT_EQ(log_count("GET", "/api/core/backup/backups/this"), 2);
	CHECK_STR_EQ(n.out.snap.config_marker, "config-1790000010.3000.xml");

	/* No backup kept: an empty download is a failed read, said in a
	 * partial note of every later poll until a read works. */
	route_set("/api/core/backup/download/this", 200, "");
	CHECK_INT_EQ(config_once(&n), 0);
	CHECK(n.out.xml == NULL);
	CHECK_INT_EQ(n.out.xml_len, 0);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	p = partial_of(&n.out.snap, "config");
	CHECK(p && strstr(p->msg, "keeps no configuration backup"));
	CHECK(p && p->err == NERR_NOT_FOUND);
	/* Forbidden: the note names the privilege. */
	route_set("/api/core/backup/download/this", 403, "{\"status\":403,\"message\":\"Forbidden\"}");
	CHECK_INT_EQ(config_once(&n), 0);
	CHECK(n.out.xml == NULL);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	p = partial_of(&n.out.snap, "config");
	CHECK(p && strstr(p->msg, "Configuration History"));
	CHECK(p && p->err == NERR_FORBIDDEN);
	route_set("/api/core/backup/download/this", 200, CONFIG_XML);
	CHECK_INT_EQ(config_once(&n), 0);
	CHECK(n.out.xml != NULL);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK(!partial_of(&n.out.snap, "config"));
	node_close(&n);

	/* Without the backup list: a made-up marker that changes after every
	 * change carptop makes (so config.xml is read again then). */
	route_set("/api/core/backup/backups/this", 404, "{\"errorMessage\":\"Endpoint not found\"}");
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK(!partial_of(&n.out.snap, "config"));
	CHECK(n.out.snap.config_marker[0] != '\0');
	str_copy(marker, n.out.snap.config_marker, sizeof(marker));
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK_STR_EQ(n.out.snap.config_marker, marker);
	CHECK_INT_EQ(act_once(&n, &a), NERR_NONE);
	CHECK_INT_EQ(poll_once(&n), NERR_NONE);
	CHECK(strcmp(n.out.snap.config_marker, marker) != 0);
	node_close(&n);

	/* Closed while a read runs: no callback afterwards, nothing leaks. */
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(api_backend_ops.config_start(&n.b), 0);
	loop_run_once(L, 1);
	node_close(&n);
	CHECK_INT_EQ(n.out.configs, 0);
	free(cause);
}

/* api.connections: 1 (the default past 100 API nodes): a config.xml read
 * started beside a poll waits for the node's one connection, and a poll
 * started beside a config.xml read waits for it, instead of opening a
 * second connection (a TLS handshake each time, bench/scale.sh). */
/* A poll and a config.xml read started together, in either order: both
 * end well. */
static void poll_and_config(struct node *n, bool poll_first)
{
	int snaps = n->out.snaps + 1, configs = n->out.configs + 1;
	if (poll_first)
		CHECK_INT_EQ(api_backend_ops.poll_start(&n->b), 0);
	CHECK_INT_EQ(api_backend_ops.config_start(&n->b), 0);
	if (!poll_first)
		CHECK_INT_EQ(api_backend_ops.poll_start(&n->b), 0);
	wait_for(&n->out.snaps, snaps);
	wait_for(&n->out.configs, configs);
	CHECK_INT_EQ(n->out.snap.err, NERR_NONE);
	CHECK(n->out.xml && strcmp(n->out.xml, CONFIG_XML) == 0);
}

static void test_config_shares_connection(void)
{
	struct node n;
	char *cause = NULL;

	routes_healthy();
	route_set("/api/core/backup/download/this", 200, CONFIG_XML);
	open_connections = 1;
	CHECK(node_open(&n, url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
	open_connections = 0;
	n.conf.api.ca_file = good.ca_path;
	CHECK_INT_EQ(poll_once(&n), NERR_NONE); /* the connection is up */
	atomic_store(&n_connections, 0);
	poll_and_config(&n, true);
	poll_and_config(&n, false);
	if (atomic_load(&n_connections) != 0)
		printf("# %d more connections\n", atomic_load(&n_connections));
	CHECK_INT_EQ(atomic_load(&n_connections), 0);
	node_close(&n);
	free(cause);
}

/* Poll nodes[from..to) once each; returns how many answered fully. */
static int poll_all(struct node *nodes, int from, int to)
{
	int i, done = 0, ok = 0, want = 0;
	double t0;
	for (i = from; i < to; i++) {
		want += nodes[i].out.snaps + 1;
		api_backend_ops.poll_start(&nodes[i].b);
	}
	t0 = now_ms();
	while (done < want && now_ms() - t0 < 30000) {
		loop_run_once(L, 100);
		for (done = 0, i = from; i < to; i++)
			done += nodes[i].out.snaps;
	}
	for (i = from; i < to; i++)
		ok += nodes[i].out.snap.err == NERR_NONE && nodes[i].out.snap.n_vips == 4;
	return ok;
}

/* More nodes than one multi handle's group (API_SHARD_NODES, 64): every
 * group polls; groups emptied by closed nodes are closed and opened again
 * by new ones. */
static void test_node_groups(void)
{
	enum { N = 150 };
	struct node *nodes = xcalloc(N, sizeof(*nodes));
	char *cause = NULL;
	int i, opened = 0;

	routes_healthy();
	open_connections = 1;
	for (i = 0; i < 140; i++) {
		opened += node_open(&nodes[i], url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0;
		nodes[i].conf.api.ca_file = good.ca_path;
	}
	CHECK_INT_EQ(opened, 140);
	CHECK_INT_EQ(poll_all(nodes, 0, 140), 140);
	for (i = 0; i < 70; i++)
		node_close(&nodes[i]); /* the first group, and part of the second */
	CHECK_INT_EQ(poll_all(nodes, 70, 140), 70);
	for (i = 140; i < N; i++) {
		opened += node_open(&nodes[i], url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0;
		nodes[i].conf.api.ca_file = good.ca_path;
	}
	CHECK_INT_EQ(opened, N);
	CHECK_INT_EQ(poll_all(nodes, 140, N), N - 140);
	CHECK_INT_EQ(poll_all(nodes, 70, N), N - 70);
	for (i = 70; i < N; i++)
		node_close(&nodes[i]);
	open_connections = 0;
	free(nodes);
	free(cause);
}

static void test_many_nodes(void)
{
	enum { N = 40 };
	struct node *nodes = xcalloc(N, sizeof(*nodes));
	char *cause = NULL;
	int i, done = 0, ok = 0;
	double t0;

	routes_healthy();
	for (i = 0; i < N; i++) {
		CHECK(node_open(&nodes[i], url_for(port_good, "localhost"), key_good, ROLE_PRIMARY, &cause) == 0);
		nodes[i].conf.api.ca_file = good.ca_path;
	}
	for (i = 0; i < N; i++)
		api_backend_ops.poll_start(&nodes[i].b);
	t0 = now_ms();
	while (done < N && now_ms() - t0 < 30000) {
		loop_run_once(L, 100);
		for (done = 0, i = 0; i < N; i++)
			done += nodes[i].out.snaps;
	}
	for (i = 0; i < N; i++)
		ok += nodes[i].out.snaps == 1 && nodes[i].out.snap.err == NERR_NONE && nodes[i].out.snap.n_vips == 4;
	CHECK_INT_EQ(ok, N);
	for (i = 0; i < N; i++)
		node_close(&nodes[i]);
	free(nodes);

	/* Freed inside on_snapshot: nothing may touch it afterwards (ASan). */
	{
		struct backend *b = xcalloc(1, sizeof(*b));
		struct node_conf conf;
		struct outcome out;
		memset(&conf, 0, sizeof(conf));
		memset(&out, 0, sizeof(out));
		snapshot_init(&out.snap);
		conf.name = "fw1";
		conf.transport = TRANSPORT_API;
		conf.api.url = url_for(port_good, "localhost");
		conf.api.key_file = key_good;
		conf.api.ca_file = good.ca_path;
		b->ops = &api_backend_ops;
		backend_outbox_open(b);
		b->conf = &conf;
		b->loop = L;
		b->on_snapshot = on_snapshot;
		b->ctx = &out;
		out.free_in_callback = true;
		CHECK(api_backend_ops.open(b, &cause) == 0);
		api_backend_ops.poll_start(b);
		wait_for(&out.snaps, 1);
		CHECK_INT_EQ(out.snaps, 1);
		CHECK_INT_EQ(out.snap.err, NERR_NONE);
		snapshot_clear(&out.snap);
		loop_run_once(L, 10);
	}
	free(cause);
}

/* ------------------------------------------------------------------ */

static void write_key_file(const char *path, const char *key, const char *secret)
{
	FILE *f = fopen(path, "w");
	fprintf(f, "key=%s\nsecret=%s\n", key, secret);
	fclose(f);
	chmod(path, 0600);
}

int main(void)
{
	struct MHD_Daemon *d1, *d2, *d3;
	unsigned char b64[256];
	char pair[256];
	int i;

	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		printf("1..0 # SKIP libmicrohttpd without TLS\n");
		return 0;
	}
	str_copy(tmpdir, "/tmp/carptop-api-test-XXXXXX", sizeof(tmpdir));
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	str_printf(key_good, sizeof(key_good), "%s/apikey.txt", tmpdir);
	str_printf(key_bad, sizeof(key_bad), "%s/badkey.txt", tmpdir);
	write_key_file(key_good, KEY, SECRET);
	write_key_file(key_bad, KEY, "wrong-secret");
	str_printf(pair, sizeof(pair), "%s:%s", KEY, SECRET);
	EVP_EncodeBlock(b64, (const unsigned char *)pair, (int)strlen(pair));
	str_printf(want_auth, sizeof(want_auth), "Basic %s", b64);

	make_identity(&good, "DNS:localhost,IP:127.0.0.1", -3600, 397L * 86400, tmpdir, "good");
	make_identity(&expired, "DNS:localhost,IP:127.0.0.1", -30L * 86400, -86400, tmpdir, "expired");
	make_identity(&othername, "DNS:fw9.example.net", -3600, 86400, tmpdir, "other");
	d1 = start_server(&good, &port_good);
	d2 = start_server(&expired, &port_expired);
	d3 = start_server(&othername, &port_other);
	if (!d1 || !d2 || !d3) {
		printf("Bail out! could not start the HTTPS test servers\n");
		return 1;
	}
	L = loop_new();

	RUN(test_healthy_poll);
	RUN(test_secondary_skips_peer_check);
	RUN(test_tls_modes);
	RUN(test_connection_errors);
	RUN(test_http_errors);
	RUN(test_actions);
	RUN(test_config);
	RUN(test_config_shares_connection);
	RUN(test_node_groups);
	RUN(test_many_nodes);

	loop_free(L);
	MHD_stop_daemon(d1);
	MHD_stop_daemon(d2);
	MHD_stop_daemon(d3);
	for (i = 0; i < n_routes; i++)
		free(routes[i].body);
	free_identity(&good);
	free_identity(&expired);
	free_identity(&othername);
	unlink(key_good);
	unlink(key_bad);
	unlink(good.ca_path);
	unlink(expired.ca_path);
	unlink(othername.ca_path);
	rmdir(tmpdir);
	return test_done();
}
