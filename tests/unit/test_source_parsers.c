/* Unit tests for the three source parsers on small fixtures shaped like each
 * API's own examples: PagerDuty REST v2 (offset pages, references, refused
 * integrations), Rootly (JSON:API with `included`, teams as "groups") and
 * incident.io (catalog services, escalation paths, the `after` cursor).
 * Every parser maps into the canonical model; a bad page changes nothing. */
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
static struct source_sink sink = {&set, &verdicts, SOURCE_PAGERDUTY, NULL, 1700000000000};

static int reset(void **state)
{
	(void)state;
	entity_set_free(&set);
	verdict_list_free(&verdicts);
	source_cursor_reset(&cur);
	return 0;
}

/* Parses body as a page of the source's endpoint at path, into the sink. */
static int parse_as(enum source_system s, const char *base, const char *path, const char *body,
		    struct err *e)
{
	size_t n, i;
	const struct source_endpoint_info *eps = source_endpoints(s, &n);
	for (i = 0; i < n && strcmp(eps[i].path, path); i++)
		;
	assert_true(i < n);
	sink.system = s;
	sink.base_url = base;
	return source_parse_page(s, i, body, strlen(body), &sink, &cur, e);
}

/* ---- PagerDuty ---------------------------------------------------------------------- */

static int pd(const char *path, const char *body, struct err *e)
{
	return parse_as(SOURCE_PAGERDUTY, "https://api.pagerduty.com", path, body, e);
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
	(void)state;
	struct err e = {{0}};
	assert_int_equal(pd("/services", SERVICES, &e), 0);
	assert_int_equal(cur.offset, 1);
	assert_false(cur.done);
	assert_int_equal(cur.total, -1);
	struct entity *s = entity_set_find(&set, ENTITY_SERVICE, "PSVC001");
	assert_non_null(s);
	assert_int_equal(entity_validate(s, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "status")->valuestring, "active");
	assert_string_equal(cJSON_GetObjectItem(s->doc, "escalation_policy_id")->valuestring, "PEP001");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s->doc, "team_ids")), 2);
	assert_string_equal(s->prov.system, "pagerduty");
	assert_string_equal(s->prov.url, "https://api.pagerduty.com/services/PSVC001");
	assert_true(s->prov.fetched_at_ms == 1700000000000);
	/* a vendor integration keys on its vendor; Events API v1 is refused */
	struct entity *dd = entity_set_find(&set, ENTITY_INTEGRATION, "PI01");
	assert_non_null(dd);
	assert_string_equal(cJSON_GetObjectItem(dd->doc, "type")->valuestring, "datadog");
	assert_string_equal(cJSON_GetObjectItem(dd->doc, "service_id")->valuestring, "PSVC001");
	assert_null(entity_set_find(&set, ENTITY_INTEGRATION, "PI02"));
	struct entity *em = entity_set_find(&set, ENTITY_INTEGRATION, "PI03");
	assert_non_null(em);
	assert_string_equal(cJSON_GetObjectItem(em->doc, "type")->valuestring, "email");
	int refused = 0;
	for (size_t i = 0; i < verdicts.n; i++)
		if (!strcmp(verdicts.items[i].id, "PI02")) {
			refused = 1;
			assert_int_equal(verdicts.items[i].kind, VERDICT_SKIP);
			assert_non_null(strstr(verdicts.items[i].reason, "deprecated integration"));
		}
	assert_true(refused);
	assert_int_equal(verdicts.n, 4);
}

static void test_users_roles(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char users[] =
		"{\"users\":[{\"id\":\"PU1\",\"name\":\"Ada\",\"email\":\"ada@example.com\",\"role\":\"user\","
		"\"time_zone\":\"Europe/London\"},{\"id\":\"PU2\",\"name\":\"Ben\",\"email\":\"b@example.com\","
		"\"role\":\"limited_user\",\"time_zone\":\"UTC\"}],\"limit\":100,\"offset\":0,\"more\":false,\"total\":2}";
	assert_int_equal(pd("/users", users, &e), 0);
	assert_true(cur.done);
	assert_int_equal(cur.total, 2);
	struct entity *u = entity_set_find(&set, ENTITY_USER, "PU1");
	assert_string_equal(cJSON_GetObjectItem(u->doc, "role")->valuestring, "responder");
	assert_int_equal(entity_validate(u, &e), 0);
	assert_int_equal(verdicts.items[1].kind, VERDICT_IMPORT_CHANGED);
	assert_string_equal(verdicts.items[1].change, "role limited_user becomes responder");
}

