#!/bin/bash
# t-fixtures.sh: the sample CloudStack 2.2 and 3.0 databases load and hold the documented facts.
#
# Starts a private MariaDB in $TEST_TMP, loads sql/sample/cloudstack-{2.2,3.0}-*.sql and checks
# with SQL what the comment blocks of the data files promise. Where the real CloudStack schema
# is beside the repository (../shared/reference/cloudstack/), it also checks that the fixture
# columns match it and that the 2.2 data loads into the real 2.2 schema; otherwise those checks
# print "skip". Exit 0 pass, 1 fail, 77 skip (no MariaDB server installed).
set -u

if [ -z "${TOP_SRCDIR:-}" ] || [ -z "${TEST_TMP:-}" ]; then
	echo "t-fixtures.sh: TOP_SRCDIR and TEST_TMP must be set" >&2
	exit 1
fi
# shellcheck source=lib/mariadb.sh
. "$TOP_SRCDIR/tests/lib/mariadb.sh"

. "$TOP_SRCDIR/tests/lib/need.sh"
need_mariadb

SAMPLE=$TOP_SRCDIR/sql/sample
REF=$TOP_SRCDIR/../shared/reference/cloudstack
failed=0

ok() { printf 'ok - %s\n' "$1"; }
not_ok() { printf 'not ok - %s\n' "$1"; failed=1; }
skip() { printf 'ok - %s # skip %s\n' "$1" "$2"; }

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	mdb_stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# check DESC DB SQL EXPECTED: the query's rows (tab-separated) must equal EXPECTED.
check() {
	local desc=$1 db=$2 sql=$3 want=$4 got
	got=$(mdb_sql "$db" -e "$sql" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		printf '#   expected:\n%s\n#   got:\n%s\n' "$(printf '%s\n' "$want" | sed 's/^/#     /')" \
			"$(printf '%s\n' "$got" | sed 's/^/#     /')"
	fi
}

# Column definitions of TABLES in DB, one line each; ORDERED=1 keeps the column order.
columns() {
	local db=$1 ordered=$2 tables=$3 order=COLUMN_NAME
	[ "$ordered" = 1 ] && order=ORDINAL_POSITION
	mdb_sql -e "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '(none)')
		FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = '$db' AND FIND_IN_SET(TABLE_NAME, '$tables')
		ORDER BY TABLE_NAME, $order"
}

# same_columns DESC DB1 DB2 ORDERED TABLES
same_columns() {
	local desc=$1 a b
	a=$(columns "$2" "$4" "$5")
	b=$(columns "$3" "$4" "$5")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | sed 's/^/#   /'
	fi
}

# The host and VM tables in the comment block of a data file, as tab-separated rows
# (hosts: id type status state cluster; VMs: id instance_name name type state host last removed).
doc_hosts() {
	awk -F'|' '/^-- +[0-9]+ \| / && NF == 7 {
		sub(/^--/, "", $1); for (i = 1; i <= NF; i++) { gsub(/^ +| +$/, "", $i) }
		if ($3 ~ /^(Routing|Storage|SecondaryStorage|ConsoleProxy|SecondaryStorageVM)$/)
			printf "%s\t%s\t%s\t%s\t%s\n", $1, $3, $4, $5, $6 }' "$1"
}
doc_vms() {
	awk -F'|' '/^-- +[0-9]+ \| / && NF == 8 {
		sub(/^--/, "", $1); for (i = 1; i <= NF; i++) { gsub(/^ +| +$/, "", $i) }
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$1"
}

start=$(date +%s.%N)
if ! mdb_start "$TEST_TMP/mdb"; then
	not_ok "MariaDB starts in \$TEST_TMP"
	exit 1
fi
ok "MariaDB starts in \$TEST_TMP (port $MDB_PORT, $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"

