#!/usr/bin/env bash
# Mandatory after-apply guidance (issue 10, item 5): XenCenter runs a patch's mandatory
# restart right after it, before the next patch (AutomatedUpdatesBasePage.cs).  The
# procedure reboots after the rollup, then applies the hotfix that needs it, then does
# the hotfix's own restart (a toolstack restart); one reboot in all.
. "$TOP_SRCDIR/tests/lib/common.sh"
CAT=$TOP_SRCDIR/tests/data/catalog/mandatory.xml
count_calls() { simctl calls --methods | grep -cx "$1"; }

hotfix_fresh
R=$TEST_TMP/XS56EFP1101.xsupdate H=$TEST_TMP/XS56EFP1102.xsupdate
mkpatch "$R" e1e1e1e1-0000-4000-8000-0000000000e1 XS56EFP1101 restartHost
mkpatch "$H" e2e2e2e2-0000-4000-8000-0000000000e2 XS56EFP1102 restartXAPI \
	"requires=e1e1e1e1-0000-4000-8000-0000000000e1"
msctl autopilot xs-01 >/dev/null
simctl reset-calls >/dev/null
expect_exit 0 "hotfix with a mandatory rollup" hotfix xs-01 --catalog "$CAT" "$H" "$R" --execute -o json
expect_err "XS56EFP1101: its after-apply guidance is mandatory: rebooting xs-01 now" "says why it reboots mid-plan"
# The reboot comes between the rollup's apply and the hotfix's precheck.
order=$(simctl calls --methods | grep -nxE 'Async.pool_patch.apply|pool_patch.precheck|Async.host.reboot|host.restart_agent' | tr '\n' ' ')
check "order: apply rollup, reboot, precheck and apply hotfix, toolstack restart ($order)" \
	/usr/bin/python3 -c '
import sys
seq=[x.split(":",1)[1] for x in sys.argv[1].split()]
want=["pool_patch.precheck","Async.pool_patch.apply","Async.host.reboot","pool_patch.precheck","Async.pool_patch.apply","host.restart_agent"]
assert seq==want, seq' "$order"
expect_eq "one reboot in all" 1 "$(count_calls Async.host.reboot)"
check "the journal has the mid-plan restart, and the last restart is the toolstack's" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
steps=[(s["name"],s["state"],s["detail"]) for s in d["steps"]]
names=[s[0] for s in steps]
assert names.index("restart-mandatory") < names.index("reboot"), names
m=[s for s in steps if s[0]=="restart-mandatory"][0]
assert m[1]=="done" and "after XS56EFP1101 (guidance-mandatory): host rebooted" in m[2], m
p=[s for s in steps if s[0]=="patch"][0]
assert p[2].endswith("after-apply guidance: restartXAPI"), p
r=[s for s in steps if s[0]=="reboot"][0]
assert r[2].startswith("toolstack restarted"), r
' "$OUT"
expect_eq "operation done" done "$(op_state 1)"
finish