static void test_schedules_policies_incidents(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char sched[] =
		"{\"schedules\":[{\"id\":\"PSC1\",\"name\":\"Primary\",\"time_zone\":\"UTC\",\"schedule_layers\":["
		"{\"name\":\"Layer 1\",\"start\":\"2025-01-01T09:00:00Z\",\"rotation_turn_length_seconds\":604800,"
		"\"users\":[{\"user\":{\"id\":\"PU1\",\"type\":\"user_reference\"}}],"
		"\"restrictions\":[{\"type\":\"daily_restriction\",\"start_time_of_day\":\"09:00:00\",\"duration_seconds\":28800}]}]}],"
		"\"more\":false}";
	assert_int_equal(pd("/schedules", sched, &e), 0);
	struct entity *s = entity_set_find(&set, ENTITY_SCHEDULE, "PSC1");
	assert_int_equal(entity_validate(s, &e), 0);
	cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(s->doc, "layers"), 0);
	assert_int_equal(cJSON_GetObjectItem(l, "rotation_seconds")->valueint, 604800);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(l, "user_ids"), 0)->valuestring, "PU1");
	assert_int_equal(verdicts.items[0].kind, VERDICT_IMPORT_CHANGED); /* restrictions dropped */
	static const char pol[] =
		"{\"escalation_policies\":[{\"id\":\"PEP1\",\"name\":\"Default\",\"num_loops\":2,\"escalation_rules\":["
		"{\"escalation_delay_in_minutes\":30,\"targets\":[{\"id\":\"PSC1\",\"type\":\"schedule_reference\"},"
		"{\"id\":\"PU1\",\"type\":\"user_reference\"}]}]}],\"more\":false}";
	source_cursor_reset(&cur);
	assert_int_equal(pd("/escalation_policies", pol, &e), 0);
	struct entity *p = entity_set_find(&set, ENTITY_ESCALATION_POLICY, "PEP1");
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
	source_cursor_reset(&cur);
	assert_int_equal(pd("/incidents", inc, &e), 0);
	struct entity *i = entity_set_find(&set, ENTITY_INCIDENT, "Q1ABC");
	assert_non_null(i); /* the PagerDuty id is kept for correlation */
	assert_int_equal(entity_validate(i, &e), 0);
	assert_int_equal(cJSON_GetObjectItem(i->doc, "number")->valueint, 1234);
	assert_string_equal(cJSON_GetObjectItem(i->doc, "service_id")->valuestring, "PSVC001");
}

