#!/usr/bin/env bash
# The console driven as a person would, in a real terminal (tmux): opens the
# test program at 80x24 and 200x60, visits every view, sorts, filters,
# groups, signs a gate as an approver, is refused as a non-approver and as
# an observer, switches themes, resizes, quits; screens are compared with
# tests/e2e/screens/ (clock, dates and login masked). Set UPDATE_SCREENS=1 to
# rewrite the expected screens after a deliberate change.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color
unset NO_COLOR XDG_CONFIG_HOME
export HOME=$T/home WARROOM_THEMES=$ROOT/themes
mkdir -p "$HOME"
ME=$(id -un)
SCREENS=$ROOT/tests/e2e/screens

# The program, with the current login as the SRE Lead (the approver of g-canary).
P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
sed -i "s/\broot\b/$ME/g" "$P/roster.yaml"
DB=$T/console.db

mask() {
	sed -E -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2} UTC \/ [0-9]{2}:[0-9]{2} [A-Z+0-9-]+/HH:MM:SS UTC \/ HH:MM TZ/' \
		-e 's/[0-9]{2}:[0-9]{2}:[0-9]{2} UTC/HH:MM:SS UTC/' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}[0-9:.Z]*/TIME/g' \
		-e 's/[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}Z/MM-DD HH:MMZ/g' \
		-e 's/T-[0-9]+/T-N/g' -e "s#db [^ ]+#db DB#" -e "s/\\b$ME\\b/LOGIN/g" \
		-e 's/[ ]+$//'
}
# check_screen NAME: the masked screen equals tests/e2e/screens/NAME.txt.
check_screen() {
	tmux_screen | mask >"$T/$1.txt"
	if [ "${UPDATE_SCREENS:-}" = 1 ]; then
		cp "$T/$1.txt" "$SCREENS/$1.txt"
		return
	fi
	diff -u "$SCREENS/$1.txt" "$T/$1.txt" >&2 || fail "screen $1 differs from $SCREENS/$1.txt"
}
screen_lacks() { ! screen_has "$1"; }
console() { # COLS ROWS ARGS...: the console in tmux; its exit code lands in $T/rc
	local cols=$1 rows=$2; shift 2
	rm -f "$T/rc"
	tmux_start "$cols" "$rows" "$WARROOM $* 2>$T/console.err; echo \$? >$T/rc; sleep 60"
}

note "operator console at 80x24"
console 80 24 console "$P" --db "$DB"
wait_screen "Accounts  4 of 4 shown"
wait_screen "consoles 1"
check_screen accounts-80x24

note "sort, flip, filter, group"
tmux_keys s
wait_screen "sort WAVE asc"
tmux_keys S
wait_screen "sort WAVE desc"
tmux_keys / w a v e : r a m p Enter
wait_screen "2 of 4 shown"
screen_lacks "globex" || fail "the filter wave:ramp still shows globex"
tmux_keys / Enter
wait_screen "4 of 4 shown"
tmux_keys / g l o b Enter
wait_screen "1 of 4 shown"
tmux_keys / Enter
tmux_keys w
wait_screen "-- wave canary"
tmux_keys w
tmux_keys Space Space
wait_screen "*initech"
tmux_keys a
wait_screen "marks cleared"

note "resize: 200x60 re-lays everything, below 80x24 it says what it needs"
tmux -L "$TMUX_SOCK" resize-window -t main -x 200 -y 60
wait_screen "NEXT / OWNER"
tmux_keys s s s s s s s s s s s s
wait_screen "sort ACCOUNT desc"
tmux_keys S
wait_screen "sort ACCOUNT asc"
check_screen accounts-200x60
tmux -L "$TMUX_SOCK" resize-window -t main -x 60 -y 20
wait_screen "needs at least 80x24"
tmux -L "$TMUX_SOCK" resize-window -t main -x 80 -y 24
wait_screen "Accounts  4 of 4"

note "run view"
tmux_keys Home Enter
wait_screen "Run  acme"
tmux_keys j
wait_screen "Creates the tenant"
wait_screen "no output yet"