for v in 2.2 3.0; do
	db=cs${v/./}
	if mdb_load_cloudstack "$v" "$db"; then
		ok "$v: schema and data load into $db"
	else
		not_ok "$v: schema and data load into $db"
		continue
	fi

	# The version rule: the row with step Complete and the highest id.
	if [ "$v" = 2.2 ]; then want=2.2.14.20120210102939; else want=3.0.2; fi
	check "$v: current version is $want" "$db" \
		"SELECT version FROM version WHERE step = 'Complete' ORDER BY id DESC LIMIT 1" "$want"

	if [ "$v" = 2.2 ]; then
		check "$v: host has allocation_state, not resource_state" "$db" \
			"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
			 AND TABLE_NAME = 'host' AND COLUMN_NAME IN ('allocation_state', 'resource_state')" \
			allocation_state
		check "$v: hosts per status" "$db" \
			"SELECT status, COUNT(*) FROM host GROUP BY status ORDER BY status" \
			"$(printf 'Alert\t1\nDisconnected\t1\nDown\t1\nErrorInMaintenance\t1\nMaintenance\t1\nPrepareForMaintenance\t1\nRemoved\t1\nUp\t12')"
		check "$v: only host 4 is Disabled" "$db" \
			"SELECT id FROM host WHERE allocation_state <> 'Enabled'" 4
		check "$v: the hosts in CloudStack maintenance" "$db" \
			"SELECT id, status FROM host WHERE removed IS NULL
			 AND status IN ('PrepareForMaintenance', 'ErrorInMaintenance', 'Maintenance') ORDER BY id" \
			"$(printf '3\tMaintenance\n7\tPrepareForMaintenance\n8\tErrorInMaintenance')"
		alloc=allocation_state
		routing="1 2 3 4 5 6 7 8 9 10 11 13 14 15"
	else
		check "$v: host has resource_state, not allocation_state" "$db" \
			"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
			 AND TABLE_NAME = 'host' AND COLUMN_NAME IN ('allocation_state', 'resource_state')" \
			resource_state
		check "$v: hosts per status" "$db" \
			"SELECT status, COUNT(*) FROM host GROUP BY status ORDER BY status" \
			"$(printf 'Alert\t1\nDisconnected\t2\nDown\t1\nRemoved\t1\nUp\t15')"
		check "$v: hosts per resource_state" "$db" \
			"SELECT resource_state, GROUP_CONCAT(id ORDER BY id) FROM host GROUP BY resource_state ORDER BY resource_state" \
			"$(printf 'Disabled\t4\nEnabled\t1,2,5,6,9,10,11,12,13,14,15,16,17,18,19\nError\t20\nErrorInMaintenance\t8\nMaintenance\t3\nPrepareForMaintenance\t7')"
		check "$v: capacity_state Disabled where a 3.0 transition left the host not Enabled" "$db" \
			"SELECT GROUP_CONCAT(DISTINCT host_id ORDER BY host_id) FROM op_host_capacity
			 WHERE capacity_state = 'Disabled'" "7,8,20"
		check "$v: the upgrade-era hosts 3 and 4 keep 'Enabled' capacity rows" "$db" \
			"SELECT GROUP_CONCAT(DISTINCT capacity_state) FROM op_host_capacity WHERE host_id IN (3, 4)" \
			Enabled
		check "$v: maintenance hosts keep status Up or Disconnected" "$db" \
			"SELECT id, status FROM host WHERE resource_state LIKE '%Maintenance' ORDER BY id" \
			"$(printf '3\tDisconnected\n7\tUp\n8\tUp')"
		check "$v: every host has a distinct uuid; host 1 is found by uuid" "$db" \
			"SELECT COUNT(*) = COUNT(DISTINCT uuid), MAX(uuid IS NULL),
			        (SELECT id FROM host WHERE uuid = '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0001') FROM host" \
			"$(printf '1\t0\t1')"
		check "$v: vm_instance has uuid and no private_netmask" "$db" \
			"SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY COLUMN_NAME) FROM information_schema.COLUMNS
			 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'vm_instance'
			 AND COLUMN_NAME IN ('uuid', 'private_netmask')" uuid
		check "$v: host has uuid, update_count and hypervisor_version" "$db" \
			"SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY COLUMN_NAME) FROM information_schema.COLUMNS
			 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'host'
			 AND COLUMN_NAME IN ('uuid', 'update_count', 'hypervisor_version')" \
			hypervisor_version,update_count,uuid
		alloc=resource_state
		routing="1 2 3 4 5 6 7 8 9 10 11 13 14 15 20"
	fi

	check "$v: the active XenServer hypervisor hosts" "$db" \
		"SELECT GROUP_CONCAT(id ORDER BY id SEPARATOR ' ') FROM host
		 WHERE type = 'Routing' AND hypervisor_type = 'XenServer' AND removed IS NULL" "$routing"
	check "$v: Routing hosts are on 127.0.0.<id> with the XenServer 5.6 FP1 resource" "$db" \
		"SELECT COUNT(*) FROM host WHERE type = 'Routing' AND (private_ip_address <> CONCAT('127.0.0.', id)
		 OR resource <> 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource'
		 OR guid NOT LIKE 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f____')" 0
	check "$v: xs-old is the only removed host" "$db" \
		"SELECT id, name, status FROM host WHERE removed IS NOT NULL" "$(printf '12\txs-old\tRemoved')"
	check "$v: the name xs-dup is ambiguous" "$db" \
		"SELECT GROUP_CONCAT(id ORDER BY id) FROM host WHERE name = 'xs-dup' AND removed IS NULL" 10,11
	check "$v: the name with quotes and SQL text is stored exactly" "$db" \
		"SELECT id FROM host WHERE name = 'xs''; DROP TABLE host; --\"q'" 13
	check "$v: the UTF-8 name is stored as UTF-8" "$db" \
		"SELECT id, CHAR_LENGTH(name), LENGTH(name), HEX(name) FROM host WHERE name = 'xs-ünïcødé-☃'" \
		"$(printf '14\t12\t18\t78732DC3BC6EC3AF63C3B864C3A92DE29883')"
	check "$v: host 15 has a 255-character name" "$db" \
		"SELECT id FROM host WHERE CHAR_LENGTH(name) = 255" 15
	check "$v: the non-hypervisor hosts" "$db" \
		"SELECT id, type FROM host WHERE type <> 'Routing' ORDER BY id" \
		"$(printf '16\tStorage\n17\tSecondaryStorage\n18\tConsoleProxy\n19\tSecondaryStorageVM')"
	check "$v: connected hosts point at an Up management server" "$db" \
		"SELECT COUNT(*) FROM host h LEFT JOIN mshost m ON m.msid = h.mgmt_server_id
		 WHERE h.mgmt_server_id IS NOT NULL AND (m.id IS NULL OR m.state <> 'Up' OR m.removed IS NOT NULL)" 0

	# NOTES §7: the VMs still on (or migrating off) a host.
	for h in 1 2 3 4 6 7; do
		case $h in
		1) want=$(printf '1\ti-2-1-VM\tUser\tRunning\tuser\n2\ti-2-2-VM\tUser\tRunning\tuser\n3\tr-3-VM\tDomainRouter\tRunning\tsystem\n4\ti-2-4-VM\tUser\tMigrating\tuser') ;;
		2) want=$(printf '4\ti-2-4-VM\tUser\tMigrating\tuser\n7\tv-7-VM\tConsoleProxy\tRunning\tsystem\n8\ts-8-VM\tSecondaryStorageVm\tRunning\tsystem\n9\ti-2-9-VM\tUser\tRunning\tuser') ;;
		4) want=$(printf '10\ti-3-10-VM\tUser\tRunning\tuser') ;;
		6) want=$(printf '11\ti-2-11-VM\tUser\tStarting\tuser') ;;
		*) want= ;;
		esac
		check "$v: VMs placed on host $h" "$db" \
			"SELECT vm.id, vm.instance_name, vm.type, vm.state,
			        CASE WHEN vm.type = 'User' THEN 'user' ELSE 'system' END
			   FROM vm_instance vm LEFT JOIN user_vm u ON u.id = vm.id
			  WHERE vm.removed IS NULL
			    AND (vm.host_id = $h OR (vm.last_host_id = $h AND vm.state = 'Migrating'))
			  ORDER BY vm.id" "$want"
	done
	check "$v: the VM on a disabled host (audit finding)" "$db" \
		"SELECT vm.id, h.id FROM vm_instance vm JOIN host h ON h.id = vm.host_id
		 WHERE vm.removed IS NULL AND h.$alloc = 'Disabled'" "$(printf '10\t4')"
	check "$v: every VM has its subtype row and type = vm_type" "$db" \
		"SELECT COUNT(*) FROM vm_instance v
		   LEFT JOIN user_vm u ON u.id = v.id LEFT JOIN domain_router r ON r.id = v.id
		   LEFT JOIN console_proxy c ON c.id = v.id LEFT JOIN secondary_storage_vm s ON s.id = v.id
		 WHERE v.type <> v.vm_type
		    OR (v.type = 'User') <> (u.id IS NOT NULL) OR (v.type = 'DomainRouter') <> (r.id IS NOT NULL)
		    OR (v.type = 'ConsoleProxy') <> (c.id IS NOT NULL)
		    OR (v.type = 'SecondaryStorageVm') <> (s.id IS NOT NULL)" 0
	check "$v: instance names follow CloudStack's formats" "$db" \
		"SELECT COUNT(*) FROM vm_instance WHERE instance_name <> CASE type
		   WHEN 'User' THEN CONCAT('i-', account_id, '-', id, '-VM')
		   WHEN 'DomainRouter' THEN CONCAT('r-', id, '-VM')
		   WHEN 'ConsoleProxy' THEN CONCAT('v-', id, '-VM')
		   WHEN 'SecondaryStorageVm' THEN CONCAT('s-', id, '-VM') END" 0
	check "$v: in-progress async jobs" "$db" \
		"SELECT id, instance_type, IFNULL(instance_id, 'NULL') FROM async_job WHERE job_status = 0 ORDER BY id" \
		"$(printf '1\tNone\tNULL\n3\tHost\t7\n8\tNone\tNULL\n9\tTemplate\t1')"

	# The comment block of the data file agrees with the rows.
	check "$v: the host table in the data file's comment matches the host rows" "$db" \
		"SELECT id, type, status, $alloc, IFNULL(cluster_id, '-') FROM host ORDER BY id" \
		"$(doc_hosts "$SAMPLE/cloudstack-$v-data.sql")"
	check "$v: the VM table in the data file's comment matches the vm_instance rows" "$db" \
		"SELECT id, instance_name, name, type, state, IFNULL(host_id, 'NULL'), IFNULL(last_host_id, 'NULL'),
		        IF(removed IS NULL, '', 'yes') FROM vm_instance ORDER BY id" \
		"$(doc_vms "$SAMPLE/cloudstack-$v-data.sql")"
