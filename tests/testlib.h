/* A tiny TAP test harness: every CHECK prints one "ok N"/"not ok N" line, so
 * meson (protocol 'tap') counts each assertion and shows the failing one.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_STR_EQ(a, "b"); }
 *   int main(void) { RUN(test_x); return test_done(); }
 */
#ifndef CARPTOP_TESTLIB_H
#define CARPTOP_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_n, test_failed;
static const char *test_current = "";

static inline void test_report(int ok, const char *file, int line, const char *what)
{
	test_n++;
	if (ok) {
		printf("ok %d - %s: %s\n", test_n, test_current, what);
	} else {
		test_failed++;
		printf("not ok %d - %s: %s (%s:%d)\n", test_n, test_current, what, file, line);
	}
	fflush(stdout);
}

#define CHECK(cond) test_report(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_INT_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) printf("# %s = %lld, expected %lld\n", #a, a_, b_); \
	test_report(a_ == b_, __FILE__, __LINE__, #a " == " #b); \
} while (0)

#define CHECK_STR_EQ(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	int ok_ = a_ && b_ && strcmp(a_, b_) == 0; \
	if (!ok_) printf("# %s = \"%s\", expected \"%s\"\n", #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	test_report(ok_, __FILE__, __LINE__, #a " == \"" #b "\""); \
} while (0)

#define CHECK_CONTAINS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	int ok_ = h_ && n_ && strstr(h_, n_) != NULL; \
	if (!ok_) printf("# %s = \"%s\" does not contain \"%s\"\n", #hay, h_ ? h_ : "(null)", n_); \
	test_report(ok_, __FILE__, __LINE__, #hay " contains " #needle); \
} while (0)

#define RUN(fn) do { test_current = #fn; fn(); } while (0)

static inline int test_done(void)
{
	printf("1..%d\n", test_n);
	if (test_n == 0) {
		printf("# no checks ran\n");
		return 1;
	}
	return test_failed ? 1 : 0;
}

/* tests/fixtures in the source tree (set by meson as FIXTURES_DIR) */
#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

/* Read a whole file into a new NUL-terminated buffer; NULL if unreadable. */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

#endif
