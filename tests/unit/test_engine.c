/* Unit tests for engine: what comes next, failures, rollback order,
 * readiness, waves, stop-the-line, sign-off quorum and staleness. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "warroom/engine.h"

/* Two phases: p1 = s1, s2 (gate, rollback response); p2 = s3-cutover, s4 (gate, block). */
struct fixture {
	struct engine_step steps[4];
	struct engine_phase phases[2];
	struct engine_run run;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	static const char *const ids[] = {"s1", "s2", "s3-cutover", "s4"};
	for (size_t i = 0; i < 4; i++) {
		f->steps[i].id = ids[i];
		f->steps[i].phase = i / 2;
		f->steps[i].flags = ENGINE_STEP_HAS_ROLLBACK;
		f->steps[i].state = ENGINE_STEP_PENDING;
	}
	f->steps[2].flags |= ENGINE_STEP_CUTOVER;
	f->phases[0] = (struct engine_phase){"p1", 1, ENGINE_GATE_PENDING, ENGINE_RESPOND_ROLLBACK};
	f->phases[1] = (struct engine_phase){"p2", 1, ENGINE_GATE_PENDING, ENGINE_RESPOND_BLOCK};
	f->run = (struct engine_run){f->steps, 4, f->phases, 2, ENGINE_RUN_IDLE, 0};
}

static void expect_next(const struct engine_run *r, enum engine_next_kind k, size_t index)
{
	struct engine_next n = engine_next(r);
	if (n.kind != k || n.index != index)
		fail_msg("next: kind %d index %zu (%s), want %d %zu", n.kind, n.index, n.why, k, index);
}

static void test_walk(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct engine_run *r = &f.run;
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_IDLE);
	expect_next(r, ENGINE_NEXT_STEP, 0);
	f.steps[0].state = ENGINE_STEP_RUNNING;
	expect_next(r, ENGINE_NEXT_BUSY, 0);
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_RUNNING);
	f.steps[0].state = ENGINE_STEP_SUCCEEDED;
	expect_next(r, ENGINE_NEXT_STEP, 1);
	f.steps[1].state = ENGINE_STEP_WAITING;
	expect_next(r, ENGINE_NEXT_WAIT, 1);
	f.steps[1].state = ENGINE_STEP_SKIPPED;
	expect_next(r, ENGINE_NEXT_GATE, 0);
	f.phases[0].gate = ENGINE_GATE_WAITING;
	expect_next(r, ENGINE_NEXT_WAIT, 0);
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_WAITING);
	f.phases[0].gate = ENGINE_GATE_PASSED;
	expect_next(r, ENGINE_NEXT_STEP, 2);
	r->postponed = 1;
	expect_next(r, ENGINE_NEXT_WAIT, 2);
	assert_non_null(strstr(engine_next(r).why, "postponed before cut-over"));
	r->postponed = 0;
	f.steps[2].state = ENGINE_STEP_SUCCEEDED;
	f.steps[3].state = ENGINE_STEP_SUCCEEDED;
	expect_next(r, ENGINE_NEXT_GATE, 1);
	f.phases[1].gate = ENGINE_GATE_PASSED;
	expect_next(r, ENGINE_NEXT_DONE, 0);
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_DONE);
	f.phases[1].gate = ENGINE_GATE_REJECTED;
	expect_next(r, ENGINE_NEXT_STOPPED, 1);
	/* An unknown step anywhere waits for reconciliation first. */
	f.steps[3].state = ENGINE_STEP_UNKNOWN;
	expect_next(r, ENGINE_NEXT_WAIT, 3);
	assert_non_null(strstr(engine_next(r).why, "reconcile"));
	r->state = ENGINE_RUN_HALTED;
	expect_next(r, ENGINE_NEXT_STOPPED, 0);
}

