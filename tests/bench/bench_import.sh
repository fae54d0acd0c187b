#!/usr/bin/env bash
# Importing 50,000 entities from the simulator's PagerDuty API: reading the
# source whole (`warroom source check`) in entities per second and peak
# memory, and a full `warroom import` into a fresh tenant. The peer fetches
# the very same pages (the request log of warroom's read) with one curl
# process, sequentially over one connection, and parses them with python3,
# so the ratio is what mapping, staging and verdicts cost. Writes markdown to $1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:?usage: bench_import.sh OUTPUT.md}
WARROOM=$BUILD/warroom
[ -x "$WARROOM" ] || { echo "build $WARROOM first (make)" >&2; exit 1; }
for t in curl python3 jq; do command -v $t >/dev/null || { echo "$t is needed" >&2; exit 1; }; done

N=${IMPORT_BENCH_ENTITIES:-50000}
RUNS=${IMPORT_BENCH_RUNS:-3}
SEED=${IMPORT_BENCH_SEED:-6} # a seed whose lists all stay under PagerDuty's 10,000 offset limit

W=$(mktemp -d "${TMPDIR:-/tmp}/warroom-bench.XXXXXX")
SIM=
trap '[ -n "$SIM" ] && kill "$SIM" 2>/dev/null; rm -rf "$W"' EXIT

source tests/bench/lib.sh
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

"$WARROOM" sim --listen 127.0.0.1:0 --seed "$SEED" --accounts 1 --entities "$N" >"$W/sim.out" 2>"$W/sim.err" &
SIM=$!
for _ in $(seq 200); do grep -q '^http://' "$W/sim.out" 2>/dev/null && break; sleep 0.05; done
URL=$(head -n1 "$W/sim.out")
export PAGERDUTY_TOKEN=acct-001

# warroom: wall seconds and peak KiB of one whole read.
wr_read() {
	/usr/bin/time -f '%e %M' -o "$W/time" "$WARROOM" source check pagerduty --url "$URL/pagerduty" \
		--json >"$W/check.json"
	cat "$W/time"
}

# The peer: the same GETs, one curl process, then python3 parsing every page.
peer_read() {
	local t0 t1
	t0=$(now)
	curl -s -K "$W/curl.cfg"
	python3 - "$W/pages" <<'EOF'
import json, os, sys
d = sys.argv[1]
n = 0
for f in sorted(os.listdir(d)):
    with open(os.path.join(d, f), "rb") as fh:
        page = json.load(fh)
    for k, v in page.items():
        if isinstance(v, list):
            n += len(v)
print(n)
EOF
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}'
}

# One read to learn the requests; the peer replays exactly those.
curl -sf -X DELETE "$URL/_sim/requests" >/dev/null
wr_read >/dev/null
entities=$(jq '[.counts[]] | add' "$W/check.json")
requests=$(jq .requests "$W/check.json")
mkdir -p "$W/pages"
curl -sf "$URL/_sim/requests" | jq -r '.requests[] | select(.method == "GET") | .path + "?" + .query' |
	awk -v u="$URL" -v d="$W/pages" -v t="$PAGERDUTY_TOKEN" 'BEGIN {
		print "globoff"
		print "header = \"Authorization: Token token=" t "\""
		print "header = \"Accept: application/vnd.pagerduty+json;version=2\"" }
		{ printf "url = \"%s%s\"\noutput = \"%s/%06d.json\"\n", u, $0, d, NR }' >"$W/curl.cfg"

wr_t=() wr_m=() peer_t=()
for _ in $(seq "$RUNS"); do
	read -r t m < <(wr_read)
	wr_t+=("$t") wr_m+=("$m")
	rm -f "$W/pages"/*
	peer_t+=("$(peer_read | tail -n1)")
done
wr_med=$(printf '%s\n' "${wr_t[@]}" | median)
wr_mem=$(printf '%s\n' "${wr_m[@]}" | median)
peer_med=$(printf '%s\n' "${peer_t[@]}" | median)

# A full import into a fresh tenant, once: read, compare, apply, audit.
mkdir -p "$W/prog"
cp plans/pd-lite-tenant-migration/plan.yaml plans/pd-lite-tenant-migration/roster.yaml "$W/prog/"
cat >"$W/prog/accounts.yaml" <<EOF
accounts:
  - id: acct-001
    name: Bench
    wave: canary
    migration_mode: progressive
    source: {system: pagerduty, base_url: "$URL/pagerduty"}
    target: {base_url: "$URL"}
    cutover_window: {start: "2026-12-01T09:00:00Z", end: "2026-12-01T17:00:00Z"}
    runbook_owner: alice
EOF
/usr/bin/time -f '%e %M' -o "$W/time" "$WARROOM" import "$W/prog" --account acct-001 --db "$W/bench.db" \
	--json >"$W/import.json"
read -r imp_t imp_m <"$W/time"
applied=$(jq .applied "$W/import.json")

{
	echo "## Import from a source"
	echo
	echo "PagerDuty API of \`warroom sim\` (seed $SEED, one account of $N seeded entities:"
	echo "$entities read as canonical entities, $requests requests including each team's members and"
	echo "incident history in since/until windows). Medians of $RUNS runs; the peer is one"
	echo "\`curl\` process fetching the same $requests pages sequentially over one connection,"
	echo "then \`python3\` parsing every page with \`json.load\`."
	echo
	echo "| | seconds | entities/s | peak memory |"
	echo "|---|---:|---:|---:|"
	echo "| warroom source check (read, map, verdicts) | $wr_med | $(rate "$entities" "$wr_med") | $(mib "$wr_mem") MiB |"
	echo "| peer: curl + python3 json | $(printf "%.2f" "$peer_med") | $(rate "$entities" "$peer_med") | |"
	echo "| warroom import (read, compare, $applied writes, audited) | $imp_t | $(rate "$entities" "$imp_t") | $(mib "$imp_m") MiB |"
	echo
	echo "warroom reads at $(ratio "$peer_med" "$wr_med")x the peer's speed (above 1: faster)."
	echo "The import's writes go one request per entity, in concurrent batches of 100,"
	echo "each batch audited and checkpointed in SQLite before the next."
} >"$OUT"
