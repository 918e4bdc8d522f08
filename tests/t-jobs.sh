#!/usr/bin/env bash
# check HOST: every unfinished CloudStack async job that concerns the host or a VM on it
# blocks, whatever its instance columns say (CloudStack-archive tag-2.2.13 / tag-3.0.2
# BaseAsyncCmd, ApiServer: system-VM jobs are DomainRouter/SystemVm, a migration is
# instance_type 'None' with a NULL instance_id and names its VM in job_cmd_info).
. "$TOP_SRCDIR/tests/lib/common.sh"

# jobs_fact HOST STATUS TITLE: run check HOST, expect STATUS; set F to the "no async
# jobs" row (result and fact).
jobs_fact() {
	expect_exit "$2" "$3" check "$1" -o json
	F=$(/usr/bin/python3 -c '
import json,sys
c={x["check"]:x for x in json.load(open(sys.argv[1]))["checks"]}["no async jobs"]
print(c["result"], c["fact"])' "$OUT")
}

cs_setup 2.2
xapi_setup
for v in 2.2 3.0; do
	if [ "$v" = 3.0 ]; then
		CS_VERSION=3.0
		mdb_sql -e "DROP DATABASE $CLOUD; DROP DATABASE IF EXISTS $JOURNAL"
		mdb_load_cloudstack 3.0 "$CLOUD" >/dev/null
		"$CSMAINT" -c "$CONF" schema install --execute >/dev/null 2>&1
	fi
	# The sample's other in-flight work around VM 4 is over; only the jobs are left.
	sql "UPDATE vm_instance SET state = 'Running', last_host_id = 2, update_count = update_count + 1 WHERE id = 4;
	     UPDATE op_ha_work SET step = 'Done' WHERE id = 1"

	# Job 1: MigrateVMCmd, stored as 'None' / NULL; only job_cmd_info names VM 4 (on xs-02,
	# last on xs-01 before) and its destination xs-02.
	jobs_fact xs-02 4 "$v: a migration job (instance_type None) blocks its destination"
	expect_eq "$v: the migration is named" "fail unfinished async_job: 1 com.cloud.api.commands.MigrateVMCmd (arguments name the host, arguments name VM 4)" "$F"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 1"
	jobs_fact xs-02 0 "$v: xs-02 passes once the migration is over"
	expect_eq "$v: jobs 8 and 9 elsewhere do not block xs-02" "pass no unfinished async job for the host or its VMs" "$F"
	jobs_fact xs-01 0 "$v: nor xs-01 (template 1's \"id\" is not VM 1)"
	expect_eq "$v: xs-01 passes" "pass no unfinished async job for the host or its VMs" "$F"

	# Job 5: RebootRouterCmd on router 3 (instance_type DomainRouter) on xs-01.
	sql "UPDATE async_job SET job_status = 0 WHERE id = 5"
	jobs_fact xs-01 4 "$v: a router job blocks"
	expect_eq "$v: the router job is named" "fail unfinished async_job: 5 com.cloud.api.commands.RebootRouterCmd (on VM 3)" "$F"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 5"

	# Job 6: StopSystemVmCmd on the SSVM 8 (instance_type SystemVm) on xs-02.
	sql "UPDATE async_job SET job_status = 0 WHERE id = 6"
	jobs_fact xs-02 4 "$v: a system-VM job blocks"
	expect_eq "$v: the system-VM job is named" "fail unfinished async_job: 6 com.cloud.api.commands.StopSystemVmCmd (on VM 8)" "$F"
	jobs_fact xs-01 0 "$v: and not another host"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 6"

	# Job 7: MigrateSystemVMCmd moving the console proxy 7 from xs-02 to xs-01: it concerns
	# both, and xs-01 only through "hostid".
	sql "UPDATE async_job SET job_status = 0 WHERE id = 7"
	jobs_fact xs-01 4 "$v: a system-VM migration towards the host blocks"
	expect_eq "$v: named by its destination" "fail unfinished async_job: 7 com.cloud.api.commands.MigrateSystemVMCmd (arguments name the host)" "$F"
	jobs_fact xs-02 4 "$v: and the host it leaves"
	expect_eq "$v: named by its VM" "fail unfinished async_job: 7 com.cloud.api.commands.MigrateSystemVMCmd (arguments name VM 7)" "$F"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 7"

	# In doubt: a migration whose arguments name no VM, a VM job without an instance id.
	sql "UPDATE async_job SET job_status = 0, job_cmd_info = '{\"ctxUserId\":\"1\"}' WHERE id = 7"
	jobs_fact xs-01 4 "$v: a migration naming no VM blocks"
	expect_eq "$v: and says why" "fail unfinished async_job: 7 com.cloud.api.commands.MigrateSystemVMCmd (a migration whose arguments name no VM)" "$F"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 7;
	     UPDATE async_job SET job_status = 0, instance_id = NULL WHERE id = 6"
	jobs_fact xs-01 4 "$v: a SystemVm job without an instance id blocks"
	expect_eq "$v: and says why" "fail unfinished async_job: 6 com.cloud.api.commands.StopSystemVmCmd (SystemVm job without an instance id)" "$F"
	sql "UPDATE async_job SET job_status = 1 WHERE id = 6"
done
finish
