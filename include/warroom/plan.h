/* plan — the typed model of a program: plan.yaml (every section of the
 * migration-strategy schema plus the executable extensions), accounts.yaml
 * and roster.yaml, loaded through the schema tables in plan_schema.c and
 * cross-checked. docs/plan-format.md is the reference for every field.
 *
 * Conventions of the model: strings are char * (NULL when absent), lists are
 * a pointer and a count, optional sections are pointers (NULL when absent),
 * enums are the C enums below (0 = not given), durations are int64_t ms,
 * percentages are double fractions (-1 when absent). Everything is owned by
 * the program and freed by program_free; callers only read. */
#ifndef WARROOM_PLAN_H
#define WARROOM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "warroom/cond.h"
#include "warroom/diag.h"
#include "warroom/schema.h"

/* Limits, documented in docs/plan-format.md. */
#define PLAN_MAX_FILE_BYTES (32u * 1024 * 1024)

/* ---- enums (names in plan_enum_name; 0 = not given) ---------------------- */
enum plan_migration_status { MIGRATION_STATUS_NONE, MIGRATION_PLANNED, MIGRATION_IN_PROGRESS,
			     MIGRATION_COMPLETED, MIGRATION_ROLLED_BACK };
enum plan_approach { APPROACH_NONE, APPROACH_BIG_BANG, APPROACH_PHASED, APPROACH_PARALLEL_RUN,
		     APPROACH_STRANGLER_FIG, APPROACH_BLUE_GREEN };
enum plan_prereq_type { PREREQ_NONE, PREREQ_INFRASTRUCTURE, PREREQ_CODE, PREREQ_DATA,
			PREREQ_CONFIGURATION, PREREQ_APPROVAL };
enum plan_prereq_status { PREREQ_STATUS_NONE, PREREQ_PENDING, PREREQ_VERIFIED, PREREQ_BLOCKED };
enum plan_step_type { STEP_TYPE_NONE, STEP_CODE_DEPLOYMENT, STEP_DATA_MIGRATION,
		      STEP_CONFIGURATION, STEP_INFRASTRUCTURE, STEP_VALIDATION };
enum plan_failure_response { FAILURE_RESPONSE_NONE, FAILURE_BLOCK, FAILURE_ROLLBACK,
			     FAILURE_MANUAL_DECISION };
enum plan_deploy_approach { DEPLOY_NONE, DEPLOY_ROLLING, DEPLOY_BLUE_GREEN, DEPLOY_CANARY,
			    DEPLOY_FEATURE_FLAG };
enum plan_compat_mode { COMPAT_NONE, COMPAT_BACKWARD_COMPATIBLE, COMPAT_REQUIRES_COORDINATION,
			COMPAT_BREAKING };
enum plan_data_migration_type { DM_TYPE_NONE, DM_SCHEMA_CHANGE, DM_DATA_TRANSFORMATION,
				DM_DATA_CLEANUP, DM_DATA_ARCHIVAL };
enum plan_data_method { DM_METHOD_NONE, DM_ONLINE, DM_OFFLINE, DM_DUAL_WRITE, DM_SHADOW_WRITE,
			DM_BACKFILL };
enum plan_data_rollback_method { DM_ROLLBACK_NONE, DM_RESTORE_BACKUP, DM_REVERSE_MIGRATION,
				 DM_SWITCH_BACK };
enum plan_config_type { CONFIG_TYPE_NONE, CONFIG_ENVIRONMENT_VARIABLE, CONFIG_FILE,
			CONFIG_DATABASE_CONFIG, CONFIG_FEATURE_FLAG };
enum plan_infra_type { INFRA_NONE, INFRA_SERVER, INFRA_DATABASE, INFRA_CACHE,
		       INFRA_LOAD_BALANCER, INFRA_NETWORK, INFRA_STORAGE };
enum plan_integration_method { INTEGRATION_NONE, INTEGRATION_CUTOVER, INTEGRATION_PARALLEL_RUN,
			       INTEGRATION_GRADUAL_MIGRATION };
enum plan_gate_type { GATE_TYPE_NONE, GATE_AUTOMATED, GATE_MANUAL, GATE_HYBRID };
enum plan_failure_handling { HANDLING_NONE, HANDLING_BLOCK, HANDLING_ROLLBACK,
			     HANDLING_MANUAL_REVIEW };
enum plan_regression_frequency { REGRESSION_NONE, REGRESSION_PRE_MIGRATION,
				 REGRESSION_POST_MIGRATION, REGRESSION_CONTINUOUS };
