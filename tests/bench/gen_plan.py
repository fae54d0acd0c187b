#!/usr/bin/env python3
"""gen_plan -- writes a large, valid plan for the loader benchmark: N steps
spread over phases of 100, each step with actions, checks and a rollback,
about 800 bytes a step (5,000 steps is about 4 MB).
usage: gen_plan.py STEPS OUTPUT"""
import sys


def step(phase, i, order):
    sid = f"p{phase}-s{i}"
    return f"""      - step_id: {sid}
        name: Step {i} of phase {phase}
        order: {order}
        type: data_migration
        preconditions: ["step:p{phase}-s{i - 1 if i > 0 else 0}"]
        execution_details:
          method: automated
          actions:
            - name: import slice {i}
              method: POST
              url: "{{{{target.base_url}}}}/v1/tenants/{{{{account.id}}}}/import/services"
              body: '{{"slice": {i}}}'
              expect_status: [200, 409]
              timeout: 10s
        validation:
          checks:
            - name: error rate after slice {i}
              condition: "error_rate < 0.5%"
              failure_condition: "error_rate > 1%"
        rollback_procedure:
          can_rollback: true
          actions:
            - name: undo slice {i}
              method: DELETE
              url: "{{{{target.base_url}}}}/v1/tenants/{{{{account.id}}}}/import/services"
              expect_status: [200, 204, 404]
        responsible_party: Runbook Owner
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n = int(sys.argv[1])
    out = ["metadata: {version: \"1\", migration_name: bench, migration_status: planned}",
           "monitoring_and_observability:",
           "  migration_monitoring:",
           "    - {metric_name: error_rate, source: prom, query: 'error_rate{tenant=\"{{account.id}}\"}'}",
           "metric_sources: [{name: prom, type: prometheus, url: 'http://127.0.0.1:8089'}]",
           "risk_mitigation: {migration_risks: [{risk_id: r1, mitigation: {detection_method: metrics}}]}",
           "communication_plan: {status_reporting: {frequency: daily}}",
           "success_criteria: {technical_success: [{criterion: all steps done}]}",
           "migration_phases:"]
    per = 100
    for ph in range((n + per - 1) // per):
        out.append(f"  - phase_id: p{ph}\n    name: Phase {ph}\n    order: {ph + 1}\n    steps:")
        for i in range(min(per, n - ph * per)):
            out.append(step(ph, i, i + 1).rstrip("\n"))
        out.append(f"    validation_gate: {{gate_id: g{ph}, approvers: [SRE Lead], "
                   f"checks: [{{name: rate, condition: \"error_rate < 1%\"}}]}}")
        out.append("    rollback_point: {can_rollback_from_here: true}")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
