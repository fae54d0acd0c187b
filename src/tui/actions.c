/* actions — what an operator's keys do to runs, through the engine's runner
 * (runner.h): start, roll back, halt, resume, tick a step's manual row. Each
 * asks for a typed confirmation or a reason first where a person must mean
 * it; the runner audits and refuses what the roster does not allow. The
 * accounts typed out are remembered so a cut-over step they reach goes on. */
#include <stdlib.h>
#include <string.h>

#include "warroom/engine.h"
#include "warroom/runner.h"
#include "warroom/tui.h"

/* Accounts whose id was typed out in this console: their cut-over steps may
 * start. One process, one list; freed with the console. */
static char **confirmed;
static size_t n_confirmed, cap_confirmed;
static char pending[128]; /* the account a prompt is about */

int tui_confirm_cutover(void *ctx, const char *target, const char *what)
{
	struct tui *t = ctx;
	for (size_t i = 0; i < n_confirmed; i++)
		if (!strcmp(confirmed[i], target))
			return 1;
	tui_message(t, 1, "%s waits: press r on %s and type its id to run cut-over step %s", target,
		    target, what);
	return 0;
}

void tui_actions_free(void)
{
	for (size_t i = 0; i < n_confirmed; i++)
		free(confirmed[i]);
	free(confirmed);
	confirmed = NULL;
	n_confirmed = cap_confirmed = 0;
}

static int no_runner(struct tui *t)
{
	if (t->runner)
		return 0;
	tui_message(t, 1, "this console has no runner (read-only)");
	return 1;
}

static void done(struct tui *t, int rc, const struct err *e, const char *fmt, const char *who)
{
	if (rc < 0)
		tui_message(t, 1, "%s", e->msg);
	else
		tui_message(t, 0, fmt, who);
	tui_reload(t);
}

