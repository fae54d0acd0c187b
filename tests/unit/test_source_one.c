/* Unit tests for reading one entity of a source by its id, against the
 * simulator's three source APIs over loopback HTTP: every type of every
 * system yields what a whole read yields for that id, a missing id is named
 * with its URL, a 5xx is retried, and a malformed or refused answer names
 * the endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "data/sim_loopback.h"
#include "warroom/source.h"
#include "warroom/source_import.h"

static int setup(void **state)
{
	(void)state;
	return sim_loopback_setup((struct sim_options){.seed = 7, .accounts = 3, .entities = 12});
}

/* The account each system is read as, as the e2e tests of the sources do. */
static const struct {
	enum source_system sys;
	const char *token;
} accounts[] = {
	{SOURCE_PAGERDUTY, "acct-001"},
	{SOURCE_ROOTLY, "tok-acct-002"},
	{SOURCE_INCIDENTIO, "acct-003"},
};

static void conn_of(size_t k, struct source_conn *c, char *url, size_t size)
{
	snprintf(url, size, "%s/%s", base, source_system_name(accounts[k].sys));
	*c = (struct source_conn){.system = accounts[k].sys, .base_url = url,
				  .token = accounts[k].token, .max_retries = 3};
}

static size_t curl_sink(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* POST /_sim/source_faults (or DELETE it with body NULL). */
static void script_faults(const char *body)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/_sim/source_faults", base);
	CURL *h = curl_easy_init();
	assert_non_null(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl_sink);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	assert_int_equal(status, 200);
	curl_easy_cleanup(h);
}

/* fetch_one of an id == the item fetch_all yields for it, for every type
 * of every system (first, middle and last of each type), provenance apart
 * from when it was fetched. */
static void test_one_equals_whole(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(accounts); k++) {
		struct source_conn c;
		char url[96];
		conn_of(k, &c, url, sizeof(url));
		struct source_result all = {0};
		struct err e = {{0}};
		assert_int_equal(source_fetch_all(&c, &all, &e), 0);
		for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
			const struct entity *of_type[256];
			size_t n = 0;
			for (size_t i = 0; i < all.set.n && n < ARRAY_SIZE(of_type); i++)
				if (all.set.items[i]->type == (enum entity_type)t)
					of_type[n++] = all.set.items[i];
			assert_true(n > 0);
			size_t picks[3] = {0, n / 2, n - 1};
			for (size_t p = 0; p < 3; p++) {
				const struct entity *want = of_type[picks[p]];
				struct entity_set one = {0};
				if (source_fetch_one(&c, want->type, want->id, &one, &e) < 0)
					fail_msg("%s %s %s: %s", source_system_name(c.system),
						 entity_type_name(want->type), want->id, e.msg);
				assert_int_equal(one.n, 1);
				const struct entity *got = one.items[0];
				assert_int_equal(got->type, want->type);
				assert_string_equal(got->id, want->id);
				if (!cJSON_Compare(got->doc, want->doc, 1)) {
					char *a = cJSON_PrintUnformatted(got->doc), *b = cJSON_PrintUnformatted(want->doc);
					fail_msg("%s %s: one %s, whole %s", source_system_name(c.system), want->id, a, b);
				}
				assert_string_equal(got->prov.system, want->prov.system);
				assert_string_equal(got->prov.source_id, want->prov.source_id);
				assert_string_equal(got->prov.url, want->prov.url);
				assert_true(got->prov.fetched_at_ms >= want->prov.fetched_at_ms);
				entity_set_free(&one);
			}
		}
		source_result_free(&all);
	}
}

/* A missing id is named with the whole URL and the 404, in each system. */
static void test_not_found(void **state)
{
	(void)state;
	static const char *const want[] = {
		"pagerduty has no service 'NOPE' (GET %s/pagerduty/services/NOPE?include[]=integrations: 404)",
		"rootly has no service 'NOPE' (GET %s/rootly/v1/services/NOPE: 404)",
		"incidentio has no service 'NOPE' (GET %s/incidentio/v3/catalog_entries/NOPE: 404)",
	};
	for (size_t k = 0; k < ARRAY_SIZE(accounts); k++) {
		struct source_conn c;
		char url[96], msg[256];
		conn_of(k, &c, url, sizeof(url));
		struct entity_set one = {0};
		struct err e = {{0}};
		assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, "NOPE", &one, &e), -1);
		snprintf(msg, sizeof(msg), want[k], base);
		assert_string_equal(e.msg, msg);
		assert_int_equal(one.n, 0);
	}
	/* an id that is not a URL segment goes escaped, and is still just missing */
	struct source_conn c;
	char url[96];
	conn_of(0, &c, url, sizeof(url));
	struct entity_set one = {0};
	struct err e = {{0}};
	assert_int_equal(source_fetch_one(&c, ENTITY_USER, "a/b c", &one, &e), -1);
	assert_non_null(strstr(e.msg, "has no user 'a/b c'"));
	assert_non_null(strstr(e.msg, "/users/a%2Fb%20c: 404"));
}

