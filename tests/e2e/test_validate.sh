#!/usr/bin/env bash
# `warroom validate` end to end: the shipped programs pass clean; every kind
# of bad input (broken YAML, tabs, duplicate keys, bad UTF-8, alias bombs,
# deep nesting, a 100 MB file, wrong types, dangling references, bad
# accounts and rosters) is refused with file:line:col, exit 1, no crash.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# bad NAME WANT...: validates $T/NAME, expects exit 1 and each WANT (regex).
bad() {
	local name=$1; shift
	expect_exit 1 timeout 20 "$WARROOM" validate "$T/$name"
	local w
	for w in "$@"; do expect_out "$w"; done
}

note "the shipped programs validate clean"
for prog in plans/pd-lite-tenant-migration plans/parallel-run-cutover; do
	expect_exit 0 "$WARROOM" validate "$prog"
	expect_out "^$prog: ok: 4 phases, [0-9]+ steps, 2[0-9] accounts, [0-9]+ roles; plan sha256 [0-9a-f]{64}\$"
	grep -q "warning" "$T/out" && { cat "$T/out"; fail "$prog has warnings"; }
	want=$(sha256sum "$prog/plan.yaml" | cut -d' ' -f1)
	expect_out "plan sha256 $want"
done
expect_exit 0 "$WARROOM" validate plans/pd-lite-tenant-migration/plan.yaml \
	plans/parallel-run-cutover
expect_out "plan.yaml: ok: 4 phases, 17 steps, 0 accounts"

note "usage"
expect_exit 2 "$WARROOM" validate
expect_out "usage"
expect_exit 2 "$WARROOM" validate --strict plans/parallel-run-cutover
expect_out "unknown option '--strict'"
expect_exit 1 "$WARROOM" validate "$T/nowhere"
expect_out "nowhere: error: no such file or folder"

note "a program folder without its files"
mkdir -p "$T/empty" "$T/lone"
expect_exit 1 "$WARROOM" validate "$T/empty"
expect_out "empty: error: no plan.yaml in this folder"
cp plans/parallel-run-cutover/plan.yaml "$T/lone/"
expect_exit 0 "$WARROOM" validate "$T/lone"
expect_out "lone: warning: no accounts.yaml in this folder"
expect_out "lone: warning: no roster.yaml in this folder"

note "broken YAML"
printf 'metadata:\n  version: "1"\n  created_date: [2026\n' >"$T/malformed.yaml"
bad malformed.yaml "malformed.yaml:4:1: error: did not find expected ',' or ']'"
printf 'metadata:\n\tversion: "1"\n' >"$T/tab.yaml"
bad tab.yaml "tab.yaml:2:1: error: tab character where YAML needs spaces"
printf 'metadata:\n  version: "1"\n  migration_name: a\n  version: "2"\n' >"$T/dup.yaml"
bad dup.yaml "dup.yaml:4:3: error: duplicate key 'version' \\(first at line 2\\)"
printf 'metadata:\n  migration_name: "caf\xe9"\n' >"$T/latin1.yaml"
bad latin1.yaml "latin1.yaml:2:23: error: not valid UTF-8 \\(byte 0xe9 starts a sequence"
printf 'a: 1\n---\nb: 2\n' >"$T/two.yaml"
bad two.yaml "two.yaml:2:1: error: a second YAML document"
: >"$T/nothing.yaml"
bad nothing.yaml "nothing.yaml: error: the file is empty"

note "hostile input is bounded"
python3 - "$T" <<'EOF'
import sys
d = sys.argv[1]
s = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
for i in range(1, 12):
    s += "l%d: &l%d [%s]\n" % (i, i, ", ".join(["*l%d" % (i - 1)] * 10))
