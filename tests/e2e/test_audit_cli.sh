#!/usr/bin/env bash
# `warroom audit` end to end: records appended by the binary, tampered with by
# the sqlite3 shell, verified, followed, exported; secrets kept out of the
# file; kill -9 mid-append; an observer account that may only read.
source "$(dirname "$0")/lib.sh"

DB=$T/prog/warroom.db
mkdir -p "$T/prog"
append() { "$WARROOM" audit append --db "$DB" "$@"; }

note "append and verify"
for i in 1 2 3 4 5; do
	expect_exit 0 append --action step.start --account "acct-00$i" --subject s1 \
		--detail "{\"attempt\": $i, \"msg\": \"a, \\\"quoted\\\" note\"}"
	expect_out "^recorded $i\$"
done
expect_exit 0 "$WARROOM" audit verify --db "$DB"
expect_out "audit log intact: 5 records, head [0-9a-f]{64}"

note "the program folder and \$WARROOM_DB name the same database"
expect_exit 0 "$WARROOM" audit verify "$T/prog"
expect_out "intact: 5 records"
WARROOM_DB=$DB expect_exit 0 "$WARROOM" audit verify
expect_out "intact: 5 records"

note "tail"
expect_exit 0 "$WARROOM" audit tail --db "$DB" -n 2
[ "$(wc -l <"$T/out")" -eq 2 ] || { cat "$T/out"; fail "tail -n 2 printed other than 2 lines"; }
expect_out "^4 .* step.start acct-004/s1"
expect_out "^5 .* step.start acct-005/s1"

note "export"
expect_exit 0 "$WARROOM" audit export --db "$DB" --format jsonl -o "$T/log.jsonl"
python3 - "$T/log.jsonl" <<'EOF' || fail "jsonl export is not 5 JSON records in order"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5], rows
assert rows[2]["detail"]["attempt"] == 3 and rows[2]["account"] == "acct-003"
assert all(len(r["hash"]) == 64 for r in rows)
assert rows[1]["prev_hash"] == rows[0]["hash"]
EOF
expect_exit 0 "$WARROOM" audit export --db "$DB" --format csv -o "$T/log.csv"
python3 - "$T/log.csv" <<'EOF' || fail "csv export does not parse back"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 5, rows
assert json.loads(rows[4]["detail"])["msg"] == 'a, "quoted" note'
EOF
expect_exit 2 "$WARROOM" audit export --db "$DB"
expect_out "needs --format"
expect_exit 2 "$WARROOM" audit export --db "$DB" --format xml
expect_out "unknown format 'xml'"

note "secrets never reach the file"
expect_exit 0 append --action http.request \
	--detail '{"headers":{"Authorization":"Bearer TOPSECRET-1"},"url":"https://x/?api_key=TOPSECRET-2","password":"TOPSECRET-3","note":"VISIBLE-4"}'
expect_exit 0 "$WARROOM" audit tail --db "$DB" -n 1
expect_out "VISIBLE-4"
grep -q TOPSECRET "$T/out" && fail "a secret reached the screen"
cat "$DB" "$DB-wal" >"$T/bytes" 2>/dev/null || true
grep -qa VISIBLE-4 "$T/bytes" || fail "the note did not reach the file (wrong bytes searched?)"
grep -qa TOPSECRET "$T/bytes" && fail "a secret reached the database file"

note "follow sees another process's record"
"$WARROOM" audit tail --db "$DB" -n 1 -f >"$T/follow" 2>&1 &
FOLLOW=$!
PIDS+=($FOLLOW)
wait_until 10 grep -q "^6 " "$T/follow" || fail "tail -f printed nothing"
expect_exit 0 append --action note --detail '{"text":"from another shell"}'
wait_until 10 grep -q "from another shell" "$T/follow" || { cat "$T/follow"; fail "tail -f missed a record"; }
kill -TERM "$FOLLOW"
wait "$FOLLOW" || fail "tail -f did not exit cleanly on SIGTERM"

