#!/usr/bin/env bash
# patch clean, and the procedure's clean step (issue 10, item 7): XenCenter removes the
# update files from the pool after the last host (RemoveUpdateFilesFromMaster.cs), since
# they fill dom0's /var/patch.  csmaint cleans a hotfix only once every host of the pool
# has it applied, unless --force.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup
F3=$TEST_TMP/XS56EFP1003.xsupdate
mkpatch "$F3" c3c3c3c3-0000-4000-8000-000000000003 XS56EFP1003 restartHost
file_present() {	# the simulator's view: does the pool master still have the file?  (Before
	# 6.1 only pool_patch.clean exists: it removes the master's copy, the one uploads
	# and members fetch from.)
	simctl state | /usr/bin/python3 -c 'import json,sys
s=json.load(sys.stdin); d=s["db"]["pool_patch"]
print(s["master"] in [p for p in d.values() if p["name_label"]=="XS56EFP1003"][0]["_files"])'
}

expect_exit 0 "upload" patch upload --host xs-01 "$F3" --execute
expect_exit 4 "clean refused while no host has it" patch clean --host xs-01 XS56EFP1003
expect_out "not applied on xs-01, xs-02" "names the hosts without it"
expect_exit 2 "a dry run is not one table: -o csv refused" patch clean --host xs-01 XS56EFP1003 -o csv
expect_exit 0 "--force dry run" patch clean --host xs-01 XS56EFP1003 --force -o json
check "the dry run is one JSON object naming the call (API 1.8: pool_patch.clean)" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["dry_run"] is True and [x["method"] for x in d["xenapi"]]==["pool_patch.clean"], d' "$OUT"
expect_eq "dry runs left the file" True "$(file_present)"
expect_exit 3 "an unknown patch" patch clean --host xs-01 XS99NOPE --execute
expect_exit 2 "--host is needed" patch clean XS56EFP1003 --execute

for h in xs-01 xs-02; do
	simctl set-vm i-2-1-VM power_state=Halted >/dev/null
	"$CSMAINT" -c "$CONF" patch apply $h XS56EFP1003 --execute >/dev/null 2>&1
done
applied=$(simctl state | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin)["db"]; p=[r for r,x in d["pool_patch"].items() if x["name_label"]=="XS56EFP1003"][0]
print(sum(1 for h in d["host_patch"].values() if h["pool_patch"]==p and h["applied"]))')
expect_eq "applied on both hosts" 2 "$applied"
expect_exit 0 "clean once every host has it" patch clean --host xs-01 XS56EFP1003 --execute -o csv
expect_out '^XS56EFP1003,c3c3c3c3-0000-4000-8000-000000000003,cleaned,.*pool_patch.clean' "says what it called"
expect_eq "the master's copy is gone" False "$(file_present)"
finish
