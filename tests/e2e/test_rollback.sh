#!/usr/bin/env bash
# A fault on the target makes a step fail; the phase gate's failure_response
# (rollback) undoes the phase's completed steps newest first, each undo
# audited; an explicit full rollback does the same for a healthy run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)

note "a read-only target refuses the import: the step fails, the phase rolls back"
curl -fsS -X POST -d '{"read_only": true, "paths": "/v1/tenants/acct-001/import"}' \
	"$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 "$WARROOM" run "$P" --account acct-001
expect_out 'acct-001: rolled_back'
audit_has "$P" 'step.failed acct-001/s-import .*read_only'
audit_has "$P" 'failure.response acct-001/p-provision .*"response":"rollback"'
audit_has "$P" 'exec acct-001/s-note .*undo note acct-001.*"rollback":true'
audit_has "$P" 'http.request acct-001/s-create .*"method":"DELETE".*"status":204.*"rollback":true'
audit_has "$P" 'rollback.done acct-001'
# newest first: the note is undone before the tenant is deleted
grep -n 'step.rolled_back' "$T/audit.txt" | sed -E 's/.*acct-001\/([a-z-]+).*/\1/' | tr '\n' ' ' |
	grep -qx 's-import s-note s-create ' || fail "rollback order: $(grep step.rolled_back "$T/audit.txt")"
curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/tenants/acct-001" | grep -qx 404 ||
	fail "the tenant survived the rollback"
curl -fsS -X DELETE "$SIM_URL/_sim/faults" >/dev/null

note "a rolled back step is re-run only when a person says so"
expect_exit 1 "$WARROOM" run "$P" --account acct-001
expect_out 'rolled_back'

note "a 503 storm: retries are audited, then the step fails and rolls back"
curl -fsS -X POST -d '{"error_rate": 1.0, "paths": "/v1/tenants/acct-002/import"}' \
	"$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 "$WARROOM" run "$P" --account acct-002
audit_has "$P" 'http.request acct-002/s-import .*"status":50[03]'
audit_has "$P" 'rollback.done acct-002'
curl -fsS -X DELETE "$SIM_URL/_sim/faults" >/dev/null

note "a full rollback of a healthy account, on request"
expect_exit 3 "$WARROOM" run "$P" --account acct-003
expect_out 'sign-off needed: SRE Lead 0/1'
expect_exit 0 "$WARROOM" rollback "$P" --account acct-003 --level full
audit_has "$P" 'rollback.start acct-003 .*"level":"full"'
audit_has "$P" 'http.request acct-003/s-create .*"method":"DELETE"'
expect_exit 2 "$WARROOM" rollback "$P" --account acct-003 --level sideways
expect_exit 2 "$WARROOM" rollback "$P" --account acct-003 --level step

note "a customer veto stops the line: halted with the reason, rolled back as the plan says"
expect_exit 3 "$WARROOM" run "$P" --account acct-004
expect_exit 1 "$WARROOM" halt "$P" --account acct-004 --reason "customer veto" --confirm acct-00
expect_exit 0 "$WARROOM" halt "$P" --account acct-004 --reason "customer veto" --confirm acct-004
audit_has "$P" 'run.halt acct-004 .*customer veto'
audit_has "$P" 'http.request acct-004/s-create .*"method":"DELETE".*"rollback":true'
expect_exit 1 "$WARROOM" run "$P" --account acct-004
expect_out 'acct-004: halted: halted: customer veto'
expect_exit 0 "$WARROOM" halt "$P" --account acct-004 --as clear --confirm acct-004
audit_has "$P" 'run.unhalt acct-004'
expect_exit 0 "$WARROOM" audit verify "$P"
note ok
