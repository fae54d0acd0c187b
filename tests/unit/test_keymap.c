/* Unit tests for keymap: names round-trip, view bindings shadow generic
 * ones, help lists each key once, and acting requests are flagged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <curses.h>

#include "warroom/keymap.h"

static void test_names(void **state)
{
	(void)state;
	for (int r = 1; r < REQ__COUNT; r++) {
		const char *name = keymap_request_name((enum request)r);
		assert_int_equal(keymap_request_by_name(name), r);
		assert_true(strlen(keymap_request_help((enum request)r)) > 0);
	}
	assert_int_equal(keymap_request_by_name("no-such"), REQ_NONE);
	assert_string_equal(keymap_scope_name(KS_DIFF), "diff");
}

static void test_lookup(void **state)
{
	(void)state;
	/* 'v' is verbose in the diff pane, verify in the audit view */
	assert_int_equal(keymap_lookup(KS_DIFF, 'v'), REQ_VERBOSE);
	assert_int_equal(keymap_lookup(KS_AUDIT, 'v'), REQ_VERIFY);
	assert_int_equal(keymap_lookup(KS_ACCOUNTS, 'v'), REQ_NONE);
	/* generic keys reach every view */
	assert_int_equal(keymap_lookup(KS_GATE, 'j'), REQ_MOVE_DOWN);
	assert_int_equal(keymap_lookup(KS_GATE, '?'), REQ_HELP);
	/* Enter opens the run view from the dashboard, a generic enter elsewhere */
	assert_int_equal(keymap_lookup(KS_ACCOUNTS, '\n'), REQ_VIEW_RUN);
	assert_int_equal(keymap_lookup(KS_MONITOR, '\n'), REQ_ENTER);
}

static void test_help_lists(void **state)
{
	(void)state;
	const struct keymap_binding *b[128];
	size_t n = keymap_bindings(KS_ACCOUNTS, b, 128);
	assert_true(n > 10);
	int saw_sort = 0, saw_help = 0, enters = 0;
	for (size_t i = 0; i < n; i++) {
		saw_sort |= b[i]->req == REQ_SORT_NEXT;
		saw_help |= b[i]->req == REQ_HELP;
		enters += b[i]->key == '\n';
	}
	assert_true(saw_sort && saw_help);
	assert_int_equal(enters, 1); /* the shadowed generic Enter is not listed */
	assert_int_equal(keymap_bindings(KS_ACCOUNTS, b, 3), 3);
}

static void test_acts(void **state)
{
	(void)state;
	assert_true(keymap_request_acts(REQ_SIGN));
	assert_true(keymap_request_acts(REQ_EXC_ADD));
	assert_false(keymap_request_acts(REQ_VERIFY));
	assert_false(keymap_request_acts(REQ_MOVE_DOWN));
}

static void test_key_names(void **state)
{
	(void)state;
	char buf[16];
	keymap_key_name('\n', buf, sizeof(buf));
	assert_string_equal(buf, "Enter");
	keymap_key_name(12, buf, sizeof(buf));
	assert_string_equal(buf, "C-l");
	keymap_key_name('x', buf, sizeof(buf));
	assert_string_equal(buf, "x");
	keymap_key_name(KEY_NPAGE, buf, sizeof(buf));
	assert_string_equal(buf, "PgDn");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),     cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_help_lists), cmocka_unit_test(test_acts),
		cmocka_unit_test(test_key_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
