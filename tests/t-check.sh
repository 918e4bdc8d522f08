#!/usr/bin/env bash
# check HOST [PATCH...]: every precondition with the fact behind it; exit 0 only if all pass.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup
before=$(cs_digest)

# The sample has CloudStack work in flight around VM 4 (migrating xs-01 -> xs-02).
expect_exit 4 "VM migrating, HA work and an async job block the procedure" check xs-01 -o json
check "each failing check says why" /usr/bin/python3 -c '
import json,sys
c={x["check"]:x for x in json.load(open(sys.argv[1]))["checks"]}
assert c["no VM in flux"]["result"]=="fail" and "i-2-4-VM Migrating" in c["no VM in flux"]["fact"], c
assert c["no HA work"]["result"]=="fail" and "1 Migration" in c["no HA work"]["fact"]
assert c["no async jobs"]["result"]=="fail" and "MigrateVMCmd" in c["no async jobs"]["fact"]
for k in ("schema","journal","no open operation","hypervisor host","host status","XenAPI","TLS","pool master first","XenServer host"):
    assert c[k]["result"]=="pass", (k, c[k])
' "$OUT"
expect_err "3 checks failed for host xs-01" "summary"

# Once CloudStack finished that work, xs-01 passes every check.
sql "UPDATE vm_instance SET state = 'Running', update_count = update_count + 1 WHERE id = 4;
     UPDATE op_ha_work SET step = 'Done' WHERE id = 1; UPDATE async_job SET job_status = 1 WHERE id = 1"
before=$(cs_digest)
expect_exit 0 "all checks pass" check xs-01
expect_out "^XenServer host +pass +xs-01: XenServer 5.6.100 build 39265p, API 1.8" "facts in the table"
expect_exit 4 "host status: ErrorInMaintenance fails" check xs-08
expect_out "host status +fail +status ErrorInMaintenance" "status fact"

# Patches: prechecked when on the pool; not-yet-uploaded ones are skipped.
mkpatch "$TEST_TMP/XS56EFP1003.xsupdate" c3c3c3c3-0000-4000-8000-000000000003 XS56EFP1003 restartHost
expect_exit 0 "a file not uploaded yet is skipped" check xs-01 "$TEST_TMP/XS56EFP1003.xsupdate" -o csv
expect_out '^precheck XS56EFP1003,skip,not on the pool yet' "skip row"
"$CSMAINT" -c "$CONF" patch upload --host xs-01 "$TEST_TMP/XS56EFP1003.xsupdate" --execute >/dev/null 2>&1
expect_exit 0 "uploaded patch prechecks" check xs-01 XS56EFP1003 -o csv
expect_out '^precheck XS56EFP1003,pass,precheck passed' "pass row"
expect_exit 0 "applied patch" check xs-01 XS56EFP1001 -o csv
expect_out '^precheck XS56EFP1001,pass,already applied' "already applied row"
simctl set-patch XS56EFP1003 product_version=6.0.0 >/dev/null
expect_exit 4 "failing precheck" check xs-01 XS56EFP1003 -o csv
expect_out '^precheck XS56EFP1003,fail,.*requires 6.0.0' "precheck failure fact"
simctl set-patch XS56EFP1003 product_version=5.6.100 >/dev/null

# Master first (XenCenter's RebootPendingOnMasterCheck; XenServer's documentation): a
# member is refused while the master xs-01 lacks the patch or has a reboot pending;
# --member-first overrides.
expect_exit 4 "a member before the master" check xs-02 XS56EFP1003 -o csv
expect_out '^pool master first,fail,"?pool master xs-01 lacks XS56EFP1003' "names the master and what it lacks"
expect_out 'patch the master first' "says what to do"
expect_exit 0 "--member-first overrides" check xs-02 XS56EFP1003 --member-first -o csv
expect_out '^pool master first,skip,"?overridden \(--member-first\)' "says it was overridden"
expect_exit 0 "the master itself passes" check xs-01 XS56EFP1003 -o csv
expect_out '^pool master first,pass,xs-01 is the pool master' "master row"
expect_exit 0 "a member that has the patch already waits for nothing" check xs-02 XS56EFP1001 -o csv
expect_out '^pool master first,pass,xs-02 has every planned hotfix already' "nothing to wait for"
before_h=$(sql "SELECT COUNT(*) FROM operation" csmaint)
expect_exit 4 "hotfix on a member before the master: refused" hotfix xs-02 "$TEST_TMP/XS56EFP1003.xsupdate" --execute
expect_err "pool master xs-01 lacks XS56EFP1003" "the refusal names the master"
expect_eq "refused: no operation, xs-02 still Enabled" "$before_h Enabled" \
	"$(sql "SELECT COUNT(*) FROM operation" csmaint) $(alloc_of 2)"
# The master gets it (restartHost), and has not rebooted since: a reboot is pending there.
"$CSMAINT" -c "$CONF" patch apply xs-01 XS56EFP1003 --execute >/dev/null 2>&1
expect_exit 4 "a member while the master has a reboot pending" check xs-02 XS56EFP1003 -o csv
expect_out '^pool master first,fail,"?pool master xs-01 has a reboot pending' "says the master's reboot is pending"
simctl set-host xs-01 'other_config={"boot_time": "'"$(date +%s)"'0.", "agent_start_time": "'"$(date +%s)"'0."}' >/dev/null
expect_exit 0 "a member once the master has it and rebooted" check xs-02 XS56EFP1003 -o csv
expect_out '^pool master first,pass,pool master xs-01 has the planned hotfixes' "member row when the master has it"

# An open operation, an unreachable XenServer, verification off.
"$CSMAINT" -c "$CONF" host disable xs-01 --execute >/dev/null 2>&1
expect_exit 4 "host held by an operation" check xs-01 -o csv
expect_out '^no open operation,fail,"operation 1 \(disable, holding\) holds the host"' "names the operation"
"$CSMAINT" -c "$CONF" host enable xs-01 --execute >/dev/null 2>&1
expect_exit 4 "XenServer unreachable" check xs-05 -o csv
expect_out '^XenAPI,fail,cannot reach XenServer host 5 \(xs-05\) at 127.0.0.5' "says why"
write_conf "xenapi = { url = \"https://%s:$XS_PORT/\"; password_file = \"$TEST_TMP/xapi.pass\"; verify = false; };"
expect_exit 4 "TLS verification off fails the check" check xs-01 -o csv
expect_out '^TLS,fail,certificate verification is off' "TLS fact"
write_conf "$XAPI_CONF"
expect_eq "check changed nothing in CloudStack" "$before" "$(cs_digest)"
finish
