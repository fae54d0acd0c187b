/* Unit tests for jsondiff: verdicts per leaf, JSON pointer paths, folding,
 * navigation between differences, and refusal of hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/jsondiff.h"

static const struct jsondiff_entry *find(const struct jsondiff *d, const char *path)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].path, path))
			return &d->v[i];
	return NULL;
}

static void test_kinds(void **state)
{
	(void)state;
	struct jsondiff d;
	struct err e = {{0}};
	assert_int_equal(jsondiff_texts("{\"a\":1,\"b\":{\"c\":\"x\",\"d\":true},\"gone\":2}",
					"{\"a\":1,\"b\":{\"c\":\"y\",\"d\":true},\"new\":[1]}",
					&d, &e), 0);
	assert_int_equal(d.count[JSONDIFF_SAME], 2);
	assert_int_equal(d.count[JSONDIFF_CHANGED], 1);
	assert_int_equal(d.count[JSONDIFF_ADDED], 1);
	assert_int_equal(d.count[JSONDIFF_REMOVED], 1);
	const struct jsondiff_entry *c = find(&d, "/b/c");
	assert_non_null(c);
	assert_int_equal(c->kind, JSONDIFF_CHANGED);
	assert_string_equal(c->left, "\"x\"");
	assert_string_equal(c->right, "\"y\"");
	const struct jsondiff_entry *g = find(&d, "/gone");
	assert_non_null(g);
	assert_int_equal(g->kind, JSONDIFF_REMOVED);
	assert_null(g->right);
	const struct jsondiff_entry *n = find(&d, "/new/0");
	assert_non_null(n);
	assert_int_equal(n->kind, JSONDIFF_ADDED);
	assert_string_equal(n->right, "1");
	/* document order: the left's keys first, then the right's extras */
	assert_string_equal(d.v[0].path, "/a");
	assert_string_equal(d.v[d.n - 1].path, "/new/0");
	jsondiff_free(&d);
}

static void test_arrays_and_types(void **state)
{
	(void)state;
	struct jsondiff d;
	assert_int_equal(jsondiff_texts("[1,2,3]", "[1,5]", &d, NULL), 0);
	assert_int_equal(find(&d, "/1")->kind, JSONDIFF_CHANGED);
	assert_int_equal(find(&d, "/2")->kind, JSONDIFF_REMOVED);
	jsondiff_free(&d);
	/* a type change is one changed leaf, not a walk into the children */
	assert_int_equal(jsondiff_texts("{\"a\":{\"x\":1}}", "{\"a\":[1]}", &d, NULL), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].kind, JSONDIFF_CHANGED);
	jsondiff_free(&d);
	/* empty containers are leaves too */
	assert_int_equal(jsondiff_texts("{\"a\":{}}", "{\"a\":{}}", &d, NULL), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].kind, JSONDIFF_SAME);
	jsondiff_free(&d);
	/* numbers compare by value: 1 and 1.0 are equal */
	assert_int_equal(jsondiff_texts("{\"n\":1}", "{\"n\":1.0}", &d, NULL), 0);
	assert_int_equal(d.count[JSONDIFF_SAME], 1);
	jsondiff_free(&d);
}

static void test_pointer_escapes(void **state)
{
	(void)state;
	struct jsondiff d;
	assert_int_equal(jsondiff_texts("{\"a/b\":{\"m~n\":1}}", "{\"a/b\":{\"m~n\":2}}", &d,
					NULL), 0);
	assert_non_null(find(&d, "/a~1b/m~0n"));
	jsondiff_free(&d);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct jsondiff d;
	struct err e = {{0}};
	assert_int_equal(jsondiff_texts("{\"a\":", "{}", &d, &e), -1);
	assert_non_null(strstr(e.msg, "left document is not valid JSON"));
	assert_int_equal(jsondiff_texts("{}", "nope", &d, &e), -1);
	assert_non_null(strstr(e.msg, "right"));
	assert_int_equal(d.n, 0);
}

static void test_too_deep(void **state)
{
	(void)state;
	size_t depth = JSONDIFF_MAX_DEPTH + 10;
	char *s = malloc(depth * 2 + 1);
	for (size_t i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth * 2 - 1 - i] = ']';
	}
	s[depth * 2] = '\0';
	struct jsondiff d;
	struct err e = {{0}};
	int rc = jsondiff_texts(s, "[]", &d, &e);
	/* refused either by the parser's own limit or by ours; never a crash */
	assert_int_equal(rc, -1);
	assert_true(strlen(e.msg) > 0);
	free(s);
}

static void test_navigation_and_render(void **state)
{
	(void)state;
	struct jsondiff d;
	assert_int_equal(jsondiff_texts("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}",
					"{\"a\":1,\"b\":9,\"c\":3,\"d\":8}", &d, NULL), 0);
	assert_int_equal(jsondiff_next_change(&d, -1, 1), 1);
	assert_int_equal(jsondiff_next_change(&d, 1, 1), 3);
	assert_int_equal(jsondiff_next_change(&d, 3, 1), 1); /* wraps */
	assert_int_equal(jsondiff_next_change(&d, 1, -1), 3);
	struct strbuf sb = {0};
	jsondiff_render(&d, 0, &sb);
	assert_non_null(strstr(sb_str(&sb), "  ~ /b: 2 -> 9\n"));
	assert_non_null(strstr(sb_str(&sb), "(1 unchanged fields hidden)"));
	assert_null(strstr(sb_str(&sb), "/a:"));
	assert_non_null(strstr(sb_str(&sb), "2 changed, 0 added, 0 removed, 2 unchanged"));
	sb_reset(&sb);
	jsondiff_render(&d, 1, &sb);
	assert_non_null(strstr(sb_str(&sb), "    /a: 1\n"));
	sb_release(&sb);
	jsondiff_free(&d);
	assert_int_equal(jsondiff_texts("{\"a\":1}", "{\"a\":1}", &d, NULL), 0);
	assert_int_equal(jsondiff_next_change(&d, 0, 1), -1);
	jsondiff_free(&d);
}

static void test_wide_object(void **state)
{
	(void)state;
	/* 20,000 keys in reverse order on one side: must match every one */
	enum { N = 20000 };
	cJSON *l = cJSON_CreateObject(), *r = cJSON_CreateObject();
	char key[32];
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cJSON_AddNumberToObject(l, key, i);
		snprintf(key, sizeof(key), "k%d", N - 1 - i);
		cJSON_AddNumberToObject(r, key, N - 1 - i == 7 ? -1 : N - 1 - i);
	}
	struct jsondiff d;
	assert_int_equal(jsondiff_compute(l, r, &d, NULL), 0);
	assert_int_equal(d.count[JSONDIFF_SAME], N - 1);
	assert_int_equal(d.count[JSONDIFF_CHANGED], 1);
	assert_int_equal(find(&d, "/k7")->kind, JSONDIFF_CHANGED);
	jsondiff_free(&d);
	cJSON_Delete(l);
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_arrays_and_types),
		cmocka_unit_test(test_pointer_escapes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_navigation_and_render),
		cmocka_unit_test(test_wide_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
