/* The ssh transport against real sshd processes, one per emulated node, on
 * loopback. Each node's login runs through an opnsense-shell stand-in
 * (ForceCommand) that execs `csh -c "<command>"` as OPNsense does, with shim
 * commands (ifconfig, pfctl, sysctl, configctl, opnsense-version, stat, cat)
 * that answer from carpsim's control-server API (served here by fakectl.py
 * from tests/ssh/fixtures until carpsim takes over). Host and client keys are
 * made per run with ssh-keygen.
 *
 * The backend is driven exactly as carptop drives it: through backend_new()
 * and the one event loop. One group per run (argv[1]): healthy, hostkeys,
 * auth, faults, jump (ssh config aliases, a ProxyJump bastion: a sshd of
 * its own) (against fakectl.py and the fixtures), and carpsim (the same
 * shims against the live emulator named by $CARPSIM); each sets up its own
 * nodes in its own temporary directory.
 * sshd needs root: without it the test reports SKIP. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "loop.h"
#include "ssh/ssh_backend.h"
#include "testlib.h"
#include "util.h"

#ifndef SSH_TEST_DIR
#define SSH_TEST_DIR "tests/ssh"
#endif

#define PASSPHRASE "correct horse battery"

struct tnode {
	int index;          /* node index in the emulated pair 0 */
	char dir[512];
	char log[600];
	int port;
	pid_t pid;
	char kh_line[256];  /* "[127.0.0.1]:PORT ssh-ed25519 AAAA..." */
};

static struct {
	char tmp[64];
	char ctl_url[64];
	pid_t ctl_pid, agent_pid;
	struct tnode *nodes[8];
	int n_nodes;
	struct loop *loop;
} H;

/* ------------------------------------------------------------------ */
/* Processes and files                                                  */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;
	va_start(ap, fmt);
	cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		printf("# command failed (%d): %s\n", rc, cmd);
	free(cmd);
	return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static char *sh_out(const char *cmd)
{
	struct strbuf sb;
	char buf[1024];
	size_t n;
	FILE *p = popen(cmd, "r");
	sb_init(&sb);
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_addn(&sb, buf, n);
	if (p)
		pclose(p);
	return sb_steal(&sb);
}

