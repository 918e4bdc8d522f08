#!/usr/bin/env bash
# XenServer 7.1+ (API 2.6): the upload introduces a pool_update; precheck and apply go
# through pool_update; applied means the host lists the update.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
/usr/bin/python3 - "$TOP_SRCDIR/tests/data/xapi-pool-2.2.json" "$TEST_TMP/scenario.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.update({"product_version": "7.1.0", "build_number": "137272c", "API_version_major": 2,
          "API_version_minor": 6, "login_max_args": 4, "mode": "pool_update", "patches": []})
for v in s["vms"]:
    gm = v.get("guest_metrics")
    if isinstance(gm, dict):
        gm["PV_drivers_detected"] = True
json.dump(s, open(sys.argv[2], "w"))
PY
xapi_setup "$TEST_TMP/scenario.json"
U=d7d7d7d7-0000-4000-8000-000000000071
mkpatch "$TEST_TMP/XS71E001.iso" $U XS71E001 restartHost

expect_exit 0 "upload on 7.1 (pool_update)" patch upload --host xs-01 "$TEST_TMP/XS71E001.iso" --execute -o csv
expect_out "^XS71E001,$U,uploaded,restartHost" "uploaded as an update"
expect_exit 0 "again: already on the pool" patch upload --host xs-01 "$TEST_TMP/XS71E001.iso" --execute -o csv
expect_out ',present,' "present"
simctl reset-calls >/dev/null
expect_exit 0 "precheck through pool_update" patch precheck xs-01 XS71E001
check "pool_update.precheck was called" sh -c "/usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls --methods | grep -q '^pool_update.precheck'"
expect_exit 0 "apply through pool_update, verified by host.updates" patch apply xs-01 XS71E001 --execute -o csv
expect_out "^XS71E001,$U,applied," "applied"
check "Async.pool_update.apply and host.get_updates were used" sh -c "/usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls --methods | grep -q '^Async.pool_update.apply' && /usr/bin/python3 '$TOP_SRCDIR/tests/xapisim/simctl' --state-dir '$XS_STATE' calls --methods | grep -q '^host.get_updates'"
expect_exit 0 "apply again: nothing to do" patch apply xs-01 XS71E001 --execute -o csv
expect_out ',already applied,' "already applied"
simctl set-patch XS71E001 product_version=7.2.0 >/dev/null
expect_exit 4 "precheck failure on 7.1 uses UPDATE_ codes" patch precheck xs-02 XS71E001
expect_err "UPDATE_PRECHECK_FAILED_WRONG_SERVER_VERSION: the host runs version 7.1.0, the patch requires 7.2.0" "decoded"
expect_exit 0 "Tools on 7.0+: PV_drivers_detected" vms xs-02 --xapi -o csv
expect_out '^9,i-2-9-VM,.*,true,true,' "detected"
finish
