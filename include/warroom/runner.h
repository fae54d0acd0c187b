/* runner — the driver of a program's runs: it holds the program, the store,
 * the HTTP client and the subprocesses, asks the engine (engine.h) what comes
 * next for each account, does it, and records every transition and every
 * request in the store and the audit log before reporting it. The console
 * and the headless commands drive the same runner.
 *
 * Use: runner_open(); start accounts or a wave; call runner_poll() in the
 * event loop (add the keyboard fd as an extra pollfd) until runner_idle();
 * read each account's outcome with runner_status(). Person actions (sign,
 * tick, rollback, halt, wave controls, reconcile) are one call each. */
#ifndef WARROOM_RUNNER_H
#define WARROOM_RUNNER_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "warroom/engine.h"
#include "warroom/util.h"

struct program;
struct store;
struct runner;

/* Asked before a cut-over step starts: target is the account id (or the
 * wave name for a wave), what names the step. Returns 1 to go on. */
typedef int (*runner_confirm_fn)(void *ctx, const char *target, const char *what);

struct runner_options {
	const char *db;            /* NULL: store_default_path's choice */
	int readonly;              /* observers: open the store read-only, change nothing */
	int dry_run;               /* print requests and commands; send nothing, write nothing */
	long concurrency;          /* accounts at once; 0: the wave's max_concurrency */
	int operator_pause;        /* a failure response of rollback becomes a pause */
	FILE *log;                 /* one line per transition (NULL: quiet); dry-run output */
	/* how often an account past its cut-over has its target checked for
	 * drift while the runner works on it; 0: every 60 s; < 0: never */
	int64_t drift_interval_ms;
	runner_confirm_fn confirm; /* NULL: a cut-over step waits for a person */
	void *confirm_ctx;
};

/* Loads the program, opens (creating) its store and recovers what an earlier
 * process left: a running step whose lease holder is gone becomes `unknown`.
 * A store that cannot be written, or a login listed as an observer, gives a
 * read-only runner that refuses every change with a clear message. */
struct runner *runner_open(const char *program, const struct runner_options *o, struct err *e);
void runner_free(struct runner *r);
const struct program *runner_program(const struct runner *r);
struct store *runner_store(struct runner *r);
/* NULL when this runner may change things; else why not ("... is an observer"). */
const char *runner_refusal(const struct runner *r);

/* Runs an account until it is done or must wait; phase_id / step_id (NULL:
 * all) stop it after that phase or step. Returns 0, or -1 with e (unknown
 * account, read-only, a step run by another console: "running by ..."). */
int runner_start(struct runner *r, const char *account, const char *phase_id,
		 const char *step_id, struct err *e);
/* Runs a wave's accounts, up to the concurrency at once, launching no more
 * once its failure ratio crosses the plan's threshold. */
int runner_start_wave(struct runner *r, const char *wave, struct err *e);

/* Waits up to timeout_ms for the network, subprocesses or extra's fds (their
 * revents are filled), then does what is due. Returns the count of ready
 * extra fds, or -1 with e. */
int runner_poll(struct runner *r, struct pollfd *extra, size_t n_extra, int timeout_ms,
		struct err *e);
/* 1 when nothing is in flight or queued. */
int runner_idle(const struct runner *r);

/* An account's outcome as the engine sees it now. */
struct runner_status {
	enum engine_run_state state;
	enum engine_next_kind next;
	char why[512];   /* what it waits for, or why it stopped */
	int rollback_ready;
	char rollback_why[256];
};
int runner_status(struct runner *r, const char *account, struct runner_status *out,
		  struct err *e);

/* ---- person actions: each audited; -1 with e when refused -------------------- */

/* Signs (approve=1) or rejects (approve=0, reason required) a gate for role
 * (NULL: the login's only approver role for that gate), as the Unix login. */
int runner_sign(struct runner *r, const char *account, const char *gate_id, const char *role,
		int approve, const char *reason, struct err *e);
/* Ticks a manual checklist row of a step or gate: item is a 1-based number
 * or the row's text. */
int runner_tick(struct runner *r, const char *account, const char *step_id,
		const char *gate_id, const char *item, struct err *e);
/* Starts a rollback (runs on runner_poll): step level needs id = step id,
 * phase level id = phase id (NULL: the current phase), full none. */
int runner_rollback(struct runner *r, const char *account, enum engine_rollback_level level,
		    const char *id, struct err *e);
/* Stop the line for one account (NULL: every account): halts with reason and
 * rolls back when the plan's stop_the_line.action says so. A NULL reason
 * clears a halt. */
int runner_halt(struct runner *r, const char *account, const char *reason, struct err *e);
/* action: "throttle" (max accounts at once), "postpone" (hold before cut-over
 * steps), "resume" (clears both), "halt" (panic: every account of it halts). */
int runner_wave_control(struct runner *r, const char *wave, const char *action, long max,
			struct err *e);
/* Settles an `unknown` (or waiting) step: as "done", "rerun" or "rollback". */
int runner_reconcile(struct runner *r, const char *account, const char *step_id,
		     const char *as, struct err *e);
/* Breaks a lease whose holder is gone (stale heartbeat or dead process). */
int runner_lease_break(struct runner *r, int64_t id, struct err *e);

/* What the audit log knows of an account's step (requests sent, answers),
 * one line each to out: shown before reconciling an `unknown` step. */
int runner_step_history(struct runner *r, const char *account, const char *step_id, FILE *out,
			struct err *e);

/* ---- for the headless commands ------------------------------------------------ */

/* The options the run, rollback, gate, check, wave, lease and reconcile
 * commands share; each uses the ones it needs (NULL / 0 when absent). */
struct runner_args {
	const char *action;  /* the subcommand word (gate sign, wave throttle...), or NULL */
	const char *program, *db, *account, *wave, *step, *phase, *gate, *role, *reason;
	const char *confirm, *level, *as, *item;
	long concurrency, max, id;
	int64_t drift_interval_ms; /* --drift-interval; 0: not given, -1: "0" (never) */
	int dry_run, yes, pause;
};
/* Parses argv (argv[0] is the command). with_action: the first word is a
 * subcommand. Returns 0, or -1 with e saying what is wrong (a usage error). */
int runner_args_parse(int argc, char **argv, int with_action, struct runner_args *a,
		      struct err *e);
/* Opens the runner the arguments name; log gets progress lines. Cut-over
 * steps are confirmed by --yes, --confirm TARGET or, on a terminal, by
 * typing the target. */
struct runner *runner_args_open(const struct runner_args *a, FILE *log, struct err *e);
/* The typed confirmation: 1 when given (a --confirm value) names target, or
 * when, given NULL, the target is typed on the terminal; 0 otherwise (no
 * terminal, a bare "y", another name). what says what is being confirmed. */
int runner_confirm_typed(const char *target, const char *given, const char *what);
/* Polls until nothing is in flight. */
int runner_drain(struct runner *r, struct err *e);

#endif
