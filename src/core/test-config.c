/* Tests for the YAML config loader: a full round trip, the defaults, and
 * every error class with its FILE:LINE:COL and key. File-based cases live
 * in a mkdtemp() directory that is also $HOME, so "~/x" means a file here. */
#include "config.h"
#include "util.h"
#include "sim/sim_world.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static char tmpdir[] = "/tmp/carptop-test-config.XXXXXX";

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* chmod after writing: the umask must not decide what a test sees. */
static void write_file(const char *name, const char *text, mode_t mode)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Every error says FILE:LINE:COL: what; how to fix. */
static bool error_form_ok(const char *cause, const char *file)
{
	size_t n = strlen(file);
	unsigned line, col;
	char colon;
	if (!cause || strncmp(cause, file, n) != 0 || cause[n] != ':')
		return false;
	if (sscanf(cause + n, ":%u:%u%c", &line, &col, &colon) != 3 || colon != ':' || !line || !col)
		return false;
	return strstr(cause, "; ") != NULL;
}

static bool config_is_zero(const struct config *c)
{
	return !c->path && !c->theme && !c->clusters && c->n_clusters == 0;
}

/* Load text and expect an error starting with prefix and containing needle. */
#define EXPECT_ERR(text, prefix, needle) expect_err(text, strlen(text), prefix, needle, __LINE__)
static void expect_err(const char *text, size_t len, const char *prefix, const char *needle, int line)
{
	struct config c;
	char *cause = NULL, what[200];
	int rc = config_load_string(text, len, "t.yaml", &c, &cause);
	bool ok = rc == -1 && cause && strncmp(cause, prefix, strlen(prefix)) == 0 &&
		  strstr(cause, needle) && error_form_ok(cause, "t.yaml") && config_is_zero(&c);
	snprintf(what, sizeof(what), "error \"%.60s\" ... \"%.40s\"", prefix, needle);
	if (!ok)
		printf("# got: %s\n", cause ? cause : "(no error)");
	test_report(ok, __FILE__, line, what);
	if (rc == 0)
		config_free(&c);
	free(cause);
}

static int load_str(const char *text, struct config *c, char **cause)
{
	return config_load_string(text, strlen(text), "t.yaml", c, cause);
}

/* Two api nodes: lines 1-3 are the cluster head, 4-8 fw1, 9-13 fw2. */
#define HEAD "clusters:\n  - name: hq\n    nodes:\n"
#define API_NODE(name, role) \
	"      - name: " name "\n        role: " role "\n        api:\n" \
	"          url: https://10.0.0.1\n          key_file: ~/fw1.key\n"
#define PAIR HEAD API_NODE("fw1", "primary") API_NODE("fw2", "secondary")
/* A broken first node followed by a good second one. */
#define FIRST(node) HEAD node API_NODE("fw2", "secondary")

#define PIN "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="

static const char full_config[] =
	"interval: 3\n"                                   /* 1 */
	"theme: dark\n"
	"read_only: yes\n"
	"clusters:\n"
	"  - name: hq\n"                                  /* 5 */
	"    interval: 1.5\n"
	"    theme: high-contrast\n"
	"    accent: \"#00afff\"\n"
	"    maintenance_max_age: 2h\n"
	"    state_ratio: 0.25\n"                         /* 10 */
	"    nodes:\n"
	"      - name: fw2\n"
	"        role: secondary\n"
	"        accent: cyan\n"
	"        ssh:\n"                                  /* 15 */
	"          host: 10.0.0.2\n"
	"          port: 2222\n"
	"          user: admin\n"
	"          identity_file: ~/id_test\n"
	"          known_hosts: ~/kh\n"                   /* 20 */
	"          agent: no\n"
	"          trust_on_first_use: TRUE\n"
	"          timeout: 30s\n"
	"      - name: fw1\n"
	"        role: primary\n"                         /* 25 */
	"        api:\n"
	"          url: HTTPS://192.168.1.10:4443/\n"
	"          key_file: ~/fw1.key\n"
	"          pin: \"" PIN "\"\n"
	"          timeout: 7\n"                          /* 30 */
	"  - name: branch\n"
	"    nodes:\n"
	"      - name: a\n"
	"        role: primary\n"
	"        api:\n"                                  /* 35 */
	"          url: https://a.example\n"
	"          key_file: ~/fw1.key\n"
	"          ca_file: ~/ca.pem\n"
	"      - name: b\n"
	"        role: secondary\n"                       /* 40 */
	"        api: {url: \"https://b.example\", key_file: ~/fw1.key, insecure: true}\n";

static void check_full(const struct config *c)
{
	char *key = tmp_path("fw1.key"), *id = tmp_path("id_test"), *kh = tmp_path("kh"), *ca = tmp_path("ca.pem");
	const struct cluster_conf *hq, *br;
	const struct node_conf *n;

	CHECK(c->interval == 3);
	CHECK_STR_EQ(c->theme, "dark");
	CHECK(c->read_only);
	CHECK_INT_EQ(c->n_clusters, 2);
	if (c->n_clusters != 2)
		goto out;
	hq = &c->clusters[0];
	CHECK_STR_EQ(hq->name, "hq");
	CHECK(hq->interval == 1.5);
	CHECK_STR_EQ(hq->theme, "high-contrast");
	CHECK_STR_EQ(hq->accent, "#00afff");
	CHECK(hq->maintenance_max_age == 7200);
	CHECK(hq->state_ratio == 0.25);

	/* fw1 is listed second but is the primary, so it comes first. */
	n = &hq->nodes[0];
	CHECK_STR_EQ(n->name, "fw1");
	CHECK_INT_EQ(n->role, ROLE_PRIMARY);
	CHECK_INT_EQ(n->transport, TRANSPORT_API);
	CHECK_STR_EQ(n->api.url, "https://192.168.1.10:4443");
	CHECK_STR_EQ(n->api.key_file, key);
	CHECK_STR_EQ(n->api.pin, PIN);
	CHECK(n->api.ca_file == NULL);
	CHECK(!n->api.insecure);
	CHECK(n->api.timeout == 7);
	CHECK(n->accent == NULL);
	CHECK(n->ssh.host == NULL);

	n = &hq->nodes[1];
	CHECK_STR_EQ(n->name, "fw2");
	CHECK_INT_EQ(n->role, ROLE_SECONDARY);
	CHECK_INT_EQ(n->transport, TRANSPORT_SSH);
	CHECK_STR_EQ(n->accent, "cyan");
	CHECK_STR_EQ(n->ssh.host, "10.0.0.2");
	CHECK_INT_EQ(n->ssh.port, 2222);
	CHECK_STR_EQ(n->ssh.user, "admin");
	CHECK_STR_EQ(n->ssh.identity_file, id);
	CHECK_STR_EQ(n->ssh.known_hosts, kh);
	CHECK(!n->ssh.agent);
	CHECK(n->ssh.trust_on_first_use);
	CHECK(n->ssh.timeout == 30);
	/* Written: ~/.ssh/config (consulted by default) does not override them. */
	CHECK(n->ssh.port_set && n->ssh.user_set);
	CHECK(n->ssh.ssh_config && strstr(n->ssh.ssh_config, "/.ssh/config"));
	CHECK(n->ssh.ssh_config_default);
	CHECK(n->api.url == NULL);

	br = &c->clusters[1];
	CHECK_STR_EQ(br->name, "branch");
	CHECK(br->interval == 3);          /* inherited */
	CHECK_STR_EQ(br->theme, "dark");   /* inherited */
	CHECK(br->accent == NULL);
	CHECK(br->maintenance_max_age == 14400);
	CHECK(br->state_ratio == 0.2);
	CHECK_STR_EQ(br->nodes[0].name, "a");
	CHECK_STR_EQ(br->nodes[0].api.ca_file, ca);
	CHECK(!br->nodes[0].api.insecure);
	CHECK_STR_EQ(br->nodes[1].name, "b");
	CHECK_STR_EQ(br->nodes[1].api.url, "https://b.example");
	CHECK(br->nodes[1].api.insecure);
	CHECK(br->nodes[1].api.timeout == 5);
out:
	free(key);
	free(id);
	free(kh);
	free(ca);
}

