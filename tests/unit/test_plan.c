/* Unit tests for plan: the seed-only plan and the shipped example programs
 * load clean into the typed model; every cross-reference, grammar and
 * cross-file rule reports its place; the lookups the engine and console
 * use answer from the loaded model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "data/diag_expect.h"
#include "warroom/plan.h"
#include "warroom/util.h"

#define PD_LITE "plans/pd-lite-tenant-migration"
#define PARALLEL "plans/parallel-run-cutover"

/* A small, complete plan the error cases start from. Line numbers matter:
 * the tests below name places in it. */
static const char base_plan[] =
	"migration_phases:\n"                                    /* 1 */
	"  - phase_id: p1\n"                                     /* 2 */
	"    order: 1\n"                                         /* 3 */
	"    steps:\n"                                           /* 4 */
	"      - step_id: s1\n"                                  /* 5 */
	"        order: 1\n"                                     /* 6 */
	"        rollback_procedure: {can_rollback: true}\n"     /* 7 */
	"    validation_gate:\n"                                 /* 8 */
	"      gate_id: g1\n"                                    /* 9 */
	"      approvers: [Lead]\n"                              /* 10 */
	"monitoring_and_observability:\n"                        /* 11 */
	"  migration_monitoring:\n"                              /* 12 */
	"    - {metric_name: error_rate, source: prom, query: 'error_rate{tenant=\"{{account.id}}\"}'}\n"
	"metric_sources:\n"                                      /* 14 */
	"  - {name: prom, type: prometheus, url: 'http://127.0.0.1:1'}\n"
	"waves:\n"                                               /* 16 */
	"  - {name: canary, order: 1}\n"                         /* 17 */
	"risk_mitigation:\n"                                     /* 18 */
	"  migration_risks: [{risk_id: r1, mitigation: {detection_method: m}}]\n"
	"communication_plan: {status_reporting: {frequency: daily}}\n"
	"success_criteria: {technical_success: [{criterion: c}]}\n";

static const char base_accounts[] =
	"accounts:\n"
	"  - id: acct-001\n"
	"    name: One\n"
	"    wave: canary\n"
	"    migration_mode: progressive\n"
	"    source: {system: pagerduty, base_url: 'http://x/pagerduty', token_env: T}\n"
	"    target: {base_url: 'http://x'}\n";

static const char base_roster[] = "roles:\n  - {name: Lead, members: [root]}\noperators: [root]\n";

/* Loads from memory; any text NULL = that file absent. */
static struct program *load3(const char *plan, const char *accounts, const char *roster,
			     struct diags *d)
{
	return program_load_mem("plan.yaml", plan, plan ? strlen(plan) : 0, "accounts.yaml",
				accounts, accounts ? strlen(accounts) : 0, "roster.yaml", roster,
				roster ? strlen(roster) : 0, d);
}

/* The base plan with `extra` appended (top-level keys). */
static struct program *load_plus(const char *extra, struct diags *d)
{
	char *text = xasprintf("%s%s", base_plan, extra);
	struct program *p = load3(text, base_accounts, base_roster, d);
	free(text);
	return p;
}

static void test_base_is_clean(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = load3(base_plan, base_accounts, base_roster, &d);
	if (!p || d.n)
		diag_dump(&d);
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	assert_int_equal(p->n_accounts, 1);
	assert_true(p->has_roster);
	program_free(p);
	diags_free(&d);
}