done

# Against the real CloudStack schema, where it is available.
TABLES22=version,data_center,host_pod_ref,cluster,host,vm_instance,user_vm,domain_router,console_proxy,secondary_storage_vm,mshost,op_ha_work,async_job,host_details,op_host_capacity
if [ -r "$REF/create-schema-2.2.x.sql" ]; then
	# The file says "use cloud;" and names `cloud`.<table>, so it gets a database named cloud.
	if mdb_sql -e "CREATE DATABASE cloud DEFAULT CHARACTER SET utf8" &&
		mdb_sql cloud <"$REF/create-schema-2.2.x.sql"; then
		ok "real 2.2.13 schema loads"
		same_columns "2.2: fixture columns equal the real 2.2 schema's (name, order, type, NULL, default)" \
			cs22 cloud 1 "$TABLES22"
		if { printf 'SET foreign_key_checks = 0;\nDELETE FROM version;\n'; cat "$SAMPLE/cloudstack-2.2-data.sql"; } |
			mdb_sql cloud; then
			ok "2.2: the data file loads into the real 2.2 schema"
			check "2.2: real schema: VMs placed on host 1" cloud \
				"SELECT GROUP_CONCAT(id ORDER BY id) FROM vm_instance WHERE removed IS NULL
				 AND (host_id = 1 OR (last_host_id = 1 AND state = 'Migrating'))" 1,2,3,4
		else
			not_ok "2.2: the data file loads into the real 2.2 schema"
		fi
		if [ -r "$REF/schema-2214to30-excerpt.sql" ] && mdb_sql cloud <"$REF/schema-2214to30-excerpt.sql"; then
			ok "real 2.2.14 -> 3.0 upgrade statements apply to the loaded 2.2 data"
			check "3.0: resource_state of hosts 1-15 equals what the upgrade makes of the 2.2 data" cloud \
				"SELECT GROUP_CONCAT(CONCAT(id, ':', resource_state) ORDER BY id) FROM host WHERE id <= 15" \
				"$(mdb_sql cs30 -e "SELECT GROUP_CONCAT(CONCAT(id, ':', resource_state) ORDER BY id) FROM host WHERE id <= 15")"
			same_columns "3.0: fixture columns of the upgraded tables equal the upgraded real schema's" \
				cs30 cloud 0 data_center,host_pod_ref,cluster,user_vm,domain_router,console_proxy,secondary_storage_vm,mshost,op_ha_work,async_job,host_details
		elif [ -r "$REF/schema-2214to30-excerpt.sql" ]; then
			not_ok "real 2.2.14 -> 3.0 upgrade statements apply to the loaded 2.2 data"
		else
			skip "3.0: upgraded real schema" "$REF/schema-2214to30-excerpt.sql absent"
		fi
	else
		not_ok "real 2.2.13 schema loads"
	fi
