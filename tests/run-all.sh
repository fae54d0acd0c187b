#!/usr/bin/env bash
# Runs the unit tests (built under ASan+UBSan) and the end-to-end scripts,
# then prints one closing line: "N passed, N failed".
# usage: tests/run-all.sh [unit|e2e] [NAME-FILTER]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
what=${1:-all}
filter=${2:-}
pass=0 fail=0 failed=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logdir="$BUILD/test-logs"; mkdir -p "$logdir"
# Trees of big YAML files the tests parse are kept in the build, not in the
# tester's home (the e2e scripts each keep their own under their scratch).
export WARROOM_CACHE_DIR=${WARROOM_CACHE_DIR:-$PWD/$BUILD/test-tree-cache}

run_one() { # name, command...
	local name=$1; shift
	local log="$logdir/$name.log"; mkdir -p "$(dirname "$log")"
	local t0=$SECONDS
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1)); printf 'ok   %-40s %3ds\n' "$name" $((SECONDS - t0))
	else
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL %-40s %3ds (log: %s)\n' "$name" $((SECONDS - t0)) "$log"
		tail -n 40 "$log" | sed 's/^/     | /'
	fi
}

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$BUILD"/unit/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t"); [ -n "$filter" ] && [[ $n != *$filter* ]] && continue
		run_one "unit/$n" "$t"
	done
	# Each fuzz target replays its corpus (tests/fuzz/corpus/NAME for fuzz_NAME).
	for t in "$BUILD"/replay/fuzz_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t"); [ -n "$filter" ] && [[ $n != *$filter* ]] && continue
		corpus=tests/fuzz/corpus/${n#fuzz_}
		[ -d "$corpus" ] || corpus=
		run_one "fuzz/$n" "$t" $corpus
	done
fi
if [ "$what" = all ] || [ "$what" = e2e ]; then
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh); [ -n "$filter" ] && [[ $n != *$filter* ]] && continue
		run_one "e2e/$n" env BUILD="$BUILD" timeout 600 bash "$t"
	done
fi
[ ${#failed[@]} -gt 0 ] && printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
