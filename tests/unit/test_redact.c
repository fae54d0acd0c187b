/* Unit tests for redact: secret names, free text, header lines, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/redact.h"
#include "warroom/util.h"

static void test_secret_names(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"token", "access_token", "X-Auth-Token", "client_secret", "PASSWORD", "passwd",
		"api_key", "apiKey", "X-Api-Key", "Authorization", "Proxy-Authorization",
		"Cookie", "Set-Cookie", "private_key", "aws_access_key_id", "credentials",
		"db.password",
	};
	static const char *const no[] = {
		"name", "author", "account", "Idempotency-Key", "Content-Type", "plan_hash",
		"step_id", "url", "status", "key",
	};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_true(redact_key_is_secret(yes[i]));
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(redact_key_is_secret(no[i]));
	assert_false(redact_key_is_secret(NULL));
}

static void test_text(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain words stay", "plain words stay"},
		{"Bearer abc.def-ghi", "Bearer [redacted]"},
		{"got bearer   xyz== back", "got bearer [redacted] back"},
		{"Basic dXNlcjpwYXNz", "Basic [redacted]"},
		{"Token token=y_abc123", "Token token=[redacted]"},
		{"Authorization: Token token=y_abc123", "Authorization: [redacted]"},
		{"curl -H 'Authorization: Bearer q1'\nnext", "curl -H 'Authorization: [redacted]\nnext"},
		{"Cookie: a=1; sid=2", "Cookie: [redacted]"},
		{"password=hunter2 user=bob", "password=[redacted] user=bob"},
		{"GET /v1?api_key=k1&limit=5", "GET /v1?api_key=[redacted]&limit=5"},
		{"{\"token\": \"t1\", \"id\": 3}", "{\"token\": \"[redacted]\", \"id\": 3}"},
		{"secret: 'a b c' done", "secret: '[redacted]' done"},
		{"token: Bearer z9", "token: [redacted]"},
		{"a tokenless sentence", "a tokenless sentence"},
		{"std::token", "std::token"},
		{"token=", "token="},
		/* A pair glued to a masked value is a pair all the same. */
		{"Bearer x\"cookie\":[1]", "Bearer [redacted]\"cookie\":[redacted]"},
		{"password=a,secret=b", "password=[redacted],secret=[redacted]"},
		{"", ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *r = redact_text(cases[i].in);
		if (strcmp(r, cases[i].out) != 0)
			fail_msg("redact_text(\"%s\") = \"%s\", want \"%s\"", cases[i].in, r,
				 cases[i].out);
		free(r);
	}
	char *r = redact_text(NULL);
	assert_string_equal(r, "");
	free(r);
}

static void test_header_line(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Authorization: Bearer abc", "Authorization: [redacted]"},
		{"X-Api-Key: k", "X-Api-Key: [redacted]"},
		{"Cookie: a=b", "Cookie: [redacted]"},
		{"Content-Type: application/json", "Content-Type: application/json"},
		{"X-Note: see token=t2", "X-Note: see token=[redacted]"},
		{"no colon", "no colon"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *r = redact_header_line(cases[i].in);
		assert_string_equal(r, cases[i].out);
		free(r);
	}
}

static void test_json(void **state)
{
	(void)state;
	cJSON *v = cJSON_Parse(
		"{\"url\":\"https://h/x?token=u1\",\"headers\":{\"Authorization\":\"Bearer h1\","
		"\"Accept\":\"*/*\"},\"nested\":[{\"client_secret\":{\"a\":1}},\"Bearer b2\"],"
		"\"password\":42,\"count\":7,\"name\":\"acct-001\"}");
	assert_non_null(v);
	assert_int_equal(redact_json(v), 5);
	char *s = cJSON_PrintUnformatted(v);
	assert_string_equal(s,
		"{\"url\":\"https://h/x?token=[redacted]\",\"headers\":{\"Authorization\":"
		"\"[redacted]\",\"Accept\":\"*/*\"},\"nested\":[{\"client_secret\":\"[redacted]\"},"
		"\"Bearer [redacted]\"],\"password\":\"[redacted]\",\"count\":7,\"name\":"
		"\"acct-001\"}");
	/* Redacting again changes nothing: a mask is not a secret. */
	assert_int_equal(redact_json(v), 0);
	cJSON_free(s);
	cJSON_Delete(v);
	assert_int_equal(redact_json(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_names),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_header_line),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
