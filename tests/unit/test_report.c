/* Unit tests for the report: the model gathers the newest measurement of
 * each account from a real store, the renderers carry the same numbers,
 * HTML escapes what it shows, and no secret survives into any format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/audit.h"
#include "warroom/diag.h"
#include "warroom/exceptions.h"
#include "warroom/parity.h"
#include "warroom/plan.h"
#include "warroom/report.h"
#include "warroom/samples.h"
#include "warroom/source_import.h"
#include "warroom/store.h"

static const char PLAN[] = "metadata:\n  version: \"1.0\"\n  migration_name: report test\n"
			   "program:\n  name: Report <Test> & Co\n  parity_threshold: \"99.9%\"\n"
			   "waves:\n  - name: canary\n    order: 1\n";
static const char ACCOUNTS[] =
	"accounts:\n"
	"  - id: acme\n    name: Acme\n    wave: canary\n    migration_mode: full_cutover\n"
	"    source: {system: pagerduty, base_url: \"http://127.0.0.1:9/pagerduty\"}\n"
	"    target: {base_url: \"http://127.0.0.1:9\"}\n"
	"  - id: globex\n    name: Globex\n    wave: canary\n    migration_mode: full_cutover\n"
	"    source: {system: pagerduty, base_url: \"http://127.0.0.1:9/pagerduty\"}\n"
	"    target: {base_url: \"http://127.0.0.1:9\"}\n";

struct fx {
	char dir[256];
	char path[300];
	struct store *st;
	struct program *p;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/wr-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/w.db", f->dir);
	struct err e = {{0}};
	f->st = store_open(f->path, STORE_READWRITE, &e);
	struct diags d = {0};
	f->p = program_load_mem("plan.yaml", PLAN, strlen(PLAN), "accounts.yaml", ACCOUNTS,
				strlen(ACCOUNTS), NULL, NULL, 0, &d);
	if (!f->p)
		diags_print(&d, stderr);
	diags_free(&d);
	if (!f->st || !f->p)
		return -1;
	*state = f;
	return 0;
}

static void rm_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	program_free(f->p);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static struct entity *mk(enum entity_type t, const char *json)
{
	struct err e = {{0}};
	struct entity *en = entity_new(t, cJSON_Parse(json), &e);
	assert_non_null(en);
	return en;
}

/* A real comparison, stored the way `warroom parity` stores it. */
static void measure(struct fx *f, const char *account, int corrupt)
{
	struct entity_set a = {0}, b = {0};
	char json[160];
	for (int i = 0; i < 20; i++) {
		snprintf(json, sizeof(json), "{\"id\":\"S%02d\",\"name\":\"svc %d\",\"status\":\"active\"}", i, i);
		entity_set_add(&a, mk(ENTITY_SERVICE, json));
		if (corrupt && i == 7)
			snprintf(json, sizeof(json),
				 "{\"id\":\"S07\",\"name\":\"<b>bad</b>\",\"status\":\"active\",\"password\":\"hunter2\"}");
		entity_set_add(&b, mk(ENTITY_SERVICE, json));
	}
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct parity_result r;
	struct err e = {{0}};
	assert_int_equal(parity_compare(account, &a, &b, &cfg, NULL, NULL, util_now_ms(), &r, &e), 0);
	assert_int_equal(samples_append_parity(f->st, &r, 0, &e), 0);
	cJSON *detail = parity_result_json(&r, &cfg);
	struct audit_entry en = {.action = "parity.run", .account = account, .detail = detail};
	assert_int_equal(audit_append(f->st, &en, NULL, &e), 0);
	cJSON_Delete(detail);
	parity_result_free(&r);
	parity_config_free(&cfg);
	entity_set_free(&a);
	entity_set_free(&b);
}

static char *render(const cJSON *m, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct err e = {{0}};
	assert_int_equal(report_render(m, fmt, out, &e), 0);
	fclose(out);
	return buf;
}

