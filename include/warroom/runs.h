/* runs — typed access to the run-state tables of the store: runs,
 * step_runs, step_output, check_results, ticks, signoffs, gate_runs, leases
 * and waves. Reads serve the console (every account's summary in one query,
 * a step's output since seq N); writes serve the runner, which alone changes
 * run state. Every write that changes what an account looks like bumps its
 * state serial, which makes earlier sign-offs stale. */
#ifndef WARROOM_RUNS_H
#define WARROOM_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/engine.h"
#include "warroom/util.h"

struct store;

/* ---- runs: one row per account ------------------------------------------------- */

struct runs_summary {
	char *account, *wave;
	enum engine_run_state state;
	char *phase_id, *step_id; /* where it is; NULL when not started */
	char *halted_reason;      /* NULL unless halted */
	int64_t state_serial, started_ms, updated_ms;
};
void runs_summary_free(struct runs_summary *s); /* members only */

/* Every account's run, ordered by account: one query. *out is an array the
 * caller frees with runs_summary_list_free. */
int runs_list(struct store *st, struct runs_summary **out, size_t *n, struct err *e);
void runs_summary_list_free(struct runs_summary *v, size_t n);
/* 1 found, 0 absent, -1 error. */
int runs_get(struct store *st, const char *account, struct runs_summary *out, struct err *e);
/* The account's state serial (0 when it has no run row), -1 on error. */
int64_t runs_serial(struct store *st, const char *account, struct err *e);

/* Bumps the state serial (stales earlier sign-offs); an account with no run
 * row yet has nothing to bump. For other modules whose rows change what an
 * account looks like (samples); runs' own writes bump by themselves. */
int runs_bump(struct store *st, const char *account, int64_t now_ms, struct err *e);
/* Creates the run row when absent. */
int runs_ensure(struct store *st, const char *account, const char *wave, struct err *e);
/* The same for n accounts (waves[i] may be NULL): one read of the accounts
 * the store has, and a write transaction (or the caller's) only for those it
 * lacks, so opening a program whose accounts all have rows writes nothing. */
int runs_ensure_all(struct store *st, const char *const *accounts, const char *const *waves,
		    size_t n, struct err *e);
/* Sets state (and where it is; NULLs keep the old values) and bumps the serial. */
int runs_set_state(struct store *st, const char *account, enum engine_run_state state,
		   const char *phase_id, const char *step_id, struct err *e);
/* Halts with a reason (NULL clears a halt back to `waiting`); bumps the serial. */
int runs_set_halted(struct store *st, const char *account, const char *reason, struct err *e);

/* ---- step_runs -------------------------------------------------------------------- */

struct runs_step {
	int64_t id;
	char *phase_id, *step_id;
	int64_t attempt;
	enum engine_step_state state; /* 'running' with a waiting reason reads as WAITING */
	char *waiting, *error, *actor; /* NULL when none */
	int64_t started_ms, finished_ms;
};
void runs_step_free(struct runs_step *s);
void runs_step_list_free(struct runs_step *v, size_t n);
/* The newest attempt of each step of an account, in no particular order. */
int runs_steps(struct store *st, const char *account, struct runs_step **out, size_t *n,
	       struct err *e);
/* Every step of every account that is running (any attempt): for recovery. */
int runs_running_steps(struct store *st, char ***accounts, char ***steps, int64_t **ids,
		       size_t *n, struct err *e);

/* Starts an attempt: reuses the newest row when it is pending (a rerun keeps
 * its attempt, so its Idempotency-Keys repeat), else inserts attempt+1.
 * Sets running, started, actor. Returns the row id via *id. */
int runs_step_begin(struct store *st, const char *account, const char *phase_id,
		    const char *step_id, const char *actor, int64_t *id, int64_t *attempt,
		    struct err *e);
/* Sets the state of a step row; waiting/error may be NULL. Bumps the serial. */
int runs_step_set(struct store *st, int64_t id, enum engine_step_state state,
		  const char *waiting, const char *error, struct err *e);
/* Inserts a pending attempt for a step whose newest attempt is finished
 * (rolled back, failed): the next run starts it again. */
int runs_step_reset(struct store *st, const char *account, const char *phase_id,
		    const char *step_id, struct err *e);

/* ---- step_output ---------------------------------------------------------------------- */

