#!/usr/bin/env bash
# The diff pane against the account's real source: `:diff source TYPE ID`
# reads the entity through the PagerDuty importer (the simulator's source
# API, the account's token) and lays it, canonical, against the target's
# copy; `:diff preview TYPE ID` lays the document the import would write
# against the target's. A service corrupted on the target shows as the `~`
# line on both; an incident the target lacks is one the import would
# create; a source id the source lacks and a source that refuses are named
# on the status line.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
PROG=$ROOT/tests/e2e/programs/parity
DB=$T/diff.db
start_sim --accounts 3 --entities 20
export PAGERDUTY_TOKEN=acct-001

curl -sf -XPOST "$SIM_URL/v1/tenants" -d '{"id":"acct-001","name":"acct-001"}' >/dev/null
# everything but the incidents: those the import would still create
for k in services teams users schedules escalation_policies integrations; do
	curl -sf -XPOST "$SIM_URL/v1/tenants/acct-001/import/$k" >/dev/null
done
SID=$(curl -sf -H "Authorization: Token token=acct-001" "$SIM_URL/pagerduty/services?limit=1" | jq -r '.services[0].id')
NAME=$(curl -sf -H "Authorization: Token token=acct-001" "$SIM_URL/pagerduty/services/$SID" | jq -r .service.name)
IID=$(curl -sf -H "Authorization: Token token=acct-001" "$SIM_URL/pagerduty/incidents?limit=1" | jq -r '.incidents[0].id')
[ -n "$SID" ] && [ "$SID" != null ] && [ -n "$IID" ] && [ "$IID" != null ] || fail "the source lists no service or incident"
# the program's database (the console of a login outside the roster only reads one)
expect_exit 0 "$WARROOM" drift "$PROG" --db "$DB" --snapshot --account acct-001
# the corruption: the target's copy of the service renamed behind the import's back
curl -sf "$SIM_URL/v1/tenants/acct-001/services/$SID" |
	jq -c '.name = "corrupted-on-target"' >"$T/edit.json"
curl -sf -XPUT "$SIM_URL/v1/tenants/acct-001/services/$SID" -d @"$T/edit.json" >/dev/null

typeline() { # TEXT: typed on the `:` command line, then Enter
	tmux_keys :
	tmux_keys -l "$1"
	tmux_keys Enter
}

tmux_start 180 40 "WARROOM_SIM_URL=$SIM_URL PAGERDUTY_TOKEN=acct-001 $WARROOM console $PROG --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
wait_screen "Accounts  3 of 3 shown"

note "Tab completes the new kind"
tmux_keys : d i f f Space p r Tab
wait_screen ":diff preview"
tmux_keys Escape

note "source against target: the real source read, canonical on both sides"
typeline "diff source services $SID"
wait_screen "pagerduty source (canonical): services $SID"
wait_screen "target now (canonical): services $SID"
wait_screen "~ /name: \"$NAME\""
wait_screen "~ /name: \"corrupted-on-target\""
wait_screen "source service of acct-001: 1 changed"

note "the import preview against the target's document"
typeline "diff preview services $SID"
wait_screen "import would write: services $SID"
wait_screen "target now: services $SID"
wait_screen "~ /name: \"$NAME\""
wait_screen "preview service of acct-001: 1 changed"

note "an entity the target lacks: the whole document is what the import creates"
typeline "diff preview incidents $IID"
wait_screen "target now: incidents $IID (absent: the import creates it)"
wait_screen "- /id: \"$IID\""
wait_screen "preview incident of acct-001: 0 changed, 0 added"

note "an id the source lacks, a source that refuses"
typeline "diff source services PNOSUCH"
wait_screen "pagerduty has no service 'PNOSUCH' (GET $SIM_URL/pagerduty/services/PNOSUCH?include[]=integrations: 404)"
curl -sf -XPOST -H 'Content-Type: application/json' \
	--data-binary "{\"faults\":[{\"path\":\"/pagerduty/services/$SID\",\"kind\":\"error\",\"status\":503,\"times\":20}]}" \
	"$SIM_URL/_sim/source_faults" >/dev/null
typeline "diff source services $SID"
wait_screen "GET /services/$SID?include[]=integrations: HTTP 503" 30
curl -sf -X DELETE "$SIM_URL/_sim/source_faults" >/dev/null

typeline q
wait_until 10 test -s "$T/rc" || { tmux_screen >&2; fail "the console did not quit"; }
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
echo "console diff source e2e ok"
