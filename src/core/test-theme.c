/* Theme parsing, colour names and the RGB -> terminal colour mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "theme.h"
#include "util.h"

#define THEMES TEST_SRCDIR "/../themes"

static void test_colour_parse(void)
{
	struct colour c;
	CHECK(colour_parse("default", &c) == 0 && c.kind == COLOUR_DEFAULT);
	CHECK(colour_parse("red", &c) == 0 && c.kind == COLOUR_BASIC && c.index == 1);
	CHECK(colour_parse("bright-white", &c) == 0 && c.kind == COLOUR_BASIC && c.index == 15);
	CHECK(colour_parse("Bright-Black", &c) == 0 && c.index == 8);
	CHECK(colour_parse("colour196", &c) == 0 && c.kind == COLOUR_INDEX && c.index == 196);
	CHECK(colour_parse("color0", &c) == 0 && c.kind == COLOUR_INDEX && c.index == 0);
	CHECK(colour_parse("#ff8000", &c) == 0 && c.kind == COLOUR_RGB && c.r == 255 && c.g == 128 && c.b == 0);
	CHECK(colour_parse("#FFfFff", &c) == 0 && c.r == 255 && c.b == 255);
	CHECK(colour_parse("#ff80", &c) < 0);
	CHECK(colour_parse("#gg0000", &c) < 0);
	CHECK(colour_parse("colour256", &c) < 0);
	CHECK(colour_parse("colour", &c) < 0);
	CHECK(colour_parse("colour-1", &c) < 0);
	CHECK(colour_parse("purple", &c) < 0);
	CHECK(colour_parse("bright-", &c) < 0);
	CHECK(colour_parse("", &c) < 0);
	CHECK(colour_parse(NULL, &c) < 0);
}

static void test_find_rgb(void)
{
	/* Exact cube entries map to themselves. */
	CHECK_INT_EQ(colour_find_rgb(0, 0, 0), 16);
	CHECK_INT_EQ(colour_find_rgb(255, 255, 255), 231);
	CHECK_INT_EQ(colour_find_rgb(255, 0, 0), 196);
	CHECK_INT_EQ(colour_find_rgb(0x5f, 0x87, 0xaf), 67);
	/* Greys go to the grey ramp when it is closer. */
	CHECK_INT_EQ(colour_find_rgb(128, 128, 128), 244);
	CHECK_INT_EQ(colour_find_rgb(8, 8, 8), 232);
	CHECK_INT_EQ(colour_find_rgb(200, 200, 200), 251);
	CHECK_INT_EQ(colour_find_rgb(250, 250, 250), 231);
	/* Near a cube colour: the cube. */
	CHECK_INT_EQ(colour_find_rgb(250, 5, 5), 196);
	CHECK_INT_EQ(colour_find_rgb(0xd7, 0, 0), 160);
	/* Every index round-trips through its RGB. */
	{
		int i, bad = 0;
		for (i = 16; i < 256; i++) {
			unsigned char r, g, b;
			colour_index_rgb(i, &r, &g, &b);
			if (colour_find_rgb(r, g, b) != i && !(i >= 232 && colour_find_rgb(r, g, b) >= 16))
				bad++;
		}
		CHECK_INT_EQ(bad, 0);
	}
}

static void test_find_basic(void)
{
	struct colour c;
	CHECK_INT_EQ(colour_find_basic(255, 0, 0, 8), 1);
	CHECK_INT_EQ(colour_find_basic(255, 0, 0, 16), 9);
	CHECK_INT_EQ(colour_find_basic(0, 0, 0, 16), 0);
	CHECK_INT_EQ(colour_find_basic(250, 250, 250, 8), 7);
	CHECK_INT_EQ(colour_find_basic(250, 250, 250, 16), 15);
	CHECK_INT_EQ(colour_find_basic(0, 200, 200, 8), 6);

	colour_parse("#d70000", &c);
	CHECK_INT_EQ(colour_to_terminal(&c, 256), 160);
	CHECK_INT_EQ(colour_to_terminal(&c, 8), 1);
	colour_parse("bright-red", &c);
	CHECK_INT_EQ(colour_to_terminal(&c, 256), 9);
	CHECK_INT_EQ(colour_to_terminal(&c, 16), 9);
	CHECK_INT_EQ(colour_to_terminal(&c, 8), 1);
	colour_parse("colour196", &c);
	CHECK_INT_EQ(colour_to_terminal(&c, 256), 196);
	CHECK_INT_EQ(colour_to_terminal(&c, 8), 1);
	colour_parse("default", &c);
	CHECK_INT_EQ(colour_to_terminal(&c, 256), -1);
}

