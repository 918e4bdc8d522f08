#!/usr/bin/env bash
# The hotfix pipeline against the XenAPI simulator over HTTPS: upload (early 200, task,
# bare ref), duplicates, upload errors, precheck failures of each kind, apply, verify,
# after-apply guidance, reboot and the wait; every dry run leaves the pool untouched.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup
P=$TEST_TMP/patches
mkdir -p "$P"
U3=c3c3c3c3-0000-4000-8000-000000000003
U4=c4c4c4c4-0000-4000-8000-000000000004
mkpatch "$P/XS56EFP1003.xsupdate" $U3 XS56EFP1003 restartHost
mkpatch "$P/XS56EFP1004.xsupdate" $U4 XS56EFP1004 restartXAPI "requires=$U3"
writes='task.create|pool_patch\.(apply|precheck|clean|destroy)|Async|host\.(disable|enable|reboot|restart_agent)'

# Dry run: the calls are printed, the pool sees no write.
simctl reset-calls >/dev/null
expect_exit 0 "upload dry run" patch upload --host xs-01 "$P/XS56EFP1003.xsupdate"
expect_out "^XenAPI task.create\('csmaint patch upload', 'XS56EFP1003'\)" "dry run shows task.create"
expect_out "^HTTP PUT https://127.0.0.1:$XS_PORT/pool_patch_upload\?session_id=…&task_id=…" "and the PUT, without the session"
check "the simulator received no write" sh -c "! /usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls --methods | grep -Eq '$writes'"
expect_eq "nothing uploaded" 0 "$(ls "$XS_STATE/uploads" 2>/dev/null | wc -l)"

# Upload: early 200, body streamed, task result = bare pool_patch ref.
expect_exit 0 "upload" patch upload --host xs-02 "$P/XS56EFP1003.xsupdate" --execute -o json
check "uploaded, with uuid and guidance from the pool" /usr/bin/python3 -c '
import json,sys
p=json.load(open(sys.argv[1]))["patches"][0]
assert p["action"]=="uploaded" and p["uuid"]==sys.argv[2] and p["after_apply_guidance"]=="restartHost", p
' "$OUT" $U3
check "the master received the file" test "$(ls "$XS_STATE/uploads" | wc -l)" -ge 1
check "the PUT went to the master, not the member" sh -c "/usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls | /usr/bin/python3 -c 'import json,sys; c=[x for x in json.load(sys.stdin) if x[\"method\"].startswith(\"PUT\")]; assert c and all(x[\"host\"] in (\"xs-01\", \"127.0.0.1\") for x in c), c'"
expect_exit 0 "upload again: already on the pool, not sent" patch upload --host xs-01 "$P/XS56EFP1003.xsupdate" --execute -o csv
expect_out ',present,' "reported as present"
cp "$P/XS56EFP1003.xsupdate" "$P/renamed.xsupdate"
expect_exit 0 "same patch under another name: PATCH_ALREADY_EXISTS is success" patch upload --host xs-01 "$P/renamed.xsupdate" --execute -o csv
expect_out 'XS56EFP1003,'"$U3"',present,.*PATCH_ALREADY_EXISTS' "looked up by uuid"
expect_exit 0 "upload the second patch" patch upload --host xs-01 "$P/XS56EFP1004.xsupdate" --execute

