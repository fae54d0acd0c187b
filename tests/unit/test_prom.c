/* Unit tests for prom: scalar, vector reduction, errors, query URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/prom.h"

static int value_of(const char *body, double *v, struct err *e)
{
	return prom_parse_value(body, strlen(body), v, e);
}

static void test_values(void **state)
{
	(void)state;
	struct err e = {{0}};
	double v = 0;
	assert_int_equal(value_of("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
				  "\"result\":[{\"metric\":{\"t\":\"a\"},\"value\":[1.5,\"0.25\"]}]}}",
				  &v, &e), 0);
	assert_true(v == 0.25);
	assert_int_equal(value_of("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
				  "\"result\":[{\"metric\":{},\"value\":[1,\"0.1\"]},"
				  "{\"metric\":{},\"value\":[1,\"0.7\"]},{\"metric\":{},\"value\":[1,\"0.3\"]}]}}",
				  &v, &e), 0);
	assert_true(v == 0.7);
	assert_int_equal(value_of("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
				  "\"result\":[1,\"42\"]}}", &v, &e), 0);
	assert_true(v == 42);
}

static void fails_with(const char *body, const char *part)
{
	struct err e = {{0}};
	double v;
	assert_int_equal(value_of(body, &v, &e), -1);
	if (!strstr(e.msg, part))
		fail_msg("'%s' lacks '%s'", e.msg, part);
}

static void test_errors(void **state)
{
	(void)state;
	fails_with("not json", "not JSON");
	fails_with("{\"status\":\"error\",\"error\":\"bad_data: parse error\"}", "bad_data");
	fails_with("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
		   "no series");
	fails_with("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		   "\"result\":[{\"value\":[1,\"NaN\"]}]}}", "not a finite number");
	fails_with("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
		   "matrix");
	fails_with("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		   "\"result\":[{\"value\":[1]}]}}", "pair");
}

static void test_url(void **state)
{
	(void)state;
	char *u = prom_query_url("http://h:9/", "error_rate{t=\"a b\"}");
	assert_string_equal(u, "http://h:9/api/v1/query?query=error_rate%7Bt%3D%22a%20b%22%7D");
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
