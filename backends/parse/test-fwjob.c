/* The firmware-job tracker against logs as OPNsense's update scripts write
 * them (opnsense/core src/opnsense/scripts/firmware/config.sh, update.sh). */
#include "parse/fwjob.h"

#include "../../tests/testlib.h"

/* A check that ran before the update: it also ends ***DONE***. */
static const char OLD_CHECK_LOG[] =
	"***GOT REQUEST TO CHECK***\n"
	"Currently running OPNsense 26.7.2 (amd64) at Wed Dec  2 16:30:01 UTC 2026\n"
	"Fetching changelog information, please wait... done\n"
	"Updating OPNsense repository catalogue...\n"
	"***DONE***\n";

static const char RUNNING_LOG[] =
	"***GOT REQUEST TO UPDATE***\n"
	"Currently running OPNsense 26.7.2 (amd64) at Wed Dec  2 16:42:50 UTC 2026\n"
	"Updating OPNsense repository catalogue...\n"
	"Fetching opnsense-26.7.3.pkg: .......... done\n";

static const char REBOOT_LOG[] =
	"***GOT REQUEST TO UPDATE***\n"
	"Currently running OPNsense 26.7.2 (amd64) at Wed Dec  2 16:42:50 UTC 2026\n"
	"Installing base-26.7.3...\n"
	"***REBOOT***\n";

static const char NOTHING_LOG[] =
	"***GOT REQUEST TO UPDATE***\n"
	"Currently running OPNsense 26.7.3 (amd64) at Wed Dec  2 16:42:50 UTC 2026\n"
	"Your packages are up to date.\n"
	"***DONE***\n";

static const char PARTIAL_LOG[] =
	"***GOT REQUEST TO UPDATE***\n"
	"Currently running OPNsense 26.7.2 (amd64) at Wed Dec  2 16:42:50 UTC 2026\n"
	"pkg: Failed to fetch opnsense-26.7.3.pkg\n"
	"Partial update failure detected: report this error log to OPNsense.\n"
	"No further actions will be taken. Please restart the update now.\n"
	"***DONE***\n";

#define REQ "Wed Dec  2 16:42:48 UTC 2026"

static void test_parse_time(void)
{
	CHECK(fwjob_parse_time("Wed Dec  2 16:42:44 UTC 2026") == 1796229764LL);
	/* PHP's "D M j G:i:s T Y" (system_time) has no padding; same second. */
	CHECK(fwjob_parse_time("Wed Dec 2 16:42:44 UTC 2026") == 1796229764LL);
	/* The zone word is not interpreted: every time is the node's own. */
	CHECK(fwjob_parse_time("Wed Dec  2 16:42:44 CET 2026") == 1796229764LL);
	CHECK(fwjob_parse_time("Wed Dec  2 16:42:44 2026") == 1796229764LL);
	CHECK(fwjob_parse_time("Wed Foo  2 16:42:44 UTC 2026") == -1);
	CHECK(fwjob_parse_time("Wed Dec 42 16:42:44 UTC 2026") == -1);
	CHECK(fwjob_parse_time("1796229764") == -1);
	CHECK(fwjob_parse_time("") == -1);
	CHECK(fwjob_parse_time(NULL) == -1);
}

static void test_log_scan(void)
{
	struct fwjob_log l;
	fwjob_log_scan(OLD_CHECK_LOG, &l);
	CHECK(l.request && l.done && !l.reboot && !l.failed);
	CHECK(l.started == fwjob_parse_time("Wed Dec  2 16:30:01 UTC 2026"));
	fwjob_log_scan(PARTIAL_LOG, &l);
	CHECK(l.failed && l.done);
	CHECK_STR_EQ(l.fail_line, "Partial update failure detected: report this error log to OPNsense.");
	fwjob_log_scan("***GOT REQUEST TO UPDATE***\nfirmware: safety violation in argument during UPDATE\n***DONE***\n",
		       &l);
	CHECK(l.failed);
	CHECK(l.started == -1);
	fwjob_log_scan("", &l);
	CHECK(!l.request && !l.done && l.started == -1);
	fwjob_log_scan(NULL, &l);
	CHECK(!l.request);
	/* Terminal escapes in a failure line are made inert. */
	fwjob_log_scan("***GOT REQUEST TO UPDATE***\nPartial update failure detected \033[2J\n", &l);
	CHECK(l.failed && !strchr(l.fail_line, '\033'));
}

static enum fwjob_state feed(struct fwjob *j, bool up, const char *log, int running, long long boot, double now)
{
	struct fwjob_obs o = { .reachable = up, .log = log, .running = running, .boottime = boot, .now = now };
	return fwjob_observe(j, &o);
}