static void test_seed_only_plan(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = program_load("tests/unit/data/seed-only.yaml", &d);
	if (!p || d.n)
		diag_dump(&d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	assert_false(p->has_accounts);
	assert_false(p->has_roster);
	assert_string_equal(p->dir, "tests/unit/data");
	const struct plan *pl = p->plan;
	assert_int_equal(pl->metadata->migration_status, MIGRATION_PLANNED);
	assert_int_equal(pl->migration_overview->approach, APPROACH_PHASED);
	assert_int_equal(pl->migration_overview->constraints->downtime_allowed, 0);
	assert_int_equal(pl->prerequisites[0].type, PREREQ_INFRASTRUCTURE);
	assert_int_equal(pl->prerequisites[0].validation->status, PREREQ_VERIFIED);
	const struct plan_phase *ph = plan_find_phase(pl, "ph-1");
	assert_non_null(ph);
	assert_int_equal(ph->n_steps, 2);
	assert_int_equal(ph->steps[0].type, STEP_CODE_DEPLOYMENT);
	assert_string_equal(ph->steps[1].preconditions[0], "step:st-1");
	assert_int_equal(ph->steps[0].timeout_ms, 300000); /* the extension's default */
	assert_int_equal(ph->validation_gate->failure_response, FAILURE_MANUAL_DECISION);
	assert_true(ph->rollback_point->can_rollback_from_here);
	assert_int_equal(pl->code_migration->deployment_strategy->approach, DEPLOY_CANARY);
	assert_int_equal(pl->code_migration->version_coordination->services[0].compatibility_mode,
			 COMPAT_BACKWARD_COMPATIBLE);
	assert_int_equal(pl->data_migration->n_migrations, 1);
	assert_int_equal(pl->data_migration->migrations[0].source->estimated_records, 1000000);
	assert_int_equal(pl->data_migration->migrations[0].rollback->rollback_method,
			 DM_SWITCH_BACK);
	assert_int_equal(pl->configuration_migration->configuration_changes[0].type,
			 CONFIG_ENVIRONMENT_VARIABLE);
	assert_int_equal(pl->infrastructure_migration->infrastructure_changes[0].type, INFRA_DATABASE);
	assert_int_equal(pl->integration_migration->external_integrations[0]
				 .migration_approach->method,
			 INTEGRATION_CUTOVER);
	assert_int_equal(pl->validation_strategy->validation_gates[0].type, GATE_AUTOMATED);
	assert_int_equal(pl->validation_strategy->regression_validation[0].execution_frequency,
			 REGRESSION_CONTINUOUS);
	assert_non_null(plan_find_rollback_level(pl, ROLLBACK_PHASE));
	assert_null(plan_find_rollback_level(pl, ROLLBACK_FULL));
	assert_int_equal(pl->rollback_strategy->rollback_testing[0].test_result, TEST_PASSED);
	assert_int_equal(pl->risk_mitigation->migration_risks[0].probability, LEVEL_LOW);
	assert_int_equal(pl->risk_mitigation->migration_risks[0].impact, LEVEL_CRITICAL);
	assert_int_equal(pl->communication_plan->status_reporting->format, REPORT_EMAIL);
	assert_string_equal(pl->communication_plan->stakeholder_communication[0]
				    .notifications[0]
				    .template_text,
			    "the orders split starts tomorrow");
	assert_non_null(plan_find_metric(pl, "write_errors"));
	assert_int_equal(pl->post_migration->monitoring_period->alert_sensitivity,
			 SENSITIVITY_NORMAL);
	assert_int_equal(pl->execution_timeline->contingency_time->buffer_percentage, 20);
	assert_int_equal(pl->execution_timeline->milestones[0].status, MILESTONE_NOT_STARTED);
	assert_string_equal(pl->linkage->automation_scripts_dir, "scripts/");
	assert_null(pl->program);
	assert_int_equal(pl->n_waves, 0);
	program_free(p);
	diags_free(&d);
}

static void expect_hash(const char *file, const char *hex)
{
	size_t len;
	struct err e;
	char *buf = util_read_file(file, PLAN_MAX_FILE_BYTES, &len, &e);
	assert_non_null(buf);
	unsigned char md[32];
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL), 1);
	char want[65];
	util_hex(md, 32, want);
	assert_string_equal(hex, want);
	free(buf);
}

