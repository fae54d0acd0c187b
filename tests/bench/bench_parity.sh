#!/usr/bin/env bash
# Parity at scale. (1) One million entity pairs parsed, canonicalised, hashed
# and compared, against two peers on the same files in the same run: the
# floor (sha256sum reading the same bytes) and a Python script doing the same
# work with json and hashlib; peak memory follows the entity count, not the
# bytes. Medians of repeated runs. Writes markdown to $1. (The bucketed
# comparison is bench_parity_buckets.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:?usage: bench_parity.sh OUTPUT.md}
BENCH=$BUILD/bench/parity_bench
[ -x "$BENCH" ] || { echo "build $BENCH first (make bench)" >&2; exit 1; }

N=${PARITY_BENCH_N:-1000000}          # entity pairs
DIFFS=${PARITY_BENCH_DIFFS:-100}      # real changes among them
RUNS=${PARITY_BENCH_RUNS:-3}          # repetitions for medians
PYRUNS=${PARITY_BENCH_PY_RUNS:-$RUNS}

W=$(mktemp -d "${TMPDIR:-/tmp}/warroom-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

source tests/bench/lib.sh
# CPU seconds (user + system) of one whole process, its stdout to $W/last:
# on a shared machine wall time measures the neighbours as much as the work.
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$W/cpu" "$@" >"$W/last"
		awk '{printf "%.3f", $1 + $2}' "$W/cpu"
	else
		local t0 t1
		t0=$(now)
		"$@" >"$W/last"
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
	fi
}
median_of() { # RUNS COMMAND...
	local runs=$1; shift
	for ((r = 0; r < runs; r++)); do timed "$@"; echo; done | median
}

echo "generating $N entity pairs" >&2
"$BENCH" gen "$N" "$W/left.jsonl" "$W/right.jsonl" "$DIFFS"
bytes=$(($(stat -c %s "$W/left.jsonl") + $(stat -c %s "$W/right.jsonl")))

t_sha=$(median_of "$RUNS" sha256sum "$W/left.jsonl" "$W/right.jsonl")
t_wr=$(median_of "$RUNS" "$BENCH" pairs "$W/left.jsonl" "$W/right.jsonl")
read -r _ wr_differ _ wr_rss _ <"$W/last"
t_py=$(median_of "$PYRUNS" python3 tests/bench/parity_peer.py "$W/left.jsonl" "$W/right.jsonl")
read -r _ py_differ <"$W/last"
[ "$wr_differ" = "$DIFFS" ] || { echo "warroom found $wr_differ differences, expected $DIFFS" >&2; exit 1; }
[ "$py_differ" = "$DIFFS" ] || { echo "the Python peer found $py_differ differences, expected $DIFFS" >&2; exit 1; }

{
	echo "## Parity"
	echo
	echo "$N entity pairs ($(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1048576}') MiB of JSON lines, the"
	echo "second file re-spelling every entity: other key order and spacing, \`1.0\` for \`1\`,"
	echo "times with another offset), $DIFFS real changes; median of $RUNS runs (Python: $PYRUNS)."
	echo
	echo "| | CPU seconds | vs sha256sum | differences found | peak RSS |"
	echo "|---|---|---|---|---|"
	echo "| sha256sum over the same bytes (the floor) | $t_sha | 1.00 | - | - |"
	echo "| warroom: parse, canonicalise, hash, compare | $t_wr | $(ratio "$t_wr" "$t_sha") | $wr_differ | $((wr_rss / 1024)) MiB |"
	echo "| Python json + hashlib, same work | $t_py | $(ratio "$t_py" "$t_sha") | $py_differ | - |"
	echo
	echo "warroom is $(ratio "$t_py" "$t_wr")x faster than the Python script and"
	echo "$(ratio "$t_wr" "$t_sha")x the floor (targets: >= 10x and <= 3x). Peak memory is"
	echo "$(awk -v r="$wr_rss" -v n="$N" 'BEGIN {printf "%.0f", r * 1024 / (2 * n)}') bytes per entity kept (an id hash and a"
	echo "SHA-256), for $(awk -v b="$bytes" -v n="$N" 'BEGIN {printf "%.0f", b / (2 * n)}') bytes of JSON per entity read."
} >"$OUT"
cat "$OUT"
