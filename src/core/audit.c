#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "statedir.h"
#include "util.h"

char *audit_path(void)
{
	char *cause = NULL, *p = statedir_path("audit.log", &cause);
	free(cause);
	return p;
}

static const char *local_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "?";
}

int audit_log(const char *cluster, const char *node, const char *action, const char *result, const char *detail)
{
	char when[32], clean[512];
	struct tm tm;
	time_t now = time(NULL);
	char *path = audit_path(), *line;
	ssize_t w;
	int fd;

	if (!path)
		return -1;
	/* O_APPEND: each line lands whole at the end, also with two carptops. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	text_sanitize(clean, detail ? detail : "", sizeof(clean));
	line = xasprintf("%s user=%s pid=%ld cluster=%s node=%s action=%s result=%s%s%s\n", when, local_user(),
			 (long)getpid(), cluster ? cluster : "-", node ? node : "-", action, result,
			 clean[0] ? " detail=" : "", clean);
	w = write(fd, line, strlen(line));
	free(line);
	close(fd);
	return w < 0 ? -1 : 0;
}