else
	skip "2.2: the data file loads into the real 2.2 schema" "$REF/create-schema-2.2.x.sql absent"
fi
if [ -r "$REF/create-schema-3.0.1-excerpt.sql" ]; then
	# shellcheck disable=SC2016 # the backquotes in sed are SQL identifier quotes
	if mdb_sql -e "CREATE DATABASE cloud301 DEFAULT CHARACTER SET utf8" &&
		sed -e 's/`cloud`\./`cloud301`./g' -e 's/^use cloud;/use cloud301;/' \
			"$REF/create-schema-3.0.1-excerpt.sql" | mdb_sql cloud301; then
		same_columns "3.0: fixture host, vm_instance, op_host_capacity, version equal 3.0.1's" \
			cs30 cloud301 1 host,vm_instance,op_host_capacity,version
	else
		not_ok "real 3.0.1 schema excerpt loads"
	fi
else
	skip "3.0: fixture columns equal 3.0.1's" "$REF/create-schema-3.0.1-excerpt.sql absent"
fi

t0=$(date +%s.%N)
port=$MDB_PORT
if mdb_restart && [ "$MDB_PORT" = "$port" ] && [ "$(mdb_sql cs22 -e 'SELECT COUNT(*) FROM host')" = 19 ]; then
	ok "mdb_restart keeps port $MDB_PORT and the data ($(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"
else
	not_ok "mdb_restart keeps the port and the data"
fi

exit $failed