static void test_full_string(void)
{
	struct config c;
	char *cause = NULL;
	int rc = load_str(full_config, &c, &cause);
	CHECK_INT_EQ(rc, 0);
	CHECK(cause == NULL);
	if (cause)
		printf("# %s\n", cause);
	if (rc == 0) {
		CHECK_STR_EQ(c.path, "t.yaml");
		check_full(&c);
		config_free(&c);
		CHECK(config_is_zero(&c));
		config_free(&c); /* harmless twice */
	}
	free(cause);
}

static void test_full_file(void)
{
	struct config c;
	char *cause = NULL, *path;
	int rc;
	write_file("config.yaml", full_config, 0644);
	path = tmp_path("config.yaml");
	rc = config_load_file(path, &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (cause)
		printf("# %s\n", cause);
	if (rc == 0) {
		CHECK_STR_EQ(c.path, path);
		check_full(&c);
		config_free(&c);
	}
	free(cause);
	free(path);
}

/* A relative key_file is found beside the config file, not in the cwd. */
static void test_relative_path(void)
{
	struct config c;
	char *cause = NULL, *path = tmp_path("rel.yaml"), *key = tmp_path("fw1.key");
	int rc;
	write_file("rel.yaml",
		   HEAD "      - name: fw1\n        role: primary\n        api: {url: \"https://x\", key_file: fw1.key}\n"
		   "      - name: fw2\n        role: secondary\n        ssh: {host: y, identity_file: ./fw1.key}\n",
		   0600);
	rc = config_load_file(path, &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (rc == 0) {
		CHECK_STR_EQ(c.clusters[0].nodes[0].api.key_file, key);
		CHECK_CONTAINS(c.clusters[0].nodes[1].ssh.identity_file, "/./fw1.key");
		config_free(&c);
	} else {
		printf("# %s\n", cause);
	}
	free(cause);
	free(path);
	free(key);
}

static void test_defaults(void)
{
	struct config c;
	char *cause = NULL, *kh = tmp_path(".ssh/known_hosts");
	const char *text = HEAD
		"      - {name: s, role: secondary, ssh: {host: s.example}}\n"
		"      - {name: p, role: primary, api: {url: \"https://p\", key_file: ~/fw1.key}}\n";
	int rc = load_str(text, &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (rc == 0) {
		const struct cluster_conf *cl = &c.clusters[0];
		CHECK(c.interval == 2);
		CHECK_STR_EQ(c.theme, "default");
		CHECK(!c.read_only);
		CHECK(cl->interval == 2);
		CHECK_STR_EQ(cl->theme, "default");
		CHECK(cl->accent == NULL);
		CHECK(cl->maintenance_max_age == 14400);
		CHECK(cl->state_ratio == 0.2);
		CHECK_STR_EQ(cl->nodes[0].name, "p");
		CHECK_INT_EQ(cl->nodes[0].transport, TRANSPORT_API);
		CHECK(cl->nodes[0].api.timeout == 5);
		CHECK(!cl->nodes[0].api.insecure);
		CHECK(cl->nodes[0].api.pin == NULL && cl->nodes[0].api.ca_file == NULL);
		CHECK_STR_EQ(cl->nodes[1].name, "s");
		CHECK_INT_EQ(cl->nodes[1].transport, TRANSPORT_SSH);
		CHECK_INT_EQ(cl->nodes[1].ssh.port, 22);
		CHECK_STR_EQ(cl->nodes[1].ssh.user, "root");
		CHECK_STR_EQ(cl->nodes[1].ssh.known_hosts, kh);
		CHECK(cl->nodes[1].ssh.agent);
		CHECK(!cl->nodes[1].ssh.trust_on_first_use);
		CHECK(cl->nodes[1].ssh.timeout == 10);
		CHECK(cl->nodes[1].ssh.identity_file == NULL);
		CHECK(!cl->nodes[1].ssh.port_set && !cl->nodes[1].ssh.user_set);
		config_free(&c);
	} else {
		printf("# %s\n", cause);
	}
	free(cause);
	cause = NULL;
	/* ssh_config: a file of its own (ssh -F: no system file), or none. */
	rc = load_str("clusters:\n  - name: hq\n    nodes:\n"
		      "      - {name: s, role: secondary, ssh: {host: s, ssh_config: /etc/carptop/ssh.conf}}\n"
		      "      - {name: p, role: primary, ssh: {host: p, ssh_config: none}}\n",
		      &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (rc == 0) {
		CHECK_STR_EQ(c.clusters[0].nodes[1].ssh.ssh_config, "/etc/carptop/ssh.conf");
		CHECK(!c.clusters[0].nodes[1].ssh.ssh_config_default);
		CHECK(c.clusters[0].nodes[0].ssh.ssh_config == NULL);
		config_free(&c);
	} else {
		printf("# %s\n", cause);
	}
	free(cause);
	free(kh);
}

/* Globals written after the clusters are still inherited. */
static void test_inherit_late_globals(void)
{
	struct config c;
	char *cause = NULL;
	int rc = load_str(PAIR "interval: 5m\ntheme: mono\n", &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (rc == 0) {
		CHECK(c.clusters[0].interval == 300);
		CHECK_STR_EQ(c.clusters[0].theme, "mono");
		config_free(&c);
	}
	free(cause);
}

static void test_booleans(void)
{
	static const struct { const char *word; bool value; } ok[] = {
		{ "true", true }, { "True", true }, { "YES", true }, { "yes", true },
		{ "false", false }, { "FALSE", false }, { "no", false }, { "No", false },
	};
	static const char *bad[] = { "on", "off", "1", "0", "y", "\"true\"", "truthy", "~" };
	char text[1024];
	size_t i;
	for (i = 0; i < ARRAY_LEN(ok); i++) {
		struct config c;
		char *cause = NULL;
		snprintf(text, sizeof(text), "read_only: %s\n" PAIR, ok[i].word);
		CHECK(load_str(text, &c, &cause) == 0 && c.read_only == ok[i].value);
		config_free(&c);
		free(cause);
	}
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(text, sizeof(text), "read_only: %s\n" PAIR, bad[i]);
		EXPECT_ERR(text, "t.yaml:1:12: wrong type for key 'read_only' in the top level: expected a boolean",
			   "read_only: true");
	}
}

static void test_durations(void)
{
	static const struct { const char *text; double secs; } ok[] = {
		{ "90", 90 }, { "1.5", 1.5 }, { "45s", 45 }, { "30m", 1800 }, { "4h", 14400 }, { "0.5h", 1800 },
	};
	char text[1024];
	size_t i;
	for (i = 0; i < ARRAY_LEN(ok); i++) {
		struct config c;
		char *cause = NULL;
		snprintf(text, sizeof(text), "clusters:\n  - name: hq\n    maintenance_max_age: %s\n    nodes:\n"
			 API_NODE("fw1", "primary") API_NODE("fw2", "secondary"), ok[i].text);
		CHECK(load_str(text, &c, &cause) == 0 && c.clusters[0].maintenance_max_age == ok[i].secs);
		if (cause)
			printf("# %s\n", cause);
		config_free(&c);
		free(cause);
	}
}

/* The flight recorder's bounds (src/model/recorder.h). */
static void test_recording_keys(void)
{
	struct config c;
	char *cause = NULL;
	CHECK(load_str("record_days: 3\nrecord_budget_mb: 2.5\n" PAIR, &c, &cause) == 0);
	CHECK(c.record_days == 3 && c.record_budget_mb == 2.5);
	config_free(&c);
	CHECK(load_str(PAIR, &c, &cause) == 0);
	CHECK(c.record_days == 0 && c.record_budget_mb == 0); /* 0: the recorder's defaults */
	config_free(&c);
	EXPECT_ERR("record_days: 0\n" PAIR, "t.yaml:1:14: bad value for key 'record_days' in the top level: 0 is not more "
		   "than 0 and at most 3650", "record_days: 7");
	EXPECT_ERR("record_budget_mb: lots\n" PAIR, "t.yaml:1:19: wrong type for key 'record_budget_mb'", "a number");
}

/* The CARP change stream (doc/ssh-stream.md): on unless switched off at the
 * top level or per cluster; a cluster's own word wins. */
static void test_stream_key(void)
{
	static const char two[] = "clusters:\n  - name: hq\n%s    nodes:\n" API_NODE("fw1", "primary")
		API_NODE("fw2", "secondary") "  - name: dr\n%s    nodes:\n" API_NODE("fw3", "primary")
		API_NODE("fw4", "secondary");
	static const struct {
		const char *top, *hq, *dr;
		bool hq_on, dr_on;
	} cases[] = {
		{ "", "", "", true, true },
		{ "stream: false\n", "", "", false, false },
		{ "stream: false\n", "    stream: true\n", "", true, false },
		{ "", "    stream: no\n", "", false, true },
		{ "stream: yes\n", "", "    stream: false\n", true, false },
	};
	char text[2048], body[1900];
	size_t i;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct config c;
		char *cause = NULL;
		snprintf(body, sizeof(body), two, cases[i].hq, cases[i].dr);
		snprintf(text, sizeof(text), "%s%s", cases[i].top, body);
		CHECK_INT_EQ(load_str(text, &c, &cause), 0);
		if (cause)
			printf("# %s\n", cause);
		else {
			CHECK(c.clusters[0].stream == cases[i].hq_on);
			CHECK(c.clusters[1].stream == cases[i].dr_on);
		}
		config_free(&c);
		free(cause);
	}
	EXPECT_ERR("stream: on\n" PAIR, "t.yaml:1:9: wrong type for key 'stream' in the top level: expected a boolean",
		   "stream: true");
	EXPECT_ERR("clusters:\n  - name: hq\n    stream: 1\n    nodes:\n" API_NODE("fw1", "primary")
		   API_NODE("fw2", "secondary"), "t.yaml:3:13: wrong type for key 'stream' in cluster 'hq'", "a boolean");
	{
		struct config c;
		config_demo(&c);
		CHECK(c.clusters[0].stream);
		config_free(&c);
	}
}

/* carp_interval: off unless set; a cluster's own wins; every node's api
 * block carries its cluster's value (the API backend reads it there). */
static void test_carp_interval_key(void)
{
	struct config c;
	char *cause = NULL;
	char text[1024];
	CHECK_INT_EQ(load_str(PAIR, &c, &cause), 0);
	CHECK(c.clusters[0].carp_interval == 0 && c.clusters[0].nodes[1].api.carp_interval == 0);
	config_free(&c);
	CHECK_INT_EQ(load_str(PAIR "carp_interval: 0.5\n", &c, &cause), 0);
	CHECK(c.clusters[0].carp_interval == 0.5);
	CHECK(c.clusters[0].nodes[0].api.carp_interval == 0.5 && c.clusters[0].nodes[1].api.carp_interval == 0.5);
	config_free(&c);
	snprintf(text, sizeof(text), "carp_interval: 2\nclusters:\n  - name: hq\n    carp_interval: 250ms\n    nodes:\n"
		 API_NODE("fw1", "primary") API_NODE("fw2", "secondary"));
	EXPECT_ERR(text, "t.yaml:4:20: wrong type for key 'carp_interval' in cluster 'hq'", "seconds");
	snprintf(text, sizeof(text), "carp_interval: 2\nclusters:\n  - name: hq\n    carp_interval: 0.25\n    nodes:\n"
		 API_NODE("fw1", "primary") API_NODE("fw2", "secondary"));
	CHECK_INT_EQ(load_str(text, &c, &cause), 0);
	CHECK(c.clusters[0].nodes[0].api.carp_interval == 0.25);
	config_free(&c);
	EXPECT_ERR("carp_interval: 0\n" PAIR, "t.yaml:1:16: bad value for key 'carp_interval' in the top level: 0 is not "
		   "more than 0 seconds", "carp_interval: 0.5");
	free(cause);
}

/* The shipped example must load: it is what users copy. */
static void test_example(void)
{
#ifdef TEST_SRCDIR
	static const char *files[] = { ".config/carptop/fw1.apikey.txt", ".config/carptop/fw2.apikey.txt",
				       ".config/carptop/br1.apikey.txt", ".config/carptop/hq-ca.pem",
				       ".ssh/id_ed25519" };
	struct config c;
	char *cause = NULL, *d;
	size_t i;
	int rc;

	d = tmp_path(".config");
	mkdir(d, 0700);
	free(d);
	d = tmp_path(".config/carptop");
	mkdir(d, 0700);
	free(d);
	d = tmp_path(".ssh");
	mkdir(d, 0700);
	free(d);
	for (i = 0; i < ARRAY_LEN(files); i++)
		write_file(files[i], "key=k\nsecret=s\n", 0600);
	rc = config_load_file(TEST_SRCDIR "/../doc/carptop.example.yaml", &c, &cause);
	CHECK_INT_EQ(rc, 0);
	if (rc == 0) {
		CHECK_INT_EQ(c.n_clusters, 2);
		CHECK_STR_EQ(c.clusters[1].nodes[0].name, "br1");
		CHECK_INT_EQ(c.clusters[1].nodes[0].transport, TRANSPORT_API);
		CHECK_INT_EQ(c.clusters[1].nodes[1].transport, TRANSPORT_SSH);
		config_free(&c);
	} else {
		printf("# %s\n", cause);
	}
	free(cause);
#else
	printf("# TEST_SRCDIR not set: example not checked\n");
#endif
}

static void test_err_file(void)
{
	struct config c;
	char *cause = NULL, *path = tmp_path("missing.yaml"), *dir = tmp_path("adir"), *prefix;

	CHECK_INT_EQ(config_load_file(path, &c, &cause), -1);
	prefix = xasprintf("%s:1:1: cannot read the configuration: %s;", path, strerror(ENOENT));
	CHECK_STR_EQ(cause && strncmp(cause, prefix, strlen(prefix)) == 0 ? prefix : cause, prefix);
	CHECK(error_form_ok(cause, path));
	CHECK(config_is_zero(&c));
	free(cause);
	free(prefix);

	mkdir(dir, 0700);
	CHECK_INT_EQ(config_load_file(dir, &c, &cause), -1);
	CHECK_CONTAINS(cause, strerror(EISDIR));
	free(cause);

	/* As root the permission bits do not stop us, so only test this as a user. */
	if (geteuid() != 0) {
		char *locked = tmp_path("locked.yaml");
		write_file("locked.yaml", PAIR, 0000);
		CHECK_INT_EQ(config_load_file(locked, &c, &cause), -1);
		CHECK_CONTAINS(cause, strerror(EACCES));
		free(cause);
		free(locked);
	}

	/* A FIFO must be refused, not waited on. */
	free(dir);
	dir = tmp_path("fifo.yaml");
	if (mkfifo(dir, 0600) == 0) {
		CHECK_INT_EQ(config_load_file(dir, &c, &cause), -1);
		CHECK_CONTAINS(cause, "not a regular file");
		free(cause);
	}

	/* No cause pointer: still no leak, still -1. */
	CHECK_INT_EQ(config_load_file(path, &c, NULL), -1);
	CHECK_INT_EQ(config_load_string("x: 1\n", 5, "t.yaml", &c, NULL), -1);
	free(path);
	free(dir);
}

static void test_err_syntax(void)
{
	EXPECT_ERR("clusters: [a, b\n", "t.yaml:2:1: YAML syntax error: did not find expected ',' or ']'",
		   "(while parsing a flow sequence at line 1 column 11)");
	EXPECT_ERR("interval: 2\n  theme: x\n", "t.yaml:2:8: YAML syntax error: mapping values are not allowed",
		   "check the indentation");
	EXPECT_ERR("clusters:\n\t- name: hq\n", "t.yaml:2:1: YAML syntax error: found character that cannot start",
		   "tabs");
	EXPECT_ERR("theme: \"unterminated\n", "t.yaml:2:1: YAML syntax error: found unexpected end of stream",
		   "(while scanning a quoted scalar at line 1 column 8)");
	EXPECT_ERR("theme: caf\xe9\n", "t.yaml:1:11: YAML syntax error: incomplete UTF-8 octet sequence;", "save the file as UTF-8");
	EXPECT_ERR("clusters: *nope\n", "t.yaml:1:11: YAML syntax error: found undefined alias", "; ");
	/* A NUL byte, given through the explicit length. */
	expect_err("interval: 2\ntheme: a\0b\n", 21, "t.yaml:2:9: the file contains a NUL byte", "UTF-8", __LINE__);
	EXPECT_ERR("interval: 2\n---\ninterval: 3\n", "t.yaml:3:1: a second YAML document", "'---'");
	EXPECT_ERR("clusters: []\n...\ngarbage: [\n", "t.yaml:3:1: YAML syntax error: did not find expected <document start>", "; ");
}

static void test_err_structure(void)
{
	EXPECT_ERR("", "t.yaml:1:1: the file is empty (key 'clusters');", "carptop.yaml(5)");
	EXPECT_ERR("# only a comment\n\n", "t.yaml:1:1: the file is empty", "; ");
	EXPECT_ERR("hello\n", "t.yaml:1:1: the top level is the string 'hello', expected a mapping (key 'clusters');",
		   "clusters:");
	EXPECT_ERR("- a\n- b\n", "t.yaml:1:1: the top level is a list, expected a mapping", "; ");
	EXPECT_ERR("42\n", "t.yaml:1:1: the top level is the number 42", "; ");
	EXPECT_ERR("clusters:\n  - hq\n", "t.yaml:2:5: cluster #1 is the string 'hq', expected a mapping (key 'clusters');",
		   "- name: hq");
	EXPECT_ERR(HEAD "      - fw1\n      - fw2\n",
		   "t.yaml:4:9: node #1 of cluster 'hq' is the string 'fw1', expected a mapping (key 'nodes');", "; ");
	EXPECT_ERR("clusters: []\n", "t.yaml:1:11: the list of clusters is empty (key 'clusters');", "CARP pair");
	EXPECT_ERR("[a]: 1\n", "t.yaml:1:1: a key must be a name, got a list in the top level;", "name: value");
	EXPECT_ERR("~: 1\n", "t.yaml:1:1: a key must be a name, got nothing (null)", "; ");
}

static void test_err_unknown_key(void)
{
	EXPECT_ERR("colour: red\n" PAIR,
		   "t.yaml:1:1: unknown key 'colour' in the top level; known keys: interval, theme, read_only, "
		   "record_days, record_budget_mb, stream, carp_interval, clusters",
		   "; ");
	EXPECT_ERR("cluster:\n  - name: hq\n",
		   "t.yaml:1:1: unknown key 'cluster' in the top level; known keys:", "did you mean 'clusters'?");
	EXPECT_ERR("clusters:\n  - name: hq\n    intervall: 1\n    nodes:\n"
		   API_NODE("fw1", "primary") API_NODE("fw2", "secondary"),
		   "t.yaml:3:5: unknown key 'intervall' in cluster 'hq'; known keys: name, interval, theme, accent, "
		   "maintenance_max_age, state_ratio, stream, carp_interval, nodes", "did you mean 'interval'?");
	EXPECT_ERR(FIRST("      - name: fw1\n        rolle: primary\n"),
		   "t.yaml:5:9: unknown key 'rolle' in node 'fw1' of cluster 'hq'; known keys: name, role, accent, api, ssh",
		   "did you mean 'role'?");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          uri: https://x\n"),
		   "t.yaml:7:11: unknown key 'uri' in the api section of node 'fw1' of cluster 'hq'; known keys: url, "
		   "key_file, pin, ca_file, insecure, timeout", "did you mean 'url'?");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {hostname: x}\n"),
		   "t.yaml:6:15: unknown key 'hostname' in the ssh section of node 'fw1' of cluster 'hq'; known keys: "
		   "host, port, user, identity_file, known_hosts, agent, trust_on_first_use, timeout, ssh_config", "; ");
	/* No name yet: the cluster is counted instead. */
	EXPECT_ERR("clusters:\n  - foo: 1\n", "t.yaml:2:5: unknown key 'foo' in cluster #1;", "known keys");
	/* Keys are echoed made inert and cut short. */
	EXPECT_ERR("\"a\\e[31mbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\": 1\n",
		   "t.yaml:1:1: unknown key 'a?[31mbbb", "...' in the top level");
}

static void test_err_type(void)
{
	EXPECT_ERR("interval: fast\n" PAIR,
		   "t.yaml:1:11: wrong type for key 'interval' in the top level: expected a number of seconds "
		   "(e.g. 2, 1.5, 30m or 4h), got the string 'fast';", "interval: 2");
	EXPECT_ERR("read_only: 1\n" PAIR, "t.yaml:1:12: wrong type for key 'read_only'", "got the number 1;");
	EXPECT_ERR("clusters: {a: 1}\n",
		   "t.yaml:1:11: wrong type for key 'clusters' in the top level: expected a list of clusters, got a mapping;",
		   "; ");
	EXPECT_ERR("clusters:\n  - name: hq\n    nodes: fw1\n",
		   "t.yaml:3:12: wrong type for key 'nodes' in cluster 'hq': expected a list of two nodes, got the string 'fw1';",
		   "role: primary");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api: []\n"),
		   "t.yaml:6:14: wrong type for key 'api' in node 'fw1' of cluster 'hq': expected a mapping, got a list;",
		   "; ");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh:\n"),
		   "t.yaml:6:13: wrong type for key 'ssh' in node 'fw1' of cluster 'hq': expected a mapping, got nothing",
		   "; ");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, port: \"22\"}\n"),
		   "t.yaml:6:30: wrong type for key 'port' in the ssh section of node 'fw1' of cluster 'hq': expected a "
		   "port number (1-65535), got the quoted string '22';", "port: 22");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api: {url: \"https://x\", key_file: ~/fw1.key, insecure: 1}\n"),
		   "t.yaml:6:64: wrong type for key 'insecure'", "got the number 1");
	EXPECT_ERR(FIRST("      - name: [fw1]\n"),
		   "t.yaml:4:15: wrong type for key 'name' in node #1 of cluster 'hq': expected a string, got a list;",
		   "name: fw1");
	/* An unquoted # starts a comment, leaving nothing. */
	EXPECT_ERR("clusters:\n  - name: hq\n    accent: #00afff\n",
		   "t.yaml:3:12: wrong type for key 'accent' in cluster 'hq': expected a string, got nothing (null);",
		   "quoted");
	EXPECT_ERR("clusters:\n  - name: hq\n    state_ratio: lots\n", "t.yaml:3:18: wrong type for key 'state_ratio'",
		   "state_ratio: 0.2");
	EXPECT_ERR("clusters:\n  - name: hq\n    maintenance_max_age: 4x\n",
		   "t.yaml:3:26: wrong type for key 'maintenance_max_age'", "4h");
}