static int style_eq(const struct theme_style *a, const struct theme_style *b)
{
	return a->fg.kind == b->fg.kind && a->fg.index == b->fg.index && a->fg.r == b->fg.r && a->fg.g == b->fg.g &&
	       a->fg.b == b->fg.b && a->bg.kind == b->bg.kind && a->bg.index == b->bg.index && a->bg.r == b->bg.r &&
	       a->bg.g == b->bg.g && a->bg.b == b->bg.b && a->attrs == b->attrs;
}

static void test_shipped_themes(void)
{
	static const char *const names[] = { "default", "light", "high-contrast", "monochrome" };
	struct theme builtin, t;
	size_t i;
	int p;

	theme_builtin(&builtin);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512], *cause = NULL;
		int rc;
		snprintf(path, sizeof(path), "%s/%s.yaml", THEMES, names[i]);
		theme_builtin(&t);
		rc = theme_load_file(&t, path, &cause);
		if (rc < 0)
			printf("# %s\n", cause);
		CHECK(rc == 0);
		CHECK_STR_EQ(t.name, names[i]);
		free(cause);
	}
	/* The built-in default is themes/default.yaml, part for part. */
	{
		char *cause = NULL;
		memset(&t, 0, sizeof(t));
		CHECK(theme_load_file(&t, THEMES "/default.yaml", &cause) == 0);
		free(cause);
		for (p = 0; p < TP__COUNT; p++) {
			if (!style_eq(&t.part[p], &builtin.part[p]))
				printf("# part %s differs\n", theme_part_name(p));
			CHECK(style_eq(&t.part[p], &builtin.part[p]));
		}
	}
	/* Every shipped theme names every part (no silent inheritance). */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512], *cause = NULL;
		int missing = 0;
		snprintf(path, sizeof(path), "%s/%s.yaml", THEMES, names[i]);
		memset(&t, 0, sizeof(t));
		theme_load_file(&t, path, &cause);
		free(cause);
		for (p = 0; p < TP__COUNT; p++)
			if (t.part[p].fg.kind == COLOUR_UNSET && t.part[p].bg.kind == COLOUR_UNSET)
				missing++;
		CHECK_INT_EQ(missing, 0);
	}
}

static void expect_error(const char *yaml, const char *want)
{
	struct theme t;
	char *cause = NULL;
	int rc;
	theme_builtin(&t);
	rc = theme_load_string(&t, yaml, strlen(yaml), "x.yaml", &cause);
	CHECK(rc == -1);
	CHECK_CONTAINS(cause, want);
	/* A failed load leaves the theme as it was. */
	CHECK_STR_EQ(t.name, "default");
	free(cause);
}

static void test_errors(void)
{
	struct theme t;
	char *cause = NULL;

	expect_error("name: x\nparts:\n  ok: purple\n", "x.yaml:3:7: part 'ok': the colour 'purple' is not a colour");
	expect_error("parts:\n  okay: green\n", "x.yaml:2:3: unknown part 'okay'; parts are: background, text");
	expect_error("parts:\n  ok: { fg: green, blink: true }\n", "x.yaml:2:20: part 'ok': unknown key 'blink'");
	expect_error("parts:\n  ok: { fg: green, bold: maybe }\n", "x.yaml:2:26: part 'ok': 'bold' must be true or false");
	expect_error("parts:\n  ok: [green]\n", "x.yaml:2:7: part 'ok' must be a colour or a mapping");
	expect_error("parts: [1]\n", "x.yaml:1:8: 'parts' must be a mapping");
	expect_error("colours:\n  ok: green\n", "x.yaml:1:1: unknown key 'colours'");
	expect_error("parts:\n  ok: { fg: green\n", "x.yaml:");
	expect_error("parts:\n  ok: { fg: green\n", "YAML syntax error");
	expect_error("- a\n- b\n", "x.yaml:1:1: a theme is a mapping");
	expect_error("", "x.yaml:1:1: the theme is empty");
	/* An unquoted # starts a YAML comment: the colour is then empty. */
	expect_error("parts:\n  ok:\n    fg: #00ff00\n", "x.yaml:3:8: part 'ok': fg '' is not a colour");
	/* Escape sequences in a bad value are shown inert. */
	expect_error("parts:\n  ok: \"\\e[31mred\"\n", "'?[31mred' is not a colour");

	/* Parts not named keep what the theme held. */
	theme_builtin(&t);
	{
		const char *y = "parts:\n  ok: bright-green\n";
		CHECK(theme_load_string(&t, y, strlen(y), "y", &cause) == 0);
	}
	CHECK(t.part[TP_OK].fg.kind == COLOUR_BASIC && t.part[TP_OK].fg.index == 10);
	CHECK(t.part[TP_OK].attrs == 0);
	CHECK(t.part[TP_CRITICAL].fg.index == 1);
	CHECK(t.part[TP_CRITICAL].attrs == THEME_BOLD);
	{
		const char *y = "parts:\n  ok: { fg: \"#112233\", bg: colour17, reverse: yes, dim: true }\n";
		CHECK(theme_load_string(&t, y, strlen(y), "y", &cause) == 0);
	}
	CHECK(t.part[TP_OK].fg.kind == COLOUR_RGB && t.part[TP_OK].fg.r == 0x11 && t.part[TP_OK].fg.b == 0x33);
	CHECK(t.part[TP_OK].bg.kind == COLOUR_INDEX && t.part[TP_OK].bg.index == 17);
	CHECK(t.part[TP_OK].attrs == (THEME_REVERSE | THEME_DIM));
}

