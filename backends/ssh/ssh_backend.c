/* The ssh transport: libssh2 in non-blocking mode on the one event loop.
 *
 * One session per node, kept between polls. Its socket is watched with
 * loop_fd_set() for what libssh2 last blocked on
 * (libssh2_session_block_directions); every step (resolve, connect,
 * handshake, host key check, login, channels) returns to the loop instead of
 * waiting. A poll is one exec of the batched command (ssh_commands.c); an
 * action is one exec of configctl; reading config.xml for the drift checks
 * (config_start) is one exec of cat. They are "jobs" that share the
 * session, each on its own channel.
 *
 * Order on a new connection: TCP connect, SSH handshake, host key check
 * against known_hosts, and only then authentication. A refused host key
 * therefore means no login attempt and no command: nothing but the key
 * exchange reached the node.
 *
 * User callbacks (on_snapshot, on_action) run from a 0 ms loop timer, never
 * from inside libssh2, so they may free the backend or start the next poll. */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ssh/ssh_backend.h"
#include "ssh/ssh_config.h"
#include "ssh/ssh_int.h"
#include "ssh/ssh_stream.h"
#include "parse/fwjob.h"
#include "util.h"

#define SSH_BACKOFF_MIN_S 1.0
#define SSH_BACKOFF_MAX_S 60.0
#define SSH_HOLD_S 600.0          /* after NERR_AUTH / NERR_CONFIG: see ssh_backend.h */
#define SSH_DEFAULT_TIMEOUT_S 10.0
#define SSH_OUT_MAX (32u * 1024u * 1024u) /* config.xml of a big node is a few MiB */
#define SSH_ERR_MAX (64u * 1024u)
#define SSH_DRIVE_PASSES 8       /* drive(): rounds over the jobs before yielding to the loop */
#define SSH_RESOLVE_TICK_MS 10.0
/* How long (node clock) the progress log may stay the previous job's after
 * an update request before "it never started" (launcher.sh's flock -n
 * gives up silently when a check holds the lock). */
#define SSH_FW_START_WAIT_S 120.0

/* SS_TUNNEL: waiting for the ProxyJump bastion's direct-tcpip channel. */
enum sess_state { SS_NONE = 0, SS_RESOLVING, SS_CONNECTING, SS_TUNNEL, SS_HANDSHAKE, SS_AUTH, SS_READY };

enum auth_step { AU_LIST = 0, AU_FILE, AU_AGENT_START, AU_AGENT_TRY, AU_DONE };

enum job_state { JS_IDLE = 0, JS_WAIT, JS_OPEN, JS_EXEC, JS_WRITE, JS_READ, JS_CLOSE, JS_WAITCLOSED, JS_FREE, JS_DONE };

/* JK_TUNNEL runs only on a bastion: the direct-tcpip channel a node's
 * session goes through (ProxyJump). JK_STREAM: the CARP change stream
 * (ssh_stream.h), a channel that stays open; its end is a drop, reported and
 * retried with back-off. */
enum job_kind { JK_POLL = 0, JK_ACT, JK_CFG, JK_TUNNEL, JK_STREAM, JK__COUNT };

#define STREAM_BACKOFF_MIN_S 1.0
#define STREAM_BACKOFF_MAX_S 60.0
#define STREAM_STEADY_S 30.0      /* up this long: the next drop retries after the minimum again */
#define STREAM_LINE_MAX 4096u     /* a longer line is dropped */
#define STREAM_QUEUE 16

/* config_start's command. Its own exec, not part of the poll's: the app
 * asks for it only when the marker the poll reports has changed. */
#define SSH_CONFIG_COMMAND "sh -c 'exec cat /conf/config.xml'"
#define SSH_CONFIG_TIMEOUT_FACTOR 4.0
/* `ssh -G` reads local files only; it answers in milliseconds. */
#define SSH_G_TIMEOUT_S 5.0
#define SSH_TUNNEL_BUF 32768
/* What a node's messages say before its bastion's. */
#define TUNNEL_PREFIX "ProxyJump bastion: "

struct ssh_node;

struct job {
	struct ssh_node *node;
	bool active;            /* from start until its result is delivered */
	enum job_kind kind;
	enum job_state st;
	LIBSSH2_CHANNEL *ch;
	char *cmd;
	/* Standard input for the command (the VIP program), sent whole and
	 * then EOF; NULL: none. Kept over a restart on a fresh session (only
	 * before the command was sent, so nothing of it went out yet). */
	char *in;
	size_t in_len, in_off;
	struct strbuf out, err;
	size_t got;             /* stdout bytes read (the stream consumes out as it goes) */
	int exit_status;
	bool exec_sent;         /* the command may have reached the node */
	bool retried;           /* restarted once on a fresh session */
	bool on_reused;         /* started on a session an earlier job used */
	double t0;
	uint64_t timer;         /* the job's deadline (ssh_conf.timeout) */
};

/* Name resolution with getaddrinfo_a, checked from a timer: a DNS lookup
 * must not block the loop. Freed when done, or orphaned if it cannot be
 * cancelled (glibc keeps writing into it until it finishes). */
struct resolve {
	struct gaicb cb;
	struct addrinfo hints;
	char name[256];
	char port[8];
};

struct ssh_node {
	struct backend *b;
	const struct ssh_conf *c; /* = &eff */
	/* What the node's connection uses: carptop.yaml over ~/.ssh/config
	 * over carptop's defaults (resolve_conf). Owns its strings. */
	struct ssh_conf eff;
	char hostport[300];     /* "127.0.0.1:2201", "[fd00::1]:22" for messages */

	/* ProxyJump. On a node: its bastion (a node of its own that runs
	 * only the tunnel job), or NULL. On a bastion: the node it serves. */
	struct ssh_node *jump, *parent;
	uint64_t tunnel_timer;  /* node: the handshake over the new tunnel, from the loop */
	/* Bastion: the far end of the tunnel and the socketpair end the
	 * node's session does not hold; bytes on their way each direction. */
	char tun_host[256];
	int tun_port;
	int pfd;
	short pwatching;
	bool down_eof, up_eof;
	size_t down_len, down_off, up_len, up_off;
	char *down, *up;        /* SSH_TUNNEL_BUF each, while the tunnel is open */
	/* ProxyCommand (tokens expanded), or NULL; while connected, the
	 * command's pid and the read end of its stderr (for messages). */
	char *proxy_cmd;
	pid_t proxy_pid;
	int proxy_err;

	/* The session */
	enum sess_state ss;
	int fd;
	short watching;
	LIBSSH2_SESSION *sess;
	struct kh_file kh;
	unsigned gen;           /* bumped on every teardown */
	/* Bytes libssh2 has read from the socket (counting_recv), and the
	 * timer that drives again when drive() stopped with reading to do. */
	unsigned long long rx;
	uint64_t redrive_timer;
	struct resolve *res;
	uint64_t resolve_timer;
	struct addrinfo *ai_list, *ai_cur;
	int last_errno;

	/* Login */
	enum auth_step au;
	struct id_info id;
	bool id_ok;
	char id_err[SNAP_MSG_LEN];
	int file_rc;            /* 0: identity file not tried */
	char file_msg[128];
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_id;
	int agent_pass;         /* 0: non-RSA keys, 1: RSA keys (see auth_failed) */
	int agent_tried, agent_rsa_tried, agent_keys;
	char agent_note[128];
	char *passphrase;
	bool need_passphrase;

	/* The host key of the last connection */
	unsigned char *hk;
	size_t hk_len;
	int hk_type;
	char hk_fp[64];
	bool hk_unknown;

	/* Failure and backoff */
	double retry_at;        /* monotonic ms; no new session before */
	double backoff_s;
	bool failing, held;
	enum node_error fail_err;
	char fail_msg[SNAP_MSG_LEN];

	/* Jobs */
	struct job poll, act, cfgjob, tunnel, stream;
	struct job *jobs[JK__COUNT]; /* all of them, for loops */
	struct action action;
	char nonce[SSH_NONCE_HEX + 1];
	struct cx_config cfg;   /* config.xml cache */
	struct snapshot snap;
	/* The firmware update this backend requested (fwjob.h), and what the
	 * last poll read for it. */
	struct fwjob fw;
	struct ssh_fw_read fwr;
	double fw_req_local;    /* monotonic s of the request */
	struct action_result act_res;
	unsigned mutations;

	/* config.xml for on_config: held only from the end of the cat until
	 * the callback has seen it, then wiped. */
	char *cfg_xml;
	size_t cfg_len;
	enum node_error cfg_err;   /* the last read's failure, NERR_NONE after a good one */
	char cfg_msg[SNAP_MSG_LEN];

	/* The change stream: wanted since stream_start; its mechanism (devd
	 * until the node says it has none); why it last ended; events waiting
	 * for delivery from a loop timer. */
	bool stream_on;
	enum stream_mech mech;
	bool stream_switch;       /* ended to restart at once with the fallback */
	double stream_backoff_s;
	double stream_up_at;      /* monotonic ms it started reading, 0 = not up */
	uint64_t stream_retry_timer;
	char stream_msg[SNAP_MSG_LEN];
	struct stream_event evq[STREAM_QUEUE];
	int n_evq;
	uint64_t evq_timer;
};

static int lib_users; /* libssh2_init once for all ssh backends */

