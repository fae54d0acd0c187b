/* Unit tests for samples over a real SQLite file: append, latest, series,
 * the program pass rate, the state-serial bump consoles rely on, and the
 * table of newest samples against the history it is kept from (random
 * appends, hand edits, a writer killed mid-append). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/parity.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "data/scratch_db.h"

struct fx {
	char dir[64];
	char path[96];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/wr-samples-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/w.db", f->dir);
	struct err e = {{0}};
	f->st = store_open(f->path, STORE_READWRITE, &e);
	if (!f->st) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
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

static void add(struct store *st, const char *acct, const char *name, double v, int64_t p,
		int64_t n, int64_t at)
{
	struct sample s = {.account = (char *)acct, .kind = (char *)SAMPLE_PARITY,
			   .name = (char *)name, .value = v, .passed = p, .evaluated = n, .at_ms = at};
	struct err e = {{0}};
	assert_int_equal(samples_append(st, &s, &e), 0);
	assert_true(s.id > 0);
}

static void test_latest_and_series(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 30; i++)
		add(f->st, "acme", "hash/service", i / 30.0, i, 30, 1000 + i);
	add(f->st, "other", "hash/service", 0.5, 1, 2, 5000);
	struct sample s;
	struct err e = {{0}};
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, "hash/service", &s, &e), 1);
	assert_int_equal(s.passed, 29);
	assert_int_equal(s.at_ms, 1029);
	assert_string_equal(s.account, "acme");
	sample_free(&s);
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, "nothing", &s, &e), 0);
	double *v;
	size_t n;
	assert_int_equal(samples_series(f->st, "acme", SAMPLE_PARITY, "hash/service", 10, &v, &n, &e), 0);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++) /* the newest ten, oldest first */
		assert_true(v[i] > (20 + (double)i) / 30.0 - 1e-9 && v[i] < (20 + (double)i) / 30.0 + 1e-9);
	free(v);
}

