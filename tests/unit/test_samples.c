/* Unit tests for samples over a real SQLite file: append, latest, series,
 * the program pass rate, and the state-serial bump consoles rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/parity.h"
#include "warroom/samples.h"
#include "warroom/store.h"

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
	char wal[128];
	unlink(f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latest_and_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_pass_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_bump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_parity, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