static char *slurp(const char *path)
{
	char *t = test_read_file(path, NULL);
	return t ? t : xstrdup("");
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("# cannot write %s\n", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The part of a log written since `mark` (a size taken earlier). */
static char *log_since(const char *path, long mark)
{
	char *all = slurp(path), *out;
	long len = (long)strlen(all);
	out = xstrdup(mark < len ? all + mark : "");
	free(all);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	const char *p = hay;
	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
		int nul = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Every process below `root` (sshd forks one per connection and the
 * session's shell below that; they do not share a process group). */
static void kill_descendants(pid_t root, int sig)
{
	int round;
	for (round = 0; round < 20; round++) {
		pid_t kids[4096];
		int nk = 0, i, found = 0;
		pid_t todo[4096];
		int nt = 0;
		DIR *d = opendir("/proc");
		struct dirent *e;
		struct {
			pid_t pid, ppid;
		} all[8192];
		int na = 0;
		while (d && (e = readdir(d)) && na < (int)ARRAY_LEN(all)) {
			char path[300], buf[512], *rp;
			FILE *f;
			long pid = strtol(e->d_name, &rp, 10);
			if (*rp || pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')'))) {
				char state;
				int ppid;
				if (sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && state != 'Z') {
					all[na].pid = (pid_t)pid;
					all[na].ppid = (pid_t)ppid;
					na++;
				}
			}
			fclose(f);
		}
		if (d)
			closedir(d);
		todo[nt++] = root;
		while (nt > 0) {
			pid_t p = todo[--nt];
			for (i = 0; i < na; i++) {
				if (all[i].ppid == p && nk < (int)ARRAY_LEN(kids) && nt < (int)ARRAY_LEN(todo)) {
					kids[nk++] = all[i].pid;
					todo[nt++] = all[i].pid;
				}
			}
		}
		for (i = 0; i < nk; i++) {
			kill(kids[i], sig);
			found++;
		}
		if (!found)
			return;
		usleep(50 * 1000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Run the loop for ms milliseconds (backoff waits). */
static void run_for(double ms)
{
	double t0 = now_ms();
	while (now_ms() - t0 < ms)
		loop_run_once(H.loop, 20);
}

/* ------------------------------------------------------------------ */
/* Nodes                                                                */

static void sshd_start(struct tnode *n)
{
	char cfg[600], listening[80];
	char *argv[] = { "/usr/sbin/sshd", "-D", "-e", "-f", cfg, NULL };
	long mark = file_size(n->log);
	double t0 = now_ms();

	snprintf(cfg, sizeof(cfg), "%s/sshd_config", n->dir);
	snprintf(listening, sizeof(listening), "Server listening on 127.0.0.1 port %d", n->port);
	n->pid = spawn(argv, n->log);
	while (now_ms() - t0 < 10000) {
		char *l = log_since(n->log, mark);
		int up = strstr(l, listening) != NULL;
		free(l);
		if (up)
			return;
		usleep(20 * 1000);
	}
	printf("# sshd for node %d did not start; its log:\n", n->index);
	{
		char *l = slurp(n->log);
		printf("# %s\n", l);
		free(l);
	}
}

/* Shims of a session that was dropped live on, reparented (a hanging one
 * sleeps): find them by the node's directory, which is unique to this run,
 * in their command line, and end them with their children. */
static void kill_node_strays(const struct tnode *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], buf[4096];
		char *rp;
		long pid = strtol(e->d_name, &rp, 10);
		size_t len, i;
		FILE *f;
		if (*rp || pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (i = 0; i < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[len] = '\0';
		if (strstr(buf, n->dir)) {
			kill_descendants((pid_t)pid, SIGKILL);
			kill((pid_t)pid, SIGKILL);
		}
	}
	if (d)
		closedir(d);
}

/* Stop the listener and every session it forked. */
static void sshd_stop(struct tnode *n)
{
	if (n->pid > 0) {
		kill_descendants(n->pid, SIGKILL);
		kill(n->pid, SIGTERM);
		waitpid(n->pid, NULL, 0);
		n->pid = 0;
	}
	kill_node_strays(n);
}

static void hostkey_make(struct tnode *n)
{
	char *pub, *path = xasprintf("%s/host_ed25519_key", n->dir), *sp;
	sh("rm -f '%s' '%s.pub' && ssh-keygen -q -t ed25519 -N '' -C carptop-test-host -f '%s'", path, path, path);
	pub = xasprintf("%s.pub", path);
	free(path);
	path = slurp(pub);
	free(pub);
	/* "ssh-ed25519 AAAA... comment" -> keep the first two words */
	sp = strchr(path, ' ');
	if (sp)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = '\0';
	path[strcspn(path, "\n")] = '\0';
	snprintf(n->kh_line, sizeof(n->kh_line), "[127.0.0.1]:%d %s", n->port, path);
	free(path);
}

/* ssh-keygen's own fingerprint of the node's host key. */
static char *hostkey_fingerprint(const struct tnode *n)
{
	char *cmd = xasprintf("ssh-keygen -l -E sha256 -f '%s/host_ed25519_key.pub'", n->dir);
	char *out = sh_out(cmd), *fp = strstr(out, "SHA256:"), *res;
	free(cmd);
	if (!fp) {
		free(out);
		return xstrdup("(no fingerprint)");
	}
	fp[strcspn(fp, " \n")] = '\0';
	res = xstrdup(fp);
	free(out);
	return res;
}

static struct tnode *node_setup(int index, bool with_pfctl)
{
	static const char *const shims[] = { "_ctl.sh", "ifconfig", "pfctl", "sysctl", "configctl",
					     "opnsense-version", "stat", "cat", "date", "grep", "opnsense-shell", "php" };
	struct tnode *n = xcalloc(1, sizeof(*n));
	char *text;
	size_t i;

	n->index = index;
	n->port = free_port();
	snprintf(n->dir, sizeof(n->dir), "%s/node%d", H.tmp, index);
	snprintf(n->log, sizeof(n->log), "%s/sshd.log", n->dir);
	sh("mkdir -p '%s/shims'", n->dir);
	for (i = 0; i < ARRAY_LEN(shims); i++) {
		if (!with_pfctl && strcmp(shims[i], "pfctl") == 0)
			continue; /* a node without pfctl: "command missing" */
		sh("cp '%s/shims/%s' '%s/shims/%s' && chmod 755 '%s/shims/%s'", SSH_TEST_DIR, shims[i], n->dir,
		   shims[i], n->dir, shims[i]);
	}
	hostkey_make(n);
	/* The php shim runs the real PHP CLI against the MVC stub, with the
	 * node's own /tmp (tests/ssh/phpstub/README.md). */
	text = xasprintf("CARPSIM_CTL=%s\nCARPSIM_PAIR=0\nCARPSIM_NODE=%d\nCARPSIM_FAULTS=%s/faults\n"
			 "CARPSIM_SHIM_LOG=%s/shim.log\nSHIMS=%s/shims\nCARPSIM_NODE_TMP=%s/tmp\n"
			 "CARPSIM_PHPSTUB=%s/phpstub\n",
			 H.ctl_url, index, n->dir, n->dir, n->dir, n->dir, SSH_TEST_DIR);
	{
		char *p = xasprintf("%s/node.env", n->dir);
		spit(p, text);
		free(p);
	}
	free(text);
	text = xasprintf("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_ed25519_key\nPidFile %s/sshd.pid\n"
			 "AuthorizedKeysFile %s/authorized_keys\nStrictModes no\nPermitRootLogin prohibit-password\n"
			 "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
			 "UsePAM no\nUseDNS no\nPrintMotd no\nLogLevel VERBOSE\nMaxAuthTries 6\n"
			 /* sshd runs the ForceCommand through root's login shell. With
			  * SHLVL set, bash does not source root's ~/.bashrc for ssh
			  * sessions, so the test machine's shell setup (and e.g. a
			  * pyenv rehash lock left by a session a fault test killed)
			  * cannot stall a login: the node is what the shims make it. */
			 "SetEnv SHLVL=1\n"
			 "ForceCommand %s/shims/opnsense-shell %s/node.env\n",
			 n->port, n->dir, n->dir, H.tmp, n->dir, n->dir);
	{
		char *p = xasprintf("%s/sshd_config", n->dir);
		spit(p, text);
		free(p);
	}
	free(text);
	H.nodes[H.n_nodes++] = n;
	sshd_start(n);
	return n;
}

static void faults_set(const struct tnode *n, const char *text)
{
	char *p = xasprintf("%s/faults", n->dir);
	spit(p, text);
	free(p);
}

static char *shim_log(const struct tnode *n)
{
	char *p = xasprintf("%s/shim.log", n->dir), *t = slurp(p);
	free(p);
	return t;
}

static char *ctl_log(void)
{
	char *p = xasprintf("%s/ctl.log", H.tmp), *t = slurp(p);
	free(p);
	return t;
}

/* known_hosts with these nodes; `hashed` nodes written as ssh-keygen -H does. */
static char *known_hosts(const char *name, struct tnode *plain, struct tnode *hashed)
{
	char *path = xasprintf("%s/%s", H.tmp, name);
	struct strbuf sb;
	sb_init(&sb);
	if (plain)
		sb_printf(&sb, "# carptop test\n%s\n", plain->kh_line);
	if (hashed) {
		char *tmp = xasprintf("%s/%s.tohash", H.tmp, name), *h;
		spit(tmp, hashed->kh_line);
		sh("ssh-keygen -H -f '%s' >/dev/null 2>&1", tmp);
		h = slurp(tmp);
		CHECK(str_starts(h, "|1|"));
		sb_add(&sb, h);
		free(h);
		free(tmp);
	}
	spit(path, sb.buf ? sb.buf : "");
	sb_free(&sb);
	return path;
}

/* ------------------------------------------------------------------ */
/* Driving the backend                                                  */

static struct {
	bool got_snap, got_act;
	struct snapshot snap;
	struct action_result res;
} R;

static void on_snap(struct backend *b, const struct snapshot *s, void *ctx)
{
	(void)b, (void)ctx;
	snapshot_copy(&R.snap, s);
	R.got_snap = true;
}

static void on_act(struct backend *b, const struct action *a, const struct action_result *r, void *ctx)
{
	(void)b, (void)a, (void)ctx;
	R.res = *r;
	R.got_act = true;
}

static struct {
	bool got;
	char *xml;     /* a copy of what on_config handed over, NULL: failed */
	size_t len;
} RCFG;

static void on_cfg(struct backend *b, const char *xml, size_t len, void *ctx)
{
	(void)b, (void)ctx;
	free(RCFG.xml);
	RCFG.xml = xml ? xstrndup(xml, len) : NULL;
	RCFG.len = len;
	RCFG.got = true;
}

/* One config_start, run to its on_config. */
static void config_now(struct backend *b)
{
	double t0 = now_ms();
	RCFG.got = false;
	free(RCFG.xml);
	RCFG.xml = NULL;
	RCFG.len = 0;
	if (backend_config(b) < 0) {
		printf("# config read not started\n");
		return;
	}
	CHECK_INT_EQ(backend_config(b), -1); /* one read at a time */
	while (!RCFG.got && now_ms() - t0 < 20000)
		loop_run_once(H.loop, 50);
	if (!RCFG.got)
		printf("# no config.xml within 20 s\n");
}

static struct node_conf *conf_make(const char *name, enum node_role role, int port, const char *identity,
				   const char *kh, bool tofu, bool agent, double timeout)
{
	struct node_conf *c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->role = role;
	c->transport = TRANSPORT_SSH;
	c->ssh.host = xstrdup("127.0.0.1");
	c->ssh.port = port;
	c->ssh.user = xstrdup("root");
	c->ssh.identity_file = identity ? xstrdup(identity) : NULL;
	c->ssh.known_hosts = xstrdup(kh);
	c->ssh.agent = agent;
	c->ssh.trust_on_first_use = tofu;
	c->ssh.timeout = timeout;
	return c;
}

static void conf_free(struct node_conf *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->ssh.host);
	free(c->ssh.user);
	free(c->ssh.identity_file);
	free(c->ssh.known_hosts);
	free(c);
}

static struct backend *backend_make(const struct node_conf *c)
{
	char *cause = NULL;
	struct backend *b = backend_new(c, H.loop, &cause);
	if (!b) {
		printf("# backend_new: %s\n", cause ? cause : "?");
		free(cause);
		return NULL;
	}
	b->on_snapshot = on_snap;
	b->on_action = on_act;
	b->on_config = on_cfg;
	return b;
}

static void show(const struct snapshot *s)
{
	int i;
	printf("# reachable=%d err=%s error=\"%s\"\n", s->reachable, node_error_label(s->err), s->error);
	for (i = 0; i < s->n_partial; i++)
		printf("#   partial %s (%s): %s\n", s->partial[i].what, node_error_label(s->partial[i].err),
		       s->partial[i].msg);
}

static const struct snapshot *poll_now(struct backend *b, double max_s)
{
	double t0 = now_ms();
	R.got_snap = false;
	snapshot_clear(&R.snap);
	if (!b || backend_poll(b) < 0) {
		printf("# poll not started\n");
		return &R.snap;
	}
	while (!R.got_snap && now_ms() - t0 < max_s * 1000.0)
		loop_run_once(H.loop, 50);
	if (!R.got_snap)
		printf("# no snapshot within %.0f s\n", max_s);
	show(&R.snap);
	return &R.snap;
}

static const struct action_result *act_run(struct backend *b, const struct action *ap)
{
	struct action a = *ap;
	enum action_kind k = a.kind;
	char *cause = NULL;
	double t0 = now_ms();
	R.got_act = false;
	memset(&R.res, 0, sizeof(R.res));
	R.res.err = NERR_INTERNAL;
	if (backend_action(b, carptop_test_grant, &a, &cause) < 0) {
		printf("# action refused: %s\n", cause);
		str_copy(R.res.message, cause, sizeof(R.res.message));
		R.res.err = NERR_READ_ONLY;
		free(cause);
		return &R.res;
	}
	while (!R.got_act && now_ms() - t0 < 15000)
		loop_run_once(H.loop, 50);
	printf("# action %s: %s \"%s\"\n", action_name(k), node_error_label(R.res.err), R.res.message);
	return &R.res;
}

static const struct action_result *act_now(struct backend *b, enum action_kind k)
{
	struct action a;
	memset(&a, 0, sizeof(a));
	a.kind = k;
	return act_run(b, &a);
}

/* An IP alias change as the add-alias workflow makes it. */
static const struct action_result *act_alias(struct backend *b, enum action_kind k, const char *iface,
					     const char *addr, int vhid)
{
	struct action a;
	memset(&a, 0, sizeof(a));
	a.kind = k;
	a.vip.mode = VIP_MODE_IPALIAS;
	str_copy(a.vip.interface, iface, sizeof(a.vip.interface));
	str_copy(a.vip.address, addr, sizeof(a.vip.address));
	a.vip.prefix = 24;
	a.vip.vhid = vhid;
	str_copy(a.vip.descr, "added by carptop add-alias", sizeof(a.vip.descr));
	return act_run(b, &a);
}

static const struct vip_row *vip_addr(const struct snapshot *s, const char *addr)
{
	size_t i;
	for (i = 0; i < s->n_vips; i++)
		if (str_eq(s->vips[i].address, addr))
			return &s->vips[i];
	return NULL;
}

static const struct vip_row *vip(const struct snapshot *s, int vhid)
{
	size_t i;
	for (i = 0; i < s->n_vips; i++)
		if (s->vips[i].vhid == vhid)
			return &s->vips[i];
	return NULL;
}

static const struct snap_partial *partial(const struct snapshot *s, const char *what)
{
	int i;
	for (i = 0; i < s->n_partial; i++)
		if (str_eq(s->partial[i].what, what))
			return &s->partial[i];
	return NULL;
}

/* Nothing but a key exchange reached the node since `mark`. */
static void check_nothing_sent(const struct tnode *n, long sshd_mark, const char *shim_before, long ctl_mark)
{
	char *l = log_since(n->log, sshd_mark), *s = shim_log(n), *c = ctl_log();
	char path[64];
	CHECK(strstr(l, "Connection from 127.0.0.1") != NULL); /* it did connect */
	CHECK(strstr(l, "authenticating user") == NULL);
	CHECK(strstr(l, "Accepted publickey") == NULL);
	CHECK(strstr(l, "Failed publickey") == NULL);
	CHECK(strstr(l, "Postponed publickey") == NULL);
	CHECK_STR_EQ(s, shim_before);
	snprintf(path, sizeof(path), "/ctl/text/0/%d/", n->index);
	CHECK(strstr(c + (ctl_mark < (long)strlen(c) ? ctl_mark : (long)strlen(c)), path) == NULL);
	free(l);
	free(s);
	free(c);
}

static char *client_key(const char *name)
{
	return xasprintf("%s/%s", H.tmp, name);
}

/* ------------------------------------------------------------------ */
/* healthy: a real poll of both nodes, session reuse, actions          */

static void group_healthy(void)
{
	struct tnode *n0 = node_setup(0, true), *n1 = node_setup(1, true);
	char *kh = known_hosts("known_hosts", n0, n1), *id = client_key("id_ed25519");
	struct node_conf *c0 = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh, false, false, 10);
	struct node_conf *c1 = conf_make("fw2", ROLE_SECONDARY, n1->port, id, kh, false, false, 10);
	struct backend *b0 = backend_make(c0), *b1 = backend_make(c1);
	const struct snapshot *s;
	const struct vip_row *v;
	const struct action_result *r;
	char *log, *slog, *clog;
	unsigned m;

	test_current = "healthy poll of the primary";
	s = poll_now(b0, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->err, NERR_NONE);
	CHECK_INT_EQ(s->n_partial, 0);
	CHECK_INT_EQ(s->n_vips, 2);
	v = vip(s, 3);
	CHECK(v != NULL);
	if (v) {
		CHECK_STR_EQ(v->ifname, "LAN");
		CHECK_STR_EQ(v->ifdev, "em0");
		CHECK_STR_EQ(v->address, "192.168.1.1");
		CHECK_INT_EQ(v->prefix, 24);
		CHECK_INT_EQ(v->status, CARP_ST_MASTER);
		CHECK_INT_EQ(v->mode, VIP_MODE_CARP);
		CHECK_INT_EQ(v->advbase, 1);
		CHECK_INT_EQ(v->advskew, 0);
	}
	v = vip(s, 1);
	CHECK(v && str_eq(v->ifname, "WAN") && str_eq(v->ifdev, "em1") && v->status == CARP_ST_MASTER);
	CHECK(s->carp.known);
	CHECK_INT_EQ(s->carp.allow, 1);
	CHECK_INT_EQ(s->carp.demotion, 0);
	CHECK_INT_EQ(s->carp.preempt, 1);
	CHECK(!s->carp.maintenance);
	CHECK_STR_EQ(s->carp.status_msg, "");
	CHECK_INT_EQ(s->states.current, 47);
	CHECK_INT_EQ(s->states.limit, 100000);
	CHECK(s->pfsync.known);
	CHECK_STR_EQ(s->pfsync.syncdev, "em2");
	CHECK_STR_EQ(s->pfsync.syncpeer, "10.0.0.2");
	CHECK_STR_EQ(s->pfsync.hostid, "a2e0f312");
	CHECK_INT_EQ(s->pfsync.n_creators, 2);
	CHECK_STR_EQ(s->version, "26.7.2");
	CHECK_STR_EQ(s->hostname, "OPNsense.localdomain");
	CHECK(s->hasync.known);
	CHECK_STR_EQ(s->hasync.sync_target, "10.0.0.2");
	CHECK_STR_EQ(s->hasync.sync_items, "rules,nat,dhcpd,staticroutes,virtualip");
	CHECK(s->duration_ms > 0 && s->duration_ms < 10000);

	test_current = "one session and one config read across polls";
	poll_now(b0, 20);
	s = poll_now(b0, 20);
	CHECK(s->reachable);
	log = slurp(n0->log);
	slog = shim_log(n0);
	CHECK_INT_EQ(count(log, "Accepted publickey"), 1);
	CHECK_INT_EQ(count(slog, "cat /conf/config.xml"), 1);
	CHECK_INT_EQ(count(slog, "ifconfig -a"), 3);
	free(log);
	free(slog);
	{
		char *p = xasprintf("%s/ctl/pair0/node0/config-mtime", H.tmp);
		spit(p, "1767229999\n");
		free(p);
	}
	s = poll_now(b0, 20);
	CHECK(s->reachable);
	slog = shim_log(n0);
	CHECK_INT_EQ(count(slog, "cat /conf/config.xml"), 2);
	free(slog);
	/* The marker the app reads config.xml again by (mtime and size). */
	CHECK_STR_EQ(s->config_marker, "1767229999");

	test_current = "config.xml for the drift checks: its own exec on the same session";
	config_now(b0);
	{
		char *p = xasprintf("%s/ctl/pair0/node0/config-xml", H.tmp), *want = slurp(p), *moved;
		CHECK(RCFG.xml != NULL);
		CHECK_INT_EQ(RCFG.len, strlen(want));
		CHECK(RCFG.xml && strcmp(RCFG.xml, want) == 0);
		slog = shim_log(n0);
		CHECK_INT_EQ(count(slog, "cat /conf/config.xml"), 3);
		free(slog);
		log = slurp(n0->log);
		CHECK_INT_EQ(count(log, "Accepted publickey"), 1);
		free(log);
		CHECK_INT_EQ(b0->ops->mutations(b0), 0);
		/* It cannot be read: on_config gets NULL, and every poll says why
		 * until a read works again. */
		moved = xasprintf("%s.away", p);
		CHECK_INT_EQ(rename(p, moved), 0);
		config_now(b0);
		CHECK(RCFG.got && RCFG.xml == NULL);
		s = poll_now(b0, 20);
		CHECK(s->reachable);
		CHECK(partial(s, "config") && strstr(partial(s, "config")->msg, "config.xml not read: `cat /conf/config.xml`"));
		CHECK_INT_EQ(rename(moved, p), 0);
		config_now(b0);
		CHECK(RCFG.xml != NULL);
		s = poll_now(b0, 20);
		CHECK(s->reachable && partial(s, "config") == NULL);
		free(moved);
		free(want);
		free(p);
	}
	test_current = "a poll and a config read at once share the session";
	{
		double t0 = now_ms();
		R.got_snap = false;
		RCFG.got = false;
		snapshot_clear(&R.snap);
		CHECK_INT_EQ(backend_poll(b0), 0);
		CHECK_INT_EQ(backend_config(b0), 0);
		while ((!R.got_snap || !RCFG.got) && now_ms() - t0 < 20000)
			loop_run_once(H.loop, 50);
		CHECK(R.got_snap && R.snap.reachable && R.snap.n_partial == 0);
		CHECK(RCFG.got && RCFG.xml != NULL);
		/* Neither waited for a timeout. */
		CHECK(now_ms() - t0 < 5000);
		log = slurp(n0->log);
		CHECK_INT_EQ(count(log, "Accepted publickey"), 1);
		free(log);
	}
	/* VIP add/delete through the node's PHP CLI (the carpsim group runs them). */
	CHECK(backend_supports(b0, ACT_VIP_ADD));
	CHECK(backend_supports(b0, ACT_VIP_DELETE));
	CHECK(backend_supports(b0, ACT_MAINTENANCE_TOGGLE));
	CHECK(backend_supports(b0, ACT_VIP_APPLY));

	test_current = "healthy poll of the secondary (hashed known_hosts entry)";
	s = poll_now(b1, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->n_partial, 0);
	v = vip(s, 3);
	CHECK(v && v->status == CARP_ST_BACKUP && v->advskew == 100 && str_eq(v->ifname, "LAN"));
	CHECK_STR_EQ(s->pfsync.hostid, "5b1c9d07");
	CHECK_STR_EQ(s->pfsync.syncpeer, "10.0.0.1");
	CHECK_INT_EQ(s->states.current, 45);
	CHECK_STR_EQ(s->hasync.sync_target, "");
	CHECK_STR_EQ(s->hasync.sync_items, "");

	test_current = "actions";
	m = b0->ops->mutations(b0);
	r = act_now(b0, ACT_MAINTENANCE_TOGGLE);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_STR_EQ(r->message, "enter_maintenance");
	CHECK_INT_EQ(b0->ops->mutations(b0), m + 1);
	clog = ctl_log();
	CHECK_CONTAINS(clog, "POST /ctl/configctl/0/0 interface carp_set_status maintenance");
	CHECK_INT_EQ(count(clog, "POST "), 1);
	free(clog);

	r = act_now(b0, ACT_VIP_APPLY);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_STR_EQ(r->message, "OK");
	r = act_now(b0, ACT_FIRMWARE_UPDATE); /* not in this node's configctl: as OPNsense says */
	CHECK_INT_EQ(r->err, NERR_COMMAND);
	CHECK_CONTAINS(r->message, "Action not allowed or missing");
	r = act_now(b1, ACT_SYNC);
	CHECK_INT_EQ(r->err, NERR_CONFIG);
	CHECK_CONTAINS(r->message, "primary only");
	r = act_now(b0, ACT_SYNC);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_INT_EQ(b0->ops->mutations(b0), m + 4);
	clog = ctl_log();
	/* The firmware request is two configctl calls (flush, update), as the GUI does. */
	CHECK_INT_EQ(count(clog, "POST "), 5);
	CHECK_CONTAINS(clog, "POST /ctl/configctl/0/0 firmware flush");
	CHECK(strstr(clog, "POST /ctl/configctl/0/1") == NULL);
	free(clog);

	test_current = "read-only mode sends nothing";
	b0->read_only = true;
	r = act_now(b0, ACT_REBOOT);
	CHECK_INT_EQ(r->err, NERR_READ_ONLY);
	CHECK_CONTAINS(r->message, "read-only");
	CHECK_INT_EQ(b0->ops->mutations(b0), m + 4);
	b0->read_only = false;

	test_current = "a poll and an action at once share the session";
	{
		struct action a;
		char *cause = NULL;
		double t0 = now_ms();
		memset(&a, 0, sizeof(a));
		a.kind = ACT_CARP_ENABLE;
		R.got_snap = R.got_act = false;
		CHECK_INT_EQ(backend_poll(b0), 0);
		CHECK_INT_EQ(backend_poll(b0), -1); /* one poll at a time */
		CHECK_INT_EQ(backend_action(b0, carptop_test_grant, &a, &cause), 0);
		while ((!R.got_snap || !R.got_act) && now_ms() - t0 < 20000)
			loop_run_once(H.loop, 50);
		CHECK(R.got_snap && R.snap.reachable);
		CHECK(R.got_act && R.res.err == NERR_NONE && str_eq(R.res.message, "enable"));
		log = slurp(n0->log);
		CHECK_INT_EQ(count(log, "Accepted publickey"), 1);
		free(log);
	}

	backend_free(b0);
	backend_free(b1);
	conf_free(c0);
	conf_free(c1);
	free(kh);
	free(id);
}

/* ------------------------------------------------------------------ */
/* hostkeys: unknown, accepted, trust on first use, changed             */

static void group_hostkeys(void)
{
	struct tnode *n0 = node_setup(0, true);
	char *id = client_key("id_ed25519"), *kh_none = xasprintf("%s/kh_none", H.tmp);
	char *kh_tofu = xasprintf("%s/ssh/kh_tofu", H.tmp), *fp0 = hostkey_fingerprint(n0), *fp1, *before, *after;
	char expect[300], fp[80];
	struct node_conf *c = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh_none, false, false, 10);
	struct node_conf *ct = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh_tofu, true, false, 10);
	struct node_conf *ct2 = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh_tofu, false, false, 10);
	struct backend *b = backend_make(c), *bt, *bt2;
	const struct snapshot *s;
	const char *type = NULL;
	bool unknown = false;
	char *cause = NULL, *shim_before = shim_log(n0), *clog = ctl_log();
	long mark = file_size(n0->log), ctl_mark = (long)strlen(clog);
	int conns;

	free(clog);
	test_current = "unknown host is refused before login";
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_UNKNOWN);
	snprintf(expect, sizeof(expect), "unknown host 127.0.0.1:%d (ED25519 %s)", n0->port, fp0);
	CHECK_CONTAINS(s->error, expect);
	snprintf(expect, sizeof(expect), "ssh-keyscan -p %d 127.0.0.1 >> %s", n0->port, kh_none);
	CHECK_CONTAINS(s->error, expect);
	CHECK_CONTAINS(s->error, "trust_on_first_use: true");
	check_nothing_sent(n0, mark, shim_before, ctl_mark);
	CHECK(ssh_backend_hostkey(b, fp, sizeof(fp), &type, &unknown));
	CHECK_STR_EQ(fp, fp0);
	CHECK_STR_EQ(type, "ED25519");
	CHECK(unknown);

	test_current = "accepting the unknown key from the console";
	CHECK_INT_EQ(ssh_backend_accept_hostkey(b, &cause), 0);
	after = slurp(kh_none);
	snprintf(expect, sizeof(expect), "[127.0.0.1]:%d ssh-ed25519 ", n0->port);
	CHECK(str_starts(after, expect));
	free(after);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(ssh_backend_accept_hostkey(b, &cause), -1);
	free(cause);
	cause = NULL;
	backend_free(b);

	test_current = "trust on first use writes the key";
	bt = backend_make(ct);
	s = poll_now(bt, 20);
	CHECK(s->reachable);
	before = slurp(kh_tofu);
	CHECK(str_starts(before, expect));
	CHECK_INT_EQ(count(before, "\n"), 1);
	bt2 = backend_make(ct2);
	s = poll_now(bt2, 20);
	CHECK(s->reachable);
	backend_free(bt2);

	test_current = "changed host key is refused loudly, nothing sent";
	sshd_stop(n0);
	hostkey_make(n0);
	fp1 = hostkey_fingerprint(n0);
	CHECK(strcmp(fp0, fp1) != 0);
	mark = file_size(n0->log);
	free(shim_before);
	shim_before = shim_log(n0);
	clog = ctl_log();
	ctl_mark = (long)strlen(clog);
	free(clog);
	sshd_start(n0);
	/* bt still holds the old session (now dead): it reconnects, sees the
	 * new key, and must refuse even with trust_on_first_use. */
	s = poll_now(bt, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_CHANGED);
	snprintf(expect, sizeof(expect), "HOST KEY FOR 127.0.0.1:%d HAS CHANGED", n0->port);
	CHECK(str_starts(s->error, expect));
	CHECK_CONTAINS(s->error, "man-in-the-middle");
	snprintf(expect, sizeof(expect), "New ED25519 key %s", fp1);
	CHECK_CONTAINS(s->error, expect);
	snprintf(expect, sizeof(expect), "ssh-keygen -R '[127.0.0.1]:%d'", n0->port);
	CHECK_CONTAINS(s->error, expect);
	CHECK_CONTAINS(s->error, "only if you know why it changed");
	after = slurp(kh_tofu);
	CHECK_STR_EQ(after, before); /* never overwritten */
	free(after);
	check_nothing_sent(n0, mark, shim_before, ctl_mark);

	test_current = "backoff: the next poll answers without connecting";
	{
		char *l = log_since(n0->log, mark);
		conns = count(l, "Connection from 127.0.0.1");
		free(l);
	}
	s = poll_now(bt, 5);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_CHANGED);
	CHECK(str_starts(s->error, "HOST KEY FOR"));
	{
		char *l = log_since(n0->log, mark);
		CHECK_INT_EQ(count(l, "Connection from 127.0.0.1"), conns);
		free(l);
	}
	backend_free(bt);

	free(before);
	free(shim_before);
	free(fp0);
	free(fp1);
	free(id);
	free(kh_none);
	free(kh_tofu);
	conf_free(c);
	conf_free(ct);
	conf_free(ct2);
}

