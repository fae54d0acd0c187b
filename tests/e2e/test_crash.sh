#!/usr/bin/env bash
# kill -9 in the middle of a step: the next start finds it `unknown`, shows
# what the audit log knows, and the operator reconciles it (done, rerun or
# rollback). Nothing recorded is lost.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)

note "a run killed while s-note sleeps"
STEP_SLEEP=10 "$WARROOM" run "$P" --account acct-001 >"$T/run1.out" 2>&1 &
RUN=$!
PIDS+=($RUN)
wait_until 20 grep -q 's-note: running' "$T/run1.out" || { cat "$T/run1.out" >&2; fail "s-note never started"; }
progress() { sqlite3 "$P/warroom.db" "SELECT count(*) FROM step_output WHERE step_id = 's-note' AND stream = 'info' AND chunk LIKE 'progress %'" | grep -qv '^0$'; }
wait_until 10 progress || fail "the step's progress was never polled"
kill -9 "$RUN"
wait "$RUN" 2>/dev/null || true

note "the next start marks it unknown and waits for a person"
expect_exit 3 "$WARROOM" run "$P" --account acct-001
expect_out 'acct-001: waiting: step s-note: interrupted'
audit_has "$P" 'step.unknown acct-001/s-note'
audit_has "$P" 'step.succeeded acct-001/s-create'

note "reconcile shows the log, then re-runs"
expect_exit 2 "$WARROOM" reconcile "$P" --account acct-001 --step s-note
expect_exit 1 "$WARROOM" reconcile "$P" --account acct-001 --step s-note --as maybe
expect_exit 0 "$WARROOM" reconcile "$P" --account acct-001 --step s-note --as rerun
expect_out 'step.start .*"attempt":1'
expect_out 'reconciled as rerun'
audit_has "$P" 'step.reconcile acct-001/s-note .*"as":"rerun".*"was":"unknown"'
expect_exit 3 "$WARROOM" run "$P" --account acct-001
expect_out 'sign-off needed'
audit_has "$P" 'step.start acct-001/s-note .*"attempt":2'

note "done and rollback are the other answers"
STEP_SLEEP=10 "$WARROOM" run "$P" --account acct-002 >"$T/run2.out" 2>&1 &
RUN=$!
PIDS+=($RUN)
wait_until 20 grep -q 's-note: running' "$T/run2.out" || fail "s-note never started for acct-002"
kill -9 "$RUN"
wait "$RUN" 2>/dev/null || true
expect_exit 3 "$WARROOM" run "$P" --account acct-002
expect_exit 0 "$WARROOM" reconcile "$P" --account acct-002 --step s-note --as rollback
audit_has "$P" 'exec acct-002/s-note .*undo note acct-002.*"rollback":true'
expect_exit 1 "$WARROOM" reconcile "$P" --account acct-002 --step s-create --as done
expect_out 'only an unknown, waiting, failed or rolled back step'
expect_exit 0 "$WARROOM" audit verify "$P"
note ok