static void drive(struct ssh_node *n);
static void session_fail(struct ssh_node *n, enum node_error err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void session_start(struct ssh_node *n);
static void teardown(struct ssh_node *n, bool polite);
static void stream_ended(struct ssh_node *n);
static void job_prepare(struct ssh_node *n, struct job *j, char *cmd, char *in);
static void job_arm(struct ssh_node *n, struct job *j);
static void stream_running(struct ssh_node *n, struct job *j);
static void stream_lines(struct ssh_node *n, struct job *j);

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static double timeout_s(const struct ssh_node *n)
{
	return n->c->timeout > 0 ? n->c->timeout : SSH_DEFAULT_TIMEOUT_S;
}

/* A job's deadline: config.xml of a large node is a few MiB, so its read
 * gets more time than a poll (as over the API). */
static double job_timeout_s(const struct ssh_node *n, const struct job *j)
{
	return timeout_s(n) * (j->kind == JK_CFG ? SSH_CONFIG_TIMEOUT_FACTOR : 1.0);
}

static const char *last_error(struct ssh_node *n)
{
	char *msg = NULL;
	if (!n->sess)
		return "no session";
	libssh2_session_last_error(n->sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

/* libssh2 < 1.11 signs with RSA only as ssh-rsa (SHA-1). */
static bool rsa_unusable(void)
{
	return libssh2_version(0x010b00) == NULL;
}

static bool job_running(const struct job *j)
{
	return j->active && j->st >= JS_OPEN && j->st <= JS_FREE;
}

/* ------------------------------------------------------------------ */
/* Delivering results                                                   */

static bool fw_following(const struct ssh_node *n)
{
	return n->fw.state != FWJ_NONE && !fwjob_final(n->fw.state);
}

/* Feed the poll to the firmware-job tracker and say what it found. The
 * wait for the job to start is on the node's own clock (`date`). */
static void fw_observe(struct ssh_node *n)
{
	struct snapshot *s = &n->snap;
	static const enum fw_state shown[] = {
		[FWJ_REQUESTED] = FW_RUNNING, [FWJ_RUNNING] = FW_RUNNING, [FWJ_REBOOT_PENDING] = FW_REBOOTING,
		[FWJ_REBOOTING] = FW_REBOOTING, [FWJ_REBOOTED] = FW_DONE, [FWJ_DONE] = FW_DONE,
		[FWJ_FAILED] = FW_ERROR, [FWJ_NOT_STARTED] = FW_ERROR,
	};
	if (n->fw.state == FWJ_NONE)
		return;
	if (fw_following(n)) {
		struct fwjob_obs o = {
			.reachable = s->reachable,
			.log = s->reachable ? n->fwr.log : NULL,
			.running = s->reachable ? n->fwr.running : -1,
			.boottime = s->reachable ? n->fwr.boottime : -1,
		};
		if (s->reachable && n->fwr.node_time >= 0)
			o.now = (double)n->fwr.node_time;
		else
			o.now = (double)(n->fw.req_time >= 0 ? n->fw.req_time : 0) + (now_ms() / 1000.0 - n->fw_req_local);
		fwjob_observe(&n->fw, &o);
	}
	ssh_fw_read_free(&n->fwr);
	s->firmware.job = (int)n->fw.state;
	str_copy(s->firmware.job_detail, n->fw.detail, sizeof(s->firmware.job_detail));
	if ((size_t)n->fw.state < ARRAY_LEN(shown) && shown[n->fw.state])
		s->firmware.state = shown[n->fw.state];
}

static void cfg_text_wipe(struct ssh_node *n)
{
	if (n->cfg_xml) {
		explicit_bzero(n->cfg_xml, n->cfg_len);
		free(n->cfg_xml);
	}
	n->cfg_xml = NULL;
	n->cfg_len = 0;
}

static void job_reset_buffers(struct job *j)
{
	/* The poll output holds config.xml (password hashes, keys): wipe it. */
	if (j->out.buf)
		explicit_bzero(j->out.buf, j->out.cap);
	sb_free(&j->out);
	sb_free(&j->err);
}

static void job_drop_input(struct job *j)
{
	if (j->in) {
		explicit_bzero(j->in, j->in_len);
		free(j->in);
	}
	j->in = NULL;
	j->in_len = j->in_off = 0;
}

/* End a job: stop its deadline, schedule delivery. */
static void job_end(struct ssh_node *n, struct job *j)
{
	if (j->timer) {
		loop_timer_cancel(n->b->loop, j->timer);
		j->timer = 0;
	}
	j->ch = NULL;
	j->st = JS_DONE;
	job_reset_buffers(j);
	job_drop_input(j);
	if (j->kind == JK_STREAM) {
		stream_ended(n);
	} else if (j->kind == JK_POLL) {
		/* Until config.xml is read again successfully, say why it is not. */
		if (n->snap.reachable && n->cfg_err != NERR_NONE)
			snapshot_add_partial(&n->snap, "config", n->cfg_err, "%s", n->cfg_msg);
		n->snap.taken = wall_s();
		n->snap.duration_ms = now_ms() - j->t0;
		snapshot_sanitize(&n->snap);
		fw_observe(n);
		j->active = false;
		j->st = JS_IDLE;
		backend_hand_snapshot(n->b, &n->snap);
	} else if (j->kind == JK_CFG) {
		if (n->cfg_err != NERR_NONE)
			cfg_text_wipe(n);
		j->active = false;
		j->st = JS_IDLE;
		backend_hand_config(n->b, n->cfg_xml, n->cfg_len); /* taken over */
		n->cfg_xml = NULL;
		n->cfg_len = 0;
	} else if (j->kind == JK_TUNNEL) {
		/* Nothing to deliver: the node it served learns from tunnel_failed. */
		j->active = false;
		j->st = JS_IDLE;
	} else {
		j->active = false;
		j->st = JS_IDLE;
		backend_hand_action(n->b, &n->action, &n->act_res);
	}
}

/* config_start's outcome, kept for the partial note of later polls. */
static void cfg_set_error(struct ssh_node *n, enum node_error err, const char *msg)
{
	n->cfg_err = err;
	if (err == NERR_NONE)
		n->cfg_msg[0] = '\0';
	else
		str_printf(n->cfg_msg, sizeof(n->cfg_msg), "config.xml not read: %s", msg);
}

static void job_fail(struct ssh_node *n, struct job *j, enum node_error err, const char *msg)
{
	if (j->kind == JK_POLL) {
		snapshot_clear(&n->snap);
		snapshot_set_error(&n->snap, err, "%s", msg);
	} else if (j->kind == JK_CFG) {
		cfg_set_error(n, err, msg);
	} else if (j->kind == JK_STREAM) {
		(void)err;
		str_copy(n->stream_msg, msg, sizeof(n->stream_msg));
	} else {
		n->act_res.err = err;
		str_copy(n->act_res.message, msg, sizeof(n->act_res.message));
	}
	job_end(n, j);
}

/* The command a job was running when it stopped, for messages. */
static void job_running_command(struct ssh_node *n, struct job *j, char *dst, size_t size)
{
	if (j->kind == JK_CFG) {
		str_copy(dst, "cat /conf/config.xml", size);
		return;
	}
	if (j->kind == JK_TUNNEL) {
		str_printf(dst, size, "the tunnel to %s:%d", n->tun_host, n->tun_port);
		return;
	}
	if (j->kind == JK_ACT && (n->action.kind == ACT_VIP_ADD || n->action.kind == ACT_VIP_DELETE)) {
		str_copy(dst, "the VIP program (" SSH_PHP_COMMAND ")", size);
		return;
	}
	if (j->kind == JK_STREAM) {
		str_printf(dst, size, "the CARP stream (%s)", ssh_stream_mech_name(n->mech));
		return;
	}
	if (j->kind == JK_ACT) {
		str_printf(dst, size, "configctl %s", ssh_action_words(n->action.kind));
		return;
	}
	str_copy(dst, "the poll command", size);
	if (j->out.len) {
		struct ssh_output o;
		char *copy = xmalloc(j->out.len + 1);
		memcpy(copy, j->out.buf, j->out.len);
		ssh_split(copy, j->out.len, n->nonce, &o);
		if (o.last_begun >= 0 && !o.sec[o.last_begun].ended)
			str_copy(dst, ssh_sec_command((enum ssh_sec)o.last_begun), size);
		explicit_bzero(copy, j->out.len + 1);
		free(copy);
	}
}

/* A session failure as seen by one job. */
static void tunnel_failed(struct ssh_node *bastion, struct job *j);

static void job_fail_session(struct ssh_node *n, struct job *j)
{
	char msg[SNAP_MSG_LEN];
	double wait = (n->retry_at - now_ms()) / 1000.0;

	if (j->kind == JK_TUNNEL) {
		tunnel_failed(n, j);
		return;
	}
	if (n->held || n->fail_err == NERR_HOSTKEY_CHANGED || n->fail_err == NERR_HOSTKEY_UNKNOWN)
		str_copy(msg, n->fail_msg, sizeof(msg));
	else
		str_printf(msg, sizeof(msg), "reconnecting in %.0f s after: %s", ceil(wait > 0 ? wait : 0), n->fail_msg);
	if (j->kind == JK_ACT) {
		char cmd[96];
		job_running_command(n, j, cmd, sizeof(cmd));
		if (j->exec_sent && n->action.kind == ACT_REBOOT && n->fail_err == NERR_UNREACHABLE) {
			/* The node drops the session when it goes down. */
			n->act_res.err = NERR_NONE;
			str_copy(n->act_res.message, "the node closed the connection: rebooting",
				 sizeof(n->act_res.message));
			job_end(n, j);
			return;
		}
		if (j->exec_sent) {
			/* The verdict first: the reason may be long and the
			 * message is cut at SNAP_MSG_LEN. */
			if (strstr(n->fail_msg, cmd))
				str_printf(n->act_res.message, sizeof(n->act_res.message),
					   "whether it ran is unknown (check the node): %s", n->fail_msg);
			else
				str_printf(n->act_res.message, sizeof(n->act_res.message),
					   "whether `%s` ran is unknown (check the node): %s", cmd, n->fail_msg);
		} else {
			str_printf(n->act_res.message, sizeof(n->act_res.message), "not sent: %s", msg);
		}
		n->act_res.err = n->fail_err;
		job_end(n, j);
		return;
	}
	job_fail(n, j, n->fail_err, msg);
}

/* ------------------------------------------------------------------ */
/* Session failure, teardown, backoff                                  */

static void session_fail(struct ssh_node *n, enum node_error err, const char *fmt, ...)
{
	va_list ap;
	char msg[SNAP_MSG_LEN];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	teardown(n, false);
	n->failing = true;
	n->fail_err = err;
	str_copy(n->fail_msg, msg, sizeof(n->fail_msg));
	n->held = err == NERR_AUTH || err == NERR_CONFIG;
	if (n->held) {
		n->retry_at = now_ms() + SSH_HOLD_S * 1000.0;
	} else {
		n->retry_at = now_ms() + n->backoff_s * 1000.0;
		n->backoff_s = fmin(n->backoff_s * 2.0, SSH_BACKOFF_MAX_S);
	}
	{
		int k;
		for (k = 0; k < JK__COUNT; k++)
			if (n->jobs[k]->active && n->jobs[k]->st != JS_DONE)
				job_fail_session(n, n->jobs[k]);
	}
}

static void resolve_drop(struct ssh_node *n)
{
	if (n->resolve_timer) {
		loop_timer_cancel(n->b->loop, n->resolve_timer);
		n->resolve_timer = 0;
	}
	if (!n->res)
		return;
	if (gai_cancel(&n->res->cb) == EAI_NOTCANCELED) {
		/* glibc still owns it: leaving it allocated is the only safe
		 * choice (a few hundred bytes, only when closing mid-lookup). */
		n->res = NULL;
		return;
	}
	if (gai_error(&n->res->cb) == 0 && n->res->cb.ar_result)
		freeaddrinfo(n->res->cb.ar_result);
	free(n->res);
	n->res = NULL;
}

/* ProxyCommand: the command's stdin and stdout are one end of a
 * socketpair whose other end is the session's socket (libssh2 needs a
 * socket; a socketpair is one), run as ssh runs it: sh -c 'exec CMD'. Its
 * stderr goes to a pipe, never to the terminal: the first line is quoted
 * when the handshake fails. */
static void proxy_stop(struct ssh_node *n)
{
	int status;
	if (n->proxy_pid > 0) {
		kill(n->proxy_pid, SIGTERM);
		if (waitpid(n->proxy_pid, &status, WNOHANG) == 0) {
			kill(n->proxy_pid, SIGKILL);
			waitpid(n->proxy_pid, &status, 0);
		}
	}
	n->proxy_pid = 0;
	if (n->proxy_err >= 0)
		close(n->proxy_err);
	n->proxy_err = -1;
}

/* "; the ProxyCommand said: ..." from its stderr, or "". */
static void proxy_said(struct ssh_node *n, char *dst, size_t size)
{
	char buf[512];
	ssize_t r;
	dst[0] = '\0';
	if (n->proxy_err < 0)
		return;
	r = read(n->proxy_err, buf, sizeof(buf) - 1);
	if (r <= 0)
		return;
	buf[r] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	str_printf(dst, size, "; the ProxyCommand said: %s", buf);
}

/* A bastion's side of the tunnel: the socketpair end and the buffers. */
static void tunnel_close(struct ssh_node *n)
{
	if (n->pfd >= 0) {
		if (n->pwatching)
			loop_fd_set(n->b->loop, n->pfd, 0, NULL, NULL);
		close(n->pfd);
	}
	n->pfd = -1;
	n->pwatching = 0;
	free(n->down);
	free(n->up);
	n->down = n->up = NULL;
	n->down_len = n->down_off = n->up_len = n->up_off = 0;
	n->down_eof = n->up_eof = false;
}

/* The bastion's tunnel job, stopped without a word to anyone. */
static void tunnel_job_reset(struct ssh_node *bastion)
{
	struct job *j = &bastion->tunnel;
	if (j->timer) {
		loop_timer_cancel(bastion->b->loop, j->timer);
		j->timer = 0;
	}
	j->ch = NULL;
	j->active = false;
	j->st = JS_IDLE;
}

static void teardown(struct ssh_node *n, bool polite)
{
	n->gen++;
	resolve_drop(n);
	if (n->redrive_timer) {
		loop_timer_cancel(n->b->loop, n->redrive_timer);
		n->redrive_timer = 0;
	}
	if (n->tunnel_timer) {
		loop_timer_cancel(n->b->loop, n->tunnel_timer);
		n->tunnel_timer = 0;
	}
	if (n->ai_list) {
		freeaddrinfo(n->ai_list);
		n->ai_list = n->ai_cur = NULL;
	}
	if (n->agent) {
		libssh2_agent_disconnect(n->agent);
		libssh2_agent_free(n->agent);
		n->agent = NULL;
		n->agent_id = NULL;
	}
	/* Channels go with the session. */
	n->poll.ch = NULL;
	n->act.ch = NULL;
	n->cfgjob.ch = NULL;
	n->tunnel.ch = NULL;
	n->stream.ch = NULL;
	if (n->sess) {
		int i;
		if (polite && n->ss == SS_READY)
			libssh2_session_disconnect(n->sess, "carptop closing"); /* one try, never waited for */
		/* With the socket shut down every send and receive fails at
		 * once, so freeing the session cannot wait on the node. */
		if (n->fd >= 0)
			shutdown(n->fd, SHUT_RDWR);
		kh_free(&n->kh);
		for (i = 0; i < 8 && libssh2_session_free(n->sess) == LIBSSH2_ERROR_EAGAIN; i++)
			;
		n->sess = NULL;
	}
	if (n->fd >= 0) {
		if (n->watching)
			loop_fd_set(n->b->loop, n->fd, 0, NULL, NULL);
		n->watching = 0;
		close(n->fd);
		n->fd = -1;
	}
	n->ss = SS_NONE;
	proxy_stop(n);
	tunnel_close(n);
	/* The bastion's session exists for this node's tunnel only: it goes
	 * too, and the next connection makes both anew. */
	if (n->jump) {
		tunnel_job_reset(n->jump);
		teardown(n->jump, polite);
	}
}

/* ------------------------------------------------------------------ */
/* Connecting                                                           */

static void on_fd(int fd, short revents, void *arg);

static void watch(struct ssh_node *n, short ev)
{
	if (n->fd < 0)
		return;
	loop_fd_set(n->b->loop, n->fd, ev, on_fd, n);
	n->watching = ev;
}

static enum node_error connect_error(struct ssh_node *n, int err, char *msg, size_t size)
{
	switch (err) {
	case ECONNREFUSED:
		str_printf(msg, size, "connection refused by %s", n->hostport);
		return NERR_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
		str_printf(msg, size, "no route to %s (%s)", n->hostport, strerror(err));
		return NERR_UNREACHABLE;
	case ETIMEDOUT:
		str_printf(msg, size, "connecting to %s timed out", n->hostport);
		return NERR_TIMEOUT;
	default:
		str_printf(msg, size, "cannot connect to %s: %s", n->hostport, strerror(err ? err : EIO));
		return NERR_UNREACHABLE;
	}
}

static void connect_next(struct ssh_node *n)
{
	char msg[SNAP_MSG_LEN];
	enum node_error e;

	while (n->ai_cur) {
		struct addrinfo *a = n->ai_cur;
		int fd;
		n->ai_cur = a->ai_next;
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			n->last_errno = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			n->fd = fd;
			n->ss = SS_CONNECTING;
			watch(n, POLLOUT);
			return;
		}
		n->last_errno = errno;
		close(fd);
	}
	e = connect_error(n, n->last_errno, msg, sizeof(msg));
	session_fail(n, e, "%s", msg);
}

/* libssh2 reads the socket for whichever channel asks and queues what
 * belongs to the others inside the session, where no socket event will
 * announce it. Counting what it reads lets drive() see that a job stepped
 * earlier in a pass may have something waiting: a poll whose output and
 * close were read by the stream channel's read otherwise waited for the
 * stream's next line or its own timeout ("`ifconfig -a` did not finish
 * within 8 s" on 20 busy pairs, the command long done on the node). */
static ssize_t counting_recv(libssh2_socket_t fd, void *buf, size_t len, int flags, void **abstract)
{
	struct ssh_node *n = *abstract;
	ssize_t r = recv(fd, buf, len, flags);
	if (r < 0) /* as libssh2's own: the negated errno, EAGAIN for "none now" */
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	n->rx += (unsigned long long)r;
	return r;
}

static void count_reads(struct ssh_node *n)
{
	/* libssh2 1.10 takes the callback as a void *: ISO C has no
	 * conversion from a function pointer to one, a copy of its bytes is
	 * what libssh2 calls through. */
	ssize_t (*fn)(libssh2_socket_t, void *, size_t, int, void **) = counting_recv;
	void *cb;
	_Static_assert(sizeof(cb) == sizeof(fn), "function and object pointers differ in size");
	memcpy(&cb, &fn, sizeof(cb));
	libssh2_session_callback_set(n->sess, LIBSSH2_CALLBACK_RECV, cb);
}

static void start_handshake(struct ssh_node *n)
{
	char *cause = NULL, *pref;
	int one = 1;

	if (n->ai_list) {
		freeaddrinfo(n->ai_list);
		n->ai_list = n->ai_cur = NULL;
	}
	setsockopt(n->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(n->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	n->sess = libssh2_session_init_ex(NULL, NULL, NULL, n);
	if (!n->sess) {
		session_fail(n, NERR_INTERNAL, "libssh2 could not create a session");
		return;
	}
	libssh2_session_set_blocking(n->sess, 0);
	count_reads(n);
	/* Read known_hosts on every connection: an entry fixed by the
	 * operator counts at the next attempt. */
	if (kh_load(n->sess, n->c->known_hosts, &n->kh, &cause) < 0) {
		session_fail(n, NERR_CONFIG, "%s", cause);
		free(cause);
		return;
	}
	/* Ask for a host key type known_hosts holds, so that a known host is
	 * verified rather than reported unknown under another key type. */
	pref = kh_method_pref(&n->kh, n->c->host, n->c->port);
	libssh2_session_method_pref(n->sess, LIBSSH2_METHOD_HOSTKEY, pref);
	free(pref);
	n->ss = SS_HANDSHAKE;
	drive(n);
}

static void connect_done(struct ssh_node *n)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err) {
		loop_fd_set(n->b->loop, n->fd, 0, NULL, NULL);
		n->watching = 0;
		close(n->fd);
		n->fd = -1;
		n->last_errno = err;
		connect_next(n);
		return;
	}
	start_handshake(n);
}

static void resolve_tick(void *arg)
{
	struct ssh_node *n = arg;
	int rc;
	n->resolve_timer = 0;
	rc = gai_error(&n->res->cb);
	if (rc == EAI_INPROGRESS) {
		n->resolve_timer = loop_timer_add(n->b->loop, SSH_RESOLVE_TICK_MS, resolve_tick, n);
		return;
	}
	if (rc != 0) {
		free(n->res);
		n->res = NULL;
		session_fail(n, NERR_UNREACHABLE, "cannot resolve host name %s: %s", n->c->host, gai_strerror(rc));
		return;
	}
	n->ai_list = n->ai_cur = n->res->cb.ar_result;
	free(n->res);
	n->res = NULL;
	connect_next(n);
}

static void job_start(struct ssh_node *n, struct job *j, char *cmd, char *in);

extern char **environ;

static void proxy_start(struct ssh_node *n)
{
	posix_spawn_file_actions_t fa;
	int sp[2], pe[2], rc;
	pid_t pid;
	char *script, *argv[4];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		session_fail(n, NERR_INTERNAL, "no socketpair for the ProxyCommand: %s", strerror(errno));
		return;
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(sp[0]);
		close(sp[1]);
		session_fail(n, NERR_INTERNAL, "no pipe for the ProxyCommand: %s", strerror(errno));
		return;
	}
	script = xasprintf("exec %s", n->proxy_cmd);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sp[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(script);
	close(sp[1]);
	close(pe[1]);
	if (rc != 0) {
		close(sp[0]);
		close(pe[0]);
		session_fail(n, NERR_CONFIG, "cannot run the ProxyCommand for %s: %s", n->hostport, strerror(rc));
		return;
	}
	fcntl(sp[0], F_SETFL, fcntl(sp[0], F_GETFL) | O_NONBLOCK);
	fcntl(pe[0], F_SETFL, fcntl(pe[0], F_GETFL) | O_NONBLOCK);
	n->fd = sp[0];
	n->proxy_pid = pid;
	n->proxy_err = pe[0];
	start_handshake(n);
}

static void session_start(struct ssh_node *n)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	struct gaicb *list[1];

	if (n->proxy_cmd) {
		n->au = AU_LIST;
		proxy_start(n);
		return;
	}
	if (n->jump) {
		/* The bastion connects (checking its own host key, logging in)
		 * and opens the channel; tunnel_ready or tunnel_failed go on. */
		n->ss = SS_TUNNEL;
		n->au = AU_LIST;
		job_start(n->jump, &n->jump->tunnel, NULL, NULL);
		return;
	}
	n->ss = SS_RESOLVING;
	n->au = AU_LIST;
	n->last_errno = 0;
	str_printf(port, sizeof(port), "%d", n->c->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	/* An address literal resolves without any lookup. */
	if (getaddrinfo(n->c->host, port, &hints, &ai) == 0) {
		n->ai_list = n->ai_cur = ai;
		connect_next(n);
		return;
	}
	n->res = xcalloc(1, sizeof(*n->res));
	str_copy(n->res->name, n->c->host, sizeof(n->res->name));
	str_copy(n->res->port, port, sizeof(n->res->port));
	n->res->hints.ai_family = AF_UNSPEC;
	n->res->hints.ai_socktype = SOCK_STREAM;
	n->res->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	n->res->cb.ar_name = n->res->name;
	n->res->cb.ar_service = n->res->port;
	n->res->cb.ar_request = &n->res->hints;
	list[0] = &n->res->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
		free(n->res);
		n->res = NULL;
		session_fail(n, NERR_INTERNAL, "cannot start resolving %s", n->c->host);
		return;
	}
	n->resolve_timer = loop_timer_add(n->b->loop, SSH_RESOLVE_TICK_MS, resolve_tick, n);
}

/* ------------------------------------------------------------------ */
/* Host key                                                             */

static int verify_hostkey(struct ssh_node *n)
{
	size_t len = 0;
	int type = 0, known_type = 0;
	const char *key = libssh2_session_hostkey(n->sess, &len, &type);
	const char *hash = libssh2_hostkey_hash(n->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	char msg[SNAP_MSG_LEN], *cause = NULL;
	/* A bastion's refusal reaches the node's snapshot behind
	 * TUNNEL_PREFIX: leave room, so that no suggested command is cut. */
	size_t room = n->parent ? sizeof(msg) - strlen(TUNNEL_PREFIX) : sizeof(msg);
	enum kh_verdict v;

	if (!key || !len || !hash) {
		session_fail(n, NERR_PROTOCOL, "%s sent no usable host key", n->hostport);
		return -1;
	}
	free(n->hk);
	n->hk = xmalloc(len);
	memcpy(n->hk, key, len);
	n->hk_len = len;
	n->hk_type = type;
	n->hk_unknown = false;
	kh_fingerprint((const unsigned char *)hash, n->hk_fp, sizeof(n->hk_fp));

	v = kh_check(&n->kh, n->c->host, n->c->port, key, len, type, &known_type);
	switch (v) {
	case KH_MATCH:
		return 0;
	case KH_UNKNOWN:
		if (n->c->trust_on_first_use) {
			if (kh_append(n->c->known_hosts, n->c->host, n->c->port, key, len, type, &cause) < 0) {
				session_fail(n, NERR_CONFIG, "trust_on_first_use: %s", cause);
				free(cause);
				return -1;
			}
			return 0;
		}
		n->hk_unknown = true;
		kh_msg_unknown(msg, room, n->c->host, n->c->port, type, n->hk_fp, n->c->known_hosts);
		session_fail(n, NERR_HOSTKEY_UNKNOWN, "%s", msg);
		return -1;
	default:
		/* Never overwritten, also not with trust_on_first_use. */
		kh_msg_changed(msg, room, v, n->c->host, n->c->port, type, known_type, n->hk_fp,
			       n->c->known_hosts);
		session_fail(n, NERR_HOSTKEY_CHANGED, "%s", msg);
		return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Login                                                                */

static enum id_keytype agent_key_type(const struct libssh2_agent_publickey *id)
{
	uint32_t len;
	if (!id->blob || id->blob_len < 4)
		return IDK_UNKNOWN;
	len = (uint32_t)id->blob[0] << 24 | (uint32_t)id->blob[1] << 16 | (uint32_t)id->blob[2] << 8 | id->blob[3];
	if (len > id->blob_len - 4)
		return IDK_UNKNOWN;
	return id_type_from_name((const char *)id->blob + 4, len);
}

/* The next agent key to offer: ed25519/ECDSA first, RSA keys last (with
 * libssh2 1.10 they can only fail against a current OpenSSH). */
static void agent_next(struct ssh_node *n)
{
	struct libssh2_agent_publickey *id = n->agent_id;
	for (;;) {
		int rc = libssh2_agent_get_identity(n->agent, &id, id);
		if (rc != 0) {
			if (n->agent_pass == 1) {
				n->agent_id = NULL;
				return;
			}
			n->agent_pass = 1;
			id = NULL;
			continue;
		}
		if ((agent_key_type(id) == IDK_RSA) == (n->agent_pass == 1)) {
			n->agent_id = id;
			return;
		}
	}
}

static void agent_start(struct ssh_node *n)
{
	const char *sock = getenv("SSH_AUTH_SOCK");
	struct libssh2_agent_publickey *id = NULL;

	n->agent_id = NULL;
	n->agent_note[0] = '\0';
	if (!n->c->agent)
		return;
	if (!sock || !*sock) {
		str_copy(n->agent_note, "SSH_AUTH_SOCK is not set", sizeof(n->agent_note));
		return;
	}
	/* The agent is a local socket: libssh2 talks to it synchronously,
	 * which takes microseconds. */
	n->agent = libssh2_agent_init(n->sess);
	if (!n->agent || libssh2_agent_connect(n->agent) != 0 || libssh2_agent_list_identities(n->agent) != 0) {
		str_printf(n->agent_note, sizeof(n->agent_note), "ssh-agent at %s is not usable", sock);
		return;
	}
	n->agent_keys = 0;
	while (libssh2_agent_get_identity(n->agent, &id, id) == 0)
		n->agent_keys++;
	n->agent_pass = 0;
	agent_next(n);
}

static void auth_failed(struct ssh_node *n)
{
	const struct ssh_conf *c = n->c;
	const char *idf = c->identity_file;
	char who[360];

	str_printf(who, sizeof(who), "%s@%s", c->user, n->hostport);
	if (idf && !n->id_ok) {
		session_fail(n, NERR_CONFIG, "%s", n->id_err);
	} else if (idf && n->id.type == IDK_SK) {
		session_fail(n, NERR_CONFIG,
			     "identity file %s is a security-key (FIDO) key, which libssh2 cannot use; "
			     "use an ed25519 key (ssh-keygen -t ed25519)", idf);
	} else if (idf && n->id.encrypted && !n->passphrase) {
		n->need_passphrase = true;
		session_fail(n, NERR_CONFIG,
			     "identity file %s is encrypted; load it into ssh-agent (ssh-add %s) or enter its "
			     "passphrase when carptop asks", idf, idf);
	} else if (idf && n->file_rc == LIBSSH2_ERROR_FILE) {
		if (n->passphrase) {
			explicit_bzero(n->passphrase, strlen(n->passphrase));
			free(n->passphrase);
			n->passphrase = NULL;
			n->need_passphrase = true;
			session_fail(n, NERR_CONFIG, "cannot decrypt identity file %s: wrong passphrase?", idf);
		} else {
			session_fail(n, NERR_CONFIG, "libssh2 cannot use identity file %s (%s)", idf, n->file_msg);
		}
	} else if ((idf && n->id.type == IDK_RSA && rsa_unusable()) ||
		   (!idf && n->agent_tried == 0 && n->agent_rsa_tried > 0 && rsa_unusable())) {
		session_fail(n, NERR_AUTH,
			     "%s refused the RSA key%s%s: RSA keys cannot be used: libssh2 %s signs only with ssh-rsa "
			     "(SHA-1), which OpenSSH 8.8+ refuses; use an ed25519 key (ssh-keygen -t ed25519)",
			     who, idf ? " " : " from ssh-agent", idf ? idf : "", libssh2_version(0));
	} else if (idf) {
		session_fail(n, NERR_AUTH,
			     "%s refused %s key %s: its public key is not in %s's authorized keys on the %s%s", who,
			     id_type_label(n->id.type), idf, c->user,
			     n->parent ? "bastion" : "node (System: Access: Users)",
			     n->agent_tried + n->agent_rsa_tried ? ", nor any ssh-agent key" : "");
	} else if (n->agent_note[0]) {
		session_fail(n, NERR_CONFIG, "no key to log in to %s with: identity_file is not set and %s", n->hostport,
			     n->agent_note);
	} else if (n->agent_keys == 0) {
		session_fail(n, NERR_CONFIG, "no key to log in to %s with: ssh-agent holds no keys (ssh-add one)",
			     n->hostport);
	} else {
		session_fail(n, NERR_AUTH, "%s refused all %d ssh-agent keys: add one to %s's authorized keys on the %s",
			     who, n->agent_keys, c->user, n->parent ? "bastion" : "node");
	}
}

/* 1: logged in; 0: waiting (EAGAIN); -1: failed (session_fail called). */
static int auth_step(struct ssh_node *n)
{
	const struct ssh_conf *c = n->c;
	unsigned ulen = (unsigned)strlen(c->user);
	int rc;

	switch (n->au) {
	case AU_LIST: {
		char *list = libssh2_userauth_list(n->sess, c->user, ulen), *cause = NULL;
		if (!list) {
			if (libssh2_userauth_authenticated(n->sess))
				return 1;
			if (libssh2_session_last_errno(n->sess) == LIBSSH2_ERROR_EAGAIN)
				return 0;
			session_fail(n, NERR_UNREACHABLE, "%s closed the connection before login (%s)", n->hostport,
				     last_error(n));
			return -1;
		}
		if (!strstr(list, "publickey")) {
			session_fail(n, NERR_AUTH,
				     "%s does not accept keys for %s (it offers: %s); allow key login in "
				     "System: Settings: Administration (Secure Shell)", n->hostport, c->user, list);
			return -1;
		}
		/* Look at the identity file again on every login: it may have
		 * been replaced since. */
		n->file_rc = 0;
		n->file_msg[0] = '\0';
		n->agent_tried = n->agent_rsa_tried = n->agent_keys = 0;
		n->id_ok = false;
		if (c->identity_file) {
			n->id_ok = id_inspect(c->identity_file, &n->id, &cause) == 0;
			if (!n->id_ok) {
				str_copy(n->id_err, cause, sizeof(n->id_err));
				free(cause);
			}
		}
		n->au = AU_FILE;
	}
		/* fallthrough */
	case AU_FILE:
		if (c->identity_file && n->id_ok && n->id.type != IDK_SK && (!n->id.encrypted || n->passphrase)) {
			/* NULL public key: libssh2 derives it from the private
			 * one. The passphrase is never NULL: for an encrypted PEM
			 * key OpenSSL would then prompt on the terminal. */
			rc = libssh2_userauth_publickey_fromfile_ex(n->sess, c->user, ulen, NULL, c->identity_file,
								    n->passphrase ? n->passphrase : "");
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			if (rc == 0) {
				n->need_passphrase = false;
				return 1;
			}
			n->file_rc = rc;
			str_copy(n->file_msg, last_error(n), sizeof(n->file_msg));
			if (rc != LIBSSH2_ERROR_FILE && rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED &&
			    rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_METHOD_NOT_SUPPORTED) {
				session_fail(n, NERR_UNREACHABLE, "login to %s broke off (%s)", n->hostport, n->file_msg);
				return -1;
			}
		}
		n->au = AU_AGENT_START;
		/* fallthrough */
	case AU_AGENT_START:
		agent_start(n);
		n->au = AU_AGENT_TRY;
		/* fallthrough */
	case AU_AGENT_TRY:
		while (n->agent_id) {
			rc = libssh2_agent_userauth(n->agent, c->user, n->agent_id);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return 0;
			if (rc == 0)
				return 1;
			if (n->agent_pass == 1)
				n->agent_rsa_tried++;
			else
				n->agent_tried++;
			if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_SEND ||
			    rc == LIBSSH2_ERROR_SOCKET_RECV)
				break; /* MaxAuthTries reached: the node hung up */
			agent_next(n);
		}
		n->au = AU_DONE;
		/* fallthrough */
	case AU_DONE:
	default:
		auth_failed(n);
		return -1;
	}
}

/* ------------------------------------------------------------------ */
/* ProxyJump: the node's session through its bastion's channel          */

/* The bastion (a node of its own: connect, host key, login as any node)
 * opens a direct-tcpip channel to the node's HostName:Port, as `ssh -J`
 * does. libssh2 runs a session over a socket only, so the node's session
 * gets one end of a socketpair and the bastion's tunnel job pumps bytes
 * between the other end and the channel. Both sessions and the pump are
 * driven from the one loop: the node's session watches its socketpair end
 * as it would a TCP socket, the bastion watches its TCP socket and the
 * other end. No thread. */

static const char *channel_error_text(struct ssh_node *n, int rc);

static void on_pump_fd(int fd, short revents, void *arg)
{
	struct ssh_node *n = arg;
	(void)fd, (void)revents;
	if (n->sess)
		drive(n);
}

static void pump_watch(struct ssh_node *n)
{
	short ev = 0;
	if (n->pfd < 0)
		return;
	if (!n->up_eof && n->up_off == n->up_len)
		ev |= POLLIN;
	if (n->down_off < n->down_len)
		ev |= POLLOUT;
	if (ev != n->pwatching) {
		loop_fd_set(n->b->loop, n->pfd, ev, on_pump_fd, n);
		n->pwatching = ev;
	}
}

/* From the loop: the node's handshake, now that its socket exists. */
static void tunnel_ready(void *arg)
{
	struct ssh_node *n = arg;
	n->tunnel_timer = 0;
	if (n->ss == SS_TUNNEL && n->fd >= 0)
		start_handshake(n);
}

static bool restart_unsent(struct ssh_node *n, struct job *j);

/* The bastion failed (session_fail on it): the node it serves fails with
 * the bastion's reason and error class — a refused bastion host key is a
 * refused host key — unless the tunnel was up and nothing is lost by
 * starting over (below). */

static void tunnel_failed(struct ssh_node *bastion, struct job *j)
{
	struct ssh_node *n = bastion->parent;
	bool idle = true, fresh = true;
	int k;
	(void)j;
	tunnel_job_reset(bastion);
	if (!n || n->ss == SS_NONE)
		return;
	for (k = 0; k < JK__COUNT; k++) {
		if (n->jobs[k]->active) {
			idle = false;
			fresh = fresh && !n->jobs[k]->retried && n->jobs[k]->on_reused;
		}
	}
	/* A tunnel that was up and broke, as a session that dies while idle
	 * (the bastion restarted): nothing is lost by starting over once, on
	 * a new bastion session — found out now rather than at the next use,
	 * since the bastion's socket is always watched. */
	if (n->ss == SS_READY && (idle || fresh)) {
		bastion->failing = false;
		bastion->retry_at = 0;
		bastion->backoff_s = SSH_BACKOFF_MIN_S;
		if (idle) {
			teardown(n, false);
			return;
		}
		for (k = 0; k < JK__COUNT; k++)
			n->jobs[k]->retried = n->jobs[k]->active;
		if (restart_unsent(n, NULL))
			return;
	}
	session_fail(n, bastion->fail_err, TUNNEL_PREFIX "%s", bastion->fail_msg);
}

/* Bytes both ways until neither moves. False when it failed the session. */
static bool tunnel_pump(struct ssh_node *n, struct job *j)
{
	for (;;) {
		bool moved = false;
		ssize_t r;
		/* channel -> the node's session */
		if (n->down_off == n->down_len && !n->down_eof) {
			n->down_off = n->down_len = 0;
			r = libssh2_channel_read(j->ch, n->down, SSH_TUNNEL_BUF);
			if (r > 0) {
				n->down_len = (size_t)r;
				moved = true;
			} else if (r < 0 && r != LIBSSH2_ERROR_EAGAIN) {
				session_fail(n, NERR_UNREACHABLE, "the tunnel through %s to %s:%d broke (%s)", n->hostport,
					     n->tun_host, n->tun_port, channel_error_text(n, (int)r));
				return false;
			} else if (libssh2_channel_eof(j->ch)) {
				/* The node's sshd closed: its session sees the end. */
				n->down_eof = true;
				shutdown(n->pfd, SHUT_WR);
				moved = true;
			}
		}
		if (n->down_off < n->down_len) {
			r = send(n->pfd, n->down + n->down_off, n->down_len - n->down_off, MSG_NOSIGNAL);
			if (r > 0) {
				n->down_off += (size_t)r;
				moved = true;
			} else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				n->down_off = n->down_len; /* the node's session is gone: its teardown ends this */
			}
		}
		/* the node's session -> channel */
		if (n->up_off == n->up_len && !n->up_eof) {
			n->up_off = n->up_len = 0;
			r = recv(n->pfd, n->up, SSH_TUNNEL_BUF, 0);
			if (r > 0) {
				n->up_len = (size_t)r;
				moved = true;
			} else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
				n->up_eof = true;
			}
		}
		if (n->up_off < n->up_len) {
			r = libssh2_channel_write(j->ch, n->up + n->up_off, n->up_len - n->up_off);
			if (r > 0) {
				n->up_off += (size_t)r;
				moved = true;
			} else if (r < 0 && r != LIBSSH2_ERROR_EAGAIN) {
				session_fail(n, NERR_UNREACHABLE, "the tunnel through %s to %s:%d broke (%s)", n->hostport,
					     n->tun_host, n->tun_port, channel_error_text(n, (int)r));
				return false;
			}
		}
		if (!moved)
			break;
	}
	pump_watch(n);
	return true;
}

/* The bastion's tunnel job: open the channel, then pump for as long as
 * the node's session lives. */
static bool tunnel_step(struct ssh_node *n, struct job *j)
{
	struct ssh_node *node = n->parent;
	int sp[2];

	if (j->st == JS_WAIT || j->st == JS_OPEN) {
		j->st = JS_OPEN;
		j->ch = libssh2_channel_direct_tcpip_ex(n->sess, n->tun_host, n->tun_port, "127.0.0.1", 22);
		if (!j->ch) {
			if (libssh2_session_last_errno(n->sess) == LIBSSH2_ERROR_EAGAIN)
				return true;
			session_fail(n, NERR_UNREACHABLE, "%s could not open a connection to %s:%d (%s)", n->hostport,
				     n->tun_host, n->tun_port, last_error(n));
			return false;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0) {
			session_fail(n, NERR_INTERNAL, "no socketpair for the tunnel through %s: %s", n->hostport,
				     strerror(errno));
			return false;
		}
		/* Open: the deadline was for getting here. The bastion works. */
		if (j->timer) {
			loop_timer_cancel(n->b->loop, j->timer);
			j->timer = 0;
		}
		n->failing = n->held = false;
		n->backoff_s = SSH_BACKOFF_MIN_S;
		n->retry_at = 0;
		n->pfd = sp[1];
		n->down = xmalloc(SSH_TUNNEL_BUF);
		n->up = xmalloc(SSH_TUNNEL_BUF);
		node->fd = sp[0];
		node->tunnel_timer = loop_timer_add(n->b->loop, 0, tunnel_ready, node);
		j->st = JS_READ;
	}
	return tunnel_pump(n, j);
}

/* ------------------------------------------------------------------ */
/* Jobs                                                                 */

/* The cat ended: hand its stdout over as is (never copied, one buffer to
 * wipe). Messages quote stderr only: stdout may hold part of the file. */
static void cfg_complete(struct ssh_node *n, struct job *j)
{
	char line[120] = "", msg[SNAP_MSG_LEN];
	if (j->err.len) {
		size_t l = strcspn(j->err.buf, "\r\n");
		str_copy(line, j->err.buf, l + 1 < sizeof(line) ? l + 1 : sizeof(line));
	}
	if (j->exit_status == 0 && j->out.len > 0) {
		cfg_text_wipe(n);
		n->cfg_len = j->out.len;
		n->cfg_xml = sb_steal(&j->out);
		cfg_set_error(n, NERR_NONE, "");
		return;
	}
	if (j->exit_status == 0)
		str_printf(msg, sizeof(msg), "`cat /conf/config.xml` on %s printed nothing", n->hostport);
	else
		str_printf(msg, sizeof(msg), "`cat /conf/config.xml` on %s failed (exit %d): %s", n->hostport,
			   j->exit_status, line[0] ? line : "no message");
	cfg_set_error(n, NERR_COMMAND, msg);
}

static void job_complete(struct ssh_node *n, struct job *j)
{
	/* A command ran to its end over this session: the node is fine as far
	 * as reconnecting goes. */
	n->failing = false;
	n->held = false;
	n->backoff_s = SSH_BACKOFF_MIN_S;
	n->retry_at = 0;

	if (j->kind == JK_STREAM) {
		char line[120];
		const char *src = j->err.len ? j->err.buf : "";
		size_t l = strcspn(src, "\r\n");
		str_copy(line, src, l + 1 < sizeof(line) ? l + 1 : sizeof(line));
		str_printf(n->stream_msg, sizeof(n->stream_msg), "the %s command on %s ended (exit %d)%s%s",
			   ssh_stream_mech_name(n->mech), n->hostport, j->exit_status, line[0] ? ": " : "", line);
	} else if (j->kind == JK_CFG) {
		cfg_complete(n, j);
	} else if (j->kind == JK_POLL) {
		struct ssh_output o;
		char msg[SNAP_MSG_LEN];
		enum node_error e;
		char *buf = j->out.buf ? j->out.buf : xstrdup("");

		snapshot_clear(&n->snap);
		ssh_split(buf, j->out.len, n->nonce, &o);
		ssh_fw_read_free(&n->fwr);
		ssh_fw_read(&o, &n->fwr);
		if (o.n_begun == 0) {
			char line[120];
			const char *src = j->err.len ? j->err.buf : buf;
			size_t l = strcspn(src, "\r\n");
			str_copy(line, src, l + 1 < sizeof(line) ? l + 1 : sizeof(line));
			snapshot_set_error(&n->snap, NERR_COMMAND,
					   "%s did not run carptop's command (exit %d): %s; is this an OPNsense node?",
					   n->hostport, j->exit_status, line[0] ? line : "no output");
		} else {
			e = ssh_build_snapshot(&o, &n->cfg, &n->snap, msg, sizeof(msg));
			if (e != NERR_NONE) {
				snapshot_clear(&n->snap);
				snapshot_set_error(&n->snap, e, "%s", msg);
			}
		}
		if (!j->out.buf)
			free(buf);
	} else if (n->action.kind == ACT_VIP_ADD || n->action.kind == ACT_VIP_DELETE) {
		ssh_vip_reply(j->out.buf, j->err.buf, j->exit_status, &n->act_res);
	} else {
		ssh_action_reply(n->action.kind, j->out.buf ? j->out.buf : "", j->err.buf ? j->err.buf : "",
				 j->exit_status, &n->act_res);
		if (n->action.kind == ACT_FIRMWARE_UPDATE && n->act_res.err == NERR_NONE) {
			long long t, boot;
			ssh_fw_request_times(j->out.buf, &t, &boot);
			n->fw_req_local = now_ms() / 1000.0;
			fwjob_start(&n->fw, t, boot, t >= 0 ? (double)t : 0.0, SSH_FW_START_WAIT_S);
		}
	}
	job_end(n, j);
}

/* A channel operation failed. Before the command was sent, on a session an
 * earlier job used, that is a session that died while idle (the node
 * rebooted, sshd restarted): start over once on a new one. */
/* libssh2's own texts name its internals ("transport read"): say what
 * happened to the connection instead where the code tells. */
static const char *channel_error_text(struct ssh_node *n, int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
		return "the node closed the connection";
	case LIBSSH2_ERROR_SOCKET_RECV:
		return "the connection was lost while receiving";
	case LIBSSH2_ERROR_SOCKET_SEND:
		return "the connection was lost while sending";
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_TIMEOUT:
		return "the connection timed out";
	default:
		return last_error(n);
	}
}