/* The whole update with a reboot: the stale ***DONE*** is not taken. */
static void test_update_with_reboot(void)
{
	struct fwjob j;
	fwjob_start(&j, fwjob_parse_time(REQ), 1796220000LL, 100.0, 60.0);
	CHECK_INT_EQ(j.state, FWJ_REQUESTED);
	CHECK_INT_EQ(feed(&j, true, OLD_CHECK_LOG, 0, 1796220000LL, 101.0), FWJ_REQUESTED);
	CHECK_INT_EQ(feed(&j, true, OLD_CHECK_LOG, 1, 1796220000LL, 105.0), FWJ_REQUESTED);
	CHECK_INT_EQ(feed(&j, true, RUNNING_LOG, 1, 1796220000LL, 110.0), FWJ_RUNNING);
	CHECK_INT_EQ(feed(&j, true, REBOOT_LOG, 1, 1796220000LL, 150.0), FWJ_REBOOT_PENDING);
	CHECK_INT_EQ(feed(&j, false, NULL, -1, -1, 160.0), FWJ_REBOOTING);
	/* Back: /tmp is empty, the boot time is new. */
	CHECK_INT_EQ(feed(&j, true, "", 0, 1796230100LL, 200.0), FWJ_REBOOTED);
	CHECK(fwjob_final(j.state));
	CHECK_INT_EQ(feed(&j, true, RUNNING_LOG, 1, 1796230100LL, 210.0), FWJ_REBOOTED); /* final stays */
}

static void test_nothing_to_install(void)
{
	struct fwjob j;
	fwjob_start(&j, fwjob_parse_time(REQ), 1796220000LL, 0.0, 60.0);
	/* ***DONE*** while the lock is still held: not yet. */
	CHECK_INT_EQ(feed(&j, true, NOTHING_LOG, 1, 1796220000LL, 2.0), FWJ_RUNNING);
	CHECK_INT_EQ(feed(&j, true, NOTHING_LOG, -1, 1796220000LL, 3.0), FWJ_RUNNING);
	CHECK_INT_EQ(feed(&j, true, NOTHING_LOG, 0, 1796220000LL, 4.0), FWJ_DONE);
}

static void test_partial_failure(void)
{
	struct fwjob j;
	fwjob_start(&j, fwjob_parse_time(REQ), 1796220000LL, 0.0, 60.0);
	CHECK_INT_EQ(feed(&j, true, PARTIAL_LOG, 0, 1796220000LL, 5.0), FWJ_FAILED);
	CHECK(strstr(j.detail, "Partial update failure detected") != NULL);
}

/* flock -n: a check holds the lock, the update never starts. */
static void test_lock_held(void)
{
	struct fwjob j;
	fwjob_start(&j, fwjob_parse_time(REQ), 1796220000LL, 0.0, 30.0);
	CHECK_INT_EQ(feed(&j, true, OLD_CHECK_LOG, 1, 1796220000LL, 29.0), FWJ_REQUESTED);
	CHECK_INT_EQ(feed(&j, true, OLD_CHECK_LOG, 1, 1796220000LL, 31.0), FWJ_NOT_STARTED);
	CHECK(strstr(j.detail, "never started") && strstr(j.detail, "lock is held"));
	/* An older update log (GOT REQUEST TO UPDATE) is not this job either. */
	fwjob_start(&j, fwjob_parse_time("Wed Dec  2 17:00:00 UTC 2026"), 1796220000LL, 0.0, 30.0);
	CHECK_INT_EQ(feed(&j, true, NOTHING_LOG, 0, 1796220000LL, 31.0), FWJ_NOT_STARTED);
	CHECK(!strstr(j.detail, "lock is held"));
}

/* Back from being unreachable without a readable boot time. */
static void test_no_boottime(void)
{
	struct fwjob j;
	fwjob_start(&j, fwjob_parse_time(REQ), -1, 0.0, 60.0);
	CHECK_INT_EQ(feed(&j, true, RUNNING_LOG, 1, -1, 1.0), FWJ_RUNNING);
	CHECK_INT_EQ(feed(&j, false, NULL, -1, -1, 2.0), FWJ_REBOOTING);
	CHECK_INT_EQ(feed(&j, true, NULL, -1, -1, 3.0), FWJ_REBOOTED);
	CHECK(strstr(j.detail, "boot time not readable") != NULL);
}

int main(void)
{
	RUN(test_parse_time);
	RUN(test_log_scan);
	RUN(test_update_with_reboot);
	RUN(test_nothing_to_install);
	RUN(test_partial_failure);
	RUN(test_lock_held);
	RUN(test_no_boottime);
	return test_done();
}