enum plan_rollback_level { ROLLBACK_LEVEL_NONE, ROLLBACK_STEP, ROLLBACK_PHASE, ROLLBACK_FULL };
enum plan_test_result { TEST_RESULT_NONE, TEST_PASSED, TEST_FAILED, TEST_PARTIAL };
enum plan_risk_category { RISK_CATEGORY_NONE, RISK_DATA_LOSS, RISK_DOWNTIME,
			  RISK_PERFORMANCE_DEGRADATION, RISK_ROLLBACK_FAILURE };
enum plan_level { LEVEL_NONE, LEVEL_CRITICAL, LEVEL_HIGH, LEVEL_MEDIUM, LEVEL_LOW };
enum plan_stakeholder_group { STAKEHOLDER_NONE, STAKEHOLDER_INTERNAL_TEAM, STAKEHOLDER_USERS,
			      STAKEHOLDER_PARTNERS, STAKEHOLDER_MANAGEMENT };
enum plan_notification_type { NOTIFY_NONE, NOTIFY_PRE_MIGRATION, NOTIFY_DURING_MIGRATION,
			      NOTIFY_POST_MIGRATION, NOTIFY_ISSUE };
enum plan_report_format { REPORT_NONE, REPORT_DASHBOARD, REPORT_EMAIL, REPORT_SLACK,
			  REPORT_MEETING };
enum plan_sensitivity { SENSITIVITY_NONE, SENSITIVITY_HIGH, SENSITIVITY_NORMAL };
enum plan_milestone_status { MILESTONE_NONE, MILESTONE_NOT_STARTED, MILESTONE_IN_PROGRESS,
			     MILESTONE_COMPLETED, MILESTONE_DELAYED };
/* Extensions. */
enum plan_http_method { HTTP_METHOD_NONE, HTTP_GET, HTTP_PUT, HTTP_POST, HTTP_PATCH, HTTP_DELETE };
enum plan_stop_action { STOP_NONE, STOP_ROLLBACK, STOP_HALT };
enum plan_metric_source_type { METRIC_SOURCE_NONE, METRIC_SOURCE_PROMETHEUS,
			       METRIC_SOURCE_HTTP_JSON };
/* accounts.yaml */
enum account_mode { ACCOUNT_MODE_NONE, ACCOUNT_PROGRESSIVE, ACCOUNT_PARALLEL_RUN,
		    ACCOUNT_INCIDENT_OPT_IN, ACCOUNT_FULL_CUTOVER };
enum account_system { SYSTEM_NONE, SYSTEM_PAGERDUTY, SYSTEM_ROOTLY, SYSTEM_INCIDENTIO };

/* The written name of an enum value ("manual_decision"); "" for 0. */
const char *plan_http_method_name(enum plan_http_method m);
const char *account_system_name(enum account_system s);    /* "pagerduty" ... */
const char *account_mode_name(enum account_mode m);
const char *plan_failure_response_name(enum plan_failure_response r);
const char *plan_step_type_name(enum plan_step_type t);
const char *plan_rollback_level_name(enum plan_rollback_level l);

/* ---- executable extensions ------------------------------------------------ */

struct plan_http {
	struct schema_pos pos;
	char *name;                         /* actions: shown in the console */
	enum plan_http_method method;       /* default GET */
	char *url;                          /* template */
	struct schema_kv *headers;
	size_t n_headers;
	char *body;                         /* template */
	int64_t *expect_status;             /* empty: any 2xx */
	size_t n_expect_status;
	int idempotent;                     /* 0/1; default: all but POST and PATCH */
	int64_t timeout_ms;                 /* -1: the step's */
	int64_t retries;                    /* -1: default (2 if idempotent, else 0) */
	struct plan_assert *asserts;        /* checks only */
	size_t n_asserts;
};

struct plan_assert {
	struct schema_pos pos;
	char *pointer;                      /* JSON pointer into the response */
	enum cond_op op;                    /* cond.h */
	char *value;                        /* scalar as written */
	bool value_quoted;                  /* "1" (a string) vs 1 */
};

struct plan_exec {
	struct schema_pos pos;
	char *name;
	char **argv;                        /* exactly one of argv and shell */
	size_t n_argv;
	char *shell;
	int64_t timeout_ms;                 /* -1: the step's */
};

struct plan_check {
	struct schema_pos pos;
	char *name;
	struct plan_http *http;             /* a probe, or */
	struct cond *condition;             /* a metric condition (success), cond.h */
	struct cond *failure_condition;
	char *condition_text, *failure_condition_text; /* as written */
	char *source;                       /* a metric_sources name overriding the metric's */
};

struct plan_progress {
	struct schema_pos pos;
	char *url;                          /* template, GET */
	char *pointer;                      /* JSON pointer to 0..1 or 0..100 */
	int64_t interval_ms;                /* default 2s */
};

struct plan_quorum {
	struct schema_pos pos;
	char *role;                         /* a roster role */
	int64_t count;
};

