/* plan_schema — the plan format as data: one table per object of the
 * migration-strategy schema and of the executable extensions, plus
 * accounts.yaml and roster.yaml. docs/plan-format.md mirrors these rows;
 * the hooks here check what one row cannot say (one-of fields, grammars). */
#include <stddef.h>
#include <string.h>

#include "warroom/cond.h"
#include "warroom/plan.h"

/* ---- row macros: T is the struct the current table describes ---------------------- */
#define ROW(k, m, t, ...) {.key = k, .type = t, .offset = offsetof(T, m), __VA_ARGS__}
#define STR(m, ...) ROW(#m, m, SCHEMA_STR, __VA_ARGS__)
#define INT(m, ...) ROW(#m, m, SCHEMA_INT, __VA_ARGS__)
#define BOOL(m, ...) ROW(#m, m, SCHEMA_BOOL, __VA_ARGS__)
#define DATE(m, ...) ROW(#m, m, SCHEMA_DATETIME, __VA_ARGS__)
#define DUR(k, m, ...) ROW(k, m, SCHEMA_DURATION, __VA_ARGS__)
#define PCT(m, ...) ROW(#m, m, SCHEMA_PERCENT, __VA_ARGS__)
#define ENUM(m, names, ...) \
	ROW(#m, m, SCHEMA_ENUM, .enums = names, .n_enums = ARRAY_SIZE(names), __VA_ARGS__)
#define STRL(m, ...) ROW(#m, m, SCHEMA_STR_LIST, .count_offset = offsetof(T, n_##m), __VA_ARGS__)
#define INTL(m, ...) ROW(#m, m, SCHEMA_INT_LIST, .count_offset = offsetof(T, n_##m), __VA_ARGS__)
#define MAPS(m, ...) ROW(#m, m, SCHEMA_MAP_STR, .count_offset = offsetof(T, n_##m), __VA_ARGS__)
#define OBJ(m, c, ...) ROW(#m, m, SCHEMA_OBJ, .child = &c, __VA_ARGS__)
#define LIST(m, c, ...) ROW(#m, m, SCHEMA_LIST, .child = &c, .count_offset = offsetof(T, n_##m), __VA_ARGS__)
#define ID(r) .flags = SCHEMA_ID, .ref = r
#define REQ .flags = SCHEMA_REQUIRED
#define EXT .flags = SCHEMA_EXTENSION
#define REQ_EXT .flags = SCHEMA_REQUIRED | SCHEMA_EXTENSION
#define DATASETS(m) STRL(m, .ref = REF_DATASET)
#define OBJECT(var, name, fin) \
	static const struct schema_obj var##_o = {name, sizeof(T), var##_f, ARRAY_SIZE(var##_f), fin}

/* ---- enum names, indexed by the enums of plan.h ---------------------------------------- */
static const char *const migration_status_names[] = {NULL, "planned", "in_progress", "completed", "rolled_back"};
static const char *const approach_names[] = {NULL, "big_bang", "phased", "parallel_run", "strangler_fig", "blue_green"};
static const char *const prereq_type_names[] = {NULL, "infrastructure", "code", "data", "configuration", "approval"};
static const char *const prereq_status_names[] = {NULL, "pending", "verified", "blocked"};
static const char *const step_type_names[] = {NULL, "code_deployment", "data_migration", "configuration", "infrastructure", "validation"};
static const char *const failure_response_names[] = {NULL, "block", "rollback", "manual_decision"};
static const char *const deploy_approach_names[] = {NULL, "rolling", "blue_green", "canary", "feature_flag"};
static const char *const compat_names[] = {NULL, "backward_compatible", "requires_coordination", "breaking"};
static const char *const dm_type_names[] = {NULL, "schema_change", "data_transformation", "data_cleanup", "data_archival"};
static const char *const dm_method_names[] = {NULL, "online", "offline", "dual_write", "shadow_write", "backfill"};
static const char *const dm_rollback_names[] = {NULL, "restore_backup", "reverse_migration", "switch_back"};
static const char *const config_type_names[] = {NULL, "environment_variable", "config_file", "database_config", "feature_flag"};
static const char *const infra_type_names[] = {NULL, "server", "database", "cache", "load_balancer", "network", "storage"};
static const char *const integration_method_names[] = {NULL, "cutover", "parallel_run", "gradual_migration"};
static const char *const gate_type_names[] = {NULL, "automated", "manual", "hybrid"};
static const char *const handling_names[] = {NULL, "block", "rollback", "manual_review"};
static const char *const regression_names[] = {NULL, "pre_migration", "post_migration", "continuous"};
static const char *const rollback_level_names[] = {NULL, "step", "phase", "full"};
static const char *const test_result_names[] = {NULL, "passed", "failed", "partial"};
static const char *const risk_category_names[] = {NULL, "data_loss", "downtime", "performance_degradation", "rollback_failure"};
/* probability and priority take three of the four levels; plan.c checks */
static const char *const level_names[] = {NULL, "critical", "high", "medium", "low"};
static const char *const stakeholder_names[] = {NULL, "internal_team", "users", "partners", "management"};
static const char *const notification_names[] = {NULL, "pre_migration", "during_migration", "post_migration", "issue"};
static const char *const report_format_names[] = {NULL, "dashboard", "email", "slack", "meeting"};
static const char *const sensitivity_names[] = {NULL, "high", "normal"};
static const char *const milestone_names[] = {NULL, "not_started", "in_progress", "completed", "delayed"};
static const char *const http_method_names[] = {NULL, "GET", "PUT", "POST", "PATCH", "DELETE"};
static const char *const stop_action_names[] = {NULL, "rollback", "halt"};
static const char *const metric_source_names[] = {NULL, "prometheus", "http_json"};
static const char *const account_mode_names[] = {NULL, "progressive", "parallel_run", "incident_opt_in", "full_cutover"};
static const char *const account_system_names[] = {NULL, "pagerduty", "rootly", "incidentio"};

static const char *name_of(const char *const *names, size_t n, int v)
{
	return v > 0 && (size_t)v < n ? names[v] : "";
}
#define NAME_FN(fn, type, names) \
	const char *fn(type v) { return name_of(names, ARRAY_SIZE(names), (int)v); }
NAME_FN(plan_http_method_name, enum plan_http_method, http_method_names)
NAME_FN(account_system_name, enum account_system, account_system_names)
NAME_FN(account_mode_name, enum account_mode, account_mode_names)
NAME_FN(plan_failure_response_name, enum plan_failure_response, failure_response_names)
NAME_FN(plan_step_type_name, enum plan_step_type, step_type_names)
NAME_FN(plan_rollback_level_name, enum plan_rollback_level, rollback_level_names)

/* ---- hooks --------------------------------------------------------------------------- */

/* "step:ID" in preconditions names another step; anything else is prose. */
static void check_precondition(struct schema_ctx *ctx, const struct node *n, const char *s)
{
	if (strncmp(s, "step:", 5) != 0)
		return;
	const char *id = s + 5;
	while (*id == ' ')
		id++;
	if (!*id)
		schema_error(ctx, n, "precondition 'step:' names no step");
	else
		schema_refer(ctx, REF_STEP, id, n);
}

static void parse_op(struct schema_ctx *ctx, const struct node *n, void *field)
{
	if (n->kind != NODE_SCALAR || cond_op_parse(n->u.str, field) < 0)
		schema_error(ctx, n, "'op' must be one of < <= > >= == !=");
}

static void parse_assert_value(struct schema_ctx *ctx, const struct node *n, void *field)
{
	struct plan_assert *a = (struct plan_assert *)((char *)field - offsetof(struct plan_assert, value));
	if (n->kind != NODE_SCALAR) {
		schema_error(ctx, n, "'value' must be a scalar, not %s", node_kind_article(n->kind));
		return;
	}
	a->value = (char *)n->u.str;
	a->value_quoted = n->quoted;
}

static void finish_http(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	struct plan_http *h = obj;
	if (!h->method)
		h->method = HTTP_GET;
	if (h->idempotent < 0)
		h->idempotent = h->method != HTTP_POST && h->method != HTTP_PATCH;
	for (size_t i = 0; i < h->n_expect_status; i++)
		if (h->expect_status[i] < 100 || h->expect_status[i] > 599)
			schema_error(ctx, node_get(n, "expect_status"),
				     "expect_status %lld is not an HTTP status (100-599)",
				     (long long)h->expect_status[i]);
}

static void finish_exec(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	struct plan_exec *x = obj;
	if (!x->shell && !x->n_argv)
		schema_error(ctx, n, "exec needs 'argv' (a list) or 'shell' (a string)");
	else if (x->shell && x->n_argv)
		schema_error(ctx, n, "exec takes 'argv' or 'shell', not both");
}

static struct cond *condition_of(struct schema_ctx *ctx, const struct node *check,
				 const char *key, const char *text)
{
	if (!text)
		return NULL;
	const struct node *at = node_get(check, key);
	struct err e;
	struct cond c;
	if (cond_parse(text, &c, &e) < 0) {
		schema_error(ctx, at, "%s (write METRIC OP NUMBER[%%], e.g. error_rate < 0.5%%)", e.msg);
		return NULL;
	}
	struct cond *out = arena_alloc(ctx->arena, sizeof(*out));
	*out = c;
	schema_refer(ctx, REF_METRIC, out->metric, at);
	return out;
}

static void finish_check(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	struct plan_check *c = obj;
	c->condition = condition_of(ctx, n, "condition", c->condition_text);
	c->failure_condition = condition_of(ctx, n, "failure_condition", c->failure_condition_text);
	if (!c->http && !c->condition_text)
		schema_error(ctx, n, "check '%s' needs 'http' or 'condition'", c->name ? c->name : "");
	else if (c->http && c->condition_text)
		schema_error(ctx, n, "check '%s' takes 'http' or 'condition', not both",
			     c->name ? c->name : "");
	if (c->failure_condition_text && !c->condition_text)
		schema_error(ctx, node_get(n, "failure_condition"),
			     "'failure_condition' needs a 'condition' beside it");
	if (c->source && !c->condition_text)
		schema_error(ctx, node_get(n, "source"), "'source' applies only to a 'condition'");
}

static void finish_quorum(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_quorum *q = obj;
	if (q->count < 1)
		schema_error(ctx, node_get(n, "count") ? node_get(n, "count") : n,
			     "quorum count must be at least 1");
}

static void finish_nonneg_limits(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_gate *g = obj;
	if (g->failure_limit < 0)
		schema_error(ctx, node_get(n, "failure_limit"), "failure_limit must not be negative");
	if (g->inconclusive_limit < 0)
		schema_error(ctx, node_get(n, "inconclusive_limit"),
			     "inconclusive_limit must not be negative");
}

static void finish_step(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_step *s = obj;
	if (s->retries < -1)
		schema_error(ctx, node_get(n, "retries"), "retries must not be negative");
	if (s->timeout_ms == 0)
		schema_error(ctx, node_get(n, "timeout"), "a step timeout of 0 never lets it run");
}

static void finish_wave(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_wave *w = obj;
	if (w->max_concurrency < 1)
		schema_error(ctx, node_get(n, "max_concurrency"), "max_concurrency must be at least 1");
}

static void finish_endpoint(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct account_endpoint *e = obj;
	if (e->token_env && e->token_file)
		schema_error(ctx, n, "give 'token_env' or 'token_file', not both");
}

static void finish_window(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct account_window *w = obj;
	/* Same-form ISO 8601 UTC strings order as text; mixed forms are left alone. */
	if (w->start && w->end && strlen(w->start) == strlen(w->end) &&
	    strcmp(w->end, w->start) <= 0)
		schema_error(ctx, node_get(n, "end"), "cutover_window ends (%s) before it starts (%s)",
			     w->end, w->start);
}

/* ---- extensions ---------------------------------------------------------------------- */
#define T struct plan_assert
static const struct schema_field assert_f[] = {
	STR(pointer, REQ),
	ROW("op", op, SCHEMA_CUSTOM, .parse = parse_op, .flags = SCHEMA_REQUIRED),
	ROW("value", value, SCHEMA_CUSTOM, .parse = parse_assert_value, .flags = SCHEMA_REQUIRED),
};
OBJECT(assert, "assert", NULL);
#undef T

#define T struct plan_http
static const struct schema_field action_f[] = {
	STR(name), ENUM(method, http_method_names), STR(url, REQ), MAPS(headers), STR(body),
	INTL(expect_status), BOOL(idempotent, .def = -1), DUR("timeout", timeout_ms, .def = -1),
	INT(retries, .def = -1),
};
OBJECT(action, "action", finish_http);
static const struct schema_field probe_f[] = {
	ENUM(method, http_method_names), STR(url, REQ), MAPS(headers), STR(body),
	INTL(expect_status), DUR("timeout", timeout_ms, .def = -1), INT(retries, .def = -1),
	ROW("assert", asserts, SCHEMA_LIST, .child = &assert_o,
	    .count_offset = offsetof(T, n_asserts)),
	BOOL(idempotent, .def = -1),
};
OBJECT(probe, "http", finish_http);
#undef T

#define T struct plan_exec
static const struct schema_field exec_f[] = {
	STR(name), STRL(argv), STR(shell), DUR("timeout", timeout_ms, .def = -1),
};
OBJECT(exec, "exec", finish_exec);
#undef T

#define T struct plan_check
static const struct schema_field check_f[] = {
	STR(name, REQ), OBJ(http, probe_o),
	ROW("condition", condition_text, SCHEMA_STR),
	ROW("failure_condition", failure_condition_text, SCHEMA_STR),
	STR(source, .ref = REF_METRIC_SOURCE),
};
OBJECT(check, "check", finish_check);
#undef T

#define T struct plan_progress
static const struct schema_field progress_f[] = {
	STR(url, REQ), STR(pointer, REQ), DUR("interval", interval_ms, .def = 2000),
};
OBJECT(progress, "progress", NULL);
#undef T

#define T struct plan_quorum
static const struct schema_field quorum_f[] = {
	STR(role, REQ, .ref = REF_ROLE), INT(count, REQ),
};
OBJECT(quorum, "quorum", finish_quorum);
#undef T

#define T struct plan_program_settings
static const struct schema_field program_f[] = {
	STR(name), PCT(parity_threshold, .def_num = 0.999), DUR("rpo", rpo_ms, .def = -1),
	DUR("rto", rto_ms, .def = -1), BOOL(freeze),
};
OBJECT(program, "program", NULL);
#undef T

#define T struct plan_wave
static const struct schema_field wave_f[] = {
	STR(name, ID(REF_WAVE)), INT(order), INT(max_concurrency, .def = 1),
	PCT(failure_threshold, .def_num = -1),
};
OBJECT(wave, "wave", finish_wave);
#undef T

#define T struct plan_stop_the_line
static const struct schema_field stop_f[] = {
	PCT(invariant_breach, .def_num = -1), DUR("drift_unexplained", drift_unexplained_ms, .def = -1),
	PCT(error_budget_burn, .def_num = -1), ENUM(action, stop_action_names),
};
OBJECT(stop, "stop_the_line", NULL);
#undef T

#define T struct plan_metric_source
static const struct schema_field msource_f[] = {
	STR(name, ID(REF_METRIC_SOURCE)), ENUM(type, metric_source_names, REQ), STR(url, REQ),
	MAPS(headers),
};
OBJECT(msource, "metric source", NULL);
#undef T

#define T struct plan_dataset
static const struct schema_field dataset_f[] = {
	STR(dataset_id, ID(REF_DATASET)), STR(description), STR(location),
};
OBJECT(dataset, "test dataset", NULL);
#undef T

#define T struct plan_parity_ignore
static const struct schema_field pignore_f[] = {
	STR(entity, REQ), STR(field, REQ), STR(rule, REQ), STR(reason, REQ),
};
OBJECT(pignore, "parity ignore rule", NULL);
#undef T

#define T struct plan_parity
static const struct schema_field parity_f[] = {
	PCT(threshold, .def_num = -1), INT(sample_size, .def = 25), INT(buckets, .def = 64),
	LIST(ignore, pignore_o),
};
OBJECT(parity, "parity", NULL);
#undef T

/* ---- migration_phases ------------------------------------------------------------------ */
#define T struct plan_execution
static const struct schema_field execution_f[] = {
	STR(method), STRL(commands), STR(automation_script), STRL(manual_steps),
	LIST(actions, action_o, EXT), LIST(exec, exec_o, EXT),
};
OBJECT(execution, "execution_details", NULL);
#undef T

#define T struct plan_step_validation
static const struct schema_field step_validation_f[] = {
	STRL(validation_checks), DATASETS(test_dataset_ids), STRL(success_criteria),
	STR(validation_script), LIST(checks, check_o, EXT),
};
OBJECT(step_validation, "validation", NULL);
#undef T

#define T struct plan_rollback_procedure
static const struct schema_field rollback_procedure_f[] = {
	BOOL(can_rollback), STRL(rollback_steps), STR(rollback_script),
	STR(rollback_test_id, .ref = REF_DATASET), LIST(actions, action_o, EXT),
	LIST(exec, exec_o, EXT),
};
OBJECT(rollback_procedure, "rollback_procedure", NULL);
#undef T

#define T struct plan_step_monitoring
static const struct schema_field step_monitoring_f[] = {
	STRL(metrics_to_watch), STRL(alert_conditions),
};
OBJECT(step_monitoring, "monitoring", NULL);
#undef T

#define T struct plan_step
static const struct schema_field step_f[] = {
	STR(step_id, ID(REF_STEP)), STR(name), STR(description), INT(order),
	ENUM(type, step_type_names), STRL(preconditions, .check = check_precondition),
	OBJ(execution_details, execution_o), OBJ(validation, step_validation_o),
	OBJ(rollback_procedure, rollback_procedure_o), STR(estimated_duration),
	STR(responsible_party), OBJ(monitoring, step_monitoring_o),
	DUR("timeout", timeout_ms, .def = 300000, EXT), INT(retries, .def = -1, EXT),
	OBJ(progress, progress_o, EXT),
};
OBJECT(step, "step", finish_step);
#undef T

#define T struct plan_gate
static const struct schema_field gate_f[] = {
	STR(gate_id, ID(REF_GATE)), STR(name), STRL(criteria), DATASETS(test_dataset_ids),
	BOOL(approval_required), STRL(approvers, .ref = REF_ROLE),
	ENUM(failure_response, failure_response_names), LIST(quorum, quorum_o, EXT),
	LIST(checks, check_o, EXT), INT(failure_limit, EXT), INT(inconclusive_limit, EXT),
};
OBJECT(gate, "validation_gate", finish_nonneg_limits);
#undef T

#define T struct plan_rollback_point
static const struct schema_field rollback_point_f[] = {
	BOOL(can_rollback_from_here), STR(rollback_procedure),
	STR(rollback_test_id, .ref = REF_DATASET), STR(estimated_rollback_duration),
};
OBJECT(rollback_point, "rollback_point", NULL);
#undef T

#define T struct plan_phase
static const struct schema_field phase_f[] = {
	STR(phase_id, ID(REF_PHASE)), STR(name), STR(description), INT(order), STRL(objectives),
	STRL(deliverables), STR(duration_estimate), STRL(start_condition),
	LIST(steps, step_o), OBJ(validation_gate, gate_o), OBJ(rollback_point, rollback_point_o),
};
OBJECT(phase, "phase", NULL);
#undef T

/* ---- metadata, overview, prerequisites ------------------------------------------------- */
#define T struct plan_metadata
static const struct schema_field metadata_f[] = {
	STR(version), DATE(created_date), DATE(last_updated), STR(migration_name),
	STR(enhancement_id), ENUM(migration_status, migration_status_names),
};
OBJECT(metadata, "metadata", NULL);
#undef T

#define T struct plan_scope
static const struct schema_field scope_f[] = {
	STRL(systems_affected), STR(data_affected), STR(users_affected),
};
OBJECT(scope, "scope", NULL);
#undef T

#define T struct plan_constraints
static const struct schema_field constraints_f[] = {
	BOOL(downtime_allowed), STR(max_downtime_duration), STR(migration_window),
	STRL(business_constraints),
};
OBJECT(constraints, "constraints", NULL);
#undef T

#define T struct plan_overview
static const struct schema_field overview_f[] = {
	STR(name), STR(description), STR(objective), OBJ(scope, scope_o),
	OBJ(constraints, constraints_o), ENUM(approach, approach_names), STR(estimated_duration),
	STR(estimated_effort),
};
OBJECT(overview, "migration_overview", NULL);
#undef T

#define T struct plan_prereq_validation
static const struct schema_field prereq_validation_f[] = {
	STR(verification_method), STR(verification_test_id, .ref = REF_DATASET),
	ENUM(status, prereq_status_names),
};
OBJECT(prereq_validation, "validation", NULL);
#undef T

#define T struct plan_prerequisite
static const struct schema_field prereq_f[] = {
	STR(prerequisite_id, ID(REF_PREREQ)), STR(name), STR(description),
	ENUM(type, prereq_type_names), OBJ(validation, prereq_validation_o), STR(owner),
	DATE(deadline),
};
OBJECT(prereq, "prerequisite", NULL);
#undef T

/* ---- code_migration ---------------------------------------------------------------------- */
#define T struct plan_config_change_ref
static const struct schema_field code_config_f[] = {
	STR(config_file), STRL(changes), STR(validation),
};
OBJECT(code_config, "configuration_changes", NULL);
#undef T

#define T struct plan_feature_flag
static const struct schema_field flag_f[] = {
	STR(flag_id, ID(REF_FLAG)), BOOL(initial_state), STR(rollout_plan),
};
OBJECT(flag, "feature_flags", NULL);
#undef T

#define T struct plan_code_validation
static const struct schema_field code_validation_f[] = {
	STRL(health_checks), STRL(smoke_tests), DATASETS(test_dataset_ids),
};
OBJECT(code_validation, "validation", NULL);
#undef T

#define T struct plan_code_step
static const struct schema_field code_step_f[] = {
	STR(step_id, ID(REF_CODE_STEP)), STR(name), STR(description), STRL(artifacts_to_deploy),
	STRL(deployment_order), LIST(configuration_changes, code_config_o),
	LIST(feature_flags, flag_o), OBJ(validation, code_validation_o),
};
OBJECT(code_step, "deployment step", NULL);
#undef T

#define T struct plan_deployment_strategy
static const struct schema_field deploy_f[] = {
	ENUM(approach, deploy_approach_names), LIST(steps, code_step_o),
};
OBJECT(deploy, "deployment_strategy", NULL);
#undef T

#define T struct plan_service_version
static const struct schema_field service_f[] = {
	STR(service_name, REQ), STR(current_version), STR(target_version),
	ENUM(compatibility_mode, compat_names), STR(deployment_window),
};
OBJECT(service, "service", NULL);
#undef T

#define T struct plan_coordination_plan
static const struct schema_field coord_f[] = {
	BOOL(parallel_deployment), STRL(deployment_sequence), STRL(coordination_points),
};
OBJECT(coord, "coordination_plan", NULL);
#undef T

#define T struct plan_version_coordination
static const struct schema_field version_coord_f[] = {
	LIST(services, service_o), OBJ(coordination_plan, coord_o),
};
OBJECT(version_coord, "version_coordination", NULL);
#undef T

#define T struct plan_code_migration
static const struct schema_field code_migration_f[] = {
	OBJ(deployment_strategy, deploy_o), OBJ(version_coordination, version_coord_o),
};
OBJECT(code_migration, "code_migration", NULL);
#undef T

/* ---- data_migration ------------------------------------------------------------------------ */
#define T struct plan_data_store
static const struct schema_field data_source_f[] = {
	STR(system), STR(schema), STRL(tables), INT(estimated_records), STR(estimated_size),
};
OBJECT(data_source, "source", NULL);
static const struct schema_field data_target_f[] = {
	STR(system), STR(schema), STRL(tables), INT(estimated_records),
};
OBJECT(data_target, "target", NULL);
#undef T

#define T struct plan_data_approach
static const struct schema_field data_approach_f[] = {
	ENUM(method, dm_method_names), STR(implementation), STR(dual_write_period),
	STR(shadow_write_validation),
};
OBJECT(data_approach, "migration_approach", NULL);
#undef T

#define T struct plan_edge_case
static const struct schema_field edge_f[] = {
	STR(scenario), STR(handling), STR(test_dataset_id, .ref = REF_DATASET),
};
OBJECT(edge, "edge case", NULL);
#undef T

#define T struct plan_transformation
static const struct schema_field transform_f[] = {
	STR(description), STRL(transformation_rules), STR(code_location), LIST(edge_cases, edge_o),
};
OBJECT(transform, "transformation_logic", NULL);
#undef T

#define T struct plan_execution_plan
static const struct schema_field exec_plan_f[] = {
	INT(batch_size), BOOL(parallel_execution), INT(max_parallel_workers), STR(rate_limit),
	STR(execution_script), STR(estimated_duration),
};
OBJECT(exec_plan, "execution_plan", NULL);
#undef T

#define T struct plan_reconciliation
static const struct schema_field recon_f[] = {STR(method), STR(acceptance_threshold)};
OBJECT(recon, "reconciliation", NULL);
#undef T

#define T struct plan_data_validation
static const struct schema_field data_validation_f[] = {
	STRL(pre_migration_checks), STRL(post_migration_checks), STRL(data_integrity_checks),
	DATASETS(test_dataset_ids), OBJ(reconciliation, recon_o),
};
OBJECT(data_validation, "validation", NULL);
#undef T

#define T struct plan_data_rollback
static const struct schema_field data_rollback_f[] = {
	BOOL(can_rollback), ENUM(rollback_method, dm_rollback_names), STR(rollback_script),
	STR(rollback_duration), STR(rollback_test_id, .ref = REF_DATASET),
};
OBJECT(data_rollback, "rollback", NULL);
#undef T

#define T struct plan_downtime
static const struct schema_field downtime_f[] = {
	BOOL(required), STR(duration), STR(maintenance_window),
};
OBJECT(downtime, "downtime", NULL);
#undef T

#define T struct plan_data_migration_item
static const struct schema_field data_item_f[] = {
	STR(migration_id, ID(REF_DATA_MIGRATION)), STR(name), STR(description),
	ENUM(type, dm_type_names), OBJ(source, data_source_o), OBJ(target, data_target_o),
	OBJ(migration_approach, data_approach_o), OBJ(transformation_logic, transform_o),
	OBJ(execution_plan, exec_plan_o), OBJ(validation, data_validation_o),
	OBJ(rollback, data_rollback_o), OBJ(downtime, downtime_o),
};
OBJECT(data_item, "data migration", NULL);
#undef T

#define T struct plan_data_migration
static const struct schema_field data_migration_f[] = {LIST(migrations, data_item_o)};
OBJECT(data_migration, "data_migration", NULL);
#undef T

/* ---- configuration_migration ---------------------------------------------------------------- */
#define T struct plan_change_impact
static const struct schema_field impact_f[] = {
	STRL(affected_components), BOOL(requires_restart), BOOL(downtime_required),
};
OBJECT(impact, "change_impact", NULL);
#undef T

#define T struct plan_deployment_method
static const struct schema_field deploy_method_f[] = {
	STR(approach), STR(automation_script), STR(validation_test_id, .ref = REF_DATASET),
};
OBJECT(deploy_method, "deployment_method", NULL);
#undef T

#define T struct plan_config_rollback
static const struct schema_field config_rollback_f[] = {STR(previous_value), STR(rollback_script)};
OBJECT(config_rollback, "rollback", NULL);
#undef T

#define T struct plan_config_change
static const struct schema_field config_change_f[] = {
	STR(config_id, ID(REF_CONFIG)), STR(name), ENUM(type, config_type_names),
	STR(current_value), STR(new_value), OBJ(change_impact, impact_o),
	OBJ(deployment_method, deploy_method_o), OBJ(rollback, config_rollback_o),
};
OBJECT(config_change, "configuration change", NULL);
#undef T

#define T struct plan_configuration_migration
static const struct schema_field config_migration_f[] = {
	LIST(configuration_changes, config_change_o),
};
OBJECT(config_migration, "configuration_migration", NULL);
#undef T

/* ---- infrastructure_migration ---------------------------------------------------------------- */
#define T struct plan_infra_state
static const struct schema_field infra_state_f[] = {STR(description), STR(configuration)};
OBJECT(infra_state, "state", NULL);
#undef T

#define T struct plan_infra_step
static const struct schema_field infra_step_f[] = {STR(step), STR(command), STR(validation)};
OBJECT(infra_step, "migration step", NULL);
#undef T

#define T struct plan_capacity
static const struct schema_field capacity_f[] = {
	STR(current_capacity), STR(target_capacity), STR(scaling_approach),
};
OBJECT(capacity, "capacity_planning", NULL);
#undef T

#define T struct plan_infra_validation
static const struct schema_field infra_validation_f[] = {
	DATASETS(test_dataset_ids), STR(load_test_results),
};
OBJECT(infra_validation, "validation", NULL);
#undef T

#define T struct plan_infra_rollback
static const struct schema_field infra_rollback_f[] = {BOOL(can_rollback), STR(rollback_procedure)};
OBJECT(infra_rollback, "rollback", NULL);
#undef T

#define T struct plan_infra_change
static const struct schema_field infra_change_f[] = {
	STR(change_id, ID(REF_INFRA)), STR(name), ENUM(type, infra_type_names),
	OBJ(current_state, infra_state_o), OBJ(target_state, infra_state_o),
	LIST(migration_steps, infra_step_o), OBJ(capacity_planning, capacity_o),
	OBJ(validation, infra_validation_o), OBJ(rollback, infra_rollback_o),
};
OBJECT(infra_change, "infrastructure change", NULL);
#undef T

#define T struct plan_infrastructure_migration
static const struct schema_field infra_migration_f[] = {
	LIST(infrastructure_changes, infra_change_o),
};
OBJECT(infra_migration, "infrastructure_migration", NULL);
#undef T

/* ---- integration_migration --------------------------------------------------------------------- */
#define T struct plan_ext_coordination
static const struct schema_field ext_coord_f[] = {
	STR(external_party), STR(coordination_window), STR(communication_plan),
};
OBJECT(ext_coord, "coordination_plan", NULL);
#undef T

#define T struct plan_ext_approach
static const struct schema_field ext_approach_f[] = {
	ENUM(method, integration_method_names), BOOL(coordination_required),
	OBJ(coordination_plan, ext_coord_o),
};
OBJECT(ext_approach, "migration_approach", NULL);
#undef T

#define T struct plan_ext_testing
static const struct schema_field ext_testing_f[] = {
	STR(test_environment), DATASETS(test_dataset_ids), BOOL(validation_with_partner),
};
OBJECT(ext_testing, "testing", NULL);
#undef T

#define T struct plan_ext_fallback
static const struct schema_field ext_fallback_f[] = {
	BOOL(fallback_to_old), STR(fallback_procedure), STR(fallback_duration),
};
OBJECT(ext_fallback, "fallback", NULL);
#undef T

#define T struct plan_external_integration
static const struct schema_field ext_integration_f[] = {
	STR(integration_id, ID(REF_EXT_INTEGRATION)), STR(name),
	OBJ(migration_approach, ext_approach_o), OBJ(testing, ext_testing_o),
	OBJ(fallback, ext_fallback_o),
};
OBJECT(ext_integration, "external integration", NULL);
#undef T

#define T struct plan_migration_sequence
static const struct schema_field sequence_f[] = {STRL(order), STRL(coordination_points)};
OBJECT(sequence, "migration_sequence", NULL);
#undef T

#define T struct plan_contract_evolution
static const struct schema_field contract_f[] = {
	STR(old_contract), STR(new_contract), STR(transition_period),
};
OBJECT(contract, "contract_evolution", NULL);
#undef T

#define T struct plan_internal_integration
static const struct schema_field int_integration_f[] = {
	STR(integration_id, ID(REF_INT_INTEGRATION)), STRL(consuming_services),
	STRL(providing_services), OBJ(migration_sequence, sequence_o),
	OBJ(contract_evolution, contract_o),
};
OBJECT(int_integration, "internal integration", NULL);
#undef T

#define T struct plan_integration_migration
static const struct schema_field integration_f[] = {
	LIST(external_integrations, ext_integration_o),
	LIST(internal_integrations, int_integration_o),
};
OBJECT(integration, "integration_migration", NULL);
#undef T

/* ---- validation_strategy ------------------------------------------------------------------------- */
#define T struct plan_criterion
static const struct schema_field criterion_f[] = {
	STR(criterion), STR(measurement), STR(threshold), STR(test_dataset_id, .ref = REF_DATASET),
};
OBJECT(criterion, "criterion", NULL);
#undef T

#define T struct plan_failure_handling_spec
static const struct schema_field handling_f[] = {
	ENUM(response, handling_names), STRL(notification), STR(escalation),
};
OBJECT(handling, "failure_handling", NULL);
#undef T

#define T struct plan_strategy_gate
static const struct schema_field strategy_gate_f[] = {
	STR(gate_id, ID(REF_STRATEGY_GATE)), STR(name), STR(location), ENUM(type, gate_type_names),
	LIST(criteria, criterion_o), OBJ(failure_handling, handling_o),
};
OBJECT(strategy_gate, "validation gate", NULL);
#undef T

#define T struct plan_continuous_validation
static const struct schema_field continuous_f[] = {
	STR(validation_id, ID(REF_CONT_VALIDATION)), STR(name), STR(frequency), STRL(checks),
	DATASETS(test_dataset_ids), STRL(alert_conditions),
};
OBJECT(continuous, "continuous validation", NULL);
#undef T

#define T struct plan_regression_validation
static const struct schema_field regression_f[] = {
	STR(regression_suite_id, ID(REF_REGRESSION)), STR(name), STR(location),
	ENUM(execution_frequency, regression_names), STRL(critical_paths),
	DATASETS(test_dataset_ids),
};
OBJECT(regression, "regression validation", NULL);
#undef T

#define T struct plan_validation_strategy
static const struct schema_field vstrategy_f[] = {
	LIST(validation_gates, strategy_gate_o), LIST(continuous_validation, continuous_o),
	LIST(regression_validation, regression_o),
};
OBJECT(vstrategy, "validation_strategy", NULL);
#undef T

/* ---- rollback_strategy ----------------------------------------------------------------------------- */
#define T struct plan_level_procedure
static const struct schema_field level_proc_f[] = {
	STRL(steps), STR(automation_script), STRL(manual_steps), STR(estimated_duration),
};
OBJECT(level_proc, "rollback_procedure", NULL);
#undef T

#define T struct plan_level_validation
static const struct schema_field level_validation_f[] = {
	STRL(post_rollback_checks), DATASETS(test_dataset_ids), LIST(checks, check_o, EXT),
};
OBJECT(level_validation, "validation", NULL);
#undef T

#define T struct plan_rollback_level_spec
static const struct schema_field level_f[] = {
	ENUM(level, rollback_level_names, REQ), STR(description), STRL(trigger_conditions),
	STR(decision_maker), BOOL(approval_required), OBJ(rollback_procedure, level_proc_o),
	OBJ(validation, level_validation_o),
};
OBJECT(level, "rollback level", NULL);
#undef T

#define T struct plan_rollback_test
static const struct schema_field rollback_test_f[] = {
	STR(rollback_scenario), BOOL(tested), DATE(test_date), ENUM(test_result, test_result_names),
	STR(test_dataset_id, .ref = REF_DATASET), STR(evidence),
};
OBJECT(rollback_test, "rollback test", NULL);
#undef T

#define T struct plan_rollback_strategy
static const struct schema_field rstrategy_f[] = {
	LIST(rollback_levels, level_o), LIST(rollback_testing, rollback_test_o),
};
OBJECT(rstrategy, "rollback_strategy", NULL);
#undef T

/* ---- risk_mitigation ---------------------------------------------------------------------------------- */
#define T struct plan_mitigation_validation
static const struct schema_field mit_validation_f[] = {
	STR(test_dataset_id, .ref = REF_DATASET), BOOL(tested),
};
OBJECT(mit_validation, "validation", NULL);
#undef T

#define T struct plan_mitigation
static const struct schema_field mitigation_f[] = {
	STRL(preventive_measures), STR(detection_method), STR(response_procedure),
	OBJ(validation, mit_validation_o),
};
OBJECT(mitigation, "mitigation", NULL);
#undef T

#define T struct plan_contingency
static const struct schema_field contingency_f[] = {
	STR(trigger), STR(action), STR(responsible_party),
};
OBJECT(contingency, "contingency", NULL);
#undef T

static void finish_risk(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_risk *r = obj;
	if (r->probability == LEVEL_CRITICAL)
		schema_error(ctx, node_get(n, "probability"),
			     "'critical' is not a valid probability (one of: high, medium, low)");
	if (!r->mitigation)
		schema_warning(ctx, n, "risk '%s' has no mitigation", r->risk_id ? r->risk_id : "");
}

#define T struct plan_risk
static const struct schema_field risk_f[] = {
	STR(risk_id, ID(REF_RISK)), ENUM(category, risk_category_names), STR(description),
	ENUM(probability, level_names), ENUM(impact, level_names), STRL(affected_phases),
	STRL(affected_steps), OBJ(mitigation, mitigation_o), OBJ(contingency, contingency_o),
};
OBJECT(risk, "risk", finish_risk);
#undef T

#define T struct plan_risk_mitigation
static const struct schema_field risks_f[] = {LIST(migration_risks, risk_o)};
OBJECT(risks, "risk_mitigation", NULL);
#undef T

/* ---- communication_plan ------------------------------------------------------------------------------ */
#define T struct plan_notification
static const struct schema_field notification_f[] = {
	ENUM(notification_type, notification_names), STR(timing), STRL(channel),
	ROW("template", template_text, SCHEMA_STR), STR(responsible_party),
};
OBJECT(notification, "notification", NULL);
#undef T

#define T struct plan_stakeholder
static const struct schema_field stakeholder_f[] = {
	ENUM(stakeholder_group, stakeholder_names), LIST(notifications, notification_o),
};
OBJECT(stakeholder, "stakeholder communication", NULL);
#undef T

#define T struct plan_status_reporting
static const struct schema_field reporting_f[] = {
	STR(frequency), ENUM(format, report_format_names), STRL(recipients),
	STRL(metrics_to_report),
};
OBJECT(reporting, "status_reporting", NULL);
#undef T

#define T struct plan_incident_communication
static const struct schema_field incident_comm_f[] = {
	STRL(escalation_path), STRL(notification_channels), STR(response_time_sla),
};
OBJECT(incident_comm, "incident_communication", NULL);
#undef T

#define T struct plan_communication_plan
static const struct schema_field comms_f[] = {
	LIST(stakeholder_communication, stakeholder_o), OBJ(status_reporting, reporting_o),
	OBJ(incident_communication, incident_comm_o),
};
OBJECT(comms, "communication_plan", NULL);
#undef T

/* ---- monitoring_and_observability ------------------------------------------------------------------- */
/* The seed schema's thresholds are free strings; the ones stop-the-line
 * reads must parse, or it would silently watch nothing. */
static void finish_metric(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_metric *m = obj;
	const char *keys[] = {"alert_threshold", "critical_threshold"};
	const char *vals[] = {m->alert_threshold, m->critical_threshold};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct cond c;
		struct err e;
		if (vals[i] && cond_threshold_parse(vals[i], &c, &e) < 0)
			schema_warning(ctx, node_get(n, keys[i]),
				       "%s of metric '%s': %s (write '> 1%%', '< 99%%' or a bare "
				       "upper limit; it is not watched)", keys[i],
				       m->metric_name ? m->metric_name : "", e.msg);
	}
}

