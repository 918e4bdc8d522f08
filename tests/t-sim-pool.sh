#!/usr/bin/env bash
# t-sim-pool.sh: the simulated pools for `csmaint rolling` (tests/data/mkpool.py,
# rolling_setup): the fixtures' arithmetic, capacity as CloudStack 2.2 counts it in mssim
# (planner, used_capacity moving with each migration, start and stop), xapisim's memory
# (memory_free moving, HOST_NOT_ENOUGH_FREE_MEMORY, timed migrations, apply_fail_on), and
# `msctl autopilot-cluster` following the proposed targets of a rolling run's child
# operation (journal rows written here as csmaint writes them).
. "$TOP_SRCDIR/tests/lib/common.sh"
PY=/usr/bin/python3
MKPOOL_ARGS_pool_tight="--migrate-seconds 0"
MKPOOL_ARGS_pool_a="--migrate-seconds 1.2 --apply-fail-on rx-03 --patched rx-02"
rolling_setup 2.2 pool-a pool-tight
msctl set migrate_delay 0.05 >/dev/null
msctl set proposal_wait 5 >/dev/null

MiB=1048576
# xs STATE-DIR EXPR: a Python expression on the xapisim state s (db = s["db"]); helpers
# host(name) -> host record, metrics(name) -> host_metrics record, vm(name) -> VM record,
# hname(ref) -> a host's name_label.
xs() {
	/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/simctl" --state-dir "$1" state | $PY -c '
import json, sys
s = json.load(sys.stdin); db = s["db"]
host = lambda n: next(h for h in db["host"].values() if h["name_label"] == n)
metrics = lambda n: db["host_metrics"][host(n)["metrics"]]
vm = lambda n: next(v for v in db["VM"].values() if v["name_label"] == n)
hname = lambda r: db["host"][r]["name_label"] if r in db["host"] else r
print(eval(sys.argv[1]))' "$2"
}
A=$XS_STATE_pool_a T=$XS_STATE_pool_tight
used() { sql "SELECT used_capacity FROM op_host_capacity WHERE host_id = $1 AND capacity_type = ${2:-0}"; }
reserved() { sql "SELECT reserved_capacity FROM op_host_capacity WHERE host_id = $1 AND capacity_type = ${2:-0}"; }
# wait_sql WANT QUERY [SECONDS]
wait_sql() {
	local i
	for i in $(seq $((${3:-10} * 10))); do
		[ "$(sql "$2")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- fixtures ---------------------------------------------------------------------------
expect_eq "pool-a: hosts rx-01..rx-04 on 127.0.0.21-24 in cluster 10 'pool-a'" \
	"21 rx-01 127.0.0.21,22 rx-02 127.0.0.22,23 rx-03 127.0.0.23,24 rx-04 127.0.0.24" \
	"$(sql "SELECT GROUP_CONCAT(CONCAT_WS(' ', h.id, h.name, h.private_ip_address) ORDER BY h.id) FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE c.name = 'pool-a'")"
expect_eq "pool-tight: hosts rt-01..rt-04 on 127.0.0.61-64 in cluster 30" "61,62,63,64" \
	"$(sql "SELECT GROUP_CONCAT(id ORDER BY id) FROM host WHERE cluster_id = 30")"
expect_eq "both xapisims listen on the port of the config" "$XS_PORT $XS_PORT" \
	"$(cat "$A/port") $(cat "$T/port")"
expect_eq "the masters are the first hosts" "127.0.0.21 127.0.0.61" "$(cat "$A/master") $(cat "$T/master")"
# used_capacity is the sum of the offerings of the VMs on each host, total = host.ram
expect_eq "op_host_capacity used = sum of the VMs' offerings (memory and CPU), every pool host" "0" \
	"$(sql "SELECT COUNT(*) FROM op_host_capacity c JOIN host h ON h.id = c.host_id WHERE h.cluster_id IN (10, 30) AND c.used_capacity <> (SELECT IFNULL(SUM(IF(c.capacity_type = 0, so.ram_size * $MiB, so.cpu * so.speed)), 0) FROM vm_instance v JOIN service_offering so ON so.id = v.service_offering_id WHERE v.host_id = h.id AND v.removed IS NULL) OR c.total_capacity <> IF(c.capacity_type = 0, h.ram, h.cpus * h.speed)")"
# fits: for every host, its VMs' memory <= the free memory of the other hosts
fit_sql() { echo "SELECT GROUP_CONCAT(h.name ORDER BY h.id) FROM host h JOIN op_host_capacity m ON m.host_id = h.id AND m.capacity_type = 0 WHERE h.cluster_id = $1 AND m.used_capacity $2 (SELECT SUM(o.total_capacity - o.used_capacity - o.reserved_capacity) FROM op_host_capacity o JOIN host g ON g.id = o.host_id WHERE g.cluster_id = $1 AND g.id <> h.id AND o.capacity_type = 0)"; }
expect_eq "pool-a: every host's VMs fit on the other three" "rx-01,rx-02,rx-03,rx-04" "$(sql "$(fit_sql 10 '<=')")"
expect_eq "pool-tight: no host's VMs fit on the other three (memory)" "rt-01,rt-02,rt-03,rt-04" "$(sql "$(fit_sql 30 '>')")"
expect_eq "xapisim rx-01 memory_free = total - xen - dom0 - its VMs (2048+512+128 MiB)" \
	$(( (16 << 30) - 128 * MiB - 790626304 - 2688 * MiB )) "$(xs "$A" 'metrics("rx-01")["memory_free"]')"
expect_eq "xapisim VM memory from its offering: static_max = dynamic_max = target" "2147483648 2147483648 2147483648" \
	"$(xs "$A" '" ".join(str(vm("i-2-1001-VM")[k]) for k in ("memory_static_max", "memory_dynamic_max", "memory_target"))')"
expect_eq "one user VM without Tools, i-2-1002-VM (HVM, no guest metrics)" "BIOS order OpaqueRef:NULL" \
	"$(xs "$A" 'vm("i-2-1002-VM")["HVM_boot_policy"] + " " + vm("i-2-1002-VM")["guest_metrics"]')"
expect_eq "--patched rx-02: both patches applied on rx-02 only, the files cleaned" "rx-02 rx-02 []" \
	"$(xs "$A" '" ".join(hname(hp["host"]) for hp in db["host_patch"].values()) + " " + str(sorted(h for p in db["pool_patch"].values() for h in p["_files"]))')"
expect_eq "--apply-fail-on rx-03 is the pool's apply_fail_on" "['rx-03']" "$(xs "$A" 's["options"]["apply_fail_on"]')"
$PY "$TOP_SRCDIR/tests/data/mkpool.py" pool-c 3.0 --hosts 16 --sql "$TEST_TMP/c.sql" --json "$TEST_TMP/c.json" &&
	$PY "$TOP_SRCDIR/tests/data/mkpool.py" pool-c 3.0 --hosts 16 --sql "$TEST_TMP/c2.sql" --json "$TEST_TMP/c2.json"
check "16 hosts: 127.0.0.81-96, deterministic output" test "$($PY -c 'import json,sys; print(",".join(h["address"][8:] for h in json.load(open(sys.argv[1]))["hosts"]))' "$TEST_TMP/c.json")" = "$(seq -s, 81 96)" -a \
	"$(sed 1d "$TEST_TMP/c.sql" | md5sum)" = "$(sed 1d "$TEST_TMP/c2.sql" | md5sum)" -a -z "$(cmp "$TEST_TMP/c.json" "$TEST_TMP/c2.json")"

# apply_fail_on: applying on rx-03 fails, on rx-04 it works (XenAPI on the master)
/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/simctl" --state-dir "$A" set-patch XS56EFP1003 file_present=true >/dev/null
expect_eq "apply_fail_on rx-03: PATCH_APPLY_FAILED there, applied on rx-04" \
	"PATCH_APPLY_FAILED simulated failure on rx-03|ok" "$($PY - "$XS_CERTS/ca.pem" "$XS_PORT" <<'PY'
import ssl, sys, xmlrpc.client
ctx = ssl.create_default_context(cafile=sys.argv[1])
x = xmlrpc.client.ServerProxy("https://127.0.0.21:%s/" % sys.argv[2], context=ctx)
s = x.session.login_with_password("root", "xenroot")["Value"]
p = x.pool_patch.get_by_name_label(s, "XS56EFP1003")["Value"][0]
out = []
for h in ("rx-03", "rx-04"):
    href = x.host.get_by_name_label(s, h)["Value"][0]
    r = x.pool_patch.apply(s, p, href)
    out.append(" ".join(r["ErrorDescription"]) if r["Status"] != "Success" else "ok")
print("|".join(out))
PY
)"
expect_eq "--reboot-seconds default: 1 s on every host" "1.0 1.0 1.0 1.0" \
	"$(xs "$A" '" ".join(str(h["_reboot_seconds"]) for h in db["host"].values())')"

# ---- a named migration that takes time: used_capacity and memory_free move -----------------
u21=$(used 21) u23=$(used 23) c21=$(used 21 1) c23=$(used 23 1) f23=$(xs "$A" 'metrics("rx-03")["memory_free"]')
t0=$(date +%s.%N)
msctl migrate i-2-1001-VM rx-03 >/dev/null
wait_sql Migrating "SELECT state FROM vm_instance WHERE id = 1001" 3
expect_eq "while migrating: the destination counts the VM (allocateVmCapacity), the source still does" \
	"$((u23 + 2048 * MiB)) $u21 $((c23 + 2000))" "$(used 23) $(used 21) $(used 23 1)"
expect_eq "while migrating: XenServer has the memory taken on rx-03, the VM still on rx-01" \
	"$((f23 - 2048 * MiB)) rx-01" "$(xs "$A" 'str(metrics("rx-03")["memory_free"]) + " " + hname(vm("i-2-1001-VM")["resident_on"])')"
wait_sql "Running 23" "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 1001" 10
t1=$(date +%s.%N)
check "the migration took migrate_seconds (1.2 s) at least" $PY -c "import sys; sys.exit(not $t1 - $t0 >= 1.2)"
expect_eq "after: used moved from rx-01 to rx-03 (memory and CPU), last_host_id rx-01" \
	"$((u21 - 2048 * MiB)) $((u23 + 2048 * MiB)) $((c21 - 2000)) $((c23 + 2000)) 21" \
	"$(used 21) $(used 23) $(used 21 1) $(used 23 1) $(sql "SELECT last_host_id FROM vm_instance WHERE id = 1001")"
expect_eq "after: xapisim has it on rx-03, rx-01's memory_free up by 2 GiB" \
	"rx-03 $(( (16 << 30) - 128 * MiB - 790626304 - 640 * MiB ))" \
	"$(xs "$A" 'hname(vm("i-2-1001-VM")["resident_on"]) + " " + str(metrics("rx-01")["memory_free"])')"

# ---- capacity refusals -------------------------------------------------------------------
# XenServer refuses a named migration to a host without the memory (CloudStack 2.2 does not
# check a named host): VM back on its source, the destination's count released again.
u62=$(used 62) u64=$(used 64) f62=$(xs "$T" 'metrics("rt-02")["memory_free"]')
msctl migrate i-2-3013-VM rt-02 >/dev/null
for _ in $(seq 50); do grep -q "VM 3013: migration 64 -> 62 failed" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
expect_eq "HOST_NOT_ENOUGH_FREE_MEMORY [needed; available] from VM.pool_migrate, as xapi words it" 1 \
	"$(grep -c "VM 3013: migration 64 -> 62 failed: XenAPI HOST_NOT_ENOUGH_FREE_MEMORY 536870912 $f62\$" "$TEST_TMP/mssim.log")"
expect_eq "refused: the VM stays Running on rt-04, used on rt-02 back where it was" "Running 64 $u62 $u64" \
	"$(sql "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 3013") $(used 62) $(used 64)"
# The planner (migrate-all: migrateAway) takes only hosts with the capacity: rt-04's small
# VM fits on rt-03 only (rt-01 411 MiB free, rt-02 27 MiB); its xl and large fit nowhere.
msctl migrate-all rt-04 >/dev/null
wait_sql "3013:63" "SELECT GROUP_CONCAT(CONCAT(id, ':', host_id)) FROM vm_instance WHERE id = 3013 AND state = 'Running'" 10
expect_eq "planner: the 512 MiB VM on the first host with room (rt-03), xl and large stay on rt-04" \
	"3011:64,3012:64,3013:63" \
	"$(sql "SELECT GROUP_CONCAT(CONCAT(id, ':', host_id) ORDER BY id) FROM vm_instance WHERE id BETWEEN 3011 AND 3013")"
check "planner: 'no destination' for the VMs that fit nowhere" grep -q "no destination for VM 3011: no other Up host with allocation_state = 'Enabled' and the capacity in cluster 30" "$TEST_TMP/mssim.log"
# CPU: cpu.overprovisioning.factor scales the CPU total (a float, as in Java)
sql "UPDATE configuration SET value = '0.05' WHERE name = 'cpu.overprovisioning.factor'"
msctl migrate-all rx-04 >/dev/null
for _ in $(seq 50); do grep -q "no destination for VM 1011" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
expect_eq "factor 0.05 (960 MHz per host): no host has the CPU, nothing moves" "24,24" \
	"$(sql "SELECT GROUP_CONCAT(host_id ORDER BY id) FROM vm_instance WHERE id IN (1010, 1011)")"
sql "UPDATE configuration SET value = '1' WHERE name = 'cpu.overprovisioning.factor'"
# stop and start: the stopped VM's capacity moves to reserved on its host; starting it
# again there takes it from reserved (FirstFitPlanner: last host from reserved first)
u22=$(used 22)
msctl stop-vm i-2-1005-VM >/dev/null
wait_sql Stopped "SELECT state FROM vm_instance WHERE id = 1005" 5
expect_eq "stop: used -1 GiB, reserved +1 GiB on rx-02 (releaseVmCapacity to reserved)" \
	"$((u22 - 1024 * MiB)) $((1024 * MiB))" "$(used 22) $(reserved 22)"
msctl start-vm i-2-1005-VM >/dev/null
wait_sql "Running 22" "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 1005" 5
expect_eq "start: back on its last host from reserved" "$u22 0" "$(used 22) $(reserved 22)"

# ---- autopilot-cluster following a rolling run's proposals ---------------------------------
# What csmaint writes (contract: journal v2, proposed targets): the pool operation, the
# child holding rx-01 with allocation_state Disabled, its wait-vms step running.
J() { mdb_sql "$JOURNAL" -e "$1"; }
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, state, open_cluster, operator, started, updated) VALUES (900, 'rolling', NULL, '$CLOUD', NULL, 'pool-a', 10, 'allocation_state', 'running', 10, 'test@t-sim-pool', NOW(), NOW())"
check "autopilot-cluster pool-a starts" msctl autopilot-cluster pool-a
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, prior_value, new_value, state, open_host, operator, started, updated) VALUES (901, 'hotfix', 900, '$CLOUD', 21, 'rx-01', 10, 'allocation_state', 'Enabled', 'Disabled', 'running', 21, 'test@t-sim-pool', NOW(), NOW())"
sql "UPDATE host SET allocation_state = 'Disabled' WHERE id = 21"
# the planner would put the router on rx-02 and i-2-1002-VM back on rx-01 (its last host,
# reserved): the proposals say rx-04 and rx-03
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (901, 1, 'wait-vms', 'running', NOW(), 'proposed targets: none')"
for _ in $(seq 50); do grep -q "autopilot host 21: wait-vms proposals: none" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
check "the autopilot read the running wait-vms step" grep -q "autopilot host 21: wait-vms proposals: none" "$TEST_TMP/mssim.log"
J "UPDATE operation_step SET state = 'done', detail = '0 VMs left' WHERE operation_id = 901 AND seq = 1"
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (901, 2, 'wait-no-tools', 'running', NOW(), 'proposed targets: i-2-1002-VM -> rx-03')"
wait_sql Stopped "SELECT state FROM vm_instance WHERE id = 1002" 10
expect_eq "the VM without Tools is shut down (CTX133466 step 3)" "Stopped 21" \
	"$(sql "SELECT CONCAT_WS(' ', state, last_host_id) FROM vm_instance WHERE id = 1002")"
