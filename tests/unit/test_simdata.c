/* Unit tests for simdata: the same seed gives the same bytes, another seed
 * other data, counts follow --entities, account ids are padded as documented,
 * and every reference between entities lands on an entity that exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/simdata.h"

static struct simdata *make(uint64_t seed, unsigned accounts, unsigned entities)
{
	struct simdata_config c = {seed, accounts, entities};
	struct err e = {{0}};
	struct simdata *d = simdata_new(&c, &e);
	assert_non_null(d);
	return d;
}

/* Every entity of the first `accounts` accounts, as canonical JSON text. */
static char *dump(const struct simdata *d, unsigned accounts)
{
	struct strbuf sb = {0};
	for (unsigned a = 0; a < accounts; a++) {
		char name[64];
		simdata_account_name(d, a, name, sizeof(name));
		sb_addf(&sb, "%s %s\n", name, simdata_account_source(d, a));
		for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
			size_t n = simdata_count(d, a, (enum simdata_kind)k);
			for (size_t i = 0; i < n; i++) {
				struct simdata_entity e;
				assert_int_equal(simdata_entity(d, a, (enum simdata_kind)k, i, &e), 0);
				cJSON *j = simdata_entity_json(&e);
				char *text = cJSON_PrintUnformatted(j);
				sb_adds(&sb, text);
				sb_addc(&sb, '\n');
				free(text);
				cJSON_Delete(j);
			}
		}
	}
	return sb_detach(&sb);
}

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	struct simdata *a = make(42, 5, 0), *b = make(42, 5, 0), *c = make(43, 5, 0);
	char *da = dump(a, 5), *db = dump(b, 5), *dc = dump(c, 5);
	assert_true(strlen(da) > 1000);
	assert_string_equal(da, db);
	assert_string_not_equal(da, dc);
	/* the first service of the first account differs in id between seeds */
	struct simdata_entity ea, ec;
	assert_int_equal(simdata_entity(a, 0, SIMDATA_SERVICES, 0, &ea), 0);
	assert_int_equal(simdata_entity(c, 0, SIMDATA_SERVICES, 0, &ec), 0);
	assert_string_not_equal(ea.id, ec.id);
	/* a bigger fleet keeps the first accounts' data as it was */
	struct simdata *big = make(42, 50, 0);
	char *dbig = dump(big, 5);
	assert_string_equal(da, dbig);
	free(da), free(db), free(dc), free(dbig);
	simdata_free(a), simdata_free(b), simdata_free(c), simdata_free(big);
}

static size_t account_total(const struct simdata *d, unsigned a)
{
	size_t total = 0;
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
		size_t n = simdata_count(d, a, (enum simdata_kind)k);
		assert_true(n >= 1);
		total += n;
	}
	return total;
}

static void test_counts_follow_entities(void **state)
{
	(void)state;
	struct simdata *dflt = make(7, 20, 0);
	size_t lo = (size_t)-1, hi = 0;
	for (unsigned a = 0; a < 20; a++) {
		size_t t = account_total(dflt, a);
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
		assert_in_range(t, 36, 125);
	}
	assert_true(hi > lo); /* counts vary per account */
	simdata_free(dflt);

	const unsigned sizes[] = {100, 1000, 20000};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct simdata *d = make(7, 3, sizes[s]);
		for (unsigned a = 0; a < 3; a++) {
			size_t t = account_total(d, a);
			assert_in_range(t, sizes[s] - SIMDATA_KIND_COUNT, sizes[s] + SIMDATA_KIND_COUNT);
		}
		/* the last entity exists, one past it does not */
		struct simdata_entity e;
		size_t n = simdata_count(d, 2, SIMDATA_INCIDENTS);
		assert_int_equal(simdata_entity(d, 2, SIMDATA_INCIDENTS, n - 1, &e), 0);
		assert_int_equal(e.incident.number, (int)n);
		assert_int_equal(simdata_entity(d, 2, SIMDATA_INCIDENTS, n, &e), -1);
		assert_int_equal(simdata_count(d, 3, SIMDATA_INCIDENTS), 0);
		simdata_free(d);
	}
}

static void test_bad_config(void **state)
{
	(void)state;
	struct err e = {{0}};
	struct simdata_config zero = {1, 0, 0};
	assert_null(simdata_new(&zero, &e));
	assert_non_null(strstr(e.msg, "accounts"));
	struct err e2 = {{0}};
	struct simdata_config huge = {1, 3, SIMDATA_MAX_ENTITIES + 1};
	assert_null(simdata_new(&huge, &e2));
	assert_non_null(strstr(e2.msg, "entities"));
}