#define T struct plan_metric
static const struct schema_field metric_f[] = {
	STR(metric_name, ID(REF_METRIC)), STR(description), STR(measurement_method),
	STR(normal_range), STR(alert_threshold), STR(critical_threshold), STRL(alert_channels),
	STR(source, .ref = REF_METRIC_SOURCE, EXT), STR(query, EXT), STR(pointer, EXT),
};
OBJECT(metric, "metric", finish_metric);
#undef T

#define T struct plan_health_check
static const struct schema_field health_f[] = {
	STR(check_name), STR(description), STR(frequency), STR(check_procedure),
	STR(success_criteria), STR(failure_response),
};
OBJECT(health, "health check", NULL);
#undef T

#define T struct plan_dashboard
static const struct schema_field dashboard_f[] = {
	STR(dashboard_name), STR(url), STRL(metrics_displayed), STRL(audience),
};
OBJECT(dashboard, "dashboard", NULL);
#undef T

#define T struct plan_monitoring
static const struct schema_field monitoring_f[] = {
	LIST(migration_monitoring, metric_o), LIST(health_checks, health_o),
	LIST(dashboards, dashboard_o),
};
OBJECT(monitoring, "monitoring_and_observability", NULL);
#undef T

/* ---- success_criteria, post_migration, execution_timeline, linkage ---------------------------------- */
#define T struct plan_success_item
static const struct schema_field technical_f[] = {
	STR(criterion), STR(measurement), STR(target), STR(test_dataset_id, .ref = REF_DATASET),
};
OBJECT(technical, "technical success", NULL);
static const struct schema_field business_f[] = {
	STR(criterion), STR(measurement), STR(target), STR(measurement_period),
};
OBJECT(business, "business success", NULL);
#undef T

