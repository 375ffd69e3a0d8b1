#include <string.h>

#include "testlib.h"
#include "util.h"

static void test_sanitize(void)
{
	char out[64];
	text_sanitize(out, "fw1\x1b[2J\x07ok", sizeof(out));
	CHECK_STR_EQ(out, "fw1?[2J?ok");
	/* C1 CSI (U+009B as UTF-8 c2 9b) is an escape introducer too. */
	text_sanitize(out, "a\xc2\x9b" "31mb", sizeof(out));
	CHECK_STR_EQ(out, "a?31mb");
	/* Invalid UTF-8 bytes become '?', valid multibyte text passes. */
	text_sanitize(out, "caf\xc3\xa9 \xff", sizeof(out));
	CHECK_STR_EQ(out, "caf\xc3\xa9 ?");
	/* Truncation never splits a multibyte character. */
	text_sanitize(out, "\xc3\xa9\xc3\xa9", 4);
	CHECK_STR_EQ(out, "\xc3\xa9");
	text_sanitize(out, "tab\there", sizeof(out));
	CHECK_STR_EQ(out, "tab here");
	/* Bidi override could reorder what the operator reads. */
	text_sanitize(out, "x\xe2\x80\xaey", sizeof(out));
	CHECK_STR_EQ(out, "x?y");
}

static void test_strings(void)
{
	char small[4];
	long v;
	CHECK_INT_EQ(str_copy(small, "abcdef", sizeof(small)), 3);
	CHECK_STR_EQ(small, "abc");
	CHECK(str_to_long(" 42 ", &v) && v == 42);
	CHECK(!str_to_long("42x", &v));
	CHECK(!str_to_long("", &v));
	{
		long long ll;
		char d[32];
		CHECK(str_to_ll("-9000000000", &ll) && ll == -9000000000LL);
		CHECK(!str_to_ll("99999999999999999999", &ll)); /* out of range, not clamped */
		CHECK(!str_to_ll(NULL, &ll));
		CHECK(!str_to_ll(" 1 2", &ll));
		fmt_duration(d, sizeof(d), 4.4);
		CHECK_STR_EQ(d, "4s");
		fmt_duration(d, sizeof(d), 59.6); /* to the nearest second */
		CHECK_STR_EQ(d, "1m00s");
		fmt_duration(d, sizeof(d), 3 * 3600 + 10 * 60 + 5);
		CHECK_STR_EQ(d, "3h10m");
		fmt_duration(d, sizeof(d), 2 * 86400 + 4 * 3600);
		CHECK_STR_EQ(d, "2d04h");
		fmt_duration(d, sizeof(d), -3);
		CHECK_STR_EQ(d, "0s");
	}
	CHECK(str_starts("carp: MASTER", "carp:"));
	char *p = xasprintf("%s-%d", "fw", 1);
	CHECK_STR_EQ(p, "fw-1");
	free(p);
}

static void test_strbuf(void)
{
	struct strbuf sb;
	int i;
	sb_init(&sb);
	for (i = 0; i < 1000; i++)
		sb_printf(&sb, "%d,", i);
	CHECK(sb.len > 3000);
	CHECK(strncmp(sb.buf, "0,1,2,", 6) == 0);
	char *s = sb_steal(&sb);
	CHECK(sb.buf == NULL);
	free(s);
}

int main(void)
{
	RUN(test_sanitize);
	RUN(test_strings);
	RUN(test_strbuf);
	return test_done();
}
