/* Unit tests for entity: type names, the shape table, verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/entity.h"

static void test_type_names(void **state)
{
	(void)state;
	enum entity_type t;
	struct err e = {{0}};
	for (int i = 0; i < ENTITY_TYPE_COUNT; i++) {
		assert_int_equal(entity_type_parse(entity_type_name((enum entity_type)i), &t, &e), 0);
		assert_int_equal(t, i);
		assert_int_equal(entity_type_parse(entity_type_plural((enum entity_type)i), &t, &e), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(entity_type_parse("widgets", &t, &e), -1);
	assert_non_null(strstr(e.msg, "unknown entity type 'widgets'"));
	/* every type has an id row in the shape table */
	for (int i = 0; i < ENTITY_TYPE_COUNT; i++) {
		int has_id = 0;
		for (size_t k = 0; k < ENTITY_FIELDS_COUNT; k++)
			has_id |= ENTITY_FIELDS[k].type == (enum entity_type)i &&
				  !strcmp(ENTITY_FIELDS[k].name, "id");
		assert_true(has_id);
	}
}

static void test_validate(void **state)
{
	(void)state;
	struct err e = {{0}};
	assert_null(entity_new(ENTITY_USER, cJSON_Parse("{\"name\":\"x\"}"), &e));
	assert_non_null(strstr(e.msg, "no string \"id\""));
	assert_null(entity_new(ENTITY_USER, cJSON_Parse("{\"id\":7}"), &e));
	struct entity *u = entity_new(ENTITY_USER,
		cJSON_Parse("{\"id\":\"PU1\",\"name\":\"Ann\",\"email\":\"a@x\",\"role\":\"admin\","
			    "\"time_zone\":null}"), &e);
	assert_non_null(u);
	assert_int_equal(entity_validate(u, &e), 0);
	cJSON_ReplaceItemInObject(u->doc, "role", cJSON_CreateString("wizard"));
	assert_int_equal(entity_validate(u, &e), -1);
	assert_non_null(strstr(e.msg, "user PU1: role"));
	cJSON_DeleteItemFromObject(u->doc, "email");
	assert_int_equal(entity_validate(u, &e), -1);
	assert_non_null(strstr(e.msg, "missing field \"email\""));
	entity_set_provenance(u, "pagerduty", "PU1", "http://x/users/PU1", 42);
	assert_string_equal(u->prov.system, "pagerduty");
	struct entity_set s = {0};
	entity_set_add(&s, u);
	assert_int_equal(entity_set_count(&s, ENTITY_USER), 1);
	assert_int_equal(entity_set_count(&s, ENTITY_TEAM), 0);
	assert_ptr_equal(entity_set_find(&s, ENTITY_USER, "PU1"), u);
	assert_null(entity_set_find(&s, ENTITY_TEAM, "PU1"));
	entity_set_free(&s);
}

static void test_verdicts(void **state)
{
	(void)state;
	struct verdict_list l = {0};
	verdict_add(&l, VERDICT_IMPORT, ENTITY_SERVICE, "PS1", "Checkout", NULL, NULL);
	verdict_add(&l, VERDICT_IMPORT_CHANGED, ENTITY_ESCALATION_POLICY, "PE1", NULL,
		    "delay 4m rounded to 5m", "the target rounds delays to 5 minutes");
	verdict_add(&l, VERDICT_SKIP, ENTITY_INTEGRATION, "PI1", "Legacy hook", NULL,
		    "deprecated integration");
	cJSON *j = verdict_list_json(&l);
	char *text = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(text, "\"kind\":\"import_changed\",\"entity\":\"escalation_policy\""));
	assert_non_null(strstr(text, "\"reason\":\"deprecated integration\""));
	assert_string_equal(verdict_kind_label(VERDICT_SKIP), "will not import");
	cJSON_free(text);
	cJSON_Delete(j);
	verdict_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_verdicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
