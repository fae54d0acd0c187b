/* Unit tests for the incident.io parser: catalog entries as services (their
 * attributes found through the page's catalog_type schema), escalation paths
 * as policies, the `after` cursor of pagination_meta, and bad pages that
 * leave the sink untouched. */
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
static struct source_sink sink = {&set, &verdicts, SOURCE_INCIDENTIO, "https://api.incident.io", 1};

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
	const struct source_endpoint_info *eps = source_endpoints(SOURCE_INCIDENTIO, &n);
	for (i = 0; i < n && strcmp(eps[i].path, path); i++)
		;
	assert_true(i < n);
	return source_parse_page(SOURCE_INCIDENTIO, i, body, strlen(body), &sink, &cur, e);
}

static void test_catalog_services(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"catalog_entries\":[{\"id\":\"01SVC\",\"name\":\"checkout\",\"catalog_type_id\":\"01TYPE\","
		"\"attribute_values\":{\"a1\":{\"value\":{\"literal\":\"Takes payments\"}},"
		"\"a2\":{\"array_value\":[{\"literal\":\"01TEAM\"},{\"literal\":\"01TEAM2\"}]},"
		"\"a3\":{\"value\":{\"literal\":\"01PATH\"}}},\"created_at\":\"2021-08-17T13:28:57.801578Z\","
		"\"archived_at\":\"2022-01-01T00:00:00Z\"}],"
		"\"catalog_type\":{\"id\":\"01TYPE\",\"name\":\"Service\",\"schema\":{\"attributes\":["
		"{\"id\":\"a1\",\"name\":\"Description\"},{\"id\":\"a2\",\"name\":\"Team\"},{\"id\":\"a3\",\"name\":\"Escalation path\"}]}},"
		"\"pagination_meta\":{\"after\":\"01SVC\",\"page_size\":1}}";
	assert_int_equal(parse("/v3/catalog_entries", page, &e), 0);
	assert_string_equal(cur.after, "01SVC");
	assert_false(cur.done);
	struct entity *s = entity_set_find(&set, ENTITY_SERVICE, "01SVC");
	assert_int_equal(entity_validate(s, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "description")->valuestring, "Takes payments");
	assert_string_equal(cJSON_GetObjectItem(s->doc, "status")->valuestring, "disabled");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s->doc, "team_ids")), 2);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "escalation_policy_id")->valuestring, "01PATH");
	/* the last page has no `after` */
	assert_int_equal(parse("/v3/catalog_entries", "{\"catalog_entries\":[{\"id\":\"01SVC2\",\"name\":\"x\"}],"
						      "\"pagination_meta\":{\"page_size\":1}}", &e), 0);
	assert_true(cur.done);
	assert_null(cur.after);
}

static void test_escalation_paths(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"escalation_paths\":[{\"id\":\"01EP\",\"name\":\"Urgent\",\"path\":["
		"{\"id\":\"n1\",\"type\":\"level\",\"level\":{\"time_to_ack_seconds\":300,\"targets\":["
		"{\"id\":\"01SCHED\",\"type\":\"schedule\",\"urgency\":\"high\"},{\"id\":\"C1\",\"type\":\"slack_channel\"}]}},"
		"{\"id\":\"n2\",\"type\":\"if_else\",\"if_else\":{}},"
		"{\"id\":\"n3\",\"type\":\"repeat\",\"repeat\":{\"repeat_times\":3,\"to_node\":\"n1\"}}]}],"
		"\"pagination_meta\":{\"page_size\":25}}";
	assert_int_equal(parse("/v2/escalation_paths", page, &e), 0);
	struct entity *p = entity_set_find(&set, ENTITY_ESCALATION_POLICY, "01EP");
	assert_int_equal(entity_validate(p, &e), 0);
	assert_int_equal(cJSON_GetObjectItem(p->doc, "num_loops")->valueint, 3);
	cJSON *rules = cJSON_GetObjectItem(p->doc, "rules");
	assert_int_equal(cJSON_GetArraySize(rules), 1);
	cJSON *r = cJSON_GetArrayItem(rules, 0);
	assert_int_equal(cJSON_GetObjectItem(r, "delay_minutes")->valueint, 5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "targets")), 1);
	assert_int_equal(verdicts.items[0].kind, VERDICT_IMPORT_CHANGED);
}