/* Start over on a new session when no job has sent its command yet (j
 * may be still opening its channel; NULL: none is). Returns false when
 * some job has: then whether it ran is unknown and the caller fails. */
static bool restart_unsent(struct ssh_node *n, struct job *j)
{
	int k;
	for (k = 0; k < JK__COUNT; k++) {
		struct job *o = n->jobs[k];
		/* The stream only reads: running it again changes nothing. */
		if (o != j && o->kind != JK_STREAM && job_running(o) && !(o->st == JS_OPEN && !o->exec_sent))
			return false;
	}
	teardown(n, false);
	for (k = 0; k < JK__COUNT; k++) {
		struct job *o = n->jobs[k];
		if (o->active && (o == j || o->st == JS_OPEN || o->kind == JK_STREAM)) {
			if (o->kind == JK_STREAM)
				job_reset_buffers(o); /* no half line from the old channel */
			o->st = JS_WAIT;
			o->on_reused = false;
		}
	}
	session_start(n);
	return true;
}

static void job_channel_error(struct ssh_node *n, struct job *j, int rc)
{
	char cmd[96];
	const char *why = channel_error_text(n, rc);

	if (j->st == JS_OPEN && j->on_reused && !j->retried) {
		j->retried = true;
		if (restart_unsent(n, j))
			return;
	}
	job_running_command(n, j, cmd, sizeof(cmd));
	if (j->st == JS_OPEN)
		session_fail(n, NERR_UNREACHABLE, "%s did not open a channel (%s)", n->hostport, why);
	else if (j->st == JS_EXEC && rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED)
		session_fail(n, NERR_COMMAND, "%s refused to run commands for %s", n->hostport, n->c->user);
	else
		session_fail(n, NERR_UNREACHABLE, "ssh session to %s dropped while `%s` ran (%s)", n->hostport, cmd,
			     why);
}