struct plan_program_settings {
	struct schema_pos pos;
	char *name;
	double parity_threshold;            /* default 0.999 */
	int64_t rpo_ms, rto_ms;             /* -1 when absent */
	int freeze;
};

struct plan_wave {
	struct schema_pos pos;
	char *name;
	int64_t order;
	int64_t max_concurrency;            /* default 1 */
	double failure_threshold;           /* -1 when absent: never stop */
};

struct plan_stop_the_line {
	struct schema_pos pos;
	double invariant_breach;            /* -1 when absent */
	int64_t drift_unexplained_ms;       /* -1 when absent */
	double error_budget_burn;           /* -1 when absent */
	enum plan_stop_action action;       /* default rollback */
};

struct plan_metric_source {
	struct schema_pos pos;
	char *name;
	enum plan_metric_source_type type;
	char *url;                          /* template */
	struct schema_kv *headers;
	size_t n_headers;
};

struct plan_dataset {
	struct schema_pos pos;
	char *dataset_id, *description, *location;
};

/* parity: how parity is measured (docs/parity.md); rules are checked by
 * parity_config_add_rule when a measurement reads them. */
struct plan_parity_ignore {
	struct schema_pos pos;
	char *entity, *field, *rule, *reason;
};

struct plan_parity {
	struct schema_pos pos;
	double threshold;                   /* -1 when absent: program.parity_threshold */
	int64_t sample_size;                /* default 25 */
	int64_t buckets;                    /* default 64 */
	struct plan_parity_ignore *ignore;
	size_t n_ignore;
};

/* ---- migration_phases -------------------------------------------------------- */

struct plan_execution {
	struct schema_pos pos;
	char *method;
	char **commands;
	size_t n_commands;
	char *automation_script;
	char **manual_steps;
	size_t n_manual_steps;
	struct plan_http *actions;          /* extension: HTTP, in order */
	size_t n_actions;
	struct plan_exec *exec;             /* extension: subprocesses, in order */
	size_t n_exec;
};

struct plan_step_validation {
	struct schema_pos pos;
	char **validation_checks;
	size_t n_validation_checks;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	char **success_criteria;
	size_t n_success_criteria;
	char *validation_script;
	struct plan_check *checks;          /* extension */
	size_t n_checks;
};

struct plan_rollback_procedure {
	struct schema_pos pos;
	int can_rollback;
	char **rollback_steps;
	size_t n_rollback_steps;
	char *rollback_script;
	char *rollback_test_id;
	struct plan_http *actions;          /* extension: undo the step */
	size_t n_actions;
	struct plan_exec *exec;
	size_t n_exec;
};

struct plan_step_monitoring {
	struct schema_pos pos;
	char **metrics_to_watch;
	size_t n_metrics_to_watch;
	char **alert_conditions;
	size_t n_alert_conditions;
};

struct plan_step {
	struct schema_pos pos;
	char *step_id, *name, *description;
	int64_t order;
	enum plan_step_type type;
	char **preconditions;               /* "step:ID" names another step */
	size_t n_preconditions;
	struct plan_execution *execution_details;
	struct plan_step_validation *validation;
	struct plan_rollback_procedure *rollback_procedure;
	char *estimated_duration;
	char *responsible_party;
	struct plan_step_monitoring *monitoring;
	int64_t timeout_ms;                 /* extension; default 5m */
	int64_t retries;                    /* extension; -1 = per request default */
	struct plan_progress *progress;     /* extension */
};

struct plan_gate {
	struct schema_pos pos;
	char *gate_id, *name;
	char **criteria;
	size_t n_criteria;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	int approval_required;
	char **approvers;                   /* roster roles */
	size_t n_approvers;
	enum plan_failure_response failure_response;
	struct plan_quorum *quorum;         /* extension */
	size_t n_quorum;
	struct plan_check *checks;          /* extension */
	size_t n_checks;
	int64_t failure_limit;              /* extension; default 0 */
	int64_t inconclusive_limit;         /* extension; default 0 */
};

struct plan_rollback_point {
	struct schema_pos pos;
	int can_rollback_from_here;
	char *rollback_procedure;
	char *rollback_test_id;
	char *estimated_rollback_duration;
};

struct plan_phase {
	struct schema_pos pos;
	char *phase_id, *name, *description;
	int64_t order;
	char **objectives;
	size_t n_objectives;
	char **deliverables;
	size_t n_deliverables;
	char *duration_estimate;
	char **start_condition;
	size_t n_start_condition;
	struct plan_step *steps;            /* in execution order (by order, then file order) */
	size_t n_steps;
	struct plan_gate *validation_gate;
	struct plan_rollback_point *rollback_point;
};