static void test_users_schedules_sources(void **state)
{
	(void)state;
	struct err e = {{0}};
	assert_int_equal(parse("/v2/users", "{\"users\":[{\"id\":\"01U\",\"name\":\"Lisa\",\"email\":\"l@example.com\","
					    "\"role\":\"owner\",\"base_role\":{\"slug\":\"customer-success\"}}],"
					    "\"pagination_meta\":{\"page_size\":25}}", &e), 0);
	struct entity *u = entity_set_find(&set, ENTITY_USER, "01U");
	/* an unknown base role falls back to the legacy role, here owner */
	assert_string_equal(cJSON_GetObjectItem(u->doc, "role")->valuestring, "admin");
	source_cursor_reset(&cur);
	assert_int_equal(parse("/v2/schedules", "{\"schedules\":[{\"id\":\"01S\",\"name\":\"Primary\",\"timezone\":\"Europe/London\","
						"\"config\":{\"rotations\":[{\"id\":\"r\",\"name\":\"Weekly\",\"handover_start_at\":\"2025-01-06T09:00:00Z\","
						"\"handovers\":[{\"interval\":2,\"interval_type\":\"weekly\"}],\"users\":[{\"id\":\"01U\"}],"
						"\"working_intervals\":[]}]}}],\"pagination_meta\":{\"page_size\":25}}", &e), 0);
	struct entity *s = entity_set_find(&set, ENTITY_SCHEDULE, "01S");
	assert_int_equal(entity_validate(s, &e), 0);
	cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(s->doc, "layers"), 0);
	assert_int_equal(cJSON_GetObjectItem(l, "rotation_seconds")->valueint, 2 * 604800);
	source_cursor_reset(&cur);
	/* alert sources are one unpaginated list; a custom transform is refused */
	assert_int_equal(parse("/v2/alert_sources", "{\"alert_sources\":[{\"id\":\"01A\",\"name\":\"Datadog\",\"source_type\":\"datadog\"},"
						    "{\"id\":\"01B\",\"name\":\"Custom\",\"source_type\":\"http_custom\"}]}", &e), 0);
	assert_true(cur.done);
	assert_non_null(entity_set_find(&set, ENTITY_INTEGRATION, "01A"));
	assert_null(entity_set_find(&set, ENTITY_INTEGRATION, "01B"));
	assert_int_equal(verdicts.items[verdicts.n - 1].kind, VERDICT_SKIP);
}

static void test_incidents(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"incidents\":[{\"id\":\"01I\",\"reference\":\"INC-123\",\"name\":\"Checkout down\","
		"\"incident_status\":{\"category\":\"closed\"},\"severity\":{\"rank\":3},"
		"\"custom_field_entries\":[{\"custom_field\":{\"name\":\"Affected services\"},\"values\":[{\"value_catalog_entry\":{\"id\":\"01SVC\"}}]}],"
		"\"created_at\":\"2025-01-01T00:00:00Z\",\"incident_timestamp_values\":[{\"incident_timestamp\":{\"name\":\"Resolved at\"},"
		"\"value\":{\"value\":\"2025-01-01T02:00:00Z\"}}],\"incident_role_assignments\":[{\"role\":{\"role_type\":\"lead\"},"
		"\"assignee\":{\"id\":\"01U\"}}]},"
		"{\"id\":\"01J\",\"reference\":\"INC-124\",\"name\":\"Drill\",\"incident_status\":{\"category\":\"paused\"}}],"
		"\"pagination_meta\":{\"after\":\"01J\",\"page_size\":2,\"total_record_count\":5}}";
	assert_int_equal(parse("/v2/incidents", page, &e), 0);
	assert_int_equal(cur.total, 5);
	struct entity *i = entity_set_find(&set, ENTITY_INCIDENT, "01I");
	assert_int_equal(entity_validate(i, &e), 0);
	assert_int_equal(cJSON_GetObjectItem(i->doc, "number")->valueint, 123);
	assert_string_equal(cJSON_GetObjectItem(i->doc, "status")->valuestring, "resolved");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "urgency")->valuestring, "high");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "service_id")->valuestring, "01SVC");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "resolved_at")->valuestring, "2025-01-01T02:00:00Z");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(i->doc, "assignee_ids"), 0)->valuestring, "01U");
	struct entity *j = entity_set_find(&set, ENTITY_INCIDENT, "01J");
	assert_string_equal(cJSON_GetObjectItem(j->doc, "status")->valuestring, "acknowledged");
}

static void test_bad_pages(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char *const bad[][2] = {
		{"{\"users\":[{\"id\":\"01U\"},{\"id\":\"01V\",", "malformed JSON"},
		{"{\"type\":\"authentication_error\",\"status\":401}", "page has no \"users\" array"},
		{"{\"users\":[{\"id\":\"\"}],\"pagination_meta\":{}}", "users[0] has no \"id\""},
		{"{\"users\":[{\"id\":\"01U\"}]}", "page has no \"pagination_meta\""},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cur.after = strdup("01PREV");
		assert_int_equal(parse("/v2/users", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(set.n, 0);
		assert_int_equal(verdicts.n, 0);
		assert_string_equal(cur.after, "01PREV");
		source_cursor_reset(&cur);
	}
	/* an empty page ends the walk even with a cursor */
	assert_int_equal(parse("/v2/users", "{\"users\":[],\"pagination_meta\":{\"after\":\"x\"}}", &e), 0);
	assert_true(cur.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_catalog_services, reset),
		cmocka_unit_test_teardown(test_escalation_paths, reset),
		cmocka_unit_test_teardown(test_users_schedules_sources, reset),
		cmocka_unit_test_teardown(test_incidents, reset),
		cmocka_unit_test_teardown(test_bad_pages, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