note "tampering is found, first broken record named"
sqlite3 "$DB" ".backup '$T/pristine.db'"
sqlite3 "$DB" "UPDATE audit SET detail = '{\"attempt\":99}' WHERE seq = 3"
expect_exit 1 "$WARROOM" audit verify --db "$DB"
expect_out "broken at record 3: .*edited"
cp "$T/pristine.db" "$T/deleted.db"
sqlite3 "$T/deleted.db" "DELETE FROM audit WHERE seq = 2"
expect_exit 1 "$WARROOM" audit verify --db "$T/deleted.db"
expect_out "broken at record 2: record 2 is missing"
cp "$T/pristine.db" "$T/swapped.db"
sqlite3 "$T/swapped.db" "UPDATE audit SET seq = -4 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = -4;"
expect_exit 1 "$WARROOM" audit verify --db "$T/swapped.db"
expect_out "broken at record 4: .*reordered"
cp "$T/pristine.db" "$T/cut.db"
sqlite3 "$T/cut.db" "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)"
expect_exit 1 "$WARROOM" audit verify --db "$T/cut.db"
expect_out "deleted from the end"
rm -f "$DB-wal" "$DB-shm"
cp "$T/pristine.db" "$DB"
expect_exit 0 "$WARROOM" audit verify --db "$DB"

note "kill -9 while appending leaves a whole chain"
CRASH=$T/crash.db
expect_exit 0 "$WARROOM" audit append --db "$CRASH" --action start
( while :; do "$WARROOM" audit append --db "$CRASH" --action tick >/dev/null 2>&1 || true; done ) &
LOOP=$!
PIDS+=($LOOP)
# A few records are enough to land the kill mid-append; a loaded machine
# starts sanitized processes slowly, hence the generous limit.
crash_rows() { [ "$(sqlite3 -cmd '.timeout 2000' "$CRASH" 'SELECT count(*) FROM audit' 2>/dev/null || echo 0)" -ge 4 ]; }
wait_until 60 crash_rows ||
	fail "the append loop made no progress"
# Kill the loop and whatever append it has in flight, without a chance to clean up.
kill -STOP "$LOOP" 2>/dev/null || true
pkill -9 -P "$LOOP" 2>/dev/null || true
kill -9 "$LOOP" 2>/dev/null || true
wait "$LOOP" 2>/dev/null || true
expect_exit 0 "$WARROOM" audit verify --db "$CRASH"
expect_out "audit log intact"
expect_exit 0 "$WARROOM" audit append --db "$CRASH" --action after-crash
expect_exit 0 "$WARROOM" audit verify --db "$CRASH"

note "an observer account that may only read"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	chmod 0444 "$DB" "$DB-wal" "$DB-shm"
	chmod 0555 "$T/prog"
	chmod 0755 "$T"
	as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
	expect_exit 0 as_nobody "$WARROOM" audit verify --db "$DB"
	expect_out "intact: 7 records"
	expect_exit 0 as_nobody "$WARROOM" audit tail --db "$DB" -n 1
	expect_out "from another shell"
	expect_exit 1 as_nobody "$WARROOM" audit append --db "$DB" --action sneaky
	expect_out "may not write"
	chmod 0755 "$T/prog"
	chmod 0644 "$DB" "$DB-wal" "$DB-shm"
else
	note "skipped: needs root to become nobody"
fi

note "bad input"
expect_exit 2 "$WARROOM" audit
expect_exit 2 "$WARROOM" audit frobnicate
expect_out "no subcommand 'frobnicate'"
expect_exit 2 append --action x --detail '{not json'
expect_out "not JSON"
expect_exit 2 append --detail '{}'
expect_out "needs --action"
expect_exit 2 "$WARROOM" audit tail --db "$DB" -n -3
expect_exit 1 "$WARROOM" audit verify --db "$T/none.db"
expect_out "no such database"
printf 'not a database at all, just some words in a file\n' >"$T/junk.db"
expect_exit 1 "$WARROOM" audit verify --db "$T/junk.db"
expect_out "junk.db"
mkdir -p "$T/adir"
expect_exit 1 "$WARROOM" audit verify --db "$T/adir"
expect_out "adir is a folder, not a database file"
expect_exit 1 append --db "$T/no-such-folder/x.db" --action x
expect_out "cannot create the database: folder .*no-such-folder"
expect_exit 1 "$WARROOM" audit verify "$T/pristine.db"
expect_out "is a database; name it with --db"
sqlite3 "$T/future.db" "CREATE TABLE t(x); PRAGMA user_version = 999;"
expect_exit 1 "$WARROOM" audit verify --db "$T/future.db"
expect_out "newer warroom"
echo "ok"
