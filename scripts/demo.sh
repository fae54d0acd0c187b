#!/usr/bin/env bash
# make demo: starts the simulator on a free loopback port, points the example
# program at it (WARROOM_SIM_URL), measures integration health once, and opens
# the war-room console on it in this terminal, with a scratch database; the
# simulator stops when the console does.
# usage: scripts/demo.sh [PROGRAM] (default plans/pd-lite-tenant-migration)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
WARROOM=${WARROOM:-$ROOT/$BUILD/warroom}
PROGRAM=${1:-$ROOT/plans/pd-lite-tenant-migration}
[ -x "$WARROOM" ] || { echo "demo: $WARROOM is missing; run 'make' first" >&2; exit 1; }
[ -t 0 ] && [ -t 1 ] || { echo "demo: the console needs a terminal" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/warroom-demo.XXXXXX")
sim_pid=""
stop() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP

# Port 0: the simulator picks a free port and prints its URL first.
"$WARROOM" sim --listen 127.0.0.1:0 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 200); do
	grep -q '^http://' "$work/sim.out" 2>/dev/null && break
	kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.err" >&2; exit 1; }
	sleep 0.05
done
grep -q '^http://' "$work/sim.out" || { echo "demo: the simulator did not start" >&2; exit 1; }
WARROOM_SIM_URL=$(head -n1 "$work/sim.out")
export WARROOM_SIM_URL
export WARROOM_THEMES=${WARROOM_THEMES:-$ROOT/themes}
# The example programs' exec steps call this binary. Each account reads its
# source with its own token, from the variable accounts.yaml names for it
# (PAGERDUTY_TOKEN_ACCT_001, ...); the simulator takes a token naming an
# account, so each account sees its own data.
export WARROOM_BIN=${WARROOM_BIN:-$WARROOM}
for var in $(sed -n 's/^ *token_env: \([A-Z]*_TOKEN_ACCT_[0-9]*\)$/\1/p' "$PROGRAM/accounts.yaml"); do
	acct=$(printf '%s' "${var#*_TOKEN_}" | tr 'A-Z_' 'a-z-')
	export "$var=${!var:-tok-$acct}"
done
export PDLITE_TOKEN=${PDLITE_TOKEN:-demo-target-token}
# Integration health for the INTEG column: the canary and ramp accounts get
# their tenant and integrations on the target, one of them an integration
# fault, and one `warroom integrations` run measures them all (the accounts
# not provisioned yet cannot be read and stay "—"; the run exits 1 for them).
for acct in acct-001 acct-002 acct-003 acct-005 acct-007 acct-008 acct-009 acct-011; do
	curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
		-d "{\"id\": \"$acct\", \"name\": \"$acct\"}" "$WARROOM_SIM_URL/v1/tenants"
	curl -fsS -o /dev/null -X POST "$WARROOM_SIM_URL/v1/tenants/$acct/import/integrations"
done
curl -fsS -o /dev/null -X POST -d '{"integration_fault": "acct-005"}' "$WARROOM_SIM_URL/_sim/faults"
"$WARROOM" integrations "$PROGRAM" --db "$work/demo.db" >"$work/integrations.out" 2>&1 || true
echo "simulator at $WARROOM_SIM_URL; opening the console (Q quits)"
"$WARROOM" console "$PROGRAM" --db "$work/demo.db"
