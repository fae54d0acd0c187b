#!/usr/bin/env bash
# `warroom import` end to end against the simulator: the dry run previews a
# diff, writes nothing to the target and records its verdicts (marked dry
# run) in the store; apply records them too, and the report shows what will
# not import and why; apply creates the tenant and its entities, audited;
# a re-run is a no-op ("unchanged"); a changed target entity is updated back;
# a source that cannot be read whole imports nothing; kill -9 in the middle
# of an apply, then resume, completes with no duplicates.
source "$(dirname "$0")/lib.sh"

start_sim --seed 3 --accounts 3
export PAGERDUTY_TOKEN=acct-001 ROOTLY_TOKEN=acct-002 INCIDENTIO_TOKEN=acct-003
P=$T/prog
mkdir -p "$P"
cp "$ROOT/plans/pd-lite-tenant-migration/plan.yaml" "$ROOT/plans/pd-lite-tenant-migration/roster.yaml" "$P/"
{
	echo "accounts:"
	for pair in acct-001:pagerduty acct-002:rootly acct-003:incidentio; do
		id=${pair%%:*} sys=${pair#*:}
		cat <<EOF
  - id: $id
    name: Account $id
    wave: canary
    migration_mode: progressive
    source:
      system: $sys
      base_url: "{{env.WARROOM_SIM_URL}}/$sys"
    target:
      base_url: "{{env.WARROOM_SIM_URL}}"
    cutover_window: {start: "2026-12-01T09:00:00Z", end: "2026-12-01T17:00:00Z"}
    runbook_owner: alice
EOF
	done
	# a source with items the target cannot take (tests/e2e/stub_pagerduty.py)
	cat <<EOF
  - id: acct-004
    name: Account acct-004
    wave: canary
    migration_mode: progressive
    source:
      system: pagerduty
      base_url: "{{env.STUB_URL}}/pagerduty"
    target:
      base_url: "{{env.WARROOM_SIM_URL}}"
    cutover_window: {start: "2026-12-01T09:00:00Z", end: "2026-12-01T17:00:00Z"}
    runbook_owner: alice
EOF
} >"$P/accounts.yaml"
DB=$T/warroom.db
coproc STUB { exec python3 "$ROOT/tests/e2e/stub_pagerduty.py"; }
PIDS+=($STUB_PID)
read -r stub_port <&"${STUB[0]}" || fail "the stub source did not start"
export STUB_URL=http://127.0.0.1:$stub_port

reference() { curl -sf "$SIM_URL/v1/tenants/$1/parity/source/$2?page_size=1" | jq -r .total; }
on_target() { curl -sf "$SIM_URL/v1/tenants/$1/$2?page_size=1" | jq -r .total; }
kinds=(services teams users schedules escalation_policies integrations incidents)

note "dry run: a preview as a diff, nothing written to the target"
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --dry-run
expect_out 'dry run: nothing is written to the target'
! grep -E '^! ' "$T/out" | grep -vE '^! [a-z_]+ [^ ]+( "[^"]*")?: refused: .+' || fail "a refused item without its reason"
! grep -E '^~ ' "$T/out" | grep -vE ': .+' || fail "an updated item without its change"
expect_out 'tenant acct-001 does not exist on the target; it would be created'
expect_out '^\+ user PU[A-Z0-9]+ "'
expect_out '^schema compatibility'
expect_out 'role limited_user becomes responder'
[ ! -e "$DB" ] || fail "the dry run wrote to another database"
PDB=$P/warroom.db
n=$(sqlite3 "$PDB" "SELECT count(*) FROM import_items WHERE account = 'acct-001' AND dry_run = 1")
[ "$n" -gt 0 ] || fail "the dry run recorded no verdicts"
[ "$(sqlite3 "$PDB" "SELECT count(*) FROM import_items WHERE dry_run = 0 OR (verdict = 'refused' AND reason IS NULL)")" = 0 ] ||
	fail "the dry run's verdicts are not marked, or a refusal has no reason"
[ "$(sqlite3 "$PDB" "SELECT count(*) FROM audit WHERE action = 'import.preview' AND account = 'acct-001'")" = 1 ] ||
	fail "the dry run left no import.preview record"
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --dry-run
[ "$(sqlite3 "$PDB" "SELECT count(*) FROM import_items WHERE account = 'acct-001'")" = "$n" ] ||
	fail "a second dry run did not replace the first one's verdicts"
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/tenants/acct-001")
[ "$code" = 404 ] || fail "the dry run created the tenant ($code)"
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --dry-run --json
for k in "${kinds[@]}"; do
	[ "$(jq -r ".counts.$k.create" "$T/out")" = "$(reference acct-001 "$k")" ] || fail "preview of $k"
done

note "apply, for each source: every entity lands once, each batch audited"
for acct in acct-001 acct-002 acct-003; do
	expect_exit 0 "$WARROOM" import "$P" --account "$acct" --db "$DB" --batch 25
	expect_out '^applied: [1-9][0-9]* requests'
	for k in "${kinds[@]}"; do
		want=$(reference "$acct" "$k") got=$(on_target "$acct" "$k")
		[ "$want" = "$got" ] || fail "$acct $k: $got on the target, $want in the source"
	done
done
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB"
expect_exit 0 "$WARROOM" audit export "$P" --db "$DB" --format jsonl
grep -c '"action":"import.batch"' "$T/out" | { read -r n; [ "$n" -ge 9 ]; } || fail "too few import.batch records"
grep -q '"action":"import.done"' "$T/out" || fail "no import.done record"

note "the verdicts of the newest run are in the store, and the report names each refusal"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM import_items WHERE dry_run = 1")" = 0 ] || fail "an apply marked as a dry run"
for acct in acct-001 acct-002 acct-003; do
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM import_items WHERE account = '$acct' AND verdict = 'create'")" -gt 0 ] ||
		fail "$acct: no create verdicts recorded"
