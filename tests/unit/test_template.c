/* Unit tests for template: rendering, env defaults, unknown names, braces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/template.h"

static const char *fake_env(const char *name)
{
	return strcmp(name, "WR_TOKEN") == 0 ? "s3cret" : NULL;
}

static const struct template_vars vars = {
	.account_id = "acme",
	.account_name = "Acme Corp",
	.source_base_url = "http://src",
	.target_base_url = "http://tgt",
	.source_system = "pagerduty",
	.getenv_fn = fake_env,
};

static void render_is(const char *in, const char *want)
{
	struct err e = {{0}};
	char *got = template_render(in, &vars, &e);
	if (!got)
		fail_msg("render '%s': %s", in, e.msg);
	assert_string_equal(got, want);
	free(got);
}

static void render_fails(const char *in, const char *msg_part)
{
	struct err e = {{0}};
	char *got = template_render(in, &vars, &e);
	assert_null(got);
	if (!strstr(e.msg, msg_part))
		fail_msg("'%s': message '%s' lacks '%s'", in, e.msg, msg_part);
}

static void test_render(void **state)
{
	(void)state;
	render_is("plain", "plain");
	render_is("", "");
	render_is("{{target.base_url}}/v1/tenants/{{account.id}}", "http://tgt/v1/tenants/acme");
	render_is("{{ account.name }}", "Acme Corp");
	render_is("{{source.system}}:{{source.base_url}}", "pagerduty:http://src");
	render_is("Bearer {{env.WR_TOKEN}}", "Bearer s3cret");
	render_is("{{env.MISSING:-http://127.0.0.1:8089}}", "http://127.0.0.1:8089");
	render_is("{{env.WR_TOKEN:-x}}", "s3cret");
	render_is("{{env.MISSING:-}}x", "x");
	render_is("{ \"a\": 1 }", "{ \"a\": 1 }");
}

static void test_errors(void **state)
{
	(void)state;
	render_fails("{{account.idd}}", "unknown template name {{account.idd}}");
	render_fails("{{env.MISSING}}", "MISSING is not set");
	render_fails("{{target.base_url", "without a closing");
	render_fails("x}}", "without a matching");
	render_fails("{{}}", "empty template");
	render_fails("{{env.1BAD}}", "not an environment variable name");
	render_fails("{{ {{account.id}} }}", "nested");
	struct template_vars none = {0};
	struct err e = {{0}};
	assert_null(template_render("{{account.id}}", &none, &e));
	assert_non_null(strstr(e.msg, "no value"));
}

static void test_names_valid(void **state)
{
	(void)state;
	struct err e = {{0}};
	assert_int_equal(template_names_valid("{{account.id}} {{env.X:-y}}", &e), 0);
	assert_int_equal(template_names_valid("{{account.nam}}", &e), -1);
	assert_non_null(strstr(e.msg, "account.nam"));
	assert_true(template_has_vars("a{{b"));
	assert_false(template_has_vars("ab"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
