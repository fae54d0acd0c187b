#!/usr/bin/env bash
# `warroom run` drives the shipped example program's canary wave against the
# simulator: it stops for each gate and manual check (exit 3, saying what it
# waits for), and once people have signed and ticked, it finishes (exit 0).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 30
export PDLITE_TOKEN=tok-unused WARROOM_BIN=$WARROOM
account_tokens "$ROOT/plans/parallel-run-cutover" tok-unused
P=$(program_copy "$ROOT/plans/parallel-run-cutover" pr)

note "the canary wave waits at its first gate"
expect_exit 3 "$WARROOM" run "$P" --wave canary --yes
expect_out 'waiting: gate g-prepare waiting: sign-off needed: Runbook Owner 0/1'
audit_has "$P" 'http.request .*"status":201'

note "signing needs the typed account id"
expect_exit 1 "$WARROOM" gate sign "$P" --account acct-001 --gate g-prepare --role "Runbook Owner" --confirm y
expect_out 'not confirmed'
expect_exit 1 "$WARROOM" gate reject "$P" --account acct-001 --gate g-prepare --reason "" --confirm acct-001

note "people sign and tick; the wave goes on until done"
done=0
for round in 1 2 3 4 5 6 7 8; do
	set +e; "$WARROOM" run "$P" --wave canary --yes >"$T/run.out" 2>"$T/run.err"; rc=$?; set -e
	[ "$rc" = 0 ] && { done=1; break; }
	[ "$rc" = 3 ] || { cat "$T/run.out" "$T/run.err" >&2; fail "run exited $rc in round $round"; }
	grep -q 'waiting' "$T/run.out" || fail "exit 3 without saying what it waits for"
	sign_waiting "$P" "$T/run.out"
	tick_waiting "$P" "$T/run.out"
done
[ "$done" = 1 ] || { cat "$T/run.out" >&2; fail "the canary wave never finished"; }
grep -c ': done: ' "$T/run.out" | grep -qx 3 || { cat "$T/run.out" >&2; fail "not every canary account is done"; }

note "every request was audited and the chain is intact"
audit_has "$P" 'gate.sign acct-001/g-prepare'
audit_has "$P" 'gate.passed'
audit_has "$P" 'step.succeeded acct-003/'
expect_exit 0 "$WARROOM" audit verify "$P"
expect_exit 0 "$WARROOM" gate status "$P" --account acct-001 --gate g-prepare
expect_out 'passed'

note "a finished run has nothing left to do"
expect_exit 0 "$WARROOM" run "$P" --account acct-001 --yes
expect_out 'acct-001: done'

note "waves: postponed before cut-over, then resumed; throttled"
B=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)
expect_exit 0 "$WARROOM" wave postpone "$B" --wave ramp
expect_exit 3 "$WARROOM" run "$B" --wave ramp --yes
for a in acct-003 acct-004; do
	"$WARROOM" gate sign "$B" --account $a --gate g-provision --confirm $a >/dev/null
done
expect_exit 3 "$WARROOM" run "$B" --wave ramp --yes
expect_out 'acct-003: waiting: wave postponed before cut-over step s-cutover'
expect_exit 0 "$WARROOM" wave resume "$B" --wave ramp
expect_exit 0 "$WARROOM" wave throttle "$B" --wave ramp --max 1
expect_exit 2 "$WARROOM" wave throttle "$B" --wave ramp
expect_exit 1 "$WARROOM" wave throttle "$B" --wave nosuch --max 1
expect_out "unknown wave 'nosuch'"
expect_exit 0 "$WARROOM" run "$B" --wave ramp --yes
expect_out 'acct-004: done'
audit_has "$B" 'wave.postpone .*ramp'
audit_has "$B" 'wave.throttle .*"max":1'

note "a cut-over needs the typed account id: a bare y never does"
expect_exit 3 setsid -w "$WARROOM" run "$B" --account acct-001 </dev/null  # no terminal: no prompt
"$WARROOM" gate sign "$B" --account acct-001 --gate g-provision --confirm acct-001 >/dev/null
expect_exit 3 "$WARROOM" run "$B" --account acct-001 --confirm y
expect_out 'typed confirmation of cut-over step s-cutover'
expect_exit 0 "$WARROOM" run "$B" --account acct-001 --confirm acct-001

note "a token file readable by others is refused"
K=$(program_copy "$ROOT/tests/e2e/programs/basic" tokens)
printf 'tok-acct-002\n' >"$T/token"
chmod 0644 "$T/token"
sed -i "0,/target: {base_url: \"{{env.WARROOM_SIM_URL}}\"}/s||target: {base_url: \"{{env.WARROOM_SIM_URL}}\", token_file: \"$T/token\"}|" "$K/accounts.yaml"
expect_exit 1 "$WARROOM" run "$K" --account acct-001
expect_out 'has mode 0644: it must be readable by its owner only \(chmod 600'
chmod 0600 "$T/token"
expect_exit 3 "$WARROOM" run "$K" --account acct-001
note ok
