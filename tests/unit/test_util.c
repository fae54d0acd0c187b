/* Unit tests for util and diag: strings, errors, files, edit distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/diag.h"
#include "warroom/util.h"

static void test_strbuf(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	assert_string_equal(sb_str(&sb), "");
	sb_adds(&sb, "abc");
	sb_addc(&sb, '-');
	for (int i = 0; i < 100; i++)
		sb_addf(&sb, "%d", i % 10);
	assert_int_equal(sb.len, 104);
	assert_memory_equal(sb.buf, "abc-0123", 8);
	char *s = sb_detach(&sb);
	assert_null(sb.buf);
	assert_int_equal(strlen(s), 104);
	free(s);
}

static void test_err_wrap(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(err_set(&e, "disk %s", "full"), -1);
	err_wrap(&e, "writing %s", "x.db");
	assert_string_equal(e.msg, "writing x.db: disk full");
	assert_int_equal(err_set(NULL, "ignored"), -1);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(util_edit_distance("approvers", "aprovers", 3), 1);
	assert_int_equal(util_edit_distance("phase_id", "phase_id", 3), 0);
	assert_int_equal(util_edit_distance("kitten", "sitting", 3), 3);
	assert_int_equal(util_edit_distance("a", "completely_other", 3), 4);
}

static void test_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/wr-util-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/f.txt", dir);
	struct err e;
	assert_int_equal(util_write_file_atomic(path, "hello", 5, &e), 0);
	size_t len = 0;
	char *data = util_read_file(path, 100, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	free(data);
	assert_null(util_read_file(path, 3, &len, &e));
	assert_non_null(strstr(e.msg, "over the limit"));
	assert_null(util_read_file("/nonexistent/x", 3, &len, &e));
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_iso8601(void **state)
{
	(void)state;
	char buf[32];
	util_iso8601(1795430542123LL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T10:42:22.123Z");
}

static void test_diags(void **state)
{
	(void)state;
	struct diags d = {0};
	diag_add(&d, DIAG_ERROR, "plan.yaml", 3, 5, "unknown step '%s'", "s9");
	diag_add(&d, DIAG_WARNING, "plan.yaml", 7, 1, "no rollback");
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.warnings, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diags_print(&d, f);
	fclose(f);
	assert_non_null(strstr(buf, "plan.yaml:3:5: error: unknown step 's9'\n"));
	assert_non_null(strstr(buf, "plan.yaml:7:1: warning: no rollback\n"));
	assert_non_null(strstr(buf, "1 error, 1 warning"));
	free(buf);
	for (int i = 0; i < DIAGS_MAX + 5; i++)
		diag_add(&d, DIAG_ERROR, "f", 1, 1, "x");
	assert_int_equal(d.n, DIAGS_MAX);
	assert_int_equal(d.dropped, 7);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),     cmocka_unit_test(test_err_wrap),
		cmocka_unit_test(test_edit_distance), cmocka_unit_test(test_files),
		cmocka_unit_test(test_iso8601),    cmocka_unit_test(test_diags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
