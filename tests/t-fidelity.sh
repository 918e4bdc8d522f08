#!/usr/bin/env bash
# csmaint against what real CloudStack and XenServer do (issue 10 items 2, 3, 4), with the
# simulators modelling it (tests/xapisim/README, tests/mssim/README "Modelled real behaviour"):
#  (a) maintenance of the pool master moves the master role (CitrixResourceBase
#      MaintainCommand): the procedure follows the new master on every call path, its
#      sessions opened before the switch included, on 2.2 and 3.0;
#  (b) before 7.1 an uploaded patch file lives on the master that received it: after the
#      switch precheck/apply fail CANNOT_FIND_PATCH; the procedure uploads again and retries
#      once; `patch precheck`/`patch apply` explain CANNOT_FIND_PATCH and CANNOT_FETCH_PATCH;
#  (c) 7.1 LTSR: the upload needs sr_id: xenapi.update_sr, else pool.default_SR; refused
#      (exit 4) when neither names an existing shared SR.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)
SIMCTL_PY=$TOP_SRCDIR/tests/xapisim/simctl
U3=c3c3c3c3-0000-4000-8000-000000000003

# expect_fail DESC ARGS...: csmaint must fail (any status but 0; 2 would be a usage error).
expect_fail() {
	local d=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 2 ]; then ok "$d (exit $RC)"; else not_ok "$d: want a failure"; fi
}
# calls_py CODE: run python CODE with `calls` = xapisim's recorded calls.
calls_py() {
	simctl calls | /usr/bin/python3 -c "import json, sys
calls = json.load(sys.stdin)
$1"
}
# xsstate_py CODE: run python CODE with `st` = xapisim's state.
xsstate_py() {
	simctl state | /usr/bin/python3 -c "import json, sys
st = json.load(sys.stdin)
db = st['db']
name = lambda ref: db['host'][ref]['name_label']
$1"
}
boot_of() { xsstate_py "print([h for h in db['host'].values() if h['name_label'] == '$1'][0]['other_config']['boot_time'])"; }

# ---- (a) the procedure on the pool master, 2.2 and 3.0 --------------------------------------
for gen in 2.2 3.0; do
	CS_VERSION=$gen
	hotfix_fresh
	boot0=$(boot_of xs-01)
	msctl autopilot xs-01 >/dev/null
	expect_exit 0 "$gen: the procedure on the pool master xs-01" hotfix xs-01 "$F3" --execute -o json
	check "$gen: operation done, every step done, the patch applied" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["operations"][0]["state"] == "done", d["operations"]
assert all(s["state"] == "done" for s in d["steps"]), d["steps"]
assert [(p["name_label"], p["action"]) for p in d["patches"]] == [("XS56EFP1003", "applied")], d["patches"]
' "$OUT"
	expect_eq "$gen: maintenance moved the master to xs-02" xs-02 "$(simctl master)"
	expect_err "master.*(xs-02|127\.0\.0\.2)|(xs-02|127\.0\.0\.2).*(is|became|now).*master" "$gen: csmaint says the pool master is now xs-02"
	check "$gen: after the switch csmaint logged in on the new master; upload, precheck, apply went there" calls_py '
after = [c for c in calls if c["host"] == "127.0.0.2"]
ok = lambda m: any(c["method"].endswith(m) and c.get("result") == "Success" for c in after)
for m in ("session.login_with_password", "PUT /pool_patch_upload", "pool_patch.precheck", "pool_patch.apply"):
    assert ok(m), "no successful %s on xs-02" % m
'
	check "$gen: the session held across the switch met SESSION_INVALID and csmaint carried on" calls_py '
assert any(c.get("result") == "SESSION_INVALID" for c in calls), "the old session was never used after the switch"
'
	expect_exit 0 "$gen: patch list on xs-01" patch list --host xs-01 -o csv
	expect_out "^$U3,XS56EFP1003,.*,true" "$gen: XS56EFP1003 applied on xs-01"
	boot1=$(boot_of xs-01)
	if [ "$boot1" != "$boot0" ]; then ok "$gen: xs-01 rebooted (boot_time moved)"
	else not_ok "$gen: xs-01 boot_time unchanged ($boot0)"; fi
	msctl autopilot xs-01 stop >/dev/null 2>&1
