#!/usr/bin/env bash
# Bucketed parity against each account's own legacy system (PagerDuty,
# Rootly, incident.io served by the simulator): the source is read whole
# through its importer and summarised locally, only the target is asked
# for bucket checksums (in the canonical form, canonical=1). After
# `warroom import`, and again with the target corrupted behind it (a
# changed user, a team gone, an extra integration) and a benign difference
# on every service that the plan's ignore rule covers, the bucketed run
# gives the full comparison's pass rate, counts and findings, and reads
# from the target only the differing entities' buckets and records.
source "$(dirname "$0")/lib.sh"
P=$T/prog
DB=$T/parity.db
mkdir -p "$P"
cp "$ROOT/tests/e2e/programs/parity/plan.yaml" "$ROOT/tests/e2e/programs/parity/roster.yaml" "$P/"
sed -i 's/^parity:$/parity:\n  threshold: "100%"/' "$P/plan.yaml"
{
	echo "accounts:"
	for pair in acct-001:pagerduty acct-002:rootly acct-003:incidentio; do
		id=${pair%%:*} sys=${pair#*:}
		cat <<EOF
  - id: $id
    name: Account $id
    wave: canary
    migration_mode: full_cutover
    source: {system: $sys, base_url: "{{env.WARROOM_SIM_URL}}/$sys"}
    target: {base_url: "{{env.WARROOM_SIM_URL}}"}
    runbook_owner: alice
EOF
	done
} >"$P/accounts.yaml"
"$WARROOM" validate "$P" >"$T/out" 2>&1 || { cat "$T/out"; fail "the program does not validate"; }
export PAGERDUTY_TOKEN=acct-001 ROOTLY_TOKEN=acct-002 INCIDENTIO_TOKEN=acct-003
start_sim --seed 9 --accounts 3 --entities 2500
for a in acct-001 acct-002 acct-003; do
	"$WARROOM" import "$P" --account "$a" --db "$DB" >"$T/import.out" 2>&1 ||
		{ cat "$T/import.out"; fail "warroom import $a failed"; }
done

named() { grep -E "^  (changed|missing|extra) " "$T/out" | sort; }
cost() { sed -nE 's/.*read: ([0-9]+) requests, ([0-9]+) bytes \((bucketed|full download)\).*/\1 \2/p' "$T/out"; }
# The two runs' JSON must agree on everything but when they ran and the
# digests (each mode's own kind of whole-set checksum) and the rules' hit
# counts (the bucketed run rewrites only the entities it compares whole).
same_json() { # BUCKETED FULL
	python3 - "$1" "$2" <<'PY'
import json, sys
b, f = (json.load(open(p)) for p in sys.argv[1:3])
assert len(b) == len(f), (len(b), len(f))
for x, y in zip(b, f):
    for r in (x, y):
        r.pop("at")
        for t in r["types"].values():
            t.pop("source_digest"), t.pop("target_digest")
        for rule in r["rules"]:
            rule.pop("hits")
    assert x == y, json.dumps({"bucketed": x, "full": y}, indent=1)
PY
}

note "a clean import: 100 % both ways, for each legacy system"
expect_exit 0 "$WARROOM" parity "$P" --db "$DB" --buckets
for a in acct-001 acct-002 acct-003; do expect_out "$a +100.000%"; done
expect_out "source: [0-9]+ entities read whole through the importer, [0-9]+ requests"
[ -z "$(named)" ] || { cat "$T/out"; fail "a clean import should name nothing"; }
grep -q "^  read whole:" "$T/out" && { cat "$T/out"; fail "no type should fall back to a whole read"; }
expect_exit 0 "$WARROOM" parity "$P" --db "$DB" --buckets --json
cp "$T/out" "$T/bucketed.json"
expect_exit 0 "$WARROOM" parity "$P" --db "$DB" --json
same_json "$T/bucketed.json" "$T/out"

note "one account: only the target's seven level-0 bucket lists, and a page to estimate the full read"
expect_exit 0 "$WARROOM" parity "$P" --db "$DB" --account acct-002 --buckets
read -r breq bbytes < <(cost)
[ "$breq" = 8 ] || { cat "$T/out"; fail "a clean bucketed run should make 8 requests to the target, made $breq"; }

note "the target corrupted behind the import, and a benign difference on every service"
T1=$SIM_URL/v1/tenants/acct-001
python3 - "$T1" >"$T/planted" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, doc=None):
    rq = urllib.request.Request(base + path, method=method,
                                data=json.dumps(doc).encode() if doc is not None else None)
    body = urllib.request.urlopen(rq).read()
    return json.loads(body) if body else None
def every(kind):
    out, page = [], 1
    while page:
        p = call("GET", "/%s?page=%d&page_size=500" % (kind, page))
        out += p["data"]
        page = p.get("next_page")
    return out
services = every("services")
for s in services:  # the plan's rule: a description's case carries no meaning
    s["description"] = (s.get("description") or "").upper() or None
    call("PUT", "/services/" + s["id"], s)
