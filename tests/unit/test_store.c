/* Unit tests for store: schema creation and forward migration on real files
 * (migration 5's rebuilt samples table keeping rows and indexes, migration
 * 6's table of newest samples backfilled, and what an observer of a file
 * not yet migrated is told), refusal of
 * newer files, read-only handles (including as an account that
 * may only read the files), data_version, foreign keys, default paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/util.h"
#include "data/scratch_db.h"

struct fixture {
	char dir[64];
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	/* The system folder, not $TMPDIR: the unprivileged child must reach it. */
	snprintf(f->dir, sizeof(f->dir), "%s/wr-store-XXXXXX", P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/warroom.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	chmod(f->dir, 0700);
	scratch_db_remove(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* A plain SQLite connection, as a tool or an older warroom would use. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
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

static void test_create(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	assert_non_null(s);
	assert_int_equal(store_user_version(s), store_schema_version());
	assert_int_equal(query_int(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(s, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(s, "PRAGMA busy_timeout") > 0, 1);
	sqlite3_stmt *st = store_stmt(s, "PRAGMA journal_mode", &e);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_reset(st);
	/* Every table the product relies on exists from the start. */
	static const char *const tables[] = {
		"audit", "meta", "runs", "step_runs", "step_output", "check_results", "ticks",
		"signoffs", "exceptions", "samples", "leases", "consoles", "waves", "snapshots",
		"import_checkpoints", "import_items", "samples_latest",
	};
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		st = store_stmt(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1", &e);
		sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (sqlite3_column_int(st, 0) != 1)
			fail_msg("table %s missing", tables[i]);
		sqlite3_reset(st);
	}
	assert_int_equal(store_meta_set(s, "plan_hash", "abc", &e), 0);
	assert_int_equal(store_meta_set(s, "plan_hash", "def", &e), 0);
	char *v = store_meta_get(s, "plan_hash", &e);
	assert_string_equal(v, "def");
	free(v);
	assert_null(store_meta_get(s, "absent", &e));
	assert_string_equal(e.msg, "");
	store_close(s);
	/* Reopening a current file changes nothing. */
	s = store_open(f->path, STORE_READWRITE, &e);
	assert_non_null(s);
	v = store_meta_get(s, "plan_hash", &e);
	assert_string_equal(v, "def");
	free(v);
	store_close(s);
}

static void test_foreign_keys(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	assert_non_null(s);
	assert_int_equal(store_exec(s, "INSERT INTO step_runs(account, phase_id, step_id, state) "
				       "VALUES ('acct-404', 'p1', 's1', 'running')", &e), -1);
	assert_non_null(strstr(e.msg, "FOREIGN KEY"));
	assert_int_equal(store_exec(s, "INSERT INTO runs(account, updated_ms) VALUES ('acct-1', 1);"
				       "INSERT INTO step_runs(account, phase_id, step_id, state) "
				       "VALUES ('acct-1', 'p1', 's1', 'running')", &e), 0);
	/* Enumerations the product fixes are enforced. */
	assert_int_equal(store_exec(s, "INSERT INTO step_runs(account, phase_id, step_id, state) "
				       "VALUES ('acct-1', 'p1', 's2', 'exploded')", &e), -1);
	assert_non_null(strstr(e.msg, "CHECK"));
	store_close(s);
}

static void test_migrate_from_older(void **state)
{
	struct fixture *f = *state;
	size_t n = 0;
	const struct store_migration *m = store_migrations(&n);
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(m[i].version, (int)i + 1);
	/* A file as version 1 left it, with data in it. */
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, m[0].sql);
	raw_exec(db, "PRAGMA user_version = 1;"
		     "INSERT INTO meta(key, value) VALUES ('program_dir', 'plans/demo');");
	sqlite3_close(db);

	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	if (!s)
		fail_msg("%s", e.msg);
	assert_int_equal(store_user_version(s), store_schema_version());
	char *v = store_meta_get(s, "program_dir", &e);
	assert_string_equal(v, "plans/demo");
	free(v);
	assert_int_equal(store_exec(s, "INSERT INTO waves(name, updated_ms) VALUES ('canary', 1)", &e), 0);
	store_close(s);
}

/* ---- migration 5: samples.kind takes 'integration' ---- */

/* A file as migrations 1..4 left it, with samples of every old kind. */
static void make_v4(const char *path)
{
	size_t n = 0;
	const struct store_migration *m = store_migrations(&n);
	assert_true(n >= 5);
	sqlite3 *db = raw_open(path);
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

static void test_upgrade_keeps_rows_and_indexes(void **state)
{
	struct fixture *f = *state;
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
	/* migration 6 after it: each kept row is its series' newest */
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples_latest"), 4);
	assert_int_equal(query_int(s, "SELECT sum(id) FROM samples_latest"), 7 + 9 + 12 + 15);
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
	assert_int_equal(query_int(s, "SELECT count(*) FROM samples_latest"), 5);
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
	struct fixture *f = *state;
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

/* ---- migration 6: the newest sample of each series kept as a table ---- */

/* A file as migrations 1..5 left it: series with a history, a same-time tie
 * (the later row is the newest), rows written out of time order. */
static void make_v5(const char *path)
{
	make_v4(path);
	size_t n = 0;
	const struct store_migration *m = store_migrations(&n);
	assert_true(n >= 6);
	assert_int_equal(m[4].version, 5);
	sqlite3 *db = raw_open(path);
	raw_exec(db, m[4].sql);
	raw_exec(db, "PRAGMA user_version = 5;"
		     "INSERT INTO samples(id, account, kind, name, value, passed, evaluated, ts_ms) VALUES"
		     " (20, 'acct-001', 'parity', 'pass_rate', 0.5, 100, 200, 5000),"
		     " (21, 'acct-001', 'parity', 'pass_rate', 0.9, 180, 200, 3000),"
		     " (22, 'acct-002', 'metric', 'error_rate', 0.01, 0, 0, 6000),"
		     " (23, 'acct-002', 'metric', 'error_rate', 0.02, 0, 0, 6000),"
		     " (24, 'acct-003', 'integration', 'health', 0.75, 3, 4, 100);");
	sqlite3_close(db);
}

/* Which row each series' newest is after the backfill: ids of make_v5. */
static void expect_backfilled(struct store *s)
{
	struct err e = {{0}};
	struct sample_list l;
	if (samples_latest_all(s, NULL, &l, &e) < 0)
		fail_msg("%s", e.msg);
	static const int64_t want[] = {9, 20, 15, 23, 24}; /* account, kind, name order */
	assert_int_equal(l.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.items[i].id, want[i]);
	assert_int_equal(l.items[1].passed, 100);
	assert_true(l.items[3].value == 0.02);
	sample_list_free(&l);
}

/* An observer may not migrate: on a file at version 5 it is told what to
 * do, the history stays readable, nothing crashes; once an operator opens
 * the file read-write, the same observer handle reads the backfilled table. */
static void test_latest_table_from_v5(void **state)
{
	struct fixture *f = *state;
	make_v5(f->path);
	struct err e = {{0}};
	struct store *r = store_open(f->path, STORE_READONLY, &e);
	if (!r)
		fail_msg("%s", e.msg);
	assert_int_equal(store_user_version(r), 5);
	struct sample_list l;
	assert_int_equal(samples_latest_all(r, NULL, &l, &e), -1);
	assert_int_equal(l.n, 0);
	assert_non_null(strstr(e.msg, f->path));
	assert_non_null(strstr(e.msg, "schema version 6"));
	assert_non_null(strstr(e.msg, "at version 5"));
	assert_non_null(strstr(e.msg, "read-write"));
	struct sample one;
	e.msg[0] = '\0';
	assert_int_equal(samples_latest(r, "acct-001", SAMPLE_PARITY, SAMPLE_PASS_RATE, &one, &e), -1);
	assert_non_null(strstr(e.msg, "schema version 6"));
	double *v = NULL;
	size_t nv = 0;
	assert_int_equal(samples_series(r, "acct-001", SAMPLE_PARITY, SAMPLE_PASS_RATE, 10, &v, &nv, &e), 0);
	assert_int_equal(nv, 3); /* 1000, 3000, 5000: oldest first */
	assert_true(v[0] == 0.995 && v[1] == 0.9 && v[2] == 0.5);
	free(v);

	struct store *w = store_open(f->path, STORE_READWRITE, &e);
	if (!w)
		fail_msg("%s", e.msg);
	assert_int_equal(store_user_version(w), store_schema_version());
	expect_backfilled(w);
	expect_backfilled(r);
	/* the triggers came with the table: the next append is seen by both */
	struct sample in = {.account = (char *)"acct-002", .kind = (char *)SAMPLE_METRIC,
			    .name = (char *)"error_rate", .value = 0.03, .at_ms = 6000};
	assert_int_equal(samples_append(w, &in, &e), 0);
	assert_int_equal(samples_latest(r, "acct-002", SAMPLE_METRIC, "error_rate", &one, &e), 1);
	assert_int_equal(one.id, in.id);
	sample_free(&one);
	store_close(w);
	store_close(r);

	/* a second open finds nothing more to do and keeps the table */
	w = store_open(f->path, STORE_READWRITE, &e);
	if (!w)
		fail_msg("%s", e.msg);
	assert_int_equal(query_int(w, "SELECT count(*) FROM samples_latest"), 5);
	assert_int_equal(query_int(w, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
				      "AND tbl_name = 'samples'"), 3);
	store_close(w);
}

static void test_newer_refused(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	assert_non_null(s);
	store_close(s);
	sqlite3 *db = raw_open(f->path);
	char *sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 1);
	raw_exec(db, sql);
	free(sql);
	sqlite3_close(db);
	static const enum store_mode modes[] = {STORE_READWRITE, STORE_READONLY};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		e.msg[0] = '\0';
		assert_null(store_open(f->path, modes[i], &e));
		assert_non_null(strstr(e.msg, "newer warroom"));
	}
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	assert_null(store_open(f->path, STORE_READONLY, &e));
	assert_non_null(strstr(e.msg, "no such database"));
	assert_int_equal(util_write_file_atomic(f->path, "this is not sqlite, just text....", 33, &e), 0);
	assert_null(store_open(f->path, STORE_READWRITE, &e));
	assert_non_null(strstr(e.msg, f->path));
}

static void expect_readonly_refusals(struct store *s)
{
	struct err e = {{0}};
	assert_true(store_is_readonly(s));
	assert_int_equal(store_exec(s, "INSERT INTO meta(key, value) VALUES ('x', 'y')", &e), -1);
	assert_non_null(strstr(e.msg, "read-only"));
	assert_int_equal(store_begin(s, &e), -1);
	assert_non_null(strstr(e.msg, "read-only"));
	assert_int_equal(store_meta_set(s, "k", "v", &e), -1);
	assert_non_null(strstr(e.msg, "read-only"));
	char *v = store_meta_get(s, "plan_hash", &e);
	assert_string_equal(v, "p1");
	free(v);
}

static void test_readonly_refuses_writes(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *w = store_open(f->path, STORE_READWRITE, &e);
	assert_int_equal(store_meta_set(w, "plan_hash", "p1", &e), 0);
	struct store *r = store_open(f->path, STORE_READONLY, &e);
	assert_non_null(r);
	assert_false(store_is_snapshot(r));
	expect_readonly_refusals(r);
	store_close(r);
	store_close(w);
}

static void test_data_version(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *w = store_open(f->path, STORE_READWRITE, &e);
	struct store *r = store_open(f->path, STORE_READONLY, &e);
	assert_non_null(w);
	assert_non_null(r);
	int64_t r0 = store_data_version(r), w0 = store_data_version(w);
	assert_true(r0 >= 0);
	assert_int_equal(store_data_version(r), r0); /* nothing happened */
	assert_int_equal(store_meta_set(w, "plan_hash", "x", &e), 0);
	assert_true(store_data_version(r) != r0);
	/* A connection's own commits do not move its data_version. */
	assert_int_equal(store_data_version(w), w0);
	int64_t r1 = store_data_version(r);
	assert_int_equal(store_begin(w, &e), 0);
	assert_int_equal(store_meta_set(w, "plan_hash", "y", &e), 0);
	assert_int_equal(store_data_version(r), r1); /* uncommitted is unseen */
	store_rollback(w);
	assert_int_equal(store_data_version(r), r1);
	store_close(r);
	store_close(w);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *s = store_open(f->path, STORE_READWRITE, &e);
	assert_false(store_in_tx(s));
	assert_int_equal(store_begin(s, &e), 0);
	assert_true(store_in_tx(s));
	assert_int_equal(store_begin(s, &e), -1);
	assert_non_null(strstr(e.msg, "already open"));
	assert_int_equal(store_meta_set(s, "a", "1", &e), 0);
	store_rollback(s);
	assert_false(store_in_tx(s));
	assert_null(store_meta_get(s, "a", &e));
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_meta_set(s, "a", "2", &e), 0);
	assert_int_equal(store_commit(s, &e), 0);
	char *v = store_meta_get(s, "a", &e);
	assert_string_equal(v, "2");
	free(v);
	store_rollback(s); /* harmless with none open */
	assert_null(store_stmt(s, "SELEC nonsense", &e));
	assert_non_null(strstr(e.msg, "syntax error"));
	store_close(s);
	store_close(NULL);
}

static void child_reads_live(const char *path);
/* Pipes between the test and its unprivileged child, for the live case. */
static int to_child[2], to_parent[2];

/* Runs fn in a child that, when this process is root, has become `nobody`
 * first: as root, file modes do not bind, so only a real unprivileged
 * account proves what an observer can open. The live case also commits
 * while the child watches. Returns the child's status. */
static int as_unprivileged(void (*fn)(const char *path), const char *path)
{
	int live = fn == child_reads_live;
	if (live) {
		assert_int_equal(pipe(to_child), 0);
		assert_int_equal(pipe(to_parent), 0);
	}
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (live && pid > 0) {
		char c;
		close(to_child[0]);
		close(to_parent[1]);
		if (read(to_parent[0], &c, 1) == 1) {
			struct err e = {{0}};
			/* The owner writes again (not root: its own 0444 would bind). */
			static const char *const suffix[] = {"", "-wal", "-shm"};
			for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
				char *p = xasprintf("%s%s", path, suffix[i]);
				chmod(p, 0644);
				free(p);
			}
			struct store *w = store_open(path, STORE_READWRITE, &e);
			if (!w)
				fail_msg("%s", e.msg);
			assert_int_equal(store_meta_set(w, "plan_hash", "p2", &e), 0);
			store_close(w);
			assert_int_equal(write(to_child[1], &c, 1), 1);
		}
		close(to_child[1]);
		close(to_parent[0]);
	}
	if (pid == 0) {
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("nobody");
			if (!pw || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
				_exit(90);
			if (setuid(0) == 0)
				_exit(91); /* privileges not really dropped */
		}
		fn(path);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void child_reads(const char *path, int want_snapshot)
{
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READONLY, &e);
	if (!s) {
		fprintf(stderr, "read-only open failed: %s\n", e.msg);
		_exit(10);
	}
	if (store_is_snapshot(s) != want_snapshot)
		_exit(11);
	char *v = store_meta_get(s, "plan_hash", &e);
	if (!v || strcmp(v, "p1") != 0)
		_exit(12);
	free(v);
	if (store_exec(s, "INSERT INTO meta(key, value) VALUES ('x', 'y')", &e) == 0 ||
	    !strstr(e.msg, "read-only"))
		_exit(13);
	if (store_data_version(s) < 0)
		_exit(14);
	store_close(s);
	/* And a writer's open is refused with a clear message, not a crash. */
	s = store_open(path, STORE_READWRITE, &e);
	if (s)
		_exit(15);
	if (!strstr(e.msg, path))
		_exit(16);
}

/* The observer must see a commit made while it has the database open. */
static void child_reads_live(const char *path)
{
	child_reads(path, 0);
	struct err e = {{0}};
	struct store *s = store_open(path, STORE_READONLY, &e);
	if (!s)
		_exit(20);
	int64_t dv = store_data_version(s);
	char c = 'r';
	if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
		_exit(21);
	if (store_data_version(s) == dv)
		_exit(22);
	char *v = store_meta_get(s, "plan_hash", &e);
	if (!v || strcmp(v, "p2") != 0)
		_exit(23);
	free(v);
	store_close(s);
}

static void child_reads_snapshot(const char *path)
{
	child_reads(path, 1);
}

static void lock_down(struct fixture *f)
{
	const char *suffix[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
		char *p = xasprintf("%s%s", f->path, suffix[i]);
		chmod(p, 0444);
		free(p);
	}
	assert_int_equal(chmod(f->dir, 0555), 0);
}

static void test_readonly_unprivileged(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *w = store_open(f->path, STORE_READWRITE, &e);
	assert_int_equal(store_meta_set(w, "plan_hash", "p1", &e), 0);
	store_close(w);
	/* The writer keeps -wal and -shm after closing, so a reader who cannot
	 * create files still shares the WAL index and sees live commits. */
	char *shm = xasprintf("%s-shm", f->path);
	assert_int_equal(access(shm, F_OK), 0);
	free(shm);
	lock_down(f);
	assert_int_equal(as_unprivileged(child_reads_live, f->path), 0);
}

static void test_readonly_snapshot_fallback(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct store *w = store_open(f->path, STORE_READWRITE, &e);
	assert_int_equal(store_meta_set(w, "plan_hash", "p1", &e), 0);
	store_close(w);
	/* A plain last close checkpoints and removes -wal and -shm. */
	sqlite3 *db = raw_open(f->path);
	raw_exec(db, "SELECT count(*) FROM meta");
	sqlite3_close(db);
	char *wal = xasprintf("%s-wal", f->path);
	assert_int_not_equal(access(wal, F_OK), 0);
	free(wal);
	lock_down(f);
	assert_int_equal(as_unprivileged(child_reads_snapshot, f->path), 0);
}

static void test_default_path(void **state)
{
	struct fixture *f = *state;
	unsetenv("WARROOM_DB");
	char *p = store_default_path("x.db", "plans/demo");
	assert_string_equal(p, "x.db");
	free(p);
	p = store_default_path(NULL, "plans/demo");
	assert_string_equal(p, "plans/demo/warroom.db");
	free(p);
	char *plan = xasprintf("%s/plan.yaml", f->dir);
	assert_int_equal(util_write_file_atomic(plan, "x: 1\n", 5, NULL), 0);
	p = store_default_path(NULL, plan);
	assert_string_equal(p, f->path);
	free(p);
	unlink(plan);
	free(plan);
	p = store_default_path(NULL, NULL);
	assert_string_equal(p, "./warroom.db");
	free(p);
	setenv("WARROOM_DB", "/srv/wr.db", 1);
	p = store_default_path(NULL, "plans/demo");
	assert_string_equal(p, "/srv/wr.db");
	free(p);
	unsetenv("WARROOM_DB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_older, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_keeps_rows_and_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_file_accepts_integration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_table_from_v5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_refuses_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_unprivileged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_snapshot_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