/* ------------------------------------------------------------------ */
/* auth: wrong key, RSA, hold, encrypted key + passphrase hook, agent  */

static pid_t agent_start(const char *sock)
{
	char *argv[] = { "/usr/bin/ssh-agent", "-D", "-a", (char *)sock, NULL };
	pid_t pid = spawn(argv, NULL);
	double t0 = now_ms();
	struct stat st;
	while (stat(sock, &st) != 0 && now_ms() - t0 < 5000)
		usleep(20 * 1000);
	return pid;
}

static void group_auth(void)
{
	struct tnode *n0 = node_setup(0, true);
	char *kh = known_hosts("known_hosts", n0, NULL), *other = client_key("id_other"), *rsa = client_key("id_rsa");
	char *enc = client_key("id_enc"), *ed = client_key("id_ed25519"), *sock = xasprintf("%s/agent.sock", H.tmp);
	char expect[400], *l;
	struct node_conf *c;
	struct backend *b;
	const struct snapshot *s;
	long mark;
	int conns;

	test_current = "a key the node does not know";
	c = conf_make("fw1", ROLE_PRIMARY, n0->port, other, kh, false, false, 10);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	snprintf(expect, sizeof(expect), "root@127.0.0.1:%d refused ED25519 key %s", n0->port, other);
	CHECK_CONTAINS(s->error, expect);
	CHECK_CONTAINS(s->error, "authorized keys");

	test_current = "a refused login is not repeated at every poll";
	mark = file_size(n0->log);
	s = poll_now(b, 5);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	l = log_since(n0->log, mark);
	CHECK_INT_EQ(count(l, "Connection from"), 0);
	free(l);
	ssh_backend_retry_now(b);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	l = log_since(n0->log, mark);
	CHECK_INT_EQ(count(l, "Connection from"), 1);
	free(l);
	backend_free(b);
	conf_free(c);

	test_current = "an RSA key is explained";
	c = conf_make("fw1", ROLE_PRIMARY, n0->port, rsa, kh, false, false, 10);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	CHECK_CONTAINS(s->error, "RSA keys cannot be used");
	CHECK_CONTAINS(s->error, "ssh-rsa (SHA-1), which OpenSSH 8.8+ refuses");
	CHECK_CONTAINS(s->error, "ssh-keygen -t ed25519");
	backend_free(b);
	conf_free(c);

	test_current = "an encrypted key: clear error, then the passphrase hook";
	c = conf_make("fw1", ROLE_PRIMARY, n0->port, enc, kh, false, false, 10);
	b = backend_make(c);
	mark = file_size(n0->log);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_CONFIG);
	snprintf(expect, sizeof(expect), "identity file %s is encrypted; load it into ssh-agent (ssh-add %s)", enc, enc);
	CHECK_CONTAINS(s->error, expect);
	CHECK(ssh_backend_needs_passphrase(b));
	l = log_since(n0->log, mark);
	CHECK(strstr(l, "Failed publickey") == NULL); /* the key was never offered */
	free(l);
	ssh_backend_set_passphrase(b, "wrong passphrase");
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_CONFIG);
	CHECK_CONTAINS(s->error, "wrong passphrase");
	CHECK(ssh_backend_needs_passphrase(b));
	ssh_backend_set_passphrase(b, PASSPHRASE);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK(!ssh_backend_needs_passphrase(b));
	backend_free(b);
	conf_free(c);

	test_current = "ssh-agent";
	H.agent_pid = agent_start(sock);
	setenv("SSH_AUTH_SOCK", sock, 1);
	CHECK_INT_EQ(sh("ssh-add -q '%s' 2>/dev/null", ed), 0);
	c = conf_make("fw1", ROLE_PRIMARY, n0->port, NULL, kh, false, true, 10);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	backend_free(b);
	/* Only an RSA key in the agent: explained too. */
	CHECK_INT_EQ(sh("ssh-add -q -D 2>/dev/null && ssh-add -q '%s' 2>/dev/null", rsa), 0);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	CHECK_CONTAINS(s->error, "refused the RSA key from ssh-agent");
	CHECK_CONTAINS(s->error, "RSA keys cannot be used");
	backend_free(b);
	/* No agent at all and no identity file. */
	unsetenv("SSH_AUTH_SOCK");
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK_INT_EQ(s->err, NERR_CONFIG);
	CHECK_CONTAINS(s->error, "SSH_AUTH_SOCK is not set");
	backend_free(b);
	conf_free(c);
	kill(H.agent_pid, SIGTERM);
	waitpid(H.agent_pid, NULL, 0);
	H.agent_pid = 0;
	conns = 0;
	(void)conns;

	free(kh);
	free(other);
	free(rsa);
	free(enc);
	free(ed);
	free(sock);
}

