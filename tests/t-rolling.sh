#!/usr/bin/env bash
# csmaint rolling on a 4-host CloudStack 2.2 pool: the plan changes nothing; a pool that
# cannot take a host's VMs is refused with nothing changed; a second operator is refused;
# the whole pool patched master first (then the new master), uploads only where the
# master lacks the file, the journal closed with a child per host; a failure on the
# third host stops the run with the fourth untouched, and resume finishes from there.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_py pymysql python3-pymysql
ROLLING_VERSION=${ROLLING_VERSION:-2.2}
MKPOOL_ARGS_pool_a="--apply-fail-on rx-03"
rolling_setup "$ROLLING_VERSION" pool-a pool-tight
J=$JOURNAL
pyjson() { /usr/bin/python3 -c "$1" "$OUT"; }
hosts_enabled() { sql "SELECT COUNT(*) FROM host WHERE cluster_id = 10 AND status = 'Up' AND $(alloc_col) = 'Enabled'"; }
alloc_col() { [ "$ROLLING_VERSION" = 3.0 ] && echo resource_state || echo allocation_state; }
# The rows an operator cares about (mssim's pings change last_ping all the time).
rows() { sql "SELECT id, status, $(alloc_col) FROM host ORDER BY id; SELECT id, state, host_id FROM vm_instance ORDER BY id" | md5sum | cut -c1-32; }

# ---- the plan, a dry run ----
before=$(rows)
expect_exit 0 "dry run of the pool" rolling pool-a "$F3" "$F4" -o json
check "dry run JSON: 4 hosts pending, master rx-01 first, every capacity step fits" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
h=d["hosts"]
assert [x["name"] for x in sorted(h,key=lambda x:x["order"])]==["rx-01","rx-02","rx-03","rx-04"], h
assert all(x["result"]=="pending" and x["operation_id"] is None and x["to_apply"]==2 for x in h), h
c=d["capacity"]
assert len(c)==4 and all(s["fits"] for s in c), c
assert c[0]["host"]=="rx-01" and "rx-" in c[0]["migrate_to"], c
assert d["pool"][0]["state"]=="planned" and d["pool"][0]["operation_id"] is None, d["pool"]
assert any(x["check"]=="rx-03: no async jobs" and x["result"]=="pass" for x in d["checks"]), d["checks"]
'
expect_eq "the dry run changed no host or VM row" "$before" "$(rows)"
expect_eq "the dry run wrote no operation" 0 "$(sql "SELECT COUNT(*) FROM operation" $J)"

# ---- a pool that cannot take a host's VMs: refused, nothing changed ----
expect_exit 4 "pool-tight is refused" rolling pool-tight "$F3" "$F4" --execute
expect_err "refusing: the pool cannot take the VMs of rt-0[1-4] at step [1-4] with the hosts still in service: .* needs [0-9]+ MiB" \
	"the refusal names the step, the VM and what is short"
expect_err "nothing was changed" "says nothing was changed"
expect_eq "no operation for the refused pool" 0 "$(sql "SELECT COUNT(*) FROM operation" $J)"
expect_eq "no row changed by the refusal" "$before" "$(rows)"
expect_eq "no upload to pool-tight" 0 "$(ls "$XS_STATE_pool_tight/uploads" 2>/dev/null | wc -l)"

# ---- in-flight work anywhere in the cluster blocks the plan ----
sql "INSERT INTO async_job (id, user_id, account_id, session_key, job_cmd, job_status, instance_type, instance_id, created) VALUES (900, 2, 2, 'k', 'com.cloud.api.commands.MigrateVMCmd', 0, 'VirtualMachine', 1008, UTC_TIMESTAMP())" 2>/dev/null ||
	sql "INSERT INTO async_job (id, job_cmd, job_status, instance_type, instance_id, created) VALUES (900, 'com.cloud.api.commands.MigrateVMCmd', 0, 'VirtualMachine', 1008, UTC_TIMESTAMP())"
expect_exit 4 "an unfinished job on a VM of rx-03 blocks the whole pool" rolling pool-a "$F3" "$F4" --execute
expect_err "rx-03: no async jobs" "the failing host and check are named"
expect_eq "nothing written for it" 0 "$(sql "SELECT COUNT(*) FROM operation" $J)"
sql "UPDATE async_job SET job_status = 1 WHERE id = 900"

