/* Unit tests for units: durations, percentages, numbers, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <cmocka.h>

#include "warroom/units.h"

static void test_durations(void **state)
{
	(void)state;
	int64_t ms;
	assert_int_equal(units_parse_duration_ms("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(units_parse_duration_ms("5m", &ms), 0);
	assert_int_equal(ms, 300000);
	assert_int_equal(units_parse_duration_ms("1h30m", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(units_parse_duration_ms("0", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(units_parse_duration_ms("5 minutes", &ms), -1);
	assert_int_equal(units_parse_duration_ms("m", &ms), -1);
	assert_int_equal(units_parse_duration_ms("", &ms), -1);
	assert_int_equal(units_parse_duration_ms("99999999999s", &ms), -1);
}

static void test_percent(void **state)
{
	(void)state;
	double f;
	assert_int_equal(units_parse_percent("0.5%", 0, &f), 0);
	assert_true(f > 0.00499 && f < 0.00501);
	assert_int_equal(units_parse_percent("99.9%", 0, &f), 0);
	assert_true(f > 0.9989 && f < 0.9991);
	assert_int_equal(units_parse_percent("0.5", 0, &f), -1);
	assert_int_equal(units_parse_percent("0.5", 1, &f), 0);
	assert_int_equal(units_parse_percent("abc%", 1, &f), -1);
	assert_int_equal(units_parse_percent("%", 1, &f), -1);
	assert_int_equal(units_parse_number("0x10", &f), -1);
	assert_int_equal(units_parse_number("inf", &f), -1);
	assert_int_equal(units_parse_number("-1.5e2", &f), 0);
	assert_true(f == -150.0);
}

static void test_format(void **state)
{
	(void)state;
	char buf[16];
	units_format_duration(850, buf, sizeof(buf));
	assert_string_equal(buf, "850ms");
	units_format_duration(185000, buf, sizeof(buf));
	assert_string_equal(buf, "3m05s");
	units_format_duration(7800000, buf, sizeof(buf));
	assert_string_equal(buf, "2h10m");
}

static void test_whole_percent(void **state)
{
	(void)state;
	static const struct {
		double frac;
		int want;
	} cases[] = {
		{0, 0},      {0.004, 0},  {0.005, 1},  {0.421, 42}, {0.425, 43}, {0.429, 43},
		{0.994, 99}, {0.996, 99}, {0.9999, 99}, {1, 100},   {1.5, 100},  {-0.2, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (units_whole_percent(cases[i].frac) != cases[i].want)
			fail_msg("%g: want %d, got %d", cases[i].frac, cases[i].want,
				 units_whole_percent(cases[i].frac));
	assert_int_equal(units_whole_percent(NAN), 0);
}

static void test_format_count(void **state)
{
	(void)state;
	static const struct {
		int64_t n;
		const char *want;
	} cases[] = {
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {420000, "420,000"},
		{1000000, "1,000,000"}, {-12345, "-12,345"},
		{INT64_MIN, "-9,223,372,036,854,775,808"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		units_format_count(cases[i].n, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_whole_percent),
		cmocka_unit_test(test_format_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
