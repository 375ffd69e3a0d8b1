/* Unit tests of the console's local-trust path (app_node_passphrase,
 * app_node_accept_hostkey over struct backend_trust_ops): a node whose
 * transport has the hooks gets the passphrase and a retry, the change is
 * audited without the secret, and the node is polled again; read-only mode
 * and a transport without hooks refuse with a reason and call nothing. The
 * simulator stands in for the transport, with test hooks put on its ops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "backend.h"
#include "sim/sim_world.h"
#include "testlib.h"
#include "util.h"

static int set_calls, retry_calls, accept_calls;
static char got_pass[64];

static bool t_needs(const struct backend *b)
{
	(void)b;
	return true;
}
static void t_set(struct backend *b, const char *p)
{
	(void)b;
	set_calls++;
	str_copy(got_pass, p ? p : "", sizeof(got_pass));
}
static void t_retry(struct backend *b)
{
	(void)b;
	retry_calls++;
}
static int t_accept(struct backend *b, char **cause)
{
	(void)b;
	(void)cause;
	accept_calls++;
	return 0;
}
static const struct backend_trust_ops trust = {
	.needs_passphrase = t_needs, .set_passphrase = t_set, .retry_now = t_retry, .accept_hostkey = t_accept,
};
static struct backend_ops with_trust;

struct fixture {
	struct config cfg;
	struct loop *loop;
	struct sim_world *w;
	struct app a;
};

static void setup(struct fixture *f, bool read_only)
{
	char *cause = NULL;
	memset(f, 0, sizeof(*f));
	config_demo(&f->cfg);
	f->loop = loop_new();
	f->w = sim_world_new("healthy", 1, 1, &cause);
	CHECK(app_init(&f->a, &f->cfg, f->loop, f->w, NULL, read_only, &cause) == 0);
	/* Node 0 gets the hooks; node 1 stays a transport without them. */
	with_trust = *f->a.clusters[0].node[0].backend->ops;
	with_trust.trust = &trust;
	f->a.clusters[0].node[0].backend->ops = &with_trust;
	set_calls = retry_calls = accept_calls = 0;
	got_pass[0] = '\0';
}

static void teardown(struct fixture *f)
{
	app_free(&f->a);
	sim_world_free(f->w);
	loop_free(f->loop);
	config_free(&f->cfg);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct strbuf sb;
	char buf[512];
	size_t n;
	sb_init(&sb);
	if (!fp)
		return xstrdup("");
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_addn(&sb, buf, n);
	fclose(fp);
	return sb.buf ? sb_steal(&sb) : xstrdup("");
}

static void test_passphrase(void)
{
	struct fixture f;
	char *cause = NULL, *path, *log;
	unsigned polls;
	setup(&f, false);
	polls = f.a.clusters[0].node[0].polls;
	CHECK(backend_needs_passphrase(f.a.clusters[0].node[0].backend));
	CHECK(!backend_needs_passphrase(f.a.clusters[0].node[1].backend));
	CHECK_INT_EQ(app_node_passphrase(&f.a, 0, 0, "s3cret-words", &cause), 0);
	CHECK_INT_EQ(set_calls, 1);
	CHECK_INT_EQ(retry_calls, 1);
	CHECK_STR_EQ(got_pass, "s3cret-words");
	/* Polled again at once: the answer comes from the loop. */
	loop_run_once(f.loop, 200);
	loop_run_once(f.loop, 200);
	CHECK(f.a.clusters[0].node[0].polls > polls);
	path = audit_path();
	log = slurp(path);
	CHECK(strstr(log, "ssh-passphrase") != NULL);
	CHECK(strstr(log, "s3cret-words") == NULL);
	free(log);
	free(path);
	/* A transport without the hooks: refused, with the reason. */
	CHECK_INT_EQ(app_node_passphrase(&f.a, 0, 1, "x", &cause), -1);
	CHECK(cause && strstr(cause, "not an ssh node"));
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(app_node_accept_hostkey(&f.a, 0, 0, "fw1 offers ED25519 key SHA256:abc", &cause), 0);
	CHECK_INT_EQ(accept_calls, 1);
	path = audit_path();
	log = slurp(path);
	CHECK(strstr(log, "ssh-hostkey") != NULL && strstr(log, "SHA256:abc") != NULL);
	free(log);
	free(path);
	teardown(&f);
}

static void test_read_only(void)
{
	struct fixture f;
	char *cause = NULL;
	setup(&f, true);
	CHECK_INT_EQ(app_node_passphrase(&f.a, 0, 0, "s3cret-words", &cause), -1);
	CHECK(cause && strstr(cause, "read-only"));
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(app_node_accept_hostkey(&f.a, 0, 0, "offer", &cause), -1);
	CHECK(cause && strstr(cause, "read-only"));
	free(cause);
	cause = NULL;
	/* Below the app too: the backend itself refuses when read-only. */
	CHECK_INT_EQ(backend_set_passphrase(f.a.clusters[0].node[0].backend, "p", &cause), -1);
	CHECK(cause && strstr(cause, "read-only"));
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(backend_accept_hostkey(f.a.clusters[0].node[0].backend, &cause), -1);
	free(cause);
	CHECK_INT_EQ(set_calls + retry_calls + accept_calls, 0);
	teardown(&f);
}

int main(void)
{
	char dir[] = "/tmp/carptop-trust-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	setenv("XDG_STATE_HOME", dir, 1);
	test_passphrase();
	test_read_only();
	{
		char cmd[128];
		str_printf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return test_done();
}
