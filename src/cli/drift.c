/* `warroom drift` — after cutover, the target against its cutover snapshot:
 * what changed, what an exception explains, and for how long the rest has
 * gone unexplained against the plan's stop_the_line.drift_unexplained.
 * `--snapshot` takes the snapshot (what the engine does at cutover). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/drift.h"
#include "warroom/exceptions.h"
#include "warroom/plan.h"
#include "warroom/targetapi.h"

struct drift_opts {
	const char *program, *account, *db;
	int snapshot;
};

static int parse_opts(int argc, char **argv, struct drift_opts *o)
{
	static const struct option longopts[] = {
		{"account", required_argument, NULL, 'a'}, {"db", required_argument, NULL, 'd'},
		{"snapshot", no_argument, NULL, 's'},      {NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->account = optarg; break;
		case 'd': o->db = optarg; break;
		case 's': o->snapshot = 1; break;
		case ':': return cli_usage_error("drift", "a value is missing after", argv[optind - 1]);
		default: return cli_usage_error("drift", "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->program = argv[optind++];
	if (!o->program)
		return cli_usage_error("drift", "which program?", NULL);
	if (optind < argc)
		return cli_usage_error("drift", "unexpected argument", argv[optind]);
	return 0;
}

static void print_minutes(int64_t ms)
{
	if (ms < 0)
		printf("never");
	else
		printf("%lldm%02llds", (long long)(ms / 60000), (long long)(ms / 1000 % 60));
}

/* One account: check (or snapshot), print, say whether it is a finding. */
static int one_account(struct store *st, const struct account *a, const struct exception_list *exc,
		       int snapshot, int64_t threshold_ms, struct err *e)
{
	struct targetapi api;
	if (targetapi_open_account(&api, a, e))
		return -1;
	int rc;
	if (snapshot) {
		size_t n = 0;
		rc = drift_snapshot(st, a->id, &api, "cutover", &n, e);
		targetapi_close(&api);
		if (!rc)
			printf("%-14s snapshot taken: %zu entities\n", a->id, n);
		return rc;
	}
	struct drift_result r;
	rc = drift_check(st, a->id, &api, exc, &r, e);
	targetapi_close(&api);
	if (rc)
		return -1;
	int64_t since = 0, now = util_now_ms();
	if (drift_unexplained_since(st, a->id, &since, e)) {
		drift_result_free(&r);
		return -1;
	}
	char taken[32];
	util_iso8601(r.snapshot_ms, taken, sizeof(taken));
	printf("%-14s %zu differing, %zu unexplained (snapshot %s)", a->id, r.differing, r.unexplained,
	       taken);
	if (since) {
		printf("; unexplained for ");
		print_minutes(now - since);
		printf(" of ");
		print_minutes(threshold_ms);
		printf(drift_fires(since, now, threshold_ms) ? ": STOP THE LINE" : "");
	}
	printf("\n");
	for (size_t i = 0; i < r.cmp.n_mismatches; i++) {
		const struct parity_mismatch *m = &r.cmp.mismatches[i];
		static const char *const words[] = {"removed", "added", "changed"};
		printf("  %s %s %s%s%s\n", words[m->kind], entity_type_name(m->type), m->id,
		       m->explained ? " -- explained by " : "", m->explained ? m->explained : "");
	}
	rc = r.unexplained ? 1 : 0;
	drift_result_free(&r);
	return rc;
}

int cmd_drift(int argc, char **argv)
{
	struct drift_opts o = {0};
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	struct err e = {{0}};
	struct targetapi_cmd c;
	struct exception_list exc = {0};
	int status = EXIT_OK;
	if (targetapi_cmd_open(&c, o.program, o.db, o.account, NULL, 1, &e) ||
	    exceptions_list(c.store, EXC_OPEN, util_now_ms(), &exc, &e)) {
		fprintf(stderr, "warroom drift: %s\n", e.msg);
		status = EXIT_FAIL;
		goto out;
	}
	const struct plan *plan = c.program->plan;
	int64_t threshold = DRIFT_UNEXPLAINED_DEFAULT_MS;
	if (plan && plan->stop_the_line && plan->stop_the_line->drift_unexplained_ms >= 0)
		threshold = plan->stop_the_line->drift_unexplained_ms;
	for (size_t i = 0; i < c.n_accounts; i++) {
		int rc = one_account(c.store, c.accounts[i], &exc, o.snapshot, threshold, &e);
		if (rc < 0) {
			fprintf(stderr, "warroom drift: %s\n", e.msg);
			e.msg[0] = 0;
		}
		if (rc)
			status = EXIT_FAIL;
	}
out:
	exception_list_free(&exc);
	targetapi_cmd_close(&c);
	return status;
}