static const cJSON *account_of(const cJSON *m, const char *id)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(m, "accounts"))
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(a, "id")), id) == 0)
			return a;
	return NULL;
}

static void test_model_and_formats(void **state)
{
	struct fx *f = *state;
	measure(f, "acme", 1); /* older measurement: a mismatch */
	measure(f, "acme", 0); /* the newest: clean -- the report shows this one */
	measure(f, "globex", 1);
	struct exception x = {.scope = "globex/service/S07", .owner = "alice", .reason = "known rename",
			      .controls = "", .expires_ms = util_now_ms() + 3600000};
	struct err e = {{0}};
	x.scope = xstrdup(x.scope), x.owner = xstrdup(x.owner), x.reason = xstrdup(x.reason),
	x.controls = xstrdup("");
	assert_int_equal(exceptions_add(f->st, &x, &e), 0);
	exception_free(&x);

	cJSON *m = report_build(f->st, f->p, NULL, &e);
	assert_non_null(m);
	const cJSON *acme = account_of(m, "acme"), *globex = account_of(m, "globex");
	assert_non_null(acme);
	assert_non_null(globex);
	const cJSON *pa = cJSON_GetObjectItem(acme, "parity"), *pg = cJSON_GetObjectItem(globex, "parity");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(pa, "ok")));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(pg, "ok")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(acme, "trend")), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "exceptions")), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "audit"), "intact")));
	double rate = cJSON_GetObjectItem(pg, "pass_rate")->valuedouble;
	char want[32];
	snprintf(want, sizeof(want), "%.3f%%", 100.0 * rate);

	char *md = render(m, REPORT_MD), *html = render(m, REPORT_HTML), *json = render(m, REPORT_JSON);
	const char *const all[] = {md, html, json};
	for (size_t i = 0; i < 3; i++)
		assert_null(strstr(all[i], "hunter2")); /* redacted before rendering */
	assert_non_null(strstr(md, want));
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(md, "changed service `S07`"));
	assert_non_null(strstr(md, "known rename"));
	/* HTML shows names as text, never as markup */
	assert_null(strstr(html, "<b>bad</b>"));
	assert_non_null(strstr(html, "&lt;b&gt;bad&lt;/b&gt;"));
	assert_non_null(strstr(html, "Report &lt;Test&gt; &amp; Co"));
	assert_non_null(strstr(html, "<svg"));
	assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
	cJSON *back = cJSON_Parse(json);
	assert_non_null(back);
	cJSON_Delete(back);
	free(md);
	free(html);
	free(json);
	cJSON_Delete(m);

	/* one account only, and an unknown one */
	m = report_build(f->st, f->p, "globex", &e);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "accounts")), 1);
	cJSON_Delete(m);
	assert_null(report_build(f->st, f->p, "nobody", &e));
	assert_non_null(strstr(e.msg, "nobody"));
}

static void test_unmeasured_program(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	cJSON *m = report_build(f->st, f->p, NULL, &e);
	assert_non_null(m);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(account_of(m, "acme"), "parity")));
	char *md = render(m, REPORT_MD);
	assert_non_null(strstr(md, "not measured"));
	free(md);
	cJSON_Delete(m);
}

