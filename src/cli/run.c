/* `warroom run` and `warroom rollback` — the engine without the console:
 * a run goes until every selected account is done or waits for a person,
 * and the exit code says which (0 done, 1 failed or rolled back, 3 waiting,
 * with what it waits for on stdout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/plan.h"
#include "warroom/runner.h"

/* One line per account, worst outcome first decides the exit code. */
static int summarize(struct runner *r, const char *const *accounts, size_t n)
{
	int failed = 0, waiting = 0;
	for (size_t i = 0; i < n; i++) {
		struct runner_status s;
		struct err e = {{0}};
		if (runner_status(r, accounts[i], &s, &e) < 0) {
			fprintf(stderr, "warroom: %s\n", e.msg);
			failed = 1;
			continue;
		}
		const char *what = engine_run_state_name(s.state);
		if (s.next == ENGINE_NEXT_BUSY) {
			failed = 1;
			what = "busy";
		} else if (s.state == ENGINE_RUN_FAILED || s.state == ENGINE_RUN_ROLLED_BACK ||
			   s.state == ENGINE_RUN_HALTED || s.next == ENGINE_NEXT_STOPPED) {
			failed = 1;
		} else if (s.next == ENGINE_NEXT_WAIT) {
			waiting = 1;
			what = "waiting";
		}
		printf("%s: %s: %s\n", accounts[i], what, s.why);
	}
	return failed ? EXIT_FAIL : waiting ? EXIT_WAITING : EXIT_OK;
}

/* The accounts a command selected: one, or a wave's. Caller frees the array. */
static size_t selection(struct runner *r, const struct runner_args *a, const char ***out)
{
	if (a->account) {
		*out = calloc(1, sizeof(**out));
		if (*out)
			(*out)[0] = a->account;
		return *out ? 1 : 0;
	}
	const struct account **accts = NULL;
	size_t n = program_wave_accounts(runner_program(r), a->wave, &accts);
	*out = calloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; *out && i < n; i++)
		(*out)[i] = accts[i]->id;
	free(accts);
	return *out ? n : 0;
}

int cmd_run(int argc, char **argv)
{
	struct runner_args a = {0};
	struct err e = {{0}};
	if (runner_args_parse(argc, argv, 0, &a, &e) < 0)
		return cli_usage_error("run", e.msg, NULL);
	if (!a.account == !a.wave) {
		err_set(&e, "name exactly one of --account ID and --wave NAME");
		return cli_usage_error("run", e.msg, NULL);
	}
	if (a.wave && (a.step || a.phase)) {
		err_set(&e, "--step and --phase select within one --account");
		return cli_usage_error("run", e.msg, NULL);
	}
	struct runner *r = runner_args_open(&a, a.dry_run ? stdout : stderr, &e);
	if (!r) {
		fprintf(stderr, "warroom run: %s\n", e.msg);
		return EXIT_FAIL;
	}
	int rc = a.wave ? runner_start_wave(r, a.wave, &e)
			: runner_start(r, a.account, a.phase, a.step, &e);
	if (rc < 0) {
		fprintf(stderr, "warroom run: %s\n", e.msg);
		runner_free(r);
		return EXIT_FAIL;
	}
	if (a.dry_run) {
		runner_free(r);
		return EXIT_OK;
	}
	if (runner_drain(r, &e) < 0) {
		fprintf(stderr, "warroom run: %s\n", e.msg);
		runner_free(r);
		return EXIT_FAIL;
	}
	const char **accts = NULL;
	size_t n = selection(r, &a, &accts);
	rc = summarize(r, accts, n);
	free(accts);
	runner_free(r);
	return rc;
}

int cmd_rollback(int argc, char **argv)
{
	struct runner_args a = {0};
	struct err e = {{0}};
	if (runner_args_parse(argc, argv, 0, &a, &e) < 0)
		return cli_usage_error("rollback", e.msg, NULL);
	int level = a.level ? engine_rollback_level_parse(a.level) : -1;
	if (!a.account || level < 0) {
		err_set(&e, "needs --account ID and --level step|phase|full");
		return cli_usage_error("rollback", e.msg, NULL);
	}
	if (level == ENGINE_ROLLBACK_STEP && !a.step) {
		err_set(&e, "--level step needs --step ID");
		return cli_usage_error("rollback", e.msg, NULL);
	}
	a.yes = 1; /* no step runs forward here */
	struct runner *r = runner_args_open(&a, stderr, &e);
	if (!r) {
		fprintf(stderr, "warroom rollback: %s\n", e.msg);
		return EXIT_FAIL;
	}
	int rc = runner_rollback(r, a.account, (enum engine_rollback_level)level,
				 level == ENGINE_ROLLBACK_STEP ? a.step : a.phase, &e);
	if (rc == 0)
		rc = runner_drain(r, &e);
	struct runner_status s;
	if (rc == 0)
		rc = runner_status(r, a.account, &s, &e);
	if (rc < 0) {
		fprintf(stderr, "warroom rollback: %s\n", e.msg);
		runner_free(r);
		return EXIT_FAIL;
	}
	int bad = strstr(s.why, "rollback failed") || strstr(s.why, "rollback is manual");
	printf("%s: %s: %s\n", a.account, engine_run_state_name(s.state), s.why);
	runner_free(r);
	return bad ? EXIT_FAIL : EXIT_OK;
}