/* ---- the other seed sections -------------------------------------------------- */

struct plan_metadata {
	struct schema_pos pos;
	char *version, *created_date, *last_updated, *migration_name, *enhancement_id;
	enum plan_migration_status migration_status;
};

struct plan_scope {
	struct schema_pos pos;
	char **systems_affected;
	size_t n_systems_affected;
	char *data_affected, *users_affected;
};

struct plan_constraints {
	struct schema_pos pos;
	int downtime_allowed;
	char *max_downtime_duration, *migration_window;
	char **business_constraints;
	size_t n_business_constraints;
};

struct plan_overview {
	struct schema_pos pos;
	char *name, *description, *objective;
	struct plan_scope *scope;
	struct plan_constraints *constraints;
	enum plan_approach approach;
	char *estimated_duration, *estimated_effort;
};

struct plan_prereq_validation {
	struct schema_pos pos;
	char *verification_method, *verification_test_id;
	enum plan_prereq_status status;
};

struct plan_prerequisite {
	struct schema_pos pos;
	char *prerequisite_id, *name, *description;
	enum plan_prereq_type type;
	struct plan_prereq_validation *validation;
	char *owner;
	char *deadline;
};

struct plan_config_change_ref {
	struct schema_pos pos;
	char *config_file;
	char **changes;
	size_t n_changes;
	char *validation;
};

struct plan_feature_flag {
	struct schema_pos pos;
	char *flag_id;
	int initial_state;
	char *rollout_plan;
};

struct plan_code_validation {
	struct schema_pos pos;
	char **health_checks;
	size_t n_health_checks;
	char **smoke_tests;
	size_t n_smoke_tests;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
};

struct plan_code_step {
	struct schema_pos pos;
	char *step_id, *name, *description;
	char **artifacts_to_deploy;
	size_t n_artifacts_to_deploy;
	char **deployment_order;
	size_t n_deployment_order;
	struct plan_config_change_ref *configuration_changes;
	size_t n_configuration_changes;
	struct plan_feature_flag *feature_flags;
	size_t n_feature_flags;
	struct plan_code_validation *validation;
};

struct plan_deployment_strategy {
	struct schema_pos pos;
	enum plan_deploy_approach approach;
	struct plan_code_step *steps;
	size_t n_steps;
};

struct plan_service_version {
	struct schema_pos pos;
	char *service_name, *current_version, *target_version;
	enum plan_compat_mode compatibility_mode;
	char *deployment_window;
};

struct plan_coordination_plan {
	struct schema_pos pos;
	int parallel_deployment;
	char **deployment_sequence;
	size_t n_deployment_sequence;
	char **coordination_points;
	size_t n_coordination_points;
};

struct plan_version_coordination {
	struct schema_pos pos;
	struct plan_service_version *services;
	size_t n_services;
	struct plan_coordination_plan *coordination_plan;
};

struct plan_code_migration {
	struct schema_pos pos;
	struct plan_deployment_strategy *deployment_strategy;
	struct plan_version_coordination *version_coordination;
};

struct plan_data_store {
	struct schema_pos pos;
	char *system, *schema;
	char **tables;
	size_t n_tables;
	int64_t estimated_records;
	char *estimated_size;               /* source only */
};

struct plan_data_approach {
	struct schema_pos pos;
	enum plan_data_method method;
	char *implementation, *dual_write_period, *shadow_write_validation;
};

struct plan_edge_case {
	struct schema_pos pos;
	char *scenario, *handling, *test_dataset_id;
};

struct plan_transformation {
	struct schema_pos pos;
	char *description;
	char **transformation_rules;
	size_t n_transformation_rules;
	char *code_location;
	struct plan_edge_case *edge_cases;
	size_t n_edge_cases;
};

struct plan_execution_plan {
	struct schema_pos pos;
	int64_t batch_size;
	int parallel_execution;
	int64_t max_parallel_workers;
	char *rate_limit, *execution_script, *estimated_duration;
};

struct plan_reconciliation {
	struct schema_pos pos;
	char *method, *acceptance_threshold;
};

struct plan_data_validation {
	struct schema_pos pos;
	char **pre_migration_checks;
	size_t n_pre_migration_checks;
	char **post_migration_checks;
	size_t n_post_migration_checks;
	char **data_integrity_checks;
	size_t n_data_integrity_checks;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	struct plan_reconciliation *reconciliation;
};

struct plan_data_rollback {
	struct schema_pos pos;
	int can_rollback;
	enum plan_data_rollback_method rollback_method;
	char *rollback_script, *rollback_duration, *rollback_test_id;
};

struct plan_downtime {
	struct schema_pos pos;
	int required;
	char *duration, *maintenance_window;
};

