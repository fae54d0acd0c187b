#!/usr/bin/env bash
# The audit log: appends per second, durable one by one and batched, and
# chain verification per second; the peer is the sqlite3 shell inserting the
# same number of plain rows (same columns, no hash chain) the same two ways,
# so the ratio is what the chain and redaction cost. Writes markdown to $1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:?usage: bench_audit.sh OUTPUT.md}
BENCH=$BUILD/bench/audit_bench
[ -x "$BENCH" ] || { echo "build $BENCH first (make bench)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "the sqlite3 shell is needed as the peer" >&2; exit 1; }

N=${AUDIT_BENCH_N:-100000}                # batched appends and verify
BATCH=${AUDIT_BENCH_BATCH:-1000}          # records per transaction
RUNS=${AUDIT_BENCH_RUNS:-5}               # repetitions for medians
DN=${AUDIT_BENCH_DURABLE_N:-10000}        # durable per record, repeated
DRUNS=${AUDIT_BENCH_DURABLE_RUNS:-3}
DFULL=${AUDIT_BENCH_DURABLE_FULL:-100000} # durable per record, once (0: skip)

W=$(mktemp -d "${TMPDIR:-/tmp}/warroom-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

source tests/bench/lib.sh

# Wall-clock seconds of one whole process, startup included, as for the peer.
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}'
}

# warroom: seconds for one append run on a fresh file.
wr_append() { # RECORDS PER-TX
	rm -f "$W/wr.db" "$W/wr.db-wal" "$W/wr.db-shm"
	timed "$BENCH" append "$W/wr.db" "$1" "$2"
}

# The peer's script: the audit table's columns, the same durability pragmas,
# rows of the same shape and size as warroom's records.
peer_sql() { # RECORDS PER-TX
	awk -v n="$1" -v b="$2" 'BEGIN {
		h = "5f2d0c9be4a1a7f3c1b8e2d4f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9"
		print "PRAGMA journal_mode = WAL;"
		print "PRAGMA synchronous = FULL;"
		print "CREATE TABLE audit (seq INTEGER PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL," \
		      " host TEXT NOT NULL, ssh_client TEXT NOT NULL DEFAULT \x27\x27, role TEXT NOT NULL," \
		      " action TEXT NOT NULL, account TEXT NOT NULL DEFAULT \x27\x27," \
		      " subject TEXT NOT NULL DEFAULT \x27\x27, detail TEXT NOT NULL DEFAULT \x27{}\x27," \
		      " plan_hash TEXT NOT NULL DEFAULT \x27\x27, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
		for (i = 0; i < n; i++) {
			if (b > 1 && i % b == 0) print "BEGIN;"
			printf "INSERT INTO audit VALUES (%d, \x272026-01-01T00:00:00.000Z\x27, \x27operator\x27," \
			       " \x27bench-host\x27, \x27\x27, \x27operator\x27, \x27http.request\x27, \x27acct-%03d\x27," \
			       " \x27s1\x27, \x27{\"attempt\":%d,\"method\":\"POST\",\"endpoint\":\"/api/v1/services\"," \
			       "\"status\":201,\"elapsed_ms\":%d}\x27, \x27bench-plan\x27, \x27%s\x27, \x27%s\x27);\n",
			       i + 1, i % 500, i % 3 + 1, i % 250, h, h
			if (b > 1 && (i % b == b - 1 || i == n - 1)) print "COMMIT;"
		}
	}'
}

peer_append() { # SQL-FILE
	rm -f "$W/peer.db" "$W/peer.db-wal" "$W/peer.db-shm"
	timed sqlite3 -bail "$W/peer.db" ".read $1"
}

# Median seconds over RUNS of: FUNCTION ARGS...
median_of() {
	local runs=$1; shift
	for ((r = 0; r < runs; r++)); do "$@"; echo; done | median
}

peer_sql "$N" "$BATCH" >"$W/batched.sql"
peer_sql "$DN" 1 >"$W/durable.sql"

