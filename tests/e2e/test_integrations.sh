#!/usr/bin/env bash
# Integration health end to end against the simulator: an account that
# cannot be read fails naming the endpoint and status; a plan step runs
# `warroom integrations` for its account; all healthy exits 0 with samples
# written; an integration fault on one account exits 1 naming it; an
# observer's console shows "deg" for that account and "ok" for the others
# without a keypress, sorts by INTEG, and marks an old measurement stale.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/programs/engine.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
export PDLITE_TOKEN=tok-target PAGERDUTY_TOKEN=acct-001 WARROOM_BIN=$WARROOM
start_sim
P=$(program_copy "$ROOT/tests/e2e/programs/integ" integ)
DB=$P/warroom.db
samples() { sqlite3 "$DB" "SELECT count(*) FROM samples WHERE kind = 'integration' AND account = '$1'"; }
newest() { # ACCOUNT: "passed/evaluated" of its newest integration sample
	sqlite3 "$DB" "SELECT passed || '/' || evaluated FROM samples WHERE kind = 'integration' \
		AND account = '$1' ORDER BY ts_ms DESC, id DESC LIMIT 1"
}

note "no tenant yet: exit 1, the endpoint and status named, the failure audited"
expect_exit 1 "$WARROOM" integrations "$P" --account acct-001
expect_out "account acct-001: GET /v1/tenants/acct-001/integrations/health: 404 "
expect_out "0 fully healthy, 0 with unhealthy integrations, 1 not read"
"$WARROOM" audit tail "$P" -n 5 >"$T/audit.txt"
grep -q 'integrations.check acct-001 .*404' "$T/audit.txt" || { cat "$T/audit.txt" >&2; fail "the failed check is not audited"; }
[ "$(samples acct-001)" = 0 ] || fail "an unread account got a sample"

note "usage errors"
expect_exit 2 "$WARROOM" integrations
expect_exit 2 "$WARROOM" integrations "$P" --account acct-001 --wave canary
expect_exit 2 "$WARROOM" integrations "$P" --timeout soon
expect_exit 1 "$WARROOM" integrations "$P" --wave nowhere
expect_out "no wave 'nowhere'"

note "a plan step runs the check for its account"
expect_exit 0 "$WARROOM" run "$P" --wave canary --yes
for a in acct-001 acct-002; do
	[ "$(samples $a)" = 1 ] || fail "the plan step left no integration sample for $a"
done
grep -q 'exec.*integrations' <("$WARROOM" audit tail "$P" -n 100) || fail "the exec step is not in the audit log"

note "all healthy: exit 0, one sample per account, the target token sent"
curl -fsS -X POST -H 'Content-Type: application/json' -d '{"id":"acct-003","name":"Third"}' "$SIM_URL/v1/tenants" >/dev/null
curl -fsS -X POST "$SIM_URL/v1/tenants/acct-003/import/integrations" >/dev/null
expect_exit 0 "$WARROOM" integrations "$P"
expect_out '^acct-001 +ok +([0-9]+)/\1 healthy'
expect_out '^acct-003 +ok +([0-9]+)/\1 healthy'
expect_out "3 accounts: 3 fully healthy, 0 with unhealthy integrations, 0 not read"
[ "$(samples acct-003)" = 1 ] && [ "$(samples acct-001)" = 2 ] || fail "samples were not written"
total=$(newest acct-002 | cut -d/ -f2)
[ "$total" -ge 2 ] || fail "acct-002 has $total integrations; the fault needs two"
[ "$(newest acct-002)" = "$total/$total" ] || fail "acct-002 is not $total/$total healthy"
curl -fsS "$SIM_URL/_sim/requests" | jq -e '[.requests[] | select(.path | endswith("/integrations/health"))
	| .headers.Authorization] | length > 0 and all(. == "Bearer [redacted]")' >/dev/null ||
	fail "the health reads did not carry the target token"

