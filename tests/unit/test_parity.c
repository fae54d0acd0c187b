/* Unit tests for parity: a corrupted target entity is found, by hash and by
 * the sampled deep comparison, and shown field by field; ignore rules and
 * exceptions explain known differences; an A/A run is clean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/parity.h"

static struct entity *service(int i, const char *name_override)
{
	char id[32], name[64], json[512];
	snprintf(id, sizeof(id), "PSVC%04d", i);
	snprintf(name, sizeof(name), "Service %d", i);
	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"name\":\"%s\",\"description\":null,\"status\":\"active\","
		 "\"team_ids\":[\"PT1\"],\"escalation_policy_id\":\"PEP%d\","
		 "\"created_at\":\"2024-05-01T10:00:00Z\"}",
		 id, name_override ? name_override : name, i % 7);
	struct err e = {{0}};
	struct entity *en = entity_new(ENTITY_SERVICE, cJSON_Parse(json), &e);
	assert_non_null(en);
	return en;
}

static struct entity *policy(const char *id, int delay, const char *created)
{
	char json[512];
	snprintf(json, sizeof(json),
		 "{\"id\":\"%s\",\"name\":\"EP\",\"num_loops\":1,\"created\":\"%s\","
		 "\"rules\":[{\"delay_minutes\":%d,\"targets\":[{\"type\":\"user\",\"id\":\"U1\"}]}]}",
		 id, created, delay);
	struct err e = {{0}};
	struct entity *en = entity_new(ENTITY_ESCALATION_POLICY, cJSON_Parse(json), &e);
	assert_non_null(en);
	return en;
}

static int explain_missing(void *ctx, const char *account, const char *entity, const char *id,
			   const char *field, char *why, size_t size)
{
	(void)ctx;
	(void)field;
	if (!strcmp(account, "acme") && !strcmp(entity, "service") && !strcmp(id, "PSVC0007")) {
		snprintf(why, size, "exception 3: service retired on purpose");
		return 1;
	}
	return 0;
}

static const struct parity_mismatch *find(const struct parity_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_mismatches; i++)
		if (!strcmp(r->mismatches[i].id, id))
			return &r->mismatches[i];
	return NULL;
}

static void test_corrupted_entity_found(void **state)
{
	(void)state;
	struct entity_set src = {0}, tgt = {0};
	for (int i = 0; i < 300; i++) {
		entity_set_add(&src, service(i, NULL));
		if (i != 7)
			entity_set_add(&tgt, service(i, i == 123 ? "Corrupted" : NULL));
	}
	struct parity_config cfg;
	parity_config_init(&cfg);
	cfg.sample_size = 300; /* every entity sampled: the corrupted one must be among them */
	struct parity_result r;
	struct err e = {{0}};
	assert_int_equal(parity_compare("acme", &src, &tgt, &cfg, NULL, NULL, 1000, &r, &e), 0);
	const struct parity_type_result *tr = &r.types[ENTITY_SERVICE];
	assert_int_equal(tr->source_count, 300);
	assert_int_equal(tr->target_count, 299);
	assert_int_equal(tr->changed, 1);
	assert_int_equal(tr->missing, 1);
	assert_int_equal(tr->matched, 298);
	assert_int_equal(tr->sampled, 299);
	assert_int_equal(tr->sampled_ok, 298); /* the deep comparison found it too */
	assert_string_not_equal(tr->source_digest, tr->target_digest);
	const struct parity_mismatch *m = find(&r, "PSVC0123");
	assert_non_null(m);
	assert_int_equal(m->kind, PARITY_CHANGED);
	assert_non_null(m->diff);
	assert_non_null(strstr(m->diff, "/name: \"Service 123\" -> \"Corrupted\""));
	assert_false(r.ok);
	assert_true(r.pass_rate < 0.999);
	assert_true(r.error_rate > 0.0066 && r.error_rate < 0.0067); /* 2 of 300 */
	parity_result_free(&r);

	/* the missing one explained by an exception: it passes, and says why */
	assert_int_equal(parity_compare("acme", &src, &tgt, &cfg, explain_missing, NULL, 1000, &r, &e), 0);
	m = find(&r, "PSVC0007");
	assert_non_null(m);
	assert_non_null(m->explained);
	assert_non_null(strstr(m->explained, "retired"));
	assert_int_equal(r.types[ENTITY_SERVICE].explained, 1);
	assert_true(r.error_rate > 0.0033 && r.error_rate < 0.0034);
	cJSON *j = parity_result_json(&r, &cfg);
	char *text = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(text, "\"explained_by\":\"exception 3"));
	cJSON_free(text);
	cJSON_Delete(j);
	parity_result_free(&r);

	/* A/A: the source against itself is clean */
	assert_int_equal(parity_compare("acme", &src, &src, &cfg, NULL, NULL, 1000, &r, &e), 0);
	assert_true(r.ok);
	assert_true(r.pass_rate == 1.0);
	assert_true(r.error_rate == 0.0);
	assert_int_equal(r.n_mismatches, 0);
	parity_result_free(&r);
	parity_config_free(&cfg);
	entity_set_free(&src);
	entity_set_free(&tgt);
}

