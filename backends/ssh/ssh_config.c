/* OpenSSH client configuration for a host alias: `ssh -G`, or a built-in
 * reader of the same files when the client is not installed (see
 * ssh_config.h for what each covers). */
#include "ssh/ssh_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define SSHCFG_MAX_DEPTH 16    /* Include nesting, as OpenSSH's READCONF_MAX_DEPTH */
#define SSHCFG_MAX_WORDS 64
#define SSHCFG_OUT_MAX (256u * 1024u)

extern char **environ;

void sshcfg_free(struct sshcfg *c)
{
	size_t i;
	free(c->hostname);
	free(c->user);
	for (i = 0; i < c->n_identity; i++)
		free(c->identity[i]);
	free(c->proxyjump);
	free(c->proxycommand);
	memset(c, 0, sizeof(*c));
}

static void add_identity(struct sshcfg *c, const char *path)
{
	if (c->n_identity < SSHCFG_MAX_IDENTITY)
		c->identity[c->n_identity++] = xstrdup(path);
}

/* "none" means "not set" for the proxies (and blocks later values). */
static void drop_none(char **v)
{
	if (*v && strcmp(*v, "none") == 0) {
		free(*v);
		*v = NULL;
	}
}

static const char *local_home(void)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *home = getenv("HOME");
	/* ssh takes ~ from the password database; $HOME only when that fails. */
	if (pw && pw->pw_dir && *pw->pw_dir)
		return pw->pw_dir;
	return home && *home ? home : "/";
}

static const char *local_user(void)
{
	const struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "root";
}

/* ------------------------------------------------------------------ */
/* Tokens                                                               */

char *sshcfg_expand(const char *text, const struct sshcfg_tokens *t, bool tilde, char **cause)
{
	struct strbuf sb;
	const char *p = text;
	char host[256];

	sb_init(&sb);
	if (tilde && p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		sb_add(&sb, local_home());
		p++;
	}
	for (; *p; p++) {
		if (*p != '%') {
			sb_addc(&sb, *p);
			continue;
		}
		p++;
		switch (*p) {
		case '%': sb_addc(&sb, '%'); break;
		case 'h': sb_add(&sb, t->host ? t->host : ""); break;
		case 'n': sb_add(&sb, t->alias ? t->alias : ""); break;
		case 'r': sb_add(&sb, t->user ? t->user : ""); break;
		case 'p': sb_printf(&sb, "%d", t->port > 0 ? t->port : 22); break;
		case 'u': sb_add(&sb, local_user()); break;
		case 'd': sb_add(&sb, local_home()); break;
		case 'l':
		case 'L':
			if (gethostname(host, sizeof(host)) != 0)
				str_copy(host, "localhost", sizeof(host));
			host[sizeof(host) - 1] = '\0';
			if (*p == 'L')
				host[strcspn(host, ".")] = '\0';
			sb_add(&sb, host);
			break;
		default:
			*cause = *p ? xasprintf("unsupported token %%%c in '%s' (carptop knows %%%% %%h %%n %%p %%r "
						"%%u %%d %%l %%L)", *p, text)
				    : xasprintf("'%s' ends with a lone %%", text);
			sb_free(&sb);
			return NULL;
		}
	}
	return sb_steal(&sb);
}

/* ------------------------------------------------------------------ */
/* ProxyJump                                                            */

int sshcfg_parse_jump(const char *spec, char **user, char **host, int *port, char **cause)
{
	const char *s = spec, *at, *h, *end;
	char *rest;
	long p = 0;

	*user = *host = NULL;
	*port = 0;
	if (strchr(spec, ',')) {
		*cause = xasprintf("ProxyJump '%s' has more than one hop; carptop goes through one bastion "
				   "(give the bastion its own ProxyJump in a tunnel you run, or use one hop)",
				   spec);
		return -1;
	}
	if (str_starts(s, "ssh://"))
		s += 6;
	at = strrchr(s, '@');
	if (at) {
		*user = xstrndup(s, (size_t)(at - s));
		s = at + 1;
	}
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			goto bad;
		h = s + 1;
		*host = xstrndup(h, (size_t)(end - h));
		s = end + 1;
	} else {
		end = strchr(s, ':');
		if (!end)
			end = s + strlen(s);
		*host = xstrndup(s, (size_t)(end - s));
		s = end;
	}
	if (*s == ':') {
		p = strtol(s + 1, &rest, 10);
		if (rest == s + 1 || *rest || p < 1 || p > 65535)
			goto bad;
	} else if (*s) {
		goto bad;
	}
	if (!**host || (*user && !**user))
		goto bad;
	*port = (int)p;
	return 0;