note "an observer's console, all ok"
tmux_start 200 50 "$WARROOM observe $P 2>$T/observe.err; echo \$? >$T/rc; sleep 60"
wait_screen "Accounts  3 of 3 shown"
row() { tmux_screen | grep -E "^ ?\*?$1 "; }
for a in acct-001 acct-002 acct-003; do
	wait_until 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E '^$a .* ok [0-9]+/[0-9]+ '" ||
		{ tmux_screen >&2; fail "$a does not read ok"; }
done
wait_screen "integ: 0 deg 0 fail of 3"

note "an integration fault on acct-002: exit 1 naming it, the console follows without a key"
curl -fsS -X POST -d '{"integration_fault": "acct-002"}' "$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 "$WARROOM" integrations "$P"
expect_out "^acct-002 +deg +$((total - 2))/$total healthy"
expect_out "^  failing +[^ ]+ .*: every delivery in the window failed: the endpoint answered 503"
expect_out "^  degraded +[^ ]+ .*: a fifth of the deliveries"
expect_out '^acct-001 +ok '
expect_out "3 accounts: 2 fully healthy, 1 with unhealthy integrations, 0 not read"
[ "$(newest acct-002)" = "$((total - 2))/$total" ] || fail "acct-002's sample is $(newest acct-002)"
wait_until 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E '^acct-002 .* deg $((total - 2))/$total '" ||
	{ tmux_screen >&2; fail "the console does not show acct-002 degraded"; }
row acct-001 | grep -qE ' ok [0-9]+/[0-9]+ ' || { tmux_screen >&2; fail "acct-001 no longer reads ok"; }
row acct-003 | grep -qE ' ok [0-9]+/[0-9]+ ' || { tmux_screen >&2; fail "acct-003 no longer reads ok"; }
wait_screen "integ: 1 deg 0 fail of 3"

note "--json, and every integration failing reads fail"
curl -fsS -X POST -d '{"integration_fault": "acct-003:all"}' "$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 "$WARROOM" integrations "$P" --account acct-003 --json
jq -e '.[0].account == "acct-003" and .[0].verdict == "fail" and .[0].healthy == 0 and
	(.[0].integrations | all(.status == "failing" and (.reason | length) > 0))' "$T/out" >/dev/null ||
	{ cat "$T/out" >&2; fail "--json does not say acct-003 fails"; }
wait_until 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E '^acct-003 .* fail 0/[0-9]+ '" ||
	{ tmux_screen >&2; fail "the console does not show acct-003 failing"; }

note "sorting by INTEG orders by health, worst first"
for _ in 1 2 3 4 5 6 7 8 9; do tmux_keys s; done # ACCOUNT, WAVE, ... PARITY, INTEG
wait_screen "sort INTEG asc"
order=$(tmux_screen | grep -oE '^acct-00[0-9]' | tr '\n' ' ')
[ "$order" = "acct-003 acct-002 acct-001 " ] || { tmux_screen >&2; fail "INTEG order is '$order'"; }

note "a measurement older than 15 minutes is marked stale"
sqlite3 "$DB" "UPDATE samples SET ts_ms = ts_ms - 1200000 WHERE kind = 'integration' AND account = 'acct-001'"
wait_until 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E '^acct-001 .* ok\? [0-9]+/[0-9]+ '" ||
	{ tmux_screen >&2; fail "the old measurement of acct-001 is not marked stale"; }

note "an outage of the health read: exit 1 naming the status; no token: the variable named"
curl -fsS -X POST -d '{"outage_for_s": 60, "paths": "/v1/tenants/acct-001/integrations"}' \
	"$SIM_URL/_sim/faults" >/dev/null
before=$(samples acct-001)
expect_exit 1 "$WARROOM" integrations "$P" --account acct-001 --timeout 2s
expect_out "account acct-001: GET /v1/tenants/acct-001/integrations/health: 503 "
[ "$(samples acct-001)" = "$before" ] || fail "an unread account got a sample"
curl -fsS -X DELETE "$SIM_URL/_sim/faults" >/dev/null
expect_exit 1 env -u PDLITE_TOKEN "$WARROOM" integrations "$P" --account acct-002
expect_out "account 'acct-002': target token: .*PDLITE_TOKEN"

note "the audit chain holds"
expect_exit 0 "$WARROOM" audit verify "$P"
echo "ok"