static void test_ignore_rules(void **state)
{
	(void)state;
	struct entity_set src = {0}, tgt = {0};
	entity_set_add(&src, policy("PEP1", 4, "2024-01-01T10:00:00+02:00"));
	entity_set_add(&tgt, policy("PEP1", 5, "2024-01-01T08:00:00.000Z"));
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct parity_result r;
	struct err e = {{0}};
	/* without a rule the rounded delay is a difference; the time is not */
	assert_int_equal(parity_compare("a", &src, &tgt, &cfg, NULL, NULL, 1, &r, &e), 0);
	assert_int_equal(r.types[ENTITY_ESCALATION_POLICY].changed, 1);
	assert_non_null(strstr(r.mismatches[0].diff, "/rules/0/delay_minutes: 4 -> 5"));
	assert_null(strstr(r.mismatches[0].diff, "created"));
	parity_result_free(&r);
	assert_int_equal(parity_config_add_rule(&cfg, "escalation_policy", "/rules/*/delay_minutes",
						"round_minutes:5", "target rounds delays to 5 minutes", &e), 0);
	assert_int_equal(parity_compare("a", &src, &tgt, &cfg, NULL, NULL, 1, &r, &e), 0);
	assert_int_equal(r.types[ENTITY_ESCALATION_POLICY].matched, 1);
	assert_true(cfg.rules[0].hits >= 2); /* once per side */
	assert_true(r.ok);
	parity_result_free(&r);
	/* bad rules are refused with a message */
	assert_int_equal(parity_config_add_rule(&cfg, "widget", "x", "ignore", "", &e), -1);
	assert_non_null(strstr(e.msg, "unknown entity type 'widget'"));
	assert_int_equal(parity_config_add_rule(&cfg, "*", "x", "round_minutes:0", "", &e), -1);
	assert_int_equal(parity_config_add_rule(&cfg, "*", "x", "shrug", "", &e), -1);
	assert_non_null(strstr(e.msg, "unknown parity rule 'shrug'"));
	assert_int_equal(parity_config_add_rule(&cfg, "*", "name", "case_insensitive", "r", &e), 0);
	assert_int_equal(parity_config_add_rule(&cfg, "user", "time_zone", "ignore", "r", &e), 0);
	char buf[32];
	parity_rule_describe(&cfg.rules[0], buf, sizeof(buf));
	assert_string_equal(buf, "round_minutes:5");
	parity_config_free(&cfg);
	entity_set_free(&src);
	entity_set_free(&tgt);
}