static void test_err_missing(void)
{
	EXPECT_ERR("interval: 2\n", "t.yaml:1:1: missing required key 'clusters' in the top level;", "clusters:");
	EXPECT_ERR("clusters:\n  - nodes:\n" API_NODE("fw1", "primary") API_NODE("fw2", "secondary"),
		   "t.yaml:2:5: missing required key 'name' in cluster #1;", "name: hq");
	EXPECT_ERR("clusters:\n  - name: hq\n", "t.yaml:2:5: missing required key 'nodes' in cluster 'hq';", "nodes:");
	EXPECT_ERR(FIRST("      - role: primary\n        api: {url: \"https://x\", key_file: ~/fw1.key}\n"),
		   "t.yaml:4:9: missing required key 'name' in node #1 of cluster 'hq';", "name: fw1");
	EXPECT_ERR(FIRST("      - name: fw1\n        api: {url: \"https://x\", key_file: ~/fw1.key}\n"),
		   "t.yaml:4:9: missing required key 'role' in node 'fw1' of cluster 'hq';", "role: primary");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          key_file: ~/fw1.key\n"),
		   "t.yaml:7:11: missing required key 'url' in the api section of node 'fw1' of cluster 'hq';",
		   "url: https://");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"),
		   "t.yaml:7:11: missing required key 'key_file' in the api section of node 'fw1'", "apikey.txt");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {user: root}\n"),
		   "t.yaml:6:14: missing required key 'host' in the ssh section of node 'fw1'", "host: 10.0.0.2");
}

