/* Unit tests for nodepack and the YAML tree cache: a tree comes back from
 * its blob equal to the last place and weight with aliases still shared, a
 * blob changed anywhere or read under the wrong key is refused, and a big
 * file read twice is parsed once, the second tree equal to the first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warroom/node.h"
#include "warroom/nodepack.h"
#include "warroom/treecache.h"
#include "warroom/util.h"
#include "warroom/yaml.h"

static const unsigned char key_a[NODEPACK_KEY_BYTES] = {1, 2, 3};
static const unsigned char key_b[NODEPACK_KEY_BYTES] = {1, 2, 4};
static const struct nodepack_limits lim = {YAML_MAX_DEPTH, YAML_MAX_NODES + YAML_MAX_EXPAND};

static const char sample[] =
	"defaults: &d {retries: 3, 'quoted': \"yes\", empty_list: [], empty_map: {}}\n"
	"steps:\n"
	"  - {id: one, <<: *d}\n"
	"  - id: two\n"
	"    opts: *d\n"
	"    text: |\n"
	"      two lines\n"
	"      of text\n"
	"  - ~\n"
	"  - \"ünïcödé ✓\"\n";

static void parse(const char *text, struct node_doc *doc)
{
	struct diags d = {0};
	*doc = (struct node_doc){0};
	assert_int_equal(yaml_doc_parse("t.yaml", text, strlen(text), NULL, doc, &d), 0);
	assert_int_equal(d.n, 0);
	diags_free(&d);
}

static void pack(const struct node *root, struct strbuf *sb)
{
	struct err e = {{0}};
	*sb = (struct strbuf){0};
	assert_int_equal(nodepack_write(root, key_a, sb, &e), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct node_doc doc;
	parse(sample, &doc);
	struct strbuf sb;
	pack(doc.root, &sb);
	struct arena *a = arena_new();
	struct node *back = NULL;
	struct err e = {{0}};
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &lim, a, &back, &e), 0);
	char why[256] = "";
	assert_true(node_equal(doc.root, back, why, sizeof(why)));
	/* the alias *d shares its anchor's pairs, as the parsed tree does */
	const struct node *steps = node_get(back, "steps");
	const struct node *opts = node_get(steps->u.items[1], "opts");
	assert_true(opts->alias);
	assert_ptr_equal(opts->u.pairs, node_get(back, "defaults")->u.pairs);
	arena_free(a);
	sb_release(&sb);
	node_doc_free(&doc);
}

static void test_empty_document(void **state)
{
	(void)state;
	struct strbuf sb;
	pack(NULL, &sb);
	struct arena *a = arena_new();
	struct node *back = (struct node *)&back; /* must be cleared */
	struct err e = {{0}};
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &lim, a, &back, &e), 0);
	assert_null(back);
	arena_free(a);
	sb_release(&sb);
}

static void test_damage_refused(void **state)
{
	(void)state;
	struct node_doc doc;
	parse(sample, &doc);
	struct strbuf sb;
	pack(doc.root, &sb);
	struct err e = {{0}};
	struct node *back;
	struct arena *a = arena_new();
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_b, &lim, a, &back, &e), -1);
	assert_non_null(strstr(e.msg, "other contents"));
	assert_int_equal(nodepack_read(sb.buf, sb.len - 1, key_a, &lim, a, &back, &e), -1);
	assert_int_equal(nodepack_read(sb.buf, 10, key_a, &lim, a, &back, &e), -1);
	/* every single changed byte is noticed */
	for (size_t i = 0; i < sb.len; i++) {
		sb.buf[i] ^= 0x20;
		assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &lim, a, &back, &e), -1);
		sb.buf[i] ^= 0x20;
	}
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &lim, a, &back, &e), 0);
	arena_free(a);
	sb_release(&sb);
	node_doc_free(&doc);
}

