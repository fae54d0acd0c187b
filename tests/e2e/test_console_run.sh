#!/usr/bin/env bash
# The console drives real runs through the engine's runner, against the
# simulator over loopback: start an account (its id typed out), watch the
# step's requests in the output pane, tick its manual check, tick and sign
# the gate, see the cut-over step run, roll the phase back, halt and resume.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
ME=$(id -un)
P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
sed -i "s/\broot\b/$ME/g" "$P/roster.yaml"
DB=$T/run.db
start_sim

tmux_start 160 40 "$WARROOM console $P --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
wait_screen "Accounts  4 of 4 shown"

note "start acme: its id is typed out; a wrong one starts nothing"
tmux_keys r
wait_screen "start acme: type the account id (acme)"
tmux_keys x y z Enter
wait_screen "not started"
tmux_keys r a c m e Enter
wait_screen "acme started"
wait_screen "… WAIT" # waits for a person: the step's manual row

note "run view: the step's requests in the output pane; tick its manual check"
tmux_keys Enter j
wait_screen "POST $SIM_URL/v1/tenants -> 201"
wait_screen "waiting for: "
tmux_keys t
wait_screen "tick a manual row of create-tenant"
tmux_keys 1 Enter
wait_screen "ticked a row of create-tenant"
wait_screen "✓ OK    create-tenant"

note "gate: its check measured, sign; the cut-over step then runs"
tmux_keys g
wait_screen "Gate g-canary"
wait_screen "Successful" # the automatic criterion, measured by the runner
tmux_keys y a c m e Enter
wait_screen "signed g-canary for acme as SRE Lead"
tmux_keys 2
wait_screen "✓ OK    cutover-routing"
expect_exit 0 curl -sf "$SIM_URL/v1/tenants/acme"
expect_out '"cut_over"'

note "the account's state moved on since the sign-off: it shows stale"
tmux_keys g
wait_screen "Gate g-canary"
wait_screen "STALE"
wait_screen "(1 stale)"
tmux_keys 2

note "monitor: legacy and new side by side for each metric the plan watches"
tmux_keys 7
wait_screen "error_rate legacy"
wait_screen "error_rate new"
# the plan's thresholds as the runner reads them: a bare value is an upper limit
wait_screen "> 0.5%     > 1%"
wait_screen "> 400      > 800"
tmux_keys 2

note "roll back the phase (id typed out), then halt with a reason and resume"
tmux_keys B
wait_screen "roll back acme's current phase"
tmux_keys a c m e Enter
wait_screen "rolling back"
wait_screen "RBKD"
tmux_keys H
wait_screen "halt acme (veto, stop the line): reason:"
tmux_keys Enter
wait_screen "a halt needs a reason"
tmux_keys H c u s t o m e r Space v e t o Enter
wait_screen "acme halted"
wait_screen "halted: "
tmux_keys P
wait_screen "halt lifted"

note "waves from the command line: throttle, then start (the wave name typed out)"
tmux_keys : w a v e Space r a m p Space t h r o t t l e Space 2 Enter
wait_screen "throttle wave ramp: type the wave name (ramp)"
tmux_keys r a m p Enter
wait_screen "wave ramp: throttle done"
tmux_keys : w a v e Space r a m p Space s t a r t Enter
tmux_keys n o p e Enter
wait_screen "nothing done: type the wave name 'ramp' exactly"
tmux_keys : w a v e Space r a m p Space s t a r t Enter r a m p Enter
wait_screen "wave ramp: start done"
tmux_keys 1
wait_until 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E '^(initech|umbrella) .*(WAIT|RUN|OK)'" ||
	{ tmux_screen >&2; fail "the ramp wave's accounts did not start"; }
tmux_keys : w a v e Space n o s u c h Space p o s t p o n e Enter n o s u c h Enter
wait_screen "unknown wave 'nosuch'"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the console did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }

note "every action is in the audit log, and the chain holds"
expect_exit 0 "$WARROOM" audit tail "$P" --db "$DB" -n 1000
for a in console.open check.tick gate.sign wave; do expect_out "$a"; done
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB"
echo "console run e2e ok"
