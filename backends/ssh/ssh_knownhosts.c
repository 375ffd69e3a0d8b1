/* Host key verification against an OpenSSH known_hosts file, and the texts
 * that explain a refusal. libssh2 does the matching (plain, hashed
 * |1|salt|hash and [host]:port entries); this file loads the file robustly,
 * works out which key types are known for a host, tells a changed key from an
 * unknown host, and appends entries for trust on first use. */
#include "ssh/ssh_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* ---- base64 ------------------------------------------------------------ */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t b64_encode(const unsigned char *src, size_t len, char *dst, size_t dstsz, bool pad)
{
	size_t i, o = 0;
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)src[i] << 16;
		size_t rem = len - i;
		char q[4];
		size_t k, nq;
		if (rem > 1)
			v |= (unsigned)src[i + 1] << 8;
		if (rem > 2)
			v |= src[i + 2];
		q[0] = b64_alphabet[(v >> 18) & 63];
		q[1] = b64_alphabet[(v >> 12) & 63];
		q[2] = rem > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		q[3] = rem > 2 ? b64_alphabet[v & 63] : '=';
		nq = pad ? 4 : rem > 2 ? 4 : rem + 1;
		if (o + nq + 1 > dstsz) {
			if (dstsz)
				dst[0] = '\0';
			return 0;
		}
		for (k = 0; k < nq; k++)
			dst[o++] = q[k];
	}
	if (o + 1 > dstsz)
		return 0;
	dst[o] = '\0';
	return o;
}

static int b64_value(char c)
{
	const char *p;
	if (c == '\0')
		return -1;
	p = strchr(b64_alphabet, c);
	return p ? (int)(p - b64_alphabet) : -1;
}

long b64_decode(const char *src, size_t len, unsigned char *dst, size_t dstsz)
{
	unsigned v = 0;
	int bits = 0;
	size_t i, o = 0;
	for (i = 0; i < len; i++) {
		int d;
		char c = src[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=')
			break;
		d = b64_value(c);
		if (d < 0)
			return -1;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= dstsz)
				return -1;
			dst[o++] = (unsigned char)((v >> bits) & 0xff);
		}
	}
	return (long)o;
}

/* ---- key types ----------------------------------------------------------- */

static const struct key_type {
	int hostkey;          /* LIBSSH2_HOSTKEY_TYPE_* */
	int knownhost;        /* LIBSSH2_KNOWNHOST_KEY_* */
	const char *method;   /* hostkey method and known_hosts key type name */
	const char *label;
} key_types[] = {
	/* carptop's preference order: what OPNsense generates and libssh2 1.10
	 * verifies with modern signatures first. libssh2 1.10 verifies an RSA
	 * host key only with ssh-rsa (SHA-1) signatures, which OpenSSH 8.8+
	 * servers no longer make by default: it stays last. */
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519", "ED25519" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256", "ECDSA" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384", "ECDSA" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521", "ECDSA" },
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa", "RSA" },
};

static const struct key_type *key_type_of(int hostkey_type)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(key_types); i++)
		if (key_types[i].hostkey == hostkey_type)
			return &key_types[i];
	return NULL;
}

const char *kh_type_label(int type)
{
	const struct key_type *k = key_type_of(type);
	return k ? k->label : "UNKNOWN";
}

const char *kh_type_method(int type)
{
	const struct key_type *k = key_type_of(type);
	return k ? k->method : "unknown";
}

/* ---- loading ----------------------------------------------------------- */

static void add_revoked(struct kh_file *kh, char *line)
{
	/* "@revoked <hosts> <keytype> <base64> [comment]" */
	char *save = NULL, *w[4];
	int i;
	for (i = 0; i < 4; i++) {
		w[i] = strtok_r(i == 0 ? line : NULL, " \t", &save);
		if (!w[i])
			return;
	}
	kh->revoked = xrealloc(kh->revoked, (kh->n_revoked + 1) * sizeof(*kh->revoked));
	kh->revoked[kh->n_revoked++] = xstrdup(w[3]);
}

