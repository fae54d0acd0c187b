/* Unit tests for the PagerDuty parser: list pages shaped like the REST API
 * v2's examples mapped into the canonical model, offset pagination, refused
 * integrations, role changes, and bad pages that leave the sink untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/source.h"

struct fixture {
	struct entity_set set;
	struct verdict_list v;
	struct source_sink sink;
	struct source_cursor cur;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->sink = (struct source_sink){&f->set, &f->v, SOURCE_PAGERDUTY, "https://api.pagerduty.com",
				       1700000000000};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	entity_set_free(&f->set);
	verdict_list_free(&f->v);
	source_cursor_reset(&f->cur);
	free(f);
	return 0;
}

static size_t ep(const char *path)
{
	size_t n;
	const struct source_endpoint_info *eps = source_endpoints(SOURCE_PAGERDUTY, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(eps[i].path, path))
			return i;
	fail_msg("no endpoint %s", path);
	return 0;
}

static int parse(struct fixture *f, const char *path, const char *body, struct err *e)
{
	return source_parse_page(SOURCE_PAGERDUTY, ep(path), body, strlen(body), &f->sink, &f->cur, e);
}

static const char SERVICES[] =
	"{\"services\":[{\"id\":\"PSVC001\",\"type\":\"service\",\"name\":\"checkout-api\","
	"\"description\":\"Checkout\",\"status\":\"warning\",\"created_at\":\"2024-01-02T03:04:05-05:00\","
	"\"escalation_policy\":{\"id\":\"PEP001\",\"type\":\"escalation_policy_reference\"},"
	"\"teams\":[{\"id\":\"PT01\",\"type\":\"team_reference\"},{\"id\":\"PT02\",\"type\":\"team_reference\"}],"
	"\"integrations\":["
	"{\"id\":\"PI01\",\"type\":\"events_api_v2_inbound_integration\",\"name\":\"Datadog\",\"vendor\":{\"summary\":\"Datadog\"}},"
	"{\"id\":\"PI02\",\"type\":\"generic_events_api_inbound_integration\",\"name\":\"Old v1\"},"
	"{\"id\":\"PI03\",\"type\":\"generic_email_inbound_integration_reference\",\"summary\":\"Email\"}]}],"
	"\"limit\":1,\"offset\":0,\"more\":true,\"total\":null}";

static void test_services_and_integrations(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	assert_int_equal(parse(f, "/services", SERVICES, &e), 0);
	assert_int_equal(f->cur.offset, 1);
	assert_false(f->cur.done);
	assert_int_equal(f->cur.total, -1);
	struct entity *s = entity_set_find(&f->set, ENTITY_SERVICE, "PSVC001");
	assert_non_null(s);
	assert_int_equal(entity_validate(s, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "status")->valuestring, "active");
	assert_string_equal(cJSON_GetObjectItem(s->doc, "escalation_policy_id")->valuestring, "PEP001");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s->doc, "team_ids")), 2);
	assert_string_equal(s->prov.system, "pagerduty");
	assert_string_equal(s->prov.url, "https://api.pagerduty.com/services/PSVC001");
	assert_true(s->prov.fetched_at_ms == 1700000000000);
	/* a vendor integration keys on its vendor; Events API v1 is refused */
	struct entity *dd = entity_set_find(&f->set, ENTITY_INTEGRATION, "PI01");
	assert_non_null(dd);
	assert_string_equal(cJSON_GetObjectItem(dd->doc, "type")->valuestring, "datadog");
	assert_string_equal(cJSON_GetObjectItem(dd->doc, "service_id")->valuestring, "PSVC001");
	assert_null(entity_set_find(&f->set, ENTITY_INTEGRATION, "PI02"));
	struct entity *em = entity_set_find(&f->set, ENTITY_INTEGRATION, "PI03");
	assert_non_null(em);
	assert_string_equal(cJSON_GetObjectItem(em->doc, "type")->valuestring, "email");
	int refused = 0;
	for (size_t i = 0; i < f->v.n; i++)
		if (!strcmp(f->v.items[i].id, "PI02")) {
			refused = 1;
			assert_int_equal(f->v.items[i].kind, VERDICT_SKIP);
			assert_non_null(strstr(f->v.items[i].reason, "deprecated integration"));
		}
	assert_true(refused);
	assert_int_equal(f->v.n, 4);
}