# ---- a second operator: the cluster's lock is held ----
lockname="csmaint.$CLOUD.cluster.10"
mdb_sql -e "SELECT GET_LOCK('$lockname', 0), SLEEP(6)" >/dev/null &
holder=$!
for _ in $(seq 50); do [ "$(mdb_sql -e "SELECT IS_USED_LOCK('$lockname') IS NOT NULL")" = 1 ] && break; sleep 0.1; done
expect_exit 4 "a second rolling run is refused while the cluster is held" rolling pool-a "$F3" "$F4" --execute
expect_err "pool: no rolling run \(a rolling run on its cluster 10 is starting \(database connection [0-9]+ holds the cluster's lock\)\)" "says who holds it"
expect_eq "the refused run wrote nothing" 0 "$(sql "SELECT COUNT(*) FROM operation" $J)"
expect_exit 4 "a hotfix on one of its hosts is refused too" hotfix rx-02 "$F3" "$F4" --execute
expect_err "a rolling run on its cluster 10 is starting" "the hotfix says why"
expect_eq "the refused hotfix wrote nothing" 0 "$(sql "SELECT COUNT(*) FROM operation" $J)"
wait $holder

# ---- the run: fails on rx-03 (its apply fails), rx-04 untouched ----
msctl autopilot-cluster pool-a >/dev/null	# the operator, following csmaint's proposals
expect_exit 1 "the run stops at rx-03" rolling pool-a "$F3" "$F4" --execute -o json
pool=$(sql "SELECT id FROM operation WHERE kind = 'rolling'" $J)
expect_eq "the rolling operation failed and still holds the cluster" "failed	10" \
	"$(sql "SELECT state, open_cluster FROM operation WHERE id = $pool" $J)"
expect_eq "rx-01 and rx-02 done, rx-03 rolled back: children of the pool operation" \
	"rx-01 done
rx-02 done
rx-03 rolled_back" "$(sql "SELECT CONCAT(host_name, ' ', state) FROM operation WHERE parent_id = $pool ORDER BY id" $J)"
expect_eq "rx-04 has no operation" 0 "$(sql "SELECT COUNT(*) FROM operation WHERE host_name = 'rx-04'" $J)"
if [ -n "$(sql "SELECT id FROM operation WHERE id = $pool AND last_error LIKE 'rx-03:%'" $J)" ]; then
	ok "the pool operation's last_error names rx-03"
else not_ok "last_error: $(sql "SELECT last_error FROM operation WHERE id = $pool" $J)"; fi
check "JSON: done, done, failed, pending" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
r={h["name"]:h["result"] for h in d["hosts"]}
assert r=={"rx-01":"done","rx-02":"done","rx-03":"failed","rx-04":"pending"}, r
assert d["pool"][0]["state"]=="failed", d["pool"]
'
expect_eq "rx-04's row untouched (Enabled)" Enabled "$(sql "SELECT $(alloc_col) FROM host WHERE id = 24")"
expect_exit 0 "rx-04 has no hotfix applied" patch list --host rx-04 -o csv
expect_no_err "XS56EFP1003,.*,true" "no patch applied on rx-04"
expect_exit 4 "while the failed pool operation holds the cluster, a hotfix on rx-04 is refused" hotfix rx-04 "$F3" "$F4" --execute
expect_err "rolling operation $pool \(failed" "names the rolling operation"
expect_exit 4 "and so is another rolling run" rolling pool-a "$F3" "$F4" --execute
expect_exit 4 "audit reports the pool left mixed (exit 4: findings)" audit -o json
check "audit: pool-a mixed since a time" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
f=[x for x in d["findings"] if x["finding"]=="pool-mixed"]
assert f and "pool-a" in f[0]["detail"] and "since" in f[0]["detail"], d["findings"]
'

# ---- resume: from rx-03, to the end ----
# The operator takes rx-03 out of maintenance (the rollback restored its row; the
# autopilot does it) and fixes the fault.
for _ in $(seq 100); do [ "$(sql "SELECT status FROM host WHERE id = 23")" = Up ] && break; sleep 0.1; done
simctl set 'apply_fail_on=[]' >/dev/null
expect_exit 0 "resume finishes the pool" resume "$pool" -o json
[ "$RC" = 0 ] || sed "s/^/#   resume: /" "$ERR"
expect_eq "the rolling operation is done and released the cluster" "done	NULL" \
	"$(sql "SELECT state, IFNULL(open_cluster, 'NULL') FROM operation WHERE id = $pool" $J)"