static void test_err_bad_value(void)
{
	EXPECT_ERR(FIRST("      - name: fw1\n        role: master\n"),
		   "t.yaml:5:15: bad value for key 'role' in node 'fw1' of cluster 'hq': 'master' is not a role;",
		   "role: secondary");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: http://10.0.0.1\n"),
		   "t.yaml:7:16: bad value for key 'url' in the api section of node 'fw1' of cluster 'hq': plain http:// "
		   "is refused, it would send the API key and secret unencrypted;", "use https://");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: ftp://10.0.0.1\n"),
		   "t.yaml:7:16: bad value for key 'url'", "does not start with https://");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://10.0.0.1/api/core\n"),
		   "t.yaml:7:16: bad value for key 'url'", "has a path or query; write only https://host[:port]");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://u:p@10.0.0.1\n"),
		   "t.yaml:7:16: bad value for key 'url'", "key_file");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://fw:99999\n"),
		   "t.yaml:7:16: bad value for key 'url'", "not a number from 1 to 65535");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://\n"),
		   "t.yaml:7:16: bad value for key 'url'", "no host");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, port: 0}\n"),
		   "t.yaml:6:30: bad value for key 'port' in the ssh section of node 'fw1' of cluster 'hq': 0 is not a port number",
		   "port: 22");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, port: 65536}\n"),
		   "t.yaml:6:30: bad value for key 'port'", "65536 is not a port number");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, port: 999999999999999999999999999}\n"),
		   "t.yaml:6:30: bad value for key 'port'", "is not a port number");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, port: 22.5}\n"),
		   "t.yaml:6:30: bad value for key 'port'", "is not a port number");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: -oProxyCommand=sh}\n"),
		   "t.yaml:6:21: bad value for key 'host'", "must not start with '-'");
	EXPECT_ERR("interval: 0\n" PAIR, "t.yaml:1:11: bad value for key 'interval' in the top level: 0 is not more than 0 seconds;",
		   "interval: 2");
	EXPECT_ERR("interval: -1\n" PAIR, "t.yaml:1:11: bad value for key 'interval'", "-1 is not more than 0");
	EXPECT_ERR("interval: 1e999\n" PAIR, "t.yaml:1:11: bad value for key 'interval'", "more than the limit");
	EXPECT_ERR("interval: 123456789012345678901234567890\n" PAIR, "t.yaml:1:11: bad value for key 'interval'",
		   "more than the limit");
	EXPECT_ERR("clusters:\n  - name: hq\n    interval: 0s\n", "t.yaml:3:15: bad value for key 'interval' in cluster 'hq'",
		   "not more than 0");
	EXPECT_ERR("clusters:\n  - name: hq\n    state_ratio: 2\n",
		   "t.yaml:3:18: bad value for key 'state_ratio' in cluster 'hq': 2 is not between 0 and 1;", "0.2");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          pin: \"abc\"\n"),
		   "t.yaml:8:16: bad value for key 'pin' in the api section of node 'fw1' of cluster 'hq': 'abc' does not "
		   "start with sha256//;", "openssl");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          pin: \"sha256//abc=\"\n"),
		   "t.yaml:8:16: bad value for key 'pin'", "44-character base64");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          pin: \"" PIN ";md5//x\"\n"),
		   "t.yaml:8:16: bad value for key 'pin'", "'md5//x' does not start with sha256//");
	EXPECT_ERR("clusters:\n  - name: \"\"\n", "t.yaml:2:11: bad value for key 'name' in cluster #1: it is empty;",
		   "name: hq");
	EXPECT_ERR("clusters:\n  - name: \"a\\eb\"\n", "t.yaml:2:11: bad value for key 'name'", "control character");
	EXPECT_ERR("clusters:\n  - name: \"a\\0b\"\n", "t.yaml:2:11: bad value for key 'name'", "NUL byte");
	EXPECT_ERR("clusters:\n  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		   "t.yaml:2:11: bad value for key 'name'", "65 bytes long, the limit is 64");
	EXPECT_ERR("theme: ../../etc/passwd\n", "t.yaml:1:8: bad value for key 'theme' in the top level", "not a theme name");
	EXPECT_ERR("clusters:\n  - name: hq\n    accent: \"#12345\"\n", "t.yaml:3:13: bad value for key 'accent'",
		   "neither a colour name nor #rrggbb");
}