static void test_program_pass_rate(void **state)
{
	struct fx *f = *state;
	double r;
	int64_t p, n;
	struct err e = {{0}};
	assert_int_equal(samples_program_pass_rate(f->st, &r, &p, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_true(r == 1.0);
	add(f->st, "a", SAMPLE_PASS_RATE, 0.1, 1, 10, 100);
	add(f->st, "a", SAMPLE_PASS_RATE, 0.9, 9, 10, 200); /* newer: replaces the one above */
	add(f->st, "b", SAMPLE_PASS_RATE, 1.0, 10, 10, 150);
	add(f->st, "b", "hash/user", 0.0, 0, 100, 300);     /* not a pass rate */
	add(f->st, "c", SAMPLE_PASS_RATE, 0.0, 0, 10, 400);
	add(f->st, "c", SAMPLE_PASS_RATE, 1.0, 10, 10, 400); /* same time: the later row wins */
	p = n = 0;
	assert_int_equal(samples_program_pass_rate(f->st, &r, &p, &n, &e), 0);
	assert_int_equal(p, 29);
	assert_int_equal(n, 30);
	assert_int_equal(store_exec(f->st, "DELETE FROM samples WHERE account = 'c'", &e), 0);
	assert_int_equal(samples_program_pass_rate(f->st, &r, &p, &n, &e), 0);
	assert_int_equal(p, 19);
	assert_int_equal(n, 20);
	assert_true(r > 0.9499 && r < 0.9501);
	struct sample_list l;
	assert_int_equal(samples_latest_all(f->st, "b", &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "hash/user");
	assert_string_equal(l.items[1].name, SAMPLE_PASS_RATE);
	sample_list_free(&l);
}

/* The dashboard finds each account's samples in the whole list by binary
 * search: every account's run, none missed or borrowed from a neighbour. */
static void test_list_account(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	static const char *const accounts[] = {"a", "ab", "b", "b-1", "c"};
	for (size_t i = 0; i < 5; i++)
		for (size_t k = 0; k <= i; k++) { /* account i has i+1 names */
			char name[16];
			snprintf(name, sizeof(name), "n%zu", k);
			add(f->st, accounts[i], name, (double)i, 1, 1, 100);
		}
	struct sample_list l;
	assert_int_equal(samples_latest_all(f->st, NULL, &l, &e), 0);
	assert_int_equal(l.n, 15);
	for (size_t i = 0; i < 5; i++) {
		size_t n = 0;
		const struct sample *s = sample_list_account(&l, accounts[i], &n);
		assert_int_equal(n, i + 1);
		for (size_t k = 0; k < n; k++) {
			assert_string_equal(s[k].account, accounts[i]);
			assert_true(s[k].value == (double)i);
		}
	}
	size_t n = 9;
	assert_null(sample_list_account(&l, "aa", &n));
	assert_int_equal(n, 0);
	assert_null(sample_list_account(&l, "z", &n));
	assert_null(sample_list_account(&l, "", &n));
	sample_list_free(&l);
	struct sample_list empty = {0};
	assert_null(sample_list_account(&empty, "a", &n));
}

static void test_serial_bump(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	assert_int_equal(store_exec(f->st, "INSERT INTO runs(account, updated_ms) VALUES ('acme', 1)", &e), 0);
	add(f->st, "acme", SAMPLE_PASS_RATE, 1, 1, 1, 10);
	add(f->st, "acme", SAMPLE_PASS_RATE, 1, 1, 1, 11);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
		"SELECT state_serial FROM runs WHERE account='acme'", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), 2);
	sqlite3_finalize(q);
	/* a sample without an account is refused with a message */
	struct sample bad = {.kind = (char *)SAMPLE_PARITY};
	assert_int_equal(samples_append(f->st, &bad, &e), -1);
	assert_non_null(strstr(e.msg, "account"));
}

static struct entity *mk(const char *json)
{
	struct err e = {{0}};
	struct entity *en = entity_new(ENTITY_TEAM, cJSON_Parse(json), &e);
	assert_non_null(en);
	return en;
}

/* A real comparison stored as samples: the names the console and the
 * report read, with the figures of the comparison. */
static void test_append_parity(void **state)
{
	struct fx *f = *state;
	struct entity_set a = {0}, b = {0};
	entity_set_add(&a, mk("{\"id\":\"T1\",\"name\":\"core\"}"));
	entity_set_add(&a, mk("{\"id\":\"T2\",\"name\":\"edge\"}"));
	entity_set_add(&b, mk("{\"id\":\"T1\",\"name\":\"core\"}"));
	entity_set_add(&b, mk("{\"id\":\"T2\",\"name\":\"EDGE\"}"));
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct parity_result r;
	struct err e = {{0}};
	assert_int_equal(parity_compare("acme", &a, &b, &cfg, NULL, NULL, 7000, &r, &e), 0);
	assert_int_equal(samples_append_parity(f->st, &r, 0, &e), 0);
	struct sample s;
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, "hash/team", &s, &e), 1);
	assert_int_equal(s.passed, 1);
	assert_int_equal(s.evaluated, 2);
	assert_int_equal(s.at_ms, 7000);
	sample_free(&s);
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, "count/team", &s, &e), 1);
	assert_int_equal(s.passed, 1);
	sample_free(&s);
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, SAMPLE_PASS_RATE, &s, &e), 1);
	assert_true(s.value > r.pass_rate - 1e-9 && s.value < r.pass_rate + 1e-9);
	sample_free(&s);
	/* no types that were absent on both sides */
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, "hash/user", &s, &e), 0);
	/* an A/A run is noise, never a pass rate */
	assert_int_equal(samples_append_parity(f->st, &r, 1, &e), 0);
	assert_int_equal(samples_latest(f->st, "acme", SAMPLE_PARITY, SAMPLE_NOISE, &s, &e), 1);
	sample_free(&s);
	double *v;
	size_t n;
	assert_int_equal(samples_series(f->st, "acme", SAMPLE_PARITY, SAMPLE_PASS_RATE, 10, &v, &n, &e), 0);
	assert_int_equal(n, 1);
	free(v);
	parity_result_free(&r);
	parity_config_free(&cfg);
	entity_set_free(&a);
	entity_set_free(&b);
}

/* ---- the table of newest samples against the history ---- */