static void test_failure_and_rollback(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct engine_run *r = &f.run;
	assert_int_equal(engine_on_failure(r, 0, 0), ENGINE_RESPOND_ROLLBACK);
	assert_int_equal(engine_on_failure(r, 0, 1), ENGINE_RESPOND_BLOCK);
	assert_int_equal(engine_on_failure(r, 1, 0), ENGINE_RESPOND_BLOCK);
	f.phases[1].has_gate = 0;
	f.phases[1].failure_response = ENGINE_RESPOND_ROLLBACK;
	assert_int_equal(engine_on_failure(r, 1, 0), ENGINE_RESPOND_BLOCK);

	size_t out[4];
	f.steps[0].state = ENGINE_STEP_SUCCEEDED;
	f.steps[1].state = ENGINE_STEP_FAILED;
	assert_int_equal(engine_rollback_order(r, ENGINE_ROLLBACK_PHASE, 0, out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 0);
	assert_int_equal(engine_rollback_order(r, ENGINE_ROLLBACK_PHASE, 1, out), 0);
	assert_int_equal(engine_rollback_order(r, ENGINE_ROLLBACK_STEP, 0, out), 1);
	assert_int_equal(engine_rollback_order(r, ENGINE_ROLLBACK_STEP, 9, out), 0);
	f.steps[2].state = ENGINE_STEP_SUCCEEDED;
	f.steps[3].state = ENGINE_STEP_PENDING;
	assert_int_equal(engine_rollback_order(r, ENGINE_ROLLBACK_FULL, 0, out), 3);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[2], 0);

	char why[256];
	assert_int_equal(engine_rollback_ready(r, why, sizeof(why)), 1);
	f.steps[2].flags = ENGINE_STEP_MANUAL_ROLLBACK;
	assert_int_equal(engine_rollback_ready(r, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "s3-cutover has only a manual rollback"));

	for (size_t i = 0; i < 4; i++)
		f.steps[i].state = i < 2 ? ENGINE_STEP_ROLLED_BACK : ENGINE_STEP_PENDING;
	expect_next(r, ENGINE_NEXT_STOPPED, 0);
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_ROLLED_BACK);
	f.steps[0].state = ENGINE_STEP_ROLLING_BACK;
	assert_int_equal(engine_run_state_of(r), ENGINE_RUN_ROLLING_BACK);
}

/* A run given a selection (--step, --phase) stops at its end: a step past
 * it, or the gate of the selected step's phase, is past it. */
static void test_selection(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct engine_run *r = &f.run;
	struct engine_next step1 = {ENGINE_NEXT_STEP, 1, ""}, step2 = {ENGINE_NEXT_STEP, 2, ""};
	struct engine_next gate0 = {ENGINE_NEXT_GATE, 0, ""}, gate1 = {ENGINE_NEXT_GATE, 1, ""};
	struct engine_next wait = {ENGINE_NEXT_WAIT, 3, ""};
	assert_false(engine_past_selection(r, &step2, -1, -1)); /* no selection */
	/* --step s1: s2 and p1's gate are past it */
	assert_true(engine_past_selection(r, &step1, -1, 0));
	assert_true(engine_past_selection(r, &gate0, -1, 0));
	/* --step s2 (last of p1): its phase's gate too */
	assert_false(engine_past_selection(r, &step1, -1, 1));
	assert_true(engine_past_selection(r, &gate0, -1, 1));
	assert_true(engine_past_selection(r, &step2, -1, 1));
	/* --phase p1: its gate is in it, p2 is past it */
	assert_false(engine_past_selection(r, &step1, 0, -1));
	assert_false(engine_past_selection(r, &gate0, 0, -1));
	assert_true(engine_past_selection(r, &step2, 0, -1));
	assert_true(engine_past_selection(r, &gate1, 0, -1));
	assert_false(engine_past_selection(r, &gate1, 1, -1));
	/* a step selection wins over a phase one; a wait is never past */
	assert_true(engine_past_selection(r, &step1, 1, 0));
	assert_false(engine_past_selection(r, &wait, 0, 0));
}