bad:
	free(*user);
	free(*host);
	*user = *host = NULL;
	*cause = xasprintf("ProxyJump '%s' is not [user@]host[:port]", spec);
	return -1;
}

/* ------------------------------------------------------------------ */
/* The built-in reader                                                  */

struct reader {
	const char *alias;
	const char *user_dir;
	struct sshcfg *out;
	bool user_set, port_set, host_set, proxy_set; /* first value wins */
	char *cause;
};

/* Split a line into words: whitespace separated, "double quotes" group,
 * an optional '=' after the keyword. Returns the count, -1 on an open quote. */
static int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || (n == 1 && *p == '=' && (p[1] != '\0')))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return n;
		if (*p == '"') {
			char *q = strchr(p + 1, '"');
			if (!q)
				return -1;
			*q = '\0';
			w[n++] = p + 1;
			p = q + 1;
			continue;
		}
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && !(n == 1 && *p == '='))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* Host patterns: the alias matches when some pattern does and no negated
 * one does (case-insensitively, * and ? wildcards). */
static bool host_matches(const char *alias, char **pat, int n)
{
	bool hit = false;
	int i;
	for (i = 0; i < n; i++) {
		bool neg = pat[i][0] == '!';
		if (fnmatch(pat[i] + (neg ? 1 : 0), alias, FNM_CASEFOLD) == 0) {
			if (neg)
				return false;
			hit = true;
		}
	}
	return hit;
}

static int read_file(struct reader *R, const char *path, bool system, int depth);

static int do_include(struct reader *R, const char *file, int line, char **w, int n, bool system, int depth)
{
	int i;
	for (i = 1; i < n; i++) {
		struct sshcfg_tokens none = { 0 };
		char *pat, *cause = NULL;
		glob_t g;
		size_t k;
		int rc = 0;
		char *exp = sshcfg_expand(w[i], &none, true, &cause);
		if (!exp) {
			R->cause = xasprintf("%s:%d: Include %s", file, line, cause);
			free(cause);
			return -1;
		}
		pat = exp[0] == '/' ? xstrdup(exp) : xasprintf("%s/%s", system ? "/etc/ssh" : R->user_dir, exp);
		free(exp);
		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) == 0) {
			for (k = 0; k < g.gl_pathc && rc == 0; k++)
				rc = read_file(R, g.gl_pathv[k], system, depth + 1);
		}
		globfree(&g);
		free(pat);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* One keyword line of an active block. */
static int apply(struct reader *R, const char *file, int line, char **w, int n)
{
	struct sshcfg *o = R->out;
	const char *kw = w[0];

	if (n < 2) {
		R->cause = xasprintf("%s:%d: %s needs a value", file, line, kw);
		return -1;
	}
	if (strcasecmp(kw, "hostname") == 0 && !R->host_set) {
		struct sshcfg_tokens t = { .host = R->alias, .alias = R->alias };
		char *cause = NULL;
		const char *p;
		/* OpenSSH expands only %h and %% here. */
		for (p = strchr(w[1], '%'); p; p = strchr(p + 2, '%')) {
			if (p[1] != 'h' && p[1] != '%') {
				R->cause = xasprintf("%s:%d: HostName may use only the tokens %%h and %%%%", file, line);
				return -1;
			}
		}
		o->hostname = sshcfg_expand(w[1], &t, false, &cause);
		free(cause);
		R->host_set = true;
	} else if (strcasecmp(kw, "user") == 0 && !R->user_set) {
		o->user = xstrdup(w[1]);
		R->user_set = true;
	} else if (strcasecmp(kw, "port") == 0 && !R->port_set) {
		long p;
		if (!str_to_long(w[1], &p) || p < 1 || p > 65535) {
			R->cause = xasprintf("%s:%d: Port '%s' is not a port 1..65535", file, line, w[1]);
			return -1;
		}
		o->port = (int)p;
		R->port_set = true;
	} else if (strcasecmp(kw, "identityfile") == 0) {
		add_identity(o, w[1]);
	} else if (strcasecmp(kw, "proxyjump") == 0 && !R->proxy_set) {
		/* ProxyJump and ProxyCommand exclude each other: the first of
		 * the two wins. */
		o->proxyjump = xstrdup(w[1]);
		R->proxy_set = true;
	} else if (strcasecmp(kw, "proxycommand") == 0 && !R->proxy_set) {
		struct strbuf sb;
		int i;
		/* The rest of the line is the command. */
		sb_init(&sb);
		for (i = 1; i < n; i++)
			sb_printf(&sb, "%s%s", i > 1 ? " " : "", w[i]);
		o->proxycommand = sb_steal(&sb);
		R->proxy_set = true;
	}
	return 0;
}

