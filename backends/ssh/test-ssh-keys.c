/* Unit tests of the ssh transport's key handling: base64, fingerprints,
 * known_hosts loading and checking (plain, hashed, [host]:port, changed,
 * changed type, revoked, unknown), method preference, trust-on-first-use
 * appends, the refusal texts, and identity file inspection. The keys are
 * throwaway public keys made with ssh-keygen for this file. */
#include <libssh2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_int.h"
#include "testlib.h"
#include "util.h"

#define KEY_A "AAAAC3NzaC1lZDI1NTE5AAAAIJVV+Y+kD9XoPYbLYmNsUJWeLhzyp1woun6BxKp6mKNW"
#define KEY_B "AAAAC3NzaC1lZDI1NTE5AAAAINMzr8qZ9nawwLWDkMl7vw42YQaw51iAUKar6WWqULcj"
#define KEY_C                                                                                                    \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOdwH5QSZmJASu84uAvz5gycLlUyaBQ5/dhfTehcHqQA6wNGqCe2DaE" \
	"WaI946PwVNCDkR56lTL0j0CJrYTVP1hU="
/* ssh-keygen -H of "[127.0.0.1]:2202 ssh-ed25519 KEY_A" */
#define HASHED_2202 "|1|yRvluljhRgq/aBWfzVEsuk6VRwY=|ZISPbKyrdn/UiyYNJhY1JDw4yjw= ssh-ed25519 " KEY_A
/* sha256 of KEY_A's blob; ssh-keygen -lf prints SHA256:RyeI+fegnrIYcfl4UDlPRmvv7zGlUccz56kHg3Y3i2U */
static const unsigned char KEY_A_SHA256[32] = {
	0x47, 0x27, 0x88, 0xf9, 0xf7, 0xa0, 0x9e, 0xb2, 0x18, 0x71, 0xf9, 0x78, 0x50, 0x39, 0x4f, 0x46,
	0x6b, 0xef, 0xef, 0x31, 0xa5, 0x51, 0xc7, 0x33, 0xe7, 0xa9, 0x07, 0x83, 0x76, 0x37, 0x8b, 0x65,
};

static char tmpdir[] = "/tmp/carptop-test-keys-XXXXXX";

struct blob {
	unsigned char b[512];
	size_t len;
};

static struct blob key_blob(const char *b64)
{
	struct blob k;
	long n = b64_decode(b64, strlen(b64), k.b, sizeof(k.b));
	k.len = n > 0 ? (size_t)n : 0;
	return k;
}

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_base64(void)
{
	char out[64];
	unsigned char raw[64];
	CHECK_INT_EQ(b64_encode((const unsigned char *)"foobar", 6, out, sizeof(out), true), 8);
	CHECK_STR_EQ(out, "Zm9vYmFy");
	b64_encode((const unsigned char *)"fo", 2, out, sizeof(out), true);
	CHECK_STR_EQ(out, "Zm8=");
	b64_encode((const unsigned char *)"fo", 2, out, sizeof(out), false);
	CHECK_STR_EQ(out, "Zm8");
	b64_encode((const unsigned char *)"f", 1, out, sizeof(out), false);
	CHECK_STR_EQ(out, "Zg");
	CHECK_INT_EQ(b64_encode((const unsigned char *)"foobar", 6, out, 8, true), 0); /* no room for the NUL */
	CHECK_INT_EQ(b64_decode("Zm9v\nYmFy", 9, raw, sizeof(raw)), 6);
	CHECK(memcmp(raw, "foobar", 6) == 0);
	CHECK_INT_EQ(b64_decode("Zm8=", 4, raw, sizeof(raw)), 2);
	CHECK_INT_EQ(b64_decode("Zm*v", 4, raw, sizeof(raw)), -1);
	CHECK_INT_EQ(b64_decode("Zm9vYmFy", 8, raw, 3), -1);
}

