#!/usr/bin/env bash
# A rolling run whose database connection dies while a host's VMs are leaving, and whose
# cluster lock another csmaint takes meanwhile (a resume elsewhere): it reconnects, finds
# the lock taken and stops writing: neither the host's operation nor the rolling
# operation is closed or marked failed by it; the new owner decides.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql
rolling_setup 2.2 pool-a
J=$JOURNAL
# No operator: rx-01's VMs stay, the run waits in wait-vms.
"$CSMAINT" -c "$CONF" rolling pool-a "$F3" "$F4" --execute >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
BG=$!
wait_step wait-vms running || not_ok "the run never waited for rx-01's VMs"
lock="csmaint.$CLOUD.cluster.10"
conn=$(mdb_sql -e "SELECT IS_USED_LOCK('$lock')")
expect_eq "the run holds the cluster's lock" 1 "$([ -n "$conn" ] && [ "$conn" != NULL ] && echo 1)"
mdb_sql -e "KILL $conn; SELECT GET_LOCK('$lock', 5), SLEEP(10)" >/dev/null &
other=$!
wait $BG
rc=$?
expect_eq "the run gives way (exit 4)" 4 "$rc"
if grep -q "another csmaint holds operation [0-9]*'s lock" "$TEST_TMP/bg.err"; then ok "it says another csmaint owns it now"
else not_ok "stderr: $(tail -5 "$TEST_TMP/bg.err")"; fi
pool=$(sql "SELECT id FROM operation WHERE kind = 'rolling'" $J)
expect_eq "the rolling operation is not marked failed by the run that lost it" "running	10" \
	"$(sql "SELECT state, open_cluster FROM operation WHERE id = $pool" $J)"
expect_eq "rx-01's operation is left open for the new owner" "running	21" \
	"$(sql "SELECT state, open_host FROM operation WHERE parent_id = $pool" $J)"
expect_eq "rx-01 stays Disabled (nothing restored under the other's lock)" Disabled "$(alloc_of 21)"
wait $other
expect_exit 0 "once the other lets go, recover closes the pool" recover "$pool" --execute
expect_eq "rx-01 restored" Enabled "$(alloc_of 21)"
expect_eq "the rolling operation rolled back" rolled_back "$(sql "SELECT state FROM operation WHERE id = $pool" $J)"
finish
