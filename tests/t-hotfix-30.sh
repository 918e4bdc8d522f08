#!/usr/bin/env bash
# The procedure on CloudStack 3.0: resource_state carries both the toggle and
# maintenance; the restore finds Maintenance, writes nothing and says CloudStack owns it.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)
CS_VERSION=3.0
hotfix_fresh
msctl autopilot xs-01 >/dev/null
expect_exit 0 "the procedure on 3.0" hotfix xs-01 "$F3" --execute -o json
check "done; restore wrote nothing" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
op=d["operations"][0]
assert op["state"]=="done" and op["column"]=="resource_state", op
r=[s for s in d["steps"] if s["name"]=="restore"][0]
assert r["state"]=="done" and "nothing written" in r["detail"], r
assert [s["name"] for s in d["steps"]].count("restore")==1, d["steps"]
' "$OUT"
expect_err "cancelling maintenance returns the host to service" "tells the operator CloudStack owns the column"
for _ in $(seq 50); do [ "$(alloc_of 1)" = Enabled ] && break; sleep 0.2; done
expect_eq "after cancel maintenance the host is Enabled" Enabled "$(alloc_of 1)"
expect_exit 4 "audit afterwards: only the sample's own findings (xs-04)" audit -o csv
expect_no_err "^(drift|interrupted|running|failed),1," "no finding about xs-01"
finish