static void test_fingerprint(void)
{
	char fp[64];
	kh_fingerprint(KEY_A_SHA256, fp, sizeof(fp));
	CHECK_STR_EQ(fp, "SHA256:RyeI+fegnrIYcfl4UDlPRmvv7zGlUccz56kHg3Y3i2U");
	CHECK_STR_EQ(kh_type_label(LIBSSH2_HOSTKEY_TYPE_ED25519), "ED25519");
	CHECK_STR_EQ(kh_type_method(LIBSSH2_HOSTKEY_TYPE_ECDSA_256), "ecdsa-sha2-nistp256");
	CHECK_STR_EQ(kh_type_label(LIBSSH2_HOSTKEY_TYPE_RSA), "RSA");
}

static void test_pattern(void)
{
	char p[64];
	kh_host_pattern(p, sizeof(p), "127.0.0.1", 2201);
	CHECK_STR_EQ(p, "[127.0.0.1]:2201");
	kh_host_pattern(p, sizeof(p), "fw1.example.com", 22);
	CHECK_STR_EQ(p, "fw1.example.com");
}

static void test_load_and_check(void)
{
	LIBSSH2_SESSION *s = libssh2_session_init();
	struct kh_file kh;
	char *cause = NULL, *path, *pref;
	struct blob a = key_blob(KEY_A), b = key_blob(KEY_B), c = key_blob(KEY_C);
	int known = 0;
	/* A line libssh2 cannot read sits in the middle: the lines after it
	 * must still count (libssh2_knownhost_readfile would stop there). */
	path = write_tmp("known_hosts",
			 "# a comment\n"
			 "\n"
			 "[127.0.0.1]:2201 ssh-ed25519 " KEY_A "\n"
			 "@cert-authority *.example.com ssh-ed25519 " KEY_B "\n"
			 "onlyoneword\n" HASHED_2202 "\n"
			 "fw2.example.com ecdsa-sha2-nistp256 " KEY_C " with comment\n"
			 "@revoked * ssh-ed25519 " KEY_B "\n");
	CHECK(s != NULL);
	CHECK_INT_EQ(kh_load(s, path, &kh, &cause), 0);
	CHECK_INT_EQ(kh.n_entries, 3);
	CHECK_INT_EQ(kh.n_skipped, 2);
	CHECK_INT_EQ(kh.n_revoked, 1);

	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2201, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_MATCH);
	/* hashed entry */
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2202, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_MATCH);
	/* another key of the same type: changed */
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2201, (const char *)c.b, c.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_CHANGED);
	/* only ed25519 known, ECDSA offered: changed type */
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2202, (const char *)c.b, c.len, LIBSSH2_HOSTKEY_TYPE_ECDSA_256, &known),
		     KH_CHANGED_TYPE);
	CHECK_INT_EQ(known, LIBSSH2_HOSTKEY_TYPE_ED25519);
	/* other port: unknown */
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2203, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_UNKNOWN);
	CHECK_INT_EQ(kh_check(&kh, "fw2.example.com", 22, (const char *)c.b, c.len, LIBSSH2_HOSTKEY_TYPE_ECDSA_256,
			      NULL),
		     KH_MATCH);
	/* revoked for every host */
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2203, (const char *)b.b, b.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_REVOKED);

	pref = kh_method_pref(&kh, "fw2.example.com", 22);
	CHECK_STR_EQ(pref, "ecdsa-sha2-nistp256,ssh-ed25519,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa");
	free(pref);
	pref = kh_method_pref(&kh, "127.0.0.1", 2202);
	CHECK_STR_EQ(pref, "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa");
	free(pref);

	kh_free(&kh);
	free(path);

	/* Missing file: empty, every host unknown. */
	path = xasprintf("%s/none", tmpdir);
	CHECK_INT_EQ(kh_load(s, path, &kh, &cause), 0);
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2201, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_UNKNOWN);
	kh_free(&kh);
	free(path);
	libssh2_session_free(s);
}