# Upload errors.
mkpatch "$P/bad.xsupdate" c5c5c5c5-0000-4000-8000-000000000005 XS56BAD restartHost
sed -i '2s/.*/SIGNATURE forged/' "$P/bad.xsupdate"
expect_exit 1 "bad signature" patch upload --host xs-01 "$P/bad.xsupdate" --execute
expect_err "INVALID_PATCH: the file is not a valid hotfix" "explained"
mkpatch "$P/big.xsupdate" c6c6c6c6-0000-4000-8000-000000000006 XS56BIG restartHost
simctl set-host xs-01 patch_space_free=1000 >/dev/null
expect_exit 1 "server out of space" patch upload --host xs-01 "$P/big.xsupdate" --execute
expect_err "OUT_OF_SPACE: not enough space in /var/patch" "explained"
simctl set-host xs-01 patch_space_free=10737418240 >/dev/null
simctl json '{"fault": {"method": "/pool_patch_upload", "transport": "drop", "count": 1}}' >/dev/null
expect_exit 1 "connection dropped during the upload" patch upload --host xs-01 "$P/big.xsupdate" --execute
expect_err "upload of '.*big.xsupdate' failed" "says the upload failed"
simctl json '{"fault": {"method": "/pool_patch_upload", "transport": "http500", "count": 1}}' >/dev/null
expect_exit 1 "HTTP 500 on the upload" patch upload --host xs-01 "$P/big.xsupdate" --execute
expect_err "500" "status named"
expect_no_err "session_id=OpaqueRef" "the session ref never appears"
simctl json '{"fault": {"method": "/pool_patch_upload", "transport": "cut", "count": 1}}' >/dev/null
expect_exit 1 "connection broken in the middle of the body" patch upload --host xs-01 "$P/big.xsupdate" --execute
expect_err "upload of '.*big.xsupdate' failed" "says the upload failed"
expect_exit 0 "after an interrupted upload the next attempt succeeds" patch upload --host xs-01 "$P/big.xsupdate" --execute -o csv
expect_out '^XS56BIG,c6c6c6c6-0000-4000-8000-000000000006,uploaded' "uploaded on retry"
expect_exit 3 "missing file" patch upload --host xs-01 "$P/nope.xsupdate" --execute
expect_exit 2 "upload needs --host" patch upload "$P/big.xsupdate"
simctl clear-faults >/dev/null

# Precheck: pass, and every failure kind with its parameters decoded.
expect_exit 0 "precheck passes" patch precheck xs-01 XS56EFP1003 -o csv
expect_out '^XS56EFP1003,'"$U3"',pass,' "pass row"
expect_exit 4 "prerequisite missing" patch precheck xs-01 XS56EFP1004
expect_err "prerequisite patches missing on the host: $U3" "names the missing prerequisite"
simctl set-patch XS56EFP1003 product_version=6.0.0 >/dev/null
expect_exit 4 "wrong server version" patch precheck xs-01 XS56EFP1003
expect_err "the host runs version 5.6.100, the patch requires 6.0.0" "found and required versions"
simctl set-patch XS56EFP1003 product_version=5.6.100 requires_no_vms=true >/dev/null
expect_exit 4 "VMs running" patch precheck xs-01 XS56EFP1003
expect_err "VMs are running on the host" "explained"
simctl set-patch XS56EFP1003 requires_no_vms=false required_space=99999999999999 >/dev/null
expect_exit 4 "out of disk space on the host" patch precheck xs-01 XS56EFP1003
expect_err "not enough disk space on the host: [0-9]+ bytes free, 99999999999999 needed" "found and required space"
simctl set-patch XS56EFP1003 required_space=0 precheck_error="dom0 is on fire" >/dev/null
expect_exit 4 "unknown precheck error" patch precheck xs-01 XS56EFP1003
expect_err "UNKNOWN_ERROR: dom0 is on fire" "info shown"
simctl set-patch XS56EFP1003 precheck_error=null 'precheck_output=<error errorcode="PATCH_PRECHECK_FAILED_ISO_MOUNTED"><info>iso</info></error>' >/dev/null
expect_exit 4 "an error inside a successful precheck (XenCenter's rule)" patch precheck xs-01 XS56EFP1003
expect_err "PATCH_PRECHECK_FAILED_ISO_MOUNTED" "error code from the output"
simctl set-patch XS56EFP1003 precheck_output= >/dev/null
expect_exit 3 "unknown patch" patch precheck xs-01 XS56NOPE