/* Behind the checksum: a resealed blob whose structure lies is refused. */
static void test_structure_checked(void **state)
{
	(void)state;
	struct node_doc doc;
	parse("[a, [b, c]]\n", &doc);
	struct strbuf sb;
	pack(doc.root, &sb);
	struct err e = {{0}};
	struct node *back;
	struct arena *a = arena_new();
	/* the tree is two deep; a limit of one refuses it */
	struct nodepack_limits shallow = {1, 100}, light = {8, 3};
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &shallow, a, &back, &e), -1);
	assert_non_null(strstr(e.msg, "deeper"));
	assert_int_equal(nodepack_read(sb.buf, sb.len, key_a, &light, a, &back, &e), -1);
	assert_non_null(strstr(e.msg, "expands"));
	/* every 32-bit field set to a huge value, resealed: refused or a tree
	 * that still reads whole, never a crash (ASan watches) */
	for (size_t off = 24; off + 4 <= sb.len; off += 4) {
		char *copy = xmalloc(sb.len);
		memcpy(copy, sb.buf, sb.len);
		uint32_t v = 0xfffffff0u;
		memcpy(copy + off, &v, sizeof(v));
		nodepack_seal(copy, sb.len, key_a);
		if (nodepack_read(copy, sb.len, key_a, &lim, a, &back, &e) == 0 && back) {
			char why[256];
			(void)node_equal(back, back, why, sizeof(why));
		}
		free(copy);
	}
	arena_free(a);
	sb_release(&sb);
	node_doc_free(&doc);
}

/* ---- the cache behind yaml_doc_parse ---------------------------------------- */

static char cache_dir[512];

static int cache_setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(cache_dir, sizeof(cache_dir), "%s/warroom-treecache.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(cache_dir))
		return -1;
	setenv("WARROOM_CACHE_DIR", cache_dir, 1);
	return 0;
}

static int cache_teardown(void **state)
{
	(void)state;
	DIR *d = opendir(cache_dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' || strlen(de->d_name) > 2) {
			char *p = xasprintf("%s/%s", cache_dir, de->d_name);
			unlink(p);
			free(p);
		}
	if (d)
		closedir(d);
	rmdir(cache_dir);
	unsetenv("WARROOM_CACHE_DIR");
	return 0;
}

static size_t trees_kept(void)
{
	size_t n = 0;
	DIR *d = opendir(cache_dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".tree") && de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

/* An accounts file over the cache's threshold; `salt` makes each distinct. */
static char *big_file(int salt, size_t *len)
{
	struct strbuf sb = {0};
	sb_addf(&sb, "# file %d\naccounts:\n", salt);
	for (int i = 0; sb.len < YAML_CACHE_BYTES + 1024; i++)
		sb_addf(&sb, "  - id: acct-%05d\n    name: 'Account %d'\n    wave: %s\n", i, i,
			i % 2 ? "ramp" : "canary");
	*len = sb.len;
	return sb_detach(&sb);
}

static int parse_big(const char *buf, size_t len, struct node_doc *doc)
{
	struct diags d = {0};
	*doc = (struct node_doc){0};
	assert_int_equal(yaml_doc_parse("big.yaml", buf, len, NULL, doc, &d), 0);
	assert_int_equal(d.n, 0);
	diags_free(&d);
	return doc->parts;
}

static void test_cache_parses_once(void **state)
{
	(void)state;
	size_t len;
	char *buf = big_file(0, &len);
	struct node_doc first, second;
	assert_int_not_equal(parse_big(buf, len, &first), 0);
	assert_int_equal(trees_kept(), 1);
	assert_int_equal(parse_big(buf, len, &second), 0); /* from the cache */
	char why[256] = "";
	assert_true(node_equal(first.root, second.root, why, sizeof(why)));
	node_doc_free(&second);
	/* a tree built into the caller's arena */
	struct node_doc given = {.arena = arena_new()};
	struct diags d = {0};
	assert_int_equal(yaml_doc_parse("big.yaml", buf, len, NULL, &given, &d), 0);
	assert_int_equal(given.parts, 0);
	assert_true(node_equal(first.root, given.root, why, sizeof(why)));
	node_doc_free(&given);
	/* the same bytes under other limits are another key */
	struct yaml_limits other = yaml_default_limits;
	other.max_nodes--;
	assert_int_equal(yaml_doc_parse("big.yaml", buf, len, &other, &given, &d), 0);
	assert_int_not_equal(given.parts, 0);
	node_doc_free(&given);
	node_doc_free(&first);
	free(buf);
}

static void test_cache_damaged_file_reparsed(void **state)
{
	(void)state;
	size_t len;
	char *buf = big_file(1, &len);
	struct node_doc doc;
	parse_big(buf, len, &doc);
	node_doc_free(&doc);
	DIR *d = opendir(cache_dir);
	struct dirent *de;
	char *path = NULL;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tree") && de->d_name[0] != '.') {
			free(path);
			path = xasprintf("%s/%s", cache_dir, de->d_name);
		}
	closedir(d);
	assert_non_null(path);
	/* zeros in the middle of the file, as a crash can leave */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 4096, SEEK_SET);
	char zeros[512] = {0};
	fwrite(zeros, 1, sizeof(zeros), f);
	fclose(f);
	struct stat before;
	assert_int_equal(stat(path, &before), 0);
	assert_int_not_equal(parse_big(buf, len, &doc), 0); /* parsed, not read */
	node_doc_free(&doc);
	assert_int_equal(parse_big(buf, len, &doc), 0); /* and kept again */
	node_doc_free(&doc);
	free(path);
	free(buf);
}

