/* Unit tests for the Rootly parser: JSON:API pages (data, attributes,
 * relationships, included), teams as "groups", page[number] pagination via
 * meta.next_page, and bad pages that leave the sink untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/source.h"

static struct entity_set set;
static struct verdict_list verdicts;
static struct source_cursor cur;
static struct source_sink sink = {&set, &verdicts, SOURCE_ROOTLY, "https://api.rootly.com", 1};

static int reset(void **state)
{
	(void)state;
	entity_set_free(&set);
	verdict_list_free(&verdicts);
	source_cursor_reset(&cur);
	return 0;
}

static int parse(const char *path, const char *body, struct err *e)
{
	size_t n, i;
	const struct source_endpoint_info *eps = source_endpoints(SOURCE_ROOTLY, &n);
	for (i = 0; i < n && strcmp(eps[i].path, path); i++)
		;
	assert_true(i < n);
	return source_parse_page(SOURCE_ROOTLY, i, body, strlen(body), &sink, &cur, e);
}

#define META_LAST "\"meta\":{\"current_page\":2,\"next_page\":null,\"prev_page\":1,\"total_count\":3,\"total_pages\":2}"

static void test_teams_are_groups(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"data\":[{\"id\":\"g-1\",\"type\":\"groups\",\"attributes\":{\"name\":\"SRE\",\"description\":null,"
		"\"user_ids\":[101,102]}}],\"links\":{},"
		"\"meta\":{\"current_page\":1,\"next_page\":2,\"prev_page\":null,\"total_count\":3,\"total_pages\":2}}";
	assert_int_equal(parse("/v1/teams", page, &e), 0);
	assert_int_equal(cur.page, 2);
	assert_false(cur.done);
	assert_int_equal(cur.total, 3);
	struct entity *t = entity_set_find(&set, ENTITY_TEAM, "g-1");
	assert_non_null(t);
	assert_int_equal(entity_validate(t, &e), 0);
	/* integer user ids become strings */
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(t->doc, "member_ids"), 1)->valuestring, "102");
	assert_string_equal(t->prov.url, "https://api.rootly.com/v1/teams/g-1");
	assert_int_equal(parse("/v1/teams", "{\"data\":[{\"id\":7,\"type\":\"groups\",\"attributes\":{\"name\":\"Web\"}}]," META_LAST "}", &e), 0);
	assert_true(cur.done);
	assert_non_null(entity_set_find(&set, ENTITY_TEAM, "7"));
}

static void test_users_with_roles(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"data\":[{\"id\":\"u1\",\"type\":\"users\",\"attributes\":{\"full_name\":\"Ada Lovelace\","
		"\"email\":\"ada@example.com\",\"time_zone\":\"UTC\"},\"relationships\":{\"role\":{\"data\":{\"id\":\"r1\",\"type\":\"roles\"}}}},"
		"{\"id\":\"u2\",\"type\":\"users\",\"attributes\":{\"first_name\":\"Ben\",\"last_name\":\"Okafor\",\"email\":\"b@example.com\"},"
		"\"relationships\":{\"role\":{\"data\":{\"id\":\"r2\",\"type\":\"roles\"}}}}],"
		"\"included\":[{\"id\":\"r1\",\"type\":\"roles\",\"attributes\":{\"name\":\"Admin\"}},"
		"{\"id\":\"r2\",\"type\":\"roles\",\"attributes\":{\"name\":\"Incident Commander\"}}]," META_LAST "}";
	assert_int_equal(parse("/v1/users", page, &e), 0);
	struct entity *a = entity_set_find(&set, ENTITY_USER, "u1");
	assert_string_equal(cJSON_GetObjectItem(a->doc, "role")->valuestring, "admin");
	struct entity *b = entity_set_find(&set, ENTITY_USER, "u2");
	assert_string_equal(cJSON_GetObjectItem(b->doc, "name")->valuestring, "Ben Okafor");
	assert_string_equal(cJSON_GetObjectItem(b->doc, "role")->valuestring, "responder");
	assert_int_equal(entity_validate(b, &e), 0);
	assert_int_equal(verdicts.items[1].kind, VERDICT_IMPORT_CHANGED);
	assert_non_null(strstr(verdicts.items[1].change, "Incident Commander"));
}