static void test_evidence(void **state)
{
	struct fx *f = *state;
	measure(f, "acme", 0);
	char *dir = xasprintf("%s/evidence", f->dir);
	int intact = 0;
	struct err e = {{0}};
	assert_int_equal(report_evidence(f->st, f->p, NULL, dir, &intact, &e), 0);
	assert_true(intact);
	static const char *const files[] = {"report.md", "report.json", "report.html", "audit.jsonl",
					    "verify.txt", "SHA256SUMS"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);
		struct stat sbuf;
		assert_int_equal(stat(p, &sbuf), 0);
		assert_true(sbuf.st_size > 0);
		free(p);
	}
	char *cmd = xasprintf("cd '%s' && sha256sum -c --quiet SHA256SUMS", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void test_formats(void **state)
{
	(void)state;
	enum report_format fmt;
	assert_int_equal(report_format_parse("md", &fmt), 0);
	assert_int_equal(fmt, REPORT_MD);
	assert_int_equal(report_format_parse("html", &fmt), 0);
	assert_string_equal(report_format_ext(fmt), "html");
	assert_int_equal(report_format_parse("pdf", &fmt), -1);
	assert_int_equal(report_format_parse(NULL, &fmt), -1);
}

/* Pure: what an item's row says, by verdict. */
static void test_import_item_reason(void **state)
{
	(void)state;
	struct import_item refused = {.action = IMPORT_REFUSED, .type = ENTITY_INTEGRATION, .id = "I1",
				      .detail = "deprecated integration"};
	char *r = source_import_item_reason(&refused);
	assert_string_equal(r, "deprecated integration");
	free(r);
	assert_null(source_import_item_changes(&refused));
	refused.detail = NULL;
	r = source_import_item_reason(&refused);
	assert_string_equal(r, "not importable");
	free(r);

	struct import_item same = {.action = IMPORT_UNCHANGED, .type = ENTITY_USER, .id = "U1"};
	assert_null(source_import_item_reason(&same));
	assert_null(source_import_item_changes(&same));

	struct import_item upd = {.action = IMPORT_UPDATE, .type = ENTITY_SERVICE, .id = "S1",
				  .detail = "~ /name: \"a\" -> \"b\"; + /status: (none) -> \"active\""};
	r = source_import_item_reason(&upd);
	assert_string_equal(r, "the target's record differs from the source");
	free(r);
	cJSON *ch = source_import_item_changes(&upd);
	assert_int_equal(cJSON_GetArraySize(ch), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(ch, 1)), "+ /status: (none) -> \"active\"");
	cJSON_Delete(ch);

	struct import_item mapped = {.action = IMPORT_CREATE, .type = ENTITY_USER, .id = "U2",
				     .change = "role limited_user becomes responder",
				     .why = "the target has no limited role"};
	r = source_import_item_reason(&mapped);
	assert_string_equal(r, "the target has no limited role");
	free(r);
	ch = source_import_item_changes(&mapped);
	assert_int_equal(cJSON_GetArraySize(ch), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(ch, 0)), mapped.change);
	cJSON_Delete(ch);
}

static void add_item(struct import_report *r, enum import_action a, const char *id, const char *detail)
{
	struct import_item it = {.action = a, .type = ENTITY_INTEGRATION, .id = xstrdup(id),
				 .detail = detail ? xstrdup(detail) : NULL};
	VEC_PUSH(r->items, r->n, r->cap, it);
}

/* The newest run replaces the last; the report lists refusals first, capped,
 * with their reasons, redacted. */
