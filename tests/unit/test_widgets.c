/* Unit tests for widgets: display-width fitting (wide and invalid text),
 * wrapping, sparklines, progress bars and state badges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/widgets.h"

static int setup(void **state)
{
	(void)state;
	return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1;
}

static void test_fit(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	widgets_fit(&sb, "acme", 6, 1, 0);
	assert_string_equal(sb_str(&sb), "acme  ");
	sb_reset(&sb);
	widgets_fit(&sb, "acme", 6, 1, 1);
	assert_string_equal(sb_str(&sb), "  acme");
	sb_reset(&sb);
	widgets_fit(&sb, "acme-corporation", 6, 0, 0);
	assert_string_equal(sb_str(&sb), "acme-~");
	sb_reset(&sb);
	/* CJK characters are two columns: 3 of them need 6 columns */
	assert_int_equal(widgets_width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6);
	widgets_fit(&sb, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 1, 0);
	assert_int_equal(widgets_width(sb_str(&sb)), 5);
	sb_reset(&sb);
	/* control characters never reach the terminal */
	widgets_fit(&sb, "a\x1b[2Jb", 8, 1, 0);
	assert_null(strchr(sb_str(&sb), 0x1b));
	sb_reset(&sb);
	widgets_fit(&sb, "\xff\xfe", 4, 1, 0);
	assert_string_equal(sb_str(&sb), "??  ");
	sb_release(&sb);
}

/* Without UTF-8, the console's own symbols get ASCII forms, others '?'. */
static void test_fit_ascii(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	widgets_fit(&sb, "\xe2\x80\x94 \xc2\xb7 \xe2\x9c\x93 \xe6\x97\xa5", 8, 0, 0);
	assert_string_equal(sb_str(&sb), "- . + ? ");
	sb_reset(&sb);
	widgets_fit(&sb, "\xe2\x80\x94", 3, 1, 0); /* kept as is with UTF-8 */
	assert_string_equal(sb_str(&sb), "\xe2\x80\x94  ");
	sb_release(&sb);
}

static void test_wrap(void **state)
{
	(void)state;
	char **lines;
	size_t n = widgets_wrap("create the tenant on the target", 12, &lines);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "create the");
	assert_string_equal(lines[1], "tenant on");
	assert_string_equal(lines[2], "the target");
	widgets_lines_free(lines, n);
	n = widgets_wrap("abcdefghij", 4, &lines);
	assert_int_equal(n, 3);
	assert_string_equal(lines[2], "ij");
	widgets_lines_free(lines, n);
	n = widgets_wrap("one\ntwo", 40, &lines);
	assert_int_equal(n, 2);
	widgets_lines_free(lines, n);
	n = widgets_wrap("", 10, &lines);
	assert_int_equal(n, 1);
	widgets_lines_free(lines, n);
}

static void test_sparkline(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7};
	widgets_sparkline(&sb, v, 8, 0, 0, 8, 0);
	assert_string_equal(sb_str(&sb), "_.-~=+*#");
	sb_reset(&sb);
	/* only the newest values fit; the rest is cut from the left */
	widgets_sparkline(&sb, v, 8, 0, 7, 3, 0);
	assert_string_equal(sb_str(&sb), "+*#");
	sb_reset(&sb);
	double gap[] = {1, NAN, 1};
	widgets_sparkline(&sb, gap, 3, 0, 2, 5, 0);
	assert_string_equal(sb_str(&sb), "= =  ");
	sb_reset(&sb);
	widgets_sparkline(&sb, v, 2, 0, 7, 2, 1);
	assert_int_equal(widgets_width(sb_str(&sb)), 2);
	sb_release(&sb);
}

static void test_progress(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	widgets_progress(&sb, 0.5, 17, 0);
	assert_string_equal(sb_str(&sb), "[#####.....]  50%");
	sb_reset(&sb);
	widgets_progress(&sb, 7, 17, 0);
	assert_string_equal(sb_str(&sb), "[##########] 100%");
	sb_reset(&sb);
	/* the percent is rounded as the runner's output says it, never 100 early */
	widgets_progress(&sb, 0.425, 17, 0);
	assert_string_equal(sb_str(&sb), "[####......]  43%");
	sb_reset(&sb);
	widgets_progress(&sb, 0.997, 17, 0);
	assert_string_equal(sb_str(&sb), "[#########.]  99%");
	sb_reset(&sb);
	widgets_progress(&sb, NAN, 17, 1);
	assert_int_equal(widgets_width(sb_str(&sb)), 17);
	sb_release(&sb);
}

static void test_badges(void **state)
{
	(void)state;
	assert_string_equal(widgets_badge("failed")->word, "FAIL");
	assert_int_equal(widgets_badge("failed")->role, ROLE_FAIL);
	assert_string_equal(widgets_badge("Inconclusive")->word, "INCON");
	assert_string_equal(widgets_badge("no-such-state")->word, "?");
	assert_string_equal(widgets_badge(NULL)->word, "?");
	assert_string_equal(widgets_box(0)->h, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),       cmocka_unit_test(test_fit_ascii),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_sparkline), cmocka_unit_test(test_progress),
		cmocka_unit_test(test_badges),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
