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

#include "warroom/bucket.h"
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
	assert_true(cfg.rules[0].hits >= 1); /* the source's value; the target's is compared as is */
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

/* A value rule says what the target makes of the source's value: only that
 * value passes. Rounding both sides would let 5 -> 4 and 4 -> 6 through. */
static void test_value_rule_is_one_sided(void **state)
{
	(void)state;
	static const struct {
		int source, target, benign;
	} cases[] = {{4, 5, 1}, {5, 5, 1}, {7, 5, 1}, {8, 10, 1}, {4, 10, 0},
		     {5, 4, 0}, {4, 6, 0}, {4, 4, 0}, {23, 20, 0}};
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct err e = {{0}};
	assert_int_equal(parity_config_add_rule(&cfg, "escalation_policy", "/rules/*/delay_minutes",
						"round_minutes:5", "target rounds delays", &e), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct entity_set src = {0}, tgt = {0};
		entity_set_add(&src, policy("PEP1", cases[i].source, "2024-01-01T10:00:00Z"));
		entity_set_add(&tgt, policy("PEP1", cases[i].target, "2024-01-01T10:00:00Z"));
		struct parity_result r;
		assert_int_equal(parity_compare("a", &src, &tgt, &cfg, NULL, NULL, 1, &r, &e), 0);
		if (r.types[ENTITY_ESCALATION_POLICY].matched != (size_t)cases[i].benign)
			fail_msg("%d -> %d should %s", cases[i].source, cases[i].target,
				 cases[i].benign ? "pass" : "differ");
		/* the bucket checksums agree exactly when the full mode does */
		struct canon_hasher *h = canon_hasher_new();
		unsigned char a[CANON_HASH_LEN], b[CANON_HASH_LEN];
		assert_int_equal(parity_doc_hash(&cfg, ENTITY_ESCALATION_POLICY, PARITY_SOURCE,
						 src.items[0]->doc, h, a, &e), 0);
		assert_int_equal(parity_doc_hash(&cfg, ENTITY_ESCALATION_POLICY, PARITY_TARGET,
						 tgt.items[0]->doc, h, b, &e), 0);
		assert_int_equal(!memcmp(a, b, CANON_HASH_LEN), cases[i].benign);
		canon_hasher_free(h);
		parity_result_free(&r);
		/* A/A: both sides are the source, so the rule rewrites both alike */
		cfg.aa = 1;
		assert_int_equal(parity_compare("a", &src, &src, &cfg, NULL, NULL, 1, &r, &e), 0);
		assert_int_equal(r.error_rate, 0);
		cfg.aa = 0;
		parity_result_free(&r);
		entity_set_free(&src);
		entity_set_free(&tgt);
	}
	parity_config_free(&cfg);
}

/* The rules on the wire: what a side is rewritten by, encoded, decoded at
 * the other end into the same hashing; bad text refused with a message. */
