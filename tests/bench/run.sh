#!/usr/bin/env bash
# Runs every tests/bench/bench_*.sh; each writes one Markdown section to
# $BUILD/bench/<name>.md. The sections, under a header naming the machine,
# become docs/benchmarks.md. `tests/bench/run.sh NAME` runs one and replaces
# only its section, keeping the others as they were.
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
# One bench re-run: its section replaces the one of the same title in the
# committed page, the others stay as they are (a fresh build folder has no
# other sections to offer).
if [ -n "$only" ]; then
	[ -f "$out/$only.md" ] || { echo "no section for $only" >&2; exit 1; }
	title=$(head -n1 "$out/$only.md")
	awk -v title="$title" -v new="$out/$only.md" '
		function put() { while ((getline l < new) > 0) print l; print ""; done = 1 }
		/^## / { skip = ($0 == title); if (skip) put() }
		!skip { print }
		END { if (!done) { print ""; put() } }' docs/benchmarks.md > docs/benchmarks.md.new
	sed -i "s/^| date | .*/| date | $(date -u +%Y-%m-%d) |/" docs/benchmarks.md.new
	mv docs/benchmarks.md.new docs/benchmarks.md
	echo "wrote the $only section of docs/benchmarks.md"
	[ -z "$failed" ] || { echo "failed:$failed" >&2; exit 1; }
	exit 0
fi
# Every bench ran: the page is made anew.
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
