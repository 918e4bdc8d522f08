#!/usr/bin/env bash
# XenServer 6.5+ (API 2.3): a PV guest live-migrates without the guest agent, only an HVM
# guest needs PV drivers (xen-api ocaml/xapi/xapi_vm_lifecycle.ml check_op_for_feature,
# commit 1e7202a6b6 "CP-9366", first in v1.9.58); before 6.5 every guest needs them
# (xapi_vm_lifecycle.ml check_drivers, xapi_host.ml evacuation plan, 2010).  The
# simulator migrates by that rule; vms --xapi says what can migrate and by which rule.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup "$TOP_SRCDIR/tests/data/xapi-pool-6.5.json"

# migrate VM HOST: VM.pool_migrate through an independent client; prints Success or the code.
migrate() {
	/usr/bin/python3 - "$XS_PORT" "$XS_CERTS/ca.pem" "$1" "$2" <<'PY'
import ssl, sys, xmlrpc.client
port, ca, vm, host = sys.argv[1:]
x = xmlrpc.client.ServerProxy("https://127.0.0.1:%s/" % port,
                              context=ssl.create_default_context(cafile=ca))
def v(r):
    if r["Status"] != "Success":
        raise SystemExit(r["ErrorDescription"][0])
    return r["Value"]
s = v(x.session.login_with_password("root", "xenroot"))
r = x.VM.pool_migrate(s, v(x.VM.get_by_name_label(s, vm))[0],
                      v(x.host.get_by_name_label(s, host))[0], {"live": "true"})
print(r["Status"] if r["Status"] == "Success" else r["ErrorDescription"][0])
x.session.logout(s)
PY
}

# The simulator: the real 6.5 rule.
expect_eq "6.5: a PV guest without the agent migrates" Success "$(migrate i-2-1-VM xs-02)"
expect_eq "6.5: an HVM guest without PV drivers does not" VM_MISSING_PV_DRIVERS "$(migrate i-2-2-VM xs-02)"
simctl move-vm i-2-1-VM xs-01 >/dev/null

# csmaint: the rule of the host's version, named.
expect_exit 0 "vms --xapi on 6.5" vms xs-01 --xapi -o json
check "can_migrate by the 6.5+ rule" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
a,b,r=v["i-2-1-VM"],v["i-2-2-VM"],v["r-3-VM"]
assert a["tools"] is False and a["can_migrate"] is True, a
assert a["migrate_rule"]=="PV guest (XenServer 6.5+ rule: needs no PV drivers)", a
assert b["tools"] is False and b["can_migrate"] is False, b
assert b["migrate_rule"]=="HVM guest without PV drivers (XenServer 6.5+ rule)", b
assert r["can_migrate"] is True and r["migrate_rule"].startswith("PV guest"), r
' "$OUT"
expect_exit 0 "an HVM guest with PV drivers" vms xs-02 --xapi -o json
check "i-2-9-VM migrates by its drivers" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
a=v["i-2-9-VM"]
assert a["can_migrate"] is True and a["migrate_rule"]=="HVM guest with PV drivers (XenServer 6.5+ rule)", a
' "$OUT"

# The management-server simulator meets the same rule when CloudStack migrates.
need_py pymysql python3-pymysql
ms_setup
msctl migrate i-2-2-VM xs-02 >/dev/null
msctl migrate i-2-1-VM xs-02 >/dev/null
for _ in $(seq 100); do [ "$(sql "SELECT CONCAT(host_id, state) FROM vm_instance WHERE id = 1")" = 2Running ] && break; sleep 0.1; done
expect_eq "mssim on 6.5: the PV guest without the agent migrated" "2	Running" \
	"$(sql "SELECT host_id, state FROM vm_instance WHERE id = 1")"
for _ in $(seq 100); do [ "$(sql "SELECT CONCAT(host_id, state) FROM vm_instance WHERE id = 2")" = 1Running ] && grep -q "VM_MISSING_PV_DRIVERS" "$TEST_TMP/mssim.log" && break; sleep 0.1; done
expect_eq "mssim on 6.5: the HVM guest without PV drivers stayed" "1	Running" \
	"$(sql "SELECT host_id, state FROM vm_instance WHERE id = 2")"
kill "$MSSIM_PID"; wait "$MSSIM_PID" 2>/dev/null
sql "UPDATE vm_instance SET host_id = 1, last_host_id = 1 WHERE id = 1"

# The same guests on 5.6 FP1 (API 1.8): every guest needs the drivers, in the simulator too.
kill "$XAPISIM_PID"; wait "$XAPISIM_PID" 2>/dev/null
rm -rf "$XS_STATE"
/usr/bin/python3 - "$TOP_SRCDIR/tests/data/xapi-pool-6.5.json" "$TEST_TMP/56.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.update(product_version="5.6.100", build_number="39265p", API_version_major=1,
         API_version_minor=8, login_max_args=3)
json.dump(s, open(sys.argv[2], "w"))
PY
xapi_setup "$TEST_TMP/56.json"
expect_eq "5.6: a PV guest without the agent does not migrate" VM_MISSING_PV_DRIVERS "$(migrate i-2-1-VM xs-02)"
expect_exit 0 "vms --xapi on 5.6" vms xs-01 --xapi -o json
check "can_migrate by the 5.6 rule" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
a,r=v["i-2-1-VM"],v["r-3-VM"]
assert a["can_migrate"] is False, a
assert a["migrate_rule"]=="no PV drivers (XenServer before 6.5 rule: every guest needs them)", a
assert r["can_migrate"] is True and r["migrate_rule"].startswith("PV drivers present"), r
' "$OUT"
finish