int kh_load(LIBSSH2_SESSION *session, const char *path, struct kh_file *kh, char **cause)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(kh, 0, sizeof(*kh));
	kh->hosts = libssh2_knownhost_init(session);
	if (!kh->hosts) {
		*cause = xstrdup("libssh2 could not set up known hosts");
		return -1;
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0; /* every host unknown; trust_on_first_use creates it */
		*cause = xasprintf("cannot read known_hosts %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '@') {
			/* @cert-authority: carptop does not do host certificates. */
			if (strncmp(p, "@revoked", 8) == 0)
				add_revoked(kh, p);
			else
				kh->n_skipped++;
			continue;
		}
		if (libssh2_knownhost_readline(kh->hosts, p, strlen(p), LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0)
			kh->n_entries++;
		else
			kh->n_skipped++;
	}
	free(line);
	fclose(f);
	return 0;
}

void kh_free(struct kh_file *kh)
{
	size_t i;
	if (kh->hosts)
		libssh2_knownhost_free(kh->hosts);
	for (i = 0; i < kh->n_revoked; i++)
		free(kh->revoked[i]);
	free(kh->revoked);
	memset(kh, 0, sizeof(*kh));
}

/* ---- checking ---------------------------------------------------------- */

/* Is any entry of this key type recorded for host:port? A check with a key
 * that cannot match tells: libssh2 answers MISMATCH exactly when an entry
 * with that host and type exists (hashed ones included). */
static bool type_known(const struct kh_file *kh, const char *host, int port, int knownhost_key)
{
	static const char probe[] = "carptop-probe";
	return libssh2_knownhost_checkp(kh->hosts, host, port, probe, sizeof(probe) - 1,
					LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | knownhost_key,
					NULL) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH;
}

enum kh_verdict kh_check(const struct kh_file *kh, const char *host, int port, const char *key, size_t keylen,
			 int type, int *known_type)
{
	const struct key_type *kt = key_type_of(type);
	char b64[2048];
	size_t i;
	int rc;

	if (b64_encode((const unsigned char *)key, keylen, b64, sizeof(b64), true))
		for (i = 0; i < kh->n_revoked; i++)
			if (strcmp(kh->revoked[i], b64) == 0)
				return KH_REVOKED;
	if (!kh->hosts)
		return KH_UNKNOWN;
	if (kt) {
		rc = libssh2_knownhost_checkp(kh->hosts, host, port, key, keylen,
					      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
						      kt->knownhost,
					      NULL);
		if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
			return KH_MATCH;
		if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
			return KH_CHANGED;
	}
	/* Not found with this type: a host known under another type has
	 * changed its key as far as we can tell (ssh refuses this too). */
	for (i = 0; i < ARRAY_LEN(key_types); i++) {
		if (kt && key_types[i].hostkey == kt->hostkey)
			continue;
		if (type_known(kh, host, port, key_types[i].knownhost)) {
			if (known_type)
				*known_type = key_types[i].hostkey;
			return KH_CHANGED_TYPE;
		}
	}
	return KH_UNKNOWN;
}

char *kh_method_pref(const struct kh_file *kh, const char *host, int port)
{
	struct strbuf sb;
	bool used[ARRAY_LEN(key_types)] = { false };
	size_t i;

	sb_init(&sb);
	for (i = 0; kh->hosts && i < ARRAY_LEN(key_types); i++) {
		if (type_known(kh, host, port, key_types[i].knownhost)) {
			sb_printf(&sb, "%s%s", sb.len ? "," : "", key_types[i].method);
			used[i] = true;
		}
	}
	for (i = 0; i < ARRAY_LEN(key_types); i++)
		if (!used[i])
			sb_printf(&sb, "%s%s", sb.len ? "," : "", key_types[i].method);
	return sb_steal(&sb);
}

/* ---- writing ----------------------------------------------------------- */

void kh_host_pattern(char *dst, size_t n, const char *host, int port)
{
	if (port == 22)
		str_copy(dst, host, n);
	else
		str_printf(dst, n, "[%s]:%d", host, port);
}

static int ensure_parent_dir(const char *path, char **cause)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) < 0) {
			if (errno != ENOENT || mkdir(dir, 0700) < 0) {
				*cause = xasprintf("cannot create directory %s for known_hosts: %s", dir, strerror(errno));
				rc = -1;
			}
		}
	}
	free(dir);
	return rc;
}