/* ------------------------------------------------------------------ */
/* jump: ssh.host resolved from an ssh config; a node behind a bastion  */

/* The bastion: an sshd of its own (node index 3's directory; its
 * ForceCommand never runs: only a direct-tcpip channel is asked of it),
 * logging each forward (LogLevel DEBUG1 names the direct-tcpip target). */
static struct tnode *bastion_setup(void)
{
	struct tnode *b = node_setup(3, false);
	char *p = xasprintf("%s/sshd_config", b->dir);
	sshd_stop(b);
	sh("sed -i 's/^LogLevel VERBOSE/LogLevel DEBUG1/' '%s'", p);
	free(p);
	sshd_start(b);
	return b;
}

static struct node_conf *conf_alias(const char *alias, const char *id, const char *kh, const char *ssh_config)
{
	struct node_conf *c = conf_make("fw1", ROLE_PRIMARY, 22, id, kh, false, false, 10);
	free(c->ssh.host);
	c->ssh.host = xstrdup(alias);
	c->ssh.ssh_config = xstrdup(ssh_config);
	return c;
}

static void conf_alias_free(struct node_conf *c)
{
	if (c)
		free(c->ssh.ssh_config);
	conf_free(c);
}

static void group_jump(void)
{
	struct tnode *n0 = node_setup(0, true), *bn = bastion_setup();
	char *id = client_key("id_ed25519"), *kh = xasprintf("%s/kh_jump", H.tmp);
	char *cfg = xasprintf("%s/ssh_config", H.tmp), *text, expect[300], *l, *cause = NULL;
	char *kh_bad = xasprintf("%s/kh_bad_bastion", H.tmp), *kh_nob = xasprintf("%s/kh_no_bastion", H.tmp);
	char *kh_badnode = xasprintf("%s/kh_bad_node", H.tmp), *fpb = hostkey_fingerprint(bn), fp[80];
	struct node_conf *c;
	struct backend *b;
	const struct snapshot *s;
	const char *type = NULL;
	bool unknown = false;
	long nmark, bmark;
	int wrong_port = free_port();

	text = xasprintf("%s\n%s\n", n0->kh_line, bn->kh_line);
	spit(kh, text);
	free(text);
	/* The bastion's entry holds the node's key: a changed bastion key. */
	text = xasprintf("%s\n[127.0.0.1]:%d %s\n", n0->kh_line, bn->port, strchr(n0->kh_line, ' ') + 1);
	spit(kh_bad, text);
	free(text);
	text = xasprintf("%s\n", n0->kh_line);
	spit(kh_nob, text);
	free(text);
	text = xasprintf("[127.0.0.1]:%d %s\n%s\n", n0->port, strchr(bn->kh_line, ' ') + 1, bn->kh_line);
	spit(kh_badnode, text);
	free(text);
	text = xasprintf("# carptop test: operators' aliases\n"
			 "Host fw-direct\n    HostName 127.0.0.1\n    Port %d\n\n"
			 "Host fw-behind\n    HostName 127.0.0.1\n    Port %d\n    ProxyJump root@bastion\n\n"
			 "Host fw-nobody\n    HostName 127.0.0.1\n    Port %d\n    ProxyJump nobody@bastion\n\n"
			 "Host bastion\n    HostName 127.0.0.1\n    Port %d\n\n"
			 /* ssh -W through the bastion, as operators write it */
			 "Host fw-cmd\n    HostName 127.0.0.1\n    Port %d\n"
			 "    ProxyCommand /usr/bin/ssh -F /dev/null -i %s -o UserKnownHostsFile=%s -o BatchMode=yes "
			 "-o StrictHostKeyChecking=yes -p %d -W %%h:%%p root@127.0.0.1\n\n"
			 "Host fw-badcmd\n    HostName 127.0.0.1\n    ProxyCommand /nonexistent/proxy %%h %%p\n",
			 n0->port, n0->port, n0->port, bn->port, n0->port, id, kh, bn->port);
	spit(cfg, text);
	free(text);

	test_current = "ssh.host is an alias of the ssh config (HostName, Port)";
	c = conf_alias("fw-direct", id, kh, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->n_vips, 2);
	backend_free(b);
	conf_alias_free(c);

	test_current = "ProxyCommand: the session runs over the command's stdio (ssh -W via the bastion)";
	bmark = file_size(bn->log);
	c = conf_alias("fw-cmd", id, kh, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->n_vips, 2);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	l = log_since(bn->log, bmark);
	snprintf(expect, sizeof(expect), "target 127.0.0.1 port %d", n0->port);
	CHECK_CONTAINS(l, expect);
	CHECK_INT_EQ(count(l, "Accepted publickey for root"), 1);
	free(l);
	backend_free(b);
	conf_alias_free(c);

	test_current = "a ProxyCommand that fails: its own words in the error";
	c = conf_alias("fw-badcmd", id, kh, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_UNREACHABLE);
	CHECK_CONTAINS(s->error, "SSH handshake with 127.0.0.1:22 through its ProxyCommand failed");
	CHECK_CONTAINS(s->error, "the ProxyCommand said: ");
	CHECK_CONTAINS(s->error, "/nonexistent/proxy");
	backend_free(b);
	conf_alias_free(c);

	test_current = "a node behind a ProxyJump bastion is polled through it";
	nmark = file_size(n0->log);
	bmark = file_size(bn->log);
	c = conf_alias("fw-behind", id, kh, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->err, NERR_NONE);
	CHECK_INT_EQ(s->n_partial, 0);
	CHECK_INT_EQ(s->n_vips, 2);
	CHECK(vip(s, 3) && vip(s, 3)->status == CARP_ST_MASTER);
	CHECK_STR_EQ(s->version, "26.7.2");
	l = log_since(bn->log, bmark);
	CHECK_INT_EQ(count(l, "Accepted publickey for root"), 1);
	snprintf(expect, sizeof(expect), "target 127.0.0.1 port %d", n0->port);
	CHECK_CONTAINS(l, expect); /* the bastion forwarded to the node */
	free(l);
	l = log_since(n0->log, nmark);
	CHECK_INT_EQ(count(l, "Accepted publickey for root"), 1);
	free(l);

	test_current = "through the bastion: one session of each across polls and an action";
	s = poll_now(b, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(act_now(b, ACT_VIP_APPLY)->err, NERR_NONE);
	config_now(b);
	CHECK(RCFG.xml != NULL && RCFG.len > 1000);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	l = log_since(bn->log, bmark);
	CHECK_INT_EQ(count(l, "Accepted publickey for root"), 1);
	free(l);
	l = log_since(n0->log, nmark);
	CHECK_INT_EQ(count(l, "Accepted publickey for root"), 1);
	free(l);

	test_current = "the bastion stops: the node is unreachable, and says it is the bastion";
	sshd_stop(bn);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK(s->err == NERR_REFUSED || s->err == NERR_UNREACHABLE);
	snprintf(expect, sizeof(expect), "ProxyJump bastion: connection refused by 127.0.0.1:%d", bn->port);
	CHECK_CONTAINS(s->error, expect);

	test_current = "the bastion is back: the node is polled again";
	sshd_start(bn);
	ssh_backend_retry_now(b);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	{
		char route[640];
		CHECK(ssh_backend_route(b, route, sizeof(route)));
		snprintf(expect, sizeof(expect), "root@127.0.0.1:%d via root@127.0.0.1:%d", n0->port, bn->port);
		CHECK_STR_EQ(route, expect);
	}
	backend_free(b);
	conf_alias_free(c);

	test_current = "without the OpenSSH client on PATH: the built-in reader, the same route";
	{
		char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"), route[640];
		c = conf_alias("fw-behind", id, kh, cfg);
		/* The lookup runs inside backend_new (ssh_open). */
		setenv("PATH", "/nonexistent", 1);
		b = backend_make(c);
		setenv("PATH", path, 1);
		free(path);
		CHECK(ssh_backend_route(b, route, sizeof(route)));
		snprintf(expect, sizeof(expect), "root@127.0.0.1:%d via root@127.0.0.1:%d", n0->port, bn->port);
		CHECK_STR_EQ(route, expect);
		s = poll_now(b, 20);
		CHECK(s->reachable);
		backend_free(b);
		conf_alias_free(c);
	}

	test_current = "the bastion logs in as the ProxyJump's user";
	c = conf_alias("fw-nobody", id, kh, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_AUTH);
	snprintf(expect, sizeof(expect), "ProxyJump bastion: nobody@127.0.0.1:%d refused", bn->port);
	CHECK_CONTAINS(s->error, expect);
	CHECK_CONTAINS(s->error, "nobody's authorized keys on the bastion");
	backend_free(b);
	conf_alias_free(c);

	test_current = "an explicit carptop.yaml port wins over the ssh config's";
	c = conf_alias("fw-behind", id, kh, cfg);
	c->ssh.port = wrong_port;
	c->ssh.port_set = true;
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_UNREACHABLE);
	snprintf(expect, sizeof(expect), "ProxyJump bastion: 127.0.0.1:%d could not open a connection to 127.0.0.1:%d",
		 bn->port, wrong_port);
	CHECK_CONTAINS(s->error, expect);
	backend_free(b);
	conf_alias_free(c);

	test_current = "a changed bastion host key is refused loudly; the node is never reached";
	nmark = file_size(n0->log);
	bmark = file_size(bn->log);
	c = conf_alias("fw-behind", id, kh_bad, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_CHANGED);
	snprintf(expect, sizeof(expect), "ProxyJump bastion: HOST KEY FOR 127.0.0.1:%d HAS CHANGED", bn->port);
	CHECK(str_starts(s->error, expect));
	CHECK_CONTAINS(s->error, "man-in-the-middle");
	snprintf(expect, sizeof(expect), "ssh-keygen -R '[127.0.0.1]:%d'", bn->port);
	CHECK_CONTAINS(s->error, expect);
	l = log_since(bn->log, bmark);
	CHECK(strstr(l, "Connection from 127.0.0.1") != NULL);
	CHECK(strstr(l, "Accepted publickey") == NULL && strstr(l, "authenticating user") == NULL);
	free(l);
	l = log_since(n0->log, nmark);
	CHECK(strstr(l, "Connection from") == NULL);
	free(l);
	/* The console's accept refuses a changed key. */
	CHECK_INT_EQ(ssh_backend_accept_hostkey(b, &cause), -1);
	free(cause);
	cause = NULL;
	backend_free(b);
	conf_alias_free(c);

	test_current = "an unknown bastion host key: refused, shown, accepted from the console";
	c = conf_alias("fw-behind", id, kh_nob, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_UNKNOWN);
	snprintf(expect, sizeof(expect), "ProxyJump bastion: unknown host 127.0.0.1:%d (ED25519 %s)", bn->port, fpb);
	CHECK_CONTAINS(s->error, expect);
	CHECK(ssh_backend_hostkey(b, fp, sizeof(fp), &type, &unknown));
	CHECK_STR_EQ(fp, fpb);
	CHECK(unknown);
	CHECK_INT_EQ(ssh_backend_accept_hostkey(b, &cause), 0);
	free(cause);
	cause = NULL;
	l = slurp(kh_nob);
	snprintf(expect, sizeof(expect), "[127.0.0.1]:%d ssh-ed25519 ", bn->port);
	CHECK_CONTAINS(l, expect);
	free(l);
	s = poll_now(b, 20);
	CHECK(s->reachable);
	backend_free(b);
	conf_alias_free(c);

	test_current = "the node's own host key is checked behind the bastion";
	c = conf_alias("fw-behind", id, kh_badnode, cfg);
	b = backend_make(c);
	s = poll_now(b, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_HOSTKEY_CHANGED);
	snprintf(expect, sizeof(expect), "HOST KEY FOR 127.0.0.1:%d HAS CHANGED", n0->port);
	CHECK(str_starts(s->error, expect));
	backend_free(b);
	conf_alias_free(c);

	free(fpb);
	free(id);
	free(kh);
	free(kh_bad);
	free(kh_nob);
	free(kh_badnode);
	free(cfg);
}

