#!/usr/bin/env bash
# The console at scale: 10,000 accounts and 1,000,000 audit records written
# straight into a store (console_fill). Measured in a pseudo-terminal driven
# like a person (console_pty.py): time to the first frame, keypress-to-screen
# for moving, sorting and typing a filter, bytes written per keypress, and an
# idle observer's CPU; htop measured the same way where the figure compares.
# Writes markdown to $1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:?usage: bench_console.sh OUTPUT.md}
WARROOM=$PWD/$BUILD/warroom
FILL=$BUILD/bench/console_fill
PTY="python3 tests/bench/console_pty.py"
[ -x "$WARROOM" ] && [ -x "$FILL" ] || { echo "build $WARROOM and $FILL first (make bench)" >&2; exit 1; }

ACCOUNTS=${CONSOLE_BENCH_ACCOUNTS:-10000}
RECORDS=${CONSOLE_BENCH_RECORDS:-1000000}
RUNS=${CONSOLE_BENCH_RUNS:-5}       # first-frame repetitions
PRESSES=${CONSOLE_BENCH_PRESSES:-60}
IDLE=${CONSOLE_BENCH_IDLE_S:-10}
COLS=200 ROWS=50
export LANG=C.UTF-8 WARROOM_THEMES=$PWD/themes

W=$(mktemp -d "${TMPDIR:-/tmp}/warroom-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export WARROOM_CACHE_DIR=$W/tree-cache
source tests/bench/lib.sh
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

# The program: the console test plan with a fleet of $ACCOUNTS accounts.
P=$W/program
mkdir -p "$P"
cp tests/e2e/programs/console/plan.yaml tests/e2e/programs/console/roster.yaml "$P/"
awk -v n="$ACCOUNTS" 'BEGIN {
	split("progressive parallel_run incident_opt_in full_cutover", mode, " ")
	print "accounts:"
	for (i = 0; i < n; i++) {
		printf "  - id: acct-%05d\n    name: Account %d\n    wave: %s\n", i, i, (i % 2) ? "ramp" : "canary"
		printf "    migration_mode: %s\n", mode[i % 4 + 1]
		print "    source: {system: pagerduty, base_url: \"http://127.0.0.1:8089/pagerduty\"}"
		print "    target: {base_url: \"http://127.0.0.1:8089\"}"
		printf "    runbook_owner: owner%d\n", i % 7
	}
}' >"$P/accounts.yaml"
DB=$W/console.db
t0=$(date +%s.%N)
"$FILL" "$DB" "$ACCOUNTS" "$RECORDS"
fill_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
# The fill's 350 MB are written back first: an operator console syncs its
# log on opening, and behind that writeback each sync took several times
# its usual time.
sync

first_frame() { # console|observe: "median-ms median-load-ms" over $RUNS runs
	local ff=() load=() line
	for _ in $(seq "$RUNS"); do
		line=$($PTY output $COLS $ROWS -- "$WARROOM" "$1" "$P" --db "$DB" --bench-exit-after-first-frame)
		ff+=("$(sed -n 's/^first frame: \([0-9.]*\) ms.*/\1/p' <<<"$line")")
		load+=("$(sed -n 's/.*store: \([0-9.]*\) ms.*/\1/p' <<<"$line")")
	done
	echo "$(printf '%s\n' "${ff[@]}" | median) $(printf '%s\n' "${load[@]}" | median)"
}
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
# Without the tree cache first (every open parses accounts.yaml), then with
# it: the first of those runs keeps the tree, the median is of reads.
read -r cold_med cold_load <<<"$(WARROOM_CACHE_DIR=off first_frame console)"
read -r ff_med load_med <<<"$(first_frame console)"
read -r off_med oload_med <<<"$(first_frame observe)"

# Instructions to the first frame under callgrind: what the machine's load
# does not change. The UI thread's, and all threads' (the program's second
# half is parsed on another); "—" without valgrind.
instr_main="—" instr_all="—"
if command -v valgrind >/dev/null; then
	$PTY output $COLS $ROWS -- valgrind --tool=callgrind --separate-threads=yes \
		--callgrind-out-file="$W/cg.out" "$WARROOM" console "$P" --db "$DB" \
		--bench-exit-after-first-frame >/dev/null 2>&1 || true
	mega() { awk '/^summary:/ {s += $2} END {if (s) printf "%.0f M", s / 1e6}' "$@"; }
	[ -f "$W/cg.out-01" ] && instr_main=$(mega "$W/cg.out-01") && instr_all=$(mega "$W"/cg.out-*)
