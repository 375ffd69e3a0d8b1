#include "emu_certs.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

struct emu_ca {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

#define TRY(expr, what)                                                              \
	do {                                                                             \
		int rc_ = (expr);                                                            \
		if (rc_ < 0) {                                                               \
			*cause = xasprintf("%s: %s", what, gnutls_strerror(rc_));            \
			goto fail;                                                           \
		}                                                                            \
	} while (0)

static int new_key(gnutls_x509_privkey_t *key, char **cause)
{
	TRY(gnutls_x509_privkey_init(key), "key init");
	TRY(gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	    "key generate");
	return 0;
fail:
	return -1;
}

static int set_basics(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *cn, time_t from, time_t to,
		      unsigned serial, char **cause)
{
	unsigned char ser[4] = { (unsigned char)(serial >> 24), (unsigned char)(serial >> 16),
				 (unsigned char)(serial >> 8), (unsigned char)serial };
	TRY(gnutls_x509_crt_set_version(crt, 3), "version");
	TRY(gnutls_x509_crt_set_serial(crt, ser, sizeof(ser)), "serial");
	TRY(gnutls_x509_crt_set_activation_time(crt, from), "activation");
	TRY(gnutls_x509_crt_set_expiration_time(crt, to), "expiration");
	TRY(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)), "dn");
	TRY(gnutls_x509_crt_set_key(crt, key), "set key");
	return 0;
fail:
	return -1;
}

static char *export_crt(gnutls_x509_crt_t crt)
{
	gnutls_datum_t d;
	char *s;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d) < 0)
		return NULL;
	s = xstrndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

static char *export_key(gnutls_x509_privkey_t key)
{
	gnutls_datum_t d;
	char *s;
	if (gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d) < 0)
		return NULL;
	s = xstrndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

struct emu_ca *emu_ca_new(const char *ca_path, char **cause)
{
	struct emu_ca *ca = xcalloc(1, sizeof(*ca));
	time_t now = time(NULL);
	char *pem = NULL;
	FILE *f;

	if (new_key(&ca->key, cause) < 0)
		goto fail_nocause;
	TRY(gnutls_x509_crt_init(&ca->crt), "crt init");
	if (set_basics(ca->crt, ca->key, "carpsim test CA", now - 3600, now + 7 * 86400, 1, cause) < 0)
		goto fail_nocause;
	TRY(gnutls_x509_crt_set_basic_constraints(ca->crt, 1, -1), "constraints");
	TRY(gnutls_x509_crt_set_key_usage(ca->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "usage");
	TRY(gnutls_x509_crt_sign2(ca->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0), "self-sign");
	pem = export_crt(ca->crt);
	f = fopen(ca_path, "w");
	if (!f || !pem || fputs(pem, f) < 0) {
		*cause = xasprintf("cannot write %s", ca_path);
		if (f)
			fclose(f);
		goto fail_nocause;
	}
	fclose(f);
	free(pem);
	return ca;
fail:
fail_nocause:
	free(pem);
	emu_ca_free(ca);
	return NULL;
}

void emu_ca_free(struct emu_ca *ca)
{
	if (!ca)
		return;
	if (ca->crt)
		gnutls_x509_crt_deinit(ca->crt);
	if (ca->key)
		gnutls_x509_privkey_deinit(ca->key);
	free(ca);
}

/* sha256// + base64(SHA-256(SubjectPublicKeyInfo DER)): curl's pin format. */
static char *make_pin(gnutls_x509_crt_t crt)
{
	gnutls_pubkey_t pub;
	gnutls_datum_t der = { NULL, 0 }, b64 = { NULL, 0 }, hash;
	unsigned char digest[32];
	char *pin = NULL;
	if (gnutls_pubkey_init(&pub) < 0)
		return NULL;
	if (gnutls_pubkey_import_x509(pub, crt, 0) >= 0 && gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) >= 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, digest) >= 0) {
		hash.data = digest;
		hash.size = sizeof(digest);
		if (gnutls_base64_encode2(&hash, &b64) >= 0)
			pin = xasprintf("sha256//%.*s", (int)b64.size, (const char *)b64.data);
	}
	gnutls_free(der.data);
	gnutls_free(b64.data);
	gnutls_pubkey_deinit(pub);
	return pin;
}

int emu_cert_make(struct emu_ca *ca, enum cert_mode mode, const char *cn, char **cert_pem, char **key_pem,
		  char **pin, char **cause)
{
	static unsigned serial = 100;
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	time_t now = time(NULL), from = now - 3600, to = now + 7 * 86400;
	static const char local_ip[4] = { 127, 0, 0, 1 };

	*cert_pem = *key_pem = *pin = NULL;
	if (mode == CERT_EXPIRED) {
		from = 1577836800; /* 2020-01-01 */
		to = 1580515200;   /* 2020-02-01 */
	}
	if (new_key(&key, cause) < 0)
		goto fail_nocause;
	TRY(gnutls_x509_crt_init(&crt), "crt init");
	if (set_basics(crt, key, cn, from, to, ++serial, cause) < 0)
		goto fail_nocause;
	if (mode == CERT_WRONGNAME) {
		TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "wrong.example", 13, GNUTLS_FSAN_SET),
		    "san");
	} else {
		TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, local_ip, 4, GNUTLS_FSAN_SET), "san");
		TRY(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND),
		    "san");
	}
	TRY(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "purpose");
	if (mode == CERT_SELFSIGNED)
		TRY(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "self-sign");
	else
		TRY(gnutls_x509_crt_sign2(crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0), "sign");
	*cert_pem = export_crt(crt);
	*key_pem = export_key(key);
	*pin = make_pin(crt);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	if (!*cert_pem || !*key_pem || !*pin) {
		*cause = xstrdup("cannot export certificate");
		return -1;
	}
	return 0;
fail:
fail_nocause:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return -1;
}
