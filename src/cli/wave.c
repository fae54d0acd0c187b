/* `warroom wave`, `lease`, `reconcile` and `halt` — controls over runs in
 * progress: throttle, postpone or resume a wave; break a dead lease; settle
 * a step a crash left `unknown`; stop the line for an account or a wave.
 * Halting and reconciling ask for the typed target, as cut-overs do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/runner.h"

/* Opens, runs fn, drains what it started, reports. */
typedef int (*act_fn)(struct runner *r, const struct runner_args *a, struct err *e);

static int act(const char *cmd, int argc, char **argv, int with_action, act_fn check,
	       act_fn fn)
{
	struct runner_args a = {0};
	struct err e = {{0}};
	if (runner_args_parse(argc, argv, with_action, &a, &e) < 0 || check(NULL, &a, &e) < 0)
		return cli_usage_error(cmd, e.msg, NULL);
	a.yes = 1; /* nothing here runs a step forward */
	struct runner *r = runner_args_open(&a, stderr, &e);
	if (!r) {
		fprintf(stderr, "warroom %s: %s\n", cmd, e.msg);
		return EXIT_FAIL;
	}
	int rc = fn(r, &a, &e);
	if (rc == 0)
		rc = runner_drain(r, &e);
	if (rc < 0)
		fprintf(stderr, "warroom %s: %s\n", cmd, e.msg);
	runner_free(r);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

static int wave_check(struct runner *r, const struct runner_args *a, struct err *e)
{
	(void)r;
	if (!a->wave)
		return err_set(e, "needs --wave NAME");
	if (strcmp(a->action, "throttle") == 0 && a->max < 1)
		return err_set(e, "throttle needs --max N");
	return 0;
}

static int wave_do(struct runner *r, const struct runner_args *a, struct err *e)
{
	if (strcmp(a->action, "halt") == 0 &&
	    !runner_confirm_typed(a->wave, a->confirm, "halt the whole wave"))
		return err_set(e, "halting a wave needs its name typed, or --confirm %s", a->wave);
	if (runner_wave_control(r, a->wave, a->action, a->max, e) < 0)
		return -1;
	printf("wave %s: %s%s\n", a->wave, a->action, a->max > 0 ? " applied" : "");
	return 0;
}

int cmd_wave(int argc, char **argv) { return act("wave", argc, argv, 1, wave_check, wave_do); }

static int lease_check(struct runner *r, const struct runner_args *a, struct err *e)
{
	(void)r;
	if (strcmp(a->action, "break") != 0)
		return err_set(e, "unknown subcommand '%s' (break)", a->action);
	if (a->id < 1)
		return err_set(e, "needs --id ID (the lease's id, as `running by` shows it)");
	return 0;
}

static int lease_do(struct runner *r, const struct runner_args *a, struct err *e)
{
	if (runner_lease_break(r, a->id, e) < 0)
		return -1;
	printf("lease %ld broken\n", a->id);
	return 0;
}

int cmd_lease(int argc, char **argv) { return act("lease", argc, argv, 1, lease_check, lease_do); }

static int reconcile_check(struct runner *r, const struct runner_args *a, struct err *e)
{
	(void)r;
	if (!a->account || !a->step || !a->as)
		return err_set(e, "needs --account ID --step ID --as done|rerun|rollback");
	return 0;
}

static int reconcile_do(struct runner *r, const struct runner_args *a, struct err *e)
{
	printf("what the audit log knows of %s %s:\n", a->account, a->step);
	if (runner_step_history(r, a->account, a->step, stdout, e) < 0 ||
	    runner_reconcile(r, a->account, a->step, a->as, e) < 0)
		return -1;
	printf("%s %s: reconciled as %s\n", a->account, a->step, a->as);
	return 0;
}

int cmd_reconcile(int argc, char **argv)
{
	return act("reconcile", argc, argv, 0, reconcile_check, reconcile_do);
}

static int halt_check(struct runner *r, const struct runner_args *a, struct err *e)
{
	(void)r;
	if (!a->account)
		return err_set(e, "needs --account ID (for a whole wave: warroom wave halt)");
	if (!a->reason && !(a->as && strcmp(a->as, "clear") == 0))
		return err_set(e, "needs --reason TEXT (or --as clear to lift a halt)");
	return 0;
}

static int halt_do(struct runner *r, const struct runner_args *a, struct err *e)
{
	if (!runner_confirm_typed(a->account, a->confirm, "halt the account"))
		return err_set(e, "halting needs the account id typed, or --confirm %s", a->account);
	int clear = a->as && strcmp(a->as, "clear") == 0;
	if (runner_halt(r, a->account, clear ? NULL : a->reason, e) < 0)
		return -1;
	printf("%s: %s\n", a->account, clear ? "halt lifted" : "halted");
	return 0;
}

int cmd_halt(int argc, char **argv) { return act("halt", argc, argv, 0, halt_check, halt_do); }