static void test_invariants_and_duplicates(void **state)
{
	(void)state;
	struct entity_set src = {0}, tgt = {0};
	entity_set_add(&src, service(1, NULL));
	entity_set_add(&tgt, service(1, NULL));
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct parity_result r;
	struct err e = {{0}};
	assert_int_equal(parity_compare("a", &src, &tgt, &cfg, NULL, NULL, 1, &r, &e), 0);
	assert_true(r.ok);
	int64_t before = r.evaluated;
	parity_add_invariant(&r, "reconciliation", 0.98, 0.9999);
	assert_int_equal(r.evaluated, before + 1);
	assert_false(r.ok);
	parity_result_free(&r);
	entity_set_add(&tgt, service(1, NULL));
	assert_int_equal(parity_compare("a", &src, &tgt, &cfg, NULL, NULL, 1, &r, &e), -1);
	assert_non_null(strstr(e.msg, "two service entities with id PSVC0001"));
	parity_config_free(&cfg);
	entity_set_free(&src);
	entity_set_free(&tgt);
}

/* Bucketed: only what the bisection found differing is handed over; the
 * rest of the totals is counted as matching, and a pair that differed only
 * before the ignore rules matches after them. */
static void test_bucketed(void **state)
{
	(void)state;
	struct entity_set src = {0}, tgt = {0};
	entity_set_add(&src, service(7, NULL)); /* missing on the target */
	entity_set_add(&src, service(123, NULL));
	entity_set_add(&tgt, service(123, "Corrupted"));
	entity_set_add(&src, service(50, "Mixed Case"));
	entity_set_add(&tgt, service(50, "mixed case"));
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct err e = {{0}};
	assert_int_equal(parity_config_add_rule(&cfg, "service", "name", "case_insensitive",
						"case carries no meaning", &e), 0);
	struct parity_totals tot[ENTITY_TYPE_COUNT];
	memset(tot, 0, sizeof(tot));
	tot[ENTITY_SERVICE].source_count = 300;
	tot[ENTITY_SERVICE].target_count = 299;
	snprintf(tot[ENTITY_SERVICE].source_digest, CANON_HEX_LEN, "aa");
	snprintf(tot[ENTITY_SERVICE].target_digest, CANON_HEX_LEN, "bb");
	tot[ENTITY_TEAM].source_count = tot[ENTITY_TEAM].target_count = 40;
	struct parity_result r;
	assert_int_equal(parity_compare_bucketed("acme", &src, &tgt, tot, &cfg, explain_missing, NULL,
						 1, &r, &e), 0);
	const struct parity_type_result *tr = &r.types[ENTITY_SERVICE];
	assert_int_equal(tr->source_count, 300);
	assert_int_equal(tr->target_count, 299);
	assert_int_equal(tr->missing, 1);
	assert_int_equal(tr->explained, 1); /* PSVC0007, by the exception */
	assert_int_equal(tr->changed, 1);
	assert_int_equal(tr->matched, 298); /* 297 never read, PSVC0050 after the rule */
	assert_int_equal(tr->sampled, 2);
	assert_int_equal(tr->sampled_ok, 1);
	assert_string_equal(tr->source_digest, "aa");
	assert_string_equal(tr->target_digest, "bb");
	assert_int_equal(r.types[ENTITY_TEAM].matched, 40);
	assert_int_equal(r.n_mismatches, 2);
	assert_non_null(find(&r, "PSVC0123"));
	assert_non_null(strstr(find(&r, "PSVC0123")->diff, "\"corrupted\"")); /* after the rule */
	assert_null(find(&r, "PSVC0050"));
	/* service: count (fails) + 3 read + 2 sampled + 297 unread; team: count + 40;
	 * the five empty types: a count each */
	assert_int_equal(r.evaluated, 1 + 3 + 2 + 297 + 1 + 40 + 5);
	assert_int_equal(r.passed, r.evaluated - 3);
	assert_false(r.ok); /* threshold 99.9 %: 3 of 349 fail */
	parity_result_free(&r);
	parity_config_free(&cfg);
	entity_set_free(&src);
	entity_set_free(&tgt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corrupted_entity_found),
		cmocka_unit_test(test_ignore_rules),
		cmocka_unit_test(test_invariants_and_duplicates),
		cmocka_unit_test(test_bucketed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
