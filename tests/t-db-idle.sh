#!/usr/bin/env bash
# csmaint's transactions get a short wait_timeout (4 x lock_wait_timeout, at least 10 s)
# so the server drops a silent session soon; outside transactions the session keeps the
# server's own, because a hotfix holds the host's named lock (GET_LOCK) on that session
# and may leave it idle longer (a poll_interval, a patch apply, a reboot).  Here the
# hotfix polls every 14 s, longer than 10 s: its session and its lock must survive.
. "$TOP_SRCDIR/tests/lib/common.sh"
PROC_CONF='procedure = { poll_interval = 14; wait_timeout = 120; reboot_timeout = 60; };'
hotfix_fresh
BG=
trap '[ -n "$BG" ] && kill $BG 2>/dev/null; kill $MSSIM_PID 2>/dev/null; _cleanup' EXIT

"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
BG=$!
check "the hotfix disabled the host and waits for the VMs to leave" wait_step wait-vms running
lock="csmaint.$CLOUD.1"
holder=$(sql "SELECT IS_USED_LOCK('$lock')")
check "the hotfix's session holds the host's named lock (connection $holder)" test "$holder" != NULL
sleep 16	# a whole idle gap between two polls, and more than the transactions' 10 s
expect_eq "the same session still holds the lock after idling longer than 10 s" "$holder" \
	"$(sql "SELECT IS_USED_LOCK('$lock')")"
expect_exit 4 "recover is refused: the procedure still runs" recover 1 --execute
expect_err "still running" "says the operation is still running"
expect_eq "the host is still Disabled by the running hotfix" Disabled "$(alloc_of 1)"
kill -TERM $BG
wait $BG
BG=
expect_eq "stopped by SIGTERM, the hotfix rolled back" "rolled_back	Enabled" \
	"$(sql "SELECT o.state, h.allocation_state FROM $JOURNAL.operation o JOIN $CLOUD.host h ON h.id = o.host_id WHERE o.id = 1")"
finish