static void test_pd_lite_program(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = program_load(PD_LITE, &d);
	if (!p || d.n)
		diag_dump(&d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	expect_hash(PD_LITE "/plan.yaml", p->plan_hash);
	const struct plan *pl = p->plan;
	assert_true(p->n_accounts >= 20);
	assert_int_equal(pl->n_waves, 3);
	assert_string_equal(pl->waves[0].name, "canary");
	assert_string_equal(pl->waves[1].name, "ramp");
	assert_string_equal(pl->waves[2].name, "full");
	const struct account **in_wave;
	size_t total = 0;
	for (size_t w = 0; w < pl->n_waves; w++) {
		size_t n = program_wave_accounts(p, pl->waves[w].name, &in_wave);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(in_wave[i]->wave, pl->waves[w].name);
		total += n;
		free(in_wave);
	}
	assert_int_equal(total, p->n_accounts);
	const struct account *a = program_find_account(p, "acct-001");
	assert_non_null(a);
	assert_int_equal(a->source.system, SYSTEM_PAGERDUTY);
	assert_string_equal(account_system_name(a->source.system), "pagerduty");
	assert_string_equal(a->source.base_url,
			    "{{env.WARROOM_SIM_URL:-http://127.0.0.1:8089}}/pagerduty");
	assert_null(program_find_account(p, "acct-999"));

	const struct plan_phase *ph = NULL;
	const struct plan_step *s = plan_find_step(pl, "im-backfill-incidents", &ph);
	assert_non_null(s);
	assert_string_equal(ph->phase_id, "import");
	assert_non_null(s->progress);
	assert_int_equal(s->timeout_ms, 30 * 60 * 1000);
	assert_int_equal(s->execution_details->actions[0].method, HTTP_POST);
	assert_int_equal(s->rollback_procedure->actions[0].method, HTTP_DELETE);
	assert_int_equal(s->rollback_procedure->actions[0].idempotent, 1);
	/* Phases and steps come in execution order. */
	for (size_t i = 1; i < pl->n_phases; i++)
		assert_true(pl->phases[i - 1].order <= pl->phases[i].order);
	for (size_t i = 0; i < pl->n_phases; i++) {
		assert_non_null(pl->phases[i].validation_gate);
		for (size_t j = 1; j < pl->phases[i].n_steps; j++)
			assert_true(pl->phases[i].steps[j - 1].order <= pl->phases[i].steps[j].order);
	}
	const struct plan_gate *g = plan_find_gate(pl, "g-dual-run", &ph);
	assert_non_null(g);
	assert_string_equal(ph->phase_id, "dual-run");
	assert_int_equal(g->n_quorum, 1);
	assert_int_equal(g->checks[0].condition->op, COND_LT);
	assert_true(g->checks[0].condition->value > 0.00499 && g->checks[0].condition->value < 0.00501);
	assert_string_equal(g->checks[0].condition->metric, "error_rate");
	assert_non_null(g->checks[0].failure_condition);
	assert_string_equal(plan_failure_response_name(g->failure_response), "rollback");
	/* Every approver role holds root, so tests running as root can sign. */
	for (size_t i = 0; i < pl->n_phases; i++) {
		const struct plan_gate *pg = pl->phases[i].validation_gate;
		for (size_t j = 0; j < pg->n_approvers; j++)
			assert_true(roster_has_role(&p->roster, "root", pg->approvers[j]));
	}
	size_t n;
	assert_null(roster_role_members(&p->roster, "Nobody", &n));
	assert_int_equal(n, 0);
	assert_false(roster_has_role(&p->roster, "root", "Exec Sponsor"));
	assert_true(roster_is_operator(&p->roster, "root"));
	assert_false(roster_is_observer(&p->roster, "root"));
	assert_true(roster_is_observer(&p->roster, "judy"));
	assert_non_null(pl->program);
	assert_true(pl->program->parity_threshold > 0.9989 && pl->program->parity_threshold < 0.9991);
	assert_int_equal(pl->program->rpo_ms, 5 * 60 * 1000);
	assert_int_equal(pl->stop_the_line->drift_unexplained_ms, 30 * 60 * 1000);
	assert_int_equal(pl->stop_the_line->action, STOP_ROLLBACK);
	const struct plan_metric *m = plan_find_metric(pl, "legacy_error_rate");
	assert_non_null(m);
	assert_int_equal(plan_find_metric_source(pl, m->source)->type, METRIC_SOURCE_HTTP_JSON);
	assert_null(plan_find_wave(pl, "nope"));
	assert_int_equal(plan_find_wave(pl, "full")->max_concurrency, 8);
	program_free(p);
	diags_free(&d);
}

static void test_parallel_run_program(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = program_load(PARALLEL, &d);
	if (!p || d.n)
		diag_dump(&d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	assert_true(p->n_accounts >= 20);
	/* 1% -> 5% -> 25% -> 50% -> 100%, each undone to the stage before. */
	static const char *const stages[] = {"ts-1", "ts-5", "ts-25", "ts-50", "ts-100"};
	static const char *const undo[] = {"\"percentage\": 0}", "\"percentage\": 1}",
					   "\"percentage\": 5}", "\"percentage\": 25}",
					   "\"percentage\": 50}"};
	for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
		const struct plan_step *s = plan_find_step(p->plan, stages[i], NULL);
		assert_non_null(s);
		assert_true(s->validation->n_checks >= 2);
		assert_non_null(s->rollback_procedure);
		assert_int_equal(s->rollback_procedure->n_actions, 1);
		assert_non_null(strstr(s->rollback_procedure->actions[0].body, undo[i]));
	}
	bool incidentio = false;
	for (size_t i = 0; i < p->n_accounts; i++)
		incidentio |= p->accounts[i].source.system == SYSTEM_INCIDENTIO;
	assert_true(incidentio);
	program_free(p);
	diags_free(&d);
}

static void test_lone_file_and_folders(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = program_load(PD_LITE "/plan.yaml", &d);
	assert_non_null(p);
	assert_false(p->has_accounts);
	assert_null(p->accounts_path);
	assert_string_equal(p->dir, PD_LITE);
	program_free(p);
	diags_free(&d);

	assert_null(program_load("tests/unit/data", &d));
	assert_diag(&d, "tests/unit/data: error: no plan.yaml in this folder");
	diags_free(&d);
	assert_null(program_load("tests/unit/data/nothing-here", &d));
	assert_diag(&d, "tests/unit/data/nothing-here: error: no such file or folder");
	diags_free(&d);

	assert_null(load3("", NULL, NULL, &d));
	assert_diag(&d, "plan.yaml: error: the file is empty");
	diags_free(&d);
}

static void test_step_references(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = load_plus("execution_timeline:\n"
				      "  critical_path:\n"
				      "    - {step_id: s2}\n"
				      "    - {step_id: s1}\n"
				      "extra_phase_holder:\n",
				      &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:24:17: error: unknown step 's2' (did you mean 's1'?)");
	assert_diag(&d, "plan.yaml:26:1: warning: unknown key 'extra_phase_holder' in the plan");
	assert_int_equal(d.errors, 1);
	diags_free(&d);

	/* A precondition "step:ID" names a step; other preconditions are prose. */
	char *text = xstrdup(base_plan);
	char *at = strstr(text, "        order: 1\n");
	assert_non_null(at);
	char *plan = xasprintf("%.*s        preconditions: [\"step:nope\", \"the DBA agrees\"]\n%s",
			       (int)(at - text), text, at);
	p = load3(plan, base_accounts, base_roster, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:6:25: error: unknown step 'nope'");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	free(plan);
	free(text);

	/* The critical path may name a code_migration step too. */
	p = load_plus("code_migration:\n  deployment_strategy:\n    steps: [{step_id: cd1}]\n"
		      "execution_timeline:\n  critical_path: [{step_id: cd1}, {step_id: s1}]\n",
		      &d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	program_free(p);
	diags_free(&d);
}

static void test_datasets(void **state)
{
	(void)state;
	struct diags d = {0};
	/* Without test_datasets, dataset names are not checked. */
	const char *refs = "rollback_strategy:\n"
			   "  rollback_testing: [{rollback_scenario: x, test_dataset_id: ds-a}]\n"
			   "success_criteria_holder: 1\n";
	struct program *p = load_plus(refs, &d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	program_free(p);
	diags_free(&d);
	char *with = xasprintf("%stest_datasets:\n  - {dataset_id: ds-b}\n", refs);
	p = load_plus(with, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:23:62: error: unknown test dataset 'ds-a' (did you mean 'ds-b'?)");
	assert_int_equal(d.errors, 1);
	diags_free(&d);
	free(with);
	p = load_plus("test_datasets:\n  - {dataset_id: d1}\n  - {dataset_id: d1}\n", &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:24:18: error: duplicate dataset_id 'd1' (first at line 23)");
	diags_free(&d);
}

static void test_conditions_templates_sources(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = load_plus(
		"validation_strategy:\n"
		"  continuous_validation: [{validation_id: v, name: '{{account.idd}}'}]\n"
		"post_migration:\n"
		"  cleanup_tasks: [{task_id: t, name: '{{env.HOME:-x}} {{target.base_url}}'}]\n"
		"rollback_strategy:\n"
		"  rollback_levels:\n"
		"    - level: full\n"
		"      validation:\n"
		"        checks:\n"
		"          - {name: a, condition: 'error_rat < 1%'}\n"
		"          - {name: b, condition: 'error_rate << 1%'}\n"
		"          - {name: c, condition: 'error_rate < 1%', source: promm}\n"
		"          - {name: d}\n"
		"          - {name: e, condition: 'error_rate < 1%', http: {url: 'http://x'}}\n"
		"          - {name: f, http: {url: 'http://x', method: FETCH}}\n"
		"          - {name: g, failure_condition: 'error_rate > 1%', http: {url: u}}\n",
		&d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:23:52: error: unknown template name {{account.idd}} (known: account.id, "
			"account.name, source.base_url, target.base_url, source.system, env.NAME)");
	assert_diag(&d, "plan.yaml:31:34: error: unknown metric 'error_rat' (did you mean "
			"'error_rate'?)");
	assert_diag(&d, "plan.yaml:32:34: error: condition 'error_rate << 1%': '< 1%' is not a percentage "
			"(write METRIC OP NUMBER[%], e.g. error_rate < 0.5%)");
	assert_diag(&d, "plan.yaml:33:61: error: unknown metric source 'promm' (did you mean "
			"'prom'?)");
	assert_diag(&d, "plan.yaml:34:13: error: check 'd' needs 'http' or 'condition'");
	assert_diag(&d, "plan.yaml:35:13: error: check 'e' takes 'http' or 'condition', not both");
	assert_diag(&d, "plan.yaml:36:55: error: 'FETCH' is not a valid method (one of: GET, PUT, "
			"POST, PATCH, DELETE)");
	assert_diag(&d, "plan.yaml:37:42: error: 'failure_condition' needs a 'condition' beside it");
	assert_int_equal(d.errors, 8);
	diags_free(&d);

	/* A Prometheus metric needs its query. */
	p = load_plus("metric_sources_note: 1\n", &d);
	assert_non_null(p);
	program_free(p);
	diags_free(&d);
	char *text = xstrdup(base_plan);
	char *q = strstr(text, ", query:");
	assert_non_null(q);
	char *end = strstr(q, "}\n");
	memmove(q, end, strlen(end) + 1); /* drop the query, keep the rest */
	p = load3(text, NULL, NULL, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:13:7: error: metric 'error_rate' reads Prometheus source 'prom' "
			"but has no 'query'");
	diags_free(&d);
	free(text);
}

/* A threshold stop-the-line reads must parse in either direction; a prose
 * one loads with a warning that it is not watched. */
static void test_metric_thresholds(void **state)
{
	(void)state;
	struct diags d = {0};
	char *text = xstrdup(base_plan);
	const char *from = "{metric_name: error_rate,";
	char *at = strstr(text, from);
	assert_non_null(at);
	char *edited = xasprintf("%.*s{metric_name: error_rate, alert_threshold: '< 99%%', "
				 "critical_threshold: 'about 5m',%s", (int)(at - text), text,
				 at + strlen(from));
	struct program *p = load3(edited, base_accounts, base_roster, &d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_diag(&d, "plan.yaml:13:79: warning: critical_threshold of metric 'error_rate': "
			"threshold 'about 5m': 'about 5m' is not a number (write '> 1%', '< 99%' or a "
			"bare upper limit; it is not watched)");
	program_free(p);
	diags_free(&d);
	free(edited);
	free(text);
}

static void test_exec_and_actions(void **state)
{
	(void)state;
	struct diags d = {0};
	char *text = xstrdup(base_plan);
	char *at = strstr(text, "        rollback_procedure");
	assert_non_null(at);
	char *plan = xasprintf(
		"%.*s        execution_details:\n"
		"          exec: [{name: none}, {argv: [a], shell: b}, {shell: 'echo {{account.id}}', timeout: 5x}]\n"
		"          actions: [{url: u, expect_status: [200, 99]}, {url: u, method: POST, retries: x}]\n"
		"        timeout: 0s\n%s",
		(int)(at - text), text, at);
	struct program *p = load3(plan, NULL, NULL, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:8:18: error: exec needs 'argv' (a list) or 'shell' (a string)");
	assert_diag(&d, "plan.yaml:8:32: error: exec takes 'argv' or 'shell', not both");
	assert_diag(&d, "plan.yaml:8:95: error: 'timeout' must be a duration");
	assert_diag(&d, "plan.yaml:9:45: error: expect_status 99 is not an HTTP status (100-599)");
	assert_diag(&d, "plan.yaml:9:89: error: 'retries' must be an integer, not 'x'");
	assert_diag(&d, "plan.yaml:10:18: error: a step timeout of 0 never lets it run");
	diags_free(&d);
	free(plan);
	free(text);
}

static void test_accounts(void **state)
{
	(void)state;
	struct diags d = {0};
	const char *accounts =
		"accounts:\n"
		"  - id: acct-001\n"                                                    /* 2 */
		"    name: One\n"
		"    wave: canery\n"                                                    /* 4 */
		"    migration_mode: big_bang\n"                                        /* 5 */
		"    source: {system: pagerdutty, base_url: u, token_env: A, token_file: f}\n"
		"    target: {base_url: '{{account.nope}}'}\n"                          /* 7 */
		"    cutover_window: {start: '2026-12-02T10:00:00Z', end: '2026-12-01T10:00:00Z'}\n"
		"  - id: acct-001\n"                                                    /* 9 */
		"    name: Again\n"
		"    wave: canary\n"
		"    migration_mode: progressive\n"
		"    source: {base_url: u}\n"                                           /* 13 */
		"    cutover_window: {start: tomorrow, end: '2026-12-01'}\n"            /* 14 */
		"    services: svc\n";                                                  /* 15 */
	struct program *p = load3(base_plan, accounts, base_roster, &d);
	assert_null(p);
	assert_diag(&d, "accounts.yaml:4:11: error: unknown wave 'canery' (did you mean 'canary'?)");
	assert_diag(&d, "accounts.yaml:5:21: error: 'big_bang' is not a valid migration_mode "
			"(one of: progressive, parallel_run, incident_opt_in, full_cutover)");
	assert_diag(&d, "accounts.yaml:6:22: error: 'pagerdutty' is not a valid system (did you "
			"mean 'pagerduty'?");
	assert_diag(&d, "accounts.yaml:6:13: error: give 'token_env' or 'token_file', not both");
	assert_diag(&d, "accounts.yaml:7:24: error: unknown template name");
	assert_diag(&d, "accounts.yaml:8:58: error: cutover_window ends (2026-12-01T10:00:00Z) "
			"before it starts (2026-12-02T10:00:00Z)");
	assert_diag(&d, "accounts.yaml:9:9: error: duplicate id 'acct-001' (first at line 2)");
	assert_diag(&d, "accounts.yaml:13:13: error: source is missing 'system'");
	assert_diag(&d, "accounts.yaml:9:5: error: account is missing 'target'");
	assert_diag(&d, "accounts.yaml:14:29: error: 'start' must be an ISO 8601 date or time");
	assert_diag(&d, "accounts.yaml:15:15: error: 'services' must be a list of strings, not a "
			"scalar");
	assert_int_equal(d.errors, 11); /* each problem once */
	diags_free(&d);

	/* Waves are checked only when the plan defines them. */
	char *text = xstrdup(base_plan);
	char *w = strstr(text, "waves:\n");
	assert_non_null(w);
	memcpy(w, "wavez:", 6);
	p = load3(text, "accounts:\n  - {id: a, name: A, wave: any, migration_mode: progressive,"
			" source: {system: rootly, base_url: u}, target: {base_url: u}}\n",
		  NULL, &d);
	assert_non_null(p);
	assert_diag(&d, "plan.yaml:16:1: warning: unknown key 'wavez' in the plan (did you mean "
			"'waves'?)");
	assert_int_equal(p->accounts[0].source.system, SYSTEM_ROOTLY);
	program_free(p);
	diags_free(&d);
	free(text);

	p = load3(base_plan, "accounts: []\n", NULL, &d);
	assert_non_null(p);
	assert_diag(&d, "accounts.yaml: warning: no accounts: nothing to migrate");
	program_free(p);
	diags_free(&d);
	p = load3(base_plan, "accounts:\n  - 1\n", NULL, &d);
	assert_null(p);
	assert_diag(&d, "accounts.yaml:2:5: error: account must be a mapping, not a scalar");
	diags_free(&d);
}

static void test_roster(void **state)
{
	(void)state;
	struct diags d = {0};
	/* Approvers and quorum roles must be roster roles when there is a roster. */
	char *text = xstrdup(base_plan);
	char *at = strstr(text, "monitoring_and_observability:");
	assert_non_null(at);
	char *plan = xasprintf("%.*s      quorum: [{role: Leadd, count: 0}]\n%s", (int)(at - text), text,
			       at);
	const char *roster = "roles:\n  - {name: Lead, members: [root]}\n  - {name: Lead, members: []}\n"
			     "  - {name: Other}\noperators: root\n";
	struct program *p = load3(plan, NULL, roster, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:11:23: error: unknown roster role 'Leadd' (did you mean 'Lead'?)");
	assert_diag(&d, "plan.yaml:11:37: error: quorum count must be at least 1");
	assert_diag(&d, "roster.yaml:3:12: error: duplicate name 'Lead' (first at line 2)");
	assert_diag(&d, "roster.yaml:4:5: error: role is missing 'members'");
	assert_diag(&d, "roster.yaml:5:12: error: 'operators' must be a list of strings, not a scalar");
	diags_free(&d);
	/* Without a roster, role names are not checked. */
	p = load3(plan, NULL, NULL, &d);
	assert_null(p); /* the count is still wrong */
	assert_false(diag_has(&d, "plan.yaml:11:23: error: unknown roster role"));
	diags_free(&d);
	free(plan);
	free(text);
}

static void test_validation_requirements(void **state)
{
	(void)state;
	struct diags d = {0};
	struct program *p = load3("migration_phases:\n"
				  "  - phase_id: a\n"
				  "    steps: [{step_id: s}]\n"
				  "  - phase_id: a\n"
				  "    validation_gate: {gate_id: g, aprovers: [x], approval_required: true}\n"
				  "    rollback_point: {can_rollback_from_here: true}\n"
				  "risk_mitigation:\n"
				  "  migration_risks: [{risk_id: r, probability: critical}]\n",
				  NULL, NULL, &d);
	assert_null(p);
	assert_diag(&d, "plan.yaml:4:15: error: duplicate phase_id 'a' (first at line 2)");
	assert_diag(&d, "plan.yaml:5:35: warning: unknown key 'aprovers' in validation_gate (did you "
			"mean 'approvers'?)");
	assert_diag(&d, "plan.yaml:8:47: error: 'critical' is not a valid probability");
	assert_diag(&d, "plan.yaml:8:21: warning: risk 'r' has no mitigation");
	assert_diag(&d, "plan.yaml:2:5: warning: phase 'a' has no validation_gate");
	assert_diag(&d, "plan.yaml:3:13: warning: step 's' has no rollback_procedure and its phase no "
			"rollback_point");
	assert_diag(&d, "plan.yaml:5:22: warning: gate 'g' requires approval but names no approvers");
	assert_diag(&d, "plan.yaml:1:1: warning: the plan defines no monitoring");
	assert_diag(&d, "plan.yaml:1:1: warning: the plan has no communication_plan");
	assert_diag(&d, "plan.yaml:1:1: warning: the plan defines no success_criteria");
	assert_int_equal(d.errors, 2);
	diags_free(&d);

	/* Warnings alone still load. */
	p = load3("migration_phases: []\n", NULL, NULL, &d);
	assert_non_null(p);
	assert_diag(&d, "plan.yaml:1:1: warning: the plan defines no migration_phases");
	assert_diag(&d, "plan.yaml:1:1: warning: the plan identifies no risks");
	assert_int_equal(d.errors, 0);
	program_free(p);
	diags_free(&d);
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(plan_http_method_name(HTTP_PATCH), "PATCH");
	assert_string_equal(account_mode_name(ACCOUNT_INCIDENT_OPT_IN), "incident_opt_in");
	assert_string_equal(plan_step_type_name(STEP_VALIDATION), "validation");
	assert_string_equal(plan_rollback_level_name(ROLLBACK_FULL), "full");
	assert_string_equal(plan_rollback_level_name(ROLLBACK_LEVEL_NONE), "");
	assert_string_equal(account_system_name((enum account_system)99), "");
}

/* docs/plan-format.md lists every row of the tables: a key added to a table
 * without its documentation fails here. */
static void check_documented(const struct schema_obj *o, const char *doc, int depth)
{
	if (depth > 12)
		return;
	for (size_t i = 0; i < o->n_fields; i++) {
		const struct schema_field *f = &o->fields[i];
		char *want = xasprintf("| `%s` |", f->key);
		if (!strstr(doc, want))
			fail_msg("docs/plan-format.md does not document key '%s' of %s", f->key,
				 o->name);
		free(want);
		if (f->type == SCHEMA_OBJ || f->type == SCHEMA_LIST)
			check_documented(f->child, doc, depth + 1);
	}
}

static void test_format_is_documented(void **state)
{
	(void)state;
	size_t len;
	struct err e;
	char *doc = util_read_file("docs/plan-format.md", 1 << 20, &len, &e);
	assert_non_null(doc);
	check_documented(&plan_schema_plan, doc, 0);
	check_documented(&plan_schema_accounts, doc, 0);
	check_documented(&plan_schema_roster, doc, 0);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_clean),
		cmocka_unit_test(test_seed_only_plan),
		cmocka_unit_test(test_pd_lite_program),
		cmocka_unit_test(test_parallel_run_program),
		cmocka_unit_test(test_lone_file_and_folders),
		cmocka_unit_test(test_step_references),
		cmocka_unit_test(test_datasets),
		cmocka_unit_test(test_conditions_templates_sources),
		cmocka_unit_test(test_metric_thresholds),
		cmocka_unit_test(test_exec_and_actions),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_roster),
		cmocka_unit_test(test_validation_requirements),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_format_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
