#!/usr/bin/env bash
# Every view, by its key and by its `:` name, in an operator's console at
# 80x24 and at 200x60 and in an observer's: the status line names the view (the
# import view as the others), the view draws its title under the header,
# `?` lists that view's keys, and a resize below 80x24 and back leaves no
# trace of the small screen. Run under ASan: no report, exit 0.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR XDG_CONFIG_HOME
export HOME=$T/home
mkdir -p "$HOME"
P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
DB=$T/views.db

# KEY NAME TITLE: the views as the keymap binds them, and how each titles itself
VIEWS="1 accounts Accounts
2 run Run
3 gate Gate
4 diff Diff
5 audit Audit
6 exceptions Exceptions
7 monitor Monitor
8 import Import"

status_row() { tmux_screen | tail -n 2 | head -n 1; }
title_row() { tmux_screen | sed -n 3p; }
# shows NAME TITLE: the status line names the view, the title row starts with its title
shows() {
	wait_until 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | tail -n 2 | head -n 1 | grep -qF '[$1]'" ||
		{ tmux_screen >&2; fail "the status line does not name the $1 view: $(status_row)"; }
	wait_until 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main | sed -n 3p | grep -qE '^ $2( |\$)'" ||
		{ tmux_screen >&2; fail "the $1 view has no '$2' title: $(title_row)"; }
	screen_has "needs at least" && { tmux_screen >&2; fail "the small screen's message is left on the $1 view"; }
	return 0
}
resize() { tmux -L "$TMUX_SOCK" resize-window -t main -x "$1" -y "$2"; }

visit_all() { # COLS ROWS
	local key name title
	while read -r key name title; do
		tmux_keys "$key"
		shows "$name" "$title"
		tmux_keys ?
		wait_screen "Keys of the $name view"
		wait_screen "[help]"
		tmux_keys q
		shows "$name" "$title"
		resize 60 20
		wait_screen "needs at least 80x24; this terminal is 60x20"
		resize 79 24
		wait_screen "needs at least 80x24; this terminal is 79x24"
		resize "$1" "$2"
		shows "$name" "$title"
	done <<<"$VIEWS"
	# the same views by name on the command line
	while read -r key name title; do
		tmux_keys :
		tmux_keys -l "$name"
		tmux_keys Enter
		shows "$name" "$title"
	done <<<"$VIEWS"
}

for run in "console 80 24" "console 200 60" "observe 80 24"; do
	read -r mode cols rows <<<"$run"
	note "$mode at ${cols}x$rows: every view"
	rm -f "$T/rc"
	tmux_start "$cols" "$rows" "$WARROOM $mode $P --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
	wait_screen "Accounts  4 of 4 shown"
	visit_all "$cols" "$rows"
	tmux_keys : t h e m e Space l i g h t Enter
	wait_screen "theme light"
	tmux_keys Q
	wait_until 10 test -s "$T/rc" || { tmux_screen >&2; fail "the $mode console did not quit"; }
	[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "$mode exited $(cat "$T/rc")"; }
	grep -q "Sanitizer" "$T/console.err" && { cat "$T/console.err" >&2; fail "sanitizer report"; }
	tmux_stop
done

note "a view opened by --view is named too"
rm -f "$T/rc"
tmux_start 80 24 "$WARROOM observe $P --db $DB --view import 2>$T/console.err; echo \$? >$T/rc; sleep 60"
shows import Import
tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the observer did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "observe --view import exited $(cat "$T/rc")"; }
echo "console views e2e ok"