static void test_rules_wire(void **state)
{
	(void)state;
	struct parity_config cfg, back;
	parity_config_init(&cfg);
	parity_config_init(&back);
	struct err e = {{0}};
	assert_int_equal(parity_config_add_rule(&cfg, "*", "origin", "ignore", "bookkeeping", &e), 0);
	assert_int_equal(parity_config_add_rule(&cfg, "escalation_policy", "/rules/*/delay_minutes",
						"round_minutes:5", "rounding", &e), 0);
	assert_int_equal(parity_config_add_rule(&cfg, "user", "odd,key%", "case_insensitive", "r", &e), 0);
	struct strbuf sb = {0};
	assert_int_equal(parity_rules_encode(&cfg, ENTITY_ESCALATION_POLICY, PARITY_SOURCE, &sb), 2);
	assert_string_equal(sb_str(&sb), "ignore~origin,round_minutes:5~/rules/*/delay_minutes");
	sb_reset(&sb);
	assert_int_equal(parity_rules_encode(&cfg, ENTITY_ESCALATION_POLICY, PARITY_TARGET, &sb), 1);
	assert_string_equal(sb_str(&sb), "ignore~origin");
	sb_reset(&sb);
	assert_int_equal(parity_rules_encode(&cfg, ENTITY_USER, PARITY_TARGET, &sb), 2);
	assert_string_equal(sb_str(&sb), "ignore~origin,case_insensitive~odd%2Ckey%25");
	assert_int_equal(parity_rules_decode(sb_str(&sb), &back, &e), 0);
	assert_int_equal(back.n_rules, 2);
	assert_string_equal(back.rules[1].field, "odd,key%");
	struct strbuf again = {0};
	parity_rules_encode(&back, ENTITY_USER, PARITY_SOURCE, &again);
	assert_string_equal(sb_str(&again), sb_str(&sb)); /* a round trip is exact */
	sb_release(&again);
	/* the decoded rules hash a target document as the sender's side would */
	cJSON *doc = cJSON_Parse("{\"id\":\"U1\",\"odd,key%\":\"MiXeD\",\"origin\":\"import\"}");
	cJSON *low = cJSON_Parse("{\"id\":\"U1\",\"odd,key%\":\"mixed\"}");
	struct canon_hasher *h = canon_hasher_new();
	unsigned char a[CANON_HASH_LEN], b[CANON_HASH_LEN];
	assert_int_equal(parity_doc_hash(&cfg, ENTITY_USER, PARITY_TARGET, doc, h, a, &e), 0);
	assert_int_equal(parity_doc_hash(&back, ENTITY_USER, PARITY_SOURCE, low, h, b, &e), 0);
	assert_memory_equal(a, b, CANON_HASH_LEN);
	canon_hasher_free(h);
	cJSON_Delete(doc);
	cJSON_Delete(low);
	/* refused whole, with the rule named; nothing half-added */
	static const char *const bad[] = {"ignore", "shrug~x", "ignore~", "ignore~a%2",
					  "ignore~a%00b", "ignore~a,", "round_minutes:0~x",
					  "ignore~a,,ignore~b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		assert_int_equal(parity_rules_decode(bad[i], &back, &e), -1);
		assert_true(strstr(e.msg, "rules") != NULL);
		assert_int_equal(back.n_rules, 2);
	}
	assert_int_equal(parity_rules_decode("", &back, &e), 0);
	assert_int_equal(back.n_rules, 2);
	sb_release(&sb);
	parity_config_free(&back);
	parity_config_free(&cfg);
}

/* Copies entity en into s when its id is in the bisection's differences. */
static void keep_differing(struct entity_set *s, const struct entity *en, const struct bucket_result *br)
{
	struct err e = {{0}};
	for (size_t i = 0; i < br->n; i++)
		if (!strcmp(br->v[i].id, en->id))
			entity_set_add(s, entity_new(en->type, cJSON_Duplicate(en->doc, 1), &e));
}

/* A rule touches every entity (the target upper-cases every service name
 * and rounds every delay): the bisection, hashing after the rules, finds
 * exactly the real differences, reads only those, and gives the full mode's
 * pass rate, sample and counts on the same data. */