#define T struct plan_complete_definition
static const struct schema_field complete_f[] = {
	STRL(criteria), STRL(validation_required), BOOL(approval_required), STRL(approvers),
};
OBJECT(complete, "migration_complete_definition", NULL);
#undef T

#define T struct plan_success_criteria
static const struct schema_field success_f[] = {
	LIST(technical_success, technical_o), LIST(business_success, business_o),
	OBJ(migration_complete_definition, complete_o),
};
OBJECT(success, "success_criteria", NULL);
#undef T

#define T struct plan_cleanup_task
static const struct schema_field cleanup_f[] = {
	STR(task_id, ID(REF_TASK)), STR(name), STR(description), STR(timing),
	STR(responsible_party), STRL(steps), STR(validation),
};
OBJECT(cleanup, "cleanup task", NULL);
#undef T

#define T struct plan_monitoring_period
static const struct schema_field period_f[] = {
	STR(duration), STRL(enhanced_monitoring), ENUM(alert_sensitivity, sensitivity_names),
};
OBJECT(period, "monitoring_period", NULL);
#undef T

static void finish_opportunity(struct schema_ctx *ctx, const struct node *n, void *obj)
{
	const struct plan_opportunity *o = obj;
	if (o->priority == LEVEL_CRITICAL)
		schema_error(ctx, node_get(n, "priority"),
			     "'critical' is not a valid priority (one of: high, medium, low)");
}