/* Drift is watched once a cut-over step succeeded, until it is undone or
 * the run halts. */
static void test_past_cutover(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f);
	struct engine_run *r = &f.run;
	assert_false(engine_past_cutover(r));
	f.steps[0].state = f.steps[1].state = ENGINE_STEP_SUCCEEDED;
	assert_false(engine_past_cutover(r)); /* s1, s2 are not cut-overs */
	f.steps[2].state = ENGINE_STEP_RUNNING;
	assert_false(engine_past_cutover(r));
	f.steps[2].state = ENGINE_STEP_SUCCEEDED;
	assert_true(engine_past_cutover(r));
	f.run.state = ENGINE_RUN_HALTED;
	assert_false(engine_past_cutover(r));
	f.run.state = ENGINE_RUN_RUNNING;
	f.steps[2].state = ENGINE_STEP_ROLLED_BACK;
	assert_false(engine_past_cutover(r));
}

static void test_names(void **state)
{
	(void)state;
	for (int s = 0; s < ENGINE_STEP_STATE_COUNT; s++)
		assert_int_equal(engine_step_state_parse(engine_step_state_name(s)), s);
	for (int s = 0; s < ENGINE_GATE_STATE_COUNT; s++)
		assert_int_equal(engine_gate_state_parse(engine_gate_state_name(s)), s);
	for (int s = 0; s < ENGINE_RUN_STATE_COUNT; s++)
		assert_int_equal(engine_run_state_parse(engine_run_state_name(s)), s);
	assert_int_equal(engine_failure_response_parse("manual_decision"), ENGINE_RESPOND_MANUAL_DECISION);
	assert_int_equal(engine_rollback_level_parse("full"), ENGINE_ROLLBACK_FULL);
	assert_int_equal(engine_step_state_parse("bogus"), -1);
	assert_int_equal(engine_step_state_parse(NULL), -1);
}

static void test_wave(void **state)
{
	(void)state;
	char why[256];
	struct engine_wave w = {.total = 10, .max_concurrency = 2, .failure_threshold = 0.5};
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 1);
	w.launched = 2, w.running = 2;
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "at most 2"));
	w.running = 1, w.failed = 1; /* 1/2 = 50%: not over */
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 1);
	w.launched = 3, w.failed = 2, w.running = 0;
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "failure ratio 2/3"));
	w.failed = 0, w.postponed = 1;
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 0);
	w.postponed = 0, w.launched = 10;
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 0);
	w.launched = 3, w.max_concurrency = 0; /* throttled to nothing still means one */
	assert_int_equal(engine_wave_may_launch(&w, why, sizeof(why)), 1);
}

static void test_stop_the_line(void **state)
{
	(void)state;
	char why[256];
	struct engine_stl_limits lim = {0.001, 30 * 60 * 1000, 0.5, 1};
	struct engine_stl_inputs in = {-1, -1, -1, NULL, 0, NULL};
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 0);
	in.invariant_fail_share = 0.0005;
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 0);
	in.invariant_fail_share = 0.002;
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "invariant breach"));
	in.invariant_fail_share = 0;
	in.oldest_unexplained_drift_ms = 31 * 60 * 1000;
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "drift unexplained"));
	in.oldest_unexplained_drift_ms = 0;
	in.error_budget_burn = 0.6;
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	in.error_budget_burn = 0.1;
	/* a metric fires in the direction its threshold is written */
	struct engine_reading rd[2];
	struct err e = {{0}};
	assert_int_equal(cond_threshold_parse("< 50", &rd[0].critical, &e), 0);
	snprintf(rd[0].critical.metric, sizeof(rd[0].critical.metric), "throughput");
	assert_int_equal(cond_threshold_parse("1%", &rd[1].critical, &e), 0);
	snprintf(rd[1].critical.metric, sizeof(rd[1].critical.metric), "error_rate");
	rd[0].value = 120, rd[1].value = 0.005;
	in.metrics = rd, in.n_metrics = 2;
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 0);
	rd[1].value = 0.02; /* over: an upper limit crossed */
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	assert_string_equal(why, "metric error_rate = 2%, over its critical threshold > 1%");
	rd[1].value = 0.005, rd[0].value = 12.5; /* below: a floor crossed */
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	assert_string_equal(why, "metric throughput = 12.5, below its critical threshold < 50");
	rd[0].value = 50; /* at the floor is not below it */
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 0);
	rd[0].value = NAN; /* no number: not a crossing */
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 0);
	in.n_metrics = 0;
	in.veto = "customer asked to stop";
	assert_int_equal(engine_stop_the_line(&lim, &in, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "customer veto"));
	struct engine_stl_limits none = {-1, -1, -1, 0};
	in.veto = NULL, in.invariant_fail_share = 0.9;
	assert_int_equal(engine_stop_the_line(&none, &in, why, sizeof(why)), 0);
}

