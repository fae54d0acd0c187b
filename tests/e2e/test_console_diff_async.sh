#!/usr/bin/env bash
# `:diff` never blocks the console: with the simulator holding the target's
# answer (latency fault), the status line says "fetching ..." and its clock
# moves, a key pressed meanwhile changes the screen at once (its message
# holds the status line for a moment, then the clock is back), and the diff
# appears when the answer comes. A second `:diff` supersedes the first (the
# slow transfer is abandoned, its answer never drawn), Esc drops a fetch,
# and quitting during one ends at once and cleanly (ASan checks leaks).
# `?` lists the `:` commands with their words. The login is not in the
# program's roster, so the console is read-only: comparing only reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/programs/diff_tenant.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
PROG=$ROOT/tests/e2e/programs/parity
DB=$T/diff.db
HELD_MS=3000 # under the console's 5 s limit per entity
start_sim --accounts 3 --entities 20

diff_tenant "$PROG" "$DB"

# only the reference side is held: `:diff reference` waits, `:diff snapshot` does not
hold_source() { # [MS]
	curl -sf -XPOST -H 'Content-Type: application/json' \
		--data-binary "{\"latency_ms\":${1:-$HELD_MS},\"paths\":\"/v1/tenants/acct-001/parity/source/\"}" \
		"$SIM_URL/_sim/faults" >/dev/null
}
typeline() { # TEXT: typed on the `:` command line, then Enter
	tmux_keys :
	tmux_keys -l "$1"
	tmux_keys Enter
}
# held_requests: how the held reads ended, one "STATUS DURATION_MS" a line
held_requests() {
	curl -sf "$SIM_URL/_sim/requests" | jq -r \
		'.requests[] | select(.fault == "latency") | "\(.status) \(.duration_ms)"'
}

start_console() {
	rm -f "$T/rc"
	tmux_start 160 40 "WARROOM_SIM_URL=$SIM_URL $WARROOM console $PROG --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
	wait_screen "Accounts  3 of 3 shown"
}
start_console
hold_source

note "? lists the : commands with their words"
tmux_keys ?
wait_screen "Keys of the accounts view"
tmux_keys End # the commands come after the keys
wait_screen ":diff snapshot|source|preview|reference"
wait_screen ":theme [NAME]"
tmux_keys q
wait_screen "Accounts  3 of 3 shown"

note "a held fetch: the status line counts, keys answer, the diff comes with the answer"
typeline "diff reference services $SID"
wait_screen "fetching reference service '$SID' of acct-001 ..."
# the clock moves without a key pressed
wait_until 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -qE 'fetching .* [1-9]\.[0-9]s'" ||
	{ tmux_screen >&2; fail "the fetch's clock did not move"; }
tmux_keys ?
wait_screen "Keys of the accounts view" 1
screen_has "fetching reference service" || { tmux_screen >&2; fail "the help came only after the fetch"; }
screen_has "reference dataset" && { tmux_screen >&2; fail "the diff came before the held answer"; }
wait_screen "reference dataset (canonical): services $SID" 10
wait_screen "~ /name: \"edited-after-cutover\""
wait_screen "reference service of acct-001: 1 changed, 0 added, 0 removed"
[ "$(held_requests | wc -l)" = 1 ] || fail "expected one held request: $(held_requests)"
# (10 ms of slack: the simulator's own clock may round a held answer under)
held_requests | awk -v h=$HELD_MS '$1 != 200 || $2 < h - 10 { exit 1 }' ||
	fail "the held request did not end with its answer: $(held_requests)"

note "a message shown during a fetch holds the line a moment, then the clock comes back"
hold_source 4500
typeline "diff reference services $SID"
wait_screen "fetching reference service '$SID' of acct-001 ..."
tmux_keys Z
wait_screen "Z: no such key here"
wait_until 4 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -qE 'fetching reference .* [2-4]\.[0-9]s'" ||
	{ tmux_screen >&2; fail "the fetch's clock stayed hidden behind a message"; }
screen_has "Z: no such key here" && { tmux_screen >&2; fail "the message and the clock share the line"; }
wait_screen "reference service of acct-001: 1 changed" 10
hold_source

note "a second :diff supersedes the first: the held answer is never drawn"
curl -sf -X DELETE "$SIM_URL/_sim/requests" >/dev/null
typeline "diff reference services $SID"
wait_screen "fetching reference service '$SID' of acct-001"
typeline "diff snapshot services $SID"
wait_screen "snapshot service of acct-001: 2 changed, 0 added, 0 removed"
wait_screen "cutover snapshot "
# the first transfer was abandoned: the simulator saw the client leave
# long before the held time was up
wait_until 5 sh -c "[ \"\$(curl -sf '$SIM_URL/_sim/requests' | jq '[.requests[] | select(.fault == \"latency\")] | length')\" = 1 ]" ||
	fail "the superseded request never ended: $(held_requests)"
held_requests | awk -v h=$HELD_MS '$2 >= h - 500 { exit 1 }' ||
	fail "the superseded transfer ran to its end: $(held_requests)"
tmux_keys v # a key after the held time would have passed: the newer diff stays
wait_screen "unchanged fields shown"
screen_has "reference dataset" && { tmux_screen >&2; fail "a superseded answer was drawn"; }
screen_has "target now: services $SID" || { tmux_screen >&2; fail "the newer diff is gone"; }

note "Esc drops a running fetch and nothing else"
typeline "diff reference services $SID"
wait_screen "fetching reference service"
tmux_keys Escape
wait_screen "reference service '$SID' of acct-001: cancelled"
screen_has "[diff]" || { tmux_screen >&2; fail "Esc left the diff view too"; }
tmux_keys j
wait_screen "[diff]"
screen_has "reference dataset" && { tmux_screen >&2; fail "a cancelled answer was drawn"; }

note "quitting during a fetch ends at once, cleanly"
typeline "diff reference services $SID"
wait_screen "fetching reference service"
typeline q
wait_until 2 test -s "$T/rc" || { tmux_screen >&2; fail "the console waited for the fetch to quit"; }
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
grep -q "LeakSanitizer\|ERROR: AddressSanitizer" "$T/console.err" && { cat "$T/console.err" >&2; fail "sanitizer report"; }
echo "console diff async e2e ok"