static const char *first_id(const struct source_conn *c, enum entity_type t,
			    struct source_result *all)
{
	struct err e = {{0}};
	assert_int_equal(source_fetch_all(c, all, &e), 0);
	for (size_t i = 0; i < all->set.n; i++)
		if (all->set.items[i]->type == t)
			return all->set.items[i]->id;
	fail_msg("no %s", entity_type_name(t));
	return NULL;
}

/* A 5xx is retried to success; one that lasts names the endpoint and the
 * status; a malformed body names the endpoint; nothing is handed on. */
static void test_faults(void **state)
{
	(void)state;
	struct source_conn c;
	char url[96], faults[512];
	conn_of(0, &c, url, sizeof(url));
	struct source_result all = {0};
	const char *sid = first_id(&c, ENTITY_SERVICE, &all);
	struct entity_set one = {0};
	struct err e = {{0}};

	snprintf(faults, sizeof(faults),
		 "{\"faults\":[{\"path\":\"/pagerduty/services/%s\",\"kind\":\"error\",\"status\":502,\"times\":1}]}", sid);
	script_faults(faults);
	assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, sid, &one, &e), 0);
	assert_int_equal(one.n, 1);
	entity_set_free(&one);

	snprintf(faults, sizeof(faults),
		 "{\"faults\":[{\"path\":\"/pagerduty/services/%s\",\"kind\":\"error\",\"status\":503,\"times\":10}]}", sid);
	script_faults(faults);
	c.max_retries = 1;
	assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, sid, &one, &e), -1);
	assert_non_null(strstr(e.msg, "GET /services/"));
	assert_non_null(strstr(e.msg, "HTTP 503"));
	assert_non_null(strstr(e.msg, "pagerduty at http://"));
	assert_int_equal(one.n, 0);
	c.max_retries = 3;

	snprintf(faults, sizeof(faults),
		 "{\"faults\":[{\"path\":\"/pagerduty/services/%s\",\"kind\":\"malformed\",\"times\":1}]}", sid);
	script_faults(faults);
	assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, sid, &one, &e), -1);
	char want[160];
	snprintf(want, sizeof(want), "GET /services/%s?include[]=integrations: malformed JSON at byte", sid);
	assert_non_null(strstr(e.msg, want));
	assert_int_equal(one.n, 0);

	/* a rate limit without Retry-After (PagerDuty's 2020) is waited out */
	snprintf(faults, sizeof(faults),
		 "{\"faults\":[{\"path\":\"/pagerduty/services/%s\",\"kind\":\"rate_limit\",\"times\":1}]}", sid);
	script_faults(faults);
	assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, sid, &one, &e), 0);
	entity_set_free(&one);
	script_faults(NULL);
	source_result_free(&all);
}

/* Each API's own refusals: a catalog entry that is not a service, a team
 * member list that fails after the team was read, a wrong token. */
static void test_refusals(void **state)
{
	(void)state;
	struct source_conn c;
	char url[96];
	conn_of(2, &c, url, sizeof(url));
	struct source_result all = {0};
	const char *tid = first_id(&c, ENTITY_TEAM, &all);
	struct entity_set one = {0};
	struct err e = {{0}};
	assert_int_equal(source_fetch_one(&c, ENTITY_SERVICE, tid, &one, &e), -1);
	assert_non_null(strstr(e.msg, "is a Team, not a Service"));
	assert_non_null(strstr(e.msg, "GET /v3/catalog_entries/"));
	assert_int_equal(one.n, 0);
	source_result_free(&all);

	conn_of(0, &c, url, sizeof(url));
	tid = first_id(&c, ENTITY_TEAM, &all);
	char faults[256];
	snprintf(faults, sizeof(faults),
		 "{\"faults\":[{\"path\":\"/pagerduty/teams/%s/members\",\"kind\":\"error\",\"status\":500,\"times\":10}]}", tid);
	script_faults(faults);
	c.max_retries = 1;
	assert_int_equal(source_fetch_one(&c, ENTITY_TEAM, tid, &one, &e), -1);
	assert_non_null(strstr(e.msg, "/members"));
	assert_non_null(strstr(e.msg, "HTTP 500"));
	assert_int_equal(one.n, 0);
	script_faults(NULL);

	c.token = "nobody";
	assert_int_equal(source_fetch_one(&c, ENTITY_TEAM, tid, &one, &e), -1);
	assert_non_null(strstr(e.msg, "HTTP 401"));
	assert_int_equal(one.n, 0);
	source_result_free(&all);
}

