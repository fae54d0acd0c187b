/* Unit tests for canon: the content hash must not move with key order,
 * whitespace or number spelling, and must move with any real change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/canon.h"

static void hex_of(const char *text, char out[CANON_HEX_LEN])
{
	struct canon_hasher *h = canon_hasher_new();
	unsigned char d[CANON_HASH_LEN];
	struct err e = {{0}};
	assert_int_equal(canon_hash_text(h, text, strlen(text), d, &e), 0);
	canon_hex(d, out);
	canon_hasher_free(h);
}

static char *canon_of(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	assert_non_null(v);
	struct err e = {{0}};
	char *s = canon_json(v, &e);
	cJSON_Delete(v);
	assert_non_null(s);
	return s;
}

static void test_stable_across_spelling(void **state)
{
	(void)state;
	char a[CANON_HEX_LEN], b[CANON_HEX_LEN], c[CANON_HEX_LEN];
	hex_of("{\"id\":\"P1\",\"n\":1,\"tags\":[\"x\",\"y\"],\"o\":{\"b\":2,\"a\":1e3}}", a);
	hex_of("  {\n \"o\" : { \"a\":1000.0 , \"b\":2.00},\n\t\"tags\":[ \"x\",\"y\" ],"
	       "\"n\":1.0, \"id\":\"P1\" }\n", b);
	assert_string_equal(a, b);
	/* a real change of any kind moves the hash */
	hex_of("{\"id\":\"P1\",\"n\":1,\"tags\":[\"y\",\"x\"],\"o\":{\"b\":2,\"a\":1e3}}", c);
	assert_string_not_equal(a, c);
	hex_of("{\"id\":\"P1\",\"n\":2,\"tags\":[\"x\",\"y\"],\"o\":{\"b\":2,\"a\":1e3}}", c);
	assert_string_not_equal(a, c);
	hex_of("{\"id\":\"P1\",\"n\":\"1\",\"tags\":[\"x\",\"y\"],\"o\":{\"b\":2,\"a\":1e3}}", c);
	assert_string_not_equal(a, c);
}

static void test_canonical_text(void **state)
{
	(void)state;
	char *s = canon_of("{\"b\":[1.5,-0,1e3,0.1,null,true],\"a\":\"q\\\"\\n\\u0001\\u00e9\"}");
	assert_string_equal(s, "{\"a\":\"q\\\"\\n\\u0001\xc3\xa9\",\"b\":[1.5,0,1000,0.1,null,true]}");
	free(s);
	/* the canonical text hashes the same as the streamed hash */
	char a[CANON_HEX_LEN], b[CANON_HEX_LEN];
	s = canon_of("{\"z\":{\"y\":[{\"b\":1,\"a\":2}]},\"t\":\"2024-01-01T01:00:00+01:00\"}");
	hex_of(s, a);
	hex_of("{\"t\":\"2024-01-01T00:00:00Z\",\"z\":{\"y\":[{\"a\":2,\"b\":1}]}}", b);
	assert_string_equal(a, b);
	free(s);
}

static void test_times(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"2024-03-10T10:00:00Z", "2024-03-10T10:00:00Z"},
		{"2024-03-10T12:30:00+02:30", "2024-03-10T10:00:00Z"},
		{"2024-03-10T01:00:00.500-05:00", "2024-03-10T06:00:00.5Z"},
		{"2024-03-10t10:00:00.000z", "2024-03-10T10:00:00Z"},
		{"2024-03-10 10:00:00.120Z", "2024-03-10T10:00:00.12Z"},
		{"2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"},
		{"2024-02-29T23:00:00-02:00", "2024-03-01T01:00:00Z"},
		{"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
	};
	char out[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(canon_time(cases[i].in, out, sizeof(out)), 1);
		assert_string_equal(out, cases[i].out);
	}
	static const char *const not_times[] = {
		"2024-03-10", "2024-03-10T10:00:00", "2024-02-30T10:00:00Z", "2024-03-10T24:00:00Z",
		"2024-03-10T10:00:00+0200", "2024-03-10T10:00:00.Z", "hello", "2024-03-10T10:00:00Zx",
		"2023-02-29T10:00:00Z",
	};
	for (size_t i = 0; i < sizeof(not_times) / sizeof(not_times[0]); i++)
		assert_int_equal(canon_time(not_times[i], out, sizeof(out)), 0);
	/* the same instant in two offsets hashes the same */
	char a[CANON_HEX_LEN], b[CANON_HEX_LEN];
	hex_of("{\"at\":\"2024-03-10T12:30:00.250+02:30\"}", a);
	hex_of("{\"at\":\"2024-03-10T10:00:00.25Z\"}", b);
	assert_string_equal(a, b);
}