static void test_err_duplicates(void)
{
	EXPECT_ERR("interval: 1\ninterval: 2\n",
		   "t.yaml:2:1: duplicate key 'interval' in the top level (first at line 1);", "keep only one");
	EXPECT_ERR(PAIR "  - name: hq\n    nodes:\n" API_NODE("fw3", "primary") API_NODE("fw4", "secondary"),
		   "t.yaml:14:11: duplicate cluster name 'hq' (key 'name'); first used at line 2,", "own name");
	EXPECT_ERR(HEAD API_NODE("fw1", "primary") API_NODE("fw1", "secondary"),
		   "t.yaml:9:15: duplicate node name 'fw1' in cluster 'hq' (key 'name'); first used at line 4,", "own name");
}

static void test_err_pair(void)
{
	EXPECT_ERR(HEAD API_NODE("fw1", "primary"),
		   "t.yaml:4:7: cluster 'hq' has 1 node (key 'nodes'); a CARP pair is exactly two nodes", "role: secondary");
	EXPECT_ERR(PAIR API_NODE("fw3", "secondary"), "t.yaml:4:7: cluster 'hq' has 3 nodes (key 'nodes');", "exactly two");
	/* A node's own mistake is reported before the count... */
	EXPECT_ERR(HEAD "      - name: fw1\n        role: master\n",
		   "t.yaml:5:15: bad value for key 'role' in node 'fw1' of cluster 'hq'", "; ");
	/* ...but nodes past the second are not looked at. */
	EXPECT_ERR(PAIR "      - name: fw3\n        role: master\n", "t.yaml:4:7: cluster 'hq' has 3 nodes", "; ");
	EXPECT_ERR("clusters:\n  - name: hq\n    nodes: []\n", "t.yaml:3:12: cluster 'hq' has 0 nodes", "; ");
	EXPECT_ERR(HEAD API_NODE("fw1", "primary") API_NODE("fw2", "primary"),
		   "t.yaml:10:15: both nodes of cluster 'hq' have role 'primary' (key 'role');", "one 'role: primary'");
	EXPECT_ERR(HEAD API_NODE("fw1", "secondary") API_NODE("fw2", "secondary"),
		   "t.yaml:10:15: both nodes of cluster 'hq' have role 'secondary' (key 'role');", "; ");
}