#define T struct plan_opportunity
static const struct schema_field opportunity_f[] = {
	STR(opportunity), STR(description), ENUM(priority, level_names), STR(effort),
};
OBJECT(opportunity, "optimization opportunity", finish_opportunity);
#undef T

#define T struct plan_lessons_learned
static const struct schema_field lessons_f[] = {STR(location), DATE(retrospective_date)};
OBJECT(lessons, "lessons_learned", NULL);
#undef T

#define T struct plan_post_migration
static const struct schema_field post_f[] = {
	LIST(cleanup_tasks, cleanup_o), OBJ(monitoring_period, period_o),
	LIST(optimization_opportunities, opportunity_o), OBJ(lessons_learned, lessons_o),
};
OBJECT(post, "post_migration", NULL);
#undef T

#define T struct plan_milestone
static const struct schema_field milestone_f[] = {
	STR(milestone_id, ID(REF_MILESTONE)), STR(name), DATE(target_date), STRL(dependencies),
	STRL(deliverables), ENUM(status, milestone_names),
};
OBJECT(milestone, "milestone", NULL);
#undef T

#define T struct plan_critical_step
static const struct schema_field critical_f[] = {
	STR(step_id, REQ, .ref = REF_CRITICAL_STEP), STR(duration), STRL(dependencies),
};
OBJECT(critical, "critical_path entry", NULL);
#undef T