struct plan_data_migration_item {
	struct schema_pos pos;
	char *migration_id, *name, *description;
	enum plan_data_migration_type type;
	struct plan_data_store *source, *target;
	struct plan_data_approach *migration_approach;
	struct plan_transformation *transformation_logic;
	struct plan_execution_plan *execution_plan;
	struct plan_data_validation *validation;
	struct plan_data_rollback *rollback;
	struct plan_downtime *downtime;
};

struct plan_data_migration {
	struct schema_pos pos;
	struct plan_data_migration_item *migrations;
	size_t n_migrations;
};

struct plan_change_impact {
	struct schema_pos pos;
	char **affected_components;
	size_t n_affected_components;
	int requires_restart, downtime_required;
};

struct plan_deployment_method {
	struct schema_pos pos;
	char *approach, *automation_script, *validation_test_id;
};

struct plan_config_rollback {
	struct schema_pos pos;
	char *previous_value, *rollback_script;
};

struct plan_config_change {
	struct schema_pos pos;
	char *config_id, *name;
	enum plan_config_type type;
	char *current_value, *new_value;
	struct plan_change_impact *change_impact;
	struct plan_deployment_method *deployment_method;
	struct plan_config_rollback *rollback;
};

struct plan_configuration_migration {
	struct schema_pos pos;
	struct plan_config_change *configuration_changes;
	size_t n_configuration_changes;
};

struct plan_infra_state {
	struct schema_pos pos;
	char *description, *configuration;
};

struct plan_infra_step {
	struct schema_pos pos;
	char *step, *command, *validation;
};

struct plan_capacity {
	struct schema_pos pos;
	char *current_capacity, *target_capacity, *scaling_approach;
};

struct plan_infra_validation {
	struct schema_pos pos;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	char *load_test_results;
};

struct plan_infra_rollback {
	struct schema_pos pos;
	int can_rollback;
	char *rollback_procedure;
};

struct plan_infra_change {
	struct schema_pos pos;
	char *change_id, *name;
	enum plan_infra_type type;
	struct plan_infra_state *current_state, *target_state;
	struct plan_infra_step *migration_steps;
	size_t n_migration_steps;
	struct plan_capacity *capacity_planning;
	struct plan_infra_validation *validation;
	struct plan_infra_rollback *rollback;
};

struct plan_infrastructure_migration {
	struct schema_pos pos;
	struct plan_infra_change *infrastructure_changes;
	size_t n_infrastructure_changes;
};

struct plan_ext_coordination {
	struct schema_pos pos;
	char *external_party, *coordination_window, *communication_plan;
};

struct plan_ext_approach {
	struct schema_pos pos;
	enum plan_integration_method method;
	int coordination_required;
	struct plan_ext_coordination *coordination_plan;
};

struct plan_ext_testing {
	struct schema_pos pos;
	char *test_environment;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	int validation_with_partner;
};

struct plan_ext_fallback {
	struct schema_pos pos;
	int fallback_to_old;
	char *fallback_procedure, *fallback_duration;
};

struct plan_external_integration {
	struct schema_pos pos;
	char *integration_id, *name;
	struct plan_ext_approach *migration_approach;
	struct plan_ext_testing *testing;
	struct plan_ext_fallback *fallback;
};

struct plan_migration_sequence {
	struct schema_pos pos;
	char **order;
	size_t n_order;
	char **coordination_points;
	size_t n_coordination_points;
};

struct plan_contract_evolution {
	struct schema_pos pos;
	char *old_contract, *new_contract, *transition_period;
};

struct plan_internal_integration {
	struct schema_pos pos;
	char *integration_id;
	char **consuming_services;
	size_t n_consuming_services;
	char **providing_services;
	size_t n_providing_services;
	struct plan_migration_sequence *migration_sequence;
	struct plan_contract_evolution *contract_evolution;
};

struct plan_integration_migration {
	struct schema_pos pos;
	struct plan_external_integration *external_integrations;
	size_t n_external_integrations;
	struct plan_internal_integration *internal_integrations;
	size_t n_internal_integrations;
};

struct plan_criterion {
	struct schema_pos pos;
	char *criterion, *measurement, *threshold, *test_dataset_id;
};

struct plan_failure_handling_spec {
	struct schema_pos pos;
	enum plan_failure_handling response;
	char **notification;
	size_t n_notification;
	char *escalation;
};

struct plan_strategy_gate {
	struct schema_pos pos;
	char *gate_id, *name, *location;
	enum plan_gate_type type;
	struct plan_criterion *criteria;
	size_t n_criteria;
	struct plan_failure_handling_spec *failure_handling;
};

struct plan_continuous_validation {
	struct schema_pos pos;
	char *validation_id, *name, *frequency;
	char **checks;
	size_t n_checks;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	char **alert_conditions;
	size_t n_alert_conditions;
};