static void test_schedule_rotations_from_included(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"data\":[{\"id\":\"s1\",\"type\":\"schedules\",\"attributes\":{\"name\":\"Primary\"}}],"
		"\"included\":["
		"{\"id\":\"rot2\",\"type\":\"schedule_rotations\",\"attributes\":{\"schedule_id\":\"s1\",\"name\":\"Weekend\","
		"\"position\":2,\"schedule_rotationable_type\":\"ScheduleCustomRotation\",\"time_zone\":\"UTC\"}},"
		"{\"id\":\"rot1\",\"type\":\"schedule_rotations\",\"attributes\":{\"schedule_id\":\"s1\",\"name\":\"Weekday\","
		"\"position\":1,\"schedule_rotationable_type\":\"ScheduleWeeklyRotation\",\"time_zone\":\"Europe/Paris\","
		"\"start_time\":\"2025-01-06T09:00:00Z\"}},"
		"{\"id\":\"ru1\",\"type\":\"schedule_rotation_users\",\"attributes\":{\"schedule_rotation_id\":\"rot1\",\"user_id\":101,\"position\":1}}],"
		META_LAST "}";
	assert_int_equal(parse("/v1/schedules", page, &e), 0);
	struct entity *s = entity_set_find(&set, ENTITY_SCHEDULE, "s1");
	assert_int_equal(entity_validate(s, &e), 0);
	cJSON *layers = cJSON_GetObjectItem(s->doc, "layers");
	assert_int_equal(cJSON_GetArraySize(layers), 2);
	cJSON *first = cJSON_GetArrayItem(layers, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "name")->valuestring, "Weekday"); /* by position */
	assert_int_equal(cJSON_GetObjectItem(first, "rotation_seconds")->valueint, 604800);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(first, "user_ids"), 0)->valuestring, "101");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(layers, 1), "rotation_seconds")));
	assert_string_equal(cJSON_GetObjectItem(s->doc, "time_zone")->valuestring, "Europe/Paris");
	assert_int_equal(verdicts.items[0].kind, VERDICT_IMPORT_CHANGED);
}

static void test_incidents(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"data\":[{\"id\":\"i1\",\"type\":\"incidents\",\"attributes\":{\"title\":\"DB down\",\"sequential_id\":42,"
		"\"status\":\"mitigated\",\"severity\":{\"data\":{\"id\":\"sev\",\"type\":\"severities\",\"attributes\":{\"severity\":\"critical\"}}},"
		"\"services\":[{\"data\":{\"id\":\"svc1\",\"type\":\"services\"}}],\"created_at\":\"2025-02-01T00:00:00Z\",\"resolved_at\":null}},"
		"{\"id\":\"i2\",\"type\":\"incidents\",\"attributes\":{\"title\":\"Drill\",\"status\":\"scheduled\"}}],"
		META_LAST "}";
	assert_int_equal(parse("/v1/incidents", page, &e), 0);
	struct entity *i = entity_set_find(&set, ENTITY_INCIDENT, "i1");
	assert_int_equal(entity_validate(i, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(i->doc, "status")->valuestring, "acknowledged");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "urgency")->valuestring, "high");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "service_id")->valuestring, "svc1");
	assert_null(entity_set_find(&set, ENTITY_INCIDENT, "i2"));
	assert_int_equal(verdicts.items[1].kind, VERDICT_SKIP);
	assert_non_null(strstr(verdicts.items[1].reason, "scheduled"));
}

static void test_bad_pages(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char *const bad[][2] = {
		{"{\"data\":[{\"id\":\"s1\",\"attributes\":{}},{\"id\":\"s2\",\"att", "malformed JSON"},
		{"{\"errors\":[{\"title\":\"x\"}]}", "page has no \"data\" array"},
		{"{\"data\":[{\"type\":\"services\",\"attributes\":{}}]," META_LAST "}", "data[0] has no \"id\""},
		{"{\"data\":[{\"id\":\"s1\",\"type\":\"services\"}]," META_LAST "}", "has no \"attributes\""},
		{"{\"data\":[]}", "page has no \"meta\""},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cur.page = 5;
		assert_int_equal(parse("/v1/services", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(set.n, 0);
		assert_int_equal(verdicts.n, 0);
		assert_int_equal(cur.page, 5);
	}
	/* an empty page ends the walk even when meta says there is another */
	cur.page = 0;
	assert_int_equal(parse("/v1/services", "{\"data\":[],\"meta\":{\"next_page\":2}}", &e), 0);
	assert_true(cur.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_teams_are_groups, reset),
		cmocka_unit_test_teardown(test_users_with_roles, reset),
		cmocka_unit_test_teardown(test_schedule_rotations_from_included, reset),
		cmocka_unit_test_teardown(test_incidents, reset),
		cmocka_unit_test_teardown(test_bad_pages, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
