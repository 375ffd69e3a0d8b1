/* The CARP change stream over SSH (doc/ssh-stream.md): what the long-lived
 * channel runs on the node, and what its output lines mean. Pure text
 * handling, no libssh2: the channel itself is a job of ssh_backend.c. */
#ifndef CARPTOP_SSH_STREAM_H
#define CARPTOP_SSH_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"
#include "util.h"

/* Which node-side command the channel runs. */
enum stream_mech {
	SM_DEVD = 0,    /* devd(8)'s event socket, filtered to CARP lines */
	SM_IFCONFIG,    /* fallback: a loop printing changes of ifconfig's carp: lines */
};
const char *ssh_stream_mech_name(enum stream_mech m); /* "devd", "ifconfig loop" */

/* The command line for root's csh (`sh -c '...'`, one line, no `!`, no
 * single quote inside). SM_DEVD prints devd's CARP notifications as they
 * come and, when /var/run/devd.pipe cannot be read, one line
 * "carptop-stream: no-devd" and ends; SM_IFCONFIG prints the carp: lines of
 * `ifconfig -a` whenever they differ from the previous look (1 s apart) and
 * "carptop-stream: alive" every look (so the loop dies of SIGPIPE within a
 * second when carptop has gone). */
const char *ssh_stream_command(enum stream_mech m);
#define SSH_STREAM_FALLBACK_PERIOD_S 1

enum stream_line_kind {
	SL_IGNORE = 0,  /* empty, or not a line the stream is about */
	SL_DEVD,        /* "!system=CARP subsystem=3@igb1 type=MASTER" */
	SL_CARP,        /* "carp: MASTER vhid 3 advbase 1 advskew 0" (the fallback loop) */
	SL_NO_DEVD,     /* the devd socket is not there: switch to the fallback */
	SL_ALIVE,       /* the fallback loop's heartbeat */
};

struct stream_line {
	enum stream_line_kind kind;
	int vhid;                   /* SL_DEVD, SL_CARP */
	char ifname[SNAP_NAME_LEN]; /* SL_DEVD: the parent interface ("igb1") */
	enum carp_status status;    /* SL_DEVD, SL_CARP: MASTER/BACKUP/INIT */
};

/* Classify one line (without its newline). A CARP line that is malformed
 * (no vhid, an unknown state, a vhid outside 1..255) is SL_IGNORE: it
 * cannot be trusted to say which VHID changed. */
void ssh_stream_parse(const char *line, struct stream_line *out);

/* Take the next complete line out of the front of `sb` (the channel's
 * output so far) into dst (cut to n-1 bytes if longer, "\r" dropped).
 * Returns false when no complete line is buffered. A partial line longer
 * than `max` is discarded (a node cannot make carptop buffer without end). */
bool ssh_stream_next_line(struct strbuf *sb, char *dst, size_t n, size_t max);

#endif
