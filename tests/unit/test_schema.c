/* Unit tests for schema: a small format described as a table (the way a
 * theme or the plan is), loaded through the generic walk: every type, its
 * defaults, enums with suggestions, required and id fields, references,
 * unknown keys, hooks, and wrong types at every level with their line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "data/diag_expect.h"
#include "warroom/schema.h"
#include "warroom/util.h"
#include "warroom/yaml.h"

enum { K_NONE, K_ITEM, K_OTHER };

struct t_inner {
	struct schema_pos pos;
	char *label;
	int64_t size;
};

struct t_item {
	struct schema_pos pos;
	char *id;
	char *uses;
};

struct t_doc {
	struct schema_pos pos;
	char *name;
	int64_t count;
	int flag;
	double ratio;
	int colour;
	char *when;
	int64_t wait_ms;
	double share;
	char **tags;
	size_t n_tags;
	int64_t *codes;
	size_t n_codes;
	struct t_inner *inner;
	struct t_inner box;
	struct t_item *items;
	size_t n_items;
	struct schema_kv *env;
	size_t n_env;
	char *shout;
};

static const char *const colours[] = {NULL, "red", "green", "blue"};

static void check_shout(struct schema_ctx *ctx, const struct node *n, const char *s)
{
	for (const char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z') {
			schema_error(ctx, n, "'%s' must be upper case", s);
			return;
		}
}

static int finished;
static void finish_doc(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	(void)ctx;
	(void)n;
	(void)obj;
	finished++;
}

#define T struct t_inner
static const struct schema_field inner_f[] = {
	{.key = "label", .type = SCHEMA_STR, .offset = offsetof(T, label), .flags = SCHEMA_REQUIRED},
	{.key = "size", .type = SCHEMA_INT, .offset = offsetof(T, size), .def = 7},
};
#undef T
static const struct schema_obj inner_o = {"inner", sizeof(struct t_inner), inner_f,
					  ARRAY_SIZE(inner_f), NULL};

#define T struct t_item
static const struct schema_field item_f[] = {
	{.key = "id", .type = SCHEMA_STR, .offset = offsetof(T, id), .flags = SCHEMA_ID, .ref = K_ITEM},
	{.key = "uses", .type = SCHEMA_STR, .offset = offsetof(T, uses), .ref = K_ITEM},
};
#undef T
static const struct schema_obj item_o = {"item", sizeof(struct t_item), item_f,
					 ARRAY_SIZE(item_f), NULL};

#define T struct t_doc
static const struct schema_field doc_f[] = {
	{.key = "name", .type = SCHEMA_STR, .offset = offsetof(T, name), .flags = SCHEMA_REQUIRED},
	{.key = "count", .type = SCHEMA_INT, .offset = offsetof(T, count), .def = -1},
	{.key = "flag", .type = SCHEMA_BOOL, .offset = offsetof(T, flag), .def = -1},
	{.key = "ratio", .type = SCHEMA_NUM, .offset = offsetof(T, ratio), .def_num = 0.25},
	{.key = "colour", .type = SCHEMA_ENUM, .offset = offsetof(T, colour), .enums = colours,
	 .n_enums = ARRAY_SIZE(colours)},
	{.key = "when", .type = SCHEMA_DATETIME, .offset = offsetof(T, when)},
	{.key = "wait", .type = SCHEMA_DURATION, .offset = offsetof(T, wait_ms), .def = 1000},
	{.key = "share", .type = SCHEMA_PERCENT, .offset = offsetof(T, share), .def_num = -1},
	{.key = "tags", .type = SCHEMA_STR_LIST, .offset = offsetof(T, tags),
	 .count_offset = offsetof(T, n_tags)},
	{.key = "codes", .type = SCHEMA_INT_LIST, .offset = offsetof(T, codes),
	 .count_offset = offsetof(T, n_codes)},
	{.key = "inner", .type = SCHEMA_OBJ, .offset = offsetof(T, inner), .child = &inner_o},
	{.key = "box", .type = SCHEMA_OBJ, .offset = offsetof(T, box), .child = &inner_o,
	 .flags = SCHEMA_INLINE},
	{.key = "items", .type = SCHEMA_LIST, .offset = offsetof(T, items), .child = &item_o,
	 .count_offset = offsetof(T, n_items)},
	{.key = "env", .type = SCHEMA_MAP_STR, .offset = offsetof(T, env),
	 .count_offset = offsetof(T, n_env)},
	{.key = "shout", .type = SCHEMA_STR, .offset = offsetof(T, shout), .check = check_shout},
};
#undef T
static const struct schema_obj doc_o = {"the doc", sizeof(struct t_doc), doc_f, ARRAY_SIZE(doc_f),
					finish_doc};

/* One load: the tree and the loaded values share the arena. */
struct loaded {
	struct arena *arena;
	struct diags d;
	struct schema_ctx ctx;
	struct t_doc doc;
	size_t errors;
};