#define T struct plan_contingency_time
static const struct schema_field contingency_time_f[] = {INT(buffer_percentage), STR(rationale)};
OBJECT(contingency_time, "contingency_time", NULL);
#undef T

#define T struct plan_execution_timeline
static const struct schema_field timeline_f[] = {
	LIST(milestones, milestone_o), LIST(critical_path, critical_o),
	OBJ(contingency_time, contingency_time_o),
};
OBJECT(timeline, "execution_timeline", NULL);
#undef T

#define T struct plan_linkage
static const struct schema_field linkage_f[] = {
	STR(existing_system_truth_file), STR(enhancement_truth_file),
	STR(compatibility_analysis_file), STR(test_datasets_dir), STR(automation_scripts_dir),
};
OBJECT(linkage, "linkage", NULL);
#undef T

/* ---- plan.yaml ----------------------------------------------------------------------------------------- */
#define T struct plan
static const struct schema_field plan_f[] = {
	OBJ(metadata, metadata_o), OBJ(migration_overview, overview_o),
	LIST(prerequisites, prereq_o),
	ROW("migration_phases", phases, SCHEMA_LIST, .child = &phase_o,
	    .count_offset = offsetof(T, n_phases)),
	OBJ(code_migration, code_migration_o), OBJ(data_migration, data_migration_o),
	OBJ(configuration_migration, config_migration_o),
	OBJ(infrastructure_migration, infra_migration_o),
	OBJ(integration_migration, integration_o), OBJ(validation_strategy, vstrategy_o),
	OBJ(rollback_strategy, rstrategy_o), OBJ(risk_mitigation, risks_o),
	OBJ(communication_plan, comms_o),
	ROW("monitoring_and_observability", monitoring, SCHEMA_OBJ, .child = &monitoring_o),
	OBJ(success_criteria, success_o), OBJ(post_migration, post_o),
	OBJ(execution_timeline, timeline_o), OBJ(linkage, linkage_o),
	OBJ(program, program_o, EXT), LIST(waves, wave_o, EXT), OBJ(stop_the_line, stop_o, EXT),
	LIST(metric_sources, msource_o, EXT), LIST(test_datasets, dataset_o, EXT),
	OBJ(parity, parity_o, EXT),
};
const struct schema_obj plan_schema_plan = {"the plan", sizeof(T), plan_f, ARRAY_SIZE(plan_f), NULL};
#undef T

