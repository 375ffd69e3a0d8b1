/* Inert remote text: what the console draws never carries a control
 * character, and fits the columns it is given. */
#include <locale.h>
#include <string.h>

#include "testlib.h"
#include "textfit.h"

static const char *fit(const char *s, int cols, int ell, int *used)
{
	static char buf[256];
	int u = text_fit(buf, sizeof(buf), s, cols, ell);
	if (used)
		*used = u;
	return buf;
}

static int has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
		/* C1 controls as UTF-8: C2 80..C2 9F */
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 1;
	}
	return 0;
}

static void test_inert(void)
{
	static const char *const nasty[] = {
		"\x1b[2J\x1b[H",             /* clear screen, home */
		"\x1b]0;title\x07",          /* set the window title */
		"\x1b]52;c;cHduZWQ=\x07",    /* OSC 52: write the clipboard */
		"\x1bP+q544e\x1b\\",         /* DCS request */
		"a\rb\nc\bd\x7f",            /* CR, LF, BS, DEL */
		"\xc2\x9b" "31m",            /* CSI as a C1 control in UTF-8 */
		"\x9b" "31m",                /* raw 8-bit CSI */
		"\xe2\x80\xae" "evil",       /* right-to-left override */
		"\xff\xfe\xc0\x80",          /* invalid UTF-8, overlong NUL */
	};
	size_t i;
	for (i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		const char *out = fit(nasty[i], 80, 0, NULL);
		CHECK(!has_control(out));
		CHECK(strchr(out, '\x1b') == NULL);
	}
	CHECK_STR_EQ(fit("\x1b[2Jx", 80, 0, NULL), "?[2Jx");
	CHECK_STR_EQ(fit("a\rb\nc", 80, 0, NULL), "a?b?c");
	CHECK_STR_EQ(fit("tab\there", 80, 0, NULL), "tab here");
	CHECK_STR_EQ(fit("\xc2\x9b" "31m", 80, 0, NULL), "?31m");
	CHECK_STR_EQ(fit("\xe2\x80\xae" "evil", 80, 0, NULL), "?evil");
	CHECK_STR_EQ(fit(NULL, 80, 0, NULL), "");
}

static void test_width(void)
{
	int used;
	CHECK_STR_EQ(fit("fw1.example.net", 6, 0, &used), "fw1.ex");
	CHECK_INT_EQ(used, 6);
	CHECK_STR_EQ(fit("fw1.example.net", 6, 1, &used), "fw1.e~");
	CHECK_INT_EQ(used, 6);
	CHECK_STR_EQ(fit("short", 6, 1, &used), "short");
	CHECK_INT_EQ(used, 5);
	CHECK_STR_EQ(fit("abc", 0, 1, &used), "");
	CHECK_INT_EQ(used, 0);
	/* Wide characters take two columns and are never split. */
	CHECK_INT_EQ(text_width("\xe6\x9d\xb1\xe4\xba\xac"), 4); /* two CJK ideographs */
	CHECK_STR_EQ(fit("\xe6\x9d\xb1\xe4\xba\xac", 3, 0, &used), "\xe6\x9d\xb1");
	CHECK_INT_EQ(used, 2);
	CHECK_STR_EQ(fit("\xe6\x9d\xb1\xe4\xba\xac", 3, 1, &used), "\xe6\x9d\xb1~");
	CHECK_INT_EQ(used, 3);
	/* Accented letters: one column each. */
	CHECK_INT_EQ(text_width("K\xc3\xb6ln"), 4);
	CHECK_INT_EQ(text_width("\x1b[1m"), 4);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	RUN(test_inert);
	RUN(test_width);
	return test_done();
}
