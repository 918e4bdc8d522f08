#!/usr/bin/env bash
# One syslog line per change: who, host, old -> new, operation id.  The test catches
# /dev/log in a private mount namespace (unshare), so it never touches the machine's log.
. "$TOP_SRCDIR/tests/lib/common.sh"
if ! command -v unshare >/dev/null || ! unshare -m true 2>/dev/null; then
	skip_test "cannot create a mount namespace here (unshare -m)"
fi
cs_setup 2.2
sock=$TEST_TMP/log.sock
/usr/bin/python3 - "$sock" "$TEST_TMP/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; _cleanup' EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

in_ns() {	# run a command with /dev/log bound to our socket, in a private mount namespace
	unshare -m sh -c 'mount --bind "$1" /dev/log && shift && exec "$@"' sh "$sock" "$@"
}
if [ ! -e /dev/log ]; then
	# No syslog daemon here: our listener can take /dev/log for the test's life.
	ln -s "$sock" /dev/log 2>/dev/null && CREATED_DEVLOG=1
	trap 'kill $LISTENER 2>/dev/null; [ -n "${CREATED_DEVLOG:-}" ] && rm -f /dev/log; _cleanup' EXIT
	runlog() { "$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR"; RC=$?; }
else
	runlog() { in_ns "$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR"; RC=$?; }
fi

runlog host disable xs-01 --execute
expect_eq "disable ran" 0 "$RC"
runlog host enable xs-01 --execute
expect_eq "enable ran" 0 "$RC"
runlog host disable xs-02
expect_eq "dry run ran" 0 "$RC"
sleep 0.3
who="$(id -un)@$(hostname)"
check "disable logged: who, host, old -> new, operation" grep -q "csmaint\[[0-9]*\]: $who: host 1 (xs-01) allocation_state Enabled -> Disabled, operation 1" "$TEST_TMP/syslog.txt"
check "enable logged" grep -q "$who: host 1 (xs-01) allocation_state Disabled -> Enabled, operation 1" "$TEST_TMP/syslog.txt"
check "facility authpriv, severity notice (<85>)" grep -q "^<85>" "$TEST_TMP/syslog.txt"
expect_eq "exactly two lines: a dry run logs nothing" 2 "$(grep -c "csmaint" "$TEST_TMP/syslog.txt")"
check "the password is never logged" sh -c "! grep -q s3cr3t-pw '$TEST_TMP/syslog.txt'"
finish