static void test_account_ids(void **state)
{
	(void)state;
	char id[16];
	struct simdata *d = make(1, 12, 0);
	simdata_account_id(d, 0, id, sizeof(id));
	assert_string_equal(id, "acct-001");
	simdata_account_id(d, 11, id, sizeof(id));
	assert_string_equal(id, "acct-012");
	assert_int_equal(simdata_account_find(d, "acct-012"), 11);
	assert_int_equal(simdata_account_find(d, "acct-013"), -1);
	assert_int_equal(simdata_account_find(d, "acct-000"), -1);
	assert_int_equal(simdata_account_find(d, "acct-01"), -1);
	assert_int_equal(simdata_account_find(d, "acct-0x1"), -1);
	assert_int_equal(simdata_account_find(d, "tenant-1"), -1);
	simdata_free(d);

	d = make(1, 1200, 1);
	simdata_account_id(d, 0, id, sizeof(id));
	assert_string_equal(id, "acct-0001");
	simdata_account_id(d, 1199, id, sizeof(id));
	assert_string_equal(id, "acct-1200");
	assert_int_equal(simdata_account_find(d, "acct-0999"), 998);
	assert_int_equal(simdata_account_find(d, "acct-999"), -1);
	simdata_free(d);
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
		enum simdata_kind back;
		assert_int_equal(simdata_kind_parse(simdata_kind_name((enum simdata_kind)k), &back), 0);
		assert_int_equal(back, k);
		assert_true(strlen(simdata_kind_singular((enum simdata_kind)k)) <
			    strlen(simdata_kind_name((enum simdata_kind)k)));
	}
	enum simdata_kind k;
	assert_int_equal(simdata_kind_parse("widgets", &k), -1);
	assert_int_equal(simdata_kind_parse("service", &k), -1);
}

static void assert_resolves(const struct simdata *d, unsigned a, enum simdata_kind kind, const char *id)
{
	struct simdata_entity e;
	if (simdata_entity_find(d, a, kind, id, &e) != 0)
		fail_msg("account %u: %s '%s' does not exist", a, simdata_kind_singular(kind), id);
	assert_string_equal(e.id, id);
}

/* Every id is unique within its account and kind, looks like the kind's,
 * and every reference names an entity of the right kind in the account. */
static void test_references_resolve(void **state)
{
	(void)state;
	struct simdata *d = make(99, 4, 0);
	for (unsigned a = 0; a < 4; a++) {
		for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
			size_t n = simdata_count(d, a, (enum simdata_kind)k);
			char(*ids)[SIMDATA_ID_MAX] = calloc(n, SIMDATA_ID_MAX);
			assert_non_null(ids);
			for (size_t i = 0; i < n; i++) {
				struct simdata_entity e;
				assert_int_equal(simdata_entity(d, a, (enum simdata_kind)k, i, &e), 0);
				assert_int_equal(strlen(e.id), 10);
				assert_int_equal(e.id[0], 'P');
				assert_true(e.name[0] != '\0');
				for (size_t j = 0; j < i; j++)
					assert_string_not_equal(ids[j], e.id);
				memcpy(ids[i], e.id, SIMDATA_ID_MAX);
				switch (e.kind) {
				case SIMDATA_SERVICES:
					assert_resolves(d, a, SIMDATA_ESCALATION_POLICIES, e.service.escalation_policy);
					assert_resolves(d, a, SIMDATA_TEAMS, e.service.team);
					break;
				case SIMDATA_TEAMS:
					for (size_t m = 0; m < e.team.nmembers; m++)
						assert_resolves(d, a, SIMDATA_USERS, e.team.members[m]);
					break;
				case SIMDATA_USERS:
					assert_non_null(strchr(e.user.email, '@'));
					assert_resolves(d, a, SIMDATA_TEAMS, e.user.team);
					break;
				case SIMDATA_SCHEDULES:
					assert_in_range(e.schedule.nlayers, 1, SIMDATA_LAYERS_MAX);
					for (size_t l = 0; l < e.schedule.nlayers; l++) {
						assert_true(e.schedule.layers[l].nusers >= 1);
						assert_true(e.schedule.layers[l].turn_length_s >= 86400);
						for (size_t u = 0; u < e.schedule.layers[l].nusers; u++)
							assert_resolves(d, a, SIMDATA_USERS, e.schedule.layers[l].users[u]);
					}
					break;
				case SIMDATA_ESCALATION_POLICIES:
					assert_in_range(e.escalation_policy.nrules, 1, SIMDATA_RULES_MAX);
					for (size_t r = 0; r < e.escalation_policy.nrules; r++) {
						const struct simdata_rule *rule = &e.escalation_policy.rules[r];
						assert_true(rule->delay_min > 0);
						assert_resolves(d, a,
								strcmp(rule->target_type, "user") == 0 ? SIMDATA_USERS
													 : SIMDATA_SCHEDULES,
								rule->target);
					}
					break;
				case SIMDATA_INTEGRATIONS:
					assert_int_equal(strlen(e.integration.key), 32);
					assert_resolves(d, a, SIMDATA_SERVICES, e.integration.service);
					break;
				case SIMDATA_INCIDENTS:
					assert_int_equal(e.incident.number, (int)i + 1);
					if (strcmp(e.incident.status, "resolved") == 0)
						assert_true(e.incident.resolved_at_ms > e.created_at_ms);
					else
						assert_int_equal(e.incident.resolved_at_ms, 0);
					assert_resolves(d, a, SIMDATA_SERVICES, e.incident.service);
					assert_resolves(d, a, SIMDATA_ESCALATION_POLICIES, e.incident.escalation_policy);
					assert_resolves(d, a, SIMDATA_USERS, e.incident.assignee);
					break;
				case SIMDATA_KIND_COUNT:
					fail();
				}
			}
			free(ids);
		}
	}
	struct simdata_entity e;
	assert_int_equal(simdata_entity_find(d, 0, SIMDATA_SERVICES, "PSNOTANID", &e), -1);
	simdata_free(d);
}

