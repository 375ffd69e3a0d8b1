/* The fuzz targets' oracle can fail: each bad rendering below must make
 * fuzz_check_text / fuzz_check_json abort (in a child), each good one not. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "testlib.h"

static int aborts(int json, const char *buf, size_t len)
{
	pid_t pid = fork();
	int st;
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		if (json)
			fuzz_check_json(buf, len);
		else
			fuzz_check_text("test", buf, len);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

#define T(json, lit) aborts(json, lit, sizeof(lit) - 1)

int main(void)
{
	CHECK_INT_EQ(T(0, "fw1 MASTER\n\tvhid 1 \xc3\xa9t\xc3\xa9\n"), 0);
	CHECK_INT_EQ(T(0, "x\x1b[31mred"), 1);
	CHECK_INT_EQ(T(0, "bell\x07"), 1);
	CHECK_INT_EQ(T(0, "cr\r\n"), 1);
	CHECK_INT_EQ(T(0, "nul\0inside"), 1);
	CHECK_INT_EQ(T(0, "del\x7f"), 1);
	CHECK_INT_EQ(T(0, "csi \xc2\x9b" "2J"), 1);
	CHECK_INT_EQ(T(1, "{\"a\":[1,2,\"\\u001b\"]}\n"), 0);
	CHECK_INT_EQ(T(1, "{\"a\":[1,2,]}"), 1);
	CHECK_INT_EQ(T(1, "{\"a\":1}{\"b\":2}"), 1);
	CHECK_INT_EQ(T(1, "{\"a\":\"\xff\"}"), 1);
	CHECK_INT_EQ(T(1, "{\"a\":"), 1);
	return test_done();
}