static void test_import_items(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	struct import_report old = {0}, now = {0};
	add_item(&old, IMPORT_REFUSED, "OLD1", "stale reason");
	assert_int_equal(source_import_record(f->st, "acme", &old, 0, 1000, &e), 0);
	char id[16];
	/* 60 refused with a reason, 60 created as they are, one update */
	for (int i = 0; i < 120; i++) {
		snprintf(id, sizeof(id), "I%02d", i);
		add_item(&now, i % 2 ? IMPORT_CREATE : IMPORT_REFUSED, id,
			 i % 2 ? NULL : "custom script with token=hunter2secret");
	}
	add_item(&now, IMPORT_UPDATE, "UPD", "~ /name: \"a\" -> \"b\"");
	assert_int_equal(store_begin(f->st, &e), 0);
	assert_int_equal(source_import_record(f->st, "acme", &now, 1, 2000, &e), 0);
	assert_int_equal(store_commit(f->st, &e), 0);

	cJSON *m = report_build(f->st, f->p, NULL, &e);
	assert_non_null(m);
	const cJSON *im = cJSON_GetObjectItem(account_of(m, "acme"), "import_items");
	assert_true(cJSON_IsObject(im));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(im, "dry_run")));
	const cJSON *c = cJSON_GetObjectItem(im, "counts");
	assert_int_equal(cJSON_GetObjectItem(c, "refused")->valueint, 60);
	assert_int_equal(cJSON_GetObjectItem(c, "create")->valueint, 60);
	assert_int_equal(cJSON_GetObjectItem(c, "update")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(c, "unchanged")->valueint, 0);
	const cJSON *items = cJSON_GetObjectItem(im, "items");
	assert_int_equal(cJSON_GetArraySize(items), 50);
	assert_int_equal(cJSON_GetObjectItem(im, "more")->valueint, 61 - 50);
	const cJSON *first = cJSON_GetArrayItem(items, 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(first, "verdict")), "refused");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(account_of(m, "globex"), "import_items")));
	char *md = render(m, REPORT_MD), *js = render(m, REPORT_JSON);
	assert_non_null(strstr(md, "## Import verdicts"));
	assert_non_null(strstr(md, "will not import integration `I00`: custom script with token="));
	assert_null(strstr(md, "OLD1"));
	assert_non_null(strstr(md, "- ... and 11 more"));
	assert_null(strstr(md, "hunter2secret"));
	assert_null(strstr(js, "hunter2secret"));
	free(md);
	free(js);
	cJSON_Delete(m);
	source_import_report_free(&old);
	source_import_report_free(&now);
}

/* The verdicts read back whole, as the console's import view reads them:
 * every item, refused first, names and changes kept; none for an account
 * never imported. */
static void test_import_verdicts(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	struct import_report r = {0};
	add_item(&r, IMPORT_CREATE, "C1", NULL);
	add_item(&r, IMPORT_UPDATE, "U1", "~ /name: \"a\" -> \"b\"");
	add_item(&r, IMPORT_REFUSED, "R1", "custom script");
	add_item(&r, IMPORT_UNCHANGED, "S1", NULL);
	r.items[0].name = xstrdup("hook one");
	assert_int_equal(source_import_record(f->st, "acme", &r, 0, 4242, &e), 0);

	struct import_verdicts v;
	assert_int_equal(source_import_verdicts(f->st, "acme", 0, 0, &v, &e), 1);
	assert_int_equal(v.total, 4);
	assert_int_equal(v.n, 4);
	assert_false(v.dry_run);
	assert_int_equal(v.run_ms, 4242);
	for (int k = 0; k < IMPORT_ACTION_COUNT; k++)
		assert_int_equal(v.count[k], 1);
	assert_int_equal(v.v[0].action, IMPORT_REFUSED);
	assert_string_equal(v.v[0].source_id, "R1");
	assert_string_equal(v.v[0].entity_type, "integration");
	assert_non_null(strstr(v.v[0].reason, "custom script"));
	assert_string_equal(v.v[1].source_id, "C1"); /* then the run's order */
	assert_string_equal(v.v[1].name, "hook one");
	assert_null(v.v[1].reason);
	assert_int_equal(v.v[2].action, IMPORT_UPDATE);
	assert_true(cJSON_GetArraySize(v.v[2].changes) >= 1);
	assert_null(v.v[3].changes);
	source_import_verdicts_free(&v);

	assert_int_equal(source_import_verdicts(f->st, "acme", 1, 1, &v, &e), 1);
	assert_int_equal(v.n, 1); /* the cap; the counts stay the run's */
	assert_int_equal(v.total, 4);
	assert_int_equal(v.with_reason, 2);
	source_import_verdicts_free(&v);

	assert_int_equal(source_import_verdicts(f->st, "globex", 0, 0, &v, &e), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.total, 0);
	source_import_verdicts_free(&v);
	source_import_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_and_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmeasured_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence, setup, teardown),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_import_item_reason),
		cmocka_unit_test_setup_teardown(test_import_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_verdicts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