# Apply: dry run writes nothing; real apply in order, verified; guidance reported.
simctl reset-calls >/dev/null
expect_exit 0 "apply dry run" patch apply xs-01 XS56EFP1003 XS56EFP1004
expect_out "^XenAPI Async.pool_patch.apply\(pool_patch 'XS56EFP1003', host 'xs-01'\)" "dry run shows the apply"
expect_out "after-apply guidance: reboot the host" "dry run shows the guidance"
check "the simulator received no write" sh -c "! /usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls --methods | grep -Eq '$writes'"
expect_exit 0 "apply two patches" patch apply xs-01 XS56EFP1003 XS56EFP1004 --execute -o csv
expect_out "^XS56EFP1003,$U3,applied," "first applied"
expect_out "^XS56EFP1004,$U4,applied," "second applied"
expect_err "reboot xs-01: run 'csmaint host reboot xs-01 --execute'" "guidance tells what to run"
expect_exit 0 "patch list shows them applied here" patch list --host xs-01 -o csv
expect_out "^$U3,XS56EFP1003,.*,xs-01,true" "applied on xs-01"
expect_exit 0 "apply again: nothing to do" patch apply xs-01 XS56EFP1003 --execute -o csv
expect_out ',already applied,' "already applied"
simctl set-patch XS56EFP1003 apply_fail="cp: No space left on device" >/dev/null
expect_exit 1 "apply failure on the other host" patch apply xs-02 XS56EFP1003 --execute
expect_err "PATCH_APPLY_FAILED: cp: No space left on device" "log shown"
expect_exit 0 "list: not applied on xs-02 after the failure" patch list --host xs-02 -o csv
expect_out "^$U3,XS56EFP1003,.*,xs-01,false" "host_patch removed after the failed apply"

# Reboot and wait: the master's toolstack restarts (sessions lost) and comes back.
expect_exit 0 "reboot dry run" host reboot xs-01
expect_out "^XenAPI host.disable\(host\)" "dry run shows host.disable"
simctl set-vm i-2-1-VM power_state=Halted >/dev/null
expect_exit 1 "reboot refused while VMs run" host reboot xs-01 --execute
expect_err "HOST_IN_USE: VM (i-2-2-VM|r-3-VM) still runs on the host" "names the VM"
expect_eq "XenServer enabled flag restored after the refusal" True "$(simctl state | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["db"]["host"]; print([h for h in d.values() if h["name_label"]=="xs-01"][0]["enabled"])')"
for vm in i-2-2-VM r-3-VM; do simctl set-vm $vm power_state=Halted >/dev/null; done
# HOST_IN_USE carries [host; "vm" | "vbd"; ref] (assert_bacon_mode); on 5.6 the VM can be
# dom0 itself.
href=$(simctl state | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["db"]["host"]; print([r for r,h in d.items() if h["name_label"]=="xs-01"][0])')
dom0=$(simctl state | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["db"]; h=[r for r,x in d["host"].items() if x["name_label"]=="xs-01"][0]; print([r for r,v in d["VM"].items() if v["is_control_domain"] and v["resident_on"]==h][0])')
simctl fault host.reboot HOST_IN_USE "$href" vbd OpaqueRef:no-such-vbd --count 1 >/dev/null
expect_exit 1 "reboot refused for an attached disk" host reboot xs-01 --execute
expect_err "HOST_IN_USE: a disk \(VBD OpaqueRef:no-such-vbd\) is still attached" "names the VBD, not a VM"
simctl fault host.reboot HOST_IN_USE "$href" vm "$dom0" --count 1 >/dev/null
expect_exit 1 "reboot refused naming dom0" host reboot xs-01 --execute
expect_err "HOST_IN_USE: the host's control domain" "says it is the control domain"
boot0=$(simctl state | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["db"]["host"]; print([h for h in d.values() if h["name_label"]=="xs-01"][0]["other_config"]["boot_time"])')
expect_exit 0 "reboot the master and wait" host reboot xs-01 --execute
expect_err "XenServer host xs-01: back after" "reports when it is back"
boot1=$(simctl state | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["db"]["host"]; print([h for h in d.values() if h["name_label"]=="xs-01"][0]["other_config"]["boot_time"])')
check "boot_time changed" test "$boot0" != "$boot1"
expect_exit 0 "toolstack restart and wait" host reboot xs-01 --toolstack --execute
expect_eq "no session left open" 0 "$(simctl sessions)"

# A host that never comes back: the error says what was seen last.
write_conf "$XAPI_CONF
procedure = { reboot_timeout = 4; poll_interval = 0.5; };"
simctl set-host xs-01 never_comes_back=true >/dev/null
expect_exit 1 "host never returns" host reboot xs-01 --execute
expect_err "did not come back within 4 s; last seen: " "names what was last seen"
finish
