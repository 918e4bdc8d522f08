#!/usr/bin/env bash
# The real CloudStack 2.2.13 schema (shared/reference, when present) with the sample
# data: listing and the toggle work against the full set of 100 tables.
. "$TOP_SRCDIR/tests/lib/common.sh"
ref=$TOP_SRCDIR/../shared/reference/cloudstack/create-schema-2.2.x.sql
need_file "$ref" "the real CloudStack schema, in ../shared beside the repository"
need_mariadb
mdb_start "$TEST_TMP/db" >/dev/null || exit 1
mdb_sql -e "CREATE DATABASE cloud DEFAULT CHARACTER SET utf8"
mdb_sql cloud <"$ref" || { echo "cannot load the reference schema"; exit 1; }
{ echo "SET foreign_key_checks = 0; DELETE FROM version;"; cat "$TOP_SRCDIR/sql/sample/cloudstack-2.2-data.sql"; } | mdb_sql cloud ||
	{ echo "cannot load the sample data into the real schema"; exit 1; }
mdb_create_user csm 's3cr3t-pw' "ALL PRIVILEGES ON *.*" >/dev/null
printf 's3cr3t-pw\n' >"$TEST_TMP/db.pass"; chmod 600 "$TEST_TMP/db.pass"
write_conf
check "the real schema has 100 tables" test "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'cloud'")" -ge 100
expect_exit 0 "journal install next to the real schema" schema install --execute
expect_exit 0 "schema" schema -o csv
expect_out '2.2.14.20120210102939,2.2.4-2.2.15,allocation_state,true' "detected as 2.2"
expect_exit 0 "host list" host list -o json
check "counts on the real schema" /usr/bin/python3 -c '
import json,sys
h={x["id"]:x for x in json.load(open(sys.argv[1]))["hosts"]}
assert (h[1]["user_vms"],h[1]["system_vms"])==(3,1), h[1]
' "$OUT"
expect_exit 0 "disable" host disable xs-01 --execute
expect_eq "row Disabled" Disabled "$(sql "SELECT allocation_state FROM host WHERE id = 1")"
expect_exit 0 "enable" host enable xs-01 --execute
expect_eq "row Enabled" Enabled "$(sql "SELECT allocation_state FROM host WHERE id = 1")"
finish
