#!/usr/bin/env bash
# audit: each kind of finding, exit 4 when something needs attention, 0 when clean.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
xapi_setup
expect_exit 4 "the sample has a host disabled outside csmaint with a VM on it" audit -o json
check "findings: disabled-elsewhere and vm-on-disabled-host for xs-04" /usr/bin/python3 -c '
import json,sys
f=json.load(open(sys.argv[1]))["findings"]
k=sorted((x["finding"],x["host_id"]) for x in f)
assert k==[("disabled-elsewhere",4),("vm-on-disabled-host",4)], k
' "$OUT"
"$CSMAINT" -c "$CONF" host disable xs-02 --reason audit --execute >/dev/null 2>&1
sql "UPDATE host SET allocation_state = 'Enabled' WHERE id = 2"
expect_exit 4 "held host and its drift" audit -o csv
expect_out '^disabled-by-csmaint,2,xs-02,1,' "held host reported"
expect_out "^drift,2,xs-02,1,\"?allocation_state is 'Enabled' but operation 1 wrote 'Disabled'" "drift reported"
expect_exit 4 "with --xapi: patch skew between xs-01 and xs-02" audit --xapi -o csv
expect_out '^patch-skew,,xs-01,,"?cluster 1: missing hotfixes other hosts of the pool have: b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c02' "xs-01 lacks XS56EFP1002"
# Clean everything up: no findings, exit 0.
"$CSMAINT" -c "$CONF" recover 1 --execute >/dev/null 2>&1
sql "UPDATE host SET allocation_state = 'Enabled' WHERE id = 4; UPDATE vm_instance SET host_id = 1 WHERE id = 10"
expect_exit 0 "a clean cloud" audit -o json
check "no findings" /usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"findings":[]}' "$OUT"
expect_err "nothing needs attention" "says so"
finish
