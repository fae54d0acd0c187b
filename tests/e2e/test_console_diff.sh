#!/usr/bin/env bash
# The console's diff pane fed from data for the selected account, against
# the simulator: a tenant imported, its cutover snapshot taken, one service
# edited with PUT; `:diff snapshot services ID` shows the edited field
# against the snapshot (and an entity gone since, every field removed),
# `:diff reference services ID` against the reference dataset; a missing
# snapshot, an unknown id or type, a bad line and a target that went away
# are named on the status line. The login is not in the program's roster, so
# the console is read-only: comparing only reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/programs/diff_tenant.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
PROG=$ROOT/tests/e2e/programs/parity
DB=$T/diff.db
start_sim --accounts 3 --entities 20

diff_tenant "$PROG" "$DB"
# an entity the snapshot holds and the target no longer has (the simulator
# deletes none: one is added to the snapshot instead)
sqlite3 "$DB" "INSERT INTO snapshots(account, entity_type, entity_id, json, reason, taken_ms)
	SELECT account, entity_type, 'gone-1', json_set(json, '\$.id', 'gone-1'), reason, taken_ms
	FROM snapshots WHERE account = 'acct-001' AND entity_type = 'service' LIMIT 1"

typeline() { # TEXT: typed on the `:` command line, then Enter
	tmux_keys :
	tmux_keys -l "$1"
	tmux_keys Enter
}

tmux_start 160 40 "WARROOM_SIM_URL=$SIM_URL $WARROOM console $PROG --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
wait_screen "Accounts  3 of 3 shown"

note "Tab completes the kind and the type"
tmux_keys : d i f f Space s n Tab
wait_screen ":diff snapshot"
tmux_keys s e r Tab
wait_screen ":diff snapshot services"
tmux_keys Escape

note "snapshot against now: the edited name is marked"
typeline "diff snapshot services $SID"
wait_screen "cutover snapshot "
wait_screen "target now: services $SID"
wait_screen "~ /name: \"edited-after-cutover\""
# the target's own bookkeeping moved too: a PUT makes the origin "api"
wait_screen "~ /origin: \"api\""
wait_screen "Diff  2 changed, 0 added, 0 removed"
wait_screen "snapshot service of acct-001: 2 changed, 0 added, 0 removed"

note "an entity removed since the snapshot: every field shown removed"
typeline "diff snapshot services gone-1"
wait_screen "target now: services gone-1 (gone: 404)"
wait_screen "- /id: \"gone-1\""
wait_screen "snapshot service of acct-001: 0 changed, 0 added, 12 removed"

note "reference against target: the reference dataset and the target's canonical copy"
typeline "diff reference services $SID"
wait_screen "reference dataset (canonical): services $SID"
wait_screen "target now (canonical): services $SID"
wait_screen "~ /name: \"edited-after-cutover\""
wait_screen "Diff  1 changed, 0 added, 0 removed"
wait_screen "reference service of acct-001: 1 changed, 0 added, 0 removed"

note "an unknown id, an unknown type, a bad line"
typeline "diff reference services no-such-id"
wait_screen "unknown service 'no-such-id' for acct-001: GET $SIM_URL/v1/tenants/acct-001/parity/source/services/no-such-id: 404"
typeline "diff snapshot services no-such-id"
wait_screen "the snapshot of acct-001 taken "
wait_screen "has no service 'no-such-id'"
typeline "diff snapshot widgets x"
wait_screen "unknown entity type 'widgets'"
typeline "diff reference services ../../x"
wait_screen "'../../x' is not an entity id"
typeline "diff snapshot"
wait_screen "usage: :diff snapshot TYPE ID"

note "an account with no snapshot"
tmux_keys 1
wait_screen "Accounts  3 of 3 shown"
tmux_keys j Enter # chooses acct-002: the run view shows it
wait_screen "[run]"
typeline "diff snapshot services $SID"
wait_screen "acct-002 has no cutover snapshot yet"

note "the target gone: the request is named, the console stays up"
kill "$SIM_PID"
wait_until 10 sh -c "! kill -0 $SIM_PID"
typeline "diff reference services $SID"
wait_screen "GET $SIM_URL/v1/tenants/acct-002/parity/source/services/$SID: "
screen_has "$SID: GET " && { tmux_screen >&2; fail "the URL is named twice"; }
typeline q
wait_until 10 test -s "$T/rc" || { tmux_screen >&2; fail "the console did not quit"; }
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
echo "console diff e2e ok"
