/* Unit tests of the CARP change stream's text side: devd notification lines
 * as FreeBSD's carp_set_state() -> devctl_notify() -> devd(8) hand them out,
 * ifconfig's carp: lines from the fallback loop, malformed and hostile
 * lines, the line splitter, and both node-side commands run for real
 * through csh with stub nc / ifconfig / sleep. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_stream.h"
#include "testlib.h"
#include "util.h"

static void test_devd_lines(void)
{
	struct stream_line l;
	ssh_stream_parse("!system=CARP subsystem=3@igb1 type=MASTER", &l);
	CHECK_INT_EQ(l.kind, SL_DEVD);
	CHECK_INT_EQ(l.vhid, 3);
	CHECK_STR_EQ(l.ifname, "igb1");
	CHECK_INT_EQ(l.status, CARP_ST_MASTER);
	ssh_stream_parse("!system=CARP subsystem=255@vtnet0.100 type=BACKUP", &l);
	CHECK_INT_EQ(l.kind, SL_DEVD);
	CHECK_INT_EQ(l.vhid, 255);
	CHECK_STR_EQ(l.ifname, "vtnet0.100");
	CHECK_INT_EQ(l.status, CARP_ST_BACKUP);
	ssh_stream_parse("!system=CARP subsystem=1@lagg0_vlan12 type=INIT", &l);
	CHECK_INT_EQ(l.kind, SL_DEVD);
	CHECK_INT_EQ(l.status, CARP_ST_INIT);
	/* Fields in another order, and one more: still the same event. */
	ssh_stream_parse("!type=MASTER timestamp=1796220000.1 system=CARP subsystem=7@em0", &l);
	CHECK_INT_EQ(l.kind, SL_DEVD);
	CHECK_INT_EQ(l.vhid, 7);
	CHECK_STR_EQ(l.ifname, "em0");
}

static void test_devd_rejects(void)
{
	static const char *const bad[] = {
		"!system=IFNET subsystem=igb1 type=LINK_UP",  /* not CARP */
		"!system=CARP subsystem=3@igb1 type=master",   /* states are upper case */
		"!system=CARP subsystem=3@igb1 type=DISABLED", /* not a state the kernel reports */
		"!system=CARP subsystem=0@igb1 type=MASTER",   /* VHIDs are 1..255 */
		"!system=CARP subsystem=256@igb1 type=MASTER",
		"!system=CARP subsystem=3 type=MASTER",         /* no @ifname */
		"!system=CARP subsystem=@igb1 type=MASTER",
		"!system=CARP subsystem=3@ type=MASTER",
		"!system=CARP subsystem=3@ig\x1b[2Jb1 type=MASTER", /* an escape sequence in the name */
		"!system=CARP type=MASTER",
		"!system=CARPX subsystem=3@igb1 type=MASTER",
		"system=CARP subsystem=3@igb1 type=MASTER", /* devd prefixes notifications with '!' */
		"+carp0 at ...",
		"",
		"!",
	};
	size_t i;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct stream_line l;
		ssh_stream_parse(bad[i], &l);
		if (l.kind != SL_IGNORE)
			printf("# accepted: %s\n", bad[i]);
		CHECK_INT_EQ(l.kind, SL_IGNORE);
	}
}

static void test_carp_lines(void)
{
	struct stream_line l;
	ssh_stream_parse("\tcarp: BACKUP vhid 3 advbase 1 advskew 100", &l);
	CHECK_INT_EQ(l.kind, SL_CARP);
	CHECK_INT_EQ(l.vhid, 3);
	CHECK_INT_EQ(l.status, CARP_ST_BACKUP);
	ssh_stream_parse("carp: MASTER vhid 12 advbase 1 advskew 0", &l);
	CHECK_INT_EQ(l.kind, SL_CARP);
	CHECK_INT_EQ(l.vhid, 12);
	ssh_stream_parse("\tcarp: INIT vhid 1 advbase 1 advskew 0", &l);
	CHECK_INT_EQ(l.status, CARP_ST_INIT);
	ssh_stream_parse("\tcarp: MASTER vhidx 1", &l);
	CHECK_INT_EQ(l.kind, SL_IGNORE);
	ssh_stream_parse("\tcarp: SOMETHING vhid 1 advbase 1", &l);
	CHECK_INT_EQ(l.kind, SL_IGNORE);
	ssh_stream_parse("\t      peer 224.0.0.18 peer6 ff02::12", &l);
	CHECK_INT_EQ(l.kind, SL_IGNORE);
	ssh_stream_parse("carptop-stream: no-devd", &l);
	CHECK_INT_EQ(l.kind, SL_NO_DEVD);
	ssh_stream_parse("carptop-stream: alive", &l);
	CHECK_INT_EQ(l.kind, SL_ALIVE);
	ssh_stream_parse("carptop-stream: alive and more", &l);
	CHECK_INT_EQ(l.kind, SL_IGNORE);
}

