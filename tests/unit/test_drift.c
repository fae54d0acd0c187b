/* Unit tests for drift: the comparison with exceptions, the timing rule
 * behind the stop-the-line trigger, and snapshots and drift samples kept in
 * a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/audit.h"
#include "warroom/drift.h"
#include "warroom/exceptions.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "data/scratch_db.h"

static struct entity *mk(enum entity_type t, const char *json)
{
	struct err e = {{0}};
	struct entity *en = entity_new(t, cJSON_Parse(json), &e);
	assert_non_null(en);
	return en;
}

static void base_set(struct entity_set *s)
{
	entity_set_add(s, mk(ENTITY_USER, "{\"id\":\"U1\",\"name\":\"Ann\",\"time_zone\":\"UTC\"}"));
	entity_set_add(s, mk(ENTITY_USER, "{\"id\":\"U2\",\"name\":\"Bob\",\"time_zone\":\"UTC\"}"));
	entity_set_add(s, mk(ENTITY_SERVICE, "{\"id\":\"S1\",\"name\":\"api\",\"status\":\"active\"}"));
}

static int explain_u3(void *ctx, const char *account, const char *entity, const char *id,
		      const char *field, char *why, size_t size)
{
	(void)ctx;
	(void)field;
	if (strcmp(account, "acme") || strcmp(entity, "user") || strcmp(id, "U3"))
		return 0;
	snprintf(why, size, "exception #7: hired after cutover");
	return 1;
}

static void test_compare_counts_and_explains(void **state)
{
	(void)state;
	struct entity_set snap = {0}, now = {0};
	base_set(&snap);
	base_set(&now);
	struct drift_result r;
	struct err e = {{0}};
	assert_int_equal(drift_compare("acme", &snap, &now, NULL, NULL, 1000, &r, &e), 0);
	assert_int_equal(r.differing, 0);
	assert_int_equal(r.unexplained, 0);
	drift_result_free(&r);

	/* U2 changed, S1 removed, U3 added (explained) */
	struct entity *u2 = entity_set_find(&now, ENTITY_USER, "U2");
	cJSON_ReplaceItemInObjectCaseSensitive(u2->doc, "name", cJSON_CreateString("Robert"));
	entity_set_add(&now, mk(ENTITY_USER, "{\"id\":\"U3\",\"name\":\"Cy\",\"time_zone\":\"UTC\"}"));
	struct entity_set fewer = {0};
	for (size_t i = 0; i < now.n; i++)
		if (strcmp(now.items[i]->id, "S1") != 0)
			entity_set_add(&fewer, entity_new(now.items[i]->type,
							  cJSON_Duplicate(now.items[i]->doc, 1), &e));
	assert_int_equal(drift_compare("acme", &snap, &fewer, explain_u3, NULL, 1000, &r, &e), 0);
	assert_int_equal(r.differing, 3);
	assert_int_equal(r.unexplained, 2);
	assert_int_equal(r.cmp.types[ENTITY_USER].changed, 1);
	assert_int_equal(r.cmp.types[ENTITY_USER].extra, 1);
	assert_int_equal(r.cmp.types[ENTITY_SERVICE].missing, 1);
	int seen_explained = 0;
	for (size_t i = 0; i < r.cmp.n_mismatches; i++)
		if (r.cmp.mismatches[i].explained) {
			assert_string_equal(r.cmp.mismatches[i].id, "U3");
			assert_non_null(strstr(r.cmp.mismatches[i].explained, "hired after cutover"));
			seen_explained++;
		}
	assert_int_equal(seen_explained, 1);
	drift_result_free(&r);
	entity_set_free(&snap);
	entity_set_free(&now);
	entity_set_free(&fewer);
}

static void test_since_and_fires(void **state)
{
	(void)state;
	assert_int_equal(drift_since(NULL, 0), 0);
	struct drift_obs a[] = {{100, 2}, {200, 0}, {300, 1}, {400, 3}, {500, 1}};
	assert_int_equal(drift_since(a, 5), 300);
	struct drift_obs b[] = {{100, 2}, {200, 1}, {300, 0}};
	assert_int_equal(drift_since(b, 3), 0); /* explained now: the clock stops */
	struct drift_obs c[] = {{100, 2}, {200, 1}};
	assert_int_equal(drift_since(c, 2), 100);
	int64_t thirty = 30 * 60 * 1000;
	assert_false(drift_fires(0, 10 * thirty, thirty));
	assert_false(drift_fires(1000, 1000 + thirty, thirty)); /* exactly the threshold: not yet */
	assert_true(drift_fires(1000, 1001 + thirty, thirty));
	assert_false(drift_fires(1000, 1000000000, -1)); /* the plan sets none */
}