static void test_numbers(void **state)
{
	(void)state;
	char buf[40];
	canon_number(1.0, buf, sizeof(buf));
	assert_string_equal(buf, "1");
	canon_number(1e3, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	canon_number(-0.0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	canon_number(0.1, buf, sizeof(buf));
	assert_string_equal(buf, "0.1");
	canon_number(1e20, buf, sizeof(buf));
	assert_true(strtod(buf, NULL) == 1e20);
	canon_number(1.0 / 3.0, buf, sizeof(buf));
	assert_true(strtod(buf, NULL) == 1.0 / 3.0);
}

static void test_refusals(void **state)
{
	(void)state;
	struct err e = {{0}};
	cJSON *v = cJSON_Parse("{\"a\":1,\"a\":2}");
	assert_non_null(v);
	assert_null(canon_json(v, &e));
	assert_non_null(strstr(e.msg, "duplicate key \"a\""));
	unsigned char d[CANON_HASH_LEN];
	assert_int_equal(canon_hash(v, d, &e), -1);
	assert_null(canon_copy(v, &e));
	cJSON_Delete(v);
	/* deeper than the limit: refused, not recursed into */
	cJSON *root = cJSON_CreateArray(), *cur = root;
	for (int i = 0; i < CANON_MAX_DEPTH + 5; i++) {
		cJSON *n = cJSON_CreateArray();
		cJSON_AddItemToArray(cur, n);
		cur = n;
	}
	assert_int_equal(canon_hash(root, d, &e), -1);
	assert_non_null(strstr(e.msg, "too deeply"));
	cJSON_Delete(root);
	struct canon_hasher *h = canon_hasher_new();
	assert_int_equal(canon_hash_text(h, "{\"a\":", 5, d, &e), -1);
	assert_non_null(strstr(e.msg, "invalid JSON"));
	canon_hasher_free(h);
}

static void test_copy_matches_hash(void **state)
{
	(void)state;
	cJSON *v = cJSON_Parse("{\"b\":{\"d\":\"2024-01-01T00:00:00.000+00:00\",\"c\":1.0},\"a\":[3,2]}");
	struct err e = {{0}};
	cJSON *c = canon_copy(v, &e);
	assert_non_null(c);
	char *text = cJSON_PrintUnformatted(c);
	assert_string_equal(text, "{\"a\":[3,2],\"b\":{\"c\":1,\"d\":\"2024-01-01T00:00:00Z\"}}");
	unsigned char h1[CANON_HASH_LEN], h2[CANON_HASH_LEN];
	assert_int_equal(canon_hash(v, h1, &e), 0);
	assert_int_equal(canon_hash(c, h2, &e), 0);
	assert_memory_equal(h1, h2, CANON_HASH_LEN);
	cJSON_free(text);
	cJSON_Delete(c);
	cJSON_Delete(v);
}

/* The cJSON way, always: what the text fast path must agree with. */
static int slow_hash(struct canon_hasher *h, const char *text, size_t len, unsigned char out[CANON_HASH_LEN])
{
	struct err e = {{0}};
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!v)
		return -1;
	int rc = canon_hasher_hash(h, v, out, &e);
	cJSON_Delete(v);
	return rc;
}

static void agree(struct canon_hasher *h, const char *text)
{
	unsigned char a[CANON_HASH_LEN], b[CANON_HASH_LEN];
	struct err e = {{0}};
	char id[32];
	int fast = canon_hash_line(h, text, strlen(text), id, sizeof(id), a, &e);
	int slow = slow_hash(h, text, strlen(text), b);
	if (fast != slow)
		fail_msg("fast %d, slow %d for: %s (%s)", fast, slow, text, e.msg);
	if (!fast && memcmp(a, b, CANON_HASH_LEN))
		fail_msg("hashes differ for: %s", text);
}

static void test_text_path_agrees(void **state)
{
	(void)state;
	struct canon_hasher *h = canon_hasher_new();
	static const char *const docs[] = {
		"{\"id\":\"A1\",\"b\":1.0,\"a\":[1e3,-0,0.1,1.5e-7,2E+2],\"t\":\"2024-01-01T10:00:00.500+02:00\"}",
		"  { \"z\" : { \"y\" : [ true , false , null ] } , \"x\" : \"q\\\"uote\\\\back\\/slash\\n\\t\" }  \n",
		"{\"id\":\"\\u00e9t\\u00e9\",\"s\":\"\\ud83d\\ude00\"}",
		"{\"a\":1,\"a\":2}",
		"{\"a\":1} trailing",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":-}",
		"{\"a\":[1,2,]}",
		"{\"a\" 1}",
		"[]", "{}", "\"2024-05-01 12:00:00Z\"", "12345678901234567890", "-1.25e400",
		"{\"k\":\"\\u0000x\"}",
		"{\"nested\":{\"b\":{\"d\":1,\"c\":2},\"a\":[{\"y\":1,\"x\":2}]}}",
		"{\"ab\":1,\"a\":2,\"abc\":3,\"\":4}",
		"",
		"nul",
		"{\"s\":\"unterminated}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		agree(h, docs[i]);
	/* mutations of a realistic entity: every one of them agrees */
	const char *base = "{\"id\":\"PX1\",\"name\":\"api \\\"core\\\"\",\"num_loops\":2.0,"
			   "\"rules\":[{\"delay_minutes\":5,\"targets\":[{\"type\":\"user\",\"id\":\"U1\"}]}],"
			   "\"created_at\":\"2024-05-01T10:00:00.000-05:30\",\"ok\":true,\"none\":null}";
	size_t n = strlen(base);
	char buf[512];
	static const char alphabet[] = "{}[]\",:\\ 0123456789.eE+-tfnu\"az";
	uint64_t r = 0x9e3779b97f4a7c15ULL;
	for (int k = 0; k < 20000; k++) {
		memcpy(buf, base, n + 1);
		for (int m = 0; m < 1 + k % 3; m++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			buf[r % n] = alphabet[(r >> 20) % (sizeof(alphabet) - 1)];
		}
		agree(h, buf);
	}
	/* the id comes out with the hash */
	unsigned char out[CANON_HASH_LEN];
	char id[8];
	struct err e = {{0}};
	assert_int_equal(canon_hash_line(h, base, n, id, sizeof(id), out, &e), 0);
	assert_string_equal(id, "PX1");
	assert_int_equal(canon_hash_line(h, base, n, id, 3, out, &e), 0); /* too long: "" */
	assert_string_equal(id, "");
	canon_hasher_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable_across_spelling),
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_copy_matches_hash),
		cmocka_unit_test(test_text_path_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
