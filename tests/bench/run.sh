#!/usr/bin/env bash
# Runs every tests/bench/bench_*.sh; each writes one Markdown section to
# $BUILD/bench/<name>.md. The sections, under a header naming the machine,
# become docs/benchmarks.md. `tests/bench/run.sh NAME` runs one and keeps the
# other sections as they were.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
out="$BUILD/bench"; mkdir -p "$out"
only=${1:-}
failed=""
for b in tests/bench/bench_*.sh; do
	n=$(basename "$b" .sh); n=${n#bench_}
	[ -n "$only" ] && [ "$only" != "$n" ] && continue
	echo "== bench $n"
	t0=$SECONDS
	if bash "$b" "$out/$n.md.new"; then
		mv "$out/$n.md.new" "$out/$n.md"
		echo "== bench $n: $((SECONDS - t0)) s"
	else
		echo "== bench $n FAILED; its previous section is kept" >&2
		failed="$failed $n"
	fi
done
# Keep sections of benches not re-run this time from the committed page.
{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (tests/bench/run.sh); do not edit by hand."
	echo "Each section compares warroom with a peer measured in the same run,"
	echo "reports medians of repeated runs and the ratio between them."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| cpu | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') |"
	echo "| cores | $(nproc) |"
	echo "| memory | $(free -g | awk '/^Mem:/{print $2}') GiB |"
	echo "| kernel | $(uname -r) |"
	echo "| compiler | $(${CC:-cc} --version | head -n1) |"
	echo "| date | $(date -u +%Y-%m-%d) |"
	echo
	for f in "$out"/*.md; do
		[ -f "$f" ] || continue
		cat "$f"; echo
	done
} > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
[ -z "$failed" ] || { echo "failed:$failed" >&2; exit 1; }
