#!/usr/bin/env bash
# A database from before the table of newest samples (schema version 5):
# an observer's console, which may not migrate, says what to do on its
# status line (at its next reload) and quits cleanly; an operator's command migrates the file,
# the table is filled from the history (a same-time tie to the later row),
# and the observer then shows the program pass rate from it.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color
unset NO_COLOR XDG_CONFIG_HOME
export HOME=$T/home WARROOM_THEMES=$ROOT/themes
mkdir -p "$HOME"
command -v sqlite3 >/dev/null || fail "the sqlite3 shell is needed"
P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
sed -i "s/\broot\b/$(id -un)/g" "$P/roster.yaml"
DB=$T/console.db

console() { # ARGS...: the console in tmux, 200x50; its exit code lands in $T/rc
	rm -f "$T/rc"
	tmux_start 200 50 "$WARROOM $* 2>$T/console.err; echo \$? >$T/rc; sleep 60"
}
quit_console() {
	tmux_keys Q
	wait_until 10 test -s "$T/rc" || { tmux_screen >&2; fail "the console did not quit"; }
	[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "the console exited $(cat "$T/rc")"; }
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
}

note "a version 5 file: pass-rate history, then the newest-samples table taken away"
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note
sqlite3 "$DB" "
INSERT INTO samples(account, kind, name, value, passed, evaluated, ts_ms) VALUES
  ('acme', 'parity', 'pass_rate', 0.0, 0, 10, 1000),
  ('acme', 'parity', 'pass_rate', 0.9, 9, 10, 2000),
  ('globex', 'parity', 'pass_rate', 0.1, 1, 10, 3000),
  ('globex', 'parity', 'pass_rate', 0.7, 7, 10, 3000);
DROP TRIGGER samples_latest_insert;
DROP TRIGGER samples_latest_delete;
DROP TRIGGER samples_latest_update;
DROP TABLE samples_latest;
PRAGMA user_version = 5;"

note "an observer may not migrate: told what to do from its first frame and at each reload, no crash"
console observe "$P" --db "$DB"
wait_screen "kept from schema version 6 and this file is at version 5"
# another message takes the status line; the next reload says it again
tmux_keys r
wait_screen "read-only: this is an observer console"
# a sample appended by the operators' older warroom moves data_version
sqlite3 "$DB" "INSERT INTO samples(account, kind, name, value, passed, evaluated, ts_ms)
  VALUES ('acme', 'parity', 'hash/service', 1.0, 3, 3, 2500)"
wait_screen "kept from schema version 6 and this file is at version 5"
quit_console
[ "$(sqlite3 "$DB" "PRAGMA user_version")" = 5 ] || fail "the observer changed the schema"

note "an operator's command migrates; the table holds the newest of each series"
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note
[ "$(sqlite3 "$DB" "PRAGMA user_version")" = 6 ] || fail "not migrated to version 6"
got=$(sqlite3 "$DB" "SELECT account || ' ' || name || ' ' || passed || '/' || evaluated
  FROM samples_latest ORDER BY account, name")
want=$(printf 'acme hash/service 3/3\nacme pass_rate 9/10\nglobex pass_rate 7/10')
[ "$got" = "$want" ] || fail "samples_latest holds '$got', expected '$want'"

note "the observer reads the program pass rate from it: (9 + 7) / (10 + 10)"
console observe "$P" --db "$DB"
wait_screen "pass 80.00%"
tmux_screen | grep -qF "schema version" && fail "the upgrade message stayed"
quit_console
note ok
