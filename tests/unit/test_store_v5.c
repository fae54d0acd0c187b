/* Unit tests for store migration 5 on real files: a database left at
 * migration 4 with samples in it upgrades, keeping every row (ids included)
 * and both indexes; the new 'integration' kind is accepted and a bogus kind
 * is still refused by the CHECK. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/util.h"

struct fx {
	char dir[64];
	char *path;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/wr-store5-XXXXXX", P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/warroom.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
		char *p = xasprintf("%s%s", f->path, suffix[i]);
		unlink(p);
		free(p);
	}
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* A file as migrations 1..4 left it, with samples of every old kind. */
static void make_v4(const char *path)
{
	size_t n = 0;
	const struct store_migration *m = store_migrations(&n);
	assert_true(n >= 5);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < n && m[i].version <= 4; i++)
		raw_exec(db, m[i].sql);
	raw_exec(db, "PRAGMA user_version = 4;"
		     "INSERT INTO samples(id, account, kind, name, value, passed, evaluated, ts_ms) VALUES"
		     " (7, 'acct-001', 'parity', 'pass_rate', 0.995, 199, 200, 1000),"
		     " (9, 'acct-001', 'drift', 'entities', 3, 0, 0, 2000),"
		     " (12, 'acct-002', 'metric', 'error_rate', 0.002, 0, 0, 3000),"
		     " (15, 'acct-002', 'invariant', 'mig-1', 1, 1, 1, 4000);");
	/* the old CHECK refuses the new kind: the migration is what allows it */
	char *msg = NULL;
	assert_int_not_equal(sqlite3_exec(db,
		"INSERT INTO samples(account, kind, name, ts_ms) VALUES ('a', 'integration', 'health', 1)",
		NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql, NULL);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

static void test_upgrade_keeps_rows_and_indexes(void **state)
{
	struct fx *f = *state;
	make_v4(f->path);
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	if (!s)
		fail_msg("%s", e.msg);
	assert_true(store_user_version(s) >= 5);
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples"), 4);
	assert_int_equal(query_int(s, "SELECT sum(id) FROM samples"), 7 + 9 + 12 + 15);
	assert_int_equal(query_int(s, "SELECT evaluated FROM samples WHERE id = 7"), 200);
	assert_int_equal(query_int(s, "SELECT ts_ms FROM samples WHERE id = 15"), 4000);
	assert_int_equal(query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
				      "tbl_name = 'samples' AND name IN ('samples_by_name', 'samples_by_time')"),
			 2);
	assert_int_equal(query_int(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'samples_v%'"), 0);
	/* the reads the console makes still use the index */
	sqlite3_stmt *q = store_stmt(s, "EXPLAIN QUERY PLAN SELECT value FROM samples WHERE account = 'a' "
				       "AND kind = 'integration' AND name = 'health' ORDER BY ts_ms", &e);
	assert_non_null(q);
	int indexed = 0;
	while (sqlite3_step(q) == SQLITE_ROW)
		indexed |= strstr((const char *)sqlite3_column_text(q, 3), "samples_by_name") != NULL;
	sqlite3_reset(q);
	assert_true(indexed);

	struct sample in = {.account = (char *)"acct-003", .kind = (char *)SAMPLE_INTEGRATION,
			    .name = (char *)SAMPLE_INTEG_HEALTH, .value = 10.0 / 12, .passed = 10,
			    .evaluated = 12, .at_ms = 5000};
	if (samples_append(s, &in, &e))
		fail_msg("%s", e.msg);
	assert_true(in.id > 15); /* ids go on after the kept rows */
	struct sample out;
	assert_int_equal(samples_latest(s, "acct-003", SAMPLE_INTEGRATION, SAMPLE_INTEG_HEALTH, &out, &e), 1);
	assert_int_equal(out.passed, 10);
	assert_int_equal(out.evaluated, 12);
	sample_free(&out);

	struct sample bogus = {.account = (char *)"acct-003", .kind = (char *)"connector",
			       .name = (char *)"x", .at_ms = 6000};
	assert_int_equal(samples_append(s, &bogus, &e), -1);
	assert_non_null(strstr(e.msg, "CHECK"));
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples"), 5);
	store_close(s);

	/* a second open finds nothing more to do */
	s = store_open(f->path, STORE_READWRITE, &e);
	if (!s)
		fail_msg("%s", e.msg);
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples"), 5);
	store_close(s);
}

static void test_fresh_file_accepts_integration(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	if (!s)
		fail_msg("%s", e.msg);
	struct sample in = {.account = (char *)"acct-001", .kind = (char *)SAMPLE_INTEGRATION,
			    .name = (char *)SAMPLE_INTEG_HEALTH, .value = 1, .passed = 3, .evaluated = 3};
	assert_int_equal(samples_append(s, &in, &e), 0);
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples WHERE kind = 'integration'"), 1);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upgrade_keeps_rows_and_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_file_accepts_integration, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