static void load(struct loaded *l, const char *text)
{
	*l = (struct loaded){.arena = arena_new()};
	struct node_doc nd = {.arena = l->arena};
	assert_int_equal(yaml_doc_parse("s.yaml", text, strlen(text), NULL, &nd, &l->d), 0);
	schema_ctx_init(&l->ctx, &l->d, l->arena);
	l->errors = schema_load(&l->ctx, "s.yaml", &doc_o, nd.root, &l->doc);
}

static void unload(struct loaded *l)
{
	schema_ctx_release(&l->ctx);
	arena_free(l->arena);
	diags_free(&l->d);
}

static void test_every_type(void **state)
{
	(void)state;
	struct loaded l;
	finished = 0;
	load(&l,
	     "name: demo\ncount: 42\nflag: yes\nratio: 1.5\ncolour: green\n"
	     "when: 2026-11-23T10:00:00Z\nwait: 1h30m\nshare: \"0.5%\"\ntags: [a, b]\n"
	     "codes: [200, 409]\ninner: {label: x}\nbox: {label: y, size: 3}\n"
	     "items: [{id: one}, {id: two, uses: one}]\nenv: {A: \"1\", B: two}\nshout: LOUD\n");
	assert_int_equal(l.errors, 0);
	assert_int_equal(l.d.n, 0);
	struct t_doc *t = &l.doc;
	assert_string_equal(t->name, "demo");
	assert_int_equal(t->count, 42);
	assert_int_equal(t->flag, 1);
	assert_true(t->ratio == 1.5);
	assert_int_equal(t->colour, 2);
	assert_string_equal(t->when, "2026-11-23T10:00:00Z");
	assert_int_equal(t->wait_ms, 5400000);
	assert_true(t->share > 0.00499 && t->share < 0.00501);
	assert_int_equal(t->n_tags, 2);
	assert_string_equal(t->tags[1], "b");
	assert_int_equal(t->n_codes, 2);
	assert_int_equal(t->codes[1], 409);
	assert_non_null(t->inner);
	assert_string_equal(t->inner->label, "x");
	assert_int_equal(t->inner->size, 7);
	assert_int_equal(t->inner->pos.line, 11);
	assert_int_equal(t->inner->pos.col, 8);
	assert_string_equal(t->box.label, "y");
	assert_int_equal(t->box.size, 3);
	assert_int_equal(t->n_items, 2);
	assert_string_equal(t->items[1].uses, "one");
	assert_int_equal(t->n_env, 2);
	assert_string_equal(t->env[0].key, "A");
	assert_string_equal(t->env[1].value, "two");
	assert_int_equal(t->pos.line, 1);
	assert_int_equal(finished, 1);
	assert_true(schema_defined(&l.ctx, K_ITEM, "two"));
	assert_false(schema_defined(&l.ctx, K_OTHER, "two"));
	assert_int_equal(schema_count_defs(&l.ctx, K_ITEM), 2);
	schema_check_refs(&l.ctx, K_ITEM, 1u << K_ITEM, "item");
	assert_int_equal(l.d.errors, 0);
	unload(&l);
}

