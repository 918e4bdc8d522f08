#!/usr/bin/env bash
# sql/grants.sql gives enough privileges and no more: the tool works as that user, and
# the user cannot write any other CloudStack column.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
# grants.sql as a DBA would apply it, with this test's password.
sed -e "s/'change-me'/'least-pw'/" "$TOP_SRCDIR/sql/grants.sql" | mdb_sql || { echo "grants.sql failed"; exit 1; }
mdb_sql -e "CREATE USER 'csmaint'@'127.0.0.1' IDENTIFIED BY 'least-pw'"
mdb_sql -e "SHOW GRANTS FOR 'csmaint'@'localhost'" | sed 's/localhost/127.0.0.1/' | sed 's/$/;/' | mdb_sql
printf 'least-pw\n' >"$TEST_TMP/least.pass"; chmod 600 "$TEST_TMP/least.pass"
write_conf
sed -i -e 's/user = "csm"/user = "csmaint"/' -e "s|db.pass|least.pass|" "$CONF"

expect_exit 0 "schema as the least-privilege user" schema -o csv
expect_out ',true,2,2' "sees the journal"
expect_exit 0 "host list" host list -o json
expect_exit 0 "host show" host show xs-01
expect_exit 0 "host disable" host disable xs-01 --reason grants --execute
expect_eq "row Disabled" Disabled "$(alloc_of 1)"
expect_exit 0 "host enable" host enable xs-01 --execute
expect_eq "row Enabled" Enabled "$(alloc_of 1)"
expect_exit 0 "journal list" journal list

# The user cannot touch anything else in CloudStack.
if mariadb --no-defaults -S "$MDB_SOCK" -u csmaint -pleast-pw cloud -e "UPDATE host SET status = 'Down' WHERE id = 1" 2>"$TEST_TMP/denied"; then
	not_ok "UPDATE of host.status must be denied"
else
	ok "UPDATE of host.status is denied"
fi
if mariadb --no-defaults -S "$MDB_SOCK" -u csmaint -pleast-pw cloud -e "UPDATE vm_instance SET state = 'Stopped'" 2>/dev/null; then
	not_ok "UPDATE of vm_instance must be denied"
else
	ok "UPDATE of vm_instance is denied"
fi
expect_eq "status untouched" Up "$(sql "SELECT status FROM host WHERE id = 1")"
finish
