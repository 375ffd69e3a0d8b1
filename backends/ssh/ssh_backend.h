/* Console hooks of the ssh transport (ssh_backend_ops). Polls and actions go
 * through backend.h like every transport; these are for the few things only
 * a person can decide: a passphrase, accepting an unknown host key, and
 * "try again now".
 *
 * Reconnecting: a session that fails is retried after 1 s, 2 s, 4 s ... up
 * to 60 s; polls in between answer at once with the node's error prefixed
 * "reconnecting in N s after: ". A login failure (NERR_AUTH) or a local key
 * problem (NERR_CONFIG) is retried only every 10 minutes: OPNsense runs
 * sshguard, which blocks an address after a few failed logins, and
 * repeating a refused key would lock the console (and its operator) out.
 * ssh_backend_retry_now() lifts that wait. */
#ifndef CARPTOP_SSH_BACKEND_H
#define CARPTOP_SSH_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

/* The identity file is encrypted (or its passphrase was wrong) and no
 * ssh-agent key worked: the console may ask for the passphrase. */
bool ssh_backend_needs_passphrase(const struct backend *b);

/* Hand over the passphrase (copied; wiped on replace and close; never
 * logged or shown). The next poll logs in with it at once. NULL forgets it. */
void ssh_backend_set_passphrase(struct backend *b, const char *passphrase);

/* Retry at the next poll, without waiting for the backoff or the
 * 10-minute wait after a refused login. */
void ssh_backend_retry_now(struct backend *b);

/* The host key the node offered on the last connection: its fingerprint
 * ("SHA256:..."), its type ("ED25519"), and whether it was refused as
 * unknown (the only case ssh_backend_accept_hostkey accepts). Returns false
 * when no key has been seen. */
bool ssh_backend_hostkey(const struct backend *b, char *fingerprint, size_t n, const char **type, bool *unknown);

/* After NERR_HOSTKEY_UNKNOWN and after the person compared the fingerprint
 * with the node's (out of band): append the key to known_hosts and retry.
 * Refuses (-1, *cause) for a changed key: that needs a person at a shell. */
int ssh_backend_accept_hostkey(struct backend *b, char **cause);

/* Where the connection goes, after the ssh config: "admin@10.0.0.2:2222",
 * or "... via root@192.0.2.1:22" behind a ProxyJump bastion. False when b
 * is not an ssh backend. */
bool ssh_backend_route(const struct backend *b, char *dst, size_t n);

#endif