struct plan_regression_validation {
	struct schema_pos pos;
	char *regression_suite_id, *name, *location;
	enum plan_regression_frequency execution_frequency;
	char **critical_paths;
	size_t n_critical_paths;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
};

struct plan_validation_strategy {
	struct schema_pos pos;
	struct plan_strategy_gate *validation_gates;
	size_t n_validation_gates;
	struct plan_continuous_validation *continuous_validation;
	size_t n_continuous_validation;
	struct plan_regression_validation *regression_validation;
	size_t n_regression_validation;
};

struct plan_level_procedure {
	struct schema_pos pos;
	char **steps;
	size_t n_steps;
	char *automation_script;
	char **manual_steps;
	size_t n_manual_steps;
	char *estimated_duration;
};

struct plan_level_validation {
	struct schema_pos pos;
	char **post_rollback_checks;
	size_t n_post_rollback_checks;
	char **test_dataset_ids;
	size_t n_test_dataset_ids;
	struct plan_check *checks;          /* extension */
	size_t n_checks;
};

struct plan_rollback_level_spec {
	struct schema_pos pos;
	enum plan_rollback_level level;
	char *description;
	char **trigger_conditions;
	size_t n_trigger_conditions;
	char *decision_maker;
	int approval_required;
	struct plan_level_procedure *rollback_procedure;
	struct plan_level_validation *validation;
};

struct plan_rollback_test {
	struct schema_pos pos;
	char *rollback_scenario;
	int tested;
	char *test_date;
	enum plan_test_result test_result;
	char *test_dataset_id, *evidence;
};

struct plan_rollback_strategy {
	struct schema_pos pos;
	struct plan_rollback_level_spec *rollback_levels;
	size_t n_rollback_levels;
	struct plan_rollback_test *rollback_testing;
	size_t n_rollback_testing;
};

struct plan_mitigation_validation {
	struct schema_pos pos;
	char *test_dataset_id;
	int tested;
};

struct plan_mitigation {
	struct schema_pos pos;
	char **preventive_measures;
	size_t n_preventive_measures;
	char *detection_method, *response_procedure;
	struct plan_mitigation_validation *validation;
};

struct plan_contingency {
	struct schema_pos pos;
	char *trigger, *action, *responsible_party;
};

struct plan_risk {
	struct schema_pos pos;
	char *risk_id;
	enum plan_risk_category category;
	char *description;
	enum plan_level probability;        /* high, medium, low */
	enum plan_level impact;             /* critical, high, medium, low */
	char **affected_phases;
	size_t n_affected_phases;
	char **affected_steps;
	size_t n_affected_steps;
	struct plan_mitigation *mitigation;
	struct plan_contingency *contingency;
};

struct plan_risk_mitigation {
	struct schema_pos pos;
	struct plan_risk *migration_risks;
	size_t n_migration_risks;
};

struct plan_notification {
	struct schema_pos pos;
	enum plan_notification_type notification_type;
	char *timing;
	char **channel;
	size_t n_channel;
	char *template_text;                /* key `template` */
	char *responsible_party;
};

struct plan_stakeholder {
	struct schema_pos pos;
	enum plan_stakeholder_group stakeholder_group;
	struct plan_notification *notifications;
	size_t n_notifications;
};

struct plan_status_reporting {
	struct schema_pos pos;
	char *frequency;
	enum plan_report_format format;
	char **recipients;
	size_t n_recipients;
	char **metrics_to_report;
	size_t n_metrics_to_report;
};

struct plan_incident_communication {
	struct schema_pos pos;
	char **escalation_path;
	size_t n_escalation_path;
	char **notification_channels;
	size_t n_notification_channels;
	char *response_time_sla;
};

struct plan_communication_plan {
	struct schema_pos pos;
	struct plan_stakeholder *stakeholder_communication;
	size_t n_stakeholder_communication;
	struct plan_status_reporting *status_reporting;
	struct plan_incident_communication *incident_communication;
};

struct plan_metric {
	struct schema_pos pos;
	char *metric_name, *description, *measurement_method;
	char *normal_range, *alert_threshold, *critical_threshold;
	char **alert_channels;
	size_t n_alert_channels;
	char *source;                       /* extension: a metric_sources name */
	char *query;                        /* extension: prometheus query (template) */
	char *pointer;                      /* extension: http_json JSON pointer */
};

struct plan_health_check {
	struct schema_pos pos;
	char *check_name, *description, *frequency;
	char *check_procedure, *success_criteria, *failure_response;
};

struct plan_dashboard {
	struct schema_pos pos;
	char *dashboard_name, *url;
	char **metrics_displayed;
	size_t n_metrics_displayed;
	char **audience;
	size_t n_audience;
};

