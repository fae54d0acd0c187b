/* engine — the pure state machine of one account's run: which step or gate
 * comes next, what a failure leads to, in which order a rollback undoes
 * steps, whether a wave may launch another account, whether a stop-the-line
 * trigger fired, whether a gate's sign-offs are complete and fresh.
 *
 * No I/O: the runner (runner.h) builds a `struct engine_run` from the plan
 * and the store, asks engine_next() what to do, does it, records the result
 * and asks again. Everything here is decided from the data handed in, so the
 * console, the headless commands and the tests all see the same decisions. */
#ifndef WARROOM_ENGINE_H
#define WARROOM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/cond.h"

/* A step's state, stored as its name in step_runs.state. */
enum engine_step_state {
	ENGINE_STEP_PENDING,
	ENGINE_STEP_RUNNING,
	ENGINE_STEP_WAITING,      /* actions done; manual checks or Inconclusive await a person */
	ENGINE_STEP_SUCCEEDED,
	ENGINE_STEP_FAILED,
	ENGINE_STEP_ROLLING_BACK,
	ENGINE_STEP_ROLLED_BACK,
	ENGINE_STEP_SKIPPED,
	ENGINE_STEP_UNKNOWN,      /* was running when its process died: reconcile */
	ENGINE_STEP_STATE_COUNT
};

/* A gate's state for one account, stored as its name. */
enum engine_gate_state {
	ENGINE_GATE_PENDING,
	ENGINE_GATE_WAITING,      /* criteria held; sign-offs missing or stale */
	ENGINE_GATE_INCONCLUSIVE, /* a criterion was Inconclusive: a person decides */
	ENGINE_GATE_PASSED,
	ENGINE_GATE_FAILED,
	ENGINE_GATE_REJECTED,     /* an approver said no-go */
	ENGINE_GATE_STATE_COUNT
};

/* The account's run, stored as its name in runs.state. */
enum engine_run_state {
	ENGINE_RUN_IDLE,
	ENGINE_RUN_RUNNING,
	ENGINE_RUN_WAITING,
	ENGINE_RUN_DONE,
	ENGINE_RUN_FAILED,
	ENGINE_RUN_ROLLING_BACK,
	ENGINE_RUN_ROLLED_BACK,
	ENGINE_RUN_HALTED,
	ENGINE_RUN_STATE_COUNT
};

enum engine_failure_response {
	ENGINE_RESPOND_BLOCK,           /* stop and wait for a person */
	ENGINE_RESPOND_ROLLBACK,        /* roll the phase back at once */
	ENGINE_RESPOND_MANUAL_DECISION, /* ask the operator, showing the evidence */
};

enum engine_rollback_level { ENGINE_ROLLBACK_STEP, ENGINE_ROLLBACK_PHASE, ENGINE_ROLLBACK_FULL };

const char *engine_step_state_name(enum engine_step_state s);
const char *engine_gate_state_name(enum engine_gate_state s);
const char *engine_run_state_name(enum engine_run_state s);
const char *engine_failure_response_name(enum engine_failure_response r);
const char *engine_rollback_level_name(enum engine_rollback_level l);
/* Name -> value; -1 when the name is unknown. */
int engine_step_state_parse(const char *name);
int engine_gate_state_parse(const char *name);
int engine_run_state_parse(const char *name);
int engine_failure_response_parse(const char *name);
int engine_rollback_level_parse(const char *name);

/* Step flags the runner derives from the plan. */
enum {
	ENGINE_STEP_CUTOVER = 1 << 0,      /* needs a typed confirmation to start */
	ENGINE_STEP_HAS_ROLLBACK = 1 << 1, /* rollback_procedure has actions or exec */
	ENGINE_STEP_MANUAL_ROLLBACK = 1 << 2, /* only prose rollback_steps: a person undoes it */
};

struct engine_step {
	const char *id;       /* borrowed from the plan */
	size_t phase;         /* index into engine_run.phases */
	unsigned flags;
	enum engine_step_state state;
};

struct engine_phase {
	const char *id;
	int has_gate;
	enum engine_gate_state gate;
	enum engine_failure_response failure_response;
};

/* One account's progress, in plan order (phases by order, steps by order). */
struct engine_run {
	struct engine_step *steps;
	size_t n_steps;
	struct engine_phase *phases;
	size_t n_phases;
	enum engine_run_state state;
	int postponed; /* the account's wave is postponed: hold before a cut-over step */
};

enum engine_next_kind {
	ENGINE_NEXT_STEP,    /* run steps[index] (confirm first when it is a cut-over) */
	ENGINE_NEXT_GATE,    /* evaluate phases[index]'s gate */
	ENGINE_NEXT_BUSY,    /* a step is running: nothing to start */
	ENGINE_NEXT_WAIT,    /* a person must act; why says what */
	ENGINE_NEXT_DONE,    /* every step and gate passed */
	ENGINE_NEXT_STOPPED, /* failed, rolled back or halted; why says which */
};

struct engine_next {
	enum engine_next_kind kind;
	size_t index;
	char why[256];
};

/* What comes next for this run. Steps run in plan order, one at a time per
 * account; a phase's gate is evaluated once all its steps succeeded (or were
 * skipped); the next phase starts only after its gate passed. */
struct engine_next engine_next(const struct engine_run *run);
/* The first step index of phase p, and one past its last (plan order). */
void engine_phase_span(const struct engine_run *run, size_t p, size_t *first, size_t *end);