J "UPDATE operation_step SET state = 'done', detail = 'shut down' WHERE operation_id = 901 AND seq = 2"
wait_sql Maintenance "SELECT status FROM host WHERE id = 21" 15
expect_eq "maintenance: the router went by the planner to the first host with room (rx-02)" "22" \
	"$(sql "SELECT host_id FROM vm_instance WHERE id = 1003")"
expect_eq "MaintainCommand moved the master of pool-a to rx-02" "127.0.0.22" "$(cat "$A/master")"
# csmaint restores allocation_state and closes its child operation (no reboot: the
# autopilot takes the host out of maintenance once csmaint is done with it)
sql "UPDATE host SET allocation_state = 'Enabled' WHERE id = 21"
J "UPDATE operation SET state = 'done', open_host = NULL, finished = NOW() WHERE id = 901"
wait_sql "Up" "SELECT status FROM host WHERE id = 21" 15
wait_sql "Running 23" "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 1002" 10
expect_eq "the VM without Tools started on the proposed host rx-03, not its last host" "Running 23" \
	"$(sql "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 1002")"
# next host: the child for rx-04 proposes rx-03 for i-2-1010-VM (the planner: rx-01)
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, prior_value, new_value, state, open_host, operator, started, updated) VALUES (902, 'hotfix', 900, '$CLOUD', 24, 'rx-04', 10, 'allocation_state', 'Enabled', 'Disabled', 'running', 24, 'test@t-sim-pool', NOW(), NOW())"
sql "UPDATE host SET allocation_state = 'Disabled' WHERE id = 24"
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (902, 1, 'wait-vms', 'running', NOW(), 'proposed targets: i-2-1010-VM -> rx-03')"
wait_sql "23 21" "SELECT CONCAT_WS(' ', (SELECT host_id FROM vm_instance WHERE id = 1010 AND state = 'Running'), (SELECT host_id FROM vm_instance WHERE id = 1011 AND state = 'Running'))" 15
expect_eq "second host: the listed VM to its proposed host rx-03, the unlisted one by the planner (rx-01)" \
	"23 21" "$(sql "SELECT GROUP_CONCAT(host_id ORDER BY id SEPARATOR ' ') FROM vm_instance WHERE id IN (1010, 1011)")"