done
CS_VERSION=2.2

# ---- (b) pre-7.1: a patch uploaded before the master switch ---------------------------------
hotfix_fresh
expect_exit 0 "upload XS56EFP1003 to the master xs-01 before the procedure" patch upload --host xs-01 "$F3" --execute -o csv
msctl autopilot xs-01 >/dev/null
expect_exit 0 "the procedure on xs-01 finds the file gone with the master and uploads again" \
	hotfix xs-01 "$F3" --execute -o json
check "the patch step's detail says CANNOT_FIND_PATCH and the upload again; done, applied" /usr/bin/python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
assert d["operations"][0]["state"] == "done", d["operations"]
p = [s for s in d["steps"] if s["name"] == "patch"][0]
assert p["state"] == "done", p
assert re.search(r"CANNOT_FIND_PATCH", p["detail"]) and re.search(r"upload(ed)? again|re-?upload", p["detail"], re.I), p
assert [(x["name_label"], x["action"]) for x in d["patches"]] == [("XS56EFP1003", "applied")], d["patches"]
' "$OUT"
check "the file was uploaded twice: to xs-01, then to the new master xs-02" calls_py '
ups = [c["host"] for c in calls if c["method"] == "PUT /pool_patch_upload" and c.get("result") == "Success"]
assert ups == ["127.0.0.1", "127.0.0.2"], ups
'
check "one precheck retry, not a loop" calls_py '
n = [c.get("result") for c in calls if c["method"].endswith("pool_patch.precheck")]
assert n.count("CANNOT_FIND_PATCH") == 1, n
'
msctl autopilot xs-01 stop >/dev/null 2>&1

# Without the procedure: precheck and apply explain the error and what to run.
hotfix_fresh
expect_exit 0 "upload to xs-01" patch upload --host xs-01 "$F3" --execute -o csv
simctl switch-master xs-02 --seconds 0.2 >/dev/null
sleep 0.5
expect_fail "patch precheck after the master moved: CANNOT_FIND_PATCH" patch precheck xs-01 XS56EFP1003
expect_err "CANNOT_FIND_PATCH" "names the error"
expect_err "(file|patch).*(not|no longer|only).*(master|xs-01)|(master|xs-02).*(no|lacks|without).*(file|copy)" \
	"says the file is not on the (new) pool master"
expect_err "csmaint patch upload" "says what to run"
expect_fail "patch apply after the master moved: CANNOT_FIND_PATCH" patch apply xs-02 XS56EFP1003 --execute
expect_err "CANNOT_FIND_PATCH" "apply names the error"
expect_err "csmaint patch upload" "apply says what to run"
expect_eq "the failed apply uploaded nothing itself" 1 "$(calls_py 'print(sum(c["method"] == "PUT /pool_patch_upload" for c in calls))')"
simctl set-patch XS56EFP1003 file_present=true >/dev/null	# the file on the new master now
simctl set-patch XS56EFP1003 fetch_fails=true >/dev/null
expect_fail "patch precheck when the transfer from the master fails: CANNOT_FETCH_PATCH" patch precheck xs-01 XS56EFP1003
expect_err "CANNOT_FETCH_PATCH" "names the error"
expect_err "$U3" "names the patch uuid"
expect_err "master|fetch|copy" "explains the member could not copy the file from the master"
simctl set-patch XS56EFP1003 fetch_fails=false >/dev/null
expect_exit 0 "precheck on xs-01 works once the file is on the master" patch precheck xs-01 XS56EFP1003

