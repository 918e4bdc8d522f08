#!/usr/bin/env bash
# vms HOST --xapi: placement by SQL cross-checked with the XenAPI simulator over HTTPS.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup

expect_exit 0 "vms without --xapi needs no XenAPI" vms xs-01 -o json
check "SQL placement: 1, 2, 3, 4" /usr/bin/python3 -c '
import json,sys
v=json.load(open(sys.argv[1]))["vms"]
assert [x["id"] for x in v]==[1,2,3,4], v
assert "finding" not in v[0]
' "$OUT"

# xs-02 is consistent: every VM CloudStack places there runs there.
expect_exit 0 "consistent host" vms xs-02 --xapi -o json
expect_err "127.0.0.2 is a pool member; using the pool master 127.0.0.1" "the member redirected to the master (HOST_IS_SLAVE)"
expect_eq "csmaint logged out" 0 "$(simctl sessions)"
check "findings and Tools on xs-02" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
assert v["i-2-9-VM"]["finding"]=="ok" and v["i-2-9-VM"]["tools"] is True, v["i-2-9-VM"]
assert v["v-7-VM"]["resident_on"]=="xs-02"
assert v["i-2-4-VM"]["finding"].startswith("in flux"), v["i-2-4-VM"]
' "$OUT"

# xs-01 via the member's address: HOST_IS_SLAVE redirects to the master transparently.
expect_exit 0 "xs-01 is consistent too (VM 4 migrating away counts as in flux)" vms 1 --xapi -o json
check "Tools present, absent, outdated" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
a,b,r=v["i-2-1-VM"],v["i-2-2-VM"],v["r-3-VM"]
assert a["tools"] is True and a["tools_current"] is True and a["tools_version"]=="5.6.100", a
assert b["tools"] is False and b["tools_version"] is None, b
assert r["tools"] is True and r["tools_current"] is False, r
assert all(x["finding"] in ("ok",) or x["finding"].startswith("in flux") for x in v.values()), v
' "$OUT"

# Mismatch 1: CloudStack says Running on xs-01, the hypervisor runs it on xs-02.
simctl move-vm i-2-1-VM xs-02 >/dev/null
expect_exit 4 "VM running on another host" vms xs-01 --xapi -o csv
expect_out 'i-2-1-VM.*it runs on another host' "finding names the difference"
expect_err "1 difference between CloudStack and the hypervisor" "summary on stderr"
expect_exit 4 "and xs-02 runs a VM CloudStack places elsewhere" vms xs-02 --xapi -o csv
expect_out 'i-2-1-VM.*runs here; CloudStack places it on another host' "reverse finding"
simctl move-vm i-2-1-VM xs-01 >/dev/null

# Mismatch 2: the hypervisor has it halted; mismatch 3: a VM unknown to CloudStack.
simctl set-vm i-2-2-VM power_state=Halted >/dev/null
expect_exit 4 "VM halted on the hypervisor" vms xs-01 --xapi -o csv
expect_out 'i-2-2-VM.*has it not running' "halted finding"
simctl set-vm i-2-2-VM power_state=Running >/dev/null
simctl move-vm i-3-5-VM xs-01 >/dev/null
simctl set-vm i-3-5-VM power_state=Running >/dev/null
expect_exit 4 "a VM CloudStack has stopped runs here" vms xs-01 --xapi -o csv
expect_out 'i-3-5-VM.*CloudStack has it on no host' "finding for the stopped VM"
simctl set-vm i-3-5-VM power_state=Halted >/dev/null
simctl set-vm i-2-1-VM name_label=rogue-vm >/dev/null
expect_exit 4 "a VM unknown to CloudStack" vms xs-01 --xapi -o csv
expect_out 'rogue-vm.*unknown to CloudStack' "unknown VM reported"
expect_out 'i-2-1-VM.*does not know it' "and CloudStack's VM is missing on the hypervisor"
simctl set-vm rogue-vm name_label=i-2-1-VM >/dev/null

# Sessions: a session that expires mid-run is renewed once; csmaint logs out.
simctl fault VM.get_all_records SESSION_INVALID OpaqueRef:x --count 1 >/dev/null
expect_exit 0 "SESSION_INVALID mid-run: log in again and go on" vms xs-02 --xapi

# Errors from the server are shown verbatim with their parameters.
simctl fault VM.get_all_records RBAC_PERMISSION_DENIED VM.get_all_records "no permission" --count 1 >/dev/null
expect_exit 1 "server error" vms xs-02 --xapi
expect_err "RBAC_PERMISSION_DENIED.*no permission" "error code and parameters shown"

# Transport faults: each gives a clear error and exit 1.
for f in drop malformed truncated http500 html; do
	simctl transport-fault VM.get_all_records "$f" --count 3 >/dev/null
	expect_exit 1 "transport fault: $f" vms xs-02 --xapi
	expect_no_err "xenroot" "no password in the $f error"
	simctl clear-faults >/dev/null
done
simctl transport-fault VM.get_all_records stall --seconds 8 --count 1 >/dev/null
expect_exit 1 "stalled reply times out (xenapi.timeout = 5)" vms xs-02 --xapi
expect_err "[Tt]imeout|timed out" "says it timed out"
simctl clear-faults >/dev/null

# Wrong password.
printf 'wrong\n' >"$TEST_TMP/xapi.pass"
expect_exit 1 "wrong XenAPI password" vms xs-02 --xapi
expect_err "SESSION_AUTHENTICATION_FAILED" "server's refusal shown"
printf 'xenroot\n' >"$TEST_TMP/xapi.pass"

# TLS: another CA's certificate is refused; the pinned key is accepted without a CA.
"$TOP_SRCDIR/tests/xapisim/mkcert.sh" "$TEST_TMP/other" >/dev/null
write_conf "${XAPI_CONF/$XS_CERTS\/ca.pem/$TEST_TMP/other/ca.pem}"
expect_exit 1 "certificate from an unknown CA" vms xs-02 --xapi
expect_err "SSL|certificate" "TLS error named"
write_conf "xenapi = { url = \"https://%s:$XS_PORT/\"; password_file = \"$TEST_TMP/xapi.pass\"; pinned_pubkey = \"$(cat "$XS_CERTS/pin.txt")\"; timeout = 5; };"
expect_exit 0 "pinned public key accepted" vms xs-02 --xapi
write_conf "xenapi = { url = \"https://%s:$XS_PORT/\"; password_file = \"$TEST_TMP/xapi.pass\"; pinned_pubkey = \"$(cat "$TEST_TMP/other/pin.txt")\"; timeout = 5; };"
expect_exit 1 "wrong pinned key refused" vms xs-02 --xapi
write_conf "xenapi = { url = \"https://%s:$XS_PORT/\"; password_file = \"$TEST_TMP/xapi.pass\"; verify = false; timeout = 5; };"
expect_exit 0 "verify = false works" vms xs-02 --xapi
expect_err "verification.*off|not verif" "and warns on every run"
write_conf "$XAPI_CONF"

# Unreachable XenServer (nobody listens on 127.0.0.5) and a non-hypervisor host.
expect_exit 1 "XenServer unreachable" vms xs-05 --xapi
expect_err "cannot reach XenServer host 5 \(xs-05\) at 127.0.0.5" "names host and address"
expect_exit 4 "not a hypervisor" vms 16 --xapi
finish
