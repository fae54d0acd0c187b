#!/usr/bin/env bash
# An observer over a real SSH session: sshd on a free loopback port with
# throwaway host and user keys, `ForceCommand warroom observe ...`, the
# client in tmux. The observer sees an exception an operator registers
# headless within a second, without a key, and every action key answers
# read-only. Needs root (sshd's privilege separation) and openssh-server.
. "$(dirname "$0")/lib.sh"
SSHD=/usr/sbin/sshd
if [ "$(id -u)" != 0 ] || [ ! -x "$SSHD" ] || ! command -v ssh >/dev/null; then
	echo "skipped: needs root, $SSHD and ssh"
	exit 0
fi
mkdir -p /run/sshd
ME=$(id -un)

P=$T/program
cp -r "$ROOT/tests/e2e/programs/console" "$P"
DB=$T/observed.db
# The operator side creates the database first (the observer only reads it).
expect_exit 0 "$WARROOM" exception list "$P" --db "$DB"

ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$T/user_key"
cp "$T/user_key.pub" "$T/authorized_keys"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/host_key
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
ForceCommand env LANG=C.UTF-8 TERM=xterm-256color WARROOM_THEMES=$ROOT/themes ASAN_OPTIONS=detect_leaks=0 $WARROOM observe $P --db $DB
EOF
"$SSHD" -t -f "$T/sshd_config" || fail "sshd rejects the test configuration"
"$SSHD" -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
PIDS+=($!)
wait_until 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" ||
	{ cat "$T/sshd.log" >&2; fail "sshd did not listen on $PORT"; }

note "the observer connects; ForceCommand opens the read-only console"
tmux_start 100 30 "ssh -tt -p $PORT -i $T/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR $ME@127.0.0.1; echo SSH-DONE \$?; sleep 60"
wait_until 15 screen_has "OBSERVER" ||
	{ tmux_screen >&2; cat "$T/sshd.log" >&2; fail "no observer console over ssh"; }

note "an operator registers an exception headless; the observer sees it without a key"
tmux_keys 6
wait_screen "Exceptions  0 open"
expect_exit 0 "$WARROOM" exception add "$P" --db "$DB" --scope 'acme/user/*#time_zone' \
	--owner alice --reason 'legacy zone names' --expires 7d
t0=$(date +%s%N)
wait_screen "legacy zone names" 5
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
note "seen after ${ms} ms"
[ "$ms" -le 1500 ] || fail "the observer took ${ms} ms to show the change (limit: about a second)"

note "action keys answer read-only and change nothing"
tmux_keys +
wait_screen "read-only"
tmux_keys 3 y
wait_screen "read-only"
tmux_keys 1 r
wait_screen "read-only"
expect_exit 0 "$WARROOM" audit tail "$P" --db "$DB" -n 100
grep -q "console.open" "$T/out" && fail "an observer's console wrote an audit record"
grep -q "gate.sign" "$T/out" && fail "an observer signed"

note "the observer leaves; the session closes"
tmux_keys Q
wait_screen "SSH-DONE 0" 10
echo "observer over ssh ok"
