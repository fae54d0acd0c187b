#!/usr/bin/env bash
# Each request of a step carries the token of the side it goes to, in that
# side's scheme, even when the source lives under the target's address; no
# token reaches the audit log. (Token files' modes: test_run.sh.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 2
P=$(program_copy "$ROOT/tests/e2e/programs/tokens" tokens)
curl -fsS -X DELETE "$SIM_URL/_sim/requests" >/dev/null

note "the source gets the PagerDuty scheme and token, the target its own"
export TOKENS_TEST_SOURCE=tok-acct-001 TOKENS_TEST_TARGET=target-secret
expect_exit 0 "$WARROOM" run "$P" --account acct-001 --yes
curl -fsS "$SIM_URL/_sim/requests" >"$T/requests.json"
python3 - "$T/requests.json" <<'PY' || fail "requests carried the wrong scheme"
import json, sys
reqs = json.load(open(sys.argv[1]))["requests"]
def auth(prefix):
    hits = [r for r in reqs if r["path"].startswith(prefix)]
    assert hits, "no request to %s: %s" % (prefix, [r["path"] for r in reqs])
    return {r["headers"].get("Authorization", "") for r in hits}
src, tgt = auth("/pagerduty/services"), auth("/v1/health")
assert all(a.startswith("Token ") for a in src), src
assert all(a.startswith("Bearer ") for a in tgt), tgt
PY
"$WARROOM" audit export "$P" --format jsonl -o "$T/audit.jsonl" >/dev/null
grep -q "tok-acct-001\|target-secret" "$T/audit.jsonl" "$P"/warroom.db* && fail "a token reached the audit log"

note "the step's command got the account and its source token as PAGERDUTY_TOKEN"
[ -z "${PAGERDUTY_TOKEN:-}" ] || fail "PAGERDUTY_TOKEN is set in the test's own environment"
[ "$(cat "$P/exec-env")" = "acct-001 tok-acct-001" ] || fail "the step saw '$(cat "$P/exec-env")'"

note "a source with the target's token would have been refused by the source"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Token token=target-secret" \
	"$SIM_URL/pagerduty/services?limit=1" >"$T/code"
[ "$(cat "$T/code")" = 401 ] || fail "the simulator took a wrong source token ($(cat "$T/code"))"

note "parity and drift read the target with the account's target token"
curl -fsS -X DELETE "$SIM_URL/_sim/requests" >/dev/null
"$WARROOM" drift "$P" --snapshot --account acct-001 >"$T/out" 2>&1 || true
"$WARROOM" parity "$P" --account acct-001 >"$T/out" 2>&1 || true
curl -fsS "$SIM_URL/_sim/requests" >"$T/requests.json"
python3 - "$T/requests.json" <<'PY' || fail "a target read went without the target token"
import json, sys
reqs = [r for r in json.load(open(sys.argv[1]))["requests"]
        if r["path"].startswith("/v1/tenants/acct-001/")]
assert reqs, "no target read"
bad = [r["path"] for r in reqs if r["headers"].get("Authorization") != "Bearer [redacted]"]
assert not bad, bad
PY

note "a target token named but not set is an error naming the variable"
unset TOKENS_TEST_TARGET
expect_exit 1 "$WARROOM" drift "$P" --snapshot --account acct-001
expect_out 'target token: environment variable TOKENS_TEST_TARGET is not set'

note "a source token file others can read is refused before any request"
echo tok-acct-001 >"$T/loose-token"
chmod 0644 "$T/loose-token"
curl -fsS -X DELETE "$SIM_URL/_sim/requests" >/dev/null
expect_exit 2 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --token-file "$T/loose-token"
expect_out 'has mode 0644: it must be readable by its owner only \(chmod 600'
[ "$(curl -fsS "$SIM_URL/_sim/requests" | jq '.requests | length')" = 0 ] || fail "a request went out with a loose token"
chmod 0600 "$T/loose-token"
expect_exit 0 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --token-file "$T/loose-token"
