/* dash — the console's read side of the store: run rows for the dashboard,
 * step history and output for the run view, sign-offs and ticks for the gate
 * view, metric series for monitoring; and the console's own presence row in
 * `consoles` (a heartbeat), the one table the console itself writes. */
#ifndef WARROOM_DASH_H
#define WARROOM_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/util.h"

struct store;

/* ---- console presence ---- */
/* Inserts this process's row; returns its id, -1 and e on error. */
int64_t dash_console_register(struct store *s, const char *role, struct err *e);
int dash_console_heartbeat(struct store *s, int64_t id, struct err *e);
void dash_console_unregister(struct store *s, int64_t id, struct err *e);
/* Operator consoles whose heartbeat is newer than since_ms; -1 on error. */
long dash_consoles_count(struct store *s, int64_t since_ms, struct err *e);

/* ---- runs ---- */
struct dash_run {
	char *account, *wave, *state, *phase_id, *step_id, *halted_reason;
	char *step_state; /* the current step's newest attempt's state, or NULL */
	int64_t state_serial, started_ms, updated_ms;
};
struct dash_runs {
	struct dash_run *v;
	size_t n, cap;
};
/* Every row of runs, by account. */
int dash_runs_load(struct store *s, struct dash_runs *out, struct err *e);
const struct dash_run *dash_runs_find(const struct dash_runs *r, const char *account);
void dash_runs_free(struct dash_runs *r);

/* ---- one account's steps ---- */
struct dash_step {
	char *phase_id, *step_id, *state, *actor, *error;
	char *waiting; /* what a waiting step waits for; NULL when not waiting */
	int64_t attempt, started_ms, finished_ms;
};
struct dash_steps {
	struct dash_step *v;
	size_t n, cap;
};
/* The newest attempt of each step of the account. */
int dash_steps_load(struct store *s, const char *account, struct dash_steps *out,
		    struct err *e);
const struct dash_step *dash_steps_find(const struct dash_steps *st, const char *step_id);
void dash_steps_free(struct dash_steps *st);
/* The last `max_lines` lines of output of the account's step (all attempts),
 * joined with newlines; caller frees; "" when none. */
char *dash_step_output(struct store *s, const char *account, const char *step_id,
		       size_t max_lines, struct err *e);

/* ---- gates ---- */
struct dash_signoff {
	char *role, *login, *decision, *reason, *plan_hash;
	int64_t state_serial, ts_ms;
};
struct dash_tick {
	char *item, *login;
	int64_t ts_ms;
};
struct dash_check {
	char *name, *verdict;
	double value;
	int has_value;
	int64_t ts_ms;
};
struct dash_gate {
	struct dash_signoff *sig;
	size_t n_sig, cap_sig;
	struct dash_tick *tick;
	size_t n_tick, cap_tick;
	struct dash_check *check; /* the newest result of each check */
	size_t n_check, cap_check;
};
int dash_gate_load(struct store *s, const char *account, const char *gate_id,
		   struct dash_gate *out, struct err *e);
void dash_gate_free(struct dash_gate *g);

/* ---- samples ---- */
/* Newest `max` values of kind/name for an account ("" or NULL: every
 * account, averaged per timestamp), oldest first. */
int dash_series(struct store *s, const char *account, const char *kind, const char *name,
		size_t max, double **values, size_t *n, struct err *e);

#endif