done
expect_exit 0 "$WARROOM" import "$P" --account acct-004 --db "$DB"
expect_out '^! integration PINTV1 "old hook [^"]*": refused: deprecated integration: Events API v1'
expect_out '^! integration PINTXF "transformer": refused: custom script'
[ "$(sqlite3 "$DB" "SELECT count(*) FROM import_items WHERE account = 'acct-004' AND verdict = 'refused'")" = 2 ] ||
	fail "acct-004: the two refusals are not recorded"
reason=$(sqlite3 "$DB" "SELECT reason FROM import_items WHERE account = 'acct-004' AND source_id = 'PINTV1'")
[ -n "$reason" ] || fail "acct-004: the refusal has no reason"
expect_exit 0 "$WARROOM" report "$P" --db "$DB" --account acct-004 --format md
grep -qF 'will not import integration `PINTV1`' "$T/out" || { cat "$T/out"; fail "md: the refused integration is not listed"; }
grep -qF -- "$reason" "$T/out" || fail "md: the refusal's reason ($reason) is missing"
! grep -q "stub-secret-value" "$T/out" || fail "md: the report leaks a secret from an item's name"
expect_exit 0 "$WARROOM" report "$P" --db "$DB" --account acct-004 --format json
jq -e --arg why "$reason" \
	'.accounts[0].import_items | .dry_run == false and .counts.refused == 2 and .counts.create == 2 and
	 ([.items[] | select(.verdict == "refused" and .id == "PINTV1" and .reason == $why)] | length) == 1' \
	"$T/out" >/dev/null || { cat "$T/out"; fail "json: the refused item and its reason are missing"; }
! grep -q "stub-secret-value" "$T/out" || fail "json: the report leaks a secret from an item's name"

