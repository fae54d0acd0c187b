#!/usr/bin/env bash
# Ignore rules before bucket checksums, against the simulator: the target
# keeps every user's e-mail in capitals (a benign difference a rule covers,
# on every user) and every escalation delay as the source's rounded to 5
# minutes. The bucketed comparison hashes both sides after the
# rules, so it names exactly the two real differences (an e-mail that is
# another address, a delay 25 -> 26 that no rounding gives) and reads far
# less than a full download; the full mode names the same two with the same
# pass rate, and the A/A run stays quiet under the same rules.
source "$(dirname "$0")/lib.sh"
PROG=$T/rules
DB=$T/rules.db
cp -r "$ROOT/tests/e2e/programs/parity" "$PROG"
cat >>"$PROG/plan.yaml" <<'YAML'
    - entity: "*"
      field: origin
      rule: ignore
      reason: bookkeeping of the target (an edit through the API sets it), not customer data
    - entity: user
      field: email
      rule: case_insensitive
      reason: the target keeps e-mail addresses in capitals
    - entity: escalation_policy
      field: /rules/*/delay_minutes
      rule: round_minutes:5
      reason: the target rounds escalation delays to 5 minutes
YAML
sed -i 's/^parity:$/parity:\n  threshold: "100%"/' "$PROG/plan.yaml"
"$WARROOM" validate "$PROG" >"$T/out" 2>&1 || { cat "$T/out"; fail "the rules program does not validate"; }

start_sim --accounts 1 --entities 3000
curl -sf -XPOST "$SIM_URL/v1/tenants" -d '{"id":"acct-001","name":"acct-001"}' >/dev/null
for k in services teams users schedules escalation_policies integrations incidents; do
	curl -sf -XPOST "$SIM_URL/v1/tenants/acct-001/import/$k" >/dev/null
done

note "the target shouts every e-mail; one user is another address, one delay is off"
python3 - "$SIM_URL/v1/tenants/acct-001" >"$T/planted" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def get(path):
    return json.load(urllib.request.urlopen(base + path))
def put(path, doc):
    rq = urllib.request.Request(base + path, data=json.dumps(doc).encode(), method="PUT")
    urllib.request.urlopen(rq).read()
users, page = [], 1
while page:
    p = get("/users?page=%d&page_size=500" % page)
    users += p["data"]
    page = p.get("next_page")
for i, u in enumerate(users):
    u["email"] = u["email"].upper()
    if i == 3:
        u["email"] = "SOMEONE.ELSE@EXAMPLE.COM"
        print("user", u["id"])
    put("/users/" + u["id"], u)
ep = get("/escalation_policies?page_size=1")["data"][0]
ep["rules"][0]["delay_minutes"] += 1
put("/escalation_policies/" + ep["id"], ep)
print("escalation_policy", ep["id"])
print("users_total", len(users))
PY
USER_ID=$(awk '$1 == "user" {print $2}' "$T/planted")
EP_ID=$(awk '$1 == "escalation_policy" {print $2}' "$T/planted")
NUSERS=$(awk '$1 == "users_total" {print $2}' "$T/planted")
[ "$NUSERS" -gt 300 ] || fail "expected hundreds of users, got $NUSERS"

named() { grep -E "^  (changed|missing|extra) " "$T/out" | sort; }
want=$(printf '  changed escalation_policy %s\n  changed user %s\n' "$EP_ID" "$USER_ID" | sort)

note "bucketed: checksums after the rules name exactly the two"
expect_exit 1 "$WARROOM" parity "$PROG" --db "$DB" --account acct-001 --source reference --buckets --bucket-count 16
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the bucketed run should name exactly $USER_ID and $EP_ID"; }
expect_out "~ /rules/0/delay_minutes: [0-9]+ -> [0-9]+"
grep -q "read whole" "$T/out" && { cat "$T/out"; fail "no type should fall back to a whole read"; }
read -r breq bbytes < <(sed -nE 's/.*read: ([0-9]+) requests, ([0-9]+) bytes \(bucketed\).*/\1 \2/p' "$T/out")

