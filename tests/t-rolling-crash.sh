#!/usr/bin/env bash
# csmaint rolling killed (SIGKILL) at three points of a 4-host 2.2 pool run: during the
# first host's reboot, then (resumed) while the second host's VMs leave, then (resumed)
# during the third host's wait for maintenance.  resume continues from live state; recover
# rolls back the host in flight and closes the rolling operation; a new run finishes.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql
MKPOOL_ARGS_pool_a="--reboot-seconds 2 --migrate-seconds 1"
rolling_setup 2.2 pool-a
J=$JOURNAL
msctl autopilot-cluster pool-a >/dev/null

# start ARGS...: csmaint in the background; kill_at STEP: SIGKILL it once a child's STEP
# runs.  The operator is the cluster autopilot, following csmaint's proposals throughout.
start() { "$CSMAINT" -c "$CONF" "$@" >"$TEST_TMP/bg.out" 2>"$TEST_TMP/bg.err" & BG=$!; }
kill_at() {
	if wait_step "$1" running; then kill -9 "$BG"; wait "$BG" 2>/dev/null; ok "killed during $1 ($2)"
	else not_ok "step $1 never ran ($2)"; sed 's/^/#   /' "$TEST_TMP/bg.err"; kill -9 "$BG" 2>/dev/null; fi
}
children() { sql "SELECT CONCAT(host_name, ' ', state) FROM operation WHERE parent_id = $pool ORDER BY id" $J; }

# ---- 1: killed during rx-01's reboot; resume ----
start rolling pool-a "$F3" "$F4" --execute
wait_step reboot running
expect_exit 4 "recover is refused while the run is alive" recover "$(sql "SELECT id FROM operation WHERE kind = 'rolling'" $J)" --execute
expect_err "still running" "says the run holds the cluster"
kill_at reboot "rx-01, the master"
pool=$(sql "SELECT id FROM operation WHERE kind = 'rolling'" $J)
expect_eq "the rolling operation shows as interrupted" interrupted "$(op_state "$pool")"
child=$(sql "SELECT id FROM operation WHERE parent_id = $pool" $J)
expect_eq "so does rx-01's operation" interrupted "$(op_state "$child")"
expect_eq "rx-01 still Disabled (the run owns it)" Disabled "$(alloc_of 21)"
expect_exit 4 "a hotfix on rx-02 is refused while the interrupted run holds the cluster" hotfix rx-02 "$F3" "$F4" --execute
expect_err "rolling operation $pool" "names it"

start resume "$pool"
kill_at wait-vms "rx-02's VMs leaving, after the resumed rx-01"
expect_eq "rx-01 was finished by the resume, rx-02 in flight" "rx-01 done
rx-02 running" "$(children)"
expect_eq "rx-01's reboot was asked for once (the resume only waited for it)" 1 \
	"$(sql "SELECT COUNT(*) FROM operation_step WHERE operation_id = $child AND name = 'reboot-requested'" $J)"
expect_eq "rx-01 is back: Enabled" Enabled "$(alloc_of 21)"

# ---- 2: resume after the second kill, then killed while rx-03's VMs leave ----
start resume "$pool"
for _ in $(seq 1200); do
	[ "$(sql "SELECT COUNT(*) FROM operation o JOIN operation_step s ON s.operation_id = o.id WHERE o.parent_id = $pool AND o.host_name = 'rx-03' AND s.name = 'wait-vms' AND s.state = 'running'" $J)" -gt 0 ] && break
	sleep 0.05
done
kill_at wait-vms "rx-03's VMs leaving"
expect_eq "rx-02 done by the second resume, rx-03 in flight" "rx-01 done
rx-02 done
rx-03 running" "$(children)"
expect_eq "rx-03 Disabled while the run owned it" Disabled "$(alloc_of 23)"

# ---- 3: recover: rx-03 rolled back, the pool operation closed, the cluster free ----
expect_exit 0 "recover dry run" recover "$pool"
expect_out "host 23 \(rx-03\): allocation_state 'Disabled' -> 'Enabled'" "shows the restore of rx-03"
expect_eq "the dry run changed nothing" Disabled "$(alloc_of 23)"
expect_exit 0 "recover the rolling operation (via its child's id)" recover "$(sql "SELECT id FROM operation WHERE host_name = 'rx-03'" $J)" --execute
expect_err "part of rolling operation $pool: recovering that one" "says it acts on the pool"
expect_eq "rx-03 restored to Enabled" Enabled "$(alloc_of 23)"
expect_eq "rx-03's operation rolled back" "rx-01 done
rx-02 done
rx-03 rolled_back" "$(children)"
expect_eq "the rolling operation closed as rolled_back, the cluster free" "rolled_back	NULL" \
	"$(sql "SELECT state, IFNULL(open_cluster, 'NULL') FROM operation WHERE id = $pool" $J)"
expect_exit 0 "recover again: nothing to do" recover "$pool" --execute
expect_err "already closed" "says so"
expect_exit 4 "audit: the pool is left mixed" audit -o json
case $(cat "$OUT") in *'"pool-mixed"'*"2 of 4 hosts"*) ok "audit: 2 of 4 hosts patched, mixed since" ;; *) not_ok "audit: $(cat "$OUT")" ;; esac

# ---- a new run does the two hosts left ----
# The operator lets the migrations already asked for finish (the plan refuses work in
# flight anywhere in the cluster), and the autopilot takes rx-03 out of maintenance.
for _ in $(seq 300); do
	[ "$(sql "SELECT status FROM host WHERE id = 23")" = Up ] &&
	[ "$(sql "SELECT COUNT(*) FROM vm_instance WHERE state IN ('Migrating', 'Starting', 'Stopping')")" = 0 ] && break
	sleep 0.1
done
expect_exit 0 "a new rolling run finishes the pool" rolling pool-a "$F3" "$F4" --execute -o json
check "rx-01 and rx-02 skipped (at the level), rx-03 and rx-04 done" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
r={h["name"]:h["result"] for h in d["hosts"]}
assert r=={"rx-01":"skipped","rx-02":"skipped","rx-03":"done","rx-04":"done"}, r
' "$OUT"
expect_eq "nothing left open" 0 "$(sql "SELECT COUNT(*) FROM operation WHERE open_host IS NOT NULL OR open_cluster IS NOT NULL" $J)"
for h in 21 22 23 24; do expect_eq "host $h Enabled" Enabled "$(alloc_of $h)"; done
finish
