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
finish
