/* Unit tests for yaml and node: the tree with its places, quoting, aliases,
 * and every kind of hostile or broken input rejected with its line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "data/diag_expect.h"
#include "warroom/node.h"
#include "warroom/util.h"
#include "warroom/yaml.h"

/* Parses text; on success the caller frees doc. Returns yaml_doc_parse's rc. */
static int parse(const char *text, struct node_doc *doc, struct diags *d)
{
	*doc = (struct node_doc){0};
	return yaml_doc_parse("t.yaml", text, strlen(text), NULL, doc, d);
}

/* Expects text to be refused with exactly one error, `want`. */
static void expect_refused(const char *text, const struct yaml_limits *lim, const char *want)
{
	struct diags d = {0};
	struct node_doc doc = {0};
	int rc = yaml_doc_parse("t.yaml", text, strlen(text), lim, &doc, &d);
	assert_int_equal(rc, -1);
	assert_null(doc.root);
	assert_null(doc.arena);
	assert_diag(&d, want);
	assert_int_equal(d.errors, 1);
	diags_free(&d);
}

static void test_tree_and_places(void **state)
{
	(void)state;
	struct diags d = {0};
	struct node_doc doc;
	assert_int_equal(parse("a: 1\nb:\n  - x\n  - 'y'\nc: {k: v}\nd:\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	const struct node *r = doc.root;
	assert_int_equal(r->kind, NODE_MAP);
	assert_int_equal(r->n, 4);
	assert_string_equal(doc.file, "t.yaml");
	const struct node *b = node_get(r, "b");
	assert_non_null(b);
	assert_int_equal(b->kind, NODE_SEQ);
	assert_int_equal(b->n, 2);
	assert_int_equal(b->u.items[0]->line, 3);
	assert_int_equal(b->u.items[0]->col, 5);
	assert_false(b->u.items[0]->quoted);
	assert_true(b->u.items[1]->quoted);
	assert_string_equal(b->u.items[1]->u.str, "y");
	const struct node *c = node_get(r, "c");
	assert_int_equal(c->kind, NODE_MAP);
	assert_string_equal(node_get(c, "k")->u.str, "v");
	assert_int_equal(node_get(c, "k")->line, 5);
	assert_int_equal(node_get(c, "k")->col, 8);
	assert_true(node_is_null(node_get(r, "d")));
	assert_false(node_is_null(node_get(r, "a")));
	assert_null(node_get(r, "missing"));
	assert_null(node_get(b, "a")); /* not a mapping */
	assert_int_equal(r->weight, 1 + 2 * 4 + 2 + 2);
	assert_string_equal(node_kind_article(NODE_SEQ), "a list");
	node_doc_free(&doc);
	assert_null(doc.root);
	diags_free(&d);
}

static void test_quoted_null_is_a_string(void **state)
{
	(void)state;
	struct diags d = {0};
	struct node_doc doc;
	assert_int_equal(parse("a: \"\"\nb: ~\nc: !!str null\nd: |\n  text\n", &doc, &d), 0);
	assert_false(node_is_null(node_get(doc.root, "a")));
	assert_true(node_is_null(node_get(doc.root, "b")));
	assert_false(node_is_null(node_get(doc.root, "c")));
	assert_string_equal(node_get(doc.root, "d")->u.str, "text\n");
	assert_true(node_get(doc.root, "d")->quoted);
	node_doc_free(&doc);
	diags_free(&d);
}

static void test_empty_document(void **state)
{
	(void)state;
	struct diags d = {0};
	struct node_doc doc;
	assert_int_equal(parse("# only a comment\n", &doc, &d), 0);
	assert_null(doc.root);
	assert_int_equal(d.n, 0);
	node_doc_free(&doc);
	/* Empty collections before any other node: nothing pending yet. */
	assert_int_equal(parse("[]\n", &doc, &d), 0);
	assert_int_equal(doc.root->kind, NODE_SEQ);
	assert_int_equal(doc.root->n, 0);
	node_doc_free(&doc);
	assert_int_equal(parse("{}\n", &doc, &d), 0);
	assert_int_equal(doc.root->kind, NODE_MAP);
	assert_int_equal(doc.root->n, 0);
	node_doc_free(&doc);
	diags_free(&d);
}

static void test_aliases_share_and_keep_place(void **state)
{
	(void)state;
	struct diags d = {0};
	struct node_doc doc;
	assert_int_equal(parse("base: &b {x: 1, y: 2}\ncopy: *b\n", &doc, &d), 0);
	const struct node *copy = node_get(doc.root, "copy");
	assert_true(copy->alias);
	assert_int_equal(copy->line, 2);
	assert_int_equal(copy->col, 7);
	assert_string_equal(node_get(copy, "y")->u.str, "2");
	assert_ptr_equal(copy->u.pairs, node_get(doc.root, "base")->u.pairs);
	node_doc_free(&doc);
	diags_free(&d);
}

static void test_shared_arena(void **state)
{
	(void)state;
	struct diags d = {0};
	struct arena *a = arena_new();
	struct node_doc one = {.arena = a}, two = {.arena = a};
	assert_int_equal(yaml_doc_parse("1.yaml", "a: 1\n", 5, NULL, &one, &d), 0);
	assert_int_equal(yaml_doc_parse("2.yaml", "b: [", 4, NULL, &two, &d), -1);
	assert_ptr_equal(one.arena, a);
	assert_ptr_equal(two.arena, a); /* a failure leaves the caller's arena alone */
	assert_string_equal(node_get(one.root, "a")->u.str, "1");
	assert_true(arena_bytes(a) > 0);
	arena_free(a);
	diags_free(&d);
}

static void test_arena_big_blocks(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	char *small = arena_alloc(a, 10);
	char *big = arena_alloc(a, 1 << 20);
	char *small2 = arena_alloc(a, 10);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 'x', 1 << 20);
	assert_int_equal(small2[0], 0);
	assert_true(small2 > small); /* the big block did not steal the head */
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	arena_free(a);
	arena_free(NULL);

	/* Past the first megabyte blocks are mapped whole; fill a few, plus one
	 * request bigger than a block, and check each keeps its bytes. */
	a = arena_new();
	enum { N = 3000 };
	char *chunks[N];
	for (int i = 0; i < N; i++) {
		chunks[i] = arena_alloc(a, 4000);
		assert_int_equal((uintptr_t)chunks[i] % 16, 0);
		memset(chunks[i], i & 0x7f, 4000);
	}
	char *huge = arena_alloc(a, (size_t)9 << 20);
	memset(huge, 0x55, (size_t)9 << 20);
	char *s = arena_strdup(a, "tail");
	for (int i = 0; i < N; i += 97)
		assert_int_equal(chunks[i][3999], i & 0x7f);
	assert_int_equal(huge[((size_t)9 << 20) - 1], 0x55);
	assert_string_equal(s, "tail");
	assert_true(arena_bytes(a) >= (size_t)N * 4000 + ((size_t)9 << 20));
	arena_free(a);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_refused("a: [1, 2\nb: 3\n", NULL, "t.yaml:2:2: error: did not find expected ','");
	expect_refused("a: 1\n b: 2\n", NULL, "t.yaml:2:3: error: mapping values are not allowed");
	expect_refused("a: 'open\n", NULL, "t.yaml:2:1: error: found unexpected end of stream");
}

static void test_tabs(void **state)
{
	(void)state;
	expect_refused("a:\n\tb: 1\n", NULL,
		       "t.yaml:2:1: error: tab character where YAML needs spaces");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	expect_refused("a: 1\nb: 2\na: 3\n", NULL,
		       "t.yaml:3:1: error: duplicate key 'a' (first at line 1)");
	/* A big mapping takes the sorted path; still reported at the repeat. */
	struct strbuf sb = {0};
	for (int i = 0; i < 100; i++)
		sb_addf(&sb, "k%d: %d\n", i, i);
	sb_adds(&sb, "k7: again\n");
	expect_refused(sb_str(&sb), NULL, "t.yaml:101:1: error: duplicate key 'k7' (first at line 8)");
	sb_release(&sb);
	expect_refused("? [a]\n: 1\n", NULL, "t.yaml:1:3: error: a key must be a plain string, not a list");
}

static void test_not_utf8(void **state)
{
	(void)state;
	expect_refused("a: ok\nb: \"\xff\"\n", NULL,
		       "t.yaml:2:5: error: not valid UTF-8 (byte 0xff)");
	expect_refused("a: \xc3\x28\n", NULL, "t.yaml:1:4: error: not valid UTF-8 (byte 0xc3 starts a sequence that is cut short)");
}

static void test_billion_laughs(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	sb_adds(&sb, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++) {
		sb_addf(&sb, "l%d: &l%d [", i, i);
		for (int j = 0; j < 10; j++)
			sb_addf(&sb, "%s*l%d", j ? ", " : "", i - 1);
		sb_adds(&sb, "]\n");
	}
	expect_refused(sb_str(&sb), NULL,
		       "t.yaml:6:45: error: aliases expand to more than 1000000 nodes (the limit)");
	sb_release(&sb);
}

static void test_alias_errors(void **state)
{
	(void)state;
	expect_refused("a: *nope\n", NULL,
		       "t.yaml:1:4: error: alias *nope names no anchor defined before it");
	expect_refused("a: &x [1, *x]\n", NULL,
		       "t.yaml:1:11: error: alias *x refers to a node that contains it");
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct strbuf sb = {0};
	sb_adds(&sb, "x: ");
	for (int i = 0; i < 100; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < 100; i++)
		sb_addc(&sb, ']');
	sb_addc(&sb, '\n');
	expect_refused(sb_str(&sb), NULL,
		       "t.yaml:1:67: error: nesting is deeper than 64 levels (the limit)");
	sb_release(&sb);
}

static void test_node_and_size_limits(void **state)
{
	(void)state;
	struct yaml_limits lim = yaml_default_limits;
	lim.max_nodes = 5;
	expect_refused("[1, 2, 3, 4, 5, 6]\n", &lim,
		       "t.yaml:1:14: error: document has more than 5 nodes (the limit)");
	lim = yaml_default_limits;
	lim.max_bytes = 8;
	expect_refused("a: 123456789\n", &lim, "t.yaml: error: file is 13 bytes, over the limit of 8");
}

static void test_two_documents(void **state)
{
	(void)state;
	expect_refused("a: 1\n---\nb: 2\n", NULL,
		       "t.yaml:2:1: error: a second YAML document; this file holds one");
}

static void test_files(void **state)
{
	(void)state;
	struct diags d = {0};
	struct node_doc doc = {0};
	assert_int_equal(yaml_doc_parse_file("plans/pd-lite-tenant-migration/roster.yaml", NULL,
					     &doc, &d),
			 0);
	assert_int_equal(node_get(doc.root, "roles")->kind, NODE_SEQ);
	node_doc_free(&doc);
	assert_int_equal(yaml_doc_parse_file("tests/unit/data/no-such-file.yaml", NULL, &doc, &d),
			 -1);
	assert_diag(&d, "tests/unit/data/no-such-file.yaml: error: ");
	assert_null(doc.root);
	diags_free(&d);
}

/* ---- a big file in two halves: the same tree and the same diagnostics ---- */

/* Parses text whole and with a cut forced; both must agree. Returns the
 * parts the forced parse used. */
static int whole_and_halves(const char *text)
{
	struct yaml_limits whole = yaml_default_limits, cut = yaml_default_limits;
	whole.split_bytes = 0;
	cut.split_bytes = 1;
	struct diags d1 = {0}, d2 = {0};
	struct node_doc a = {0}, b = {0};
	int r1 = yaml_doc_parse("t.yaml", text, strlen(text), &whole, &a, &d1);
	int r2 = yaml_doc_parse("t.yaml", text, strlen(text), &cut, &b, &d2);
	assert_int_equal(r1, r2);
	assert_int_equal(d1.n, d2.n);
	char x[1024], y[1024];
	for (size_t i = 0; i < d1.n; i++)
		assert_string_equal(diag_text(&d1, i, x, sizeof(x)), diag_text(&d2, i, y, sizeof(y)));
	char why[256] = "";
	if (!node_equal(a.root, b.root, why, sizeof(why)))
		fail_msg("the halves' tree differs from the whole: %s", why);
	int parts = r2 == 0 ? b.parts : 0;
	if (r1 == 0)
		assert_int_equal(a.parts, 1);
	node_doc_free(&a);
	node_doc_free(&b);
	diags_free(&d1);
	diags_free(&d2);
	return parts;
}

/* An accounts file of n accounts, with a last line of `tail`. */
static char *accounts_text(int n, const char *item_indent, const char *tail)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "# fleet\naccounts:\n");
	for (int i = 0; i < n; i++)
		sb_addf(&sb,
			"%s- id: acct-%03d\n%s  name: \"Account %d\"\n%s  notes: |\n%s    line one\n"
			"%s    - not an item\n\n%s  tags: [a, b]\n",
			item_indent, i, item_indent, i, item_indent, item_indent, item_indent,
			item_indent);
	sb_adds(&sb, tail);
	return sb_detach(&sb);
}