# ---- (c) 7.1: the upload's SR ----------------------------------------------------------------
xsconf() {	# xsconf [UPDATE_SR]: the config, with xenapi.update_sr when given
	local x=$XAPI_CONF
	[ -n "${1:-}" ] && x=${x/connect_timeout = 2;/connect_timeout = 2; update_sr = \"$1\";}
	write_conf "$x
$PROC_FAST"
}
puts_sr() { calls_py 'print(" ".join(c["params"].get("sr_id", "-") for c in calls if c["method"] == "PUT /pool_patch_upload"))'; }
sr_ref() { xsstate_py "print([r for r, s in db['SR'].items() if s['name_label'] == '$1'][0])"; }
U71=d7d7d7d7-0000-4000-8000-000000000171
# mkupdate FILE UUID NAME: a 7.1 update: the simulator's header, an ISO 9660 volume descriptor
mkupdate() {
	mkpatch "$1" "$2" "$3" restartHost
	printf 'CD001' | dd of="$1" bs=1 seek=32769 conv=notrunc status=none
}
hotfix_fresh "$TOP_SRCDIR/tests/data/xapi-pool-7.1.json"
mkupdate "$TEST_TMP/XS71E010.iso" $U71 XS71E010
expect_exit 0 "7.1 upload without update_sr: pool.default_SR (primary-nfs)" \
	patch upload --host xs-01 "$TEST_TMP/XS71E010.iso" --execute -o csv
expect_out "^XS71E010,$U71,uploaded" "uploaded"
expect_eq "the PUT named the default SR" "$(sr_ref primary-nfs)" "$(puts_sr)"
simctl reset-calls >/dev/null
mkupdate "$TEST_TMP/XS71E013.iso" d7d7d7d7-0000-4000-8000-000000000174 XS71E013
xsconf iso-nfs
expect_exit 0 "7.1 upload with xenapi.update_sr = iso-nfs (a name)" \
	patch upload --host xs-01 "$TEST_TMP/XS71E013.iso" --execute -o csv
expect_eq "the PUT named iso-nfs" "$(sr_ref iso-nfs)" "$(puts_sr)"
simctl reset-calls >/dev/null
mkupdate "$TEST_TMP/XS71E011.iso" d7d7d7d7-0000-4000-8000-000000000172 XS71E011
xsconf 5d5d5d5d-0000-4000-8000-000000000002
expect_exit 0 "7.1 upload with xenapi.update_sr as a uuid" \
	patch upload --host xs-01 "$TEST_TMP/XS71E011.iso" --execute -o csv
expect_eq "the PUT named iso-nfs" "$(sr_ref iso-nfs)" "$(puts_sr)"
simctl reset-calls >/dev/null
mkupdate "$TEST_TMP/XS71E012.iso" d7d7d7d7-0000-4000-8000-000000000173 XS71E012
xsconf no-such-sr
expect_exit 4 "7.1: update_sr names no SR: refused" patch upload --host xs-01 "$TEST_TMP/XS71E012.iso" --execute
expect_err "^csmaint: .*(update_sr|SR).*no-such-sr" "names the setting's value"
xsconf "Local storage on xs-01"
expect_exit 4 "7.1: update_sr names a local SR: refused" patch upload --host xs-01 "$TEST_TMP/XS71E012.iso" --execute
expect_err "^csmaint: .*not shared" "says the SR is not shared"
xsconf
simctl set-pool default_SR= >/dev/null
expect_exit 4 "7.1: no update_sr and no pool default SR: refused" patch upload --host xs-01 "$TEST_TMP/XS71E012.iso" --execute
expect_err "^csmaint: .*default SR" "says the pool has no default SR"
expect_err "update_sr" "and names the setting that would fix it"
simctl set-pool "default_SR=Local storage on xs-02" >/dev/null
expect_exit 4 "7.1: the pool's default SR is not shared: refused" patch upload --host xs-01 "$TEST_TMP/XS71E012.iso" --execute
expect_err "^csmaint: .*not shared" "says the default SR is not shared"
simctl set-pool default_SR=dangling >/dev/null
expect_exit 4 "7.1: the pool's default SR is a dangling reference: refused" patch upload --host xs-01 "$TEST_TMP/XS71E012.iso" --execute
expect_eq "no refused upload sent a PUT" "" "$(puts_sr)"
expect_no_err "HTTP 400" "never the bare HTTP 400 of the server"
finish