fi

keys() { $PTY keys $COLS $ROWS "$PRESSES" "$1" -- "$WARROOM" observe "$P" --db "$DB"; }
move=$(keys j) sort=$(keys s) filter=$(keys "/,a,c,c,t,-,0,0,9,ENTER")
htop_move=$($PTY keys $COLS $ROWS "$PRESSES" DOWN -- htop -d 10)
idle=$($PTY idle $COLS $ROWS "$IDLE" -- "$WARROOM" observe "$P" --db "$DB")
htop_idle=$($PTY idle $COLS $ROWS "$IDLE" -- htop)

row() { # what, warroom line, htop line or "", key
	local h="—"
	if [ -n "$3" ]; then h="$(field "$4" <<<"$3")"; fi
	printf '| %s | %s | %s |\n' "$1" "$(field "$4" <<<"$2")" "$h"
}
{
	echo "## Console"
	echo
	echo "A store with $(printf "%'d" "$ACCOUNTS") accounts and $(printf "%'d" "$RECORDS") audit records"
	echo "(filled in ${fill_s} s, then synced to disk), a ${COLS}x${ROWS} pseudo-terminal driven by"
	echo "tests/bench/console_pty.py: a key is written, and the time to the last byte"
	echo "of the screen update it causes is taken (an update ends after 15 ms of"
	echo "silence). htop runs in the same terminal the same way (\`htop -d 10\`"
	echo "while keys are pressed, so its own refresh does not land in the window)."
	echo
	echo "| figure | warroom | htop |"
	echo "|---|---|---|"
	echo "| operator console: first frame, median of $RUNS (target < 100 ms) | ${ff_med} ms (of which opening the runner — program, store, recovery: ${load_med} ms) | — (htop has no exit-after-first-frame) |"
	echo "| observer: first frame, median of $RUNS | ${off_med} ms (of which loading the program and opening the store: ${oload_med} ms) | — |"
	echo "| operator console: first frame with the tree cache off (accounts.yaml parsed), median of $RUNS | ${cold_med} ms (of which opening the runner: ${cold_load} ms) | — |"
	echo "| operator console: instructions to the first frame (callgrind), UI thread / all threads | ${instr_main} / ${instr_all} | — |"
	row "move one row, median ms (target < 10)" "$move" "$htop_move" median_ms
	row "move one row, p95 ms" "$move" "$htop_move" p95_ms
	row "move one row, bytes to the terminal" "$move" "$htop_move" median_bytes
	row "sort by the next column, median ms" "$sort" "" median_ms
	row "sort, bytes to the terminal" "$sort" "" median_bytes
	row "typing a filter (each key), median ms" "$filter" "" median_ms
	row "typing a filter, bytes per key" "$filter" "" median_bytes
	row "idle for ${IDLE} s, CPU % of one core (target < 0.5)" "$idle" "$htop_idle" cpu_pct
	row "idle, bytes per second to the terminal" "$idle" "$htop_idle" bytes_per_s
	echo
	echo "Reading: the first frame starts with loading the program: the"
	echo "${ACCOUNTS}-account accounts.yaml's tree is read from the tree cache"
	echo "(with the cache off, or the first time, it is parsed in two halves on two"
	echo "cores: libyaml is most of a load), then walked through the schema tables; an"
	echo "operator's runner then recovers interrupted steps and finds every account's"
	echo "run row present, so it writes nothing; the console's own opening record and"
	echo "its row commit in one transaction, one sync of the log. Reading every account's run, the"
	echo "exceptions and the samples, building the ${ACCOUNTS} dashboard rows and"
	echo "drawing take the rest. Keys are answered from memory, and the header's per-account totals"
	echo "are recomputed only when the store changes. An idle observer wakes four"
	echo "times a second to read SQLite's data_version and redraws the clock once a"
	echo "second (htop redraws its whole process list on every refresh)."
	echo "Load average when measured (other work on the machine): ${load_avg}."
} >"$OUT"
cat "$OUT"