static void test_halves_join_into_the_whole_tree(void **state)
{
	(void)state;
	char *t = accounts_text(40, "  ", "");
	assert_int_equal(whole_and_halves(t), 2);
	free(t);
	t = accounts_text(40, "", ""); /* the list at the key's own indentation */
	assert_int_equal(whole_and_halves(t), 2);
	free(t);
	/* a list nested deeper, last on the rightmost path */
	t = accounts_text(40, "      ", "");
	char *nested = xasprintf("outer:\n  inner:\n    %s", t + strlen("# fleet\n"));
	assert_int_equal(whole_and_halves(nested), 2);
	free(nested);
	free(t);
	/* another list after the accounts: the cut falls in whichever is open */
	t = accounts_text(40, "  ", "others:\n  - x\n  - y\n");
	assert_int_equal(whole_and_halves(t), 2);
	free(t);
	/* a bare list as the root is cut too; a lone scalar has no list to cut */
	assert_int_equal(whole_and_halves("- a\n- b\n- c\n- d\n"), 2);
	assert_int_equal(whole_and_halves("just text\n"), 1);
}

/* Files the halves cannot prove: parsed whole, same result as ever. */
static void test_halves_fall_back_to_the_whole_file(void **state)
{
	(void)state;
	/* an alias in the second half to an anchor in the first */
	char *t = accounts_text(40, "  ", "  - &last {id: z}\n  - *first\n");
	char *anchored = xasprintf("first: &first {id: a}\n%s", t);
	assert_int_equal(whole_and_halves(anchored), 1);
	free(anchored);
	free(t);
	/* errors in the second half (a duplicate key, a tab, a second document):
	 * the whole parse reports them, exactly as without a cut */
	t = accounts_text(40, "  ", "  - id: x\n    id: again\n");
	assert_int_equal(whole_and_halves(t), 0);
	free(t);
	t = accounts_text(40, "  ", "  - id: x\n\tbad: tab\n");
	assert_int_equal(whole_and_halves(t), 0);
	free(t);
	t = accounts_text(40, "  ", "---\nsecond: doc\n");
	assert_int_equal(whole_and_halves(t), 0);
	free(t);
	/* a quoted string running over the cut: the first half is cut short */
	struct strbuf sb = {0};
	sb_adds(&sb, "text: \"");
	for (int i = 0; i < 200; i++)
		sb_addf(&sb, "\n- word %d", i);
	sb_adds(&sb, "\"\nlist:\n  - a\n");
	char *q = sb_detach(&sb);
	assert_int_equal(whole_and_halves(q), 1);
	free(q);
	/* CR line ends are never cut (libyaml counts lines its own way) */
	t = accounts_text(40, "  ", "");
	for (char *p = t; *p; p++)
		if (*p == '\n' && p[1] == '\n')
			*p = '\r';
	assert_int_equal(whole_and_halves(t), 1);
	free(t);
	/* node limits crossed only by the two halves together */
	t = accounts_text(40, "  ", "");
	struct yaml_limits lim = yaml_default_limits;
	lim.split_bytes = 1;
	struct node_doc doc = {0};
	struct diags d = {0};
	size_t whole_nodes = 0;
	assert_int_equal(yaml_doc_parse("t.yaml", t, strlen(t), &lim, &doc, &d), 0);
	whole_nodes = doc.root->weight;
	node_doc_free(&doc);
	lim.max_nodes = whole_nodes - 1;
	assert_int_equal(yaml_doc_parse("t.yaml", t, strlen(t), &lim, &doc, &d), -1);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].msg, "nodes (the limit)"));
	diags_free(&d);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_and_places),
		cmocka_unit_test(test_quoted_null_is_a_string),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_aliases_share_and_keep_place),
		cmocka_unit_test(test_shared_arena),
		cmocka_unit_test(test_arena_big_blocks),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_alias_errors),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_node_and_size_limits),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_halves_join_into_the_whole_tree),
		cmocka_unit_test(test_halves_fall_back_to_the_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
