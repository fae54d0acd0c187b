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

note "a wave stops launching once its failure ratio crosses the threshold"
W=$(program_copy "$ROOT/tests/e2e/programs/basic" wave)
curl -fsS -X POST -d '{"read_only": true, "paths": "/v1/tenants/acct-003/import"}' \
	"$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 "$WARROOM" run "$W" --wave ramp
expect_out 'acct-003: rolled_back'
expect_out "acct-004: waiting: not started: wave ramp: failure ratio 1/1 crossed"
curl -fsS -X DELETE "$SIM_URL/_sim/faults" >/dev/null
"$WARROOM" audit tail "$W" -n 1000 >"$T/audit.txt"
grep -q 'acct-004' "$T/audit.txt" && fail "acct-004 was started after the threshold was crossed"

note "an invariant breach stops the line before the next step and rolls back"
S=$(program_copy "$ROOT/tests/e2e/programs/basic" stl)
expect_exit 3 "$WARROOM" run "$S" --account acct-001
"$WARROOM" gate sign "$S" --account acct-001 --gate g-provision --confirm acct-001 >/dev/null
sqlite3 "$S/warroom.db" "INSERT INTO samples (account, kind, name, value, passed, evaluated, ts_ms) \
	VALUES ('acct-001', 'parity', 'pass_rate', 0.95, 95, 100, $(date +%s%3N))"
expect_exit 1 "$WARROOM" run "$S" --account acct-001 --yes
expect_out 'acct-001: halted: halted: invariant breach: 5% failing, over the 0.1% limit'
audit_has "$S" 'run.halt acct-001 .*invariant breach'
audit_has "$S" 'rollback.done acct-001 .*"level":"full"'
grep -q 'step.start acct-001/s-cutover' "$T/audit.txt" && fail "the cut-over ran past a stop-the-line"

note "an Inconclusive gate waits for a person, never passes by itself"
I=$(program_copy "$ROOT/tests/e2e/programs/basic" inconclusive)
python3 - "$I/plan.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
old = """      approval_required: true
      approvers: ["SRE Lead"]
      failure_response: rollback
"""
new = """      approval_required: false
      failure_response: block
      checks:
        - name: target healthy
          http:
            url: "{{target.base_url}}/v1/health"
            assert:
              - {pointer: /status, op: "==", value: ok}
"""
assert old in s
open(p, "w").write(s.replace(old, new))
PY
curl -fsS -X POST -d '{"malformed_rate": 1.0, "paths": "/v1/health"}' "$SIM_URL/_sim/faults" >/dev/null
expect_exit 3 "$WARROOM" run "$I" --account acct-002 --yes
expect_out 'acct-002: waiting: gate g-provision inconclusive: .*Inconclusive'
curl -fsS -X DELETE "$SIM_URL/_sim/faults" >/dev/null
expect_exit 3 "$WARROOM" run "$I" --account acct-002 --yes
expect_out 'inconclusive'
expect_exit 0 "$WARROOM" gate sign "$I" --account acct-002 --gate g-provision --confirm acct-002
expect_exit 0 "$WARROOM" run "$I" --account acct-002 --yes
expect_out 'acct-002: done'
audit_has "$I" 'gate.sign acct-002/g-provision .*"role":"operator"'

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
