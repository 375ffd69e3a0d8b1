/* Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput on every file
 * given (a directory: every file in it, in name order), without libFuzzer.
 * `meson test --suite fuzz` uses it in every build, gcc included, so the
 * corpora are replayed under ASan+UBSan (and the oracle) on every CI run;
 * with -Dfuzz=true (clang) the targets link libFuzzer instead and the same
 * tests replay through it (-runs=0).
 *
 *   fuzz-NAME FILE|DIR...   prints TAP: one line per input */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

static int n_run;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char chunk[65536];
	size_t got;

	if (!f) {
		printf("not ok %d - %s: cannot open\n", ++n_run, path);
		return 1;
	}
	sb_init(&sb);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_addn(&sb, chunk, got);
	fclose(f);
	{
		/* An exact copy: the target must not rely on a NUL after the data. */
		uint8_t *data = xmalloc(sb.len ? sb.len : 1);
		memcpy(data, sb.buf ? sb.buf : "", sb.len);
		LLVMFuzzerTestOneInput(data, sb.len);
		free(data);
	}
	printf("ok %d - %s (%zu bytes)\n", ++n_run, path, sb.len);
	fflush(stdout);
	sb_free(&sb);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	int bad = 0;

	if (stat(path, &st) < 0) {
		printf("not ok %d - %s: missing\n", ++n_run, path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if (!(d = opendir(path)))
		return 1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%s/%s", path, e->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		bad |= replay(names[i]);
		free(names[i]);
	}
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	int i, bad = 0;
	for (i = 1; i < argc; i++)
		bad |= replay(argv[i]);
	printf("1..%d\n", n_run);
	if (n_run == 0) {
		printf("# no inputs: a fuzz target's corpus must not be empty\n");
		return 1;
	}
	return bad;
}