struct runs_output {
	int64_t seq;
	char *stream; /* stdout stderr http info */
	char *chunk;
	int64_t ts_ms;
};
void runs_output_list_free(struct runs_output *v, size_t n);
int runs_output_append(struct store *st, int64_t step_run, const char *account,
		       const char *step_id, const char *stream, const char *chunk, size_t len,
		       struct err *e);
/* Output of a step row with seq > after, at most max rows (0: all). */
int runs_output_since(struct store *st, int64_t step_run, int64_t after, size_t max,
		      struct runs_output **out, size_t *n, struct err *e);

/* ---- checks, ticks, gates, sign-offs -------------------------------------------------------- */

int runs_check_result(struct store *st, const char *account, const char *scope,
		      const char *scope_id, const char *name, const char *verdict,
		      const double *value, const char *detail, struct err *e);

/* Ticks a manual checklist row (idempotent); bumps the serial. */
int runs_tick(struct store *st, const char *account, const char *scope, const char *scope_id,
	      const char *item, const char *login, struct err *e);
/* 1 when the row is ticked, 0 not, -1 error. */
int runs_ticked(struct store *st, const char *account, const char *scope, const char *scope_id,
		const char *item, struct err *e);
/* Removes the ticks of a scope (a rerun asks again). */
int runs_untick_all(struct store *st, const char *account, const char *scope,
		    const char *scope_id, struct err *e);

struct runs_gate {
	char *phase_id, *gate_id;
	enum engine_gate_state state;
	char *detail;
};
void runs_gate_list_free(struct runs_gate *v, size_t n);
int runs_gates(struct store *st, const char *account, struct runs_gate **out, size_t *n,
	       struct err *e);
int runs_gate_set(struct store *st, const char *account, const char *phase_id,
		  const char *gate_id, enum engine_gate_state state, const char *detail,
		  struct err *e);

struct runs_signoff {
	char *role, *login, *decision, *reason, *plan_hash;
	int64_t state_serial, ts_ms;
};
void runs_signoff_list_free(struct runs_signoff *v, size_t n);
int runs_signoffs(struct store *st, const char *account, const char *gate_id,
		  struct runs_signoff **out, size_t *n, struct err *e);
int runs_signoff_add(struct store *st, const char *account, const char *gate_id,
		     const char *role, const char *login, int approve, const char *reason,
		     const char *plan_hash, int64_t state_serial, const char *checklist_json,
		     struct err *e);

/* ---- leases ------------------------------------------------------------------------------------- */

struct runs_lease {
	int64_t id;
	char key[256], holder[64], host[256], operation[256];
	int64_t pid, acquired_ms, heartbeat_ms;
};
/* Takes the lease `key` for this process. Returns 0 (and *id), or 1 when
 * another holds it (held filled: "running by LOGIN@HOST since TIME"), -1 on
 * error. */
int runs_lease_acquire(struct store *st, const char *key, const char *operation, int64_t *id,
		       struct runs_lease *held, struct err *e);
int runs_lease_heartbeat(struct store *st, int64_t id, struct err *e);
int runs_lease_release(struct store *st, int64_t id, struct err *e);
/* 1 found, 0 none, -1 error. */
int runs_lease_get(struct store *st, const char *key, struct runs_lease *out, struct err *e);
int runs_lease_by_id(struct store *st, int64_t id, struct runs_lease *out, struct err *e);
/* Whether a lease's holder is gone: its heartbeat is older than stale_ms, or
 * it was taken on this host by a process that no longer exists. */
int runs_lease_dead(const struct runs_lease *l, int64_t now_ms, int64_t stale_ms);
/* "running by LOGIN@HOST since TIME (lease ID, OPERATION)". */
void runs_lease_describe(const struct runs_lease *l, char *buf, size_t size);
int runs_lease_delete(struct store *st, int64_t id, struct err *e);

/* ---- waves ---------------------------------------------------------------------------------------- */

struct runs_wave {
	char state[16]; /* idle running paused postponed halted */
	int64_t throttle; /* 0: none */
};
/* 1 found, 0 absent (out set to idle/0), -1 error. */
int runs_wave_get(struct store *st, const char *name, struct runs_wave *out, struct err *e);
/* state NULL keeps it; throttle < 0 keeps it. */
int runs_wave_set(struct store *st, const char *name, const char *state, int64_t throttle,
		  const char *login, struct err *e);

#endif