print("services", len(services))
u = every("users")[5]
u["time_zone"] = "Mars/Olympus_Mons"
call("PUT", "/users/" + u["id"], u)
print("user", u["id"])
t = every("teams")[3]
call("DELETE", "/teams/" + t["id"])
print("team", t["id"])
call("POST", "/integrations", {"id": "PEXTRA01", "name": "added on the target", "service_id": services[0]["id"],
                               "integration_type": "generic_webhook"})
print("integration PEXTRA01")
PY
USER_ID=$(awk '$1 == "user" {print $2}' "$T/planted")
TEAM_ID=$(awk '$1 == "team" {print $2}' "$T/planted")
NSERV=$(awk '$1 == "services" {print $2}' "$T/planted")
[ "$NSERV" -gt 200 ] || fail "expected hundreds of services, got $NSERV"
want=$(printf '  changed user %s\n  extra integration PEXTRA01\n  missing team %s\n' "$USER_ID" "$TEAM_ID" | sort)

expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account acct-001 --buckets
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the bucketed run should name exactly the three planted"; }
expect_out "acct-001 .*BELOW THRESHOLD"
expect_out "~ /time_zone: .* -> \"Mars/Olympus_Mons\""
grep -q "changed service" "$T/out" && { cat "$T/out"; fail "the ignore rule should cover every service's description"; }
read -r breq bbytes < <(cost)
expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account acct-001
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the full run should name exactly the three planted"; }
read -r freq fbytes < <(cost)
# seven level-0 lists, then for each of the three differing buckets one
# (id, hash) list, and one GET for each of the two target records read
[ "$breq" -le $((7 + 3 + 2)) ] || { cat "$T/out"; fail "bucketed made $breq requests to the target"; }
[ $((bbytes * 10)) -lt "$fbytes" ] || fail "bucketed read $bbytes bytes of the target, the full download $fbytes"
echo "   bucketed: $breq requests, $bbytes bytes; full download: $freq requests, $fbytes bytes"

expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account acct-001 --buckets --bucket-count 16 --json
cp "$T/out" "$T/bucketed.json"
expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account acct-001 --json
same_json "$T/bucketed.json" "$T/out"
python3 - "$T/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
t = r["types"]
assert t["user"]["changed"] == 1 and t["team"]["missing"] == 1 and t["integration"]["extra"] == 1, t
assert t["service"]["changed"] == 0, t["service"]
PY

note "the other systems, one entity each corrupted on the target"
for a in acct-002 acct-003; do
	sid=$(curl -sf "$SIM_URL/v1/tenants/$a/services?page_size=1" | jq -r '.data[0].id')
	curl -sf "$SIM_URL/v1/tenants/$a/services/$sid" | jq -c '.name = "renamed on the target"' >"$T/edit.json"
	curl -sf -XPUT "$SIM_URL/v1/tenants/$a/services/$sid" -d @"$T/edit.json" >/dev/null
	expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account "$a" --buckets
	[ "$(named)" = "  changed service $sid" ] || { cat "$T/out"; fail "$a: exactly $sid should be named"; }
	expect_out "~ /name: .* -> \"renamed on the target\""
	expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account "$a" --buckets --json
	cp "$T/out" "$T/bucketed.json"
	expect_exit 1 "$WARROOM" parity "$P" --db "$DB" --account "$a" --json
	same_json "$T/bucketed.json" "$T/out"
done

note "target rules too long for a bucket request: that type read whole, the findings the same"
LONG=$T/long
cp -r "$P" "$LONG"
field=$(printf 'x%.0s' $(seq 2100))
printf '    - entity: user\n      field: %s\n      rule: ignore\n      reason: a field no one has\n' "$field" >>"$LONG/plan.yaml"
expect_exit 1 "$WARROOM" parity "$LONG" --db "$DB" --account acct-001 --buckets
expect_out "read whole: user \(ignore rules too long for a bucket request\)"
[ "$(named)" = "$want" ] || { cat "$T/out"; fail "the fallback should name exactly the three planted"; }

note "the target's bucket route: canonical=1 is echoed, anything but 1 or 0 refused"
curl -sf "$T1/parity/buckets?entity=users&n=8&canonical=1" | jq -e '.canonical == true' >/dev/null ||
	fail "the route should echo canonical: true"
curl -sf "$T1/parity/items?entity=users&n=8&prefix=0" | jq -e '.canonical == false' >/dev/null ||
	fail "the items route should echo canonical: false"
code=$(curl -s -o "$T/err.json" -w '%{http_code}' "$T1/parity/buckets?entity=users&canonical=yes")
[ "$code" = 400 ] || fail "canonical=yes should be 400, got $code"
grep -q "canonical must be 1 or 0" "$T/err.json" || { cat "$T/err.json"; fail "the 400 should say why"; }

note "every run audited, the chain intact"
n=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action='parity.run'")
[ "$n" -ge 20 ] || fail "expected every parity run audited, found $n"
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB"
echo "parity buckets against the sources e2e ok"
