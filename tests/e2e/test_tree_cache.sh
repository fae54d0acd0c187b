#!/usr/bin/env bash
# The tree cache end to end: a big accounts.yaml validated twice gives the
# same answer both times, the second from the cache (the kept tree is marked
# used), its diagnostics still at the file's line:col; an edit is a new key;
# a damaged cache file is parsed around; "off" keeps nothing.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

P=$T/program
mkdir -p "$P"
cp tests/e2e/programs/basic/plan.yaml tests/e2e/programs/basic/roster.yaml "$P/"
# a fleet big enough to be kept (the cache starts at 256 KiB), whose last
# account names a wave the plan does not have
awk 'BEGIN {
	print "accounts:"
	for (i = 0; i < 2000; i++) {
		printf "  - id: acct-%05d\n    name: Account %d\n    wave: canary\n", i, i
		print "    migration_mode: progressive"
		print "    source: {system: pagerduty, base_url: \"http://127.0.0.1:9/pd\"}"
		print "    target: {base_url: \"http://127.0.0.1:9\"}"
	}
	print "  - id: acct-last\n    name: Last\n    wave: no-such-wave\n    migration_mode: progressive"
	print "    source: {system: pagerduty, base_url: \"http://127.0.0.1:9/pd\"}"
	print "    target: {base_url: \"http://127.0.0.1:9\"}"
}' >"$P/accounts.yaml"
[ "$(stat -c %s "$P/accounts.yaml")" -gt 262144 ] || fail "accounts.yaml is too small to be kept"
want_line=$(grep -n "no-such-wave" "$P/accounts.yaml" | cut -d: -f1)

note "first run parses and keeps the tree"
expect_exit 1 "$WARROOM" validate "$P"
cp "$T/out" "$T/first"
grep -q "accounts.yaml:$want_line:[0-9]*: error: .*no-such-wave" "$T/first" ||
	{ head -5 "$T/first"; fail "the wave error is not at line $want_line"; }
[ "$(grep -c error: "$T/first")" = 1 ] || { head -5 "$T/first"; fail "more than the one error"; }
trees=("$WARROOM_CACHE_DIR"/*.tree)
[ ${#trees[@]} = 1 ] && [ -f "${trees[0]}" ] || fail "no tree kept in $WARROOM_CACHE_DIR"
[ "$(stat -c %a "$WARROOM_CACHE_DIR")" = 700 ] || fail "the cache folder is not the owner's alone"

note "second run reads the kept tree and says the same"
touch -d '2000-01-01' "${trees[0]}"
expect_exit 1 "$WARROOM" validate "$P"
diff "$T/first" "$T/out" || fail "the second run differs from the first"
[ "$(stat -c %Y "${trees[0]}")" -gt 946771200 ] || fail "the kept tree was not used"

note "an edit is another key; both trees are kept"
sed -i 's/no-such-wave/canary/' "$P/accounts.yaml"
expect_exit 0 "$WARROOM" validate "$P"
[ "$(ls "$WARROOM_CACHE_DIR"/*.tree | wc -l)" = 2 ] || fail "the edited file's tree was not kept"

note "a damaged tree is parsed around and replaced"
for f in "$WARROOM_CACHE_DIR"/*.tree; do
	printf 'garbage' | dd of="$f" bs=1 seek=200 conv=notrunc status=none
done
expect_exit 0 "$WARROOM" validate "$P"
expect_out "ok: .* 2001 accounts"

note "WARROOM_CACHE_DIR=off keeps nothing"
rm -rf "$WARROOM_CACHE_DIR"
WARROOM_CACHE_DIR=off expect_exit 0 "$WARROOM" validate "$P"
[ ! -e "$WARROOM_CACHE_DIR" ] || fail "a cache folder was made while the cache is off"
echo "PASS"