/* The response to a failed step or gate in phase p: the phase gate's
 * failure_response (block when the phase has no gate). An operator may turn a
 * rollback into a pause: pass operator_pause=1 and it becomes block. */
enum engine_failure_response engine_on_failure(const struct engine_run *run, size_t phase,
					       int operator_pause);

/* The steps a rollback undoes, newest first, into out (capacity run->n_steps):
 * step level — steps[index] alone; phase level — the steps of phases[index];
 * full — every step. Only steps that did (or may have done) work are undone:
 * succeeded, waiting, failed (a failed step may have done part of its work),
 * unknown, and rolling_back (a rollback interrupted midway is repeated).
 * Returns the count. */
size_t engine_rollback_order(const struct engine_run *run, enum engine_rollback_level level,
			     size_t index, size_t *out);

/* Rollback readiness: 1 when every step that did work has a rollback that
 * can run now (automatic), else 0 with why naming the first that has not. */
int engine_rollback_ready(const struct engine_run *run, char *why, size_t size);

/* Whether what comes next (a step or a gate) lies past a run's selection:
 * one that ends after step stop_step (an index; < 0: none) or, without
 * one, after phase stop_phase (an index; < 0: none). A phase's gate comes
 * after its steps, so a selection ending at a step stops before that
 * phase's gate. 0 with no selection, or for a next that is neither. */
int engine_past_selection(const struct engine_run *run, const struct engine_next *nx,
			  long stop_phase, long stop_step);

/* Whether drift is watched for the run: a cut-over step succeeded (not
 * rolled back or failed) and the run is not halted. */
int engine_past_cutover(const struct engine_run *run);

/* The run state its steps and gates imply (for the summary row). */
enum engine_run_state engine_run_state_of(const struct engine_run *run);

/* ---- waves ---------------------------------------------------------------- */

struct engine_wave {
	size_t total;       /* accounts selected */
	size_t launched;    /* started so far */
	size_t running;     /* started and not finished nor waiting */
	size_t failed;      /* finished failed or rolled back */
	long max_concurrency; /* accounts at once (after any throttle); <=0: 1 */
	double failure_threshold; /* fraction; stop launching when failed/launched > it */
	int postponed;      /* operator postponed the wave */
	int halted;         /* panic / stop-the-line on the wave */
};

/* 1 when one more account may start now; else 0 with why (the failure ratio
 * crossed, throttled to N, postponed, nothing left). */
int engine_wave_may_launch(const struct engine_wave *w, char *why, size_t size);

/* ---- stop the line ---------------------------------------------------------- */

/* The charter's limits; a negative value means the trigger is not set. */
struct engine_stl_limits {
	double invariant_breach;   /* fraction of failing invariants */
	int64_t drift_unexplained_ms;
	double error_budget_burn;  /* fraction */
	int rollback;              /* stop_the_line.action: 1 rollback, 0 halt */
};

/* A monitored metric's newest value against its critical threshold, which
 * fires in the direction it is written (cond_threshold_parse: "> 1%" over,
 * "< 50" below); the threshold's metric field names the metric. */
struct engine_reading {
	struct cond critical;
	double value;
};

/* What the runner measured for one account; a negative value: not measured. */
struct engine_stl_inputs {
	double invariant_fail_share;
	int64_t oldest_unexplained_drift_ms;
	double error_budget_burn;
	const struct engine_reading *metrics; /* monitored metrics with a critical threshold */
	size_t n_metrics;
	const char *veto;            /* a customer veto's reason, NULL when none */
};

/* 1 when a trigger fired, with why (for runs.halted_reason); else 0. */
int engine_stop_the_line(const struct engine_stl_limits *lim, const struct engine_stl_inputs *in,
			 char *why, size_t size);

/* ---- sign-off ---------------------------------------------------------------- */

struct engine_signoff {
	const char *role;
	const char *login;
	int approve;             /* 1 sign, 0 reject */
	const char *plan_hash;   /* the plan hash when signed */
	int64_t state_serial;    /* the account's state serial when signed */
};

/* A sign-off is stale when the plan or the account's state changed since. */
int engine_signoff_stale(const struct engine_signoff *s, const char *plan_hash,
			 int64_t state_serial);

struct engine_approver {
	const char *role;
	long quorum; /* members of the role who must sign; <=0: 1 */
};

enum engine_approval { ENGINE_APPROVAL_GRANTED, ENGINE_APPROVAL_PENDING, ENGINE_APPROVAL_REJECTED };

/* Whether fresh sign-offs satisfy every approver role (each distinct login
 * counted once per role); a fresh rejection by any approver rejects. why lists
 * what is missing ("SRE Lead 0/1, DBA Lead 1/2 (1 stale)") or who rejected. */
enum engine_approval engine_gate_approval(const struct engine_approver *roles, size_t n_roles,
					  const struct engine_signoff *sigs, size_t n_sigs,
					  const char *plan_hash, int64_t state_serial, char *why,
					  size_t size);

/* ---- confirmation --------------------------------------------------------------- */

/* A typed confirmation matches when it is exactly the target (the account id,
 * or the wave name), ignoring surrounding white space. A bare "y" never does. */
int engine_confirm_ok(const char *target, const char *typed);

/* A cut-over step: `cutover: true` in the plan, or a step id containing
 * "cutover" / "cut-over" / "cut_over" (any case). */
int engine_step_is_cutover(const char *step_id, int cutover_flag);

#endif
