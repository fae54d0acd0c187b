#!/usr/bin/env bash
# The one binary's surface: help, version, every command's help, usage exit
# codes, "did you mean", and `make install` putting everything in its place.
source "$(dirname "$0")/lib.sh"

note "help and version"
expect_exit 0 "$WARROOM" --help
expect_out "^usage: warroom"
expect_out "exit codes: 0 ok"
expect_exit 0 "$WARROOM" --version
expect_out "^warroom $(cat "$ROOT/VERSION")\$"
expect_exit 0 "$WARROOM" version
expect_out "^warroom [0-9]+\.[0-9]+\.[0-9]+\$"
expect_exit 2 "$WARROOM"
expect_out "^usage: warroom"

note "every listed command answers help and --help the same way"
"$WARROOM" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}' >"$T/commands"
[ "$(wc -l <"$T/commands")" -ge 4 ] || fail "the command list is short: $(cat "$T/commands")"
while read -r cmd; do
	expect_exit 0 "$WARROOM" help "$cmd"
	cp "$T/out" "$T/help.$cmd"
	expect_out "^usage: warroom $cmd"
	expect_exit 0 "$WARROOM" "$cmd" --help
	cmp -s "$T/out" "$T/help.$cmd" || fail "'$cmd --help' differs from 'help $cmd'"
	grep -qE "^\.BI? \"?$cmd( |\"|\$)" "$ROOT/docs/warroom.1" ||
		fail "the man page does not describe '$cmd'"
done <"$T/commands"

note "usage errors"
expect_exit 2 "$WARROOM" vresion
expect_out "did you mean 'version'"
expect_exit 2 "$WARROOM" frobnicate
expect_out "not a command"
expect_exit 2 "$WARROOM" help frobnicate
expect_out "no such command"

note "make install"
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$T/dest" PREFIX=/usr >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; fail "make install failed"; }
[ -x "$T/dest/usr/bin/warroom" ] || fail "no binary installed"
[ -f "$T/dest/usr/share/man/man1/warroom.1" ] || fail "no man page installed"
ls "$T/dest/usr/share/warroom/themes/"*.yaml >/dev/null || fail "no themes installed"
"$T/dest/usr/bin/warroom" --version | grep -q "^warroom " || fail "the installed binary does not run"