int kh_append(const char *path, const char *host, int port, const char *key, size_t keylen, int type, char **cause)
{
	const struct key_type *kt = key_type_of(type);
	char pattern[300], *b64, *line;
	size_t b64sz = keylen * 4 / 3 + 8;
	int fd;
	ssize_t w;

	if (!kt) {
		*cause = xasprintf("host key type %d cannot be written to known_hosts", type);
		return -1;
	}
	if (ensure_parent_dir(path, cause) < 0)
		return -1;
	b64 = xmalloc(b64sz);
	if (!b64_encode((const unsigned char *)key, keylen, b64, b64sz, true)) {
		free(b64);
		*cause = xstrdup("host key too large to encode");
		return -1;
	}
	kh_host_pattern(pattern, sizeof(pattern), host, port);
	line = xasprintf("%s %s %s\n", pattern, kt->method, b64);
	free(b64);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("cannot write known_hosts %s: %s", path, strerror(errno));
		free(line);
		return -1;
	}
	/* One write with O_APPEND: a concurrent ssh appending too cannot
	 * interleave inside the line. */
	w = write(fd, line, strlen(line));
	if (w != (ssize_t)strlen(line)) {
		*cause = xasprintf("cannot write known_hosts %s: %s", path, w < 0 ? strerror(errno) : "short write");
		close(fd);
		free(line);
		return -1;
	}
	free(line);
	if (close(fd) < 0) {
		*cause = xasprintf("cannot write known_hosts %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- texts ------------------------------------------------------------- */

void kh_fingerprint(const unsigned char *sha256, char *dst, size_t n)
{
	char b64[64];
	b64_encode(sha256, 32, b64, sizeof(b64), false);
	str_printf(dst, n, "SHA256:%s", b64);
}

static void host_port(char *dst, size_t n, const char *host, int port)
{
	if (strchr(host, ':'))
		str_printf(dst, n, "[%s]:%d", host, port);
	else
		str_printf(dst, n, "%s:%d", host, port);
}

void kh_msg_unknown(char *dst, size_t n, const char *host, int port, int type, const char *fp,
		    const char *known_hosts)
{
	char hp[300], scan[320];
	host_port(hp, sizeof(hp), host, port);
	if (port == 22)
		str_printf(scan, sizeof(scan), "ssh-keyscan %s", host);
	else
		str_printf(scan, sizeof(scan), "ssh-keyscan -p %d %s", port, host);
	str_printf(dst, n,
		   "unknown host %s (%s %s); check the fingerprint out of band, then: %s >> %s, "
		   "or set trust_on_first_use: true",
		   hp, kh_type_label(type), fp, scan, known_hosts);
}

void kh_msg_changed(char *dst, size_t n, enum kh_verdict v, const char *host, int port, int type, int known_type,
		    const char *fp, const char *known_hosts)
{
	char hp[300], pat[300];
	const char *home = getenv("HOME");
	char *deflt = home ? xasprintf("%s/.ssh/known_hosts", home) : NULL;
	size_t len;

	host_port(hp, sizeof(hp), host, port);
	kh_host_pattern(pat, sizeof(pat), host, port);
	switch (v) {
	case KH_REVOKED:
		str_printf(dst, n, "HOST KEY FOR %s IS REVOKED in %s — refusing to connect (%s key %s)", hp,
			   known_hosts, kh_type_label(type), fp);
		free(deflt);
		return;
	case KH_CHANGED_TYPE:
		str_printf(dst, n,
			   "HOST KEY FOR %s HAS CHANGED — possible man-in-the-middle attack. New %s key %s "
			   "(was %s); only if you know why, remove the old entry: ssh-keygen -R '%s'",
			   hp, kh_type_label(type), fp, kh_type_label(known_type), pat);
		break;
	default:
		str_printf(dst, n,
			   "HOST KEY FOR %s HAS CHANGED — possible man-in-the-middle attack. New %s key %s; "
			   "only if you know why it changed, remove the old entry: ssh-keygen -R '%s'",
			   hp, kh_type_label(type), fp, pat);
		break;
	}
	/* Name a non-default file, but only whole: a cut path would make the
	 * suggested command wrong. */
	len = strlen(dst);
	if ((!deflt || strcmp(deflt, known_hosts) != 0) && len + 4 + strlen(known_hosts) < n)
		str_printf(dst + len, n - len, " -f %s", known_hosts);
	free(deflt);
}