static void test_users_roles(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	static const char users[] =
		"{\"users\":[{\"id\":\"PU1\",\"name\":\"Ada\",\"email\":\"ada@example.com\",\"role\":\"user\","
		"\"time_zone\":\"Europe/London\"},{\"id\":\"PU2\",\"name\":\"Ben\",\"email\":\"b@example.com\","
		"\"role\":\"limited_user\",\"time_zone\":\"UTC\"}],\"limit\":100,\"offset\":0,\"more\":false,\"total\":2}";
	assert_int_equal(parse(f, "/users", users, &e), 0);
	assert_true(f->cur.done);
	assert_int_equal(f->cur.total, 2);
	struct entity *u = entity_set_find(&f->set, ENTITY_USER, "PU1");
	assert_string_equal(cJSON_GetObjectItem(u->doc, "role")->valuestring, "responder");
	assert_int_equal(entity_validate(u, &e), 0);
	assert_int_equal(f->v.items[1].kind, VERDICT_IMPORT_CHANGED);
	assert_string_equal(f->v.items[1].change, "role limited_user becomes responder");
}

static void test_schedules_policies_incidents(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	static const char sched[] =
		"{\"schedules\":[{\"id\":\"PSC1\",\"name\":\"Primary\",\"time_zone\":\"UTC\",\"schedule_layers\":["
		"{\"name\":\"Layer 1\",\"start\":\"2025-01-01T09:00:00Z\",\"rotation_turn_length_seconds\":604800,"
		"\"users\":[{\"user\":{\"id\":\"PU1\",\"type\":\"user_reference\"}}],"
		"\"restrictions\":[{\"type\":\"daily_restriction\",\"start_time_of_day\":\"09:00:00\",\"duration_seconds\":28800}]}]}],"
		"\"more\":false}";
	assert_int_equal(parse(f, "/schedules", sched, &e), 0);
	struct entity *s = entity_set_find(&f->set, ENTITY_SCHEDULE, "PSC1");
	assert_int_equal(entity_validate(s, &e), 0);
	cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(s->doc, "layers"), 0);
	assert_int_equal(cJSON_GetObjectItem(l, "rotation_seconds")->valueint, 604800);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(l, "user_ids"), 0)->valuestring, "PU1");
	assert_int_equal(f->v.items[0].kind, VERDICT_IMPORT_CHANGED); /* restrictions dropped */
	static const char pol[] =
		"{\"escalation_policies\":[{\"id\":\"PEP1\",\"name\":\"Default\",\"num_loops\":2,\"escalation_rules\":["
		"{\"escalation_delay_in_minutes\":30,\"targets\":[{\"id\":\"PSC1\",\"type\":\"schedule_reference\"},"
		"{\"id\":\"PU1\",\"type\":\"user_reference\"}]}]}],\"more\":false}";
	source_cursor_reset(&f->cur);
	assert_int_equal(parse(f, "/escalation_policies", pol, &e), 0);
	struct entity *p = entity_set_find(&f->set, ENTITY_ESCALATION_POLICY, "PEP1");
	assert_int_equal(entity_validate(p, &e), 0);
	cJSON *rule = cJSON_GetArrayItem(cJSON_GetObjectItem(p->doc, "rules"), 0);
	assert_int_equal(cJSON_GetObjectItem(rule, "delay_minutes")->valueint, 30);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(rule, "targets"), 0), "type")->valuestring,
			    "schedule");
	static const char inc[] =
		"{\"incidents\":[{\"id\":\"Q1ABC\",\"incident_number\":1234,\"title\":\"Disk full\",\"status\":\"resolved\","
		"\"urgency\":\"high\",\"service\":{\"id\":\"PSVC001\"},\"created_at\":\"2025-03-01T10:00:00Z\","
		"\"resolved_at\":\"2025-03-01T11:00:00Z\",\"assignments\":[{\"assignee\":{\"id\":\"PU1\"}}]}],"
		"\"limit\":100,\"offset\":9900,\"more\":false}";
	source_cursor_reset(&f->cur);
	assert_int_equal(parse(f, "/incidents", inc, &e), 0);
	struct entity *i = entity_set_find(&f->set, ENTITY_INCIDENT, "Q1ABC");
	assert_non_null(i); /* the PagerDuty id is kept for correlation */
	assert_int_equal(entity_validate(i, &e), 0);
	assert_int_equal(cJSON_GetObjectItem(i->doc, "number")->valueint, 1234);
	assert_string_equal(cJSON_GetObjectItem(i->doc, "service_id")->valuestring, "PSVC001");
}