note "full download: the same two, the same pass rate"
expect_exit 1 "$WARROOM" parity "$PROG" --db "$DB" --account acct-001 --source reference
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the full run should name exactly $USER_ID and $EP_ID"; }
read -r freq fbytes < <(sed -nE 's/.*read: ([0-9]+) requests, ([0-9]+) bytes \(full download\).*/\1 \2/p' "$T/out")
rate=$(grep -oE "^acct-001 +[0-9.]+%" "$T/out" | awk '{print $2}')
[ $((bbytes * 10)) -lt "$fbytes" ] || fail "bucketed read $bbytes bytes, the full download $fbytes"
echo "   a rule on all $NUSERS users: bucketed $breq requests, $bbytes bytes; full $freq requests, $fbytes bytes"

expect_exit 1 "$WARROOM" parity "$PROG" --db "$DB" --account acct-001 --source reference --buckets --bucket-count 16 --json
cp "$T/out" "$T/bucketed.json"
expect_exit 1 "$WARROOM" parity "$PROG" --db "$DB" --account acct-001 --source reference --json
python3 - "$T/bucketed.json" "$T/out" <<'PY'
import json, sys
b, f = (json.load(open(p))[0] for p in sys.argv[1:3])
for k in ("passed", "evaluated", "pass_rate", "error_rate"):
    assert b[k] == f[k], (k, b[k], f[k])
for t in f["types"]:
    for k in ("source_count", "target_count", "matched", "changed", "missing", "extra", "sampled", "sampled_ok"):
        assert b["types"][t][k] == f["types"][t][k], (t, k, b["types"][t][k], f["types"][t][k])
assert f["types"]["user"]["changed"] == 1 and f["types"]["escalation_policy"]["changed"] == 1, f["types"]
PY

note "the A/A run under the same rules is quiet"
expect_exit 0 "$WARROOM" parity "$PROG" --db "$DB" --account acct-001 --source reference --aa
expect_out "acct-001 .*quiet"

note "rules too long for a bucket request: that type is read whole, the verdict the same"
LONG=$T/long
cp -r "$PROG" "$LONG"
field=$(printf 'x%.0s' $(seq 2100))
printf '    - entity: user\n      field: %s\n      rule: ignore\n      reason: a field no one has\n' "$field" >>"$LONG/plan.yaml"
expect_exit 1 "$WARROOM" parity "$LONG" --db "$DB" --account acct-001 --source reference --buckets --bucket-count 16
expect_out "read whole: user \(ignore rules too long for a bucket request\)"
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the fallback should name exactly $USER_ID and $EP_ID"; }
[ "$(grep -oE "^acct-001 +[0-9.]+%" "$T/out" | awk '{print $2}')" = "$rate" ] || { cat "$T/out"; fail "the fallback should give the full mode's $rate"; }

note "the bucket routes take the rules and say which they applied"
B="$SIM_URL/v1/tenants/acct-001/parity/buckets?entity=users&n=8"
R="ignore~origin,case_insensitive~email"
curl -sf "$B&side=source&rules=$R" >"$T/src.json"
curl -sf "$B&side=target&rules=$R" >"$T/tgt.json"
curl -sf "$B&side=target" >"$T/raw.json"
python3 - "$T/src.json" "$T/tgt.json" "$T/raw.json" <<'PY'
import json, sys
s, t, raw = (json.load(open(p)) for p in sys.argv[1:4])
assert s["rules"] == t["rules"] == "ignore~origin,case_insensitive~email", (s["rules"], t["rules"])
assert raw["rules"] == ""
differ = [a["bucket"] for a, b in zip(s["buckets"], t["buckets"]) if a != b]
assert len(differ) == 1, differ  # only the bucket of the other address
before = [a["bucket"] for a, b in zip(s["buckets"], raw["buckets"]) if a != b]
assert len(before) == 8, before  # without the rules every bucket differs
PY
code=$(curl -s -o "$T/err.json" -w '%{http_code}' "$B&rules=round_minutes:0~x")
[ "$code" = 400 ] || fail "a bad rule should be 400, got $code"
grep -q "minutes must be 1..1440" "$T/err.json" || { cat "$T/err.json"; fail "the 400 should say why"; }

echo "parity rules e2e ok"
