#!/usr/bin/env bash
# The runner checks drift itself: while a cut-over account soaks, a change
# made on the target behind the migration's back is found by the runner's
# own drift checks (samples and drift.check records, as `warroom drift`
# keeps them), and once it has gone unexplained past
# stop_the_line.drift_unexplained the line stops in the same run and the
# account is rolled back as the plan says. An open exception covering the
# change keeps the line running.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/drift" drift)

# start_run ACCOUNT: `warroom run` in the background, checking drift every
# 200 ms; sets RUN_PID, output in $T/run.ACCOUNT.
start_run() {
	"$WARROOM" run "$P" --account "$1" --yes --drift-interval 200ms >"$T/run.$1" 2>&1 &
	RUN_PID=$!
	PIDS+=("$RUN_PID")
}
audit_count() { # PATTERN: records matching it
	"$WARROOM" audit tail "$P" -n 100000 | grep -cE -- "$1" || true
}
at_least() { [ "$(audit_count "$2")" -ge "$1" ]; }
first_service() { # ACCOUNT: the id of the tenant's first service on the target
	curl -fsS "$SIM_URL/v1/tenants/$1/services" |
		python3 -c 'import json,sys; p=json.load(sys.stdin); print((p if isinstance(p, list) else next(v for v in p.values() if isinstance(v, list)))[0]["id"])'
}
# edit_service ACCOUNT ID: renames a service on the target, the way a hand
# edit on the new platform would.
edit_service() {
	curl -fsS "$SIM_URL/v1/tenants/$1/services/$2" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); d["name"]+=" (edited on the target)"; print(json.dumps(d))' |
		curl -fsS -X PUT -H 'Content-Type: application/json' --data-binary @- \
			"$SIM_URL/v1/tenants/$1/services/$2" >/dev/null
}
finish_soak() { touch "$P/soak-done.$1"; }
run_exit() { # waits for the background run; its exit code in RC
	RC=0
	wait "$RUN_PID" || RC=$?
}

note "no drift: the runner's checks find none, and the soak ends normally"
start_run acct-003
wait_until 60 at_least 1 'drift.snapshot acct-003 ' || fail "no cut-over snapshot for acct-003"
wait_until 30 at_least 3 'drift.check acct-003 .*"differing":0' || fail "the runner did not check drift"
finish_soak acct-003
run_exit; [ "$RC" = 0 ] || { cat "$T/run.acct-003" >&2; fail "a clean soak did not finish"; }
grep -q 'acct-003: done' "$T/run.acct-003" || { cat "$T/run.acct-003" >&2; fail "acct-003 not done"; }

note "a change on the target after cut-over, unexplained past 1s, stops the line and rolls back"
start_run acct-001
wait_until 60 at_least 1 'drift.snapshot acct-001 ' || fail "no cut-over snapshot for acct-001"
SVC=$(first_service acct-001)
edit_service acct-001 "$SVC"
wait_until 30 at_least 1 'run.halt acct-001 .*drift unexplained' ||
	{ cat "$T/run.acct-001" >&2; fail "the runner never stopped the line on drift"; }
# the soak in flight ends, then the rollback runs (stop_the_line.action: rollback)
finish_soak acct-001
run_exit; [ "$RC" = 1 ] || { cat "$T/run.acct-001" >&2; fail "a stopped line did not exit 1"; }
grep -qE 'acct-001: halted: halted: drift unexplained for [0-9]+s, over the 1s limit' "$T/run.acct-001" ||
	{ cat "$T/run.acct-001" >&2; fail "the run's line does not say why it halted"; }
audit_has "$P" "drift.check acct-001 .*\"unexplained\":1"
audit_has "$P" "drift.check acct-001 .*$SVC"
audit_has "$P" 'rollback.done acct-001 .*"level":"full"'
audit_has "$P" 'http.request acct-001/s-cutover .*/rollback.*"rollback":true'
# the records are in order: the check that saw it, the halt, the rollback
grep -nE "drift.check acct-001 .*\"unexplained\":1|run.halt acct-001|rollback.done acct-001" "$T/audit.txt" |
	sed -E 's/.*(drift.check|run.halt|rollback.done).*/\1/' | uniq | tr '\n' ' ' |
	grep -qx 'drift.check run.halt rollback.done ' || fail "audit order: $(grep -E 'run.halt|rollback.done' "$T/audit.txt")"
# what `warroom drift` reads agrees: the runner's samples are its samples
sqlite3 "$P/warroom.db" "SELECT count(*) FROM samples WHERE account='acct-001' AND kind='drift' AND value > 0" |
	grep -qvx 0 || fail "no drift sample with unexplained differences"

note "an open exception covering the change keeps the line running"
start_run acct-002
wait_until 60 at_least 1 'drift.snapshot acct-002 ' || fail "no cut-over snapshot for acct-002"
SVC2=$(first_service acct-002)
expect_exit 0 "$WARROOM" exception add "$P" --scope "acct-002/service/$SVC2" --owner "$(id -un)" \
	--reason "renamed on the platform by the customer, agreed" --expires 7d
edit_service acct-002 "$SVC2"
# checks spanning well over the 1s limit, each seeing the change explained
wait_until 30 at_least 8 'drift.check acct-002 .*"differing":1,"unexplained":0' ||
	{ cat "$T/run.acct-002" >&2; fail "the runner did not keep checking acct-002"; }
finish_soak acct-002
run_exit; [ "$RC" = 0 ] || { cat "$T/run.acct-002" >&2; fail "an explained change stopped the line"; }
grep -q 'acct-002: done' "$T/run.acct-002" || { cat "$T/run.acct-002" >&2; fail "acct-002 not done"; }
"$WARROOM" audit tail "$P" -n 100000 >"$T/audit.txt"
grep -q 'run.halt acct-002' "$T/audit.txt" && fail "an explained change stopped the line"

note "with stop_the_line.action: halt the account halts and nothing is undone"
H=$(program_copy "$ROOT/tests/e2e/programs/drift" drift-halt)
sed -i 's/^  action: rollback/  action: halt/' "$H/plan.yaml"
grep -q '^  action: halt' "$H/plan.yaml" || fail "the halt variant was not written"
"$WARROOM" run "$H" --account acct-001 --yes --drift-interval 200ms >"$T/run.halt" 2>&1 &
RUN_PID=$!
PIDS+=("$RUN_PID")
wait_until 60 grep -q 'acct-001: drift snapshot' "$T/run.halt" || fail "no cut-over snapshot in the halt variant"
edit_service acct-001 "$(first_service acct-001)"
wait_until 30 grep -q 'acct-001: halted: drift unexplained' "$T/run.halt" ||
	{ cat "$T/run.halt" >&2; fail "the halt variant never stopped the line"; }
touch "$H/soak-done.acct-001"
run_exit; [ "$RC" = 1 ] || { cat "$T/run.halt" >&2; fail "a halted account did not exit 1"; }
audit_has "$H" 'run.halt acct-001 .*drift unexplained'
grep -q 'rollback.start acct-001' "$T/audit.txt" && fail "action halt rolled back"
curl -fsS "$SIM_URL/v1/tenants/acct-001" | grep -q '"cut_over"' || fail "the halted tenant is no longer cut over"

note "--drift-interval is checked"
expect_exit 2 "$WARROOM" run "$P" --account acct-002 --drift-interval soon
expect_out "--drift-interval 'soon' is not a duration"
expect_exit 0 "$WARROOM" audit verify "$P"
note ok
