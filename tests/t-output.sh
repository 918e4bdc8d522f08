#!/usr/bin/env bash
# t-output.sh: tables fit the terminal.  On a terminal (a pseudo-terminal of 100 columns
# here) the free-text columns are cut, the way lsblk does it, so no line is wider than
# the terminal and the identifiers stay whole; -o json, -o csv and a table that goes to
# a pipe keep every byte of the sample's 255-character host name.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_cmd /usr/bin/python3 python3
cs_setup 2.2
LONG=$(sql "SELECT name FROM host WHERE CHAR_LENGTH(name) = 255")
expect_eq "the sample has a 255-character host name" 255 "${#LONG}"

# on_tty COLS ARGS...: csmaint's stdout on a COLS-wide pseudo-terminal, into $OUT.
on_tty() {
	local cols=$1
	shift
	/usr/bin/python3 - "$cols" "$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR" <<'PY'
import fcntl, os, pty, struct, sys, termios
cols = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop("COLUMNS", None)
    os.execv(sys.argv[2], sys.argv[2:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
	RC=$?
}
widest() { awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$OUT"; }

# (The window size is set just after the fork, long before csmaint has connected to
# the database and has something to print.)
on_tty 200 host list
expect_eq "host list on a terminal exits 0" 0 "$RC"
expect_eq "no line is wider than the 200-column terminal" yes "$([ "$(widest)" -le 200 ] && echo yes || echo "no: $(widest)")"
expect_out '^ *1 xs-01 +Up +Enabled' "short host names stay whole"
expect_out 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0001' "the GUID column is not cut"
expect_no_err "$LONG" "the long name is cut on the terminal"
expect_out '^ *[0-9]+ xs-long-0123' "the long name's start is shown"

on_tty 500 host list
expect_eq "a terminal wide enough: nothing cut" yes \
	"$([ "$(widest)" -le 500 ] && grep -q "$LONG" "$OUT" && echo yes || echo no)"

for fmt in json csv; do
	on_tty 200 host list -o $fmt
	expect_out "$LONG" "-o $fmt on a terminal keeps the whole name"
done
host_disable_long() { "$CSMAINT" -c "$CONF" host disable 15 --execute --reason "$(printf 'r%.0s' $(seq 300))" >/dev/null 2>&1; }
check "disable the long-named host with a 300-character reason" host_disable_long
on_tty 200 journal list
expect_eq "journal list on a terminal exits 0" 0 "$RC"
expect_eq "journal list: no line wider than 200" yes "$([ "$(widest)" -le 200 ] && echo yes || echo "no: $(widest)")"
expect_out '^ *1 disable +15 xs-long-0' "journal list: the operation's id, kind and host id stay whole"
on_tty 200 journal list -o csv
expect_out "$LONG,.*r{300}" "journal list -o csv on a terminal: name and reason whole"

run host list
expect_out "$LONG" "a table to a pipe keeps the whole name"
expect_eq "the piped table is wider than 255 columns" yes "$([ "$(widest)" -gt 255 ] && echo yes || echo no)"
finish