/* A page that cannot be read whole changes nothing, and says where. */
static void test_bad_pages(void **state)
{
	(void)state;
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
		cur.offset = 200;
		assert_int_equal(pd("/services", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(set.n, 0);
		assert_int_equal(verdicts.n, 0);
		assert_int_equal(cur.offset, 200);
	}
}

/* An empty page ends the walk even when it claims there is more. */
static void test_pagination_edges(void **state)
{
	(void)state;
	struct err e = {{0}};
	assert_int_equal(pd("/teams", "{\"teams\":[],\"more\":true,\"offset\":0,\"limit\":100}", &e), 0);
	assert_true(cur.done);
	assert_int_equal(cur.items, 0);
	source_cursor_reset(&cur);
	assert_int_equal(pd("/teams", "{\"teams\":[{\"id\":\"PT1\",\"name\":\"x\"},{\"id\":\"PT2\",\"name\":\"y\"}],\"more\":true}", &e), 0);
	assert_int_equal(cur.offset, 2);
	assert_false(cur.done);
	assert_int_equal(pd("/teams", "{\"teams\":[{\"id\":\"PT3\",\"name\":\"z\"}],\"more\":false}", &e), 0);
	assert_int_equal(cur.offset, 3);
	assert_true(cur.done);
	assert_int_equal(entity_set_count(&set, ENTITY_TEAM), 3);
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

/* ---- Rootly -------------------------------------------------------------------------- */

static int rootly(const char *path, const char *body, struct err *e)
{
	return parse_as(SOURCE_ROOTLY, "https://api.rootly.com", path, body, e);
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
	assert_int_equal(rootly("/v1/teams", page, &e), 0);
	assert_int_equal(cur.page, 2);
	assert_false(cur.done);
	assert_int_equal(cur.total, 3);
	struct entity *t = entity_set_find(&set, ENTITY_TEAM, "g-1");
	assert_non_null(t);
	assert_int_equal(entity_validate(t, &e), 0);
	/* integer user ids become strings */
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(t->doc, "member_ids"), 1)->valuestring, "102");
	assert_string_equal(t->prov.url, "https://api.rootly.com/v1/teams/g-1");
	assert_int_equal(rootly("/v1/teams", "{\"data\":[{\"id\":7,\"type\":\"groups\",\"attributes\":{\"name\":\"Web\"}}]," META_LAST "}", &e), 0);
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
	assert_int_equal(rootly("/v1/users", page, &e), 0);
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
	assert_int_equal(rootly("/v1/schedules", page, &e), 0);
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

static void test_rootly_incidents(void **state)
{
	(void)state;
	struct err e = {{0}};
	static const char page[] =
		"{\"data\":[{\"id\":\"i1\",\"type\":\"incidents\",\"attributes\":{\"title\":\"DB down\",\"sequential_id\":42,"
		"\"status\":\"mitigated\",\"severity\":{\"data\":{\"id\":\"sev\",\"type\":\"severities\",\"attributes\":{\"severity\":\"critical\"}}},"
		"\"services\":[{\"data\":{\"id\":\"svc1\",\"type\":\"services\"}}],\"created_at\":\"2025-02-01T00:00:00Z\",\"resolved_at\":null}},"
		"{\"id\":\"i2\",\"type\":\"incidents\",\"attributes\":{\"title\":\"Drill\",\"status\":\"scheduled\"}}],"
		META_LAST "}";
	assert_int_equal(rootly("/v1/incidents", page, &e), 0);
	struct entity *i = entity_set_find(&set, ENTITY_INCIDENT, "i1");
	assert_int_equal(entity_validate(i, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(i->doc, "status")->valuestring, "acknowledged");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "urgency")->valuestring, "high");
	assert_string_equal(cJSON_GetObjectItem(i->doc, "service_id")->valuestring, "svc1");
	assert_null(entity_set_find(&set, ENTITY_INCIDENT, "i2"));
	assert_int_equal(verdicts.items[1].kind, VERDICT_SKIP);
	assert_non_null(strstr(verdicts.items[1].reason, "scheduled"));
}

static void test_rootly_bad_pages(void **state)
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
		assert_int_equal(rootly("/v1/services", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(set.n, 0);
		assert_int_equal(verdicts.n, 0);
		assert_int_equal(cur.page, 5);
	}
	/* an empty page ends the walk even when meta says there is another */
	cur.page = 0;
	assert_int_equal(rootly("/v1/services", "{\"data\":[],\"meta\":{\"next_page\":2}}", &e), 0);
	assert_true(cur.done);
}

/* ---- incident.io --------------------------------------------------------------------- */