static void test_bucketed_after_rules_matches_full(void **state)
{
	(void)state;
	struct entity_set src = {0}, tgt = {0};
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "SERVICE %d", i);
		entity_set_add(&src, service(i, NULL));
		if (i != 7) /* missing */
			entity_set_add(&tgt, service(i, i == 123 ? "CORRUPTED" : name));
	}
	for (int i = 0; i < 400; i++) {
		char id[16];
		snprintf(id, sizeof(id), "PEP%03d", i);
		int delay = 1 + i % 29;
		int rounded = (delay + 2) / 5 * 5;
		entity_set_add(&src, policy(id, delay, "2024-01-01T10:00:00Z"));
		/* PEP011: 12 -> 15 is not what rounding gives (10) */
		entity_set_add(&tgt, policy(id, i == 11 ? 15 : rounded, "2024-01-01T10:00:00Z"));
	}
	struct parity_config cfg;
	parity_config_init(&cfg);
	cfg.sample_size = 40;
	cfg.seed = 99;
	struct err e = {{0}};
	assert_int_equal(parity_config_add_rule(&cfg, "service", "name", "case_insensitive",
						"the target upper-cases names", &e), 0);
	assert_int_equal(parity_config_add_rule(&cfg, "escalation_policy", "/rules/*/delay_minutes",
						"round_minutes:5", "the target rounds delays", &e), 0);
	struct parity_result full;
	assert_int_equal(parity_compare("acme", &src, &tgt, &cfg, NULL, NULL, 1, &full, &e), 0);

	/* bucketed: each side summarised after its rules, as the routes do */
	struct parity_totals tot[ENTITY_TYPE_COUNT];
	memset(tot, 0, sizeof(tot));
	struct entity_set dsrc = {0}, dtgt = {0};
	size_t fetched = 0, found = 0;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		struct bucket_index li = {0}, ri = {0};
		assert_int_equal(parity_bucket_index(&cfg, &src, (enum entity_type)t, PARITY_SOURCE, &li,
						     &tot[t].sample_cut, &tot[t].sample_count, &e), 0);
		assert_int_equal(parity_bucket_index(&cfg, &tgt, (enum entity_type)t, PARITY_TARGET, &ri,
						     NULL, NULL, &e), 0);
		struct bucket_side left, right;
		bucket_side_local(&left, &li);
		bucket_side_local(&right, &ri);
		struct bucket_opts bo = {.fanout = 16, .leaf = 8};
		struct bucket_result br;
		assert_int_equal(bucket_compare(&left, &right, &bo, &br, &e), 0);
		tot[t].source_count = (size_t)br.left_count;
		tot[t].target_count = (size_t)br.right_count;
		fetched += left.items_fetched + right.items_fetched;
		found += br.n;
		for (size_t i = 0; i < src.n; i++)
			if (src.items[i]->type == (enum entity_type)t)
				keep_differing(&dsrc, src.items[i], &br);
		for (size_t i = 0; i < tgt.n; i++)
			if (tgt.items[i]->type == (enum entity_type)t)
				keep_differing(&dtgt, tgt.items[i], &br);
		bucket_result_free(&br);
		bucket_index_free(&li);
		bucket_index_free(&ri);
	}
	assert_int_equal(found, 3);          /* PSVC0007, PSVC0123, PEP011: nothing else */
	assert_int_equal(dsrc.n + dtgt.n, 5); /* only they are read */
	assert_true(fetched < 200);          /* leaves' (id, hash) lists, not 4,799 entities */
	struct parity_result b;
	assert_int_equal(parity_compare_bucketed("acme", &dsrc, &dtgt, tot, &cfg, NULL, NULL, 1, &b, &e), 0);
	assert_int_equal(b.passed, full.passed);
	assert_int_equal(b.evaluated, full.evaluated);
	assert_true(b.pass_rate == full.pass_rate);
	assert_true(b.error_rate == full.error_rate);
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		const struct parity_type_result *x = &full.types[t], *y = &b.types[t];
		assert_int_equal(x->matched, y->matched);
		assert_int_equal(x->changed, y->changed);
		assert_int_equal(x->missing, y->missing);
		assert_int_equal(x->sampled, y->sampled);
		assert_int_equal(x->sampled_ok, y->sampled_ok);
	}
	assert_int_equal(full.types[ENTITY_SERVICE].changed, 1);
	assert_int_equal(full.types[ENTITY_ESCALATION_POLICY].changed, 1);
	assert_int_equal(b.n_mismatches, 3);
	assert_non_null(find(&b, "PEP011"));
	assert_non_null(strstr(find(&b, "PEP011")->diff, "-> 15"));
	assert_int_equal(full.types[ENTITY_SERVICE].sampled, 40);
	parity_result_free(&b);
	parity_result_free(&full);
	parity_config_free(&cfg);
	entity_set_free(&dsrc);
	entity_set_free(&dtgt);
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
	/* the sample: 25 of the source's ids, two of them among those read */
	tot[ENTITY_SERVICE].sample_cut = UINT64_MAX - 1;
	tot[ENTITY_SERVICE].sample_count = 25;
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
	assert_int_equal(tr->sampled, 25 - 1); /* PSVC0007 is missing: not sampled */
	assert_int_equal(tr->sampled_ok, 23);
	assert_string_equal(tr->source_digest, "aa");
	assert_string_equal(tr->target_digest, "bb");
	assert_int_equal(r.types[ENTITY_TEAM].matched, 40);
	assert_int_equal(r.n_mismatches, 2);
	assert_non_null(find(&r, "PSVC0123"));
	assert_non_null(strstr(find(&r, "PSVC0123")->diff, "\"corrupted\"")); /* after the rule */
	assert_null(find(&r, "PSVC0050"));
	/* service: count (fails) + 3 read + 24 sampled + 297 unread; team: count + 40;
	 * the five empty types: a count each */
	assert_int_equal(r.evaluated, 1 + 3 + 24 + 297 + 1 + 40 + 5);
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
		cmocka_unit_test(test_value_rule_is_one_sided),
		cmocka_unit_test(test_rules_wire),
		cmocka_unit_test(test_bucketed_after_rules_matches_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