expect_eq "the cluster autopilot took the hosts one at a time, in the order csmaint disabled them" "[21, 24]" \
	"$(msctl status | $PY -c 'import json,sys; print(json.load(sys.stdin)["autopilot_cluster"]["10"]["hosts"])')"
expect_eq "status counts the migrations per VM (for the bench)" "1 1 1" \
	"$(msctl status | $PY -c 'import json,sys; m=json.load(sys.stdin)["migrations_by_vm"]; print(m.get("i-2-1001-VM"), m.get("i-2-1010-VM"), m.get("r-1003-VM"))')"
check "autopilot-cluster pool-a stop" msctl autopilot-cluster pool-a stop
expect_eq "no proposal named a host without CloudStack capacity" "0" \
	"$(msctl status | $PY -c 'import json,sys; print(json.load(sys.stdin)["counters"].get("unsuitable_targets", 0))')"

# ---- 3.0, two pools: the second xapisim on the same port, autopilot-cluster with the
# handback (csmaint sets resource_state back to Enabled, which 3.0 maintenance needs) ----------
rolling_setup 3.0 pool-a pool-b
msctl set migrate_delay 0.05 >/dev/null
msctl set proposal_wait 5 >/dev/null
B=$XS_STATE_pool_b
expect_eq "3.0: pool-b hosts ry-01..ry-04 on 127.0.0.41-44, resource_state Enabled, uuids" \
	"41 ry-01 127.0.0.41 Enabled 6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0041" \
	"$(sql "SELECT CONCAT_WS(' ', id, name, private_ip_address, resource_state, uuid) FROM host WHERE id = 41")"