note "gate: a wrong confirmation, a sign-off, a refusal as a non-approver"
tmux_keys g
wait_screen "Gate g-canary"
tmux_keys y
wait_screen "type the account id (acme)"
tmux_keys n o p e Enter
wait_screen "not signed: type the account id"
tmux_keys y a c m e Enter
wait_screen "signed g-canary for acme as SRE Lead"
wait_screen "GO: approvals complete"
check_screen gate-signed
tmux_keys t
wait_screen "automatic criteria are measured, not ticked"
tmux_keys j t
wait_screen "criteria describe them"
tmux_keys '>'
wait_screen "Gate g-cutover"
tmux_keys t
wait_screen "ticked by"
tmux_keys y
wait_screen "refused: $ME holds none of g-cutover's approver roles (DBA Lead)"
tmux_keys x
wait_screen "refused:"

note "help lists every key of the view"
tmux_keys '?'
wait_screen "Keys of the gate view"
screen_has "sign" || fail "help lacks the sign key"
tmux_keys q
wait_screen "Gate g-cutover"

note "command line: completion, themes"
tmux_keys : t h e Tab
wait_screen ":theme"
tmux_keys l i Tab Enter
wait_screen "theme light"
tmux_keys : t h e m e Space n o s u c h Enter
wait_screen "nosuch"
tmux_keys : t h e m e Space m o n o c h r o m e Enter
wait_screen "theme monochrome"
tmux_keys : b o g u s Enter
wait_screen "unknown command 'bogus'"

note "exceptions: add, close"
tmux_keys : e x c Tab Enter
wait_screen "Exceptions  0 open"
tmux_keys +
wait_screen "exception scope"
tmux_keys 'acme/user/*#time_zone' Enter alice Enter 7d Enter 'legacy zone names' Enter 'weekly review' Enter
wait_screen "registered (audited)"
wait_screen "1 open, 0 expired"
tmux_keys +
tmux_keys acme Enter bob Enter soon Enter why Enter Enter
wait_screen "no exception added"
tmux_keys Home c
wait_screen "close exception 1"
tmux_keys d o n e Enter
wait_screen "exception 1 closed"

note "audit: newest first, filter, verify, detail"
tmux_keys 5
wait_screen "Audit "
wait_screen "exception.close"
tmux_keys / a c t i o n : g a t e . s i g n Enter
wait_screen "1 shown"
tmux_keys v
wait_screen "chain intact"
tmux_keys Enter
wait_screen "Audit record"
wait_screen '"checklist"' 
tmux_keys q
wait_screen "chain intact"

note "monitor and diff show absent data as absent"
tmux_keys 7
wait_screen "Monitor"
wait_screen "no samples yet"
tmux_keys o
wait_screen "program (all accounts)"
tmux_keys 4
wait_screen "nothing to compare yet (:diff snapshot|source|preview|reference TYPE ID"

note "an action key answers with a clear message; Q quits and restores the terminal"
tmux_keys Z
wait_screen "Z: no such key here"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the console did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
tmux_stop

note "the operator's console opening is an audit record"
expect_exit 0 "$WARROOM" audit tail "$P" --db "$DB" -n 100
expect_out "console.open"
expect_out "gate.sign"
expect_out "check.tick"

note "observer: read-only, sees another console's change without a key"
console 80 24 observe "$P" --db "$DB" --view audit
wait_screen "OBSERVER"
wait_screen "Audit "
tmux_keys 3
wait_screen "Gate g-canary"
tmux_keys y
wait_screen "read-only: this is an observer console"
tmux_keys 6
tmux_keys +
wait_screen "read-only"
tmux_keys : w a v e Space r a m p Space p o s t p o n e Enter
wait_screen "read-only"
tmux_keys 5
wait_screen "Audit "
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note --detail '{"text":"seen-by-observer"}'
wait_screen " note " 3
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the observer did not quit"
tmux_stop

note "observer on a database it may only read"
chmod 0444 "$DB"
console 80 24 observe "$P" --db "$DB"
wait_screen "OBSERVER"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the observer did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "observer on a read-only file exited $(cat "$T/rc")"; }
tmux_stop
chmod 0644 "$DB"

