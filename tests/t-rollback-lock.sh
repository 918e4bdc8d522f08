#!/usr/bin/env bash
# A rollback that finds its database connection gone reconnects and takes the host's
# lock again before it writes: when another csmaint (a resume, a recover) took the lock
# in the meantime, that one owns the operation and the rollback writes nothing.  (Before
# the fix the rollback reconnected and restored the row under the other one's lock.)
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql
# A long poll: csmaint sleeps through the lost connection and notices it only when the
# signal makes it roll back.
PROC_CONF='procedure = { poll_interval = 30; wait_timeout = 120; reboot_timeout = 60; };'
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" "$F4" --execute >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
BG=$!
wait_step wait-vms running || not_ok "the procedure never waited for the VMs"
lock="csmaint.$CLOUD.1"
conn=$(mdb_sql -e "SELECT IS_USED_LOCK('$lock')")
expect_eq "csmaint holds the host's lock" 1 "$([ -n "$conn" ] && [ "$conn" != NULL ] && echo 1)"
# The connection dies (a DBA's KILL, a failover) and another csmaint takes the lock.
mdb_sql -e "KILL $conn; SELECT GET_LOCK('$lock', 5), SLEEP(12)" >/dev/null &
other=$!
for _ in $(seq 50); do [ "$(mdb_sql -e "SELECT IS_USED_LOCK('$lock') <> $conn")" = 1 ] && break; sleep 0.1; done
kill -TERM $BG
wait $BG
rc=$?
expect_eq "the interrupted run gives way (exit 4)" 4 "$rc"
if grep -q "another csmaint holds operation 1's lock" "$TEST_TMP/bg.err"; then ok "it says another csmaint owns the operation now"
else not_ok "stderr: $(cat "$TEST_TMP/bg.err")"; fi
expect_eq "it did not restore the row under the other's lock" Disabled "$(alloc_of 1)"
expect_eq "the operation is left to its new owner (open)" 1 "$(sql "SELECT COUNT(*) FROM operation WHERE id = 1 AND open_host = 1" csmaint)"
wait $other
expect_exit 0 "once the other lets go, recover closes it" recover 1 --execute
expect_eq "and restores the row" Enabled "$(alloc_of 1)"
finish
