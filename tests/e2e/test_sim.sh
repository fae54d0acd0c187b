#!/usr/bin/env bash
# warroom sim end to end: every target-API route, the metrics and Prometheus
# endpoints, each fault (by flag and live through /_sim/faults), the request
# log with Authorization redacted, and a clean exit on SIGTERM.
source "$(dirname "$0")/lib.sh"

# req METHOD PATH [BODY] [CURL ARGS...]: sets CODE; the body lands in $T/body,
# the headers in $T/headers.
req() {
	local method=$1 path=$2 body=${3:-}; shift $(($# < 3 ? $# : 3))
	local args=(-s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" "$@")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	CODE=$(curl "${args[@]}" "$SIM_URL$path") || CODE=curl-failed
}
# expect CODE METHOD PATH [BODY] [CURL ARGS...]
expect() {
	local want=$1; shift
	req "$@"
	[ "$CODE" = "$want" ] || { cat "$T/body" >&2; echo >&2; fail "$1 $2 answered $CODE, expected $want"; }
}
# One python3 answers every JSON question (a process per check is slow on a
# busy machine): a line "MODE<TAB>EXPR" in, one line out. MODE is "test"
# (prints 1 or 0), "value" (prints EXPR) or "valid" (1 when the body parses).
coproc PYJ { python3 -u -c '
import json, sys
for line in sys.stdin:
    mode, path, expr = line.rstrip("\n").split("\t", 2)
    try:
        d = json.load(open(path))
        out = "1" if mode == "valid" else str(eval(expr)) if mode == "value" else str(int(bool(eval(expr))))
    except Exception as e:
        out = "0" if mode != "value" else "error: %s" % e
    print(out.replace("\n", " "))
'; }
ask() { printf '%s\t%s\t%s\n' "$1" "$T/body" "$2" >&"${PYJ[1]}"; local a; read -r a <&"${PYJ[0]}"; echo "$a"; }
# json PYTHON-EXPR: evaluates EXPR with `d` bound to the last body; fails when falsy.
json() { [ "$(ask test "$1")" = 1 ] || { cat "$T/body" >&2; echo >&2; fail "body fails: $1"; }; }
# value PYTHON-EXPR: prints EXPR over the last body.
value() { ask value "$1"; }
body_is_json() { [ "$(ask valid -)" = 1 ]; }
header_has() { grep -qi "^$1:" "$T/headers"; }
stop_sim() { # checks that SIGTERM ends the simulator with status 0
	kill -TERM "$SIM_PID"
	set +e; wait "$SIM_PID"; local rc=$?; set -e
	[ "$rc" = 0 ] || fail "simulator exited $rc after SIGTERM, expected 0"
}

note "options are checked"
expect_exit 2 "$WARROOM" sim --accounts nope
expect_out "--accounts"
expect_exit 2 "$WARROOM" sim --bogus
expect_out "unknown option"
expect_exit 1 "$WARROOM" sim --listen 127.0.0.1:0 --accounts 0
expect_out "accounts"

start_sim --seed 7 --accounts 12 --backfill-ms 600
note "health, tenants"
expect 200 GET /v1/health
json 'd == {"status": "ok"}'
expect 201 POST /v1/tenants '{"id":"acct-001","name":"Acme","source_system":"pagerduty"}'
json 'd["state"] == "provisioned" and d["counts"]["services"] == 0 and d["backfill"] is None'
expect 409 POST /v1/tenants '{"id":"acct-001","name":"Acme","source_system":"pagerduty"}'
json 'd["error"]["code"] == "conflict" and "acct-001" in d["error"]["message"]'
expect 400 POST /v1/tenants '{"id":"acct-002","name":'
json 'd["error"]["code"] == "malformed_json" and "column" in d["error"]["message"]'
expect 400 POST /v1/tenants '["not","an","object"]'
json '"object" in d["error"]["message"]'
expect 400 POST /v1/tenants '{"id":"acct-002"}'
json '"name" in d["error"]["message"]'
expect 400 POST /v1/tenants '{"id":"acct-002","name":"B","source_system":"opsgenie"}'
expect 201 POST /v1/tenants '{"id":"acct-002","name":"Bluefin"}'
expect 201 POST /v1/tenants '{"id":"scratch","name":"No data"}'
expect 200 GET /v1/tenants
json 'd["total"] == 3 and [t["id"] for t in d["data"]] == ["acct-001","acct-002","scratch"]'
expect 200 GET /v1/tenants/acct-002
json 'd["id"] == "acct-002" and d["source_system"] in ("pagerduty","rootly","incident_io")'
expect 404 GET /v1/tenants/nobody
json 'd["error"]["code"] == "not_found"'
expect 204 DELETE /v1/tenants/scratch
expect 404 GET /v1/tenants/scratch
expect 404 GET /v1/nothing/here
expect 405 DELETE /v1/health
[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$SIM_URL/v1/health")" = 200 ] || fail "HEAD /v1/health"

note "hostile requests get clear answers"
head -c $((5 << 20)) /dev/zero | tr '\0' 'x' >"$T/big"
expect 413 POST /v1/tenants '' --data-binary @"$T/big" -H 'Content-Type: application/json'
json 'd["error"]["code"] == "too_large"'
printf '{"id":"a\0b","name":"x"}' >"$T/nul"
expect 400 POST /v1/tenants '' --data-binary @"$T/nul" -H 'Content-Type: application/json'
long=$(printf '/seg%.0s' $(seq 2000))
expect 404 GET "/v1/tenants$long"
expect 405 BREW /v1/health
expect 404 GET /v1/tenants/acct-001/services/x/y/z
expect 400 GET '/api/v1/query' '' -G --data-urlencode "query=error_rate{tenant=\"$(printf 'x%.0s' $(seq 500))\"}"
expect 200 GET /v1/health

note "import and pagination"
expect 200 POST /v1/tenants/acct-001/import/services
n=$(value 'd["imported"]')
[ "$n" -ge 1 ] || fail "imported $n services"
expect 200 GET /v1/tenants/acct-001
json "d['counts']['services'] == $n and d['state'] == 'importing'"
expect 200 GET "/v1/tenants/acct-001/services?page_size=$n"
json "len(d['data']) == $n and d['next_page'] is None and d['total'] == $n"
first=$(value 'd["data"][0]["id"]')
expect 200 GET "/v1/tenants/acct-001/services?page=1&page_size=1"
json "len(d['data']) == 1 and d['next_page'] == 2 and d['data'][0]['id'] == '$first'"
expect 200 GET "/v1/tenants/acct-001/services?page=$n&page_size=1"
json "len(d['data']) == 1 and d['next_page'] is None"
expect 200 GET "/v1/tenants/acct-001/services?page=$((n + 1))&page_size=1"
json 'd["data"] == [] and d["next_page"] is None'
expect 400 GET "/v1/tenants/acct-001/services?page=0"
expect 400 GET "/v1/tenants/acct-001/services?page_size=100000"
expect 400 GET "/v1/tenants/acct-001/services?page=two"
expect 404 GET /v1/tenants/acct-001/widgets
expect 200 GET "/v1/tenants/acct-001/services/$first"
json "d['id'] == '$first' and d['type'] == 'service' and d['escalation_policy_id'].startswith('PE')"
expect 404 GET /v1/tenants/acct-001/services/PSNOPE
expect 201 POST /v1/tenants '{"id":"nodata","name":"Not seeded"}'
expect 422 POST /v1/tenants/nodata/import/services
json 'd["error"]["code"] == "no_source_data"'
expect 204 DELETE /v1/tenants/nodata
expect 200 POST /v1/tenants/acct-001/import/incidents
json 'd["imported"] >= 1'
expect 200 DELETE /v1/tenants/acct-001/import/incidents
json 'd["removed"] >= 1'
expect 200 GET /v1/tenants/acct-001/incidents
json 'd["total"] == 0'

note "parity buckets: the target side after an import matches the source side; an edit moves one bucket"
expect 200 GET "/v1/tenants/acct-001/parity/buckets?entity=services&n=4&side=source"
cp "$T/body" "$T/buckets.source"
expect 200 GET "/v1/tenants/acct-001/parity/buckets?entity=services&n=4&side=target"
json "d['count'] == $n and d == json.load(open('$T/buckets.source'))"
expect 200 PUT "/v1/tenants/acct-001/services/$first" '{"description":"edited on the target"}'
expect 200 GET "/v1/tenants/acct-001/parity/buckets?entity=services&n=4&side=target"
json "sum(a != b for a, b in zip(d['buckets'], json.load(open('$T/buckets.source'))['buckets'])) == 1"
expect 404 GET "/v1/tenants/nobody/parity/buckets?entity=services&n=4&side=target"

note "entity writes and Idempotency-Key"
expect 201 POST /v1/tenants/acct-001/teams '{"name":"Night shift"}' -H 'Idempotency-Key: k-1'
tid=$(value 'd["id"]')
expect 201 POST /v1/tenants/acct-001/teams '{"name":"Night shift"}' -H 'Idempotency-Key: k-1'
json "d['id'] == '$tid'"
expect 201 POST /v1/tenants/acct-001/teams '{"name":"Night shift"}' -H 'Idempotency-Key: k-2'
json "d['id'] != '$tid'"
expect 200 GET /v1/tenants/acct-001/teams
json 'd["total"] == 2'
expect 409 POST /v1/tenants/acct-001/teams "{\"id\":\"$tid\",\"name\":\"dup\"}"
expect 200 PUT "/v1/tenants/acct-001/teams/$tid" '{"name":"Day shift"}'
json "d['name'] == 'Day shift' and d['id'] == '$tid'"
expect 400 PUT "/v1/tenants/acct-001/teams/$tid" '{"name":'
expect 204 DELETE "/v1/tenants/acct-001/teams/$tid"
expect 404 GET "/v1/tenants/acct-001/teams/$tid"

note "flags, backfill, cutover, rollback"
expect 200 PUT /v1/tenants/acct-001/flags/new_paging '{"enabled":true,"percentage":25}'
json 'd["enabled"] is True and d["percentage"] == 25'
expect 200 GET /v1/tenants/acct-001/flags/new_paging
json 'd["percentage"] == 25'
expect 400 PUT /v1/tenants/acct-001/flags/new_paging '{"enabled":true,"percentage":250}'
expect 400 PUT /v1/tenants/acct-001/flags/new_paging '{"percentage":5}'
expect 404 GET /v1/tenants/acct-001/flags/none
expect 200 GET /v1/tenants/acct-001
json 'd["state"] == "dual_run" and d["flags"]["new_paging"]["percentage"] == 25'
expect 202 POST /v1/tenants/acct-001/backfills '{"entity":"incidents"}'
job=$(value 'd["job_id"]')
json 'd["state"] == "running" and d["total"] >= 1'
expect 400 POST /v1/tenants/acct-001/backfills '{"entity":"gizmos"}'
backfill_done() { req GET "/v1/backfills/$job" && [ "$(value 'd["state"]')" = done ]; }
wait_until 10 backfill_done || fail "backfill $job never finished"
json 'd["progress"] == 1.0 and d["done"] == d["total"]'
expect 200 GET /v1/tenants/acct-001
json "d['backfill']['job_id'] == '$job' and d['backfill']['progress'] == 1.0"
expect 200 GET /v1/tenants/acct-001/incidents
json 'd["total"] >= 1'
expect 404 GET /v1/backfills/bf-999999
expect 200 POST /v1/tenants/acct-001/cutover
json 'd["state"] == "cut_over" and d["cutover_at"] is not None'
expect 201 POST /v1/tenants/acct-001/users '{"name":"late write"}'
expect 200 GET /v1/tenants/acct-001/metrics
json 'd["drift"] >= 1'
expect 200 POST /v1/tenants/acct-001/rollback
json 'd["state"] == "rolled_back"'
expect 201 POST /v1/tenants '{"id":"acct-003","name":"Copperleaf"}'
expect 202 POST /v1/tenants/acct-003/backfills '{"entity":"users"}'
job3=$(value 'd["job_id"]')
expect 200 POST /v1/tenants/acct-003/rollback
expect 200 GET "/v1/backfills/$job3"
json 'd["state"] == "failed" and d["done"] < d["total"]'
expect 204 DELETE /v1/tenants/acct-003

note "metrics and Prometheus"
expect 200 GET /v1/tenants/acct-002/metrics
json 'all(0.0005 <= d[s]["error_rate"] <= 0.005 and 80 <= d[s]["latency_p99_ms"] <= 300 for s in ("legacy","new"))'
json 'd["new"]["throughput"] == 0 and d["legacy"]["throughput"] > 0'
expect 200 PUT /v1/tenants/acct-002/flags/traffic '{"enabled":true,"percentage":50}'
expect 200 GET /v1/tenants/acct-002/metrics
json 'd["new"]["throughput"] > 0'
expect 404 GET /v1/tenants/nobody/metrics
expect 200 GET /v1/metrics
json 'd["tenants"] == 12 and d["legacy"]["throughput"] > 0'
expect 200 GET '/api/v1/query' '' -G --data-urlencode 'query=error_rate{system="new",tenant="acct-002"}'
json 'd["status"] == "success" and d["data"]["resultType"] == "vector" and len(d["data"]["result"]) == 1'
json 'd["data"]["result"][0]["metric"] == {"__name__":"error_rate","system":"new","tenant":"acct-002"}'
json 'isinstance(d["data"]["result"][0]["value"][0], float) and 0 < float(d["data"]["result"][0]["value"][1]) < 0.01'
expect 200 POST /api/v1/query '' --data-urlencode 'query=latency_p99_ms{system="legacy"}'
json 'len(d["data"]["result"]) == 12 and len({r["metric"]["tenant"] for r in d["data"]["result"]}) == 12'
expect 200 GET '/api/v1/query' '' -G --data-urlencode 'query=throughput{tenant="acct-999"}'
json 'd["data"]["result"] == []'
expect 400 GET '/api/v1/query' '' -G --data-urlencode 'query=error_rate{system='
json 'd["status"] == "error" and d["errorType"] == "bad_data" and "parse error" in d["error"]'
expect 400 GET '/api/v1/query'
json 'd["errorType"] == "bad_data"'

note "live faults: error rate moves metrics, read-only, rate limit, outage, malformed"
expect 200 POST /_sim/faults '{"error_rate":0.2}'
json 'd["error_rate"] == 0.2'
expect 200 GET /_sim/faults
json 'd["error_rate"] == 0.2 and d["read_only"] is False'
expect 200 GET /v1/tenants/acct-002/metrics
json 'd["new"]["error_rate"] >= 0.2'
expect 400 POST /_sim/faults '{"error_rate":2}'
json 'd["error"]["code"] == "bad_fault" and "error_rate" in d["error"]["message"]'
expect 400 POST /_sim/faults '{"bogus":1}'
expect 400 POST /_sim/faults '{"error_rate":'
expect 200 POST /_sim/faults '{"reset":true,"read_only":true}'
json 'd["error_rate"] == 0 and d["read_only"] is True'
expect 200 GET /v1/tenants/acct-002
expect 503 POST /v1/tenants '{"id":"acct-003","name":"C"}'
json 'd["error"]["code"] == "read_only"'
expect 200 POST /_sim/faults '{"reset":true,"rate_limit_per_s":0.2}'
expect 200 GET /v1/health
expect 429 GET /v1/health
header_has Retry-After || fail "429 without Retry-After"
expect 200 GET /_sim/faults
expect 200 POST /_sim/faults '{"reset":true,"outage_after_s":0,"outage_for_s":1}'
expect 503 GET /v1/health
json 'd["error"]["code"] == "outage"'
health_ok() { req GET /v1/health && [ "$CODE" = 200 ]; }
wait_until 5 health_ok || fail "the outage window never closed"
expect 200 POST /_sim/faults '{"reset":true,"malformed_rate":1}'
expect 200 GET /v1/health
body_is_json && fail "a malformed-rate fault answered valid JSON"
expect 200 POST /_sim/faults '{"reset":true,"error_rate":1,"paths":"/v1/tenants"}'
expect 200 GET /v1/health
expect 200 GET /_sim/faults
json 'd["paths"] == "/v1/tenants"'
req GET /v1/tenants/acct-002/metrics
[ "$CODE" = 503 ] || [ "$CODE" = 500 ] || fail "error_rate 1 answered $CODE for metrics"
expect 200 GET /api/v1/query '' -G --data-urlencode 'query=error_rate{tenant="acct-002"}'
json '[float(r["value"][1]) for r in sorted(d["data"]["result"], key=lambda r: r["metric"]["system"])] [1] >= 1.0'
expect 200 POST /_sim/faults '{"reset":true,"error_rate":1,"paths":"/pagerduty"}'
expect 200 GET /api/v1/query '' -G --data-urlencode 'query=error_rate{tenant="acct-002"}'
json 'all((float(r["value"][1]) >= 1.0) == (r["metric"]["system"] == "legacy") for r in d["data"]["result"])'
expect 200 POST /_sim/faults '{"reset":true,"error_rate":1,"paths":"/v1/tenants"}'
req GET /v1/tenants
[ "$CODE" = 503 ] || [ "$CODE" = 500 ] || fail "error_rate 1 answered $CODE"
expect 200 POST /_sim/faults '{"reset":true,"timeout_rate":1}'
set +e; curl -s --max-time 1 "$SIM_URL/v1/health" >/dev/null; rc=$?; set -e
[ "$rc" = 28 ] || fail "a timeout fault let curl finish (curl exit $rc, expected 28)"
expect 200 POST /_sim/faults '{"reset":true,"latency_ms":300}'
t0=$(date +%s%N); expect 200 GET /v1/health; t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -ge 290 ] || fail "latency fault did not delay the answer"
expect 200 DELETE /_sim/faults
json 'd["latency_ms"] == 0'

note "held requests stall no other: 64 clients at once, a hanging path"
expect 200 POST /_sim/faults '{"latency_ms":500}'
urls=(); for i in $(seq 64); do urls+=(-o /dev/null "$SIM_URL/v1/health?client=$i"); done
t0=$(date +%s%N)
curl -s -Z --parallel-max 64 --parallel-immediate -w '%{http_code}\n' "${urls[@]}" >"$T/codes" 2>/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(grep -c '^200$' "$T/codes")" = 64 ] || fail "64 concurrent clients: $(sort "$T/codes" | uniq -c)"
[ "$ms" -lt 8000 ] || fail "64 clients with 500 ms latency took $ms ms: requests were serialised"
expect 200 POST /_sim/faults '{"reset":true,"timeout_rate":1,"paths":"/v1/tenants"}'
curl -s --max-time 3 "$SIM_URL/v1/tenants" >/dev/null &
hung=$!
sleep 0.2
t0=$(date +%s%N); expect 200 GET /v1/health; ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 2000 ] || fail "a hanging request stalled another for $ms ms"
set +e; wait "$hung"; rc=$?; set -e
[ "$rc" = 28 ] || fail "the request under a timeout fault ended with curl exit $rc"
expect 200 DELETE /_sim/faults

note "request log"
expect 204 DELETE /_sim/requests
expect 200 GET /v1/tenants/acct-002 '' -H 'Authorization: Bearer s3cr3t-token'
expect 200 GET '/v1/tenants/acct-002/services?page=1' '' -H 'Authorization: Token token=abc'
expect 200 GET /_sim/requests
json 'len(d["requests"]) == 2 and d["requests"][0]["path"] == "/v1/tenants/acct-002"'
json 'd["requests"][0]["headers"]["Authorization"].startswith("Bearer") and "s3cr3t" not in json.dumps(d)'
json 'd["requests"][1]["query"] == "page=1" and d["requests"][1]["status"] == 200'
grep -q 'abc' "$T/body" && fail "the request log kept a token"
last=$(value 'd["last_seq"]')
expect 404 GET /v1/tenants/nobody
expect 200 GET "/_sim/requests?since=$last"
json 'len(d["requests"]) == 1 and d["requests"][0]["status"] == 404'
expect 400 GET '/_sim/requests?since=-1'
stop_sim

note "faults by flag"
start_sim --read-only
expect 200 GET /v1/tenants
expect 503 POST /v1/tenants '{"id":"a","name":"A"}'
json 'd["error"]["code"] == "read_only"'
stop_sim
start_sim --rate-limit 0.1/s
expect 200 GET /v1/health
expect 429 GET /v1/health
retry=$(tr -d '\r' <"$T/headers" | awk -F': ' 'tolower($1) == "retry-after" {print $2}')
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 10 ] || fail "429 with Retry-After '$retry'"
stop_sim
start_sim --outage-after 0 --outage-for 1
expect 503 GET /v1/health
wait_until 5 health_ok || fail "the outage window never closed"
stop_sim
start_sim --malformed-rate 1
expect 200 GET /v1/tenants
body_is_json && fail "--malformed-rate 1 answered valid JSON"
stop_sim
start_sim --error-rate 100%
req GET /v1/health
[ "$CODE" = 503 ] || [ "$CODE" = 500 ] || fail "--error-rate 100% answered $CODE"
stop_sim
start_sim --timeout-rate 1 --latency-ms 50
set +e; curl -s --max-time 1 "$SIM_URL/v1/health" >/dev/null; rc=$?; set -e
[ "$rc" = 28 ] || fail "--timeout-rate 1 let curl finish (curl exit $rc)"
expect 200 GET /_sim/faults
json 'd["timeout_rate"] == 1 and d["latency_ms"] == 50'
curl -s --max-time 30 "$SIM_URL/v1/health" >/dev/null &
sleep 0.2
t0=$SECONDS
stop_sim # a request still hanging must not hold up shutdown
[ $((SECONDS - t0)) -lt 10 ] || fail "shutdown waited for a hanging request"
note "ok"
