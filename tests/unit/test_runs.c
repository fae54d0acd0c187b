/* Unit tests for runs over a real SQLite file: run rows and their state
 * serial, step attempts (a rerun keeps its attempt), waiting steps, output
 * since a sequence number, ticks, gates, sign-offs, leases that exclude a
 * second holder, and wave controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "warroom/ident.h"
#include "warroom/runs.h"
#include "warroom/store.h"
#include "data/scratch_db.h"

struct fixture {
	char dir[64];
	char *path;
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/wr-runs-XXXXXX", P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/warroom.db", f->dir);
	struct err e = {{0}};
	f->st = store_open(f->path, STORE_READWRITE, &e);
	if (!f->st || runs_ensure(f->st, "acct-1", "canary", &e) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	scratch_db_remove(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void test_run_rows_and_serial(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	int64_t s0 = runs_serial(f->st, "acct-1", &e);
	assert_true(s0 >= 0);
	assert_int_equal(runs_serial(f->st, "nobody", &e), 0);
	assert_int_equal(runs_set_state(f->st, "acct-1", ENGINE_RUN_RUNNING, "p1", "s1", &e), 0);
	assert_int_equal(runs_serial(f->st, "acct-1", &e), s0 + 1);
	struct runs_summary s;
	assert_int_equal(runs_get(f->st, "acct-1", &s, &e), 1);
	assert_int_equal(s.state, ENGINE_RUN_RUNNING);
	assert_string_equal(s.phase_id, "p1");
	assert_string_equal(s.wave, "canary");
	assert_null(s.halted_reason);
	runs_summary_free(&s);
	assert_int_equal(runs_set_halted(f->st, "acct-1", "customer veto", &e), 0);
	assert_int_equal(runs_get(f->st, "acct-1", &s, &e), 1);
	assert_int_equal(s.state, ENGINE_RUN_HALTED);
	assert_string_equal(s.halted_reason, "customer veto");
	runs_summary_free(&s);
	assert_int_equal(runs_ensure(f->st, "acct-2", "ramp", &e), 0);
	struct runs_summary *all = NULL;
	size_t n = 0;
	assert_int_equal(runs_list(f->st, &all, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].account, "acct-1");
	assert_string_equal(all[1].account, "acct-2");
	runs_summary_list_free(all, n);
	assert_int_equal(runs_get(f->st, "nobody", &s, &e), 0);
}

/* Many accounts at once: only the missing rows are created, existing ones
 * keep their state, and a second call with nothing missing writes nothing. */
static void test_ensure_all(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	assert_int_equal(runs_set_state(f->st, "acct-1", ENGINE_RUN_RUNNING, "p1", "s1", &e), 0);
	const char *ids[] = {"acct-9", "acct-1", "acct-3", "acct-0"};
	const char *waves[] = {"ramp", "other", NULL, "canary"};
	assert_int_equal(runs_ensure_all(f->st, ids, waves, 4, &e), 0);
	struct runs_summary *all = NULL;
	size_t n = 0;
	assert_int_equal(runs_list(f->st, &all, &n, &e), 0);
	assert_int_equal(n, 4);
	static const char *const want[] = {"acct-0", "acct-1", "acct-3", "acct-9"};
	static const char *const want_wave[] = {"canary", "canary", "", "ramp"};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(all[i].account, want[i]);
		assert_string_equal(all[i].wave ? all[i].wave : "", want_wave[i]);
	}
	assert_int_equal(all[1].state, ENGINE_RUN_RUNNING); /* untouched */
	runs_summary_list_free(all, n);
	int before = sqlite3_total_changes(store_db(f->st));
	assert_int_equal(runs_ensure_all(f->st, ids, waves, 4, &e), 0);
	assert_int_equal(sqlite3_total_changes(store_db(f->st)), before);
	/* one more at the end of the order, and none at all */
	const char *more[] = {"acct-1", "zz-last"};
	assert_int_equal(runs_ensure_all(f->st, more, waves, 2, &e), 0);
	assert_int_equal(sqlite3_total_changes(store_db(f->st)), before + 1);
	assert_int_equal(runs_ensure_all(f->st, NULL, NULL, 0, &e), 0);
}

static struct runs_step *find_step(struct runs_step *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].step_id, id) == 0)
			return &v[i];
	return NULL;
}

