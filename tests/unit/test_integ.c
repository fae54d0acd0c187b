/* Unit tests for integ: the health answer's parser (good answers, and each
 * kind of bad one refused with a message and nothing kept), the verdict
 * words, the read against a real simulator on loopback (healthy, an
 * injected integration fault, an unknown tenant), and the record a check
 * leaves in a real store (sample and audit together). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/audit.h"
#include "warroom/http.h"
#include "warroom/integ.h"
#include "warroom/samples.h"
#include "warroom/sim.h"
#include "warroom/store.h"
#include "data/scratch_db.h"

static const char GOOD[] =
	"{\"tenant_id\":\"acct-002\",\"window_s\":900,\"integrations\":["
	"{\"id\":\"PI1\",\"name\":\"Prometheus\",\"type\":\"prometheus\",\"status\":\"failing\","
	"\"last_event_at\":\"2026-11-23T13:59:12.250Z\",\"deliveries\":40,\"failures\":40,"
	"\"reason\":\"the endpoint answered 503\"},"
	"{\"id\":\"PI2\",\"name\":\"Email\",\"type\":\"email\",\"status\":\"healthy\","
	"\"last_event_at\":\"2026-11-23T13:58:00Z\",\"deliveries\":20,\"failures\":0,\"reason\":null},"
	"{\"id\":\"PI3\",\"status\":\"silent\",\"last_event_at\":null}]}";

static void test_parse_good(void **state)
{
	(void)state;
	struct integ_report r;
	struct err e = {{0}};
	if (integ_parse(GOOD, strlen(GOOD), &r, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.healthy, 1);
	assert_int_equal(r.window_s, 900);
	assert_string_equal(r.items[0].id, "PI1");
	assert_int_equal(r.items[0].status, INTEG_FAILING);
	assert_string_equal(r.items[0].reason, "the endpoint answered 503");
	assert_int_equal(r.items[0].failures, 40);
	assert_int_equal(r.items[0].last_event_ms, 1795442352250LL);
	assert_null(r.items[1].reason);
	assert_string_equal(r.items[2].name, "");
	assert_int_equal(r.items[2].last_event_ms, -1);
	/* an unhealthy one without a reason still gets words */
	assert_non_null(strstr(r.items[2].reason, "no reason"));
	cJSON *j = integ_report_json(&r, 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "integrations")), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "verdict")), "deg");
	cJSON_Delete(j);
	integ_report_free(&r);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *body, *says;
	} bad[] = {
		{"not json", "not JSON"},
		{"[]", "no \"integrations\" list"},
		{"{\"integrations\":{}}", "no \"integrations\" list"},
		{"{\"integrations\":[],\"window_s\":-5}", "window_s"},
		{"{\"integrations\":[7]}", "integration 1 is not an object"},
		{"{\"integrations\":[{\"status\":\"healthy\"}]}", "\"id\""},
		{"{\"integrations\":[{\"id\":\"a b\",\"status\":\"healthy\"}]}", "\"id\""},
		{"{\"integrations\":[{\"id\":\"x\"}]}", "\"status\" is missing"},
		{"{\"integrations\":[{\"id\":\"x\",\"status\":\"fine\"}]}", "status 'fine'"},
		{"{\"integrations\":[{\"id\":\"x\",\"status\":\"healthy\",\"last_event_at\":\"soon\"}]}",
		 "RFC 3339"},
		{"{\"integrations\":[{\"id\":\"x\",\"status\":\"healthy\",\"deliveries\":-1}]}",
		 "whole numbers"},
		{"{\"integrations\":[{\"id\":\"x\",\"status\":\"healthy\",\"failures\":0.5}]}",
		 "whole numbers"},
		{"{\"integrations\":[{\"id\":\"x\",\"status\":\"degraded\",\"deliveries\":1,"
		 "\"failures\":3}]}", "3 failures out of 1"},
		{"{\"integrations\":[{\"id\":\"ok\",\"status\":\"healthy\"},{\"id\":\"x\",\"status\":"
		 "\"failing\",\"reason\":5}]}", "\"reason\""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct integ_report r;
		struct err e = {{0}};
		assert_int_equal(integ_parse(bad[i].body, strlen(bad[i].body), &r, &e), -1);
		if (!strstr(e.msg, bad[i].says))
			fail_msg("%s: got '%s', wanted '%s'", bad[i].body, e.msg, bad[i].says);
		assert_int_equal(r.n, 0);
		assert_null(r.items);
	}
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_string_equal(integ_verdict_word(integ_verdict_of(12, 12)), "ok");
	assert_string_equal(integ_verdict_word(integ_verdict_of(10, 12)), "deg");
	assert_string_equal(integ_verdict_word(integ_verdict_of(0, 12)), "fail");
	assert_string_equal(integ_verdict_word(integ_verdict_of(0, 0)), "none");
	assert_true(integ_fraction(0, 0) == 1.0);
	assert_true(integ_fraction(3, 4) == 0.75);
}

/* ---- against the simulator ---------------------------------------------------------- */

struct done {
	long status;
};
static void on_done(void *ctx, const struct http_result *res)
{
	((struct done *)ctx)->status = res->status;
}

static long send(const char *method, const char *url, const char *body)
{
	struct err e = {{0}};
	struct http *h = http_new(&e);
	assert_non_null(h);
	const char *hdr[] = {"Content-Type: application/json"};
	struct http_request rq = {.method = method, .url = url, .headers = hdr, .n_headers = 1,
				  .body = body, .retries = 0};
	struct done d = {0};
	assert_true(http_submit(h, &rq, NULL, on_done, &d, &e) > 0);
	assert_int_equal(http_drain(h, &e), 0);
	http_free(h);
	return d.status;
}