static void test_err_transport(void)
{
	EXPECT_ERR(HEAD API_NODE("fw1", "primary") "        ssh: {host: x}\n" API_NODE("fw2", "secondary"),
		   "t.yaml:9:9: node 'fw1' of cluster 'hq' has both 'api' (line 6) and 'ssh' (key 'ssh');", "keep only one");
	EXPECT_ERR(HEAD "      - name: fw1\n        role: primary\n" API_NODE("fw2", "secondary"),
		   "t.yaml:4:9: node 'fw1' of cluster 'hq' has neither 'api' nor 'ssh' (key 'api');", "'ssh:' section");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/fw1.key\n          pin: \"" PIN "\"\n          insecure: true\n"),
		   "t.yaml:10:21: 'insecure: true' contradicts 'pin' at line 9 in the api section of node 'fw1' of "
		   "cluster 'hq' (key 'insecure');", "remove 'insecure'");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/fw1.key\n          insecure: yes\n          ca_file: ~/ca.pem\n"),
		   "t.yaml:9:21: 'insecure: true' contradicts 'ca_file' at line 10", "remove 'insecure'");
}

/* sim: {scenario: NAME} nodes, as the demo has them. */
static void test_sim_nodes(void)
{
	struct config c;
	char *cause = NULL;
	const char *yaml = "clusters:\n  - name: lab\n    nodes:\n"
			   "      - name: fw2\n        role: secondary\n        sim: {scenario: split-brain}\n"
			   "      - name: fw1\n        role: primary\n        sim: {}\n";
	if (config_load_string(yaml, strlen(yaml), "t.yaml", &c, &cause) < 0) {
		CHECK_STR_EQ(cause, "(loads)");
		free(cause);
		return;
	}
	CHECK_INT_EQ(c.clusters[0].nodes[0].transport, TRANSPORT_SIM);
	CHECK_STR_EQ(c.clusters[0].nodes[0].sim.scenario, "split-brain"); /* its partner's */
	CHECK_STR_EQ(c.clusters[0].nodes[1].sim.scenario, "split-brain");
	config_free(&c);

	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        sim: {scenario: meltdown}\n"),
		   "t.yaml:6:25: bad value for key 'scenario' in the sim section of node 'fw1' of cluster 'hq': "
		   "'meltdown' is not a simulator scenario;", "carptop --demo-list");
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        sim: {}\n        ssh: {host: x}\n"),
		   "t.yaml:7:9: node 'fw1' of cluster 'hq' has both 'sim' (line 6) and 'ssh' (key 'ssh');", "keep only one");
	EXPECT_ERR("clusters:\n  - name: hq\n    nodes:\n"
		   "      - name: fw1\n        role: primary\n        sim: {scenario: healthy}\n"
		   "      - name: fw2\n        role: secondary\n        sim: {scenario: node-down}\n",
		   "t.yaml:9:9: the sim nodes of cluster 'hq' name different scenarios, 'healthy' and 'node-down' (key 'sim');",
		   "same one on both");
}

static void test_err_secret_files(void)
{
	char *open_key = tmp_path("open.key"), *grp_id = tmp_path("id_group"), *other = tmp_path("other.key");
	char *missing = tmp_path("nope.key"), *dir = tmp_path("adir"), *ca = tmp_path("nope.pem"), *want;

	want = xasprintf("t.yaml:8:21: cannot open key_file '%s' (key 'key_file'): %s;", missing, strerror(ENOENT));
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/nope.key\n"), want, "System > Access > Users > API keys");
	free(want);

	want = xasprintf("t.yaml:8:21: permissions 0644 for '%s' are too open (key 'key_file'); run chmod 600 %s",
			 open_key, open_key);
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/open.key\n"), want, "chmod 600");
	free(want);

	want = xasprintf("t.yaml:8:21: permissions 0604 for '%s' are too open", other);
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/other.key\n"), want, "chmod 600");
	free(want);

	want = xasprintf("t.yaml:6:39: permissions 0640 for '%s' are too open (key 'identity_file'); run chmod 600 %s",
			 grp_id, grp_id);
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, identity_file: ~/id_group}\n"),
		   want, "chmod 600");
	free(want);

	want = xasprintf("t.yaml:6:39: cannot open identity_file '%s' (key 'identity_file'): %s;", missing,
			 strerror(ENOENT));
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        ssh: {host: x, identity_file: ~/nope.key}\n"),
		   want, "ssh-keygen");
	free(want);

	want = xasprintf("t.yaml:8:21: '%s' is not a regular file (key 'key_file');", dir);
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/adir\n"), want, "; ");
	free(want);

	want = xasprintf("t.yaml:9:20: cannot open ca_file '%s' (key 'ca_file'):", ca);
	EXPECT_ERR(FIRST("      - name: fw1\n        role: primary\n        api:\n          url: https://x\n"
		   "          key_file: ~/fw1.key\n          ca_file: ~/nope.pem\n"), want, "PEM");
	free(want);

	free(open_key);
	free(grp_id);
	free(other);
	free(missing);
	free(dir);
	free(ca);
}

/* Whatever the input, the loader returns 0 or a well-formed message, and
 * ASan sees no error or leak: every prefix of a valid file, and every byte
 * replaced by characters that matter to YAML. */
/* libyaml 0.2.5 is quadratic in the nesting depth (src/core/yamldepth.h): a
 * file nested 100 000 levels deep is refused at level 65 with its position,
 * before libyaml reads far into it (meson's timeout is the generous bound;
 * bench/bench-yaml-depth measures the time). 64 levels are not refused for
 * their depth. */