/* A page that cannot be read whole changes nothing, and says where. */
static void test_bad_pages(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	static const char *const bad[][2] = {
		{"{\"services\":[{\"id\":\"PS1\",\"name\":\"a\"},{\"id\":\"P", "malformed JSON at byte"},
		{"{\"teams\":[]}", "page has no \"services\" array"},
		{"{\"services\":[{\"id\":\"PS1\"},{\"name\":\"no id\"}],\"more\":false}", "services[1] has no \"id\""},
		{"{\"services\":[],\"more\":\"yes\"}", "\"more\" is not a boolean"},
		{"[1,2,3]", "page has no \"services\" array"},
		{"", "malformed JSON"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		f->cur.offset = 200;
		assert_int_equal(parse(f, "/services", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(f->set.n, 0);
		assert_int_equal(f->v.n, 0);
		assert_int_equal(f->cur.offset, 200);
	}
}

/* An empty page ends the walk even when it claims there is more. */
static void test_pagination_edges(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	assert_int_equal(parse(f, "/teams", "{\"teams\":[],\"more\":true,\"offset\":0,\"limit\":100}", &e), 0);
	assert_true(f->cur.done);
	assert_int_equal(f->cur.items, 0);
	source_cursor_reset(&f->cur);
	assert_int_equal(parse(f, "/teams", "{\"teams\":[{\"id\":\"PT1\",\"name\":\"x\"},{\"id\":\"PT2\",\"name\":\"y\"}],\"more\":true}", &e), 0);
	assert_int_equal(f->cur.offset, 2);
	assert_false(f->cur.done);
	assert_int_equal(parse(f, "/teams", "{\"teams\":[{\"id\":\"PT3\",\"name\":\"z\"}],\"more\":false}", &e), 0);
	assert_int_equal(f->cur.offset, 3);
	assert_true(f->cur.done);
	assert_int_equal(entity_set_count(&f->set, ENTITY_TEAM), 3);
}

static void test_names_and_times(void **state)
{
	(void)state;
	enum source_system s;
	struct err e = {{0}};
	assert_int_equal(source_system_parse("incident_io", &s, &e), 0);
	assert_int_equal(s, SOURCE_INCIDENTIO);
	assert_string_equal(source_system_name(s), "incidentio");
	assert_string_equal(source_system_provenance(s), "incident_io");
	assert_int_equal(source_system_parse("opsgenie", &s, &e), -1);
	assert_non_null(strstr(e.msg, "expected pagerduty, rootly or incidentio"));
	int64_t ms;
	assert_int_equal(source_time_ms("2025-06-01T00:00:00Z", &ms), 0);
	assert_true(ms == 1748736000000LL);
	assert_int_equal(source_time_ms("2025-06-01T02:00:00.250+02:00", &ms), 0);
	assert_true(ms == 1748736000250LL);
	assert_int_equal(source_time_ms("yesterday", &ms), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_services_and_integrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedules_policies_incidents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagination_edges, setup, teardown),
		cmocka_unit_test(test_names_and_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
