/* What kind of private key an identity file holds, and whether it is
 * encrypted, found without libssh2: an encrypted PEM key handed to libssh2
 * without a passphrase makes OpenSSL ask on the terminal (under the console!),
 * and libssh2's "unable to extract public key" says nothing about why. Knowing
 * the type also lets carptop explain an RSA refusal instead of "auth failed". */
#include "ssh/ssh_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ID_FILE_MAX (64 * 1024) /* private keys are a few KiB; anything larger is not one */

static const struct {
	const char *prefix;
	enum id_keytype type;
} type_names[] = {
	{ "sk-ssh-ed25519", IDK_SK }, /* FIDO keys: libssh2 cannot use them */
	{ "sk-ecdsa-", IDK_SK },
	{ "ssh-ed25519", IDK_ED25519 },
	{ "ecdsa-sha2-", IDK_ECDSA },
	{ "ssh-rsa", IDK_RSA },
	{ "ssh-dss", IDK_DSA },
};

enum id_keytype id_type_from_name(const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(type_names); i++) {
		size_t pl = strlen(type_names[i].prefix);
		if (len >= pl && memcmp(name, type_names[i].prefix, pl) == 0)
			return type_names[i].type;
	}
	return IDK_UNKNOWN;
}

const char *id_type_label(enum id_keytype t)
{
	switch (t) {
	case IDK_ED25519: return "ED25519";
	case IDK_ECDSA: return "ECDSA";
	case IDK_RSA: return "RSA";
	case IDK_DSA: return "DSA";
	case IDK_SK: return "security-key";
	default: return "unknown";
	}
}

/* A big-endian uint32 length and that many bytes, as in the SSH wire format. */
static bool get_string(const unsigned char **p, const unsigned char *end, const unsigned char **s, uint32_t *len)
{
	uint32_t n;
	if (end - *p < 4)
		return false;
	n = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (uint32_t)(*p)[3];
	*p += 4;
	if ((uint32_t)(end - *p) < n)
		return false;
	*s = *p;
	*len = n;
	*p += n;
	return true;
}

static void set_type_name(struct id_info *out, const char *name, size_t len)
{
	if (len >= sizeof(out->type_name))
		len = sizeof(out->type_name) - 1;
	memcpy(out->type_name, name, len);
	out->type_name[len] = '\0';
	out->type = id_type_from_name(name, len);
}

/* The body between the BEGIN and END lines of a PEM-style block. */
static const char *pem_body(const char *text, const char *label, size_t *len)
{
	char begin[80], end[80];
	const char *b, *e;
	str_printf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	str_printf(end, sizeof(end), "-----END %s-----", label);
	b = strstr(text, begin);
	if (!b)
		return NULL;
	b += strlen(begin);
	e = strstr(b, end);
	if (!e)
		return NULL;
	*len = (size_t)(e - b);
	return b;
}

/* openssh-key-v1: magic, ciphername, kdfname, kdfoptions, key count, then
 * the public keys in clear (each starting with its type name). */
static int inspect_openssh(const char *body, size_t blen, struct id_info *out, char **cause)
{
	static const char magic[] = "openssh-key-v1";
	unsigned char *raw = xmalloc(blen);
	const unsigned char *p, *end, *s, *pub, *ps, *pend;
	uint32_t n, npub, tl;
	long rl = b64_decode(body, blen, raw, blen);
	int rc = -1;

	if (rl < (long)sizeof(magic) || memcmp(raw, magic, sizeof(magic)) != 0) {
		*cause = xstrdup("not a valid OpenSSH private key (bad header)");
		goto out;
	}
	p = raw + sizeof(magic);
	end = raw + rl;
	if (!get_string(&p, end, &s, &n)) /* ciphername */
		goto bad;
	out->encrypted = !(n == 4 && memcmp(s, "none", 4) == 0);
	if (!get_string(&p, end, &s, &n) || !get_string(&p, end, &s, &n)) /* kdfname, kdfoptions */
		goto bad;
	if (end - p < 4)
		goto bad;
	p += 4; /* number of keys; the first one is the one ssh uses */
	if (!get_string(&p, end, &pub, &npub))
		goto bad;
	ps = pub;
	pend = pub + npub;
	if (!get_string(&ps, pend, &s, &tl))
		goto bad;
	set_type_name(out, (const char *)s, tl);
	rc = 0;
	goto out;
bad:
	*cause = xstrdup("not a valid OpenSSH private key (truncated)");
out:
	free(raw);
	return rc;
}

static void type_from_pub(const char *pub, struct id_info *out)
{
	size_t n;
	if (!pub)
		return;
	while (*pub == ' ' || *pub == '\t')
		pub++;
	n = strcspn(pub, " \t\r\n");
	if (n)
		set_type_name(out, pub, n);
}

int id_inspect_text(const char *text, const char *pub, struct id_info *out, char **cause)
{
	static const struct {
		const char *label;
		enum id_keytype type;
		const char *name;
	} pem[] = {
		{ "RSA PRIVATE KEY", IDK_RSA, "ssh-rsa" },
		{ "EC PRIVATE KEY", IDK_ECDSA, "ecdsa-sha2-nistp256" },
		{ "DSA PRIVATE KEY", IDK_DSA, "ssh-dss" },
		{ "ENCRYPTED PRIVATE KEY", IDK_UNKNOWN, "" }, /* PKCS#8, encrypted */
		{ "PRIVATE KEY", IDK_UNKNOWN, "" },           /* PKCS#8 */
	};
	const char *body;
	size_t blen, i;

	memset(out, 0, sizeof(*out));
	body = pem_body(text, "OPENSSH PRIVATE KEY", &blen);
	if (body)
		return inspect_openssh(body, blen, out, cause);
	for (i = 0; i < ARRAY_LEN(pem); i++) {
		body = pem_body(text, pem[i].label, &blen);
		if (!body)
			continue;
		out->type = pem[i].type;
		str_copy(out->type_name, pem[i].name, sizeof(out->type_name));
		/* Legacy PEM encryption is announced in a header line. */
		out->encrypted = strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL ||
				 strcmp(pem[i].label, "ENCRYPTED PRIVATE KEY") == 0;
		if (out->type == IDK_UNKNOWN)
			type_from_pub(pub, out);
		return 0;
	}
	if (id_type_from_name(text, strcspn(text, " \t")) != IDK_UNKNOWN)
		*cause = xstrdup("this is a public key; identity_file must name the private key (without .pub)");
	else
		*cause = xstrdup("not a private key file (no BEGIN ... PRIVATE KEY block)");
	return -1;
}

static char *read_small(const char *path, int *err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	if (!f) {
		*err = errno;
		return NULL;
	}
	buf = xmalloc(ID_FILE_MAX + 1);
	n = fread(buf, 1, ID_FILE_MAX, f);
	buf[n] = '\0';
	fclose(f);
	*err = 0;
	return buf;
}

int id_inspect(const char *path, struct id_info *out, char **cause)
{
	int err;
	char *text = read_small(path, &err), *pub = NULL, *pubpath, *why = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text) {
		*cause = xasprintf("cannot read identity file %s: %s", path, strerror(err));
		return -1;
	}
	pubpath = xasprintf("%s.pub", path);
	pub = read_small(pubpath, &err);
	free(pubpath);
	rc = id_inspect_text(text, pub, out, &why);
	if (rc < 0) {
		*cause = xasprintf("identity file %s: %s", path, why);
		free(why);
	}
	/* The text is key material: wipe it before it goes back to the heap. */
	explicit_bzero(text, ID_FILE_MAX + 1);
	free(text);
	free(pub);
	return rc;
}