struct plan_monitoring {
	struct schema_pos pos;
	struct plan_metric *migration_monitoring;
	size_t n_migration_monitoring;
	struct plan_health_check *health_checks;
	size_t n_health_checks;
	struct plan_dashboard *dashboards;
	size_t n_dashboards;
};

struct plan_success_item {
	struct schema_pos pos;
	char *criterion, *measurement, *target;
	char *test_dataset_id;              /* technical_success */
	char *measurement_period;           /* business_success */
};

struct plan_complete_definition {
	struct schema_pos pos;
	char **criteria;
	size_t n_criteria;
	char **validation_required;
	size_t n_validation_required;
	int approval_required;
	char **approvers;
	size_t n_approvers;
};

struct plan_success_criteria {
	struct schema_pos pos;
	struct plan_success_item *technical_success;
	size_t n_technical_success;
	struct plan_success_item *business_success;
	size_t n_business_success;
	struct plan_complete_definition *migration_complete_definition;
};

struct plan_cleanup_task {
	struct schema_pos pos;
	char *task_id, *name, *description, *timing, *responsible_party;
	char **steps;
	size_t n_steps;
	char *validation;
};

struct plan_monitoring_period {
	struct schema_pos pos;
	char *duration;
	char **enhanced_monitoring;
	size_t n_enhanced_monitoring;
	enum plan_sensitivity alert_sensitivity;
};

struct plan_opportunity {
	struct schema_pos pos;
	char *opportunity, *description;
	enum plan_level priority;           /* high, medium, low */
	char *effort;
};

struct plan_lessons_learned {
	struct schema_pos pos;
	char *location, *retrospective_date;
};

struct plan_post_migration {
	struct schema_pos pos;
	struct plan_cleanup_task *cleanup_tasks;
	size_t n_cleanup_tasks;
	struct plan_monitoring_period *monitoring_period;
	struct plan_opportunity *optimization_opportunities;
	size_t n_optimization_opportunities;
	struct plan_lessons_learned *lessons_learned;
};

struct plan_milestone {
	struct schema_pos pos;
	char *milestone_id, *name, *target_date;
	char **dependencies;
	size_t n_dependencies;
	char **deliverables;
	size_t n_deliverables;
	enum plan_milestone_status status;
};

struct plan_critical_step {
	struct schema_pos pos;
	char *step_id, *duration;
	char **dependencies;
	size_t n_dependencies;
};

struct plan_contingency_time {
	struct schema_pos pos;
	int64_t buffer_percentage;
	char *rationale;
};

struct plan_execution_timeline {
	struct schema_pos pos;
	struct plan_milestone *milestones;
	size_t n_milestones;
	struct plan_critical_step *critical_path;
	size_t n_critical_path;
	struct plan_contingency_time *contingency_time;
};

struct plan_linkage {
	struct schema_pos pos;
	char *existing_system_truth_file, *enhancement_truth_file, *compatibility_analysis_file;
	char *test_datasets_dir, *automation_scripts_dir;
};

/* ---- the plan -------------------------------------------------------------------------------- */

struct plan {
	struct schema_pos pos;
	struct plan_metadata *metadata;
	struct plan_overview *migration_overview;
	struct plan_prerequisite *prerequisites;
	size_t n_prerequisites;
	struct plan_phase *phases;                  /* key migration_phases; by order */
	size_t n_phases;
	struct plan_code_migration *code_migration;
	struct plan_data_migration *data_migration;
	struct plan_configuration_migration *configuration_migration;
	struct plan_infrastructure_migration *infrastructure_migration;
	struct plan_integration_migration *integration_migration;
	struct plan_validation_strategy *validation_strategy;
	struct plan_rollback_strategy *rollback_strategy;
	struct plan_risk_mitigation *risk_mitigation;
	struct plan_communication_plan *communication_plan;
	struct plan_monitoring *monitoring;         /* key monitoring_and_observability */
	struct plan_success_criteria *success_criteria;
	struct plan_post_migration *post_migration;
	struct plan_execution_timeline *execution_timeline;
	struct plan_linkage *linkage;
	/* extensions */
	struct plan_program_settings *program;
	struct plan_wave *waves;                    /* by order */
	size_t n_waves;
	struct plan_stop_the_line *stop_the_line;
	struct plan_metric_source *metric_sources;
	size_t n_metric_sources;
	struct plan_dataset *test_datasets;
	size_t n_test_datasets;
	struct plan_parity *parity;
};

/* ---- accounts.yaml and roster.yaml ------------------------------------------------------------ */

struct account_endpoint {
	struct schema_pos pos;
	enum account_system system;         /* source only */
	char *base_url;                     /* template */
	char *token_env;                    /* at most one of token_env, token_file */
	char *token_file;
};