static void test_signoff(void **state)
{
	(void)state;
	char why[256];
	struct engine_approver roles[] = {{"DBA Lead", 2}, {"SRE Lead", 0}};
	struct engine_signoff sigs[] = {
		{"DBA Lead", "ann", 1, "h1", 5},
		{"DBA Lead", "ann", 1, "h1", 5}, /* the same person twice counts once */
		{"SRE Lead", "bob", 1, "h1", 5},
		{"DBA Lead", "cid", 1, "h1", 4}, /* stale: state moved on */
	};
	assert_int_equal(engine_gate_approval(roles, 2, sigs, 4, "h1", 5, why, sizeof(why)),
			 ENGINE_APPROVAL_PENDING);
	assert_string_equal(why, "DBA Lead 1/2 (1 stale)");
	sigs[3].state_serial = 5;
	assert_int_equal(engine_gate_approval(roles, 2, sigs, 4, "h1", 5, why, sizeof(why)),
			 ENGINE_APPROVAL_GRANTED);
	/* A plan change makes every sign-off stale. */
	assert_int_equal(engine_gate_approval(roles, 2, sigs, 4, "h2", 5, why, sizeof(why)),
			 ENGINE_APPROVAL_PENDING);
	struct engine_signoff rej[] = {{"SRE Lead", "bob", 0, "h1", 5}};
	assert_int_equal(engine_gate_approval(roles, 2, rej, 1, "h1", 5, why, sizeof(why)),
			 ENGINE_APPROVAL_REJECTED);
	assert_non_null(strstr(why, "bob"));
	assert_int_equal(engine_gate_approval(roles, 2, rej, 1, "h1", 6, why, sizeof(why)),
			 ENGINE_APPROVAL_PENDING);
	assert_true(engine_signoff_stale(&sigs[0], "h1", 6));
	assert_false(engine_signoff_stale(&sigs[0], "h1", 5));
}

static void test_confirm(void **state)
{
	(void)state;
	assert_true(engine_confirm_ok("acme", "acme"));
	assert_true(engine_confirm_ok("acme", " acme\n"));
	assert_false(engine_confirm_ok("acme", "y"));
	assert_false(engine_confirm_ok("acme", "acm"));
	assert_false(engine_confirm_ok("acme", "acmee"));
	assert_false(engine_confirm_ok("acme", ""));
	assert_false(engine_confirm_ok("", ""));
	assert_false(engine_confirm_ok("acme", NULL));
	assert_true(engine_step_is_cutover("s3-Cutover-dns", 0));
	assert_true(engine_step_is_cutover("cut_over", 0));
	assert_true(engine_step_is_cutover("x", 1));
	assert_false(engine_step_is_cutover("backfill", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_failure_and_rollback),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_past_cutover),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_wave),
		cmocka_unit_test(test_stop_the_line),
		cmocka_unit_test(test_signoff),
		cmocka_unit_test(test_confirm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