/* ------------------------------------------------------------------ */
/* faults: command missing, truncated, hanging, dropped, refused       */

static void group_faults(void)
{
	struct tnode *n0 = node_setup(0, true), *n2 = node_setup(2, false);
	char *kh, *id = client_key("id_ed25519"), expect[300], *l;
	struct node_conf *c0, *c2, *ch;
	struct backend *b0, *b2, *bh;
	const struct snapshot *s;
	const struct snap_partial *p;
	double t0, took;

	{
		/* known_hosts with both nodes */
		char *path = xasprintf("%s/known_hosts", H.tmp), *text = xasprintf("%s\n%s\n", n0->kh_line, n2->kh_line);
		spit(path, text);
		free(text);
		kh = path;
	}
	c0 = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh, false, false, 10);
	c2 = conf_make("fw3", ROLE_PRIMARY, n2->port, id, kh, false, false, 10);
	ch = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh, false, false, 2);
	b0 = backend_make(c0);
	b2 = backend_make(c2);

	test_current = "a command missing on the node";
	s = poll_now(b2, 20);
	CHECK(s->reachable);
	CHECK_INT_EQ(s->n_vips, 2);
	p = partial(s, "pf_states");
	CHECK(p && p->err == NERR_COMMAND);
	CHECK_CONTAINS(p ? p->msg : NULL, "`pfctl -vsi` is missing on the node (exit 127");
	p = partial(s, "pfsync");
	CHECK(p && p->err == NERR_COMMAND);
	CHECK_CONTAINS(p ? p->msg : NULL, "`pfctl -ss -vv` is missing on the node (exit 127");
	CHECK_INT_EQ(s->states.current, -1);
	CHECK_STR_EQ(s->pfsync.hostid, "");
	CHECK(s->carp.known);

	test_current = "truncated output";
	s = poll_now(b0, 20);
	CHECK(s->reachable);
	faults_set(n0, "half ifconfig\n");
	s = poll_now(b0, 20);
	CHECK(!s->reachable);
	CHECK_INT_EQ(s->err, NERR_PROTOCOL);
	CHECK_CONTAINS(s->error, "`ifconfig -a` output ends mid-line after");
	CHECK_CONTAINS(s->error, "truncated");
	CHECK_CONTAINS(s->error, "VIP list is not trusted");
	faults_set(n0, "");
	s = poll_now(b0, 20);
	CHECK(s->reachable); /* the session survived: no reconnect needed */
	l = slurp(n0->log);
	CHECK_INT_EQ(count(l, "Accepted publickey"), 1);
	free(l);

	test_current = "a hanging command times out";
	faults_set(n0, "hang pfctl-creators 30\n");
	bh = backend_make(ch);
	t0 = now_ms();
	s = poll_now(bh, 15);
	took = (now_ms() - t0) / 1000.0;
	printf("# took %.2f s\n", took);
	CHECK_INT_EQ(s->err, NERR_TIMEOUT);
	snprintf(expect, sizeof(expect), "`pfctl -ss -vv` on 127.0.0.1:%d did not finish within 2 s", n0->port);
	CHECK_CONTAINS(s->error, expect);
	CHECK(took >= 1.8 && took < 4.0);
	faults_set(n0, "");
	s = poll_now(bh, 5);
	CHECK_INT_EQ(s->err, NERR_TIMEOUT);
	CHECK(str_starts(s->error, "reconnecting in 1 s after: `pfctl -ss -vv`"));
	run_for(1100);
	s = poll_now(bh, 20);
	CHECK(s->reachable);
	backend_free(bh);

	test_current = "the session dropped mid-poll";
	faults_set(n0, "hang pfctl-si 20\n");
	R.got_snap = false;
	t0 = now_ms();
	CHECK_INT_EQ(backend_poll(b0), 0);
	while (!R.got_snap && now_ms() - t0 < 1500)
		loop_run_once(H.loop, 50);
	CHECK(!R.got_snap);
	kill_descendants(n0->pid, SIGKILL); /* every session of node 0, not the listener */
	while (!R.got_snap && now_ms() - t0 < 10000)
		loop_run_once(H.loop, 50);
	took = (now_ms() - t0) / 1000.0;
	show(&R.snap);
	CHECK(R.got_snap);
	CHECK_INT_EQ(R.snap.err, NERR_UNREACHABLE);
	snprintf(expect, sizeof(expect), "ssh session to 127.0.0.1:%d dropped while `pfctl -vsi` ran", n0->port);
	CHECK_CONTAINS(R.snap.error, expect);
	CHECK(str_starts(R.snap.error, "reconnecting in 1 s after: "));
	CHECK(took < 4.0);
	faults_set(n0, "");
	run_for(1100);
	s = poll_now(b0, 20);
	CHECK(s->reachable);

	test_current = "a host name is resolved without blocking";
	{
		/* getaddrinfo_a behind a timer; known_hosts holds the name */
		char *khl = xasprintf("%s/kh_localhost", H.tmp), *line = xasprintf("[localhost]%s\n",
										  strchr(n0->kh_line, ':'));
		struct node_conf *cl = conf_make("fw1", ROLE_PRIMARY, n0->port, id, khl, false, false, 10);
		struct backend *bl;
		spit(khl, line);
		free(cl->ssh.host);
		cl->ssh.host = xstrdup("localhost");
		bl = backend_make(cl);
		s = poll_now(bl, 20);
		CHECK(s->reachable);
		backend_free(bl);
		free(cl->ssh.host);
		cl->ssh.host = xstrdup("carptop-test.invalid");
		cl->ssh.timeout = 3;
		bl = backend_make(cl);
		s = poll_now(bl, 10);
		CHECK(s->err == NERR_UNREACHABLE || s->err == NERR_TIMEOUT);
		CHECK_CONTAINS(s->error, "resolve");
		CHECK_CONTAINS(s->error, "carptop-test.invalid");
		backend_free(bl);
		conf_free(cl);
		free(khl);
		free(line);
	}

	test_current = "sshd down: refused, with backoff";
	sshd_stop(n0);
	s = poll_now(b0, 20); /* the idle session is dead too: one fresh try, refused */
	CHECK_INT_EQ(s->err, NERR_REFUSED);
	snprintf(expect, sizeof(expect), "reconnecting in 1 s after: connection refused by 127.0.0.1:%d", n0->port);
	CHECK_STR_EQ(s->error, expect);
	s = poll_now(b0, 5);
	CHECK_INT_EQ(s->err, NERR_REFUSED);
	CHECK(str_starts(s->error, "reconnecting in 1 s after: "));
	run_for(1100);
	s = poll_now(b0, 20);
	CHECK_INT_EQ(s->err, NERR_REFUSED);
	CHECK(str_starts(s->error, "reconnecting in 2 s after: connection refused"));
	run_for(1100);
	s = poll_now(b0, 5);
	CHECK(str_starts(s->error, "reconnecting in 1 s after: "));
	sshd_start(n0);
	run_for(1100);
	s = poll_now(b0, 20);
	CHECK(s->reachable);

	backend_free(b0);
	backend_free(b2);
	conf_free(c0);
	conf_free(c2);
	conf_free(ch);
	free(kh);
	free(id);
}