static uint64_t rnd(uint64_t *x) /* xorshift64*: repeatable runs */
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static int64_t count(struct store *st, const char *sql)
{
	struct err e = {{0}};
	sqlite3_stmt *q = store_stmt(st, sql, &e);
	if (!q)
		fail_msg("%s", e.msg);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* The table equals the newest row of each series of the history, asked in
 * SQL another way than the triggers do (no greater row exists), every
 * column copied. */
static void assert_latest_is_history(struct store *st)
{
	int64_t series = count(st, "SELECT count(*) FROM (SELECT DISTINCT account, kind, name "
				   "FROM samples)");
	assert_int_equal(count(st, "SELECT count(*) FROM samples_latest"), series);
	assert_int_equal(count(st,
		"SELECT count(*) FROM samples_latest l JOIN samples s ON s.id = l.id "
		"AND s.account = l.account AND s.kind = l.kind AND s.name = l.name "
		"AND s.ts_ms = l.ts_ms AND s.value IS l.value AND s.passed IS l.passed "
		"AND s.evaluated IS l.evaluated WHERE NOT EXISTS (SELECT 1 FROM samples t "
		"WHERE t.account = l.account AND t.kind = l.kind AND t.name = l.name "
		"AND (t.ts_ms > l.ts_ms OR (t.ts_ms = l.ts_ms AND t.id > l.id)))"), series);
}

enum { N_ACCTS = 4, N_KINDS = 5, N_NAMES = 3, N_SERIES = N_ACCTS * N_KINDS * N_NAMES };
static const char *const r_accts[N_ACCTS] = {"a", "a-1", "b", "c"};
static const char *const r_kinds[N_KINDS] = {SAMPLE_DRIFT, SAMPLE_INTEGRATION, SAMPLE_INVARIANT,
					     SAMPLE_METRIC, SAMPLE_PARITY};
static const char *const r_names[N_NAMES] = {"", "pass_rate", "x"};

/* What the test appended, to compute the newest of each series in C. */
struct row {
	int64_t id, at, passed;
	int series, gone;
	double value;
};

static const struct row *newest(const struct row *rows, size_t n, int series)
{
	const struct row *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (!rows[i].gone && rows[i].series == series &&
		    (!best || rows[i].at > best->at || (rows[i].at == best->at && rows[i].id > best->id)))
			best = &rows[i];
	return best;
}

/* Every reader of the newest samples answers what the rows say: the list in
 * (account, kind, name) order, and samples_latest series by series. */
static void assert_readers_match(struct store *st, const struct row *rows, size_t n)
{
	struct err e = {{0}};
	struct sample_list l;
	assert_int_equal(samples_latest_all(st, NULL, &l, &e), 0);
	size_t k = 0;
	for (int sr = 0; sr < N_SERIES; sr++) { /* the series in the list's order */
		const char *acct = r_accts[sr / (N_KINDS * N_NAMES)];
		const char *kind = r_kinds[sr / N_NAMES % N_KINDS];
		const char *name = r_names[sr % N_NAMES];
		const struct row *want = newest(rows, n, sr);
		struct sample s;
		assert_int_equal(samples_latest(st, acct, kind, name, &s, &e), want != NULL);
		if (!want)
			continue;
		assert_true(k < l.n);
		const struct sample *got = &l.items[k++];
		assert_string_equal(got->account, acct);
		assert_string_equal(got->kind, kind);
		assert_string_equal(got->name, name);
		assert_int_equal(got->id, want->id);
		assert_int_equal(got->at_ms, want->at);
		assert_int_equal(got->passed, want->passed);
		assert_true(got->value == want->value);
		assert_int_equal(s.id, want->id);
		sample_free(&s);
	}
	assert_int_equal(k, l.n);
	sample_list_free(&l);
}

/* Appends in random order of times (ties among them), then hand edits the
 * history as an operator's sqlite3 shell would: deletes, times moved, rows
 * moved to another series. After each, the table is the history's newest. */
static void test_latest_follows_history(void **state)
{
	struct fx *f = *state;
	struct err e = {{0}};
	uint64_t x = 0x5eed5eedULL;
	enum { APPENDS = 2000, BATCH = 100 };
	struct row *rows = calloc(APPENDS, sizeof(*rows));
	assert_non_null(rows);
	for (size_t i = 0; i < APPENDS; i++) {
		if (i % BATCH == 0)
			assert_int_equal(store_begin(f->st, &e), 0);
		int sr = (int)(rnd(&x) % N_SERIES);
		struct sample s = {.account = (char *)r_accts[sr / (N_KINDS * N_NAMES)],
				   .kind = (char *)r_kinds[sr / N_NAMES % N_KINDS],
				   .name = (char *)r_names[sr % N_NAMES],
				   .value = (double)(rnd(&x) % 1000) / 1000.0,
				   .passed = (int64_t)(rnd(&x) % 50), .evaluated = 50,
				   .at_ms = 1 + (int64_t)(rnd(&x) % 300)};
		assert_int_equal(samples_append(f->st, &s, &e), 0);
		rows[i] = (struct row){s.id, s.at_ms, s.passed, sr, 0, s.value};
		if (i % BATCH == BATCH - 1)
			assert_int_equal(store_commit(f->st, &e), 0);
	}
	assert_latest_is_history(f->st);
	assert_readers_match(f->st, rows, APPENDS);

	sqlite3 *db = store_db(f->st);
	sqlite3_stmt *del, *mv, *ren;
	assert_int_equal(sqlite3_prepare_v2(db, "DELETE FROM samples WHERE id = ?1", -1, &del, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE samples SET ts_ms = ?2 WHERE id = ?1", -1,
					    &mv, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE samples SET account = ?2, kind = ?3, "
					    "name = ?4 WHERE id = ?1", -1, &ren, NULL), SQLITE_OK);
	for (int i = 0; i < 600; i++) {
		struct row *r = &rows[rnd(&x) % APPENDS];
		if (r->gone)
			continue;
		/* a third of the edits aim at a series' newest row, the one that matters */
		if (i % 3 == 0)
			r = (struct row *)newest(rows, APPENDS, r->series);
		sqlite3_stmt *q = i % 5 < 2 ? del : i % 5 < 4 ? mv : ren;
		sqlite3_bind_int64(q, 1, r->id);
		if (q == del) {
			r->gone = 1;
		} else if (q == mv) {
			r->at = 1 + (int64_t)(rnd(&x) % 300);
			sqlite3_bind_int64(q, 2, r->at);
		} else {
			r->series = (int)(rnd(&x) % N_SERIES);
			sqlite3_bind_text(q, 2, r_accts[r->series / (N_KINDS * N_NAMES)], -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 3, r_kinds[r->series / N_NAMES % N_KINDS], -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 4, r_names[r->series % N_NAMES], -1, SQLITE_STATIC);
		}
		assert_int_equal(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
	sqlite3_finalize(del);
	sqlite3_finalize(mv);
	sqlite3_finalize(ren);
	assert_latest_is_history(f->st);
	assert_readers_match(f->st, rows, APPENDS);
	/* one statement over many rows: every series' rows but one account's gone */
	assert_int_equal(store_exec(f->st, "DELETE FROM samples WHERE account <> 'b'", &e), 0);
	for (size_t i = 0; i < APPENDS; i++)
		if (strcmp(r_accts[rows[i].series / (N_KINDS * N_NAMES)], "b"))
			rows[i].gone = 1;
	assert_latest_is_history(f->st);
	assert_readers_match(f->st, rows, APPENDS);
	free(rows);
}

/* A writer killed with SIGKILL at random points while it appends: whatever
 * it committed, the table of newest samples is never apart from the history
 * (the trigger writes it in the sample's own transaction). */
static void test_latest_survives_kill(void **state)
{
	struct fx *f = *state;
	for (int round = 0; round < 4; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			struct err e = {{0}};
			struct store *s = store_open(f->path, STORE_READWRITE, &e);
			if (!s)
				_exit(10);
			uint64_t x = 0x9e3779b97f4a7c15ULL + (uint64_t)round;
			for (;;) {
				int sr = (int)(rnd(&x) % N_SERIES);
				struct sample sm = {.account = (char *)r_accts[sr / (N_KINDS * N_NAMES)],
						    .kind = (char *)r_kinds[sr / N_NAMES % N_KINDS],
						    .name = (char *)r_names[sr % N_NAMES],
						    .value = (double)(rnd(&x) % 100), .passed = 1,
						    .evaluated = 2, .at_ms = 1 + (int64_t)(rnd(&x) % 500)};
				if (samples_append(s, &sm, &e) < 0)
					_exit(11);
				if (write(fds[1], "+", 1) != 1)
					_exit(12);
			}
		}
		close(fds[1]);
		/* let it commit a few (a different number each round), then kill it
		 * wherever it is: most of an append is its synced commit */
		char buf[16];
		for (int seen = 0; seen < 20 + round * 13;) {
			ssize_t got = read(fds[0], buf, sizeof(buf));
			assert_true(got > 0);
			seen += (int)got;
		}
		assert_int_equal(kill(pid, SIGKILL), 0);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		close(fds[0]);
		/* a fresh connection, as the next console would open it */
		struct err e = {{0}};
		struct store *s = store_open(f->path, STORE_READWRITE, &e);
		if (!s)
			fail_msg("%s", e.msg);
		assert_true(count(s, "SELECT count(*) FROM samples") >= 20 + round * 13);
		assert_latest_is_history(s);
		store_close(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latest_and_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_pass_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_bump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_parity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_follows_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_survives_kill, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
