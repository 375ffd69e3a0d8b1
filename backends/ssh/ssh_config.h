/* What OpenSSH's client configuration says about a host alias
 * (ssh_config.c): a node's `ssh.host` may be a name from ~/.ssh/config, as
 * operators write `ssh fw1`. Two ways to read it:
 *
 *   - `ssh -G <alias>` when the OpenSSH client is installed: OpenSSH's own
 *     answer, Match and Include and every token included;
 *   - otherwise a built-in reader of the same files: Host patterns (*, ?,
 *     !negation), Match all, Include (globs, nested), HostName (%h %%),
 *     User, Port, IdentityFile, ProxyJump, ProxyCommand; the first value of
 *     a keyword wins, as in OpenSSH. Other Match criteria are refused: they
 *     could hide a ProxyJump the reader would then skip.
 *
 * Only values the configuration sets are reported (OpenSSH's defaults are
 * not): carptop's own defaults and explicit carptop.yaml values decide the
 * rest (ssh_backend.c). */
#ifndef CARPTOP_SSH_CONFIG_H
#define CARPTOP_SSH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SSHCFG_MAX_IDENTITY 16

struct sshcfg {
	char *hostname;        /* HostName (tokens expanded), else the alias itself */
	char *user;            /* NULL: not set */
	int port;              /* 0: not set */
	char *identity[SSHCFG_MAX_IDENTITY]; /* IdentityFile as written: ~ and tokens unexpanded */
	size_t n_identity;
	char *proxyjump;       /* NULL: not set or "none" */
	char *proxycommand;    /* NULL: not set or "none"; tokens unexpanded */
};

void sshcfg_free(struct sshcfg *c);

/* The built-in reader. `user_file` (NULL: none) is read first, then
 * `system_file` (NULL: none), as ssh reads ~/.ssh/config then
 * /etc/ssh/ssh_config; a missing file is empty. A relative Include is taken
 * from `user_dir` in the user file (ssh: ~/.ssh) and from /etc/ssh in the
 * system file. Fails with "FILE:LINE: what" in *cause. */
int sshcfg_read(const char *alias, const char *user_file, const char *system_file, const char *user_dir,
		struct sshcfg *out, char **cause);

/* `ssh -G [-F config_file] -- alias` (config_file NULL: ssh's own files),
 * run without a shell and killed after timeout_s. What differs from
 * `ssh -G -F /dev/null -- alias` (OpenSSH's defaults) is what the
 * configuration set. Fails with ssh's own message in *cause. */
int sshcfg_from_ssh(const char *ssh_bin, const char *alias, const char *config_file, double timeout_s,
		    struct sshcfg *out, char **cause);

/* The OpenSSH client on $PATH ("ssh"), or NULL. A new string. */
char *sshcfg_find_ssh(void);

/* Values for the %-tokens of IdentityFile and ProxyCommand. */
struct sshcfg_tokens {
	const char *host;       /* %h: the HostName */
	const char *alias;      /* %n: what the node's ssh.host says */
	const char *user;       /* %r: the remote user */
	int port;               /* %p */
};

/* Expand a leading ~ (~/ only) and %% %h %n %p %r %u (local user) %d
 * (local home) %l %L (local host name, full and short). An unknown token
 * fails (*cause names it). A new string. */
char *sshcfg_expand(const char *text, const struct sshcfg_tokens *t, bool tilde, char **cause);

/* ProxyJump "[user@]host[:port]" or "ssh://[user@]host[:port]", one hop:
 * a list (a,b) fails with a clear message. *user NULL when not given, *port
 * 0. New strings. */
int sshcfg_parse_jump(const char *spec, char **user, char **host, int *port, char **cause);

#endif