static void test_fetch_from_sim(void **state)
{
	(void)state;
	struct sim_options so = {.host = "127.0.0.1", .seed = 7, .accounts = 3};
	struct err e = {{0}};
	struct sim *sim = sim_start(&so, &e);
	if (!sim)
		fail_msg("%s", e.msg);
	char base[64], url[160];
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", sim_port(sim));
	snprintf(url, sizeof(url), "%s/v1/tenants", base);
	assert_int_equal(send("POST", url, "{\"id\":\"acct-002\",\"name\":\"Second\"}"), 201);
	snprintf(url, sizeof(url), "%s/v1/tenants/acct-002/import/integrations", base);
	assert_int_equal(send("POST", url, "{}"), 200);

	struct integ_report r;
	if (integ_fetch(base, "acct-002", "tok", 0, &r, &e))
		fail_msg("%s", e.msg);
	assert_true(r.n >= 2);
	assert_int_equal(r.healthy, r.n);
	assert_int_equal(r.window_s, 900);
	integ_report_free(&r);

	snprintf(url, sizeof(url), "%s/_sim/faults", base);
	assert_int_equal(send("POST", url, "{\"integration_fault\":\"acct-001,acct-002\"}"), 200);
	assert_int_equal(integ_fetch(base, "acct-002", NULL, 0, &r, &e), 0);
	assert_int_equal(r.healthy, r.n - 2);
	assert_int_equal(r.items[0].status, INTEG_FAILING);
	assert_int_equal(r.items[1].status, INTEG_DEGRADED);
	assert_non_null(r.items[0].reason);
	integ_report_free(&r);
	assert_int_equal(send("POST", url, "{\"integration_fault\":\"acct-002:all\"}"), 200);
	assert_int_equal(integ_fetch(base, "acct-002", NULL, 0, &r, &e), 0);
	assert_int_equal(r.healthy, 0);
	integ_report_free(&r);
	assert_int_equal(send("POST", url, "{\"integration_fault\":\"acct-002:never\"}"), 400);
	assert_int_equal(send("POST", url, "{\"integration_fault\":\"acct-002,\"}"), 400);

	assert_int_equal(integ_fetch(base, "acct-009", NULL, 0, &r, &e), -1);
	assert_non_null(strstr(e.msg, "GET /v1/tenants/acct-009/integrations/health: 404"));
	assert_int_equal(integ_fetch("ftp://x", "acct-009", NULL, 0, &r, &e), -1);
	assert_non_null(strstr(e.msg, "not an http"));
	sim_stop(sim);
}

/* ---- the record ---------------------------------------------------------------------- */

static int64_t count(struct store *st, const char *sql)
{
	sqlite3_stmt *q = store_stmt(st, sql, NULL);
	assert_non_null(q);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

static void test_record(void **state)
{
	(void)state;
	char dir[64];
	snprintf(dir, sizeof(dir), "%s/wr-integ-XXXXXX", P_tmpdir);
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/w.db", dir);
	struct err e = {{0}};
	struct store *st = store_open(path, STORE_READWRITE, &e);
	if (!st)
		fail_msg("%s", e.msg);
	struct integ_report r;
	assert_int_equal(integ_parse(GOOD, strlen(GOOD), &r, &e), 0);
	assert_int_equal(integ_record(st, "acct-002", &r, NULL, "h1", &e), 0);
	assert_int_equal(integ_record(st, "acct-003", NULL, "GET /x: 404", NULL, &e), 0);
	struct sample s;
	assert_int_equal(samples_latest(st, "acct-002", SAMPLE_INTEGRATION, SAMPLE_INTEG_HEALTH, &s, &e), 1);
	assert_int_equal(s.passed, 1);
	assert_int_equal(s.evaluated, 3);
	assert_true(s.value > 0.33 && s.value < 0.34);
	sample_free(&s);
	/* an unread account leaves no sample: the console keeps the last one, aging */
	assert_int_equal(samples_latest(st, "acct-003", SAMPLE_INTEGRATION, SAMPLE_INTEG_HEALTH, &s, &e), 0);
	assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE action = 'integrations.check'"), 2);
	assert_int_equal(count(st, "SELECT count(*) FROM audit WHERE account = 'acct-003' AND "
				   "detail LIKE '%404%'"), 1);
	/* the header's counts: the newest sample of each account only */
	struct sample older = {.account = (char *)"acct-004", .kind = (char *)SAMPLE_INTEGRATION,
			       .name = (char *)SAMPLE_INTEG_HEALTH, .value = 0, .passed = 0,
			       .evaluated = 4, .at_ms = 1000};
	struct sample newer = older;
	newer.value = 1, newer.passed = 4, newer.at_ms = 2000;
	struct sample failing = older;
	failing.account = (char *)"acct-005";
	assert_int_equal(samples_append(st, &newer, &e), 0);
	assert_int_equal(samples_append(st, &older, &e), 0);
	assert_int_equal(samples_append(st, &failing, &e), 0);
	struct integ_counts ic;
	struct sample_list latest;
	assert_int_equal(samples_latest_all(st, NULL, &latest, &e), 0);
	integ_count(&latest, &ic);
	sample_list_free(&latest);
	assert_int_equal(ic.measured, 3); /* acct-002, acct-004, acct-005; acct-003 was never read */
	assert_int_equal(ic.deg, 1);
	assert_int_equal(ic.fail, 1);
	integ_report_free(&r);
	store_close(st);
	scratch_db_remove(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_fetch_from_sim),
		cmocka_unit_test(test_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
