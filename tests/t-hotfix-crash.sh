#!/usr/bin/env bash
# Crash matrix: csmaint killed with SIGKILL at step boundaries.  The operation shows as
# interrupted; recover restores the prior value and closes it (a second recover is a
# no-op); resume finishes the job.  The host's lock keeps either from running while the
# original process lives.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)

start_and_kill() {	# STEP [STATE]: run with the autopilot, SIGKILL once STEP is in STATE
	msctl autopilot xs-01 >/dev/null
	"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" "$F4" --execute >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
	BG=$!
	wait_step "$1" "${2:-done}" || echo "step $1 never reached ${2:-done}"
	kill -KILL $BG
	wait $BG 2>/dev/null
	msctl autopilot xs-01 stop >/dev/null 2>&1
}

for point in disable wait-vms wait-maintenance patch reboot:running; do
	step=${point%%:*}
	hotfix_fresh
	start_and_kill $step "$(echo "$point:done" | cut -d: -f2)"
	expect_eq "killed after $step: operation interrupted" interrupted "$(op_state 1)"
	expect_exit 4 "killed after $step: audit reports it" audit -o csv
	expect_out '^interrupted,1,xs-01,1,' "audit lists the interrupted operation"
	expect_exit 0 "killed after $step: recover" recover 1 --execute
	expect_eq "killed after $step: closed as rolled_back" "rolled_back	NULL" \
		"$(sql "SELECT state, IFNULL(open_host,'NULL') FROM operation WHERE id = 1" csmaint)"
	# Disabled by us -> Enabled again; or already reset by CloudStack: left as it is.
	expect_eq "killed after $step: row at its prior value" Enabled "$(alloc_of 1)"
	expect_exit 0 "killed after $step: a second recover is a no-op" recover 1 --execute
	expect_err "already closed \(rolled_back\): nothing to do" "second recover says so"
done

for point in wait-vms patch reboot:running; do
	step=${point%%:*}
	hotfix_fresh
	start_and_kill $step "$(echo "$point:done" | cut -d: -f2)"
	msctl autopilot xs-01 >/dev/null
	expect_exit 0 "killed after $step: resume finishes the job" resume 1 -o json
	expect_err "resuming operation 1 on host 1 \(xs-01\) at step" "says where it resumes"
	expect_eq "resumed after $step: done" "done	NULL" \
		"$(sql "SELECT state, IFNULL(open_host,'NULL') FROM operation WHERE id = 1" csmaint)"
	expect_exit 0 "resumed after $step: both patches applied" patch list --host xs-01 -o csv
	expect_out "^c4c4c4c4-0000-4000-8000-000000000004,XS56EFP1004,.*,true" "1004 applied"
	expect_exit 0 "resume again is a no-op" resume 1
	expect_err "already closed \(done\): nothing to resume" "says so"
done

# While the process lives, resume and recover are refused and a second operator too.
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" &
BG=$!
wait_step wait-vms running
expect_exit 4 "a second operator's hotfix is refused" hotfix xs-01 "$F3" --execute
expect_err "locked by another csmaint" "names the lock"
expect_exit 4 "host disable by another operator is refused" host disable xs-01 --execute
expect_err "operation 1 \(hotfix, running\)" "names the operation"
expect_exit 4 "resume refused while it runs" resume 1
expect_exit 4 "recover refused while it runs" recover 1 --execute
expect_eq "journal shows it running" running "$(op_state 1)"
# CloudStack re-enables the host mid-procedure (reset on reconnect): csmaint re-asserts.
msctl reconnect xs-01 >/dev/null
for _ in $(seq 50); do [ "$(sql "SELECT COUNT(*) FROM operation_step WHERE name = 'reassert'" csmaint)" -gt 0 ] && break; sleep 0.1; done
expect_eq "drift re-asserted and journaled" 1 "$(sql "SELECT COUNT(*) FROM operation_step WHERE name = 'reassert'" csmaint)"
expect_eq "row Disabled again" Disabled "$(alloc_of 1)"
# The database restarts in the middle of a wait: csmaint reconnects and carries on.
mdb_restart >/dev/null
simctl toolstack-restart xs-01 >/dev/null	# and the XenAPI master loses its sessions
msctl autopilot xs-01 >/dev/null
wait $BG
expect_eq "the procedure survived both restarts" 0 $?
expect_eq "operation done" done "$(op_state 1)"
check "it said it reconnected" grep -q "reconnected to MariaDB" "$TEST_TMP/bg.err"
finish