static void test_defaults_and_null(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "name: n\ncount:\ninner: ~\n");
	assert_int_equal(l.errors, 0);
	assert_int_equal(l.doc.count, -1);
	assert_int_equal(l.doc.flag, -1);
	assert_true(l.doc.ratio == 0.25);
	assert_int_equal(l.doc.colour, 0);
	assert_int_equal(l.doc.wait_ms, 1000);
	assert_true(l.doc.share == -1);
	assert_null(l.doc.inner);
	assert_null(l.doc.tags);
	assert_int_equal(l.doc.n_tags, 0);
	assert_int_equal(l.doc.box.size, 0); /* an absent inline object stays zeroed */
	unload(&l);
}

static void test_scalar_errors(void **state)
{
	(void)state;
	struct loaded l;
	load(&l,
	     "name: n\ncount: many\nflag: maybe\nratio: 1.5x\ncolour: gren\nwhen: 2026-02-30\n"
	     "wait: 5 minutes\nshare: \"half\"\ncodes: [200, x]\nshout: quiet\n");
	assert_int_equal(l.errors, 9);
	assert_diag(&l.d, "s.yaml:2:8: error: 'count' must be an integer, not 'many'");
	assert_diag(&l.d, "s.yaml:3:7: error: 'flag' must be true or false, not 'maybe'");
	assert_diag(&l.d, "s.yaml:4:8: error: 'ratio' must be a number, not '1.5x'");
	assert_diag(&l.d, "s.yaml:5:9: error: 'gren' is not a valid colour (did you mean 'green'? "
			  "one of: red, green, blue)");
	assert_diag(&l.d, "s.yaml:6:7: error: 'when' must be an ISO 8601 date or time");
	assert_diag(&l.d, "s.yaml:7:7: error: 'wait' must be a duration (500ms, 30s, 5m, 2h), "
			  "not '5 minutes'");
	assert_diag(&l.d, "s.yaml:8:8: error: 'share' must be a percentage such as \"0.5%\", "
			  "not 'half'");
	assert_diag(&l.d, "s.yaml:9:14: error: items of 'codes' must be integers");
	assert_diag(&l.d, "s.yaml:10:8: error: 'quiet' must be upper case");
	unload(&l);
}

static void test_wrong_kinds_at_every_level(void **state)
{
	(void)state;
	struct loaded l;
	load(&l,
	     "name: [n]\ntags: a\ninner: [1]\nbox: x\nitems:\n  - [1]\n  - {id: {a: 1}}\n"
	     "env: [a]\ntags2: 1\n");
	assert_diag(&l.d, "s.yaml:1:7: error: 'name' must be a string, not a list");
	assert_diag(&l.d, "s.yaml:2:7: error: 'tags' must be a list of strings, not a scalar");
	assert_diag(&l.d, "s.yaml:3:8: error: 'inner' must be a mapping, not a list");
	assert_diag(&l.d, "s.yaml:4:6: error: 'box' must be a mapping, not a scalar");
	assert_diag(&l.d, "s.yaml:6:5: error: item must be a mapping, not a list");
	assert_diag(&l.d, "s.yaml:7:10: error: 'id' must be a string, not a mapping");
	assert_diag(&l.d, "s.yaml:8:6: error: 'env' must be a mapping of strings, not a list");
	assert_diag(&l.d, "s.yaml:9:1: warning: unknown key 'tags2' in the doc (did you mean 'tags'?)");
	/* The root itself of the wrong kind. */
	unload(&l);
	load(&l, "- a\n- b\n");
	assert_int_equal(l.errors, 1);
	assert_diag(&l.d, "s.yaml:1:1: error: the doc must be a mapping, not a list");
	unload(&l);
	load(&l, "tags: [[a]]\nenv: {A: [1]}\n");
	assert_diag(&l.d, "s.yaml:1:8: error: items of 'tags' must be strings, not a list");
	assert_diag(&l.d, "s.yaml:2:10: error: values of 'env' must be strings, not a list");
	assert_diag(&l.d, "s.yaml:1:1: error: the doc is missing 'name'");
	unload(&l);
}