expect_eq "rx-03 again, and rx-04: children done" "rx-01 done
rx-02 done
rx-03 rolled_back
rx-03 done
rx-04 done" "$(sql "SELECT CONCAT(host_name, ' ', state) FROM operation WHERE parent_id = $pool ORDER BY id" $J)"
expect_eq "no operation left open" 0 "$(sql "SELECT COUNT(*) FROM operation WHERE open_host IS NOT NULL OR open_cluster IS NOT NULL" $J)"
for _ in $(seq 100); do [ "$(hosts_enabled)" = 4 ] && break; sleep 0.1; done
expect_eq "every host Up and Enabled" 4 "$(hosts_enabled)"
for h in rx-01 rx-02 rx-03 rx-04; do
	"$CSMAINT" -c "$CONF" patch list --host $h -o csv >"$TEST_TMP/pl" 2>/dev/null
	if grep -q "XS56EFP1003,.*,true" "$TEST_TMP/pl" && grep -q "XS56EFP1004,.*,true" "$TEST_TMP/pl"; then
		ok "$h has both hotfixes applied (XenAPI)"; else not_ok "$h patches: $(cat "$TEST_TMP/pl")"; fi
done
check "JSON after resume: every host done, rx-01 the master first, then rx-02 the new master" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
h={x["name"]:x for x in d["hosts"]}
assert all(x["result"]=="done" for x in h.values()), h
assert h["rx-01"]["master"] and h["rx-02"]["master"] and not h["rx-04"]["master"], h
assert h["rx-01"]["order"]==1 and h["rx-02"]["order"]==2, h
assert all(x["patches_applied"]==2 for x in h.values()), h
assert all(x["disabled_s"] is not None and x["disabled_s"]>=0 for x in h.values()), h
assert d["pool"][0]["state"]=="done" and d["pool"][0]["mixed_s"]>=0, d["pool"]
'
# Uploads: before 7.1 a patch file lives on the master that received it, and rx-01's
# maintenance makes rx-02 master: the rolling run leaves each upload to the first apply,
# to the master of that moment; no later master lacked a file.  One upload per file.
steps=$(sql "SELECT o.host_name, s.detail FROM operation o JOIN operation_step s ON s.operation_id = o.id WHERE o.parent_id = $pool AND s.name = 'patch' AND s.state = 'done'" $J)
expect_eq "no host needed a file uploaded again" 0 "$(printf '%s\n' "$steps" | grep -c "uploaded again")"
expect_eq "xapisim received 2 uploads in all (one per file)" 2 "$(ls "$XS_STATE_pool_a/uploads" | wc -l)"
expect_eq "the pool's upload step says why it left them to the first apply" 1 \
	"$(sql "SELECT COUNT(*) FROM operation_step WHERE operation_id = $pool AND name = 'upload' AND state = 'done' AND detail LIKE 'deferred to the first apply%'" $J)"
expect_eq "the pool cleaned the files at the end" 1 \
	"$(sql "SELECT COUNT(*) FROM operation_step WHERE operation_id = $pool AND name = 'clean' AND detail LIKE '%XS56EFP1003 cleaned%'" $J)"
# The operator followed the proposals: rx-02's VMs went to rx-01, patched by then.
expect_eq "i-2-1004-VM went where csmaint proposed (rx-01, already patched)" 21 \
	"$(sql "SELECT host_id FROM vm_instance WHERE instance_name = 'i-2-1004-VM'")"
case $(sql "SELECT detail FROM operation_step WHERE operation_id = $pool AND name = 'host' AND detail LIKE 'rx-02 %'" $J) in
	*"proposed targets: "*"i-2-1004-VM -> rx-01"*) ok "the pool's journal keeps the proposals" ;;
	*) not_ok "rx-02's host step: $(sql "SELECT detail FROM operation_step WHERE operation_id = $pool AND name = 'host'" $J)" ;; esac
expect_eq "the operator never had to pick a host CloudStack would refuse" 0 \
	"$(msctl status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"].get("unsuitable_targets", 0))')"
expect_exit 0 "journal show of the pool operation lists its children" journal show "$pool" -o json
check "journal show: the rolling operation and its five children" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
ops=d["operations"]
assert ops[0]["kind"]=="rolling" and len(ops)==6 and all(o["kind"]=="hotfix" for o in ops[1:]), ops
'
run audit -o json
check "audit has no pool-mixed finding" pyjson '
import json,sys
d=json.load(open(sys.argv[1]))
assert not [x for x in d["findings"] if x["finding"]=="pool-mixed"], d["findings"]
'
expect_exit 0 "a second rolling run: every host at the level, nothing to do" rolling pool-a "$F3" "$F4" --execute
expect_err "at the level already" "says so"
expect_eq "and it opened no operation" 1 "$(sql "SELECT COUNT(*) FROM operation WHERE kind = 'rolling'" $J)"
finish
