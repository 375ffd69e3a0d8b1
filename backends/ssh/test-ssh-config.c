/* Unit tests of ssh_config.c: the built-in ~/.ssh/config reader fed the
 * files in tests/fixtures/ssh-config (Host patterns and negation, first
 * value wins, Include at the top and inside a Host block, HostName %h,
 * ProxyJump/ProxyCommand exclusion, Match), the %-tokens, ProxyJump specs,
 * and — when the OpenSSH client is installed — `ssh -G` on the same files
 * giving the same answers as the built-in reader. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_config.h"
#include "testlib.h"
#include "util.h"

#define CFG_DIR FIXTURES_DIR "/ssh-config"

struct want {
	const char *alias, *hostname, *user;
	int port;
	const char *id0, *id1, *jump, *command;
};

/* What the fixture config says for each alias. */
static const struct want wants[] = {
	/* conf.d/10-first.conf (Included first) gives fw1 its port. */
	{ "fw1", "10.0.0.fw1.example", "admin", 2201, "~/.ssh/id_fw", "~/.ssh/id_fw_second", "jump@bastion:2200", NULL },
	/* Two Host blocks match: the first User wins. */
	{ "fw2", "10.0.0.fw2.example", "admin", 2202, "~/.ssh/id_fw", "~/.ssh/id_fw_second", "jump@bastion:2200", NULL },
	{ "a.lab", "a.lab", "labuser", 2200, NULL, NULL, "fallback-bastion", NULL },
	/* Negated: *.lab does not apply, Host * does. */
	{ "fw3.lab", "fw3.lab", "everyone", 2222, NULL, NULL, "fallback-bastion", NULL },
	{ "bastion", "192.0.2.1", "everyone", 2222, "%d/.ssh/id_%r_%h", NULL, "fallback-bastion", NULL },
	/* ProxyCommand came first: the later ProxyJump (and Host *'s) do not count. */
	{ "proxied", "proxied", "everyone", 2222, NULL, NULL, NULL, "ssh -W %h:%p gateway" },
	/* ProxyJump none blocks Host *'s fallback. */
	{ "direct", "direct", "everyone", 2222, NULL, NULL, NULL, NULL },
	{ "quoted", "quoted.example", "everyone", 2222, NULL, NULL, "fallback-bastion", NULL },
	/* The Include inside "Host included" reaches conf.d/nested/deep.conf. */
	{ "included", "included.example", "nested", 2222, NULL, NULL, "fallback-bastion", NULL },
};

static void check_want(const struct want *w, const struct sshcfg *c)
{
	CHECK_STR_EQ(c->hostname, w->hostname);
	CHECK_STR_EQ(c->user ? c->user : "(unset)", w->user ? w->user : "(unset)");
	CHECK_INT_EQ(c->port, w->port);
	CHECK_INT_EQ(c->n_identity, w->id1 ? 2 : w->id0 ? 1 : 0);
	if (c->n_identity > 0 && w->id0)
		CHECK_STR_EQ(c->identity[0], w->id0);
	if (c->n_identity > 1 && w->id1)
		CHECK_STR_EQ(c->identity[1], w->id1);
	CHECK_STR_EQ(c->proxyjump ? c->proxyjump : "(unset)", w->jump ? w->jump : "(unset)");
	CHECK_STR_EQ(c->proxycommand ? c->proxycommand : "(unset)", w->command ? w->command : "(unset)");
}

static void test_builtin(void)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(wants); i++) {
		struct sshcfg c;
		char *cause = NULL;
		test_current = wants[i].alias;
		/* The fixture directory stands in for ~/.ssh (relative Include). */
		if (sshcfg_read(wants[i].alias, CFG_DIR "/config", NULL, CFG_DIR, &c, &cause) < 0) {
			printf("# %s\n", cause);
			CHECK(0);
			free(cause);
			continue;
		}
		check_want(&wants[i], &c);
		sshcfg_free(&c);
	}
	test_current = "an alias nothing names: only Host * applies";
	{
		struct sshcfg c;
		char *cause = NULL;
		CHECK_INT_EQ(sshcfg_read("10.9.9.9", CFG_DIR "/config", NULL, CFG_DIR, &c, &cause), 0);
		CHECK_STR_EQ(c.hostname, "10.9.9.9");
		CHECK_STR_EQ(c.user, "everyone");
		sshcfg_free(&c);
		/* No file at all: nothing set. */
		CHECK_INT_EQ(sshcfg_read("fw1", CFG_DIR "/missing", NULL, CFG_DIR, &c, &cause), 0);
		CHECK_STR_EQ(c.hostname, "fw1");
		CHECK(c.user == NULL && c.port == 0 && c.n_identity == 0 && !c.proxyjump);
		sshcfg_free(&c);
	}
	test_current = "the system file comes after the user file";
	{
		struct sshcfg c;
		char *cause = NULL;
		CHECK_INT_EQ(sshcfg_read("a.lab", CFG_DIR "/missing", CFG_DIR "/config", CFG_DIR, &c, &cause), 0);
		CHECK_STR_EQ(c.user, "labuser");
		sshcfg_free(&c);
	}
}

