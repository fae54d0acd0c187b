/* Unit tests for jsonptr: RFC 6901's own examples, escapes, bad pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/jsonptr.h"

/* The document of RFC 6901 section 5. */
static const char *rfc_doc = "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2,"
			     " \"e^f\": 3, \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7,"
			     " \"m~n\": 8, \"n\": {\"s\": \"12.5\", \"t\": true}}";

static void number_at(const cJSON *doc, const char *ptr, double want)
{
	struct err e = {{0}};
	double v = -1;
	if (jsonptr_number(doc, ptr, &v, &e) < 0)
		fail_msg("%s: %s", ptr, e.msg);
	assert_true(v == want);
}

static void test_rfc_examples(void **state)
{
	(void)state;
	cJSON *doc = cJSON_Parse(rfc_doc);
	assert_non_null(doc);
	struct err e = {{0}};
	assert_ptr_equal(jsonptr_get(doc, "", &e), doc);
	const cJSON *foo = jsonptr_get(doc, "/foo", &e);
	assert_true(cJSON_IsArray(foo));
	assert_string_equal(jsonptr_get(doc, "/foo/0", &e)->valuestring, "bar");
	assert_string_equal(jsonptr_get(doc, "/foo/1", &e)->valuestring, "baz");
	number_at(doc, "/", 0);
	number_at(doc, "/a~1b", 1);
	number_at(doc, "/c%d", 2);
	number_at(doc, "/e^f", 3);
	number_at(doc, "/g|h", 4);
	number_at(doc, "/i\\j", 5);
	number_at(doc, "/k\"l", 6);
	number_at(doc, "/ ", 7);
	number_at(doc, "/m~0n", 8);
	number_at(doc, "/n/s", 12.5);
	number_at(doc, "/n/t", 1);
	cJSON_Delete(doc);
}

static void test_errors(void **state)
{
	(void)state;
	cJSON *doc = cJSON_Parse(rfc_doc);
	struct err e = {{0}};
	assert_null(jsonptr_get(doc, "/nope", &e));
	assert_non_null(strstr(e.msg, "no member 'nope'"));
	assert_null(jsonptr_get(doc, "/foo/2", &e));
	assert_null(jsonptr_get(doc, "/foo/01", &e));
	assert_non_null(strstr(e.msg, "not an array index"));
	assert_null(jsonptr_get(doc, "/foo/-", &e));
	assert_null(jsonptr_get(doc, "/foo/0/x", &e));
	assert_non_null(strstr(e.msg, "not an object or array"));
	assert_null(jsonptr_get(doc, "foo", &e));
	assert_non_null(strstr(e.msg, "must start with '/'"));
	assert_null(jsonptr_get(doc, "/m~2n", &e));
	assert_non_null(strstr(e.msg, "RFC 6901"));
	assert_int_equal(jsonptr_valid("/a~", &e), -1);
	double v;
	assert_int_equal(jsonptr_number(doc, "/foo/0", &v, &e), -1);
	assert_non_null(strstr(e.msg, "expected a number"));
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(jsonptr_valid(big, &e), -1);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
