#!/usr/bin/env bash
# The console's import view: after `warroom import --dry-run`, `:import`
# (or 8) shows the selected account's verdicts from the store with the same
# counts the command printed, whether it was a dry run and when, refused
# items first with their reason; `/verdict:create` filters, the filter in
# the title even at 80 columns, cleared (and said so) when another account is
# chosen; 8 on the dashboard opens the account under the cursor; Enter on an item
# asks `:diff preview` for its entity, in the background; `?` lists `:import`. All
# of it in an observer's read-only console.
. "$(dirname "$0")/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes
unset NO_COLOR
start_sim --seed 3 --accounts 3
export PAGERDUTY_TOKEN=acct-001
P=$T/prog
mkdir -p "$P"
cp "$ROOT/plans/pd-lite-tenant-migration/plan.yaml" "$ROOT/plans/pd-lite-tenant-migration/roster.yaml" "$P/"
account() { # ID SOURCE_URL
	cat <<EOF
  - id: $1
    name: Account $1
    wave: canary
    migration_mode: progressive
    source:
      system: pagerduty
      base_url: "$2/pagerduty"
    target:
      base_url: "{{env.WARROOM_SIM_URL}}"
    cutover_window: {start: "2026-12-01T09:00:00Z", end: "2026-12-01T17:00:00Z"}
    runbook_owner: alice
EOF
}
# acct-004 reads a source with items the target cannot take (refused)
coproc STUB { exec python3 "$ROOT/tests/e2e/stub_pagerduty.py"; }
PIDS+=($STUB_PID)
read -r stub_port <&"${STUB[0]}" || fail "the stub source did not start"
{
	echo "accounts:"
	account acct-001 "{{env.WARROOM_SIM_URL}}"
	account acct-002 "{{env.WARROOM_SIM_URL}}"
	account acct-004 "http://127.0.0.1:$stub_port"
} >"$P/accounts.yaml"
DB=$P/warroom.db

# counts ACCOUNT: the dry run's verdict counts as the command printed them,
# summed over the types: "N create, N update, N unchanged, N refused"
counts() {
	expect_exit 0 "$WARROOM" import "$P" --account "$1" --dry-run
	awk '$1 ~ /^[a-z_]+$/ && NF == 5 && $2 ~ /^[0-9]+$/ { c += $2; u += $3; s += $4; r += $5 }
	     END { printf "%d create, %d update, %d unchanged, %d refused\n", c, u, s, r }' "$T/out"
}
C1=$(counts acct-001)
C4=$(counts acct-004)
note "acct-001: $C1; acct-004: $C4"
[ "$C4" = "2 create, 0 update, 0 unchanged, 2 refused" ] || fail "the stub source's verdicts changed: $C4"
N1=$(sqlite3 "$DB" "SELECT count(*) FROM import_items WHERE account = 'acct-001'")

tmux_start 200 50 "$WARROOM observe $P --db $DB 2>$T/console.err; echo \$? >$T/rc; sleep 60"
wait_screen "Accounts  3 of 3 shown"

note "? lists :import"
tmux_keys ?
tmux_keys End
wait_screen ":import"
wait_screen "import verdicts of the selected account"
tmux_keys q

note ":import shows the first account's dry run with the counts the command printed"
tmux_keys : i m p o r t Enter
wait_screen "Import  acct-001  dry run 20"
wait_screen "$C1  ($N1 of $N1 shown)"
wait_screen "[import]"

note "? in the import view lists its keys in its own words"
tmux_keys ?
wait_screen "Keys of the import view"
wait_screen "diff the item with the target (:diff preview"
wait_screen "filter items: text, or type:, id:, name:, verdict:, reason:"
wait_screen "drop a running :diff fetch, else go back"
tmux_keys q
wait_screen "Import  acct-001  dry run 20"
note "? then End at once: the end of the help, with the keys of a typed line"
tmux_keys ? End
wait_screen "Typing a line"
wait_screen "Esc C-g         leave the line, doing nothing"
wait_screen "C-u             clear the line"
tmux_keys q
wait_screen "Import  acct-001  dry run 20"

note "another account: refused first, with why, in the verdict's colour and word"
tmux_keys 1 / a c c t - 0 0 4 Enter
wait_screen "Accounts  1 of 3 shown"
tmux_keys Enter
wait_screen "[run]"
tmux_keys 8
wait_screen "Import  acct-004  dry run 20"
wait_screen "$C4  (4 of 4 shown)"
first=$(tmux_screen | grep -A1 'REASON / CHANGES' | tail -n1)
case $first in
*integration*refused*) ;;
*) tmux_screen >&2; fail "the first item is not a refusal: $first" ;;
esac
wait_screen "deprecated integration: Events API v1"
wait_screen "custom script"
screen_has "stub-secret-value" && { tmux_screen >&2; fail "a secret from an item's name is on screen"; }