static void test_step_attempts(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	int64_t id, att;
	assert_int_equal(runs_step_begin(f->st, "acct-1", "p1", "s1", "alice", &id, &att, &e), 0);
	assert_int_equal(att, 1);
	assert_int_equal(runs_step_set(f->st, id, ENGINE_STEP_WAITING, "tick 1. x", NULL, &e), 0);
	struct runs_step *v = NULL;
	size_t n = 0;
	assert_int_equal(runs_steps(f->st, "acct-1", &v, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].state, ENGINE_STEP_WAITING);
	assert_string_equal(v[0].waiting, "tick 1. x");
	assert_string_equal(v[0].actor, "alice");
	runs_step_list_free(v, n);
	/* A waiting step is not "running" for crash recovery. */
	char **accts, **steps;
	int64_t *ids;
	assert_int_equal(runs_running_steps(f->st, &accts, &steps, &ids, &n, &e), 0);
	assert_int_equal(n, 0);
	free(accts), free(steps), free(ids);

	assert_int_equal(runs_step_set(f->st, id, ENGINE_STEP_FAILED, NULL, "boom", &e), 0);
	assert_int_equal(runs_step_reset(f->st, "acct-1", "p1", "s1", &e), 0);
	int64_t id2, att2;
	assert_int_equal(runs_step_begin(f->st, "acct-1", "p1", "s1", "bob", &id2, &att2, &e), 0);
	assert_int_equal(att2, 2);       /* the reset row is reused: attempt 2 */
	assert_true(id2 != id);
	assert_int_equal(runs_running_steps(f->st, &accts, &steps, &ids, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(steps[0], "s1");
	assert_int_equal(ids[0], id2);
	free(accts[0]), free(steps[0]);
	free(accts), free(steps), free(ids);
	assert_int_equal(runs_steps(f->st, "acct-1", &v, &n, &e), 0);
	struct runs_step *s = find_step(v, n, "s1");
	assert_non_null(s);
	assert_int_equal(s->attempt, 2);   /* only the newest attempt */
	assert_int_equal(s->state, ENGINE_STEP_RUNNING);
	runs_step_list_free(v, n);
}

static void test_output_since(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	int64_t id, att;
	assert_int_equal(runs_step_begin(f->st, "acct-1", "p1", "s2", "alice", &id, &att, &e), 0);
	const char *chunks[] = {"one\n", "two\n", "three\n"};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(runs_output_append(f->st, id, "acct-1", "s2", "stdout", chunks[i],
						    strlen(chunks[i]), &e), 0);
	struct runs_output *o = NULL;
	size_t n = 0;
	assert_int_equal(runs_output_since(f->st, id, 0, 0, &o, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(o[2].chunk, "three\n");
	int64_t after = o[0].seq;
	runs_output_list_free(o, n);
	assert_int_equal(runs_output_since(f->st, id, after, 1, &o, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].chunk, "two\n");
	assert_string_equal(o[0].stream, "stdout");
	runs_output_list_free(o, n);
}

static void test_ticks_gates_signoffs(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	int64_t s0 = runs_serial(f->st, "acct-1", &e);
	assert_int_equal(runs_ticked(f->st, "acct-1", "gate", "g1", "CS agrees", &e), 0);
	assert_int_equal(runs_tick(f->st, "acct-1", "gate", "g1", "CS agrees", "heidi", &e), 0);
	assert_int_equal(runs_tick(f->st, "acct-1", "gate", "g1", "CS agrees", "heidi", &e), 0);
	assert_int_equal(runs_ticked(f->st, "acct-1", "gate", "g1", "CS agrees", &e), 1);
	assert_true(runs_serial(f->st, "acct-1", &e) > s0);
	assert_int_equal(runs_untick_all(f->st, "acct-1", "gate", "g1", &e), 0);
	assert_int_equal(runs_ticked(f->st, "acct-1", "gate", "g1", "CS agrees", &e), 0);

	assert_int_equal(runs_gate_set(f->st, "acct-1", "p1", "g1", ENGINE_GATE_WAITING, "sign", &e), 0);
	assert_int_equal(runs_gate_set(f->st, "acct-1", "p1", "g1", ENGINE_GATE_PASSED, "ok", &e), 0);
	struct runs_gate *g = NULL;
	size_t n = 0;
	assert_int_equal(runs_gates(f->st, "acct-1", &g, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].state, ENGINE_GATE_PASSED);
	assert_string_equal(g[0].detail, "ok");
	runs_gate_list_free(g, n);

	int64_t serial = runs_serial(f->st, "acct-1", &e);
	assert_int_equal(runs_signoff_add(f->st, "acct-1", "g1", "SRE Lead", "frank", 1, NULL, "abc",
					  serial, "[]", &e), 0);
	assert_int_equal(runs_signoff_add(f->st, "acct-1", "g1", "DBA Lead", "erin", 0, "not yet",
					  "abc", serial, NULL, &e), 0);
	/* Signing does not itself make earlier sign-offs stale. */
	assert_int_equal(runs_serial(f->st, "acct-1", &e), serial);
	struct runs_signoff *s = NULL;
	assert_int_equal(runs_signoffs(f->st, "acct-1", "g1", &s, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].decision, "sign");
	assert_string_equal(s[1].decision, "reject");
	assert_string_equal(s[1].reason, "not yet");
	assert_int_equal(s[1].state_serial, serial);
	runs_signoff_list_free(s, n);
	assert_int_equal(runs_check_result(f->st, "acct-1", "gate", "g1", "probe", "sideways", NULL,
					   NULL, &e), -1); /* the store's CHECK holds */
}

static void test_leases(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	int64_t id = 0, id2 = 0;
	struct runs_lease held;
	assert_int_equal(runs_lease_acquire(f->st, "acct-1/s1", "run step s1", &id, &held, &e), 0);
	assert_true(id > 0);
	/* A second holder is refused and told who holds it. */
	assert_int_equal(runs_lease_acquire(f->st, "acct-1/s1", "run step s1", &id2, &held, &e), 1);
	assert_int_equal(held.id, id);
	char desc[512];
	runs_lease_describe(&held, desc, sizeof(desc));
	char want[400];
	snprintf(want, sizeof(want), "running by %s@%s since ", ident_get()->login, ident_get()->host);
	assert_non_null(strstr(desc, want));
	/* Held by this live process: not dead; with a heartbeat long gone: dead. */
	assert_false(runs_lease_dead(&held, util_now_ms(), 30000));
	assert_true(runs_lease_dead(&held, util_now_ms() + 60000, 30000));
	struct runs_lease gone = held;
	gone.pid = 999999999; /* no such process on this host */
	assert_true(runs_lease_dead(&gone, util_now_ms(), 30000));
	assert_int_equal(runs_lease_heartbeat(f->st, id, &e), 0);
	assert_int_equal(runs_lease_release(f->st, id, &e), 0);
	assert_int_equal(runs_lease_get(f->st, "acct-1/s1", &held, &e), 0);
	assert_int_equal(runs_lease_acquire(f->st, "acct-1/s1", "again", &id2, &held, &e), 0);
	assert_true(id2 > 0);
	assert_int_equal(runs_lease_by_id(f->st, id2, &held, &e), 1);
	assert_string_equal(held.operation, "again");
}

static void test_waves(void **state)
{
	struct fixture *f = *state;
	struct err e = {{0}};
	struct runs_wave w;
	assert_int_equal(runs_wave_get(f->st, "canary", &w, &e), 0);
	assert_string_equal(w.state, "idle");
	assert_int_equal(runs_wave_set(f->st, "canary", "running", -1, "alice", &e), 0);
	assert_int_equal(runs_wave_set(f->st, "canary", NULL, 2, "alice", &e), 0);
	assert_int_equal(runs_wave_get(f->st, "canary", &w, &e), 1);
	assert_string_equal(w.state, "running");
	assert_int_equal(w.throttle, 2);
	assert_int_equal(runs_wave_set(f->st, "canary", "postponed", -1, "bob", &e), 0);
	assert_int_equal(runs_wave_get(f->st, "canary", &w, &e), 1);
	assert_string_equal(w.state, "postponed");
	assert_int_equal(w.throttle, 2);
	assert_int_equal(runs_wave_set(f->st, "canary", "sideways", -1, "bob", &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_rows_and_serial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ensure_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_attempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ticks_gates_signoffs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