static int iio(const char *path, const char *body, struct err *e)
{
	return parse_as(SOURCE_INCIDENTIO, "https://api.incident.io", path, body, e);
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
	assert_int_equal(iio("/v3/catalog_entries", page, &e), 0);
	assert_string_equal(cur.after, "01SVC");
	assert_false(cur.done);
	struct entity *s = entity_set_find(&set, ENTITY_SERVICE, "01SVC");
	assert_int_equal(entity_validate(s, &e), 0);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "description")->valuestring, "Takes payments");
	assert_string_equal(cJSON_GetObjectItem(s->doc, "status")->valuestring, "disabled");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s->doc, "team_ids")), 2);
	assert_string_equal(cJSON_GetObjectItem(s->doc, "escalation_policy_id")->valuestring, "01PATH");
	/* the last page has no `after` */
	assert_int_equal(iio("/v3/catalog_entries", "{\"catalog_entries\":[{\"id\":\"01SVC2\",\"name\":\"x\"}],"
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
	assert_int_equal(iio("/v2/escalation_paths", page, &e), 0);
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
	assert_int_equal(iio("/v2/users", "{\"users\":[{\"id\":\"01U\",\"name\":\"Lisa\",\"email\":\"l@example.com\","
					    "\"role\":\"owner\",\"base_role\":{\"slug\":\"customer-success\"}}],"
					    "\"pagination_meta\":{\"page_size\":25}}", &e), 0);
	struct entity *u = entity_set_find(&set, ENTITY_USER, "01U");
	/* an unknown base role falls back to the legacy role, here owner */
	assert_string_equal(cJSON_GetObjectItem(u->doc, "role")->valuestring, "admin");
	source_cursor_reset(&cur);
	assert_int_equal(iio("/v2/schedules", "{\"schedules\":[{\"id\":\"01S\",\"name\":\"Primary\",\"timezone\":\"Europe/London\","
						"\"config\":{\"rotations\":[{\"id\":\"r\",\"name\":\"Weekly\",\"handover_start_at\":\"2025-01-06T09:00:00Z\","
						"\"handovers\":[{\"interval\":2,\"interval_type\":\"weekly\"}],\"users\":[{\"id\":\"01U\"}],"
						"\"working_intervals\":[]}]}}],\"pagination_meta\":{\"page_size\":25}}", &e), 0);
	struct entity *s = entity_set_find(&set, ENTITY_SCHEDULE, "01S");
	assert_int_equal(entity_validate(s, &e), 0);
	cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(s->doc, "layers"), 0);
	assert_int_equal(cJSON_GetObjectItem(l, "rotation_seconds")->valueint, 2 * 604800);
	source_cursor_reset(&cur);
	/* alert sources are one unpaginated list; a custom transform is refused */
	assert_int_equal(iio("/v2/alert_sources", "{\"alert_sources\":[{\"id\":\"01A\",\"name\":\"Datadog\",\"source_type\":\"datadog\"},"
						    "{\"id\":\"01B\",\"name\":\"Custom\",\"source_type\":\"http_custom\"}]}", &e), 0);
	assert_true(cur.done);
	assert_non_null(entity_set_find(&set, ENTITY_INTEGRATION, "01A"));
	assert_null(entity_set_find(&set, ENTITY_INTEGRATION, "01B"));
	assert_int_equal(verdicts.items[verdicts.n - 1].kind, VERDICT_SKIP);
}

static void test_iio_incidents(void **state)
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
	assert_int_equal(iio("/v2/incidents", page, &e), 0);
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

static void test_iio_bad_pages(void **state)
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
		assert_int_equal(iio("/v2/users", bad[k][0], &e), -1);
		assert_non_null(strstr(e.msg, bad[k][1]));
		assert_int_equal(set.n, 0);
		assert_int_equal(verdicts.n, 0);
		assert_string_equal(cur.after, "01PREV");
		source_cursor_reset(&cur);
	}
	/* an empty page ends the walk even with a cursor */
	assert_int_equal(iio("/v2/users", "{\"users\":[],\"pagination_meta\":{\"after\":\"x\"}}", &e), 0);
	assert_true(cur.done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_services_and_integrations, reset),
		cmocka_unit_test_teardown(test_users_roles, reset),
		cmocka_unit_test_teardown(test_schedules_policies_incidents, reset),
		cmocka_unit_test_teardown(test_bad_pages, reset),
		cmocka_unit_test_teardown(test_pagination_edges, reset),
		cmocka_unit_test(test_names_and_times),
		cmocka_unit_test_teardown(test_teams_are_groups, reset),
		cmocka_unit_test_teardown(test_users_with_roles, reset),
		cmocka_unit_test_teardown(test_schedule_rotations_from_included, reset),
		cmocka_unit_test_teardown(test_rootly_incidents, reset),
		cmocka_unit_test_teardown(test_rootly_bad_pages, reset),
		cmocka_unit_test_teardown(test_catalog_services, reset),
		cmocka_unit_test_teardown(test_escalation_paths, reset),
		cmocka_unit_test_teardown(test_users_schedules_sources, reset),
		cmocka_unit_test_teardown(test_iio_incidents, reset),
		cmocka_unit_test_teardown(test_iio_bad_pages, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