static int read_file(struct reader *R, const char *path, bool system, int depth)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	bool active = true; /* lines before the first Host apply to every host */

	if (depth > SSHCFG_MAX_DEPTH) {
		R->cause = xasprintf("%s: Include nested more than %d deep", path, SSHCFG_MAX_DEPTH);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		R->cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		char *w[SSHCFG_MAX_WORDS];
		int n;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		n = split_words(line, w, SSHCFG_MAX_WORDS);
		if (n < 0) {
			R->cause = xasprintf("%s:%d: unbalanced quote", path, lineno);
			rc = -1;
		} else if (n == 0) {
			continue;
		} else if (strcasecmp(w[0], "host") == 0) {
			active = host_matches(R->alias, w + 1, n - 1);
		} else if (strcasecmp(w[0], "match") == 0) {
			if (n == 2 && strcasecmp(w[1], "all") == 0) {
				active = true;
			} else {
				R->cause = xasprintf("%s:%d: Match %s needs OpenSSH's own reader: install the OpenSSH "
						     "client (ssh), which carptop then asks with ssh -G",
						     path, lineno, n > 1 ? w[1] : "");
				rc = -1;
			}
		} else if (!active) {
			continue;
		} else if (strcasecmp(w[0], "include") == 0) {
			rc = do_include(R, path, lineno, w, n, system, depth);
		} else {
			rc = apply(R, path, lineno, w, n);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int sshcfg_read(const char *alias, const char *user_file, const char *system_file, const char *user_dir,
		struct sshcfg *out, char **cause)
{
	struct reader R;
	char *dflt = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&R, 0, sizeof(R));
	R.alias = alias;
	R.out = out;
	if (!user_dir)
		user_dir = dflt = xasprintf("%s/.ssh", local_home());
	R.user_dir = user_dir;
	if (user_file)
		rc = read_file(&R, user_file, false, 0);
	if (rc == 0 && system_file)
		rc = read_file(&R, system_file, true, 0);
	free(dflt);
	if (rc < 0) {
		*cause = R.cause;
		sshcfg_free(out);
		return -1;
	}
	if (!out->hostname)
		out->hostname = xstrdup(alias);
	drop_none(&out->proxyjump);
	drop_none(&out->proxycommand);
	return 0;
}

/* ------------------------------------------------------------------ */
/* ssh -G                                                               */

char *sshcfg_find_ssh(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;
	if (!path || !*path)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/ssh", *dir ? dir : ".");
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

/* Run argv (no shell), stdin /dev/null; collect stdout and stderr until
 * both close or the deadline passes (then kill). Returns the exit status,
 * or -1 with *cause set. */
static int run_capture(char *const argv[], double timeout_s, struct strbuf *out, struct strbuf *err, char **cause)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, open_fds = 2, rc;
	pid_t pid;
	double deadline = now_ms() + timeout_s * 1000.0;
	bool killed = false;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		*cause = xasprintf("cannot run %s: %s", argv[0], strerror(errno));
		if (po[0] >= 0) {
			close(po[0]);
			close(po[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		*cause = xasprintf("cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}
	while (open_fds > 0) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		double left = deadline - now_ms();
		int i;
		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (poll(p, 2, (int)left + 1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			char buf[4096];
			ssize_t r;
			struct strbuf *sb = i == 0 ? out : err;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0 && sb->len + (size_t)r <= SSHCFG_OUT_MAX) {
				sb_addn(sb, buf, (size_t)r);
			} else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
				close(p[i].fd);
				if (i == 0)
					po[0] = -1;
				else
					pe[0] = -1;
				open_fds--;
			}
		}
	}
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed) {
		*cause = xasprintf("%s -G did not answer within %.0f s", argv[0], timeout_s);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* `ssh -G` output: "keyword value..." per line, keywords in lower case. */
static void parse_g(const char *text, struct sshcfg *c)
{
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *v = strchr(line, ' ');
		p += len + (p[len] == '\n');
		if (!v) {
			free(line);
			continue;
		}
		*v++ = '\0';
		if (strcmp(line, "hostname") == 0) {
			free(c->hostname);
			c->hostname = xstrdup(v);
		} else if (strcmp(line, "user") == 0) {
			free(c->user);
			c->user = xstrdup(v);
		} else if (strcmp(line, "port") == 0) {
			long n;
			c->port = str_to_long(v, &n) && n > 0 && n < 65536 ? (int)n : 0;
		} else if (strcmp(line, "identityfile") == 0) {
			add_identity(c, v);
		} else if (strcmp(line, "proxyjump") == 0) {
			free(c->proxyjump);
			c->proxyjump = xstrdup(v);
		} else if (strcmp(line, "proxycommand") == 0) {
			free(c->proxycommand);
			c->proxycommand = xstrdup(v);
		}
		free(line);
	}
}

static int run_g(const char *ssh_bin, const char *alias, const char *config_file, double timeout_s,
		 struct sshcfg *c, char **cause)
{
	char *argv[8];
	int n = 0, rc;
	struct strbuf out, err;

	argv[n++] = (char *)ssh_bin;
	argv[n++] = "-G";
	if (config_file) {
		argv[n++] = "-F";
		argv[n++] = (char *)config_file;
	}
	argv[n++] = "--";
	argv[n++] = (char *)alias;
	argv[n] = NULL;
	sb_init(&out);
	sb_init(&err);
	rc = run_capture(argv, timeout_s, &out, &err, cause);
	if (rc > 0) {
		char *e = err.buf ? err.buf : xstrdup("no message");
		e[strcspn(e, "\n")] = '\0';
		*cause = xasprintf("%s -G %s failed (exit %d): %s", ssh_bin, alias, rc, e);
		if (!err.buf)
			free(e);
		rc = -1;
	}
	if (rc == 0)
		parse_g(out.buf ? out.buf : "", c);
	sb_free(&out);
	sb_free(&err);
	return rc;
}

int sshcfg_from_ssh(const char *ssh_bin, const char *alias, const char *config_file, double timeout_s,
		    struct sshcfg *out, char **cause)
{
	struct sshcfg d;
	size_t i;
	bool same_ids;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (run_g(ssh_bin, alias, config_file, timeout_s, out, cause) < 0 ||
	    run_g(ssh_bin, alias, "/dev/null", timeout_s, &d, cause) < 0) {
		sshcfg_free(out);
		sshcfg_free(&d);
		return -1;
	}
	if (!out->hostname)
		out->hostname = xstrdup(alias);
	/* A value equal to OpenSSH's default is taken as not set: carptop's
	 * defaults (user root) then apply (doc/carptop.yaml.5). */
	if (out->user && d.user && strcmp(out->user, d.user) == 0) {
		free(out->user);
		out->user = NULL;
	}
	if (out->port == d.port)
		out->port = 0;
	same_ids = out->n_identity == d.n_identity;
	for (i = 0; same_ids && i < d.n_identity; i++)
		same_ids = strcmp(out->identity[i], d.identity[i]) == 0;
	if (same_ids) {
		for (i = 0; i < out->n_identity; i++)
			free(out->identity[i]);
		out->n_identity = 0;
	}
	drop_none(&out->proxyjump);
	drop_none(&out->proxycommand);
	sshcfg_free(&d);
	return 0;
}
