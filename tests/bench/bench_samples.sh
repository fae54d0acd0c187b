#!/usr/bin/env bash
# The newest sample of every series, as each console reload reads it for the
# program pass rate: through samples_latest (kept by triggers on append)
# against the query it replaced (the history index's distinct series, one
# seek each), in the same run on the same files. The same series with a
# short and a long history, and ten times the series; what the triggers cost
# an append. Writes markdown to $1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:?usage: bench_samples.sh OUTPUT.md}
BENCH=$BUILD/bench/samples_bench
[ -x "$BENCH" ] || { echo "build $BENCH first (make bench)" >&2; exit 1; }

ACCOUNTS=${SAMPLES_BENCH_ACCOUNTS:-1000}
SERIES=${SAMPLES_BENCH_SERIES:-9}     # per account
DEEP=${SAMPLES_BENCH_DEEP:-100}       # samples per series: 900,000 rows by default
SHALLOW=${SAMPLES_BENCH_SHALLOW:-10}
RUNS=${SAMPLES_BENCH_RUNS:-11}

W=$(mktemp -d "${TMPDIR:-/tmp}/warroom-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
source tests/bench/lib.sh

# One store per shape: "rows series fill-seconds".
fill() { # NAME MODE ACCOUNTS DEPTH
	"$BENCH" "$2" "$W/$1.db" "$3" "$SERIES" "$4"
}
read -r deep_rows deep_series deep_fill <<<"$(fill deep fill "$ACCOUNTS" "$DEEP")"
read -r bare_rows _ bare_fill <<<"$(fill bare fill-bare "$ACCOUNTS" "$DEEP")"
read -r shallow_rows shallow_series _ <<<"$(fill shallow fill "$ACCOUNTS" "$SHALLOW")"
read -r wide_rows wide_series _ <<<"$(fill wide fill "$((ACCOUNTS * DEEP / SHALLOW))" "$SHALLOW")"

# "median-ms vm-steps series rate evaluated" for each way; both ways must
# find the same series and the same pass rate, or the figure is void.
row() { # NAME ROWS SERIES
	local t h
	read -r -a t <<<"$("$BENCH" read "$W/$1.db" table "$RUNS")"
	read -r -a h <<<"$("$BENCH" read "$W/$1.db" history "$RUNS")"
	if [ "${t[2]}" != "${h[2]}" ] || [ "${t[3]}" != "${h[3]}" ] || [ "${t[4]}" != "${h[4]}" ]; then
		echo "bench_samples: $1: the table read ${t[*]:2} and the history read ${h[*]:2}" >&2
		exit 1
	fi
	[ "${t[2]}" = "$3" ] || { echo "bench_samples: $1: ${t[2]} series read, $3 written" >&2; exit 1; }
	printf '| %s | %s | %s ms | %s ms | %s | %s | %s |\n' "$(fmt "$2")" "$(fmt "$3")" \
		"${t[0]}" "${h[0]}" "$(ratio "${h[0]}" "${t[0]}")" "$(fmt "${t[1]}")" "$(fmt "${h[1]}")"
}

# Instructions under callgrind, collected inside one function alone; "—"
# without valgrind. A cold read of the deep store, and appends per sample.
callgrind() { # FUNCTION ARGS...
	local f=$1
	shift
	valgrind --tool=callgrind --toggle-collect="$f" --callgrind-out-file="$W/cg.out" \
		"$BENCH" "$@" >/dev/null 2>&1
	awk '/^summary:/ {print $2}' "$W/cg.out"
}
instr() { # table|history
	if ! command -v valgrind >/dev/null; then echo "—"; return; fi
	callgrind "bench_read_$1" once "$W/deep.db" "$1" | awk '{printf "%.1f M", $1 / 1e6}'
}
APPENDS_ACCOUNTS=${SAMPLES_BENCH_APPENDS_ACCOUNTS:-100}
append_instr() { # fill|fill-bare
	if ! command -v valgrind >/dev/null; then echo "—"; return; fi
	local n=$((APPENDS_ACCOUNTS * SERIES * SHALLOW))
	callgrind fill "$1" "$W/ap-$1.db" "$APPENDS_ACCOUNTS" "$SERIES" "$SHALLOW" |
		awk -v n="$n" '{printf "%.0f", $1 / n}'
}
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
rows_md=$(row deep "$deep_rows" "$deep_series"; row shallow "$shallow_rows" "$shallow_series";
	  row wide "$wide_rows" "$wide_series")
instr_t=$(instr table) instr_h=$(instr history)
ap_with=$(append_instr fill) ap_bare=$(append_instr fill-bare)
ap_ratio="—" ap_with_f="—" ap_bare_f="—"
if [ "$ap_with" != "—" ]; then
	ap_ratio=$(ratio "$ap_with" "$ap_bare") ap_with_f=$(fmt "$ap_with") ap_bare_f=$(fmt "$ap_bare")
fi

{
	echo "## Samples: the newest of every series"
	echo
	echo "What a console reads on every reload for the program pass rate, the"
	echo "header's integration counts and the dashboard's rows: the newest sample of"
	echo "each series (account, kind, name). warroom reads it from \`samples_latest\`,"
	echo "one row per series kept by triggers on every append; the peer is the query"
	echo "it replaced, the distinct series of the history's index and one seek each"
	echo "(tests/bench/samples_bench.c, which checks both find the same series and"
	echo "the same pass rate). Stores filled through \`samples_append\` with"
	echo "$(fmt "$ACCOUNTS") accounts x $SERIES series and a sample a minute;"
	echo "medians of $RUNS warm reads. SQLite VM steps are the statements' own count"
	echo "of the work, which the machine's load does not change."
	echo
	echo "| samples | series | samples_latest | history query (peer) | ratio | VM steps, table | VM steps, peer |"
	echo "|---|---|---|---|---|---|---|"
	echo "$rows_md"
	echo
	echo "| figure | samples_latest | history query (peer) |"
	echo "|---|---|---|"
	echo "| one cold read of the $(fmt "$deep_rows") samples, instructions (callgrind) | $instr_t | $instr_h |"
	echo
	echo "| append (\`samples_append\`, batches of 10,000, not synced) | with the triggers | without them | cost, with / without |"
	echo "|---|---|---|---|"
	echo "| instructions per sample, $(fmt "$((APPENDS_ACCOUNTS * SERIES * SHALLOW))") appended (callgrind) | $ap_with_f | $ap_bare_f | $ap_ratio |"
	echo "| samples per second, $(fmt "$deep_rows") appended | $(fmt "$(rate "$deep_rows" "$deep_fill")") | $(fmt "$(rate "$bare_rows" "$bare_fill")") | $(ratio "$deep_fill" "$bare_fill") |"
	echo
	echo "Reading: through the table the read follows the number of series alone:"
	echo "the same series with ten times the history take the same VM steps, and"
	echo "ten times the series ten times the steps. The peer walks the whole index"
	echo "for the distinct series, so it grows with the history, and then seeks once"
	echo "per series. The price is paid on append: the trigger's upsert, one more"
	echo "b-tree write per sample inside the same statement. Instructions are the"
	echo "steady figure; samples per second is one fill each, on a shared machine,"
	echo "and counts the extra pages written too (a real append also syncs its"
	echo "commit, which these unsynced batches leave out). Load average when"
	echo "measured: ${load_avg}."
} >"$OUT"
cat "$OUT"