static void test_next_line(void)
{
	struct strbuf sb;
	char line[32];
	sb_init(&sb);
	sb_add(&sb, "one\r\ntwo\nthr");
	CHECK(ssh_stream_next_line(&sb, line, sizeof(line), 100));
	CHECK_STR_EQ(line, "one");
	CHECK(ssh_stream_next_line(&sb, line, sizeof(line), 100));
	CHECK_STR_EQ(line, "two");
	CHECK(!ssh_stream_next_line(&sb, line, sizeof(line), 100));
	sb_add(&sb, "ee\n");
	CHECK(ssh_stream_next_line(&sb, line, sizeof(line), 100));
	CHECK_STR_EQ(line, "three");
	CHECK(!ssh_stream_next_line(&sb, line, sizeof(line), 100));
	/* Longer than the line buffer: cut, and the next line is intact. */
	sb_add(&sb, "0123456789012345678901234567890123456789\nnext\n");
	CHECK(ssh_stream_next_line(&sb, line, sizeof(line), 100));
	CHECK_INT_EQ(strlen(line), sizeof(line) - 1);
	CHECK(ssh_stream_next_line(&sb, line, sizeof(line), 100));
	CHECK_STR_EQ(line, "next");
	/* A partial line beyond `max` is dropped, not kept growing. */
	sb_add(&sb, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CHECK(!ssh_stream_next_line(&sb, line, sizeof(line), 16));
	CHECK_INT_EQ(sb.len, 0);
	sb_free(&sb);
}

static void test_command_shape(void)
{
	int m;
	for (m = SM_DEVD; m <= SM_IFCONFIG; m++) {
		const char *c = ssh_stream_command((enum stream_mech)m);
		size_t l = strlen(c);
		/* csh: one line, no history `!`, one single-quoted sh -c. */
		CHECK(strncmp(c, "sh -c '", 7) == 0);
		CHECK(c[l - 1] == '\'');
		CHECK(strchr(c, '!') == NULL);
		CHECK(strchr(c, '\n') == NULL);
		CHECK(strchr(c + 7, '\'') == c + l - 1);
	}
	CHECK_CONTAINS(ssh_stream_command(SM_DEVD), "/var/run/devd.pipe");
	CHECK_STR_EQ(ssh_stream_mech_name(SM_IFCONFIG), "ifconfig loop");
}

/* Run a stream command through csh with stubs in dir; read up to `lines`
 * lines of its output into out (then close: the command dies of SIGPIPE). */
static void run_csh(const char *dir, const char *cmd, int lines, struct strbuf *out)
{
	char *line = xasprintf("env -i PATH='%s:/usr/bin:/bin' STUBDIR='%s' /bin/csh -f -c \"$CARPTOP_CMD\" 2>/dev/null",
			       dir, dir);
	char buf[512];
	FILE *p;
	int n = 0;
	setenv("CARPTOP_CMD", cmd, 1);
	p = popen(line, "r");
	CHECK(p != NULL);
	while (p && n < lines && fgets(buf, sizeof(buf), p)) {
		sb_add(out, buf);
		n++;
	}
	if (p)
		pclose(p);
	free(line);
}

static void write_stub(const char *dir, const char *name, const char *body)
{
	char *f = xasprintf("%s/%s", dir, name);
	FILE *w = fopen(f, "w");
	CHECK(w != NULL);
	if (w) {
		fputs(body, w);
		fclose(w);
	}
	chmod(f, 0755);
	free(f);
}

static void test_through_csh(void)
{
	char dir[] = "/tmp/carptop-test-stream-XXXXXX";
	struct strbuf out;
	char *rm;

	if (access("/bin/csh", X_OK) != 0) {
		printf("# no /bin/csh: skipping the csh round trip\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	/* devd there: only the CARP lines come through, in order. */
	write_stub(dir, "nc", "#!/bin/sh\n[ \"$1\" = -dU ] && [ \"$2\" = /var/run/devd.pipe ] || exit 2\n"
			      "echo '!system=IFNET subsystem=igb1 type=LINK_UP'\n"
			      "echo '!system=CARP subsystem=3@igb1 type=BACKUP'\n"
			      "echo '!system=CARP subsystem=1@igb0 type=MASTER'\n");
	sb_init(&out);
	run_csh(dir, ssh_stream_command(SM_DEVD), 10, &out);
	CHECK_STR_EQ(out.buf ? out.buf : "",
		     "!system=CARP subsystem=3@igb1 type=BACKUP\n!system=CARP subsystem=1@igb0 type=MASTER\n");
	sb_free(&out);
	/* No devd socket: nc fails, the command says so and ends. */
	write_stub(dir, "nc", "#!/bin/sh\necho 'nc: /var/run/devd.pipe: No such file or directory' >&2\nexit 1\n");
	sb_init(&out);
	run_csh(dir, ssh_stream_command(SM_DEVD), 10, &out);
	CHECK_STR_EQ(out.buf ? out.buf : "", "carptop-stream: no-devd\n");
	sb_free(&out);
	/* The fallback: the first look is the reference, later looks print
	 * the carp: lines only when they changed. */
	write_stub(dir, "sleep", "#!/bin/sh\nexit 0\n");
	write_stub(dir, "ifconfig",
		   "#!/bin/sh\nn=$(cat \"$STUBDIR/n\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$STUBDIR/n\"\n"
		   "echo 'em0: flags=8943<UP> metric 0 mtu 1500'\n"
		   "if [ $n -lt 3 ]; then echo '\tcarp: MASTER vhid 3 advbase 1 advskew 0'; "
		   "else echo '\tcarp: BACKUP vhid 3 advbase 1 advskew 0'; fi\n");
	sb_init(&out);
	run_csh(dir, ssh_stream_command(SM_IFCONFIG), 4, &out);
	CHECK_STR_EQ(out.buf ? out.buf : "",
		     "carptop-stream: alive\n\tcarp: BACKUP vhid 3 advbase 1 advskew 0\ncarptop-stream: alive\n"
		     "carptop-stream: alive\n");
	sb_free(&out);
	rm = xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", dir);
	free(rm);
}

int main(void)
{
	RUN(test_devd_lines);
	RUN(test_devd_rejects);
	RUN(test_carp_lines);
	RUN(test_next_line);
	RUN(test_command_shape);
	RUN(test_through_csh);
	return test_done();
}
