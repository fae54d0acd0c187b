#!/usr/bin/env bash
# The long-running paths stay valgrind-clean: the simulator serving requests
# until SIGTERM, a headless run up to a gate and its sign-off, the read-only
# console driven in tmux, and audit verify / validate, each under memcheck
# (no invalid access, no uninitialised read, no definite or indirect leak).
# It uses the plain -O2 binary: valgrind and ASan do not mix.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
command -v valgrind >/dev/null || { note "valgrind is not installed: skipped (make deps installs it)"; exit 0; }
WARROOM=$ROOT/$BUILD/warroom
[ -x "$WARROOM" ] || fail "$WARROOM is missing: build it first (make $BUILD/warroom)"
unset ASAN_OPTIONS
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q)
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color
unset NO_COLOR XDG_CONFIG_HOME
export HOME=$T/home WARROOM_THEMES=$ROOT/themes
mkdir -p "$HOME"

# vg_report NAME CODE WANT: fails, showing valgrind's findings, unless CODE is WANT.
vg_report() {
	local name=$1 got=$2 want=$3
	[ "$got" = "$want" ] && return 0
	[ "$got" = 99 ] && { grep '^==' "$T/$name.err" | head -n 120 >&2; fail "valgrind found errors in $name"; }
	cat "$T/$name.out" "$T/$name.err" >&2
	fail "$name exited $got under valgrind, expected $want"
}
# vg NAME CODE ARGS...: warroom ARGS under valgrind; output in $T/NAME.{out,err}.
vg() {
	local name=$1 want=$2; shift 2
	set +e; "${VG[@]}" "$WARROOM" "$@" >"$T/$name.out" 2>"$T/$name.err"; local got=$?; set -e
	vg_report "$name" "$got" "$want"
}

note "the simulator serves requests and ends on SIGTERM"
"${VG[@]}" "$WARROOM" sim --listen 127.0.0.1:0 --accounts 3 --seed 5 >"$T/sim-vg.out" 2>"$T/sim-vg.err" &
VGSIM=$!
PIDS+=($VGSIM)
wait_until 60 grep -q '^http://' "$T/sim-vg.out" || { cat "$T/sim-vg.err" >&2; fail "the simulator did not start under valgrind"; }
U=$(head -n1 "$T/sim-vg.out")
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
json_post() { code -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$U$2"; }
[ "$(code "$U/v1/health")" = 200 ] || fail "health"
[ "$(json_post POST /v1/tenants '{"id":"acct-001","name":"Acme","source_system":"pagerduty"}')" = 201 ] || fail "create tenant"
[ "$(json_post POST /v1/tenants '{"id":"acct-002","name":')" = 400 ] || fail "malformed tenant"
[ "$(code -X POST "$U/v1/tenants/acct-001/import/services")" = 200 ] || fail "import services"
[ "$(code "$U/v1/tenants/acct-001/services?page=1&page_size=1")" = 200 ] || fail "services page"
[ "$(json_post PUT /v1/tenants/acct-001/flags/new_paging '{"enabled":true,"percentage":25}')" = 200 ] || fail "flag"
[ "$(code "$U/v1/tenants/acct-001/metrics")" = 200 ] || fail "metrics"
[ "$(code -G --data-urlencode 'query=error_rate{tenant="acct-001"}' "$U/api/v1/query")" = 200 ] || fail "query"
[ "$(code -H 'Authorization: Token token=acct-001' "$U/pagerduty/users?offset=0&limit=5")" = 200 ] || fail "pagerduty users"
[ "$(code "$U/_sim/requests")" = 200 ] || fail "request log"
[ "$(code -X BREW "$U/v1/health")" = 405 ] || fail "unknown method"
kill -TERM "$VGSIM"
set +e; wait "$VGSIM"; rc=$?; set -e
vg_report sim-vg "$rc" 0

note "a headless run waits for its gate; the gate is signed; the run goes on to the next"
start_sim --accounts 3
export PDLITE_TOKEN=tok-unused WARROOM_BIN=$WARROOM
account_tokens "$ROOT/plans/parallel-run-cutover" tok-unused
P=$(program_copy "$ROOT/plans/parallel-run-cutover" pr)
DB=$T/pr.db
vg run-1 3 run "$P" --db "$DB" --account acct-001 --yes
grep -q 'waiting: gate g-prepare' "$T/run-1.out" || { cat "$T/run-1.out" >&2; fail "the run did not wait at g-prepare"; }
vg sign 0 gate sign "$P" --db "$DB" --account acct-001 --gate g-prepare --role "Runbook Owner" --confirm acct-001
vg run-2 3 run "$P" --db "$DB" --account acct-001 --yes
grep -q 'waiting: gate g-shift-low' "$T/run-2.out" || { cat "$T/run-2.out" >&2; fail "the run did not go on to g-shift-low"; }

note "the read-only console, driven in tmux"
tmux_start 100 30 sh -c "$(printf '%q ' "${VG[@]}" "$WARROOM" observe "$P" --db "$DB") 2>$T/observe.err; echo \$? >$T/observe.rc; sleep 60"
wait_screen "Accounts" 60
tmux_keys j j
tmux_keys 2
wait_screen "Run  acct-" 30
tmux_keys 3
wait_screen "Gate g-" 30
tmux_keys '>'
tmux_keys 5
wait_screen "Audit " 30
tmux_keys j j v
tmux_keys 7
wait_screen "Monitor" 30
tmux_keys o
tmux_keys 1
wait_screen "Accounts" 30
tmux_keys q
wait_until 60 test -s "$T/observe.rc" || { tmux_screen >&2; fail "the observer did not quit on q"; }
touch "$T/observe.out"
vg_report observe "$(cat "$T/observe.rc")" 0

note "audit verify and validate"
vg verify 0 audit verify "$P" --db "$DB"
vg validate 0 validate "$ROOT/plans/parallel-run-cutover" "$ROOT/plans/pd-lite-tenant-migration"
note ok
