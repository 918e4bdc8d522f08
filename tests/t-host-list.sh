#!/usr/bin/env bash
# host list / host show: filters, VM counts by CloudStack's placement rule, output formats.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2

expect_exit 0 "host list as JSON" host list -o json
check "JSON: every live Routing host, counts as AgentMonitor sees them" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
h={x["id"]:x for x in d["hosts"]}
assert sorted(h)==[1,2,3,4,5,6,7,8,9,10,11,13,14,15], sorted(h)
assert (h[1]["user_vms"],h[1]["system_vms"])==(3,1), h[1]
assert (h[2]["user_vms"],h[2]["system_vms"])==(2,2), h[2]
assert h[4]["allocation_state"]=="Disabled" and h[4]["user_vms"]==1
for k in ("id","name","status","allocation_state","cluster_id","pod_id","zone_id"):
    assert k in h[1], k
assert h[13]["name"]=="xs\x27; DROP TABLE host; --\"q"
assert h[14]["name"]=="xs-ünïcødé-☃"
assert len(h[15]["name"])==255
assert h[1]["operation"] is None
' "$OUT"

expect_exit 0 "filter by cluster" host list --cluster 2 -o csv
check "CSV parses; only cluster 2" /usr/bin/python3 -c '
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all(r["cluster_id"]=="2" for r in rows), rows
assert any(r["name"]=="xs\x27; DROP TABLE host; --\"q" for r in rows)
' "$OUT"
expect_exit 0 "filter by status" host list --status Maintenance -o csv
expect_eq "one Maintenance host" "3" "$(tail -n +2 "$OUT" | cut -d, -f1 | tr -d '\r')"
expect_exit 0 "filter by allocation state" host list --state Disabled -o csv
expect_eq "one Disabled host" "4" "$(tail -n +2 "$OUT" | cut -d, -f1 | tr -d '\r')"
expect_exit 0 "filter by zone and pod" host list --zone 1 --pod 1 -o csv
expect_eq "14 hosts in zone 1 pod 1" 14 "$(tail -n +2 "$OUT" | wc -l)"
expect_exit 0 "filter that matches nothing" host list --zone 42 -o json
expect_out '"hosts": \[' "empty listing is still valid JSON"
check "empty JSON parses" /usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"hosts":[]}' "$OUT"
expect_exit 2 "non-numeric zone" host list --zone abc
expect_exit 0 "--all includes removed and non-hypervisor rows" host list --all -o csv
expect_eq "19 rows with --all" 19 "$(tail -n +2 "$OUT" | wc -l)"
expect_exit 0 "table output" host list
expect_out '^ *ID +NAME +STATUS' "table has a header"
expect_exit 2 "bad output format" host list -o xml

# Global options may come before or after the command words.
run -o json host list; a=$(md5sum <"$OUT")
run host list -o json; b=$(md5sum <"$OUT")
expect_eq "-o before and after the command give the same output" "$a" "$b"

# host show: row, VMs (user/system, migrating away counted), journal.
expect_exit 0 "host show by name" host show xs-01 -o json
check "show JSON: host, VMs by placement rule" /usr/bin/python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert [h["id"] for h in d["hosts"]]==[1]
vms={v["id"]:v for v in d["vms"]}
assert sorted(vms)==[1,2,3,4], sorted(vms)
assert vms[3]["kind"]=="system" and vms[1]["kind"]=="user"
assert vms[4]["state"]=="Migrating" and vms[4]["last_host_id"]==1
assert d["operations"]==[]
' "$OUT"
expect_exit 0 "host show by guid" host show e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002
expect_out '^ *2 +xs-02 ' "found by XenServer uuid"
expect_exit 0 "a removed host can still be shown" host show xs-old -o json
expect_out '"removed": "20' "removed date shown"
expect_exit 2 "ambiguous name" host show xs-dup
expect_err "ids 10 \(Routing, Up\), 11 \(Routing, Up\)" "candidates listed"
expect_exit 3 "unknown host" host show nope
expect_exit 2 "show needs HOST" host show
expect_exit 2 "show takes one HOST" host show 1 2

# Host names match exactly (issue 8.7).  The server's collation ignores case, accents
# and trailing spaces, so 'XS-01 ' used to find xs-01: now it is "not found" (exit 3)
# with what it nearly matched, and nothing changes.
jcount() { sql "SELECT COUNT(*) FROM operation" "$JOURNAL"; }
before=$(cs_digest) ops=$(jcount)
for h in 'XS-01 ' 'xs-01 ' 'XS-01' 'xs-01  '; do
	expect_exit 3 "host disable '$h' --execute is not xs-01" host disable "$h" --execute
	expect_err "^csmaint: no host named '$h' \(did you mean 'xs-01'\?\)" "'$h': suggests xs-01"
done
expect_eq "xs-01 still Enabled" Enabled "$(alloc_of 1)"
expect_eq "no operation journaled" "$ops" "$(jcount)"
expect_eq "CloudStack tables unchanged" "$before" "$(cs_digest)"
# Every command that takes HOST resolves it the same way.
for cmd in "host show" "host enable" "host reboot" "vms" "check" "hotfix" "patch plan" \
	"patch precheck" "patch apply"; do
	extra=
	case $cmd in
	"patch precheck"|"patch apply") extra=XS56EFP1001 ;;
	hotfix) mkpatch "$TEST_TMP/p.xsupdate" 0f1e2d3c-0000-4000-8000-000000000001 XS56EFP1001 \
		restartHost; extra=$TEST_TMP/p.xsupdate ;;
	esac
	# shellcheck disable=SC2086
	expect_exit 3 "$cmd 'XS-01 '" $cmd 'XS-01 ' $extra
	expect_err "no host named 'XS-01 ' \(did you mean 'xs-01'\?\)" "$cmd: suggests xs-01"
done
expect_exit 3 "journal list --host 'Xs-01'" journal list --host 'Xs-01'
expect_err "no host named 'Xs-01' \(did you mean 'xs-01'\?\)" "journal list: suggests xs-01"
expect_exit 3 "patch list --host 'XS-01 '" patch list --host 'XS-01 '
expect_exit 3 "accents count" host show 'xs-unïcødé-☃'
expect_err "did you mean 'xs-ünïcødé-☃'" "suggests the accented name"
expect_exit 0 "the exact accented name works" host show 'xs-ünïcødé-☃'
expect_out '^ *14 +xs-' "found host 14"
expect_exit 3 "a near match of a duplicated name is named once" host show XS-DUP
expect_err "did you mean 'xs-dup'\?\)" "xs-dup once"
expect_exit 2 "the exact duplicated name is still ambiguous" host show xs-dup
# A uuid may differ only in the case of its hex digits (RFC 4122).
expect_exit 0 "upper-case uuid" host show E2D1C6A4-8F3B-4C57-9D2E-5A7B1C3F0002
expect_out '^ *2 +xs-02 ' "found host 2"
expect_exit 3 "uuid with a trailing space" host show 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002 '
expect_err "did you mean 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002'" "suggests the uuid"
# The exact name still works, and does what it says.
expect_exit 0 "host disable xs-01 --execute" host disable xs-01 --execute
expect_eq "xs-01 Disabled" Disabled "$(alloc_of 1)"
expect_exit 0 "host enable xs-01 --execute" host enable xs-01 --execute
expect_eq "xs-01 Enabled again" Enabled "$(alloc_of 1)"
finish
