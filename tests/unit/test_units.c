/* Unit tests for units: durations, percentages, numbers, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