static bool job_append(struct strbuf *sb, const char *buf, ssize_t r, size_t max)
{
	if (sb->len + (size_t)r > max)
		return false;
	sb_addn(sb, buf, (size_t)r);
	return true;
}

/* Advance a job as far as it goes. Returns false when it stopped the
 * session (failure) and the caller must not touch it any more. */
static bool job_step(struct ssh_node *n, struct job *j)
{
	char buf[16384];
	ssize_t r;
	int rc;

	if (j->kind == JK_TUNNEL)
		return tunnel_step(n, j);
	switch (j->st) {
	case JS_WAIT:
		j->st = JS_OPEN;
		/* fallthrough */
	case JS_OPEN:
		j->ch = libssh2_channel_open_session(n->sess);
		if (!j->ch) {
			rc = libssh2_session_last_errno(n->sess);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return true;
			job_channel_error(n, j, rc);
			return false;
		}
		j->st = JS_EXEC;
		/* fallthrough */
	case JS_EXEC:
		if (!j->exec_sent) {
			/* Counted when handed over: from here on the node may act. */
			j->exec_sent = true;
			if (j->kind == JK_ACT)
				n->mutations++;
		}
		rc = libssh2_channel_exec(j->ch, j->cmd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return true;
		if (rc < 0) {
			job_channel_error(n, j, rc);
			return false;
		}
		if (j->kind == JK_STREAM)
			stream_running(n, j);
		j->st = j->in ? JS_WRITE : JS_READ;
		if (j->st == JS_READ)
			goto read;
		/* fallthrough */
	case JS_WRITE:
		/* The whole input, then EOF (the PHP CLI runs its program once
		 * stdin ends). A command that stops reading (php missing, csh
		 * said so and exited) fails the write: its output and exit
		 * status then tell what happened. */
		while (j->in_off < j->in_len) {
			r = libssh2_channel_write(j->ch, j->in + j->in_off, j->in_len - j->in_off);
			if (r == LIBSSH2_ERROR_EAGAIN)
				return true;
			if (r < 0)
				break;
			j->in_off += (size_t)r;
		}
		if (j->in_off >= j->in_len) {
			rc = libssh2_channel_send_eof(j->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return true;
		}
		job_drop_input(j);
		j->st = JS_READ;
		/* fallthrough */
	case JS_READ:
	read:
		for (;;) {
			bool progress = false;
			r = libssh2_channel_read(j->ch, buf, sizeof(buf));
			if (r > 0) {
				if (!job_append(&j->out, buf, r, SSH_OUT_MAX)) {
					session_fail(n, NERR_PROTOCOL, "the reply from %s is larger than %u MiB",
						     n->hostport, SSH_OUT_MAX >> 20);
					return false;
				}
				j->got += (size_t)r;
				if (j->kind == JK_STREAM)
					stream_lines(n, j);
				progress = true;
			} else if (r < 0 && r != LIBSSH2_ERROR_EAGAIN) {
				job_channel_error(n, j, (int)r);
				return false;
			}
			r = libssh2_channel_read_stderr(j->ch, buf, sizeof(buf));
			if (r > 0) {
				if (j->err.len + (size_t)r <= SSH_ERR_MAX)
					sb_addn(&j->err, buf, (size_t)r);
				progress = true;
			} else if (r < 0 && r != LIBSSH2_ERROR_EAGAIN) {
				job_channel_error(n, j, (int)r);
				return false;
			}
			if (!progress) {
				if (libssh2_channel_eof(j->ch))
					break;
				return true;
			}
		}
		j->st = JS_CLOSE;
		/* fallthrough */
	case JS_CLOSE:
		rc = libssh2_channel_close(j->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return true;
		j->st = JS_WAITCLOSED;
		/* fallthrough */
	case JS_WAITCLOSED:
		rc = libssh2_channel_wait_closed(j->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return true;
		j->exit_status = libssh2_channel_get_exit_status(j->ch);
		j->st = JS_FREE;
		/* fallthrough */
	case JS_FREE:
		rc = libssh2_channel_free(j->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return true;
		j->ch = NULL;
		job_complete(n, j);
		return true;
	default:
		return true;
	}
}

static void redrive(void *arg)
{
	struct ssh_node *n = arg;
	n->redrive_timer = 0;
	if (n->sess)
		drive(n);
}

static void drive(struct ssh_node *n)
{
	int rc;
	unsigned gen = n->gen;

	if (n->ss == SS_HANDSHAKE) {
		rc = libssh2_session_handshake(n->sess, n->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			goto wait;
		if (rc) {
			char said[600];
			proxy_said(n, said, sizeof(said));
			session_fail(n, rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
						rc == LIBSSH2_ERROR_BANNER_RECV
					? NERR_UNREACHABLE
					: NERR_PROTOCOL,
				     "SSH handshake with %s%s failed (%s)%s", n->hostport,
				     n->proxy_cmd ? " through its ProxyCommand" : "", last_error(n), said);
			return;
		}
		rc = verify_hostkey(n);
		/* known_hosts is needed for this one check per connection only:
		 * libssh2 1.10 grows the collection with every check against a
		 * hashed entry (doc/testing.md, valgrind), so it goes now rather
		 * than when the connection closes, days of polls later. */
		kh_free(&n->kh);
		if (rc < 0)
			return;
		n->ss = SS_AUTH;
		n->au = AU_LIST;
	}
	if (n->ss == SS_AUTH) {
		rc = auth_step(n);
		if (rc == 0)
			goto wait;
		if (rc < 0)
			return;
		if (n->agent) {
			libssh2_agent_disconnect(n->agent);
			libssh2_agent_free(n->agent);
			n->agent = NULL;
			n->agent_id = NULL;
		}
		n->ss = SS_READY;
		/* A new session carries the stream again at once, whatever its
		 * own back-off said: the node is reachable now. */
		if (n->stream_on && !n->stream.active) {
			if (n->stream_retry_timer)
				loop_timer_cancel(n->b->loop, n->stream_retry_timer);
			n->stream_retry_timer = 0;
			job_prepare(n, &n->stream, xstrdup(ssh_stream_command(n->mech)), NULL);
			job_arm(n, &n->stream);
		}
	}
	if (n->ss == SS_READY) {
		int i, pass;
		/* Reading one channel can leave another's data queued inside
		 * libssh2, where no socket event will announce it
		 * (counting_recv): go round again while any job moved or
		 * anything was read. Bounded, for a stream that never pauses;
		 * then the loop comes back at once rather than on the socket,
		 * which may have nothing more to say. */
		for (pass = 0; pass < SSH_DRIVE_PASSES; pass++) {
			bool moved = false;
			unsigned long long rx0 = n->rx;
			for (i = 0; i < JK__COUNT; i++) {
				struct job *j = n->jobs[i];
				enum job_state st0;
				size_t out0, err0, got0;
				if (!j->active || j->st == JS_DONE || j->st == JS_IDLE)
					continue;
				st0 = j->st;
				out0 = j->out.len;
				err0 = j->err.len;
				got0 = j->got;
				if (!job_step(n, j) || n->gen != gen)
					return; /* the session went away; a retry drives itself */
				moved = moved || j->st != st0 || j->out.len != out0 || j->err.len != err0 || j->got != got0;
			}
			if (!moved && n->rx == rx0)
				break;
		}
		if (pass == SSH_DRIVE_PASSES && !n->redrive_timer)
			n->redrive_timer = loop_timer_add(n->b->loop, 0, redrive, n);
	}
wait:
	if (n->gen == gen && n->fd >= 0 && n->ss != SS_CONNECTING) {
		short ev = POLLIN;
		bool busy = n->ss == SS_HANDSHAKE || n->ss == SS_AUTH || job_running(&n->poll) || job_running(&n->act) ||
			    job_running(&n->cfgjob) || job_running(&n->tunnel) || job_running(&n->stream);
		if (!busy)
			ev = 0;
		else if (libssh2_session_block_directions(n->sess) & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			ev |= POLLOUT;
		if (ev != n->watching)
			watch(n, ev);
	}
}

static void on_fd(int fd, short revents, void *arg)
{
	struct ssh_node *n = arg;
	(void)fd;
	if (n->ss == SS_CONNECTING)
		connect_done(n);
	else if (n->sess)
		drive(n);
	(void)revents;
}

/* Where a connection stands when a deadline passes, for the message. */
static void stall_text(struct ssh_node *n, struct job *j, double t, char *msg, size_t size)
{
	char cmd[96], inner[SNAP_MSG_LEN];

	switch (n->ss) {
	case SS_RESOLVING:
		str_printf(msg, size, "cannot resolve %s within %.0f s", n->c->host, t);
		break;
	case SS_CONNECTING:
		str_printf(msg, size, "no TCP connection to %s within %.0f s", n->hostport, t);
		break;
	case SS_TUNNEL:
		stall_text(n->jump, &n->jump->tunnel, t, inner, sizeof(inner));
		str_printf(msg, size, TUNNEL_PREFIX "%s", inner);
		break;
	case SS_HANDSHAKE:
		str_printf(msg, size, "SSH handshake with %s did not finish within %.0f s", n->hostport, t);
		break;
	case SS_AUTH:
		str_printf(msg, size, "SSH login to %s did not finish within %.0f s", n->hostport, t);
		break;
	default:
		if (j->kind == JK_TUNNEL) {
			str_printf(msg, size, "%s opened no connection to %s:%d within %.0f s", n->hostport, n->tun_host,
				   n->tun_port, t);
			break;
		}
		/* The command hangs on the node. Dropping the session is the only
		 * way to stop waiting for it without blocking. */
		job_running_command(n, j, cmd, sizeof(cmd));
		str_printf(msg, size, "`%s` on %s did not finish within %.0f s", cmd, n->hostport, t);
		break;
	}
}

static void job_timeout(void *arg)
{
	struct job *j = arg;
	struct ssh_node *n = j->node;
	char msg[SNAP_MSG_LEN];

	j->timer = 0;
	stall_text(n, j, job_timeout_s(n, j), msg, sizeof(msg));
	session_fail(n, NERR_TIMEOUT, "%s", msg);
}

/* Make j ready to run cmd (taken over) on the next drive(), with `in` (taken
 * over, or NULL) as its standard input; job_arm() sets its deadline (the
 * stream's lasts only until its command runs: see stream_running). */
static void job_prepare(struct ssh_node *n, struct job *j, char *cmd, char *in)
{
	free(j->cmd);
	j->cmd = cmd;
	job_drop_input(j);
	j->in = in;
	j->in_len = in ? strlen(in) : 0;
	j->active = true;
	j->st = JS_WAIT;
	j->exit_status = -1;
	j->exec_sent = j->retried = j->on_reused = false;
	j->t0 = now_ms();
	job_reset_buffers(j);
	(void)n;
}

static void job_arm(struct ssh_node *n, struct job *j)
{
	j->timer = loop_timer_add(n->b->loop, job_timeout_s(n, j) * 1000.0, job_timeout, j);
}

static void job_start(struct ssh_node *n, struct job *j, char *cmd, char *in)
{
	job_prepare(n, j, cmd, in);
	if (n->ss == SS_NONE && n->failing && now_ms() < n->retry_at) {
		/* Waiting out the backoff: answer at once, from the loop. */
		job_fail_session(n, j);
		return;
	}
	job_arm(n, j);
	if (n->ss == SS_READY) {
		j->on_reused = true;
		drive(n);
	} else if (n->ss == SS_NONE) {
		session_start(n);
	}
	/* Otherwise a connection is under way and takes this job along. */
}

/* ------------------------------------------------------------------ */
/* The CARP change stream                                               */

/* One report per timer tick: the callback may close the backend, which
 * cancels the timer, so nothing here runs after it. */
static void deliver_stream(void *arg)
{
	struct ssh_node *n = arg;
	struct backend *b = n->b;
	struct stream_event e = n->evq[0];
	n->evq_timer = 0;
	n->n_evq--;
	memmove(&n->evq[0], &n->evq[1], (size_t)n->n_evq * sizeof(n->evq[0]));
	if (n->n_evq)
		n->evq_timer = loop_timer_add(b->loop, 0, deliver_stream, n);
	if (b->on_stream)
		b->on_stream(b, &e, b->ctx);
}

static void stream_report(struct ssh_node *n, const struct stream_event *e)
{
	if (n->n_evq == STREAM_QUEUE) {
		/* A burst faster than the loop delivers: the last slot becomes
		 * "something changed" (the poll it triggers reads what). */
		struct stream_event *last = &n->evq[STREAM_QUEUE - 1];
		if (e->kind == STREAM_CHANGE) {
			last->kind = STREAM_CHANGE;
			last->vhid = 0;
			last->ifname[0] = '\0';
			last->status = CARP_ST_UNKNOWN;
			return;
		}
		*last = *e;
		return;
	}
	n->evq[n->n_evq++] = *e;
	text_sanitize_inplace(n->evq[n->n_evq - 1].text);
	if (!n->evq_timer)
		n->evq_timer = loop_timer_add(n->b->loop, 0, deliver_stream, n);
}

/* The command runs: no deadline from here on (it is meant to run until
 * carptop goes), and the stream is up. */
static void stream_running(struct ssh_node *n, struct job *j)
{
	struct stream_event e = { .kind = STREAM_UP };
	if (j->timer) {
		loop_timer_cancel(n->b->loop, j->timer);
		j->timer = 0;
	}
	n->stream_up_at = now_ms();
	str_copy(e.text, ssh_stream_mech_name(n->mech), sizeof(e.text));
	stream_report(n, &e);
}

static void stream_lines(struct ssh_node *n, struct job *j)
{
	char line[SNAP_MSG_LEN];
	while (ssh_stream_next_line(&j->out, line, sizeof(line), STREAM_LINE_MAX)) {
		struct stream_line l;
		struct stream_event e = { .kind = STREAM_CHANGE };
		ssh_stream_parse(line, &l);
		switch (l.kind) {
		case SL_DEVD:
		case SL_CARP:
			e.vhid = l.vhid;
			e.status = l.status;
			str_copy(e.ifname, l.ifname, sizeof(e.ifname));
			str_copy(e.text, line, sizeof(e.text));
			stream_report(n, &e);
			break;
		case SL_NO_DEVD:
			/* The command ends by itself now; start the fallback then. */
			n->mech = SM_IFCONFIG;
			n->stream_switch = true;
			break;
		case SL_ALIVE:
		case SL_IGNORE:
			break;
		}
	}
}

static void stream_start_now(struct ssh_node *n)
{
	if (!n->stream_on || n->stream.active)
		return;
	job_start(n, &n->stream, xstrdup(ssh_stream_command(n->mech)), NULL);
}

static void stream_retry(void *arg)
{
	struct ssh_node *n = arg;
	n->stream_retry_timer = 0;
	stream_start_now(n);
}

/* The stream's job ended (its command exited, its channel or the session
 * failed). Say so and try again later, or at once when it only switches to
 * the fallback. Runs inside job_end: the retry goes through a timer. */
static void stream_ended(struct ssh_node *n)
{
	struct stream_event e = { .kind = STREAM_DOWN };
	bool was_steady = n->stream_up_at > 0 && now_ms() - n->stream_up_at >= STREAM_STEADY_S * 1000.0;
	double wait;

	n->stream.active = false;
	n->stream.st = JS_IDLE;
	n->stream_up_at = 0;
	if (!n->stream_on)
		return;
	if (n->stream_switch) {
		n->stream_switch = false;
		wait = 0;
	} else {
		if (was_steady)
			n->stream_backoff_s = STREAM_BACKOFF_MIN_S;
		wait = n->stream_backoff_s;
		n->stream_backoff_s = fmin(n->stream_backoff_s * 2.0, STREAM_BACKOFF_MAX_S);
		e.retry_s = wait;
		str_copy(e.text, n->stream_msg[0] ? n->stream_msg : "the stream ended", sizeof(e.text));
		stream_report(n, &e);
	}
	n->stream_msg[0] = '\0';
	if (n->stream_retry_timer)
		loop_timer_cancel(n->b->loop, n->stream_retry_timer);
	n->stream_retry_timer = loop_timer_add(n->b->loop, wait * 1000.0, stream_retry, n);
}

static int ssh_stream_start(struct backend *b)
{
	struct ssh_node *n = b->priv;
	if (!n)
		return -1;
	n->stream_on = true;
	stream_start_now(n);
	return 0;
}

/* ------------------------------------------------------------------ */
/* backend_ops                                                          */

static int ssh_poll_start(struct backend *b)
{
	struct ssh_node *n = b->priv;
	unsigned char rnd[SSH_NONCE_HEX / 2];
	size_t i;

	if (!n || n->poll.active)
		return -1;
	/* A fresh nonce per poll: output of an earlier, abandoned run cannot
	 * be mistaken for this one. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(rand() ^ (int)now_ms());
	}
	for (i = 0; i < sizeof(rnd); i++)
		str_printf(n->nonce + 2 * i, 3, "%02x", rnd[i]);
	snapshot_clear(&n->snap);
	job_start(n, &n->poll, ssh_poll_command(n->nonce, n->cfg.valid ? n->cfg.marker : "", fw_following(n)), NULL);
	return 0;
}

static int ssh_action_start(struct backend *b, const struct mutation_grant *g, const struct action *a)
{
	struct ssh_node *n = b->priv;
	char *cmd;

	if (!mutation_grant_valid(g) || !n || n->act.active || (unsigned)a->kind >= ACT__COUNT)
		return -1;
	n->action = *a;
	memset(&n->act_res, 0, sizeof(n->act_res));
	n->act.active = true;
	n->act.t0 = now_ms();
	/* backend_action() refuses first; this is the second lock. */
	if (b->read_only) {
		job_fail(n, &n->act, NERR_READ_ONLY, "read-only mode: nothing was sent");
		return 0;
	}
	if (a->kind == ACT_VIP_ADD || a->kind == ACT_VIP_DELETE) {
		/* No configctl action edits VIPs: the node's PHP CLI runs the
		 * model change (ssh_vip.c), the program on stdin. */
		char *cause = NULL, *prog = ssh_vip_program(a, &cause);
		if (!prog) {
			job_fail(n, &n->act, NERR_CONFIG, cause);
			free(cause);
			return 0;
		}
		job_start(n, &n->act, xstrdup(SSH_PHP_COMMAND), prog);
		return 0;
	}
	if (a->kind == ACT_SYNC && b->conf->role != ROLE_PRIMARY) {
		/* A sync from the secondary would push its config onto the primary. */
		job_fail(n, &n->act, NERR_CONFIG, "config sync runs from the primary only");
		return 0;
	}
	cmd = ssh_action_command(a->kind);
	if (!cmd) {
		job_fail(n, &n->act, NERR_INTERNAL, "action not supported by the ssh transport");
		return 0;
	}
	job_start(n, &n->act, cmd, NULL);
	return 0;
}

static int ssh_config_start(struct backend *b)
{
	struct ssh_node *n = b->priv;
	if (!n || n->cfgjob.active)
		return -1;
	job_start(n, &n->cfgjob, xstrdup(SSH_CONFIG_COMMAND), NULL);
	return 0;
}

/* Every action: configctl ones, and VIP add/delete through the node's PHP
 * CLI (ssh_vip.c). */
static bool ssh_supports(const struct backend *b, enum action_kind k)
{
	(void)b;
	return ssh_action_words(k) != NULL || k == ACT_VIP_ADD || k == ACT_VIP_DELETE;
}

static unsigned ssh_mutations(const struct backend *b)
{
	const struct ssh_node *n = b->priv;
	return n ? n->mutations : 0;
}

/* ------------------------------------------------------------------ */
/* What the connection uses: carptop.yaml, ~/.ssh/config, defaults     */

static void conf_copy(struct ssh_conf *dst, const struct ssh_conf *src)
{
	*dst = *src;
	dst->host = src->host ? xstrdup(src->host) : NULL;
	dst->user = src->user ? xstrdup(src->user) : NULL;
	dst->identity_file = src->identity_file ? xstrdup(src->identity_file) : NULL;
	dst->known_hosts = src->known_hosts ? xstrdup(src->known_hosts) : NULL;
	dst->ssh_config = src->ssh_config ? xstrdup(src->ssh_config) : NULL;
}

static void conf_clear(struct ssh_conf *c)
{
	free(c->host);
	free(c->user);
	free(c->identity_file);
	free(c->known_hosts);
	free(c->ssh_config);
	memset(c, 0, sizeof(*c));
}

/* OpenSSH's own answer when its client is installed, else the built-in
 * reader of the same files. */
static int sshcfg_lookup(const struct ssh_conf *c, const char *alias, struct sshcfg *out, char **cause)
{
	char *ssh = sshcfg_find_ssh();
	int rc;
	if (ssh) {
		rc = sshcfg_from_ssh(ssh, alias, c->ssh_config_default ? NULL : c->ssh_config, SSH_G_TIMEOUT_S, out,
				     cause);
		free(ssh);
		return rc;
	}
	return sshcfg_read(alias, c->ssh_config, c->ssh_config_default ? "/etc/ssh/ssh_config" : NULL, NULL, out,
			   cause);
}

/* The first IdentityFile that exists (as ssh tries them in turn and skips
 * missing ones), else the first, whose absence the login then names. */
static char *pick_identity(const struct sshcfg *g, const struct sshcfg_tokens *t, char **cause)
{
	char *first = NULL;
	size_t i;
	for (i = 0; i < g->n_identity; i++) {
		char *p = sshcfg_expand(g->identity[i], t, true, cause);
		if (!p) {
			free(first);
			return NULL;
		}
		if (access(p, R_OK) == 0) {
			free(first);
			return p;
		}
		if (first)
			free(p);
		else
			first = p;
	}
	return first;
}

/* The node's own connection: explicit carptop.yaml values, then what the
 * ssh config says for ssh.host, then carptop's defaults. *jump gets the
 * ProxyJump, *proxy the ProxyCommand (expanded), if any. */
static int resolve_conf(const struct node_conf *nc, struct ssh_conf *eff, char **jump, char **proxy, char **cause)
{
	const struct ssh_conf *c = &nc->ssh;
	struct sshcfg g;
	struct sshcfg_tokens t;
	char *why = NULL;

	conf_copy(eff, c);
	*jump = *proxy = NULL;
	if (!c->ssh_config)
		return 0;
	if (sshcfg_lookup(c, c->host, &g, &why) < 0) {
		*cause = xasprintf("node '%s': reading the ssh config for '%s': %s", nc->name, c->host, why);
		free(why);
		return -1;
	}
	free(eff->host);
	eff->host = xstrdup(g.hostname);
	if (!c->user_set && g.user) {
		free(eff->user);
		eff->user = xstrdup(g.user);
	}
	if (!c->port_set && g.port)
		eff->port = g.port;
	t = (struct sshcfg_tokens){ .host = eff->host, .alias = c->host, .user = eff->user, .port = eff->port };
	if (!c->identity_file && g.n_identity) {
		eff->identity_file = pick_identity(&g, &t, &why);
		if (!eff->identity_file) {
			*cause = xasprintf("node '%s': IdentityFile from the ssh config: %s", nc->name, why);
			free(why);
			sshcfg_free(&g);
			return -1;
		}
	}
	if (g.proxycommand) {
		*proxy = sshcfg_expand(g.proxycommand, &t, false, &why);
		if (!*proxy) {
			*cause = xasprintf("node '%s': ProxyCommand from the ssh config: %s", nc->name, why);
			free(why);
			sshcfg_free(&g);
			return -1;
		}
	}
	if (g.proxyjump)
		*jump = xstrdup(g.proxyjump);
	sshcfg_free(&g);
	return 0;
}

/* The bastion's connection: [user@]host[:port] of the ProxyJump, then the
 * ssh config for that host, then OpenSSH's defaults (the local user, port
 * 22); the node's key, agent and known_hosts unless the config gives the
 * bastion an IdentityFile. */
static int resolve_jump(const struct node_conf *nc, const struct ssh_conf *node, const char *spec,
			struct ssh_conf *bc, char **cause)
{
	struct sshcfg g;
	struct sshcfg_tokens t;
	char *user = NULL, *host = NULL, *why = NULL;
	const struct passwd *pw;
	int port = 0, rc = 0;

	memset(bc, 0, sizeof(*bc));
	if (sshcfg_parse_jump(spec, &user, &host, &port, &why) < 0 || sshcfg_lookup(node, host, &g, &why) < 0) {
		*cause = xasprintf("node '%s': %s", nc->name, why);
		free(why);
		free(user);
		free(host);
		return -1;
	}
	if (g.proxyjump || g.proxycommand) {
		*cause = xasprintf("node '%s': its ProxyJump bastion '%s' has a %s of its own in the ssh config (%s); "
				   "carptop goes through one bastion (exclude the bastion, e.g. 'Host * !%s')",
				   nc->name, host, g.proxyjump ? "ProxyJump" : "ProxyCommand",
				   g.proxyjump ? g.proxyjump : g.proxycommand, host);
		sshcfg_free(&g);
		free(user);
		free(host);
		return -1;
	}
	pw = getpwuid(getuid());
	bc->host = xstrdup(g.hostname);
	bc->user = user ? user : g.user ? xstrdup(g.user) : xstrdup(pw && pw->pw_name ? pw->pw_name : "root");
	bc->port = port ? port : g.port ? g.port : 22;
	t = (struct sshcfg_tokens){ .host = bc->host, .alias = host, .user = bc->user, .port = bc->port };
	if (g.n_identity) {
		bc->identity_file = pick_identity(&g, &t, &why);
		if (!bc->identity_file) {
			*cause = xasprintf("node '%s': IdentityFile of bastion '%s': %s", nc->name, host, why);
			free(why);
			rc = -1;
		}
	} else if (node->identity_file) {
		bc->identity_file = xstrdup(node->identity_file);
	}
	bc->known_hosts = xstrdup(node->known_hosts);
	bc->agent = node->agent;
	bc->trust_on_first_use = node->trust_on_first_use;
	bc->timeout = node->timeout;
	sshcfg_free(&g);
	free(host);
	return rc;
}

static int conf_check(const struct node_conf *nc, const struct ssh_conf *c, const char *what, char **cause)
{
	if (!c->host || !*c->host || !c->user || !*c->user || c->port <= 0 || c->port > 65535) {
		*cause = xasprintf("node '%s': %s needs host, user and a port 1..65535", nc->name, what);
		return -1;
	}
	if (!c->known_hosts) {
		*cause = xasprintf("node '%s': %s needs a known_hosts file", nc->name, what);
		return -1;
	}
	if (!c->identity_file && !c->agent) {
		*cause = xasprintf("node '%s': %s has no key to log in with; set identity_file, or agent: true",
				   nc->name, what);
		return -1;
	}
	return 0;
}

/* A node (or a bastion) with its jobs, not connected. */
static struct ssh_node *node_new(struct backend *b, struct ssh_conf *eff)
{
	struct ssh_node *n = xcalloc(1, sizeof(*n));
	int k;
	n->b = b;
	n->eff = *eff; /* takes the strings */
	n->c = &n->eff;
	n->fd = -1;
	n->pfd = -1;
	n->proxy_err = -1;
	n->backoff_s = SSH_BACKOFF_MIN_S;
	n->jobs[JK_POLL] = &n->poll;
	n->jobs[JK_ACT] = &n->act;
	n->jobs[JK_CFG] = &n->cfgjob;
	n->jobs[JK_TUNNEL] = &n->tunnel;
	n->jobs[JK_STREAM] = &n->stream;
	for (k = 0; k < JK__COUNT; k++) {
		n->jobs[k]->kind = (enum job_kind)k;
		n->jobs[k]->node = n;
	}
	n->mech = SM_DEVD;
	n->stream_backoff_s = STREAM_BACKOFF_MIN_S;
	snapshot_init(&n->snap);
	if (strchr(n->c->host, ':'))
		str_printf(n->hostport, sizeof(n->hostport), "[%s]:%d", n->c->host, n->c->port);
	else
		str_printf(n->hostport, sizeof(n->hostport), "%s:%d", n->c->host, n->c->port);
	return n;
}

static void node_free(struct ssh_node *n)
{
	struct loop *l = n->b->loop;
	int k;
	uint64_t *timers[] = { &n->stream_retry_timer, &n->evq_timer };
	n->stream_on = false; /* its end below is no drop to retry */
	for (k = 0; k < (int)ARRAY_LEN(timers); k++)
		if (*timers[k])
			loop_timer_cancel(l, *timers[k]);
	for (k = 0; k < JK__COUNT; k++)
		if (n->jobs[k]->timer)
			loop_timer_cancel(l, n->jobs[k]->timer);
	teardown(n, true);
	if (n->jump)
		node_free(n->jump);
	for (k = 0; k < JK__COUNT; k++) {
		job_reset_buffers(n->jobs[k]);
		job_drop_input(n->jobs[k]);
		free(n->jobs[k]->cmd);
	}
	cfg_text_wipe(n);
	cx_free(&n->cfg);
	ssh_fw_read_free(&n->fwr);
	snapshot_clear(&n->snap);
	free(n->hk);
	if (n->passphrase) {
		explicit_bzero(n->passphrase, strlen(n->passphrase));
		free(n->passphrase);
	}
	conf_clear(&n->eff);
	free(n->proxy_cmd);
	free(n);
}

static int ssh_open(struct backend *b, char **cause)
{
	const struct node_conf *nc = b->conf;
	struct ssh_conf eff, bc;
	struct ssh_node *n;
	char *jump = NULL, *proxy = NULL;

	memset(&bc, 0, sizeof(bc));
	if (!nc->ssh.host || !*nc->ssh.host) {
		*cause = xasprintf("node '%s': ssh needs host, user and a port 1..65535", nc->name);
		return -1;
	}
	if (resolve_conf(nc, &eff, &jump, &proxy, cause) < 0 || conf_check(nc, &eff, "ssh", cause) < 0 ||
	    (jump && (resolve_jump(nc, &eff, jump, &bc, cause) < 0 ||
		      conf_check(nc, &bc, "its ProxyJump bastion", cause) < 0))) {
		conf_clear(&eff);
		conf_clear(&bc);
		free(jump);
		free(proxy);
		return -1;
	}
	if (lib_users++ == 0 && libssh2_init(0) != 0) {
		lib_users--;
		conf_clear(&eff);
		conf_clear(&bc);
		free(jump);
		free(proxy);
		*cause = xstrdup("libssh2 could not be initialised");
		return -1;
	}
	n = node_new(b, &eff);
	n->proxy_cmd = proxy;
	if (jump) {
		n->jump = node_new(b, &bc);
		n->jump->parent = n;
		str_copy(n->jump->tun_host, n->c->host, sizeof(n->jump->tun_host));
		n->jump->tun_port = n->c->port;
		free(jump);
	}
	b->priv = n;
	return 0;
}

static void ssh_close(struct backend *b)
{
	struct ssh_node *n = b->priv;
	if (!n)
		return;
	node_free(n);
	b->priv = NULL;
	if (--lib_users == 0)
		libssh2_exit();
}

static const struct backend_trust_ops ssh_trust_ops = {
	.needs_passphrase = ssh_backend_needs_passphrase,
	.set_passphrase = ssh_backend_set_passphrase,
	.retry_now = ssh_backend_retry_now,
	.hostkey = ssh_backend_hostkey,
	.accept_hostkey = ssh_backend_accept_hostkey,
	.route = ssh_backend_route,
};

const struct backend_ops ssh_backend_ops = {
	.name = "ssh",
	.open = ssh_open,
	.close = ssh_close,
	.poll_start = ssh_poll_start,
	.action_start = ssh_action_start,
	.mutations = ssh_mutations,
	.supports = ssh_supports,
	.config_start = ssh_config_start,
	.stream_start = ssh_stream_start,
	.trust = &ssh_trust_ops,
};

/* ------------------------------------------------------------------ */
/* Console hooks                                                        */

/* b's ssh state, or NULL when b is not an ssh backend. */
static struct ssh_node *node_of(const struct backend *b)
{
	return b && b->ops == &ssh_backend_ops ? b->priv : NULL;
}

bool ssh_backend_needs_passphrase(const struct backend *b)
{
	const struct ssh_node *n = node_of(b);
	return n && (n->need_passphrase || (n->jump && n->jump->need_passphrase));
}

void ssh_backend_retry_now(struct backend *b)
{
	struct ssh_node *n = node_of(b);
	if (!n)
		return;
	n->retry_at = 0;
	n->backoff_s = SSH_BACKOFF_MIN_S;
	n->held = false;
	if (n->jump) {
		n->jump->retry_at = 0;
		n->jump->backoff_s = SSH_BACKOFF_MIN_S;
		n->jump->held = false;
	}
}

static void passphrase_set(struct ssh_node *n, const char *passphrase)
{
	if (n->passphrase) {
		explicit_bzero(n->passphrase, strlen(n->passphrase));
		free(n->passphrase);
	}
	n->passphrase = passphrase ? xstrdup(passphrase) : NULL;
	n->need_passphrase = false;
}

void ssh_backend_set_passphrase(struct backend *b, const char *passphrase)
{
	struct ssh_node *n = node_of(b);
	if (!n)
		return;
	passphrase_set(n, passphrase);
	/* The bastion logs in with the same key unless the ssh config gives
	 * it its own: one question for both. */
	if (n->jump)
		passphrase_set(n->jump, passphrase);
	ssh_backend_retry_now(b);
}

/* The hop whose host key the console may show or accept: the bastion
 * when its key was refused as unknown (the node was not reached then). */
static struct ssh_node *key_hop(struct ssh_node *n)
{
	if (n && n->jump && n->jump->hk && (n->jump->hk_unknown || !n->hk))
		return n->jump;
	return n;
}

bool ssh_backend_hostkey(const struct backend *b, char *fingerprint, size_t size, const char **type, bool *unknown)
{
	const struct ssh_node *n = key_hop(node_of(b));
	if (!n || !n->hk)
		return false;
	if (fingerprint)
		str_copy(fingerprint, n->hk_fp, size);
	if (type)
		*type = kh_type_label(n->hk_type);
	if (unknown)
		*unknown = n->hk_unknown;
	return true;
}

int ssh_backend_accept_hostkey(struct backend *b, char **cause)
{
	struct ssh_node *n = key_hop(node_of(b));
	if (!n || !n->hk || !n->hk_unknown) {
		*cause = xstrdup("no unknown host key to accept (a changed key must be removed by hand: ssh-keygen -R)");
		return -1;
	}
	if (kh_append(n->c->known_hosts, n->c->host, n->c->port, (const char *)n->hk, n->hk_len, n->hk_type, cause) < 0)
		return -1;
	n->hk_unknown = false;
	ssh_backend_retry_now(b);
	return 0;
}

bool ssh_backend_route(const struct backend *b, char *dst, size_t size)
{
	const struct ssh_node *n = node_of(b);
	if (!n)
		return false;
	if (n->jump)
		str_printf(dst, size, "%s@%s via %s@%s", n->c->user, n->hostport, n->jump->c->user, n->jump->hostport);
	else
		str_printf(dst, size, "%s@%s", n->c->user, n->hostport);
	return true;
}
