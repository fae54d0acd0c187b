/* Unit tests for keymap: names round-trip, view bindings shadow generic
 * ones, help lists each key a view answers once, with the view's own words
 * where it has them, and acting requests are flagged. */
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
	/* Enter opens the run view from the dashboard, the item's diff in the
	 * import view, and is no key where it would do nothing */
	assert_int_equal(keymap_lookup(KS_ACCOUNTS, '\n'), REQ_VIEW_RUN);
	assert_int_equal(keymap_lookup(KS_IMPORT, '\n'), REQ_ENTER);
	assert_int_equal(keymap_lookup(KS_MONITOR, '\n'), REQ_NONE);
	assert_int_equal(keymap_lookup(KS_RUN, '/'), REQ_NONE);
	assert_int_equal(keymap_lookup(KS_IMPORT, '/'), REQ_FILTER);
}

/* The help of one view as text: "KEY request words" a line. */
static void help_text(enum keymap_scope scope, char *out, size_t size)
{
	const struct keymap_binding *b[KEYMAP_VIEW_MAX + 1];
	size_t n = keymap_bindings(scope, b, KEYMAP_VIEW_MAX + 1);
	assert_true(n <= KEYMAP_VIEW_MAX); /* `?` shows them all */
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char key[16];
		keymap_key_name(b[i]->key, key, sizeof(key));
		int w = snprintf(out + len, size - len, "%s %s %s\n", key,
				 keymap_request_name(b[i]->req), keymap_binding_help(b[i]));
		assert_true(w > 0 && (size_t)w < size - len);
		len += (size_t)w;
	}
}

/* Every key a view answers is in its help, once, with what it does there:
 * for every view and every key code, the lookup and the help agree. */
static void test_help_is_the_keymap(void **state)
{
	(void)state;
	for (int s = 0; s < KS__COUNT; s++) {
		const struct keymap_binding *b[KEYMAP_VIEW_MAX];
		size_t n = keymap_bindings((enum keymap_scope)s, b, KEYMAP_VIEW_MAX);
		for (int key = 1; key < KEY_MAX; key++) {
			enum request r = keymap_lookup((enum keymap_scope)s, key);
			size_t listed = 0;
			for (size_t i = 0; i < n; i++)
				if (b[i]->key == key) {
					listed++;
					assert_int_equal(b[i]->req, r);
				}
			assert_int_equal(listed, r != REQ_NONE);
		}
		/* a key and its keypad twin do the same */
		assert_int_equal(keymap_lookup((enum keymap_scope)s, '\n'),
				 keymap_lookup((enum keymap_scope)s, KEY_ENTER));
	}
	/* the import view's own keys, in its own words */
	static char text[16384];
	help_text(KS_IMPORT, text, sizeof(text));
	assert_non_null(strstr(text, "Enter enter diff the item with the target (:diff preview"));
	assert_non_null(strstr(text, "KpEnter enter diff the item"));
	assert_non_null(strstr(text, "/ filter filter items: text, or type:, id:, name:, verdict:"));
	assert_non_null(strstr(text, "8 import "));
	assert_non_null(strstr(text, "Esc back drop a running :diff fetch"));
	/* no view lists a filter it does not have */
	help_text(KS_GATE, text, sizeof(text));
	assert_null(strstr(text, " filter "));
	assert_null(strstr(text, "Enter "));
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
		cmocka_unit_test(test_key_names), cmocka_unit_test(test_help_is_the_keymap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
