#!/usr/bin/env bash
# A step's progress bar in the run view: a headless run starts a backfill on
# the simulator while an observer's console watches the run view; the bar
# beside the step and above its output shows a partial percentage, then
# 100 % once the step has succeeded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/programs/engine.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
start_sim --backfill-ms 4000
P=$(program_copy "$ROOT/tests/e2e/programs/progress" progress)
DB=$T/progress.db

note "the store exists before the observer opens it read-only"
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note --detail '{"text":"progress e2e"}'

note "an observer's console on the run view, before the run starts"
tmux_start 160 40 "$WARROOM observe $P --db $DB --view run 2>$T/observe.err; echo \$? >$T/rc; sleep 60"
wait_screen "Run  acct-001"
wait_screen "TODO  s-backfill"
tmux_keys j # the cursor on the step: its output pane below
wait_screen " output s-backfill"

note "the run, headless in the background"
"$WARROOM" run "$P" --db "$DB" --account acct-001 --yes >"$T/run.out" 2>"$T/run.err" &
RUN_PID=$!
PIDS+=($RUN_PID)

note "a partial percentage beside the running step and above its output"
partial() {
	tmux_screen | grep -E "RUN +s-backfill .*\] +([1-9]|[1-9][0-9])%" &&
		tmux_screen | grep -E "^ output s-backfill .*\] +([1-9]|[1-9][0-9])%"
}
wait_until 20 partial || { tmux_screen >&2; fail "no partial progress bar while the step ran"; }
wait_screen "progress " # the runner's own lines in the output pane

note "the step succeeds: the bar stays, at 100 %"
wait_until 30 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -E 'OK +s-backfill .*\] 100%'" ||
	{ tmux_screen >&2; fail "the succeeded step does not show 100 %"; }
wait_screen " output s-backfill  ["
tmux_screen | grep -E "^ output s-backfill .*\] 100%" >/dev/null || { tmux_screen >&2; fail "the output pane's bar is not at 100 %"; }
set +e; wait "$RUN_PID"; rc=$?; set -e
[ "$rc" = 0 ] || { cat "$T/run.out" "$T/run.err" >&2; fail "the run exited $rc"; }
expect_exit 0 curl -sf "$SIM_URL/v1/tenants/acct-001"
expect_out '"state": *"done"'

tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the observer did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/observe.err" >&2; fail "observer exited $(cat "$T/rc")"; }
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB"
echo "console progress e2e ok"