static void test_search(void)
{
	char dir[] = "/tmp/carptop-theme-XXXXXX";
	char path[600], *cause = NULL, *found;
	struct theme t;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	setenv("CARPTOP_THEMEDIR", dir, 1);

	/* Found in CARPTOP_THEMEDIR first. */
	snprintf(path, sizeof(path), "%s/mine.yaml", dir);
	f = fopen(path, "w");
	fputs("name: mine\nparts:\n  ok: cyan\n", f);
	fclose(f);
	found = theme_find("mine", &cause);
	CHECK_STR_EQ(found, path);
	free(found);
	CHECK(theme_load_named(&t, "mine", &cause) == 0);
	CHECK_STR_EQ(t.name, "mine");

	/* Falls through to the source tree for the shipped ones. */
	found = theme_find("light", &cause);
	CHECK_CONTAINS(found, "themes/light.yaml");
	free(found);

	/* Missing: the default theme and a message saying where it looked. */
	CHECK(theme_load_named(&t, "nosuch", &cause) == -1);
	CHECK_CONTAINS(cause, "theme 'nosuch' not found");
	CHECK_CONTAINS(cause, dir);
	CHECK_STR_EQ(t.name, "default");
	free(cause);
	cause = NULL;

	/* Broken: file:line:col, and the default theme. */
	snprintf(path, sizeof(path), "%s/broken.yaml", dir);
	f = fopen(path, "w");
	fputs("name: broken\nparts:\n  ok: green\n  warning: { fg: yelow }\n", f);
	fclose(f);
	CHECK(theme_load_named(&t, "broken", &cause) == -1);
	CHECK_CONTAINS(cause, "broken.yaml:4:18: part 'warning': fg 'yelow' is not a colour");
	CHECK_STR_EQ(t.name, "default");
	free(cause);
	cause = NULL;

	/* A name with '/' is a path. */
	CHECK(theme_load_named(&t, THEMES "/monochrome.yaml", &cause) == 0);
	CHECK_STR_EQ(t.name, "monochrome");

	unlink(path);
	snprintf(path, sizeof(path), "%s/mine.yaml", dir);
	unlink(path);
	rmdir(dir);
	unsetenv("CARPTOP_THEMEDIR");
}

/* A theme nested 100 000 levels deep is refused at the nesting limit
 * (src/core/yamldepth.h), located, and quickly (see bench/bench-yaml-depth). */
static void test_depth_limit(void)
{
	struct strbuf y;
	size_t i;

	sb_init(&y);
	sb_add(&y, "parts: ");
	for (i = 0; i < 100000; i++)
		sb_add(&y, "{a: ");
	for (i = 0; i < 100000; i++)
		sb_addc(&y, '}');
	sb_addc(&y, '\n');
	/* the top mapping is level 1, the first '{' (level 2) is at column 8 */
	expect_error(y.buf, "x.yaml:1:260: nesting deeper than 64 levels; a theme nests three");
	sb_free(&y);

	sb_init(&y);
	sb_add(&y, "name: deep\nparts:\n  ok: ");
	for (i = 0; i < 100000; i++)
		sb_addc(&y, '[');
	expect_error(y.buf, "x.yaml:3:69: nesting deeper than 64 levels");
	sb_free(&y);
}

int main(void)
{
	RUN(test_colour_parse);
	RUN(test_find_rgb);
	RUN(test_find_basic);
	RUN(test_shipped_themes);
	RUN(test_errors);
	RUN(test_search);
	RUN(test_depth_limit);
	return test_done();
}