note "a fatal signal restores the terminal"
console 80 24 console "$P" --db "$DB"
wait_screen "Accounts"
pkill_target=$(tmux -L "$TMUX_SOCK" list-panes -t main -F '#{pane_pid}')
child=$(pgrep -P "$pkill_target" -f "warroom" | head -n1)
[ -n "$child" ] || fail "no console process found"
kill -TERM "$child"
wait_until 10 test -s "$T/rc" || fail "the console ignored SIGTERM"
[ "$(cat "$T/rc")" = 143 ] || fail "SIGTERM exit code $(cat "$T/rc"), expected 143"
screen_lacks "Accounts" || fail "the alternate screen was not left"
tmux_stop

note "diff pane: side by side, unified when narrow, n/N, verbose"
tmux_start 200 40 "cd $P && $WARROOM console --diff diff-left.json diff-right.json; echo \$? >$T/rc; sleep 60"
wait_screen "3 changed, 2 added, 1 removed, 6 unchanged  side by side"
check_screen diff-200x40
tmux_keys n
wait_screen "difference at /escalation_policy/rules/0/delay"
tmux_keys n n N
wait_screen "difference at /escalation_policy/rules/0/targets/2"
tmux_keys v
wait_screen '"Checkout API"'
tmux_keys v
tmux -L "$TMUX_SOCK" resize-window -t main -x 80 -y 24
wait_screen "unified"
check_screen diff-80x24
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the diff console did not quit"
tmux_stop
echo '{"a": [1, 2' >"$T/bad.json"
rm -f "$T/rc"
tmux_start 80 24 "cd $P && $WARROOM console --diff diff-left.json $T/bad.json; echo \$? >$T/rc; sleep 60"
wait_screen "right document is not valid JSON"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the diff console did not quit on bad JSON"
tmux_stop

note "colour: NO_COLOR gives none; 256, 16 and 8-colour terminals all draw"
colour_codes() { tmux -L "$TMUX_SOCK" capture-pane -e -p -t main | grep -cE $'\e\\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])[;m]' || true; }
for term in xterm-256color xterm-16color xterm; do
	rm -f "$T/rc"
	tmux_start 80 24 "TERM=$term $WARROOM observe $P --db $DB; echo \$? >$T/rc; sleep 60"
	wait_screen "OBSERVER"
	[ "$(colour_codes)" -gt 0 ] || fail "no colour drawn on $term"
	tmux_keys Q
	wait_until 10 test -s "$T/rc" || fail "the console did not quit on $term"
	tmux_stop
done
rm -f "$T/rc"
tmux_start 80 24 "NO_COLOR=1 $WARROOM observe $P --db $DB; echo \$? >$T/rc; sleep 60"
wait_screen "OBSERVER"
[ "$(colour_codes)" = 0 ] || fail "NO_COLOR still drew colours"
screen_has "IDLE" || fail "states lack their words in monochrome"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the console did not quit"
tmux_stop

note "a locale without UTF-8 gets ASCII symbols and boxes"
rm -f "$T/rc"
tmux_start 80 24 "LANG=C LC_ALL=C $WARROOM observe $P --db $DB; echo \$? >$T/rc; sleep 60"
wait_screen "OBSERVER"
wait_until 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | grep -qE '^acme +canary +- +- +\\. IDLE'" ||
	{ tmux_screen >&2; fail "ASCII forms missing in the C locale"; }
tmux_keys 2
wait_screen "Run  acme"
screen_has "|" || fail "no ASCII box in the C locale"
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the console did not quit"
tmux_stop

note "bad input: no program, a bad theme"
expect_exit 2 "$WARROOM" console
expect_out "which program"
expect_exit 2 "$WARROOM" console "$P" --db "$DB" --theme nosuch
expect_out "nosuch"
expect_exit 2 "$WARROOM" observe "$P" --db "$DB" --view nosuch
expect_out "--view nosuch: no such view \(accounts, run, gate, diff, audit, exceptions, monitor, import, help\)"
echo "console e2e ok"