static void test_depth_limit(void)
{
	struct strbuf y;
	size_t i;

	sb_init(&y); /* flow sequences: clusters: [[[[... */
	sb_add(&y, "clusters: ");
	for (i = 0; i < 100000; i++)
		sb_addc(&y, '[');
	for (i = 0; i < 100000; i++)
		sb_addc(&y, ']');
	sb_addc(&y, '\n');
	/* top level 1 at column 1, the first '[' (level 2) at column 11 */
	EXPECT_ERR(y.buf, "t.yaml:1:74: nesting deeper than 64 levels", "is this the right file?");
	sb_free(&y);

	sb_init(&y); /* flow mappings: {a: {a: ... */
	for (i = 0; i < 100000; i++)
		sb_add(&y, "{a: ");
	for (i = 0; i < 100000; i++)
		sb_addc(&y, '}');
	EXPECT_ERR(y.buf, "t.yaml:1:257: nesting deeper than 64 levels", "; ");
	sb_free(&y);

	sb_init(&y); /* block sequences on one line: - - - - ... */
	for (i = 0; i < 100000; i++)
		sb_add(&y, "- ");
	sb_add(&y, "x\n");
	EXPECT_ERR(y.buf, "t.yaml:1:129: nesting deeper than 64 levels", "; ");
	sb_free(&y);

	sb_init(&y); /* block mappings, one per line */
	for (i = 0; i < 100; i++) {
		size_t k;
		for (k = 0; k < i; k++)
			sb_addc(&y, ' ');
		sb_add(&y, "a:\n");
	}
	EXPECT_ERR(y.buf, "t.yaml:65:65: nesting deeper than 64 levels", "; ");
	sb_free(&y);

	sb_init(&y); /* exactly 64 levels: refused for what it says, not its depth */
	for (i = 0; i < 64; i++)
		sb_addc(&y, '[');
	for (i = 0; i < 64; i++)
		sb_addc(&y, ']');
	EXPECT_ERR(y.buf, "t.yaml:1:1: the top level is a list", "; ");
	sb_free(&y);
}

static void test_robust(void)
{
	static const char repl[] = { ':', '-', ' ', '\t', '\n', '"', '\'', '[', '{', '}', '&', '*', '!', '#',
				     '|', '>', '%', '@', '\0', '\xff', 'x' };
	size_t len = strlen(full_config), i, j, bad = 0, accepted = 0;
	char *buf = xmalloc(len + 1);
	struct strbuf deep;

	for (i = 0; i <= len; i++) {
		struct config c;
		char *cause = NULL;
		if (config_load_string(full_config, i, "t.yaml", &c, &cause) == 0)
			accepted++, config_free(&c);
		else if (!error_form_ok(cause, "t.yaml") || !config_is_zero(&c))
			bad++, printf("# prefix %zu: %s\n", i, cause ? cause : "(null)");
		free(cause);
	}
	CHECK_INT_EQ(bad, 0);
	CHECK(accepted >= 1);

	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(repl); j++) {
			struct config c;
			char *cause = NULL;
			memcpy(buf, full_config, len + 1);
			buf[i] = repl[j];
			if (config_load_string(buf, len, "t.yaml", &c, &cause) == 0)
				config_free(&c);
			else if (!error_form_ok(cause, "t.yaml") || !config_is_zero(&c))
				bad++, printf("# byte %zu = %#x: %s\n", i, (unsigned char)repl[j], cause ? cause : "(null)");
			free(cause);
		}
	}
	CHECK_INT_EQ(bad, 0);
	free(buf);

	/* Deep nesting, self-referencing aliases, huge lists and values. */
	sb_init(&deep);
	for (i = 0; i < 20000; i++)
		sb_add(&deep, "[");
	/* Refused at the nesting limit (src/core/yamldepth.h), open or closed. */
	EXPECT_ERR(deep.buf, "t.yaml:1:65: nesting deeper than 64 levels", "; ");
	for (i = 0; i < 20000; i++)
		sb_add(&deep, "]");
	EXPECT_ERR(deep.buf, "t.yaml:1:65: nesting deeper than 64 levels", "; ");
	sb_free(&deep);
	EXPECT_ERR("clusters: &a [*a]\n", "t.yaml:1:11: cluster #1 is a list, expected a mapping", "; ");
	EXPECT_ERR("&a {x: *a}\n", "t.yaml:1:5: unknown key 'x' in the top level", "; ");
	/* No fixed cluster limit: a NOC's 1000 pairs load (the 1 MB file cap
	 * bounds memory), and a duplicate far down the list is still found. */
	sb_add(&deep, "clusters:\n");
	for (i = 0; i < 1000; i++) {
		sb_printf(&deep, "  - name: c%zu\n    nodes:\n", i);
		sb_add(&deep, API_NODE("fw1", "primary") API_NODE("fw2", "secondary"));
	}
	{
		struct config c;
		char *cause = NULL;
		int rc = load_str(deep.buf, &c, &cause);
		CHECK_INT_EQ(rc, 0);
		if (rc == 0) {
			CHECK(c.n_clusters == 1000);
			CHECK_STR_EQ(c.clusters[999].name, "c999");
			config_free(&c);
		}
		free(cause);
	}
	sb_printf(&deep, "  - name: c7\n    nodes:\n");
	sb_add(&deep, API_NODE("fw1", "primary") API_NODE("fw2", "secondary"));
	EXPECT_ERR(deep.buf, "t.yaml:12002:11: duplicate cluster name 'c7'", "first used at line 86");
	sb_free(&deep);
	sb_add(&deep, "theme: ");
	for (i = 0; i < 100000; i++)
		sb_addc(&deep, 'x');
	sb_add(&deep, "\n");
	{
		struct config c;
		char *cause = NULL;
		CHECK_INT_EQ(load_str(deep.buf, &c, &cause), -1);
		CHECK(cause && strlen(cause) < 400); /* the value is cut short, not echoed whole */
		free(cause);
	}
	sb_free(&deep);
}

