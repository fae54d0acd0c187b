#!/usr/bin/env bash
# The three source APIs of the simulator read by `warroom source check`: auth
# in each API's own shape, counts equal to the seeded dataset, every
# pagination edge, 429 with and without Retry-After, 5xx then success, a
# malformed page (clear error, nothing imported), and PagerDuty incident
# history past the 10,000 offset limit read through since/until windows.
source "$(dirname "$0")/lib.sh"

start_sim --seed 11 --accounts 3
export PAGERDUTY_TOKEN=acct-001 ROOTLY_TOKEN=tok-acct-002 INCIDENTIO_TOKEN=acct-003

# reference COUNT-OF ACCOUNT KIND: the simulator's own count of a seeded kind.
reference() {
	curl -sf "$SIM_URL/v1/tenants/$1/parity/source/$2?page_size=1" | jq -r .total
}
script_faults() {
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		"$SIM_URL/_sim/source_faults" >/dev/null || fail "cannot script source faults"
}
clear_faults() { curl -sf -X DELETE "$SIM_URL/_sim/source_faults" >/dev/null; }
clear_log() { curl -sf -X DELETE "$SIM_URL/_sim/requests" >/dev/null; }
# requested PATH: the query strings of the logged requests to PATH, one a line.
requested() {
	curl -sf "$SIM_URL/_sim/requests" | jq -r --arg p "$1" '.requests[] | select(.path == $p) | .query'
}

note "counts match the seeded dataset, for each source and its account"
kinds=(services teams users schedules escalation_policies integrations incidents)
for pair in pagerduty:acct-001 rootly:acct-002 incidentio:acct-003; do
	sys=${pair%%:*} acct=${pair#*:}
	expect_exit 0 "$WARROOM" source check "$sys" --url "$SIM_URL/$sys" --json
	cp "$T/out" "$T/$sys.json"
	[ "$(jq -r .ok "$T/$sys.json")" = true ] || fail "$sys: not ok"
	for k in "${kinds[@]}"; do
		want=$(reference "$acct" "$k")
		got=$(jq -r ".counts.$k" "$T/$sys.json")
		[ "$want" = "$got" ] || fail "$sys $k: read $got, the dataset has $want"
	done
	n=$(jq '.verdicts | length' "$T/$sys.json")
	[ "$n" -gt 50 ] || fail "$sys: only $n verdicts"
done
# Seeded limited users and custom roles are imported with a change, said why.
jq -e '[.verdicts[] | select(.kind == "import_changed" and .entity == "user")] | length > 0' \
	"$T/pagerduty.json" >/dev/null || fail "no user role change reported"

note "text output: a count line per type and one verdict line per item"
expect_exit 0 "$WARROOM" source check rootly --url "$SIM_URL/rootly"
expect_out '^  escalation_policies +[0-9]+'
expect_out '^user +[A-Z0-9]+ +will import with a change: role Limited User becomes responder'

note "pacing: --max-rate spaces the requests out"
expect_exit 0 "$WARROOM" source check rootly --url "$SIM_URL/rootly" --max-rate 600
ms=$(sed -n 's/.*read whole in \([0-9]*\) requests.*, \([0-9]*\) ms$/\1 \2/p' "$T/out")
read -r n took <<<"$ms"
[ "$took" -ge $(((n - 1) * 100)) ] || fail "$n requests at 600 a minute took only $took ms"

note "auth: a missing or unknown token is refused in each API's own words"
PAGERDUTY_TOKEN=nobody expect_exit 1 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty"
expect_out 'GET /services\?include\[\]=integrations&limit=100&offset=0: HTTP 401 \(Authentication failed.*code 2006'
ROOTLY_TOKEN=nobody expect_exit 1 "$WARROOM" source check rootly --url "$SIM_URL/rootly"
expect_out 'HTTP 401 \(Unauthorized: Authentication failed'
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Authorization: Token token=acct-001' "$SIM_URL/incidentio/v2/users")
[ "$code" = 401 ] && [ "$(jq -r .type "$T/body")" = authentication_error ] ||
	fail "incident.io accepted the PagerDuty auth form ($code)"
env -u ROOTLY_TOKEN "$WARROOM" source check rootly --url "$SIM_URL/rootly" >"$T/out" 2>&1 && fail "ran without a token"
expect_out 'ROOTLY_TOKEN is not set'
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer anything' -H 'X-Sim-Account: acct-002' \
	"$SIM_URL/rootly/v1/teams")
[ "$code" = 200 ] || fail "X-Sim-Account did not name the account ($code)"

note "pagination: short last page, exactly one page, past the end"
users=$(reference acct-001 users)
clear_log
expect_exit 0 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --page-size 7
got=$(requested /pagerduty/users | tr '\n' ' ')
want=""
for ((o = 0; o < users; o += 7)); do want+="limit=7&offset=$o "; done
[ "$got" = "$want" ] || fail "PagerDuty user pages: asked '$got', expected '$want'"
teams=$(reference acct-002 teams)
clear_log
expect_exit 0 "$WARROOM" source check rootly --url "$SIM_URL/rootly" --page-size "$teams"
[ "$(requested /rootly/v1/teams | wc -l)" = 1 ] || fail "Rootly: a single exact page took more than one request"
clear_log
expect_exit 0 "$WARROOM" source check incidentio --url "$SIM_URL/incidentio" --page-size 3
n=$(reference acct-003 users)
[ "$(requested /incidentio/v2/users | wc -l)" = $(((n + 2) / 3)) ] || fail "incident.io: wrong number of user pages"
requested /incidentio/v2/users >"$T/queries"
tail -n +2 "$T/queries" | grep -v 'after=' >/dev/null && fail "incident.io: a later page without the cursor"
curl -s -H 'Authorization: Token token=acct-001' "$SIM_URL/pagerduty/users?offset=9000&limit=100" >"$T/body"
[ "$(jq -c '[.users, .more]' "$T/body")" = '[[],false]' ] || fail "PagerDuty past the end: $(cat "$T/body")"
curl -s -H 'Authorization: Bearer acct-002' "$SIM_URL/rootly/v1/users?page%5Bnumber%5D=99" >"$T/body"
[ "$(jq -c '[.data, .meta.next_page]' "$T/body")" = '[[],null]' ] || fail "Rootly past the end: $(cat "$T/body")"

note "429 with Retry-After, 429 without it (PagerDuty code 2020), 5xx then success"
script_faults '{"faults":[{"path":"/pagerduty/users","kind":"rate_limit","retry_after":1},
	{"path":"/pagerduty/schedules","kind":"rate_limit"},
	{"path":"/pagerduty/escalation_policies","kind":"error","status":503,"times":2}]}'