static void test_required_ids_refs(void **state)
{
	(void)state;
	struct loaded l;
	load(&l,
	     "name: n\ninner: {size: 1}\nitems:\n  - {id: alpha}\n  - {uses: alpa}\n"
	     "  - {id: alpha}\n  - {id: beta, uses: gamma}\n");
	assert_diag(&l.d, "s.yaml:2:8: error: inner is missing 'label'");
	assert_diag(&l.d, "s.yaml:5:5: error: item is missing 'id'");
	assert_diag(&l.d, "s.yaml:6:10: error: duplicate id 'alpha' (first at line 4)");
	schema_check_refs(&l.ctx, K_ITEM, 1u << K_ITEM, "item");
	assert_diag(&l.d, "s.yaml:5:12: error: unknown item 'alpa' (did you mean 'alpha'?)");
	assert_diag(&l.d, "s.yaml:7:22: error: unknown item 'gamma'");
	assert_int_equal(l.d.errors, 5);
	unload(&l);
}

static void test_cross_file_duplicates(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "name: n\nitems: [{id: a}]\n");
	struct node_doc nd = {.arena = l.arena};
	const char *second = "name: m\nitems: [{id: a}]\n";
	assert_int_equal(yaml_doc_parse("t.yaml", second, strlen(second), NULL, &nd, &l.d), 0);
	struct t_doc other = {0};
	assert_int_equal(schema_load(&l.ctx, "t.yaml", &doc_o, nd.root, &other), 1);
	assert_diag(&l.d, "t.yaml:2:14: error: duplicate id 'a' (first at s.yaml:2)");
	unload(&l);
}

static void test_datetimes(void **state)
{
	(void)state;
	static const char *const good[] = {
		"2026-11-23", "2024-02-29", "2026-11-23T10:00", "2026-11-23 10:00:00",
		"2026-11-23T10:00:00.123Z", "2026-11-23T10:00:00+02:00", "2026-11-23T10:00:00-0130",
	};
	static const char *const bad[] = {
		"2026-13-01", "2025-02-29", "2026-11-23T24:00", "2026-11-23T10:00:00Zjunk",
		"23/11/2026", "2026-11-23T10", "2026-11-23T10:00:00.Z", "2026-1-1",
	};
	for (size_t i = 0; i < ARRAY_SIZE(good) + ARRAY_SIZE(bad); i++) {
		bool ok = i < ARRAY_SIZE(good);
		const char *v = ok ? good[i] : bad[i - ARRAY_SIZE(good)];
		char *text = xasprintf("name: n\nwhen: \"%s\"\n", v);
		struct loaded l;
		load(&l, text);
		if ((l.errors == 0) != ok)
			fail_msg("datetime '%s' should be %s", v, ok ? "accepted" : "refused");
		unload(&l);
		free(text);
	}
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const known[] = {"approvers", "approval_required", "criteria"};
	assert_string_equal(schema_suggest("aprovers", known, 3), "approvers");
	assert_string_equal(schema_suggest("critera", known, 3), "criteria");
	assert_null(schema_suggest("zzz", known, 3));
	assert_null(schema_suggest("x", known, 0));
}

/* An alias stands for its anchor wherever a typed value is wanted, and
 * keeps its own place for messages. */
static void test_aliases_load(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "name: n\ninner: &in {label: x, size: 2}\nbox: *in\ntags: &t [a, b]\nshout: *t\n");
	assert_string_equal(l.doc.box.label, "x");
	assert_int_equal(l.doc.box.size, 2);
	assert_int_equal(l.doc.box.pos.line, 3);
	assert_int_equal(l.errors, 1);
	assert_diag(&l.d, "s.yaml:5:8: error: 'shout' must be a string, not a list");
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_defaults_and_null),
		cmocka_unit_test(test_scalar_errors),
		cmocka_unit_test(test_wrong_kinds_at_every_level),
		cmocka_unit_test(test_required_ids_refs),
		cmocka_unit_test(test_cross_file_duplicates),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_aliases_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
