#!/bin/bash
# t-mssim.sh - test of the CloudStack management-server simulator (tests/mssim) against a
# private MariaDB with the sample databases, and with the XenAPI simulator (tests/xapisim).
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${TOP_SRCDIR:?}" "${TEST_TMP:?}"
PY=/usr/bin/python3
MS=$TOP_SRCDIR/tests/mssim
XS=$TOP_SRCDIR/tests/xapisim
. "$TOP_SRCDIR/tests/lib/need.sh"
need_py pymysql python3-pymysql
need_cmd openssl openssl	# tests/xapisim/mkcert.sh
. "$TOP_SRCDIR/tests/lib/mariadb.sh"
need_mariadb

MSPID= XSPID= FAILED=0
cleanup() {
	[ -n "$MSPID" ] && kill "$MSPID" 2>/dev/null && wait "$MSPID" 2>/dev/null
	[ -n "$XSPID" ] && kill "$XSPID" 2>/dev/null && wait "$XSPID" 2>/dev/null
	mdb_stop >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
mdb_start "$TEST_TMP/db" || { echo "not ok - start MariaDB"; exit 1; }
mdb_load_cloudstack 2.2 cloud || { echo "not ok - load the 2.2 sample"; exit 1; }
mdb_load_cloudstack 3.0 cloud30 || { echo "not ok - load the 3.0 sample"; exit 1; }
mdb_create_user mssim 'ms pw' "SELECT, INSERT, UPDATE ON cloud.*" "SELECT, INSERT, UPDATE ON cloud30.*" ||
	{ echo "not ok - create user"; exit 1; }
printf 'ms pw\n' >"$TEST_TMP/pw"

ok() { echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
DB=cloud
q() { mdb_sql "$DB" -e "$1"; }
# check DESC WANT SQL [SECONDS]: poll until SQL yields WANT (default 10 s).
check() {
	local d=$1 want=$2 sql=$3 n=$(( ${4:-10} * 20 )) got
	while :; do
		got=$(q "$sql" | tr '\t\n' ',,' | sed 's/,$//')
		[ "$got" = "$want" ] && { ok "$d"; return 0; }
		n=$((n - 1))
		[ "$n" -le 0 ] && break
		sleep 0.05
	done
	not_ok "$d: want '$want', got '$got'"
	return 1
}
msctl() { "$MS/msctl" --state-dir "$TEST_TMP/ms" "$@"; }
simctl() { "$XS/simctl" --state-dir "$TEST_TMP/xs" "$@"; }

# start_ms DB [ARGS...]: (re)start the simulator on database DB
start_ms() {
	local db=$1
	shift
	stop_ms
	DB=$db
	"$PY" "$MS/mssim.py" --socket "$MDB_SOCK" --user mssim --password-file "$TEST_TMP/pw" \
		--db "$db" --state-dir "$TEST_TMP/ms" --ping-interval 0.005 "$@" \
		2>>"$TEST_TMP/mssim.log" &
	MSPID=$!
	for _ in $(seq 100); do
		[ -e "$TEST_TMP/ms/ready" ] && return 0
		kill -0 "$MSPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "not ok - mssim did not start"; sed 's/^/# /' "$TEST_TMP/mssim.log"; exit 1
}
stop_ms() {
	[ -n "$MSPID" ] || return 0
	kill -TERM "$MSPID"
	wait "$MSPID"
	local rc=$?
	MSPID=
	[ "$rc" = 0 ] && ok "mssim exits 0 on SIGTERM" || not_ok "mssim exit status $rc on SIGTERM"
}

# ---------------------------------------------------------------- 2.2, no XenAPI simulator
start_ms cloud
ok "mssim ready (pid $(cat "$TEST_TMP/ms/pid"))"
msctl set migrate_delay 0.5 >/dev/null && msctl set connect_delay 0.5 >/dev/null
q "UPDATE host SET last_ping = 0, mgmt_server_id = 345051509694 WHERE id IN (2, 4)"
check "ping: last_ping advances on Up hosts" "1,1" \
	"SELECT last_ping > 1000000 FROM host WHERE id IN (2, 4) ORDER BY id" 5
check "ping: a Disabled host stays Disabled" "Disabled" "SELECT allocation_state FROM host WHERE id = 4"
check "start: VM 4's unfinished migration 1 -> 2 completes" "Running,2,1" \
	"SELECT state, host_id, last_host_id FROM vm_instance WHERE id = 4"

# Host 2 disabled: maintenance of host 1 must move VMs 1, 2, 3 to host 10 only.
q "UPDATE host SET allocation_state = 'Disabled' WHERE id = 2"
msctl prepare-maintenance xs-01 >/dev/null || not_ok "prepare-maintenance xs-01 refused"
check "prepare-maintenance: host 1 PrepareForMaintenance" PrepareForMaintenance \
	"SELECT status FROM host WHERE id = 1" 0
check "migration in flight: Migrating, host_id = destination, last_host_id = source" \
	"Migrating,10,1,5" "SELECT state, host_id, last_host_id, update_count FROM vm_instance WHERE id = 1"
check "host 1 reaches Maintenance once its VMs left" Maintenance "SELECT status FROM host WHERE id = 1"
check "VMs 1, 2, 3: Running on 10, last_host_id 1, update_count + 2" \
	"1,Running,10,1,6,2,Running,10,1,6,3,Running,10,1,8" \
	"SELECT id, state, host_id, last_host_id, update_count FROM vm_instance WHERE id IN (1, 2, 3) ORDER BY id"
check "op_ha_work: one Migration row per VM, Done" "1,Migration,1,Done,2,Migration,1,Done,3,Migration,1,Done" \
	"SELECT instance_id, type, host_id, step FROM op_ha_work WHERE id > 2 ORDER BY id"
check "nothing was migrated onto the Disabled host 2" "0" \
	"SELECT COUNT(*) FROM vm_instance WHERE host_id = 2 AND id IN (1, 2, 3)"

# Host 10's only possible target is host 2, Disabled: no migration, ErrorInMaintenance.
msctl prepare-maintenance 10 >/dev/null
check "only Disabled targets left: ErrorInMaintenance" ErrorInMaintenance "SELECT status FROM host WHERE id = 10"
check "... and the VMs stay on host 10" "3" "SELECT COUNT(*) FROM vm_instance WHERE host_id = 10"
q "UPDATE host SET allocation_state = 'Enabled' WHERE id = 2"
msctl prepare-maintenance 10 >/dev/null
check "maintenance requested again from ErrorInMaintenance: Maintenance" Maintenance \
	"SELECT status FROM host WHERE id = 10"

# Cancel maintenance of host 1 (Disabled meanwhile): Disconnected, then Up and Enabled.
q "UPDATE host SET allocation_state = 'Disabled' WHERE id = 1"
msctl cancel-maintenance 1 >/dev/null
check "cancel-maintenance: Disconnected, mgmt_server_id NULL" "Disconnected,NULL" \
	"SELECT status, IFNULL(mgmt_server_id, 'NULL') FROM host WHERE id = 1" 0
check "... then Up, reset to Enabled (2.2 reload)" "Up,Enabled,345051509694" \
	"SELECT status, allocation_state, mgmt_server_id FROM host WHERE id = 1"

# fail-migration: VM 9's migration fails, host 2 goes to ErrorInMaintenance.
msctl fail-migration i-2-9-VM >/dev/null
msctl prepare-maintenance xs-02 >/dev/null
check "fail-migration: host 2 ErrorInMaintenance" ErrorInMaintenance "SELECT status FROM host WHERE id = 2"
check "... VM 9 back Running on host 2, update_count + 2" "Running,2,6" \
	"SELECT state, host_id, update_count FROM vm_instance WHERE id = 9"
check "... the other VMs went to host 1" "1,1,1,1,1,1" \
	"SELECT host_id FROM vm_instance WHERE id IN (1, 2, 3, 4, 7, 8) ORDER BY id"
check "... the failed work row is in step Error" "Error" \
	"SELECT step FROM op_ha_work WHERE instance_id = 9 ORDER BY id DESC LIMIT 1"

# Reconnect: an Up/Disabled host comes back Enabled; a Maintenance host keeps everything.
msctl reconnect 4 >/dev/null
check "reconnect: host 4 passes through Connecting" "Connecting" \
	"SELECT status FROM host WHERE id = 4 AND status = 'Connecting'" 3
check "reconnect: host 4 Up, allocation_state Disabled -> Enabled" "Up,Enabled" \
	"SELECT status, allocation_state FROM host WHERE id = 4"
q "UPDATE host SET allocation_state = 'Disabled' WHERE id IN (3, 13)"
if msctl reconnect xs-03 >/dev/null 2>&1; then not_ok "reconnect of a Maintenance host accepted"
else ok "reconnect of a Maintenance host is refused"; fi
runid=$(q "SELECT runid FROM mshost WHERE msid = 345051509694")
msctl restart-ms >/dev/null
check "restart-ms: host 13 reloaded, Disabled -> Enabled" "Up,Enabled" \
	"SELECT status, allocation_state FROM host WHERE id = 13"
check "restart-ms: mshost Up with a new runid" "Up,1" \
	"SELECT state, runid <> $runid FROM mshost WHERE msid = 345051509694"
check "restart-ms: host 3 still Maintenance and Disabled" "Maintenance,Disabled" \
	"SELECT status, allocation_state FROM host WHERE id = 3"

# ---------------------------------------------------------------- 3.0
start_ms cloud30
uc=$(q "SELECT update_count FROM host WHERE id = 2")
check "3.0 ping: host.update_count advances" "1" "SELECT update_count > $uc FROM host WHERE id = 2" 5
uc=$(q "SELECT update_count FROM host WHERE id = 4")
msctl reconnect xs-04 >/dev/null
check "3.0 reconnect: host 4 Up, resource_state stays Disabled" "Up,Disabled,1" \
	"SELECT status, resource_state, update_count > $uc FROM host WHERE id = 4"
# 3.0 ResourceState: AdminAskMaintenace only from Enabled (ResourceState.java, 3.0.x).
if msctl prepare-maintenance xs-04 >"$TEST_TMP/pm.out" 2>&1; then
	not_ok "3.0 prepare-maintenance of a Disabled host was accepted"
elif grep -q "Cannot transimit resource state of host 4 to Maintenance" "$TEST_TMP/pm.out"; then
	ok "3.0 prepare-maintenance of a Disabled host is refused as CloudStack words it"
else not_ok "3.0 refusal message: $(cat "$TEST_TMP/pm.out")"; fi
check "3.0 refused maintenance leaves host 4 Disabled" "Disabled" \
	"SELECT resource_state FROM host WHERE id = 4"
q "UPDATE host SET resource_state = 'ErrorInMaintenance' WHERE id = 4" >/dev/null
if msctl prepare-maintenance xs-04 >/dev/null 2>&1; then
	not_ok "3.0 prepare-maintenance from ErrorInMaintenance was accepted"
else ok "3.0 prepare-maintenance from ErrorInMaintenance is refused"; fi
q "UPDATE host SET resource_state = 'Disabled' WHERE id = 4" >/dev/null
msctl prepare-maintenance 1 >/dev/null
check "3.0 maintenance lives in resource_state (status stays Up)" "Up,Maintenance" \
	"SELECT status, resource_state FROM host WHERE id = 1"
# resourceStateTransitTo (tag-3.0.2) writes op_host_capacity.capacity_state too.
check "3.0 maintenance: capacity_state Disabled on every capacity row" "Disabled,2" \
	"SELECT GROUP_CONCAT(DISTINCT capacity_state), COUNT(*) FROM op_host_capacity WHERE host_id = 1"
msctl reconnect 1 >/dev/null
sleep 0.5
check "3.0 reconnect keeps resource_state Maintenance" "Up,Maintenance" \
	"SELECT status, resource_state FROM host WHERE id = 1"
msctl cancel-maintenance 1 >/dev/null
check "3.0 cancel-maintenance: resource_state Enabled" "Up,Enabled" \
	"SELECT status, resource_state FROM host WHERE id = 1"
check "3.0 cancel-maintenance: capacity_state Enabled again" "Enabled" \
	"SELECT GROUP_CONCAT(DISTINCT capacity_state) FROM op_host_capacity WHERE host_id = 1"

# ---------------------------------------------------------------- with the XenAPI simulator
"$XS/mkcert.sh" "$TEST_TMP/certs" >/dev/null || { not_ok "mkcert.sh"; exit 1; }
pv='"guest_metrics": {"PV_drivers_version": {"major": "5", "minor": "6"}}'
h() { printf '{"name_label": "%s", "address": "127.0.0.%s", "uuid": "e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f%04d", "reboot_seconds": 1}' "$1" "$2" "$2"; }
cat >"$TEST_TMP/scenario.json" <<EOF
{"pool": {"name_label": "cl-a", "master": "xs-01"}, "shutdown_delay": 0.1,
 "hosts": [$(h xs-01 1), $(h xs-02 2), $(h xs-03 3), $(h xs-dup 10)],
 "vms": [{"name_label": "i-2-1-VM", "resident_on": "xs-01", $pv},
         {"name_label": "i-2-2-VM", "resident_on": "xs-01"},
         {"name_label": "r-3-VM", "resident_on": "xs-01"},
         {"name_label": "i-2-4-VM", "resident_on": "xs-01", $pv},
         {"name_label": "v-7-VM", "resident_on": "xs-02"},
         {"name_label": "s-8-VM", "resident_on": "xs-02"},
         {"name_label": "i-2-9-VM", "resident_on": "xs-02", $pv}]}
EOF
"$PY" "$XS/xapisim.py" --scenario "$TEST_TMP/scenario.json" --cert "$TEST_TMP/certs/server.pem" \
	--key "$TEST_TMP/certs/server.key" --cacert "$TEST_TMP/certs/ca.pem" --port 0 \
	--state-dir "$TEST_TMP/xs" 2>"$TEST_TMP/xapisim.log" &
XSPID=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/xs/ready" ] && break; sleep 0.1; done
[ -e "$TEST_TMP/xs/ready" ] || { not_ok "xapisim did not start"; exit 1; }
# where VM $1 runs according to xapisim: "power_state host"
xvm() {
	simctl state | "$PY" -c 'import json, sys
s = json.load(sys.stdin)["db"]
v = [v for v in s["VM"].values() if v["name_label"] == sys.argv[1]][0]
print(v["power_state"], s["host"].get(v["resident_on"], {}).get("name_label", "-"))' "$1"
}
xcheck() {	# xcheck DESC WANT VM
	local got n=100
	while got=$(xvm "$3"); [ "$got" != "$2" ] && [ "$n" -gt 0 ]; do n=$((n - 1)); sleep 0.05; done
	[ "$got" = "$2" ] && ok "$1" || not_ok "$1: want '$2', got '$got'"
}

mdb_load_cloudstack 2.2 cloud
start_ms cloud --xapisim-state-dir "$TEST_TMP/xs"
xcheck "xapisim: the resumed migration of VM 4 moved it to xs-02" "Running xs-02" i-2-4-VM
msctl migrate i-2-9-VM 10 >/dev/null
check "migrate: VM 9 Running on host 10 in the database" "Running,10,2" \
	"SELECT state, host_id, last_host_id FROM vm_instance WHERE id = 9"
xcheck "migrate: VM 9 resident on xs-dup in xapisim" "Running xs-dup" i-2-9-VM

# A reboot of an Up, Disabled host: ping timeout (Alert), then the reload resets it.
q "UPDATE host SET allocation_state = 'Disabled' WHERE id = 10"
simctl set-host xs-dup up=false >/dev/null
check "reboot: host 10 goes Alert, mgmt_server_id NULL, still Disabled" "Alert,NULL,Disabled" \
	"SELECT status, IFNULL(mgmt_server_id, 'NULL'), allocation_state FROM host WHERE id = 10"
simctl set-host xs-dup up=true >/dev/null
check "reboot: host 10 back Up with allocation_state Enabled" "Up,Enabled,345051509694" \
	"SELECT status, allocation_state, mgmt_server_id FROM host WHERE id = 10"
# A reboot of a host in Maintenance: nothing changes.
q "UPDATE host SET allocation_state = 'Disabled' WHERE id = 3"
simctl set-host xs-03 up=false >/dev/null
sleep 0.8
simctl set-host xs-03 up=true >/dev/null
for _ in $(seq 50); do grep -q "host 3: not reloaded (host reboot)" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
check "reboot in Maintenance: host 3 keeps Maintenance and Disabled" "Maintenance,Disabled" \
	"SELECT status, allocation_state FROM host WHERE id = 3" 0

# autopilot: the operator's side of CTX133466 on host 1, with csmaint's part done here.
msctl autopilot xs-01 >/dev/null
q "UPDATE host SET allocation_state = 'Disabled' WHERE id = 1"        # csmaint: disable
check "autopilot: host 1 in Maintenance" Maintenance "SELECT status FROM host WHERE id = 1"
# CitrixResourceBase.execute(MaintainCommand): host 1 was the pool master; the first other
# host of Host.getAllRecords (xs-02) is master now; CloudStack reloads no host for it.
if [ "$(simctl master)" = xs-02 ]; then ok "MaintainCommand on the master: xapisim's master is xs-02"
else not_ok "MaintainCommand on the master: xapisim's master is $(simctl master)"; fi
if grep -q "host 1: MaintainCommand: new master for the XenPool is xs-02" "$TEST_TMP/mssim.log"; then
	ok "mssim logs the master switch"; else not_ok "mssim logs the master switch"; fi
check "the master switch reloads no host (hosts 2 and 10 stay Up)" "Up,Up" \
	"SELECT (SELECT status FROM host WHERE id = 2), (SELECT status FROM host WHERE id = 10)" 0
check "autopilot: VM 2 (no Tools) stopped, the others moved" "Stopped,NULL,0" \
	"SELECT state, IFNULL(host_id, 'NULL'), (SELECT COUNT(*) FROM vm_instance WHERE host_id = 1 AND removed IS NULL) FROM vm_instance WHERE id = 2"
xcheck "autopilot: VM 2 halted in xapisim" "Halted -" i-2-2-VM
xcheck "autopilot: router r-3-VM migrated by the HA worker in xapisim" "Running xs-02" r-3-VM
simctl set-host xs-01 up=false >/dev/null                            # csmaint: reboot
sleep 0.6
simctl set-host xs-01 up=true >/dev/null
sleep 0.5
check "autopilot: still Maintenance after the reboot" Maintenance "SELECT status FROM host WHERE id = 1" 0
q "UPDATE host SET allocation_state = 'Enabled' WHERE id = 1"         # csmaint: restore
check "autopilot: maintenance cancelled, host 1 Up and Enabled" "Up,Enabled" \
	"SELECT status, allocation_state FROM host WHERE id = 1"
check "autopilot: VM 2 restarted on another host" "Running,2" \
	"SELECT state, host_id FROM vm_instance WHERE id = 2"
xcheck "autopilot: VM 2 running on xs-02 in xapisim" "Running xs-02" i-2-2-VM
if msctl status | grep -q '"step": "done"'; then ok "autopilot: status says done"
else not_ok "autopilot: status"; fi
stop_ms

# 3.0: doMaintain sends MaintainCommand before the resource-state transition, so a refused
# maintenance of the master (Disabled) still moves the master role.
mdb_load_cloudstack 3.0 cloud30
start_ms cloud30 --xapisim-state-dir "$TEST_TMP/xs"
q "UPDATE host SET resource_state = 'Disabled' WHERE id = 2"
if msctl prepare-maintenance 2 >"$TEST_TMP/pm.out" 2>&1; then
	not_ok "3.0 prepare-maintenance of the Disabled master was accepted"
else ok "3.0 prepare-maintenance of the Disabled master (xs-02) is refused"; fi
if [ "$(simctl master)" = xs-01 ]; then ok "3.0 refused maintenance still moved the master to xs-01"
else not_ok "3.0 refused maintenance: xapisim's master is $(simctl master)"; fi
check "3.0 refused maintenance: host 2 stays Up and Disabled" "Up,Disabled" \
	"SELECT status, resource_state FROM host WHERE id = 2" 0
# Maintenance of a host that is not the master leaves the master alone.
q "UPDATE host SET resource_state = 'Enabled' WHERE id = 2"
msctl prepare-maintenance 2 >/dev/null || not_ok "3.0 prepare-maintenance of host 2 (Enabled)"
if [ "$(simctl master)" = xs-01 ]; then ok "maintenance of a member does not move the master"
else not_ok "maintenance of a member moved the master to $(simctl master)"; fi
stop_ms

if [ "$FAILED" -gt 0 ]; then
	echo "# mssim log:"; tail -n 60 "$TEST_TMP/mssim.log" | sed 's/^/# /'
	exit 1
fi
exit 0
