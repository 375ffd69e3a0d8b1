#include "statedir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* Process-wide and set once at start-up: which tree this run writes. */
static const char *demo_sub = "";

void statedir_use_demo(void)
{
	demo_sub = "/demo";
}

char *statedir_get(char **cause)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir;
	if (xdg && *xdg == '/')
		dir = xasprintf("%s/carptop%s", xdg, demo_sub);
	else if (home && *home)
		dir = xasprintf("%s/.local/state/carptop%s", home, demo_sub);
	else {
		*cause = xstrdup("cannot find a state directory: set XDG_STATE_HOME or HOME");
		return NULL;
	}
	if (mkdir_p(dir) < 0) {
		*cause = xasprintf("cannot create state directory %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

char *statedir_path(const char *rel, char **cause)
{
	char *dir = statedir_get(cause), *path, *slash;
	if (!dir)
		return NULL;
	path = xasprintf("%s/%s", dir, rel);
	free(dir);
	slash = strrchr(path, '/');
	*slash = '\0';
	if (mkdir_p(path) < 0) {
		*cause = xasprintf("cannot create %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	*slash = '/';
	return path;
}