/* ---- accounts.yaml ------------------------------------------------------------------------------------ */
#define T struct account_endpoint
static const struct schema_field source_f[] = {
	ENUM(system, account_system_names, REQ), STR(base_url, REQ), STR(token_env), STR(token_file),
};
OBJECT(source, "source", finish_endpoint);
static const struct schema_field target_f[] = {
	STR(base_url, REQ), STR(token_env), STR(token_file),
};
OBJECT(target, "target", finish_endpoint);
#undef T

#define T struct account_window
static const struct schema_field window_f[] = {DATE(start, REQ), DATE(end, REQ)};
OBJECT(window, "cutover_window", finish_window);
#undef T

#define T struct account
static const struct schema_field account_f[] = {
	STR(id, ID(REF_ACCOUNT)), STR(name, REQ), STR(wave, REQ, .ref = REF_WAVE),
	ENUM(migration_mode, account_mode_names, REQ),
	OBJ(source, source_o, .flags = SCHEMA_INLINE | SCHEMA_REQUIRED),
	OBJ(target, target_o, .flags = SCHEMA_INLINE | SCHEMA_REQUIRED),
	OBJ(cutover_window, window_o, .flags = SCHEMA_INLINE), STR(runbook_owner), STRL(services),
};
OBJECT(account, "account", NULL);
#undef T

#define T struct account_list
static const struct schema_field accounts_f[] = {LIST(accounts, account_o, REQ)};
const struct schema_obj plan_schema_accounts = {"accounts.yaml", sizeof(T), accounts_f,
						ARRAY_SIZE(accounts_f), NULL};
#undef T

/* ---- roster.yaml -------------------------------------------------------------------------------------- */
#define T struct roster_role
static const struct schema_field role_f[] = {STR(name, ID(REF_ROLE)), STRL(members, REQ)};
OBJECT(role, "role", NULL);
#undef T

#define T struct roster
static const struct schema_field roster_f[] = {
	LIST(roles, role_o), STRL(operators), STRL(observers),
};
const struct schema_obj plan_schema_roster = {"roster.yaml", sizeof(T), roster_f,
					      ARRAY_SIZE(roster_f), NULL};
#undef T