note "/ filters by column"
tmux_keys / ; tmux_keys -l "verdict:create"; tmux_keys Enter
wait_screen "Import  acct-004  filter: verdict:create (2 of 4 shown)  dry run 20"
tmux_screen | grep -A8 'REASON / CHANGES' | tail -n +2 | grep -q refused &&
	{ tmux_screen >&2; fail "the filter kept a refusal"; }
note "a filter too long for the view is refused, the active one kept"
tmux_keys / ; tmux_keys -l "$(printf 'x%.0s' $(seq 1 200))"; tmux_keys Enter
wait_screen "a filter is at most 127 bytes; this one is 200 (the filter is unchanged)"
wait_screen "Import  acct-004  filter: verdict:create (2 of 4 shown)"
note "an active filter stays in sight at 80 columns"
tmux -L "$TMUX_SOCK" resize-window -t main -x 80 -y 24
wait_screen "Import  acct-004  filter: verdict:create (2 of 4 shown)"
tmux -L "$TMUX_SOCK" resize-window -t main -x 200 -y 50
wait_screen "REASON / CHANGES"

note "8 on the dashboard opens the import of the account under the cursor; another account's filter is cleared, and said so"
tmux_keys 1 / Enter # an empty filter shows every account again
wait_screen "Accounts  3 of 3 shown"
tmux_keys Home 8
wait_screen "Import  acct-001  dry run 20"
wait_screen "import filter 'verdict:create' cleared: acct-001 is another account"
wait_screen "$C1  ($N1 of $N1 shown)"
screen_has "filter: verdict" && { tmux_screen >&2; fail "acct-004's filter still hides acct-001's items"; }
tmux_keys 1 Home j 8
wait_screen "Import  acct-002"
tmux_keys 1 Home 8
wait_screen "Import  acct-001"

note "Enter asks :diff for the item's entity, in the background"
curl -sf -XPOST -H 'Content-Type: application/json' \
	--data-binary '{"latency_ms":2000,"paths":"/pagerduty/"}' \
	"$SIM_URL/_sim/faults" >/dev/null
row=$(tmux_screen | grep -A1 'REASON / CHANGES' | tail -n1)
type=$(echo "$row" | awk '{print $1}') id=$(echo "$row" | awk '{print $2}')
[ -n "$type" ] && [ -n "$id" ] || { tmux_screen >&2; fail "no item row"; }
tmux_keys Enter
wait_screen "fetching preview $type '$id' of acct-001"
# the answer: what the import would write against the target's record (a
# dry run created nothing: the import creates it)
wait_screen "$id (absent: the import creates it)" 10
wait_until 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t main |
	grep -qE 'preview $type of acct-001: 0 changed, 0 added, [1-9]'" ||
	{ tmux_screen >&2; fail "the diff of $type $id never answered"; }

tmux_keys 8 # back from the diff pane
wait_screen "Import  acct-001"

note "a newer run of the same account replaces the view's items without a key pressed, keeping its filter"
tmux_keys / ; tmux_keys -l "verdict:create"; tmux_keys Enter
wait_screen "Import  acct-001  filter: verdict:create ($N1 of $N1 shown)"
title() { tmux_screen | grep -o 'Import  acct-001  .* dry run [^ ]*'; }
before=$(title)
[ -n "$before" ] || { tmux_screen >&2; fail "no import title"; }
expect_exit 0 "$WARROOM" import "$P" --account acct-001 --dry-run
wait_until 5 sh -c "[ \"\$(tmux -L $TMUX_SOCK capture-pane -p -t main | grep -o 'Import  acct-001  .* dry run [^ ]*')\" != '$before' ]" ||
	{ tmux_screen >&2; fail "the view kept the older run"; }
wait_screen "Import  acct-001  filter: verdict:create ($N1 of $N1 shown)"
wait_screen "$C1"

tmux_keys Q
wait_until 10 test -s "$T/rc" || { tmux_screen >&2; fail "the console did not quit"; }
[ "$(cat "$T/rc")" = 0 ] || { cat "$T/console.err" >&2; fail "console exited $(cat "$T/rc")"; }
echo "console import e2e ok"
