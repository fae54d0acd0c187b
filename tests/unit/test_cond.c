/* Unit tests for cond: parsing, the three verdicts, limits, JSON asserts. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/cond.h"

typedef int (*parse_fn)(const char *text, struct cond *c, struct err *e);

static struct cond parsed_by(parse_fn parse, const char *s)
{
	struct cond c;
	struct err e = {{0}};
	if (parse(s, &c, &e) < 0)
		fail_msg("'%s': %s", s, e.msg);
	return c;
}

static struct cond parsed(const char *s) { return parsed_by(cond_parse, s); }
static struct cond threshold(const char *s) { return parsed_by(cond_threshold_parse, s); }

static void test_parse(void **state)
{
	(void)state;
	struct cond c = parsed("error_rate > 0.5%");
	assert_string_equal(c.metric, "error_rate");
	assert_int_equal(c.op, COND_GT);
	assert_true(fabs(c.value - 0.005) < 1e-12);
	assert_true(c.percent);
	c = parsed("  p99_latency_ms<=250 ");
	assert_int_equal(c.op, COND_LE);
	assert_true(c.value == 250);
	c = parsed("x != -3");
	assert_int_equal(c.op, COND_NE);
	char buf[192];
	c = parsed("error_rate >= 1%");
	cond_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "error_rate >= 1%");

	static const char *const bad[] = {"", "> 1", "error_rate", "error_rate >",
					  "error_rate > abc", "error_rate => 1", "error_rate > 1%%",
					  "1abc > 2", "error rate > 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = {{0}};
		struct cond x;
		if (cond_parse(bad[i], &x, &e) != -1)
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(strstr(e.msg, "condition"));
	}
}

static void test_verdicts(void **state)
{
	(void)state;
	struct cond ok = parsed("error_rate < 0.5%"), bad = parsed("error_rate > 1%");
	assert_int_equal(cond_verdict_of(&ok, &bad, 1, 0.001), COND_SUCCESSFUL);
	assert_int_equal(cond_verdict_of(&ok, &bad, 1, 0.02), COND_FAILED);
	assert_int_equal(cond_verdict_of(&ok, &bad, 1, 0.007), COND_INCONCLUSIVE);
	assert_int_equal(cond_verdict_of(&ok, &bad, 0, 0), COND_INCONCLUSIVE);
	assert_int_equal(cond_verdict_of(&ok, &bad, 1, NAN), COND_INCONCLUSIVE);
	/* Without a failure condition, anything but success fails. */
	assert_int_equal(cond_verdict_of(&ok, NULL, 1, 0.007), COND_FAILED);
	assert_int_equal(cond_verdict_of(&ok, NULL, 1, 0.004), COND_SUCCESSFUL);
	/* Boundaries: < excludes, <= includes. */
	assert_int_equal(cond_verdict_of(&ok, NULL, 1, 0.005), COND_FAILED);
	struct cond le = parsed("error_rate <= 0.5%");
	assert_int_equal(cond_verdict_of(&le, NULL, 1, 0.005), COND_SUCCESSFUL);
	assert_string_equal(cond_verdict_name(COND_INCONCLUSIVE), "Inconclusive");
}

/* A threshold fires in the direction it is written; a bare one is an upper
 * limit, as the seed schema's "critical_threshold: 1%" always meant. */
static void test_threshold(void **state)
{
	(void)state;
	struct cond up = threshold("1%");
	assert_int_equal(up.op, COND_GT);
	assert_string_equal(up.metric, "");
	assert_true(cond_holds(&up, 0.02));
	assert_false(cond_holds(&up, 0.01));
	assert_false(cond_holds(&up, 0.005));
	struct cond over = threshold(" > 1500 ");
	assert_true(cond_holds(&over, 1600));
	assert_false(cond_holds(&over, 1400));
	struct cond down = threshold("< 99%");
	assert_int_equal(down.op, COND_LT);
	assert_true(cond_holds(&down, 0.98));
	assert_false(cond_holds(&down, 0.99));
	assert_false(cond_holds(&down, 0.999));
	assert_false(cond_holds(&down, NAN));
	struct cond floor = threshold("<=50");
	assert_true(cond_holds(&floor, 50));
	assert_false(cond_holds(&floor, 50.5));
	struct cond ge = threshold(">= 0.8");
	assert_true(cond_holds(&ge, 0.8));
	assert_false(cond_holds(&ge, 0.79));
	char buf[192], v[48];
	cond_format(&down, buf, sizeof(buf));
	assert_string_equal(buf, "< 99%");
	cond_format_value(&down, 0.985, v, sizeof(v));
	assert_string_equal(v, "98.5%");
	assert_string_equal(cond_direction(&down), "below");
	assert_string_equal(cond_direction(&up), "over");
	assert_string_equal(cond_direction(&floor), "at or below");

	static const char *const bad[] = {"", "  ", "<", "> abc", "about 5 minutes", "== 3",
					  "!= 0", "=> 1", "1%%", "error_rate > 1%"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = {{0}};
		struct cond x;
		if (cond_threshold_parse(bad[i], &x, &e) != -1)
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(strstr(e.msg, "threshold"));
	}
	struct err e = {{0}};
	struct cond x;
	assert_int_equal(cond_threshold_parse("== 3", &x, &e), -1);
	assert_non_null(strstr(e.msg, "going up (> >=) or down (< <=)"));
	assert_int_equal(cond_threshold_parse(NULL, &x, &e), -1);
}

static void test_limits(void **state)
{
	(void)state;
	assert_int_equal(cond_limits(0, 0, 0, 0), COND_SUCCESSFUL);
	assert_int_equal(cond_limits(1, 0, 0, 0), COND_FAILED);
	assert_int_equal(cond_limits(1, 0, 1, 0), COND_SUCCESSFUL);
	assert_int_equal(cond_limits(0, 1, 0, 0), COND_INCONCLUSIVE);
	assert_int_equal(cond_limits(2, 5, 1, 0), COND_FAILED);
	assert_int_equal(cond_limits(0, 2, 0, 2), COND_SUCCESSFUL);
}

static int assert_is(const char *json, const char *op, const char *want)
{
	cJSON *v = cJSON_Parse(json);
	enum cond_op o;
	assert_int_equal(cond_op_parse(op, &o), 0);
	struct err e = {{0}};
	int r = cond_assert_json(v, o, want, &e);
	cJSON_Delete(v);
	return r;
}

static void test_assert_json(void **state)
{
	(void)state;
	assert_int_equal(assert_is("\"active\"", "==", "active"), 1);
	assert_int_equal(assert_is("\"active\"", "!=", "active"), 0);
	assert_int_equal(assert_is("3", ">=", "1"), 1);
	assert_int_equal(assert_is("0", ">=", "1"), 0);
	assert_int_equal(assert_is("true", "==", "true"), 1);
	assert_int_equal(assert_is("null", "==", "null"), 1);
	assert_int_equal(assert_is("\"12\"", ">", "3"), 1);
	assert_int_equal(assert_is("3", "==", "abc"), -1);
	assert_int_equal(assert_is("\"abc\"", "<", "b"), -1);
	assert_int_equal(assert_is("[1]", "==", "1"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_assert_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
