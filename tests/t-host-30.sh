#!/usr/bin/env bash
# CloudStack 3.0+: the same toggle on host.resource_state, hosts named by uuid, and the
# maintenance states that share the column.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 3.0

expect_exit 0 "schema on 3.0" schema -o json
expect_out '"generation": "3.0\+"' "generation 3.0+"
expect_out '"allocation_column": "resource_state"' "column resource_state"
expect_out '"cloudstack_version": "3.0.2"' "version from the version table"

expect_exit 0 "host list on 3.0" host list -o json
check "JSON parses and carries uuid" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
h={x["id"]:x for x in d["hosts"]}
assert h[1]["uuid"]=="6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0001", h[1]
assert h[3]["allocation_state"]=="Maintenance", h[3]
' "$OUT"

uuid=6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0001
expect_exit 0 "dry run by uuid" host disable "$uuid"
expect_out "^UPDATE host SET resource_state = 'Disabled' WHERE id = 1 AND resource_state = 'Enabled'" "CAS on resource_state"
expect_exit 0 "disable by uuid" host disable "$uuid" --execute
expect_eq "resource_state Disabled" Disabled "$(alloc_of 1)"
expect_eq "journal records the column" "resource_state	Enabled	Disabled" \
	"$(sql "SELECT column_name, prior_value, new_value FROM operation" csmaint)"
expect_exit 0 "show by uuid" host show "$uuid" -o json
expect_out '"operation": 1' "show names the open operation"
expect_exit 0 "enable" host enable "$uuid" --execute
expect_eq "resource_state Enabled" Enabled "$(alloc_of 1)"

# Maintenance lives in the same column on 3.0: csmaint never overwrites it.
expect_exit 4 "disable a host in Maintenance" host disable xs-03 --execute
expect_err "resource_state is 'Maintenance', expected 'Enabled'" "refusal names the maintenance state"
expect_exit 4 "disable a host in PrepareForMaintenance" host disable xs-07 --execute
expect_exit 4 "disable a host in Error" host disable xs-10 --execute
expect_eq "maintenance row untouched" Maintenance "$(alloc_of 3)"

# CloudStack took the column over (maintenance) after csmaint disabled the host.
expect_exit 0 "disable xs-02" host disable xs-02 --execute
sql "UPDATE host SET resource_state = 'Maintenance' WHERE id = 2"
expect_exit 4 "enable refuses when CloudStack owns the column" host enable xs-02 --execute
expect_err "resource_state is 'Maintenance', expected 'Disabled'" "says what the row holds"
expect_eq "row still Maintenance" Maintenance "$(alloc_of 2)"
op=$(sql "SELECT id FROM operation WHERE open_host = 2" csmaint)
expect_exit 0 "recover closes without writing" recover "$op" --execute
expect_err "CloudStack owns the column during maintenance|already had resource_state 'Maintenance'" "explains why nothing was written"
expect_eq "row still Maintenance after recover" Maintenance "$(alloc_of 2)"
expect_eq "operation closed" rolled_back "$(sql "SELECT state FROM operation WHERE id = $op" csmaint)"

# 3.0: CloudStack's own transitions keep op_host_capacity.capacity_state in step with
# resource_state (ResourceManagerImpl.resourceStateTransitTo, tag-3.0.2); csmaint writes
# only resource_state, so a disable leaves the capacity counted: host show and audit
# say so.
expect_exit 0 "a consistent host" host show xs-01 -o json
check "capacity table: consistent" /usr/bin/python3 -c '
import json,sys
c=json.load(open(sys.argv[1]))["capacity"]
assert c==[{"resource_state":"Enabled","capacity_state":"Enabled","expected":"Enabled","consistent":True}], c
' "$OUT"
expect_no_err "warning" "no warning"
expect_exit 0 "disable xs-01" host disable xs-01 --execute
expect_eq "capacity rows untouched by csmaint" Enabled \
	"$(sql "SELECT GROUP_CONCAT(DISTINCT capacity_state) FROM op_host_capacity WHERE host_id = 1")"
expect_exit 0 "host show after csmaint's disable" host show xs-01 -o json
check "capacity table: the mismatch" /usr/bin/python3 -c '
import json,sys
c=json.load(open(sys.argv[1]))["capacity"]
assert c==[{"resource_state":"Disabled","capacity_state":"Enabled","expected":"Disabled","consistent":False}], c
' "$OUT"
expect_err "host 1 \(xs-01\): op_host_capacity.capacity_state is 'Enabled', but CloudStack writes 'Disabled' for resource_state 'Disabled': its capacity summaries still count the host \(csmaint changes only resource_state\)" "warns in words"
expect_exit 4 "audit reports it" audit -o csv
expect_out "^capacity-mismatch,1,xs-01,,\"op_host_capacity.capacity_state is 'Enabled' but resource_state is 'Disabled'" "capacity-mismatch finding for xs-01"
expect_out "^capacity-mismatch,4,xs-04," "and for the upgrade-era Disabled host"
expect_no_err "^capacity-mismatch,(7|8|20)," "not for hosts CloudStack itself moved"
expect_exit 0 "enable xs-01" host enable xs-01 --execute
expect_exit 4 "audit after enable" audit -o csv
expect_no_err "^capacity-mismatch,1," "the mismatch is gone"

# The XenServer host uuid is host.guid on 3.0 too (XcpServerDiscoverer: params.put("guid",
# record.uuid)); host.uuid is CloudStack's own.  HOST takes either.
guid=e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002
expect_exit 0 "show by guid (the XenServer uuid)" host show "$guid" -o json
expect_out '"uuid": "6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0002"' "the guid found host 2"
expect_exit 0 "guid in upper case" host show "${guid^^}" -o json
expect_out '"id": 2,' "still host 2"
expect_exit 3 "guid with a trailing space" host show "$guid "
expect_err "did you mean '$guid'" "suggests the guid"

# The XenServer host is matched by guid: CloudStack's row for xs-02 carries xs-01's
# address (both rows say 127.0.0.1), and the pool still gives xs-02.
xapi_setup
sql "UPDATE host SET private_ip_address = '127.0.0.1' WHERE id = 2"
expect_exit 0 "xs-02 found by guid although its row has xs-01's address" vms xs-02 --xapi -o json
check "the VMs of xs-02, as XenServer runs them there" /usr/bin/python3 -c '
import json,sys
v={x["instance_name"]:x for x in json.load(open(sys.argv[1]))["vms"]}
assert v["i-2-9-VM"]["finding"]=="ok" and v["i-2-9-VM"]["resident_on"]=="xs-02", v
assert "i-2-1-VM" not in v, v
' "$OUT"
expect_no_err "address" "no address fallback, no warning"
sql "UPDATE host SET private_ip_address = '127.0.0.2' WHERE id = 2"

# A guid the pool does not know: the address, with a warning that names both facts.
sql "UPDATE host SET guid = 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3fffff' WHERE id = 1"
expect_exit 0 "unknown guid: the address finds xs-01" vms xs-01 --xapi
expect_err "CloudStack host 1 \(xs-01\): no XenServer host has its host.guid e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3fffff; using xs-01 \(uuid e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0001\), the only one at address 127.0.0.1" "warns"
finish