expect_eq "3.0: capacity rows consistent with the VMs, capacity_state Enabled" "0 Enabled" \
	"$(sql "SELECT COUNT(*) FROM op_host_capacity c JOIN host h ON h.id = c.host_id WHERE h.cluster_id IN (10, 20) AND c.used_capacity <> (SELECT IFNULL(SUM(IF(c.capacity_type = 0, so.ram_size * $MiB, so.cpu * so.speed)), 0) FROM vm_instance v JOIN service_offering so ON so.id = v.service_offering_id WHERE v.host_id = h.id AND v.removed IS NULL)") $(sql "SELECT GROUP_CONCAT(DISTINCT capacity_state) FROM op_host_capacity WHERE cluster_id = 20")"
expect_eq "pool-b's xapisim: same port, master ry-01" "$XS_PORT 127.0.0.41" "$(cat "$B/port") $(cat "$B/master")"
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, state, open_cluster, operator, started, updated) VALUES (910, 'rolling', NULL, '$CLOUD', NULL, 'pool-b', 20, 'resource_state', 'running', 20, 'test@t-sim-pool', NOW(), NOW())"
msctl autopilot-cluster 20 >/dev/null
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, prior_value, new_value, state, open_host, operator, started, updated) VALUES (911, 'hotfix', 910, '$CLOUD', 41, 'ry-01', 20, 'resource_state', 'Enabled', 'Disabled', 'running', 41, 'test@t-sim-pool', NOW(), NOW())"
sql "UPDATE host SET resource_state = 'Disabled' WHERE id = 41"
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (911, 1, 'wait-vms', 'running', NOW(), 'proposed targets: i-2-2001-VM -> ry-04')"
wait_sql "Running 44" "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 2001" 10
expect_eq "3.0: the VM with Tools migrated to the proposed ry-04 (the planner: ry-02), in pool-b's xapisim too" \
	"Running 44 ry-04" "$(sql "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 2001") $(xs "$B" 'hname(vm("i-2-2001-VM")["resident_on"])')"