open(d + "/laughs.yaml", "w").write(s)
open(d + "/deep.yaml", "w").write("metadata: " + "[" * 5000 + "]" * 5000 + "\n")
open(d + "/deepmap.yaml", "w").write("".join("  " * i + "k%d:\n" % i for i in range(200)))
EOF
bad laughs.yaml "laughs.yaml:6:45: error: aliases expand to more than 1000000 nodes \\(the limit\\)"
bad deep.yaml "deep.yaml:1:74: error: nesting is deeper than 64 levels \\(the limit\\)"
bad deepmap.yaml "deepmap.yaml:65:129: error: nesting is deeper than 64 levels"
truncate -s 100M "$T/huge.yaml"
t0=$SECONDS
bad huge.yaml "huge.yaml: error: file is 104857600 bytes, over the limit of 33554432"
[ $((SECONDS - t0)) -lt 5 ] || fail "a 100 MB file took $((SECONDS - t0))s to refuse"

note "wrong types at every level, all reported at once"
cat >"$T/types.yaml" <<'EOF'
metadata: [not, a, mapping]
migration_overview:
  scope:
    systems_affected: one
  constraints: {downtime_allowed: perhaps}
  approach: big-bang
migration_phases:
  - phase_id: p1
    order: first
    steps:
      - step_id: s1
        execution_details: [run]
        rollback_procedure: {can_rollback: true, rollback_steps: [[nested]]}
    validation_gate:
      gate_id: g1
      aprovers: [SRE Lead]
      failure_response: retry
  - just a string
risk_mitigation: {migration_risks: {risk_id: r1}}
EOF
bad types.yaml \
	"types.yaml:1:11: error: 'metadata' must be a mapping, not a list" \
	"types.yaml:4:23: error: 'systems_affected' must be a list of strings, not a scalar" \
	"types.yaml:5:35: error: 'downtime_allowed' must be true or false, not 'perhaps'" \
	"types.yaml:6:13: error: 'big-bang' is not a valid approach \\(did you mean 'big_bang'\\?" \
	"types.yaml:9:12: error: 'order' must be an integer, not 'first'" \
	"types.yaml:12:28: error: 'execution_details' must be a mapping, not a list" \
	"types.yaml:13:67: error: items of 'rollback_steps' must be strings, not a list" \
	"types.yaml:16:7: warning: unknown key 'aprovers' in validation_gate \\(did you mean 'approvers'\\?\\)" \
	"types.yaml:17:25: error: 'retry' is not a valid failure_response" \
	"types.yaml:18:5: error: phase must be a mapping, not a scalar" \
	"types.yaml:19:36: error: 'migration_risks' must be a list, not a mapping" \
	"^10 errors, 5 warnings"

note "dangling references"
cat >"$T/refs.yaml" <<'EOF'
migration_phases:
  - phase_id: p1
    steps:
      - step_id: s1
        preconditions: ["step:s0"]
        validation:
          test_dataset_ids: [ds-1, ds-9]
          checks:
            - {name: c, condition: "eror_rate < 1%"}
            - {name: d, condition: "error_rate < 1%", source: promx}
        rollback_procedure: {can_rollback: true, rollback_test_id: ds-2}
monitoring_and_observability:
  migration_monitoring: [{metric_name: error_rate}]
metric_sources: [{name: prom, type: prometheus, url: "{{env.PROM_URL}}/{{acount.id}}"}]
execution_timeline:
  critical_path: [{step_id: s2}]
test_datasets: [{dataset_id: ds-1}, {dataset_id: ds-2}]
EOF
bad refs.yaml \
	"refs.yaml:5:25: error: unknown step 's0' \\(did you mean 's1'\\?\\)" \
	"refs.yaml:7:36: error: unknown test dataset 'ds-9'" \
	"refs.yaml:9:36: error: unknown metric 'eror_rate' \\(did you mean 'error_rate'\\?\\)" \
	"refs.yaml:10:63: error: unknown metric source 'promx' \\(did you mean 'prom'\\?\\)" \
	"refs.yaml:14:54: error: unknown template name \\{\\{acount.id\\}\\}" \
	"refs.yaml:16:29: error: unknown step 's2'"

