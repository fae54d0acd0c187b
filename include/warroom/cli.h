/* cli — the subcommands of the one `warroom` binary. Declared once in the
 * COMMANDS table, which yields the prototypes, the dispatch table and the
 * help text. Each command lives in src/cli/<name>.c (or its area) and
 * returns an exit code: 0 ok, 1 problems found / failed, 2 usage, 3 waiting. */
#ifndef WARROOM_CLI_H
#define WARROOM_CLI_H

enum cli_exit { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_WAITING = 3 };

/* _(name, function, arguments, one-line summary) */
#define COMMANDS(_)                                                            \
	_("version", cmd_version, "", "print the version")                    \
	_("sim", cmd_sim,                                                      \
	  "[--listen HOST:PORT] [--seed N] [--accounts N] [--entities N] [--backfill-ms N] [--latency-ms N] [--error-rate P] [--timeout-rate P] [--malformed-rate P] [--read-only] [--rate-limit N/s] [--outage-after S --outage-for S] [--fault-paths PREFIX]", \
	  "serve the target, metrics and source APIs on loopback, with faults") \
	_("validate", cmd_validate, "PROGRAM-DIR|PLAN-FILE...",               \
	  "check a program (plan, accounts, roster) and report every problem") \
	_("audit", cmd_audit,                                                  \
	  "verify|tail|export|append [PROGRAM] [--db FILE] [-n N] [-f] [--format text|jsonl|csv] [-o FILE] [--action NAME --detail JSON --account ID --subject ID]", \
	  "verify, follow or export the tamper-evident audit log; append a note") \
	_("source", cmd_source,                                                \
	  "check pagerduty|rootly|incidentio --url BASE_URL [--token-env NAME] [--token-file FILE] [--json] [--page-size N] [--max-retries N] [--max-rate N]", \
	  "read a migration source whole (read-only) and show each item's verdict") \
	_("import", cmd_import,                                                \
	  "PROGRAM --account ID [--dry-run] [--db FILE] [--json] [--batch N] [--max-rate N]", \
	  "import an account's source into its tenant: preview as a diff, or apply (audited, resumable)") \
	_("console", cmd_console,                                              \
	  "PROGRAM [--db FILE] [--theme NAME|PATH] [--view NAME] | --diff LEFT.json RIGHT.json", \
	  "open the war-room console on a program (operator)")               \
	_("observe", cmd_observe, "PROGRAM [--db FILE] [--theme NAME|PATH] [--view NAME]", \
	  "open the console read-only (observers, e.g. an sshd ForceCommand)") \
	_("run", cmd_run,                                                      \
	  "PROGRAM --account ID|--wave NAME [--step ID|--phase ID] [--dry-run] [--yes|--confirm TARGET] [--db FILE] [--concurrency N] [--pause] [--drift-interval DURATION]", \
	  "run accounts until done or waiting for a person (exit 0, 1, 3)")   \
	_("rollback", cmd_rollback,                                            \
	  "PROGRAM --account ID --level step|phase|full [--step ID|--phase ID] [--db FILE]", \
	  "undo completed steps in reverse order, then the post-rollback checks") \
	_("gate", cmd_gate,                                                    \
	  "status|sign|reject PROGRAM --account ID --gate ID [--role ROLE] [--reason TEXT] [--confirm ACCOUNT_ID] [--db FILE]", \
	  "show a gate's sign-offs, or sign or reject it as your login")      \
	_("check", cmd_check,                                                  \
	  "tick PROGRAM --account ID --step ID|--gate ID --item N|TEXT [--db FILE]", \
	  "tick a manual check of a step or gate")                            \
	_("wave", cmd_wave,                                                    \
	  "throttle|postpone|resume|halt PROGRAM --wave NAME [--max N] [--confirm WAVE] [--db FILE]", \
	  "throttle, postpone before cut-over, resume or halt a wave")        \
	_("lease", cmd_lease, "break PROGRAM --id ID [--db FILE]",             \
	  "break the lease of a step whose holder is gone")                   \
	_("reconcile", cmd_reconcile,                                          \
	  "PROGRAM --account ID --step ID --as done|rerun|rollback [--db FILE]", \
	  "settle a step a crash left unknown, after showing what the log knows") \
	_("halt", cmd_halt,                                                    \
	  "PROGRAM --account ID --reason TEXT --confirm ACCOUNT_ID [--as clear] [--db FILE]", \
	  "stop the line for an account (customer veto); --as clear lifts it") \
	_("parity", cmd_parity,                                                \
	  "PROGRAM [--account ID|--wave NAME] [--source import|reference] [--db FILE] [--aa] [--json] [--buckets [--bucket-count N]]", \
	  "measure parity (counts, hashes, samples, plan invariants); exit 1 under threshold") \
	_("exception", cmd_exception,                                          \
	  "add|close|list PROGRAM [--db FILE] [--scope S --owner LOGIN --reason TEXT --expires DUR|TIME [--controls TEXT]] [--id N] [--open|--expired|--closed]", \
	  "the exception registry: registered, owned, expiring deviations")   \
	_("drift", cmd_drift,                                                  \
	  "PROGRAM [--account ID] [--db FILE] [--snapshot]",                   \
	  "compare the target with its cutover snapshot; --snapshot takes one") \
	_("integrations", cmd_integrations,                                    \
	  "PROGRAM [--account ID|--wave NAME] [--db FILE] [--json] [--timeout DUR]", \
	  "read integration health per account from the target; exit 1 unless all healthy") \
	_("report", cmd_report,                                                \
	  "PROGRAM [--account ID] [--db FILE] [--format md|json|html] [-o FILE] | --evidence -o DIR", \
	  "the customer-safe parity report, or the audit-ready evidence pack")

#define CLI_DECLARE(name, fn, args, help) int fn(int argc, char **argv);
COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* Shared by commands: print "warroom NAME: usage: ..." and return EXIT_USAGE. */
int cli_usage(const char *name);
/* "warroom NAME: what arg" (arg may be NULL), then the usage line: EXIT_USAGE. */
int cli_usage_error(const char *name, const char *what, const char *arg);

#endif
