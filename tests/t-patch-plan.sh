#!/usr/bin/env bash
# patch plan: the minimal ordered set from a local catalog and what the host has applied
# (read over XenAPI); superseded and applied patches skipped, prerequisites first.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
# The pool has XS56EFP1001 (b3e59449…, from the test catalog) applied on xs-01.
/usr/bin/python3 - "$TOP_SRCDIR/tests/data/xapi-pool-2.2.json" "$TEST_TMP/scenario.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["patches"] = [{"uuid": "b3e59449-6058-4816-a623-dca5f96e2b5c", "name_label": "XS56EFP1001",
                 "version": "1.0", "size": 1000, "after_apply_guidance": ["restartHost"],
                 "applied_on": ["xs-01"]}]
json.dump(s, open(sys.argv[2], "w"))
PY
xapi_setup "$TEST_TMP/scenario.json"
CAT=$TOP_SRCDIR/tests/data/catalog/updates.xml

expect_exit 0 "plan from the catalog" patch plan xs-01 --catalog "$CAT" -o json
check "minimal set in dependency order; superseded and applied skipped" /usr/bin/python3 -c '
import json,sys
p=json.load(open(sys.argv[1]))["patches"]
apply=[x["name_label"] for x in p if x["action"]=="apply"]
assert apply.index("XS56EFP1004") < apply.index("XS56EFP1005"), apply
assert "XS56EFP1002" not in apply and "XS56EFP1003" not in apply, apply
act={x["name_label"]:x["action"] for x in p}
assert act["XS56EFP1002"]=="skip-superseded" and act["XS56EFP1003"]=="skip-superseded", act
assert act["XS56EFP1001"] in ("skip-applied","skip-superseded"), act
assert [x["order"] for x in p if x["action"]=="apply"]==list(range(1,len(apply)+1))
' "$OUT"
expect_err "host 1 \(xs-01\), XenServer 5.6.100 build 39265p: [0-9]+ to apply, then a host reboot" "summary on stderr"

# Plain files: ordered by the catalog, superseded ones skipped with the reason.
expect_exit 0 "plan for files in the wrong order" patch plan xs-01 --catalog "$CAT" \
	/x/XS56EFP1005.xsupdate /x/XS56EFP1002.xsupdate /x/XS56EFP1004.xsupdate -o csv
check "1004 before 1005, 1002 skipped as superseded" /usr/bin/python3 -c '
import csv,sys
r=list(csv.DictReader(open(sys.argv[1], newline="")))
apply=[x["name_label"] for x in r if x["action"]=="apply"]
assert apply==["XS56EFP1004","XS56EFP1005"], apply
s=[x for x in r if x["name_label"]=="XS56EFP1002"][0]
assert s["action"]=="skip-superseded" and "XS56EFP1004" in s["reason"], s
assert [x for x in r if x["name_label"]=="XS56EFP1004"][0]["file"]=="/x/XS56EFP1004.xsupdate"
' "$OUT"
expect_exit 0 "files without a catalog keep their order; applied ones are skipped" \
	patch plan xs-01 /x/XS56EFP1001.xsupdate /x/XS56EFP9999.xsupdate -o csv
expect_out ',XS56EFP1001,.*skip-applied' "applied file skipped"
# The procedure plans the same way: a dry run of hotfix with the catalog skips the
# superseded file and orders the rest (CloudStack's in-flight work on VM 4 finished first).
sql "UPDATE vm_instance SET state = 'Running' WHERE id = 4; UPDATE op_ha_work SET step = 'Done' WHERE id = 1;
     UPDATE async_job SET job_status = 1 WHERE id = 1"
for n in XS56EFP1002 XS56EFP1004 XS56EFP1005; do
	mkpatch "$TEST_TMP/$n.xsupdate" "$(cat /proc/sys/kernel/random/uuid)" "$n" restartHost
done
expect_exit 0 "hotfix dry run with a catalog" hotfix xs-01 --catalog "$CAT" \
	"$TEST_TMP/XS56EFP1005.xsupdate" "$TEST_TMP/XS56EFP1002.xsupdate" "$TEST_TMP/XS56EFP1004.xsupdate"
expect_out 'XS56EFP1002 .*skip-superseded' "the superseded file is skipped"
expect_out '^ *1 +XS56EFP1004 ' "the rollup first"
expect_out '^ *2 +XS56EFP1005 ' "then the patch that needs it"
expect_eq "the dry run wrote nothing" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_exit 2 "neither catalog nor files" patch plan xs-01
expect_exit 3 "missing catalog file" patch plan xs-01 --catalog "$TEST_TMP/none.xml"
printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<patchdata/>\n' >"$TEST_TMP/evil.xml"
expect_exit 2 "a catalog with a DOCTYPE is refused" patch plan xs-01 --catalog "$TEST_TMP/evil.xml"
expect_err "evil.xml:[0-9]+: refusing a document with a DOCTYPE" "names file and line"
finish