note "accounts and roster across files"
mkdir -p "$T/prog"
cp plans/parallel-run-cutover/plan.yaml "$T/prog/"
cat >"$T/prog/accounts.yaml" <<'EOF'
accounts:
  - id: acct-001
    name: One
    wave: canery
    migration_mode: cutover
    source: {system: pager_duty, base_url: "{{env.SIM}}", token_env: A, token_file: b}
    target: {base_url: "{{target.url}}"}
    cutover_window: {start: "2026-12-01T18:00:00Z", end: "2026-12-01T09:00:00Z"}
  - id: acct-001
    name: Two
    wave: full
    migration_mode: progressive
    source: {system: rootly}
EOF
cat >"$T/prog/roster.yaml" <<'EOF'
roles:
  - {name: SRE Lead, members: [root]}
  - {name: SRE Lead, members: [frank]}
operators: [root]
observers: judy
EOF
bad prog \
	"accounts.yaml:4:11: error: unknown wave 'canery' \\(did you mean 'canary'\\?\\)" \
	"accounts.yaml:5:21: error: 'cutover' is not a valid migration_mode" \
	"accounts.yaml:6:22: error: 'pager_duty' is not a valid system \\(did you mean 'pagerduty'\\?" \
	"accounts.yaml:6:13: error: give 'token_env' or 'token_file', not both" \
	"accounts.yaml:7:24: error: unknown template name \\{\\{target.url\\}\\}" \
	"accounts.yaml:8:58: error: cutover_window ends" \
	"accounts.yaml:9:9: error: duplicate id 'acct-001' \\(first at line 2\\)" \
	"accounts.yaml:13:13: error: source is missing 'base_url'" \
	"accounts.yaml:9:5: error: account is missing 'target'" \
	"roster.yaml:3:12: error: duplicate name 'SRE Lead' \\(first at line 2\\)" \
	"roster.yaml:5:12: error: 'observers' must be a list of strings, not a scalar" \
	"plan.yaml:[0-9]+:[0-9]+: error: unknown roster role 'Incident Commander'"

note "warnings alone pass"
cat >"$T/thin.yaml" <<'EOF'
migration_phases:
  - phase_id: only
    steps: [{step_id: s, name: a step with no way back}]
EOF
expect_exit 0 "$WARROOM" validate "$T/thin.yaml"
expect_out "thin.yaml:2:5: warning: phase 'only' has no validation_gate"
expect_out "thin.yaml:3:13: warning: step 's' has no rollback_procedure and its phase no rollback_point"
expect_out "thin.yaml:1:1: warning: the plan defines no monitoring"
expect_out "thin.yaml:1:1: warning: the plan identifies no risks"
expect_out "thin.yaml:1:1: warning: the plan has no communication_plan"
expect_out "thin.yaml:1:1: warning: the plan defines no success_criteria"
expect_out "thin.yaml: ok: 1 phases, 1 steps"

note "the showcase program runs against the simulator, and rolls back"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 40 --backfill-ms 200
export PDLITE_TOKEN=tok-unused WARROOM_BIN=$WARROOM
account_tokens "$ROOT/plans/pd-lite-tenant-migration"
P=$(program_copy "$ROOT/plans/pd-lite-tenant-migration" pd)
finished=0
for round in $(seq 1 16); do
	set +e; "$WARROOM" run "$P" --account acct-001 --yes >"$T/run.out" 2>"$T/run.err"; rc=$?; set -e
	[ "$rc" = 0 ] && { finished=1; break; }
	[ "$rc" = 3 ] || { cat "$T/run.out" "$T/run.err" >&2; fail "run exited $rc in round $round"; }
	sign_waiting "$P" "$T/run.out"
	tick_waiting "$P" "$T/run.out"
done
[ "$finished" = 1 ] || { cat "$T/run.out" >&2; fail "acct-001 never finished the plan"; }
curl -sf "$SIM_URL/v1/tenants/acct-001" | grep -q '"state":"cut_over"' || fail "acct-001 is not cut over"
expect_exit 0 "$WARROOM" rollback "$P" --account acct-001 --level full
expect_out "acct-001: rollback \(full\) done"
curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/tenants/acct-001" | grep -qx 404 ||
	fail "the full rollback left the tenant behind"

note "ok"
