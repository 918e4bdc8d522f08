#!/usr/bin/env bash
# The procedure on CloudStack 3.0: resource_state carries both the toggle and
# maintenance.  CloudStack 3.0 refuses maintenance for a Disabled host (ResourceState.java),
# so csmaint hands the column back (Enabled, journaled) right before it asks for
# maintenance, and watches that window; the restore finds Maintenance, writes nothing.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)
CS_VERSION=3.0
hotfix_fresh
msctl autopilot xs-01 >/dev/null
expect_exit 0 "the procedure on 3.0" hotfix xs-01 "$F3" --execute -o json
check "done; restore wrote nothing" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
op=d["operations"][0]
assert op["state"]=="done" and op["column"]=="resource_state", op
r=[s for s in d["steps"] if s["name"]=="restore"][0]
assert r["state"]=="done" and "nothing written" in r["detail"], r
assert [s["name"] for s in d["steps"]].count("restore")==1, d["steps"]
names=[s["name"] for s in d["steps"]]
assert names==["disable","wait-vms","wait-no-tools","enable-for-maintenance","wait-maintenance","patch","reboot","reboot-requested","clean","restore"], names
h=[s for s in d["steps"] if s["name"]=="enable-for-maintenance"][0]
assert h["state"]=="done" and "refuses maintenance for a Disabled host" in h["detail"], h
' "$OUT"
expect_err "resource_state 'Disabled' -> 'Enabled': CloudStack 3.0\+ refuses maintenance" "says why it re-enables"
expect_err "set it back to Enabled because CloudStack 3.0\+ refuses maintenance for a Disabled host: do it now" "the wait message says why"
expect_err "cancelling maintenance returns the host to service" "tells the operator CloudStack owns the column"
for _ in $(seq 50); do [ "$(alloc_of 1)" = Enabled ] && break; sleep 0.2; done
expect_eq "after cancel maintenance the host is Enabled" Enabled "$(alloc_of 1)"
expect_exit 4 "audit afterwards: only the sample's own findings (xs-04)" audit -o csv
expect_no_err "^(drift|interrupted|running|failed),1," "no finding about xs-01"

# The window: a VM that lands on the host after the hand-back is reported and waited for.
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
BG=$!
wait_step disable || echo "never disabled"
msctl stop-vm i-2-2-VM >/dev/null
msctl migrate i-2-1-VM xs-02 >/dev/null
wait_step enable-for-maintenance || echo "never handed back"
expect_eq "handed back: resource_state Enabled" Enabled "$(alloc_of 1)"
msctl migrate i-2-1-VM xs-01 >/dev/null	# CloudStack places a VM there in the window
for _ in $(seq 100); do grep -q "CloudStack maintenance: .*VMs on the host: i-2-1-VM (Running)" "$ERR" && break; sleep 0.1; done
expect_err "CloudStack maintenance: .*VMs on the host: i-2-1-VM" "the VM that landed is reported"
expect_eq "wait-maintenance goes on while it is there" running \
	"$(sql "SELECT state FROM operation_step WHERE name = 'wait-maintenance'" csmaint)"
expect_eq "no drift re-assert after the hand-back" 0 \
	"$(sql "SELECT COUNT(*) FROM operation_step WHERE name = 'reassert'" csmaint)"
msctl prepare-maintenance xs-01 >/dev/null	# the operator, as asked
wait $BG
RC=$?
expect_eq "maintenance moved it; the procedure finished" 0 "$RC"
expect_eq "i-2-1-VM left the host" 2 "$(sql "SELECT host_id FROM vm_instance WHERE instance_name = 'i-2-1-VM'")"
expect_eq "operation done" done "$(op_state 1)"
finish