note "re-run: nothing to do, everything unchanged"
expect_exit 0 "$WARROOM" import "$P" --account acct-002 --db "$DB" --json
jq -e '.applied == 0 and ([.counts[].create, .counts[].update] | add) == 0 and
	([.items[] | select(.action != "refused")] | length) == 0 and
	([.items[] | select(.action == "refused" and (.reason // "") == "")] | length) == 0' \
	"$T/out" >/dev/null || fail "the re-run was not a no-op: $(jq -c '{applied, counts}' "$T/out")"

note "a target entity changed by hand is put back, with the change shown"
svc=$(curl -sf "$SIM_URL/v1/tenants/acct-003/services?page_size=1" | jq -r '.data[0].id')
curl -sf -X PUT -H 'Content-Type: application/json' --data-binary '{"name":"renamed by hand"}' \
	"$SIM_URL/v1/tenants/acct-003/services/$svc" >/dev/null
expect_exit 0 "$WARROOM" import "$P" --account acct-003 --dry-run
expect_out "^~ service $svc .*/name: \"renamed by hand\" -> "
expect_exit 0 "$WARROOM" import "$P" --account acct-003 --db "$DB"
expect_out '^applied: 1 requests'
[ "$(curl -sf "$SIM_URL/v1/tenants/acct-003/services/$svc" | jq -r .name)" != "renamed by hand" ] ||
	fail "the service was not put back"

note "a source that cannot be read whole imports nothing"
curl -sf -X POST -H 'Content-Type: application/json' \
	--data-binary '{"faults":[{"path":"/pagerduty/incidents","kind":"malformed","times":100}]}' \
	"$SIM_URL/_sim/source_faults" >/dev/null
curl -sf -X DELETE "$SIM_URL/v1/tenants/acct-001" >/dev/null
expect_exit 1 "$WARROOM" import "$P" --account acct-001 --db "$DB"
expect_out 'nothing was imported: the source could not be read whole'
expect_out 'GET /incidents'
code=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/v1/tenants/acct-001")
[ "$code" = 404 ] || fail "a tenant was created from a broken read ($code)"
curl -sf -X DELETE "$SIM_URL/_sim/source_faults" >/dev/null

note "kill -9 in the middle of an apply, then resume: complete, no duplicates"
start_sim --seed 4 --accounts 1 --entities 1500
curl -sf -X POST -H 'Content-Type: application/json' \
	--data-binary '{"latency_ms":20,"paths":"/v1/tenants/acct-001/"}' "$SIM_URL/_sim/faults" >/dev/null
DB2=$T/crash.db
"$WARROOM" import "$P" --account acct-001 --db "$DB2" --batch 10 >"$T/crash.out" 2>&1 &
IMP=$!
PIDS+=($IMP)
posts_past() { [ "$(curl -sf "$SIM_URL/_sim/requests" | jq '[.requests[] | select(.method == "POST")] | length')" -ge "$1" ]; }
wait_until 30 posts_past 150 || fail "the import never got going"
kill -9 "$IMP"
wait "$IMP" 2>/dev/null || true
total=0
for k in "${kinds[@]}"; do total=$((total + $(reference acct-001 "$k"))); done
curl -sf -X DELETE "$SIM_URL/_sim/faults" >/dev/null
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --db "$DB2" --json
resumed=$(jq -r .resumed "$T/out") applied=$(jq -r .applied "$T/out")
[ "$resumed" -gt 0 ] || fail "the resume did not use the checkpoint"
[ $((resumed + applied)) -le "$total" ] || fail "more requests than entities: resumed $resumed + applied $applied > $total"
for k in "${kinds[@]}"; do
	want=$(reference acct-001 "$k") got=$(on_target acct-001 "$k")
	[ "$want" = "$got" ] || fail "after resume, $k: $got on the target, $want in the source"
done
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --db "$DB2" --json
[ "$(jq -r .applied "$T/out")" = 0 ] || fail "a run after the resume still had work"
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB2"
echo "ok"