static void test_apikey(void)
{
	char *path = tmp_path("apikey.txt"), *key = NULL, *secret = NULL, *cause = NULL, *want;

	write_file("apikey.txt", "\xef\xbb\xbfkey=Abc123+/\r\n\r\n   secret = s3cr3t+/==  \r\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), 0);
	CHECK_STR_EQ(key, "Abc123+/");
	CHECK_STR_EQ(secret, "s3cr3t+/==");
	CHECK(cause == NULL);
	free(key);
	free(secret);

	write_file("apikey.txt", "key=abc\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK(key == NULL && secret == NULL);
	CHECK_CONTAINS(cause, "no 'secret=' line");
	free(cause);

	write_file("apikey.txt", "secret=SUPERSECRET\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK(key == NULL && secret == NULL);
	CHECK_CONTAINS(cause, "no 'key=' line");
	CHECK(!strstr(cause, "SUPERSECRET"));
	free(cause);

	/* A malformed line may be the secret itself: never echo it. */
	write_file("apikey.txt", "key=abc\nSUPERSECRET\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK_CONTAINS(cause, ":2:1: line 2 is not 'key=...' or 'secret=...'");
	CHECK(!strstr(cause, "SUPERSECRET"));
	free(cause);

	write_file("apikey.txt", "key=abc\nsecret=SUPERSECRET\nsecret=OTHERSECRET\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK(key == NULL && secret == NULL);
	CHECK_CONTAINS(cause, ":3:1: 'secret=' is given twice");
	CHECK(!strstr(cause, "SECRET"));
	free(cause);

	write_file("apikey.txt", "key=abc\nsecret=\n", 0600);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK_CONTAINS(cause, "'secret=' is empty");
	free(cause);

	write_file("apikey.txt", "key=abc\nsecret=SUPERSECRET\n", 0644);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	want = xasprintf("permissions 0644 for '%s' are too open; run chmod 600 %s", path, path);
	CHECK_CONTAINS(cause, want);
	CHECK(!strstr(cause, "SUPERSECRET"));
	free(want);
	free(cause);

	free(path);
	path = tmp_path("no-such-apikey.txt");
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK_CONTAINS(cause, strerror(ENOENT));
	CHECK_CONTAINS(cause, path);
	free(cause);
	CHECK_INT_EQ(apikey_read(path, &key, &secret, NULL), -1);
	free(path);

	path = tmp_path("adir");
	CHECK_INT_EQ(apikey_read(path, &key, &secret, &cause), -1);
	CHECK_CONTAINS(cause, strerror(EISDIR));
	free(cause);
	free(path);
}

static void test_default_path(void)
{
	char *old_xdg = getenv("XDG_CONFIG_HOME") ? xstrdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *p, *want = xasprintf("%s/.config/carptop/config.yaml", tmpdir);

	setenv("XDG_CONFIG_HOME", "/etc/xdg-test", 1);
	p = config_default_path();
	CHECK_STR_EQ(p, "/etc/xdg-test/carptop/config.yaml");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative/dir", 1); /* ignored, as the XDG spec says */
	p = config_default_path();
	CHECK_STR_EQ(p, want);
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	CHECK_STR_EQ(p, want);
	free(p);
	if (old_xdg)
		setenv("XDG_CONFIG_HOME", old_xdg, 1);
	free(old_xdg);
	free(want);
}

static void test_demo_and_names(void)
{
	struct config c;
	config_demo(&c);
	CHECK_STR_EQ(c.path, "(demo)");
	CHECK(c.interval == 2);
	CHECK_STR_EQ(c.theme, "default");
	CHECK_INT_EQ(c.n_clusters, 1);
	CHECK_STR_EQ(c.clusters[0].name, "demo");
	CHECK(c.clusters[0].interval == 2);
	CHECK_STR_EQ(c.clusters[0].nodes[0].name, "fw1");
	CHECK_INT_EQ(c.clusters[0].nodes[0].role, ROLE_PRIMARY);
	CHECK_INT_EQ(c.clusters[0].nodes[0].transport, TRANSPORT_SIM);
	CHECK_STR_EQ(c.clusters[0].nodes[1].name, "fw2");
	CHECK_INT_EQ(c.clusters[0].nodes[1].role, ROLE_SECONDARY);
	CHECK_INT_EQ(c.clusters[0].nodes[1].transport, TRANSPORT_SIM);
	config_free(&c);
	CHECK(config_is_zero(&c));

	{
		const char *names[] = { "healthy", "split-brain", "healthy" };
		config_demo_scenarios(&c, names, 3);
		CHECK_INT_EQ(c.n_clusters, 3);
		CHECK_STR_EQ(c.clusters[0].name, "healthy");
		CHECK_STR_EQ(c.clusters[1].name, "split-brain");
		CHECK_STR_EQ(c.clusters[2].name, "healthy-2");
		CHECK_STR_EQ(cluster_sim_scenario(&c.clusters[1]), "split-brain");
		CHECK_INT_EQ(c.clusters[2].nodes[1].transport, TRANSPORT_SIM);
		config_free(&c);
	}

	CHECK_STR_EQ(transport_name(TRANSPORT_API), "api");
	CHECK_STR_EQ(transport_name(TRANSPORT_SSH), "ssh");
	CHECK_STR_EQ(transport_name(TRANSPORT_SIM), "sim");
	CHECK_STR_EQ(node_role_name(ROLE_PRIMARY), "primary");
	CHECK_STR_EQ(node_role_name(ROLE_SECONDARY), "secondary");
}

/* api.connections left out: 3 for a few pairs, 1 per node past
 * CONFIG_CONNECTIONS_FLEET API nodes; a value written out always wins. */
static void test_connections_by_fleet(void)
{
	static const size_t fleets[] = { 1, CONFIG_CONNECTIONS_FLEET / 2, CONFIG_CONNECTIONS_FLEET / 2 + 1 };
	size_t f, i;
	for (f = 0; f < ARRAY_LEN(fleets); f++) {
		struct strbuf sb;
		struct config c;
		char *cause = NULL;
		int want = fleets[f] * 2 > CONFIG_CONNECTIONS_FLEET ? 1 : CONFIG_CONNECTIONS_SMALL;
		sb_init(&sb);
		sb_add(&sb, "clusters:\n");
		for (i = 0; i < fleets[f]; i++) {
			sb_printf(&sb, "  - name: c%zu\n    nodes:\n", i);
			sb_add(&sb, API_NODE("fw1", "primary"));
			/* The last pair's secondary names its own number. */
			sb_add(&sb, i + 1 == fleets[f] ? API_NODE("fw2", "secondary") "          connections: 2\n"
						    : API_NODE("fw2", "secondary"));
		}
		CHECK_INT_EQ(load_str(sb.buf, &c, &cause), 0);
		if (!cause) {
			CHECK_INT_EQ(c.clusters[0].nodes[0].api.connections, want);
			CHECK_INT_EQ(c.clusters[fleets[f] - 1].nodes[0].api.connections, want);
			CHECK_INT_EQ(c.clusters[fleets[f] - 1].nodes[1].api.connections, 2);
			/* Descriptors: each node's connections, an action's and the
			 * config download's, and the spare. */
			CHECK_INT_EQ((int)config_fds_needed(&c),
				     CONFIG_FDS_SPARE + (int)(fleets[f] * 2 - 1) * (want + 2) + (2 + 2));
			config_free(&c);
		}
		free(cause);
		sb_free(&sb);
	}
}

int main(void)
{
	char *dir;
	config_sim_scenario_known = sim_scenario_known; /* as the program does */
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	setenv("HOME", tmpdir, 1);
	write_file("fw1.key", "key=k\nsecret=s\n", 0600);
	write_file("id_test", "not really a key\n", 0600);
	write_file("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	write_file("open.key", "key=k\nsecret=s\n", 0644);
	write_file("other.key", "key=k\nsecret=s\n", 0604);
	write_file("id_group", "not really a key\n", 0640);
	dir = tmp_path("adir");
	mkdir(dir, 0700);
	free(dir);

	RUN(test_full_string);
	RUN(test_full_file);
	RUN(test_relative_path);
	RUN(test_defaults);
	RUN(test_inherit_late_globals);
	RUN(test_booleans);
	RUN(test_durations);
	RUN(test_recording_keys);
	RUN(test_stream_key);
	RUN(test_carp_interval_key);
	RUN(test_example);
	RUN(test_err_file);
	RUN(test_err_syntax);
	RUN(test_err_structure);
	RUN(test_err_unknown_key);
	RUN(test_err_type);
	RUN(test_err_missing);
	RUN(test_err_bad_value);
	RUN(test_err_duplicates);
	RUN(test_err_pair);
	RUN(test_err_transport);
	RUN(test_sim_nodes);
	RUN(test_err_secret_files);
	RUN(test_robust);
	RUN(test_connections_by_fleet);
	RUN(test_depth_limit);
	RUN(test_apikey);
	RUN(test_default_path);
	RUN(test_demo_and_names);

	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return test_done();
}