/* ------------------------------------------------------------------ */
/* carpsim: the same harness against the live emulator                 */

static char *carpsim_requests(int node)
{
	char *cmd = xasprintf("curl -sS '%s/ctl/requests/0/%d'", H.ctl_url, node), *out = sh_out(cmd);
	free(cmd);
	return out;
}

static void group_carpsim(void)
{
	struct tnode *n0 = node_setup(0, true), *n1 = node_setup(1, true);
	char *kh = known_hosts("known_hosts", n0, n1), *id = client_key("id_ed25519"), *req;
	struct node_conf *c0 = conf_make("fw1", ROLE_PRIMARY, n0->port, id, kh, false, false, 10);
	struct node_conf *c1 = conf_make("fw2", ROLE_SECONDARY, n1->port, id, kh, false, false, 10);
	struct backend *b0 = backend_make(c0), *b1 = backend_make(c1);
	struct snapshot s0;
	const struct snapshot *s;
	const struct action_result *r;
	size_t i, k;

	test_current = "both nodes of a carpsim pair over ssh";
	snapshot_init(&s0);
	snapshot_copy(&s0, poll_now(b0, 20));
	s = poll_now(b1, 20);
	CHECK(s0.reachable && s->reachable);
	CHECK_INT_EQ(s0.n_partial, 0);
	CHECK_INT_EQ(s->n_partial, 0);
	CHECK(s0.n_vips > 0 && s0.n_vips == s->n_vips);
	/* every CARP VHID has exactly one MASTER across the pair */
	for (i = 0; i < s0.n_vips; i++) {
		int masters = s0.vips[i].status == CARP_ST_MASTER;
		if (s0.vips[i].mode != VIP_MODE_CARP)
			continue;
		for (k = 0; k < s->n_vips; k++)
			if (s->vips[k].vhid == s0.vips[i].vhid && str_eq(s->vips[k].address, s0.vips[i].address))
				masters += s->vips[k].status == CARP_ST_MASTER;
		CHECK_INT_EQ(masters, 1);
		CHECK(s0.vips[i].ifname[0] != '\0');
	}
	CHECK(s0.carp.known && s0.carp.allow == 1);
	CHECK(s0.states.current >= 0 && s0.states.limit > 0);
	CHECK(s0.version[0] && strchr(s0.hostname, '.'));
	CHECK(s0.pfsync.known && s0.pfsync.hostid[0] && s0.pfsync.n_creators >= 1);
	CHECK(s0.hasync.known && s0.hasync.sync_target[0]);
	CHECK(s->hasync.known);
	CHECK(strcmp(s0.pfsync.hostid, s->pfsync.hostid) != 0);

	test_current = "maintenance over ssh changes the emulated node";
	r = act_now(b0, ACT_MAINTENANCE_TOGGLE);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_STR_EQ(r->message, "enter_maintenance");
	s = poll_now(b0, 20);
	CHECK(s->reachable && s->carp.maintenance && s->carp.demotion >= 240);
	r = act_now(b0, ACT_MAINTENANCE_TOGGLE);
	CHECK_STR_EQ(r->message, "leave_maintenance");
	s = poll_now(b0, 20);
	CHECK(s->reachable && !s->carp.maintenance);
	CHECK_INT_EQ(b0->ops->mutations(b0), 2);
	req = carpsim_requests(0);
	CHECK_INT_EQ(count(req, "SSH configctl 200 MUTATING"), 2);
	CHECK_INT_EQ(count(req, " MUTATING"), 2);
	free(req);
	req = carpsim_requests(1);
	CHECK_INT_EQ(count(req, " MUTATING"), 0);
	CHECK(count(req, "SSH ifconfig 200") >= 1);
	free(req);

	/* The VIP program runs in the real PHP CLI against the MVC stub, whose
	 * data is carpsim's: saved, applied, seen in ifconfig; deleted,
	 * applied, gone (the .todo file decides that, as in
	 * reconfigure_vips.php). */
	test_current = "add an IP alias over ssh (PHP CLI on the model)";
	r = act_alias(b1, ACT_VIP_ADD, "", "192.168.1.5", 3);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_CONTAINS(r->message, "saved (uuid ");
	s = poll_now(b1, 20);
	CHECK(s->reachable && vip_addr(s, "192.168.1.5") == NULL); /* pending until applied */
	r = act_now(b1, ACT_VIP_APPLY);
	CHECK_INT_EQ(r->err, NERR_NONE);
	s = poll_now(b1, 20);
	CHECK(vip_addr(s, "192.168.1.5") && vip_addr(s, "192.168.1.5")->vhid == 3 &&
	      vip_addr(s, "192.168.1.5")->status == CARP_ST_BACKUP);

	test_current = "the model refuses an alias without its CARP VIP: nothing saved";
	r = act_alias(b1, ACT_VIP_ADD, "lan", "192.168.1.6", 9);
	CHECK_INT_EQ(r->err, NERR_COMMAND);
	CHECK_CONTAINS(r->message, "VHID 9 must be defined on interface lan as a CARP VIP first.");
	r = act_alias(b1, ACT_VIP_ADD, "lan", "192.168.1.5", 3);
	CHECK_INT_EQ(r->err, NERR_COMMAND);
	CHECK_CONTAINS(r->message, "Address already assigned.");
	r = act_alias(b1, ACT_VIP_ADD, "lan", "192.168.1.7'); system('id", 3);
	CHECK_INT_EQ(r->err, NERR_CONFIG); /* refused before anything is sent */
	req = carpsim_requests(1);
	CHECK_INT_EQ(count(req, "SSH vip 200 MUTATING"), 1);
	CHECK_INT_EQ(count(req, "SSH vip "), 1);
	free(req);

	test_current = "delete the alias over ssh: the address leaves the interface";
	r = act_alias(b1, ACT_VIP_DELETE, "", "192.168.1.5", 3);
	CHECK_INT_EQ(r->err, NERR_NONE);
	CHECK_CONTAINS(r->message, "deleted");
	s = poll_now(b1, 20);
	CHECK(vip_addr(s, "192.168.1.5") != NULL); /* on the interface until applied */
	r = act_now(b1, ACT_VIP_APPLY);
	CHECK_INT_EQ(r->err, NERR_NONE);
	s = poll_now(b1, 20);
	CHECK(s->reachable && vip_addr(s, "192.168.1.5") == NULL);
	r = act_alias(b1, ACT_VIP_DELETE, "", "192.168.1.5", 3);
	CHECK_INT_EQ(r->err, NERR_NOT_FOUND);
	/* The CARP VIP itself is never what a delete matches. */
	r = act_alias(b1, ACT_VIP_DELETE, "", "192.168.1.1", 3);
	CHECK_INT_EQ(r->err, NERR_NOT_FOUND);
	req = carpsim_requests(1);
	CHECK_INT_EQ(count(req, "SSH vip 200 MUTATING"), 2);
	free(req);

	snapshot_clear(&s0);
	backend_free(b0);
	backend_free(b1);
	conf_free(c0);
	conf_free(c1);
	free(kh);
	free(id);
}