static void test_append(void)
{
	LIBSSH2_SESSION *s = libssh2_session_init();
	struct kh_file kh;
	char *cause = NULL, *path = xasprintf("%s/newdir/known_hosts", tmpdir), *text;
	struct blob a = key_blob(KEY_A);
	struct stat st;

	CHECK_INT_EQ(kh_append(path, "127.0.0.1", 2201, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, &cause),
		     0);
	CHECK(cause == NULL);
	CHECK_INT_EQ(stat(path, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	text = test_read_file(path, NULL);
	CHECK_STR_EQ(text, "[127.0.0.1]:2201 ssh-ed25519 " KEY_A "\n");
	free(text);
	CHECK_INT_EQ(kh_load(s, path, &kh, &cause), 0);
	CHECK_INT_EQ(kh_check(&kh, "127.0.0.1", 2201, (const char *)a.b, a.len, LIBSSH2_HOSTKEY_TYPE_ED25519, NULL),
		     KH_MATCH);
	kh_free(&kh);
	free(path);
	libssh2_session_free(s);
}

static void test_messages(void)
{
	char msg[SNAP_MSG_LEN], fp[64];
	kh_fingerprint(KEY_A_SHA256, fp, sizeof(fp));
	kh_msg_unknown(msg, sizeof(msg), "127.0.0.1", 2201, LIBSSH2_HOSTKEY_TYPE_ED25519, fp,
		       "/tmp/carptop-ssh-abcdef/known_hosts");
	CHECK_CONTAINS(msg, "unknown host 127.0.0.1:2201");
	CHECK_CONTAINS(msg, "ED25519 SHA256:RyeI+fegnrIYcfl4UDlPRmvv7zGlUccz56kHg3Y3i2U");
	CHECK_CONTAINS(msg, "ssh-keyscan -p 2201 127.0.0.1 >> /tmp/carptop-ssh-abcdef/known_hosts");
	CHECK_CONTAINS(msg, "trust_on_first_use: true");

	kh_msg_changed(msg, sizeof(msg), KH_CHANGED, "127.0.0.1", 2201, LIBSSH2_HOSTKEY_TYPE_ED25519, 0, fp,
		       "/tmp/carptop-ssh-abcdef/known_hosts");
	CHECK(str_starts(msg, "HOST KEY FOR 127.0.0.1:2201 HAS CHANGED"));
	CHECK_CONTAINS(msg, "man-in-the-middle");
	CHECK_CONTAINS(msg, "New ED25519 key SHA256:RyeI+fegnrIYcfl4UDlPRmvv7zGlUccz56kHg3Y3i2U");
	CHECK_CONTAINS(msg, "only if you know why it changed");
	CHECK_CONTAINS(msg, "ssh-keygen -R '[127.0.0.1]:2201'");
	CHECK(strlen(msg) < SNAP_MSG_LEN - 1); /* not cut */

	/* A path too long to fit is left out rather than cut. */
	kh_msg_changed(msg, sizeof(msg), KH_CHANGED, "127.0.0.1", 2201, LIBSSH2_HOSTKEY_TYPE_ED25519, 0, fp,
		       "/a/very/long/path/that/does/not/fit/into/the/message/at/all/known_hosts");
	CHECK(strstr(msg, " -f ") == NULL);
	CHECK(str_starts(msg + strlen(msg) - 32, "ssh-keygen -R '[127.0.0.1]:2201'"));

	kh_msg_changed(msg, sizeof(msg), KH_CHANGED_TYPE, "127.0.0.1", 22, LIBSSH2_HOSTKEY_TYPE_ECDSA_256,
		       LIBSSH2_HOSTKEY_TYPE_ED25519, fp, "/k");
	CHECK_CONTAINS(msg, "HAS CHANGED");
	CHECK_CONTAINS(msg, "New ECDSA key");
	CHECK_CONTAINS(msg, "(was ED25519)");
	CHECK_CONTAINS(msg, "ssh-keygen -R '127.0.0.1' -f /k");

	kh_msg_changed(msg, sizeof(msg), KH_REVOKED, "127.0.0.1", 22, LIBSSH2_HOSTKEY_TYPE_ED25519, 0, fp, "/k");
	CHECK_CONTAINS(msg, "IS REVOKED");
}

/* An openssh-key-v1 container with the given cipher and key type and a
 * dummy private part: the parser only reads the clear header. */
static char *openssh_key(const char *cipher, const char *type)
{
	unsigned char bin[512];
	size_t o = 0;
	char b64[1024];
	const char *parts[3] = { cipher, strcmp(cipher, "none") ? "bcrypt" : "none", "" };
	int i;
#define PUT32(v) do { bin[o++] = (unsigned char)((v) >> 24); bin[o++] = (unsigned char)((v) >> 16); \
	bin[o++] = (unsigned char)((v) >> 8); bin[o++] = (unsigned char)(v); } while (0)
	memcpy(bin, "openssh-key-v1", 15);
	o = 15;
	for (i = 0; i < 3; i++) {
		PUT32(strlen(parts[i]));
		memcpy(bin + o, parts[i], strlen(parts[i]));
		o += strlen(parts[i]);
	}
	PUT32(1u);
	PUT32(4 + strlen(type) + 4 + 32);
	PUT32(strlen(type));
	memcpy(bin + o, type, strlen(type));
	o += strlen(type);
	PUT32(32u);
	memset(bin + o, 0x5a, 32);
	o += 32;
	PUT32(16u);
	memset(bin + o, 0, 16);
	o += 16;
#undef PUT32
	b64_encode(bin, o, b64, sizeof(b64), true);
	return xasprintf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n", b64);
}

static void test_identity(void)
{
	struct id_info id;
	char *cause = NULL, *k, *path;

	k = openssh_key("none", "ssh-ed25519");
	CHECK_INT_EQ(id_inspect_text(k, NULL, &id, &cause), 0);
	CHECK_INT_EQ(id.type, IDK_ED25519);
	CHECK(!id.encrypted);
	CHECK_STR_EQ(id.type_name, "ssh-ed25519");
	free(k);

	k = openssh_key("aes256-ctr", "ssh-ed25519");
	CHECK_INT_EQ(id_inspect_text(k, NULL, &id, &cause), 0);
	CHECK(id.encrypted);
	free(k);

	k = openssh_key("none", "ssh-rsa");
	CHECK_INT_EQ(id_inspect_text(k, NULL, &id, &cause), 0);
	CHECK_INT_EQ(id.type, IDK_RSA);
	free(k);

	k = openssh_key("none", "ecdsa-sha2-nistp256");
	path = write_tmp("id_ecdsa", k);
	CHECK_INT_EQ(id_inspect(path, &id, &cause), 0);
	CHECK_INT_EQ(id.type, IDK_ECDSA);
	free(path);
	free(k);

	k = openssh_key("none", "sk-ssh-ed25519@openssh.com");
	CHECK_INT_EQ(id_inspect_text(k, NULL, &id, &cause), 0);
	CHECK_INT_EQ(id.type, IDK_SK);
	free(k);

	CHECK_INT_EQ(id_inspect_text("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
				     "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
				     NULL, &id, &cause),
		     0);
	CHECK_INT_EQ(id.type, IDK_RSA);
	CHECK(id.encrypted);
	CHECK_INT_EQ(id_inspect_text("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", NULL, &id,
				     &cause),
		     0);
	CHECK_INT_EQ(id.type, IDK_ECDSA);
	CHECK(!id.encrypted);
	/* PKCS#8 says nothing of the type: the .pub file does. */
	CHECK_INT_EQ(id_inspect_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
				     "ssh-ed25519 " KEY_A " me@host\n", &id, &cause),
		     0);
	CHECK_INT_EQ(id.type, IDK_ED25519);

	CHECK_INT_EQ(id_inspect_text("ssh-ed25519 " KEY_A "\n", NULL, &id, &cause), -1);
	CHECK_CONTAINS(cause, "public key");
	free(cause);
	cause = NULL;
	CHECK_INT_EQ(id_inspect_text("hello\n", NULL, &id, &cause), -1);
	CHECK_CONTAINS(cause, "not a private key");
	free(cause);
	cause = NULL;
	path = xasprintf("%s/missing", tmpdir);
	CHECK_INT_EQ(id_inspect(path, &id, &cause), -1);
	CHECK_CONTAINS(cause, "cannot read identity file");
	free(cause);
	free(path);
}

int main(void)
{
	int rc;
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	libssh2_init(0);
	RUN(test_base64);
	RUN(test_fingerprint);
	RUN(test_pattern);
	RUN(test_load_and_check);
	RUN(test_append);
	RUN(test_messages);
	RUN(test_identity);
	libssh2_exit();
	rc = test_done();
	{
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
		free(cmd);
	}
	return rc;
}
