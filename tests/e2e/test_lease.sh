#!/usr/bin/env bash
# Two runs race for one step: exactly one runs it, the other is told who
# holds it ("running by LOGIN@HOST since TIME"). A lease is broken only by
# its id, only when its holder is gone, and that is audited.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)
expect_exit 0 "$WARROOM" run "$P" --account acct-001 --step s-create

note "two runs of s-note at once"
# The second starts once the first has opened the store (two processes
# opening one database in the same instant is the store's own test).
STEP_SLEEP=2 "$WARROOM" run "$P" --account acct-001 --step s-note >"$T/a.out" 2>&1 &
A=$!
PIDS+=($A)
wait_until 20 grep -q 's-note' "$T/a.out" || { cat "$T/a.out" >&2; fail "the first run never started s-note"; }
STEP_SLEEP=2 "$WARROOM" run "$P" --account acct-001 --step s-note >"$T/b.out" 2>&1 &
B=$!
PIDS+=($B)
set +e; wait $A; ra=$?; wait $B; rb=$?; set -e
cat "$T/a.out" "$T/b.out" >"$T/both.out"
[ $((ra + rb)) = 1 ] || { cat "$T/both.out" >&2; fail "exit codes $ra and $rb: want one 0 and one 1"; }
grep -qE "running by $(id -un)@[^ ]+ since [0-9]{4}-" "$T/both.out" || { cat "$T/both.out" >&2; fail "the loser did not say who runs it"; }
n=$(grep -c 's-note: running (attempt' "$T/both.out")
[ "$n" = 1 ] || { cat "$T/both.out" >&2; fail "s-note started $n times"; }
"$WARROOM" audit tail "$P" -n 1000 >"$T/audit.txt"
[ "$(grep -c 'exec acct-001/s-note' "$T/audit.txt")" = 1 ] || fail "s-note ran more than once"

note "a live lease cannot be broken; a dead one can, by id"
STEP_SLEEP=10 "$WARROOM" run "$P" --account acct-002 --step s-create >/dev/null 2>&1 || true
STEP_SLEEP=10 "$WARROOM" run "$P" --account acct-002 --step s-note >"$T/c.out" 2>&1 &
C=$!
PIDS+=($C)
wait_until 20 grep -q 's-note: running' "$T/c.out" || fail "s-note never started"
expect_exit 1 "$WARROOM" run "$P" --account acct-002
expect_out 'running by .*lease ([0-9]+)'
ID=$(grep -oE 'lease [0-9]+' "$T/out" | head -1 | grep -oE '[0-9]+')
expect_exit 1 "$WARROOM" lease break "$P" --id "$ID"
expect_out 'is alive'
expect_exit 2 "$WARROOM" lease break "$P"
kill -9 $C
wait $C 2>/dev/null || true
expect_exit 0 "$WARROOM" lease break "$P" --id "$ID"
audit_has "$P" "lease.break .*\"lease\":$ID"
expect_exit 1 "$WARROOM" lease break "$P" --id "$ID"
expect_out "no lease $ID"
note ok