/* Ids decode back to their entity, in their own account and kind only. */
static void test_find_by_id(void **state)
{
	(void)state;
	struct simdata *d = make(11, 3, 200000);
	struct simdata_entity e, found;
	size_t n = simdata_count(d, 2, SIMDATA_USERS);
	const size_t probes[] = {0, 1, n / 2, n - 1};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		assert_int_equal(simdata_entity(d, 2, SIMDATA_USERS, probes[i], &e), 0);
		assert_int_equal(simdata_entity_find(d, 2, SIMDATA_USERS, e.id, &found), 0);
		assert_int_equal(found.index, probes[i]);
		assert_string_equal(found.id, e.id);
		assert_int_equal(simdata_entity_find(d, 1, SIMDATA_USERS, e.id, &found), -1);
		assert_int_equal(simdata_entity_find(d, 2, SIMDATA_TEAMS, e.id, &found), -1);
		char lower[SIMDATA_ID_MAX];
		memcpy(lower, e.id, sizeof(lower));
		for (char *p = lower + 2; *p; p++)
			*p = (char)(*p | 0x20);
		if (strcmp(lower, e.id) != 0)
			assert_int_equal(simdata_entity_find(d, 2, SIMDATA_USERS, lower, &found), -1);
	}
	/* an id one past the last entity decodes, but names nothing */
	struct simdata *bigger = make(11, 3, 400000);
	assert_int_equal(simdata_entity(bigger, 2, SIMDATA_USERS, n + 10, &e), 0);
	assert_int_equal(simdata_entity_find(d, 2, SIMDATA_USERS, e.id, &found), -1);
	assert_int_equal(simdata_entity_find(d, 2, SIMDATA_USERS, "", &found), -1);
	assert_int_equal(simdata_entity_find(d, 2, SIMDATA_USERS, "PU00000000000", &found), -1);
	simdata_free(bigger);
	simdata_free(d);
}

/* The canonical JSON carries the fields the source renderers rely on. */
static void test_entity_json(void **state)
{
	(void)state;
	struct simdata *d = make(5, 2, 0);
	struct simdata_entity e;
	assert_int_equal(simdata_entity(d, 1, SIMDATA_INCIDENTS, 0, &e), 0);
	cJSON *j = simdata_entity_json(&e);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")), e.id);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), "incident");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "title")), e.name);
	assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "number")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "service_id")), e.incident.service);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "created_at")));
	cJSON_Delete(j);
	assert_int_equal(simdata_entity(d, 1, SIMDATA_SCHEDULES, 0, &e), 0);
	j = simdata_entity_json(&e);
	cJSON *layers = cJSON_GetObjectItem(j, "layers");
	assert_int_equal(cJSON_GetArraySize(layers), (int)e.schedule.nlayers);
	cJSON *l0 = cJSON_GetArrayItem(layers, 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(l0, "handoff_time")),
			    e.schedule.layers[0].handoff);
	cJSON_Delete(j);
	simdata_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_counts_follow_entities),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_account_ids),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_references_resolve),
		cmocka_unit_test(test_find_by_id),
		cmocka_unit_test(test_entity_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