void tui_act_continue(struct tui *t, const char *account)
{
	/* only a run that was under way and waited for this person goes on; an
	 * idle account is started by `r`, never as a side effect */
	const struct dash_run *r = account ? dash_runs_find(&t->runs, account) : NULL;
	if (!t->runner || !r || !util_streq(r->state, "waiting"))
		return;
	struct err e = {{0}};
	if (runner_start(t->runner, account, NULL, NULL, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
}

static void start_typed(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	if (!engine_confirm_ok(pending, text)) {
		tui_message(t, 1, "not started: type the account id '%s' exactly", pending);
		return;
	}
	VEC_PUSH(confirmed, n_confirmed, cap_confirmed, xstrdup(pending));
	struct err e = {{0}};
	done(t, runner_start(t->runner, pending, NULL, NULL, &e), &e,
	     "%s started (cut-over steps confirmed)", pending);
}

void tui_act_start(struct tui *t, const char *const *accounts, size_t n)
{
	if (no_runner(t) || !n)
		return;
	if (n == 1) {
		snprintf(pending, sizeof(pending), "%s", accounts[0]);
		char label[512];
		snprintf(label, sizeof(label), "start %s: type the account id (%s): ", pending, pending);
		tui_prompt(t, label, start_typed, NULL);
		return;
	}
	size_t ok = 0;
	struct err e = {{0}};
	for (size_t i = 0; i < n; i++) {
		struct err one = {{0}};
		if (runner_start(t->runner, accounts[i], NULL, NULL, &one) == 0)
			ok++;
		else if (!e.msg[0])
			e = one;
	}
	if (ok < n)
		tui_message(t, 1, "started %zu of %zu; %s", ok, n, e.msg);
	else
		tui_message(t, 0, "started %zu accounts; their cut-over steps wait for a typed id", n);
	tui_reload(t);
}

static void rollback_typed(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	if (!engine_confirm_ok(pending, text)) {
		tui_message(t, 1, "no rollback: type the account id '%s' exactly", pending);
		return;
	}
	struct err e = {{0}};
	done(t, runner_rollback(t->runner, pending, ENGINE_ROLLBACK_PHASE, NULL, &e), &e,
	     "%s: rolling back the current phase", pending);
}

void tui_act_rollback(struct tui *t, const char *account)
{
	if (no_runner(t) || !account)
		return;
	snprintf(pending, sizeof(pending), "%s", account);
	char label[512];
	snprintf(label, sizeof(label), "roll back %s's current phase: type the account id (%s): ",
		 account, account);
	tui_prompt(t, label, rollback_typed, NULL);
}

static void halt_typed(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	while (*text == ' ')
		text++;
	if (!*text) {
		tui_message(t, 1, "not halted: a halt needs a reason");
		return;
	}
	struct err e = {{0}};
	done(t, runner_halt(t->runner, pending, text, &e), &e, "%s halted (stop the line)", pending);
}

void tui_act_halt(struct tui *t, const char *account)
{
	if (no_runner(t) || !account)
		return;
	snprintf(pending, sizeof(pending), "%s", account);
	char label[512];
	snprintf(label, sizeof(label), "halt %s (veto, stop the line): reason: ", account);
	tui_prompt(t, label, halt_typed, NULL);
}

void tui_act_resume(struct tui *t, const char *account)
{
	if (no_runner(t) || !account)
		return;
	struct err e = {{0}};
	done(t, runner_halt(t->runner, account, NULL, &e), &e, "%s: halt lifted", account);
}

static char pending_step[128];

static void tick_typed(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	while (*text == ' ')
		text++;
	if (!*text)
		return;
	struct err e = {{0}};
	int rc = runner_tick(t->runner, pending, pending_step, NULL, text, &e);
	done(t, rc, &e, "ticked a row of %s", pending_step);
	if (rc == 0)
		tui_act_continue(t, pending);
}

void tui_act_tick_step(struct tui *t, const char *account, const char *step_id)
{
	if (no_runner(t) || !account || !step_id)
		return;
	snprintf(pending, sizeof(pending), "%s", account);
	snprintf(pending_step, sizeof(pending_step), "%s", step_id);
	char label[512];
	snprintf(label, sizeof(label), "tick a manual row of %s (its number or text): ", step_id);
	tui_prompt(t, label, tick_typed, NULL);
}

/* ---- waves and reconciliation, from the command line ------------------- */

static char pending_action[16];
static long pending_max;

static void wave_typed(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	if (!engine_confirm_ok(pending, text)) {
		tui_message(t, 1, "nothing done: type the wave name '%s' exactly", pending);
		return;
	}
	struct err e = {{0}};
	int rc;
	if (!strcmp(pending_action, "start")) {
		VEC_PUSH(confirmed, n_confirmed, cap_confirmed, xstrdup(pending));
		rc = runner_start_wave(t->runner, pending, &e);
	} else {
		rc = runner_wave_control(t->runner, pending, pending_action, pending_max, &e);
	}
	char what[160];
	snprintf(what, sizeof(what), "wave %%s: %s done", pending_action);
	done(t, rc, &e, what, pending);
}

void tui_act_wave(struct tui *t, const char *args)
{
	char wave[128] = "", action[16] = "";
	long max = 0;
	if (no_runner(t))
		return;
	if (sscanf(args, "%127s %15s %ld", wave, action, &max) < 2) {
		tui_message(t, 1, "usage: :wave NAME start|throttle N|postpone|resume|halt");
		return;
	}
	static const char *const actions[] = {"start", "throttle", "postpone", "resume", "halt"};
	size_t k = 0;
	while (k < ARRAY_SIZE(actions) && strcmp(actions[k], action))
		k++;
	if (k == ARRAY_SIZE(actions)) {
		tui_message(t, 1, "unknown wave action '%s' (start, throttle N, postpone, resume, halt)",
			    action);
		return;
	}
	snprintf(pending, sizeof(pending), "%s", wave);
	snprintf(pending_action, sizeof(pending_action), "%s", action);
	pending_max = max;
	char label[512];
	snprintf(label, sizeof(label), "%s wave %s: type the wave name (%s): ", action, wave, wave);
	tui_prompt(t, label, wave_typed, NULL);
}

void tui_act_reconcile(struct tui *t, const char *account, const char *args)
{
	char step[128] = "", as[16] = "";
	if (no_runner(t) || !account)
		return;
	if (sscanf(args, "%127s %15s", step, as) != 2) {
		tui_message(t, 1, "usage: :reconcile STEP done|rerun|rollback (for %s)", account);
		return;
	}
	struct err e = {{0}};
	char what[200];
	snprintf(what, sizeof(what), "%%s: step %s settled as %s", step, as);
	done(t, runner_reconcile(t->runner, account, step, as, &e), &e, what, account);
}
