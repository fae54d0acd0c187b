#!/usr/bin/env bash
# --dry-run prints every request and command, templated, and sends nothing:
# the simulator's request log stays empty and no run state is written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)
curl -fsS -X DELETE "$SIM_URL/_sim/requests" >/dev/null

note "one account: the whole plan, templated"
expect_exit 0 "$WARROOM" run "$P" --account acct-002 --dry-run
expect_out "request POST $SIM_URL/v1/tenants\$"
expect_out '"id": "acct-002", "name": "Second"'
expect_out "check GET $SIM_URL/v1/tenants/acct-002"
expect_out "command exec sh -c 'echo provisioned acct-002"
expect_out 'step s-cutover .*\[cut-over\]'
expect_out "request POST $SIM_URL/v1/tenants/acct-002/cutover"

note "a wave, one step"
expect_exit 0 "$WARROOM" run "$P" --wave canary --dry-run
expect_out 'dry run: acct-001'
expect_out 'dry run: acct-002'
expect_exit 0 "$WARROOM" run "$P" --account acct-001 --step s-note --dry-run
grep -q 'request' "$T/out" && fail "--step s-note printed other steps"

note "nothing reached the simulator, nothing was written"
curl -fsS "$SIM_URL/_sim/requests" >"$T/requests.json"
n=$(grep -o '"method"' "$T/requests.json" | wc -l || true)
[ "$n" = 0 ] || fail "dry run sent $n requests"
[ ! -e "$P/warroom.db" ] || fail "dry run wrote a store"

note "an unknown template value is an error before anything is sent"
env -u WARROOM_SIM_URL "$WARROOM" run "$P" --account acct-001 --dry-run >"$T/out" 2>&1 && fail "rendered without WARROOM_SIM_URL"
expect_out 'env.WARROOM_SIM_URL'
note ok
