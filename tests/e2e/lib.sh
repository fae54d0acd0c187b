# Shared by the end-to-end scripts: a scratch directory, the binary, the
# simulator on a free port, polling waits (never fixed sleeps), tmux driving.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
WARROOM=${WARROOM:-$ROOT/$BUILD/warroom-asan}
[ -x "$WARROOM" ] || WARROOM=$ROOT/$BUILD/warroom
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
T=$(mktemp -d "${TMPDIR:-/tmp}/warroom-e2e.XXXXXX")
# parsed trees of big files are kept here, not in the tester's home
export WARROOM_CACHE_DIR=$T/tree-cache
PIDS=()
TMUX_SOCK="wr-e2e-$$"
cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# account_tokens PROGRAM [VALUE]: exports each per-account source token
# variable PROGRAM/accounts.yaml names (PAGERDUTY_TOKEN_ACCT_001, ...), set to
# VALUE or else to the simulator's token for that account (tok-acct-001).
account_tokens() {
	local var
	for var in $(sed -n 's/^ *token_env: \([A-Z]*_TOKEN_ACCT_[0-9]*\)$/\1/p' "$1/accounts.yaml"); do
		export "$var=${2:-tok-$(printf '%s' "${var#*_TOKEN_}" | tr 'A-Z_' 'a-z-')}"
	done
}
note() { echo "-- $*"; }

# wait_until SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds.
wait_until() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}

# start_sim [ARGS...]: starts `warroom sim` on a free port; sets SIM_URL.
start_sim() {
	local out="$T/sim.$RANDOM.out"
	"$WARROOM" sim --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
	PIDS+=($!)
	SIM_PID=$!
	wait_until 10 grep -q '^http://' "$out" || { cat "$out.err" >&2; fail "simulator did not start"; }
	SIM_URL=$(head -n1 "$out")
	export WARROOM_SIM_URL=$SIM_URL
}

# expect_exit CODE COMMAND...: runs COMMAND, stdout+stderr to $T/out, checks code.
expect_exit() {
	local want=$1; shift
	set +e; "$@" >"$T/out" 2>&1; local got=$?; set -e
	[ "$got" = "$want" ] || { cat "$T/out" >&2; fail "'$*' exited $got, expected $want"; }
}
expect_out() { grep -qE -- "$1" "$T/out" || { cat "$T/out" >&2; fail "output lacks /$1/"; }; }

# tmux: a real terminal of a given size running a command.
tmux_start() { # COLS ROWS COMMAND...
	local cols=$1 rows=$2; shift 2
	tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -s main -x "$cols" -y "$rows" "$@"
}
tmux_keys() { tmux -L "$TMUX_SOCK" send-keys -t main "$@"; }
tmux_screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t main; }
screen_has() { tmux_screen | grep -qF -- "$1"; }
# tmux_stop: ends the test's tmux server and waits until it is gone, so the
# next session does not race the exiting server.
tmux_stop() {
	local pid
	pid=$(tmux -L "$TMUX_SOCK" display-message -p '#{pid}' 2>/dev/null || true)
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	[ -z "$pid" ] || wait_until 5 sh -c "! kill -0 $pid" || true
}
wait_screen() { # TEXT [SECONDS]
	wait_until "${2:-10}" screen_has "$1" || { tmux_screen >&2; fail "screen never showed '$1'"; }
}
