/* Per-run test PKI for carpsim, made with GnuTLS: a CA and one server
 * certificate per node, in several flavours so that carptop's TLS error
 * classes can be provoked on purpose. */
#ifndef CARPSIM_EMU_CERTS_H
#define CARPSIM_EMU_CERTS_H

enum cert_mode {
	CERT_GOOD = 0,   /* signed by the run's CA, SAN IP:127.0.0.1 and DNS:localhost */
	CERT_EXPIRED,    /* signed by the CA, but valid only in 2020 */
	CERT_WRONGNAME,  /* signed by the CA, SAN DNS:wrong.example only */
	CERT_SELFSIGNED, /* not signed by the CA (like OPNsense's own cert) */
};

struct emu_ca;

/* Make the CA; writes its certificate to ca_path (PEM). NULL on error. */
struct emu_ca *emu_ca_new(const char *ca_path, char **cause);
void emu_ca_free(struct emu_ca *ca);

/* Make a server key and certificate. Returns 0 and malloc'd PEM strings,
 * plus the pin ("sha256//BASE64" of the public key) carptop would use. */
int emu_cert_make(struct emu_ca *ca, enum cert_mode mode, const char *cn, char **cert_pem, char **key_pem,
		  char **pin, char **cause);

#endif