struct fx {
	char dir[256];
	char path[300];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof(f->dir), "%s/wr-drift-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/w.db", f->dir);
	struct err e = {{0}};
	f->st = store_open(f->path, STORE_READWRITE, &e);
	if (!f->st)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	scratch_db_remove(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_snapshot_roundtrip(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	struct entity_set got = {0};
	int64_t taken = 0;
	assert_int_equal(drift_snapshot_load(f->st, "acme", &got, &taken, &e), 0);

	struct entity_set s = {0};
	base_set(&s);
	assert_int_equal(drift_snapshot_save(f->st, "acme", &s, "cutover", 5000, &e), 0);
	/* a newer snapshot replaces the older as "the" snapshot */
	entity_set_add(&s, mk(ENTITY_TEAM, "{\"id\":\"T1\",\"name\":\"core\"}"));
	assert_int_equal(drift_snapshot_save(f->st, "acme", &s, "re-cutover", 9000, &e), 0);
	assert_int_equal(drift_snapshot_load(f->st, "acme", &got, &taken, &e), 1);
	assert_int_equal(taken, 9000);
	assert_int_equal(got.n, 4);
	struct entity *t1 = entity_set_find(&got, ENTITY_TEAM, "T1");
	assert_non_null(t1);
	assert_string_equal(t1->prov.system, "snapshot");
	/* what was kept compares equal to what was there */
	struct drift_result r;
	assert_int_equal(drift_compare("acme", &got, &s, NULL, NULL, 10000, &r, &e), 0);
	assert_int_equal(r.differing, 0);
	drift_result_free(&r);
	/* another account has none */
	struct entity_set other = {0};
	assert_int_equal(drift_snapshot_load(f->st, "globex", &other, &taken, &e), 0);
	entity_set_free(&got);
	entity_set_free(&s);
}

static void add_drift(struct store *st, const char *acct, double unexplained, int64_t at)
{
	struct sample s = {.account = (char *)acct, .kind = (char *)SAMPLE_DRIFT, .name = "entities",
			   .value = unexplained, .passed = 0, .evaluated = (int64_t)unexplained, .at_ms = at};
	struct err e = {{0}};
	assert_int_equal(samples_append(st, &s, &e), 0);
}

static void test_unexplained_since_from_samples(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	int64_t since = -1;
	assert_int_equal(drift_unexplained_since(f->st, "acme", &since, &e), 0);
	assert_int_equal(since, 0);
	add_drift(f->st, "acme", 1, 1000);
	add_drift(f->st, "acme", 0, 2000);
	add_drift(f->st, "acme", 2, 3000);
	add_drift(f->st, "acme", 1, 4000);
	add_drift(f->st, "globex", 5, 500);
	assert_int_equal(drift_unexplained_since(f->st, "acme", &since, &e), 0);
	assert_int_equal(since, 3000);
	assert_int_equal(drift_unexplained_since(f->st, "globex", &since, &e), 0);
	assert_int_equal(since, 500);
	add_drift(f->st, "acme", 0, 5000);
	assert_int_equal(drift_unexplained_since(f->st, "acme", &since, &e), 0);
	assert_int_equal(since, 0);
}

/* The last drift.check record's role and detail, copied out of the scan. */
struct last_check {
	char role[32];
	char *detail;
};

static int find_check(const struct audit_record *rec, void *ctx)
{
	struct last_check *c = ctx;
	if (strcmp(rec->action, "drift.check") == 0) {
		snprintf(c->role, sizeof(c->role), "%s", rec->role);
		free(c->detail);
		c->detail = strdup(rec->detail);
	}
	return 0;
}

/* drift_record, the half a caller that reads the target elsewhere uses,
 * keeps what drift_check keeps: the sample the stop-the-line rule reads,
 * and a drift.check record naming what differs and what explains it. */
static void test_record_sample_and_audit(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	int64_t taken = -1;
	assert_int_equal(drift_snapshot_time(f->st, "acme", &taken, &e), 0);
	struct entity_set snap = {0}, now = {0};
	base_set(&snap);
	assert_int_equal(drift_snapshot_save(f->st, "acme", &snap, "cutover", 7000, &e), 0);
	assert_int_equal(drift_snapshot_time(f->st, "acme", &taken, &e), 1);
	assert_int_equal(taken, 7000);
	assert_int_equal(drift_snapshot_time(f->st, "globex", &taken, &e), 0);

	base_set(&now);
	struct entity *u1 = entity_set_find(&now, ENTITY_USER, "U1");
	struct entity *s1 = entity_set_find(&now, ENTITY_SERVICE, "S1");
	cJSON_ReplaceItemInObjectCaseSensitive(u1->doc, "name", cJSON_CreateString("Anne"));
	cJSON_ReplaceItemInObjectCaseSensitive(s1->doc, "status", cJSON_CreateString("disabled"));
	struct exception x = {.scope = "acme/service/S1", .owner = "ann", .reason = "paused by the customer",
			      .controls = "", .opened_ms = 1, .expires_ms = INT64_MAX / 2};
	struct exception_list exc = {.items = &x, .n = 1, .cap = 1};
	struct drift_result r;
	assert_int_equal(drift_record(f->st, "acme", &snap, 7000, &now, &exc, "operator", &r, &e), 0);
	assert_int_equal(r.differing, 2);
	assert_int_equal(r.unexplained, 1);
	assert_int_equal(r.snapshot_ms, 7000);
	drift_result_free(&r);
	struct sample smp;
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_DRIFT, "entities", &smp, &e), 1);
	assert_true(smp.value == 1);
	assert_int_equal(smp.evaluated, 2);
	sample_free(&smp);
	int64_t since = 0;
	assert_int_equal(drift_unexplained_since(f->st, "acme", &since, &e), 0);
	assert_true(since > 0);
	struct last_check c = {{0}, NULL};
	assert_int_equal(audit_scan(f->st, 0, 0, find_check, &c, &e), 0);
	assert_string_equal(c.role, "operator");
	assert_non_null(c.detail);
	assert_non_null(strstr(c.detail, "\"unexplained\":1"));
	assert_non_null(strstr(c.detail, "U1"));
	assert_non_null(strstr(c.detail, "paused by the customer"));
	free(c.detail);
	entity_set_free(&snap);
	entity_set_free(&now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_counts_and_explains),
		cmocka_unit_test(test_since_and_fires),
		cmocka_unit_test_setup_teardown(test_snapshot_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexplained_since_from_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_sample_and_audit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