/* The pure parser of single answers: each API's wrapper, and what breaks. */
static void test_parse_one(void **state)
{
	(void)state;
	struct entity_set set = {0};
	struct verdict_list v = {0};
	struct source_sink sink = {&set, &v, SOURCE_PAGERDUTY, "https://api.pagerduty.com", 1};
	struct err e = {{0}};
	static const char PD_INT[] =
		"{\"integration\":{\"id\":\"PE1U9CH\",\"type\":\"generic_email_inbound_integration\","
		"\"name\":\"Email\",\"service\":{\"id\":\"PQL78HM\",\"type\":\"service_reference\"}}}";
	assert_int_equal(source_parse_one(SOURCE_PAGERDUTY, ENTITY_INTEGRATION, PD_INT, strlen(PD_INT), &sink, &e), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(cJSON_GetObjectItem(set.items[0]->doc, "service_id")->valuestring, "PQL78HM");
	assert_string_equal(cJSON_GetObjectItem(set.items[0]->doc, "type")->valuestring, "email");
	assert_string_equal(set.items[0]->prov.url,
			    "https://api.pagerduty.com/services/PQL78HM/integrations/PE1U9CH");
	static const struct {
		enum source_system sys;
		enum entity_type t;
		const char *body, *want;
	} bad[] = {
		{SOURCE_PAGERDUTY, ENTITY_SERVICE, "{\"services\":[]}", "the answer has no \"service\" object"},
		{SOURCE_PAGERDUTY, ENTITY_USER, "{\"user\":{\"name\":\"x\"}}", "user has no \"id\""},
		{SOURCE_PAGERDUTY, ENTITY_INTEGRATION, "{\"integration\":{\"id\":\"P1\"}}", "integration P1 has no service"},
		{SOURCE_ROOTLY, ENTITY_TEAM, "{\"data\":[]}", "the answer has no \"data\" object"},
		{SOURCE_ROOTLY, ENTITY_TEAM, "{\"data\":{\"id\":\"g1\"}}", "data (g1) has no \"attributes\""},
		{SOURCE_INCIDENTIO, ENTITY_SERVICE, "{\"catalog_entry\":{\"id\":\"01X\"}}", "comes without its catalog type"},
		{SOURCE_INCIDENTIO, ENTITY_USER, "{\"user\":{\"id\":\"", "malformed JSON at byte"},
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		sink.system = bad[k].sys;
		assert_int_equal(source_parse_one(bad[k].sys, bad[k].t, bad[k].body, strlen(bad[k].body), &sink, &e), -1);
		if (!strstr(e.msg, bad[k].want))
			fail_msg("case %zu: '%s' lacks '%s'", k, e.msg, bad[k].want);
		assert_int_equal(set.n, 1);
		assert_int_equal(v.n, 1);
	}
	entity_set_free(&set);
	verdict_list_free(&v);
}

/* The document the import would write for one entity read alone: the
 * canonical fields under the target's names, nothing else; and a target
 * record as the preview compares it. */
static void test_import_document(void **state)
{
	(void)state;
	struct source_conn c;
	char url[96];
	conn_of(0, &c, url, sizeof(url));
	struct source_result all = {0};
	const char *iid = first_id(&c, ENTITY_INTEGRATION, &all);
	struct entity_set one = {0};
	struct err e = {{0}};
	assert_int_equal(source_fetch_one(&c, ENTITY_INTEGRATION, iid, &one, &e), 0);
	cJSON_AddStringToObject(one.items[0]->doc, "legacy_only", "x");
	cJSON *doc = source_import_document(one.items[0]);
	const cJSON *src = one.items[0]->doc;
	assert_string_equal(cJSON_GetObjectItem(doc, "integration_type")->valuestring,
			    cJSON_GetObjectItem(src, "type")->valuestring);
	assert_null(cJSON_GetObjectItem(doc, "type"));
	assert_null(cJSON_GetObjectItem(doc, "legacy_only"));
	assert_string_equal(cJSON_GetObjectItem(doc, "service_id")->valuestring,
			    cJSON_GetObjectItem(src, "service_id")->valuestring);
	assert_int_equal(cJSON_GetArraySize(doc), 4); /* id, name, integration_type, service_id */
	/* the target's copy with its bookkeeping is the same document */
	cJSON *record = cJSON_Duplicate(doc, 1);
	cJSON_AddStringToObject(record, "origin", "import");
	cJSON_AddStringToObject(record, "type", "integration");
	cJSON *there = source_import_target_document(record);
	assert_true(cJSON_Compare(there, doc, 1));
	cJSON_Delete(there);
	cJSON_Delete(record);
	cJSON_Delete(doc);
	entity_set_free(&one);
	source_result_free(&all);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_equals_whole),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_parse_one),
		cmocka_unit_test(test_import_document),
	};
	int rc = cmocka_run_group_tests(tests, setup, sim_loopback_teardown);
	curl_global_cleanup();
	return rc;
}
