#!/usr/bin/env bash
# The whole procedure on 2.2 with the management-server simulator playing the operator
# (autopilot): disable, VMs leave, VMs without Tools shut down, maintenance, upload,
# precheck, apply, reboot, restore; the journal and the rows at the end.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)
cs_setup 2.2
xapi_setup
write_conf "$XAPI_CONF
$PROC_FAST"
ms_setup
P=$TEST_TMP/patches
mkdir -p "$P"
U3=c3c3c3c3-0000-4000-8000-000000000003
U4=c4c4c4c4-0000-4000-8000-000000000004
mkpatch "$P/XS56EFP1003.xsupdate" $U3 XS56EFP1003 restartHost
mkpatch "$P/XS56EFP1004.xsupdate" $U4 XS56EFP1004 restartXAPI "requires=$U3"
sleep 1	# mssim finishes the sample's in-flight migration of VM 4; its API job ends too
sql "UPDATE async_job SET job_status = 1 WHERE id = 1"

before=$(cs_digest)
expect_exit 0 "dry run of the whole procedure" hotfix xs-01 "$P/XS56EFP1003.xsupdate" "$P/XS56EFP1004.xsupdate"
expect_out "^UPDATE host SET allocation_state = 'Disabled' WHERE id = 1" "dry run shows the disable SQL"
expect_out "^--   reboot the host" "dry run shows the reboot step"
for step in check disable wait-vms wait-no-tools enable-for-maintenance wait-maintenance patch reboot clean restore; do
	expect_out "^-- step [0-9] \($step\): " "the dry run has step $step, from the step table"
done
expect_out "^UPDATE host SET allocation_state = 'Enabled' WHERE id = 1 AND allocation_state = 'Disabled'" "dry run shows the restore SQL"
expect_eq "dry run wrote no operation" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_eq "dry run left the row Enabled" Enabled "$(alloc_of 1)"

msctl autopilot xs-01 >/dev/null
expect_exit 0 "the procedure" hotfix xs-01 "$P/XS56EFP1003.xsupdate" "$P/XS56EFP1004.xsupdate" --execute -o json
check "JSON report: operation done, every step done, patches applied" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
op=d["operations"][0]
assert op["kind"]=="hotfix" and op["state"]=="done" and op["prior_value"]=="Enabled" and op["new_value"]=="Disabled", op
names=[s["name"] for s in d["steps"]]
for n in ("disable","wait-vms","wait-no-tools","wait-maintenance","patch","reboot","restore"):
    assert n in names, (n, names)
assert all(s["state"]=="done" for s in d["steps"]), d["steps"]
assert names.count("restore")==1, names
assert [(p["name_label"],p["action"]) for p in d["patches"]]==[("XS56EFP1003","applied"),("XS56EFP1004","applied")], d["patches"]
' "$OUT"
expect_err "waiting .*user VMs to leave the host" "the operator is told what csmaint waits for"
expect_err "VMs without XenServer Tools on xs-01 .*: i-2-2-VM \(Running\)" "VMs without Tools listed before anything changes"
expect_err "cannot live-migrate \(XenServer 5.6-6.2 rule: every guest without XenServer Tools\)" "says which migration rule it used"
expect_err "XenServer host xs-01: back after" "reboot waited for"
expect_err "cancel maintenance for host xs-01" "tells the operator what is left"
expect_eq "operation closed" "done	NULL" "$(sql "SELECT state, IFNULL(open_host,'NULL') FROM operation" csmaint)"
expect_exit 0 "patches applied on xs-01" patch list --host xs-01 -o csv
expect_out "^$U3,XS56EFP1003,.*,true" "1003 applied here"
expect_out "^$U4,XS56EFP1004,.*,true" "1004 applied here"
# The autopilot cancels maintenance after the restore: the host returns to service.
for _ in $(seq 50); do [ "$(sql "SELECT status FROM host WHERE id = 1")" = Up ] && break; sleep 0.2; done
expect_eq "host back Up" Up "$(sql "SELECT status FROM host WHERE id = 1")"
expect_eq "allocation Enabled" Enabled "$(alloc_of 1)"
# Both hotfixes are now on every host of the pool? xs-02 lacks them: their files stay.
detail=$(sql "SELECT detail FROM operation_step WHERE name = 'clean'" csmaint)
case $detail in *"XS56EFP1003 kept (not yet on xs-02"*) ok "the clean step keeps files other hosts still need" ;;
	*) not_ok "clean step detail: '$detail'" ;; esac
expect_exit 0 "a second run: nothing left to apply" hotfix xs-01 "$P/XS56EFP1003.xsupdate" "$P/XS56EFP1004.xsupdate"
expect_out "skip-applied" "plan skips applied patches"
finish