J "UPDATE operation_step SET state = 'done', detail = 'left' WHERE operation_id = 911 AND seq = 1"
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (911, 2, 'wait-no-tools', 'running', NOW(), 'proposed targets: i-2-2002-VM -> ry-03')"
wait_sql Stopped "SELECT state FROM vm_instance WHERE id = 2002" 10
J "UPDATE operation_step SET state = 'done', detail = 'shut down' WHERE operation_id = 911 AND seq = 2"
for _ in $(seq 50); do grep -q "Cannot transimit resource state of host 41" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
check "3.0: maintenance of the Disabled host refused as CloudStack words it" grep -q "Cannot transimit resource state of host 41" "$TEST_TMP/mssim.log"
sql "UPDATE host SET resource_state = 'Enabled' WHERE id = 41"		# csmaint's handback
wait_sql Maintenance "SELECT resource_state FROM host WHERE id = 41" 15
expect_eq "3.0: in maintenance, the router by the planner on ry-02" "42" "$(sql "SELECT host_id FROM vm_instance WHERE id = 2003")"
J "UPDATE operation SET state = 'done', open_host = NULL, finished = NOW() WHERE id = 911"
wait_sql "Running 43" "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 2002" 15
expect_eq "3.0: maintenance cancelled, the VM without Tools started on the proposed ry-03" \
	"Up Enabled Running 43 ry-03" \
	"$(sql "SELECT CONCAT_WS(' ', status, resource_state) FROM host WHERE id = 41") $(sql "SELECT CONCAT_WS(' ', state, host_id) FROM vm_instance WHERE id = 2002") $(xs "$B" 'hname(vm("i-2-2002-VM")["resident_on"])')"