static void test_match(void)
{
	struct sshcfg c;
	char *cause = NULL;
	test_current = "Match all applies; other Match criteria are refused by name";
	CHECK_INT_EQ(sshcfg_read("x", CFG_DIR "/match.config", NULL, CFG_DIR, &c, &cause), -1);
	CHECK(cause && strstr(cause, "match.config:5: Match host needs OpenSSH's own reader"));
	CHECK(cause && strstr(cause, "install the OpenSSH client"));
	free(cause);
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_errors(void)
{
	char dir[] = "/tmp/carptop-test-sshcfg-XXXXXX";
	char *p, *cause = NULL;
	struct sshcfg c;
	CHECK(mkdtemp(dir) != NULL);

	test_current = "a bad Port names file and line";
	p = write_tmp(dir, "badport", "Host *\n  Port 70000\n");
	CHECK_INT_EQ(sshcfg_read("fw1", p, NULL, dir, &c, &cause), -1);
	CHECK(cause && strstr(cause, "badport:2: Port '70000' is not a port 1..65535"));
	free(cause);
	cause = NULL;
	free(p);

	test_current = "an Include loop stops at the nesting limit";
	p = write_tmp(dir, "loop", "Include loop\n");
	CHECK_INT_EQ(sshcfg_read("fw1", p, NULL, dir, &c, &cause), -1);
	CHECK(cause && strstr(cause, "Include nested more than"));
	free(cause);
	cause = NULL;
	free(p);

	test_current = "HostName takes %h and %% only";
	p = write_tmp(dir, "hosttok", "HostName %r.example\n");
	CHECK_INT_EQ(sshcfg_read("fw1", p, NULL, dir, &c, &cause), -1);
	CHECK(cause && strstr(cause, "hosttok:1: HostName may use only"));
	free(cause);
	cause = NULL;
	free(p);

	test_current = "an unbalanced quote";
	p = write_tmp(dir, "quote", "Host \"fw1\n");
	CHECK_INT_EQ(sshcfg_read("fw1", p, NULL, dir, &c, &cause), -1);
	CHECK(cause && strstr(cause, "quote:1: unbalanced quote"));
	free(cause);
	cause = NULL;
	free(p);

	test_current = "%% and = in the files";
	p = write_tmp(dir, "pct", "Host fw1\n  HostName=100%%.%h\n");
	CHECK_INT_EQ(sshcfg_read("fw1", p, NULL, dir, &c, &cause), 0);
	CHECK_STR_EQ(c.hostname, "100%.fw1");
	sshcfg_free(&c);
	free(p);

	p = xasprintf("rm -rf '%s'", dir);
	CHECK_INT_EQ(system(p), 0);
	free(p);
}

static void test_tokens(void)
{
	struct sshcfg_tokens t = { .host = "10.0.0.2", .alias = "fw1", .user = "root", .port = 2202 };
	char *cause = NULL, *s, *want;
	const char *home = getenv("HOME");

	test_current = "tokens";
	s = sshcfg_expand("%%h=%h %n %r %p", &t, true, &cause);
	CHECK_STR_EQ(s, "%h=10.0.0.2 fw1 root 2202");
	free(s);
	s = sshcfg_expand("~/.ssh/id_%n", &t, true, &cause);
	CHECK(s && s[0] == '/' && strstr(s, "/.ssh/id_fw1"));
	(void)home;
	free(s);
	s = sshcfg_expand("~/x", &t, false, &cause); /* ProxyCommand: no ~ */
	CHECK_STR_EQ(s, "~/x");
	free(s);
	s = sshcfg_expand("%d/k", &t, true, &cause);
	want = sshcfg_expand("~/k", &t, true, &cause);
	CHECK_STR_EQ(s, want);
	free(s);
	free(want);
	t.port = 0;
	s = sshcfg_expand("%p", &t, true, &cause);
	CHECK_STR_EQ(s, "22");
	free(s);
	CHECK(sshcfg_expand("id_%C", &t, true, &cause) == NULL);
	CHECK(cause && strstr(cause, "unsupported token %C in 'id_%C'"));
	free(cause);
	cause = NULL;
	CHECK(sshcfg_expand("id_%", &t, true, &cause) == NULL);
	CHECK(cause && strstr(cause, "lone %"));
	free(cause);
}

static void test_jump(void)
{
	char *user, *host, *cause = NULL;
	int port;

	test_current = "ProxyJump specs";
	CHECK_INT_EQ(sshcfg_parse_jump("jump@bastion:2200", &user, &host, &port, &cause), 0);
	CHECK_STR_EQ(user, "jump");
	CHECK_STR_EQ(host, "bastion");
	CHECK_INT_EQ(port, 2200);
	free(user);
	free(host);
	CHECK_INT_EQ(sshcfg_parse_jump("bastion", &user, &host, &port, &cause), 0);
	CHECK(user == NULL && port == 0);
	CHECK_STR_EQ(host, "bastion");
	free(host);
	CHECK_INT_EQ(sshcfg_parse_jump("ssh://a@[fd00::1]:22", &user, &host, &port, &cause), 0);
	CHECK_STR_EQ(user, "a");
	CHECK_STR_EQ(host, "fd00::1");
	CHECK_INT_EQ(port, 22);
	free(user);
	free(host);
	CHECK_INT_EQ(sshcfg_parse_jump("a,b", &user, &host, &port, &cause), -1);
	CHECK(cause && strstr(cause, "more than one hop"));
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(sshcfg_parse_jump("bastion:99999", &user, &host, &port, &cause), -1);
	CHECK(cause && strstr(cause, "is not [user@]host[:port]"));
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(sshcfg_parse_jump("@bastion", &user, &host, &port, &cause), -1);
	free(cause);
}

/* OpenSSH's own reader on a copy of the fixtures with absolute Include
 * paths (ssh takes relative ones from the real ~/.ssh): the same answers. */
static void test_ssh_g(void)
{
	char dir[] = "/tmp/carptop-test-sshg-XXXXXX";
	char *ssh = sshcfg_find_ssh(), *cmd, *cfg;
	size_t i;

	test_current = "ssh -G agrees with the built-in reader";
	if (!ssh) {
		printf("# no OpenSSH client on PATH: ssh -G not compared\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	cmd = xasprintf("cp -r '%s/.' '%s/' && sed -i 's|Include conf.d|Include %s/conf.d|' '%s/config' "
			"'%s/conf.d/10-first.conf'", CFG_DIR, dir, dir, dir, dir);
	CHECK_INT_EQ(system(cmd), 0);
	free(cmd);
	cfg = xasprintf("%s/config", dir);
	for (i = 0; i < ARRAY_LEN(wants); i++) {
		struct sshcfg g, b;
		char *cause = NULL;
		test_current = wants[i].alias;
		if (sshcfg_from_ssh(ssh, wants[i].alias, cfg, 10, &g, &cause) < 0) {
			printf("# %s\n", cause);
			CHECK(0);
			free(cause);
			continue;
		}
		check_want(&wants[i], &g);
		CHECK_INT_EQ(sshcfg_read(wants[i].alias, cfg, NULL, "/nonexistent", &b, &cause), 0);
		check_want(&wants[i], &b);
		sshcfg_free(&g);
		sshcfg_free(&b);
	}
	test_current = "ssh -G: a broken config is ssh's own message";
	{
		struct sshcfg g;
		char *cause = NULL, *bad = write_tmp(dir, "bad", "Host *\n  NoSuchOption yes\n");
		CHECK_INT_EQ(sshcfg_from_ssh(ssh, "fw1", bad, 10, &g, &cause), -1);
		CHECK(cause && strstr(cause, "-G fw1 failed") && strstr(cause, "line 2: Bad configuration option"));
		free(cause);
		free(bad);
		/* Nothing set: nothing reported (OpenSSH's defaults are not values). */
		CHECK_INT_EQ(sshcfg_from_ssh(ssh, "10.1.2.3", "/dev/null", 10, &g, &cause), 0);
		CHECK_STR_EQ(g.hostname, "10.1.2.3");
		CHECK(g.user == NULL && g.port == 0 && g.n_identity == 0 && !g.proxyjump && !g.proxycommand);
		sshcfg_free(&g);
	}
	cmd = xasprintf("rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	free(cmd);
	free(cfg);
	free(ssh);
}

int main(void)
{
	test_builtin();
	test_match();
	test_errors();
	test_tokens();
	test_jump();
	test_ssh_g();
	return test_done();
}
