#!/usr/bin/env bash
# patch list: the pool's hotfixes and where each is applied, over HTTPS.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup

expect_exit 0 "patch list through xs-01" patch list --host xs-01 -o json
check "patches with sizes, guidance and hosts" /usr/bin/python3 -c '
import json,sys
p={x["name_label"]:x for x in json.load(open(sys.argv[1]))["patches"]}
a,b=p["XS56EFP1001"],p["XS56EFP1002"]
assert a["uuid"]=="b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c01" and a["size"]==104857, a
assert a["after_apply_guidance"]=="restartHost" and a["applied_on"]=="xs-01,xs-02", a
assert a["applied_here"] is True
assert b["applied_on"]=="xs-02" and b["applied_here"] is False, b
assert b["after_apply_guidance"]=="restartXAPI"
' "$OUT"
expect_exit 0 "through the member xs-02 (redirected to the master)" patch list --host xs-02 -o csv
expect_out '^b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c02,XS56EFP1002,1.0,209715,restartXAPI,false,xs-02,true' "applied here on xs-02"
expect_exit 2 "patch list needs --host" patch list
expect_exit 3 "unknown host" patch list --host nope
simctl fault pool_patch.get_all_records HANDLE_INVALID pool_patch OpaqueRef:gone --count 1 >/dev/null
expect_exit 1 "server error while listing" patch list --host xs-01
expect_err "HANDLE_INVALID \[pool_patch; OpaqueRef:gone\]|HANDLE_INVALID.*pool_patch.*OpaqueRef:gone" "verbatim error"
expect_eq "no session left open" 0 "$(simctl sessions)"
finish