curl -s -D "$T/h" -H 'Authorization: Token token=acct-001' "$SIM_URL/pagerduty/users" >"$T/body"
grep -qi '^Retry-After: 1' "$T/h" || fail "no Retry-After on the scripted 429"
[ "$(jq -r .error.code "$T/body")" = 2020 ] || fail "PagerDuty 429 is not code 2020: $(cat "$T/body")"
clear_faults
script_faults '{"faults":[{"path":"/pagerduty/users","kind":"rate_limit","retry_after":1},
	{"path":"/pagerduty/schedules","kind":"rate_limit"},
	{"path":"/pagerduty/escalation_policies","kind":"error","status":503,"times":2}]}'
start=$SECONDS
expect_exit 0 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --json
[ "$(jq -r .retries "$T/out")" = 4 ] || fail "expected 4 retries: $(jq -c '{retries,requests}' "$T/out")"
[ "$(jq -r .counts.users "$T/out")" = "$users" ] || fail "users incomplete after a 429"
[ $((SECONDS - start)) -ge 1 ] || fail "Retry-After: 1 was not waited for"
clear_faults

note "5xx for good: bounded retries, then a clear failure"
script_faults '{"faults":[{"path":"/rootly/v1/schedules","kind":"error","status":500,"times":50}]}'
expect_exit 1 "$WARROOM" source check rootly --url "$SIM_URL/rootly" --max-retries 2
expect_out 'GET /v1/schedules\?include=schedule_rotations,schedule_rotation_users&page\[number\]=1&page\[size\]=100: HTTP 500'
expect_out 'gave up after 3 attempts'
expect_out 'nothing was imported'
clear_faults

note "faults from the simulator's own fault layer reach the source APIs too"
curl -sf -X POST -H 'Content-Type: application/json' \
	--data-binary '{"error_rate":0.3,"paths":"/incidentio"}' "$SIM_URL/_sim/faults" >/dev/null
expect_exit 0 "$WARROOM" source check incidentio --url "$SIM_URL/incidentio" --page-size 5 --json
[ "$(jq -r .retries "$T/out")" -gt 0 ] || fail "no fault-layer error was retried"
[ "$(jq -r .counts.incidents "$T/out")" = "$(reference acct-003 incidents)" ] || fail "incidents incomplete"
curl -sf -X DELETE "$SIM_URL/_sim/faults" >/dev/null

note "a malformed page: the error names endpoint and offset, nothing is imported"
start_sim --seed 5 --accounts 1 --entities 8000
script_faults '{"faults":[{"path":"/pagerduty/incidents","param":"offset","value":"200","kind":"malformed"}]}'
expect_exit 1 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --json
expect_out '"ok":[[:space:]]*false'
expect_out 'GET /incidents\?since=[^ ]*&limit=100&offset=200: malformed JSON at byte'
sed -n '/^{/,/^}/p' "$T/out" >"$T/broken.json"
jq -e '([.counts[]] | add) == 0 and (.verdicts | length) == 0' "$T/broken.json" >/dev/null ||
	fail "something was imported from a broken read"

note "PagerDuty history past the 10,000 offset limit, read in since/until windows"
code=$(curl -s -o "$T/body" -w '%{http_code}' -H 'Authorization: Token token=acct-001' \
	"$SIM_URL/pagerduty/incidents?offset=9950&limit=100")
[ "$code" = 400 ] && [ "$(jq -r .error.code "$T/body")" = 2001 ] || fail "offset past 10,000 answered $code"
start_sim --seed 6 --accounts 1 --entities 36000
want=$(reference acct-001 incidents)
[ "$want" -gt 10000 ] || fail "the dataset has only $want incidents"
clear_log
expect_exit 0 "$WARROOM" source check pagerduty --url "$SIM_URL/pagerduty" --json
[ "$(jq -r .counts.incidents "$T/out")" = "$want" ] || fail "read $(jq -r .counts.incidents "$T/out") of $want incidents"
ids=$(jq -r '[.verdicts[] | select(.entity == "incident") | .id] | unique | length' "$T/out")
[ "$ids" = "$want" ] || fail "incident ids repeat or are lost: $ids unique of $want"
requested /pagerduty/incidents >"$T/queries"
grep -q 'since=.*until=' "$T/queries" || fail "history was not read in windows"
max=$(grep -Eo 'offset=[0-9]+' "$T/queries" | cut -d= -f2 | sort -n | tail -1)
[ "$max" -lt 10000 ] || fail "an offset reached the limit ($max)"
echo "ok"
