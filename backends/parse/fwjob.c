/* The firmware-job tracker (fwjob.h): what OPNsense's update scripts leave
 * behind, turned into one state. */
#include "parse/fwjob.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

const char *fwjob_state_name(enum fwjob_state s)
{
	static const char *const names[] = {
		[FWJ_NONE] = "none",
		[FWJ_REQUESTED] = "requested",
		[FWJ_RUNNING] = "running",
		[FWJ_REBOOT_PENDING] = "reboot-pending",
		[FWJ_REBOOTING] = "rebooting",
		[FWJ_REBOOTED] = "rebooted",
		[FWJ_DONE] = "done",
		[FWJ_FAILED] = "failed",
		[FWJ_NOT_STARTED] = "not-started",
	};
	return (size_t)s < ARRAY_LEN(names) && names[s] ? names[s] : "none";
}

bool fwjob_final(enum fwjob_state s)
{
	return s == FWJ_REBOOTED || s == FWJ_DONE || s == FWJ_FAILED || s == FWJ_NOT_STARTED;
}

long long fwjob_parse_time(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[8], mon[8], zone[16];
	int day, h, m, sec, year, used = 0;
	const char *p;
	struct tm tm;

	if (!s)
		return -1;
	/* "Wed Dec  2 16:42:44 UTC 2026"; the zone may be absent in odd setups. */
	if (sscanf(s, "%7s %7s %d %d:%d:%d %15s %d%n", wday, mon, &day, &h, &m, &sec, zone, &year, &used) != 8 &&
	    sscanf(s, "%7s %7s %d %d:%d:%d %d%n", wday, mon, &day, &h, &m, &sec, &year, &used) != 7)
		return -1;
	if (strlen(mon) != 3 || !(p = strstr(months, mon)) || (p - months) % 3 != 0)
		return -1;
	if (day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60 || year < 1970 ||
	    year > 9999)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = (int)((p - months) / 3);
	tm.tm_mday = day;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	return (long long)timegm(&tm);
}

/* The failure texts update.sh and config.sh print before ***DONE***. */
static const char *const fail_marks[] = {
	"Partial update failure detected",
	"safety violation",
};

void fwjob_log_scan(const char *log, struct fwjob_log *out)
{
	const char *p = log ? log : "";
	bool first = true;

	memset(out, 0, sizeof(*out));
	out->started = -1;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[512];
		size_t i;
		str_copy(line, p, len + 1 < sizeof(line) ? len + 1 : sizeof(line));
		if (len && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (first && line[0]) {
			out->request = str_starts(line, "***GOT REQUEST TO ");
			first = false;
		}
		if (str_eq(line, "***REBOOT***"))
			out->reboot = true;
		else if (str_eq(line, "***DONE***"))
			out->done = true;
		else if (out->started < 0 && str_starts(line, "Currently running ")) {
			const char *at = strstr(line, " at ");
			if (at)
				out->started = fwjob_parse_time(at + 4);
		}
		for (i = 0; i < ARRAY_LEN(fail_marks); i++) {
			if (!out->failed && strstr(line, fail_marks[i])) {
				out->failed = true;
				str_copy(out->fail_line, line, sizeof(out->fail_line));
				text_sanitize_inplace(out->fail_line);
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
}

void fwjob_start(struct fwjob *j, long long req_time, long long boottime, double now, double start_wait_s)
{
	memset(j, 0, sizeof(*j));
	j->state = FWJ_REQUESTED;
	j->req_time = req_time;
	j->boottime = boottime;
	j->req_at = now;
	j->start_wait_s = start_wait_s;
	str_copy(j->detail, "update requested; waiting for the node to start it", sizeof(j->detail));
}

static enum fwjob_state set(struct fwjob *j, enum fwjob_state s, const char *detail)
{
	j->state = s;
	str_copy(j->detail, detail, sizeof(j->detail));
	return s;
}

enum fwjob_state fwjob_observe(struct fwjob *j, const struct fwjob_obs *o)
{
	struct fwjob_log lg;
	bool this_job;

	if (j->state == FWJ_NONE || fwjob_final(j->state))
		return j->state;
	if (!o->reachable) {
		j->went_down = true;
		return set(j, FWJ_REBOOTING, "unreachable since the update (rebooting?)");
	}
	/* Back from a reboot: a new boot time says so for certain. */
	if (o->boottime >= 0 && j->boottime >= 0 && o->boottime != j->boottime)
		return set(j, FWJ_REBOOTED, "back after the reboot (kern.boottime changed)");
	if (j->went_down && (o->boottime < 0 || j->boottime < 0))
		return set(j, FWJ_REBOOTED, "back after being unreachable (boot time not readable)");

	fwjob_log_scan(o->log, &lg);
	this_job = o->log && lg.request && lg.started >= 0 && (j->req_time < 0 || lg.started >= j->req_time);
	if (this_job) {
		if (lg.failed) {
			char d[sizeof(j->detail)];
			str_printf(d, sizeof(d), "the update failed: %s", lg.fail_line);
			return set(j, FWJ_FAILED, d);
		}
		if (lg.reboot)
			return set(j, FWJ_REBOOT_PENDING, "installed; the node reboots in seconds (***REBOOT***)");
		if (lg.done && o->running == 0)
			return set(j, FWJ_DONE, "finished without a reboot (***DONE***, firmware ready)");
		return set(j, FWJ_RUNNING, lg.done ? "***DONE*** logged; waiting for the firmware lock to be released"
						   : "installing (the update log is growing)");
	}
	if (j->state == FWJ_REQUESTED && o->now - j->req_at > j->start_wait_s) {
		char d[sizeof(j->detail)];
		str_printf(d, sizeof(d),
			   "the update never started: after %.0f s the progress log is still the previous job's%s",
			   o->now - j->req_at,
			   o->running == 1 ? " and the firmware lock is held (a check running? firmware update runs "
					     "under flock -n and gives up)"
					   : "");
		return set(j, FWJ_NOT_STARTED, d);
	}
	return j->state;
}