static void test_cache_folder_others_can_write_is_not_used(void **state)
{
	(void)state;
	size_t len;
	char *buf = big_file(2, &len);
	struct node_doc doc;
	parse_big(buf, len, &doc);
	node_doc_free(&doc);
	assert_int_equal(chmod(cache_dir, 0777), 0);
	assert_int_not_equal(parse_big(buf, len, &doc), 0);
	node_doc_free(&doc);
	assert_int_equal(chmod(cache_dir, 0700), 0);
	setenv("WARROOM_CACHE_DIR", "off", 1);
	assert_int_not_equal(parse_big(buf, len, &doc), 0);
	node_doc_free(&doc);
	setenv("WARROOM_CACHE_DIR", cache_dir, 1);
	assert_int_equal(parse_big(buf, len, &doc), 0);
	node_doc_free(&doc);
	free(buf);
}

static void test_cache_keeps_a_bounded_number(void **state)
{
	(void)state;
	for (int i = 0; i < TREECACHE_KEEP + 3; i++) {
		size_t len;
		char *buf = big_file(100 + i, &len);
		struct node_doc doc;
		parse_big(buf, len, &doc);
		node_doc_free(&doc);
		free(buf);
	}
	assert_int_equal(trees_kept(), TREECACHE_KEEP);
}

static void test_cache_not_kept_for_a_broken_file(void **state)
{
	(void)state;
	size_t len;
	char *buf = big_file(3, &len);
	struct strbuf sb = {0};
	sb_add(&sb, buf, len);
	sb_adds(&sb, "  - id: [unclosed\n");
	struct diags d = {0};
	struct node_doc doc = {0};
	size_t kept = trees_kept();
	assert_int_equal(yaml_doc_parse("big.yaml", sb.buf, sb.len, NULL, &doc, &d), -1);
	assert_int_equal(d.errors, 1);
	assert_int_equal(trees_kept(), kept);
	diags_free(&d);
	sb_release(&sb);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_damage_refused),
		cmocka_unit_test(test_structure_checked),
		cmocka_unit_test_setup_teardown(test_cache_parses_once, cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_damaged_file_reparsed, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_folder_others_can_write_is_not_used,
						cache_setup, cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_keeps_a_bounded_number, cache_setup,
						cache_teardown),
		cmocka_unit_test_setup_teardown(test_cache_not_kept_for_a_broken_file, cache_setup,
						cache_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