/* ------------------------------------------------------------------ */

static void cleanup(void)
{
	int i;
	for (i = 0; i < H.n_nodes; i++) {
		sshd_stop(H.nodes[i]);
		free(H.nodes[i]);
	}
	H.n_nodes = 0;
	if (H.agent_pid > 0) {
		kill(H.agent_pid, SIGTERM);
		waitpid(H.agent_pid, NULL, 0);
	}
	if (H.ctl_pid > 0) {
		kill(H.ctl_pid, SIGTERM);
		waitpid(H.ctl_pid, NULL, 0);
	}
	if (H.loop)
		loop_free(H.loop);
	snapshot_clear(&R.snap);
	free(RCFG.xml);
	if (H.tmp[0] && !getenv("CARPTOP_KEEP_TMP"))
		sh("rm -rf '%s'", H.tmp);
	else if (H.tmp[0])
		printf("# kept %s\n", H.tmp);
}

/* fakectl.py: carpsim's control API served from tests/ssh/fixtures. */
static int ctl_start_fake(void)
{
	char *portfile, *port;
	char *argv[6];
	double t0;

	portfile = xasprintf("%s/ctl.port", H.tmp);
	argv[0] = "/usr/bin/env";
	argv[1] = "python3";
	argv[2] = SSH_TEST_DIR "/fakectl.py";
	argv[3] = xasprintf("%s/ctl", H.tmp);
	argv[4] = portfile;
	argv[5] = NULL;
	{
		char *ctllog = xasprintf("%s/ctl.log", H.tmp);
		char *full[] = { argv[0], argv[1], argv[2], argv[3], argv[4], ctllog, NULL };
		spit(ctllog, "");
		H.ctl_pid = spawn(full, NULL);
		free(ctllog);
	}
	free(argv[3]);
	t0 = now_ms();
	while (file_size(portfile) == 0 && now_ms() - t0 < 10000)
		usleep(20 * 1000);
	port = slurp(portfile);
	free(portfile);
	if (!*port) {
		free(port);
		printf("# the control server did not start\n");
		return -1;
	}
	snprintf(H.ctl_url, sizeof(H.ctl_url), "http://127.0.0.1:%d", atoi(port));
	free(port);
	return 0;
}