struct account_window {
	struct schema_pos pos;
	char *start, *end;                  /* ISO 8601 */
};

struct account {
	struct schema_pos pos;
	char *id, *name, *wave;
	enum account_mode migration_mode;
	struct account_endpoint source, target;
	struct account_window cutover_window;
	char *runbook_owner;
	char **services;
	size_t n_services;
};

struct roster_role {
	struct schema_pos pos;
	char *name;
	char **members;                     /* logins */
	size_t n_members;
};

struct roster {
	struct schema_pos pos;
	struct roster_role *roles;
	size_t n_roles;
	char **operators;
	size_t n_operators;
	char **observers;
	size_t n_observers;
};

/* accounts.yaml's top level. */
struct account_list {
	struct schema_pos pos;
	struct account *accounts;
	size_t n_accounts;
};

/* Kinds of names the schema tables define and refer to (schema.h refs). */
enum plan_ref_kind {
	REF_NONE, REF_STEP, REF_PHASE, REF_GATE, REF_STRATEGY_GATE, REF_CODE_STEP, REF_PREREQ,
	REF_DATA_MIGRATION, REF_CONFIG, REF_INFRA, REF_EXT_INTEGRATION, REF_INT_INTEGRATION,
	REF_CONT_VALIDATION, REF_REGRESSION, REF_RISK, REF_TASK, REF_MILESTONE, REF_DATASET,
	REF_METRIC, REF_METRIC_SOURCE, REF_WAVE, REF_ROLE, REF_ACCOUNT, REF_FLAG,
	REF_CRITICAL_STEP, /* refers to a step or a code_migration step */
	REF__COUNT
};

/* The schema tables (plan_schema.c): the format as data, for loaders,
 * documentation and tests. */
extern const struct schema_obj plan_schema_plan;      /* plan.yaml */
extern const struct schema_obj plan_schema_accounts;  /* accounts.yaml: struct account_list */
extern const struct schema_obj plan_schema_roster;    /* roster.yaml: struct roster */

struct program {
	char *dir;                          /* the program folder ("." for a lone file's folder) */
	char *plan_path, *accounts_path, *roster_path; /* NULL when the file is absent */
	struct plan *plan;
	struct account *accounts;
	size_t n_accounts;
	struct roster roster;
	bool has_accounts, has_roster;
	char plan_hash[65];                 /* SHA-256 hex of plan.yaml's bytes */
	struct arena *arena;                /* private: owns everything above */
};

/* Loads a program folder (plan.yaml + accounts.yaml + roster.yaml) or a lone
 * plan file. Every problem goes to d. Returns NULL when any error was found
 * (warnings alone still load). */
struct program *program_load(const char *path, struct diags *d);
/* The same from memory (fuzzers, tests); any text may be NULL = absent. The
 * names are used in messages. Returns NULL on errors. */
struct program *program_load_mem(const char *plan_name, const char *plan_text, size_t plan_len,
				 const char *accounts_name, const char *accounts_text,
				 size_t accounts_len, const char *roster_name,
				 const char *roster_text, size_t roster_len, struct diags *d);
void program_free(struct program *p);

/* Lookups; NULL when absent. phase_out (may be NULL) gets the owning phase. */
const struct plan_phase *plan_find_phase(const struct plan *p, const char *phase_id);
const struct plan_step *plan_find_step(const struct plan *p, const char *step_id,
				       const struct plan_phase **phase_out);
const struct plan_gate *plan_find_gate(const struct plan *p, const char *gate_id,
				       const struct plan_phase **phase_out);
const struct plan_wave *plan_find_wave(const struct plan *p, const char *name);
const struct plan_metric *plan_find_metric(const struct plan *p, const char *metric_name);
const struct plan_metric_source *plan_find_metric_source(const struct plan *p,
							 const char *name);
/* The rollback level spec for a level, or NULL. */
const struct plan_rollback_level_spec *plan_find_rollback_level(const struct plan *p,
								enum plan_rollback_level level);
const struct account *program_find_account(const struct program *p, const char *id);
/* Accounts of one wave, in file order, into out (caller frees); returns count. */
size_t program_wave_accounts(const struct program *p, const char *wave,
			     const struct account ***out);

const struct roster_role *roster_find_role(const struct roster *r, const char *role);
/* Members of a role (NULL and *n = 0 when the role is unknown). */
char *const *roster_role_members(const struct roster *r, const char *role, size_t *n);
bool roster_has_role(const struct roster *r, const char *login, const char *role);
bool roster_is_operator(const struct roster *r, const char *login);
bool roster_is_observer(const struct roster *r, const char *login);

#endif
