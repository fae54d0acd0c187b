/* `warroom gate` and `warroom check` — a person's part of a run from a
 * shell: the state of a gate and its sign-offs, signing or rejecting it as
 * the Unix login (after a typed confirmation naming the account), and
 * ticking a manual checklist row of a step or gate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/engine.h"
#include "warroom/plan.h"
#include "warroom/runner.h"
#include "warroom/runs.h"

static int fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "warroom %s: %s\n", cmd, e->msg);
	return EXIT_FAIL;
}

static int gate_status(struct runner *r, const struct runner_args *a)
{
	struct store *st = runner_store(r);
	struct err e = {{0}};
	struct runs_gate *g = NULL;
	size_t ng = 0;
	if (runs_gates(st, a->account, &g, &ng, &e) < 0)
		return fail("gate", &e);
	const char *state = "pending", *detail = "";
	for (size_t i = 0; i < ng; i++)
		if (strcmp(g[i].gate_id, a->gate) == 0) {
			state = engine_gate_state_name(g[i].state);
			detail = g[i].detail ? g[i].detail : "";
		}
	printf("%s %s: %s%s%s\n", a->account, a->gate, state, *detail ? ": " : "", detail);
	runs_gate_list_free(g, ng);
	struct runs_signoff *s = NULL;
	size_t n = 0;
	int64_t serial = runs_serial(st, a->account, &e);
	if (serial < 0 || runs_signoffs(st, a->account, a->gate, &s, &n, &e) < 0)
		return fail("gate", &e);
	const char *hash = runner_program(r)->plan_hash;
	for (size_t i = 0; i < n; i++) {
		struct engine_signoff es = {s[i].role, s[i].login, strcmp(s[i].decision, "sign") == 0,
					    s[i].plan_hash, s[i].state_serial};
		printf("  %s %s as %s%s%s (%s)\n", s[i].login, s[i].decision, s[i].role,
		       s[i].reason ? ": " : "", s[i].reason ? s[i].reason : "",
		       engine_signoff_stale(&es, hash, serial) ? "stale" : "fresh");
	}
	runs_signoff_list_free(s, n);
	return EXIT_OK;
}

int cmd_gate(int argc, char **argv)
{
	struct runner_args a = {0};
	struct err e = {{0}};
	if (runner_args_parse(argc, argv, 1, &a, &e) < 0)
		return cli_usage_error("gate", e.msg, NULL);
	int sign = strcmp(a.action, "sign") == 0, reject = strcmp(a.action, "reject") == 0;
	if (!sign && !reject && strcmp(a.action, "status") != 0) {
		err_set(&e, "unknown subcommand '%s' (status, sign or reject)", a.action);
		return cli_usage_error("gate", e.msg, NULL);
	}
	if (!a.account || !a.gate) {
		err_set(&e, "needs --account ID and --gate ID");
		return cli_usage_error("gate", e.msg, NULL);
	}
	if (reject && !a.reason) {
		err_set(&e, "rejecting needs --reason TEXT");
		return cli_usage_error("gate", e.msg, NULL);
	}
	struct runner *r = runner_args_open(&a, stderr, &e);
	if (!r)
		return fail("gate", &e);
	int rc = EXIT_OK;
	if (!sign && !reject) {
		rc = gate_status(r, &a);
	} else if (runner_refusal(r)) {
		fprintf(stderr, "warroom gate: %s\n", runner_refusal(r));
		rc = EXIT_FAIL;
	} else if (!plan_find_gate(runner_program(r)->plan, a.gate, NULL)) {
		fprintf(stderr, "warroom gate: unknown gate '%s'\n", a.gate);
		rc = EXIT_FAIL;
	} else if (!runner_confirm_typed(a.account, a.confirm,
					 sign ? "sign the gate" : "reject the gate")) {
		fprintf(stderr, "warroom gate: not confirmed: type the account id %s, or pass "
				"--confirm %s\n", a.account, a.account);
		rc = EXIT_FAIL;
	} else if (runner_sign(r, a.account, a.gate, a.role, sign, a.reason, &e) < 0) {
		rc = fail("gate", &e);
	} else {
		printf("%s %s: %s\n", a.account, a.gate, sign ? "signed" : "rejected");
		rc = gate_status(r, &a);
	}
	runner_free(r);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct runner_args a = {0};
	struct err e = {{0}};
	if (runner_args_parse(argc, argv, 1, &a, &e) < 0)
		return cli_usage_error("check", e.msg, NULL);
	if (strcmp(a.action, "tick") != 0) {
		err_set(&e, "unknown subcommand '%s' (tick)", a.action);
		return cli_usage_error("check", e.msg, NULL);
	}
	if (!a.account || !a.item || !a.step == !a.gate) {
		err_set(&e, "needs --account ID, one of --step ID and --gate ID, and --item N|TEXT");
		return cli_usage_error("check", e.msg, NULL);
	}
	struct runner *r = runner_args_open(&a, stderr, &e);
	if (!r)
		return fail("check", &e);
	int rc = runner_tick(r, a.account, a.step, a.gate, a.item, &e);
	if (rc < 0)
		rc = fail("check", &e);
	else
		printf("%s %s: ticked '%s'\n", a.account, a.step ? a.step : a.gate, a.item);
	runner_free(r);
	return rc;
}