echo "-- batched: $N records, $BATCH per transaction, $RUNS runs" >&2
wr_batched=$(median_of "$RUNS" wr_append "$N" "$BATCH")
peer_batched=$(median_of "$RUNS" peer_append "$W/batched.sql")

echo "-- verify: $N records, $RUNS runs" >&2
rm -f "$W/wr.db" "$W/wr.db-wal" "$W/wr.db-shm"
"$BENCH" append "$W/wr.db" "$N" "$BATCH" >/dev/null
verify_once() {
	local line
	line=$("$BENCH" verify "$W/wr.db")
	[ "${line%% *}" = "$N" ] || { echo "verify read ${line%% *} records, wanted $N" >&2; exit 1; }
	echo "${line#* }"
}
wr_verify=$(median_of "$RUNS" verify_once)

echo "-- durable: $DN records one transaction each, $DRUNS runs" >&2
wr_durable=$(median_of "$DRUNS" wr_append "$DN" 1)
peer_durable=$(median_of "$DRUNS" peer_append "$W/durable.sql")

full_rows=""
if [ "$DFULL" -gt 0 ]; then
	echo "-- durable: $DFULL records one transaction each, once" >&2
	peer_sql "$DFULL" 1 >"$W/full.sql"
	wr_full=$(wr_append "$DFULL" 1)
	peer_full=$(peer_append "$W/full.sql")
	full_rows="| append, durable per record, $(fmt "$DFULL") records (one run) | $(fmt "$(rate "$DFULL" "$wr_full")")/s | $(fmt "$(rate "$DFULL" "$peer_full")")/s | $(ratio "$(rate "$DFULL" "$wr_full")" "$(rate "$DFULL" "$peer_full")") |"
fi

vrate=$(rate "$N" "$wr_verify")
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
target=200000
verdict="meets"
[ "$vrate" -ge "$target" ] || verdict="MISSES"
{
	echo "## Audit log: appends and chain verification"
	echo
	echo "\`tests/bench/audit_bench\` appends real audit records (identity, redacted"
	echo "JSON detail, SHA-256 chain link, head mark) to a fresh WAL database with"
	echo "synchronous=FULL, and verifies the chain. The peer is the sqlite3 shell"
	echo "inserting the same number of rows of the same columns and size into the"
	echo "same kind of database, with no hashing or redaction. \"Durable per record\""
	echo "commits (and syncs) every record alone; \"batched\" commits $(fmt "$BATCH") per"
	echo "transaction. Times are whole processes, startup included, for both."
	echo "Medians of $RUNS runs; durable: $DRUNS runs of $(fmt "$DN") records, as a sync per"
	[ "$DFULL" -gt 0 ] &&
		echo "record is slow, and one run of $(fmt "$DFULL")." ||
		echo "record is slow."
	echo
	echo "| measure | warroom | sqlite3 shell, plain rows | warroom / peer |"
	echo "|---|---:|---:|---:|"
	echo "| append, batched, $(fmt "$N") records | $(fmt "$(rate "$N" "$wr_batched")")/s | $(fmt "$(rate "$N" "$peer_batched")")/s | $(ratio "$(rate "$N" "$wr_batched")" "$(rate "$N" "$peer_batched")") |"
	echo "| append, durable per record, $(fmt "$DN") records | $(fmt "$(rate "$DN" "$wr_durable")")/s | $(fmt "$(rate "$DN" "$peer_durable")")/s | $(ratio "$(rate "$DN" "$wr_durable")" "$(rate "$DN" "$peer_durable")") |"
	[ -z "$full_rows" ] || echo "$full_rows"
	echo "| verify the chain, $(fmt "$N") records | $(fmt "$vrate") records/s | — | — |"
	echo
	echo "Verification $verdict the target of $(fmt "$target") records/s."
	echo "A ratio below 1 is what the chain, redaction and head mark cost per record"
	echo "against a bare insert; durable runs are dominated by the disk's sync."
	echo "Verification is \`audit_verify\`, which runs the resumable cursor"
	echo "(\`audit_verify_step\`) the console drives in slices, in one step to the end."
	echo "Load average when measured (other work on the machine): ${load_avg}."
} >"$OUT"
cat "$OUT"
