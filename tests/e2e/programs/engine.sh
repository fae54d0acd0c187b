# Shared by the engine's end-to-end scripts (sourced after lib.sh): a copy of
# a program whose roster names the login running the tests, and helpers that
# act as the people a run waits for.

# program_copy SRC NAME: copies a program folder to $T/NAME, replacing LOGIN
# in its roster with this login; prints the new path.
program_copy() {
	local dst="$T/$2"
	cp -r "$1" "$dst"
	sed -i "s/LOGIN/$(id -un)/g" "$dst/roster.yaml"
	rm -f "$dst"/warroom.db*
	echo "$dst"
}

# sign_waiting PROGRAM OUT: for each "ACCOUNT: waiting: gate G waiting:
# sign-off needed: ROLE n/m, ..." line of a run's output, signs each role.
sign_waiting() {
	local prog=$1 out=$2 line a g role
	{ grep -E '^[^:]+: waiting: gate [^ ]+ waiting: sign-off needed: ' "$out" || true; } | while IFS= read -r line; do
		a=${line%%:*}
		g=$(echo "$line" | sed -E 's/.*: waiting: gate ([^ ]+) .*/\1/')
		echo "$line" | sed -E 's/.*sign-off needed: //; s/, /\n/g' | sed -E 's/ [0-9]+\/[0-9]+.*//' |
		while IFS= read -r role; do
			"$WARROOM" gate sign "$prog" --account "$a" --gate "$g" --role "$role" --confirm "$a" \
				>/dev/null || fail "could not sign $g of $a as $role"
		done
	done
}

# tick_waiting PROGRAM OUT: ticks every row of "ACCOUNT: waiting: step S:
# manual checks to tick: 1. text; 2. text" lines.
tick_waiting() {
	local prog=$1 out=$2 line a s n
	{ grep -E '^[^:]+: waiting: step [^:]+: manual checks to tick: ' "$out" || true; } | while IFS= read -r line; do
		a=${line%%:*}
		s=$(echo "$line" | sed -E 's/.*: waiting: step ([^:]+): .*/\1/')
		for n in $(echo "$line" | sed -E 's/.*manual checks to tick: //' | grep -oE '(^|; )[0-9]+\.' | grep -oE '[0-9]+'); do
			"$WARROOM" check tick "$prog" --account "$a" --step "$s" --item "$n" >/dev/null ||
				fail "could not tick $n of $s for $a"
		done
	done
}

# audit_has PROGRAM PATTERN: the audit log has a record matching PATTERN.
audit_has() {
	"$WARROOM" audit tail "$1" -n 100000 >"$T/audit.txt" || fail "audit tail failed"
	grep -qE -- "$2" "$T/audit.txt" || { tail -n 40 "$T/audit.txt" >&2; fail "audit log lacks /$2/"; }
}
