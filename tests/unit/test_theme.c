/* Unit tests for theme: colour grammar, mapping down to 16 and 8 colours,
 * the shipped theme files, and line:col errors for broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/theme.h"

static void test_colors(void **state)
{
	(void)state;
	short c;
	assert_int_equal(theme_parse_color("red", &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(theme_parse_color("bright-red", &c), 0);
	assert_int_equal(c, 9);
	assert_int_equal(theme_parse_color("default", &c), 0);
	assert_int_equal(c, -1);
	assert_int_equal(theme_parse_color("208", &c), 0);
	assert_int_equal(c, 208);
	assert_int_equal(theme_parse_color("#ff0000", &c), 0);
	assert_int_equal(c, 196);
	assert_int_equal(theme_parse_color("256", &c), -1);
	assert_int_equal(theme_parse_color("-1", &c), -1);
	assert_int_equal(theme_parse_color("bright-default", &c), -1);
	assert_int_equal(theme_parse_color("#ff00", &c), -1);
	assert_int_equal(theme_parse_color("#gg0000", &c), -1);
	assert_int_equal(theme_parse_color("", &c), -1);
}

static void test_map_down(void **state)
{
	(void)state;
	unsigned attrs = 0;
	assert_int_equal(theme_map_color(208, 256, &attrs), 208);
	assert_int_equal(theme_map_color(-1, 8, &attrs), -1);
	/* pure red of the cube is bright red on 16 colours ... */
	assert_int_equal(theme_map_color(196, 16, &attrs), 9);
	assert_int_equal(attrs, 0);
	/* ... and red plus bold on 8 */
	assert_int_equal(theme_map_color(196, 8, &attrs), 1);
	assert_true(attrs & THEME_BOLD);
	attrs = 0;
	assert_int_equal(theme_map_color(2, 8, &attrs), 2);
	assert_int_equal(attrs, 0);
	/* a grey ramp value lands on a grey */
	short g = theme_map_color(250, 16, &attrs);
	assert_true(g == 7 || g == 8 || g == 15);
}

static void test_builtin(void **state)
{
	(void)state;
	struct theme t;
	theme_builtin(&t);
	short red;
	theme_parse_color("bright-red", &red);
	assert_int_equal(t.style[ROLE_FAIL].fg, red);
	assert_true(theme_mono_attrs(ROLE_CURSOR) & THEME_REVERSE);
	assert_string_equal(theme_role_name(ROLE_HEADER), "header");
	theme_free(&t);
}

static void test_shipped(void **state)
{
	(void)state;
	static const char *const names[] = {"default", "light", "high-contrast", "monochrome"};
	setenv("WARROOM_THEMES", "themes", 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		struct err e = {{0}};
		assert_int_equal(theme_resolve(names[i], path, sizeof(path), &e), 0);
		struct diags d = {0};
		struct theme t;
		int rc = theme_load_file(path, &t, &d);
		if (rc)
			diags_print(&d, stderr);
		assert_int_equal(rc, 0);
		assert_string_equal(t.name, names[i]);
		theme_free(&t);
		diags_free(&d);
	}
	char **list;
	size_t n = theme_list(&list);
	assert_true(n >= 4);
	theme_names_free(list, n);
	char path[512];
	struct err e = {{0}};
	assert_int_equal(theme_resolve("no-such-theme", path, sizeof(path), &e), -1);
	assert_non_null(strstr(e.msg, "monochrome"));
	assert_int_equal(theme_resolve("../etc/passwd", path, sizeof(path), &e), -1);
}

static void expect_error(const char *text, const char *where, const char *what)
{
	struct diags d = {0};
	struct theme t;
	assert_int_equal(theme_load_text("t.yaml", text, strlen(text), &t, &d), -1);
	assert_true(d.errors > 0);
	int found = 0;
	for (size_t i = 0; i < d.n; i++) {
		char loc[64];
		snprintf(loc, sizeof(loc), "%d:%d", d.v[i].line, d.v[i].col);
		if (!strcmp(loc, where) && strstr(d.v[i].msg, what))
			found = 1;
	}
	if (!found)
		diags_print(&d, stderr);
	assert_true(found);
	/* a failed load leaves the built-in theme usable */
	assert_string_equal(t.name, "builtin");
	theme_free(&t);
	diags_free(&d);
}

/* An unknown role is a warning naming the nearest known one; the rest loads. */
static void test_unknown_role_warns(void **state)
{
	(void)state;
	const char *text = "name: x\nroles:\n  okk: {fg: red}\n";
	struct diags d = {0};
	struct theme t;
	assert_int_equal(theme_load_text("t.yaml", text, strlen(text), &t, &d), 0);
	assert_int_equal(d.errors, 0);
	assert_true(d.n > 0);
	assert_int_equal(d.v[0].line, 3);
	assert_int_equal(d.v[0].col, 3);
	assert_non_null(strstr(d.v[0].msg, "okk"));
	assert_string_equal(t.name, "x");
	theme_free(&t);
	diags_free(&d);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("name: x\nroles:\n  ok: {fg: purple}\n", "3:12", "unknown colour 'purple'");
	expect_error("roles: {}\n", "1:1", "name");
	expect_error("name: x\nroles:\n  ok: [1, 2]\n", "3:7", "");
	expect_error("", "1:1", "empty");
	expect_error("name: [\n", "2:1", "flow");
}

static void test_partial(void **state)
{
	(void)state;
	const char *text = "name: tiny\nroles:\n  ok: {fg: 46, bold: true}\n";
	struct diags d = {0};
	struct theme t;
	assert_int_equal(theme_load_text("t.yaml", text, strlen(text), &t, &d), 0);
	assert_int_equal(t.style[ROLE_OK].fg, 46);
	assert_true(t.style[ROLE_OK].attrs & THEME_BOLD);
	/* roles the file does not name keep the built-in colours */
	struct theme b;
	theme_builtin(&b);
	assert_int_equal(t.style[ROLE_FAIL].fg, b.style[ROLE_FAIL].fg);
	theme_free(&b);
	theme_free(&t);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colors),   cmocka_unit_test(test_map_down),
		cmocka_unit_test(test_builtin),  cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_unknown_role_warns),   cmocka_unit_test(test_partial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