/* carpsim itself (path in $CARPSIM), one pair, its live model behind the shims. */
static int ctl_start_carpsim(const char *bin)
{
	char *dir = xasprintf("%s/carpsim", H.tmp), *ready = xasprintf("%s/ready", dir);
	char *log = xasprintf("%s/carpsim.log", H.tmp), *envf = xasprintf("%s/carpsim.env", dir), *env, *url;
	char *argv[] = { (char *)bin, "--dir", dir, "--pairs", "1", NULL };
	double t0 = now_ms();
	int rc = -1;

	H.ctl_pid = spawn(argv, log);
	while (file_size(ready) == 0 && now_ms() - t0 < 15000)
		usleep(20 * 1000);
	env = slurp(envf);
	url = strstr(env, "CARPSIM_CTL=");
	if (url) {
		url += strlen("CARPSIM_CTL=");
		url[strcspn(url, "\n")] = '\0';
		str_copy(H.ctl_url, url, sizeof(H.ctl_url));
		rc = 0;
	} else {
		char *l = slurp(log);
		printf("# carpsim did not start: %s\n", l);
		free(l);
	}
	free(env);
	free(dir);
	free(ready);
	free(log);
	free(envf);
	return rc;
}

static int setup(void)
{
	int rc = 0;

	snprintf(H.tmp, sizeof(H.tmp), "/tmp/carptop-ssh-XXXXXX");
	if (!mkdtemp(H.tmp))
		return -1;
	/* sshd's privilege separation directory */
	mkdir("/run/sshd", 0755);
	rc |= sh("ssh-keygen -q -t ed25519 -N '' -C carptop-test -f '%s/id_ed25519'", H.tmp);
	rc |= sh("ssh-keygen -q -t ed25519 -N '' -C carptop-other -f '%s/id_other'", H.tmp);
	rc |= sh("ssh-keygen -q -t rsa -b 2048 -N '' -C carptop-rsa -f '%s/id_rsa'", H.tmp);
	rc |= sh("ssh-keygen -q -t ed25519 -N '" PASSPHRASE "' -C carptop-enc -f '%s/id_enc'", H.tmp);
	/* id_other is deliberately missing: the wrong-key test */
	rc |= sh("cat '%s/id_ed25519.pub' '%s/id_rsa.pub' '%s/id_enc.pub' > '%s/authorized_keys'", H.tmp, H.tmp, H.tmp,
		 H.tmp);
	/* The emulated nodes' texts, and the how-to's config pair. */
	rc |= sh("cp -r '%s/fixtures' '%s/ctl' && cp '%s/examples/Carp_example_master.xml' '%s/ctl/pair0/node0/config-xml'"
		 " && cp '%s/examples/Carp_example_backup.xml' '%s/ctl/pair0/node1/config-xml'"
		 " && cp -r '%s/ctl/pair0/node0' '%s/ctl/pair0/node2'",
		 SSH_TEST_DIR, H.tmp, FIXTURES_DIR, H.tmp, FIXTURES_DIR, H.tmp, H.tmp, H.tmp);
	if (rc)
		return -1;
	H.loop = loop_new();
	snapshot_init(&R.snap);
	return 0;
}

int main(int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "";
	static const char *const tools[] = { "/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/ssh-agent",
					     "/usr/bin/ssh-add", "/bin/csh", "/usr/bin/curl", "/usr/bin/php",
					     "/usr/bin/unshare" };
	size_t i;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!str_eq(group, "healthy") && !str_eq(group, "hostkeys") && !str_eq(group, "auth") &&
	    !str_eq(group, "faults") && !str_eq(group, "carpsim") && !str_eq(group, "jump")) {
		fprintf(stderr, "usage: %s healthy|hostkeys|auth|faults|jump|carpsim\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0) {
		printf("1..0 # SKIP the ssh integration tests run sshd, which needs root\n");
		return 0;
	}
	for (i = 0; i < ARRAY_LEN(tools); i++) {
		if (access(tools[i], X_OK) != 0) {
			printf("# %s is missing (scripts/deps.sh installs it)\n", tools[i]);
			printf("not ok 1 - %s present\n1..1\n", tools[i]);
			return 1;
		}
	}
	if (str_eq(group, "carpsim") && !getenv("CARPSIM")) {
		printf("1..0 # SKIP carpsim is not built (no libmicrohttpd): set CARPSIM to its path\n");
		return 0;
	}
	atexit(cleanup);
	if (setup() < 0 || (str_eq(group, "carpsim") ? ctl_start_carpsim(getenv("CARPSIM")) : ctl_start_fake()) < 0) {
		printf("not ok 1 - test harness set up\n1..1\n");
		return 1;
	}
	if (str_eq(group, "healthy"))
		group_healthy();
	else if (str_eq(group, "hostkeys"))
		group_hostkeys();
	else if (str_eq(group, "auth"))
		group_auth();
	else if (str_eq(group, "faults"))
		group_faults();
	else if (str_eq(group, "jump"))
		group_jump();
	else
		group_carpsim();
	rc = test_done();
	return rc;
}
