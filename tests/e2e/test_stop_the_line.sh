#!/usr/bin/env bash
# Stop-the-line triggers the runner evaluates itself: a monitored metric
# past a critical threshold written in either direction ("< N" fires when
# the value drops below), checked before each step.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5

# metric_program NAME THRESHOLD: the basic program with the legacy system's
# throughput monitored (critical_threshold THRESHOLD) and sampled by a check
# of its first step.
metric_program() {
	local dst
	dst=$(program_copy "$ROOT/tests/e2e/programs/basic" "$1")
	python3 - "$dst/plan.yaml" "$2" <<'PY'
import sys
p, threshold = sys.argv[1], sys.argv[2]
s = open(p).read()
old = """                assert:
                  - {pointer: /id, op: "==", value: "{{account.id}}"}
"""
new = old + """            - name: legacy traffic flows
              condition: "legacy_throughput >= 0"
"""
assert old in s
s = s.replace(old, new)
s += """
metric_sources:
  - name: tenant-metrics
    type: http_json
    url: "{{target.base_url}}/v1/tenants/{{account.id}}/metrics"
monitoring_and_observability:
  migration_monitoring:
    - metric_name: legacy_throughput
      description: requests per second still served by the legacy system
      source: tenant-metrics
      pointer: /legacy/throughput
      critical_threshold: "%s"
""" % threshold
open(p, "w").write(s)
PY
	echo "$dst"
}

note "a throughput below its critical threshold ('< N') stops the line before the next step"
M=$(metric_program metric-below "< 100000")
expect_exit 0 "$WARROOM" validate "$M"
expect_exit 1 "$WARROOM" run "$M" --account acct-001
expect_out 'acct-001: halted: halted: metric legacy_throughput = [0-9.]+, below its critical threshold < 100000'
audit_has "$M" 'check.result acct-001/s-create .*legacy traffic flows.*Successful'
audit_has "$M" 'run.halt acct-001 .*below its critical threshold < 100000'
audit_has "$M" 'rollback.done acct-001 .*"level":"full"'
grep -q 'step.start acct-001/s-note' "$T/audit.txt" && fail "s-note ran past a stop-the-line"

note "the same metric above a floor it has not crossed lets the run go on"
N=$(metric_program metric-floor "< 1")
expect_exit 3 "$WARROOM" run "$N" --account acct-002
expect_out 'acct-002: waiting: gate g-provision'
audit_has "$N" 'step.succeeded acct-002/s-import'
grep -q 'run.halt' "$T/audit.txt" && fail "a floor that was not crossed stopped the line"

note "a bare threshold stays an upper limit"
U=$(metric_program metric-upper "1000000")
expect_exit 3 "$WARROOM" run "$U" --account acct-003
audit_has "$U" 'step.succeeded acct-003/s-import'
grep -q 'run.halt' "$T/audit.txt" && fail "a bare upper limit fired below it"
expect_exit 0 "$WARROOM" audit verify "$M"
note ok
