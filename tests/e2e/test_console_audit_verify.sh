#!/usr/bin/env bash
# The audit view verifies a large log without freezing: `v` shows progress,
# a movement key is answered while the walk goes on, `v` again restarts it, a
# record appended meanwhile is walked before the verdict, and a record edited
# in the middle is named. The log is written by a small script that chains
# records with its own reading of the canonical format, so `audit verify`
# accepting it also checks that format from outside.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR=1
export HOME=$T/home WARROOM_THEMES=$ROOT/themes
mkdir -p "$HOME"
N=${AUDIT_VERIFY_RECORDS:-300000}

P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
DB=$T/audit.db

note "the store, then $N records chained straight into it"
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note --detail '{"text":"first"}'
python3 - "$DB" "$N" <<'EOF'
import hashlib, sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
seq, prev = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
names = ("ts", "actor", "host", "ssh_client", "role", "action", "account", "subject",
         "detail", "plan_hash", "prev_hash")
rows = []
for s in range(seq + 1, n + 1):
    f = {"ts": "2026-01-01T00:00:%02d.%03dZ" % (s // 1000 % 60, s % 1000), "actor": "filler",
         "host": "bench", "ssh_client": "", "role": "operator", "action": "http.request",
         "account": "acct-%03d" % (s % 500), "subject": "s1",
         "detail": '{"attempt":%d,"status":201}' % (s % 3 + 1), "plan_hash": "e2e",
         "prev_hash": prev}
    text = "warroom-audit-1\nseq=%d\n" % s
    for k in names:
        b = f[k].encode()
        text += "%s=%d:%s\n" % (k, len(b), f[k])
    prev = hashlib.sha256(text.encode()).hexdigest()
    rows.append((s,) + tuple(f[k] for k in names) + (prev,))
con.executemany("INSERT INTO audit(seq, ts, actor, host, ssh_client, role, action, account, "
                "subject, detail, plan_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows)
con.execute("UPDATE meta SET value = ? WHERE key = 'audit.head'", ("%d %s" % (n, prev),))
con.commit()
EOF
expect_exit 0 "$WARROOM" audit verify "$P" --db "$DB"

# grouped N: 1234567 as the console writes it, 1,234,567.
grouped() { echo "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'; }
# progress: the records verified so far, as digits ("" when not verifying).
progress() { tmux_screen | sed -n 's/.*verifying \([0-9,]*\) \/.*/\1/p' | head -n1 | tr -d ,; }
progress_total() { tmux_screen | sed -n 's/.*verifying [0-9,]* \/ \([0-9,]*\).*/\1/p' | head -n1 | tr -d ,; }
# The cursor's row is drawn in reverse video (monochrome): its first field.
cursor_seq() {
	tmux -L "$TMUX_SOCK" capture-pane -e -p -t main | grep -E $'^\e\\[(0;)?7m' |
		sed -e 's/\x1b\[[0-9;]*m//g' | sed -En 's/^ ([0-9]+) +[0-9]{4}-.*/\1/p' | head -n1
}
cursor_on() { [ "$(cursor_seq)" = "$1" ]; }
progress_at_least() { local n; n=$(progress); [ -n "$n" ] && [ "$n" -ge "$1" ]; }
progress_below() { local n; n=$(progress); [ -n "$n" ] && [ "$n" -lt "$1" ]; }

note "an observer's console on the audit view"
tmux_start 160 40 "$WARROOM observe $P --db $DB --view audit 2>$T/console.err; echo \$? >$T/rc; sleep 60"
wait_screen "Audit  $N records"
wait_until 10 cursor_on "$N" || { tmux_screen >&2; fail "the cursor is not on the newest record"; }

note "v: progress, and a movement key answered while the walk goes on"
tmux_keys v
wait_screen "verifying"
tmux_keys j
wait_until 5 cursor_on $((N - 1)) || { tmux_screen >&2; fail "j was not answered while verifying"; }
done1=$(progress)
[ -n "$done1" ] || { tmux_screen >&2; fail "the walk was over before j was answered; use more records"; }
[ "$(progress_total)" = "$N" ] || { tmux_screen >&2; fail "progress is not out of $N"; }
[ "$done1" -lt "$N" ] || fail "progress $done1 is not below $N"

note "v again restarts the walk from the first record"
wait_until 60 progress_at_least $((N / 3)) || { tmux_screen >&2; fail "the walk never reached a third"; }
before=$(progress)
tmux_keys v
wait_until 5 progress_below "$before" || { tmux_screen >&2; fail "v did not restart the walk (was at $before)"; }

note "a record appended while verifying is walked before the verdict"
expect_exit 0 "$WARROOM" audit append "$P" --db "$DB" --action note --detail '{"text":"meanwhile"}'
progress_below "$N" || { tmux_screen >&2; fail "the walk ended before the append; use more records"; }
wait_screen "chain intact: $(grouped $((N + 1))) records verified" 120
! screen_has "verifying" || fail "progress still shown after the verdict"

note "a record edited in the middle is named"
python3 - "$DB" $((N / 2)) <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", (int(sys.argv[2]),))
con.commit()
EOF
tmux_keys v
wait_screen "CHAIN BROKEN at record $((N / 2))" 120
screen_has "(edited)" || { tmux_screen >&2; fail "the verdict does not say why"; }

tmux_keys Q
wait_until 10 test -s "$T/rc" || fail "the console did not quit"
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
echo "ok"