expect_eq "3.0: pool-a untouched by pool-b's run (master, its 11 VMs where they were)" "127.0.0.21 11" \
	"$(cat "$XS_STATE_pool_a/master") $(sql "SELECT COUNT(*) FROM vm_instance WHERE id BETWEEN 1001 AND 1099 AND host_id = last_host_id AND state = 'Running'")"
# 3.0: csmaint hands an empty host back to Enabled at once; the Disabled moment is too
# short to see: the open operation is what counts (t-rolling-30's resume needs it)
J "INSERT INTO operation (id, kind, parent_id, cloud_schema, host_id, host_name, cluster_id, column_name, prior_value, new_value, state, open_host, operator, started, updated) VALUES (912, 'hotfix', 910, '$CLOUD', 44, 'ry-04', 20, 'resource_state', 'Enabled', 'Disabled', 'running', 44, 'test@t-sim-pool', NOW(), NOW())"
sql "UPDATE host SET resource_state = 'Disabled' WHERE id = 44; UPDATE host SET resource_state = 'Enabled' WHERE id = 44"
J "INSERT INTO operation_step (operation_id, seq, name, state, started, detail) VALUES (912, 1, 'wait-vms', 'running', NOW(), 'proposed targets: i-2-2001-VM -> ry-01, i-2-2010-VM -> ry-01, i-2-2011-VM -> ry-01')"
wait_sql Maintenance "SELECT resource_state FROM host WHERE id = 44" 15
expect_eq "3.0: a host Disabled only for a moment is still taken: its VMs on ry-01, the host in maintenance" \
	"41,41,41 Maintenance" "$(sql "SELECT GROUP_CONCAT(host_id ORDER BY id) FROM vm_instance WHERE id IN (2001, 2010, 2011)") $(sql "SELECT resource_state FROM host WHERE id = 44")"
msctl autopilot-cluster 20 stop >/dev/null
finish
